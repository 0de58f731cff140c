"""Measure one very large document: a 50 MB TEI document and a document with 100,000 entity mentions.

    python bench/size.py                         # both documents, default sizes
    python bench/size.py --mb 50 --mentions 100000 --keep

For each document it generates an edition (the sample edition's registers, one generated document) in a temporary
folder (bench/out/size/ with --keep), then runs, each as a separate process as a user would:
`edition validate`, a clean `edition build --no-pdf`, and a no-op rebuild. It prints wall time and peak resident
memory (the command's process and all its workers together, sampled every 20 ms), and the floor: what lxml alone
needs to parse the file (time and memory), so that the build's cost can be read against the data's.
PDFs are left out: a 50 MB text is tens of thousands of printed pages.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
sys.path.insert(0, str(REPO / "bench"))

from measure import Run, measure  # noqa: E402

WORDS = (
    "the delegation reported that negotiations on the armistice line continued through the night while the "
    "commanders awaited instructions from the capital concerning the exchange of prisoners and the "
    "withdrawal of forces beyond the agreed demarcation"
).split()


def register_ids() -> dict[str, list[str]]:
    """The ids of the sample edition's register entries, by element name of the mention."""
    from lxml import etree

    kinds = {"person": "persName", "place": "placeName", "org": "orgName"}
    out: dict[str, list[str]] = {name: [] for name in kinds.values()}
    for path in sorted((REPO / "tei" / "registers").glob("*.xml")):
        for kind, name in kinds.items():
            out[name] += [el.get(XML_ID) for el in etree.parse(str(path)).iter(f"{{{TEI_NS}}}{kind}") if el.get(XML_ID)]
    return out


def header(doc_id: str, title: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<TEI xmlns="{TEI_NS}" xml:id="{doc_id}" xml:lang="en">\n'
        f"<teiHeader><fileDesc><titleStmt><title>{title}</title><respStmt><resp>Encoded by</resp>"
        f"<name>Bench</name></respStmt></titleStmt><publicationStmt><publisher>Bench</publisher>"
        f'<availability><licence target="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</licence>'
        f"</availability><idno>{doc_id}</idno></publicationStmt><sourceDesc><bibl>Generated for a "
        f'measurement.</bibl></sourceDesc></fileDesc><profileDesc><creation><date when="1951-08-23">'
        f'23 August 1951</date></creation><langUsage><language ident="en">English</language></langUsage>'
        f"</profileDesc></teiHeader>\n<text><body>\n"
    )


def paragraph(rng: random.Random, ids: dict[str, list[str]], words: int, mentions: int, n: int) -> str:
    """One paragraph of `words` words with `mentions` tagged names and dates spread through it."""
    parts = [rng.choice(WORDS) for _ in range(words)]
    slots = sorted(rng.sample(range(words), min(mentions, words)))
    for i in reversed(slots):
        kind = rng.choice(("persName", "placeName", "orgName", "date"))
        if kind == "date":
            day = rng.randint(1, 28)
            parts.insert(i, f'<date when="1951-{rng.randint(1, 12):02d}-{day:02d}">on the {day}th</date>')
        else:
            parts.insert(i, f'<{kind} ref="#{rng.choice(ids[kind])}">{rng.choice(WORDS).title()}</{kind}>')
    page = f'<pb n="{n}"/>' if n % 20 == 0 else ""
    return f"{page}<p>{' '.join(parts)}.</p>\n"


def make_edition(
    folder: Path, doc_id: str, target_bytes: int, mentions_per_paragraph: int, total_mentions: int | None
) -> tuple[Path, Path, int]:
    """An edition with the sample registers and one generated document; returns config, document, mentions."""
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "tei" / "documents").mkdir(parents=True)
    shutil.copytree(REPO / "tei" / "registers", folder / "tei" / "registers")
    (folder / "edition.toml").write_text(
        '[edition]\ntitle = "Size bench"\neditors = ["Bench"]\nlicence = "CC BY 4.0"\n'
        'licence_url = "https://creativecommons.org/licenses/by/4.0/"\n\n'
        '[sources]\ndocuments = "tei/documents"\nregisters = "tei/registers"\n',
        encoding="utf-8",
    )
    rng = random.Random(1951)
    ids = register_ids()
    path = folder / "tei" / "documents" / f"{doc_id}.xml"
    written = mentions = n = 0
    with path.open("w", encoding="utf-8") as out:
        text = header(doc_id, f"A generated document ({doc_id})")
        out.write(text)
        written += len(text.encode("utf-8"))
        while (written < target_bytes) if total_mentions is None else (mentions < total_mentions):
            n += 1
            wanted = (
                mentions_per_paragraph
                if total_mentions is None
                else min(mentions_per_paragraph, total_mentions - mentions)
            )
            text = paragraph(rng, ids, 120, wanted, n)
            out.write(text)
            written += len(text.encode("utf-8"))
            mentions += wanted
        out.write("</body></text>\n</TEI>\n")
    return folder / "edition.toml", path, mentions


def floor(path: Path) -> Run:
    """What lxml alone needs to parse the document (separate process, for its own peak memory)."""
    code = "import sys; from lxml import etree; etree.parse(sys.argv[1], etree.XMLParser(huge_tree=True))"
    return measure([sys.executable, "-c", code, str(path)], dict(os.environ))


def bench(name: str, config: Path, document: Path, mentions: int, env: dict[str, str]) -> None:
    """Validate, build and rebuild one edition; print the figures."""
    command = [sys.executable, "-m", "tei_edition"]
    size_mb = document.stat().st_size / 1e6
    print(f"\n{name}: {document.name}, {size_mb:.1f} MB, {mentions:,} mentions")
    base = floor(document)
    print(f"  {'lxml parse only (floor)':28} {base.seconds:7.2f} s  {base.peak_mb:8.0f} MB peak")
    for label, args in (
        ("edition validate", ["validate"]),
        ("edition build --no-pdf --clean", ["build", "--no-pdf", "--clean"]),
        ("no-op rebuild", ["build", "--no-pdf"]),
    ):
        result = measure([*command, *args, "--config", str(config)], env)
        status = "" if result.returncode == 0 else f"  (exit {result.returncode})"
        print(f"  {label:28} {result.seconds:7.2f} s  {result.peak_mb:8.0f} MB peak{status}")
        if result.returncode not in (0, 1):
            print("    " + "\n    ".join(result.output.strip().splitlines()[-8:]))
    html = config.parent / "build" / "html" / "documents" / document.stem / "index.html"
    if html.is_file():
        print(f"  {'document page':28} {html.stat().st_size / 1e6:7.1f} MB of HTML")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=50.0, help="size of the large document in MB (default 50)")
    parser.add_argument("--mentions", type=int, default=100_000, help="mentions in the dense document")
    parser.add_argument("--keep", action="store_true", help="keep the editions in bench/out/size/")
    options = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "SOURCE_DATE_EPOCH": "1714521600"}
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores, {platform.platform()}")
    root = REPO / "bench" / "out" / "size" if options.keep else Path(tempfile.mkdtemp(prefix="tei-size-"))
    try:
        config, document, mentions = make_edition(root / "large", "large-document", int(options.mb * 1e6), 3, None)
        bench(f"A {options.mb:g} MB document", config, document, mentions, env)
        config, document, mentions = make_edition(root / "dense", "dense-document", 0, 25, options.mentions)
        bench(f"A document with {options.mentions:,} mentions", config, document, mentions, env)
    finally:
        if not options.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
