"""The critical apparatus in the reading text: which parts of app/lem/rdg the text reads (the lemma, else the first
reading), and the witnesses a document lists (listWit)."""

from __future__ import annotations

from lxml import etree

from tei_edition import TEI_NS, XML_NS

T = f"{{{TEI_NS}}}"
XML_ID = f"{{{XML_NS}}}id"
APPARATUS_TAGS = frozenset((T + "rdg", T + "app", T + "witDetail", T + "wit", T + "listApp"))
_LEM, _RDG, _APP, _RDG_GRP = T + "lem", T + "rdg", T + "app", T + "rdgGrp"


def outside_reading(el: etree._Element) -> bool:
    """True when an apparatus element (one of APPARATUS_TAGS) is not part of the reading text: a reading other than
    the one the text shows, a witness detail, or an entry that stands apart from the text (listApp, @loc/@from/@to)."""
    tag = el.tag
    if tag == _APP:
        return el.get("loc") is not None or el.get("from") is not None or el.get("to") is not None
    if tag != _RDG:
        return True
    app = el.getparent()
    if app is not None and app.tag == _RDG_GRP:
        app = app.getparent()
    if app is None or app.tag != _APP:
        return False
    readings = [r for r in app.iter(_LEM, _RDG) if _owner(r) is app]
    base = next((r for r in readings if r.tag == _LEM), readings[0] if readings else None)
    return el is not base


def _owner(reading: etree._Element) -> etree._Element | None:
    parent = reading.getparent()
    while parent is not None and parent.tag == _RDG_GRP:
        parent = parent.getparent()
    return parent


def read_witnesses(tree: etree._ElementTree) -> tuple[tuple[str, str, str], ...]:
    """The witnesses the document lists: (xml:id, siglum, description), in document order."""
    out = []
    for witness in tree.getroot().iter(T + "witness"):
        wid = witness.get(XML_ID)
        if not wid:
            continue
        abbr = witness.find(f"{T}abbr[@type='siglum']")
        siglum = (witness.get("n") or "").strip() or (" ".join(_texts(abbr)).strip() if abbr is not None else "")
        parts: list[str] = [witness.text or ""]
        for child in witness:
            if child is not abbr and isinstance(child.tag, str) and child.tag != T + "listWit":
                parts.append("".join(_texts(child)))
            parts.append(child.tail or "")
        out.append((wid, siglum or wid, " ".join("".join(parts).split())))
    return tuple(out)


def _texts(el: etree._Element) -> list[str]:
    # lxml-stubs type itertext() as yielding str | bytes; on a parsed tree it yields str.
    return [t for t in el.itertext() if isinstance(t, str)]
