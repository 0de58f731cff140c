"""The whole edition gathered before anything is written: documents, registers, mentions, chronology."""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tei_edition import __version__
from tei_edition.config import EditionConfig
from tei_edition.tei.model import (
    DateMention,
    Document,
    Entity,
    Mention,
    Register,
    read_document,
    all_entities,
    read_registers,
)
from tei_edition.validate import ParsedEdition


@dataclass(frozen=True)
class EntityMention:
    """A mention of an entity, with the document it is in."""

    document: Document
    mention: Mention


@dataclass(frozen=True)
class MentionGroup:
    """The passages of one document that mention an entity, as the build stored them: made in a worker as HTML
    (kept in the build cache under `key`) and known here by their number and a hash of that HTML."""

    document: Document
    count: int
    digest: str
    key: str


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
    mentions: dict[str, list[EntityMention]] = field(default_factory=dict)
    # entity id -> its mention groups in edition order, when the build made them in its workers (else None: the
    # register pages make them from `mentions`, whose snippets are then at hand)
    groups: dict[str, list[MentionGroup]] | None = None
    chronology: list[ChronologyEntry] = field(default_factory=list)
    build_date: datetime = field(default_factory=lambda: build_time())
    tool_version: str = __version__
    flagged: set[str] = field(default_factory=set)  # ids of documents with validation errors (--keep-going)
    _positions: dict[int, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def document(self, doc_id: str) -> Document:
        return next(d for d in self.documents if d.id == doc_id)

    def neighbours(self, doc: Document) -> tuple[Document | None, Document | None]:
        """The previous and next document in the edition's order."""
        if len(self._positions) != len(self.documents):  # list.index would make a page per document quadratic
            self._positions = {id(d): i for i, d in enumerate(self.documents)}
        i = self._positions[id(doc)] if id(doc) in self._positions else self.documents.index(doc)
        return (self.documents[i - 1] if i > 0 else None,
                self.documents[i + 1] if i + 1 < len(self.documents) else None)


def build_time() -> datetime:
    """The build's date: SOURCE_DATE_EPOCH when set (reproducible builds), else now; always UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return datetime.now(tz=timezone.utc).replace(microsecond=0)


def document_order_key(doc: Document) -> tuple:
    """Documents are ordered by their date (undated last), then title, then id."""
    return (doc.date.sort_key if doc.date else (9999, 99, 99, 9), doc.title.casefold(), doc.id)


def collect_edition(config: EditionConfig, parsed: ParsedEdition,
                    documents: list[Document] | None = None) -> EditionData:
    """Read documents and registers from the parsed trees and reduce their mentions into registers and chronology."""
    if documents is None:
        documents = [read_document(tree, path) for path, tree in parsed.document_trees.items()]
    documents = sorted(documents, key=document_order_key)
    registers = read_registers(parsed.register_trees.items())
    entities = all_entities(registers)
    mentions: dict[str, list[EntityMention]] = defaultdict(list)
    chronology: list[ChronologyEntry] = []
    for doc in documents:
        for m in doc.mentions:
            if m.entity_id in entities:
                mentions[m.entity_id].append(EntityMention(doc, m))
        chronology.extend(ChronologyEntry(doc, d) for d in doc.dates)
    # The rank of a document's key in the sorted list orders as the key does, and is cheaper to compare.
    position: dict[int, int] = {}
    for i, doc in enumerate(documents):
        same = i > 0 and document_order_key(documents[i - 1]) == document_order_key(doc)
        position[id(doc)] = position[id(documents[i - 1])] if same else i
    chronology.sort(key=lambda c: (c.date.span.sort_key, position[id(c.document)], c.date.line, c.date.anchor))
    return EditionData(config=config, documents=documents, registers=registers, entities=entities,
                       mentions=dict(mentions), chronology=chronology)


def relative_source(config: EditionConfig, path: Path) -> str:
    """A source file's path relative to the edition root, with forward slashes."""
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return path.name
