"""The floor the chosen libraries set under a clean build: their CPU time alone, with none of the tool's own Python.

    PYTHONPATH=src python bench/stack_floor.py [--corpus bench/corpus/1000] [--rounds 2]

For every document of a generated corpus (bench/make_corpus.py) it times, with the CPU clock, only the library
calls a clean build makes per document, each with the object the build compiles for it: lxml's parse, libxml2's
RELAX NG check (the grammar's fastest form, the one most documents are checked with), Saxon's parse of the document,
the Schematron rules (compiled to XSLT) and the edition stylesheet, run by Saxon. Then Pagefind's program indexing
the corpus's document pages, as the last build wrote them (run `edition build` on the corpus first), in the shards
a build makes, with its CPU time taken from the operating system. It prints each figure, their sum, and the
budget a clean build of the corpus has on the given cores at the given seconds: what is left for everything else
(reading the documents, the encoding checks, the registers, rendering and writing the pages) is the difference.
Nothing is written into the corpus.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from tei_edition.config import load_config  # noqa: E402
from tei_edition.pipeline import stage  # noqa: E402
from tei_edition.saxon import saxon_processor  # noqa: E402
from tei_edition.tei.discover import discover_sources  # noqa: E402
from tei_edition.web.search import DOCUMENT_PAGES, pagefind_program, shard_count, shard_of  # noqa: E402


def best_cpu(step: Callable[[], Any], rounds: int) -> float:
    """The least CPU time of `rounds` runs of `step`, in seconds."""
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        step()
        best = min(best, time.process_time() - start)
    return best


def library_steps(corpus: Path, rounds: int) -> tuple[int, dict[str, float]]:
    """CPU seconds of each library step over all the corpus's documents."""
    config = load_config(corpus / "edition.toml")
    sources = discover_sources(config)
    contents = {path: path.read_bytes() for path in sources.all}
    settings = stage.stage_settings(config, [(p, contents[p]) for p in sources.registers], False)
    contents = {path: contents[path] for path in sources.documents}
    stage.warm_up(settings, len(contents))
    worker = stage.thread_worker(settings)
    grammar, _ = worker.checker.engine("rng", settings.rng)
    relaxng = grammar._compiled.form("common")
    schematrons = [worker.checker.engine("sch", schema)[0]._compiled.executable for schema in settings.schematrons]
    stylesheet = worker.transformer()._executable
    processor = saxon_processor()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)

    texts = list(contents.values())
    trees = [etree.ElementTree(etree.fromstring(data, parser)) for data in texts]
    serialised = [etree.tostring(tree.getroot(), encoding="unicode") for tree in trees]
    nodes = [processor.parse_xml(xml_text=text) for text in serialised]
    ids = [path.stem for path in contents]

    def transform() -> None:
        for node, doc_id in zip(nodes, ids, strict=True):
            stylesheet.clear_parameters()
            for name, value in (("root", "../../"), ("media", "screen"), ("doc-id", doc_id)):
                stylesheet.set_parameter(name, processor.make_string_value(value))
            stylesheet.transform_to_string(xdm_node=node)

    figures = {
        "lxml parse": best_cpu(lambda: [etree.fromstring(data, parser) for data in texts], rounds),
        "RELAX NG (libxml2)": best_cpu(lambda: [relaxng.validate(tree) for tree in trees], rounds),
        "Saxon parse": best_cpu(lambda: [processor.parse_xml(xml_text=text) for text in serialised], rounds),
        "Schematron (Saxon)": best_cpu(
            lambda: [sch.transform_to_string(xdm_node=node) for sch in schematrons for node in nodes], rounds
        ),
        "XSLT (Saxon)": best_cpu(transform, rounds),
    }
    return len(texts), figures


def pagefind_cpu(pages: Path, documents: int) -> tuple[int, float]:
    """Pagefind's CPU seconds for the document pages under `pages` (an edition's html folder), shard by shard."""
    program = pagefind_program()[0]
    if program is None:
        raise SystemExit("Pagefind's program is not installed (pip install 'pagefind[extended]')")
    folders = sorted(p.parent for p in (pages / "documents").glob("*/index.html"))
    count = shard_count(documents)
    work = Path(tempfile.mkdtemp(prefix="stack-floor-"))
    try:
        for folder in folders:  # hard links: the pages are read, never changed
            shard = work / f"site-{shard_of(folder.name, count)}" / "documents" / folder.name
            shard.mkdir(parents=True)
            os.link(folder / "index.html", shard / "index.html")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        for site in sorted(work.glob("site-*")):
            subprocess.run(
                [
                    str(program),
                    "--site",
                    str(site),
                    "--output-path",
                    str(work / f"out-{site.name}"),
                    "--force-language",
                    "en",
                    "--glob",
                    DOCUMENT_PAGES,
                    "--silent",
                ],
                check=True,
                capture_output=True,
            )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return len(folders), (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    """Parse the options, measure, print the figures and the budget."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus",
        type=Path,
        default=REPO / "bench" / "corpus" / "1000",
        help="a folder with edition.toml and a build (default: bench/corpus/1000)",
    )
    parser.add_argument("--rounds", type=int, default=2, help="passes of each library step; the least counts")
    parser.add_argument("--cores", type=int, default=2, help="cores of the target (default: 2)")
    parser.add_argument("--seconds", type=float, default=5.0, help="the target's seconds (default: 5)")
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    if not (corpus / "edition.toml").is_file():
        parser.error(f"{corpus} has no edition.toml (make one with bench/make_corpus.py)")
    html = load_config(corpus / "edition.toml").html_dir
    if not (html / "documents").is_dir():
        parser.error(f"{html} holds no document pages: build the corpus first (edition build --no-pdf)")
    documents, figures = library_steps(corpus, args.rounds)
    pages, figures["Pagefind (its program)"] = pagefind_cpu(html, documents)
    budget = args.cores * args.seconds
    total = sum(figures.values())
    print(
        f"{corpus}: {documents} documents, {pages} document pages; CPU seconds of the libraries alone "
        f"(best of {args.rounds}):"
    )
    for step, seconds in figures.items():
        print(f"  {step:<24} {seconds:6.2f} s   {seconds / documents * 1000:5.2f} ms per document")
    print(f"  {'libraries together':<24} {total:6.2f} s")
    print(
        f"budget of a clean build in {args.seconds:g} s on {args.cores} cores: {budget:.2f} CPU seconds; "
        f"left for everything else: {budget - total:.2f} s"
    )


if __name__ == "__main__":
    main()
