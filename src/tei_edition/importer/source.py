"""Reading a plain-text or Markdown transcription into blocks (headings, paragraphs, lists, figures, page breaks)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tei_edition.errors import SourceError


@dataclass
class Hi:
    """Emphasised text (Markdown * and **)."""

    rend: str
    children: list[Inline] = field(default_factory=list)


@dataclass
class Link:
    """A link with its text."""

    url: str
    children: list[Inline] = field(default_factory=list)


@dataclass(frozen=True)
class PageBreak:
    """Where a page of the source begins."""

    n: str


@dataclass(frozen=True)
class NoteRef:
    """A note reference number whose note text is not in the transcription."""

    n: str


Inline = str | Hi | Link | PageBreak | NoteRef


@dataclass
class Block:
    """A block of the text: p, head, list, quote, figure or pb."""

    kind: str
    content: list[Inline] = field(default_factory=list)
    level: int = 1  # heading level
    items: list[list[Inline]] = field(default_factory=list)  # list items
    numbers: list[str] = field(default_factory=list)  # list item numbers of an ordered list
    blocks: list[Block] = field(default_factory=list)  # paragraphs of a quotation
    url: str = ""  # figure
    n: str = ""  # pb

    def plain(self) -> str:
        """The block's text without markup."""
        return " ".join(plain_text(self.content).split())


@dataclass
class Transcription:
    """What was read from one input file: metadata and the text's blocks."""

    path: Path
    metadata: dict[str, str | list[str]]
    blocks: list[Block]
    markdown: bool


def plain_text(inlines: list[Inline]) -> str:
    """The text of inline content, without markup, page breaks or note numbers."""
    out: list[str] = []
    for item in inlines:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, (Hi, Link)):
            out.append(plain_text(item.children))
    return "".join(out)


# Source page markers: a line "page_101" (with a <br/>), a line "Page 101", or "[Page 913]" anywhere.
_PAGE_LINE = re.compile(r"^\s*(?:page_(\d+)\s*(?:<br\s*/?>)?|\[?\s*Page\s+(\d+)\s*\]?)\s*$", re.IGNORECASE)
_PAGE_INLINE = re.compile(r"\s?\[Page\s+(\d+)\]\s?", re.IGNORECASE)
_NOTE_LINE = re.compile(r"^\s*(\d{1,3})\s*$")
# Markers survive Markdown parsing as text between private-use characters.
_MARK = re.compile("\ue000(PB|NOTE):([^\ue001]*)\ue001")
_MARKDOWN_HINTS = re.compile(r"^(#{1,6} |\s*[-*+] |\s*\d+\. |> )|\*\*|!\[|\]\(https?:", re.MULTILINE)
_FRONT_KEY = re.compile(r"^([A-Za-z_][\w-]*):\s*(.*)$")


def decode(path: Path) -> str:
    """Read a text file as UTF-8 (a BOM is allowed); SourceError naming the line of the first bad byte."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SourceError(path, "the file does not exist") from None
    except IsADirectoryError:
        raise SourceError(path, "is a folder, not a text file") from None
    except OSError as exc:
        raise SourceError(path, f"cannot be read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise SourceError(
            path, f"byte 0x{data[exc.start]:02x} is not UTF-8; re-save the file as UTF-8", line=line
        ) from None
    if "\x00" in text:
        raise SourceError(
            path,
            "contains NUL bytes: this is not a plain-text or Markdown file",
            line=text.count("\n", 0, text.index("\x00")) + 1,
        )
    if not text.strip():
        raise SourceError(path, "the file is empty", line=1)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(text: str) -> tuple[dict[str, str | list[str]], str]:
    """YAML-style front matter between '---' lines: top-level 'key: value' and 'key:' with '- item' lists."""
    lead = len(text) - len(text.lstrip("\n"))
    if not text.startswith("---\n", lead):
        return {}, text
    end = text.find("\n---\n", lead + 3)
    if end < 0:
        return {}, text
    metadata: dict[str, str | list[str]] = {}
    key = None
    for line in text[lead + 4 : end].split("\n"):
        match = _FRONT_KEY.match(line)
        if match:
            key, value = match.group(1).lower(), match.group(2).strip()
            metadata[key] = _unquote(value) if value else []
        elif key and re.match(r"^\s*-\s+\S", line) and isinstance(metadata.get(key), list):
            metadata[key].append(_unquote(line.strip()[1:].strip()))  # type: ignore[union-attr]
    body = text[end + 5 :]
    return metadata, "\n" * (text[: end + 5].count("\n")) + body  # keep line numbers


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1].replace("''", "'") if value[0] == "'" else value[1:-1]
    return value


def mark_pages_and_notes(text: str) -> str:
    """Replace source page markers and bare note numbers by markers the block reader turns into pb and note."""
    out: list[str] = []
    last_page = None
    for line in text.split("\n"):
        page = _PAGE_LINE.match(line)
        if page:
            n = page.group(1) or page.group(2)
            out.append("" if n == last_page else f"\ue000PB:{n}\ue001")
            last_page = n
            continue
        note = _NOTE_LINE.match(line)
        if note:
            out.append(f"\ue000NOTE:{note.group(1)}\ue001")
            continue
        if line.strip():
            last_page = None

        def inline_page(match: re.Match[str]) -> str:
            return f" \ue000PB:{match.group(1)}\ue001 "

        out.append(_PAGE_INLINE.sub(inline_page, line))
    return "\n".join(out)


def split_marks(text: str) -> list[Inline]:
    """Text with page and note markers -> inline items."""
    out: list[Inline] = []
    pos = 0
    for match in _MARK.finditer(text):
        if match.start() > pos:
            out.append(text[pos : match.start()])
        out.append(PageBreak(match.group(2)) if match.group(1) == "PB" else NoteRef(match.group(2)))
        pos = match.end()
    if pos < len(text):
        out.append(text[pos:])
    return out


def read_transcription(path: Path) -> Transcription:
    """Read a plain-text or Markdown file (Markdown when it says so by extension, front matter or markup)."""
    raw = decode(path)
    metadata, text = split_front_matter(raw)
    is_markdown = (
        bool(metadata) or path.suffix.lower() in (".md", ".markdown") or len(_MARKDOWN_HINTS.findall(text)) >= 2
    )
    text = mark_pages_and_notes(text)
    blocks = read_markdown(text) if is_markdown else read_plain(text)
    return Transcription(path, metadata, [b for b in blocks if b.kind != "p" or b.content], is_markdown)


# Plain text ------------------------------------------------------------------------------------------------------

_LIST_ITEM = re.compile(r"^\s*(?:[-*•]\s+|(\d{1,3})[.)]\s+)(.*)$")


def read_plain(text: str) -> list[Block]:
    """Blank lines separate blocks; lines are joined into one paragraph only when the text is hard-wrapped."""
    chunks = [c for c in re.split(r"\n\s*\n", text) if c.strip()]
    lines = [line for c in chunks for line in c.split("\n") if line.strip()]
    multi = [c for c in chunks if c.strip().count("\n")]
    inner = [
        line.rstrip()
        for c in multi
        for line in c.strip().split("\n")[:-1]
        if line.strip() and not _MARK.fullmatch(line.strip())
    ]
    open_ended = sum(1 for line in inner if not line.endswith((".", "!", "?", ":", '"', "”", "’", ")")))
    # Hard-wrapped prose: most blocks run over several lines, no line is much longer than a printed line, and
    # most lines stop in the middle of a sentence.
    wrapped = (
        bool(lines)
        and len(multi) > len(chunks) / 2
        and max(len(line) for line in lines) <= 100
        and open_ended > len(inner) / 2
    )
    blocks: list[Block] = []
    for chunk in chunks:
        rows = [line.strip() for line in chunk.split("\n") if line.strip()]
        if all(_LIST_ITEM.match(r) for r in rows) and len(rows) > 1:
            blocks.append(_list_block(rows))
        elif wrapped:
            blocks.append(_paragraph(" ".join(rows)))
        else:
            blocks.extend(_paragraph(r) for r in rows)
    return blocks


def _list_block(rows: list[str]) -> Block:
    block = Block("list")
    for row in rows:
        match = _LIST_ITEM.match(row)
        assert match is not None
        block.items.append(split_marks(match.group(2)))
        block.numbers.append(match.group(1) or "")
    return block


def _paragraph(text: str) -> Block:
    content = split_marks(text)
    if len(content) == 1 and isinstance(content[0], PageBreak):
        return Block("pb", n=content[0].n)
    return Block("p", content)


# Markdown -------------------------------------------------------------------------------------------------------


def read_markdown(text: str) -> list[Block]:
    """CommonMark blocks via markdown-it: headings, paragraphs, lists, block quotes, images."""
    from markdown_it import MarkdownIt  # here: every build loads this package (its name finder), few read Markdown

    tokens = MarkdownIt("commonmark").parse(text)
    blocks: list[Block] = []
    stack: list[Block] = []  # open lists and quotes
    pending_head = 0
    item_number = ""
    for token in tokens:
        kind = token.type
        if kind == "heading_open":
            pending_head = int(token.tag[1])
        elif kind in ("bullet_list_open", "ordered_list_open", "blockquote_open"):
            block = Block("quote" if kind == "blockquote_open" else "list")
            (stack[-1].blocks if stack and stack[-1].kind == "quote" else blocks).append(block) if not (
                stack and stack[-1].kind == "list"
            ) else None
            stack.append(block)
        elif kind in ("bullet_list_close", "ordered_list_close", "blockquote_close"):
            stack.pop()
        elif kind == "list_item_open":
            item_number = str(token.info or "")
            if stack and stack[-1].kind == "list":
                stack[-1].items.append([])
                stack[-1].numbers.append(item_number)
        elif kind == "inline":
            content = _inline(token.children or [])
            if stack and stack[-1].kind == "list":
                item = stack[-1].items[-1]
                if item:
                    item.append(" ")
                item.extend(content)
                continue
            target = stack[-1].blocks if stack and stack[-1].kind == "quote" else blocks
            if pending_head:
                target.append(Block("head", content, level=pending_head))
                pending_head = 0
            elif len(content) == 1 and isinstance(content[0], Link) and content[0].url.startswith("image:"):
                image = content[0]
                target.append(Block("figure", image.children, url=image.url[len("image:") :]))
            elif all(isinstance(c, PageBreak) or (isinstance(c, str) and not c.strip()) for c in content) and any(
                isinstance(c, PageBreak) for c in content
            ):
                target.extend(Block("pb", n=c.n) for c in content if isinstance(c, PageBreak))
            else:
                target.append(Block("p", content))
        elif kind in ("fence", "code_block"):
            blocks.append(Block("p", split_marks(token.content.strip())))
    return blocks


def _inline(children: list) -> list[Inline]:
    root: list[Inline] = []
    stack: list[list[Inline]] = [root]
    for token in children:
        kind = token.type
        if kind == "text" or kind == "code_inline":
            stack[-1].extend(split_marks(token.content))
        elif kind in ("softbreak", "hardbreak"):
            stack[-1].append("\n")
        elif kind in ("strong_open", "em_open"):
            hi = Hi("bold" if kind == "strong_open" else "italic")
            stack[-1].append(hi)
            stack.append(hi.children)
        elif kind == "link_open":
            link = Link(str(token.attrs.get("href", "")))
            stack[-1].append(link)
            stack.append(link.children)
        elif kind in ("strong_close", "em_close", "link_close"):
            if len(stack) > 1:
                stack.pop()
        elif kind == "image":
            alt = "".join(c.content for c in (token.children or []) if c.type == "text")
            stack[-1].append(Link("image:" + str(token.attrs.get("src", "")), [alt] if alt else []))
        elif kind == "html_inline":
            continue  # <br/> and the like: no meaning a TEI text should keep
    return root
