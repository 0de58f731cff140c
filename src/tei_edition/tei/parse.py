"""Safe parsing of TEI files: no DTD loading, no external entities, no network, clear file:line errors."""

from __future__ import annotations

import codecs
import re
from pathlib import Path
from typing import cast

from lxml import etree

from tei_edition import TEI_NS
from tei_edition.errors import SourceError
from tei_edition.tei.xinclude import XI, IncludeContext, line_of, resolve_includes

MAX_FILE_BYTES = 512 * 1024 * 1024
# Elements nested deeper than this are refused: it is the limit of Saxon's XML parser (which Schematron and the
# stylesheets use) and it keeps recursive readers far from Python's recursion limit. Real texts stay below 30.
MAX_DEPTH = 100
_TOO_DEEP = etree.XPath("(/" + "/*" * (MAX_DEPTH + 1) + ")[1]")
_ENCODING_DECL = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


class _RefuseExternal(etree.Resolver):
    """Answers every request for an external resource (DTD, entity) with nothing: no file or URL is ever read."""

    # lxml calls resolve(system_url, public_id, context): lxml-stubs leaves out the context.
    def resolve(self, system_url: str | None, public_id: str | None, context: object) -> object:  # type: ignore[override]
        return self.resolve_string("", context, base_url=None)


def make_parser() -> etree.XMLParser:
    """An lxml parser that expands only internal entities, never loads a DTD and never touches the network."""
    parser = etree.XMLParser(
        resolve_entities="internal",  # type: ignore[arg-type]  # entities declared in the document itself (bounded by _check_internal_subset)
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=True,  # large editions are legitimate; entity expansion is bounded separately
        remove_blank_text=False,
        collect_ids=False,
    )
    # With collect_ids=False libxml2 (2.14) reads a DOCTYPE's external subset despite load_dtd=False: a local
    # file would be opened. The resolver catches every such load before any file is touched.
    parser.resolvers.add(_RefuseExternal())
    return parser


def parse_bytes(
    data: bytes, path: Path, included: list[Path] | None = None, fallbacks: list[tuple[int, str]] | None = None
) -> etree._ElementTree:
    """Parse a TEI file's bytes into a tree; raise SourceError naming the file and line on any problem.

    A DOCTYPE is accepted, but its external DTD is never read; entities declared in the document itself are
    expanded within bounds (MAX_ENTITY_CHARS); external and parameter entities are refused. The tree returned has
    no DOCTYPE, so that no other XML processor given it (Saxon) can try to load the DTD. XIncludes are resolved
    (tei/xinclude.py: files inside the edition's folder only); `included`, if given, receives the files includes
    name (read, or missing), and `fallbacks` (line, message) for each include that could not be had and whose
    xi:fallback stands in."""
    context = IncludeContext()
    try:
        tree = _parse(data, path, context)
    finally:  # the files an include named count even when one of them made the file fail
        if included is not None:
            included.extend(dict.fromkeys(context.included))
    if fallbacks is not None:
        fallbacks.extend(context.fallbacks)
    return tree


def _parse(data: bytes, path: Path, context: IncludeContext) -> etree._ElementTree:
    """parse_bytes for a source or for a file it includes (with the includes of the source so far)."""
    if not data.strip():
        raise SourceError(
            path, 'the file is empty; a TEI document starts with <TEI xmlns="http://www.tei-c.org/ns/1.0">', line=1
        )
    _check_declared_encoding(data, path)
    view = _as_ascii_view(data)
    _check_internal_subset(view, path)
    parser = make_parser()
    try:
        root = etree.fromstring(data, parser=parser, base_url=str(path))
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno or 0, 0)
        raise SourceError(
            path, f"not well-formed XML: {_clean_syntax_message(exc.msg)}", line=line or None, column=column or None
        ) from None
    tree = root.getroottree()
    tree.docinfo.clear()  # the DOCTYPE and its internal subset: their entities are expanded, the DTD never read
    if next(root.iter(XI + "include"), None) is not None:
        resolve_includes(tree, path, context, _parse)
    too_deep = cast(list[etree._Element], _TOO_DEEP(tree))  # the XPath selects elements only
    if too_deep:
        name = etree.QName(too_deep[0]).localname
        raise SourceError(
            path,
            f"elements are nested more than {MAX_DEPTH} deep here (<{name}>); no text needs "
            "that much nesting: check for unclosed or repeated tags",
            line=line_of(too_deep[0]),
        )
    for node in root.iter(etree.Entity):
        raise SourceError(
            path,
            f"entity reference {node.text} is not allowed (it is not declared in the document, and DTDs are "
            "never read: write the character itself)",  # an entity's text is its reference, &name;
            line=line_of(node),
        )
    return tree


def parse_file(path: Path) -> etree._ElementTree:
    """Read and safely parse one XML file; SourceError (with line where there is one) on any problem."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SourceError(
                path,
                f"the file is {size // (1024 * 1024)} MB; the largest accepted is {MAX_FILE_BYTES // (1024 * 1024)} MB",
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(path, "the file does not exist") from None
    except IsADirectoryError:
        raise SourceError(path, "is a folder, not a file") from None
    except PermissionError:
        raise SourceError(path, "cannot be read (permission denied)") from None
    except OSError as exc:
        raise SourceError(path, f"cannot be read: {exc.strerror or exc}") from None
    return parse_bytes(data, path)


class FragmentError(SourceError):
    """A file whose root is a TEI element other than <TEI> or <teiCorpus> (a charDecl, a listPerson...): a piece of
    TEI that documents include, not a document itself."""


def require_tei(tree: etree._ElementTree, path: Path) -> etree._Element:
    """Return the root element when it is <TEI> or <teiCorpus>; FragmentError for another TEI element, SourceError
    for anything else."""
    root = tree.getroot()
    if root.tag == f"{{{TEI_NS}}}teiCorpus":
        return root
    if root.tag != f"{{{TEI_NS}}}TEI" and etree.QName(root).namespace == TEI_NS:
        name = etree.QName(root).localname
        raise FragmentError(
            path,
            f"the root element is <{name}>: a piece of TEI (which documents can include with xi:include), not a "
            "document; it is left out of the edition",
            line=line_of(root),
        )
    if root.tag != f"{{{TEI_NS}}}TEI":
        qname = etree.QName(root)
        if qname.localname == "TEI" and qname.namespace != TEI_NS:
            where = f"namespace {qname.namespace!r}" if qname.namespace else "no namespace"
            hint = f'add xmlns="{TEI_NS}" to the root element'
            raise SourceError(path, f"the root element <TEI> is in {where}; {hint}", line=line_of(root))
        raise SourceError(
            path,
            f"the root element is <{qname.localname}>, not <TEI> or <teiCorpus>: this is not a TEI document",
            line=line_of(root),
        )
    return root


def _check_declared_encoding(data: bytes, path: Path) -> None:
    match = _ENCODING_DECL.match(data[:200])
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return  # lxml reads UTF-16 with a BOM correctly
    declared = match.group(1).decode("ascii").lower() if match else "utf-8"
    try:
        codec = codecs.lookup(declared)
    except LookupError:
        raise SourceError(
            path, f"the XML declaration names an unknown encoding {declared!r}; use UTF-8", line=1
        ) from None
    if codec.name not in ("utf-8", "utf-8-sig"):
        return  # single-byte encodings cannot be contradicted byte-wise; lxml decodes them
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            path,
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8 although the file "
            f"{'declares' if match else 'is assumed to be'} UTF-8; re-save it as UTF-8",
            line=line,
        ) from None


def _as_ascii_view(data: bytes) -> bytes:
    """The bytes with UTF-16/32 decoded, so that markup like <!ENTITY can be found whatever the encoding."""
    for boms, codec in (
        ((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE), "utf-32"),
        ((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE), "utf-16"),
    ):
        if data.startswith(boms):
            return data.decode(codec, errors="replace").encode("utf-8", errors="replace")
    if data[:4] in (b"<\0?\0", b"\0<\0?"):  # UTF-16 without a byte order mark
        codec = "utf-16-le" if data[0:1] == b"<" else "utf-16-be"
        return data.decode(codec, errors="replace").encode("utf-8", errors="replace")
    return data


# Bounds on entity expansion: the characters one entity may stand for, and all references in a file together.
MAX_ENTITY_CHARS = 1_000_000
MAX_EXPANDED_CHARS = 16_000_000
_PREDEFINED = frozenset({"lt", "gt", "amp", "quot", "apos"})
_NAME = r"[A-Za-z_:\x80-\xff][-A-Za-z0-9._:\x80-\xff]*"
_ENTITY_REF = re.compile(rb"&(" + _NAME.encode() + rb");")
_DECLARATION = re.compile(
    rb"<!ENTITY\s+(?P<pe>%\s+)?(?P<name>" + _NAME.encode() + rb")\s+"
    rb"(?:(?P<value>\"[^\"]*\"|'[^']*')|(?P<external>SYSTEM|PUBLIC)\b(?P<rest>(?:[^>\"']|\"[^\"]*\"|'[^']*')*))\s*>"
)

_OTHER_DECLARATION = re.compile(rb"<!(?:ELEMENT|ATTLIST|NOTATION)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")


def _check_internal_subset(data: bytes, path: Path) -> None:
    """Refuse what a DOCTYPE's internal subset may hold that is unsafe: references to parameter entities, external
    entities (parsed or parameter), and entities that expand beyond MAX_ENTITY_CHARS (alone) or
    MAX_EXPANDED_CHARS (all references in the file). Plain internal entities (&ed; for a name, &mdash; for a
    character) are fine, and so are internal parameter entities that only switch parts of the (never read) DTD."""
    doctype = re.search(
        rb"<!DOCTYPE\s+" + _NAME.encode() + rb"\s*(?:(?:SYSTEM|PUBLIC)(?:\s*(?:\"[^\"]*\"|'[^']*'))+\s*)?", data
    )
    if not doctype or data[doctype.end() : doctype.end() + 1] != b"[":
        return  # no DOCTYPE, or one without an internal subset (its external DTD is never read)
    declared: dict[bytes, bytes] = {}
    position = doctype.end() + 1
    end = doctype.end()
    while position < len(data):
        while position < len(data) and data[position : position + 1] in b" \t\r\n":
            position += 1
        line = data.count(b"\n", 0, position) + 1
        if data.startswith(b"]", position):
            end = position + 1
            break
        if data.startswith(b"%", position):
            raise SourceError(
                path,
                "the DOCTYPE uses a parameter entity (%...;); that is refused (it can bring in declarations from "
                "other files)",
                line=line,
            )
        if data.startswith(b"<!--", position):
            close = data.find(b"-->", position + 4)
            position = close + 3 if close >= 0 else len(data)
            continue
        if data.startswith(b"<?", position):
            close = data.find(b"?>", position + 2)
            position = close + 2 if close >= 0 else len(data)
            continue
        declaration = _DECLARATION.match(data, position) if data.startswith(b"<!ENTITY", position) else None
        if declaration is None:
            other = _OTHER_DECLARATION.match(data, position)
            if other is None:
                break  # not well-formed: the parser says where (every reference below is counted)
            position = other.end()
            continue
        position = declaration.end()
        name = declaration["name"].decode("utf-8", "replace")
        if declaration["pe"]:
            if declaration["external"]:
                raise SourceError(
                    path,
                    f"the document declares an external parameter entity ('%{name};'); external entities are "
                    "never read",
                    line=line,
                )
            continue  # a switch for the external DTD (<!ENTITY % TEI.core "INCLUDE">), which is never read
        if declaration["external"]:
            if re.search(rb"\bNDATA\b", declaration["rest"] or b""):
                continue  # an unparsed entity names a file (an image) but is never read by the parser
            raise SourceError(
                path,
                f"the document declares an external entity ('&{name};' from another file or URL); external "
                "entities are never read: write the text itself",
                line=line,
            )
        declared.setdefault(declaration["name"], declaration["value"][1:-1])
    if not declared:
        return
    sizes: dict[bytes, int] = {}

    def size(name: bytes, trail: tuple[bytes, ...]) -> int:
        if name in sizes:
            return sizes[name]
        if name in trail:
            raise SourceError(path, f"entity '&{name.decode('utf-8', 'replace')};' refers to itself", line=1)
        value = declared[name]
        total = len(_ENTITY_REF.sub(b"", value))
        for ref in _ENTITY_REF.findall(value):
            if ref in declared:
                total += size(ref, (*trail, name))
            if total > MAX_ENTITY_CHARS:
                break
        sizes[name] = total
        return total

    expanded = 0
    for match in _ENTITY_REF.finditer(data, end):
        name = match.group(1)
        if name in declared and name not in _PREDEFINED:
            chars = size(name, ())
            expanded += chars
            if chars > MAX_ENTITY_CHARS or expanded > MAX_EXPANDED_CHARS:
                line = data.count(b"\n", 0, match.start()) + 1
                label = name.decode("utf-8", "replace")
                what = (
                    f"the entity &{label}; expands to more than {MAX_ENTITY_CHARS:,} characters"
                    if chars > MAX_ENTITY_CHARS
                    else f"its entities together expand to more than {MAX_EXPANDED_CHARS:,} characters"
                )
                raise SourceError(path, f"{what}, which is refused (an entity expansion bomb?)", line=line)


def _clean_syntax_message(msg: str) -> str:
    msg = re.sub(r", line \d+, column \d+$", "", msg or "").strip()
    return msg[0].lower() + msg[1:] if msg else "the file could not be parsed"
