"""The RELAX NG engine: lxml validation against edition.rng, with messages rewritten for editors."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tei_edition.errors import SourceError
from tei_edition.validate.diagnostics import Diagnostic, Severity
from tei_edition.validate.relaxng import RelaxNGValidator, element_at_path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "schema"
EDITION_RNG = REPO / "src" / "tei_edition" / "schema" / "edition.rng"


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first occurrence of text in a file."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


@pytest.fixture(scope="module")
def rng() -> RelaxNGValidator:
    return RelaxNGValidator(EDITION_RNG)


def validate_text(rng: RelaxNGValidator, tmp_path: Path, text: str) -> list[Diagnostic]:
    path = tmp_path / "doc.xml"
    path.write_text(text, encoding="utf-8")
    return rng.validate(etree.parse(str(path)), path)


def letter_with(old: str, new: str) -> str:
    text = (DATA / "letter.xml").read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


CASES = [
    ("rng-unknown-element", "<foo>bar</foo>",
     "<foo> is not allowed inside <p>: it is not part of the edition's schema"),
    ("rng-missing-child", "<list><head>Points</head></list>",
     "<list> is incomplete: it needs <item> or <label>"),
    ("rng-bad-attribute", 'cert="sure"',
     "<gap> has an invalid value for @cert: 'sure' (expected one of 'high', 'medium', 'low', 'unknown'; "
     "or a number)"),
    ("rng-missing-attribute", "<graphic/>", "<graphic> lacks the required attribute @url"),
]


@pytest.mark.parametrize(("fixture", "marker", "message"), CASES, ids=[c[0] for c in CASES])
def test_messages_name_element_parent_and_expectation(rng: RelaxNGValidator, fixture: str, marker: str,
                                                      message: str) -> None:
    path = DATA / f"{fixture}.xml"
    # Exactly one diagnostic: libxml2's follow-on failures of the ancestors are dropped.
    assert rng.validate(etree.parse(str(path)), path) == [
        Diagnostic(path, line_of(path, marker), 0, Severity.ERROR, message, "schema")]


def test_valid_fixtures_pass(rng: RelaxNGValidator) -> None:
    for name in ("letter.xml", "register.xml"):
        path = DATA / name
        assert rng.validate(etree.parse(str(path)), path) == []


def test_bad_date_value_says_what_a_date_looks_like(rng: RelaxNGValidator, tmp_path: Path) -> None:
    [problem] = validate_text(rng, tmp_path, letter_with('<date from="1950"', '<date from="1950-13"'))
    assert problem.message == ("<date> has an invalid value for @from: '1950-13' (expected a date such as 1951, "
                               "1951-08 or 1951-08-23, or a date and time such as 1951-08-23T14:30:00)")


def test_attribute_the_element_does_not_take(rng: RelaxNGValidator, tmp_path: Path) -> None:
    [problem] = validate_text(rng, tmp_path, letter_with("<gap reason", '<gap colour="red" reason'))
    assert problem.message == ("<gap> does not take the attribute @colour "
                               "(not part of the edition's schema for this element)")


def test_xml_lang_is_named_with_its_prefix(rng: RelaxNGValidator, tmp_path: Path) -> None:
    [problem] = validate_text(rng, tmp_path, letter_with("<opener>", '<opener xml:lang="not a tag">'))
    assert problem.message.startswith("<opener> has an invalid value for @xml:lang: 'not a tag' (expected a language")


def test_misplaced_element_names_what_is_missing(rng: RelaxNGValidator, tmp_path: Path) -> None:
    text = letter_with("<teiHeader>", "<teiHeader-moved>")
    start, end = text.index("<teiHeader-moved>"), text.index("</teiHeader>") + len("</teiHeader>")
    [problem] = validate_text(rng, tmp_path, text[:start] + text[end:])
    assert problem.message == "<text> is not allowed inside <TEI> at this point; <TEI> first needs <teiHeader>"
    assert problem.line == line_of(tmp_path / "doc.xml", "<text>")


def test_text_where_none_is_allowed(rng: RelaxNGValidator, tmp_path: Path) -> None:
    found = validate_text(rng, tmp_path, letter_with("<opener>", "Dear comrade <opener>"))
    assert [d.message for d in found] == [
        "<body> cannot contain text directly ('Dear comrade'): put it inside a child element such as <p>"]
    found = validate_text(rng, tmp_path, letter_with("<gap reason", "<lb>x</lb><gap reason"))
    assert [d.message for d in found] == ["<lb> must be empty, but it contains text ('x')"]


def test_element_from_another_namespace(rng: RelaxNGValidator, tmp_path: Path) -> None:
    [problem] = validate_text(rng, tmp_path, letter_with("<gap reason", '<x:note xmlns:x="urn:x">n</x:note><gap reason'))
    assert problem.message == "<note> (namespace urn:x) is not allowed inside <p>: it is not part of the edition's schema"


def test_several_problems_each_get_their_line(rng: RelaxNGValidator, tmp_path: Path) -> None:
    text = letter_with("<gap reason", "<bar/><gap reason").replace('<date when="1950-10-01">1 October 1950</date></d',
                                                                 '<date when="soon">1 October 1950</date></d')
    found = validate_text(rng, tmp_path, text)
    assert [(d.line, d.message.split(" ")[0]) for d in found] == [(37, "<date>"), (43, "<bar>")]


def test_element_at_path_follows_libxml2_paths() -> None:
    tree = etree.ElementTree(etree.fromstring(
        '<a xmlns="urn:d" xmlns:x="urn:x"><b/><!-- c --><b><x:c/><x:c>2</x:c></b></a>'))
    assert element_at_path(tree, "/*/*[2]/x:c[2]").text == "2"
    assert element_at_path(tree, "/*/*[3]") is None and element_at_path(tree, "") is None


def test_broken_schema_is_a_source_error_with_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rng"
    bad.write_text('<grammar xmlns="http://relaxng.org/ns/structure/1.0">\n'
                   '  <start><ref name="missing"/></start>\n</grammar>\n', encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        RelaxNGValidator(bad)
    assert caught.value.path == bad.resolve() and "missing" in caught.value.detail
    malformed = tmp_path / "malformed.rng"
    malformed.write_text('<grammar xmlns="http://relaxng.org/ns/structure/1.0">\n<start>\n</grammar>\n')
    with pytest.raises(SourceError) as caught:
        RelaxNGValidator(malformed)
    assert caught.value.line == 3
    compact = tmp_path / "schema.rnc"
    compact.write_text("start = element a { empty }\n")
    with pytest.raises(SourceError, match="not well-formed XML"):
        RelaxNGValidator(compact)


def test_user_schema_messages_name_the_schema_file(tmp_path: Path) -> None:
    schema = tmp_path / "letters.rng"
    schema.write_text("""<grammar xmlns="http://relaxng.org/ns/structure/1.0" ns="urn:l"
        datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">
  <start><element name="letter"><attribute name="n"><data type="positiveInteger"/></attribute>
    <oneOrMore><element name="para"><text/></element></oneOrMore></element></start>
</grammar>""", encoding="utf-8")
    validator = RelaxNGValidator(schema)
    doc = tmp_path / "l.xml"
    doc.write_text('<letter xmlns="urn:l" n="0">\n<para>a</para>\n<misc/>\n</letter>\n', encoding="utf-8")
    messages = [d.message for d in validator.validate(etree.parse(str(doc)), doc)]
    assert "<letter> has an invalid value for @n: '0' (expected a whole number (1 or more))" in messages
    assert "<misc> is not allowed inside <letter>: it is not part of the schema letters.rng" in messages


def test_grammar_is_compiled_once_per_process() -> None:
    assert RelaxNGValidator(EDITION_RNG)._compiled is RelaxNGValidator(EDITION_RNG)._compiled
