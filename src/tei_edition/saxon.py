"""The process's one Saxon processor (saxonche supports no more than one), shared by the XSLT stylesheets and the
Schematron checks, and the lxml trees handed to it."""

from __future__ import annotations

import functools
import re

from lxml import etree
from saxonche import PySaxonApiError, PySaxonProcessor, PyXdmNode

from tei_edition.errors import SourceError

# Saxon's XML parser refuses elements nested more than 100 deep (the JDK's default since JDK 24); lxml, which
# parses every source first, allows 2,048 with huge_tree, so Saxon must accept at least as much.
_MAX_ELEMENT_DEPTH = (
    "http://saxon.sf.net/feature/parserProperty?uri=http%3A//www.oracle.com/xml/jaxp/properties/maxElementDepth",
    "4096",
)


@functools.cache
def saxon_processor() -> PySaxonProcessor:
    """The process's single Saxon processor, created on first use."""
    processor = PySaxonProcessor(license=False)
    processor.set_configuration_property(*_MAX_ELEMENT_DEPTH)
    return processor


def first_message_line(message: str) -> str:
    """The first meaningful line of a Saxon error message, without its 'Error' prefix."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    text = " ".join(lines[:3]) if lines else "unknown error"
    return re.sub(r"\s+", " ", re.sub(r"^Error\s*", "", text))


def document_location(tree: etree._ElementTree | etree._Element) -> str:
    """The file a tree was read from, for messages ('<document>' when it was not read from a file)."""
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    return (root.getroottree().docinfo.URL or "<document>") if root is not None else "<document>"


def prepare_document(tree: etree._ElementTree | etree._Element) -> PyXdmNode:
    """The root element of a tree as Saxon's tree, for the stylesheets and Schematron to share one
    parse."""
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    if root is None:
        raise SourceError(document_location(tree), "the document is empty")
    try:
        # The root element only, as a string: no DOCTYPE, no entity, no file access on Saxon's side.
        return saxon_processor().parse_xml(xml_text=etree.tostring(root, encoding="unicode"))
    except PySaxonApiError as error:
        raise SourceError(
            document_location(tree), f"cannot render the text: {first_message_line(str(error))}"
        ) from None
