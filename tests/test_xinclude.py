"""XInclude, resolved by the parse function validation and the build share (tei/parse.py, tei/xinclude.py): local
files inside the edition only, xpointer, fallbacks, loops, limits, messages with file:line; and real EpiDoc (copies
of ../shared/corpora/epidoc) validated with its includes resolved."""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from tei_edition.cli import main
from tei_edition.config import load_config
from tei_edition.errors import SourceError
from tei_edition.pipeline import check_edition
from tei_edition.tei import xinclude
from tei_edition.tei.parse import parse_bytes, parse_file

TEI_NS = "http://www.tei-c.org/ns/1.0"
T = f"{{{TEI_NS}}}"
XI = 'xmlns:xi="http://www.w3.org/2001/XInclude"'


def tei(header: str = "", body: str = "<p>x</p>") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<TEI xmlns="{TEI_NS}" {XI}>\n<teiHeader><fileDesc><titleStmt>'
        f"<title>T</title></titleStmt></fileDesc>\n<encodingDesc>{header}</encodingDesc>\n</teiHeader>\n"
        f"<text><body>\n{body}\n</body></text>\n</TEI>\n"
    )


CHAR_DECL = (
    f'<charDecl xmlns="{TEI_NS}">\n  <glyph xml:id="interpunct"><mapping>·</mapping></glyph>\n'
    '  <glyph xml:id="dipunct"><mapping>:</mapping></glyph>\n</charDecl>\n'
)


@pytest.fixture
def edition(tmp_path: Path) -> Path:
    """An edition folder (edition.toml) with documents/ and a shared list in alists/."""
    root = tmp_path / "edition"
    (root / "documents").mkdir(parents=True)
    (root / "alists").mkdir()
    (root / "edition.toml").write_text('[edition]\ntitle = "E"\n[sources]\ndocuments = "documents"\n')
    (root / "alists" / "charDecl.xml").write_text(CHAR_DECL, encoding="utf-8")
    return root


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_an_include_is_resolved_and_the_including_file_keeps_its_lines(edition: Path) -> None:
    doc = write(
        edition / "documents" / "a.xml",
        tei('<xi:include href="../alists/charDecl.xml"/>', 'before <g ref="#interpunct"/>\n<p xml:id="after">y</p>'),
    )
    included: list[Path] = []
    tree = parse_bytes(doc.read_bytes(), doc, included)
    root = tree.getroot()
    assert included == [edition / "alists" / "charDecl.xml"]
    [char_decl] = root.iter(f"{T}charDecl")
    assert char_decl.getparent().tag == f"{T}encodingDesc"
    assert char_decl.get("{http://www.w3.org/XML/1998/namespace}base") == "../alists/charDecl.xml"
    assert [g.get("{http://www.w3.org/XML/1998/namespace}id") for g in root.iter(f"{T}glyph")] == [
        "interpunct",
        "dipunct",
    ]
    assert char_decl.sourceline == 4 and all(g.sourceline == 4 for g in root.iter(f"{T}glyph"))
    assert root.find(f".//{T}p[@{{http://www.w3.org/XML/1998/namespace}}id='after']").sourceline == 8
    assert not list(root.iter("{http://www.w3.org/2001/XInclude}include"))


def test_xpointer_by_id_and_by_element_scheme(edition: Path) -> None:
    for pointer, expected in (
        ("dipunct", "dipunct"),
        ("element(interpunct)", "interpunct"),
        ("element(/1/2)", "dipunct"),
    ):
        doc = write(
            edition / "documents" / "a.xml",
            tei(f'<charDecl><xi:include href="../alists/charDecl.xml" xpointer="{pointer}"/></charDecl>'),
        )
        glyphs = list(parse_file(doc).getroot().iter(f"{T}glyph"))
        assert [g.get("{http://www.w3.org/XML/1998/namespace}id") for g in glyphs] == [expected], pointer


def test_text_includes_and_fallbacks(edition: Path) -> None:
    write(edition / "alists" / "note.txt", "an included note")
    doc = write(
        edition / "documents" / "a.xml",
        tei(
            "",
            '<p>A: <xi:include href="../alists/note.txt" parse="text"/>.</p>\n'
            '<p><xi:include href="../alists/missing.xml"><xi:fallback>no list</xi:fallback></xi:include></p>\n'
            '<p><xi:include href="https://example.org/list.xml"><xi:fallback><hi>offline</hi></xi:fallback>'
            "</xi:include></p>\n"
            '<p><xi:include href="../alists/charDecl.xml" xpointer="nothing"><xi:fallback>gone</xi:fallback>'
            "</xi:include></p>",
        ),
    )
    texts = ["".join(p.itertext()) for p in parse_file(doc).getroot().iter(f"{T}p")]
    assert texts == ["A: an included note.", "no list", "offline", "gone"]
    # each include its fallback stands in for is a warning at its line: what follows from it is no mystery
    report = check_edition(load_config(edition / "edition.toml"))
    fallbacks = [(d.line, d.severity.value, d.message) for d in report.diagnostics if d.rule == "include-fallback"]
    assert [(line, severity) for line, severity, _m in fallbacks] == [(8, "warning"), (9, "warning"), (10, "warning")]
    assert "URLs are never fetched" in fallbacks[1][2] and "<xi:fallback> stands in" in fallbacks[1][2]


@pytest.mark.parametrize(
    ("include", "message"),
    [
        (
            '<xi:include href="../alists/missing.xml"/>',
            "<xi:include href='../alists/missing.xml'>: the file does not exist",
        ),
        (
            '<xi:include href="../alists/charDecl.xml" xpointer="nowhere"/>',
            "charDecl.xml has no element with xml:id 'nowhere'",
        ),
        ('<xi:include href="../alists/charDecl.xml" xpointer="xpointer(//glyph)"/>', "is not supported"),
        ('<xi:include href="../../outside.xml"/>', "is outside the edition's folder"),
        ('<xi:include href="https://example.org/list.xml"/>', "URLs are never fetched"),
        ('<xi:include href="../alists/charDecl.xml" parse="html"/>', "parse='html' is not XInclude"),
        ('<xi:include href="a.xml"/>', "the file includes itself (a.xml -> a.xml)"),
    ],
)
def test_an_include_that_fails_is_named_with_file_and_line(edition: Path, include: str, message: str) -> None:
    (edition.parent / "outside.xml").write_text(CHAR_DECL, encoding="utf-8")
    doc = write(edition / "documents" / "a.xml", tei(include))
    with pytest.raises(SourceError) as caught:
        parse_file(doc)
    assert str(caught.value).startswith(f"{doc}:4: ")
    assert message in caught.value.detail


def test_loops_depth_and_size_are_bounded(edition: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alists = edition / "alists"
    write(alists / "b.xml", f'<list xmlns="{TEI_NS}" {XI}>\n<xi:include href="c.xml"/></list>')
    write(alists / "c.xml", f'<list xmlns="{TEI_NS}" {XI}><xi:include href="b.xml"/></list>')
    doc = write(edition / "documents" / "a.xml", tei('<xi:include href="../alists/b.xml"/>'))
    with pytest.raises(SourceError) as caught:
        parse_file(doc)
    assert caught.value.line == 4
    assert "b.xml:2: <xi:include href='c.xml'>: c.xml:1: <xi:include href='b.xml'>: " in caught.value.detail
    assert "the file includes itself (b.xml -> c.xml -> b.xml)" in caught.value.detail

    for n in range(12):
        write(alists / f"d{n}.xml", f'<list xmlns="{TEI_NS}" {XI}><xi:include href="d{n + 1}.xml"/></list>')
    write(alists / "d12.xml", f'<list xmlns="{TEI_NS}"/>')
    write(doc, tei('<xi:include href="../alists/d0.xml"/>'))
    with pytest.raises(SourceError, match="nested more than 8 deep"):
        parse_file(doc)

    monkeypatch.setattr(xinclude, "MAX_INCLUDED_BYTES", 100)
    write(doc, tei('<xi:include href="../alists/charDecl.xml"/>'))
    with pytest.raises(SourceError, match="add up to more than"):
        parse_file(doc)


def test_a_file_without_an_edition_may_include_only_below_its_folder(tmp_path: Path) -> None:
    (tmp_path / "lists").mkdir()
    write(tmp_path / "lists" / "charDecl.xml", CHAR_DECL)
    doc = write(tmp_path / "a.xml", tei('<xi:include href="lists/charDecl.xml"/>'))
    assert len(list(parse_file(doc).getroot().iter(f"{T}glyph"))) == 2
    (tmp_path / "sub").mkdir()
    other = write(tmp_path / "sub" / "b.xml", tei('<xi:include href="../lists/charDecl.xml"/>'))
    with pytest.raises(SourceError, match="outside the edition's folder"):
        parse_file(other)


# --- real EpiDoc ----------------------------------------------------------------------------------------------


def run(args: list[str], cwd: Path) -> Result:
    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, args, prog_name="edition", catch_exceptions=False)


@pytest.fixture
def epidoc(shared: Path, tmp_path: Path) -> Path:
    """Copies of the I.Sicily inscriptions and their alists/ (which they include), as an edition; two variants
    add what the project's other files use: g/@ref into the included charDecl, and an apparatus with app/@from."""
    root = tmp_path / "isicily"
    shutil.copytree(shared / "corpora" / "epidoc", root, ignore=shutil.ignore_patterns("README*"))
    (root / "registers").mkdir()
    (root / "edition.toml").write_text('[edition]\ntitle = "I.Sicily"\n[sources]\ndocuments = "inscriptions"\n')
    source = root / "inscriptions" / "ISic000100.xml"
    text = source.read_text(encoding="utf-8")
    text = text.replace('<w xml:id="AKABο" n="15">ex</w>', '<w xml:id="AKABο" n="15">ex</w><g ref="#interpunct"/>')
    text = text.replace(
        "<app>\n                        <note>Text from autopsy</note>",
        '<app loc="3" from="#AKABo" to="#AKABy"><lem>ex</lem><rdg>et</rdg></app>\n<app>\n'
        "                        <note>Text from autopsy</note>",
    )
    assert '<g ref="#interpunct"/>' in text and 'from="#AKABo"' in text
    source.write_text(text, encoding="utf-8")
    return root


def test_epidoc_includes_resolve_and_pointers_into_them_too(epidoc: Path) -> None:
    result = run(["validate", "--format", "json"], epidoc)
    found = json.loads(result.output)["diagnostics"]
    rules = {d["rule"] for d in found}
    assert "xml" not in rules  # every include resolved
    assert not [d for d in found if d["rule"] == "ref-resolves"], "g/@ref='#interpunct' resolves into the charDecl"
    # The taxonomies and glyphs all four inscriptions include are declared once, in alists/: not repeated ids.
    assert not [d for d in found if d["rule"].startswith("id-") and "interpunct" in d["message"]]


def test_epidoc_bce_dates_and_apparatus_pointers_are_not_date_errors(epidoc: Path) -> None:
    later = epidoc / "inscriptions" / "ISic020118.xml"
    text = later.read_text(encoding="utf-8")
    assert 'notBefore-custom="-0500" notAfter-custom="-0480"' in text
    later.write_text(
        text.replace('notBefore-custom="-0500" notAfter-custom="-0480"', 'notBefore="-0500" notAfter="-0480"'),
        encoding="utf-8",
    )
    result = run(["validate", "--format", "json", "--all"], epidoc)
    found = json.loads(result.output)["diagnostics"]
    assert not [d for d in found if d["rule"].startswith("date-") and d["severity"] == "error"]
    assert not [d for d in found if "app/@" in d["message"] or "@from '#" in d["message"]]
    # and a BCE range the wrong way round is caught, as a range of years
    later.write_text(
        text.replace('notBefore-custom="-0500" notAfter-custom="-0480"', 'notBefore="-0480" notAfter="-0500"'),
        encoding="utf-8",
    )
    found = json.loads(run(["validate", "--format", "json"], epidoc).output)["diagnostics"]
    [order] = [d for d in found if d["rule"] == "date-order"]
    assert (
        order["path"] == "inscriptions/ISic020118.xml" and "'-0480' is later than @notAfter '-0500'" in order["message"]
    )


def test_validation_and_the_build_read_the_same_includes(epidoc: Path) -> None:
    """The include is resolved where the parse is, which `edition validate` and the build both call."""
    from tei_edition.pipeline.stage import parse_source

    doc = epidoc / "inscriptions" / "ISic000100.xml"
    tree = parse_source(doc.read_bytes(), doc, True)
    assert etree.tostring(tree) == etree.tostring(parse_file(doc))
    assert len(list(tree.getroot().iter(f"{T}glyph"))) > 10


def test_a_build_follows_the_files_a_document_includes(edition: Path) -> None:
    """The build cache keys a document's results by its own bytes: what its includes name counts too. A file added
    where an include found none, or an included file changed, makes the document be checked again, and a build
    with nothing changed still reports the errors the last one found rather than saying it is up to date."""
    (edition / "alists" / "charDecl.xml").unlink()
    full = tei(header='<xi:include href="../alists/charDecl.xml"/>', body='<p>a<g ref="#interpunct"/>b</p>')
    full = full.replace(
        "</titleStmt>",
        "</titleStmt><publicationStmt><publisher>P</publisher><availability><licence>CC0</licence></availability>"
        "</publicationStmt>"
        "<sourceDesc><p>s</p></sourceDesc>",
    )
    write(edition / "documents" / "d1.xml", full)
    build = ["build", "--no-pdf", "--no-epub", "--keep-going"]
    first = run(build, edition)
    assert first.exit_code == 1 and "the file does not exist" in first.output
    again = run(build, edition)
    assert again.exit_code == 1 and "Up to date" not in again.output and "the file does not exist" in again.output
    write(edition / "alists" / "charDecl.xml", CHAR_DECL.replace("interpunct", "other"))
    changed = run(build, edition)
    assert "Up to date" not in changed.output and "the file does not exist" not in changed.output
    assert "#interpunct" in changed.output  # the g's pointer, which the included list does not declare
    write(edition / "alists" / "charDecl.xml", CHAR_DECL)
    fixed = run(build, edition)
    assert fixed.exit_code == 0, fixed.output
    assert (edition / "build" / "html" / "documents" / "d1" / "index.html").is_file()
    assert "Up to date" in run(build, edition).output
