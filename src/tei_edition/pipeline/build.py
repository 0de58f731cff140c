"""The build, phase by phase: discover the sources and what changed since the last build, read the sources, check
and transform each source on the executor (stage.py, process.py), the consistency gate (gate.py), gather the
edition, render the site and set the PDFs into staging folders, then write them in and record the manifest
(write.py).

Per-source results are cached by content hash and the manifest records what the output was made from, so a build
with nothing changed does nothing, and any other build redoes only the work whose inputs changed.
"""

from __future__ import annotations

import errno
import sqlite3
import time
from collections.abc import Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from tei_edition.config import EditionConfig
from tei_edition.errors import BuildError
from tei_edition.executor import parse_executor
from tei_edition.output.cache import CACHE_NAME, BuildCache
from tei_edition.output.hashing import files_unchanged
from tei_edition.output.paths import folder, page_key, source_name
from tei_edition.output.plan import (
    Changes,
    EditionInputs,
    Manifest,
    compare,
    edition_inputs,
    load_manifest,
    save_manifest,
)
from tei_edition.output.writer import OutputLock, make_output_folder, remove_stale_staging
from tei_edition.pipeline.gate import consistency_gate, stop_unless_buildable, stop_unless_valid
from tei_edition.pipeline.process import CachedStage, all_tasks, process_sources
from tei_edition.pipeline.progress import Reporter
from tei_edition.pipeline.sources import SourceContents
from tei_edition.pipeline.speed import LongLivedHeap
from tei_edition.pipeline.stage import (
    CachedBodies,
    CoreResult,
    body_key,
    document_key,
    stage_settings,
    unpack_groups,
)
from tei_edition.pipeline.write import (
    commit,
    discarded_on_failure,
    manifest_of,
    open_writers,
    pdf_sizes,
    render_web,
    set_epubs,
    set_print,
)
from tei_edition.tei.discover import Sources, discover_sources
from tei_edition.tei.edition import (
    CachedPassages,
    EditionData,
    build_time,
    collect_edition,
    passages_key,
    source_date_epoch,
)
from tei_edition.tei.model import Document
from tei_edition.tei.parse import parse_bytes
from tei_edition.tei.works import read_works
from tei_edition.validate.diagnostics import Report

if TYPE_CHECKING:
    from tei_edition.web.search import SearchIndexStats


@dataclass(frozen=True)
class BuildOptions:
    """What the user asked of this build."""

    pdf: bool = True
    epub: bool = True
    clean: bool = False
    jobs: int | None = None
    keep_going: bool = False
    executor: str | None = None  # 'local' or 'dask://HOST:PORT'; None: [build] executor, else local


@dataclass
class BuildSummary:
    """What a build did, for the closing summary."""

    documents: int = 0
    pages: int = 0
    pdfs: int = 0
    epubs: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    report: Report = field(default_factory=Report)
    flagged: list[str] = field(default_factory=list)
    up_to_date: bool = False  # nothing had changed: the output was left as it was
    changes: str = ""
    processed: int = 0  # sources validated and transformed in this build
    reused: int = 0  # sources whose results came from the cache
    search: SearchIndexStats | None = None  # what the search index took: shards re-indexed and carried over
    page_images: dict[str, str] = field(default_factory=dict)  # the facsimiles' image files and their signatures
    # What the sources' results depend on besides them (the files their includes name, their own schemas), by path,
    # with their hashes: a build with no source changed is up to date only while these are unchanged too.
    depends: dict[str, str] = field(default_factory=dict)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time one phase of the build."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start

    def add_time(self, name: str, seconds: float) -> None:
        """Add time spent in a phase elsewhere (in workers: their time, summed over workers)."""
        self.timings[name] = self.timings.get(name, 0.0) + seconds


@dataclass
class BuildPlan:
    """What the discover phase found: the sources, what the last build left, and what changed since."""

    sources: Sources
    contents: SourceContents
    previous: Manifest | None  # the last build's manifest, unless this build is a clean one
    recorded: Manifest | None  # the last build's manifest even for a clean build (outputs left byte for byte)
    inputs: EditionInputs
    options: dict[str, bool]
    build_date: datetime
    changes: Changes
    edited: set[Path]  # the sources added or changed since the last build
    pdf: bool
    epub: bool


def build_edition(
    config: EditionConfig, options: BuildOptions = BuildOptions(), progress: Reporter | None = None
) -> BuildSummary:
    """Build the HTML (and PDF) edition, redoing only what changed; on failure the previous output stays as it was."""
    say = progress or Reporter(quiet=True)
    make_output_folder(config.output_dir)
    with OutputLock(config.output_dir):
        remove_stale_staging(config.output_dir)
        try:
            return run_phases(config, options, say)
        except OSError as exc:  # the system refused a write (a full disk, say): the output was never half-written
            raise BuildError(_system_problem(exc, config.output_dir)) from None
        except sqlite3.Error as exc:  # the build cache could not be written (a full disk, say)
            raise BuildError(
                f"the build cache in {config.output_dir} could not be used: {exc}; free some space "
                "there, or delete the file .edition-cache.sqlite, and build again"
            ) from None


def run_phases(config: EditionConfig, options: BuildOptions, say: Reporter) -> BuildSummary:
    """The build's phases, in order."""
    summary = BuildSummary()
    with summary.phase("discover"):
        plan = discover(config, options)
    summary.changes = plan.changes.describe()
    say.detail(f"changes since the last build: {summary.changes}")
    if plan.previous is not None and plan.changes.nothing:
        from tei_edition.web.facsimile import page_images_changed  # an image edited alone changes pages too

        recorded = plan.previous.summary
        depends = recorded.get("depends") or {}
        if page_images_changed(recorded.get("page_images") or {}):
            summary.changes = "page images changed"
        elif not files_unchanged(depends):
            summary.changes = "a file the sources include changed"
        elif recorded.get("errors"):  # the last build's errors are said again (from the build cache), as they stand
            summary.changes = "nothing changed; the last build had errors"
        else:
            return up_to_date(summary, plan.previous, say)
    registers = [(p, plan.contents[p]) for p in plan.sources.registers]
    settings = stage_settings(config, registers, plan.pdf)
    spec = parse_executor(options.executor or config.executor, options.jobs or config.jobs)
    with closing(BuildCache(config.output_dir / CACHE_NAME, fresh=options.clean)) as cache, LongLivedHeap() as heap:
        stage = CachedStage(cache, plan.sources, plan.contents, plan.inputs, settings)
        with summary.phase("parse"):  # read the sources: what the cache holds of each
            tasks = all_tasks(plan.sources, plan.contents) if options.clean else stage.lookup()
        summary.processed, summary.reused = len(tasks), len(plan.sources.all) - len(tasks)
        process_sources(tasks, settings, spec, say, stage.store, summary.add_time)  # check and transform the rest
        stage.rescope(spec, say, summary.add_time)  # the entries of several documents' own lists that share an id
        with summary.phase("registers"):
            register_trees = read_register_trees(plan, stage)
        with summary.phase("gate"):
            summary.report = consistency_gate(
                plan.sources,
                plan.contents,
                stage.results.core,
                stage.results.encoding,
                register_trees,
                config.rules,
                config.root,
            )
        summary.depends = {
            path: digest for core in stage.results.core.values() for path, digest in core.schema_files.items()
        }
        stop_unless_valid(summary.report, options.keep_going)
        stop_unless_buildable(config, plan.sources.documents, stage.results.core, options.keep_going, summary.report)
        with summary.phase("registers"):
            data = gather_edition(config, plan, stage, register_trees, summary)
        heap.settled()
        say.info(
            f"{len(data.documents)} document{'' if len(data.documents) == 1 else 's'}, {len(data.entities)} register "
            f"entr{'y' if len(data.entities) == 1 else 'ies'} "
            f"({summary.processed} source(s) processed, {summary.reused} unchanged)"
        )
        html_out, pdf_out = open_writers(config, plan)
        with discarded_on_failure(html_out, pdf_out):
            if pdf_out is not None:  # first: the pages link the PDFs, with their sizes
                with summary.phase("pdf"):
                    set_print(
                        data,
                        bodies(stage, data, "print"),
                        pdf_out,
                        options.jobs or config.jobs,
                        summary,
                        say,
                        options.keep_going,
                    )
            with summary.phase("render"):
                render_web(data, bodies(stage, data, "screen"), html_out, plan, summary, say, pdf_sizes(pdf_out))
            if plan.epub:
                with summary.phase("epub"):
                    set_epubs(data, bodies(stage, data, "screen"), html_out, plan, summary, say)
        with summary.phase("write"):
            commit(html_out, pdf_out, say)
            save_manifest(config, manifest_of(config, plan, summary, html_out, pdf_out))
            cache.prune()
    return summary


def discover(config: EditionConfig, options: BuildOptions) -> BuildPlan:
    """Find the sources, hash them (reading only those whose size or time changed) and compare them and the
    edition's other inputs with what the last build recorded."""
    sources = discover_sources(config)
    if not sources.documents:
        raise BuildError(
            f"there are no documents to build: {config.documents_dir} holds no .xml file; "
            "put the edition's TEI documents there (`edition import` makes them from plain "
            "transcriptions)"
        )
    named = {p: source_name(config, p) for p in sources.all}
    recorded = load_manifest(config)
    # A clean build remakes everything; it reads the last manifest only to leave files it remakes byte for byte as
    # they are (see OutputWriter).
    previous = None if options.clean else recorded
    known = (
        {p: (previous.source_stats.get(name, ""), previous.sources.get(name, "")) for p, name in named.items()}
        if previous is not None
        else None
    )
    contents = SourceContents(sources, known)
    hashes = {named[p]: contents.digest(p) for p in sources.all}
    build_date = _build_date(previous)
    inputs = edition_inputs(config, build_date.isoformat())
    pdf = options.pdf and config.print.enabled
    flags = {"pdf": pdf, "epub": options.epub, "keep_going": options.keep_going}
    dirs = [config.html_dir] + ([config.pdf_dir] if pdf else [])
    changes = compare(previous, inputs, hashes, flags, dirs)
    names = set(changes.added) | set(changes.modified)
    edited = {p for p, name in named.items() if name in names}
    epub = options.epub
    return BuildPlan(sources, contents, previous, recorded, inputs, flags, build_date, changes, edited, pdf, epub)


def up_to_date(summary: BuildSummary, previous: Manifest, say: Reporter) -> BuildSummary:
    """The summary of a build that found nothing changed: the last build's figures."""
    recorded = previous.summary
    summary.up_to_date = True
    summary.documents = int(recorded.get("documents", 0))
    summary.pages = int(recorded.get("pages", 0))
    summary.pdfs = int(recorded.get("pdfs", 0))
    summary.epubs = int(recorded.get("epubs", 0))
    summary.flagged = list(recorded.get("flagged", []))
    summary.reused = summary.documents
    say.detail("nothing changed since the last build: the output is up to date")
    return summary


def read_register_trees(plan: BuildPlan, stage: CachedStage) -> dict[Path, etree._ElementTree]:
    """The registers' trees (those that could be parsed), which the gate and the gathered edition need whole."""
    core = stage.results.core
    return {p: parse_bytes(plan.contents[p], p) for p in plan.sources.registers if core[p].parsed}


def gather_edition(
    config: EditionConfig,
    plan: BuildPlan,
    stage: CachedStage,
    register_trees: dict[Path, etree._ElementTree],
    summary: BuildSummary,
) -> EditionData:
    """The edition as the pages need it: documents, registers, and for each entity the documents' passages."""
    from tei_edition.validate import ParsedEdition

    core = stage.results.core
    stage.outside = outside_targets(core)
    for result in core.values():  # what only the gate needed (the results are in the cache as they were)
        result.ids, result.targets = [], frozenset()
    documents, renamed = distinct_ids(
        [doc for p in plan.sources.documents if core[p].parsed for doc in core[p].documents]
    )
    stage.renamed = renamed
    document_keys = {doc.id: document_key(stage.core_keys[doc.path], renamed.get(doc.id, doc.id)) for doc in documents}
    summaries = {}
    for doc in documents:
        summaries[doc.id] = found = unpack_groups(core[doc.path].passages.get(renamed.get(doc.id, doc.id), ""))
        # All kept, also those of entities the registers lack: an entry added for them later needs them.
        stage.cache.keep_many([passages_key(document_keys[doc.id], entity_id) for entity_id, _n, _digest in found])
    for path in plan.sources.documents:
        core[path].passages = {}  # summarised in data.groups once gathered
    data = collect_edition(
        config,
        ParsedEdition(plan.sources, dict(register_trees)),
        documents=documents,
        summaries=summaries,
        passages=CachedPassages(stage.cache, document_keys),
        entries=[entry for p in plan.sources.documents if core[p].parsed for entry in core[p].entries],
    )
    data.letters = [letter for p in plan.sources.documents if core[p].parsed for letter in core[p].letters]
    data.build_date = plan.build_date
    data.epub = plan.epub
    data.source_hashes = {path: plan.contents.digest(path) for path in plan.sources.all}
    data.document_keys = document_keys
    data.works = read_works(register_trees.items())
    if data.works:  # who cites each work: the documents of the files that point to its id
        ids = {work.id for work in data.works}
        outside = stage.outside[0]
        for doc in data.documents:
            for work_id in sorted(outside.get(doc.path, frozenset()) & ids):
                data.cited.setdefault(work_id, []).append(doc.id)
    data.scoped = {
        p: names.decided()
        for p in plan.sources.documents
        if core[p].parsed and (names := core[p].names) is not None and (names.scoped or names.unlinked)
    }
    # A fault inside a document of a volume marks that document's page; any other, every page of its file.
    flagged = {d.path for d in summary.report.errors if not d.part}
    parts = {d.part for d in summary.report.errors if d.part}
    data.flagged = {doc.id for doc in data.documents if doc.path in flagged or doc.id in parts}
    summary.flagged = sorted(data.flagged)
    summary.documents = len(data.documents)
    return data


def bodies(stage: CachedStage, data: EditionData, media: str) -> CachedBodies:
    """The documents' HTML fragments for one medium, by document id, read from the cache when a page needs one; on
    screen, with their links to ids outside their file led to the pages that show them (outside_links)."""
    keys, renamed = stage.core_keys, stage.renamed
    return CachedBodies(
        stage.cache,
        {doc.id: body_key(keys[doc.path], renamed.get(doc.id, doc.id), media) for doc in data.documents},
        outside_links(stage.outside, data) if media == "screen" else {},
    )


def outside_targets(core: Mapping[Path, CoreResult]) -> tuple[dict[Path, frozenset[str]], dict[str, Path]]:
    """The ids each file's pointers name that the file does not declare, and for each of them the first file that
    declares it (from what the gate needed of the files, before it is let go: see outside_links)."""
    outside = {path: result.targets - {d.value for d in result.ids} for path, result in core.items() if result.targets}
    outside = {path: targets for path, targets in outside.items() if targets}
    wanted = frozenset().union(*outside.values()) if outside else frozenset()
    declared: dict[str, Path] = {}
    if wanted:
        for path, result in core.items():
            for declaration in result.ids:
                if declaration.value in wanted:
                    declared.setdefault(declaration.value, path)
    return outside, declared


def outside_links(
    targets: tuple[dict[Path, frozenset[str]], dict[str, Path]], data: EditionData
) -> dict[str, dict[str, str]]:
    """Document id -> {id: the site path of the page that shows it}, for the ids a document's pointers name that its
    own file does not declare (TEI: '#id' resolves in the file, then in the registers; `targets`: outside_targets):
    a register entry (its page), a document (its page), or an id of another file that holds one document (that page,
    at the id); '' for an id that no file declares (validation reports the pointer; its words are no link)."""
    outside, declared = targets
    if not outside:
        return {}
    by_file: dict[Path, list[Document]] = {}
    for doc in data.documents:
        by_file.setdefault(doc.path, []).append(doc)
    pages = {doc.id: folder("documents", doc.id) for doc in data.documents}
    pages.update({work.id: f"{folder('bibliography')}#{work.id}" for work in data.works})
    pages.update({entity_id: folder(entity.section, entity_id) for entity_id, entity in data.entities.items()})
    out: dict[str, dict[str, str]] = {}
    for path, ids in outside.items():
        found: dict[str, str] = {}
        for target in sorted(ids):
            page = pages.get(target)
            where = declared.get(target)
            holders = by_file.get(where, []) if page is None and where is not None else []
            if len(holders) == 1:
                page = f"{folder('documents', holders[0].id)}#{target}"
            elif page is None and where is None:
                page = ""
            if page is not None:
                found[target] = page
        if found:
            out.update({doc.id: found for doc in by_file.get(path, [])})
    return out


def distinct_ids(documents: list[Document]) -> tuple[list[Document], dict[str, str]]:
    """The documents with ids that name pages of their own: a document whose id names the same pages as an earlier
    one's (reported by stop_unless_buildable; only a --keep-going build gets here with one) is built as 'id-2', and
    so on. Also the renamed ids, each with the id its source's results are kept under."""
    seen: set[str] = set()
    out: list[Document] = []
    renamed: dict[str, str] = {}
    for doc in documents:
        new, number = doc.id, 1
        while page_key(new) in seen:
            number += 1
            new = f"{doc.id}-{number}"
        seen.add(page_key(new))
        if new != doc.id:
            renamed[new] = doc.id
            doc = replace(doc, id=new)
        out.append(doc)
    return out, renamed


def _build_date(previous: Manifest | None) -> datetime:
    """The build's date: SOURCE_DATE_EPOCH, else the last build's if it was today (so an incremental build writes
    what a clean build at that time would), else now."""
    now = build_time()
    if source_date_epoch() is not None or previous is None:
        return now
    recorded = previous.summary.get("build_date", "")
    try:
        earlier = datetime.fromisoformat(recorded)
    except (TypeError, ValueError):
        return now
    if earlier.tzinfo is None:
        earlier = earlier.replace(tzinfo=UTC)
    return earlier if earlier.date() == now.date() and earlier <= now else now


def _system_problem(exc: OSError, output_dir: Path) -> str:
    """An OSError that reached the build, said in the user's terms."""
    where = f" {exc.filename}" if exc.filename else ""
    what = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (
            f"the disk is full: could not write{where} ({what}); free some space on the disk that holds "
            f"{output_dir} and build again"
        )
    return f"could not read or write{where}: {what}"
