"""The chronology: every dated passage of the edition in date order, grouped by year."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from tei_edition.build.edition import ChronologyEntry
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

    years: list[tuple[str, Sequence[DatedPassage]]]
    total: int


def _precision(span: DateSpan) -> str:
    if span.when is None:
        return "range"
    return "day" if span.when.day else "month" if span.when.month else "year"


def _parts(snippet: str, text: str) -> dict[str, str]:
    before, match, after = split_snippet(snippet, text)
    return {"before": before, "match": match, "after": after}


class _Passages(Sequence[DatedPassage]):
    """A year's dated passages, made as the template goes through them: an edition of 10,000 documents has
    100,000 of them, too many to hold as objects at once."""

    def __init__(self, entries: list[ChronologyEntry], views: dict[str, DocumentView]):
        self.entries = entries
        self.views = views

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, index: int) -> DatedPassage:  # type: ignore[override]
        return _passage(self.entries[index], self.views)

    def __iter__(self) -> Iterator[DatedPassage]:
        return (_passage(entry, self.views) for entry in self.entries)


def _passage(entry: ChronologyEntry, views: dict[str, DocumentView]) -> DatedPassage:
    span = entry.date.span
    view = views[entry.document.id]
    return DatedPassage(
        display=span.display(), iso=span.iso(),
        datetime=span.when.iso() if span.when and span.when.year > 0 else "", precision=_precision(span),
        certainty=CERTAINTY.get(entry.date.cert or "", ""), text=entry.date.text,
        **_parts(entry.date.snippet, entry.date.text), href=f"../{view.folder}#{entry.date.anchor}", doc=view)


def render_chronology(site: Site) -> None:
    """Write the chronology page, with an anchor per year to jump to."""
    views = document_views(site)
    years: dict[str, list[ChronologyEntry]] = {}
    # The page's hash is taken over the passages' plain text (and the views of their documents), as it goes.
    passages = hashlib.blake2b(digest_size=20)
    documents: set[str] = set()
    for entry in site.data.chronology:
        span = entry.date.span
        if span.year is None:
            continue
        years.setdefault(str(span.year), []).append(entry)
        date = entry.date
        documents.add(entry.document.id)
        passages.update(f"{entry.document.id}\0{date.anchor}\0{date.text}\0{date.snippet}\0{date.cert}\0"
                        f"{span!r}\n".encode("utf-8"))
    base = site.base(folder("chronology"), "Chronology", "chronology",
                     f"Every dated passage of {site.info.title} in date order")
    deps = site.inputs_hash("chronology.html", (base, [views[d] for d in sorted(documents)], passages.hexdigest()))

    def make() -> ChronologyPage:
        return ChronologyPage(**base, years=[(year, _Passages(entries, views)) for year, entries in years.items()],
                              total=sum(len(v) for v in years.values()))

    site.page_from("chronology.html", base["path"], deps, make)
