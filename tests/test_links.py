"""Every internal link and anchor of the built sites resolves: to a file, and with a #fragment to an element id."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import html

from test_site import FIXTURE, build_site, pages

REPO = Path(__file__).resolve().parents[1]
LINK_ATTRIBUTES = ("href", "src")
EDITIONS = {"fixture": FIXTURE, "sample": REPO}


def has_documents(edition: Path) -> bool:
    """True when the edition has at least one document to build."""
    return any((edition / "tei" / "documents").glob("*.xml"))


@pytest.fixture(scope="module", params=sorted(EDITIONS))
def site(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    edition = EDITIONS[request.param]
    if not has_documents(edition):
        pytest.skip(f"the {request.param} edition has no documents yet")
    return build_site(edition, tmp_path_factory.mktemp(request.param) / "html")


def internal_links(page: Path, tree: html.HtmlElement) -> list[tuple[int, str]]:
    """(line, url) of every link in the page that stays inside the site."""
    out = []
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in LINK_ATTRIBUTES:
            value = el.get(attr)
            if value is None:
                continue
            parts = urlsplit(value)
            if parts.scheme or parts.netloc:
                continue
            out.append((el.sourceline or 0, value))
    return out


def resolve(site: Path, page: Path, url: str) -> tuple[Path, str]:
    """The file a relative link from `page` leads to, and its fragment."""
    parts = urlsplit(url)
    target = page.parent if not parts.path else (page.parent / unquote(parts.path))
    if not parts.path or parts.path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target.resolve(), unquote(parts.fragment)


def ids_of(path: Path, cache: dict[Path, set[str]]) -> set[str]:
    """The ids of an HTML file's elements."""
    if path not in cache:
        tree = html.fromstring(path.read_bytes())
        cache[path] = {el.get("id") for el in tree.iter() if isinstance(el.tag, str) and el.get("id")}
    return cache[path]


def broken_links(site: Path) -> tuple[list[str], int]:
    """Every internal link or anchor of a built site that leads nowhere, and how many links were checked."""
    broken: list[str] = []
    cache: dict[Path, set[str]] = {}
    checked = 0
    root = site.resolve()
    for page in pages(site):
        tree = html.fromstring(page.read_bytes())
        for line, url in internal_links(page, tree):
            checked += 1
            target, fragment = resolve(site, page, url)
            where = f"{page.relative_to(site)}:{line}: {url}"
            if not target.is_relative_to(root):
                broken.append(f"{where} leaves the site")
            elif not target.is_file():
                broken.append(f"{where} -> no file {target.relative_to(root)}")
            elif fragment and target.suffix == ".html" and fragment not in ids_of(target, cache):
                broken.append(f"{where} -> no id {fragment!r} in {target.relative_to(root)}")
    return broken, checked


def test_every_internal_link_and_anchor_resolves(site: Path) -> None:
    broken, checked = broken_links(site)
    assert broken == []
    assert checked > 100


def test_ids_are_unique_on_every_page(site: Path) -> None:
    duplicates = {}
    for page in pages(site):
        tree = html.fromstring(page.read_bytes())
        counts = Counter(el.get("id") for el in tree.iter() if isinstance(el.tag, str) and el.get("id"))
        repeated = sorted(i for i, n in counts.items() if n > 1)
        if repeated:
            duplicates[page.relative_to(site).as_posix()] = repeated
    assert duplicates == {}


def test_every_register_mention_points_into_a_document(site: Path) -> None:
    for register in ("persons", "places", "orgs"):
        for page in sorted((site / register).glob("*/index.html")):
            tree = html.fromstring(page.read_bytes())
            for a in tree.xpath("//a[contains(@class, 'passage')]"):
                target, fragment = resolve(site, page, a.get("href"))
                assert target.parent.parent.name == "documents" and fragment, a.get("href")
