"""The parts of an EPUB that are not text: its metadata, its embedded fonts, and the container (a zip whose bytes
depend only on what is in it)."""

from __future__ import annotations

import io
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from tei_edition.config import EditionConfig
from tei_edition.output.paths import edition_slug

MIMETYPE = b"application/epub+zip"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry: the same in every build

# What the embedded text face is cut down to: Latin (with the extended letters and combining accents), Greek,
# Cyrillic, punctuation, currency signs, letterlike symbols, arrows and the f-ligatures. Cut once per machine and
# font version and kept beside the print fonts (about 4 s, once); the four faces come to ~650 KB in a book instead
# of ~2.1 MB whole.
REPERTOIRE = (
    (0x20, 0x7E),
    (0xA0, 0x24F),
    (0x2B0, 0x36F),
    (0x370, 0x3FF),
    (0x400, 0x4FF),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x20A0, 0x20BF),
    (0x2100, 0x215F),
    (0x2190, 0x21FF),
    (0xFB00, 0xFB06),
)


@dataclass(frozen=True)
class Person:
    """A creator or contributor, with a MARC relator code ('edt', 'aut', 'trl') or ''."""

    name: str
    role: str = ""


@dataclass(frozen=True)
class EpubMetadata:
    """What goes into the package document's metadata."""

    identifier: str
    title: str
    subtitle: str
    creators: tuple[Person, ...]
    contributors: tuple[Person, ...]
    language: str
    date: str  # YYYY-MM-DD
    modified: str  # CCYY-MM-DDThh:mm:ssZ
    publisher: str
    rights: str
    licence_url: str
    description: str
    subjects: tuple[str, ...] = ()
    source: str = ""


def identifier(config: EditionConfig, what: str) -> str:
    """A stable identifier for an EPUB: a name-based UUID of its page or file on the edition's site (the base_url,
    else the edition's title), the same in every build."""
    if config.base_url:
        basis = config.base_url.rstrip("/") + "/" + what
    else:
        basis = f"tei-edition:{edition_slug(config.title)}/{what}"
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, basis)}"


def rights(licence: str, url: str) -> str:
    """The rights statement: the licence, with its address."""
    if not licence:
        return ""
    return f"{licence} ({url})" if url else licence


# ---- Fonts -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmbeddedFace:
    """One font file carried in the book."""

    family: str
    style: str
    weight: str
    path: Path

    @property
    def name(self) -> str:
        return f"fonts/EBGaramond-{self.style}-{self.weight}.ttf"


def embedded_faces() -> tuple[EmbeddedFace, ...]:
    """The text face (EB Garamond: regular, italic, bold, bold italic) cut down to REPERTOIRE, from the static
    faces the PDFs use; none when the font package or a writable font cache is missing (the book then names the
    face and falls back to the reader's serif)."""
    from tei_edition.print.fonts import font_cache, make_each, text_faces

    cache = font_cache()
    if cache is None:
        return ()
    faces = text_faces(cache)
    if not faces or any("[" in face.path.name for face in faces):  # the variable files: no static instances made
        return ()
    out, missing = [], []
    # Beside the PDFs' faces, not among them: Typst reads every font under their folder, and would take a face cut
    # down for the EPUB for the whole one of the same name.
    folder = cache / "epub"
    try:
        folder.mkdir(exist_ok=True)
    except OSError:
        return ()
    for face in faces:
        target = folder / f"epub-{face.path.stem}-{_repertoire_tag()}.ttf"
        if not target.is_file():
            missing.append((face.path, target))
        out.append(EmbeddedFace(face.family, face.style, face.weight, target))
    try:
        make_each(_cut, missing)
    except OSError:
        return ()
    return tuple(out)


def _repertoire_tag() -> str:
    from fontTools import version as fonttools_version

    from tei_edition.output.hashing import content_key

    return content_key("epub-font", repr(REPERTOIRE), fonttools_version)[:10]


def _cut(source: Path, target: Path) -> None:
    from fontTools.ttLib import TTFont

    from tei_edition.print.fonts import cut_font, save_whole

    font = TTFont(str(source), recalcTimestamp=False)  # no timestamp: the same file, and book, in every build
    cut_font(font, unicodes=(c for first, last in REPERTOIRE for c in range(first, last + 1)))
    save_whole(font, target)


def font_licence() -> str:
    """The licence of the text face (the SIL Open Font License, which the font package ships), or ''."""
    try:
        import fontpkg_eb_garamond
    except ImportError:
        return ""
    path = Path(fontpkg_eb_garamond.ROOT) / "LICENSE"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return ""


# ---- The container ---------------------------------------------------------------------------------------------------


def zipped(members: Iterable[tuple[str, bytes]]) -> bytes:
    """The EPUB's container: `mimetype` first and stored, then the members compressed, in the order given, every
    entry with the same time and permissions, so that the bytes depend only on the names and contents."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in [("mimetype", MIMETYPE), *members]:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.create_system = 3
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(info, content, compresslevel=6)
    return buffer.getvalue()
