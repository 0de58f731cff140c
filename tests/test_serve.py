"""`edition serve`: the preview rebuilds on save, reloads pages, shows build errors and serves only the output."""

from __future__ import annotations

import http.client
import json
import os
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tei_edition.config import load_config
from tei_edition.errors import SourceError, ValidationFailed
from tei_edition.scaffold import new_edition
from tei_edition.serve import (
    LIVE_JS,
    EditionServer,
    ServeOptions,
    inject_live_script,
    problems_of,
    resolve_request,
)

TIMEOUT = 60.0


def wait_for(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> float:
    """Poll until `condition` holds; return the seconds it took."""
    start = time.perf_counter()
    while not condition():
        if time.perf_counter() - start > timeout:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
    return time.perf_counter() - start


class Client:
    """A tiny HTTP client for the server under test."""

    def __init__(self, server: EditionServer):
        self.base = server.url
        self.port = server.httpd.server_address[1]  # type: ignore[union-attr]

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.base + path.lstrip("/"), timeout=10) as response:
            return response.read().decode("utf-8")

    def raw(self, path: str) -> tuple[int, bytes]:
        """Send the path exactly as given (no normalisation by the client)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.putrequest("GET", path, skip_host=False, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, body

    def status(self) -> dict:
        return json.loads(self.get("/__edition__/status"))


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[EditionServer, Client, Path]]:
    root = tmp_path / "ed"
    new_edition(root)
    server = EditionServer(load_config(root / "edition.toml"), ServeOptions(port=0, open_browser=False))
    server.start()
    try:
        yield server, Client(server), root
    finally:
        server.stop()


def letter_page(client: Client, root: Path) -> str:
    """The URL path of the example letter's page."""
    html = root / "build" / "html"
    for page in sorted(html.rglob("*.html")):
        if "booksellers of" in page.read_text(encoding="utf-8"):
            return "/" + page.relative_to(html).as_posix()
    raise AssertionError("no page shows the example letter")


def test_rebuilds_on_save_and_recovers_after_a_broken_save(served: tuple[EditionServer, Client, Path]) -> None:
    server, client, root = served
    first = client.status()
    assert first["ok"] is True, first["problems"]
    page = letter_page(client, root)
    html = client.get(page)
    assert '<script src="/__edition__/live.js"></script>' in html
    assert "live.js" not in (root / "build" / "html" / page.lstrip("/")).read_text(encoding="utf-8")

    letter = root / "tei" / "documents" / "example-letter.xml"
    good = letter.read_text(encoding="utf-8")
    version = client.status()["version"]
    letter.write_text(good.replace("booksellers of", "bookshops of"), encoding="utf-8")
    seconds = wait_for(lambda: "bookshops of" in client.get(page), "the edited page")
    wait_for(lambda: client.status()["version"] == version + 1, "the build's report")  # pages come first
    print(f"save -> rebuilt page served: {seconds:.2f} s")

    broken_line = good.splitlines().index(next(row for row in good.splitlines() if "booksellers of" in row)) + 1
    letter.write_text(good.replace("booksellers of", "bookshops <unclosed> of"), encoding="utf-8")
    wait_for(lambda: client.status()["ok"] is False, "the failed build")
    problems = client.status()["problems"]
    assert problems[0]["file"] == "tei/documents/example-letter.xml"
    assert problems[0]["line"] >= broken_line
    assert "not well-formed" in problems[0]["message"]
    assert "bookshops of" in client.get(page)  # the last good page is still served

    letter.write_text(good, encoding="utf-8")
    wait_for(lambda: client.status()["ok"] is True, "recovery")
    assert "booksellers of" in client.get(page)


def test_a_save_during_the_first_build_is_not_lost(tmp_path: Path) -> None:
    """The watches are in place before the first build starts: a save while it runs brings a second build."""
    root = tmp_path / "ed"
    new_edition(root)
    letter = root / "tei" / "documents" / "example-letter.xml"
    builds: list[float] = []

    def build(config: object) -> None:
        if not builds:
            letter.write_text(letter.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # saved mid-build
            time.sleep(0.2)
        builds.append(time.perf_counter())

    server = EditionServer(load_config(root / "edition.toml"), ServeOptions(port=0, open_browser=False), build=build)
    server.start()
    try:
        assert len(builds) >= 1
        wait_for(lambda: len(builds) == 2, "the build after the save", timeout=10)
        assert server.state.snapshot()["version"] == 2
    finally:
        server.stop()
    assert not server.watcher.thread.is_alive()  # stop() ends the watcher too


def test_event_stream_sends_the_state(served: tuple[EditionServer, Client, Path]) -> None:
    server, client, root = served
    with urllib.request.urlopen(server.url + "__edition__/events", timeout=10) as stream:
        assert stream.headers["Content-Type"] == "text/event-stream"
        assert stream.readline() == b"event: state\n"
        first = json.loads(stream.readline().decode("utf-8").removeprefix("data: "))
        assert first["ok"] is True and first["version"] >= 1
        stream.readline()
        (root / "tei" / "documents" / "example-letter.xml").write_text("<TEI", encoding="utf-8")
        assert stream.readline() == b"event: state\n"
        second = json.loads(stream.readline().decode("utf-8").removeprefix("data: "))
        assert second["ok"] is False and second["problems"][0]["line"] == 1


def test_live_script_is_served_and_builds_the_overlay_from_text(served: tuple[EditionServer, Client, Path]) -> None:
    _server, client, _root = served
    script = client.get("/__edition__/live.js")
    assert "textContent" in script and "EventSource" in script
    assert "innerHTML" not in script and "insertAdjacentHTML" not in script


@pytest.mark.parametrize(
    "path",
    [
        "/../edition.toml",
        "/%2e%2e/edition.toml",
        "/%2E%2E%2Fedition.toml",
        "/..%2f..%2fedition.toml",
        "/css/../../edition.toml",
        "/%5c..%5cedition.toml",
        "/.%2e/tei/documents/example-letter.xml",
        "/%00index.html",
    ],
)
def test_nothing_outside_the_output_is_served(served: tuple[EditionServer, Client, Path], path: str) -> None:
    _server, client, _root = served
    status, body = client.raw(path)
    assert status in (400, 403, 404)
    assert b"[edition]" not in body and b"<TEI" not in body


def test_symlinks_out_of_the_output_are_refused(served: tuple[EditionServer, Client, Path]) -> None:
    _server, client, root = served
    os.symlink(root / "edition.toml", root / "build" / "html" / "leak.txt")
    status, body = client.raw("/leak.txt")
    assert status == 403 and b"[edition]" not in body


def test_resolve_request(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "b.html").write_text("x", encoding="utf-8")
    assert resolve_request(tmp_path, "/a/b.html") == (tmp_path / "a" / "b.html").resolve()
    assert resolve_request(tmp_path, "/") == tmp_path.resolve()
    for bad in ("/../x", "/a/../../x", "/%2e%2e/x", "/a\\..\\x", "/.hidden", "x"):
        assert resolve_request(tmp_path, bad) is None, bad


def test_inject_live_script() -> None:
    assert (
        inject_live_script(b"<html><body><p>x</p></body></html>")
        == b'<html><body><p>x</p><script src="/__edition__/live.js"></script></body></html>'
    )
    assert inject_live_script(b"<p>x</p>").endswith(b'live.js"></script>')


def test_problems_of_build_errors(tmp_path: Path) -> None:
    source = problems_of(SourceError(tmp_path / "tei" / "a.xml", "not well-formed XML: oops", line=7), tmp_path)
    assert [(p.file, p.line, p.message) for p in source] == [("tei/a.xml", 7, "not well-formed XML: oops")]
    failed = ValidationFailed(
        "validation found 1 error(s), so the edition was not built\n"
        "  tei/documents/a.xml:12: persName/@ref '#x' matches no entry [ref-resolves]"
    )
    assert [(p.file, p.line, p.message) for p in problems_of(failed, tmp_path)] == [
        ("tei/documents/a.xml", 12, "persName/@ref '#x' matches no entry [ref-resolves]")
    ]
    assert problems_of(RuntimeError("boom"), tmp_path)[0].message == "internal error: RuntimeError: boom"


def test_port_in_use_is_a_clear_error(served: tuple[EditionServer, Client, Path]) -> None:
    from tei_edition.errors import UsageError

    server, client, root = served
    second = EditionServer(load_config(root / "edition.toml"), ServeOptions(port=client.port, open_browser=False))
    with pytest.raises(UsageError, match=f"cannot listen on 127.0.0.1:{client.port}"):
        second.start()


def test_live_js_has_no_markup_sinks() -> None:
    assert "innerHTML" not in LIVE_JS and "outerHTML" not in LIVE_JS and "document.write" not in LIVE_JS


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")
def test_open_page_reloads_and_shows_the_overlay_in_a_browser(served: tuple[EditionServer, Client, Path]) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    server, client, root = served
    page_path = letter_page(client, root)
    letter = root / "tei" / "documents" / "example-letter.xml"
    good = letter.read_text(encoding="utf-8")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
        )
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(server.url + page_path.lstrip("/"))
            page.wait_for_timeout(300)  # let the page connect to the event stream
            letter.write_text(good.replace("booksellers of", "bookshops of"), encoding="utf-8")
            page.get_by_text("bookshops of").first.wait_for(timeout=TIMEOUT * 1000)
            letter.write_text(good.replace("booksellers of", "bookshops <unclosed> of"), encoding="utf-8")
            overlay = page.wait_for_selector("#edition-live-error", timeout=TIMEOUT * 1000)
            text = overlay.inner_text()
            assert "tei/documents/example-letter.xml:" in text and "not well-formed" in text
            assert page.get_by_text("bookshops of").count() >= 1  # the last good page stays
            letter.write_text(good, encoding="utf-8")
            page.wait_for_selector("#edition-live-error", state="detached", timeout=TIMEOUT * 1000)
            page.get_by_text("booksellers of").first.wait_for(timeout=TIMEOUT * 1000)
            assert errors == []  # nothing the page's CSP refused
        finally:
            browser.close()
