"""`edition new`: write a new edition that validates and builds as it is."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import escape

from tei_edition import __version__
from tei_edition.errors import UsageError

# Where the hook definition (.pre-commit-hooks.yaml) and the package live.
REPO_URL = "https://github.com/tei-edition/tei-edition"

# template (under templates/scaffold) -> path in the new edition. Dot files are stored without their dot so that
# packaging tools do not leave them out.
FILES: dict[str, str] = {
    "edition.toml": "edition.toml",
    "README.md": "README.md",
    "gitignore": ".gitignore",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "github/workflows/edition.yml": ".github/workflows/edition.yml",
    "tei/documents/example-letter.xml": "tei/documents/example-letter.xml",
    "tei/registers/persons.xml": "tei/registers/persons.xml",
    "tei/registers/places.xml": "tei/registers/places.xml",
    "tei/registers/orgs.xml": "tei/registers/orgs.xml",
}


@dataclass
class ScaffoldResult:
    """What `new_edition` wrote and what it left alone."""

    root: Path
    written: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)


def title_from_folder(folder: Path) -> str:
    """A readable title from a folder name: 'letters-of-ada' -> 'Letters of ada'."""
    words = re.sub(r"[-_]+", " ", folder.name).strip()
    return (words[:1].upper() + words[1:]) if words else "A new edition"


def render_template(name: str, title: str) -> str:
    """The text of one scaffold file with the edition's title filled in, escaped for the file's format."""
    text = (resources.files("tei_edition") / "templates" / "scaffold" / name).read_text(encoding="utf-8")
    replacements = {
        "__TITLE_TOML__": json.dumps(title, ensure_ascii=False)[1:-1],  # a TOML basic string escapes like JSON
        "__TITLE_XML__": escape(title),
        "__TITLE_MD__": title,
        "__REPO_URL__": REPO_URL,
        "__VERSION__": __version__,
    }
    for token, value in replacements.items():
        text = text.replace(token, value)
    return text


def new_edition(target: Path, title: str | None = None, force: bool = False) -> ScaffoldResult:
    """Write a new edition into `target`; refuse a non-empty folder unless `force` (which only adds missing files)."""
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target} exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise UsageError(
            f"{target} is not empty; choose a new folder, or pass --force to add only the files that "
            "are missing (existing files are never overwritten)"
        )
    title = (title or title_from_folder(target.resolve())).strip()
    result = ScaffoldResult(target)
    for template, rel in FILES.items():
        out = target / rel
        if out.exists():
            result.kept.append(out)
            continue
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_template(template, title), encoding="utf-8")
        result.written.append(out)
    return result
