"""Register pages: an alphabetical index per register and a page per person, place and organisation."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from tei_edition.output.paths import folder, href_between
from tei_edition.tei.edition import MentionGroup
from tei_edition.tei.model import Passage
from tei_edition.tei.registers import KINDS, Entity, Name, authority_url
from tei_edition.web.context import PageContext, Pagination, Site, paged, safe_url, value_digest
from tei_edition.web.map import mapped_places, tiles_origin
from tei_edition.web.views import DocumentView, DocumentViews, Heading, Link, document_heading, document_views

AUTHORITY_LABELS = {
    "wikidata": "Wikidata",
    "viaf": "VIAF",
    "geonames": "GeoNames",
    "gnd": "GND",
    "lccn": "Library of Congress",
}
# An entity mentioned in more documents than this has its passages on several pages, this many documents each
# (the page of a place named in most of 10,000 documents was 28 MB as one page): persons/stalin/, then
# persons/stalin/2/ and so on. An edit then renders again only the page that holds the edited document's passages.
DOCUMENTS_PER_PAGE = 100


class DocumentMentions:
    """The passages of one document that mention an entity, as _passages.html lists them: `heading` names the
    document (id, folder, title, date), `passages` are its mentions in their context; `doc`, the document's full
    view, is read only if a template asks for it."""

    __slots__ = ("heading", "passages", "_views", "_batch")

    def __init__(self, heading: Heading, passages: tuple[Passage, ...], views: DocumentViews, batch: Sequence[str]):
        self.heading = heading
        self.passages = passages
        self._views = views
        self._batch = batch  # the ids of the documents listed with this one, read together with it

    @property
    def count(self) -> int:
        """The number of passages."""
        return len(self.passages)

    @property
    def doc(self) -> DocumentView:
        self._views.load(self._batch)  # the batch's views in one go (nothing to do once they are read)
        return self._views[self.heading.id]


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
    groups: list[tuple[str, list[EntityEntry]]]  # the entries the texts mention, by initial
    header_only: list[EntityEntry]  # the entries no text mentions: publishers, archives, funders, the editors...
    total: int


class EntityPage(PageContext):
    """The context of an entity's page (of one of its pages, when its passages take several)."""

    entry: EntityEntry
    kind_label: str
    index_href: str
    authorities: list[Authority]
    geo: str
    on_map: bool  # the place is on the map of places (its coordinates are valid ones)
    tiles_origin: str  # the map's tile server, for the page's Content-Security-Policy ('' without one)
    documents: Sequence[DocumentMentions]
    pagination: Pagination | None  # None when every passage is on the one page
    listed_in: Link | None  # the document whose own list holds the entry (tei/names.py), if one does


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
    groups = _groups(site, entity.id)
    index_name = entity.index_name
    first = next((c for c in index_name if c.isalpha()), "")
    letter = first.upper() if first.isascii() and first else "#"  # names in other scripts are grouped under '#'
    return EntityEntry(
        entity=entity,
        folder=folder(entity.section, entity.id),
        index_name=index_name,
        variants=tuple(entity.variants()),
        dates=entity_dates(entity),
        mention_count=sum(g.count for g in groups),
        document_count=len(groups),
        letter=letter,
    )


def _groups(site: Site, entity_id: str) -> list[MentionGroup]:
    """The entity's mention groups in edition order."""
    return site.data.groups.get(entity_id, [])


class MentionGroups(Sequence[DocumentMentions]):
    """An entity's mention groups for one of its pages, their passages fetched a few hundred groups at a time as the
    template goes through them (the page of an entity named in 10,000 documents is never held whole)."""

    BATCH = 500

    def __init__(self, site: Site, entity_id: str, groups: list[MentionGroup], views: DocumentViews):
        self.site = site
        self.entity_id = entity_id
        self.groups = groups
        self.views = views

    def __len__(self) -> int:
        return len(self.groups)

    def __getitem__(self, index: int) -> DocumentMentions:  # type: ignore[override]
        return next(iter(self._batch(self.groups[index : index + 1])))

    def __iter__(self) -> Iterator[DocumentMentions]:
        for start in range(0, len(self.groups), self.BATCH):
            yield from self._batch(self.groups[start : start + self.BATCH])

    def _batch(self, groups: list[MentionGroup]) -> list[DocumentMentions]:
        ids = [g.document.id for g in groups]
        found = self.site.data.passages.fetch(self.entity_id, ids)
        headings = _headings(self.site)
        for g in groups:
            if g.document.id not in headings:
                headings[g.document.id] = document_heading(g.document, g.document.header)
        return [
            DocumentMentions(headings[doc_id], passages, self.views, ids)
            for doc_id, passages in zip(ids, found, strict=True)
        ]


def _headings(site: Site) -> dict[str, Heading]:
    """How the documents are named where their passages are listed, by id: each made once per build, when needed."""
    known: dict[str, Heading] | None = site.cache.get("headings")
    if known is None:
        known = site.cache["headings"] = {}
    return known


def render_registers(site: Site) -> None:
    """Write the index page of every register (even an empty one) and a page for each entity."""
    views = document_views(site)
    mapped = {place.id for place in mapped_places(site.data)}
    for kind, (_entry_el, _list_el, _name_el, section, label) in KINDS.items():
        register = site.data.registers.get(kind)
        entities = sorted(register.entities.values() if register else [], key=lambda e: (e.sort_key, e.id))
        entries = [_entry(site, e) for e in entities]
        groups: dict[str, list[EntityEntry]] = {}
        for entry in entries:
            if entry.mention_count:
                groups.setdefault(entry.letter, []).append(entry)
        site.page(
            "register_index.html",
            RegisterIndexPage(
                **site.base(folder(section), label, section, f"{label} in {site.info.title}"),
                kind=kind,
                label=label,
                groups=list(groups.items()),
                header_only=[entry for entry in entries if not entry.mention_count],
                total=len(entries),
            ),
        )
        for entry in entries:
            _render_entity(site, entry, label, views, entry.entity.id in mapped)


def _render_entity(site: Site, entry: EntityEntry, label: str, views: DocumentViews, on_map: bool) -> None:
    entity = entry.entity
    digest = views.digest
    groups = _groups(site, entity.id)
    authorities = [
        Authority(AUTHORITY_LABELS.get(kind.lower(), kind or "identifier"), value, url)
        for kind, value in entity.idnos
        if (url := safe_url(authority_url(kind, value)))
    ]
    geo = f"{entity.geo[0]:.4f}, {entity.geo[1]:.4f}" if entity.geo else ""
    description = entity.description or f"{entity.name} in {site.info.title}"
    listed_in = _listed_in(site, entity)
    tiles = tiles_origin(site.data.config.map.tiles) if on_map else ""
    # what all the entity's pages show
    shared = value_digest((entry, label, authorities, geo, on_map, tiles, description, listed_in))
    for path, part, paging in paged(groups, DOCUMENTS_PER_PAGE, entry.folder):
        title = (
            entity.name
            if paging is None or paging.number == 1
            else f"{entity.name} (documents {paging.first}–{paging.last})"
        )
        # The page's hash is taken over its groups' hashes and their documents' digests (joined as bytes rather
        # than pickled one by one), and the passages are fetched only when the page is rendered.
        passages = hashlib.blake2b(
            b"".join(map(digest, [g.document.id for g in part])) + "\n".join([g.digest for g in part]).encode(),
            digest_size=20,
        ).digest()
        deps = site.inputs_hash("entity.html", (site.info, shared, passages, paging))

        def make(
            part: list[MentionGroup] = part, path: str = path, title: str = title, paging: Pagination | None = paging
        ) -> EntityPage:
            return EntityPage(
                **site.base(path, title, entity.section, description),
                entry=entry,
                kind_label=label,
                index_href="../" if path == entry.folder else "../../",
                authorities=authorities,
                geo=geo,
                on_map=on_map,
                tiles_origin=tiles,
                documents=MentionGroups(site, entity.id, part, views),
                pagination=paging,
                listed_in=Link(listed_in[0], href_between(path, listed_in[1])) if listed_in else None,
            )

        site.page_from("entity.html", path, deps, make)


def _listed_in(site: Site, entity: Entity) -> tuple[str, str] | None:
    """(title, folder) of the document whose own list holds an entry, None for an entry of the registers."""
    if not entity.in_file:
        return None
    doc = next((d for d in site.data.documents if d.id == entity.in_file), None)
    return (doc.title, folder("documents", doc.id)) if doc is not None else None
