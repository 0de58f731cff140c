"""Full-text search: Pagefind indexes the staged document pages, shard by shard as they are written and while the
other pages are rendered, before the site is swapped in.

The index is split into shards, each a Pagefind bundle of its own: shard 0 in `pagefind/` (with Pagefind's
scripts), shard k in `pagefind/shard-k/` (index data only), listed in `pagefind/shards.json` for the search page,
which merges them. A document's shard is a hash of its page folder modulo the shard count, and the count depends
only on the number of documents (see shard_count), so editing one document changes one shard: the others are
carried over from the last build. A shard's bundle is a function of its pages only (see canonical_bundle), so an
incremental build writes the same bytes as a clean one.
"""

from __future__ import annotations

import functools
import gzip
import itertools
import json
import logging
import math
import os
import re
import shutil
import subprocess
import tempfile
import time
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tei_edition.errors import BuildError
from tei_edition.output.hashing import hash_bytes, stable_number
from tei_edition.output.paths import id_segment
from tei_edition.tei.model import Document
from tei_edition.web.context import Site

log = logging.getLogger(__name__)

# The number of shards grows as the square root of the number of documents: floor(sqrt(n / SHARD_SCALE)), so 1 shard
# up to 39 documents, 3 for 100, 10 for 1,000 (~100 pages each). Editing a document re-indexes one shard (Pagefind's
# program: 0.18-0.28 s for 100 pages), while every shard costs the search page a few more requests when it opens
# (entry, metadata, a file per filter) and one more per search (measured with 1,000 documents: ready in ~0.4 s with
# 5 or 10 shards, a search in ~0.23 s): the square root balances the two. Beyond 6,250 documents shards keep to
# ~SHARD_PAGES pages (40 for 10,000 documents), as a Pagefind process holds ~0.5 MB per page.
SHARD_SCALE = 10
SHARD_PAGES = 250
# Pagefind processes run at once when several shards are indexed (each also uses threads of its own).
PARALLEL_INDEXES = 2
LARGE_SHARD = 200  # pages: a Pagefind process indexing this many holds ~100 MB
PAGEFIND_TIMEOUT = 600  # seconds for one shard (~2.5 ms per page on two cores)
SHARD_LIST = "pagefind/shards.json"
# A shard other than the first needs only its index data: merged indexes use the first bundle's scripts and wasm.
_SHARD_DATA = re.compile(r"^(pagefind-entry\.json|pagefind\.[\w-]+\.pf_meta|(filter|fragment|index)/[\w.-]+)$")
_DOCUMENT_PAGE = re.compile(r"^documents/([^/]+)/(?:.+/)?[^/]+\.html$")
DOCUMENT_PAGES = "documents/**/*.html"  # what Pagefind indexes of a folder of a shard's pages
_GLOB_PLAIN = re.compile(r"[A-Za-z0-9._~-]+")  # a page folder's name that stands for itself in a glob
_SHARD_FOLDER = re.compile(r"^pagefind/shard-(\d+)/")
# Bumped when what a shard's bundle is made from changes (layout, canonical form), so old shards are not reused.
_SHARD_FORMAT = "2"
# What the index leaves out of the pages' text, so that excerpts carry no note numbers, back links to the notes or
# page numbers of the source (the stylesheets' classes for them).
NOT_INDEXED = ".noteref, .noteback, .note-label, .pb"


@dataclass(frozen=True)
class SearchIndexStats:
    """What indexing did: pages indexed, shards in all and re-indexed, and the seconds it took."""

    pages: int
    seconds: float
    shards: int = 1
    shards_indexed: int = 1

    def describe(self) -> str:
        """One line for the build's detail output."""
        return (
            f"search index: {self.shards_indexed} of {self.shards} shard(s) indexed ({self.pages} pages) "
            f"in {self.seconds:.2f} s"
        )


def parallel_indexes(shards: Iterable[list[str]]) -> int:
    """How many Pagefind processes index at once: one when shards are large, as each holds ~0.5 MB per page."""
    largest = max((len(pages) for pages in shards), default=0)
    return PARALLEL_INDEXES if largest <= LARGE_SHARD else 1


def shard_count(documents: int) -> int:
    """How many shards an edition of `documents` documents has (at least one)."""
    return max(1, math.isqrt(documents // SHARD_SCALE), -(-documents // SHARD_PAGES))


def shard_of(document_folder: str, shards: int) -> int:
    """The shard of a document, given its page folder under documents/ (a function of its id only)."""
    return stable_number(document_folder) % shards


def shard_prefix(shard: int) -> str:
    """The output folder of a shard's bundle."""
    return "pagefind/" if shard == 0 else f"pagefind/shard-{shard}/"


# The packages that ship Pagefind's program, in the order they are looked for.
_PROGRAM_PACKAGES = ("pagefind_bin_extended", "pagefind_bin")


@functools.cache
def pagefind_program() -> tuple[Path | None, str]:
    """Pagefind's program and the version of the package it comes with ('?' when that cannot be told).

    Found through the small package that ships it, with the version its installed folder is named after: the
    `pagefind` package's own lookup imports asyncio, and importlib.metadata more besides (~0.08 s a build)."""
    import importlib

    for name in _PROGRAM_PACKAGES:
        try:
            module = importlib.import_module(name)
            program = Path(module.get_executable())
        except (ImportError, OSError, AttributeError):
            continue
        if module.__file__ is None:  # a namespace package: no folder to read the version from
            return program, "?"
        site = Path(module.__file__).resolve().parent.parent
        info = sorted(site.glob(f"{name}-*.dist-info"))
        return program, info[0].name[len(name) + 1 : -len(".dist-info")] if len(info) == 1 else "?"
    return None, "?"


def _shard_key(shard: int, count: int, pages: Mapping[str, str], language: str, pagefind: str) -> str:
    """A hash of everything a shard's bundle is made from: its pages, its place, the language and Pagefind."""
    text = json.dumps([_SHARD_FORMAT, pagefind, language, shard, count, sorted(pages.items())])
    return hash_bytes(text.encode("utf-8"))


def _shard_of_output(rel: str) -> int | None:
    """The shard an output file belongs to, or None when it is not part of a shard's bundle."""
    if not rel.startswith("pagefind/") or rel == SHARD_LIST:
        return None
    match = _SHARD_FOLDER.match(rel)
    return int(match.group(1)) if match else 0


class IndexJob:
    """Pagefind indexing shards in threads of their own, each shard as soon as its pages are ready (see add), while
    the build renders the other pages. The work is Pagefind's own processes: the threads only wait on their pipes."""

    def __init__(self, language: str, parallel: int, near: Path):
        # Beside the staging folder (`near`), on its file system: a shard's pages are linked into it when some are
        # kept from the last build, and the bundles are moved out of it, rather than copied. Its name is a staging
        # folder's, so that a build that was killed leaves nothing the next one does not remove
        # (output/writer.py: remove_stale_staging).
        self.folder = tempfile.mkdtemp(prefix=".html.new-search-", dir=near)
        self.language = language
        self.shards: set[int] = set()  # the shards handed over
        self.started = time.perf_counter()
        self._pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="pagefind")
        self._futures: dict[int, Future[int]] = {}

    def add(self, shard: int, files: Mapping[str, Path], staging: Path | None = None) -> None:
        """Index a shard whose pages (output path -> where the file is now) are all written. `staging`: the folder
        the pages are written into, at their output paths."""
        self.shards.add(shard)
        folders = _page_folders(files, staging)
        if staging is not None and folders is not None:
            # Every page is in the staging folder (a clean build): Pagefind reads them there, its glob naming the
            # shard's page folders, and no folder of links is made (557 folders and links fewer for the corpora).
            site, glob = staging, "documents/{" + ",".join(folders) + "}/**/*.html"
        else:
            # Some pages are kept from the last build: the shard's pages are hard-linked into a folder of their own,
            # at the same paths (here: in a thread, each of these calls would wait for its turn while this one
            # renders pages).
            _link_pages(files, self._site(shard))
            site, glob = self._site(shard), DOCUMENT_PAGES
        self._futures[shard] = self._pool.submit(self._index_shard, shard, site, glob, files)

    def bundle(self, shard: int) -> Path:
        """The folder Pagefind writes a shard's bundle into."""
        return Path(self.folder) / f"bundle-{shard}"

    def _site(self, shard: int) -> Path:
        """The folder of the shard's pages, as Pagefind reads them."""
        return Path(self.folder) / f"site-{shard}"

    def _index_shard(self, shard: int, site: Path, glob: str, files: Mapping[str, Path]) -> int:
        count = _index(str(site), str(self.bundle(shard)), self.language, glob, self.folder)
        if glob != DOCUMENT_PAGES and count != len(files):  # the glob did not select them all: read them linked
            shutil.rmtree(self.bundle(shard), ignore_errors=True)
            _link_pages(files, self._site(shard))
            count = _index(str(self._site(shard)), str(self.bundle(shard)), self.language, DOCUMENT_PAGES, self.folder)
        canonical_bundle(self.bundle(shard))
        # The shard's folder of links to its pages (one folder per page), if any, goes now, while the build renders
        # other pages: removing hundreds of folders at the end of the build took up to 1.7 s on a busy disk.
        shutil.rmtree(self._site(shard), ignore_errors=True)
        return count

    def wait(self) -> int:
        """Wait for every shard's bundle to be written; the number of pages indexed."""
        pages = 0
        for _shard, future in sorted(self._futures.items()):
            try:
                pages += future.result()
            except BuildError:
                raise
            except Exception as exc:  # noqa: BLE001 - reading or rewriting a bundle fails in assorted ways
                raise BuildError(f"the search index could not be built with Pagefind: {exc}") from None
        return pages

    def discard(self) -> None:
        """Wait for the job and remove its folders, whatever became of them."""
        self._pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self.folder, ignore_errors=True)


class SearchIndex:
    """The shards of this build's search index: which documents each holds, their keys, and the job indexing those
    that cannot be carried over from the last build.

    The document pages are rendered shard by shard (groups()), and each shard is handed to Pagefind as soon as its
    pages are written (ready()), so that indexing runs while the build renders the rest."""

    def __init__(self, site: Site):
        self.site = site
        # The last build's bundle files by shard (output path -> (deps, content hash)): looked up once per shard.
        self.earlier: dict[int, dict[str, tuple[str, str]]] = {}
        for rel, record in site.previous.items():
            if rel.startswith("pagefind/") and (number := _shard_of_output(rel)) is not None:
                self.earlier.setdefault(number, {})[rel] = record
        self.language = site.info.language.split("-")[0].lower()
        self.pagefind = pagefind_program()[1]
        documents = site.data.documents
        self.count = shard_count(len({_segment(doc.id) for doc in documents}))
        self.members: list[list[Document]] = [[] for _ in range(self.count)]
        for doc in documents:
            self.members[shard_of(_segment(doc.id), self.count)].append(doc)
        self.parallel = parallel_indexes([[doc.id for doc in docs] for docs in self.members])
        self.keys: list[str] = [""] * self.count
        self.job: IndexJob | None = None
        self.pages = {k: 0 for k in range(self.count)}
        self._seen = 0  # how many of the writer's outputs were looked at for document pages

    def groups(self, changed: Collection[str] = ()) -> Iterator[tuple[int, list[Document]]]:
        """Each shard with its documents (in the edition's order), first those holding a document of `changed` (ids
        of documents whose sources changed): they are the shards to index again, the sooner the better."""
        first = [k for k, docs in enumerate(self.members) if any(doc.id in changed for doc in docs)]
        order = first + [k for k in range(self.count) if k not in first]
        return ((k, self.members[k]) for k in order)

    def ready(self, shard: int) -> None:
        """The pages of `shard` are all written: carry its bundle over if they are unchanged, else index it."""
        hashes = self.site.out.hashes
        pages: dict[str, str] = {}
        for rel in itertools.islice(hashes, self._seen, None):
            match = _DOCUMENT_PAGE.match(rel)
            if match and shard_of(match.group(1), self.count) == shard:
                pages[rel] = hashes[rel]
        self._seen = len(hashes)
        self.pages[shard] = len(pages)
        key = self.keys[shard] = _shard_key(shard, self.count, pages, self.language, self.pagefind)
        # A shard without pages (possible only with very few documents per shard) is left out, but for the first,
        # whose bundle carries Pagefind's scripts.
        if not pages and (shard != 0 or not any(self.members)):
            return  # an edition without document pages (letters described only by their metadata) has no index
        if _carry_shard_over(self.site, self.earlier.get(shard, {}), key):
            return
        if self.job is None:
            self.job = IndexJob(self.language, self.parallel, self.site.out.staging.parent)
        # Where each page is now: staged, or kept from the last build where it was.
        self.job.add(shard, {rel: self.site.out.current(rel) for rel in pages}, self.site.out.staging)

    def finish(self) -> SearchIndexStats:
        """Wait for the shards being indexed; their bundles go through the writer to `pagefind/`, beside the pages,
        with the list of shards for the search page."""
        site = self.site
        started = self.job.started if self.job is not None else time.perf_counter()
        indexed = 0
        if self.job is not None:
            try:
                indexed = self.job.wait()
                for shard in sorted(self.job.shards):
                    _write_bundle(site, shard, self.keys[shard], self.job.bundle(shard))
            finally:
                self.job.discard()
        merged = [shard_prefix(k)[len("pagefind/") :] for k in range(1, self.count) if self.pages[k]]
        site.out.write_bytes(SHARD_LIST, (json.dumps({"shards": merged}) + "\n").encode("utf-8"))
        stats = SearchIndexStats(
            indexed, time.perf_counter() - started, self.count, len(self.job.shards) if self.job is not None else 0
        )
        log.info("%s", stats.describe())
        return stats

    def discard(self) -> None:
        """Stop waiting for a search index that will not be used (the build failed)."""
        if self.job is not None:
            self.job.discard()


def _segment(doc_id: str) -> str:
    """The name of a document's page folder under documents/ (what its shard is a function of)."""
    return id_segment(doc_id)


def _carry_shard_over(site: Site, earlier: Mapping[str, tuple[str, str]], key: str) -> bool:
    """Take a shard's whole bundle from the last build (`earlier`: its files there, with their deps and content
    hashes) when it was made from the same pages; False (and nothing written) when any of its files is missing or
    was changed."""
    files = {rel: content for rel, (deps, content) in earlier.items() if deps == key}
    if not files:
        return False
    # Checked before anything is taken: half a bundle carried over could not be completed by indexing again.
    if not all(site.out.still_there(rel, expected) for rel, expected in files.items()):
        return False
    return all(site.carry_over(rel, key) for rel in sorted(files))


def _write_bundle(site: Site, shard: int, key: str, bundle: Path) -> None:
    """Write a shard's bundle into the output (all of it for shard 0, its index data for the others)."""
    prefix = shard_prefix(shard)
    for path in sorted(bundle.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(bundle).as_posix()
        if shard != 0 and not _SHARD_DATA.match(rel):
            continue
        site.out.move_in(prefix + rel, path)
        site.out.deps[prefix + rel] = key


def _page_folders(files: Mapping[str, Path], staging: Path | None) -> list[str] | None:
    """The names of the page folders under documents/ of these pages (output path -> where the file is now),
    when every one is in `staging` at its output path and their names need no escaping in a glob; else None."""
    if staging is None or not files:
        return None
    folders: set[str] = set()
    for rel, where in files.items():
        match = _DOCUMENT_PAGE.match(rel)
        if match is None or where != staging.joinpath(*rel.split("/")) or not _GLOB_PLAIN.fullmatch(match.group(1)):
            return None
        folders.add(match.group(1))
    return sorted(folders)


def _link_pages(files: Mapping[str, Path], site: Path) -> None:
    """Link each page (output path -> where the file is now) into `site` at its output path (copied if need be)."""
    for rel, source in sorted(files.items()):
        target = site.joinpath(*rel.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)


def _index(site: str, bundle: str, language: str, glob: str, cwd: str) -> int:
    """Index the pages of the folder `site` that `glob` selects into a Pagefind bundle in `bundle`; the number of
    pages indexed. Pagefind runs in `cwd`, a folder of the build's own.

    Pagefind's own program is run once per shard: its Python service answers each request only after a pause of a
    tenth of a second, which cost ~0.3 s per shard (0.63 s for a shard of 100 pages, 0.2 s with the program)."""
    program = pagefind_program()[0]
    if program is None:
        raise BuildError(
            "the search index needs Pagefind's program, which is not installed: "
            "install it with `pip install 'pagefind[extended]'`"
        )
    # Pagefind also reads its settings from pagefind.* files in its working folder and from PAGEFIND_* variables:
    # neither may change the index, so it runs in a folder of the build's own with those variables removed.
    env = {name: value for name, value in os.environ.items() if not name.upper().startswith("PAGEFIND_")}
    command = [
        str(program),
        "--site",
        site,
        "--output-path",
        bundle,
        "--force-language",
        language,
        "--glob",
        glob,
        "--exclude-selectors",
        NOT_INDEXED,
        "--silent",
    ]
    try:
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, errors="replace", timeout=PAGEFIND_TIMEOUT
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise BuildError(f"Pagefind could not be run to build the search index: {exc}") from None
    if done.returncode != 0:
        said = (done.stderr.strip() or done.stdout.strip() or f"exit status {done.returncode}")[-2000:]
        raise BuildError(f"Pagefind could not index the site: {said}")
    try:
        entry = json.loads((Path(bundle) / "pagefind-entry.json").read_text(encoding="utf-8"))
        pages = sum(int(language["page_count"]) for language in entry["languages"].values())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pages = -1
    if pages < 0 or not _bundle_is_complete(Path(bundle), pages):
        raise BuildError(f"Pagefind did not write a complete search index into {bundle}")
    return pages


def _bundle_is_complete(bundle: Path, pages: int) -> bool:
    try:
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        languages = entry["languages"]
        if sum(int(language["page_count"]) for language in languages.values()) != pages:
            return False
        if not all((bundle / f"pagefind.{language['hash']}.pf_meta").is_file() for language in languages.values()):
            return False
        for path in bundle.rglob("*"):
            if path.is_file() and (
                path.stat().st_size == 0 or (path.suffix.startswith(".pf_") and not gzip.decompress(path.read_bytes()))
            ):
                return False
    except (OSError, ValueError, KeyError, TypeError, EOFError, zlib.error):
        return False
    return True


# ---------------------------------------------------------------------------------------------------------------
# Pagefind writes its filter lists in hash-map order, which changes from run to run (and so do the names of the
# files, which are hashes of their content). Sorting them, and naming the files after the sorted content, makes
# a bundle a function of its pages only, so that two builds of the same sources are the same bytes
# (tests/test_determinism.py) and an unchanged shard is carried over. Pagefind offers no option for this, so this
# reads its file format (gzip, a magic string, CBOR), which is not a published interface: a Pagefind whose files it
# does not recognise leaves the bundle as Pagefind wrote it (valid, only not reproducible), with a warning.

_PAGEFIND_MAGIC = b"pagefind_dcd"


def canonical_bundle(folder: Path) -> None:
    """Rewrite the filter and metadata files of the Pagefind bundle in `folder` in a canonical order and naming."""
    entry_path = folder / "pagefind-entry.json"
    if not entry_path.is_file():
        return
    try:
        import cbor2
    except ImportError:  # without the decoder the index stays as Pagefind wrote it (valid, just not reproducible)
        return
    entry = entry_path.read_text(encoding="utf-8")
    # Every file read once, and nothing changed unless all are in the format this knows.
    decoded = {
        path: _pagefind_load(cbor2, path)
        for path in [*folder.glob("pagefind.*.pf_meta"), *folder.glob("filter/*.pf_filter")]
    }
    if any(value is _UNKNOWN for value in decoded.values()):
        log.warning("the search index is in a Pagefind format this version does not know: left as Pagefind wrote it")
        return
    for meta_path in sorted(folder.glob("pagefind.*.pf_meta")):
        language_hash = meta_path.name[len("pagefind.") : -len(".pf_meta")]
        language = language_hash.rsplit("_", 1)[0]
        meta = decoded[meta_path]
        renamed: dict[str, str] = {}
        for position, item in enumerate(meta):
            if not (
                isinstance(item, list)
                and item
                and all(
                    isinstance(f, list)
                    and len(f) == 2
                    and isinstance(f[1], str)
                    and (folder / "filter" / f"{f[1]}.pf_filter").is_file()
                    for f in item
                )
            ):
                continue
            for _name, old in item:
                path = folder / "filter" / f"{old}.pf_filter"
                content = decoded[path]
                if isinstance(content, list) and len(content) == 2 and isinstance(content[1], list):
                    content[1].sort(key=lambda value: str(value[0]) if isinstance(value, list) and value else "")
                data = _pagefind_dump(cbor2, content)
                new = f"{language}_{hash_bytes(data)[:7]}"
                path.unlink()
                (folder / "filter" / f"{new}.pf_filter").write_bytes(data)
                renamed[old] = new
            meta[position] = sorted(([name, renamed[old]] for name, old in item), key=lambda f: f[0])
        data = _pagefind_dump(cbor2, meta)
        new_hash = f"{language}_{hash_bytes(data)[:10]}"
        meta_path.unlink()
        (folder / f"pagefind.{new_hash}.pf_meta").write_bytes(data)
        entry = entry.replace(f'"{language_hash}"', f'"{new_hash}"')
    entry_path.write_text(entry, encoding="utf-8")


_UNKNOWN = object()  # what _pagefind_load gives for a file in a format it does not know


def _pagefind_load(cbor2: Any, path: Path) -> Any:
    """A file of a Pagefind bundle, decoded; _UNKNOWN when it is not in the format canonical_bundle knows."""
    try:
        raw = gzip.decompress(path.read_bytes())
    except (OSError, EOFError, gzip.BadGzipFile):
        return _UNKNOWN
    if not raw.startswith(_PAGEFIND_MAGIC):
        return _UNKNOWN
    return cbor2.loads(raw[len(_PAGEFIND_MAGIC) :])


def _pagefind_dump(cbor2: Any, value: Any) -> bytes:
    return gzip.compress(_PAGEFIND_MAGIC + cbor2.dumps(value), compresslevel=9, mtime=0)
