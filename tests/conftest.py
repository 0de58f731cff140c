"""Shared fixtures: copies of small fixture editions that tests may change freely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def minimal_edition(tmp_path: Path) -> Path:
    """A copy of tests/data/editions/minimal: two letters, persons and places registers, all valid."""
    target = tmp_path / "minimal"
    shutil.copytree(DATA / "editions" / "minimal", target)
    return target
