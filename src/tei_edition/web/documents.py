"""Document pages (text, metadata panel, citation, navigation) and the home page's list of documents."""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from markupsafe import Markup

from tei_edition.errors import BuildError
from tei_edition.output.paths import folder, href_between, tei_href
from tei_edition.tei.dates import DateSpan
from tei_edition.tei.header import DocumentMeta, Party
from tei_edition.tei.model import Document
from tei_edition.tei.registers import KINDS, Entity, authority_url
from tei_edition.web.citations import Citation, cite_document
from tei_edition.web.context import (
    DIGESTED_TYPES,
    PageContext,
    Site,
    join_names,
    safe_url,
    value_digest,
)

SCHEMA_TYPES = {"person": "Person", "place": "Place", "org": "Organization"}


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


DIGESTED_TYPES.add(DocumentView)


@dataclass(frozen=True)
class EntityCard:
    """The data of an entity's hover card."""

    id: str
    kind: str
    name: str
    dates: str
    description: str


DIGESTED_TYPES.add(EntityCard)


class DocumentPage(PageContext):
    """The context of a document page."""

    doc: DocumentView
    body: Markup
    previous: DocumentView | None
    next: DocumentView | None
    cards: list[EntityCard]
    citation: Citation
    jsonld: Markup
    flagged: bool
    canonical: str


class HomePage(PageContext):
    """The context of the home page."""

    introduction: list[str]
    documents: list[DocumentView]
    counts: list[tuple[int, str, str, str]]  # (number, singular, plural, folder)
    span: str  # the years the documents cover: '1945–2018'


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
        registers = content_key("registers", *sorted(f"{p}\0{h}" for p, h in hashes.items() if p not in paths))
        self._keys = {
            doc.id: content_key("view", site.inputs_key, registers, str(doc.path), doc.id, hashes[doc.path])
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
    )


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
        senders = join_names([p.name for p in meta.senders])
        recipients = join_names([p.name for p in meta.recipients])
        return f"{senders} to {recipients}" if senders and recipients else senders or recipients
    return join_names([a.name for a in meta.authors])


def _party_link(site: Site, party: Party, root: str) -> Link:
    if party.ref and party.ref in site.data.entities:
        entity = site.data.entities[party.ref]
        return Link(party.name or entity.name, f"{root}{folder(entity.section, entity.id)}")
    return Link(party.name)


def _rows(site: Site, meta: DocumentMeta, lang: str) -> list[MetaRow]:
    root = "../../"
    rows: list[MetaRow] = []

    def add(label: str, *values: Link | str, when: str = "") -> None:
        links = tuple(v if isinstance(v, Link) else Link(v) for v in values if v)
        if links and any(link.text for link in links):
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
    source = meta.source
    if source.text or source.title:
        add("Source", _source_text(meta))
        add("Online", Link(source.url, source.url) if source.url else "")
    if meta.archive is not None:
        add("Archive", meta.archive.display())
    for label, text in meta.original:
        add(label, text)
    add("Original language", meta.original_language)
    add("Translator", meta.translator)
    add("Funding", meta.funder)
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


def _source_text(meta: DocumentMeta) -> str:
    """The source as a bibliographic reference built from its fields, or the bibl as written when it has none."""
    s = meta.source
    if not s.title:
        return s.text
    title = s.title
    parts = [join_names(list(s.authors)), title]
    if s.container:
        parts[-1] = f"“{s.title},” in {s.container}"
    if s.editors:
        parts.append(f"ed. {join_names(list(s.editors))}")
    if s.series and s.series != s.container:
        parts.append(s.series)
    if s.volume and "vol" not in s.container.lower():
        parts.append(f"vol. {s.volume}")
    imprint = ": ".join(p for p in (s.pub_place, s.publisher) if p)
    imprint = ", ".join(p for p in (imprint, s.date) if p)
    text = ", ".join(p for p in parts if p).replace(",”,", ",”")
    if imprint:
        text += f" ({imprint})"
    if s.pages:
        text += f", {s.pages}"
    return text + "."


def entity_card(entity: Entity) -> EntityCard:
    """The hover card of an entity."""
    return EntityCard(
        id=entity.id, kind=entity.kind, name=entity.name, dates=entity.life_dates(), description=entity.description
    )


def render_documents(site: Site, bodies: Mapping[str, str], documents: Iterable[Document] | None = None) -> None:
    """Write one page per document (of `documents`, else of the edition), with its citation files."""
    views = document_views(site)
    # A body's cache key stands for the body itself in page hashes: the body is a function of it.
    fingerprint = getattr(bodies, "fingerprint", None)
    known_cards: dict[str, EntityCard] = site.cache.setdefault("cards", {})  # one card per entity, made once
    known_entities: dict[str, bytes] = site.cache.setdefault("entity-digests", {})
    for doc in site.data.documents if documents is None else documents:
        if doc.id not in bodies:
            raise BuildError(f"{doc.path}: the text of document {doc.id!r} was not transformed")
        meta = views.meta(doc.id)
        previous, following = site.data.neighbours(doc)
        mention_ids = list(views.mentioned(doc.id))
        mentioned = sorted(
            {*mention_ids, *(p.ref for p in (*meta.senders, *meta.recipients, *meta.authors) if p.ref)}, key=str
        )
        entities = [site.data.entities[e] for e in mentioned if e in site.data.entities]
        cards = [
            known_cards[e.id] if e.id in known_cards else known_cards.setdefault(e.id, entity_card(e)) for e in entities
        ]
        # Everything the page and its citation files are made from (with the shared inputs: templates, tool); an
        # entity's card and identifiers stand in it by their digest, made once for all the pages that show them,
        # and so do the views of the document and its neighbours (read only if the page is rendered).
        shown = [
            known_entities[e.id]
            if e.id in known_entities
            else known_entities.setdefault(e.id, value_digest((card, e.idnos)))
            for card, e in zip(cards, entities, strict=True)
        ]
        deps = site.inputs_hash(
            "document.html",
            (
                site.info,
                views.digest(doc.id),
                views.digest(previous.id) if previous else None,
                views.digest(following.id) if following else None,
                mention_ids,
                shown,
                doc.id in site.data.flagged,
                fingerprint(doc.id) if fingerprint is not None else bodies[doc.id],
            ),
        )
        page_folder = folder("documents", doc.id)
        citation: list[Citation] = []

        def cite(doc_id: str = doc.id, citation: list[Citation] = citation) -> Citation:
            if not citation:
                citation.append(cite_document(site.info, views[doc_id]))
            return citation[0]

        def make(
            doc: Document = doc,
            previous: Document | None = previous,
            following: Document | None = following,
            cards: list[EntityCard] = cards,
        ) -> DocumentPage:
            view = views[doc.id]
            return DocumentPage(
                **site.base(view.folder, view.title, "documents", view.meta.summary or view.title),
                doc=view,
                body=Markup(bodies[doc.id]),
                previous=views[previous.id] if previous else None,
                next=views[following.id] if following else None,
                cards=cards,
                citation=cite(),
                jsonld=json_ld(site, view, doc),
                flagged=doc.id in site.data.flagged,
                canonical=site.info.absolute(view.folder),
            )

        site.page_from("document.html", page_folder, deps, make)
        site.file_from(f"{page_folder}cite.bib", deps, lambda: cite().bibtex)
        site.file_from(f"{page_folder}cite.json", deps, lambda: cite().csl_json)


def render_home(site: Site) -> None:
    """Write the home page: title, introduction and the list of documents."""
    intro = [p.strip() for p in site.data.config.introduction.split("\n\n") if p.strip()]
    views = document_views(site)
    counts = [(len(views), "document", "documents", "")]
    for kind, (_e, _l, _n, section, _label) in KINDS.items():
        register = site.data.registers.get(kind)
        singular, plural = {
            "person": ("person", "persons"),
            "place": ("place", "places"),
            "org": ("organisation", "organisations"),
        }[kind]
        counts.append((len(register.entities) if register else 0, singular, plural, f"{section}/"))
    counts.append((len(site.data.chronology), "dated passage", "dated passages", "chronology/"))
    base = site.base("", site.info.title, "documents")
    # The views stand in the page's hash by their digests (the span of years is a function of them).
    deps = site.inputs_hash("home.html", (base, intro, counts, b"".join(views.digest(i) for i in views)))

    def make() -> HomePage:
        listed = views.values()
        years = sorted(int(v.year) for v in listed if v.year)
        span = (
            f"{years[0]}–{years[-1]}" if len(years) > 1 and years[0] != years[-1] else (str(years[0]) if years else "")
        )
        return HomePage(**base, introduction=intro, documents=listed, counts=counts, span=span)

    site.page_from("home.html", "", deps, make)


def json_ld(site: Site, view: DocumentView, doc: Document) -> Markup:
    """The schema.org description of a document, as JSON safe to place in a <script> element."""
    meta = view.meta
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "Message" if meta.is_correspondence else "CreativeWork",
        "name": view.title,
        "identifier": view.id,
        "isPartOf": {"@type": "Collection", "name": site.info.title, "version": site.info.version},
    }
    url = site.info.absolute(view.folder)
    if url:
        data["url"] = url
    if view.date_iso:
        data["dateCreated"] = view.date_iso
    if view.lang:
        data["inLanguage"] = view.lang
    if meta.authors:
        data["author"] = [_ld_party(site, p) for p in meta.authors]
    if meta.senders:
        data["sender"] = [_ld_party(site, p) for p in meta.senders]
    if meta.recipients:
        data["recipient"] = [_ld_party(site, p) for p in meta.recipients]
    editors = meta.editors or site.info.editors
    if editors:
        data["editor"] = [{"@type": "Person", "name": n} for n in editors]
    if site.info.publisher:
        data["publisher"] = {"@type": "Organization", "name": site.info.publisher}
    licence_url = safe_url(meta.licence_url) or site.info.licence_url
    if licence_url:
        data["license"] = licence_url
    if meta.summary:
        data["abstract"] = meta.summary
    if meta.keywords:
        data["keywords"] = list(meta.keywords)
    if meta.translator:
        data["translator"] = {"@type": "Person", "name": meta.translator}
    mentioned = sorted(e for e in view.mentioned if e in site.data.entities)
    if mentioned:
        data["mentions"] = [_ld_entity(site.data.entities[e]) for e in mentioned]
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))  # compact: the C encoder writes it
    # '<', '>' and '&' escaped so the data can never close the <script> element it sits in.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def _ld_party(site: Site, party: Party) -> dict[str, object]:
    if party.ref and party.ref in site.data.entities:
        return _ld_entity(site.data.entities[party.ref])
    return {"@type": SCHEMA_TYPES.get(party.kind, "Thing"), "name": party.name}


def _ld_entity(entity: Entity) -> dict[str, object]:
    out: dict[str, object] = {"@type": SCHEMA_TYPES[entity.kind], "name": entity.name}
    same = [u for kind, value in entity.idnos if (u := safe_url(authority_url(kind, value)))]
    if same:
        out["sameAs"] = same
    return out
