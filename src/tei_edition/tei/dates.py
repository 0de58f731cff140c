"""TEI date values (W3C forms of ISO 8601): checking, comparing, sorting and display."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

_DATE_RE = re.compile(
    r"^(?P<sign>-)?(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?(?P<zone>Z|[+-]\d{2}:\d{2})?)?)?)?$"
)
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
        day = self.day or calendar.monthrange(self.year, month)[1] if self.year > 0 else self.day or 31
        return (self.year, month, day)

    def iso(self) -> str:
        out = f"{self.year:04d}" if self.year >= 0 else f"-{-self.year:04d}"
        if self.month:
            out += f"-{self.month:02d}"
        if self.day:
            out += f"-{self.day:02d}"
        return out

    def display(self) -> str:
        """An English reading form: '23 August 1951', 'August 1951', '1951'."""
        year = str(self.year) if self.year > 0 else f"{-self.year} BCE"
        if self.month and self.day:
            return f"{self.day} {MONTHS[self.month - 1]} {year}"
        if self.month:
            return f"{MONTHS[self.month - 1]} {year}"
        return year


class DateValueError(ValueError):
    """A date attribute value that is not a valid W3C date; the message says what is expected."""


def parse_date(value: str) -> PartialDate:
    """Parse YYYY, YYYY-MM, YYYY-MM-DD (optionally with a time) into a PartialDate, or raise DateValueError."""
    match = _DATE_RE.match(value.strip())
    if not match or value != value.strip():
        raise DateValueError(f"'{value}' is not a date in the form YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(match["year"]) * (-1 if match["sign"] else 1)
    month = int(match["month"]) if match["month"] else None
    day = int(match["day"]) if match["day"] else None
    if month is not None and not 1 <= month <= 12:
        raise DateValueError(f"'{value}' has month {month:02d}; months run from 01 to 12")
    if day is not None:
        days = calendar.monthrange(year if year > 0 else 2000, month)[1]  # type: ignore[arg-type]
        if not 1 <= day <= days:
            raise DateValueError(f"'{value}' is not a real day: {MONTHS[month - 1]} {year} has {days} days")  # type: ignore[index]
    if match["hour"]:
        if int(match["hour"]) > 23 or int(match["minute"]) > 59 or (match["second"] and int(match["second"]) > 59):
            raise DateValueError(f"'{value}' has an impossible time of day")
    return PartialDate(year, month, day)


def is_valid_date(value: str) -> bool:
    """True when `value` is a W3C date TEI accepts in @when and its siblings."""
    try:
        parse_date(value)
    except DateValueError:
        return False
    return True


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
        a = self.start.display() if self.start else None
        b = self.end.display() if self.end else None
        if self.vague:
            if a and b:
                return f"between {a} and {b}"
            return f"not before {a}" if a else f"not after {b}" if b else ""
        if a and b:
            return f"{a} – {b}"
        return f"from {a}" if a else f"until {b}" if b else ""


def date_span(attrs: dict[str, str]) -> DateSpan | None:
    """The span given by a date element's attributes (when, from, to, notBefore, notAfter), or None if invalid/absent."""
    try:
        if attrs.get("when"):
            return DateSpan(when=parse_date(attrs["when"]))
        if attrs.get("from") or attrs.get("to"):
            return DateSpan(start=_opt(attrs.get("from")), end=_opt(attrs.get("to")))
        if attrs.get("notBefore") or attrs.get("notAfter"):
            return DateSpan(start=_opt(attrs.get("notBefore")), end=_opt(attrs.get("notAfter")), vague=True)
    except DateValueError:
        return None
    return None


def _opt(value: str | None) -> PartialDate | None:
    return parse_date(value) if value else None
