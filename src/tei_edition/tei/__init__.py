"""The TEI model: safe parsing, documents, registers, dates and pointers."""
