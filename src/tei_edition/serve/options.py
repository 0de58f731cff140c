"""How `edition serve` runs: where it listens, whether it opens a browser, whether it builds PDFs too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ServeOptions:
    """How to serve: where to listen, whether to open a browser, whether to build PDFs and EPUBs too."""

    host: str = "127.0.0.1"
    port: int = 8000
    open_browser: bool = True
    pdf: bool = False
