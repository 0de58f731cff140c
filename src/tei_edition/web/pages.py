"""The edition's other pages and files: assets, the About page, the search page and the sitemap."""

from __future__ import annotations

import dataclasses
from html import escape
from pathlib import Path

from tei_edition.output.paths import archive_href, asset_path, extra_css_path, folder
from tei_edition.transform.jinja import package_templates
from tei_edition.web.about import AboutSection, about_text
from tei_edition.web.context import PageContext, Site, SiteInfo, join_names
from tei_edition.web.downloads import PdfFile, edition_pdfs

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
# Stylesheets in the order pages link them; text.css styles the transformed text and may be absent.
CORE_STYLESHEETS = ("site.css", "text.css")


class AboutPage(PageContext):
    """The context of the about page."""

    introduction: list[str]
    sections: list[AboutSection]  # the editors' text ([edition] about), section by section
    edition_citation: str  # how to cite the whole edition, when the editors' text does not say it ('' when it does)
    document_count: int
    archive_href: str
    pdfs: list[PdfFile]


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
    """Write the About page: the introduction and the editors' statement of method, how to cite the edition."""
    about = about_text(site)
    intro = [p.strip() for p in site.data.config.introduction.split("\n\n") if p.strip()]
    base = site.base(
        folder("about"), "About this edition", "about", f"How {site.info.title} is made and how to cite it"
    )
    site.page(
        "about.html",
        AboutPage(
            **base,
            introduction=intro,
            sections=list(about.sections),
            edition_citation="" if about.cites else edition_citation(site.info),
            document_count=len(site.data.documents),
            archive_href=archive_href(site.info.title),
            pdfs=edition_pdfs(site),
        ),
    )


def edition_citation(info: SiteInfo) -> str:
    """How to cite the whole edition (Chicago bibliography style), from edition.toml."""
    editors = f"{join_names(info.editors)}, ed{'s' if len(info.editors) > 1 else ''}. " if info.editors else ""
    version = f" Version {info.version}." if info.version else ""
    publication = ", ".join(p for p in (info.publisher, str(info.build_date.year)) if p)
    url = f" {info.base_url}." if info.base_url else ""
    return f"{editors}{info.title}.{version} {publication}.{url}".replace("..", ".")


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
