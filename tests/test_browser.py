"""The built site in a real browser: Playwright for Python driving Debian's Chromium (never `playwright install`).

The site is served by a small threaded HTTP server on 127.0.0.1 under a URL prefix (/edition/), to show that
relative links and the search index work from any prefix. axe-core comes from `.ci/node` (installed by `.ci/run`).
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from test_site import FIXTURE, build_site

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
AXE = REPO / ".ci" / "node" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that does not log every request."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def served(folder: Path) -> Iterator[str]:
    """A local web server for `folder` while the block runs; its URL, with a trailing slash."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    edition = REPO if any((REPO / "tei" / "documents").glob("*.xml")) else FIXTURE
    root = tmp_path_factory.mktemp("served")
    build_site(edition, root / "edition")
    with served(root) as url:
        yield f"{url}edition/"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def watch_console(page: object) -> list[str]:
    """Collect the console errors and uncaught exceptions of a page."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    return errors


def test_search_entity_card_register_and_back_to_the_passage(browser: object, base_url: str) -> None:
    page = browser.new_page()
    errors = watch_console(page)
    page.goto(base_url + "search/")
    expect(page.locator("#search-status")).to_contain_text("Ready")
    page.fill("#search-input", "Kaesong")
    page.press("#search-input", "Enter")
    result = page.locator("#search-results li a.result-title").first
    result.wait_for()
    assert "found" in page.text_content("#search-status")
    assert "kaesong" in page.locator("#search-results mark").first.text_content().lower()
    assert page.locator("#search-filters fieldset legend").all_text_contents()[:2] == ["Year", "Type of document"]
    assert page.locator("#search-filters details[open] summary").all_text_contents()[0].startswith("Year (")
    result.click()
    page.wait_for_load_state()
    assert "/edition/documents/" in page.url
    document_url = page.url.split("#")[0]

    mention = page.locator(".document-text a.entity[data-ref='kaesong']").first
    mention.hover()
    card = page.locator("#entity-card")
    card.wait_for(state="visible")
    assert card.locator(".card-name").text_content() == "Kaesong"
    page.mouse.move(0, 0)
    card.wait_for(state="hidden")
    mention.focus()
    card.wait_for(state="visible")
    assert mention.get_attribute("aria-describedby") == "entity-card"
    page.keyboard.press("Escape")
    card.wait_for(state="hidden")

    mention.click()  # opens the name's card; its link leads to the register entry
    page.locator("#entity-card a.card-link").click()
    page.wait_for_load_state()
    assert page.url == base_url + "places/kaesong/"
    assert page.locator("h1").text_content() == "Kaesong"
    passage = page.locator(f"a.passage[href^='../../documents/{document_url.rstrip('/').rsplit('/', 1)[1]}/#']")
    href = passage.first.get_attribute("href")
    passage.first.click()
    page.wait_for_load_state()
    anchor = href.split("#", 1)[1]
    assert page.url == f"{document_url}#{anchor}"
    target = page.locator(f"[id='{anchor}']")
    assert target.get_attribute("data-ref") == "kaesong"
    assert page.evaluate("document.querySelector(':target') && document.querySelector(':target').id") == anchor
    assert errors == []


def test_filters_narrow_the_results(browser: object, base_url: str) -> None:
    page = browser.new_page()
    errors = watch_console(page)
    page.goto(base_url + "search/?q=Stalin")
    page.locator("#search-results li").first.wait_for()
    before = page.locator("#search-results li").count()
    years = page.locator("#search-filters input[name='year']")
    assert years.count() >= 2
    years.first.check()
    expect(page.locator("#search-results li")).not_to_have_count(before)
    assert page.locator("#search-results li").count() < before
    assert errors == []


def test_sorting_the_documents_by_title(browser: object, base_url: str) -> None:
    page = browser.new_page()
    errors = watch_console(page)
    page.goto(base_url)
    titles = page.locator("table.documents tbody .col-title a")
    page.click("th[data-sort-key='title'] button")
    sorted_titles = titles.all_text_contents()
    assert sorted_titles == sorted(sorted_titles, key=str.lower)
    assert page.get_attribute("th[data-sort-key='title']", "aria-sort") == "ascending"
    assert errors == []


def test_search_explains_itself_when_opened_from_a_file(
    browser: object, base_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    site = build_site(FIXTURE, tmp_path_factory.mktemp("file") / "html")
    page = browser.new_page()
    page.goto((site / "search" / "index.html").as_uri())
    expect(page.locator("#search-status")).to_contain_text("web server")
    page.goto((site / "index.html").as_uri())
    href = page.get_attribute("table.documents tbody .col-title a", "href")
    assert href.endswith("/index.html")


def serious_violations(page: object, axe: str) -> list[str]:
    """The serious and critical accessibility violations axe finds on the page as it is now (axe: its script)."""
    page.add_script_tag(content=axe)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm install --prefix .ci/node axe-core@4)")
def test_axe_finds_no_serious_or_critical_violations(browser: object, base_url: str) -> None:
    # axe is injected as an inline script, which the pages' CSP rightly forbids: bypass CSP for this check only.
    context = browser.new_context(bypass_csp=True)
    axe = AXE.read_text(encoding="utf-8")
    found: dict[str, list[str]] = {}
    for path in ("", "documents/", "persons/", "places/kaesong/", "chronology/", "search/", "about/", "downloads/"):
        page = context.new_page()
        url = base_url + path
        if path == "documents/":
            page.goto(base_url)
            url = page.locator("table.documents tbody .col-title a").first.evaluate("a => a.href")
        page.goto(url)
        if serious := serious_violations(page, axe):
            found[url] = serious
        page.close()
    context.close()
    assert found == {}, "\n".join(f"{url}: {v}" for url, vs in found.items() for v in vs)
