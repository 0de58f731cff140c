"""Shared fixtures: copies of small fixture editions that tests may change freely."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
REPO = Path(__file__).resolve().parents[1]
# Material shared by the projects beside the repository (../shared): real TEI of other projects in corpora/, TEI All
# in schemas/. None when it is not there.
SHARED = next((p for p in (REPO.parent / "shared", Path("/work/shared")) if (p / "corpora").is_dir()), None)


def pytest_configure(config: pytest.Config) -> None:
    """The tool's own cache (output/toolcache.py) in a folder of the test run's, so that no test depends on what
    earlier runs left in the user's (a run that names one keeps it)."""
    if "TEI_EDITION_CACHE_DIR" not in os.environ:
        os.environ["TEI_EDITION_CACHE_DIR"] = _TOOL_CACHE[0] = tempfile.mkdtemp(prefix="tei-edition-tool-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Remove the run's tool cache."""
    if _TOOL_CACHE[0]:
        shutil.rmtree(_TOOL_CACHE[0], ignore_errors=True)


_TOOL_CACHE: list[str] = [""]  # the folder pytest_configure made, if it made one


@pytest.fixture
def minimal_edition(tmp_path: Path) -> Path:
    """A copy of tests/data/editions/minimal: two letters, persons and places registers, all valid."""
    target = tmp_path / "minimal"
    shutil.copytree(DATA / "editions" / "minimal", target)
    return target


@pytest.fixture
def engine_edition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of tests/data/engine (five letters and three registers), built at a fixed date."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    target = tmp_path / "engine"
    shutil.copytree(DATA / "engine", target)
    return target


@pytest.fixture
def shared() -> Path:
    """The shared folder beside the repository (corpora/ of real TEI, schemas/tei_all.rng); skips if absent."""
    if SHARED is None:
        pytest.skip("the shared folder (../shared) is not beside the repository")
    return SHARED
