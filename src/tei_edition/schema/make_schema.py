"""Generate edition.rng, the edition's TEI customisation, from TEI All.

The customisation is a strict subset of TEI P5: it keeps the elements listed in KEPT_ELEMENTS with their TEI
content models, attribute classes and datatypes untouched, replaces every reference to a dropped element by
<notAllowed/>, simplifies what that leaves behind and removes every pattern no longer reachable from <start>.
Documentation and embedded Schematron are dropped (the edition's rules live in edition.sch).

Regenerate after changing KEPT_ELEMENTS (tei_all.rng, beside this file, is TEI P5 4.12.0 as published by the TEI
Consortium; see TEI-LICENCE.md):

    python src/tei_edition/schema/make_schema.py src/tei_edition/schema/tei_all.rng src/tei_edition/schema/edition.rng
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from lxml import etree

RNG_NS = "http://relaxng.org/ns/structure/1.0"
R = f"{{{RNG_NS}}}"

# What documentary editions of letters, reports, telegrams and book excerpts use, grouped by TEI chapter.
# Keep at least one member of model.certLike (certainty, precision, respons): with that class empty, libxml2
# (lxml 6.1) no longer compiles the schema in reasonable time (measured: over 10 minutes instead of 0.5 s).
# main() compiles the result in a child process with a time limit so that such a change is caught at once.
KEPT_ELEMENTS: frozenset[str] = frozenset(
    """
    TEI teiCorpus teiHeader text front body back group

    fileDesc titleStmt editionStmt edition respStmt resp publicationStmt availability licence idno
    seriesStmt notesStmt sourceDesc extent
    encodingDesc projectDesc samplingDecl editorialDecl correction normalization quotation hyphenation
    segmentation interpretation punctuation stdVals classDecl taxonomy category catDesc tagsDecl rendition
    namespace tagUsage refsDecl listPrefixDef prefixDef appInfo application
    profileDesc creation langUsage language textClass keywords term classCode catRef abstract calendarDesc
    calendar handNotes correspDesc correspAction correspContext particDesc revisionDesc change listChange

    msDesc msIdentifier country region settlement institution repository collection altIdentifier msName
    msContents msItem locus summary textLang physDesc objectDesc supportDesc support condition foliation
    dimensions height width layoutDesc layout handDesc handNote scriptDesc scriptNote typeDesc typeNote
    sealDesc seal decoDesc decoNote additions history origin provenance acquisition additional adminInfo
    recordHist custodialHist source signatures

    bibl biblStruct listBibl analytic monogr imprint biblScope citedRange series author editor publisher
    pubPlace distributor authority sponsor funder principal meeting

    div div1 div2 div3 head p ab opener closer salute signed dateline byline docAuthor docDate docTitle
    docImprint docEdition titlePage titlePart argument epigraph postscript trailer floatingText
    lg l list item label table row cell quote q said cit note noteGrp lb pb cb milestone fw
    figure graphic figDesc ref ptr hi emph foreign mentioned soCalled gloss title desc

    name persName placeName orgName rs forename surname roleName addName nameLink genName geogName
    objectName date time num measure unit address addrLine street postCode postBox email
    listPerson person personGrp persona birth death occupation affiliation nationality sex gender faith
    residence education event listEvent state trait listPlace place location geo district bloc
    listOrg org relation listRelation

    abbr expan ex am choice sic corr orig reg add del subst restore gap unclear supplied surplus secl
    damage handShift space stamp metamark listWit witness

    certainty precision respons

    seg s w c pc anchor linkGrp link alt altGrp join span spanGrp interp interpGrp
    """.split()
)

# Pattern kinds that become notAllowed as soon as any child is notAllowed.
_STRICT = {"group", "interleave", "oneOrMore", "element", "attribute", "list", "define", "data", "mixed"}


def _is_not_allowed(node: etree._Element) -> bool:
    return node.tag == R + "notAllowed"


def _replace(node: etree._Element, tag: str) -> etree._Element:
    new = etree.Element(R + tag)
    new.tail = node.tail
    parent = node.getparent()
    assert parent is not None  # the patterns replaced are inside a define or start
    parent.replace(node, new)
    return new


def _simplify(node: etree._Element, not_allowed_defines: set[str]) -> None:
    """Propagate <notAllowed/> bottom-up through node (RELAX NG simplification rules, section 4.20)."""
    for child in list(node):
        if isinstance(child.tag, str) and child.tag.startswith(R):
            _simplify(child, not_allowed_defines)
    local = node.tag[len(R) :] if node.tag.startswith(R) else ""
    if local == "ref" and node.get("name") in not_allowed_defines:
        _replace(node, "notAllowed")
        return
    if node.getparent() is None or local in ("", "define", "start", "grammar"):
        return
    patterns = [c for c in node if isinstance(c.tag, str) and c.tag.startswith(R)]
    if local == "choice":
        allowed = [c for c in patterns if not _is_not_allowed(c)]
        for c in patterns:
            if _is_not_allowed(c) and allowed:
                node.remove(c)
        if not allowed:
            _replace(node, "notAllowed")
    elif local in ("zeroOrMore", "optional"):
        # Several children form an implicit group: one notAllowed member empties the whole repetition.
        if any(_is_not_allowed(c) for c in patterns):
            _replace(node, "empty")
    elif local in _STRICT:
        # The name class of an element/attribute is not a pattern that can be notAllowed; only content counts.
        if any(_is_not_allowed(c) for c in patterns):
            _replace(node, "notAllowed")


def _strip_annotations(root: etree._Element) -> None:
    """Drop documentation, embedded Schematron and anything else outside the RELAX NG namespace."""
    for node in list(root.iter()):
        parent = node.getparent()
        if node is root or parent is None:
            continue
        if isinstance(node.tag, str) and not node.tag.startswith(R):
            parent.remove(node)
        elif not isinstance(node.tag, str) and parent is not root:
            parent.remove(node)  # comments inside patterns


def _element_name(define: etree._Element) -> str | None:
    first = next((c for c in define if isinstance(c.tag, str)), None)
    if first is not None and first.tag == R + "element":
        return first.get("name")
    return None


def _reachable(start: etree._Element, defines: dict[str, etree._Element]) -> set[str]:
    todo = [r.get("name", "") for r in start.iter(R + "ref")]
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen or name not in defines:
            continue
        seen.add(name)
        todo.extend(r.get("name", "") for r in defines[name].iter(R + "ref"))
    return seen


def build_schema(tei_all: Path, kept: frozenset[str] = KEPT_ELEMENTS) -> etree._ElementTree:
    """Derive the edition's customisation from TEI All, keeping only the given elements."""
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    tree = etree.parse(str(tei_all), parser)
    root = tree.getroot()
    start = root.find(R + "start")
    if start is None:
        raise SystemExit(f"{tei_all}: not a RELAX NG grammar with a <start>")
    _strip_annotations(root)
    defines = {d.get("name", ""): d for d in root.findall(R + "define")}
    element_defines = {name: _element_name(d) for name, d in defines.items()}
    unknown = sorted(kept - {e for e in element_defines.values() if e})
    if unknown:
        raise SystemExit(f"{tei_all}: no such TEI element(s): {', '.join(unknown)}")
    dropped = {name for name, element in element_defines.items() if element and element not in kept}

    # Fixpoint: a define that simplifies to notAllowed makes every reference to it notAllowed too.
    not_allowed = set(dropped)
    while True:
        for name in not_allowed:
            if name in defines and defines[name].getparent() is not None:
                root.remove(defines[name])
        for d in root.findall(R + "define"):
            _simplify(d, not_allowed)
        _simplify(start, not_allowed)
        newly = {
            d.get("name", "")
            for d in root.findall(R + "define")
            if any(_is_not_allowed(c) for c in d if isinstance(c.tag, str))
        }
        if not newly:
            break
        lost = sorted(element for n in newly if (element := element_defines.get(n)))
        if lost:
            print(f"note: kept element(s) with no possible content left, dropped: {', '.join(lost)}", file=sys.stderr)
        not_allowed |= newly

    defines = {d.get("name", ""): d for d in root.findall(R + "define")}
    keep = _reachable(start, defines)
    for name, d in defines.items():
        if name not in keep:
            root.remove(d)
    missing = sorted(kept - {_element_name(d) for d in root.findall(R + "define")})
    if missing:
        print(f"note: kept element(s) not reachable from TEI or teiCorpus: {', '.join(missing)}", file=sys.stderr)
    root.insert(
        2,
        etree.Comment(
            " tei-edition customisation: a subset of TEI All keeping "
            f"{len(kept) - len(missing)} elements; generated by src/tei_edition/schema/make_schema.py, "
            "do not edit by hand. "
        ),
    )
    return tree


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: read TEI All, write the customisation."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tei_all", type=Path, help="path to tei_all.rng (TEI P5)")
    parser.add_argument("output", type=Path, help="where to write edition.rng")
    args = parser.parse_args(argv)
    tree = build_schema(args.tei_all)
    etree.indent(tree, space="  ")
    args.output.write_bytes(etree.tostring(tree, xml_declaration=True, encoding="UTF-8") + b"\n")
    defines = tree.getroot().findall(R + "define")
    elements = sum(1 for d in defines if _element_name(d))
    print(f"wrote {args.output}: {len(defines)} patterns, {elements} elements")
    return _check_compile_time(args.output)


def _check_compile_time(schema: Path, limit: float = 30.0) -> int:
    """Compile the written schema with lxml in a child process; fail if that is slow or impossible."""
    code = "import sys; from lxml import etree; etree.RelaxNG(etree.parse(sys.argv[1]))"
    start = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-c", code, str(schema)], timeout=limit, capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        print(f"error: lxml did not compile {schema} within {limit:.0f} s", file=sys.stderr)
        return 1
    if done.returncode != 0:
        print(f"error: lxml cannot compile {schema}:\n{done.stderr}", file=sys.stderr)
        return 1
    print(f"lxml compiles it in {time.perf_counter() - start:.2f} s (including interpreter start-up)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
