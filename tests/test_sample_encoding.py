"""Self-check and conformance tests for the sample edition's TEI sources in tei/.

The self-check keeps the tagging complete as the documents change: in the text of each document, every
capitalised word and every date-like string must be inside a tagged name or date, be sentence-initial (and not
part of a registered name), or be on the reviewed list in tests/data/encoding_exceptions.txt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from lxml import etree

from tei_edition.validate.grammar import _walk_content

ROOT = Path(__file__).parents[1]
TEI_DIR = ROOT / "tei"
DOCUMENTS = sorted((TEI_DIR / "documents").glob("*.xml"))
REGISTERS = sorted((TEI_DIR / "registers").glob("*.xml"))
ALL_FILES = DOCUMENTS + REGISTERS
TEI_ALL = ROOT / "src" / "tei_edition" / "schema" / "tei_all.rng"
EXCEPTIONS_FILE = ROOT / "tests" / "data" / "encoding_exceptions.txt"

NS = "http://www.tei-c.org/ns/1.0"
T = f"{{{NS}}}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"

EXPECTED_DOCUMENTS = {
    "2018-04-weathersby-division-of-korea",
    "1998-westad-brothers-in-arms-101-103",
    "1967-06-02-soviet-korean-relations",
    "1945-07-harriman-truman",
}
REGISTER_LISTS = {"persons": "listPerson", "places": "listPlace", "orgs": "listOrg"}
POINTER_ATTRIBUTES = ("ref", "resp", "corresp", "target", "who", "hand", "source", "scheme")

# Elements whose content counts as tagged: names, dates, titles, identifiers and role names.
TAGGED = {"persName", "placeName", "orgName", "rs", "date", "name", "term", "roleName", "title", "idno"}
# Editorial matter, not the source's words: editorial notes, figure descriptions, corrections, regularisations.
EDITORIAL = {"figDesc", "corr", "reg", "expan"}
# Elements that end a line of text, so that the next word starts afresh (the lines of a stamp).
LINE_BREAKS = {"lb"}
BLOCKS = {"p", "head", "item", "ab", "byline", "note", "label"}

PLACEHOLDER = "\u27e8\u27e9"  # stands for tagged content: neither a word nor sentence punctuation
SENTENCE_END = tuple('.!?:;"“‘([—')
WORD = re.compile(r"[^\W\d_]+")  # parts of a hyphenated compound ("Soviet-Korean") count as words
MONTH = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b")
YEAR = re.compile(r"(?<![\d,.])(?:1\d{3}|20\d{2})(?![\d,])")
NUMERIC_DATE = re.compile(r"\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b")
W3C_DATE = re.compile(r"^-?\d{4}(?:-\d{2}(?:-\d{2}(?:T\d{2}:\d{2}:\d{2})?)?)?$")
STOP_WORDS = {"The", "Of", "For", "And", "In", "On", "De"}


@dataclass(frozen=True)
class Finding:
    """An untagged capitalised word or date-like string, with where it occurs."""

    document: str
    line: int
    text: str
    context: str

    def __str__(self) -> str:
        return f"{self.document}.xml, line {self.line}: '{self.text}' in \u2026{self.context}\u2026"


def local(el: etree._Element) -> str:
    """The element's local name ('' for comments and processing instructions)."""
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def parse(path: Path) -> etree._ElementTree:
    """Parse one TEI file without resolving entities or touching the network."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.parse(str(path), parser)


def load_exceptions() -> list[str]:
    """The reviewed exceptions: words and phrases, comments and blank lines dropped."""
    lines = (line.split("#", 1)[0].strip() for line in EXCEPTIONS_FILE.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def is_editorial_note(el: etree._Element) -> bool:
    """Editors' notes and the placeholders for the source's notes are not the source's text."""
    return local(el) == "note" and (el.get("resp") is not None or el.get("type") in {"editorial", "source"})


def lines_of(block: etree._Element) -> list[list[tuple[str, int]]]:
    """The block's text as lines of (text, source line) pieces, tagged content replaced by a placeholder."""
    lines: list[list[tuple[str, int]]] = [[]]

    def walk(el: etree._Element) -> None:
        for child in el:
            name = local(child)
            if name in TAGGED:
                lines[-1].append((PLACEHOLDER, child.sourceline or 0))
            elif name in LINE_BREAKS:
                lines.append([])
            elif name and name not in EDITORIAL and not is_editorial_note(child) and name not in BLOCKS:
                if child.text:
                    lines[-1].append((child.text, child.sourceline or 0))
                walk(child)
            elif name in BLOCKS and not is_editorial_note(child):
                lines.append([])
                if child.text:
                    lines[-1].append((child.text, child.sourceline or 0))
                walk(child)
                lines.append([])
            if child.tail:
                lines[-1].append((child.tail, child.sourceline or 0))

    if block.text:
        lines[-1].append((block.text, block.sourceline or 0))
    walk(block)
    return [line for line in lines if line]


def outermost_blocks(text: etree._Element) -> list[etree._Element]:
    """Block-level elements of the text that are not inside another block."""
    found = []
    for el in text.iter():
        if local(el) in BLOCKS and not is_editorial_note(el):
            if not any(local(a) in BLOCKS or local(a) in EDITORIAL or local(a) in TAGGED for a in el.iterancestors()):
                found.append(el)
    return found


def register_name_words() -> set[str]:
    """Capitalised words of every registered name and variant (a sentence-initial one must be tagged)."""
    words: set[str] = set()
    for path in REGISTERS:
        for name in parse(path).iter(f"{T}persName", f"{T}placeName", f"{T}orgName"):
            if name.get("type") in {"main", "variant"}:
                words.update(w for w in WORD.findall("".join(name.itertext())) if w[0].isupper())
    return words - STOP_WORDS


def mask_exceptions(text: str, exceptions: list[str], used: set[str]) -> str:
    """Replace each exception phrase by a placeholder, longest first, and note which ones occurred."""
    for phrase in sorted(exceptions, key=len, reverse=True):
        pattern = re.compile(rf"(?<!\w){re.escape(phrase)}(?!\w)")
        if pattern.search(text):
            used.add(phrase)
            text = pattern.sub(PLACEHOLDER, text)
    return text


def untagged_in(path: Path, exceptions: list[str], name_words: set[str], used: set[str]) -> list[Finding]:
    """Every capitalised word and date-like string of the document's text left untagged without reason."""
    text = parse(path).getroot().find(f"{T}text")
    assert text is not None, f"{path.name}: no <text>"
    findings: list[Finding] = []
    for block in outermost_blocks(text):
        for pieces in lines_of(block):
            joined, offsets = "", []
            for piece, line in pieces:
                offsets.append((len(joined), line))
                joined += piece
            # Square brackets inside a word are the author's ("[W]e"): read the word without them.
            joined = re.sub(r"\[(\w)\](?=\w)", r"\1", joined)
            masked = mask_exceptions(joined, exceptions, used)
            for match in WORD.finditer(masked):
                word = match.group()
                if not word[0].isupper():
                    continue
                before = masked[: match.start()].rstrip()
                initial = not before or before.endswith(SENTENCE_END)
                if initial and word not in name_words:
                    continue
                findings.append(_finding(path, masked, match, offsets))
            for pattern in (MONTH, YEAR, NUMERIC_DATE):
                findings.extend(_finding(path, masked, m, offsets) for m in pattern.finditer(masked))
    return findings


def _finding(path: Path, text: str, match: re.Match[str], offsets: list[tuple[int, int]]) -> Finding:
    line = max((ln for start, ln in offsets if start <= match.start()), default=0)
    context = text[max(0, match.start() - 30) : match.end() + 30].replace("\n", " ")
    return Finding(path.stem, line, match.group(), context)


# ---------------------------------------------------------------------------------------------------------------


def test_the_four_documents_and_three_registers_exist() -> None:
    assert {p.stem for p in DOCUMENTS} == EXPECTED_DOCUMENTS
    assert {p.stem for p in REGISTERS} == set(REGISTER_LISTS)


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_file_is_well_formed_tei(path: Path) -> None:
    root = parse(path).getroot()
    assert root.tag == f"{T}TEI"
    assert root.find(f"{T}teiHeader") is not None


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_file_identifies_itself_by_its_stem(path: Path) -> None:
    root = parse(path).getroot()
    edition_id = root.findtext(f"{T}teiHeader/{T}fileDesc/{T}publicationStmt/{T}idno[@type='edition']")
    assert edition_id == path.stem
    if re.match(r"^[A-Za-z_]", path.stem):
        assert root.get(XML_ID) == path.stem
    else:
        # An xml:id cannot begin with a digit (the year that starts each document id), so the stem is the id.
        assert root.get(XML_ID) is None


def collect_ids() -> dict[str, list[str]]:
    """Every xml:id in tei/, with the files that declare it."""
    ids: dict[str, list[str]] = {}
    for path in ALL_FILES:
        for el in parse(path).iter():
            value = el.get(XML_ID) if isinstance(el.tag, str) else None
            if value:
                ids.setdefault(value, []).append(path.name)
    return ids


def test_xml_ids_are_unique_across_the_edition() -> None:
    duplicates = {value: files for value, files in collect_ids().items() if len(files) > 1}
    assert not duplicates


def test_every_local_pointer_resolves() -> None:
    ids = collect_ids()
    dangling = []
    for path in ALL_FILES:
        for el in parse(path).iter():
            if not isinstance(el.tag, str):
                continue
            for attribute in POINTER_ATTRIBUTES:
                for value in (el.get(attribute) or "").split():
                    if value.startswith("#") and value[1:] not in ids:
                        dangling.append(f"{path.name}, line {el.sourceline}: @{attribute}='{value}'")
    assert not dangling


@pytest.mark.parametrize("kind", sorted(REGISTER_LISTS))
def test_every_register_entry_is_mentioned(kind: str) -> None:
    root = parse(TEI_DIR / "registers" / f"{kind}.xml").getroot()
    entries = [el.get(XML_ID) for el in root.find(f".//{T}{REGISTER_LISTS[kind]}")]
    assert entries, f"{kind}.xml has no entries"
    mentioned = set()
    for path in DOCUMENTS:
        for el in parse(path).iter():
            if isinstance(el.tag, str):
                mentioned.update(v[1:] for v in (el.get("ref") or "").split() if v.startswith("#"))
    unmentioned = [e for e in entries if e not in mentioned and e != "tei-edition-editors"]
    assert not unmentioned


@pytest.mark.parametrize("kind", sorted(REGISTER_LISTS))
def test_every_register_entry_has_a_main_name_and_a_description(kind: str) -> None:
    root = parse(TEI_DIR / "registers" / f"{kind}.xml").getroot()
    incomplete = []
    for entry in root.find(f".//{T}{REGISTER_LISTS[kind]}"):
        names = [el for el in entry if local(el).endswith("Name") and el.get("type") == "main"]
        if len(names) != 1 or entry.find(f"{T}note") is None:
            incomplete.append(entry.get(XML_ID))
        if kind == "places" and entry.find(f"{T}location/{T}geo") is None:
            incomplete.append(entry.get(XML_ID))
    assert not incomplete


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_names_in_the_text_are_linked(path: Path) -> None:
    text = parse(path).getroot().find(f"{T}text")
    unlinked = [
        f"line {el.sourceline}: <{local(el)}>{''.join(el.itertext())}"
        for el in text.iter(f"{T}persName", f"{T}placeName", f"{T}orgName", f"{T}rs")
        if not el.get("ref") and not (local(el) == "rs" and el.get("type") == "person")
    ]
    assert not unlinked


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_dates_carry_normalised_values(path: Path) -> None:
    problems = []
    for el in parse(path).iter(f"{T}date"):
        values = [el.get(a) for a in ("when", "from", "to", "notBefore", "notAfter") if el.get(a)]
        if not values or not all(W3C_DATE.match(v) for v in values):
            problems.append(f"line {el.sourceline}: {etree.tostring(el, encoding='unicode', with_tail=False)}")
        if el.get("cert") not in {None, "high", "medium", "low"}:
            problems.append(f"line {el.sourceline}: cert='{el.get('cert')}'")
    assert not problems


def test_self_check_finds_an_untagged_name(tmp_path: Path) -> None:
    sample = tmp_path / "sample.xml"
    sample.write_text(
        f'<TEI xmlns="{NS}"><teiHeader/><text><body><p>Then <persName ref="#stalin">Stalin</persName> '
        "wrote to Mao on August 28, 1951. Stalin agreed.</p></body></text></TEI>",
        encoding="utf-8",
    )
    found = {f.text for f in untagged_in(sample, [], {"Stalin", "Mao"}, set())}
    assert found == {"Mao", "August", "1951", "Stalin"}


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem)
def test_self_check_every_name_and_date_is_tagged(path: Path) -> None:
    findings = untagged_in(path, load_exceptions(), register_name_words(), set())
    assert not findings, "untagged:\n" + "\n".join(map(str, findings))


def test_every_exception_is_still_needed() -> None:
    exceptions, used = load_exceptions(), set()
    for path in DOCUMENTS:
        untagged_in(path, exceptions, register_name_words(), used)
    assert sorted(set(exceptions) - used) == []
    assert len(exceptions) <= 25, "the exceptions list should stay short"


@pytest.fixture(scope="module")
def tei_all() -> etree.RelaxNG:
    """TEI All as shipped with the package, in the form that accepts the same documents and compiles in 0.1 s."""
    return etree.RelaxNG(_walk_content(etree.parse(str(TEI_ALL)).getroot(), frozenset()))


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_file_is_valid_against_tei_all(tei_all: etree.RelaxNG, path: Path) -> None:
    valid = tei_all.validate(parse(path))
    errors = [f"line {e.line}: {e.message}" for e in tei_all.error_log]
    assert valid, "\n".join(errors)
