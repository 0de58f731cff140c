"""The whole edition gathered before anything is written: documents, registers, mentions, chronology."""

from __future__ import annotations

import hashlib
import os
import pickle
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from lxml import etree

from tei_edition import __version__
from tei_edition.config import EditionConfig
from tei_edition.errors import BuildError, UsageError
from tei_edition.tei.letters import Letter
from tei_edition.tei.model import DateMention, Document, Mention, Passage, read_document, read_passages
from tei_edition.tei.names import RegisterKeys, resolve_names
from tei_edition.tei.registers import Entity, Register, all_entities, read_registers
from tei_edition.tei.works import Work


@dataclass(frozen=True)
class EntityMention:
    """A mention of an entity, with the document it is in."""

    document: Document
    mention: Mention


@dataclass(slots=True)
class MentionGroup:
    """The passages of one document that mention an entity, known by their number and a hash of them (hex digits):
    the passages themselves are fetched from EditionData.passages when the entity's page is rendered. An edition of
    thousands of documents has hundreds of thousands of these: not frozen, as a frozen dataclass takes three times
    as long to make (23 ms against 7 ms for 39,000); nothing changes them once made."""

    document: Document
    count: int
    digest: str


# What a document's reading says of its passages about one entity: (entity id, number of passages, hash).
GroupSummary = tuple[str, int, str]


def dump_passages(passages: tuple[Passage, ...]) -> bytes:
    """The passages of a document about one entity as bytes, as the build cache keeps them."""
    return pickle.dumps(passages, protocol=pickle.HIGHEST_PROTOCOL)


def summarise_passages(passages: dict[str, tuple[Passage, ...]]) -> tuple[list[GroupSummary], dict[str, bytes]]:
    """For each entity a document mentions: its summary (id, number of passages, a hash of them) and the passages
    as dump_passages() gives them."""
    summaries, dumped = [], {}
    for entity_id, found in passages.items():
        dumped[entity_id] = data = dump_passages(found)
        summaries.append((entity_id, len(found), hashlib.blake2b(data, digest_size=8).hexdigest()))
    return summaries, dumped


class Passages(Protocol):
    """Where the render stage finds the passages of mention groups."""

    def fetch(self, entity_id: str, doc_ids: Sequence[str]) -> list[tuple[Passage, ...]]:
        """The passages about an entity of each of the documents, in the order given."""
        ...


class HeldPassages:
    """Passages held in memory: an edition gathered in one process from its trees (collect_edition)."""

    def __init__(self, passages: dict[tuple[str, str], bytes]):
        self.passages = passages  # (entity id, document id) -> dump_passages()

    def fetch(self, entity_id: str, doc_ids: Sequence[str]) -> list[tuple[Passage, ...]]:
        return [pickle.loads(self.passages[entity_id, doc_id]) for doc_id in doc_ids]


def passages_key(document_key: str, entity_id: str) -> str:
    """The build cache's key of a document's passages about one entity (`document_key`: the cache key of the
    document's results). Not hashed again: a build looks up tens of thousands, and the document's key (hex digits)
    and an xml:id (no ':') already make it unique."""
    return f"{document_key}:passages:{entity_id}"


class CachedPassages:
    """Passages kept in the build cache, where the build's workers put them (see passages_key)."""

    def __init__(self, store: Any, document_keys: dict[str, str]):
        self.store = store  # get_many(keys) -> {key: bytes}
        self.document_keys = document_keys  # document id -> the cache key of its results

    def fetch(self, entity_id: str, doc_ids: Sequence[str]) -> list[tuple[Passage, ...]]:
        keys = [passages_key(self.document_keys[doc_id], entity_id) for doc_id in doc_ids]
        found = self.store.get_many(keys)
        if len(found) < len(set(keys)):
            raise BuildError("the build cache lost the passages of a register page: build again with --clean")
        return [pickle.loads(found[key]) for key in keys]


@dataclass(frozen=True)
class ChronologyEntry:
    """A dated passage of the edition."""

    document: Document
    date: DateMention


@dataclass
class EditionData:
    """Everything the writers need, read once: the reduction of all per-document results."""

    config: EditionConfig
    documents: list[Document]
    registers: dict[str, Register]
    entities: dict[str, Entity]
    # entity id -> the documents that mention it, in edition order, with their passages' number and hash; the
    # passages themselves are in `passages`
    groups: dict[str, list[MentionGroup]] = field(default_factory=dict)
    passages: Passages = field(default_factory=lambda: HeldPassages({}))
    chronology: list[ChronologyEntry] = field(default_factory=list)
    letters: list[Letter] = field(default_factory=list)  # described by correspondence files (CMIF), in file order
    build_date: datetime = field(default_factory=lambda: build_time())
    tool_version: str = __version__
    flagged: set[str] = field(default_factory=set)  # ids of documents with validation errors (--keep-going)
    epub: bool = False  # whether the build makes the EPUBs (the site's pages then link them)
    source_hashes: dict[Path, str] = field(
        default_factory=dict
    )  # content hashes of the sources, as the build read them
    # document id -> the cache key of its per-document results (a hash of its source and of the tool, stylesheets
    # and schemas), when the build made them: what the document's dated passages and mentions are a function of
    document_keys: dict[str, str] = field(default_factory=dict)
    # source -> what other files decided of its names (tei/names.py): the ids of its own list entries known as
    # '<file id>.<xml:id>', and, each after a '-', those its names point to that only other documents' own lists
    # declare (no link); what its view depends on besides its source
    scoped: dict[Path, tuple[str, ...]] = field(default_factory=dict)
    works: list[Work] = field(default_factory=list)  # the registers' lists of works (tei/works.py), in reference order
    cited: dict[str, list[str]] = field(default_factory=dict)  # a work's id -> the ids of the documents pointing to it
    _positions: dict[int, int] = field(default_factory=dict, init=False, repr=False, compare=False)
    _mentions: dict[str, list[EntityMention]] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def mentions(self) -> dict[str, list[EntityMention]]:
        """Entity id -> its mentions in edition order (made when first asked for: an HTML build never needs them)."""
        if self._mentions is None:
            mentions: dict[str, list[EntityMention]] = defaultdict(list)
            for doc in self.documents:
                for m in doc.mentions:
                    if m.entity_id in self.entities:
                        mentions[m.entity_id].append(EntityMention(doc, m))
            self._mentions = dict(mentions)
        return self._mentions

    @mentions.setter
    def mentions(self, value: dict[str, list[EntityMention]]) -> None:
        self._mentions = value

    def document(self, doc_id: str) -> Document:
        return next(d for d in self.documents if d.id == doc_id)

    def neighbours(self, doc: Document) -> tuple[Document | None, Document | None]:
        """The previous and next document in the edition's order."""
        if len(self._positions) != len(self.documents):  # list.index would make a page per document quadratic
            self._positions = {id(d): i for i, d in enumerate(self.documents)}
        i = self._positions[id(doc)] if id(doc) in self._positions else self.documents.index(doc)
        return (
            self.documents[i - 1] if i > 0 else None,
            self.documents[i + 1] if i + 1 < len(self.documents) else None,
        )


# The last second a four-digit year can name (9999-12-31T23:59:59Z): the dates of the edition are printed with one.
_LAST_EPOCH = 253402300799


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH (reproducible builds: the time to stand in for now), or None when it is not set.

    A value that is not a whole number of seconds since 1970-01-01 UTC, up to the end of the year 9999, is a
    UsageError: a build that silently took the time of day instead would not be the reproducible one asked for."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value is None or not value.strip():
        return None
    text = value.strip()
    if not text.isascii() or not text.isdigit() or int(text) > _LAST_EPOCH:
        raise UsageError(
            f"SOURCE_DATE_EPOCH is {value!r}: it must be a whole number of seconds since "
            f"1970-01-01 00:00:00 UTC, from 0 to {_LAST_EPOCH} (the end of the year 9999); "
            "set it so (`SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)` takes the last commit's time) "
            "or unset it to build with the time of day"
        )
    return int(text)


def build_time() -> datetime:
    """The build's date: SOURCE_DATE_EPOCH when set (reproducible builds), else now; always UTC."""
    epoch = source_date_epoch()
    if epoch is not None:
        return datetime.fromtimestamp(epoch, tz=UTC)
    return datetime.now(tz=UTC).replace(microsecond=0)


def document_order_key(doc: Document) -> tuple:
    """Documents are ordered by their date (undated last), then title, then id."""
    return (doc.date.sort_key if doc.date else (9999, 99, 99, 9), doc.title.casefold(), doc.id)


class ParsedTrees(Protocol):
    """The edition's files parsed (validate.ParsedEdition is one): what collect_edition reads when it is given no
    documents, and the registers it always reads."""

    @property
    def document_trees(self) -> dict[Path, etree._ElementTree]: ...

    @property
    def register_trees(self) -> dict[Path, etree._ElementTree]: ...


def join_entries(registers: dict[str, Register], entries: Iterable[Entity]) -> None:
    """Add the entries of the documents' own lists to the registers of their kinds (an id already taken keeps its
    first entry: the registers' own, then the first file's)."""
    for entity in entries:
        register = registers.setdefault(entity.kind, Register(kind=entity.kind, path=entity.path))
        register.entities.setdefault(entity.id, entity)


def collect_edition(
    config: EditionConfig,
    parsed: ParsedTrees,
    documents: list[Document] | None = None,
    summaries: dict[str, list[GroupSummary]] | None = None,
    passages: Passages | None = None,
    entries: Iterable[Entity] = (),
) -> EditionData:
    """Reduce the documents' readings into registers, mention groups and chronology.

    The build gives the documents as its workers read them, with their passages' summaries (document id -> see
    summarise_passages), where the passages are kept and the entries of the documents' own lists
    (tei/names.py); without documents everything is read here from the trees."""
    summaries = summaries if summaries is not None else {}
    passages = passages if passages is not None else HeldPassages({})
    registers = read_registers(parsed.register_trees.items())
    if documents is None:
        documents, held, found = [], {}, []
        keys = RegisterKeys.of(all_entities(registers).values())
        for path, tree in parsed.document_trees.items():
            names = resolve_names(tree, path, keys)
            found.extend(names.entries)
            doc = read_document(tree, path, names)
            documents.append(doc)
            summaries[doc.id], dumped = summarise_passages(read_passages(tree, names))
            held.update({(entity_id, doc.id): data for entity_id, data in dumped.items()})
        passages, entries = HeldPassages(held), found
    documents = sorted(documents, key=document_order_key)
    join_entries(registers, entries)
    entities = all_entities(registers)
    chronology: list[ChronologyEntry] = []
    groups: dict[str, list[MentionGroup]] = {}
    for doc in documents:
        chronology.extend(ChronologyEntry(doc, d) for d in doc.dates)
        for entity_id, count, digest in summaries.get(doc.id, ()):
            if entity_id in entities:
                groups.setdefault(entity_id, []).append(MentionGroup(doc, count, digest))
    # The rank of a document's key in the sorted list orders as the key does, and is cheaper to compare.
    position: dict[int, int] = {}
    for i, doc in enumerate(documents):
        same = i > 0 and document_order_key(documents[i - 1]) == document_order_key(doc)
        position[id(doc)] = position[id(documents[i - 1])] if same else i
    chronology.sort(key=lambda c: (c.date.span.sort_key, position[id(c.document)], c.date.line, c.date.anchor))
    return EditionData(
        config=config,
        documents=documents,
        registers=registers,
        entities=entities,
        chronology=chronology,
        groups=groups,
        passages=passages,
    )
