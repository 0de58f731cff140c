"""Files that hold several documents: which elements are the documents, their ids, titles and dates.

A source file is one document unless `[sources] split` (an XPath, by default DEFAULT_SPLIT) selects at least two
elements in it: then each outermost selected element is a document of its own (a part), and the file itself is a
volume whose page holds what lies outside the parts (front and back matter, contents, indexes). The stylesheets
select the same parts with the same XPath (xslt/parts.xsl) and name them the same way (part_id).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from tei_edition import TEI_NS
from tei_edition.tei.dates import DateSpan, DateValueError, date_span, parse_date
from tei_edition.tei.model import XML_ID, T, text_of

# A teiCorpus's TEI documents, and a volume whose body holds div[@type='document'] (as FRUS volumes do).
DEFAULT_SPLIT = "/tei:teiCorpus/tei:TEI | //tei:body//tei:div[@type='document']"
NAMESPACES = {"tei": TEI_NS}
MIN_PARTS = 2
# Attributes some projects put on a part for its date (FRUS: the earliest and latest moment of the document).
DATE_ATTRIBUTES = (
    (
        "{http://history.state.gov/frus/ns/1.0}doc-dateTime-min",
        "{http://history.state.gov/frus/ns/1.0}doc-dateTime-max",
    ),
)


class SplitError(ValueError):
    """The split XPath cannot be used."""


@dataclass(frozen=True)
class Part:
    """One document inside a file."""

    element: etree._Element
    id: str
    number: int  # 1-based, in document order
    title: str
    date: DateSpan | None
    line: int


def compile_split(expression: str) -> etree.XPath:
    """The split XPath compiled (XPath 1.0, with the prefix tei bound); SplitError when it is not one."""
    try:
        return etree.XPath(expression, namespaces=NAMESPACES)
    except etree.XPathSyntaxError as exc:
        raise SplitError(f"'{expression}' is not an XPath expression: {exc}") from None


def find_parts(tree: etree._ElementTree, split: str | None) -> list[Part]:
    """The documents a file holds, in document order, or [] when it is one document (fewer than two parts, or no
    split). Only the outermost selected elements count: a document inside another stays in it."""
    if not split:
        return []
    try:
        found = compile_split(split)(tree)
    except etree.XPathEvalError as exc:
        raise SplitError(f"'{split}' cannot be evaluated: {exc}") from None
    if not isinstance(found, list):
        return []
    chosen = {el for el in found if isinstance(el, etree._Element)}
    outermost = [el for el in found if el in chosen and not any(a in chosen for a in el.iterancestors())]
    if len(outermost) < MIN_PARTS:
        return []
    volume_id = volume_id_of(tree)
    return [
        Part(el, part_id(volume_id, el, n), n, part_title(el, n), part_date(el), _line(el))
        for n, el in enumerate(outermost, start=1)
    ]


def volume_id_of(tree: etree._ElementTree) -> str:
    """The id the file's documents are known by: its root's xml:id, else the file name without .xml."""
    root = tree.getroot()
    url = tree.docinfo.URL or ""
    stem = url.rsplit("/", 1)[-1].removesuffix(".xml") if url else ""
    return root.get(XML_ID) or stem or "document"


def part_id(volume_id: str, element: etree._Element, number: int) -> str:
    """A part's document id: the volume's id, a hyphen, and the part's xml:id, else its number (as parts.xsl)."""
    return f"{volume_id}-{element.get(XML_ID) or number}"


TITLE_WORDS = 80  # characters of the first paragraph that stand for a part's title when it has none


def part_title(element: etree._Element, number: int) -> str:
    """A part's title: its own header's title (a teiCorpus's TEI), else its head, else the beginning of its first
    paragraph (a head such as FRUS's "[Untitled]" says there is none), else 'Document N'. As ed:part-title."""
    head = element.find(f"{T}teiHeader/{T}fileDesc/{T}titleStmt/{T}title")
    if head is None:
        head = element.find(f"{T}head")
    title = text_of(head) if head is not None else ""
    if title and not UNTITLED.fullmatch(title):
        return title
    first = next((text_of(p) for p in element.iter(f"{T}p") if text_of(p)), "")
    if not first:
        return f"Document {number}"
    if len(first) <= TITLE_WORDS:
        return first
    cut = first[:TITLE_WORDS].rsplit(" ", 1)[0]
    return cut + "…"


UNTITLED = re.compile(r"\[?\s*untitled\s*\]?", re.IGNORECASE)


def part_date(element: etree._Element) -> DateSpan | None:
    """A part's date: its own header's date of creation, the date attributes a project puts on the part (FRUS's
    frus:doc-dateTime-min/max), else the first dated dateline."""
    created = element.find(f"{T}teiHeader/{T}profileDesc/{T}creation//{T}date")
    if created is not None:
        return date_span(_attributes(created))
    for low, high in DATE_ATTRIBUTES:
        start, end = element.get(low), element.get(high)
        if start or end:
            span = _moment_span(start, end)
            if span is not None:
                return span
    for date in element.iterfind(f".//{T}dateline//{T}date"):
        span = date_span(_attributes(date))
        if span is not None:
            return span
    return None


def _attributes(el: etree._Element) -> dict[str, str]:
    return {str(k): str(v) for k, v in el.attrib.items()}


def _moment_span(start: str | None, end: str | None) -> DateSpan | None:
    """The day (or days) two dateTimes fall on: FRUS gives a document's first and last moment."""
    try:
        low = parse_date(start[:10]) if start else None
        high = parse_date(end[:10]) if end else None
    except DateValueError:
        return None
    if low is not None and (high is None or high == low):
        return DateSpan(when=low)
    return DateSpan(start=low, end=high)


def _line(el: etree._Element) -> int:
    """The element's line in its file (0 when unknown); lxml-stubs type sourceline as Ellipsis."""
    line: int | None = el.sourceline  # type: ignore[assignment]
    return line or 0
