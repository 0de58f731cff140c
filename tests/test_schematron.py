"""The Schematron engine (our .sch -> XSLT 3.0 compiler on Saxon) and the rules of edition.sch."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from tei_edition.errors import SourceError
from tei_edition.validate.diagnostics import Diagnostic, Severity
from tei_edition.validate.schematron import SchematronValidator

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data" / "schema"
EDITION_SCH = REPO / "src" / "tei_edition" / "schema" / "edition.sch"
SAMPLE_FILES = sorted((REPO / "tei").glob("*/*.xml"))


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the first occurrence of text in a file."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def check(path: Path, sch: Path = EDITION_SCH, params: dict[str, str] | None = None) -> list[Diagnostic]:
    return SchematronValidator(sch).validate(etree.parse(str(path)), path, params)


@pytest.fixture(scope="module")
def edition_sch() -> SchematronValidator:
    return SchematronValidator(EDITION_SCH)


# --- edition.sch, one fixture per rule ----------------------------------------------------------------------------

RULE_CASES = [
    (
        "date-format",
        Severity.ERROR,
        'when="1951-02-30"',
        "date/@when '1951-02-30' is not a valid date: there is no such day or time (expected a W3C date or time "
        "such as 1951, 1951-08, 1951-08-23, -0323 (323 BCE), 1951-08-23T13:00:00, 13:00:00 or --08-23)",
    ),
    (
        "date-order",
        Severity.ERROR,
        'from="1950-11"',
        "date: @from '1950-11' is later than @to '1950-10-31' (a range must start before it ends)",
    ),
    (
        "date-order-vague",
        Severity.ERROR,
        'notBefore="1950-09-30T12:00:00"',
        "date: @notBefore '1950-09-30T12:00:00' is later than @notAfter '1950-09-30T08:00:00' "
        "(the earliest possible date must come before the latest)",
    ),
    (
        "name-ref",
        Severity.WARNING,
        "<persName>Mao Zedong</persName>",
        '<persName>Mao Zedong</persName> has no @ref: link it to its entry in the register with ref="#id"',
    ),
    (
        "title",
        Severity.WARNING,
        "<titleStmt>",
        "the header has no title: <titleStmt> needs a <title> with text, which is how the document is cited",
    ),
    (
        "source",
        Severity.WARNING,
        "<sourceDesc>",
        "the header does not say where the text comes from: <sourceDesc> needs a <bibl>, <biblStruct>, <msDesc>, "
        "<listBibl> or <listWit> describing the source (or a <p> saying what it is)",
    ),
    (
        "licence",
        Severity.WARNING,
        "<publicationStmt>",
        "the header states no licence: <publicationStmt> needs <availability> with a <licence> "
        "(or a <p> stating the terms of use)",
    ),
    (
        "choice-pair",
        Severity.WARNING,
        "<choice><sic>straggle</sic><reg>",
        "<choice> pairs elements that do not belong together: it holds <sic> and <reg>, expected a pair such as "
        "<sic> with <corr>, <abbr> with <expan> or <orig> with <reg>",
    ),
    (
        "gap-reason",
        Severity.WARNING,
        "<gap/>",
        '<gap> without @reason: say why the text is missing (e.g. reason="illegible" or reason="not-in-excerpt")',
    ),
    (
        "date-value",
        Severity.WARNING,
        "<date>in September</date>",
        "<date>in September</date> has no normalised value: add @when (or @from/@to, @notBefore/@notAfter)",
    ),
    (
        "pointer-empty",
        Severity.ERROR,
        'ref="#"',
        "placeName/@ref '#' points nowhere: give the identifier after # (e.g. #stalin) or remove the attribute",
    ),
]


@pytest.mark.parametrize(("fixture", "severity", "marker", "message"), RULE_CASES, ids=[c[0] for c in RULE_CASES])
def test_each_rule_reports_file_line_and_message(
    edition_sch: SchematronValidator, fixture: str, severity: Severity, marker: str, message: str
) -> None:
    path = DATA / f"{fixture}.xml"
    found = edition_sch.validate(etree.parse(str(path)), path)
    rule = "date-order" if fixture == "date-order-vague" else fixture
    assert found == [Diagnostic(path, line_of(path, marker), 0, severity, message, rule)]


def test_the_valid_letter_and_register_pass(edition_sch: SchematronValidator) -> None:
    for name in ("letter.xml", "register.xml"):
        path = DATA / name
        assert edition_sch.validate(etree.parse(str(path)), path) == []


def test_partial_dates_compare_by_their_common_precision(edition_sch: SchematronValidator, tmp_path: Path) -> None:
    text = (DATA / "letter.xml").read_text(encoding="utf-8")
    ok = text.replace('from="1950" to="1950-10-01"', 'from="1950-10-01" to="1950"')
    bad = text.replace('from="1950" to="1950-10-01"', 'from="1951" to="1950-12-31"')
    for name, content in (("ok.xml", ok), ("bad.xml", bad)):
        (tmp_path / name).write_text(content, encoding="utf-8")
    assert edition_sch.validate(etree.parse(str(tmp_path / "ok.xml")), tmp_path / "ok.xml") == []
    [problem] = edition_sch.validate(etree.parse(str(tmp_path / "bad.xml")), tmp_path / "bad.xml")
    assert problem.rule == "date-order" and "'1951' is later than @to '1950-12-31'" in problem.message


def test_page_ranges_are_not_taken_for_dates(edition_sch: SchematronValidator, tmp_path: Path) -> None:
    text = (
        (DATA / "letter.xml")
        .read_text(encoding="utf-8")
        .replace("</bibl>", '<biblScope unit="page" from="912" to="914">912-914</biblScope></bibl>')
    )
    path = tmp_path / "pages.xml"
    path.write_text(text, encoding="utf-8")
    assert edition_sch.validate(etree.parse(str(path)), path) == []


def test_register_names_need_no_ref_but_the_register_needs_title_and_licence(
    edition_sch: SchematronValidator, tmp_path: Path
) -> None:
    text = (DATA / "register.xml").read_text(encoding="utf-8").replace("<title>Register of persons</title>", "<title/>")
    path = tmp_path / "persons.xml"
    path.write_text(text, encoding="utf-8")
    assert [d.rule for d in edition_sch.validate(etree.parse(str(path)), path)] == ["title"]


def test_a_list_of_witnesses_says_where_the_text_comes_from(edition_sch: SchematronValidator, tmp_path: Path) -> None:
    path = tmp_path / "letter.xml"
    path.write_text(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>L</title></titleStmt>'
        "<publicationStmt><availability><licence>CC0</licence></availability></publicationStmt><sourceDesc>"
        "<listWit><witness><msDesc><msIdentifier><idno>1</idno></msIdentifier></msDesc></witness></listWit>"
        "</sourceDesc></fileDesc></teiHeader><text><body><p>x</p></body></text></TEI>",
        encoding="utf-8",
    )
    assert "source" not in [d.rule for d in edition_sch.validate(etree.parse(str(path)), path)]
    path.write_text(path.read_text(encoding="utf-8").replace("listWit", "list"), encoding="utf-8")
    assert "source" in [d.rule for d in edition_sch.validate(etree.parse(str(path)), path)]


@pytest.mark.skipif(not any((REPO / "tei" / "documents").glob("*.xml")), reason="tei/documents is still empty")
@pytest.mark.parametrize("path", SAMPLE_FILES, ids=[p.name for p in SAMPLE_FILES])
def test_sample_edition_has_no_schematron_errors(edition_sch: SchematronValidator, path: Path) -> None:
    errors = [d for d in edition_sch.validate(etree.parse(str(path)), path) if d.severity is Severity.ERROR]
    assert errors == []


# --- the compiler ---------------------------------------------------------------------------------------------

USER_SCH = """<?xml version="1.0" encoding="UTF-8"?>
<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">
  <ns prefix="tei" uri="http://www.tei-c.org/ns/1.0"/>
  <let name="earliest" value="'1900-01-01'"/>
  <pattern id="p1">
    <rule context="tei:date[@when]">
      <let name="d" value="string(@when)"/>
      <assert id="full-date" role="warning"
              test="matches($d, '^\\d{4}-\\d{2}-\\d{2}$')"><name/> '<value-of select="$d"/>' is not a full date</assert>
      <report id="too-early"
              test="$d castable as xs:date and xs:date($d) lt xs:date($earliest)">date <value-of
              select="$d"/> is before <value-of select="$earliest"/></report>
    </rule>
    <rule context="tei:date">
      <report id="shadowed" test="true()">a date without @when</report>
    </rule>
  </pattern>
  <pattern id="p2">
    <rule context="tei:date">
      <report id="every-date" role="info" test="true()">date seen</report>
    </rule>
  </pattern>
</schema>
"""

USER_DOC = """<TEI xmlns="http://www.tei-c.org/ns/1.0">
  <text>
    <body>
      <!-- a comment, which does not count as a child element -->
      <p>One <date when="1950">year</date>.</p>
      <p>Two <date when="1850-03-01">day</date> and <date>none</date>.</p>
    </body>
  </text>
</TEI>
"""


@pytest.fixture
def user_files(tmp_path: Path) -> tuple[Path, Path]:
    sch, doc = tmp_path / "user.sch", tmp_path / "doc.xml"
    sch.write_text(USER_SCH, encoding="utf-8")
    doc.write_text(USER_DOC, encoding="utf-8")
    return sch, doc


def test_xpath2_schema_reports_lines_roles_and_first_matching_rule(user_files: tuple[Path, Path]) -> None:
    sch, doc = user_files
    found = {(d.line, d.rule, d.severity, d.message) for d in check(doc, sch)}
    assert found == {
        (5, "full-date", Severity.WARNING, "date '1950' is not a full date"),
        (5, "every-date", Severity.WARNING, "date seen"),
        (6, "too-early", Severity.ERROR, "date 1850-03-01 is before 1900-01-01"),
        (6, "every-date", Severity.WARNING, "date seen"),
        (6, "shadowed", Severity.ERROR, "a date without @when"),
    }
    assert len(check(doc, sch)) == 6  # every-date fires for each of the three dates


def test_global_let_is_a_parameter(user_files: tuple[Path, Path]) -> None:
    sch, doc = user_files
    rules = [d.rule for d in check(doc, sch, params={"earliest": "1800-01-01"})]
    assert "too-early" not in rules and "full-date" in rules


def test_abstract_rules_attribute_context_diagnostics_and_phase(tmp_path: Path) -> None:
    sch = tmp_path / "abstract.sch"
    sch.write_text(
        """<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt3" defaultPhase="names">
  <ns prefix="tei" uri="http://www.tei-c.org/ns/1.0"/>
  <phase id="names"><active pattern="refs"/></phase>
  <pattern id="refs">
    <rule abstract="true" id="linked">
      <assert id="needs-ref" test="@ref" diagnostics="how">&lt;<name/>&gt; is not linked.</assert>
    </rule>
    <rule context="tei:persName"><extends rule="linked"/></rule>
    <rule context="tei:date/@when">
      <report id="when-seen" role="warning" test="true()">@<name/> on line of its element</report>
    </rule>
  </pattern>
  <pattern id="inactive">
    <rule context="tei:*"><report id="never" test="true()">inactive pattern ran</report></rule>
  </pattern>
  <diagnostics><diagnostic id="how">Add ref="#id".</diagnostic></diagnostics>
</schema>""",
        encoding="utf-8",
    )
    doc = tmp_path / "doc.xml"
    doc.write_text(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0">\n<text><body>\n'
        '<p><persName>A</persName></p>\n<p><date when="1950">x</date></p>\n</body></text></TEI>\n',
        encoding="utf-8",
    )
    found = sorted((d.line, d.rule, d.message) for d in check(doc, sch))
    assert found == [
        (3, "needs-ref", '<persName> is not linked. Add ref="#id".'),
        (4, "when-seen", "@when on line of its element"),
    ]


def test_xpath1_binding_runs_in_compatibility_mode(tmp_path: Path) -> None:
    sch = tmp_path / "x1.sch"
    sch.write_text(
        """<schema xmlns="http://purl.oclc.org/dsdl/schematron">
  <ns prefix="tei" uri="http://www.tei-c.org/ns/1.0"/>
  <pattern><rule context="tei:p">
    <assert id="first-hi" test="tei:hi + 1 = 2">first hi is not 1</assert>
  </rule></pattern></schema>""",
        encoding="utf-8",
    )
    doc = tmp_path / "doc.xml"
    doc.write_text(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><p><hi>1</hi><hi>2</hi></p></body></text></TEI>',
        encoding="utf-8",
    )
    # XPath 1.0 takes the first <hi>; XPath 2.0 would refuse arithmetic on two nodes.
    assert check(doc, sch) == []
    sch.write_text(sch.read_text().replace("<schema ", '<schema queryBinding="xslt2" '), encoding="utf-8")
    assert [d.rule for d in check(doc, sch)] == ["schematron"]


def test_bad_xpath_is_a_source_error_at_the_assert_line(tmp_path: Path) -> None:
    sch = tmp_path / "broken.sch"
    sch.write_text(
        """<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">
  <ns prefix="tei" uri="http://www.tei-c.org/ns/1.0"/>
  <pattern>
    <rule context="tei:p">
      <assert test="true()">fine</assert>
      <assert id="broken" test="count(tei:hi">broken</assert>
    </rule>
  </pattern>
</schema>""",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        SchematronValidator(sch)
    assert caught.value.path == sch.resolve() and caught.value.line == 6
    assert "assert/@test 'count(tei:hi'" in caught.value.detail and "XPST0003" in caught.value.detail


def test_undeclared_prefix_in_context_names_the_rule_line(tmp_path: Path) -> None:
    sch = tmp_path / "prefix.sch"
    sch.write_text(
        """<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">
  <pattern>
    <rule context="x:p">
      <assert test="true()">fine</assert>
    </rule>
  </pattern>
</schema>""",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        SchematronValidator(sch)
    assert caught.value.line == 3 and "rule/@context 'x:p'" in caught.value.detail


def test_malformed_schema_and_unsupported_binding(tmp_path: Path) -> None:
    broken = tmp_path / "malformed.sch"
    broken.write_text('<schema xmlns="http://purl.oclc.org/dsdl/schematron">\n<pattern>\n</schema>\n')
    with pytest.raises(SourceError) as caught:
        SchematronValidator(broken)
    assert caught.value.line == 3 and "not well-formed" in caught.value.detail
    other = tmp_path / "xquery.sch"
    other.write_text('<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xquery"/>')
    with pytest.raises(SourceError, match="queryBinding 'xquery' is not supported"):
        SchematronValidator(other)


def test_abstract_pattern_param_without_name_is_a_source_error(tmp_path: Path) -> None:
    sch = tmp_path / "param.sch"
    sch.write_text(
        """<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">
  <ns prefix="tei" uri="http://www.tei-c.org/ns/1.0"/>
  <pattern abstract="true" id="needs">
    <rule context="$element"><assert test="@ref">no ref</assert></rule>
  </pattern>
  <pattern is-a="needs" id="persons">
    <param value="tei:persName"/>
  </pattern>
</schema>""",
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        SchematronValidator(sch)
    assert caught.value.line == 7 and caught.value.detail == "<param> needs a @name"


def test_rule_that_fails_at_run_time_becomes_a_diagnostic(tmp_path: Path) -> None:
    sch = tmp_path / "cast.sch"
    sch.write_text(
        """<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">
  <ns prefix="tei" uri="http://www.tei-c.org/ns/1.0"/>
  <pattern><rule context="tei:date">
    <assert test="xs:date(@when) gt xs:date('1900-01-01')">too early</assert>
  </rule></pattern></schema>""",
        encoding="utf-8",
    )
    doc = tmp_path / "doc.xml"
    doc.write_text(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body><p><date when="1951-02-30"/></p></body></text></TEI>',
        encoding="utf-8",
    )
    [problem] = check(doc, sch)
    assert problem.rule == "schematron" and problem.severity is Severity.ERROR
    assert "could not be evaluated" in problem.message and "1951-02-30" in problem.message
    assert f"{sch.resolve()}:4, assert/@test" in problem.message  # the rule's line in the .sch


def test_compiled_once_and_recompiled_when_the_file_changes(user_files: tuple[Path, Path]) -> None:
    sch, doc = user_files
    first = SchematronValidator(sch)
    assert SchematronValidator(sch)._compiled is first._compiled
    sch.write_text(USER_SCH.replace("is not a full date", "is partial"), encoding="utf-8")
    import os

    stat = sch.stat()
    os.utime(sch, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    messages = [d.message for d in SchematronValidator(sch).validate(etree.parse(str(doc)), doc)]
    assert "date '1950' is partial" in messages


# --- the walk and the shared Saxon tree -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("contexts", "walk"),
    [
        (["tei:choice", "tei:teiHeader/tei:fileDesc/tei:titleStmt"], "*"),
        (["tei:*[self::tei:persName or ancestor::tei:text][not(@ref = 'x(y)')]"], "*"),
        (["tei:*[not(local-name() = $not-dates)]/@from", "tei:*/@when"], "@*|*"),
        (["@ref | @target"], "@*|*"),
        (["attribute::ref"], "@*|*"),
        (["tei:p/text()"], "@*|node()"),
        (["tei:p", "processing-instruction('xml-model')"], "@*|node()"),
        (["node()"], "@*|node()"),
        (["$nodes"], "@*|node()"),
        (["key('k', 'v')"], "@*|node()"),
        ([".[. instance of text()]"], "@*|node()"),
    ],
)
def test_the_walk_skips_only_the_nodes_no_rule_can_match(contexts: list[str], walk: str) -> None:
    from tei_edition.validate.schematron_compile import traversal

    assert traversal(contexts) == walk


TEXT_SCH = """<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt3">
  <ns prefix="tei" uri="http://www.tei-c.org/ns/1.0"/>
  <pattern><rule context="tei:p/text()[contains(., 'TODO')]">
    <report id="todo" test="true()">a TODO is left in the text</report></rule></pattern>
  <pattern><rule context="processing-instruction('todo')">
    <report id="todo-pi" test="true()">a todo instruction is left</report></rule></pattern>
  <pattern><rule context="tei:p"><report id="p" test="@rend">p with rend</report></rule></pattern>
</schema>
"""


def test_rules_on_text_and_instructions_still_fire(tmp_path: Path) -> None:
    sch = tmp_path / "text.sch"
    sch.write_text(TEXT_SCH, encoding="utf-8")
    doc = tmp_path / "doc.xml"
    doc.write_text(
        '<?todo before the root?>\n<TEI xmlns="http://www.tei-c.org/ns/1.0">\n<text><body>\n'
        '<p rend="x">TODO check</p>\n</body></text></TEI>\n',
        encoding="utf-8",
    )
    assert [(d.rule, d.line) for d in check(doc, sch)] == [("todo", 4), ("todo-pi", 2), ("p", 4)]


def test_a_prepared_tree_gives_the_same_report(tmp_path: Path) -> None:
    from tei_edition.saxon import prepare_document

    sch = tmp_path / "text.sch"
    sch.write_text(TEXT_SCH, encoding="utf-8")
    validator = SchematronValidator(sch)
    alone = tmp_path / "alone.xml"
    alone.write_text(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body>\n<p rend="x">TODO</p>\n</body></text></TEI>',
        encoding="utf-8",
    )
    tree = etree.parse(str(alone))
    report = [(d.rule, d.line, d.message) for d in validator.validate(tree, alone)]
    assert report == [("todo", 2, "a TODO is left in the text"), ("p", 2, "p with rend")]
    assert [
        (d.rule, d.line, d.message) for d in validator.validate(tree, alone, prepared=prepare_document(tree))
    ] == report
    # An instruction before the root is not in the prepared tree (the root element only): the whole file is used.
    with_pi = tmp_path / "pi.xml"
    with_pi.write_text("<?todo?>\n" + alone.read_text(encoding="utf-8"), encoding="utf-8")
    tree = etree.parse(str(with_pi))
    assert [d.rule for d in validator.validate(tree, with_pi, prepared=prepare_document(tree))] == [
        "todo",
        "todo-pi",
        "p",
    ]


def test_a_prepared_tree_is_not_used_where_the_doctype_gives_attribute_defaults(
    edition_sch: SchematronValidator, tmp_path: Path
) -> None:
    from tei_edition.saxon import prepare_document

    doc = tmp_path / "defaults.xml"
    doc.write_text(
        '<!DOCTYPE TEI [<!ATTLIST persName ref CDATA "#someone">]>\n'
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body>\n'
        '<p><persName xmlns="http://www.tei-c.org/ns/1.0">Anna</persName></p>\n'
        "</body></text></TEI>\n",
        encoding="utf-8",
    )
    tree = etree.parse(str(doc), etree.XMLParser(load_dtd=False, resolve_entities=False))
    alone = [d.rule for d in edition_sch.validate(tree, doc)]
    assert alone == []  # Saxon applies the default @ref when it parses the whole file
    assert [d.rule for d in edition_sch.validate(tree, doc, prepared=prepare_document(tree))] == alone


def test_a_prepared_tree_serves_a_schema_that_cannot_see_outside_the_root(tmp_path: Path) -> None:
    from tei_edition import saxon

    sch = tmp_path / "names.sch"
    sch.write_text(
        TEXT_SCH.split('  <pattern><rule context="processing-instruction')[0]
        + TEXT_SCH.split("a todo instruction is left</report></rule></pattern>\n")[1],
        encoding="utf-8",
    )
    validator = SchematronValidator(sch)
    doc = tmp_path / "pi.xml"
    doc.write_text(
        '<?xml-model href="x.rng"?>\n<TEI xmlns="http://www.tei-c.org/ns/1.0"><text><body>\n'
        '<p rend="x">TODO</p>\n</body></text></TEI>',
        encoding="utf-8",
    )
    tree = etree.parse(str(doc))
    prepared = saxon.prepare_document(tree)
    calls: list[str] = []
    processor = saxon.saxon_processor()

    class Counting:
        def __getattr__(self, name: str) -> object:
            if name == "parse_xml":
                calls.append(name)
            return getattr(processor, name)

    import tei_edition.validate.schematron as schematron

    original = schematron._saxon
    schematron._saxon = lambda: Counting()  # type: ignore[assignment]
    try:
        report = [(d.rule, d.line) for d in validator.validate(tree, doc, prepared=prepared)]
    finally:
        schematron._saxon = original
    assert report == [("todo", 3), ("p", 3)] and calls == []


@pytest.mark.parametrize("link", ['corresp="#p_JAY1"', 'key="jay"', 'sameAs="#jay"', 'ref="#jay"'])
def test_a_name_linked_the_way_projects_link_names_is_not_reported(
    edition_sch: SchematronValidator, tmp_path: Path, link: str
) -> None:
    """name-ref: FRUS links persons by @corresp, others by @key or @sameAs; any of these is a link."""
    path = tmp_path / "doc.xml"
    path.write_text(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>T</title></titleStmt>'
        "<publicationStmt><availability><licence>CC0</licence></availability></publicationStmt>"
        f"<sourceDesc><p>s</p></sourceDesc></fileDesc></teiHeader><text><body><p><persName {link}>Mr. Jay</persName>"
        "<persName>Mr. Fish</persName></p></body></text></TEI>",
        encoding="utf-8",
    )
    found = [d for d in edition_sch.validate(etree.parse(str(path)), path) if d.rule == "name-ref"]
    assert [d.message.split(">")[1].split("<")[0] for d in found] == ["Mr. Fish"]


def test_a_date_in_a_running_head_needs_no_normalised_value(tmp_path: Path) -> None:
    """A running head's date range ('1879: XII 25 - XII 30') is the page's, not a date of the text: not asked
    for @when, as a date of the text is."""
    doc = tmp_path / "d.xml"
    doc.write_text(
        '<TEI xmlns="http://www.tei-c.org/ns/1.0"><teiHeader><fileDesc><titleStmt><title>t</title></titleStmt>'
        "<publicationStmt><p>p</p></publicationStmt><sourceDesc><p>s</p></sourceDesc></fileDesc></teiHeader>"
        '<text><body><p>und ich <pb n="16"/><fw type="header"><date type="range">1879: XII 25 - XII 30</date></fw>'
        " fuhr fort am <date>Weihnachtstag</date></p></body></text></TEI>",
        encoding="utf-8",
    )
    found = [d for d in check(doc) if d.rule == "date-value"]
    assert [d.message.split("</date>")[0] for d in found] == ["<date>Weihnachtstag"]
