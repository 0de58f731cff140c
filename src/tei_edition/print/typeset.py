"""The PDF editions set by Typst: the sources compiled with the build's fonts, the book split into volumes, and
the PDFs kept in the build cache.

The sources are written by print/typst_source.py. The documents' PDFs are set in threads while the edition is set
(the Typst compiler leaves Python's lock while it works, and each compilation uses every core it can), and kept in
the build cache by a hash of their source, fonts and images, so that after an edit only the edition and the edited
documents are set again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
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
from tei_edition.print.typst_source import SourceWriter
from tei_edition.tei.edition import EditionData

TYPST_REQUIREMENT = "typst>=0.14"
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

    def write(self, source: str, what: str) -> bytes:
        """The PDF of one source (`what` names it in messages); Typst's warnings are kept in `warnings`."""
        typst = load_typst()
        compiler = typst.Compiler(root=str(self.root), font_paths=self.fonts)
        try:
            pdf, warnings = compiler.compile_with_warnings(input=source.encode("utf-8"), format="pdf")
            for warning in warnings:
                self.warnings.setdefault(_typst_message(warning), []).append(what)
        except typst.TypstError as exc:
            raise BuildError(f"setting {what} with Typst failed: {_typst_message(exc)}") from None
        except RuntimeError as exc:
            raise BuildError(f"setting {what} with Typst failed: {exc}") from None
        assert isinstance(pdf, bytes)
        return pdf

    def write_apart(self, source: str, what: str) -> bytes:
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

    def write_many(self, sources: Iterable[tuple[str, str]], workers: int) -> Iterator[bytes]:
        """PDFs of (source, what) pairs in order, `workers` at a time."""
        items = list(sources)
        if workers <= 1 or len(items) <= 1:
            yield from (self.write(source, what) for source, what in items)
            return
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="typst") as pool:
            yield from pool.map(lambda item: self.write(*item), items)


def _write_in_child(root: str, folders: list[str], source: str, what: str) -> tuple[bytes, list[str]]:
    """TypstSetter.write in a pool's child process: the PDF and Typst's warnings."""
    setter = TypstSetter(Path(root), folders)
    return setter.write(source, what), list(setter.warnings)


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
) -> int:
    """Write edition.pdf and documents/<id>.pdf set by Typst; return how many PDFs were written. Typst's warnings
    go to `warn`."""
    import tempfile

    from tei_edition.executor import default_jobs
    from tei_edition.print.fonts import font_cache, prepare_fonts

    load_typst()
    config = data.config
    documents = [
        prepare_document(data, doc, number, print_bodies) for number, doc in enumerate(data.documents, start=1)
    ]
    with tempfile.TemporaryDirectory(prefix="tei-edition-fonts-") as workdir:
        # Typst reads the CJK collection itself and embeds only the glyphs in use: nothing is cut beforehand.
        fonts = prepare_fonts(texts_in_use(data, documents), Path(workdir), font_cache(), store, cut=False)
        writer = SourceWriter(data, fonts)
        setter = TypstSetter(config.root, fonts)
        sources: list[tuple[str, str]] = []
        names: list[str] = []
        for doc in documents:
            writer.body(doc)  # the texts first: their lengths decide the volumes
        volumes = split_volumes(documents, [writer.characters[doc.id] for doc in documents], config.print.volume_pages)
        for number, volume in enumerate(volumes, start=1):
            title, label, name = "", None, volume_pdf(number, len(volumes))
            if len(volumes) > 1:
                title = f"{config.title}, volume {number}"
                label = f"Volume {number} of {len(volumes)} · Documents {volume[0].number}–{volume[-1].number}"
            what = f"the edition ({name})" if len(volumes) == 1 else f"volume {number} of the edition ({name})"
            sources.append((writer.edition_source(volume, book_metadata(data, volume, title), label), what))
            names.append(name)
        sources += [
            (
                writer.document_source(doc, document_metadata(data, doc)),
                f"document {doc.id!r} (from {source_name(data.config, doc.source.path)})",
            )
            for doc in documents
        ]
        names += [document_pdf(doc.id) for doc in documents]
        # A PDF is a function of its source, the fonts, the images it shows and Typst's version: one whose key the
        # build cache holds is taken from it (after an edit, the edition and the edited documents are set again).
        fonts_key = _files_key(face.path for face in fonts.faces)
        images = [{path for doc in volume for path in writer.images[doc.id]} for volume in volumes]
        images += [writer.images.get(doc.id, set()) for doc in documents]
        keys = [
            content_key("typst-pdf", typst_version(), fonts_key, _files_key(shown, content=True), source)
            for (source, _what), shown in zip(sources, images, strict=True)
        ]
        kept = store.get_many(keys) if store is not None else {}
        missing = [i for i, key in enumerate(keys) if key not in kept]
        made = set_pdfs(setter, sources, missing, len(volumes), jobs or config.jobs or default_jobs())
        if store is not None and made:
            store.put_many([(keys[i], pdf) for i, pdf in made.items()])
        for i, name in enumerate(names):
            out.write_bytes(name, made[i] if i in made else kept[keys[i]])
        if warn is not None:
            for message, where in setter.warnings.items():
                more = f" and {len(where) - 1} more PDF(s)" if len(where) > 1 else ""
                warn(f"PDF: Typst warns: {message} (setting {where[0]}{more})")
    return len(names)


def set_pdfs(
    setter: TypstSetter, sources: list[tuple[str, str]], missing: list[int], books: int, jobs: int
) -> dict[int, bytes]:
    """The PDFs of sources[i] for i in `missing`, by i. The first `books` sources are the edition's volumes (or its
    one book), set one after another while the documents' PDFs are set beside them with the other jobs; when
    there are several volumes, each is set in a process of its own, so that their layouts' memory never adds up."""
    volumes = [i for i in missing if i < books]
    documents = [i for i in missing if i >= books]
    write = setter.write_apart if books > 1 else setter.write

    def set_volumes() -> dict[int, bytes]:
        return {i: write(*sources[i]) for i in volumes}

    def set_documents(workers: int) -> dict[int, bytes]:
        return dict(zip(documents, setter.write_many([sources[i] for i in documents], workers), strict=True))

    if jobs <= 1 or not volumes or not documents:
        return {**set_volumes(), **set_documents(jobs)}
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="typst-book") as pool:
        beside = pool.submit(set_volumes)
        try:
            made = set_documents(jobs - 1)
        except BuildError:
            beside.result()  # the book's failure, when it fails too, is the one reported: it comes first
            raise
        return {**beside.result(), **made}


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
