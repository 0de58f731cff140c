"""How fast would another typesetter be? One synthetic book set by WeasyPrint and by Typst (a script, not a test).

    python bench/pdf_engines.py                        # WeasyPrint and Typst
    python bench/pdf_engines.py --chapters 40 --repeat 3

The PDF target (30 pages/s with 2 workers) is out of WeasyPrint's reach here (~0.1 s a page of the edition's print
design); this measured what another engine would give on the same text, the ground on which Typst replaced
WeasyPrint as the default engine (bench/pdf_speed.py measures the edition's own PDFs with either). The book is made
from the sample edition's words (seeded, so every run sets the same text): chapters of 20 to 45 justified
paragraphs, a footnote every sixty words, a name from a short list every twenty-five words, running heads with the
chapter's title and the page, contents, and a two-column index giving, for each name, every page it is on.

WeasyPrint gets it as HTML and CSS paged media (`float: footnote`, `string-set`, `target-counter()` for the index
and contents, as the edition's print stylesheet uses them). Typst gets the same text as Typst markup; its index is
made by one query of the marked names after layout, and each run compiles in a process of its own (Typst memoises
its work within a process). The best of `--repeat` runs is printed, with the pages and the
CPU time (for Typst, of its process, which runs threads of its own).
"""

from __future__ import annotations

import argparse
import html
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))

from pdf_speed import page_count  # noqa: E402

NAMES = ("Stalin", "Kim Il Sung", "Moscow", "Pyongyang", "Molotov", "Seoul", "Shtykov", "Truman")


def sample_words() -> list[str]:
    """The words of the sample edition's documents (letters only), in order."""
    words: list[str] = []
    for path in sorted((REPO / "tei" / "documents").glob("*.xml")):
        text = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
        words += [w for w in text.split() if w.isalpha()]
    return words


def make_book(chapters: int) -> list[list[list[tuple[str, ...]]]]:
    """Chapters of paragraphs of items: ('word', w), ('name', n) or ('note', word, note text)."""
    rng = random.Random(1)
    words = sample_words()
    book = []
    for _chapter in range(chapters):
        paragraphs = []
        for _paragraph in range(rng.randint(20, 45)):
            items: list[tuple[str, ...]] = []
            for i, word in enumerate(rng.choices(words, k=rng.randint(40, 120))):
                if i % 25 == 7:
                    items.append(("name", rng.choice(NAMES)))
                elif i % 60 == 30:
                    items.append(("note", word, " ".join(rng.choices(words, k=20))))
                else:
                    items.append(("word", word))
            paragraphs.append(items)
        book.append(paragraphs)
    return book


def chapters(
    book: list[list[list[tuple[str, ...]]]],
    chapter: Callable[[int], str],
    name: Callable[[str], str],
    note: Callable[[str, str], str],
    paragraph: Callable[[str], str],
) -> list[str]:
    """The book's chapters in one markup: `chapter(number)` heads a chapter, `name(text)` marks a name, `note(word,
    text)` puts a footnote after a word, `paragraph(text)` makes a paragraph of its words."""
    out = []
    for number, paragraphs in enumerate(book):
        out.append(chapter(number))
        for items in paragraphs:
            out.append(
                paragraph(
                    " ".join(
                        name(item[1]) if item[0] == "name" else note(item[1], item[2]) if item[0] == "note" else item[1]
                        for item in items
                    )
                )
            )
    return out


def as_html(book: list[list[list[tuple[str, ...]]]]) -> str:
    """The book as one HTML page with its print stylesheet."""
    out = [
        """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><style>
@page { size: A4; margin: 22mm 20mm 24mm 20mm;
  @top-left { content: string(chapter); font-variant: small-caps; } @top-right { content: counter(page); } }
body { font: 10.5pt/1.45 "DejaVu Serif"; text-align: justify; hyphens: auto; }
h1 { string-set: chapter content(); break-before: page; font-size: 16pt; }
.note { float: footnote; font-size: 8.5pt; }
.index { columns: 2; column-fill: auto; font-size: 9pt; }
.index a::after { content: target-counter(attr(href), page); }
.contents a::after { content: leader('.') target-counter(attr(href), page); }
</style></head><body><section class="contents"><h1>Contents</h1>"""
    ]
    out += [f'<p><a href="#c{number}">Chapter {number + 1}</a></p>' for number in range(len(book))]
    out.append("</section>")
    mentions: dict[str, list[int]] = {name: [] for name in NAMES}

    def name(text: str) -> str:
        mentions[text].append(len(mentions[text]))
        return f'<span id="{text.replace(" ", "-")}-{mentions[text][-1]}">{text}</span>'

    out += chapters(
        book,
        chapter=lambda number: f'<h1 id="c{number}">Chapter {number + 1}: a report</h1>',
        name=name,
        note=lambda word, text: f'{word}<span class="note">{html.escape(text)}</span>',
        paragraph=lambda text: f"<p>{text}</p>",
    )
    out.append('<h1>Index</h1><div class="index">')
    for entity in sorted(mentions):
        anchor = entity.replace(" ", "-")
        out.append(f"<p>{entity}: " + ", ".join(f'<a href="#{anchor}-{k}"></a>' for k in mentions[entity]) + "</p>")
    out.append("</div></body></html>")
    return "".join(out)


def as_typst(book: list[list[list[tuple[str, ...]]]]) -> str:
    """The book as Typst markup (the sample's words are letters only: nothing to escape)."""
    out = [
        """#set page(paper: "a4", margin: (top: 22mm, right: 20mm, bottom: 24mm, left: 20mm),
  header: context {
    let before = query(heading.where(level: 1).before(here()))
    if before.len() > 0 [#smallcaps(before.last().body) #h(1fr) #counter(page).display()]
  })
#set text(font: "DejaVu Serif", size: 10.5pt, lang: "en")
#set par(justify: true, leading: 0.6em)
#show heading.where(level: 1): it => { pagebreak(weak: true); it }
#outline()
"""
    ]
    out += chapters(
        book,
        chapter=lambda number: f"= Chapter {number + 1}: a report\n",
        name=lambda text: f'{text}#metadata("{text}")<mention>',
        note=lambda word, text: f"{word}#footnote[{text}]",
        paragraph=lambda text: text + "\n\n",
    )
    out.append("""= Index
#columns(2)[#context {
  let pages = (:)
  for m in query(<mention>) {
    let on = pages.at(m.value, default: ())
    let page = str(m.location().page())
    if on.len() == 0 or on.last() != page { on.push(page) }
    pages.insert(m.value, on)
  }
  for (name, on) in pages.pairs().sorted() [#name: #on.join(", ") #parbreak()]
}]
""")
    return "".join(out)


TYPST_RUN = """
import sys, time, typst
start, start_cpu = time.perf_counter(), time.process_time()
pdf = typst.compile(sys.argv[1])
print(time.perf_counter() - start, time.process_time() - start_cpu)
open(sys.argv[2], "wb").write(pdf)
"""


def typst_run(source: Path, target: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one Typst compilation, in a process of its own: Typst memoises its work within a
    process, and a second compilation of the same text there would reuse the first's."""
    done = subprocess.run(
        [sys.executable, "-c", TYPST_RUN, str(source), str(target)], capture_output=True, text=True, check=True
    )
    wall, cpu = done.stdout.split()
    return float(wall), float(cpu)


def best(action, repeat: int) -> tuple[float, float, bytes]:  # type: ignore[no-untyped-def]
    """The shortest wall time of `repeat` calls, that call's CPU time, and what the last call returned."""
    wall, cpu, result = float("inf"), 0.0, b""
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = action()
        if time.perf_counter() - start < wall:
            wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    return wall, cpu, result


def main(argv: list[str] | None = None) -> int:
    """Set the book with each engine and print pages, seconds and pages per second."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chapters", type=int, default=20, help="chapters of the book (default: 20)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each engine; the best counts (default: 2)")
    args = parser.parse_args(argv)
    book = make_book(args.chapters)
    print(f"{'engine':<32} {'pages':>5} {'wall s':>7} {'CPU s':>7} {'pages/s':>8}")

    import weasyprint

    page = as_html(book)
    wall, cpu, pdf = best(lambda: weasyprint.HTML(string=page).write_pdf(), args.repeat)
    pages = page_count(pdf)
    print(f"{'WeasyPrint ' + weasyprint.__version__:<32} {pages:>5} {wall:>7.2f} {cpu:>7.2f} {pages / wall:>8.1f}")
    try:
        import typst
    except ImportError:
        print("Typst: not installed (pip install typst to measure it)")
        return 0
    with tempfile.TemporaryDirectory(prefix="tei-edition-bench-") as folder:
        source = Path(folder) / "book.typ"
        source.write_text(as_typst(book), encoding="utf-8")
        runs = [typst_run(source, Path(folder) / "book.pdf") for _ in range(args.repeat)]
        wall, cpu = min(runs)
        pages = page_count((Path(folder) / "book.pdf").read_bytes())
    version = getattr(typst, "__version__", "?")
    print(f"{'Typst ' + version:<32} {pages:>5} {wall:>7.2f} {cpu:>7.2f} {pages / wall:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
