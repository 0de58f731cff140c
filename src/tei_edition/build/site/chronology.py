"""The chronology: every dated passage of the edition in date order, grouped by year."""

from __future__ import annotations

from dataclasses import dataclass

from tei_edition.build.site.context import PageContext, Site, folder, split_snippet
from tei_edition.build.site.documents import DocumentView, document_views
from tei_edition.tei.dates import DateSpan

CERTAINTY = {"low": "uncertain", "medium": "probable", "unknown": "uncertain"}


@dataclass(frozen=True)
class DatedPassage:
    """One dated passage: the normalised date, the words as written, where it is."""

    display: str
    iso: str
    datetime: str  # a valid HTML datetime for a single date, '' for a range
    precision: str  # day | month | year | range
    certainty: str  # '' when certain
    text: str
    before: str
    match: str
    after: str
    href: str
    doc: DocumentView


class ChronologyPage(PageContext):
    """The context of the chronology page."""

    years: list[tuple[str, list[DatedPassage]]]
    total: int


def _precision(span: DateSpan) -> str:
    if span.when is None:
        return "range"
    return "day" if span.when.day else "month" if span.when.month else "year"


def _parts(snippet: str, text: str) -> dict[str, str]:
    before, match, after = split_snippet(snippet, text)
    return {"before": before, "match": match, "after": after}


def render_chronology(site: Site) -> None:
    """Write the chronology page, with an anchor per year to jump to."""
    views = document_views(site)
    years: dict[str, list[DatedPassage]] = {}
    for entry in site.data.chronology:
        span = entry.date.span
        if span.year is None:
            continue
        view = views[entry.document.id]
        year = str(span.year)
        years.setdefault(year, []).append(DatedPassage(
            display=span.display(), iso=span.iso(),
            datetime=span.when.iso() if span.when and span.when.year > 0 else "", precision=_precision(span),
            certainty=CERTAINTY.get(entry.date.cert or "", ""), text=entry.date.text,
            **_parts(entry.date.snippet, entry.date.text), href=f"../{view.folder}#{entry.date.anchor}", doc=view))
    context = ChronologyPage(**site.base(folder("chronology"), "Chronology", "chronology",
                                         f"Every dated passage of {site.info.title} in date order"),
                             years=list(years.items()), total=sum(len(v) for v in years.values()))
    site.page("chronology.html", context)
