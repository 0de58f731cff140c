"""The apparatus pop-over, the witness page and the language switch of parallel texts in a real browser (Playwright
driving Debian's Chromium, as tests/test_browser.py), on the fixture edition tests/data/editions/apparatus."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from test_browser import AXE, CHROMIUM, browser, served, watch_console  # noqa: F401 - browser is a fixture
from test_site import build_site

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")

EDITION = Path(__file__).resolve().parent / "data" / "editions" / "apparatus"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(EDITION, tmp_path_factory.mktemp("apparatus") / "edition")


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    with served(site.parent) as url:
        yield f"{url}edition/"


def test_the_mark_opens_the_readings_and_esc_closes_them(browser: object, base_url: str) -> None:  # noqa: F811
    page = browser.new_page()
    errors = watch_console(page)
    page.goto(base_url + "documents/variants/")
    mark = page.locator("button.app-mark").first
    entry = page.locator("#app-1")
    expect(entry).to_be_hidden()
    mark.click()
    expect(entry).to_be_visible()
    expect(entry).to_have_text("third] A B; fourth C")
    expect(mark).to_have_attribute("aria-expanded", "true")
    # Placed next to its mark, not in the middle of the window.
    box, at = entry.bounding_box(), mark.bounding_box()
    assert abs(box["y"] - (at["y"] + at["height"])) < 20
    page.keyboard.press("Escape")
    expect(entry).to_be_hidden()
    expect(mark).to_be_focused()
    expect(mark).to_have_attribute("aria-expanded", "false")
    # The keyboard opens it too.
    mark.focus()
    page.keyboard.press("Enter")
    expect(entry).to_be_visible()
    assert errors == []
    page.close()


def test_a_siglum_leads_to_its_witness(browser: object, base_url: str) -> None:  # noqa: F811
    page = browser.new_page()
    page.goto(base_url + "documents/variants/")
    page.locator("button.app-mark").first.click()
    page.locator("#app-1 a.siglum", has_text="C").click()
    expect(page).to_have_url(base_url + "documents/variants/witnesses/#wC")
    witness = page.locator("#wC")
    expect(witness).to_contain_text("Printed text in the annual report")
    assert witness.evaluate("el => el.matches(':target')")
    page.close()


def test_the_language_switch_shows_one_version_and_is_remembered(browser: object, base_url: str) -> None:  # noqa: F811
    context = browser.new_context()
    page = context.new_page()
    errors = watch_console(page)
    page.goto(base_url + "documents/bilingual/")
    switch = page.locator(".parallel-switch")
    expect(switch).to_be_visible()
    german = page.locator(".parallel-cell[lang='de']").first
    english = page.locator(".parallel-cell[lang='en']").first
    expect(german).to_be_visible()
    expect(english).to_be_visible()
    switch.get_by_role("button", name="German").click()
    expect(english).to_be_hidden()
    expect(german).to_be_visible()
    expect(switch.get_by_role("button", name="German")).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.locator(".parallel-cell[lang='en']").first).to_be_hidden()
    expect(page.locator(".parallel-cell[lang='de']").first).to_be_visible()
    page.locator(".parallel-switch").get_by_role("button", name="Both").click()
    expect(page.locator(".parallel-cell[lang='en']").first).to_be_visible()
    assert errors == []
    context.close()


def test_without_scripts_both_versions_show_and_the_popover_still_works(browser: object, base_url: str) -> None:  # noqa: F811
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "documents/bilingual/")
    expect(page.locator(".parallel-switch")).to_be_hidden()
    expect(page.locator(".parallel-cell[lang='de']").first).to_be_visible()
    expect(page.locator(".parallel-cell[lang='en']").first).to_be_visible()
    page.locator("button.app-mark").first.click()
    expect(page.locator(".app-entry").first).to_be_visible()
    expect(page.locator(".app-entry").first).to_contain_text("Dienstag] P; Mittwoch Z")
    context.close()


def test_screenshots_and_axe(browser: object, base_url: str, tmp_path: Path) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 1200, "height": 800}, bypass_csp=True)
    page = context.new_page()
    found: dict[str, list[str]] = {}
    for path in ("documents/variants/", "documents/bilingual/", "documents/variants/witnesses/"):
        page.goto(base_url + path)
        if AXE.exists():
            page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
            result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
            serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
            if serious:
                found[path] = serious
    page.goto(base_url + "documents/bilingual/")
    page.locator("button.app-mark").first.click()
    shot = tmp_path / "bilingual-apparatus.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    context.close()
    assert found == {}


def test_paragraph_numbers_of_parallel_columns_stand_in_their_columns(browser: object, base_url: str) -> None:  # noqa: F811
    """In the page's margin, the numbers of a row's columns would stand on one another: each stands in its cell."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(base_url + "documents/bilingual/")
    boxes = page.evaluate(
        """() => Array.from(document.querySelectorAll('.parallel-row:not(.parallel-labels)')).slice(0, 1).flatMap(row =>
             Array.from(row.querySelectorAll('.parallel-cell')).map(cell => {
               const n = cell.querySelector('a.para-n'); if (!n) return null;
               const a = n.getBoundingClientRect(), c = cell.getBoundingClientRect();
               return [a.left, a.right, c.left, c.right]; }).filter(Boolean))"""
    )
    assert len(boxes) >= 2, boxes
    assert all(cell_left <= left and right <= cell_right + 1 for left, right, cell_left, cell_right in boxes), boxes
    page.close()
