"""What is out of date: fingerprints of everything the output depends on, and the manifest of the last build.

The manifest (`<output>/.edition-manifest.json`) records the hash of every source, of every input shared by all
outputs (tool, configuration, stylesheets, templates, schemas, CSS, build date) and, for every output file, the hash
of what it depends on and of its content. A build whose inputs all match the manifest has nothing to do.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from tei_edition import __version__
from tei_edition.config import EditionConfig
from tei_edition.output.hashing import hash_file, hash_folder, hash_text

MANIFEST_NAME = ".edition-manifest.json"
MANIFEST_FORMAT = 2


@functools.cache
def tool_fingerprint() -> str:
    """The tool's version and the hash of every file of the installed package (code, stylesheets, templates).

    The version alone is not enough: an edited stylesheet or template of the package changes the output too.
    """
    package = Path(str(resources.files("tei_edition")))
    return hash_text(__version__, hash_folder(package))


@dataclass(frozen=True)
class EditionInputs:
    """Fingerprints of the inputs every output depends on, one per kind, so a change can be named."""

    tool: str
    config: str
    xslt: str
    templates: str
    schemas: str
    css: str
    build_date: str

    def key(self, *names: str) -> str:
        """One hash over the named inputs (all of them when none are named)."""
        values = asdict(self)
        return hash_text(*(f"{n}={values[n]}" for n in (names or tuple(values))))

    @property
    def document_stage(self) -> str:
        """What the per-document work (validation, XSLT) depends on besides the document itself."""
        return self.key("tool", "xslt", "schemas")


def edition_inputs(config: EditionConfig, build_date: str) -> EditionInputs:
    """Fingerprint the configuration, the edition's own stylesheets, templates, schemas and CSS, and the tool."""
    return EditionInputs(
        tool=tool_fingerprint(),
        # The parsed configuration, not the file: a comment or reordering in edition.toml changes nothing. With it
        # the editors' About file, which the About and home pages show.
        config=hash_text(repr(config), hash_file(config.about)),
        xslt=hash_folder(config.xslt_dir, (".xsl", ".xslt")),
        templates=hash_folder(config.templates_dir),
        schemas=hash_text(hash_file(config.schema), hash_file(config.schematron)),
        css=hash_text(*(hash_file(p) for p in config.extra_css)),
        build_date=build_date,
    )


@dataclass
class OutputRecord:
    """One output file: the hash of what it depends on, the hash of its content, and its size and modification
    time as the build left it (a file that still has them need not be read to know it is unchanged)."""

    deps: str
    content: str
    stat: str = ""


@dataclass
class Manifest:
    """What the last successful build was made from and what it produced."""

    tool: str = ""
    inputs: dict[str, str] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, OutputRecord] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    # A source's size, modification time and inode when its hash was taken (see pipeline.SourceContents).
    source_stats: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        """The manifest as stable, sorted JSON."""
        data = {
            "format": MANIFEST_FORMAT,
            "tool": self.tool,
            "inputs": dict(sorted(self.inputs.items())),
            "options": dict(sorted(self.options.items())),
            "sources": dict(sorted(self.sources.items())),
            "source_stats": dict(sorted(self.source_stats.items())),
            "outputs": {
                k: {"deps": v.deps, "content": v.content, "stat": v.stat} for k, v in sorted(self.outputs.items())
            },
            "summary": self.summary,
        }
        # Without indentation the C encoder writes it: several times faster for an edition of 50,000 files.
        return json.dumps(data, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest | None:
        """Read a manifest; None when it is damaged or of another format (the build then starts afresh)."""
        try:
            data = json.loads(text)
            if data.get("format") != MANIFEST_FORMAT:
                return None
            return cls(
                tool=str(data["tool"]),
                inputs={str(k): str(v) for k, v in data["inputs"].items()},
                options=dict(data["options"]),
                sources={str(k): str(v) for k, v in data["sources"].items()},
                outputs={
                    str(k): OutputRecord(str(v["deps"]), str(v["content"]), str(v.get("stat", "")))
                    for k, v in data["outputs"].items()
                },
                summary=dict(data.get("summary", {})),
                source_stats={str(k): str(v) for k, v in data.get("source_stats", {}).items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None


def manifest_path(config: EditionConfig) -> Path:
    """Where the manifest of the edition's output is kept."""
    return config.output_dir / MANIFEST_NAME


def load_manifest(config: EditionConfig) -> Manifest | None:
    """The manifest of the last successful build, or None."""
    try:
        return Manifest.from_json(manifest_path(config).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def save_manifest(config: EditionConfig, manifest: Manifest) -> None:
    """Write the manifest atomically (a reader sees the old one or the new one, never half of one)."""
    path = manifest_path(config)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(manifest.to_json(), encoding="utf-8")
    os.replace(tmp, path)


@dataclass(frozen=True)
class Changes:
    """How the sources and shared inputs differ from the last build."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    modified: tuple[str, ...] = ()
    inputs: tuple[str, ...] = ()  # names of shared inputs that changed (tool, config, templates...)
    options: bool = False
    outputs_missing: bool = False
    first_build: bool = False

    @property
    def nothing(self) -> bool:
        """True when the last build's output is exactly what this build would write."""
        return not (
            self.added
            or self.removed
            or self.modified
            or self.inputs
            or self.options
            or self.outputs_missing
            or self.first_build
        )

    def describe(self) -> str:
        """One line saying what changed, for --verbose."""
        if self.first_build:
            return "no previous build: building everything"
        parts = []
        for label, items in (("added", self.added), ("removed", self.removed), ("changed", self.modified)):
            if items:
                parts.append(f"{len(items)} source(s) {label}")
        if self.inputs:
            parts.append("changed: " + ", ".join(self.inputs))
        if self.options:
            parts.append("build options changed")
        if self.outputs_missing:
            parts.append("output folder missing")
        return "; ".join(parts) or "nothing changed"


def compare(
    manifest: Manifest | None,
    inputs: EditionInputs,
    sources: dict[str, str],
    options: dict[str, Any],
    expected_dirs: Iterable[Path],
) -> Changes:
    """What changed since the build recorded in `manifest`."""
    if manifest is None:
        return Changes(first_build=True)
    old, new = manifest.sources, sources
    changed_inputs = tuple(sorted(k for k, v in asdict(inputs).items() if manifest.inputs.get(k) != v))
    return Changes(
        added=tuple(sorted(set(new) - set(old))),
        removed=tuple(sorted(set(old) - set(new))),
        modified=tuple(sorted(k for k in set(new) & set(old) if new[k] != old[k])),
        inputs=changed_inputs,
        options=manifest.options != options,
        outputs_missing=not all(d.is_dir() for d in expected_dirs),
    )
