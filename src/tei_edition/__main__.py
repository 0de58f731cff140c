"""Allow `python -m tei_edition`."""

from tei_edition.cli import run

run()
