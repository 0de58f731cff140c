"""Rebuilding for the preview: one build at a time, its failure told as problems with file and line."""

from __future__ import annotations

import re
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tei_edition.config import EditionConfig, load_config
from tei_edition.errors import ConfigError, EditionError, SourceError, ValidationFailed
from tei_edition.serve.live import BuildProblem, LiveState
from tei_edition.serve.options import Progress, ServeOptions

_PROBLEM_LINE = re.compile(r"^\s+(?P<file>[^\s:][^:]*):(?P<line>\d+): (?P<message>.*?)(?: \[(?P<rule>[\w-]+)\])?$")


def problems_of(exc: BaseException, root: Path) -> list[BuildProblem]:
    """What a failed build says, as problems with file and line where the error gives them."""

    def rel(path: Path | str) -> str:
        try:
            return Path(path).resolve().relative_to(root).as_posix()
        except ValueError:
            return str(path)

    if isinstance(exc, SourceError):
        return [BuildProblem(rel(exc.path), exc.line or 0, exc.detail)]
    if isinstance(exc, ConfigError):
        where = rel(exc.path) if exc.path else "edition.toml"
        return [BuildProblem(where, 0, str(p)) for p in exc.problems]
    report = getattr(exc, "report", None)
    if isinstance(exc, ValidationFailed) and report is not None and getattr(report, "errors", None):
        return [
            BuildProblem(rel(d.path), d.line, f"{d.message} [{d.rule}]") for d in report.sorted() if d in report.errors
        ]
    lines = str(exc).splitlines()
    found = []
    for line in lines[1:]:
        match = _PROBLEM_LINE.match(line)
        if match:
            message = match["message"] + (f" [{match['rule']}]" if match["rule"] else "")
            found.append(BuildProblem(rel(match["file"]), int(match["line"]), message))
    if found:
        return found
    if isinstance(exc, EditionError):
        return [BuildProblem("", 0, str(exc))]
    return [BuildProblem("", 0, f"internal error: {type(exc).__name__}: {exc}")]


class Rebuilder:
    """Runs builds one at a time and records their outcome in the live state."""

    def __init__(
        self,
        config: EditionConfig,
        options: ServeOptions,
        state: LiveState,
        progress: Progress,
        build: Callable[[EditionConfig], Any] | None = None,
    ):
        self.config = config
        self.options = options
        self.state = state
        self.say = progress
        self._build = build or self._default_build
        self._lock = threading.Lock()

    def _default_build(self, config: EditionConfig) -> Any:
        from tei_edition.pipeline import BuildOptions, build_edition

        return build_edition(config, BuildOptions(pdf=self.options.pdf, epub=self.options.pdf))

    def rebuild(self, reload_config: bool = False) -> bool:
        """Build now; on failure keep the last good output and report where the problem is."""
        with self._lock:
            start = time.perf_counter()
            try:
                if reload_config and self.config.config_path is not None:
                    self.config = load_config(self.config.config_path)
                summary = self._build(self.config)
            except Exception as exc:  # any failure must leave the server running with the last good pages
                problems = problems_of(exc, self.config.root)
                self.state.failed(problems, time.perf_counter() - start)
                self.say(
                    f"Build failed ({len(problems)} problem{'s' if len(problems) != 1 else ''}); "
                    "still serving the last good build:"
                )
                for p in problems:
                    where = f"{p.file}:{p.line}: " if p.line else f"{p.file}: " if p.file else ""
                    self.say(f"  {where}{p.message}")
                if not isinstance(exc, EditionError):
                    self.say("".join(traceback.format_exception_only(type(exc), exc)).strip())
                return False
            seconds = time.perf_counter() - start
            self.state.succeeded(seconds)
            timings = getattr(summary, "timings", None) or {}
            phases = ", ".join(f"{name} {value:.2f}" for name, value in timings.items() if value >= 0.01)
            self.say(f"Built in {seconds:.2f} s" + (f" ({phases})" if phases else ""))
            return True
