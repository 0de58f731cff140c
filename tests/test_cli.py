"""The `edition` command line: help, exit codes and every report format."""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from tei_edition.cli import main
from test_validate import break_edition


def run(args: list[str], cwd: Path | None = None) -> Result:
    """Invoke `edition ARGS` in `cwd` (default: here), as a user would from a terminal."""
    with contextlib.chdir(cwd or Path.cwd()):
        return CliRunner().invoke(main, args, prog_name="edition", catch_exceptions=False)


def test_every_command_has_help() -> None:
    result = run(["--help"])
    assert result.exit_code == 0
    commands = sorted(main.commands)
    assert {"validate", "build"} <= set(commands)
    for name in commands:
        assert re.search(rf"^\s+{name}\s+\S", result.output, re.M), f"{name} has no summary in --help"
        sub = run([name, "--help"])
        assert sub.exit_code == 0
        assert "Usage: edition " + name in sub.output
        assert main.commands[name].help, f"{name} has no help text"


def test_version() -> None:
    result = run(["--version"])
    assert result.exit_code == 0
    assert result.output.startswith("edition, version ")


def test_validate_clean_edition(minimal_edition: Path) -> None:
    result = run(["validate"], cwd=minimal_edition)
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "2 documents, 2 registers: 0 errors, 0 warnings"


def test_validate_broken_edition_text(minimal_edition: Path) -> None:
    where = break_edition(minimal_edition)
    result = run(["validate"], cwd=minimal_edition)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    ref_path, ref_line = where["ref"]
    assert any(
        line.startswith(f"tei/documents/letter-a.xml:{ref_line}:0: error: persName/@ref '#babage'")
        and line.endswith("[ref-resolves]")
        for line in lines
    ), result.output
    assert any(line.startswith("tei/documents/letter-d.xml:") and "[xml]" in line for line in lines)
    assert any(
        line.startswith(f"tei/documents/letter-c.xml:{where['dup'][1]}:") and "[id-page]" in line for line in lines
    )
    assert re.match(r"^4 documents, 2 registers: \d+ errors?, \d+ warnings?$", lines[-1])
    body = [line for line in lines[:-1]]
    keys = [(m.group(1), int(m.group(2))) for m in (re.match(r"^(.*?):(\d+):", line) for line in body) if m]
    assert keys == sorted(keys), "diagnostics are sorted by file and line"


def test_validate_json(minimal_edition: Path) -> None:
    where = break_edition(minimal_edition)
    result = run(["validate", "--format", "json"], cwd=minimal_edition)
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert data["errors"] >= 4
    assert {"path": "tei/documents/letter-a.xml", "line": where["ref"][1]}.items() <= next(
        d for d in data["diagnostics"] if d["rule"] == "ref-resolves"
    ).items()


def test_validate_junit(minimal_edition: Path) -> None:
    break_edition(minimal_edition)
    result = run(["validate", "--format", "junit"], cwd=minimal_edition)
    assert result.exit_code == 1
    root = etree.fromstring(result.output.encode())
    assert root.tag == "testsuites"
    failures = root.findall(".//failure")
    assert {f.getparent().get("name") for f in failures} >= {
        "tei/documents/letter-a.xml",
        "tei/documents/letter-c.xml",
        "tei/documents/letter-d.xml",
    }


def test_validate_github(minimal_edition: Path) -> None:
    where = break_edition(minimal_edition)
    result = run(["validate", "--format", "github"], cwd=minimal_edition)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    pattern = re.compile(r"^::(error|warning) file=[^,:]+(,line=\d+)?(,col=\d+)?,title=[^:,]+::.+$")
    assert all(pattern.match(line) for line in lines[:-1]), lines
    assert f"::error file=tei/documents/letter-a.xml,line={where['ref'][1]},title=ref-resolves::" in result.output


def test_strict_turns_warnings_into_failure(minimal_edition: Path) -> None:
    a = minimal_edition / "tei" / "documents" / "letter-a.xml"
    a.write_text(a.read_text(encoding="utf-8").replace('<placeName ref="#london">', "<placeName>"), encoding="utf-8")
    assert run(["validate"], cwd=minimal_edition).exit_code == 0
    result = run(["validate", "--strict"], cwd=minimal_edition)
    assert result.exit_code == 1
    assert "[name-ref]" in result.output


def test_bad_config_exit_2(tmp_path: Path) -> None:
    (tmp_path / "edition.toml").write_text('[edition]\ntitel = "x"\n', encoding="utf-8")
    result = run(["validate"], cwd=tmp_path)
    assert result.exit_code == 2
    assert result.output.startswith("Error: ")
    assert "edition.titel: unknown key (did you mean 'title'?)" in result.output
    assert "edition.title: is required" in result.output


def test_no_config_exit_2(tmp_path: Path) -> None:
    result = run(["validate"], cwd=tmp_path)
    assert result.exit_code == 2
    assert "no edition.toml found" in result.output


def test_unknown_format_is_usage_error(minimal_edition: Path) -> None:
    result = run(["validate", "--format", "xml"], cwd=minimal_edition)
    assert result.exit_code == 2


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "github"])
def test_report_to_file(minimal_edition: Path, fmt: str) -> None:
    result = run(["validate", "--format", fmt, "--output", "report.out"], cwd=minimal_edition)
    assert result.exit_code == 0
    assert (minimal_edition / "report.out").read_text(encoding="utf-8")


def test_failed_build_says_the_previous_output_is_kept(minimal_edition: Path) -> None:
    assert run(["build", "--no-pdf", "-q"], cwd=minimal_edition).exit_code == 0
    (minimal_edition / "templates").mkdir()
    (minimal_edition / "templates" / "base.html").write_text("<html>\n{% if %}\n</html>\n", encoding="utf-8")
    result = run(["build", "--no-pdf", "-q"], cwd=minimal_edition)
    assert result.exit_code == 1
    assert "templates/base.html:2" in result.output
    assert f"the previous output in {minimal_edition / 'build'} is unchanged" in result.output
    assert (minimal_edition / "build" / "html" / "index.html").is_file()


def _program(args: list[str], cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    """`python -m tei_edition ARGS` as a user runs it: the program's own way out (cli.run), not CliRunner's."""
    import sys

    return subprocess.run(
        [sys.executable, "-m", "tei_edition", *args], cwd=cwd, capture_output=True, text=True, timeout=300, **kwargs
    )


def test_program_exit_status_and_output_survive_the_fast_exit(minimal_edition: Path) -> None:
    ok = _program(["validate"], minimal_edition)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.strip().splitlines()[-1] == "2 documents, 2 registers: 0 errors, 0 warnings"
    usage = _program(["validate", "--format", "xml"], minimal_edition)
    assert usage.returncode == 2 and "Invalid value for '--format'" in usage.stderr
    built = _program(["build", "--no-pdf"], minimal_edition)
    assert built.returncode == 0, built.stderr
    assert "Built 2 documents" in built.stdout + built.stderr
    assert (minimal_edition / "build" / "html" / "index.html").is_file()
    break_edition(minimal_edition)
    failed = _program(["validate", "--format", "json"], minimal_edition)
    assert failed.returncode == 1
    assert json.loads(failed.stdout)["errors"] >= 4  # the whole report, flushed before the process ended


def test_program_leaves_no_temporary_files_behind(minimal_edition: Path, tmp_path: Path) -> None:
    """The fast exit skips the heap's teardown but not the exit handlers: the worker processes' server folder
    (multiprocessing's) and WeasyPrint's copies of the fonts, in this process and in its PDF workers, are removed."""
    import os
    import subprocess
    import sys

    with (minimal_edition / "edition.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[pdf]\nengine = "weasyprint"\n')
    temporary = tmp_path / "system-temp"
    temporary.mkdir()
    # Pools for two documents (the thresholds keep small editions in one process), then the program's own way out.
    script = (
        "import sys\n"
        "from tei_edition import executor\nfrom tei_edition.print import pdf\n"
        "executor.POOL_THRESHOLD = 0\n"
        "pdf.POOL_MIN_DOCUMENTS = pdf.POOL_MIN_CHARACTERS = 0\n"
        "from tei_edition.cli import run\n"
        "sys.argv = ['edition', 'build', '--jobs', '2']\n"
        "run()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=minimal_edition,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "TMPDIR": str(temporary)},
    )
    assert done.returncode == 0, done.stderr
    assert sorted((minimal_edition / "build" / "html" / "pdf" / "documents").glob("*.pdf"))
    assert sorted(path.name for path in temporary.iterdir()) == []


def test_a_write_the_system_refuses_is_a_message(minimal_edition: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Any command: an OSError (a full disk while `edition new` writes, say) is said with the file, not a traceback."""
    import errno

    from tei_edition import scaffold

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(minimal_edition / "new" / "edition.toml"))

    monkeypatch.setattr(scaffold.Path, "write_text", refuse)
    result = run(["new", str(minimal_edition / "new")], cwd=minimal_edition)
    assert result.exit_code == 1
    assert (
        f"could not read or write {minimal_edition / 'new' / 'edition.toml'}: No space left on device" in result.output
    )
    assert "Traceback" not in result.output
