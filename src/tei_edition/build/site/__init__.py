"""The parts of the HTML edition: pages, registers, chronology, citations, downloads, search."""
