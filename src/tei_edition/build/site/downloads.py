"""Downloads: every TEI source byte for byte, all of them as one deterministic zip, and the downloads page."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tei_edition.build.site.context import PageContext, Site, folder, id_segment, tei_href
from tei_edition.build.site.documents import DocumentView, document_views
from tei_edition.build.writer import content_hash, safe_segment

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


@dataclass(frozen=True)
class SourceFile:
    """A TEI file offered for download."""

    label: str
    href: str  # relative to the site root
    size: int
    doc: DocumentView | None = None


class DownloadsPage(PageContext):
    """The context of the downloads page."""

    documents: list[SourceFile]
    registers: list[SourceFile]
    archive: SourceFile


def edition_slug(title: str) -> str:
    """A file-name form of the edition's title: 'Korea and the Soviet Union' -> 'korea-and-the-soviet-union'."""
    return re.sub(r"-{2,}", "-", safe_segment(title.lower())) or "edition"


def render_downloads(site: Site) -> None:
    """Copy the TEI sources, write the zip of all of them and the downloads page."""
    views = document_views(site)
    documents: list[SourceFile] = []
    members: list[tuple[str, Path]] = []
    slug = edition_slug(site.info.title)
    for doc in site.data.documents:
        rel = tei_href(doc.id)
        _copy_source(site, rel, doc.path)
        documents.append(SourceFile(doc.path.name, rel, doc.path.stat().st_size, views[doc.id]))
        members.append((f"{slug}/documents/{id_segment(doc.id)}.xml", doc.path))
    registers: list[SourceFile] = []
    for kind in sorted(site.data.registers):
        path = site.data.registers[kind].path
        rel = f"downloads/tei/registers/{safe_segment(path.stem)}.xml"
        _copy_source(site, rel, path)
        registers.append(SourceFile(path.name, rel, path.stat().st_size))
        members.append((f"{slug}/registers/{safe_segment(path.stem)}.xml", path))
    zip_rel = f"downloads/{slug}-tei.zip"
    data = deterministic_zip(members, site.info.build_date.timetuple()[:6])
    site.out.write_bytes(zip_rel, data)
    context = DownloadsPage(**site.base(folder("downloads"), "Downloads", "about",
                                        f"The TEI sources of {site.info.title}"),
                            documents=documents, registers=registers,
                            archive=SourceFile(f"{slug}-tei.zip", zip_rel, len(data)))
    site.page("downloads.html", context)


def _copy_source(site: Site, rel: str, path: Path) -> None:
    """Copy a TEI source into the output, or carry the last build's copy over when the source is unchanged."""
    if not site.carry_over(rel, "source:" + content_hash(path.read_bytes())):
        site.out.copy_file(rel, path)


def deterministic_zip(members: list[tuple[str, Path]], when: tuple[int, ...]) -> bytes:
    """A zip of the given files whose bytes depend only on their names, contents and `when`."""
    stamp = max(tuple(when), ZIP_EPOCH)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, path in sorted(members):
            info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, whatever system builds it
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()
