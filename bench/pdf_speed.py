"""How fast are the PDF editions? Set an edition's PDFs and print seconds per page and pages per second.

    PYTHONPATH=src python bench/pdf_speed.py [--engine typst|weasyprint] [--edition edition.toml] [--repeat 3]
                                             [--documents 40] [--jobs N]

The texts are transformed and the fonts prepared once, outside the timings, as a build does before it writes the
PDFs. Then, in this process, the edition PDF and each document's PDF. With Typst (the default engine) each is one
compilation of its source, the source's writing included, timed once (Typst keeps what it laid out for the next
compilations in the process); with WeasyPrint, `--repeat` times, the edition is laid out whole, then its back
matter and contents again with the index and chronology page numbers, then written. Last, the whole of render_pdfs
as a build runs it (fonts, the edition PDF, every document's PDF), each run in a fresh process, with one job and with
`--jobs` jobs, on the sample and on a larger edition of `--documents` documents generated from it into a temporary
folder by bench/make_corpus.py. The best run of each is reported: the machine may be busy with other work, and the
best run is the one least disturbed by it. The engine's import is reported apart.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import platform
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from make_corpus import make_corpus  # noqa: E402
from tei_edition.config import EditionConfig, load_config  # noqa: E402
from tei_edition.executor import default_jobs  # noqa: E402
from tei_edition.output.writer import OutputWriter  # noqa: E402
from tei_edition.print import render_pdfs  # noqa: E402
from tei_edition.print.book import book_metadata, document_metadata, prepare_document, texts_in_use  # noqa: E402
from tei_edition.print.fonts import font_cache, prepare_fonts  # noqa: E402
from tei_edition.print.pdf import PdfRenderer, make_print_env  # noqa: E402
from tei_edition.print.typeset import TypstSetter  # noqa: E402
from tei_edition.print.typst_source import SourceWriter  # noqa: E402
from tei_edition.tei.edition import EditionData, collect_edition  # noqa: E402
from tei_edition.tei.model import source_tree  # noqa: E402
from tei_edition.transform.xslt import Transformer  # noqa: E402
from tei_edition.validate import parse_edition  # noqa: E402


def page_count(pdf: bytes) -> int:
    """The number of pages of a PDF."""
    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)


def best_time(action, repeat: int) -> tuple[float, bytes]:  # type: ignore[no-untyped-def]
    """The shortest wall time of `repeat` calls of `action`, with what the last call returned."""
    best, result = float("inf"), b""
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result


def with_engine(config: EditionConfig, engine: str) -> EditionConfig:
    """The configuration with its PDFs set by `engine`."""
    return dataclasses.replace(config, print=dataclasses.replace(config.print, engine=engine))


def print_bodies(config: EditionConfig) -> tuple[EditionData, dict[str, str]]:
    """The edition's data and every document's print body, as the pipeline hands them to render_pdfs."""
    data = collect_edition(config, parse_edition(config))
    transformer = Transformer(config.xslt_dir)
    bodies = {
        doc.id: transformer.transform(source_tree(doc), {"root": "", "media": "print", "doc-id": doc.id})
        for doc in data.documents
    }
    return data, bodies


def time_render_pdfs(config: EditionConfig, jobs: int, repeat: int) -> tuple[float, int, int]:
    """The best wall time of render_pdfs with `jobs` jobs, the PDFs written and their pages in all.

    Each run is made in a fresh process, as a build's is: Typst keeps what it has laid out for later compilations
    in the same process, which would make every run after the first look faster than a build."""
    import multiprocessing

    best, pdfs, pages = float("inf"), 0, 0
    context = multiprocessing.get_context("spawn")
    for _ in range(repeat):
        with context.Pool(1) as pool:
            seconds, pdfs, pages = pool.apply(_render_pdfs_once, (config, jobs))
        best = min(best, seconds)
    return best, pdfs, pages


def _render_pdfs_once(config: EditionConfig, jobs: int) -> tuple[float, int, int]:
    data, bodies = print_bodies(config)
    with tempfile.TemporaryDirectory(prefix="tei-edition-bench-") as folder:
        writer = OutputWriter(Path(folder) / "pdf")
        start = time.perf_counter()
        pdfs = render_pdfs(data, bodies, writer, jobs=jobs)
        writer.commit()
        seconds = time.perf_counter() - start
        pages = sum(page_count(p.read_bytes()) for p in (Path(folder) / "pdf").rglob("*.pdf"))
    return seconds, pdfs, pages


def report_render_pdfs(label: str, config: EditionConfig, jobs: int, repeat: int) -> None:
    """Print render_pdfs' seconds and pages per second with one job and with `jobs` jobs."""
    for count in sorted({1, jobs}):
        seconds, pdfs, pages = time_render_pdfs(config, count, repeat)
        # WeasyPrint: with N jobs this process lays out the edition and N - 1 workers the documents (none for a small
        # edition). Typst: N threads set the PDFs, and each compilation uses every core.
        how = "one job" if count == 1 else f"--jobs {count}"
        print(f"{label + ', ' + how:<48} {pdfs:>5} {pages:>5} {seconds:>8.2f} {pages / seconds:>7.1f}")


def main(argv: list[str] | None = None) -> int:
    """Print the import time, seconds per page of each PDF, and pages per second of render_pdfs."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", choices=("typst", "weasyprint"), default="typst", help="the PDF engine")
    parser.add_argument("--edition", type=Path, default=REPO / "edition.toml", help="the edition's edition.toml")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each PDF; the best is reported")
    parser.add_argument("--documents", type=int, default=40, help="documents of the generated larger edition (0: none)")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="jobs for render_pdfs (default: one per core)")
    args = parser.parse_args(argv)

    config = with_engine(load_config(args.edition), args.engine)
    data, bodies = print_bodies(config)
    engine: Any

    start = time.perf_counter()
    if args.engine == "typst":
        import typst as engine
    else:
        import weasyprint as engine
    import_seconds = time.perf_counter() - start
    documents = [prepare_document(data, doc, number, bodies) for number, doc in enumerate(data.documents, start=1)]
    print(
        f"{config.title}: {len(documents)} documents; Python {platform.python_version()}, "
        f"{args.engine} {engine.__version__}; best of {args.repeat}"
    )
    print(f"import {args.engine}: {import_seconds:.2f} s")
    with tempfile.TemporaryDirectory(prefix="tei-edition-bench-") as workdir:
        start = time.perf_counter()
        fonts = prepare_fonts(texts_in_use(data, documents), Path(workdir), font_cache(), cut=args.engine != "typst")
        if args.engine == "typst":
            writer = SourceWriter(data, fonts)
            setter = TypstSetter(config.root, fonts)
            edition_pdf = lambda: setter.write(  # noqa: E731
                writer.edition_source(documents, book_metadata(data, documents)), "edition"
            )
            document_pdf = lambda doc: setter.write(  # noqa: E731
                writer.document_source(doc, document_metadata(data, doc)), doc.id
            )
        else:
            renderer = PdfRenderer(make_print_env(config), data, fonts, extra_roots=(Path(workdir),))
            edition_pdf = lambda: renderer.render_edition(documents)  # noqa: E731
            document_pdf = renderer.render_document
        print(f"fonts and set-up: {time.perf_counter() - start:.2f} s")

        # Typst keeps what it laid out for later compilations in the process: only its first run of each PDF counts
        # (the documents' PDFs reuse what the edition's compilation laid out, as in a build).
        repeat = 1 if args.engine == "typst" else args.repeat
        print(f"{'PDF':<48} {'pages':>5} {'seconds':>8} {'s/page':>7}")
        seconds, pdf = best_time(edition_pdf, repeat)
        pages = page_count(pdf)
        print(f"{'edition.pdf':<48} {pages:>5} {seconds:>8.2f} {seconds / pages:>7.3f}")
        total_seconds, total_pages = 0.0, 0
        for doc in documents:
            seconds, pdf = best_time(functools.partial(document_pdf, doc), repeat)
            pages = page_count(pdf)
            total_seconds += seconds
            total_pages += pages
            print(f"{'documents/' + doc.id + '.pdf':<48} {pages:>5} {seconds:>8.2f} {seconds / pages:>7.3f}")
        print(f"{'all document PDFs':<48} {total_pages:>5} {total_seconds:>8.2f} {total_seconds / total_pages:>7.3f}")

    print(f"\n{'render_pdfs (all PDFs, fonts included)':<48} {'PDFs':>5} {'pages':>5} {'seconds':>8} {'pages/s':>7}")
    report_render_pdfs("sample", config, args.jobs, args.repeat)
    if args.documents > 0:
        with tempfile.TemporaryDirectory(prefix="tei-edition-bench-") as folder:
            larger = load_config(make_corpus(args.documents, Path(folder) / "edition", sample=args.edition.parent))
            report_render_pdfs(f"{args.documents} documents", with_engine(larger, args.engine), args.jobs, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
