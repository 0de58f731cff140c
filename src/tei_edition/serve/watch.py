"""Watching the edition's sources for the preview: a thread that rebuilds after every save of a source file."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import watchfiles

from tei_edition.config import EditionConfig
from tei_edition.serve.options import Progress
from tei_edition.serve.rebuild import Rebuilder

_IGNORED_NAME = re.compile(r"(^\.#|^#.*#$|~$|\.sw[a-p]$|^4913$|\.tmp$|\.bak$|^sed\w{6}$)")  # editors' temporary files


class SourceWatcher:
    """Watches the source folders in a background thread and rebuilds once per batch of saves."""

    def __init__(self, rebuilder: Rebuilder, stop: threading.Event, progress: Progress):
        self.rebuilder = rebuilder
        self.say = progress
        self._stop = stop
        self._watching = threading.Event()
        self._failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="edition-watch", daemon=True)

    @property
    def config(self) -> EditionConfig:
        return self.rebuilder.config

    def start(self) -> None:
        """Start the thread and return once its watches are in place, so no save after this call is ever missed."""
        self.thread.start()
        self._watching.wait()
        if self._failure is not None:
            raise self._failure

    def watched_roots(self) -> list[Path]:
        """The folders to watch: the edition's root, and any source folder outside it."""
        config = self.config
        roots = [config.root]
        for folder in (
            config.documents_dir,
            config.registers_dir,
            config.templates_dir,
            config.xslt_dir,
            *(css.parent for css in config.extra_css),
        ):
            if folder is not None and folder.is_dir() and not folder.is_relative_to(config.root):
                roots.append(folder)
        return roots

    def is_source(self, path: Path) -> bool:
        """True for a file whose change needs a rebuild (documents, registers, templates, xslt, css, config)."""
        config = self.config
        if _IGNORED_NAME.search(path.name) or path.is_relative_to(config.output_dir):
            return False
        if config.config_path is not None and path == config.config_path:
            return True
        folders = [
            config.documents_dir,
            config.registers_dir,
            config.templates_dir or config.root / "templates",
            config.xslt_dir or config.root / "xslt",
        ]
        if path.is_relative_to(config.root) and any(p.startswith(".") for p in path.relative_to(config.root).parts):
            return False  # .git, editors' hidden backups
        if path in config.extra_css:
            return True
        if path.is_relative_to(config.documents_dir) or path.is_relative_to(config.registers_dir):
            return path.suffix == ".xml"
        if path.is_relative_to(folders[3]):
            return path.suffix in (".xsl", ".xslt")
        return path.is_relative_to(folders[2])

    def relative(self, path: Path) -> str:
        """The path as the terminal shows it: relative to the edition's root where it can be."""
        try:
            return path.relative_to(self.config.root).as_posix()
        except ValueError:
            return str(path)

    def _run(self) -> None:
        # watchfiles.watch() puts its watches in place when first asked for changes and yields an empty set after
        # every quiet `rust_timeout`, so its first answer of any kind means the watches are in place: start()
        # waits for it. A batch ends after 30 ms without changes or after 500 ms at most; the stop event is
        # checked between steps. The flags are the ones this preview has always used: native events (no polling,
        # whatever the environment says), no debug output, permission errors reported, and a stop instead of
        # KeyboardInterrupt (which only the main thread gets anyway).
        batches = watchfiles.watch(
            *self.watched_roots(),
            watch_filter=lambda _change, path: self.is_source(Path(path)),
            debounce=500,
            step=30,
            stop_event=self._stop,
            rust_timeout=100,
            yield_on_timeout=True,
            debug=False,
            raise_interrupt=False,
            force_polling=False,
            poll_delay_ms=300,
            recursive=True,
            ignore_permission_denied=False,
        )
        try:
            for changes in batches:
                self._watching.set()
                if self._stop.is_set():
                    return
                if changes:
                    self._rebuild(sorted({Path(path) for _change, path in changes}))
        except BaseException as exc:
            if self._watching.is_set():
                raise
            self._failure = exc  # the watches could not be set up: start() raises it in the starting thread
        finally:
            self._watching.set()
            batches.close()

    def _rebuild(self, paths: list[Path]) -> None:
        names = ", ".join(self.relative(p) for p in paths[:3]) + (" ..." if len(paths) > 3 else "")
        self.say(f"Changed: {names}")
        config_path = self.config.config_path
        self.rebuilder.rebuild(reload_config=config_path is not None and config_path in paths)
