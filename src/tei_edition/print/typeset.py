"""The PDF editions set by Typst: each PDF's Typst source, made from the edition's data and print bodies.

A PDF's source is the print design (templates/print/edition.typ, the edition's own first) followed by calls of its
functions, with the edition's data written as Typst values and each document's text as Typst markup converted
from the print body the stylesheets made. Typst lays a book out whole, as often as it takes for every page number
to settle: the contents, the indexes (every page a name is on, once) and the chronology ask where the markers in
the texts fell, in the same compilation.

The documents' PDFs are set in threads while the edition is set (the Typst compiler leaves Python's lock while it
works, and each compilation uses every core it can), and kept in the build cache by a hash of their source, fonts
and images, so that after an edit only the edition and the edited documents are set again.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import TypeAlias, TypeVar

import lxml.html
from lxml import etree

from tei_edition.config import EditionConfig
from tei_edition.errors import BuildError
from tei_edition.output.cache import BuildCache
from tei_edition.output.hashing import content_key
from tei_edition.output.paths import document_pdf, volume_pdf
from tei_edition.output.writer import OutputWriter
from tei_edition.paper import paper_size
from tei_edition.print.book import (
    IndexEntry,
    PdfMetadata,
    PrintChronology,
    PrintDocument,
    PrintIndex,
    book_metadata,
    build_chronology,
    build_indexes,
    citation_text,
    document_metadata,
    long_date,
    prefixed,
    prepare_document,
    texts_in_use,
)
from tei_edition.print.fonts import FALLBACK_FAMILY, FontSet, face_name
from tei_edition.tei.certainty import is_uncertain
from tei_edition.tei.edition import EditionData
from tei_edition.transform.jinja import package_templates

TYPST_REQUIREMENT = "typst>=0.14"
DESIGN = "print/edition.typ"
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
NOTE_MARKS = ("*", "†", "‡", "§", "‖", "¶")

# Characters that may start markup in Typst, alone or after an embedded expression (a "." or "(" right after a
# call would continue it): escaped with a backslash wherever text is written as markup.
_PUNCTUATION = frozenset("\\#*_`$<>@=-+/[]~'\".(){}")
_SPACE_RE = re.compile(r"\s+")
_LANG_RE = re.compile(r"^([A-Za-z]{2,3})(?:-([A-Za-z]{4}))?(?:-([A-Za-z]{2}|\d{3}))?(?:-|$)")


class Code(str):
    """Typst source written by this module, inserted as it is (anything else is escaped)."""


# What value() writes as a Typst value.
TypstValue: TypeAlias = "Code | str | int | bool | None | Mapping[str, TypstValue] | Sequence[TypstValue]"
T = TypeVar("T")


def escape(text: str) -> Code:
    """Plain text as Typst markup: every character that could start markup escaped, every run of white space one
    space."""
    out = []
    for char in _SPACE_RE.sub(" ", text):
        out.append("\\" + char if char in _PUNCTUATION else char)
    return Code("".join(out))


def value(item: TypstValue) -> Code:
    """A Python value as a Typst value: str -> string, Code -> content block, sequences -> arrays, dicts -> dicts."""
    if isinstance(item, Code):
        return Code(f"[{item}]")
    if item is None:
        return Code("none")
    if isinstance(item, bool):
        return Code("true" if item else "false")
    if isinstance(item, int):
        return Code(str(item))
    if isinstance(item, str):
        escaped = item.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "")
        return Code(f'"{escaped}"')
    if isinstance(item, Mapping):
        if not item:
            return Code("(:)")
        return Code("(" + ", ".join(f"{key}: {value(v)}" for key, v in item.items()) + ")")
    if isinstance(item, (list, tuple)):
        return Code("(" + "".join(f"{value(v)}, " for v in item) + ")")
    raise TypeError(f"no Typst value for {type(item).__name__}")


def call(function: str, *args: TypstValue, **kwargs: TypstValue) -> Code:
    """A call of one of the design's functions, in markup: #name(args, key: value)."""
    parts = [value(a) for a in args] + [f"{k.replace('_', '-')}: {value(v)}" for k, v in kwargs.items()]
    return Code(f"#{function}({', '.join(parts)})")


# ---- Print bodies (HTML) -> Typst markup ---------------------------------------------------------------------------

_BLOCKS = {
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "aside",
    "nav",
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "ol",
    "ul",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "td",
    "th",
    "caption",
    "figure",
    "figcaption",
    "hr",
    "pre",
}
_CONTAINERS = {"div", "section", "article", "main", "header", "footer", "aside", "nav", "body"}
_EMPHASIS = {"em", "i", "cite", "dfn", "var"}
_STRONG = {"strong", "b"}
_STRIKE = {"del", "s", "strike"}
_UNDERLINE = {"u", "ins"}
# Classes the print design sets in italic (the editors' words, the source's own readings beside a correction).
_ITALIC_CLASSES = {
    "gap",
    "sic",
    "orig",
    "abbr",
    "note-type",
    "note-missing",
    "note-nested",
    "note-translator",
    "note-editorial",
}


@dataclass
class BodyContext:
    """What converting one document's print body needs to know beyond the HTML."""

    doc_id: str
    root: Path  # the edition's folder: images must lie inside it
    mentions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # anchor -> register entry ids
    dated: frozenset[str] = frozenset()  # anchors of dated passages (for the chronology)
    fonts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # language prefix -> font list
    marks: int = 0  # unnumbered notes so far in this document
    anchors: set[str] = field(default_factory=set)  # mention and date anchors met in the text
    images: set[Path] = field(default_factory=set)  # the edition's image files the text shows
    characters: int = 0  # the length of the text, for the estimate of its pages


def body_markup(fragment: str, context: BodyContext) -> Code:
    """A document's print body (HTML, its ids already made unique in the edition) as Typst markup."""
    try:
        wrapper = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError) as exc:
        raise BuildError(f"the print text of document {context.doc_id!r} is not HTML the PDF can use: {exc}") from None
    context.characters = len(wrapper.text_content())
    return _Converter(context).blocks(wrapper)


class _Converter:
    def __init__(self, context: BodyContext):
        self.context = context
        self.in_note = False

    # Blocks: children that are blocks stand apart, runs of text and inline elements between them are paragraphs.
    def blocks(self, el: etree._Element) -> Code:
        out: list[str] = []
        run: list[str] = [escape(el.text or "")]
        for child in el:
            if isinstance(child.tag, str) and _is_block(child):
                out.append("".join(run))
                run = []
                out.append(self.block(child))
            else:
                run.append(self.inline(child))
            run.append(escape(child.tail or ""))
        out.append("".join(run))
        return Code("\n\n".join(part.strip(" ") for part in out if part.strip(" ")))

    def block(self, el: etree._Element) -> Code:
        tag = el.tag.lower()
        classes = set((el.get("class") or "").split())
        markers = self.markers(el)
        if tag in _CONTAINERS or "pb" in classes:
            inner = self.blocks(el) if tag in _CONTAINERS else Code("")
            if "pb" in classes:
                inner = self.page_break(el, in_line=False)
            return self.language(el, Code(markers + inner))
        if tag == "p":
            return self.language(el, Code(markers + self.inlines(el).strip(" ")))
        if re.fullmatch(r"h[1-6]", tag):
            return Code(markers + call("text-head", self.language(el, self.inlines(el))))
        if tag == "blockquote":
            return Code(markers + call("quotation", self.language(el, self.blocks(el))))
        if tag in ("ul", "ol"):
            items = [self.language(li, self.blocks(li)) for li in el if isinstance(li.tag, str)]
            return Code(markers + f"#{'enum' if tag == 'ol' else 'list'}(" + "".join(f"[{i}], " for i in items) + ")")
        if tag == "dl":
            parts = []
            for item in el:
                if not isinstance(item.tag, str):
                    continue
                inner = self.blocks(item)
                parts.append(
                    f"#block(below: 0.6em, sticky: true, strong[{inner}])"
                    if item.tag == "dt"
                    else f"#pad(left: 6mm)[{inner}]"
                )
            return Code(markers + "\n\n".join(parts))
        if tag == "table":
            return Code(markers + self.table(el))
        if tag == "figure":
            return Code(markers + self.figure(el))
        if tag == "hr":
            return Code(markers + "#line(length: 100%, stroke: 0.4pt + luma(53%))")
        return self.language(el, Code(markers + self.blocks(el)))  # li, dt, dd, td, caption... met out of place

    def table(self, el: etree._Element) -> str:
        # This table's rows, not those of a table inside one of its cells (that one is set in its cell).
        rows = [row for row in el.iter("tr") if next(row.iterancestors("table"), None) is el]
        caption = el.find("caption")
        columns = max((sum(_span(c, "colspan") for c in row if c.tag in ("td", "th")) for row in rows), default=1)
        cells = []
        for row in rows:
            for cell in row:
                if cell.tag not in ("td", "th"):
                    continue
                inner = self.blocks(cell)
                if cell.tag == "th":
                    inner = Code(f"#strong[{inner}]")
                span = [f"{name}: {_span(cell, name)}" for name in ("colspan", "rowspan") if _span(cell, name) > 1]
                cells.append(f"table.cell({', '.join(span)})[{inner}]" if span else f"[{inner}]")
        table = (
            f"#table(columns: {max(columns, 1)}, stroke: 0.4pt + luma(53%), inset: 3pt, align: left, "
            + "".join(f"{c}, " for c in cells)
            + ")"
        )
        if caption is not None:
            table = f"#block(below: 2mm, sticky: true, emph[{self.blocks(caption)}])\n\n" + table
        return f"#block(above: 3mm, below: 3mm)[#set text(9.5pt); #set par(justify: false)\n{table}]"

    def figure(self, el: etree._Element) -> str:
        images = [self.image(img) for img in el.iter("img")]
        caption = el.find("figcaption")
        return call(
            "illustration", Code(images[0]) if images else None, self.blocks(caption) if caption is not None else None
        )

    def image(self, img: etree._Element) -> Code:
        """An image of the edition's folder; an image that cannot be used is described by its alt text."""
        src = (img.get("src") or "").split("#")[0].split("?")[0]
        alt = img.get("alt") or ""
        root = self.context.root.resolve()
        path = (root / src.lstrip("/")).resolve() if src and "://" not in src else None
        if (
            path is None
            or not path.is_relative_to(root)
            or not path.is_file()
            or path.suffix.lower() not in IMAGE_TYPES
        ):
            return Code(f"#emph[{escape('[' + (alt or 'image') + ']')}]")
        self.context.images.add(path)
        relative = "/" + path.relative_to(root).as_posix()
        return Code(f"#picture({value(relative)}, alt: {value(alt)})")

    # Inline content: text, names, dates, notes, page breaks.
    def inlines(self, el: etree._Element) -> Code:
        out: list[str] = [escape(el.text or "")]
        for child in el:
            if isinstance(child.tag, str) and _is_block(child):
                out.append("\n\n" + self.block(child) + "\n\n")
            else:
                out.append(self.inline(child))
            out.append(escape(child.tail or ""))
        return Code("".join(out))

    def inline(self, el: etree._Element) -> Code:
        if not isinstance(el.tag, str):  # a comment or processing instruction
            return Code("")
        tag = el.tag.lower()
        classes = set((el.get("class") or "").split())
        if "pb-bar" in classes:
            return Code("")  # the bar is part of the page break's mark
        if "pb" in classes:  # in the line when the print body marked it with a bar (book.prefix_ids)
            before = el.getprevious()
            in_line = before is not None and "pb-bar" in (before.get("class") or "").split()
            return self.page_break(el, in_line=in_line)
        if "footnote" in classes:
            return self.note(el)
        if tag == "br":
            return Code("#linebreak()")
        if tag == "img":
            return Code("#box(" + self.image(el)[1:] + ")")
        markers = self.markers(el)
        if "block" in classes:  # a block in a paragraph, e.g. a quotation set off from the text
            inner = self.blocks(el)
            if classes & {"quote", "blockquote", "cit", "q"}:
                return Code(markers + "\n\n" + call("quotation", inner) + "\n\n")
            return Code(markers + f"\n\n#block[{inner}]\n\n")
        inner = self.inlines(el)
        if tag in _EMPHASIS or classes & _ITALIC_CLASSES:
            inner = Code(f"#emph[{inner}]")
        if "note-nested" in classes:
            inner = Code(f"#h(0.25em){inner}")
        if "source-reading" in classes:
            inner = Code(f"#text(fill: luma(20%))[{inner}]")
        if tag in _STRONG:
            inner = Code(f"#strong[{inner}]")
        elif tag == "sup":
            inner = Code(f"#super[{inner}]")
        elif tag == "sub":
            inner = Code(f"#sub[{inner}]")
        elif tag in _STRIKE:
            inner = Code(f"#strike[{inner}]")
        elif tag in _UNDERLINE:
            inner = Code(f"#underline[{inner}]")
        elif tag == "a" and (el.get("href") or "").startswith(("http://", "https://", "mailto:")):
            inner = Code(f"#link({value(el.get('href'))})[{inner}]")
        return Code(markers + self.language(el, inner))

    def markers(self, el: etree._Element) -> str:
        """Invisible markers where a name or a date the indexes and the chronology point to stands."""
        anchor = el.get("id")
        if not anchor:
            return ""
        out = []
        for entity_id in self.context.mentions.get(anchor, ()):
            out.append(f"#metadata({value(entity_id)})<mention>")
        if anchor in self.context.dated:
            out.append(f"#metadata({value(anchor)})<dated>")
        if out:
            self.context.anchors.add(anchor)
        return "".join(out)

    def note(self, el: etree._Element) -> Code:
        if self.in_note:  # a note cannot hold a note: one met inside another is printed there, in parentheses
            return Code(f"#h(0.25em)#emph[\\({self.inlines(el).strip(' ')}\\)]")
        number = (el.get("data-n") or "").strip()
        if not number:
            number = _mark(self.context.marks)
            self.context.marks += 1
        self.in_note = True
        try:
            inner = self.blocks(el) if any(isinstance(c.tag, str) and _is_block(c) for c in el) else self.inlines(el)
        finally:
            self.in_note = False
        return Code(f"#footnote(numbering: _ => {value(number)})[{inner.strip(' ')}]")

    def page_break(self, el: etree._Element, in_line: bool) -> Code:
        # lxml-stubs type itertext() as yielding str | bytes; on a parsed tree it yields str.
        number = (el.get("data-n") or "".join(el.itertext())).strip()  # type: ignore[arg-type]
        if not number:
            return Code("")
        return call("page-break" if in_line else "page-break-between", number)

    def language(self, el: etree._Element, inner: Code) -> Code:
        lang = el.get("lang") or el.get("{http://www.w3.org/XML/1998/namespace}lang")
        if not lang:
            return inner
        match = _LANG_RE.match(lang)
        if not match:
            return inner
        args = [f"lang: {value(match.group(1).lower())}"]
        if match.group(3) and match.group(3).isalpha():
            args.append(f"region: {value(match.group(3).upper())}")
        fonts = font_for_language(self.context.fonts, lang)
        if fonts:
            args.append(f"font: {value(fonts)}")
        return Code(f"#text({', '.join(args)})[{inner}]")


def _span(cell: etree._Element, name: str) -> int:
    """A cell's colspan or rowspan: a whole number from 1 to 64 (anything else counts as 1)."""
    text = (cell.get(name) or "").strip()
    return min(int(text), 64) if text.isdigit() and 0 < int(text) else 1


def _is_block(el: etree._Element) -> bool:
    return el.tag.lower() in _BLOCKS


def _mark(index: int) -> str:
    """The mark of the index-th unnumbered note of a document: *, †, ‡, §, ‖, ¶, then doubled, tripled..."""
    return NOTE_MARKS[index % len(NOTE_MARKS)] * (index // len(NOTE_MARKS) + 1)


# ---- Fonts --------------------------------------------------------------------------------------------------------


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


def font_for_language(per_language: Mapping[str, tuple[str, ...]], lang: str) -> tuple[str, ...] | None:
    lang = lang.lower()
    for prefix, fonts in per_language.items():
        if lang == prefix or lang.startswith(prefix + "-"):
            return fonts
    return None


def font_folders(fonts: FontSet) -> list[str]:
    """The folders Typst reads fonts from: those of the build's faces."""
    return sorted({str(face.path.parent) for face in fonts.faces})


# ---- Compiling ----------------------------------------------------------------------------------------------------


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


# ---- The sources of the PDFs --------------------------------------------------------------------------------------


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
                ("lang", _language(meta.lang)),
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
                out.append(Code(f"#text(lang: {value(_language(lang))}{font})[{escape(name.text)}]"))
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


def _language(lang: str) -> str:
    match = _LANG_RE.match(lang or "")
    return match.group(1).lower() if match else "en"


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
            (writer.document_source(doc, document_metadata(data, doc)), f"document {doc.id!r}") for doc in documents
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
