"""RELAX NG validation with lxml, its terse messages rewritten into plain language for editors.

libxml2 names the element and little else ("Invalid attribute when for element date"). The schema itself is read
once more, by SchemaInfo, to say what was expected: which elements the schema knows, which attributes an element
takes and which are required, what kind of value an attribute wants, which children an element cannot do without.
When a message cannot be explained, its original text is kept after a plain-language prefix.

The grammar is read and compiled in grammar.py, in up to three forms made as they are needed (see its docstring).
"""

from __future__ import annotations

import copy as copy_module
import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from tei_edition.errors import SourceError
from tei_edition.tei.parse import line_of
from tei_edition.validate.diagnostics import Diagnostic, Severity
from tei_edition.validate.grammar import XML_NS, SchemaInfo, _load, _show, local

RULE = "schema"


def _namespace(tag: str) -> str:
    return tag[1:].split("}")[0] if tag.startswith("{") else ""


def _show_foreign(el: etree._Element) -> str:
    """<foo>, with its namespace when that differs from its parent's (a likely cause of the problem)."""
    parent = el.getparent()
    ns = _namespace(el.tag)
    if parent is not None and ns != _namespace(parent.tag):
        return f"<{local(el.tag)}> (namespace {ns or 'none'})"
    return _show(el.tag)


def _attr_show(name: str) -> str:
    return "@xml:" + local(name) if name.startswith(f"{{{XML_NS}}}") else "@" + local(name)


_STEP = re.compile(r"^(?:(\*)|(?:([\w.\-]+):)?([\w.\-]+))(?:\[(\d+)\])?$")


def element_at_path(tree: etree._ElementTree, path: str | None) -> etree._Element | None:
    """Follow a libxml2 node path (/*/*[2]/x:hi[1]) through the tree; None if it cannot be followed."""
    if not path or not path.startswith("/"):
        return None
    node: etree._Element | None = None
    for step in path.strip("/").split("/"):
        match = _STEP.match(step)
        if match is None:
            return None
        star, prefix, name, index = match.groups()
        candidates = [tree.getroot()] if node is None else [c for c in node if isinstance(c.tag, str)]
        if not star:
            candidates = [c for c in candidates if local(c.tag) == name and (c.prefix or None) == (prefix or None)]
        position = int(index or 1)
        if position > len(candidates):
            return None
        node = candidates[position - 1]
    return node


@dataclass
class _Problem:
    element: etree._Element | None
    kind: str
    line: int
    message: str


class RelaxNGValidator:
    """Validate documents against a RELAX NG grammar (XML syntax), with messages for editors."""

    def __init__(self, schema_path: Path) -> None:
        """Read the grammar and compile its walked form (cached per process); SourceError naming the file and line
        if it is broken."""
        self.schema_path = Path(schema_path).resolve()
        try:
            mtime = self.schema_path.stat().st_mtime_ns
        except OSError as exc:
            raise SourceError(self.schema_path, f"cannot read the RELAX NG schema: {exc.strerror}") from None
        self._compiled = _load(str(self.schema_path), mtime)
        self._compiled.form("walked")
        # TEI All, the schema for TEI from anywhere, checks TEI: what a project adds in other namespaces is set
        # aside with a warning (TEI's notion of a clean extension). The strict subset and an edition's own schema
        # say what the edition may hold, so there every element counts.
        self.set_aside_foreign = self.schema_path == Path(__file__).resolve().parent.parent / "schema" / "tei_all.rng"
        self._checked = 0  # documents checked so far: the first _Grammar.walked_documents with the walked form

    @property
    def info(self) -> SchemaInfo:
        """What the validator knows about the grammar (elements, attributes, required children)."""
        return self._compiled.info

    def expect(self, documents: int) -> None:
        """Prepare to check about this many documents: the common form is compiled now when it will be needed."""
        walked = self._compiled.walked_documents
        if self._checked + documents > walked:
            self._checked = max(self._checked, walked)
            self._compiled.form("common")

    def validate(self, tree: etree._ElementTree, path: Path) -> list[Diagnostic]:
        """Validate one parsed document; one Diagnostic per distinct problem, cascaded failures dropped."""
        tree = tree.getroottree() if isinstance(tree, etree._Element) else tree
        form = self._compiled.form("walked" if self._checked < self._compiled.walked_documents else "common")
        self._checked += 1
        # A file that passes as it is is looked at no further (most do: looking for other namespaces in each would
        # cost more than the second check of the few that hold them, which libxml2 refuses at once).
        if form.validate(tree):
            return []
        notice: list[Diagnostic] = []
        if self.set_aside_foreign:
            stripped, notice = _set_aside_foreign(tree, Path(path), self._compiled.label)
            if notice:
                tree = stripped
                if form.validate(tree):
                    return notice
        try:
            schema = self._compiled.explaining(tree)  # the messages of the grammar as written
        except SourceError as exc:
            return [
                Diagnostic(
                    exc.path,
                    exc.line or 0,
                    0,
                    Severity.ERROR,
                    f"the schema cannot be used: {exc.detail}",
                    "schema-file",
                )
            ]
        if schema.validate(tree):
            return notice
        problems = []
        for entry in schema.error_log:
            element = element_at_path(tree, entry.path)
            line = entry.line or (line_of(element) if element is not None else 0)
            kind = entry.type_name.removeprefix("RELAXNG_ERR_")
            problems.append(_Problem(element, kind, line, entry.message))
        kept = _drop_cascades(problems)
        out: list[Diagnostic] = []
        seen: set[tuple[int, str]] = set()
        for problem in kept:
            message = self._explain(problem)
            if (problem.line, message) in seen:
                continue
            seen.add((problem.line, message))
            out.append(Diagnostic(Path(path), problem.line, 0, Severity.ERROR, message, RULE))
        return notice + out

    # --- messages ---------------------------------------------------------------------------------------------

    def _explain(self, problem: _Problem) -> str:
        """Plain-language message for one libxml2 error; falls back to the original text."""
        el, raw, info, schema = problem.element, problem.message.strip(), self._compiled.info, self._compiled.label
        parent = el.getparent() if el is not None else None
        where = f" inside {_show(parent.tag)}" if parent is not None else ""
        kind = problem.kind
        if el is not None and kind == "ELEMWRONG":
            if el.tag not in info.elements:
                return f"{_show_foreign(el)} is not allowed{where}: it is not part of {schema}"
            missing = self._missing_before(parent, el)
            hint = f"; {_show(parent.tag)} first needs {missing}" if missing and parent is not None else ""
            return f"{_show(el.tag)} is not allowed{where} at this point{hint}"
        if el is not None and kind == "EXTRACONTENT":
            extra = raw.split("extra content:", 1)[-1].strip()
            holder = re.match(r"Element (\S+) has extra content", raw)
            if holder and holder.group(1) != local(el.tag):  # the message names the parent; the node is the child
                return f"<{holder.group(1)}> has content that is not allowed here: <{extra}>"
            return f"{_show(el.tag)} has content that is not allowed here: {extra}"
        if el is not None and kind == "INVALIDATTR":
            return self._explain_attribute(el, raw)
        if el is not None and kind in ("TYPEVAL", "DATATYPE", "VALUE"):
            value = re.search(r"value '(.*)'", raw)
            holders = [str(a) for a, v in el.attrib.items() if value and v == value.group(1)]
            if len(holders) == 1:
                return self._explain_attribute(el, f"Invalid attribute {local(holders[0])} for element {local(el.tag)}")
            return f"{_show(el.tag)} has a value that {schema} does not accept ({raw})"
        if el is not None and kind == "ATTRVALID":
            required = [n for n, a in info.attributes.get(el.tag, {}).items() if a.required and n not in el.attrib]
            if required:
                names = ", ".join(_attr_show(n) for n in required)
                return f"{_show(el.tag)} lacks the required attribute{'s' if len(required) > 1 else ''} {names}"
            return f"{_show(el.tag)} has attributes that {schema} does not accept ({raw})"
        if el is not None and kind == "NOELEM":
            expected = re.match(r"Expecting an element (\S+), got nothing", raw)
            if expected:
                return f"{_show(el.tag)} is incomplete: a <{expected.group(1)}> is required at its end"
            needed = info.describe_required(el.tag)
            present = {c.tag for c in el if isinstance(c.tag, str)}
            if needed and not any(n in present for alt in info.required.get(el.tag, []) for n in alt[:1]):
                return f"{_show(el.tag)} is incomplete: it needs {needed}"
            return f"{_show(el.tag)} is incomplete: a required child element is missing at its end"
        if el is not None and kind == "ELEMNAME":
            found = re.match(r"Expecting element (\S+), got (\S+)", raw)
            if found:
                return f"{_show(el.tag)} found{where} where <{found.group(1)}> is expected"
        if el is not None and kind == "TEXTWRONG":
            snippet = _stray_text(el)
            shown = f" ('{snippet}')" if snippet else ""
            if el.tag in info.empty:
                return f"{_show(el.tag)} must be empty, but it contains text{shown}"
            return f"{_show(el.tag)} cannot contain text directly{shown}: put it inside a child element such as <p>"
        if el is not None and kind == "ELEMNOTEMPTY":
            return f"{_show(el.tag)} must be empty"
        if el is not None and kind == "CONTENTVALID":
            return f"the content of {_show(el.tag)} does not match {schema}"
        if el is not None and kind in ("ELEMWRONGNS", "ELEMEXTRANS", "ELEMNONS"):
            return f"{_show(el.tag)} is in the wrong namespace ({raw})"
        if el is not None and kind == "INTEREXTRA":
            return f"{_show(el.tag)} occurs more often than {schema} allows{where}"
        prefix = f"{_show(el.tag)} does not match {schema}" if el is not None else f"does not match {schema}"
        return f"{prefix}: {raw}"

    def _explain_attribute(self, el: etree._Element, raw: str) -> str:
        match = re.match(r"Invalid attribute (\S+) for element (\S+)", raw)
        name = match.group(1) if match else ""
        attr = next((a for a in map(str, el.attrib) if local(a) == name), None)
        if attr is None:
            return f"{_show(el.tag)} has an attribute that is not allowed ({raw})"
        allowed = self._compiled.info.attributes.get(el.tag)
        value = el.get(attr, "")
        if allowed is not None and attr not in allowed:
            return (
                f"{_show(el.tag)} does not take the attribute {_attr_show(attr)} "
                f"(not part of {self._compiled.label} for this element)"
            )
        expected = allowed[attr].expected if allowed else ""
        tail = f" (expected {expected})" if expected else ""
        return f"{_show(el.tag)} has an invalid value for {_attr_show(attr)}: '{value}'{tail}"

    def _missing_before(self, parent: etree._Element | None, el: etree._Element) -> str:
        """Required children of parent absent from it, when a misplaced element suggests one is missing."""
        if parent is None:
            return ""
        info = self._compiled.info
        present = {c.tag for c in parent if isinstance(c.tag, str)}
        alternatives = info.required.get(parent.tag, [])
        if not alternatives:
            return ""
        # Only what every way of completing parent needs, and is not there yet, is worth naming.
        absent = [n for n in alternatives[0] if n not in present and all(n in alt for alt in alternatives)]
        return " and ".join(_show(n) for n in dict.fromkeys(absent))


_OWN_NAMESPACES = ("http://www.tei-c.org/ns/1.0", "http://www.w3.org/XML/1998/namespace")
_TEI = "{http://www.tei-c.org/ns/1.0}"
_XML = "{http://www.w3.org/XML/1998/namespace}"


def _foreign_content(root: etree._Element) -> tuple[list[etree._Element], list[tuple[etree._Element, str]]]:
    """The elements and attributes of other namespaces under (and in) `root`, in one pass."""
    elements: list[etree._Element] = []
    attributes: list[tuple[etree._Element, str]] = []
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        if not (tag.startswith(_TEI) or tag.startswith(_XML)):
            elements.append(el)
        for key in el.attrib:
            name = str(key)
            if name[0] == "{" and not (name.startswith(_XML) or name.startswith(_TEI)):
                attributes.append((el, name))
    return elements, attributes


def _set_aside_foreign(
    tree: etree._ElementTree, path: Path, schema: str
) -> tuple[etree._ElementTree, list[Diagnostic]]:
    """A copy of the tree without the elements and attributes of other namespaces, and a warning that says what
    was set aside (none, and the tree itself, when there is nothing to set aside). The copy keeps the lines. A TEI
    element that held nothing but such elements (ELTeC's textDesc) is set aside with them: the project replaced
    its content, and TEI's content model for it says nothing about the file."""
    root = tree.getroot()
    foreign_elements, foreign_attributes = _foreign_content(root)
    if not foreign_elements and not foreign_attributes:
        return tree, []
    namespaces = sorted(
        {str(etree.QName(el).namespace) for el in foreign_elements}
        | {str(etree.QName(name).namespace) for _el, name in foreign_attributes}
    )
    first = min(
        [line for line in (line_of(el) for el in foreign_elements) if line]
        + [line for line in (line_of(el) for el, _n in foreign_attributes) if line]
        or [0]
    )
    copy = copy_module.deepcopy(root)
    emptied: list[etree._Element] = []
    for el in list(copy.iter()):
        if not isinstance(el.tag, str):
            continue
        if etree.QName(el).namespace not in _OWN_NAMESPACES:
            parent = el.getparent()
            if parent is not None:
                _remove_keeping_tail(parent, el)
                emptied.append(parent)
            continue
        for name in list(el.attrib):
            if str(name).startswith("{") and etree.QName(name).namespace not in _OWN_NAMESPACES:
                del el.attrib[name]
    for parent in dict.fromkeys(emptied):
        holder = parent.getparent()
        if holder is not None and len(parent) == 0 and not (parent.text or "").strip():
            _remove_keeping_tail(holder, parent)
    what = ", ".join(
        part
        for part in (
            f"{len(foreign_elements)} element(s)" if foreign_elements else "",
            f"{len(foreign_attributes)} attribute(s)" if foreign_attributes else "",
        )
        if part
    )
    message = (
        f"{what} of other namespaces ({', '.join(namespaces)}) are not part of {schema}: the file was checked "
        "without them (name a schema that declares them in [sources] schema, or set the rule to 'off')"
    )
    return copy.getroottree(), [Diagnostic(path, first, 0, Severity.WARNING, message, "foreign-namespace")]


def _remove_keeping_tail(parent: etree._Element, el: etree._Element) -> None:
    """Remove an element, keeping the text that follows it."""
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _drop_cascades(problems: list[_Problem]) -> list[_Problem]:
    """Drop libxml2's follow-on failures when a more specific problem explains them."""
    specific = [p for p in problems if p.kind not in ("CONTENTVALID", "NOELEM", "EXTRACONTENT")]

    def has_specific_within(el: etree._Element, include_self: bool) -> bool:
        for p in specific:
            if p.element is None:
                continue
            if p.element is el and include_self:
                return True
            if any(a is el for a in p.element.iterancestors()):
                return True
        return False

    kept = []
    for p in problems:
        if p.element is not None:
            if p.kind == "CONTENTVALID" and (
                has_specific_within(p.element, True)
                or any(
                    q is not p
                    and q.element is not None
                    and q.kind != "CONTENTVALID"
                    and any(a is p.element for a in q.element.iterancestors())
                    for q in problems
                )
            ):
                continue
            if p.kind == "NOELEM" and has_specific_within(p.element, False):
                continue
            if p.kind == "EXTRACONTENT" and any(q.kind == "ELEMWRONG" and q.element is p.element for q in problems):
                continue
            # libxml2 names the first child it could not place: when a problem inside that child is named, the
            # child was refused for it (an idno's empty @subtype deep in a listPlace's second place).
            if p.kind == "EXTRACONTENT" and has_specific_within(p.element, False):
                continue
            if p.kind == "ATTRVALID" and any(q.kind == "INVALIDATTR" and q.element is p.element for q in problems):
                continue
        kept.append(p)
    return kept


def _stray_text(el: etree._Element) -> str:
    texts = [el.text or ""] + [c.tail or "" for c in el]
    text = next((t.strip() for t in texts if t.strip()), "")
    return text if len(text) <= 40 else text[:37] + "..."
