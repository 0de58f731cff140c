"""The reader's aids the XSLT adds to the screen text: paragraph numbers, the key to the editorial signs, the notes
listed at the end (series, runs of identical notes) and the marks only the diplomatic view shows.

The exact markup of the sample's documents is in the golden files (tests/test_xslt.py regenerates them)."""

from __future__ import annotations

import re

import pytest
from lxml import html

from tei_edition.transform.xslt import Transformer
from test_xslt import normalise, render_doc


@pytest.fixture(scope="module")
def transformer() -> Transformer:
    return Transformer()


def page(transformer: Transformer, body: str, media: str = "screen") -> html.HtmlElement:
    """The rendered fragment for the content of <body>, parsed."""
    return html.fragment_fromstring(render_doc(transformer, f"<body>{body}</body>", media))


# ----- paragraph numbers -----


def test_paragraphs_of_the_body_are_numbered_with_links_to_themselves(transformer: Transformer) -> None:
    out = page(
        transformer,
        "<div><p>One</p><p>Two<note>In a note: <p>not counted</p></note></p></div>"
        "<div><p>Three <quote><p>quoted, not counted</p></quote></p></div>",
    )
    numbers = out.xpath("//a[@class='para-n']")
    assert [a.get("id") for a in numbers] == ["p-1", "p-2", "p-3"]
    assert [a.get("href") for a in numbers] == ["#p-1", "#p-2", "#p-3"]
    assert [a.get("aria-label") for a in numbers] == ["Paragraph 1", "Paragraph 2", "Paragraph 3"]
    assert numbers[0].text_content() == "\u00b6\u00a01"
    assert all(a.getparent().tag == "p" and a.getparent().index(a) == 0 for a in numbers)
    assert all(a.get("data-pagefind-ignore") == "" for a in numbers)


def test_a_paragraph_anchor_never_takes_an_id_of_the_source(transformer: Transformer) -> None:
    out = page(transformer, '<p>One</p><p xml:id="p-2">Two</p><p>Three</p>')
    assert [a.get("id") for a in out.xpath("//a[@class='para-n']")] == ["p-1", "para-2", "p-3"]
    assert out.xpath("//p[@id='p-2']")  # the source's own id is kept on its paragraph
    ids = out.xpath("//@id")
    assert len(ids) == len(set(ids))


def test_front_matter_and_print_have_no_paragraph_numbers(transformer: Transformer) -> None:
    source = "<front><p>Preface</p></front><body><p>Text</p></body>"
    screen = html.fragment_fromstring(render_doc(transformer, source))
    assert [a.get("id") for a in screen.xpath("//a[@class='para-n']")] == ["p-1"]
    assert screen.xpath("//a[@class='para-n']/ancestor::div[@class='body']")
    printed = render_doc(transformer, source, media="print")
    assert "para-n" not in printed and "signs-key" not in printed


# ----- the key to the editorial signs -----


def key_entries(out: html.HtmlElement) -> list[str]:
    return [dd.text_content() for dd in out.xpath("//details[@class='signs-key']//dd")]


def test_the_key_lists_only_the_signs_the_text_uses(transformer: Transformer) -> None:
    out = page(transformer, '<p>A <gap reason="illegible"/> and <del>gone</del>.</p>')
    key = out.xpath("//details[@class='signs-key']")
    assert len(key) == 1 and key[0].get("open") is None  # collapsed until opened
    assert key[0].get("data-pagefind-ignore") == "all"
    assert key[0].xpath("summary")[0].text_content() == "Key to the editorial signs"
    entries = key_entries(out)
    assert len(entries) == 3
    assert entries[0].startswith("The paragraph\u2019s number")
    assert entries[1].startswith("Matter the editors could not read or left out")  # the PDF's wording
    assert entries[2].startswith("Deleted in the source")
    assert not any("Supplied" in e or "page of the source" in e for e in entries)
    assert out.xpath("//details[@class='signs-key']//dt")[1].text_content() == "[illegible]"


def test_the_key_names_page_breaks_supplied_words_corrections_and_notes(transformer: Transformer) -> None:
    out = page(
        transformer,
        '<pb n="12"/><p>A <supplied>word</supplied> <choice><sic>teh</sic><corr>the</corr></choice>'
        '<note n="4">x</note><note>y</note> <pb/> <add>more</add> <unclear>faint</unclear></p>',
    )
    entries = key_entries(out)
    assert "A page of the source begins here; its number stands in the margin." in entries
    assert "Supplied by the editors." in entries
    assert any(e.startswith("A page of the source begins here; the source does not number it") for e in entries)
    assert any(e.startswith("The editors\u2019 correction of the source") for e in entries)
    assert any(e.startswith("A note: select the number") for e in entries)
    assert any(e.startswith("Added in the source") for e in entries)
    assert any(e.startswith("Unclear in the source") for e in entries)


def test_a_text_without_paragraphs_or_signs_has_no_key(transformer: Transformer) -> None:
    assert "signs-key" not in render_doc(transformer, "<body><ab>Just a line</ab></body>")


# ----- the diplomatic view's marks -----


def test_marks_only_the_diplomatic_view_shows(transformer: Transformer) -> None:
    out = normalise(
        render_doc(
            transformer,
            '<body><p><add place="above">over</add> <unclear>dim</unclear> <gap reason="illegible" quantity="1" '
            'unit="signature"/></p></body>',
        )
    )
    assert '<span class="dipl-only dipl-sign">\u2e22</span>over<span class="dipl-only dipl-sign">\u2e23</span>' in out
    assert '<span class="unclear-mark dipl-only">?</span>' in out
    assert '[illegible<span class="dipl-only" data-pagefind-ignore="">, 1 signature</span>]' in out


# ----- notes at the end -----

MISSING = '<note n="{n}" type="source"><gap reason="not-in-excerpt"/></note>'


def test_consecutive_identical_notes_are_one_line_and_every_marker_still_lands(transformer: Transformer) -> None:
    notes = "".join(MISSING.format(n=n) for n in range(40, 49))
    out = page(transformer, f"<p>Text{notes}</p><p>More<note n='49'>A real note.</note></p>")
    items = out.xpath("//section[@class='notes']//li")
    assert len(items) == 2
    run = items[0]
    assert run.xpath("span[contains(@class, 'note-run-label')]")[0].text_content() == "Notes 40\u201348:"
    assert "The text of these notes is not part of this transcription." in run.text_content()
    for n in range(40, 49):
        marker = out.xpath(f"//a[@class='noteref'][@id='noteref-{n}']")[0]
        target = out.xpath(f"//*[@id='{marker.get('href')[1:]}']")
        assert target and target[0].xpath("ancestor-or-self::li")[0] is run
    backs = run.xpath(".//a[@class='noteback']/@href")
    assert backs == [f"#noteref-{n}" for n in range(40, 49)]
    assert items[1].get("id") == "note-49" and "A real note." in items[1].text_content()


def test_notes_that_differ_or_are_apart_stay_apart(transformer: Transformer) -> None:
    out = page(
        transformer,
        f"<p>a{MISSING.format(n=1)}{MISSING.format(n=2)}<note n='3'>Other.</note>{MISSING.format(n=4)}"
        f"<note n='5'>Same.</note><note n='6'>Same.</note></p>",
    )
    labels = [
        (li.xpath("span[contains(@class, 'note-run-label')]") or [li])[0].text_content().split(":")[0]
        if "note-run" in (li.get("class") or "")
        else li.get("value")
        for li in out.xpath("//section[@class='notes']//li")
    ]
    assert labels == ["Notes 1 and 2", "3", "4", "Notes 5 and 6"]


def test_the_source_notes_and_the_editors_notes_are_listed_apart(transformer: Transformer) -> None:
    out = page(
        transformer,
        f"<p>a<note type='editorial'>Ours.</note>{MISSING.format(n=40)}{MISSING.format(n=41)}"
        f"<note type='editorial'>Ours too.</note>{MISSING.format(n=42)}</p>",
    )
    section = out.xpath("//section[@class='notes']")[0]
    assert [h.text_content() for h in section.xpath("h2 | h3")] == [
        "Notes",
        "The source\u2019s notes",
        "The editors\u2019 notes",
    ]
    lists = section.xpath("ol")
    assert "Notes 40\u201342" in lists[0].text_content()
    assert [li.get("id") for li in lists[1].xpath("li")] == ["note-a", "note-b"]


def test_one_series_has_no_series_headings(transformer: Transformer) -> None:
    out = normalise(render_doc(transformer, "<body><p>a<note>One.</note><note>Two.</note></p></body>"))
    assert re.search(r'<h2 class="notes-head">Notes</h2><ol class="note-list"><li id="note-1"', out)
    assert "notes-series" not in out


# ----- a volume whose documents have pages of their own -----


def test_each_part_of_a_volume_numbers_its_paragraphs_and_has_its_own_key(transformer: Transformer) -> None:
    from lxml import etree

    source = (
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>V</title></titleStmt>'
        "</fileDesc></teiHeader><text><front><p>Preface</p></front><body>"
        '<div type="document" xml:id="d1"><p>One <del>x</del></p><p>Two</p></div>'
        '<div type="document" xml:id="d2"><p>Three <supplied>y</supplied></p></div>'
        "</body></text></TEI>"
    )
    tree = etree.ElementTree(etree.fromstring(source))
    out = transformer.transform(tree, {"doc-id": "vol", "split": "//*:div[@type='document']"})
    pages = dict(re.findall(r"<!--ed:part (\S+)-->(.*?)(?=<!--ed:part|\Z)", out, flags=re.S))
    volume = out.split("<!--ed:part", 1)[0]
    assert set(pages) == {"vol-d1", "vol-d2"}
    assert "Deleted in the source" not in volume and "Supplied by the editors" not in volume
    first, second = (html.fragment_fromstring(pages[p]) for p in ("vol-d1", "vol-d2"))
    assert [a.get("id") for a in first.xpath("//a[@class='para-n']")] == ["p-1", "p-2"]
    assert [a.get("id") for a in second.xpath("//a[@class='para-n']")] == ["p-1"]
    assert any(e.startswith("Deleted in the source") for e in key_entries(first))
    assert not any(e.startswith("Supplied") for e in key_entries(first))
    assert "Supplied by the editors." in key_entries(second)
