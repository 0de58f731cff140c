"""The PDF editions set by Typst: the sources compiled with the build's fonts, the book split into volumes, and
the PDFs kept in the build cache.

The sources are written by print/typst_source.py. The documents' PDFs are set in threads while the edition is set
(the Typst compiler leaves Python's lock while it works, and each compilation uses every core it can), and kept in
the build cache by a hash of their source, fonts and images, so that after an edit only the edition and the edited
documents are set again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TypeVar

from tei_edition.errors import BuildError
from tei_edition.output.cache import BuildCache
from tei_edition.output.hashing import content_key
from tei_edition.output.paths import document_pdf, source_name, volume_pdf
from tei_edition.output.writer import OutputWriter
from tei_edition.print.book import book_metadata, document_metadata, prepare_document, texts_in_use
from tei_edition.print.fonts import FontSet
from tei_edition.print.typst_source import SourceWriter, source_place
from tei_edition.tei.edition import EditionData

TYPST_REQUIREMENT = "typst>=0.14"
# Every PDF is PDF/A-2b (archival: fonts embedded, colours defined, metadata in XMP), which Typst checks as it
# writes: a PDF that could not conform fails to compile.
PDF_STANDARDS = ("a-2b",)
_FALSE_SUSPECTS = re.compile(rb"/MarkInfo\s*<<\s*/Marked\s+true\s*(/Suspects\s+false)")
T = TypeVar("T")


# ---- Compiling -------------------------------------------------------------------------------------------------------


def font_folders(fonts: FontSet) -> list[str]:
    """The folders Typst reads fonts from: those of the build's faces."""
    return sorted({str(face.path.parent) for face in fonts.faces})


def load_typst() -> ModuleType:
    try:
        import typst
    except ImportError as exc:
        raise BuildError(
            f"the PDF editions need Typst, which cannot be loaded ({exc}); install it with "
            f'`pip install "{TYPST_REQUIREMENT}"`, or build with --no-pdf'
        ) from None
    return typst


class TypstSetter:
    """Compiles Typst sources to PDF with the build's fonts, reading files only inside the edition's folder."""

    def __init__(self, root: Path, fonts: FontSet | list[str]):
        """`fonts`: the build's font set, or the folders of its faces."""
        typst = load_typst()
        self.root = root
        self.warnings: dict[str, list[str]] = {}  # what Typst warned of (a font the design names is missing...) ->
        # what it was setting then
        self.font_folders = fonts if isinstance(fonts, list) else font_folders(fonts)
        self.fonts = typst.Fonts(include_system_fonts=True, include_embedded_fonts=True, font_paths=self.font_folders)

    def write(self, source: str, what: str) -> bytes | TypstFailure:
        """The PDF of one source (`what` names it in messages), or what made Typst fail, with the TEI file and
        line it failed near; Typst's warnings are kept in `warnings`."""
        typst = load_typst()
        compiler = typst.Compiler(root=str(self.root), font_paths=self.fonts)
        standards = list(PDF_STANDARDS)
        try:
            try:
                pdf, warnings = compiler.compile_with_warnings(
                    input=source.encode("utf-8"), format="pdf", pdf_standards=standards
                )
            except typst.TypstError as exc:
                if not _typst_message(exc).startswith("PDF/A"):
                    raise
                # A PDF that cannot be PDF/A (a character no font has) is still set, as a plain PDF.
                self.warnings.setdefault(f"not PDF/A: {_typst_message(exc)}", []).append(what)
                pdf, warnings = compiler.compile_with_warnings(input=source.encode("utf-8"), format="pdf")
            for warning in warnings:
                self.warnings.setdefault(_typst_message(warning), []).append(what)
        except typst.TypstError as exc:
            return _failure(source, what, _typst_message(exc), getattr(exc, "diagnostic", ""))
        except RuntimeError as exc:
            return _failure(source, what, str(exc), str(exc))
        assert isinstance(pdf, bytes)
        return without_false_suspects(pdf)

    def write_apart(self, source: str, what: str) -> bytes | TypstFailure:
        """As write, in a child process of its own: Typst keeps what it laid out for the compilations that follow in
        a process (~0.6 GB for 350 pages), which one volume after another would add up."""
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        from tei_edition.executor import process_context

        with ProcessPoolExecutor(max_workers=1, mp_context=process_context()) as pool:
            try:
                pdf, warnings = pool.submit(_write_in_child, str(self.root), self.font_folders, source, what).result()
            except BrokenProcessPool as exc:
                raise BuildError(
                    f"the process setting {what} with Typst stopped unexpectedly ({exc}); it may "
                    "have run out of memory: set [pdf] volume_pages lower"
                ) from None
        for message in warnings:
            self.warnings.setdefault(message, []).append(what)
        return pdf

    def write_many(self, sources: Iterable[tuple[str, str]], workers: int) -> Iterator[bytes | TypstFailure]:
        """PDFs of (source, what) pairs in order, `workers` at a time; one that fails never stops the others."""
        items = list(sources)
        if workers <= 1 or len(items) <= 1:
            yield from (self.write(source, what) for source, what in items)
            return
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="typst") as pool:
            yield from pool.map(lambda item: self.write(*item), items)


@dataclass(frozen=True)
class TypstFailure:
    """Why Typst could not set a PDF: the message (naming the TEI file and line it failed near) and the document
    whose text it failed in, when it failed in one."""

    message: str
    document: str | None = None


_DIAGNOSTIC_PLACE = re.compile(r"\.typ:(\d+):\d+")


def _failure(source: str, what: str, message: str, diagnostic: str) -> TypstFailure:
    """A failure, placed in the TEI by the line of the Typst source Typst names in its diagnostic."""
    found = _DIAGNOSTIC_PLACE.search(diagnostic or "")
    place = source_place(source, int(found.group(1)) if found else 0)
    if place is None:
        return TypstFailure(f"setting {what} with Typst failed: {message}")
    doc_id, file, line = place
    if file in what:  # a document's own PDF: `what` names it and its file
        near = f" near line {line} of {file}" if line else ""
        return TypstFailure(f"setting {what} with Typst failed{near}: {message}", doc_id)
    near = f"{file}, line {line}" if line else file
    return TypstFailure(f"setting {what} with Typst failed in document {doc_id!r} ({near}): {message}", doc_id)


def _write_in_child(root: str, folders: list[str], source: str, what: str) -> tuple[bytes | TypstFailure, list[str]]:
    """TypstSetter.write in a pool's child process: the PDF and Typst's warnings."""
    setter = TypstSetter(Path(root), folders)
    return setter.write(source, what), list(setter.warnings)


def without_false_suspects(pdf: bytes) -> bytes:
    """The PDF without the `/Suspects false` Typst writes in the catalogue's /MarkInfo of a tagged PDF.

    False is the entry's default, so leaving it out changes nothing the PDF says; but Poppler (pdfinfo,
    pdftotext, Evince) reports every PDF that has it as "Syntax Error: Suspects object is wrong type (boolean)".
    The entry is overwritten with spaces of the same length, so that every offset of the cross-reference table
    stays right."""
    match = _FALSE_SUSPECTS.search(pdf, 0, 1 << 20) or _FALSE_SUSPECTS.search(pdf)
    if match is None:
        return pdf
    start, end = match.span(1)
    return pdf[:start] + b" " * (end - start) + pdf[end:]


def _typst_message(exc: object) -> str:
    """Typst's message and hints on one line."""
    message = getattr(exc, "message", "") or str(exc)
    hints = getattr(exc, "hints", None) or []
    text = message + "".join(f" (hint: {hint})" for hint in hints)
    return " ".join(text.split())


# ---- Setting the PDFs ------------------------------------------------------------------------------------------------


def render_typst(
    data: EditionData,
    print_bodies: dict[str, str],
    out: OutputWriter,
    jobs: int | None = None,
    store: BuildCache | None = None,
    warn: Callable[[str], None] | None = None,
    keep_going: bool = False,
) -> int:
    """Write edition.pdf and documents/<id>.pdf set by Typst; return how many PDFs were written. Typst's warnings
    go to `warn`.

    The book is set first: each document's own PDF says on which of its pages the document stands. A PDF Typst
    cannot set stops the build, naming the TEI file and the line near which it failed; with `keep_going` it is
    reported to `warn` and left out (a document the book cannot set is replaced there by a notice), and every
    other PDF is still set."""
    import tempfile

    from tei_edition.executor import default_jobs
    from tei_edition.print.fonts import font_cache, prepare_fonts

    load_typst()
    config = data.config
    workers = jobs or config.jobs or default_jobs()
    documents = [
        prepare_document(data, doc, number, print_bodies) for number, doc in enumerate(data.documents, start=1)
    ]
    report = warn or (lambda _message: None)
    written = 0
    with tempfile.TemporaryDirectory(prefix="tei-edition-fonts-") as workdir:
        # Typst reads the CJK collection itself and embeds only the glyphs in use: nothing is cut beforehand.
        fonts = prepare_fonts(texts_in_use(data, documents), Path(workdir), font_cache(), store, cut=False)
        writer = SourceWriter(data, fonts)
        setter = TypstSetter(config.root, fonts)
        fonts_key = _files_key(face.path for face in fonts.faces)

        def key(source: str, shown: Iterable[Path]) -> str:
            # A PDF is a function of its source, the fonts, the images it shows and Typst's version: one whose key
            # the build cache holds is taken from it (after an edit, only what changed is set again).
            return content_key("typst-pdf", typst_version(), fonts_key, _files_key(shown, content=True), source)

        for doc in documents:
            writer.body(doc)  # the texts first: their lengths decide the volumes
        volumes = split_volumes(documents, [writer.characters[doc.id] for doc in documents], config.print.volume_pages)
        failed: set[str] = set()
        # Each volume's documents are set (`workers` at a time) as soon as the volume has given their pages, while
        # the next volume is set.
        pool = ThreadPoolExecutor(max_workers=max(workers, 1), thread_name_prefix="typst")
        pending: dict[int, Future[bytes | TypstFailure] | bytes | TypstFailure] = {}
        keys: dict[int, str] = {}
        kept_docs: set[str] = set()  # the keys of the documents' PDFs the build cache held
        try:
            for number, volume in enumerate(volumes, start=1):
                title, label, name = "", None, volume_pdf(number, len(volumes))
                if len(volumes) > 1:
                    title = f"{config.title}, volume {number}"
                    label = f"Volume {number} of {len(volumes)} · Documents {volume[0].number}–{volume[-1].number}"
                what = f"the edition ({name})" if len(volumes) == 1 else f"volume {number} of the edition ({name})"
                shown = {path for doc in volume for path in writer.images[doc.id]}
                write = setter.write_apart if len(volumes) > 1 else setter.write
                while True:
                    source = writer.edition_source(volume, book_metadata(data, volume, title), label, failed)
                    book_key = key(source, shown)
                    kept = store.get_many([book_key]) if store is not None else {}
                    made = kept[book_key] if book_key in kept else write(source, what)
                    if isinstance(made, bytes):
                        break
                    culprits = {made.document: made.message} if made.document else {}
                    if not culprits:  # failed outside the texts (in an image, say): each document set alone tells
                        alone = [
                            (
                                writer.document_source(doc, document_metadata(data, doc)),
                                f"{what}, document {doc.id!r}",
                            )
                            for doc in volume
                        ]
                        tried = setter.write_many(alone, workers)
                        culprits = {
                            doc.id: f"{made.message}; setting it alone: {pdf.message}"
                            for doc, pdf in zip(volume, tried, strict=True)
                            if isinstance(pdf, TypstFailure)
                        }
                    if not keep_going or not culprits or culprits.keys() <= failed:
                        raise BuildError(next(iter(culprits.values()), made.message))
                    failed |= culprits.keys()  # set again, with those documents replaced by a notice
                    for message in culprits.values():
                        report(f"PDF: {message}; the book shows a notice in its place")
                if store is not None and book_key not in kept:
                    store.put_many([(book_key, made)])
                pages = document_pages(made, writer.part_ids(volume))
                out.write_bytes(name, made)
                written += 1
                sources = {
                    doc.number: (
                        writer.document_source(
                            doc,
                            document_metadata(data, doc),
                            pages.get(doc.id, ""),
                            f"volume {number}, " if len(volumes) > 1 else "",
                        ),
                        f"document {doc.id!r} (from {source_name(data.config, doc.source.path)})",
                    )
                    for doc in volume
                }
                keys |= {
                    n: key(source, writer.images.get(documents[n - 1].id, set())) for n, (source, _) in sources.items()
                }
                kept = store.get_many([keys[n] for n in sources]) if store is not None else {}
                kept_docs |= kept.keys()
                for n, item in sources.items():
                    if keys[n] in kept:
                        pending[n] = kept[keys[n]]
                    else:  # one job: one PDF at a time
                        pending[n] = pool.submit(setter.write, *item) if workers > 1 else setter.write(*item)
            results = {n: made.result() if isinstance(made, Future) else made for n, made in pending.items()}
        finally:
            pool.shutdown(cancel_futures=True)
        if store is not None:
            fresh = [n for n in pending if keys[n] not in kept_docs]
            store.put_many([(keys[n], pdf) for n in fresh if isinstance(pdf := results[n], bytes)])
        for doc in documents:
            pdf = results[doc.number]
            if isinstance(pdf, TypstFailure):
                if not keep_going:
                    raise BuildError(pdf.message)
                report(f"PDF: {pdf.message}; its PDF is left out")
                continue
            out.write_bytes(document_pdf(doc.id), pdf)
            written += 1
        for message, where in setter.warnings.items():
            more = f" and {len(where) - 1} more PDF(s)" if len(where) > 1 else ""
            report(f"PDF: Typst warns: {message} (setting {where[0]}{more})")
    return written


def document_pages(pdf: bytes, parts: list[str]) -> dict[str, str]:
    """Where each document stands in a book: its id -> the printed numbers of its first and last pages ('9–12').

    `parts` are the ids of the book's parts that have a bookmark, in order (contents, introduction, documents,
    indexes, chronology): the top level of the book's outline, one entry a part. A book whose outline has other
    entries (a design of an edition's own) gives none."""
    from io import BytesIO

    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(BytesIO(pdf))
        found = [reader.get_destination_page_number(item) for item in reader.outline if not isinstance(item, list)]
        labels = list(reader.page_labels)
    except (PyPdfError, ValueError, KeyError):
        return {}
    starts = [page for page in found if page is not None]
    if len(starts) != len(parts) or len(found) != len(parts) or not labels:
        return {}
    ends = [max(start, following - 1) for start, following in zip(starts, [*starts[1:], len(labels)], strict=True)]
    return {
        part: labels[start] if start == end else f"{labels[start]}–{labels[end]}"
        for part, start, end in zip(parts, starts, ends, strict=True)
    }


def split_volumes(documents: list[T], characters: list[int], volume_pages: int) -> list[list[T]]:
    """The documents in volumes of about `volume_pages` pages each, as even as whole documents allow (one volume
    when 0 or when they all fit). A document's pages are estimated from its text: ~3,000 characters a page, and
    one more for its heading and source note (the sample's documents in the bench, 3,190 characters a page)."""
    pages = [1 + count / 3000 for count in characters]
    total = sum(pages)
    if volume_pages <= 0 or total <= volume_pages or len(documents) < 2:
        return [documents]
    count = min(-(-int(total) // volume_pages), len(documents))
    target = total / count
    volumes: list[list[T]] = [[]]
    filled = 0.0
    for doc, size in zip(documents, pages, strict=True):
        if volumes[-1] and filled + size / 2 > target * len(volumes) and len(volumes) < count:
            volumes.append([])
        volumes[-1].append(doc)
        filled += size
    return volumes


def typst_version() -> str:
    return str(getattr(load_typst(), "__version__", ""))


def _files_key(paths: Iterable[Path], content: bool = False) -> str:
    """A key of files: their paths and sizes (fonts, which do not change in place), or their contents (images)."""
    parts: list[str | bytes] = []
    for path in sorted(set(paths)):
        parts.append(str(path))
        try:
            parts.append(path.read_bytes() if content else str(path.stat().st_size))
        except OSError:
            parts.append("missing")
    return content_key("files", *parts)
