"""TEI date values (the W3C forms of att.datable.w3c, as XML Schema defines them): checking, comparing, sorting
and display.

TEI's @when, @notBefore, @notAfter, @from and @to take any of xs:date, xs:gYear, xs:gYearMonth, xs:dateTime,
xs:time, xs:gMonth, xs:gDay and xs:gMonthDay. Years may be negative (BCE) and longer than four digits. As in XML
Schema 1.0, which TEI's schemas use (and libxml2's RELAX NG validator with them), there is no year 0000 (-0001 is
1 BCE), and leap years are reckoned on the year as written (-0004 is one). The -iso variants also accept other
ISO 8601 forms (weeks, durations, intervals), which are checked only for their characters.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from typing import Protocol

_YEAR = r"(?P<year>-?(?:[1-9]\d{4,}|\d{4}))"
_ZONE = r"(?P<zone>Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))?"
_TIME = r"(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})(?:\.\d+)?"
# The W3C forms, by their XML Schema type names; each pattern matches the whole value.
_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(f"^{pattern}{_ZONE}$"))
    for name, pattern in (
        ("date", f"{_YEAR}-(?P<month>\\d{{2}})-(?P<day>\\d{{2}})"),
        ("gYearMonth", f"{_YEAR}-(?P<month>\\d{{2}})"),
        ("gYear", _YEAR),
        ("dateTime", f"{_YEAR}-(?P<month>\\d{{2}})-(?P<day>\\d{{2}})T{_TIME}"),
        ("time", _TIME),
        ("gMonthDay", r"--(?P<month>\d{2})-(?P<day>\d{2})"),
        ("gMonth", r"--(?P<month>\d{2})"),
        ("gDay", r"---(?P<day>\d{2})"),
    )
)
# teidata.temporal.iso: besides the W3C forms, any token of these characters (ISO 8601 weeks, ordinal dates,
# durations and intervals).
_ISO_TOKEN = re.compile(r"^[0-9.,DHMPRSTWYZ/:+\-]+$")
EXPECTED = (
    "expected a W3C date such as 1951, 1951-08, 1951-08-23, -0323 (BCE), 1951-08-23T13:00:00, 13:00:00 or --08-23"
)
DATE_ATTRIBUTES = ("when", "notBefore", "notAfter", "from", "to")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class DateValueError(ValueError):
    """A date attribute value that is not a valid W3C date; the message says what is expected."""


def days_in_month(year: int, month: int) -> int:
    """Days in a month of the proleptic Gregorian calendar, the leap years reckoned on the year as written."""
    return 29 if month == 2 and calendar.isleap(year) else (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]


@dataclass(frozen=True)
class W3CValue:
    """One W3C date or time value: its XML Schema type and the parts it gives (None where it gives none)."""

    kind: str  # date, gYearMonth, gYear, dateTime, time, gMonthDay, gMonth, gDay
    year: int | None
    month: int | None
    day: int | None
    time: tuple[int, int, int] | None  # hours, minutes, whole seconds
    zone: str | None

    @property
    def has_year(self) -> bool:
        return self.year is not None

    def earliest(self) -> tuple[int, int, int, int, int, int]:
        """The first moment the value covers (year, month, day, hour, minute, second); a value with a year only."""
        assert self.year is not None
        return (self.year, self.month or 1, self.day or 1, *(self.time or (0, 0, 0)))

    def latest(self) -> tuple[int, int, int, int, int, int]:
        """The last moment the value covers: 1951 ends on 31 December 1951 at 23:59:59."""
        assert self.year is not None
        month = self.month or 12
        day = self.day or days_in_month(self.year, month)
        return (self.year, month, day, *(self.time or (23, 59, 59)))


def parse_w3c(value: str) -> W3CValue:
    """Parse any of TEI's W3C date and time forms, or raise DateValueError saying what is wrong."""
    text = value.strip()  # XML Schema collapses the white space around these values
    found = next(((kind, match) for kind, pattern in _FORMS if (match := pattern.match(text))), None)
    if found is None:
        if re.match(r"^(?:-?\d{4,}-\d{2}-\d{2}T)?\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})?$", text):
            raise DateValueError(f"'{value}' gives a time without seconds; a time is written hh:mm:ss, e.g. 13:00:00")
        raise DateValueError(f"'{value}' is not a date or time ({EXPECTED})")
    kind, match = found
    parts = match.groupdict()
    year = int(parts["year"]) if parts.get("year") else None
    if year == 0:
        raise DateValueError(f"'{value}' has the year 0000, which TEI's dates do not have: 1 BCE is -0001")
    month = int(parts["month"]) if parts.get("month") else None
    day = int(parts["day"]) if parts.get("day") else None
    if month is not None and not 1 <= month <= 12:
        raise DateValueError(f"'{value}' has month {month:02d}; months run from 01 to 12")
    if day is not None:
        # Without a year (--02-29) February may have 29 days.
        days = days_in_month(year, month) if year is not None and month else days_in_month(2000, month or 1)
        if not 1 <= day <= (days if month else 31):
            if month:
                where = f"{MONTHS[month - 1]} {_year_text(year)}" if year is not None else MONTHS[month - 1]
                raise DateValueError(f"'{value}' is not a real day: {where} has {days} days")
            raise DateValueError(f"'{value}' has day {day:02d}; days run from 01 to 31")
    time = None
    if parts.get("hour"):
        hour, minute, second = int(parts["hour"]), int(parts["minute"]), int(parts["second"])
        midnight = hour == 24 and minute == 0 and second == 0 and not re.search(r":00\.\d*[1-9]", text)
        if not midnight and (hour > 23 or minute > 59 or second > 59):
            raise DateValueError(f"'{value}' has an impossible time of day")
        time = (hour, minute, second)
    return W3CValue(kind, year, month, day, time, parts.get("zone"))


def is_valid_date(value: str) -> bool:
    """True when `value` is a W3C date or time TEI accepts in @when and its siblings."""
    try:
        parse_w3c(value)
    except DateValueError:
        return False
    return True


def is_valid_iso(value: str) -> bool:
    """True when `value` is accepted by TEI's @when-iso and its siblings (teidata.temporal.iso)."""
    return is_valid_date(value) or _ISO_TOKEN.match(value) is not None


def in_order(start: str, end: str) -> bool:
    """False only when a range certainly ends before it starts: the earliest moment `start` may stand for is later
    than the latest moment `end` may stand for (so 1951 .. 1951-08-23 is in order, 1951-09 .. 1951-08-31 is not).
    Values that are not W3C dates, or have no year (times, --MM-DD: a range may run across midnight or New Year),
    are never out of order."""
    try:
        first, last = parse_w3c(start), parse_w3c(end)
    except DateValueError:
        return True
    if not (first.has_year and last.has_year):
        return True
    return first.earliest() <= last.latest()


def _year_text(year: int | None) -> str:
    if year is None:
        return ""
    return str(year) if year >= 0 else f"{-year} BCE"


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date of year, month or day precision; `earliest`/`latest` give the interval it covers."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def earliest(self) -> tuple[int, int, int]:
        return (self.year, self.month or 1, self.day or 1)

    @property
    def latest(self) -> tuple[int, int, int]:
        month = self.month or 12
        return (self.year, month, self.day or days_in_month(self.year, month))

    def iso(self) -> str:
        out = f"{self.year:04d}" if self.year >= 0 else f"-{-self.year:04d}"
        if self.month:
            out += f"-{self.month:02d}"
        if self.day:
            out += f"-{self.day:02d}"
        return out

    def display(self) -> str:
        """An English reading form: '23 August 1951', 'August 1951', '1951', '323 BCE'."""
        year = _year_text(self.year)
        if self.month and self.day:
            return f"{self.day} {MONTHS[self.month - 1]} {year}"
        if self.month:
            return f"{MONTHS[self.month - 1]} {year}"
        return year


def _shortened(start: PartialDate, end: PartialDate) -> str:
    """The first date of a span without what it shares with the last: the day alone when both are in one month
    ('11' of 11-18 July 1810), day and month when in one year ('11 July' of 11 July - 3 August 1810); '' else."""
    if start.year != end.year or not start.month or not end.month or bool(start.day) != bool(end.day):
        return ""
    if start.month == end.month and start.day:
        return str(start.day)
    return f"{start.day} {MONTHS[start.month - 1]}" if start.day else MONTHS[start.month - 1]


def parse_date(value: str) -> PartialDate:
    """The calendar date a W3C value with a year gives (a time of day is dropped), or DateValueError."""
    parsed = parse_w3c(value)
    if parsed.year is None:
        raise DateValueError(f"'{value}' is a {parsed.kind} without a year, so it cannot be placed in time")
    return PartialDate(parsed.year, parsed.month, parsed.day)


@dataclass(frozen=True)
class DateSpan:
    """What a <date> element says: a point (@when) or a range or vague bounds; all optional."""

    when: PartialDate | None = None
    start: PartialDate | None = None  # @from or @notBefore
    end: PartialDate | None = None  # @to or @notAfter
    vague: bool = False  # notBefore/notAfter rather than from/to

    @property
    def sort_key(self) -> tuple[int, int, int, int]:
        """Order by the earliest day covered; a point sorts before a range that starts the same day."""
        first = self.when or self.start or self.end
        if first is None:
            return (9999, 12, 31, 9)
        y, m, d = first.earliest
        precision = 0 if first.day else 1 if first.month else 2
        return (y, m, d, precision + (3 if self.when is None else 0))

    @property
    def year(self) -> int | None:
        first = self.when or self.start or self.end
        return first.year if first else None

    def iso(self) -> str:
        if self.when:
            return self.when.iso()
        return f"{self.start.iso() if self.start else '..'}/{self.end.iso() if self.end else '..'}"

    def display(self) -> str:
        """A reading form: '23 August 1951', 'from 1 to 5 August 1951', 'between 1945 and 1948'."""
        if self.when:
            return self.when.display()
        if self.start and self.end:
            # A span that is one whole month or year reads as that: notBefore="1886-08-01" notAfter="1886-08-31"
            # is August 1886, notBefore="1956" notAfter="1956" is 1956 (not "between 1956 and 1956").
            first, last = self.start.earliest, self.end.latest
            if first[0] == last[0] and first[1:] == (1, 1) and last[1:] == (12, 31):
                return PartialDate(first[0]).display()
            if first[:2] == last[:2] and first[2] == 1 and last[2] == days_in_month(last[0], last[1]):
                return PartialDate(first[0], first[1]).display()
        a = self.start.display() if self.start else None
        b = self.end.display() if self.end else None
        if a and a == b:
            return a
        if self.start and self.end and a and b:
            a = _shortened(self.start, self.end) or a  # "between 11 and 18 July 1810", not July and 1810 twice
            if self.vague:
                return f"between {a} and {b}"
            return f"{a}–{b}" if a.isdigit() else f"{a} – {b}"
        if self.vague:
            return f"not before {a}" if a else f"not after {b}" if b else ""
        return f"from {a}" if a else f"until {b}" if b else ""


class Attributes(Protocol):
    """What date_span reads: a dict of attribute values or an lxml element's attrib."""

    def get(self, key: str, /) -> str | None: ...


def date_span(attrs: Attributes) -> DateSpan | None:
    """The span given by a date element's attributes (when, from, to, notBefore, notAfter, or their -iso forms
    where those hold W3C values), or None if invalid, absent or without a year."""
    values = {name: attrs.get(name) or attrs.get(f"{name}-iso") for name in DATE_ATTRIBUTES}
    try:
        if values["when"]:
            return DateSpan(when=parse_date(values["when"]))
        if values["from"] or values["to"]:
            return DateSpan(start=_opt(values["from"]), end=_opt(values["to"]))
        if values["notBefore"] or values["notAfter"]:
            return DateSpan(start=_opt(values["notBefore"]), end=_opt(values["notAfter"]), vague=True)
    except DateValueError:
        return None
    return None


def _opt(value: str | None) -> PartialDate | None:
    return parse_date(value) if value else None
