"""The EPUB editions: the edition's book and each document's, checked by epubcheck, with their metadata, contents,
footnotes and container; reproducible, incremental, staged like the rest of the build; and the EPUBs of a FRUS volume
and an ELTeC novel."""

from __future__ import annotations

import shutil
import subprocess
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

import tei_edition.print.epub as epub_package
from tei_edition.cli import main
from tei_edition.config import load_config
from tei_edition.errors import BuildError
from tei_edition.output.paths import document_epub, edition_epub
from tei_edition.pipeline import BuildOptions, build_edition
from tei_edition.print.epub.chapter import Links, chapter_text

REPO = Path(__file__).resolve().parents[1]
CORPORA = REPO.parent / "shared" / "corpora"
EPOCH = "1714521600"  # 1 May 2024
NS = {
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


def epubcheck_command() -> list[str] | None:
    """How to run epubcheck here: Debian installs it as a jar that only binfmt support makes executable."""
    found = shutil.which("epubcheck")
    if found is None:
        return None
    real = Path(found).resolve()
    if real.suffix == ".jar":
        java = shutil.which("java")
        return [java, "-jar", str(real)] if java else None
    return [found]


def assert_epubcheck_passes(*epubs: Path) -> None:
    command = epubcheck_command()
    if command is None:
        pytest.skip("epubcheck is not installed (Debian package epubcheck; .ci/run installs it)")
    for epub in epubs:
        result = subprocess.run(
            [*command, "--failonwarnings", str(epub)], capture_output=True, text=True, timeout=600, check=False
        )
        assert result.returncode == 0, f"epubcheck finds fault with {epub.name}:\n{result.stdout}{result.stderr}"


def copy_sample(target: Path) -> Path:
    shutil.copytree(REPO, target, ignore=shutil.ignore_patterns("build", ".git", ".venv", "bench", "tests", "src"))
    return target


def build(edition: Path, **options: bool) -> Path:
    config = load_config(edition / "edition.toml")
    build_edition(config, BuildOptions(pdf=False, jobs=1, **options))
    return config.html_dir


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The sample edition built once (without PDFs), at a fixed date: its site folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        edition = copy_sample(tmp_path_factory.mktemp("epub") / "edition")
        yield build(edition)


def read(epub: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(epub) as archive:
        return etree.fromstring(archive.read(name))


def chapter_files(epub: Path) -> list[str]:
    with zipfile.ZipFile(epub) as archive:
        return [n for n in archive.namelist() if n.startswith("EPUB/text/")]


def sample_ids() -> list[str]:
    return [doc.stem for doc in sorted((REPO / "tei" / "documents").glob("*.xml"))]


# ---- The sample edition ---------------------------------------------------------------------------------------------


def test_the_sample_edition_and_each_document_have_an_epub_that_epubcheck_passes(sample: Path) -> None:
    epubs = [sample / edition_epub(), *(sample / document_epub(doc_id) for doc_id in sample_ids())]
    assert all(epub.is_file() for epub in epubs)
    assert_epubcheck_passes(*epubs)


def test_the_container_is_deterministic_with_the_mimetype_first_and_stored(sample: Path) -> None:
    with zipfile.ZipFile(sample / edition_epub()) as archive:
        infos = archive.infolist()
        assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/epub+zip"
        assert not infos[0].extra
        assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in infos[1:])
    with open(sample / edition_epub(), "rb") as handle:
        assert handle.read(58)[30:58] == b"mimetypeapplication/epub+zip"


def test_the_metadata_names_the_edition_its_licence_and_a_stable_identifier(sample: Path) -> None:
    opf = read(sample / edition_epub(), "EPUB/package.opf")
    assert opf.get("version") == "3.0"
    meta = opf.find("opf:metadata", NS)
    assert meta is not None
    config = load_config(REPO / "edition.toml")
    expected = uuid.uuid5(uuid.NAMESPACE_URL, config.base_url.rstrip("/") + "/" + edition_epub())
    assert meta.findtext("dc:identifier", namespaces=NS) == f"urn:uuid:{expected}"
    assert meta.findtext("dc:title", namespaces=NS) == config.title
    assert meta.findtext("dc:creator", namespaces=NS) == config.editors[0]
    assert meta.findtext("dc:language", namespaces=NS) == "en"
    assert meta.findtext("dc:publisher", namespaces=NS) == config.publisher
    assert meta.findtext("dc:rights", namespaces=NS) == f"{config.licence} ({config.licence_url})"
    assert meta.findtext("dc:date", namespaces=NS) == "2024-05-01"
    assert meta.findtext("opf:meta[@property='dcterms:modified']", namespaces=NS) == "2024-05-01T00:00:00Z"
    roles = meta.xpath("opf:meta[@property='role']/text()", namespaces=NS)
    assert roles == ["edt"]


def test_a_documents_epub_names_its_author_and_source(sample: Path) -> None:
    opf = read(sample / document_epub("1945-07-harriman-truman"), "EPUB/package.opf")
    assert opf.xpath("//dc:creator/text()", namespaces=NS) == ["W. Averell Harriman"]
    assert "Foreign Relations of the United States" in opf.findtext(".//dc:source", namespaces=NS)
    assert opf.findtext(".//dc:identifier", namespaces=NS).startswith("urn:uuid:")
    assert opf.findtext(".//dc:identifier", namespaces=NS) != read(
        sample / document_epub("1967-06-02-soviet-korean-relations"), "EPUB/package.opf"
    ).findtext(".//dc:identifier", namespaces=NS)


def test_the_contents_list_every_document_and_the_landmarks_the_books_parts(sample: Path) -> None:
    epub = sample / edition_epub()
    nav = read(epub, "EPUB/nav.xhtml")
    toc = nav.xpath("//x:nav[@epub:type='toc']//x:a/@href", namespaces=NS)
    chapters = [f"EPUB/{href}" for href in toc if href.startswith("text/")]
    assert chapters == [f"EPUB/text/{doc_id}.xhtml" for doc_id in sample_ids()] == chapter_files(epub)
    assert "title.xhtml" in toc and "introduction.xhtml" in toc
    landmarks = nav.xpath("//x:nav[@epub:type='landmarks']//x:a/@epub:type", namespaces=NS)
    assert landmarks == ["titlepage", "toc", "bodymatter", "index"]
    assert toc[-1] == "indexes.xhtml"
    intro = read(epub, "EPUB/introduction.xhtml")
    assert "Editorial signs" in "".join(intro.itertext()) and intro.xpath("//x:dl[@class='signs']/x:dt", namespaces=NS)
    title = "".join(read(epub, "EPUB/title.xhtml").itertext())
    assert "Edited by The tei-edition editors" in title and "CC BY 4.0" in title


def test_notes_are_footnotes_the_references_lead_to(sample: Path) -> None:
    epub = sample / edition_epub()
    for name in chapter_files(epub):
        page = read(epub, name)
        refs = page.xpath("//x:a[@epub:type='noteref']", namespaces=NS)
        asides = page.xpath("//x:aside[@epub:type='footnote']", namespaces=NS)
        assert not page.xpath("//x:section[@class='notes']//x:li", namespaces=NS)
        ids = {aside.get("id") for aside in asides}
        assert {ref.get("href")[1:] for ref in refs} <= ids, name
        for aside in asides:
            back = aside.find("x:a[@class='note-number']", NS)
            assert back is not None and page.xpath(f"//*[@id='{back.get('href')[1:]}']"), name
    harriman = read(epub, "EPUB/text/1945-07-harriman-truman.xhtml")
    note = harriman.find(".//x:aside", NS)
    assert note is not None and "Chiang Ching-kuo" in "".join(note.itertext())


def test_the_indexes_lead_to_the_first_mention_in_each_document(sample: Path) -> None:
    epub = sample / edition_epub()
    indexes = read(epub, "EPUB/indexes.xhtml")
    assert indexes.xpath("//x:section[@epub:type='index']/x:h2/text()", namespaces=NS) == [
        "Persons",
        "Places",
        "Organisations",
    ]
    stalin = indexes.xpath("//x:li[starts-with(., 'Stalin')]", namespaces=NS)
    assert len(stalin) == 1
    links = stalin[0].xpath("x:a/@href", namespaces=NS)
    assert len(links) >= 3 and len({link.split("#")[0] for link in links}) == len(links)
    for link in links:
        file, anchor = link.split("#")
        target = read(epub, f"EPUB/{file}").xpath(f"//*[@id='{anchor}']", namespaces=NS)
        assert target and target[0].get("data-ref") == "stalin", link


def test_a_book_holds_no_script_and_fetches_nothing(sample: Path) -> None:
    for epub in [sample / edition_epub(), *(sample / document_epub(d) for d in sample_ids())]:
        with zipfile.ZipFile(epub) as archive:
            for name in archive.namelist():
                if name.endswith((".xhtml", ".css")):
                    text = archive.read(name).decode("utf-8")
                    assert "<script" not in text and 'src="http' not in text and "url(http" not in text, name
                    assert "../../persons/" not in text and "../../documents/" not in text, name


def test_the_edition_embeds_its_text_face_with_the_licence(sample: Path) -> None:
    with zipfile.ZipFile(sample / edition_epub()) as archive:
        fonts = [n for n in archive.namelist() if n.startswith("EPUB/fonts/") and n.endswith(".ttf")]
        if not fonts:
            pytest.skip("EB Garamond (fontpkg-eb-garamond) or a writable font cache is missing here")
        assert len(fonts) == 4
        assert "SIL OPEN FONT LICENSE" in archive.read("EPUB/fonts/OFL.txt").decode("utf-8")
        css = archive.read("EPUB/css/edition.css").decode("utf-8")
        assert css.count("@font-face") == 4 and "serif" in css
    with zipfile.ZipFile(sample / document_epub(sample_ids()[0])) as archive:
        assert not [n for n in archive.namelist() if n.startswith("EPUB/fonts/")]


def test_the_site_links_the_epubs(sample: Path) -> None:
    downloads = (sample / "downloads" / "index.html").read_text(encoding="utf-8")
    assert f'href="../{edition_epub()}"' in downloads
    doc_id = sample_ids()[0]
    page = (sample / "documents" / doc_id / "index.html").read_text(encoding="utf-8")
    assert f'href="../../{document_epub(doc_id)}"' in page


# ---- Builds ---------------------------------------------------------------------------------------------------------


def epub_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted((site / "epub").rglob("*.epub"))}


def test_builds_are_reproducible_and_incremental(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    edition = copy_sample(tmp_path / "edition")
    site = build(edition)
    first = epub_files(site)
    stats = {name: (site / name).stat().st_mtime_ns for name in first}
    edited_id = sample_ids()[-1]
    source = edition / "tei" / "documents" / f"{edited_id}.xml"
    text = source.read_text(encoding="utf-8")
    at = text.index("</p>", text.index("<body"))
    source.write_text(text[:at] + " An added sentence." + text[at:], encoding="utf-8")
    # The edition's book is made again around the edited chapter alone: the others' texts come from the cache.
    converted: list[Path] = []
    real_chapter_text = epub_package.chapter_text
    monkeypatch.setattr(
        epub_package, "chapter_text", lambda *args, **kw: converted.append(args[2]) or real_chapter_text(*args, **kw)
    )
    build(edition)
    assert [path.name for path in converted] == [source.name]
    second = epub_files(site)
    changed = sorted(name for name in first if first[name] != second[name])
    assert changed == sorted([edition_epub(), document_epub(edited_id)])
    assert all((site / name).stat().st_mtime_ns == stats[name] for name in first if name not in changed)
    clean = copy_sample(tmp_path / "clean")
    shutil.copyfile(source, clean / "tei" / "documents" / source.name)
    assert epub_files(build(clean, clean=True)) == second


def test_a_failed_epub_leaves_the_previous_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    edition = copy_sample(tmp_path / "edition")
    site = build(edition)
    before = epub_files(site)
    (edition / "templates" / "epub").mkdir(parents=True)
    (edition / "templates" / "epub" / "nav.html").write_text("{{ no_such_thing.title }}", encoding="utf-8")
    with pytest.raises(BuildError, match=r"nav\.html.*template error in the EPUB"):
        build(edition)
    assert epub_files(site) == before


def test_no_epub_leaves_them_out_and_the_pages_do_not_offer_them(tmp_path: Path) -> None:
    edition = copy_sample(tmp_path / "edition")
    result = CliRunner().invoke(
        main, ["build", "--no-pdf", "--no-epub", "--jobs", "1", "--config", str(edition / "edition.toml")]
    )
    assert result.exit_code == 0, result.output
    site = edition / "build" / "html"
    assert not (site / "epub").exists()
    assert ".epub" not in (site / "downloads" / "index.html").read_text(encoding="utf-8")


# ---- A chapter's text -----------------------------------------------------------------------------------------------

FRAGMENT = (
    '<div class="tei-text" lang="en"><div class="body"><p>'
    '<a class="entity entity-person" href="../../persons/stalin/">Stalin</a> wrote'
    '<a class="noteref" id="noteref-1" href="#note-1">1</a> to<a class="noteref" id="noteref-a" href="#note-a">a</a> '
    '<a class="ref" href="../../documents/other/#p2">the other</a>, see '
    '<a class="ref external" href="https://example.org/x" rel="noopener">this</a>.'
    '<img src="../../images/missing.png" alt="A map"/></p></div>'
    '<section class="notes" aria-label="Notes"><ol><li id="note-1" value="1">A <em>note</em>. '
    '<a class="noteback" href="#noteref-1" aria-label="Back">↩</a></li>'
    '<li id="note-a" class="labelled"><span class="note-label">a</span> Lettered. '
    '<a class="noteback" href="#noteref-a">↩</a></li></ol></section></div>'
)


def parse_chapter(xhtml: str) -> etree._Element:
    return etree.fromstring(f'<body xmlns="{NS["x"]}" xmlns:epub="{NS["epub"]}">{xhtml}</body>')


def test_a_chapter_resolves_links_within_the_book_or_makes_them_text(tmp_path: Path) -> None:
    inside = chapter_text(FRAGMENT, Links({"documents/other/": "other.xhtml"}), tmp_path / "d.xml", tmp_path)
    page = parse_chapter(inside.xhtml)
    assert page.xpath("//x:a[.='the other']/@href", namespaces=NS) == ["other.xhtml#p2"]
    assert inside.cross_links
    assert not page.xpath("//x:a[.='Stalin']", namespaces=NS) and page.xpath("//x:span[.='Stalin']", namespaces=NS)
    assert page.xpath("//x:a[.='this']/@href", namespaces=NS) == ["https://example.org/x"]
    assert page.xpath("//x:span[@class='graphic graphic-missing']/text()", namespaces=NS) == ["[Image: A map]"]
    alone = parse_chapter(chapter_text(FRAGMENT, Links({}), tmp_path / "d.xml", tmp_path).xhtml)
    assert alone.xpath("//x:span[.='the other']", namespaces=NS)
    online = chapter_text(FRAGMENT, Links({}, "https://ed.org/"), tmp_path / "d.xml", tmp_path).xhtml
    assert parse_chapter(online).xpath("//x:a[.='the other']/@href", namespaces=NS) == [
        "https://ed.org/documents/other/#p2"
    ]


def test_a_chapter_turns_the_notes_into_footnotes(tmp_path: Path) -> None:
    page = parse_chapter(chapter_text(FRAGMENT, Links(), tmp_path / "d.xml", tmp_path).xhtml)
    ref = page.find(".//x:a[@id='noteref-1']", NS)
    assert ref is not None and ref.get(EPUB_TYPE) == "noteref" and ref.get("role") == "doc-noteref"
    asides = page.findall(".//x:aside", NS)
    assert [a.get("id") for a in asides] == ["note-1", "note-a"]
    assert all(a.get(EPUB_TYPE) == "footnote" for a in asides)
    assert [a.findtext("x:a[@class='note-number']", namespaces=NS) for a in asides] == ["1", "a"]
    assert " ".join("".join(asides[0].itertext()).split()) == "1 A note."
    assert not page.xpath("//*[@class='noteback'] | //x:li", namespaces=NS)


# ---- Other projects' TEI --------------------------------------------------------------------------------------------

MINIMAL = '[edition]\ntitle = "{title}"\n\n[sources]\ndocuments = "tei"\n'


@pytest.mark.skipif(not (CORPORA / "frus").is_dir(), reason="../shared/corpora is not here")
def test_the_epubs_of_a_frus_volume_and_an_eltec_novel_pass_epubcheck(tmp_path: Path) -> None:
    """Three documents of the FRUS volume (the volume cut down, to keep the test short) and an ELTeC novel."""
    edition = tmp_path / "edition"
    (edition / "tei").mkdir(parents=True)
    (edition / "edition.toml").write_text(MINIMAL.format(title="Other projects"), encoding="utf-8")
    tree = etree.parse(str(CORPORA / "frus" / "frus1870.xml"))
    tei = "{http://www.tei-c.org/ns/1.0}"
    for extra in tree.findall(f".//{tei}div[@type='document']")[3:]:
        extra.getparent().remove(extra)
    tree.write(str(edition / "tei" / "frus1870.xml"), encoding="utf-8", xml_declaration=True)
    shutil.copyfile(CORPORA / "eltec" / "ENG18652_Carroll.xml", edition / "tei" / "ENG18652_Carroll.xml")
    result = CliRunner().invoke(
        main, ["build", "--no-pdf", "--keep-going", "--jobs", "1", "--config", str(edition / "edition.toml")]
    )
    assert result.exit_code in (0, 1), result.output
    site = edition / "build" / "html"
    book = site / edition_epub()
    nav = read(book, "EPUB/nav.xhtml")
    listed = nav.xpath("//x:nav[@epub:type='toc']//x:a/@href", namespaces=NS)
    chapters = [f"EPUB/{href}" for href in listed if href.startswith("text/")]
    assert sorted(chapters) == sorted(chapter_files(book)) and len(chapters) == len(set(chapters))
    documents = sorted(p.stem for p in (site / "epub" / "documents").glob("*.epub"))
    assert len(chapters) == len(documents) and "ENG18652" in documents
    frus_parts = [d for d in documents if d.startswith("frus1870-")]
    assert len(frus_parts) == 3
    assert "text/frus1870.xhtml" in listed  # the volume's own page (front and back matter) too
    notes = [
        aside
        for name in chapter_files(book)
        if "frus1870-" in name
        for aside in read(book, name).xpath("//x:aside[@epub:type='footnote']", namespaces=NS)
    ]
    assert notes, "the FRUS documents' footnotes are EPUB footnotes"
    part = site / "epub" / "documents" / f"{frus_parts[0]}.epub"
    assert_epubcheck_passes(book, part, site / document_epub("ENG18652"))
