"""The chronology of the sample edition: the documents by date (primary sources apart from studies) and the events
dated in the texts, without the dates of titles, heads and archival marks ([chronology] in edition.toml)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tei_edition.config import ChronologyConfig, config_from_dict, load_config
from tei_edition.errors import ConfigError
from tei_edition.tei.dates import DateSpan
from tei_edition.tei.edition import collect_edition
from tei_edition.tei.model import DateMention, is_event
from test_browser import CHROMIUM, browser  # noqa: F401 - browser is a fixture
from test_site import build_site, parse, parse_edition, select

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_site(REPO, tmp_path_factory.mktemp("chronology") / "html")


@pytest.fixture(scope="module")
def page(site: Path) -> object:
    return parse(site / "chronology" / "index.html")


def _date(*within: str) -> DateMention:
    return DateMention("n1", "1945", DateSpan(), None, "", 1, within)


def test_dates_in_excluded_parts_are_not_events() -> None:
    exclude = ChronologyConfig().exclude
    assert is_event(_date("text", "body", "div[report]", "p"), exclude)
    assert not is_event(_date("text", "body", "div[post]", "p", "ref", "title"), exclude)
    assert not is_event(_date("text", "body", "div", "head"), exclude)
    assert not is_event(_date("text", "body", "ab[stamp]", "stamp[declassification]"), exclude)
    assert not is_event(_date("text", "back", "note[archival]"), exclude)
    assert is_event(_date("text", "back", "note[editorial]"), exclude)  # only archival notes are left out


def test_exclude_and_studies_are_read_from_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "tei" / "documents").mkdir(parents=True)
    config = config_from_dict(
        {
            "edition": {"title": "T"},
            "chronology": {"exclude": ["head", "div[@type='archivalMarks']"], "studies": ["Blog post"]},
        },
        tmp_path,
    )
    assert config.chronology.exclude == (("head", None), ("div", "archivalMarks"))
    assert config.chronology.studies == ("blog post",)
    assert not is_event(_date("text", "body", "div[archivalMarks]", "ab", "add"), config.chronology.exclude)
    with pytest.raises(ConfigError) as err:
        config_from_dict({"edition": {"title": "T"}, "chronology": {"exclude": ["//tei:head[1]"]}}, tmp_path)
    assert [p.key for p in err.value.problems] == ["chronology.exclude[0]"]
    assert "element name" in str(err.value)


def test_the_sample_leaves_out_its_archival_marks() -> None:
    exclude = load_config(REPO / "edition.toml").chronology.exclude
    assert ("div", "archivalMarks") in exclude and ("stamp", None) in exclude


def test_documents_by_date_primary_sources_apart_from_studies(page: object) -> None:
    groups = {
        section.get("aria-labelledby"): [a.text_content() for a in select(section, ".timeline-title a")]
        for section in select(page, ".document-group")
    }
    assert list(groups) == ["sources", "studies"]
    assert len(groups["sources"]) == 2 and groups["sources"][0].startswith("Telegram from the Ambassador")
    assert "1967" in groups["sources"][1]
    assert [t.split(":")[0] for t in groups["studies"]] == [
        "Stalin, Mao and the Korean armistice talks, 1951–1952",
        "(Korean War History) The Division of Korea, 1945-1948, Post # 6",
    ]
    dates = [d.text_content() for d in select(page, ".dated-document .timeline-date")]
    assert dates == ["3 July 1945", "2 June 1967", "1998", "18 April 2018"]


def test_events_leave_out_titles_and_stamps_and_keep_date_order(page: object) -> None:
    events = select(page, ".chronology-events .timeline-entry")
    assert len(events) == 28
    first = events[0]
    # The blog post's title (The Division of Korea, 1945-1948) is not the first event: its September 1945 is.
    assert select(first, ".timeline-date")[0].text_content() == "September 1945"
    assert "Division of Korea, 1945-1948" not in select(first, ".timeline-snippet")[0].text_content()
    values = [
        (select(e, "time, .date-range")[0].get("datetime") or select(e, "time, .date-range")[0].get("data-range"))
        for e in events
    ]
    assert not any(v.startswith("2002") for v in values)  # the declassification stamp
    assert "1967-05-02" not in values  # the handwritten registration date among the archival marks
    # In date order, a date known only to the month or year before the days of that month or year.
    starts = [tuple(int(part) for part in v.split("/")[0].split("-")) + (0, 0) for v in values]
    assert starts == sorted(starts)
    assert [a.get("href") for a in select(page, ".chronology-views a")] == ["#documents", "#events"]
    assert select(page, "h2#documents") and select(page, "h2#events")


def test_without_exclusions_the_title_and_the_stamp_come_back() -> None:
    config = load_config(REPO / "edition.toml")
    data = collect_edition(config, parse_edition(config))
    kept = [e.date.text for e in data.chronology if is_event(e.date, ())]
    assert "01/11/02" in kept and "1945-1948" in kept
    events = [e.date.text for e in data.chronology if is_event(e.date, config.chronology.exclude)]
    assert "01/11/02" not in events and "1945-1948" not in events and "2.5.1967" not in events


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Chromium is not installed at /usr/bin/chromium")
def test_a_date_that_wraps_leaves_no_gap_between_the_passage_and_its_source(
    browser: object,  # noqa: F811
    site: Path,
) -> None:
    page = browser.new_page(viewport={"width": 1000, "height": 900})
    page.goto((site / "chronology" / "index.html").as_uri())
    # Dates longer than any in the sample, so that each is taller than its passage and source together.
    page.evaluate(
        """() => document.querySelectorAll('.chronology-events .timeline-date time, .chronology-events .date-range')
             .forEach((date) => { date.textContent = 'between 10 September 1945 and 20 September 1945 '.repeat(3); })"""
    )
    # Measured between the texts themselves (a grid cell stretched to a tall row keeps its text at the top).
    gaps = page.evaluate(
        """() => {
             const box = (el) => {
               const range = document.createRange();
               range.selectNodeContents(el);
               return range.getBoundingClientRect();
             };
             return [...document.querySelectorAll('.chronology-events .timeline-entry')].map((entry) => {
               const date = entry.querySelector('.timeline-date');
               const lines = date.getBoundingClientRect().height / parseFloat(getComputedStyle(date).lineHeight);
               return [lines, box(entry.querySelector('.timeline-source')).top
                              - box(entry.querySelector('.timeline-snippet')).bottom];
             });
           }"""
    )
    page.close()
    assert all(lines > 5 for lines, _gap in gaps)  # every date wraps onto many lines
    # The source follows its passage at once (the leading between two lines), whatever the date's height.
    assert all(0 <= gap < 12 for _lines, gap in gaps), gaps
