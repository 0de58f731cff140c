"""Writing a validation report as text, JSON, JUnit XML or GitHub Actions annotations."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

from lxml import etree

from tei_edition.validate.diagnostics import Diagnostic, Report, Severity

FORMATS = ("text", "json", "junit", "github")


def format_report(report: Report, fmt: str, cwd: Path | None = None, strict: bool = False, fold: bool = True) -> str:
    """The whole report in one of FORMATS, ending with a newline; only text output folds repeated warnings."""
    if fmt == "text":
        return as_text(report, cwd, strict, fold)
    return {"json": as_json, "junit": as_junit, "github": as_github}[fmt](report, cwd, strict)


def _location(d: Diagnostic, cwd: Path | None) -> str:
    return f"{d.display_path(cwd)}:{d.line}:{d.column}"


def _severity(d: Diagnostic, strict: bool) -> str:
    return "error" if strict else d.severity.value


FOLD_AFTER = 5  # warnings of one rule in one file beyond this many are folded in text output
FOLD_SHOW = 3


def as_text(report: Report, cwd: Path | None = None, strict: bool = False, fold: bool = True) -> str:
    """`path:line:col: severity: message [rule]` lines, then the summary line.

    Errors are always listed; a long run of one warning rule in one file is folded after a few examples, with a line
    saying how many more there are (the JSON format, or --all, lists them all)."""
    diagnostics = report.sorted()
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for d in diagnostics:
        if d.severity is Severity.WARNING and not strict:
            counts[(str(d.path), d.rule)] += 1
    shown: dict[tuple[str, str], int] = defaultdict(int)
    lines = []
    folded: dict[tuple[str, str], str] = {}
    for d in diagnostics:
        key = (str(d.path), d.rule)
        if fold and counts.get(key, 0) > FOLD_AFTER:
            shown[key] += 1
            if shown[key] > FOLD_SHOW:
                if key not in folded:
                    folded[key] = d.display_path(cwd)
                    lines.append(
                        f"{folded[key]}: ... {counts[key] - FOLD_SHOW} more [{d.rule}] warnings in this "
                        "file (--all lists them)"
                    )
                continue
        lines.append(f"{_location(d, cwd)}: {d.severity.value}: {d.message} [{d.rule}]")
    lines.append(report.summary())
    return "\n".join(lines) + "\n"


def as_json(report: Report, cwd: Path | None = None, strict: bool = False) -> str:
    """A JSON object with the summary counts and one object per diagnostic."""
    diagnostics = report.sorted()
    payload = {
        "documents": report.documents,
        "registers": report.registers,
        "errors": sum(d.severity is Severity.ERROR for d in diagnostics),
        "warnings": sum(d.severity is Severity.WARNING for d in diagnostics),
        "strict": strict,
        "summary": report.summary(),
        "diagnostics": [
            {
                "path": d.display_path(cwd),
                "line": d.line,
                "column": d.column,
                "severity": d.severity.value,
                "message": d.message,
                "rule": d.rule,
                **({"part": d.part} if d.part else {}),
            }
            for d in diagnostics
        ],
    }
    return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"


def as_junit(report: Report, cwd: Path | None = None, strict: bool = False) -> str:
    """JUnit XML: one test suite, one test case per file checked that has problems, one failure per error."""
    diagnostics = report.sorted()
    by_file: dict[str, list[Diagnostic]] = defaultdict(list)
    for d in diagnostics:
        by_file[d.display_path(cwd)].append(d)
    failing = [d for d in diagnostics if d.severity is Severity.ERROR or strict]
    suites = etree.Element("testsuites", name="edition validate")
    suite = etree.SubElement(
        suites,
        "testsuite",
        name="tei-edition",
        tests=str(max(len(by_file), 1)),
        failures=str(len({d.display_path(cwd) for d in failing})),
        errors="0",
        skipped="0",
    )
    if not by_file:
        etree.SubElement(suite, "testcase", classname="edition", name="edition is valid")
    for file_name, items in by_file.items():
        case = etree.SubElement(suite, "testcase", classname="validate", name=file_name, file=file_name)
        errors = [d for d in items if d.severity is Severity.ERROR or strict]
        if errors:
            failure = etree.SubElement(
                case, "failure", type="validation", message=f"{len(errors)} problem(s) in {file_name}"
            )
            failure.text = "\n".join(f"{_location(d, cwd)}: {d.message} [{d.rule}]" for d in errors)
        warnings = [d for d in items if d not in errors]
        if warnings:
            out = etree.SubElement(case, "system-out")
            out.text = "\n".join(f"{_location(d, cwd)}: warning: {d.message} [{d.rule}]" for d in warnings)
    suite.append(etree.Element("properties"))
    prop = etree.SubElement(suite[-1], "property", name="summary", value=report.summary())
    del prop
    return etree.tostring(suites, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def as_github(report: Report, cwd: Path | None = None, strict: bool = False) -> str:
    """GitHub Actions workflow commands: `::error file=...,line=...,col=...,title=...::message` per problem."""
    lines = []
    for d in report.sorted():
        props = [f"file={_escape_property(d.display_path(cwd))}"]
        if d.line:
            props.append(f"line={d.line}")
        if d.column:
            props.append(f"col={d.column}")
        props.append(f"title={_escape_property(d.rule)}")
        lines.append(f"::{_severity(d, strict)} {','.join(props)}::{_escape_data(d.message)}")
    lines.append(report.summary())
    return "\n".join(lines) + "\n"
