"""The XSLT rules, one test per rule: a small TEI text in, the expected HTML out.

Comparisons collapse runs of whitespace into one space (light normalisation).
The golden files in tests/golden/text/ hold the exact output for each document of the sample
edition (tei/documents/*.xml); after an intended change, regenerate them with

    UPDATE_GOLDEN=1 PYTHONPATH=src pytest tests/test_xslt.py

and review the diff before committing.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import tinyhtml5
from lxml import etree, html

from tei_edition.transform.xslt import XSLT_DIR, Transformer

REPO = Path(__file__).resolve().parent.parent
GOLDEN_DIR = REPO / "tests" / "golden" / "text"
DOCUMENTS = sorted((REPO / "tei" / "documents").glob("*.xml"))
TEI = "http://www.tei-c.org/ns/1.0"


@pytest.fixture(scope="module")
def transformer() -> Transformer:
    return Transformer()


def normalise(markup: str) -> str:
    """Collapse runs of whitespace (a space between two inline elements is significant, so it stays)."""
    return re.sub(r"[ \t\r\n]+", " ", markup).strip()


def render_doc(transformer: Transformer, text: str, media: str = "screen", lang: str = "en") -> str:
    """The fragment for a TEI document whose <text> content is given."""
    source = (
        f'<TEI xmlns="{TEI}" xml:lang="{lang}"><teiHeader><fileDesc><titleStmt><title>T</title>'
        f"</titleStmt></fileDesc></teiHeader><text>{text}</text></TEI>"
    )
    tree = etree.ElementTree(etree.fromstring(source))
    return transformer.transform(tree, {"root": "../../", "media": media, "doc-id": "doc"})


READER_AIDS = re.compile(r'<details class="signs-key".*?</details>|<a class="para-n"[^>]*>[^<]*</a>')


def without_reader_aids(markup: str) -> str:
    """The markup without the key to the signs and the paragraph numbers (tested on their own below)."""
    return READER_AIDS.sub("", markup)


def body(transformer: Transformer, content: str, media: str = "screen") -> str:
    """The normalised HTML rendered for the content of <body>, without the wrappers and the reader's aids."""
    out = without_reader_aids(normalise(render_doc(transformer, f"<body>{content}</body>", media)))
    found = re.fullmatch(
        r'<div class="tei-text" lang="en" data-doc="doc"><div class="body">(.*?)</div>'
        r'(<section class="notes".*)?</div>',
        out,
    )
    assert found, out
    return found.group(1)


def endnotes(transformer: Transformer, content: str) -> str:
    """The normalised notes section rendered for the content of <body>."""
    out = normalise(render_doc(transformer, f"<body>{content}</body>"))
    found = re.search(
        r'<section class="notes" aria-label="Notes"><h2 class="notes-head">Notes</h2><ol class="note-list">(.*)</ol>'
        r"</section></div>$",
        out,
    )
    assert found, out
    return found.group(1)


# ----- the fragment as a whole -----


def test_fragment_is_one_div_with_the_document_language(transformer: Transformer) -> None:
    out = render_doc(transformer, "<body><p>x</p></body>", lang="de")
    assert out.startswith('<div class="tei-text" lang="de" data-doc="doc">')
    assert "<!DOCTYPE" not in out and "<?xml" not in out and "xmlns" not in out
    assert len(html.fragments_fromstring(out)) == 1


def test_header_is_never_rendered(transformer: Transformer) -> None:
    assert "<title>" not in render_doc(transformer, "<body><p>x</p></body>") and ">T<" not in render_doc(
        transformer, "<body><p>x</p></body>"
    )


def test_document_without_text_gives_an_empty_fragment(transformer: Transformer) -> None:
    tree = etree.ElementTree(etree.fromstring(f'<TEI xmlns="{TEI}"><teiHeader/></TEI>'))
    assert transformer.transform(tree, {}) == '<div class="tei-text"></div>'


def test_xml_lang_becomes_lang(transformer: Transformer) -> None:
    assert body(transformer, '<p>the <foreign xml:lang="ko">김일성</foreign></p>') == (
        '<p>the <span class="foreign" lang="ko">김일성</span></p>'
    )


def test_output_is_deterministic(transformer: Transformer) -> None:
    text = "<body><p><persName>A</persName><note>n</note><pb n='1'/></p></body>"
    assert render_doc(transformer, text) == render_doc(transformer, text)


# ----- textstructure -----


def test_front_body_back(transformer: Transformer) -> None:
    out = without_reader_aids(
        normalise(render_doc(transformer, "<front><p>f</p></front><body><p>b</p></body><back><p>k</p></back>"))
    )
    assert '<div class="front"><p>f</p></div><div class="body"><p>b</p></div><div class="back"><p>k</p></div>' in out


def test_div_heads_by_depth(transformer: Transformer) -> None:
    out = body(
        transformer,
        '<div type="chapter"><head>A</head><div><head>B</head><div><head>C</head><p>x</p></div></div></div>',
    )
    # Each heading is an anchor: its path from the text (body, division, sub-division..., the heading itself).
    assert out == (
        '<section class="div type-chapter"><h2 class="head" id="sec-1.1.1">A</h2><section class="div">'
        '<h3 class="head" id="sec-1.1.2.1">B</h3><section class="div">'
        '<h4 class="head" id="sec-1.1.2.2.1">C</h4><p>x</p>'
        "</section></section></section>"
    )


def test_div_heads_keep_their_own_ids_and_never_take_one_the_source_uses(transformer: Transformer) -> None:
    out = body(
        transformer,
        '<div><head xml:id="first">A</head><p xml:id="sec-1.2.1">x</p></div><div><head>B</head><p>y</p></div>',
    )
    assert '<h2 id="first" class="head">A</h2>' in out
    assert '<h2 class="head" id="section-1.2.1">B</h2>' in out


def test_letter_parts(transformer: Transformer) -> None:
    out = body(
        transformer,
        "<div><opener><dateline>Moscow</dateline><salute>Dear Sir,</salute></opener>"
        "<p>t</p><closer>Yours, <signed>A. H.</signed></closer><postscript><p>PS</p>"
        "</postscript><trailer>End</trailer></div>",
    )
    assert out == (
        '<section class="div"><div class="opener"><div class="dateline">Moscow</div>'
        '<div class="salute">Dear Sir,</div></div><p>t</p><div class="closer">Yours, '
        '<div class="signed">A. H.</div></div><div class="postscript"><p>PS</p></div>'
        '<div class="trailer">End</div></section>'
    )


def test_dateline_inside_a_paragraph_stays_inline(transformer: Transformer) -> None:
    assert body(transformer, "<p>x <dateline>Moscow</dateline></p>") == (
        '<p>x <span class="dateline block">Moscow</span></p>'
    )


def test_floating_text(transformer: Transformer) -> None:
    assert body(transformer, '<floatingText type="telegram"><body><p>t</p></body></floatingText>') == (
        '<div class="floatingtext type-telegram"><div class="body"><p>t</p></div></div>'
    )


# ----- core -----


def test_paragraph(transformer: Transformer) -> None:
    assert body(transformer, "<p>Text &amp; more</p>") == "<p>Text &amp; more</p>"


@pytest.mark.parametrize(
    ("rend", "expected"),
    [
        ("italic", '<em class="hi rend-italic">x</em>'),
        ("bold", '<strong class="hi rend-bold">x</strong>'),
        ("sup", '<sup class="hi rend-sup">x</sup>'),
        ("subscript", '<sub class="hi rend-subscript">x</sub>'),
        ("underline", '<span class="hi rend-underline">x</span>'),
        ("bold italic", '<strong class="hi rend-bold rend-italic">x</strong>'),
    ],
)
def test_hi(transformer: Transformer, rend: str, expected: str) -> None:
    assert body(transformer, f'<p><hi rend="{rend}">x</hi></p>') == f"<p>{expected}</p>"


def test_emph_title_term_gloss(transformer: Transformer) -> None:
    assert body(transformer, '<p><emph>e</emph> <title level="m">B</title> <term>t</term> <gloss>g</gloss></p>') == (
        '<p><em class="emph">e</em> <cite class="title level-m">B</cite> <span class="term">t</span> '
        '<span class="gloss">g</span></p>'
    )


def test_abbr_expan_num_measure(transformer: Transformer) -> None:
    assert body(
        transformer,
        '<p><abbr>USSR</abbr> <expan>and so on</expan> <num value="3">three</num> '
        '<measure quantity="5" unit="km">five km</measure></p>',
    ) == (
        '<p><abbr class="abbr">USSR</abbr> <span class="expan">and so on</span> '
        '<data class="num" value="3">three</data> '
        '<span class="measure" data-quantity="5" data-unit="km">five km</span></p>'
    )


def test_unordered_list(transformer: Transformer) -> None:
    assert body(transformer, "<list><item>a</item><item>b</item></list>") == (
        '<ul class="list"><li>a</li><li>b</li></ul>'
    )


def test_numbered_list_keeps_item_numbers(transformer: Transformer) -> None:
    assert body(transformer, '<list><item n="3">a</item><item n="4">b</item></list>') == (
        '<ol class="list"><li value="3">a</li><li value="4">b</li></ol>'
    )


@pytest.mark.parametrize("attributes", ['type="ordered"', 'rend="numbered"'])
def test_ordered_list_by_type_or_rend(transformer: Transformer, attributes: str) -> None:
    assert body(transformer, f"<list {attributes}><item>a</item></list>").startswith("<ol ")


def test_list_item_with_a_non_numeric_label(transformer: Transformer) -> None:
    assert body(transformer, '<list><item n="a)">x</item></list>') == (
        '<ol class="list"><li class="labelled"><span class="item-n">a)</span> x</li></ol>'
    )


def test_list_with_head_and_page_break_between_items(transformer: Transformer) -> None:
    assert body(transformer, '<list><head>H</head><item>a</item><pb n="2"/><item>b</item><pb n="3"/></list>') == (
        '<div class="list-with-head"><div class="head list-head">H</div><ul class="list"><li>a</li>'
        '<li><span class="pb" id="page-2" data-n="2" role="note" aria-label="page 2">p. 2</span>b'
        '<span class="pb" id="page-3" data-n="3" role="note" aria-label="page 3">p. 3</span></li></ul></div>'
    )


def test_glossary_list(transformer: Transformer) -> None:
    assert body(transformer, "<list><label>OZU</label><item>Section for Special Assignments</item></list>") == (
        '<dl class="list"><dt class="label">OZU</dt><dd>Section for Special Assignments</dd></dl>'
    )


def test_list_inside_a_paragraph_stays_valid(transformer: Transformer) -> None:
    assert body(transformer, "<p>x <list><item>a</item></list></p>") == (
        '<p>x <span class="list ul block"><span class="li block">a</span></span></p>'
    )


def test_block_quote_between_paragraphs(transformer: Transformer) -> None:
    assert body(transformer, "<p>a</p><quote>telegram</quote><p>b</p>") == (
        '<p>a</p><blockquote class="quote">telegram</blockquote><p>b</p>'
    )


def test_block_quote_with_paragraphs(transformer: Transformer) -> None:
    assert body(transformer, "<div><quote><p>one</p><p>two</p></quote></div>") == (
        '<section class="div"><blockquote class="quote"><p>one</p><p>two</p></blockquote></section>'
    )


def test_quote_with_paragraphs_inside_a_paragraph(transformer: Transformer) -> None:
    assert body(transformer, "<p>he wrote <quote><p>one</p></quote></p>") == (
        '<p>he wrote <span class="quote blockquote block"><span class="p block">one</span></span></p>'
    )


def test_quote_marked_as_block_inside_a_paragraph(transformer: Transformer) -> None:
    assert body(transformer, '<p>that <quote rend="block">we agree</quote></p><quote rend="block">b</quote>') == (
        '<p>that <span class="quote blockquote block rend-block">we agree</span></p>'
        '<blockquote class="quote rend-block">b</blockquote>'
    )


def test_milestone_drawn_as_a_rule(transformer: Transformer) -> None:
    assert body(transformer, '<milestone unit="section" rend="rule"/><p>a<milestone unit="x"/></p>') == (
        '<hr class="milestone unit-section rend-rule"><p>a<span class="milestone unit-x"></span></p>'
    )


def test_inline_quotations(transformer: Transformer) -> None:
    assert body(transformer, '<p><quote>a</quote> <q>b</q> <said>c</said> <said direct="false">d</said></p>') == (
        '<p><q class="quote">a</q> <q class="q">b</q> <q class="said">c</q> <span class="said">d</span></p>'
    )


def test_quote_whose_marks_are_transcribed_gets_no_extra_marks(transformer: Transformer) -> None:
    assert body(transformer, '<p>he said "<quote>if after</quote>" and <q>“so”</q></p>') == (
        '<p>he said "<span class="quote">if after</span>" and <span class="q">“so”</span></p>'
    )


def test_cit(transformer: Transformer) -> None:
    assert body(transformer, "<cit><quote>q</quote><bibl>B</bibl></cit>") == (
        '<div class="cit"><blockquote class="quote">q</blockquote><span class="tei-bibl">B</span></div>'
    )


def test_line_break(transformer: Transformer) -> None:
    assert body(transformer, "<p>a<lb/>b</p>") == "<p>a<br>b</p>"


def test_page_break_screen(transformer: Transformer) -> None:
    assert body(transformer, '<pb n="913"/><p>x</p>') == (
        '<span class="pb" id="page-913" data-n="913" role="note" aria-label="page 913">p. 913</span><p>x</p>'
    )


def test_page_break_print(transformer: Transformer) -> None:
    assert body(transformer, '<pb n="913"/>', media="print") == '<span class="pb" id="page-913" data-n="913">913</span>'


def test_repeated_page_numbers_get_unique_anchors(transformer: Transformer) -> None:
    out = body(transformer, '<pb n="5"/><p>a</p><pb n="5"/><p>b</p><pb n="5"/>')
    assert re.findall(r'id="([^"]+)"', out) == ["page-5", "page-5-2", "page-5-3"]


def test_page_break_without_number(transformer: Transformer) -> None:
    assert (
        body(transformer, "<pb/>") == '<span class="pb pb-unnumbered" role="separator" aria-label="page break"'
        ' title="A page of the source begins here"></span>'
    )


def test_verse(transformer: Transformer) -> None:
    assert body(transformer, '<lg type="stanza"><head>S</head><l n="1">a</l><l>b</l></lg>') == (
        '<div class="lg type-stanza"><div class="head">S</div><div class="l" data-n="1">a</div>'
        '<div class="l">b</div></div>'
    )


def test_table(transformer: Transformer) -> None:
    assert body(
        transformer,
        '<table><head>T</head><row role="label"><cell>h</cell></row>'
        '<row><cell cols="2">a</cell><cell rows="x">b</cell></row></table>',
    ) == (
        '<table class="table"><caption>T</caption><tbody><tr><th>h</th></tr>'
        '<tr><td colspan="2">a</td><td>b</td></tr></tbody></table>'
    )


def test_page_breaks_and_notes_between_rows_and_cells(transformer: Transformer) -> None:
    out = body(
        transformer,
        '<table><pb n="1"/><row><cell>a</cell><milestone unit="x"/><cell>b</cell></row>'
        "<row><cell>c</cell></row><note>n</note></table>",
    )
    assert out == (
        '<table class="table"><tbody><tr><td><span class="pb" id="page-1" data-n="1" role="note" '
        'aria-label="page 1">p. 1</span>a</td><td><span class="milestone unit-x"></span>b</td></tr>'
        '<tr><td>c<a class="noteref" id="noteref-1" href="#note-1">1</a></td></tr></tbody></table>'
    )


def test_index_entries_are_kept_hidden(transformer: Transformer) -> None:
    assert body(transformer, "<p>a<index><term>Korea</term></index></p>") == (
        '<p>a<span class="index" hidden><span class="term">Korea</span></span></p>'
    )


# ----- notes -----


def test_note_reference_and_end_note(transformer: Transformer) -> None:
    content = '<p>text<note n="40">The note.</note></p>'
    assert body(transformer, content) == '<p>text<a class="noteref" id="noteref-40" href="#note-40">40</a></p>'
    assert endnotes(transformer, content) == (
        '<li id="note-40" value="40">The note. <a class="noteback" href="#noteref-40" '
        'aria-label="Back to note reference 40">↩</a></li>'
    )


def test_note_with_only_a_gap_says_so(transformer: Transformer) -> None:
    assert "The note&#39;s text is not part of this transcription." in endnotes(
        transformer, '<p>x<note n="41"><gap reason="omitted"/></note></p>'
    ).replace("'", "&#39;")


def test_notes_without_number_are_numbered_in_order(transformer: Transformer) -> None:
    out = body(transformer, "<p>a<note>one</note>b<note>two</note></p>")
    assert re.findall(r'href="#(note-[^"]+)">([^<]+)<', out) == [("note-1", "1"), ("note-2", "2")]


def test_unnumbered_notes_get_letters_beside_numbered_ones(transformer: Transformer) -> None:
    out = body(transformer, '<p>a<note n="1">s</note>b<note resp="#ed">e</note></p>')
    assert re.findall(r'href="#(note-[^"]+)"', out) == ["note-1", "note-a"]


def test_repeated_note_numbers_get_unique_anchors(transformer: Transformer) -> None:
    out = body(transformer, '<p>a<note n="1">x</note>b<note n="1">y</note></p>')
    assert re.findall(r'id="(noteref-[^"]+)"', out) == ["noteref-1", "noteref-1-2"]


def test_editorial_and_translator_notes(transformer: Transformer) -> None:
    out = endnotes(transformer, '<p>a<note n="1" resp="#ed">e</note><note n="2" type="translator">t</note></p>')
    assert '<li id="note-1" class="note-editorial" value="1">' in out
    assert (
        '<li id="note-2" class="note-translator" value="2"><span class="note-type">Translator\'s note:</span> t' in out
    )


def test_inline_notes_stay_in_the_running_text(transformer: Transformer) -> None:
    content = '<p>Gorkyi <note type="translator" place="inline">(today\'s Nizhnyi Novgorod)</note>.<note>e</note></p>'
    assert body(transformer, content) == (
        '<p>Gorkyi <span class="note-inline type-translator note-translator place-inline" '
        'title="Translator&#39;s note">(today\'s Nizhnyi Novgorod)</span>.'
        '<a class="noteref" id="noteref-1" href="#note-1">1</a></p>'.replace("&#39;", "'")
    )
    assert body(transformer, content, "print").startswith('<p>Gorkyi <span class="note-inline')


def test_notes_in_the_header_do_not_count(transformer: Transformer) -> None:
    source = (
        f'<TEI xmlns="{TEI}"><teiHeader><fileDesc><notesStmt><note>h</note></notesStmt></fileDesc>'
        '</teiHeader><text><body><p>a<note>one</note><pb n="1"/></p></body></text></TEI>'
    )
    out = transformer.transform(etree.ElementTree(etree.fromstring(source)), {})
    assert '<a class="noteref" id="noteref-1" href="#note-1">1</a>' in out and 'id="page-1"' in out


def test_print_notes_stay_inline_as_footnotes(transformer: Transformer) -> None:
    out = normalise(render_doc(transformer, '<body><p>text<note n="40"><p>The note.</p></note></p></body>', "print"))
    assert '<p>text<span class="footnote" data-n="40"><span class="p block">The note.</span></span></p>' in out
    assert 'class="notes"' not in out and "noteref" not in out


# ----- links -----


def test_ref_to_an_anchor_and_to_another_document(transformer: Transformer) -> None:
    assert body(
        transformer, '<p><ref target="#p3">here</ref> <ref target="1945-07-harriman-truman.xml#p2">there</ref></p>'
    ) == (
        '<p><a class="ref" href="#p3">here</a> '
        '<a class="ref" href="../../documents/1945-07-harriman-truman/#p2">there</a></p>'
    )


def test_external_ref_and_ptr(transformer: Transformer) -> None:
    assert body(
        transformer,
        '<p><ref target="https://digitalarchive.wilsoncenter.org/x">source</ref> <ptr target="mailto:a@b.org"/></p>',
    ) == (
        '<p><a class="ref external" href="https://digitalarchive.wilsoncenter.org/x" rel="noopener">source</a> '
        '<a class="ptr" href="mailto:a@b.org">mailto:a@b.org</a></p>'
    )


# ----- names and dates -----


def test_person_place_org_links(transformer: Transformer) -> None:
    assert body(
        transformer,
        '<p><persName ref="#stalin">Stalin</persName> <placeName ref="#kaesong">Kaesong'
        '</placeName> <orgName ref="#cpsu">CPSU</orgName></p>',
    ) == (
        '<p><a class="entity entity-person" href="../../persons/stalin/" data-ref="stalin" id="n1">Stalin</a> '
        '<a class="entity entity-place" href="../../places/kaesong/" data-ref="kaesong" id="n2">Kaesong</a> '
        '<a class="entity entity-org" href="../../orgs/cpsu/" data-ref="cpsu" id="n3">CPSU</a></p>'
    )


def test_rs_by_type(transformer: Transformer) -> None:
    assert body(
        transformer, '<p><rs type="person" ref="#stalin">the leader</rs> <rs type="event" ref="#war">it</rs></p>'
    ) == (
        '<p><a class="entity entity-person" href="../../persons/stalin/" data-ref="stalin" id="n1">the leader</a> '
        '<span class="entity entity-other" data-ref="war" id="n2">it</span></p>'
    )


def test_first_pointer_of_several(transformer: Transformer) -> None:
    assert 'href="../../persons/a/"' in body(transformer, '<p><persName ref="#a #b">A and B</persName></p>')


def test_name_with_external_ref_and_without_ref(transformer: Transformer) -> None:
    assert body(
        transformer,
        '<p><persName ref="https://www.wikidata.org/wiki/Q855">S</persName> <placeName>Nowhere</placeName></p>',
    ) == (
        '<p><a class="entity entity-person" href="https://www.wikidata.org/wiki/Q855" rel="noopener" id="n1">S</a> '
        '<span class="entity entity-place" id="n2">Nowhere</span></p>'
    )


def test_names_in_print_are_spans(transformer: Transformer) -> None:
    assert body(transformer, '<p><persName ref="#stalin">Stalin</persName></p>', media="print") == (
        '<p><span class="entity entity-person" data-ref="stalin" id="n1">Stalin</span></p>'
    )


def test_nested_names_never_nest_links(transformer: Transformer) -> None:
    assert body(
        transformer, '<p><orgName ref="#embassy">Embassy in <placeName ref="#moscow">Moscow</placeName></orgName></p>'
    ) == (
        '<p><a class="entity entity-org" href="../../orgs/embassy/" data-ref="embassy" id="n1">Embassy in '
        '<span class="entity entity-place" data-ref="moscow" id="n2">Moscow</span></a></p>'
    )


def test_mention_anchors_count_every_kind_in_document_order(transformer: Transformer) -> None:
    out = body(
        transformer,
        '<p><date when="1951">1951</date> <persName xml:id="k">Kim</persName> '
        '<rs type="place">there</rs><note><orgName>UN</orgName></note> '
        '<orgName><placeName>X</placeName></orgName> <name type="person">N</name></p>',
    )
    assert re.findall(r' id="((?:n\d+)|k)"', out) == ["n1", "k", "n3", "n5", "n6"]
    notes = endnotes(
        transformer,
        '<p><date when="1951">1951</date> <persName xml:id="k">Kim</persName> '
        '<rs type="place">there</rs><note><orgName>UN</orgName></note></p>',
    )
    assert 'id="n4">UN<' in notes


def test_mention_anchors_match_lxml_document_order(transformer: Transformer) -> None:
    text = (
        '<body><p><persName>a</persName><date when="1950">b<persName>c</persName></date></p>'
        "<p><rs>d</rs><note><placeName>e</placeName></note><orgName>f</orgName></p></body>"
    )
    source = etree.fromstring(f'<TEI xmlns="{TEI}"><text>{text}</text></TEI>')
    kinds = {f"{{{TEI}}}{k}" for k in ("persName", "placeName", "orgName", "rs", "date")}
    expected = {el.text: f"n{i}" for i, el in enumerate((e for e in source.iter() if e.tag in kinds), start=1)}
    out = render_doc(transformer, text)
    for word, anchor in expected.items():
        assert re.search(rf'id="{anchor}"[^>]*>{word}', out), (word, anchor, out)


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ('when="1951-08-23"', 'datetime="1951-08-23" data-when="1951-08-23" title="23 August 1951"'),
        ('when="1945-09"', 'datetime="1945-09" data-when="1945-09" title="September 1945"'),
        ('when="1945"', 'datetime="1945" data-when="1945" title="1945"'),
        ('when="1945-02-30"', 'data-when="1945-02-30" title="1945-02-30"'),
        ('when="--07-17"', 'data-when="--07-17" title="--07-17"'),
        (
            'from="1945-07-01" to="1945-07-31"',
            'data-from="1945-07-01" data-to="1945-07-31" title="from 1 July 1945 to 31 July 1945"',
        ),
        (
            'notBefore="1945" notAfter="1948"',
            'data-not-before="1945" data-not-after="1948" title="between 1945 and 1948"',
        ),
        ('notAfter="1948-05"', 'data-not-after="1948-05" title="not after May 1948"'),
        (
            'when="1951-07-17" cert="medium"',
            'datetime="1951-07-17" data-when="1951-07-17" data-cert="medium" title="17 July 1951 (uncertain)"',
        ),
    ],
)
def test_dates(transformer: Transformer, attributes: str, expected: str) -> None:
    # <time> only with a valid datetime (HTML requires one); ranges, vague bounds and bad values are spans.
    element = "time" if "datetime=" in expected else "span"
    assert body(transformer, f"<p><date {attributes}>d</date></p>") == (
        f'<p><{element} class="date" id="n1" {expected}>d</{element}></p>'
    )


def test_time(transformer: Transformer) -> None:
    assert body(transformer, '<p><time when="14:30:00">half past two</time></p>') == (
        '<p><time class="time" datetime="14:30:00">half past two</time></p>'
    )
    assert body(transformer, '<p><time when="25:61">never</time></p>') == '<p><span class="time">never</span></p>'


# ----- transcription -----


def test_sic_corr_on_screen(transformer: Transformer) -> None:
    assert body(transformer, "<p><choice><sic>Kim II Sung</sic><corr>Kim Il Sung</corr></choice></p>") == (
        '<p><span class="choice" tabindex="0"><span class="corr">Kim Il Sung</span>'
        '<span class="sic" title="source reading">Kim II Sung</span></span></p>'
    )


def test_sic_corr_in_print(transformer: Transformer) -> None:
    assert body(transformer, "<p><choice><sic>straggle</sic><corr>struggle</corr></choice></p>", "print") == (
        '<p><span class="choice"><span class="corr">struggle</span><span class="footnote note-editorial">'
        'Source reads: <span class="sic">straggle</span></span></span></p>'
    )


def test_print_never_nests_footnotes(transformer: Transformer) -> None:
    out = body(
        transformer,
        '<p>a<note n="1">b <choice><sic>II</sic><corr>Il</corr></choice><note>inner</note></note></p>',
        "print",
    )
    assert out == (
        '<p>a<span class="footnote" data-n="1">b <span class="choice"><span class="corr">Il</span>'
        '<span class="source-reading"> [Source reads: <span class="sic">II</span>]</span></span>'
        '<span class="note-nested">(inner)</span></span></p>'
    )
    assert out.count('class="footnote') == 1


def test_choice_inside_a_link_is_not_focusable(transformer: Transformer) -> None:
    out = body(transformer, '<p><persName ref="#k"><choice><sic>a</sic><corr>b</corr></choice></persName></p>')
    assert "tabindex" not in out and '<span class="choice">' in out


def test_orig_reg_and_abbr_expan(transformer: Transformer) -> None:
    assert body(
        transformer,
        "<p><choice><orig>Gorkyi</orig><reg>Gorky</reg></choice> <choice><abbr>c.</abbr>"
        "<expan>comrade</expan></choice></p>",
    ) == (
        '<p><span class="choice choice-reg" tabindex="0"><span class="reg">Gorky</span>'
        '<span class="orig" title="source spelling">Gorkyi</span></span> '
        '<span class="choice choice-expan" tabindex="0"><span class="expan">comrade</span>'
        '<span class="abbr" title="abbreviation in the source">c.</span></span></p>'
    )


def test_other_choice(transformer: Transformer) -> None:
    assert body(transformer, "<p><choice><unclear>a</unclear><unclear>o</unclear></choice></p>") == (
        '<p><span class="choice choice-other"><span class="unclear" title="unclear in the source">a'
        '<span class="unclear-mark dipl-only">?</span></span><span class="alt" title="alternative reading">'
        '<span class="unclear" title="unclear in the source">o<span class="unclear-mark dipl-only">?</span></span>'
        "</span></span></p>"
    )


def test_lone_sic_and_corr(transformer: Transformer) -> None:
    assert body(transformer, "<p><sic>teh</sic> <corr>the</corr></p>") == (
        '<p><span class="sic">teh <span class="sic-mark" title="thus in the source">[sic]</span></span> '
        '<span class="corr" title="corrected by the editor">the</span></p>'
    )


def test_supplied(transformer: Transformer) -> None:
    assert body(transformer, '<p><supplied reason="omitted">policy</supplied></p>') == (
        '<p><span class="supplied" title="supplied by the editor (omitted)">[policy]</span></p>'
    )
    # The source's own brackets kept inside <supplied>: no second pair.
    assert body(transformer, "<p><supplied>[£]</supplied> 5</p>") == (
        '<p><span class="supplied" title="supplied by the editor">[£]</span> 5</p>'
    )


@pytest.mark.parametrize(
    ("gap", "expected"),
    [
        ('<gap reason="illegible"/>', '<span class="gap" title="illegible in the source">[illegible]</span>'),
        (
            '<gap reason="illegible" extent="2 words"/>',
            '<span class="gap" title="illegible in the source (2 words)">[illegible'
            '<span class="dipl-only" data-pagefind-ignore="">, 2 words</span>]</span>',
        ),
        (
            '<gap reason="omitted" quantity="3" unit="lines"/>',
            '<span class="gap" title="not transcribed (omitted, 3 lines)">[…'
            '<span class="dipl-only" data-pagefind-ignore=""> omitted, 3 lines</span>]</span>',
        ),
        (
            '<gap reason="not-in-excerpt"/>',
            '<span class="gap" title="not transcribed (not in excerpt)">[…'
            '<span class="dipl-only" data-pagefind-ignore=""> not in excerpt</span>]</span>',
        ),
        (
            "<gap><desc>signature</desc></gap>",
            '<span class="gap" title="not transcribed: signature">[signature]</span>',
        ),
    ],
)
def test_gap(transformer: Transformer, gap: str, expected: str) -> None:
    assert body(transformer, f"<p>{gap}</p>") == f"<p>{expected}</p>"


def test_add_del_subst(transformer: Transformer) -> None:
    assert body(
        transformer, '<p><subst><del>old</del><add place="above">new</add></subst> <add hand="#h2">2.5.1967</add></p>'
    ) == (
        '<p><span class="subst"><del class="del" title="deleted in the source">old</del>'
        '<span class="add add-added place-above" title="added (above)"><span class="mark-label">[added] </span>'
        '<span class="dipl-only dipl-sign">\u2e22</span>new<span class="dipl-only dipl-sign">\u2e23</span>'
        '</span></span> <span class="add add-handwritten" title="handwritten"><span class="mark-label">[handwritten] '
        '</span><span class="dipl-only dipl-sign">\u2e22</span>2.5.1967<span class="dipl-only dipl-sign">\u2e23'
        "</span></span></p>"
    )


def test_hand_shift_and_stamp(transformer: Transformer) -> None:
    assert body(transformer, '<p><handShift medium="pencil"/>2.5.1967 <stamp>STATE CENTRAL ARCHIVE</stamp></p>') == (
        '<p><span class="handshift mark-label" title="change of hand (pencil)">[handwritten]</span>2.5.1967 '
        '<span class="stamp" title="stamp"><span class="mark-label">[stamp]</span> STATE CENTRAL ARCHIVE</span></p>'
    )


def test_space_surplus_damage_fw(transformer: Transformer) -> None:
    assert body(transformer, '<p><space/><surplus>the</surplus><damage>x</damage><fw type="pageNum">3</fw></p>') == (
        '<p><span class="space" title="space left blank in the source">\u2003</span>'
        '<span class="surplus" title="superfluous in the source">{the}</span>'
        '<span class="damage" title="damaged in the source">x</span>'
        '<span class="fw type-pageNum dipl-only" data-pagefind-ignore="">3</span></p>'
    )
    # the PDF keeps it (its reader has one text)
    assert '<span class="fw type-pageNum">3</span>' in body(transformer, '<p>a<fw type="pageNum">3</fw>b</p>', "print")


# ----- figures -----


def test_figure_with_local_image(transformer: Transformer) -> None:
    assert body(
        transformer,
        '<figure><graphic url="images/map.png"/><head>Korea</head><figDesc>Map of the 38th parallel</figDesc></figure>',
    ) == (
        '<figure class="figure"><img src="../../images/map.png" alt="Map of the 38th parallel" class="graphic">'
        '<figcaption><span class="figure-head">Korea</span> <span class="figdesc">Map of the 38th parallel</span>'
        "</figcaption></figure>"
    )


def test_figure_with_external_image_is_not_embedded(transformer: Transformer) -> None:
    out = body(transformer, '<figure><graphic url="https://steemitimages.com/x.jpg"/><figDesc>Photo</figDesc></figure>')
    assert "<img" not in out
    assert out == (
        '<figure class="figure"><span class="graphic graphic-external"><a class="external" '
        'href="https://steemitimages.com/x.jpg" rel="noopener">View the image at its source</a></span>'
        '<figcaption><span class="figdesc">Photo</span></figcaption></figure>'
    )


def test_protocol_relative_image_is_not_embedded(transformer: Transformer) -> None:
    assert "<img" not in body(transformer, '<figure><graphic url="//evil.example/x.png"/></figure>')


# ----- fallback -----


def test_unknown_element_keeps_its_content(transformer: Transformer) -> None:
    assert body(transformer, "<p>a <seg>b <w>c</w></seg></p>") == (
        '<p>a <span class="tei-seg">b <span class="tei-w">c</span></span></p>'
    )


def test_unknown_element_with_blocks_becomes_a_div(transformer: Transformer) -> None:
    assert body(transformer, "<div><sp><speaker>A</speaker><p>b</p></sp></div>") == (
        '<section class="div"><div class="tei-sp"><div class="tei-speaker">A</div><p>b</p></div></section>'
    )


def test_element_of_another_namespace_keeps_its_content(transformer: Transformer) -> None:
    assert body(transformer, '<p>a <x:foo xmlns:x="urn:x">b</x:foo></p>') == '<p>a <span class="tei-foo">b</span></p>'


TEI_ELEMENTS = [
    line
    for line in (REPO / "tests" / "data" / "xslt" / "tei-elements.txt").read_text().split("\n")
    if line and not line.startswith("#")
]
# Empty by the schema (content comes from attributes), or holding elements only.
WITHOUT_TEXT = {
    "anchor",
    "cb",
    "lb",
    "milestone",
    "pb",
    "handShift",
    "space",
    "gap",
    "graphic",
    "ptr",
    "choice",
    "list",
    "row",
    "table",
}


@pytest.mark.parametrize("media", ["screen", "print"])
def test_every_tei_element_keeps_its_text_in_valid_html(transformer: Transformer, media: str) -> None:
    lost, rebuilt = [], []
    for name in TEI_ELEMENTS:
        out = render_doc(
            transformer,
            f"<body><p>a <{name}>inline-{name}<p>p</p></{name}> b</p>"
            f"<div><{name}>block-{name}</{name}></div>"
            f"<list><item>i</item><{name}>stray-{name}</{name}></list></body>",
            media,
        )
        if name not in WITHOUT_TEXT and not all(f"{where}-{name}" in out for where in ("inline", "block", "stray")):
            lost.append(name)
        if written_paths(out) != parsed_paths(out):
            rebuilt.append(name)
    assert len(TEI_ELEMENTS) > 500
    assert lost == [], "content dropped"
    assert rebuilt == [], "invalid HTML structure"


# ----- safety -----

UNSAFE_URLS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java&#9;script:alert(1)",
    "java&#10;script:alert(1)",
    "&#x200B;javascript:alert(1)",
    "data:text/html,&lt;script&gt;",
    "vbscript:msgbox(1)",
    "  DATA:image/png;base64,AAA  ",
    "jav&#x200B;ascript:alert(1)",
]


@pytest.mark.parametrize("url", UNSAFE_URLS)
def test_unsafe_ref_targets_are_not_links(transformer: Transformer, url: str) -> None:
    out = body(transformer, f'<p><ref target="{url}">x</ref> <ptr target="{url}"/></p>')
    assert "<a " not in out and "href" not in out


@pytest.mark.parametrize("url", UNSAFE_URLS)
def test_unsafe_urls_never_reach_the_output(transformer: Transformer, url: str) -> None:
    out = body(transformer, f'<p><persName ref="{url}">a</persName></p><figure><graphic url="{url}"/></figure>')
    assert "<a " not in out and "<img" not in out and "href" not in out and "src=" not in out


@pytest.mark.parametrize(
    "url", ["https://example.org/a?b=1&c=2", "mailto:x@y.org", "images/a.png", "#p1", "HTTPS://EXAMPLE.ORG/"]
)
def test_safe_urls_are_kept(transformer: Transformer, url: str) -> None:
    out = body(transformer, f'<p><ref target="{url.replace("&", "&amp;")}">x</ref></p>')
    assert 'href="' + url.replace("&", "&amp;") + '"' in out


@pytest.mark.parametrize(
    "rend", ['x" onclick="alert(1)', "x onmouseover=alert(1)", "a;color:red", "<script>", "italic style=x"]
)
def test_rend_never_injects_attributes(transformer: Transformer, rend: str) -> None:
    attribute = rend.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    out = body(transformer, f'<p><hi rend="{attribute}" style="color:red" rendition="#x">t</hi></p>')
    fragment = html.fragment_fromstring(out)
    for element in fragment.iter():
        assert set(element.attrib) <= {"class"}, element.attrib
        for token in element.get("class", "").split():
            assert re.fullmatch(r"[A-Za-z0-9_-]+", token), token
    assert "style" not in out and "onclick" not in out.replace("rend-onclick", "")


def test_markup_in_text_is_escaped(transformer: Transformer) -> None:
    assert body(transformer, "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>") == (
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )


def test_stylesheets_never_disable_output_escaping() -> None:
    for path in XSLT_DIR.glob("*.xsl"):
        text = path.read_text(encoding="utf-8")
        assert "disable-output-escaping" not in text, path
        assert "<script" not in text, path


# ----- the HTML is valid enough that no HTML5 parser rebuilds it -----

VOID = {"br", "img", "hr", "wbr"}


class _Paths(HTMLParser):
    """Every element's path of tags, exactly as written."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.paths: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.paths.append("/".join([*self.stack, tag]))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack}"
        self.stack.pop()


def written_paths(markup: str) -> list[str]:
    parser = _Paths()
    parser.feed(markup)
    parser.close()
    return parser.paths


def parsed_paths(markup: str) -> list[str]:
    """The element paths an HTML5 parser (the one WeasyPrint uses) builds from the fragment."""
    body = tinyhtml5.parse(
        f"<!DOCTYPE html><html><head></head><body>{markup}</body></html>", namespace_html_elements=False
    ).find("body")
    paths: list[str] = []

    def walk(element: object, prefix: list[str]) -> None:
        for child in element:  # type: ignore[attr-defined]
            if isinstance(child.tag, str):
                paths.append("/".join([*prefix, child.tag]))
                walk(child, [*prefix, child.tag])

    walk(body, [])
    return paths


RICH_TEXT = """<front><p>f</p></front><body><pb n="1"/><div><head>H <persName ref="#a">A</persName></head>
<p>x <quote><p>q</p><list><item>i</item></list></quote> <list><head>L</head><item>a<pb n="2"/></item></list>
<table><row><cell>c</cell></row></table> <figure><graphic url="a.png"/><head>F</head></figure>
<orgName ref="#o">O <placeName ref="#p">P<note>n <ref target="#x">r</ref></note></placeName></orgName>
<choice><sic>s</sic><corr>c</corr></choice> <lg><l>v</l></lg> <closer><signed>S</signed></closer></p>
<quote rend="block">b</quote><list><label>k</label><item>v</item></list><floatingText><body><p>t</p></body>
</floatingText><milestone rend="rule"/><unknown><p>u</p></unknown></div></body>"""


@pytest.mark.parametrize("media", ["screen", "print"])
def test_no_html5_parser_restructures_the_output(transformer: Transformer, media: str) -> None:
    out = render_doc(transformer, RICH_TEXT, media)
    assert written_paths(out) == parsed_paths(out)


@pytest.mark.skipif(not DOCUMENTS, reason="the sample edition has no documents in tei/documents/ yet")
@pytest.mark.parametrize("source", DOCUMENTS, ids=[p.stem for p in DOCUMENTS])
def test_sample_documents_are_valid_html(transformer: Transformer, source: Path) -> None:
    tree = etree.parse(str(source), etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True))
    for media in ("screen", "print"):
        out = transformer.transform(tree, {"root": "../../", "media": media, "doc-id": source.stem})
        assert written_paths(out) == parsed_paths(out)
        ids = re.findall(r' id="([^"]+)"', out)
        assert len(ids) == len(set(ids)), "duplicate ids"


# ----- golden files: the sample edition -----


@pytest.mark.skipif(not DOCUMENTS, reason="the sample edition has no documents in tei/documents/ yet")
@pytest.mark.parametrize("media", ["screen", "print"])
@pytest.mark.parametrize("source", DOCUMENTS, ids=[p.stem for p in DOCUMENTS])
def test_golden(transformer: Transformer, source: Path, media: str) -> None:
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
    tree = etree.parse(str(source), parser)
    root = "" if media == "print" else "../../"
    out = transformer.transform(tree, {"root": root, "media": media, "doc-id": source.stem})
    golden = GOLDEN_DIR / (f"{source.stem}.html" if media == "screen" else f"{source.stem}.print.html")
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(out + "\n", encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}; run UPDATE_GOLDEN=1 pytest tests/test_xslt.py"
    assert out + "\n" == golden.read_text(encoding="utf-8")


def test_source_ids_of_breaks_and_notes_stay_anchors(transformer: Transformer) -> None:
    """A contents or index entry points to a page break's, line break's or note's own xml:id: each stays in the page."""
    out = render_doc(
        transformer,
        '<body><p>One<pb n="42" xml:id="pg_42"/>two<lb xml:id="l7"/>three<note xml:id="fn1">A note.</note>'
        '<ref target="#pg_42">see p. 42</ref></p></body>',
    )
    ids = set(html.fromstring(out).xpath("//@id"))
    assert {"pg_42", "l7", "fn1"} <= ids
    assert 'href="#pg_42"' in out
    assert "page-42" in ids  # the page's own anchor, which passages cite, is still there


def test_every_source_id_in_the_corpora_texts_is_an_anchor(transformer: Transformer) -> None:
    """Every xml:id inside <text> of other projects' files and of the sample comes out as an HTML id."""
    from tei_edition.tei.parse import parse_file

    corpora = REPO.parent / "shared" / "corpora"
    if not corpora.is_dir():
        pytest.skip("other projects' TEI lie in ../shared/corpora beside the repository (as in CI)")
    files = [*DOCUMENTS, *sorted(corpora.glob("*/*.xml")), *sorted(corpora.glob("epidoc/inscriptions/*.xml"))]
    checked = 0
    for path in files:
        try:
            tree = parse_file(path)
        except Exception:  # files the parser refuses are the parser's tests' business
            continue
        text = tree.getroot().find(f"{{{TEI}}}text")
        if text is None:
            continue
        out = transformer.transform(tree, {"root": "../../", "media": "screen", "doc-id": "d"})
        ids = set(html.fromstring(out).xpath("//@id"))
        wanted = {v for v in text.xpath("descendant-or-self::*/@xml:id")}
        assert wanted <= ids, (path.name, sorted(wanted - ids)[:5])
        checked += len(wanted)
    assert checked > 1000  # the FRUS volume alone has thousands


@pytest.mark.parametrize("note", ['<note place="inline">gloss</note>', '<note rend="inline">gloss</note>'])
def test_inline_notes_stay_in_the_text(transformer: Transformer, note: str) -> None:
    out = body(transformer, f"<p>Word {note} after.</p>")
    assert "note-inline" in out and "gloss" in out
    assert "noteref" not in out
    assert '<section class="notes"' not in render_doc(transformer, f"<body><p>Word {note}</p></body>")


VOLUME = (
    f'<TEI xmlns="{TEI}"><teiHeader><fileDesc><titleStmt><title>Volume</title></titleStmt></fileDesc></teiHeader>'
    '<text><front><div type="toc"><list><item><ref target="#d1">First</ref></item>'
    '<item><ref target="#pg_3">Page 3</ref></item></list></div></front>'
    '<body><div type="chapter"><head>Chapter</head>'
    '<div type="document" xml:id="d1"><head>First <note n="a">head note</note></head><p>One<note n="1">n1</note>'
    '<ref target="#pg_3">see the second</ref> <ref target="#x1">here</ref><anchor xml:id="x1"/></p></div>'
    '<div type="document"><head>Second</head><p>Two<pb n="3" xml:id="pg_3"/>three</p></div>'
    "</div></body></text></TEI>"
)
SPLIT = "//tei:body//tei:div[@type='document'] | /tei:teiCorpus/tei:TEI"


def split_output(transformer: Transformer, source: str, media: str = "screen") -> dict[str, str]:
    tree = etree.ElementTree(etree.fromstring(source))
    out = transformer.transform(tree, {"root": "../../", "media": media, "doc-id": "vol", "split": SPLIT})
    pieces = re.split(r"<!--ed:part (\S+)-->", out)
    return {"vol": pieces[0], **dict(zip(pieces[1::2], pieces[2::2], strict=True))}


def test_a_volume_is_split_into_its_documents(transformer: Transformer) -> None:
    pages = split_output(transformer, VOLUME)
    assert list(pages) == ["vol", "vol-d1", "vol-2"]  # xml:id, else the part's number
    volume = html.fromstring(pages["vol"])
    # the volume's page keeps its own matter and links each part instead of holding it
    assert volume.xpath("//a[@class='part-link']/@href") == ["../../documents/vol-d1/", "../../documents/vol-2/"]
    assert [a.text_content() for a in volume.xpath("//a[@class='part-link']")] == ["First", "Second"]
    assert "One" not in pages["vol"] and "n1" not in pages["vol"]
    # the contents' links reach the page that holds their target
    assert volume.xpath("//li/a[. = 'First']/@href") == ["../../documents/vol-d1/#d1"]
    assert volume.xpath("//a[. = 'Page 3']/@href") == ["../../documents/vol-2/#pg_3"]
    first = html.fromstring(pages["vol-d1"])
    assert first.get("data-doc") == "vol-d1"
    assert first.xpath("//a[. = 'see the second']/@href") == ["../../documents/vol-2/#pg_3"]
    assert first.xpath("//a[. = 'here']/@href") == ["#x1"]  # on the same page
    assert [li.text_content() for li in first.xpath("//section[@class='notes']//li")][1].startswith("n1")
    second = html.fromstring(pages["vol-2"])
    assert "pg_3" in second.xpath("//@id") and "Two" in second.text_content()
    assert not second.xpath("//section[@class='notes']")


def test_a_tei_corpus_is_split_into_its_tei_documents(transformer: Transformer) -> None:
    member = (
        '<TEI xml:id="{0}"><teiHeader><fileDesc><titleStmt><title>Title {0}</title></titleStmt></fileDesc>'
        "</teiHeader><text><body><p>Text {0}</p></body></text></TEI>"
    )
    source = (
        f'<teiCorpus xmlns="{TEI}"><teiHeader><fileDesc><titleStmt><title>C</title></titleStmt></fileDesc>'
        f"</teiHeader>{member.format('a')}{member.format('b')}</teiCorpus>"
    )
    pages = split_output(transformer, source)
    assert list(pages) == ["vol", "vol-a", "vol-b"]
    assert [a.text_content() for a in html.fromstring(pages["vol"]).xpath("//a")] == ["Title a", "Title b"]
    assert "Text b" in pages["vol-b"] and "Text a" not in pages["vol-b"]


def test_one_document_of_that_kind_is_not_split(transformer: Transformer) -> None:
    source = VOLUME.replace('<div type="document"><head>Second</head>', "<div><head>Second</head>")
    assert list(split_output(transformer, source)) == ["vol"]


def test_a_bare_key_where_a_pointer_should_be_is_not_a_link(transformer: Transformer) -> None:
    """EpiDoc projects point into their own bibliography by key (<ptr target="jmr1976"/>): the built site holds
    nothing by that name, so the words stay and no link leads nowhere; a file's name and an id still link."""
    out = body(
        transformer,
        '<p><ptr target="jmr1976"/> 29; <ref target="p495">him</ref>; <ref target="b.xml">b</ref>; '
        '<ref target="#x">x</ref><anchor xml:id="x"/></p>',
    )
    assert '<span class="ptr">jmr1976</span>' in out and '<span class="ref">him</span>' in out
    assert 'href="../../documents/b/"' in out and 'href="#x"' in out
    # A path to a file in another folder is relative to the TEI file, and the site holds nothing there; a file name
    # with no name is no document either. Addresses still link.
    out = body(
        transformer,
        '<p><ptr target="../bibliography/master.xml#b1"/>; <ref target=".xml">see</ref>; '
        '<ref target="https://example.org/a/b.xml">web</ref></p>',
    )
    assert '<span class="ptr">../bibliography/master.xml#b1</span>' in out and '<span class="ref">see</span>' in out
    assert 'href="https://example.org/a/b.xml"' in out


def test_an_empty_paragraph_gets_no_number(transformer: Transformer) -> None:
    """A <p/> (or one holding only a line break) shows nothing to number: the next paragraph is ¶ 2, not ¶ 3."""
    out = normalise(render_doc(transformer, "<body><p>One</p><p/><p><lb/></p><p>Two</p></body>", "screen"))
    assert re.findall(r'<a class="para-n" id="(p-\d+)"', out) == ["p-1", "p-2"]
    assert '<p><a class="para-n" id="p-2" href="#p-2" aria-label="Paragraph 2"' in out


def test_a_list_of_references_gives_one_entry_a_line(transformer: Transformer) -> None:
    """EpiDoc's bibliography (listBibl of bibl): each reference on a line of its own, not run into the next; its
    empty placeholder (<bibl/>) is no line."""
    out = body(
        transformer,
        '<div type="bibliography"><listBibl><head>Editions</head><bibl>Karyshkovsky, <citedRange>79-82</citedRange>'
        "</bibl><bibl>SEG <citedRange>31, 715</citedRange></bibl><bibl/></listBibl></div>",
    )
    page = html.fragment_fromstring(out, create_parent="div")
    assert [" ".join(li.text_content().split()) for li in page.xpath("//ul[@class='list-bibl']/li")] == [
        "Karyshkovsky, 79-82",
        "SEG 31, 715",
    ]
    assert page.xpath("//*[contains(@class, 'list-head')]")[0].text_content() == "Editions"


def test_leiden_expansions_greek_ticks_and_counted_gaps(transformer: Transformer) -> None:
    """EpiDoc: an editor's expansion in parentheses (by the style sheet on screen, so the word stays whole for the
    search index; in the text for print), a numeral's tick recorded as rend="tick", a gap's unit counted."""
    source = (
        '<p><expan>ἐλαιῶ<ex>νος</ex></expan> <num value="8" rend="tick">η</num> '
        '<gap reason="lost" quantity="6" unit="character"/> <gap reason="lost" quantity="1" unit="line"/></p>'
    )
    out = body(transformer, source)
    assert 'ἐλαιῶ<span class="ex" title="expanded by the editor">νος</span>' in out
    assert '<data class="num rend-tick" value="8">η\u0374</data>' in out
    assert "lost, 6 characters" in out and "lost, 1 line" in out
    printed = body(transformer, source, media="print")
    assert '<span class="ex" title="expanded by the editor">(νος)</span>' in printed


def test_an_inscriptions_lines_are_numbered_every_fifth_and_its_textparts_labelled(transformer: Transformer) -> None:
    """EpiDoc: each line begins with <lb n="..."/> (the first needs no break), a word running on across a line has
    break="no" (a hyphen at the line's end, from the style sheet on screen), lines 5, 10... are numbered in the
    margin, and a face or column with no heading is labelled by its subtype and number."""
    source = (
        '<div type="textpart" subtype="column" n="2"><ab><lb n="4"/>Εἰναχί<lb n="5" break="no"/>ῳ καὶ'
        '<lb n="6"/>x</ab></div><div type="textpart" n="r,1"><ab><lb n="1"/>a</ab></div>'
    )
    out = body(transformer, source)
    assert '<p class="textpart-label">Column 2</p><p class="ab">Εἰναχί<span class="lb-hyphen"' in out
    assert '<br><span class="lb-n" data-pagefind-ignore="" aria-hidden="true">5</span>ῳ καὶ<br>x</p>' in out
    assert '<p class="textpart-label">r,1</p><p class="ab">a</p>' in out
    printed = body(transformer, source, media="print")
    assert 'Εἰναχί<span class="lb-hyphen" aria-hidden="true">-</span><br>ῳ' in printed and "lb-n" not in printed
    # In running prose a line break inside a paragraph is kept; one that opens the paragraph gives no empty line.
    assert body(transformer, "<p>one<lb/>two</p><p><lb/>three</p>") == "<p>one<br>two</p><p>three</p>"
    # A line break at the start of a phrase inside the paragraph is one still.
    assert "one <span" in body(transformer, '<p>one <seg type="x"><lb/>two</seg></p>') and "<br>two" in body(
        transformer, '<p>one <seg type="x"><lb/>two</seg></p>'
    )


def test_the_white_space_around_a_line_break_inside_a_word_is_no_space(transformer: Transformer) -> None:
    out = body(transformer, '<ab><lb n="1"/>Εἰναχί\n   <lb n="2" break="no"/>\n  ῳ καὶ <lb n="3"/>x</ab>')
    assert out == '<p class="ab">Εἰναχί<span class="lb-hyphen" aria-hidden="true"></span><br>ῳ καὶ <br>x</p>'


def test_a_body_with_no_text_says_so(transformer: Transformer) -> None:
    out = render_doc(transformer, '<body><div type="edition" xml:space="preserve"/></body>')
    assert "The source gives no transcription of this document, only its description." in out
    assert "no-transcription" not in render_doc(transformer, "<body><p>Text</p></body>")
    assert "no-transcription" not in render_doc(transformer, '<body><ab><gap reason="lost"/></ab></body>')


def test_an_address_goes_line_by_line_and_raised_letters_are_superscript(transformer: Transformer) -> None:
    out = body(
        transformer,
        "<p><address><addrLine>Mejuffrouw A. de Jongh.</addrLine> <addrLine>van Eeghenstraat 40.</addrLine>"
        '<addrLine>Stad.</addrLine></address> S<hi rend="super underline2">t</hi> Lucas</p>',
    )
    assert re.search(
        r"de Jongh\.</span><br>\s*<span[^>]*>van Eeghenstraat 40\.</span><br><span[^>]*>Stad\.</span>", out
    )
    assert '<sup class="hi rend-super rend-underline2">t</sup>' in out


def test_a_transcription_kept_as_the_sources_pages_is_shown(transformer: Transformer) -> None:
    """A document with no <text> whose transcription is a sourceDoc (the Shelley-Godwin Archive's): each surface
    labelled, its zones and lines in order, one line to a line, additions and deletions as in a text."""
    source = (
        f'<TEI xmlns="{TEI}"><teiHeader><fileDesc><titleStmt><title>T</title></titleStmt></fileDesc></teiHeader>'
        '<sourceDoc><surface n="f. 1r"><zone type="main"><line>To Laughter—</line>'
        '<line>Thy friends were never mine <add place="sublinear">fiend</add></line></zone></surface>'
        "<surface><zone><line>Which ha<del>ve</del></line></zone></surface></sourceDoc></TEI>"
    )
    out = transformer.transform(etree.ElementTree(etree.fromstring(source)), {"root": "../../", "media": "screen"})
    assert '<p class="textpart-label">f. 1r</p>' in out and '<p class="textpart-label">Surface 2</p>' in out
    assert '<span class="line">To Laughter—</span><br>' in out and "fiend" in out and 'class="del' in out


def test_every_fifth_verse_is_numbered(transformer: Transformer) -> None:
    out = body(transformer, '<lg><l n="4">four</l><l n="5">five</l></lg>')
    assert (
        out.count('class="lb-n"') == 1
        and '<span class="lb-n" data-pagefind-ignore="" aria-hidden="true">5</span>five' in out
    )
