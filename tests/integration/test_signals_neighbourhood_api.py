"""Bewonerscommissies and patterns across neighbourhoods, on a real database beside the real deliberation
service over HTTP: a group about one complex and a day-to-day theme is marked as a neighbourhood matter on its
card, ``!doorsturen``'s API call hands it to the complex's commissie (its room, with the scrubbed signals only),
it leaves the council's open list and residents' status pages say to whom; a commissie reached by e-mail gets
one; a group without a commissie stays and says so. The same theme in three wijken within the window gives one
pattern card in the signals room, edited when a wijk joins, and ``!agenderen``'s API call makes it a topic."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from devstack.procs import free_port
from services.deliberation.app import create_app as create_deliberation
from services.deliberation.app import migrate as migrate_deliberation
from services.signals import actions
from services.signals.models import MAIL_MODEL
from shared.db import Database
from shared.settings import Settings
from test_signals_api import (
    ANNA,
    BRAM,
    CEES,
    SEC,
    SLUG,
    TOKENS,
    Served,
    Service,
    all_text,
    deliberation_settings,
    delib_get,
    make_service,
)

pytestmark = pytest.mark.postgres

COMMISSIES = [
    {"id": "tarwehof", "name": "Bewonerscommissie Tarwehof", "complex": "Tarwehof", "wijk": "Tarwewijk",
     "room_id": "!tarwehof:test"},
    {"id": "carnisse", "name": "Bewonerscommissie Carnisse", "wijk": "Carnisse", "email": "bc-carnisse@example.nl"},
]
PII = ["Jan de Boer", "06-12345678", "jan.deboer@example.nl", "Mijnsherenlaan 12", "Fatima Yilmaz",
       "fatima@example.com"]
LEAK_1 = ("Het dak van de Tarwehof in de Tarwewijk lekt al drie weken, het water loopt in de portiek. "
          "Bel mij op 06-12345678. Groet, Jan de Boer, Mijnsherenlaan 12")
LEAK_2 = "Bewoonster Fatima Yilmaz (fatima@example.com) zegt dat het dak van de Tarwehof lekt; de portiek is nat."
T0 = datetime.now(timezone.utc) - timedelta(days=5)


@pytest.fixture
def delib(tmp_path) -> Iterator[dict[str, Any]]:
    """The real deliberation service (as in test_signals_api), with bewonerscommissies in the council's settings."""
    port_delib, port_signals = free_port(), free_port()
    raw = deliberation_settings(port_delib, port_signals)
    raw["councils"][0]["bewonerscommissies"] = COMMISSIES
    settings = Settings(**raw)
    db = Database(f"sqlite:///{tmp_path}/deliberation.db")
    migrate_deliberation(db)
    app = create_deliberation(settings, database=db)
    client = app.test_client()
    admin = {"Authorization": f"Bearer {TOKENS['admin']}"}
    for who, name, secretary in ((ANNA, "Anna", False), (BRAM, "Bram", False), (CEES, "Cees", False),
                                 (SEC, "Secretaris", True)):
        resp = client.post(f"/api/v1/councils/{SLUG}/members", headers=admin, json={
            "matrix_id": who, "display_name": name, "member_type": "huurder", "customer_group": "Zuid",
            "secretary": secretary})
        assert resp.status_code == 201, resp.json
    served = Served(app, port_delib)
    try:
        yield {"settings": settings, "client": client, "port": port_delib, "port_signals": port_signals}
    finally:
        served.stop()
        db.dispose()


@pytest.fixture
def svc(database_url: str, delib: dict[str, Any]) -> Iterator[Service]:
    service = make_service(database_url, delib)
    yield service
    service.db.dispose()


def forward(svc: Service, number: int, commissie: str | None = None, actor: str = ANNA) -> Any:
    return svc.bot.post(f"/clusters/{number}/forward", {"commissie": commissie, "actor": actor},
                        key=f"${uuid.uuid4().hex}")


def test_a_neighbourhood_matter_is_marked_and_handed_to_its_commissie(svc: Service):
    a = svc.send(LEAK_1, at=T0, contact={"email": "jan.deboer@example.nl", "consent": True})
    svc.send(LEAK_2, at=T0 + timedelta(hours=3))
    number = a["signal"]["cluster_id"]
    cards = [m for m in svc.handoff() if m.edit_key == f"signals:cluster:{SLUG}:{number}"]
    assert "Buurtzaak (Tarwehof, Tarwewijk): hoort bij Bewonerscommissie Tarwehof" in cards[-1].body, cards[-1].body
    assert [c["id"] for c in svc.bot.get("/clusters/open").json] == [number]

    resp = forward(svc, number)
    assert resp.status_code == 200, resp.json
    assert resp.json["changed"] and resp.json["commissie"] == "Bewonerscommissie Tarwehof" and resp.json["by_room"]
    assert resp.json["cluster"]["forwarded_to"] == "Bewonerscommissie Tarwehof"
    messages = svc.handoff()
    handed = [m for m in messages if m.room == "!tarwehof:test"]
    assert len(handed) == 1 and handed[0].thread_key is None
    body = handed[0].body
    assert "Doorgestuurd door de raad aan Bewonerscommissie Tarwehof" in body and "2 signalen" in body
    assert "Tarwehof" in body and "[telefoon]" in body
    for item in PII:
        assert item not in all_text(messages), item
    assert any("Doorgestuurd aan Bewonerscommissie Tarwehof" in m.body and m.edit_key for m in messages)
    notice = next(m for m in messages if m.key.endswith(":notice"))
    assert notice.thread_key == f"signals:cluster:{SLUG}:{number}" and "open lijst" in notice.body
    # It left the council's open list; the residents' status page and e-mail say to whom.
    assert svc.bot.get("/clusters/open").json == []
    page = svc.client.get(f"/signaal/{a['reference']}?lang=nl").get_data(as_text=True)
    assert "Doorgestuurd aan Bewonerscommissie Tarwehof" in page
    with svc.db.read() as s:
        mails = [m.payload for m in s.scalars(select(MAIL_MODEL))]
    assert any("jan.deboer@example.nl" in m and "bewonerscommissie" in m for m in mails)
    # Again: nothing is sent twice.
    again = forward(svc, number)
    assert again.status_code == 200 and again.json["changed"] is False
    assert len([m for m in svc.handoff() if m.room == "!tarwehof:test"]) == 1


def test_a_commissie_without_a_room_gets_an_e_mail_and_a_group_without_one_stays(svc: Service):
    carnisse = svc.send("Al weken ligt er zwerfafval en vuil in de portieken in Carnisse, het trappenhuis is vies.",
                        at=T0, wijk="Carnisse")
    number = carnisse["signal"]["cluster_id"]
    card = next(m for m in svc.handoff() if m.key == f"signals:cluster:{SLUG}:{number}")
    assert "hoort bij Bewonerscommissie Carnisse" in card.body, card.body
    resp = forward(svc, number)
    assert resp.status_code == 200 and resp.json["by_email"] and not resp.json["by_room"], resp.json
    with svc.db.read() as s:
        mail = next(m.payload for m in s.scalars(select(MAIL_MODEL)) if "bc-carnisse@example.nl" in m.payload)
    assert "Signalen van bewoners" in mail and "zwerfafval" in mail

    bloemhof = svc.send("Het trappenhuis is vies en wordt nooit schoongemaakt, in Bloemhof.", at=T0, wijk="Bloemhof")
    other = bloemhof["signal"]["cluster_id"]
    card = next(m for m in svc.handoff() if m.key == f"signals:cluster:{SLUG}:{other}")
    assert "geen bewonerscommissie ingesteld: blijft bij de raad" in card.body, card.body
    refused = forward(svc, other)
    assert refused.status_code == 409 and refused.json["error"] == "signals.neighbourhood.no_commissie_here"
    assert other in [c["id"] for c in svc.bot.get("/clusters/open").json]
    # By hand, naming a commissie, any group goes.
    assert forward(svc, other, "carnisse").json["commissie"] == "Bewonerscommissie Carnisse"
    unknown = forward(svc, other, "atlantis")
    assert unknown.status_code == 404 and unknown.json["error"] == "signals.neighbourhood.commissie_unknown"
    assert forward(svc, other, actor="@stranger:test").status_code == 403


def test_the_same_theme_in_three_wijken_is_one_pattern_card_that_goes_on_the_agenda(svc: Service,
                                                                                   delib: dict[str, Any]):
    now = datetime.now(timezone.utc)
    texts = {"Bloemhof": "Ratten bij de containers in Bloemhof, de buurt zit vol ongedierte.",
             "Hillesluis": "In Hillesluis lopen ratten door de bergingen, ongedierte overal.",
             "Afrikaanderwijk": "Ratten en muizen in de Afrikaanderwijk, het ongedierte wordt erger.",
             "Carnisse": "Ook in Carnisse ratten in de tuinen, ongedierte bij de schuurtjes."}
    numbers = {}
    for i, (wijk, text) in enumerate(list(texts.items())[:2]):
        numbers[wijk] = svc.send(text, at=now - timedelta(days=3 - i), wijk=wijk)["signal"]["cluster_id"]
    assert actions.refresh_patterns(svc.rt, svc.cfg, svc.settings, SLUG, now) == 0  # two wijken: no pattern
    wijk, text = list(texts.items())[2]
    numbers[wijk] = svc.send(text, at=now - timedelta(days=1), wijk=wijk)["signal"]["cluster_id"]
    assert len(set(numbers.values())) == 3
    assert actions.refresh_patterns(svc.rt, svc.cfg, svc.settings, SLUG, now) == 1
    assert actions.refresh_patterns(svc.rt, svc.cfg, svc.settings, SLUG, now) == 0  # nothing changed
    card = next(m for m in svc.handoff() if m.key.startswith("signals:pattern:"))
    assert card.room == "signals" and card.edit_key is None
    assert "Patroon: Schoonmaak, groen & ongedierte in 3 wijken" in card.body, card.body
    assert "!agenderen" in card.body and all(w in card.body for w in numbers)
    patterns = svc.bot.get("/patterns").json
    assert len(patterns) == 1 and sorted(patterns[0]["wijken"]) == sorted(numbers)
    assert patterns[0]["card_key"] == card.key

    # A fourth wijk joins: the card is edited, not posted again.
    numbers["Carnisse"] = svc.send(texts["Carnisse"], at=now, wijk="Carnisse")["signal"]["cluster_id"]
    assert actions.refresh_patterns(svc.rt, svc.cfg, svc.settings, SLUG, now) == 1
    edit = [m for m in svc.handoff() if m.edit_key == card.key][-1]
    assert "in 4 wijken" in edit.body and "Carnisse" in edit.body
    assert len([m for m in svc.handoff() if m.key == card.key]) == 1

    # !agenderen on the pattern: a council topic with the pattern as background.
    pattern_id = patterns[0]["id"]
    resp = svc.bot.post(f"/patterns/{pattern_id}/agenda", {"actor": ANNA}, key="$patroon")
    assert resp.status_code == 200 and resp.json["changed"], resp.json
    topic_id = resp.json["pattern"]["topic_id"]
    topic = delib_get(delib, f"/topics/{topic_id}").json
    assert topic["title"] == "Schoonmaak, groen & ongedierte in 4 wijken" and topic["source_ref"] == card.key
    assert "Bloemhof" in topic["evidence"] and re.search(r"#\d+", topic["evidence"])
    again = svc.bot.post(f"/patterns/{pattern_id}/agenda", {"actor": BRAM}, key="$patroon-2")
    assert again.json["changed"] is False and again.json["pattern"]["topic_id"] == topic_id
    assert f"onderwerp #{topic_id}" in [m for m in svc.handoff() if m.edit_key == card.key][-1].body
    assert svc.bot.post("/patterns/pattern-x-0000000000/agenda", {"actor": ANNA}).status_code == 404

    # Outside the window the pattern is gone from the list.
    later = now + timedelta(days=70)
    actions.refresh_patterns(svc.rt, svc.cfg, svc.settings, SLUG, later)
    assert svc.bot.get("/patterns").json == []
