"""The consistency gate: the checks that need every source at once, over what the per-source stage found.

It is the one way the edition is validated: the build runs it before it writes anything, and `edition validate`
(check.py) runs the same per-source stage and this gate, and writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from tei_edition.config import EditionConfig
from tei_edition.errors import BuildError, ValidationFailed
from tei_edition.output.paths import page_key, source_name
from tei_edition.pipeline.sources import SourceContents
from tei_edition.pipeline.stage import CoreResult
from tei_edition.rules import RuleSettings
from tei_edition.tei.discover import Sources
from tei_edition.tei.parse import parse_bytes
from tei_edition.tei.registers import all_entities, read_registers
from tei_edition.validate.diagnostics import Diagnostic, Report, Severity, in_parts
from tei_edition.validate.encoding import check_entries
from tei_edition.validate.media import PAGE_IMAGE, check_images
from tei_edition.validate.references import check_ids, check_pointers, register_paths

MAX_LISTED = 20  # errors listed when a build stops; `edition validate` lists them all


def consistency_gate(
    sources: Sources,
    contents: SourceContents,
    core: dict[Path, CoreResult],
    encoding: dict[Path, list[Diagnostic]],
    register_trees: dict[Path, etree._ElementTree],
    rules: RuleSettings | None = None,
    root: Path | None = None,
) -> Report:
    """Every diagnostic of the edition: each source's own (`core`, `encoding`), then ids unique across the edition,
    pointers that resolve, and register entries unused or without an authority; each with the severity `rules`
    (the edition's [rules]) gives its rule."""
    report = Report(documents=len(sources.documents), registers=len(sources.registers), rules=rules)
    parsed = [p for p in sources.all if core[p].parsed]
    for path in sources.all:
        report.extend(core[path].diagnostics)
    # the ids a file points to without declaring them itself: only these can lead to another file's
    from_elsewhere = {i for p in parsed for i in core[p].targets - {d.value for d in core[p].ids}}
    sites, id_problems = check_ids(((p, core[p].ids) for p in parsed), set(sources.registers), from_elsewhere)
    report.extend(id_problems)
    registers = register_paths(register_trees)
    shared = {value for value, site in sites.items() if site.shared}  # entries of several documents' own lists
    for path in parsed:
        # only a file with a pointer that resolves to nothing, or to an entry of other documents' lists, is read again
        targets, own = core[path].targets, frozenset[str]()
        if shared and targets & shared:
            own = frozenset(d.value for d in core[path].ids)
        if not targets <= sites.keys() or not targets & shared <= own:
            report.extend(check_pointers(path, parse_bytes(contents[path], path), sites, registers, own))
    documents = [p for p in sources.documents if core[p].parsed]
    for path in documents:
        report.extend(encoding.get(path, []))
        if root is not None:
            report.extend(check_images(path, core[path].graphics, root))
            report.extend(check_images(path, core[path].page_images, root, PAGE_IMAGE))
    entities = all_entities(read_registers(register_trees.items()))
    pointed = set().union(*(core[p].targets for p in documents)) if documents else None
    report.extend(check_entries(entities.values(), pointed))
    volumes = {p: core[p].parts for p in documents if core[p].parts}
    if volumes:  # a fault inside a document of a volume names that document
        report.diagnostics = in_parts(report.diagnostics, volumes)
    return report


def stop_unless_valid(report: Report, keep_going: bool) -> None:
    """Stop the build, before anything is written, when validation found errors (unless `keep_going`)."""
    if not report.errors or keep_going:
        return
    errors = [d for d in report.sorted() if d.severity is Severity.ERROR]
    shown = [f"  {d.display_path()}:{d.line}: {d.message} [{d.rule}]" for d in errors[:MAX_LISTED]]
    if len(errors) > MAX_LISTED:
        shown.append(f"  ... and {len(errors) - MAX_LISTED} more")
    raise ValidationFailed(
        f"validation found {len(errors)} error(s), so the edition was not built "
        f"(the previous output is unchanged). Run `edition validate` for the full report, or "
        f"`edition build --keep-going` for a preview.\n" + "\n".join(shown)
    )


def stop_unless_buildable(
    config: EditionConfig,
    documents: Sequence[Path],
    core: dict[Path, CoreResult],
    keep_going: bool = False,
    report: Report | None = None,
) -> None:
    """Stop the build when a document's text could not be transformed, or two documents would name the same pages;
    with `keep_going`, documents that share an id are reported (as errors, in `report`) and built under ids of their
    own instead (gather_edition)."""
    failures = [
        f"  {source_name(config, p)}:{r.failure[0]}: {r.failure[1]}" for p, r in core.items() if r.failure is not None
    ]
    if failures:
        raise BuildError(
            "the text of some documents could not be rendered, so the edition was not built "
            "(the previous output is unchanged):\n" + "\n".join(failures)
        )
    read = [(p, d.id) for p in documents if core[p].parsed for d in core[p].documents]
    clashes = shared_ids(read)
    if clashes and keep_going and report is not None:
        for path, doc_id, other, other_id in clashes:
            message = f"its id '{doc_id}' {_same_pages(config, other, other_id, doc_id)}; built under an id of its own"
            report.add(Diagnostic(path, 0, 0, Severity.ERROR, message + " in this preview", "id-page"))
        return
    if clashes:
        lines = [
            f"  {source_name(config, path)}: its id '{doc_id}' {_same_pages(config, other, other_id, doc_id)}"
            for path, doc_id, other, other_id in clashes
        ]
        shown = lines[:MAX_LISTED] + ([f"  ... and {len(lines) - MAX_LISTED} more"] if len(lines) > MAX_LISTED else [])
        raise BuildError(
            "some documents have the same id, which names their pages and PDFs, so the edition was "
            "not built (the previous output is unchanged); a document's id is its <TEI xml:id>, "
            "else its file name: rename one of each pair\n" + "\n".join(shown)
        )


def _same_pages(config: EditionConfig, other: Path, other_id: str, doc_id: str) -> str:
    if other_id == doc_id:
        return f"is also the id of {source_name(config, other)}"
    return f"names the same pages as the id '{other_id}' of {source_name(config, other)}"


def shared_ids(documents: list[tuple[Path, str]]) -> list[tuple[Path, str, Path, str]]:
    """(path, id, earlier path, earlier id) for each document whose id names the same pages as an earlier
    document's (the same id in two folders, or ids that differ only in letter case, which some file systems do not
    tell apart)."""
    first: dict[str, tuple[Path, str]] = {}
    clashes = []
    for path, doc_id in documents:
        key = page_key(doc_id)
        if key in first:
            clashes.append((path, doc_id, *first[key]))
        else:
            first[key] = (path, doc_id)
    return clashes
