"""Safe parsing of TEI files: no DTD loading, no external entities, no network, clear file:line errors."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from lxml import etree

from tei_edition import TEI_NS
from tei_edition.errors import SourceError

MAX_FILE_BYTES = 512 * 1024 * 1024
_ENCODING_DECL = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


def make_parser() -> etree.XMLParser:
    """An lxml parser that never loads DTDs or entities and never touches the network."""
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=True,  # large editions are legitimate; entity expansion is refused separately
        remove_blank_text=False,
        collect_ids=False,
    )


def parse_bytes(data: bytes, path: Path) -> etree._ElementTree:
    """Parse a TEI file's bytes into a tree; raise SourceError naming the file and line on any problem."""
    if not data.strip():
        raise SourceError(path, "the file is empty; a TEI document starts with <TEI xmlns=\"http://www.tei-c.org/ns/1.0\">",
                          line=1)
    _check_declared_encoding(data, path)
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data:
        _refuse_entity_declarations(data, path)
    parser = make_parser()
    try:
        root = etree.fromstring(data, parser=parser, base_url=str(path))
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (exc.lineno or 0, 0)
        raise SourceError(path, f"not well-formed XML: {_clean_syntax_message(exc.msg)}", line=line or None,
                          column=column or None) from None
    tree = root.getroottree()
    for node in root.iter(etree.Entity):
        raise SourceError(path, f"entity reference &{node.name}; is not allowed (entities are never expanded; "
                                "write the character itself)", line=node.sourceline)
    return tree


def parse_file(path: Path) -> etree._ElementTree:
    """Read and safely parse one XML file; SourceError (with line where there is one) on any problem."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SourceError(path, f"the file is {size // (1024 * 1024)} MB; the largest accepted is "
                                    f"{MAX_FILE_BYTES // (1024 * 1024)} MB")
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


def require_tei(tree: etree._ElementTree, path: Path) -> etree._Element:
    """Return the TEI root element, or raise SourceError if the root is something else."""
    root = tree.getroot()
    if root.tag != f"{{{TEI_NS}}}TEI":
        qname = etree.QName(root)
        if qname.localname == "TEI" and qname.namespace != TEI_NS:
            where = f"namespace {qname.namespace!r}" if qname.namespace else "no namespace"
            hint = f'add xmlns="{TEI_NS}" to the root element'
            raise SourceError(path, f"the root element <TEI> is in {where}; {hint}", line=root.sourceline)
        raise SourceError(path, f"the root element is <{qname.localname}>, not <TEI>: this is not a TEI document",
                          line=root.sourceline)
    return root


def _check_declared_encoding(data: bytes, path: Path) -> None:
    match = _ENCODING_DECL.match(data[:200])
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return  # lxml reads UTF-16 with a BOM correctly
    declared = match.group(1).decode("ascii").lower() if match else "utf-8"
    try:
        codec = codecs.lookup(declared)
    except LookupError:
        raise SourceError(path, f"the XML declaration names an unknown encoding {declared!r}; use UTF-8", line=1) \
            from None
    if codec.name not in ("utf-8", "utf-8-sig"):
        return  # single-byte encodings cannot be contradicted byte-wise; lxml decodes them
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(path, f"byte 0x{data[exc.start]:02x} is not valid UTF-8 although the file "
                                f"{'declares' if match else 'is assumed to be'} UTF-8; re-save it as UTF-8",
                          line=line) from None


def _refuse_entity_declarations(data: bytes, path: Path) -> None:
    match = re.search(rb"<!ENTITY", data)
    if match:
        line = data.count(b"\n", 0, match.start()) + 1
        raise SourceError(path, "the document declares entities (<!ENTITY ...>); entity declarations are refused "
                                "for safety (they can read local files or expand without bound): write the text or "
                                "characters directly", line=line)


def _clean_syntax_message(msg: str) -> str:
    msg = re.sub(r", line \d+, column \d+$", "", msg or "").strip()
    return msg[0].lower() + msg[1:] if msg else "the file could not be parsed"
