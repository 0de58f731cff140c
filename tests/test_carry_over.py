"""Incremental rendering: pages whose context did not change are carried over (hard links), the rest re-rendered."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

pytest.importorskip("tei_edition.validate.relaxng")

from tei_edition.config import load_config  # noqa: E402
from tei_edition.output import writer  # noqa: E402
from tei_edition.output.hashing import hash_bytes  # noqa: E402
from tei_edition.output.writer import OutputWriter  # noqa: E402
from tei_edition.pipeline import BuildOptions, build_edition  # noqa: E402

ENGINE = Path(__file__).resolve().parent / "data" / "engine"


def _build(root: Path, clean: bool = False) -> None:
    build_edition(load_config(root / "edition.toml"), BuildOptions(pdf=False, clean=clean, jobs=1))


def _pages(root: Path) -> dict[str, tuple[int, bytes]]:
    html = root / "build" / "html"
    return {p.relative_to(html).as_posix(): (p.stat().st_ino, p.read_bytes()) for p in sorted(html.rglob("index.html"))}


def committed(target: Path, files: dict[str, str]) -> OutputWriter:
    """A writer that wrote `files` (output path -> text) into `target` and committed them: the last build."""
    writer = OutputWriter(target)
    for rel, text in files.items():
        writer.write_text(rel, text)
    writer.commit()
    return writer


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the engine fixture edition, built once at a fixed date."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = tmp_path / "engine"
    shutil.copytree(ENGINE, root)
    _build(root)
    return root


def test_an_edit_re_renders_only_the_pages_whose_context_changed(built: Path) -> None:
    root = built
    before = _pages(root)
    documents = sorted((root / "tei" / "documents").glob("*.xml"))
    edited = documents[0]
    text = edited.read_text(encoding="utf-8")
    assert "<p>" in text
    edited.write_text(text.replace("<p>", "<p>Edited. ", 1), encoding="utf-8")
    _build(root)
    after = _pages(root)
    assert sorted(after) == sorted(before)
    carried = [name for name in after if after[name][0] == before[name][0]]
    changed = [name for name in after if after[name][1] != before[name][1]]
    assert changed, "the edited document's page must change"
    assert not set(carried) & set(changed)
    assert carried, "pages the edit does not touch are carried over, not rendered again"
    assert "search/index.html" in carried and "about/index.html" in carried


@pytest.fixture
def views_read(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The ids of the documents whose views builds read (from the build cache, or made), in the order read."""
    from tei_edition.web.views import DocumentViews

    read: list[str] = []
    load = DocumentViews.load

    def recording(self: DocumentViews, ids: Iterable[str]) -> None:
        wanted = [i for i in ids if i not in self._views]  # type: ignore[attr-defined]
        read.extend(wanted)
        load(self, wanted)

    with monkeypatch.context() as patch:
        patch.setattr(DocumentViews, "load", recording)
        yield read


def _same_as_clean(root: Path) -> None:
    incremental = _pages(root)
    _build(root, clean=True)
    assert {k: v[1] for k, v in _pages(root).items()} == {k: v[1] for k, v in incremental.items()}


def test_an_edit_reads_the_views_of_the_pages_rendered_again_only(built: Path, views_read: list[str]) -> None:
    root, read = built, views_read
    # A paragraph without names or dates: the document's page changes (and the downloads page, which gives its
    # size), while its entities' pages, the chronology, the home page and the about page do not.
    edited = root / "tei" / "documents" / "letter-1845-somerville.xml"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(
        text.replace("</p>\n    </body>", "</p>\n      <p>A line without names.</p>\n    </body>"), encoding="utf-8"
    )
    _build(root)
    # Its page shows its neighbours in date order (their titles and links) besides itself.
    assert sorted(read) == ["letter-1844-babbage", "letter-1845-somerville", "letter-1848-ada"]
    page = (root / "build" / "html" / "documents" / "letter-1845-somerville" / "index.html").read_text("utf-8")
    assert "A line without names." in page
    _same_as_clean(root)


def test_entity_pages_read_views_only_for_a_template_that_shows_them(built: Path, views_read: list[str]) -> None:
    from tei_edition.transform.jinja import package_templates

    root, read = built, views_read
    # Words beside three names: the pages of Mrs Somerville, Paris and Babbage are rendered again, from the groups'
    # passages and headings alone (they name each document); only the edited page and its neighbours need views.
    edit = root / "tei" / "documents" / "letter-1845-somerville.xml"
    text = edit.read_text(encoding="utf-8")
    edit.write_text(text.replace("</persName> sends", "</persName> kindly sends"), encoding="utf-8")
    _build(root)
    assert sorted(read) == ["letter-1844-babbage", "letter-1845-somerville", "letter-1848-ada"]
    html = root / "build" / "html"
    assert "kindly sends" in (html / "places" / "paris" / "index.html").read_text("utf-8")
    # A template of the edition's own that shows each group's document (group.doc) has its views read.
    templates = root / "templates"
    templates.mkdir()
    passages = (package_templates() / "_passages.html").read_text(encoding="utf-8")
    assert "    </section>\n" in passages
    (templates / "_passages.html").write_text(
        passages.replace(
            "    </section>\n", '    </section>\n<p class="listed">{{ group.doc.title }} ({{ group.doc.year }})</p>\n'
        ),
        encoding="utf-8",
    )
    read.clear()
    _build(root)
    paris = (html / "places" / "paris" / "index.html").read_text("utf-8")
    assert paris.count('<p class="listed">') == 2 and "(1844)</p>" in paris and "(1845)</p>" in paris
    _same_as_clean(root)


def test_a_page_changed_by_hand_is_made_again(tmp_path: Path) -> None:
    target = tmp_path / "out"
    (target / "a").mkdir(parents=True)
    (target / "a" / "index.html").write_text("old", encoding="utf-8")
    writer = OutputWriter(target)
    assert not writer.carry_over("a/index.html", hash_bytes(b"something else"))
    assert writer.carry_over("a/index.html", hash_bytes(b"old"))
    assert writer.current("a/index.html") == target.resolve() / "a" / "index.html"  # kept where it is
    assert writer.hashes["a/index.html"] == hash_bytes(b"old")
    assert not writer.carry_over("b/index.html", hash_bytes(b"old"))
    writer.abort()


def test_commit_moves_only_what_changed_and_removes_what_is_gone(tmp_path: Path) -> None:
    target = tmp_path / "out"
    first = committed(
        target,
        {
            "kept/index.html": "same",
            "changed/index.html": "old",
            "gone/index.html": "bye",
            "becomes-folder": "a file first",
        },
    )
    signatures = first.signatures_now()
    kept_inode = (target / "kept" / "index.html").stat().st_ino

    second = OutputWriter(target, signatures)
    assert second.carry_over("kept/index.html", hash_bytes(b"same"))
    second.write_text("changed/index.html", "new")
    second.write_text("becomes-folder/index.html", "a folder now")
    second.write_text("new/deep/index.html", "added")
    assert not (second.staging / "kept").exists()  # a kept file is not staged
    second.commit()

    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert files == ["becomes-folder/index.html", "changed/index.html", "kept/index.html", "new/deep/index.html"]
    assert (target / "changed" / "index.html").read_text(encoding="utf-8") == "new"
    assert (target / "kept" / "index.html").stat().st_ino == kept_inode  # left alone, not rewritten
    assert not (target / "gone").exists()
    assert not second.staging.exists()


def test_a_kept_file_with_its_recorded_signature_is_not_read(tmp_path: Path) -> None:
    target = tmp_path / "out"
    first = committed(target, {"a/index.html": "content"})
    signatures = first.signatures_now()
    page = target / "a" / "index.html"
    # Same size, time and inode as recorded: trusted without being read (this rewrite in place is not noticed).
    status = page.stat()
    page.write_text("CONTENT", encoding="utf-8")
    os.utime(page, ns=(status.st_atime_ns, status.st_mtime_ns))
    writer = OutputWriter(target, signatures)
    assert writer.carry_over("a/index.html", hash_bytes(b"content"))
    writer.abort()
    # Changed by hand (another size and time): read again, and refused since its content differs.
    page.write_text("edited by hand", encoding="utf-8")
    writer = OutputWriter(target, signatures)
    assert not writer.carry_over("a/index.html", hash_bytes(b"content"))
    writer.abort()


def test_a_file_written_again_with_the_same_content_is_left_in_place(tmp_path: Path) -> None:
    target = tmp_path / "out"
    first = committed(target, {"same/index.html": "unchanged", "other/index.html": "before"})
    inode = (target / "same" / "index.html").stat().st_ino
    second = OutputWriter(target, first.signatures_now(), dict(first.hashes))
    second.write_text("same/index.html", "unchanged")
    second.write_text("other/index.html", "after")
    assert not (second.staging / "same").exists() and (second.staging / "other" / "index.html").is_file()
    assert second.current("same/index.html") == target.resolve() / "same" / "index.html"
    second.commit()
    assert (target / "same" / "index.html").stat().st_ino == inode
    assert (target / "other" / "index.html").read_text(encoding="utf-8") == "after"
    assert second.hashes["same/index.html"] == hash_bytes(b"unchanged")


def test_the_cache_is_swept_once_unused_entries_are_a_quarter_of_it(tmp_path: Path) -> None:
    from tei_edition.output.cache import BuildCache

    first = BuildCache(tmp_path / "cache.sqlite")
    first.put_many([(f"k{i}", b"x") for i in range(100)])
    first.close()
    second = BuildCache(tmp_path / "cache.sqlite")
    second.get_many([f"k{i}" for i in range(80)])  # 20 unused of 100: kept for now
    assert second.prune() == 0
    second.get_many([f"k{i}" for i in range(70)])
    second.used = {f"k{i}" for i in range(70)}  # 30 unused: swept
    assert second.prune() == 30
    assert second.get_many([f"k{i}" for i in range(100)]).keys() == {f"k{i}" for i in range(70)}
    second.close()


@pytest.mark.parametrize("in_memory", [writer.IN_MEMORY, 100], ids=["held", "streamed"])
def test_a_page_written_in_pieces_is_the_page_written_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, in_memory: int
) -> None:
    monkeypatch.setattr(writer, "IN_MEMORY", in_memory)  # 100: the page goes through a temporary file
    streamed: list[str] = []
    monkeypatch.setattr(writer.os, "replace", lambda a, b: (streamed.append(str(a)), os.rename(a, b)))
    target = tmp_path / "out"
    # Long pieces, not ASCII; then more pieces than a batch holds, with a run of empty ones longer than a batch.
    pieces = ["<p>", "Сталин & Mao " * 10_000, "</p>", *(["<b>", "x", "</b>"] * 3000), *([""] * 10_000), "<end>"]
    first = OutputWriter(target)
    first.write_chunks("a/index.html", iter(pieces))
    first.write_text("b/index.html", "".join(pieces))
    assert first.hashes["a/index.html"] == first.hashes["b/index.html"] == hash_bytes("".join(pieces).encode())
    assert not list(first.staging.glob(".stream-*"))
    assert bool(streamed) == (in_memory == 100)  # a page held in memory is written where it goes at once
    first.commit()
    assert (target / "a" / "index.html").read_bytes() == (target / "b" / "index.html").read_bytes()
    inode = (target / "a" / "index.html").stat().st_ino
    second = OutputWriter(target, first.signatures_now(), dict(first.hashes))
    second.write_chunks("a/index.html", iter(pieces))  # the same again: left in place
    assert not list(second.staging.rglob("*.html")) and not list(second.staging.glob(".stream-*"))
    second.commit()
    assert (target / "a" / "index.html").stat().st_ino == inode


def test_files_no_build_made_are_left_in_place_and_named(tmp_path: Path) -> None:
    target = tmp_path / "out"
    first = committed(target, {"a/index.html": "one", "gone/index.html": "bye"})
    (target / "CNAME").write_text("edition.example.org\n", encoding="utf-8")  # put there by hand
    (target / "a" / "notes.txt").write_text("mine", encoding="utf-8")
    second = OutputWriter(target, first.signatures_now(), dict(first.hashes))
    second.write_text("a/index.html", "two")
    second.commit()
    assert second.foreign == ["CNAME", "a/notes.txt"]
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert files == ["CNAME", "a/index.html", "a/notes.txt"]  # what the last build made and this one did not: gone
    assert (target / "a" / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize(
    "mine, output",
    [
        ("about", "about/index.html"),  # a file where a folder goes
        ("index.html/notes.txt", "index.html"),
    ],
)  # a folder where a file goes
def test_a_file_no_build_made_in_the_way_stops_the_commit_before_anything_moves(
    tmp_path: Path, mine: str, output: str
) -> None:
    from tei_edition.errors import BuildError

    target = tmp_path / "out"
    first = committed(target, {"kept/index.html": "same", "old/index.html": "old"})
    (target / mine).parent.mkdir(parents=True, exist_ok=True)
    (target / mine).write_text("mine", encoding="utf-8")
    before = {p.relative_to(target).as_posix(): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    second = OutputWriter(target, first.signatures_now(), dict(first.hashes))
    second.write_text(output, "new")
    with pytest.raises(BuildError, match="no build made stand where the build puts its output") as raised:
        second.check()
    assert str(target / mine) in str(raised.value)
    second.abort()
    assert {p.relative_to(target).as_posix(): p.read_bytes() for p in target.rglob("*") if p.is_file()} == before
    assert not second.staging.exists()


def test_an_output_folder_that_is_a_file_is_a_message_not_a_traceback(built: Path) -> None:
    from click.testing import CliRunner

    from tei_edition.cli import main

    html = built / "build" / "html"
    shutil.rmtree(html)
    html.write_text("not a folder", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--no-pdf", "--config", str(built / "edition.toml")])
    assert result.exit_code == 1
    assert f"{html} is a file, where the build puts its folder of the same name: move it away" in result.output
    assert html.read_text(encoding="utf-8") == "not a folder"
    shutil.rmtree(built / "build")
    (built / "build").write_text("not a folder either", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--no-pdf", "--config", str(built / "edition.toml")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert f"the output folder {built / 'build'} cannot be made: {built / 'build'} is a file" in result.output


def test_a_build_keeps_a_file_put_in_its_output_and_says_so(built: Path) -> None:
    from click.testing import CliRunner

    from tei_edition.cli import main

    (built / "build" / "html" / "CNAME").write_text("edition.example.org\n", encoding="utf-8")
    stale = built / "build" / ".html.new-killed"  # the staging folder of a build that was killed
    (stale / "documents").mkdir(parents=True)
    result = CliRunner().invoke(main, ["build", "--no-pdf", "--clean", "--config", str(built / "edition.toml")])
    assert result.exit_code == 0, result.output
    assert "holds 1 file(s) that no build made, left in place: CNAME" in result.output
    assert (built / "build" / "html" / "CNAME").read_text(encoding="utf-8") == "edition.example.org\n"
    assert not stale.exists()


def test_a_build_without_pdfs_keeps_the_record_of_the_pdfs(built: Path) -> None:
    """The PDFs a --no-pdf build leaves alone stay the last PDF build's: a later PDF build removes the PDF of a
    document deleted meanwhile, as one it made, instead of keeping it as a file no build made."""
    from click.testing import CliRunner

    from tei_edition.cli import main

    config = built / "edition.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("enabled = false", "enabled = true"), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["build", "--config", str(config)]).exit_code == 0
    pdfs = built / "build" / "html" / "pdf" / "documents"
    gone = sorted(pdfs.glob("*.pdf"))[0]
    assert runner.invoke(main, ["build", "--no-pdf", "--config", str(config)]).exit_code == 0
    (built / "tei" / "documents" / f"{gone.stem}.xml").unlink()
    result = runner.invoke(main, ["build", "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert "no build made" not in result.output
    assert not gone.exists() and len(list(pdfs.glob("*.pdf"))) == 4


@pytest.mark.parametrize(
    "failure, said",
    [
        ("disk", "the disk is full: could not write"),
        ("cache", "the build cache in"),
    ],
)
def test_a_full_disk_is_a_message_and_the_last_output_stays(
    built: Path, monkeypatch: pytest.MonkeyPatch, failure: str, said: str
) -> None:
    import errno
    import sqlite3

    from click.testing import CliRunner

    from tei_edition.cli import main
    from tei_edition.output import cache, writer

    html = built / "build" / "html"
    before = {p.relative_to(html).as_posix(): p.read_bytes() for p in html.rglob("*") if p.is_file()}

    def full(*_args: object, **_kwargs: object) -> None:
        if failure == "disk":
            raise OSError(errno.ENOSPC, "No space left on device", str(html / "index.html"))
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(
        writer.OutputWriter if failure == "disk" else cache.BuildCache,
        "write_bytes" if failure == "disk" else "put_many",
        full,
    )
    result = CliRunner().invoke(main, ["build", "--no-pdf", "--clean", "--config", str(built / "edition.toml")])
    assert result.exit_code == 1
    assert said in result.output and "Traceback" not in result.output
    assert {p.relative_to(html).as_posix(): p.read_bytes() for p in html.rglob("*") if p.is_file()} == before
    assert not list((built / "build").glob(".html.new-*"))


def test_a_file_made_elsewhere_is_moved_in_not_copied(tmp_path: Path) -> None:
    target = tmp_path / "out"
    made = tmp_path / "made"
    made.mkdir()
    (made / "a.bin").write_bytes(b"index data")
    inode = (made / "a.bin").stat().st_ino
    first = OutputWriter(target)
    first.move_in("search/a.bin", made / "a.bin")
    assert not (made / "a.bin").exists()  # renamed into the staging folder
    first.commit()
    assert (target / "search" / "a.bin").read_bytes() == b"index data"
    assert (target / "search" / "a.bin").stat().st_ino == inode
    (made / "a.bin").write_bytes(b"index data")  # made again, the same
    second = OutputWriter(target, first.signatures_now(), dict(first.hashes))
    second.move_in("search/a.bin", made / "a.bin")
    assert (made / "a.bin").exists() and not list(second.staging.rglob("*.bin"))  # unchanged: left in place
    second.commit()
    assert (target / "search" / "a.bin").stat().st_ino == inode
