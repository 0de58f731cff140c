"""Reading other projects' headers into what readers are shown: no raw codes, msDesc as a description, dates of
the original where the header gives no date of creation."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tei_edition.tei.header import name_text, read_header
from tei_edition.tei.parse import parse_file

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO.parent / "shared" / "corpora"
TEI = "http://www.tei-c.org/ns/1.0"


def header_of(header: str, text_attributes: str = "") -> etree._ElementTree:
    return etree.ElementTree(
        etree.fromstring(
            f'<TEI xmlns="{TEI}"><teiHeader><fileDesc><titleStmt><title>T</title></titleStmt>'
            f"<publicationStmt><p>p</p></publicationStmt>{header}</fileDesc></teiHeader>"
            f"<text{text_attributes}><body><p>x</p></body></text></TEI>"
        )
    )


def corpus(*parts: str) -> Path:
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        pytest.skip("other projects' TEI lie in ../shared/corpora beside the repository (as in CI)")
    return path


def epidoc(tmp_path: Path, name: str) -> Path:
    """An inscription in a copy of the EpiDoc folder made an edition (its XIncludes reach ../alists inside it)."""
    import shutil

    shutil.copytree(corpus("epidoc"), tmp_path / "epidoc")
    (tmp_path / "epidoc" / "edition.toml").write_text('[edition]\ntitle = "E"\n', encoding="utf-8")
    return tmp_path / "epidoc" / "inscriptions" / name


@pytest.mark.parametrize(
    ("token", "shown"),
    [("letter", "letter"), ("blog-post", "blog post"), ("T4MS", "document"), ("MS", "document"), ("x12", "document")],
)
def test_a_text_type_is_shown_only_when_it_reads_as_words(token: str, shown: str) -> None:
    meta = read_header(header_of("<sourceDesc><p>s</p></sourceDesc>", f' type="{token}"'))
    assert meta.doc_type == shown


def test_eltec_novel_shows_no_codes_and_is_dated_by_its_first_edition() -> None:
    meta = read_header(parse_file(corpus("eltec", "ENG19011_Jerome.xml")))
    assert meta.doc_type == "document"  # text/@type="T4MS" is ELTeC's code, not a word for readers
    assert meta.date_display == "1901" and meta.date is not None and meta.date.when is not None
    shown = repr(meta)
    for code in ("T4MS", "'T4'", "'short'", "'low'"):
        assert code not in shown


def test_a_later_editions_date_is_not_the_documents_date() -> None:
    meta = read_header(
        header_of('<sourceDesc><bibl type="printSource"><title>A</title><date>1950</date></bibl></sourceDesc>')
    )
    assert meta.date is None and meta.date_display == ""


def test_first_edition_date_with_attributes() -> None:
    meta = read_header(
        header_of('<sourceDesc><bibl type="firstEdition"><date when="1865-11-26">1865</date></bibl></sourceDesc>')
    )
    assert meta.date is not None and meta.date.when is not None and meta.date.when.month == 11


def test_epidoc_msdesc_reads_as_a_description(tmp_path: Path) -> None:
    meta = read_header(parse_file(epidoc(tmp_path, "ISic000100.xml")))
    rows = dict(meta.original)
    assert rows["Object"] == "base"
    assert rows["Dimensions"] == "136 × 64 × 80.5 cm"
    assert rows["Support"].startswith("A large statue base")
    assert rows["Place of origin"] == "Sicilia, Thermae Himeraeae, Termini Imerese"  # no coordinates; its places listed
    assert rows["Date of origin"] == "Bivona dates to 2nd century CE by lettering"
    assert meta.date_display == "Bivona dates to 2nd century CE by lettering"
    assert any(label == "Provenance" and "1768" in text for label, text in meta.original)
    assert meta.archive is not None and meta.archive.repository == "Museo Civico Baldassare Romano"
    assert meta.source.text == ""  # the description is in the rows above, not dumped as one source text


def test_material_leaves_out_coordinates(tmp_path: Path) -> None:
    meta = read_header(parse_file(epidoc(tmp_path, "ISic002054.xml")))
    material = dict(meta.original)["Material"]
    assert "marble" in material and "38.08" not in material


def test_names_made_of_parts_are_spaced_and_a_translator_is_not_an_editor_too() -> None:
    """<forename>Irene</forename><surname>Polinskaya</surname> reads 'Irene Polinskaya'; an <editor> that names
    one person in two languages is named once (the first); one whose role is translator is the translator only."""
    names = (
        '<persName xml:lang="ru"><forename>Ирина</forename><surname>Полинская</surname></persName>'
        '<persName xml:lang="en"><forename>Irene</forename><surname>Polinskaya</surname></persName>'
    )
    tree = etree.ElementTree(
        etree.fromstring(
            f'<TEI xmlns="{TEI}"><teiHeader><fileDesc><titleStmt><title>T</title>'
            f'<editor>{names}</editor><editor role="translator">{names}</editor></titleStmt>'
            "<publicationStmt><p>p</p></publicationStmt><sourceDesc><p>s</p></sourceDesc></fileDesc></teiHeader>"
            "<text><body><p>x</p></body></text></TEI>"
        )
    )
    meta = read_header(tree)
    assert list(meta.editors) == ["Ирина Полинская"]
    assert meta.translator == "Ирина Полинская"
    inverted = etree.fromstring(
        f'<persName xmlns="{TEI}"><surname>Smith</surname>, <forename>Anna</forename></persName>'
    )
    assert name_text(inverted) == "Smith, Anna"
    described = etree.fromstring(f'<rs xmlns="{TEI}">the <persName>Emperor</persName>\'s son</rs>')
    assert name_text(described) == "the Emperor's son"
    # EpiDoc's editors with their roles (iAph): one who edited and translated is both; an address is no part of a
    # name.
    tree = etree.ElementTree(
        etree.fromstring(
            f'<TEI xmlns="{TEI}"><teiHeader><fileDesc><titleStmt><title>T</title>'
            '<editor role="editions, translations">Joyce M. Reynolds</editor>'
            '<editor role="editions, translations, encoding">Charlotte M. Roueché</editor>'
            '<editor role="editions, encoding">Gabriel Bodard</editor>'
            "<editor>Martin Anton Müller<email>martin@example.org</email></editor></titleStmt>"
            "<publicationStmt><p>p</p></publicationStmt><sourceDesc><p>s</p></sourceDesc></fileDesc></teiHeader>"
            "<text><body><p>x</p></body></text></TEI>"
        )
    )
    meta = read_header(tree)
    assert list(meta.editors) == ["Joyce M. Reynolds", "Charlotte M. Roueché", "Gabriel Bodard", "Martin Anton Müller"]
    assert meta.translator == "Joyce M. Reynolds, Charlotte M. Roueché"


def test_a_manuscript_description_names_its_contents_and_support() -> None:
    """A catalogue's msDesc (the Bodleian's): the works the manuscript holds (msItem: locus, author, title,
    language, and the items inside an item), and a support given as words rather than paragraphs."""
    ms_desc = (
        "<sourceDesc><msDesc><msIdentifier><repository>Bodleian Library</repository><idno>MS. Add. A. 113</idno>"
        '</msIdentifier><msContents><msItem n="1"><title>Tacuinum sanitatis</title><textLang mainLang="la">Latin'
        "</textLang></msItem><msItem><locus>fols. 20-30</locus><author>Galen</author><title>De sanitate</title>"
        "<msItem><title>Glossae</title></msItem></msItem></msContents>"
        '<physDesc><objectDesc form="codex"><supportDesc material="perg"><support>parchment</support></supportDesc>'
        "</objectDesc></physDesc></msDesc></sourceDesc>"
    )
    rows = dict(read_header(header_of(ms_desc)).original)
    assert rows["Contents"] == "Tacuinum sanitatis (Latin); fols. 20-30, Galen, De sanitate; Glossae"
    assert rows["Support"] == "parchment"


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ('<p><date when="1879-12-25">25/12</date> Donnerstag Abends.</p>', "25 December 1879"),  # a diary's entry
        (
            '<opener><dateline>Wien, <date when="1890-05-05">5. Mai</date></dateline></opener><p>Lieber</p>',
            "5 May 1890",
        ),
        ('<div><opener><dateline><date when="1890-05-05">5.5.</date></dateline></opener><p>L</p></div>', "5 May 1890"),
        ('<p>In <date when="1945">1945</date> the war ended.</p>', ""),  # what the text speaks of
        ("<div><head>Tagebuch</head><p>Kein Datum</p></div>", ""),
        # an editor's heading naming the letter with its date (the Deutsches Textarchiv's)
        (
            '<div><head><supplied>SB-Nr. 1: N. Binn, <date when="1745-06-19">19.06.1745</date></supplied></head>'
            "<p>Liebe</p></div>",
            "19 June 1745",
        ),
    ],
)
def test_a_text_that_opens_with_its_date_is_dated_by_it(body: str, shown: str) -> None:
    """When the header dates nothing, the date a text opens with dates it: a letter's dateline in its opener, or a
    date holding the first words (a diary's entry); a date further on is what the text speaks of."""
    tree = etree.ElementTree(
        etree.fromstring(
            f'<TEI xmlns="{TEI}"><teiHeader><fileDesc><titleStmt><title>T</title></titleStmt>'
            "<publicationStmt><p>p</p></publicationStmt><sourceDesc><p>s</p></sourceDesc></fileDesc></teiHeader>"
            f"<text><body>{body}</body></text></TEI>"
        )
    )
    assert read_header(tree).date_display == shown


def test_an_inscription_s_origin_given_as_a_plain_date_and_place() -> None:
    """US Epigraphy writes the origin as <date notBefore notAfter> and <placeName> (not origDate, origPlace): the
    document is dated by it and the rows name both; a support holding its dimensions reads as words only; the
    decoration is described."""
    ms_desc = (
        "<sourceDesc><msDesc><msIdentifier><idno>L.14</idno></msIdentifier><physDesc><objectDesc><supportDesc>"
        "<support><p>Marble tablet.</p><dimensions><height>28</height><width>24</width><depth>4</depth>"
        "</dimensions></support></supportDesc></objectDesc><decoDesc><decoNote><p>A winged genius holding a garland."
        '</p></decoNote></decoDesc></physDesc><history><origin><date notBefore="0101" notAfter="0200">2nd century CE'
        '</date><placeName ref="europe.italy.rome">Rome, Italy</placeName></origin></history></msDesc></sourceDesc>'
    )
    meta = read_header(header_of(ms_desc))
    rows = dict(meta.original)
    assert meta.date is not None and meta.date.iso() == "0101/0200"
    assert rows["Date of origin"] == "2nd century CE" and rows["Place of origin"] == "Rome, Italy"
    assert rows["Support"] == "Marble tablet."
    assert rows["Decoration"] == "A winged genius holding a garland."

    bare = ms_desc.replace("<p>Marble tablet.</p>", "marble")
    assert dict(read_header(header_of(bare)).original)["Support"] == "marble"  # not "marble 28 24 4"


def test_an_objects_pieces_each_have_their_dimensions_and_a_type_inside_a_type_is_one() -> None:
    tree = etree.ElementTree(
        etree.fromstring(
            f'<TEI xmlns="{TEI}"><teiHeader><fileDesc><titleStmt><title>T</title></titleStmt>'
            "<publicationStmt><p>p</p></publicationStmt><sourceDesc><msDesc><msIdentifier><idno>1</idno>"
            "</msIdentifier><physDesc><objectDesc><supportDesc><support><p><objectType><objectType>column"
            "</objectType> plinth</objectType>.</p>"
            '<dimensions><height unit="cm">35</height><width unit="cm">212</width></dimensions>'
            '<dimensions><height unit="cm">26</height><width unit="cm">40</width></dimensions>'
            "</support></supportDesc></objectDesc></physDesc></msDesc></sourceDesc></fileDesc></teiHeader>"
            "<text><body><p>x</p></body></text></TEI>"
        )
    )
    rows = dict(read_header(tree).original)
    assert rows["Object"] == "column plinth"
    assert rows["Dimensions"] == "35 × 212 cm; 26 × 40 cm"


def test_paragraphs_of_a_description_are_not_run_into_a_list() -> None:
    tree = etree.ElementTree(
        etree.fromstring(
            f'<TEI xmlns="{TEI}"><teiHeader><fileDesc><titleStmt><title>T</title></titleStmt>'
            "<publicationStmt><p>p</p></publicationStmt><sourceDesc><msDesc><msIdentifier><idno>1</idno>"
            "</msIdentifier><physDesc><objectDesc><supportDesc><support><p>Lid of a sarcophagus.</p>"
            '<p xml:lang="it">Coperchio di sarcofago.</p></support></supportDesc></objectDesc></physDesc>'
            "</msDesc></sourceDesc></fileDesc></teiHeader><text><body><p>x</p></body></text></TEI>"
        )
    )
    assert dict(read_header(tree).original)["Support"] == "Lid of a sarcophagus. Coperchio di sarcofago."
