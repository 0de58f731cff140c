"""The build pipeline: discover, read the sources, check and transform each, the consistency gate, gather the
edition, render the site, set the PDFs, write (build.py has the phases in order); `edition validate` is the same
checks with nothing written (check.py)."""

from tei_edition.pipeline.build import BuildOptions, BuildSummary, build_edition
from tei_edition.pipeline.check import check_edition
from tei_edition.pipeline.progress import Reporter

__all__ = ["BuildOptions", "BuildSummary", "Reporter", "build_edition", "check_edition"]
