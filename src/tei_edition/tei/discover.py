"""Find the edition's source files: documents and registers."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from tei_edition.config import EditionConfig


@dataclass(frozen=True)
class Sources:
    """The edition's TEI files, each list sorted by path."""

    documents: tuple[Path, ...]
    registers: tuple[Path, ...]

    @property
    def all(self) -> tuple[Path, ...]:
        return self.documents + self.registers


def discover_sources(config: EditionConfig) -> Sources:
    """Every *.xml file below the documents folder and directly in the registers folder, in a stable order; hidden
    files and folders (editor backups, .git) are left out, and so is a folder whose name ends in .xml."""
    documents = _xml_files(config.documents_dir, recursive=True)
    registers = _xml_files(config.registers_dir, recursive=False) if config.registers_dir.is_dir() else []
    return Sources(tuple(documents), tuple(p for p in registers if p not in documents))


def _xml_files(base: Path, recursive: bool) -> list[Path]:
    """The visible *.xml files in `base` (and below it when `recursive`), sorted; symbolic links to folders are not
    followed. One walk: the folder entries tell files from folders without a look at each file."""
    found: list[Path] = []
    for folder, dirs, files in os.walk(base):
        dirs[:] = [d for d in dirs if not d.startswith(".")] if recursive else []
        found.extend(Path(folder, name) for name in files if name.endswith(".xml") and not name.startswith("."))
    return sorted(found)
