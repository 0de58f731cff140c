"""Executors: inline, a local process pool and (when installed) Dask run the same work with the same results."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tei_edition.errors import UsageError
from tei_edition.executor import (
    ExecutorSpec,
    InlineExecutor,
    batches,
    open_executor,
    parse_executor,
    run_batches,
    start_server_early,
)

ENGINE = Path(__file__).resolve().parent / "data" / "engine"


def square_all(items: list[int]) -> list[int]:
    """A batch function that can be sent to another process."""
    return [i * i for i in items]


def fail_on_seven(items: list[int]) -> list[int]:
    if 7 in items:
        raise ValueError("seven is not allowed")
    return items


def test_parse_executor() -> None:
    assert parse_executor(None, 3) == ExecutorSpec("local", 3)
    assert parse_executor("local", 2).kind == "local"
    dask = parse_executor("dask://scheduler.example.org:8786", 2)
    assert (dask.kind, dask.address) == ("dask", "tcp://scheduler.example.org:8786")
    assert parse_executor(None, None).jobs >= 1


@pytest.mark.parametrize("value", ["dask://no-port", "spark://host:7077", "threads"])
def test_parse_executor_refuses_what_it_does_not_know(value: str) -> None:
    with pytest.raises(UsageError, match="--executor"):
        parse_executor(value, 2)


def test_small_work_runs_inline_and_one_job_never_starts_a_pool() -> None:
    assert isinstance(open_executor(ExecutorSpec("local", 4), items=3), InlineExecutor)
    assert isinstance(open_executor(ExecutorSpec("local", 1), items=10_000), InlineExecutor)


def test_batches_cover_every_item_once_in_order() -> None:
    items = list(range(1000))
    chunks = list(batches(items, workers=2))
    assert [i for chunk in chunks for i in chunk] == items
    assert 1 < len(chunks) < 1000


def test_inline_executor_hands_back_exceptions() -> None:
    future = InlineExecutor().submit(fail_on_seven, [7])
    with pytest.raises(ValueError, match="seven"):
        future.result()


def test_a_process_pool_returns_results_in_order() -> None:
    items = list(range(300))
    with open_executor(ExecutorSpec("local", 2), items=len(items)) as pool:
        assert not isinstance(pool, InlineExecutor)
        seen: list[int] = []
        assert run_batches(pool, square_all, items, 2, seen.append) == [i * i for i in items]
        assert sum(seen) == len(items)


class CountingExecutor(InlineExecutor):
    """Runs batches at once but records how many were prepared before their results were consumed."""

    def __init__(self) -> None:
        super().__init__()
        self.prepared = 0
        self.most_ahead = 0
        self.consumed = 0

    def note_prepared(self, batch: list[int]) -> list[int]:
        self.prepared += 1
        self.most_ahead = max(self.most_ahead, self.prepared - self.consumed)
        return [i + 1000 for i in batch]


def test_batches_are_prepared_just_in_time_and_consumed_as_they_come() -> None:
    """Memory: only a few batches are ready at a time, and results are handed over batch by batch."""
    items = list(range(400))
    executor = CountingExecutor()
    received: list[int] = []

    def consume(results: list[int]) -> None:
        executor.consumed += 1
        received.extend(results)

    assert run_batches(executor, square_all, items, 2, consume=consume, prepare=executor.note_prepared) == []
    assert sorted(received) == sorted((i + 1000) ** 2 for i in items)
    assert executor.prepared == executor.consumed > 6
    assert executor.most_ahead <= 6  # three batches per worker in flight at most


def test_an_error_in_a_worker_reaches_the_caller() -> None:
    with open_executor(ExecutorSpec("local", 2), items=100) as pool:
        with pytest.raises(ValueError, match="seven"):
            run_batches(pool, fail_on_seven, list(range(100)), 2)


def test_unreachable_dask_scheduler_is_a_clear_error() -> None:
    pytest.importorskip("distributed")
    from tei_edition.executor import _dask_executor

    with pytest.raises(UsageError, match="Dask scheduler at tcp://127.0.0.1:9"):
        _dask_executor("tcp://127.0.0.1:9")


def test_a_build_on_a_local_dask_cluster_equals_a_local_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("tei_edition.validate.relaxng")
    distributed = pytest.importorskip("distributed")
    from tei_edition.config import load_config
    from tei_edition.pipeline import BuildOptions, build_edition

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    outputs = []
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        address = cluster.scheduler_address.replace("tcp://", "dask://")
        for executor in (None, address):
            root = tmp_path / ("dask" if executor else "local") / "engine"
            shutil.copytree(ENGINE, root)
            summary = build_edition(
                load_config(root / "edition.toml"), BuildOptions(pdf=False, clean=True, executor=executor)
            )
            assert summary.processed == 8
            html = root / "build" / "html"
            outputs.append({p.relative_to(html).as_posix(): p.read_bytes() for p in html.rglob("*") if p.is_file()})
    assert outputs[0] == outputs[1]


def test_a_few_long_files_get_a_pool_as_many_short_ones_do() -> None:
    """Five novels of 1 MB are as much work as hundreds of letters: the work is weighed by bytes too."""
    from tei_edition.executor import local_workers

    spec = ExecutorSpec("local", 2)
    assert local_workers(spec, 5) == 1
    assert local_workers(spec, 5, size=5_400_000) == 2
    assert local_workers(spec, 1, size=5_400_000) == 1  # one file is one work item: no pool for it
    assert local_workers(ExecutorSpec("local", 1), 5, size=5_400_000) == 1


def test_weighed_batches_give_a_heavy_item_a_batch_of_its_own() -> None:
    items = list(range(40))
    weights = [1000] + [1] * 39
    chunks = list(batches(items, workers=2, weights=weights))
    assert [i for chunk in chunks for i in chunk] == items
    assert chunks[0] == [0]
    assert all(len(chunk) <= 4 for chunk in chunks)


def test_the_fork_server_is_started_early_only_for_a_pool() -> None:
    import multiprocessing
    from multiprocessing import forkserver

    assert not start_server_early(2, [20_000] * 3, ())  # three letters: checked in this process
    assert not start_server_early(1, [3_000_000], ())  # one job: no pool
    if "forkserver" not in multiprocessing.get_all_start_methods():
        pytest.skip("no fork server on this system")
    assert start_server_early(2, [3_000_000], ("json",))  # one FRUS volume: two workers share it
    assert forkserver._forkserver._forkserver_pid is not None  # type: ignore[attr-defined]
