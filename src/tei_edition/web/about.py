"""The edition's statement of method, as its editors wrote it in one edition-level file ([edition] about): Markdown
(about.md), or a TEI file (about.xml) whose teiHeader holds the project description, the editorial declaration,
the editors' statements of responsibility, the contact address and how to cite the edition."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

from lxml import etree
from markupsafe import Markup

from tei_edition.errors import BuildError, SourceError
from tei_edition.tei.parse import parse_bytes
from tei_edition.tei.text import T, normalise_space, text_of
from tei_edition.web.context import Site, safe_url

# What a part of the editorial declaration (editorialDecl) is about, as the About and document pages head it.
EDITORIAL_PARTS = {
    "correction": "Corrections",
    "normalization": "Normalisation",
    "hyphenation": "Hyphenation",
    "quotation": "Quotation",
    "segmentation": "Page and line breaks",
    "interpretation": "Interpretation",
    "punctuation": "Punctuation",
    "stdVals": "Standard values",
}


def editorial_heading(part: str) -> str:
    """How the About and document pages head a part of the editorial declaration ('correction' -> 'Corrections')."""
    return EDITORIAL_PARTS.get(part, part[:1].upper() + part[1:])


@dataclass(frozen=True)
class AboutSection:
    """One section of the About page: a heading and its prose as HTML."""

    heading: str
    html: Markup
    id: str


@dataclass(frozen=True)
class AboutText:
    """What the editors' file says: the page's sections, who is responsible for what, and whether the file says
    how to cite the edition (else the page says it)."""

    sections: tuple[AboutSection, ...] = ()
    responsibility: tuple[tuple[str, str], ...] = ()  # (what, who): ('Edited by', 'the tei-edition editors')
    cites: bool = False
    source: str = ""  # the file's name, for messages


def about_text(site: Site) -> AboutText:
    """The editors' About file as read once per build (the About and home pages both show it)."""
    if "about" not in site.cache:
        site.cache["about"] = read_about(site.data.config.about)
    about: AboutText = site.cache["about"]
    return about


def read_about(path: Path | None) -> AboutText:
    """Read the editors' About file (Markdown or TEI by its suffix); an empty AboutText when there is none."""
    if path is None:
        return AboutText()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BuildError(f"{path}: the About file cannot be read: {exc.strerror or exc}") from None
    if path.suffix.lower() in (".md", ".markdown"):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise BuildError(f"{path}:{line}: the About file is not UTF-8 text") from None
        return AboutText(sections=tuple(markdown_sections(text)), source=path.name)
    try:
        tree = parse_bytes(data, path)
    except SourceError as exc:
        raise BuildError(str(exc)) from None
    return tei_about(tree, path)


def markdown_html(text: str) -> Markup:
    """Markdown (CommonMark with tables) as HTML: raw HTML in it is shown as text, links keep safe schemes only,
    headings move one level down (the page's own title is its h1)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.validateLink = lambda url: bool(safe_url(url))  # type: ignore[method-assign]
    tokens = md.parse(text)
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and token.tag[1:].isdigit():
            token.tag = f"h{min(6, int(token.tag[1:]) + 1)}"
    return Markup(md.renderer.render(tokens, md.options, {}))


def markdown_sections(text: str) -> list[AboutSection]:
    """The Markdown file as one section (its own headings inside)."""
    return [AboutSection("", markdown_html(text), "about-text")] if text.strip() else []


def tei_about(tree: etree._ElementTree, path: Path) -> AboutText:
    """The sections of a TEI About file, from its teiHeader, in the order readers want them."""
    header = tree.getroot().find(f"{T}teiHeader")
    if header is None:
        raise BuildError(f"{path}:1: the About file has no <teiHeader>, where its text is expected")
    sections: list[AboutSection] = []

    def add(heading: str, html: str, section_id: str) -> None:
        if html.strip():
            sections.append(AboutSection(heading, Markup(html), section_id))

    encoding = header.find(f"{T}encodingDesc")
    if encoding is not None:
        add("The project", _prose(encoding.find(f"{T}projectDesc")), "project")
        add("Selection of the documents", _prose(encoding.find(f"{T}samplingDecl")), "selection")
        add("Editorial principles", _editorial(encoding.find(f"{T}editorialDecl")), "principles")
    responsibility = tuple(
        (text_of(stmt.find(f"{T}resp")), _names(stmt))
        for stmt in header.iterfind(f"{T}fileDesc/{T}titleStmt/{T}respStmt")
    )
    responsibility = tuple((what, who) for what, who in responsibility if what and who)
    if responsibility:
        items = "".join(f"<li>{escape(responsibility_line(what, who))}</li>" for what, who in responsibility)
        add("The editors", f'<ul class="responsibility">{items}</ul>', "editors")
    citation = header.find(f"{T}fileDesc/{T}notesStmt/{T}note[@type='citation']")
    add("How to cite this edition", _prose(citation), "cite")
    publication = header.find(f"{T}fileDesc/{T}publicationStmt")
    if publication is not None:
        add("Contact", _contact(publication), "contact")
    return AboutText(tuple(sections), responsibility, citation is not None and bool(text_of(citation)), path.name)


def _names(stmt: etree._Element) -> str:
    names = [text_of(n) for n in stmt if isinstance(n.tag, str) and n.tag != f"{T}resp" and text_of(n)]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def responsibility_line(what: str, who: str) -> str:
    """'Edited by the tei-edition editors'; 'Encoding: the tei-edition editors' when the statement is a noun."""
    return f"{what} {who}" if what.rstrip().endswith(" by") else f"{what}: {who}"


def _contact(publication: etree._Element) -> str:
    out: list[str] = []
    for address in publication.iterfind(f"{T}address"):
        lines = [_inline(line).strip() for line in address.iterfind(f"{T}addrLine") if text_of(line)]
        if lines:
            out.append("<p>" + "<br>".join(lines) + "</p>")
    for email in publication.iter(f"{T}email"):
        address_text = text_of(email)
        if address_text:
            out.append(f'<p><a href="mailto:{escape(address_text)}">{escape(address_text)}</a></p>')
    return "".join(out)


def _editorial(decl: etree._Element | None) -> str:
    """The editorial declaration: its general paragraphs first, then each part under a heading of its own."""
    if decl is None:
        return ""
    general: list[str] = []
    parts: list[str] = []
    for part in decl:
        if not isinstance(part.tag, str):
            continue
        name = etree.QName(part).localname
        if name == "p":
            general.append(_block(part))
            continue
        heading = editorial_heading(name)
        body = _prose(part)
        if body:
            parts.append(f"<h3>{escape(heading)}</h3>{body}")
    return "".join(general) + "".join(parts)


def _prose(el: etree._Element | None) -> str:
    """The paragraphs, lists and quotations inside an element as HTML (its text as one paragraph if it has none)."""
    if el is None:
        return ""
    blocks = [_block(child) for child in el if isinstance(child.tag, str) and _local(child) in _BLOCKS]
    if blocks:
        return "".join(blocks)
    inline = _inline(el).strip()
    return f"<p>{inline}</p>" if inline else ""


_BLOCKS = {"p", "list", "quote", "ab", "head", "listBibl", "bibl"}


def _block(el: etree._Element) -> str:
    local = _local(el)
    if local == "list":
        tag = "ol" if el.get("rend") in ("numbered", "ordered") or el.get("type") in ("numbered", "ordered") else "ul"
        items = "".join(f"<li>{_inline(item).strip()}</li>" for item in el.iterfind(f"{T}item"))
        return f"<{tag}>{items}</{tag}>"
    if local == "listBibl":
        items = "".join(f"<li>{_inline(bibl).strip()}</li>" for bibl in el if _local(bibl) in ("bibl", "biblStruct"))
        return f"<ul class='bibliography'>{items}</ul>"
    if local == "quote":
        return f"<blockquote><p>{_inline(el).strip()}</p></blockquote>"
    if local == "head":
        return f"<h3>{_inline(el).strip()}</h3>"
    return f"<p>{_inline(el).strip()}</p>"


def _inline(el: etree._Element) -> str:
    """An element's content as inline HTML: the text escaped, emphasis and titles in italics, quotations in
    quotation marks, links from safe URLs; every other element's text kept as it is."""
    out: list[str] = [_text(el.text)]
    for child in el:
        if isinstance(child.tag, str):
            out.append(_inline_element(child))
        out.append(_text(child.tail))
    return "".join(out)


def _inline_element(el: etree._Element) -> str:
    local = _local(el)
    inner = _inline(el)
    if local in ("note",):
        return ""
    if local in ("emph", "hi", "foreign", "term") or (local == "title" and el.get("level") in (None, "m", "j", "s")):
        return f"<i>{inner}</i>"
    if local in ("q", "quote", "soCalled") or (local == "title" and el.get("level") == "a"):
        return f"“{inner}”"
    if local in ("ref", "ptr"):
        href = safe_url(el.get("target", ""))
        text = inner or escape(el.get("target", ""))
        return f'<a href="{escape(href)}">{text}</a>' if href else text
    if local == "email":
        address = text_of(el)
        return f'<a href="mailto:{escape(address)}">{escape(address)}</a>'
    if local == "lb":
        return "<br>"
    return inner


def _text(value: str | None) -> str:
    return escape(normalise_space_keep_edges(value or ""), quote=False)


def normalise_space_keep_edges(value: str) -> str:
    """White space runs as one space, a space kept at either end (text between elements needs it)."""
    if not value:
        return ""
    inner = normalise_space(value)
    if not inner:
        return " "
    return (" " if value[0].isspace() else "") + inner + (" " if value[-1].isspace() else "")


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname
