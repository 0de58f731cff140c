"""The print editions: the edition as a book (edition.pdf, or volumes of it) and one PDF per document, set by Typst
(print/typeset.py) or, for editions that keep print templates in HTML, by WeasyPrint (print/pdf.py). What both
engines share is in print/book.py."""

from __future__ import annotations

from collections.abc import Callable

from tei_edition.config import EditionConfig
from tei_edition.output.cache import BuildCache
from tei_edition.output.writer import OutputWriter
from tei_edition.tei.edition import EditionData


def render_pdfs(
    data: EditionData,
    print_bodies: dict[str, str],
    out: OutputWriter,
    jobs: int | None = None,
    store: BuildCache | None = None,
    warn: Callable[[str], None] | None = None,
    keep_going: bool = False,
) -> int:
    """Write edition.pdf (or its volumes) and documents/<id>.pdf for every document; return how many PDFs were
    written.

    The engine is the configuration's (see pdf_engine). The documents' PDFs are set beside the book, `jobs` at a
    time (else [build] jobs, else one per core); every PDF is written in the same order whatever finishes first.
    `store` (the build cache) keeps what can be kept between builds (fonts cut down to the edition's characters,
    PDFs set by Typst). What the engine warns of (Typst: a font the design names that is missing, say) goes to
    `warn`. With `keep_going`, a PDF Typst cannot set is reported to `warn` and left out, and the others are set.
    """
    if pdf_engine(data.config) == "typst":
        from tei_edition.print.typeset import render_typst

        return render_typst(data, print_bodies, out, jobs=jobs, store=store, warn=warn, keep_going=keep_going)
    from tei_edition.print.pdf import render_weasyprint

    return render_weasyprint(data, print_bodies, out, jobs=jobs, store=store)


def pdf_engine(config: EditionConfig) -> str:
    """The engine that sets the PDFs: [pdf] engine when given; else WeasyPrint for an edition with its own print
    templates in HTML and CSS (templates/print/*.html or print.css), which only WeasyPrint reads; else Typst."""
    if config.print.engine:
        return config.print.engine
    own = config.templates_dir / "print" if config.templates_dir else None
    if own is not None and own.is_dir() and any(p.suffix in (".html", ".css") for p in own.iterdir()):
        return "weasyprint"
    return "typst"
