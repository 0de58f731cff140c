"""The whole sample site (the repository's own edition) compared with tests/golden/site/, normalised.

Normalised: the build date (in every form the site writes it), the edition's and the tool's version, and the hashed
names of Pagefind's files. Static copies (assets, TEI downloads, the zip, the Pagefind bundle) are listed in
MANIFEST.txt rather than compared byte for byte.

After an intended change to templates, stylesheets or the sample TEI, regenerate the golden files with

    UPDATE_GOLDEN=1 PYTHONPATH=src pytest tests/test_site_golden.py

and review the diff (git diff tests/golden/site) before committing it.
"""

from __future__ import annotations

import difflib
import os
import re
import shutil
from pathlib import Path

import pytest

from tei_edition import __version__
from tei_edition.config import load_config
from test_site import build_site

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden" / "site"
COMPARED = (".html", ".xml", ".bib", ".json")
LISTED_ONLY = ("assets/", "downloads/tei/", "pagefind/")
BUILD_DATES = ("1 May 2024", "May 1, 2024", "2024-05-01")  # the forms of test_site.EPOCH the site writes

pytestmark = pytest.mark.skipif(
    not any((REPO / "tei" / "documents").glob("*.xml")), reason="the sample edition has no documents yet"
)


def normalise(text: str, edition_version: str) -> str:
    """Replace the volatile parts of a page by fixed tokens."""
    for form in BUILD_DATES:
        text = text.replace(form, "BUILD-DATE")
    text = text.replace(f"tei-edition {__version__}", "tei-edition TOOL-VERSION")
    text = text.replace(
        f'<span class="tool-version">{__version__}</span>', '<span class="tool-version">TOOL-VERSION</span>'
    )
    text = re.sub(rf'(<span class="version">){re.escape(edition_version)}(</span>)', r"\1EDITION-VERSION\2", text)
    text = re.sub(rf"\bversion {re.escape(edition_version)}\b", "version EDITION-VERSION", text)
    return text


def normalised_site(site: Path, edition_version: str) -> dict[str, str]:
    """The compared files of a built site, normalised, plus MANIFEST.txt listing every file."""
    out: dict[str, str] = {}
    names = []
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        rel = path.relative_to(site).as_posix()
        names.append(re.sub(r"(?<=[._])[0-9a-f]{7,}(?=\.)", "HASH", rel) if rel.startswith("pagefind/") else rel)
        if rel.endswith(COMPARED) and not rel.startswith(LISTED_ONLY):
            out[rel] = normalise(path.read_text(encoding="utf-8"), edition_version)
    out["MANIFEST.txt"] = "\n".join(sorted(set(names))) + "\n"
    return out


def test_sample_site_matches_the_golden_files(tmp_path: Path) -> None:
    version = load_config(REPO / "edition.toml").version
    built = normalised_site(build_site(REPO, tmp_path / "html"), version)
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for rel, text in built.items():
            target = GOLDEN / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        pytest.skip("golden files regenerated: review `git diff tests/golden/site`")
    assert GOLDEN.is_dir(), "no golden files yet: run UPDATE_GOLDEN=1 PYTHONPATH=src pytest tests/test_site_golden.py"
    expected = {
        p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(GOLDEN.rglob("*"))
        if p.is_file()
    }
    assert sorted(built) == sorted(expected)
    changed = [rel for rel in built if built[rel] != expected[rel]]
    if changed:
        first = changed[0]
        diff = "\n".join(
            list(
                difflib.unified_diff(
                    expected[first].splitlines(),
                    built[first].splitlines(),
                    f"golden/{first}",
                    f"built/{first}",
                    lineterm="",
                )
            )[:40]
        )
        pytest.fail(
            f"{len(changed)} file(s) differ from the golden site, first {first}:\n{diff}\n"
            "If the change is intended: UPDATE_GOLDEN=1 PYTHONPATH=src pytest tests/test_site_golden.py"
        )


def test_the_build_command_writes_the_golden_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`edition build` makes parts of the pages in its workers (texts, the passages of register pages) and keeps
    them in its cache: its site must be the golden one, as the in-process rendering above is."""
    from tei_edition.pipeline import BuildOptions, build_edition

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1714521600")  # the date test_site's build_site uses
    edition = tmp_path / "edition"
    shutil.copytree(REPO, edition, ignore=shutil.ignore_patterns("build", ".git", ".venv", "bench", "tests", "src"))
    config = load_config(edition / "edition.toml")
    build_edition(config, BuildOptions(pdf=False, epub=False, jobs=2))  # the golden pages offer no EPUBs
    built = normalised_site(config.html_dir, config.version)
    expected = {
        p.relative_to(GOLDEN).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(GOLDEN.rglob("*"))
        if p.is_file()
    }
    changed = sorted(rel for rel in expected if built.get(rel) != expected[rel])
    assert not changed, f"the build differs from the golden site in {changed[:5]}"
