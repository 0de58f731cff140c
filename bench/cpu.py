"""Where a command's CPU time goes: seconds per kind of process of its tree (a script, not a test).

    python bench/cpu.py -- edition build --clean --no-pdf --jobs 2 --config bench/corpus/1000/edition.toml

Samples /proc every 20 ms for the command and every process it starts, and prints the wall time and the CPU
seconds (user + system) of the main process, of the worker processes (Python's forkserver children), of Pagefind
and of anything else. With two cores busy all along, wall time can only fall with the total.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import time
from collections import Counter


def _children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        out.setdefault(parent, []).append(int(entry))
    return out


def _cpu_and_command(pid: int) -> tuple[float, str] | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            command = handle.read().replace(b"\0", b" ").decode("utf-8", "replace")
    except (OSError, ValueError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), command


def kind(pid: int, root: int, command: str) -> str:
    """What a process of the tree is: main, worker, pagefind or other."""
    if pid == root:
        return "main"
    if "pagefind" in command:
        return "pagefind"
    if "multiprocessing" in command:
        return "worker"
    return "other"


def cpu_by_kind(
    command: list[str], cwd: str | None = None, env: dict[str, str] | None = None
) -> tuple[float, Counter[str], int]:
    """Run `command`; its wall seconds, the CPU seconds of its processes by kind (see kind) and its exit status."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    last: dict[int, tuple[float, str]] = {}  # pid -> the CPU seconds last seen, command line
    while process.poll() is None:
        tree, stack = _children(), [process.pid]
        while stack:
            pid = stack.pop()
            seen = _cpu_and_command(pid)
            if seen is not None:
                last[pid] = (seen[0], seen[1] or last.get(pid, (0.0, ""))[1])
            stack.extend(tree.get(pid, []))
        time.sleep(0.02)
    wall = time.perf_counter() - start
    process.communicate()
    totals: Counter[str] = Counter()
    for pid, (seconds, line) in last.items():
        totals[kind(pid, process.pid, line)] += seconds
    return wall, totals, process.returncode


def main(argv: list[str] | None = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args(argv)
    command = [c for c in args.command if c != "--"]
    if not command:
        parser.error("no command given")
    wall, totals, status = cpu_by_kind(command)
    print(f"wall {wall:.2f} s, CPU {sum(totals.values()):.2f} s (exit {status})")
    for name, seconds in totals.most_common():
        print(f"  {name:<9} {seconds:7.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
