"""XInclude, resolved safely: local files inside the edition's folder only, never the network, bounded in depth and
size, with a file:line message naming the include that failed.

EpiDoc and many other projects keep shared lists in files of their own and include them, e.g.
`<xi:include href="../alists/charDecl.xml"/>` in the header of every inscription; pointers into such a list
(`g/@ref="#interpunct"`) resolve only once the include is resolved. What is supported:

- parse="xml" (the default) and parse="text" (with @encoding, UTF-8 by default);
- @xpointer as a bare xml:id ("interpunct"), element(id), element(id/2/1) or element(/1/3);
- an empty or absent @href with @xpointer (a part of the same file);
- <xi:fallback>, used when the file or the part pointed to is missing, or the href is a URL (never fetched).

The included elements get xml:base (as XInclude asks) so that their origin is known, and the line of the
xi:include they replace, so that a problem in them is reported where the including file asks for them; the
elements of the including file keep their own lines.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from tei_edition.errors import SourceError

XI_NS = "http://www.w3.org/2001/XInclude"
XI = f"{{{XI_NS}}}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
MAX_INCLUDE_DEPTH = 8
MAX_INCLUDED_BYTES = 64 * 1024 * 1024  # all the files one source includes, together
_ELEMENT_SCHEME = re.compile(r"^element\(\s*([^)\s]*)\s*\)$")
_NCNAME = re.compile(r"^[A-Za-z_][\w.\-]*$")


class _IncludeError(Exception):
    """An include that cannot be resolved; the message says why."""


class _ResourceError(_IncludeError):
    """The resource an include names cannot be had: xi:fallback applies, if there is one."""


@dataclass
class IncludeContext:
    """What resolving the includes of one source needs: the folder includes must stay in, the files being
    included (to find loops), and the bytes read so far."""

    root: Path | None = None  # found when the first include is met (edition_root), as few files include any
    chain: tuple[Path, ...] = ()
    budget: list[int] = field(default_factory=lambda: [MAX_INCLUDED_BYTES])
    included: list[Path] = field(default_factory=list)  # every file an include names, whether it was there or not
    # (line, message) for each include of the source itself that could not be had and whose xi:fallback stands in
    fallbacks: list[tuple[int, str]] = field(default_factory=list)


Parse = Callable[[bytes, Path, IncludeContext], etree._ElementTree]


def line_of(node: etree._Element) -> int:
    """The line of the source file a node (element, comment, processing instruction) is on; 0 if it has none.

    Defined here rather than in parse.py (which imports this module and offers it to the rest of the package)
    because resolving includes needs it too."""
    return node.sourceline or 0  # type: ignore[return-value]  # lxml-stubs types sourceline as `...`: it is int | None


def edition_root(path: Path) -> Path:
    """The folder includes must stay in: that of the nearest edition.toml above the file, else the file's own."""
    folder = path.resolve().parent
    for candidate in (folder, *folder.parents):
        if (candidate / "edition.toml").is_file():
            return candidate
    return folder


def resolve_includes(tree: etree._ElementTree, path: Path, context: IncludeContext, parse: Parse) -> None:
    """Replace every xi:include of the tree (outside fallbacks) by what it includes; SourceError on failure."""
    if context.root is None:
        context.root = edition_root(path)
    chain = (*context.chain, path.resolve())
    for include in [el for el in tree.getroot().iter(XI + "include") if not _in_fallback(el)]:
        if include.getparent() is None:
            raise SourceError(path, "the root element cannot be an xi:include", line=line_of(include))
        try:
            nodes = _included(
                include,
                path,
                tree,
                IncludeContext(context.root, chain, context.budget, context.included, context.fallbacks),
                parse,
            )
        except _IncludeError as exc:
            fallback = include.find(XI + "fallback")
            if fallback is None or not isinstance(exc, _ResourceError):
                raise SourceError(path, f"{_describe(include)}: {exc}", line=line_of(include)) from None
            nodes = _fallback_content(fallback)
            if not context.chain:  # of the source itself: said at its line (a nested file's lines are its own)
                context.fallbacks.append((line_of(include), f"{_describe(include)}: {exc}"))
        _replace(include, nodes)
    for fallback in list(tree.getroot().iter(XI + "fallback")):
        raise SourceError(path, "<xi:fallback> outside an <xi:include>", line=line_of(fallback))


def _included(
    include: etree._Element, path: Path, tree: etree._ElementTree, context: IncludeContext, parse: Parse
) -> list[etree._Element | str]:
    href = (include.get("href") or "").strip()
    how = include.get("parse", "xml")
    xpointer = include.get("xpointer")
    if how not in ("xml", "text"):
        raise _IncludeError(f"parse='{how}' is not XInclude (use 'xml' or 'text')")
    if not href:
        if not xpointer or how == "text":
            raise _IncludeError("an @href is needed (or an @xpointer into this file)")
        return [_copy(el, include, None) for el in _point(tree, xpointer, path.name)]
    if "#" in href:
        raise _IncludeError("a fragment (#) is not allowed in @href; use @xpointer")
    scheme = urlsplit(href).scheme
    if scheme and scheme != "file" and not re.match(r"^[A-Za-z]$", scheme):  # (a Windows drive is a path)
        raise _ResourceError("URLs are never fetched; only files of the edition can be included")
    target = (path.parent / unquote(href.removeprefix("file://"))).resolve()
    assert context.root is not None
    if not target.is_relative_to(context.root):
        raise _IncludeError(
            f"{target} is outside the edition's folder ({context.root}); only files inside it can be included"
        )
    context.included.append(target)  # read or missing: what the source's results depend on
    if target in context.chain:
        loop = " -> ".join(p.name for p in (*context.chain[context.chain.index(target) :], target))
        raise _IncludeError(f"the file includes itself ({loop})")
    if len(context.chain) > MAX_INCLUDE_DEPTH:
        raise _IncludeError(f"includes are nested more than {MAX_INCLUDE_DEPTH} deep")
    try:
        data = target.read_bytes()
    except FileNotFoundError:
        raise _ResourceError("the file does not exist") from None
    except IsADirectoryError:
        raise _ResourceError("it is a folder, not a file") from None
    except OSError as exc:
        raise _ResourceError(f"the file cannot be read ({exc.strerror or exc})") from None
    context.budget[0] -= len(data)
    if context.budget[0] < 0:
        raise _IncludeError(f"the files included add up to more than {MAX_INCLUDED_BYTES // (1024 * 1024)} MB")
    if how == "text":
        encoding = include.get("encoding") or "utf-8"
        try:
            return [data.decode(encoding)]
        except (LookupError, UnicodeDecodeError) as exc:
            raise _IncludeError(f"the text cannot be read as {encoding} ({exc})") from None
    try:
        included = parse(data, target, context)
    except SourceError as exc:
        where = f"{target.name}:{exc.line}" if exc.line else target.name
        raise _IncludeError(f"{where}: {exc.detail}") from None
    base = href
    parts = _point(included, xpointer, target.name) if xpointer else [included.getroot()]
    return [_copy(el, include, base) for el in parts]


def _point(tree: etree._ElementTree, xpointer: str, name: str) -> list[etree._Element]:
    """The element an XPointer names: a bare id or the element() scheme."""
    pointer = xpointer.strip()
    match = _ELEMENT_SCHEME.match(pointer)
    steps = match.group(1) if match else pointer if _NCNAME.match(pointer) else None
    if steps is None:
        raise _IncludeError(f"xpointer '{xpointer}' is not supported: use an xml:id ('charDecl') or element(id/1/2)")
    first, *rest = steps.split("/")
    if first:
        found = next((el for el in tree.getroot().iter() if isinstance(el.tag, str) and el.get(XML_ID) == first), None)
        if found is None:
            raise _ResourceError(f"{name} has no element with xml:id '{first}' (xpointer '{xpointer}')")
        node = found
    else:
        node = None
    for step in rest:
        if not step.isdigit() or int(step) < 1:
            raise _ResourceError(f"xpointer '{xpointer}': '{step}' is not a child number (1, 2, ...)")
        children = [tree.getroot()] if node is None else [c for c in node if isinstance(c.tag, str)]
        if int(step) > len(children):
            raise _ResourceError(f"{name} has no element at '{xpointer}'")
        node = children[int(step) - 1]
    if node is None:
        raise _ResourceError(f"xpointer '{xpointer}' names no element")
    return [node]


def _copy(el: etree._Element, include: etree._Element, base: str | None) -> etree._Element:
    """A copy of an included element, located at the include's line, with xml:base naming where it comes from."""
    out = copy.deepcopy(el)
    out.tail = None
    for node in out.iter():
        node.sourceline = include.sourceline
    if base is not None and out.get(XML_BASE) is None:
        out.set(XML_BASE, base)
    return out


def _fallback_content(fallback: etree._Element) -> list[etree._Element | str]:
    nodes: list[etree._Element | str] = [fallback.text] if fallback.text else []
    for child in fallback:
        nodes.append(copy.deepcopy(child))
    return nodes


def _replace(include: etree._Element, nodes: list[etree._Element | str]) -> None:
    """Put `nodes` (elements and text) where the xi:include is, keeping the text around it."""
    parent = include.getparent()
    assert parent is not None
    previous = include.getprevious()
    tail = include.tail or ""
    position = parent.index(include)
    parent.remove(include)

    def add_text(text: str) -> None:
        nonlocal previous
        if previous is None:
            parent.text = (parent.text or "") + text
        else:
            previous.tail = (previous.tail or "") + text

    for node in nodes:
        if isinstance(node, str):
            add_text(node)
        else:
            parent.insert(position, node)
            position += 1
            previous = node
    add_text(tail)


def _in_fallback(el: etree._Element) -> bool:
    return any(a.tag == XI + "fallback" for a in el.iterancestors())


def _describe(include: etree._Element) -> str:
    href = include.get("href")
    pointer = include.get("xpointer")
    what = f"href='{href}'" if href else ""
    if pointer:
        what = f"{what} xpointer='{pointer}'".strip()
    return f"<xi:include {what}>"
