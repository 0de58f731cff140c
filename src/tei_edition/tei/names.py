"""Where the names of a text lead: the register entry, the entry of a list in the same file, or an authority's web
page that a name points to, by @ref, @corresp, @sameAs or @key, with the pointers of the file's prefixDefs
expanded (TEI P5 16.2.3). Also the entries of a file's own lists (listPerson, listPlace, listOrg in its standOff,
header or back matter; a volume's list of persons as FRUS writes it: list/item/persName[@xml:id], with a description
after the name), which join the edition's registers.

Resolving needs the file alone: a `#id` is looked for in the file's own lists first, else it names an entry of the
registers; only whether an in-file entry's id is also a register entry's, or another document's own entry's (then
the entry is known as '<file id>.<xml:id>', so each has a page) depends on the other files, given as a set of ids."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from lxml import etree

from tei_edition.tei.parse import line_of
from tei_edition.tei.registers import KINDS, Entity, Name, authority_url, read_entity
from tei_edition.tei.text import XML_ID, XML_LANG, T, normalise_space, text_of
from tei_edition.tei.xinclude import XML_BASE

# The name elements the stylesheets link (namesdates.xsl numbers the same set in the same order).
NAME_TAGS = (T + "persName", T + "placeName", T + "orgName", T + "rs", T + "name", T + "geogName")
POINTING = ("ref", "corresp", "sameAs")  # the pointer attributes a name may be linked by, in this order
_ELEMENT_KIND = {T + "persName": "person", T + "placeName": "place", T + "geogName": "place", T + "orgName": "org"}
_TYPE_KIND = {"person": "person", "place": "place", "org": "org", "organisation": "org", "organization": "org"}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_WEB = re.compile(r"^https?://", re.IGNORECASE)
_ENTRY_TAGS = {T + entry: kind for kind, (entry, *_rest) in KINDS.items()}
_LIST_TAGS = {T + list_el for _entry, list_el, *_rest in KINDS.values()}
_LISTED_NAMES = {T + "persName", T + "placeName", T + "orgName"}


class PrefixDef(NamedTuple):
    """A prefixDef of the header: pointers 'ident:value' whose value matches `pattern` are read as `replacement`
    (a Python template: $1 became \\g<1>)."""

    ident: str
    pattern: re.Pattern[str]
    replacement: str
    line: int


class Link(NamedTuple):
    """Where a name leads: an entry (`kind` person, place or org, '' when neither the name nor the entry says) by
    its id, or a web address (`kind` 'url')."""

    kind: str
    target: str


def prefix_defs(root: etree._Element) -> dict[str, list[PrefixDef]]:
    """The prefixDefs of the file's headers, by their ident, in document order; one with a pattern Python cannot
    read is left out (validate.references reports it)."""
    found: dict[str, list[PrefixDef]] = {}
    headers = root.findall(f"{T}teiHeader") if root.tag == T + "TEI" else root.iter(T + "teiHeader")
    for header in headers:
        for el in header.iter(T + "prefixDef"):
            ident, pattern = (el.get("ident") or "").strip(), el.get("matchPattern")
            if not ident or pattern is None:
                continue
            try:
                compiled = re.compile(pattern)
            except re.error:
                continue
            replacement = _python_template(el.get("replacementPattern") or "")
            found.setdefault(ident, []).append(PrefixDef(ident, compiled, replacement, line_of(el)))
    return found


def _python_template(pattern: str) -> str:
    """An XPath replacement string ('$1', '\\$', '\\\\') as a template for re.Match.expand."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern) and pattern[i + 1] in "\\$":
            out.append("\\\\" if pattern[i + 1] == "\\" else "$")
            i += 2
        elif c == "$" and i + 1 < len(pattern) and pattern[i + 1].isdigit():
            out.append(f"\\g<{pattern[i + 1]}>")
            i += 2
        else:
            out.append("\\\\" if c == "\\" else c)
            i += 1
    return "".join(out)


def expand_pointer(token: str, prefixes: dict[str, list[PrefixDef]]) -> str | None:
    """A pointer with its prefix expanded ('psn:stalin' -> 'persons.xml#stalin'), the pointer itself when its
    prefix is not declared, None when it is declared but no prefixDef of it matches the value."""
    if token.startswith("#") or ":" not in token:
        return token
    ident, _sep, value = token.partition(":")
    defs = prefixes.get(ident)
    if not defs:
        return token
    for d in defs:
        found = d.pattern.fullmatch(value)
        if found is not None:
            return found.expand(d.replacement)
    return None


def local_target(pointer: str) -> str | None:
    """The id a pointer names in the edition: '#stalin' or 'persons.xml#stalin' -> 'stalin'; None for a web
    address or a pointer to a whole file."""
    if pointer.startswith("#"):
        return pointer[1:] or None
    if "#" in pointer and not _SCHEME.match(pointer):
        return pointer.partition("#")[2] or None
    return None


def name_kind(el: etree._Element) -> str:
    """person, place or org for a name element (rs and name by @type), '' when it does not say."""
    kind = _ELEMENT_KIND.get(el.tag)
    if kind is not None:
        return kind
    return _TYPE_KIND.get(normalise_space(el.get("type") or "").lower(), "")


@dataclass
class NameLinks:
    """The file's own list entries, and where each name of the file leads (see resolve_names)."""

    entries: list[Entity] = field(default_factory=list)
    links: dict[etree._Element, Link] = field(default_factory=dict)
    own: set[etree._Element] = field(default_factory=set)  # names that are an entry's own, not mentions of it
    local_ids: frozenset[str] = frozenset()  # the xml:ids of the file's list entries
    scoped: frozenset[str] = frozenset()  # those also the id of a register entry, known as '<file id>.<xml:id>'
    uris: frozenset[str] = frozenset()  # the web addresses names point to (authority_key)
    by_uri: frozenset[tuple[str, str]] = frozenset()  # (address, entry id): those that are a register entry's
    elsewhere: frozenset[str] = frozenset()  # the ids names point to that the file's own lists do not declare
    # those that several other documents' own lists declare, or that nothing declares (RegisterKeys.absent): no link
    unlinked: frozenset[str] = frozenset()
    order: list[etree._Element] = field(default_factory=list)  # the name elements in document order
    # (xml:id, the file it is written in) for the entries of a list the file takes in by XInclude: that file, not
    # this one, declares them, however many documents include it
    included: frozenset[tuple[str, str]] = frozenset()
    # (file, xml:id, the entry it led to or '') for each pointer naming another file ('a.xml#p_A1') to an id that
    # the own lists of several files declare: what the link depends on besides `shared`
    in_files: frozenset[tuple[str, str, str]] = frozenset()

    def kept(self) -> NameLinks:
        """What a file's reading keeps of its names once they are resolved (for the cache and RegisterKeys.agree):
        all but the entries (kept apart), the elements' links and their order, which belong to one parsed tree."""
        return replace(self, entries=[], links={}, own=set(), order=[])

    def decided(self) -> tuple[str, ...]:
        """What other files decided of these names, as strings for keys: the ids scoped to their file, those that
        lead nowhere ('-id'), and where pointers naming another file led ('file#id=entry')."""
        return (
            *sorted(self.scoped),
            *(f"-{i}" for i in sorted(self.unlinked)),
            *(f"{file}#{xml_id}={entry}" for file, xml_id, entry in sorted(self.in_files)),
        )

    def entity_of(self, el: etree._Element) -> str | None:
        """The entry a name of the text mentions (its id), None for a name that leads nowhere or out of the
        edition, and for an entry's own name in its list."""
        link = self.links.get(el)
        if link is None or link.kind == "url" or el in self.own:
            return None
        return link.target

    def parameter(self) -> str:
        """The links as the stylesheets read them (parameter `names`, see namesdates.xsl): a first line 'names',
        then for each name that leads somewhere its position among NAME_TAGS in the file, the kind ('-' when
        unknown) and the target."""
        lines = ["names"]
        for i, el in enumerate(self.order, 1):
            link = self.links.get(el)
            if link is not None:
                lines.append(f"{i} {link.kind or '-'} {link.target}")
        return "\n".join(lines)


def authority_key(url: str) -> str:
    """A web address as authority records are compared: without scheme, 'www.' and a final '/', in lower case
    (http://www.wikidata.org/entity/Q855 and https://www.wikidata.org/wiki/Q855 are one record)."""
    key = re.sub(r"^[a-z]+://(www\.|sws\.)?", "", url.strip().lower()).rstrip("/")
    return re.sub(r"^wikidata\.org/(entity|wiki)/", "wikidata.org/wiki/", key)


@dataclass(frozen=True)
class RegisterKeys:
    """What resolving names needs of the registers: their entries' ids (an in-file entry that shares one is known
    by its file's id too), and their authority records' addresses (a name pointing to one leads to the entry)."""

    ids: frozenset[str] = frozenset()
    authorities: Mapping[str, Link] = field(default_factory=dict)
    # Ids only the own lists of several documents declare (no register entry): each file's entry is scoped, and a
    # name of another file that points to the id leads nowhere (which of them it means cannot be told), unless the
    # pointer names the file ('a.xml#p_A1'): `in_files` maps (file, xml:id) to the id of that file's entry.
    shared: frozenset[str] = frozenset()
    in_files: Mapping[tuple[str, str], str] = field(default_factory=dict)
    # Ids that names point to and that no register and no file's own list declares, once every file is read: such
    # a name leads nowhere (validation reports the pointer), rather than to a page that is not there.
    absent: frozenset[str] = frozenset()

    @classmethod
    def of(cls, entities: Iterable[Entity]) -> RegisterKeys:
        """The keys of these register entries."""
        ids: set[str] = set()
        authorities: dict[str, Link] = {}
        for entity in entities:
            ids.add(entity.id)
            for kind, value in entity.idnos:
                url = authority_url(kind, value)
                if url:
                    authorities.setdefault(authority_key(url), Link(entity.kind, entity.id))
        return cls(frozenset(ids), authorities)

    def with_shared(
        self,
        ids: AbstractSet[str],
        in_files: Mapping[tuple[str, str], str] | None = None,
        absent: AbstractSet[str] = frozenset(),
    ) -> RegisterKeys:
        """These keys, with the ids several documents' own lists declare (shared_list_ids) and, by (file, xml:id),
        the entries they are in each of those files (scoped_entries); and the ids pointed to that nothing declares."""
        shared, absent = frozenset(ids) - self.ids, frozenset(absent) - self.ids
        if not shared and not absent:
            return self
        return RegisterKeys(self.ids | shared, self.authorities, shared, dict(in_files or {}), absent)

    def agree(
        self, names: NameLinks, shared: AbstractSet[str] | None = None, absent: AbstractSet[str] = frozenset()
    ) -> bool:
        """True when these registers resolve the names of a file as they were resolved (`names`: what the file's
        reading kept of it, see NameLinks: local_ids, scoped, uris, by_uri). `shared`: the ids the own lists of
        several documents declare (shared_list_ids), also scoped; None while they are not known, when a file that
        scoped the registers' ids and perhaps others holds until they are. Once they are known, a pointer naming the
        file of one of them must lead where `in_files` says, and a name pointing to an id nothing declares (`absent`)
        must lead nowhere."""
        found = {(u, self.authorities[u].target) for u in names.uris if u in self.authorities}
        if found != names.by_uri:
            return False
        if shared is None:
            return names.local_ids & self.ids <= names.scoped
        return (
            names.local_ids & (self.ids | shared) == names.scoped
            and names.elsewhere & ((set(shared) | set(absent)) - self.ids) == names.unlinked
            and all(self.in_files.get((file, xml_id), "") == entry for file, xml_id, entry in names.in_files)
        )


def shared_list_ids(files: Iterable[NameLinks]) -> frozenset[str]:
    """The xml:ids that the own lists of more than one file declare: TEI asks an id to be unique in its file only,
    so each file's entry is scoped to its file ('<file id>.<xml:id>'), whichever file is read first. An entry of a
    list that documents take in by XInclude is declared by the list's file, once for all of them."""
    homes: dict[str, str] = {}  # xml:id -> the first file seen declaring it
    shared: set[str] = set()
    for number, names in enumerate(files):
        included = dict(names.included)
        for xml_id in names.local_ids:
            home = included.get(xml_id) or f"\0{number}"  # a document's own list: its own, whatever its path
            if homes.setdefault(xml_id, home) != home:
                shared.add(xml_id)
    return frozenset(shared)


def file_id_of(root: etree._Element, path: Path) -> str:
    """The id a file's documents are known by (as read_document gives it): its root's xml:id, else its name."""
    return root.get(XML_ID) or path.stem


def resolve_names(tree: etree._ElementTree, path: Path, registers: RegisterKeys | None = None) -> NameLinks:
    """Read the file's own list entries and resolve every name of the file (`registers`: what is needed of the
    edition's registers; without them no in-file entry is scoped and web addresses lead out)."""
    root = tree.getroot()
    file_id = file_id_of(root, path)
    registers = registers or RegisterKeys()
    taken = registers.ids
    entries: list[Entity] = []
    local: dict[str, Link] = {}
    own: set[etree._Element] = set()
    order = list(root.iter(*NAME_TAGS))
    included: set[tuple[str, str]] = set()
    for el, kind, entity in _list_entries(root, path, order):
        xml_id = entity.id
        home = included_from(el)
        if home is None:
            entity_id = f"{file_id}.{xml_id}" if xml_id in taken else xml_id
            entries.append(replace(entity, id=entity_id, in_file=file_id, xml_id=xml_id))
        else:  # a shared list's entry: known by its own file, listed in no one document
            included.add((xml_id, home))
            entity_id = f"{_file_stem(home)}.{xml_id}" if xml_id in taken else xml_id
            entries.append(replace(entity, id=entity_id, xml_id=xml_id))
        local[xml_id] = Link(kind, entity_id)
        if el.tag in NAME_TAGS:
            own.add(el)
    prefixes = prefix_defs(root)
    links: dict[etree._Element, Link] = {}
    uris: set[str] = set()
    elsewhere: set[str] = set()
    in_files: set[tuple[str, str, str]] = set()
    for el in order:
        link = (
            _resolve(el, local, prefixes, registers, uris, elsewhere, in_files, str(path))
            if el not in own
            else local.get(el.get(XML_ID) or "")
        )
        if link is not None:
            links[el] = link
    return NameLinks(
        entries=entries,
        links=links,
        own=own,
        local_ids=frozenset(local),
        scoped=frozenset(local) & taken,
        uris=frozenset(uris),
        by_uri=frozenset((u, registers.authorities[u].target) for u in uris if u in registers.authorities),
        order=order,
        elsewhere=frozenset(elsewhere),
        unlinked=frozenset(elsewhere) & (registers.shared | registers.absent),
        included=frozenset(included),
        in_files=frozenset(in_files),
    )


def pointed_file(base: str, pointer: str) -> str:
    """The file a pointer names ('../b.xml#x' from /e/docs/a.xml -> '/e/b.xml'), as a normalised absolute path:
    the form scoped_entries gives files in."""
    file = unquote(pointer.partition("#")[0])
    return file_key(os.path.join(os.path.dirname(file_key(base)), file))


def file_key(location: str) -> str:
    """A file's path or file: URI as a normalised absolute path."""
    if location.startswith("file:"):
        location = unquote(urlsplit(location).path)
    return os.path.normpath(os.path.abspath(location))


def scoped_entries(
    files: Iterable[tuple[Path, NameLinks, Iterable[Entity]]], shared: AbstractSet[str]
) -> dict[tuple[str, str], str]:
    """(file, xml:id) -> the id of the entry of that file's own list, for the ids several files declare (`shared`):
    what a pointer naming the file leads to. `files`: each document's path, names and own entries as read."""
    found: dict[tuple[str, str], str] = {}
    for path, names, entries in files:
        included = dict(names.included)
        for entry in entries:
            xml_id = entry.xml_id
            if xml_id not in shared:
                continue
            home = included.get(xml_id)
            if home is not None:  # a list the document includes: known by the list's own file
                found[(file_key(home), xml_id)] = f"{_file_stem(home)}.{xml_id}"
            elif entry.in_file:
                found[(file_key(str(path)), xml_id)] = f"{entry.in_file}.{xml_id}"
    return found


def included_from(el: etree._Element) -> str | None:
    """The file an element was taken in from by XInclude (its base URI, which tei/xinclude.py sets with xml:base on
    what it includes), None for an element of the file itself."""
    for node in el.iterancestors():
        if node.get(XML_BASE) is not None:
            return el.base or node.get(XML_BASE)
    return el.base if el.get(XML_BASE) is not None else None


def _file_stem(uri: str) -> str:
    """The name of a file without its folder and extension, from its URI or path ('../lists/persons.xml' ->
    'persons')."""
    name = uri.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if "." in name else name


def _resolve(
    el: etree._Element,
    local: dict[str, Link],
    prefixes: dict[str, list[PrefixDef]],
    registers: RegisterKeys,
    uris: set[str],
    elsewhere: set[str],
    in_files: set[tuple[str, str, str]],
    path: str,
) -> Link | None:
    """The first pointer of the name that leads to an entry (of the file's lists first, else of the registers, also
    by the address of an entry's authority record); else the first web address it points to; else its @key as an
    entry's id. The web addresses seen are added to `uris` (authority_key), the ids of entries outside the file's
    lists to `elsewhere`; an id only other documents' own lists declare (`registers.shared`) leads nowhere, unless
    the pointer names the file whose entry it means (then added to `in_files`, see NameLinks)."""
    authorities, shared = registers.authorities, registers.shared
    web = None
    for attr in POINTING:
        value = el.get(attr)
        if not value:
            continue
        for token in value.split():
            pointer = expand_pointer(token, prefixes)
            if pointer is None:
                continue
            target = local_target(pointer)
            if target is not None:
                if pointer.startswith("#") and target in local:
                    return local[target]
                elsewhere.add(target)
                if target in registers.absent:
                    continue
                if target in shared:
                    if pointer.startswith("#"):
                        continue
                    file = pointed_file(el.base or path, pointer)
                    found = registers.in_files.get((file, target), "")
                    in_files.add((file, target, found))
                    if not found:
                        continue
                    return Link(name_kind(el), found)
                return Link(name_kind(el), target)
            if _WEB.match(pointer):
                key = authority_key(pointer)
                uris.add(key)
                if key in authorities:
                    return authorities[key]
                web = web or pointer
    if web is not None:
        return Link("url", web)
    key = normalise_space(el.get("key") or "")
    if key and " " not in key:
        if key in local:
            return local[key]
        elsewhere.add(key)
        return Link(name_kind(el), key) if key not in shared and key not in registers.absent else None
    return None


def _list_entries(
    root: etree._Element, path: Path, names: list[etree._Element]
) -> Iterator[tuple[etree._Element, str, Entity]]:
    """The entries of a document's own lists: person/place/org in listPerson/listPlace/listOrg anywhere in the file,
    and names (of `names`, the file's) with an xml:id that are items of a list (a volume's list of persons), each
    with its description."""
    for el in root.iter(*_ENTRY_TAGS):
        parent = el.getparent()
        if parent is None or parent.tag not in _LIST_TAGS:
            continue
        kind = _ENTRY_TAGS[el.tag]
        entity = read_entity(el, kind, path)
        if entity is not None:
            yield el, kind, entity
    for el in names:
        xml_id = el.get(XML_ID)
        if not xml_id or el.tag not in _LISTED_NAMES:
            continue
        item = _list_item(el)
        if item is None:
            continue
        kind = _ELEMENT_KIND[el.tag]
        name = text_of(el)
        if not name:
            continue
        yield (
            el,
            kind,
            Entity(
                id=xml_id,
                kind=kind,
                names=(Name(name, el.get(XML_LANG)),),
                path=path,
                line=line_of(el),
                description=_description(item, el),
                sort_name=name if kind == "person" and "," in name else "",
            ),
        )


def is_list_entry(el: etree._Element) -> bool:
    """True for an entry of a list: a person, place or org in its list, or a name with an xml:id that begins an
    item of a list (as a volume's list of persons has them)."""
    if el.tag in _ENTRY_TAGS:
        parent = el.getparent()
        return parent is not None and parent.tag in _LIST_TAGS
    return el.tag in _LISTED_NAMES and el.get(XML_ID) is not None and _list_item(el) is not None


def _list_item(el: etree._Element) -> etree._Element | None:
    """The item of a list that the name begins, perhaps in highlighting (FRUS: item/hi/persName), else None."""
    parent = el.getparent()
    while parent is not None and parent.tag == T + "hi":
        parent = parent.getparent()
    if parent is None or parent.tag != T + "item":
        return None
    grand = parent.getparent()
    return parent if grand is not None and grand.tag == T + "list" else None


def _description(item: etree._Element, name: etree._Element) -> str:
    """The words of a list item after its name ('Fish, Hamilton, Secretary of State' -> 'Secretary of State')."""
    full, own = text_of(item), text_of(name)
    at = full.find(own)
    after = full[at + len(own) :] if at >= 0 else ""
    return after.lstrip(" ,;:.–—-").strip()
