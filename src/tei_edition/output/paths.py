"""Where everything the build writes goes: the output path of every page, download and PDF, named from the ids of
the edition's documents and register entries.

This module is the one place that maps documents and entities to output names; the site, the PDFs and the build's
checks all ask it. The stylesheets link documents and entities with the same mapping (ed:id-segment in
xslt/common.xsl, tested to agree with id_segment).
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from tei_edition.config import EditionConfig

# The folders of the site's sections, below the site root.
DOCUMENTS = "documents"
DOWNLOADS = "downloads"
ASSETS = "assets"
PDF = "pdf"  # the folder of the PDFs inside the site (config.pdf_dir)

EDITION_PDF = "edition.pdf"

_PLAIN_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,99}")
_HASH_MODULUS = (1 << 61) - 1


def id_hash(value: str) -> str:
    """12 hex digits of a polynomial hash of the code points (xslt/common.xsl ed:id-hash computes the same)."""
    h = 7
    for char in value:
        h = (h * 1000003 + ord(char)) % _HASH_MODULUS
    return f"{h % (1 << 48):012x}"


def id_segment(value: str) -> str:
    """The output name of an xml:id: the id itself when plain ASCII, else its ASCII part + '~' + a hash.

    The XSLT (ed:id-segment) links entities and documents with the same mapping. An xml:id cannot contain
    '~', so a mapped name never equals a plain id, and two ids that differ anywhere get different names.
    """
    if _PLAIN_ID.fullmatch(value) and not value.endswith("."):
        return value
    readable = re.sub(r"[^A-Za-z0-9._-]+", "-", value).strip(".-")[:60]
    return f"{readable or 'id'}~{id_hash(value)}"


def page_key(doc_id: str) -> str:
    """What two documents' ids must not share: their page folder's name, regardless of letter case (some file
    systems do not tell 'Letter' and 'letter' apart)."""
    return id_segment(doc_id).casefold()


def safe_segment(name: str) -> str:
    """A file or folder name made safe for any file system and URL: letters, digits, '.', '_', '~', '-' only."""
    cleaned = re.sub(r"[^A-Za-z0-9._~-]+", "-", name).strip(".-") or "item"
    return cleaned[:120]


# ---- Pages ---------------------------------------------------------------------------------------------------------


def folder(section: str, item_id: str | None = None) -> str:
    """The output folder of a page, with a trailing slash: 'documents/<id>/', 'persons/'."""
    return f"{section}/{id_segment(item_id)}/" if item_id else f"{section}/"


def part_folder(base: str, number: int) -> str:
    """The folder of page `number` of a list whose first page is in `base`: 'persons/stalin/', '.../2/'."""
    return base if number == 1 else f"{base}{number}/"


def href_between(page: str, target: str) -> str:
    """The relative link from the page in folder `page` to the folder `target` (each '' for the site root, else
    'a/b/'): 'persons/stalin/' -> '' gives '../../', 'chronology/1945/2/' -> 'chronology/' gives '../../'."""
    here, there = page.split("/")[:-1], target.split("/")[:-1]
    common = 0
    while common < min(len(here), len(there)) and here[common] == there[common]:
        common += 1
    return "../" * (len(here) - common) + "".join(f"{part}/" for part in there[common:]) or "./"


def page_file(path: str) -> str:
    """The file of the page in folder `path` ('' for the home page)."""
    return f"{path}index.html"


def asset_path(name: str) -> str:
    """Where a static file of the templates' assets/ goes."""
    return f"{ASSETS}/{safe_segment(name)}"


def extra_css_path(name: str) -> str:
    """Where one of the edition's own stylesheets ([site] extra_css) goes."""
    return f"{ASSETS}/extra/{safe_segment(name)}"


# ---- Downloads -----------------------------------------------------------------------------------------------------


def tei_href(doc_id: str) -> str:
    """Where a document's TEI source is published, relative to the site root."""
    return f"{DOWNLOADS}/tei/{id_segment(doc_id)}.xml"


def register_href(path: Path) -> str:
    """Where a register file's TEI source is published, relative to the site root."""
    return f"{DOWNLOADS}/tei/registers/{safe_segment(path.stem)}.xml"


def edition_slug(title: str) -> str:
    """A file-name form of the edition's title: 'Korea and the Soviet Union' -> 'korea-and-the-soviet-union'."""
    slug = re.sub(r"[^A-Za-z0-9._~-]+", "-", title.lower()).strip(".-")
    return re.sub(r"-{2,}", "-", slug)[:120] or "edition"  # 'edition' for a title in other scripts only


def archive_name(title: str) -> str:
    """The file name of the zip of all TEI sources."""
    return f"{edition_slug(title)}-tei.zip"


def archive_href(title: str) -> str:
    """Where the zip of all TEI sources is published, relative to the site root."""
    return f"{DOWNLOADS}/{archive_name(title)}"


def archive_document(title: str, doc_id: str) -> str:
    """A document's name inside the zip of all TEI sources."""
    return f"{edition_slug(title)}/documents/{id_segment(doc_id)}.xml"


def archive_register(title: str, path: Path) -> str:
    """A register file's name inside the zip of all TEI sources."""
    return f"{edition_slug(title)}/registers/{safe_segment(path.stem)}.xml"


# ---- PDFs (below the pdf/ folder) ----------------------------------------------------------------------------------


def document_pdf(doc_id: str) -> str:
    """The PDF of one document."""
    return f"{DOCUMENTS}/{id_segment(doc_id)}.pdf"


def volume_pdf(number: int, count: int) -> str:
    """The PDF of volume `number` of `count` of the edition's book (edition.pdf when the book is one volume)."""
    return EDITION_PDF if count == 1 else f"edition-{number}.pdf"


def pdf_href(rel: str) -> str:
    """Where a PDF (named below the pdf/ folder: 'documents/<id>.pdf') is in the site, relative to its root."""
    return f"{PDF}/{rel}"


# ---- EPUBs (in the site) -------------------------------------------------------------------------------------------

EPUB = "epub"


def edition_epub() -> str:
    """The EPUB of the whole edition, relative to the site root."""
    return f"{EPUB}/edition.epub"


def document_epub(doc_id: str) -> str:
    """The EPUB of one document, relative to the site root."""
    return f"{EPUB}/{DOCUMENTS}/{id_segment(doc_id)}.epub"


# ---- Sources -------------------------------------------------------------------------------------------------------


def relative_name(path: Path, root: Path) -> str:
    """A source's name relative to the edition's folder, with forward slashes; the path as given when it lies
    outside (a configured folder elsewhere)."""
    text, base = str(path), str(root)
    if text.startswith(base) and text[len(base) : len(base) + 1] == os.sep and base != os.sep:
        return text[len(base) + 1 :].replace(os.sep, "/")  # what relative_to() gives, without making paths
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def source_name(config: EditionConfig, path: Path) -> str:
    """A source's name in messages and in the build manifest: relative to the edition's folder."""
    return relative_name(path, config.root)


def local_media(url: str) -> PurePosixPath | None:
    """The site path of a relative media URL, or None for external, absolute or climbing URLs."""
    parts = urlsplit(url.strip())
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = PurePosixPath(unquote(parts.path).lstrip("/"))
    if not path.parts or ".." in path.parts:
        return None
    return path


def media_source(document: Path, rel: PurePosixPath, root: Path) -> tuple[Path | None, str]:
    """The file of an image a document shows (next to the document, else in the edition's folder), or None and
    why it cannot be used: it is missing, or it leads out of the edition's folder (a link would publish whatever
    file it points to)."""
    candidates = [document.parent / Path(*rel.parts), root / Path(*rel.parts)]
    source = next((c for c in candidates if c.is_file()), None)
    if source is None:
        return None, "was not found next to the document or in the edition's folder"
    if not source.resolve().is_relative_to(root.resolve()):
        return None, f"is outside the edition's folder ({source} leads to {source.resolve()}); copy it into the edition"
    return source, ""


# ---- Page images (IIIF Image API level 0, static tiles) -----------------------------------------------------------

IIIF = "iiif"


def iiif_image_id(name: str, digest: str) -> str:
    """The id of a page image in the site: its file's name and the start of its content hash ('p1-3fa2b0c41d9e'),
    so that an image changed in place gets new tiles and two copies of one image share theirs."""
    return f"{safe_segment(PurePosixPath(name).stem)[:60]}-{digest[:12]}"


def iiif_folder(image_id: str) -> str:
    """The folder of a page image's info.json and tiles, with a trailing slash."""
    return f"{IIIF}/{safe_segment(image_id)}/"


def iiif_tile(x: int, y: int, w: int, h: int, tile_w: int, tile_h: int, width: int, height: int) -> str:
    """The path of a tile below its image's folder, as the IIIF Image API 3.0 names it:
    {region}/{size}/0/default.jpg, the region 'full' when it is the whole image and the size 'max' when it is the
    full size (what viewers that read a level-0 info.json ask for)."""
    whole = x == 0 and y == 0 and w == width and h == height
    region = "full" if whole else f"{x},{y},{w},{h}"
    size = "max" if whole and tile_w == width and tile_h == height else f"{tile_w},{tile_h}"
    return f"{region}/{size}/0/default.jpg"
