"""Measure the build engine on generated editions and print the figures (a script, not a test).

    python bench/run.py                      # 100, 1,000 and 10,000 documents, all cores
    python bench/run.py --sizes 100 1000 --jobs 2 --pdf-docs 20

For each size it prints: validation time (`edition validate`), a clean HTML build (validation included), a no-op
rebuild, a rebuild after editing one document, peak memory (the build process, its workers and Pagefind together,
as proportional set sizes: a page shared by several processes counts once), and the floor: the time lxml takes to
parse and serialise the same files, with the ratio build/floor. Then PDF seconds per page with the given workers.
Every command runs as a separate process, as a user runs it, with SOURCE_DATE_EPOCH fixed, twice: once for its
time, once again for its peak memory (sampling /proc every 20 ms slows a build on two cores). Corpora are generated
by bench/make_corpus.py into bench/corpus/<N>/.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from make_corpus import make_corpus  # noqa: E402
from measure import Run, bytecode_env, compiled_snapshot  # noqa: E402
from measure import measure as run  # noqa: E402


def edition(config: Path, *words: str) -> list[str]:
    """The command line of an `edition` subcommand with this interpreter."""
    return [sys.executable, "-m", "tei_edition", *words, "--config", str(config)]


def floor(documents: list[Path]) -> float:
    """Seconds lxml takes to read, parse and serialise every document (one process): the cost of touching the data."""
    start = time.perf_counter()
    for path in documents:
        etree.tostring(etree.parse(str(path)), encoding="utf-8")
    return time.perf_counter() - start


def must(result: Run, what: str) -> Run:
    """Stop the bench with the command's output when it failed (exit 1 with a preview built is not a failure)."""
    if result.returncode == 1 and "are marked in the preview" in result.output:
        return result
    if result.returncode != 0:
        raise SystemExit(f"{what} failed (exit {result.returncode}):\n{result.output[-3000:]}")
    return result


def phases(output: str) -> str:
    """The phase timings from the build's closing summary line."""
    match = re.search(r"\((discover [^)]*)\)", output)
    return match.group(1) if match else ""


def timed(command: list[str], env: dict[str, str], what: str) -> Run:
    """The command's time from a run without memory sampling, and its peak memory from a second, sampled run."""
    plain = must(run(command, env, sample=False), what)
    sampled = must(run(command, env), what)
    return Run(plain.seconds, sampled.peak_mb, plain.returncode, plain.output)


def bench_size(n: int, jobs: int, env: dict[str, str], corpus_root: Path, validate: bool) -> dict[str, float]:
    """Measure one corpus size; print and return the figures."""
    config = make_corpus(n, corpus_root / str(n))
    documents = sorted((config.parent / "tei" / "documents").glob("*.xml"))
    megabytes = sum(p.stat().st_size for p in documents) / 1e6
    print(f"\n## {n} documents ({megabytes:.1f} MB of TEI)", flush=True)
    figures: dict[str, float] = {}
    if validate:
        result = timed(edition(config, "validate"), env, "validate")
        figures["validate"] = result.seconds
        print(f"validate (edition validate)        {result.seconds:8.2f} s   peak {result.peak_mb:7.0f} MB", flush=True)
    # --keep-going: a warning or error the generated texts may raise must not stop the measurement.
    jobs_args = ["--jobs", str(jobs), "--keep-going"]
    clean = timed(edition(config, "build", "--clean", "--no-pdf", *jobs_args), env, "clean build")
    figures["clean"] = clean.seconds
    figures["peak_mb"] = clean.peak_mb
    print(f"clean HTML build (with validation) {clean.seconds:8.2f} s   peak {clean.peak_mb:7.0f} MB", flush=True)
    print(f"    {phases(clean.output)}", flush=True)
    noop = timed(edition(config, "build", "--no-pdf", *jobs_args), env, "no-op build")
    figures["noop"] = noop.seconds
    print(f"no-op rebuild                      {noop.seconds:8.2f} s   peak {noop.peak_mb:7.0f} MB", flush=True)
    edited = documents[len(documents) // 2]
    text = edited.read_text(encoding="utf-8")

    def edit(sample: bool) -> Run:
        # An edit of the text itself (the first paragraph of the body), which changes the page, its search shard
        # and the register pages of the names near it. The word is new every time: an edit the build cache has
        # seen before (from an earlier run) would skip checking and transforming the document.
        body = text.index("<body")
        word = f"Edited{time.time_ns()}. "
        edited.write_text(text[:body] + text[body:].replace("<p>", f"<p>{word}", 1), encoding="utf-8")
        try:
            return must(
                run(edition(config, "build", "--no-pdf", *jobs_args), env, sample=sample), "one-document rebuild"
            )
        finally:
            edited.write_text(text, encoding="utf-8")

    one = edit(sample=False)
    one.peak_mb = edit(sample=True).peak_mb  # another word in the same place: the same work, measured for memory
    figures["one_edit"] = one.seconds
    print(f"one-document edit rebuild          {one.seconds:8.2f} s   peak {one.peak_mb:7.0f} MB", flush=True)
    print(f"    {phases(one.output)}", flush=True)
    lxml_floor = floor(documents)
    figures["floor"] = lxml_floor
    print(
        f"floor (lxml parse + serialise)     {lxml_floor:8.2f} s   clean build / floor = "
        f"{clean.seconds / lxml_floor:.0f}x",
        flush=True,
    )
    return figures


def bench_pdf(docs: int, jobs: int, env: dict[str, str], corpus_root: Path, engine: str = "typst") -> None:
    """PDF seconds per page on a small edition (the PDF phase only, from the build's summary), set by `engine`."""
    config = make_corpus(docs, corpus_root / f"pdf-{docs}")
    text = re.sub(r'(?m)^engine = ".*"\n', "", config.read_text(encoding="utf-8"))
    text = (
        text.replace("[pdf]\n", f'[pdf]\nengine = "{engine}"\n')
        if "[pdf]\n" in text
        else text + f'\n[pdf]\nengine = "{engine}"\n'
    )
    config.write_text(text, encoding="utf-8")
    result = timed(edition(config, "build", "--clean", "--keep-going", "--jobs", str(jobs)), env, "PDF build")
    match = re.search(r"pdf ([0-9.]+) s", result.output)
    pdf_seconds = float(match.group(1)) if match else float("nan")
    pages = 0
    try:
        from pypdf import PdfReader

        for path in sorted((config.parent / "build").rglob("*.pdf")):  # wherever the build puts them
            pages += len(PdfReader(str(path)).pages)
    except ImportError:
        print("(pypdf is not installed: pages cannot be counted)")
    print(f"\n## PDF ({engine}): {docs} documents, {pages} pages in all PDFs (edition.pdf and one per document)")
    if pages:
        print(
            f"PDF phase {pdf_seconds:.1f} s: {pdf_seconds / pages:.3f} s per page, {pages / pdf_seconds:.1f} pages/s "
            f"with {jobs} worker(s); peak {result.peak_mb:.0f} MB",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="+", type=int, default=[100, 1000, 10000])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--pdf-docs", type=int, default=20, help="documents in the PDF bench (0: skip it)")
    parser.add_argument(
        "--pdf-engine",
        choices=("typst", "weasyprint"),
        default="typst",
        help="the engine of the PDF bench (default: typst, the build's own default)",
    )
    parser.add_argument("--no-validate", action="store_true", help="skip `edition validate` (slow on big corpora)")
    parser.add_argument("--corpus", type=Path, default=REPO / "bench" / "corpus")
    args = parser.parse_args(argv)
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    # A snapshot of the package compiled to bytecode, as pip installs it (see measure.compiled_snapshot).
    env = bytecode_env(env, compiled_snapshot(REPO / "src" / "tei_edition", REPO / "bench" / "out" / "src"))
    print(
        f"# tei-edition bench: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}; --jobs {args.jobs}"
    )
    results = {n: bench_size(n, args.jobs, env, args.corpus, not args.no_validate) for n in args.sizes}
    if 1000 in results and 10000 in results:
        ratio = results[10000]["clean"] / results[1000]["clean"]
        print(f"\n10,000 / 1,000 documents clean build: {ratio:.1f}x (target <= 11x)")
    if args.pdf_docs:
        bench_pdf(args.pdf_docs, args.jobs, env, args.corpus, args.pdf_engine)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
