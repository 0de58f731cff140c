"""Output paths: every page, download and PDF is named by output/paths.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tei_edition.output.paths import (
    archive_document,
    archive_href,
    document_pdf,
    folder,
    href_between,
    register_href,
    relative_name,
    tei_href,
    volume_pdf,
)


@pytest.mark.parametrize(
    ("page", "target", "href"),
    [
        ("", "", "./"),
        ("persons/", "", "../"),
        ("persons/stalin/", "", "../../"),
        ("persons/stalin/2/", "persons/stalin/", "../"),
        ("chronology/1945/2/", "chronology/", "../../"),
        ("documents/a/", "persons/b/", "../../persons/b/"),
        ("", "about/", "about/"),
    ],
)
def test_links_between_pages_climb_to_the_common_folder(page: str, target: str, href: str) -> None:
    assert href_between(page, target) == href


def test_a_document_is_named_alike_in_every_output() -> None:
    doc_id = "Łódź-1945"
    segment = folder("documents", doc_id).split("/")[1]
    assert "~" in segment  # not plain ASCII: readable part + hash
    assert document_pdf(doc_id) == f"documents/{segment}.pdf"
    assert tei_href(doc_id) == f"downloads/tei/{segment}.xml"
    assert archive_document("Letters of Ada", doc_id) == f"letters-of-ada/documents/{segment}.xml"


def test_downloads_and_volumes() -> None:
    assert archive_href("Korea and the Soviet Union") == "downloads/korea-and-the-soviet-union-tei.zip"
    assert archive_href("Корея и СССР") == "downloads/edition-tei.zip"
    assert register_href(Path("tei/registers/persons.xml")) == "downloads/tei/registers/persons.xml"
    assert volume_pdf(1, 1) == "edition.pdf"
    assert [volume_pdf(n, 3) for n in (1, 2, 3)] == ["edition-1.pdf", "edition-2.pdf", "edition-3.pdf"]


def test_source_names_are_relative_to_the_edition_where_they_can_be(tmp_path: Path) -> None:
    assert relative_name(tmp_path / "tei" / "documents" / "a.xml", tmp_path) == "tei/documents/a.xml"
    outside = tmp_path.parent / "elsewhere.xml"
    assert relative_name(outside, tmp_path) == outside.as_posix()
    assert relative_name(tmp_path.parent / (tmp_path.name + "x") / "a.xml", tmp_path).endswith("x/a.xml")
