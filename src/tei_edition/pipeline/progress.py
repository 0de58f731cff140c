"""Feedback during a build: rich progress bars on a terminal, plain lines otherwise (CI logs), or silence (quiet)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

Advance = Callable[[int], None]


class Reporter:
    """Tells the user what the build is doing; `quiet` keeps only errors, `verbose` adds every step."""

    def __init__(
        self, quiet: bool = False, verbose: bool = False, stream: TextIO | None = None, bars: bool | None = None
    ):
        self.quiet = quiet
        self.verbose = verbose and not quiet
        self.stream = stream or sys.stderr
        interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self.bars = (interactive if bars is None else bars) and not quiet

    def info(self, message: str) -> None:
        """A line the user sees unless --quiet."""
        if not self.quiet:
            print(message, file=self.stream, flush=True)

    def detail(self, message: str) -> None:
        """A line seen only with --verbose."""
        if self.verbose:
            print(message, file=self.stream, flush=True)

    @contextmanager
    def task(self, label: str, total: int) -> Iterator[Advance]:
        """A long step over `total` items: a progress bar on a terminal, a start and an end line otherwise."""
        if self.quiet or total <= 0:
            yield lambda n: None
            return
        if self.bars:
            with self._bar(label, total) as advance:
                yield advance
            return
        start = time.perf_counter()
        self.detail(f"{label}: {total} item(s)...")
        yield lambda n: None
        self.detail(f"{label}: done in {time.perf_counter() - start:.2f} s")

    @contextmanager
    def _bar(self, label: str, total: int) -> Iterator[Advance]:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        columns: list[Any] = [
            TextColumn("{task.description:<12}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        ]
        with Progress(*columns, console=Console(file=self.stream), transient=True) as progress:
            task = progress.add_task(label, total=total)
            yield lambda n: progress.advance(task, n)
