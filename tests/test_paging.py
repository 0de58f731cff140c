"""Lists too long for one page: an entity's passages in parts of DOCUMENTS_PER_PAGE documents, the chronology in a
page per year (in parts of PASSAGES_PER_PAGE), with links between them, the same passages as on one page, and an
edit that renders again only the part it changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html

pytest.importorskip("tei_edition.validate.relaxng")

from tei_edition.output.paths import part_folder  # noqa: E402
from tei_edition.web import (
    chronology,  # noqa: E402
    registers,  # noqa: E402
)
from tei_edition.web.context import pagination  # noqa: E402
from test_incremental import assert_same_as_clean, build, snapshot  # noqa: E402
from test_links import ids_of, internal_links, resolve  # noqa: E402

GROUP = re.compile(r'<section class="mention-group".*?</section>', re.S)
ENTRY = re.compile(r'<li class="timeline-entry.*?</li>', re.S)


def test_pagination_links_the_first_last_and_nearby_pages() -> None:
    first = pagination(1, 10, 100, 940)
    assert (first.first, first.last, first.total, first.previous, first.next) == (1, 100, 940, "", "2/")
    assert [(link.number, link.href, link.current) for link in first.links] == [
        (1, "./", True),
        (2, "2/", False),
        (3, "3/", False),
        (10, "10/", False),
    ]
    middle = pagination(5, 10, 100, 940)
    assert [link.number for link in middle.links] == [1, 3, 4, 5, 6, 7, 10]
    assert (middle.previous, middle.next, middle.links[0].href) == ("../4/", "../6/", "../")
    last = pagination(10, 10, 100, 940)
    assert (last.first, last.last, last.next, last.previous) == (901, 940, "", "../9/")
    assert (
        part_folder("persons/stalin/", 1) == "persons/stalin/"
        and part_folder("persons/stalin/", 3) == "persons/stalin/3/"
    )


def parts_of(site: Path) -> dict[str, list[Path]]:
    """The entity pages that come in parts: first page's folder -> every part's page, in order."""
    out = {}
    for second in sorted(site.glob("*/*/2/index.html")):
        folder = second.parent.parent
        count = len(list(folder.glob("*/index.html"))) + 1
        out[folder.relative_to(site).as_posix()] = [folder / "index.html"] + [
            folder / str(n) / "index.html" for n in range(2, count + 1)
        ]
    return out


def groups(page: Path, deeper: bool) -> list[str]:
    """The passage groups of an entity page, their links as from the entity's first page."""
    text = page.read_text(encoding="utf-8")
    found = GROUP.findall(text)
    return [g.replace('href="../../../', 'href="../../') for g in found] if deeper else found


def test_an_entity_named_in_many_documents_has_its_passages_on_several_pages(
    engine_edition: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(engine_edition)
    whole = snapshot(engine_edition)
    monkeypatch.setattr(registers, "DOCUMENTS_PER_PAGE", 2)
    build(engine_edition, clean=True)
    site = engine_edition / "build" / "html"
    paged = parts_of(site)
    assert paged, "no entity of the fixture is named in more than two documents"
    for folder, pages in paged.items():
        # The same groups in the same order as on the single page, two documents a page.
        single = GROUP.findall(whole[f"{folder}/index.html"].decode("utf-8"))
        split = [groups(page, deeper=n > 0) for n, page in enumerate(pages)]
        assert [g for part in split for g in part] == single
        assert all(len(part) == 2 for part in split[:-1]) and 1 <= len(split[-1]) <= 2
        second = pages[1].read_text(encoding="utf-8")
        assert f"Documents 3–{min(4, len(single))} of {len(single)}" in second
        assert '<span aria-current="page">2</span>' in second and 'rel="prev" href' not in second
    # Every link of every part, to documents, anchors and the other parts, resolves.
    broken = []
    cache: dict[Path, set[str]] = {}
    for pages in paged.values():
        for page in pages:
            for line, url in internal_links(page, html.fromstring(page.read_bytes())):
                target, fragment = resolve(site, page, url)
                if not target.is_file() or (fragment and fragment not in ids_of(target, cache)):
                    broken.append(f"{page.relative_to(site)}:{line}: {url}")
    assert broken == []
    assert_same_as_clean(engine_edition)


def test_an_edit_renders_again_only_the_part_that_shows_it(
    engine_edition: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(registers, "DOCUMENTS_PER_PAGE", 2)
    build(engine_edition)
    site = engine_edition / "build" / "html"
    folder, pages = next(iter(parts_of(site).items()))
    entity = folder.split("/")[1]
    # A document whose passages are on the last part: a word before its first mention of the entity.
    link = html.fromstring(pages[-1].read_bytes()).xpath("//a[contains(@class, 'passage')]")[0]
    document = resolve(site, pages[-1], link.get("href"))[0].parent.name
    source = engine_edition / "tei" / "documents" / f"{document}.xml"
    text = source.read_text(encoding="utf-8")
    name = re.search(rf'<\w+ ref="#{entity}"', text)
    assert name is not None
    before = {page: (page.stat().st_ino, page.stat().st_mtime_ns) for page in pages}
    source.write_text(text[: name.start()] + "newly " + text[name.start() :], encoding="utf-8")
    assert build(engine_edition).processed == 1
    changed = [page for page in pages if (page.stat().st_ino, page.stat().st_mtime_ns) != before[page]]
    assert changed == [pages[-1]]
    assert "newly" in pages[-1].read_text(encoding="utf-8")
    assert_same_as_clean(engine_edition)


def test_a_long_chronology_has_a_page_per_year(engine_edition: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(engine_edition)
    single = ENTRY.findall(snapshot(engine_edition)["chronology/index.html"].decode("utf-8"))
    assert len(single) > 3
    monkeypatch.setattr(chronology, "PASSAGES_PER_PAGE", 1)
    build(engine_edition, clean=True)
    site = engine_edition / "build" / "html" / "chronology"
    overview = html.fromstring((site / "index.html").read_bytes())
    assert not overview.xpath("//li[contains(@class, 'timeline-entry')]")  # the years only
    years = [
        (a.get("href"), int(a.getparent().xpath("string(.//span[@class='year-count'])").split()[0]))
        for a in overview.xpath("//nav[@class='year-list']//a")
    ]
    assert len(years) > 1 and sum(count for _href, count in years) == len(single)
    # The year pages (and their parts) hold every passage, in the order of the single page, one a page here.
    found = []
    for href, count in years:
        for number in range(1, count + 1):
            page = site / href / ("" if number == 1 else f"{number}/") / "index.html"
            entries = ENTRY.findall(page.read_text(encoding="utf-8"))
            assert len(entries) == 1
            found += [e.replace('href="../../../', 'href="../').replace('href="../../', 'href="../') for e in entries]
            if count > 1:
                assert f"Events {number}–{number} of {count}" in page.read_text(encoding="utf-8")
    assert found == single
    broken = []
    cache: dict[Path, set[str]] = {}
    for page in sorted(site.rglob("index.html")):
        for line, url in internal_links(page, html.fromstring(page.read_bytes())):
            target, fragment = resolve(site.parent, page, url)
            if not target.is_file() or (fragment and fragment not in ids_of(target, cache)):
                broken.append(f"{page.relative_to(site)}:{line}: {url}")
    assert broken == []
    assert_same_as_clean(engine_edition)
