"""Incremental builds: nothing changed does nothing, and any change gives exactly the output of a clean build."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("tei_edition.validate.relaxng")

from tei_edition.config import load_config  # noqa: E402
from tei_edition.pipeline import BuildOptions, BuildSummary, build_edition  # noqa: E402


@pytest.fixture
def edition(engine_edition: Path) -> Path:
    """A fresh copy of the engine fixture edition, built at a fixed date."""
    return engine_edition


def build(root: Path, clean: bool = False) -> BuildSummary:
    """Build the edition at `root` (its configuration read afresh, as the command does)."""
    return build_edition(load_config(root / "edition.toml"), BuildOptions(pdf=False, clean=clean, jobs=1))


def snapshot(root: Path) -> dict[str, bytes]:
    """Every output file of the HTML edition, by path."""
    html = root / "build" / "html"
    return {p.relative_to(html).as_posix(): p.read_bytes() for p in sorted(html.rglob("*")) if p.is_file()}


def assert_same_as_clean(root: Path) -> dict[str, bytes]:
    """The incremental output equals, byte for byte, a clean build of the same sources."""
    incremental = snapshot(root)
    build(root, clean=True)
    clean = snapshot(root)
    assert sorted(incremental) == sorted(clean)
    differing = [name for name in clean if incremental[name] != clean[name]]
    assert differing == []
    return clean


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_build_with_nothing_changed_does_nothing(edition: Path) -> None:
    build(edition)
    index = edition / "build" / "html" / "index.html"
    before = index.stat()
    summary = build(edition)
    assert summary.up_to_date
    assert summary.processed == 0
    assert summary.documents == 5
    after = index.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_editing_one_document_processes_only_that_document(edition: Path) -> None:
    build(edition)
    edit(edition / "tei/documents/letter-1844-babbage.xml", "is much improved", "is much improved again")
    summary = build(edition)
    assert not summary.up_to_date
    assert summary.processed == 1
    assert summary.reused == 7
    pages = assert_same_as_clean(edition)
    assert b"much improved again" in pages["documents/letter-1844-babbage/index.html"]


def test_unchanged_documents_are_not_read_again(edition: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tei_edition.pipeline import sources as pipeline_sources

    sources = sorted((edition / "tei").rglob("*.xml"))
    long_ago = 1_600_000_000
    for number, path in enumerate(sources):
        os.utime(path, ns=(long_ago * 10**9 + number, long_ago * 10**9 + number))  # settled: older than 3 s
    build(edition)  # hashes every source, and records the status of each
    read: list[str] = []
    original = pipeline_sources.read_source

    def counted(path: Path) -> bytes:
        read.append(path.name)
        return original(path)

    monkeypatch.setattr(pipeline_sources, "read_source", counted)
    assert build(edition).up_to_date
    assert sorted(read) == ["orgs.xml", "persons.xml", "places.xml"]  # the registers, whose bytes every worker needs
    # The same size, another content, another time: read, and found changed.
    letter = edition / "tei/documents/letter-1844-babbage.xml"
    edit(letter, "is much improved", "is much improvEd")
    os.utime(letter, ns=(long_ago * 10**9 + 999, long_ago * 10**9 + 999))
    read.clear()
    summary = build(edition)
    assert summary.processed == 1 and "letter-1844-babbage.xml" in read
    assert b"much improvEd" in assert_same_as_clean(edition)["documents/letter-1844-babbage/index.html"]


def test_a_source_just_written_is_read_again_by_the_next_build(edition: Path) -> None:
    from tei_edition.pipeline.sources import SourceContents
    from tei_edition.tei.discover import discover_sources

    config = load_config(edition / "edition.toml")
    sources = discover_sources(config)
    for path in sources.all:
        os.utime(path)  # written now
    fresh = SourceContents(sources)
    assert all(fresh.stat(p) == "" for p in sources.all)  # written moments ago: their status is not trusted yet
    old = sources.documents[0]
    os.utime(old, ns=(1_600_000_000 * 10**9, 1_600_000_000 * 10**9))
    settled = SourceContents(sources)
    assert settled.stat(old) and not settled.stat(sources.documents[1])
    # A recorded status that does not match the file: the file is read and hashed.
    known = {old: (settled.stat(old), "not-the-hash")}
    assert SourceContents(sources, known).digest(old) == "not-the-hash"
    known = {old: ("1:2:3", "not-the-hash")}
    assert SourceContents(sources, known).digest(old) == settled.digest(old)


def test_adding_a_document(edition: Path) -> None:
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
    assert summary.processed == 1 and summary.documents == 6
    pages = assert_same_as_clean(edition)
    assert "documents/letter-1846-somerville/index.html" in pages


def test_deleting_a_document(edition: Path) -> None:
    build(edition)
    (edition / "tei/documents/letter-1848-ada.xml").unlink()
    summary = build(edition)
    assert summary.processed == 0 and summary.documents == 4
    pages = assert_same_as_clean(edition)
    assert not any(name.startswith("documents/letter-1848-ada/") for name in pages)


def test_renaming_a_document_file_and_its_id(edition: Path) -> None:
    build(edition)
    docs = edition / "tei/documents"
    old = docs / "letter-1851-babbage.xml"
    text = old.read_text(encoding="utf-8").replace('xml:id="letter-1851-babbage"', 'xml:id="letter-1851-exhibition"')
    old.unlink()
    (docs / "letter-1851-exhibition.xml").write_text(text, encoding="utf-8")
    build(edition)
    pages = assert_same_as_clean(edition)
    assert "documents/letter-1851-exhibition/index.html" in pages
    assert "documents/letter-1851-babbage/index.html" not in pages


def test_moving_a_document_file_keeps_the_output_right(edition: Path) -> None:
    build(edition)
    docs = edition / "tei/documents"
    (docs / "1845").mkdir()
    os.rename(docs / "letter-1845-somerville.xml", docs / "1845" / "letter-1845-somerville.xml")
    summary = build(edition)
    assert summary.processed == 1
    assert_same_as_clean(edition)


def test_editing_a_register_entry_rechecks_without_retransforming(edition: Path) -> None:
    build(edition)
    edit(edition / "tei/registers/persons.xml", "Scottish scientist and writer.", "Scottish polymath.")
    summary = build(edition)
    # The register itself is processed again; documents only have their encoding checks redone.
    assert summary.processed == 1 + 5
    pages = assert_same_as_clean(edition)
    assert b"Scottish polymath." in pages["persons/somerville/index.html"]


def test_editing_a_template(edition: Path) -> None:
    build(edition)
    from tei_edition.transform.jinja import package_templates

    templates = edition / "templates"
    templates.mkdir()
    base = (package_templates() / "base.html").read_text(encoding="utf-8")
    assert "</body>" in base
    (templates / "base.html").write_text(base.replace("</body>", "<!-- local footer --></body>"), encoding="utf-8")
    summary = build(edition)
    assert summary.processed == 0  # a template changes pages, not the transformed texts
    pages = assert_same_as_clean(edition)
    assert b"<!-- local footer -->" in pages["index.html"]


def test_editing_the_configuration(edition: Path) -> None:
    build(edition)
    edit(edition / "edition.toml", 'title = "Engine Letters, 1843–1851"', 'title = "Engine Letters"')
    summary = build(edition)
    assert not summary.up_to_date
    pages = assert_same_as_clean(edition)
    assert b"Engine Letters, 1843" not in pages["index.html"]


def test_a_stylesheet_override_retransforms_every_document(edition: Path) -> None:
    build(edition)
    from tei_edition.transform.xslt import XSLT_DIR

    (edition / "xslt").mkdir()
    shutil.copyfile(XSLT_DIR / "core.xsl", edition / "xslt" / "core.xsl")
    with (edition / "xslt" / "core.xsl").open("a", encoding="utf-8") as handle:
        handle.write("<!-- an edition's own copy -->\n")
    summary = build(edition)
    assert summary.processed == 5
    assert_same_as_clean(edition)


def test_an_unreadable_cache_is_rebuilt(edition: Path) -> None:
    build(edition)
    (edition / "build" / ".edition-cache.sqlite").write_bytes(b"not a database")
    edit(edition / "tei/documents/letter-1844-babbage.xml", "is much improved", "is improved")
    summary = build(edition)
    assert summary.processed == 8
    assert_same_as_clean(edition)


def test_a_register_entry_added_for_a_name_already_tagged(edition: Path) -> None:
    """The passages of a document about an entity the registers do not know yet are kept by the build: when the
    entry is added, its page is made from them (the document itself is not processed again)."""
    letter = edition / "tei/documents/letter-1844-babbage.xml"
    edit(
        letter,
        '<persName ref="#ada">Lady Lovelace</persName>',
        '<persName ref="#ada">Lady Lovelace</persName> and <persName ref="#herschel">Herschel</persName>',
    )
    options = BuildOptions(pdf=False, jobs=1, keep_going=True)
    build_edition(load_config(edition / "edition.toml"), options)
    # Another build in between, which does not process that letter again, must keep its passages too.
    edit(edition / "tei/documents/letter-1843-ada.xml", "</p>", " Added.</p>")
    build_edition(load_config(edition / "edition.toml"), options)
    edit(
        edition / "tei/registers/persons.xml",
        '<person xml:id="babbage">',
        '<person xml:id="herschel">\n          <persName type="main">John Herschel</persName>\n'
        '        </person>\n        <person xml:id="babbage">',
    )
    summary = build(edition)
    assert summary.processed == 1 + 5  # the register; the documents' encoding checks only
    pages = assert_same_as_clean(edition)
    assert b"<mark>Herschel</mark>" in pages["persons/herschel/index.html"]


def test_a_clean_build_reads_nothing_an_earlier_build_cached(edition: Path) -> None:
    """--clean makes everything again: even with every entry of the build cache damaged, its output (pages, search
    index, zip, PDFs) is the output of the first build, and what it stored serves the next build."""
    import sqlite3

    from tei_edition.output.cache import CACHE_NAME

    def full(root: Path, clean: bool) -> BuildSummary:
        return build_edition(load_config(root / "edition.toml"), BuildOptions(clean=clean, jobs=1))

    def everything(root: Path) -> dict[str, bytes]:
        out = root / "build"
        return {
            p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted((out / "html").rglob("*")) + sorted((out / "pdf").rglob("*"))
            if p.is_file()
        }

    edit(edition / "edition.toml", "enabled = false", "enabled = true")
    full(edition, clean=False)
    first = everything(edition)
    assert any(name.endswith(".pdf") for name in first) and any(name.endswith(".zip") for name in first)
    with sqlite3.connect(edition / "build" / CACHE_NAME) as db:
        damaged = db.execute("UPDATE entries SET value = x'00'").rowcount
    assert damaged > 0
    full(edition, clean=True)
    again = everything(edition)
    assert sorted(again) == sorted(first)
    assert [name for name in first if again[name] != first[name]] == []
    assert full(edition, clean=False).up_to_date


def test_an_edition_moved_to_another_folder_builds_from_its_new_place(edition: Path, tmp_path: Path) -> None:
    # The cache holds each source's results with the source's path in them (documents, diagnostics): results made
    # at the old place are not taken for the new one. The edition's own schema is left out of its configuration,
    # whose paths would change with the folder and have every source processed again (the package's schema finds
    # errors in the fixture: the builds are previews).
    edit(edition / "edition.toml", 'schema = "schema/any.rng"', "")
    options = BuildOptions(pdf=False, jobs=1, keep_going=True)
    build_edition(load_config(edition / "edition.toml"), options)
    moved = tmp_path / "moved"
    shutil.move(edition, moved)
    edit(moved / "tei/documents/letter-1844-babbage.xml", "is much improved", "is much improved again")
    summary = build_edition(load_config(moved / "edition.toml"), options)
    assert summary.documents == 5 and summary.report.errors
    assert all(d.path.is_relative_to(moved) for d in summary.report.diagnostics)
    page = moved / "build/html/documents/letter-1844-babbage/index.html"
    assert b"much improved again" in page.read_bytes()
