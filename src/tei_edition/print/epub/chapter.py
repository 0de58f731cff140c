"""A document's text as an EPUB chapter: the screen HTML the stylesheets made for the site (the same XSLT output,
not a second transformation) made into well-formed XHTML for a reading system.

What changes on the way: notes become EPUB pop-up footnotes (the reference an `epub:type="noteref"` link, the note an
`<aside epub:type="footnote">` with its number linking back); a link to another document leads to its chapter in
the same book, or to the edition's web page (with a base_url), else becomes plain text; names lose their links to
the site's register pages; an image of the edition is carried into the book, any other becomes its description.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import lxml.html
from lxml import etree

from tei_edition.errors import BuildError
from tei_edition.output.paths import media_source, safe_segment

OPS_NS = "http://www.idpf.org/2007/ops"
EPUB_TYPE = f"{{{OPS_NS}}}type"

# The image formats every reading system shows (the core media types of EPUB 3).
IMAGE_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
    ".webp": "image/webp",
}

# The site's document pages are two folders below its root: the stylesheets' relative links start so.
SITE_ROOT = "../../"


@dataclass(frozen=True)
class Links:
    """Where a chapter's links to the site lead: `chapters` maps a site path ('documents/<segment>/') to the chapter
    file that holds it in this book (relative to the chapter); `base_url` is the edition's public address ('' when
    it has none), for the other links."""

    chapters: Mapping[str, str] = field(default_factory=dict)
    base_url: str = ""


@dataclass
class ChapterText:
    """A document's text as XHTML (a `div` with the epub namespace declared) and the image files it shows: file in
    the edition -> its name in the book."""

    xhtml: str
    images: dict[Path, str] = field(default_factory=dict)
    cross_links: bool = False  # whether a link leads to another chapter of the book (see Links)
    ids: frozenset[str] = frozenset()  # the ids in the text
    targets: frozenset[str] = frozenset()  # the links to other chapters with a fragment ('other.xhtml#p2')


def chapter_text(
    fragment: str, links: Links, source: Path, root: Path, image_name: Callable[[Path], str] | None = None
) -> ChapterText:
    """The screen HTML of a document (`source`, in the edition whose folder is `root`) as an EPUB chapter's text."""
    try:
        parsed = lxml.html.fragment_fromstring(fragment, create_parent="div") if fragment.strip() else None
    except (etree.ParserError, ValueError) as exc:
        raise BuildError(f"{source}: the text of the document is not HTML the EPUB can use: {exc}") from None
    wrapper = etree.Element("div", nsmap={"epub": OPS_NS})
    if parsed is not None:
        top = parsed[0] if len(parsed) == 1 and not (parsed.text or "").strip() else parsed
        for name, value in top.attrib.items():
            wrapper.set(name, value)
        wrapper.text = top.text
        wrapper.extend(list(top))
    wrapper.set("class", (wrapper.get("class", "") + " chapter-text").strip())
    images: dict[Path, str] = {}
    cross_links = False
    namer = image_name or (lambda path: f"images/{safe_segment(path.name)}")
    for el in list(wrapper.iter()):
        if not isinstance(el.tag, str):
            continue
        if el.tag == "a":
            cross_links = _relink(el, links) or cross_links
        elif el.tag == "img":
            _embed_image(el, source, root, images, namer)
    for notes in _with_class(wrapper, "notes", "section"):
        _footnotes(notes)
    for ref in _with_class(wrapper, "noteref", "a"):
        ref.set(EPUB_TYPE, "noteref")
        ref.set("role", "doc-noteref")
    _strip_unusable(wrapper)
    ids = frozenset(str(el.get("id")) for el in wrapper.iter(etree.Element) if el.get("id"))
    targets: set[str] = set()
    for el in wrapper.iter("a"):
        href = el.get("href") or ""
        if href.startswith("#"):
            if href[1:] not in ids:  # an anchor the text lacks (a pointer to a part left out): the words stay
                _unlink(el)
        elif "#" in href and not href.startswith(("http://", "https://", "mailto:")):
            targets.add(href)
    xhtml = etree.tostring(wrapper, encoding="unicode", method="xml")
    # The chapter's root element declares the namespace already.
    return ChapterText(xhtml.replace(f' xmlns:epub="{OPS_NS}"', "", 1), images, cross_links, ids, frozenset(targets))


def _relink(el: etree._Element, links: Links) -> bool:
    """A link of the site's page made to work in the book (see the module's docstring); whether it leads to another
    chapter."""
    href = el.get("href")
    if href is None:
        return False
    classes = _classes(el)
    if "noteback" in classes:
        return False  # replaced by the note's number (see _footnotes)
    if href.startswith("#") or href.startswith(("http://", "https://", "mailto:")):
        return False
    target = _site_path(href)
    if target is not None and "entity" not in classes:
        page, _, fragment = target.partition("#")
        chapter = links.chapters.get(page)
        if chapter is not None:
            el.set("href", chapter + (f"#{fragment}" if fragment else ""))
            return True
        if links.base_url:
            el.set("href", links.base_url.rstrip("/") + "/" + target)
            return False
    _unlink(el)
    return False


def _site_path(href: str) -> str | None:
    """The path below the site's root that a document page's relative link leads to, or None."""
    if not href.startswith(SITE_ROOT):
        return None
    rest = href[len(SITE_ROOT) :]
    return None if rest.startswith("../") else rest


def _unlink(el: etree._Element) -> None:
    """A link that leads nowhere in the book: its text stays, as a span."""
    el.tag = "span"
    _remove_attributes(el, "href", "rel", "target", "download", "type", "hreflang")


def _embed_image(
    el: etree._Element, source: Path, root: Path, images: dict[Path, str], namer: Callable[[Path], str]
) -> None:
    """An image of the edition, in a format every reading system shows, goes into the book; any other is replaced
    by its description (the book fetches nothing from elsewhere)."""
    src = el.get("src") or ""
    parts = urlsplit(src)
    found: Path | None = None
    if not parts.scheme and not parts.netloc and src.startswith(SITE_ROOT):
        rel = PurePosixPath(unquote(parts.path[len(SITE_ROOT) :]))
        if rel.parts and ".." not in rel.parts and rel.suffix.lower() in IMAGE_TYPES:
            found, _why = media_source(source, rel, root)
    if found is None:
        alt = el.get("alt") or ""
        el.tag = "span"
        el.attrib.clear()
        el.set("class", "graphic graphic-missing")
        el.text = f"[Image: {alt}]" if alt else "[Image]"
        return
    name = images.setdefault(found, namer(found))
    el.set("src", "../" + name)


def _footnotes(notes: etree._Element) -> None:
    """The site's list of notes as EPUB footnotes: one `aside` per note, its number a link back to the reference."""
    notes.set(EPUB_TYPE, "footnotes")
    _remove_attributes(notes, "aria-label")
    lists = [child for child in notes if child.tag in ("ol", "ul")]
    items = [item for lst in lists for item in lst if item.tag == "li"]
    for lst in lists:
        notes.remove(lst)
    for item in items:
        if "note-run" in _classes(item):
            _footnote_run(notes, item)
            continue
        back = _with_class(item, "noteback", "a")
        target = back[0].get("href") if back else None
        for link in back:
            _drop(link)
        labels = [child for child in item if child.tag == "span" and "note-label" in _classes(child)]
        if labels:
            label = labels[0]
            label_text = label.text or ""
            item.text = (item.text or "") + (label.tail or "")
            item.remove(label)
        else:
            label_text = item.get("value") or ""
        attributes = {str(name): str(value) for name, value in item.attrib.items() if name != "value"}
        aside = _footnote(notes, attributes, target, label_text, (item.text or "").lstrip())
        aside.extend(list(item))
        if len(aside) and aside[-1].tail:
            aside[-1].tail = aside[-1].tail.rstrip() or None


def _footnote_run(notes: etree._Element, item: etree._Element) -> None:
    """A run of identical notes (one line in the site's list, "Notes 40-48: ...") as one footnote per number, each
    with the wording for one note: an e-reader opens the footnote its reference points to, never a list entry."""
    ids = [item.get("id")] + [span.get("id") for span in _with_class(item, "anchor", "span")]
    backs = _with_class(item, "noteback", "a")
    missing = _with_class(item, "note-missing", "span")
    text = (missing[0].get("data-one") or _text(missing[0])) if missing else _text(item)
    classes = " ".join(c for c in _classes(item) if c != "note-run")
    for n, (note_id, back) in enumerate(zip(ids, backs, strict=False)):
        attributes = {"id": note_id, "class": classes} if note_id else {"class": classes}
        label = _text(back).replace("\u21a9", "").strip() or str(n + 1)
        _footnote(notes, attributes, back.get("href") or "", label, text.strip())


def _footnote(
    notes: etree._Element, attributes: dict[str, str], target: str | None, label: str, text: str
) -> etree._Element:
    """An EPUB footnote at the end of `notes`: an `aside` with `attributes`, its number (`label`) a link back to
    the reference at `target` (a plain number where there is none), then `text`."""
    aside = etree.SubElement(notes, "aside")
    for name, value in attributes.items():
        aside.set(name, value)
    aside.set(EPUB_TYPE, "footnote")
    aside.set("role", "doc-footnote")
    number = etree.SubElement(aside, "a" if target else "span")
    number.set("class", "note-number")
    if target:
        number.set("href", target)
        number.set("role", "doc-backlink")
    number.text = label
    number.tail = " " + text
    return aside


def _text(el: etree._Element) -> str:
    return "".join(str(part) for part in el.itertext())


def _classes(el: etree._Element) -> list[str]:
    return (el.get("class") or "").split()


def _with_class(top: etree._Element, name: str, tag: str) -> list[etree._Element]:
    """The elements `tag` below `top` (itself too) with the class `name`."""
    return [el for el in top.iter(tag) if name in _classes(el)]


def _remove_attributes(el: etree._Element, *names: str) -> None:
    for name in names:
        if name in el.attrib:
            del el.attrib[name]


def _drop(el: etree._Element) -> None:
    """Remove an element, keeping its tail text."""
    parent = el.getparent()
    if parent is None:
        return
    tail = (el.tail or "").rstrip()
    previous = el.getprevious()
    if previous is not None:
        previous.tail = ((previous.tail or "") + tail) or None
    else:
        parent.text = ((parent.text or "") + tail) or None
    parent.remove(el)


# What a book may not hold, should an edition's own stylesheets write it: scripts and the attributes that run them.
_HAS_HANDLERS = etree.XPath("boolean(.//@*[starts-with(local-name(), 'on')])")


def _strip_unusable(wrapper: etree._Element) -> None:
    for el in list(wrapper.iter("script", "noscript", "iframe", "object", "embed")):
        _drop(el)
    if not _HAS_HANDLERS(wrapper):
        return
    for el in wrapper.iter():
        for name in [str(key) for key in el.attrib]:
            if name.startswith("on"):
                del el.attrib[name]
