"""The per-source stage: what a worker does with each source file (parse, check, read, transform), and what it
hands back, as plain data, for the build to cache and gather.

Per-source work is independent from file to file, so it runs on an executor (in this process, a process pool or
Dask). A worker keeps its compiled schemas and stylesheets (SourceWorker) for every batch it is given.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from tei_edition.config import EditionConfig, SplitError
from tei_edition.errors import SourceError
from tei_edition.output.cache import BuildCache
from tei_edition.output.hashing import content_key, file_hashes, hash_bytes, hash_text
from tei_edition.output.paths import source_name
from tei_edition.pipeline.sources import read_source
from tei_edition.tei.edition import summarise_passages
from tei_edition.tei.facsimile import page_image_urls
from tei_edition.tei.letters import Letter, is_letter_list, read_letters
from tei_edition.tei.model import Document, read_passages, read_passages_by_page
from tei_edition.tei.names import NameLinks, RegisterKeys, resolve_names
from tei_edition.tei.parse import FragmentError, line_of, parse_bytes
from tei_edition.tei.parts import find_parts, part_finder, part_lines, read_documents
from tei_edition.tei.recognise import NameMatcher
from tei_edition.tei.registers import Entity
from tei_edition.tei.text import T
from tei_edition.validate import FileValidator, edition_schemas, require_source
from tei_edition.validate.diagnostics import Diagnostic, Severity
from tei_edition.validate.encoding import check_untagged, name_matcher, pointed_ids
from tei_edition.validate.references import DeclaredId, check_prefixes, expanded_targets, id_declarations

if TYPE_CHECKING:
    from tei_edition.transform.xslt import Transformer


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
    split: str = ""  # the XPath that selects the documents inside a file ([sources] split)
    # The xml:ids that the own lists of several documents declare: each file's entry is known as '<file id>.<xml:id>'
    # (tei/names.py), as one that shares a register entry's id; known only once every file is read (process.py).
    shared_ids: frozenset[str] = frozenset()
    # (file, xml:id, entry id): where a pointer naming a file leads for those ids (tei/names.py: scoped_entries)
    shared_in_files: tuple[tuple[str, str, str], ...] = ()
    absent_ids: frozenset[str] = frozenset()  # ids names point to that nothing declares (RegisterKeys.absent)


def stage_settings(config: EditionConfig, registers: Iterable[tuple[Path, bytes]], pdf: bool) -> StageSettings:
    """The settings of a build's per-source stage: the edition's schemas and stylesheets, the media wanted (print
    too when `pdf`), and the registers (path, bytes) given."""
    registers = tuple(registers)
    rng, schematrons = edition_schemas(config)
    return StageSettings(
        rng=rng,
        schematrons=schematrons,
        xslt_dir=config.xslt_dir,
        media=("screen", "print") if pdf else ("screen",),
        registers=registers,
        registers_key=hash_text(*(f"{source_name(config, p)}:{hash_bytes(d)}" for p, d in registers)),
        split=config.split,
    )


@dataclass(frozen=True)
class SourceTask:
    """One source file to process: its bytes, whether it is a document, and which parts are wanted."""

    path: Path
    data: bytes | None  # None: the worker reads the file, and checks it is still what `digest` says
    is_document: bool
    core: bool = True  # validation, reading and transformation
    encoding: bool = True  # the encoding checks (which depend on the registers)
    digest: str = ""  # hash_bytes() of the content the build saw
    # Of the core: "checks" (validation) or "texts" (reading and transformation) alone, so that two workers share a
    # long document; "" for both (see process.split_long_documents, which has the halves put together again).
    half: str = ""


@dataclass
class CoreResult:
    """What a source yields independently of every other file (cached by its content and the stage settings)."""

    parsed: bool
    diagnostics: list[Diagnostic] = field(default_factory=list)
    ids: list[DeclaredId] = field(default_factory=list)  # in document order
    targets: frozenset[str] = frozenset()  # every local id a pointer attribute points to
    # The documents the source holds: one, or a volume and its parts (tei/parts.py); none for a register.
    documents: tuple[Document, ...] = ()
    letters: tuple[Letter, ...] = ()  # the letters a correspondence file (CMIF) describes in its header
    graphics: tuple[tuple[str, int], ...] = ()  # (graphic/@url, line): the images the text shows, for the gate
    page_images: tuple[tuple[str, int], ...] = ()  # (URL, line): the facsimile's page images and manifest, likewise
    failure: tuple[int, str] | None = None  # (line, message) when the text could not be transformed
    # The files the results depend on besides the source, with their hashes: the <?xml-model?> schemas used, and the
    # files its includes name ('missing' for one that was not there)
    schema_files: dict[str, str] = field(default_factory=dict)
    # For each document, by id: for each entity it mentions, the entity's id, the number of passages and a hash of
    # them, packed into one string (see pack_groups); the passages themselves are cached under passages_key().
    passages: dict[str, str] = field(default_factory=dict)
    # The entries of the file's own lists (tei/names.py), which join the registers.
    entries: tuple[Entity, ...] = ()
    # What of the registers resolving the file's names took into account (tei/names.py: RegisterKeys.agree): the
    # result holds while the registers resolve them alike (process.py), else the file is processed again.
    names: NameLinks | None = None
    # The lines of the documents a volume holds (tei/parts.py: part_lines), so that a fault names its document.
    parts: tuple[tuple[int, int, str], ...] = ()


@dataclass
class SourceResult:
    """A task's results: the core part and/or the encoding warnings, the bodies, and the worker's timings."""

    path: Path
    core: CoreResult | None = None
    encoding: list[Diagnostic] | None = None
    bodies: dict[tuple[str, str], str] = field(default_factory=dict)  # (document id, media) -> HTML fragment
    seconds: dict[str, float] = field(default_factory=dict)
    fatal: tuple[str, int, int, str] | None = None  # a stylesheet or schema that cannot be used at all
    changed: bool = False  # the file changed on disk while the edition was being built
    # (document id, entity id) -> the document's passages about the entity (dump_passages)
    passages: dict[tuple[str, str], bytes] = field(default_factory=dict)
    half: str = ""  # the task's half of the core ("checks" or "texts"), or "" when it did all of it


class SourceWorker:
    """The per-process state of the per-source stage: compiled schemas and stylesheets, made once and reused."""

    def __init__(self, settings: StageSettings):
        self.settings = settings
        self.checker = FileValidator(settings.rng, settings.schematrons)
        self._transformer: Transformer | None = None
        self._matcher: NameMatcher | None = None
        self._register_keys: RegisterKeys | None = None

    def transformer(self) -> Transformer:
        """The compiled edition stylesheet."""
        if self._transformer is None:
            from tei_edition.transform.xslt import Transformer

            self._transformer = Transformer(self.settings.xslt_dir)
        return self._transformer

    def matcher(self) -> NameMatcher:
        """The matcher of register names, for the untagged-name check."""
        if self._matcher is None:
            self._matcher = name_matcher(register_entities(self.settings.registers).values())
        return self._matcher

    def register_keys(self) -> RegisterKeys:
        """What resolving names needs of the registers (tei/names.py)."""
        if self._register_keys is None:
            in_files = {(file, xml_id): entry for file, xml_id, entry in self.settings.shared_in_files}
            self._register_keys = register_keys(self.settings.registers).with_shared(
                self.settings.shared_ids, in_files, self.settings.absent_ids
            )
        return self._register_keys

    def process(self, task: SourceTask) -> SourceResult:
        """Parse, validate, read and transform one source (whose bytes the task holds: see process_batch)."""
        assert task.data is not None
        result = SourceResult(task.path)
        clock = _Clock(result.seconds)
        fallbacks: list[tuple[int, str]] = []
        included: list[Path] = []  # the files the source's includes name: its results depend on them too
        with clock("parse"):
            try:
                tree = parse_source(task.data, task.path, task.is_document, fallbacks, included)
            except FragmentError as exc:  # a piece that documents include: no document of its own
                warning = Diagnostic(task.path, exc.line or 0, 0, Severity.WARNING, exc.detail, "fragment")
                result.core, result.encoding = CoreResult(True, [warning]), []
                return result
            except SourceError as exc:
                result.core = CoreResult(
                    False,
                    [Diagnostic(task.path, exc.line or 0, exc.column or 0, Severity.ERROR, exc.detail, "xml")],
                    schema_files=file_hashes(included),
                )
                result.encoding = []
                return result
        if task.core:
            result.half = task.half
            result.core = self._core_steps(task, tree, clock, result)
            result.core.schema_files.update(file_hashes(included))
            if (
                task.half != "texts"
            ):  # what the file asks to include and does not get: what follows from it is not its fault
                result.core.diagnostics[:0] = [
                    Diagnostic(
                        task.path,
                        line,
                        0,
                        Severity.WARNING,
                        f"{message}; its <xi:fallback> stands in (a problem the validation finds where the content "
                        "would be may come from this)",
                        "include-fallback",
                    )
                    for line, message in fallbacks
                ]
        if task.encoding:
            with clock("validate"):
                result.encoding = check_untagged(task.path, tree, self.matcher()) if task.is_document else []
        return result

    def _core_steps(
        self, task: SourceTask, tree: etree._ElementTree, clock: _Clock, result: SourceResult
    ) -> CoreResult:
        """Check, read and transform a source (or only check it, or only read and transform it: task.half)."""
        path = task.path
        checks, texts = task.half != "texts", task.half != "checks"
        core = CoreResult(True)
        prepared = None
        if task.is_document and self.settings.media and (texts or self.settings.schematrons):
            from tei_edition.transform.xslt import prepare_document

            with clock("parse"):  # one Saxon tree for Schematron and every medium's transform
                try:
                    prepared = prepare_document(tree)
                except SourceError:
                    prepared = None  # each step parses again and reports the problem where it used to
        with clock("validate"):
            if checks:
                diagnostics, local_schemas = self.checker.validate(tree, path, prepared)
                core.diagnostics.extend(diagnostics)
                core.schema_files = file_hashes(local_schemas)
                core.ids, core.targets = id_declarations(tree), frozenset(pointed_ids(tree) | expanded_targets(tree))
            if task.is_document and checks:
                core.page_images = page_image_urls(tree.getroot())
                shown = set(core.page_images)
                graphics = ((g.get("url") or "", line_of(g)) for g in tree.getroot().iter(f"{T}graphic"))
                core.graphics = tuple(g for g in graphics if g not in shown)
                core.diagnostics.extend(check_prefixes(path, tree))
            if task.is_document:
                names = resolve_names(tree, path, self.register_keys())
                core.names = names.kept()
                # a register entry named by the address of its authority record is pointed to too
                core.targets |= {entity_id for _uri, entity_id in names.by_uri}
        if task.is_document and checks and not self.settings.read:
            # `edition validate` reads no documents, but a fault in a volume names the document it is in, and its
            # summary counts the documents of volumes and the letters of correspondence files.
            if is_letter_list(tree):
                core.letters = tuple(read_letters(tree, path))
            elif self.settings.split:
                try:
                    core.parts = part_lines(find_parts(tree, self.settings.split))
                except SplitError:
                    pass  # reported by the build that reads the documents
        if not task.is_document or not self.settings.read or not texts:
            return core
        if is_letter_list(tree):  # CMIF: letters described in the header, no text of its own
            with clock("read"):
                core.letters = tuple(read_letters(tree, path))
            return core
        with clock("read"):
            core.entries = tuple(names.entries)
            try:
                parts = find_parts(tree, self.settings.split)
                documents = read_documents(tree, path, parts, names)
                core.parts = part_lines(parts)
            except SplitError as exc:
                core.diagnostics.append(Diagnostic(path, 0, 0, Severity.ERROR, str(exc), "xml"))
                return core
            volume = documents[0]
            # The passages for the register pages go to the build cache: the main process keeps their summary.
            if len(documents) == 1:
                by_page = {volume.id: read_passages(tree, names)}
            else:
                by_page = read_passages_by_page(tree, part_finder(parts, volume.id), names)
            for doc in documents:
                summaries, dumped = summarise_passages(by_page.get(doc.id, {}))
                core.passages[doc.id] = pack_groups(summaries)
                result.passages.update({(doc.id, entity_id): data for entity_id, data in dumped.items()})
        with clock("transform"):
            try:
                transformer = self.transformer()
            except SourceError as exc:
                result.fatal = (str(exc.path), exc.line or 0, exc.column or 0, exc.detail)
                return core
            try:
                if prepared is None and self.settings.media:
                    prepared = transformer.prepare(tree)
                split, links = self.settings.split if len(documents) > 1 else "", names.parameter()
                for media in self.settings.media:
                    params = {
                        "root": "../../" if media == "screen" else "",
                        "media": media,
                        "doc-id": volume.id,
                        "names": links,
                    }
                    out = transformer.transform(tree, {**params, "split": split}, prepared)
                    for doc_id, body in split_bodies(out, [d.id for d in documents], path).items():
                        result.bodies[(doc_id, media)] = body
            except SourceError as exc:
                core.failure = (exc.line or 0, exc.detail)
        core.documents = tuple(documents)
        return core


def register_entities(registers: Iterable[tuple[Path, bytes]]) -> dict[str, Entity]:
    """The entries of the registers (path, bytes) that parse (one that does not is reported by its own task)."""
    from tei_edition.tei.registers import all_entities, read_registers

    trees = []
    for path, data in registers:
        try:
            trees.append((path, parse_bytes(data, path)))
        except SourceError:
            continue
    return all_entities(read_registers(trees))


def register_keys(registers: Iterable[tuple[Path, bytes]]) -> RegisterKeys:
    """What resolving names needs of the registers (path, bytes)."""
    return RegisterKeys.of(register_entities(registers).values())


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


def parse_source(
    data: bytes,
    path: Path,
    is_document: bool,
    fallbacks: list[tuple[int, str]] | None = None,
    included: list[Path] | None = None,
) -> etree._ElementTree:
    """Parse a source safely and check it is TEI (a document must have a text); SourceError otherwise. `fallbacks`
    receives the includes that could not be had and whose xi:fallback stands in, `included` the files its includes
    name (tei/parse.py)."""
    tree = parse_bytes(data, path, included=included, fallbacks=fallbacks)
    require_source(tree, path, is_document)
    return tree


_STATE = threading.local()  # one SourceWorker per thread: compiled Saxon executables are not thread-safe


def thread_worker(settings: StageSettings) -> SourceWorker:
    """This thread's worker for these settings, made on first use."""
    current: SourceWorker | None = getattr(_STATE, "worker", None)
    if (
        current is not None
        and current.settings != settings
        and current.settings
        == replace(
            settings,
            shared_ids=current.settings.shared_ids,
            shared_in_files=current.settings.shared_in_files,
            absent_ids=current.settings.absent_ids,
        )
    ):  # only the ids to scope differ: the compiled schemas and stylesheets still serve
        current.settings, current._register_keys = settings, None
    elif current is None or current.settings != settings:
        current = SourceWorker(settings)
        _STATE.worker = current
    return current


def warm_up(settings: StageSettings, documents: int = 0) -> None:
    """Pool initializer: compile the schemas and stylesheets as the worker starts, in parallel with the others, for
    checking about `documents` sources."""
    worker = thread_worker(settings)
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
    worker = thread_worker(settings)
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
        results.append(worker.process(task))
    return results


def with_data(tasks: list[SourceTask]) -> list[SourceTask]:
    """The tasks with their files' contents, for workers that may not see this machine's files (Dask)."""
    return [task if task.data is not None else replace(task, data=read_source(task.path)) for task in tasks]


class CachedBodies(Mapping[str, str]):
    """Document id -> HTML fragment, read from the cache when asked for, so that bodies are not all held at once.

    `links`: for a document whose pointers name ids its own file does not declare, each such id with the page of
    the site that shows it (a register entry's, another document's, at the id): its links '#id' lead there (the
    stylesheets see one file only, where '#id' can only be an anchor of the page)."""

    def __init__(
        self, cache: BuildCache, cache_keys: dict[str, str], links: Mapping[str, Mapping[str, str]] | None = None
    ):
        self.cache = cache
        self.cache_keys = cache_keys
        self.links: Mapping[str, Mapping[str, str]] = links or {}

    def __getitem__(self, doc_id: str) -> str:
        data = self.cache.get(self.cache_keys[doc_id])
        if data is None:
            raise KeyError(doc_id)
        body = data.decode("utf-8")
        links = self.links.get(doc_id)
        return relink(body, links) if links else body

    def __iter__(self) -> Iterator[str]:
        return iter(self.cache_keys)

    def __len__(self) -> int:
        return len(self.cache_keys)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.cache_keys

    def fingerprint(self, doc_id: str) -> str:
        """What stands for a document's fragment in page hashes: its cache key, with where its outside links lead."""
        links = self.links.get(doc_id)
        key = self.cache_keys[doc_id]
        return content_key(key, *(f"{i} {page}" for i, page in sorted(links.items()))) if links else key


def relink(body: str, links: Mapping[str, str]) -> str:
    """A screen body with its links to ids outside its page ('#id' where the body has no such id) led to the pages
    of the site that show them (`links`: id -> path below the site's root; the body's links to the root are
    '../../'), and those to an id nothing declares ('') left without a target: their words stay, no link leads
    nowhere."""
    for target, page in links.items():
        if f' id="{target}"' not in body:
            body = body.replace(f' href="#{target}"', f' href="../../{page}"' if page else "")
    return body


def body_key(core_key: str, doc_id: str, media: str) -> str:
    """The cache key of the HTML fragment of a document of a source (by the source's key) for one medium."""
    return content_key("body", core_key, doc_id, media)


def document_key(core_key: str, doc_id: str) -> str:
    """The cache key that stands for one document of a source: its passages are kept under it."""
    return f"{core_key}/{doc_id}"


_PART = re.compile(r"<!--ed:part (\S+)-->")


def split_bodies(out: str, doc_ids: list[str], path: Path) -> dict[str, str]:
    """The stylesheets' output for a file, by document: the volume's page first, then each part's after the
    comment that names it (xslt/parts.xsl); SourceError when they did not find the parts tei/parts.py found."""
    pieces = _PART.split(out)
    found = [doc_ids[0], *pieces[1::2]]
    if found != doc_ids:
        raise SourceError(
            path,
            f"the stylesheets found other documents in the file than the build did ({len(found)} against "
            f"{len(doc_ids)}): an edition's own xslt/ must keep the parts of xslt/parts.xsl",
        )
    return dict(zip(found, pieces[0::2], strict=True))


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
