"""`edition validate`: the build's per-source checks, on its workers, and its consistency gate; nothing is read for
the pages, nothing is written, and no tree is held longer than its file's checks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from tei_edition.config import EditionConfig
from tei_edition.executor import parse_executor
from tei_edition.pipeline.gate import consistency_gate
from tei_edition.pipeline.process import StageResults, all_tasks, process_sources
from tei_edition.pipeline.progress import Reporter
from tei_edition.pipeline.sources import SourceContents
from tei_edition.pipeline.stage import stage_settings
from tei_edition.tei.discover import discover_sources
from tei_edition.tei.parse import parse_bytes
from tei_edition.validate import report_for
from tei_edition.validate.diagnostics import Report


def check_edition(
    config: EditionConfig, paths: list[Path] | None = None, jobs: int | None = None, executor: str | None = None
) -> Report:
    """Every problem of the edition, or of the named files (their pointers still resolved against the whole
    edition): the report of `edition validate`, and the one a build stops on."""
    sources = discover_sources(config)
    contents = SourceContents(sources)
    registers = [(p, contents[p]) for p in sources.registers]
    settings = replace(stage_settings(config, registers, pdf=False), media=(), read=False)
    spec = parse_executor(executor or config.executor, jobs or config.jobs)
    found = StageResults()
    process_sources(all_tasks(sources, contents), settings, spec, Reporter(quiet=True), found.keep, lambda *_: None)
    register_trees = {p: parse_bytes(contents[p], p) for p in sources.registers if found.core[p].parsed}
    full = consistency_gate(sources, contents, found.core, found.encoding, register_trees, config.rules, config.root)
    full.contained, full.letters = held_documents(found, sources.documents)
    if not paths:
        return full
    wanted = {p.resolve() for p in paths}
    report = report_for(sources, wanted)
    report.rules = config.rules
    report.extend([d for d in full.sorted() if d.path in wanted])
    report.contained, report.letters = held_documents(found, [p for p in sources.documents if p in wanted])
    return report


def held_documents(found: StageResults, files: Iterable[Path]) -> tuple[int, int]:
    """How many documents and letters these files hold, as a build shows them: a volume its own page and one per
    part, a correspondence file (CMIF) letters and no document, a piece that other files include (an EpiDoc
    charDecl) nothing, any other file one document."""
    documents = letters = 0
    for path in files:
        core = found.core.get(path)
        if core is None:
            documents += 1
        elif core.letters:
            letters += len(core.letters)
        elif core.parts:
            documents += 1 + len(core.parts)
        elif not any(d.rule == "fragment" for d in core.diagnostics):
            documents += 1
    return documents, letters
