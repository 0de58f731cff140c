"""The errors the library raises; cli.py maps each to a message and an exit code."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class EditionError(Exception):
    """Root of every error the tool reports to the user as a message, never as a traceback."""

    exit_code = 1


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in edition.toml: the key (dotted) and what is wrong with it."""

    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}" if self.key else self.message


class ConfigError(EditionError):
    """The configuration cannot be used; carries every problem found, not just the first."""

    exit_code = 2

    def __init__(self, path: Path | None, problems: list[ConfigProblem]):
        self.path = path
        self.problems = problems
        where = f"{path}" if path else "configuration"
        lines = [f"{where}: {len(problems)} problem(s)"] + [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))


class SourceError(EditionError):
    """A source file (document, register, template, stylesheet) cannot be read or parsed."""

    def __init__(self, path: Path | str, message: str, line: int | None = None, column: int | None = None):
        self.path = Path(path)
        self.line = line
        self.column = column
        self.detail = message
        loc = f"{path}:{line}" if line else f"{path}"
        if line and column:
            loc += f":{column}"
        super().__init__(f"{loc}: {message}")


class ValidationFailed(EditionError):
    """Validation found errors, so the edition is not published; `report` holds them when the caller has it."""

    def __init__(self, message: str, report: object | None = None):
        super().__init__(message)
        self.report = report


class BuildError(EditionError):
    """The build could not complete; the previous output is left as it was."""


class UsageError(EditionError):
    """The command was called with arguments that cannot work."""

    exit_code = 2
