"""The grammar check of a few edited files, begun in a child process as the build begins.

libxml2 takes about half a second to compile the edition's RELAX NG grammar and keeps Python's lock while it does, so a
thread cannot do it on the side. When a build has only a few edited documents to check, it checks them in its own
process (see open_executor), and that half second would come first: instead a child forked as the build begins
compiles the grammar and checks them, while this process reads the last build's results, compiles the stylesheets
and transforms the documents. The child reads each file itself; its result for a file is used only if it read the
bytes the build did, and anything it could not do (a broken grammar, an unreadable file) is done again here, where
it is reported as it always is.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
from pathlib import Path

from tei_edition.build.plan import hash_bytes
from tei_edition.validate.diagnostics import Diagnostic

# Beyond this many edited files no child is forked: the grammar's half second is then a small part of the check (and
# from open_executor's POOL_THRESHOLD on, worker processes do it).
MAX_FILES = 16


def can_fork() -> bool:
    """Whether a child may be forked here: on Linux, from a process running no other Python thread (a thread's
    locks would stay locked in the child)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


class EarlyGrammarCheck:
    """The edition grammar's diagnostics for a few files, computed in a child process started at once."""

    def __init__(self, schema: Path, files: list[tuple[Path, bool]]):
        """Fork the child that checks `files` (path, whether it is a document) against the grammar `schema`."""
        self.schema = schema
        self._results: dict[Path, tuple[str, list[Diagnostic]]] | None = None
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: check, hand the results over, and leave without running any of the parent's exits
            try:
                os.close(read)
                payload = pickle.dumps(_check(schema, files), protocol=pickle.HIGHEST_PROTOCOL)
                with os.fdopen(write, "wb") as out:
                    out.write(payload)
            finally:
                os._exit(0)
        os.close(write)
        self._pid = pid
        self._read = read

    def result(self, path: Path, digest: str) -> list[Diagnostic] | None:
        """The grammar's diagnostics for `path` as it was when the build read it (content hash `digest`), or None
        when the child did not check that content: the caller checks the file itself then."""
        if self._results is None:
            self._results = self._collect()
        found = self._results.get(path)
        return list(found[1]) if found is not None and found[0] == digest else None

    def _collect(self) -> dict[Path, tuple[str, list[Diagnostic]]]:
        with os.fdopen(self._read, "rb") as pipe:
            data = pipe.read()
        self._read = -1
        self._reap()
        try:
            results = pickle.loads(data) if data else {}
        except Exception:  # noqa: BLE001 - a child that died half-way: everything is checked here instead
            return {}
        return results if isinstance(results, dict) else {}

    def close(self) -> None:
        """Stop the child if its results were never asked for, and release it."""
        if self._read >= 0:
            os.close(self._read)
            self._read = -1
            try:
                os.kill(self._pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._reap()

    def _reap(self) -> None:
        if self._pid:
            try:
                os.waitpid(self._pid, 0)
            except ChildProcessError:
                pass
            self._pid = 0


def _check(schema: Path, files: list[tuple[Path, bool]]) -> dict[Path, tuple[str, list[Diagnostic]]]:
    """In the child: each readable, well-formed file's content hash and grammar diagnostics."""
    from tei_edition.build.pipeline import parse_source
    from tei_edition.errors import SourceError
    from tei_edition.validate.relaxng import RelaxNGValidator

    try:
        validator = RelaxNGValidator(schema)
    except SourceError:
        return {}
    results: dict[Path, tuple[str, list[Diagnostic]]] = {}
    for path, is_document in files:
        try:
            data = path.read_bytes()
            tree = parse_source(data, path, is_document)
        except (OSError, SourceError):
            continue
        results[path] = (hash_bytes(data), validator.validate(tree, path))
    return results
