"""W3C date values: parsing, impossible dates, ordering and display."""

import pytest

from tei_edition.tei.dates import DateValueError, date_span, is_valid_date, parse_date


@pytest.mark.parametrize(
    "value",
    [
        "1951",
        "1951-08",
        "1951-08-23",
        "1952-02-29",
        "1945-07-03T12:00",
        "1945-07-03T12:00:00Z",
        "1945-07-03T12:00:00+03:00",
    ],
)
def test_valid(value: str) -> None:
    assert is_valid_date(value)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("1951-02-30", "February 1951 has 28 days"),
        ("1951-13", "months run from 01 to 12"),
        ("23 August 1951", "YYYY, YYYY-MM or YYYY-MM-DD"),
        ("51-08-23", "YYYY"),
        (" 1951", "YYYY"),
        ("1951-08-23T25:00", "impossible time"),
    ],
)
def test_invalid_with_reason(value: str, expected: str) -> None:
    with pytest.raises(DateValueError) as err:
        parse_date(value)
    assert expected in str(err.value)


def test_display_and_order() -> None:
    day = date_span({"when": "1951-08-23"})
    month = date_span({"when": "1951-08"})
    year = date_span({"when": "1951"})
    rng = date_span({"from": "1951-08-01", "to": "1951-08-05"})
    vague = date_span({"notBefore": "1945", "notAfter": "1948"})
    assert day.display() == "23 August 1951"
    assert month.display() == "August 1951"
    assert rng.display() == "1 August 1951 – 5 August 1951"
    assert vague.display() == "between 1945 and 1948"
    assert sorted([year, rng, day, month, vague], key=lambda s: s.sort_key) == [vague, year, month, rng, day]
    assert date_span({"when": "1951-02-30"}) is None
