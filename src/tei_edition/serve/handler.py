"""The preview's HTTP requests: files of the output folder only, pages with the live-reload script, build events."""

from __future__ import annotations

import json
import mimetypes
import os
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from tei_edition.serve.live import LIVE_JS, LIVE_PREFIX, inject_live_script

if TYPE_CHECKING:
    from tei_edition.serve.server import EditionServer

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

NOT_FOUND_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>
<body><h1>Not found</h1><p>{message}</p><p><a href="/">The edition's home page</a></p></body></html>
"""


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
