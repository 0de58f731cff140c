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
    """Every *.xml below the documents folder and directly in the registers folder, in a stable order."""
    documents = sorted(p for p in config.documents_dir.rglob("*.xml") if _visible(p, config.documents_dir))
    registers: list[Path] = []
    if config.registers_dir.is_dir():
        registers = sorted(p for p in config.registers_dir.glob("*.xml") if _visible(p, config.registers_dir))
    return Sources(tuple(documents), tuple(p for p in registers if p not in documents))


def _visible(path: Path, base: Path) -> bool:
    """Leave out hidden files and folders (editor backups, .git) below `base`."""
    text, prefix = str(path), str(base) + os.sep
    if text.startswith(prefix):  # what relative_to() gives, without making a path of each (10,000: 0.25 s)
        return not any(part.startswith(".") for part in text[len(prefix):].split(os.sep))
    return not any(part.startswith(".") for part in path.relative_to(base).parts)
