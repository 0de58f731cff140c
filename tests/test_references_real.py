"""Pointers as real TEI writes them: a reading's witnesses (@wit), a facsimile's zones (@facs), @sameAs, @corresp,
@ana; each must name an xml:id of the edition (TEI conformance), while web addresses, prefixDef shorthands and ids
the file declares are left alone."""

from __future__ import annotations

from pathlib import Path

from tei_edition.config import load_config
from tei_edition.pipeline import check_edition
from tei_edition.validate.diagnostics import Severity
from test_real_tei import TEI, edition_of, run

WITNESSED = f"""<TEI xmlns="{TEI}" xml:id="w">
<teiHeader><fileDesc><titleStmt><title>Witnessed</title></titleStmt><publicationStmt><p>p</p></publicationStmt>
<sourceDesc><listWit><witness xml:id="A">Manuscript A</witness><witness xml:id="B">Print B</witness></listWit>
</sourceDesc></fileDesc><encodingDesc><listPrefixDef>
<prefixDef ident="ms" matchPattern="([A-Z])" replacementPattern="#$1"/></listPrefixDef>
<classDecl><taxonomy><category xml:id="fun"><catDesc>Funerary</catDesc></category></taxonomy></classDecl>
</encodingDesc></teiHeader>
<facsimile><surface xml:id="f1"><zone xml:id="zone1" ulx="0" uly="0" lrx="9" lry="9"/></surface></facsimile>
<text><body>
<p facs="#f1">The <app><lem wit="#A ms:B">first</lem><rdg wit="#B">1st</rdg></app> word.</p>
<p facs="#zone1 https://example.org/page.jpg" ana="#fun">Kept <ref corresp="#A" target="https://example.org/">here</ref>
and <seg sameAs="#zone1">there</seg>.</p>
<p>Wrong: <app><lem wit="#A">one</lem><rdg wit="#C">two</rdg></app>.</p>
<p facs="#zone2" ana="#funeral">Also wrong: <ref target="#nowhere">x</ref> and <seg sameAs="#B2">y</seg>.</p>
<p>From elsewhere: <app><lem wit="#M">three</lem><rdg wit="#A">drei</rdg></app>.</p>
</body></text></TEI>
"""

SIGLA = f"""<TEI xmlns="{TEI}" xml:id="sigla">
<teiHeader><fileDesc><titleStmt><title>Sigla</title></titleStmt><publicationStmt><p>p</p></publicationStmt>
<sourceDesc><listWit><witness xml:id="M">Manuscript M</witness></listWit></sourceDesc></fileDesc></teiHeader>
<text><body><p>The witnesses.</p></body></text></TEI>
"""


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_witnesses_zones_and_other_pointers_resolve_or_are_reported_at_their_line(tmp_path: Path) -> None:
    edition = edition_of(tmp_path / "ed", {"w.xml": WITNESSED, "sigla.xml": SIGLA})
    report = check_edition(load_config(edition / "edition.toml"))
    found = sorted(
        (d.line, d.rule, d.severity, d.message)
        for d in report.diagnostics
        if d.rule in ("ref-resolves", "ref-ana") and d.path.name == "w.xml"
    )
    assert [(line, rule, severity) for line, rule, severity, _m in found] == [
        (line_of(WITNESSED, 'wit="#C"'), "ref-resolves", Severity.ERROR),
        (line_of(WITNESSED, 'facs="#zone2"'), "ref-ana", Severity.WARNING),
        (line_of(WITNESSED, 'facs="#zone2"'), "ref-resolves", Severity.ERROR),
        (line_of(WITNESSED, 'facs="#zone2"'), "ref-resolves", Severity.ERROR),
        (line_of(WITNESSED, 'facs="#zone2"'), "ref-resolves", Severity.ERROR),
    ]
    messages = [m for *_rest, m in found]
    wit = messages[0]
    assert "rdg/@wit '#C' matches no <witness>" in wit and "<listWit>" in wit and "xml:id='C'" in wit
    assert any("p/@facs '#zone2' matches no <surface> or <zone>" in m and "'#zone1'" in m for m in messages)
    assert any("p/@ana '#funeral'" in m and "'#fun'" in m and "<taxonomy>" in m for m in messages)
    assert any("ref/@target '#nowhere'" in m for m in messages)
    assert any("seg/@sameAs '#B2'" in m for m in messages)
    # the witness M of another file of the edition, the prefixed 'ms:B', web addresses: none reported
    assert not any("'#M'" in m or "ms:B" in m or "example.org" in m for m in messages)
    assert not [d for d in report.diagnostics if d.path.name == "sigla.xml" and d.severity is Severity.ERROR]


def test_a_missing_witness_stops_the_build_as_an_unresolved_pointer(tmp_path: Path) -> None:
    text = WITNESSED.replace('<rdg wit="#C">two</rdg>', "<rdg>two</rdg>")
    edition = edition_of(tmp_path / "ed", {"w.xml": text, "sigla.xml": SIGLA.replace('"M"', '"N"')})
    status, output = run("build", "--no-pdf", "--config", str(edition / "edition.toml"))
    assert status == 1, output
    line = line_of(text, 'wit="#M"')
    assert f"w.xml:{line}: lem/@wit '#M' matches no <witness>" in output and "[ref-resolves]" in output


def test_a_fault_inside_a_document_of_a_volume_names_it_and_marks_its_page_only(tmp_path: Path) -> None:
    """A volume split into documents (FRUS: div[@type='document']): a fault in one of them is reported at its
    file and line, names that document, and a --keep-going preview marks that document's page alone; a fault
    outside every document (the front matter) marks every page of the file."""
    import json

    from lxml import html

    from test_real_tei import VOLUME, build

    text = VOLUME.replace("<p>Received.</p>", '<p>Received <ref target="#d3">here</ref>.</p>')
    edition = edition_of(tmp_path / "ed", {"vol1.xml": text})
    status, output = run("validate", "--config", str(edition / "edition.toml"), "--format", "json")
    errors = [d for d in json.loads(output)["diagnostics"] if d["severity"] == "error"]
    assert [(d["line"], d["rule"], d.get("part")) for d in errors] == [
        (line_of(text, 'target="#d3"'), "ref-resolves", "vol1-d2")
    ], output
    assert errors[0]["message"].endswith("(in document 'vol1-d2')")
    status, output = build(edition)
    assert status == 1 and "1 document(s) are marked in the preview: vol1-d2" in output, output

    def marked(doc_id: str) -> bool:
        page = html.fromstring((edition / "build" / "html" / "documents" / doc_id / "index.html").read_bytes())
        return bool(page.xpath("//div[contains(@class, 'banner-warning')]"))

    assert [marked(d) for d in ("vol1", "vol1-d1", "vol1-d2")] == [False, False, True]
    front = text.replace('<ref target="#d2">Mr. Fish to Mr. Jay</ref>', '<ref target="#d4">Mr. Fish</ref>')
    (edition / "tei" / "vol1.xml").write_text(front, encoding="utf-8")
    status, output = build(edition)
    assert status == 1, output
    assert [marked(d) for d in ("vol1", "vol1-d1", "vol1-d2")] == [True, True, True]
