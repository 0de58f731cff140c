"""Register pages: an alphabetical index per register and a page per person, place and organisation."""

from __future__ import annotations

from dataclasses import dataclass

from tei_edition.build.site.context import PageContext, Site, folder, safe_url, split_snippet
from tei_edition.build.site.documents import DocumentView, document_views
from tei_edition.tei.model import KINDS, Entity, Name, authority_url

AUTHORITY_LABELS = {"wikidata": "Wikidata", "viaf": "VIAF", "geonames": "GeoNames", "gnd": "GND",
                    "lccn": "Library of Congress"}


@dataclass(frozen=True)
class Passage:
    """One mention of an entity: where it is and the words around it."""

    anchor: str
    href: str  # relative to the entity page
    before: str
    match: str
    after: str


@dataclass(frozen=True)
class DocumentMentions:
    """The passages of one document that mention an entity."""

    doc: DocumentView
    passages: tuple[Passage, ...]


@dataclass(frozen=True)
class Authority:
    """An authority record the entity is linked to."""

    label: str
    value: str
    url: str


@dataclass(frozen=True)
class EntityEntry:
    """An entity as register pages show it."""

    entity: Entity
    folder: str
    index_name: str  # as the index lists it: 'Stalin, Joseph'
    variants: tuple[Name, ...]
    dates: str
    mention_count: int
    document_count: int
    letter: str


class RegisterIndexPage(PageContext):
    """The context of a register's index page."""

    kind: str
    label: str
    groups: list[tuple[str, list[EntityEntry]]]
    total: int


class EntityPage(PageContext):
    """The context of an entity's page."""

    entry: EntityEntry
    kind_label: str
    index_href: str
    authorities: list[Authority]
    geo: str
    documents: list[DocumentMentions]


def entity_dates(entity: Entity) -> str:
    """Birth and death as the register gives them: '18 December 1878 – 5 March 1953'."""
    birth = entity.birth.display() if entity.birth else entity.birth_text
    death = entity.death.display() if entity.death else entity.death_text
    if birth and death:
        return f"{birth} – {death}"
    if birth:
        return f"born {birth}"
    return f"died {death}" if death else ""


def _entry(site: Site, entity: Entity) -> EntityEntry:
    mentions = site.data.mentions.get(entity.id, [])
    index_name = entity.sort_name or entity.name
    first = next((c for c in index_name if c.isalpha()), "")
    letter = first.upper() if first.isascii() and first else "#"  # names in other scripts are grouped under '#'
    return EntityEntry(entity=entity, folder=folder(entity.section, entity.id), index_name=index_name,
                       variants=tuple(entity.variants()),
                       dates=entity_dates(entity), mention_count=len(mentions),
                       document_count=len({m.document.id for m in mentions}), letter=letter)


def render_registers(site: Site) -> None:
    """Write the index page of every register (even an empty one) and a page for each entity."""
    views = document_views(site)
    for kind, (_entry_el, _list_el, _name_el, section, label) in KINDS.items():
        register = site.data.registers.get(kind)
        entities = sorted(register.entities.values() if register else [], key=lambda e: (e.sort_key, e.id))
        entries = [_entry(site, e) for e in entities]
        groups: dict[str, list[EntityEntry]] = {}
        for entry in entries:
            groups.setdefault(entry.letter, []).append(entry)
        site.page("register_index.html", RegisterIndexPage(
            **site.base(folder(section), label, section, f"{label} in {site.info.title}"),
            kind=kind, label=label, groups=list(groups.items()), total=len(entries)))
        for entry in entries:
            _render_entity(site, entry, label, views)


def _render_entity(site: Site, entry: EntityEntry, label: str, views: dict[str, DocumentView]) -> None:
    entity = entry.entity
    mentions = site.data.mentions.get(entity.id, [])
    authorities = [Authority(AUTHORITY_LABELS.get(kind.lower(), kind or "identifier"), value, url)
                   for kind, value in entity.idnos if (url := safe_url(authority_url(kind, value)))]
    geo = f"{entity.geo[0]:.4f}, {entity.geo[1]:.4f}" if entity.geo else ""
    description = entity.description or f"{entity.name} in {site.info.title}"
    # What the page is made from, as plain tuples (much cheaper to hash than the passages made from them).
    deps = site.inputs_hash("entity.html", (
        site.info, entry, label, authorities, geo, description,
        [(views[em.document.id], em.mention.anchor, em.mention.snippet, em.mention.text) for em in mentions]))

    def make() -> EntityPage:
        by_doc: dict[str, list[Passage]] = {}
        for em in mentions:
            view = views[em.document.id]
            m = em.mention
            by_doc.setdefault(em.document.id, []).append(
                Passage(m.anchor, f"../../{view.folder}#{m.anchor}", *split_snippet(m.snippet, m.text)))
        documents = [DocumentMentions(views[doc_id], tuple(passages)) for doc_id, passages in by_doc.items()]
        return EntityPage(
            **site.base(entry.folder, entity.name, entity.section, description),
            entry=entry, kind_label=label, index_href="../", authorities=authorities, geo=geo,
            documents=documents)

    site.page_from("entity.html", entry.folder, deps, make)
