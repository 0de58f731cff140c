"""The output writer: files are staged in a temporary folder and put in place only when the whole build succeeds."""

from __future__ import annotations

import contextlib
import itertools
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from pathlib import Path, PurePosixPath
from types import TracebackType

from tei_edition.errors import BuildError
from tei_edition.output.hashing import hash_bytes, new_digest

# A file written piece by piece is held in memory up to this many bytes (a page of a few hundred kilobytes, most of
# them), rather than written to a temporary file and renamed: creating a file costs more than its writing on some
# file systems (0.3-0.5 ms here), and a page unchanged since the last build is then not written at all.
IN_MEMORY = 4 * 1024 * 1024
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9._~,-]+$")  # "," for IIIF tile names (0,0,512,512)


def check_relative(rel: str) -> PurePosixPath:
    """Reject output paths that are absolute, climb out with '..', or hold unsafe characters."""
    path = PurePosixPath(rel)
    if path.is_absolute() or not path.parts or any(p in ("", ".", "..") for p in path.parts):
        raise BuildError(f"refusing to write outside the output folder: {rel!r}")
    for part in path.parts:
        if not _SAFE_SEGMENT.match(part):
            raise BuildError(f"refusing an unsafe output name {part!r} in {rel!r}")
    return path


_SAFE_PATH = re.compile(r"[A-Za-z0-9._~,-]+(?:/[A-Za-z0-9._~,-]+)*")


def output_key(rel: str) -> str:
    """The output path as the writer records it ('a/b.html'), checked as check_relative() does: a plain path is
    checked with one pattern (a build names tens of thousands), anything else by check_relative()."""
    if _SAFE_PATH.fullmatch(rel) and "." not in rel.split("/") and ".." not in rel.split("/"):
        return rel
    return check_relative(rel).as_posix()


class OutputWriter:
    """Collects the files a build makes in a temporary folder beside `target`; `commit()` puts them in place,
    `abort()` throws them away and leaves the target as it was.

    Files the last build made and this one would make alike are not staged but kept (`carry_over`): the commit
    moves the staged files into the target, one rename each, and removes what the last build made and this one
    did not. An incremental build thus writes and moves only what changed. Files no build made (someone put them
    there) are left where they are and listed in `foreign`; one that stands where the build puts a folder or a
    file stops the commit before anything is moved."""

    def __init__(
        self,
        target: Path,
        signatures: Mapping[str, str] | None = None,
        previous: Mapping[str, str] | None = None,
        staging_in: Path | None = None,
        leave: str = "",
    ):
        self.target = target.resolve()
        # A folder of the target that another writer owns (the PDFs inside the site): never walked, never touched.
        self.leave = leave
        self._top = str(self.target) + os.sep  # an output's path in the target is this + its key
        self.target.parent.mkdir(parents=True, exist_ok=True)
        if self.target.exists() and not self.target.is_dir():
            raise BuildError(
                f"{self.target} is a file, where the build puts its folder of the same name: move it "
                "away (the build never removes a file it did not make)"
            )
        self.foreign: list[str] = []  # files in the target that no build made, left in place by commit()
        self._walked: list[tuple[Path, str, list[str], list[str]]] | None = None  # the target as check() found it
        # Staged beside the target, or in `staging_in` (on the same file system) for a target inside another's.
        staging_parent = staging_in if staging_in is not None else self.target.parent
        staging_parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.target.name}.new-", dir=staging_parent))
        self.written: set[str] = set()  # output paths written or kept so far, case-folded
        self.hashes: dict[str, str] = {}  # output path -> content hash, for the build manifest
        self.deps: dict[str, str] = {}  # output path -> hash of what it was made from (pages), for the manifest
        self.kept: set[str] = set()  # output paths taken unchanged from the target
        # output path -> size and modification time of the file the last build left (see signature()): a kept file
        # that still has them is not read again to make sure it is unchanged.
        self.signatures: Mapping[str, str] = signatures or {}
        # output path -> content hash of the file the last build left: a file written again with the same content is
        # left where it is rather than staged and moved over it (a clean build over an unchanged edition moves nothing)
        self.previous: Mapping[str, str] = previous or {}
        self._folders: set[Path] = set()
        self._streams = 0  # files being written piece by piece, named in the staging folder until complete

    def _claim(self, rel: str) -> str:
        key = output_key(rel)
        # Compared without case: "Stalin" and "stalin" would overwrite each other on macOS and Windows.
        if key.casefold() in self.written:
            raise BuildError(
                f"two outputs were written to the same path {key!r}: check for documents or register "
                "entries whose ids differ only in letter case or in characters that are not allowed "
                "in file names"
            )
        self.written.add(key.casefold())
        return key

    def path_for(self, rel: str) -> Path:
        """The staging path for an output file (its folders created); the same output may not be written twice."""
        out = self.staging.joinpath(*self._claim(rel).split("/"))
        if out.parent not in self._folders:
            out.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(out.parent)
        return out

    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write one output file."""
        digest = hash_bytes(data)
        if self._unchanged(rel, digest):
            return
        out = self.path_for(rel)
        out.write_bytes(data)
        self.hashes[output_key(rel)] = digest

    def write_chunks(self, rel: str, chunks: Iterable[str]) -> None:
        """Write one output file as UTF-8 from pieces of text as they come (a page of tens of megabytes is never
        held whole)."""
        self.write_byte_chunks(rel, _encoded(chunks))

    def write_byte_chunks(self, rel: str, chunks: Iterable[bytes]) -> int:
        """Write one output file from pieces of bytes as they come; its size. A file of up to IN_MEMORY bytes is
        gathered and written as write_bytes() writes (nothing at all when it is unchanged); a longer one goes to a
        temporary file in the staging folder as it comes, and is renamed into place once complete."""
        pieces = iter(chunks)
        held: list[bytes] = []
        size = 0
        for data in pieces:
            held.append(data)
            size += len(data)
            if size > IN_MEMORY:
                break
        else:
            self.write_bytes(rel, b"".join(held))
            return size
        self._streams += 1
        temporary = self.staging / f".stream-{self._streams}"
        digest = new_digest()
        with open(temporary, "wb") as handle:
            for data in itertools.chain(held, pieces):
                handle.write(data)
                digest.update(data)
            size = handle.tell()
        content = digest.hexdigest()
        if self._unchanged(rel, content):
            temporary.unlink()
            return size
        os.replace(temporary, self.path_for(rel))
        self.hashes[output_key(rel)] = content
        return size

    def _unchanged(self, rel: str, digest: str) -> bool:
        """Keep the target's file when the last build wrote the same content there and it is still as it was."""
        key = output_key(rel)
        known = self.signatures.get(key)
        if not known or self.previous.get(key) != digest:
            return False
        try:
            if _signature(os.stat(self._in_target(key))) != known:
                return False
        except OSError:
            return False
        self._claim(rel)
        self.kept.add(key)
        self.hashes[key] = digest
        return True

    def write_text(self, rel: str, text: str) -> None:
        """Write one output file as UTF-8."""
        self.write_bytes(rel, text.encode("utf-8"))

    def move_in(self, rel: str, source: Path) -> None:
        """Put a finished file made outside the writer into the output: renamed into the staging folder (no new file
        is created: on the same file system), or copied where it cannot be; left where it is when unchanged."""
        data = source.read_bytes()
        digest = hash_bytes(data)
        if self._unchanged(rel, digest):
            return
        out = self.path_for(rel)
        try:
            os.replace(source, out)
        except OSError:
            out.write_bytes(data)
        self.hashes[output_key(rel)] = digest

    def copy_file(self, rel: str, source: Path) -> None:
        """Copy a file (an asset, a TEI source) into the output."""
        self.write_bytes(rel, source.read_bytes())

    def carry_over(self, rel: str, expected_hash: str) -> bool:
        """Keep an output of the last build unchanged, when it is in the target folder with the expected content
        hash; False (and nothing kept) otherwise."""
        key = output_key(rel)
        if not self._still_there(key, expected_hash):
            return False
        self._claim(key)
        self.kept.add(key)
        self.hashes[key] = expected_hash
        return True

    def still_there(self, rel: str, expected_hash: str) -> bool:
        """Whether the target folder holds `rel` with the expected content: told by the size, time and inode the
        last build recorded, else by reading and hashing the file."""
        return self._still_there(output_key(rel), expected_hash)

    def _still_there(self, key: str, expected_hash: str) -> bool:
        old = self._in_target(key)
        try:
            status = os.stat(old)
        except OSError:
            return False
        known = self.signatures.get(key)
        if known and known == _signature(status):
            return True
        try:
            with open(old, "rb") as handle:  # changed by hand since: made again
                return hash_bytes(handle.read()) == expected_hash
        except OSError:
            return False

    def _in_target(self, key: str) -> str:
        return self._top + key if os.sep == "/" else self._top + key.replace("/", os.sep)

    def current(self, rel: str) -> Path:
        """Where an output written or kept so far is now: in the staging folder, or kept in the target."""
        key = output_key(rel)
        return (self.target if key in self.kept else self.staging).joinpath(*key.split("/"))

    def check(self) -> None:
        """Before the commit, with every output written: find the files in the target that no build made, and stop
        with a BuildError if one stands in the way of an output (nothing is moved then). The target's folders are kept,
        deepest first, for commit()."""
        made = set(self.hashes)
        recorded = set(self.previous) | set(self.signatures)  # what the last build made
        walked = [
            (Path(folder), prefix, [d for d in dirs if prefix != "." or d != self.leave], files)
            for folder, dirs, files in os.walk(self.target, topdown=False)
            if not self._left(prefix := Path(folder).relative_to(self.target).as_posix())
        ]
        self.foreign = sorted(
            rel
            for _base, prefix, _dirs, files in walked
            for name in files
            if (rel := name if prefix == "." else f"{prefix}/{name}") not in made and rel not in recorded
        )
        if self.foreign:
            _check_foreign(self.target, self.foreign, made)
        self._walked = walked

    def _left(self, prefix: str) -> bool:
        """Whether a folder of the target (relative, '.' for the target) lies in the folder another writer owns."""
        return bool(self.leave) and (prefix == self.leave or prefix.startswith(self.leave + "/"))

    def commit(self) -> None:
        """Put the staged files in place in the target and remove the files the last build made and this one did
        not (after check(), which it calls when it was not called before)."""
        if not self.target.exists():
            os.rename(self.staging, self.target)
            return
        made = set(self.hashes)
        if self._walked is None:
            self.check()
        walked = self._walked or []
        folders: set[str] = set()  # the target's folders that remain, relative ('.' for the target itself)
        foreign = set(self.foreign)
        # What the last build made and this one did not goes first, so that a file may become a folder.
        for base, prefix, dirs, files in walked:
            remaining = sum(1 for d in dirs if (d if prefix == "." else f"{prefix}/{d}") in folders)
            for name in files:
                rel = f"{prefix}/{name}" if prefix != "." else name
                if rel in made or rel in foreign:
                    remaining += 1
                else:
                    (base / name).unlink()
            if remaining or base == self.target:
                folders.add(prefix)
            else:
                with contextlib.suppress(OSError):
                    base.rmdir()
        for key in sorted(made - self.kept):
            parts = PurePosixPath(key).parts
            destination = self.target.joinpath(*parts)
            parent = PurePosixPath(key).parent.as_posix()
            if parent not in folders:
                _make_folder(destination.parent, self.target)
                folders.add(parent)
            if key in folders:  # a folder of the last build is a file now
                shutil.rmtree(destination)
                folders.discard(key)
            os.replace(self.staging.joinpath(*parts), destination)
        shutil.rmtree(self.staging, ignore_errors=True)

    def signatures_now(self) -> dict[str, str]:
        """The size and modification time of every output in the target (after commit), for the manifest."""
        out: dict[str, str] = {}
        top = str(self.target)
        for key in self.hashes:
            known = self.signatures.get(key) if key in self.kept else None
            if known:  # left in place: as the last build recorded it (checked when it was kept)
                out[key] = known
                continue
            with contextlib.suppress(OSError):
                out[key] = _signature(os.stat(os.path.join(top, *key.split("/"))))
        return out

    def abort(self) -> None:
        """Throw the staged output away; the target is left as it was."""
        shutil.rmtree(self.staging, ignore_errors=True)

    def __enter__(self) -> OutputWriter:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.abort()


def _encoded(chunks: Iterable[str]) -> Iterator[bytes]:
    """Pieces of text as UTF-8, a few thousand pieces at a time (a template yields a million small pieces for 1,000
    document pages: gathered in Python one by one, they cost more than the gathering itself)."""
    pieces = iter(chunks)
    while batch := list(islice(pieces, 4096)):
        yield "".join(batch).encode("utf-8")


def _check_foreign(target: Path, foreign: list[str], made: set[str]) -> None:
    """A BuildError when a file no build made stands where this build puts a folder, or inside a folder where it
    puts a file: the build does not remove what it did not make."""
    folders = {parent for key in made for parent in PurePosixPath(key).parents} - {PurePosixPath(".")}
    in_the_way = [
        rel
        for rel in foreign
        if PurePosixPath(rel) in folders or any(parent.as_posix() in made for parent in PurePosixPath(rel).parents)
    ]
    if in_the_way:
        shown = ", ".join(str(target / rel) for rel in in_the_way[:3]) + (" ..." if len(in_the_way) > 3 else "")
        raise BuildError(
            f"{len(in_the_way)} file(s) that no build made stand where the build puts its output: "
            f"{shown}; move them away (the build never removes a file it did not make)"
        )


def _signature(status: os.stat_result) -> str:
    """A file's size, modification time and inode: it changes whenever the file is written or replaced."""
    return f"{status.st_size}:{status.st_mtime_ns}:{status.st_ino}"


def _make_folder(folder: Path, top: Path) -> None:
    """Create a folder below `top`, removing a file of the last build that stands where a folder must be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        probe = folder
        while probe != top and not probe.is_dir():
            if probe.exists():
                probe.unlink()
                break
            probe = probe.parent
        folder.mkdir(parents=True, exist_ok=True)


def remove_stale_staging(output_dir: Path) -> None:
    """Remove the staging folders (`.html.new-*`, `.pdf.new-*`) of builds that were killed before they could clean
    up. Called with the output folder's lock held: no other build is writing one of them."""
    for name in ("html", "pdf"):
        for stale in output_dir.glob(f".{name}.new-*"):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)


def make_output_folder(folder: Path) -> None:
    """Create the output folder ([output] dir) if it is missing; a BuildError saying what stands in the way if it
    cannot be (a file of that name, a folder that may not be written)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocker = next((p for p in (folder, *folder.parents) if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            raise BuildError(
                f"the output folder {folder} cannot be made: {blocker} is a file; move it away or set "
                "another folder as `dir` in the [output] table of edition.toml"
            ) from None
        raise BuildError(
            f"the output folder {folder} cannot be made: {exc.strerror or exc}; check that it may be "
            "written, or set another folder as `dir` in the [output] table of edition.toml"
        ) from None


class OutputLock:
    """Only one build may write an output folder at a time: a second one stops with a clear message."""

    def __init__(self, output_dir: Path):
        self.path = output_dir / ".edition.lock"
        self._handle: int | None = None

    def __enter__(self) -> OutputLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except ImportError:  # not on a POSIX system: no lock, as before
            pass
        except OSError:
            os.close(handle)
            raise BuildError(f"another build is writing {self.path.parent} right now; wait for it to finish") from None
        self._handle = handle
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._handle is not None:
            os.close(self._handle)  # closing releases the lock
            self._handle = None
