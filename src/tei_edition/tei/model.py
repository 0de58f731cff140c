"""The TEI model: documents and what each document mentions (the names that point to a register entry, the dated
passages), read from a parsed tree."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from lxml import etree

from tei_edition.tei.dates import DateSpan, date_span
from tei_edition.tei.parse import line_of
from tei_edition.tei.snippets import BlockText, split_snippet, text_and_snippet
from tei_edition.tei.text import XML_ID, XML_LANG, T, normalise_space, own_title, text_of

if TYPE_CHECKING:
    from tei_edition.tei.facsimile import Facsimile
    from tei_edition.tei.header import DocumentMeta
    from tei_edition.tei.names import NameLinks

# Elements that receive a mention anchor (the XSLT numbers the same set the same way).
ANCHORED = (T + "persName", T + "placeName", T + "orgName", T + "rs", T + "date")
# The pointer attributes (teidata.pointer) whose local pointers ('#id') are checked and counted as mentions: a
# name's link, ref/ptr's target, a speaker, a hand, a responsibility, a source, a reading's witnesses, a facsimile
# zone, an equivalence; and @ana, an analysis (often a taxonomy's category).
POINTER_ATTRIBUTES = ("ref", "corresp", "target", "who", "hand", "resp", "source", "wit", "facs", "sameAs", "ana")


class Mention(NamedTuple):
    """A tagged name in a document's text that points to a register entry (a tuple: an edition of thousands of
    documents holds hundreds of thousands of them)."""

    entity_id: str
    element: str  # persName, placeName, orgName, rs
    anchor: str
    text: str
    line: int


class Passage(NamedTuple):
    """A mention in its context, as an entity's page lists it: the snippet of the paragraph around the name, cut
    where the name's text is (`match` is '' and the whole snippet in `before` when the snippet does not hold it)."""

    anchor: str
    before: str
    match: str
    after: str
    page: str = ""  # the source's page the mention is on (the @n of the page break before it), '' when not known


@dataclass(frozen=True)
class DateMention:
    """A tagged date in a document's text."""

    anchor: str
    text: str
    span: DateSpan
    cert: str | None
    snippet: str
    line: int
    # the elements the date stands in, outermost first, from below the root: 'text', 'body', 'div[report]', 'p' (an
    # element with a @type as name[type]), for the chronology to leave out dates in titles, heads or stamps
    within: tuple[str, ...] = ()


def is_event(date: DateMention, exclude: tuple[tuple[str, str | None], ...]) -> bool:
    """Whether a dated passage is an event of the chronology: False when it stands in an element that `exclude`
    names ((name, @type or None for any), as [chronology] exclude gives them), such as a title, a head or a stamp.
    Here, not in the web chronology, so that a printed chronology can leave out the same dates."""
    for segment in date.within:
        name, _, rest = segment.partition("[")
        kind = rest[:-1] if rest else None
        for excluded, excluded_kind in exclude:
            if excluded == name and (excluded_kind is None or excluded_kind == kind):
                return False
    return True


@dataclass(frozen=True)
class Document:
    """One TEI document of the edition: where it is, what its header says and what its text mentions. It holds no
    tree: a stage that needs the source parses it again with source_tree()."""

    id: str
    path: Path
    title: str
    date: DateSpan | None
    header: DocumentMeta
    lang: str  # the root's xml:lang, '' when it has none
    graphics: tuple[tuple[str, int], ...]  # (graphic/@url, line) in document order
    short_title: str  # the first titleStmt/title[@type='short'], as XPath string() gives it
    mentions: tuple[Mention, ...] = ()
    dates: tuple[DateMention, ...] = ()
    part_of: str = ""  # the id of the document whose file holds this one (a volume's part), else ''
    facsimile: Facsimile | None = None  # the page images beside the text (tei/facsimile.py)

    def entity_ids(self) -> frozenset[str]:
        """The ids of the entities the text mentions."""
        return frozenset(m.entity_id for m in self.mentions)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled (from a worker, into the build cache) with its mentions column by column, and read back with the
        strings of every document's mentions shared (see _unpickled)."""
        columns = tuple(zip(*self.mentions, strict=True))
        fields = (self.id, self.path, self.title, self.date, self.header, self.lang, self.graphics, self.short_title)
        return (_unpickled, (fields, columns, self.dates, self.part_of, self.facsimile))


def _unpickled(
    fields: tuple[str, Path, str, DateSpan | None, DocumentMeta, str, tuple[tuple[str, int], ...], str],
    columns: tuple[tuple[Any, ...], ...],
    dates: tuple[DateMention, ...],
    part_of: str = "",
    facsimile: Facsimile | None = None,
) -> Document:
    """A pickled Document, its mentions' strings interned: the same anchors ('n12'), names and ids recur in document
    after document, and the main process of a build holds the mentions of every document. The 1,000 documents of
    the bench corpus (108,552 mentions) take 31 MB read back so, 46 MB with a string of their own each, and are read
    in the same time (0.35 s against 0.37 s); the peak memory of an edit's rebuild stays where it was with the
    mentions packed into one string per document (165-175 MB against 173 MB; 188-198 MB without interning)."""
    mentions: tuple[Mention, ...] = ()
    if columns:
        entity_ids, elements, anchors, texts, lines = columns
        intern = sys.intern
        mentions = tuple(
            map(
                Mention._make,
                zip(
                    map(intern, entity_ids),
                    map(intern, elements),
                    map(intern, anchors),
                    map(intern, texts),
                    lines,
                    strict=True,
                ),
            )
        )
    return Document(*fields, mentions=mentions, dates=dates, part_of=part_of, facsimile=facsimile)


def source_tree(doc: Document) -> etree._ElementTree:
    """The document's source parsed again, for a stage that needs its tree (documents hold none)."""
    from tei_edition.tei.parse import parse_file

    return parse_file(doc.path)


def read_document(tree: etree._ElementTree, path: Path, names: NameLinks | None = None) -> Document:
    """Build the Document (title, date, header, mentions with anchors, dated passages) from a parsed TEI tree
    (`names`: where its names lead, as resolve_names gives it; resolved here without the registers if not given)."""
    from tei_edition.tei.facsimile import read_facsimile
    from tei_edition.tei.header import read_header, short_title_of

    root = tree.getroot()
    doc_id = root.get(XML_ID) or path.stem
    # A corpus of one text is that text: its own header says what it is (the corpus's, what it belongs to).
    members = root.findall(f"{T}TEI") if root.tag == f"{T}teiCorpus" else []
    described = members[0] if len(members) == 1 and members[0].find(f"{T}teiHeader") is not None else root
    title_el = own_title(described)
    title = text_of(title_el) or doc_id
    creation_date = described.find(f"{T}teiHeader/{T}profileDesc/{T}creation//{T}date")
    span = date_span(creation_date.attrib) if creation_date is not None else None
    readings = [reading for _el, reading in read_readings(tree, names if names is not None else _names(tree, path))]
    return Document(
        id=doc_id,
        path=path,
        title=title,
        date=span,
        header=read_header(tree if described is root else etree.ElementTree(described)),
        lang=root.get(XML_LANG) or "",
        graphics=tuple((g.get("url") or "", line_of(g)) for g in root.iter(f"{T}graphic")),
        short_title=short_title_of(tree),
        mentions=tuple(r for r in readings if isinstance(r, Mention)),
        dates=tuple(r for r in readings if isinstance(r, DateMention)),
        facsimile=read_facsimile(root),
    )


def read_readings(
    tree: etree._ElementTree, names: NameLinks | None = None
) -> Iterator[tuple[etree._Element, Mention | DateMention]]:
    """The names that point to a register entry and the dates with a normalised value, in the order of the text,
    each with its element (a file that holds several documents gives each its own)."""
    names = names if names is not None else _names(tree)
    blocks: dict[etree._Element, BlockText] = {}  # each block's text is read once for all the dates in it
    for el, anchor, local in _anchored(tree):
        if local == "date":
            date = date_span(el.attrib)
            if date is not None:
                inner, snippet = text_and_snippet(el, blocks=blocks)
                yield el, DateMention(anchor, inner, date, el.get("cert"), snippet, line_of(el), _within(el))
            continue
        entity_id = names.entity_of(el)
        if entity_id is not None:
            yield el, Mention(sys.intern(entity_id), local, anchor, text_of(el), line_of(el))


def read_passages(tree: etree._ElementTree, names: NameLinks | None = None) -> dict[str, tuple[Passage, ...]]:
    """The passages of a document for the register pages: entity id -> its mentions in their context, in document
    order (the anchors are read_document's)."""
    return read_passages_by_page(tree, lambda _el: "", names).get("", {})


def read_passages_by_page(
    tree: etree._ElementTree,
    page_of: Callable[[etree._Element], str],
    names: NameLinks | None = None,
) -> dict[str, dict[str, tuple[Passage, ...]]]:
    """The passages of a file for the register pages, by the page (document id) `page_of` gives each name's
    element: page -> entity id -> its mentions in their context, in document order."""
    names = names if names is not None else _names(tree)
    found: dict[str, dict[str, list[Passage]]] = {}
    blocks: dict[etree._Element, BlockText] = {}  # each block's text is read once for all the names in it
    for el, anchor, local, source_page in _anchored_on_pages(tree):
        if local == "date":
            continue
        entity_id = names.entity_of(el)
        if entity_id is not None:
            inner, snippet = text_and_snippet(el, blocks=blocks)
            page = found.setdefault(page_of(el), {})
            page.setdefault(entity_id, []).append(Passage(anchor, *split_snippet(snippet, inner), source_page))
    return {page: {e: tuple(p) for e, p in entities.items()} for page, entities in found.items()}


def _names(tree: etree._ElementTree, path: Path | None = None) -> NameLinks:
    """Where the file's names lead, resolved without the registers."""
    from tei_edition.tei.names import resolve_names

    return resolve_names(tree, path or Path(tree.docinfo.URL or "document.xml"))


def outer_texts(root: etree._Element) -> list[etree._Element]:
    """The texts of a file: its TEI's <text>, or each of a teiCorpus's documents' (not a text inside a text). The
    stylesheets number the names of all of them in one run, as _anchored does."""
    if root.tag == f"{T}TEI":
        text = root.find(f"{T}text")
        return [text] if text is not None else []
    return [t for t in root.iter(f"{T}text") if not any(a.tag == f"{T}text" for a in t.iterancestors())]


def _anchored(tree: etree._ElementTree) -> Iterator[tuple[etree._Element, str, str]]:
    """The elements of the text that receive a mention anchor, with the anchor and the element's local name."""
    index = 0
    for text in outer_texts(tree.getroot()):
        for el in text.iter(*ANCHORED):
            index += 1
            yield el, el.get(XML_ID) or f"n{index}", sys.intern(_local(el.tag))


def _within(el: etree._Element) -> tuple[str, ...]:
    """The elements around `el`, outermost first, without the root: 'name', or 'name[type]' when it has a @type."""
    found = []
    for ancestor in el.iterancestors():
        if ancestor.getparent() is None:
            break
        kind = ancestor.get("type")
        local = _local(ancestor.tag) if isinstance(ancestor.tag, str) else ""
        found.append(sys.intern(f"{local}[{kind}]" if kind else local))
    found.reverse()
    return tuple(found)


def _anchored_on_pages(tree: etree._ElementTree) -> Iterator[tuple[etree._Element, str, str, str]]:
    """What _anchored gives, with the source's page each element is on: the @n of the last page break before it
    in its text ('' before the first, or when the break has no number)."""
    index = 0
    for text in outer_texts(tree.getroot()):
        page = ""
        for el in text.iter(_PB, *ANCHORED):
            if el.tag == _PB:
                page = normalise_space(el.get("n", ""))
                continue
            index += 1
            yield el, el.get(XML_ID) or f"n{index}", sys.intern(_local(el.tag)), page


_PB = T + "pb"


def _local(tag: str) -> str:
    """The local name of an element's tag ('{ns}p' -> 'p'), as etree.QName gives it, without making a QName."""
    return tag.rpartition("}")[2]
