"""Membership is the boundary (issue 12, points 1 and 2), against the real deliberation service's
roster over HTTP: the calendar and the signals service ask it through one shared check
(``shared.membership``) and refuse a non-member (a guest in the room, a member whose term ended) with
deliberation's own sentence, changing nothing; when a term ends, the calendar revokes the former
member's personal feed link and open poll answers and tells the secretary, once."""
from __future__ import annotations

import time
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterator

import pytest
from sqlalchemy import select

from devstack.procs import free_port
from tests.support import serve_in_thread
from services.calendar import feeds, membership as calendar_membership
from services.calendar.actions import Poster
from services.calendar.app import create_app as create_calendar
from services.calendar.app import migrate as migrate_calendar
from services.calendar.models import RUNTIME_MODELS as CALENDAR_QUEUE, CalendarFeedToken
from services.calendar.store import feed_key
from services.deliberation.app import create_app as create_deliberation
from services.deliberation.app import migrate as migrate_deliberation
from services.deliberation.domain.messages import CATALOG as DELIB_CATALOG
from services.signals.app import create_app as create_signals
from services.signals.app import migrate as migrate_signals
from services.signals.config import SignalsConfig
from shared import membership
from shared.db import Database
from shared.outbox import OutboundMessage, QueueStore
from shared.settings import Settings

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(240)]

SLUG = "raad"
TOKENS = {"admin": "t-admin", "bot": "t-bot", "signals": "t-signals", "partner": "t-partner",
          "deliberation": "t-delib", "calendar": "t-calendar"}
ANNA, BRAM, EX, GUEST, SEC = "@anna:test", "@bram:test", "@oudlid:test", "@gast:test", "@secretaris:test"
TODAY = date.today()  # deliberation runs on the real clock
LEAK = "In de portiek van de Tarwehof in de Tarwewijk lekt het dak al drie weken."


def served(app: Any) -> tuple[str, Any]:
    return serve_in_thread(app)


class Caller:
    def __init__(self, app: Any, caller: str) -> None:
        self.http = app.test_client()
        self.headers = {"Authorization": f"Bearer {TOKENS[caller]}"}

    def post(self, path: str, body: Any = None, *, lang: str | None = None, **kw: Any) -> Any:
        headers = {**self.headers, **({"Accept-Language": lang} if lang else {})}
        return self.http.post(f"/api/v1/councils/{SLUG}{path}", json=body, headers=headers, **kw)

    def patch(self, path: str, body: Any) -> Any:
        return self.http.patch(f"/api/v1/councils/{SLUG}{path}", json=body, headers=self.headers)

    def get(self, path: str) -> Any:
        url = path if path.startswith("/feeds/") else f"/api/v1/councils/{SLUG}{path}"
        return self.http.get(url, headers=self.headers)


class Stack:
    def __init__(self, settings: Settings, delib: Any, calendar: Any, signals: Any, dbs: list[Database]) -> None:
        self.settings, self.delib, self.calendar, self.signals, self.dbs = settings, delib, calendar, signals, dbs

    def cal(self, caller: str = "bot") -> Caller:
        return Caller(self.calendar, caller)

    def sig(self, caller: str = "bot") -> Caller:
        return Caller(self.signals, caller)

    def roster(self) -> Caller:
        return Caller(self.delib, "admin")

    def calendar_queue(self) -> list[OutboundMessage]:
        queue = QueueStore(CALENDAR_QUEUE[0])
        with self.calendar.extensions["overleg_db"].read() as s:
            return [QueueStore.message(row) for row in queue.pending(s, limit=1000)]


@pytest.fixture
def stack(tmp_path, database_url) -> Iterator[Stack]:
    """Deliberation (SQLite, served over HTTP, with a roster), the calendar and the signals service."""
    membership.forget()
    delib_port = free_port()
    settings = Settings(
        data_dir=tmp_path, api_tokens=TOKENS, secret_key="membership-" + "x" * 32,
        public_base_url="https://signalen.example.nl", feeds_base_url="https://agenda.example.nl",
        service_urls={"bot": "http://127.0.0.1:9", "deliberation": f"http://127.0.0.1:{delib_port}",
                      "calendar": "http://127.0.0.1:9", "signals": "http://127.0.0.1:9"},
        councils=[{"slug": SLUG, "name": "Klantenraad Test", "rooms": {"main": "!main:test", "signals": "!sig:test"},
                   "secretaries": [SEC], "quorum": 1}])
    delib_db = Database(f"sqlite:///{tmp_path}/deliberation.db")
    migrate_deliberation(delib_db)
    delib = create_deliberation(settings, database=delib_db)
    admin = Caller(delib, "admin")
    start = (TODAY - timedelta(days=400)).isoformat()
    for who, name in ((ANNA, "Anna"), (BRAM, "Bram"), (EX, "Oud-lid")):
        resp = admin.post("/members", {"matrix_id": who, "display_name": name, "member_type": "huurder",
                                       "customer_group": name, "term_start": start})
        assert resp.status_code == 201, resp.json
    ended = admin.patch(f"/members/{EX}", {"term_end": (TODAY - timedelta(days=30)).isoformat()})
    assert ended.status_code == 200 and ended.json["serving"] is False, ended.json
    _, server = serve_in_thread(delib, delib_port)
    cal_db, sig_db = Database(database_url), Database(database_url)
    migrate_calendar(cal_db)
    migrate_signals(sig_db)
    calendar = create_calendar(settings, database=cal_db)
    signals = create_signals(settings, database=sig_db, config=SignalsConfig())
    try:
        yield Stack(settings, delib, calendar, signals, [delib_db, cal_db, sig_db])
    finally:
        server.shutdown()
        for db in (cal_db, sig_db, delib_db):
            db.dispose()
        membership.forget()


def _now() -> datetime:
    return datetime.now(timezone.utc)


def refused(resp: Any, lang: str = "nl") -> None:
    """A 403 with deliberation's own sentence for a non-member."""
    assert resp.status_code == 403, (resp.status_code, resp.get_data(as_text=True)[:300])
    assert resp.json["error"] == "roster.not_member"
    assert resp.json["message"] == DELIB_CATALOG[lang]["delib.not_member"]


# --------------------------------------------------------------------------- point 1: the calendar

def test_the_calendar_refuses_guests_and_former_members_and_nothing_changes(stack: Stack):
    bot, admin = stack.cal("bot"), stack.cal("admin")
    training = admin.post("/events", {"type": "training", "title": "Training media", "start": "2030-03-12T19:30",
                                      "capacity": 1})
    assert training.status_code == 201, training.json
    n = training.json["number"]

    for outsider in (GUEST, EX):
        # !datumprikker, !aanwezig, !feed: refused, with the same sentence as deliberation's
        refused(bot.post("/polls", {"text": "Overleg 12-3-2030 19-3-2030", "created_by": outsider}))
        refused(bot.post(f"/events/{n}/rsvp", {"member": outsider, "answer": "aanwezig"}))
        refused(bot.post("/feeds", {"kind": "member", "member": outsider}))
        # also through the admin tools: the RSVP member must be a serving member
        refused(admin.post(f"/events/{n}/rsvp", {"member": outsider, "answer": "aanwezig"}))
    refused(bot.post("/feeds", {"kind": "member", "member": GUEST}, lang="en"), lang="en")
    # the bot always says for whom: a poll from chat without a starter is refused too
    refused(bot.post("/polls", {"text": "Overleg 12-3-2030 19-3-2030"}))

    poll = bot.post("/polls", {"text": "Overleg 12-3-2030 19-3-2030", "created_by": ANNA})
    assert poll.status_code == 201, poll.json
    p = poll.json["number"]
    for outsider in (GUEST, EX):
        refused(bot.post(f"/polls/{p}/answers", {"member": outsider, "text": "1 2"}))  # !kan
        refused(bot.post(f"/polls/{p}/fix", {"option": 1, "actor": outsider}))  # !vastleggen
    refused(bot.post(f"/polls/{p}/fix", {"option": 1}))

    # nothing changed: no place taken, no answer, no feed link, no meeting
    assert stack.cal().get(f"/events/{n}/attendance").json["rsvps"] == {}
    assert stack.cal().get(f"/polls/{p}").json["answered"] == []
    with stack.calendar.extensions["overleg_db"].read() as s:
        assert s.scalars(select(CalendarFeedToken)).all() == []
    assert stack.cal().get(f"/events/{n + 1}").status_code == 404  # no meeting was fixed

    # members, and the secretary named in the settings, go on as before
    assert bot.post(f"/events/{n}/rsvp", {"member": ANNA, "answer": "aanwezig"}).json["seat"] == "placed"
    assert bot.post(f"/polls/{p}/answers", {"member": BRAM, "text": "1"}).status_code == 200
    assert bot.post("/feeds", {"kind": "member", "member": SEC}).status_code == 200
    assert bot.post(f"/polls/{p}/fix", {"option": 1, "actor": ANNA}).status_code == 200


@pytest.mark.parametrize("member", ["<img src=x onerror=alert(1)>", "anna", "@anna:test\n@x:y", "@:test", ""])
def test_the_member_field_is_a_matrix_id(stack: Stack, member: str):
    event = {"type": "training", "title": "T", "start": "2030-03-12T19:30"}
    n = stack.cal("admin").post("/events", event).json["number"]
    p = stack.cal().post("/polls", {"text": "Overleg 12-3-2030 19-3-2030", "created_by": ANNA}).json["number"]
    for path, body in ((f"/events/{n}/rsvp", {"member": member, "answer": "aanwezig"}),
                       (f"/polls/{p}/answers", {"member": member, "text": "1"}),
                       ("/feeds", {"kind": "member", "member": member})):
        resp = stack.cal().post(path, body)
        assert resp.status_code == 400 and resp.json["error"] == "invalid_input", (path, resp.json)
    assert stack.cal().get(f"/events/{n}/attendance").json["rsvps"] == {}


def test_without_the_roster_member_actions_are_refused_and_nothing_changes(stack: Stack):
    stack.settings.service_urls["deliberation"] = f"http://127.0.0.1:{free_port()}"  # nobody listens
    resp = stack.cal().post("/feeds", {"kind": "member", "member": ANNA})
    assert resp.status_code == 503 and resp.json["error"] == "roster.unavailable"
    assert "niets veranderd" in resp.json["message"]
    assert stack.sig().post("/clusters/1/heard", {"member": ANNA}).status_code in (404, 503)
    # the secretary named in the settings needs no roster
    assert stack.cal().post("/feeds", {"kind": "member", "member": SEC}).status_code == 200
    # and the job that ends access does nothing without a roster: an unreachable roster is no empty council
    with stack.calendar.extensions["overleg_db"].read() as s:
        before = [(t.scope, t.token_hash) for t in s.scalars(select(CalendarFeedToken))]
    rt = stack.calendar.extensions["overleg_runtime"]
    assert calendar_membership.run(rt.db, stack.settings, Poster(rt), _now()) == 0
    with stack.calendar.extensions["overleg_db"].read() as s:
        assert [(t.scope, t.token_hash) for t in s.scalars(select(CalendarFeedToken))] == before


def test_a_member_added_just_now_is_let_in_at_once(stack: Stack):
    refused(stack.cal().post("/feeds", {"kind": "member", "member": GUEST}))  # cached: not a member
    added = stack.roster().post("/members", {"matrix_id": GUEST, "display_name": "Gast", "member_type": "koper"})
    assert added.status_code == 201, added.json
    time.sleep(membership.MISS_REFRESH_SECONDS + 0.1)
    assert stack.cal().post("/feeds", {"kind": "member", "member": GUEST}).status_code == 200


# --------------------------------------------------------------------------- point 1: signals

def test_signals_count_and_correct_only_for_members(stack: Stack):
    sent = stack.sig("partner").post("/signals", {"text": LEAK})
    assert sent.status_code == 201, sent.json
    cid = sent.json["signal"]["cluster_id"]
    bot = stack.sig("bot")
    before = bot.get(f"/clusters/{cid}").json
    for outsider in (GUEST, EX):
        refused(bot.post(f"/clusters/{cid}/heard", {"member": outsider}))  # 👍 on the card
        refused(bot.post(f"/clusters/{cid}/theme", {"theme": "overlast", "actor": outsider}))  # !thema
    refused(bot.post(f"/clusters/{cid}/theme", {"theme": "overlast"}))  # the bot always names the member
    after = bot.get(f"/clusters/{cid}").json
    assert after == before and after["heard_count"] == 0 and after["corrections"] == []
    # members are counted and may correct
    assert bot.post(f"/clusters/{cid}/heard", {"member": ANNA}).json["cluster"]["heard_count"] == 1
    assert bot.post(f"/clusters/{cid}/theme", {"theme": "overlast", "actor": BRAM}).json["changed"] is True


def test_the_refusal_is_the_same_sentence_in_every_service(stack: Stack):
    cal = stack.cal().post("/feeds", {"kind": "member", "member": GUEST}, lang="en").json
    sig = stack.sig().post("/clusters/1/heard", {"member": GUEST}, lang="en").json
    delib = Caller(stack.delib, "bot").post("/topics", {"title": "Iets", "actor": GUEST}, lang="en").json
    assert delib["error"] == "delib.not_member"
    assert cal["message"] == sig["message"] == delib["message"]


# --------------------------------------------------------------------------- point 2: ending access

def test_ending_a_term_revokes_feed_links_and_open_poll_answers_and_tells_the_secretary(stack: Stack, database_url):
    bot, admin = stack.cal("bot"), stack.cal("admin")
    links = {who: bot.post("/feeds", {"kind": "member", "member": who}).json for who in (ANNA, BRAM)}
    open_poll = bot.post("/polls", {"text": "Overleg 12-3-2030 19-3-2030", "created_by": ANNA}).json["number"]
    done_poll = bot.post("/polls", {"text": "Heidag 2-4-2030 9-4-2030", "created_by": ANNA}).json["number"]
    for who in (ANNA, BRAM):
        assert bot.post(f"/polls/{open_poll}/answers", {"member": who, "text": "1"}).status_code == 200
        assert bot.post(f"/polls/{done_poll}/answers", {"member": who, "text": "2"}).status_code == 200
    assert bot.post(f"/polls/{done_poll}/fix", {"option": 2, "actor": ANNA}).status_code == 200
    # a link held by someone not on the roster at all (removed; or handed out before this check existed)
    with stack.calendar.extensions["overleg_db"].session() as s:
        council = stack.settings.council(SLUG)
        stray = feeds.feed_link(s, stack.settings, council, "member", GUEST, rotate=False, now=_now())
    for link in (*links.values(), stray.__dict__):
        assert stack.cal().get(link["url"].removeprefix("https://agenda.example.nl")).status_code == 200

    # Bram's term ends (yesterday, in deliberation)
    ended = stack.roster().patch(f"/members/{BRAM}", {"term_end": (TODAY - timedelta(days=1)).isoformat()})
    assert ended.status_code == 200 and ended.json["serving"] is False
    result = admin.post("/membership/sync")
    assert result.status_code == 200, result.json
    assert sorted((e["member"], e["feed_revoked"], e["polls"]) for e in result.json["ended"]) == [
        (BRAM, True, [open_poll]), (GUEST, True, [])]

    feed = lambda link: stack.cal().get(link["url"].removeprefix("https://agenda.example.nl")).status_code  # noqa: E731
    assert feed(links[BRAM]) == 404 and feed(stray.__dict__) == 404
    assert feed(links[ANNA]) == 200
    # The rendered copies of the revoked feeds are gone from the shared cache; Anna's is kept.
    disk = stack.calendar.extensions["overleg_feed_disk"]
    cached = lambda who: disk.in_use(feed_key(SLUG, "member", who))  # noqa: E731
    assert not cached(BRAM) and not cached(GUEST) and cached(ANNA)
    assert stack.cal().get(f"/polls/{open_poll}").json["answered"] == [ANNA]
    assert sorted(stack.cal().get(f"/polls/{done_poll}").json["answered"]) == [ANNA, BRAM]  # history stays
    refused(bot.post("/feeds", {"kind": "member", "member": BRAM}))  # and no new link either (a fresh roster)

    notices = [m for m in stack.calendar_queue() if m.key.startswith("calendar:access-ended:")]
    assert len(notices) == 2
    bram = next(m for m in notices if BRAM in m.body)
    assert bram.room == "main" and bram.council == SLUG and bram.mentions == [SEC]
    assert SEC in bram.body and "kalenderlink" in bram.body and f"#{open_poll}" in bram.body

    # idempotent: again, by the job, and by a restarted service on the same database: nothing more
    assert admin.post("/membership/sync").json["ended"] == []
    rt = stack.calendar.extensions["overleg_runtime"]
    assert calendar_membership.run(rt.db, stack.settings, Poster(rt), _now()) == 0
    db = Database(database_url)
    restarted = create_calendar(stack.settings, database=db)
    try:
        assert Caller(restarted, "admin").post("/membership/sync").json["ended"] == []
    finally:
        db.dispose()
    assert len([m for m in stack.calendar_queue() if m.key.startswith("calendar:access-ended:")]) == 2
    assert feed(links[BRAM]) == 404


def test_the_membership_job_runs_with_the_service(stack: Stack):
    names = [job.name for job in stack.calendar.extensions["overleg_runtime"].jobs.jobs]
    assert "membership" in names
