"""The hashes the build takes of what it reads and writes: BLAKE2b, 160 bits, as hex.

Every hash that decides whether something is out of date (a source, a page's inputs, a cache key, an output
file's content) is made here, so that the same bytes always give the same hash whoever takes it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path

DIGEST_SIZE = 20  # bytes


def new_digest() -> hashlib.blake2b:
    """A hash to feed piece by piece (a file written in chunks, a page's passages as they are listed)."""
    return hashlib.blake2b(digest_size=DIGEST_SIZE)


def hash_bytes(data: bytes) -> str:
    """A short content hash as hex."""
    return hashlib.blake2b(data, digest_size=DIGEST_SIZE).hexdigest()


def hash_text(*parts: str) -> str:
    """The hash of several strings, each terminated so that boundaries count."""
    digest = new_digest()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def content_key(*parts: str | bytes) -> str:
    """A hash of the parts, each length-prefixed (('ab', 'c') and ('a', 'bc') differ): the build cache's keys."""
    digest = new_digest()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def hash_file(path: Path | None) -> str:
    """The hash of a file's content; '' for no file, 'missing' for a file that cannot be read."""
    if path is None:
        return ""
    try:
        return hash_bytes(path.read_bytes())
    except OSError:
        return "missing"


def file_hashes(paths: Iterable[Path]) -> dict[str, str]:
    """Each file by its path, with its hash ('missing' for one that cannot be read): what a result depends on."""
    return {str(p): hash_file(p) for p in paths}


def files_unchanged(hashes: Mapping[str, str]) -> bool:
    """Whether every file of a file_hashes() mapping still has the hash it had."""
    return all(hash_file(Path(p)) == h for p, h in hashes.items())


def hash_folder(folder: Path | None, suffixes: tuple[str, ...] | None = None) -> str:
    """The hash of every file below a folder (names and contents, in a stable order); '' for no folder."""
    if folder is None or not folder.is_dir():
        return ""
    digest = new_digest()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if "__pycache__" in rel or (suffixes and path.suffix not in suffixes):
            continue
        digest.update(rel.encode("utf-8") + b"\0")
        digest.update(hash_file(path).encode("ascii") + b"\0")
    return digest.hexdigest()


def stable_number(text: str) -> int:
    """A 64-bit number that depends on `text` alone, the same on every machine and in every version: for dividing
    things into groups (a document's search shard) that must not move between builds."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")
