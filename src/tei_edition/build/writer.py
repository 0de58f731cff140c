"""The atomic output writer: everything goes to a temporary folder that replaces the target only on success."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from types import TracebackType

from tei_edition.errors import BuildError

_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9._~-]+$")


def safe_segment(name: str) -> str:
    """A file or folder name made safe for any file system and URL: letters, digits, '.', '_', '~', '-' only."""
    cleaned = re.sub(r"[^A-Za-z0-9._~-]+", "-", name).strip(".-") or "item"
    return cleaned[:120]


def check_relative(rel: str) -> PurePosixPath:
    """Reject output paths that are absolute, climb out with '..', or hold unsafe characters."""
    path = PurePosixPath(rel)
    if path.is_absolute() or not path.parts or any(p in ("", ".", "..") for p in path.parts):
        raise BuildError(f"refusing to write outside the output folder: {rel!r}")
    for part in path.parts:
        if not _SAFE_SEGMENT.match(part):
            raise BuildError(f"refusing an unsafe output name {part!r} in {rel!r}")
    return path


class OutputWriter:
    """Collects the output in a temporary folder beside `target`; `commit()` swaps it in, `abort()` throws it away."""

    def __init__(self, target: Path):
        self.target = target.resolve()
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.new-", dir=self.target.parent))
        self.written: set[str] = set()  # output paths written so far, case-folded
        self.hashes: dict[str, str] = {}  # output path -> content hash, for the build manifest
        self.deps: dict[str, str] = {}  # output path -> hash of what it was made from (pages), for the manifest

    def path_for(self, rel: str) -> Path:
        """The staging path for an output file (its folders created); the same output may not be written twice."""
        clean = check_relative(rel)
        key = clean.as_posix()
        # Compared without case: "Stalin" and "stalin" would overwrite each other on macOS and Windows.
        if key.casefold() in self.written:
            raise BuildError(f"two outputs were written to the same path {key!r}: check for documents or register "
                             "entries whose ids differ only in letter case or in characters that are not allowed "
                             "in file names")
        self.written.add(key.casefold())
        out = self.staging.joinpath(*clean.parts)
        out.parent.mkdir(parents=True, exist_ok=True)
        return out

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write one output file."""
        out = self.path_for(rel)
        out.write_bytes(data)
        self.hashes[check_relative(rel).as_posix()] = content_hash(data)

    def write_text(self, rel: str, text: str) -> None:
        """Write one output file as UTF-8."""
        self.write_bytes(rel, text.encode("utf-8"))

    def copy_file(self, rel: str, source: Path) -> None:
        """Copy a file (an asset, a TEI source) into the output."""
        out = self.path_for(rel)
        shutil.copyfile(source, out)
        self.hashes[check_relative(rel).as_posix()] = content_hash(out.read_bytes())

    def carry_over(self, rel: str, expected_hash: str) -> bool:
        """Take an output unchanged from the current target folder (a hard link, else a copy) when it is there with
        the expected content hash; False (and nothing written) otherwise."""
        clean = check_relative(rel)
        old = self.target.joinpath(*clean.parts)
        try:
            data = old.read_bytes()
        except OSError:
            return False
        if content_hash(data) != expected_hash:  # changed by hand since the last build: make it again
            return False
        out = self.path_for(rel)
        try:
            os.link(old, out)
        except OSError:
            out.write_bytes(data)
        self.hashes[clean.as_posix()] = expected_hash
        return True

    def replace(self, rel: str, new_rel: str, data: bytes) -> None:
        """Replace an output already written with new content, possibly under a new name (post-processing)."""
        old_key = check_relative(rel).as_posix()
        if old_key.casefold() not in self.written:
            raise BuildError(f"cannot replace {old_key!r}: it was not written")
        self.staging.joinpath(*check_relative(rel).parts).unlink()
        self.written.discard(old_key.casefold())
        self.hashes.pop(old_key, None)
        self.write_bytes(new_rel, data)

    def commit(self) -> None:
        """Replace the target folder with the staged output; the old output is removed only after the swap."""
        old: Path | None = None
        if self.target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.old-", dir=self.target.parent))
            os.rename(self.target, old / "out")
        try:
            os.rename(self.staging, self.target)
        except OSError:
            if old is not None:
                os.rename(old / "out", self.target)
            raise
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        """Throw the staged output away; the target is left as it was."""
        shutil.rmtree(self.staging, ignore_errors=True)

    def __enter__(self) -> "OutputWriter":
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def content_hash(data: bytes) -> str:
    """The hash of an output file's content, as recorded in the build manifest."""
    return hashlib.blake2b(data, digest_size=20).hexdigest()


class OutputLock:
    """Only one build may write an output folder at a time: a second one stops with a clear message."""

    def __init__(self, output_dir: Path):
        self.path = output_dir / ".edition.lock"
        self._handle: int | None = None

    def __enter__(self) -> "OutputLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # not on a POSIX system: no lock, as before
            pass
        except OSError:
            os.close(handle)
            raise BuildError(f"another build is writing {self.path.parent} right now; wait for it to finish") \
                from None
        self._handle = handle
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._handle is not None:
            os.close(self._handle)  # closing releases the lock
            self._handle = None
