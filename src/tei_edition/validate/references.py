"""Cross-file checks: xml:ids unique across the edition, and every local pointer resolves."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

from lxml import etree

from tei_edition import TEI_NS
from tei_edition.tei.model import POINTER_ATTRIBUTES
from tei_edition.tei.names import PrefixDef, expand_pointer, is_list_entry, prefix_defs
from tei_edition.tei.parse import line_of
from tei_edition.tei.registers import KINDS, NAME_KIND
from tei_edition.tei.text import XML_ID, T, pointer_targets
from tei_edition.validate.diagnostics import Diagnostic, Severity

XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"


@dataclass(frozen=True)
class IdSite:
    """Where an xml:id is declared."""

    path: Path
    line: int
    element: str
    origin: str = ""  # the file the declaration was written in, when it came into `path` by an XInclude
    page: bool = False  # the id names a page of the built edition (a document's <TEI>, a register entry)
    entry: bool = False  # an entry of a list (a register's, or a document's own)
    shared: tuple[Path, ...] = ()  # the documents whose own lists all declare it (no register does), when several


# Register entries (person in listPerson, place in listPlace, org in listOrg, in a register's text): each becomes a
# page named by its xml:id, so two ids that differ only in letter case would be one file on Windows and macOS.
_ENTRY_LISTS = {T + entry: T + list_el for entry, list_el, *_rest in KINDS.values()}
ENTRY_ELEMENTS = frozenset(entry for entry, *_rest in KINDS.values())


class DeclaredId(NamedTuple):
    """An xml:id as declared in a file: plain data, so that workers can send it and the cache keep it."""

    value: str
    line: int
    element: str  # the local name of the element that declares it
    page: bool  # the id names a page of the built edition (a document's <TEI>, a register entry)
    origin: str = ""  # the file the declaration was written in, when it came into this one by an XInclude
    entry: bool = False  # an entry of a list (a register's, or a document's own: tei/names.py)


def id_declarations(tree: etree._ElementTree) -> list[DeclaredId]:
    """Every xml:id the tree declares, in document order."""
    found: list[DeclaredId] = []
    for el in tree.getroot().iter():
        if not isinstance(el.tag, str):
            continue
        value = el.get(XML_ID)
        if value is None and etree.QName(el).namespace not in (TEI_NS, None):
            value = el.get("id")  # an element of another vocabulary (an SVG shape a <link> points to) by its ID
        if value is not None:
            origin = el.base or "" if el.get(XML_BASE) is not None or _included(el) else ""
            entry = is_list_entry(el)
            page = el.getparent() is None or entry
            found.append(DeclaredId(value, line_of(el), etree.QName(el).localname, page, origin, entry))
    return found


def check_ids(
    declared: Iterable[tuple[Path, Iterable[DeclaredId]]],
    registers: AbstractSet[Path] = frozenset(),
    from_elsewhere: AbstractSet[str] | None = None,
) -> tuple[dict[str, IdSite], list[Diagnostic]]:
    """Map every xml:id of the edition to where it is first declared; report ids declared more than once, and
    register entries whose ids differ only in letter case. An entry of a document's own list may share the id of
    an entry of the registers (`registers`: their files): it is then known as '<file id>.<xml:id>' (tei/names.py).
    An id that several files declare, each for itself, is worth a warning only when a file that does not declare it
    points to it (`from_elsewhere`; None: any may): a pointer resolves in its own file first."""
    sites: dict[str, IdSite] = {}
    entries: dict[str, tuple[str, IdSite]] = {}  # a register entry's id, case-folded -> the id as written, where
    problems: list[Diagnostic] = []
    in_files: dict[tuple[Path, str], IdSite] = {}  # the first declaration of each id in each file
    for path, ids in declared:
        for value, line, element, page, origin, entry in ids:
            here = IdSite(path, line, element, origin, page, entry)
            first = sites.get(value)
            if first is None:
                sites[value] = here
                in_files[(path, value)] = here
                if page and element in ENTRY_ELEMENTS:
                    other = entries.setdefault(value.casefold(), (value, here))
                    if other[0] != value:
                        where = "earlier in this file" if other[1].path == path else f"in {_rel(other[1].path)}"
                        problems.append(
                            Diagnostic(
                                path,
                                here.line,
                                0,
                                Severity.ERROR,
                                f"xml:id '{value}' on <{here.element}> differs only in letter case from '{other[0]}' "
                                f"on <{other[1].element}> {where} (line {other[1].line}); each entry's page is named "
                                "by its id, and Windows and macOS do not tell such names apart: rename one of them",
                                "id-case",
                            )
                        )
                continue
            in_file = in_files.get((path, value))
            if in_file is None and here.origin and here.origin == first.origin:
                in_files[(path, value)] = here  # one declaration in a file that several files include
                continue
            if (
                in_file is None
                and here.entry
                and first.entry
                and (path not in registers or first.path not in registers)
            ):
                # A document's own entry beside the registers', or beside another document's own entry: TEI asks an
                # id to be unique in its file only, so each document's is scoped to its file (tei/names.py).
                in_files[(path, value)] = here
                if path in registers:
                    sites[value] = here
                elif first.path not in registers:  # pointers from other files cannot tell which is meant
                    # each named by the file it is written in: a list that documents include, by its own
                    home, there = (Path(s.origin) if s.origin else s.path for s in (first, here))
                    sites[value] = replace(first, shared=(*(first.shared or (home,)), there))
                continue
            if in_file is not None:  # TEI conformance: an id is declared once in its document
                message = (
                    f"xml:id '{value}' on <{here.element}> is already used on <{in_file.element}> earlier in this "
                    f"file (line {in_file.line}); an xml:id must be unique in its document: rename one of them"
                )
                problems.append(Diagnostic(path, here.line, 0, Severity.ERROR, message, "id-unique"))
            elif here.page or first.page:  # two pages of one name, or links to a page that lead elsewhere
                in_files[(path, value)] = here
                message = (
                    f"xml:id '{value}' on <{here.element}> is already used on <{first.element}> in "
                    f"{_rel(first.path)} (line {first.line}); ids of documents and register entries name their "
                    "pages and must be unique across the whole edition: rename one of them"
                )
                problems.append(Diagnostic(path, here.line, 0, Severity.ERROR, message, "id-page"))
            else:  # pointers from a file that declares neither are resolved across the edition's files
                in_files[(path, value)] = here
                if from_elsewhere is not None and value not in from_elsewhere:
                    continue  # every pointer to it is in a file that declares it, and leads there
                message = (
                    f"xml:id '{value}' on <{here.element}> is already used on <{first.element}> in "
                    f"{_rel(first.path)} (line {first.line}); a pointer to '#{value}' from a file that declares "
                    "neither leads to the first: rename one of them"
                )
                problems.append(Diagnostic(path, here.line, 0, Severity.WARNING, message, "id-edition"))
    return sites, problems


def _included(el: etree._Element) -> bool:
    """True when an ancestor carries xml:base, as the elements an XInclude brought in do (tei/xinclude.py)."""
    return any(a.get(XML_BASE) is not None for a in el.iterancestors())


def _local_pointers(el: etree._Element, prefixes: dict[str, list[PrefixDef]]) -> Iterator[tuple[str, str]]:
    """(attribute, id) for every pointer of the element to an id in the edition ('#id', or a prefixed pointer
    that the file's prefixDefs expand to one)."""
    for attr in POINTER_ATTRIBUTES:
        value = el.get(attr)
        if not value:
            continue
        if not prefixes:
            yield from ((attr, target) for target in pointer_targets(value))
            continue
        for token in value.split():
            pointer = expand_pointer(token, prefixes)
            if pointer is not None and pointer.startswith("#") and len(pointer) > 1:
                yield attr, pointer[1:]


def expanded_targets(tree: etree._ElementTree) -> set[str]:
    """The ids pointed to by pointers the file's prefixDefs expand (pointed_ids reads the plain '#id' pointers)."""
    root = tree.getroot()
    prefixes = prefix_defs(root)
    if not prefixes:
        return set()
    found: set[str] = set()
    for el in root.iter():
        if isinstance(el.tag, str):
            found.update(target for _attr, target in _local_pointers(el, prefixes))
    return found


def check_prefixes(path: Path, tree: etree._ElementTree) -> list[Diagnostic]:
    """Report the prefixDefs whose pattern is not a regular expression, and every pointer whose prefix a prefixDef
    declares when no prefixDef of that prefix matches it (TEI P5 16.2.3: it then points nowhere)."""
    root = tree.getroot()
    problems: list[Diagnostic] = []
    for el in root.iter(T + "prefixDef"):
        try:
            re.compile(el.get("matchPattern") or "")
        except re.error as exc:
            message = f"prefixDef '{el.get('ident')}': @matchPattern is not a regular expression ({exc})"
            problems.append(Diagnostic(path, line_of(el), 0, Severity.ERROR, message, "ref-resolves"))
    prefixes = prefix_defs(root)
    if not prefixes:
        return problems
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in POINTER_ATTRIBUTES:
            for token in (el.get(attr) or "").split():
                if expand_pointer(token, prefixes) is None:
                    local = etree.QName(el).localname
                    ident = token.partition(":")[0]
                    message = (
                        f"{local}/@{attr} '{token}' matches none of the patterns of prefixDef '{ident}' "
                        f"(line {prefixes[ident][0].line}), so it points nowhere"
                    )
                    problems.append(Diagnostic(path, line_of(el), 0, Severity.ERROR, message, "ref-resolves"))
    return problems


def check_pointers(
    path: Path,
    tree: etree._ElementTree,
    ids: dict[str, IdSite],
    register_files: dict[str, Path],
    own: AbstractSet[str] = frozenset(),
) -> list[Diagnostic]:
    """Report every '#id' pointer in the file (also one a prefixDef expands to) that matches no xml:id of the
    edition, with a suggestion; and one to an entry that the own lists of several other documents declare (`own`:
    the ids the file declares), which cannot tell which of them it means."""
    problems: list[Diagnostic] = []
    known = list(ids)
    prefixes = prefix_defs(tree.getroot())
    for el in tree.getroot().iter():
        if not isinstance(el.tag, str):
            continue
        for attr, target in _local_pointers(el, prefixes):
            site = ids.get(target)
            if site is not None and (not site.shared or target in own):
                continue
            local = etree.QName(el).localname
            if site is not None:
                files = " and ".join(_rel(p) for p in site.shared)
                message = (
                    f"{local}/@{attr} '#{target}' is an entry of the own lists of {files}, each known in its own "
                    "file only, so it cannot tell which is meant: declare the entry in this file's own list or in "
                    "the registers (one entry, one id), or give the entries different ids"
                )
                problems.append(Diagnostic(path, line_of(el), 0, Severity.ERROR, message, "ref-resolves"))
                continue
            problems.append(_unresolved(path, el, local, attr, target, ids, known, register_files))
    return problems


_NCNAME = re.compile(r"[^\W\d][\w.\-]*")  # what an xml:id may be (an NCName: a letter or _ first)

# What a pointer of these attributes must name wherever it stands (the element of the id), and what to do when it
# names nothing: TEI's witnesses (app, lem, rdg @wit) and facsimile zones (@facs).
_POINTED_ELEMENTS = {
    "wit": (
        ("witness",),
        "declare <witness xml:id='{target}'> in a <listWit> (in the header's <sourceDesc> or a register file), "
        "or point to one that is",
    ),
    "facs": (("surface", "zone", "graphic"), "give a <surface> or <zone> of the file's <facsimile> that xml:id"),
}


def _unresolved(
    path: Path,
    el: etree._Element,
    local: str,
    attr: str,
    target: str,
    ids: dict[str, IdSite],
    known: list[str],
    register_files: dict[str, Path],
) -> Diagnostic:
    """The diagnostic of a pointer that matches no xml:id of the edition, with what it should name."""
    if attr in _POINTED_ELEMENTS:
        elements, advice = _POINTED_ELEMENTS[attr]
        candidates = [i for i in known if ids[i].element in elements]
        close = difflib.get_close_matches(target, candidates, n=1, cutoff=0.6)
        hint = f"did you mean '#{close[0]}'? Else " if close else ""
        kinds = " or ".join(f"<{e}>" for e in elements[:2])
        # an xml:id cannot begin with a digit (an NCName): the advice names one it could be ("w2404" for "2404")
        named = target if _NCNAME.fullmatch(target) else "w" + target if _NCNAME.fullmatch("w" + target) else "w1"
        fix = advice.format(target=named) + (
            f" (an xml:id cannot be '{target}': it must begin with a letter)" if named != target else ""
        )
        message = f"{local}/@{attr} '#{target}' matches no {kinds} of the edition: {hint}{fix}"
        return Diagnostic(path, line_of(el), 0, Severity.ERROR, message, "ref-resolves")
    kind = _expected_kind(el, local)
    where = f" in {_rel(register_files[kind])}" if kind in register_files else " in the edition"
    # a placeName is not offered a person's id: with no entry of its kind, no suggestion
    candidates = [i for i in known if kind is None or _id_kind(ids[i], kind)]
    close = difflib.get_close_matches(target, candidates, n=1, cutoff=0.6)
    hint = f" (did you mean '#{close[0]}'?)" if close else ""
    if attr == "ana":  # an analysis: often a category of a taxonomy the project keeps elsewhere
        message = (
            f"{local}/@ana '#{target}' matches no xml:id of the edition{hint}: declare it (a <category> of a "
            "<taxonomy> in the header's <classDecl>), or point to the file that does ('file.xml#id')"
        )
        return Diagnostic(path, line_of(el), 0, Severity.WARNING, message, "ref-ana")
    return Diagnostic(
        path,
        line_of(el),
        0,
        Severity.ERROR,
        # a name points to an entry; anything else (a ref's target, a change's @who) to an element by its xml:id
        f"{local}/@{attr} '#{target}' matches no {'entry' if kind else 'xml:id'}{where}{hint}",
        "ref-resolves",
    )


def _expected_kind(el: etree._Element, local: str) -> str | None:
    if local in NAME_KIND:
        return NAME_KIND[local]
    if local == "rs" and el.get("type") in KINDS:
        return el.get("type")
    return None


def _id_kind(site: IdSite, kind: str) -> bool:
    return site.element == KINDS[kind][0]


def _rel(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def register_paths(trees: dict[Path, etree._ElementTree]) -> dict[str, Path]:
    """Which file holds the register of each kind (person, place, org), judged by its list element."""
    found: dict[str, Path] = {}
    for path, tree in trees.items():
        root = tree.getroot()
        for kind, (_entry, list_el, *_rest) in KINDS.items():
            if (
                kind not in found
                and root.find(f".//{T}{list_el}") is not None
                and root.find(f"{T}text//{T}{list_el}") is not None
            ):
                found[kind] = path
    return found
