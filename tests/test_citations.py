"""Citations as scholars' tools read them: the Highwire Press and Dublin Core meta tags Zotero's Embedded Metadata
translator reads from a document page, names split into family and given in BibTeX and CSL-JSON, the reader's date
of access left to the reader's browser, the PDFs linked from the pages that offer them, and a passage's page."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import html

from tei_edition.config import load_config
from tei_edition.pipeline.build import BuildOptions, build_edition
from tei_edition.tei.header import Party
from tei_edition.tei.registers import Entity, Name
from tei_edition.web.citations import PersonName, _bib_name, _csl_name, party_name, split_name

REPO = Path(__file__).resolve().parents[1]
HARRIMAN = "documents/1945-07-harriman-truman"
BASE_URL = "https://example.org/korea-soviet-union/"

pytestmark = pytest.mark.skipif(
    not any((REPO / "tei" / "documents").glob("*.xml")), reason="the sample edition has no documents yet"
)


def copy_sample(target: Path) -> Path:
    """A copy of the repository's sample edition (its sources, configuration and About file)."""
    shutil.copytree(
        REPO, target, ignore=shutil.ignore_patterns("build", ".git", ".venv", ".ci", "bench", "tests", "src", "docs")
    )
    return target


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The sample edition built with its PDFs, at a fixed date; its site folder."""
    patch = pytest.MonkeyPatch()
    patch.setenv("SOURCE_DATE_EPOCH", "1714521600")  # 2024-05-01
    try:
        edition = copy_sample(tmp_path_factory.mktemp("cite") / "sample")
        build_edition(load_config(edition / "edition.toml"), BuildOptions(jobs=1))
        yield edition / "build" / "html"
    finally:
        patch.undo()


def meta(page: Path) -> list[tuple[str, str]]:
    """The (name, content) of a page's meta tags, in order."""
    tree = html.parse(str(page))
    return [(m.get("name"), m.get("content")) for m in tree.xpath("//head/meta[@name]")]


def values(tags: list[tuple[str, str]], name: str) -> list[str]:
    return [content for key, content in tags if key == name]


def test_document_page_has_the_meta_tags_zotero_reads(sample: Path) -> None:
    tags = meta(sample / HARRIMAN / "index.html")
    assert values(tags, "citation_title") == [
        "Telegram from the Ambassador in the Soviet Union (Harriman) to President Truman and the Secretary of State "
        "on the Stalin–Soong talks, Moscow, July 3, 1945"
    ]
    # One tag per author, surname first: Zotero splits "Family, Given" at the comma.
    assert values(tags, "citation_author") == ["Harriman, W. Averell"]
    assert values(tags, "DC.creator") == ["Harriman, W. Averell"]
    # Highwire dates are YYYY/MM/DD, Dublin Core's ISO 8601; the date is the version's, the build's.
    assert values(tags, "citation_publication_date") == ["2024/05/01"]
    assert values(tags, "citation_date") == ["2024/05/01"]
    assert values(tags, "DC.date") == ["2024-05-01"]
    assert values(tags, "citation_publisher") == values(tags, "DC.publisher") == ["tei-edition"]
    page_url = f"{BASE_URL}{HARRIMAN}/"
    assert values(tags, "citation_public_url") == values(tags, "citation_abstract_html_url") == [page_url]
    assert values(tags, "DC.identifier") == [page_url]
    assert values(tags, "DC.type") == ["Text"]
    assert values(tags, "DC.title") == values(tags, "citation_title")
    assert values(tags, "citation_inbook_title") == ["Korea and the Soviet Union, 1945–1967"]
    # The PDF's URL is absolute (the edition has a base_url) and the file is in the published site there.
    (pdf_url,) = values(tags, "citation_pdf_url")
    assert pdf_url == f"{BASE_URL}pdf/{HARRIMAN}.pdf"
    assert (sample / pdf_url[len(BASE_URL) :]).read_bytes().startswith(b"%PDF-")
    tree = html.parse(str(sample / HARRIMAN / "index.html"))
    assert tree.xpath("//head/link[@rel='schema.DC']/@href") == ["http://purl.org/dc/elements/1.1/"]


def test_a_body_or_a_description_stays_one_name(sample: Path) -> None:
    """The Czechoslovak report's author is a description (<rs>): never turned into 'Moscow, The Czechoslovak...'."""
    report = "documents/1967-06-02-soviet-korean-relations"
    assert values(meta(sample / report / "index.html"), "citation_author") == ["The Czechoslovak Ambassador in Moscow"]
    csl = json.loads((sample / report / "cite.json").read_text(encoding="utf-8"))
    assert csl[0]["author"] == [{"literal": "The Czechoslovak Ambassador in Moscow"}]
    assert "author = {{The Czechoslovak Ambassador in Moscow}}" in (sample / report / "cite.bib").read_text("utf-8")


def test_bibtex_and_csl_split_names(sample: Path) -> None:
    bib = (sample / HARRIMAN / "cite.bib").read_text(encoding="utf-8")
    assert "author = {Harriman, W. Averell}" in bib and "{{W. Averell Harriman}}" not in bib
    csl = json.loads((sample / HARRIMAN / "cite.json").read_text(encoding="utf-8"))
    assert csl[0]["author"] == [{"family": "Harriman", "given": "W. Averell"}]
    essay = json.loads((sample / "documents/2018-04-weathersby-division-of-korea/cite.json").read_text("utf-8"))
    assert essay[0]["author"] == [{"family": "Weathersby", "given": "Kathryn"}]


def test_no_build_date_is_given_as_the_date_of_access(sample: Path) -> None:
    page = sample / HARRIMAN / "index.html"
    tree = html.parse(str(page))
    (note,) = tree.xpath("//p[@id='citation-text']")
    assert note.text_content().endswith("accessed [date of access].")
    assert tree.xpath("//p[@id='citation-text']//*[@data-accessed]")
    assert tree.xpath("//head/script/@src") and "../../assets/accessed.js" in tree.xpath("//head/script/@src")
    assert (sample / "assets" / "accessed.js").is_file()
    for name in ("cite.bib", "cite.json"):
        text = (sample / HARRIMAN / name).read_text(encoding="utf-8")
        assert "urldate" not in text and "accessed" not in text, name


def test_the_access_date_is_filled_in_when_the_page_is_read(sample: Path) -> None:
    playwright_api = pytest.importorskip("playwright.sync_api")
    from test_browser import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto((sample / HARRIMAN / "index.html").as_uri())
            stamp = page.locator("#citation-text [data-accessed] time")
            playwright_api.expect(stamp).to_have_count(1)
            today = page.evaluate("new Date().getFullYear()")
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", stamp.get_attribute("datetime") or "")
            assert str(today) in stamp.inner_text() and "[date of access]" not in page.inner_text("#citation-text")
        finally:
            browser.close()


def test_pages_link_the_pdfs_with_their_sizes(sample: Path) -> None:
    doc = html.parse(str(sample / HARRIMAN / "index.html"))
    (link,) = doc.xpath("//section[@class='cite-panel']//a[@type='application/pdf']")
    assert link.get("href") == f"../../pdf/{HARRIMAN}.pdf"
    assert re.search(r"\(\d+ KB\)", link.getparent().text_content())
    home = html.parse(str(sample / "index.html"))
    (edition_pdf,) = home.xpath("//p[@class='glance-version']/a[@type='application/pdf']")
    assert edition_pdf.get("href") == "./pdf/edition.pdf" and (sample / "pdf" / "edition.pdf").is_file()
    size = (sample / "pdf" / "edition.pdf").stat().st_size
    assert f"({round(size / 1024)} KB)" in home.xpath("string(//p[@class='glance-version'])")
    downloads = html.parse(str(sample / "downloads" / "index.html"))
    hrefs = downloads.xpath("//section[@aria-labelledby='dl-pdf']//a/@href")
    assert "../pdf/edition.pdf" in hrefs and f"../pdf/{HARRIMAN}.pdf" in hrefs
    # The downloads page marks its own link as the current page, and no menu entry as its section.
    assert downloads.xpath("//a[@aria-current='page']/@href") == ["../downloads/"]
    assert not downloads.xpath("//nav//a[@aria-current]")


def test_a_build_without_pdfs_links_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1714521600")
    edition = copy_sample(tmp_path / "sample")
    build_edition(load_config(edition / "edition.toml"), BuildOptions(pdf=False, jobs=1))
    site = edition / "build" / "html"
    assert not (site / "pdf").exists()
    for page in (site / HARRIMAN / "index.html", site / "index.html", site / "downloads" / "index.html"):
        text = page.read_text(encoding="utf-8")
        assert ".pdf" not in text and "citation_pdf_url" not in text, page


def test_a_passage_names_the_source_page(sample: Path) -> None:
    """Stalin's page lists his mentions in the FRUS telegram with the volume's page each is on."""
    page = html.parse(str(sample / "persons" / "stalin" / "index.html"))
    (group,) = page.xpath("//section[@aria-labelledby='in-1945-07-harriman-truman']")
    pages = {span.text_content() for span in group.xpath(".//span[@class='passage-page']")}
    assert pages and pages <= {"(p. 912)", "(p. 913)", "(p. 914)"}
    essay = page.xpath("//section[@aria-labelledby='in-2018-04-weathersby-division-of-korea']")
    assert essay and not essay[0].xpath(".//span[@class='passage-page']")  # a blog post has no pages


def _entity(entity_id: str, kind: str, name: str, family: str = "", given: str = "") -> Entity:
    return Entity(entity_id, kind, (Name(name, None, "main"),), Path("r.xml"), 1, family=family, given=given)


def test_names_split_from_markup_register_or_last_word() -> None:
    entities = {
        "kim": _entity("kim", "person", "Kim Il Sung", "Kim", "Il Sung"),
        "cpsu": _entity("cpsu", "org", "Communist Party of the Soviet Union"),
    }
    # The register's surname and forename win over the last word (a surname that comes first).
    assert split_name("Kim Il Sung", "kim", entities) == PersonName("Kim Il Sung", "Kim", "Il Sung")
    assert split_name("W. Averell Harriman") == PersonName("W. Averell Harriman", "Harriman", "W. Averell")
    assert split_name("the editors").literal and split_name("Stalin").literal
    assert split_name("Communist Party of the Soviet Union", "cpsu", entities).literal
    assert party_name(Party("Mao Zedong", None, "person", "Mao", "Zedong")).inverted == "Mao, Zedong"
    assert party_name(Party("The Ambassador in Moscow", None, "person", described=True)).literal
    assert party_name(Party("Foreign Office", None, "org")).literal


def test_bibtex_and_csl_name_forms() -> None:
    assert _bib_name(PersonName("W. Averell Harriman", "Harriman", "W. Averell")) == "Harriman, W. Averell"
    assert _bib_name(PersonName("Ludwig van Beethoven", "van Beethoven", "Ludwig")) == "{van Beethoven}, Ludwig"
    assert _bib_name(PersonName("The tei-edition editors")) == "{The tei-edition editors}"
    assert _csl_name(PersonName("Kim Il Sung", "Kim", "Il Sung")) == {"family": "Kim", "given": "Il Sung"}
    assert _csl_name(PersonName("UNESCO")) == {"literal": "UNESCO"}


def test_a_header_name_marked_up_in_parts_is_cited_by_them() -> None:
    from lxml import etree

    from tei_edition.tei.header import read_header

    tree = etree.ElementTree(
        etree.fromstring(
            '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>A letter</title>'
            "<author><persName><forename>Augusta Ada</forename> <surname>King</surname></persName></author>"
            '<author><rs type="person">The Ambassador in Moscow</rs></author>'
            "<author><orgName>Foreign Office</orgName></author>"
            "</titleStmt></fileDesc></teiHeader></TEI>"
        )
    )
    names = [party_name(p) for p in read_header(tree).authors]
    assert [n.inverted for n in names] == ["King, Augusta Ada", "The Ambassador in Moscow", "Foreign Office"]
    assert [n.literal for n in names] == [False, True, True]
