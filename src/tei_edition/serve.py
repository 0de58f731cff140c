"""`edition serve`: build, serve the site locally, rebuild on every save and reload the open pages."""

from __future__ import annotations

import json
import mimetypes
import os
import re
import threading
import time
import traceback
import webbrowser
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from tei_edition.config import EditionConfig, load_config
from tei_edition.errors import ConfigError, EditionError, SourceError, UsageError, ValidationFailed

Progress = Callable[[str], None]
LIVE_PREFIX = "/__edition__/"
LIVE_SCRIPT_TAG = b'<script src="/__edition__/live.js"></script>'
_PROBLEM_LINE = re.compile(r"^\s+(?P<file>[^\s:][^:]*):(?P<line>\d+): (?P<message>.*?)(?: \[(?P<rule>[\w-]+)\])?$")
_IGNORED_NAME = re.compile(r"(^\.#|^#.*#$|~$|\.sw[a-p]$|^4913$|\.tmp$|\.bak$|^sed\w{6}$)")  # editors' temporary files
_EXTRA_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".wasm": "application/wasm",
    ".xml": "application/xml",
    ".woff2": "font/woff2",
    ".pdf": "application/pdf",
}

# Sent to the browser as /__edition__/live.js. It builds the error overlay from DOM text nodes only, so no message
# from a source file can ever become markup, and styles it through the CSSOM (allowed by a strict CSP).
LIVE_JS = """\
(function () {
  "use strict";
  var first = null;
  var overlay = null;

  function hide() {
    if (overlay) { overlay.remove(); overlay = null; }
  }

  function show(problems) {
    hide();
    overlay = document.createElement("div");
    overlay.id = "edition-live-error";
    overlay.setAttribute("role", "alert");
    Object.assign(overlay.style, {
      position: "fixed", left: "0", right: "0", top: "0", maxHeight: "60vh", overflow: "auto", zIndex: "2147483647",
      background: "#fff4f4", color: "#5c0000", borderBottom: "3px solid #b00020", padding: "1em 1.5em",
      font: "15px/1.45 system-ui, sans-serif", boxShadow: "0 2px 12px rgba(0,0,0,.25)"
    });
    var title = document.createElement("strong");
    title.textContent = "The edition could not be rebuilt. This page is the last good build; " +
      "save a fix and it reloads.";
    overlay.appendChild(title);
    var list = document.createElement("ul");
    Object.assign(list.style, { margin: ".6em 0 0", paddingLeft: "1.2em" });
    problems.forEach(function (p) {
      var item = document.createElement("li");
      var where = document.createElement("code");
      Object.assign(where.style, { fontWeight: "bold", marginRight: ".5em" });
      where.textContent = p.file ? (p.line ? p.file + ":" + p.line : p.file) + ":" : "";
      item.appendChild(where);
      item.appendChild(document.createTextNode(" " + p.message));
      list.appendChild(item);
    });
    overlay.appendChild(list);
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Hide";
    Object.assign(close.style, { marginTop: ".6em" });
    close.addEventListener("click", hide);
    overlay.appendChild(close);
    (document.body || document.documentElement).appendChild(overlay);
  }

  function handle(state) {
    if (first === null) { first = state.version; }
    if (!state.ok) { show(state.problems); return; }
    hide();
    if (state.version !== first) { window.location.reload(); }
  }

  if (window.EventSource) {
    var source = new EventSource("/__edition__/events");
    source.addEventListener("state", function (event) { handle(JSON.parse(event.data)); });
  } else {
    window.setInterval(function () {
      fetch("/__edition__/status", { cache: "no-store" })
        .then(function (r) { return r.json(); }).then(handle).catch(function () {});
    }, 1000);
  }
})();
"""

NOT_FOUND_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>
<body><h1>Not found</h1><p>{message}</p><p><a href="/">The edition's home page</a></p></body></html>
"""


@dataclass(frozen=True)
class ServeOptions:
    """How to serve: where to listen, whether to open a browser, whether to build PDFs too."""

    host: str = "127.0.0.1"
    port: int = 8000
    open_browser: bool = True
    pdf: bool = False


@dataclass(frozen=True)
class BuildProblem:
    """Why the latest build failed, at one place in one file."""

    file: str
    line: int
    message: str


@dataclass
class LiveState:
    """The outcome of the latest build: `version` grows with each success; `problems` is set after a failure."""

    version: int = 0
    problems: list[BuildProblem] = field(default_factory=list)
    serial: int = 0  # grows with every build, good or bad
    seconds: float = 0.0
    changed: threading.Condition = field(default_factory=threading.Condition, repr=False)

    def succeeded(self, seconds: float) -> None:
        """Record a good build and wake every waiting page."""
        with self.changed:
            self.version += 1
            self.serial += 1
            self.problems = []
            self.seconds = seconds
            self.changed.notify_all()

    def failed(self, problems: list[BuildProblem], seconds: float) -> None:
        """Record a failed build (the last good pages stay) and wake every waiting page."""
        with self.changed:
            self.serial += 1
            self.problems = problems
            self.seconds = seconds
            self.changed.notify_all()

    def snapshot(self) -> dict[str, Any]:
        """The state as sent to the browser."""
        with self.changed:
            return {
                "version": self.version,
                "serial": self.serial,
                "ok": not self.problems,
                "problems": [asdict(p) for p in self.problems],
                "seconds": round(self.seconds, 3),
            }

    def wait(self, serial: int, timeout: float) -> bool:
        """Wait until a build newer than `serial` has finished; False on timeout."""
        with self.changed:
            return self.changed.wait_for(lambda: self.serial != serial, timeout)


def problems_of(exc: BaseException, root: Path) -> list[BuildProblem]:
    """What a failed build says, as problems with file and line where the error gives them."""

    def rel(path: Path | str) -> str:
        try:
            return Path(path).resolve().relative_to(root).as_posix()
        except ValueError:
            return str(path)

    if isinstance(exc, SourceError):
        return [BuildProblem(rel(exc.path), exc.line or 0, exc.detail)]
    if isinstance(exc, ConfigError):
        where = rel(exc.path) if exc.path else "edition.toml"
        return [BuildProblem(where, 0, str(p)) for p in exc.problems]
    report = getattr(exc, "report", None)
    if isinstance(exc, ValidationFailed) and report is not None and getattr(report, "errors", None):
        return [
            BuildProblem(rel(d.path), d.line, f"{d.message} [{d.rule}]") for d in report.sorted() if d in report.errors
        ]
    lines = str(exc).splitlines()
    found = []
    for line in lines[1:]:
        match = _PROBLEM_LINE.match(line)
        if match:
            message = match["message"] + (f" [{match['rule']}]" if match["rule"] else "")
            found.append(BuildProblem(rel(match["file"]), int(match["line"]), message))
    if found:
        return found
    if isinstance(exc, EditionError):
        return [BuildProblem("", 0, str(exc))]
    return [BuildProblem("", 0, f"internal error: {type(exc).__name__}: {exc}")]


def resolve_request(root: Path, url_path: str) -> Path | None:
    """The file inside `root` a URL path names, or None when it would leave `root` (.., symlinks, odd names)."""
    path = unquote(url_path, errors="strict") if "%" in url_path else url_path
    if "\x00" in path or "\\" in path or not path.startswith("/"):
        return None
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if any(p == ".." or p.startswith(".") for p in parts):
        return None
    real_root = os.path.realpath(root)
    candidate = os.path.realpath(os.path.join(real_root, *parts))
    if candidate != real_root and not candidate.startswith(real_root + os.sep):
        return None
    return Path(candidate)


def inject_live_script(html: bytes) -> bytes:
    """The page with the live-reload script added before </body> (or at the end)."""
    index = html.lower().rfind(b"</body>")
    if index < 0:
        return html + LIVE_SCRIPT_TAG
    return html[:index] + LIVE_SCRIPT_TAG + html[index:]


class Rebuilder:
    """Runs builds one at a time and records their outcome in the live state."""

    def __init__(
        self,
        config: EditionConfig,
        options: ServeOptions,
        state: LiveState,
        progress: Progress,
        build: Callable[[EditionConfig], Any] | None = None,
    ):
        self.config = config
        self.options = options
        self.state = state
        self.say = progress
        self._build = build or self._default_build
        self._lock = threading.Lock()

    def _default_build(self, config: EditionConfig) -> Any:
        from tei_edition.pipeline import BuildOptions, build_edition

        return build_edition(config, BuildOptions(pdf=self.options.pdf))

    def rebuild(self, reload_config: bool = False) -> bool:
        """Build now; on failure keep the last good output and report where the problem is."""
        with self._lock:
            start = time.perf_counter()
            try:
                if reload_config and self.config.config_path is not None:
                    self.config = load_config(self.config.config_path)
                summary = self._build(self.config)
            except Exception as exc:  # any failure must leave the server running with the last good pages
                problems = problems_of(exc, self.config.root)
                self.state.failed(problems, time.perf_counter() - start)
                self.say(
                    f"Build failed ({len(problems)} problem{'s' if len(problems) != 1 else ''}); "
                    "still serving the last good build:"
                )
                for p in problems:
                    where = f"{p.file}:{p.line}: " if p.line else f"{p.file}: " if p.file else ""
                    self.say(f"  {where}{p.message}")
                if not isinstance(exc, EditionError):
                    self.say("".join(traceback.format_exception_only(type(exc), exc)).strip())
                return False
            seconds = time.perf_counter() - start
            self.state.succeeded(seconds)
            timings = getattr(summary, "timings", None) or {}
            phases = ", ".join(f"{name} {value:.2f}" for name, value in timings.items() if value >= 0.01)
            self.say(f"Built in {seconds:.2f} s" + (f" ({phases})" if phases else ""))
            return True


class EditionServer:
    """The preview: an HTTP server for the output folder, a watcher on the sources, and the live state."""

    def __init__(
        self,
        config: EditionConfig,
        options: ServeOptions = ServeOptions(),
        progress: Progress | None = None,
        build: Callable[[EditionConfig], Any] | None = None,
    ):
        self.options = options
        self.say = progress or (lambda message: None)
        self.state = LiveState()
        self.rebuilder = Rebuilder(config, options, self.state, self.say, build)
        self._stop = threading.Event()
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
        from watchfiles._rust_notify import RustNotify  # watchfiles.watch() only sets up its watches lazily

        notify = RustNotify([str(p) for p in self.watched_roots()], False, False, 300, True, False)
        self.rebuilder.rebuild()
        serve = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2}, name="edition-http", daemon=True
        )
        watch = threading.Thread(target=self._watch, args=(notify,), name="edition-watch", daemon=True)
        self._threads = [serve, watch]
        for thread in self._threads:
            thread.start()

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

    # Watching -----------------------------------------------------------------------------------------------

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

    def _watch(self, notify: Any) -> None:
        with notify:
            while not self._stop.is_set():
                # debounce 500 ms at most; a batch ends after 30 ms without changes; wake every 500 ms to check stop
                raw = notify.watch(500, 30, 500, self._stop)
                if raw in ("stop", "signal") or self._stop.is_set():
                    return
                if raw == "timeout":
                    continue
                paths = sorted({Path(path) for _change, path in raw if self.is_source(Path(path))})
                if not paths:
                    continue
                names = ", ".join(self._relative(p) for p in paths[:3]) + (" ..." if len(paths) > 3 else "")
                self.say(f"Changed: {names}")
                config_path = self.config.config_path
                self.rebuilder.rebuild(reload_config=config_path is not None and config_path in paths)

    def _relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.config.root).as_posix()
        except ValueError:
            return str(path)


class EditionRequestHandler(BaseHTTPRequestHandler):
    """Serves files from the output folder only, adds the live-reload script to pages, and streams build events."""

    edition: EditionServer
    server_version = "edition-serve"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base class's name)
        pass  # the terminal shows builds, not every request

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def do_GET(self) -> None:
        self._respond(head=False)

    def _respond(self, head: bool) -> None:
        path = urlsplit(self.path).path
        if path.startswith(LIVE_PREFIX):
            self._live(path[len(LIVE_PREFIX) :], head)
            return
        root = self.edition.config.html_dir
        if not root.is_dir():
            time.sleep(0.1)  # the build swaps the output folder in with two renames; wait out the gap
        try:
            target = resolve_request(root, path)
        except UnicodeDecodeError:
            target = None
        if target is None:
            self._send(
                HTTPStatus.FORBIDDEN,
                b"Forbidden: only files of the built edition are served.\n",
                "text/plain; charset=utf-8",
                head,
            )
            return
        if target.is_dir():
            if not path.endswith("/"):
                self.send_response(HTTPStatus.MOVED_PERMANENTLY)
                self.send_header("Location", path + "/")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            target = target / "index.html"
        try:
            body = target.read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            message = (
                "The edition has not been built yet."
                if not root.is_dir()
                else "There is no page at this address in the built edition."
            )
            page = NOT_FOUND_PAGE.format(message=message).encode("utf-8")
            self._send(HTTPStatus.NOT_FOUND, inject_live_script(page), "text/html; charset=utf-8", head)
            return
        except OSError:
            self._send(HTTPStatus.FORBIDDEN, b"Forbidden\n", "text/plain; charset=utf-8", head)
            return
        content_type = (
            _EXTRA_TYPES.get(target.suffix.lower())
            or mimetypes.guess_type(target.name)[0]
            or "application/octet-stream"
        )
        if content_type == "text/html":
            body = inject_live_script(body)
        if content_type.startswith("text/") or content_type in ("application/json", "application/xml"):
            content_type += "; charset=utf-8"
        self._send(HTTPStatus.OK, body, content_type, head)

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _live(self, name: str, head: bool) -> None:
        if name == "live.js":
            self._send(HTTPStatus.OK, LIVE_JS.encode("utf-8"), "text/javascript; charset=utf-8", head)
        elif name == "status":
            self._send(
                HTTPStatus.OK, json.dumps(self.edition.state.snapshot()).encode("utf-8"), "application/json", head
            )
        elif name == "events" and not head:
            self._stream_events()
        else:
            self._send(HTTPStatus.NOT_FOUND, b"Not found\n", "text/plain; charset=utf-8", head)

    def _stream_events(self) -> None:
        """Server-Sent Events: the current state at once, then after every build; a comment line keeps it open."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        state = self.edition.state
        stop = self.edition._stop
        try:
            while not stop.is_set():
                snapshot = state.snapshot()
                self.wfile.write(f"event: state\ndata: {json.dumps(snapshot)}\n\n".encode())
                self.wfile.flush()
                while not state.wait(snapshot["serial"], timeout=15) and not stop.is_set():
                    self.wfile.write(b": still here\n\n")
                    self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError):
            return


def serve_edition(
    config: EditionConfig, options: ServeOptions = ServeOptions(), progress: Progress | None = None
) -> None:
    """Build the edition, serve it with live reload until interrupted (Ctrl-C), rebuilding on every save."""
    say = progress or (lambda message: None)
    server = EditionServer(config, options, say)
    if options.host not in ("127.0.0.1", "localhost", "::1"):
        say(f"Warning: listening on {options.host}: other computers on the network can read the preview.")
    server.start()
    say(
        f"Serving {config.title} at {server.url} (watching {server._relative(config.documents_dir)}, "
        f"{server._relative(config.registers_dir)}; Ctrl-C to stop)"
    )
    if options.open_browser:
        threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
    try:
        server.wait()
    except KeyboardInterrupt:
        say("Stopping.")
    finally:
        server.stop()
