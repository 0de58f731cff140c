"""Snippets: the text of the paragraph (or nearest block) around an element, read in one walk of the block, and a
snippet cut around a name so that pages can highlight it."""

from __future__ import annotations

from lxml import etree

from tei_edition.tei.apparatus import APPARATUS_TAGS, outside_reading
from tei_edition.tei.text import _BREAKS, T, text_of


def split_snippet(snippet: str, text: str) -> tuple[str, str, str]:
    """The snippet cut around the first occurrence of `text`, so that pages can highlight it."""
    pos = snippet.find(text) if text else -1
    if pos < 0:
        return snippet, "", ""
    return snippet[:pos], text, snippet[pos + len(text) :]


_BLOCKS = frozenset(
    ("p", "item", "head", "ab", "quote", "l", "cell", "note", "dateline", "salute", "signed", "figDesc")
)
_STOPS = frozenset(("body", "text", "div"))  # a name outside any block: the snippet is read from here


class BlockText:
    """The reading text of a block (a paragraph or the like), white space normalised, and where each element inside
    it starts in that text: read in one walk, however many names the block holds."""

    def __init__(self, block: etree._Element):
        self._pieces: list[str] = []
        self._length = 0  # of the normalised text so far
        self._space = False  # white space met since the last word (one space, if a word follows)
        self.starts: dict[etree._Element, int] = {}  # element -> offset in the normalised text
        self.ends: dict[etree._Element, int] = {}  # element -> end of its text in the normalised text
        self._walk(block)
        self.whole = "".join(self._pieces)

    def _add(self, text: str) -> None:
        """Append raw text, collapsing white space runs (across pieces too) and dropping them at the start."""
        words = text.split()  # str.split() and the \s of normalise_space know the same white space
        if text[0].isspace():
            self._space = True
        if not words:
            return
        if self._space and self._length:
            self._pieces.append(" ")
            self._length += 1
        joined = words[0] if len(words) == 1 else " ".join(words)
        self._pieces.append(joined)
        self._length += len(joined)
        self._space = text[-1].isspace()

    def _walk(self, el: etree._Element) -> None:
        """_collect_text that also records where each element starts (where its first word would go)."""
        self.starts[el] = self._length + 1 if self._space and self._length else self._length
        tag = el.tag
        if tag in _SOURCE_READINGS or tag == _NOTE:
            parent = el.getparent()
            if parent is not None and (parent.tag == _CHOICE if tag != _NOTE else parent.tag != _NOTES_STMT):
                return
        if not isinstance(tag, str):
            return
        if tag in APPARATUS_TAGS and outside_reading(el):
            return  # the reading text shows the lemma only
        if tag in _BREAKS and el.get("break") != "no":
            self._add(" ")
        if el.text:
            self._add(el.text)
        for child in el:
            self._walk(child)
            if child.tail:
                self._add(child.tail)
        self.ends[el] = self._length


_SOURCE_READINGS = frozenset((T + "sic", T + "orig", T + "abbr"))
_NOTE, _CHOICE, _NOTES_STMT = T + "note", T + "choice", T + "notesStmt"


def snippet_around(el: etree._Element, width: int = 80, blocks: dict[etree._Element, BlockText] | None = None) -> str:
    """The text of the element's paragraph (or nearest block) around the element, about `width` chars each side.

    `blocks` keeps the blocks already read, so that the names of one paragraph cost one walk of it."""
    return text_and_snippet(el, width, blocks)[1]


def text_and_snippet(
    el: etree._Element, width: int = 80, blocks: dict[etree._Element, BlockText] | None = None
) -> tuple[str, str]:
    """text_of(el) and snippet_around(el), the text read from the block's walk when the element is in it."""
    block = el
    parent = block.getparent()
    while parent is not None and block.tag.rpartition("}")[2] not in _BLOCKS:
        block = parent
        if block.tag.rpartition("}")[2] in _STOPS:
            break
        parent = block.getparent()
    layout = blocks.get(block) if blocks is not None else None
    if layout is None:
        layout = BlockText(block)
        if blocks is not None:
            blocks[block] = layout
    pos, end = layout.starts.get(el), layout.ends.get(el)
    if pos is None or end is None:  # inside a source reading or a note: not part of the block's text
        inner = text_of(el)
        return inner, inner
    whole = layout.whole
    # The element's words as the block reads them (its own leading space, if any, stripped): text_of(el).
    inner = whole[pos:end].strip(" ")
    start = max(0, pos - width)
    end = min(len(whole), pos + len(inner) + width)
    snippet = whole[start:end]
    if start > 0:
        snippet = "…" + snippet[snippet.find(" ") + 1 :] if " " in snippet[:20] else "…" + snippet
    if end < len(whole):
        snippet = (snippet[: snippet.rfind(" ")] if " " in snippet[-20:] else snippet) + "…"
    return inner, snippet
