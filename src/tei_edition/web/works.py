"""The bibliography page: the works the registers list (tei/works.py), each with the documents that cite it."""

from __future__ import annotations

from dataclasses import dataclass

from tei_edition.output.paths import folder
from tei_edition.web.context import PageContext, Site
from tei_edition.web.views import DocumentView, document_views


@dataclass(frozen=True)
class WorkRow:
    """A work as the page lists it: its id (the anchor pointers lead to), its reference, the documents citing it."""

    id: str
    reference: str
    cited_in: tuple[DocumentView, ...]


class BibliographyPage(PageContext):
    """The context of the bibliography page."""

    works: list[WorkRow]


def render_bibliography(site: Site) -> None:
    """Write bibliography/ (nothing when the registers list no works)."""
    works = site.data.works
    if not works:
        return
    views = document_views(site)
    rows = [
        WorkRow(work.id, work.reference, tuple(views[doc_id] for doc_id in site.data.cited.get(work.id, ())))
        for work in works
    ]
    base = site.base(folder("bibliography"), "Bibliography", "bibliography", "The works the edition's texts cite")
    site.page("bibliography.html", BibliographyPage(**base, works=rows))
