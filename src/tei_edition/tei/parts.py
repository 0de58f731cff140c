"""Files that hold several documents: which elements are the documents, their ids, titles and dates.

A source file is one document unless `[sources] split` (an XPath, by default DEFAULT_SPLIT) selects at least two
elements in it: then each outermost selected element is a document of its own (a part), and the file itself is a
volume whose page holds what lies outside the parts (front and back matter, contents, indexes). The stylesheets
select the same parts with the same XPath (xslt/parts.xsl) and name them the same way (part_id).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from lxml import etree

from tei_edition.config import SplitError, compile_split
from tei_edition.tei.dates import DateSpan, DateValueError, date_span, parse_date
from tei_edition.tei.facsimile import with_part_facsimiles
from tei_edition.tei.model import DateMention, Document, Mention, read_document, read_readings
from tei_edition.tei.names import NameLinks, resolve_names
from tei_edition.tei.parse import line_of
from tei_edition.tei.text import XML_ID, XML_LANG, T, own_title, text_of

MIN_PARTS = 2
# Attributes some projects put on a part for its date (FRUS: the earliest and latest moment of the document).
DATE_ATTRIBUTES = (
    (
        "{http://history.state.gov/frus/ns/1.0}doc-dateTime-min",
        "{http://history.state.gov/frus/ns/1.0}doc-dateTime-max",
    ),
)


@dataclass(frozen=True)
class Part:
    """One document inside a file."""

    element: etree._Element
    id: str
    number: int  # 1-based, in document order
    title: str
    date: DateSpan | None
    line: int


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
        Part(el, part_id(volume_id, el, n), n, part_title(el, n), part_date(el), line_of(el))
        for n, el in enumerate(outermost, start=1)
    ]


def part_lines(parts: list[Part]) -> tuple[tuple[int, int, str], ...]:
    """The lines of each part, as (first, last, id), in document order: from its first line to the line before
    what follows it (to the end of the file for the last), or to its last element's line when that follows on the
    same line; so that a problem found at a line can name its document. Read from the parts' own elements and
    their neighbours, not the whole tree."""
    found = []
    for part in parts:
        last = part.element
        while len(last):
            last = last[-1]
        following = _following(part.element)
        limit = line_of(following) - 1 if following is not None else sys.maxsize
        found.append((part.line, max(line_of(last), limit), part.id))
    return tuple(found)


def _following(element: etree._Element) -> etree._Element | None:
    """The first node after the element and its descendants in document order, None at the end of the file."""
    node: etree._Element | None = element
    while node is not None:
        following = node.getnext()
        if following is not None:
            return following
        node = node.getparent()
    return None


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
    head = own_title(element)
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


def read_documents(
    tree: etree._ElementTree, path: Path, parts: list[Part], names: NameLinks | None = None
) -> list[Document]:
    """The documents of a source file: the file itself, then, when it holds several (its `parts`, see
    find_parts), each part with the names and dates that stand in it (the file's own document keeps those outside
    every part)."""
    names = names if names is not None else resolve_names(tree, path)
    volume = read_document(tree, path, names)
    if not parts:
        return [volume]
    page_of = part_finder(parts, volume.id)
    readings: dict[str, list[Mention | DateMention]] = {}
    for el, reading in read_readings(tree, names):
        readings.setdefault(page_of(el), []).append(reading)
    documents = [_with_readings(volume, readings.get(volume.id, []))]
    for part in parts:
        documents.append(_with_readings(_part_document(part, path, volume), readings.get(part.id, [])))
    return with_part_facsimiles(documents, tree, parts)


def part_finder(parts: list[Part], volume_id: str) -> Callable[[etree._Element], str]:
    """A function giving the id of the document an element of the file stands in (its part's, else the volume's)."""
    owner = {part.element: part.id for part in parts}

    def page_of(el: etree._Element) -> str:
        for ancestor in el.iterancestors():
            if ancestor in owner:
                return owner[ancestor]
        return volume_id

    return page_of


def _with_readings(doc: Document, readings: list[Mention | DateMention]) -> Document:
    return replace(
        doc,
        mentions=tuple(r for r in readings if isinstance(r, Mention)),
        dates=tuple(r for r in readings if isinstance(r, DateMention)),
    )


def _part_document(part: Part, path: Path, volume: Document) -> Document:
    """A part as a document: a teiCorpus's TEI by its own header, a volume's division by the volume's header with
    the part's own title and date (its source, publisher and licence are the volume's)."""
    from tei_edition.tei.header import read_header, reads_as_words, short_title_of

    el = part.element
    lang = next((a.get(XML_LANG) for a in (el, *el.iterancestors()) if a.get(XML_LANG)), "") or ""
    graphics = tuple((g.get("url") or "", line_of(g)) for g in el.iter(f"{T}graphic"))
    if el.tag == f"{T}TEI":
        own = etree.ElementTree(el)
        header = read_header(own)
        return Document(
            id=part.id,
            path=path,
            title=part.title,
            date=part.date or header.date,
            header=replace(header, title=part.title),
            lang=lang,
            graphics=graphics,
            short_title=short_title_of(own),
            part_of=volume.id,
        )
    kind = next((v.replace("-", " ") for v in (el.get("subtype"), el.get("type")) if v and reads_as_words(v)), "")
    header = replace(
        volume.header,
        title=part.title,
        date=part.date,
        date_display=part.date.display() if part.date is not None else "",
        date_cert=None,
        doc_type=kind or volume.header.doc_type,
        summary="",
        original=(),
    )
    return Document(
        id=part.id,
        path=path,
        title=part.title,
        date=part.date,
        header=header,
        lang=lang,
        graphics=graphics,
        short_title="",
        part_of=volume.id,
    )
