"""The Typst sources of the PDFs: the edition's book (or one volume of it) and each document's PDF.

A PDF's source is the print design (templates/print/edition.typ, the edition's own first) followed by calls of its
functions, with the edition's data written as Typst values and each document's text as Typst markup converted
from the print body the stylesheets made (print/typst_markup.py). Typst lays a book out whole, as often as it takes
for every page number to settle: the contents, the indexes (every page a name is on, once) and the chronology ask
where the markers in the texts fell, in the same compilation.
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from tei_edition.config import EditionConfig
from tei_edition.errors import BuildError
from tei_edition.paper import paper_size
from tei_edition.print.book import (
    IndexEntry,
    PdfMetadata,
    PrintChronology,
    PrintDocument,
    PrintIndex,
    build_chronology,
    build_indexes,
    citation_text,
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
from tei_edition.tei.certainty import is_uncertain
from tei_edition.tei.edition import EditionData
from tei_edition.transform.jinja import package_templates

DESIGN = "print/edition.typ"


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

    def body(self, doc: PrintDocument) -> Code:
        """A document's text as markup (made once, for both the book and the document's PDF)."""
        if doc.id not in self.bodies:
            mentions: dict[str, list[str]] = {}
            for mention in doc.source.mentions:
                if mention.entity_id in self.data.entities:
                    mentions.setdefault(prefixed(doc.id, mention.anchor), []).append(mention.entity_id)
            context = BodyContext(
                doc.id, self.config.root, {k: tuple(v) for k, v in mentions.items()}, self.dated, self.language_fonts
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

    def document_part(self, doc: PrintDocument, single: bool) -> str:
        m = doc.meta
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
        citation = citation_text(m.source)
        source_parts = []
        if citation:
            source_parts.append(Code("#smallcaps[Source:] " + escape(citation)))
        if m.archive and m.archive.display():
            source_parts.append(Code("#smallcaps[Archive:] " + escape(m.archive.display() + ".")))
        if m.original_language:
            source_parts.append(Code("#smallcaps[Original language:] " + escape(m.original_language + ".")))
        if m.translator:
            source_parts.append(Code("#smallcaps[Translated by] " + escape(m.translator + ".")))
        return call(
            "print-document",
            id=doc.id,
            number=doc.number,
            title=escape(doc.title),
            running=doc.short_title,
            dateline=dateline,
            parties=parties,
            flagged=doc.flagged,
            summary=m.summary or None,
            source=Code(" ".join(source_parts)) if source_parts else None,
            notes=[escape(note) for note in m.notes],
            body=self.body(doc),
            single=single,
        )

    def document_source(self, doc: PrintDocument, meta: PdfMetadata) -> str:
        config = self.config
        line = f"{config.title} · Document {doc.number} · Version {config.version}, {long_date(self.data)}"
        if config.licence:
            line += f" · {config.licence}"
        return (
            self.preamble(meta, single=True)
            + call("from-edition", escape(line))
            + "\n\n"
            + self.document_part(doc, single=True)
            + "\n"
        )

    def edition_source(self, documents: list[PrintDocument], meta: PdfMetadata, volume: str | None = None) -> str:
        """The book: title page, imprint, contents, introduction, documents, indexes and chronology; or one volume
        of it (`volume` says which, on its title page), with the indexes and chronology of its documents."""
        config = self.config
        bodies = [self.document_part(doc, single=False) for doc in documents]  # made first: they find the anchors
        # (Typst finds the pages of the indexes' entries itself.)
        indexes = [index for index in build_indexes(self.data, documents) if index.entries]
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
        parts.append(call("contents", entries))
        if config.introduction:
            paragraphs = [escape(p) for p in config.introduction.split("\n\n")]
            signs = [
                [escape(sign), Code(escape(meaning).replace(escape("{italic}"), "#emph[italic]"))]
                for sign, meaning in SIGNS
            ]
            parts.append(call("introduction", paragraphs, signs))
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
            editors = " and ".join(names) if len(names) < 3 else ", ".join(names[:-1]) + " and " + names[-1]
        # (`volume` is given only to a volume's title page: a design of an edition's own may not know it.)
        title_page = call(
            "title-page",
            title=config.title,
            subtitle=config.subtitle or None,
            editors=editors,
            publisher=config.publisher,
            **({"volume": volume} if volume else {}),
        )
        imprint = [
            f"#strong[{escape(config.title)}]"
            + (escape(". " + config.subtitle) if config.subtitle else "")
            + escape(".")
        ]
        if config.editors:
            imprint.append(escape(f"Edited by {', '.join(config.editors)}."))
        line = f"Version {config.version}, {long_date(self.data)}."
        if config.publisher:
            line += f" Published by {config.publisher}."
        imprint.append(escape(line))
        if config.licence:
            imprint.append(
                escape(f"Licence: {config.licence}" + (f" ({config.licence_url})" if config.licence_url else "") + ".")
            )
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
                        "originals": originals(entry),
                        "life": entry.entity.life_dates() or None,
                        "description": entry.entity.description.strip().rstrip(".") or None,
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


# The editorial signs the introduction explains: (sign, meaning as markup).
SIGNS = (
    ("| 913", "A page of the source begins here; its number stands in the margin."),
    ("[illegible]", "Matter the editors could not read or left out."),
    ("[word]", "Supplied by the editors."),
    (
        "1, 2, 3",
        "Notes, at the foot of the page. The source’s own notes keep the source’s numbers; the editors’ "
        "notes are numbered afresh in each document, or lettered a, b, c where the source numbers its own.",
    ),
    ("*, †, ‡", "The editors’ corrections of the source, each with the source’s reading in {italic}."),
    ("(aside)", "A translator’s or the editors’ note that stands in the running text."),
)
