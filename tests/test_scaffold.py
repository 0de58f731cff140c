"""`edition new`: a new edition that validates and builds as it is; the pre-commit hook this repository offers."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

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
