"""Deterministic output: clean builds of the same sources are byte-identical, wherever and however they run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("tei_edition.validate.relaxng")

from tei_edition import executor  # noqa: E402
from tei_edition.config import load_config  # noqa: E402
from tei_edition.pipeline import BuildOptions, build_edition  # noqa: E402

ENGINE = Path(__file__).resolve().parent / "data" / "engine"


def clean_build(root: Path, jobs: int = 1) -> dict[str, bytes]:
    """A clean build of the edition at `root`; every output file by path."""
    build_edition(load_config(root / "edition.toml"), BuildOptions(pdf=False, clean=True, jobs=jobs))
    html = root / "build" / "html"
    return {p.relative_to(html).as_posix(): p.read_bytes() for p in sorted(html.rglob("*")) if p.is_file()}


def differences(a: dict[str, bytes], b: dict[str, bytes]) -> list[str]:
    return sorted(set(a) ^ set(b)) + sorted(k for k in set(a) & set(b) if a[k] != b[k])


def test_two_clean_builds_in_different_folders_are_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first, second = tmp_path / "a" / "engine", tmp_path / "b" / "elsewhere"
    shutil.copytree(ENGINE, first)
    shutil.copytree(ENGINE, second)
    one = clean_build(first)
    assert any(name.startswith("pagefind/") for name in one)  # the search index is part of the comparison
    assert differences(one, clean_build(second)) == []
    assert differences(one, clean_build(first)) == []


def test_a_process_pool_writes_what_one_process_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(executor, "POOL_THRESHOLD", 0)  # use the pool even for this small edition
    root = tmp_path / "engine"
    shutil.copytree(ENGINE, root)
    assert differences(clean_build(root, jobs=1), clean_build(root, jobs=2)) == []


def test_the_build_date_comes_from_source_date_epoch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "engine"
    shutil.copytree(ENGINE, root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14
    pages = clean_build(root)
    citation = pages["documents/letter-1843-ada/cite.bib"].decode("utf-8")
    assert "year = {2023}" in citation and "urldate" not in citation  # the reader's access date is not the build's
    page = pages["documents/letter-1843-ada/index.html"].decode("utf-8")
    assert '<meta name="citation_publication_date" content="2023/11/14">' in page
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")  # 2020-09-13
    pages = clean_build(root)
    assert '<meta name="DC.date" content="2020-09-13">' in pages["documents/letter-1843-ada/index.html"].decode("utf-8")
    # No other time of day or date leaks into the pages.
    assert not any(b"2020-09-13T" in data for name, data in pages.items() if name.endswith(".html"))


def test_a_changed_build_date_is_not_a_no_op(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "engine"
    shutil.copytree(ENGINE, root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    config = load_config(root / "edition.toml")
    build_edition(config, BuildOptions(pdf=False, jobs=1))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    summary = build_edition(config, BuildOptions(pdf=False, jobs=1))
    assert not summary.up_to_date
    assert summary.processed == 0  # the texts are reused; only the pages showing the date change


@pytest.mark.parametrize("value", ["yesterday", "1.7e9", "-5", "99999999999999", "１７００"])
def test_a_malformed_source_date_epoch_stops_the_build_with_a_message(
    tmp_path: Path, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build asked to be reproducible never falls back to the time of day (nor stops with a traceback): the
    command says what SOURCE_DATE_EPOCH must be, exits 2 and leaves the last output as it was."""
    from click.testing import CliRunner

    from tei_edition.cli import main

    root = tmp_path / "engine"
    shutil.copytree(ENGINE, root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    before = clean_build(root)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, ["build", "--no-pdf", "--clean"])
    assert result.exit_code == 2, result.output
    assert f"SOURCE_DATE_EPOCH is {value!r}: it must be a whole number of seconds since 1970-01-01" in result.output
    assert "Traceback" not in result.output
    html = root / "build" / "html"
    assert {p.relative_to(html).as_posix(): p.read_bytes() for p in html.rglob("*") if p.is_file()} == before
    monkeypatch.setenv("SOURCE_DATE_EPOCH", " 1700000000\n")  # white space around a number is read past
    assert CliRunner().invoke(main, ["build", "--no-pdf"]).exit_code == 0
