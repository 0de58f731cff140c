"""Search records per language for parallel texts.

Pagefind gives a page one language, its <html lang>, and splits its index by that language; the edition's search
page loads the index of its own language only (and an index merged from another bundle is still read with the
search page's language module). So the edition keeps one index (forced to the edition's language, web/search.py)
in which each version of a parallel text is a record of its own, declared in its own language:

- on the document page, the versions in a language other than the document's are marked data-pagefind-ignore
  (xslt/parallel.xsl, data-ed-version), so the page's record holds the document's own language only;
- each such version gets a page of its own, documents/<id>/versions/<lang>/, with <html lang> set to the version's
  language and the version's text as its Pagefind body; a search result for its words leads there, and the page
  leads on to the document. It lies in the document's folder, so it falls in the document's search shard.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import lxml.html
from lxml import etree
from markupsafe import Markup

from tei_edition.output.paths import folder
from tei_edition.tei.model import Document
from tei_edition.web.context import PageContext, Site
from tei_edition.web.views import DocumentView, document_views

VERSIONS_FOLDER = "versions/"  # inside the document's folder
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


@dataclass(frozen=True)
class Version:
    """A version of a document's text in one language: its language code and name, and its HTML."""

    lang: str
    label: str
    html: str


class VersionPage(PageContext):
    """The context of a version's page."""

    doc: DocumentView
    version: Version
    version_html: Markup


def language_folder(lang: str) -> str:
    """The folder name of a language tag: its letters, digits and hyphens."""
    return re.sub(r"[^A-Za-z0-9\-]+", "-", lang).strip("-") or "x"


def versions_of(body: str) -> list[Version]:
    """The versions of a transformed text that are in a language other than the document's, in order."""
    if "data-ed-version" not in body:
        return []
    wrapper = lxml.html.fragment_fromstring(body, create_parent="div")
    found: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    for cell in wrapper.iter():
        lang = cell.get("data-ed-version") if isinstance(cell.tag, str) else None
        if not lang:
            continue
        _rebase_links(cell)
        inner = (cell.text or "") + "".join(etree.tostring(child, encoding="unicode", method="html") for child in cell)
        found.setdefault(lang, []).append(inner)
        labels.setdefault(lang, cell.get("aria-label") or lang)
    return [Version(lang, labels[lang], "\n".join(parts)) for lang, parts in found.items()]


def _rebase_links(cell: etree._Element) -> None:
    """Relative links written for the document's page, made to work two folders deeper (and '#x' to lead to the
    document's page, which holds x)."""
    for el in cell.iter():
        for name in ("href", "src"):
            value = el.get(name) if isinstance(el.tag, str) else None
            if value is None or value.startswith("/") or _SCHEME.match(value):
                continue
            el.set(name, "../../" + value)


def render_versions(site: Site, bodies: Mapping[str, str], documents: Iterable[Document]) -> None:
    """Write a page for each version of a parallel text in a language other than its document's."""
    views = document_views(site)
    for doc in documents:
        body = bodies.get(doc.id, "")
        if "data-ed-version" not in body:
            continue
        for version in versions_of(body):
            path = folder("documents", doc.id) + VERSIONS_FOLDER + language_folder(version.lang) + "/"
            deps = site.inputs_hash("version.html", (site.info, views.digest(doc.id), version))

            def make(doc: Document = doc, path: str = path, version: Version = version) -> VersionPage:
                view = views[doc.id]
                return VersionPage(
                    **site.base(path, f"{view.title} ({version.label})", "documents", view.meta.summary or view.title),
                    doc=view,
                    version=version,
                    version_html=Markup(version.html),
                )

            site.page_from("version.html", path, deps, make)
