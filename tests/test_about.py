"""The About page is the editors' statement of method, from one edition-level file: Markdown (about.md) or a TEI
file whose teiHeader says it (about.xml). No page shows readers TEI's element or attribute names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html

from tei_edition.config import load_config
from tei_edition.errors import BuildError, ConfigError
from test_citations import copy_sample
from test_site import build_site

REPO = Path(__file__).resolve().parents[1]

ABOUT_MD = """# How this edition is made

We transcribe **every** letter in full. See [the project](https://example.org/project) and
[this](javascript:alert(1)).

<script>alert("no")</script>

| Letters | Years |
| --- | --- |
| 2 | 1843 |
"""


def page(site: Path, rel: str) -> html.HtmlElement:
    return html.parse(str(site / rel)).getroot()


def test_about_from_markdown(minimal_edition: Path, tmp_path: Path) -> None:
    (minimal_edition / "about.md").write_text(ABOUT_MD, encoding="utf-8")
    assert load_config(minimal_edition / "edition.toml").about == (minimal_edition / "about.md").resolve()
    site = build_site(minimal_edition, tmp_path / "out" / "html")
    about = page(site, "about/index.html")
    text = about.xpath("//section[contains(@class, 'about-section')]")[0]
    # The file's headings come below the page's own title; Markdown's emphasis, links and tables are HTML.
    assert [h.text_content() for h in about.xpath("//h1")] == ["About this edition"]
    assert text.xpath(".//h2/text()") == ["How this edition is made"]
    assert text.xpath(".//strong/text()") == ["every"]
    assert text.xpath(".//a/@href") == ["https://example.org/project"]  # a javascript: link is not made
    assert text.xpath(".//table//td/text()") == ["2", "1843"]
    # Raw HTML in the file is shown as text, never run.
    assert not about.xpath("//main//script") and '<script>alert("no")</script>' in text.text_content()
    # The page says how to cite the edition when the file does not.
    assert "A. Editor, ed. A minimal edition." in about.xpath("string(//section[@aria-labelledby='about-cite'])")
    # The home page says who edited it, from edition.toml.
    assert page(site, "index.html").xpath("//p[@class='hero-editors']/text()") == ["Edited by A. Editor"]


def test_about_from_the_sample_tei(tmp_path: Path) -> None:
    site = build_site(REPO, tmp_path / "html")
    about = page(site, "about/index.html")
    headings = about.xpath("//main//h2/text()")
    for heading in (
        "The project",
        "Selection of the documents",
        "Editorial principles",
        "The editors",
        "How to cite this edition",
        "Contact",
    ):
        assert heading in headings, heading
    assert headings.count("How to cite this edition") == 1  # the editors' own, not a second made by the tool
    principles = about.xpath("string(//section[@aria-labelledby='about-principles'])")
    assert "Corrections" in principles and "Wikidata" in principles
    assert about.xpath("//section[@aria-labelledby='about-contact']//a/@href") == [
        "https://github.com/tei-edition/tei-edition"
    ]
    # The About page no longer gathers each document's declarations; each is on its own document's page.
    assert "The translation is transcribed as published" not in about.text_content()
    report = page(site, "documents/1967-06-02-soviet-korean-relations/index.html")
    notes = report.xpath("string(//section[@class='editorial-notes'])")
    assert "The translation is transcribed as published" in notes and "Corrections." in notes
    home = page(site, "index.html")
    assert home.xpath("//p[@class='hero-editors']/text()") == [
        "Edited, encoded and annotated by the tei-edition editors"
    ]


# What reads as TEI markup in a page's text: an element in angle brackets, or an attribute of TEI's.
TEI_NAMES = re.compile(
    r"<[A-Za-z][\w:.-]*/?>|@(?:cert|resp|ref|hand|rend|reason|when|type|target|n|xml:id|corresp|who|unit|place)\b"
)


def test_no_page_shows_tei_names(tmp_path: Path) -> None:
    site = build_site(REPO, tmp_path / "html")
    shown: dict[str, set[str]] = {}
    for path in sorted(site.rglob("*.html")):
        tree = page(site, path.relative_to(site).as_posix())
        for hidden in tree.xpath("//script | //style"):
            hidden.drop_tree()
        found = set(TEI_NAMES.findall(tree.text_content()))
        if found:
            shown[path.relative_to(site).as_posix()] = found
    assert shown == {}


def test_the_about_setting_is_checked(minimal_edition: Path) -> None:
    config = minimal_edition / "edition.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[sources]", 'about = "notes.txt"\n\n[sources]'), encoding="utf-8")
    (minimal_edition / "notes.txt").write_text("notes", encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a Markdown"):
        load_config(config)
    config.write_text(text.replace("[sources]", 'about = "missing.md"\n\n[sources]'), encoding="utf-8")
    with pytest.raises(ConfigError, match="missing.md"):
        load_config(config)


def test_a_broken_tei_about_file_is_named_with_its_line(minimal_edition: Path, tmp_path: Path) -> None:
    (minimal_edition / "about.xml").write_text(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0">\n<teiHeader>\n<fileDesc>\n</teiHeader>\n</TEI>\n', encoding="utf-8"
    )
    with pytest.raises(BuildError, match=r"about\.xml.*:4"):
        build_site(minimal_edition, tmp_path / "out" / "html")


def test_without_an_about_file_the_page_says_how_to_cite_the_edition(tmp_path: Path) -> None:
    """Without an About file the page still says how to cite the whole edition, from edition.toml."""
    edition = copy_sample(tmp_path / "sample")
    (edition / "about.xml").unlink()
    config = edition / "edition.toml"
    config.write_text(
        "\n".join(line for line in config.read_text(encoding="utf-8").splitlines() if not line.startswith("about ")),
        encoding="utf-8",
    )
    site = build_site(edition, tmp_path / "out" / "html")
    cite = page(site, "about/index.html").xpath("string(//section[@aria-labelledby='about-cite'])")
    assert "The tei-edition editors, ed. Korea and the Soviet Union, 1945–1967. Version 0.1. tei-edition, 2024." in cite
