"""Facsimiles beside the text: the TEI's facsimile read into surfaces and zones, the page images cut into static IIIF
level-0 tiles (reused across builds), the pointers of the text as data attributes, the viewer's data on the
document page, and the image check extended to page images."""

from __future__ import annotations

import io
import json
import math
import re
import shutil
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image, ImageDraw

from tei_edition.config import DEFAULT_SPLIT, load_config
from tei_edition.output.paths import iiif_tile
from tei_edition.pipeline.build import BuildOptions, build_edition
from tei_edition.pipeline.check import check_edition
from tei_edition.pipeline.progress import Reporter
from tei_edition.tei.facsimile import read_facsimile
from tei_edition.tei.parts import find_parts, read_documents
from tei_edition.transform.xslt import Transformer
from tei_edition.web.facsimile import TILE_SIZE, TiledImage, iiif_service, info_json, make_tiles, scale_factors

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"

EDITION_TOML = """[edition]
title = "Facsimile Fixture"
licence = "CC BY 4.0"
language = "en"

[sources]
documents = "tei/documents"
registers = "tei/registers"

[output]
dir = "build"

[pdf]
enabled = false

[rules]
untagged-name = "off"
"""

# Three pages: the first and third as surfaces with zones for their lines (the third in a coordinate system of its
# own, with a polygon), the second named by its image file directly.
LETTER = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="letter-1" xml:lang="en">
  <teiHeader>
    <fileDesc>
      <titleStmt><title>A letter in three pages</title></titleStmt>
      <publicationStmt><publisher>Fixture</publisher>
        <availability><licence target="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</licence></availability>
      </publicationStmt>
      <sourceDesc><p>Made for the tests.</p></sourceDesc>
    </fileDesc>
  </teiHeader>
  <facsimile>
    <surface xml:id="f1" n="1">
      <graphic url="images/page-1.png"/>
      <zone xml:id="f1-l1" ulx="100" uly="150" lrx="1100" lry="260"/>
      <zone xml:id="f1-l2" ulx="100" uly="400" lrx="1100" lry="510"/>
    </surface>
    <surface xml:id="f3" n="3" ulx="0" uly="0" lrx="100" lry="150">
      <graphic url="images/page-3.jpg"/>
      <zone xml:id="f3-l1" points="10,10 90,10 90,30 10,30"/>
    </surface>
  </facsimile>
  <text>
    <body>
      <div>
        <pb n="1" facs="#f1"/>
        <p><lb facs="#f1-l1"/>Dear friend, the first line of the first page,
          <lb facs="#f1-l2"/>and the <w facs="#f1-l2">second</w> line of it.</p>
        {filler1}
        <pb n="2" facs="images/page-2.png"/>
        <p>The second page has no zones.</p>
        {filler2}
        <pb n="3" facs="#f3"/>
        <p><seg facs="#f3-l1">The only line of the third page.</seg></p>
        {filler3}
      </div>
    </body>
  </text>
</TEI>
"""


def page_image(path: Path, size: tuple[int, int], label: str, colour: str) -> None:
    """A page image: a coloured page with its label and a few dark lines of 'text'."""
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    for y in range(150, size[1] - 100, 250):
        draw.rectangle((100, y, size[0] - 100, y + 110), fill="#3a3128")
    draw.text((40, 40), label, fill="black")
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)


def make_edition(root: Path, filler: int = 12) -> Path:
    """A one-document edition with three page images made here; `filler` paragraphs after each page's text make
    the pages long enough to scroll past."""
    docs = root / "tei" / "documents"
    (root / "tei" / "registers").mkdir(parents=True, exist_ok=True)
    docs.mkdir(parents=True, exist_ok=True)
    (root / "edition.toml").write_text(EDITION_TOML, encoding="utf-8")
    fill = {
        f"filler{n}": "\n".join(
            f"<p>Paragraph {i} of page {n}, which runs on for a while to fill it.</p>" for i in range(filler)
        )
        for n in (1, 2, 3)
    }
    (docs / "letter-1.xml").write_text(LETTER.format(**fill), encoding="utf-8")
    page_image(docs / "images" / "page-1.png", (1200, 1700), "Page 1", "#efe4cc")
    page_image(docs / "images" / "page-2.png", (1200, 1700), "Page 2", "#cfe0ef")
    page_image(docs / "images" / "page-3.jpg", (800, 1200), "Page 3", "#e6cfe0")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_edition(tmp_path_factory.mktemp("facs"))
    build_edition(load_config(root / "edition.toml"), BuildOptions(pdf=False, jobs=1))
    return root / "build" / "html"


def viewer_data(html: Path) -> dict:
    text = html.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" class="facsimile-data">(.*?)</script>', text, re.S)
    assert found, "the page holds no facsimile data"
    return json.loads(found.group(1))


# ---- Reading the TEI ------------------------------------------------------------------------------------------


def test_read_surfaces_zones_and_pointers(tmp_path: Path) -> None:
    make_edition(tmp_path, filler=0)
    root = etree.parse(str(tmp_path / "tei" / "documents" / "letter-1.xml")).getroot()
    facsimile = read_facsimile(root)
    assert facsimile is not None
    assert [s.id for s in facsimile.surfaces] == ["f1", "images/page-2.png", "f3"]
    assert [s.label for s in facsimile.surfaces] == ["1", "2", "3"]
    assert facsimile.surfaces[2].box == (0.0, 0.0, 100.0, 150.0)
    assert facsimile.surfaces[2].zones[0].points == ((10.0, 10.0), (90.0, 10.0), (90.0, 30.0), (10.0, 30.0))
    assert facsimile.target_map() == {
        "#f1": (0, ""),
        "#f1-l1": (0, "f1-l1"),
        "#f1-l2": (0, "f1-l2"),
        "images/page-2.png": (1, ""),
        "#f3": (2, ""),
        "#f3-l1": (2, "f3-l1"),
    }


def test_tei_test_suite_facsimile_with_coordinates() -> None:
    path = CORPORA / "tei-tests" / "testbasic.xml"
    if not path.exists():
        pytest.skip("shared corpora not present")
    facsimile = read_facsimile(etree.parse(str(path)).getroot())
    assert facsimile is not None
    (grave,) = facsimile.surfaces
    assert grave.box == (358.0, 0.0, 700.0, 681.0)
    assert [z.id for z in grave.zones][:2] == ["line1", "line2"]
    assert facsimile.target_map()["#grave"] == (0, "")


def test_frus_page_tokens_are_not_images() -> None:
    root = etree.fromstring(
        b'<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><pb n="" facs="0002"/><p>x</p></body></text></TEI>'
    )
    assert read_facsimile(root) is None


def test_epidoc_surface_with_two_graphics() -> None:
    path = CORPORA / "epidoc" / "inscriptions" / "ISic020118.xml"
    if not path.exists():
        pytest.skip("shared corpora not present")
    facsimile = read_facsimile(etree.parse(str(path)).getroot())
    assert facsimile is not None
    assert [url for url, _line in facsimile.surfaces[0].images][:2] == ["ISic020118_tiled.tif", "ISic020118.jpg"]


def test_iiif_service_urls() -> None:
    assert iiif_service("https://images.example.org/iiif/p1/info.json") == "https://images.example.org/iiif/p1"
    assert iiif_service("https://images.example.org/iiif/p1") == "https://images.example.org/iiif/p1"
    assert iiif_service("https://images.example.org/scans/p1.jpg") == ""
    assert iiif_service("scans/p1.jpg") == ""
    # an image request of a service (Bullinger's letters name their pages so): the service is its base
    request = "https://iiif.example.ch/iiif/3/10000%2FA%2F00%20Ms_1.tif/full/max/0/default.jpg"
    assert iiif_service(request) == "https://iiif.example.ch/iiif/3/10000%2FA%2F00%20Ms_1.tif"
    assert iiif_service("https://x.org/iiif/p1/0,0,512,512/!256,256/90/gray.png") == "https://x.org/iiif/p1"
    assert iiif_service("https://x.org/photos/full/max/default.jpg") == ""  # no rotation: not a request


# ---- Tiles ----------------------------------------------------------------------------------------------------


def test_tiles_follow_the_level_0_layout() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (1300, 700), "white").save(buffer, "PNG")
    width, height, tiles = make_tiles(buffer.getvalue())
    assert (width, height) == (1300, 700)
    assert scale_factors(1300, 700) == (1, 2, 4)
    paths = dict(tiles)
    # Scale 1: 3 x 2 tiles of 512; the last column 276 wide, the last row 188 high.
    assert "0,0,512,512/512,512/0/default.jpg" in paths
    assert "1024,512,276,188/276,188/0/default.jpg" in paths
    # Scale 2: 2 x 1 tiles, each covering 1024 pixels of the full image.
    assert "0,0,1024,700/512,350/0/default.jpg" in paths
    assert "1024,0,276,700/138,350/0/default.jpg" in paths
    # Scale 4: the whole image in one tile.
    assert "full/325,175/0/default.jpg" in paths
    assert len(tiles) == 6 + 2 + 1
    with Image.open(io.BytesIO(paths["1024,0,276,700/138,350/0/default.jpg"])) as tile:
        assert tile.size == (138, 350) and tile.format == "JPEG"


def test_tile_names_agree_with_the_image_api() -> None:
    assert iiif_tile(0, 0, 400, 300, 400, 300, 400, 300) == "full/max/0/default.jpg"
    assert iiif_tile(0, 0, 400, 300, 200, 150, 400, 300) == "full/200,150/0/default.jpg"
    assert iiif_tile(512, 0, 100, 300, 100, 300, 612, 300) == "512,0,100,300/100,300/0/default.jpg"


def test_info_json_is_level_0() -> None:
    info = json.loads(info_json(TiledImage("p-1", 1300, 700, (1, 2, 4)), "iiif/p-1"))
    assert info["profile"] == "level0" and info["type"] == "ImageService3"
    assert info["tiles"] == [{"width": TILE_SIZE, "scaleFactors": [1, 2, 4]}]
    assert info["sizes"] == [{"width": 325, "height": 175}]
    assert (info["width"], info["height"]) == (1300, 700)


def test_build_writes_tiles_and_info(built: Path) -> None:
    folders = sorted(p.name for p in (built / "iiif").iterdir())
    assert len(folders) == 3 and all(re.fullmatch(r"page-[123]-[0-9a-f]{12}", f) for f in folders)
    page1 = next((built / "iiif").glob("page-1-*"))
    info = json.loads((page1 / "info.json").read_text())
    assert (info["width"], info["height"]) == (1200, 1700)
    factors = info["tiles"][0]["scaleFactors"]
    assert factors == [1, 2, 4]
    for f in factors:  # every tile the info promises is there
        for y in range(0, 1700, TILE_SIZE * f):
            for x in range(0, 1200, TILE_SIZE * f):
                w, h = min(TILE_SIZE * f, 1200 - x), min(TILE_SIZE * f, 1700 - y)
                tile = iiif_tile(x, y, w, h, math.ceil(w / f), math.ceil(h / f), 1200, 1700)
                assert (page1 / tile).is_file(), tile
    # The page images are served as tiles, not copied as they are.
    assert not (built / "images" / "page-1.png").exists()


def test_document_page_has_the_viewer(built: Path) -> None:
    page = built / "documents" / "letter-1" / "index.html"
    html = page.read_text(encoding="utf-8")
    assert 'href="../../assets/facsimile.css"' in html and 'src="../../assets/facsimile.js"' in html
    assert 'class="facsimile-panel"' in html and 'data-pagefind-ignore="all"' in html
    assert (built / "assets" / "facsimile.js").is_file()
    data = viewer_data(page)
    first = data["surfaces"][0]
    assert first["image"]["tiles"].startswith("../../iiif/page-1-")
    assert (first["image"]["width"], first["image"]["height"]) == (1200, 1700)
    assert first["zones"]["f1-l1"] == {"box": [100.0, 150.0, 1100.0, 260.0]}
    assert data["targets"]["#f3-l1"] == [2, "f3-l1"]
    # The text's pointers as data attributes, on the page break, the line break and the word.
    assert re.search(r'<span class="pb" id="page-1"[^>]*data-facs="#f1"', html)
    # (the paragraph's first line break makes no empty line: its pointer stands alone where the line begins)
    assert '<span class="facs" data-facs="#f1-l1"></span>Dear friend' in html
    assert re.search(r'<span[^>]*data-facs="#f1-l2"[^>]*>second</span>', html)
    assert re.search(r'data-facs="images/page-2.png"', html)


def test_pages_without_facsimile_load_nothing_of_it(tmp_path: Path) -> None:
    root = make_edition(tmp_path, filler=0)
    other = (root / "tei" / "documents" / "letter-1.xml").read_text(encoding="utf-8")
    other = re.sub(r"<facsimile>.*</facsimile>", "", other, flags=re.S)
    other = re.sub(r' facs="[^"]*"', "", other).replace('xml:id="letter-1"', 'xml:id="plain"')
    (root / "tei" / "documents" / "plain.xml").write_text(other, encoding="utf-8")
    build_edition(load_config(root / "edition.toml"), BuildOptions(pdf=False, jobs=1))
    html = (root / "build" / "html" / "documents" / "plain" / "index.html").read_text(encoding="utf-8")
    assert "facsimile" not in html


def test_tiles_are_reused_and_remade_when_the_image_changes(tmp_path: Path) -> None:
    root = make_edition(tmp_path, filler=0)
    config = load_config(root / "edition.toml")
    build_edition(config, BuildOptions(pdf=False, jobs=1))
    html = root / "build" / "html"
    before = {p.relative_to(html): p.stat().st_mtime_ns for p in (html / "iiif").rglob("*.jpg")}
    # Another document changes: the tiles are carried over as they are.
    doc = root / "tei" / "documents" / "letter-1.xml"
    doc.write_text(doc.read_text(encoding="utf-8").replace("Dear friend", "Dear reader"), encoding="utf-8")
    build_edition(config, BuildOptions(pdf=False, jobs=1))
    after = {p.relative_to(html): p.stat().st_mtime_ns for p in (html / "iiif").rglob("*.jpg")}
    assert after == before
    # An image changes: its tiles go to a new folder, the old ones are removed.
    page_image(root / "tei" / "documents" / "images" / "page-3.jpg", (800, 1200), "Page 3 again", "#ffffff")
    summary = build_edition(config, BuildOptions(pdf=False, jobs=1))
    assert not summary.up_to_date and summary.changes == "page images changed"
    folders = sorted(p.name for p in (html / "iiif").iterdir())
    assert len(folders) == 3
    old3 = {str(p).split("/")[1] for p in before if str(p).startswith("iiif/page-3")}
    assert not old3 & set(folders)
    assert build_edition(config, BuildOptions(pdf=False, jobs=1)).up_to_date
    # A missing image that appears is noticed too.
    missing = root / "tei" / "documents" / "images" / "page-2.png"
    saved = missing.read_bytes()
    missing.unlink()
    build_edition(config, BuildOptions(pdf=False, jobs=1))
    missing.write_bytes(saved)
    assert not build_edition(config, BuildOptions(pdf=False, jobs=1)).up_to_date
    assert len(list((html / "iiif").iterdir())) == 3
    # A clean build makes the same files.
    clean = tmp_path / "clean"
    shutil.copytree(root / "tei", clean / "tei")
    shutil.copy(root / "edition.toml", clean / "edition.toml")
    build_edition(load_config(clean / "edition.toml"), BuildOptions(pdf=False, jobs=1, clean=True))
    mine = sorted(p.relative_to(html).as_posix() for p in (html / "iiif").rglob("*") if p.is_file())
    theirs = sorted(
        p.relative_to(clean / "build" / "html").as_posix()
        for p in (clean / "build" / "html" / "iiif").rglob("*")
        if p.is_file()
    )
    assert mine == theirs


def test_missing_page_image_is_a_warning(tmp_path: Path) -> None:
    root = make_edition(tmp_path, filler=0)
    (root / "tei" / "documents" / "images" / "page-2.png").unlink()
    (root / "tei" / "documents" / "images" / "page-3.jpg").unlink()
    report = check_edition(load_config(root / "edition.toml"))
    images = [d for d in report.diagnostics if d.rule == "image"]
    assert sorted(d.message.split("'")[1] for d in images) == ["images/page-2.png", "images/page-3.jpg"]
    assert all(d.severity.value == "warning" for d in images)
    assert all(d.message.endswith(": the page viewer shows no image there") for d in images)
    assert sorted(d.line for d in images)[0] == 19  # the graphic of surface f3
    build_edition(load_config(root / "edition.toml"), BuildOptions(pdf=False, jobs=1))
    data = viewer_data(root / "build" / "html" / "documents" / "letter-1" / "index.html")
    assert [s["image"] is None for s in data["surfaces"]] == [False, True, True]
    for image in (root / "tei" / "documents" / "images").iterdir():  # no image at all: no viewer of "0 page images"
        image.unlink()
    build_edition(load_config(root / "edition.toml"), BuildOptions(pdf=False, jobs=1))
    html = (root / "build" / "html" / "documents" / "letter-1" / "index.html").read_text(encoding="utf-8")
    assert "facsimile-panel" not in html and "0 page images" not in html


def test_an_unreadable_image_does_not_stop_the_build(tmp_path: Path) -> None:
    root = make_edition(tmp_path, filler=0)
    (root / "tei" / "documents" / "images" / "page-2.png").write_bytes(b"not an image")
    said = io.StringIO()
    progress = Reporter(verbose=True, stream=said, bars=False)
    build_edition(load_config(root / "edition.toml"), BuildOptions(pdf=False, jobs=1), progress)
    assert "page-2.png: not an image that can be read: the page shows no image" in said.getvalue()
    assert re.search(r"page image page-1.png: 17 tiles made in \d+\.\d\d s", said.getvalue())
    data = viewer_data(root / "build" / "html" / "documents" / "letter-1" / "index.html")
    assert data["surfaces"][1]["image"] is None


# ---- The text's pointers in the HTML --------------------------------------------------------------------------


def transformed(content: str, media: str = "screen") -> str:
    source = (
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T</title></titleStmt>'
        f"</fileDesc></teiHeader><text><body>{content}</body></text></TEI>"
    )
    tree = etree.ElementTree(etree.fromstring(source))
    return Transformer().transform(tree, {"root": "../../", "media": media, "doc-id": "doc"})


def test_pointers_become_data_attributes_on_screen_only() -> None:
    content = (
        '<pb n="1" xml:id="pb1" facs="#s1"/><lg><l facs="#z1" n="1">A line</l></lg>'
        '<p><seg facs="#z2 #z3">two</seg> <w facs="page.jpg">w</w></p>'
    )
    screen = transformed(content)
    # On the page break itself (not on the anchor for its own id), on a verse line, on a segment.
    assert re.search(r'<span class="pb" id="page-1"[^>]*data-facs="#s1"', screen)
    assert '<span id="pb1" class="anchor"></span>' in screen
    assert '<div class="l" data-n="1" data-facs="#z1">A line</div>' in screen
    assert '<span class="tei-seg" data-facs="#z2 #z3">two</span>' in screen
    assert '<span class="tei-w" data-facs="page.jpg">w</span>' in screen
    assert screen.count("A line") == 1  # rendered once, as without @facs
    assert "data-facs" not in transformed(content, "print")
    # A bare token names an image in another system (FRUS): left alone, the output is as without @facs.
    assert transformed('<pb n="2" facs="0002"/><p>x</p>') == transformed('<pb n="2"/><p>x</p>')


def test_a_volumes_parts_show_the_pages_they_point_to() -> None:
    volume = """<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="vol"><teiHeader><fileDesc><titleStmt><title>V</title>
      </titleStmt></fileDesc></teiHeader>
      <facsimile><surface xml:id="s1"><graphic url="a.png"/></surface><surface xml:id="s2"><graphic url="b.png"/>
      <zone xml:id="z2" ulx="1" uly="1" lrx="5" lry="5"/></surface><surface xml:id="s3"><graphic url="c.png"/>
      </surface></facsimile>
      <text><body>
        <div type="document" xml:id="d1"><head>One</head><pb facs="#s1"/><p>a</p></div>
        <div type="document" xml:id="d2"><head>Two</head><pb facs="#s2"/><p><lb facs="#z2"/>b</p><pb facs="#s3"/></div>
      </body></text></TEI>"""
    tree = etree.ElementTree(etree.fromstring(volume))
    documents = read_documents(tree, Path("vol.xml"), find_parts(tree, DEFAULT_SPLIT))
    by_id = {doc.id: doc.facsimile for doc in documents}
    assert [s.id for s in by_id["vol"].surfaces] == ["s1", "s2", "s3"]  # type: ignore[union-attr]
    assert [s.id for s in by_id["vol-d1"].surfaces] == ["s1"]  # type: ignore[union-attr]
    two = by_id["vol-d2"]
    assert two is not None and [s.id for s in two.surfaces] == ["s2", "s3"]
    assert two.target_map() == {"#s2": (0, ""), "#z2": (0, "z2"), "#s3": (1, "")}


# ---- IIIF image services elsewhere ----------------------------------------------------------------------------

REMOTE = """<surface xml:id="f4" n="4"><graphic url="https://images.example.org/iiif/p4/info.json"/></surface>
  </facsimile>"""


def remote_edition(root: Path, allowed: bool) -> Path:
    make_edition(root, filler=0)
    doc = root / "tei" / "documents" / "letter-1.xml"
    doc.write_text(doc.read_text(encoding="utf-8").replace("</facsimile>", REMOTE, 1), encoding="utf-8")
    if allowed:
        toml = root / "edition.toml"
        toml.write_text(toml.read_text().replace('dir = "build"', 'dir = "build"\nremote_images = true'))
    build_edition(load_config(root / "edition.toml"), BuildOptions(pdf=False, jobs=1))
    return root / "build" / "html" / "documents" / "letter-1" / "index.html"


def test_a_remote_image_service_is_only_linked_by_default(tmp_path: Path) -> None:
    page = remote_edition(tmp_path, allowed=False)
    data = viewer_data(page)
    assert data["surfaces"][3]["image"] == {"link": "https://images.example.org/iiif/p4/info.json"}
    html = page.read_text(encoding="utf-8")
    assert "default-src 'self';" in html and "img-src 'self' data:;" in html


def test_a_remote_image_service_is_shown_when_the_edition_allows_it(tmp_path: Path) -> None:
    page = remote_edition(tmp_path, allowed=True)
    data = viewer_data(page)
    assert data["surfaces"][3]["image"] == {"service": "https://images.example.org/iiif/p4"}
    html = page.read_text(encoding="utf-8")
    assert "default-src 'self' https://images.example.org;" in html
    assert "img-src 'self' data: https://images.example.org;" in html


# ---- IIIF Presentation manifests ------------------------------------------------------------------------------

MANIFEST_V3 = {
    "@context": "http://iiif.io/api/presentation/3/context.json",
    "id": "https://example.org/manifest.json",
    "type": "Manifest",
    "items": [
        {
            "id": "https://example.org/canvas/1",
            "type": "Canvas",
            "label": {"en": ["f. 1r"]},
            "width": 1200,
            "height": 1700,
            "items": [
                {
                    "type": "AnnotationPage",
                    "items": [{"type": "Annotation", "body": {"id": "scans/page-1.png", "type": "Image"}}],
                }
            ],
        },
        {
            "id": "https://example.org/canvas/2",
            "type": "Canvas",
            "label": {"en": ["f. 1v"]},
            "width": 300,
            "height": 400,
            "items": [
                {
                    "type": "AnnotationPage",
                    "items": [
                        {
                            "type": "Annotation",
                            "body": {
                                "id": "https://images.example.org/iiif/p2/full/max/0/default.jpg",
                                "service": [{"id": "https://images.example.org/iiif/p2", "type": "ImageService3"}],
                            },
                        }
                    ],
                }
            ],
        },
    ],
}

MANIFEST_V2 = {
    "@context": "http://iiif.io/api/presentation/2/context.json",
    "@id": "https://example.org/manifest2.json",
    "sequences": [
        {
            "canvases": [
                {
                    "@id": "https://example.org/c1",
                    "label": "p. 1",
                    "width": 10,
                    "height": 20,
                    "images": [
                        {
                            "resource": {
                                "@id": "https://x.org/i/full/full/0/default.jpg",
                                "service": {"@id": "https://x.org/i"},
                            }
                        }
                    ],
                }
            ]
        }
    ],
}


def test_manifest_versions_2_and_3(tmp_path: Path) -> None:
    from tei_edition.web.manifests import Canvas, ManifestError, canvases, read_manifest

    assert canvases(MANIFEST_V2) == [
        Canvas("https://example.org/c1", "p. 1", 10, 20, "https://x.org/i/full/full/0/default.jpg", "https://x.org/i")
    ]
    found = canvases(MANIFEST_V3)
    assert [(c.id, c.label, c.image, c.service) for c in found] == [
        ("https://example.org/canvas/1", "f. 1r", "scans/page-1.png", ""),
        (
            "https://example.org/canvas/2",
            "f. 1v",
            MANIFEST_V3["items"][1]["items"][0]["items"][0]["body"]["id"],  # type: ignore[index]
            "https://images.example.org/iiif/p2",
        ),
    ]
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ManifestError, match="is not JSON"):
        read_manifest(bad)
    with pytest.raises(ManifestError, match="neither items nor sequences"):
        canvases({"type": "Collection"})


def test_a_local_manifest_gives_the_pages(tmp_path: Path) -> None:
    root = make_edition(tmp_path, filler=0)
    docs = root / "tei" / "documents"
    (docs / "iiif").mkdir()
    (docs / "iiif" / "scans").mkdir()
    shutil.copy(docs / "images" / "page-1.png", docs / "iiif" / "scans" / "page-1.png")
    (docs / "iiif" / "manifest.json").write_text(json.dumps(MANIFEST_V3), encoding="utf-8")
    text = (docs / "letter-1.xml").read_text(encoding="utf-8")
    # Two surfaces without images of their own: the manifest's canvases stand in their place.
    surfaces = '<facsimile sameAs="iiif/manifest.json"><surface xml:id="s1"/><surface xml:id="s2"/></facsimile>'
    text = re.sub(r"<facsimile>.*</facsimile>", surfaces, text, flags=re.S)
    text = text.replace('facs="#f1"', 'facs="https://example.org/canvas/1"').replace(
        'facs="#f3"', 'facs="https://example.org/canvas/2"'
    )
    text = re.sub(r' facs="#f[13]-l\d"', "", text).replace(' facs="images/page-2.png"', "")
    (docs / "letter-1.xml").write_text(text, encoding="utf-8")
    build_edition(load_config(root / "edition.toml"), BuildOptions(pdf=False, jobs=1))
    page = root / "build" / "html" / "documents" / "letter-1" / "index.html"
    data = viewer_data(page)
    assert [s["label"] for s in data["surfaces"]] == ["f. 1r", "f. 1v"]
    assert data["surfaces"][0]["image"]["tiles"].startswith("../../iiif/page-1-")
    assert data["surfaces"][1]["image"] == {"link": "https://images.example.org/iiif/p2/info.json"}
    assert data["targets"] == {"https://example.org/canvas/1": [0, ""], "https://example.org/canvas/2": [1, ""]}
    assert 'data-facs="https://example.org/canvas/1"' in page.read_text(encoding="utf-8")
    # The manifest is watched: a change to it alone rebuilds.
    manifest = docs / "iiif" / "manifest.json"
    changed = json.loads(manifest.read_text())
    changed["items"][0]["label"] = {"en": ["folio 1 recto"]}
    manifest.write_text(json.dumps(changed))
    assert not build_edition(load_config(root / "edition.toml"), BuildOptions(pdf=False, jobs=1)).up_to_date
    assert viewer_data(page)["surfaces"][0]["label"] == "folio 1 recto"


def test_an_epidoc_inscription_with_its_photograph(tmp_path: Path) -> None:
    """I.Sicily's facsimile names a tiled TIFF for the screen and a JPEG for print: with only the JPEG at hand, the
    page shows it, and the missing TIFF is a warning."""
    source = CORPORA / "epidoc" / "inscriptions" / "ISic020118.xml"
    if not source.exists():
        pytest.skip("shared corpora not present")
    docs = tmp_path / "tei" / "documents"
    docs.mkdir(parents=True)
    (tmp_path / "tei" / "registers").mkdir()
    shutil.copy(source, docs)
    (tmp_path / "edition.toml").write_text('[edition]\ntitle = "Inscriptions"\n[pdf]\nenabled = false\n')
    page_image(docs / "ISic020118.jpg", (1380, 920), "ISic020118", "#d8d2c4")
    config = load_config(tmp_path / "edition.toml")
    images = [d for d in check_edition(config).diagnostics if d.rule == "image"]
    assert [d.message.split("'")[1] for d in images] == ["ISic020118_tiled.tif"]
    build_edition(config, BuildOptions(pdf=False, jobs=1))
    (page,) = (tmp_path / "build" / "html" / "documents").glob("*/index.html")
    (surface,) = viewer_data(page)["surfaces"]
    assert surface["image"]["tiles"].startswith("../../iiif/ISic020118-")
    assert (surface["image"]["width"], surface["image"]["height"]) == (1380, 920)


def test_a_page_image_named_by_a_path_that_climbs_out_is_a_warning(tmp_path: Path) -> None:
    """EpiDoc projects name their photographs from the project's root ('../../images/x.jpg'): the site cannot follow
    such a path, which the validation says rather than passing over the image in silence."""
    from tei_edition.validate.media import PAGE_IMAGE, check_images

    document = tmp_path / "tei" / "x.xml"
    found = check_images(document, [("../../images/a b.jpg", 7), ("../../images/a b.jpg", 9)], tmp_path, PAGE_IMAGE)
    assert [(d.line, d.rule, d.severity.value) for d in found] == [(7, "image", "warning")]
    assert "'../../images/a b.jpg' is named by a path that climbs out of the document's folder" in found[0].message
    assert check_images(document, [("https://example.org/../a.jpg", 3)], tmp_path, PAGE_IMAGE) == []
