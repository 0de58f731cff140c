"""A content-addressed cache of expensive results (validation, XSLT output, PDFs), kept in one SQLite file.

Keys are hashes of everything a result depends on, so an entry is never stale: it is either the right answer or
absent. Entries not used by a successful build are removed at its end, which keeps the cache as large as one
build's results. The cache only ever holds what this tool wrote, and its keys include the tool's fingerprint.
A clean build (`--clean`) reads none of the entries earlier builds left: it makes everything again and stores it.
"""

from __future__ import annotations

import pickle
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

CACHE_NAME = ".edition-cache.sqlite"
_SCHEMA_VERSION = 1
_BATCH = 500  # keys per query (SQLite allows at least 999 parameters)


class BuildCache:
    """Byte strings and picklable objects stored by key; a missing or unreadable entry is simply a miss."""

    def __init__(self, path: Path, fresh: bool = False):
        self.path = path
        # A fresh cache (a clean build's) answers only with what this build has stored: the entries of earlier
        # builds are not read, though they stay on disk until the build succeeds and prunes them.
        self.fresh = fresh
        self.written: set[str] = set()
        self.used: set[str] = set()
        self.hits = 0
        self.misses = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = self._open(path)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(path, isolation_level=None)
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, _SCHEMA_VERSION):
                raise sqlite3.DatabaseError("written by another version")
        except sqlite3.DatabaseError:
            # A damaged or foreign cache is thrown away: it can always be rebuilt.
            path.unlink(missing_ok=True)
            db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")  # losing the last entries on a power cut only costs a rebuild
        db.execute("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
        db.execute(f"PRAGMA user_version={_SCHEMA_VERSION}")
        return db

    def get(self, key: str) -> bytes | None:
        """The bytes stored under `key`, or None."""
        row = (
            None
            if self.fresh and key not in self.written
            else self._db.execute("SELECT value FROM entries WHERE key = ?", (key,)).fetchone()
        )
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        self.used.add(key)
        return bytes(row[0])

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        """The entries stored under `keys` (those found), read in a few queries rather than one per key."""
        found = {key: bytes(value) for key, value in self._select("key, value", keys)}
        self.hits += len(found)
        self.misses += len(set(keys)) - len(found)
        self.used.update(found)
        return found

    def has_many(self, keys: list[str]) -> set[str]:
        """Those of `keys` that have entries (marked as used, as the build will read them)."""
        found = {key for (key,) in self._select("key", keys)}
        self.used.update(found)
        return found

    def _select(self, columns: str, keys: list[str]) -> Iterator[tuple[Any, ...]]:
        """The rows of the entries under `keys`, queried _BATCH keys at a time."""
        if self.fresh:
            keys = [key for key in keys if key in self.written]
        for start in range(0, len(keys), _BATCH):
            chunk = keys[start : start + _BATCH]
            marks = ",".join("?" * len(chunk))
            yield from self._db.execute(f"SELECT {columns} FROM entries WHERE key IN ({marks})", chunk)

    def put_many(self, items: list[tuple[str, bytes]]) -> None:
        """Store many entries in one transaction."""
        if not items:
            return
        self.used.update(key for key, _ in items)
        if self.fresh:
            self.written.update(key for key, _ in items)
        with self._transaction():
            self._db.executemany("INSERT OR REPLACE INTO entries (key, value) VALUES (?, ?)", items)

    def get_objects(self, keys: list[str]) -> dict[str, Any]:
        """The objects stored under `keys` (those found and readable by this version), by key; read a few hundred at
        a time, so that the pickled bytes of thousands are never held at once beside the objects."""
        out: dict[str, Any] = {}
        for start in range(0, len(keys), _BATCH):
            for key, data in self.get_many(keys[start : start + _BATCH]).items():
                try:
                    out[key] = pickle.loads(data)
                except Exception:  # an entry from an incompatible version of a class: treat as a miss
                    self.hits -= 1
                    self.misses += 1
                    self.used.discard(key)
        return out

    def keep(self, key: str) -> None:
        """Mark an entry as used by this build, without reading it."""
        self.used.add(key)

    def keep_many(self, keys: Iterable[str]) -> None:
        """Mark entries as used by this build, without reading them."""
        self.used.update(keys)

    def prune(self, slack: float = 0.25) -> int:
        """Remove the entries this build did not use once they are more than `slack` of the cache (sweeping a cache
        of hundreds of thousands of entries after every edit would cost more than the space it frees); return how
        many were removed."""
        total = self._db.execute("SELECT count(*) FROM entries").fetchone()[0]
        if total - len(self.used) <= slack * total:
            return 0
        with self._transaction():
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS used_keys (key TEXT PRIMARY KEY)")
            self._db.execute("DELETE FROM used_keys")
            self._db.executemany("INSERT OR IGNORE INTO used_keys (key) VALUES (?)", ((k,) for k in self.used))
            removed = self._db.execute("DELETE FROM entries WHERE key NOT IN (SELECT key FROM used_keys)").rowcount
        return removed

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN")

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.db.execute("COMMIT" if exc_type is None else "ROLLBACK")


def dumps(obj: Any) -> bytes:
    """Serialise an object for the cache."""
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
