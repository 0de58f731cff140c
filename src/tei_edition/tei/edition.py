"""The whole edition gathered before anything is written: documents, registers, mentions, chronology."""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tei_edition import __version__
from tei_edition.config import EditionConfig
from tei_edition.errors import UsageError
from tei_edition.tei.model import (
    DateMention,
    Document,
    Entity,
    Mention,
    Register,
    all_entities,
    read_document,
    read_registers,
)
from tei_edition.validate import ParsedEdition


@dataclass(frozen=True)
class EntityMention:
    """A mention of an entity, with the document it is in."""

    document: Document
    mention: Mention


@dataclass(slots=True)
class MentionGroup:
    """The passages of one document that mention an entity, as the build made them: HTML written in a worker and
    kept in the build cache (found by `source`, the cache key of the document's results), known here by the number
    of passages and a hash of the HTML (hex digits). An edition of thousands of documents has hundreds of thousands
    of these: not frozen, as a frozen dataclass takes three times as long to make (23 ms against 7 ms for 39,000);
    nothing changes them once made."""

    document: Document
    count: int
    digest: str
    source: str


def fragment_key(source: str, entity_id: str) -> str:
    """The build cache's key of a document's passages about one entity, as HTML (`source`: the cache key of the
    document's results). Not hashed again: a build looks up tens of thousands, and the document's key (hex digits)
    and an xml:id (no ':') already make it unique."""
    return f"{source}:passages:{entity_id}"


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
    # entity id -> its mention groups in edition order, when the build made them in its workers (else None: the
    # register pages make them from `mentions`, whose snippets are then at hand)
    groups: dict[str, list[MentionGroup]] | None = None
    chronology: list[ChronologyEntry] = field(default_factory=list)
    build_date: datetime = field(default_factory=lambda: build_time())
    tool_version: str = __version__
    flagged: set[str] = field(default_factory=set)  # ids of documents with validation errors (--keep-going)
    source_hashes: dict[Path, str] = field(
        default_factory=dict
    )  # content hashes of the sources, as the build read them
    # document id -> the cache key of its per-document results (a hash of its source and of the tool, stylesheets
    # and schemas), when the build made them: what the document's dated passages and mentions are a function of
    document_keys: dict[str, str] = field(default_factory=dict)
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


def collect_edition(
    config: EditionConfig, parsed: ParsedEdition, documents: list[Document] | None = None
) -> EditionData:
    """Read documents and registers from the parsed trees and reduce their mentions into registers and chronology."""
    if documents is None:
        documents = [read_document(tree, path) for path, tree in parsed.document_trees.items()]
    documents = sorted(documents, key=document_order_key)
    registers = read_registers(parsed.register_trees.items())
    entities = all_entities(registers)
    chronology: list[ChronologyEntry] = []
    for doc in documents:
        chronology.extend(ChronologyEntry(doc, d) for d in doc.dates)
    # The rank of a document's key in the sorted list orders as the key does, and is cheaper to compare.
    position: dict[int, int] = {}
    for i, doc in enumerate(documents):
        same = i > 0 and document_order_key(documents[i - 1]) == document_order_key(doc)
        position[id(doc)] = position[id(documents[i - 1])] if same else i
    chronology.sort(key=lambda c: (c.date.span.sort_key, position[id(c.document)], c.date.line, c.date.anchor))
    return EditionData(
        config=config, documents=documents, registers=registers, entities=entities, chronology=chronology
    )


class PackedMentions(Sequence[Mention]):
    """A document's mentions without their snippets, packed into one string: what the main process of a build keeps
    of them (thousands of documents' worth of small objects would weigh more than everything else)."""

    __slots__ = ("packed", "_ids")
    _FIELD, _RECORD = "\x1f", "\x1e"  # separators no XML 1.0 text holds

    def __init__(self, packed: str):
        self.packed = packed
        self._ids: frozenset[str] | None = None

    @classmethod
    def pack(cls, mentions: Iterable[Mention]) -> PackedMentions | list[Mention]:
        """The mentions packed (their snippets left out), or as a list when a field holds a separator."""
        records = [(m.entity_id, m.element, m.anchor, m.text, str(m.line)) for m in mentions]
        joined = cls._RECORD.join(cls._FIELD.join(r) for r in records)
        if sum(joined.count(c) for c in (cls._FIELD, cls._RECORD)) != len(records) * 5 - 1 and records:
            return [Mention(*r[:4], "", int(r[4])) for r in records]
        return cls(joined)

    def _unpack(self) -> list[Mention]:
        if not self.packed:
            return []
        out = []
        for record in self.packed.split(self._RECORD):
            entity_id, element, anchor, text, line = record.split(self._FIELD)
            out.append(Mention(entity_id, element, anchor, text, "", int(line)))
        return out

    def __iter__(self) -> Iterator[Mention]:
        return iter(self._unpack())

    def __len__(self) -> int:
        return self.packed.count(self._RECORD) + 1 if self.packed else 0

    def __getitem__(self, index: int) -> Mention:  # type: ignore[override]
        return self._unpack()[index]

    def entity_ids(self) -> frozenset[str]:
        """The ids of the entities mentioned (cached)."""
        if self._ids is None:
            self._ids = (
                frozenset(sys.intern(r.split(self._FIELD, 1)[0]) for r in self.packed.split(self._RECORD))
                if self.packed
                else frozenset()
            )
        return self._ids

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (PackedMentions, (self.packed,))


def mentioned_ids(doc: Document) -> frozenset[str]:
    """The ids of the entities a document mentions."""
    mentions = doc.mentions
    if isinstance(mentions, PackedMentions):
        return mentions.entity_ids()
    return frozenset(m.entity_id for m in mentions)
