"""Running a command while sampling the memory of its whole process tree (Linux /proc), for the bench scripts."""

from __future__ import annotations

import compileall
import os
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Run:
    """One command's wall time, peak memory of its process tree (see tree_rss_kb), exit code and output."""

    seconds: float
    peak_mb: float
    returncode: int
    output: str


def tree_rss_kb(root_pid: int) -> int:
    """Memory of a process and all its descendants, in KiB: their proportional set sizes added up (a page shared
    by several processes, as after a fork, counts once in all), or their resident sizes where the kernel does not
    tell the proportional one."""
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * page_kb
        except (OSError, ValueError, IndexError):
            continue
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        total += _pss_kb(pid, rss.get(pid, 0))
        stack.extend(children.get(pid, []))
    return total


def _pss_kb(pid: int, fallback: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return fallback


def measure(args: list[str], env: dict[str, str], sample: bool = True) -> Run:
    """Run a command, sampling the memory of its process tree every 20 ms (with `sample`; else peak_mb is 0).

    Sampling reads /proc for every process of the tree: on two cores it slows a build measurably (a clean build of
    1,000 documents by about a fifth), so times are best taken from a run without it."""
    start = time.perf_counter()
    process = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if not sample:
        output, _ = process.communicate()
        return Run(time.perf_counter() - start, 0.0, process.returncode, output)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss_kb(process.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    return Run(seconds, peak / 1024, process.returncode, output)


def compiled_snapshot(source: Path, into: Path) -> Path:
    """A copy of the package in `source` (the tei_edition folder) under `into`, compiled to bytecode as pip compiles
    an installed package; the folder to put on PYTHONPATH. Every command would otherwise compile the modules it
    imports afresh where PYTHONDONTWRITEBYTECODE is set (0.1-0.2 s a process: the build, its fork server and each
    worker), and editing the source tree while a bench runs cannot change what it measures."""
    if into.exists():
        shutil.rmtree(into)
    shutil.copytree(source, into / source.name, ignore=shutil.ignore_patterns("__pycache__"))
    compileall.compile_dir(str(into), quiet=1)
    return into


def bytecode_env(env: dict[str, str], snapshot: Path) -> dict[str, str]:
    """`env` with `snapshot` first on PYTHONPATH (its bytecode is read even where PYTHONDONTWRITEBYTECODE is set)."""
    out = dict(env)
    out["PYTHONPATH"] = os.pathsep.join(p for p in (str(snapshot), env.get("PYTHONPATH", "")) if p)
    return out
