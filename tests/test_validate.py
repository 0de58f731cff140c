"""Validation of a whole edition (check_edition, what `edition validate` runs and the build stops on): every problem
of every file, in one run, with file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

from tei_edition.config import load_config
from tei_edition.pipeline import check_edition
from tei_edition.validate.diagnostics import Severity

REPO = Path(__file__).resolve().parents[1]


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def test_sample_edition_is_clean() -> None:
    report = check_edition(load_config(REPO / "edition.toml"))
    assert report.documents == 4
    assert report.registers == 3
    assert report.errors == [], "\n".join(f"{d.path}:{d.line}: {d.message}" for d in report.errors)


def test_minimal_edition_is_clean(minimal_edition: Path) -> None:
    report = check_edition(load_config(minimal_edition / "edition.toml"))
    assert report.diagnostics == []
    assert report.summary() == "2 documents, 2 registers: 0 errors, 0 warnings"


def break_edition(root: Path) -> dict[str, tuple[Path, int]]:
    """Break the minimal edition four ways; return where each problem is."""
    docs = root / "tei" / "documents"
    a = docs / "letter-a.xml"
    text = a.read_text(encoding="utf-8").replace('ref="#babbage"', 'ref="#babage"')
    text = text.replace('<date when="1843-07-05">the fifth', '<date when="1843-02-30">the fifth')
    a.write_text(text, encoding="utf-8")
    dup = docs / "letter-c.xml"
    shutil.copy(docs / "letter-b.xml", dup)
    truncated = docs / "letter-d.xml"
    content = (docs / "letter-b.xml").read_text(encoding="utf-8")
    truncated.write_text(content[: content.index("<body>") + 20], encoding="utf-8")
    return {
        "ref": (a, line_of(a, "#babage")),
        "date": (a, line_of(a, "1843-02-30")),
        "dup": (dup, line_of(dup, 'xml:id="letter-b"')),
        "truncated": (truncated, len(truncated.read_text(encoding="utf-8").splitlines())),
    }


def test_all_problems_in_one_run(minimal_edition: Path) -> None:
    where = break_edition(minimal_edition)
    report = check_edition(load_config(minimal_edition / "edition.toml"))
    found = {(d.path, d.line, d.rule): d for d in report.errors}
    ref = found[(where["ref"][0], where["ref"][1], "ref-resolves")]
    assert "persName/@ref '#babage' matches no entry in" in ref.message
    assert "(did you mean '#babbage'?)" in ref.message
    assert any(
        p == where["date"][0] and line == where["date"][1] and "1843-02-30" in d.message
        for (p, line, _), d in found.items()
    )
    dup = found[(where["dup"][0], where["dup"][1], "id-page")]
    assert "xml:id 'letter-b'" in dup.message and "letter-b.xml" in dup.message
    truncated = [d for d in report.errors if d.path == where["truncated"][0]]
    assert truncated and truncated[0].rule == "xml" and truncated[0].line >= where["truncated"][1]
    assert report.documents == 4


def test_named_files_only_but_pointers_against_all(minimal_edition: Path) -> None:
    where = break_edition(minimal_edition)
    config = load_config(minimal_edition / "edition.toml")
    b = minimal_edition / "tei" / "documents" / "letter-b.xml"
    report = check_edition(config, [b])
    # letter-b points to #ada and #london in the registers: resolved although only letter-b is checked;
    # its id is duplicated by letter-c, which is reported on letter-c, not here.
    assert {d.path for d in report.diagnostics} <= {b}
    assert report.documents == 1
    report = check_edition(config, [where["ref"][0]])
    assert {d.rule for d in report.errors} >= {"ref-resolves"}


def test_unknown_named_file(minimal_edition: Path) -> None:
    config = load_config(minimal_edition / "edition.toml")
    report = check_edition(config, [minimal_edition / "nope.xml"])
    assert report.errors[0].message == "the file does not exist"


def test_wrong_root_and_missing_text(minimal_edition: Path) -> None:
    docs = minimal_edition / "tei" / "documents"
    (docs / "html.xml").write_text("<html>\n<body/></html>", encoding="utf-8")
    (docs / "notext.xml").write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0">\n<teiHeader/></TEI>', encoding="utf-8")
    report = check_edition(load_config(minimal_edition / "edition.toml"))
    messages = {d.path.name: d for d in report.errors if d.rule == "xml"}
    assert "root element is <html>" in messages["html.xml"].message
    assert "has no <text>" in messages["notext.xml"].message


def test_xml_model_schema_is_honoured(minimal_edition: Path) -> None:
    schema = minimal_edition / "strict.rng"
    schema.write_text(
        """<grammar xmlns="http://relaxng.org/ns/structure/1.0">
  <start><element><nsName ns="http://www.tei-c.org/ns/1.0"/><zeroOrMore><attribute><anyName/></attribute></zeroOrMore>
  <element name="nothing-like-this"><empty/></element></element></start></grammar>""",
        encoding="utf-8",
    )
    a = minimal_edition / "tei" / "documents" / "letter-a.xml"
    text = a.read_text(encoding="utf-8")
    a.write_text(
        text.replace(
            "?>\n", '?>\n<?xml-model href="../../strict.rng" schematypens="http://relaxng.org/ns/structure/1.0"?>\n', 1
        ),
        encoding="utf-8",
    )
    report = check_edition(load_config(minimal_edition / "edition.toml"))
    assert any(d.path == a and d.rule == "schema" for d in report.errors)
    assert not any(d.path.name == "letter-b.xml" and d.rule == "schema" for d in report.errors)


def test_missing_xml_model_target_is_a_warning(minimal_edition: Path) -> None:
    a = minimal_edition / "tei" / "documents" / "letter-a.xml"
    text = a.read_text(encoding="utf-8")
    a.write_text(text.replace("?>\n", '?>\n<?xml-model href="gone.rng"?>\n', 1), encoding="utf-8")
    report = check_edition(load_config(minimal_edition / "edition.toml"))
    warning = next(d for d in report.diagnostics if d.rule == "xml-model")
    assert warning.severity is Severity.WARNING and warning.line == 2


def test_register_entries_whose_ids_differ_only_in_case_are_an_error(minimal_edition: Path) -> None:
    """Each entry's page is named by its id: 'Ada' and 'ada' would be one file on Windows and macOS. Reported by
    `edition validate` and by the build's gate, at the second entry, naming the first."""
    from click.testing import CliRunner

    from tei_edition.cli import main

    persons = minimal_edition / "tei" / "registers" / "persons.xml"
    text = persons.read_text(encoding="utf-8")
    start = text.index('<person xml:id="ada"')
    entry = text[start : text.index("</person>", start) + len("</person>")]
    persons.write_text(
        text.replace(entry, entry + "\n" + entry.replace('xml:id="ada"', 'xml:id="Ada"'), 1), encoding="utf-8"
    )
    line = line_of(persons, 'xml:id="Ada"')
    report = check_edition(load_config(minimal_edition / "edition.toml"))
    [case] = [d for d in report.errors if d.rule == "id-case"]
    assert (case.path, case.line) == (persons, line)
    assert "xml:id 'Ada' on <person> differs only in letter case from 'ada'" in case.message
    runner = CliRunner()
    for command in (["validate"], ["build", "--no-pdf"]):
        result = runner.invoke(main, [*command, "--config", str(minimal_edition / "edition.toml")])
        assert result.exit_code == 1, result.output
        assert f"persons.xml:{line}" in result.output and "[id-case]" in result.output
