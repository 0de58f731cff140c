"""The apparatus criticus in the PDF, set apart from the notes.

Typst has one footnote flow, which the notes use. The apparatus gets its own: each entry's lemma is marked in the
text with a superscript letter (a, b, ... z, aa, ...; counted per document, so that letters never meet the notes'
numbers), and the entries of a paragraph are set right after it as one block floated to the foot of the page
(`place(bottom, float: true)`), above the footnotes: the text, then the apparatus criticus ("a lemma] reading
B; om. C"), then the notes, as in a printed critical edition. The first apparatus block of a page opens with a short
rule. The block of a paragraph that runs over a page break stands on the page where the paragraph ends; the letters
tie each entry to its place.

A place() call inside a paragraph would break it (Typst puts placed content in the flow), hence the blocks follow
their paragraph."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from lxml import etree

from tei_edition.print.typst_markup import Code, escape

_PAGE = 'state("tei-edition-apparatus-page", 0)'
_FLOW_CONTAINERS = frozenset(("div", "section", "article", "main", "body"))


class _Converter(Protocol):
    in_note: bool

    def inline(self, el: etree._Element) -> Code: ...


@dataclass
class Apparatus:
    """A document's apparatus entries met in the text and not set yet."""

    count: int = 0
    pending: list[str] = field(default_factory=list)


def letter(index: int) -> str:
    """The mark of the index-th entry (0-based): a ... z, aa ... zz, aaa ..."""
    return chr(ord("a") + index % 26) * (index // 26 + 1)


def entry_mark(converter: _Converter, apparatus: Apparatus, el: etree._Element) -> Code:
    """The mark in the text of an apparatus entry (<span class="app-entry">), the entry kept for its block."""
    mark = letter(apparatus.count)
    apparatus.count += 1
    apparatus.pending.append(f"#super[{mark}]#h(0.15em){_entry(converter, el).strip()}")
    return Code(f'#super[#text(style: "italic")[{mark}]]')


def _entry(converter: _Converter, el: etree._Element) -> str:
    out: list[str] = [escape(el.text or "")]
    for child in el:
        classes = set((child.get("class") or "").split()) if isinstance(child.tag, str) else set()
        if "app-wits" in classes:
            out.append(_entry(converter, child))
        elif "siglum" in classes:
            out.append(f"#emph[{escape(''.join(t for t in child.itertext() if isinstance(t, str)))}]")
        else:
            out.append(converter.inline(child))
        tail = escape(child.tail or "")
        # A semicolon right after an embedded call would end the call: written escaped.
        out.append("\\" + tail if tail.startswith(";") else tail)
    return "".join(out)


def flush(apparatus: Apparatus, container: etree._Element, in_note: bool) -> str:
    """The floated apparatus block of the entries met since the last one, when `container` is part of the page's
    flow (a division of the text, not a quotation, list or note): '' otherwise or when there are none."""
    if not apparatus.pending or in_note or not isinstance(container.tag, str):
        return ""
    if container.tag.lower() not in _FLOW_CONTAINERS:
        return ""
    if container.xpath("ancestor-or-self::div[contains(concat(' ', @class, ' '), ' parallel-cell ')]"):
        return ""  # a float in a grid cell would stay in the cell: the block follows the parallel text
    entries = "#h(1em, weak: true) ".join(apparatus.pending)
    apparatus.pending.clear()
    return (
        "#place(bottom, float: true, clearance: 0.9em, block(width: 100%, spacing: 0pt)["
        # The page of the block before this one (a state follows the text's order): a rule when it is another.
        # (A query of the earlier blocks on the page did the same at a cost that grew with their number.)
        f"#context {{ if {_PAGE}.get() != here().page() {{ block(above: 0pt, below: 0.4em, "
        "line(length: 4em, stroke: 0.4pt + luma(33%))) } }"
        f"#context {_PAGE}.update(here().page())"
        f'#par(justify: false, leading: 0.45em)[#set text(8pt, number-type: "lining"); {entries}]])'
    )
