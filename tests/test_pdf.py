"""The PDF editions set by WeasyPrint, built from the fixture edition in tests/data/pdf/ (tests/pdf_fixture.py).

The fixture's print bodies are written by hand, so these tests do not depend on the stylesheets; one test at the end
builds the bodies with the real Transformer. tests/test_typeset.py sets the same edition with Typst.
"""

from __future__ import annotations

import re
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest

pypdf = pytest.importorskip("pypdf")
pytest.importorskip("weasyprint")

from pdf_fixture import (  # noqa: E402
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
from tei_edition.errors import BuildError  # noqa: E402
from tei_edition.print.book import prefix_ids, prefixed, short_snippet  # noqa: E402
from tei_edition.print.fonts import cjk_characters, prepare_fonts  # noqa: E402
from tei_edition.print.pdf import css_string, pdf_workers  # noqa: E402
from tei_edition.tei.model import source_tree  # noqa: E402

load_fixture = partial(load_any, "weasyprint")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    data = load_fixture()
    folder = tmp_path_factory.mktemp("pdf") / "pdf"
    # Two jobs and no least size: the documents' PDFs are laid out by a worker process while this one lays out
    # the edition, as for a larger edition on a machine with two cores.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("tei_edition.print.pdf.POOL_MIN_CHARACTERS", 0)
        return Built(data, folder, build(data, folder, jobs=2))


def destination_pages(reader: pypdf.PdfReader) -> dict[str, int]:
    return {name: reader.get_destination_page_number(dest) for name, dest in reader.named_destinations.items()}


def index_links(pdf: Path, anchors: set[str]) -> list[tuple[int, int, str]]:
    """(printed number, destination page index, anchor) for every index link to one of `anchors`."""
    reader = pypdf.PdfReader(pdf)
    index_pages = {i for i, page in enumerate(reader.pages) if "Index of" in (page.extract_text() or "")}
    return [(number, page, name) for number, page, name, _where in page_links(pdf, anchors, index_pages)]


def page_links(pdf: Path, anchors: set[str], on_pages: set[int]) -> list[tuple[int, int, str, tuple[int, float]]]:
    """(printed number, destination page index, anchor, (page index, -top)) for each link to one of `anchors`
    on the pages `on_pages`, in reading order."""
    reader = pypdf.PdfReader(pdf)
    dest = destination_pages(reader)
    # WeasyPrint writes one annotation per box of a link; the smallest one covers just the number.
    smallest: dict[tuple[int, str], list[float]] = {}
    for page_index, page in enumerate(reader.pages):
        if page_index not in on_pages:
            continue
        for annot in page.get("/Annots", []) or []:
            annot = annot.get_object()
            name = annot.get("/Dest")
            if annot.get("/Subtype") != "/Link" or name not in anchors:
                continue
            rect = [float(v) for v in annot["/Rect"]]
            area = abs(rect[2] - rect[0]) * abs(rect[3] - rect[1])
            key = (page_index, str(name))
            old = smallest.get(key)
            if old is None or area < abs(old[2] - old[0]) * abs(old[3] - old[1]):
                smallest[key] = rect
    links = []
    for (page_index, name), rect in smallest.items():
        height = float(reader.pages[page_index].mediabox.height)
        printed = text_in_rect(pdf, page_index, rect, height)
        numbers = re.findall(r"\d+", printed)
        assert len(numbers) == 1, f"the link to {name} shows {printed!r}, not one page number"
        links.append((int(numbers[0]), dest[name], name, (page_index, -max(rect[1], rect[3]))))
    return sorted(links, key=lambda link: link[3])


def test_writes_the_edition_and_one_pdf_per_document(built: Built) -> None:
    assert built.count == 1 + len(built.data.documents)
    assert built.edition.is_file()
    for doc in built.data.documents:
        assert (built.folder / "documents" / f"{doc.id}.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.skipif(not POPPLER, reason="poppler's pdftotext is needed to read printed page numbers")
def test_persons_index_lists_each_page_with_a_mention_once(built: Built) -> None:
    mentions = built.data.mentions["stalin"]
    texts = {prefixed(m.document.id, m.mention.anchor): m.mention.text for m in mentions}
    links = index_links(built.edition, set(texts))
    assert len(links) >= 3
    printed = [number for number, _page, _anchor in links]
    assert len(printed) == len(set(printed)), f"a page number repeats in Stalin's index entry: {printed}"
    pages = page_texts(built.edition)
    dest = destination_pages(pypdf.PdfReader(built.edition))
    for number, page, anchor in links:
        assert number == page + 1, f"index says page {number}, link leads to page {page + 1}"
        assert texts[anchor] in pages[page], f"page {number} does not hold the mention {texts[anchor]!r}"
    # ... and no page holding a mention is left out.
    assert set(printed) == {dest[a] + 1 for a in texts if a in dest}
    assert "Stalin, Joseph" in " ".join(pages)


@pytest.mark.skipif(not POPPLER, reason="poppler's pdftotext is needed to read printed page numbers")
def test_chronology_lists_every_dated_passage_in_date_order_with_its_page(built: Built) -> None:
    entries = {prefixed(e.document.id, e.date.anchor): e for e in built.data.chronology}
    assert len(entries) == 5
    reader = pypdf.PdfReader(built.edition)
    dest = destination_pages(reader)
    pages = page_texts(built.edition)
    start = dest["chronology"]
    # It comes last, after every index, so that the indexes' pages do not move.
    assert all(dest[f"index-{kind}"] < start for kind in ("persons", "places", "orgs"))
    assert "Chronology" in [item["/Title"] for item in reader.outline if not isinstance(item, list)]
    links = page_links(built.edition, set(entries), set(range(start, len(pages))))
    listed = [anchor for _number, _page, anchor, _where in links]
    assert sorted(listed) == sorted(entries), "each dated passage is listed once"
    # The report of 1967 recalls June 1950: it is listed between the documents of 1945 and 1951.
    assert listed == [prefixed(e.document.id, e.date.anchor) for e in built.data.chronology]
    keys = [entries[a].date.span.sort_key for a in listed]
    assert keys == sorted(keys)
    for number, page, anchor, _where in links:
        assert number == page + 1, f"the chronology says page {number}, its link leads to page {page + 1}"
        assert entries[anchor].date.text in pages[page], f"page {number} does not hold {entries[anchor].date.text!r}"
    text = " ".join(pages[start:])
    years = [text.index(year) for year in ("1945", "1950", "1951", "1961")]
    assert years == sorted(years)
    assert "10 August 1945" in text and "6 July 1961" in text  # the date as the editors read it
    # Each passage names its document by number and short title: the header's short title, else the title.
    assert "Doc. 2, Mao to Stalin, p." in text
    assert "Doc. 3, Report from Moscow on Soviet–Korean relations, June 1967, p." in text


def test_short_snippets_are_cut_at_word_boundaries() -> None:
    before, match, after = short_snippet(
        "…one two three four five on 19 November he wrote a long letter home", "19 November", reach=12
    )
    assert (before, match, after) == ("…five on ", "19 November", " he wrote a…")
    assert short_snippet("no date words here", "1951") == ("no date words here", "", "")


def test_footnote_text_is_on_the_page_of_its_reference(built: Built) -> None:
    reader = pypdf.PdfReader(built.edition)
    dest = destination_pages(reader)
    pages = page_texts(built.edition)
    # Document 1: "... in Moscow (n4).[note naming Molotov (n5)]"; document 2: "... on 19 November (n10).[note (n11)]"
    for doc_id, before, inside, note_text in (
        ("1945-08-moscow-telegram", "n4", "n5", "The record of this meeting is printed in full"),
        ("1951-11-beijing-telegram", "n10", "n11", "is quoted from the archive copy"),
    ):
        reference_page = dest[prefixed(doc_id, before)]
        assert dest[prefixed(doc_id, inside)] == reference_page
        assert note_text in pages[reference_page]


@pytest.mark.skipif(not POPPLER, reason="poppler's pdftotext reads the notes' marks in place")
def test_notes_show_their_own_numbers_and_corrections_a_mark(built: Built) -> None:
    dest = destination_pages(pypdf.PdfReader(built.edition))
    page = dest[prefixed("1951-11-beijing-telegram", "n10")] + 1
    text = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), str(built.edition), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    # The source numbers this note 48: the call in the text and the mark at the foot say so, not "2".
    assert "on 19 November.48 " in text
    assert "\n48. The telegram of Stalin is quoted" in text
    # The correction of "Kim II Sung" has no number of its own: it gets the first mark, not a number.
    assert "\n* Source reads: Kim II Sung" in text
    # Inside the note: the source's reading in brackets, a note on the note in parentheses.
    assert "receipt [Source reads: reciept] stamp included. (Checked against the printed text.)" in text
    page = dest[prefixed("1945-08-moscow-telegram", "n4")] + 1
    text = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), str(built.edition), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "\n1. The record of this meeting" in text


def test_running_heads_and_page_numbers(built: Built) -> None:
    pages = page_texts(built.edition)
    dest = destination_pages(pypdf.PdfReader(built.edition))
    title = built.data.config.title
    openings = {dest[doc.id] for doc in built.data.documents}
    openings |= {dest[name] for name in ("index-persons", "index-places", "index-orgs", "chronology")}
    check_page_numbers_and_left_heads(pages, title, openings, dest[built.data.documents[0].id])
    # On right pages the running head is the document's short title: the header's own, else the title.
    telegram = dest["1945-08-moscow-telegram"]
    assert telegram % 2 == 0 and "Telegram on the Moscow talks, August 1945" in pages[telegram + 2]
    mao = dest["1951-11-beijing-telegram"]
    right = mao + 1 if mao % 2 else mao + 2
    assert right < dest["1967-06-report"]
    assert "Mao to Stalin" in pages[right] and "armistice talks" not in pages[right]


@pytest.mark.skipif(not POPPLER, reason="poppler's pdftotext is needed to read the contents")
def test_contents_give_the_page_each_part_opens_on(built: Built) -> None:
    dest = destination_pages(pypdf.PdfReader(built.edition))
    contents = subprocess.run(
        [
            "pdftotext",
            "-layout",
            "-f",
            str(dest["contents"] + 1),
            "-l",
            str(dest["contents"] + 1),
            str(built.edition),
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    parts = {
        "Introduction": "introduction",
        "Index of persons": "index-persons",
        "Index of places": "index-places",
        "Index of organisations": "index-orgs",
        "Chronology": "chronology",
    }
    for label, anchor in parts.items():
        line = next(line for line in contents.splitlines() if line.strip().startswith(label))
        assert line.split()[-1] == str(dest[anchor] + 1), line
    # The back matter fills more than one page, so a later part's number changed after the first layout.
    assert dest["chronology"] > dest["index-persons"] + 1


def test_only_the_contents_and_back_matter_are_laid_out_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tei_edition.print.pdf import PdfRenderer

    laid_out: list[int] = []
    original = PdfRenderer._relay_ends

    def spy(self: PdfRenderer, *args: object) -> object:
        joined = original(self, *args)  # type: ignore[arg-type]
        laid_out.append(-1 if joined is None else len(joined.pages))
        return joined

    monkeypatch.setattr(PdfRenderer, "_relay_ends", spy)
    data = load_fixture()
    build(data, tmp_path / "pdf", jobs=1)
    assert laid_out == [len(pypdf.PdfReader(tmp_path / "pdf" / "edition.pdf").pages)]

    # An edition's own index template that knows only target-counter(): the whole book is laid out again.
    import dataclasses

    from tei_edition.transform.jinja import package_templates

    own = tmp_path / "templates" / "print"
    own.mkdir(parents=True)
    index = (package_templates() / "print" / "_index.html").read_text(encoding="utf-8")
    without = re.sub(r"\{% if page_of %\}.*?\{% endif %\}", "", index)
    assert without != index
    (own / "_index.html").write_text(without, encoding="utf-8")
    data.config = dataclasses.replace(data.config, templates_dir=tmp_path / "templates")
    build(data, tmp_path / "own", jobs=1)
    assert laid_out[-1] == -1
    if POPPLER:
        anchors = {prefixed(m.document.id, m.mention.anchor) for m in data.mentions["stalin"]}
        links = index_links(tmp_path / "own" / "edition.pdf", anchors)
        assert len(links) >= 3 and all(number == page + 1 for number, page, _anchor in links)


def test_every_document_and_index_is_in_the_outline(built: Built) -> None:
    titles = [item["/Title"] for item in pypdf.PdfReader(built.edition).outline if not isinstance(item, list)]
    for doc in built.data.documents:
        assert doc.title in titles
    assert {"Contents", "Index of persons", "Index of places", "Index of organisations", "Chronology"} <= set(titles)


def test_metadata_is_set(built: Built) -> None:
    check_metadata(built)


def test_hangul_chinese_and_cyrillic_are_drawn_with_embedded_faces(built: Built) -> None:
    check_scripts_drawn(built)
    if POPPLER:
        listing = subprocess.run(["pdffonts", str(built.edition)], capture_output=True, text=True, check=True).stdout
        cjk = [line for line in listing.splitlines() if "CJK" in line]
        assert cjk and all(" yes yes " in line for line in cjk), listing  # embedded and subset
        assert "EB-Garamond" in listing


def test_two_builds_of_the_same_sources_are_byte_identical(tmp_path: Path) -> None:
    data = load_fixture()
    data.documents = [d for d in data.documents if d.id == "1967-06-report"]
    data.mentions = {k: [m for m in v if m.document.id == "1967-06-report"] for k, v in data.mentions.items()}
    data.mentions = {k: v for k, v in data.mentions.items() if v}
    bodies = fixture_bodies(data)
    build(data, tmp_path / "one", bodies=bodies)
    build(data, tmp_path / "two", bodies=bodies)
    for name in ("edition.pdf", "documents/1967-06-report.pdf"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_pdfs_laid_out_by_worker_processes_equal_those_laid_out_in_one(built: Built, tmp_path: Path) -> None:
    assert pdf_workers(2, len(built.data.documents), 0) == 0  # too little text for a pool ...
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("tei_edition.print.pdf.POOL_MIN_CHARACTERS", 0)
        assert pdf_workers(2, len(built.data.documents), 0) == 1  # ... but the module's build had one worker
    count = build(built.data, tmp_path / "one", jobs=1)
    assert count == built.count
    for pdf in sorted(built.folder.rglob("*.pdf")):
        name = pdf.relative_to(built.folder)
        assert (tmp_path / "one" / name).read_bytes() == pdf.read_bytes(), name


def test_a_pool_is_started_only_when_it_can_pay() -> None:
    many = 10**6
    assert pdf_workers(1, 40, many) == 0
    assert pdf_workers(4, 2, many) == 0
    assert pdf_workers(4, 40, 1000) == 0
    assert pdf_workers(4, 3, many) == 3
    assert pdf_workers(2, 40, many) == 1  # this process lays out the edition meanwhile


def test_a_document_without_a_print_body_is_named(tmp_path: Path) -> None:
    check_missing_body_is_named(load_fixture(), tmp_path / "out")


def test_prefix_ids_makes_ids_and_links_unique_in_the_edition() -> None:
    html = (
        '<div class="tei-text"><p id="p1">A <span class="entity" id="n12">X</span> <a href="#n12">see</a> '
        '<a href="other.html#n3">there</a> <a href="https://example.org/">web</a>'
        '<span class="pb" id="page-913" data-n="913">913</span></p></div>'
    )
    out = prefix_ids(html, "doc-a")
    assert 'id="doc-a--n12"' in out and 'id="doc-a--p1"' in out and 'id="doc-a--page-913"' in out
    assert 'href="#doc-a--n12"' in out
    assert "other.html" not in out and ">there<" in out
    assert 'href="https://example.org/"' in out
    assert re.search(r'<span class="pb-bar">\|</span><span class="pb"', out)


def test_css_string_escapes_quotes_and_backslashes() -> None:
    assert css_string('Say "hi" \\ bye\nnow') == '"Say \\"hi\\" \\\\ bye now"'


def test_cjk_characters_are_found_and_sorted() -> None:
    assert cjk_characters(["Kim 김일성 and Mao 毛泽东", "Сталин", "성"]) == "".join(sorted("김일성毛泽东"))
    assert cjk_characters(["Latin and Кириллица only"]) == ""


def test_fonts_without_cjk_text_need_no_cjk_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "noto_cjk_sans_otc", None)
    fonts = prepare_fonts(["Stalin Сталин"], tmp_path)
    assert fonts.default_cjk_family is None
    assert "CJK" not in fonts.stack()


def test_cjk_text_without_the_font_package_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "noto_cjk_sans_otc", None)
    with pytest.raises(BuildError, match=r"pip install \"noto-cjk-sans-otc"):
        prepare_fonts(["김일성"], tmp_path)


def test_korean_text_gets_the_korean_face(tmp_path: Path) -> None:
    fonts = prepare_fonts(['<span lang="ko">김일성</span> 毛泽东'], tmp_path)
    assert ("ko", "Edition CJK KR") in fonts.cjk_families
    assert ":lang(ko)" in fonts.language_rules()
    assert {face.family for face in fonts.faces} >= {"Edition CJK SC", "Edition CJK KR"}
    assert all(face.path.stat().st_size < 200_000 for face in fonts.faces if "CJK" in face.family)


def test_cut_down_cjk_faces_are_kept_in_the_build_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tei_edition.output.cache import BuildCache
    from tei_edition.print import fonts as font_module

    store = BuildCache(tmp_path / "cache.sqlite")
    texts = ['<span lang="ko">김일성</span> 毛泽东']
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    first = prepare_fonts(texts, tmp_path / "first", store=store)

    def no_cutting(*args: object) -> None:
        raise AssertionError("the face was cut again")

    monkeypatch.setattr(font_module, "subset_face", no_cutting)
    second = prepare_fonts(texts, tmp_path / "second", store=store)
    cjk = [
        (a.path.read_bytes(), b.path.read_bytes())
        for a, b in zip(first.faces, second.faces, strict=True)
        if "CJK" in a.family
    ]
    assert len(cjk) == 2 and all(a == b for a, b in cjk)
    # Other characters are another face: cut afresh.
    with pytest.raises(AssertionError, match="cut again"):
        prepare_fonts(["金日成"], tmp_path / "second", store=store)
    store.close()


def test_bodies_from_the_stylesheets_give_every_mention_an_anchor(tmp_path: Path) -> None:
    transform = pytest.importorskip("tei_edition.transform.xslt")
    data = load_fixture()
    data.documents = data.documents[1:2]
    doc = data.documents[0]
    data.mentions = {k: [m for m in v if m.document.id == doc.id] for k, v in data.mentions.items()}
    data.mentions = {k: v for k, v in data.mentions.items() if v}
    transformer = transform.Transformer(data.config.xslt_dir)
    bodies = {doc.id: transformer.transform(source_tree(doc), {"root": "", "media": "print", "doc-id": doc.id})}
    build(data, tmp_path / "pdf", bodies=bodies)
    dest = destination_pages(pypdf.PdfReader(tmp_path / "pdf" / "edition.pdf"))
    missing = [m.anchor for m in [*doc.mentions, *doc.dates] if prefixed(doc.id, m.anchor) not in dest]
    assert doc.dates and not missing, f"mentions without an anchor in the PDF: {missing}"


def test_paper_size_and_margins_come_from_the_configuration(built: Built, tmp_path: Path) -> None:
    import dataclasses

    from tei_edition.config import PrintConfig

    reader = pypdf.PdfReader(built.folder / "documents" / f"{built.data.documents[0].id}.pdf")
    a4 = reader.pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)  # A4 in points, the default

    data = load_fixture()
    narrow = PrintConfig(enabled=True, paper="Letter", margins=("10mm", "10mm", "10mm", "10mm"), engine="weasyprint")
    data.config = dataclasses.replace(data.config, print=narrow)
    build(data, tmp_path / "letter")
    letter = pypdf.PdfReader(tmp_path / "letter" / "documents" / f"{data.documents[0].id}.pdf")
    box = letter.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)  # US Letter
    if POPPLER:  # the text block starts at the configured left margin (10 mm = 28 pt; the default is 20 mm)
        assert 20 < left_edge(tmp_path / "letter" / "documents" / f"{data.documents[0].id}.pdf") < 45
        assert left_edge(built.folder / "documents" / f"{built.data.documents[0].id}.pdf") > 50
