"""The search index in shards: stable assignment, one shard re-indexed per edited document, same bytes as a clean
build."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("tei_edition.validate.relaxng")

from tei_edition.web import search  # noqa: E402
from test_incremental import build, edit, snapshot  # noqa: E402

# In three shards the engine fixture's five letters fall so:
# 0: letter-1843-ada, letter-1848-ada; 1: letter-1844-babbage, letter-1845-somerville; 2: letter-1851-babbage.
SHARDS = {
    "letter-1843-ada": 0,
    "letter-1848-ada": 0,
    "letter-1844-babbage": 1,
    "letter-1845-somerville": 1,
    "letter-1851-babbage": 2,
}


@pytest.fixture
def edition(engine_edition: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the engine fixture edition, built at a fixed date with its index in three shards."""
    monkeypatch.setattr(search, "shard_count", lambda documents: 3)
    return engine_edition


def test_shard_count_grows_as_the_square_root_then_shards_keep_to_250_pages() -> None:
    assert [search.shard_count(n) for n in (0, 1, 39, 40, 100, 1000, 4000, 6250)] == [1, 1, 1, 2, 3, 10, 20, 25]
    # then shards hold at most ~250 pages: a Pagefind process holds ~0.5 MB per page
    assert [search.shard_count(n) for n in (6251, 10_000, 40_000)] == [26, 40, 160]
    # Shards that large are indexed one at a time.
    assert search.parallel_indexes([["page"] * 100] * 10) == 2
    assert search.parallel_indexes([["page"] * 250] * 40) == 1


def test_pagefind_program_and_its_version_are_found_without_its_service() -> None:
    from importlib.metadata import version

    program, found = search.pagefind_program()
    assert program is not None and program.is_file()
    package = next(name for name in search._PROGRAM_PACKAGES if program.parent.name == name)
    assert found == version(package)


def test_shard_assignment_is_a_stable_function_of_the_document() -> None:
    # Fixed values: a change here moves documents between shards and re-indexes every edition once.
    assert [search.shard_of(f"doc-{i:05d}", 3) for i in range(8)] == [0, 0, 2, 0, 0, 0, 2, 1]
    assert {name: search.shard_of(name, 3) for name in SHARDS} == SHARDS
    sizes = [0, 0, 0]
    for i in range(600):
        sizes[search.shard_of(f"doc-{i:05d}", 3)] += 1
    assert all(150 < size < 250 for size in sizes)  # the hash spreads documents evenly


def test_each_shard_is_a_bundle_and_the_search_page_lists_the_others(edition: Path) -> None:
    summary = build(edition)
    assert summary.search is not None
    assert (summary.search.shards, summary.search.shards_indexed, summary.search.pages) == (3, 3, 5)
    site = edition / "build" / "html"
    assert json.loads((site / "pagefind/shards.json").read_text()) == {"shards": ["shard-1/", "shard-2/"]}
    assert (site / "pagefind/pagefind.js").is_file() and (site / "pagefind/wasm.en.pagefind").is_file()
    for k, pages in ((0, 2), (1, 2), (2, 1)):
        entry = json.loads((site / search.shard_prefix(k) / "pagefind-entry.json").read_text())
        assert entry["languages"]["en"]["page_count"] == pages
    # The merged shards hold index data only: the search page runs the first shard's scripts and wasm.
    assert sorted(p.name for p in (site / "pagefind/shard-1").iterdir() if p.is_file())[0] == "pagefind-entry.json"
    assert not list((site / "pagefind/shard-1").glob("*.js")) and not list((site / "pagefind/shard-1").glob("wasm*"))


def test_editing_one_document_reindexes_its_shard_only(edition: Path) -> None:
    build(edition)
    site = edition / "build" / "html"
    before = {rel: (site / rel).stat().st_ino for rel in snapshot(edition) if rel.startswith("pagefind/")}
    edit(edition / "tei/documents/letter-1844-babbage.xml", "is much improved", "is much improved again")
    summary = build(edition)
    assert summary.search is not None
    assert (summary.search.shards, summary.search.shards_indexed, summary.search.pages) == (3, 1, 2)
    incremental = snapshot(edition)
    carried = {rel for rel, inode in before.items() if rel in incremental and (site / rel).stat().st_ino == inode}
    assert any(rel.startswith("pagefind/shard-2/") for rel in carried)  # left as it was
    shard_2 = {rel for rel in before if rel.startswith("pagefind/shard-2/")}
    assert shard_2 <= carried  # all of it
    # The edited shard was indexed again: files whose content changed were replaced (those that came out the same
    # are left in place by the writer).
    assert not {rel for rel in before if rel.startswith("pagefind/shard-1/")} <= carried
    build(edition, clean=True)
    clean = snapshot(edition)
    assert sorted(incremental) == sorted(clean)
    assert [rel for rel in clean if incremental[rel] != clean[rel]] == []
    assert any(rel.startswith("pagefind/shard-1/fragment/") for rel in clean)


def test_adding_a_document_reindexes_the_shards_whose_pages_changed(edition: Path) -> None:
    build(edition)
    docs = edition / "tei/documents"
    text = (docs / "letter-1845-somerville.xml").read_text(encoding="utf-8")
    (docs / "letter-1846-somerville.xml").write_text(
        text.replace('xml:id="letter-1845-somerville"', 'xml:id="letter-1846-somerville"')
        .replace("1845-05-30", "1846-01-02")
        .replace("sends her regards", "sends a book"),
        encoding="utf-8",
    )
    summary = build(edition)
    assert summary.search is not None and summary.search.shards == 3
    assert summary.search.shards_indexed < 3
    incremental = snapshot(edition)
    build(edition, clean=True)
    assert incremental == snapshot(edition)


def test_a_changed_shard_file_is_made_again(edition: Path) -> None:
    build(edition)
    entry = edition / "build/html/pagefind/shard-2/pagefind-entry.json"
    entry.unlink()
    entry.write_text("{}", encoding="utf-8")  # edited by hand (a new file, not the hard link)
    edit(edition / "tei/documents/letter-1844-babbage.xml", "is much improved", "is much improved again")
    summary = build(edition)
    assert summary.search is not None and summary.search.shards_indexed == 2
    assert json.loads(entry.read_text())["languages"]["en"]["page_count"] == 1


def test_pagefind_reads_a_clean_builds_pages_where_they_are_staged(tmp_path: Path) -> None:
    staging = tmp_path / "staging"
    pages = {f"documents/{name}/index.html": staging / "documents" / name / "index.html" for name in ("d1", "d~2a")}
    assert search._page_folders(pages, staging) == ["d1", "d~2a"]  # its glob: documents/{d1,d~2a}/**/*.html
    # A page kept from the last build is not in the staging folder: the shard's pages are linked into one of its own.
    kept = {**pages, "documents/d3/index.html": tmp_path / "html" / "documents" / "d3" / "index.html"}
    assert search._page_folders(kept, staging) is None
    # A folder name a glob would read otherwise is never put into one.
    odd = {"documents/a{b/index.html": staging / "documents" / "a{b" / "index.html"}
    assert search._page_folders(odd, staging) is None
    assert search._page_folders(pages, None) is None


def test_a_glob_that_misses_pages_gives_way_to_a_folder_of_links(
    edition: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Should the glob naming a shard's folders select fewer pages than the shard has, the shard is indexed again
    from a folder of links to its pages: no page is left out of the search."""
    real = search._page_folders
    monkeypatch.setattr(search, "_page_folders", lambda files, staging: (real(files, staging) or [])[:1] or None)
    summary = build(edition)
    assert summary.search is not None and summary.search.pages == 5
    site = edition / "build" / "html"
    for k, pages in ((0, 2), (1, 2), (2, 1)):
        entry = json.loads((site / search.shard_prefix(k) / "pagefind-entry.json").read_text())
        assert entry["languages"]["en"]["page_count"] == pages
