"""The deliberation API on a real database (SQLite, and PostgreSQL in the second pass): roster and
afspiegeling, applications, the agenda cap, rounds, idempotency, the register export, the deadlines feed,
the background jobs, the outbox, and refusals of bad input as JSON 4xx."""
from __future__ import annotations

import re
import threading
import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from services.deliberation import actions as delib_actions
from services.deliberation import jobs, store
from services.deliberation.domain.consensus import Participants
from services.deliberation.app import create_app, migrate
from services.deliberation.models import RUNTIME_MODELS, RoundEventRow, TopicScoreRow
from shared.db import Database
from shared.outbox import QueueStore
from shared.settings import Settings
from shared.service import set_clock

pytestmark = pytest.mark.postgres

AMS = ZoneInfo("Europe/Amsterdam")
SLUG = "raad"
SEC = "@secretaris:test"
ANNA, BRAM, CEES, DIRK = "@anna:test", "@bram:test", "@cees:test", "@dirk:test"
NAMES = {ANNA: "Anna de Vries", BRAM: "Bram Jansen", CEES: "Cees Pinas", DIRK: "Dirk Bakker", SEC: "Secretaris"}
TOKENS = {"admin": "t-admin", "bot": "t-bot", "signals": "t-signals", "calendar": "t-calendar",
          "deliberation": "t-delib", "partner": "t-partner"}


class Caller:
    """The test client speaking as one caller (bot, admin, …)."""

    def __init__(self, client: Any, token: str | None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def url(self, path: str, slug: str = SLUG) -> str:
        return f"/api/v1/councils/{slug}{path}"

    def post(self, path: str, body: Any = None, *, key: str | None = None, slug: str = SLUG, **kw: Any) -> Any:
        headers = dict(self.headers)
        if key:
            headers["Idempotency-Key"] = key
        headers.update(kw.pop("headers", {}))
        return self.client.post(self.url(path, slug), json=body, headers=headers, **kw)

    def get(self, path: str, *, slug: str = SLUG, **kw: Any) -> Any:
        headers = {**self.headers, **kw.pop("headers", {})}
        return self.client.get(self.url(path, slug), headers=headers, **kw)

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(self.url(path), json=body, headers=self.headers)


class Council:
    def __init__(self, app: Any, db: Database, settings: Settings) -> None:
        self.app, self.db, self.settings = app, db, settings
        client = app.test_client()
        self.bot = Caller(client, TOKENS["bot"])
        self.admin = Caller(client, TOKENS["admin"])
        self.signals = Caller(client, TOKENS["signals"])
        self.calendar = Caller(client, TOKENS["calendar"])
        self.anonymous = Caller(client, None)
        self.client = client

    @property
    def runtime(self) -> Any:
        return self.app.extensions["overleg_runtime"]

    def seed(self) -> None:
        for who, group in ((ANNA, "Zuid, 65+"), (BRAM, "Noord, jongeren"), (CEES, "Centrum"), (DIRK, "Bedrijven")):
            resp = self.admin.post("/members", {"matrix_id": who, "display_name": NAMES[who], "member_type": "huurder",
                                                "customer_group": group, "secretary": False})
            assert resp.status_code == 201, resp.json
        resp = self.admin.post("/members", {"matrix_id": SEC, "display_name": NAMES[SEC], "member_type": "huurder",
                                            "customer_group": "Algemeen", "secretary": True})
        assert resp.status_code == 201, resp.json

    def topic(self, title: str, *, actor: str = ANNA) -> int:
        resp = self.bot.post("/topics", {"title": title, "actor": actor}, key=f"$t-{uuid.uuid4().hex}")
        assert resp.status_code == 201, resp.json
        return resp.json["id"]

    def open_round(self, title: str = "Servicekosten per wijk", proposal: str = "We vragen om een overzicht per wijk.",
                   actor: str = ANNA) -> dict[str, Any]:
        topic_id = self.topic(title, actor=actor)
        resp = self.bot.post("/rounds", {"topic_id": topic_id, "proposal": proposal, "actor": actor},
                             key=f"$r-{uuid.uuid4().hex}")
        assert resp.status_code == 201, resp.json
        return resp.json

    def say(self, round_id: int, actor: str, position: str, text: str | None = None, key: str | None = None) -> Any:
        return self.bot.post(f"/rounds/{round_id}/positions", {"actor": actor, "position": position, "text": text},
                             key=key or f"${uuid.uuid4().hex}")

    def act(self, round_id: int, what: str, actor: str = SEC, **body: Any) -> Any:
        return self.bot.post(f"/rounds/{round_id}/{what}", {"actor": actor, **body}, key=f"${uuid.uuid4().hex}")

    def handoff(self) -> list[dict[str, Any]]:
        model = RUNTIME_MODELS[0]
        with self.db.read() as s:
            return [QueueStore.message(r).model_dump() for r in s.scalars(select(model).order_by(model.id))]

    def event_count(self, round_id: int) -> int:
        with self.db.read() as s:
            return s.scalar(select(func.count()).select_from(RoundEventRow).where(RoundEventRow.round_id == round_id))


@pytest.fixture
def council(database_url: str) -> Any:
    settings = Settings(
        api_tokens=TOKENS,
        service_urls={"bot": "http://127.0.0.1:9", "deliberation": "http://127.0.0.1:9",
                      "calendar": "http://127.0.0.1:9", "signals": "http://127.0.0.1:9"},
        councils=[{"slug": SLUG, "name": "Klantenraad Test", "rooms": {"main": "!main:test"}, "secretaries": [SEC]},
                  {"slug": "anders", "name": "Andere raad", "rooms": {"main": "!other:test"}}],
    )
    db = Database(database_url)
    migrate(db)
    app = create_app(settings, database=db)
    yield Council(app, db, settings)
    db.dispose()


@pytest.fixture
def seeded(council: Council) -> Council:
    council.seed()
    return council


def agree_all(c: Council, round_id: int, concern_by: str | None = None) -> None:
    for who in (ANNA, BRAM, CEES, DIRK):
        if who == concern_by:
            assert c.say(round_id, who, "bedenking", "Let op de kosten voor ouderen.").status_code == 200
        else:
            assert c.say(round_id, who, "eens").status_code == 200


def to_besluitvorming(c: Council, round_id: int) -> None:
    while c.bot.get(f"/rounds/{round_id}").json["phase"] != "besluitvorming":
        assert c.act(round_id, "phase").status_code == 200


# --------------------------------------------------------------------------- roster


def test_seeding_endpoint_and_afspiegeling(seeded: Council):
    c = seeded
    again = c.admin.post("/members", {"matrix_id": ANNA, "display_name": "Anna", "member_type": "huurder",
                                      "customer_group": "Zuid, 65+", "secretary": False})
    assert again.status_code == 409 and again.json["error"] == "delib.member.exists"
    # A seat for a group nobody holds yet: the afspiegeling names it.
    seat = c.admin.post("/seats", {"age_band": "18-30", "area": "Feijenoord"})
    assert seat.status_code == 201 and seat.json["group"] == "18-30 · Feijenoord"
    roster = c.bot.get("/members").json
    held = {s["group"]: s["holder"]["display_name"] for s in roster["seats"] if s["holder"]}
    assert held == {"Zuid, 65+": "Anna de Vries", "Noord, jongeren": "Bram Jansen", "Centrum": "Cees Pinas",
                    "Bedrijven": "Dirk Bakker"}
    assert roster["vacant_seats"] == [seat.json["id"]]
    assert roster["unrepresented_groups"] == ["18-30 · Feijenoord"]
    # The secretary facilitates: no seat, listed apart.
    assert [p["matrix_id"] for p in roster["members_without_seat"]] == [SEC]
    secretary = next(m for m in roster["members"] if m["matrix_id"] == SEC)
    assert secretary["secretary"] and secretary["seat_id"] is None and secretary["customer_group"] == "Algemeen"


def test_the_bot_adds_members_only_for_a_secretary(seeded: Council):
    c = seeded
    body = {"matrix_id": "@eva:test", "member_type": "koper", "seat_id": None}
    assert c.bot.post("/members", body).json["error"] == "delib.api.actor_required"
    refused = c.bot.post("/members", {**body, "actor": ANNA})
    assert refused.status_code == 403 and refused.json["error"] == "delib.api.secretary_only"
    added = c.bot.post("/members", {**body, "actor": SEC}, key="$lid1")
    assert added.status_code == 201 and added.json["display_name"] == "eva" and added.json["member_type"] == "koper"
    taken = c.bot.post("/members", {"matrix_id": "@fien:test", "member_type": "huurder", "seat_id": 1, "actor": SEC})
    assert taken.status_code == 409 and taken.json["error"] == "delib.seat.taken"
    assert "Anna de Vries" in taken.json["message"]


def test_updating_a_member_frees_a_seat(seeded: Council):
    c = seeded
    resp = c.admin.patch(f"/members/{BRAM}", {"display_name": "Bram J.", "seat_id": None, "language": "en"})
    assert resp.status_code == 200 and resp.json["seat_id"] is None and resp.json["language"] == "en"
    roster = c.admin.get("/members").json
    assert roster["unrepresented_groups"] == ["Noord, jongeren"]
    assert c.admin.patch("/members/@nobody:test", {"display_name": "x"}).status_code == 404
    assert c.admin.patch("/members/not-a-matrix-id", {"display_name": "x"}).status_code == 422
    assert c.bot.patch(f"/members/{BRAM}", {"display_name": "x"}).status_code == 403


# --------------------------------------------------------------------------- applications


def test_an_appointed_member_not_in_the_chat_yet_does_not_block_and_is_welcomed_on_joining(seeded: Council):
    c = seeded
    c.admin.post("/seats", {"area": "Charlois"})
    receipt = c.anonymous.post("/applications", {"name": "Fatima El Amrani", "member_type": "huurder",
                                                 "matrix_id": "@fatima:test"}).json
    step = c.bot.post(f"/applications/{receipt['id']}/status", {"status": "gesprek", "actor": SEC,
                                                                "note": "Sterke motivatie, gesprek op 3 maart."})
    assert step.status_code == 200 and step.json["note"] == "Sterke motivatie, gesprek op 3 maart."
    refused = c.bot.post(f"/applications/{receipt['id']}/status", {"status": "benoemd", "actor": BRAM})
    assert refused.status_code == 403
    assert c.bot.post(f"/applications/{receipt['id']}/status", {"status": "benoemd", "actor": SEC}).status_code == 200

    rid = c.open_round()["id"]
    status = c.bot.get(f"/rounds/{rid}").json
    assert [p["display_name"] for p in status["not_in_chat"]] == ["Fatima El Amrani"]
    assert "Fatima El Amrani" not in {p["display_name"] for p in status["not_responded"]}
    agree_all(c, rid)
    to_besluitvorming(c, rid)
    assert c.bot.get(f"/rounds/{rid}").json["can_record_agreement"] is True  # nobody waits for her

    outsider = c.bot.post("/chat-joins", {"matrix_id": "@buurman:test"}).json
    assert outsider == {"matrix_id": "@buurman:test", "member": False, "welcomed": False}
    assert c.bot.post("/chat-joins", {"matrix_id": ANNA}).json["welcomed"] is False  # in the chat already
    joined = c.bot.post("/chat-joins", {"matrix_id": "@fatima:test"}).json
    assert joined == {"matrix_id": "@fatima:test", "member": True, "welcomed": True}
    assert c.bot.post("/chat-joins", {"matrix_id": "@fatima:test"}).json["welcomed"] is False  # once
    messages = c.handoff()
    [welcome] = [m for m in messages if ":welcome:" in m["key"]]
    assert welcome["room"] == "main" and welcome["mentions"] == ["@fatima:test"]
    assert welcome["body"].startswith("Welkom in de raad, Fatima El Amrani!")
    [howto] = [m for m in messages if ":howto:" in m["key"]]
    assert howto["dm_to"] == "@fatima:test" and "minstens 3 leden aanwezig" in howto["body"]
    assert "fatima" not in welcome["key"] and "fatima" not in howto["key"]
    # Now she is waited for like everyone else.
    status = c.bot.get(f"/rounds/{rid}").json
    assert status["not_in_chat"] == [] and [p["display_name"] for p in status["not_responded"]] == ["Fatima El Amrani"]
    assert status["can_record_agreement"] is False


def test_applications_lifecycle_appointing_fills_a_seat(seeded: Council, monkeypatch: pytest.MonkeyPatch):
    c = seeded
    seat = c.admin.post("/seats", {"area": "Charlois"}).json
    receipt = c.anonymous.post("/applications", {"name": "Fatima El Amrani", "member_type": "huurder",
                                                 "contact": "fatima@example.org", "motivation": "Ik wil meedenken.",
                                                 "matrix_id": "@fatima:test"})
    assert receipt.status_code == 201 and set(receipt.json) == {"id", "status"}
    app_id = receipt.json["id"]
    # Strict limits on the public form.
    assert c.anonymous.post("/applications", {"name": "x\x00y", "member_type": "huurder"}).status_code == 400
    assert c.anonymous.post("/applications", {"name": "x" * 121, "member_type": "huurder"}).status_code == 400
    assert c.anonymous.post("/applications", {"name": "Jan", "member_type": "huurder", "is_admin": True}).status_code == 400
    assert c.anonymous.post("/applications", {"name": "Jan", "member_type": "baas"}).status_code == 400
    assert c.anonymous.get("/applications").status_code == 401
    # Through the chat only the secretary sees applications (they hold contact details).
    assert c.bot.get("/applications").status_code == 422
    member_asks = c.bot.get(f"/applications?actor={BRAM}")
    assert member_asks.status_code == 403 and member_asks.json["error"] == "delib.api.secretary_only_applications"
    assert [a["name"] for a in c.bot.get(f"/applications?actor={SEC}").json] == ["Fatima El Amrani"]

    early = c.admin.post(f"/applications/{app_id}/status", {"status": "benoemd"})
    assert early.status_code == 409 and early.json["error"] == "delib.application.bad_transition"
    assert c.admin.post(f"/applications/{app_id}/status", {"status": "gesprek"}).json["status"] == "gesprek"
    appointed = c.admin.post(f"/applications/{app_id}/status", {"status": "benoemd", "seat_id": seat["id"]})
    assert appointed.status_code == 200 and appointed.json["seat_id"] == seat["id"]
    holder = next(s for s in c.admin.get("/members").json["seats"] if s["id"] == seat["id"])["holder"]
    assert holder == {"matrix_id": "@fatima:test", "display_name": "Fatima El Amrani"}
    assert c.admin.post(f"/applications/{app_id}/status", {"status": "niet_benoemd"}).status_code == 409
    assert c.admin.post("/applications/999999/status", {"status": "gesprek"}).status_code == 404
    assert c.admin.post(f"/applications/{app_id}/status", {"status": "gesprek"}, slug="anders").status_code == 404

    listed = c.admin.get("/applications?status=benoemd").json
    assert [a["id"] for a in listed] == [app_id] and listed[0]["status_label"] == "benoemd"
    # The bot invites her to the council's room and the room is told; she is not in the chat yet.
    posted = {m["key"]: m for m in c.handoff()}
    invite = posted[f"delib:member:{SLUG}:app{app_id}:invite"]
    assert invite["kind"] == "invite" and invite["invite_user"] == "@fatima:test" and invite["room"] == "main"
    announced = posted[f"delib:member:{SLUG}:app{app_id}:appointed"]["body"]
    assert "Fatima El Amrani is benoemd in de raad: zetel" in announced and "nog niet in de chat" in announced
    fatima = next(m for m in c.admin.get("/members").json["members"] if m["matrix_id"] == "@fatima:test")
    assert fatima["in_chat"] is False

    monkeypatch.setattr(delib_actions, "MAX_APPLICATIONS_PER_DAY", 1)
    flood = c.anonymous.post("/applications", {"name": "Nog een", "member_type": "koper"})
    assert flood.status_code == 429 and flood.json["error"] == "delib.api.too_many_applications"


# --------------------------------------------------------------------------- the agenda


def test_the_cap_on_active_topics_refuses_with_the_active_list(seeded: Council):
    c = seeded
    ids = [c.topic(f"Onderwerp {i}") for i in range(6)]
    for topic_id in ids[:5]:
        assert c.bot.post(f"/topics/{topic_id}/activate", {"actor": BRAM}).status_code == 200
    refused = c.bot.post(f"/topics/{ids[5]}/activate", {"actor": BRAM})
    assert refused.status_code == 409 and refused.json["error"] == "delib.agenda.cap_reached"
    assert refused.json["params"]["active_topic_ids"] == ids[:5]
    for i in range(5):
        assert f"#{ids[i]} Onderwerp {i}" in refused.json["message"]
    # Park one, and the sixth fits.
    assert c.bot.post(f"/topics/{ids[0]}/park", {"actor": BRAM}).json["status"] == "geparkeerd"
    assert c.bot.post(f"/topics/{ids[5]}/activate", {"actor": BRAM}).json["status"] == "actief"
    # A round on a waiting topic activates it first, so the cap holds there too.
    full = c.bot.post("/rounds", {"topic_id": ids[0], "proposal": "Toch doen", "actor": ANNA}, key="$cap-round")
    assert full.status_code == 409 and full.json["error"] == "delib.agenda.cap_reached"


def test_the_agenda_ranks_on_importance_and_influence(seeded: Council):
    c = seeded
    low, high, unscored = c.topic("Laag"), c.topic("Hoog"), c.topic("Nog niet")
    assert c.bot.post(f"/topics/{low}/score", {"importance": 2, "influence": 2, "actor": CEES}).status_code == 200
    scored = c.bot.post(f"/topics/{high}/score", {"importance": 5, "influence": 4, "actor": CEES})
    assert scored.json["score_line"] == "belang 5 · invloed 4 (1 lid scoorde)"
    bad = c.bot.post(f"/topics/{high}/score", {"importance": 6, "influence": 4, "actor": CEES})
    assert bad.status_code == 422 and bad.json["error"] == "delib.topic.importance_range"
    view = c.bot.get("/agenda").json
    assert [i["id"] for i in view["waiting"]] == [high, low, unscored] and view["cap"] == 5
    english = c.bot.get("/agenda", headers={"Accept-Language": "en"}).json
    assert english["waiting"][0]["score_line"] == "importance 5 · influence 4 (1 member scored)"


def test_agenda_scores_are_the_councils_median_one_per_member(seeded: Council):
    """Each member scores once (a new score replaces their own); the agenda shows the median and how many scored."""
    c = seeded
    topic = c.topic("Groen in de wijk")
    for who, importance, influence in ((ANNA, 2, 5), (BRAM, 4, 3), (CEES, 5, 1)):
        assert c.bot.post(f"/topics/{topic}/score", {"importance": importance, "influence": influence,
                                                     "actor": who}, key=f"$s-{uuid.uuid4().hex}").status_code == 200
    item = next(i for i in c.bot.get("/agenda").json["waiting"] if i["id"] == topic)
    assert (item["importance"], item["influence"], item["scored_by"]) == (4, 3, 3)
    assert item["score_line"] == "belang 4 · invloed 3 (mediaan van de raad, 3 leden scoorden)"
    # Anna changes her mind: her score is replaced, not added; the last scorer does not decide alone.
    again = c.bot.post(f"/topics/{topic}/score", {"importance": 5, "influence": 4, "actor": ANNA},
                       key=f"$s-{uuid.uuid4().hex}").json
    assert (again["importance"], again["influence"], again["scored_by"]) == (5, 3, 3)
    assert c.bot.post(f"/topics/{topic}/score", {"importance": 1, "influence": 1, "actor": DIRK},
                      key=f"$s-{uuid.uuid4().hex}").json["score_line"] == (
        "belang 4,5 · invloed 2 (mediaan van de raad, 4 leden scoorden)")
    english = c.bot.get(f"/topics/{topic}", headers={"Accept-Language": "en"}).json
    assert english["score_line"] == "importance 4.5 · influence 2 (the council's median, 4 members scored)"
    with c.db.read() as s:
        assert s.scalar(select(func.count()).select_from(TopicScoreRow)) == 4


def test_non_members_change_nothing_on_the_agenda(seeded: Council):
    c = seeded
    refused = c.bot.post("/topics", {"title": "Van buiten", "actor": "@buurman:test"})
    assert refused.status_code == 403 and refused.json["error"] == "delib.not_member"
    assert refused.json["message"].startswith("Je staat niet (meer) op de ledenlijst")
    assert c.bot.get("/topics").json == []


# --------------------------------------------------------------------------- rounds


def test_a_round_through_the_api(seeded: Council):
    c = seeded
    opened = c.open_round()
    rid, topic_id = opened["id"], opened["topic_id"]
    assert opened["phase"] == "beeldvorming" and opened["version"] == 1 and opened["thread_key"] == f"delib:round:{SLUG}:{rid}"
    assert {p["display_name"] for p in opened["not_responded"]} == {NAMES[m] for m in (ANNA, BRAM, CEES, DIRK)}
    assert c.bot.get(f"/topics/{topic_id}").json["status"] == "in_ronde"

    objection = c.say(rid, BRAM, "bezwaar", "Dit is te duur voor huurders met een laag inkomen.")
    assert objection.json["open_objections"] == [{"id": 1, "matrix_id": BRAM, "display_name": "Bram Jansen",
                                                   "argument": "Dit is te duur voor huurders met een laag inkomen.",
                                                   "version": 1, "asked_about_version": None}]
    refused = c.act(rid, "decide", ANNA)
    assert refused.status_code == 409 and refused.json["error"] == "delib.decide.not_ready"
    message = refused.json["message"]
    assert "bezwaar 1 van Bram Jansen staat nog open" in message and "beeldvorming" in message
    assert "Anna de Vries" in message and "@anna" not in message
    assert refused.json["params"]["open_objections"] == [1]

    # The secretary facilitates but takes no position.
    sec = c.say(rid, SEC, "eens")
    assert sec.status_code == 403 and sec.json["error"] == "delib.api.secretary_no_position"
    not_opener = c.act(rid, "proposal", CEES, text="Iets anders")
    assert not_opener.status_code == 403 and not_opener.json["error"] == "delib.not_facilitator"

    amended = c.act(rid, "proposal", ANNA, text="We vragen om een overzicht per wijk, met een tegemoetkoming.")
    # Bram's objection carries over to version 2 until he answers; his !eens on version 2 resolves it.
    assert amended.json["version"] == 2 and [o["asked_about_version"] for o in amended.json["open_objections"]] == [2]
    agree_all(c, rid, concern_by=CEES)
    assert c.bot.get(f"/rounds/{rid}").json["open_objections"] == []
    status = c.bot.get(f"/rounds/{rid}").json
    assert status["not_responded"] == [] and status["concerns"][0]["display_name"] == "Cees Pinas"
    to_besluitvorming(c, rid)
    decided = c.act(rid, "decide", DIRK)
    assert decided.status_code == 200 and decided.json["state"] == "akkoord"

    topic = c.signals.get(f"/topics/{topic_id}").json
    assert topic["status"] == "akkoord"
    assert topic["decision"]["text"].endswith("met een tegemoetkoming.") and topic["decision"]["version"] == 2
    register = c.admin.get("/register").json
    assert len(register) == 1
    positions = {p["display_name"]: (p["position"], p["text"]) for p in register[0]["positions"]}
    assert positions["Cees Pinas"] == ("bedenking", "Let op de kosten voor ouderen.")
    assert positions["Bram Jansen"] == ("eens", None)

    closed = c.say(rid, BRAM, "bezwaar", "Toch niet")
    assert closed.status_code == 409 and closed.json["error"] == "delib.round.closed_agreed"
    history = c.admin.get(f"/rounds/{rid}/events").json
    assert [e["type"] for e in history][:3] == ["round_opened", "position_given", "proposal_amended"]
    assert history[-1]["type"] == "round_agreed"


def test_info_sends_the_round_back_and_withdraw_and_resolve(seeded: Council):
    c = seeded
    rid = c.open_round(actor=CEES)["id"]
    to_besluitvorming(c, rid)
    asked = c.say(rid, DIRK, "info", "Wat kost dit per maand?")
    assert asked.json["phase"] == "beeldvorming" and asked.json["info_requested"][0]["text"] == "Wat kost dit per maand?"
    c.say(rid, ANNA, "bezwaar", "Argument een")
    c.say(rid, BRAM, "bezwaar", "Argument twee")
    assert c.act(rid, "withdraw", ANNA).json["open_objections"][0]["matrix_id"] == BRAM
    nothing = c.act(rid, "withdraw", ANNA)
    assert nothing.status_code == 404 and nothing.json["error"] == "delib.objection.none_open"
    no_note = c.bot.post(f"/rounds/{rid}/objections/2/resolve", {"actor": CEES, "note": "   "})
    assert no_note.status_code == 422 and no_note.json["error"] == "delib.objection.note_required"
    resolved = c.bot.post(f"/rounds/{rid}/objections/2/resolve", {"actor": CEES, "note": "Besproken en aangepast"})
    assert resolved.status_code == 200 and resolved.json["open_objections"] == []
    assert c.bot.post(f"/rounds/{rid}/objections/9/resolve", {"actor": CEES, "note": "x"}).status_code == 404
    stopped = c.act(rid, "abandon", CEES, reason="Eerst meer informatie")
    assert stopped.json["state"] == "gestopt"
    assert c.bot.get(f"/topics/{stopped.json['topic_id']}").json["status"] == "actief"


def test_absent_members_are_not_expected_and_quorum_counts(seeded: Council):
    c = seeded
    rid = c.open_round()["id"]
    resp = c.bot.post("/absences", {"actor": DIRK, "round_id": rid}, key="$afm1")
    assert resp.status_code == 201 and resp.json["occasion"] == f"round:{rid}"
    assert c.bot.post("/absences", {"actor": "@buurman:test", "round_id": rid}).status_code == 403
    assert c.bot.post("/absences", {"actor": DIRK}).status_code == 422
    status = c.bot.get(f"/rounds/{rid}").json
    assert DIRK not in {p["matrix_id"] for p in status["not_responded"]}
    assert [p["display_name"] for p in status["absent"]] == ["Dirk Bakker"]
    for who in (ANNA, BRAM, CEES):
        c.say(rid, who, "eens")
    to_besluitvorming(c, rid)
    assert c.act(rid, "decide", ANNA).json["state"] == "akkoord"
    entry = c.admin.get("/register").json[0]
    assert entry["absent"] == [{"matrix_id": DIRK, "display_name": "Dirk Bakker"}]
    late = c.bot.post("/absences", {"actor": BRAM, "round_id": rid})
    assert late.status_code == 409 and late.json["error"] == "delib.api.round_closed_for_absence"


def test_repeated_requests_are_answered_once(seeded: Council):
    c = seeded
    topic_key = "$same-topic"
    first = c.bot.post("/topics", {"title": "Eenmaal", "actor": ANNA}, key=topic_key)
    second = c.bot.post("/topics", {"title": "Eenmaal", "actor": ANNA}, key=topic_key)
    assert first.json["id"] == second.json["id"] and second.headers.get("Idempotent-Replay") == "true"
    assert len(c.bot.get("/topics").json) == 1

    body = {"topic_id": first.json["id"], "proposal": "Een keer", "actor": ANNA}
    r1 = c.bot.post("/rounds", body, key="$same-round")
    r2 = c.bot.post("/rounds", body, key="$same-round")
    assert r1.json["id"] == r2.json["id"] and len(c.bot.get("/rounds").json) == 1
    rid = r1.json["id"]

    c.say(rid, BRAM, "bezwaar", "Nee", key="$same-position")
    before = c.event_count(rid)
    again = c.say(rid, BRAM, "bezwaar", "Nee", key="$same-position")
    assert again.status_code == 200 and c.event_count(rid) == before
    assert [o["id"] for o in again.json["open_objections"]] == [1]
    # Even when the API's record of the answer is gone (a crash), the round remembers the Matrix event.
    with c.db.session() as s:
        s.execute(delete(RUNTIME_MODELS[2]))
    replay = c.say(rid, BRAM, "bezwaar", "Nee", key="$same-position")
    assert replay.status_code == 200 and replay.json["duplicate"] is True and c.event_count(rid) == before
    with c.db.session() as s:
        s.execute(delete(RUNTIME_MODELS[2]))
    assert c.bot.post("/rounds", body, key="$same-round").json["id"] == rid
    assert len(c.bot.get("/rounds").json) == 1


def test_concurrent_positions_all_land_with_contiguous_seqs(seeded: Council):
    c = seeded
    rid = c.open_round()["id"]
    members = (ANNA, BRAM, CEES, DIRK)
    barrier = threading.Barrier(len(members))
    answers: dict[str, int] = {}

    def give(who: str) -> None:
        own = Caller(c.app.test_client(), TOKENS["bot"])
        barrier.wait()
        answers[who] = own.post(f"/rounds/{rid}/positions", {"actor": who, "position": "eens"},
                                key=f"$c-{who}").status_code

    threads = [threading.Thread(target=give, args=(who,)) for who in members]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == {who: 200 for who in members}
    assert c.bot.get(f"/rounds/{rid}").json["not_responded"] == []
    assert [e["seq"] for e in c.admin.get(f"/rounds/{rid}/events").json] == [1, 2, 3, 4, 5]


def test_the_event_log_refuses_a_second_event_with_the_same_seq(seeded: Council):
    """Two workers that computed the next event from the same state cannot both store it."""
    c = seeded
    rid = c.open_round()["id"]
    participants = Participants(members=frozenset({ANNA, BRAM, CEES, DIRK}))
    with c.db.read() as s:
        _, rnd = store.load_round(s, SLUG, rid)
    now = datetime.now(AMS)
    first = rnd.give_position(ANNA, "eens", participants=participants, at=now)
    second = rnd.give_position(BRAM, "eens", participants=participants, at=now)
    assert first.events[0].seq == second.events[0].seq == 2
    with c.db.session() as s:
        store.append_events(s, first.events, first.round)
    with pytest.raises(IntegrityError):
        with c.db.session() as s:
            store.append_events(s, second.events, second.round)
    assert c.event_count(rid) == 2


def _forced_conflict(calls: list[str], name: str, fail_times: int, real: Any) -> Any:
    """A store function that loses its unique key ``fail_times`` times (as to a concurrent writer), then
    does its work."""

    def conflicting(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        if len(calls) <= fail_times:
            raise IntegrityError("INSERT (forced by the test)", {}, Exception("duplicate key value"))
        return real(*args, **kwargs)

    return conflicting


def test_a_write_conflict_is_retried_by_one_layer_only(seeded: Council, monkeypatch: pytest.MonkeyPatch):
    """One `!bezwaar` whose append keeps losing its unique key is tried COMMAND_ATTEMPTS (3) times in all (one
    retry layer around the use case, none stacked on it), then refused as busy (409); nothing is stored and
    nothing is posted."""
    c = seeded
    rid = c.open_round()["id"]
    before, posted = c.event_count(rid), len(c.handoff())
    calls: list[str] = []
    monkeypatch.setattr(store, "append_events", _forced_conflict(calls, "append", 99, store.append_events))
    refused = c.say(rid, BRAM, "bezwaar", "Te duur voor ouderen.")
    assert refused.status_code == 409 and refused.json["error"] == "delib.api.busy"
    assert len(calls) == delib_actions.COMMAND_ATTEMPTS == 3
    assert c.event_count(rid) == before and len(c.handoff()) == posted


def test_a_write_conflict_that_clears_is_answered_normally(seeded: Council, monkeypatch: pytest.MonkeyPatch):
    c = seeded
    rid = c.open_round()["id"]
    calls: list[str] = []
    monkeypatch.setattr(store, "append_events", _forced_conflict(calls, "append", 1, store.append_events))
    objected = c.say(rid, BRAM, "bezwaar", "Te duur voor ouderen.")
    assert objected.status_code == 200 and len(calls) == 2
    assert objected.json["objection_id"] == 1 and [o["id"] for o in objected.json["open_objections"]] == [1]
    # The same single layer guards the other use cases: a member added under a persisting conflict.
    calls.clear()
    monkeypatch.setattr(store, "save_member", _forced_conflict(calls, "member", 99, store.save_member))
    busy = c.admin.post("/members", {"matrix_id": "@eva:test", "member_type": "koper", "customer_group": "Zuid"})
    assert busy.status_code == 409 and busy.json["error"] == "delib.api.busy" and len(calls) == 3
    assert "@eva:test" not in [m["matrix_id"] for m in c.admin.get("/members").json["members"]]


def test_an_objection_answers_its_own_id(seeded: Council):
    """`!bezwaar` answers the id of the objection it raised (the bot quotes it); other positions answer none.
    A replay answers the same id, also when only the round remembers the command."""
    c = seeded
    rid = c.open_round()["id"]
    first = c.say(rid, BRAM, "bezwaar", "Te duur.")
    assert first.status_code == 200 and first.json["objection_id"] == 1
    assert c.say(rid, ANNA, "eens").json["objection_id"] is None
    second = c.say(rid, CEES, "bezwaar", "Niet per wijk.", key="$cees-bezwaar")
    assert second.json["objection_id"] == 2
    assert {o["id"]: o["matrix_id"] for o in second.json["open_objections"]} == {1: BRAM, 2: CEES}
    # Bram replaces his objection: the new one gets its own number.
    assert c.say(rid, BRAM, "bezwaar", "Te duur voor ouderen.").json["objection_id"] == 3
    with c.db.session() as s:
        s.execute(delete(RUNTIME_MODELS[2]))  # the API's stored answers are gone: the round still knows the key
    replay = c.say(rid, CEES, "bezwaar", "Niet per wijk.", key="$cees-bezwaar")
    assert replay.json["duplicate"] is True and replay.json["objection_id"] == 2


# --------------------------------------------------------------------------- register


def test_register_export_is_escaped_markdown_and_html(seeded: Council):
    c = seeded
    nasty = "<script>alert(1)</script> [klik](javascript:alert(1)) *vet*"
    opened = c.open_round(title="Huur & <b>service</b>", proposal=f"Voorstel {nasty}")
    rid = opened["id"]
    for who in (ANNA, BRAM, DIRK):
        c.say(rid, who, "eens")
    c.say(rid, CEES, "bedenking", "Zorg <img src=x onerror=alert(1)> voor **uitleg**")
    to_besluitvorming(c, rid)
    assert c.act(rid, "decide", ANNA).status_code == 200

    md = c.admin.get("/register/export?format=markdown")
    assert md.status_code == 200 and md.mimetype == "text/markdown"
    text = md.get_data(as_text=True)
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "<img" not in text and "\\*\\*uitleg\\*\\*" in text and "\\[klik\\]" in text
    assert "Cees Pinas: eens, met een bedenking" in text and "Huur &amp; &lt;b&gt;service&lt;/b&gt;" in text

    page = c.admin.get("/register/export?format=html")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert html.startswith("<!DOCTYPE html>")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "Huur &amp; &lt;b&gt;service&lt;/b&gt;" in html

    today = datetime.now(AMS).date()
    assert "Huur" not in c.admin.get(f"/register/export?from={today + timedelta(days=1)}").get_data(as_text=True)
    assert len(c.admin.get(f"/register?from={today}&to={today}&topic_id={opened['topic_id']}").json) == 1
    assert c.admin.get(f"/register?topic_id={opened['topic_id'] + 1000}").json == []
    assert c.admin.get("/register/export?format=pdf").status_code == 400
    assert c.admin.get(f"/register?from={today}&to={today - timedelta(days=1)}").status_code == 422
    assert c.calendar.get("/register").status_code == 403


# --------------------------------------------------------------------------- deadlines


def test_deadlines_feed_lists_advice_deadlines_replies_and_checks(seeded: Council):
    c = seeded
    topic_id = c.topic("Huurverhoging 2026")
    assert c.admin.post(f"/topics/{topic_id}/mode", {"mode": "formeel_advies"}).status_code == 200
    requested = c.admin.post(f"/topics/{topic_id}/advice-request", {"received_on": "2026-03-02"})
    assert requested.json["advice"]["deadline"] == "2026-04-13"  # six weeks
    c.admin.post(f"/topics/{topic_id}/activate", {})
    rid = c.bot.post("/rounds", {"topic_id": topic_id, "proposal": "Ons advies: matig.", "actor": ANNA}).json["id"]
    agree_all(c, rid)
    to_besluitvorming(c, rid)
    c.act(rid, "decide", ANNA)
    sent = c.admin.post(f"/topics/{topic_id}/advice", {"text": "Matig de verhoging.", "sent_on": "2026-04-10"})
    assert sent.json["status"] == "advies_gegeven" and sent.json["advice"]["reply_due_on"] == "2026-04-24"
    late = c.admin.post(f"/topics/{topic_id}/board-reply", {"text": "We wijken af.", "received_on": "2026-05-01",
                                                            "deviates": True})
    assert late.json["advice"]["late_deviation"] is True
    planned = c.admin.post(f"/topics/{topic_id}/checks", {"due_on": "2026-10-01", "description": "Is de verhoging matig?"})
    assert planned.status_code == 201 and planned.json["checks"][0]["id"] == 1

    feed = c.calendar.get("/deadlines?from=2026-01-01&to=2026-12-31")
    assert feed.status_code == 200
    assert [(d["kind"], d["date"], d["done"]) for d in feed.json] == [
        ("advice_deadline", "2026-04-13", True), ("board_reply_due", "2026-04-24", True),
        ("realisation_check", "2026-10-01", False)]
    assert all(d["topic_id"] == topic_id and d["uid"].endswith("@raad.deliberation.overleg") for d in feed.json)
    assert feed.json[2]["title"] == "Toetsen van de realisatie: Huurverhoging 2026"
    assert c.calendar.get("/deadlines?from=2026-05-01&to=2026-09-30").json == []
    assert c.calendar.get("/deadlines?from=2026-12-31&to=2026-01-01").status_code == 422
    assert c.calendar.get("/deadlines?from=2000-01-01&to=2199-01-01").status_code == 422
    assert c.calendar.get("/deadlines?from=9999-01-01").status_code == 400
    assert c.signals.get("/deadlines").status_code == 403
    result = c.admin.post(f"/topics/{topic_id}/checks/1/result", {"note": "Ja, 2%", "checked_on": "2026-10-02"})
    assert result.json["status"] == "realisatie_getoetst"


# --------------------------------------------------------------------------- signals


def test_signals_puts_a_cluster_on_the_agenda_and_reads_the_outcome(seeded: Council):
    c = seeded
    body = {"title": "Schimmel in portiekflats", "source": "signaal_cluster", "source_ref": "cluster-17",
            "evidence": "12 signalen uit Zuid over vocht en schimmel."}
    assert c.signals.post("/topics", {**body, "source": "eigen_initiatief"}).status_code == 403
    assert c.signals.post("/topics", {**body, "source_ref": None}).json["error"] == "delib.api.source_ref_required"
    created = c.signals.post("/topics", body)
    assert created.status_code == 201 and created.json["source"] == "signaal_cluster"
    again = c.signals.post("/topics", body)
    assert again.status_code == 200 and again.json["id"] == created.json["id"]
    topic_id = created.json["id"]
    assert c.signals.get(f"/topics/{topic_id}").json["decision"] is None
    c.bot.post(f"/topics/{topic_id}/activate", {"actor": ANNA})
    rid = c.bot.post("/rounds", {"topic_id": topic_id, "proposal": "Vraag om een aanpak per complex.",
                                 "actor": ANNA}).json["id"]
    agree_all(c, rid)
    to_besluitvorming(c, rid)
    c.act(rid, "decide", ANNA)
    outcome = c.signals.get(f"/topics/{topic_id}").json
    assert outcome["status"] == "akkoord" and outcome["decision"]["text"] == "Vraag om een aanpak per complex."
    assert outcome["decision"]["decided_on"] == datetime.now(AMS).date().isoformat()
    assert c.signals.post(f"/topics/{topic_id}/activate", {}).status_code == 403


# --------------------------------------------------------------------------- outbox and jobs


PERSONAL = re.compile(r"@\w[\w.-]*:|Anna|Bram|Cees|Dirk|Secretaris")


def test_outbox_messages_have_stable_keys_and_no_personal_data(seeded: Council):
    c = seeded
    opened = c.open_round(proposal="Voorstel A")
    rid = opened["id"]
    c.say(rid, BRAM, "bezwaar", "Mijn moeder van 84 kan dit niet betalen.")
    c.act(rid, "proposal", ANNA, text="Voorstel B")
    agree_all(c, rid, concern_by=CEES)
    to_besluitvorming(c, rid)
    c.act(rid, "decide", ANNA)
    messages = {m["key"]: m for m in c.handoff()}
    root, v2, decision = (f"delib:round:{SLUG}:{rid}", f"delib:round:{SLUG}:{rid}:v2", f"delib:round:{SLUG}:{rid}:besluit")
    assert set(messages) == {root, v2, decision}
    assert messages[root].get("thread_key") is None and messages[root]["room"] == "main"
    assert messages[root]["council"] == SLUG and "Voorstel A" in messages[root]["body"]
    assert messages[v2]["thread_key"] == root and "Voorstel B" in messages[v2]["body"]
    assert sorted(messages[v2]["mentions"]) == sorted([ANNA, BRAM, CEES, DIRK])
    assert messages[decision]["thread_key"] == root and "bedenkingen" in messages[decision]["body"]
    for message in messages.values():
        for text in (message["body"], message.get("html") or ""):
            assert not PERSONAL.search(text), text
            assert "moeder" not in text and "ouderen" not in text


def test_reminders_notify_only_who_has_not_responded_once_per_deadline(seeded: Council):
    c = seeded
    rid = c.open_round()["id"]
    c.say(rid, ANNA, "eens")
    c.bot.post("/absences", {"actor": DIRK, "round_id": rid})
    rt, settings = c.runtime, c.settings
    deadline = datetime.fromisoformat(c.bot.get(f"/rounds/{rid}").json["deadline"])
    assert jobs.send_reminders(rt, settings, now=deadline - timedelta(days=3)) == 0
    assert jobs.send_reminders(rt, settings, now=deadline - timedelta(hours=2)) == 1
    assert jobs.send_reminders(rt, settings, now=deadline - timedelta(hours=1)) == 0
    reminders = [m for m in c.handoff() if ":herinnering:" in m["key"]]
    assert len(reminders) == 1 and reminders[0]["thread_key"] == f"delib:round:{SLUG}:{rid}"
    assert sorted(reminders[0]["mentions"]) == [BRAM, CEES]
    assert not PERSONAL.search(reminders[0]["body"])
    # A new deadline gets its own reminder.
    new_deadline = (datetime.now(AMS) + timedelta(days=10)).replace(microsecond=0)
    assert c.act(rid, "deadline", ANNA, deadline=new_deadline.isoformat()).status_code == 200
    assert jobs.send_reminders(rt, settings, now=new_deadline - timedelta(hours=1)) == 1
    assert len({m["key"] for m in c.handoff() if ":herinnering:" in m["key"]}) == 2


def test_no_reminder_while_everyone_responded_but_one_after_an_amendment(seeded: Council):
    c = seeded
    rid = c.open_round()["id"]
    agree_all(c, rid)
    rt, settings = c.runtime, c.settings
    deadline = datetime.fromisoformat(c.bot.get(f"/rounds/{rid}").json["deadline"])
    assert jobs.send_reminders(rt, settings, now=deadline - timedelta(hours=3)) == 0
    c.act(rid, "proposal", ANNA, text="Een betere versie")  # everyone responds again
    assert jobs.send_reminders(rt, settings, now=deadline - timedelta(hours=2)) == 1
    reminder = next(m for m in c.handoff() if ":herinnering:" in m["key"])
    assert sorted(reminder["mentions"]) == sorted([ANNA, BRAM, CEES, DIRK]) and "versie 2" in reminder["body"]


def test_realisation_checks_due_are_announced_once(seeded: Council):
    c = seeded
    topic_id = c.topic("Groenonderhoud")
    c.admin.post(f"/topics/{topic_id}/activate", {})
    rid = c.bot.post("/rounds", {"topic_id": topic_id, "proposal": "Advies: meer groen.", "actor": ANNA}).json["id"]
    agree_all(c, rid)
    to_besluitvorming(c, rid)
    c.act(rid, "decide", ANNA)
    c.admin.post(f"/topics/{topic_id}/advice-request", {"received_on": "2026-01-05"})  # cocreatie: refused
    c.admin.post(f"/topics/{topic_id}/close", {})
    # A closed topic has no checks announced; a topic with advice given does.
    other = c.topic("Onderhoud portieken")
    c.admin.post(f"/topics/{other}/mode", {"mode": "formeel_advies"})
    c.admin.post(f"/topics/{other}/advice-request", {"received_on": "2026-01-05"})
    c.admin.post(f"/topics/{other}/activate", {})
    rid2 = c.bot.post("/rounds", {"topic_id": other, "proposal": "Advies: vaker schoonmaken.", "actor": ANNA}).json["id"]
    agree_all(c, rid2)
    to_besluitvorming(c, rid2)
    c.act(rid2, "decide", ANNA)
    c.admin.post(f"/topics/{other}/advice", {"text": "Vaker schoonmaken.", "sent_on": "2026-02-01"})
    today = datetime.now(AMS).date()
    c.admin.post(f"/topics/{other}/checks", {"due_on": today.isoformat(), "description": "Wordt er vaker schoongemaakt?"})
    c.admin.post(f"/topics/{other}/checks", {"due_on": (today + timedelta(days=30)).isoformat(), "description": "Later"})
    assert jobs.announce_checks(c.runtime, c.settings) == 1
    assert jobs.announce_checks(c.runtime, c.settings) == 0
    checks = [m for m in c.handoff() if m["key"].startswith("delib:check:")]
    assert [m["key"] for m in checks] == [f"delib:check:{SLUG}:{other}:1"]
    assert "Toetsen van de realisatie" in checks[0]["body"] and checks[0].get("thread_key") is None
    later = datetime.now(AMS) + timedelta(days=31)
    assert jobs.announce_checks(c.runtime, c.settings, now=later) == 1


def test_the_jobs_are_registered(council: Council):
    names = {job.name for job in council.runtime.jobs.jobs}
    assert {"handoff", "delib_reminders", "delib_checks", "delib_links"} <= names


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("method,path,body,status,error", [
    ("get", "/rounds/999999", None, 404, "delib.round.not_found"),
    ("get", "/rounds/99999999999999999999999", None, 404, "not_found"),
    ("get", "/topics/0", None, 404, "not_found"),
    ("post", "/rounds/424242/positions", {"actor": ANNA, "position": "eens"}, 404, "delib.round.not_found"),
    ("post", "/rounds", {"topic_id": 10**40, "proposal": "x", "actor": ANNA}, 400, "invalid_input"),
    ("post", "/rounds", {"topic_id": 424242, "proposal": "x", "actor": ANNA}, 404, "delib.topic.not_found"),
    ("post", "/topics", {"title": "Iets\x07raars", "actor": ANNA}, 400, "invalid_input"),
    ("post", "/topics", {"title": "   ", "actor": ANNA}, 422, "delib.topic.title_required"),
    ("post", "/topics", {"title": "x" * 250, "actor": ANNA}, 400, "invalid_input"),  # maxLength 200 in the schema
    ("post", "/topics", {"title": "Titel", "actor": ANNA, "mode": "stemmen"}, 422, "delib.topic.bad_mode"),
    ("post", "/topics", {"title": "Titel", "actor": ANNA, "importance": 10**30}, 400, "invalid_input"),
    ("post", "/topics", {"title": "Titel", "actor": ANNA, "importance": True, "influence": 3}, 400, "invalid_input"),
    ("post", "/topics", {"title": "Titel"}, 422, "delib.api.actor_required"),
    ("post", "/topics", [1, 2, 3], 400, "invalid_input"),
    ("post", "/topics/1/score", {"importance": "veel", "influence": 3, "actor": ANNA}, 400, "invalid_input"),
    ("post", "/members", {"matrix_id": "geen id", "member_type": "huurder", "actor": SEC}, 400,
     "invalid_input"),  # the Matrix id pattern is in the schema
    ("post", "/members", {"matrix_id": "@x:test", "member_type": "directeur", "actor": SEC}, 422,
     "delib.member.bad_type"),
    ("post", "/absences", {"actor": ANNA, "round_id": 2**31}, 400, "invalid_input"),
])
def test_bad_input_gets_a_json_4xx(seeded: Council, method: str, path: str, body: Any, status: int, error: str):
    resp = getattr(seeded.bot, method)(path, body) if method == "post" else seeded.bot.get(path)
    assert resp.status_code == status, resp.json
    assert resp.is_json and resp.json["error"] == error and resp.json["message"]


def test_positions_refused_with_the_reason(seeded: Council):
    c = seeded
    rid = c.open_round()["id"]
    for position, text, error in [("bezwaar", None, "delib.position.bezwaar_needs_argument"),
                                  ("bezwaar", "  \n ", "delib.position.bezwaar_needs_argument"),
                                  ("bedenking", "", "delib.position.bedenking_needs_text"),
                                  ("info", None, "delib.position.info_needs_question"),
                                  ("misschien", None, "delib.position.unknown")]:
        resp = c.say(rid, BRAM, position, text)
        assert resp.status_code == 422 and resp.json["error"] == error, resp.json
    assert c.say(rid, BRAM, "eens", "x" * 30_000).status_code == 400
    outsider = c.say(rid, "@buurman:test", "eens")
    assert outsider.status_code == 403 and outsider.json["error"] == "delib.not_member"
    english = c.bot.post(f"/rounds/{rid}/positions", {"actor": BRAM, "position": "object"},
                         headers={"Accept-Language": "en"})
    assert english.json["message"].startswith("An objection needs an argument")
    assert c.event_count(rid) == 1  # only the opening: nothing refused was recorded


def test_auth_council_and_transport_errors(seeded: Council):
    c = seeded
    assert c.anonymous.get("/agenda").status_code == 401
    assert Caller(c.client, "wrong").get("/agenda").status_code == 401
    assert Caller(c.client, TOKENS["partner"]).get("/agenda").status_code == 403
    assert c.calendar.post("/topics", {"title": "x"}).status_code == 403
    unknown = c.bot.get("/agenda", slug="bestaat-niet")
    assert unknown.status_code == 404 and unknown.json["error"] == "delib.api.council_not_found"
    # Ids of another council are unknown here.
    rid = c.open_round()["id"]
    assert c.bot.get(f"/rounds/{rid}", slug="anders").status_code == 404
    assert c.bot.post("/topics", None, data="niet json", content_type="application/json").status_code == 400
    long_key = c.bot.post(f"/rounds/{rid}/positions", {"actor": ANNA, "position": "eens"}, key="k" * 300)
    assert long_key.status_code == 400 and long_key.json["error"] == "delib.api.bad_idempotency_key"
    assert c.bot.post("/rounds", {"topic_id": 1, "proposal": "x", "actor": ANNA,
                                  "deadline": "2026-01-01T10:00:00"}).status_code == 400  # naive
    past = c.bot.post("/rounds", {"topic_id": c.topic("Verleden"), "proposal": "x", "actor": ANNA,
                                  "deadline": "2020-01-01T10:00:00+01:00"})
    assert past.status_code == 422 and past.json["error"] == "delib.deadline.not_in_future"
    far = c.act(rid, "deadline", ANNA, deadline="2199-01-01T10:00:00+01:00")
    assert far.status_code == 422 and far.json["error"] == "delib.api.deadline_too_far"
    assert c.admin.post("/topics/1/advice-request", {"received_on": "9999-12-31"}).status_code == 400
    spec = c.client.get("/openapi.json").json
    assert "/api/v1/councils/{slug}/rounds/{round_id}/positions" in spec["paths"]
    assert spec["paths"]["/api/v1/councils/{slug}/applications"]["post"].get("security") is None


# --------------------------------------------------------------------------- advice trajectories (frozen clock)


class Clock:
    """The service's clock hook (``shared.service.set_clock``), set by hand."""

    def __init__(self, c: Council, start: datetime) -> None:
        self.now = start
        set_clock(c.app, lambda: self.now)

    def set(self, when: datetime) -> None:
        self.now = when


def at(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def messages(c: Council, prefix: str) -> dict[str, dict[str, Any]]:
    return {m["key"]: m for m in c.handoff() if m["key"].startswith(prefix)}


def test_an_advice_trajectory_runs_with_its_legal_dates_on_a_frozen_clock(council: Council):
    c = council
    clock = Clock(c, datetime(2026, 3, 5, 10, 0, tzinfo=AMS))
    c.seed()
    rt, settings = c.runtime, c.settings
    topic = c.topic("Servicekosten 2026")

    refused = c.bot.post("/advice", {"topic_id": topic, "title": "Beleid", "actor": ANNA}, key="$adv-anna")
    assert refused.status_code == 403 and refused.json["error"] == "delib.api.secretary_only_advice"
    body = {"topic_id": topic, "title": "Beleid servicekosten", "received": "2-3-2026", "actor": SEC}
    made = c.bot.post("/advice", body, key="$adv-1")
    assert made.status_code == 201, made.json
    aid = made.json["id"]
    assert (made.json["received_on"], made.json["deadline"]) == ("2026-03-02", "2026-04-13")  # six weeks
    assert made.json["stage"] == "ontvangen" and made.json["topic_mode"] == "formeel_advies"
    again = c.bot.post("/advice", body, key="$adv-1")  # the same chat message again: the same trajectory
    assert again.json["id"] == aid and len(c.bot.get("/advice").json) == 1
    root = messages(c, f"delib:advice:{SLUG}:{aid}")[f"delib:advice:{SLUG}:{aid}"]
    assert root["thread_key"] is None and root["body"].startswith(f"Adviesaanvraag {aid}: Beleid servicekosten")
    assert "maandag 2 maart 2026" in root["body"] and "maandag 13 april 2026 nodig (6 weken" in root["body"]
    assert "binnen 14 dagen schriftelijk" in root["body"] and "!concept <tekst>" in root["body"]

    early = c.bot.post(f"/advice/{aid}/sent", {"actor": SEC}, key="$adv-sent-early")
    assert early.status_code == 409 and early.json["error"] == "delib.advice.not_agreed"

    draft = c.bot.post(f"/advice/{aid}/draft", {"actor": ANNA, "proposal": "Concept: toon de kosten per wijk."},
                       key="$adv-draft")
    assert draft.status_code == 201, draft.json
    rid = draft.json["round"]["id"]
    assert draft.json["advice"]["stage"] == "concept" and draft.json["advice"]["round_id"] == rid
    # A week, at the end of the day in Amsterdam.
    assert at(draft.json["round"]["deadline"]) == datetime(2026, 3, 12, 23, 59, tzinfo=AMS)
    round_root = messages(c, f"delib:round:{SLUG}:{rid}")[f"delib:round:{SLUG}:{rid}"]
    assert f"conceptadvies voor advies {aid}" in round_root["body"] and "!verder" in round_root["body"]
    second = c.bot.post(f"/advice/{aid}/draft", {"actor": ANNA, "proposal": "Nog een."}, key="$adv-draft-2")
    assert second.status_code == 409 and second.json["error"] == "delib.advice.draft_open"
    agree_all(c, rid)
    to_besluitvorming(c, rid)
    assert c.act(rid, "decide", ANNA).status_code == 200
    agreed = c.bot.get(f"/advice/{aid}").json
    assert agreed["stage"] == "akkoord" and agreed["agreed_version"] == 1 and agreed["agreed_on"] == "2026-03-05"
    told = messages(c, f"delib:advice:{SLUG}:{aid}:akkoord")[f"delib:advice:{SLUG}:{aid}:akkoord:{rid}"]
    assert told["thread_key"] == f"delib:advice:{SLUG}:{aid}" and told["mentions"] == [SEC]

    clock.set(datetime(2026, 3, 20, 9, 0, tzinfo=AMS))
    sent = c.bot.post(f"/advice/{aid}/sent", {"actor": SEC}, key="$adv-sent")
    assert sent.status_code == 200, sent.json
    assert (sent.json["sent_on"], sent.json["reply_due_on"], sent.json["sent_late"]) == ("2026-03-20", "2026-04-03",
                                                                                          False)
    assert "vrijdag 3 april 2026" in messages(c, f"delib:advice:{SLUG}:{aid}:verstuurd")[f"delib:advice:{SLUG}:{aid}:verstuurd"]["body"]

    # Day 14 is still in time; on day 15 the thread and the room are told, once, and the secretary is mentioned.
    assert jobs.announce_overdue_replies(rt, settings, now=datetime(2026, 4, 3, 23, 30, tzinfo=AMS)) == 0
    assert jobs.announce_overdue_replies(rt, settings, now=datetime(2026, 4, 4, 0, 30, tzinfo=AMS)) == 1
    assert jobs.announce_overdue_replies(rt, settings, now=datetime(2026, 4, 5, 9, 0, tzinfo=AMS)) == 0
    overdue = messages(c, f"delib:advice:{SLUG}:{aid}:geen-reactie")
    assert set(overdue) == {f"delib:advice:{SLUG}:{aid}:geen-reactie", f"delib:advice:{SLUG}:{aid}:geen-reactie:raad"}
    assert overdue[f"delib:advice:{SLUG}:{aid}:geen-reactie"]["thread_key"] == f"delib:advice:{SLUG}:{aid}"
    assert overdue[f"delib:advice:{SLUG}:{aid}:geen-reactie:raad"]["thread_key"] is None
    for m in overdue.values():
        assert m["mentions"] == [SEC] and "uiterlijk vrijdag 3 april 2026" in m["body"]
    clock.set(datetime(2026, 4, 4, 9, 0, tzinfo=AMS))
    assert c.bot.get("/advice", query_string={"state": "open"}).json[0]["reply_overdue"] is True

    clock.set(datetime(2026, 4, 6, 11, 0, tzinfo=AMS))
    bare = c.bot.post(f"/advice/{aid}/reply", {"actor": SEC, "kind": "wijktaf"}, key="$adv-reply-bare")
    assert bare.status_code == 422 and bare.json["error"] == "delib.advice.reasons_required"
    reply = c.bot.post(f"/advice/{aid}/reply", {"actor": SEC, "kind": "wijktaf", "text": "Te duur voor nu."},
                       key="$adv-reply")
    assert reply.status_code == 200, reply.json
    assert reply.json["late_deviation"] and reply.json["reply_on"] == "2026-04-06"
    assert reply.json["reply_label"] == "het bestuur wijkt af van het advies"
    room = messages(c, f"delib:advice:{SLUG}:{aid}:reactie")
    assert room[f"delib:advice:{SLUG}:{aid}:reactie:raad"]["thread_key"] is None
    assert "te laat" in room[f"delib:advice:{SLUG}:{aid}:reactie:raad"]["body"]
    assert "Te duur voor nu." in room[f"delib:advice:{SLUG}:{aid}:reactie"]["body"]

    planned = c.bot.post(f"/advice/{aid}/checks", {"actor": SEC, "on": "1-9-2026"}, key="$adv-check")
    assert planned.status_code == 201 and planned.json["stage"] == "toets"
    assert jobs.announce_advice_checks(rt, settings, now=datetime(2026, 8, 31, 12, 0, tzinfo=AMS)) == 0
    assert jobs.announce_advice_checks(rt, settings, now=datetime(2026, 9, 1, 7, 0, tzinfo=AMS)) == 1
    assert jobs.announce_advice_checks(rt, settings, now=datetime(2026, 9, 1, 8, 0, tzinfo=AMS)) == 0
    asked = messages(c, f"delib:advice:{SLUG}:{aid}:toets:1")[f"delib:advice:{SLUG}:{aid}:toets:1"]
    assert f"!uitkomst {aid} uitgevoerd|deels|niet" in asked["body"] and asked["thread_key"] == f"delib:advice:{SLUG}:{aid}"

    clock.set(datetime(2026, 9, 1, 14, 0, tzinfo=AMS))
    outcome = c.bot.post(f"/advice/{aid}/outcome", {"actor": BRAM, "outcome": "deels",
                                                   "note": "Per wijk nog niet zichtbaar."}, key="$adv-outcome")
    assert outcome.status_code == 200, outcome.json
    assert outcome.json["checks"][0]["outcome_label"] == "deels uitgevoerd" and outcome.json["stage"] == "afgerond"
    assert "Per wijk nog niet zichtbaar." in messages(c, f"delib:advice:{SLUG}:{aid}:toets:1:uitkomst")[
        f"delib:advice:{SLUG}:{aid}:toets:1:uitkomst"]["body"]
    assert c.bot.get("/advice", query_string={"state": "open"}).json == []
    feed = {d["uid"].split("@")[0]: d for d in c.calendar.get("/deadlines", query_string={"from": "2026-01-01",
                                                                                        "to": "2026-12-31"}).json}
    assert feed[f"advies-{aid}"]["date"] == "2026-04-13" and feed[f"advies-reactie-{aid}"]["done"] is True


def test_the_open_advice_list_has_the_oldest_next_date_first(council: Council):
    c = council
    Clock(c, datetime(2026, 5, 4, 10, 0, tzinfo=AMS))
    c.seed()
    ids = []
    for title, received in (("Later", "1-5-2026"), ("Eerder", "1-4-2026"), ("Vandaag", "vandaag")):
        made = c.bot.post("/advice", {"topic_id": c.topic(title), "title": title, "received": received,
                                      "kind": "instemming", "actor": SEC}, key=f"$adv-{title}")
        assert made.status_code == 201 and made.json["kind_label"] == "instemmingsverzoek"
        ids.append(made.json["id"])
    listed = c.bot.get("/advice", query_string={"state": "open"}).json
    assert [t["id"] for t in listed] == [ids[1], ids[0], ids[2]]
    assert [t["next_date"] for t in listed] == ["2026-05-13", "2026-06-12", "2026-06-15"]
    bad = c.bot.post("/advice", {"topic_id": c.topic("X"), "title": "X", "received": "volgende week", "actor": SEC},
                     key="$adv-bad")
    assert bad.status_code == 422 and bad.json["error"] == "delib.advice.bad_date"


def test_the_decision_list_newest_first_with_every_objection_and_how_it_ended(seeded: Council):
    c = seeded
    first = c.open_round("Portieken", "Twee keer per week schoonmaken.")
    agree_all(c, first["id"])
    to_besluitvorming(c, first["id"])
    assert c.act(first["id"], "decide", ANNA).status_code == 200
    second = c.open_round("Groen", "Meer bomen in de straat.")
    rid = second["id"]
    c.say(rid, BRAM, "bezwaar", "De wortels breken de stoep.")
    assert c.act(rid, "objections/1/resolve", SEC, note="Boomsoort met diepe wortels gekozen.").status_code == 200
    c.say(rid, DIRK, "bezwaar", "Te weinig licht.")
    c.act(rid, "proposal", ANNA, text="Meer bomen, met ruimte voor licht.")
    agree_all(c, rid, concern_by=CEES)
    to_besluitvorming(c, rid)
    assert c.act(rid, "decide", ANNA).status_code == 200

    newest = c.bot.get("/register", query_string={"order": "newest"}).json
    assert [e["round_id"] for e in newest] == [rid, first["id"]]
    objections = {o["id"]: o for o in newest[0]["objections"]}
    assert objections[1]["display_name"] == "Bram Jansen" and objections[1]["status_label"] == "opgelost"
    assert objections[1]["note"] == "Boomsoort met diepe wortels gekozen."
    assert objections[2]["status"] == "opgelost_door_nieuw_voorstel" and objections[2]["version"] == 1
    # Dirk agreed with version 2: that resolved his objection, and the list says by which version and by whom.
    assert objections[2]["resolved_in_version"] == 2 and objections[2]["closed_by"]["display_name"] == NAMES[DIRK]
    assert newest[1]["objections"] == []
    found = c.bot.get("/register", query_string={"q": "wortels"}).json
    assert [e["round_id"] for e in found] == [rid]
    assert c.bot.get("/register", query_string={"q": "schoonmaken week"}).json[0]["round_id"] == first["id"]
    assert c.bot.get("/register", query_string={"q": "zwembad"}).json == []


def test_a_new_version_asks_the_objector_and_keeps_the_objection_until_they_answer(seeded: Council):
    c = seeded
    rid = c.open_round("Groen", "Meer bomen in de straat.")["id"]
    assert c.say(rid, BRAM, "bezwaar", "De wortels breken de stoep.").status_code == 200
    amended = c.act(rid, "proposal", ANNA, text="Meer bomen, met wortelgeleiders.")
    assert amended.status_code == 200
    [carried] = amended.json["open_objections"]
    assert (carried["id"], carried["version"], carried["asked_about_version"]) == (1, 1, 2)
    # The new version's message in the thread asks the objector (notified; no names kept in the outbox).
    [posted] = [m for m in c.handoff() if m["key"].endswith(":v2")]
    assert "Bezwaar 1 (op versie 1) blijft staan tot wie het maakte zegt dat versie 2 het oplost" in posted["body"]
    assert "!opgelost" in posted["body"]
    assert BRAM in posted["mentions"]
    # Everyone else agrees; Bram's objection still blocks the decision.
    for who in (ANNA, CEES, DIRK):
        assert c.say(rid, who, "eens").status_code == 200
    to_besluitvorming(c, rid)
    refused = c.act(rid, "decide", ANNA)
    assert refused.status_code == 409 and refused.json["error"] == "delib.decide.not_ready"
    # Another member cannot resolve it; Bram can, without a number and with a note of his own.
    other = c.bot.post(f"/rounds/{rid}/objections/resolve", {"actor": CEES}, key="$res-cees")
    assert other.status_code == 404 and other.json["error"] == "delib.objection.none_open"
    own = c.bot.post(f"/rounds/{rid}/objections/resolve", {"actor": BRAM, "note": "Met geleiders kan het."},
                     key="$res-bram")
    assert own.status_code == 200 and own.json["open_objections"] == []
    assert c.say(rid, BRAM, "eens").status_code == 200
    assert c.act(rid, "decide", ANNA).status_code == 200
    [entry] = c.bot.get("/register").json
    [objection] = entry["objections"]
    assert objection["status"] == "opgelost_door_nieuw_voorstel" and objection["note"] == "Met geleiders kan het."
    assert objection["resolved_in_version"] == 2 and objection["closed_by"]["display_name"] == NAMES[BRAM]
    document = c.admin.get("/register/export?format=markdown").get_data(as_text=True)
    assert "Bezwaren en hoe ze zijn opgelost" in document
    assert "Bram Jansen, op versie 1: De wortels breken de stoep. (opgelost door versie 2) — Met geleiders kan het." \
        in document


def test_a_round_deadline_falls_at_the_end_of_the_day_and_moving_it_is_announced(council: Council):
    c = council
    Clock(c, datetime(2026, 10, 20, 16, 45, tzinfo=AMS))
    c.seed()
    opened = c.open_round()
    rid = opened["id"]
    # Seven days later at 23:59 in Amsterdam, across the end of summer time (25 October), not 168 hours.
    assert at(opened["deadline"]) == datetime(2026, 10, 27, 23, 59, tzinfo=AMS)
    assert at(opened["deadline"]).utcoffset() == timedelta(hours=1)
    chosen = c.bot.post("/rounds", {"topic_id": c.topic("Met dag"), "proposal": "P", "actor": ANNA,
                                    "deadline_day": "2026-10-22"}, key="$r-day")
    assert at(chosen.json["deadline"]) == datetime(2026, 10, 22, 23, 59, tzinfo=AMS)
    c.say(rid, ANNA, "eens")
    moved = c.act(rid, "deadline", ANNA, day="2026-11-03")
    assert moved.status_code == 200 and at(moved.json["deadline"]) == datetime(2026, 11, 3, 23, 59, tzinfo=AMS)
    sent = messages(c, f"delib:round:{SLUG}:{rid}:")
    stamp = int(datetime(2026, 11, 3, 23, 59, tzinfo=AMS).timestamp())
    notice, edit = sent[f"delib:round:{SLUG}:{rid}:deadline:{stamp}"], sent[f"delib:round:{SLUG}:{rid}:root:{stamp}"]
    assert notice["thread_key"] == f"delib:round:{SLUG}:{rid}" and "dinsdag 3 november 2026, 23:59" in notice["body"]
    assert ANNA not in notice["mentions"] and {BRAM, CEES, DIRK} <= set(notice["mentions"])
    assert edit["edit_key"] == f"delib:round:{SLUG}:{rid}" and "dinsdag 3 november 2026, 23:59" in edit["body"]
    assert "beeldvorming (waar gaat het over?" in edit["body"]
    both = c.act(rid, "deadline", ANNA, day="2026-11-04", deadline="2026-11-04T12:00:00+01:00")
    assert both.status_code == 422 and both.json["error"] == "delib.api.deadline_one_of"


def test_a_besluit_refused_for_its_phase_names_verder(seeded: Council):
    c = seeded
    rid = c.open_round()["id"]
    agree_all(c, rid)
    refused = c.act(rid, "decide", ANNA)
    assert refused.status_code == 409 and "!verder" in refused.json["message"]
