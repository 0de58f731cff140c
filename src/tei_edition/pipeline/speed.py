"""Ways the build saves time that are not needed for it to be right."""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import threading
import time

from tei_edition.pipeline.stage import SourceResult, SourceTask, StageSettings, process_batch


class ForkedStage:
    """A few edited sources checked, read and transformed in a child process forked as the build begins, while this
    process reads what the last build left (manifest, cache). Saxon keeps Python's lock while it compiles the
    stylesheets, so a thread compiling them stalls this one's reading instead of running beside it; a child has a
    lock of its own and the second core. Its results come back through a pipe, pickled, as from a pool's worker.

    Only forked from a process with one thread and no Saxon started yet (see can_fork): a child of a process whose
    Saxon runtime or threads are running could inherit a lock held by one of them."""

    def __init__(self, settings: StageSettings, tasks: list[SourceTask]):
        self.settings = settings
        self.tasks = tasks
        read, write = os.pipe()
        try:
            self.pid = os.fork()
        except OSError:  # no process to be had (a limit on processes): the caller does without
            os.close(read)
            os.close(write)
            raise
        if self.pid == 0:  # the child: never returns into the build
            status = 1
            try:
                os.close(read)
                data = pickle.dumps(process_batch(settings, tasks), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self._read = read
        self._reaped = False  # once waited for, its process id may be another process's: never signalled again

    @staticmethod
    def can_fork() -> bool:
        """Whether this process may fork a child for the stage: Linux, one thread, Saxon not started."""
        return (
            sys.platform.startswith("linux")
            and hasattr(os, "fork")
            and threading.active_count() == 1
            and "saxonche" not in sys.modules
        )

    def results(self, timeout: float | None = None) -> list[SourceResult] | None:
        """The child's results, once it is done; None when it failed or took longer than `timeout` seconds (the
        default allows a minute and 10 s per source), and the tasks are then done in this process."""
        deadline = time.monotonic() + (60.0 + 10.0 * len(self.tasks) if timeout is None else timeout)
        chunks: list[bytes] = []
        while (left := deadline - time.monotonic()) > 0:
            if not select.select([self._read], [], [], left)[0]:
                continue
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        else:  # out of time: a child stuck is stopped, not waited for
            self.cancel()
            return None
        os.close(self._read)
        _pid, status = os.waitpid(self.pid, 0)
        self._reaped = True
        if status != 0:
            return None
        data = b"".join(chunks)
        try:
            results = pickle.loads(data)
        except Exception:  # noqa: BLE001 - a child that died mid-write: its results are not used
            return None
        return results if isinstance(results, list) else None

    def cancel(self) -> None:
        """Stop the child, if it still runs, and forget it."""
        if self._reaped:
            return
        self._reaped = True
        try:
            os.kill(self.pid, signal.SIGKILL)
        except OSError:
            pass
        try:
            os.close(self._read)
        except OSError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:  # reaped elsewhere
            pass
