"""What checking against TEI All costs next to the edition's strict subset: `edition validate` on one edition of N
documents (default 20, made by make_corpus.py), once with `schema = "edition"`, once with `schema = "tei-all"`.

    python bench/schema_cost.py                 # 20 documents, 5 runs of each
    python bench/schema_cost.py --documents 100 --runs 7
    python bench/schema_cost.py --baseline-src /path/to/other/checkout/src   # also that code, on the subset

Each edition is given its schema folder and <?xml-model?> instructions (`edition schema --add-pi`), as editions made
by `edition new` have them. Every run is a new process, as a user's is: nothing compiled is kept between runs. The
first run of each is shown apart ("cold": the schema files and the package's modules just read from disk for the
first time since they were written or installed); the others give the median and the range ("warm"), and the
median CPU time (user + system, worker processes included), steadier than wall time on a busy machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall time and CPU time (user + system, its worker processes included) of one command, and the last line of
    its output (the report's summary)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{done.stderr}")
    lines = done.stdout.strip().splitlines()
    return seconds, cpu, lines[-1] if lines else ""


def edition_with(corpus: Path, target: Path, schema: str) -> Path:
    """A copy of the corpus with [sources] schema set, its schema folder written and its files pointing there."""
    shutil.copytree(corpus, target)
    toml = target / "edition.toml"
    text = toml.read_text(encoding="utf-8")
    text = text.replace('schema = "edition"', "").replace("[sources]\n", f'[sources]\nschema = "{schema}"\n', 1)
    toml.write_text(text, encoding="utf-8")
    program = [sys.executable, "-m", "tei_edition", "schema", "--add-pi", "--force"]
    subprocess.run(program, cwd=target, check=True, capture_output=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=20, help="documents in the edition (default 20)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each variant (default 5)")
    parser.add_argument("--baseline-src", type=Path, help="another checkout's src/ to time on the subset as well")
    args = parser.parse_args(argv)

    corpus = REPO / "bench" / "corpus" / str(args.documents)
    if not corpus.is_dir():
        subprocess.run([sys.executable, str(REPO / "bench" / "make_corpus.py"), str(args.documents)], check=True)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    validate = [sys.executable, "-m", "tei_edition", "validate", "--jobs", "2"]
    with tempfile.TemporaryDirectory(prefix="schema-cost-") as scratch:
        variants = [
            ('subset (schema = "edition")', edition_with(corpus, Path(scratch) / "subset", "edition"), env),
            ('TEI All (schema = "tei-all")', edition_with(corpus, Path(scratch) / "tei-all", "tei-all"), env),
        ]
        if args.baseline_src:
            baseline = Path(scratch) / "baseline"
            shutil.copytree(corpus, baseline)
            variants.append(("baseline code, subset", baseline, {**os.environ, "PYTHONPATH": str(args.baseline_src)}))
        print(f"edition validate, {args.documents} documents, {args.runs} runs each (new process every run)")
        print(f"{'variant':32} {'cold':>6} {'warm median':>11} {'warm range':>12} {'CPU median':>10}  report")
        medians: dict[str, tuple[float, float]] = {}
        for label, folder, variant_env in variants:
            walls, cpus, summary = [], [], ""
            for _ in range(args.runs):
                seconds, cpu, summary = timed(validate, folder, variant_env)
                walls.append(seconds)
                cpus.append(cpu)
            warm, warm_cpu = walls[1:] or walls, cpus[1:] or cpus
            medians[label] = (statistics.median(warm), statistics.median(warm_cpu))
            print(
                f"{label:32} {walls[0]:5.2f}s {medians[label][0]:10.2f}s {min(warm):5.2f}-{max(warm):.2f}s "
                f"{medians[label][1]:9.2f}s  {summary}"
            )
        (subset_wall, subset_cpu), (all_wall, all_cpu) = list(medians.values())[:2]
        print(
            f"TEI All against the subset (warm medians): {all_wall - subset_wall:+.2f} s wall, "
            f"{all_cpu - subset_cpu:+.2f} s CPU"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
