"""How to cite a document of the edition: a Chicago note, BibTeX, CSL-JSON, and the meta tags reference managers
read from the page (Highwire Press `citation_*` and Dublin Core, as Zotero's Embedded Metadata translator does).

The build date is the date of the edition's version, never the reader's date of access: the note leaves the access
date to a small script that fills it in when the page is read (assets/accessed.js), and the citation files leave
it out (reference managers add it when they import)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

from markupsafe import Markup, escape

from tei_edition.tei.bibliography import document_citation
from tei_edition.tei.header import Party
from tei_edition.tei.registers import Entity
from tei_edition.web.context import SiteInfo

if TYPE_CHECKING:
    from tei_edition.web.views import DocumentView

_BIBTEX_SPECIAL = re.compile(r"([\\{}%&#$_~^])")
# What the note shows where the reader's date of access goes, until the script puts the date there.
ACCESSED_PLACEHOLDER = "[date of access]"
# Where the HTML citation puts its markup (characters of Unicode's private use area, in no title).
_EDITION_MARK, _ACCESSED_MARK = "\ue000", "\ue001"


@dataclass(frozen=True)
class PersonName:
    """A creator's name as citations need it: family and given names, or one literal name (a body, a role)."""

    display: str  # as the note shows it: 'W. Averell Harriman'
    family: str = ""
    given: str = ""

    @property
    def literal(self) -> bool:
        return not self.family

    @property
    def inverted(self) -> str:
        """'Harriman, W. Averell'; the display form for a literal name."""
        if self.literal:
            return self.display
        return f"{self.family}, {self.given}" if self.given else self.family


@dataclass(frozen=True)
class Citation:
    """A document's citation in the forms the page offers."""

    chicago: Markup  # with the edition's title in italics and the access date left for the script
    chicago_text: str  # the same as plain text, with the placeholder for the access date
    bibtex: str
    csl_json: str
    meta: tuple[tuple[str, str], ...]  # (name, content) of the page's citation_* and DC.* meta tags


def split_name(name: str, ref: str | None = None, entities: Mapping[str, Entity] | None = None) -> PersonName:
    """A person's name in family and given parts: from the register entry it points to (its <surname> and
    <forename>), else the name's last word as the family name. Bodies and descriptions stay literal."""
    entity = (entities or {}).get(ref or "")
    if entity is not None:
        if entity.kind != "person":
            return PersonName(name or entity.name)
        if entity.family:
            return PersonName(name or entity.name, entity.family, entity.given)
    return _last_word_family(name)


def party_name(party: Party, entities: Mapping[str, Entity] | None = None) -> PersonName:
    """The name of an author or sender: its own <surname>/<forename>, else as split_name() finds it."""
    if party.described or party.kind != "person":
        return PersonName(party.name)
    if party.family:
        return PersonName(party.name, party.family, party.given)
    return split_name(party.name, party.ref, entities)


def editor_names(names: tuple[str, ...], entities: Mapping[str, Entity] | None = None) -> list[PersonName]:
    """The editors named in edition.toml: each split as the register entry of that name does (a body stays
    literal), else by its last word."""
    wanted = set(names)
    found = {e.name: e.id for e in (entities or {}).values() if e.name in wanted}
    return [split_name(name, found.get(name), entities) for name in names]


def _last_word_family(name: str) -> PersonName:
    words = name.split()
    if len(words) < 2 or not all(w[:1].isupper() or w[:1] in "'’" for w in words):
        return PersonName(name)  # one word, or words that do not read as a name ('the editors')
    return PersonName(name, words[-1], " ".join(words[:-1]))


def creators(view: DocumentView, entities: Mapping[str, Entity] | None = None) -> list[PersonName]:
    """The document's authors, else its senders."""
    meta = view.meta
    parties = [a for a in meta.authors if a.name] or [p for p in meta.senders if p.name]
    return [party_name(p, entities) for p in parties]


def cite_document(
    site: SiteInfo,
    view: DocumentView,
    entities: Mapping[str, Entity] | None = None,
    pdf_href: str = "",
    editors: list[PersonName] | None = None,
) -> Citation:
    """The citation of a document page: Chicago notes-bibliography style, BibTeX, CSL-JSON and meta tags.
    `pdf_href`: the document's PDF from the site root, '' when the build made none; `editors`: the edition's
    editors as editor_names() gives them (found here when not given)."""
    url = site.absolute(view.folder)
    year = str(site.build_date.year)
    authors = creators(view, entities)
    editors = editor_names(site.editors, entities) if editors is None else editors
    citation = partial(
        document_citation,
        creators=[a.display for a in authors],
        title=view.title,
        editors=site.editors,
        version=site.version,
        publisher=site.publisher,
        year=year,
        url=url,
    )
    chicago_text = citation(edition=site.title, accessed=ACCESSED_PLACEHOLDER)
    # The same sentence as HTML: the edition's title in italic, the date of access for the reader's browser to fill.
    accessed = Markup('<span class="accessed" data-accessed="">{}</span>').format(ACCESSED_PLACEHOLDER)
    chicago = (
        Markup(escape(citation(edition=_EDITION_MARK, accessed=_ACCESSED_MARK)))
        .replace(_EDITION_MARK, Markup("<i>{}</i>").format(site.title))
        .replace(_ACCESSED_MARK, accessed)
    )
    return Citation(
        chicago=chicago,
        chicago_text=chicago_text,
        bibtex=_bibtex(site, view, authors, editors, url),
        csl_json=_csl_json(site, view, authors, editors, url),
        meta=tuple(meta_tags(site, view, authors, editors, pdf_href)),
    )


def meta_tags(
    site: SiteInfo, view: DocumentView, authors: list[PersonName], editors: list[PersonName], pdf_href: str
) -> list[tuple[str, str]]:
    """The Highwire Press and Dublin Core meta tags of a document page: names inverted ('Family, Given'), one tag
    per author; dates as the tags want them (citation_*: YYYY/MM/DD, DC: YYYY-MM-DD); URLs absolute when the
    edition has a base_url (the PDF's otherwise relative to the page)."""
    published = site.build_date.date()
    url = site.absolute(view.folder)
    tags: list[tuple[str, str]] = [("citation_title", view.title)]
    tags += [("citation_author", a.inverted) for a in authors]
    tags += [("citation_editor", e.inverted) for e in editors]
    tags.append(("citation_inbook_title", site.title))
    tags.append(("citation_publication_date", published.strftime("%Y/%m/%d")))
    tags.append(("citation_date", published.strftime("%Y/%m/%d")))
    if site.publisher:
        tags.append(("citation_publisher", site.publisher))
    if view.lang:
        tags.append(("citation_language", view.lang))
    if url:
        tags += [("citation_public_url", url), ("citation_abstract_html_url", url)]
    if pdf_href:
        tags.append(("citation_pdf_url", site.absolute(pdf_href) or "../../" + pdf_href))
    tags.append(("DC.title", view.title))
    tags += [("DC.creator", a.inverted) for a in authors]
    tags += [("DC.contributor", e.inverted) for e in editors]
    tags.append(("DC.date", published.isoformat()))
    if site.publisher:
        tags.append(("DC.publisher", site.publisher))
    tags.append(("DC.identifier", url or view.id))
    tags.append(("DC.type", "Text"))
    tags.append(("DC.format", "text/html"))
    if view.lang:
        tags.append(("DC.language", view.lang))
    if site.licence:
        tags.append(("DC.rights", site.licence))
    if view.meta.summary:
        tags.append(("DC.description", view.meta.summary))
    return tags


def _bib(value: str) -> str:
    return _BIBTEX_SPECIAL.sub(r"\\\1", value)


def _bib_name(name: PersonName) -> str:
    """A BibTeX name: 'Family, Given' (braces keep a family name of several words whole), or a literal name in
    braces (a body, which BibTeX must not split)."""
    if name.literal:
        return "{" + _bib(name.display) + "}"
    family = _bib(name.family)
    family = "{" + family + "}" if " " in family else family
    return f"{family}, {_bib(name.given)}" if name.given else family


def _bibtex(site: SiteInfo, view: DocumentView, authors: list[PersonName], editors: list[PersonName], url: str) -> str:
    key = re.sub(r"[^A-Za-z0-9]+", "-", view.id).strip("-") or "document"
    fields: list[tuple[str, str]] = []
    if authors:
        fields.append(("author", " and ".join(_bib_name(a) for a in authors)))
    fields.append(("title", "{" + _bib(view.title) + "}"))
    fields.append(("booktitle", _bib(site.title)))
    if editors:
        fields.append(("editor", " and ".join(_bib_name(e) for e in editors)))
    if site.publisher:
        fields.append(("publisher", _bib(site.publisher)))
    fields.append(("year", str(site.build_date.year)))
    if site.version:
        fields.append(("edition", _bib(f"version {site.version}")))
    if url:
        fields.append(("url", url))
    if view.date_display:
        fields.append(("note", _bib(f"Document dated {view.date_display}")))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@incollection{{{key},\n{body}\n}}\n"


def _date_parts(iso: str) -> list[int]:
    sign = -1 if iso.startswith("-") else 1
    parts = [int(x) for x in iso.lstrip("-").split("-")]
    parts[0] *= sign
    return parts


def _csl_name(name: PersonName) -> dict[str, str]:
    if name.literal:
        return {"literal": name.display}
    return {"family": name.family, "given": name.given} if name.given else {"family": name.family}


def _csl_json(
    site: SiteInfo, view: DocumentView, authors: list[PersonName], editors: list[PersonName], url: str
) -> str:
    meta = view.meta
    item: dict[str, object] = {
        "id": view.id,
        "type": "manuscript" if (meta.archive is not None or meta.is_correspondence) else "article",
        "title": view.title,
        "container-title": site.title,
        "issued": {"date-parts": [_date_parts(site.build_iso)]},
    }
    if authors:
        item["author"] = [_csl_name(a) for a in authors]
    if editors:
        item["editor"] = [_csl_name(e) for e in editors]
    if meta.translator:
        item["translator"] = [{"literal": meta.translator}]
    if site.publisher:
        item["publisher"] = site.publisher
    if site.version:
        item["version"] = site.version
    if url:
        item["URL"] = url
    if meta.date and meta.date.when:
        item["original-date"] = {"date-parts": [_date_parts(meta.date.when.iso())]}
    if meta.archive is not None:
        item["archive"] = meta.archive.repository or meta.archive.institution
        if meta.archive.idno or meta.archive.collection:
            item["archive_location"] = ", ".join(p for p in (meta.archive.collection, meta.archive.idno) if p)
    if view.lang:
        item["language"] = view.lang
    if meta.summary:
        item["abstract"] = meta.summary
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"
