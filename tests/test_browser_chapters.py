"""A long document's chapters in search: each division's heading is an anchor, and a hit in a chapter is listed
under its document with a link to that chapter (Pagefind's sub-results), as readers of a novel or a volume want."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from test_browser import CHROMIUM, browser, served, watch_console  # noqa: F401 - browser is a fixture

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")

from tei_edition.config import load_config  # noqa: E402
from tei_edition.pipeline import BuildOptions, build_edition  # noqa: E402

CHAPTERS = ["The harbour", "The voyage", "The island"]
WORDS = ["lighthouse", "albatross", "zanzibar"]


def novel() -> str:
    """A novel of three chapters, each with a word of its own; the second has a heading with an xml:id."""
    chapters = []
    for n, (title, word) in enumerate(zip(CHAPTERS, WORDS, strict=True), start=1):
        head_id = ' xml:id="voyage"' if n == 2 else ""
        paragraphs = "".join(
            f"<p>Paragraph {i} of chapter {n} tells of the {word} and of the sea.</p>" for i in range(1, 4)
        )
        chapters.append(f'<div type="chapter"><head{head_id}>{title}</head>{paragraphs}</div>')
    return (
        '<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="novel"><teiHeader><fileDesc>'
        "<titleStmt><title>A Novel in Three Chapters</title></titleStmt>"
        "<publicationStmt><p>Test fixture.</p></publicationStmt>"
        "<sourceDesc><p>Written for the tests.</p></sourceDesc></fileDesc></teiHeader>"
        f"<text><front><div><head>Preface</head><p>A preface.</p></div></front><body>{''.join(chapters)}</body>"
        "</text></TEI>"
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("chapters")
    (root / "tei").mkdir()
    (root / "tei" / "novel.xml").write_text(novel(), encoding="utf-8")
    (root / "edition.toml").write_text('[edition]\ntitle = "Chapters"\n\n[sources]\ndocuments = "tei"\n')
    build_edition(load_config(root / "edition.toml"), BuildOptions(pdf=False, epub=False, jobs=1))
    return root / "build" / "html"


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    with served(site) as url:
        yield url


def test_every_division_heading_is_an_anchor_unique_in_its_page(site: Path) -> None:
    page = etree.parse(str(site / "documents" / "novel" / "index.html"), etree.HTMLParser())
    heads = page.xpath("//*[contains(concat(' ', @class, ' '), ' head ')][self::h2 or self::h3]")
    assert [h.xpath("string()") for h in heads] == ["Preface", *CHAPTERS]
    ids = [h.get("id") for h in heads]
    assert all(ids), ids
    assert ids[2] == "voyage"  # the source's own id is kept
    everything = page.xpath("//@id")
    assert len(everything) == len(set(everything))


def test_a_hit_in_a_chapter_leads_to_that_chapter(browser: object, base_url: str, site: Path) -> None:  # noqa: F811
    page = browser.new_page()
    errors = watch_console(page)
    page.goto(base_url + "search/")
    expect(page.locator("#search-status")).to_contain_text("Ready")
    page.fill("#search-input", "zanzibar")
    page.press("#search-input", "Enter")
    expect(page.locator("#search-results a.result-title")).to_have_count(1)
    section = page.locator("#search-results .result-sections a")
    expect(section).to_have_count(1)
    expect(section).to_have_text(CHAPTERS[2])
    href = section.get_attribute("href")
    anchor = href.split("#", 1)[1]
    html = (site / "documents" / "novel" / "index.html").read_text(encoding="utf-8")
    assert f'id="{anchor}"' in html and html.index(f'id="{anchor}"') < html.index("zanzibar")
    # A word of the first chapter leads there, not to the third.
    page.fill("#search-input", "lighthouse")
    page.press("#search-input", "Enter")
    expect(page.locator("#search-results .result-sections a")).to_have_text(CHAPTERS[0])
    assert not errors, errors
    page.close()
