"""The images a document shows: each relative graphic/@url must be a file of the edition (rule "image")."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tei_edition.output.paths import local_media, media_source
from tei_edition.validate.diagnostics import Diagnostic, Severity


def check_images(document: Path, graphics: Iterable[tuple[str, int]], root: Path) -> list[Diagnostic]:
    """A warning for each image of a document that the site cannot show (its pages show a placeholder)."""
    out = []
    seen: set[str] = set()
    for url, line in graphics:
        rel = local_media(url)
        if rel is None or rel.as_posix() in seen:
            continue
        seen.add(rel.as_posix())
        source, problem = media_source(document, rel, root)
        if source is None:
            message = f"the image {url!r} {problem}: its pages show a placeholder"
            out.append(Diagnostic(document, line, 0, Severity.WARNING, message, "image"))
    return out
