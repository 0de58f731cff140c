"""Images the texts embed: a relative graphic/@url is copied into the site at the same path (the XSLT links it
from the site root)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from tei_edition.errors import BuildError
from tei_edition.web.context import Site


def local_media(url: str) -> PurePosixPath | None:
    """The site path of a relative media URL, or None for external, absolute or climbing URLs."""
    parts = urlsplit(url.strip())
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = PurePosixPath(unquote(parts.path).lstrip("/"))
    if not path.parts or ".." in path.parts:
        return None
    return path


def copy_media(site: Site) -> int:
    """Copy every image the documents embed from the edition into the site; return how many were copied."""
    copied: set[str] = set()
    root = site.data.config.root
    for doc in site.data.documents:
        for url, line in doc.graphics:
            rel = local_media(url)
            if rel is None or rel.as_posix() in copied:
                continue
            candidates = [doc.path.parent / Path(*rel.parts), root / Path(*rel.parts)]
            source = next((c for c in candidates if c.is_file()), None)
            if source is None:
                raise BuildError(
                    f"{doc.path}:{line}: the image {url!r} was not "
                    f"found next to the document or in the edition's folder"
                )
            if not source.resolve().is_relative_to(root.resolve()):
                # A symlink out of the edition folder would publish whatever file it points to.
                raise BuildError(
                    f"{doc.path}:{line}: the image {url!r} is outside the "
                    f"edition's folder ({source} leads to {source.resolve()}); copy it into the edition"
                )
            site.out.copy_file(rel.as_posix(), source)
            copied.add(rel.as_posix())
    return len(copied)
