"""Downloads: every TEI source byte for byte, all of them as one deterministic zip, and the downloads page."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tei_edition.output.hashing import content_key, hash_bytes
from tei_edition.output.paths import (
    EDITION_PDF,
    archive_document,
    archive_href,
    archive_name,
    archive_register,
    document_pdf,
    folder,
    pdf_href,
    register_href,
    tei_href,
)
from tei_edition.web.context import PageContext, Site
from tei_edition.web.views import Heading, document_heading, document_views

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


@dataclass(frozen=True)
class SourceFile:
    """A TEI file offered for download."""

    label: str
    href: str  # relative to the site root
    size: int
    doc: Heading | None = None  # the document's title and folder, for a link to its page


@dataclass(frozen=True)
class PdfFile:
    """A PDF of the edition offered on its pages: the whole edition, one of its volumes, or one document."""

    label: str
    href: str  # relative to the site root
    size: int

    @property
    def size_display(self) -> str:
        return file_size(self.size)


def file_size(size: int) -> str:
    """A file's size as readers read it: '820 bytes', '14 KB', '1.3 MB'."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def edition_pdfs(site: Site) -> list[PdfFile]:
    """The edition's book as this build set it: edition.pdf, or its volumes in order; [] without PDFs."""
    pdfs: dict[str, int] = site.cache.get("pdfs", {})
    if EDITION_PDF in pdfs:
        return [PdfFile("The whole edition", pdf_href(EDITION_PDF), pdfs[EDITION_PDF])]
    volumes = sorted(
        (int(name[len("edition-") : -len(".pdf")]), name)
        for name in pdfs
        if name.startswith("edition-") and name.endswith(".pdf") and name[len("edition-") : -4].isdigit()
    )
    return [PdfFile(f"Volume {number}", pdf_href(name), pdfs[name]) for number, name in volumes]


def document_pdf_file(site: Site, doc_id: str) -> PdfFile | None:
    """A document's own PDF, when this build set it."""
    name = document_pdf(doc_id)
    size = site.cache.get("pdfs", {}).get(name)
    return PdfFile("PDF", pdf_href(name), size) if size is not None else None


class DownloadsPage(PageContext):
    """The context of the downloads page."""

    documents: list[SourceFile]
    registers: list[SourceFile]
    archive: SourceFile
    pdfs: list[PdfFile]  # the edition's book, or its volumes; [] when the build set no PDFs
    document_pdfs: list[tuple[Heading, PdfFile]]


def render_downloads(site: Site) -> None:
    """Copy the TEI sources, write the zip of all of them and the downloads page."""
    views = document_views(site)
    documents: list[SourceFile] = []
    members: list[tuple[str, Path]] = []
    title = site.info.title
    for doc in site.data.documents:
        if doc.part_of:  # its file is the volume's, listed once
            continue
        rel = tei_href(doc.id)
        _copy_source(site, rel, doc.path)
        documents.append(
            SourceFile(doc.path.name, rel, doc.path.stat().st_size, document_heading(doc, views.meta(doc.id)))
        )
        members.append((archive_document(title, doc.id), doc.path))
    registers: list[SourceFile] = []
    # A register made of the lists inside documents (a letter's listPerson in its back) has a document's file for
    # its path: that file is offered once, with the documents; a file holding registers of several kinds, once.
    offered = {doc.path for doc in site.data.documents}
    for kind in sorted(site.data.registers):
        path = site.data.registers[kind].path
        if path in offered:
            continue
        offered.add(path)
        rel = register_href(path)
        _copy_source(site, rel, path)
        registers.append(SourceFile(path.name, rel, path.stat().st_size))
        members.append((archive_register(title, path), path))
    zip_rel = archive_href(title)
    size = site.out.write_byte_chunks(
        zip_rel, zip_chunks(members, site.info.build_date.timetuple()[:6], site.store, site.data.source_hashes)
    )
    # The documents are named by their headings (made from their headers, which are at hand, where their views
    # might have to be read from the build cache: the page changes with every edit that changes a file's size).
    document_pdfs = [
        (document_heading(doc, views.meta(doc.id)), pdf)
        for doc in site.data.documents
        if (pdf := document_pdf_file(site, doc.id)) is not None
    ]
    context = DownloadsPage(
        **site.base(folder("downloads"), "Downloads", "downloads", f"The TEI sources and PDFs of {site.info.title}"),
        documents=documents,
        registers=registers,
        archive=SourceFile(archive_name(title), zip_rel, size),
        pdfs=edition_pdfs(site),
        document_pdfs=document_pdfs,
    )
    site.page("downloads.html", context)


def _copy_source(site: Site, rel: str, path: Path) -> None:
    """Copy a TEI source into the output, or carry the last build's copy over when the source is unchanged."""
    digest = site.data.source_hashes.get(path) or hash_bytes(path.read_bytes())
    if not site.carry_over(rel, "source:" + digest):
        site.out.copy_file(rel, path)


class MemberStore(Protocol):
    """Where compressed zip members are kept between builds (the build cache)."""

    def get_many(self, keys: list[str]) -> dict[str, bytes]: ...

    def put_many(self, items: list[tuple[str, bytes]]) -> None: ...


def deterministic_zip(
    members: list[tuple[str, Path]],
    when: tuple[int, ...],
    store: MemberStore | None = None,
    digests: Mapping[Path, str] | None = None,
) -> bytes:
    """A zip of the given files whose bytes depend only on their names, contents and `when` (see zip_chunks)."""
    return b"".join(zip_chunks(members, when, store, digests))


def zip_chunks(
    members: list[tuple[str, Path]],
    when: tuple[int, ...],
    store: MemberStore | None = None,
    digests: Mapping[Path, str] | None = None,
) -> Iterator[bytes]:
    """A zip of the given files whose bytes depend only on their names, contents and `when`, piece by piece.

    Each member is compressed once and kept in `store` under the hash of its content (with its CRC and size), so
    that a build after an edit compresses only the files that changed; given the files' content hashes
    (`digests`, as the build read them), the unchanged files are not even read. Members are fetched and written a
    few hundred at a time: the zip of 10,000 documents is never held whole."""
    year, month, day, hour, minute, second = max(tuple(when), ZIP_EPOCH)[:6]
    stamp = (year, month, day, hour, minute, second)
    ordered = sorted(members)
    if len(ordered) > 0xFFFF or sum(path.stat().st_size for _name, path in ordered) * 1.01 + 1e6 > _ZIP32_LIMIT:
        yield _zipfile_zip(members, stamp)  # beyond the classic zip's limits: zipfile writes the Zip64 records
        return
    dos_time = (hour << 11) | (minute << 5) | (second // 2)
    dos_date = ((year - 1980) << 9) | (month << 5) | day
    digests = digests or {}
    central: list[bytes] = []
    offset = 0
    for start in range(0, len(ordered), 500):
        batch = ordered[start : start + 500]
        contents: dict[Path, bytes] = {}
        keys: list[str] = []
        for _name, path in batch:
            if path not in digests:
                contents[path] = path.read_bytes()
            digest = digests.get(path) or hash_bytes(contents[path])
            keys.append(content_key("zip-member", f"deflate-{ZIP_LEVEL}+crc", digest))
        found = store.get_many(keys) if store is not None else {}
        made: list[tuple[str, bytes]] = []
        for (name, path), key in zip(batch, keys, strict=True):
            entry = found.get(key)
            if entry is None:
                data = contents[path] if path in contents else path.read_bytes()
                squeezer = zlib.compressobj(ZIP_LEVEL, zlib.DEFLATED, -15)
                entry = struct.pack("<II", zlib.crc32(data), len(data)) + squeezer.compress(data) + squeezer.flush()
                made.append((key, entry))
            crc, size = struct.unpack_from("<II", entry)
            packed = memoryview(entry)[8:]
            raw_name = name.encode("utf-8")
            flags = 0 if name.isascii() else 0x800  # the name is UTF-8
            fields = (20, flags, zlib.DEFLATED, dos_time, dos_date, crc, len(packed), size, len(raw_name))
            header = struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + raw_name
            central.append(
                struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, (3 << 8) | 20, *fields, 0, 0, 0, 0, 0o644 << 16, offset)
                + raw_name
            )
            offset += len(header) + len(packed)
            yield header
            yield bytes(packed)
        if store is not None:
            store.put_many(made)
    directory = b"".join(central)
    yield directory
    yield struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), len(directory), offset, 0)


# zlib's default level: a FRUS volume of 3.6 MB is compressed in 0.09 s at 6 and 0.18 s at 9, for 1% more bytes.
ZIP_LEVEL = 6
_ZIP32_LIMIT = 0xFFFFFFFF - 1  # beyond this a zip needs the Zip64 records, which zipfile writes


def _zipfile_zip(members: list[tuple[str, Path]], stamp: tuple[int, ...]) -> bytes:
    """The same archive made by zipfile (with Zip64 records where needed): for editions of several gigabytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL) as archive:
        for name, path in sorted(members):
            info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever system builds it
            archive.writestr(info, path.read_bytes(), compresslevel=ZIP_LEVEL)
    return buffer.getvalue()
