"""The per-source stage seen from the build's process: what the cache already holds, the rest sent to the executor,
and every result kept (in memory, and in the cache for the next build)."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from tei_edition.errors import BuildError, SourceError
from tei_edition.executor import (
    ExecutorSpec,
    local_workers,
    long_item_bytes,
    open_executor,
    run_batches,
    worker_count,
)
from tei_edition.output.cache import BuildCache, dumps
from tei_edition.output.hashing import content_key, files_unchanged, hash_text
from tei_edition.output.plan import EditionInputs
from tei_edition.pipeline.progress import Reporter
from tei_edition.pipeline.sources import SourceContents
from tei_edition.pipeline.stage import (
    CoreResult,
    SourceResult,
    SourceTask,
    StageSettings,
    body_key,
    document_key,
    process_batch,
    register_keys,
    warm_up,
    with_data,
)
from tei_edition.tei.discover import Sources
from tei_edition.tei.edition import passages_key
from tei_edition.tei.names import NameLinks, RegisterKeys, scoped_entries, shared_list_ids
from tei_edition.validate.diagnostics import Diagnostic

Consume = Callable[[list[SourceResult]], None]


@dataclass
class StageResults:
    """What the per-source stage found, per source: the core result and the encoding warnings."""

    core: dict[Path, CoreResult] = field(default_factory=dict)
    encoding: dict[Path, list[Diagnostic]] = field(default_factory=dict)

    def keep(self, results: list[SourceResult]) -> None:
        """Keep what a batch of results found (and nothing else: not the bodies)."""
        for result in results:
            if result.core is not None:
                self.core[result.path] = result.core
            if result.encoding is not None:
                self.encoding[result.path] = result.encoding


def all_tasks(sources: Sources, contents: SourceContents) -> list[SourceTask]:
    """A task for every source, each wanting everything."""
    documents = set(sources.documents)
    return [SourceTask(p, None, p in documents, digest=contents.digest(p)) for p in sources.all]


class CachedStage:
    """The stage's results in the build cache: those found there, and those computed now, stored as they come.

    A source's core result is keyed by its path, its content and everything its checks and transforms read (tool,
    schemas, stylesheets, media); its encoding warnings by its path, its content and the registers."""

    def __init__(
        self,
        cache: BuildCache,
        sources: Sources,
        contents: SourceContents,
        inputs: EditionInputs,
        settings: StageSettings,
    ):
        self.cache = cache
        self.sources = sources
        self.contents = contents
        self.settings = settings
        self.results = StageResults()
        schemas = tuple(str(p) for p in (settings.rng, *settings.schematrons))
        # Registers are validated but not transformed: stylesheets and media do not concern them.
        stage = {
            True: hash_text(inputs.document_stage, *schemas, "+".join(settings.media)),
            False: hash_text(inputs.key("tool", "schemas"), *schemas),
        }
        self.documents = set(sources.documents)
        # The key a source's core result is cached under, and the key its texts and passages are (core_keys): the
        # same, but for a document whose names the registers had a say in (tei/names.py), whose texts are also keyed
        # by what the registers said (texts_key), so that a page or book keyed by them is made again when it changes.
        self.result_keys: dict[Path, str] = {}
        self.core_keys: dict[Path, str] = {}
        self.renamed: dict[str, str] = {}  # a document built under an id of its own -> the id its results are under
        # The ids each file points to outside itself, and the file declaring each (pipeline/build.py: outside_targets)
        self.outside: tuple[dict[Path, frozenset[str]], dict[str, Path]] = ({}, {})
        self.encoding_keys: dict[Path, str] = {}
        self._register_keys: RegisterKeys | None = None
        for path in sources.all:
            # By the source's full path, not its name in the edition: the results hold it (documents, diagnostics),
            # and an edition moved to another folder must not be given those of its old place.
            name, digest = str(path), contents.digest(path)
            self.result_keys[path] = content_key("core", stage[path in self.documents], name, digest)
            self.core_keys[path] = self.result_keys[path]
            self.encoding_keys[path] = content_key("encoding", inputs.tool, settings.registers_key, name, digest)

    def register_keys(self) -> RegisterKeys:
        """What resolving names needs of the registers (tei/names.py), to tell whether a cached result still holds."""
        if self._register_keys is None:
            self._register_keys = register_keys(self.settings.registers)
        return self._register_keys

    def lookup(self) -> list[SourceTask]:
        """Take from the cache what it holds; the tasks for the rest (read in a few queries, not three per source)."""
        sources, media, results = self.sources, self.settings.media, self.result_keys
        cached_core = self.cache.get_objects([results[p] for p in sources.all])
        cached_encoding = self.cache.get_objects([self.encoding_keys[p] for p in sources.documents])
        keys = {
            p: texts_key(results[p], cached.names)
            if isinstance(cached := cached_core.get(results[p]), CoreResult)
            else results[p]
            for p in sources.all
        }
        wanted = [
            body_key(keys[p], doc.id, m)
            for p in sources.documents
            if isinstance(cached := cached_core.get(results[p]), CoreResult)
            for doc in cached.documents
            for m in media
        ]
        bodies = self.cache.has_many(wanted)
        tasks = []
        for path in sources.all:
            is_document = path in self.documents
            cached = cached_core.get(results[path])
            if (
                isinstance(cached, CoreResult)
                and _still_valid(cached)
                and (cached.names is None or self.register_keys().agree(cached.names))
                and (
                    not (is_document and cached.parsed and cached.documents)
                    or all(body_key(keys[path], doc.id, m) in bodies for doc in cached.documents for m in media)
                )
            ):
                self.results.core[path] = cached
                self.core_keys[path] = keys[path]
            known = cached_encoding.get(self.encoding_keys[path]) if is_document else []
            if isinstance(known, list):
                self.results.encoding[path] = known
            core, encoding = path not in self.results.core, path not in self.results.encoding
            if core or encoding:
                digest = self.contents.digest(path)
                tasks.append(SourceTask(path, None, is_document, core=core, encoding=encoding, digest=digest))
        return tasks

    def rescope(self, spec: ExecutorSpec, say: Reporter, add_time: Callable[[str, float], None]) -> int:
        """Once every source is read: process again the documents whose own list entries are to be scoped otherwise
        (an xml:id the own lists of several documents declare is known in each as '<file id>.<xml:id>', see
        tei/names.py), so that their names link to their own file's entry; the number of them."""
        core = self.results.core
        documents = [p for p in self.sources.documents if p in core and core[p].names is not None]
        shared = shared_list_ids(names for p in documents if (names := core[p].names) is not None)
        in_files = scoped_entries(((p, names, core[p].entries) for p in documents if (names := core[p].names)), shared)
        keys = replace(self.register_keys(), in_files=in_files)
        # What names point to that no register and no document's own list declares: such a name links nowhere.
        # (by their ids in their files too: an entry scoped by an earlier build may take its plain id now)
        declared = keys.ids | {i for p in documents for entry in core[p].entries for i in (entry.id, entry.xml_id)}
        pointed = frozenset().union(*(names.elsewhere for p in documents if (names := core[p].names) is not None))
        absent = pointed - declared - shared
        stale = [p for p in documents if (names := core[p].names) is not None and not keys.agree(names, shared, absent)]
        if stale:
            found = tuple(sorted((file, xml_id, entry) for (file, xml_id), entry in in_files.items()))
            settings = replace(self.settings, shared_ids=shared, shared_in_files=found, absent_ids=absent)
            tasks = [SourceTask(p, None, True, encoding=False, digest=self.contents.digest(p)) for p in stale]
            process_sources(tasks, settings, spec, say, self.store, add_time)
        return len(stale)

    def store(self, results: list[SourceResult]) -> None:
        """Keep a batch of results, and write them to the cache at once (the texts of thousands of documents are
        never held together)."""
        self.results.keep(results)
        entries: list[tuple[str, bytes]] = []
        for result in results:
            if result.core is not None:
                key = self.core_keys[result.path] = texts_key(self.result_keys[result.path], result.core.names)
                entries.extend(
                    (body_key(key, doc_id, media), body.encode("utf-8"))
                    for (doc_id, media), body in result.bodies.items()
                )
                entries.extend(
                    (passages_key(document_key(key, doc_id), e), data) for (doc_id, e), data in result.passages.items()
                )
                if result.core.failure is None:
                    entries.append((self.result_keys[result.path], dumps(result.core)))
            if result.encoding is not None:
                entries.append((self.encoding_keys[result.path], dumps(result.encoding)))
        self.cache.put_many(entries)


def texts_key(key: str, names: NameLinks | None) -> str:
    """The key of a document's texts and passages: its core result's `key`, with what the registers said of its
    names when they had a say (an in-file entry's id that a register entry has, an authority address that is a
    register entry's, where a pointer naming another file led)."""
    if names is None or not (names.scoped or names.by_uri or names.unlinked):
        return key
    return content_key(key, "names", *names.decided(), *(f"{u} {e}" for u, e in sorted(names.by_uri)))


def process_sources(
    tasks: list[SourceTask],
    settings: StageSettings,
    spec: ExecutorSpec,
    say: Reporter,
    consume: Consume,
    add_time: Callable[[str, float], None],
) -> None:
    """Run the tasks on the executor, handing each batch of results to `consume` as it comes back; the workers'
    time is added to the build's phases (`add_time`) in the proportions of their steps."""
    if not tasks:
        return
    start = time.perf_counter()
    worker_time: dict[str, float] = {}
    halves: dict[Path, SourceResult] = {}  # the first half of a document's core to come back, until the other does

    def collect(results: list[SourceResult]) -> None:
        whole = []
        for result in results:
            check_result(result)
            for name, seconds in result.seconds.items():
                worker_time[name] = worker_time.get(name, 0.0) + seconds
            if result.half:
                other = halves.pop(result.path, None)
                if other is None:
                    halves[result.path] = result
                    continue
                result = join_halves(*sorted((result, other), key=lambda r: r.half))
            whole.append(result)
        if whole:
            consume(whole)

    sizes = {task.path: _size(task.path) for task in tasks}
    size = sum(sizes.values())  # long files weigh as much as many short ones
    texts = settings.read and bool(settings.media)
    # A long document counts as the tasks it would go out as, so that one FRUS volume alone gets a pool too.
    items = len(tasks)
    if spec.jobs > 1:
        items = len(split_long_documents(tasks, sizes, long_item_bytes(size, spec.jobs), texts))
    share = -(-len(tasks) // local_workers(spec, items, size))  # the sources each process will check
    executor = open_executor(spec, items, warm_up, (settings, share), size)
    try:
        workers = worker_count(executor, spec)
        say.detail(f"processing {len(tasks)} source(s) with {spec.describe if workers > 1 else 'one worker'}")
        if workers > 1:
            tasks = split_long_documents(tasks, sizes, long_item_bytes(size, workers), texts)
            # The longest first, so that the last to finish are short (results go by path, not order); but the tasks
            # of encoding checks alone after the others: they cost a fifth of the rest per byte, and a long
            # document's (~0.3 s for a FRUS volume) evens out the workers' ends when a short file costs more than its
            # size says (one whose validation errors are explained).
            tasks = sorted(tasks, key=lambda task: (not task.core, -sizes[task.path]))
        with say.task("processing", len(tasks)) as advance:
            run_batches(
                executor,
                functools.partial(process_batch, settings),
                tasks,
                workers,
                advance,
                consume=collect,
                prepare=with_data if spec.kind == "dask" else None,
                weights=[sizes[task.path] for task in tasks],
            )
    finally:
        executor.shutdown(wait=True)
    wall = time.perf_counter() - start
    # Worker time is CPU time summed over workers; the phases share the stage's wall time in its proportions.
    total = sum(worker_time.values()) or 1.0
    for name, seconds in worker_time.items():
        add_time("validate" if name == "read" else name, wall * seconds / total)


def split_long_documents(
    tasks: list[SourceTask], sizes: Mapping[Path, int], longest: float, texts: bool = True
) -> list[SourceTask]:
    """The tasks, with a document longer than `longest` bytes in up to three, so that two workers share it: its
    encoding checks (which need nothing of the others) apart, and, when the build reads and transforms documents
    (`texts`), its validation apart from its reading and transform (a FRUS volume of 3.6 MB: 0.3, 0.9 and 1.1 CPU s,
    each half parsing the file for itself, 0.15 s). Their results are put together again by path (join_halves)."""
    out: list[SourceTask] = []
    for task in tasks:
        if not (task.is_document and sizes[task.path] > longest):
            out.append(task)
            continue
        if task.core and texts:
            out += [replace(task, encoding=False, half="checks"), replace(task, encoding=False, half="texts")]
        elif task.core:
            out.append(replace(task, encoding=False))
        if task.encoding:
            out.append(replace(task, core=False))
    return out


def join_halves(checks: SourceResult, texts: SourceResult) -> SourceResult:
    """One result from the two halves of a document's core (split_long_documents): the checks' findings with the
    documents, bodies and passages that reading and transforming gave. A file that could not be parsed, or that
    is a fragment of others, is the same in both: either is the result."""
    first, second = checks.core, texts.core
    if first is None or second is None or not first.parsed or not second.parsed or not second.names:
        return replace(checks, half="")
    core = replace(
        first,
        diagnostics=[*first.diagnostics, *second.diagnostics],
        targets=first.targets | second.targets,
        documents=second.documents,
        letters=second.letters,
        failure=second.failure,
        passages=second.passages,
        entries=second.entries,
        names=second.names,
        parts=second.parts or first.parts,
    )
    seconds = dict(checks.seconds)
    for name, value in texts.seconds.items():
        seconds[name] = seconds.get(name, 0.0) + value
    return SourceResult(
        checks.path,
        core=core,
        encoding=checks.encoding if checks.encoding is not None else texts.encoding,
        bodies=texts.bodies,
        seconds=seconds,
        fatal=checks.fatal or texts.fatal,
        changed=checks.changed or texts.changed,
        passages=texts.passages,
    )


def check_result(result: SourceResult) -> None:
    """Stop the build on a result that cannot be used: a stylesheet or schema that fails, a file changed meanwhile."""
    if result.fatal is not None:
        path, line, column, detail = result.fatal
        raise SourceError(path, detail, line or None, column or None)
    if result.changed:
        raise BuildError(f"{result.path} changed while the edition was being built: build again")


def _still_valid(result: CoreResult) -> bool:
    """A cached result stays valid while the files it depends on (its <?xml-model?> schemas, the files its
    includes name) are unchanged."""
    return files_unchanged(result.schema_files)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # read, and reported, by the worker
