"""The build's last phases: render the site and set the PDFs into staging folders, swap them in together, and record
what the output was made from (the manifest) for the next build."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import TYPE_CHECKING

from tei_edition.config import EditionConfig
from tei_edition.output.hashing import hash_text
from tei_edition.output.paths import PDF, source_name
from tei_edition.output.plan import Manifest, OutputRecord
from tei_edition.output.writer import OutputWriter
from tei_edition.pipeline.progress import Reporter
from tei_edition.pipeline.stage import CachedBodies
from tei_edition.tei.edition import EditionData

if TYPE_CHECKING:
    from tei_edition.pipeline.build import BuildPlan, BuildSummary
    from tei_edition.web.facsimile import PageImages
    from tei_edition.web.search import SearchIndexStats


def open_writers(config: EditionConfig, plan: BuildPlan) -> tuple[OutputWriter, OutputWriter | None]:
    """Staging writers for the site and (when PDFs are wanted) the PDFs, told what the last build wrote."""
    recorded = plan.recorded.outputs if plan.recorded is not None else {}
    # The PDFs are a folder of the site that the PDF writer owns: the site's writer leaves it alone (a build without
    # PDFs keeps the last ones), and the PDFs are staged beside the site, not inside it.
    html_out = OutputWriter(config.html_dir, *_recorded(recorded, "html/"), leave=PDF)
    pdf_out = (
        OutputWriter(config.pdf_dir, *_recorded(recorded, "pdf/"), staging_in=config.output_dir) if plan.pdf else None
    )
    return html_out, pdf_out


@contextmanager
def discarded_on_failure(*writers: OutputWriter | None) -> Iterator[None]:
    """Throw the staged output away if what runs inside fails: the previous output stays as it was."""
    try:
        yield
    except BaseException:
        for writer in writers:
            if writer is not None:
                writer.abort()
        raise


def render_web(
    data: EditionData,
    screen: CachedBodies,
    out: OutputWriter,
    plan: BuildPlan,
    summary: BuildSummary,
    say: Reporter,
    pdfs: dict[str, int] | None = None,
) -> None:
    """Render the site's pages and its search index; pages whose inputs are those of the last build are left.
    `pdfs`: the PDFs this build set (name below pdf/ -> size in bytes), which the pages link."""
    from tei_edition.web.render import render_site

    previous = plan.previous
    earlier = (
        {
            k[len("html/") :]: (r.deps, r.content)
            for k, r in previous.outputs.items()
            if k.startswith("html/") and r.deps
        }
        if previous is not None
        else {}
    )

    def indexed(stats: SearchIndexStats) -> None:
        summary.search = stats

    def tiled(images: PageImages) -> None:
        summary.page_images = images.signatures
        for timing in images.timings:
            how = "reused" if timing.reused else "made"
            say.detail(f"page image {timing.source.name}: {timing.tiles} tiles {how} in {timing.seconds:.2f} s")
        for problem in images.unreadable:
            say.info(problem)

    summary.pages = render_site(
        data,
        screen,
        out,
        earlier,
        hash_text(plan.inputs.key(), repr(sorted(plan.options.items()))),
        store=screen.cache,
        changed={doc.id for doc in data.documents if doc.path in plan.edited},
        on_index=indexed,
        pdfs=pdfs or {},
        on_images=tiled,
    )
    say.detail(f"HTML: {summary.pages} pages")
    if summary.search is not None:
        say.detail(summary.search.describe())


def set_print(
    data: EditionData,
    printed: CachedBodies,
    out: OutputWriter,
    jobs: int | None,
    summary: BuildSummary,
    say: Reporter,
    keep_going: bool = False,
) -> None:
    """Set the PDFs: one per document, and the edition's volumes (with `keep_going`, all that can be set)."""
    from tei_edition.print import render_pdfs

    summary.pdfs = render_pdfs(
        data,
        printed,  # type: ignore[arg-type]
        out,
        jobs=jobs,
        store=printed.cache,
        warn=say.info,
        keep_going=keep_going,
    )
    say.detail(f"PDF: {summary.pdfs} files")


def pdf_sizes(out: OutputWriter | None) -> dict[str, int]:
    """The PDFs a build set (after set_print), by name below the pdf/ folder, with their sizes in bytes."""
    if out is None:
        return {}
    return {name: out.current(name).stat().st_size for name in sorted(out.hashes)}


def set_epubs(
    data: EditionData, screen: CachedBodies, out: OutputWriter, plan: BuildPlan, summary: BuildSummary, say: Reporter
) -> None:
    """Make the EPUBs, the edition's and one per document, into the site (epub/)."""
    from tei_edition.print.epub import render_epubs

    summary.epubs = render_epubs(data, screen, out, store=screen.cache, shared_key=plan.inputs.key())
    say.detail(f"EPUB: {summary.epubs} files")


def commit(html_out: OutputWriter, pdf_out: OutputWriter | None, say: Reporter) -> None:
    """Swap the staged output in: both folders are checked before either is changed."""
    with discarded_on_failure(html_out, pdf_out):
        html_out.check()
        if pdf_out is not None:
            pdf_out.check()
    html_out.commit()
    if pdf_out is not None:
        pdf_out.commit()
    for writer in (html_out, pdf_out):
        if writer is not None and writer.foreign:
            shown = ", ".join(writer.foreign[:5]) + (" ..." if len(writer.foreign) > 5 else "")
            say.info(
                f"{writer.target} holds {len(writer.foreign)} file(s) that no build made, left "
                f"in place: {shown} (the build never removes a file it did not make: delete "
                "them, or the whole folder, if they are not yours)"
            )


def manifest_of(
    config: EditionConfig, plan: BuildPlan, summary: BuildSummary, html_out: OutputWriter, pdf_out: OutputWriter | None
) -> Manifest:
    """What this build's output was made from, and each output file's hashes, for the next build to compare."""
    stats = html_out.signatures_now()
    outputs = {
        f"html/{k}": OutputRecord(html_out.deps.get(k, ""), v, stats.get(k, "")) for k, v in html_out.hashes.items()
    }
    if pdf_out is not None:
        stats = pdf_out.signatures_now()
        outputs.update({f"pdf/{k}": OutputRecord("", v, stats.get(k, "")) for k, v in pdf_out.hashes.items()})
    elif plan.recorded is not None:  # the PDFs are left as they are: still the last PDF build's, which a later one
        # may remove
        outputs.update({k: r for k, r in plan.recorded.outputs.items() if k.startswith("pdf/")})
    sources, contents = plan.sources, plan.contents
    return Manifest(
        tool=plan.inputs.tool,
        inputs=asdict(plan.inputs),
        options=plan.options,
        sources={source_name(config, p): contents.digest(p) for p in sources.all},
        source_stats={source_name(config, p): contents.stat(p) for p in sources.all if contents.stat(p)},
        outputs=outputs,
        summary={
            "documents": summary.documents,
            "pages": summary.pages,
            "pdfs": summary.pdfs,
            "epubs": summary.epubs,
            "flagged": summary.flagged,
            "build_date": plan.build_date.isoformat(),
            "page_images": summary.page_images,
            "depends": summary.depends,
            "errors": len(summary.report.errors),
        },
    )


def _recorded(outputs: dict[str, OutputRecord], prefix: str) -> tuple[dict[str, str], dict[str, str]]:
    """For the outputs below the html/ or pdf/ folder, by path there: the size and time the last build recorded for
    each, and its content hash."""
    mine = {k[len(prefix) :]: r for k, r in outputs.items() if k.startswith(prefix)}
    return {k: r.stat for k, r in mine.items() if r.stat}, {k: r.content for k, r in mine.items()}
