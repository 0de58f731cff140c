"""The critical apparatus: app/lem/rdg in the text (a lemma with a mark and a pop-over of readings and sigla),
location-referenced entries, the reading text (lemma only), the witness page and the PDF's apparatus criticus."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree, html

from tei_edition.print.typst_apparatus import letter
from tei_edition.print.typst_markup import BodyContext, body_markup
from tei_edition.tei.apparatus import read_witnesses
from tei_edition.tei.snippets import text_and_snippet
from tei_edition.tei.text import text_of
from tei_edition.transform.xslt import Transformer
from test_site import build_site

REPO = Path(__file__).resolve().parent.parent
EDITION = REPO / "tests" / "data" / "editions" / "apparatus"
VARIANTS = EDITION / "tei" / "documents" / "variants.xml"
EPIDOC = REPO.parent / "shared" / "corpora" / "epidoc" / "inscriptions"
T = "{http://www.tei-c.org/ns/1.0}"


def css(el: etree._Element, selector: str) -> list[html.HtmlElement]:
    """Elements under `el` matching a selector of the form [tag].class [[tag].class ...] (no cssselect needed)."""
    path = "."
    for step in selector.split():
        tag, _, cls = step.partition(".")
        path += f"//{tag or '*'}" + (f"[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]" if cls else "")
    return el.xpath(path)


@pytest.fixture(scope="module")
def transformer() -> Transformer:
    return Transformer()


def transform(transformer: Transformer, path: Path, media: str = "screen") -> html.HtmlElement:
    tree = etree.parse(str(path))
    out = transformer.transform(tree, {"root": "../../", "media": media, "doc-id": "variants"})
    return html.fragment_fromstring(out)


def test_the_text_shows_the_lemma_with_a_mark_that_opens_its_readings(transformer: Transformer) -> None:
    page = transform(transformer, VARIANTS)
    first = css(page, "span.app")[0]
    assert css(first, ".app-lem")[0].text_content() == "third"
    mark = css(first, "button.app-mark")[0]
    entry = css(first, ".app-entry")[0]
    assert mark.get("popovertarget") == entry.get("id") == "app-1"
    assert entry.get("popover") == "auto" and entry.get("data-pagefind-ignore") == "all"
    assert re.sub(r"\s+", " ", entry.text_content()) == "third] A B; fourth C"
    sigla = css(entry, "a.siglum")
    assert [a.get("href") for a in sigla] == [f"../../documents/variants/witnesses/#w{s}" for s in "ABC"]
    assert sigla[2].text_content() == "C"  # the siglum from abbr[@type='siglum']


def test_omissions_readings_without_lemma_and_entries_apart_from_the_text(transformer: Transformer) -> None:
    page = transform(transformer, VARIANTS)
    entries = [re.sub(r"\s+", " ", e.text_content()) for e in css(page, ".app-entry")]
    assert entries[1] == "deputy minister] A; minister B; om. C"
    # No lemma: the first reading is the text's, the others are the apparatus's.
    assert entries[2] == "two hours] A C; three hours B"
    assert css(css(page, "span.app")[2], ".app-lem")[0].text_content() == "two hours"
    # An entry with @to is marked at its anchor, once; one with @loc only is listed with its location.
    placed = css(page, ".app-placed .app-entry")
    assert [re.sub(r"\s+", " ", e.text_content()) for e in placed] == [
        "without a communiqué] with a short communiqué B"
    ]
    listed = css(page, ".apparatus-list .apparatus-item")
    assert [re.sub(r"\s+", " ", e.text_content()) for e in listed] == ["2.4 week] fortnight C"]
    assert "with a short communiqué" not in css(page, ".apparatus-list")[0].text_content()


def test_the_reading_text_keeps_the_lemma_only() -> None:
    tree = etree.parse(str(VARIANTS))
    paragraphs = tree.findall(f".//{T}body/{T}p")
    assert (
        text_of(paragraphs[0])
        == "The delegation arrived on the third day and was received by the deputy minister in person."
    )
    assert text_of(paragraphs[1]) == "The talks lasted two hours and ended without a communiqué."
    assert text_of(tree.find(f".//{T}back")) == ""  # the listApp is apparatus, not text
    date = tree.find(f".//{T}body//{T}anchor")
    assert date is not None
    snippet = text_and_snippet(paragraphs[0][0])[1]
    assert "fourth" not in snippet and "minister in person" in snippet


def test_print_body_keeps_the_entry_after_its_lemma(transformer: Transformer) -> None:
    page = transform(transformer, VARIANTS, media="print")
    assert not css(page, "button")
    entry = css(page, ".app-entry")[0]
    assert entry.get("data-lemma") == "third" and entry.getprevious().text_content() == "third"


def test_typst_sets_the_apparatus_apart_from_the_notes(transformer: Transformer) -> None:
    tree = etree.parse(str(VARIANTS))
    body = Transformer().transform(tree, {"root": "", "media": "print", "doc-id": "variants"})
    markup = body_markup(body, BodyContext("variants", EDITION))
    assert markup.count("#place(bottom, float: true") == 2  # one block after each paragraph with entries
    assert "third#super[" in markup
    assert "#super[a]#h(0.15em)third\\] #emph[A] #emph[B]\\; fourth #emph[C]" in markup
    assert "#footnote(" in markup and "communiqué was issued" in markup.split("#footnote(")[1]
    assert [letter(i) for i in (0, 25, 26)] == ["a", "z", "aa"]


def test_witnesses_are_read_with_sigla() -> None:
    witnesses = read_witnesses(etree.parse(str(VARIANTS)))
    assert witnesses == (
        ("wA", "A", "Typescript, the sender's file copy"),
        ("wB", "B", "Carbon copy sent to the ministry"),
        ("wC", "C", "Printed text in the annual report"),
    )


def test_the_witness_page_lists_every_witness_and_the_sigla_lead_there(tmp_path: Path) -> None:
    out = build_site(EDITION, tmp_path / "site")
    page = html.parse(str(out / "documents" / "variants" / "witnesses" / "index.html")).getroot()
    rows = css(page, ".witness")
    assert [(r.get("id"), css(r, "dt")[0].text_content()) for r in rows] == [("wA", "A"), ("wB", "B"), ("wC", "C")]
    assert "Printed text in the annual report" in rows[2].text_content()
    doc = (out / "documents" / "variants" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../documents/variants/witnesses/#wC"' in doc
    assert "assets/apparatus.js" in doc and "assets/apparatus.css" in doc
    other = (out / "documents" / "bilingual" / "witnesses" / "index.html").read_text(encoding="utf-8")
    assert 'id="paper"' in other and "Typescript" not in other  # each document's own witnesses


@pytest.mark.skipif(not EPIDOC.is_dir(), reason="the shared EpiDoc corpus is not beside the repository")
def test_epidoc_apparatus_notes_are_listed_not_lost(transformer: Transformer) -> None:
    page = transform(transformer, EPIDOC / "ISic000100.xml")
    listed = css(page, ".apparatus-list")
    assert listed, "the EpiDoc listApp gives an apparatus list"
    note_ref = css(listed[0], "a.noteref")
    assert note_ref and "Text from autopsy" in css(page, ".notes")[0].text_content()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_pdf_page_has_the_apparatus_criticus(tmp_path: Path) -> None:
    edition = tmp_path / "edition"
    shutil.copytree(EDITION, edition)
    result = subprocess.run(
        [
            str(Path(REPO / ".venv" / "bin" / "edition"))
            if (REPO / ".venv" / "bin" / "edition").exists()
            else "edition",
            "build",
            "--config",
            str(edition / "edition.toml"),
        ],
        capture_output=True,
        text=True,
        cwd=edition,
        check=False,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    pdf = next((edition / "build").rglob("variants.pdf"))  # wherever the build publishes the PDFs
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    lines = [" ".join(line.split()) for line in text.splitlines()]
    apparatus = next(i for i, line in enumerate(lines) if line.startswith("a third]"))
    note = next(i for i, line in enumerate(lines) if line.startswith("1. The communiqué"))
    assert "a third] A B; fourth C b deputy minister] A; minister B; om. C" == lines[apparatus]
    assert apparatus < note  # the apparatus stands above the notes, apart from them


def test_readings_reported_at_a_line_are_given_whole_and_a_lemma_by_its_reading_text(transformer: Transformer) -> None:
    """EpiDoc's apparatus lists what other editors read at a line (app/@loc with rdg only): each reading is given
    whole, not cut to 'first … last' as a repeated lemma is. A lemma holding a choice is repeated in its reading
    text (the regularised form), not in both spellings run together."""
    text = f"""<TEI xmlns="{T[1:-1]}"><teiHeader><fileDesc><titleStmt><title>t</title></titleStmt>
    <publicationStmt><p>p</p></publicationStmt><sourceDesc><p>s</p></sourceDesc></fileDesc></teiHeader>
    <text><body><div type="edition"><ab>
      <app><lem><choice><reg>ἡμᾶς</reg><orig>ἡμως</orig></choice> ἐκεῖ</lem><rdg>ὑμᾶς</rdg></app>
    </ab></div>
    <div type="apparatus"><listApp>
      <app loc="1"><rdg source="#ed1">[- - -ταῖς] ἀρχαῖς τ̣[ῶν Τυρανῶν? - - -]</rdg></app>
      <app loc="2"><rdg>ἐμοῦ</rdg><rdg>ἐμὸν</rdg></app>
    </listApp></div></body></text></TEI>"""
    tree = etree.ElementTree(etree.fromstring(text.encode("utf-8")))
    page = html.fragment_fromstring(transformer.transform(tree, {"root": "../../", "media": "screen", "doc-id": "x"}))
    listed = [re.sub(r"\s+", " ", e.text_content()).strip() for e in css(page, ".apparatus-list .apparatus-item")]
    # (the reading's source, a pointer the file declares nowhere, is named by its id)
    assert listed == ["1 [- - -ταῖς] ἀρχαῖς τ̣[ῶν Τυρανῶν? - - -] ed1", "2 ἐμοῦ; ἐμὸν"]
    mark = css(page, "button.app-mark")[0]
    assert mark.get("aria-label") == "Variant readings of “ἡμᾶς ἐκεῖ”"
    assert re.sub(r"\s+", " ", css(page, ".app-entry")[0].text_content()).startswith("ἡμᾶς ἐκεῖ] ὑμᾶς")


def test_who_proposed_a_reading_and_where_it_is_printed_are_named() -> None:
    """EpiDoc: lem/@resp names a correction's source in words ("BL 9.17", a Berichtigungsliste), rdg/@source points
    to the file's own bibliography, whose entries are named by their titles."""
    import re

    from tei_edition.transform.xslt import Transformer
    from test_xslt import body

    out = body(
        Transformer(),
        '<p>x <app><lem resp="BL 9.17">ἐλαιῶνος</lem><rdg>ἐλαιῶν</rdg></app> <app><lem>is</lem>'
        '<rdg source="#b1 #b2">iss</rdg></app></p><listBibl><bibl xml:id="b1"><ptr target="../x.xml#b1"/>'
        '<title>Bertolini 1876b</title></bibl><bibl xml:id="b2">CIL V 8766</bibl></listBibl>',
    )
    entries = [re.sub("<[^>]+>", "", m) for m in re.findall(r'<span class="app-entry".*?</span></span>', out)]
    assert entries == ["ἐλαιῶνος] BL 9.17; ἐλαιῶν", "is] iss Bertolini 1876b, CIL V 8766"]
