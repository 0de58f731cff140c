"""The edition's other pages and files: assets, the about page, the search page and the sitemap."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from html import escape
from pathlib import Path

from tei_edition.output.paths import archive_href, asset_path, extra_css_path, folder
from tei_edition.transform.jinja import package_templates
from tei_edition.web.context import PageContext, Site
from tei_edition.web.views import DocumentView, document_views

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# Stylesheets in the order pages link them; text.css styles the transformed text and may be absent.
CORE_STYLESHEETS = ("site.css", "text.css")


@dataclass(frozen=True)
class Principle:
    """One paragraph of the editorial declarations and the documents it comes from."""

    heading: str
    text: str
    documents: tuple[DocumentView, ...]
    everywhere: bool


class AboutPage(PageContext):
    """The context of the about page."""

    introduction: list[str]
    principles: list[Principle]
    document_count: int
    archive_href: str


class SearchPage(PageContext):
    """The context of the search page."""


def package_assets() -> Path:
    """The folder of the static files shipped with the package."""
    return package_templates() / "assets"


def copy_assets(site: Site) -> None:
    """Copy the package's assets (the edition's own templates/assets/ win by name) and the edition's extra CSS."""
    chosen: dict[str, Path] = {p.name: p for p in sorted(package_assets().iterdir()) if p.is_file()}
    own = site.data.config.templates_dir
    if own is not None and (own / "assets").is_dir():
        chosen.update({p.name: p for p in sorted((own / "assets").iterdir()) if p.is_file()})
    for name, path in sorted(chosen.items()):
        site.out.copy_file(asset_path(name), path)
    stylesheets = [f"assets/{name}" for name in CORE_STYLESHEETS if name in chosen]
    for css in site.data.config.extra_css:
        rel = extra_css_path(css.name)
        site.out.copy_file(rel, css)
        stylesheets.append(rel)
    site.info = dataclasses.replace(site.info, stylesheets=tuple(stylesheets))


def render_about(site: Site) -> None:
    """Write the about page: the introduction and the editorial principles from the documents' encodingDesc."""
    views = document_views(site)
    grouped: dict[tuple[str, str], list[str]] = {}  # (heading, text) -> ids of the documents that state it
    listed: set[tuple[str, str, str]] = set()  # (heading, text, document id): a set, not `in` on long lists
    for doc_id in views:
        for heading, text in views.meta(doc_id).editorial:
            docs = grouped.setdefault((heading, text), [])
            if (heading, text, doc_id) not in listed:
                listed.add((heading, text, doc_id))
                docs.append(doc_id)
    stated = [(_heading(heading), text, docs, len(docs) == len(views)) for (heading, text), docs in grouped.items()]
    stated.sort(key=lambda p: (not p[3], p[0], -len(p[2])))
    intro = [p.strip() for p in site.data.config.introduction.split("\n\n") if p.strip()]
    base = site.base(folder("about"), "About this edition", "about", f"Editorial principles of {site.info.title}")
    archive = archive_href(site.info.title)
    # The documents' views stand in the page's hash by their digests, and are read only if it is rendered.
    deps = site.inputs_hash(
        "about.html",
        (
            base,
            intro,
            len(views),
            archive,
            [
                (heading, text, b"".join(views.digest(d) for d in docs), everywhere)
                for heading, text, docs, everywhere in stated
            ],
        ),
    )

    def make() -> AboutPage:
        views.load(doc_id for _h, _t, docs, _e in stated for doc_id in docs)
        principles = [
            Principle(heading, text, tuple(views[d] for d in docs), everywhere)
            for heading, text, docs, everywhere in stated
        ]
        return AboutPage(
            **base, introduction=intro, principles=principles, document_count=len(views), archive_href=archive
        )

    site.page_from("about.html", base["path"], deps, make)


def _heading(element: str) -> str:
    """A readable heading for an editorialDecl part: 'normalization' -> 'Normalization'."""
    return {
        "": "General",
        "correction": "Corrections",
        "normalization": "Normalisation",
        "hyphenation": "Hyphenation",
        "quotation": "Quotation",
        "segmentation": "Segmentation",
        "interpretation": "Interpretation",
        "punctuation": "Punctuation",
        "stdVals": "Standard values",
    }.get(element, element[:1].upper() + element[1:])


def render_search_page(site: Site) -> None:
    """Write the search page (its script loads the Pagefind index)."""
    site.page(
        "search.html",
        SearchPage(**site.base(folder("search"), "Search", "search", f"Search the texts of {site.info.title}")),
    )


def write_sitemap(site: Site) -> None:
    """Write sitemap.xml: absolute URLs from base_url when the edition has one, else paths from the site root."""
    locations = [site.info.absolute(path) or path or "./" for path in sorted(site.pages)]
    site.file_from("sitemap.xml", site.inputs_hash("sitemap.xml", locations), lambda: sitemap_xml(locations))


def sitemap_xml(locations: list[str]) -> str:
    """The sitemap of these URLs, indented by two spaces per level."""
    if not locations:
        return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}" />\n'
    urls = "".join(f"  <url>\n    <loc>{escape(loc, quote=False)}</loc>\n  </url>\n" for loc in locations)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">\n{urls}</urlset>\n'
