"""The correspondence index: letters known from their metadata (CMIF), by date, by correspondent and by place."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tei_edition.output.paths import folder
from tei_edition.tei.letters import Correspondent, Letter
from tei_edition.web.context import PageContext, Site, safe_url

VIEWS = (
    ("date", "By date", ""),
    ("correspondents", "By correspondent", "correspondents/"),
    ("places", "By place", "places/"),
)


@dataclass(frozen=True)
class LetterRow:
    """A letter as the index lists it."""

    letter: Letter
    date: str
    iso: str  # the normalised date, for <time datetime>; '' when it has none
    url: str  # where the letter is published (safe to link), or ''


@dataclass(frozen=True)
class Group:
    """The letters of one year, one correspondent or one place."""

    key: str
    label: str
    link: str  # the authority URI (GND, VIAF, GeoNames...), or ''
    anchor: str
    sent: tuple[LetterRow, ...]
    received: tuple[LetterRow, ...] = ()


@dataclass(frozen=True)
class Source:
    """An edition the letters are published in, as their correspondence file names it."""

    text: str
    count: int


class LettersPage(PageContext):
    """The context of a page of the correspondence index."""

    view: str
    views: Sequence[tuple[str, str, str]]
    groups: list[Group]
    total: int
    files: int
    sources: list[Source]


def render_letters(site: Site, letters: Sequence[Letter]) -> None:
    """Write the correspondence index's pages (nothing when the edition describes no letters)."""
    if not letters:
        return
    rows = [_row(letter) for letter in sorted(letters, key=_order)]
    files = len({letter.path for letter in letters})
    counted: dict[str, int] = {}
    for letter in letters:
        if letter.source:
            counted[letter.source] = counted.get(letter.source, 0) + 1
    sources = [Source(text, count) for text, count in counted.items()]
    by_year: dict[str, list[LetterRow]] = {}
    for row in rows:
        year = row.letter.date.year if row.letter.date is not None else None
        by_year.setdefault(str(year) if year is not None else "Undated", []).append(row)
    years = [Group(y, y, "", f"y{y}", tuple(r)) for y, r in by_year.items()]
    people = _groups(rows, lambda r: r.letter.senders, lambda r: r.letter.addressees, "c")
    places = _groups(
        rows,
        lambda r: (r.letter.sent_from,) if r.letter.sent_from else (),
        lambda r: (r.letter.received_at,) if r.letter.received_at else (),
        "p",
    )
    title = "Letters"
    for view, label, sub in VIEWS:
        groups = {"date": years, "correspondents": people, "places": places}[view]
        base = site.base(
            folder("letters") + sub,
            title if view == "date" else f"Letters {label.lower()}",
            "letters",
            f"The letters described in {site.info.title}, {label.lower()}",
        )
        site.page(
            "letters.html",
            LettersPage(**base, view=view, views=VIEWS, groups=groups, total=len(rows), files=files, sources=sources),
        )


def _order(letter: Letter) -> tuple[int, tuple[int, int, int, int], str, int]:
    """Date order, undated letters last, then file order."""
    if letter.date is None:
        return (1, (0, 0, 0, 0), str(letter.path), letter.number)
    return (0, letter.date.sort_key, str(letter.path), letter.number)


def _row(letter: Letter) -> LetterRow:
    iso = ""
    if letter.date is not None and letter.date.when is not None and letter.date.when.year > 0:
        iso = letter.date.when.iso()
    return LetterRow(letter, letter.date_display, iso, safe_url(letter.url))


Parties = Callable[[LetterRow], Sequence[Correspondent]]


def _groups(rows: list[LetterRow], sent_by: Parties, received_by: Parties, prefix: str) -> list[Group]:
    """One group per correspondent (or place), alphabetical, with the letters sent by it and received by it."""
    names: dict[str, Correspondent] = {}
    sent: dict[str, list[LetterRow]] = {}
    received: dict[str, list[LetterRow]] = {}
    for row in rows:
        for party in sent_by(row):
            names.setdefault(party.key, party)
            sent.setdefault(party.key, []).append(row)
        for party in received_by(row):
            names.setdefault(party.key, party)
            received.setdefault(party.key, []).append(row)
    ordered = sorted(names.values(), key=lambda p: (p.name.casefold(), p.key))
    return [
        Group(
            p.key,
            p.name or p.key,
            safe_url(p.ref),
            f"{prefix}{n}",
            tuple(sent.get(p.key, ())),
            tuple(received.get(p.key, ())),
        )
        for n, p in enumerate(ordered, start=1)
    ]
