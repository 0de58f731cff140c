"""Validation: the edition's schemas, RELAX NG and Schematron for one file at a time (FileValidator), the parsed
edition. The whole edition is checked by the build's per-source stage and its consistency gate
(tei_edition.pipeline.check_edition, which `edition validate` runs)."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lxml import etree

from tei_edition.config import EditionConfig
from tei_edition.errors import SourceError
from tei_edition.tei.discover import Sources, discover_sources
from tei_edition.tei.parse import FragmentError, line_of, parse_file, require_tei
from tei_edition.tei.text import T
from tei_edition.validate.diagnostics import Diagnostic, Report, Severity

RELAXNG_NS = "http://relaxng.org/ns/structure/1.0"
SCHEMATRON_NS = ("http://purl.oclc.org/dsdl/schematron", "http://www.ascc.net/xml/schematron")
_PSEUDO_ATTR = re.compile(r'([A-Za-z_:][-A-Za-z0-9._:]*)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_REFERS = re.compile(rb"<(?:[\w.-]+:)?(?:include|externalRef|import)\b")  # a schema that reads other files


def package_schema(name: str) -> Path:
    """The path of one of the schemas shipped with the package (edition.rng, edition.sch)."""
    return Path(str(resources.files("tei_edition") / "schema" / name))


@dataclass
class ParsedEdition:
    """The edition's files parsed (those that could be), with the problems met while parsing."""

    sources: Sources
    trees: dict[Path, etree._ElementTree] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def document_trees(self) -> dict[Path, etree._ElementTree]:
        return {p: t for p, t in self.trees.items() if p in self.sources.documents}

    @property
    def register_trees(self) -> dict[Path, etree._ElementTree]:
        return {p: t for p, t in self.trees.items() if p in self.sources.registers}


def parse_edition(config: EditionConfig, sources: Sources | None = None) -> ParsedEdition:
    """Parse every source file safely; unreadable or non-TEI files become diagnostics, not exceptions."""
    sources = sources or discover_sources(config)
    parsed = ParsedEdition(sources)
    documents = set(sources.documents)
    for path in sources.all:
        try:
            tree = parse_file(path)
            require_source(tree, path, path in documents)
        except FragmentError as exc:  # a piece of TEI that documents include: no document of its own
            parsed.diagnostics.append(Diagnostic(path, exc.line or 0, 0, Severity.WARNING, exc.detail, "fragment"))
            continue
        except SourceError as exc:
            parsed.diagnostics.append(
                Diagnostic(path, exc.line or 0, exc.column or 0, Severity.ERROR, exc.detail, "xml")
            )
            continue
        parsed.trees[path] = tree
    return parsed


def require_source(tree: etree._ElementTree, path: Path, is_document: bool) -> etree._Element:
    """The root of a source's tree, checked: TEI, and for a document with its text (or facsimile); SourceError
    otherwise."""
    root = require_tei(tree, path)
    if (
        is_document
        and root.tag == f"{T}TEI"
        and root.find(f"{T}text") is None
        and root.find(f"{T}facsimile") is None
        and root.find(f"{T}sourceDoc") is None
    ):
        raise SourceError(
            path, "<TEI> has no <text>: a document needs its transcription in <text><body>", line=line_of(root)
        )
    return root


def edition_schemas(config: EditionConfig) -> tuple[Path, tuple[Path, ...]]:
    """The RELAX NG schema and the Schematron files every file of the edition is checked against: without
    [sources] schema, TEI All, which yields to a file's own local <?xml-model?> grammar (see FileValidator)."""
    rng = config.schema or package_schema("tei_all.rng")
    schematrons = (package_schema("edition.sch"), *([config.schematron] if config.schematron else []))
    return rng, schematrons


def schema_key(path: Path) -> str:
    """What makes two schema files the same schema: their content, or their place as well when they read other
    files (an <include> resolves from the schema's own folder)."""
    try:
        stat = path.stat()
    except OSError:
        return str(path)  # the engine says why it cannot be read
    return _content_key(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _content_key(path: str, _mtime_ns: int, _size: int) -> str:
    data = Path(path).read_bytes()
    return path if _REFERS.search(data) else hashlib.sha256(data).hexdigest()


class FileValidator:
    """RELAX NG and Schematron for one file at a time (plus its local <?xml-model?> schemas), each schema compiled
    once and each checked once however many files or instructions name it (a copy counts as the same schema); a
    schema that cannot be used becomes a diagnostic on every file it would have checked.

    TEI All (the default) checks only files that name no local grammar of their own: a project's customisation,
    which may narrow or extend TEI, is what its files answer to, as in the editors that read the instruction."""

    def __init__(self, rng: Path, schematrons: tuple[Path, ...]):
        self.rng = rng
        self.schematrons = schematrons
        self._engines: dict[tuple[str, str], Any] = {}
        self.yields = Path(rng).resolve() == package_schema("tei_all.rng").resolve()

    def expect(self, documents: int) -> None:
        """Prepare the edition's grammar for checking about this many files (see RelaxNGValidator.expect)."""
        validator, _problem = self.engine("rng", self.rng)
        if validator is not None:
            validator.expect(documents)

    def engine(self, kind: str, schema: Path) -> tuple[Any, Diagnostic | None]:
        """The compiled validator for a schema, or the diagnostic saying why it cannot be used."""
        key = (kind, schema_key(schema))
        if key not in self._engines:
            from tei_edition.validate.relaxng import RelaxNGValidator
            from tei_edition.validate.schematron import SchematronValidator

            try:
                self._engines[key] = RelaxNGValidator(schema) if kind == "rng" else SchematronValidator(schema)
            except SourceError as exc:
                self._engines[key] = Diagnostic(
                    exc.path,
                    exc.line or 0,
                    exc.column or 0,
                    Severity.ERROR,
                    f"the schema cannot be used: {exc.detail}",
                    "schema-file",
                )
        value = self._engines[key]
        return (None, value) if isinstance(value, Diagnostic) else (value, None)

    def validate(
        self, tree: etree._ElementTree, path: Path, prepared: Any = None
    ) -> tuple[list[Diagnostic], list[Path]]:
        """Every schema problem of one file, and the <?xml-model?> schemas that were used for it.

        `prepared`: the document already parsed by Saxon (Transformer.prepare), for Schematron to reuse."""
        extra_rng, extra_sch, diagnostics = _xml_model_schemas(tree, path)
        grammars = extra_rng if extra_rng and self.yields else [self.rng, *extra_rng]
        for kind, schemas in (("rng", grammars), ("sch", [*self.schematrons, *extra_sch])):
            distinct: dict[str, Path] = {}
            for schema in schemas:
                distinct.setdefault(schema_key(schema), schema)  # the first of the copies of one schema
            for schema in distinct.values():
                validator, problem = self.engine(kind, schema)
                if problem is not None:
                    diagnostics.append(problem)
                elif kind == "sch":
                    diagnostics.extend(validator.validate(tree, path, prepared=prepared))
                else:
                    diagnostics.extend(validator.validate(tree, path))
        return diagnostics, [*extra_rng, *extra_sch]


def report_for(sources: Sources, wanted: set[Path] | None) -> Report:
    """An empty report for the whole edition or for the `wanted` files, with an error for each of those that is
    not one of the edition's sources."""
    if wanted is None:
        return Report(documents=len(sources.documents), registers=len(sources.registers))
    report = Report(
        documents=len([p for p in sources.documents if p in wanted]),
        registers=len([p for p in sources.registers if p in wanted]),
    )
    for path in sorted(wanted - set(sources.all)):
        message = (
            "is not one of the edition's documents or registers (see [sources] in edition.toml)"
            if path.exists()
            else "the file does not exist"
        )
        report.add(Diagnostic(path, 0, 0, Severity.ERROR, message, "xml"))
    return report


def _xml_model_schemas(tree: etree._ElementTree, path: Path) -> tuple[list[Path], list[Path], list[Diagnostic]]:
    """Local schemas named by <?xml-model?> processing instructions before the root element."""
    rng: list[Path] = []
    sch: list[Path] = []
    problems: list[Diagnostic] = []
    node = tree.getroot().getprevious()
    pis = []
    while node is not None:
        if isinstance(node, etree._ProcessingInstruction) and node.target == "xml-model":
            pis.append(node)
        node = node.getprevious()
    for pi in reversed(pis):
        attrs = {
            m.group(1): m.group(2) if m.group(2) is not None else m.group(3)
            for m in _PSEUDO_ATTR.finditer(pi.text or "")
        }
        href = attrs.get("href", "")
        if not href or re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", href) and not href.startswith("file:"):
            continue  # remote schemas are never fetched; the edition's own schema still applies
        target = (path.parent / unquote(href.removeprefix("file://"))).resolve()
        if not target.is_file():
            problems.append(
                Diagnostic(
                    path,
                    line_of(pi),
                    0,
                    Severity.WARNING,
                    f"<?xml-model?> points to '{href}', which does not exist; it was skipped",
                    "xml-model",
                )
            )
            continue
        ns = attrs.get("schematypens", "")
        kind = attrs.get("type", "")
        if ns == RELAXNG_NS or (not ns and target.suffix == ".rng"):
            rng.append(target)
        elif ns in SCHEMATRON_NS or (not ns and target.suffix == ".sch"):
            sch.append(target)
        elif kind == "application/xml" and target.suffix == ".rnc":
            problems.append(
                Diagnostic(
                    path,
                    line_of(pi),
                    0,
                    Severity.WARNING,
                    f"<?xml-model?> points to the compact-syntax schema '{href}'; only the XML "
                    "syntax (.rng) is supported: it was skipped",
                    "xml-model",
                )
            )
    return rng, sch, problems
