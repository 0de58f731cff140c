"""The EPUB 3 editions: the edition as one book (title page, contents, introduction with the key to the editorial
signs, a chapter per document) and each document as a book of its own, for reading systems as the PDFs are for
paper. Both are written into the site (epub/edition.epub, epub/documents/<id>.epub: output/paths.py).

A chapter is the document's screen HTML, the stylesheets' output the site shows, made into XHTML (chapter.py); the
package's templates (templates/epub/, the edition's own first) make the rest. An EPUB is a function of its
documents' texts and headers, the shared inputs (tool, configuration, templates, build date) and the embedded
fonts: it is kept in the build cache under a hash of them, so that after an edit only the edited documents' EPUBs
and the edition's are made again. The bytes depend only on those inputs (the zip's times are fixed; the dates in the
metadata are the build date, SOURCE_DATE_EPOCH when set), so a build made twice gives the same files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Protocol

import jinja2
from markupsafe import Markup

from tei_edition.errors import BuildError
from tei_edition.output.cache import BuildCache, dumps
from tei_edition.output.hashing import content_key, hash_file
from tei_edition.output.paths import (
    DOCUMENTS,
    document_epub,
    edition_epub,
    folder,
    id_segment,
    local_media,
    media_source,
    safe_segment,
)
from tei_edition.output.writer import OutputWriter
from tei_edition.print.book import citation_text, long_date
from tei_edition.print.epub.chapter import IMAGE_TYPES, ChapterText, Links, chapter_text
from tei_edition.print.epub.package import (
    EmbeddedFace,
    EpubMetadata,
    Person,
    embedded_faces,
    font_licence,
    identifier,
    rights,
    zipped,
)
from tei_edition.tei.certainty import is_uncertain
from tei_edition.tei.edition import EditionData
from tei_edition.tei.model import Document
from tei_edition.tei.registers import KINDS, Entity

FORMAT = "epub-1"  # changed when what a key stands for changes

# The editorial signs as a reader of the EPUB sees them (the site's conventions, without hovering).
SIGNS = (
    ("p. 913", "A page of the source begins here."),
    ("[illegible]", "Matter the editors could not read or left out."),
    ("[word]", "Supplied by the editors."),
    ("[sic]", "Thus in the source."),
    (
        "word [source: wrod]",
        "The editors’ correction or normalisation, followed by the source’s reading in brackets.",
    ),
    ("1, 2, 3", "Notes: select the number to read the note; the note’s number leads back to the text."),
)


class Bodies(Protocol):
    """The documents' screen HTML by id, with a fingerprint of each that changes whenever the HTML does."""

    def __getitem__(self, doc_id: str) -> str: ...

    def fingerprint(self, doc_id: str) -> str: ...


@dataclass
class Chapter:
    """One document as a chapter: its file in the book, its header facts and its text."""

    doc: Document
    number: int
    file: str  # 'text/<segment>.xhtml'
    xhtml: str = ""
    images: dict[Path, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.doc.header.title or self.doc.title


def render_epubs(
    data: EditionData, bodies: Bodies, out: OutputWriter, store: BuildCache | None = None, shared_key: str = ""
) -> int:
    """Write the edition's EPUB and one EPUB per document into `out` (the site); return how many were written.

    `shared_key` is a hash of what every output depends on (tool, configuration, templates, build date); an EPUB
    whose key the build cache (`store`) holds is taken from it."""
    maker = EpubMaker(data, bodies, shared_key, store)
    items: list[tuple[str, str, Callable[[], bytes]]] = [(edition_epub(), maker.edition_key(), maker.edition)]
    items += [(document_epub(ch.doc.id), maker.document_key(ch), partial(maker.document, ch)) for ch in maker.chapters]
    kept = store.get_many([key for _name, key, _make in items]) if store is not None else {}
    made: list[tuple[str, bytes]] = []
    for name, key, make in items:
        epub = kept.get(key)
        if epub is None:
            epub = make()
            made.append((key, epub))
        out.write_bytes(name, epub)
    if store is not None and made:
        store.put_many(made)
    return len(items)


class EpubMaker:
    """Makes the edition's EPUB and the documents' from their screen HTML and the templates in templates/epub/."""

    def __init__(self, data: EditionData, bodies: Bodies, shared_key: str, store: BuildCache | None = None):
        from tei_edition.transform.jinja import make_env

        self.store = store  # where the edition's chapters are kept between builds (see _book_texts)
        self.data = data
        self.config = data.config
        self.bodies = bodies
        self.shared_key = shared_key
        self.env: jinja2.Environment = make_env(self.config)
        self.chapters = [
            Chapter(doc, number, f"text/{id_segment(doc.id)}.xhtml")
            for number, doc in enumerate(data.documents, start=1)
        ]
        self.faces = embedded_faces()
        self._texts: dict[tuple[str, bool], ChapterText] = {}
        self._templates: dict[str, jinja2.Template] = {}
        self._document_keys: dict[str, str] = {}

    # ---- Keys -------------------------------------------------------------------------------------------------------

    def document_key(self, chapter: Chapter) -> str:
        """What a document's EPUB is a function of (worked out once per document)."""
        doc = chapter.doc
        key = self._document_keys.get(doc.id)
        if key is None:
            key = self._document_keys[doc.id] = self._document_key(chapter)
        return key

    def _document_key(self, chapter: Chapter) -> str:
        doc = chapter.doc
        return content_key(
            FORMAT,
            "document",
            self.shared_key,
            doc.id,
            str(doc.path),
            repr(doc.header),
            doc.title,
            doc.lang,
            self.bodies.fingerprint(doc.id),
            self._images_key(doc),
        )

    def edition_key(self) -> str:
        """What the edition's EPUB is a function of: every document's, their order and the fonts."""
        fonts = [f"{face.path.name}:{face.path.stat().st_size}" for face in self.faces]
        registers = sorted(f"{path}={digest}" for path, digest in self.data.source_hashes.items())
        return content_key(
            FORMAT,
            "edition",
            self.shared_key,
            *fonts,
            *registers,  # the indexes' entries
            *(content_key(str(ch.number), self.document_key(ch), ch.doc.part_of) for ch in self.chapters),
        )

    def _images_key(self, doc: Document) -> str:
        """The contents of the edition's images that the document shows."""
        parts: list[str] = []
        for url, _line in doc.graphics:
            rel = local_media(url)
            if rel is not None:
                found, _why = media_source(doc.path, rel, self.config.root)
                parts.append(f"{url}={hash_file(found)}")
        return content_key(*parts)

    # ---- Books ------------------------------------------------------------------------------------------------------

    def edition(self) -> bytes:
        """The edition's EPUB: title page, contents, introduction, a chapter per document."""
        config = self.config
        chapters = {folder(DOCUMENTS, ch.doc.id): ch.file.removeprefix("text/") for ch in self.chapters}
        links = Links(chapters, config.base_url)
        self._book_texts(links)
        for ch in self.chapters:
            ch.xhtml, ch.images = self._text(ch, links)
        self._check_targets()
        meta = EpubMetadata(
            identifier=identifier(config, edition_epub()),
            title=config.title,
            subtitle=config.subtitle,
            creators=tuple(Person(name, "edt") for name in config.editors),
            contributors=(),
            language=config.language,
            date=self.data.build_date.date().isoformat(),
            modified=self._modified(),
            publisher=config.publisher,
            rights=rights(config.licence, config.licence_url),
            licence_url=config.licence_url,
            description=config.introduction or config.subtitle,
        )
        front = [("title.xhtml", "title", "Title page", "title.html")]
        if config.introduction or SIGNS:
            front.append(("introduction.xhtml", "introduction", "Introduction", "introduction.html"))
        members: list[tuple[str, bytes]] = []
        context = self._context(meta, single=False)
        for name, _id, _label, template in front:
            members.append((f"EPUB/{name}", self._render(f"epub/{template}", context)))
        members += self._book_chapters(context)
        indexes = self._indexes()
        back = []
        if indexes:
            back.append(("indexes.xhtml", "indexes", "Indexes", "indexes.html"))
            members.append(("EPUB/indexes.xhtml", self._render("epub/indexes.html", {**context, "indexes": indexes})))
        return self._package(meta, {**context, "back": back}, front, self.chapters, members, self.faces)

    def document(self, chapter: Chapter) -> bytes:
        """A document's EPUB: its chapter, headed by the edition it comes from (no embedded fonts: they would
        outweigh the text many times over; the reader's serif stands in)."""
        config, doc = self.config, chapter.doc
        links = Links({}, config.base_url)
        alone = Chapter(doc, chapter.number, chapter.file)
        alone.xhtml, alone.images = self._text(alone, links)
        meta = self._document_metadata(doc)
        context = self._context(meta, single=True)
        members = [(f"EPUB/{alone.file}", self._chapter(alone, context))]
        return self._package(meta, {**context, "back": []}, [], [alone], members, ())

    def _indexes(self) -> list[BookIndex]:
        """The indexes of persons, places and organisations named in the documents: each entry with a link to its
        first mention in each document that names it (an anchor the chapter holds)."""
        texts = {ch.doc.id: (ch, self._texts[(ch.doc.id, True)].ids) for ch in self.chapters}
        by_kind: dict[str, list[IndexEntry]] = {}
        for entity_id, mentions in self.data.mentions.items():
            entity = self.data.entities.get(entity_id)
            if entity is None:
                continue
            places: list[tuple[int, str]] = []
            seen: set[str] = set()
            for mention in mentions:
                found = texts.get(mention.document.id)
                if found is None or mention.document.id in seen or mention.mention.anchor not in found[1]:
                    continue
                seen.add(mention.document.id)
                places.append((found[0].number, f"{found[0].file}#{mention.mention.anchor}"))
            if places:
                by_kind.setdefault(entity.kind, []).append(IndexEntry(entity, places))
        indexes = []
        for kind, (_entry, _list, _name, section, label) in KINDS.items():
            entries = sorted(by_kind.get(kind, []), key=lambda e: (e.entity.sort_key, e.entity.id))
            if entries:
                indexes.append(BookIndex(f"index-{section}", label, entries))
        return indexes

    # ---- The edition's chapters between builds ----------------------------------------------------------------------
    # After an edit, the edition's book is made again around one changed chapter: each chapter's text (its HTML made
    # into XHTML, a function of its body and of which chapters the book has) and each chapter's file (that text in
    # the page template, after the links into other chapters are checked) are kept in the build cache, so that only
    # the changed ones are made again (1,000 documents: 3.1 s -> see docs/performance.md).

    def _book_texts(self, links: Links) -> None:
        """Take the texts of the edition's chapters that the build cache holds (for `links`, the book's chapters)."""
        if self.store is None:
            return
        shape = content_key(FORMAT, "links", links.base_url, *(f"{k}={v}" for k, v in sorted(links.chapters.items())))
        keys = {ch.doc.id: self._text_key(ch, shape) for ch in self.chapters}
        kept = self.store.get_objects(list(keys.values()))
        made: list[tuple[str, bytes]] = []
        for ch in self.chapters:
            key = keys[ch.doc.id]
            text = kept.get(key)
            if not isinstance(text, ChapterText):
                text = chapter_text(self.bodies[ch.doc.id], links, ch.doc.path, self.config.root, _image_namer(ch.doc))
                made.append((key, dumps(text)))
            self._texts[(ch.doc.id, True)] = text
        self.store.put_many(made)

    def _text_key(self, chapter: Chapter, shape: str) -> str:
        doc = chapter.doc
        return content_key(FORMAT, "text", shape, self.bodies.fingerprint(doc.id), str(doc.path), str(self.config.root))

    def _book_chapters(self, context: dict[str, object]) -> list[tuple[str, bytes]]:
        """The chapter files of the edition's book, those the build cache holds taken from it."""
        keys = {
            ch.file: content_key(FORMAT, "chapter", self.document_key(ch), str(ch.number), ch.file, ch.xhtml)
            for ch in self.chapters
        }
        kept = self.store.get_many(list(keys.values())) if self.store is not None else {}
        members: list[tuple[str, bytes]] = []
        made: list[tuple[str, bytes]] = []
        for ch in self.chapters:
            data = kept.get(keys[ch.file])
            if data is None:
                data = self._chapter(ch, context)
                made.append((keys[ch.file], data))
            members.append((f"EPUB/{ch.file}", data))
        if self.store is not None:
            self.store.put_many(made)
        return members

    def _check_targets(self) -> None:
        """A link to another chapter whose anchor that chapter lacks leads to the chapter's beginning instead."""
        ids = {ch.file: self._texts[(ch.doc.id, True)].ids for ch in self.chapters}
        for ch in self.chapters:
            for target in self._texts[(ch.doc.id, True)].targets:
                file, _, fragment = target.partition("#")
                if fragment not in ids.get(f"text/{file}", frozenset()):
                    ch.xhtml = ch.xhtml.replace(f'href="{target}"', f'href="{file}"')

    def _document_metadata(self, doc: Document) -> EpubMetadata:
        config, header = self.config, doc.header
        authors = tuple(Person(a.name, "aut") for a in header.authors) or tuple(
            Person(s.name, "aut") for s in header.senders
        )
        contributors = [Person(name, "edt") for name in config.editors]
        if header.translator:
            contributors.append(Person(header.translator, "trl"))
        return EpubMetadata(
            identifier=identifier(self.config, folder(DOCUMENTS, doc.id)),
            title=header.title or doc.title,
            subtitle="",
            creators=authors or tuple(Person(name, "edt") for name in config.editors),
            contributors=tuple(contributors) if authors else (),
            language=doc.lang or config.language,
            date=self.data.build_date.date().isoformat(),
            modified=self._modified(),
            publisher=config.publisher,
            rights=rights(header.licence or config.licence, header.licence_url or config.licence_url),
            licence_url=header.licence_url or config.licence_url,
            description=header.summary,
            subjects=tuple(header.keywords),
            source=citation_text(header.source),
        )

    def _modified(self) -> str:
        return self.data.build_date.strftime("%Y-%m-%dT%H:%M:%SZ")

    def _text(self, chapter: Chapter, links: Links) -> tuple[str, dict[Path, str]]:
        """A chapter's text as XHTML and the images it shows (made once per kind of book; once for both when no
        link leads to another chapter)."""
        doc = chapter.doc
        text = self._texts.get((doc.id, bool(links.chapters)))
        if text is None:
            edition = self._texts.get((doc.id, True))
            if edition is not None and not edition.cross_links:
                text = edition
            else:
                text = chapter_text(self.bodies[doc.id], links, doc.path, self.config.root, _image_namer(doc))
            self._texts[(doc.id, bool(links.chapters))] = text
        return text.xhtml, text.images

    def _context(self, meta: EpubMetadata, single: bool) -> dict[str, object]:
        config = self.config
        return {
            "config": config,
            "meta": meta,
            "single": single,
            "build_date": long_date(self.data),
            "tool_version": self.data.tool_version,
            "editors": _names(config.editors),
            "introduction": [p.strip() for p in config.introduction.split("\n\n") if p.strip()],
            "signs": SIGNS,
            "css": "css/edition.css",
            "faces": () if single else self.faces,
        }

    def _chapter(self, chapter: Chapter, context: dict[str, object]) -> bytes:
        doc, m = chapter.doc, chapter.doc.header
        dateline = ""
        if m.date_display or m.place:
            dateline = (m.place.name if m.place else "") + (", " if m.place and m.date_display else "")
            if m.date_display:
                dateline += m.date_display + (" (?)" if is_uncertain(m.date_cert) else "")
        return self._render(
            "epub/document.html",
            {
                **context,
                "chapter": chapter,
                "doc": doc,
                "header": m,
                "dateline": dateline,
                "citation": citation_text(m.source),
                "archive": m.archive.display() if m.archive else "",
                "lang": doc.lang or self.config.language,
                "text": Markup(chapter.xhtml),
                "root": "../",
            },
        )

    def _package(
        self,
        meta: EpubMetadata,
        context: dict[str, object],
        front: list[tuple[str, str, str, str]],
        chapters: list[Chapter],
        members: list[tuple[str, bytes]],
        faces: tuple[EmbeddedFace, ...],
    ) -> bytes:
        """The whole book: container, package document, navigation, stylesheet, fonts and images around the
        content documents in `members`."""
        images: dict[Path, str] = {}
        for ch in chapters:
            images.update(ch.images)
        resources = [(name, IMAGE_TYPES[Path(name).suffix.lower()], path) for path, name in sorted(images.items())]
        licence = font_licence() if faces else ""
        book = {
            **context,
            "front": front,
            "chapters": chapters,
            "tree": _tree(chapters),
            "faces": faces,
            "font_licence": licence,
            "images": resources,
        }
        nav = self._render("epub/nav.html", book)
        css = self._render("epub/edition.css", book)
        opf = self._render("epub/package.xml", book)
        out = [
            ("META-INF/container.xml", self._render("epub/container.xml", book)),
            ("EPUB/package.opf", opf),
            ("EPUB/nav.xhtml", nav),
            ("EPUB/css/edition.css", css),
            *members,
        ]
        if licence:
            out.append(("EPUB/fonts/OFL.txt", licence.encode("utf-8")))
        out += [(f"EPUB/{face.name}", face.path.read_bytes()) for face in faces]
        out += [(f"EPUB/{name}", path.read_bytes()) for name, _type, path in resources]
        return zipped(out)

    def _render(self, template: str, context: Mapping[str, object]) -> bytes:
        try:
            if template not in self._templates:
                self._templates[template] = self.env.get_template(template)
            return self._templates[template].render(**context).encode("utf-8")
        except jinja2.TemplateError as exc:
            where = getattr(exc, "filename", None) or template
            line = getattr(exc, "lineno", None)
            raise BuildError(f"{where}{f':{line}' if line else ''}: template error in the EPUB: {exc}") from None


@dataclass
class IndexEntry:
    """A register entry in the book's index: the documents that name it (number, link to the first mention)."""

    entity: Entity
    places: list[tuple[int, str]]


@dataclass
class BookIndex:
    """The index of one kind of register entry."""

    id: str
    label: str
    entries: list[IndexEntry]


@dataclass
class TreeEntry:
    """A chapter in the contents, with the parts of a volume under it."""

    chapter: Chapter
    parts: list[TreeEntry] = field(default_factory=list)


def _tree(chapters: list[Chapter]) -> list[TreeEntry]:
    """The chapters for the contents: a volume's parts nested under it (FRUS), the others in order."""
    entries = {ch.doc.id: TreeEntry(ch) for ch in chapters}
    top: list[TreeEntry] = []
    for ch in chapters:
        parent = entries.get(ch.doc.part_of) if ch.doc.part_of else None
        if parent is not None and parent.chapter.number < ch.number:
            parent.parts.append(entries[ch.doc.id])
        else:
            top.append(entries[ch.doc.id])
    return top


def _image_namer(doc: Document) -> _ImageNamer:
    return _ImageNamer(doc)


class _ImageNamer:
    """Image file names in the book: unique per file, readable."""

    def __init__(self, doc: Document):
        self.prefix = id_segment(doc.id)

    def __call__(self, path: Path) -> str:
        return f"images/{self.prefix}-{content_key(str(path))[:8]}-{safe_segment(path.name)}"


def _names(names: tuple[str, ...]) -> str:
    if len(names) < 3:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def walk(entries: list[TreeEntry]) -> Iterator[TreeEntry]:
    """Every entry of the contents, depth first."""
    for entry in entries:
        yield entry
        yield from walk(entry.parts)
