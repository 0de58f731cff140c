"""`edition serve`: build, serve the site locally, rebuild on every save and reload the open pages.

The parts: `server` (the preview server and `serve_edition`), `handler` (HTTP requests), `watch` (the source
watcher), `rebuild` (one build at a time, failures as problems), `live` (the live-reload script and build state).
"""

from tei_edition.serve.handler import EditionRequestHandler, resolve_request
from tei_edition.serve.live import LIVE_JS, BuildProblem, LiveState, inject_live_script
from tei_edition.serve.options import Progress, ServeOptions
from tei_edition.serve.rebuild import Rebuilder, problems_of
from tei_edition.serve.server import EditionServer, serve_edition
from tei_edition.serve.watch import SourceWatcher

__all__ = [
    "LIVE_JS",
    "BuildProblem",
    "EditionRequestHandler",
    "EditionServer",
    "LiveState",
    "Progress",
    "Rebuilder",
    "ServeOptions",
    "SourceWatcher",
    "inject_live_script",
    "problems_of",
    "resolve_request",
    "serve_edition",
]
