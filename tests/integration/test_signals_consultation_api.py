"""Resident consultations on a real database (SQLite, and PostgreSQL in the second pass) beside the real
deliberation service over HTTP: ``!raadpleging``'s API call announces the consultation in the topic's round
thread, residents answer through the public page (scrubbed before storage, contact details apart and only with
consent, CSRF, honeypot, double submission), the running count is edited into the announcement, closing posts
the summary in the topic's current thread, erasure by reference, the outcome e-mailed to residents who asked
(then their details are erased), retention, and bad input."""
from __future__ import annotations

import re
import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from devstack.procs import free_port
from services.signals import actions
from services.signals.models import (
    MAIL_MODEL,
    ConsultationAnswerRow,
    ConsultationContactRow,
    ConsultationRow,
)
from test_signals_api import ANNA, BRAM, CEES, SEC, Service, delib, delib_get, delib_post, svc  # noqa: F401

pytestmark = pytest.mark.postgres

ZONE = ZoneInfo("Europe/Amsterdam")
PII = ["Jan de Boer", "06-12345678", "jan.deboer@example.nl", "Mijnsherenlaan 12"]
ANSWER = ("Ik vind de nieuwe tuinregels goed, maar de heg bij de Tarwehof is te hoog en er ligt veel zwerfafval. "
          "Bel me op 06-12345678, Jan de Boer, Mijnsherenlaan 12.")


def topic_with_round(delib: dict[str, Any], title: str = "Nieuwe tuinregels voor de complexen") -> tuple[int, str]:
    topic = delib_post(delib, "/topics", {"title": title, "actor": SEC})
    assert topic.status_code == 201, topic.json
    rnd = delib_post(delib, "/rounds", {"topic_id": topic.json["id"], "actor": ANNA,
                                        "proposal": "We vragen de corporatie de tuinregels te versoepelen."})
    assert rnd.status_code == 201, rnd.json
    return topic.json["id"], rnd.json["thread_key"]


def open_consultation(svc: Service, command: str, key: str | None = None) -> Any:
    return svc.bot.post("/consultations", {"command": command, "actor": SEC}, key=key or f"${uuid.uuid4().hex}")


def answer(svc: Service, code: str, **fields: str) -> Any:
    token = svc.csrf(f"/raadpleging/{code}")
    data = {"csrf_token": token, "nonce": fields.pop("nonce", uuid.uuid4().hex), **fields}
    return svc.client.post(f"/raadpleging/{code}", data=data)


def far_day(days: int = 10) -> date:
    return (datetime.now(ZONE) + timedelta(days=days)).date()


def test_a_consultation_runs_from_the_command_to_the_summary_in_the_topic_s_thread(svc: Service,
                                                                                     delib: dict[str, Any]):
    topic_id, thread_key = topic_with_round(delib)
    last = far_day()
    resp = open_consultation(svc, f"{topic_id} Wat vindt u van de nieuwe tuinregels? opties: goed | niet goed | "
                                  f"weet niet tot {last.day}-{last.month}-{last.year}", key="$raadpleging-1")
    assert resp.status_code == 201, resp.json
    out = resp.json
    code = out["code"]
    assert re.fullmatch(r"[a-z2-7]{24}", code) and out["url"] == f"https://signalen.example.nl/raadpleging/{code}"
    assert out["options"] == ["goed", "niet goed", "weet niet"] and out["last_day"] == last.isoformat()
    assert out["topic_title"] == "Nieuwe tuinregels voor de complexen" and out["thread_key"] == thread_key
    again = open_consultation(svc, f"{topic_id} Wat vindt u ervan? tot {last.isoformat()}", key="$raadpleging-1")
    assert again.json["code"] == code  # the same command, handled twice: the same consultation
    announce = [m for m in svc.handoff() if m.key == f"signals:consultation:{code}"]
    assert len(announce) == 1 and announce[0].thread_key == thread_key and announce[0].room == "main"
    assert out["url"] in announce[0].body and "0 antwoorden" in announce[0].body

    # Residents answer through the public page.
    page = svc.client.get(f"/raadpleging/{code}").get_data(as_text=True)
    assert "Wat vindt u van de nieuwe tuinregels?" in page and 'type="radio"' in page and "<script" not in page
    first = answer(svc, code, keuze="1", text=ANSWER, buurt="Tarwewijk", email="jan.deboer@example.nl",
                   name="Jan de Boer", consent="y")
    assert first.status_code == 200, first.get_data(as_text=True)[:2000]
    reference = re.search(r'id="reference" class="reference">([0-9A-Z-]+)<', first.get_data(as_text=True)).group(1)
    assert answer(svc, code, keuze="2", buurt="Carnisse").status_code == 200
    assert answer(svc, code, keuze="2", text="Te streng voor ouderen met een tuin.", buurt="Carnisse").status_code == 200
    assert answer(svc, code, text="Meer groen graag, minder tegels.").status_code == 200
    with svc.db.read() as s:
        rows = list(s.scalars(select(ConsultationAnswerRow).order_by(ConsultationAnswerRow.id)))
        contacts = list(s.scalars(select(ConsultationContactRow)))
    assert len(rows) == 4 and [r.option for r in rows] == [0, 1, 1, None]
    assert "[telefoon]" in rows[0].text and rows[0].wijk == "Tarwewijk"
    assert len(contacts) == 1 and contacts[0].email == "jan.deboer@example.nl" and contacts[0].answer_id == rows[0].id
    tables = svc.dump_tables(skip=("signals_consultation_contacts",))
    for item in PII:
        assert item not in tables, item

    # While it runs, the announcement shows the count (one edit for all answers so far).
    now = datetime.now(timezone.utc)
    assert actions.consultations_job(svc.rt, svc.cfg, svc.settings, now) == 1
    assert actions.consultations_job(svc.rt, svc.cfg, svc.settings, now) == 0
    edit = svc.handoff()[-1]
    assert edit.edit_key == f"signals:consultation:{code}" and "4 antwoorden" in edit.body
    assert svc.bot.get(f"/consultations/{code}").json["answers"] == 4

    # The resident erases their answer by reference: it no longer counts, the contact details are gone.
    status = svc.client.get(f"/raadpleging/antwoord/{reference}").get_data(as_text=True)
    assert "[telefoon]" in status and "goed" in status
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', status).group(1)
    erased = svc.client.post(f"/raadpleging/antwoord/{reference}/wissen", data={"csrf_token": token})
    assert erased.status_code == 303
    assert "gewist" in svc.client.get(erased.headers["Location"]).get_data(as_text=True)
    with svc.db.read() as s:
        assert s.scalars(select(ConsultationContactRow)).all() == []
    assert answer(svc, code, keuze="1", text="De heg bij de Tarwehof mag lager, er ligt veel zwerfafval.",
                  buurt="Tarwewijk", email="fatima@example.com", consent="y").status_code == 200

    # Closing time: the job closes it and posts the summary in the topic's thread.
    later = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=ZONE) + timedelta(minutes=1)
    assert actions.consultations_job(svc.rt, svc.cfg, svc.settings, later) == 1
    summary = next(m for m in svc.handoff() if m.key == f"signals:consultation:{code}:summary")
    assert summary.thread_key == thread_key and summary.room == "main"
    body = summary.body
    assert "Raadpleging gesloten" in body and "Aantal antwoorden: 4." in body
    assert "goed: 1" in body and "niet goed: 2" in body and "weet niet: 0" in body
    assert "Tarwewijk: 1" in body and "Carnisse: 2" in body and "wijk niet opgegeven: 1" in body
    assert "Thema's in de 3 toelichtingen" in body and "zwerfafval" in body
    for item in PII:
        assert item not in body
    closed = svc.handoff()[-1]
    assert closed.edit_key == f"signals:consultation:{code}" and "Gesloten" in closed.body
    assert actions.consultations_job(svc.rt, svc.cfg, svc.settings, later) == 0
    late = svc.client.post(f"/raadpleging/{code}", data={"keuze": "1"})
    assert late.status_code == 410 and "gesloten" in late.get_data(as_text=True)
    with svc.db.read() as s:
        row = s.scalar(select(ConsultationRow).where(ConsultationRow.code == code))
        assert row.state == "closed" and '"total": 4' in row.summary
    listed = svc.bot.get(f"/consultations?topic_id={topic_id}").json
    assert [c["code"] for c in listed] == [code] and listed[0]["state"] == "closed"
    assert listed[0]["background"].startswith("Bewonersraadpleging \"Wat vindt u van de nieuwe tuinregels?\": 4 ")
    assert svc.bot.get(f"/consultations?topic_id={topic_id + 100}").json == []

    # The council decides: the resident who left an address hears it, and their details are erased.
    assert actions.consultation_outcomes(svc.rt, svc.cfg, svc.settings, later) == 0
    rid = delib_get(delib, f"/rounds?topic_id={topic_id}").json[0]["id"]
    for who in (ANNA, BRAM, CEES):
        assert delib_post(delib, f"/rounds/{rid}/positions", {"actor": who, "position": "eens"}).status_code == 200
    while delib_get(delib, f"/rounds/{rid}").json["phase"] != "besluitvorming":
        assert delib_post(delib, f"/rounds/{rid}/phase", {"actor": SEC}).status_code == 200
    assert delib_post(delib, f"/rounds/{rid}/decide", {"actor": ANNA}).json["state"] == "akkoord"
    assert actions.consultation_outcomes(svc.rt, svc.cfg, svc.settings, later) == 1
    assert actions.consultation_outcomes(svc.rt, svc.cfg, svc.settings, later) == 0
    with svc.db.read() as s:
        mails = list(s.scalars(select(MAIL_MODEL)))
        assert s.scalars(select(ConsultationContactRow)).all() == []
    mail = next(m for m in mails if "consultation-mail" in m.key)
    assert "fatima@example.com" in mail.payload and "tuinregels te versoepelen" in mail.payload


def test_the_summary_becomes_the_topic_s_background_in_deliberation_even_after_it_was_down(
        svc: Service, delib: dict[str, Any]):
    topic_id, _ = topic_with_round(delib)
    code = open_consultation(svc, f"{topic_id} Mag de binnentuin 's avonds open? opties: ja | nee").json["code"]
    assert answer(svc, code, keuze="1", text="Ja, maar niet na tienen.", buurt="Tarwewijk").status_code == 200
    assert answer(svc, code, keuze="2", buurt="Carnisse").status_code == 200
    now = datetime.now(timezone.utc)
    # Deliberation is down when the consultation closes: the summary still goes to the thread, the background
    # stays owed, and the job keeps it until deliberation answers.
    down = svc.settings.model_copy(update={"service_urls": {**svc.settings.service_urls,
                                                            "deliberation": f"http://127.0.0.1:{free_port()}"}})
    assert actions.close_consultation(svc.rt, svc.cfg, down, code, now).state == "closed"
    assert any(m.key == f"signals:consultation:{code}:summary" for m in svc.handoff())
    assert actions.consultation_backgrounds(svc.rt, svc.cfg, down, now) == 0
    with svc.db.read() as s:
        assert s.scalar(select(ConsultationRow).where(ConsultationRow.code == code)).background_sent_at is None
    rid = delib_get(delib, f"/rounds?topic_id={topic_id}").json[0]["id"]
    assert delib_get(delib, f"/rounds/{rid}").json["background"] == []
    # Deliberation is back: the next turn sends it, once.
    assert actions.consultation_backgrounds(svc.rt, svc.cfg, svc.settings, now) == 1
    assert actions.consultation_backgrounds(svc.rt, svc.cfg, svc.settings, now) == 0
    status = delib_get(delib, f"/rounds/{rid}").json
    assert [b["key"] for b in status["background"]] == [f"signals:consultation:{code}"]
    assert status["background"][0]["source"] == "raadpleging"
    assert status["background_lines"][0].startswith(
        "Achtergrond: Bewonersraadpleging \"Mag de binnentuin 's avonds open?\": 2 antwoorden")
    # Sent again (a retry after a lost answer): still one note. A consultation closing while deliberation is up
    # sends its summary right away.
    info = actions.consultation_info(svc.rt, code)
    assert actions.send_consultation_background(svc.rt, svc.cfg, svc.settings, info, now) == "sent"
    assert len(delib_get(delib, f"/rounds/{rid}").json["background"]) == 1
    other = open_consultation(svc, f"{topic_id} Hoe laat moet de tuin dicht?").json["code"]
    assert svc.bot.post(f"/consultations/{other}/close", {"actor": SEC}).status_code == 200
    assert len(delib_get(delib, f"/rounds/{rid}").json["background"]) == 2
    assert actions.consultation_backgrounds(svc.rt, svc.cfg, svc.settings, now) == 0


def test_without_a_round_the_consultation_goes_to_the_council_room(svc: Service, delib: dict[str, Any]):
    topic = delib_post(delib, "/topics", {"title": "Servicekosten", "actor": SEC}).json
    resp = open_consultation(svc, f"{topic['id']} Hoe vindt u de uitleg over de servicekosten?")
    assert resp.status_code == 201, resp.json
    assert resp.json["thread_key"] is None and resp.json["options"] == []
    assert resp.json["last_day"] == (datetime.now(ZONE).date() + timedelta(days=21)).isoformat()
    code = resp.json["code"]
    msg = next(m for m in svc.handoff() if m.key == f"signals:consultation:{code}")
    assert msg.thread_key is None and msg.room == "main" and f"onderwerp #{topic['id']}" in msg.body
    # An open question needs a text.
    refused = answer(svc, code, text="   ")
    assert refused.status_code == 400 and "Schrijf uw antwoord" in refused.get_data(as_text=True)
    closed = svc.bot.post(f"/consultations/{code}/close", {"actor": SEC})
    assert closed.status_code == 200 and closed.json["state"] == "closed"
    summary = next(m for m in svc.handoff() if m.key == f"signals:consultation:{code}:summary")
    assert summary.thread_key is None and f"onderwerp #{topic['id']}" in summary.body


def test_the_form_s_protections(svc: Service, delib: dict[str, Any]):
    topic_id, _ = topic_with_round(delib)
    code = open_consultation(svc, f"{topic_id} Wat vindt u ervan? opties: ja | nee").json["code"]
    # CSRF
    assert svc.client.post(f"/raadpleging/{code}", data={"keuze": "1"}).status_code == 400
    # honeypot
    assert answer(svc, code, keuze="1", website="http://spam.example").status_code == 400
    # consent and e-mail
    no_consent = answer(svc, code, keuze="1", email="a@example.nl")
    assert no_consent.status_code == 400 and "toestemming" in no_consent.get_data(as_text=True)
    no_mail = answer(svc, code, keuze="1", name="Piet", consent="y")
    assert no_mail.status_code == 400 and "e-mailadres" in no_mail.get_data(as_text=True)
    assert answer(svc, code, keuze="9").status_code == 400
    assert answer(svc, code, keuze="1", buurt="Atlantis").status_code == 400
    assert answer(svc, code, text="x" * 2001).status_code == 400
    # the same submission twice is one answer
    nonce = uuid.uuid4().hex
    assert answer(svc, code, keuze="1", nonce=nonce).status_code == 200
    twice = answer(svc, code, keuze="1", nonce=nonce)
    assert twice.status_code == 200 and "al ontvangen" in twice.get_data(as_text=True)
    assert svc.bot.get(f"/consultations/{code}").json["answers"] == 1
    # unknown codes and references
    assert svc.client.get("/raadpleging/aaaaaaaaaaaaaaaaaaaaaaaa").status_code == 404
    assert svc.client.get("/raadpleging/../signaal").status_code == 404
    assert svc.client.get("/raadpleging/antwoord/0000-0000-0000-0000").status_code == 404
    english = svc.client.get(f"/raadpleging/{code}?lang=en").get_data(as_text=True)
    assert "Resident consultation" in english and 'lang="en"' in english


@pytest.mark.parametrize("command, status, error", [
    ("Wat vindt u?", 422, "signals.consultation.usage"),
    ("999 Wat vindt u ervan?", 404, "signals.consultation.topic_unknown"),
    ("{topic} Wat? ", 422, "signals.consultation.question_short"),
    ("{topic} Wat vindt u ervan? opties: ja", 422, "signals.consultation.option_count"),
    ("{topic} Wat vindt u ervan? opties: ja | Ja", 422, "signals.consultation.option_duplicate"),
    ("{topic} Wat vindt u ervan? tot 1-1-2020", 422, "signals.consultation.closes_past"),
    ("{topic} Wat vindt u ervan? tot 1-1-2099", 422, "signals.consultation.closes_far"),
])
def test_bad_commands_are_refused_with_their_reason(svc: Service, delib: dict[str, Any], command: str, status: int,
                                                    error: str):
    topic = delib_post(delib, "/topics", {"title": "Iets", "actor": SEC}).json
    resp = open_consultation(svc, command.format(topic=topic["id"]))
    assert resp.status_code == status and resp.json["error"] == error, resp.json
    assert svc.partner.post("/consultations", {"command": f"{topic['id']} Wat vindt u ervan?"}).status_code == 403


def test_contact_details_are_erased_after_the_retention_period(svc: Service, delib: dict[str, Any]):
    topic_id, _ = topic_with_round(delib)
    code = open_consultation(svc, f"{topic_id} Wat vindt u ervan? opties: ja | nee").json["code"]
    assert answer(svc, code, keuze="1", email="a@example.nl", consent="y").status_code == 200
    now = datetime.now(timezone.utc)
    actions.close_consultation(svc.rt, svc.cfg, svc.settings, code, now)
    actions.retention(svc.rt, svc.cfg, svc.settings, now + timedelta(days=89))
    with svc.db.read() as s:
        assert len(s.scalars(select(ConsultationContactRow)).all()) == 1
    actions.retention(svc.rt, svc.cfg, svc.settings, now + timedelta(days=91))
    with svc.db.read() as s:
        assert s.scalars(select(ConsultationContactRow)).all() == []
