"""The decision list with co-creation: ended scenario rounds (agreement on one option, or "meegedacht") with every
option's positions, standing objections and concerns, every objection and how it ended; and under each topic what
changed because of the council. Escaped like the rest of the list; names and texts, never a count."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

from services.deliberation.domain import messages
from services.deliberation.domain.consensus import Participants
from services.deliberation.domain.influence import InfluenceKind, record_realised
from services.deliberation.domain.register import ScenarioRecord, influence_line, to_html, to_markdown
from services.deliberation.domain.scenarios import OptionSource, ScenarioRound, open_scenarios

messages.register_messages()

CET = timezone(timedelta(hours=1))
T0 = datetime(2026, 3, 2, 19, 30, tzinfo=CET)
ANNA, BRAM, CEES, SEC = "@anna:x.nl", "@bram:x.nl", "@cees:x.nl", "@sec:x.nl"
P = Participants(members=frozenset({ANNA, BRAM, CEES}), secretaries=frozenset({SEC}))
NAMES = {ANNA: "Anna de Vries", BRAM: "Bram <b>Jansen</b>", CEES: "Cees Pinas", SEC: "Secretaris"}


def played(end: str) -> ScenarioRound:
    rnd = open_scenarios(round_id=2, council_id="raad", topic_id=7, title="Drie varianten", opener=SEC,
                         participants=P, at=T0).round
    minute = iter(range(1, 100))

    def at() -> datetime:
        return T0 + timedelta(minutes=next(minute))

    rnd = rnd.add_option(SEC, "Per complex", OptionSource.BESTUUR, participants=P, at=at()).round
    rnd = rnd.add_option(SEC, "Per wijk", participants=P, at=at()).round
    rnd = rnd.add_option(SEC, "Vast bedrag", participants=P, at=at()).round
    rnd = rnd.advance_phase(SEC, participants=P, at=at()).round
    rnd = rnd.give_position(BRAM, 1, "bezwaar", "Ouderen *betalen* meer", participants=P, at=at()).round
    rnd = rnd.give_position(CEES, 3, "bedenking", "Grote woningen te goedkoop", participants=P, at=at()).round
    rnd = rnd.prefer(ANNA, 2, participants=P, at=at()).round
    rnd = rnd.amend_option(SEC, 2, "Per wijk, met plafond", participants=P, at=at()).round
    if end == "input":
        return rnd.end_as_input(SEC, "Graag terug in juni", participants=P, at=at()).round
    for who in (ANNA, BRAM, CEES):
        rnd = rnd.give_position(who, 2, "eens", participants=P, at=at()).round
    rnd = rnd.advance_phase(SEC, participants=P, at=at()).round
    return rnd.decide(SEC, 2, participants=P, quorum=1, at=at()).round


def record(rnd: ScenarioRound) -> ScenarioRecord:
    assert rnd.outcome is not None
    return ScenarioRecord(rnd.outcome, "Servicekosten 2027", rnd.objections, "https://matrix.to/#/%21r/%24e")


def test_an_agreed_scenario_round_lists_every_option_and_what_changed():
    rnd = played("agree")
    changed = record_realised(topic_id=7, score=3, what_changed="Het bestuur nam het plafond over.",
                              recorded_on=date(2026, 6, 1), recorded_by=SEC)
    text = to_markdown([], council_name="Raad", lang="nl", display_names=NAMES, scenarios=[record(rnd)],
                       influence={7: [changed]})
    assert "Er zijn in deze periode geen besluiten." not in text
    assert "## Co-creatie: scenariorondes" in text and "### Scenarioronde 2: Drie varianten" in text
    assert "- Uitkomst: overeenstemming over optie 2" in text
    assert "**Optie 2 (versie 2, scenario van de raad) — hierover is de raad het eens**" in text
    assert "**Optie 1 (versie 1, scenario van het bestuur)**" in text
    assert "- bezwaar van Bram &lt;b&gt;Jansen&lt;/b&gt; staat: Ouderen \\*betalen\\* meer" in text
    assert "- Cees Pinas: eens, met een bedenking — Grote woningen te goedkoop" in text
    assert "Bram &lt;b&gt;Jansen&lt;/b&gt;, op optie 1 versie 1: Ouderen \\*betalen\\* meer (open)" in text
    assert "**Wat veranderde door de raad**" in text and "invloed 3 van 5, aangepast — Het bestuur nam" in text
    assert not re.search(r"\d+\s*(stemmen|votes|keer)", text)
    html = to_html([], council_name="Raad", lang="nl", display_names=NAMES, scenarios=[record(rnd)],
                   influence={7: [changed]})
    assert 'id="scenarios-2"' in html and "Bram &lt;b&gt;Jansen&lt;/b&gt;" in html and "<b>" not in html
    assert '<ul class="influence">' in html


def test_meegedacht_keeps_the_view_on_every_option_and_the_note():
    rnd = played("input")
    text = to_markdown([], council_name="Raad", lang="nl", display_names=NAMES, scenarios=[record(rnd)])
    assert "meegedacht: de mening van de raad over elke optie ging als inbreng naar het bestuur" in text
    assert "> Graag terug in juni" in text
    # A preference outlives a new version of the option (it lapses only when the option is merged).
    assert "- voorkeur van: Anna de Vries" in text
    english = to_markdown([], council_name="Council", lang="en", display_names=NAMES, scenarios=[record(rnd)])
    assert "## Co-creation: scenario rounds" in english and "meegedacht: the council's view" in english


def test_an_influence_line_names_the_kind_in_the_readers_language():
    r = record_realised(topic_id=1, score=5, what_changed="Alles  \n overgenomen.", recorded_on=date(2026, 5, 4),
                        recorded_by=SEC)
    assert r.kind is InfluenceKind.OVERGENOMEN
    assert influence_line(r, NAMES, "nl").endswith("4 mei 2026: invloed 5 van 5, overgenomen — Alles overgenomen.")
    assert "4 May 2026: influence 5 of 5, taken over — Alles overgenomen." in influence_line(r, NAMES, "en")
