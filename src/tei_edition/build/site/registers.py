"""Register pages: an alphabetical index per register and a page per person, place and organisation."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from markupsafe import Markup, escape

from tei_edition.build.site.context import PageContext, Site, folder, safe_url, split_snippet
from tei_edition.build.site.documents import DocumentView, document_views
from tei_edition.tei.model import KINDS, Entity, Mention, Name, authority_url

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


class DocumentMentions:
    """The passages of one document that mention an entity: `html` is the group as entity.html shows it."""

    def __init__(self, doc: DocumentView, mentions: list[Mention], root: str):
        self.doc = doc
        self.mentions = mentions
        self.root = root

    @property
    def passages(self) -> tuple[Passage, ...]:
        """The passages one by one, for templates that lay them out themselves."""
        href = f"{self.root}{self.doc.folder}#"
        return tuple(Passage(m.anchor, href + m.anchor, *split_snippet(m.snippet, m.text)) for m in self.mentions)

    @property
    def html(self) -> Markup:
        """The group as HTML: what entity.html's loop over `passages` would write, made without a template."""
        return mention_group(self.doc, self.mentions, self.root)


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
    root = site.base(entry.folder, "", "")["root"]
    # A frequent entity is mentioned in thousands of passages. The page's hash is taken over their plain text (the
    # documents stand in by their views' digests), and they are written out as HTML by Python rather than by a
    # template loop, only when the page is rendered.
    by_doc: dict[str, list[Mention]] = {}
    passages = hashlib.blake2b(digest_size=20)
    for em in mentions:
        m = em.mention
        by_doc.setdefault(em.document.id, []).append(m)
        passages.update(f"{em.document.id}\0{m.anchor}\0{m.text}\0{m.snippet}\n".encode("utf-8"))
    deps = site.inputs_hash("entity.html", (site.info, entry, label, authorities, geo, description, root,
                                            [views[doc_id] for doc_id in by_doc], passages.hexdigest()))

    def make() -> EntityPage:
        documents = [DocumentMentions(views[doc_id], group, root) for doc_id, group in by_doc.items()]
        return EntityPage(
            **site.base(entry.folder, entity.name, entity.section, description),
            entry=entry, kind_label=label, index_href="../", authorities=authorities, geo=geo,
            documents=documents)

    site.page_from("entity.html", entry.folder, deps, make)


_GROUP_START = ('    <section class="mention-group" aria-labelledby="in-{id}">\n'
                '      <h3 id="in-{id}"><a href="{href}">{title}</a> <span class="mention-date">{date}</span></h3>\n'
                '      <ol class="passages">\n')
_PASSAGE = ('        <li><a class="passage" href="{}"><span class="passage-snippet">{}<mark>{}</mark>{}</span></a></li>'
            '\n')
_GROUP_END = "      </ol>\n    </section>"  # the template adds the line break


def _escape(text: str) -> str:
    """HTML-escape text exactly as markupsafe does, without making a Markup object of every piece."""
    return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;") \
        .replace('"', "&#34;")


def mention_group(doc: DocumentView, mentions: list[Mention], root: str) -> Markup:
    """A document's passages on an entity page as HTML: a section headed by the document, a list of snippets."""
    if doc.date_attr:
        date = f'<time datetime="{_escape(doc.date_attr)}">{_escape(doc.date_display)}</time>'
    elif doc.date_display:
        date = _escape(doc.date_display)
    else:
        date = '<span class="undated">undated</span>'
    head = _GROUP_START.format(id=_escape(doc.id), href=_escape(root + doc.folder), title=_escape(doc.title),
                               date=date)
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
            pieces.append(f"\x01{href}{m.anchor}\x02{snippet[:at]}\x03{text}\x04{snippet[at + len(text):]}\x05")
    raw = "".join(pieces)
    if any(raw.count(marker) != len(mentions) for marker, _ in _MARKUP):  # control characters (XML 1.1) in a text
        body = "".join(_PASSAGE.format(*(_escape(x) for x in _split(href, m))) for m in mentions)
    else:
        body = _escape(raw)
        for marker, markup in _MARKUP:
            body = body.replace(marker, markup)
    return Markup(head + body + _GROUP_END)


_MARKUP = (("\x01", '        <li><a class="passage" href="'), ("\x02", '"><span class="passage-snippet">'),
           ("\x03", "<mark>"), ("\x04", "</mark>"), ("\x05", "</span></a></li>\n"))


def _split(href: str, mention: Mention) -> tuple[str, str, str, str]:
    before, match, after = split_snippet(mention.snippet, mention.text)
    return href + mention.anchor, before, match, after
