"""The PDF editions set by Typst (the default engine), built from the fixture edition in tests/data/pdf/.

The fixture and its hand-written print bodies are those of tests/test_pdf.py, which sets them with WeasyPrint.
The Typst markup made from the bodies is compared with golden files; after an intended change to the converter,
regenerate them with

    UPDATE_GOLDEN=1 PYTHONPATH=src pytest tests/test_typeset.py -k golden
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

pypdf = pytest.importorskip("pypdf")
pytest.importorskip("typst")

from pdf_fixture import (  # noqa: E402
    FIXTURE,
    POPPLER,
    Built,
    build,
    check_metadata,
    check_missing_body_is_named,
    check_page_numbers_and_left_heads,
    check_scripts_drawn,
    fixture_bodies,
    left_edge,
    page_texts,
    text_in_rect,
)
from pdf_fixture import load_fixture as load_any  # noqa: E402
from tei_edition.config import PrintConfig, load_config  # noqa: E402
from tei_edition.errors import BuildError, ConfigError  # noqa: E402
from tei_edition.print import pdf_engine  # noqa: E402
from tei_edition.print.book import prefixed  # noqa: E402
from tei_edition.print.typst_markup import BodyContext, body_markup, escape  # noqa: E402
from tei_edition.tei.model import source_tree  # noqa: E402

GOLDEN = Path(__file__).parent / "golden" / "typst"


def load_fixture(engine: str = "", **print_settings: object):  # type: ignore[no-untyped-def]
    """The fixture edition; without an engine, as it is configured: set by Typst, the default."""
    return load_any(engine, **print_settings)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    data = load_fixture()
    folder = tmp_path_factory.mktemp("typst") / "pdf"
    return Built(data, folder, build(data, folder, jobs=2))


def poppler_page(pdf: Path, number: int, *options: str) -> str:
    """The text of page `number` (from 1) as pdftotext reads it."""
    return subprocess.run(
        ["pdftotext", *options, "-f", str(number), "-l", str(number), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def outline_pages(pdf: Path) -> dict[str, int]:
    """Bookmark title -> page index, over the whole outline."""
    reader = pypdf.PdfReader(pdf)
    found: dict[str, int] = {}

    def walk(items: list) -> None:  # type: ignore[type-arg]
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found.setdefault(str(item["/Title"]), reader.get_destination_page_number(item))

    walk(reader.outline)
    return found


def links(pdf: Path, on_pages: set[int]) -> list[tuple[int, int, str]]:
    """(page index of the link, page index it leads to, the text it covers) for each internal link on `on_pages`,
    in reading order."""
    reader = pypdf.PdfReader(pdf)
    page_index = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    out = []
    for index in sorted(on_pages):
        page = reader.pages[index]
        height = float(page.mediabox.height)
        found = []
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            dest = annot.get("/Dest")
            if annot.get("/Subtype") != "/Link" or dest is None:
                continue
            target = dest.get_object()[0]
            rect = [float(v) for v in annot["/Rect"]]
            text = text_in_rect(pdf, index, rect, height)
            x0, y1 = min(rect[0], rect[2]), max(rect[1], rect[3])
            found.append(((-y1, x0), (index, page_index[target.idnum], text)))
        out += [link for _where, link in sorted(found)]
    return out


def test_typst_is_the_default_engine_and_weasyprint_serves_html_print_templates(tmp_path: Path) -> None:
    assert pdf_engine(load_fixture().config) == "typst"
    assert pdf_engine(load_fixture(engine="weasyprint").config) == "weasyprint"
    own = tmp_path / "templates" / "print"
    own.mkdir(parents=True)
    config = dataclasses.replace(load_fixture().config, templates_dir=tmp_path / "templates")
    assert pdf_engine(config) == "typst"  # a templates folder without print templates in HTML
    (own / "_index.html").write_text("<section></section>", encoding="utf-8")
    assert pdf_engine(config) == "weasyprint"  # an edition's own HTML print templates: only WeasyPrint reads them
    assert pdf_engine(dataclasses.replace(config, print=PrintConfig(engine="typst"))) == "typst"


def test_an_unknown_engine_or_a_bad_volume_size_is_a_configuration_error(tmp_path: Path) -> None:
    text = (FIXTURE / "edition.toml").read_text(encoding="utf-8")
    assert "[pdf]\n" in text
    text = text.replace("[pdf]\n", '[pdf]\nengine = "latex"\nvolume_pages = -5\n')
    shutil.copytree(FIXTURE / "tei", tmp_path / "tei")
    (tmp_path / "edition.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "edition.toml")
    assert re.search(r"pdf\.engine.*typst, weasyprint.*'latex'", str(caught.value))
    assert re.search(r"pdf\.volume_pages.*0 or more.*-5", str(caught.value))


def test_writes_the_edition_and_one_pdf_per_document_with_typst(built: Built) -> None:
    assert built.count == 1 + len(built.data.documents)
    for pdf in [built.edition, *(built.folder / "documents" / f"{d.id}.pdf" for d in built.data.documents)]:
        info = pypdf.PdfReader(pdf).metadata
        assert str(info["/Creator"]).startswith("Typst"), pdf


def test_metadata_is_set_by_typst(built: Built) -> None:
    check_metadata(built)


def test_every_part_is_in_the_outline_and_the_contents_give_its_page(built: Built) -> None:
    parts = outline_pages(built.edition)
    for doc in built.data.documents:
        assert doc.title in parts
    back = ["Index of persons", "Index of places", "Index of organisations", "Chronology"]
    assert {"Contents", "Introduction", *back} <= set(parts)
    assert [parts[p] for p in back] == sorted(parts[p] for p in back)  # the chronology comes last
    assert parts["Chronology"] > parts["Index of persons"] + 1  # the back matter runs over several pages
    # The front matter is numbered in roman numerals, the documents from arabic 1; the contents give the numbers
    # printed on the pages.
    labels = pypdf.PdfReader(built.edition).page_labels
    assert labels[parts["Contents"]] in ("iii", "ii", "iv") and labels[parts["Introduction"]].isalpha()
    assert labels[parts[built.data.documents[0].title]] == "1"
    if POPPLER:
        contents = poppler_page(built.edition, parts["Contents"] + 1, "-layout")
        for label in ["Introduction", *back]:
            line = next(line for line in contents.splitlines() if line.strip().startswith(label))
            assert printed_number(line) == labels[parts[label]], line
        lines = contents.splitlines()
        for doc in built.data.documents:
            at = next(i for i, line in enumerate(lines) if doc.title[:30] in line)
            line = next(line for line in lines[at:] if re.search(r"[. ](\d+|[ivxlc]+)$", line.strip()))  # a long title
            assert printed_number(line) == labels[parts[doc.title]], line  # wraps: its number ends its last line


def printed_number(line: str) -> str:
    """The page number at the end of a line of the contents, after its dot leaders."""
    return re.findall(r"([0-9]+|[ivxlc]+)$", line.strip())[0]


@pytest.mark.skipif(not POPPLER, reason="poppler's pdftotext is needed to read printed page numbers")
def test_index_lists_each_page_a_name_is_on_once_linked_to_it(built: Built) -> None:
    parts = outline_pages(built.edition)
    pages = page_texts(built.edition)
    index = {parts["Index of persons"]}
    stalin = [m.mention.text for m in built.data.mentions["stalin"]]
    # The pages holding a mention of Stalin, from the text itself.
    first_doc = parts[built.data.documents[0].title]
    holding = {i for i in range(first_doc, parts["Index of persons"]) if any(t in pages[i] for t in stalin)}
    labels = pypdf.PdfReader(built.edition).page_labels
    entry = [link for link in links(built.edition, index)]
    numbers = [(text, target) for _page, target, text in entry if text.isdigit()]
    assert numbers, "the index has no page links"
    for number, target in numbers:
        assert number == labels[target], f"the index says page {number}, its link leads to page {labels[target]}"
    index_text = "\n\n".join(
        poppler_page(built.edition, page + 1) for page in range(parts["Index of persons"], parts["Index of places"])
    )
    line = next(line for line in index_text.split("\n\n") if "Stalin, Joseph" in line)
    printed = [int(n) for n in re.findall(r"(?<![\d–])(\d{1,3})(?![\d–])", line.split("Union.")[-1])]
    assert len(printed) == len(set(printed)), f"a page number repeats in Stalin's entry: {printed}"
    assert set(printed) == {int(labels[i]) for i in holding}, (printed, holding)


@pytest.mark.skipif(not POPPLER, reason="poppler's pdftotext is needed to read printed page numbers")
def test_chronology_lists_every_dated_passage_in_date_order_with_its_page(built: Built) -> None:
    parts = outline_pages(built.edition)
    pages = page_texts(built.edition)
    start = parts["Chronology"]
    entries = built.data.chronology
    assert len(entries) == 5
    found = [link for link in links(built.edition, set(range(start, len(pages)))) if link[2].isdigit()]
    assert len(found) == len(entries), "each dated passage is listed once, with its page"
    labels = pypdf.PdfReader(built.edition).page_labels
    for entry, (_page, target, text) in zip(entries, found, strict=True):
        assert text == labels[target]
        assert entry.date.text in pages[target], f"page {text} does not hold {entry.date.text!r}"
    # The years are headings, in order, each a bookmark under the chronology's.
    outline = pypdf.PdfReader(built.edition).outline
    years = outline[
        [i for i, item in enumerate(outline) if not isinstance(item, list) and item["/Title"] == "Chronology"][0] + 1
    ]
    assert [item["/Title"] for item in years] == ["1945", "1950", "1951", "1961"]
    text = " ".join(pages[start:])
    assert "10 August 1945" in text and "6 July 1961" in text
    assert "Doc. 2, Mao to Stalin, p." in text
    assert "Doc. 3, Report from Moscow on Soviet–Korean relations, June 1967, p." in text


@pytest.mark.skipif(not POPPLER, reason="poppler's pdftotext reads the notes' marks in place")
def test_notes_stand_at_the_foot_of_their_page_with_their_own_numbers_and_marks(built: Built) -> None:
    parts = outline_pages(built.edition)
    pages = page_texts(built.edition)
    mao = parts["Mao Zedong to Stalin on the armistice talks, November 1951"]
    number = next(i for i in range(mao, len(pages)) if "19 November" in pages[i]) + 1
    text = poppler_page(built.edition, number).replace("\xad\n", "")  # a word hyphenated at a line's end
    assert "on 19 November.48 " in text  # the source's own number, not "2"
    assert "\n48. The telegram of Stalin is quoted" in text
    assert "\n* Source reads: Kim II Sung" in text  # a correction gets a mark
    assert "receipt [Source reads: reciept] stamp included. (Checked against the printed text.)" in text
    assert text.index("on 19 November.48") < text.index("\n48. The telegram")  # the note is below its call
    telegram = parts["Telegram on the Moscow talks, August 1945"] + 1
    first = poppler_page(built.edition, telegram)
    assert "\n1. The record of this meeting" in first and "Moscow.1 " in first


def test_running_heads_and_page_numbers(built: Built) -> None:
    pages = page_texts(built.edition)
    parts = outline_pages(built.edition)
    title = built.data.config.title
    openings = {parts[doc.title] for doc in built.data.documents}
    openings |= {
        parts[name] for name in ("Index of persons", "Index of places", "Index of organisations", "Chronology")
    }
    labels = list(pypdf.PdfReader(built.edition).page_labels)
    check_page_numbers_and_left_heads(pages, title, openings, parts[built.data.documents[0].title], labels)
    telegram = parts["Telegram on the Moscow talks, August 1945"]
    right = telegram + 1 if telegram % 2 else telegram + 2
    assert "Telegram on the Moscow talks, August 1945" in pages[right]
    mao = parts["Mao Zedong to Stalin on the armistice talks, November 1951"]
    if mao + 1 < parts["Report from Moscow on Soviet–Korean relations, June 1967"]:
        assert "Mao to Stalin" in pages[mao + 1 if mao % 2 else mao + 2]


@pytest.mark.skipif(not POPPLER, reason="poppler's pdftotext reads the margin")
def test_source_page_numbers_stand_in_the_margin(built: Built) -> None:
    parts = outline_pages(built.edition)
    telegram = parts["Telegram on the Moscow talks, August 1945"] + 1
    layout = poppler_page(built.edition, telegram, "-layout")
    line = next(line for line in layout.splitlines() if "p. 913" in line)
    assert line.rstrip().endswith("p. 913")  # to the right of the text on its line
    assert "| On August 10" in layout or "|On August 10" in layout  # the bar marks the break in the line


def test_hangul_and_chinese_use_an_embedded_cjk_face_and_cyrillic_the_text_face(built: Built) -> None:
    drawn = check_scripts_drawn(built)
    assert any("kr" in name.lower() for name in drawn["김"]), drawn["김"]  # lang="ko": the Korean face


def test_two_builds_and_one_or_two_jobs_give_the_same_bytes(built: Built, tmp_path: Path) -> None:
    count = build(load_fixture(), tmp_path / "one", jobs=1)
    assert count == built.count
    for pdf in sorted(built.folder.rglob("*.pdf")):
        name = pdf.relative_to(built.folder)
        assert (tmp_path / "one" / name).read_bytes() == pdf.read_bytes(), name


def test_paper_size_and_margins_come_from_the_configuration(built: Built, tmp_path: Path) -> None:
    a4 = pypdf.PdfReader(built.folder / "documents" / f"{built.data.documents[0].id}.pdf").pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    data = load_fixture(paper="Letter", margins=("10mm", "10mm", "10mm", "10mm"))
    build(data, tmp_path / "letter")
    pdf = tmp_path / "letter" / "documents" / f"{data.documents[0].id}.pdf"
    box = pypdf.PdfReader(pdf).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    if POPPLER:
        # The inner margin is the configured one or wider: what the measure of the lines leaves of the page's width
        # is shared between the margins, the outer one the wider (it holds the source's page numbers).
        assert left_edge(pdf) > 28  # 10 mm = 28 pt
        assert left_edge(built.folder / "documents" / f"{built.data.documents[0].id}.pdf") > 56  # 20 mm


def test_a_document_without_a_print_body_is_named(tmp_path: Path) -> None:
    check_missing_body_is_named(load_fixture(), tmp_path / "out")


def test_an_edition_design_that_typst_rejects_is_reported_and_nothing_is_written(tmp_path: Path) -> None:
    own = tmp_path / "templates" / "print"
    own.mkdir(parents=True)
    (own / "edition.typ").write_text(
        "#let edition(body, ..args) = body\n#let title-page(..args) = undefined-thing\n", encoding="utf-8"
    )
    data = load_fixture()
    data.config = dataclasses.replace(data.config, templates_dir=tmp_path / "templates")
    with pytest.raises(BuildError, match=r"setting the edition \(edition\.pdf\) with Typst failed: .*undefined-thing"):
        build(data, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_bodies_from_the_stylesheets_mark_every_name_and_date(tmp_path: Path) -> None:
    transform = pytest.importorskip("tei_edition.transform.xslt")
    data = load_fixture()
    doc = data.documents[1]
    transformer = transform.Transformer(data.config.xslt_dir)
    html = transformer.transform(source_tree(doc), {"root": "", "media": "print", "doc-id": doc.id})
    from tei_edition.print.book import prefix_ids

    mentions: dict[str, tuple[str, ...]] = {}
    for m in doc.mentions:
        mentions[prefixed(doc.id, m.anchor)] = (*mentions.get(prefixed(doc.id, m.anchor), ()), m.entity_id)
    dated = frozenset(prefixed(doc.id, d.anchor) for d in doc.dates)
    context = BodyContext(doc.id, data.config.root, mentions, dated)
    markup = body_markup(prefix_ids(html, doc.id), context)
    assert doc.mentions and doc.dates
    assert context.anchors == set(mentions) | dated, "a name or date of the text has no marker"
    assert markup.count("<mention>") == sum(len(v) for v in mentions.values())
    assert markup.count("<dated>") == len(dated)


def test_text_is_escaped_so_that_no_character_is_read_as_markup(tmp_path: Path) -> None:
    import typst

    hostile = "a #let x = 1 *b* _c_ `d` $e$ <f> @g = h - i + j / k // l /* m */ [n] ~ o \\ p \"q\" 'r' 1. s ..."
    pdf = typst.compile(f"#set page(width: 40cm, height: auto)\n{escape(hostile)}".encode())
    (tmp_path / "out.pdf").write_bytes(pdf)
    text = re.sub(r"\s+", " ", pypdf.PdfReader(tmp_path / "out.pdf").pages[0].extract_text())
    assert text.strip() == " ".join(hostile.split()), text


@pytest.mark.parametrize("doc_id", ["1945-08-moscow-telegram", "1951-11-beijing-telegram", "1967-06-report"])
def test_golden_typst_markup_of_the_print_bodies(doc_id: str) -> None:
    from tei_edition.print.book import prefix_ids

    data = load_fixture()
    doc = next(d for d in data.documents if d.id == doc_id)
    mentions: dict[str, tuple[str, ...]] = {}
    for m in doc.mentions:
        mentions[prefixed(doc.id, m.anchor)] = (*mentions.get(prefixed(doc.id, m.anchor), ()), m.entity_id)
    context = BodyContext(
        doc.id,
        data.config.root,
        mentions,
        frozenset(prefixed(doc.id, d.anchor) for d in doc.dates),
        {"ko": ("EB Garamond", "Noto Sans CJK KR")},
    )
    html = (FIXTURE / "print" / f"{doc_id}.html").read_text(encoding="utf-8")
    markup = body_markup(prefix_ids(html, doc_id), context) + "\n"
    golden = GOLDEN / f"{doc_id}.typ"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(markup, encoding="utf-8")
        pytest.skip("golden file regenerated: review `git diff tests/golden/typst`")
    assert markup == golden.read_text(encoding="utf-8"), f"{golden} differs; see the module's docstring"


def test_every_construct_of_a_print_body_is_set_in_reading_order(tmp_path: Path) -> None:
    """Lists, a table, a definition list, a quotation, a figure with an image of the edition, images that must not
    be read (outside the edition, remote), emphasis, superscripts, a web link, a passage in Russian, and a note
    inside a note (which Typst cannot nest: it is printed in the outer one, in parentheses)."""
    import base64

    import typst

    # A 2x2 PNG inside the edition's folder.
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "seal.png").write_bytes(
        base64.b64decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg=="
        )
    )
    html = """<div class="tei-text">
      <h2 class="head">Heading one</h2>
      <p>Alpha <em>beta</em> <strong>gamma</strong> x<sup>2</sup> H<sub>2</sub>O <del>struck</del>
         <a href="https://example.org/">web link</a> <span lang="ru">дружба</span>.</p>
      <ol><li>First item</li><li>Second item</li></ol>
      <ul><li>Bullet item</li></ul>
      <dl><dt>Term</dt><dd>Its meaning</dd></dl>
      <blockquote><p>Quoted words</p></blockquote>
      <table><caption>Table caption</caption><tr><th>Head A</th><th>Head B</th></tr>
        <tr><td colspan="2">Wide cell</td></tr>
        <tr><td colspan="x2">Odd span</td><td rowspan="99999"><table><tr><td>Inner cell</td></tr></table></td></tr>
      </table>
      <figure><img src="images/seal.png" alt="The seal"/><figcaption>Figure caption</figcaption></figure>
      <figure><img src="../../etc/passwd" alt="Outside"/></figure>
      <p>Remote <img src="https://example.org/x.png" alt="Remote picture"/> end.</p>
      <hr/>
      <p>Last<br/>line.<span class="footnote" data-n="7">Outer note<span class="footnote">Inner note</span></span></p>
    </div>"""
    markup = body_markup(html, BodyContext("doc", tmp_path))
    assert "passwd" not in markup and "example.org/x.png" not in markup
    assert markup.count("Inner cell") == 1  # the inner table's row is not taken for one of the outer table's
    design = (Path(__file__).parents[1] / "src" / "tei_edition" / "templates" / "print" / "edition.typ").read_text(
        encoding="utf-8"
    )
    source = f'{design}\n#show: edition.with(fonts: ("DejaVu Serif",))\n{markup}\n'
    pdf = typst.compile(source.encode("utf-8"), root=str(tmp_path))
    (tmp_path / "body.pdf").write_bytes(pdf)
    reader = pypdf.PdfReader(tmp_path / "body.pdf")
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))
    order = [
        "Heading one",
        "Alpha beta gamma",
        "дружба",
        "First item",
        "Second item",
        "Bullet item",
        "Term",
        "Its meaning",
        "Quoted words",
        "Table caption",
        "Head A",
        "Head B",
        "Wide cell",
        "Odd span",
        "Inner cell",
        "Figure caption",
        "[Outside]",
        "Remote [Remote picture] end",
        "Last",
        "line.",
        "7. Outer note (Inner note)",
    ]
    positions = [text.find(piece) for piece in order]
    assert -1 not in positions, [p for p, at in zip(order, positions, strict=True) if at < 0]
    assert positions == sorted(positions), text
    uris = [
        a.get_object()["/A"]["/URI"]
        for page in reader.pages
        for a in page.get("/Annots", []) or []
        if "/A" in a.get_object()
    ]
    assert "https://example.org/" in uris
    images = [name for page in reader.pages for name in page["/Resources"].get("/XObject", {})]
    assert images, "the image of the edition is not in the PDF"


def test_a_flagged_document_says_so_in_its_pdf(tmp_path: Path) -> None:
    data = load_fixture()
    data.flagged = {"1967-06-report"}
    build(data, tmp_path / "out", jobs=1)
    text = " ".join(page_texts(tmp_path / "out" / "documents" / "1967-06-report.pdf"))
    assert "Preview: this document has validation errors" in text
    assert "validation errors" not in " ".join(
        page_texts(tmp_path / "out" / "documents" / "1951-11-beijing-telegram.pdf")
    )


def test_pdfs_whose_sources_are_unchanged_come_from_the_build_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tei_edition.output.cache import BuildCache
    from tei_edition.print import typeset

    store = BuildCache(tmp_path / "cache.sqlite")
    data = load_fixture()
    bodies = fixture_bodies(data)
    build(data, tmp_path / "first", jobs=1, bodies=bodies, store=store)

    set_again: list[str] = []
    original = typeset.TypstSetter.write

    def spy(self: typeset.TypstSetter, source: str, what: str) -> bytes:
        set_again.append(what)
        return original(self, source, what)

    monkeypatch.setattr(typeset.TypstSetter, "write", spy)
    build(data, tmp_path / "second", jobs=1, bodies=bodies, store=store)
    assert set_again == []
    for pdf in sorted((tmp_path / "first").rglob("*.pdf")):
        assert (tmp_path / "second" / pdf.relative_to(tmp_path / "first")).read_bytes() == pdf.read_bytes()

    # One document's text edited: the edition and that document are set again, the others are kept.
    bodies["1967-06-report"] = bodies["1967-06-report"].replace("did not comment", "said nothing")
    build(data, tmp_path / "third", jobs=1, bodies=bodies, store=store)
    assert [what.split(" (from ")[0] for what in sorted(set_again)] == [
        "document '1967-06-report'",
        "the edition (edition.pdf)",
    ]
    assert set_again[0].endswith(".xml)") or set_again[1].endswith(".xml)")  # a document's PDF names its TEI file
    assert "said nothing" in " ".join(page_texts(tmp_path / "third" / "documents" / "1967-06-report.pdf"))
    store.close()


def test_pdfs_of_an_incremental_build_equal_those_of_a_clean_build_in_another_process(tmp_path: Path) -> None:
    """The sample edition built whole, one document edited and built again (the other documents' PDFs from the
    build cache), against a clean build of the edited sources run as a separate `edition build`."""
    import os
    import sys

    sample = Path(__file__).parents[1]
    edition = tmp_path / "edition"
    shutil.copytree(sample / "tei", edition / "tei")
    shutil.copy(sample / "edition.toml", edition / "edition.toml")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}

    def edition_build(*args: str) -> str:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "tei_edition",
                "build",
                "--jobs",
                "2",
                *args,
                "--config",
                str(edition / "edition.toml"),
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    edition_build()
    report = edition / "tei" / "documents" / "1967-06-02-soviet-korean-relations.xml"
    text = report.read_text(encoding="utf-8")
    assert "consultations went well" in text
    report.write_text(text.replace("consultations went well", "consultations went very well", 1), encoding="utf-8")
    edition_build()
    incremental = {
        p.relative_to(edition / "build" / "html" / "pdf"): p.read_bytes()
        for p in (edition / "build" / "html" / "pdf").rglob("*.pdf")
    }
    assert len(incremental) == 5
    assert "consultations went very well" in " ".join(
        " ".join(
            page_texts(edition / "build" / "html" / "pdf" / "documents" / "1967-06-02-soviet-korean-relations.pdf")
        ).split()
    ).replace("- ", "")  # a word hyphenated at a line's end
    shutil.rmtree(edition / "build")
    edition_build("--clean")
    for name, data in incremental.items():
        assert (edition / "build" / "html" / "pdf" / name).read_bytes() == data, name


def test_images_keep_their_size_within_the_text_width_and_90_mm(tmp_path: Path) -> None:
    import io

    import typst
    from PIL import Image

    (tmp_path / "images").mkdir()
    Image.new("RGB", (40, 30), "red").save(tmp_path / "images" / "small.png")  # 40 x 30 pt at 72 dpi
    Image.new("RGB", (3000, 4000), "blue").save(tmp_path / "images" / "tall.png")
    html = (
        '<div><figure><img src="images/small.png" alt="small"/></figure><p>and</p>'
        '<figure><img src="images/tall.png" alt="tall"/></figure></div>'
    )
    markup = body_markup(html, BodyContext("doc", tmp_path))
    design = (Path(__file__).parents[1] / "src" / "tei_edition" / "templates" / "print" / "edition.typ").read_text(
        encoding="utf-8"
    )
    pdf = typst.compile(
        f'{design}\n#show: edition.with(fonts: ("DejaVu Serif",))\n{markup}\n'.encode(), root=str(tmp_path)
    )
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    drawn = []  # (width, height) in points of each image, from the matrix it is drawn with
    for page in reader.pages:
        matrix = None
        for operands, operator in pypdf.generic.ContentStream(page.get_contents(), reader).operations:
            if operator == b"cm":
                matrix = [float(v) for v in operands]
            elif operator == b"Do" and matrix is not None:
                drawn.append((round(matrix[0], 1), round(abs(matrix[3]), 1)))
    assert drawn[0] == (40.0, 30.0)  # not enlarged
    width, height = drawn[1]
    assert height == pytest.approx(90 / 25.4 * 72, abs=0.5)  # 90 mm
    assert width == pytest.approx(height * 3 / 4, abs=0.5)  # in proportion


def test_typst_warnings_are_passed_on_once(tmp_path: Path) -> None:
    """An edition's own design naming a font the machine lacks: Typst sets the PDFs with another and says so."""
    from tei_edition.output.writer import OutputWriter
    from tei_edition.print import render_pdfs
    from tei_edition.transform.jinja import package_templates

    own = tmp_path / "templates" / "print"
    own.mkdir(parents=True)
    design = (package_templates() / "print" / "edition.typ").read_text(encoding="utf-8")
    (own / "edition.typ").write_text(
        design
        + """
#let package-edition = edition
#let edition(body, ..settings) = package-edition(..settings, { set text(font: "No Such Family"); body })
""",
        encoding="utf-8",
    )
    data = load_fixture()
    data.config = dataclasses.replace(data.config, templates_dir=tmp_path / "templates")
    warnings: list[str] = []
    writer = OutputWriter(tmp_path / "out")
    assert render_pdfs(data, fixture_bodies(data), writer, jobs=1, warn=warnings.append) == 4
    writer.commit()
    assert warnings == [
        "PDF: Typst warns: unknown font family: no such family (setting the edition (edition.pdf) and 3 more PDF(s))"
    ], warnings
    assert "Stalin" in " ".join(page_texts(tmp_path / "out" / "edition.pdf"))  # set all the same


def test_volumes_are_as_even_as_whole_documents_allow() -> None:
    from tei_edition.print.typeset import split_volumes

    docs = list("abcdefgh")
    # 3,000 characters are a page, and every document one more: these are 2 pages each, 16 in all.
    sizes = [3000] * 8
    assert split_volumes(docs, sizes, 0) == [docs]  # 0: one book
    assert split_volumes(docs, sizes, 16) == [docs]  # it all fits
    assert split_volumes(docs, sizes, 8) == [list("abcd"), list("efgh")]
    assert split_volumes(docs, sizes, 6) == [list("abc"), list("de"), list("fgh")]  # 16 pages: 6, 4 and 6
    # A long document is not split; the others fill the volumes around it.
    assert split_volumes(docs, [3000, 3000, 60000, 3000, 3000, 3000, 3000, 3000], 20) == [list("abc"), list("defgh")]
    assert [len(v) for v in split_volumes(docs, sizes, 1)] == [1] * 8  # never more volumes than documents


def test_a_long_edition_comes_in_volumes_each_with_its_own_contents_and_indexes(tmp_path: Path) -> None:
    data = load_fixture(volume_pages=2)
    count = build(data, tmp_path / "pdf", jobs=2)
    books = sorted((tmp_path / "pdf").glob("edition*.pdf"))
    assert [b.name for b in books] == ["edition-1.pdf", "edition-2.pdf", "edition-3.pdf"]
    assert count == len(books) + len(data.documents)
    seen = []
    for number, book in enumerate(books, start=1):
        pages = page_texts(book)
        assert f"Volume {number} of 3" in pages[0]
        assert pypdf.PdfReader(book).metadata.title == f"{data.config.title}, volume {number}"
        parts = outline_pages(book)
        mine = [doc for doc in data.documents if doc.title in parts]
        assert len(mine) == 1, [doc.title for doc in mine]
        seen += mine
        assert "Index of persons" in parts and parts["Index of persons"] > parts[mine[0].title]
        # The index's page links stay within the volume and lead to pages holding the mentions.
        labels = pypdf.PdfReader(book).page_labels
        for _page, target, text in links(book, {parts["Index of persons"]}):
            if text.isdigit():
                assert text == labels[target] and parts[mine[0].title] <= target < parts["Index of persons"]
    assert seen == data.documents  # each document in one volume, in order
    for number, doc in enumerate(seen, start=1):  # each document's own PDF says where it stands
        first = page_texts(tmp_path / "pdf" / "documents" / f"{doc.id}.pdf")[0]
        assert re.search(rf"Document {number}; edition volume {number}, pp?\. \d+", first), first[:200]
    # Set in processes of their own, the volumes are the same bytes as when set with one job.
    build(load_fixture(volume_pages=2), tmp_path / "one", jobs=1)
    for book in books:
        assert (tmp_path / "one" / book.name).read_bytes() == book.read_bytes(), book.name


def test_tables_whose_spans_exceed_their_columns_are_set(tmp_path: Path) -> None:
    """A table as projects write them (FRUS): a cell spanning rows pushes the next row's cells right, beyond the
    columns of the widest row; a rowspan past the last row; an empty row. Typst sets it instead of refusing it."""
    import typst

    from tei_edition.print.typst_markup import BodyContext, body_markup

    html = """<div class="tei-text"><table>
      <tr><td rowspan="3">Left</td><td>B1</td></tr>
      <tr><td>B2</td><td>C2</td><td colspan="2">D2 wide</td></tr>
      <tr></tr>
      <tr><td>A4</td><td rowspan="5">B4 down</td></tr>
    </table><table><tr><td>A</td><td rowspan="2">X</td></tr><tr><td colspan="3">Z under</td></tr></table></div>"""
    markup = body_markup(html, BodyContext("doc", tmp_path))
    assert "columns: 5" in markup  # Left takes column 1 in the rows below: B2, C2 and D2 need four more
    design = (Path(__file__).parents[1] / "src" / "tei_edition" / "templates" / "print" / "edition.typ").read_text(
        encoding="utf-8"
    )
    source = f'{design}\n#show: edition.with(fonts: ("DejaVu Serif",))\n{markup}\n'
    pdf = typst.compile(source.encode("utf-8"), root=str(tmp_path))
    (tmp_path / "table.pdf").write_bytes(pdf)
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(tmp_path / "table.pdf").pages)
    for word in ("Left", "B1", "B2", "C2", "D2 wide", "A4", "B4 down", "Z under"):
        assert word in text
