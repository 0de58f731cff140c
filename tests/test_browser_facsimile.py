"""The page image viewer in Chromium: tiles load from a local server and from file://, the image follows the text
to a later page break, a zone is outlined when its line is pointed at, and no request leaves 127.0.0.1."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tei_edition.config import load_config
from tei_edition.pipeline.build import BuildOptions, build_edition
from test_browser import AXE, CHROMIUM, browser, served, watch_console  # noqa: F401 - browser is a fixture
from test_facsimile import make_edition, remote_edition

playwright_api = pytest.importorskip("playwright.sync_api")
expect = playwright_api.expect
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_edition(tmp_path_factory.mktemp("facs-browser"), filler=25)
    build_edition(load_config(root / "edition.toml"), BuildOptions(pdf=False, jobs=1))
    return root / "build" / "html"


@pytest.fixture(scope="module")
def base_url(site: Path) -> Iterator[str]:
    with served(site) as url:
        yield url


def open_page(chromium: object, url: str, requests: list[str]) -> object:
    page = chromium.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.on("request", lambda r: requests.append(r.url))
    page.goto(url)
    return page


def wait_until(page: object, expression: str, seconds: float = 10) -> None:
    """Poll a JavaScript expression until it is true (wait_for_function would eval a string, which the page's
    Content-Security-Policy forbids)."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(expression):  # type: ignore[attr-defined]
            return
        page.wait_for_timeout(100)  # type: ignore[attr-defined]
    raise AssertionError(f"still false after {seconds} s: {expression}")


def loaded_tiles(page: object) -> int:
    return page.evaluate(  # type: ignore[attr-defined]
        "Array.from(document.querySelectorAll('.facsimile-level img'))"
        ".filter(i => i.complete && i.naturalWidth > 0).length"
    )


def test_viewer_follows_the_text_and_outlines_zones(browser: object, base_url: str) -> None:  # noqa: F811
    requests: list[str] = []
    page = open_page(browser, f"{base_url}documents/letter-1/", requests)
    errors = watch_console(page)
    panel = page.locator(".facsimile-panel")  # type: ignore[attr-defined]
    expect(panel).to_have_attribute("data-surface", "f1")
    expect(page.locator(".facsimile-caption")).to_contain_text("Page 1 (1 of 3)")  # type: ignore[attr-defined]
    wait_until(
        page,
        "document.querySelectorAll('.facsimile-level img').length > 0 && "
        "Array.from(document.querySelectorAll('.facsimile-level img')).every(i => i.complete && i.naturalWidth > 0)",
    )
    assert loaded_tiles(page) >= 1
    # Zooming in asks for finer tiles (page 1 is shown at half its size or less).
    before = loaded_tiles(page)
    for _ in range(4):
        page.locator("[data-zoom='in']").click()  # type: ignore[attr-defined]
    page.wait_for_timeout(500)  # type: ignore[attr-defined]
    assert loaded_tiles(page) > before
    page.screenshot(path=str(Path("/tmp") / "facsimile-zoomed.png"))  # type: ignore[attr-defined]
    page.locator("[data-zoom='fit']").click()  # type: ignore[attr-defined]
    # Pointing at the word outlines its zone on the image.
    page.locator("span[data-facs='#f1-l2']").hover()  # type: ignore[attr-defined]
    expect(page.locator(".facsimile-viewer")).to_have_attribute("data-zone", "f1-l2")  # type: ignore[attr-defined]
    assert page.locator(".facsimile-zone").count() == 1  # type: ignore[attr-defined]
    # Scrolled to the third page break, the viewer shows the third page.
    page.locator("#page-3").scroll_into_view_if_needed()  # type: ignore[attr-defined]
    page.evaluate("document.getElementById('page-3').scrollIntoView({block: 'start'})")  # type: ignore[attr-defined]
    expect(panel).to_have_attribute("data-surface", "f3")
    expect(page.locator(".facsimile-caption")).to_contain_text("Page 3 (3 of 3)")  # type: ignore[attr-defined]
    page.locator("[data-facs='#f3-l1']").hover()  # type: ignore[attr-defined]
    expect(page.locator(".facsimile-viewer")).to_have_attribute("data-zone", "f3-l1")  # type: ignore[attr-defined]
    page.screenshot(path=str(Path("/tmp") / "facsimile-viewer.png"))  # type: ignore[attr-defined]
    assert not errors
    assert requests and all(url.startswith("http://127.0.0.1:") for url in requests)
    page.close()  # type: ignore[attr-defined]


def test_viewer_works_from_a_file(browser: object, site: Path) -> None:  # noqa: F811
    requests: list[str] = []
    page = open_page(browser, (site / "documents" / "letter-1" / "index.html").as_uri(), requests)
    wait_until(
        page,
        "Array.from(document.querySelectorAll('.facsimile-level img')).some(i => i.complete && i.naturalWidth > 0)",
    )
    assert all(url.startswith("file://") for url in requests)
    page.close()  # type: ignore[attr-defined]


def test_remote_image_service_only_when_allowed(browser: object, tmp_path: Path) -> None:  # noqa: F811
    """A page image held by an IIIF image service elsewhere: by default a link and no request; allowed, the viewer
    loads its info.json and tiles (answered here by Playwright, never by the network)."""
    tile = io.BytesIO()
    Image.new("RGB", (300, 400), "#88aa88").save(tile, "JPEG")
    info = {
        "@context": "http://iiif.io/api/image/3/context.json",
        "id": "https://images.example.org/iiif/p4",
        "type": "ImageService3",
        "profile": "level0",
        "width": 300,
        "height": 400,
        "tiles": [{"width": 512, "scaleFactors": [1]}],
    }
    for allowed in (False, True):
        page_file = remote_edition(tmp_path / str(allowed), allowed)
        requests: list[str] = []
        page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        page.on("request", lambda r, requests=requests: requests.append(r.url))

        def answer(route: object) -> None:
            url = route.request.url  # type: ignore[attr-defined]
            if url.endswith("info.json"):
                route.fulfill(status=200, content_type="application/json", body=json.dumps(info))  # type: ignore[attr-defined]
            else:
                route.fulfill(status=200, content_type="image/jpeg", body=tile.getvalue())  # type: ignore[attr-defined]

        page.route("https://images.example.org/**", answer)  # type: ignore[attr-defined]
        with served(page_file.parents[2]) as url:
            page.goto(f"{url}documents/letter-1/")  # type: ignore[attr-defined]
            for _ in range(3):
                page.locator(".facsimile-next").click()  # type: ignore[attr-defined]
            expect(page.locator(".facsimile-panel")).to_have_attribute("data-surface", "f4")  # type: ignore[attr-defined]
            if allowed:
                wait_until(
                    page,
                    "Array.from(document.querySelectorAll('.facsimile-level img'))"
                    ".some(i => i.complete && i.naturalWidth === 300)",
                )
                remote = [r for r in requests if r.startswith("https://images.example.org/")]
                assert "https://images.example.org/iiif/p4/info.json" in remote
                assert "https://images.example.org/iiif/p4/full/max/0/default.jpg" in remote
            else:
                expect(page.locator(".facsimile-message a")).to_have_attribute(  # type: ignore[attr-defined]
                    "href", "https://images.example.org/iiif/p4/info.json"
                )
                assert all(r.startswith("http://127.0.0.1:") for r in requests)
        page.close()  # type: ignore[attr-defined]


def test_pointing_at_a_line_after_a_line_break_outlines_its_zone(browser: object, base_url: str) -> None:  # noqa: F811
    requests: list[str] = []
    page = open_page(browser, f"{base_url}documents/letter-1/", requests)
    # 'Dear friend' follows <lb facs="#f1-l1"/> (the paragraph's first: a marker, no break): the line, not an element.
    paragraph = page.get_by_text("Dear friend", exact=False).first  # type: ignore[attr-defined]
    first = page.evaluate(  # type: ignore[attr-defined]
        "(() => { const r = document.createRange(); const br = document.querySelector(\"[data-facs='#f1-l1']\");"
        " r.setStartAfter(br); r.setEnd(br.nextSibling, 4); const b = r.getBoundingClientRect();"
        " return [b.left + 5, b.top + b.height / 2]; })()"
    )
    page.mouse.move(*first)  # type: ignore[attr-defined]
    expect(page.locator(".facsimile-viewer")).to_have_attribute("data-zone", "f1-l1")  # type: ignore[attr-defined]
    assert "Dear friend" in paragraph.evaluate("p => p.textContent")
    page.mouse.move(5, 5)  # type: ignore[attr-defined]
    page.close()  # type: ignore[attr-defined]


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed in .ci/node")
def test_axe_finds_no_serious_violations_on_a_page_with_images(browser: object, base_url: str) -> None:  # noqa: F811
    context = browser.new_context(bypass_csp=True)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{base_url}documents/letter-1/")
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    context.close()
    assert serious == []


def test_keyboard_and_drag_move_the_image(browser: object, base_url: str) -> None:  # noqa: F811
    requests: list[str] = []
    page = open_page(browser, f"{base_url}documents/letter-1/", requests)
    stage = page.locator(".facsimile-stage")  # type: ignore[attr-defined]
    wait_until(page, "!!document.querySelector('.facsimile-stage')")

    def transform() -> str:
        page.wait_for_timeout(100)  # type: ignore[attr-defined]
        return str(stage.evaluate("s => s.style.transform"))

    fitted = transform()
    page.locator(".facsimile-viewer").focus()  # type: ignore[attr-defined]
    page.keyboard.press("+")  # type: ignore[attr-defined]
    zoomed = transform()
    assert zoomed != fitted and "scale(" in zoomed
    page.keyboard.press("ArrowLeft")  # type: ignore[attr-defined]
    moved = transform()
    assert moved != zoomed
    box = page.locator(".facsimile-viewer").bounding_box()  # type: ignore[attr-defined]
    page.mouse.move(box["x"] + 100, box["y"] + 100)  # type: ignore[attr-defined]
    page.mouse.down()  # type: ignore[attr-defined]
    page.mouse.move(box["x"] + 160, box["y"] + 130, steps=4)  # type: ignore[attr-defined]
    page.mouse.up()  # type: ignore[attr-defined]
    assert transform() != moved
    page.keyboard.press("0")  # type: ignore[attr-defined]
    assert transform() == fitted
    page.close()  # type: ignore[attr-defined]


def test_on_a_phone_the_image_stays_above_the_text_and_follows_it(browser: object, base_url: str) -> None:  # noqa: F811
    page = browser.new_page(viewport={"width": 390, "height": 844})  # type: ignore[attr-defined]
    page.goto(f"{base_url}documents/letter-1/")
    panel = page.locator(".facsimile-panel")
    text = page.locator(".document-text").bounding_box()
    assert panel.bounding_box()["y"] < text["y"]  # stacked: the image first
    # The third page break just below the panel: the panel, held at the top, shows the third page.
    page.evaluate(
        "(() => { const marker = document.getElementById('page-3');"
        " const panel = document.querySelector('.facsimile-panel').getBoundingClientRect();"
        " window.scrollBy(0, marker.getBoundingClientRect().top - panel.height - 40); })()"
    )
    expect(panel).to_have_attribute("data-surface", "f3")
    assert abs(panel.bounding_box()["y"]) < 2
    page.close()
