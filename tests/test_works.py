"""The works a register lists (listBibl): a bibliography page with each work's reference and the documents that
cite it, where the texts' pointers to a work lead."""

from __future__ import annotations

from pathlib import Path

from lxml import html

from test_infile_registers import REGISTER, letter, with_registers
from test_real_tei import TEI, broken_links, build

WORKS = f"""<TEI xmlns="{TEI}"><teiHeader><fileDesc><titleStmt><title>Works</title></titleStmt>
<publicationStmt><p>p</p></publicationStmt><sourceDesc><p>s</p></sourceDesc></fileDesc></teiHeader>
<text><body><listBibl>
<bibl xml:id="w1"><author>Leo Tolstoy</author>, <title>War and Peace</title>, <date when="1869">1869</date>.</bibl>
<biblStruct xml:id="w2"><monogr><author>Anna Petrova</author><title>Memoirs</title><imprint><pubPlace>Moscow</pubPlace>
<publisher>Nauka</publisher><date>1901</date></imprint></monogr></biblStruct>
</listBibl></body></text></TEI>"""


def test_the_registers_works_make_a_bibliography_that_the_texts_citations_lead_to(tmp_path: Path) -> None:
    edition = with_registers(
        tmp_path / "ed",
        {
            "registers/persons.xml": REGISTER,
            "registers/works.xml": WORKS,
            "docs/a.xml": letter("a", '<p>He read <ref target="#w1">the novel</ref>; see <ptr target="#w2"/>.</p>'),
            "docs/b.xml": letter("b", '<p>Also <ref target="#w1">Tolstoy</ref>.</p>'),
        },
    )
    status, output = build(edition)
    assert status == 0, output
    site = edition / "build" / "html"
    page = html.fromstring((site / "bibliography" / "index.html").read_bytes())
    entries = {li.get("id"): li for li in page.xpath("//ul[@class='bibliography']/li")}
    assert list(entries) == ["w2", "w1"]  # in reference order: Petrova before Tolstoy
    assert entries["w1"].findtext("span[@class='reference']") == "Leo Tolstoy, War and Peace (1869)."
    assert entries["w2"].findtext("span[@class='reference']") == "Anna Petrova, Memoirs (Moscow: Nauka, 1901)."
    assert entries["w1"].xpath(".//span[@class='cited-in']/a/@href") == ["../documents/a/", "../documents/b/"]
    assert entries["w2"].xpath(".//span[@class='cited-in']/a/@href") == ["../documents/a/"]
    doc = html.fromstring((site / "documents" / "a" / "index.html").read_bytes())
    assert doc.xpath("//a[normalize-space(.) = 'the novel']/@href") == ["../../bibliography/#w1"]
    assert doc.xpath("//nav//a[normalize-space(.) = 'Bibliography']/@href") == ["../../bibliography/"]
    assert broken_links(site) == []


def test_no_bibliography_without_works(tmp_path: Path) -> None:
    edition = with_registers(
        tmp_path / "ed", {"registers/persons.xml": REGISTER, "docs/a.xml": letter("a", "<p>Nothing cited.</p>")}
    )
    status, output = build(edition)
    assert status == 0, output
    site = edition / "build" / "html"
    assert not (site / "bibliography").exists()
    assert "Bibliography" not in (site / "index.html").read_text(encoding="utf-8")
