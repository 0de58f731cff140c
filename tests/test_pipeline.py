"""The build pipeline: phases, the validation gate, the report, locking, the manifest and the build command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest.importorskip("tei_edition.validate.relaxng")

from tei_edition.cli import main  # noqa: E402
from tei_edition.config import load_config  # noqa: E402
from tei_edition.errors import BuildError, ValidationFailed  # noqa: E402
from tei_edition.output.writer import OutputLock  # noqa: E402
from tei_edition.pipeline import BuildOptions, build_edition, check_edition  # noqa: E402
from tei_edition.pipeline.progress import Reporter  # noqa: E402
from tei_edition.validate.diagnostics import Severity  # noqa: E402


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
    expected = check_edition(config)
    assert [d.rule for d in expected.errors] == ["ref-resolves"]
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
    from tei_edition.pipeline.sources import SourceContents
    from tei_edition.pipeline.stage import SourceTask, process_batch, stage_settings
    from tei_edition.tei.discover import discover_sources

    config = load_config(edition / "edition.toml")
    sources = discover_sources(config)
    contents = SourceContents(sources)
    document = sources.documents[0]
    settings = stage_settings(config, [(p, contents[p]) for p in sources.registers], pdf=False)
    task = SourceTask(document, None, True, digest=contents.digest(document))
    [result] = process_batch(settings, [task])
    assert not result.changed and result.core is not None and len(result.core.documents) == 1
    assert result.bodies[(result.core.documents[0].id, "screen")].startswith("<")

    document.write_text(document.read_text(encoding="utf-8").replace("</p>", " Later.</p>", 1), encoding="utf-8")
    [result] = process_batch(settings, [task])
    assert result.changed and result.core is None
    with pytest.raises(BuildError, match="changed while the edition was being built"):
        contents[document]
    assert contents[sources.registers[0]]  # the registers' bytes are kept from the start


def test_edition_validate_reports_every_problem_and_only_those_of_named_files(edition: Path) -> None:
    """`edition validate` goes through the build's workers and consistency gate (bounded memory, all cores): the
    same report on one worker or two; for named files, their problems, pointers still resolved against the whole
    edition, and an error for a file that is not there."""
    broken = break_a_pointer(edition)
    letter = edition / "tei/documents/letter-1843-ada.xml"
    letter.write_text(
        letter.read_text(encoding="utf-8").replace("</p>", " Written on 3 March 1851.</p>", 1), encoding="utf-8"
    )
    config = load_config(edition / "edition.toml")

    def lines(report: object) -> list[tuple]:
        return [(d.path, d.line, d.severity, d.message, d.rule) for d in report.sorted()]  # type: ignore[attr-defined]

    whole = check_edition(config, jobs=2)
    assert lines(whole) == lines(check_edition(config, jobs=1))
    assert [(d.path, d.rule) for d in whole.errors] == [(broken, "ref-resolves")]
    assert [(d.path, d.rule) for d in whole.warnings] == [(letter, "untagged-date")]
    named = check_edition(config, [broken, edition / "missing.xml"], jobs=1)
    missing = (edition / "missing.xml").resolve()
    not_there = (missing, 0, Severity.ERROR, "the file does not exist", "xml")
    assert set(lines(named)) == {line for line in lines(whole) if line[0] == broken} | {not_there}
    assert (named.documents, named.registers) == (1, 0)


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
