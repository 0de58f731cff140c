"""The passages of an entity's page: read as plain data where the documents are read, rendered by _passages.html
(which an edition can replace with its own), escaped by autoescape."""

from __future__ import annotations

import dataclasses
import pickle
import shutil
from pathlib import Path

from tei_edition.config import load_config
from tei_edition.pipeline import BuildOptions, build_edition
from tei_edition.tei.edition import dump_passages, summarise_passages
from tei_edition.tei.model import Passage
from tei_edition.web.render import make_env
from tei_edition.web.views import Heading

REPO = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).resolve().parent / "data" / "site"


class Group:
    """What _passages.html is given for each document (web.registers.DocumentMentions, without the views)."""

    def __init__(self, heading: Heading, passages: tuple[Passage, ...]):
        self.heading = heading
        self.passages = passages
        self.count = len(passages)


TRICKY = (
    Passage("n1", "…said <", "Stalin", "> & \"Molotov\" said 'no'…"),
    Passage("n2", "no match for the name here", "", ""),
    Passage("n3", "the firm ", "A&B", ", and A&B again"),
)


def test_passages_are_written_as_entity_pages_show_them_with_markup_characters_escaped() -> None:
    env = make_env(load_config(FIXTURE / "edition.toml"))
    groups = [
        Group(Heading("d-1", "documents/d-1/", 'Letter <draft> & "copy"', "1951-11-19", "19 November 1951"), TRICKY),
        Group(Heading("d-2", "documents/d-2/", "Circa", "", "about 1950"), TRICKY[1:2]),
        Group(Heading("d-3", "documents/d-3/", "Undated note", "", ""), TRICKY[2:]),
    ]
    html = env.get_template("_passages.html").module.mention_groups(groups, "../../../")  # type: ignore[attr-defined]
    assert html == (
        '    <section class="mention-group" aria-labelledby="in-d-1">\n'
        '      <h3 id="in-d-1"><a href="../../../documents/d-1/">Letter &lt;draft&gt; &amp; &#34;copy&#34;</a> '
        '<span class="mention-date"><time datetime="1951-11-19">19 November 1951</time></span></h3>\n'
        '      <ol class="passages">\n'
        '        <li><a class="passage" href="../../../documents/d-1/#n1"><span class="passage-snippet">…said &lt;'
        "<mark>Stalin</mark>&gt; &amp; &#34;Molotov&#34; said &#39;no&#39;…</span></a></li>\n"
        '        <li><a class="passage" href="../../../documents/d-1/#n2"><span class="passage-snippet">no match for '
        "the name here<mark></mark></span></a></li>\n"
        '        <li><a class="passage" href="../../../documents/d-1/#n3"><span class="passage-snippet">the firm '
        "<mark>A&amp;B</mark>, and A&amp;B again</span></a></li>\n"
        "      </ol>\n"
        "    </section>\n"
        '    <section class="mention-group" aria-labelledby="in-d-2">\n'
        '      <h3 id="in-d-2"><a href="../../../documents/d-2/">Circa</a> <span class="mention-date">about 1950'
        "</span></h3>\n"
        '      <ol class="passages">\n'
        '        <li><a class="passage" href="../../../documents/d-2/#n2"><span class="passage-snippet">no match for '
        "the name here<mark></mark></span></a></li>\n"
        "      </ol>\n"
        "    </section>\n"
        '    <section class="mention-group" aria-labelledby="in-d-3">\n'
        '      <h3 id="in-d-3"><a href="../../../documents/d-3/">Undated note</a> <span class="mention-date">'
        '<span class="undated">undated</span></span></h3>\n'
        '      <ol class="passages">\n'
        '        <li><a class="passage" href="../../../documents/d-3/#n3"><span class="passage-snippet">the firm '
        "<mark>A&amp;B</mark>, and A&amp;B again</span></a></li>\n"
        "      </ol>\n"
        "    </section>\n"
    )


def test_passages_are_summarised_by_a_hash_of_what_they_hold() -> None:
    summaries, dumped = summarise_passages({"stalin": TRICKY, "mao": TRICKY[1:]})
    assert [(entity_id, count) for entity_id, count, _digest in summaries] == [("stalin", 3), ("mao", 2)]
    assert pickle.loads(dumped["stalin"]) == TRICKY and dumped["mao"] == dump_passages(TRICKY[1:])
    changed, _ = summarise_passages({"stalin": (TRICKY[0]._replace(after="…"), *TRICKY[1:])})
    assert changed[0][2] != summaries[0][2]  # another snippet, another hash: the entity's page is rendered again


def test_an_edition_template_for_the_passages_is_used(tmp_path: Path) -> None:
    edition = tmp_path / "edition"  # the repository's sample edition
    shutil.copytree(REPO / "tei", edition / "tei")
    shutil.copy(REPO / "edition.toml", edition)
    (edition / "templates").mkdir()
    (edition / "templates" / "_passages.html").write_text(
        "{% macro mention_groups(documents, root) %}{% for group in documents %}"
        '<div class="mine" data-type="{{ group.doc.doc_type }}">{{ group.heading.title }}: {{ group.count }}'
        '{% for p in group.passages %}<q>{{ p.match }}|<a href="{{ root }}{{ group.heading.folder }}#{{ p.anchor }}">'
        "</a></q>{% endfor %}</div>\n"
        "{% endfor %}{% endmacro %}",
        encoding="utf-8",
    )
    config = dataclasses.replace(load_config(edition / "edition.toml"), output_dir=tmp_path / "out")
    build_edition(config, BuildOptions(pdf=False))
    page = (tmp_path / "out" / "html" / "persons" / "byrnes" / "index.html").read_text(encoding="utf-8")
    assert 'class="passage-snippet"' not in page
    assert (
        '<div class="mine" data-type="telegram">Telegram from the Ambassador in the Soviet Union (Harriman) to '
        "President Truman and the Secretary of State on the Stalin–Soong talks, Moscow, July 3, 1945: 1"
        '<q>the Secretary of State|<a href="../../documents/1945-07-harriman-truman/#n6"></a></q></div>'
    ) in page
    assert page.count('<div class="mine"') == 2
    # The package's own template for every other page is still used.
    assert 'class="mention-group"' not in page and '<h2 id="mentioned-in">Mentioned in</h2>' in page
