"""Full-text search: Pagefind indexes the staged document pages (while the other pages are rendered) before the
site is swapped in."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tei_edition.build.site.context import Site
from tei_edition.errors import BuildError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchIndexStats:
    """What indexing did: pages indexed and the seconds it took."""

    pages: int
    seconds: float


class IndexJob:
    """Pagefind indexing the staged document pages in a thread of its own while the other pages are rendered."""

    def __init__(self, pages: str, language: str, temporary: bool = False):
        self.pages_folder = pages if temporary else None  # removed with the job
        self.bundle = tempfile.mkdtemp(prefix="tei-edition-pagefind-")
        self.started = time.perf_counter()
        self.pages = 0
        self.error: BaseException | None = None
        # The work is Pagefind's own process; this thread only waits on its pipes, so it hardly holds the GIL.
        self.thread = threading.Thread(target=self._run, args=(pages, language), daemon=True,
                                       name="pagefind")
        self.thread.start()

    def _run(self, pages: str, language: str) -> None:
        try:
            self.pages = asyncio.run(_index(pages, self.bundle, language))
        except BaseException as exc:  # noqa: BLE001 - handed to the thread that waits for the job
            self.error = exc

    def wait(self) -> int:
        """Wait for the index to be written into the bundle folder; the number of pages indexed."""
        self.thread.join()
        if isinstance(self.error, BuildError):
            raise self.error
        if self.error is not None:  # the Pagefind service reports its failures as assorted exception types
            raise BuildError(f"the search index could not be built with Pagefind: {self.error}") from None
        return self.pages

    def discard(self) -> None:
        """Wait for the job and remove its bundle, whatever became of it."""
        self.thread.join()
        shutil.rmtree(self.bundle, ignore_errors=True)
        if self.pages_folder is not None:
            shutil.rmtree(self.pages_folder, ignore_errors=True)


def start_index(site: Site) -> None:
    """Start indexing the document pages, which must all be staged already; index_site() collects the result."""
    if "search-job" not in site.cache:
        pages = [f"{page}index.html" for page in site.pages if page.startswith("documents/")]
        language = site.info.language.split("-")[0].lower()
        if not any(site.out.current(rel) != site.out.staging / rel for rel in pages):
            site.cache["search-job"] = IndexJob(str(site.out.staging), language)
            return
        # Some pages are kept from the last build, not staged: Pagefind reads them all through a folder of links.
        folder = Path(tempfile.mkdtemp(prefix=".search-pages-", dir=site.out.staging.parent))
        for rel in pages:
            (folder / rel).parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(site.out.current(rel), folder / rel)
            except OSError:
                shutil.copyfile(site.out.current(rel), folder / rel)
        site.cache["search-job"] = IndexJob(str(folder), language, temporary=True)


def discard_index(site: Site) -> None:
    """Stop waiting for a search index that will not be used (the build failed)."""
    job: IndexJob | None = site.cache.pop("search-job", None)
    if job is not None:
        job.discard()


def index_site(site: Site) -> SearchIndexStats:
    """Index the staged document pages with Pagefind (started earlier or now); the bundle goes through the writer
    to `pagefind/` beside the pages."""
    start_index(site)
    job: IndexJob = site.cache.pop("search-job")
    try:
        pages = job.wait()
        for path in sorted(Path(job.bundle).rglob("*")):
            if path.is_file():
                site.out.write_bytes(f"pagefind/{path.relative_to(job.bundle).as_posix()}", path.read_bytes())
    finally:
        job.discard()
    stats = SearchIndexStats(pages, time.perf_counter() - job.started)
    site.cache["search"] = stats
    log.info("search index: %d pages in %.2f s", stats.pages, stats.seconds)
    return stats


async def _index(staging: str, bundle: str, language: str) -> int:
    from pagefind.index import PagefindIndex

    config = {"output_path": bundle, "force_language": language, "verbose": False}
    async with PagefindIndex(config=config) as index:  # type: ignore[arg-type]
        # Only document pages carry data-pagefind-body; reading the register and chronology pages too (most of the
        # site's bytes) would cost time and memory for nothing.
        result = await index.add_directory(staging, glob="documents/**/*.html")
    if result.get("errors"):
        raise BuildError("Pagefind could not index the site: " + "; ".join(map(str, result["errors"])))
    return int(result.get("page_count", 0))
