"""The document page as a reader's edition, in a real browser (Playwright driving Debian's Chromium, as in
tests/test_browser.py, whose server and fixtures this module reuses): the "Highlight names" switch, the reading and
diplomatic views, notes and names in pop-overs, paragraph anchors, the phone layout and axe-core in every state.

The fixture edition tests/data/reader/ holds one document with every intervention the two views show differently
and a plain letter to go on to; the sample edition (the repository's own) is checked for layout and accessibility.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from test_browser import (  # noqa: F401 (fixtures)
    AXE,
    base_url,
    browser,
    expect,
    serious_violations,
    served,
    watch_console,
)
from test_site import build_site

READER_FIXTURE = Path(__file__).resolve().parent / "data" / "reader"
DRAFT = "documents/draft-1951/"
LETTER = "documents/letter-1952/"


@pytest.fixture(scope="module")
def reader_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(READER_FIXTURE, tmp_path_factory.mktemp("reader") / "html")


@pytest.fixture(scope="module")
def reader_url(reader_site: Path) -> Iterator[str]:
    with served(reader_site.parent) as url:
        yield f"{url}html/"


@pytest.fixture
def context(browser: object) -> Iterator[object]:  # noqa: F811 (the fixture imported above)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


def decoration(page: object, selector: str) -> str:
    """The computed text-decoration line and style of the first element `selector` finds."""
    return page.locator(selector).first.evaluate(
        "e => { const s = getComputedStyle(e); return s.textDecorationLine + ' ' + s.textDecorationStyle; }"
    )


def visible_text(page: object) -> str:
    """The text of the document as the reader sees it (hidden parts left out)."""
    return page.locator(".document-text .tei-text .body").inner_text()


# ----- highlighting names -----


def check_highlighting_persists(page: object, first: str, second: str) -> None:
    page.goto(first)
    expect(page.locator("#reading-tools")).to_be_visible()
    person = ".tei-text .entity-person"
    assert decoration(page, person).startswith("none")  # a quiet text: no underline until pointed at
    page.locator(person).first.hover()
    assert decoration(page, person).startswith("underline")
    page.mouse.move(0, 0)
    legend = page.locator(".highlight-legend")
    expect(legend).to_be_hidden()
    page.check("#highlight-names")
    expect(legend).to_be_visible()
    styles = {
        kind: decoration(page, selector)
        for kind, selector in (
            ("person", person),
            ("place", ".tei-text .entity-place"),
            ("org", ".tei-text .entity-org"),
            ("date", ".tei-text .date"),
        )
    }
    assert styles == {
        "person": "underline solid",
        "place": "underline double",
        "org": "underline dashed",
        "date": "underline dotted",
    }
    assert [decoration(page, f".legend-{kind}") for kind in styles] == list(styles.values())
    page.goto(second)
    expect(page.locator("#highlight-names")).to_be_checked()
    assert decoration(page, person) == "underline solid"
    page.uncheck("#highlight-names")
    page.goto(first)
    expect(page.locator("#highlight-names")).not_to_be_checked()
    assert decoration(page, person).startswith("none")


def test_the_highlight_switch_marks_four_kinds_and_is_remembered(context: object, reader_url: str) -> None:
    page = context.new_page()
    errors = watch_console(page)
    check_highlighting_persists(page, reader_url + DRAFT, reader_url + LETTER)
    assert errors == []


def test_the_switches_are_remembered_from_the_file_system(browser: object, reader_site: Path) -> None:  # noqa: F811
    ctx = browser.new_context()
    page = ctx.new_page()
    draft = (reader_site / DRAFT / "index.html").as_uri()
    letter = (reader_site / LETTER / "index.html").as_uri()
    check_highlighting_persists(page, draft, letter)
    page.goto(draft)
    page.check("input[name='text-view'][value='diplomatic']")
    page.goto(letter)
    page.goto(draft)
    expect(page.locator("input[name='text-view'][value='diplomatic']")).to_be_checked()
    assert page.evaluate("document.documentElement.dataset.textView") == "diplomatic"
    ctx.close()


# ----- the reading and the diplomatic view -----

READING_ONLY = ("struggle", "Ambassador", "proposal ")
DIPLOMATIC_ONLY = ("straggle", "Amb.", "proposall", "refuse", "Tuesday?", "[illegible, 2 words]", "\u2e22accept\u2e23")


def test_the_two_views_show_the_right_readings(context: object, reader_url: str) -> None:
    page = context.new_page()
    errors = watch_console(page)
    page.goto(reader_url + DRAFT)
    reading = visible_text(page)
    assert all(word in reading for word in READING_ONLY), reading
    assert not any(word in reading for word in DIPLOMATIC_ONLY), reading
    assert "accept" in reading and "[illegible]" in reading and "[delegation]" in reading
    page.check("input[name='text-view'][value='diplomatic']")
    diplomatic = visible_text(page)
    assert all(word in diplomatic for word in DIPLOMATIC_ONLY), diplomatic
    assert not any(word in diplomatic for word in READING_ONLY), diplomatic
    assert decoration(page, ".tei-text del.del") == "line-through solid"
    page.reload()
    expect(page.locator("input[name='text-view'][value='diplomatic']")).to_be_checked()
    assert "straggle" in visible_text(page)
    page.check("input[name='text-view'][value='reading']")
    assert "struggle" in visible_text(page)
    # The letter has nothing the views would show differently: only the names switch is offered.
    page.goto(reader_url + LETTER)
    expect(page.locator(".view-switch")).to_be_hidden()
    expect(page.locator("#highlight-names")).to_be_visible()
    assert errors == []


def test_without_javascript_the_reading_view_shows_and_the_switches_do_not(browser: object, reader_url: str) -> None:  # noqa: F811
    ctx = browser.new_context(java_script_enabled=False)
    page = ctx.new_page()
    page.goto(reader_url + DRAFT)
    reading = visible_text(page)
    assert "struggle" in reading and "straggle" not in reading and "refuse" not in reading
    expect(page.locator("#reading-tools")).to_be_hidden()
    key = page.locator("details.signs-key")
    expect(key).to_be_visible()
    key.locator("summary").click()
    assert "Deleted in the source" in key.inner_text()
    ctx.close()


# ----- notes and names in pop-overs -----


def test_a_note_opens_in_a_popover_on_click_and_escape_gives_the_focus_back(context: object, reader_url: str) -> None:
    page = context.new_page()
    errors = watch_console(page)
    page.goto(reader_url + DRAFT)
    marker = page.locator("a.noteref", has_text="41")
    marker.click()
    popover = page.locator("#note-popover")
    expect(popover).to_be_visible()
    assert popover.get_attribute("role") == "dialog"
    assert popover.get_attribute("aria-label") == "Note 41"
    assert popover.locator(".note-popover-body").inner_text().strip() == (
        "The note's text is not part of this transcription."  # one note's wording, though the list has a run
    )
    assert marker.get_attribute("aria-expanded") == "true"
    assert page.evaluate("document.activeElement.id") == "note-popover"
    assert page.url.endswith(DRAFT)  # the page did not jump to the list
    page.keyboard.press("Escape")
    expect(popover).to_be_hidden()
    assert page.evaluate("document.activeElement.id") == "noteref-41"
    assert marker.get_attribute("aria-expanded") == "false"
    # From the keyboard: Enter and Space open it, the close button closes it.
    page.keyboard.press("Enter")
    expect(popover).to_be_visible()
    page.locator("#note-popover .popover-close").click()
    expect(popover).to_be_hidden()
    page.locator("a.noteref", has_text="a").focus()
    page.keyboard.press(" ")
    expect(popover).to_contain_text("The draft is not dated")
    # The list at the end keeps every note, the run of identical ones on one line with a link back to each.
    run = page.locator("section.notes li.note-run")
    assert run.locator(".note-run-label").inner_text() == "Notes 40\u201342:"
    assert run.locator("a.noteback").count() == 3
    assert errors == []


def test_a_note_opens_on_a_tap(browser: object, reader_url: str) -> None:  # noqa: F811
    ctx = browser.new_context(viewport={"width": 375, "height": 740}, has_touch=True, is_mobile=True)
    page = ctx.new_page()
    page.goto(reader_url + DRAFT)
    marker = page.locator("a.noteref", has_text="40")
    marker.tap()
    popover = page.locator("#note-popover")
    expect(popover).to_be_visible()
    box = popover.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375
    page.keyboard.press("Escape")
    expect(popover).to_be_hidden()
    # A tap on a name opens its card with a link to the register.
    page.locator(".tei-text a.entity[data-ref='kaesong']").first.tap()
    card = page.locator("#entity-card")
    expect(card).to_be_visible()
    assert card.get_attribute("role") == "dialog"
    expect(card.locator("a.card-link")).to_have_attribute("href", "../../places/kaesong/")
    ctx.close()


def test_a_name_card_opens_from_the_keyboard(context: object, reader_url: str) -> None:
    page = context.new_page()
    page.goto(reader_url + DRAFT)
    name = page.locator(".tei-text a.entity[data-ref='stalin']").first
    name.focus()
    card = page.locator("#entity-card")
    expect(card).to_be_visible()
    assert card.get_attribute("role") == "tooltip"
    page.keyboard.press("Enter")
    assert card.get_attribute("role") == "dialog"
    assert page.url.endswith(DRAFT)
    expect(card.locator(".card-name")).to_have_text("Joseph Stalin")
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    assert page.evaluate("document.activeElement.getAttribute('data-ref')") == "stalin"
    page.keyboard.press(" ")
    expect(card.locator("a.card-link")).to_be_visible()
    page.locator("#entity-card a.card-link").click()
    page.wait_for_load_state()
    assert page.url == reader_url + "persons/stalin/"


# ----- paragraphs, phones and accessibility on the sample edition -----


def sample_documents(page: object, base: str) -> list[str]:
    page.goto(base)
    return page.locator("table.documents tbody .col-title a").evaluate_all("links => links.map(a => a.href)")


def test_every_paragraph_has_a_linkable_number(context: object, base_url: str) -> None:  # noqa: F811
    page = context.new_page()
    for url in sample_documents(page, base_url):
        page.goto(url)
        numbers = page.locator(".tei-text a.para-n")
        count = numbers.count()
        assert count >= 1, url
        assert numbers.evaluate_all("links => links.map(a => a.id)") == [f"p-{n}" for n in range(1, count + 1)]
        assert numbers.evaluate_all("links => links.every(a => a.parentElement.tagName === 'P')")
    numbers.nth(count - 1).click()
    assert page.url.endswith(f"#p-{count}")
    assert page.evaluate("document.querySelector(':target').id") == f"p-{count}"


def test_on_a_phone_the_text_comes_first_and_nothing_overflows(browser: object, base_url: str) -> None:  # noqa: F811
    ctx = browser.new_context(viewport={"width": 375, "height": 740}, has_touch=True, is_mobile=True)
    page = ctx.new_page()
    for url in sample_documents(page, base_url):
        page.goto(url)
        text_top = page.locator(".document-text").bounding_box()["y"]
        aside_top = page.locator(".document-aside").bounding_box()["y"]
        assert text_top < aside_top, url
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, url
        crumbs = page.locator(".breadcrumbs ol")
        line = crumbs.locator("li").first.bounding_box()["height"]
        assert crumbs.bounding_box()["height"] < 1.5 * line, url  # one line, the title cut short
        assert page.locator(".breadcrumbs li:last-child").evaluate("e => getComputedStyle(e).textOverflow") == (
            "ellipsis"
        )
    ctx.close()


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm install --prefix .ci/node axe-core@4)")
def test_axe_finds_nothing_serious_in_either_view(browser: object, base_url: str, reader_url: str) -> None:  # noqa: F811
    # axe is injected as an inline script, which the pages' CSP rightly forbids: bypass CSP for this check only.
    ctx = browser.new_context(bypass_csp=True)
    axe = AXE.read_text(encoding="utf-8")
    page = ctx.new_page()
    urls = [*sample_documents(page, base_url), reader_url + DRAFT]
    found: dict[str, list[str]] = {}
    for view, highlight in (("reading", False), ("diplomatic", True)):
        for url in urls:
            page.goto(url)
            if page.locator(".view-switch").is_visible():
                page.check(f"input[name='text-view'][value='{view}']")
            page.set_checked("#highlight-names", highlight)
            if page.locator("details.signs-key").count():
                page.locator("details.signs-key summary").click()
            if serious := serious_violations(page, axe):
                found[f"{url} ({view})"] = serious
    # The pop-overs open.
    page.goto(reader_url + DRAFT)
    page.locator("a.noteref").first.click()
    page.locator(".tei-text a.entity").first.click()
    page.add_script_tag(content=axe)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]
    if serious:
        found["pop-overs"] = serious
    ctx.close()
    assert found == {}, "\n".join(f"{url}: {v}" for url, vs in found.items() for v in vs)


def test_following_a_paragraph_number_copies_its_link(browser: object, reader_url: str) -> None:  # noqa: F811
    ctx = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = ctx.new_page()
    page.goto(reader_url + DRAFT)
    page.locator("a.para-n#p-2").click()
    expect(page.locator("a.para-n#p-2")).to_have_attribute("data-copied", "")
    assert page.evaluate("navigator.clipboard.readText()") == reader_url + DRAFT + "#p-2"
    expect(page.locator("[role='status']")).to_have_text("Link to paragraph 2 copied.")
    assert page.url == reader_url + DRAFT + "#p-2"
    ctx.close()
