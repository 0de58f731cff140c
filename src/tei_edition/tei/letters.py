"""Letters described only by their metadata: the correspDesc entries of a CMIF file (Correspondence Metadata
Interchange Format), which lists a whole correspondence in one header and holds no text.

Each correspDesc becomes a Letter: who sent it and where from, to whom and where, when, and where the letter is
published (the bibl its @source points to, or its own @ref). Correspondents and places keep their authority URIs
(GND, VIAF, GeoNames...), which is how CMIF links them across editions.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from tei_edition.tei.dates import DateSpan, date_span
from tei_edition.tei.parse import line_of
from tei_edition.tei.text import XML_ID, T, text_of

# correspDesc entries a header must hold before the file is read as a list of letters rather than one letter
MIN_LETTERS = 2
_PARTY_ELEMENTS = (f"{T}persName", f"{T}orgName", f"{T}name", f"{T}rs")


@dataclass(frozen=True)
class Correspondent:
    """A sender or addressee, or a place, as named in the metadata, with its authority URI (if any)."""

    name: str
    ref: str = ""
    kind: str = "person"  # person | org | place

    @property
    def key(self) -> str:
        """What identifies the correspondent across letters: the authority URI, else the name."""
        return self.ref or self.name


@dataclass(frozen=True)
class Letter:
    """One letter of a correspondence, from its correspDesc."""

    path: Path
    line: int
    number: int  # its place in the file (1-based)
    key: str  # correspDesc/@key, else @xml:id, else '' (its number in the file is no number of the letter's)
    senders: tuple[Correspondent, ...] = ()
    addressees: tuple[Correspondent, ...] = ()
    sent_from: Correspondent | None = None
    received_at: Correspondent | None = None
    date: DateSpan | None = None
    date_text: str = ""  # as the date element says it, when it has no normalised value
    url: str = ""  # where the letter is published: correspDesc/@ref, or the source's URL
    source: str = ""  # the bibliographic record of the edition that publishes it
    note: str = ""
    conjectured: bool = False  # the date is the editors' conjecture (@evidence="conjecture", @cert="low")

    @property
    def date_display(self) -> str:
        """The date as the index shows it; a conjectured one in square brackets, as editors write it."""
        shown = self.date.display() if self.date is not None else self.date_text
        return f"[{shown}]" if shown and self.conjectured else shown


def is_letter_list(tree: etree._ElementTree) -> bool:
    """Whether a file describes letters in its header only (CMIF) instead of holding a document's text."""
    root = tree.getroot()
    descs = root.findall(f"{T}teiHeader/{T}profileDesc/{T}correspDesc")
    # One letter's description makes a list when it names the source it comes from, as CMIF asks (@source):
    # a letter transcribed in its own file describes itself without one.
    if not descs or (len(descs) < MIN_LETTERS and not descs[0].get("source")):
        return False
    text = root.find(f"{T}text")
    return text is None or not text_of(text)


def read_letters(tree: etree._ElementTree, path: Path) -> list[Letter]:
    """Every letter that the file's header describes, in the file's order."""
    root = tree.getroot()
    sources = {bibl.get(XML_ID, ""): bibl for bibl in root.iterfind(f"{T}teiHeader/{T}fileDesc/{T}sourceDesc/{T}bibl")}
    letters = []
    for number, desc in enumerate(root.iterfind(f"{T}teiHeader/{T}profileDesc/{T}correspDesc"), start=1):
        senders: list[Correspondent] = []
        addressees: list[Correspondent] = []
        sent_from = received_at = None
        span: DateSpan | None = None
        date_text = ""
        conjectured = False
        for action in desc.iterfind(f"{T}correspAction"):
            parties = [_party(el) for el in action if el.tag in _PARTY_ELEMENTS]
            place_el = action.find(f"{T}placeName")
            place = _party(place_el) if place_el is not None else None
            if action.get("type") == "sent":
                senders.extend(parties)
                sent_from = place
                date_el = action.find(f"{T}date")
                if date_el is not None:
                    span = date_span({str(k): str(v) for k, v in date_el.attrib.items()})
                    date_text = text_of(date_el)
                    conjectured = date_el.get("evidence") == "conjecture" or date_el.get("cert") == "low"
            elif action.get("type") == "received":
                addressees.extend(parties)
                received_at = place
        source_bibl = sources.get(desc.get("source", "").removeprefix("#"))
        letters.append(
            Letter(
                path=path,
                line=line_of(desc),
                number=number,
                key=desc.get("key") or desc.get(XML_ID) or "",
                senders=tuple(senders),
                addressees=tuple(addressees),
                sent_from=sent_from,
                received_at=received_at,
                date=span,
                date_text=date_text,
                url=_web(desc.get("ref", "")) or (_bibl_url(source_bibl) if source_bibl is not None else ""),
                source=text_of(source_bibl) if source_bibl is not None else "",
                note=text_of(desc.find(f"{T}note")),
                conjectured=conjectured,
            )
        )
    return letters


def _party(el: etree._Element) -> Correspondent:
    local = etree.QName(el).localname
    kind = {"placeName": "place", "orgName": "org"}.get(local, "person")
    return Correspondent(text_of(el), _web(el.get("ref", "")), kind)


def _web(value: str) -> str:
    """The first http(s) URI of a pointer attribute, or ''."""
    return next((token for token in value.split() if token.startswith(("http://", "https://"))), "")


def _bibl_url(bibl: etree._Element) -> str:
    for ref in bibl.iter(f"{T}ref", f"{T}ptr"):
        if _web(ref.get("target", "")):
            return _web(ref.get("target", ""))
    return ""
