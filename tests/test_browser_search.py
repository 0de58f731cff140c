"""Search over an index in several shards, in a real browser: every shard is merged into the results and filters."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_browser import CHROMIUM, browser, served, watch_console  # noqa: F401 - browser is a fixture

pytest.importorskip("tei_edition.validate.relaxng")
playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")

from tei_edition.config import load_config  # noqa: E402
from tei_edition.pipeline import BuildOptions, build_edition  # noqa: E402
from tei_edition.web import search  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DOCUMENTS = 12
SHARDS = 3


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated edition of twelve documents, its search index in three shards, built."""
    sys.path.insert(0, str(REPO / "bench"))
    from make_corpus import make_corpus

    root = tmp_path_factory.mktemp("shards")
    config = make_corpus(DOCUMENTS, root / "edition")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1700000000")
        patch.setattr(search, "shard_count", lambda documents: SHARDS)
        build_edition(load_config(config), BuildOptions(pdf=False, jobs=1))
    return root / "edition" / "build" / "html"


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    with served(site.parent) as url:
        yield f"{url}{site.name}/"


def documents_by_shard() -> dict[int, list[str]]:
    """The generated documents' ids, by shard."""
    out: dict[int, list[str]] = {}
    for i in range(DOCUMENTS):
        doc = f"doc-{i:05d}"
        out.setdefault(search.shard_of(doc, SHARDS), []).append(doc)
    return out


def test_search_finds_a_document_in_every_shard(browser: object, base_url: str, site: Path) -> None:  # noqa: F811
    shards = json.loads((site / "pagefind" / "shards.json").read_text())["shards"]
    assert shards == ["shard-1/", "shard-2/"]
    page = browser.new_page()
    errors = watch_console(page)
    page.goto(base_url + "search/")
    expect(page.locator("#search-status")).to_contain_text("Ready")
    for shard, docs in sorted(documents_by_shard().items()):
        doc = docs[0]
        page.fill("#search-input", doc)
        page.press("#search-input", "Enter")
        expect(page.locator(f"#search-results a.result-title[href*='/documents/{doc}/']")).to_have_count(1)
        href = page.locator(f"#search-results a.result-title[href*='/documents/{doc}/']").get_attribute("href")
        assert href.startswith(f"/{site.name}/documents/"), (shard, href)
    # A word every document has: all twelve are found, from the three shards together.
    page.fill("#search-input", "the")
    page.press("#search-input", "Enter")
    expect(page.locator("#search-status")).to_contain_text(f"{DOCUMENTS} documents found")
    # The filters count the documents of every shard.
    counts = page.locator("#search-filters .filter-count[data-filter='type']").all_text_contents()
    assert sum(int(c) for c in counts) == DOCUMENTS
    page.close()
    assert errors == []


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample edition (the repository's own), built with its search index and served."""
    from test_site import build_site

    root = tmp_path_factory.mktemp("sample")
    build_site(REPO, root / "edition")
    with served(root) as url:
        yield f"{url}edition/"


def search_for(page: object, words: str) -> list[str]:
    """The folders of the documents a search finds, in the order of the results."""
    # Start from an empty search, so that "found" below is this search's status, not the previous one's.
    page.fill("#search-input", "")
    page.press("#search-input", "Enter")
    expect(page.locator("#search-status")).not_to_contain_text("found")
    page.fill("#search-input", words)
    page.press("#search-input", "Enter")
    expect(page.locator("#search-status")).to_contain_text("found")
    hrefs = page.locator("#search-results a.result-title").evaluate_all("links => links.map(a => a.href)")
    return [href.split("/documents/")[1].split("/")[0] for href in hrefs]


def test_names_in_original_scripts_find_the_documents_that_mention_the_entry(
    browser: object,  # noqa: F811
    sample_url: str,
) -> None:
    page = browser.new_page()
    errors = watch_console(page)
    page.goto(sample_url + "search/")
    expect(page.locator("#search-status")).to_contain_text("Ready")
    # The persons register gives Stalin's name in Russian, the places register Kaesong's in Korean: the texts say
    # "Stalin" and "Kaesong" only.
    assert sorted(search_for(page, "Сталин")) == [
        "1945-07-harriman-truman",
        "1998-westad-brothers-in-arms-101-103",
        "2018-04-weathersby-division-of-korea",
    ]
    assert search_for(page, "개성") == ["1998-westad-brothers-in-arms-101-103"]
    page.close()
    assert errors == []


def test_excerpts_begin_at_the_hit_without_note_numbers_and_dates_are_the_sites(
    browser: object,  # noqa: F811
    sample_url: str,
) -> None:
    page = browser.new_page()
    errors = watch_console(page)
    page.goto(sample_url + "search/")
    expect(page.locator("#search-status")).to_contain_text("Ready")
    assert search_for(page, "Kaesong") == ["1998-westad-brothers-in-arms-101-103"]
    excerpt = page.locator("#search-results .result-excerpt").first
    first = excerpt.evaluate("p => p.firstChild.nodeName === 'MARK' ? p.firstChild.textContent : p.textContent")
    assert first.startswith(("Kaesong", "…")), first
    assert excerpt.evaluate("p => p.querySelector('mark') !== null")
    # The source's note numbers (41 follows "Kaesong." in the text) are not part of the index.
    assert not re.search(r"\b4[0-8]\b", excerpt.text_content()), excerpt.text_content()
    search_for(page, "Harriman telegram")
    metas = page.locator("#search-results .result-meta").all_text_contents()
    assert "3 July 1945 · telegram" in metas, metas
    page.close()
    assert errors == []
