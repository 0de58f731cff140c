"""Running a command while sampling the memory of its whole process tree (Linux /proc), for the bench scripts."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass


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
