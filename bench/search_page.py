"""How fast a built edition's search page is in Chromium: ready to search, then a few searches (a script, not a test).

    python bench/search_page.py bench/corpus/1000/build/html
    python bench/search_page.py bench/corpus/1000/build/html --runs 7 --words letter London 1843

The site is served by a local HTTP server (threads, no cache headers), and each run opens the search page in a new
browser context (nothing cached): it prints the median seconds from opening the page to "Ready to search", the
requests that took, and the median seconds from pressing Enter to the results' status line for each word.
Needs Playwright and Chromium (/usr/bin/chromium), as the browser tests do.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import statistics
import threading
import time
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a built HTML edition (build/html)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--words", nargs="*", default=["letter", "London", "the"])
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    site = args.site.resolve()
    shards = json.loads((site / "pagefind" / "shards.json").read_text(encoding="utf-8"))["shards"]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    server.handle_error = lambda request, address: None  # a browser context closed while a request was answered
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/search/"
    ready: list[float] = []
    requests: list[int] = []
    searches: dict[str, list[float]] = {word: [] for word in args.words}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
            for _ in range(args.runs):
                context = browser.new_context(bypass_csp=True)  # the page's policy forbids the waits' eval
                page = context.new_page()
                count = [0]
                page.on("request", lambda _request, count=count: count.__setitem__(0, count[0] + 1))
                start = time.perf_counter()
                page.goto(url)
                page.wait_for_function(
                    "document.querySelector('#search-status')?.textContent.includes('Ready')", timeout=60_000
                )
                ready.append(time.perf_counter() - start)
                requests.append(count[0])
                for word in args.words:
                    page.evaluate("document.querySelector('#search-status').textContent = ''")
                    page.fill("#search-input", word)
                    start = time.perf_counter()
                    page.press("#search-input", "Enter")
                    page.wait_for_function(
                        "/found|No documents/.test(document.querySelector('#search-status')?.textContent || '')",
                        timeout=60_000,
                    )
                    searches[word].append(time.perf_counter() - start)
                context.close()
            browser.close()
    finally:
        server.shutdown()
    print(f"{site}: {len(shards) + 1} shard(s), {args.runs} runs (medians)")
    print(f"ready to search   {statistics.median(ready):6.2f} s   {statistics.median(requests):.0f} requests")
    for word, times in searches.items():
        print(f"search {word!r:12} {statistics.median(times):6.2f} s")


if __name__ == "__main__":
    main()
