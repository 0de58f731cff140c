"""The build: discover -> parse -> validate -> registers -> consistency gate -> transform -> render -> write.

Per-source work (parse, RELAX NG, Schematron, encoding checks, reading the document, XSLT for screen and print)
is independent from file to file, so it runs on an executor (in this process, a process pool or Dask) and comes
back as plain data. Everything shared (ids, registers, mentions, chronology, search) is a reduction over those
results in this process. Results are cached by content hash and a manifest records what the output was made from,
so a build with nothing changed does nothing, and any other build redoes only the work whose inputs changed.
"""

from __future__ import annotations

import errno
import functools
import gc
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tei_edition.config import EditionConfig
from tei_edition.errors import BuildError, SourceError, ValidationFailed
from tei_edition.executor import local_workers, open_executor, parse_executor, run_batches, worker_count
from tei_edition.output.cache import CACHE_NAME, BuildCache, content_key, dumps
from tei_edition.output.plan import (
    Changes,
    EditionInputs,
    Manifest,
    OutputRecord,
    compare,
    edition_inputs,
    hash_file,
    hash_text,
    load_manifest,
    relative_name,
    save_manifest,
)
from tei_edition.output.writer import OutputLock, OutputWriter, make_output_folder, remove_stale_staging
from tei_edition.pipeline.gate import MAX_LISTED, consistency_gate, shared_ids
from tei_edition.pipeline.progress import Reporter
from tei_edition.pipeline.sources import SourceContents
from tei_edition.pipeline.speed import ForkedStage
from tei_edition.pipeline.stage import (
    CachedBodies,
    CoreResult,
    SourceResult,
    SourceTask,
    SourceWorker,
    StageSettings,
    _compile_stylesheets,
    body_key,
    has_worker,
    process_batch,
    stage_settings,
    unpack_groups,
    use_worker,
    warm_up,
    with_data,
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
from tei_edition.tei.parse import parse_bytes
from tei_edition.validate.diagnostics import Diagnostic, Report, Severity

if TYPE_CHECKING:
    from tei_edition.web.search import SearchIndexStats

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildOptions:
    """What the user asked of this build."""

    pdf: bool = True
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
    timings: dict[str, float] = field(default_factory=dict)
    report: Report = field(default_factory=Report)
    flagged: list[str] = field(default_factory=list)
    up_to_date: bool = False  # nothing had changed: the output was left as it was
    changes: str = ""
    processed: int = 0  # sources validated and transformed in this build
    reused: int = 0  # sources whose results came from the cache
    search: SearchIndexStats | None = None  # what the search index took: shards re-indexed and carried over

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


class _Say:
    """Adapts a plain callable (the older progress argument) to the Reporter interface."""

    def __init__(self, say: Progress):
        self.reporter = Reporter(quiet=True)
        self.say = say

    def info(self, message: str) -> None:
        self.say(message)

    def detail(self, message: str) -> None:
        pass

    def task(self, label: str, total: int) -> Any:
        return self.reporter.task(label, total)


def build_edition(
    config: EditionConfig, options: BuildOptions = BuildOptions(), progress: Reporter | Progress | None = None
) -> BuildSummary:
    """Build the HTML (and PDF) edition, redoing only what changed; on failure the previous output stays as it was."""
    if progress is None:
        reporter: Any = Reporter(quiet=True)
    elif isinstance(progress, Reporter):
        reporter = progress
    else:
        reporter = _Say(progress)
    make_output_folder(config.output_dir)
    with OutputLock(config.output_dir):
        remove_stale_staging(config.output_dir)
        try:
            return _Build(config, options, reporter).run()
        except OSError as exc:  # the system refused a write (a full disk, say): the output was never half-written
            raise BuildError(_system_problem(exc, config.output_dir)) from None
        except sqlite3.Error as exc:  # the build cache could not be written (a full disk, say)
            raise BuildError(
                f"the build cache in {config.output_dir} could not be used: {exc}; free some space "
                "there, or delete the file .edition-cache.sqlite, and build again"
            ) from None


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


class _Build:
    """One build, phase by phase."""

    def __init__(self, config: EditionConfig, options: BuildOptions, reporter: Any):
        self.config = config
        self.options = options
        self.say = reporter
        self.summary = BuildSummary()
        self.want_pdf = options.pdf and config.print.enabled
        self._collecting = True  # whether the cycle collector was on when the build began
        self._last_outputs: dict[str, OutputRecord] = {}  # what the last build's manifest says it wrote
        self._edited: set[Path] = set()  # the sources added or changed since the last build
        # The schemas and stylesheets being compiled in a thread for the per-source stage (see _begin_warm_up).
        self._warm_up: tuple[StageSettings, threading.Thread, list[SourceWorker]] | None = None
        self._forked: ForkedStage | None = None  # or the edited sources processed in a child (see ForkedStage)

    def run(self) -> BuildSummary:
        summary = self.summary
        with summary.phase("discover"):
            sources = discover_sources(self.config)
            if not sources.documents:
                raise BuildError(
                    f"there are no documents to build: {self.config.documents_dir} holds no .xml file; "
                    "put the edition's TEI documents there (`edition import` makes them from plain "
                    "transcriptions)"
                )
            named = {p: relative_name(self.config, p) for p in sources.all}
            recorded = load_manifest(self.config)
            # A clean build remakes everything; it reads the last manifest only to leave files it remakes
            # byte for byte as they are (see OutputWriter).
            self._last_outputs = recorded.outputs if recorded is not None else {}
            previous = None if self.options.clean else recorded
            known = (
                {p: (previous.source_stats.get(name, ""), previous.sources.get(name, "")) for p, name in named.items()}
                if previous is not None
                else None
            )
            contents = SourceContents(sources, known)
            hashes = {named[p]: contents.digest(p) for p in sources.all}
            build_date = self._build_date(previous)
            inputs = edition_inputs(self.config, build_date.isoformat())
            options = {"pdf": self.want_pdf, "keep_going": self.options.keep_going}
            dirs = [self.config.html_dir] + ([self.config.pdf_dir] if self.want_pdf else [])
            changes = compare(previous, inputs, hashes, options, dirs)
        names = set(changes.added) | set(changes.modified)
        self._edited = {p for p, name in named.items() if name in names}
        summary.changes = changes.describe()
        self.say.detail(f"changes since the last build: {summary.changes}")
        if previous is not None and changes.nothing:
            return self._up_to_date(previous)
        if previous is not None and not changes.inputs:
            self._begin_warm_up(sources, contents)
        try:
            return self._cached_run(sources, contents, hashes, inputs, options, build_date, changes, previous)
        finally:
            if self._warm_up is not None:  # not needed after all (the edited texts were found in the cache)
                self._warm_up[1].join()
            if self._forked is not None:  # the same, or the build stopped before it needed the child's results
                self._forked.cancel()

    def _begin_warm_up(self, sources: Sources, contents: SourceContents) -> None:
        """When a few edited sources will be checked and transformed, start on them while this process reads what
        the last build left: in a forked child where that is safe (ForkedStage), else by compiling the Schematron
        rules and the stylesheets in a thread (~0.2 s; Saxon keeps Python's lock for most of it, so the thread
        mostly takes turns with this one). A register edit, which has every document checked again, is not one of
        these cases; nor is a Dask executor, whose workers compile their own."""
        spec = parse_executor(self.options.executor or self.config.executor, self.options.jobs or self.config.jobs)
        edited = len(self._edited)
        if (
            not edited
            or spec.kind != "local"
            or local_workers(spec, edited) > 1
            or any(p in self._edited for p in sources.registers)
        ):
            return
        settings = stage_settings(self.config, [(p, contents[p]) for p in sources.registers], self.want_pdf)
        if has_worker(settings):
            return  # compiled by an earlier build of this process (edition serve)
        if ForkedStage.can_fork():
            documents = set(sources.documents)
            try:
                self._forked = ForkedStage(
                    settings,
                    [
                        SourceTask(p, None, True, digest=contents.digest(p))
                        for p in sorted(self._edited)
                        if p in documents
                    ],
                )
                return
            except OSError:
                pass  # no child could be forked: the thread below, as where forking is not safe
        prepared: list[SourceWorker] = []

        def prepare() -> None:
            # Saxon's work only: the RELAX NG grammar is read and compiled in the build's own thread (its walked
            # form in ~0.015 s), as lxml keeps the names of a tree parsed in another thread in a dictionary of
            # that thread's own.
            try:
                worker = SourceWorker(settings)
                _compile_stylesheets(worker)
                prepared.append(worker)
            except Exception:  # noqa: BLE001 - anything that fails here fails again, and is reported, in the build
                pass

        thread = threading.Thread(target=prepare, name="warm-up", daemon=True)
        thread.start()
        self._warm_up = (settings, thread, prepared)

    def _cached_run(
        self,
        sources: Sources,
        contents: SourceContents,
        hashes: dict[str, str],
        inputs: EditionInputs,
        options: dict[str, Any],
        build_date: datetime,
        changes: Changes,
        previous: Manifest | None,
    ) -> BuildSummary:
        cache = BuildCache(self.config.output_dir / CACHE_NAME, fresh=self.options.clean)
        # Until the pages are rendered the build makes long-lived data (results, documents, registers) and hardly any
        # garbage in cycles: the cycle collector would only walk the growing heap again and again.
        self._collecting = gc.isenabled()
        gc.disable()
        try:
            return self._full(sources, contents, hashes, inputs, options, build_date, changes, previous, cache)
        finally:
            gc.unfreeze()
            if self._collecting:
                gc.enable()
            cache.close()

    def _build_date(self, previous: Manifest | None) -> datetime:
        """The build's date: SOURCE_DATE_EPOCH, else the last build's if it was today (so an incremental build
        writes what a clean build at that time would), else now."""
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

    def _up_to_date(self, previous: Manifest) -> BuildSummary:
        recorded = previous.summary
        summary = self.summary
        summary.up_to_date = True
        summary.documents = int(recorded.get("documents", 0))
        summary.pages = int(recorded.get("pages", 0))
        summary.pdfs = int(recorded.get("pdfs", 0))
        summary.flagged = list(recorded.get("flagged", []))
        summary.reused = summary.documents
        self.say.detail("nothing changed since the last build: the output is up to date")
        return summary

    def _full(
        self,
        sources: Sources,
        contents: SourceContents,
        hashes: dict[str, str],
        inputs: EditionInputs,
        options: dict[str, Any],
        build_date: datetime,
        changes: Changes,
        previous: Manifest | None,
        cache: BuildCache,
    ) -> BuildSummary:
        summary = self.summary
        config = self.config
        settings = stage_settings(self.config, [(p, contents[p]) for p in sources.registers], self.want_pdf)
        schemas = tuple(str(p) for p in (settings.rng, *settings.schematrons))
        # Registers are validated but not transformed: stylesheets and media do not concern them.
        stage = {
            True: hash_text(inputs.document_stage, *schemas, "+".join(settings.media)),
            False: hash_text(inputs.key("tool", "schemas"), *schemas),
        }
        documents = set(sources.documents)

        # parse + validate + transform, per source, from the cache where possible
        core: dict[Path, CoreResult] = {}
        encoding: dict[Path, list[Diagnostic]] = {}
        core_keys: dict[Path, str] = {}
        encoding_keys: dict[Path, str] = {}
        tasks: list[SourceTask] = []
        with summary.phase("parse"):
            for path in sources.all:
                name = relative_name(config, path)
                core_keys[path] = content_key("core", stage[path in documents], name, hashes[name])
                encoding_keys[path] = content_key("encoding", inputs.tool, settings.registers_key, name, hashes[name])
            if not self.options.clean:  # a clean build recomputes everything (and refills the cache)
                # Read in a few queries rather than three per source.
                cached_core = cache.get_objects([core_keys[p] for p in sources.all])
                cached_encoding = cache.get_objects([encoding_keys[p] for p in sources.documents])
                bodies = cache.has_many([body_key(core_keys[p], m) for p in sources.documents for m in settings.media])
            for path in sources.all:
                if self.options.clean:
                    tasks.append(SourceTask(path, None, path in documents, digest=contents.digest(path)))
                    continue
                cached = cached_core.get(core_keys[path])
                if (
                    isinstance(cached, CoreResult)
                    and _still_valid(cached)
                    and all(
                        body_key(core_keys[path], m) in bodies
                        for m in settings.media
                        if _wants_body(cached, path, documents)
                    )
                ):
                    core[path] = cached
                known = cached_encoding.get(encoding_keys[path]) if path in documents else []
                if isinstance(known, list):
                    encoding[path] = known
                if path not in core or path not in encoding:
                    tasks.append(
                        SourceTask(
                            path,
                            None,
                            path in documents,
                            core=path not in core,
                            encoding=path not in encoding,
                            digest=contents.digest(path),
                        )
                    )
        summary.processed = len(tasks)
        summary.reused = len(sources.all) - len(tasks)
        if tasks:
            self._run_tasks(tasks, settings, core, encoding, core_keys, encoding_keys, cache)

        # the consistency gate: cross-file ids and pointers, edition-wide encoding checks
        with summary.phase("registers"):
            register_trees = {}
            for path in sources.registers:
                if core[path].parsed:
                    register_trees[path] = parse_bytes(contents[path], path)
        with summary.phase("gate"):
            report = consistency_gate(sources, contents, core, encoding, register_trees)
        for result in core.values():  # what only the gate needed (the results are in the cache as they were)
            result.ids, result.targets = [], frozenset()
        summary.report = report
        if report.errors and not self.options.keep_going:
            errors = [d for d in report.sorted() if d.severity is Severity.ERROR]
            shown = [f"  {d.display_path()}:{d.line}: {d.message} [{d.rule}]" for d in errors[:MAX_LISTED]]
            if len(errors) > MAX_LISTED:
                shown.append(f"  ... and {len(errors) - MAX_LISTED} more")
            raise ValidationFailed(
                f"validation found {len(errors)} error(s), so the edition was not built "
                f"(the previous output is unchanged). Run `edition validate` for the full report, or "
                f"`edition build --keep-going` for a preview.\n" + "\n".join(shown)
            )
        failures = [
            f"  {relative_name(config, p)}:{r.failure[0]}: {r.failure[1]}"
            for p, r in core.items()
            if r.failure is not None
        ]
        if failures:
            raise BuildError(
                "the text of some documents could not be rendered, so the edition was not built "
                "(the previous output is unchanged):\n" + "\n".join(failures)
            )
        clashes = shared_ids(
            config,
            [
                (p, core[p].document.id)
                for p in sources.documents  # type: ignore[union-attr]
                if core[p].parsed and core[p].document is not None
            ],
        )
        if clashes:
            raise BuildError(
                "some documents have the same id, which names their pages and PDFs, so the edition was "
                "not built (the previous output is unchanged); a document's id is its <TEI xml:id>, "
                "else its file name: rename one of each pair\n" + "\n".join(clashes)
            )

        with summary.phase("registers"):
            from tei_edition.validate import ParsedEdition

            read = [core[p].document for p in sources.documents if core[p].parsed]
            docs = [doc for doc in read if doc is not None]
            document_keys = {doc.id: core_keys[doc.path] for doc in docs}
            summaries = {}
            for doc in docs:
                summaries[doc.id] = found = unpack_groups(core[doc.path].passages)
                # All kept, also those of entities the registers lack: an entry added for them later needs them.
                cache.keep_many([passages_key(document_keys[doc.id], entity_id) for entity_id, _n, _digest in found])
                core[doc.path].passages = ""  # summarised in data.groups once gathered
            data = collect_edition(
                config,
                ParsedEdition(sources, dict(register_trees)),
                documents=docs,
                summaries=summaries,
                passages=CachedPassages(cache, document_keys),
            )
            data.build_date = build_date
            data.source_hashes = {path: contents.digest(path) for path in sources.all}
            data.document_keys = document_keys
        flagged = {d.path for d in report.errors}
        data.flagged = {doc.id for doc in data.documents if doc.path in flagged}
        summary.flagged = sorted(data.flagged)
        summary.documents = len(data.documents)
        self.say.info(
            f"{len(data.documents)} documents, {len(data.entities)} register entries "
            f"({summary.processed} source(s) processed, {summary.reused} unchanged)"
        )
        by_id = {doc.id: doc.path for doc in data.documents}
        screen = CachedBodies(cache, {i: body_key(core_keys[p], "screen") for i, p in by_id.items()})
        printed = CachedBodies(cache, {i: body_key(core_keys[p], "print") for i, p in by_id.items()})
        # The gathered edition is millions of long-lived objects: frozen out of the cycle collector's reach, they are
        # not walked again every few thousand new objects (passages, contexts) while pages are rendered.
        gc.freeze()
        if self._collecting:
            gc.enable()
        outputs = self._write(data, screen, printed, previous, hash_text(inputs.key(), repr(sorted(options.items()))))

        with summary.phase("write"):
            manifest = Manifest(
                tool=inputs.tool,
                inputs=_as_dict(inputs),
                options=options,
                sources=hashes,
                source_stats={relative_name(config, p): contents.stat(p) for p in sources.all if contents.stat(p)},
                outputs=outputs,
                summary={
                    "documents": summary.documents,
                    "pages": summary.pages,
                    "pdfs": summary.pdfs,
                    "flagged": summary.flagged,
                    "build_date": build_date.isoformat(),
                },
            )
            save_manifest(config, manifest)
            cache.prune()
        return summary

    def _run_tasks(
        self,
        tasks: list[SourceTask],
        settings: StageSettings,
        core: dict[Path, CoreResult],
        encoding: dict[Path, list[Diagnostic]],
        core_keys: dict[Path, str],
        encoding_keys: dict[Path, str],
        cache: BuildCache | None,
    ) -> None:
        spec = parse_executor(self.options.executor or self.config.executor, self.options.jobs or self.config.jobs)
        summary = self.summary
        start = time.perf_counter()
        workers = local_workers(spec, len(tasks))
        share = -(-len(tasks) // workers)  # the sources each process will check
        if self._warm_up is not None:
            prepared_for, thread, prepared = self._warm_up
            self._warm_up = None
            thread.join()
            if prepared and prepared_for == settings and workers == 1 and spec.kind == "local":
                use_worker(prepared[0])  # compiled in the thread, used in this one from now on
        forked, self._forked = self._forked, None
        done_by_child: list[SourceResult] | None = None
        if forked is not None:
            if forked.settings == settings and set(forked.tasks) == set(tasks):
                done_by_child = forked.results()
            else:
                forked.cancel()
        entries: list[tuple[str, bytes]] = []
        worker_time: dict[str, float] = {}

        def collect(results: list[SourceResult]) -> None:
            # Results are stored as they come, so that the texts of thousands of documents are never held at once.
            for result in results:
                if result.fatal is not None:
                    path, line, column, detail = result.fatal
                    raise SourceError(path, detail, line or None, column or None)
                if result.changed:
                    raise BuildError(f"{result.path} changed while the edition was being built: build again")
                for name, seconds in result.seconds.items():
                    worker_time[name] = worker_time.get(name, 0.0) + seconds
                path = result.path
                if cache is None:  # only checking: nothing is kept
                    if result.core is not None:
                        core[path] = result.core
                    if result.encoding is not None:
                        encoding[path] = result.encoding
                    continue
                if result.core is not None:
                    core[path] = result.core
                    for media, body in result.bodies.items():
                        entries.append((body_key(core_keys[path], media), body.encode("utf-8")))
                    for entity_id, passages in result.passages.items():
                        entries.append((passages_key(core_keys[path], entity_id), passages))
                    if result.core.failure is None:
                        entries.append((core_keys[path], dumps(result.core)))
                if result.encoding is not None:
                    encoding[path] = result.encoding
                    entries.append((encoding_keys[path], dumps(result.encoding)))
            if cache is not None:
                cache.put_many(entries)
            entries.clear()

        if done_by_child is not None:
            self.say.detail(f"processing {len(tasks)} source(s) in a child process")
            collect(done_by_child)
        else:
            executor = open_executor(spec, len(tasks), warm_up, (settings, share))
            try:
                workers = worker_count(executor, spec)
                self.say.detail(
                    f"processing {len(tasks)} source(s) with {spec.describe if workers > 1 else 'one worker'}"
                )
                with self.say.task("processing", len(tasks)) as advance:
                    run_batches(
                        executor,
                        functools.partial(process_batch, settings),
                        tasks,
                        workers,
                        advance,
                        consume=collect,
                        prepare=with_data if spec.kind == "dask" else None,
                    )
            finally:
                executor.shutdown(wait=True)
        wall = time.perf_counter() - start
        # Worker time is CPU time summed over workers; the phases share the stage's wall time in its proportions.
        total = sum(worker_time.values()) or 1.0
        for name, seconds in worker_time.items():
            phase = "validate" if name == "read" else name
            summary.add_time(phase, wall * seconds / total)

    def _write(
        self, data: EditionData, screen: CachedBodies, printed: CachedBodies, previous: Manifest | None, inputs_key: str
    ) -> dict[str, OutputRecord]:
        """Render the site and the PDFs into staging folders, then swap them in together."""
        from tei_edition.web.render import render_site

        config = self.config
        summary = self.summary
        recorded = self._last_outputs
        html_out = OutputWriter(config.html_dir, *_recorded(recorded, "html/"))
        pdf_out = OutputWriter(config.pdf_dir, *_recorded(recorded, "pdf/")) if self.want_pdf else None
        try:
            with summary.phase("render"):
                earlier = (
                    {
                        k[len("html/") :]: (r.deps, r.content)
                        for k, r in previous.outputs.items()
                        if k.startswith("html/") and r.deps
                    }
                    if previous is not None
                    else {}
                )
                changed = {doc.id for doc in data.documents if doc.path in self._edited}
                summary.pages = render_site(
                    data,
                    screen,
                    html_out,
                    earlier,
                    inputs_key,  # type: ignore[arg-type]
                    store=screen.cache,
                    changed=changed,
                    on_index=lambda stats: setattr(summary, "search", stats),
                )
            self.say.detail(f"HTML: {summary.pages} pages")
            if summary.search is not None:
                self.say.detail(summary.search.describe())
            if pdf_out is not None:
                from tei_edition.print.pdf import render_pdfs

                with summary.phase("pdf"):
                    summary.pdfs = render_pdfs(
                        data,
                        printed,
                        pdf_out,  # type: ignore[arg-type]
                        jobs=self.options.jobs or self.config.jobs,
                        store=printed.cache,
                        warn=self.say.info,
                    )
                self.say.detail(f"PDF: {summary.pdfs} files")
        except BaseException:
            html_out.abort()
            if pdf_out is not None:
                pdf_out.abort()
            raise
        with summary.phase("write"):
            try:
                html_out.check()  # both folders checked before either is changed
                if pdf_out is not None:
                    pdf_out.check()
            except BaseException:
                html_out.abort()
                if pdf_out is not None:
                    pdf_out.abort()
                raise
            html_out.commit()
            if pdf_out is not None:
                pdf_out.commit()
            for writer in (html_out, pdf_out):
                if writer is not None and writer.foreign:
                    shown = ", ".join(writer.foreign[:5]) + (" ..." if len(writer.foreign) > 5 else "")
                    self.say.info(
                        f"{writer.target} holds {len(writer.foreign)} file(s) that no build made, left "
                        f"in place: {shown} (the build never removes a file it did not make: delete "
                        "them, or the whole folder, if they are not yours)"
                    )
        stats = html_out.signatures_now()
        outputs = {
            f"html/{k}": OutputRecord(html_out.deps.get(k, ""), v, stats.get(k, "")) for k, v in html_out.hashes.items()
        }
        if pdf_out is not None:
            stats = pdf_out.signatures_now()
            outputs.update({f"pdf/{k}": OutputRecord("", v, stats.get(k, "")) for k, v in pdf_out.hashes.items()})
        else:  # the PDFs are left as they are: still the last PDF build's, which a later one may remove
            outputs.update({k: r for k, r in self._last_outputs.items() if k.startswith("pdf/")})
        return outputs


def _wants_body(result: CoreResult, path: Path, documents: set[Path]) -> bool:
    return path in documents and result.parsed and result.document is not None


def _still_valid(result: CoreResult) -> bool:
    """A cached result stays valid while the schemas its <?xml-model?> instructions named are unchanged."""
    return all(hash_file(Path(p)) == h for p, h in result.schema_files.items())


def _recorded(outputs: dict[str, OutputRecord], prefix: str) -> tuple[dict[str, str], dict[str, str]]:
    """For the outputs below the html/ or pdf/ folder, by path there: the size and time the last build recorded for
    each, and its content hash."""
    mine = {k[len(prefix) :]: r for k, r in outputs.items() if k.startswith(prefix)}
    return {k: r.stat for k, r in mine.items() if r.stat}, {k: r.content for k, r in mine.items()}


def _as_dict(inputs: EditionInputs) -> dict[str, str]:
    from dataclasses import asdict

    return asdict(inputs)
