"""tei-edition: validate TEI P5 editions and build static HTML and PDF editions from them."""

# The one place the version is written (pyproject.toml reads it from here): reading it from the installed
# distribution's metadata instead would import importlib.metadata, some 40 ms, at the start of every command.
__version__ = "0.1.0"

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
