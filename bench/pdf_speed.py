"""How fast are the PDF editions? Lay out an edition's PDFs and print seconds per page and pages per second.

    PYTHONPATH=src python bench/pdf_speed.py [--edition edition.toml] [--repeat 3] [--documents 40] [--jobs N]

The texts are transformed and the fonts prepared once, outside the timings, as a build does before it writes the
PDFs. Then, `--repeat` times: the edition PDF (laid out whole, then its back matter and contents again with the
index and chronology page numbers, then written) and each document's PDF (laid out once), in this process. Last,
the whole of render_pdfs as a build runs it (fonts, the edition PDF, every document's PDF), in one process and with
`--jobs` jobs (this process and `--jobs` - 1 workers), on the sample and on a larger edition of `--documents`
documents generated from it into a temporary folder by bench/make_corpus.py. The best run of each is reported: the machine may be busy with other
work, and the best run is the one least disturbed by it. Import of WeasyPrint is reported apart.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from tei_edition.build.edition import EditionData, collect_edition  # noqa: E402
from tei_edition.build.fonts import font_cache, prepare_fonts  # noqa: E402
from make_corpus import make_corpus  # noqa: E402
from tei_edition.build.executor import default_jobs  # noqa: E402
from tei_edition.build.pdf import (  # noqa: E402
    PdfRenderer, make_print_env, prepare_document, render_pdfs, texts_in_use)
from tei_edition.build.transform import Transformer  # noqa: E402
from tei_edition.build.writer import OutputWriter  # noqa: E402
from tei_edition.config import EditionConfig, load_config  # noqa: E402
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


def print_bodies(config: EditionConfig) -> tuple[EditionData, dict[str, str]]:
    """The edition's data and every document's print body, as the pipeline hands them to render_pdfs."""
    data = collect_edition(config, parse_edition(config))
    transformer = Transformer(config.xslt_dir)
    bodies = {doc.id: transformer.transform(doc.tree, {"root": "", "media": "print", "doc-id": doc.id})
              for doc in data.documents}
    return data, bodies


def time_render_pdfs(data: EditionData, bodies: dict[str, str], jobs: int, repeat: int) -> tuple[float, int, int]:
    """The best wall time of render_pdfs with `jobs` jobs, the PDFs written and their pages in all."""
    best, pdfs, pages = float("inf"), 0, 0
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="tei-edition-bench-") as folder:
            writer = OutputWriter(Path(folder) / "pdf")
            start = time.perf_counter()
            pdfs = render_pdfs(data, bodies, writer, jobs=jobs)
            writer.commit()
            best = min(best, time.perf_counter() - start)
            pages = sum(page_count(p.read_bytes()) for p in (Path(folder) / "pdf").rglob("*.pdf"))
    return best, pdfs, pages


def report_render_pdfs(label: str, config: EditionConfig, jobs: int, repeat: int) -> None:
    """Print render_pdfs' seconds and pages per second in one process and with `jobs` jobs."""
    data, bodies = print_bodies(config)
    for count in sorted({1, jobs}):
        seconds, pdfs, pages = time_render_pdfs(data, bodies, count, repeat)
        # With N jobs this process lays out the edition and N - 1 workers the documents (none for a small edition).
        how = "one process" if count == 1 else f"--jobs {count}"
        print(f"{label + ', ' + how:<48} {pdfs:>5} {pages:>5} {seconds:>8.2f} {pages / seconds:>7.1f}")


def main(argv: list[str] | None = None) -> int:
    """Print the import time, seconds per page of each PDF, and pages per second of render_pdfs."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edition", type=Path, default=REPO / "edition.toml", help="the edition's edition.toml")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each PDF; the best is reported")
    parser.add_argument("--documents", type=int, default=40, help="documents of the generated larger edition (0: none)")
    parser.add_argument("--jobs", type=int, default=default_jobs(), help="jobs for render_pdfs (default: one per core)")
    args = parser.parse_args(argv)

    config = load_config(args.edition)
    data, bodies = print_bodies(config)

    start = time.perf_counter()
    import weasyprint  # noqa: F401

    import_seconds = time.perf_counter() - start
    env = make_print_env(config)
    documents = [prepare_document(data, doc, number, bodies) for number, doc in enumerate(data.documents, start=1)]
    print(f"{config.title}: {len(documents)} documents; Python {platform.python_version()}, "
          f"weasyprint {weasyprint.__version__}; best of {args.repeat}")
    print(f"import weasyprint: {import_seconds:.2f} s")
    with tempfile.TemporaryDirectory(prefix="tei-edition-bench-") as workdir:
        start = time.perf_counter()
        fonts = prepare_fonts(texts_in_use(data, documents), Path(workdir), font_cache())
        renderer = PdfRenderer(env, data, fonts, extra_roots=(Path(workdir),))
        print(f"fonts and stylesheet: {time.perf_counter() - start:.2f} s")

        print(f"{'PDF':<48} {'pages':>5} {'seconds':>8} {'s/page':>7}")
        seconds, pdf = best_time(lambda: renderer.render_edition(documents), args.repeat)
        pages = page_count(pdf)
        print(f"{'edition.pdf (book, then back matter + contents)':<48} {pages:>5} {seconds:>8.2f} {seconds / pages:>7.3f}")
        total_seconds, total_pages = 0.0, 0
        for doc in documents:
            seconds, pdf = best_time(lambda: renderer.render_document(doc), args.repeat)
            pages = page_count(pdf)
            total_seconds += seconds
            total_pages += pages
            print(f"{'documents/' + doc.id + '.pdf':<48} {pages:>5} {seconds:>8.2f} {seconds / pages:>7.3f}")
        print(f"{'all document PDFs':<48} {total_pages:>5} {total_seconds:>8.2f} "
              f"{total_seconds / total_pages:>7.3f}")

    print(f"\n{'render_pdfs (all PDFs, fonts included)':<48} {'PDFs':>5} {'pages':>5} {'seconds':>8} {'pages/s':>7}")
    report_render_pdfs("sample", config, args.jobs, args.repeat)
    if args.documents > 0:
        with tempfile.TemporaryDirectory(prefix="tei-edition-bench-") as folder:
            larger = load_config(make_corpus(args.documents, Path(folder) / "edition", sample=args.edition.parent))
            report_render_pdfs(f"{args.documents} documents", larger, args.jobs, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
