"""Parallel texts in the PDF: the versions side by side in a grid, a column per language, a row per aligned unit
(as xslt/parallel.xsl made them), each cell set in its own language (hyphenation, fonts)."""

from __future__ import annotations

from typing import Protocol

from lxml import etree

from tei_edition.print.typst_markup import Code, escape


class _Converter(Protocol):
    def blocks(self, el: etree._Element) -> Code: ...

    def language(self, el: etree._Element, inner: Code) -> Code: ...


def _classes(el: etree._Element) -> set[str]:
    return set((el.get("class") or "").split()) if isinstance(el.tag, str) else set()


def is_parallel(el: etree._Element) -> bool:
    """True for the block xslt/parallel.xsl writes for versions side by side."""
    return isinstance(el.tag, str) and el.tag.lower() == "div" and "parallel" in _classes(el)


def parallel_grid(converter: _Converter, el: etree._Element) -> Code:
    """The versions as a Typst grid: a row of language labels, then the rows of cells."""
    rows = [row for row in el if "parallel-row" in _classes(row)]
    labels = next((row for row in rows if "parallel-labels" in _classes(row)), None)
    columns = len(labels) if labels is not None else max((len(row) for row in rows), default=1)
    cells: list[str] = []
    if labels is not None:
        for label in labels:
            text = escape(" ".join("".join(t for t in label.itertext() if isinstance(t, str)).split()))
            cells.append(f"block(below: 0.2em, text(8pt, tracking: 0.06em, upper[{text}]))")
    for row in rows:
        if row is labels:
            continue
        row_cells = [cell for cell in row if "parallel-cell" in _classes(cell)]
        for cell in row_cells:
            cells.append(f"[{converter.language(cell, converter.blocks(cell))}]")
        cells.extend("[]" for _ in range(columns - len(row_cells)))
    return Code(
        f"#grid(columns: ({', '.join(['1fr'] * max(columns, 1))}), column-gutter: 1.5em, row-gutter: 0.9em, "
        + ", ".join(cells)
        + ")"
    )
