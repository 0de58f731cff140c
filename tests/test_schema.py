"""edition.rng: a TEI subset derived from TEI All, fast to compile, accepting the sample edition."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import pytest
from lxml import etree

from tei_edition.schema.make_schema import KEPT_ELEMENTS, build_schema
from tei_edition.validate.grammar import _walk_content

REPO = Path(__file__).resolve().parents[1]
SCHEMA_DIR = REPO / "src" / "tei_edition" / "schema"
EDITION_RNG = SCHEMA_DIR / "edition.rng"
TEI_ALL = SCHEMA_DIR / "tei_all.rng"
DATA = REPO / "tests" / "data" / "schema"
R = "{http://relaxng.org/ns/structure/1.0}"

SAMPLE_FILES = sorted((REPO / "tei").glob("*/*.xml"))
# Fixtures that break only Schematron rules are valid against the grammar (date-format breaks both).
VALID_FIXTURES = [p for p in sorted(DATA.glob("*.xml")) if not p.name.startswith(("rng-", "date-format"))]
needs_samples = pytest.mark.skipif(
    not any((REPO / "tei" / "documents").glob("*.xml")), reason="tei/documents is still empty"
)


@pytest.fixture(scope="module")
def edition_rng() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(EDITION_RNG)))


@pytest.fixture(scope="module")
def tei_all() -> etree.RelaxNG:
    # The walked form accepts the same documents and compiles in 0.1 s, where TEI All as written takes about 9 s.
    return etree.RelaxNG(_walk_content(etree.parse(str(TEI_ALL)).getroot(), frozenset()))


def elements_of(path: Path) -> set[str]:
    root = etree.parse(str(path)).getroot()
    return {d[0].get("name") for d in root.iter(R + "define") if len(d) and d[0].tag == R + "element"}


def test_edition_rng_compiles_quickly() -> None:
    code = (
        "import sys, time; from lxml import etree; t = time.perf_counter(); "
        "etree.RelaxNG(etree.parse(sys.argv[1])); print(time.perf_counter() - t)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(EDITION_RNG)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) < 5.0  # measured about 0.5 s; TEI All takes about 10 s


def test_tei_all_is_shipped_unmodified_with_its_licence() -> None:
    shipped = resources.files("tei_edition") / "schema"
    text = (shipped / "tei_all.rng").read_text(encoding="utf-8")
    assert "4.12.0" in text and "CC+BY and BSD-2" in text
    assert hashlib.sha256((shipped / "tei_all.rng").read_bytes()).hexdigest().startswith("b0f115095ead2ccc")
    note = (shipped / "TEI-LICENCE.md").read_text(encoding="utf-8")
    assert "CC BY 3.0" in note and "BSD 2-Clause" in note and "4.12.0" in note


def test_every_kept_element_is_in_the_schema_and_nothing_else() -> None:
    assert elements_of(EDITION_RNG) == set(KEPT_ELEMENTS)


def test_schema_keeps_the_tei_licence_and_namespace() -> None:
    text = EDITION_RNG.read_text(encoding="utf-8")
    assert "CC+BY and BSD-2" in text and "4.12.0" in text and "TEI Consortium" in text
    assert 'ns="http://www.tei-c.org/ns/1.0"' in text
    assert "<sch:" not in text and "<a:documentation" not in text  # annotations stripped


def test_committed_schema_is_what_the_generator_writes(tmp_path: Path) -> None:
    out = tmp_path / "edition.rng"
    done = subprocess.run(
        [sys.executable, str(SCHEMA_DIR / "make_schema.py"), str(TEI_ALL), str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert out.read_bytes() == EDITION_RNG.read_bytes(), "edition.rng is stale: regenerate it (see make_schema.py)"


def test_unknown_kept_element_is_refused() -> None:
    with pytest.raises(SystemExit, match="no such TEI element"):
        build_schema(TEI_ALL, KEPT_ELEMENTS | {"notATeiElement"})


@needs_samples
@pytest.mark.parametrize("path", SAMPLE_FILES, ids=[p.name for p in SAMPLE_FILES])
def test_sample_edition_is_valid(edition_rng: etree.RelaxNG, path: Path) -> None:
    valid = edition_rng.validate(etree.parse(str(path)))
    assert valid, [f"{e.line}: {e.message}" for e in edition_rng.error_log]


def test_valid_fixtures_are_valid(edition_rng: etree.RelaxNG) -> None:
    for path in VALID_FIXTURES:
        assert edition_rng.validate(etree.parse(str(path))), (path.name, str(edition_rng.error_log))


def test_edition_rng_is_a_subset_of_tei_all(edition_rng: etree.RelaxNG, tei_all: etree.RelaxNG) -> None:
    valid_here = [p for p in SAMPLE_FILES + VALID_FIXTURES if edition_rng.validate(etree.parse(str(p)))]
    assert len(valid_here) >= len(VALID_FIXTURES)
    for path in valid_here:
        assert tei_all.validate(etree.parse(str(path))), (path.name, str(tei_all.error_log))


def test_dropped_elements_are_tei_but_not_edition(edition_rng: etree.RelaxNG, tei_all: etree.RelaxNG) -> None:
    text = (
        (DATA / "letter.xml")
        .read_text(encoding="utf-8")
        .replace("<gap reason", "<app><lem>struggle</lem><rdg>straggle</rdg></app><gap reason")
    )
    doc = etree.fromstring(text.encode("utf-8"))
    assert tei_all.validate(doc)
    assert not edition_rng.validate(doc)


def test_time_to_validate_the_sample(edition_rng: etree.RelaxNG) -> None:
    trees = [etree.parse(str(p)) for p in SAMPLE_FILES + VALID_FIXTURES]
    start = time.perf_counter()
    for tree in trees:
        edition_rng.validate(tree)
    assert time.perf_counter() - start < 1.0  # measured about 1 ms per document
