"""Other projects' TEI built as it is: volumes of many documents, a teiCorpus, CMIF letters, pieces of TEI that
documents include, images that are not there; and every group of ../shared/corpora copied unchanged into an edition
with a minimal edition.toml, built with --keep-going, with every internal link of its site checked."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import html

from tei_edition.cli import main
from test_links import broken_links as check_links

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
TEI = "http://www.tei-c.org/ns/1.0"
MINIMAL = '[edition]\ntitle = "{title}"\n\n[sources]\ndocuments = "tei"\n'
PLAIN = (
    "<teiHeader><fileDesc><titleStmt><title>{title}</title></titleStmt><publicationStmt><p>p</p></publicationStmt>"
    "<sourceDesc><p>s</p></sourceDesc></fileDesc></teiHeader>"
)


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), prog_name="edition", catch_exceptions=False)
    return result.exit_code, result.output


def edition_of(folder: Path, files: dict[str, str], title: str = "Test") -> Path:
    """A minimal edition holding the given TEI files under tei/."""
    (folder / "tei").mkdir(parents=True)
    (folder / "edition.toml").write_text(MINIMAL.format(title=title), encoding="utf-8")
    for name, text in files.items():
        (folder / "tei" / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / "tei" / name).write_text(text, encoding="utf-8")
    return folder


def build(edition: Path, *extra: str) -> tuple[int, str]:
    return run("build", "--no-pdf", "--keep-going", "--jobs", "1", "--config", str(edition / "edition.toml"), *extra)


def broken_links(site: Path) -> list[str]:
    """Every internal link or anchor of a site that leads nowhere (the link checker of test_links)."""
    return check_links(site)[0]


VOLUME = f"""<TEI xmlns="{TEI}" xml:id="vol1">
<teiHeader><fileDesc><titleStmt><title>Papers, volume 1</title></titleStmt>
<publicationStmt><p>p</p></publicationStmt><sourceDesc><p>Printed 1871.</p></sourceDesc></fileDesc></teiHeader>
<text><front><div type="toc"><list>
<item><ref target="#d1">Mr. Jay to Mr. Fish</ref> <ref target="#pg_2">2</ref></item>
<item><ref target="#d2">Mr. Fish to Mr. Jay</ref></item></list></div></front>
<body><div type="chapter"><head>Austria</head>
<div type="document" xml:id="d1"><head>Mr. Jay to Mr. Fish.</head>
<opener><dateline>Vienna, <date when="1870-08-08">August 8, 1870</date></dateline></opener>
<p>Austria declines.<note n="1">A note of the first.</note><pb n="2" xml:id="pg_2"/>
See <ref target="#d2">the reply</ref>.</p>
</div>
<div type="document" xml:id="d2"><head>Mr. Fish to Mr. Jay.</head>
<opener><dateline><date when="1870-08-20">August 20, 1870</date></dateline></opener><p>Received.</p></div>
</div></body>
<back><div type="index"><list><item>Austria, <ref target="#pg_2">2</ref></item></list></div></back></text></TEI>
"""


def test_a_volume_builds_a_page_for_each_of_its_documents(tmp_path: Path) -> None:
    edition = edition_of(tmp_path / "ed", {"vol1.xml": VOLUME})
    status, output = build(edition)
    assert status == 0, output
    site = edition / "build" / "html"
    first = html.fromstring((site / "documents" / "vol1-d1" / "index.html").read_bytes())
    assert first.findtext(".//h1").strip() == "Mr. Jay to Mr. Fish."
    assert "8 August 1870" in first.text_content() and "A note of the first." in first.text_content()
    assert "Received." not in first.text_content()
    assert first.xpath("//a[normalize-space(.) = 'the reply']/@href") == ["../../documents/vol1-d2/#d2"]
    assert "Papers, volume 1" in first.text_content()  # "Part of" the volume
    volume = html.fromstring((site / "documents" / "vol1" / "index.html").read_bytes())
    assert volume.xpath("//a[normalize-space(.) = '2']/@href") == ["../../documents/vol1-d1/#pg_2"] * 2
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "vol1-d1" in home and "vol1-d2" in home
    # the volume's file is offered once
    assert sorted(p.name for p in (site / "downloads").rglob("*.xml")) == ["vol1.xml"]
    assert broken_links(site) == []
    # The summary of validate counts the documents the file holds, as the site shows them: the volume's, its parts.
    status, output = run("validate", "--config", str(edition / "edition.toml"))
    assert output.strip().splitlines()[-1].startswith("1 file (3 documents), 0 registers: 0 errors"), output


def test_the_split_can_be_named_or_turned_off(tmp_path: Path) -> None:
    edition = edition_of(tmp_path / "ed", {"vol1.xml": VOLUME})
    with (edition / "edition.toml").open("a", encoding="utf-8") as handle:
        handle.write("split = false\n")
    status, output = build(edition)
    assert status == 0, output
    assert sorted(p.name for p in (edition / "build" / "html" / "documents").iterdir()) == ["vol1"]
    (edition / "edition.toml").write_text(
        MINIMAL.format(title="T") + "split = \"//tei:div[@type='chapter']\"\n", encoding="utf-8"
    )
    status, output = run("validate", "--config", str(edition / "edition.toml"))
    assert status == 0 and "sources.split" not in output, output
    (edition / "edition.toml").write_text(MINIMAL.format(title="T") + 'split = "//tei:div["\n', encoding="utf-8")
    status, output = run("validate", "--config", str(edition / "edition.toml"))
    assert status == 2 and "sources.split" in output and "not an XPath" in output


def test_a_tei_corpus_and_a_piece_of_tei_and_a_missing_image(tmp_path: Path) -> None:
    member = (
        '<TEI xml:id="{0}"><teiHeader><fileDesc><titleStmt><title>Letter {0}</title></titleStmt>'
        "<publicationStmt><p>p</p></publicationStmt><sourceDesc><p>s</p></sourceDesc></fileDesc></teiHeader>"
        '<text><body><p>Text {0}.</p><figure><graphic url="missing-{0}.jpg"/></figure></body></text></TEI>'
    )
    corpus = (
        f'<teiCorpus xmlns="{TEI}" xml:id="corpus">{PLAIN.format(title="Letters")}'
        f"{member.format('a')}{member.format('b')}</teiCorpus>"
    )
    piece = f'<charDecl xmlns="{TEI}"><glyph xml:id="g1"><mapping>·</mapping></glyph></charDecl>'
    edition = edition_of(tmp_path / "ed", {"corpus.xml": corpus, "alists/charDecl.xml": piece})
    status, output = run("validate", "--config", str(edition / "edition.toml"), "--format", "json")
    report = json.loads(output)
    rules = {(d["rule"], d["severity"]) for d in report["diagnostics"]}
    assert ("fragment", "warning") in rules and ("image", "warning") in rules
    assert report["summary"].startswith("2 files (3 documents), 0 registers: 0 errors")  # the piece is none
    assert not [d for d in report["diagnostics"] if d["severity"] == "error"], output
    status, output = build(edition)
    assert status == 0, output
    site = edition / "build" / "html"
    assert "Text b." in (site / "documents" / "corpus-b" / "index.html").read_text(encoding="utf-8")
    assert (site / "missing-a.jpg").read_bytes().startswith(b"\x89PNG")  # the placeholder the pages show
    assert not (site / "documents" / "charDecl").exists()
    assert broken_links(site) == []


def corpus_edition(tmp_path: Path, group: str) -> Path:
    source = CORPORA / group
    if not source.is_dir():
        pytest.skip("other projects' TEI lie in ../shared/corpora beside the repository (as in CI)")
    edition = tmp_path / group
    shutil.copytree(source, edition / "tei")
    (edition / "edition.toml").write_text(MINIMAL.format(title=group), encoding="utf-8")
    return edition


def errors_of(edition: Path) -> list[tuple[str, str]]:
    status, output = run("validate", "--config", str(edition / "edition.toml"), "--format", "json")
    assert status in (0, 1), output
    return sorted(
        (Path(d["path"]).name, d["rule"]) for d in json.loads(output)["diagnostics"] if d["severity"] == "error"
    )


# What edition validate still reports as errors on the corpora, each a real fault of the file against TEI P5:
# names-demo-en.xml is a <listPerson> in no namespace (not TEI); testbasic.xml's sp/@who points to #Horatio and
# #Marcellus1, declared nowhere; testbibl.xml uses biblScope/@type, a bibl among biblStructs and an idno where
# TEI All (P5 4.12) allows none of them; testi18n.xml is a <TEI> with no <text>.
REAL_FAULTS = {
    "frus": [],
    "eltec": [],
    "epidoc": [],
    "cmif": [],
    "tei-tests": [("names-demo-en.xml", "xml")]
    + [("testbasic.xml", "ref-resolves")] * 2
    + [("testbibl.xml", "schema")] * 6
    + [("testi18n.xml", "xml")],
}


@pytest.mark.parametrize("group", sorted(REAL_FAULTS))
def test_other_projects_tei_validates_fairly_and_builds_with_no_broken_link(tmp_path: Path, group: str) -> None:
    edition = corpus_edition(tmp_path, group)
    assert errors_of(edition) == REAL_FAULTS[group]
    status, output = build(edition)
    assert status == (1 if REAL_FAULTS[group] else 0), output
    site = edition / "build" / "html"
    assert broken_links(site) == []
    if group == "frus":
        folders = sorted(p.name for p in (site / "documents").iterdir() if p.name.startswith("frus1870-"))
        assert len(folders) == 541
        dated = 0
        for folder in folders:
            page = html.fromstring((site / "documents" / folder / "index.html").read_bytes())
            assert page.findtext(".//h1").strip()
            dated += bool(page.xpath("//header//time"))
        assert dated >= 460
    if group == "tei-tests":  # the entries of documents' own lists have register pages, with the list's document
        place = html.fromstring((site / "places" / "Strat" / "index.html").read_bytes())
        assert place.findtext(".//h1") == "Stratfield Road, Oxford"
        assert place.xpath("//dt[. = 'Listed in']/following-sibling::dd/a/@href") == ["../../documents/testplace-kml/"]
        assert (site / "persons" / "Fred" / "index.html").is_file()
    if group == "cmif":
        letters = html.fromstring((site / "letters" / "index.html").read_bytes())
        rows = letters.xpath("//table[contains(@class, 'letters')]/tbody/tr")
        assert len(rows) == 331
        cells = [" ".join(td.text_content().split()) for td in rows[0].xpath("./td")]
        assert cells[:4] == [
            "August 1886",  # notBefore 1886-08-01, notAfter 1886-08-31: the whole month
            "Schnitzler, Arthur",
            "Waissnix, Olga",
            "Bad Ischl",
        ]
        assert letters.xpath("//a[@class='authority'][contains(@href, 'd-nb.info/gnd/118609807')]")
        assert (site / "letters" / "correspondents" / "index.html").is_file()
        assert (site / "letters" / "places" / "index.html").is_file()


def test_documents_that_share_an_id_both_build_in_a_preview(tmp_path: Path) -> None:
    letter = f'<TEI xmlns="{TEI}">{PLAIN.format(title="{title}")}<text><body><p>{{text}}</p></body></text></TEI>'
    edition = edition_of(
        tmp_path / "ed",
        {
            "a/letter.xml": letter.format(title="First", text="From folder a."),
            "b/letter.xml": letter.format(title="Second", text="From folder b."),
        },
    )
    status, output = run("build", "--no-pdf", "--config", str(edition / "edition.toml"))
    assert status == 1 and "some documents have the same id" in output
    assert not (edition / "build" / "html").exists()  # without --keep-going nothing is published
    status, output = build(edition)
    assert status == 1, output
    assert "a/letter.xml" in output and "b/letter.xml" in output
    site = edition / "build" / "html" / "documents"
    texts = {p.name: (p / "index.html").read_text(encoding="utf-8") for p in site.iterdir()}
    assert sorted(texts) == ["letter", "letter-2"]
    assert "From folder a." in texts["letter"] and "From folder b." in texts["letter-2"]


def test_a_correspondent_with_no_name_is_left_out_of_the_letter_s_header(tmp_path: Path) -> None:
    """A project that names its correspondents only by pointers (<persName ref="p495"/>, empty) into an index the
    edition lacks: the page's From and To list the named ones, with no empty places between semicolons."""
    header = (
        "<teiHeader><fileDesc><titleStmt><title>Letter</title></titleStmt><publicationStmt><p>p</p>"
        "</publicationStmt><sourceDesc><p>s</p></sourceDesc></fileDesc><profileDesc><correspDesc>"
        '<correspAction type="sent"><persName ref="p8030">Heinrich Bullinger</persName>'
        '<persName ref="p495" cert="high"/><placeName>Zürich</placeName></correspAction>'
        '<correspAction type="received"><persName ref="p1"/><persName ref="p2"/><placeName>Heidelberg</placeName>'
        "</correspAction></correspDesc></profileDesc></teiHeader>"
    )
    edition = edition_of(
        tmp_path / "ed",
        {"letter.xml": f'<TEI xmlns="{TEI}" xml:id="l1">{header}<text><body><p>Gruss</p></body></text></TEI>'},
    )
    status, output = build(edition)
    assert status in (0, 1), output
    page = html.fromstring((edition / "build" / "html" / "documents" / "l1" / "index.html").read_bytes())
    rows = {
        " ".join(dt.text_content().split()): " ".join(dt.getnext().text_content().split())
        for dt in page.xpath("//dl//dt")
    }
    assert rows["From"] == "Heinrich Bullinger; Zürich", rows
    assert rows["To"] == "Heidelberg", rows
    assert "; ;" not in page.text_content()


def test_a_corpus_of_one_text_is_that_text(tmp_path: Path) -> None:
    """A teiCorpus holding one TEI (a diary's month in a corpus of months) is that text: its page has the text's
    own title and date, not only the corpus's, and the whole text."""
    corpus = (
        f'<teiCorpus xmlns="{TEI}" xml:id="entries1935-02">{PLAIN.format(title="Diary of Robert Graves 1935-39")}'
        f'<TEI xml:id="diary-1935-02">{PLAIN.format(title="Diary entries for February, 1935")}'
        '<text><body><p><date when="1935-02-01">Feb 1</date> Wrote all day.</p></body></text></TEI></teiCorpus>'
    )
    edition = edition_of(tmp_path / "ed", {"graves.xml": corpus})
    status, output = build(edition)
    assert status in (0, 1), output
    page = html.fromstring((edition / "build" / "html" / "documents" / "entries1935-02" / "index.html").read_bytes())
    assert page.findtext(".//h1").strip() == "Diary entries for February, 1935"
    assert "Wrote all day." in page.text_content()
    assert page.xpath("//header//time/@datetime") == ["1935-02-01"]


def test_validate_counts_the_letters_of_correspondence_files(tmp_path: Path) -> None:
    edition = corpus_edition(tmp_path, "cmif")
    status, output = run("validate", "--config", str(edition / "edition.toml"))
    # 15 and 316 letters (correspDesc) in the two CMIF files, which hold no document of their own
    assert output.strip().splitlines()[-1].startswith("2 files (331 letters), 0 registers:"), output


def test_a_series_title_is_not_the_document_s_title_and_one_cmif_letter_is_a_letter(tmp_path: Path) -> None:
    letter = (
        f'<TEI xmlns="{TEI}" xml:id="A1"><teiHeader><fileDesc><titleStmt>'
        '<title level="s">WeGA, Briefe, Digitale Edition</title>'
        '<title level="a">Weber an Türke in Berlin</title></titleStmt>'
        "<publicationStmt><p>p</p></publicationStmt><sourceDesc><p>s</p></sourceDesc></fileDesc></teiHeader>"
        "<text><body><p>Liebe Freundin!</p></body></text></TEI>"
    )
    cmif = (
        f'<TEI xmlns="{TEI}"><teiHeader><fileDesc><titleStmt><title>One letter</title></titleStmt>'
        '<publicationStmt><p>p</p></publicationStmt><sourceDesc><bibl type="print" xml:id="b1">Briefe, 1954'
        '</bibl></sourceDesc></fileDesc><profileDesc><correspDesc source="#b1"><correspAction type="sent">'
        '<persName ref="https://d-nb.info/gnd/118609807">Schnitzler, Arthur</persName>'
        '<date when="1920-05-17" evidence="conjecture"/>'
        '</correspAction><correspAction type="received"><persName ref="https://d-nb.info/gnd/118535161">'
        "Friedell, Egon</persName></correspAction></correspDesc></profileDesc></teiHeader>"
        "<text><body><p/></body></text></TEI>"
    )
    edition = edition_of(tmp_path / "ed", {"A1.xml": letter, "cmif.xml": cmif})
    status, output = build(edition)
    assert status == 0, output
    site = edition / "build" / "html"
    page = html.fromstring((site / "documents" / "A1" / "index.html").read_bytes())
    assert page.findtext(".//h1").strip() == "Weber an Türke in Berlin"
    # The CMIF file of one letter (its correspDesc names its source) is a letter in the index, not an empty page.
    assert sorted(p.name for p in (site / "documents").iterdir()) == ["A1"]
    letters = (site / "letters" / "index.html").read_text(encoding="utf-8")
    assert "Friedell, Egon" in letters and "[17 May 1920]" in letters  # a conjectured date, in brackets


def test_an_id_each_file_declares_for_itself_needs_no_warning(tmp_path: Path) -> None:
    """Letters of one edition each declare their editor as xml:id="wc" and point to it in their own file: TEI asks
    ids to be unique in a file only, and each pointer leads within its file. Only a pointer from a file that
    declares neither could lead to the wrong one."""

    def letter(doc_id: str, extra: str = "") -> str:
        return (
            f'<TEI xmlns="{TEI}" xml:id="{doc_id}"><teiHeader><fileDesc><titleStmt><title>{doc_id}</title>'
            '<editor xml:id="wc">W. C.</editor></titleStmt><publicationStmt><p>p</p></publicationStmt>'
            '<sourceDesc><p>s</p></sourceDesc></fileDesc></teiHeader><text><body><p resp="#wc">Text.</p>'
            f"{extra}</body></text></TEI>"
        )

    edition = edition_of(tmp_path / "ed", {"a.xml": letter("a"), "b.xml": letter("b")})
    status, output = run("validate", "--config", str(edition / "edition.toml"), "--format", "json")
    assert [d for d in json.loads(output)["diagnostics"] if d["rule"] == "id-edition"] == []
    third = (
        f'<TEI xmlns="{TEI}" xml:id="c">{PLAIN.format(title="c")}<text><body><p resp="#wc">c</p></body></text></TEI>'
    )
    (edition / "tei" / "c.xml").write_text(third, encoding="utf-8")
    status, output = run("validate", "--config", str(edition / "edition.toml"), "--format", "json")
    warned = [d for d in json.loads(output)["diagnostics"] if d["rule"] == "id-edition"]
    assert len(warned) == 1 and "from a file that declares neither" in warned[0]["message"]


def test_the_advice_for_a_missing_witness_names_an_id_that_can_be() -> None:
    from lxml import etree as et

    from tei_edition.validate.references import _unresolved

    el = et.fromstring(f'<rdg xmlns="{TEI}" wit="#2404">x</rdg>')
    said = _unresolved(Path("a.xml"), el, "rdg", "wit", "2404", {}, [], {}).message
    assert "declare <witness xml:id='w2404'>" in said and "it must begin with a letter" in said
    said = _unresolved(Path("a.xml"), el, "rdg", "wit", "Lbs", {}, [], {}).message
    assert "declare <witness xml:id='Lbs'>" in said and "begin with a letter" not in said
