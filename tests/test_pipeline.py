"""The build pipeline: phases, the validation gate, the report, locking, the manifest and the build command."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("tei_edition.validate.relaxng")

from tei_edition.cli import main  # noqa: E402
from tei_edition.config import load_config  # noqa: E402
from tei_edition.errors import BuildError, ValidationFailed  # noqa: E402
from tei_edition.output.writer import OutputLock  # noqa: E402
from tei_edition.pipeline.progress import Reporter  # noqa: E402
from tei_edition.pipeline.run import BuildOptions, build_edition  # noqa: E402
from tei_edition.validate import validate_edition  # noqa: E402


@pytest.fixture
def edition(engine_edition: Path) -> Path:
    return engine_edition


def break_a_pointer(root: Path) -> Path:
    path = root / "tei/documents/letter-1844-babbage.xml"
    path.write_text(path.read_text(encoding="utf-8").replace('ref="#paris"', 'ref="#pariss"'), encoding="utf-8")
    return path


def test_a_build_times_every_phase_and_counts_what_it_wrote(edition: Path) -> None:
    summary = build_edition(load_config(edition / "edition.toml"), BuildOptions(pdf=False, jobs=1))
    assert {"discover", "parse", "validate", "transform", "registers", "gate", "render", "write"} <= set(
        summary.timings
    )
    assert (summary.documents, summary.processed) == (5, 8)
    assert summary.pages > 5
    assert (edition / "build/html/documents/letter-1843-ada/index.html").is_file()


def test_the_build_reports_what_validate_reports(edition: Path) -> None:
    break_a_pointer(edition)
    config = load_config(edition / "edition.toml")
    summary = build_edition(config, BuildOptions(pdf=False, jobs=1, keep_going=True))
    expected = validate_edition(config)
    assert [(d.path, d.line, d.message, d.rule) for d in summary.report.sorted()] == [
        (d.path, d.line, d.message, d.rule) for d in expected.sorted()
    ]
    assert summary.flagged == ["letter-1844-babbage"]


def test_validation_errors_stop_the_build_and_keep_the_previous_output(edition: Path) -> None:
    config = load_config(edition / "edition.toml")
    build_edition(config, BuildOptions(pdf=False, jobs=1))
    before = (edition / "build/html/index.html").read_bytes()
    path = break_a_pointer(edition)
    with pytest.raises(ValidationFailed) as caught:
        build_edition(config, BuildOptions(pdf=False, jobs=1))
    message = str(caught.value)
    assert "letter-1844-babbage.xml:" in message and "#pariss" in message and "[ref-resolves]" in message
    assert (edition / "build/html/index.html").read_bytes() == before
    assert path.exists()


def test_an_unparsable_document_is_named_with_its_line(edition: Path) -> None:
    path = edition / "tei/documents/letter-1845-somerville.xml"
    path.write_text(path.read_text(encoding="utf-8").replace("</p>", "</q>", 1), encoding="utf-8")
    with pytest.raises(ValidationFailed, match=r"letter-1845-somerville\.xml:\d+: not well-formed"):
        build_edition(load_config(edition / "edition.toml"), BuildOptions(pdf=False, jobs=1))


def test_a_second_build_of_the_same_output_is_refused(edition: Path) -> None:
    config = load_config(edition / "edition.toml")
    with OutputLock(config.output_dir):
        with pytest.raises(BuildError, match="another build is writing"):
            build_edition(config, BuildOptions(pdf=False, jobs=1))


def test_the_manifest_records_sources_inputs_and_outputs(edition: Path) -> None:
    build_edition(load_config(edition / "edition.toml"), BuildOptions(pdf=False, jobs=1))
    manifest = json.loads((edition / "build/.edition-manifest.json").read_text(encoding="utf-8"))
    assert "tei/documents/letter-1843-ada.xml" in manifest["sources"]
    assert {"tool", "config", "templates", "xslt", "schemas", "css", "build_date"} <= set(manifest["inputs"])
    record = manifest["outputs"]["html/index.html"]
    assert len(record["content"]) == 40
    assert manifest["summary"]["documents"] == 5


def test_the_build_command_summarises_and_is_quiet_when_asked(edition: Path) -> None:
    runner = CliRunner()
    config = str(edition / "edition.toml")
    result = runner.invoke(main, ["build", "--no-pdf", "--jobs", "1", "--config", config])
    assert result.exit_code == 0, result.output
    assert "Built 5 documents:" in result.output and "render" in result.output
    again = runner.invoke(main, ["build", "--no-pdf", "--config", config])
    assert again.exit_code == 0
    assert "Up to date: 5 documents" in again.output
    quiet = runner.invoke(main, ["build", "--no-pdf", "--clean", "--quiet", "--config", config])
    assert quiet.exit_code == 0 and quiet.output == ""


def test_the_build_command_names_a_bad_executor(edition: Path) -> None:
    edit = edition / "tei/documents/letter-1848-ada.xml"
    edit.write_text(edit.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["build", "--no-pdf", "--executor", "spark://x:1", "--config", str(edition / "edition.toml")]
    )
    assert result.exit_code == 2
    assert "Error: --executor 'spark://x:1' is not understood" in result.output


def test_plain_progress_lines_when_not_a_terminal(edition: Path) -> None:
    import io

    stream = io.StringIO()
    build_edition(
        load_config(edition / "edition.toml"), BuildOptions(pdf=False, jobs=1), Reporter(verbose=True, stream=stream)
    )
    text = stream.getvalue()
    assert "no previous build: building everything" in text
    assert "processing: 8 item(s)..." in text
    assert "\x1b[" not in text  # no terminal control codes in a log


def test_workers_read_the_documents_and_notice_a_change_during_the_build(edition: Path) -> None:
    """Documents are not sent to the workers (nor all held in memory): each worker reads its files and checks
    they are still what the build hashed; a file edited meanwhile stops the build with a clear message."""
    from tei_edition.pipeline import run as pipeline
    from tei_edition.tei.discover import discover_sources

    config = load_config(edition / "edition.toml")
    sources = discover_sources(config)
    contents = pipeline.SourceContents(sources)
    document = sources.documents[0]
    settings = pipeline._Build(config, BuildOptions(pdf=False), Reporter(quiet=True))._settings(contents, sources)
    task = pipeline.SourceTask(document, None, True, digest=contents.digest(document))
    [result] = pipeline.process_batch(settings, [task])
    assert not result.changed and result.core is not None and result.core.document is not None
    assert result.bodies["screen"].startswith("<")

    document.write_text(document.read_text(encoding="utf-8").replace("</p>", " Later.</p>", 1), encoding="utf-8")
    [result] = pipeline.process_batch(settings, [task])
    assert result.changed and result.core is None
    with pytest.raises(BuildError, match="changed while the edition was being built"):
        contents[document]
    assert contents[sources.registers[0]]  # the registers' bytes are kept from the start


def test_edition_validate_runs_the_build_checks_and_reports_what_validate_edition_does(edition: Path) -> None:
    """`edition validate` goes through the build's workers and consistency gate (bounded memory, all cores); its
    report must be the in-process validator's, for the whole edition and for named files."""
    from tei_edition.pipeline.run import check_edition

    broken = break_a_pointer(edition)
    letter = edition / "tei/documents/letter-1843-ada.xml"
    letter.write_text(
        letter.read_text(encoding="utf-8").replace("</p>", " Lovelace in 1851-02-30.</p>", 1), encoding="utf-8"
    )
    config = load_config(edition / "edition.toml")

    def lines(report: object) -> list[tuple]:
        return [(d.path, d.line, d.severity, d.message, d.rule) for d in report.sorted()]  # type: ignore[attr-defined]

    whole = check_edition(config, jobs=2)
    assert whole.errors and lines(whole) == lines(validate_edition(config))
    named = check_edition(config, [broken, edition / "missing.xml"], jobs=1)
    assert lines(named) == lines(validate_edition(config, [broken, edition / "missing.xml"]))
    assert {d.path for d in named.sorted()} == {broken.resolve(), (edition / "missing.xml").resolve()}
    assert (named.documents, named.registers) == (1, 0)


# ---- the edited sources processed in a forked child ---------------------------------------------------------------
# A child is forked only from a process where Saxon has not started (see ForkedStage.can_fork), which this test
# process is not after its first build: these tests run the build in processes of their own.


def _run_python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    import os
    import sys

    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


def _html_files(root: Path) -> dict[str, bytes]:
    html = root / "build" / "html"
    return {p.relative_to(html).as_posix(): p.read_bytes() for p in sorted(html.rglob("*")) if p.is_file()}


def _edit_a_letter(root: Path) -> None:
    path = root / "tei/documents/letter-1845-somerville.xml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("</p>\n    </body>", "</p>\n      <p>A line added later.</p>\n    </body>"), encoding="utf-8"
    )


BUILD = """
import sys
from tei_edition.pipeline import run as pipeline
from tei_edition.pipeline.run import BuildOptions, build_edition
from tei_edition.pipeline.progress import Reporter
from tei_edition.config import load_config
{patch}
summary = build_edition(load_config("edition.toml"), BuildOptions(pdf=False, clean={clean}), Reporter(verbose=True))
print("processed", summary.processed, "saxon in this process:", "saxonche" in sys.modules)
"""


def _built(edition: Path, patch: str = "", clean: bool = False) -> str:
    """Build the edition in a process of its own (with `patch` run first); what the build printed."""
    done = _run_python(BUILD.format(patch=patch, clean=clean), edition)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def _edited_as_clean(edition: Path, patch: str) -> str:
    """Build, edit a letter, build again with `patch` run first, and check that the output is a clean build's;
    what the build after the edit printed."""
    _built(edition)
    _edit_a_letter(edition)
    said = _built(edition, patch)
    incremental = _html_files(edition)
    assert "A line added later." in incremental["documents/letter-1845-somerville/index.html"].decode("utf-8")
    _built(edition, clean=True)
    assert _html_files(edition) == incremental
    return said


def test_an_edit_is_processed_in_a_forked_child_and_builds_what_a_clean_build_does(edition: Path) -> None:
    said = _edited_as_clean(edition, patch="")
    assert "processing 1 source(s) in a child process" in said
    # The child checked and transformed the letter: this process never started Saxon.
    assert "processed 1 saxon in this process: False" in said


def test_a_child_that_fails_leaves_its_sources_to_the_build(edition: Path) -> None:
    # process_batch fails in any process but this one: the child ends with an error, and the build does the work.
    said = _edited_as_clean(
        edition,
        patch="""
import os
_parent, _process_batch = os.getpid(), pipeline.process_batch
def process_batch(settings, tasks):
    if os.getpid() != _parent:
        raise RuntimeError("the child fails")
    return _process_batch(settings, tasks)
pipeline.process_batch = process_batch
""",
    )
    assert "in a child process" not in said
    assert "processed 1 saxon in this process: True" in said


def test_a_build_that_cannot_fork_compiles_in_a_thread_and_checks_the_edit_itself(edition: Path) -> None:
    said = _edited_as_clean(
        edition,
        patch="""
import os
def fork():
    raise OSError(11, "Resource temporarily unavailable")
os.fork = fork
""",
    )
    assert "in a child process" not in said
    assert "processed 1 saxon in this process: True" in said


def test_a_child_whose_work_is_not_needed_is_stopped(edition: Path) -> None:
    # An edit undone before the next build: its results are in the cache, no source is processed, and the child
    # forked for it is stopped and reaped when the build ends.
    _built(edition)
    path = edition / "tei/documents/letter-1845-somerville.xml"
    original = path.read_bytes()
    _edit_a_letter(edition)
    _built(edition)
    path.write_bytes(original)
    patch = """
import os
forked = []
class Recorded(pipeline.ForkedStage):
    def __init__(self, *args):
        super().__init__(*args)
        forked.append(self.pid)
pipeline.ForkedStage = Recorded
import atexit
def reaped():
    for pid in forked:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            print("reaped", pid)
atexit.register(reaped)
"""
    said = _built(edition, patch)
    assert "processed 0" in said
    assert said.count("reaped") == 1


def test_a_child_that_takes_too_long_is_stopped_and_its_work_left_to_the_build(tmp_path: Path) -> None:
    # No Saxon is needed: process_batch is replaced, returning at once or, for a slow child, after a minute.
    script = """
import os, sys, time
from tei_edition.pipeline import run as pipeline
pipeline.process_batch = lambda settings, tasks: (time.sleep(60) if tasks == ["slow"] else None) or ["done"]
print("quick", pipeline.ForkedStage(None, ["quick"]).results(timeout=30))
slow = pipeline.ForkedStage(None, ["slow"])
start = time.monotonic()
print("slow", slow.results(timeout=0.5), time.monotonic() - start < 5)
try:
    os.waitpid(slow.pid, os.WNOHANG)
except ChildProcessError:
    print("reaped")
"""
    done = _run_python(script, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["quick", "['done']", "slow", "None", "True", "reaped"]


def test_a_child_once_waited_for_is_never_signalled_again(tmp_path: Path) -> None:
    # Its process id may belong to another process by then: cancel() after results() must not send it anything.
    script = """
import os, signal
from tei_edition.pipeline import run as pipeline
pipeline.process_batch = lambda settings, tasks: ["done"]
stage = pipeline.ForkedStage(None, ["quick"])
print("results", stage.results(timeout=30))
sent = []
os.kill = lambda pid, sig: sent.append(pid)
stage.cancel()
print("signalled", len(sent))
"""
    done = _run_python(script, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["results", "['done']", "signalled", "0"]


def test_discovery_finds_the_tei_files_and_nothing_else(edition: Path) -> None:
    """Documents below the documents folder at any depth; registers directly in theirs; hidden files and folders
    (editor backups, .git), folders whose names end in .xml and links to folders are left out."""
    import os

    from tei_edition.tei.discover import discover_sources

    docs = edition / "tei" / "documents"
    first = sorted(docs.glob("*.xml"))[0]
    (docs / "1851" / "autumn").mkdir(parents=True)
    (docs / "1851" / "autumn" / "nested.xml").write_bytes(first.read_bytes().replace(b'xml:id="', b'xml:id="n-', 1))
    (docs / ".git").mkdir()
    (docs / ".git" / "old.xml").write_bytes(first.read_bytes())
    (docs / ".#letter.xml").write_text("an editor's lock file", encoding="utf-8")
    (docs / "folder.xml").mkdir()
    (docs / "notes.txt").write_text("not TEI", encoding="utf-8")
    os.symlink(docs / "1851", docs / "linked")
    (edition / "tei" / "registers" / "old").mkdir()
    (edition / "tei" / "registers" / "old" / "persons.xml").write_text("<x/>", encoding="utf-8")
    sources = discover_sources(load_config(edition / "edition.toml"))
    found = [p.relative_to(edition / "tei").as_posix() for p in sources.all]
    letters = [f"documents/{p.name}" for p in docs.glob("letter-*.xml")]
    registers = [f"registers/{p.name}" for p in (edition / "tei" / "registers").glob("*.xml")]
    assert found == sorted([*letters, "documents/1851/autumn/nested.xml"]) + sorted(registers)
    assert len(letters) == 5 and len(registers) == 3


def test_an_edition_without_documents_is_told_so(edition: Path) -> None:
    for document in (edition / "tei" / "documents").glob("*.xml"):
        document.unlink()
    result = CliRunner().invoke(main, ["build", "--config", str(edition / "edition.toml")])
    assert result.exit_code == 1
    assert f"there are no documents to build: {edition / 'tei' / 'documents'} holds no .xml file" in result.output
    assert "Pagefind" not in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("copy", ["later/letter-1843-ada.xml", "Letter-1843-ADA.xml"])
def test_documents_with_the_same_id_are_named_before_anything_is_written(edition: Path, copy: str) -> None:
    """A document's id names its page and PDF: the same file name in two folders, or names that differ only in
    letter case, would overwrite each other's pages. The build names both files and writes nothing."""
    import re

    docs = edition / "tei" / "documents"
    text = (docs / "letter-1843-ada.xml").read_text(encoding="utf-8")
    (docs / copy).parent.mkdir(parents=True, exist_ok=True)
    (docs / copy).write_text(re.sub(r'\sxml:id="[^"]*"', "", text), encoding="utf-8")  # no clash of xml:ids
    result = CliRunner().invoke(main, ["build", "--no-pdf", "--config", str(edition / "edition.toml")])
    assert result.exit_code == 1, result.output
    assert "some documents have the same id, which names their pages and PDFs" in result.output
    assert f"tei/documents/{copy}" in result.output and "tei/documents/letter-1843-ada.xml" in result.output
    assert not (edition / "build" / "html").exists()
