"""`edition stats`: what each document tags and what is left to tag, and how much of the registers is used."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from tei_edition.config import EditionConfig
from tei_edition.output.paths import relative_name as _relative
from tei_edition.tei.model import read_document
from tei_edition.tei.recognise import NameMatcher
from tei_edition.tei.registers import KINDS, all_entities, read_registers
from tei_edition.tei.text import T
from tei_edition.validate import parse_edition
from tei_edition.validate.encoding import find_candidates, pointed_ids

COUNTED = ("persons", "places", "orgs", "dates", "notes", "page_breaks", "untagged_names", "untagged_dates")
_TAGS = {
    "persons": (T + "persName", "person"),
    "places": (T + "placeName", "place"),
    "orgs": (T + "orgName", "org"),
}


@dataclass
class DocumentStats:
    """The counts for one document."""

    id: str
    path: str
    persons: int = 0
    places: int = 0
    orgs: int = 0
    dates: int = 0
    notes: int = 0
    page_breaks: int = 0
    untagged_names: int = 0
    untagged_dates: int = 0
    entries_mentioned: int = 0


@dataclass
class Coverage:
    """How many entries of a register the documents mention."""

    mentioned: int = 0
    total: int = 0

    @property
    def percent(self) -> float:
        return 100.0 * self.mentioned / self.total if self.total else 0.0


@dataclass
class EditionStats:
    """Counts per document, totals, register coverage, and files that could not be read."""

    documents: list[DocumentStats] = field(default_factory=list)
    total: DocumentStats = field(default_factory=lambda: DocumentStats("total", ""))
    coverage: dict[str, Coverage] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def edition_stats(config: EditionConfig) -> EditionStats:
    """Count tagged names, dates, notes and page breaks, untagged candidates and register coverage."""
    parsed = parse_edition(config)
    out = EditionStats(problems=[f"{d.display_path()}:{d.line}: {d.message}" for d in parsed.diagnostics])
    entities = all_entities(read_registers(parsed.register_trees.items()))
    matcher = NameMatcher(entities.values())
    mentioned_anywhere: set[str] = set()
    for path, tree in parsed.document_trees.items():
        doc = DocumentStats(read_document(tree, path).id, _relative(path, config.root))  # as the build reads it
        text = tree.getroot().find(f"{T}text")
        if text is not None:
            for key, (tag, kind) in _TAGS.items():
                setattr(
                    doc,
                    key,
                    sum(1 for _ in text.iter(tag)) + sum(1 for rs in text.iter(T + "rs") if rs.get("type") == kind),
                )
            doc.dates = sum(1 for _ in text.iter(T + "date"))
            doc.notes = sum(1 for _ in text.iter(T + "note"))
            doc.page_breaks = sum(1 for _ in text.iter(T + "pb"))
        for candidate in find_candidates(path, tree, matcher):
            if candidate.rule == "untagged-name":
                doc.untagged_names += 1
            else:
                doc.untagged_dates += 1
        mentioned = pointed_ids(tree) & set(entities)
        doc.entries_mentioned = len(mentioned)
        mentioned_anywhere |= mentioned
        out.documents.append(doc)
    for key in COUNTED:
        setattr(out.total, key, sum(getattr(d, key) for d in out.documents))
    out.total.entries_mentioned = len(mentioned_anywhere)
    for kind in KINDS:
        ids = {e.id for e in entities.values() if e.kind == kind}
        out.coverage[KINDS[kind][3]] = Coverage(len(ids & mentioned_anywhere), len(ids))
    out.coverage["all"] = Coverage(len(mentioned_anywhere), len(entities))
    return out


def format_stats(stats: EditionStats, fmt: str = "text") -> str:
    """The statistics as an aligned text table or as JSON, ending with a newline."""
    if fmt == "json":
        payload = {
            "documents": [asdict(d) for d in stats.documents],
            "total": {k: v for k, v in asdict(stats.total).items() if k not in ("id", "path")},
            "coverage": {
                k: {"mentioned": c.mentioned, "total": c.total, "percent": round(c.percent, 1)}
                for k, c in stats.coverage.items()
            },
            "problems": stats.problems,
        }
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    headers = ("document", "pers", "place", "org", "date", "note", "pb", "untagged names", "untagged dates", "entries")
    rows = [
        (
            d.id,
            d.persons,
            d.places,
            d.orgs,
            d.dates,
            d.notes,
            d.page_breaks,
            d.untagged_names,
            d.untagged_dates,
            d.entries_mentioned,
        )
        for d in stats.documents
    ]
    t = stats.total
    rows.append(
        (
            "total",
            t.persons,
            t.places,
            t.orgs,
            t.dates,
            t.notes,
            t.page_breaks,
            t.untagged_names,
            t.untagged_dates,
            t.entries_mentioned,
        )
    )
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(row: tuple) -> str:
        cells = [str(row[0]).ljust(widths[0])] + [str(v).rjust(w) for v, w in zip(row[1:], widths[1:], strict=True)]
        return "  ".join(cells).rstrip()

    lines = [line(headers), "  ".join("-" * w for w in widths)]
    lines += [line(r) for r in rows[:-1]] + ["  ".join("-" * w for w in widths), line(rows[-1]), ""]
    lines.append("Register coverage (entries mentioned in at least one document):")
    for name, c in stats.coverage.items():
        lines.append(f"  {name:<8} {c.mentioned:>4} of {c.total:<4} ({c.percent:.0f}%)")
    for problem in stats.problems:
        lines.append(f"not counted: {problem}")
    return "\n".join(lines) + "\n"
