"""The live reload: the script added to every served page, and the state of the latest build it is sent."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any

LIVE_PREFIX = "/__edition__/"
LIVE_SCRIPT_TAG = b'<script src="/__edition__/live.js"></script>'

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


def inject_live_script(html: bytes) -> bytes:
    """The page with the live-reload script added before </body> (or at the end)."""
    index = html.lower().rfind(b"</body>")
    if index < 0:
        return html + LIVE_SCRIPT_TAG
    return html[:index] + LIVE_SCRIPT_TAG + html[index:]


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
