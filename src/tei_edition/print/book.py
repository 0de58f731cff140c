"""What both print engines share: the documents ready for print (their print bodies with edition-wide ids and
their header facts), the indexes' entries, the chronology's passages and the PDFs' document information.

Typst (print/typeset.py) and WeasyPrint (print/pdf.py) each set these in their own way; neither imports the other.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from lxml import etree
from markupsafe import Markup

from tei_edition.errors import BuildError
from tei_edition.tei.bibliography import source_reference
from tei_edition.tei.certainty import certainty_label
from tei_edition.tei.edition import ChronologyEntry, EditionData, EntityMention
from tei_edition.tei.header import DocumentMeta, SourceCitation
from tei_edition.tei.model import Document
from tei_edition.tei.registers import KINDS, Entity, Name

ID_SEPARATOR = "--"


@dataclass(frozen=True)
class PdfMetadata:
    """What goes into the PDF's document information: title, authors, subject, keywords, language, date."""

    title: str
    authors: tuple[str, ...]
    subject: str
    keywords: tuple[str, ...]
    lang: str
    date: str  # ISO 8601, UTC


@dataclass
class PrintDocument:
    """One document ready for the print templates: its header facts and its text with edition-wide ids."""

    source: Document
    number: int
    meta: DocumentMeta
    body: Markup
    flagged: bool = False

    @property
    def id(self) -> str:
        return self.source.id

    @property
    def title(self) -> str:
        return self.meta.title or self.source.title

    @property
    def short_title(self) -> str:
        """The title for references (the chronology's): the header's short title, else the title before its
        subtitle, never cut in a word."""
        return short_title(self, limit=0)

    @property
    def running_title(self) -> str:
        """The title for running heads, which have one line: the short title, cut down when it is longer."""
        return short_title(self)


@dataclass
class IndexEntry:
    """One register entry in a printed index, with one link per page on which it is mentioned; or, with `see`, a
    variant name that refers to the entry filed under its index name ('Kim Il-song, see Kim Il Sung')."""

    entity: Entity
    originals: tuple[Name, ...]
    hrefs: list[str] = field(default_factory=list)
    see: str = ""  # the variant name of a see-reference
    documents: tuple[int, ...] = ()  # the documents whose headers name the entry (an index of contributors)

    @property
    def name(self) -> str:
        """The name the entry is filed under: surname first for a person, as on the web's registers."""
        return self.see or self.entity.index_name

    @property
    def sort_key(self) -> str:
        return self.see.casefold() if self.see else self.entity.sort_key

    @property
    def letter(self) -> str:
        first = next((c for c in self.sort_key if c.isalpha()), "")
        return first.upper() if first.isascii() and first else "#"


@dataclass
class PrintIndex:
    """A printed index of one register kind (persons, places, organisations)."""

    kind: str
    label: str
    id: str
    entries: list[IndexEntry]

    def by_letter(self) -> list[tuple[str, list[IndexEntry]]]:
        """The entries grouped under their initial letter, in order."""
        groups: dict[str, list[IndexEntry]] = {}
        for entry in self.entries:
            groups.setdefault(entry.letter, []).append(entry)
        return list(groups.items())


@dataclass(frozen=True)
class ChronologyItem:
    """One dated passage in the printed chronology: the date, a few words around it, and where it is."""

    display: str
    certainty: str  # '' when the date is certain
    before: str
    match: str
    after: str
    document: PrintDocument
    short_title: str
    href: str  # '#DOCID--n3', or '' when the passage has no place in the laid-out text


@dataclass
class PrintChronology:
    """The printed chronology: dated passages grouped by the year they begin in."""

    id: str = "chronology"
    label: str = "Chronology"
    years: list[tuple[str, list[ChronologyItem]]] = field(default_factory=list)


def book_metadata(data: EditionData, documents: list[PrintDocument], title: str = "") -> PdfMetadata:
    """The document information of the edition's book (or of a volume of it, `title`)."""
    config = data.config
    keywords = _unique(k for doc in documents for k in (doc.meta.keywords or ()))
    return PdfMetadata(
        title=title or config.title,
        authors=config.editors,
        subject=config.subtitle or config.title,
        keywords=tuple(keywords),
        lang=config.language,
        date=_iso_date(data),
    )


def document_metadata(data: EditionData, doc: PrintDocument) -> PdfMetadata:
    """The document information of one document's PDF: its authors (else its senders, else the editors)."""
    config = data.config
    authors = (
        tuple(a.name for a in (doc.meta.authors or ()))
        or tuple(s.name for s in (doc.meta.senders or ()))
        or config.editors
    )
    return PdfMetadata(
        title=doc.title,
        authors=authors,
        subject=doc.meta.summary or f"{config.title}, document {doc.number}",
        keywords=tuple(doc.meta.keywords or ()),
        lang=config.language,
        date=_iso_date(data),
    )


def _iso_date(data: EditionData) -> str:
    return data.build_date.strftime("%Y-%m-%dT%H:%M:%SZ")


def long_date(data: EditionData) -> str:
    """The build date as the print editions write it: '1 May 2024'."""
    return data.build_date.strftime("%-d %B %Y")


def citation_text(source: SourceCitation) -> str:
    """A reading form of a header's SourceCitation, in the words of the shared formatter (tei/bibliography.py):
    the reference, then its web address."""
    reference = source_reference(source) if (source.text or source.title) else ""
    return f"{reference} {source.url}" if reference and source.url else reference


def prepare_document(data: EditionData, doc: Document, number: int, print_bodies: dict[str, str]) -> PrintDocument:
    """Read a document's header and make its print body's ids unique in the edition."""
    if doc.id not in print_bodies:
        raise BuildError(f"{doc.path}: no print text was made for document {doc.id!r}")
    body = prefix_ids(print_bodies[doc.id], doc.id, doc.path)
    meta = doc.header
    return PrintDocument(source=doc, number=number, meta=meta, body=Markup(body), flagged=doc.id in data.flagged)


def prefixed(doc_id: str, anchor: str) -> str:
    """An id made unique across the edition: 'DOCID--n12'."""
    return f"{doc_id}{ID_SEPARATOR}{anchor}"


def prefix_ids(fragment: str, doc_id: str, source: Path | str = "") -> str:
    """Prefix every id and internal link of a print body with the document's id; mark source page breaks in the text.

    Links to other files cannot work inside a PDF, so they become plain text; web links stay.
    """
    try:
        wrapper = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError) as exc:
        raise BuildError(
            f"{source}: the print text of document {doc_id!r} is not HTML the PDF can use: {exc}"
        ) from None
    wrapper.set("class", "print-body")
    for el in wrapper.iter():
        if not isinstance(el.tag, str):
            continue
        if el.get("id"):
            el.set("id", prefixed(doc_id, el.get("id")))
        href = el.get("href")
        if href is not None:
            if href.startswith("#") and len(href) > 1:
                el.set("href", "#" + prefixed(doc_id, href[1:]))
            elif not href.startswith(("http://", "https://", "mailto:")):
                del el.attrib["href"]
        if "pb" in (el.get("class") or "").split() and _in_line(el):
            # The number goes to the margin; a bar marks the exact place of the break in the line.
            bar = lxml.html.Element("span")
            bar.set("class", "pb-bar")
            bar.text = "|"
            el.addprevious(bar)
    for note in wrapper.find_class("footnote"):
        _attach_to_block_before(note)
    return lxml.html.tostring(wrapper, encoding="unicode")


def _attach_to_block_before(note: lxml.html.HtmlElement) -> None:
    """Move a note that follows a block quotation into its end, so its number does not stand on a line alone."""
    before = note.getprevious()
    if before is None or (before.tail or "").strip() or before.get("class") is None:
        return
    if not {"block", "blockquote"} & set(before.get("class", "").split()):
        return
    before.tail, tail = None, before.tail
    before.append(note)  # lxml moves the element, with its own tail
    if tail:
        note.tail = (note.tail or "") + tail


_BLOCK_CONTAINERS = {"div", "section", "article", "blockquote", "body", "main", "ol", "ul", "figure"}


def _in_line(el: lxml.html.HtmlElement) -> bool:
    """Whether an element sits in running text (a page break between paragraphs needs no bar in the line)."""
    parent = el.getparent()
    return parent is not None and parent.tag not in _BLOCK_CONTAINERS


def texts_in_use(data: EditionData, documents: Iterable[PrintDocument]) -> list[str]:
    """Every text that may be printed, for choosing and cutting fonts."""
    texts = [data.config.title, data.config.subtitle, data.config.introduction, *data.config.editors]
    for doc in documents:
        texts.append(str(doc.body))
        texts.append(repr(doc.meta))
    for entity in data.entities.values():
        texts.append(" ".join(n.text for n in entity.names) + entity.description)
        texts.extend(f'lang="{n.lang}"' for n in entity.names if n.lang)
    return texts


def _mentions_in(data: EditionData, documents: list[PrintDocument]) -> dict[str, list[EntityMention]]:
    wanted = {doc.id for doc in documents}
    return {
        entity_id: [m for m in mentions if m.document.id in wanted]
        for entity_id, mentions in data.mentions.items()
        if any(m.document.id in wanted for m in mentions)
    }


def _originals(entity: Entity) -> tuple[Name, ...]:
    """The entity's names in other languages or scripts (Сталин, 김일성, 毛泽东)."""
    return tuple(n for n in entity.variants() if n.lang and not n.lang.startswith("en"))


def index_skeleton(data: EditionData, documents: list[PrintDocument]) -> list[PrintIndex]:
    """The indexes that will be printed, without entries: all the first layout needs, as the indexes come last."""
    mentions = _mentions_in(data, documents)
    kinds = {data.entities[e].kind for e in mentions if e in data.entities}
    return [
        PrintIndex(kind, label, f"index-{section}", [])
        for kind, (_entry, _list, _name, section, label) in KINDS.items()
        if kind in kinds
    ]


def build_indexes(
    data: EditionData,
    documents: list[PrintDocument],
    pages: dict[str, int] | None = None,
    placed: Container[str] | None = None,
) -> list[PrintIndex]:
    """The indexes of the register entries named in the documents, in sort order, with a see-reference for each
    variant name. With `pages` (anchor -> page of a first layout), each entry has one link per page it is named on,
    to the first mention there, and an entry on no page is left out; without, the entries have no links (an engine
    that finds the pages itself). With `placed` (the anchors that stand in the laid-out texts), an entry named only
    in the documents' headers (a translator, an archivist) goes to an index of contributors of its own, with the
    numbers of those documents."""
    indexes = index_skeleton(data, documents)
    by_kind = {index.kind: index for index in indexes}
    contributors = PrintIndex("contributor", "Contributors", "index-contributors", [])
    for entity_id, mentions in _mentions_in(data, documents).items():
        entity = data.entities.get(entity_id)
        if entity is None:
            continue
        if placed is not None and not any(prefixed(m.document.id, m.mention.anchor) in placed for m in mentions):
            numbers = sorted({_number(documents, m.document.id) for m in mentions})
            contributors.entries.append(IndexEntry(entity, (), [], documents=tuple(numbers)))
            continue
        hrefs: list[str] = []
        if pages is not None:
            first_on_page: dict[int, str] = {}
            for mention in mentions:
                anchor = prefixed(mention.document.id, mention.mention.anchor)
                page = pages.get(anchor)
                if page is not None and page not in first_on_page:
                    first_on_page[page] = anchor
            if not first_on_page:
                continue
            hrefs = ["#" + first_on_page[p] for p in sorted(first_on_page)]
        entries = by_kind[entity.kind].entries
        entries.append(IndexEntry(entity, _originals(entity), hrefs))
        entries += [IndexEntry(entity, (), see=variant) for variant in see_references(entity)]
    if contributors.entries:
        indexes.append(contributors)
    for index in indexes:
        index.entries.sort(key=lambda e: (e.sort_key, e.entity.id, e.see))
    return [index for index in indexes if index.entries]


def _number(documents: list[PrintDocument], doc_id: str) -> int:
    return next((doc.number for doc in documents if doc.id == doc_id), 0)


def see_references(entity: Entity) -> list[str]:
    """The entry's variant names in the index's language that a reader may look up ('Kim Il-song'): not its
    originals in other languages, not a part of its own name ('Stalin' for 'Joseph Stalin'), nor a phrase ('the
    Communists')."""
    own = set(entity.name.casefold().replace(",", " ").split()) | set(
        entity.index_name.casefold().replace(",", " ").split()
    )
    out: list[str] = []
    for name in entity.variants():
        if name.lang and not name.lang.startswith("en"):
            continue
        words = set(name.text.casefold().replace(",", " ").split())
        if not words or words <= own or name.text == entity.index_name or name.text in out or name.text[:1].islower():
            continue
        out.append(name.text)
    return out


def _dated_entries(data: EditionData, documents: list[PrintDocument]) -> list[tuple[ChronologyEntry, PrintDocument]]:
    by_id = {doc.id: doc for doc in documents}
    return [
        (entry, by_id[entry.document.id])
        for entry in data.chronology
        if entry.document.id in by_id and entry.date.span.year is not None
    ]


def chronology_skeleton(data: EditionData, documents: list[PrintDocument]) -> PrintChronology | None:
    """The chronology's heading alone (None when nothing is dated): all the first layout needs, as it comes last."""
    return PrintChronology() if _dated_entries(data, documents) else None


def build_chronology(data: EditionData, documents: list[PrintDocument], placed: Container[str]) -> PrintChronology:
    """Every dated passage of the documents in date order, grouped by year, linked to its anchor in the text when
    the anchor is among those `placed` in the laid-out text."""
    chronology = PrintChronology()
    years: dict[str, list[ChronologyItem]] = {}
    for entry, doc in _dated_entries(data, documents):
        date = entry.date
        anchor = prefixed(doc.id, date.anchor)
        before, match, after = short_snippet(date.snippet, date.text)
        years.setdefault(str(date.span.year), []).append(
            ChronologyItem(
                display=date.span.display(),
                certainty=certainty_label(date.cert),
                before=before,
                match=match,
                after=after,
                document=doc,
                short_title=doc.short_title,
                href=f"#{anchor}" if anchor in placed else "",
            )
        )
    chronology.years = list(years.items())
    return chronology


def short_snippet(snippet: str, text: str, reach: int = 70) -> tuple[str, str, str]:
    """The words around a date's text, at most `reach` characters on either side, cut at word boundaries."""
    pos = snippet.find(text) if text else -1
    if pos < 0:
        return _clip_end(snippet, 2 * reach), "", ""
    before, after = snippet[:pos], snippet[pos + len(text) :]
    if len(before) > reach:
        cut = before[-reach:]
        before = "…" + cut[cut.find(" ") + 1 :] if " " in cut else "…" + cut
    return before, text, _clip_end(after, reach)


def _clip_end(text: str, reach: int) -> str:
    if len(text) <= reach:
        return text
    cut = text[:reach]
    return (cut[: cut.rfind(" ")] if " " in cut else cut).rstrip(" ,;:") + "…"


def short_title(doc: PrintDocument, limit: int = 56) -> str:
    """A document's title short enough for a reference: the header's short title, else the title before its
    subtitle; cut down after a word to `limit` characters with an ellipsis (0: never cut)."""
    short = doc.source.short_title
    if short.strip():
        return " ".join(short.split())
    title = doc.title
    head, colon, _rest = title.partition(": ")
    if colon and len(head) >= 12:
        title = head
    if not limit or len(title) <= limit:
        return title
    cut = title[:limit]
    return cut[: cut.rfind(" ")].rstrip(" ,;:–-") + "…"


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item and item not in seen:
            seen[item] = None
    return list(seen)


# The editorial signs the printed introduction explains, in both engines: (sign, meaning; "{italic}" stands for the
# word set in italic).
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


def signs_html() -> list[tuple[Markup, Markup]]:
    """SIGNS as HTML for the WeasyPrint templates: the page break's number in the margin, the aside in italic."""
    out = []
    for sign, meaning in SIGNS:
        if sign.startswith("| "):
            shown = Markup('<span class="pb-bar">|</span>&#8201;<span class="sign-margin">{}</span>').format(sign[2:])
        elif sign.startswith("("):
            shown = Markup("<i>{}</i>").format(sign)
        else:
            shown = Markup("{}").format(sign)
        out.append((shown, Markup("{}").format(meaning).replace("{italic}", Markup("<i>italic</i>"))))
    return out
