"""The build: parse -> validate (gate) -> gather -> transform -> render -> write, atomically."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator

from tei_edition.build.edition import EditionData, collect_edition
from tei_edition.build.writer import OutputWriter
from tei_edition.config import EditionConfig
from tei_edition.errors import ValidationFailed
from tei_edition.validate import parse_edition, validate_edition
from tei_edition.validate.diagnostics import Report

Progress = Callable[[str], None]


@dataclass(frozen=True)
class BuildOptions:
    """What the user asked of this build."""

    pdf: bool = True
    clean: bool = False
    jobs: int | None = None
    keep_going: bool = False


@dataclass
class BuildSummary:
    """What a build did, for the closing summary."""

    documents: int = 0
    pages: int = 0
    pdfs: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    report: Report = field(default_factory=Report)
    flagged: list[str] = field(default_factory=list)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """Time one phase of the build."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start


def build_edition(config: EditionConfig, options: BuildOptions = BuildOptions(),
                  progress: Progress | None = None) -> BuildSummary:
    """Build the HTML (and PDF) edition; on any failure the previous output stays as it was."""
    say = progress or (lambda message: None)
    summary = BuildSummary()
    with summary.phase("parse"):
        parsed = parse_edition(config)
    with summary.phase("validate"):
        report = validate_edition(config, parsed=parsed)
    summary.report = report
    if report.errors and not options.keep_going:
        raise ValidationFailed(
            f"validation found {len(report.errors)} error(s), so the edition was not built "
            f"(the previous output is unchanged). Run `edition validate` for the full report, or "
            f"`edition build --keep-going` for a preview.\n" + "\n".join(
                f"  {d.display_path()}:{d.line}: {d.message} [{d.rule}]" for d in report.sorted()
                if d in report.errors)
        )
    with summary.phase("registers"):
        data = collect_edition(config, parsed)
    flagged = {d.path for d in report.errors}
    data.flagged = {doc.id for doc in data.documents if doc.path in flagged}
    summary.flagged = sorted(data.flagged)
    summary.documents = len(data.documents)
    say(f"{len(data.documents)} documents, {len(data.entities)} register entries")
    write_outputs(data, options, summary, say)
    return summary


def write_outputs(data: EditionData, options: BuildOptions, summary: BuildSummary, say: Progress) -> None:
    """Transform every document, render the site and the PDFs into staging folders, then swap them in together."""
    from tei_edition.build.html import render_site
    from tei_edition.build.transform import Transformer

    config = data.config
    with summary.phase("transform"):
        transformer = Transformer(config.xslt_dir)
        bodies = {doc.id: transformer.transform(doc.tree, {"root": "../../", "media": "screen", "doc-id": doc.id})
                  for doc in data.documents}
    html_out = OutputWriter(config.html_dir)
    pdf_out = OutputWriter(config.pdf_dir) if options.pdf and config.print.enabled else None
    try:
        with summary.phase("render"):
            summary.pages = render_site(data, bodies, html_out)
        say(f"HTML: {summary.pages} pages")
        if pdf_out is not None:
            from tei_edition.build.pdf import render_pdfs

            with summary.phase("transform"):
                print_bodies = {doc.id: transformer.transform(doc.tree, {"root": "", "media": "print",
                                                                         "doc-id": doc.id})
                                for doc in data.documents}
            with summary.phase("pdf"):
                summary.pdfs = render_pdfs(data, print_bodies, pdf_out)
            say(f"PDF: {summary.pdfs} files")
    except BaseException:
        html_out.abort()
        if pdf_out is not None:
            pdf_out.abort()
        raise
    html_out.commit()
    if pdf_out is not None:
        pdf_out.commit()
