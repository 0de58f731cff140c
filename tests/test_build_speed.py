"""The build's shortcuts give the same results as the plain ways: page hashes, the name matcher, shared Saxon trees."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import pickle
from pathlib import Path

import pytest

from tei_edition.tei.header import DocumentMeta
from tei_edition.tei.parse import parse_file
from tei_edition.tei.recognise import NameMatcher
from tei_edition.tei.registers import Entity, Name
from tei_edition.tei.text import T
from tei_edition.validate.encoding import iter_untagged_text, name_matcher
from tei_edition.web.context import _ContextPickler
from tei_edition.web.views import DocumentView

REPO = Path(__file__).resolve().parents[1]


def _view(title: str = "A letter") -> DocumentView:
    return DocumentView(
        id="d1",
        folder="documents/d1/",
        source="downloads/tei/d1.xml",
        title=title,
        meta=DocumentMeta(title=title, keywords=("Korea", "armistice")),
        date_iso="1951-08-23",
        date_attr="1951-08-23",
        date_display="23 August 1951",
        date_sort="01951-08-23-0",
        year="1951",
        doc_type="letter",
        people="",
        place="",
        lang="en",
    )


def _hash(value: object, digests: dict[int, tuple[object, bytes]]) -> str:
    buffer = io.BytesIO()
    _ContextPickler(buffer, digests).dump(value)
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def test_a_view_hashes_alike_in_every_page_and_build_and_changes_with_its_content() -> None:
    view = _view()
    first = _hash({"documents": [view, view], "n": 1}, {})
    # An equal view made separately (as in another build), and a table of digests already holding other objects.
    again = _hash({"documents": [_view(), dataclasses.replace(view)], "n": 1}, {id(object()): (object(), b"x")})
    assert first == again
    assert _hash({"documents": [_view("Another letter"), view], "n": 1}, {}) != first
    assert _hash({"documents": [view], "n": 1}, {}) != first


def test_a_view_is_hashed_once_however_many_pages_show_it() -> None:
    view = _view()
    digests: dict[int, tuple[object, bytes]] = {}
    _hash([view] * 50, digests)
    assert list(digests) == [id(view)] and digests[id(view)][0] is view
    # Its digest stands for it: the page hash is far smaller than the views pickled in full.
    buffer = io.BytesIO()
    _ContextPickler(buffer, digests).dump([view] * 50)
    assert len(buffer.getvalue()) < len(pickle.dumps(view)) * 10


def _entity(id_: str, kind: str, *names: str) -> Entity:
    return Entity(id=id_, kind=kind, names=tuple(Name(n) for n in names), path=Path("registers.xml"), line=1)


def _hits(matcher: NameMatcher, text: str) -> list[tuple[int, int, str, tuple[str, ...]]]:
    return [(h.start, h.end, h.text, tuple(e.id for e in h.entities)) for h in matcher.find(text)]


def test_the_name_matcher_finds_exactly_what_the_plain_matcher_finds() -> None:
    entities = [
        _entity("stalin", "person", "Joseph Stalin", "Stalin"),
        _entity("kim", "person", "Kim Il Sung"),
        _entity("north", "place", "North"),
        _entity("nk", "place", "North Korea"),
        _entity("ussr", "place", "Soviet Union"),
        _entity("ccp", "org", "Chinese Communist Party"),
        _entity("o", "place", "Ōsaka"),
        _entity("pa", "place", "Port Arthur"),
    ]
    texts = [
        "Stalin met Kim Il Sung; Joseph  Stalin's envoy went North.",
        "the North Korean army, North Korea and the Soviet\nUnion; unStalin, Stalinist, XStalin",
        "Ōsaka and Port Arthur (Port  Arthur) — Chinese Communist Party, ChineseCommunist Party",
        "",
    ]
    for path in sorted((REPO / "tei" / "documents").glob("*.xml")):
        texts.extend(chunk for chunk, _line in iter_untagged_text(parse_file(path).getroot().find(f"{T}text")))
    plain, quick = NameMatcher(entities), name_matcher(entities)
    assert quick.pattern is not None and quick.pattern.pattern != plain.pattern.pattern  # type: ignore[union-attr]
    found = 0
    for text in texts:
        assert _hits(quick, text) == _hits(plain, text)
        found += len(_hits(quick, text))
    assert found >= 10


def test_a_matcher_without_names_finds_nothing() -> None:
    assert _hits(name_matcher([]), "Stalin") == []


def test_a_prepared_saxon_tree_gives_the_same_fragments() -> None:
    pytest.importorskip("saxonche")
    from tei_edition.transform.xslt import Transformer

    transformer = Transformer()
    tree = parse_file(sorted((REPO / "tei" / "documents").glob("*.xml"))[0])
    prepared = transformer.prepare(tree)
    for media, root in (("screen", "../../"), ("print", "")):
        params = {"root": root, "media": media, "doc-id": "d"}
        assert transformer.transform(tree, params, prepared) == transformer.transform(tree, params)


def test_templates_compiled_once_are_taken_from_the_build_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jinja2 import Environment

    from tei_edition.config import load_config
    from tei_edition.output.cache import BuildCache
    from tei_edition.transform.jinja import make_env

    monkeypatch.setenv("TEI_EDITION_CACHE_DIR", str(tmp_path / "tool-cache"))  # empty: nothing compiled yet
    config = load_config(REPO / "edition.toml")
    store = BuildCache(tmp_path / "cache.sqlite")
    compiled: list[str] = []
    original = Environment.compile

    def counted(self: Environment, source: str, name: str | None = None, *args: object, **kwargs: object) -> object:
        compiled.append(str(name))
        return original(self, source, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Environment, "compile", counted)
    first = make_env(config, store, "tool-1").get_template("search.html")
    assert "search.html" in compiled
    compiled.clear()
    again = make_env(config, store, "tool-1").get_template("search.html")
    assert compiled == []  # taken from the cache
    assert again.root_render_func.__code__.co_code == first.root_render_func.__code__.co_code
    assert sorted(again.blocks) == sorted(first.blocks)
    make_env(config, store, "tool-2").get_template("search.html")
    assert compiled == ["search.html"]  # another version of the tool compiles its templates afresh
    store.close()
