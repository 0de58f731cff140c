"""Incremental rendering: pages whose context did not change are carried over (hard links), the rest re-rendered."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("tei_edition.validate.relaxng")

from tei_edition.build.pipeline import BuildOptions, build_edition  # noqa: E402
from tei_edition.build.writer import OutputWriter, content_hash  # noqa: E402
from tei_edition.config import load_config  # noqa: E402

ENGINE = Path(__file__).resolve().parent / "data" / "engine"


def _build(root: Path, clean: bool = False) -> None:
    build_edition(load_config(root / "edition.toml"), BuildOptions(pdf=False, clean=clean, jobs=1))


def _pages(root: Path) -> dict[str, tuple[int, bytes]]:
    html = root / "build" / "html"
    return {p.relative_to(html).as_posix(): (p.stat().st_ino, p.read_bytes())
            for p in sorted(html.rglob("index.html"))}


def test_an_edit_re_renders_only_the_pages_whose_context_changed(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    root = tmp_path / "engine"
    shutil.copytree(ENGINE, root)
    _build(root)
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


def test_a_page_changed_by_hand_is_made_again(tmp_path: Path) -> None:
    target = tmp_path / "out"
    (target / "a").mkdir(parents=True)
    (target / "a" / "index.html").write_text("old", encoding="utf-8")
    writer = OutputWriter(target)
    assert not writer.carry_over("a/index.html", content_hash(b"something else"))
    assert writer.carry_over("a/index.html", content_hash(b"old"))
    assert (writer.staging / "a" / "index.html").read_text(encoding="utf-8") == "old"
    assert writer.hashes["a/index.html"] == content_hash(b"old")
    assert not writer.carry_over("b/index.html", content_hash(b"old"))
    writer.abort()
