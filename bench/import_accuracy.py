"""How good are `edition import`'s suggestions? Import the seed texts with the sample edition's registers and
compare the suggested name and date tags with the hand encoding in tei/documents.

    PYTHONPATH=src python bench/import_accuracy.py [--seeds ../shared/seeds] [--show-misses]

Each imported text is paired with the hand-encoded document that shares most of its words. A tag is a
(kind, text, value) triple: kind is person, place, org or date (rs counts by its @type); text is the tagged text,
normalised (case, white space, quotes, a trailing possessive); value is the @ref target for names and the
normalised date attributes for dates. Precision = suggested tags that the hand encoding also has / suggested tags;
recall = hand tags the import suggested / hand tags (compared as multisets, per document). "Span" figures ignore
the value: they measure whether the right stretch of text was tagged as the right kind.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from tei_edition.config import load_config  # noqa: E402
from tei_edition.importer import import_files  # noqa: E402
from tei_edition.tei.parse import parse_file  # noqa: E402
from tei_edition.tei.text import T, pointer_targets, text_of  # noqa: E402

KIND_OF = {T + "persName": "person", T + "placeName": "place", T + "orgName": "org", T + "date": "date"}
DATE_ATTRS = ("when", "from", "to", "notBefore", "notAfter")
Tag = tuple[str, str, str]


def normalise(text: str) -> str:
    """Tagged text as compared: case-folded, straight quotes, single spaces, no trailing possessive or punctuation."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = re.sub(r"\s+", " ", text).strip().casefold()
    text = re.sub(r"'s$", "", text)
    return text.strip(" .,;:\"'()[]")


def tags_of(tree: etree._ElementTree, descriptions: bool = True) -> list[Tag]:
    """The name and date tags in the document's text (not its header); `descriptions` includes <rs>."""
    text = tree.getroot().find(f"{T}text")
    out: list[Tag] = []
    if text is None:
        return out
    wanted = (T + "persName", T + "placeName", T + "orgName", T + "date") + ((T + "rs",) if descriptions else ())
    for el in text.iter(*wanted):
        kind = el.get("type", "") if el.tag == T + "rs" else KIND_OF[el.tag]
        if kind not in ("person", "place", "org", "date"):
            continue
        if kind == "date":
            value = " ".join(f"{a}={el.get(a)}" for a in DATE_ATTRS if el.get(a))
        else:
            targets = pointer_targets(el.get("ref", ""))
            value = targets[0] if targets else ""
        out.append((kind, normalise(text_of(el)), value))
    return out


def words(tree: etree._ElementTree) -> set[str]:
    """The set of words in the document's text, for pairing imported and hand-encoded documents."""
    return set(re.findall(r"[a-z]{4,}", text_of(tree.getroot().find(f"{T}text")).casefold()))


def score(found: Counter[Tag], wanted: Counter[Tag]) -> tuple[int, int, int]:
    """(matched, suggested, expected) for two multisets of tags."""
    return sum((found & wanted).values()), sum(found.values()), sum(wanted.values())


def ratio(a: int, b: int) -> str:
    return f"{100.0 * a / b:5.1f}%" if b else "   n/a"


def main() -> int:
    """Import, pair, compare, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=Path, default=REPO.parent / "shared" / "seeds")
    parser.add_argument("--show-misses", action="store_true", help="list the tags that differ, per document")
    args = parser.parse_args()
    config = load_config(REPO / "edition.toml")
    seeds = sorted(args.seeds.glob("*.txt"))
    hand = {p: parse_file(p) for p in sorted(config.documents_dir.glob("*.xml"))}
    if not seeds or not hand:
        print(f"need seed texts in {args.seeds} and hand-encoded documents in {config.documents_dir}")
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        import_files(seeds, Path(tmp), registers_dir=config.registers_dir)
        seconds = time.perf_counter() - start
        imported = {p: parse_file(p) for p in sorted(Path(tmp).glob("*.xml"))}
    totals: dict[str, Counter[str]] = {k: Counter() for k in ("names", "dates", "names-span", "dates-span", "proper")}
    print(f"Imported {len(seeds)} seed texts in {seconds:.2f} s; compared with {len(hand)} hand-encoded documents.")
    print(f"{'document':45} {'kind':6} {'P':>7} {'R':>7}   matched/suggested/hand")
    for tree in imported.values():
        mine = words(tree)
        partner = max(hand, key=lambda h: len(mine & words(hand[h])) / (len(mine | words(hand[h])) or 1))
        found, wanted = tags_of(tree), tags_of(hand[partner])
        proper = Counter(t for t in tags_of(hand[partner], descriptions=False) if t[0] != "date")
        suggested = Counter(t for t in found if t[0] != "date")
        totals["proper"].update(m=sum((suggested & proper).values()), e=sum(proper.values()))
        for group, kinds in (("names", ("person", "place", "org")), ("dates", ("date",))):
            f = Counter(t for t in found if t[0] in kinds)
            w = Counter(t for t in wanted if t[0] in kinds)
            m, s, e = score(f, w)
            fs = Counter((k, txt) for k, txt, _v in f.elements())
            ws = Counter((k, txt) for k, txt, _v in w.elements())
            ms, ss, es = sum((fs & ws).values()), sum(fs.values()), sum(ws.values())
            totals[group].update(m=m, s=s, e=e)
            totals[group + "-span"].update(m=ms, s=ss, e=es)
            print(
                f"{partner.stem[:45]:45} {group:6} {ratio(m, s)} {ratio(m, e)}   {m}/{s}/{e}"
                f"   (span P {ratio(ms, ss).strip()}, R {ratio(ms, es).strip()})"
            )
            if args.show_misses:
                for tag, n in sorted((f - w).items()):
                    print(f"      extra   {n}x {tag}")
                for tag, n in sorted((w - f).items()):
                    print(f"      missed  {n}x {tag}")
    print()
    for group in ("names", "dates"):
        t, s = totals[group], totals[group + "-span"]
        print(
            f"all documents, {group}: precision {ratio(t['m'], t['s']).strip()}, recall {ratio(t['m'], t['e']).strip()}"
            f" ({t['m']} of {t['s']} suggested, {t['e']} in the hand encoding); span only: precision "
            f"{ratio(s['m'], s['s']).strip()}, recall {ratio(s['m'], s['e']).strip()}"
        )
    p = totals["proper"]
    print(
        f"names without descriptions (<rs>, which the import does not suggest): recall "
        f"{ratio(p['m'], p['e']).strip()} ({p['m']} of {p['e']})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
