"""Images the texts embed: a relative graphic/@url is copied into the site at the same path (the XSLT links it
from the site root). An image that cannot be used (missing, or outside the edition's folder) is replaced by a
placeholder, and validation warns of it (rule "image")."""

from __future__ import annotations

import struct
import zlib
from functools import cache

from tei_edition.output.paths import local_media, media_source
from tei_edition.web.context import Site

PLACEHOLDER_SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="320" viewBox="0 0 480 320" role="img" '
    'aria-label="Image not available"><rect width="480" height="320" fill="#ece8e1" stroke="#b9b0a2" '
    'stroke-width="4"/><path d="M0 0L480 320M480 0L0 320" stroke="#d3ccc0" stroke-width="2"/></svg>\n'
)


def copy_media(site: Site) -> int:
    """Copy every image the documents embed from the edition into the site (a placeholder for one that cannot be
    used); return how many were copied."""
    copied: set[str] = set()
    root = site.data.config.root
    for doc in site.data.documents:
        # A facsimile's page images are served as tiles (web/facsimile.py), not copied.
        pages = {image for s in doc.facsimile.surfaces for image in s.images} if doc.facsimile else set()
        for url, line in doc.graphics:
            rel = local_media(url)
            if rel is None or rel.as_posix() in copied or (url, line) in pages:
                continue
            source, _problem = media_source(doc.path, rel, root)
            if source is None:
                placeholder = PLACEHOLDER_SVG.encode("utf-8") if rel.suffix.lower() == ".svg" else placeholder_png()
                site.out.write_bytes(rel.as_posix(), placeholder)
            else:
                site.out.copy_file(rel.as_posix(), source)
            copied.add(rel.as_posix())
    return len(copied)


@cache
def placeholder_png(width: int = 480, height: int = 320) -> bytes:
    """A plain grey PNG with a darker frame, standing for an image that is not there (browsers show an image by
    what its bytes are, whatever its name says: one named .jpg or .tif shows too)."""
    fill, frame = b"\xec\xe8\xe1", b"\xb9\xb0\xa2"
    edge = frame * width
    middle = frame * 3 + fill * (width - 6) + frame * 3
    rows = [edge] * 3 + [middle] * (height - 6) + [edge] * 3
    raw = b"".join(b"\x00" + row for row in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
