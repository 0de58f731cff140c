"""A long document is shared by two workers: its validation, its reading and transform, and its encoding checks in
tasks of their own, whose results are put together again."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tei_edition.config import DEFAULT_SPLIT
from tei_edition.executor import ExecutorSpec, local_workers
from tei_edition.pipeline import process
from tei_edition.pipeline.process import StageResults, join_halves, split_long_documents
from tei_edition.pipeline.progress import Reporter
from tei_edition.pipeline.stage import CoreResult, SourceResult, SourceTask, SourceWorker, StageSettings
from tei_edition.validate import package_schema
from tei_edition.validate.diagnostics import Diagnostic, Severity

REPO = Path(__file__).resolve().parents[1]
REGISTERS = sorted((REPO / "tei" / "registers").glob("*.xml"))


def test_only_a_document_longer_than_the_limit_is_split() -> None:
    long, short, register = Path("volume.xml"), Path("letter.xml"), Path("persons.xml")
    tasks = [SourceTask(long, None, True), SourceTask(short, None, True), SourceTask(register, None, False)]
    sizes = {long: 3_000_000, short: 20_000, register: 4_000_000}
    out = split_long_documents(tasks, sizes, 1_000_000)
    assert [(t.path, t.core, t.half, t.encoding) for t in out] == [
        (long, True, "checks", False),
        (long, True, "texts", False),
        (long, False, "", True),
        (short, True, "", True),
        (register, True, "", True),  # not a document: no encoding checks to share
    ]


def test_a_build_that_reads_no_texts_keeps_the_checks_whole() -> None:
    long = Path("volume.xml")
    out = split_long_documents([SourceTask(long, None, True)], {long: 3_000_000}, 1_000_000, texts=False)
    assert [(t.core, t.half, t.encoding) for t in out] == [(True, "", False), (False, "", True)]


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


VOLUME = """<?xml version="1.0" encoding="UTF-8"?>
<TEI xmlns="http://www.tei-c.org/ns/1.0" xml:id="vol">
  <teiHeader><fileDesc><titleStmt><title>A volume</title></titleStmt>
    <publicationStmt><p>Unpublished.</p></publicationStmt><sourceDesc><p>Made up.</p></sourceDesc></fileDesc>
  </teiHeader>
  <text><body>
    <div type="document" xml:id="d1"><head>Mr. Davis to <persName ref="#p1">Mr. Read</persName></head>
      <dateline><date when="1870-08-08">August 8, 1870</date></dateline>
      <p>On <date when="1870-08-01">August 1</date> we met <persName ref="#p1">Read</persName> at
        <placeName ref="#nowhere">Paris</placeName>.<pb n="2" xml:id="pg_2"/> See <ref target="#pg_2">p. 2</ref>.</p>
    </div>
    <div type="document" xml:id="d2"><head>Mr. Read to Mr. Davis</head>
      <p>An <unknownElement>error</unknownElement> in the text, written in 1871.</p>
    </div>
  </body>
  <back><listPerson><person xml:id="p1"><persName>John Meredith Read</persName></person></listPerson></back>
  </text>
</TEI>
"""


@pytest.fixture(scope="module")
def worker() -> SourceWorker:
    return SourceWorker(
        StageSettings(
            rng=package_schema("tei_all.rng"),
            schematrons=(),
            xslt_dir=None,
            media=("screen",),
            registers=tuple((p, p.read_bytes()) for p in REGISTERS),
            registers_key="source-split",
            split=DEFAULT_SPLIT,
        )
    )


def test_the_halves_of_a_volume_give_what_the_whole_gives(worker: SourceWorker, tmp_path: Path) -> None:
    path = tmp_path / "volume.xml"
    data = VOLUME.encode("utf-8")
    path.write_bytes(data)
    whole = worker.process(SourceTask(path, data, True, encoding=False))
    checks = worker.process(SourceTask(path, data, True, encoding=False, half="checks"))
    texts = worker.process(SourceTask(path, data, True, encoding=False, half="texts"))
    assert checks.half == "checks" and not checks.bodies and checks.core is not None and not checks.core.documents
    assert texts.half == "texts" and texts.core is not None and not texts.core.ids
    joined = join_halves(checks, texts)
    assert joined.half == "" and whole.core is not None and joined.core is not None
    assert [doc.id for doc in whole.core.documents] == ["vol", "vol-d1", "vol-d2"]
    assert [entry.id for entry in whole.core.entries] == ["p1"]
    for name in (f.name for f in dataclasses.fields(CoreResult)):
        assert getattr(joined.core, name) == getattr(whole.core, name), name
    assert joined.bodies == whole.bodies and joined.passages == whole.passages
    assert any(d.rule == "schema" for d in joined.core.diagnostics)  # the unknown element, found by the checks


def test_a_file_that_cannot_be_parsed_is_reported_once(worker: SourceWorker, tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    data = b"<TEI xmlns='http://www.tei-c.org/ns/1.0'><teiHeader>"
    checks = worker.process(SourceTask(path, data, True, encoding=False, half="checks"))
    texts = worker.process(SourceTask(path, data, True, encoding=False, half="texts"))
    joined = join_halves(checks, texts)
    assert joined.core is not None and not joined.core.parsed
    assert [d.rule for d in joined.core.diagnostics] == ["xml"]


class _Opened(Exception):
    """Raised by the stand-in for open_executor, once it has seen what it was asked for."""


def test_one_long_document_alone_is_shared_by_two_workers(
    worker: SourceWorker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[int] = []

    def opened(spec: ExecutorSpec, items: int, *_args: object) -> object:
        asked.append(items)
        raise _Opened

    monkeypatch.setattr(process, "open_executor", opened)
    path = tmp_path / "volume.xml"
    path.write_bytes(b" " * 3_000_000)  # a FRUS volume's size: only its length counts here
    with pytest.raises(_Opened):
        process.process_sources(
            [SourceTask(path, None, True)],
            worker.settings,
            ExecutorSpec("local", 2),
            Reporter(quiet=True),
            lambda _results: None,
            lambda _name, _seconds: None,
        )
    assert asked == [3]  # its validation, its reading and transform, its encoding checks
    assert local_workers(ExecutorSpec("local", 2), asked[0], 3_000_000) == 2


class _Pool:
    """Stands in for a pool of two workers."""

    workers = 2

    def shutdown(self, wait: bool = True) -> None:
        pass


def test_the_long_tasks_go_first_and_encoding_checks_alone_last(
    worker: SourceWorker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[SourceTask] = []
    monkeypatch.setattr(process, "open_executor", lambda *_args: _Pool())
    monkeypatch.setattr(process, "worker_count", lambda *_args: 2)
    monkeypatch.setattr(process, "run_batches", lambda _pool, _fn, tasks, *_args, **_kw: sent.extend(tasks))
    sizes = {"volume.xml": 3_000_000, "letter.xml": 30_000, "note.xml": 10_000}
    for name, size in sizes.items():
        (tmp_path / name).write_bytes(b" " * size)
    tasks = [SourceTask(tmp_path / name, None, True) for name in ("note.xml", "volume.xml", "letter.xml")]
    process.process_sources(
        tasks, worker.settings, ExecutorSpec("local", 2), Reporter(quiet=True), lambda _r: None, lambda _n, _s: None
    )
    assert [(t.path.name, t.half, t.core, t.encoding) for t in sent] == [
        ("volume.xml", "checks", True, False),
        ("volume.xml", "texts", True, False),
        ("letter.xml", "", True, True),
        ("note.xml", "", True, True),
        ("volume.xml", "", False, True),  # work of a known size, to even out the workers' ends
    ]
