"""The build pipeline: discover, read the sources, check and transform each, gather the edition, the consistency
gate, render the site, set the PDFs, write."""

from tei_edition.pipeline.build import BuildOptions, BuildSummary, build_edition
from tei_edition.pipeline.check import check_edition

__all__ = ["BuildOptions", "BuildSummary", "build_edition", "check_edition"]
