"""Entity pages write their passages without a template loop: the HTML must be what the loop would write."""

from __future__ import annotations

import pytest
from jinja2 import Environment

from tei_edition.tei.header import DocumentMeta
from tei_edition.tei.model import Mention
from tei_edition.web import registers
from tei_edition.web.documents import DocumentView
from tei_edition.web.registers import mention_group

# The group as a template loop writes it (entity.html's layout of a group, with autoescape).
LOOP = """\
    <section class="mention-group" aria-labelledby="in-{{ doc.id }}">
      <h3 id="in-{{ doc.id }}"><a href="{{ root }}{{ doc.folder }}">{{ doc.title }}</a> <span class="mention-date">\
{% if doc.date_attr %}<time datetime="{{ doc.date_attr }}">{{ doc.date_display }}</time>\
{% elif doc.date_display %}{{ doc.date_display }}{% else %}<span class="undated">undated</span>{% endif %}</span></h3>
      <ol class="passages">
{% for p in passages %}
        <li><a class="passage" href="{{ p.href }}"><span class="passage-snippet">{{ p.before }}<mark>{{ p.match }}\
</mark>{{ p.after }}</span></a></li>
{% endfor %}
      </ol>
    </section>"""


def view(title: str, date_attr: str = "", date_display: str = "") -> DocumentView:
    return DocumentView(
        id="d-1",
        folder="documents/d-1/",
        source="downloads/tei/d-1.xml",
        title=title,
        meta=DocumentMeta(title=title),
        date_iso=date_attr,
        date_attr=date_attr,
        date_display=date_display,
        date_sort=date_attr,
        year=date_attr[:4],
        doc_type="letter",
        people="",
        place="",
        lang="en",
    )


def expected(doc: DocumentView, mentions: list[Mention], root: str) -> str:
    passages = []
    for m in mentions:
        at = m.snippet.find(m.text) if m.text else -1
        before, match, after = (
            (m.snippet, "", "") if at < 0 else (m.snippet[:at], m.text, m.snippet[at + len(m.text) :])
        )
        passages.append({"href": f"{root}{doc.folder}#{m.anchor}", "before": before, "match": match, "after": after})
    env = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return env.from_string(LOOP).render(doc=doc, passages=passages, root=root)


def mention(anchor: str, text: str, snippet: str) -> Mention:
    return Mention("e", "persName", anchor, text, snippet, 1)


TRICKY = [
    mention("n1", "Stalin", "…said <Stalin> & \"Molotov\" said 'no'…"),
    mention("n2", "Mao", "no match for the name here"),
    mention("n3", "", "an empty name"),
    mention("n4", "A&B", "the firm A&B, and A&B again"),
    mention("n5", "amp", "&amp; is how an ampersand is written"),
]


def test_passages_match_the_template_loop_with_markup_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    def careful_way(*args: object) -> None:
        raise AssertionError("texts without control characters take the quick way")

    monkeypatch.setattr(registers, "_split", careful_way)
    for doc in (
        view('Letter <draft> & "copy"', "1951-11-19", "19 November 1951"),
        view("Undated note"),
        view("Circa", "", "about 1950"),
    ):
        assert mention_group(doc, TRICKY, "../../") == expected(doc, TRICKY, "../../")


def test_control_characters_in_a_text_take_the_careful_way() -> None:
    odd = [mention("n1", "Kim", "a \x01 control character before Kim \x05 and after"), *TRICKY]
    doc = view("Report")
    assert mention_group(doc, odd, "../../") == expected(doc, odd, "../../")


def test_packed_mentions_keep_everything_but_the_snippets() -> None:
    import pickle

    from tei_edition.tei.edition import PackedMentions

    mentions = [
        Mention("stalin", "persName", "n1", "Stalin", "… Stalin said …", 12),
        Mention("moscow", "placeName", "n2", "Moscow", "in Moscow", 300),
    ]
    packed = PackedMentions.pack(mentions)
    assert isinstance(packed, PackedMentions)
    assert list(packed) == [
        Mention("stalin", "persName", "n1", "Stalin", "", 12),
        Mention("moscow", "placeName", "n2", "Moscow", "", 300),
    ]
    assert len(packed) == 2 and packed[1].anchor == "n2"
    assert packed.entity_ids() == {"stalin", "moscow"}
    assert list(pickle.loads(pickle.dumps(packed))) == list(packed)
    assert list(PackedMentions.pack([])) == [] and len(PackedMentions.pack([])) == 0
    odd = PackedMentions.pack([Mention("x", "rs", "n3", "a\x1fb", "s", 1)])  # a separator in a text: kept as a list
    assert isinstance(odd, list) and odd[0].text == "a\x1fb" and odd[0].snippet == ""
