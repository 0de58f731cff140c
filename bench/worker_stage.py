"""CPU cost of the per-document stage of `edition build` (parse, validate, read, transform), in one process.

    PYTHONPATH=src python bench/worker_stage.py [--corpus bench/corpus/1000] [--documents 200] [--pdf] [--rounds 3]

Runs SourceWorker.process on the first N documents of a generated corpus (bench/make_corpus.py) after the
schemas and stylesheets are compiled, and prints the milliseconds per document of each step as the worker times
them, best of the rounds, and the process's CPU time per document. The steps are timed with the CPU clock (steady
on a shared machine); --wall times them with the worker's own wall clock. Nothing is written: the corpus is only read.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from tei_edition.config import load_config  # noqa: E402
from tei_edition.pipeline import stage  # noqa: E402
from tei_edition.tei.discover import discover_sources  # noqa: E402


class _CPUClock:
    """Stands in for the time module in the pipeline: its step timings then count this process's CPU time."""

    perf_counter = staticmethod(time.process_time)


def measure(corpus: Path, documents: int, pdf: bool, rounds: int, wall: bool = False) -> dict[str, float]:
    """Milliseconds per document of each step of SourceWorker.process, the best of `rounds` passes."""
    if not wall:
        stage.time = _CPUClock  # type: ignore[assignment]
    config = load_config(corpus / "edition.toml")
    sources = discover_sources(config)
    contents = {path: path.read_bytes() for path in sources.all}
    settings = stage.stage_settings(config, [(p, contents[p]) for p in sources.registers], pdf)
    stage.warm_up(settings)
    worker = stage.thread_worker(settings)
    chosen = sources.documents[:documents]
    best: dict[str, float] = {}
    for _ in range(rounds):
        totals: dict[str, float] = {}
        cpu = time.process_time()
        for path in chosen:
            result = worker.process(stage.SourceTask(path, contents[path], True))
            for step, seconds in result.seconds.items():
                totals[step] = totals.get(step, 0.0) + seconds
        totals["total"] = sum(totals.values())
        totals["cpu"] = time.process_time() - cpu
        for step, seconds in totals.items():
            best[step] = min(best.get(step, seconds), seconds)
    return {step: seconds / len(chosen) * 1000 for step, seconds in best.items()}


def main() -> None:
    """Parse the options, measure, print one line per step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        default=REPO / "bench" / "corpus" / "1000",
        help="a folder with edition.toml (default: bench/corpus/1000)",
    )
    parser.add_argument("--documents", type=int, default=200, help="how many documents to process (default: 200)")
    parser.add_argument("--pdf", action="store_true", help="also render the print body (two transforms per document)")
    parser.add_argument("--rounds", type=int, default=3, help="passes over the documents; the best counts (default: 3)")
    parser.add_argument("--wall", action="store_true", help="time the steps with the wall clock, not the CPU clock")
    args = parser.parse_args()
    if not (args.corpus / "edition.toml").is_file():
        parser.error(f"{args.corpus} has no edition.toml (make one with bench/make_corpus.py)")
    figures = measure(args.corpus.resolve(), args.documents, args.pdf, args.rounds, args.wall)
    print(
        f"{args.corpus} ({args.documents} documents{', with print bodies' if args.pdf else ''}), "
        f"ms per document ({'wall' if args.wall else 'CPU'} clock), best of {args.rounds}:"
    )
    for step, ms in figures.items():
        print(f"  {step:<10} {ms:6.2f}")


if __name__ == "__main__":
    main()
