"""The consistency gate: the checks that need every source at once (ids across files, pointers, register entries
unused or without an authority), over what the per-source stage found."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from tei_edition.config import EditionConfig
from tei_edition.output.plan import relative_name
from tei_edition.pipeline.sources import SourceContents
from tei_edition.pipeline.stage import CoreResult
from tei_edition.tei.discover import Sources
from tei_edition.tei.model import T
from tei_edition.tei.parse import parse_bytes
from tei_edition.validate.diagnostics import Diagnostic, Report

MAX_LISTED = 20  # errors listed when a build stops; `edition validate` lists them all


def shared_ids(config: EditionConfig, documents: list[tuple[Path, str]]) -> list[str]:
    """A line for each document whose id names the same pages as an earlier document's (the same id in two
    folders, or ids that differ only in letter case, which some file systems do not tell apart)."""
    from tei_edition.web.context import id_segment

    first: dict[str, tuple[Path, str]] = {}
    lines = []
    for path, doc_id in documents:
        folder = id_segment(doc_id).casefold()
        if folder in first:
            other, other_id = first[folder]
            same = (
                f"is also the id of {relative_name(config, other)}"
                if other_id == doc_id
                else f"names the same pages as the id '{other_id}' of {relative_name(config, other)}"
            )
            lines.append(f"  {relative_name(config, path)}: its id '{doc_id}' {same}")
        else:
            first[folder] = (path, doc_id)
    return lines[:MAX_LISTED] + ([f"  ... and {len(lines) - MAX_LISTED} more"] if len(lines) > MAX_LISTED else [])


def consistency_gate(
    sources: Sources,
    contents: SourceContents,
    core: dict[Path, CoreResult],
    encoding: dict[Path, list[Diagnostic]],
    register_trees: dict[Path, etree._ElementTree],
) -> Report:
    """Every diagnostic of the edition: the per-source ones and the cross-file checks."""
    from tei_edition.tei.model import all_entities, read_registers
    from tei_edition.validate.encoding import check_encoding
    from tei_edition.validate.references import ENTRY_ELEMENTS, IdSite, check_pointers, collect_ids, register_paths

    report = Report(documents=len(sources.documents), registers=len(sources.registers))
    parsed = [p for p in sources.all if core[p].parsed]
    for path in sources.all:
        report.extend(core[path].diagnostics)
    # xml:ids, first declaration wins; repeated ones are reported by the validator's own check
    sites: dict[str, IdSite] = {}
    repeated: set[Path] = set()
    first_file: dict[str, Path] = {}
    entries: dict[str, tuple[str, Path]] = {}  # register entries' ids, case-folded (see collect_ids)
    register_files = set(sources.registers)
    for path in parsed:
        for value, line, element in core[path].ids:
            if value in sites:
                repeated.update((path, first_file[value]))
            else:
                sites[value] = IdSite(path, line, element)
                first_file[value] = path
                if element in ENTRY_ELEMENTS and path in register_files:
                    other = entries.setdefault(value.casefold(), (value, path))
                    if other[0] != value:
                        repeated.update((path, other[1]))
    if repeated:
        trees = {p: parse_bytes(contents[p], p) for p in parsed if p in repeated}
        report.extend(collect_ids(trees)[1])
    registers = register_paths(register_trees)
    for path in parsed:
        if not core[path].targets <= sites.keys():
            report.extend(check_pointers(path, parse_bytes(contents[path], path), sites, registers))
    for path in sources.documents:
        if core[path].parsed:
            report.extend(encoding.get(path, []))
    # Unused register entries and entries without an authority: the edition-wide half of the encoding checks,
    # given one stand-in tree that points to every id the documents point to.
    entities = all_entities(read_registers(register_trees.items()))
    pointed = set().union(*(core[p].targets for p in sources.documents if core[p].parsed))
    stand_in = etree.Element(f"{T}TEI")
    if pointed:
        etree.SubElement(stand_in, f"{T}ptr", target=" ".join(f"#{t}" for t in sorted(pointed)))
    documents = (
        {Path("(all documents)"): stand_in.getroottree()} if any(core[p].parsed for p in sources.documents) else {}
    )
    report.extend(check_encoding(documents, entities.values()))
    return report
