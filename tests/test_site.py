"""The HTML edition built from the small fixture edition in tests/data/site/: pages, links, files, determinism."""

from __future__ import annotations

import dataclasses
import gzip
import io
import json
import os
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree, html

from tei_edition.config import EditionConfig, load_config
from tei_edition.errors import BuildError
from tei_edition.output.writer import OutputWriter
from tei_edition.tei.edition import EditionData, collect_edition
from tei_edition.tei.model import source_tree
from tei_edition.transform.jinja import make_env
from tei_edition.transform.xslt import Transformer
from tei_edition.validate import parse_edition
from tei_edition.web.render import render_site

FIXTURE = Path(__file__).resolve().parent / "data" / "site"
EPOCH = "1714521600"  # 2024-05-01T00:00:00Z
CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'"
)


def gather(config: EditionConfig) -> tuple[EditionData, dict[str, str]]:
    """Read an edition and transform its texts, as the build does before rendering."""
    data = collect_edition(config, parse_edition(config))
    transformer = Transformer(config.xslt_dir)
    bodies = {
        doc.id: transformer.transform(source_tree(doc), {"root": "../../", "media": "screen", "doc-id": doc.id})
        for doc in data.documents
    }
    return data, bodies


def build_site(edition: Path, out: Path, flagged: set[str] | None = None) -> Path:
    """Build the HTML edition of `edition` (a folder with edition.toml) into `out`, with a fixed build date."""
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        config = dataclasses.replace(load_config(edition / "edition.toml"), output_dir=out.parent)
        data, bodies = gather(config)
        data.flagged = set(flagged or ())
        writer = OutputWriter(out)
        try:
            render_site(data, bodies, writer)
        except BaseException:
            writer.abort()
            raise
        writer.commit()
    finally:
        if saved is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved
    return out


_SIMPLE = re.compile(r"([\w-]+)|\.([\w-]+)|#([\w-]+)|\[([\w-]+)(?:=['\"]?([^'\"\]]*)['\"]?)?\]")


def _xpath_of(compound: str) -> str:
    """One compound CSS selector (tag, .class, #id, [attr], [attr=value]) as an XPath step."""
    tag, tests = "*", []
    for name, cls, ident, attr, value in _SIMPLE.findall(compound):
        if name:
            tag = name
        elif cls:
            tests.append(f"contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')")
        elif ident:
            tests.append(f"@id='{ident}'")
        elif value:
            tests.append(f"@{attr}='{value}'")
        else:
            tests.append(f"@{attr}")
    return tag + "".join(f"[{t}]" for t in tests)


def select(el: html.HtmlElement, selector: str) -> list[html.HtmlElement]:
    """Elements matching a simple CSS selector (descendant combinators and commas only), in document order."""
    paths = [".//" + "//".join(_xpath_of(part) for part in group.split()) for group in selector.split(",")]
    return el.xpath(" | ".join(paths))


def pages(site: Path) -> list[Path]:
    """Every HTML page of a built site."""
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.relative_to(site).parts)


def parse(path: Path) -> html.HtmlElement:
    """An HTML page as an lxml tree."""
    return html.fromstring(path.read_bytes())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield build_site(FIXTURE, tmp_path_factory.mktemp("site") / "html")


def test_every_page_is_a_folder_with_index_html(site: Path) -> None:
    expected = [
        "index.html",
        "documents/stalin-mao-1951/index.html",
        "persons/index.html",
        "persons/stalin/index.html",
        "places/kaesong/index.html",
        "orgs/index.html",
        "orgs/cpsu/index.html",
        "chronology/index.html",
        "about/index.html",
        "search/index.html",
        "downloads/index.html",
        "downloads/tei/stalin-mao-1951.xml",
        "documents/stalin-mao-1951/cite.bib",
        "documents/stalin-mao-1951/cite.json",
        "sitemap.xml",
        "assets/site.css",
        "assets/site.js",
        "assets/search.js",
        "pagefind/pagefind.js",
    ]
    missing = [rel for rel in expected if not (site / rel).is_file()]
    assert missing == []


def test_document_page_has_metadata_panel(site: Path) -> None:
    page = parse(site / "documents/stalin-mao-1951/index.html")
    labels = [dt.text_content() for dt in select(page, ".meta-panel dt")]
    assert labels[:3] == ["Date", "From", "To"]
    assert {"Author", "Source", "Languages", "Licence"} <= set(labels)
    assert select(page, ".meta-panel time")[0].get("datetime") == "1951-08-28"
    sender = page.xpath("//div[@class='meta-row'][dt='From']/dd/a")
    assert [a.get("href") for a in sender] == ["../../persons/stalin/", "../../places/moscow/"]
    assert select(page, "h1")[0].text_content() == "Telegram from Stalin to Mao Zedong on the talks at Kaesong"


def test_archival_metadata_and_translator(site: Path) -> None:
    page = parse(site / "documents/report-1967/index.html")
    rows = {
        select(row, "dt")[0].text_content(): select(row, "dd")[0].text_content()
        for row in select(page, ".meta-panel .meta-row")
    }
    assert rows["Archive"] == "State Central Archive, Prague, File A, Novotny, 82 b. 8"
    assert rows["Translator"] == "Adolf Kotlik"
    assert rows["Original language"] == "Czech"
    assert "Kim Il Sung" in select(page, ".meta-panel .summary")[0].text_content()


def test_previous_and_next_follow_the_date_order(site: Path) -> None:
    page = parse(site / "documents/stalin-mao-1951/index.html")
    assert select(page, "a[rel=prev].pager-prev")[0].get("href") == "../../documents/essay-1945/"
    assert select(page, "a[rel=next].pager-next")[0].get("href") == "../../documents/report-1967/"
    first = parse(site / "documents/essay-1945/index.html")
    assert select(first, "a.pager-prev") == []


def test_entity_links_carry_ids_and_cards(site: Path) -> None:
    page = parse(site / "documents/stalin-mao-1951/index.html")
    links = select(page, ".document-text a.entity")
    assert links, "the text has tagged names"
    for a in links:
        assert re.fullmatch(r"n\d+", a.get("id") or "")
        assert (site / "documents/stalin-mao-1951" / a.get("href") / "index.html").resolve().is_file()
    kaesong = [a for a in links if a.get("data-ref") == "kaesong"]
    assert kaesong and kaesong[0].get("href") == "../../places/kaesong/"
    cards = {c.get("data-entity"): c for c in select(page, "#entity-cards [data-entity]")}
    assert {a.get("data-ref") for a in links} <= set(cards)
    assert cards["stalin"].get("data-name") == "Joseph Stalin"
    assert cards["stalin"].get("data-dates") == "1878–1953"
    assert cards["kaesong"].get("data-description") == "City near the 38th parallel, site of the first armistice talks."
    assert select(page, "#entity-cards")[0].get("hidden") is not None


def test_register_page_lists_passages_that_resolve(site: Path) -> None:
    page = parse(site / "places/kaesong/index.html")
    hrefs = [a.get("href") for a in select(page, ".mentions a.passage")]
    assert hrefs == ["../../documents/stalin-mao-1951/#n4", "../../documents/stalin-mao-1951/#n7"]
    target = parse(site / "documents/stalin-mao-1951/index.html")
    for href in hrefs:
        anchor = href.split("#")[1]
        assert target.get_element_by_id(anchor).get("data-ref") == "kaesong"
    assert select(page, ".passage mark")[0].text_content() == "Kaesong"
    facts = select(page, ".entity-facts")[0].text_content()
    assert "37.9700, 126.5500" in facts
    assert page.xpath("//a[@href='https://www.geonames.org/1843564']")
    assert page.xpath("//span[@lang='ko']")[0].text_content() == "개성"


def test_register_index_is_alphabetical_with_counts(site: Path) -> None:
    page = parse(site / "persons/index.html")
    names = [a.text_content() for a in select(page, "a.register-name")]
    assert names == ["Kim Il Sung", "Mao Zedong", "Stalin, Joseph"]
    assert [h.text_content() for h in select(page, ".letter-group h2")] == ["K", "M", "S"]
    counts = [c.text_content() for c in select(page, ".register-count")]
    assert counts[2] == "3 mentions in 2 documents"
    assert select(page, ".register-description")[2].text_content() == "Leader of the Soviet Union."
    assert select(parse(site / "orgs/index.html"), "a.register-name")


def test_chronology_is_in_date_order_and_links_to_passages(site: Path) -> None:
    page = parse(site / "chronology/index.html")
    years = [a.text_content() for a in select(page, ".year-nav a")]
    assert years == sorted(years) and years[0] == "1945" and "1967" in years
    starts = []
    for entry in select(page, ".timeline-entry"):
        date = select(entry, "time, .date-range")[0]
        value = date.get("datetime") or date.get("data-range")
        starts.append(value.split("/")[0].ljust(10, "0"))
    assert starts == sorted(starts)
    links = [a.get("href") for a in select(page, ".timeline-snippet a")]
    assert "../documents/stalin-mao-1951/#n2" in links
    assert select(page, "#y1951")


def test_zip_holds_every_tei_file_byte_for_byte(site: Path) -> None:
    archive = site / "downloads" / "fixture-letters-1945-1967-tei.zip"
    with zipfile.ZipFile(archive) as z:
        names = sorted(z.namelist())
        assert names == sorted(
            [f"fixture-letters-1945-1967/documents/{p.name}" for p in (FIXTURE / "tei/documents").glob("*.xml")]
            + [f"fixture-letters-1945-1967/registers/{p.name}" for p in (FIXTURE / "tei/registers").glob("*.xml")]
        )
        for info in z.infolist():
            assert info.date_time == (2024, 5, 1, 0, 0, 0)
            source = FIXTURE / "tei" / info.filename.split("/", 1)[1]
            assert z.read(info) == source.read_bytes()
    copied = site / "downloads/tei/report-1967.xml"
    assert copied.read_bytes() == (FIXTURE / "tei/documents/report-1967.xml").read_bytes()


def test_every_page_has_the_csp_lang_chrome_and_build_date(site: Path) -> None:
    for path in pages(site):
        page = parse(path)
        metas = page.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
        assert metas == [CSP], path
        assert page.get("lang") == "en", path
        assert select(page, "a.skip-link")[0].get("href") == "#main"
        assert select(page, "main#main"), path
        assert select(page, "footer .build-date")[0].get("datetime") == "2024-05-01"
        assert select(page, "footer .version")[0].text_content() == "2.1"
        assert not page.xpath("//script[not(@src) and not(@type='application/ld+json')]"), f"inline script: {path}"
        assert not page.xpath("//@style"), f"inline style: {path}"


def test_no_external_scripts_styles_or_images(site: Path) -> None:
    for path in pages(site):
        page = parse(path)
        for el in page.xpath("//script[@src] | //link[@rel='stylesheet' or @rel='icon'] | //img"):
            url = el.get("src") or el.get("href") or ""
            assert not re.match(r"^(https?:)?//", url), f"{path}: {url}"


def test_sitemap_lists_every_page_with_absolute_urls(site: Path) -> None:
    tree = etree.parse(str(site / "sitemap.xml"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = tree.xpath("//s:url/s:loc/text()", namespaces=ns)
    assert len(locs) == len(pages(site))
    assert "https://example.org/fixture/documents/stalin-mao-1951/" in locs
    assert all(loc.startswith("https://example.org/fixture/") for loc in locs)


def test_sitemap_escapes_what_xml_text_must() -> None:
    from tei_edition.web.pages import sitemap_xml

    locs = ["./", "documents/a&b/", "https://example.org/p?q=<1>"]
    tree = etree.fromstring(sitemap_xml(locs).encode("utf-8"))
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    assert tree.xpath("//s:url/s:loc/text()", namespaces=ns) == locs
    assert "<loc>documents/a&amp;b/</loc>" in sitemap_xml(locs)


def test_citation_in_three_forms(site: Path) -> None:
    page = parse(site / "documents/stalin-mao-1951/index.html")
    chicago = select(page, ".citation")[0]
    assert chicago.text_content() == (
        "Joseph Stalin, “Telegram from Stalin to Mao Zedong on the talks at Kaesong,” in Fixture Letters, "
        "1945–1967, ed. Ada Editor and Ben Reviewer, version 2.1 (Fixture Press, 2024), "
        "https://example.org/fixture/documents/stalin-mao-1951/, accessed [date of access]."
    )  # the reader's date of access is filled in by assets/accessed.js, never the build's date
    assert select(chicago, "i")[0].text_content() == "Fixture Letters, 1945–1967"
    csl = json.loads((site / "documents/stalin-mao-1951/cite.json").read_text(encoding="utf-8"))
    assert csl[0]["type"] == "manuscript"
    assert csl[0]["URL"] == "https://example.org/fixture/documents/stalin-mao-1951/"
    assert csl[0]["original-date"] == {"date-parts": [[1951, 8, 28]]}
    essay = json.loads((site / "documents/essay-1945/cite.json").read_text(encoding="utf-8"))
    assert essay[0]["type"] == "article" and essay[0]["author"] == [{"family": "Weathersby", "given": "Kathryn"}]
    bib = (site / "documents/stalin-mao-1951/cite.bib").read_text(encoding="utf-8")
    assert bib.startswith("@incollection{stalin-mao-1951,\n")
    assert "  editor = {Editor, Ada and Reviewer, Ben}," in bib and "urldate" not in bib
    assert bib.count("{") == bib.count("}")


def test_json_ld_describes_the_document(site: Path) -> None:
    page = parse(site / "documents/stalin-mao-1951/index.html")
    data = json.loads(page.xpath("//script[@type='application/ld+json']")[0].text)
    assert data["@type"] == "Message" and data["dateCreated"] == "1951-08-28"
    assert data["recipient"] == [{"@type": "Person", "name": "Mao Zedong"}]
    assert {"@type": "Place", "name": "Kaesong", "sameAs": ["https://www.geonames.org/1843564"]} in data["mentions"]


def test_home_lists_documents_sortably_with_introduction(site: Path) -> None:
    page = parse(site / "index.html")
    assert [p.text_content() for p in select(page, ".introduction p")] == [
        "Three short documents used to test the HTML edition.",
        "A second paragraph of the introduction.",
    ]
    rows = select(page, "table.documents tbody tr")
    assert [select(r, ".col-title a")[0].get("href") for r in rows] == [
        "./documents/essay-1945/",
        "./documents/stalin-mao-1951/",
        "./documents/report-1967/",
    ]
    assert [r.get("data-date") for r in rows] == sorted(r.get("data-date") for r in rows)
    assert {th.get("data-sort-key") for th in select(page, "th[data-sort-key]")} == {"date", "title", "type"}
    glance = [" ".join(li.text_content().split()) for li in select(page, ".at-a-glance li")]
    assert glance == ["3 documents", "3 persons", "3 places", "2 organisations", "7 dated passages"]
    assert select(page, ".glance-span")[0].text_content() == "Documents from 1945–1967"


def test_editorial_principles_are_on_the_document_page(site: Path) -> None:
    """A document's own editorial declaration is on its page, in prose; the About page is the editors' text."""
    page = parse(site / "documents/stalin-mao-1951/index.html")
    assert "Obvious typing errors are corrected" in select(page, ".editorial-notes")[0].text_content()
    about = parse(site / "about/index.html")
    assert "Obvious typing errors are corrected" not in about.text_content()


def test_search_markup_and_index(site: Path) -> None:
    page = parse(site / "documents/stalin-mao-1951/index.html")
    body = page.xpath("//*[@data-pagefind-body]")
    assert len(body) == 1 and select(body[0], ".tei-text")
    filters = page.xpath("//@data-pagefind-filter")
    assert {"year:1951", "type:correspondence", "places:Kaesong", "persons:Joseph Stalin"} <= set(filters)
    assert select(page, ".document-aside")[0].get("data-pagefind-ignore") == "all"
    assert not parse(site / "persons/stalin/index.html").xpath("//*[@data-pagefind-body]")
    search = parse(site / "search/index.html")
    assert select(search, "script[src='../assets/search.js']")
    assert select(search, "form#search-form")[0].get("data-bundle") == "../pagefind/"
    entry = json.loads((site / "pagefind/pagefind-entry.json").read_text())
    assert entry["languages"]["en"]["page_count"] == 3


def test_text_keeps_its_language_and_unknown_elements(site: Path) -> None:
    page = parse(site / "documents/stalin-mao-1951/index.html")
    assert select(page, ".tei-text")[0].get("lang") == "en"
    assert select(page, ".tei-text .foreign")[0].get("lang") == "ru"
    assert select(page, ".tei-text .foreign")[0].text_content() == "Москва"
    assert select(page, ".distinct")[0].text_content() == "An element without a rule still shows its text."


def test_flagged_documents_show_a_warning(tmp_path: Path) -> None:
    site = build_site(FIXTURE, tmp_path / "html", flagged={"report-1967"})
    assert select(parse(site / "documents/report-1967/index.html"), ".banner-warning")
    assert not select(parse(site / "documents/essay-1945/index.html"), ".banner-warning")


def test_edition_templates_assets_and_css_override_the_package(tmp_path: Path) -> None:
    edition = tmp_path / "edition"
    shutil.copytree(FIXTURE, edition)
    (edition / "templates" / "assets").mkdir(parents=True)
    (edition / "templates" / "about.html").write_text(
        '{% extends "base.html" %}{% block main %}<p class="own-about">Our own about page</p>{% endblock %}',
        encoding="utf-8",
    )
    (edition / "templates" / "assets" / "site.js").write_text("// our own script\n", encoding="utf-8")
    (edition / "extra.css").write_text("body { color: #000; }\n", encoding="utf-8")
    toml = (edition / "edition.toml").read_text(encoding="utf-8")
    (edition / "edition.toml").write_text(
        toml.replace('dir = "build"', 'dir = "build"\ncss = ["extra.css"]'), encoding="utf-8"
    )
    site = build_site(edition, tmp_path / "out" / "html")
    assert select(parse(site / "about/index.html"), ".own-about")[0].text_content() == "Our own about page"
    assert (site / "assets/site.js").read_text(encoding="utf-8") == "// our own script\n"
    assert select(parse(site / "index.html"), "link[href='./assets/extra/extra.css']")


@pytest.mark.parametrize(
    "template, message",
    [
        ("{% extends 'base.html' %}{% block main %}\n{% if %}{% endblock %}", "about.html:2: template error"),
        (
            "{% extends 'base.html' %}{% block main %}\n\n{{ no_such_value }}{% endblock %}",
            "about.html:3: template error: 'no_such_value' is undefined",
        ),
    ],
)
def test_a_broken_edition_template_names_its_file_and_line(tmp_path: Path, template: str, message: str) -> None:
    edition = tmp_path / "edition"
    shutil.copytree(FIXTURE, edition)
    (edition / "templates").mkdir()
    (edition / "templates" / "about.html").write_text(template, encoding="utf-8")
    with pytest.raises(BuildError) as info:
        build_site(edition, tmp_path / "out" / "html")
    assert message in str(info.value)
    assert str(edition / "templates" / "about.html") in str(info.value)
    assert not (tmp_path / "out" / "html").exists()


def test_make_env_escapes_and_prefers_the_edition(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "probe.html").write_text("{{ value }}", encoding="utf-8")
    config = dataclasses.replace(load_config(FIXTURE / "edition.toml"), templates_dir=tmp_path / "templates")
    env = make_env(config)
    assert env.get_template("probe.html").render(value="<b>&</b>") == "&lt;b&gt;&amp;&lt;/b&gt;"
    assert env.get_template("base.html") is not None


def _files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def _unordered_filters(files: dict[str, bytes]) -> list[list[bytes]]:
    """The bytes runs of each Pagefind filter file, sorted, so the order values are written in does not count."""
    out = []
    for rel, data in files.items():
        if rel.startswith("pagefind/filter/"):
            out.append(sorted(re.split(rb"[\x00-\x1f\x60-\x7f]", gzip.decompress(data))))
    return sorted(out)


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    """Everything is byte-identical except Pagefind's filter files: Pagefind 1.5 writes a filter's values in an
    order that changes from run to run, and so do the hashed names of those files and of the metadata file that
    lists them, and pagefind-entry.json."""
    first = _files(build_site(FIXTURE, tmp_path / "a" / "html"))
    second = _files(build_site(FIXTURE, tmp_path / "b" / "html"))
    unstable = re.compile(r"^pagefind/(filter/|pagefind-entry\.json$|pagefind\.[\w-]+\.pf_meta$)")
    stable_a = {rel: data for rel, data in first.items() if not unstable.match(rel)}
    stable_b = {rel: data for rel, data in second.items() if not unstable.match(rel)}
    assert sorted(stable_a) == sorted(stable_b)
    assert [rel for rel in stable_a if stable_a[rel] != stable_b[rel]] == []
    assert len([r for r in first if r.startswith("pagefind/filter/")]) == 5
    assert _unordered_filters(first) == _unordered_filters(second)


def test_zip_of_sources_matches_zipfile_and_reuses_compressed_members(tmp_path: Path) -> None:
    """The download zip is written member by member from compressed data kept in the build cache: it must be the
    archive zipfile makes, byte for byte, whether the members come from the cache or not."""
    from tei_edition.output.cache import BuildCache
    from tei_edition.web.downloads import _zipfile_zip, deterministic_zip

    members = [(f"edition/{p.name}", p) for p in sorted((Path(__file__).resolve().parents[1] / "tei").rglob("*.xml"))]
    when = (2024, 3, 5, 13, 45, 31)
    cache = BuildCache(tmp_path / "cache.sqlite")
    first = deterministic_zip(members, when, cache)
    assert first == _zipfile_zip(members, when)
    assert cache.misses == len(members) and cache.hits == 0
    again = deterministic_zip(members, when, cache)
    assert again == first and cache.hits == len(members)
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == sorted(name for name, _ in members)
        assert archive.read(members[0][0]) == members[0][1].read_bytes()
    cache.close()
