"""The WeasyPrint engine: sets the HTML print templates (templates/print/*.html and print.css) for editions that keep
their own; Typst (print/typeset.py) is the default. What both engines share is in print/book.py.

The edition is laid out whole once, with the indexes and the chronology (every dated passage in date order) as bare
headings: that tells on which page every name mention and date falls. The indexes are then made with one link per
entity and page (the first mention on that page), so that no page number repeats. As they come last, only they are
laid out again, alone, numbered on from the documents' last page, and then the contents, whose numbers for the back
matter are now known; the pages of both are joined to the first layout's pages in between. A single document's PDF
has neither and is laid out once, in a pool of worker processes while the edition is laid out.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict
from urllib.parse import unquote, urlsplit

import jinja2
from markupsafe import Markup

from tei_edition.config import EditionConfig
from tei_edition.errors import BuildError
from tei_edition.output.cache import BuildCache
from tei_edition.output.paths import EDITION_PDF, document_pdf
from tei_edition.output.writer import OutputWriter
from tei_edition.paper import paper_size
from tei_edition.print.book import (
    PdfMetadata,
    PrintChronology,
    PrintDocument,
    PrintIndex,
    book_metadata,
    build_chronology,
    build_indexes,
    chronology_skeleton,
    document_metadata,
    index_skeleton,
    long_date,
    prepare_document,
    signs_html,
    texts_in_use,
)
from tei_edition.print.fonts import FontSet, font_cache, prepare_fonts
from tei_edition.tei.bibliography import source_description
from tei_edition.tei.edition import EditionData
from tei_edition.transform.jinja import make_env, package_templates

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.document import Document as LaidOutDocument
    from weasyprint.urls import URLFetcher, URLFetcherResponse


class PrintContext(TypedDict):
    """What the print templates receive."""

    config: EditionConfig
    meta: PdfMetadata
    documents: list[PrintDocument]
    indexes: list[PrintIndex]
    chronology: PrintChronology | None
    build_date: str
    tool_version: str
    single: bool
    part: str  # the edition's 'all', 'front' (title page to contents) or 'back' (indexes and chronology)
    page_of: dict[str, int]  # anchor -> printed page number, for parts laid out apart from what they point to
    page_start: int  # the number of the first page, when not 1 (0: not set)
    signs: list[tuple[Markup, Markup]]  # the key to the editorial signs (book.SIGNS as HTML)


def render_weasyprint(
    data: EditionData,
    print_bodies: dict[str, str],
    out: OutputWriter,
    jobs: int | None = None,
    store: BuildCache | None = None,
) -> int:
    """Write edition.pdf and documents/<id>.pdf for every document, set by WeasyPrint; return how many PDFs were
    written.

    The documents' PDFs are laid out in a pool of worker processes (`jobs`, else [build] jobs, else one per core)
    while this process lays out the edition; every PDF is written in the same order whatever finishes first.
    `store` (the build cache) keeps the fonts cut down to the edition's characters between builds.
    """
    try:
        import weasyprint  # noqa: F401  (imported here: it costs most of a second)
    except ImportError as exc:
        raise BuildError(
            f"the PDF editions need WeasyPrint, which cannot be loaded ({exc}); "
            "install it with `pip install weasyprint` or build with --no-pdf"
        ) from None
    env = make_print_env(data.config)
    documents = [
        prepare_document(data, doc, number, print_bodies) for number, doc in enumerate(data.documents, start=1)
    ]
    with tempfile.TemporaryDirectory(prefix="tei-edition-fonts-") as workdir:
        fonts = prepare_fonts(texts_in_use(data, documents), Path(workdir), font_cache(), store)
        renderer = PdfRenderer(env, data, fonts, extra_roots=(Path(workdir),))
        try:
            pages = [(document_pdf(doc.id), renderer.document_html(doc)) for doc in documents]
            workers = pdf_workers(jobs or data.config.jobs, len(documents), sum(len(html) for _name, html in pages))
            if workers == 0:
                edition = renderer.render_edition(documents)
                printed = [renderer.typesetter.write(html, "print/document.html") for _name, html in pages]
            else:
                with open_pdf_pool(renderer.setup, workers) as pool:
                    futures = [pool.submit(typeset_in_worker, html, "print/document.html") for _name, html in pages]
                    edition = renderer.render_edition(documents)
                    try:
                        printed = [future.result() for future in futures]
                    except BrokenProcessPool as exc:
                        raise BuildError(
                            f"a worker laying out the documents' PDFs stopped unexpectedly ({exc}); "
                            "build again with --jobs 1 to lay them out in one process"
                        ) from None
        finally:
            renderer.typesetter.close()
        out.write_bytes(EDITION_PDF, edition)
        for (name, _html), pdf in zip(pages, printed, strict=True):
            out.write_bytes(name, pdf)
    return 1 + len(documents)


# Below this much print text (about 25 pages), starting a worker (it imports WeasyPrint and loads the stylesheet and
# fonts: over a second) costs more than laying the documents out in this process after the edition.
POOL_MIN_DOCUMENTS = 3
POOL_MIN_CHARACTERS = 200_000


def pdf_workers(jobs: int | None, documents: int, characters: int) -> int:
    """How many worker processes lay out the documents' PDFs: 0 (all in this process) when a pool would not pay.

    This process lays out the edition meanwhile, so it counts as one of the `jobs` (default: one per core).
    """
    from tei_edition.executor import default_jobs

    cores = jobs or default_jobs()
    if cores <= 1 or documents < POOL_MIN_DOCUMENTS or characters < POOL_MIN_CHARACTERS:
        return 0
    return min(cores - 1, documents)


def open_pdf_pool(setup: PrintSetup, workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers each make one Typesetter from `setup` before their first document."""
    from tei_edition.executor import process_context

    return ProcessPoolExecutor(
        max_workers=workers, mp_context=process_context(), initializer=start_worker, initargs=(setup,)
    )


_worker_typesetter: list[Typesetter] = []  # the one Typesetter of a pool worker process, made by start_worker


def start_worker(setup: PrintSetup) -> None:
    """Pool initializer: import WeasyPrint, load the stylesheet and fonts once for every document of this worker.

    A pool worker ends without collecting its objects, so the Typesetter is closed by a finalizer that
    multiprocessing runs as the worker process ends."""
    from multiprocessing.util import Finalize

    _worker_typesetter[:] = [Typesetter(setup)]
    Finalize(None, _close_worker_typesetter, exitpriority=0)


def _close_worker_typesetter() -> None:
    for typesetter in _worker_typesetter:
        typesetter.close()
    _worker_typesetter.clear()


def typeset_in_worker(html: str, template_name: str) -> bytes:
    """Lay out one print page in a pool worker and return the PDF."""
    return _worker_typesetter[0].write(html, template_name)


def make_print_env(config: EditionConfig) -> jinja2.Environment:
    """The site's Jinja2 environment (the edition's own templates/ first, then the package's) with print filters."""
    env = make_env(config)
    env.filters["css_string"] = css_string
    env.filters["source_description"] = source_description
    return env


def css_string(value: str) -> str:
    """A value written as a CSS string literal, for content: and string-set: in the print stylesheet."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


@dataclass(frozen=True)
class PrintSetup:
    """All a process needs to lay out print pages: the stylesheet's text, the base URL and the folders it may read."""

    css: str
    base_url: str
    roots: tuple[Path, ...]


class Typesetter:
    """Lays out print pages with one stylesheet and one font configuration, and writes them as PDF."""

    def __init__(self, setup: PrintSetup):
        from weasyprint import CSS
        from weasyprint.css.counters import CounterStyle
        from weasyprint.text.fonts import FontConfiguration

        self.setup = setup
        self.font_config: FontConfiguration = FontConfiguration()
        # @counter-style rules (the marks of unnumbered notes) only take effect through a shared CounterStyle.
        self.counter_style = CounterStyle()
        self.fetcher = _local_fetcher(list(setup.roots))
        self.stylesheet: CSS = CSS(
            string=setup.css,
            font_config=self.font_config,
            counter_style=self.counter_style,
            url_fetcher=self.fetcher,
            base_url=setup.base_url,
        )

    def close(self) -> None:
        """Remove the copies of the fonts WeasyPrint made for this font configuration (~2 MB in a folder of the
        system's temporary files). WeasyPrint removes them when the configuration is collected, which a process
        that ends without collecting its objects (the `edition` program, a pool worker) never does."""
        folder = getattr(self.font_config, "_folder", None)  # WeasyPrint's own attribute, set once a face is added
        if folder:
            shutil.rmtree(folder, ignore_errors=True)

    def write(self, html: str, template_name: str) -> bytes:
        """Lay out a page made from `template_name` and return its PDF."""
        return self.layout(html, template_name).write_pdf()

    def layout(self, html: str, template_name: str) -> LaidOutDocument:
        """Lay out a page made from `template_name` (named in the error if WeasyPrint fails on it)."""
        from weasyprint import HTML

        logger = logging.getLogger("weasyprint")
        level = logger.level
        logger.setLevel(logging.ERROR)  # unsupported-CSS and missing-image chatter is not the user's business
        try:
            return HTML(string=html, base_url=self.setup.base_url, url_fetcher=self.fetcher).render(
                stylesheets=[self.stylesheet], font_config=self.font_config, counter_style=self.counter_style
            )
        except Exception as exc:  # WeasyPrint raises assorted errors on broken input; name what was being laid out
            raise BuildError(
                f"laying out the PDF from the template {template_name!r} failed: {type(exc).__name__}: {exc}"
            ) from exc
        finally:
            logger.setLevel(level)


class PdfRenderer:
    """Makes the edition's print pages from the templates and lays them out with one Typesetter."""

    def __init__(self, env: jinja2.Environment, data: EditionData, fonts: FontSet, extra_roots: tuple[Path, ...] = ()):
        self.env = env
        self.data = data
        self.config = data.config
        roots = [self.config.root, package_templates(), *extra_roots]
        roots += [face.path.parent for face in fonts.faces]
        css_text = env.get_template("print/print.css").render(
            config=self.config,
            fonts=fonts,
            page_size=paper_size(self.config.print.paper).css,
            margins=self.config.print.margins,
        )
        self.setup = PrintSetup(css=css_text, base_url=str(self.config.root) + "/", roots=tuple(roots))
        self.typesetter = Typesetter(self.setup)

    def render_edition(self, documents: list[PrintDocument]) -> bytes:
        """The whole edition: title page, contents, introduction, documents, indexes."""
        return self._render("print/edition.html", book_metadata(self.data, documents), documents, single=False)

    def render_document(self, doc: PrintDocument) -> bytes:
        """One document with its source note and notes, laid out once."""
        return self.typesetter.write(self.document_html(doc), "print/document.html")

    def document_html(self, doc: PrintDocument) -> str:
        """The print page of one document, with its source note and notes (no index: it would double the layout)."""
        meta = document_metadata(self.data, doc)
        return self.env.get_template("print/document.html").render(**self._context(meta, [doc], single=True))

    def _context(self, meta: PdfMetadata, documents: list[PrintDocument], single: bool) -> PrintContext:
        return PrintContext(
            config=self.config,
            meta=meta,
            documents=documents,
            indexes=[],
            chronology=None,
            build_date=long_date(self.data),
            tool_version=self.data.tool_version,
            single=single,
            part="all",
            page_of={},
            page_start=0,
            signs=signs_html(),
        )

    def _render(self, template_name: str, meta: PdfMetadata, documents: list[PrintDocument], single: bool) -> bytes:
        template = self.env.get_template(template_name)
        context = self._context(meta, documents, single)
        context["indexes"] = index_skeleton(self.data, documents)
        context["chronology"] = chronology_skeleton(self.data, documents)
        first = self.typesetter.layout(template.render(**context), template_name)
        if not context["indexes"] and context["chronology"] is None:
            return first.write_pdf()
        pages = anchor_pages(first)
        context["indexes"] = build_indexes(self.data, documents, pages)
        if context["chronology"] is not None:
            context["chronology"] = build_chronology(self.data, documents, pages)
        joined = self._relay_ends(template, context, first, pages)
        if joined is not None:
            return joined.write_pdf()
        return self.typesetter.write(template.render(**context), template_name)

    def _relay_ends(
        self, template: jinja2.Template, context: PrintContext, first: LaidOutDocument, pages: dict[str, int]
    ) -> LaidOutDocument | None:
        """The book with only its two ends laid out again: the back matter, now filled in, and the front matter.

        The pages between (introduction and documents) are the first layout's, as the back matter comes last. The
        back matter is laid out alone, numbered on from the last page of the documents and on the same side; then
        the contents, with every number known, are laid out alone. None when an edition's own templates do not know
        the parts or the given numbers (data-page), and the whole book is laid out again instead.
        """
        back_ids = [index.id for index in context["indexes"]]
        if context["chronology"] is not None:
            back_ids.append(context["chronology"].id)
        body_ids = ["introduction"] + [doc.id for doc in context["documents"]] + back_ids
        starts = [pages[anchor] for anchor in body_ids if anchor in pages]
        if not back_ids or back_ids[0] not in pages or not starts:
            return None
        front_end, back_start = min(starts), pages[back_ids[0]]
        template_name = str(template.name)
        page_of = {anchor: number + 1 for anchor, number in pages.items() if number < back_start}
        back_context = PrintContext(**{**context, "part": "back", "page_of": page_of, "page_start": back_start + 1})
        back_html = template.render(**back_context)
        links = sum(len(entry.hrefs) for index in context["indexes"] for entry in index.entries)
        if context["chronology"] is not None:
            links += sum(1 for _year, items in context["chronology"].years for item in items if item.href)
        if back_html.count("data-page=") < links:  # an edition's own template, which knows only target-counter()
            return None
        back = self.typesetter.layout(back_html, template_name)
        back_pages = anchor_pages(back)
        if any(anchor not in back_pages for anchor in back_ids) or any(
            anchor in back_pages for anchor in body_ids if anchor not in back_ids
        ):
            return None
        page_of.update({anchor: back_start + number + 1 for anchor, number in back_pages.items()})
        front_context = PrintContext(**{**context, "part": "front", "page_of": page_of})
        front = self.typesetter.layout(template.render(**front_context), template_name)
        if len(front.pages) != front_end or any(anchor in anchor_pages(front) for anchor in body_ids):
            return None
        return first.copy([*front.pages, *first.pages[front_end:back_start], *back.pages])


def _local_fetcher(roots: list[Path]) -> URLFetcher:
    """A WeasyPrint URL fetcher that reads only local files under `roots` (and data: URLs): no network, ever."""
    from weasyprint.urls import URLFetcher

    allowed = [r.resolve() for r in roots]

    class LocalFetcher(URLFetcher):
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
            parts = urlsplit(url)
            if parts.scheme == "file":
                path = Path(unquote(parts.path)).resolve()
                if not any(path.is_relative_to(root) for root in allowed):
                    raise ValueError(f"the PDF may only use files of the edition, not {path}")
            elif parts.scheme != "data":
                raise ValueError(f"the PDF does not fetch remote resources ({url})")
            return super().fetch(url, headers)

    return LocalFetcher(allowed_protocols=("file", "data"), timeout=5)


def anchor_pages(document: LaidOutDocument) -> dict[str, int]:
    """Anchor id -> index of the page it falls on, from a laid-out document."""
    pages: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            pages.setdefault(anchor, number)
    return pages
