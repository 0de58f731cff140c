"""Bibliographic data as readers see it, in the same words and punctuation on the web and in print: a source's
reference, the labelled parts of a document's source description, a document's citation, the edition's imprint.

Every function returns plain text (or (label, text) pairs); the web and the print design each mark it up in their
own way. Labels are never doubled ("Original language: Original language: Czech") and every part ends with one
full stop at most.
"""

from __future__ import annotations

import re

from tei_edition.tei.header import DocumentMeta, SourceCitation

_END = (".", "!", "?", "…", ".”", "!”", "?”", ".’", ".)")


def join_names(names: tuple[str, ...] | list[str]) -> str:
    """'A', 'A and B', 'A, B and C'."""
    names = [n for n in names if n]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def sentence(text: str) -> str:
    """The text with one closing full stop: none added after one it has (or after ! ? …), never two."""
    text = " ".join(text.split()).rstrip(" ,;:")
    if not text:
        return ""
    return text if text.endswith(_END) else text + "."


def without_label(label: str, text: str) -> str:
    """The text without a leading copy of its label ('Original language: Czech' under 'Original language')."""
    text = " ".join(text.split())
    match = re.match(rf"{re.escape(label)}\s*[:.–—-]\s*", text, flags=re.IGNORECASE)
    return text[match.end() :] if match else text


def quoted_title(title: str) -> str:
    """A title in quotation marks with the comma that follows it inside them ("“A Letter,”"); a title's own closing
    full stop, colon or semicolon gives way to the comma ("Mr. Read to Mr. Davis." -> "“Mr. Read to Mr. Davis,”"),
    and a question or exclamation mark stands alone ("“Who Lost China?”")."""
    title = title.strip()
    if title.endswith(("?", "!")):
        return f"“{title}”"
    if title.endswith((".", ":", ";", ",")) and not title.endswith("..."):
        title = title[:-1].rstrip()
    return f"“{title},”"


def source_reference(source: SourceCitation) -> str:
    """The source as a reference made from its fields (authors, “part,” in work, ed., series, vol., imprint,
    pages), without its web address; the bibl as written when it has no title. Ends with a full stop."""
    s = source
    if not s.title:
        return sentence(_without_url(s.text, s.url))
    parts = [join_names(list(s.authors)), f"{quoted_title(s.title)} in {s.container}" if s.container else s.title]
    if s.editors:
        parts.append(f"ed. {join_names(list(s.editors))}")
    if s.series and s.series not in (s.container, s.title):
        parts.append(s.series)
    if s.volume and "vol" not in s.container.lower():
        parts.append(f"vol. {s.volume}")
    text = ", ".join(p for p in parts if p).replace(",”,", ",”")
    imprint = ": ".join(p for p in (s.pub_place, s.publisher) if p)
    imprint = ", ".join(p for p in (imprint, s.date) if p)
    if imprint:
        text += f" ({imprint})"
    if s.pages:
        text += f", {'pp. ' + s.pages if s.pages[:1].isdigit() else s.pages}"
    return sentence(text)


def _without_url(text: str, url: str) -> str:
    return " ".join(text.replace(url, "").split()) if url else text


def source_description(meta: DocumentMeta) -> list[tuple[str, str]]:
    """The parts of a document's source description, each labelled: the reference (a sentence, with its full
    stop), its web address, the archive, the original object's rows, the original language, the translator and the
    funder (each as written, without a label it repeats and without a full stop added)."""
    rows: list[tuple[str, str]] = []

    def add(label: str, text: str) -> None:
        text = without_label(label, text).rstrip(" ,;:")
        if text:
            rows.append((label, text))

    source = meta.source
    if source.text or source.title:
        add("Source", source_reference(source))
        add("Online", source.url)
    if meta.archive is not None:
        add("Archive", meta.archive.display())
    for label, text in meta.original:
        add(label, text)
    add("Original language", meta.original_language)
    add("Translator", meta.translator)
    add("Funding", meta.funder)
    return rows


def in_sentence(name: str) -> str:
    """A name as it reads inside a sentence: 'The tei-edition editors' -> 'the tei-edition editors'."""
    return "the" + name[3:] if name.startswith("The ") else name


# Where the reader's date of access goes in a citation (the web page's script fills it in; a PDF leaves it).
ACCESSED = "[date of access]"


def document_citation(
    *,
    creators: list[str],
    title: str,
    edition: str,
    editors: tuple[str, ...] | list[str],
    version: str,
    publisher: str,
    year: str,
    url: str,
    accessed: str,
) -> str:
    """How to cite a document of the edition (Chicago notes-bibliography): 'A, “Title,” in Edition, ed. B,
    version 1 (Publisher, 2026), https://..., accessed [date of access].'"""
    quoted = quoted_title(title)
    lead = f"{join_names(creators)}, " if creators else ""
    eds = f", ed. {join_names([in_sentence(e) for e in editors])}" if editors else ""
    ver = f", version {version}" if version else ""
    publication = ", ".join(p for p in (publisher, year) if p)
    tail = f"{url}, accessed {accessed}." if url else f"accessed {accessed}."
    return f"{lead}{quoted} in {edition}{eds}{ver} ({publication}), {tail}"


def imprint_lines(
    *,
    title: str,
    subtitle: str,
    editors: tuple[str, ...] | list[str],
    version: str,
    date: str,
    publisher: str,
    licence: str,
    licence_url: str,
) -> list[str]:
    """The edition's imprint, line by line: title, editors, version and publisher, licence."""
    lines = [sentence(f"{title}. {subtitle}" if subtitle else title)]
    if editors:
        lines.append(sentence(f"Edited by {join_names(list(editors))}"))
    line = sentence(f"Version {version}, {date}" if version else date)
    if publisher:
        line += " " + sentence(f"Published by {publisher}")
    lines.append(line)
    if licence:
        lines.append(sentence(f"Licence: {licence}" + (f" ({licence_url})" if licence_url else "")))
    return lines
