"""A page per document that has a critical apparatus: its witnesses (listWit), each with its siglum and
description, which the sigla of the apparatus entries link to."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from tei_edition.output.paths import folder
from tei_edition.tei.model import Document
from tei_edition.web.context import PageContext, Site
from tei_edition.web.views import DocumentView, document_views

WITNESS_FOLDER = "witnesses/"  # inside the document's folder: documents/<id>/witnesses/


@dataclass(frozen=True)
class Witness:
    """One witness: its anchor on the page (the xml:id made an HTML id token), siglum and description."""

    anchor: str
    siglum: str
    description: str


class WitnessPage(PageContext):
    """The context of a document's witness page."""

    doc: DocumentView
    witnesses: list[Witness]


def anchor_token(xml_id: str) -> str:
    """The HTML id of a witness, as xslt/apparatus.xsl links to it (ed:token)."""
    return re.sub(r"[^A-Za-z0-9_.\-]+", "-", " ".join(xml_id.split())) or "x"


def render_witnesses(site: Site, documents: Iterable[Document] | None = None) -> None:
    """Write the witness page of every document (of `documents`, else of the edition) that lists witnesses."""
    views = document_views(site)
    for doc in site.data.documents if documents is None else documents:
        listed = views.meta(doc.id).witnesses
        if not listed:
            continue
        path = folder("documents", doc.id) + WITNESS_FOLDER
        witnesses = [Witness(anchor_token(wid), siglum, text) for wid, siglum, text in listed]
        deps = site.inputs_hash("witnesses.html", (site.info, views.digest(doc.id), witnesses))

        def make(doc: Document = doc, path: str = path, witnesses: list[Witness] = witnesses) -> WitnessPage:
            view = views[doc.id]
            return WitnessPage(
                **site.base(path, f"Witnesses: {view.title}", "documents", f"The witnesses of {view.title}"),
                doc=view,
                witnesses=witnesses,
            )

        site.page_from("witnesses.html", path, deps, make)
