"""Where per-document work runs: in this process, in a local process pool, or on a Dask cluster.

Every engine is a `concurrent.futures.Executor`, so the pipeline submits work the same way to each. Work items and
results cross the process boundary as plain data (paths, bytes, strings, dataclasses), never lxml trees.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing.context import BaseContext
from typing import Any, TypeVar

from tei_edition.errors import UsageError

T = TypeVar("T")
R = TypeVar("R")

# Below this many work items a pool costs more than it saves: starting a worker and compiling the stylesheets
# (~0.5 s each) outweighs the work itself (a few milliseconds per document of the sample's size).
POOL_THRESHOLD = 64


class InlineExecutor(Executor):
    """Runs each submitted call at once in this process: for tests, one job, and small editions."""

    def __init__(self, initializer: Callable[..., Any] | None = None, initargs: tuple[Any, ...] = ()):
        if initializer is not None:
            initializer(*initargs)

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Future[R]:
        """Run `fn` now and return a finished future holding its result or its exception."""
        future: Future[R] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed back through the future, as a pool would
            future.set_exception(exc)
        return future


@dataclass(frozen=True)
class ExecutorSpec:
    """Which engine to use: 'local' (this machine) or 'dask' at `address`, with `jobs` local workers."""

    kind: str
    jobs: int
    address: str = ""

    @property
    def describe(self) -> str:
        """A short description for the build's log."""
        if self.kind == "dask":
            return f"Dask scheduler at {self.address}"
        return "in this process" if self.jobs == 1 else f"{self.jobs} worker processes"


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def parse_executor(value: str | None, jobs: int | None) -> ExecutorSpec:
    """Read `--executor` / `[build] executor`: '', 'local', 'process' or 'dask://HOST:PORT'."""
    jobs = jobs or default_jobs()
    text = (value or "").strip()
    if text in ("", "local", "process", "processes"):
        return ExecutorSpec("local", jobs)
    if text.startswith(("dask://", "tcp://")):
        address = "tcp://" + text.split("://", 1)[1]
        host = address.removeprefix("tcp://")
        if ":" not in host or not host.rsplit(":", 1)[1].isdigit():
            raise UsageError(
                f"--executor {value!r}: a Dask scheduler is given as dask://HOST:PORT, "
                "e.g. dask://scheduler.example.org:8786"
            )
        return ExecutorSpec("dask", jobs, address)
    raise UsageError(f"--executor {value!r} is not understood: use 'local' (the default) or dask://HOST:PORT")


# The size of a work item the threshold above is reckoned in (a document of the sample's size, ~23 KB): a few
# long files (novels of 2 MB, a volume of 3.6 MB) are as much work as hundreds of letters, and get a pool too.
ITEM_BYTES = 24_000


def local_workers(spec: ExecutorSpec, items: int, size: int = 0) -> int:
    """How many processes of this machine share `items` work items of `size` bytes in all: 1 (this process) when a
    pool would not pay. The work is weighed by bytes as well as by count."""
    work = max(items, size // ITEM_BYTES)
    if spec.jobs <= 1 or items < 2 or work < POOL_THRESHOLD:
        return 1
    return min(spec.jobs, items, max(1, work // 8))


def long_item_bytes(total: int, workers: int) -> float:
    """The size beyond which one work item of `total` bytes in all is shared by `workers` workers (it goes out as
    several tasks): half a worker's share."""
    return total / (workers * 2)


def start_server_early(jobs: int, sizes: list[int], preload: tuple[str, ...]) -> bool:
    """Start the fork server the workers will be forked from now, with `preload` imported, when a pool of `jobs`
    workers is likely for sources of these sizes (a file longer than half a worker's share counts as the three
    tasks it goes out as): the server then imports beside this process rather than after it. True when started."""
    size = sum(sizes)
    long = sum(1 for n in sizes if jobs > 1 and n > long_item_bytes(size, jobs))
    if local_workers(ExecutorSpec("local", jobs), len(sizes) + 2 * long, size) <= 1:
        return False
    context = process_context(preload)
    if context.get_start_method() != "forkserver":
        return False
    from multiprocessing import forkserver

    forkserver.ensure_running()
    return True


def open_executor(
    spec: ExecutorSpec,
    items: int,
    initializer: Callable[..., Any] | None = None,
    initargs: tuple[Any, ...] = (),
    size: int = 0,
) -> Executor:
    """An executor fit for `items` work items (`size` bytes in all): inline when a pool would not pay, else a
    process pool or Dask."""
    if spec.kind == "dask":
        return _dask_executor(spec.address)
    workers = local_workers(spec, items, size)
    if workers == 1:
        return InlineExecutor(initializer, initargs)
    return LocalPool(workers, initializer, initargs)


class LocalPool(ProcessPoolExecutor):
    """A pool of worker processes on this machine that says how many workers it has."""

    def __init__(self, workers: int, initializer: Callable[..., Any] | None, initargs: tuple[Any, ...]):
        # The module of the initializer, which every worker imports first, is imported once by the fork server, and
        # each worker forked from it starts with it (with the build's modules and lxml: 0.13 s less a worker).
        preload = (initializer.__module__,) if initializer is not None else ()
        super().__init__(
            max_workers=workers, mp_context=process_context(preload), initializer=initializer, initargs=initargs
        )
        self.workers = workers


def process_context(preload: tuple[str, ...] = ()) -> BaseContext:
    """How the build starts worker processes: a fork server where there is one, else spawn. Never 'fork': it would
    copy a parent that may already hold Saxon's runtime, WeasyPrint's Pango and fontconfig state, or threads; a fork
    server is safe and starts workers faster than spawn. `preload`: modules the fork server imports when it starts
    (the first pool of the process starts it), so that the workers forked from it need not (none may start Saxon's
    runtime or threads on import)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    if preload:
        context.set_forkserver_preload(["__main__", *preload])
    return context


def _dask_executor(address: str) -> Executor:
    """A concurrent.futures executor backed by the Dask scheduler at `address` (needs tei-edition[dask])."""
    try:
        from distributed import Client
    except ImportError:
        raise UsageError(
            "--executor dask://... needs Dask: install it with `pip install 'tei-edition[dask]'` "
            "(and install tei-edition on every Dask worker)"
        ) from None
    try:
        client = Client(address, timeout="10s", set_as_default=False)
    except OSError as exc:
        raise UsageError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    return DaskExecutor(client)


class DaskExecutor(Executor):
    """Submits to a Dask cluster; closes the client (not the cluster) on shutdown."""

    def __init__(self, client: Any):
        self.client = client
        self._executor = client.get_executor(pure=False)

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Future[R]:
        """Run `fn` on some worker of the cluster."""
        return self._executor.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop submitting and disconnect from the scheduler."""
        self._executor.shutdown(wait=wait)
        self.client.close()


def batches(
    items: Sequence[T], workers: int, smallest: int = 1, largest: int = 64, weights: Sequence[int] | None = None
) -> Iterator[list[T]]:
    """Split work into batches: large enough to amortise the round trip, small enough to balance the workers.
    With `weights` (one per item, e.g. its bytes), a batch also ends once it weighs an eighth of a worker's share,
    so that a long file is not held up behind others in one worker while the other workers run out of work."""
    if not items:
        return
    size = max(smallest, min(largest, len(items) // max(1, workers * 8)))
    if weights is None:
        for start in range(0, len(items), size):
            yield list(items[start : start + size])
        return
    most = sum(weights) / max(1, workers * 8)
    batch: list[T] = []
    weight = 0
    for item, item_weight in zip(items, weights, strict=True):
        batch.append(item)
        weight += item_weight
        if len(batch) >= size or weight >= most:
            yield batch
            batch, weight = [], 0
    if batch:
        yield batch


def run_batches(
    executor: Executor,
    fn: Callable[[list[T]], list[R]],
    items: Sequence[T],
    workers: int,
    advance: Callable[[int], None] | None = None,
    consume: Callable[[list[R]], None] | None = None,
    prepare: Callable[[list[T]], list[T]] | None = None,
    weights: Sequence[int] | None = None,
) -> list[R]:
    """Apply `fn` to batches of `items` on `executor`; results come back in the order of `items`, or are handed
    to `consume` batch by batch as they arrive (and [] is returned). A few batches per worker are in flight at a
    time, each made ready by `prepare` just before it is sent, so that memory holds only those. `weights`: see
    batches."""
    from concurrent.futures import FIRST_COMPLETED, wait

    pending = iter(enumerate(batches(items, workers, weights=weights)))
    futures: dict[Future[list[R]], int] = {}
    limit = max(2, workers * 3)

    def submit_more() -> None:
        while len(futures) < limit:
            step = next(pending, None)
            if step is None:
                return
            index, batch = step
            futures[executor.submit(fn, prepare(batch) if prepare is not None else batch)] = index

    done: dict[int, list[R]] = {}
    try:
        submit_more()
        while futures:
            finished, _ = wait(list(futures), return_when=FIRST_COMPLETED)
            for future in finished:
                index = futures.pop(future)
                result = future.result()
                if consume is not None:
                    consume(result)
                else:
                    done[index] = result
                if advance is not None:
                    advance(len(result))
            submit_more()
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return [r for index in sorted(done) for r in done[index]]


def worker_count(executor: Executor, spec: ExecutorSpec) -> int:
    """How many workers an executor has, for batching."""
    if isinstance(executor, InlineExecutor):
        return 1
    if isinstance(executor, LocalPool):
        return executor.workers
    if isinstance(executor, DaskExecutor):
        try:
            return max(
                1, sum(w.get("nthreads", 1) for w in executor.client.scheduler_info().get("workers", {}).values())
            )
        except Exception:  # the scheduler's description is informative only
            return spec.jobs
    return spec.jobs
