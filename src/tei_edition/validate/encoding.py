"""Encoding checks: names and dates left untagged, register entries never used or without an authority."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from tei_edition.tei.model import POINTER_ATTRIBUTES
from tei_edition.tei.parse import line_of
from tei_edition.tei.recognise import DateFinder, NameMatcher
from tei_edition.tei.registers import KINDS, Entity
from tei_edition.tei.text import T, pointer_targets
from tei_edition.validate.diagnostics import Diagnostic, Severity

# Text inside these elements is already tagged, or is not the reading text.
SKIPPED = frozenset(
    T + name
    for name in (
        "persName",
        "placeName",
        "orgName",
        "rs",
        "name",
        "date",
        "time",
        "geogName",
        "country",
        "settlement",
        "region",
        "bloc",
        "district",
        "objectName",
        "sic",
        "orig",
        "abbr",
        "idno",
        "ptr",
        "gap",
        "fw",
        "term",
        "title",
        "bibl",
        "biblStruct",
        # what is already encoded as something else: a number, a measure, coordinates
        "num",
        "measure",
        "geo",
        # a file's own lists of persons, places and the like (a letter's back): entries, not the text
        "listPerson",
        "listPlace",
        "listOrg",
        "listEvent",
        "listObject",
        "listNym",
        "listRelation",
        "listBibl",
    )
)
RULES = ("untagged-name", "unused-entry", "authority", "untagged-date")


@dataclass(frozen=True)
class Candidate:
    """Untagged text that looks like a register name or a date."""

    path: Path
    line: int
    text: str
    rule: str  # untagged-name | untagged-date
    entities: tuple[Entity, ...] = ()


def iter_untagged_text(el: etree._Element) -> Iterator[tuple[str, int]]:
    """Every stretch of text below `el` that is outside tagged names, dates and source readings, with its line."""
    found: list[tuple[str, int]] = []
    _walk(el, line_of(el) or 1, found)
    yield from found


def _walk(el: etree._Element, line: int, found: list[tuple[str, int]]) -> int:
    """Collect the untagged text of `el` into `found`; returns the line where `el` ends (as _end_line does)."""
    # lxml gives each element the line where its start tag ends; text lines are counted from there.
    if el.text:
        found.append((el.text, line))
        line += el.text.count("\n")
    for child in el:
        if isinstance(child.tag, str):
            start = line_of(child) or line
            if child.tag not in SKIPPED and not _editorial(child):
                line = _walk(child, start, found)
            else:
                line = _end_line(child, start)
        else:  # comment or processing instruction: sourceline is where it ends
            line = line_of(child) or line
        if child.tail:
            found.append((child.tail, line))
            line += child.tail.count("\n")
    return line


def _editorial(el: etree._Element) -> bool:
    """An editor's note is commentary, not the source's text: names in it need not be tagged."""
    return el.tag == T + "note" and (el.get("type") == "editorial" or el.get("resp") is not None)


def _end_line(el: etree._Element, start: int) -> int:
    line = start + (el.text or "").count("\n")
    for child in el:
        if isinstance(child.tag, str):
            line = _end_line(child, line_of(child) or line)
        else:
            line = line_of(child) or line
        line += (child.tail or "").count("\n")
    return line


def name_matcher(entities: Iterable[Entity]) -> NameMatcher:
    """A matcher of the entities' names for the untagged-name check (same matches as NameMatcher, found faster)."""
    matcher = NameMatcher(entities)
    if matcher.pattern is not None:
        # Every name begins with one of a few characters: a lookahead on them lets the regex engine skip the other
        # positions without trying each of the hundreds of alternatives there.
        initials = {name.split()[0][0] for name in matcher.by_name if name.split()}
        first = "".join(re.escape(c) for c in sorted(initials))
        matcher.pattern = re.compile(f"(?=[{first}])" + matcher.pattern.pattern, matcher.pattern.flags)
    return matcher


def find_candidates(path: Path, tree: etree._ElementTree, matcher: NameMatcher) -> list[Candidate]:
    """Register names and date expressions in the document's text that are not tagged (one pass over the text)."""
    text_el = tree.getroot().find(f"{T}text")
    if text_el is None:
        return []
    found: list[Candidate] = []
    dates = DateFinder()
    for chunk, line in iter_untagged_text(text_el):
        if not chunk.strip():
            continue
        for hit in matcher.find(chunk):
            found.append(
                Candidate(
                    path,
                    line + chunk.count("\n", 0, hit.start),
                    " ".join(hit.text.split()),
                    "untagged-name",
                    hit.entities,
                )
            )
        for date in dates.find(chunk):
            if date.explicit:
                found.append(
                    Candidate(
                        path, line + chunk.count("\n", 0, date.start), " ".join(date.text.split()), "untagged-date"
                    )
                )
    return found


def candidate_diagnostic(candidate: Candidate, severity: Severity = Severity.WARNING) -> Diagnostic:
    """The warning for one untagged name or date."""
    if candidate.rule == "untagged-name":
        owners = ", ".join(f"the {KINDS[e.kind][3]} register has #{e.id}" for e in candidate.entities)
        element = KINDS[candidate.entities[0].kind][2]
        hint = (
            f'tag it as <{element} ref="#{candidate.entities[0].id}">'
            if len(candidate.entities) == 1
            else "tag it with the right one"
        )
        message = f"'{candidate.text}' is not tagged; {owners} ({hint}, or <rs> if it is a description)"
    else:
        message = f"'{candidate.text}' looks like a date but is not tagged (tag it as <date when=\"...\">)"
    return Diagnostic(candidate.path, candidate.line, 0, severity, message, candidate.rule)


def check_untagged(
    path: Path, tree: etree._ElementTree, matcher: NameMatcher, severity: Severity = Severity.WARNING
) -> list[Diagnostic]:
    """The per-document half of the encoding checks: register names and dates in the text left untagged, one
    warning per name per line."""
    seen: set[tuple[int, str]] = set()
    problems: list[Diagnostic] = []
    for candidate in find_candidates(path, tree, matcher):
        if (candidate.line, candidate.text) not in seen:
            seen.add((candidate.line, candidate.text))
            problems.append(candidate_diagnostic(candidate, severity))
    return problems


def check_entries(
    entities: Iterable[Entity], pointed: AbstractSet[str] | None, severity: Severity = Severity.WARNING
) -> list[Diagnostic]:
    """The edition-wide half of the encoding checks: register entries no document points to, and entries without
    an authority identifier. `pointed`: every id the documents point to; None when no document could be read (an
    entry is then not called unused)."""
    problems: list[Diagnostic] = []
    for entity in entities:
        label = f"#{entity.id} ({entity.name})"
        if pointed is not None and entity.id not in pointed:
            problems.append(
                Diagnostic(
                    entity.path,
                    entity.line,
                    0,
                    severity,
                    f"register entry {label} is never mentioned in any document",
                    "unused-entry",
                )
            )
        if not entity.idnos:
            problems.append(
                Diagnostic(
                    entity.path,
                    entity.line,
                    0,
                    severity,
                    f"register entry {label} has no authority identifier: add an <idno "
                    'type="wikidata"> (or VIAF, GeoNames) once it is verified',
                    "authority",
                )
            )
    return problems


def pointed_ids(tree: etree._ElementTree) -> set[str]:
    """Every local id a pointer attribute in the tree points to."""
    out: set[str] = set()
    for el in tree.getroot().iter():
        if not isinstance(el.tag, str):
            continue
        for attr in POINTER_ATTRIBUTES:
            value = el.get(attr)
            if value:
                out.update(pointer_targets(value))
    return out
