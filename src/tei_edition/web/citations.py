"""How to cite a document of the edition: a Chicago note, BibTeX and CSL-JSON."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from markupsafe import Markup

from tei_edition.tei.dates import MONTHS
from tei_edition.web.context import SiteInfo, join_names

if TYPE_CHECKING:
    from tei_edition.web.views import DocumentView

_BIBTEX_SPECIAL = re.compile(r"([\\{}%&#$_~^])")


@dataclass(frozen=True)
class Citation:
    """A document's citation in the forms the page offers."""

    chicago: Markup  # with the edition's title in italics
    chicago_text: str
    bibtex: str
    csl_json: str


def _us_date(iso: str) -> str:
    year, month, day = (int(x) for x in iso.split("-"))
    return f"{MONTHS[month - 1]} {day}, {year}"


def _creators(view: DocumentView) -> list[str]:
    meta = view.meta
    if meta.authors:
        return [a.name for a in meta.authors if a.name]
    return [p.name for p in meta.senders if p.name]


def cite_document(site: SiteInfo, view: DocumentView) -> Citation:
    """The citation of a document page: Chicago notes-bibliography style, BibTeX and CSL-JSON."""
    url = site.absolute(view.folder)
    year = str(site.build_date.year)
    creators = _creators(view)
    title = view.title
    quoted = f"“{title},”" if not title.endswith(("?", "!")) else f"“{title}”"
    editors = f", ed. {join_names(site.editors)}" if site.editors else ""
    version = f", version {site.version}" if site.version else ""
    publication = ", ".join(p for p in (site.publisher, year) if p)
    tail = f"{url}, accessed {_us_date(site.build_iso)}." if url else f"accessed {_us_date(site.build_iso)}."
    lead = f"{join_names(creators)}, " if creators else ""
    chicago = Markup("{lead}{quoted} in <i>{edition}</i>{editors}{version} ({publication}), {tail}").format(
        lead=lead,
        quoted=quoted,
        edition=site.title,
        editors=editors,
        version=version,
        publication=publication,
        tail=tail,
    )
    chicago_text = f"{lead}{quoted} in {site.title}{editors}{version} ({publication}), {tail}"
    return Citation(
        chicago=chicago,
        chicago_text=chicago_text,
        bibtex=_bibtex(site, view, creators, url),
        csl_json=_csl_json(site, view, creators, url),
    )


def _bib(value: str) -> str:
    return _BIBTEX_SPECIAL.sub(r"\\\1", value)


def _bibtex(site: SiteInfo, view: DocumentView, creators: list[str], url: str) -> str:
    key = re.sub(r"[^A-Za-z0-9]+", "-", view.id).strip("-") or "document"
    fields: list[tuple[str, str]] = []
    if creators:
        fields.append(("author", " and ".join("{" + _bib(c) + "}" for c in creators)))
    fields.append(("title", "{" + _bib(view.title) + "}"))
    fields.append(("booktitle", _bib(site.title)))
    if site.editors:
        fields.append(("editor", " and ".join("{" + _bib(e) + "}" for e in site.editors)))
    if site.publisher:
        fields.append(("publisher", _bib(site.publisher)))
    fields.append(("year", str(site.build_date.year)))
    if site.version:
        fields.append(("edition", _bib(f"version {site.version}")))
    if url:
        fields.append(("url", url))
    fields.append(("urldate", site.build_iso))
    if view.date_display:
        fields.append(("note", _bib(f"Document dated {view.date_display}")))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@incollection{{{key},\n{body}\n}}\n"


def _date_parts(iso: str) -> list[int]:
    sign = -1 if iso.startswith("-") else 1
    parts = [int(x) for x in iso.lstrip("-").split("-")]
    parts[0] *= sign
    return parts


def _csl_json(site: SiteInfo, view: DocumentView, creators: list[str], url: str) -> str:
    meta = view.meta
    item: dict[str, object] = {
        "id": view.id,
        "type": "manuscript" if (meta.archive is not None or meta.is_correspondence) else "article",
        "title": view.title,
        "container-title": site.title,
        "issued": {"date-parts": [_date_parts(site.build_iso)]},
        "accessed": {"date-parts": [_date_parts(site.build_iso)]},
    }
    if creators:
        item["author"] = [{"literal": c} for c in creators]
    if site.editors:
        item["editor"] = [{"literal": e} for e in site.editors]
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
