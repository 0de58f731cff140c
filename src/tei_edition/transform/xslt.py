"""Turn a TEI document's text into an HTML fragment with the package's XSLT 3.0 stylesheets (saxonche).

The stylesheets live in ``tei_edition/xslt/``; ``edition.xsl`` imports one module per TEI chapter.
An edition may replace any module with a file of the same name in its own ``xslt/`` folder.

One Saxon processor serves the whole process (saxonche does not support several); a compiled
``Transformer`` is reused for every document but is not thread-safe: use one per worker process.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from lxml import etree
from saxonche import PySaxonApiError, PyXdmNode, PyXslt30Processor, PyXsltExecutable

from tei_edition.errors import SourceError
from tei_edition.output.hashing import content_key
from tei_edition.saxon import document_location, first_message_line, prepare_document, saxon_processor

XSLT_DIR = Path(__file__).resolve().parent.parent / "xslt"
ENTRY_MODULE = "edition.xsl"
PARAMETERS = ("root", "media", "doc-id", "split", "names")
MEDIA = ("screen", "print")

# Saxon reports static errors as "... on line 4 column 39 of core.xsl: ..." (file name only).
_LOCATION = re.compile(r"on line (\d+)(?: column (\d+))? of ([^\s:]+)")


def stylesheet_modules(override_dir: Path | None = None) -> dict[str, Path]:
    """The stylesheet modules in effect: the package's, each replaced by an edition's file of the same name."""
    modules = {path.name: path for path in sorted(XSLT_DIR.glob("*.xsl"))}
    if override_dir is not None and override_dir.is_dir():
        modules.update({path.name: path.resolve() for path in sorted(override_dir.glob("*.xsl"))})
    return modules


class Transformer:
    """A compiled edition stylesheet that turns TEI documents into HTML fragments."""

    def __init__(self, override_dir: Path | None = None) -> None:
        """Compile edition.xsl once, with the modules of override_dir (if any) replacing the package's."""
        self.modules = stylesheet_modules(override_dir)
        self.fingerprint = content_key(
            *(part for name, path in sorted(self.modules.items()) for part in (name, path.read_bytes()))
        )
        processor = saxon_processor()
        compiler = processor.new_xslt30_processor()
        if all(path.parent == XSLT_DIR for path in self.modules.values()):
            self._executable = self._compile(compiler, XSLT_DIR)
        else:
            # Modules import each other by relative href, so they must sit side by side.
            with tempfile.TemporaryDirectory(prefix="tei-edition-xslt-") as tmp:
                folder = Path(tmp)
                for name, path in self.modules.items():
                    shutil.copyfile(path, folder / name)
                self._executable = self._compile(compiler, folder)

    def _compile(self, compiler: PyXslt30Processor, folder: Path) -> PyXsltExecutable:
        """Compile the entry module in folder; stylesheet errors become SourceError at the original file."""
        entry = folder / ENTRY_MODULE
        if not entry.is_file():
            raise SourceError(entry, "the entry stylesheet is missing")
        try:
            return compiler.compile_stylesheet(stylesheet_file=str(entry.resolve()))
        except PySaxonApiError as error:
            raise self._stylesheet_error(str(error)) from None

    def _stylesheet_error(self, message: str) -> SourceError:
        """A SourceError naming the stylesheet (the edition's own file for an override) and its line."""
        found = _LOCATION.search(message)
        if found is None:
            return SourceError(self.modules[ENTRY_MODULE], f"stylesheet error: {first_message_line(message)}")
        line, column, name = int(found.group(1)), found.group(2), found.group(3)
        path = self.modules.get(name, XSLT_DIR / name)
        # Saxon lists every static error; the first one is the one to fix first.
        detail = re.split(r"\n\s*Error\b", message[found.end() :])[0].strip().lstrip(":").strip() or message.strip()
        return SourceError(
            path, f"stylesheet error: {first_message_line(detail)}", line, int(column) if column else None
        )

    def prepare(self, tree: etree._ElementTree) -> PyXdmNode:
        """The document as Saxon's tree, to be transformed for several media without parsing it again."""
        return prepare_document(tree)

    def transform(self, tree: etree._ElementTree, params: Mapping[str, str], prepared: PyXdmNode | None = None) -> str:
        """Render the document's text as an HTML fragment <div class="tei-text">; params: root, media, doc-id.

        `prepared` is the tree as prepare() gave it, when the caller transforms the document more than once."""
        unknown = sorted(set(params) - set(PARAMETERS))
        if unknown:
            raise ValueError(f"unknown stylesheet parameter(s): {', '.join(unknown)}; expected {', '.join(PARAMETERS)}")
        media = params.get("media", "screen")
        if media not in MEDIA:
            raise ValueError(f"media must be one of {', '.join(MEDIA)}, not {media!r}")
        node = prepared if prepared is not None else self.prepare(tree)
        where = document_location(tree)
        processor = saxon_processor()
        executable = self._executable
        executable.clear_parameters()
        for name, value in params.items():
            executable.set_parameter(name, processor.make_string_value(str(value)))
        try:
            result = executable.transform_to_string(xdm_node=node)
        except PySaxonApiError as error:
            raise SourceError(where, f"cannot render the text: {first_message_line(str(error))}") from None
        return result or ""
