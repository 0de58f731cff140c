"""Time from saving a document to `edition serve` serving the changed page, on a copy of the sample edition.

    python bench/serve_reload.py [--saves 5]

Prints the seconds from each save to the first HTTP response that holds the change (the browser's reload adds
the page load itself, about 0.1 s on this machine). The repository's own files are never touched.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCUMENT = "tei/documents/1945-07-harriman-truman.xml"
PAGE = "documents/1945-07-harriman-truman/"
PHRASE = "exploratory nature"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.read().decode("utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        edition = Path(tmp) / "edition"
        shutil.copytree(REPO / "tei", edition / "tei")
        shutil.copy(REPO / "edition.toml", edition / "edition.toml")
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "tei_edition", "serve", "--port", str(port), "--no-open"],
            cwd=edition,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}/{PAGE}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    fetch(url)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise SystemExit("the server did not start within 120 s") from None
                    time.sleep(0.25)
            document = edition / DOCUMENT
            original = document.read_text(encoding="utf-8")
            times = []
            for n in range(1, args.saves + 1):
                time.sleep(1.5)  # let the watcher settle between saves
                marker = f"{PHRASE} (save {n})"
                start = time.perf_counter()
                document.write_text(original.replace(PHRASE, marker, 1), encoding="utf-8")
                while marker not in fetch(url):
                    time.sleep(0.02)
                times.append(time.perf_counter() - start)
            print(
                "save -> changed page served: "
                + ", ".join(f"{t:.2f} s" for t in times)
                + f" (median {sorted(times)[len(times) // 2]:.2f} s)"
            )
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
