"""Diagnostics: one problem in one file, and the report that gathers them."""

from __future__ import annotations

import os
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from tei_edition.rules import RuleSettings


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A problem found in a source file, located by line (1-based) and column (1-based, 0 when unknown)."""

    path: Path
    line: int
    column: int
    severity: Severity
    message: str
    rule: str
    part: str = ""  # the document (its id) of a volume split into documents that the fault lies in, if any

    def display_path(self, cwd: Path | None = None) -> str:
        """The path relative to the current folder where that is possible, else as given."""
        base = cwd or Path.cwd()
        try:
            return os.path.relpath(self.path, base) if self.path.is_absolute() else str(self.path)
        except ValueError:  # another drive on Windows
            return str(self.path)


@dataclass
class Report:
    """Every diagnostic from one validation run, plus what was checked.

    With `rules` (the edition's [rules] settings) each diagnostic collected gets the severity its rule has in that
    edition, and those of rules set to "off" are dropped: this is the one place severities are decided. Without
    `rules`, diagnostics keep the severity they were made with (a report made from another report's)."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    documents: int = 0
    registers: int = 0
    rules: RuleSettings | None = None
    # The documents and letters the document files hold (pipeline/check.py: held_documents), when they were
    # counted: the summary names them when they are not one document per file.
    contained: int | None = None
    letters: int = 0

    def add(self, diagnostic: Diagnostic) -> None:
        if self.rules is not None:
            level = self.rules.level(diagnostic.rule, diagnostic.severity.value)
            if level == "off":
                return
            if level != diagnostic.severity.value:
                diagnostic = replace(diagnostic, severity=Severity(level))
        self.diagnostics.append(diagnostic)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            self.add(diagnostic)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.WARNING]

    def sorted(self) -> list[Diagnostic]:
        """Diagnostics ordered by file, line, column, then message; exact repeats folded."""
        seen: set[tuple] = set()
        out: list[Diagnostic] = []
        for d in sorted(self.diagnostics, key=lambda d: (str(d.path), d.line, d.column, d.severity.value, d.message)):
            key = (d.path, d.line, d.column, d.severity, d.message, d.rule)
            if key not in seen:
                seen.add(key)
                out.append(d)
        return out

    def summary(self) -> str:
        """One line: what was checked and what was found."""
        docs = f"{self.documents} document{'s' if self.documents != 1 else ''}"
        if self.contained is not None and (self.contained != self.documents or self.letters):
            held = [f"{self.contained} document{'s' if self.contained != 1 else ''}"] if self.contained else []
            held += [f"{self.letters} letter{'s' if self.letters != 1 else ''}"] if self.letters else []
            docs = f"{self.documents} file{'s' if self.documents != 1 else ''} ({', '.join(held) or 'no document'})"
        regs = f"{self.registers} register{'s' if self.registers != 1 else ''}"
        ne, nw = len({*self.sorted()} & {*self.errors}), len({*self.sorted()} & {*self.warnings})
        return f"{docs}, {regs}: {ne} error{'s' if ne != 1 else ''}, {nw} warning{'s' if nw != 1 else ''}"


# A document inside a file as diagnostics are placed in it: its first and last line, and its id (tei/parts.py).
PartLines = tuple[int, int, str]


def in_parts(diagnostics: Iterable[Diagnostic], parts: Mapping[Path, Sequence[PartLines]]) -> list[Diagnostic]:
    """The diagnostics, each of a line inside a document of a volume (`parts`: by file, in line order) naming that
    document: its `part`, and its message, so that every format shows it."""
    out: list[Diagnostic] = []
    starts = {path: [first for first, _last, _id in lines] for path, lines in parts.items()}
    for d in diagnostics:
        lines = parts.get(d.path)
        if lines and d.line > 0 and not d.part:
            at = bisect_right(starts[d.path], d.line) - 1
            if at >= 0 and d.line <= lines[at][1]:
                doc_id = lines[at][2]
                d = replace(d, part=doc_id, message=f"{d.message} (in document '{doc_id}')")
        out.append(d)
    return out
