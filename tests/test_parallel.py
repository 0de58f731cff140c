"""Parallel texts: versions of a text in different languages side by side, aligned row by row where the encoding
pairs their units (@corresp, link), else as whole columns, each marked with its language."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree, html

from tei_edition.print.typst_markup import BodyContext, body_markup
from tei_edition.transform.xslt import Transformer
from test_site import build_site

REPO = Path(__file__).resolve().parent.parent
BILINGUAL = REPO / "tests" / "data" / "editions" / "apparatus" / "tei" / "documents" / "bilingual.xml"
EPIDOC = REPO.parent / "shared" / "corpora" / "epidoc" / "inscriptions"
TEI = "http://www.tei-c.org/ns/1.0"


@pytest.fixture(scope="module")
def transformer() -> Transformer:
    return Transformer()


def by_class(el: etree._Element, cls: str) -> list[html.HtmlElement]:
    return el.xpath(f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]")


def render(transformer: Transformer, tree: etree._ElementTree) -> html.HtmlElement:
    return html.fragment_fromstring(transformer.transform(tree, {"root": "../../", "media": "screen", "doc-id": "d"}))


def render_text(transformer: Transformer, text: str) -> html.HtmlElement:
    source = f'<TEI xmlns="{TEI}" xml:lang="en"><teiHeader/><text>{text}</text></TEI>'
    return render(transformer, etree.ElementTree(etree.fromstring(source)))


_READING_TEXT = ".//text()[not(ancestor::*[@popover] or ancestor::button)]"  # without the apparatus


def cells(row: etree._Element) -> list[tuple[str | None, str]]:
    """Each cell's language and its paragraphs' text."""
    return [
        (c.get("lang"), " ".join(" ".join("".join(p.xpath(_READING_TEXT)).split()) for p in c.iter("p")))
        for c in by_class(row, "parallel-cell")
    ]


def test_units_paired_by_corresp_and_links_share_a_row(transformer: Transformer) -> None:
    page = render(transformer, etree.parse(str(BILINGUAL)))
    block = by_class(page, "parallel")[0]
    assert "parallel-aligned" in block.get("class")
    rows = [r for r in by_class(block, "parallel-row") if "parallel-labels" not in r.get("class")]
    assert [cells(r) for r in rows] == [
        [("de", "Die Bibliothek bleibt am Montag geschlossen."), ("en", "The library stays closed on Monday.")],
        [("de", "Bücher werden am Dienstag zurückgenommen."), ("en", "Books are taken back on Tuesday.")],
        [("de", "Die Leitung."), ("en", "The management.")],
    ]
    # Labels name the languages (from langUsage); the switch is written hidden, for the script to show.
    assert [p.text_content() for p in by_class(block, "parallel-label")] == ["German", "English"]
    switch = by_class(block, "parallel-switch")[0]
    assert switch.get("hidden") is not None
    assert [b.text_content() for b in switch] == ["German", "English", "Both"]
    assert "tei-link" not in etree.tostring(page, encoding="unicode")


def test_unaligned_units_follow_the_last_aligned_one(transformer: Transformer) -> None:
    page = render_text(
        transformer,
        '<body><div type="edition" xml:lang="la"><p>Prooemium.</p><p xml:id="l1">Gallia est omnis divisa.</p>'
        "<p>Horum omnium fortissimi.</p></div>"
        '<div type="translation" xml:lang="en"><p>Preface.</p><p corresp="#l1">All Gaul is divided.</p>'
        "<p>Of all these the bravest.</p></div></body>",
    )
    rows = [r for r in by_class(page, "parallel-row") if "parallel-labels" not in r.get("class")]
    assert [cells(r) for r in rows] == [
        [("la", "Prooemium."), ("en", "Preface.")],
        [
            ("la", "Gallia est omnis divisa. Horum omnium fortissimi."),
            ("en", "All Gaul is divided. Of all these the bravest."),
        ],
    ]
    assert [p.text_content() for p in by_class(page, "parallel-label")] == ["Latin", "English"]


def test_a_group_of_texts_in_two_languages_is_shown_as_two_columns(transformer: Transformer) -> None:
    page = render_text(
        transformer,
        '<group><text xml:lang="fr"><body><p>Bonjour.</p><p>Au revoir.</p></body></text>'
        '<text xml:lang="it"><body><p>Buongiorno.</p><p>Arrivederci.</p></body></text></group>',
    )
    block = by_class(page, "parallel")[0]
    assert "parallel-whole" in block.get("class")
    rows = [r for r in by_class(block, "parallel-row") if "parallel-labels" not in r.get("class")]
    assert len(rows) == 1
    assert cells(rows[0]) == [("fr", "Bonjour. Au revoir."), ("it", "Buongiorno. Arrivederci.")]


def test_one_language_or_an_empty_translation_is_no_parallel_text(transformer: Transformer) -> None:
    page = render_text(
        transformer,
        '<body><div type="edition" xml:lang="la"><ab>Text.</ab></div>'
        '<div type="translation" xml:lang="en"><p><!-- none yet --></p></div></body>',
    )
    assert not by_class(page, "parallel")
    assert "Text." in page.text_content()


@pytest.mark.skipif(not EPIDOC.is_dir(), reason="the shared EpiDoc corpus is not beside the repository")
def test_an_epidoc_edition_and_its_translation_stand_side_by_side(transformer: Transformer) -> None:
    page = render(transformer, etree.parse(str(EPIDOC / "ISic000100.xml")))
    block = by_class(page, "parallel")[0]
    langs = [c.get("lang") for c in by_class(block, "parallel-cell")]
    assert langs == ["la", "en"]
    assert [p.text_content() for p in by_class(block, "parallel-label")] == ["Latin", "English"]
    assert "To Antia Cleopatra" in by_class(block, "parallel-cell")[1].text_content()
    # The translations that hold no text yet (only a comment) make no column.
    assert not by_class(render(transformer, etree.parse(str(EPIDOC / "ISic020118.xml"))), "parallel")


def test_each_version_in_another_language_is_a_search_record_in_that_language(tmp_path: Path) -> None:
    out = build_site(BILINGUAL.parents[2], tmp_path / "site")
    page = html.parse(str(out / "documents" / "bilingual" / "index.html")).getroot()
    german = [c for c in by_class(page, "parallel-cell") if c.get("lang") == "de"]
    english = [c for c in by_class(page, "parallel-cell") if c.get("lang") == "en"]
    # The document's page is the record of its own language (en); the German version is searched from its page.
    assert german and all(c.get("data-pagefind-ignore") == "all" and c.get("data-ed-version") == "de" for c in german)
    assert english and all(c.get("data-pagefind-ignore") is None for c in english)
    assert all(el.get("data-pagefind-ignore") is not None for el in by_class(page, "parallel-switch"))
    version = html.parse(str(out / "documents" / "bilingual" / "versions" / "de" / "index.html")).getroot()
    assert version.get("lang") == "de"
    body = version.xpath("//*[@data-pagefind-body]")[0]
    assert "Die Bibliothek bleibt am Montag geschlossen." in body.text_content()
    assert "The library" not in body.text_content()
    assert version.xpath("//h1/@data-pagefind-meta") == ["title:A notice and its translation (German)"]
    assert "../../../../documents/bilingual/" in [a.get("href") for a in version.iter("a")]
    assert not (out / "documents" / "variants" / "versions").exists()


def test_the_pdf_sets_the_versions_side_by_side_each_in_its_language() -> None:
    tree = etree.parse(str(BILINGUAL))
    body = Transformer().transform(tree, {"root": "", "media": "print", "doc-id": "bilingual"})
    assert "parallel-switch" not in body
    markup = body_markup(body, BodyContext("bilingual", BILINGUAL.parents[2]))
    assert markup.startswith('#text(lang: "en")[#grid(columns: (1fr, 1fr)')
    assert "upper[German]" in markup and "upper[English]" in markup
    assert '[#text(lang: "de")[Die Bibliothek bleibt am Montag geschlossen\\.]]' in markup
    # The apparatus entry of a cell is set after the grid, not inside it.
    assert markup.index("#place(bottom, float: true") > markup.index("The management")
