"""TEI names and the reading text of elements: white space normalised, corrections over source readings, notes
left out; and the local ids a pointer attribute points to."""

from __future__ import annotations

import re

from lxml import etree

from tei_edition import TEI_NS, XML_NS
from tei_edition.tei.apparatus import APPARATUS_TAGS, outside_reading

T = f"{{{TEI_NS}}}"
XML_ID = f"{{{XML_NS}}}id"
XML_LANG = f"{{{XML_NS}}}lang"
_BREAKS = (T + "lb", T + "pb", T + "cb")


_WHITE_SPACE = re.compile(r"\s+")


def normalise_space(text: str) -> str:
    """Collapse runs of white space to single spaces and strip the ends."""
    return _WHITE_SPACE.sub(" ", text).strip()


def own_title(holder: etree._Element) -> etree._Element | None:
    """The title a TEI (or teiCorpus) names itself by in its header's titleStmt: not that of the series or journal
    it belongs to (@level 's' or 'j', as WeGA's letters give first), its main title (@type 'main', or none) before
    subtitles; None when the header has no title."""
    titles = holder.findall(f"{T}teiHeader/{T}fileDesc/{T}titleStmt/{T}title")
    titles = [t for t in titles if t.get("level") not in ("s", "j")] or titles
    main = [t for t in titles if t.get("type") in (None, "main")] or titles
    return main[0] if main else None


def text_of(el: etree._Element | None) -> str:
    """All text inside an element, white space normalised; corrections win over source readings."""
    if el is None:
        return ""
    parts: list[str] = []
    if el.text:
        parts.append(el.text)
    for child in el:  # the element itself is read even when it is a note; notes inside it are not
        _collect_text(child, parts)
        if child.tail:
            parts.append(child.tail)
    return normalise_space("".join(parts))


def _collect_text(
    el: etree._Element, parts: list[str], mark: etree._Element | None = None, found: list[int] | None = None
) -> None:
    """Append the reading text of `el` to `parts`; when `el` is `mark`, record in `found` where it starts."""
    if el is mark and found is not None:
        found.append(sum(len(p) for p in parts))
    if (
        el.tag in (T + "sic", T + "orig", T + "abbr")
        and (parent := el.getparent()) is not None
        and parent.tag == T + "choice"
    ):
        return  # the reading text shows the corrected/regularised/expanded form
    if el.tag == T + "note" and (parent := el.getparent()) is not None and parent.tag != T + "notesStmt":
        return  # notes are not part of the running text
    if not isinstance(el.tag, str):
        return
    if el.tag in APPARATUS_TAGS and outside_reading(el):
        return  # the reading text shows the lemma; the other readings are the apparatus's
    if el.tag in _BREAKS and el.get("break") != "no":
        parts.append(" ")  # a line, page or column break separates words
    if el.text:
        parts.append(el.text)
    for child in el:
        _collect_text(child, parts, mark, found)
        if child.tail:
            parts.append(child.tail)


def pointer_targets(value: str) -> list[str]:
    """The local ids a pointer attribute points to ('#a #b' -> ['a', 'b']); non-local pointers are left out."""
    return [token[1:] for token in value.split() if token.startswith("#") and len(token) > 1]


def name_parts(name: etree._Element | None) -> tuple[str, str]:
    """(family, given) from a name's <surname> and <forename> children; ('', '') when it has no surname."""
    if name is None:
        return "", ""
    parts = [c for c in name if isinstance(c.tag, str) and c.tag in (T + "surname", T + "forename")]
    family = " ".join(text_of(p) for p in parts if p.tag == T + "surname")
    given = " ".join(text_of(p) for p in parts if p.tag == T + "forename")
    return (family, given) if family else ("", "")
