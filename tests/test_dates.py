"""TEI date values (att.datable.w3c): parsing every W3C form, impossible dates, ranges, ordering and display; and
the Schematron rules of edition.sch agreeing with the Python reading on the same values."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tei_edition.tei.dates import (
    DateValueError,
    date_span,
    in_order,
    is_valid_date,
    is_valid_iso,
    parse_date,
    parse_w3c,
)
from tei_edition.validate.schematron import SchematronValidator

REPO = Path(__file__).resolve().parents[1]
EDITION_SCH = REPO / "src" / "tei_edition" / "schema" / "edition.sch"
TEI_NS = "http://www.tei-c.org/ns/1.0"

VALID = [
    ("1951", "gYear"),
    ("1951-08", "gYearMonth"),
    ("1951-08-23", "date"),
    ("1952-02-29", "date"),
    ("-0323", "gYear"),  # 323 BCE
    ("-0500-03", "gYearMonth"),
    ("-0004-02-29", "date"),  # a leap year of the proleptic Gregorian calendar (astronomical numbering)
    ("12345", "gYear"),  # more than four digits
    ("-12345-01-01", "date"),
    ("1951Z", "gYear"),
    ("1951-08-23+02:00", "date"),
    ("1945-07-03T12:00:00", "dateTime"),
    ("1945-07-03T12:00:00Z", "dateTime"),
    ("1945-07-03T12:00:00.250+03:00", "dateTime"),
    ("1945-07-03T24:00:00", "dateTime"),
    ("13:00:00", "time"),
    ("13:00:00-05:00", "time"),
    ("--08-23", "gMonthDay"),
    ("--02-29", "gMonthDay"),
    ("--08", "gMonth"),
    ("---23", "gDay"),
    (" 1951 ", "gYear"),  # XML Schema collapses white space around these values
]

INVALID = [
    ("1951-02-30", "February 1951 has 28 days"),
    ("-0001-02-29", "has 28 days"),
    ("0000", "the year 0000"),  # XML Schema 1.0, as TEI's schemas (and libxml2) read it; Saxon would accept it
    ("-0000-01-01", "the year 0000"),
    ("0000Z", "the year 0000"),
    ("1951-13", "months run from 01 to 12"),
    ("--13-01", "months run from 01 to 12"),
    ("--04-31", "April has 30 days"),
    ("---32", "days run from 01 to 31"),
    ("23 August 1951", "not a date or time"),
    ("51-08-23", "not a date or time"),
    ("01951", "not a date or time"),  # a year of more than four digits has no leading zero
    ("1951-8-23", "not a date or time"),
    ("1945-07-03T12:00", "without seconds"),
    ("12:00", "without seconds"),
    ("1951-08-23T25:00:00", "impossible time"),
    ("24:00:01", "impossible time"),
    ("1951+15:00", "not a date or time"),
    ("", "not a date or time"),
]


@pytest.mark.parametrize(("value", "kind"), VALID)
def test_every_w3c_form_tei_allows_is_valid(value: str, kind: str) -> None:
    assert is_valid_date(value)
    assert parse_w3c(value).kind == kind


@pytest.mark.parametrize(("value", "expected"), INVALID)
def test_invalid_values_say_why(value: str, expected: str) -> None:
    assert not is_valid_date(value)
    with pytest.raises(DateValueError) as err:
        parse_w3c(value)
    assert expected in str(err.value)


def test_iso_attributes_also_take_other_iso_8601_forms() -> None:
    assert is_valid_iso("1951-W34") and is_valid_iso("P3Y") and is_valid_iso("1951/1953") and is_valid_iso("-0323")
    assert not is_valid_iso("August 1951") and not is_valid_iso("")


RANGES = [
    ("-0500", "-0480", True),  # BCE years: -0500 is earlier than -0480
    ("-0480", "-0500", False),
    ("-0001", "0001", True),
    ("0001", "-0001", False),
    ("1951", "1951-08-23", True),  # a year and a day in it
    ("1951-08-23", "1951", True),
    ("1951-09", "1951-08-31", False),
    ("1951", "1950-12-31", False),
    ("1951-08-23", "1951-08-23T10:00:00", True),
    ("1951-08-23T12:00:00", "1951-08-23T08:00:00", False),
    ("999", "1000", True),  # not a date at all: another rule says so
    ("9999", "10000", True),  # compared as numbers, not as strings
    ("10000", "9999", False),
    ("22:00:00", "02:00:00", True),  # times and month-days have no year: a range may cross midnight
    ("--12-20", "--01-05", True),
    ("1951", "13:00:00", True),
]


@pytest.mark.parametrize(("start", "end", "ordered"), RANGES)
def test_ranges_are_compared_as_moments(start: str, end: str, ordered: bool) -> None:
    assert in_order(start, end) is ordered


@pytest.mark.parametrize(
    ("attributes", "shown"),
    [
        ({"notBefore": "1956", "notAfter": "1956"}, "1956"),  # a CMIF letter of an unknown day of 1956
        ({"notBefore": "1886-08-01", "notAfter": "1886-08-31"}, "August 1886"),  # the whole month
        ({"from": "1886-01-01", "to": "1886-12-31"}, "1886"),  # the whole year
        ({"notBefore": "1886-08-02", "notAfter": "1886-08-31"}, "between 2 and 31 August 1886"),
        ({"from": "1810-07-11", "to": "1810-08-03"}, "11 July – 3 August 1810"),
        ({"notBefore": "1810-03", "notAfter": "1810-05"}, "between March and May 1810"),
        ({"from": "1810-12-30", "to": "1811-01-02"}, "30 December 1810 – 2 January 1811"),
    ],
)
def test_a_span_says_once_what_its_ends_share(attributes: dict[str, str], shown: str) -> None:
    span = date_span(attributes)
    assert span is not None and span.display() == shown


def test_display_and_order() -> None:
    day = date_span({"when": "1951-08-23"})
    month = date_span({"when": "1951-08"})
    year = date_span({"when": "1951"})
    rng = date_span({"from": "1951-08-01", "to": "1951-08-05"})
    vague = date_span({"notBefore": "1945", "notAfter": "1948"})
    bce = date_span({"notBefore": "-0500", "notAfter": "-0480"})
    assert day and month and rng and vague and year and bce
    assert day.display() == "23 August 1951"
    assert month.display() == "August 1951"
    assert rng.display() == "1–5 August 1951"
    assert vague.display() == "between 1945 and 1948"
    assert bce.display() == "between 500 BCE and 480 BCE"
    assert sorted([year, rng, day, month, vague, bce], key=lambda s: s.sort_key) == [bce, vague, year, month, rng, day]
    assert date_span({"when": "1951-02-30"}) is None
    assert date_span({"when": "13:00:00"}) is None  # no year: nothing to place in a chronology
    assert date_span({"when-iso": "1951-08-23"}) == day
    assert parse_date("1945-07-03T12:00:00Z").iso() == "1945-07-03"
    assert parse_date("-0323").iso() == "-0323" and parse_date("12345").display() == "12345"


# --- edition.sch agrees ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def edition_sch() -> SchematronValidator:
    return SchematronValidator(EDITION_SCH)


def _document(body: str) -> etree._ElementTree:
    return etree.ElementTree(
        etree.fromstring(
            f'<TEI xmlns="{TEI_NS}"><teiHeader><fileDesc><titleStmt><title>T</title></titleStmt><publicationStmt>'
            "<publisher>P</publisher><availability><licence>CC0</licence></availability></publicationStmt><sourceDesc><p>S</p></sourceDesc>"
            f"</fileDesc></teiHeader><text><body>{body}</body></text></TEI>"
        )
    )


def _rules(edition_sch: SchematronValidator, body: str) -> list[tuple[str, str]]:
    found = edition_sch.validate(_document(body), Path("doc.xml"))
    return [(d.rule, d.message) for d in found]


def test_schematron_accepts_and_refuses_the_same_values(edition_sch: SchematronValidator) -> None:
    values = [v for v, _ in VALID] + [v for v, _ in INVALID]
    body = "".join(f'<p><date when="{v}">d</date></p>' for v in values)
    refused = {m.split("'")[1] for rule, m in _rules(edition_sch, body) if rule == "date-format"}
    assert refused == {v for v in values if not is_valid_date(v)}


def test_schematron_orders_ranges_as_the_python_reading_does(edition_sch: SchematronValidator) -> None:
    pairs = [(a, b) for a, b, _ in RANGES]
    body = "".join(
        f'<p><date from="{a}" to="{b}">d</date><date notBefore="{a}" notAfter="{b}">d</date></p>' for a, b in pairs
    )
    late = {m.split("'")[1] for rule, m in _rules(edition_sch, body) if rule == "date-order"}
    assert late == {a for a, b in pairs if not in_order(a, b)}
    assert late == {"-0480", "0001", "1951-09", "1951", "1951-08-23T12:00:00", "10000"}


def test_only_members_of_att_datable_carry_dates(edition_sch: SchematronValidator) -> None:
    body = (
        '<p><app from="#w1" to="#w2"><lem>x</lem></app><locus from="12r" to="3v">f. 12r-3v</locus>'
        '<biblScope unit="page" from="912" to="14">pp.</biblScope><span from="#a" to="#b">x</span>'
        '<origDate notBefore-custom="-0500" notAfter-custom="-0480" datingMethod="#julian">500-480 BCE</origDate>'
        '<origDate notBefore="-0500" notAfter="-0480">500-480 BCE</origDate>'
        '<name from="1951" to="1950">X</name></p>'
    )
    found = _rules(edition_sch, body)
    assert [rule for rule, _ in found if rule.startswith("date")] == ["date-order"]
    assert "name: @from '1951' is later than @to '1950'" in found[0][1]


def test_tei_advice_on_combining_date_attributes_is_a_warning(edition_sch: SchematronValidator) -> None:
    found = edition_sch.validate(
        _document('<p><date when="1951" notBefore="1950">d</date><date from="1951" notBefore="1950">d</date></p>'),
        Path("doc.xml"),
    )
    assert [(d.rule, d.severity.value) for d in found] == [("date-combination", "warning")] * 2


def test_the_list_of_datable_elements_is_the_one_tei_all_gives() -> None:
    """edition.sch's $datable is written by schema/make_datable.py from TEI All (see its docstring to regenerate)."""
    import sys

    sys.path.insert(0, str(REPO / "src" / "tei_edition" / "schema"))
    try:
        from make_datable import datable_elements
    finally:
        sys.path.pop(0)
    tei_all = REPO / "src" / "tei_edition" / "schema" / "tei_all.rng"
    text = (REPO / "src" / "tei_edition" / "schema" / "edition.sch").read_text(encoding="utf-8")
    text = text.split("datable: begin")[1].split("datable: end")[0]
    listed = [name.strip(" '\n") for name in text.split('value="(')[1].split(')"')[0].split(",")]
    names = datable_elements(tei_all)
    assert listed == names
    assert {"date", "origDate", "change", "idno", "birth"} <= set(names)
    assert not {"app", "locus", "biblScope", "citedRange", "span", "rdg"} & set(names)


def test_the_relax_ng_schema_accepts_and_refuses_the_same_values() -> None:
    """edition.rng keeps TEI's datatypes (XML Schema 1.0, checked by libxml2): the same values pass and fail there."""
    from tei_edition.validate.relaxng import RelaxNGValidator

    values = [v for v, _ in VALID] + [v for v, _ in INVALID if v]
    validator = RelaxNGValidator(REPO / "src" / "tei_edition" / "schema" / "edition.rng")
    lines = "\n".join(f'<p><date when="{v}">d</date></p>' for v in values)
    tree = _document(f"\n{lines}\n")
    first = tree.getroot().find(f".//{{{TEI_NS}}}date").sourceline
    found = validator.validate(tree, Path("doc.xml"))
    assert all(first <= d.line < first + len(values) for d in found), [d.message for d in found]
    refused = {values[d.line - first] for d in found}
    assert refused == {v for v in values if not is_valid_date(v)}
