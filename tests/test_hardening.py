"""Broken input, --keep-going, atomic builds and untouched sources, through the `edition` command.

Each test names in its docstring the protection it guards; removing that protection makes the test fail.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tei_edition.cli import main
from tei_edition.errors import SourceError
from tei_edition.tei.parse import parse_file

DATA = Path(__file__).resolve().parent / "data"
MINIMAL = DATA / "editions" / "minimal"
WORKFLOW = DATA / "workflow"
LETTER = "tei/documents/letter-a.xml"
TEXT = (MINIMAL / LETTER).read_text(encoding="utf-8")


def run(edition: Path, *args: str) -> Result:
    """`edition ARGS --config EDITION/edition.toml`, catching any exception as a user would see it."""
    return CliRunner().invoke(main, [*args, "--config", str(edition / "edition.toml")])


def assert_clean_failure(result: Result) -> None:
    """A non-zero exit with a message, never a Python traceback."""
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.fixture
def edition(tmp_path: Path) -> Path:
    target = tmp_path / "minimal"
    shutil.copytree(MINIMAL, target)
    return target


# ---------------------------------------------------------------------------------------------------------------
# Clear failures: (what to do to the edition, the file the message names, the line it names or None)

Breakage = Callable[[Path], None]


def _write(rel: str, text: str | bytes) -> Breakage:
    def apply(edition: Path) -> None:
        path = edition / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    return apply


BROKEN_DOCUMENTS: dict[str, tuple[Breakage, int]] = {
    "empty file": (_write(LETTER, ""), 1),
    "not XML": (_write(LETTER, "Dear Babbage, I write from London.\n"), 1),
    "truncated file": (_write(LETTER, TEXT[: TEXT.index("<body>") + 20]), line_of(TEXT, "<body>") + 1),
    "bytes contradicting the declared encoding": (
        _write(LETTER, TEXT.replace("London</placeName>", "L\xf6ndon</placeName>").encode("latin-1")),
        line_of(TEXT, "London</placeName>"),
    ),
    "root that is not TEI": (_write(LETTER, '<?xml version="1.0"?>\n<html><body/></html>\n'), 2),
    "TEI without a text": (_write(LETTER, TEXT.split("<text>")[0] + "</TEI>\n"), line_of(TEXT, "<TEI")),
    "unknown reference": (_write(LETTER, TEXT.replace("#babbage", "#nobody")), line_of(TEXT, "#babbage")),
    "invalid date": (
        _write(LETTER, TEXT.replace('when="1843-07-05">the', 'when="1843-02-30">the')),
        line_of(TEXT, 'when="1843-07-05">the'),
    ),
    "external entity": (
        _write(
            LETTER,
            TEXT.replace("<TEI ", '<!DOCTYPE TEI [<!ENTITY x SYSTEM "/etc/hostname">]>\n<TEI ').replace(
                "Dear", "Dear &x;"
            ),
        ),
        line_of(TEXT, "<TEI"),
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN_DOCUMENTS))
@pytest.mark.parametrize("command", [["validate"], ["build", "--no-pdf"]])
def test_broken_document_gives_file_and_line(edition: Path, case: str, command: list[str]) -> None:
    """Protection: safe parsing with SourceError (file:line) in tei/parse.py, the pipeline's checks, and cli.py's
    mapping of EditionError to `Error: ...` and an exit code."""
    breakage, line = BROKEN_DOCUMENTS[case]
    breakage(edition)
    result = run(edition, *command)
    assert_clean_failure(result)
    assert re.search(rf"letter-a\.xml:{line}\b", result.output), result.output


def test_duplicate_ids_name_both_places(edition: Path) -> None:
    """Protection: the cross-file id check names the file and line of both declarations."""
    _write(LETTER, TEXT.replace("<p>Dear", '<p xml:id="ada">Dear'))(edition)
    result = run(edition, "validate")
    assert_clean_failure(result)
    assert "xml:id 'ada'" in result.output and f"letter-a.xml (line {line_of(TEXT, '<p>Dear')})" in result.output
    assert re.search(r"persons\.xml:\d+", result.output)


@pytest.mark.parametrize("command", [["validate"], ["build", "--no-pdf"]])
def test_missing_document_is_named(edition: Path, command: list[str]) -> None:
    """Protection: reading errors become SourceError naming the file (a dangling link stands for a vanished file)."""
    path = edition / LETTER
    path.unlink()
    path.symlink_to(edition / "gone.xml")
    result = run(edition, *command)
    assert_clean_failure(result)
    assert "letter-a.xml" in result.output and ("does not exist" in result.output or "No such file" in result.output)


@pytest.mark.parametrize(
    ("error", "message"),
    [(PermissionError, "permission denied"), (IsADirectoryError, "is a folder"), (FileNotFoundError, "does not exist")],
)
def test_unreadable_file_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: type[OSError], message: str
) -> None:
    """Protection: parse_file turns every OSError into a SourceError naming the file (simulated: tests run as
    root here, who can read any file)."""
    path = tmp_path / "letter.xml"
    path.write_text("<TEI/>", encoding="utf-8")

    def refuse(self: Path) -> bytes:
        raise error(13, "refused")

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(SourceError, match=message) as caught:
        parse_file(path)
    assert str(caught.value).startswith(str(path))


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file without read permission")
def test_unreadable_file_on_disk(edition: Path) -> None:
    """Protection: as above, with a real file without read permission."""
    (edition / LETTER).chmod(0)
    result = run(edition, "validate")
    assert_clean_failure(result)
    assert "letter-a.xml" in result.output and "permission denied" in result.output


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[edition]\ntitle = "unterminated\n', r"edition\.toml: 1 problem.*not valid TOML.*line 2"),
        (
            '[edition]\ntitle = 3\ncolour = "red"\n[sources]\ndocuments = "nowhere"\n',
            r"edition\.toml: 3 problem.*edition\.title: must be a string.*edition\.colour: unknown key.*"
            r"sources\.documents: folder 'nowhere' does not exist",
        ),
    ],
)
@pytest.mark.parametrize("command", [["validate"], ["build", "--no-pdf"], ["stats"]])
def test_bad_configuration_lists_every_problem(edition: Path, toml: str, expected: str, command: list[str]) -> None:
    """Protection: config.py collects every problem into one ConfigError (exit 2) naming the file and keys."""
    (edition / "edition.toml").write_text(toml, encoding="utf-8")
    result = run(edition, *command)
    assert_clean_failure(result)
    assert result.exit_code == 2
    assert re.search(expected, result.output, re.S), result.output


def test_broken_template_override_names_its_line(edition: Path) -> None:
    """Protection: html.py's template_location turns a Jinja error into the template's own file and line."""
    _write(
        "templates/document.html", '{% extends "base.html" %}\n{% block main %}\n<p>{{ doc.title </p>\n{% endblock %}\n'
    )(edition)
    result = run(edition, "build", "--no-pdf")
    assert_clean_failure(result)
    assert re.search(r"templates/document\.html:[34]: template error", result.output), result.output


def test_template_runtime_error_names_its_line(edition: Path) -> None:
    """Protection: template_location walks the traceback to the template frame for errors while rendering."""
    _write(
        "templates/document.html",
        '{% extends "base.html" %}\n{% block main %}\n\n{{ doc.no_such_field.deeper }}\n{% endblock %}\n',
    )(edition)
    result = run(edition, "build", "--no-pdf")
    assert_clean_failure(result)
    assert re.search(r"templates/document\.html:4: template error", result.output), result.output


@pytest.mark.parametrize(
    ("stylesheet", "line"),
    [
        (
            '<?xml version="1.0"?>\n<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">\n'
            '  <xsl:template match="/">\n    <xsl:value-of select="1 +"/>\n  </xsl:template>\n</xsl:stylesheet>\n',
            4,
        ),
        ('<?xml version="1.0"?>\n<xsl:stylesheet version="3.0"\n', 3),  # the end of the file
    ],
)
def test_broken_stylesheet_override_names_its_line(edition: Path, stylesheet: str, line: int) -> None:
    """Protection: Transformer._stylesheet_error maps Saxon's message to the edition's own file and line."""
    _write("xslt/core.xsl", stylesheet)(edition)
    result = run(edition, "build", "--no-pdf")
    assert_clean_failure(result)
    assert re.search(rf"xslt/core\.xsl:{line}(:\d+)?: stylesheet error", result.output), result.output


# ---------------------------------------------------------------------------------------------------------------
# --keep-going


def test_build_refuses_to_publish_with_errors_and_says_why(edition: Path) -> None:
    """Protection: the pipeline's consistency gate raises ValidationFailed listing each error with file:line."""
    BROKEN_DOCUMENTS["invalid date"][0](edition)
    result = run(edition, "build", "--no-pdf")
    assert_clean_failure(result)
    assert "not built" in result.output and "--keep-going" in result.output
    assert re.search(r"letter-a\.xml:\d+: .*1843-02-30", result.output)
    assert not (edition / "build" / "html").exists()


def test_keep_going_renders_what_it_can_and_marks_errors(edition: Path) -> None:
    """Protection: BuildOptions.keep_going: documents with errors are rendered and marked; exit 1 at the end."""
    BROKEN_DOCUMENTS["invalid date"][0](edition)
    result = run(edition, "build", "--no-pdf", "--keep-going")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "are marked in the preview: letter-a" in result.output
    assert re.search(r"letter-a\.xml:\d+: .*1843-02-30", result.output)  # each error, with its line
    html = edition / "build" / "html" / "documents"
    assert "did not pass validation" in (html / "letter-a" / "index.html").read_text(encoding="utf-8")
    assert "did not pass validation" not in (html / "letter-b" / "index.html").read_text(encoding="utf-8")


def test_keep_going_skips_unparseable_documents_and_fails_at_the_end(edition: Path) -> None:
    """Protection: a document that cannot be parsed is left out of the preview, the others are built, and the
    command still exits 1 naming the file."""
    BROKEN_DOCUMENTS["truncated file"][0](edition)
    result = run(edition, "build", "--no-pdf", "--keep-going")
    html = edition / "build" / "html" / "documents"
    assert (html / "letter-b" / "index.html").is_file() and not (html / "letter-a").exists()
    assert_clean_failure(result)
    assert re.search(rf"letter-a\.xml:{line_of(TEXT, '<body>') + 1}: not well-formed", result.output), result.output


def test_keep_going_keeps_every_safety_rule(tmp_path: Path) -> None:
    """Protection: the same parser, stylesheets and URL checks run with --keep-going: the hostile edition (which
    has validation errors) is previewed without a dangerous link, handler or inline script."""
    from test_security import HOSTILE, parsed

    edition = tmp_path / "hostile"
    shutil.copytree(HOSTILE / "edition", edition)
    result = run(edition, "build", "--no-pdf", "--keep-going")
    assert result.exit_code == 1, result.output
    page = edition / "build" / "html" / "documents" / "hostile" / "index.html"
    assert "did not pass validation" in page.read_text(encoding="utf-8")
    for el in parsed(page).iter():
        if isinstance(el.tag, str):
            assert not any(name.startswith("on") or name == "style" for name in el.attrib)
            href = re.sub(r"\s", "", el.get("href") or el.get("src") or "").lower()
            assert not href.startswith(("javascript:", "vbscript:", "data:")), href


# ---------------------------------------------------------------------------------------------------------------
# Atomic builds and untouched sources


def tree_hashes(root: Path, skip: Path | None = None) -> dict[str, str]:
    """Relative path -> sha256 of every file below root (symlinks by their target), except below `skip`."""
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        if skip is not None and (path == skip or skip in path.parents):
            continue
        if path.is_symlink():
            out[path.relative_to(root).as_posix()] = "-> " + os.readlink(path)
        elif path.is_file():
            out[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def leftovers(output: Path) -> list[str]:
    """Staging or old folders a build left beside its output folders."""
    return sorted(p.name for p in output.rglob(".*") if p.is_dir() and re.match(r"\.(html|pdf)\.(new|old)-", p.name))


@pytest.mark.parametrize("breakage", ["invalid date", "not XML", "template", "stylesheet"])
def test_failed_build_leaves_previous_output_intact(edition: Path, breakage: str) -> None:
    """Protection: OutputWriter stages into a temporary folder and swaps only on success (abort on failure), and
    the pipeline stops before writing when validation fails."""
    first = run(edition, "build", "--no-pdf")
    assert first.exit_code == 0, first.output
    output = edition / "build"
    before = tree_hashes(output / "html")
    if breakage == "template":
        _write("templates/entity.html", "{% extends 'base.html' %}{% block main %}{{ entry.nope.nope }}{% endblock %}")(
            edition
        )
    elif breakage == "stylesheet":
        _write("xslt/core.xsl", "<xsl:stylesheet\n")(edition)
    else:
        BROKEN_DOCUMENTS[breakage][0](edition)
    (edition / "tei" / "documents" / "letter-b.xml").write_text(
        (edition / "tei" / "documents" / "letter-b.xml")
        .read_text(encoding="utf-8")
        .replace("</p>", " Changed.</p>", 1),
        encoding="utf-8",
    )
    result = run(edition, "build", "--no-pdf")
    assert_clean_failure(result)
    assert tree_hashes(output / "html") == before
    assert leftovers(output) == []
    if breakage in ("invalid date", "not XML"):
        assert "previous output is unchanged" in result.output


def source_hashes(edition: Path) -> dict[str, str]:
    """Checksums of every source of an edition: documents, registers, templates, stylesheets, configuration."""
    return tree_hashes(edition, skip=edition / "build")


def with_overrides(edition: Path) -> Path:
    """Give the edition a template, a stylesheet and an extra file so that their checksums are covered too."""
    shutil.copytree(Path(__file__).resolve().parents[1] / "src" / "tei_edition" / "xslt", edition / "xslt")
    _write("templates/about.html", "{% extends 'base.html' %}{% block main %}<p>About</p>{% endblock %}\n")(edition)
    _write("notes.md", "Editorial notes.\n")(edition)
    return edition


@pytest.mark.parametrize(
    "args",
    [
        ["validate"],
        ["validate", "--format", "json"],
        ["build", "--no-pdf"],
        ["build", "--no-pdf", "--clean"],
        ["build", "--no-pdf", "--keep-going"],
        ["stats"],
        ["stats", "--format", "json"],
    ],
)
@pytest.mark.parametrize("state", ["valid", "invalid"])
def test_no_command_modifies_the_sources(edition: Path, args: list[str], state: str) -> None:
    """Protection: reading never writes: every command leaves every source byte for byte as it was (checksums
    of all files outside the output folder before and after), for a valid and an invalid edition."""
    with_overrides(edition)
    if state == "invalid":
        BROKEN_DOCUMENTS["unknown reference"][0](edition)
    before = source_hashes(edition)
    run(edition, *args)
    run(edition, *args)  # a second run reads the cache and manifest the first one wrote
    assert source_hashes(edition) == before


def test_import_modifies_no_source(tmp_path: Path) -> None:
    """Protection: import writes only new files into --out and refuses to overwrite without --force."""
    edition = tmp_path / "workflow"
    shutil.copytree(WORKFLOW, edition)
    before = source_hashes(edition)
    result = CliRunner().invoke(
        main,
        [
            "import",
            str(edition / "import" / "letter-1952.txt"),
            "--out",
            str(edition / "tei" / "documents"),
            "--config",
            str(edition / "edition.toml"),
        ],
    )
    assert result.exit_code != 0 and "Traceback" not in result.output  # letter-1952.xml exists already
    assert source_hashes(edition) == before
    result = CliRunner().invoke(
        main,
        [
            "import",
            str(edition / "import" / "letter-1952.txt"),
            "--out",
            str(tmp_path / "new"),
            "--config",
            str(edition / "edition.toml"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert source_hashes(edition) == before
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["letter-1952.xml"]


def test_new_force_adds_without_changing_existing_files(edition: Path) -> None:
    """Protection: `edition new --force` only adds missing files; `new` refuses a non-empty folder."""
    with_overrides(edition)
    before = source_hashes(edition)
    refused = CliRunner().invoke(main, ["new", str(edition)])
    assert_clean_failure(refused)
    assert source_hashes(edition) == before
    added = CliRunner().invoke(main, ["new", "--force", str(edition)])
    assert added.exit_code == 0, added.output
    after = source_hashes(edition)
    assert {k: v for k, v in after.items() if k in before} == before


def test_missing_configuration_is_named(tmp_path: Path) -> None:
    """Protection: load_config reports a missing edition.toml (named, or searched for) as a ConfigError."""
    result = CliRunner().invoke(main, ["build", "--config", str(tmp_path / "nowhere.toml")])
    assert_clean_failure(result)
    assert "nowhere.toml" in result.output and "does not exist" in result.output


def test_preview_is_not_taken_for_a_publishable_build(edition: Path) -> None:
    """Protection: --keep-going is part of the build's recorded options: after a preview, a plain build with the
    same sources still refuses to publish, and once fixed it publishes pages without the preview banner."""
    BROKEN_DOCUMENTS["invalid date"][0](edition)
    assert run(edition, "build", "--no-pdf", "--keep-going").exit_code == 1
    refused = run(edition, "build", "--no-pdf")
    assert_clean_failure(refused)
    assert "not built" in refused.output
    (edition / LETTER).write_text(TEXT, encoding="utf-8")
    fixed = run(edition, "build", "--no-pdf")
    assert fixed.exit_code == 0, fixed.output
    page = edition / "build" / "html" / "documents" / "letter-a" / "index.html"
    assert "did not pass validation" not in page.read_text(encoding="utf-8")


@pytest.mark.parametrize("depth", [101, 1500, 5000])
@pytest.mark.parametrize("command", [["validate"], ["build", "--no-pdf", "--keep-going"]])
def test_deep_nesting_is_refused_with_a_line(edition: Path, depth: int, command: list[str]) -> None:
    """Protection: parse_bytes refuses elements nested more than MAX_DEPTH deep (Saxon's parser stops at 100 and
    the readers of the text recurse): a clear message, not a traceback from Saxon or a RecursionError."""
    nested = "<hi>" * depth + "deep" + "</hi>" * depth
    _write(LETTER, TEXT.replace("<p>Dear", f"<p>{nested} Dear"))(edition)
    result = run(edition, *command)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert re.search(rf"letter-a\.xml:{line_of(TEXT, '<p>Dear')}\b", result.output), result.output
    assert result.exit_code == 1


@pytest.mark.parametrize("folder", [".", "tei", "tei/documents", ".."])
def test_output_folder_may_not_hold_the_sources(edition: Path, folder: str) -> None:
    """Protection: config.py refuses an output folder that is the edition or contains its sources (the atomic
    swap would otherwise replace them); sources stay unchanged."""
    config = edition / "edition.toml"
    config.write_text(config.read_text(encoding="utf-8") + f'\n[output]\ndir = "{folder}"\n', encoding="utf-8")
    before = source_hashes(edition)
    result = run(edition, "build", "--no-pdf")
    assert_clean_failure(result)
    assert "output.dir" in result.output
    assert source_hashes(edition) == before


def test_memory_grows_linearly_with_document_size(tmp_path: Path) -> None:
    """Protection: the build holds no whole-edition copies of trees or HTML (trees re-read on demand, bodies
    from the cache): peak memory of `edition build` grows in proportion to the largest document, not faster.
    In one process, so that all three sizes are built alike: with two jobs the 0.05 and 1 MB editions are too small
    for a pool and the 4 MB one is not (a pool adds its processes' own memory, and a long document parsed by two
    workers a second copy: a step, not a slope, and a sampled peak that depends on when the workers overlap).
    bench/size.py measures the 50 MB case with the pool."""
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from size import make_edition, measure

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    peaks = {}
    for mb in (0.05, 1.0, 4.0):
        config, _document, _mentions = make_edition(tmp_path / str(mb), "doc", int(mb * 1e6), 3, None)
        command = ["build", "--no-pdf", "--jobs", "1", "--config", str(config)]
        result = measure([sys.executable, "-m", "tei_edition", *command], env)
        assert result.returncode == 0, result.output[-2000:]
        peaks[mb] = result.peak_mb
    per_mb_small = (peaks[1.0] - peaks[0.05]) / 0.95
    per_mb_large = (peaks[4.0] - peaks[0.05]) / 3.95
    assert per_mb_large < 2 * max(per_mb_small, 20), peaks  # linear (with room for noise), not quadratic
    assert per_mb_large < 100, peaks  # MB of memory per MB of TEI (measured: about 30 to 50)


def test_writer_refuses_paths_that_differ_only_in_case(tmp_path: Path) -> None:
    """Guards: outputs whose names differ only by letter case would overwrite each other on macOS and Windows."""
    from tei_edition.errors import BuildError
    from tei_edition.output.writer import OutputWriter

    writer = OutputWriter(tmp_path / "out")
    writer.write_text("persons/Stalin/index.html", "a")
    with pytest.raises(BuildError, match="letter case"):
        writer.write_text("persons/stalin/index.html", "b")
    writer.abort()
