"""Encoding checks: untagged register names and dates, unused register entries, entries without an authority."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree

from tei_edition.config import load_config
from tei_edition.pipeline import check_edition
from tei_edition.tei.recognise import DateFinder, NameMatcher
from tei_edition.tei.registers import Entity, Name
from tei_edition.validate.diagnostics import Severity
from tei_edition.validate.encoding import RULES, check_entries, iter_untagged_text

WORKFLOW = Path(__file__).resolve().parent / "data" / "workflow"


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.fixture
def workflow(tmp_path: Path) -> Path:
    target = tmp_path / "workflow"
    shutil.copytree(WORKFLOW, target, ignore=shutil.ignore_patterns("import"))
    return target


def findings(root: Path) -> dict[tuple[str, str, int], str]:
    report = check_edition(load_config(root / "edition.toml"))
    return {(d.rule, d.path.name, d.line): d.message for d in report.diagnostics if d.rule in RULES}


def test_untagged_name_names_file_line_and_register_entry(workflow: Path) -> None:
    doc = workflow / "tei" / "documents" / "letter-1952.xml"
    found = findings(workflow)
    line = line_of(doc, "met Molotov in")
    assert found[("untagged-name", doc.name, line)].startswith(
        "'Molotov' is not tagged; the persons register has #molotov"
    )


def test_possessive_and_text_after_multiline_elements_are_found(workflow: Path) -> None:
    doc = workflow / "tei" / "documents" / "letter-1952.xml"
    found = findings(workflow)
    assert ("untagged-name", doc.name, line_of(doc, "noted Molotov's report")) in found
    assert ("untagged-name", doc.name, line_of(doc, "Stalin is named without a tag")) in found


def test_header_tagged_names_and_sic_are_not_reported(workflow: Path) -> None:
    doc = workflow / "tei" / "documents" / "letter-1952.xml"
    names = {line for rule, name, line in findings(workflow) if rule == "untagged-name"}
    assert line_of(doc, "<title>A note on Molotov") not in names  # header
    assert line_of(doc, "<sic>Stalin</sic>") not in names  # source reading inside choice
    assert line_of(doc, "naming <persName") not in names  # tagged inside a note
    assert line_of(doc, "The editors think Molotov") not in names  # an editor's note is commentary
    assert len(names) == 3


def test_untagged_dates_but_not_numbers_that_are_not_years(workflow: Path) -> None:
    doc = workflow / "tei" / "documents" / "letter-1952.xml"
    dates = {(line, msg) for (rule, _name, line), msg in findings(workflow).items() if rule == "untagged-date"}
    assert dates == {
        (
            line_of(doc, "August 3, 1952"),
            "'August 3, 1952' looks like a date but is not tagged (tag it as <date when=\"...\">)",
        )
    }


def test_unused_entries_and_entries_without_authority(workflow: Path) -> None:
    found = findings(workflow)
    persons = workflow / "tei" / "registers" / "persons.xml"
    unused = {msg.split()[2] for (rule, _n, _l), msg in found.items() if rule == "unused-entry"}
    assert unused == {"#molotov", "#zhou-enlai", "#beijing"}
    no_idno = {msg.split()[2] for (rule, _n, _l), msg in found.items() if rule == "authority"}
    assert no_idno == {"#molotov", "#zhou-enlai", "#cpsu"}
    assert ("authority", "persons.xml", line_of(persons, 'xml:id="zhou-enlai"')) in found


def test_entries_are_unused_when_no_document_points_to_them() -> None:
    # The edition-wide half of the checks: given the ids the documents point to, or None when no document could be
    # read (then no entry is called unused); an entry without an idno has no authority either way.
    used, unused, unverified = (
        Entity(i, "person", (Name(i.title()),), Path("persons.xml"), line, idnos=idnos)
        for i, line, idnos in (("stalin", 3, (("viaf", "1"),)), ("molotov", 7, (("viaf", "2"),)), ("zhou", 9, ()))
    )
    found = check_entries([used, unused, unverified], {"stalin", "zhou"})
    assert [(d.rule, d.line) for d in found] == [("unused-entry", 7), ("authority", 9)]
    assert [(d.rule, d.line) for d in check_entries([used, unused, unverified], None)] == [("authority", 9)]


def test_validate_reports_them_as_warnings(workflow: Path) -> None:
    report = check_edition(load_config(workflow / "edition.toml"))
    rules = {d.rule for d in report.warnings}
    assert {"untagged-name", "unused-entry", "authority", "untagged-date"} <= rules
    assert all(d.severity is Severity.WARNING for d in report.diagnostics if d.rule in rules)


def test_validate_strict_fails_on_them(workflow: Path) -> None:
    from click.testing import CliRunner

    from tei_edition.cli import main

    runner = CliRunner()
    config = str(workflow / "edition.toml")
    assert runner.invoke(main, ["validate", "--config", config]).exit_code == 0
    strict = runner.invoke(main, ["validate", "--strict", "--config", config])
    assert strict.exit_code == 1
    line = next(row for row in strict.output.splitlines() if "'Molotov' is not tagged" in row)
    assert ": warning: 'Molotov' is not tagged; the persons register has #molotov" in line
    assert line.endswith("[untagged-name]")


def test_text_lines_follow_the_source() -> None:
    root = etree.fromstring(
        b"<text><p>one\n<hi>two\nthree</hi> four\n<!-- a\ncomment -->five\n<b\n  x='1'/>six</p></text>"
    )
    chunks = {text.strip(): line for text, line in iter_untagged_text(root) if text.strip()}
    assert chunks == {"one": 1, "two\nthree": 2, "four": 3, "five": 5, "six": 7}


def test_matcher_prefers_the_longest_name_and_whole_words() -> None:
    here = Path("r.xml")
    kim = Entity("kim-il-sung", "person", (Name("Kim Il Sung"),), here, 1)
    kim2 = Entity("kim-jong-il", "person", (Name("Kim Jong Il"), Name("Kim")), here, 2)
    matcher = NameMatcher([kim, kim2])
    hits = [(h.text, h.entities[0].id) for h in matcher.find("Kim Il Sung met Kim, not Kimball, in Kim\nJong Il's car")]
    assert hits == [("Kim Il Sung", "kim-il-sung"), ("Kim", "kim-jong-il"), ("Kim\nJong Il", "kim-jong-il")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("on August 23, 1951, they", ("August 23, 1951", {"when": "1951-08-23"})),
        ("on 23 August 1951 they", ("23 August 1951", {"when": "1951-08-23"})),
        ("in September 1945 they", ("September 1945", {"when": "1945-09"})),
        ("through the fall of 1945", ("the fall of 1945", {"notBefore": "1945-09", "notAfter": "1945-12"})),
        ("in 1967 they", ("1967", {"when": "1967"})),
        ("The Division of Korea, 1945-1948", ("1945-1948", {"from": "1945", "to": "1948"})),
    ],
)
def test_date_forms(text: str, expected: tuple[str, dict[str, str]]) -> None:
    hits = DateFinder().find(text)
    assert [(h.text, h.attrs) for h in hits] == [expected]


def test_dates_without_a_year_take_the_year_from_context() -> None:
    finder = DateFinder()
    finder.find("On August 23, 1951, the talks stopped.")
    hits = finder.find("In mid-September and on August 28 they met.")
    assert [(h.text, h.attrs, h.inferred) for h in hits] == [
        ("mid-September", {"notBefore": "1951-09-10", "notAfter": "1951-09-20"}, True),
        ("August 28", {"when": "1951-08-28"}, True),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "see page 1945",
        "file No. 1981",
        "1981/9",
        "3,000 troops",
        "1961 copies",
        "3-5 years",
        "May we go",
        "Room 2001-B",
    ],
)
def test_numbers_that_are_not_dates(text: str) -> None:
    assert [h.text for h in DateFinder().find(text) if h.explicit] == []


def test_checks_are_fast_enough() -> None:
    import time

    entities = [
        Entity(f"p{i}", "person", (Name(f"Person{i} Name{i}"), Name(f"Name{i}")), Path("r.xml"), i) for i in range(500)
    ]
    matcher = NameMatcher(entities)
    text = "Name42 met Person7 Name7 on June 5, 1952 in the hall. " * 2000
    start = time.perf_counter()
    hits = list(matcher.find(text))
    DateFinder().find(text)
    assert len(hits) == 4000
    assert time.perf_counter() - start < 2.0


CRAFTED_DATES = [
    "On August 23, 1951 and 23 August 1951, in the spring of last year, the summer of 1950, late 1952, mid-July 1953",
    "Early October, in October, the month of May 1950, Sept. 3, 1949, 3.10.1950, 1950-53, 1949–1951, this year",
    "page 1945, No. 1981, x1945 1945x 1945/6 p.1945 1951-52 at 12:00 on 2 May, 31 February 1951, Winter 1950",
    "Next year; last year; The Summer of 1951; autumn 1950; fall of 1949; De Gaulle; Mid-1952; Ja Feb. 1950",
]


def test_the_date_finder_finds_what_the_whole_pattern_finds() -> None:
    from tei_edition.tei.recognise import _DATE_RE, date_matches

    texts = list(CRAFTED_DATES)
    for path in sorted((Path(__file__).resolve().parents[1] / "tei" / "documents").glob("*.xml")):
        texts.append("".join(etree.parse(str(path)).getroot().itertext()))
    found = 0
    for text in texts:
        expected = [(m.start(), m.end()) for m in _DATE_RE.finditer(text)]
        assert [(m.start(), m.end()) for m in date_matches(text)] == expected
        found += len(expected)
    assert found > 100


def test_the_names_tree_finds_what_an_alternation_longest_first_finds() -> None:
    import random
    import re

    names = [
        "Kim",
        "Kim Il",
        "Kim Il Sung",
        "Kim Jong Il",
        "Kim Jong",
        "North",
        "North Korea",
        "Korea",
        "Korean",
        "Mao",
        "Mao Zedong",
        "Ma",
        "Zhou",
        "Zhou Enlai",
        "Port Arthur",
        "Port",
        "Dalian",
        "St. Petersburg",
        "U.S.",
        "U.S.S.R.",
        "Пхеньян",
        "金日成",
        "金",
    ]
    entities = [Entity(f"e{i}", "place", (Name(n),), Path("r.xml"), 1) for i, n in enumerate(names)]
    matcher = NameMatcher(entities)
    longest_first = sorted(matcher.by_name, key=lambda n: (-len(n), n))
    reference = re.compile(
        r"(?<![\w])(?:" + "|".join(r"\s+".join(re.escape(w) for w in n.split()) for n in longest_first) + r")(?![\w])"
    )
    rng = random.Random(3)
    glue = [" ", "  ", "\n ", "'s ", ", ", "-", "x", "", ". ", "\u00a0"]
    found = 0
    for _ in range(300):
        words = " ".join(rng.choice(names) for _ in range(rng.randint(1, 8))).split(" ")
        text = "".join(word + rng.choice(glue) for word in words)
        expected = [(m.start(), m.end()) for m in reference.finditer(text)]
        assert [(m.start(), m.end()) for m in matcher.pattern.finditer(text)] == expected, text
        found += len(expected)
    assert found > 500


def test_numbers_coordinates_and_a_file_s_own_lists_are_not_searched() -> None:
    root = etree.fromstring(
        '<text xmlns="http://www.tei-c.org/ns/1.0"><body><p>Written in May 1920.</p>'
        '<p><num value="1848">1848</num> men, <measure>1900 feet</measure></p></body>'
        "<back><listPlace><place><location><geo>48,2066 16,3720</geo></location>"
        '<desc type="entity_type_id">1107</desc></place></listPlace></back></text>'
    )
    chunks = " ".join(text for text, _line in iter_untagged_text(root) if text.strip())
    assert "May 1920" in chunks
    assert not any(number in chunks for number in ("1848", "1900", "2066", "1107")), chunks
