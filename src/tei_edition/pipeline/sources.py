"""The sources as the build saw them: their content hashes and the registers' bytes."""

from __future__ import annotations

import os
from pathlib import Path
from time import time_ns

from tei_edition.errors import BuildError, SourceError
from tei_edition.output.hashing import hash_bytes
from tei_edition.tei.discover import Sources

# A file whose modification time is this close to the time it is read may still change within the same tick of
# the file system's clock (2 s on FAT) without its time changing: its status is not recorded (see SourceContents).
SETTLED_NS = 3_000_000_000


class SourceContents:
    """The sources' content hashes, and the bytes of the registers (which every worker needs); a document's bytes
    are read again when asked for, and must still be what the build saw.

    `known` gives, per source, its status (size, modification time, inode) and hash as the last build recorded
    them: a document whose status is unchanged is not read again (at 10,000 documents reading and hashing them all
    took ~0.65 s of every build), as git does with its index. The hash alone says whether a source changed; the
    status only spares reading the files that did not. It is recorded only for files whose modification time was
    at least SETTLED_NS before they were read, so that a change in the same clock tick cannot go unseen."""

    def __init__(self, sources: Sources, known: dict[Path, tuple[str, str]] | None = None):
        self._digests: dict[Path, str] = {}
        self._stats: dict[Path, str] = {}
        self._kept: dict[Path, bytes] = {}
        registers = set(sources.registers)
        now = time_ns()
        for path in sources.all:
            status = _status(path)
            if known is not None and path not in registers:
                recorded, digest = known.get(path, ("", ""))
                if status and recorded == status[0] and digest:
                    self._digests[path], self._stats[path] = digest, recorded
                    continue
            data = read_source(path)
            self._digests[path] = hash_bytes(data)
            if status and status[1] < now - SETTLED_NS:
                self._stats[path] = status[0]
            if path in registers:
                self._kept[path] = data

    def digest(self, path: Path) -> str:
        """The hash of a source's content as this build saw it."""
        return self._digests[path]

    def stat(self, path: Path) -> str:
        """The source's status as recorded for the next build ('' when it is not to be trusted yet)."""
        return self._stats.get(path, "")

    def __getitem__(self, path: Path) -> bytes:
        data = self._kept.get(path)
        if data is not None:
            return data
        data = read_source(path)
        if hash_bytes(data) != self._digests[path]:
            raise BuildError(f"{path} changed while the edition was being built: build again")
        return data


def _status(path: Path) -> tuple[str, int] | None:
    """A file's size, modification time and inode as one string, with the modification time; None if unreadable."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}", st.st_mtime_ns


def read_source(path: Path) -> bytes:
    """A source's bytes; SourceError if it cannot be read."""
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SourceError(path, f"cannot be read: {exc.strerror or exc}") from None
