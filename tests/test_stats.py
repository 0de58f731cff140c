"""`edition stats`: counts per document and in total, untagged candidates, register coverage."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tei_edition.cli import main
from tei_edition.config import load_config
from tei_edition.stats import edition_stats, format_stats

WORKFLOW = Path(__file__).resolve().parent / "data" / "workflow"


@pytest.fixture
def workflow(tmp_path: Path) -> Path:
    target = tmp_path / "workflow"
    shutil.copytree(WORKFLOW, target, ignore=shutil.ignore_patterns("import"))
    return target


def test_counts_per_document(workflow: Path) -> None:
    stats = edition_stats(load_config(workflow / "edition.toml"))
    assert [d.id for d in stats.documents] == ["letter-1952"]
    doc = stats.documents[0]
    # persName: Stalin + Joseph Stalin (in the note); placeName: Moscow twice; orgName: CPSU
    assert (doc.persons, doc.places, doc.orgs, doc.dates, doc.notes, doc.page_breaks) == (2, 2, 1, 2, 2, 1)
    assert (doc.untagged_names, doc.untagged_dates) == (3, 1)
    assert doc.entries_mentioned == 3  # stalin, moscow, cpsu


def test_register_coverage(workflow: Path) -> None:
    stats = edition_stats(load_config(workflow / "edition.toml"))
    assert {k: (c.mentioned, c.total) for k, c in stats.coverage.items()} == {
        "persons": (1, 3),
        "places": (1, 2),
        "orgs": (1, 1),
        "all": (3, 6),
    }


def test_totals_add_up_over_documents(workflow: Path) -> None:
    second = workflow / "tei" / "documents" / "letter-b.xml"
    text = (workflow / "tei" / "documents" / "letter-1952.xml").read_text(encoding="utf-8")
    second.write_text(text.replace('xml:id="letter-1952"', 'xml:id="letter-b"'), encoding="utf-8")
    stats = edition_stats(load_config(workflow / "edition.toml"))
    assert len(stats.documents) == 2
    assert stats.total.persons == 4 and stats.total.untagged_names == 6 and stats.total.page_breaks == 2


def test_text_table_and_json(workflow: Path) -> None:
    stats = edition_stats(load_config(workflow / "edition.toml"))
    text = format_stats(stats, "text")
    assert text.splitlines()[0].split()[:4] == ["document", "pers", "place", "org"]
    assert "  persons     1 of 3    (33%)" in text
    payload = json.loads(format_stats(stats, "json"))
    assert payload["total"]["untagged_names"] == 3
    assert payload["coverage"]["all"] == {"mentioned": 3, "total": 6, "percent": 50.0}


def test_stats_command(workflow: Path) -> None:
    result = CliRunner().invoke(main, ["stats", "--format", "json", "--config", str(workflow / "edition.toml")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["documents"][0]["id"] == "letter-1952"


def test_unreadable_document_is_named_not_a_traceback(workflow: Path) -> None:
    broken = workflow / "tei" / "documents" / "broken.xml"
    broken.write_text(
        "<TEI xmlns='http://www.tei-c.org/ns/1.0'>\n<text><body><p>open</body></text></TEI>\n", encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["stats", "--config", str(workflow / "edition.toml")])
    assert result.exit_code == 0
    assert "not counted: " in result.output and "broken.xml:2:" in result.output
