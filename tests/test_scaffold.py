"""`edition new`: a new edition that validates and builds as it is; the pre-commit hook this repository offers."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from tei_edition import __version__
from tei_edition.cli import main
from tei_edition.scaffold import FILES, new_edition, title_from_folder

REPO = Path(__file__).resolve().parents[1]


def test_new_edition_validates_and_builds(tmp_path: Path) -> None:
    target = tmp_path / "my-edition"
    runner = CliRunner()
    result = runner.invoke(main, ["new", str(target)])
    assert result.exit_code == 0, result.output
    for rel in FILES.values():
        assert (target / rel).is_file(), rel
    config = str(target / "edition.toml")
    validate = runner.invoke(main, ["validate", "--strict", "--config", config])
    assert validate.exit_code == 0, validate.output
    assert "1 document, 3 registers: 0 errors, 0 warnings" in validate.output
    build = runner.invoke(main, ["build", "--no-pdf", "--config", config])
    assert build.exit_code == 0, build.output
    html = target / "build" / "html"
    assert (html / "index.html").is_file()
    pages = [p for p in html.rglob("*.html") if "booksellers of" in p.read_text(encoding="utf-8")]
    assert pages, "the example letter has no page"
    about = (html / "about" / "index.html").read_text(encoding="utf-8")
    assert "<h2>The project</h2>" in about, "the About page is not the new edition's about.md"


def test_new_edition_files(tmp_path: Path) -> None:
    target = tmp_path / "letters-of-ada"
    new_edition(target, title='Letters "of" Ada & Co')
    assert 'title = "Letters \\"of\\" Ada & Co"' in (target / "edition.toml").read_text(encoding="utf-8")
    assert '<publisher>Letters "of" Ada &amp; Co</publisher>' in (
        target / "tei" / "documents" / "example-letter.xml"
    ).read_text(encoding="utf-8")
    assert "build/" in (target / ".gitignore").read_text(encoding="utf-8").splitlines()
    workflow = (target / ".github" / "workflows" / "edition.yml").read_text(encoding="utf-8")
    for step in (
        "actions/checkout@",
        "actions/setup-python@",
        "pip install",
        "edition validate --format github",
        "edition build",
        "actions/upload-pages-artifact@",
        "actions/deploy-pages@",
    ):
        assert step in workflow, step
    assert "id: edition-validate" in (target / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    readme = (target / "README.md").read_text(encoding="utf-8")
    assert readme.startswith('# Letters "of" Ada & Co') and "edition serve" in readme


def test_refuses_a_non_empty_folder(tmp_path: Path) -> None:
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["new", str(target)])
    assert result.exit_code == 2
    assert f"Error: {target} is not empty; choose a new folder, or pass --force" in result.output
    assert sorted(p.name for p in target.iterdir()) == ["notes.txt"]


def test_force_only_adds_missing_files(tmp_path: Path) -> None:
    target = tmp_path / "ed"
    new_edition(target)
    (target / "README.md").unlink()
    (target / "edition.toml").write_text("# edited by hand\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["new", "--force", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "README.md").is_file()
    assert (target / "edition.toml").read_text(encoding="utf-8") == "# edited by hand\n"
    assert "kept" in result.output and "wrote" in result.output


def test_title_from_folder() -> None:
    assert title_from_folder(Path("letters_of-ada")) == "Letters of ada"


def test_pre_commit_hook_definition() -> None:
    lines = [line.strip() for line in (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8").splitlines()]
    for expected in (
        "- id: edition-validate",
        "entry: edition validate",
        "language: python",
        "files: \\.xml$",
        "pass_filenames: true",
    ):
        assert expected in lines, expected


class _Distribution:
    """What importlib.metadata.distribution('tei-edition') gives, with the direct_url.json given (None: absent)."""

    def __init__(self, direct_url: str | None):
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        return self.direct_url if name == "direct_url.json" else None


def _workflow_for(direct_url: str | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """The workflow `edition new` writes when tei-edition was installed as direct_url.json says, parsed."""
    import importlib.metadata

    import yaml

    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: _Distribution(direct_url))
    target = tmp_path / "edition"
    new_edition(target)
    data = yaml.safe_load((target / ".github" / "workflows" / "edition.yml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _step(workflow: dict[str, object], name: str) -> dict[str, str]:
    jobs = workflow["jobs"]
    assert isinstance(jobs, dict)
    return next(s for s in jobs["build"]["steps"] if s.get("name") == name)


def test_workflow_installs_from_the_vcs_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    direct_url = json.dumps(
        {
            "url": "https://github.com/tei-edition/tei-edition.git",
            "vcs_info": {
                "vcs": "git",
                "commit_id": "0123456789abcdef0123456789abcdef01234567",
                "requested_revision": "main",
            },
        }
    )
    workflow = _workflow_for(direct_url, tmp_path, monkeypatch)
    assert _step(workflow, "Install tei-edition")["run"] == (
        'pip install "tei-edition @ git+https://github.com/tei-edition/tei-edition.git'
        '@0123456789abcdef0123456789abcdef01234567"'
    )


def test_workflow_installs_a_local_checkout_by_its_remote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed from a folder (editable or not): the runner fetches the checkout's commit from its remote."""
    checkout = tmp_path / "tei-edition"
    checkout.mkdir()
    git = ["git", "-C", str(checkout), "-c", "user.name=T", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "start"], check=True)
    subprocess.run([*git, "remote", "add", "origin", "git@github.com:someone/tei-edition.git"], check=True)
    commit = subprocess.run([*git, "rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
    for editable in (True, False):
        direct_url = json.dumps({"url": checkout.as_uri(), "dir_info": {"editable": editable}})
        workflow = _workflow_for(direct_url, tmp_path / str(editable), monkeypatch)
        assert _step(workflow, "Install tei-edition")["run"] == (
            f'pip install "tei-edition @ git+https://github.com/someone/tei-edition.git@{commit}"'
        )
    # A folder that is no git checkout with a remote is installed from its path, and the comment says why that
    # needs a runner that has the folder.
    plain = tmp_path / "plain"
    plain.mkdir()
    direct_url = json.dumps({"url": plain.as_uri(), "dir_info": {}})
    target = tmp_path / "plain-edition"
    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "distribution", lambda name: _Distribution(direct_url))
    new_edition(target)
    text = (target / ".github" / "workflows" / "edition.yml").read_text(encoding="utf-8")
    assert f'run: pip install "{plain}"' in text and "cannot install it" in text


def test_workflow_keeps_the_tools_cache_between_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workflow = _workflow_for(None, tmp_path, monkeypatch)
    steps = workflow["jobs"]["build"]["steps"]  # type: ignore[index]
    cache = _step(workflow, "Keep what tei-edition prepares for itself")
    assert cache["uses"].startswith("actions/cache@")
    assert cache["with"]["path"] == "~/.cache/tei-edition"  # type: ignore[index]
    assert cache["with"]["restore-keys"] == "tei-edition-${{ runner.os }}-"  # type: ignore[index]
    names = [s.get("name", "") for s in steps]
    assert names.index("Keep what tei-edition prepares for itself") < names.index("Build the site and the PDFs")


def test_workflow_installs_the_released_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workflow = _workflow_for(None, tmp_path, monkeypatch)
    assert _step(workflow, "Install tei-edition")["run"] == f'pip install "tei-edition=={__version__}"'
    steps = [s.get("run") or s.get("uses", "") for s in workflow["jobs"]["build"]["steps"]]  # type: ignore[index]
    assert "edition validate --format github" in steps and "edition build" in steps
    # The site is published with its PDFs, which the build puts inside it.
    upload = next(s for s in workflow["jobs"]["build"]["steps"] if "upload-pages-artifact" in s.get("uses", ""))  # type: ignore[index]
    assert upload["with"]["path"] == "build/html"
    assert any("deploy-pages" in s.get("uses", "") for s in workflow["jobs"]["deploy"]["steps"])  # type: ignore[index]
