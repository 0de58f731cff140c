"""The map of places: its data and page, the markers on each place's page, and (in a real browser, from file://) a map
that renders with no request beyond the site's own files."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tei_edition.config import config_from_dict
from tei_edition.errors import ConfigError
from tei_edition.web.map import tiles_origin
from test_browser import AXE, CHROMIUM, browser, served, watch_console  # noqa: F401 - browser is a fixture
from test_site import FIXTURE, build_site, parse, select

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield build_site(REPO, tmp_path_factory.mktemp("map") / "html")


def map_data(site: Path) -> dict:
    text = (site / "map" / "places.js").read_text(encoding="utf-8")
    match = re.fullmatch(r"window\.TEI_EDITION_MAP = (.*);\n", text, re.S)
    assert match, text[:80]
    return json.loads(match.group(1))


def test_every_place_with_coordinates_is_on_the_map_with_its_mentions(site: Path) -> None:
    data = map_data(site)
    places = {p["id"]: p for p in data["places"]}
    assert len(places) == 32
    kaesong = places["kaesong"]
    assert (round(kaesong["lat"], 2), round(kaesong["lon"], 2)) == (37.97, 126.55)
    assert kaesong["mentions"] == 2 and kaesong["documents"] == 1 and kaesong["href"] == "places/kaesong/"
    mentions = [p["mentions"] for p in data["places"]]
    assert mentions == sorted(mentions, reverse=True)  # most mentioned first
    assert data["tiles"] == "" and "Natural Earth" in data["attribution"]
    # The page lists them too (without JavaScript), each linked to its page; the menu leads to it.
    page = parse(site / "map" / "index.html")
    rows = select(page, ".map-table tbody tr")
    assert len(rows) == 32 and select(rows[0], "a")[0].get("href") == "../places/soviet-union/"
    assert [a.get("href") for a in select(page, ".site-nav a") if a.text_content() == "Map"] == ["../map/"]
    # Leaflet and the coastlines are in the site's assets; nothing is loaded from elsewhere.
    for asset in ("leaflet.js", "leaflet.css", "land-110m.js", "map.js", "map.css"):
        assert (site / "assets" / asset).is_file(), asset
    text = (site / "map" / "index.html").read_text(encoding="utf-8")
    assert not re.search(r"""src="https?://|<link [^>]*href="https?://""", text)
    land = (site / "assets" / "land-110m.js").read_text(encoding="utf-8")
    assert land.startswith("// Land of the world, from Natural Earth") and '"MultiPolygon"' in land


def test_a_place_page_has_its_map_and_a_person_page_none(site: Path) -> None:
    page = parse(site / "places" / "kaesong" / "index.html")
    box = select(page, "#place-map")[0]
    assert box.get("data-current") == "kaesong" and box.get("data-root") == "../../"
    scripts = [s.get("src") for s in page.xpath("//script[@src]")]
    assert "../../assets/leaflet.js" in scripts and "../../map/places.js" in scripts
    person = parse(site / "persons" / "stalin" / "index.html")
    assert not select(person, "#place-map")
    assert "../../assets/leaflet.js" not in [s.get("src") for s in person.xpath("//script[@src]")]


def test_no_map_without_coordinates(tmp_path: Path) -> None:
    edition = tmp_path / "edition"
    shutil.copytree(FIXTURE, edition, ignore=shutil.ignore_patterns("build"))
    places = edition / "tei" / "registers" / "places.xml"
    places.write_text(re.sub(r"<location>.*?</location>", "", places.read_text(encoding="utf-8"), flags=re.S))
    site = build_site(edition, tmp_path / "out" / "html")
    assert not (site / "map").exists()
    assert not (site / "assets" / "leaflet.js").exists()
    assert "Map" not in [a.text_content() for a in select(parse(site / "index.html"), ".site-nav a")]


def test_tiles_are_an_https_template_and_open_the_pages_to_their_server(tmp_path: Path) -> None:
    (tmp_path / "tei" / "documents").mkdir(parents=True)
    tiles = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    config = config_from_dict({"edition": {"title": "T"}, "map": {"tiles": tiles, "attribution": "© X"}}, tmp_path)
    assert config.map.tiles == tiles and config.map.attribution == "© X"
    assert tiles_origin(tiles) == "https://*.tile.example.org"
    assert tiles_origin("https://tiles.example.org/{z}/{x}/{y}.png") == "https://tiles.example.org"
    assert tiles_origin("") == ""
    for bad in ("http://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org/tile.png"):
        with pytest.raises(ConfigError) as err:
            config_from_dict({"edition": {"title": "T"}, "map": {"tiles": bad}}, tmp_path)
        assert [p.key for p in err.value.problems] == ["map.tiles"]


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")
def test_the_map_renders_offline_from_files_and_its_markers_lead_to_the_places(
    browser: object,  # noqa: F811
    site: Path,
) -> None:
    page = browser.new_page()
    errors = watch_console(page)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto((site / "map" / "index.html").as_uri())
    markers = page.locator("#place-map .leaflet-marker-pane a.map-marker")
    markers.first.wait_for()
    assert markers.count() == 32
    # The coastlines are drawn (an SVG path of the land) with no tile server.
    assert page.locator("#place-map .leaflet-overlay-pane path").count() >= 1
    assert page.locator("#place-map .leaflet-tile").count() == 0
    # Markers are sized by mentions: the Soviet Union (36 mentions) is drawn larger than Kaesong (2).
    big = page.locator("a.map-marker[data-place='soviet-union']").bounding_box()
    small = page.locator("a.map-marker[data-place='kaesong']").bounding_box()
    assert big["width"] > small["width"]
    kaesong = page.locator("a.map-marker[data-place='kaesong']")
    assert kaesong.get_attribute("aria-label") == "Kaesong: 2 mentions"
    # A marker is a link: it takes the focus and leads to the place's page (Kaesong lies under the 38th parallel's
    # marker at this zoom, so it is followed from the keyboard).
    kaesong.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/places/kaesong/index.html")
    # The place's page has its own map, centred on it.
    current = page.locator("#place-map a.map-marker-current")
    current.wait_for()
    assert current.get_attribute("data-place") == "kaesong"
    page.close()
    assert errors == []
    outside = [url for url in requests if not url.startswith(("file://", "data:"))]
    assert outside == [], outside


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed in .ci/node")
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")
def test_axe_finds_no_serious_violations_on_the_map(browser: object, site: Path) -> None:  # noqa: F811
    context = browser.new_context(bypass_csp=True)  # axe is injected as an inline script
    page = context.new_page()
    with served(site) as url:
        page.goto(url + "map/")
        page.locator("#place-map a.map-marker").first.wait_for()
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    context.close()
    serious = [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_a_tile_server_is_allowed_by_the_pages_that_show_the_map(tmp_path: Path) -> None:
    edition = tmp_path / "edition"
    shutil.copytree(FIXTURE, edition, ignore=shutil.ignore_patterns("build"))
    toml = edition / "edition.toml"
    tiles = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    toml.write_text(toml.read_text(encoding="utf-8") + f'\n[map]\ntiles = "{tiles}"\nattribution = "© Example"\n')
    site = build_site(edition, tmp_path / "out" / "html")
    data = map_data(site)
    assert data["tiles"] == tiles and data["attribution"] == "© Example"

    def policy(page: Path) -> str:
        return parse(page).xpath("string(//meta[@http-equiv='Content-Security-Policy']/@content)")

    mapped = data["places"][0]["href"]
    for page in (site / "map" / "index.html", site / mapped / "index.html"):
        assert "img-src 'self' data: https://*.tile.example.org;" in policy(page), page
    # Pages without a map keep to the site's own images.
    assert "img-src 'self' data:;" in policy(site / "index.html")
