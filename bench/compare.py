"""Compare two versions of the code on one-document edits, their runs interleaved (a script, not a test).

    python bench/compare.py 62cf7d8 HEAD                  # two commits of this repository
    python bench/compare.py /path/to/src HEAD --runs 9    # a source folder and a commit

On a machine whose speed moves by 15-30% from one minute to the next, two bench runs taken at different times
cannot tell a change of 0.1 s from the machine. Here each version builds its own copy of a generated edition
(bench/corpus/<N>, see make_corpus.py), then edits of one document alternate between the two, in the order A B,
B A, A B...; the medians are printed, with the CPU seconds of each build's processes. Every edit puts a new word in
the first paragraph of the same document, as bench/run.py does.
"""

from __future__ import annotations

import argparse
import compileall
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
sys.path.insert(0, str(REPO / "bench"))

from make_corpus import make_corpus  # noqa: E402


def source_tree(version: str, into: Path) -> Path:
    """The `src` folder of a version: a folder as it is, or a commit checked out (without its .git) into `into`."""
    if Path(version).is_dir():
        return Path(version).resolve()
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", version, "src"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    compileall.compile_dir(str(into / "src"), quiet=1)
    return into / "src"


def edit_once(command: list[str], env: dict[str, str], edition: Path, document: Path, text: str) -> tuple[float, float]:
    """Put a new word into the document, build, put the text back: the build's wall and CPU seconds."""
    body = text.index("<body")
    document.write_text(text[:body] + text[body:].replace("<p>", f"<p>Edited{time.time_ns()}. ", 1), encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=edition, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    document.write_text(text, encoding="utf-8")
    if done.returncode not in (0, 1):
        raise SystemExit(f"the build failed:\n{done.stderr[-3000:]}")
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a", help="a commit of this repository, or a folder holding the package (a src folder)")
    parser.add_argument("b", help="the other version, the same way")
    parser.add_argument("--documents", type=int, default=1000, help="documents in the edition (default: 1000)")
    parser.add_argument("--runs", type=int, default=9, help="edits per version (default: 9)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    corpus = make_corpus(args.documents, REPO / "bench" / "corpus" / str(args.documents)).parent
    with tempfile.TemporaryDirectory(prefix="tei-edition-compare-") as folder:
        work = Path(folder)
        versions = []
        for label, version in (("A", args.a), ("B", args.b)):
            src = source_tree(version, work / f"src-{label}")
            edition = work / f"edition-{label}"
            shutil.copytree(corpus, edition, ignore=shutil.ignore_patterns("build"))
            env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
            env.update(SOURCE_DATE_EPOCH="1700000000", PYTHONPATH=str(src))
            versions.append((f"{label} {version}", env, edition))
        command = [sys.executable, "-m", "tei_edition", "build", "--no-pdf", "--jobs", str(args.jobs), "--keep-going"]
        documents = sorted((corpus / "tei" / "documents").glob("*.xml"))
        name = documents[len(documents) // 2].name
        text = (corpus / "tei" / "documents" / name).read_text(encoding="utf-8")
        for _label, env, edition in versions:
            subprocess.run(command, env=env, cwd=edition, capture_output=True, check=False)  # the first, clean build
        results: list[list[tuple[float, float]]] = [[], []]
        for run in range(args.runs):
            for index in (0, 1) if run % 2 == 0 else (1, 0):
                _label, env, edition = versions[index]
                results[index].append(edit_once(command, env, edition, edition / "tei" / "documents" / name, text))
    print(f"one-document edit of {args.documents} documents, {args.runs} interleaved runs each, --jobs {args.jobs}")
    for (label, _env, _edition), runs in zip(versions, results, strict=True):
        walls = [wall for wall, _cpu in runs]
        cpus = [cpu for _wall, cpu in runs]
        print(
            f"  {label:<30} wall: median {statistics.median(walls):.2f} s (min {min(walls):.2f}, "
            f"max {max(walls):.2f}); CPU of all processes: median {statistics.median(cpus):.2f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
