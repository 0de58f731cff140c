"""Register pages: an alphabetical index per register and a page per person, place and organisation."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from tei_edition.errors import BuildError
from tei_edition.output.paths import folder
from tei_edition.tei.edition import MentionGroup, fragment_key
from tei_edition.tei.model import KINDS, Entity, Mention, Name, authority_url
from tei_edition.web.context import PageContext, Pagination, Site, paged, safe_url, split_snippet, value_digest
from tei_edition.web.documents import DocumentView, DocumentViews, Heading, document_views

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
    """The passages of one document that mention an entity: `html` is the group as entity.html shows it, `doc` the
    document's view, read only if a template asks for it (the group's HTML names the document already)."""

    def __init__(self, doc_id: str, html: Markup, count: int, views: DocumentViews, batch: Sequence[str] = ()):
        self.doc_id = doc_id
        self.html = html
        self.count = count
        self._views = views
        self._batch = batch  # the ids of the documents listed with this one, read together with it

    @property
    def doc(self) -> DocumentView:
        self._views.load(self._batch)  # the batch's views in one go (nothing to do once they are read)
        return self._views[self.doc_id]


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
    """The context of an entity's page (of one of its pages, when its passages take several)."""

    entry: EntityEntry
    kind_label: str
    index_href: str
    authorities: list[Authority]
    geo: str
    documents: Sequence[DocumentMentions]
    pagination: Pagination | None  # None when every passage is on the one page


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
    index_name = entity.sort_name or entity.name
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
    """The entity's mention groups in edition order: as the build made them in its workers, or made here (then
    with their HTML at hand in the site's cache) when the edition was gathered in this process."""
    if site.data.groups is not None:
        return site.data.groups.get(entity_id, [])
    made: dict[str, list[MentionGroup]] | None = site.cache.get("mention-groups")
    if made is None:
        made = {}
        html: dict[tuple[str, str], str] = {}
        views = document_views(site)
        views.load(views)  # every document's view is shown in some group: all read in one go
        by_pair: dict[tuple[str, str], list[Mention]] = {}
        for em in (em for mentions in site.data.mentions.values() for em in mentions):
            by_pair.setdefault((em.mention.entity_id, em.document.id), []).append(em.mention)
        documents = {doc.id: doc for doc in site.data.documents}
        for (entity, doc_id), mentions in by_pair.items():
            html[entity, doc_id] = text = mention_group(views[doc_id], mentions, ENTITY_ROOT)
            digest = hashlib.blake2b(text.encode()).hexdigest()[:15]
            made.setdefault(entity, []).append(MentionGroup(documents[doc_id], len(mentions), digest, ""))
        site.cache["mention-groups"] = made
        site.cache["mention-html"] = html
    return made.get(entity_id, [])


class MentionGroups(Sequence[DocumentMentions]):
    """An entity's mention groups for its page, their HTML fetched from the build cache a few hundred at a time as
    the template goes through them (the page of an entity named in 10,000 documents is never held whole)."""

    BATCH = 500

    def __init__(
        self, site: Site, entity_id: str, groups: list[MentionGroup], views: DocumentViews, deeper: bool = False
    ):
        self.site = site
        self.entity_id = entity_id
        self.groups = groups
        self.views = views
        self.deeper = deeper  # on a page one folder below the entity's first (persons/stalin/2/)

    def __len__(self) -> int:
        return len(self.groups)

    def __getitem__(self, index: int) -> DocumentMentions:  # type: ignore[override]
        return next(iter(self._batch(self.groups[index : index + 1])))

    def __iter__(self) -> Iterator[DocumentMentions]:
        for start in range(0, len(self.groups), self.BATCH):
            yield from self._batch(self.groups[start : start + self.BATCH])

    def _batch(self, groups: list[MentionGroup]) -> list[DocumentMentions]:
        found = _groups_html(self.site, self.entity_id, groups)
        if self.deeper:  # the groups' links were made for the first page's folder (ENTITY_ROOT): one more step up
            found = [Markup(str(html).replace(_LINK_FROM_ENTITY, _LINK_FROM_PART)) for html in found]
        ids = [g.document.id for g in groups]
        return [DocumentMentions(doc_id, html, g.count, self.views, ids) for doc_id, g, html in zip(ids, groups, found)]


def _groups_html(site: Site, entity_id: str, groups: list[MentionGroup]) -> list[Markup]:
    """The mention groups' HTML: from the build cache, or made in this process."""
    if all(not g.source for g in groups):
        made: dict[tuple[str, str], str] = site.cache["mention-html"] if groups else {}
        return [Markup(made[entity_id, g.document.id]) for g in groups]
    keys = [fragment_key(g.source, entity_id) for g in groups]
    found = site.store.get_many(keys) if site.store is not None else {}
    if len(found) < len(set(keys)):
        raise BuildError("the build cache lost the passages of a register page: build again with --clean")
    return [Markup(found[key].decode("utf-8")) for key in keys]


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
        site.page(
            "register_index.html",
            RegisterIndexPage(
                **site.base(folder(section), label, section, f"{label} in {site.info.title}"),
                kind=kind,
                label=label,
                groups=list(groups.items()),
                total=len(entries),
            ),
        )
        for entry in entries:
            _render_entity(site, entry, label, views)


def _render_entity(site: Site, entry: EntityEntry, label: str, views: DocumentViews) -> None:
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
    shared = value_digest((entry, label, authorities, geo, description))  # what all the entity's pages show
    for path, part, paging in paged(groups, DOCUMENTS_PER_PAGE, entry.folder):
        title = (
            entity.name
            if paging is None or paging.number == 1
            else f"{entity.name} (documents {paging.first}–{paging.last})"
        )
        # The passages were written out as HTML, a group per document, where the documents were read: the page's
        # hash is taken over its groups' hashes and their documents' digests (joined as bytes rather than pickled
        # one by one), and the groups are fetched only when the page is rendered.
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
                documents=MentionGroups(site, entity.id, part, views, deeper=path != entry.folder),
                pagination=paging,
            )

        site.page_from("entity.html", path, deps, make)


ENTITY_ROOT = "../../"  # from an entity's page (persons/<id>/) to the site's root
_LINK_FROM_ENTITY = f'href="{ENTITY_ROOT}'  # how every link of a group begins (see mention_group)
_LINK_FROM_PART = f'href="../{ENTITY_ROOT}'  # the same links from persons/<id>/<n>/
_GROUP_START = (
    '    <section class="mention-group" aria-labelledby="in-{id}">\n'
    '      <h3 id="in-{id}"><a href="{href}">{title}</a> <span class="mention-date">{date}</span></h3>\n'
    '      <ol class="passages">\n'
)
_PASSAGE = (
    '        <li><a class="passage" href="{}"><span class="passage-snippet">{}<mark>{}</mark>{}</span></a></li>\n'
)
_GROUP_END = "      </ol>\n    </section>"  # the template adds the line break


def _escape(text: str) -> str:
    """HTML-escape text exactly as markupsafe does, without making a Markup object of every piece."""
    return (
        text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;").replace('"', "&#34;")
    )


def mention_group(doc: DocumentView | Heading, mentions: list[Mention], root: str) -> Markup:
    """A document's passages on an entity page as HTML: a section headed by the document, a list of snippets."""
    if doc.date_attr:
        date = f'<time datetime="{_escape(doc.date_attr)}">{_escape(doc.date_display)}</time>'
    elif doc.date_display:
        date = _escape(doc.date_display)
    else:
        date = '<span class="undated">undated</span>'
    head = _GROUP_START.format(id=_escape(doc.id), href=_escape(root + doc.folder), title=_escape(doc.title), date=date)
    # The passages are joined as plain text with control characters where the markup goes (XML text cannot hold
    # them), escaped in one go, and the markup put in: far fewer steps than escaping every piece on its own.
    href = f"{root}{doc.folder}#"
    pieces = []
    for m in mentions:
        snippet, text = m.snippet, m.text
        at = snippet.find(text) if text else -1
        if at < 0:
            pieces.append(f"\x01{href}{m.anchor}\x02{snippet}\x03\x04\x05")
        else:
            pieces.append(f"\x01{href}{m.anchor}\x02{snippet[:at]}\x03{text}\x04{snippet[at + len(text) :]}\x05")
    raw = "".join(pieces)
    if any(raw.count(marker) != len(mentions) for marker, _ in _MARKUP):  # control characters (XML 1.1) in a text
        body = "".join(_PASSAGE.format(*(_escape(x) for x in _split(href, m))) for m in mentions)
    else:
        body = _escape(raw)
        for marker, markup in _MARKUP:
            body = body.replace(marker, markup)
    return Markup(head + body + _GROUP_END)


_MARKUP = (
    ("\x01", '        <li><a class="passage" href="'),
    ("\x02", '"><span class="passage-snippet">'),
    ("\x03", "<mark>"),
    ("\x04", "</mark>"),
    ("\x05", "</span></a></li>\n"),
)


def _split(href: str, mention: Mention) -> tuple[str, str, str, str]:
    before, match, after = split_snippet(mention.snippet, mention.text)
    return href + mention.anchor, before, match, after
