"""The preview server: builds once, serves the output folder, rebuilds on every save and reloads the open pages."""

from __future__ import annotations

import threading
import webbrowser
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from typing import Any

from tei_edition.config import EditionConfig
from tei_edition.errors import UsageError
from tei_edition.serve.handler import EditionRequestHandler
from tei_edition.serve.live import LiveState
from tei_edition.serve.options import Progress, ServeOptions
from tei_edition.serve.rebuild import Rebuilder
from tei_edition.serve.watch import SourceWatcher

DEFAULT_OPTIONS = ServeOptions()  # frozen: safe to share as a default


class EditionServer:
    """The preview: an HTTP server for the output folder, a watcher on the sources, and the live state."""

    def __init__(
        self,
        config: EditionConfig,
        options: ServeOptions = DEFAULT_OPTIONS,
        progress: Progress | None = None,
        build: Callable[[EditionConfig], Any] | None = None,
    ):
        self.options = options
        self.say = progress or (lambda message: None)
        self.state = LiveState()
        self.rebuilder = Rebuilder(config, options, self.state, self.say, build)
        self._stop = threading.Event()
        self.watcher = SourceWatcher(self.rebuilder, self._stop, self.say)
        self._threads: list[threading.Thread] = []
        self.httpd: ThreadingHTTPServer | None = None

    @property
    def config(self) -> EditionConfig:
        return self.rebuilder.config

    @property
    def url(self) -> str:
        assert self.httpd is not None
        address, port = self.httpd.server_address[:2]
        host = address.decode() if isinstance(address, bytes) else address  # typeshed allows bytes; IP sockets give str
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def start(self) -> None:
        """Build once, then serve and watch in background threads."""
        self.httpd = self._bind()
        # The watches are in place before the first build starts, so no save is ever missed.
        try:
            self.watcher.start()
        except BaseException:
            self.httpd.server_close()
            raise
        self.rebuilder.rebuild()
        serve = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2}, name="edition-http", daemon=True
        )
        self._threads = [serve, self.watcher.thread]
        serve.start()

    def stop(self) -> None:
        """Stop watching and serving."""
        self._stop.set()
        with self.state.changed:
            self.state.changed.notify_all()  # let event streams notice the stop
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def wait(self) -> None:
        """Block until stopped (Ctrl-C in the terminal)."""
        while not self._stop.wait(0.5):
            pass

    def _bind(self) -> ThreadingHTTPServer:
        handler = type("Handler", (EditionRequestHandler,), {"edition": self})
        try:
            httpd = ThreadingHTTPServer((self.options.host, self.options.port), handler)
        except OSError as exc:
            raise UsageError(
                f"cannot listen on {self.options.host}:{self.options.port}: {exc.strerror or exc} "
                "(is another server using that port? pass --port)"
            ) from None
        httpd.daemon_threads = True
        httpd.block_on_close = False  # open event streams must not hold up shutdown
        return httpd


def serve_edition(
    config: EditionConfig, options: ServeOptions = DEFAULT_OPTIONS, progress: Progress | None = None
) -> None:
    """Build the edition, serve it with live reload until interrupted (Ctrl-C), rebuilding on every save."""
    say = progress or (lambda message: None)
    server = EditionServer(config, options, say)
    if options.host not in ("127.0.0.1", "localhost", "::1"):
        say(f"Warning: listening on {options.host}: other computers on the network can read the preview.")
    server.start()
    say(
        f"Serving {config.title} at {server.url} (watching {server.watcher.relative(config.documents_dir)}, "
        f"{server.watcher.relative(config.registers_dir)}; Ctrl-C to stop)"
    )
    if options.open_browser:
        threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
    try:
        server.wait()
    except KeyboardInterrupt:
        say("Stopping.")
    finally:
        server.stop()
