"""Document pages (text, metadata panel, citation, navigation) and the home page's list of documents."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from markupsafe import Markup

from tei_edition.errors import BuildError
from tei_edition.output.paths import folder
from tei_edition.tei.header import Party
from tei_edition.tei.model import Document
from tei_edition.tei.registers import KINDS, Entity, authority_url
from tei_edition.web.about import about_text, editorial_heading
from tei_edition.web.citations import Citation, PersonName, cite_document, editor_names
from tei_edition.web.context import DIGESTED_TYPES, PageContext, Site, safe_url, value_digest
from tei_edition.web.downloads import PdfFile, document_pdf_file, edition_pdfs
from tei_edition.web.facsimile import FacsimileView, facsimile_view
from tei_edition.web.views import DocumentView, document_views

SCHEMA_TYPES = {"person": "Person", "place": "Place", "org": "Organization"}


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
    pdf: PdfFile | None  # the document's PDF, when the build set one
    editorial: list[tuple[str, str]]  # the document's editorial notes: (what they are about, paragraph)
    facsimile: FacsimileView | None  # the page images beside the text
    remote_sources: str  # the servers of page images the page may load (' https://a.org'), for its CSP


class HomePage(PageContext):
    """The context of the home page."""

    introduction: list[str]
    documents: list[DocumentView]
    counts: list[tuple[int, str, str, str]]  # (number, singular, plural, folder)
    span: str  # the years the documents cover: '1945–2018'
    responsibility: list[tuple[str, str]]  # (what, who): 'Edited by', 'The tei-edition editors'
    pdfs: list[PdfFile]  # the edition's book, or its volumes; [] when the build set no PDFs


def editorial_notes(view: DocumentView) -> list[tuple[str, str]]:
    """The document's editorial declarations as notes for readers: (topic, paragraph), the topic '' for general
    ones; a topic is named once, before the first of its paragraphs."""
    notes: list[tuple[str, str]] = []
    named: set[str] = set()
    for part, text in view.meta.editorial:
        topic = editorial_heading(part) if part else ""
        notes.append((topic if topic not in named else "", text))
        named.add(topic)
    return notes


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
    if "editor-names" not in site.cache:
        site.cache["editor-names"] = editor_names(site.info.editors, site.data.entities)
    editors: list[PersonName] = site.cache["editor-names"]
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
            else known_entities.setdefault(e.id, value_digest((card, e.idnos, e.family, e.given)))
            for card, e in zip(cards, entities, strict=True)
        ]
        pdf = document_pdf_file(site, doc.id)
        page_folder = folder("documents", doc.id)
        facsimile = facsimile_view(site, doc, page_folder)
        deps = site.inputs_hash(
            "document.html",
            (
                site.info,
                pdf,
                editors,
                facsimile,
                views.digest(doc.id),
                views.digest(previous.id) if previous else None,
                views.digest(following.id) if following else None,
                mention_ids,
                shown,
                doc.id in site.data.flagged,
                fingerprint(doc.id) if fingerprint is not None else bodies[doc.id],
            ),
        )
        citation: list[Citation] = []

        def cite(
            doc_id: str = doc.id, citation: list[Citation] = citation, pdf_link: str = pdf.href if pdf else ""
        ) -> Citation:
            if not citation:
                citation.append(cite_document(site.info, views[doc_id], site.data.entities, pdf_link, editors))
            return citation[0]

        def make(
            doc: Document = doc,
            previous: Document | None = previous,
            following: Document | None = following,
            cards: list[EntityCard] = cards,
            pdf: PdfFile | None = pdf,
            facsimile: FacsimileView | None = facsimile,
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
                pdf=pdf,
                editorial=editorial_notes(view),
                facsimile=facsimile,
                remote_sources="".join(f" {origin}" for origin in facsimile.origins) if facsimile else "",
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
    responsibility = home_responsibility(site)
    pdfs = edition_pdfs(site)
    # The views stand in the page's hash by their digests (the span of years is a function of them).
    deps = site.inputs_hash(
        "home.html", (base, intro, counts, responsibility, pdfs, b"".join(views.digest(i) for i in views))
    )

    def make() -> HomePage:
        listed = views.values()
        years = sorted(int(v.year) for v in listed if v.year)
        span = (
            f"{years[0]}–{years[-1]}" if len(years) > 1 and years[0] != years[-1] else (str(years[0]) if years else "")
        )
        return HomePage(
            **base,
            introduction=intro,
            documents=listed,
            counts=counts,
            span=span,
            responsibility=responsibility,
            pdfs=pdfs,
        )

    site.page_from("home.html", "", deps, make)


def home_responsibility(site: Site) -> list[tuple[str, str]]:
    """Who made the edition, as the home page says it: the statements of responsibility of the editors' About file
    (TEI), else 'Edited by' the editors of edition.toml."""
    stated = about_text(site).responsibility
    if stated:
        return list(stated)
    return [("Edited by", site.info.editors_in_sentence)] if site.info.editors else []


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
