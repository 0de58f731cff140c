"""`edition import`: plain-text and Markdown transcriptions -> TEI documents with suggested names and dates."""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from tei_edition import TEI_NS, XML_NS
from tei_edition.config import EditionConfig
from tei_edition.errors import EditionError, SourceError, UsageError
from tei_edition.importer.report import FileReport, ImportReport
from tei_edition.importer.source import (
    Block,
    Hi,
    Inline,
    Link,
    NoteRef,
    PageBreak,
    Transcription,
    plain_text,
    read_transcription,
)
from tei_edition.tei.parse import parse_file
from tei_edition.tei.recognise import DateFinder, NameMatcher
from tei_edition.tei.registers import KINDS, Entity, read_register
from tei_edition.tei.text import normalise_space

T = f"{{{TEI_NS}}}"
XML_ID = f"{{{XML_NS}}}id"
XML_LANG = f"{{{XML_NS}}}lang"
_LABEL = re.compile(
    r"^(Citation|Source|Summary|Abstract|Author|Authors|By|Date|Tags|Keywords|Title):\s*(.*)$", re.IGNORECASE
)
_BYLINE = re.compile(r"^by\s+(.{3,80})$", re.IGNORECASE)
_URL = re.compile(r"^<?(https?://\S+?)>?$")
_CAPITALISED = re.compile(r"(?<![\w’'])[A-Z][\w’'-]*(?:\s+(?:of\s+|de\s+|von\s+|van\s+)?[A-Z][\w’'-]*)*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;\"“(\[]|[.!?]['’”\"])\s*$")
_STOPWORDS = frozenset(
    """
    A An The In On At Of And But For Or Nor So Yet It Its He His Him She Her They Their Them We Our Us You Your I My
    This That These Those As If When While Since However Thus Therefore Moreover Also Then There Here What Which Who
    Whom Whose Why How After Before During Although Though Because According Besides Instead Despite Of To From By
    With Without Mr Mrs Ms Dr Prof No Yes Not All Some Any Each Every Both Either Neither One Two Three
    January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday
""".split()
)


def load_entities(registers_dir: Path | None) -> list[Entity]:
    """Every entry of the register files (*.xml) in a folder; SourceError for a register that cannot be read."""
    if registers_dir is None:
        return []
    if not registers_dir.is_dir():
        raise UsageError(f"the registers folder {registers_dir} does not exist")
    entities: dict[str, Entity] = {}
    for path in sorted(registers_dir.glob("*.xml")):
        register = read_register(parse_file(path), path)
        if register is not None:
            for entity in register.entities.values():
                entities.setdefault(entity.id, entity)
    return list(entities.values())


def document_id(path: Path) -> str:
    """A stable, readable xml:id from a file name: lower case, '-' between words, never starting with a digit."""
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "document"
    return slug if slug[0].isalpha() else f"doc-{slug}"


def import_files(
    files: list[Path],
    out_dir: Path,
    registers_dir: Path | None = None,
    force: bool = False,
    config: EditionConfig | None = None,
) -> ImportReport:
    """Write one TEI document per input into `out_dir`; read everything first so a bad input writes nothing.

    Names come from the registers in `registers_dir`, else from the edition's (`config`); the edition also gives
    the publisher and licence of the new documents' headers.
    """
    if registers_dir is None and config is not None:
        registers_dir = config.registers_dir
    entities = load_entities(registers_dir)
    matcher = NameMatcher(entities)
    problems: list[str] = []
    planned: list[tuple[Transcription, Path, str]] = []
    seen: set[Path] = set()
    for path in files:
        try:
            transcription = read_transcription(path)
        except SourceError as exc:
            problems.append(str(exc))
            continue
        doc_id = document_id(path)
        output = out_dir / f"{doc_id}.xml"
        if output.resolve() in seen:
            problems.append(f"{path}: another input also becomes {output}; rename one of them")
        elif output.resolve() == path.resolve():
            problems.append(f"{path}: would be overwritten by its own TEI version; choose another --out folder")
        elif output.exists() and not force:
            problems.append(f"{output} already exists; pass --force to replace it")
        seen.add(output.resolve())
        planned.append((transcription, output, doc_id))
    if problems:
        raise EditionError("nothing was imported:\n" + "\n".join(f"  {p}" for p in problems))
    report = ImportReport(registers_dir=registers_dir, entities=len(entities))
    out_dir.mkdir(parents=True, exist_ok=True)
    for transcription, output, doc_id in planned:
        file_report = FileReport(transcription.path, output, doc_id)
        tree = TeiWriter(transcription, doc_id, matcher, file_report, config).build()
        tree.write(str(output), xml_declaration=True, encoding="UTF-8", pretty_print=True)
        report.files.append(file_report)
    return report


class TeiWriter:
    """Builds the TEI document for one transcription, tagging names and dates as it writes the text."""

    def __init__(
        self,
        source: Transcription,
        doc_id: str,
        matcher: NameMatcher,
        report: FileReport,
        config: EditionConfig | None = None,
    ):
        self.config = config
        self.source = source
        self.doc_id = doc_id
        self.resp = f"#import-{doc_id}"
        self.matcher = matcher
        self.report = report
        self.dates = DateFinder()

    # The header -------------------------------------------------------------------------------------------------

    def build(self) -> etree._ElementTree:
        """The whole document."""
        blocks = list(self.source.blocks)
        meta = self._metadata(blocks)
        # lxml-stubs type nsmap as str -> str; None is how lxml names the default namespace.
        root = etree.Element(T + "TEI", nsmap={None: TEI_NS})  # type: ignore[dict-item]
        root.set(XML_ID, self.doc_id)
        root.set(XML_LANG, "en")
        root.append(self._header(meta))
        # The year of a date that gives none is taken from the title first ("The Division of Korea, 1945-1948").
        self.dates.find(str(meta.get("title", "")))
        if meta.get("date_when"):
            self.dates.document_year = int(str(meta["date_when"])[:4])
            if self.dates.year is None:
                self.dates.year = self.dates.document_year
        text = etree.SubElement(root, T + "text")
        body = etree.SubElement(text, T + "body")
        self._body(body, blocks)
        return etree.ElementTree(root)

    def _metadata(self, blocks: list[Block]) -> dict[str, object]:
        """Title, author, date, keywords, citation and summary from front matter or the first blocks (removed)."""
        fm = self.source.metadata
        meta: dict[str, object] = {}
        if isinstance(fm.get("title"), str) and fm["title"]:
            meta["title"] = fm["title"]
        for key in ("author", "authors"):
            if fm.get(key):
                meta["author"] = fm[key] if isinstance(fm[key], str) else ", ".join(fm[key])
        if isinstance(fm.get("date"), str) and fm["date"]:
            meta["date_text"] = fm["date"]
            match = re.match(r"^(\d{4}(?:-\d{2}(?:-\d{2})?)?)", str(fm["date"]))
            if match:
                meta["published"] = match.group(1)
        keywords = fm.get("tags") or fm.get("keywords") or []
        meta["keywords"] = [keywords] if isinstance(keywords, str) else list(keywords)
        # Leading blocks: a date on its own, labelled fields, and the first short line as the title.
        index = 0
        while index < len(blocks) and index < 8:
            block = blocks[index]
            text = block.plain()
            if block.kind != "p" or not text:
                break
            label = _LABEL.match(text)
            finder = DateFinder()
            found = finder.find(text)
            if len(found) == 1 and found[0].text == text and found[0].attrs.get("when") and "date_when" not in meta:
                meta["date_text"], meta["date_when"] = text, found[0].attrs["when"]
            elif label and label.group(2) and label.group(1).lower() in ("author", "authors", "by"):
                meta.setdefault("author", label.group(2))
            elif label and label.group(2) and label.group(1).lower() in ("tags", "keywords"):
                meta["keywords"] = [k.strip().lstrip("#") for k in label.group(2).split(",") if k.strip()]
            elif label and label.group(2) and label.group(1).lower() == "title":
                meta["title"] = label.group(2)
            elif "title" not in meta and len(text) <= 200 and not text.endswith((".", ",", ";")):
                meta["title"] = text
            else:
                break
            del blocks[index]
        # Labelled paragraphs of catalogue records ("Citation:" then the citation) anywhere near the start.
        for index in range(min(len(blocks), 20) - 1, -1, -1):
            label = _LABEL.match(blocks[index].plain())
            if not label or label.group(2) or index + 1 >= len(blocks) or blocks[index + 1].kind != "p":
                continue
            name = label.group(1).lower()
            if name in ("citation", "source"):
                meta["citation"] = blocks[index + 1].plain()
                links = [c for c in blocks[index + 1].content if isinstance(c, Link)]
                if links:
                    meta["url"] = links[0].url
                del blocks[index : index + 2]
            elif name in ("summary", "abstract"):
                meta["summary"] = blocks[index + 1].plain()
                del blocks[index : index + 2]
        if "author" not in meta:
            for block in blocks[:3]:
                byline = _BYLINE.match(block.plain())
                if byline:
                    meta["author"] = byline.group(1)
                    break
        if "title" not in meta:
            meta["title"] = self.source.path.stem
            self.report.header_notes.append("no title found: write one in titleStmt/title")
        self.report.header_notes.append(
            "check the header: title, author, the source's full bibliographic record "
            "(sourceDesc), the publication statement and the document's date"
        )
        return meta

    def _header(self, meta: dict[str, object]) -> etree._Element:
        header = etree.Element(T + "teiHeader")
        file_desc = etree.SubElement(header, T + "fileDesc")
        title_stmt = etree.SubElement(file_desc, T + "titleStmt")
        etree.SubElement(title_stmt, T + "title").text = str(meta["title"])
        if meta.get("author"):
            etree.SubElement(title_stmt, T + "author").text = str(meta["author"])
        resp_stmt = etree.SubElement(title_stmt, T + "respStmt")
        resp_stmt.set(XML_ID, f"import-{self.doc_id}")
        etree.SubElement(resp_stmt, T + "resp").text = "automatic suggestions of names and dates, to be reviewed"
        etree.SubElement(resp_stmt, T + "name").text = "edition import"
        publication = etree.SubElement(file_desc, T + "publicationStmt")
        config = self.config
        publisher = (config.publisher or config.title) if config else ""
        etree.SubElement(publication, T + "publisher").text = publisher or "Not yet published"
        availability = etree.SubElement(publication, T + "availability")
        if config and config.licence:
            licence = etree.SubElement(availability, T + "licence")
            if config.licence_url:
                licence.set("target", config.licence_url)
            licence.text = config.licence
        else:
            etree.SubElement(availability, T + "p").text = "Terms of use not yet stated."
            self.report.header_notes.append("state the terms of use (publicationStmt/availability/licence)")
        source_desc = etree.SubElement(file_desc, T + "sourceDesc")
        bibl = etree.SubElement(source_desc, T + "bibl")
        bibl.text = str(meta.get("citation") or meta["title"])
        if meta.get("url") and str(meta["url"]) not in bibl.text:
            bibl.text += " "
            ref = etree.SubElement(bibl, T + "ref", target=str(meta["url"]))
            ref.text = str(meta["url"])
        if meta.get("published") and not meta.get("citation"):
            bibl.text += ", "
            published = etree.SubElement(bibl, T + "date", when=str(meta["published"]))
            published.text = str(meta["published"])
        note = etree.SubElement(bibl, T + "note")
        note.text = f"Transcription imported from {self.source.path.name}."
        profile = etree.Element(T + "profileDesc")
        if meta.get("summary"):
            abstract = etree.SubElement(profile, T + "abstract")
            etree.SubElement(abstract, T + "p").text = str(meta["summary"])
        if meta.get("date_when"):
            creation = etree.SubElement(profile, T + "creation")
            date = etree.SubElement(creation, T + "date", when=str(meta["date_when"]))
            date.text = str(meta["date_text"])
        keywords = [k for k in meta.get("keywords", []) if str(k).strip()]  # type: ignore[attr-defined]
        if keywords:
            text_class = etree.SubElement(profile, T + "textClass")
            kw = etree.SubElement(text_class, T + "keywords")
            for word in keywords:
                etree.SubElement(kw, T + "term").text = str(word)
        if len(profile):
            header.append(profile)
        return header

    # The text -------------------------------------------------------------------------------------------------------

    def _body(self, body: etree._Element, blocks: list[Block]) -> None:
        divs: list[tuple[int, etree._Element]] = [(0, etree.SubElement(body, T + "div"))]
        for block in blocks:
            if block.kind == "head":
                while len(divs) > 1 and divs[-1][0] >= block.level:
                    divs.pop()
                parent = divs[-1][1]
                if len(parent) == 0 and not parent.text and divs[-1][0] == 0:
                    div = parent  # the first heading names the first div
                    divs[-1] = (block.level, div)
                else:
                    div = etree.SubElement(parent, T + "div")
                    divs.append((block.level, div))
                self._inline(etree.SubElement(div, T + "head"), block.content)
                self.report.counts["head"] += 1
                continue
            self._block(divs[-1][1], block)
        for _level, div in divs:
            if len(div) == 0:
                etree.SubElement(div, T + "p")  # a div needs content; an empty text still validates

    def _block(self, parent: etree._Element, block: Block) -> None:
        if block.kind == "pb":
            etree.SubElement(parent, T + "pb", n=block.n)
            self.report.counts["pb"] += 1
        elif block.kind == "figure":
            figure = etree.SubElement(parent, T + "figure")
            etree.SubElement(figure, T + "graphic", url=block.url)
            if block.content:
                self._inline(etree.SubElement(figure, T + "figDesc"), block.content)
            self.report.counts["figure"] += 1
        elif block.kind == "list":
            numbered = any(block.numbers)
            lst = etree.SubElement(parent, T + "list")
            if numbered:
                lst.set("type", "ordered")
            for number, content in zip(block.numbers, block.items, strict=True):
                el = etree.SubElement(lst, T + "item")
                if number:
                    el.set("n", number)
                self._inline(el, content)
            self.report.counts["list"] += 1
        elif block.kind == "quote":
            quote = etree.SubElement(parent, T + "quote")
            for inner in block.blocks:
                self._block(quote, inner)
            if len(quote) == 0:
                etree.SubElement(quote, T + "p")
        elif _only_notes(block.content):
            # A note number on a line of its own belongs to the end of the paragraph before it.
            target = parent[-1] if len(parent) and parent[-1].tag in (T + "p", T + "quote", T + "list") else parent
            if target.tag == T + "list" and len(target):
                target = target[-1]
            for item in block.content:
                if isinstance(item, NoteRef):
                    self._note(target, item.n)
        else:
            self._inline(etree.SubElement(parent, T + "p"), block.content)
            self.report.counts["p"] += 1

    def _note(self, parent: etree._Element, n: str) -> None:
        # The source's own note: its number is kept, its text is not in the transcription.
        note = etree.SubElement(parent, T + "note", n=n, type="source")
        etree.SubElement(note, T + "gap", reason="not-transcribed")
        self.report.counts["note"] += 1

    def _inline(self, parent: etree._Element, items: list[Inline]) -> None:
        for item in items:
            if isinstance(item, str):
                self._text(parent, item)
            elif isinstance(item, Hi):
                self._inline(etree.SubElement(parent, T + "hi", rend=item.rend), item.children)
            elif isinstance(item, Link):
                if item.url.startswith("image:"):
                    figure = etree.SubElement(parent, T + "figure")
                    etree.SubElement(figure, T + "graphic", url=item.url[len("image:") :])
                    continue
                self._inline(etree.SubElement(parent, T + "ref", target=item.url), item.children)
            elif isinstance(item, PageBreak):
                etree.SubElement(parent, T + "pb", n=item.n)
                self.report.counts["pb"] += 1
            elif isinstance(item, NoteRef):
                self._note(parent, item.n)

    def _text(self, parent: etree._Element, text: str) -> None:
        """Append text to `parent`, wrapping register names and dates in tagged elements."""
        spans: list[tuple[int, int, etree._Element | None]] = []
        for hit in self.matcher.find(text):
            if hit.ambiguous:
                self.report.ambiguous[normalise_space(hit.text)] += 1
                spans.append((hit.start, hit.end, None))
                continue
            entity = hit.entities[0]
            el = etree.Element(T + KINDS[entity.kind][2], ref=f"#{entity.id}", cert="medium", resp=self.resp)
            el.text = hit.text
            spans.append((hit.start, hit.end, el))
            self.report.counts[entity.kind] += 1
        for date in self.dates.find(text):
            if not date.attrs:
                if date.kind not in ("month-alone", "relative"):
                    self.report.undated.append(f"'{date.text}'")
                continue
            el = etree.Element(T + "date", date.attrs)
            if date.inferred:
                el.set("cert", "low")
            el.set("resp", self.resp)
            el.text = date.text
            spans.append((date.start, date.end, el))
        spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
        pos = 0
        for start, end, tagged in spans:
            if start < pos:
                continue  # overlaps an earlier, longer match
            if tagged is None:
                continue
            if tagged.tag == T + "date":
                self.report.counts["date"] += 1
            _append_text(parent, text[pos:start])
            parent.append(tagged)
            pos = end
        _append_text(parent, text[pos:])
        self._unknown_names(text, spans)

    def _unknown_names(self, text: str, spans: list[tuple[int, int, etree._Element | None]]) -> None:
        covered = [(s, e) for s, e, _ in spans]
        for match in _CAPITALISED.finditer(text):
            words = match.group(0).split()
            if any(s < match.end() and match.start() < e for s, e in covered):
                continue
            if len(words) == 1 and (words[0] in _STOPWORDS or len(words[0]) < 2):
                continue
            if len(words) == 1 and _SENTENCE_START.search(text[: match.start()]):
                continue  # a capital at the start of a sentence says nothing
            while words and words[0] in _STOPWORDS:
                words.pop(0)
            name = " ".join(words).rstrip("’'")
            if name.endswith(("’s", "'s")):
                name = name[:-2]
            if len(name) >= 2 and name not in _STOPWORDS:
                self.report.unknown_names[name] += 1


def _only_notes(items: list[Inline]) -> bool:
    return any(isinstance(i, NoteRef) for i in items) and all(
        isinstance(i, NoteRef) or (isinstance(i, str) and not i.strip()) for i in items
    )


def _append_text(parent: etree._Element, text: str) -> None:
    if not text:
        return
    if len(parent):
        parent[-1].tail = (parent[-1].tail or "") + text
    else:
        parent.text = (parent.text or "") + text


__all__ = ["ImportReport", "FileReport", "import_files", "document_id", "load_entities", "plain_text"]
