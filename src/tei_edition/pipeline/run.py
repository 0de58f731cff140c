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
import os
import pickle
import select
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from time import time_ns
from typing import TYPE_CHECKING, Any

from lxml import etree

from tei_edition.config import EditionConfig
from tei_edition.errors import BuildError, SourceError, ValidationFailed
from tei_edition.executor import local_workers, open_executor, parse_executor, run_batches, worker_count
from tei_edition.output.cache import CACHE_NAME, BuildCache, dumps
from tei_edition.output.hashing import content_key, hash_bytes, hash_file, hash_text
from tei_edition.output.paths import source_name as relative_name
from tei_edition.output.plan import (
    Changes,
    EditionInputs,
    Manifest,
    OutputRecord,
    compare,
    edition_inputs,
    load_manifest,
    save_manifest,
)
from tei_edition.output.writer import OutputLock, OutputWriter, make_output_folder, remove_stale_staging
from tei_edition.pipeline.progress import Reporter
from tei_edition.tei.discover import Sources, discover_sources
from tei_edition.tei.edition import (
    EditionData,
    MentionGroup,
    PackedMentions,
    build_time,
    collect_edition,
    fragment_key,
    source_date_epoch,
)
from tei_edition.tei.header import read_header, short_title_of
from tei_edition.tei.model import (
    POINTER_ATTRIBUTES,
    XML_ID,
    XML_LANG,
    Document,
    Mention,
    T,
    pointer_targets,
    read_document,
)
from tei_edition.tei.parse import parse_bytes, parse_file, require_tei
from tei_edition.validate.diagnostics import Diagnostic, Report, Severity

if TYPE_CHECKING:
    from tei_edition.web.search import SearchIndexStats

Progress = Callable[[str], None]
MAX_LISTED = 20  # errors listed when a build stops; `edition validate` lists them all
PHASES = ("discover", "parse", "validate", "registers", "gate", "transform", "render", "pdf", "write")


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


# ---------------------------------------------------------------------------------------------------------------
# Per-source work: runs in a worker; receives and returns plain data only.


@dataclass(frozen=True)
class StageSettings:
    """What every per-source task needs besides its file: schemas, stylesheets, media, registers for the checks."""

    rng: Path
    schematrons: tuple[Path, ...]
    xslt_dir: Path | None
    media: tuple[str, ...]
    registers: tuple[tuple[Path, bytes], ...]
    registers_key: str
    read: bool = True  # read documents (mentions, header) for the pages; `edition validate` needs only the checks


@dataclass(frozen=True)
class SourceTask:
    """One source file to process: its bytes, whether it is a document, and which parts are wanted."""

    path: Path
    data: bytes | None  # None: the worker reads the file, and checks it is still what `digest` says
    is_document: bool
    core: bool = True  # validation, reading and transformation
    encoding: bool = True  # the encoding checks (which depend on the registers)
    digest: str = ""  # hash_bytes() of the content the build saw


@dataclass
class CoreResult:
    """What a source yields independently of every other file (cached by its content and the stage settings)."""

    parsed: bool
    diagnostics: list[Diagnostic] = field(default_factory=list)
    ids: list[tuple[str, int, str]] = field(default_factory=list)  # xml:id, line, element, in document order
    targets: frozenset[str] = frozenset()  # every local id a pointer attribute points to
    document: Document | None = None  # without its tree
    failure: tuple[int, str] | None = None  # (line, message) when the text could not be transformed
    schema_files: dict[str, str] = field(default_factory=dict)  # <?xml-model?> schemas used -> their hashes
    # For each entity mentioned: its id, the number of passages and a hash of their HTML group, packed into one
    # string (see pack_groups); the groups themselves are cached under fragment_key().
    fragments: str = ""


@dataclass
class SourceResult:
    """A task's results: the core part and/or the encoding warnings, the bodies, and the worker's timings."""

    path: Path
    core: CoreResult | None = None
    encoding: list[Diagnostic] | None = None
    bodies: dict[str, str] = field(default_factory=dict)  # media -> HTML fragment
    seconds: dict[str, float] = field(default_factory=dict)
    fatal: tuple[str, int, int, str] | None = None  # a stylesheet or schema that cannot be used at all
    changed: bool = False  # the file changed on disk while the edition was being built
    groups: dict[str, str] = field(default_factory=dict)  # entity id -> its passages as HTML (register pages)


class SourceWorker:
    """The per-process state of the per-source stage: compiled schemas and stylesheets, made once and reused."""

    def __init__(self, settings: StageSettings):
        from tei_edition.validate import FileValidator

        self.settings = settings
        self.checker = FileValidator(settings.rng, settings.schematrons)
        self._transformer: Any = None
        self._matcher: Any = None

    def transformer(self) -> Any:
        """The compiled edition stylesheet."""
        if self._transformer is None:
            from tei_edition.transform.xslt import Transformer

            self._transformer = Transformer(self.settings.xslt_dir)
        return self._transformer

    def matcher(self) -> Any:
        """The matcher of register names, for the untagged-name check."""
        if self._matcher is None:
            from tei_edition.tei.model import all_entities, read_registers
            from tei_edition.validate.encoding import name_matcher

            trees = []
            for path, data in self.settings.registers:
                try:
                    trees.append((path, parse_bytes(data, path)))
                except SourceError:
                    continue  # reported by the register's own task
            self._matcher = name_matcher(all_entities(read_registers(trees)).values())
        return self._matcher

    def process(self, task: SourceTask) -> SourceResult:
        """Parse, validate, read and transform one source."""
        result = SourceResult(task.path)
        clock = _Clock(result.seconds)
        with clock("parse"):
            try:
                tree = parse_source(task.data, task.path, task.is_document)
            except SourceError as exc:
                result.core = CoreResult(
                    False, [Diagnostic(task.path, exc.line or 0, exc.column or 0, Severity.ERROR, exc.detail, "xml")]
                )
                result.encoding = []
                return result
        if task.core:
            result.core = self._core_steps(task, tree, clock, result)
        if task.encoding:
            with clock("validate"):
                result.encoding = self._encoding(task, tree) if task.is_document else []
        return result

    def _core_steps(
        self, task: SourceTask, tree: etree._ElementTree, clock: _Clock, result: SourceResult
    ) -> CoreResult:
        """Check, read and transform a source."""
        path = task.path
        core = CoreResult(True)
        prepared = None
        if task.is_document and self.settings.media:
            from tei_edition.transform.xslt import prepare_document

            with clock("parse"):  # one Saxon tree for Schematron and every medium's transform
                try:
                    prepared = prepare_document(tree)
                except SourceError:
                    prepared = None  # each step parses again and reports the problem where it used to
        with clock("validate"):
            diagnostics, local_schemas = self.checker.validate(tree, path, prepared)
            core.diagnostics.extend(diagnostics)
            core.schema_files = {str(p): hash_file(p) for p in local_schemas}
            core.ids, core.targets = declared_and_pointed(tree)
        if not task.is_document or not self.settings.read:
            return core
        with clock("read"):
            document = read_document(tree, path)
        with clock("transform"):
            try:
                transformer = self.transformer()
            except SourceError as exc:
                result.fatal = (str(exc.path), exc.line or 0, exc.column or 0, exc.detail)
                return core
            try:
                if prepared is None and self.settings.media:
                    prepared = transformer.prepare(tree)
                for media in self.settings.media:
                    params = {"root": "../../" if media == "screen" else "", "media": media, "doc-id": document.id}
                    result.bodies[media] = transformer.transform(tree, params, prepared)
            except SourceError as exc:
                core.failure = (exc.line or 0, exc.detail)
        with clock("read"):
            document.header = read_header(tree)
            document.lang = tree.getroot().get(XML_LANG) or ""
            document.graphics = tuple(
                (g.get("url") or "", g.sourceline or 0) for g in tree.getroot().iter(f"{T}graphic")
            )
            document.short_title = short_title_of(tree)
        document.tree = None  # type: ignore[assignment]  # trees never cross the process boundary
        core.document = document
        return core

    def _encoding(self, task: SourceTask, tree: etree._ElementTree) -> list[Diagnostic]:
        from tei_edition.validate.encoding import candidate_diagnostic, find_candidates

        seen: set[tuple[int, str]] = set()
        out: list[Diagnostic] = []
        for candidate in find_candidates(task.path, tree, self.matcher()):
            if (candidate.line, candidate.text) not in seen:  # one warning per name per line, as validate does
                seen.add((candidate.line, candidate.text))
                out.append(candidate_diagnostic(candidate))
        return out


class _Clock:
    """Adds the time spent in named steps to a dict."""

    def __init__(self, seconds: dict[str, float]):
        self.seconds = seconds

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start


def parse_source(data: bytes, path: Path, is_document: bool) -> etree._ElementTree:
    """Parse a source safely and check it is TEI (a document must have a text); SourceError otherwise."""
    tree = parse_bytes(data, path)
    root = require_tei(tree, path)
    if (
        is_document
        and root.find(f"{T}text") is None
        and root.find(f"{T}facsimile") is None
        and root.find(f"{T}sourceDoc") is None
    ):
        raise SourceError(
            path, "<TEI> has no <text>: a document needs its transcription in <text><body>", line=root.sourceline
        )
    return tree


def declared_and_pointed(tree: etree._ElementTree) -> tuple[list[tuple[str, int, str]], frozenset[str]]:
    """The xml:ids a tree declares (with line and element) and the local ids its pointer attributes name."""
    ids: list[tuple[str, int, str]] = []
    targets: set[str] = set()
    for el in tree.getroot().iter():
        if not isinstance(el.tag, str):
            continue
        value = el.get(XML_ID)
        if value is not None:
            ids.append((value, el.sourceline or 0, etree.QName(el).localname))
        for attr in POINTER_ATTRIBUTES:
            pointer = el.get(attr)
            if pointer:
                targets.update(pointer_targets(pointer))
    return ids, frozenset(targets)


_STATE = threading.local()  # one SourceWorker per thread: compiled Saxon executables are not thread-safe


def _worker(settings: StageSettings) -> SourceWorker:
    current: SourceWorker | None = getattr(_STATE, "worker", None)
    if current is None or current.settings != settings:
        current = SourceWorker(settings)
        _STATE.worker = current
    return current


def warm_up(settings: StageSettings, documents: int = 0) -> None:
    """Pool initializer: compile the schemas and stylesheets as the worker starts, in parallel with the others, for
    checking about `documents` sources."""
    worker = _worker(settings)
    try:
        worker.checker.expect(documents)
    except Exception:  # noqa: BLE001 - a broken schema is reported by the first task instead
        pass
    _compile_stylesheets(worker)


def _compile_stylesheets(worker: SourceWorker) -> None:
    """Compile a worker's Schematron rules and XSLT with Saxon."""
    try:
        for schema in worker.settings.schematrons:
            worker.checker.engine("sch", schema)
        if worker.settings.media:
            worker.transformer()
    except Exception:  # noqa: BLE001 - a broken schema or stylesheet is reported by the first task instead
        pass


def process_batch(settings: StageSettings, tasks: list[SourceTask]) -> list[SourceResult]:
    """Process a batch of sources in this worker (the unit of work sent to an executor)."""
    worker = _worker(settings)
    results = []
    for task in tasks:
        if task.data is None:  # read here rather than sent through a pipe: the same machine, the same files
            try:
                data = task.path.read_bytes()
            except OSError:
                data = b""
            if hash_bytes(data) != task.digest:
                results.append(SourceResult(task.path, changed=True))
                continue
            task = replace(task, data=data)
        result = worker.process(task)
        if settings.read:
            _make_groups(result)
        results.append(result)
    return results


def _make_groups(result: SourceResult) -> None:
    """The document's passages for the register pages, as HTML per entity; the snippets then stay out of the
    document (the main process would hold them all)."""
    from tei_edition.web.documents import document_heading
    from tei_edition.web.registers import ENTITY_ROOT, mention_group

    core = result.core
    if core is None or core.document is None or core.document.header is None or core.failure is not None:
        return
    document = core.document
    by_entity: dict[str, list[Mention]] = {}
    for mention in document.mentions:
        by_entity.setdefault(mention.entity_id, []).append(mention)
    heading = document_heading(document, document.header)
    summary = []
    for entity_id, mentions in by_entity.items():
        html = str(mention_group(heading, mentions, ENTITY_ROOT))
        result.groups[entity_id] = html
        summary.append((entity_id, len(mentions), hash_text(html)[:15]))
    core.fragments = pack_groups(summary)
    document.mentions = PackedMentions.pack(document.mentions)  # type: ignore[assignment]


class ForkedStage:
    """A few edited sources checked, read and transformed in a child process forked as the build begins, while this
    process reads what the last build left (manifest, cache). Saxon keeps Python's lock while it compiles the
    stylesheets, so a thread compiling them stalls this one's reading instead of running beside it; a child has a
    lock of its own and the second core. Its results come back through a pipe, pickled, as from a pool's worker.

    Only forked from a process with one thread and no Saxon started yet (see can_fork): a child of a process whose
    Saxon runtime or threads are running could inherit a lock held by one of them."""

    def __init__(self, settings: StageSettings, tasks: list[SourceTask]):
        self.settings = settings
        self.tasks = tasks
        read, write = os.pipe()
        try:
            self.pid = os.fork()
        except OSError:  # no process to be had (a limit on processes): the caller does without
            os.close(read)
            os.close(write)
            raise
        if self.pid == 0:  # the child: never returns into the build
            status = 1
            try:
                os.close(read)
                data = pickle.dumps(process_batch(settings, tasks), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self._read = read
        self._reaped = False  # once waited for, its process id may be another process's: never signalled again

    @staticmethod
    def can_fork() -> bool:
        """Whether this process may fork a child for the stage: Linux, one thread, Saxon not started."""
        return (
            sys.platform.startswith("linux")
            and hasattr(os, "fork")
            and threading.active_count() == 1
            and "saxonche" not in sys.modules
        )

    def results(self, timeout: float | None = None) -> list[SourceResult] | None:
        """The child's results, once it is done; None when it failed or took longer than `timeout` seconds (the
        default allows a minute and 10 s per source), and the tasks are then done in this process."""
        deadline = time.monotonic() + (60.0 + 10.0 * len(self.tasks) if timeout is None else timeout)
        chunks: list[bytes] = []
        while (left := deadline - time.monotonic()) > 0:
            if not select.select([self._read], [], [], left)[0]:
                continue
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        else:  # out of time: a child stuck is stopped, not waited for
            self.cancel()
            return None
        os.close(self._read)
        _pid, status = os.waitpid(self.pid, 0)
        self._reaped = True
        if status != 0:
            return None
        data = b"".join(chunks)
        try:
            results = pickle.loads(data)
        except Exception:  # noqa: BLE001 - a child that died mid-write: its results are not used
            return None
        return results if isinstance(results, list) else None

    def cancel(self) -> None:
        """Stop the child, if it still runs, and forget it."""
        if self._reaped:
            return
        self._reaped = True
        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.close(self._read)
        except OSError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:  # reaped elsewhere
            pass


def with_data(tasks: list[SourceTask]) -> list[SourceTask]:
    """The tasks with their files' contents, for workers that may not see this machine's files (Dask)."""
    return [task if task.data is not None else replace(task, data=_read(task.path)) for task in tasks]


# ---------------------------------------------------------------------------------------------------------------
# Reading the document trees again where the main process needs them (page headers, pointer checks).


class SourceTree:
    """A document's tree, parsed from its file when asked for and not kept: the main process holds no trees."""

    def __init__(self, path: Path):
        self.path = path

    def getroot(self) -> etree._Element:
        """The root element of a fresh parse of the file."""
        return parse_file(self.path).getroot()

    def __getattr__(self, name: str) -> Any:
        return getattr(parse_file(self.path), name)

    def __reduce__(self) -> tuple[Any, tuple[Path]]:
        return (SourceTree, (self.path,))


class CachedBodies(Mapping[str, str]):
    """Document id -> HTML fragment, read from the cache when asked for, so that bodies are not all held at once."""

    def __init__(self, cache: BuildCache, keys: dict[str, str]):
        self.cache = cache
        self.keys = keys

    def __getitem__(self, doc_id: str) -> str:
        data = self.cache.get(self.keys[doc_id])
        if data is None:
            raise KeyError(doc_id)
        return data.decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys)

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.keys

    def fingerprint(self, doc_id: str) -> str:
        """The cache key of a document's fragment, which stands for the fragment in page hashes."""
        return self.keys[doc_id]


# ---------------------------------------------------------------------------------------------------------------
# The build.


def check_edition(
    config: EditionConfig, paths: list[Path] | None = None, jobs: int | None = None, executor: str | None = None
) -> Report:
    """What `edition validate` reports: the build's per-file checks, on its workers, and its consistency gate;
    nothing is read for pages, nothing is written, and no tree is held longer than its file's checks."""
    sources = discover_sources(config)
    contents = SourceContents(sources)
    build = _Build(config, BuildOptions(pdf=False, jobs=jobs, executor=executor), Reporter(quiet=True))
    settings = replace(build._settings(contents, sources), media=(), read=False)
    documents = set(sources.documents)
    tasks = [SourceTask(p, None, p in documents, digest=contents.digest(p)) for p in sources.all]
    core: dict[Path, CoreResult] = {}
    encoding: dict[Path, list[Diagnostic]] = {}
    if tasks:
        build._run_tasks(tasks, settings, core, encoding, {}, {}, None)
    register_trees = {p: parse_bytes(contents[p], p) for p in sources.registers if core[p].parsed}
    full = build._gate(sources, contents, core, encoding, register_trees)
    if not paths:
        return full
    from tei_edition.validate import report_for

    wanted = {p.resolve() for p in paths}
    report = report_for(sources, wanted)
    report.extend([d for d in full.sorted() if d.path in wanted])
    return report


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


def _shared_ids(config: EditionConfig, documents: list[tuple[Path, str]]) -> list[str]:
    """A line for each document whose id names the same pages as an earlier document's (the same id in two
    folders, or ids that differ only in letter case, which some file systems do not tell apart)."""
    from tei_edition.output.paths import id_segment

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
        settings = self._settings(contents, sources)
        current: SourceWorker | None = getattr(_STATE, "worker", None)
        if current is not None and current.settings == settings:
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

    def _settings(self, contents: SourceContents, sources: Sources) -> StageSettings:
        from tei_edition.validate import edition_schemas

        config = self.config
        registers = tuple((p, contents[p]) for p in sources.registers)
        rng, schematrons = edition_schemas(config)
        return StageSettings(
            rng=rng,
            schematrons=schematrons,
            xslt_dir=config.xslt_dir,
            media=("screen", "print") if self.want_pdf else ("screen",),
            registers=registers,
            registers_key=hash_text(*(f"{relative_name(config, p)}:{hash_bytes(d)}" for p, d in registers)),
        )

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
        settings = self._settings(contents, sources)
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
            report = self._gate(sources, contents, core, encoding, register_trees)
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
        clashes = _shared_ids(
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

            docs = [
                _with_tree(core[p].document)
                for p in sources.documents
                if core[p].parsed and core[p].document is not None
            ]
            data = collect_edition(config, ParsedEdition(sources, dict(register_trees)), documents=docs)
            data.build_date = build_date
            data.source_hashes = {path: contents.digest(path) for path in sources.all}
            data.groups = {}
            data.document_keys = {doc.id: core_keys[doc.path] for doc in data.documents}
            groups, entities = data.groups, data.entities
            for doc in data.documents:
                key = core_keys[doc.path]
                found = unpack_groups(core[doc.path].fragments)
                # All kept, also those of entities the registers lack: an entry added for them later needs them.
                cache.keep_many([fragment_key(key, entity_id) for entity_id, _count, _digest in found])
                for entity_id, count, digest in found:
                    if entity_id in entities:
                        groups.setdefault(entity_id, []).append(MentionGroup(doc, count, digest, key))
                core[doc.path].fragments = ""  # summarised in data.groups now
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
                _STATE.worker = prepared[0]  # compiled in the thread, used in this one from now on
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
                    for entity_id, html in result.groups.items():
                        entries.append((fragment_key(core_keys[path], entity_id), html.encode("utf-8")))
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

    def _gate(
        self,
        sources: Sources,
        contents: SourceContents,
        core: dict[Path, CoreResult],
        encoding: dict[Path, list[Diagnostic]],
        register_trees: dict[Path, etree._ElementTree],
    ) -> Report:
        from tei_edition.tei.model import all_entities, read_registers
        from tei_edition.validate.encoding import check_encoding
        from tei_edition.validate.references import ENTRY_ELEMENTS, IdSite, check_pointers, collect_ids, register_paths

        report = Report(documents=len(sources.documents), registers=len(sources.registers), rules=self.config.rules)
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
                from tei_edition.print import render_pdfs

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


def body_key(core_key: str, media: str) -> str:
    """The cache key of a document's HTML fragment for one medium."""
    return content_key("body", core_key, media)


def pack_groups(groups: list[tuple[str, int, str]]) -> str:
    """(entity id, passages, hash in hex digits) for each entity a document mentions, as one string (ids and hashes
    hold no spaces)."""
    return "\n".join(f"{entity_id} {count} {digest}" for entity_id, count, digest in groups)


def unpack_groups(packed: str) -> list[tuple[str, int, str]]:
    """The (entity id, passages, hash) triples of pack_groups()."""
    return [
        (entity_id, int(count), digest)
        for entity_id, count, digest in (line.rsplit(" ", 2) for line in packed.splitlines())
    ]


def _wants_body(result: CoreResult, path: Path, documents: set[Path]) -> bool:
    return path in documents and result.parsed and result.document is not None


def _still_valid(result: CoreResult) -> bool:
    """A cached result stays valid while the schemas its <?xml-model?> instructions named are unchanged."""
    return all(hash_file(Path(p)) == h for p, h in result.schema_files.items())


def _with_tree(document: Document | None) -> Document:
    assert document is not None
    document.tree = SourceTree(document.path)  # type: ignore[assignment]
    return document


def _recorded(outputs: dict[str, OutputRecord], prefix: str) -> tuple[dict[str, str], dict[str, str]]:
    """For the outputs below the html/ or pdf/ folder, by path there: the size and time the last build recorded for
    each, and its content hash."""
    mine = {k[len(prefix) :]: r for k, r in outputs.items() if k.startswith(prefix)}
    return {k: r.stat for k, r in mine.items() if r.stat}, {k: r.content for k, r in mine.items()}


def _as_dict(inputs: EditionInputs) -> dict[str, str]:
    from dataclasses import asdict

    return asdict(inputs)


# A file whose modification time is this close to the time it is read may still change within the same tick of
# the file system's clock (2 s on FAT) without its time changing: its status is not recorded (see SourceContents).
SETTLED_NS = 3_000_000_000


class SourceContents:
    """The sources' content hashes, and the bytes of the registers (which every worker needs); a document's bytes
    are read again when asked for, and must still be what the build saw.

    `known` gives, per source, its status (size, modification time, inode) and hash as the last build recorded
    them: a document whose status is unchanged is not read again (at 10,000 documents reading and hashing them all
    took ~0.65 s of every build), as git does with its index. The hash alone says whether a source changed; the
    status only spares reading the files that did not. It is recorded only for files whose modification time was
    at least SETTLED_NS before they were read, so that a change in the same clock tick cannot go unseen."""

    def __init__(self, sources: Sources, known: dict[Path, tuple[str, str]] | None = None):
        self._digests: dict[Path, str] = {}
        self._stats: dict[Path, str] = {}
        self._kept: dict[Path, bytes] = {}
        registers = set(sources.registers)
        now = time_ns()
        for path in sources.all:
            status = _status(path)
            if known is not None and path not in registers:
                recorded, digest = known.get(path, ("", ""))
                if status and recorded == status[0] and digest:
                    self._digests[path], self._stats[path] = digest, recorded
                    continue
            data = _read(path)
            self._digests[path] = hash_bytes(data)
            if status and status[1] < now - SETTLED_NS:
                self._stats[path] = status[0]
            if path in registers:
                self._kept[path] = data

    def digest(self, path: Path) -> str:
        """The hash of a source's content as this build saw it."""
        return self._digests[path]

    def stat(self, path: Path) -> str:
        """The source's status as recorded for the next build ('' when it is not to be trusted yet)."""
        return self._stats.get(path, "")

    def __getitem__(self, path: Path) -> bytes:
        data = self._kept.get(path)
        if data is not None:
            return data
        data = _read(path)
        if hash_bytes(data) != self._digests[path]:
            raise BuildError(f"{path} changed while the edition was being built: build again")
        return data


def _status(path: Path) -> tuple[str, int] | None:
    """A file's size, modification time and inode as one string, with the modification time; None if unreadable."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}", st.st_mtime_ns


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(path, f"cannot be read: {exc.strerror or exc}") from None
