"""A long document is shared by two workers: its core steps in one task, its encoding checks in another."""

from __future__ import annotations

from pathlib import Path

from tei_edition.pipeline.process import StageResults, split_long_documents
from tei_edition.pipeline.stage import CoreResult, SourceResult, SourceTask
from tei_edition.validate.diagnostics import Diagnostic, Severity


def test_only_a_document_longer_than_the_limit_is_split_in_two() -> None:
    long, short, register = Path("volume.xml"), Path("letter.xml"), Path("persons.xml")
    tasks = [SourceTask(long, None, True), SourceTask(short, None, True), SourceTask(register, None, False)]
    sizes = {long: 3_000_000, short: 20_000, register: 4_000_000}
    out = split_long_documents(tasks, sizes, 1_000_000)
    assert [(t.path, t.core, t.encoding) for t in out] == [
        (long, True, False),
        (long, False, True),
        (short, True, True),
        (register, True, True),  # not a document: no encoding checks to share
    ]


def test_a_task_already_wanting_one_part_is_left_whole() -> None:
    task = SourceTask(Path("volume.xml"), None, True, core=False)
    assert split_long_documents([task], {task.path: 10**7}, 1) == [task]


def test_the_two_halves_results_are_kept_side_by_side() -> None:
    path = Path("volume.xml")
    warning = Diagnostic(path, 3, 0, Severity.WARNING, "an untagged name", "untagged-name")
    found = StageResults()
    found.keep([SourceResult(path, encoding=[warning])])
    found.keep([SourceResult(path, core=CoreResult(True))])
    assert found.core[path].parsed and found.encoding[path] == [warning]
