"""The print edition as a reader meets it: the measure of its lines, its page numbers, its indexes, its source
descriptions (the same words as the web's), per-document PDFs that say where they stand, PDFs that pass qpdf and
pdfinfo and claim PDF/A-2b, tables of any shape, and a Typst failure that names its TEI file and stops nothing else
with --keep-going.

No PDF/A validator is packaged in Debian or on PyPI (veraPDF is a Java program outside both): Typst checks the
PDF/A rules itself as it writes, and the tests read the claim it makes in the XMP metadata.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import statistics
import subprocess
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from lxml import etree
from lxml import html as lxml_html

from pdf_fixture import fixture_bodies
from pdf_fixture import load_fixture as load_any
from tei_edition.cli import main
from tei_edition.config import load_config
from tei_edition.errors import BuildError
from tei_edition.output.writer import OutputWriter
from tei_edition.print import render_pdfs
from tei_edition.print.typst_markup import BodyContext, body_markup
from tei_edition.print.typst_source import source_place
from tei_edition.tei.bibliography import document_citation, quoted_title, sentence, source_description, without_label
from tei_edition.tei.header import DocumentMeta, SourceCitation

ROOT = Path(__file__).parent.parent
POPPLER = shutil.which("pdftotext") is not None
QPDF = shutil.which("qpdf") is not None
REPORT = "1967-06-02-soviet-korean-relations"
poppler = pytest.mark.skipif(not POPPLER, reason="poppler's pdftotext and pdfinfo read the PDFs")


def build_sample(folder: Path, paper: str) -> Path:
    """The sample edition built with its PDFs on `paper`; the folder of its PDFs."""
    shutil.copytree(ROOT / "tei", folder / "tei")
    config = (ROOT / "edition.toml").read_text(encoding="utf-8")
    (folder / "edition.toml").write_text(config.replace('paper = "A4"', f'paper = "{paper}"'), encoding="utf-8")
    result = CliRunner().invoke(
        main, ["build", "--jobs", "2", "--config", str(folder / "edition.toml")], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return load_config(folder / "edition.toml").pdf_dir


@pytest.fixture(scope="module")
def a4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("a4"), "A4")


@pytest.fixture(scope="module")
def letter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sample(tmp_path_factory.mktemp("letter"), "Letter")


def text_of(pdf: Path, first: int = 0, last: int = 0, layout: bool = True) -> str:
    options = ["-layout"] if layout else []
    pages = (["-f", str(first)] if first else []) + (["-l", str(last)] if last else [])
    return subprocess.run(
        ["pdftotext", *options, *pages, str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def body_lines(pdf: Path, first: int, last: int) -> list[str]:
    """The full lines of running text (11 pt, not a paragraph's last line) on pages `first` to `last`."""
    out = subprocess.run(
        ["pdftotext", "-bbox-layout", "-f", str(first), "-l", str(last), str(pdf), "-"],
        capture_output=True,
        check=True,
    ).stdout
    lines = []
    for line in etree.fromstring(out, etree.XMLParser(recover=True)).iter("{*}line"):
        height = float(line.get("yMax", 0)) - float(line.get("yMin", 0))
        text = " ".join(w.text or "" for w in line.iter("{*}word")).removeprefix("| ")
        if 13.5 <= height <= 17 and len(text) >= 45:  # the text's size (the notes, the source note are smaller)
            lines.append(text)
    return lines


def part_pages(pdf: Path) -> dict[str, int]:
    reader = pypdf.PdfReader(pdf)
    outline = [item for item in reader.outline if not isinstance(item, list)]
    return {item.title: reader.get_destination_page_number(item) for item in outline}


@poppler
@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_text_runs_60_to_75_characters_a_line(paper: str, request: pytest.FixtureRequest) -> None:
    folder: Path = request.getfixturevalue(paper)
    pdf = folder / "edition.pdf"
    parts = part_pages(pdf)
    first = min(p for title, p in parts.items() if title not in ("Contents", "Introduction"))
    last = parts["Index of persons"]  # the documents run up to the indexes
    lines = body_lines(pdf, first + 1, last)
    assert len(lines) > 100
    lengths = [len(line) for line in lines]
    inside = [n for n in lengths if 60 <= n <= 75]
    assert 60 <= statistics.median(lengths) <= 75, lengths
    assert len(inside) >= 0.9 * len(lengths), sorted(lengths)
    assert max(lengths) <= 80, [line for line in lines if len(line) > 80]


@poppler
def test_every_page_of_both_papers_has_its_size_and_number(a4: Path, letter: Path) -> None:
    for folder, size in ((a4, (595, 842)), (letter, (612, 792))):
        for pdf in [folder / "edition.pdf", *sorted((folder / "documents").glob("*.pdf"))]:
            reader = pypdf.PdfReader(pdf)
            for page in reader.pages:
                assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == size, pdf
        # The front matter (title page, imprint, contents, the introduction and its key to the signs) is numbered
        # in roman numerals, the documents from arabic 1.
        book = pypdf.PdfReader(folder / "edition.pdf")
        labels = list(book.page_labels)
        parts = part_pages(folder / "edition.pdf")
        first = min(p for title, p in parts.items() if title not in ("Contents", "Introduction"))
        assert labels[:first] == ["i", "ii", "iii", "iv", "v", "vi"][:first]
        assert labels[first:] == [str(n) for n in range(1, len(labels) - first + 1)]
        for index in range(first, len(labels)):
            if index not in parts.values():  # an opening page has its number at the foot, the others at the head
                assert re.search(rf"(^|\s){labels[index]}(\s|$)", text_of(folder / "edition.pdf", index + 1, index + 1))
        # Nothing on any page runs off it or into the paper's edge (5 mm).
        for pdf in [folder / "edition.pdf", *sorted((folder / "documents").glob("*.pdf"))]:
            out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True).stdout
            for page in etree.fromstring(out, etree.XMLParser(recover=True)).iter("{*}page"):
                width, height = float(page.get("width", 0)), float(page.get("height", 0))
                for word in page.iter("{*}word"):
                    box = [float(word.get(k, 0)) for k in ("xMin", "yMin", "xMax", "yMax")]
                    assert 14 <= box[0] and box[2] <= width - 14 and 14 <= box[1] and box[3] <= height - 14, (
                        pdf.name,
                        word.text,
                        box,
                    )


@poppler
def test_every_pdf_passes_qpdf_and_pdfinfo_and_claims_pdf_a_2b(a4: Path) -> None:
    for pdf in [a4 / "edition.pdf", *sorted((a4 / "documents").glob("*.pdf"))]:
        info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True)
        assert info.returncode == 0 and info.stderr == "", (pdf, info.stderr)
        if QPDF:
            check = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
            assert check.returncode == 0 and check.stderr == "", (pdf, check.stdout, check.stderr)
            assert "No syntax or stream encoding errors found" in check.stdout
        xmp = subprocess.run(["pdfinfo", "-meta", str(pdf)], capture_output=True, text=True).stdout
        assert "<pdfaid:part>2</pdfaid:part>" in xmp and "<pdfaid:conformance>B</pdfaid:conformance>" in xmp


@poppler
def test_persons_are_filed_surname_first_with_see_references(a4: Path) -> None:
    pdf = a4 / "edition.pdf"
    parts = part_pages(pdf)
    text = " ".join(text_of(pdf, parts["Index of persons"] + 1, parts["Index of places"], layout=False).split())
    assert "Stalin, Joseph" in text and "Kim Il Sung" in text and "Harriman, W. Averell" in text
    assert "Joseph Stalin (" not in text  # never forename first
    assert "Generalissimo Stalin, see Stalin, Joseph" in text
    assert "Kim II Sung, see Kim Il Sung" in text  # a variant the register gives
    # A part of the name ('Stalin') is no variant worth a reference.
    assert text.count("Stalin, see Stalin") == text.count("Generalissimo Stalin, see Stalin")
    # Entries come in the order of their index names, see-references among them.
    names = re.findall(r"(?:^|\. |\d )([A-Z][\w'’-]+, [A-Z])", text)
    assert names == sorted(names, key=str.casefold) or len(names) < 3


@poppler
def test_the_source_note_is_labelled_part_by_part_in_the_web_s_words(a4: Path) -> None:
    pdf = a4 / "documents" / f"{REPORT}.pdf"
    text = text_of(pdf, 1, 1)
    flat = " ".join(text.split())
    for label, value in [
        ("Source", "On Some Issues of Soviet-Korean Relations (Wilson Center Digital Archive, June 2, 1967)."),
        ("Online", "https://digitalarchive.umd.edu/document/113974"),
        ("Archive", "State Central Archive, Prague,"),
        ("Original language", "Czech. Contents: translation into English."),
        ("Translator", "Adolf Kotlik"),
        ("Funding", "Leon Levy Foundation"),
    ]:
        assert re.search(rf"^{label}: ", text, flags=re.MULTILINE), f"{label} does not open a line"
        assert f"{label}: {value}" in flat
    assert "Original language: Original language" not in flat and ".." not in flat.replace("...", "")
    assert "Adolf Kotlik Leon Levy" not in flat
    # The web's document page says the same.
    html = load_config(a4.parent.parent.parent / "edition.toml").html_dir
    page = (html / "documents" / REPORT / "index.html").read_text(encoding="utf-8")
    assert "Czech. Contents: translation into English." in page and "Original language: Czech" not in page
    assert "On Some Issues of Soviet-Korean Relations (Wilson Center Digital Archive, June 2, 1967)." in page


@poppler
def test_a_document_s_pdf_says_where_it_stands_and_how_to_cite_it(a4: Path) -> None:
    book = pypdf.PdfReader(a4 / "edition.pdf")
    labels = list(book.page_labels)
    parts = part_pages(a4 / "edition.pdf")
    starts = sorted(parts.values())
    title = next(t for t in parts if t.startswith("On Some Issues"))
    start = parts[title]
    end = starts[starts.index(start) + 1] - 1
    flat = " ".join(text_of(a4 / "documents" / f"{REPORT}.pdf", 1, 1, layout=False).split()).replace("- ", "-")
    assert f"Document 2; edition pp. {labels[start]}–{labels[end]}" in flat
    assert "Online: https://example.org/korea-soviet-union/documents/" in flat
    first = pypdf.PdfReader(a4 / "documents" / f"{REPORT}.pdf").pages[0]
    uris = {str(a.get_object().get("/A", {}).get("/URI", "")) for a in first.get("/Annots", [])}
    assert f"https://example.org/korea-soviet-union/documents/{REPORT}/" in uris
    assert "Cite as: The Czechoslovak Ambassador in Moscow, “On Some Issues" in flat
    # The same citation as the document's web page gives, word for word.
    html = load_config(a4.parent.parent.parent / "edition.toml").html_dir
    page = lxml_html.parse(str(html / "documents" / REPORT / "index.html"))
    web = " ".join(page.getroot().get_element_by_id("citation-text").text_content().split())
    assert web.endswith("accessed [date of access].")
    unbroken = re.sub(r"\xad\s*", "", flat).replace("/ ", "/")  # words and addresses broken at a line's end
    assert f"Cite as: {web}" in unbroken


@poppler
def test_the_chronology_keeps_each_row_together_and_titles_whole(a4: Path) -> None:
    pdf = a4 / "edition.pdf"
    parts = part_pages(pdf)
    text = " ".join(text_of(pdf, parts["Chronology"] + 1, layout=False).split())
    assert "…," not in text  # no short title is cut
    assert re.search(r"Doc\. \d, .+?, p\. \d+", text)


# ---- Typst failures ------------------------------------------------------------------------------------------------


def broken_image_edition(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The PDF fixture with an image file that is not an image, shown by the second document after a tagged name."""
    data = load_any("")
    root = tmp_path / "edition"
    shutil.copytree(data.config.root, root)
    (root / "broken.png").write_bytes(b"this is not a PNG")
    data.config = dataclasses.replace(data.config, root=root)
    bodies = fixture_bodies(data)
    second = data.documents[1]
    bodies[second.id] += '<figure><img src="broken.png" alt="A broken picture"></figure>'
    return data, bodies, second


def test_a_typst_failure_names_the_tei_file(tmp_path: Path) -> None:
    data, bodies, second = broken_image_edition(tmp_path)
    writer = OutputWriter(tmp_path / "out")
    with pytest.raises(BuildError, match=rf"{second.id}.*{second.path.name}.*failed to decode image"):
        render_pdfs(data, bodies, writer, jobs=2)
    writer.abort()
    assert not (tmp_path / "out").exists()


def test_a_line_of_a_pdf_s_source_is_placed_in_the_tei() -> None:
    source = "\n".join(
        [
            "#let design() = none",
            "// document: first tei/first.xml",
            'text /*line 12*/#metadata("a")<mention> more',
            "#broken(",
            "// document: second tei/second.xml",
            "/*line 7*/ text /*line 9*/ here",
            "#also-broken(",
        ]
    )
    assert source_place(source, 4) == ("first", "tei/first.xml", 12)
    assert source_place(source, 7) == ("second", "tei/second.xml", 9)
    assert source_place(source, 1) is None  # in the design of a book: no document to name
    alone = "#let design() = image()\n// document: only tei/only.xml\ntext"
    assert source_place(alone, 1) == ("only", "tei/only.xml", 0)  # a document's own PDF names its document


def test_with_keep_going_one_document_s_failure_stops_no_other_pdf(tmp_path: Path) -> None:
    data, bodies, second = broken_image_edition(tmp_path)
    writer = OutputWriter(tmp_path / "out")
    said: list[str] = []
    count = render_pdfs(data, bodies, writer, jobs=2, warn=said.append, keep_going=True)
    writer.commit()
    made = sorted(p.name for p in (tmp_path / "out").rglob("*.pdf"))
    assert count == len(data.documents) == len(made)  # the book and every document but the broken one
    assert f"{second.id}.pdf" not in made and "edition.pdf" in made
    assert any(second.path.name in message and "left out" in message for message in said), said
    assert any("notice in its place" in message and second.path.name in message for message in said), said
    book = " ".join(page.extract_text() or "" for page in pypdf.PdfReader(tmp_path / "out" / "edition.pdf").pages)
    assert "could not be set" in " ".join(book.split())


# ---- Tables, titles, renderings ------------------------------------------------------------------------------------


TABLES = {
    "nested": '<table><tr><td>outer</td><td><table><tr><td>inner</td><td colspan="5">wide</td></tr></table></td>'
    "</tr></table>",
    "empty rows": '<table><tr></tr><tr><td>a</td><td>b</td></tr><tr></tr><tr><td rowspan="4">c</td></tr></table>',
    "no rows": "<table><caption>Nothing</caption></table>",
    "spans beyond": '<table><tr><td colspan="99">all</td></tr><tr><td rowspan="0">r</td><td colspan="x">s</td>'
    "<td>t</td></tr></table>",
    "three deep": "<table><tr><td><table><tr><td><table><tr><td>deep</td></tr></table></td></tr></table></td></tr>"
    "</table>",
    "in a note": '<p>Text<span class="footnote" data-n="1">A note <table><tr><td>noted</td></tr></table></span></p>',
}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_any_table_is_set(name: str, tmp_path: Path) -> None:
    import typst

    markup = body_markup(TABLES[name], BodyContext("d", tmp_path))
    pdf = typst.compile(markup.encode("utf-8"), format="pdf")
    text = " ".join(page.extract_text() or "" for page in pypdf.PdfReader(__import__("io").BytesIO(pdf)).pages)
    for word in re.findall(r">(\w+)<", TABLES[name]):
        assert word in text, (word, text)


def test_titles_are_set_by_level_and_hi_by_its_rend(tmp_path: Path) -> None:
    def markup(fragment: str) -> str:
        return str(body_markup(f"<p>{fragment}</p>", BodyContext("d", tmp_path)))

    assert markup('<cite class="title level-a">An article</cite>') == "“An article”"
    for level in ("m", "j", "s"):
        assert markup(f'<cite class="title level-{level}">A book</cite>') == "#emph[A book]"
    assert markup('<cite class="title">A title</cite>') == "#emph[A title]"
    assert markup('<span class="hi rend-smallcaps">Caps</span>') == "#smallcaps[Caps]"
    assert markup('<span class="hi rend-underline">Under</span>') == "#underline[Under]"
    assert markup('<em class="hi rend-italic">It</em>') == "#emph[It]"  # italic once, not twice (upright)
    assert markup('<strong class="hi rend-bold">Bold</strong>') == "#strong[Bold]"
    assert markup('<span class="hi rend-bold rend-italic">Both</span>') == "#strong[#emph[Both]]"
    assert markup('<sup class="hi rend-sup">2</sup>') == "#super[2]"


# ---- The shared formatter ------------------------------------------------------------------------------------------


def test_the_formatter_never_doubles_a_label_or_a_full_stop() -> None:
    assert sentence("Czech.") == "Czech." and sentence("Czech") == "Czech." and sentence("Who?") == "Who?"
    assert without_label("Original language", "Original language: Czech.") == "Czech."
    meta = DocumentMeta(
        title="T",
        source=SourceCitation(title="A report", publisher="An archive", date="1967", url="https://example.org/1"),
        original_language="Original language: Czech.",
        translator="A. Translator.",
        funder="A foundation",
    )
    assert source_description(meta) == [
        ("Source", "A report (An archive, 1967)."),
        ("Online", "https://example.org/1"),
        ("Original language", "Czech."),
        ("Translator", "A. Translator."),
        ("Funding", "A foundation"),
    ]


def test_names_found_only_in_the_headers_get_an_index_of_their_own() -> None:
    from tei_edition.print.book import build_indexes, prefixed, prepare_document

    data = load_any("")
    bodies = fixture_bodies(data)
    documents = [prepare_document(data, doc, n, bodies) for n, doc in enumerate(data.documents, start=1)]
    anchors = {prefixed(m.document.id, m.mention.anchor) for ms in data.mentions.values() for m in ms}
    # Say Molotov were named only in a header (as a translator is): every anchor of his is left out of the texts.
    molotov = {prefixed(m.document.id, m.mention.anchor) for m in data.mentions["molotov"]}
    indexes = {index.kind: index for index in build_indexes(data, documents, placed=anchors - molotov)}
    assert [e.entity.id for e in indexes["contributor"].entries] == ["molotov"]
    assert indexes["contributor"].entries[0].documents  # with the documents whose headers name him
    assert "molotov" not in {e.entity.id for e in indexes["person"].entries}
    assert "contributor" not in {i.kind for i in build_indexes(data, documents, placed=anchors)}


def test_short_titles_are_never_cut_but_running_heads_are() -> None:
    from tei_edition.print.book import prepare_document

    data = load_any("")
    doc = prepare_document(data, data.documents[0], 1, fixture_bodies(data))
    long = "The Ambassador in the Soviet Union to the Secretary of State on the talks held at Moscow in July and August"
    doc.source = dataclasses.replace(doc.source, short_title="")
    doc.meta = dataclasses.replace(doc.meta, title=long)
    assert doc.short_title == long
    assert doc.running_title.endswith("…") and len(doc.running_title) <= 57
    doc.meta = dataclasses.replace(doc.meta, title="A memorandum of the conversation: with a subtitle")
    assert doc.short_title == "A memorandum of the conversation"


def test_a_character_no_font_has_makes_a_plain_pdf_not_a_failure(tmp_path: Path) -> None:
    data = load_any("")
    bodies = fixture_bodies(data)
    first = data.documents[0]
    bodies[first.id] += "<p>A letter of the Deseret alphabet: \U00010400.</p>"
    writer = OutputWriter(tmp_path / "out")
    said: list[str] = []
    count = render_pdfs(data, bodies, writer, jobs=2, warn=said.append)
    writer.commit()
    assert count == 1 + len(data.documents)
    assert any("not PDF/A" in message and "edition.pdf" in message for message in said), said
    assert (tmp_path / "out" / "documents" / f"{first.id}.pdf").is_file()


def test_a_quoted_title_takes_the_comma_in_place_of_its_own_closing_stop() -> None:
    # As the web page and the PDFs cite a document (one formatter for both).
    assert quoted_title("Mr. Read to Mr. Davis.") == "“Mr. Read to Mr. Davis,”"
    assert quoted_title("Notes on Korea:") == "“Notes on Korea,”"
    assert quoted_title("Who Lost China?") == "“Who Lost China?”"
    assert quoted_title("A telegram") == "“A telegram,”"
    assert quoted_title("Wait...") == "“Wait...,”"
    citation = document_citation(
        creators=["Jane Doe"],
        title="Mr. Read to Mr. Davis.",
        edition="FRUS 1870",
        editors=[],
        version="1.0",
        publisher="",
        year="2026",
        url="",
        accessed="today",
    )
    assert citation == "Jane Doe, “Mr. Read to Mr. Davis,” in FRUS 1870, version 1.0 (2026), accessed today."
