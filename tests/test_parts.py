"""Files that hold several documents: the parts found, their ids, titles and dates, as the stylesheets name them."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from lxml import etree

from tei_edition.config import DEFAULT_SPLIT, SplitError
from tei_edition.tei.parse import parse_file
from tei_edition.tei.parts import find_parts
from tei_edition.transform.xslt import Transformer

REPO = Path(__file__).resolve().parent.parent
FRUS = REPO.parent / "shared" / "corpora" / "frus" / "frus1870.xml"
TEI = "http://www.tei-c.org/ns/1.0"


def volume(*parts: str, root_id: str = "vol") -> etree._ElementTree:
    return etree.ElementTree(
        etree.fromstring(
            f'<TEI xmlns="{TEI}" xmlns:frus="http://history.state.gov/frus/ns/1.0" xml:id="{root_id}">'
            "<teiHeader><fileDesc><titleStmt><title>V</title></titleStmt></fileDesc></teiHeader>"
            f'<text><body><div type="chapter">{"".join(parts)}</div></body></text></TEI>'
        )
    )


def test_parts_ids_titles_and_dates() -> None:
    tree = volume(
        '<div type="document" xml:id="d1" frus:doc-dateTime-min="1870-08-08T00:00:00-05:00"'
        ' frus:doc-dateTime-max="1870-08-08T23:59:59-05:00"><head>Mr. Jay to Mr. Fish.</head><p>a</p></div>',
        '<div type="document"><head>[Untitled]</head><p>By the President of the United States.</p>'
        '<opener><dateline>Washington, <date when="1870-10-08">October 8</date></dateline></opener></div>',
        '<div type="document"><p></p></div>',
    )
    parts = find_parts(tree, DEFAULT_SPLIT)
    assert [p.id for p in parts] == ["vol-d1", "vol-2", "vol-3"]
    assert [p.title for p in parts] == ["Mr. Jay to Mr. Fish.", "By the President of the United States.", "Document 3"]
    assert [p.date.display() if p.date else None for p in parts] == ["8 August 1870", "8 October 1870", None]


def test_one_part_is_no_split_and_nested_parts_stay_in_theirs() -> None:
    assert find_parts(volume('<div type="document"><p>a</p></div>'), DEFAULT_SPLIT) == []
    tree = volume(
        '<div type="document" xml:id="a"><div type="document" xml:id="inner"/></div>',
        '<div type="document" xml:id="b"/>',
    )
    assert [p.id for p in find_parts(tree, DEFAULT_SPLIT)] == ["vol-a", "vol-b"]
    assert find_parts(tree, "") == []


def test_a_split_of_the_editions_own() -> None:
    tree = volume('<div type="letter" xml:id="l1"/>', '<div type="letter" xml:id="l2"/>')
    assert [p.id for p in find_parts(tree, "//tei:div[@type='letter']")] == ["vol-l1", "vol-l2"]
    with pytest.raises(SplitError, match="not an XPath"):
        find_parts(tree, "//tei:div[")


def test_the_frus_volume_holds_541_documents_named_as_the_stylesheets_name_them() -> None:
    if not FRUS.exists():
        pytest.skip("other projects' TEI lie in ../shared/corpora beside the repository (as in CI)")
    tree = parse_file(FRUS)
    parts = find_parts(tree, DEFAULT_SPLIT)
    assert len(parts) == 541
    assert not [p for p in parts if p.title.startswith("Document ")]
    assert sum(1 for p in parts if p.date is not None) >= 460
    out = Transformer().transform(
        tree, {"root": "../../", "media": "screen", "doc-id": "frus1870", "split": DEFAULT_SPLIT}
    )
    pieces = re.split(r"<!--ed:part (\S+)-->", out)
    assert pieces[1::2] == [p.id for p in parts]
    links = re.findall(r'<a class="part-link" href="[^"]+">([^<]*)</a>', pieces[0])
    assert [html.unescape(re.sub(r"\s+", " ", t).strip()) for t in links] == [p.title for p in parts]
