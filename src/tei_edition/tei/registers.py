"""Registers: the persons, places and organisations of an edition, read from its register files
(listPerson/listPlace/listOrg), with their names, dates, places on the map and authority identifiers."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from tei_edition.tei.dates import DateSpan, date_span
from tei_edition.tei.parse import line_of
from tei_edition.tei.text import XML_ID, XML_LANG, T, name_parts, normalise_space, text_of

# register kind -> (entry element, list element, name element, output section, label)
KINDS: dict[str, tuple[str, str, str, str, str]] = {
    "person": ("person", "listPerson", "persName", "persons", "Persons"),
    "place": ("place", "listPlace", "placeName", "places", "Places"),
    "org": ("org", "listOrg", "orgName", "orgs", "Organisations"),
}
NAME_KIND = {"persName": "person", "placeName": "place", "orgName": "org"}


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
    # The id of the document whose own list holds the entry (a listPerson in its standOff or back matter, a
    # volume's list of persons), '' for an entry of the edition's registers; with `xml_id`, its id in that file.
    in_file: str = ""
    xml_id: str = ""

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
    # The preferred name's <surname> and <forename> when the register marks them up (persons), for citations.
    family: str = ""
    given: str = ""

    @property
    def index_name(self) -> str:
        """The name as an index lists it: 'Stalin, Joseph' for a person, else the name."""
        return self.sort_name or self.name

    @property
    def sort_key(self) -> str:
        """Index order: persons by surname (as the register gives it), everything else by its name."""
        return self.index_name.casefold()

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


@dataclass
class Register:
    """All entities of one kind, as read from one register file."""

    kind: str
    path: Path
    entities: dict[str, Entity] = field(default_factory=dict)


def read_register(tree: etree._ElementTree, path: Path) -> Register | None:
    """Read the entities of a register file (listPerson/listPlace/listOrg); None when the file holds no such list."""
    root = tree.getroot()
    for kind, (entry, list_el, _name_el, _section, _label) in KINDS.items():
        entries = root.findall(f".//{T}{list_el}/{T}{entry}")
        if not entries and root.find(f".//{T}{list_el}") is None:
            continue
        register = Register(kind=kind, path=path)
        for el in entries:
            entity = read_entity(el, kind, path)
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


def read_entity(el: etree._Element, kind: str, path: Path) -> Entity | None:
    """The entry a person, place or org element describes; None when it has no xml:id."""
    entity_id = el.get(XML_ID)
    if not entity_id:
        return None
    name_el = KINDS[kind][2]
    names = tuple(
        Name(whole_name(n), n.get(XML_LANG), n.get("type"))
        for n in el.findall(f"{T}{name_el}") + el.findall(f"{T}name")
        if whole_name(n)
    )
    if kind == "place":
        names += tuple(
            Name(text_of(n), n.get(XML_LANG), n.get("type"))
            for n in el.findall(f"{T}settlement") + el.findall(f"{T}country") + el.findall(f"{T}geogName")
            if text_of(n)
        )
    if not names and text_of(el.find(f"{T}head")):  # an entry named by its heading only
        names = (Name(text_of(el.find(f"{T}head"))),)
    note = el.find(f"{T}note")
    note = note if note is not None else el.find(f"{T}desc")
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
    family, given = name_parts(_main_name(el)) if kind == "person" else ("", "")
    return Entity(
        id=entity_id,
        kind=kind,
        names=names,
        path=path,
        line=line_of(el),
        sort_name=_person_sort_name(el, names) if kind == "person" else "",
        family=family,
        given=given,
        description=text_of(note),
        birth=date_span(birth.attrib) if birth is not None else None,
        death=date_span(death.attrib) if death is not None else None,
        birth_text=text_of(birth),
        death_text=text_of(death),
        geo=geo,
        idnos=idnos,
    )


def whole_name(name: etree._Element) -> str:
    """The words of an entry's name; of one given whole and in its parts (EpiDoc: <name type="full"> beside the
    <name type="nomen"> and <name type="cognomen"> it is made of), the whole one only, not the parts again."""
    whole = name.find(f"{T}name[@type='full']")
    return text_of(whole) if whole is not None and text_of(whole) else text_of(name)


EAST_ASIAN = ("zh", "ko", "ja", "vi")


def _main_name(el: etree._Element) -> etree._Element | None:
    """A person entry's preferred persName: typed main (or full, preferred), else the first without a language."""
    candidates = el.findall(f"{T}persName")
    main = next((n for n in candidates if n.get("type") in ("main", "full", "preferred")), None)
    return main if main is not None else next((n for n in candidates if not n.get(XML_LANG)), None)


def _person_sort_name(el: etree._Element, names: tuple[Name, ...]) -> str:
    """'Surname, Forename' for the index, from <surname>/<forename> when the register marks them up (a name whose
    surname comes first, as in Chinese and Korean names, is already in index order); unmarked names put the last
    word first unless the entry has an East Asian original form and no other."""
    main = _main_name(el)
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
    words = whole_name(main).split()
    if "," in whole_name(main):
        return ""  # written in index order already ('Stalin, Joseph')
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
