"""The fixture edition of the PDF tests (tests/data/pdf/) and what they read PDFs with, for both engines' tests.

Its print bodies (tests/data/pdf/print/*.html) are written by hand to the print contract of the XSLT (ids n1, n2...
numbered like the model's mention anchors), so the tests do not depend on the stylesheets.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tei_edition.config import load_config
from tei_edition.output.writer import OutputWriter
from tei_edition.print import render_pdfs
from tei_edition.tei.edition import EditionData, collect_edition
from tei_edition.validate import parse_edition

FIXTURE = Path(__file__).parent / "data" / "pdf"
BUILD_DATE = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
POPPLER = bool(shutil.which("pdftotext") and shutil.which("pdffonts"))


@dataclass
class Built:
    data: EditionData
    folder: Path
    count: int

    @property
    def edition(self) -> Path:
        return self.folder / "edition.pdf"


def load_fixture(engine: str, **print_settings: object) -> EditionData:
    """The fixture edition, its PDFs set by `engine`, with other [pdf] settings replaced as given."""
    config = load_config(FIXTURE / "edition.toml")
    config = dataclasses.replace(config, print=dataclasses.replace(config.print, engine=engine, **print_settings))
    data = collect_edition(config, parse_edition(config))
    data.build_date = BUILD_DATE
    return data


def fixture_bodies(data: EditionData) -> dict[str, str]:
    return {doc.id: (FIXTURE / "print" / f"{doc.id}.html").read_text(encoding="utf-8") for doc in data.documents}


def build(
    data: EditionData, target: Path, jobs: int | None = None, bodies: dict[str, str] | None = None, store: Any = None
) -> int:
    """Write the PDFs into `target` as a build does: all of them, or none when anything fails."""
    writer = OutputWriter(target)
    try:
        count = render_pdfs(data, fixture_bodies(data) if bodies is None else bodies, writer, jobs=jobs, store=store)
    except BaseException:
        writer.abort()
        raise
    writer.commit()
    return count


def page_texts(pdf: Path) -> list[str]:
    import pypdf

    return [re.sub(r"\s+", " ", page.extract_text() or "") for page in pypdf.PdfReader(pdf).pages]


def text_in_rect(pdf: Path, page_index: int, rect: list[float], page_height: float) -> str:
    """The text inside a rectangle of a page (PDF coordinates), read with pdftotext's crop box."""
    x0, y0, x1, y1 = (float(v) for v in rect)
    left, top = min(x0, x1), page_height - max(y0, y1)
    width, height = abs(x1 - x0), abs(y1 - y0)
    result = subprocess.run(
        [
            "pdftotext",
            "-f",
            str(page_index + 1),
            "-l",
            str(page_index + 1),
            "-r",
            "72",
            "-x",
            str(round(left)),
            "-y",
            str(int(top) - 1),
            "-W",
            str(round(width)),
            "-H",
            str(int(height) + 2),
            str(pdf),
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def to_unicode_map(font: Any) -> set[str]:
    """The characters a PDF font's ToUnicode CMap maps glyphs to."""
    stream = font.get("/ToUnicode")
    if stream is None:
        return set()
    data = stream.get_object().get_data().decode("latin-1")
    chars: set[str] = set()
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for _cid, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            chars.add(bytes.fromhex(uni).decode("utf-16-be"))
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, uni in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            start = int(uni, 16)
            chars.update(chr(start + i) for i in range(int(hi, 16) - int(lo, 16) + 1))
    return chars


def fonts_by_character(pdf: Path) -> dict[str, set[str]]:
    """Character -> names of the fonts that draw it, over every page."""
    import pypdf

    drawn: dict[str, set[str]] = {}
    for page in pypdf.PdfReader(pdf).pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {})
        for font in fonts.get_object().values():
            font = font.get_object()
            for char in to_unicode_map(font):
                drawn.setdefault(char, set()).add(str(font["/BaseFont"]))
    return drawn


def left_edge(pdf: Path) -> float:
    """The smallest x of any word on the first page, in points (poppler's pdftotext -bbox)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return min(float(x) for x in re.findall(r'xMin="([\d.]+)"', html))


def check_metadata(built: Built) -> None:
    """The document information of the fixture's edition and of one document's PDF, as either engine writes it."""
    import pypdf

    reader = pypdf.PdfReader(built.edition)
    info = reader.metadata
    config = built.data.config
    assert info is not None
    assert info.title == config.title
    assert info.author == "Ada Editor, Ben Checker"
    assert info.subject == config.subtitle
    assert "fixture" in info["/Keywords"]
    assert info["/CreationDate"].startswith("D:20240501120000")
    assert info["/ModDate"] == info["/CreationDate"]
    assert reader.trailer["/Root"]["/Lang"] == "en"
    single = pypdf.PdfReader(built.folder / "documents" / "1951-11-beijing-telegram.pdf").metadata
    assert single is not None
    assert single.title == "Mao Zedong to Stalin on the armistice talks, November 1951"
    assert single.author == "Mao Zedong"


def check_scripts_drawn(built: Built) -> dict[str, set[str]]:
    """Hangul and Chinese drawn with an embedded CJK face, Cyrillic with the text face; the fonts by character."""
    drawn = fonts_by_character(built.edition)
    for char in "김일성毛泽东":
        assert drawn.get(char), f"{char} is not drawn at all"
        assert all("CJK" in name for name in drawn[char]), f"{char} is drawn with {drawn[char]}"
    for char in "Сталин":
        assert drawn.get(char) and all("Garamond" in name for name in drawn[char]), drawn.get(char)
    return drawn


def check_missing_body_is_named(data: EditionData, target: Path) -> None:
    """A document without a print body is a BuildError naming its file, and no PDF is written."""
    import pytest

    from tei_edition.errors import BuildError

    bodies = fixture_bodies(data)
    del bodies["1967-06-report"]
    with pytest.raises(BuildError, match=r"1967-06-report\.xml: no print text was made"):
        build(data, target, bodies=bodies)
    assert not target.exists()


def check_page_numbers_and_left_heads(
    pages: list[str], title: str, openings: set[int], first: int, labels: list[str] | None = None
) -> None:
    """From page index `first` on, every page shows its number (`labels`: the printed numbers, when they are not
    the pages' places in the file); a part's opening page has no running head, and every other left (even) page has
    the edition's title as its head."""
    for index in range(first, len(pages)):
        number = index + 1
        printed = labels[index] if labels else str(number)
        assert re.search(rf"(^|\s){printed}(\s|$)", pages[index]), f"page {number} shows no page number {printed}"
        if index in openings:
            assert title not in pages[index], f"page {number} opens a part and has a running head"
        elif number % 2 == 0:
            assert title in pages[index], f"left page {number} has no running head"
