"""Decision register: filtering and the Markdown / printable HTML besluitenlijst."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from html.parser import HTMLParser

from services.deliberation.domain.consensus import Agreement, FinalPosition, Position
from services.deliberation.domain.register import (
    RegisterEntry,
    filter_entries,
    matrix_to_url,
    to_html,
    to_markdown,
)

CET = timezone(timedelta(hours=1))
ANNA, BRAM, CEES = "@anna:woonstad.nl", "@bram:woonstad.nl", "@cees:woonstad.nl"
NAMES = {ANNA: "Anna", BRAM: "Bram <b>de Boer</b>"}
THREAD = matrix_to_url("!kamer:woonstad.nl", "$root-event")


def agreement(round_id: int, day: date, topic_id: int = 12, text: str = "Servicekosten per wijk",
              council: str = "woonstad") -> Agreement:
    return Agreement(
        round_id=round_id, council_id=council, topic_id=topic_id, text=text, version=2,
        decided_at=datetime(day.year, day.month, day.day, 20, 30, tzinfo=CET), decided_by=ANNA,
        positions=(FinalPosition(ANNA, Position.EENS),
                   FinalPosition(BRAM, Position.BEDENKING, "volg de kosten per jaar"),
                   FinalPosition(CEES, Position.OPZIJ)),
        absent=("@didi:woonstad.nl",),
    )


ENTRIES = [
    RegisterEntry(agreement(3, date(2025, 3, 10)), "Servicekosten", THREAD),
    RegisterEntry(agreement(1, date(2025, 1, 20), topic_id=4), "Groenonderhoud", None),
    RegisterEntry(agreement(5, date(2025, 4, 1)), "Servicekosten", THREAD),
    RegisterEntry(agreement(6, date(2025, 3, 1), council="andere-raad"), "Elders", None),
]


def test_matrix_to_url_encodes_ids():
    assert THREAD == "https://matrix.to/#/%21kamer%3Awoonstad.nl/%24root-event"
    assert matrix_to_url("!kamer:woonstad.nl") == "https://matrix.to/#/%21kamer%3Awoonstad.nl"


def test_filter_by_period_topic_and_council_oldest_first():
    assert [e.agreement.round_id for e in filter_entries(ENTRIES, council_id="woonstad")] == [1, 3, 5]
    q1 = filter_entries(ENTRIES, start=date(2025, 1, 1), end=date(2025, 3, 31), council_id="woonstad")
    assert [e.agreement.round_id for e in q1] == [1, 3]
    assert [e.agreement.round_id for e in filter_entries(ENTRIES, topic_id=12, council_id="woonstad")] == [3, 5]
    assert [e.agreement.round_id for e in filter_entries(ENTRIES, start=date(2025, 4, 1))] == [5]
    assert [e.agreement.round_id for e in filter_entries(ENTRIES, end=date(2025, 1, 20))] == [1]


def test_markdown_lists_each_decision_with_text_version_date_positions_and_link():
    entries = filter_entries(ENTRIES, start=date(2025, 3, 1), end=date(2025, 3, 31), council_id="woonstad")
    md = to_markdown(entries, council_name="Klantenraad Woonstad Rotterdam", start=date(2025, 3, 1),
                     end=date(2025, 3, 31), display_names=NAMES)
    assert md.startswith("# Besluitenlijst Klantenraad Woonstad Rotterdam\n")
    assert "Periode: zaterdag 1 maart 2025 tot en met maandag 31 maart 2025" in md
    assert "## 1. Servicekosten" in md
    assert "maandag 10 maart 2025" in md
    assert "- Voorstel: versie 2" in md
    assert "> Servicekosten per wijk" in md
    assert "- Anna: eens" in md
    assert "eens, met een bedenking — volg de kosten per jaar" in md
    assert "@cees:woonstad.nl: staat opzij" in md
    assert "Afwezig met bericht: @didi:woonstad.nl" in md
    assert f"[Bekijk de draad in Matrix](<{THREAD}>)" in md


def test_markdown_escapes_user_text():
    evil = RegisterEntry(agreement(9, date(2025, 3, 3), text="[klik](javascript:alert(1)) <script>x</script> **vet**"),
                         "Titel_met_*sterren*", "javascript:alert(1)")
    md = to_markdown([evil], council_name="Raad", display_names=NAMES)
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "\\[klik\\](javascript" in md and "\\*\\*vet\\*\\*" in md
    assert "Titel\\_met\\_\\*sterren\\*" in md
    assert "Bekijk de draad" not in md  # only https links
    assert "Bram &lt;b&gt;de Boer&lt;/b&gt;" in md


def test_empty_register_says_so_in_both_languages():
    assert "Er zijn in deze periode geen besluiten." in to_markdown([], council_name="Raad")
    assert "There are no decisions in this period." in to_html([], council_name="Council", lang="en")


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_a_standalone_printable_page_with_everything_escaped():
    evil = RegisterEntry(agreement(9, date(2025, 3, 3), text="<script>alert('x')</script>\nregel 2"),
                         "<img src=x onerror=alert(1)>", THREAD + '"><script>')
    page = to_html([evil, ENTRIES[0]], council_name="Klantenraad <Woonstad>", display_names=NAMES,
                   start=date(2025, 3, 1))
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"nl\">")
    assert "@media print" in page and "@page" in page and '<meta charset="utf-8">' in page
    parser = _Collect()
    parser.feed(page)
    assert "script" not in parser.tags and "img" not in parser.tags
    text = "".join(parser.text)
    assert "<script>alert('x')</script>" in text  # shown as text
    assert "Klantenraad <Woonstad>" in text and "Bram <b>de Boer</b>" in text
    assert "Vanaf zaterdag 1 maart 2025" in text
    assert "volg de kosten per jaar" in text and "Afwezig met bericht" in text
    assert f'href="{THREAD}"' in page
    assert page.count("<article") == 2


def test_html_in_english():
    page = to_html(ENTRIES[:1], council_name="Customer council", lang="en")
    assert '<html lang="en">' in page
    for fragment in ("Decision list Customer council", "Monday 10 March 2025", "version 2", "agrees, with a concern",
                     "stands aside", "View the thread in Matrix", "Absent with notice"):
        assert fragment in page
