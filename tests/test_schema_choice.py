"""Which schema checks a file: [sources] schema (a built-in name or a path), TEI All by default, a file's own
<?xml-model?> grammar, each schema checked once however many copies name it; `edition schema` for XML editors."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from tei_edition.cli import main
from tei_edition.config import load_config
from tei_edition.errors import ConfigError
from tei_edition.scaffold import new_edition, set_xml_model, write_editor_schemas, xml_model_lines
from tei_edition.validate import FileValidator, edition_schemas, package_schema

REPO = Path(__file__).resolve().parents[1]
PACKAGED = Path(str(resources.files("tei_edition") / "schema"))
ANY_RNG = REPO / "tests" / "data" / "engine" / "schema" / "any.rng"
# <app> is TEI (textcrit) but not part of the edition's strict subset.
APP = "booksellers of <app><lem>Londen</lem><rdg>London</rdg></app> "
RNG_PI = '<?xml-model href="../../schema/edition.rng" type="application/xml" schematypens="http://relaxng.org/ns/structure/1.0"?>'
SCH_PI = '<?xml-model href="../../schema/edition.sch" type="application/xml" schematypens="http://purl.oclc.org/dsdl/schematron"?>'


def make_edition(tmp_path: Path, schema: str | None, letter_change: tuple[str, str] | None = None) -> Path:
    """A new edition whose [sources] schema is `schema` (None: the line removed); returns its edition.toml."""
    root = tmp_path / "ed"
    new_edition(root, title="Letters")
    toml = root / "edition.toml"
    text = toml.read_text(encoding="utf-8")
    assert 'schema = "edition"' in text
    text = text.replace('schema = "edition"\n', "" if schema is None else f'schema = "{schema}"\n')
    toml.write_text(text, encoding="utf-8")
    if letter_change:
        letter = root / "tei" / "documents" / "example-letter.xml"
        old, new = letter_change
        content = letter.read_text(encoding="utf-8")
        assert old in content
        letter.write_text(content.replace(old, new, 1), encoding="utf-8")
    return toml


def validate(toml: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["validate", "--config", str(toml)])
    return result.exit_code, result.output


# --- the setting --------------------------------------------------------------------------------------------------


def test_schema_setting_takes_built_in_names_or_a_path(tmp_path: Path) -> None:
    toml = make_edition(tmp_path, "edition")
    assert load_config(toml).schema == package_schema("edition.rng")
    toml.write_text(toml.read_text(encoding="utf-8").replace('"edition"\n', '"tei-all"\n', 1), encoding="utf-8")
    assert Path(load_config(toml).schema or "").name == "tei_all.rng"
    shutil.copy(ANY_RNG, toml.parent / "mine.rng")
    toml.write_text(toml.read_text(encoding="utf-8").replace('"tei-all"\n', '"mine.rng"\n', 1), encoding="utf-8")
    assert load_config(toml).schema == (toml.parent / "mine.rng").resolve()
    toml.write_text(toml.read_text(encoding="utf-8").replace('"mine.rng"\n', '"tei_all"\n', 1), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(toml)
    assert "sources.schema: file 'tei_all' does not exist" in str(caught.value)
    assert "the built-in schemas are named 'edition' or 'tei-all'" in str(caught.value)


def test_without_the_setting_tei_all_checks_every_file(tmp_path: Path) -> None:
    toml = make_edition(tmp_path, None, ("booksellers of ", APP))
    config = load_config(toml)
    assert config.schema is None
    assert edition_schemas(config)[0] == package_schema("tei_all.rng")
    # The scaffold's files point to the strict subset: without them, TEI All alone accepts <app>.
    for path in (toml.parent / "tei").rglob("*.xml"):
        path.write_text(path.read_text(encoding="utf-8").replace(RNG_PI + "\n", ""), encoding="utf-8")
    code, output = validate(toml)
    assert code == 0 and "1 document, 3 registers: 0 errors" in output, output


def test_the_strict_subset_refuses_what_tei_all_accepts(tmp_path: Path) -> None:
    code, output = validate(make_edition(tmp_path, "edition", ("booksellers of ", APP)))
    assert code == 1
    assert "<app> is not allowed inside <p>: it is not part of the edition's schema [schema]" in output
    assert output.count("<app> is not allowed") == 1  # the instruction's copy of the same schema is not checked again


def test_tei_all_messages_name_file_and_line(tmp_path: Path) -> None:
    toml = make_edition(tmp_path, "tei-all", ("booksellers of ", "booksellers of <persName colour='red'>X</persName> "))
    assert CliRunner().invoke(main, ["schema", "--add-pi", "--config", str(toml)]).exit_code == 0
    code, output = validate(toml)
    assert code == 1
    line = next(i for i, t in enumerate((toml.parent / "tei/documents/example-letter.xml").open(), 1) if "colour" in t)
    assert (
        f"tei/documents/example-letter.xml:{line}:0: error: <persName> does not take the attribute @colour "
        "(not part of TEI All for this element) [schema]"
    ) in output


# --- a file's own grammar, and copies of one schema -----------------------------------------------------------------


def own_grammar(tmp_path: Path, schema: str) -> Path:
    """An edition whose letter holds <app> and points to a permissive grammar of its own (schema/any.rng)."""
    toml = make_edition(tmp_path, schema, ("booksellers of ", APP))
    shutil.copy(ANY_RNG, toml.parent / "schema" / "any.rng")
    letter = toml.parent / "tei" / "documents" / "example-letter.xml"
    letter.write_text(
        letter.read_text(encoding="utf-8").replace("schema/edition.rng", "schema/any.rng", 1), encoding="utf-8"
    )
    return toml


def test_a_files_own_grammar_replaces_tei_all(tmp_path: Path) -> None:
    toml = own_grammar(tmp_path, "tei-all")
    letter = toml.parent / "tei" / "documents" / "example-letter.xml"
    letter.write_text(letter.read_text(encoding="utf-8").replace("<p>", "<p><notTei/>", 1), encoding="utf-8")
    code, output = validate(toml)
    assert (code, "notTei" in output) == (0, False), output  # its own grammar allows anything; TEI All is not asked
    checker = FileValidator(*edition_schemas(load_config(toml)))
    assert checker.yields
    tree = etree.parse(str(letter))
    assert checker.validate(tree, letter)[0] == []
    assert [key[0] for key in checker._engines].count("rng") == 1


def test_a_files_own_grammar_adds_to_a_configured_schema(tmp_path: Path) -> None:
    code, output = validate(own_grammar(tmp_path, "edition"))
    assert code == 1 and "<app> is not allowed inside <p>: it is not part of the edition's schema" in output


def test_copies_of_one_schema_are_checked_once(tmp_path: Path) -> None:
    toml = make_edition(tmp_path, "edition")
    config = load_config(toml)
    checker = FileValidator(*edition_schemas(config))
    letter = toml.parent / "tei" / "documents" / "example-letter.xml"
    diagnostics, named = checker.validate(etree.parse(str(letter)), letter)
    assert diagnostics == []
    assert [p.name for p in named] == ["edition.rng", "edition.sch"]  # the copies the instructions name
    assert sorted(kind for kind, _key in checker._engines) == ["rng", "sch"]  # one engine each: the copies are known
    # A copy that differs is another schema, checked as well.
    copy = toml.parent / "schema" / "edition.rng"
    copy.write_bytes(copy.read_bytes().replace(b"<!--", b"<!-- changed", 1))
    checker.validate(etree.parse(str(letter)), letter)
    assert sorted(kind for kind, _key in checker._engines) == ["rng", "rng", "sch"]


def test_sample_edition_checks_each_schema_once() -> None:
    config = load_config(REPO / "edition.toml")
    assert config.schema is not None and config.schema.name == "edition.rng"
    checker = FileValidator(*edition_schemas(config))
    for path in sorted((REPO / "tei").glob("*/*.xml")):
        diagnostics, named = checker.validate(etree.parse(str(path)), path)
        assert [d for d in diagnostics if d.severity.value == "error"] == []
        assert [p.relative_to(REPO).as_posix() for p in named] == ["schema/edition.rng", "schema/edition.sch"]
    assert len(checker._engines) == 2


def test_sample_schema_folder_is_what_edition_schema_writes() -> None:
    for name in ("edition.rng", "edition.sch"):
        assert (REPO / "schema" / name).read_bytes() == (PACKAGED / name).read_bytes(), (
            f"schema/{name} is stale: run `edition schema` at the repository's root"
        )


# --- edition new and edition schema ---------------------------------------------------------------------------------


def test_new_edition_points_its_files_to_its_schema_folder(tmp_path: Path) -> None:
    toml = make_edition(tmp_path, "edition")
    root = toml.parent
    for name in ("edition.rng", "edition.sch"):
        assert (root / "schema" / name).read_bytes() == (PACKAGED / name).read_bytes()
    assert "edition schema --add-pi" in (root / "README.md").read_text(encoding="utf-8")
    for path in (root / "tei").rglob("*.xml"):
        head = path.read_text(encoding="utf-8").splitlines()[:3]
        assert head[1:] == [RNG_PI, SCH_PI], path
        assert head[1:] == xml_model_lines(path, write_editor_schemas(load_config(toml)).files)


def test_schema_command_writes_the_schema_in_force_and_says_how_editors_use_it(tmp_path: Path) -> None:
    toml = make_edition(tmp_path, "tei-all")
    result = CliRunner().invoke(main, ["schema", "--config", str(toml)])
    assert result.exit_code == 0, result.output
    root = toml.parent
    assert (root / "schema" / "tei_all.rng").read_bytes() == (PACKAGED / "tei_all.rng").read_bytes()
    assert "wrote schema/tei_all.rng" in result.output and "schema/edition.sch is up to date" in result.output
    assert "oXygen" in result.output and "redhat.vscode-xml" in result.output
    assert (
        '<?xml-model href="../../schema/tei_all.rng" type="application/xml" '
        'schematypens="http://relaxng.org/ns/structure/1.0"?>'
    ) in result.output
    assert "--add-pi" in result.output
    letter = root / "tei" / "documents" / "example-letter.xml"
    assert RNG_PI in letter.read_text(encoding="utf-8")  # without --add-pi no file changes

    result = CliRunner().invoke(main, ["schema", "--add-pi", "--config", str(toml)])
    assert result.exit_code == 0, result.output
    text = letter.read_text(encoding="utf-8")
    assert "schema/tei_all.rng" in text and "schema/edition.rng" not in text and SCH_PI in text
    assert "added or updated the instructions in tei/documents/example-letter.xml" in result.output
    again = CliRunner().invoke(main, ["schema", "--add-pi", "--config", str(toml)])
    assert "4 file(s) already had these instructions" in again.output
    assert validate(toml)[0] == 0


def test_schema_command_never_replaces_a_different_file_unasked(tmp_path: Path) -> None:
    toml = make_edition(tmp_path, "edition")
    mine = toml.parent / "schema" / "edition.rng"
    mine.write_text("<grammar/>", encoding="utf-8")
    result = CliRunner().invoke(main, ["schema", "--config", str(toml)])
    assert result.exit_code == 2
    assert result.output == (
        "Error: schema/edition.rng already there and different from the schema in force; pass --force to replace it\n"
    )
    assert mine.read_text(encoding="utf-8") == "<grammar/>"
    folder = tmp_path / "elsewhere"
    result = CliRunner().invoke(main, ["schema", "--force", "--dir", str(folder), "--config", str(toml)])
    assert result.exit_code == 0 and (folder / "edition.rng").is_file() and (folder / "edition.sch").is_file()
    assert mine.read_text(encoding="utf-8") == "<grammar/>"
    assert CliRunner().invoke(main, ["schema", "--force", "--config", str(toml)]).exit_code == 0
    assert mine.read_bytes() == (PACKAGED / "edition.rng").read_bytes()


# --- adding instructions without changing anything else -------------------------------------------------------------


@pytest.fixture
def files(tmp_path: Path) -> list:
    toml = make_edition(tmp_path, "edition")
    return write_editor_schemas(load_config(toml)).files


BODY = b'<TEI xmlns="http://www.tei-c.org/ns/1.0">\r\n  <text><body><p>caf\xc3\xa9</p></body></text>\r\n</TEI>\r\n'


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # No instruction yet: after the XML declaration, in the file's own line ends (CRLF here).
        (
            b'<?xml version="1.0" encoding="UTF-8"?>\r\n<!-- a comment -->\r\n<?xml-stylesheet href="x.css"?>\r\n',
            b'<?xml version="1.0" encoding="UTF-8"?>\r\nRNG\r\nSCH\r\n<!-- a comment -->\r\n'
            b'<?xml-stylesheet href="x.css"?>\r\n',
        ),
        # No declaration: at the very start.
        (b"", b"RNG\r\nSCH\r\n"),
        # An instruction to the package's schema (a copy of the same) and one to a missing file: replaced in place.
        (
            b"<?xml version='1.0'?>\r\n<!-- c -->\r\n<?xml-model href=\"../../src/tei_edition/schema/edition.rng\" "
            b'schematypens="http://relaxng.org/ns/structure/1.0"?>\r\n<?xml-model href="gone.sch"?>\r\n',
            b"<?xml version='1.0'?>\r\n<!-- c -->\r\nRNG\r\nSCH\r\n",
        ),
        # A remote schema is left alone.
        (
            b'<?xml-model href="https://tei-c.org/tei_all.rng" schematypens="http://relaxng.org/ns/structure/1.0"?>\r\n',
            b'RNG\r\nSCH\r\n<?xml-model href="https://tei-c.org/tei_all.rng" '
            b'schematypens="http://relaxng.org/ns/structure/1.0"?>\r\n',
        ),
    ],
    ids=["after-declaration", "no-declaration", "replaced", "remote-kept"],
)
def test_instructions_change_no_other_byte(files: list, tmp_path: Path, before: bytes, after: bytes) -> None:
    doc = files[0].copy.parent.parent / "tei" / "documents" / "other.xml"
    doc.write_bytes(before + BODY)
    if b"src/tei_edition" in before:  # the package's own copy, wherever it is installed
        before = before.replace(b"../../src/tei_edition/schema/edition.rng", f"file://{PACKAGED}/edition.rng".encode())
        doc.write_bytes(before + BODY)
    lines = xml_model_lines(doc, files)
    assert set_xml_model(doc, lines, files) == "updated"
    expected = after.replace(b"RNG", lines[0].encode()).replace(b"SCH", lines[1].encode()) + BODY
    assert doc.read_bytes() == expected
    assert set_xml_model(doc, lines, files) == "current"


def test_a_linked_file_is_changed_where_it_is_and_keeps_its_permissions(files: list, tmp_path: Path) -> None:
    real = tmp_path / "real.xml"
    real.write_bytes(BODY)
    real.chmod(0o640)
    link = files[0].copy.parent.parent / "tei" / "documents" / "linked.xml"
    link.symlink_to(real)
    assert set_xml_model(link, xml_model_lines(link, files), files) == "updated"
    assert link.is_symlink() and real.read_bytes().endswith(BODY) and b"xml-model" in real.read_bytes()
    assert real.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b'<?xml version="1.0"?>\n<!DOCTYPE TEI [<!ENTITY x "y">]>\n' + BODY, "document type declaration"),
        ('<?xml version="1.0" encoding="UTF-16"?>\n<TEI/>'.encode("utf-16"), "UTF-16"),
        (b'<?xml version="1.0" encoding="Shift_JIS"?>\n' + BODY, "encoding (Shift_JIS)"),
        (b"<?xml version='1.0'?>\n<TEI><p></TEI>\n", "not well-formed"),
    ],
    ids=["doctype", "utf-16", "shift-jis", "malformed"],
)
def test_files_that_cannot_be_edited_safely_are_left_alone(
    files: list, tmp_path: Path, content: bytes, reason: str
) -> None:
    doc = tmp_path / "doc.xml"
    doc.write_bytes(content)
    status = set_xml_model(doc, xml_model_lines(doc, files), files)
    assert reason in status
    assert doc.read_bytes() == content


def test_a_file_naming_its_own_grammar_keeps_it(files: list, tmp_path: Path) -> None:
    shutil.copy(ANY_RNG, tmp_path / "any.rng")
    doc = tmp_path / "doc.xml"
    content = b'<?xml-model href="any.rng" schematypens="http://relaxng.org/ns/structure/1.0"?>\n' + BODY
    doc.write_bytes(content)
    lines = xml_model_lines(doc, files)
    assert "names a grammar of its own (any.rng)" in set_xml_model(doc, lines, files, keep_own_grammar=True)
    assert doc.read_bytes() == content
    assert set_xml_model(doc, lines, files) == "updated"  # with a configured schema, it is checked as well: kept
    assert doc.read_bytes().endswith(content)


def test_an_own_schema_in_the_schema_folder_is_named_where_it_is(tmp_path: Path) -> None:
    toml = make_edition(tmp_path, "schema/any.rng")
    shutil.copy(ANY_RNG, toml.parent / "schema" / "any.rng")
    result = CliRunner().invoke(main, ["schema", "--add-pi", "--config", str(toml)])
    assert result.exit_code == 0, result.output
    assert "schema/any.rng: the edition's own schema (RELAX NG)" in result.output
    assert sorted(p.name for p in (toml.parent / "schema").iterdir()) == ["any.rng", "edition.rng", "edition.sch"]
    letter = (toml.parent / "tei" / "documents" / "example-letter.xml").read_text(encoding="utf-8")
    assert 'href="../../schema/any.rng"' in letter and "schema/edition.rng" not in letter


def test_the_editions_own_rules_are_written_beside_the_built_in_ones(tmp_path: Path) -> None:
    toml = make_edition(tmp_path, "edition")
    rules = toml.parent / "rules" / "edition.sch"  # the same name as the built-in rules: written under another
    rules.parent.mkdir()
    rules.write_text(
        '<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2"><pattern><rule context="*">'
        '<assert test="true()">never</assert></rule></pattern></schema>',
        encoding="utf-8",
    )
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            'schema = "edition"\n', 'schema = "edition"\nschematron = "rules/edition.sch"\n'
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["schema", "--add-pi", "--config", str(toml)])
    assert result.exit_code == 0, result.output
    assert "schema/edition-2.sch: the edition's own rules (Schematron)" in result.output
    assert (toml.parent / "schema" / "edition-2.sch").read_bytes() == rules.read_bytes()
    letter = (toml.parent / "tei" / "documents" / "example-letter.xml").read_text(encoding="utf-8")
    assert letter.count("<?xml-model") == 3 and 'href="../../schema/edition-2.sch"' in letter
    assert validate(toml)[0] == 0
