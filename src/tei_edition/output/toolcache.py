"""What the tool makes for itself and can keep between runs, whatever the edition: its templates compiled, the facts
read from a RELAX NG grammar for messages. Kept in the user's cache folder, as Python keeps its bytecode, so that a
clean build (`--clean`, which reads nothing of the edition's build cache) does not make them again.

The folder is `$TEI_EDITION_CACHE_DIR` when that is set (set empty, nothing is kept), else `tei-edition` in
`$XDG_CACHE_HOME` or `~/.cache`. Entries are files named by a hash of everything they were made from, including
the tool's version, so an entry is never stale; a missing, unreadable or unwritable folder is only a miss. Nothing
of an edition is kept there: only what the tool would make again from its own files and the schemas it reads.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from tei_edition.output.hashing import hash_text

ENVIRONMENT = "TEI_EDITION_CACHE_DIR"
# Entries kept of each kind: the oldest beyond this go when another is saved (a version of the tool makes about 30
# compiled templates and one entry per grammar it explains with; earlier versions' entries are never read again).
KEEP = 200


def cache_folder() -> Path | None:
    """The folder of the tool's own cache, or None when the user turned it off."""
    chosen = os.environ.get(ENVIRONMENT)
    if chosen is not None:
        return Path(chosen).expanduser() if chosen.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "tei-edition"


def entry_path(kind: str, *parts: str) -> Path | None:
    """Where the entry of this kind made from these parts is kept (None: no cache)."""
    folder = cache_folder()
    if folder is None:
        return None
    from tei_edition import __version__

    return folder / kind / hash_text(__version__, *parts)


def load(kind: str, *parts: str) -> bytes | None:
    """The bytes kept for this kind and these parts, or None."""
    path = entry_path(kind, *parts)
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def save(kind: str, data: bytes, *parts: str) -> None:
    """Keep bytes for this kind and these parts (written whole, then renamed into place: a reader never sees half
    an entry); a folder that cannot be written is passed over."""
    path = entry_path(kind, *parts)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".new-", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        return
    _trim(path.parent)


def _trim(folder: Path) -> None:
    """Remove the entries of a kind beyond the KEEP most recently written."""
    try:
        entries = [(e.stat().st_mtime_ns, e.path) for e in os.scandir(folder) if e.is_file()]
    except OSError:
        return
    if len(entries) <= KEEP:
        return
    for _time, old in sorted(entries, reverse=True)[KEEP:]:
        with contextlib.suppress(OSError):
            os.unlink(old)
