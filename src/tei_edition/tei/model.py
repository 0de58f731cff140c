"""The TEI model: register entities, documents and what each document mentions."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from lxml import etree

from tei_edition import TEI_NS, XML_NS
from tei_edition.tei.dates import DateSpan, date_span
from tei_edition.tei.parse import line_of

if TYPE_CHECKING:
    from tei_edition.tei.header import DocumentMeta

T = f"{{{TEI_NS}}}"
XML_ID = f"{{{XML_NS}}}id"
XML_LANG = f"{{{XML_NS}}}lang"

# register kind -> (entry element, list element, name element, output section, label)
KINDS: dict[str, tuple[str, str, str, str, str]] = {
    "person": ("person", "listPerson", "persName", "persons", "Persons"),
    "place": ("place", "listPlace", "placeName", "places", "Places"),
    "org": ("org", "listOrg", "orgName", "orgs", "Organisations"),
}
NAME_KIND = {"persName": "person", "placeName": "place", "orgName": "org"}
# Elements that receive a mention anchor (the XSLT numbers the same set the same way).
ANCHORED = (T + "persName", T + "placeName", T + "orgName", T + "rs", T + "date")
_BREAKS = (T + "lb", T + "pb", T + "cb")
POINTER_ATTRIBUTES = ("ref", "corresp", "target", "who", "hand", "resp", "source")


_WHITE_SPACE = re.compile(r"\s+")


def normalise_space(text: str) -> str:
    """Collapse runs of white space to single spaces and strip the ends."""
    return _WHITE_SPACE.sub(" ", text).strip()


def text_of(el: etree._Element | None) -> str:
    """All text inside an element, white space normalised; corrections win over source readings."""
    if el is None:
        return ""
    parts: list[str] = []
    if el.text:
        parts.append(el.text)
    for child in el:  # the element itself is read even when it is a note; notes inside it are not
        _collect_text(child, parts)
        if child.tail:
            parts.append(child.tail)
    return normalise_space("".join(parts))


def _collect_text(
    el: etree._Element, parts: list[str], mark: etree._Element | None = None, found: list[int] | None = None
) -> None:
    """Append the reading text of `el` to `parts`; when `el` is `mark`, record in `found` where it starts."""
    if el is mark and found is not None:
        found.append(sum(len(p) for p in parts))
    if (
        el.tag in (T + "sic", T + "orig", T + "abbr")
        and (parent := el.getparent()) is not None
        and parent.tag == T + "choice"
    ):
        return  # the reading text shows the corrected/regularised/expanded form
    if el.tag == T + "note" and (parent := el.getparent()) is not None and parent.tag != T + "notesStmt":
        return  # notes are not part of the running text
    if not isinstance(el.tag, str):
        return
    if el.tag in _BREAKS and el.get("break") != "no":
        parts.append(" ")  # a line, page or column break separates words
    if el.text:
        parts.append(el.text)
    for child in el:
        _collect_text(child, parts, mark, found)
        if child.tail:
            parts.append(child.tail)


def pointer_targets(value: str) -> list[str]:
    """The local ids a pointer attribute points to ('#a #b' -> ['a', 'b']); non-local pointers are left out."""
    return [token[1:] for token in value.split() if token.startswith("#") and len(token) > 1]


@dataclass(frozen=True)
class Name:
    """One name of a register entry."""

    text: str
    lang: str | None = None
    type: str | None = None


@dataclass(frozen=True)
class Entity:
    """A register entry: a person, place or organisation with its names, dates and identifiers."""

    id: str
    kind: str
    names: tuple[Name, ...]
    path: Path
    line: int
    description: str = ""
    birth: DateSpan | None = None
    death: DateSpan | None = None
    birth_text: str = ""
    death_text: str = ""
    geo: tuple[float, float] | None = None
    idnos: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        """The preferred name: the one typed 'main' (or 'full'), else the first without a language other than ours."""
        for n in self.names:
            if n.type in ("main", "full", "preferred"):
                return n.text
        for n in self.names:
            if not n.lang or n.lang.startswith("en"):
                return n.text
        return self.names[0].text if self.names else self.id

    @property
    def section(self) -> str:
        return KINDS[self.kind][3]

    sort_name: str = ""  # "Stalin, Joseph": from surname/forename in the register, else derived

    @property
    def sort_key(self) -> str:
        """Index order: persons by surname (as the register gives it), everything else by its name."""
        return (self.sort_name or self.name).casefold()

    def variants(self) -> list[Name]:
        """Every name other than the preferred one, without repeats."""
        seen = {self.name}
        out = []
        for n in self.names:
            if n.text not in seen:
                seen.add(n.text)
                out.append(n)
        return out

    def life_dates(self) -> str:
        """'1878–1953', '1878–', '' from birth and death."""
        b = str(self.birth.year) if self.birth and self.birth.year else ""
        d = str(self.death.year) if self.death and self.death.year else ""
        return f"{b}–{d}" if (b or d) else ""


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


@dataclass(frozen=True)
class DateMention:
    """A tagged date in a document's text."""

    anchor: str
    text: str
    span: DateSpan
    cert: str | None
    snippet: str
    line: int


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

    def entity_ids(self) -> frozenset[str]:
        """The ids of the entities the text mentions."""
        return frozenset(m.entity_id for m in self.mentions)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickled (from a worker, into the build cache) with its mentions column by column, and read back with the
        strings of every document's mentions shared (see _unpickled)."""
        columns = tuple(zip(*self.mentions, strict=True))
        fields = (self.id, self.path, self.title, self.date, self.header, self.lang, self.graphics, self.short_title)
        return (_unpickled, (fields, columns, self.dates, self.part_of))


def _unpickled(
    fields: tuple[str, Path, str, DateSpan | None, DocumentMeta, str, tuple[tuple[str, int], ...], str],
    columns: tuple[tuple[Any, ...], ...],
    dates: tuple[DateMention, ...],
    part_of: str = "",
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
    return Document(*fields, mentions=mentions, dates=dates, part_of=part_of)


@dataclass
class Register:
    """All entities of one kind, as read from one register file."""

    kind: str
    path: Path
    entities: dict[str, Entity] = field(default_factory=dict)


def source_tree(doc: Document) -> etree._ElementTree:
    """The document's source parsed again, for a stage that needs its tree (documents hold none)."""
    from tei_edition.tei.parse import parse_file

    return parse_file(doc.path)


def read_document(tree: etree._ElementTree, path: Path) -> Document:
    """Build the Document (title, date, header, mentions with anchors, dated passages) from a parsed TEI tree."""
    from tei_edition.tei.header import read_header, short_title_of  # header.py reads with this module's helpers

    root = tree.getroot()
    doc_id = root.get(XML_ID) or path.stem
    title_el = root.find(f"{T}teiHeader/{T}fileDesc/{T}titleStmt/{T}title")
    title = text_of(title_el) or doc_id
    creation_date = root.find(f"{T}teiHeader/{T}profileDesc/{T}creation//{T}date")
    span = date_span(creation_date.attrib) if creation_date is not None else None
    readings = [reading for _el, reading in read_readings(tree)]
    return Document(
        id=doc_id,
        path=path,
        title=title,
        date=span,
        header=read_header(tree),
        lang=root.get(XML_LANG) or "",
        graphics=tuple((g.get("url") or "", line_of(g)) for g in root.iter(f"{T}graphic")),
        short_title=short_title_of(tree),
        mentions=tuple(r for r in readings if isinstance(r, Mention)),
        dates=tuple(r for r in readings if isinstance(r, DateMention)),
    )


def read_readings(tree: etree._ElementTree) -> Iterator[tuple[etree._Element, Mention | DateMention]]:
    """The names that point to a register entry and the dates with a normalised value, in the order of the text,
    each with its element (a file that holds several documents gives each its own)."""
    blocks: dict[etree._Element, BlockText] = {}  # each block's text is read once for all the dates in it
    for el, anchor, local in _anchored(tree):
        if local == "date":
            date = date_span(el.attrib)
            if date is not None:
                inner, snippet = text_and_snippet(el, blocks=blocks)
                yield el, DateMention(anchor, inner, date, el.get("cert"), snippet, line_of(el))
            continue
        targets = pointer_targets(el.get("ref", ""))
        if targets:
            yield el, Mention(sys.intern(targets[0]), local, anchor, text_of(el), line_of(el))


def read_passages(tree: etree._ElementTree) -> dict[str, tuple[Passage, ...]]:
    """The passages of a document for the register pages: entity id -> its mentions in their context, in document
    order (the anchors are read_document's)."""
    return read_passages_by_page(tree, lambda _el: "").get("", {})


def read_passages_by_page(
    tree: etree._ElementTree, page_of: Callable[[etree._Element], str]
) -> dict[str, dict[str, tuple[Passage, ...]]]:
    """The passages of a file for the register pages, by the page (document id) `page_of` gives each name's
    element: page -> entity id -> its mentions in their context, in document order."""
    found: dict[str, dict[str, list[Passage]]] = {}
    blocks: dict[etree._Element, BlockText] = {}  # each block's text is read once for all the names in it
    for el, anchor, local in _anchored(tree):
        if local == "date":
            continue
        targets = pointer_targets(el.get("ref", ""))
        if targets:
            inner, snippet = text_and_snippet(el, blocks=blocks)
            page = found.setdefault(page_of(el), {})
            page.setdefault(targets[0], []).append(Passage(anchor, *split_snippet(snippet, inner)))
    return {page: {e: tuple(p) for e, p in entities.items()} for page, entities in found.items()}


def split_snippet(snippet: str, text: str) -> tuple[str, str, str]:
    """The snippet cut around the first occurrence of `text`, so that pages can highlight it."""
    pos = snippet.find(text) if text else -1
    if pos < 0:
        return snippet, "", ""
    return snippet[:pos], text, snippet[pos + len(text) :]


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


_BLOCKS = frozenset(
    ("p", "item", "head", "ab", "quote", "l", "cell", "note", "dateline", "salute", "signed", "figDesc")
)
_STOPS = frozenset(("body", "text", "div"))  # a name outside any block: the snippet is read from here


def _local(tag: str) -> str:
    """The local name of an element's tag ('{ns}p' -> 'p'), as etree.QName gives it, without making a QName."""
    return tag.rpartition("}")[2]


class BlockText:
    """The reading text of a block (a paragraph or the like), white space normalised, and where each element inside
    it starts in that text: read in one walk, however many names the block holds."""

    def __init__(self, block: etree._Element):
        self._pieces: list[str] = []
        self._length = 0  # of the normalised text so far
        self._space = False  # white space met since the last word (one space, if a word follows)
        self.starts: dict[etree._Element, int] = {}  # element -> offset in the normalised text
        self.ends: dict[etree._Element, int] = {}  # element -> end of its text in the normalised text
        self._walk(block)
        self.whole = "".join(self._pieces)

    def _add(self, text: str) -> None:
        """Append raw text, collapsing white space runs (across pieces too) and dropping them at the start."""
        words = text.split()  # str.split() and the \s of normalise_space know the same white space
        if text[0].isspace():
            self._space = True
        if not words:
            return
        if self._space and self._length:
            self._pieces.append(" ")
            self._length += 1
        joined = words[0] if len(words) == 1 else " ".join(words)
        self._pieces.append(joined)
        self._length += len(joined)
        self._space = text[-1].isspace()

    def _walk(self, el: etree._Element) -> None:
        """_collect_text that also records where each element starts (where its first word would go)."""
        self.starts[el] = self._length + 1 if self._space and self._length else self._length
        tag = el.tag
        if tag in _SOURCE_READINGS or tag == _NOTE:
            parent = el.getparent()
            if parent is not None and (parent.tag == _CHOICE if tag != _NOTE else parent.tag != _NOTES_STMT):
                return
        if not isinstance(tag, str):
            return
        if tag in _BREAKS and el.get("break") != "no":
            self._add(" ")
        if el.text:
            self._add(el.text)
        for child in el:
            self._walk(child)
            if child.tail:
                self._add(child.tail)
        self.ends[el] = self._length


_SOURCE_READINGS = frozenset((T + "sic", T + "orig", T + "abbr"))
_NOTE, _CHOICE, _NOTES_STMT = T + "note", T + "choice", T + "notesStmt"


def snippet_around(el: etree._Element, width: int = 80, blocks: dict[etree._Element, BlockText] | None = None) -> str:
    """The text of the element's paragraph (or nearest block) around the element, about `width` chars each side.

    `blocks` keeps the blocks already read, so that the names of one paragraph cost one walk of it."""
    return text_and_snippet(el, width, blocks)[1]


def text_and_snippet(
    el: etree._Element, width: int = 80, blocks: dict[etree._Element, BlockText] | None = None
) -> tuple[str, str]:
    """text_of(el) and snippet_around(el), the text read from the block's walk when the element is in it."""
    block = el
    parent = block.getparent()
    while parent is not None and block.tag.rpartition("}")[2] not in _BLOCKS:
        block = parent
        if block.tag.rpartition("}")[2] in _STOPS:
            break
        parent = block.getparent()
    layout = blocks.get(block) if blocks is not None else None
    if layout is None:
        layout = BlockText(block)
        if blocks is not None:
            blocks[block] = layout
    pos, end = layout.starts.get(el), layout.ends.get(el)
    if pos is None or end is None:  # inside a source reading or a note: not part of the block's text
        inner = text_of(el)
        return inner, inner
    whole = layout.whole
    # The element's words as the block reads them (its own leading space, if any, stripped): text_of(el).
    inner = whole[pos:end].strip(" ")
    start = max(0, pos - width)
    end = min(len(whole), pos + len(inner) + width)
    snippet = whole[start:end]
    if start > 0:
        snippet = "…" + snippet[snippet.find(" ") + 1 :] if " " in snippet[:20] else "…" + snippet
    if end < len(whole):
        snippet = (snippet[: snippet.rfind(" ")] if " " in snippet[-20:] else snippet) + "…"
    return inner, snippet


def read_register(tree: etree._ElementTree, path: Path) -> Register | None:
    """Read the entities of a register file (listPerson/listPlace/listOrg); None when the file holds no such list."""
    root = tree.getroot()
    for kind, (entry, list_el, name_el, _section, _label) in KINDS.items():
        entries = root.findall(f".//{T}{list_el}/{T}{entry}")
        if not entries and root.find(f".//{T}{list_el}") is None:
            continue
        register = Register(kind=kind, path=path)
        for el in entries:
            entity = _read_entity(el, kind, name_el, path)
            if entity is not None and entity.id not in register.entities:
                register.entities[entity.id] = entity
        return register
    return None


def read_registers(trees: Iterable[tuple[Path, etree._ElementTree]]) -> dict[str, Register]:
    """Read every register file; files of the same kind are merged, the first entry with an id winning."""
    registers: dict[str, Register] = {}
    for path, tree in trees:
        register = read_register(tree, path)
        if register is None:
            continue
        known = registers.setdefault(register.kind, Register(kind=register.kind, path=path))
        for entity_id, entity in register.entities.items():
            known.entities.setdefault(entity_id, entity)
    return registers


def all_entities(registers: dict[str, Register]) -> dict[str, Entity]:
    """Every entity of every register, by id."""
    return {e.id: e for r in registers.values() for e in r.entities.values()}


def _read_entity(el: etree._Element, kind: str, name_el: str, path: Path) -> Entity | None:
    entity_id = el.get(XML_ID)
    if not entity_id:
        return None
    names = tuple(
        Name(text_of(n), n.get(XML_LANG), n.get("type"))
        for n in el.findall(f"{T}{name_el}") + el.findall(f"{T}name")
        if text_of(n)
    )
    if kind == "place":
        names += tuple(
            Name(text_of(n), n.get(XML_LANG), n.get("type"))
            for n in el.findall(f"{T}settlement") + el.findall(f"{T}country") + el.findall(f"{T}geogName")
            if text_of(n)
        )
    note = el.find(f"{T}note")
    birth, death = el.find(f"{T}birth"), el.find(f"{T}death")
    geo = None
    geo_el = el.find(f"{T}location/{T}geo")
    if geo_el is not None and geo_el.text:
        try:
            lat, lon = (float(x) for x in geo_el.text.replace(",", " ").split()[:2])
            geo = (lat, lon)
        except ValueError:
            geo = None
    idnos = tuple((i.get("type", ""), normalise_space(i.text or "")) for i in el.findall(f"{T}idno") if i.text)
    return Entity(
        id=entity_id,
        kind=kind,
        names=names,
        path=path,
        line=line_of(el),
        sort_name=_person_sort_name(el, names) if kind == "person" else "",
        description=text_of(note),
        birth=date_span(birth.attrib) if birth is not None else None,
        death=date_span(death.attrib) if death is not None else None,
        birth_text=text_of(birth),
        death_text=text_of(death),
        geo=geo,
        idnos=idnos,
    )


EAST_ASIAN = ("zh", "ko", "ja", "vi")


def _person_sort_name(el: etree._Element, names: tuple[Name, ...]) -> str:
    """'Surname, Forename' for the index, from <surname>/<forename> when the register marks them up (a name whose
    surname comes first, as in Chinese and Korean names, is already in index order); unmarked names put the last
    word first unless the entry has an East Asian original form and no other."""
    candidates = el.findall(f"{T}persName")
    main = next((n for n in candidates if n.get("type") in ("main", "full", "preferred")), None)
    main = main if main is not None else next((n for n in candidates if not n.get(XML_LANG)), None)
    if main is None:
        return ""
    parts = [c for c in main if isinstance(c.tag, str) and c.tag in (T + "surname", T + "forename")]
    if parts:
        if parts[0].tag == T + "surname":
            return text_of(main)
        surnames = " ".join(text_of(p) for p in parts if p.tag == T + "surname")
        forenames = " ".join(text_of(p) for p in parts if p.tag == T + "forename")
        return f"{surnames}, {forenames}" if surnames and forenames else text_of(main)
    originals = {(n.lang or "").split("-")[0] for n in names if n.lang and not n.lang.startswith("en")}
    if originals and originals <= set(EAST_ASIAN):
        return ""
    words = text_of(main).split()
    return f"{words[-1]}, {' '.join(words[:-1])}" if len(words) > 1 else ""


def authority_url(kind: str, value: str) -> str | None:
    """The web address of an authority identifier (Wikidata, VIAF, GeoNames, GND, LoC), if it is one we know."""
    value = value.strip()
    if value.startswith(("http://", "https://")):
        return value
    patterns = {
        "wikidata": "https://www.wikidata.org/wiki/{}",
        "viaf": "https://viaf.org/viaf/{}",
        "geonames": "https://www.geonames.org/{}",
        "gnd": "https://d-nb.info/gnd/{}",
        "lccn": "https://id.loc.gov/authorities/names/{}",
    }
    pattern = patterns.get(kind.lower())
    return pattern.format(value) if pattern else None
