"""The HTML edition: Jinja2 pages around the transformed texts, registers, chronology, downloads and search."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from jinja2 import TemplateError

from tei_edition.errors import BuildError
from tei_edition.output.cache import BuildCache
from tei_edition.output.plan import tool_fingerprint
from tei_edition.output.writer import OutputWriter
from tei_edition.tei.edition import EditionData
from tei_edition.transform.jinja import make_env
from tei_edition.web.chronology import render_chronology
from tei_edition.web.context import Site
from tei_edition.web.documents import render_documents, render_home
from tei_edition.web.downloads import render_downloads
from tei_edition.web.facsimile import PageImages, write_page_images
from tei_edition.web.letters import render_letters
from tei_edition.web.map import add_to_navigation, render_map
from tei_edition.web.media import copy_media
from tei_edition.web.pages import copy_assets, render_about, render_search_page, write_sitemap
from tei_edition.web.registers import render_registers
from tei_edition.web.search import SearchIndex, SearchIndexStats
from tei_edition.web.versions import render_versions
from tei_edition.web.witnesses import render_witnesses
from tei_edition.web.works import render_bibliography


def template_location(exc: TemplateError) -> tuple[str, int | None]:
    """The template file and line an error comes from: from a syntax error itself, else from the traceback."""
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if filename and line:
        return filename, line
    tb = exc.__traceback__
    while tb is not None:  # Jinja rewrites the traceback so that template frames carry the template's lines
        if tb.tb_frame.f_code.co_filename.endswith((".html", ".xml")):
            filename, line = tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
    return filename or "a template", line


def render_site(
    data: EditionData,
    bodies: Mapping[str, str],
    out: OutputWriter,
    previous: Mapping[str, tuple[str, str]] | None = None,
    inputs_key: str = "",
    store: BuildCache | None = None,
    on_index: Callable[[SearchIndexStats], None] | None = None,
    changed: Collection[str] = (),
    pdfs: Mapping[str, int] | None = None,
    on_images: Callable[[PageImages], None] | None = None,
) -> int:
    """Render every page of the HTML edition into `out`, index it for search; return the number of pages.

    `previous` (output path -> (deps hash, content hash) of the last build) and `inputs_key` (a hash of the shared
    inputs) let pages whose context did not change be carried over from the last build instead of rendered, and
    shards of the search index whose pages did not change. `store` (the build cache) keeps what is worth keeping
    between builds, such as the compressed members of the zip. `on_index` receives what indexing did. `changed`:
    the ids of the documents whose sources changed since the last build (their pages are rendered first). `pdfs`:
    the PDFs the build set (name below pdf/ -> size in bytes), which the pages link; none links a PDF not there.
    `on_images` receives what tiling the facsimiles' page images did."""
    site = Site(
        data,
        make_env(data.config, store, tool_fingerprint()),
        out,
        previous=previous or {},
        inputs_key=inputs_key,
        store=store,
    )
    site.cache["pdfs"] = dict(pdfs or {})
    index = SearchIndex(site)
    try:
        copy_assets(site)
        add_to_navigation(site)
        copy_media(site)
        images = write_page_images(site)  # the facsimiles' page images as tiles, made once per image content
        if on_images is not None:
            on_images(images)
        # The document pages shard by shard: Pagefind indexes a shard as soon as its pages are written, and works on
        # while the others are rendered.
        for shard, documents in index.groups(changed):
            render_documents(site, bodies, documents)
            render_versions(site, bodies, documents)
            index.ready(shard)
        render_home(site)
        render_witnesses(site)
        render_registers(site)
        render_chronology(site)
        render_map(site)
        render_letters(site, data.letters)
        render_bibliography(site)
        render_about(site)
        render_downloads(site)
        render_search_page(site)
        write_sitemap(site)
    except TemplateError as exc:
        index.discard()
        where, line = template_location(exc)
        raise BuildError(f"{where}{f':{line}' if line else ''}: template error: {exc}") from None
    except BaseException:
        index.discard()
        raise
    stats = index.finish()
    if on_index is not None:
        on_index(stats)
    return len(site.pages)
