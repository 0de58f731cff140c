"""The works a register file lists (listBibl: bibl, biblStruct with an xml:id): the edition's bibliography, which
the texts cite by pointer (<ref target="#w1">, <title ref="#w1">), read as references in the words of
tei/bibliography.py."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from tei_edition.tei.bibliography import source_reference
from tei_edition.tei.header import source_citation
from tei_edition.tei.parse import line_of
from tei_edition.tei.text import XML_ID, T

_ENTRIES = (f"{T}bibl", f"{T}biblStruct")


@dataclass(frozen=True)
class Work:
    """One entry of a register's list of works: its id, the reference readers see, where it is written."""

    id: str
    reference: str
    path: Path
    line: int

    @property
    def sort_key(self) -> str:
        return self.reference.casefold()


def read_works(trees: Iterable[tuple[Path, etree._ElementTree]]) -> list[Work]:
    """Every entry with an xml:id of the listBibls of the register files, in reference order; the first of an id
    wins (validation reports the other)."""
    found: dict[str, Work] = {}
    for path, tree in trees:
        for entry in tree.getroot().iter(*_ENTRIES):
            parent = entry.getparent()
            xml_id = entry.get(XML_ID)
            if not xml_id or parent is None or parent.tag != f"{T}listBibl" or xml_id in found:
                continue
            holder = etree.Element(f"{T}sourceDesc")
            holder.append(copy.deepcopy(entry))
            reference = source_reference(source_citation(holder))
            if reference:
                found[xml_id] = Work(xml_id, reference, path, line_of(entry))
    return sorted(found.values(), key=lambda work: (work.sort_key, work.id))
