"""edition.toml: loading, finding it from a sub-folder, and reporting every problem at once."""

from pathlib import Path

import pytest

from tei_edition.config import find_config, load_config
from tei_edition.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def write_edition(tmp_path: Path, toml: str) -> Path:
    (tmp_path / "tei" / "documents").mkdir(parents=True)
    (tmp_path / "tei" / "registers").mkdir(parents=True)
    path = tmp_path / "edition.toml"
    path.write_text(toml, encoding="utf-8")
    return path


def test_sample_configuration_loads() -> None:
    config = load_config(REPO / "edition.toml")
    assert config.title.startswith("Korea and the Soviet Union")
    assert config.documents_dir == REPO / "tei" / "documents"
    assert config.html_dir == REPO / "build" / "html"
    assert config.print.paper == "A4"
    assert config.print.margins == ("22mm", "20mm", "24mm", "20mm")


def test_found_from_a_subfolder(tmp_path: Path) -> None:
    path = write_edition(tmp_path, '[edition]\ntitle = "T"\n')
    assert find_config(tmp_path / "tei" / "documents") == path
    assert load_config(start=tmp_path / "tei").title == "T"


def test_missing_configuration_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(start=tmp_path)
    assert "no edition.toml found" in str(err.value)
    assert err.value.exit_code == 2


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write_edition(
        tmp_path,
        """
[edition]
titel = "typo"
language = "english please"
base_url = "example.org"
editors = "not a list"

[sources]
documents = "nowhere"

[pdf]
paper = "A3"
margins = "wide"

[outptu]
dir = "x"
""",
    )
    with pytest.raises(ConfigError) as err:
        load_config(path)
    keys = {p.key for p in err.value.problems}
    assert {
        "edition.titel",
        "edition.title",
        "edition.language",
        "edition.base_url",
        "edition.editors",
        "sources.documents",
        "pdf.paper",
        "pdf.margins",
        "outptu",
    } <= keys
    text = str(err.value)
    assert "did you mean 'title'?" in text
    assert "did you mean 'output'?" in text
    assert "must be one of A4, Letter" in text


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    path = write_edition(tmp_path, '[edition]\ntitle = "unclosed\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "not valid TOML" in str(err.value)
    assert "line 2" in str(err.value)


def test_output_folder_may_not_hold_the_sources(tmp_path: Path) -> None:
    path = write_edition(tmp_path, '[edition]\ntitle = "T"\n[output]\ndir = "tei"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert any(p.key == "output.dir" and "replace your sources" in p.message for p in err.value.problems)


@pytest.mark.parametrize(
    "folder, kind", [("tei/documents/site", "sources.documents"), ("tei/registers/out", "sources.registers")]
)
def test_output_folder_may_not_be_inside_the_sources(tmp_path: Path, folder: str, kind: str) -> None:
    # The build copies the TEI files into its output: inside a source folder they would be read as sources.
    path = write_edition(tmp_path, f'[edition]\ntitle = "T"\n[output]\ndir = "{folder}"\n')
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert any(
        p.key == "output.dir" and f"is inside {kind}" in p.message and "read as sources" in p.message
        for p in err.value.problems
    )


def test_margins_follow_css_shorthand(tmp_path: Path) -> None:
    path = write_edition(tmp_path, '[edition]\ntitle = "T"\n[pdf]\nmargins = "10mm 15mm"\npaper = "Letter"\n')
    config = load_config(path)
    assert config.print.margins == ("10mm", "15mm", "10mm", "15mm")
    assert config.print.paper == "Letter"


def test_build_section(tmp_path: Path) -> None:
    path = write_edition(tmp_path, '[edition]\ntitle = "T"\n[build]\nexecutor = "dask://scheduler:8786"\njobs = 4\n')
    config = load_config(path)
    assert (config.executor, config.jobs) == ("dask://scheduler:8786", 4)
    path.write_text('[edition]\ntitle = "T"\n[build]\nexecutor = "spark://x"\njobs = 0\n', encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert {p.key for p in err.value.problems} == {"build.executor", "build.jobs"}
