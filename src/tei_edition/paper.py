"""The paper sizes an edition's PDFs may be set on ([pdf] paper), with the names each print engine knows them by."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PaperSize:
    """One paper size: its name in a CSS @page rule (WeasyPrint) and in Typst's page settings."""

    css: str
    typst: str


PAPER_SIZES = {
    "A4": PaperSize(css="A4", typst="a4"),
    "Letter": PaperSize(css="letter", typst="us-letter"),
    "A5": PaperSize(css="A5", typst="a5"),
    "Legal": PaperSize(css="legal", typst="us-legal"),
}


def paper_size(name: str) -> PaperSize:
    """The paper size of that name (A4 for a name the configuration would have refused)."""
    return PAPER_SIZES.get(name, PAPER_SIZES["A4"])
