"""How fast are the PDF editions? Lay out the sample edition's PDFs and print seconds per page (a script, not a test).

    PYTHONPATH=src python bench/pdf_speed.py [--edition edition.toml] [--repeat 3]

The texts are transformed and the fonts prepared once, outside the timings, as a build does before it writes the
PDFs. Then, `--repeat` times: the edition PDF (laid out twice, for the index and chronology page numbers, then
written) and each document's PDF (laid out once). The best run of each is reported: the machine may be busy with
other work, and the best run is the one least disturbed by it. Import of WeasyPrint is reported apart.
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

from tei_edition.build.edition import collect_edition  # noqa: E402
from tei_edition.build.fonts import font_cache, prepare_fonts  # noqa: E402
from tei_edition.build.pdf import PdfRenderer, make_print_env, prepare_document, texts_in_use  # noqa: E402
from tei_edition.build.transform import Transformer  # noqa: E402
from tei_edition.config import load_config  # noqa: E402
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


def main(argv: list[str] | None = None) -> int:
    """Print the import time and seconds per page of the edition PDF and of each document's PDF."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--edition", type=Path, default=REPO / "edition.toml", help="the edition's edition.toml")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each PDF; the best is reported")
    args = parser.parse_args(argv)

    config = load_config(args.edition)
    data = collect_edition(config, parse_edition(config))
    transformer = Transformer(config.xslt_dir)
    bodies = {doc.id: transformer.transform(doc.tree, {"root": "", "media": "print", "doc-id": doc.id})
              for doc in data.documents}

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
        print(f"{'edition.pdf (two layouts)':<48} {pages:>5} {seconds:>8.2f} {seconds / pages:>7.3f}")
        total_seconds, total_pages = 0.0, 0
        for doc in documents:
            seconds, pdf = best_time(lambda: renderer.render_document(doc), args.repeat)
            pages = page_count(pdf)
            total_seconds += seconds
            total_pages += pages
            print(f"{'documents/' + doc.id + '.pdf':<48} {pages:>5} {seconds:>8.2f} {seconds / pages:>7.3f}")
        print(f"{'all document PDFs':<48} {total_pages:>5} {total_seconds:>8.2f} "
              f"{total_seconds / total_pages:>7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
