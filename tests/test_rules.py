"""Rule names and severities: the table of rules, [rules] in edition.toml, and their effect on `edition validate`
and on the build's gate alike."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from tei_edition.cli import main
from tei_edition.config import config_from_dict, load_config
from tei_edition.errors import ConfigError
from tei_edition.pipeline import check_edition
from tei_edition.rules import RULES, RuleSettings
from tei_edition.validate.diagnostics import Diagnostic, Report, Severity

REPO = Path(__file__).resolve().parents[1]
EDITION_SCH = REPO / "src" / "tei_edition" / "schema" / "edition.sch"
SCH = "{http://purl.oclc.org/dsdl/schematron}"


def run(args: list[str], cwd: Path) -> Result:
    with contextlib.chdir(cwd):
        return CliRunner().invoke(main, args, prog_name="edition", catch_exceptions=False)


def lines_of(result: Result, rule: str) -> list[str]:
    return [line for line in result.output.splitlines() if line.endswith(f"[{rule}]")]


def test_every_rule_of_edition_sch_is_in_the_table_with_its_default_as_role() -> None:
    checks = [
        el
        for el in etree.parse(str(EDITION_SCH)).getroot().iter(f"{SCH}assert", f"{SCH}report")
        if isinstance(el.tag, str)
    ]
    assert len(checks) >= 10
    for check in checks:
        rule = RULES.get(check.get("id", ""))
        assert rule is not None, f"edition.sch rule {check.get('id')!r} is not in rules.RULES"
        assert check.get("role") == rule.default, check.get("id")


def test_every_rule_a_broken_edition_reports_is_in_the_table(minimal_edition: Path) -> None:
    """Each diagnostic the validators make carries a rule of the table (so that [rules] can name it)."""
    from test_validate import break_edition

    break_edition(minimal_edition)
    letter = minimal_edition / "tei" / "documents" / "letter-a.xml"
    text = letter.read_text(encoding="utf-8")
    letter.write_text(
        '<?xml-model href="missing.rng" schematypens="http://relaxng.org/ns/structure/1.0"?>\n'
        + text.replace('<?xml version="1.0" encoding="UTF-8"?>', "")
        .replace("</body>", '<p><gap/><persName>Nobody</persName><date from="1850" to="1849">x</date></p></body>')
        .replace("<teiHeader>", '<teiHeader xml:id="babbage">'),
        encoding="utf-8",
    )
    report = check_edition(load_config(minimal_edition / "edition.toml"))
    rules = {d.rule for d in report.diagnostics}
    assert rules - set(RULES) == set()
    assert {
        "xml",
        "ref-resolves",
        "date-format",
        "date-order",
        "id-page",
        "gap-reason",
        "name-ref",
        "xml-model",
    } <= rules


def test_conformance_is_always_an_error_and_house_style_follows_the_settings() -> None:
    settings = RuleSettings((("authority", "error"), ("licence", "off")))
    assert settings.level("authority", "warning") == "error"
    assert settings.level("licence", "warning") == "off"
    assert settings.level("name-ref", "warning") == "warning"  # the default
    assert settings.level("xml", "error") == "error"
    assert settings.level("my-project-rule", "warning") == "warning"  # an edition's own Schematron keeps its role
    assert RULES["xml"].fixed and RULES["ref-resolves"].fixed and not RULES["licence"].fixed
    assert {name for name, rule in RULES.items() if rule.default == "warning"} >= {
        "licence",
        "authority",
        "untagged-name",
        "untagged-date",
        "name-ref",
    }


def test_the_report_applies_the_severities_once_as_it_collects() -> None:
    path = Path("doc.xml")
    made = [
        Diagnostic(path, 1, 0, Severity.WARNING, "no licence", "licence"),
        Diagnostic(path, 2, 0, Severity.WARNING, "no idno", "authority"),
        Diagnostic(path, 3, 0, Severity.WARNING, "no ref", "name-ref"),
        Diagnostic(path, 4, 0, Severity.ERROR, "bad", "xml"),
    ]
    report = Report(rules=RuleSettings((("authority", "error"), ("licence", "off"))))
    report.extend(made)
    assert [(d.rule, d.severity) for d in report.diagnostics] == [
        ("authority", Severity.ERROR),
        ("name-ref", Severity.WARNING),
        ("xml", Severity.ERROR),
    ]
    copied = Report()  # a report made from another report's diagnostics keeps their severities
    copied.extend(report.sorted())
    assert [d.severity for d in copied.diagnostics] == [d.severity for d in report.sorted()]


def test_config_reads_the_rules_table(tmp_path: Path) -> None:
    (tmp_path / "tei" / "documents").mkdir(parents=True)
    config = config_from_dict(
        {"edition": {"title": "T"}, "rules": {"licence": "off", "authority": "error", "xml": "error"}}, tmp_path
    )
    assert config.rules.level("licence", "warning") == "off"
    assert config.rules.level("authority", "warning") == "error"
    assert config_from_dict({"edition": {"title": "T"}}, tmp_path).rules == RuleSettings()


def test_config_refuses_unknown_rules_and_severities_naming_the_key(tmp_path: Path) -> None:
    (tmp_path / "tei" / "documents").mkdir(parents=True)
    (tmp_path / "edition.toml").write_text(
        '[edition]\ntitle = "T"\n[rules]\nlicense = "off"\nauthority = "fatal"\nschema = "warning"\n'
        'name-ref = 1\nfrobnicate = "off"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_config(tmp_path / "edition.toml")
    problems = {p.key: p.message for p in err.value.problems}
    assert set(problems) == {"rules.license", "rules.authority", "rules.schema", "rules.name-ref", "rules.frobnicate"}
    assert problems["rules.license"].startswith("unknown rule (did you mean 'licence'? the rules are: xml, schema,")
    assert "authority" in problems["rules.frobnicate"] and "untagged-name" in problems["rules.frobnicate"]
    assert problems["rules.authority"] == "must be one of 'error', 'warning', 'off', not 'fatal'"
    assert problems["rules.schema"].startswith("is TEI conformance and always an error")
    assert problems["rules.name-ref"] == "must be one of 'error', 'warning', 'off', not 1"
    bad_table = tmp_path / "other.toml"
    bad_table.write_text('rules = "strict"\n[edition]\ntitle = "T"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"rules: must be a table \(\[rules\]\)"):
        load_config(bad_table)


@pytest.fixture
def styled_edition(minimal_edition: Path) -> Path:
    """The minimal edition with one register entry without an authority id and one document without a licence."""
    persons = minimal_edition / "tei" / "registers" / "persons.xml"
    persons.write_text(
        persons.read_text(encoding="utf-8").replace('<idno type="wikidata">Q46633</idno>', ""), encoding="utf-8"
    )
    letter = minimal_edition / "tei" / "documents" / "letter-b.xml"
    text = letter.read_text(encoding="utf-8")
    start, end = text.index("<availability>"), text.index("</availability>") + len("</availability>")
    letter.write_text(text[:start] + text[end:], encoding="utf-8")
    return minimal_edition


def test_validate_honours_the_rules_table(styled_edition: Path) -> None:
    default = run(["validate"], styled_edition)
    assert default.exit_code == 0, default.output
    assert [line.split(": ")[1] for line in lines_of(default, "authority") + lines_of(default, "licence")] == [
        "warning",
        "warning",
    ]
    toml = styled_edition / "edition.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[rules]\nlicence = "off"\nauthority = "error"\n')
    ruled = run(["validate"], styled_edition)
    assert ruled.exit_code == 1, ruled.output
    [authority] = lines_of(ruled, "authority")
    assert authority.startswith("tei/registers/persons.xml:") and ": error: register entry #babbage" in authority
    assert lines_of(ruled, "licence") == []
    assert ruled.output.splitlines()[-1] == "2 documents, 2 registers: 1 error, 0 warnings"
    named = run(["validate", "tei/registers/persons.xml", "tei/documents/letter-b.xml"], styled_edition)
    assert named.exit_code == 1 and lines_of(named, "authority") == [authority] and not lines_of(named, "licence")


def test_the_build_gate_honours_the_rules_table(styled_edition: Path) -> None:
    built = run(["build", "--no-pdf", "--quiet"], styled_edition)
    assert built.exit_code == 0, built.output
    toml = styled_edition / "edition.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + '\n[rules]\nauthority = "error"\n')
    stopped = run(["build", "--no-pdf", "--quiet"], styled_edition)
    assert stopped.exit_code == 1
    assert "validation found 1 error(s)" in stopped.output and "[authority]" in stopped.output
