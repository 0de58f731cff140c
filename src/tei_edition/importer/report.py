"""What `edition import` made of each file, and the report for people: what was tagged and what is left to do."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class FileReport:
    """What was made of one input file."""

    source: Path
    output: Path
    doc_id: str
    counts: Counter[str] = field(default_factory=Counter)
    unknown_names: Counter[str] = field(default_factory=Counter)
    ambiguous: Counter[str] = field(default_factory=Counter)
    undated: list[str] = field(default_factory=list)
    header_notes: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """The import of several files: one FileReport each, and the registers used."""

    files: list[FileReport] = field(default_factory=list)
    registers_dir: Path | None = None
    entities: int = 0

    def as_text(self) -> str:
        """The report for people: what was tagged in each file and what is left to do."""
        lines = []
        if self.registers_dir is None:
            lines.append("No registers given (no edition.toml here and no --registers): names are not suggested.")
        else:
            lines.append(f"Names suggested from {self.entities} register entries in {self.registers_dir}.")
        for f in self.files:
            c = f.counts
            lines.append("")
            lines.append(f"{f.output}  (from {f.source})")
            lines.append(
                f"  tagged: {c['person']} persons, {c['place']} places, {c['org']} organisations, "
                f"{c['date']} dates, {c['pb']} page breaks, {c['note']} note references, "
                f"{c['p']} paragraphs, {c['head']} headings, {c['list']} lists, {c['figure']} figures"
            )
            lines.append(
                f'  every suggestion carries resp="#import-{f.doc_id}" (names cert="medium", dates '
                'whose year comes from the context cert="low"): check each, then remove the marks'
            )
            todo: list[str] = []
            if f.unknown_names:
                shown = ", ".join(f"{name} ({n})" for name, n in f.unknown_names.most_common(25))
                more = len(f.unknown_names) - 25
                todo.append(
                    f"capitalised words not in the registers (add them, tag them, or ignore them): {shown}"
                    + (f" and {more} more" if more > 0 else "")
                )
            if f.ambiguous:
                todo.append(
                    "names that more than one register entry carries (tag by hand): "
                    + ", ".join(f"{name} ({n})" for name, n in f.ambiguous.most_common())
                )
            if f.undated:
                todo.append("dates whose year could not be inferred (tag by hand): " + ", ".join(f.undated))
            todo.extend(f.header_notes)
            todo.append(
                'descriptions of persons, places and bodies ("the Soviet leader") are not suggested: tag them with <rs>'
            )
            lines.append("  to do:")
            lines.extend(f"    - {item}" for item in todo)
        total = Counter[str]()
        for f in self.files:
            total.update(f.counts)
        names = total["person"] + total["place"] + total["org"]
        lines.append("")
        lines.append(
            f"Imported {len(self.files)} file{'s' if len(self.files) != 1 else ''}: {names} names and "
            f"{total['date']} dates suggested, {total['pb']} page breaks. Next: edition validate"
        )
        return "\n".join(lines) + "\n"
