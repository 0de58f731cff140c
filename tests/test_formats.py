"""Report formats: folding of long runs of one warning in text output, and nothing folded elsewhere."""

import json
from pathlib import Path

from tei_edition.validate.diagnostics import Diagnostic, Report, Severity
from tei_edition.validate.formats import format_report


def report_with(warnings: int) -> Report:
    report = Report(documents=1, registers=1)
    path = Path("tei/registers/persons.xml")
    for line in range(1, warnings + 1):
        report.add(Diagnostic(path, line * 10, 0, Severity.WARNING, f"entry {line} has no authority", "authority"))
    report.add(Diagnostic(path, 999, 0, Severity.ERROR, "broken", "ref-resolves"))
    return report


def test_long_runs_fold_in_text() -> None:
    lines = format_report(report_with(9), "text").splitlines()
    assert lines[:3] == [
        f"tei/registers/persons.xml:{n}0:0: warning: entry {n} has no authority [authority]" for n in (1, 2, 3)
    ]
    assert lines[3] == "tei/registers/persons.xml: ... 6 more [authority] warnings in this file (--all lists them)"
    assert lines[4].endswith("error: broken [ref-resolves]")
    assert lines[-1] == "1 document, 1 register: 1 error, 9 warnings"


def test_short_runs_and_other_formats_are_complete() -> None:
    assert len(format_report(report_with(5), "text").splitlines()) == 7
    assert len(format_report(report_with(9), "text", fold=False).splitlines()) == 11
    assert len(json.loads(format_report(report_with(9), "json"))["diagnostics"]) == 10
    assert format_report(report_with(9), "github").count("::warning ") == 9
