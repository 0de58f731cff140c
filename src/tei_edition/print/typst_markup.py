"""Typst source written from Python: values, calls of the print design's functions, and the print bodies (HTML)
converted to Typst markup.

A document's text reaches the PDF as markup converted from the print body the stylesheets made: blocks stand apart,
runs of text and inline elements between them are paragraphs, and invisible markers stand where a name or a date
the indexes and the chronology point to stands, for Typst to find their pages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeAlias

import lxml.html
from lxml import etree

from tei_edition.errors import BuildError

IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
NOTE_MARKS = ("*", "†", "‡", "§", "‖", "¶")

# Characters that may start markup in Typst, alone or after an embedded expression (a "." or "(" right after a
# call would continue it): escaped with a backslash wherever text is written as markup.
_PUNCTUATION = frozenset("\\#*_`$<>@=-+/[]~'\".(){}")
_SPACE_RE = re.compile(r"\s+")
_LANG_RE = re.compile(r"^([A-Za-z]{2,3})(?:-([A-Za-z]{4}))?(?:-([A-Za-z]{2}|\d{3}))?(?:-|$)")


class Code(str):
    """Typst source written by the print modules, inserted as it is (anything else is escaped)."""


# What value() writes as a Typst value.
TypstValue: TypeAlias = "Code | str | int | bool | None | Mapping[str, TypstValue] | Sequence[TypstValue]"


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


# ---- Print bodies (HTML) -> Typst markup -----------------------------------------------------------------------------

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
_EMPHASIS = {"em", "i", "dfn", "var"}
_STRONG = {"strong", "b"}
_STRIKE = {"del", "s", "strike"}
_UNDERLINE = {"u", "ins"}
# The renderings of @rend a hi (or any element) asks for, by its classes 'rend-TOKEN': (classes, Typst function).
_RENDS = (
    ({"rend-italic", "rend-italics", "rend-i", "rend-it"}, "emph"),
    ({"rend-bold", "rend-b", "rend-strong"}, "strong"),
    ({"rend-smallcaps", "rend-small-caps", "rend-sc"}, "smallcaps"),
    ({"rend-underline", "rend-ul", "rend-u"}, "underline"),
    ({"rend-sup", "rend-superscript"}, "super"),
    ({"rend-sub", "rend-subscript"}, "sub"),
    ({"rend-strikethrough", "rend-strike", "rend-overstrike"}, "strike"),
    ({"rend-uppercase", "rend-caps", "rend-allcaps"}, "upper"),
)
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
    lines: Mapping[str, int] = field(default_factory=dict)  # anchor -> its line in the TEI file
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
        self.apparatus = typst_apparatus.Apparatus()

    # Blocks: children that are blocks stand apart, runs of text and inline elements between them are paragraphs.
    def blocks(self, el: etree._Element) -> Code:
        out: list[str] = []
        run: list[str] = [escape(el.text or "")]
        for child in el:
            if isinstance(child.tag, str) and _is_block(child):
                out.append("".join(run))
                run = []
                out.append(self.block(child))
                out.append(typst_apparatus.flush(self.apparatus, el, self.in_note))
            else:
                run.append(self.inline(child))
            run.append(escape(child.tail or ""))
        out.append("".join(run))
        out.append(typst_apparatus.flush(self.apparatus, el, self.in_note))
        return Code("\n\n".join(part.strip(" ") for part in out if part.strip(" ")))

    def block(self, el: etree._Element) -> Code:
        tag = el.tag.lower()
        classes = set((el.get("class") or "").split())
        markers = self.markers(el)
        if typst_parallel.is_parallel(el):
            return Code(markers + typst_parallel.parallel_grid(self, el))
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
        columns, down, place, across = _grid(rows)
        cells = []
        for row in rows:
            for cell in row:
                if cell.tag not in ("td", "th"):
                    continue
                inner = self.blocks(cell)
                if cell.tag == "th":
                    inner = Code(f"#strong[{inner}]")
                x, y = place[cell]
                spans = (("colspan", across[cell]), ("rowspan", down[cell]))
                span = [f"x: {x}", f"y: {y}", *(f"{name}: {value}" for name, value in spans if value > 1)]
                cells.append(f"table.cell({', '.join(span)})[{inner}]")
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
        if "app-entry" in classes:
            return typst_apparatus.entry_mark(self, self.apparatus, el)
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
        if tag == "cite" or "title" in classes:
            inner = _title(inner, classes)
        elif tag in _EMPHASIS or classes & _ITALIC_CLASSES:
            inner = Code(f"#emph[{inner}]")
        inner = _rendered(inner, tag, classes, italic=inner.startswith("#emph["))
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
            line = self.context.lines.get(anchor)
            if line:  # for a message that names the TEI line near which Typst failed (print/typeset.py)
                out.insert(0, f"/*line {line}*/")
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


def _grid(
    rows: list[etree._Element],
) -> tuple[int, dict[etree._Element, int], dict[etree._Element, tuple[int, int]], dict[etree._Element, int]]:
    """A table laid out as a browser lays it out (a cell spanning rows takes its columns in the rows below, so a
    later row's cells move right): the columns it really takes, each cell's rowspan cut to the rows there are, and
    each cell's place (column, row), which Typst is given so that every HTML row stays a row, and its colspan cut
    where it would run into a cell from a row above. A table whose spans exceed its columns or rows is set, not
    refused."""
    widest = 1
    covered: dict[int, int] = {}  # column -> rows below still taken by a cell above
    down: dict[etree._Element, int] = {}
    place: dict[etree._Element, tuple[int, int]] = {}
    spans: dict[etree._Element, int] = {}
    for number, row in enumerate(rows):
        taken = set(covered)
        column = 0
        below: dict[int, int] = {}
        for cell in row:
            if cell.tag not in ("td", "th"):
                continue
            while column in taken:
                column += 1
            across, wanted = 1, _span(cell, "colspan")
            while across < wanted and column + across not in taken:  # a span never runs into a cell from above
                across += 1
            spans[cell] = across
            rows_down = min(_span(cell, "rowspan"), len(rows) - number)
            down[cell] = rows_down
            place[cell] = (column, number)
            for taken_column in range(column, column + across):
                if rows_down > 1:
                    below[taken_column] = rows_down - 1
            column += across
        widest = max(widest, column, max(taken, default=-1) + 1)
        covered = {c: left - 1 for c, left in covered.items() if left > 1}
        covered.update(below)
    return widest, down, place, spans


def _span(cell: etree._Element, name: str) -> int:
    """A cell's colspan or rowspan: a whole number from 1 to 64 (anything else counts as 1)."""
    text = (cell.get(name) or "").strip()
    return min(int(text), 64) if text.isdigit() and 0 < int(text) else 1


def _title(inner: Code, classes: set[str]) -> Code:
    """A title by its level: an article's or a poem's (level a, u) in quotation marks, any other (a book's, a
    journal's, a series', or a title without a level) in italic."""
    if classes & {"level-a", "level-u"}:
        return Code(f"“{inner}”")
    return Code(f"#emph[{inner}]")


def _rendered(inner: Code, tag: str, classes: set[str], italic: bool = False) -> Code:
    """The renderings @rend asks for that the element does not have already (an <em> is italic, and italic
    twice would be upright again)."""
    given = {"strong": "strong", "b": "strong", "sup": "super", "sub": "sub"}.get(tag)
    for names, function in _RENDS:
        if classes & names and function != given and not (function == "emph" and italic):
            inner = Code(f"#{function}[{inner}]")
    return inner


def _is_block(el: etree._Element) -> bool:
    return el.tag.lower() in _BLOCKS


def _mark(index: int) -> str:
    """The mark of the index-th unnumbered note of a document: *, †, ‡, §, ‖, ¶, then doubled, tripled..."""
    return NOTE_MARKS[index % len(NOTE_MARKS)] * (index // len(NOTE_MARKS) + 1)


# ---- Languages -------------------------------------------------------------------------------------------------------


def font_for_language(per_language: Mapping[str, tuple[str, ...]], lang: str) -> tuple[str, ...] | None:
    lang = lang.lower()
    for prefix, fonts in per_language.items():
        if lang == prefix or lang.startswith(prefix + "-"):
            return fonts
    return None


def typst_language(lang: str) -> str:
    """The primary language subtag of a language tag, as Typst's `lang` (English when there is none)."""
    match = _LANG_RE.match(lang or "")
    return match.group(1).lower() if match else "en"


from tei_edition.print import typst_apparatus, typst_parallel  # noqa: E402 (they use this module's escape, Code)
