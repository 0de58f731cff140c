"""The PDF editions: the whole edition as a book (edition.pdf, or volumes of it) and one PDF per document.

What both engines share is here: the documents ready for print (their print bodies with edition-wide ids), the
indexes' entries, the chronology, the document information, and the choice of engine. Typst, the default, is in
build/typeset.py. The rest of this module is the WeasyPrint engine, which sets the HTML print templates
(templates/print/*.html and print.css) for editions that keep their own.

With WeasyPrint, the edition is laid out whole once, with the indexes and the chronology (every dated passage in date
order) as bare headings: that tells on which page every name mention and date falls. The indexes are then made with
one link per entity and page (the first mention on that page), so that no page number repeats. As they come last,
only they are laid out again, alone, numbered on from the documents' last page, and then the contents, whose numbers
for the back matter are now known; the pages of both are joined to the first layout's pages in between. A single
document's PDF has neither and is laid out once, in a pool of worker processes while the edition is laid out.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Container, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import unquote, urlsplit

import jinja2
import lxml.html
from lxml import etree
from markupsafe import Markup

from tei_edition.config import EditionConfig
from tei_edition.errors import BuildError
from tei_edition.output.writer import OutputWriter
from tei_edition.print.fonts import FontSet, font_cache, prepare_fonts
from tei_edition.tei.edition import ChronologyEntry, EditionData, EntityMention
from tei_edition.tei.model import KINDS, Document, Entity, Name
from tei_edition.web.context import id_segment

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.document import Document as LaidOutDocument
    from weasyprint.text.fonts import FontConfiguration

ID_SEPARATOR = "--"
PAGE_SIZES = {"A4": "A4", "Letter": "letter", "A5": "A5", "Legal": "legal"}
CERTAINTY = {"low": "uncertain", "medium": "probable", "unknown": "uncertain"}  # @cert -> what the reader is told


@dataclass(frozen=True)
class PdfMetadata:
    """What goes into the PDF's document information: title, authors, subject, keywords, language, date."""

    title: str
    authors: tuple[str, ...]
    subject: str
    keywords: tuple[str, ...]
    lang: str
    date: str  # ISO 8601, UTC


@dataclass
class PrintDocument:
    """One document ready for the print templates: its header facts and its text with edition-wide ids."""

    source: Document
    number: int
    meta: Any  # tei.header.DocumentMeta
    body: Markup
    flagged: bool = False

    @property
    def id(self) -> str:
        return self.source.id

    @property
    def title(self) -> str:
        return self.meta.title or self.source.title

    @property
    def short_title(self) -> str:
        """The title for running heads and references: the header's short title, else the title cut down."""
        return short_title(self)


@dataclass
class IndexEntry:
    """One register entry in a printed index, with one link per page on which it is mentioned."""

    entity: Entity
    originals: tuple[Name, ...]
    hrefs: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.entity.name

    @property
    def letter(self) -> str:
        first = self.entity.sort_key[:1].upper()
        return first if first.isalpha() else "#"


@dataclass
class PrintIndex:
    """A printed index of one register kind (persons, places, organisations)."""

    kind: str
    label: str
    id: str
    entries: list[IndexEntry]

    def by_letter(self) -> list[tuple[str, list[IndexEntry]]]:
        """The entries grouped under their initial letter, in order."""
        groups: dict[str, list[IndexEntry]] = {}
        for entry in self.entries:
            groups.setdefault(entry.letter, []).append(entry)
        return list(groups.items())


@dataclass(frozen=True)
class ChronologyItem:
    """One dated passage in the printed chronology: the date, a few words around it, and where it is."""

    display: str
    certainty: str  # '' when the date is certain
    before: str
    match: str
    after: str
    document: PrintDocument
    short_title: str
    href: str  # '#DOCID--n3', or '' when the passage has no place in the laid-out text


@dataclass
class PrintChronology:
    """The printed chronology: dated passages grouped by the year they begin in."""

    id: str = "chronology"
    label: str = "Chronology"
    years: list[tuple[str, list[ChronologyItem]]] = field(default_factory=list)


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


def render_pdfs(
    data: EditionData,
    print_bodies: dict[str, str],
    out: OutputWriter,
    jobs: int | None = None,
    store: Any = None,
    warn: Callable[[str], None] | None = None,
) -> int:
    """Write edition.pdf and documents/<id>.pdf for every document; return how many PDFs were written.

    The documents' PDFs are laid out in a pool of worker processes (`jobs`, else [build] jobs, else one per core)
    while this process lays out the edition; every PDF is written in the same order whatever finishes first.
    `store` (the build cache) keeps the fonts cut down to the edition's characters between builds. The engine is
    the configuration's ([pdf] engine): Typst, or WeasyPrint for editions that keep print templates in HTML. What
    the engine warns of (Typst: a font the design names that is missing, say) goes to `warn`.
    """
    if pdf_engine(data.config) == "typst":
        from tei_edition.print.typeset import render_typst

        return render_typst(data, print_bodies, out, jobs=jobs, store=store, warn=warn)
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
            pages = [(f"documents/{id_segment(doc.id)}.pdf", renderer.document_html(doc)) for doc in documents]
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
        out.write_bytes("edition.pdf", edition)
        for (name, _html), pdf in zip(pages, printed):
            out.write_bytes(name, pdf)
    return 1 + len(documents)


def book_metadata(data: EditionData, documents: list[PrintDocument], title: str = "") -> PdfMetadata:
    """The document information of the edition's book (or of a volume of it, `title`)."""
    config = data.config
    keywords = _unique(k for doc in documents for k in (doc.meta.keywords or ()))
    return PdfMetadata(
        title=title or config.title,
        authors=config.editors,
        subject=config.subtitle or config.title,
        keywords=tuple(keywords),
        lang=config.language,
        date=_iso_date(data),
    )


def document_metadata(data: EditionData, doc: PrintDocument) -> PdfMetadata:
    """The document information of one document's PDF: its authors (else its senders, else the editors)."""
    config = data.config
    authors = (
        tuple(a.name for a in (doc.meta.authors or ()))
        or tuple(s.name for s in (doc.meta.senders or ()))
        or config.editors
    )
    return PdfMetadata(
        title=doc.title,
        authors=authors,
        subject=doc.meta.summary or f"{config.title}, document {doc.number}",
        keywords=tuple(doc.meta.keywords or ()),
        lang=config.language,
        date=_iso_date(data),
    )


def _iso_date(data: EditionData) -> str:
    return data.build_date.strftime("%Y-%m-%dT%H:%M:%SZ")


def long_date(data: EditionData) -> str:
    """The build date as the print editions write it: '1 May 2024'."""
    return data.build_date.strftime("%-d %B %Y")


def pdf_engine(config: EditionConfig) -> str:
    """The engine that sets the PDFs: [pdf] engine when given; else WeasyPrint for an edition with its own print
    templates in HTML and CSS (templates/print/*.html or print.css), which only WeasyPrint reads; else Typst."""
    if config.print.engine:
        return config.print.engine
    own = config.templates_dir / "print" if config.templates_dir else None
    if own is not None and own.is_dir() and any(p.suffix in (".html", ".css") for p in own.iterdir()):
        return "weasyprint"
    return "typst"


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
    from tei_edition.web.render import make_env

    env = make_env(config)
    env.filters["css_string"] = css_string
    env.filters["citation"] = citation_text
    return env


def citation_text(source: Any) -> str:
    """A reading form of a header's SourceCitation: the bibl as written, else one made from its parts."""
    if source.text:
        return str(source.text)
    title = f"“{source.title}”" if source.title and source.container else source.title
    parts = [", ".join(source.authors), title]
    if source.container:
        editors = f", ed. {' and '.join(source.editors)}" if source.editors else ""
        parts.append(f"in {source.container}{editors}")
    if source.series:
        parts.append(source.series)
    imprint = ": ".join(p for p in (source.pub_place, source.publisher) if p)
    imprint = ", ".join(p for p in (imprint, source.date) if p)
    if imprint:
        parts.append(f"({imprint})" if parts[-1] else imprint)
    if source.volume:
        parts.append(f"vol. {source.volume}")
    if source.pages:
        parts.append(f"pp. {source.pages}" if source.pages[:1].isdigit() else source.pages)
    text = ", ".join(p for p in parts if p).replace(", (", " (")
    if source.url:
        text += f", {source.url}"
    return text + "." if text and not text.endswith(".") else text


def css_string(value: str) -> str:
    """A value written as a CSS string literal, for content: and string-set: in the print stylesheet."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def prepare_document(data: EditionData, doc: Document, number: int, print_bodies: dict[str, str]) -> PrintDocument:
    """Read a document's header and make its print body's ids unique in the edition."""
    if doc.id not in print_bodies:
        raise BuildError(f"{doc.path}: no print text was made for document {doc.id!r}")
    body = prefix_ids(print_bodies[doc.id], doc.id, doc.path)
    meta = doc.header
    return PrintDocument(source=doc, number=number, meta=meta, body=Markup(body), flagged=doc.id in data.flagged)


def prefixed(doc_id: str, anchor: str) -> str:
    """An id made unique across the edition: 'DOCID--n12'."""
    return f"{doc_id}{ID_SEPARATOR}{anchor}"


def prefix_ids(fragment: str, doc_id: str, source: Path | str = "") -> str:
    """Prefix every id and internal link of a print body with the document's id; mark source page breaks in the text.

    Links to other files cannot work inside a PDF, so they become plain text; web links stay.
    """
    try:
        wrapper = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError) as exc:
        raise BuildError(
            f"{source}: the print text of document {doc_id!r} is not HTML the PDF can use: {exc}"
        ) from None
    wrapper.set("class", "print-body")
    for el in wrapper.iter():
        if not isinstance(el.tag, str):
            continue
        if el.get("id"):
            el.set("id", prefixed(doc_id, el.get("id")))
        href = el.get("href")
        if href is not None:
            if href.startswith("#") and len(href) > 1:
                el.set("href", "#" + prefixed(doc_id, href[1:]))
            elif not href.startswith(("http://", "https://", "mailto:")):
                del el.attrib["href"]
        if "pb" in (el.get("class") or "").split() and _in_line(el):
            # The number goes to the margin; a bar marks the exact place of the break in the line.
            bar = lxml.html.Element("span")
            bar.set("class", "pb-bar")
            bar.text = "|"
            el.addprevious(bar)
    for note in wrapper.find_class("footnote"):
        _attach_to_block_before(note)
    return lxml.html.tostring(wrapper, encoding="unicode")


def _attach_to_block_before(note: Any) -> None:
    """Move a note that follows a block quotation into its end, so its number does not stand on a line alone."""
    before = note.getprevious()
    if before is None or (before.tail or "").strip() or before.get("class") is None:
        return
    if not {"block", "blockquote"} & set(before.get("class", "").split()):
        return
    before.tail, tail = None, before.tail
    before.append(note)  # lxml moves the element, with its own tail
    if tail:
        note.tail = (note.tail or "") + tail


_BLOCK_CONTAINERS = {"div", "section", "article", "blockquote", "body", "main", "ol", "ul", "figure"}


def _in_line(el: Any) -> bool:
    """Whether an element sits in running text (a page break between paragraphs needs no bar in the line)."""
    parent = el.getparent()
    return parent is not None and parent.tag not in _BLOCK_CONTAINERS


def texts_in_use(data: EditionData, documents: Iterable[PrintDocument]) -> list[str]:
    """Every text that may be printed, for choosing and cutting fonts."""
    texts = [data.config.title, data.config.subtitle, data.config.introduction, *data.config.editors]
    for doc in documents:
        texts.append(str(doc.body))
        texts.append(repr(doc.meta))
    for entity in data.entities.values():
        texts.append(" ".join(n.text for n in entity.names) + entity.description)
        texts.extend(f'lang="{n.lang}"' for n in entity.names if n.lang)
    return texts


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
        return self.layout(html, template_name).write_pdf()  # type: ignore[no-any-return]

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
        roots = [self.config.root, Path(str(jinja2_package_templates())), *extra_roots]
        roots += [face.path.parent for face in fonts.faces]
        css_text = env.get_template("print/print.css").render(
            config=self.config,
            fonts=fonts,
            page_size=PAGE_SIZES.get(self.config.print.paper, "A4"),
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
        )

    def _render(self, template_name: str, meta: PdfMetadata, documents: list[PrintDocument], single: bool) -> bytes:
        template = self.env.get_template(template_name)
        context = self._context(meta, documents, single)
        context["indexes"] = index_skeleton(self.data, documents)
        context["chronology"] = chronology_skeleton(self.data, documents)
        first = self.typesetter.layout(template.render(**context), template_name)
        if not context["indexes"] and context["chronology"] is None:
            return first.write_pdf()  # type: ignore[no-any-return]
        pages = anchor_pages(first)
        context["indexes"] = build_indexes(self.data, documents, pages)
        if context["chronology"] is not None:
            context["chronology"] = build_chronology(self.data, documents, pages)
        joined = self._relay_ends(template, context, first, pages)
        if joined is not None:
            return joined.write_pdf()  # type: ignore[no-any-return]
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


def jinja2_package_templates() -> Path:
    """The package's own templates folder."""
    from importlib import resources

    return Path(str(resources.files("tei_edition") / "templates"))


def _local_fetcher(roots: list[Path]) -> Any:
    """A WeasyPrint URL fetcher that reads only local files under `roots` (and data: URLs): no network, ever."""
    from weasyprint.urls import URLFetcher

    allowed = [r.resolve() for r in roots]

    class LocalFetcher(URLFetcher):
        def fetch(self, url: str, headers: dict[str, str] | None = None) -> Any:
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


def _mentions_in(data: EditionData, documents: list[PrintDocument]) -> dict[str, list[EntityMention]]:
    wanted = {doc.id for doc in documents}
    return {
        entity_id: [m for m in mentions if m.document.id in wanted]
        for entity_id, mentions in data.mentions.items()
        if any(m.document.id in wanted for m in mentions)
    }


def _originals(entity: Entity) -> tuple[Name, ...]:
    """The entity's names in other languages or scripts (Сталин, 김일성, 毛泽东)."""
    return tuple(n for n in entity.variants() if n.lang and not n.lang.startswith("en"))


def index_skeleton(data: EditionData, documents: list[PrintDocument]) -> list[PrintIndex]:
    """The indexes that will be printed, without entries: all the first layout needs, as the indexes come last."""
    mentions = _mentions_in(data, documents)
    kinds = {data.entities[e].kind for e in mentions if e in data.entities}
    return [
        PrintIndex(kind, label, f"index-{section}", [])
        for kind, (_entry, _list, _name, section, label) in KINDS.items()
        if kind in kinds
    ]


def build_indexes(
    data: EditionData, documents: list[PrintDocument], pages: dict[str, int] | None = None
) -> list[PrintIndex]:
    """The indexes of the register entries named in the documents, in sort order. With `pages` (anchor -> page of
    a first layout), each entry has one link per page it is named on, to the first mention there, and an entry on
    no page is left out; without, the entries have no links (an engine that finds the pages itself)."""
    indexes = index_skeleton(data, documents)
    by_kind = {index.kind: index for index in indexes}
    for entity_id, mentions in _mentions_in(data, documents).items():
        entity = data.entities.get(entity_id)
        if entity is None:
            continue
        hrefs: list[str] = []
        if pages is not None:
            first_on_page: dict[int, str] = {}
            for mention in mentions:
                anchor = prefixed(mention.document.id, mention.mention.anchor)
                page = pages.get(anchor)
                if page is not None and page not in first_on_page:
                    first_on_page[page] = anchor
            if not first_on_page:
                continue
            hrefs = ["#" + first_on_page[p] for p in sorted(first_on_page)]
        by_kind[entity.kind].entries.append(IndexEntry(entity, _originals(entity), hrefs))
    for index in indexes:
        index.entries.sort(key=lambda e: (e.entity.sort_key, e.entity.id))
    return indexes


def _dated_entries(data: EditionData, documents: list[PrintDocument]) -> list[tuple[ChronologyEntry, PrintDocument]]:
    by_id = {doc.id: doc for doc in documents}
    return [
        (entry, by_id[entry.document.id])
        for entry in data.chronology
        if entry.document.id in by_id and entry.date.span.year is not None
    ]


def chronology_skeleton(data: EditionData, documents: list[PrintDocument]) -> PrintChronology | None:
    """The chronology's heading alone (None when nothing is dated): all the first layout needs, as it comes last."""
    return PrintChronology() if _dated_entries(data, documents) else None


def build_chronology(data: EditionData, documents: list[PrintDocument], placed: Container[str]) -> PrintChronology:
    """Every dated passage of the documents in date order, grouped by year, linked to its anchor in the text when
    the anchor is among those `placed` in the laid-out text."""
    chronology = PrintChronology()
    years: dict[str, list[ChronologyItem]] = {}
    for entry, doc in _dated_entries(data, documents):
        date = entry.date
        anchor = prefixed(doc.id, date.anchor)
        before, match, after = short_snippet(date.snippet, date.text)
        years.setdefault(str(date.span.year), []).append(
            ChronologyItem(
                display=date.span.display(),
                certainty=CERTAINTY.get(date.cert or "", ""),
                before=before,
                match=match,
                after=after,
                document=doc,
                short_title=doc.short_title,
                href=f"#{anchor}" if anchor in placed else "",
            )
        )
    chronology.years = list(years.items())
    return chronology


def short_snippet(snippet: str, text: str, reach: int = 70) -> tuple[str, str, str]:
    """The words around a date's text, at most `reach` characters on either side, cut at word boundaries."""
    pos = snippet.find(text) if text else -1
    if pos < 0:
        return _clip_end(snippet, 2 * reach), "", ""
    before, after = snippet[:pos], snippet[pos + len(text) :]
    if len(before) > reach:
        cut = before[-reach:]
        before = "…" + cut[cut.find(" ") + 1 :] if " " in cut else "…" + cut
    return before, text, _clip_end(after, reach)


def _clip_end(text: str, reach: int) -> str:
    if len(text) <= reach:
        return text
    cut = text[:reach]
    return (cut[: cut.rfind(" ")] if " " in cut else cut).rstrip(" ,;:") + "…"


def short_title(doc: PrintDocument, limit: int = 56) -> str:
    """A document's title short enough for a reference: the header's short title, else the title cut down."""
    short = doc.source.short_title
    if short.strip():
        return " ".join(short.split())
    title = doc.title
    head, colon, _rest = title.partition(": ")
    if colon and len(head) >= 12:
        title = head
    if len(title) <= limit:
        return title
    cut = title[:limit]
    return cut[: cut.rfind(" ")].rstrip(" ,;:–-") + "…"


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item and item not in seen:
            seen[item] = None
    return list(seen)
