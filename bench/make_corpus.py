"""Generate a realistic edition of N documents from the sample edition's documents and registers.

    python bench/make_corpus.py 1000            # writes bench/corpus/1000/ (git-ignored)

Each document is one of the sample's documents, varied: paragraphs repeated or left out (so sizes range from
about half to about three times the sample's), names pointed at other entries of the same register, another
creation date, its own id and title. Notes, page breaks, quotations and dates come along with the paragraphs.
The registers are the sample's own. The output is the same for the same N (a fixed random seed).
"""

from __future__ import annotations

import argparse
import copy
import random
import shutil
import sys
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parents[1]
TEI = "{http://www.tei-c.org/ns/1.0}"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
NAME_KINDS = {"persName": "person", "placeName": "place", "orgName": "org"}
POINTERS = ("ref", "corresp", "target", "who", "hand", "resp", "source")


def register_ids(registers: Path) -> dict[str, list[str]]:
    """The ids of the register entries of each kind (person, place, org)."""
    out: dict[str, list[str]] = {"person": [], "place": [], "org": []}
    for path in sorted(registers.glob("*.xml")):
        root = etree.parse(str(path)).getroot()
        for kind in out:
            out[kind] += [el.get(XML_ID) for el in root.iter(TEI + kind) if el.get(XML_ID)]
    return out


def vary(template: etree._ElementTree, doc_id: str, rng: random.Random, entities: dict[str, list[str]]) -> bytes:
    """One generated document: the template with its own id, date, title, length and names."""
    tree = copy.deepcopy(template)
    root = tree.getroot()
    # <?xml-model?> instructions before the root are left out: the root element alone is serialised below.
    body = root.find(f"{TEI}text/{TEI}body")
    paragraphs = [p for p in body.iter(f"{TEI}p")] if body is not None else []
    factor = rng.choice((0.5, 0.75, 1, 1, 1, 1.5, 2, 3))
    if factor < 1 and len(paragraphs) > 2:
        for p in rng.sample(paragraphs[1:], int(len(paragraphs[1:]) * (1 - factor))):
            p.getparent().remove(p)
    elif factor > 1:
        for _ in range(int(len(paragraphs) * (factor - 1))):
            original = rng.choice(paragraphs)
            original.addnext(copy.deepcopy(original))
    # Ids made unique in the edition; pointers inside the document follow them.
    local: dict[str, str] = {}
    counter = 0
    for el in root.iter():
        if isinstance(el.tag, str) and el.get(XML_ID) and el is not root:
            counter += 1
            new = f"{doc_id}-{counter}"
            local.setdefault(el.get(XML_ID), new)
            el.set(XML_ID, new)
    root.set(XML_ID, doc_id)
    text = root.find(f"{TEI}text")
    in_text = set(text.iter()) if text is not None else set()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local_name = etree.QName(el).localname
        for attr in POINTERS:
            value = el.get(attr)
            if not value:
                continue
            tokens = []
            for token in value.split():
                target = token[1:] if token.startswith("#") else None
                if target in local:
                    token = "#" + local[target]
                elif target and attr == "ref" and local_name in NAME_KINDS and el in in_text and rng.random() < 0.3:
                    token = "#" + rng.choice(entities[NAME_KINDS[local_name]])
                tokens.append(token)
            el.set(attr, " ".join(tokens))
    creation = root.find(f"{TEI}teiHeader/{TEI}profileDesc/{TEI}creation//{TEI}date")
    if creation is not None:
        when = f"{rng.randint(1945, 1970)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        for attr in ("when", "notBefore", "notAfter", "from", "to"):
            if attr in creation.attrib:
                del creation.attrib[attr]
        creation.set("when", when)
    title = root.find(f"{TEI}teiHeader/{TEI}fileDesc/{TEI}titleStmt/{TEI}title")
    if title is not None:
        title.text = (title.text or "") + f" [{doc_id}]"
    for idno in root.iter(f"{TEI}idno"):
        if idno.get("type") == "edition":
            idno.text = doc_id
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, encoding="utf-8") + b"\n"


def make_corpus(n: int, target: Path, sample: Path = REPO) -> Path:
    """Write an edition of `n` documents (and the sample's registers) into `target`; return its edition.toml."""
    documents = sorted((sample / "tei" / "documents").glob("*.xml"))
    if not documents:
        raise SystemExit(f"no sample documents in {sample / 'tei' / 'documents'}")
    templates = [etree.parse(str(p)) for p in documents]
    entities = register_ids(sample / "tei" / "registers")
    if target.exists():
        shutil.rmtree(target)
    (target / "tei" / "documents").mkdir(parents=True)
    shutil.copytree(sample / "tei" / "registers", target / "tei" / "registers")
    rng = random.Random(n)
    for i in range(n):
        doc_id = f"doc-{i:05d}"
        data = vary(templates[i % len(templates)], doc_id, rng, entities)
        (target / "tei" / "documents" / f"{doc_id}.xml").write_bytes(data)
    config = (sample / "edition.toml").read_text(encoding="utf-8")
    (target / "edition.toml").write_text(config, encoding="utf-8")
    return target / "edition.toml"


def main(argv: list[str] | None = None) -> int:
    """Command line: the sizes to generate."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="+", type=int, help="numbers of documents, e.g. 100 1000 10000")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "corpus", help="where corpora are written")
    args = parser.parse_args(argv)
    for n in args.sizes:
        path = make_corpus(n, args.out / str(n))
        size = sum(p.stat().st_size for p in (path.parent / "tei" / "documents").glob("*.xml"))
        print(f"{n} documents, {size / 1e6:.1f} MB, in {path.parent}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
