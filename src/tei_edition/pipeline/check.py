"""`edition validate`: the build's per-file checks and its consistency gate, with nothing read for pages and
nothing written."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from tei_edition.config import EditionConfig
from tei_edition.pipeline.build import BuildOptions, _Build
from tei_edition.pipeline.gate import consistency_gate
from tei_edition.pipeline.progress import Reporter
from tei_edition.pipeline.sources import SourceContents
from tei_edition.pipeline.stage import CoreResult, SourceTask, stage_settings
from tei_edition.tei.discover import discover_sources
from tei_edition.tei.parse import parse_bytes
from tei_edition.validate.diagnostics import Diagnostic, Report


def check_edition(
    config: EditionConfig, paths: list[Path] | None = None, jobs: int | None = None, executor: str | None = None
) -> Report:
    """What `edition validate` reports: the build's per-file checks, on its workers, and its consistency gate;
    nothing is read for pages, nothing is written, and no tree is held longer than its file's checks."""
    sources = discover_sources(config)
    contents = SourceContents(sources)
    build = _Build(config, BuildOptions(pdf=False, jobs=jobs, executor=executor), Reporter(quiet=True))
    settings = replace(
        stage_settings(config, [(p, contents[p]) for p in sources.registers], False), media=(), read=False
    )
    documents = set(sources.documents)
    tasks = [SourceTask(p, None, p in documents, digest=contents.digest(p)) for p in sources.all]
    core: dict[Path, CoreResult] = {}
    encoding: dict[Path, list[Diagnostic]] = {}
    if tasks:
        build._run_tasks(tasks, settings, core, encoding, {}, {}, None)
    register_trees = {p: parse_bytes(contents[p], p) for p in sources.registers if core[p].parsed}
    full = consistency_gate(sources, contents, core, encoding, register_trees)
    if not paths:
        return full
    from tei_edition.validate import report_for

    wanted = {p.resolve() for p in paths}
    report = report_for(sources, wanted)
    report.extend([d for d in full.sorted() if d.path in wanted])
    return report
