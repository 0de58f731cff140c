"""The edition's other pages and files: assets, the about page, the search page and the sitemap."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from xml.etree import ElementTree

from tei_edition.build.site.context import PageContext, Site, folder
from tei_edition.build.site.documents import DocumentView, document_views
from tei_edition.build.site.downloads import edition_slug
from tei_edition.build.writer import safe_segment

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
    return Path(str(resources.files("tei_edition") / "templates" / "assets"))


def copy_assets(site: Site) -> None:
    """Copy the package's assets (the edition's own templates/assets/ win by name) and the edition's extra CSS."""
    chosen: dict[str, Path] = {p.name: p for p in sorted(package_assets().iterdir()) if p.is_file()}
    own = site.data.config.templates_dir
    if own is not None and (own / "assets").is_dir():
        chosen.update({p.name: p for p in sorted((own / "assets").iterdir()) if p.is_file()})
    for name, path in sorted(chosen.items()):
        site.out.copy_file(f"assets/{safe_segment(name)}", path)
    stylesheets = [f"assets/{name}" for name in CORE_STYLESHEETS if name in chosen]
    for css in site.data.config.extra_css:
        rel = f"assets/extra/{safe_segment(css.name)}"
        site.out.copy_file(rel, css)
        stylesheets.append(rel)
    site.info = dataclasses.replace(site.info, stylesheets=tuple(stylesheets))


def render_about(site: Site) -> None:
    """Write the about page: the introduction and the editorial principles from the documents' encodingDesc."""
    views = document_views(site)
    grouped: dict[tuple[str, str], list[DocumentView]] = {}
    listed: set[tuple[str, str, str]] = set()  # (heading, text, document id): a set, not `in` on long lists
    for view in views.values():
        for heading, text in view.meta.editorial:
            docs = grouped.setdefault((heading, text), [])
            if (heading, text, view.id) not in listed:
                listed.add((heading, text, view.id))
                docs.append(view)
    principles = [Principle(_heading(heading), text, tuple(docs), len(docs) == len(views))
                  for (heading, text), docs in grouped.items()]
    principles.sort(key=lambda p: (not p.everywhere, p.heading, -len(p.documents)))
    intro = [p.strip() for p in site.data.config.introduction.split("\n\n") if p.strip()]
    site.page("about.html", AboutPage(
        **site.base(folder("about"), "About this edition", "about", f"Editorial principles of {site.info.title}"),
        introduction=intro, principles=principles, document_count=len(views),
        archive_href=f"downloads/{edition_slug(site.info.title)}-tei.zip"))


def _heading(element: str) -> str:
    """A readable heading for an editorialDecl part: 'normalization' -> 'Normalization'."""
    return {"": "General", "correction": "Corrections", "normalization": "Normalisation",
            "hyphenation": "Hyphenation", "quotation": "Quotation", "segmentation": "Segmentation",
            "interpretation": "Interpretation", "punctuation": "Punctuation",
            "stdVals": "Standard values"}.get(element, element[:1].upper() + element[1:])


def render_search_page(site: Site) -> None:
    """Write the search page (its script loads the Pagefind index)."""
    site.page("search.html", SearchPage(**site.base(folder("search"), "Search", "search",
                                                    f"Search the texts of {site.info.title}")))


def write_sitemap(site: Site) -> None:
    """Write sitemap.xml: absolute URLs from base_url when the edition has one, else paths from the site root."""
    ElementTree.register_namespace("", SITEMAP_NS)
    urlset = ElementTree.Element(f"{{{SITEMAP_NS}}}urlset")
    for path in sorted(site.pages):
        url = ElementTree.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        ElementTree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = site.info.absolute(path) or path or "./"
    ElementTree.indent(urlset)
    xml = ElementTree.tostring(urlset, encoding="unicode", xml_declaration=False)
    site.out.write_text("sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n' + xml + "\n")
