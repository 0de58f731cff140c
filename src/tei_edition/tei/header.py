"""What a document's teiHeader says, read into plain fields for metadata panels, citations and PDFs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from tei_edition.tei.apparatus import read_witnesses
from tei_edition.tei.dates import DateSpan, date_span
from tei_edition.tei.text import T, name_parts, normalise_space, own_title, pointer_targets, text_of


@dataclass(frozen=True)
class Party:
    """A person or body named in the header, with the register entry it points to (if any)."""

    name: str
    ref: str | None = None
    kind: str = "person"  # person | org | place
    family: str = ""  # the name's <surname>, when marked up
    given: str = ""  # its <forename>s
    described: bool = False  # named by a role or description (<rs>), not by a name: never split into parts


@dataclass(frozen=True)
class SourceCitation:
    """The bibliographic record of the source."""

    text: str = ""  # the bibl as written, normalised
    authors: tuple[str, ...] = ()
    editors: tuple[str, ...] = ()
    title: str = ""  # the part's title (analytic) or the work's title
    container: str = ""  # the book, series or site the part is in (monogr title)
    series: str = ""
    publisher: str = ""
    pub_place: str = ""
    date: str = ""
    pages: str = ""
    volume: str = ""
    url: str = ""


@dataclass(frozen=True)
class Archive:
    """Where an archival original is kept."""

    country: str = ""
    settlement: str = ""
    institution: str = ""
    repository: str = ""
    collection: str = ""
    idno: str = ""

    def display(self) -> str:
        parts = [self.repository or self.institution, self.settlement, self.collection, self.idno]
        return ", ".join(p for p in parts if p)


@dataclass(frozen=True)
class DocumentMeta:
    """The header's facts about one document."""

    title: str
    authors: tuple[Party, ...] = ()
    editors: tuple[str, ...] = ()
    doc_type: str = "document"
    date: DateSpan | None = None
    date_display: str = ""
    date_cert: str | None = None
    place: Party | None = None
    senders: tuple[Party, ...] = ()
    recipients: tuple[Party, ...] = ()
    sent_place: Party | None = None
    received_place: Party | None = None
    source: SourceCitation = field(default_factory=SourceCitation)
    archive: Archive | None = None
    summary: str = ""
    original_language: str = ""
    translator: str = ""
    funder: str = ""
    publisher: str = ""
    licence: str = ""
    licence_url: str = ""
    idno: str = ""
    languages: tuple[tuple[str, str], ...] = ()  # (ident, label)
    keywords: tuple[str, ...] = ()
    editorial: tuple[tuple[str, str], ...] = ()  # (section name, paragraph text)
    notes: tuple[str, ...] = ()  # notesStmt notes: facts the text lacks, with where they come from
    original: tuple[tuple[str, str], ...] = ()  # the original object as msDesc describes it: (label, text)
    witnesses: tuple[tuple[str, str, str], ...] = ()  # listWit's witnesses: (xml:id, siglum, description)

    @property
    def is_correspondence(self) -> bool:
        return bool(self.senders or self.recipients)


def read_header(tree: etree._ElementTree) -> DocumentMeta:
    """Read the fields of a TEI document's header; missing parts stay empty."""
    root = tree.getroot()
    header = root.find(f"{T}teiHeader")
    if header is None:
        return DocumentMeta(title=root.get("{http://www.w3.org/XML/1998/namespace}id") or "Untitled")
    file_desc = header.find(f"{T}fileDesc")
    title_stmt = file_desc.find(f"{T}titleStmt") if file_desc is not None else None
    title_el = own_title(root)
    title = text_of(title_el) if title_el is not None else "Untitled"

    creation = header.find(f"{T}profileDesc/{T}creation")
    date_el = creation.find(f".//{T}date") if creation is not None else None
    span = date_span(date_el.attrib) if date_el is not None else None
    place_el = creation.find(f".//{T}placeName") if creation is not None else None

    corresp = header.find(f"{T}profileDesc/{T}correspDesc")
    senders: list[Party] = []
    recipients: list[Party] = []
    sent_place = received_place = None
    if corresp is not None:
        for action in corresp.findall(f"{T}correspAction"):
            parties = _parties(action)
            place = action.find(f"{T}placeName")
            if action.get("type") == "sent":
                senders.extend(parties)
                sent_place = _party(place, "place") if place is not None else None
                if span is None:
                    d = action.find(f"{T}date")
                    if d is not None:
                        span, date_el = date_span(d.attrib), d
            elif action.get("type") == "received":
                recipients.extend(parties)
                received_place = _party(place, "place") if place is not None else None

    source_desc = file_desc.find(f"{T}sourceDesc") if file_desc is not None else None
    ms_desc = source_desc.find(f".//{T}msDesc") if source_desc is not None else None
    if span is None and date_el is None and source_desc is not None:
        date_el = _origin_date(source_desc)
        span = date_span(_w3c_attributes(date_el)) if date_el is not None else None
    if span is None and date_el is None:
        date_el = _opening_date(root)
        span = date_span(_w3c_attributes(date_el)) if date_el is not None else None
    return DocumentMeta(
        title=title,
        witnesses=read_witnesses(tree),
        authors=tuple(
            _party(a, "person") for a in (title_stmt.findall(f"{T}author") if title_stmt is not None else [])
        ),
        editors=tuple(_editors(title_stmt)),
        doc_type=_doc_type(root, header, corresp is not None, ms_desc is not None),
        date=span,
        date_display=(span.display() if span else text_of(date_el)),
        date_cert=date_el.get("cert") if date_el is not None else None,
        place=_party(place_el, "place") if place_el is not None else None,
        senders=tuple(senders),
        recipients=tuple(recipients),
        sent_place=sent_place,
        received_place=received_place,
        source=source_citation(source_desc),
        archive=_archive(ms_desc),
        summary=_first_text(
            header, [f"{T}fileDesc/{T}sourceDesc//{T}msContents/{T}summary", f"{T}profileDesc/{T}abstract"]
        ),
        original_language=_original_language(header),
        translator=_role_name(header, ("translat",)),
        funder=_first_text(
            header,
            [
                f"{T}fileDesc/{T}titleStmt/{T}funder",
                f"{T}fileDesc/{T}titleStmt/{T}sponsor",
                f".//{T}sourceDesc//{T}funder",
            ],
        ),
        publisher=_first_text(
            header, [f"{T}fileDesc/{T}publicationStmt/{T}publisher", f"{T}fileDesc/{T}publicationStmt/{T}authority"]
        ),
        licence=_first_text(
            header,
            [
                f"{T}fileDesc/{T}publicationStmt/{T}availability/{T}licence",
                f"{T}fileDesc/{T}publicationStmt/{T}availability/{T}p",
            ],
        ),
        licence_url=_first_attr(header, f"{T}fileDesc/{T}publicationStmt/{T}availability/{T}licence", "target"),
        idno=_first_text(header, [f"{T}fileDesc/{T}publicationStmt/{T}idno"]),
        languages=tuple(
            (lang.get("ident", ""), text_of(lang) or lang.get("ident", ""))
            for lang in header.findall(f"{T}profileDesc/{T}langUsage/{T}language")
        ),
        keywords=tuple(
            text_of(t) for t in header.findall(f"{T}profileDesc/{T}textClass/{T}keywords/{T}term") if text_of(t)
        ),
        editorial=tuple(_editorial(header)),
        notes=tuple(text_of(n) for n in header.findall(f"{T}fileDesc/{T}notesStmt/{T}note") if text_of(n)),
        original=tuple(_original(ms_desc)) if ms_desc is not None else (),
    )


# bibl/@type values that say a bibliographic record is the work's first appearance (ELTeC: "firstEdition")
FIRST_EDITION = ("firstEdition", "first-edition", "firstPublication", "first-publication", "original")


def _origin_date(source_desc: etree._Element) -> etree._Element | None:
    """The date of the original when the header gives no date of creation: the object's date of origin
    (msDesc/history/origin/origDate, as EpiDoc and manuscript descriptions give it), else the date of the work's
    first edition (ELTeC's bibl[@type='firstEdition']). A later edition's imprint date is never taken."""
    origin = source_desc.find(f".//{T}msDesc/{T}history/{T}origin")
    if origin is not None:  # its origDate, or (US Epigraphy) a plain <date> in it
        for date in (*origin.iterfind(f".//{T}origDate"), *origin.iterfind(f"{T}date")):
            return date
    for bibl in source_desc.iter(f"{T}bibl", f"{T}biblStruct"):
        if bibl.get("type") in FIRST_EDITION:
            found = bibl.find(f".//{T}date")
            if found is not None:
                return found
    return None


_OPENING_WORDS = etree.XPath(
    "(.//text()[normalize-space()][not(ancestor::t:head or ancestor::t:fw or ancestor::t:note or ancestor::t:figure"
    " or ancestor::t:label)])[1]/ancestor::t:date[1]",
    namespaces={"t": T[1:-1]},
)


def _opening_date(root: etree._Element) -> etree._Element | None:
    """When the header dates nothing, the date the text opens with: the dateline of a letter's opener (in the body,
    or in its first division), a date in the heading the text opens with, or a date that holds the text's first
    words (a diary's entry: "<date when="1879-12-25">25/12</date> Donnerstag..."). A date later in the text is
    what the text speaks of, not when it was written, and is never taken."""
    body = root.find(f"{T}text/{T}body")
    if body is None:
        return None
    for opener in (body.find(f"{T}opener"), body.find(f"{T}div/{T}opener")):
        if opener is not None:
            for dated in opener.iterfind(f".//{T}dateline//{T}date"):
                if date_span(_w3c_attributes(dated)) is not None:
                    return dated
    # an editor's heading that names the document with its date (the DTA's letters: "SB-Nr. 1: N. Binn, <date
    # when="1745-06-19">19.06.1745</date>")
    for head in (body.find(f"{T}head"), body.find(f"{T}div/{T}head")):
        if head is not None:
            for dated in head.iter(f"{T}date"):
                if date_span(_w3c_attributes(dated)) is not None:
                    return dated
    found = _OPENING_WORDS(body)
    first = found[0] if isinstance(found, list) and found and isinstance(found[0], etree._Element) else None
    return first if first is not None and date_span(_w3c_attributes(first)) is not None else None


DATING = ("when", "from", "to", "notBefore", "notAfter")


def _w3c_attributes(date: etree._Element) -> dict[str, str]:
    """A dating element's W3C attributes, the -iso forms standing in for the plain ones where those are absent."""
    values = {str(k): str(v) for k, v in date.attrib.items() if k in DATING}
    for key in DATING:
        iso = date.get(f"{key}-iso")
        if iso and key not in values:
            values[key] = iso
    if not values and re.fullmatch(r"-?\d{4}", text_of(date)):
        values["when"] = text_of(date)  # <date>1901</date>: the year as written
    return values


# Names that an element holding nothing else lists (origPlace, provenance, location).
_LISTED = frozenset(
    (
        "placeName",
        "settlement",
        "region",
        "country",
        "geogName",
        "district",
        "bloc",
        "name",
        "orgName",
        "persName",
        "repository",
        "institution",
        "idno",
        "date",
        "origDate",
        "objectType",
        "material",
    )
)


def _prose(el: etree._Element | None, skip: tuple[str, ...] = ("geo", "dimensions", "locus")) -> str:
    """An element's text read as prose, leaving out parts that are data rather than words (coordinates...)."""
    if el is None:
        return ""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        children = [c for c in node if isinstance(c.tag, str) and etree.QName(c).localname not in skip]
        # An element that holds only names (an origPlace of a placeName, a settlement and a region) reads as a list
        # of them: "Iulia Concordia, Concordia Sagittaria, Regio X". (Paragraphs are sentences of their own.)
        listed = (
            len(children) > 1
            and all(etree.QName(c).localname in _LISTED for c in children)
            and not (node.text or "").strip()
            and not any((c.tail or "").strip() for c in node)
        )
        if node.text:
            parts.append(node.text)
        for child in node:
            if child in children:
                if listed and child is not children[0]:
                    parts.append(",")
                walk(child)
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return normalise_space(" ".join(parts)).replace(" ,", ",").replace(" .", ".")


def _dimensions(el: etree._Element | None) -> str:
    """'136 × 64 × 80.5 cm' from <dimensions> with height, width, depth (each may have its own unit)."""
    if el is None:
        return ""
    values = []
    units = []
    for name in ("height", "width", "depth", "dim"):
        for part in el.findall(f"{T}{name}"):
            value = text_of(part) or part.get("quantity", "")
            if value:
                values.append(value)
                units.append(part.get("unit") or el.get("unit") or "")
    if not values:
        return ""
    if len(set(units)) == 1:
        return " × ".join(values) + (f" {units[0]}" if units[0] else "")
    return " × ".join(f"{v} {u}".strip() for v, u in zip(values, units, strict=True))


def _ms_item(item: etree._Element) -> str:
    """One work a manuscript holds, as its description names it: 'fols. 1-20, Galen, De sanitate (Latin)'; the
    items an item holds after it. '' for anything but an <msItem>."""
    if item.tag != f"{T}msItem":
        return ""
    parts = [text_of(item.find(f"{T}{name}")) for name in ("locus", "author", "title")]
    text = ", ".join(part for part in parts if part)
    language = text_of(item.find(f"{T}textLang"))
    if text and language:
        text += f" ({language})"
    inner = "; ".join(filter(None, map(_ms_item, item)))
    return "; ".join(part for part in (text, inner) if part)


def _original(ms_desc: etree._Element) -> list[tuple[str, str]]:
    """The description of the original object in msDesc, as (label, text) rows a reader can follow."""
    rows: list[tuple[str, str]] = []

    def add(label: str, text: str) -> None:
        if text and (label, text) not in rows:
            rows.append((label, text))

    support = ms_desc.find(f"{T}physDesc/{T}objectDesc/{T}supportDesc")
    contents = ms_desc.find(f"{T}msContents")
    if contents is not None:
        # (its summary is the document's summary, shown as such)
        add("Contents", "; ".join(filter(None, map(_ms_item, contents))))
    # (an objectType inside another, iAph's "<objectType><objectType>column</objectType> plinth</objectType>", is
    # part of its words)
    objects = [
        o for o in ms_desc.iterfind(f".//{T}objectType") if next(o.iterancestors(f"{T}objectType"), None) is None
    ]
    add("Object", "; ".join(text_of(o) for o in objects if text_of(o)))
    add("Material", "; ".join(_prose(m) for m in ms_desc.iterfind(f".//{T}physDesc//{T}material") if _prose(m)))
    if support is not None:  # each piece's, when the support has several (a sarcophagus's lid and a fragment)
        add("Dimensions", "; ".join(filter(None, map(_dimensions, support.iterfind(f".//{T}dimensions")))))
    if support is not None:
        # <support> holds paragraphs, or the words themselves (<support>parchment</support>)
        add(
            "Support",
            " ".join(_prose(p) for p in support.iterfind(f"{T}support/{T}p")) or _prose(support.find(f"{T}support")),
        )
        add("Condition", _prose(support.find(f"{T}condition")))
    add("Layout", " ".join(_prose(p) for p in ms_desc.iterfind(f"{T}physDesc/{T}objectDesc/{T}layoutDesc//{T}p")))
    add("Script", " ".join(_prose(p) for p in ms_desc.iterfind(f"{T}physDesc/{T}handDesc//{T}p")))
    add("Decoration", " ".join(_prose(p) for p in ms_desc.iterfind(f"{T}physDesc/{T}decoDesc//{T}p")))
    origin = ms_desc.find(f"{T}history/{T}origin")
    if origin is not None:
        add("Place of origin", _prose(origin.find(f"{T}origPlace")) or _prose(origin.find(f"{T}placeName")))
        add("Date of origin", _prose(origin.find(f"{T}origDate")) or _prose(origin.find(f"{T}date")))
    for provenance in ms_desc.iterfind(f"{T}history/{T}provenance"):
        add("Provenance", _prose(provenance))
    add("Acquisition", _prose(ms_desc.find(f"{T}history/{T}acquisition")))
    return rows


def _party(el: etree._Element, kind: str) -> Party:
    refs = pointer_targets(el.get("ref", "")) or pointer_targets(el.get("corresp", ""))
    inner = el.find(f"{T}persName") if kind == "person" else None
    if inner is not None and not refs:
        refs = pointer_targets(inner.get("ref", ""))
    local = etree.QName(el).localname
    if local == "orgName":
        kind = "org"
    elif local == "placeName":
        kind = "place"
    named = el if local == "persName" else inner
    family, given = name_parts(named)
    children = [c for c in el if isinstance(c.tag, str)]
    described = local == "rs" or (len(children) == 1 and children[0].tag in (f"{T}rs", f"{T}orgName"))
    if len(children) == 1 and children[0].tag == f"{T}orgName":
        kind = "org"
    return Party(name_text(el), refs[0] if refs else None, kind, family, given, described)


def _parties(action: etree._Element) -> list[Party]:
    return [
        _party(el, "person")
        for el in action
        if isinstance(el.tag, str) and etree.QName(el).localname in ("persName", "orgName", "name", "rs")
    ]


_NAMES = (f"{T}persName", f"{T}orgName", f"{T}name")
_NAME_PARTS = frozenset(f"{T}{part}" for part in ("forename", "surname", "roleName", "addName", "nameLink", "genName"))
# What a responsibility's element may hold beside the name: not part of it.
_NOT_NAME = frozenset(f"{T}{part}" for part in ("email", "affiliation", "address", "idno", "note", "ptr"))


def name_text(el: etree._Element | None) -> str:
    """A name as a header gives it: its parts with a space between them where the source runs them together
    (<forename>Irene</forename><surname>Polinskaya</surname>); of an element holding several names (an <editor>
    with its name in Russian and in English), the first."""
    if el is None:
        return ""
    if el.tag == f"{T}rs":  # a description ("the Emperor's son"): its words as they are
        return text_of(el)
    if el.tag not in _NAMES:
        names = [child for child in el if child.tag in _NAMES]
        if names:
            el = names[0]
    if any(child.tag in _NOT_NAME for child in el):  # <editor>Martin Müller<email>...</email></editor>
        words = [el.text or ""]
        for child in el:
            words.append("" if child.tag in _NOT_NAME else text_of(child))
            words.append(child.tail or "")
        return normalise_space(" ".join(words))
    if not any(child.tag in _NAME_PARTS for child in el):
        return text_of(el)
    parts = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str):
            parts.append(f" {text_of(child)} " if child.tag in _NAME_PARTS else text_of(child))
        parts.append(child.tail or "")
    return normalise_space("".join(parts)).replace(" ,", ",")  # <surname>Smith</surname>, <forename>...


def _editors(title_stmt: etree._Element | None) -> list[str]:
    if title_stmt is None:
        return []
    # An <editor> who only translated is named as the translator, not as an editor too; one whose role says both
    # ("editions, translations", as EpiDoc projects write it) is both.
    names = [
        name_text(e)
        for e in title_stmt.findall(f"{T}editor")
        if "translat" not in (role := (e.get("role") or "").lower()) or "edit" in role
    ]
    for resp_stmt in title_stmt.findall(f"{T}respStmt"):
        resp = text_of(resp_stmt.find(f"{T}resp")).lower()
        if "edit" in resp or "encod" in resp:
            names.extend(
                name_text(n)
                for n in resp_stmt
                if isinstance(n.tag, str) and etree.QName(n).localname in ("persName", "orgName", "name")
            )
    return [n for n in dict.fromkeys(names) if n]


def _role_name(header: etree._Element, stems: tuple[str, ...]) -> str:
    for resp_stmt in header.iter(f"{T}respStmt"):
        resp = text_of(resp_stmt.find(f"{T}resp")).lower()
        if any(s in resp for s in stems):
            names = [
                name_text(n)
                for n in resp_stmt
                if isinstance(n.tag, str) and etree.QName(n).localname in ("persName", "orgName", "name")
            ]
            if names:
                return ", ".join(names)
    editors = [
        name_text(e) for e in header.iter(f"{T}editor") if any(s in (e.get("role") or "").lower() for s in stems)
    ]
    return ", ".join(n for n in dict.fromkeys(editors) if n)


def _doc_type(root: etree._Element, header: etree._Element, corresp: bool, archival: bool) -> str:
    text = root.find(f"{T}text")
    if text is not None and reads_as_words(text.get("type", "")):
        return text.get("type", "").replace("-", " ").replace("_", " ")  # a token such as "blog-post"
    for term in header.findall(f"{T}profileDesc/{T}textClass/{T}keywords/{T}term"):
        if term.get("type") in ("genre", "doctype", "document-type", "form"):
            return text_of(term)
    cat = header.find(f"{T}profileDesc/{T}textClass/{T}classCode")
    if cat is not None and reads_as_words(text_of(cat)):
        return text_of(cat)
    if corresp:
        return "correspondence"
    return "archival document" if archival else "document"


def reads_as_words(value: str) -> bool:
    """Whether a type token reads as words ("letter", "blog-post") rather than a project's code ("T4MS", "Q"): such
    codes mean something only with the project's documentation, so readers are not shown them."""
    return bool(re.fullmatch(r"[A-Za-z]+(?:[-_ ][A-Za-z]+)*", value)) and not value.isupper()


def source_citation(source_desc: etree._Element | None) -> SourceCitation:
    """The bibliographic record an element holds (its first biblStruct, else its first bibl, else its words): a
    header's sourceDesc, or a list's entry wrapped in one (tei/works.py)."""
    if source_desc is None:
        return SourceCitation()
    struct = source_desc.find(f".//{T}biblStruct")
    bibl = source_desc.find(f".//{T}bibl")
    if struct is not None:
        analytic = struct.find(f"{T}analytic")
        monogr = struct.find(f"{T}monogr")
        scope = struct.findall(f".//{T}biblScope")
        part_title = text_of(analytic.find(f"{T}title")) if analytic is not None else ""
        work_title = text_of(monogr.find(f"{T}title")) if monogr is not None else ""
        part = analytic if analytic is not None else monogr
        authors = [text_of(a) for a in part.findall(f"{T}author")] if part is not None else []
        if not authors and monogr is not None:
            authors = [text_of(a) for a in monogr.findall(f"{T}author")]
        return SourceCitation(
            text=_bibl_text(bibl) if bibl is not None else "",
            authors=tuple(a for a in authors if a),
            editors=tuple(text_of(e) for e in struct.iter(f"{T}editor") if text_of(e)),
            title=part_title or work_title,
            container=work_title if part_title else "",
            series=text_of(struct.find(f"{T}series/{T}title")),
            publisher=text_of(struct.find(f".//{T}imprint/{T}publisher")),
            pub_place=text_of(struct.find(f".//{T}imprint/{T}pubPlace")),
            date=text_of(struct.find(f".//{T}imprint/{T}date")),
            pages=next((text_of(s) or _range(s) for s in scope if s.get("unit") in ("page", "pp", "pages")), ""),
            volume=next((text_of(s) for s in scope if s.get("unit") in ("volume", "vol")), ""),
            url=_url(struct),
        )
    if bibl is not None:
        return SourceCitation(
            text=_bibl_text(bibl),
            authors=tuple(text_of(a) for a in bibl.findall(f"{T}author") if text_of(a)),
            editors=tuple(text_of(e) for e in bibl.findall(f"{T}editor") if text_of(e)),
            title=text_of(bibl.find(f"{T}title")),
            publisher=text_of(bibl.find(f"{T}publisher")),
            pub_place=text_of(bibl.find(f"{T}pubPlace")),
            date=text_of(bibl.find(f"{T}date")),
            pages=next(
                (
                    text_of(s) or _range(s)
                    for s in bibl.findall(f"{T}biblScope")
                    if s.get("unit") in ("page", "pp", "pages")
                ),
                "",
            ),
            url=_url(bibl),
        )
    if source_desc.find(f".//{T}msDesc") is not None:
        return SourceCitation()  # a manuscript or object: described by its archive and the original's rows instead
    return SourceCitation(text=text_of(source_desc))


def _bibl_text(bibl: etree._Element) -> str:
    # lxml-stubs type itertext() as yielding str | bytes; on a parsed tree it yields str.
    return normalise_space("".join(bibl.itertext()))  # type: ignore[arg-type]


def _range(scope: etree._Element) -> str:
    a, b = scope.get("from"), scope.get("to")
    return f"{a}–{b}" if a and b else a or b or ""


def _url(el: etree._Element) -> str:
    for ref in el.iter(f"{T}ref", f"{T}ptr"):
        target = (ref.get("target") or "").strip()
        if target.startswith(("http://", "https://")):
            return target
    for idno in el.iter(f"{T}idno"):
        value = text_of(idno)
        if (idno.get("type") or "").upper() in ("URL", "URI") or value.startswith(("http://", "https://")):
            return value
    return ""


def _archive(ms_desc: etree._Element | None) -> Archive | None:
    if ms_desc is None:
        return None
    ident = ms_desc.find(f"{T}msIdentifier")
    if ident is None:
        return None

    def get(name: str) -> str:
        return text_of(ident.find(f"{T}{name}"))

    return Archive(
        country=get("country"),
        settlement=get("settlement"),
        institution=get("institution"),
        repository=get("repository"),
        collection=get("collection"),
        idno=get("idno"),
    )


def _original_language(header: etree._Element) -> str:
    for text_lang in header.iter(f"{T}textLang"):
        if text_of(text_lang):
            return text_of(text_lang)
    for lang in header.findall(f"{T}profileDesc/{T}langUsage/{T}language"):
        if (lang.get("role") or "").lower() in ("original", "source"):
            return text_of(lang) or lang.get("ident", "")
    return ""


def _editorial(header: etree._Element) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    decl = header.find(f"{T}encodingDesc/{T}editorialDecl")
    if decl is None:
        return out
    for part in decl:
        if not isinstance(part.tag, str):
            continue
        name = etree.QName(part).localname
        if name == "p":
            out.append(("", text_of(part)))
            continue
        for p in part.findall(f"{T}p") or [part]:
            if text_of(p):
                out.append((name, text_of(p)))
    return out


def _first_text(header: etree._Element, paths: list[str]) -> str:
    for path in paths:
        el = header.find(path)
        if el is not None and text_of(el):
            return text_of(el)
    return ""


def _first_attr(header: etree._Element, path: str, attr: str) -> str:
    el = header.find(path)
    return (el.get(attr) or "") if el is not None else ""


def short_title_of(tree: etree._ElementTree) -> str:
    """The text of the first titleStmt/title[@type='short'] (XPath string()), '' when there is none."""
    return str(
        tree.xpath(
            "string((//tei:titleStmt/tei:title[@type='short'])[1])", namespaces={"tei": "http://www.tei-c.org/ns/1.0"}
        )
    )
