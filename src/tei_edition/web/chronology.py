"""The chronology: the documents by their date, primary sources apart from studies, and the events the texts date
(every dated passage outside titles, heads, stamps and the other parts [chronology] exclude names), grouped by year."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from tei_edition.output.hashing import new_digest
from tei_edition.output.paths import folder, href_between
from tei_edition.tei.certainty import certainty_label
from tei_edition.tei.dates import DateSpan
from tei_edition.tei.edition import ChronologyEntry
from tei_edition.tei.model import is_event
from tei_edition.tei.snippets import split_snippet
from tei_edition.web.context import PageContext, Pagination, Site, paged
from tei_edition.web.views import DocumentView, DocumentViews, document_views

# A chronology of more dated passages than this is split into a page per year, and a year with more into parts of
# this many (the chronology of 10,000 documents was one page of 58 MB).
PASSAGES_PER_PAGE = 1000


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


@dataclass(frozen=True)
class YearLink:
    """A year of the chronology in its list of years: where its passages are, and how many."""

    year: str
    href: str
    count: int
    current: bool = False


@dataclass(frozen=True)
class DocumentGroup:
    """The documents of one kind (primary sources, or studies), in date order."""

    id: str  # the section's anchor
    label: str
    documents: tuple[DocumentView, ...]


class ChronologyPage(PageContext):
    """The context of the chronology page, or of one page of it when its passages take several."""

    document_groups: list[DocumentGroup]  # on the chronology's first page only: the documents by their date

    years: list[tuple[str, Sequence[DatedPassage]]]  # the years shown on this page, with their passages
    total: int  # dated passages in the edition
    year_links: list[YearLink]  # every year, to jump to (an anchor on this page, or another page)
    overview: bool  # the first page of a chronology in several pages: the years, without passages
    year: str  # the year of this page, '' for a chronology on one page and for the overview
    pagination: Pagination | None  # this page among the year's, when the year takes several


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

    def __init__(self, entries: list[ChronologyEntry], views: Mapping[str, DocumentView], root: str):
        self.entries = entries
        self.views = views
        self.root = root  # from the page to the site's root

    def __len__(self) -> int:
        return len(self.entries)

    def __getitem__(self, index: int) -> DatedPassage:  # type: ignore[override]
        return _passage(self.entries[index], self.views, self.root)

    def __iter__(self) -> Iterator[DatedPassage]:
        return (_passage(entry, self.views, self.root) for entry in self.entries)


def _passage(entry: ChronologyEntry, views: Mapping[str, DocumentView], root: str) -> DatedPassage:
    span = entry.date.span
    view = views[entry.document.id]
    return DatedPassage(
        display=span.display(),
        iso=span.iso(),
        datetime=span.when.iso() if span.when and span.when.year > 0 else "",
        precision=_precision(span),
        certainty=certainty_label(entry.date.cert),
        text=entry.date.text,
        **_parts(entry.date.snippet, entry.date.text),
        href=f"{root}{view.folder}#{entry.date.anchor}",
        doc=view,
    )


def document_kinds(site: Site, views: DocumentViews) -> list[tuple[str, str, list[str]]]:
    """The ids of the documents in edition order (by date, undated last), the primary sources apart from the
    studies, as (anchor, label, ids): a document is a study when its text type is one of [chronology] studies. Read
    from the headers, without the documents' views."""
    studies = site.data.config.chronology.studies
    primary: list[str] = []
    secondary: list[str] = []
    for doc_id in views:
        (secondary if views.meta(doc_id).doc_type.casefold() in studies else primary).append(doc_id)
    kinds = [("sources", "Primary sources", primary), ("studies", "Studies", secondary)]
    return [kind for kind in kinds if kind[2]]


def render_chronology(site: Site) -> None:
    """Write the chronology: one page with the documents by date and the events with an anchor per year to jump to,
    or, beyond PASSAGES_PER_PAGE events, a page with the documents and the years and a page per year (in parts of
    PASSAGES_PER_PAGE for a year that has more)."""
    views = document_views(site)
    exclude = site.data.config.chronology.exclude
    years: dict[str, list[ChronologyEntry]] = {}
    for entry in site.data.chronology:
        if entry.date.span.year is not None and is_event(entry.date, exclude):
            years.setdefault(str(entry.date.span.year), []).append(entry)
    total = sum(len(entries) for entries in years.values())
    description = f"The documents of {site.info.title} by their date, and the events they date"
    base = folder("chronology")
    if total <= PASSAGES_PER_PAGE:
        links = [YearLink(year, f"#y{year}", len(entries)) for year, entries in years.items()]
        _page(
            site,
            views,
            base,
            "Chronology",
            description,
            list(years.items()),
            total,
            links,
            overview=False,
            year="",
            paging=None,
        )
        return
    _page(
        site,
        views,
        base,
        "Chronology",
        description,
        [],
        total,
        [YearLink(year, f"{year}/", len(entries)) for year, entries in years.items()],
        overview=True,
        year="",
        paging=None,
    )
    for year, entries in years.items():
        for path, part, paging in paged(entries, PASSAGES_PER_PAGE, f"{base}{year}/"):
            up = href_between(path, base)  # from this page to the chronology's folder
            title = f"Chronology: {year}" + (f" (events {paging.first}–{paging.last})" if paging else "")
            _page(
                site,
                views,
                path,
                title,
                description,
                [(year, part)],
                total,
                [YearLink(other, f"{up}{other}/", len(items), other == year) for other, items in years.items()],
                overview=False,
                year=year,
                paging=paging,
            )


def _page(
    site: Site,
    views: DocumentViews,
    path: str,
    title: str,
    description: str,
    years: list[tuple[str, list[ChronologyEntry]]],
    total: int,
    links: list[YearLink],
    overview: bool,
    year: str,
    paging: Pagination | None,
) -> None:
    """Write one page of the chronology: its passages are `years`, the others are reached through `links`."""
    # The page's hash is taken over its passages (and the views of their documents), as it goes: a passage stands in
    # it by its document and anchor where the build knows the key of its document's results (which its words and
    # date are a function of), else by its words and date.
    keys = site.data.document_keys
    passages = new_digest()
    documents: set[str] = set()
    for _year, entries in years:
        for entry in entries:
            date = entry.date
            doc_id = entry.document.id
            documents.add(doc_id)
            if doc_id in keys:
                passages.update(f"{doc_id}\0{date.anchor}\n".encode())
            else:
                passages.update(
                    f"{doc_id}\0{date.anchor}\0{date.text}\0{date.snippet}\0{date.cert}\0{date.span!r}\n".encode()
                )
    base = site.base(path, title, "chronology", description)
    root = base["root"]
    first = paging is None and not year  # the documents by date are on the chronology's first page
    kinds = document_kinds(site, views) if first else []
    shown = sorted(documents)
    deps = site.inputs_hash(
        "chronology.html",
        (
            base,
            [views.digest(d) for d in shown],
            [keys.get(d, "") for d in shown],
            [(anchor, [views.digest(d) for d in ids]) for anchor, _label, ids in kinds],
            passages.hexdigest(),
            total,
            links,
            overview,
            year,
            paging,
        ),
    )

    def make() -> ChronologyPage:
        # read in one go, not one by one as the passages are written
        views.load([*shown, *(d for _anchor, _label, ids in kinds for d in ids)])
        return ChronologyPage(
            **base,
            document_groups=[
                DocumentGroup(anchor, label, tuple(views[d] for d in ids)) for anchor, label, ids in kinds
            ],
            years=[(y, _Passages(entries, views, root)) for y, entries in years],
            total=total,
            year_links=links,
            overview=overview,
            year=year,
            pagination=paging,
        )

    site.page_from("chronology.html", path, deps, make)
