"""The Python runner of the stylesheets: compilation, overrides, parameters and errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tei_edition.errors import SourceError
from tei_edition.transform.xslt import XSLT_DIR, Transformer, stylesheet_modules

TEI = "http://www.tei-c.org/ns/1.0"
SAMPLE = (
    f'<TEI xmlns="{TEI}" xml:lang="en"><text><body><p><persName ref="#stalin">Stalin</persName></p>'
    f'<figure><graphic url="a.png"/></figure></body></text></TEI>'
)

FIGURES_OVERRIDE = """<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:tei="http://www.tei-c.org/ns/1.0" exclude-result-prefixes="#all">
  <xsl:template match="tei:figure"><div class="edition-figure">our own figure</div></xsl:template>
</xsl:stylesheet>
"""

BROKEN_OVERRIDE = """<?xml version="1.0" encoding="UTF-8"?>
<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:tei="http://www.tei-c.org/ns/1.0">

  <xsl:template match="tei:figure">
    <div><xsl:value-of select="concat(("/></div>
  </xsl:template>
</xsl:stylesheet>
"""


def sample_tree() -> etree._ElementTree:
    return etree.ElementTree(etree.fromstring(SAMPLE))


@pytest.fixture(scope="module")
def transformer() -> Transformer:
    return Transformer()


def test_transform_returns_the_fragment(transformer: Transformer) -> None:
    out = transformer.transform(sample_tree(), {"root": "../../", "media": "screen", "doc-id": "d"})
    assert out.startswith('<div class="tei-text" lang="en" data-doc="d">')
    assert 'href="../../persons/stalin/"' in out


def test_parameters_change_between_calls(transformer: Transformer) -> None:
    first = transformer.transform(sample_tree(), {"root": "../../", "media": "screen"})
    second = transformer.transform(sample_tree(), {"media": "print"})
    third = transformer.transform(sample_tree(), {})
    assert 'href="../../persons/stalin/"' in first
    assert "href=" not in second.split("<figure")[0]
    assert 'href="persons/stalin/"' in third


def test_root_without_trailing_slash_is_completed(transformer: Transformer) -> None:
    assert 'href="../../persons/stalin/"' in transformer.transform(sample_tree(), {"root": "../.."})


def test_an_element_is_accepted_as_well_as_a_tree(transformer: Transformer) -> None:
    assert transformer.transform(sample_tree().getroot(), {}) == transformer.transform(sample_tree(), {})


def test_only_the_root_element_reaches_saxon(transformer: Transformer, tmp_path: Path) -> None:
    source = tmp_path / "doc.xml"
    source.write_text(
        f'<?xml version="1.0"?>\n<?xml-model href="http://example.org/x.rng"?>\n<!-- comment -->\n{SAMPLE}',
        encoding="utf-8",
    )
    tree = etree.parse(str(source))
    assert transformer.transform(tree, {}) == transformer.transform(sample_tree(), {})


def test_deeply_nested_documents_are_rendered(transformer: Transformer) -> None:
    depth = 300
    source = f'<TEI xmlns="{TEI}"><text><body><p>{"<hi>" * depth}deep{"</hi>" * depth}</p></body></text></TEI>'
    tree = etree.ElementTree(etree.fromstring(source, etree.XMLParser(huge_tree=True)))
    out = transformer.transform(tree, {})
    text = out.split('<div class="body">', 1)[1]  # after the key to the signs
    assert text.count("<span") == depth and "deep" in out


def test_unknown_parameter_is_refused(transformer: Transformer) -> None:
    with pytest.raises(ValueError, match="doc_id"):
        transformer.transform(sample_tree(), {"doc_id": "x"})


def test_unknown_media_is_refused(transformer: Transformer) -> None:
    with pytest.raises(ValueError, match="media"):
        transformer.transform(sample_tree(), {"media": "pdf"})


def test_override_replaces_a_module(tmp_path: Path) -> None:
    (tmp_path / "figures.xsl").write_text(FIGURES_OVERRIDE, encoding="utf-8")
    out = Transformer(tmp_path).transform(sample_tree(), {})
    assert '<div class="edition-figure">our own figure</div>' in out
    assert 'class="entity entity-person"' in out  # the other modules still apply


def test_override_changes_the_fingerprint(tmp_path: Path, transformer: Transformer) -> None:
    (tmp_path / "figures.xsl").write_text(FIGURES_OVERRIDE, encoding="utf-8")
    assert Transformer(tmp_path).fingerprint != transformer.fingerprint
    assert Transformer(tmp_path / "absent").fingerprint == transformer.fingerprint


def test_stylesheet_modules_lists_overrides(tmp_path: Path) -> None:
    (tmp_path / "figures.xsl").write_text(FIGURES_OVERRIDE, encoding="utf-8")
    modules = stylesheet_modules(tmp_path)
    assert modules["figures.xsl"] == (tmp_path / "figures.xsl").resolve()
    assert modules["core.xsl"] == XSLT_DIR / "core.xsl"


def test_broken_override_names_its_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "figures.xsl"
    broken.write_text(BROKEN_OVERRIDE, encoding="utf-8")
    with pytest.raises(SourceError) as caught:
        Transformer(tmp_path)
    assert caught.value.path == broken.resolve()
    assert caught.value.line == 6
    assert str(caught.value).startswith(f"{broken.resolve()}:6:")
    assert "stylesheet error" in str(caught.value)


def test_malformed_override_names_its_file_and_line(tmp_path: Path) -> None:
    broken = tmp_path / "core.xsl"
    broken.write_text(
        '<?xml version="1.0"?>\n<xsl:stylesheet version="3.0" '
        'xmlns:xsl="http://www.w3.org/1999/XSL/Transform">\n<b></c>\n</xsl:stylesheet>\n',
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        Transformer(tmp_path)
    assert caught.value.path == broken.resolve()
    assert caught.value.line == 3
    assert "must be terminated" in caught.value.detail


def test_package_has_one_module_per_chapter() -> None:
    names = {path.name for path in XSLT_DIR.glob("*.xsl")}
    assert {"edition.xsl", "core.xsl", "textstructure.xsl", "namesdates.xsl", "transcr.xsl", "figures.xsl"} <= names
