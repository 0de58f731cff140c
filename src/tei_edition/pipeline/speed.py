"""What the build does to be faster that it does not need to be right: each with the gain measured for it.

Figures: one-document edits of the 1,000-document corpus (`python bench/make_corpus.py 1000`), interleaved with the
same code without the mechanism (bench/compare.py's method), 2 jobs, on a shared 2-core machine; CPU seconds of all
the build's processes, medians of 7 and 11 runs. A build after such an edit takes ~1.5-2 s; a mechanism that saved
less than ~5% of it was removed rather than kept (a child process forked to check and transform the edited document
while the last build's records are read, or a thread compiling the stylesheets meanwhile: no gain that could be told
from the machine's noise). The `edition` program's exit without the heap's teardown lives with the program (cli.run).
"""

from __future__ import annotations

import gc
from types import TracebackType


class LongLivedHeap:
    """The cycle collector kept off the build's long-lived data: off while the per-source results, the documents and
    the registers are gathered (millions of objects that live to the end and make hardly any garbage in cycles, which
    the collector would walk again and again as the heap grows), then on again with all of that frozen out of its
    reach (gc.freeze) while the pages are rendered.

    Gain: 0.19 s of CPU per edit build (1.76 s with it, 1.94 and 2.02 s without: ~10%)."""

    def __enter__(self) -> LongLivedHeap:
        self._collecting = gc.isenabled()
        gc.disable()
        return self

    def settled(self) -> None:
        """The long-lived data is made: freeze it, and let the collector run again for what comes next."""
        gc.freeze()
        if self._collecting:
            gc.enable()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        gc.unfreeze()
        if self._collecting:
            gc.enable()
