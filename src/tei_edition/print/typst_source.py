"""The Typst sources of the PDFs: the edition's book (or one volume of it) and each document's PDF.

A PDF's source is the print design (templates/print/edition.typ, the edition's own first) followed by calls of its
functions, with the edition's data written as Typst values and each document's text as Typst markup converted
from the print body the stylesheets made (print/typst_markup.py). Typst lays a book out whole, as often as it takes
for every page number to settle: the contents, the indexes (every page a name is on, once) and the chronology ask
where the markers in the texts fell, in the same compilation.
"""

from __future__ import annotations

import re
from collections.abc import Container
from datetime import datetime
from pathlib import Path

from tei_edition.config import EditionConfig
from tei_edition.errors import BuildError
from tei_edition.output.paths import folder as page_folder
from tei_edition.output.paths import source_name
from tei_edition.paper import paper_size
from tei_edition.print.book import (
    SIGNS,
    IndexEntry,
    PdfMetadata,
    PrintChronology,
    PrintDocument,
    PrintIndex,
    build_chronology,
    build_indexes,
    long_date,
    prefixed,
)
from tei_edition.print.fonts import FALLBACK_FAMILY, FontSet, face_name
from tei_edition.print.typst_markup import (
    BodyContext,
    Code,
    TypstValue,
    body_markup,
    call,
    escape,
    font_for_language,
    typst_language,
    value,
)
from tei_edition.tei.bibliography import (
    ACCESSED,
    document_citation,
    imprint_lines,
    join_names,
    source_description,
)
from tei_edition.tei.certainty import is_uncertain
from tei_edition.tei.edition import EditionData
from tei_edition.transform.jinja import package_templates

DESIGN = "print/edition.typ"
DOCUMENT_COMMENT = "document:"
_LINE_COMMENT = re.compile(r"/\*line (\d+)\*/")


def source_place(source: str, line: int) -> tuple[str, str, int] | None:
    """Where in the TEI a line of a PDF's Typst source comes from: (document id, its file, the line of the last
    tagged name before that point, or 0), or None when the line is not in a document's text (in a book; a
    document's own PDF has only its document)."""
    lines = source.split("\n")
    opened = [i for i, text in enumerate(lines) if text.startswith(f"// {DOCUMENT_COMMENT} ")]
    if len(opened) == 1 and line <= opened[0]:  # one document's PDF, failed outside its text (an image, say)
        line = opened[0] + 1
    for number in range(min(line, len(lines)) - 1, -1, -1):
        text = lines[number]
        if text.startswith(f"// {DOCUMENT_COMMENT} "):
            doc_id, _, file = text[len(DOCUMENT_COMMENT) + 4 :].partition(" ")
            between = "\n".join(lines[number:line])
            found = _LINE_COMMENT.findall(between)
            return doc_id, file, int(found[-1]) if found else 0
    return None


def font_lists(fonts: FontSet) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """The font list of the text and, per language prefix whose CJK face differs, its own list (Typst's names)."""

    def stack(cjk: str | None) -> tuple[str, ...]:
        families = [fonts.text_family]
        if cjk:
            families.append(face_name(cjk))
        if fonts.text_family != FALLBACK_FAMILY:
            families.append(FALLBACK_FAMILY)
        return tuple(families)

    default = stack(fonts.default_cjk_family)
    per_language = {
        prefix: stack(family) for prefix, family in fonts.cjk_families if family != fonts.default_cjk_family
    }
    return default, per_language


def design_source(config: EditionConfig) -> str:
    """The print design: the edition's own templates/print/edition.typ, else the package's."""
    for folder in (config.templates_dir, package_templates()):
        if folder is not None and (Path(folder) / DESIGN).is_file():
            return (Path(folder) / DESIGN).read_text(encoding="utf-8")
    raise BuildError(f"the print design {DESIGN} is missing from the package; reinstall tei-edition")


def document_url(config: EditionConfig, doc_id: str) -> str:
    """The address of a document's page on the edition's site ([edition] base_url), or '' when it has none."""
    base = (config.base_url or "").strip()
    if not base:
        return ""
    return base.rstrip("/") + "/" + page_folder("documents", doc_id)


def _date(moment: datetime) -> Code:
    return Code(
        f"datetime(year: {moment.year}, month: {moment.month}, day: {moment.day}, hour: {moment.hour}, "
        f"minute: {moment.minute}, second: {moment.second})"
    )


def _margins(margins: tuple[str, ...]) -> Code:
    top, right, bottom, left = (_length(m) for m in margins)
    return Code(f"(top: {top}, right: {right}, bottom: {bottom}, left: {left})")


def _length(css: str) -> str:
    """A CSS length of edition.toml's margins (mm, cm, in, pt, px) as a Typst length."""
    number, unit = re.fullmatch(r"(\d+(?:\.\d+)?)(mm|cm|in|pt|px)", css.strip()).groups()  # type: ignore[union-attr]
    return f"{float(number) * 0.75:g}pt" if unit == "px" else f"{number}{unit}"


class SourceWriter:
    """Writes the Typst source of the edition's book and of each document's PDF."""

    def __init__(self, data: EditionData, fonts: FontSet):
        self.data = data
        self.config = data.config
        self.design = design_source(self.config)
        self.fonts, self.language_fonts = font_lists(fonts)
        self.dated = frozenset(prefixed(e.document.id, e.date.anchor) for e in data.chronology)
        self.bodies: dict[str, Code] = {}
        self.anchors: set[str] = set()
        self.images: dict[str, set[Path]] = {}  # document id -> the image files its text shows
        self.characters: dict[str, int] = {}  # document id -> the length of its text
        self._parts: dict[str, list[str]] = {}  # a book's first document -> the ids of its parts, in order

    def part_ids(self, documents: list[PrintDocument]) -> list[str]:
        """The ids of the parts of the book last written for `documents` that open with a bookmark, in order."""
        return self._parts.get(documents[0].id if documents else "", [])

    def body(self, doc: PrintDocument) -> Code:
        """A document's text as markup (made once, for both the book and the document's PDF)."""
        if doc.id not in self.bodies:
            mentions: dict[str, list[str]] = {}
            lines: dict[str, int] = {}
            for mention in doc.source.mentions:
                if mention.entity_id in self.data.entities:
                    mentions.setdefault(prefixed(doc.id, mention.anchor), []).append(mention.entity_id)
                    lines[prefixed(doc.id, mention.anchor)] = mention.line
            context = BodyContext(
                doc.id,
                self.config.root,
                {k: tuple(v) for k, v in mentions.items()},
                self.dated,
                self.language_fonts,
                lines,
            )
            self.bodies[doc.id] = body_markup(str(doc.body), context)
            self.anchors |= context.anchors
            self.images[doc.id] = context.images
            self.characters[doc.id] = context.characters
        return self.bodies[doc.id]

    def preamble(self, meta: PdfMetadata, single: bool) -> str:
        """The design and the call that sets up every page: `#show: edition.with(...)`."""
        settings = [
            f"{key}: {value(item)}"
            for key, item in (
                ("title", meta.title),
                ("authors", list(meta.authors)),
                ("subject", meta.subject),
                ("keywords", list(meta.keywords)),
                ("lang", typst_language(meta.lang)),
                ("paper", paper_size(self.config.print.paper).typst),
                ("fonts", list(self.fonts)),
                ("book-title", self.config.title),
                ("single", single),
            )
        ]
        settings += [f"date: {_date(self.data.build_date)}", f"margins: {_margins(self.config.print.margins)}"]
        return f"{self.design}\n\n#show: edition.with({', '.join(settings)})\n\n"

    def document_part(self, doc: PrintDocument, single: bool, failed: bool = False) -> str:
        """A document: its heading, header facts, source description and text (a notice instead of the text when
        Typst `failed` to set it). A comment before it names its file, for messages (see source_place)."""
        m = doc.meta
        where = f"// {DOCUMENT_COMMENT} {doc.id} {source_name(self.config, doc.source.path)}\n"
        dateline = None
        if m.date_display or m.place:
            dateline = (m.place.name if m.place else "") + (", " if m.place and m.date_display else "")
            if m.date_display:
                dateline += m.date_display + (" (?)" if is_uncertain(m.date_cert) else "")
        parties = None
        if m.senders or m.recipients:
            pieces = []
            if m.senders:
                pieces.append(Code("#smallcaps[From] " + escape("; ".join(p.name for p in m.senders))))
            if m.recipients:
                pieces.append(Code("#smallcaps[To] " + escape("; ".join(p.name for p in m.recipients))))
            parties = Code(" · ".join(pieces))
        # Each part of the source description labelled and on a line of its own, in the web's words.
        source_parts: list[TypstValue] = [
            [label, Code(f"#link({value(text)})[{escape(text)}]") if label == "Online" else escape(text)]
            for label, text in source_description(m)
        ]
        part = call(
            "print-document",
            id=doc.id,
            number=doc.number,
            title=escape(doc.title),
            running=doc.running_title,
            dateline=dateline,
            parties=parties,
            flagged=doc.flagged,
            summary=m.summary or None,
            source=source_parts,
            notes=[escape(note) for note in m.notes],
            body=self.body(doc)
            if not failed
            else Code("#emph[" + escape("The text of this document could not be set; see the build's messages.") + "]"),
            single=single,
        )
        return where + part

    def document_source(self, doc: PrintDocument, meta: PdfMetadata, pages: str = "", volume: str = "") -> str:
        """A document's own PDF: where it stands in the edition (`pages`: its pages in the edition's book, as
        '9–12'; `volume`: 'volume 2, ' when the book comes in volumes), its address on the web when the edition has one,
        and how to cite it."""
        config = self.config
        place = f"Document {doc.number}"
        if pages:
            place += f"; edition {volume}" + ("pp. " if "–" in pages else "p. ") + pages
        line = f"{config.title} · {place} · Version {config.version}, {long_date(self.data)}"
        if config.licence:
            line += f" · {config.licence}"
        url = document_url(config, doc.id)
        moment = self.data.build_date
        citation = document_citation(
            creators=list(meta.authors) if meta.authors != config.editors else [],
            title=doc.title,
            edition=config.title,
            editors=config.editors,
            version=config.version,
            publisher=config.publisher,
            year=str(moment.year),
            url=url,
            accessed=ACCESSED,
        )
        return (
            self.preamble(meta, single=True)
            + call("from-edition", escape(line), url=url or None, citation=escape(citation))
            + "\n\n"
            + self.document_part(doc, single=True)
            + "\n"
        )

    def edition_source(
        self,
        documents: list[PrintDocument],
        meta: PdfMetadata,
        volume: str | None = None,
        failed: Container[str] = (),
    ) -> str:
        """The book: title page, imprint, contents, introduction, documents, indexes and chronology; or one volume
        of it (`volume` says which, on its title page), with the indexes and chronology of its documents. The
        documents Typst `failed` to set show a notice instead of their text."""
        config = self.config
        # (made first: they find the anchors)
        bodies = [self.document_part(doc, single=False, failed=doc.id in failed) for doc in documents]
        # (Typst finds the pages of the indexes' entries itself.)
        indexes = build_indexes(self.data, documents, placed=self.anchors)
        chronology = build_chronology(self.data, documents, self.anchors)
        parts = [self.preamble(meta, single=False), *self.front_matter(volume)]

        entries: list[TypstValue] = []
        if config.introduction:
            entries.append({"id": "introduction", "number": None, "title": "Introduction", "kind": "front"})
        entries += [
            {"id": doc.id, "number": doc.number, "title": escape(doc.title), "kind": "document"} for doc in documents
        ]
        entries += [
            {"id": index.id, "number": None, "title": f"Index of {index.label.lower()}", "kind": "back"}
            for index in indexes
        ]
        if chronology.years:
            entries.append({"id": "chronology", "number": None, "title": "Chronology", "kind": "back"})
        self._parts[documents[0].id if documents else ""] = [
            "contents",
            *(str(entry["id"]) for entry in entries if isinstance(entry, dict)),
        ]
        parts.append(call("contents", entries))
        if config.introduction:
            paragraphs = [escape(p) for p in config.introduction.split("\n\n")]
            signs = [
                [escape(sign), Code(escape(meaning).replace(escape("{italic}"), "#emph[italic]"))]
                for sign, meaning in SIGNS
            ]
            parts.append(call("introduction", paragraphs, signs))
        parts.append("#show: main-matter")  # the documents' pages are numbered from 1, the front matter's i, ii...
        parts += bodies
        parts += [self.index_part(index) for index in indexes]
        if chronology.years:
            parts.append(self.chronology_part(chronology))
        return "\n\n".join(parts) + "\n"

    def front_matter(self, volume: str | None = None) -> list[str]:
        """The title page and the imprint."""
        config = self.config
        editors = None
        if config.editors:
            names = list(config.editors)
            editors = join_names(names)
        # (`volume` is given only to a volume's title page: a design of an edition's own may not know it.)
        title_page = call(
            "title-page",
            title=config.title,
            subtitle=config.subtitle or None,
            editors=editors,
            publisher=config.publisher,
            **({"volume": volume} if volume else {}),
        )
        lines = imprint_lines(
            title=config.title,
            subtitle=config.subtitle,
            editors=config.editors,
            version=config.version,
            date=long_date(self.data),
            publisher=config.publisher,
            licence=config.licence,
            licence_url=config.licence_url,
        )
        imprint = [f"#strong[{escape(lines[0])}]", *(escape(line) for line in lines[1:])]
        imprint.append(escape(f"Typeset from the edition’s TEI P5 sources by tei-edition {self.data.tool_version}."))
        return [title_page, call("imprint", Code("\n\n".join(imprint)))]

    def index_part(self, index: PrintIndex) -> str:
        """One printed index: its entries by initial letter (the design finds their pages)."""

        def originals(entry: IndexEntry) -> list[TypstValue]:
            out: list[TypstValue] = []
            for name in entry.originals:  # names with a language (see book.IndexEntry)
                lang = name.lang or ""
                fonts = font_for_language(self.language_fonts, lang)
                font = f", font: {value(fonts)}" if fonts else ""
                out.append(Code(f"#text(lang: {value(typst_language(lang))}{font})[{escape(name.text)}]"))
            return out

        letters: list[TypstValue] = [
            [
                letter,
                [
                    {
                        "id": entry.entity.id,
                        "name": entry.name,
                        "see": entry.entity.index_name if entry.see else None,
                        "originals": originals(entry),
                        "life": entry.entity.life_dates() or None,
                        "description": entry.entity.description.strip().rstrip(".") or None,
                        "documents": list(entry.documents),
                    }
                    for entry in group
                ],
            ]
            for letter, group in index.by_letter()
        ]
        return call("register-index", id=index.id, title=f"Index of {index.label.lower()}", letters=letters)

    def chronology_part(self, chronology: PrintChronology) -> str:
        """The printed chronology: every dated passage by year (the design finds their pages)."""
        years: list[TypstValue] = [
            [
                year,
                [
                    {
                        "date": item.display,
                        "certainty": item.certainty or None,
                        "before": item.before,
                        "match": item.match,
                        "after": item.after,
                        "number": item.document.number,
                        "title": item.short_title,
                        "anchor": item.href[1:],
                    }
                    for item in items
                ],
            ]
            for year, items in chronology.years
        ]
        return call("chronology", years=years)
