"""ISO Schematron with XPath 2/3: compile a .sch file to an XSLT 3.0 stylesheet and run it with Saxon.

The generated stylesheet walks the document once per pattern (each pattern is a mode; within a pattern the first
rule whose context matches a node fires, by template priority). Every failed assert and successful report emits a
small record: which assert, the location of the context node as 1-based child-element positions from the root
("1/2/1/3"), the attribute name when the context is an attribute, and the message. The location is mapped back
to the lxml tree the caller parsed, which gives the line number. The stylesheet is made by schematron_compile.py.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from lxml import etree
from saxonche import PySaxonApiError, PyXdmNode

from tei_edition.errors import SourceError
from tei_edition.tei.parse import line_of
from tei_edition.validate.diagnostics import Diagnostic, Severity
from tei_edition.validate.schematron_compile import _compile, _origin, _saxon

_CAPTURE = threading.local()  # one capture file per thread, reused for every run


@contextlib.contextmanager
def _native_stderr_captured(sink: list[str]) -> Iterator[None]:
    """Keep Saxon's native error report (it writes to file descriptor 2) out of the terminal, for our message."""
    fd = 2  # the native descriptor, whatever Python's sys.stderr has been replaced with
    try:
        saved = os.dup(fd)
    except OSError:  # no standard error at all
        yield
        return
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    capture = getattr(_CAPTURE, "file", None)
    if capture is None:
        # Creating a temporary file costs more than a whole run on a small document: keep one and empty it.
        capture = _CAPTURE.file = tempfile.TemporaryFile(mode="w+b")
    os.dup2(capture.fileno(), fd)
    try:
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        if os.fstat(capture.fileno()).st_size:
            capture.seek(0)
            sink.append(capture.read().decode("utf-8", "replace"))
            capture.seek(0)
            capture.truncate()


def _root_alone(tree: etree._ElementTree) -> bool:
    """True when the tree has no comment or processing instruction around its root element."""
    root = tree.getroot()
    return root.getprevious() is None and root.getnext() is None


def _element_at(
    tree: etree._ElementTree, location: str, known: dict[etree._Element, list[etree._Element]] | None = None
) -> etree._Element | None:
    """The element at a path of 1-based child-element positions ("1/2/1/3") in the lxml tree. `known` keeps each
    element's child elements between calls on the same tree (a volume's body may have hundreds of children, and
    as many reports)."""
    node = tree.getroot()
    steps = [int(s) for s in location.split("/") if s]
    if not steps:
        return None
    known = {} if known is None else known
    for position in steps[1:]:
        children = known.get(node)
        if children is None:
            children = known[node] = [c for c in node if isinstance(c.tag, str)]
        if position > len(children):
            return node
        node = children[position - 1]
    return node


class SchematronValidator:
    """Validate documents against an ISO Schematron schema (queryBinding xslt, xslt2 or xslt3)."""

    def __init__(self, schema_path: Path, phase: str | None = None) -> None:
        """Compile the schema (cached per process); SourceError with the .sch line if it is broken."""
        self.schema_path = Path(schema_path).resolve()
        try:
            mtime = self.schema_path.stat().st_mtime_ns
        except OSError as exc:
            raise SourceError(self.schema_path, f"cannot read the Schematron schema: {exc.strerror}") from None
        self._compiled = _compile(str(self.schema_path), mtime, phase)

    def validate(
        self,
        tree: etree._ElementTree | etree._Element,
        path: Path,
        params: dict[str, str] | None = None,
        prepared: PyXdmNode | None = None,
    ) -> list[Diagnostic]:
        """Run every active pattern on the tree; one Diagnostic per failed assert or successful report.

        `prepared` is the root element already parsed by Saxon (Transformer.prepare), used when the report cannot
        depend on the rest of the file (a DOCTYPE may give attributes defaults; the schema may read the comments
        and processing instructions around the root); otherwise the whole tree is serialised and parsed here."""
        compiled = self._compiled
        executable = compiled.executable
        proc = _saxon()
        root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
        tree = root.getroottree()
        executable.clear_parameters()
        for name, value in (params or {}).items():
            executable.set_parameter(name, proc.make_string_value(str(value)))
        native_report: list[str] = []
        try:
            with _native_stderr_captured(native_report):
                shared = (
                    prepared is not None
                    and not tree.docinfo.doctype  # type: ignore[attr-defined]  # lxml-stubs' DocInfo lacks doctype
                    and (not compiled.sees_outside_root or _root_alone(tree))
                )
                node = prepared if shared else proc.parse_xml(xml_text=etree.tostring(tree, encoding="unicode"))
                result = executable.transform_to_string(xdm_node=node)
        except PySaxonApiError as exc:
            return [self._runtime_failure(tree, path, f"{exc}\n{''.join(native_report)}")]
        finally:
            executable.clear_parameters()
        records = etree.fromstring((result or "<r/>").encode("utf-8"))
        diagnostics: list[Diagnostic] = []
        known: dict[etree._Element, list[etree._Element]] = {}
        for record in records:
            check = compiled.checks[int(record.get("n", ""))]
            element = _element_at(tree, record.get("loc", ""), known)
            line = (line_of(element) if element is not None else 0) or line_of(root)
            message = " ".join("".join(map(str, record.itertext())).split())
            diagnostics.append(Diagnostic(Path(path), line, 0, check.severity, message, check.rule_id))
        return diagnostics

    def _runtime_failure(self, tree: etree._ElementTree, path: Path, message: str) -> Diagnostic:
        """A rule that could not be evaluated on this document (e.g. a failed cast) is itself an error."""
        match = re.search(r"on line (\d+)", message)
        origin = _origin(int(match.group(1)), self._compiled.line_map) if match else None
        where = f"{self.schema_path}:{origin.sch_line}" if origin else str(self.schema_path)
        if origin is not None:
            where += f", {origin.what} '{origin.expression}'"
        text = " ".join(message.strip().splitlines()[0].split()) if message.strip() else "unknown error"
        line = line_of(tree.getroot())
        return Diagnostic(
            Path(path),
            line,
            0,
            Severity.ERROR,
            f"a Schematron rule ({where}) could not be evaluated on this document: {text}",
            "schematron",
        )
