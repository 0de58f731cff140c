"""The RELAX NG engine: lxml validation against edition.rng, with messages rewritten for editors."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tei_edition.errors import SourceError
from tei_edition.validate.diagnostics import Diagnostic, Severity
from tei_edition.validate.grammar import WALKED_DOCUMENTS, _load, _walk_content
from tei_edition.validate.relaxng import RelaxNGValidator, element_at_path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "schema"
EDITION_RNG = REPO / "src" / "tei_edition" / "schema" / "edition.rng"
TEI_ALL = REPO / "src" / "tei_edition" / "schema" / "tei_all.rng"
SAMPLES = sorted((REPO / "tei").glob("*/*.xml"))
TEI = "{http://www.tei-c.org/ns/1.0}"
R = "{http://relaxng.org/ns/structure/1.0}"


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first occurrence of text in a file."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


@pytest.fixture(scope="module")
def rng() -> RelaxNGValidator:
    return RelaxNGValidator(EDITION_RNG)


def validate_text(rng: RelaxNGValidator, tmp_path: Path, text: str) -> list[Diagnostic]:
    path = tmp_path / "doc.xml"
    path.write_text(text, encoding="utf-8")
    return rng.validate(etree.parse(str(path)), path)


def letter_with(old: str, new: str) -> str:
    text = (DATA / "letter.xml").read_text(encoding="utf-8")
    assert old in text
    return text.replace(old, new, 1)


CASES = [
    (
        "rng-unknown-element",
        "<foo>bar</foo>",
        "<foo> is not allowed inside <p>: it is not part of the edition's schema",
    ),
    ("rng-missing-child", "<list><head>Points</head></list>", "<list> is incomplete: it needs <item> or <label>"),
    (
        "rng-bad-attribute",
        'cert="sure"',
        "<gap> has an invalid value for @cert: 'sure' (expected one of 'high', 'medium', 'low', 'unknown'; "
        "or a number)",
    ),
    ("rng-missing-attribute", "<graphic/>", "<graphic> lacks the required attribute @url"),
]


@pytest.mark.parametrize(("fixture", "marker", "message"), CASES, ids=[c[0] for c in CASES])
def test_messages_name_element_parent_and_expectation(
    rng: RelaxNGValidator, fixture: str, marker: str, message: str
) -> None:
    path = DATA / f"{fixture}.xml"
    # Exactly one diagnostic: libxml2's follow-on failures of the ancestors are dropped.
    assert rng.validate(etree.parse(str(path)), path) == [
        Diagnostic(path, line_of(path, marker), 0, Severity.ERROR, message, "schema")
    ]


@pytest.fixture(scope="module")
def tei_all() -> RelaxNGValidator:
    _load.cache_clear()
    return RelaxNGValidator(TEI_ALL)


@pytest.mark.parametrize(("fixture", "marker", "message"), CASES, ids=[c[0] for c in CASES])
def test_tei_all_messages_read_as_the_subsets_do(
    tei_all: RelaxNGValidator, fixture: str, marker: str, message: str
) -> None:
    path = DATA / f"{fixture}.xml"
    assert tei_all.validate(etree.parse(str(path)), path) == [
        Diagnostic(
            path, line_of(path, marker), 0, Severity.ERROR, message.replace("the edition's schema", "TEI All"), "schema"
        )
    ]


def test_tei_all_messages_for_attributes_order_and_text(tei_all: RelaxNGValidator, tmp_path: Path) -> None:
    [problem] = validate_text(tei_all, tmp_path, letter_with("<gap reason", '<gap colour="red" reason'))
    assert problem.message == "<gap> does not take the attribute @colour (not part of TEI All for this element)"
    assert problem.line == line_of(tmp_path / "doc.xml", 'colour="red"')
    text = letter_with("<teiHeader>", "<teiHeader-moved>")
    start, end = text.index("<teiHeader-moved>"), text.index("</teiHeader>") + len("</teiHeader>")
    [problem] = validate_text(tei_all, tmp_path, text[:start] + text[end:])
    assert problem.message == "<text> is not allowed inside <TEI> at this point; <TEI> first needs <teiHeader>"
    found = validate_text(tei_all, tmp_path, letter_with("<opener>", "Dear comrade <opener>"))
    assert [d.message for d in found] == [
        "<body> cannot contain text directly ('Dear comrade'): put it inside a child element such as <p>"
    ]
    [problem] = validate_text(tei_all, tmp_path, letter_with('<date from="1950"', '<date from="1950-13"'))
    assert problem.message.startswith("<date> has an invalid value for @from: '1950-13' (expected a date such as")
    assert "exact" not in tei_all._compiled._forms  # explained without compiling TEI All as written (9 s)


def test_valid_fixtures_pass(rng: RelaxNGValidator) -> None:
    for name in ("letter.xml", "register.xml"):
        path = DATA / name
        assert rng.validate(etree.parse(str(path)), path) == []


def test_bad_date_value_says_what_a_date_looks_like(rng: RelaxNGValidator, tmp_path: Path) -> None:
    [problem] = validate_text(rng, tmp_path, letter_with('<date from="1950"', '<date from="1950-13"'))
    assert problem.message == (
        "<date> has an invalid value for @from: '1950-13' (expected a date such as 1951, "
        "1951-08 or 1951-08-23, or a date and time such as 1951-08-23T14:30:00)"
    )


def test_attribute_the_element_does_not_take(rng: RelaxNGValidator, tmp_path: Path) -> None:
    [problem] = validate_text(rng, tmp_path, letter_with("<gap reason", '<gap colour="red" reason'))
    assert problem.message == (
        "<gap> does not take the attribute @colour (not part of the edition's schema for this element)"
    )


def test_xml_lang_is_named_with_its_prefix(rng: RelaxNGValidator, tmp_path: Path) -> None:
    [problem] = validate_text(rng, tmp_path, letter_with("<opener>", '<opener xml:lang="not a tag">'))
    assert problem.message.startswith("<opener> has an invalid value for @xml:lang: 'not a tag' (expected a language")


def test_misplaced_element_names_what_is_missing(rng: RelaxNGValidator, tmp_path: Path) -> None:
    text = letter_with("<teiHeader>", "<teiHeader-moved>")
    start, end = text.index("<teiHeader-moved>"), text.index("</teiHeader>") + len("</teiHeader>")
    [problem] = validate_text(rng, tmp_path, text[:start] + text[end:])
    assert problem.message == "<text> is not allowed inside <TEI> at this point; <TEI> first needs <teiHeader>"
    assert problem.line == line_of(tmp_path / "doc.xml", "<text>")


def test_text_where_none_is_allowed(rng: RelaxNGValidator, tmp_path: Path) -> None:
    found = validate_text(rng, tmp_path, letter_with("<opener>", "Dear comrade <opener>"))
    assert [d.message for d in found] == [
        "<body> cannot contain text directly ('Dear comrade'): put it inside a child element such as <p>"
    ]
    found = validate_text(rng, tmp_path, letter_with("<gap reason", "<lb>x</lb><gap reason"))
    assert [d.message for d in found] == ["<lb> must be empty, but it contains text ('x')"]


def test_element_from_another_namespace(rng: RelaxNGValidator, tmp_path: Path) -> None:
    [problem] = validate_text(
        rng, tmp_path, letter_with("<gap reason", '<x:note xmlns:x="urn:x">n</x:note><gap reason')
    )
    assert (
        problem.message == "<note> (namespace urn:x) is not allowed inside <p>: it is not part of the edition's schema"
    )


def test_several_problems_each_get_their_line(rng: RelaxNGValidator, tmp_path: Path) -> None:
    text = letter_with("<gap reason", "<bar/><gap reason").replace(
        '<date when="1950-10-01">1 October 1950</date></d', '<date when="soon">1 October 1950</date></d'
    )
    found = validate_text(rng, tmp_path, text)
    assert [(d.line, d.message.split(" ")[0]) for d in found] == [(37, "<date>"), (43, "<bar>")]


def test_element_at_path_follows_libxml2_paths() -> None:
    tree = etree.ElementTree(
        etree.fromstring('<a xmlns="urn:d" xmlns:x="urn:x"><b/><!-- c --><b><x:c/><x:c>2</x:c></b></a>')
    )
    assert element_at_path(tree, "/*/*[2]/x:c[2]").text == "2"
    assert element_at_path(tree, "/*/*[3]") is None and element_at_path(tree, "") is None


def test_broken_schema_is_a_source_error_with_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rng"
    bad.write_text(
        '<grammar xmlns="http://relaxng.org/ns/structure/1.0">\n  <start><ref name="missing"/></start>\n</grammar>\n',
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        RelaxNGValidator(bad)
    assert caught.value.path == bad.resolve() and "missing" in caught.value.detail
    malformed = tmp_path / "malformed.rng"
    malformed.write_text('<grammar xmlns="http://relaxng.org/ns/structure/1.0">\n<start>\n</grammar>\n')
    with pytest.raises(SourceError) as caught:
        RelaxNGValidator(malformed)
    assert caught.value.line == 3
    compact = tmp_path / "schema.rnc"
    compact.write_text("start = element a { empty }\n")
    with pytest.raises(SourceError, match="not well-formed XML"):
        RelaxNGValidator(compact)


def test_user_schema_messages_name_the_schema_file(tmp_path: Path) -> None:
    schema = tmp_path / "letters.rng"
    schema.write_text(
        """<grammar xmlns="http://relaxng.org/ns/structure/1.0" ns="urn:l"
        datatypeLibrary="http://www.w3.org/2001/XMLSchema-datatypes">
  <start><element name="letter"><attribute name="n"><data type="positiveInteger"/></attribute>
    <oneOrMore><element name="para"><text/></element></oneOrMore></element></start>
</grammar>""",
        encoding="utf-8",
    )
    validator = RelaxNGValidator(schema)
    doc = tmp_path / "l.xml"
    doc.write_text('<letter xmlns="urn:l" n="0">\n<para>a</para>\n<misc/>\n</letter>\n', encoding="utf-8")
    messages = [d.message for d in validator.validate(etree.parse(str(doc)), doc)]
    assert "<letter> has an invalid value for @n: '0' (expected a whole number (1 or more))" in messages
    assert "<misc> is not allowed inside <letter>: it is not part of the schema letters.rng" in messages


def test_grammar_is_compiled_once_per_process() -> None:
    assert RelaxNGValidator(EDITION_RNG)._compiled is RelaxNGValidator(EDITION_RNG)._compiled


# --- the grammar's forms: walked, common and exact accept the same documents -----------------------------------------


def mutations(tree: etree._ElementTree) -> list[etree._ElementTree]:
    """Copies of a document, each with one change that may or may not make it invalid: an unknown child, a wrong
    date, an element emptied, two siblings swapped, text put where only elements go, an element moved up."""
    out = []
    elements = [el for el in tree.getroot().iter() if isinstance(el.tag, str)]
    for index in range(1, len(elements), max(1, len(elements) // 12)):
        for change in range(6):
            copy = etree.ElementTree(etree.fromstring(etree.tostring(tree)))
            el = [e for e in copy.getroot().iter() if isinstance(e.tag, str)][index]
            parent = el.getparent()
            if change == 0:
                etree.SubElement(el, f"{TEI}unknownThing")
            elif change == 1:
                el.set("when", "soon")
            elif change == 2:
                for child in list(el):
                    el.remove(child)
            elif change == 3 and el.getnext() is not None:
                el.addprevious(el.getnext())
            elif change == 4:
                el.insert(0, etree.Element(f"{TEI}p"))
                el.text = "stray words"
            elif change == 5 and parent is not None and parent.getparent() is not None:
                parent.addprevious(el)
            out.append(copy)
    return out


@pytest.fixture(scope="module")
def documents() -> list[etree._ElementTree]:
    trees = [etree.parse(str(p)) for p in SAMPLES + sorted(DATA.glob("*.xml"))]
    return trees + [m for tree in trees[:4] for m in mutations(tree)]


def test_grammar_forms_accept_the_same_documents(rng: RelaxNGValidator, documents: list[etree._ElementTree]) -> None:
    grammar = rng._compiled
    walked, common, exact = grammar.form("walked"), grammar.form("common"), grammar.exact
    assert walked is not exact and common is not exact and walked is not common
    verdicts = [(exact.validate(d), walked.validate(d), common.validate(d)) for d in documents]
    assert all(e == w == c for e, w, c in verdicts)
    assert sum(1 for e, _w, _c in verdicts if e) >= len(SAMPLES)  # the sample edition is valid
    assert sum(1 for e, _w, _c in verdicts if not e) > 100  # and most mutations are not


def test_messages_do_not_depend_on_the_form_that_checked(documents: list[etree._ElementTree], tmp_path: Path) -> None:
    walking, compiled = RelaxNGValidator(EDITION_RNG), RelaxNGValidator(EDITION_RNG)
    compiled.expect(WALKED_DOCUMENTS + 1)  # past the walked documents: the common form checks
    invalid = [d for d in documents if not walking._compiled.exact.validate(d)][:40]
    for number, tree in enumerate(invalid):
        walking._checked = 0
        path = tmp_path / f"doc-{number}.xml"
        found = walking.validate(tree, path)
        assert found and found == compiled.validate(tree, path)


@pytest.mark.parametrize(("schema", "count"), [(EDITION_RNG, 30), (TEI_ALL, 5)], ids=["edition", "tei-all"])
def test_explaining_form_gives_the_messages_of_the_grammar_as_written(
    schema: Path, count: int, documents: list[etree._ElementTree], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _load.cache_clear()  # a grammar of its own: other tests compile grammars as written
    explained = RelaxNGValidator(schema)
    grammar = explained._compiled
    invalid = [d for d in documents if not grammar.form("walked").validate(d)]
    invalid = invalid[:: max(1, len(invalid) // count)][:count]  # TEI All as written takes 9 s to compile
    assert len(invalid) == count
    messages = [explained.validate(tree, tmp_path / f"doc-{n}.xml") for n, tree in enumerate(invalid)]
    assert "exact" not in grammar._forms and "explaining" in grammar._forms  # the grammar as written was not compiled
    monkeypatch.setattr(type(grammar), "explaining", lambda self, tree: self.exact)
    written = RelaxNGValidator(schema)
    assert messages == [written.validate(tree, tmp_path / f"doc-{n}.xml") for n, tree in enumerate(invalid)]
    assert all(messages)


def test_explaining_forms_are_made_once_for_the_elements_met(tmp_path: Path) -> None:
    _load.cache_clear()
    validator = RelaxNGValidator(EDITION_RNG)
    grammar = validator._compiled
    letter = etree.parse(str(DATA / "letter.xml"))
    etree.SubElement(letter.find(f".//{TEI}body"), f"{TEI}unknownThing")
    assert validator.validate(letter, tmp_path / "a.xml")
    first = grammar._forms["explaining"]
    assert "common" not in grammar._forms  # the first document: a form for its own elements only
    other = etree.ElementTree(etree.fromstring(etree.tostring(letter)))
    etree.SubElement(other.find(f".//{TEI}body"), f"{TEI}cit")  # an element the letter does not hold
    assert validator.validate(other, tmp_path / "b.xml")
    assert grammar._forms["explaining"] is not first and grammar._forms["explaining"] is grammar._forms["common"]
    assert {"cit", "unknownThing"} <= grammar._common and "p" in grammar._common
    again = grammar._forms["common"]
    assert validator.validate(letter, tmp_path / "a.xml")
    assert grammar._forms["common"] is again  # nothing made again for elements already met


def test_validator_walks_its_first_documents_then_compiles(tmp_path: Path) -> None:
    validator = RelaxNGValidator(EDITION_RNG)
    validator._checked = 0
    tree = etree.parse(str(DATA / "letter.xml"))
    for _ in range(WALKED_DOCUMENTS + 2):
        assert validator.validate(tree, DATA / "letter.xml") == []
    assert validator._checked == WALKED_DOCUMENTS + 2
    assert "common" in validator._compiled._forms


def test_large_grammar_walks_longer_before_compiling_its_common_form() -> None:
    _load.cache_clear()
    assert RelaxNGValidator(EDITION_RNG)._compiled.walked_documents == WALKED_DOCUMENTS
    tei_all = RelaxNGValidator(TEI_ALL)
    assert tei_all._compiled.walked_documents > WALKED_DOCUMENTS
    tei_all.expect(WALKED_DOCUMENTS * 2)
    assert "common" not in tei_all._compiled._forms  # 2 s of compiling would not be won back on 96 documents


def test_walked_form_marks_every_content_but_the_compiled_ones() -> None:
    root = etree.parse(str(EDITION_RNG)).getroot()
    walked = _walk_content(root, frozenset({"p"})).getroot()
    marked = {
        el.get("name")
        for el in walked.iter(R + "element")
        if any(r.get("name") == "tei-edition.walked" for r in el.findall(f"{R}choice/{R}ref"))
    }
    assert "p" not in marked and {"TEI", "persName", "div"} <= marked
    assert len(marked) == len(list(walked.iter(R + "element"))) - 1
    assert walked.find(f"{R}define[@name='tei-edition.walked']/{R}notAllowed") is not None
    assert len(root.findall(f"{R}define")) + 1 == len(walked.findall(f"{R}define"))  # the original is untouched


def test_grammar_without_a_grammar_root_is_used_as_written(tmp_path: Path) -> None:
    schema = tmp_path / "simple.rng"
    schema.write_text(
        '<element name="letter" xmlns="http://relaxng.org/ns/structure/1.0" ns="urn:l">'
        '<zeroOrMore><element name="para"><text/></element></zeroOrMore></element>',
        encoding="utf-8",
    )
    validator = RelaxNGValidator(schema)
    assert validator._compiled.form("walked") is validator._compiled.exact
    doc = tmp_path / "l.xml"
    doc.write_text('<letter xmlns="urn:l"><para>a</para><x/></letter>', encoding="utf-8")
    assert [d.message for d in validator.validate(etree.parse(str(doc)), doc)] == [
        "<x> is not allowed inside <letter>: it is not part of the schema simple.rng"
    ]


def test_grammar_that_includes_another_is_walked_with_it(tmp_path: Path) -> None:
    (tmp_path / "parts.rng").write_text(
        '<grammar xmlns="http://relaxng.org/ns/structure/1.0" ns="urn:l">'
        '<define name="para"><element name="para"><text/></element></define>'
        "</grammar>",
        encoding="utf-8",
    )
    schema = tmp_path / "letters.rng"
    schema.write_text(
        '<grammar xmlns="http://relaxng.org/ns/structure/1.0" ns="urn:l"><include href="parts.rng"/>'
        '<start><element name="letter"><oneOrMore><ref name="para"/></oneOrMore></element></start>'
        "</grammar>",
        encoding="utf-8",
    )
    validator = RelaxNGValidator(schema)
    doc = tmp_path / "l.xml"
    doc.write_text('<letter xmlns="urn:l"><para>a</para></letter>', encoding="utf-8")
    assert validator.validate(etree.parse(str(doc)), doc) == []
    assert "exact" not in validator._compiled._forms  # the included file was found from the walked form too
    doc.write_text('<letter xmlns="urn:l"><para>a</para><x/></letter>', encoding="utf-8")
    assert [d.message for d in validator.validate(etree.parse(str(doc)), doc)] == [
        "<x> is not allowed inside <letter>: it is not part of the schema letters.rng"
    ]


def test_tei_all_is_checked_without_compiling_its_content_models() -> None:
    _load.cache_clear()
    validator = RelaxNGValidator(TEI_ALL)
    assert "exact" not in validator._compiled._forms  # TEI All's exact form takes seconds to compile
    for path in SAMPLES:
        assert validator.validate(etree.parse(str(path)), path) == []
    assert "exact" not in validator._compiled._forms


ELTEC_LIKE = """<TEI xmlns="http://www.tei-c.org/ns/1.0" xmlns:frus="urn:frus">
<teiHeader><fileDesc><titleStmt><title>T</title></titleStmt><publicationStmt><p>p</p></publicationStmt>
<sourceDesc><p>s</p></sourceDesc></fileDesc>
<profileDesc><textDesc><size xmlns="http://distantreading.net/eltec/ns" key="short"/></textDesc></profileDesc>
</teiHeader>
<text><body><div type="document" frus:doc-dateTime-min="1870-08-08T00:00:00-05:00"><p>Text</p>{extra}</div>
</body></text></TEI>"""


def test_tei_all_sets_aside_other_namespaces_with_a_warning(tei_all: RelaxNGValidator, tmp_path: Path) -> None:
    [notice] = validate_text(tei_all, tmp_path, ELTEC_LIKE.format(extra=""))
    assert notice.severity is Severity.WARNING and notice.rule == "foreign-namespace"
    assert notice.line == 4
    assert "1 element(s), 1 attribute(s) of other namespaces" in notice.message
    assert "http://distantreading.net/eltec/ns" in notice.message and "urn:frus" in notice.message


def test_tei_all_still_reports_the_tei_faults_beside_them(tei_all: RelaxNGValidator, tmp_path: Path) -> None:
    found = validate_text(tei_all, tmp_path, ELTEC_LIKE.format(extra="<bogus/>"))
    assert [d.rule for d in found] == ["foreign-namespace", "schema"]
    assert found[1].severity is Severity.ERROR and found[1].line == 6 and "<bogus>" in found[1].message


def test_an_editions_own_schema_counts_every_element(tmp_path: Path) -> None:
    own = tmp_path / "own.rng"
    own.write_bytes(TEI_ALL.read_bytes())
    found = validate_text(RelaxNGValidator(own), tmp_path, ELTEC_LIKE.format(extra=""))
    assert found and all(d.severity is Severity.ERROR and d.rule == "schema" for d in found)


WITH_EXAMPLE = """<TEI xmlns="http://www.tei-c.org/ns/1.0">
<teiHeader><fileDesc><titleStmt><title>T</title></titleStmt><publicationStmt><p>p</p></publicationStmt>
<sourceDesc><p>s</p></sourceDesc></fileDesc></teiHeader>
<text><body><div><p>An example:</p>
<egXML xmlns="http://www.tei-c.org/ns/Examples"><p>x <foo xmlns="urn:x" a="1"/></p></egXML>{extra}</div>
</body></text></TEI>"""


def test_other_namespaces_where_tei_takes_them_need_no_warning(tei_all: RelaxNGValidator, tmp_path: Path) -> None:
    # An example's markup (egXML, and whatever it holds) is part of TEI: the file is valid as it is.
    assert validate_text(tei_all, tmp_path, WITH_EXAMPLE.format(extra="")) == []
    # Beside a project's own attribute elsewhere, it is set aside with the rest, and the warning says so.
    [notice] = validate_text(tei_all, tmp_path, WITH_EXAMPLE.format(extra='<p xmlns:f="urn:f" f:x="1">y</p>'))
    assert notice.rule == "foreign-namespace" and notice.line == 5
    assert "http://www.tei-c.org/ns/Examples" in notice.message and "urn:f" in notice.message


def test_a_child_refused_for_a_fault_inside_it_is_not_reported_again(tei_all: RelaxNGValidator, tmp_path: Path) -> None:
    """libxml2 also says the listPlace 'has extra content: place' when the second place holds an idno with an empty
    @subtype: the fault inside is the one to fix, and the only one reported."""
    doc = (
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T</title></titleStmt>'
        "<publicationStmt><p>p</p></publicationStmt><sourceDesc><p>s</p></sourceDesc></fileDesc></teiHeader>"
        "<text><body><p>x</p></body><back><listPlace>\n"
        '<place xml:id="a"><placeName>Brünn</placeName></place>\n'
        '<place xml:id="b"><placeName>Wien</placeName>\n<idno type="URL" subtype="">http://x.org/1</idno></place>'
        "</listPlace></back></text></TEI>"
    )
    found = validate_text(tei_all, tmp_path, doc)
    assert [(d.line, d.rule) for d in found] == [(4, "schema")], [d.message for d in found]
    assert "@subtype" in found[0].message
