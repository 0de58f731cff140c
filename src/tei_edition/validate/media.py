"""The images a document shows: each relative graphic/@url, and each page image of its facsimile, must be a file of
the edition (rule "image")."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tei_edition.output.paths import local_media, media_source
from tei_edition.validate.diagnostics import Diagnostic, Severity

# What the site shows instead of an image that cannot be used: a placeholder in the text, nothing in the viewer of
# page images (a facsimile's graphic, an image named by @facs, a IIIF manifest file).
FIGURE = ("the image", "its pages show a placeholder")
PAGE_IMAGE = ("the page image", "the page viewer shows no image there")


def check_images(
    document: Path, graphics: Iterable[tuple[str, int]], root: Path, kind: tuple[str, str] = FIGURE
) -> list[Diagnostic]:
    """A warning for each image of a document that the site cannot show."""
    out = []
    seen: set[str] = set()
    for url, line in graphics:
        rel = local_media(url)
        if rel is None and climbs(url) and url not in seen:
            seen.add(url)
            message = (
                f"{kind[0]} {url!r} is named by a path that climbs out of the document's folder ('..'), which the "
                f"site cannot follow: {kind[1]} (name it from the document's folder or the edition's)"
            )
            out.append(Diagnostic(document, line, 0, Severity.WARNING, message, "image"))
            continue
        if rel is None or rel.as_posix() in seen:
            continue
        seen.add(rel.as_posix())
        source, problem = media_source(document, rel, root)
        if source is None:
            message = f"{kind[0]} {url!r} {problem}: {kind[1]}"
            out.append(Diagnostic(document, line, 0, Severity.WARNING, message, "image"))
    return out


def climbs(url: str) -> bool:
    """Whether a relative URL climbs out of its folder ('../../images/a.jpg')."""
    parts = urlsplit(url.strip())
    return not (parts.scheme or parts.netloc) and ".." in unquote(parts.path).split("/")
