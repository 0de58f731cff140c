"""Build other projects' TEI as an edition and print how fast, in MB of TEI a second (a script, not a test).

    python bench/corpora.py [--corpora ../shared/corpora] [--runs 3] [--jobs 2] [--epub]

Every file of ../shared/corpora (FRUS, ELTeC, EpiDoc, the TEI's tests, CMIF) is copied unchanged into a new
edition with a minimal edition.toml, then, each in a process of its own as a user runs it (the package compiled to
bytecode, as pip installs it):
  - `edition build --no-pdf --no-epub --clean --keep-going` (validation, HTML and search) is timed `--runs` times,
    then once more with the CPU seconds of its processes (main, workers, Pagefind) sampled; `--epub` adds the
    EPUBs, which a build makes unless told not to but which are not part of the HTML and search timed here;
  - lxml's parse of the same files is timed (best of `--runs`): the floor of reading them at all;
  - the libraries a build calls for each file (lxml, RELAX NG, Saxon's parse, Schematron, the stylesheets,
    Pagefind), timed with the CPU clock as bench/stack_floor.py does: the floor the chosen libraries set on this
    machine, divided by the cores for a wall-clock figure.
It prints the megabytes of TEI, each time, and the build's speed in MB/s against the 2 MB/s target and against the
libraries' floor.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "src"))

from cpu import cpu_by_kind  # noqa: E402
from measure import bytecode_env, compiled_snapshot  # noqa: E402
from stack_floor import library_steps, pagefind_cpu  # noqa: E402

TARGET_MB_S = 2.0
FLOOR_RATIO = 1.3


def make_edition(corpora: Path, into: Path) -> tuple[int, int]:
    """Copy every group of the corpora into `into`/tei/<group>/ and write a minimal edition.toml; (files, bytes)."""
    files = size = 0
    for group in sorted(p for p in corpora.iterdir() if p.is_dir()):
        for source in sorted(group.rglob("*.xml")):
            target = into / "tei" / group.name / source.relative_to(group)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            files += 1
            size += source.stat().st_size
    (into / "edition.toml").write_text(
        '[edition]\ntitle = "Other projects\' TEI"\n\n[sources]\ndocuments = "tei"\n', encoding="utf-8"
    )
    return files, size


def build_command(jobs: int, epub: bool) -> list[str]:
    """The clean build that is timed: HTML and search, with the EPUBs only when `epub`."""
    command = [sys.executable, "-m", "tei_edition", "build", "--no-pdf", "--clean", "--keep-going", "--quiet"]
    return [*command, *([] if epub else ["--no-epub"]), "--jobs", str(jobs)]


def build_env(snapshot: Path) -> dict[str, str]:
    """The environment of the timed builds: a fixed build date, and this checkout's package from `snapshot`, compiled
    to bytecode as an installed package is (see measure.compiled_snapshot)."""
    return bytecode_env({**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}, snapshot)


def build_seconds(edition: Path, jobs: int, epub: bool, env: dict[str, str]) -> tuple[float, int]:
    """Wall seconds of one clean build in a process of its own, and its exit status."""
    start = time.perf_counter()
    done = subprocess.run(build_command(jobs, epub), cwd=edition, env=env, capture_output=True, text=True)
    return time.perf_counter() - start, done.returncode


def parse_floor(edition: Path, runs: int) -> float:
    """The least wall time lxml takes to parse every TEI file of the edition."""
    texts = [p.read_bytes() for p in sorted((edition / "tei").rglob("*.xml"))]
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        for data in texts:
            etree.fromstring(data, parser)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Make the edition, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=REPO.parent / "shared" / "corpora")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--epub", action="store_true", help="time the build with its EPUBs (default: --no-epub)")
    args = parser.parse_args()
    if not args.corpora.is_dir():
        parser.error(f"{args.corpora} does not exist")
    work = Path(tempfile.mkdtemp(prefix="bench-corpora-"))
    try:
        files, size = make_edition(args.corpora, work)
        env = build_env(compiled_snapshot(REPO / "src" / "tei_edition", work / "package"))
        megabytes = size / 1e6
        print(f"{files} TEI files, {megabytes:.2f} MB, from {args.corpora}; {args.jobs} jobs, {os.cpu_count()} cores")
        shown = " ".join(build_command(args.jobs, args.epub)[3:])
        print(f"edition {shown} ({'with' if args.epub else 'without'} EPUBs); load average {os.getloadavg()[0]:.1f}")
        builds = []
        for _ in range(args.runs):
            seconds, status = build_seconds(work, args.jobs, args.epub, env)
            builds.append(seconds)
            print(f"  clean build: {seconds:.2f} s (exit status {status})")
        # One more, its processes sampled every 20 ms for their CPU time (which slows it a little: not timed above).
        _wall, cpu, _status = cpu_by_kind(build_command(args.jobs, args.epub), str(work), env)
        kinds = ", ".join(f"{name} {seconds:.2f}" for name, seconds in cpu.most_common())
        print(f"  CPU seconds of a clean build: {sum(cpu.values()):.2f} ({kinds})")
        best, median = min(builds), statistics.median(builds)
        floor = parse_floor(work, args.runs)
        documents, figures = library_steps(work, 1)
        pages, figures["Pagefind (its program)"] = pagefind_cpu(work / "build" / "html", documents)
        library_cpu = sum(figures.values())
        library_wall = library_cpu / max(1, min(args.jobs, os.cpu_count() or 1))
        print(f"lxml parse floor: {floor:.2f} s ({megabytes / floor:.1f} MB/s)")
        print(f"libraries' CPU floor ({documents} sources, {pages} document pages):")
        for step, seconds in figures.items():
            print(f"  {step:<24} {seconds:6.2f} CPU s")
        print(f"  {'together':<24} {library_cpu:6.2f} CPU s = {library_wall:.2f} s on {args.jobs} cores")
        print(
            f"build: best {best:.2f} s = {megabytes / best:.2f} MB/s, median {median:.2f} s = "
            f"{megabytes / median:.2f} MB/s (target {TARGET_MB_S} MB/s); libraries' floor "
            f"{megabytes / library_wall:.2f} MB/s; build / floor = {best / library_wall:.2f} (target {FLOOR_RATIO})"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
