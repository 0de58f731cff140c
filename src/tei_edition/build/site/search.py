"""Full-text search: Pagefind indexes the staged site (document texts only) before it is swapped in."""

from __future__ import annotations

import asyncio
import logging
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Coroutine

from tei_edition.build.site.context import Site
from tei_edition.errors import BuildError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SearchIndexStats:
    """What indexing did: pages indexed and the seconds it took."""

    pages: int
    seconds: float


def index_site(site: Site) -> SearchIndexStats:
    """Run Pagefind over the staged output; its bundle goes through the writer to `pagefind/` beside the pages."""
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tei-edition-pagefind-") as bundle:
        try:
            pages = _run_async(_index, str(site.out.staging), bundle, site.info.language.split("-")[0].lower())
        except BuildError:
            raise
        except Exception as exc:  # the Pagefind service reports its failures as assorted exception types
            raise BuildError(f"the search index could not be built with Pagefind: {exc}") from None
        for path in sorted(Path(bundle).rglob("*")):
            if path.is_file():
                site.out.write_bytes(f"pagefind/{path.relative_to(bundle).as_posix()}", path.read_bytes())
    stats = SearchIndexStats(pages, time.perf_counter() - start)
    site.cache["search"] = stats
    log.info("search index: %d pages in %.2f s", stats.pages, stats.seconds)
    return stats


def _run_async(func: Callable[..., Coroutine[Any, Any, int]], *args: str) -> int:
    """Run a coroutine to completion, in a thread of its own when the caller already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(func(*args))
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(func(*args))).result()


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
