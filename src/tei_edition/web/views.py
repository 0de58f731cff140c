"""The documents' views: what pages and lists show of a document besides its text (title, dates, the metadata
panel's rows, Pagefind filters), made once per build or read from the build cache."""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from tei_edition.output.paths import folder, href_between, tei_href
from tei_edition.tei.bibliography import source_description
from tei_edition.tei.dates import DateSpan
from tei_edition.tei.header import DocumentMeta, Party
from tei_edition.tei.model import Document
from tei_edition.tei.registers import KINDS, Entity
from tei_edition.web.context import DIGESTED_TYPES, Site, join_names, safe_url, value_digest


@dataclass(frozen=True)
class Link:
    """A piece of text, linked when it has somewhere to go."""

    text: str
    href: str = ""
    lang: str = ""

    def __post_init__(self) -> None:
        # Header values (a source's URL, a licence's target) become links: only safe schemes survive.
        object.__setattr__(self, "href", safe_url(self.href))


@dataclass(frozen=True)
class MetaRow:
    """One line of a metadata panel: a label and its values."""

    label: str
    values: tuple[Link, ...]
    datetime: str = ""


@dataclass(frozen=True)
class DocumentView:
    """What templates need to know about a document besides its text."""

    id: str
    folder: str  # 'documents/<id>/'
    source: str  # the TEI file, from the site root
    title: str
    meta: DocumentMeta
    date_iso: str
    date_attr: str  # a valid HTML datetime value (the start of a range), or ''
    date_display: str
    date_sort: str
    year: str
    doc_type: str
    people: str  # authors, or sender -> recipient, for lists
    place: str
    lang: str
    rows: tuple[MetaRow, ...] = ()
    filters: tuple[tuple[str, str], ...] = ()  # Pagefind filters (name, value)
    mentioned: tuple[str, ...] = ()  # the ids of the entities the text mentions, sorted
    # the names the registers give each entity the text mentions, as (name, xml:lang or ''), the preferred name
    # first, variants and names in other scripts after it ('Иосиф Виссарионович Сталин', 'ru'): indexed for search
    # with the document's text
    register_names: tuple[tuple[tuple[str, str], ...], ...] = ()


DIGESTED_TYPES.add(DocumentView)


def document_views(site: Site) -> DocumentViews:
    """Views of all documents in edition order (made once per build and kept on the site)."""
    if "documents" not in site.cache:
        site.cache["documents"] = DocumentViews(site)
    return site.cache["documents"]


class DocumentViews(Mapping[str, DocumentView]):
    """The documents' views by id, in edition order: the digest of every view (what stands for it in the hashes of
    the pages that show it) at hand from the start, the views themselves read from the build cache, or made, only
    when a page to be rendered needs them.

    A view is a function of its document's source, the registers (names and links of the entities it shows) and the
    shared inputs (the tool, the configuration): a hash of these is its key in the cache, where it is kept with its
    digest. The digests of all views are also kept together in one entry, with the ids of the entities each
    document mentions (which its page's hash needs too), so that after an edit the pages of the other documents are
    found unchanged without reading their views (at 10,000 documents reading them all took ~2.5 s)."""

    BATCH = 500  # views read from the cache at a time: never all the pickled views at once

    def __init__(self, site: Site):
        self.site = site
        self.documents = {doc.id: doc for doc in site.data.documents}
        self._views: dict[str, DocumentView] = {}
        self._digests: dict[str, bytes] = {}
        self._mentioned: dict[str, tuple[str, ...]] = {}
        self._keys: dict[str, str] = {}  # document id -> cache key of its view (none without a cache)
        hashes = site.data.source_hashes
        store = site.store
        if not site.inputs_key or store is None or any(doc.path not in hashes for doc in self.documents.values()):
            self.load(self.documents)
            return
        from tei_edition.output.hashing import content_key

        paths = {doc.path for doc in self.documents.values()}
        scoped = site.data.scoped  # the in-file entries that other files make known by their file's id
        registers = content_key("registers", *sorted(f"{p}\0{h}" for p, h in hashes.items() if p not in paths))
        self._keys = {
            doc.id: content_key(
                "view", site.inputs_key, registers, str(doc.path), doc.id, hashes[doc.path], *scoped.get(doc.path, ())
            )
            for doc in self.documents.values()
        }
        digests_key = content_key("view-digests", site.inputs_key, registers)
        known = _digest_table(store.get(digests_key))
        for doc_id, key in self._keys.items():
            entry = known.get(key)
            if entry is not None and self.documents[doc_id].header is not None:
                self._digests[doc_id] = entry[0]
                self._mentioned[doc_id] = tuple(entry[1].split(_SEPARATOR)) if entry[1] else ()
                store.keep(key)  # read later if a page shows it; kept in the cache meanwhile
        self.load([doc_id for doc_id in self.documents if doc_id not in self._digests])
        table = {
            key: (self._digests[doc_id], _SEPARATOR.join(self._mentioned[doc_id])) for doc_id, key in self._keys.items()
        }
        if table != known:
            store.put_many([(digests_key, pickle.dumps(table, protocol=5))])

    def __getitem__(self, doc_id: str) -> DocumentView:
        view = self._views.get(doc_id)
        if view is None:
            if doc_id not in self.documents:
                raise KeyError(doc_id)
            self.load([doc_id])
            view = self._views[doc_id]
        return view

    def __iter__(self) -> Iterator[str]:
        return iter(self.documents)

    def __len__(self) -> int:
        return len(self.documents)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.documents

    def values(self) -> list[DocumentView]:  # type: ignore[override]
        """Every view, in edition order (all read or made now)."""
        self.load(self.documents)
        return [self._views[doc_id] for doc_id in self.documents]

    def digest(self, doc_id: str) -> bytes:
        """The digest that stands for the document's view in page hashes."""
        return self._digests[doc_id]

    def mentioned(self, doc_id: str) -> tuple[str, ...]:
        """The ids of the entities the document's text mentions, sorted (its view's `mentioned`)."""
        return self._mentioned[doc_id]

    def meta(self, doc_id: str) -> DocumentMeta:
        """The document's header facts, as its view holds them (without reading the view where it can)."""
        header = self.documents[doc_id].header
        return header if header is not None else self[doc_id].meta

    def load(self, ids: Iterable[str]) -> None:
        """Read (or make) the views of these documents that are not at hand yet, a batch at a time."""
        wanted = [doc_id for doc_id in ids if doc_id not in self._views]
        store = self.site.store
        for start in range(0, len(wanted), self.BATCH):
            batch = wanted[start : start + self.BATCH]
            cached = store.get_objects([self._keys[i] for i in batch]) if self._keys and store is not None else {}
            made = []
            for doc_id in batch:
                doc = self.documents[doc_id]
                entry = cached.get(self._keys.get(doc_id, ""))
                if (
                    doc.header is not None
                    and isinstance(entry, tuple)
                    and len(entry) == 2
                    and isinstance(entry[0], DocumentView)
                ):
                    view, digest = replace(entry[0], meta=doc.header), entry[1]
                else:
                    view = _view(self.site, doc)
                    digest = value_digest(view)
                    if self._keys and doc.header is not None and view.meta is doc.header:
                        # Kept without the header, which the document holds already: one copy in memory, not two.
                        stored = (replace(view, meta=None), digest)  # type: ignore[arg-type]
                        made.append((self._keys[doc_id], pickle.dumps(stored, protocol=5)))
                self._views[doc_id] = view
                self._digests[doc_id] = digest
                self._mentioned[doc_id] = view.mentioned
                self.site.digests[id(view)] = (view, digest)
            if made and store is not None:
                store.put_many(made)


_SEPARATOR = "\x1f"  # between the entity ids of a view in the digest table (no XML 1.0 name or text holds it)


def _digest_table(data: bytes | None) -> dict[str, tuple[bytes, str]]:
    """The table kept in the build cache: view key -> (digest, the ids of the entities the view's document mentions
    joined by _SEPARATOR); {} when absent or unreadable, and without entries of another shape."""
    if data is None:
        return {}
    try:
        table = pickle.loads(data)
    except Exception:  # noqa: BLE001 - an entry from another version is a miss
        return {}
    if not isinstance(table, dict):
        return {}
    return {
        key: entry
        for key, entry in table.items()
        if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], bytes) and isinstance(entry[1], str)
    }


@dataclass(frozen=True)
class Heading:
    """How a document is named where it is listed (an entity's passages): made in the workers as in the views."""

    id: str
    folder: str
    title: str
    date_attr: str
    date_display: str


def document_heading(doc: Document, meta: DocumentMeta) -> Heading:
    """The document's id, folder, title and date as every list of documents shows them."""
    span = meta.date or doc.date
    return Heading(
        id=doc.id,
        folder=folder("documents", doc.id),
        title=meta.title or doc.title,
        date_attr=_datetime_attr(span),
        date_display=meta.date_display or (span.display() if span else ""),
    )


def _view(site: Site, doc: Document) -> DocumentView:
    meta = doc.header
    span = meta.date or doc.date
    heading = document_heading(doc, meta)
    people = _people(meta)
    place = meta.place or meta.sent_place
    types = doc.entity_ids()
    entities = [site.data.entities[e] for e in sorted(types) if e in site.data.entities]
    filters = [("type", meta.doc_type)]
    if span and span.year:
        filters.append(("year", str(span.year)))
    filters += [(KINDS[e.kind][4].lower(), e.name) for e in sorted(entities, key=lambda e: e.sort_key)]
    root_lang = doc.lang
    return DocumentView(
        id=doc.id,
        folder=heading.folder,
        source=tei_href(doc.part_of or doc.id),
        title=heading.title,
        meta=meta,
        date_iso=span.iso() if span else "",
        date_attr=heading.date_attr,
        date_display=heading.date_display,
        date_sort=_sort_string(span.sort_key) if span else "9999",
        year=str(span.year) if span and span.year else "",
        doc_type=meta.doc_type,
        people=people,
        place=place.name if place else "",
        lang=root_lang,
        rows=(*_volume_rows(site, doc), *_rows(site, meta, root_lang)),
        filters=tuple(filters),
        mentioned=tuple(sorted(types, key=str)),
        register_names=_register_names(entities),
    )


def _register_names(entities: list[Entity]) -> tuple[tuple[tuple[str, str], ...], ...]:
    """For each entity, its names as (name, xml:lang or ''): the preferred one first, then the others, each once."""
    groups = []
    for entity in entities:
        names = [(entity.name, "")] + [(n.text, n.lang or "") for n in entity.variants() if n.text]
        groups.append(tuple(names))
    return tuple(groups)


def _volume_rows(site: Site, doc: Document) -> list[MetaRow]:
    """For a document inside a volume (tei/parts.py): the volume it is part of, linked to the volume's page."""
    if not doc.part_of:
        return []
    volumes = site.cache.get("volumes")
    if volumes is None:
        volumes = site.cache["volumes"] = {d.id: d for d in site.data.documents if not d.part_of}
    volume = volumes.get(doc.part_of)
    if volume is None:
        return []
    title = volume.header.title or volume.title
    return [
        MetaRow("Part of", (Link(title, href_between(folder("documents", doc.id), folder("documents", volume.id))),))
    ]


def _datetime_attr(span: DateSpan | None) -> str:
    point = (span.when or span.start) if span else None
    return point.iso() if point and point.year > 0 else ""


def _sort_string(key: tuple[int, int, int, int]) -> str:
    y, m, d, p = key
    return f"{y + 100_000:06d}-{m:02d}-{d:02d}-{p}"  # offset, so that BCE years sort before CE ones as strings


def _people(meta: DocumentMeta) -> str:
    if meta.is_correspondence:
        senders = join_names([p.name for p in meta.senders if p.name])
        recipients = join_names([p.name for p in meta.recipients if p.name])
        return f"{senders} to {recipients}" if senders and recipients else senders or recipients
    return join_names([a.name for a in meta.authors if a.name])


def _party_link(site: Site, party: Party, root: str) -> Link:
    if party.ref and party.ref in site.data.entities:
        entity = site.data.entities[party.ref]
        return Link(party.name or entity.name, f"{root}{folder(entity.section, entity.id)}")
    return Link(party.name)


def _rows(site: Site, meta: DocumentMeta, lang: str) -> list[MetaRow]:
    root = "../../"
    rows: list[MetaRow] = []

    def add(label: str, *values: Link | str, when: str = "") -> None:
        # A name with no words (an empty <persName ref="..."/> whose entry the registers lack) is left out.
        links = tuple(link for v in values if v and (link := v if isinstance(v, Link) else Link(v)).text)
        if links:
            rows.append(MetaRow(label, links, when))

    certainty = {"low": " (uncertain)", "unknown": " (uncertain)", "medium": " (probable)"}.get(
        meta.date_cert or "", ""
    )
    date_text = meta.date_display + certainty if meta.date_display else ""
    add("Date", date_text, when=meta.date.iso() if meta.date and meta.date.when else "")
    if meta.is_correspondence:
        add(
            "From",
            *[_party_link(site, p, root) for p in meta.senders],
            *([_party_link(site, meta.sent_place, root)] if meta.sent_place else []),
        )
        add(
            "To",
            *[_party_link(site, p, root) for p in meta.recipients],
            *([_party_link(site, meta.received_place, root)] if meta.received_place else []),
        )
    if meta.place and not (meta.is_correspondence and meta.sent_place == meta.place):
        add("Place", _party_link(site, meta.place, root))
    add("Author" if len(meta.authors) < 2 else "Authors", *[_party_link(site, a, root) for a in meta.authors])
    add("Editor" if len(meta.editors) < 2 else "Editors", *meta.editors)
    add("Type", meta.doc_type)
    for label, text in source_description(meta):  # the same words and punctuation as the PDFs
        add(label, Link(text, text) if label == "Online" else text)
    if meta.languages and len(meta.languages) > 1:
        add("Languages", *[Link(label, lang=ident) for ident, label in meta.languages])
    add("Keywords", *meta.keywords)
    for note in meta.notes:
        add("Note", note)
    licence = meta.licence or site.info.licence
    licence_url = meta.licence_url or (site.info.licence_url if not meta.licence else "")
    add("Licence", Link(licence, licence_url))
    add("Identifier", meta.idno)
    return rows
