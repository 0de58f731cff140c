"""Passages around names: one walk per block gives the same text as reading the block for each name."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from tei_edition.tei.model import Passage, read_document, read_passages
from tei_edition.tei.text import T, normalise_space, text_of


def _naive_snippet(el: etree._Element, block: etree._Element, width: int = 80) -> str:
    """The snippet computed the slow way (no breaks or notes in the block): a marker at the element's start."""
    marker = "\ue000"
    copy = etree.fromstring(etree.tostring(block))
    path = block.getroottree().getpath(el)[len(block.getroottree().getpath(block)) :]
    target = copy.xpath("." + path)[0]
    target.text = marker + (target.text or "")
    parts = "".join(copy.itertext())
    pos = len(normalise_space(parts[: parts.index(marker)] + "x")) - 1
    whole = normalise_space(parts.replace(marker, ""))
    inner = text_of(el)
    start, end = max(0, pos - width), min(len(whole), pos + len(inner) + width)
    snippet = whole[start:end]
    if start > 0:
        snippet = "…" + snippet[snippet.find(" ") + 1 :] if " " in snippet[:20] else "…" + snippet
    if end < len(whole):
        snippet = (snippet[: snippet.rfind(" ")] if " " in snippet[-20:] else snippet) + "…"
    return snippet


def _passages(tree: etree._ElementTree) -> list[Passage]:
    """The passage of every name of the text, in document order (read_passages gives them by entity)."""
    by_anchor = {p.anchor: p for passages in read_passages(tree).values() for p in passages}
    return [by_anchor[m.anchor] for m in read_document(tree, Path("x.xml")).mentions]


def _snippet(passage: Passage) -> str:
    return passage.before + passage.match + passage.after


def _document(paragraph: str) -> etree._ElementTree:
    xml = (
        f'<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T</title></titleStmt>'
        f"</fileDesc></teiHeader><text><body><p>{paragraph}</p></body></text></TEI>"
    )
    return etree.ElementTree(etree.fromstring(xml))


def test_every_name_of_a_long_paragraph_gets_its_own_snippet() -> None:
    words = []
    for i in range(300):
        words.append(f"  word{i}\n\t filler text   <persName ref='#p{i % 7}'>Name {i}</persName>,")
    tree = _document(" ".join(words))
    doc = read_document(tree, Path("long.xml"))
    block = tree.getroot().find(f".//{T}p")
    names = list(block.iter(f"{T}persName"))
    passages = _passages(tree)
    assert len(doc.mentions) == len(passages) == 300
    for mention, passage, el in zip(doc.mentions, passages, names, strict=True):
        assert _snippet(passage) == _naive_snippet(el, block)
        assert passage.match == mention.text == f"Name {names.index(el)}"
    assert passages[150].before.startswith("…") and passages[150].after.endswith("…")
    assert {p.anchor for p in read_passages(tree)["p3"]} == {m.anchor for m in doc.mentions if m.entity_id == "p3"}


def test_names_after_leading_space_and_line_breaks_keep_their_place() -> None:
    tree = _document(
        "\n   <persName ref='#a'>Anna</persName> met<lb/>   <persName ref='#b'>Boris</persName> "
        "in   <placeName ref='#m'>Moscow</placeName>."
    )
    assert [_snippet(p) for p in _passages(tree)] == ["Anna met Boris in Moscow."] * 3
    assert [p.match for p in _passages(tree)] == ["Anna", "Boris", "Moscow"]


def test_names_among_white_space_of_every_shape_keep_their_place() -> None:
    import random

    rng = random.Random(7)
    pieces = ["", " ", "\n  ", "\t", "  x ", "word", " two words ", "\u00a0y\u00a0", ",", "\n", "long " * 30]
    for round_ in range(40):
        parts = []
        for i in range(rng.randint(1, 12)):
            inner = (
                rng.choice(pieces)
                + (f"<hi>{rng.choice(pieces)}</hi>" if rng.random() < 0.3 else "")
                + rng.choice(pieces)
            )
            parts.append(rng.choice(pieces) + f"<persName ref='#p{i}'>{inner}</persName>" + rng.choice(pieces))
        tree = _document("".join(parts))
        doc = read_document(tree, Path(f"r{round_}.xml"))
        block = tree.getroot().find(f".//{T}p")
        names = list(block.iter(f"{T}persName"))
        assert len(doc.mentions) == len(names)
        for mention, passage, el in zip(doc.mentions, _passages(tree), names, strict=True):
            assert _snippet(passage) == _naive_snippet(el, block)
            assert mention.text == text_of(el)


def test_the_text_of_names_with_breaks_and_readings_is_read_as_text_of_reads_it() -> None:
    import random

    rng = random.Random(11)
    pieces = [
        "",
        " ",
        "\n  ",
        "word",
        " two words ",
        "<lb/>",
        "<lb break='no'/>",
        "x<pb n='2'/>y",
        "<choice><sic>sic</sic><corr>corr</corr></choice>",
        "<note>a note</note>",
        "<hi> hi </hi>",
    ]
    for round_ in range(60):
        parts = [
            rng.choice(pieces)
            + f"<persName ref='#p{i}'>"
            + "".join(rng.choice(pieces) for _ in range(3))
            + "</persName>"
            + rng.choice(pieces)
            for i in range(rng.randint(1, 6))
        ]
        tree = _document("".join(parts))
        doc = read_document(tree, Path(f"t{round_}.xml"))
        names = list(tree.getroot().find(f".//{T}p").iter(f"{T}persName"))
        assert [m.text for m in doc.mentions] == [text_of(el) for el in names]
        # The passages' highlighted name, read from the block's walk, is the same text (when the snippet holds it).
        for passage, el in zip(_passages(tree), names, strict=True):
            assert passage.match in ("", text_of(el))
            assert passage.match or text_of(el) not in _snippet(passage) or not text_of(el)


def test_documents_read_back_from_pickles_are_the_same_and_share_their_mentions_strings() -> None:
    import pickle

    trees = [
        _document(f"<persName ref='#p1'>Anna</persName> met <placeName ref='#m'>Moscow</placeName> {i}") for i in (1, 2)
    ]
    first, second = (pickle.loads(pickle.dumps(read_document(tree, Path(f"d{i}.xml")))) for i, tree in enumerate(trees))
    assert first == read_document(trees[0], Path("d0.xml"))
    assert first.mentions == (("p1", "persName", "n1", "Anna", 1), ("m", "placeName", "n2", "Moscow", 1))
    assert all(a.anchor is b.anchor and a.text is b.text for a, b in zip(first.mentions, second.mentions, strict=True))
    assert pickle.loads(pickle.dumps(read_document(_document("no names"), Path("x.xml")))).mentions == ()
