"""Write into edition.sch the TEI elements that are members of att.datable, from TEI All.

Only on these elements are @when, @notBefore, @notAfter, @from and @to (and their -iso forms) dates: on <app>,
<locus>, <biblScope> or <span>, @from and @to are pointers or page numbers. The list stands in edition.sch itself
(between the comments "datable: begin" and "datable: end"), so that the file works alone wherever it is copied
(`edition new`, `edition schema`, an XML editor).

Regenerate after a new release of TEI P5 (tei_all.rng as published by the TEI Consortium):

    python src/tei_edition/schema/make_datable.py src/tei_edition/schema/tei_all.rng src/tei_edition/schema/edition.sch
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from lxml import etree

RNG_NS = "http://relaxng.org/ns/structure/1.0"
R = f"{{{RNG_NS}}}"
# The attributes that make an element datable: the W3C forms, which edition.sch checks as dates.
DATE_ATTRIBUTES = tuple(f"att.datable.w3c.attribute.{name}" for name in ("when", "notBefore", "notAfter", "from", "to"))


def datable_elements(tei_all: Path) -> list[str]:
    """Names of the elements whose attributes include those of att.datable.w3c (directly or through a class)."""
    root = etree.parse(str(tei_all), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    defines: dict[str, list[etree._Element]] = {}
    for define in root.iter(R + "define"):
        defines.setdefault(define.get("name", ""), []).append(define)

    def attribute_refs(node: etree._Element, seen: set[str]) -> set[str]:
        """The attribute classes and attributes `node` refers to, following attribute classes (att.*) only."""
        found: set[str] = set()
        for ref in node.iter(R + "ref"):
            name = ref.get("name", "")
            if not name.startswith("att.") or name in seen:
                continue
            seen.add(name)
            found.add(name)
            for define in defines.get(name, []):
                found |= attribute_refs(define, seen)
        return found

    names = set()
    for define in root.iter(R + "define"):
        for element in define.findall(R + "element"):
            name = element.get("name")
            if name and any(ref in attribute_refs(element, set()) for ref in DATE_ATTRIBUTES):
                names.add(name)
    return sorted(names)


BLOCK = re.compile(r"(<!-- datable: begin[^>]*-->\n).*?(\n\s*<!-- datable: end -->)", re.S)


def datable_let(names: list[str]) -> str:
    """The Schematron variable $datable holding the names."""
    listed = ",\n      ".join(", ".join(f"'{n}'" for n in names[i : i + 8]) for i in range(0, len(names), 8))
    return f'  <let name="datable" value="(\n      {listed})"/>'


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tei_all", type=Path)
    parser.add_argument("schematron", type=Path, help="edition.sch, whose datable block is replaced")
    args = parser.parse_args()
    names = datable_elements(args.tei_all)
    text = args.schematron.read_text(encoding="utf-8")
    if not BLOCK.search(text):
        raise SystemExit(f"{args.schematron} has no 'datable: begin' ... 'datable: end' comments")
    args.schematron.write_text(
        BLOCK.sub(lambda m: m.group(1) + datable_let(names) + m.group(2), text), encoding="utf-8"
    )
    print(f"{args.schematron}: {len(names)} elements")


if __name__ == "__main__":
    main()
