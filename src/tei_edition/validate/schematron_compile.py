"""ISO Schematron compiled to an XSLT 3.0 stylesheet for Saxon: includes resolved, abstract patterns instantiated,
lets and functions carried over, each assert/report turned into a record for schematron.py to map to a diagnostic.

The generated stylesheet walks the document once per pattern (each pattern is a mode; within a pattern the first
rule whose context matches a node fires, by template priority). Every failed assert and successful report emits a
small record: which assert, the location of the context node as 1-based child-element positions from the root
("1/2/1/3"), the attribute name when the context is an attribute, and the message.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from saxonche import PySaxonApiError, PySaxonProcessor, PyXsltExecutable

from tei_edition.errors import SourceError
from tei_edition.tei.parse import line_of
from tei_edition.validate.diagnostics import Severity

SCH_NS = "http://purl.oclc.org/dsdl/schematron"
XSL_NS = "http://www.w3.org/1999/XSL/Transform"
XS_NS = "http://www.w3.org/2001/XMLSchema"
# Namespace of the records and helper functions of the generated stylesheet (never seen by users).
OUT_NS = "urn:x-tei-edition:schematron-report"

S = f"{{{SCH_NS}}}"
X = f"{{{XSL_NS}}}"
OUT = f"{{{OUT_NS}}}"

SUPPORTED_BINDINGS = ("xslt", "xslt2", "xslt3")
WARNING_ROLES = frozenset({"warning", "warn", "info", "information", "caution", "hint", "nonfatal"})
_MAX_INCLUDE_DEPTH = 10


@dataclass(frozen=True)
class _Check:
    """What the validator needs to know about one assert/report when it fires."""

    rule_id: str
    severity: Severity
    sch_line: int


@dataclass(frozen=True, order=True)
class _Origin:
    """Where an instruction of the generated stylesheet comes from in the .sch file."""

    stylesheet_line: int
    sch_line: int
    what: str  # e.g. "assert/@test"
    expression: str


@dataclass(frozen=True)
class _CompiledSchema:
    executable: PyXsltExecutable  # not thread-safe: one per process
    checks: tuple[_Check, ...]
    line_map: tuple[_Origin, ...]  # sorted by stylesheet line
    # False when no expression of the schema can see the comments and processing instructions around the root
    # element (it names no node(), comment() or processing-instruction()): the root element alone then gives the
    # same report as the whole file.
    sees_outside_root: bool = True


_OUTSIDE_ROOT = re.compile(r"node\s*\(|comment\s*\(|processing-instruction\s*\(")


def _saxon() -> PySaxonProcessor:
    """The one Saxon processor of this process (shared with the XSLT runner, with the same parser limits)."""
    from tei_edition.saxon import saxon_processor

    return saxon_processor()


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def severity_for_role(role: str | None) -> Severity:
    """Map a Schematron @role/@flag value to a severity (errors unless the role says otherwise)."""
    return Severity.WARNING if role and role.strip().lower() in WARNING_ROLES else Severity.ERROR


_LITERAL_OR_COMMENT = re.compile(r"'[^']*'|\"[^\"]*\"|\(:.*?:\)", re.S)


def _without_predicates(expression: str) -> str:
    """An XPath pattern with its string literals, comments and [predicates] removed (what is left are its steps)."""
    text = _LITERAL_OR_COMMENT.sub(" ", expression)
    out: list[str] = []
    depth = 0
    for char in text:
        if char == "[":
            depth += 1
        elif char == "]":
            depth = max(depth - 1, 0)
        elif depth == 0:
            out.append(char)
    return "".join(out)


def traversal(contexts: list[str]) -> str:
    """The nodes a pattern's walk must visit below each node for its rules' contexts to meet every match.

    Visiting text nodes and attributes costs Saxon more than the elements themselves, so they are skipped when
    no context can match them. Steps made only of names, *, @, / and // match elements (and @ attributes);
    anything else (a kind test such as text() or node(), a function, a variable, '.') may match any node.
    """
    steps = " ".join(_without_predicates(context) for context in contexts)
    if re.search(r"[(.$]", steps):
        return "@*|node()"
    if "@" in steps or "attribute::" in steps:
        return "@*|*"
    return "*"


class _Compiler:
    """Translate one parsed .sch document into an XSLT 3.0 stylesheet."""

    def __init__(self, schema_path: Path, root: etree._Element, phase: str | None) -> None:
        self.path = schema_path
        self.root = root
        self.phase = phase
        self.checks: list[_Check] = []
        self.binding = "xslt"

    def fail(self, node: etree._Element | None, message: str) -> SourceError:
        """An error in the schema, located at node."""
        return SourceError(self.path, message, line=line_of(node) if node is not None else None)

    # --- reading the schema -------------------------------------------------------------------------------------

    def compile(self) -> etree._Element:
        """Build the stylesheet tree."""
        root = self.root
        if root.tag != S + "schema":
            raise self.fail(
                root,
                f"not an ISO Schematron schema: the root element is <{etree.QName(root).localname}>, "
                f"expected <schema> in the namespace {SCH_NS}",
            )
        self.binding = (root.get("queryBinding") or "xslt").strip().lower()
        if self.binding not in SUPPORTED_BINDINGS:
            raise self.fail(
                root,
                f"queryBinding '{root.get('queryBinding')}' is not supported (use {', '.join(SUPPORTED_BINDINGS)})",
            )
        namespaces = {"xs": XS_NS}
        for ns in root.iter(S + "ns"):
            prefix, uri = ns.get("prefix"), ns.get("uri")
            if not prefix or uri is None:
                raise self.fail(ns, "<ns> needs both @prefix and @uri")
            namespaces[prefix] = uri
        for prefix in ("xsl", "svrl-x"):
            if prefix in namespaces:
                raise self.fail(root, f"the namespace prefix '{prefix}' is reserved; please use another prefix")

        abstract_rules = self._abstract_rules()
        patterns = self._active_patterns()

        nsmap = {"xsl": XSL_NS, "svrl-x": OUT_NS, **namespaces}
        sheet = etree.Element(X + "stylesheet", nsmap=nsmap)
        sheet.set("version", "3.0")
        sheet.set("exclude-result-prefixes", "#all")
        out = etree.SubElement(sheet, X + "output", method="xml", indent="no", encoding="UTF-8")
        out.set("omit-xml-declaration", "yes")
        for let in root.findall(S + "let"):
            self._let(sheet, let, X + "param")
        for let in self._phase_lets():
            self._let(sheet, let, X + "param")
        # XSLT functions declared in the schema (allowed by ISO Schematron's xslt2 and xslt3 query bindings)
        for function in root.findall(X + "function"):
            if self.binding == "xslt":
                raise self.fail(function, "<xsl:function> needs queryBinding='xslt2' or 'xslt3'")
            copied = etree.fromstring(etree.tostring(function, with_tail=False))
            sheet.append(self._mark(copied, function, "name"))
        self._helpers(sheet)

        entry = etree.SubElement(sheet, X + "template", match="/")
        report = etree.SubElement(entry, OUT + "report")
        for number in range(1, len(patterns) + 1):
            etree.SubElement(report, X + "apply-templates", select=".", mode=f"svrl-x:p{number}")
        for number, pattern in enumerate(patterns, start=1):
            self._pattern(sheet, pattern, f"svrl-x:p{number}", abstract_rules)
        return sheet

    def _abstract_rules(self) -> dict[str, etree._Element]:
        rules: dict[str, etree._Element] = {}
        for rule in self.root.iter(S + "rule"):
            if rule.get("abstract") == "true":
                rule_id = rule.get("id")
                if not rule_id:
                    raise self.fail(rule, "an abstract <rule> needs an @id so that other rules can extend it")
                rules[rule_id] = rule
        return rules

    def _active_patterns(self) -> list[etree._Element]:
        """The concrete patterns of the selected phase, abstract pattern instances expanded."""
        all_patterns = [p for p in self.root.findall(S + "pattern")]
        abstract = {p.get("id"): p for p in all_patterns if p.get("abstract") == "true"}
        concrete = [
            self._instantiate(p, abstract) if p.get("is-a") else p for p in all_patterns if p.get("abstract") != "true"
        ]
        for p in concrete:
            if p.get("documents"):
                raise self.fail(p, "pattern/@documents is not supported: rules apply to the document validated")
        phase_id = self.phase or self.root.get("defaultPhase") or "#ALL"
        if phase_id == "#ALL":
            return concrete
        phase = next((ph for ph in self.root.findall(S + "phase") if ph.get("id") == phase_id), None)
        if phase is None:
            raise self.fail(self.root, f"phase '{phase_id}' is not defined in the schema")
        active = {a.get("pattern") for a in phase.findall(S + "active")}
        known = {p.get("id") for p in concrete}
        for a in phase.findall(S + "active"):
            if a.get("pattern") not in known:
                raise self.fail(a, f"phase '{phase_id}' activates pattern '{a.get('pattern')}', which does not exist")
        return [p for p in concrete if p.get("id") in active]

    def _phase_lets(self) -> list[etree._Element]:
        phase_id = self.phase or self.root.get("defaultPhase") or "#ALL"
        for ph in self.root.findall(S + "phase"):
            if ph.get("id") == phase_id:
                return ph.findall(S + "let")
        return []

    def _instantiate(self, pattern: etree._Element, abstract: dict[str | None, etree._Element]) -> etree._Element:
        """Copy an abstract pattern, substituting its $parameters."""
        base = abstract.get(pattern.get("is-a"))
        if base is None:
            raise self.fail(pattern, f"pattern/@is-a names '{pattern.get('is-a')}', which is no abstract pattern")
        params: dict[str, str] = {}
        for param in pattern.findall(S + "param"):
            name = param.get("name")
            if not name:
                raise self.fail(param, "<param> needs a @name")
            params[name] = param.get("value", "")
        names = sorted(params, key=len, reverse=True)
        regex = re.compile(r"\$(" + "|".join(re.escape(n) for n in names) + r")(?![\w.\-])") if names else None
        copy = etree.fromstring(etree.tostring(base), _safe_parser())
        # Keep the abstract pattern's line numbers for messages about its rules.
        for original, copied in zip(base.iter(), copy.iter(), strict=True):
            copied.sourceline = original.sourceline
        for key in ("id", "abstract"):
            if key in copy.attrib:
                del copy.attrib[key]
        if pattern_id := pattern.get("id"):
            copy.set("id", pattern_id)
        if regex is not None:
            for node in copy.iter(S + "rule", S + "assert", S + "report", S + "let", S + "value-of", S + "name"):
                for attr in ("context", "test", "select", "value", "path", "subject"):
                    if attr in node.attrib:
                        node.set(attr, regex.sub(lambda m: params[m.group(1)], node.get(attr, "")))
        return copy

    # --- writing the stylesheet ---------------------------------------------------------------------------------

    def _mark(self, xsl: etree._Element, sch: etree._Element, attr: str) -> etree._Element:
        """Remember which .sch element and expression an XSLT instruction comes from (for error messages)."""
        if line := line_of(sch):
            xsl.set(OUT + "line", str(line))
        xsl.set(OUT + "what", f"{etree.QName(sch).localname}/@{attr}")
        xsl.set(OUT + "expr", sch.get(attr) or "")
        return xsl

    def _let(self, parent: etree._Element, let: etree._Element, tag: str) -> None:
        name = let.get("name")
        if not name:
            raise self.fail(let, "<let> needs a @name")
        var = self._mark(etree.SubElement(parent, tag, name=name), let, "value")
        value = let.get("value")
        if value is not None:
            var.set("select", value)
        else:
            for child in let:
                var.append(etree.fromstring(etree.tostring(child, with_tail=False)))
            if len(let) == 0:
                var.set("select", "''")

    def _helpers(self, sheet: etree._Element) -> None:
        loc = etree.SubElement(sheet, X + "function", {"name": "svrl-x:location", "as": "xs:string"})
        etree.SubElement(loc, X + "param", {"name": "node", "as": "node()?"})
        etree.SubElement(
            loc,
            X + "sequence",
            select=(
                "if (empty($node)) then '' else string-join(for $e in $node/ancestor-or-self::* "
                "return string(count($e/preceding-sibling::*) + 1), '/')"
            ),
        )
        att = etree.SubElement(sheet, X + "function", {"name": "svrl-x:attribute", "as": "xs:string"})
        etree.SubElement(att, X + "param", {"name": "node", "as": "node()?"})
        etree.SubElement(att, X + "sequence", select="if ($node instance of attribute()) then name($node) else ''")

    def _pattern(
        self, sheet: etree._Element, pattern: etree._Element, mode: str, abstract_rules: dict[str, etree._Element]
    ) -> None:
        pattern_lets = pattern.findall(S + "let")
        rules = [r for r in pattern.findall(S + "rule") if r.get("abstract") != "true"]
        for rule in rules:
            context = rule.get("context")
            if not context or not context.strip():
                raise self.fail(rule, "<rule> needs a @context (an XSLT pattern such as tei:date/@when)")
        walk = traversal([r.get("context", "") for r in rules])
        fallback = etree.SubElement(sheet, X + "template", match="/|@*|node()", mode=mode, priority="-1000")
        etree.SubElement(fallback, X + "apply-templates", select=walk, mode=mode)
        for index, rule in enumerate(rules):
            context = rule.get("context", "")
            template = self._mark(
                etree.SubElement(sheet, X + "template", match=context, mode=mode, priority=str(len(rules) - index)),
                rule,
                "context",
            )
            if self.binding == "xslt":
                template.set("version", "1.0")  # XPath 1.0 compatibility mode for these expressions
            for let in pattern_lets:
                self._let(template, let, X + "variable")
            for child in self._rule_body(rule, abstract_rules, set()):
                if child.tag == S + "let":
                    self._let(template, child, X + "variable")
                else:
                    self._check(template, child, rule, pattern)
            etree.SubElement(template, X + "apply-templates", select=walk, mode=mode)

    def _rule_body(
        self, rule: etree._Element, abstract_rules: dict[str, etree._Element], seen: set[str]
    ) -> list[etree._Element]:
        """The lets, asserts and reports of a rule, with <extends> replaced by the abstract rule's content."""
        body: list[etree._Element] = []
        for child in rule:
            if child.tag == S + "extends":
                target = child.get("rule")
                if child.get("href"):
                    raise self.fail(child, "extends/@href is not supported; use extends/@rule")
                if target not in abstract_rules:
                    raise self.fail(child, f"<extends rule='{target}'> names no abstract rule")
                if target in seen:
                    raise self.fail(child, f"abstract rule '{target}' extends itself")
                body.extend(self._rule_body(abstract_rules[target], abstract_rules, seen | {target}))
            elif child.tag in (S + "let", S + "assert", S + "report"):
                body.append(child)
        return body

    def _check(
        self, template: etree._Element, check: etree._Element, rule: etree._Element, pattern: etree._Element
    ) -> None:
        test = check.get("test")
        if not test or not test.strip():
            raise self.fail(check, f"<{etree.QName(check).localname}> needs a @test")
        is_assert = check.tag == S + "assert"
        role = check.get("role") or check.get("flag") or rule.get("role") or rule.get("flag")
        rule_id = check.get("id") or rule.get("id") or pattern.get("id") or "schematron"
        number = len(self.checks)
        self.checks.append(_Check(rule_id, severity_for_role(role), line_of(check)))
        if is_assert:  # xsl:choose keeps the test as written, so Saxon's messages quote the author's expression
            choose = etree.SubElement(template, X + "choose")
            self._mark(etree.SubElement(choose, X + "when", test=test), check, "test")
            cond = etree.SubElement(choose, X + "otherwise")
        else:
            cond = self._mark(etree.SubElement(template, X + "if", test=test), check, "test")
        subject = check.get("subject") or rule.get("subject")
        node_expr = f"({subject})[1]" if subject else "."
        record = etree.SubElement(cond, OUT + "r", n=str(number))
        holder = check if check.get("subject") else rule
        self._mark(
            etree.SubElement(record, X + "attribute", name="loc", select=f"svrl-x:location({node_expr})"),
            holder,
            "subject",
        )
        self._mark(
            etree.SubElement(record, X + "attribute", name="attr", select=f"svrl-x:attribute({node_expr})"),
            holder,
            "subject",
        )
        self._message(record, check)
        for diag_id in (check.get("diagnostics") or "").split():
            diagnostic = next((d for d in self.root.iter(S + "diagnostic") if d.get("id") == diag_id), None)
            if diagnostic is None:
                raise self.fail(check, f"@diagnostics names '{diag_id}', which is no <diagnostic>")
            etree.SubElement(record, X + "text").text = " "
            self._message(record, diagnostic)

    def _message(self, parent: etree._Element, source: etree._Element) -> None:
        """Copy the mixed content of an assert/report/diagnostic as XSLT instructions."""
        if source.text:
            etree.SubElement(parent, X + "text").text = source.text
        for child in source:
            if child.tag == S + "value-of":
                select = child.get("select")
                if not select:
                    raise self.fail(child, "<value-of> needs a @select")
                self._mark(etree.SubElement(parent, X + "value-of", select=select), child, "select")
            elif child.tag == S + "name":
                path = child.get("path") or "."
                self._mark(etree.SubElement(parent, X + "value-of", select=f"name({path})"), child, "path")
            elif isinstance(child.tag, str):  # emph, dir, span, foreign markup: keep the words
                self._message(parent, child)
            if child.tail:
                etree.SubElement(parent, X + "text").text = child.tail


def _load_schema(path: Path, depth: int = 0) -> etree._Element:
    """Parse a .sch file safely, with <include href> resolved."""
    try:
        root = etree.parse(str(path), _safe_parser()).getroot()
    except OSError as exc:
        raise SourceError(path, f"cannot read the Schematron schema: {exc}") from None
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise SourceError(path, f"not well-formed XML: {exc.msg}", line=line) from None
    for include in list(root.iter(S + "include")):
        href = include.get("href")
        if not href:
            raise SourceError(path, "<include> needs an @href", line=line_of(include))
        if depth >= _MAX_INCLUDE_DEPTH:
            raise SourceError(path, "includes nested too deeply (a cycle?)", line=line_of(include))
        target = (path.parent / href.split("#")[0]).resolve()
        included = _load_schema(target, depth + 1)
        included.tail = include.tail
        include.getparent().replace(include, included)
    return root


def _compile_error(path: Path, message: str, line_map: tuple[_Origin, ...]) -> SourceError:
    """Turn Saxon's report about the generated stylesheet into an error at the .sch line it comes from."""
    match = re.search(r"on line (\d+)", message)
    origin = _origin(int(match.group(1)), line_map) if match else None
    codes = re.findall(r"\n\s*([A-Z]{4}\d{4})\s+(.*)", message)
    if codes:
        detail = f"{codes[0][1].strip()} ({codes[0][0]})"
    else:
        lines = message.strip().splitlines()
        detail = lines[0] if lines else "the schema could not be compiled"
        detail = (
            re.sub(
                r"^(Error|Static error)( at| in) \S+( at char \d+)?( in \S+)?( on line \d+ column \d+ of \S+)?:?\s*",
                "",
                detail,
            ).strip()
            or detail
        )
    if origin is None:
        return SourceError(path, f"the Schematron schema cannot be compiled: {detail}")
    return SourceError(path, f"invalid XPath in {origin.what} '{origin.expression}': {detail}", line=origin.sch_line)


def _origin(stylesheet_line: int, line_map: tuple[_Origin, ...]) -> _Origin | None:
    best = None
    for origin in line_map:
        if origin.stylesheet_line > stylesheet_line:
            break
        best = origin
    return best


@functools.lru_cache(maxsize=32)
def _compile(path: str, mtime_ns: int, phase: str | None) -> _CompiledSchema:
    """Compile a .sch file once per process (the cache key includes its modification time)."""
    schema_path = Path(path)
    schema = _load_schema(schema_path)
    sees_outside_root = _OUTSIDE_ROOT.search(etree.tostring(schema, encoding="unicode")) is not None
    compiler = _Compiler(schema_path, schema, phase)
    sheet = compiler.compile()
    text = etree.tostring(sheet, pretty_print=True, encoding="unicode")
    # Line of each instruction in the serialised stylesheet -> line in the .sch it was made from.
    reparsed = etree.fromstring(text)
    line_map = tuple(
        sorted(
            _Origin(line_of(el), int(el.get(OUT + "line", 0)), el.get(OUT + "what", ""), el.get(OUT + "expr", ""))
            for el in reparsed.iter()
            if el.get(OUT + "line")
        )
    )
    xslt = _saxon().new_xslt30_processor()
    try:
        executable = xslt.compile_stylesheet(stylesheet_text=text)
    except PySaxonApiError as exc:
        raise _compile_error(schema_path, str(exc), line_map) from None
    if executable is None:
        raise SourceError(schema_path, "the Schematron schema could not be compiled")
    return _CompiledSchema(executable, tuple(compiler.checks), line_map, sees_outside_root)
