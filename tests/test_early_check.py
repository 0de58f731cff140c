"""The grammar check of a few edited documents, begun in a child process as the build begins (build.early): the
same diagnostics as the check in the build's own process, and the build's own check wherever the child's cannot be
used."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

pytest.importorskip("tei_edition.validate.relaxng")

from test_incremental import snapshot  # noqa: E402
from tei_edition.build import early  # noqa: E402
from tei_edition.build.early import EarlyGrammarCheck  # noqa: E402
from tei_edition.build.pipeline import BuildOptions, build_edition  # noqa: E402
from tei_edition.build.plan import hash_bytes  # noqa: E402
from tei_edition.config import load_config  # noqa: E402
from tei_edition.validate.relaxng import RelaxNGValidator  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
EDITION_RNG = REPO / "src" / "tei_edition" / "schema" / "edition.rng"
LETTER = REPO / "tests" / "data" / "schema" / "letter.xml"

pytestmark = pytest.mark.skipif(not early.can_fork(), reason="forks only on Linux, from a process without threads")


def invalid_letter(tmp_path: Path) -> Path:
    """The schema tests' letter with an element the grammar does not know and an attribute value it refuses."""
    text = LETTER.read_text(encoding="utf-8")
    path = tmp_path / "letter.xml"
    path.write_text(text.replace("</p>", "<foo>bar</foo></p>", 1).replace("<p>", '<p rend="x" n="">', 1),
                    encoding="utf-8")
    return path


def test_the_child_finds_what_the_grammar_finds_here(tmp_path: Path) -> None:
    path = invalid_letter(tmp_path)
    here = RelaxNGValidator(EDITION_RNG).validate(etree.parse(str(path)), path)
    assert any("<foo> is not allowed" in d.message for d in here)
    check = EarlyGrammarCheck(EDITION_RNG, [(path, True)])
    try:
        assert check.result(path, hash_bytes(path.read_bytes())) == here
        # Other bytes than the child read, or a file it was not given: the caller checks it itself.
        assert check.result(path, hash_bytes(b"other content")) is None
        assert check.result(tmp_path / "other.xml", hash_bytes(path.read_bytes())) is None
    finally:
        check.close()


def test_a_check_never_asked_for_is_stopped(tmp_path: Path) -> None:
    check = EarlyGrammarCheck(EDITION_RNG, [(invalid_letter(tmp_path), True)])
    check.close()  # kills and reaps the child: no zombie, no wait for the grammar
    check.close()


def test_a_broken_grammar_leaves_the_check_to_the_build(tmp_path: Path) -> None:
    broken = tmp_path / "broken.rng"
    broken.write_text('<grammar xmlns="http://relaxng.org/ns/structure/1.0"><start><ref name="x"/></start>'
                      '</grammar>', encoding="utf-8")
    path = invalid_letter(tmp_path)
    check = EarlyGrammarCheck(broken, [(path, True)])
    try:
        assert check.result(path, hash_bytes(path.read_bytes())) is None
    finally:
        check.close()


def test_an_edit_is_checked_by_the_child_with_the_same_report_and_output(engine_edition: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A one-document edit with an error the grammar reports: the build takes the child's diagnostics, reports
    what a clean build reports, and writes the same preview."""
    strict = engine_edition / "schema" / "strict.rng"  # the engine grammar, without <foo> anywhere
    strict.write_text((engine_edition / "schema" / "any.rng").read_text(encoding="utf-8").replace(
        "<element><anyName/>", '<element><anyName><except><name ns="http://www.tei-c.org/ns/1.0">foo</name>'
        '</except></anyName>'), encoding="utf-8")
    config_file = engine_edition / "edition.toml"
    config_file.write_text(config_file.read_text(encoding="utf-8").replace("schema/any.rng", "schema/strict.rng"),
                           encoding="utf-8")
    options = BuildOptions(pdf=False, jobs=2, keep_going=True)
    build_edition(load_config(config_file), options)
    letter = engine_edition / "tei/documents/letter-1843-ada.xml"
    letter.write_text(letter.read_text(encoding="utf-8").replace("</p>", " <foo>x</foo></p>", 1), encoding="utf-8")

    answered: list[object] = []
    result = EarlyGrammarCheck.result

    def spy(self: EarlyGrammarCheck, path: Path, digest: str) -> object:
        answered.append(found := result(self, path, digest))
        return found

    monkeypatch.setattr(EarlyGrammarCheck, "result", spy)
    incremental = build_edition(load_config(config_file), options)
    assert len(answered) == 1 and answered[0]  # the child's diagnostics were used
    preview = snapshot(engine_edition)
    clean = build_edition(load_config(config_file), BuildOptions(pdf=False, jobs=2, keep_going=True, clean=True))
    assert len(answered) == 1  # a clean build checks everything itself
    assert [(d.path, d.line, d.message) for d in incremental.report.sorted()] == \
        [(d.path, d.line, d.message) for d in clean.report.sorted()]
    assert [d.path.name for d in clean.report.errors] == ["letter-1843-ada.xml"]  # the grammar's error
    assert preview == snapshot(engine_edition)
