"""The RELAX NG grammar, read and compiled: what it allows (SchemaInfo, read for messages) and its compiled forms.

A grammar is used in up to three forms, made as they are needed, that accept exactly the same documents. libxml2
compiles the content model of every element into an automaton when it compiles a grammar, and checks each automaton
for determinism pair by pair of its transitions: for TEI's mixed content (a choice among a hundred and more phrase-
level elements) that is most of the compile time (measured with lxml 6.1: 0.6-1.0 s for the edition's schema,
6.5-8.6 s for TEI All). An element whose content holds one more member, a choice between <empty/> and a reference to
a <notAllowed/> pattern, accepts what it accepted before, but libxml2 does not compile its content: it checks it by
walking the pattern, more slowly. So:
  - the walked form compiles no content model (edition.rng: 0.015-0.03 s to compile, 4-6 ms per document of the
    sample's size; TEI All: 0.07-0.09 s, 7 ms) and checks the first documents a validator sees;
  - the common form compiles those of COMPILED_ELEMENTS (edition.rng: 0.22-0.39 s, 1.2-1.4 ms per document; TEI
    All: 2.0 s, about 2 ms) and checks the rest, once there are more than _Grammar.walked_documents of them.
A document the walked form rejects is explained with a third form: libxml2's messages name each problem where it is
only in a compiled content model (the walk reports a problem deep in a walked element as a mismatch of that
element's whole content), so a form that compiles the content of every element the document holds gives the messages
of the grammar as written, which costs far more to compile. The first such document gets a form for its own elements
only; a later one holding other elements gets the common form, made again with the elements of both (then it checks,
too); one whose elements a form already compiles uses that form. Measured on bench/corpus/20 with one unknown
element added to each document, back to back on a busy 2-core machine (lxml 6.1): TEI All, the first document
explained in 2.4 s and all 20 in 6.6 s, against 15.4 s and 21.2 s with the grammar as written; edition.rng, 0.7 s
and 1.4 s against 2.0 s and 2.1 s. The grammar as written is compiled only to say how a grammar is broken, or to use
one these forms cannot be made of.

Nothing compiled is kept between runs: lxml cannot store a compiled grammar, and storing TEI All's walked form would
save about 30 ms of the 83 ms it takes to make (parse 8 ms, walked copy 25 ms, compile 50 ms). What is read from the
grammar for messages (SchemaInfo) is kept, in the tool's cache (output/toolcache.py).
"""

from __future__ import annotations

import copy
import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from tei_edition.errors import SourceError
from tei_edition.output import toolcache
from tei_edition.output.hashing import hash_bytes
from tei_edition.tei.parse import line_of

RNG_NS = "http://relaxng.org/ns/structure/1.0"
TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_NS = "http://www.w3.org/XML/1998/namespace"
R = f"{{{RNG_NS}}}"

# What TEI's datatypes mean, in words (the names are the TEI Guidelines' own).
TEI_DATATYPES: dict[str, str] = {
    "teidata.temporal.w3c": "a date such as 1951, 1951-08 or 1951-08-23 (optionally with a time, 1951-08-23T14:30)",
    "teidata.temporal.iso": "an ISO 8601 date or time such as 1951-08-23",
    "teidata.duration.w3c": "a duration such as P3D or PT2H",
    "teidata.pointer": "a pointer (URI) such as #stalin or https://example.org/",
    "teidata.language": "a language tag such as en, ko, ru or zh-Hant",
    "teidata.count": "a whole number (0 or more)",
    "teidata.numeric": "a number",
    "teidata.truthValue": "true or false",
    "teidata.xTruthValue": "true, false or unknown",
    "teidata.enumerated": "a single word (no spaces)",
    "teidata.word": "a single word (no spaces)",
    "teidata.name": "a name (no spaces)",
    "teidata.xmlName": "an XML name (no spaces)",
    "teidata.prefix": "a prefix (letters, digits, . - +)",
    "teidata.version": "a version number such as 1.0",
    "teidata.outputMeasurement": "a CSS length such as 12em or 50%",
    "teidata.probability": "a number between 0 and 1",
    "teidata.namespace": "a namespace URI",
    "teidata.xpath": "an XPath expression",
}
XSD_DATATYPES: dict[str, str] = {
    "date": "a date YYYY-MM-DD",
    "gYear": "a year YYYY",
    "gYearMonth": "a month YYYY-MM",
    "dateTime": "a date and time YYYY-MM-DDThh:mm:ss",
    "time": "a time hh:mm:ss",
    "anyURI": "a URI",
    "ID": "an identifier (a name without spaces, not starting with a digit)",
    "NCName": "a name without spaces or colons",
    "nonNegativeInteger": "a whole number (0 or more)",
    "positiveInteger": "a whole number (1 or more)",
    "integer": "a whole number",
    "decimal": "a number",
    "double": "a number",
    "boolean": "true or false",
    "language": "a language tag such as en or ko",
}
_PREFERRED_CHILDREN = ("p", "div", "item", "head", "ab", "l", "title", "persName", "bibl")

# The elements whose content the common form compiles: those the sample edition uses, which are what documentary
# editions use most (text structure, names and dates, notes, transcription, the header's usual parts). Each element
# with mixed content added costs about 7 ms of compile time; one left out is checked as strictly, by the walk.
COMPILED_ELEMENTS: frozenset[str] = frozenset(
    """
    TEI teiHeader text body div head p ab list item lb pb milestone figure graphic figDesc ref quote q note title
    term name persName placeName orgName rs roleName forename surname date geo

    fileDesc titleStmt respStmt resp publicationStmt availability licence idno publisher pubPlace distributor
    extent sourceDesc encodingDesc editorialDecl correction normalization interpretation segmentation
    profileDesc creation langUsage language textClass keywords correspDesc correspAction revisionDesc change

    msDesc msIdentifier repository collection settlement msContents summary textLang physDesc objectDesc
    supportDesc handDesc handNote history additions bibl biblStruct analytic monogr imprint biblScope series
    author editor funder byline

    listPerson person birth death listPlace place location listOrg org

    choice sic corr add supplied gap stamp
    """.split()
)
# A validator checks this many documents with the walked form before it compiles the common form: about where the
# common form's compile time is won back (edition.rng: 0.22 s against ~3.5 ms more per walked document). A grammar
# with more element patterns than LARGE_GRAMMAR (TEI All has 594, edition.rng 285) waits LARGE_GRAMMAR_FACTOR times
# longer: TEI All's common form takes 2.0 s to compile, for about 5 ms less per document.
WALKED_DOCUMENTS = 48
LARGE_GRAMMAR = 400
LARGE_GRAMMAR_FACTOR = 8
_WALKED = "tei-edition.walked"  # the <notAllowed/> pattern that keeps libxml2 from compiling a content model


def local(tag: str) -> str:
    """The local part of a Clark-notation name: {ns}name -> name."""
    return tag.rsplit("}", 1)[-1]


def _show(tag: str) -> str:
    """An element name as a reader of the source sees it, without namespace: <p>."""
    return f"<{local(tag)}>"


@dataclass
class AttributeInfo:
    """What the schema says about one attribute of one element."""

    required: bool = False
    expected: str = ""


@dataclass
class SchemaInfo:
    """Facts read from a RELAX NG grammar (best effort: unusual constructs just give fewer facts)."""

    elements: set[str] = field(default_factory=set)  # Clark names
    attributes: dict[str, dict[str, AttributeInfo]] = field(default_factory=dict)
    required: dict[str, list[list[str]]] = field(default_factory=dict)  # element -> alternatives of needed children
    empty: set[str] = field(default_factory=set)  # elements that take neither text nor children

    @classmethod
    def read(cls, root: etree._Element) -> SchemaInfo:
        """Collect element names, attributes and required children from a parsed grammar."""
        info = cls()
        defines: dict[str, list[etree._Element]] = {}
        for d in root.iter(R + "define"):
            defines.setdefault(d.get("name", ""), []).append(d)
        requirements = _Requirements(defines)
        for element in root.iter(R + "element"):
            name = _pattern_name(element)
            if name is None:
                continue
            info.elements.add(name)
            attrs = info.attributes.setdefault(name, {})
            _collect_attributes(element, defines, attrs, required=True, seen=set())
            needed = requirements.sequence(element)
            if needed:
                info.required.setdefault(name, needed)
            if not _has_content(element, defines, set()):
                info.empty.add(name)
        return info

    def to_json(self) -> bytes:
        """What was read, as JSON (for the tool's cache)."""
        data = {
            "elements": sorted(self.elements),
            "attributes": {
                element: {name: [a.required, a.expected] for name, a in sorted(attrs.items())}
                for element, attrs in sorted(self.attributes.items())
            },
            "required": self.required,
            "empty": sorted(self.empty),
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> SchemaInfo | None:
        """What to_json() wrote; None for anything else."""
        try:
            raw = json.loads(data)
            return cls(
                elements=set(raw["elements"]),
                attributes={
                    element: {name: AttributeInfo(bool(r), str(e)) for name, (r, e) in attrs.items()}
                    for element, attrs in raw["attributes"].items()
                },
                required={element: [list(map(str, alt)) for alt in alts] for element, alts in raw["required"].items()},
                empty=set(raw["empty"]),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def describe_required(self, element: str) -> str:
        """'<item>' or '<item> or <label>' or 'one of 40 elements such as <p>, <div>'; '' when unknown."""
        alternatives = self.required.get(element)
        if not alternatives:
            return ""
        names = sorted(
            {n for alt in alternatives for n in alt[:1]},
            key=lambda n: (_PREFERRED_CHILDREN.index(local(n)) if local(n) in _PREFERRED_CHILDREN else 99, local(n)),
        )
        if len(names) <= 4:
            return " or ".join(_show(n) for n in names)
        return f"one of {len(names)} elements such as {', '.join(_show(n) for n in names[:3])}"


def _pattern_name(node: etree._Element) -> str | None:
    """Clark name of an <element>/<attribute> pattern with a single name, None for name classes."""
    raw = node.get("name")
    if raw is None:
        name_el = node.find(R + "name")
        if name_el is None or not (name_el.text or "").strip():
            return None
        raw, ns_holder = (name_el.text or "").strip(), name_el
    else:
        raw, ns_holder = raw.strip(), node
    if ":" in raw:
        prefix, localname = raw.split(":", 1)
        uri = XML_NS if prefix == "xml" else node.nsmap.get(prefix)
        return f"{{{uri}}}{localname}" if uri else localname
    if node.tag == R + "attribute":
        ns = ns_holder.get("ns", "")  # attributes do not inherit @ns from the grammar
    else:
        inherited = next((a.get("ns") for a in ns_holder.iterancestors() if a.get("ns") is not None), None)
        ns = ns_holder.get("ns", inherited or "")
    return f"{{{ns}}}{raw}" if ns else raw


def _collect_attributes(
    node: etree._Element,
    defines: dict[str, list[etree._Element]],
    out: dict[str, AttributeInfo],
    required: bool,
    seen: set[str],
) -> None:
    for child in node:
        if not isinstance(child.tag, str) or not child.tag.startswith(R):
            continue
        kind = local(child.tag)
        if kind == "element":
            continue
        if kind == "attribute":
            name = _pattern_name(child)
            if name is not None:
                info = out.setdefault(name, AttributeInfo())
                info.required = info.required or required
                info.expected = info.expected or _describe_value(child, defines, set())
            continue
        if kind == "ref":
            ref = child.get("name", "")
            if ref in seen:
                continue
            for d in defines.get(ref, []):
                _collect_attributes(d, defines, out, required, seen | {ref})
            continue
        still = required and kind in ("group", "interleave", "oneOrMore")
        _collect_attributes(child, defines, out, still, seen)


_DATE_TYPES = frozenset({"date", "gYear", "gMonth", "gDay", "gYearMonth", "gMonthDay", "time", "dateTime"})
_DATE_PHRASE = "a date such as 1951, 1951-08 or 1951-08-23, or a date and time such as 1951-08-23T14:30:00"


def _describe_value(node: etree._Element, defines: dict[str, list[etree._Element]], seen: set[str]) -> str:
    """The kind of value an attribute pattern accepts, in words ('' if it accepts any text)."""
    values: list[str] = []
    types: list[str] = []
    kinds: list[str] = []
    for child in node.iter():
        if not isinstance(child.tag, str):
            continue
        kind = local(child.tag)
        if kind == "value":
            values.append(child.text or "")
        elif kind == "data" and ((parent := child.getparent()) is None or parent.tag != R + "except"):
            types.append(child.get("type", ""))
        elif kind == "ref":
            ref = child.get("name", "")
            if ref in TEI_DATATYPES:
                kinds.append(TEI_DATATYPES[ref])
            elif ref not in seen:
                for d in defines.get(ref, []):
                    described = _describe_value(d, defines, seen | {ref})
                    if described:
                        kinds.append(described)
    if len(_DATE_TYPES.intersection(types)) >= 3:
        kinds.insert(0, _DATE_PHRASE)
        types = [t for t in types if t not in _DATE_TYPES]
    kinds.extend(XSD_DATATYPES.get(t, f"a value of type {t}") for t in types)
    shown = [f"'{v}'" for v in values if v]
    if shown and len(shown) <= 12:
        kinds.insert(0, ("one of " if len(shown) > 1 else "") + ", ".join(shown))
    if "" in values:
        kinds.append("nothing (an empty value)")
    parts = list(dict.fromkeys(kinds))
    return "; or ".join(parts[:4])


class _Requirements:
    """Which children an element cannot do without, read from its content pattern (refs memoised)."""

    _SKIP = frozenset(
        {
            "optional",
            "zeroOrMore",
            "attribute",
            "text",
            "empty",
            "data",
            "value",
            "list",
            "name",
            "anyName",
            "nsName",
            "notAllowed",
            "mixed",
            "except",
            "param",
        }
    )

    def __init__(self, defines: dict[str, list[etree._Element]]) -> None:
        self.defines = defines
        self.memo: dict[str, list[list[str]]] = {}

    def sequence(self, node: etree._Element) -> list[list[str]]:
        """Alternatives of needed children for node's children taken as a group: [[a], [b, c]] = a, or b and c."""
        needed: list[list[str]] = [[]]
        for child in node:
            part = self.pattern(child)
            if part:
                needed = [a + b for a in needed for b in part][:64]
        return [n for n in needed if n]

    def pattern(self, node: etree._Element) -> list[list[str]]:
        """Alternatives of needed children for one pattern ([] when it can match nothing at all)."""
        if not isinstance(node.tag, str) or not node.tag.startswith(R):
            return []
        kind = local(node.tag)
        if kind in self._SKIP:
            return []
        if kind == "element":
            name = _pattern_name(node)
            return [[name]] if name else []
        if kind == "ref":
            ref = node.get("name", "")
            if ref not in self.memo:
                self.memo[ref] = []  # a cycle needs nothing more
                found: list[list[str]] = []
                for d in self.defines.get(ref, []):
                    found.extend(self.sequence(d))
                self.memo[ref] = found
            return self.memo[ref]
        if kind == "choice":
            alternatives: list[list[str]] = []
            for branch in node:
                if not isinstance(branch.tag, str):
                    continue
                sub = self.pattern(branch)
                if not sub:
                    return []  # one branch needs nothing, so the choice needs nothing
                alternatives.extend(sub)
            return alternatives[:256]
        return self.sequence(node)  # group, interleave, oneOrMore


def _has_content(node: etree._Element, defines: dict[str, list[etree._Element]], seen: set[str]) -> bool:
    """Whether an element pattern can hold text or child elements (False for TEI's empty elements)."""
    for child in node:
        if not isinstance(child.tag, str) or not child.tag.startswith(R):
            continue
        kind = local(child.tag)
        if kind in ("text", "mixed", "data", "value", "list", "element"):
            return True
        if kind == "attribute":
            continue
        if kind == "ref":
            ref = child.get("name", "")
            if ref not in seen:
                seen.add(ref)
                if any(_has_content(d, defines, seen) for d in defines.get(ref, [])):
                    return True
            continue
        if _has_content(child, defines, seen):
            return True
    return False


class _Grammar:
    """A grammar as written, and its forms compiled as they are needed; what it allows is read from it only when a
    message needs it (most documents are valid)."""

    def __init__(self, path: Path, root: etree._Element, label: str):
        self.path = path
        self.label = label
        self._root = root
        self._info: SchemaInfo | None = None
        self._forms: dict[str, etree.RelaxNG] = {}
        self._common = COMPILED_ELEMENTS  # the elements whose content the common form compiles
        self._explained: frozenset[str] = frozenset()  # those whose content the explaining form compiles
        large = sum(1 for _ in root.iter(R + "element")) > LARGE_GRAMMAR
        self.walked_documents = WALKED_DOCUMENTS * (LARGE_GRAMMAR_FACTOR if large else 1)

    @property
    def info(self) -> SchemaInfo:
        """Elements, attributes and required children the grammar declares: read from the grammar once, then kept in
        the tool's cache (output/toolcache.py) under a hash of the grammar file and of this module (reading TEI All
        takes 0.3-0.7 s, loading what was read 0.02 s)."""
        if self._info is None:
            parts: tuple[str, ...] = ()
            try:
                parts = (hash_bytes(self.path.read_bytes()), hash_bytes(Path(__file__).read_bytes()))
            except OSError:
                pass
            kept = toolcache.load("schema-info", *parts) if parts else None
            self._info = SchemaInfo.from_json(kept) if kept is not None else None
            if self._info is None:
                self._info = SchemaInfo.read(self._root)
                if parts:
                    toolcache.save("schema-info", self._info.to_json(), *parts)
        return self._info

    @property
    def exact(self) -> etree.RelaxNG:
        """The grammar as written, compiled; SourceError naming the schema's file and line when it is broken."""
        if "exact" not in self._forms:
            try:
                self._forms["exact"] = etree.RelaxNG(self._root.getroottree())
            except etree.RelaxNGParseError as exc:
                entries = list(exc.error_log)
                first = entries[0] if entries else None
                message = first.message if first is not None else str(exc)
                raise SourceError(
                    self.path,
                    f"the RELAX NG schema is broken: {message}",
                    line=first.line if first is not None and first.line else None,
                ) from None
        return self._forms["exact"]

    def form(self, name: str) -> etree.RelaxNG:
        """The 'walked' or 'common' form (see the module's docstring), or the exact one where that cannot be made."""
        if name not in self._forms:
            self._forms[name] = self._compile(frozenset() if name == "walked" else self._common)
        return self._forms[name]

    def explaining(self, tree: etree._ElementTree) -> etree.RelaxNG:
        """A form whose messages about this document are those of the grammar as written: one that compiles the
        content of every element the document holds (see the module's docstring)."""
        names = frozenset(local(el.tag) for el in tree.iter() if isinstance(el.tag, str))
        if "explaining" in self._forms and names <= self._explained:
            return self._forms["explaining"]
        if "common" in self._forms and names <= self._common:
            return self._forms["common"]
        if "explaining" not in self._forms:  # the first document with problems: its own elements only
            self._explained = names
        else:  # another, holding other elements: the common form, made again for all of them
            self._common = self._common | self._explained | names
            self._forms.pop("common", None)
            self._explained = self._common
        self._forms["explaining"] = self._compile(self._explained)
        if self._explained == self._common:
            self._forms["common"] = self._forms["explaining"]
        return self._forms["explaining"]

    def _compile(self, compiled: frozenset[str]) -> etree.RelaxNG:
        """The grammar compiled with the content of these elements (local names) compiled and the others walked;
        the exact form where that cannot be made."""
        variant = _walk_content(self._root, compiled)
        if variant is not None:
            try:
                return etree.RelaxNG(variant)
            except etree.RelaxNGParseError:
                pass  # the grammar itself is broken (the exact form says how), or its form is
        return self.exact


def _walk_content(root: etree._Element, compiled: frozenset[str]) -> etree._ElementTree | None:
    """A copy of a grammar in which libxml2 compiles the content of the elements named in `compiled` only (local
    names), accepting the same documents; None for a grammar this cannot be done to (no <grammar> at its root)."""
    if root.tag != R + "grammar" or any(d.get("name") == _WALKED for d in root.iter(R + "define")):
        return None
    copied = copy.deepcopy(root)
    for element in list(copied.iter(R + "element")):
        name = _pattern_name(element)
        if name is not None and local(name) in compiled:
            continue
        if next(element.iterancestors(R + "grammar")) is not copied:
            continue  # in a nested grammar, whose references cannot reach the root grammar's patterns
        choice = etree.SubElement(element, R + "choice")
        etree.SubElement(choice, R + "ref", name=_WALKED)
        etree.SubElement(choice, R + "empty")
    define = etree.SubElement(copied, R + "define", name=_WALKED)
    etree.SubElement(define, R + "notAllowed")
    tree = copied.getroottree()
    tree.docinfo.URL = root.getroottree().docinfo.URL  # <include> and <externalRef> resolve as from the original
    return tree


@functools.lru_cache(maxsize=16)
def _load(path: str, mtime_ns: int) -> _Grammar:
    """Read a grammar once per process (the key includes the file's modification time); its forms are compiled as
    they are asked for, and shared by every validator of the process."""
    schema_path = Path(path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        doc = etree.parse(path, parser)
    except OSError as exc:
        raise SourceError(schema_path, f"cannot read the RELAX NG schema: {exc}") from None
    except etree.XMLSyntaxError as exc:
        raise SourceError(schema_path, f"not well-formed XML: {exc.msg}", line=exc.lineno or None) from None
    if doc.getroot().tag not in (R + "grammar", R + "element"):
        raise SourceError(
            schema_path,
            "not a RELAX NG schema in XML syntax (the root must be <grammar> or "
            "<element> in the RELAX NG namespace; convert .rnc files with trang)",
            line=line_of(doc.getroot()),
        )
    label = {"edition.rng": "the edition's schema", "tei_all.rng": "TEI All"}.get(
        schema_path.name, f"the schema {schema_path.name}"
    )
    return _Grammar(schema_path, doc.getroot(), label)
