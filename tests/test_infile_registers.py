"""Names linked the way projects link them: @ref, @corresp, @sameAs and @key, full URIs and prefixDef shorthands,
resolved in the file's own lists first (listPerson in standOff or back, a FRUS volume's list of persons), then in
the edition's registers; the entries of a file's own lists join the registers, with pages and mentions."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree, html

from tei_edition.tei.names import Link, RegisterKeys, authority_key, expand_pointer, prefix_defs, resolve_names
from test_real_tei import CORPORA, TEI, broken_links, build, edition_of, run

HEADER = (
    "<teiHeader><fileDesc><titleStmt><title>{title}</title></titleStmt><publicationStmt><p>p</p></publicationStmt>"
    "<sourceDesc><p>s</p></sourceDesc></fileDesc>{encoding}</teiHeader>"
)
PREFIXES = (
    '<encodingDesc><listPrefixDef><prefixDef ident="psn" matchPattern="([a-z]+)" replacementPattern="#$1"/>'
    '<prefixDef ident="wd" matchPattern="(Q\\d+)" replacementPattern="https://www.wikidata.org/wiki/$1"/>'
    "</listPrefixDef></encodingDesc>"
)
REGISTER = f"""<TEI xmlns="{TEI}">{HEADER.format(title="Persons", encoding="")}<text><body><listPerson>
<person xml:id="stalin"><persName>Joseph Stalin</persName><idno type="wikidata">Q855</idno></person>
<person xml:id="p1"><persName>Register Person One</persName></person>
</listPerson></body></text></TEI>"""


def with_registers(folder: Path, files: dict[str, str]) -> Path:
    """An edition of documents under tei/docs and registers under tei/registers."""
    edition = edition_of(folder, files)
    (edition / "edition.toml").write_text(
        '[edition]\ntitle = "T"\n\n[sources]\ndocuments = "tei/docs"\nregisters = "tei/registers"\n',
        encoding="utf-8",
    )
    return edition


def letter(doc_id: str, body: str, back: str = "", encoding: str = "", stand_off: str = "") -> str:
    return (
        f'<TEI xmlns="{TEI}" xml:id="{doc_id}">{HEADER.format(title=doc_id, encoding=encoding)}{stand_off}'
        f"<text><body>{body}</body><back>{back}</back></text></TEI>"
    )


def links_on_page(site: Path, doc: str, text: str) -> list[str]:
    """Where the links with these words on a document's page lead."""
    page = html.fromstring((site / "documents" / doc / "index.html").read_bytes())
    return page.xpath(f"//a[normalize-space(.) = '{text}']/@href")


def validation_errors(edition: Path) -> tuple[int, str, list[dict[str, Any]]]:
    """`edition validate`'s exit status, its JSON report, and the errors in it."""
    status, output = run("validate", "--config", str(edition / "edition.toml"), "--format", "json")
    return status, output, [d for d in json.loads(output)["diagnostics"] if d["severity"] == "error"]


def tree_of(text: str, name: str = "a.xml") -> etree._ElementTree:
    return etree.ElementTree(etree.fromstring(text.encode("utf-8"), base_url=name))


def test_prefix_pointers_expand_by_the_header_s_prefix_defs() -> None:
    tree = tree_of(letter("a", "<p/>", encoding=PREFIXES))
    prefixes = prefix_defs(tree.getroot())
    assert expand_pointer("psn:stalin", prefixes) == "#stalin"
    assert expand_pointer("wd:Q855", prefixes) == "https://www.wikidata.org/wiki/Q855"
    assert expand_pointer("psn:Stalin1", prefixes) is None  # declared, but no pattern matches
    assert expand_pointer("https://example.org/x", prefixes) == "https://example.org/x"  # no such prefix
    assert expand_pointer("#x", prefixes) == "#x"


def test_every_way_of_linking_a_name_resolves_own_lists_first() -> None:
    body = (
        '<p><persName ref="psn:stalin">Stalin</persName> <persName corresp="#mol">Molotov</persName> '
        '<persName sameAs="#stalin">Koba</persName> <persName key="stalin">J. S.</persName> '
        '<persName ref="wd:Q855">Stalin</persName> <persName ref="wd:Q1 #nowhere">Q</persName> '
        '<rs type="person" ref="persons.xml#p1">him</rs> '
        '<persName ref="#p1">here</persName> <persName ref="#nobody nowhere">?</persName></p>'
    )
    stand_off = (
        '<standOff><listPerson><person xml:id="mol"><persName>V. M. Molotov</persName></person>'
        '<person xml:id="p1"><persName>Local One</persName><note>Not the register\'s.</note></person>'
        "</listPerson></standOff>"
    )
    tree = tree_of(letter("a", body, encoding=PREFIXES, stand_off=stand_off))
    stalin = authority_key("http://www.wikidata.org/entity/Q855")  # the register's record, written otherwise
    registers = RegisterKeys(frozenset({"stalin", "p1"}), {stalin: Link("person", "stalin")})
    names = resolve_names(tree, Path("a.xml"), registers)
    links = [names.links.get(el) for el in tree.getroot().iter(f"{{{TEI}}}persName", f"{{{TEI}}}rs")]
    in_text = [
        link
        for el, link in zip(tree.getroot().iter(f"{{{TEI}}}persName", f"{{{TEI}}}rs"), links, strict=True)
        if el.getparent().tag == f"{{{TEI}}}p"
    ]
    assert [(link.kind, link.target) if link else None for link in in_text] == [
        ("person", "stalin"),
        ("person", "mol"),
        ("person", "stalin"),
        ("person", "stalin"),
        ("person", "stalin"),  # wd:Q855 is the address of the register entry's authority record
        ("person", "nowhere"),  # an entry's id first; the web address only when the name has none
        ("person", "p1"),  # persons.xml#p1: the registers' entry
        ("person", "a.p1"),  # #p1 in its own file first: scoped, as the registers have a p1 too
        ("person", "nobody"),  # a register entry that does not exist yet: the gate reports it
    ]
    assert sorted(e.id for e in names.entries) == ["a.p1", "mol"]  # only the clashing id is scoped
    assert names.scoped == {"p1"}
    assert names.by_uri == {(stalin, "stalin")} and registers.agree(names)
    freed = RegisterKeys(frozenset({"stalin"}), {stalin: Link("person", "stalin")})  # p1 is free
    assert not freed.agree(names, frozenset())
    # were p1 declared by several documents' own lists, 'persons.xml#p1' would lead nowhere: the file is read again
    assert not freed.agree(names, frozenset({"p1"})) and names.elsewhere >= {"p1"}
    assert freed.agree(names)  # while the ids shared by documents' lists are not known, it may hold
    assert not RegisterKeys(frozenset({"stalin", "p1"})).agree(names)  # Q855 no longer the register's
    assert next(e for e in names.entries if e.id == "a.p1").description == "Not the register's."


def test_a_volume_s_list_of_persons_is_read_with_descriptions() -> None:
    back = (
        '<div type="section" xml:id="persons"><head>Persons</head><list>'
        '<item><hi rend="strong"><persName xml:id="p_FH1">Fish, Hamilton</persName></hi>, Secretary of State.</item>'
        '<item><persName xml:id="p_JJ1">Jay, John</persName>, Minister in Austria</item></list></div>'
    )
    body = '<p><persName corresp="#p_FH1">Mr. Fish</persName> to <persName corresp="#p_JJ1">Mr. Jay</persName></p>'
    tree = tree_of(letter("vol", body, back=back))
    names = resolve_names(tree, Path("vol.xml"))
    entries = {e.id: e for e in names.entries}
    assert entries["p_FH1"].name == "Fish, Hamilton" and entries["p_FH1"].description == "Secretary of State."
    assert entries["p_JJ1"].description == "Minister in Austria" and entries["p_JJ1"].in_file == "vol"
    assert entries["p_FH1"].sort_key == "fish, hamilton"
    mentioned = [names.entity_of(el) for el in names.order]
    assert mentioned == ["p_FH1", "p_JJ1", None, None]  # the list's own names are not mentions


CLASHING = (
    '<div type="persons"><list><item><persName xml:id="p_A1">Smith, Anna</persName>, of {place}</item></list></div>'
)


def clashing_lists() -> dict[str, str]:
    """Two documents whose own lists both declare p_A1 (of Ayr, of Bute), each pointing to it: 'A', 'B'."""
    return {
        "docs/a.xml": letter("a", '<p><persName corresp="#p_A1">A</persName></p>', CLASHING.format(place="Ayr")),
        "docs/b.xml": letter("b", '<p><persName corresp="#p_A1">B</persName></p>', CLASHING.format(place="Bute")),
    }


def test_in_file_entries_get_pages_with_mentions_and_clashes_are_scoped(tmp_path: Path) -> None:
    edition = with_registers(
        tmp_path / "ed",
        {
            "registers/persons.xml": REGISTER,
            "docs/a.xml": letter(
                "a",
                '<p><persName corresp="#p_A1">Anna</persName> met <persName ref="#stalin">Stalin</persName> and '
                '<persName ref="#p1">One</persName>; <persName ref="https://viaf.org/viaf/1">V</persName>; '
                '<persName ref="http://www.wikidata.org/entity/Q855">J. V.</persName>.</p>',
                back=CLASHING.format(place="Ayr"),
                stand_off='<standOff><listPerson><person xml:id="p1"><persName>Local One</persName>'
                "<note>Known in a.xml only.</note></person></listPerson></standOff>",
            ),
        },
    )
    status, output, errors = validation_errors(edition)
    assert errors == [], output
    status, output = build(edition)
    assert status == 0, output
    site = edition / "build" / "html"
    page = html.fromstring((site / "documents" / "a" / "index.html").read_bytes())
    hrefs = {a.text_content(): a.get("href") for a in page.xpath("//a[contains(@class, 'entity')]")}
    assert hrefs["Anna"] == "../../persons/p_A1/"
    assert hrefs["Stalin"] == "../../persons/stalin/"
    assert hrefs["One"] == "../../persons/a.p1/"  # its own file's p1, scoped: the registers have a p1
    assert hrefs["V"] == "https://viaf.org/viaf/1"
    assert hrefs["J. V."] == "../../persons/stalin/"  # the address of the register entry's authority record
    assert "<mark>J. V.</mark>" in (site / "persons" / "stalin" / "index.html").read_text(encoding="utf-8")
    anna = (site / "persons" / "p_A1" / "index.html").read_text(encoding="utf-8")
    assert "Smith, Anna" in anna and "of Ayr" in anna and "<mark>Anna</mark>" in anna
    local = (site / "persons" / "a.p1" / "index.html").read_text(encoding="utf-8")
    assert "Known in a.xml only." in local and "<mark>One</mark>" in local
    assert "Register Person One" in (site / "persons" / "p1" / "index.html").read_text(encoding="utf-8")
    assert broken_links(site) == []


def test_unresolved_and_prefixed_pointers_are_reported_at_their_line(tmp_path: Path) -> None:
    body = (
        '<p><persName ref="psn:stalin">Stalin</persName>\n<persName ref="psn:Nobody1">N</persName>\n'
        '<persName ref="psn:ghost">G</persName>\n<persName key="k1" sameAs="#stalin">K</persName></p>'
    )
    edition = with_registers(
        tmp_path / "ed", {"docs/a.xml": letter("a", body, encoding=PREFIXES), "registers/persons.xml": REGISTER}
    )
    status, output = run("validate", "--config", str(edition / "edition.toml"), "--format", "json")
    found = json.loads(output)["diagnostics"]
    errors = sorted((Path(d["path"]).name, d["line"], d["rule"]) for d in found if d["severity"] == "error")
    assert ("a.xml", 2, "ref-resolves") in errors  # psn:Nobody1 matches no pattern
    assert ("a.xml", 3, "ref-resolves") in errors  # psn:ghost expands to #ghost, which nothing declares
    assert not [e for e in errors if e[1] in (1, 4)]
    assert not [d for d in found if d["rule"] == "name-ref"], output  # every name is linked somehow


PRINCIPALS = {
    "Mr. E. B. Washburne": ("p_WEB1", "Washburne, Elihu B.", "Minister in France"),
    "Mr. Washburne": ("p_WEB1", "", ""),
    "Mr. Fish": ("p_FH1", "Fish, Hamilton", "Secretary of State"),
    "Mr. Davis": ("p_DJCB1", "Davis, J. C. Bancroft", "Assistant Secretary of State"),
    "Mr. Bancroft": ("p_BG1", "Bancroft, George", "Minister to the North German Confederation"),
    "Mr. Motley": ("p_MJL1", "Motley, John Lothrop", "Minister in Great Britain"),
    "Baron Gerolt": ("p_GF1", "Gerolt, Baron Friedrich von", "Minister of the North German Confederation"),
    "Mr. Thornton": ("p_TE1", "Thornton, Sir Edward", "British Minister at Washington"),
    "Prince Kung": ("p_PK1", "Kung, Prince", "head of the Chinese Foreign Office"),
    "Mr. Jay": ("p_JJ1", "Jay, John", "Minister in Austria"),
}


def frus_with_persons(source: Path, target: Path) -> int:
    """A copy of the FRUS volume with a list of persons in its back matter, as later FRUS volumes have, and the
    senders and recipients of its documents pointing to it by @corresp; the number of names so linked."""
    text = source.read_text(encoding="utf-8-sig")
    linked = 0

    def link(match: re.Match[str]) -> str:
        nonlocal linked
        name = " ".join(re.sub(r"<[^>]+>", "", match.group(2)).split())
        if name not in PRINCIPALS:
            return match.group(0)
        linked += 1
        return f'<persName type="{match.group(1)}" corresp="#{PRINCIPALS[name][0]}">{match.group(2)}</persName>'

    text = re.sub(r'<persName type="(from|to)">(.*?)</persName>', link, text, flags=re.S)
    items = "".join(
        f'<item><hi rend="strong"><persName xml:id="{xml_id}">{name}</persName></hi>, {role}</item>'
        for xml_id, name, role in PRINCIPALS.values()
        if name
    )
    persons = f'<div type="section" subtype="index" xml:id="persons"><head>Persons</head><list>{items}</list></div>'
    text = text.replace("<back>", "<back>" + persons, 1)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return linked


def test_a_frus_volume_s_persons_get_register_pages_with_their_mentions(tmp_path: Path) -> None:
    source = CORPORA / "frus" / "frus1870.xml"
    if not source.is_file():
        pytest.skip("other projects' TEI lie in ../shared/corpora beside the repository (as in CI)")
    edition = edition_of(tmp_path / "frus", {})
    linked = frus_with_persons(source, edition / "tei" / "frus1870.xml")
    assert linked > 300
    status, output = build(edition)
    assert status == 0, output
    site = edition / "build" / "html"
    index = html.fromstring((site / "persons" / "index.html").read_bytes())
    listed = {a.text_content().strip() for a in index.xpath("//main//a[contains(@href, 'p_')]")}
    assert {"Fish, Hamilton", "Jay, John", "Washburne, Elihu B."} <= listed
    fish = html.fromstring((site / "persons" / "p_FH1" / "index.html").read_bytes())
    assert "Secretary of State" in fish.text_content()
    documents = {a.get("href") for a in fish.xpath("//main//a[contains(@href, 'documents/frus1870-d')]")}
    assert len(documents) > 40
    first = html.fromstring((site / "documents" / "frus1870-d3" / "index.html").read_bytes())
    assert first.xpath("//a[normalize-space(.) = 'Mr. Jay']/@href") == ["../../persons/p_JJ1/"]
    assert broken_links(site) == []


def test_a_register_entry_that_takes_an_in_file_id_scopes_it_on_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a document's own entry is scoped depends on the registers: adding a register entry of its id makes
    the document processed again, and the output is the clean build's."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    from test_incremental import assert_same_as_clean, edit
    from test_incremental import build as build_once

    edition = with_registers(
        tmp_path / "ed",
        {
            "registers/persons.xml": REGISTER,
            "docs/a.xml": letter(
                "a", '<p><persName corresp="#p_A1">Anna</persName></p>', back=CLASHING.format(place="Ayr")
            ),
            "docs/b.xml": letter("b", '<p><persName ref="#stalin">Stalin</persName></p>'),
        },
    )
    build_once(edition)
    site = edition / "build" / "html"
    assert (site / "persons" / "p_A1" / "index.html").is_file()
    edit(
        edition / "tei" / "registers" / "persons.xml",
        '<person xml:id="p1">',
        '<person xml:id="p_A1"><persName>Anna of the registers</persName></person><person xml:id="p1">',
    )
    summary = build_once(edition)
    assert summary.processed == 3  # the register and both documents: b.xml its checks only, a.xml its text too
    page = html.fromstring((site / "documents" / "a" / "index.html").read_bytes())
    assert page.xpath("//a[normalize-space(.) = 'Anna']/@href") == ["../../persons/a.p_A1/"]
    assert "Smith, Anna" in (site / "persons" / "a.p_A1" / "index.html").read_text(encoding="utf-8")
    assert "Anna of the registers" in (site / "persons" / "p_A1" / "index.html").read_text(encoding="utf-8")
    assert_same_as_clean(edition)
    assert broken_links(site) == []


def test_two_documents_whose_own_lists_share_an_id_each_link_to_their_own_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TEI asks an xml:id to be unique in its file only: two documents' own lists may both declare p_A1. Each entry
    is then known by its file ('a.p_A1', 'b.p_A1'), both get pages, each file's names link to its own entry, and an
    incremental build (adding a third document that declares it too, then taking one away) is the clean build."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    from test_incremental import assert_same_as_clean
    from test_incremental import build as build_once

    edition = with_registers(
        tmp_path / "ed",
        {
            "registers/persons.xml": REGISTER,
            **clashing_lists(),
        },
    )
    status, output, errors = validation_errors(edition)
    assert status == 0 and errors == [], output
    status, output = build(edition)
    assert status == 0, output
    site = edition / "build" / "html"

    link_of = functools.partial(links_on_page, site)

    assert link_of("a", "A") == ["../../persons/a.p_A1/"]
    assert link_of("b", "B") == ["../../persons/b.p_A1/"]
    assert "of Ayr" in (site / "persons" / "a.p_A1" / "index.html").read_text(encoding="utf-8")
    assert "of Bute" in (site / "persons" / "b.p_A1" / "index.html").read_text(encoding="utf-8")
    assert not (site / "persons" / "p_A1").exists()
    assert broken_links(site) == []
    third = letter("c", '<p><persName corresp="#p_A1">C</persName></p>', CLASHING.format(place="Cork"))
    (edition / "tei" / "docs" / "c.xml").write_text(third, encoding="utf-8")
    build_once(edition)
    assert link_of("c", "C") == ["../../persons/c.p_A1/"]
    assert_same_as_clean(edition)
    # a document without a list of its own cannot tell which entry '#p_A1' means: an error, and no link
    other = letter("d", '<p><persName ref="#p_A1">D</persName></p>')
    (edition / "tei" / "docs" / "d.xml").write_text(other, encoding="utf-8")
    status, output, errors = validation_errors(edition)
    assert [(Path(d["path"]).name, d["rule"]) for d in errors] == [("d.xml", "ref-resolves")], output
    assert "own lists of" in errors[0]["message"] and "a.xml" in errors[0]["message"]
    status, output = build(edition)
    assert status == 1, output
    assert link_of("d", "D") == [] and broken_links(site) == []
    (edition / "tei" / "docs" / "b.xml").unlink()
    (edition / "tei" / "docs" / "c.xml").unlink()
    build_once(edition)  # a.xml alone declares p_A1 now: its entry takes its plain id again, and d.xml leads to it
    assert link_of("a", "A") == ["../../persons/p_A1/"]
    assert link_of("d", "D") == ["../../persons/p_A1/"]
    assert assert_same_as_clean(edition)
    assert broken_links(site) == []


def test_in_file_entries_are_in_the_pdf_index(tmp_path: Path) -> None:
    from pdf_fixture import page_texts

    edition = with_registers(
        tmp_path / "ed",
        {
            "registers/persons.xml": REGISTER,
            "docs/a.xml": letter(
                "a",
                '<p><persName corresp="#p_A1">Anna</persName> met <persName key="stalin">Stalin</persName></p>',
                back=CLASHING.format(place="Ayr"),
            ),
        },
    )
    status, output = run("build", "--keep-going", "--jobs", "1", "--config", str(edition / "edition.toml"))
    assert status == 0, output
    index = next(
        t for t in page_texts(edition / "build" / "html" / "pdf" / "edition.pdf") if t.startswith("Index of persons")
    )
    assert "Smith, Anna, of Ayr" in index and "Stalin, Joseph" in index


INCLUDED_LIST = (
    f'<listPerson xmlns="{TEI}"><person xml:id="p_A1"><persName>Anna Smith</persName>'
    "<note>Of Ayr, as the shared list has it.</note></person></listPerson>"
)


def including(doc_id: str, text: str) -> str:
    """A letter whose standOff takes the edition's shared list of persons in by XInclude."""
    stand_off = (
        '<standOff><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="../lists/persons.xml"/></standOff>'
    )
    return letter(doc_id, f'<p><persName corresp="#p_A1">{text}</persName></p>', stand_off=stand_off)


def test_a_list_that_several_documents_include_gives_one_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A list kept in a file of its own and XIncluded by several documents declares its ids once, in its own file:
    one entry, named by its plain id, with the mentions of every document that includes it (not one entry per
    including document, each known by that document's id). A document that declares the same id in a list of its
    own is another entry: then each is known by the file it is written in ('persons.p_A1', 'c.p_A1'); an
    incremental build that adds that document is the clean build."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    from test_incremental import assert_same_as_clean
    from test_incremental import build as build_once

    edition = with_registers(
        tmp_path / "ed",
        {
            "registers/persons.xml": REGISTER,
            "lists/persons.xml": INCLUDED_LIST,
            "docs/a.xml": including("a", "A"),
            "docs/b.xml": including("b", "B"),
            "docs/d.xml": letter("d", '<p><persName ref="#p_A1">D</persName></p>'),  # no list of its own
        },
    )
    status, output = run("validate", "--config", str(edition / "edition.toml"), "--format", "json")
    diagnostics = json.loads(output)["diagnostics"]
    assert status == 0 and [d for d in diagnostics if d["severity"] == "error"] == [], output
    assert not [d for d in diagnostics if "p_A1" in d["message"]], output
    status, output = build(edition)
    assert status == 0, output
    site = edition / "build" / "html"

    link_of = functools.partial(links_on_page, site)

    assert link_of("a", "A") == ["../../persons/p_A1/"]
    assert link_of("b", "B") == ["../../persons/p_A1/"]
    assert link_of("d", "D") == ["../../persons/p_A1/"]  # one entry: no doubt which is meant
    entry = html.fromstring((site / "persons" / "p_A1" / "index.html").read_bytes())
    mentioned = entry.xpath("//a[contains(@href, 'documents/')]/@href")
    assert any("documents/a/" in href for href in mentioned) and any("documents/b/" in href for href in mentioned)
    assert not list((site / "persons").glob("*.p_A1"))
    assert broken_links(site) == []
    # a document with a list of its own that declares p_A1 too: two entries, each known by its file
    (edition / "tei" / "docs" / "c.xml").write_text(
        letter("c", '<p><persName corresp="#p_A1">C</persName></p>', CLASHING.format(place="Cork")), encoding="utf-8"
    )
    status, output, errors = validation_errors(edition)
    assert [(Path(d["path"]).name, d["rule"]) for d in errors] == [("d.xml", "ref-resolves")], output
    assert "lists/persons.xml and " in errors[0]["message"] and "c.xml" in errors[0]["message"], output
    (edition / "tei" / "docs" / "d.xml").unlink()  # now that '#p_A1' may mean either
    build_once(edition)
    assert link_of("a", "A") == link_of("b", "B") == ["../../persons/persons.p_A1/"]
    assert link_of("c", "C") == ["../../persons/c.p_A1/"]
    assert "Of Ayr" in (site / "persons" / "persons.p_A1" / "index.html").read_text(encoding="utf-8")
    assert "of Cork" in (site / "persons" / "c.p_A1" / "index.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in (site / "persons").iterdir() if "p_A1" in p.name) == ["c.p_A1", "persons.p_A1"]
    assert broken_links(site) == []
    assert assert_same_as_clean(edition)


def test_a_pointer_that_names_the_file_leads_to_that_file_s_own_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'#p_A1' cannot tell which of two documents' own entries it means, but 'a.xml#p_A1' can: it leads to the entry
    of a.xml's list, known as 'a.p_A1' (or by a.xml's root id, whatever it is); when that id changes, an incremental
    build follows it as a clean build does."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    from test_incremental import assert_same_as_clean
    from test_incremental import build as build_once

    edition = with_registers(
        tmp_path / "ed",
        {
            "registers/persons.xml": REGISTER,
            **clashing_lists(),
            "docs/c.xml": letter(
                "c", '<p><persName ref="a.xml#p_A1">Ca</persName> and <persName ref="./b.xml#p_A1">Cb</persName></p>'
            ),
        },
    )
    status, output = build(edition)
    assert status == 0, output
    site = edition / "build" / "html"

    link_of = functools.partial(links_on_page, site)

    assert link_of("c", "Ca") == ["../../persons/a.p_A1/"]
    assert link_of("c", "Cb") == ["../../persons/b.p_A1/"]
    page = (site / "persons" / "a.p_A1" / "index.html").read_text(encoding="utf-8")
    assert "documents/c/" in page  # c mentions a's entry
    assert broken_links(site) == []
    source = edition / "tei" / "docs" / "a.xml"
    source.write_text(source.read_text(encoding="utf-8").replace('xml:id="a"', 'xml:id="ayr"', 1), encoding="utf-8")
    build_once(edition)
    assert link_of("c", "Ca") == ["../../persons/ayr.p_A1/"]
    assert broken_links(site) == []
    assert assert_same_as_clean(edition)


def test_a_pointer_to_an_id_outside_its_file_leads_to_the_page_that_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """'#id' resolves in its own file, then in the registers (TEI): a <ref> or <ptr> to a register entry leads to the
    entry's page, to another document's id to that document's page (at the id), not to a missing anchor of its own
    page; the EPUB keeps the words where its book has no such page. The links follow an edit that moves the id."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    import zipfile

    from test_incremental import assert_same_as_clean
    from test_incremental import build as build_once

    body = (
        '<p>See <ref target="#stalin">him</ref>, <ref target="#a">the first letter</ref>, '
        '<ref target="#a_p2">its second paragraph</ref>, <ptr target="#b_p1"/> and <ref target="#gone">this</ref>.</p>'
    )
    edition = with_registers(
        tmp_path / "ed",
        {
            "registers/persons.xml": REGISTER,
            "docs/a.xml": letter("a", '<p>One.</p><p xml:id="a_p2">Two.</p>'),
            "docs/b.xml": letter("b", body.replace("<p>", '<p xml:id="b_p1">', 1)),
        },
    )
    status, output, errors = validation_errors(edition)
    assert [e["message"].split(" in the")[0] for e in errors] == ["ref/@target '#gone' matches no xml:id"], output
    status, output = build(edition)
    assert status == 1, output
    site = edition / "build" / "html"
    page = html.fromstring((site / "documents" / "b" / "index.html").read_bytes())

    def href(text: str) -> list[str]:
        return page.xpath(f"//a[normalize-space(.) = '{text}']/@href")

    assert href("him") == ["../../persons/stalin/"]
    assert href("the first letter") == ["../../documents/a/"]
    assert href("its second paragraph") == ["../../documents/a/#a_p2"]
    assert page.xpath("//a[@href = '#b_p1']")  # an id of its own page stays an anchor
    assert page.xpath("//a[normalize-space(.) = 'this'][not(@href)]")  # an id nothing declares: no link
    other = edition / "tei" / "docs" / "b.xml"
    other.write_text(other.read_text(encoding="utf-8").replace(' and <ref target="#gone">this</ref>', ""), "utf-8")
    assert broken_links(site) == []
    with zipfile.ZipFile(site / "epub" / "documents" / "b.epub") as book:
        chapter = next(t for n in book.namelist() if ">him<" in (t := book.read(n).decode("utf-8", "replace")))
    assert 'href="#stalin"' not in chapter  # no page of the register in the book: the words stay
    source = edition / "tei" / "docs" / "a.xml"  # the paragraph's id goes to another document
    source.write_text(source.read_text(encoding="utf-8").replace(' xml:id="a_p2"', ""), encoding="utf-8")
    (edition / "tei" / "docs" / "c.xml").write_text(letter("c", '<p xml:id="a_p2">Moved.</p>'), encoding="utf-8")
    build_once(edition)
    page = html.fromstring((site / "documents" / "b" / "index.html").read_bytes())
    assert href("its second paragraph") == ["../../documents/c/#a_p2"]
    assert broken_links(site) == []
    assert assert_same_as_clean(edition)


def test_a_name_pointing_to_an_entry_nothing_declares_is_not_a_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A name whose pointer or key names no register entry and no document's own entry is an error of validation,
    and with --keep-going its words stay unlinked (not a link to a page that is not there); once the register has
    the entry, an incremental build links it, as a clean build does. A pointer to another document's own entry
    still links."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    from test_incremental import assert_same_as_clean
    from test_incremental import build as build_once

    edition = with_registers(
        tmp_path / "ed",
        {
            "registers/persons.xml": REGISTER,
            "docs/a.xml": letter(
                "a",
                '<p><persName ref="#nobody">N</persName>, <persName key="nokey">K</persName>, '
                '<persName ref="#mol">M</persName>, <persName ref="#stalin">S</persName></p>',
            ),
            "docs/b.xml": letter(
                "b",
                "<p>b</p>",
                stand_off='<standOff><listPerson><person xml:id="mol"><persName>Molotov</persName>'
                "</person></listPerson></standOff>",
            ),
        },
    )
    status, output, errors = validation_errors(edition)
    assert status == 1 and [d["rule"] for d in errors] == ["ref-resolves"], output  # '#nobody' ('nokey': a key)
    status, output = build(edition)
    assert status == 1, output
    site = edition / "build" / "html"

    link_of = functools.partial(links_on_page, site, "a")

    assert link_of("N") == [] and link_of("K") == []
    assert link_of("M") == ["../../persons/mol/"] and link_of("S") == ["../../persons/stalin/"]
    assert broken_links(site) == []
    register = edition / "tei" / "registers" / "persons.xml"
    register.write_text(
        register.read_text(encoding="utf-8").replace(
            "</listPerson>", '<person xml:id="nobody"><persName>No Body</persName></person></listPerson>'
        ),
        encoding="utf-8",
    )
    build_once(edition)
    assert link_of("N") == ["../../persons/nobody/"] and link_of("K") == []
    assert broken_links(site) == []
    assert assert_same_as_clean(edition)


def test_a_place_that_matches_nothing_is_not_offered_a_person_s_id(tmp_path: Path) -> None:
    """The suggestion for an unresolved pointer is an entry of the name's kind: a placeName is not told 'did you
    mean' a person's id; a persName still is, of a person's."""
    edition = with_registers(
        tmp_path / "ed",
        {
            "registers/persons.xml": REGISTER,
            "docs/a.xml": letter(
                "a", '<p><placeName ref="#stalln">S</placeName> <persName ref="#stalln">S</persName></p>'
            ),
        },
    )
    status, output = run("validate", "--config", str(edition / "edition.toml"), "--format", "json")
    messages = {
        d["message"].split("/")[0]: d["message"] for d in json.loads(output)["diagnostics"] if d["severity"] == "error"
    }
    assert status == 1
    assert "did you mean" not in messages["placeName"], messages
    assert "did you mean '#stalin'?" in messages["persName"], messages


def test_a_document_whose_back_holds_lists_of_several_kinds_is_offered_once(tmp_path: Path) -> None:
    """A letter whose back holds its own lists of persons and places (no register files): those lists make the
    edition's registers, and the letter's file is one download, not one per kind of list."""
    back = (
        '<listPerson><person xml:id="pa"><persName>Anna</persName></person></listPerson>'
        '<listPlace><place xml:id="pl"><placeName>Linz</placeName></place></listPlace>'
    )
    body = '<p><persName ref="#pa">Anna</persName> in <placeName ref="#pl">Linz</placeName>.</p>'
    edition = edition_of(tmp_path / "ed", {"l1.xml": letter("l1", body, back=back)})
    status, output = build(edition)
    assert status == 0, output
    site = edition / "build" / "html"
    assert sorted(p.relative_to(site / "downloads").as_posix() for p in (site / "downloads").rglob("*.xml")) == [
        "tei/l1.xml"
    ]
    assert (site / "persons" / "pa" / "index.html").is_file() and (site / "places" / "pl" / "index.html").is_file()
    assert broken_links(site) == []


def test_a_name_given_whole_and_in_its_parts_is_named_once() -> None:
    """EpiDoc's particDesc: <persName> holding <name type="full"> beside the nomen and cognomen it is made of."""
    from tei_edition.tei.registers import read_entity

    person = etree.fromstring(
        f'<person xmlns="{TEI}" xml:id="cispia"><persName><name type="full">Cispia Hilara</name>'
        '<name type="nomen">Cispia</name><name type="cognomen">Hilara</name></persName></person>'
    )
    entity = read_entity(person, "person", Path("i.xml"))
    assert entity is not None
    assert [name.text for name in entity.names] == ["Cispia Hilara"]
    assert entity.sort_name == "Hilara, Cispia"
