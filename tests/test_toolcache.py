"""The tool's own cache (output/toolcache.py): what it keeps between runs, where, and how it fails quietly."""

from __future__ import annotations

import os
from pathlib import Path
from types import CodeType

import pytest
from jinja2 import DictLoader, Environment

from tei_edition.output import toolcache
from tei_edition.output.cache import BuildCache
from tei_edition.transform.jinja import CompiledTemplates
from tei_edition.validate import package_schema
from tei_edition.validate.grammar import SchemaInfo, _load


@pytest.fixture()
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "tool-cache"
    monkeypatch.setenv(toolcache.ENVIRONMENT, str(folder))
    return folder


def test_the_folder_is_chosen_by_the_variable_then_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(toolcache.ENVIRONMENT, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert toolcache.cache_folder() == tmp_path / "xdg" / "tei-edition"
    monkeypatch.setenv(toolcache.ENVIRONMENT, str(tmp_path / "mine"))
    assert toolcache.cache_folder() == tmp_path / "mine"
    monkeypatch.setenv(toolcache.ENVIRONMENT, "")
    assert toolcache.cache_folder() is None
    toolcache.save("kind", b"data", "a")
    assert toolcache.load("kind", "a") is None


def test_an_entry_is_found_by_what_it_was_made_from(cache_dir: Path) -> None:
    toolcache.save("kind", b"one", "a", "b")
    assert toolcache.load("kind", "a", "b") == b"one"
    assert toolcache.load("kind", "a", "c") is None
    assert toolcache.load("other", "a", "b") is None
    assert not [p for p in cache_dir.rglob("*") if p.name.startswith(".new-")]  # no temporary file left


def test_the_oldest_entries_of_a_kind_go_beyond_the_limit(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(toolcache, "KEEP", 3)
    for number in range(5):
        toolcache.save("kind", str(number).encode(), str(number))
        path = toolcache.entry_path("kind", str(number))
        assert path is not None
        os.utime(path, ns=(number * 10**9, number * 10**9))  # written in this order
    toolcache.save("other", b"x", "a")
    assert [toolcache.load("kind", str(n)) for n in range(5)] == [None, None, b"2", b"3", b"4"]
    assert toolcache.load("other", "a") == b"x"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_a_folder_that_cannot_be_written_is_only_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    monkeypatch.setenv(toolcache.ENVIRONMENT, str(locked / "cache"))
    try:
        toolcache.save("kind", b"data", "a")
        assert toolcache.load("kind", "a") is None
    finally:
        locked.chmod(0o700)


def test_a_file_where_the_folder_should_be_is_only_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder")
    monkeypatch.setenv(toolcache.ENVIRONMENT, str(blocker))
    toolcache.save("kind", b"data", "a")
    assert toolcache.load("kind", "a") is None
    assert blocker.read_text() == "not a folder"


def test_what_a_grammar_says_survives_the_round_trip() -> None:
    info = _load(str(package_schema("edition.rng")), 0).info
    again = SchemaInfo.from_json(info.to_json())
    assert again == info
    assert info.elements and info.attributes and info.required
    assert SchemaInfo.from_json(b"{not json") is None
    assert SchemaInfo.from_json(b'{"elements": []}') is None


def test_a_grammar_is_read_once_across_runs(cache_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    schema = tmp_path / "schema.rng"
    schema.write_bytes(package_schema("edition.rng").read_bytes())
    first = _load(str(schema), 1).info  # read, and kept (a new modification time: not in this process's memo)
    assert list((cache_dir / "schema-info").iterdir())

    def unread(_cls: type, _root: object) -> SchemaInfo:
        raise AssertionError("the grammar was read again")

    monkeypatch.setattr(SchemaInfo, "read", classmethod(unread))
    assert _load(str(schema), 2).info == first  # another run: what was read comes from the cache
    schema.write_bytes(schema.read_bytes().replace(b"</grammar>", b"<!-- edited --></grammar>"))
    with pytest.raises(AssertionError, match="read again"):
        _load(str(schema), 3).info  # noqa: B018 - an edited grammar is read again


def test_a_template_compiled_once_is_not_compiled_by_a_clean_build(cache_dir: Path, tmp_path: Path) -> None:
    compiled: list[str] = []

    class Counting(Environment):
        def _compile(self, source: str, filename: str) -> CodeType:
            compiled.append(filename)
            return super()._compile(source, filename)

    def render(build: int) -> str:
        store = BuildCache(tmp_path / f"cache-{build}.sqlite", fresh=True)  # what a clean build starts from
        env = Counting(
            loader=DictLoader({"page.html": "<p>{{ text }}</p>"}), bytecode_cache=CompiledTemplates(store, "tool")
        )
        try:
            return env.get_template("page.html").render(text="a & b")
        finally:
            store.close()

    assert render(1) == render(2) == "<p>a & b</p>"
    assert len(compiled) == 1  # by the first build only
