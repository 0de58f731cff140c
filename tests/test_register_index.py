"""A register's index lists the entries the texts mention apart from those named only in the documents' headers
(publishers, archives, funders, the edition's own editors)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from test_site import build_site, parse, select

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield build_site(REPO, tmp_path_factory.mktemp("registers") / "html")


def test_organisations_named_only_in_headers_are_listed_apart(site: Path) -> None:
    page = parse(site / "orgs" / "index.html")
    apart = select(page, "section.header-only")
    assert len(apart) == 1 and select(apart[0], "h2")[0].text_content() == "Named only in the documents' headers"
    header_only = {a.get("href").split("/")[-2] for a in select(apart[0], "a.register-name")}
    assert header_only == {
        "leon-levy-foundation",
        "nkidp",
        "stanford-university-press",
        "steemit",
        "tei-edition-editors",
        "us-department-of-state",
        "us-gpo",
        "wilson-center",
        "woodrow-wilson-center-press",
    }
    actors = {a.get("href").split("/")[-2] for a in select(page, "section.letter-group a.register-name")}
    assert not actors & header_only
    assert {"cpsu", "un", "soviet-25th-army", "state-central-archive-prague"} <= actors  # the archive's stamp names it
    assert len(actors) + len(header_only) == 33
    # Nothing of them is counted as a mention, and the letters' menu leads to them.
    assert not select(apart[0], ".register-count")
    assert "#headers-only" in [a.get("href") for a in select(page, ".letter-nav a")]
    # Their pages are still written.
    assert (site / "orgs" / "steemit" / "index.html").is_file()


def test_entries_listed_apart_have_no_passage_in_the_texts(site: Path) -> None:
    for section in ("persons", "places", "orgs"):
        page = parse(site / section / "index.html")
        for entry in select(page, "section.header-only a.register-name"):
            entity = parse(site / section / entry.get("href").split("/")[-2] / "index.html")
            assert not select(entity, ".passages"), entry.get("href")
        for entry in select(page, "section.letter-group a.register-name")[:5]:
            entity = parse(site / section / entry.get("href").split("/")[-2] / "index.html")
            assert select(entity, ".passages"), entry.get("href")
