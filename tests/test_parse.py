"""Safe parsing: every kind of broken file gives a message with file and line, and no entity is ever expanded."""

from pathlib import Path

import pytest
from lxml import etree

from tei_edition.errors import SourceError
from tei_edition.tei.parse import parse_bytes, parse_file, require_tei

TEI = '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader/><text><body><p>x</p></body></text></TEI>'


def test_well_formed_tei() -> None:
    tree = parse_bytes(TEI.encode(), Path("a.xml"))
    assert require_tei(tree, Path("a.xml")).tag.endswith("TEI")


@pytest.mark.parametrize(
    "data,expected,line",
    [
        (b"", "the file is empty", 1),
        (b"   \n", "the file is empty", 1),
        (b"just some text", "not well-formed XML", 1),
        (TEI[:60].encode(), "not well-formed XML", 1),
        (b'<?xml version="1.0" encoding="UTF-8"?>\n<TEI>\n\xff\xfe</TEI>', "is not valid UTF-8", 3),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE TEI [\n<!ENTITY x SYSTEM "file:///etc/passwd">\n]>\n<TEI>&x;</TEI>',
            "external entities are never read",
            3,
        ),
        (b'<?xml version="1.0" encoding="klingon"?><TEI/>', "unknown encoding", 1),
    ],
)
def test_broken_input(data: bytes, expected: str, line: int) -> None:
    with pytest.raises(SourceError) as err:
        parse_bytes(data, Path("broken.xml"))
    assert expected in err.value.detail
    assert err.value.line == line
    assert str(err.value).startswith(f"broken.xml:{line}")


def test_truncated_file_names_the_last_line(tmp_path: Path) -> None:
    path = tmp_path / "t.xml"
    path.write_text('<TEI xmlns="http://www.tei-c.org/ns/1.0">\n<text>\n<body>\n<p>cut', encoding="utf-8")
    with pytest.raises(SourceError) as err:
        parse_file(path)
    assert err.value.line == 4
    assert "not well-formed" in err.value.detail


def test_missing_and_folder(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        parse_file(tmp_path / "nope.xml")
    with pytest.raises(SourceError, match="is a folder"):
        parse_file(tmp_path)


def test_root_must_be_tei() -> None:
    tree = parse_bytes(b"<html><body/></html>", Path("x.xml"))
    with pytest.raises(SourceError, match="root element is <html>"):
        require_tei(tree, Path("x.xml"))
    tree = parse_bytes(b"<TEI><text/></TEI>", Path("x.xml"))
    with pytest.raises(SourceError, match='add xmlns="http://www.tei-c.org/ns/1.0"'):
        require_tei(tree, Path("x.xml"))


def test_external_dtd_is_never_loaded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.dtd"
    secret.write_text('<!ENTITY leak "SECRET">', encoding="utf-8")
    data = f'<!DOCTYPE TEI SYSTEM "{secret.as_uri()}">\n{TEI}'.encode()
    tree = parse_bytes(data, tmp_path / "d.xml")  # accepted: the DTD is neither needed nor read
    assert b"SECRET" not in etree.tostring(tree) and b"DOCTYPE" not in etree.tostring(tree)
    with pytest.raises(SourceError) as err:
        parse_bytes(data.replace(b"</TEI>", b"&leak;</TEI>"), tmp_path / "d.xml")
    assert "leak" in err.value.detail and "SECRET" not in str(err.value)
