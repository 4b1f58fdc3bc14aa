"""Numbers per council in the deliberation service: topics, rounds, advice trajectories and applications count
from 1 in each council, every call reaches its own council's item, and a number only the other council has is
unknown. Also the migration that numbered existing rows (SQLite, and PostgreSQL in the second pass)."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
import sqlalchemy as sa

from services.deliberation import store
from services.deliberation.app import SERVICE_DIR, create_app, migrate
from services.deliberation.domain.consensus import Participants, open_round
from shared.db import Database
from shared.migrations import alembic_config, upgrade
from shared.settings import Settings

pytestmark = pytest.mark.postgres

A, B = "raad", "anders"
SEC_A, SEC_B = "@sec-a:test", "@sec-b:test"
MEMBERS = {A: ("@anna:test", "@bram:test"), B: ("@cees:test", "@dirk:test")}
TOKENS = {"admin": "t-admin", "bot": "t-bot", "deliberation": "t-delib"}
PREVIOUS_HEAD = "e5a1f0c3d2b4"
VERSION_TABLE = "deliberation_alembic_version"


def settings() -> Settings:
    return Settings(
        api_tokens=TOKENS,
        service_urls={"bot": "http://127.0.0.1:9", "deliberation": "http://127.0.0.1:9",
                      "calendar": "http://127.0.0.1:9", "signals": "http://127.0.0.1:9"},
        councils=[{"slug": A, "name": "Raad A", "rooms": {"main": "!a:test"}, "secretaries": [SEC_A], "quorum": 2},
                  {"slug": B, "name": "Raad B", "rooms": {"main": "!b:test"}, "secretaries": [SEC_B], "quorum": 2}],
    )


class Api:
    """The test client as the bot (or the admin tools), for either council."""

    def __init__(self, app: Any) -> None:
        self.client = app.test_client()

    def call(self, method: str, slug: str, path: str, body: Any = None, *, caller: str = "bot") -> Any:
        headers = {"Authorization": f"Bearer {TOKENS[caller]}", "Idempotency-Key": f"${uuid.uuid4().hex}"}
        return self.client.open(f"/api/v1/councils/{slug}{path}", method=method, json=body, headers=headers)

    def post(self, slug: str, path: str, body: Any = None, *, status: int | None = None, **kw: Any) -> Any:
        resp = self.call("POST", slug, path, body, **kw)
        if status is not None:
            assert resp.status_code == status, resp.json
        return resp.json

    def get(self, slug: str, path: str, **kw: Any) -> Any:
        resp = self.call("GET", slug, path, **kw)
        assert resp.status_code == 200, resp.json
        return resp.json

    def seed(self, slug: str) -> None:
        for who in MEMBERS[slug]:
            self.post(slug, "/members", {"matrix_id": who, "display_name": who[1:5].title(), "member_type": "huurder",
                                         "customer_group": f"Groep {who[1:5]}", "secretary": False},
                      caller="admin", status=201)

    def topic(self, slug: str, title: str) -> int:
        return self.post(slug, "/topics", {"title": title, "actor": MEMBERS[slug][0]}, status=201)["id"]

    def round(self, slug: str, topic_id: int, proposal: str) -> dict[str, Any]:
        return self.post(slug, "/rounds", {"topic_id": topic_id, "proposal": proposal, "actor": MEMBERS[slug][0]},
                         status=201)

    def agree(self, slug: str, round_id: int) -> dict[str, Any]:
        secretary = SEC_A if slug == A else SEC_B
        for who in MEMBERS[slug]:
            self.post(slug, f"/rounds/{round_id}/positions", {"actor": who, "position": "eens"}, status=200)
        while self.get(slug, f"/rounds/{round_id}")["phase"] != "besluitvorming":
            self.post(slug, f"/rounds/{round_id}/phase", {"actor": secretary}, status=200)
        return self.post(slug, f"/rounds/{round_id}/decide", {"actor": secretary}, status=200)


@pytest.fixture
def api(database_url: str) -> Any:
    db = Database(database_url)
    migrate(db)
    yield Api(create_app(settings(), database=db))
    db.dispose()


def test_each_council_counts_from_one_and_reaches_only_its_own(api: Api):
    api.seed(A)
    api.seed(B)
    # Council A goes first, so council B's rows have other global ids than their numbers.
    a_topics = [api.topic(A, "Huur A"), api.topic(A, "Onderhoud A")]
    a_round = api.round(A, a_topics[1], "Voorstel A")
    a_advice = api.post(A, "/advice", {"topic_id": a_topics[0], "title": "Advies A", "actor": SEC_A}, status=201)
    a_apps = [api.post(A, "/applications", {"name": f"Kandidaat A{i}", "member_type": "huurder"}, status=201)["id"]
              for i in (1, 2)]
    assert a_topics == [1, 2] and a_round["id"] == 1 and a_advice["id"] == 1 and a_apps == [1, 2]

    b_topic = api.topic(B, "Huur B")
    b_round = api.round(B, b_topic, "Voorstel B")
    b_advice = api.post(B, "/advice", {"topic_id": b_topic, "title": "Advies B", "actor": SEC_B}, status=201)
    b_app = api.post(B, "/applications", {"name": "Kandidaat B", "member_type": "huurder"}, status=201)["id"]
    assert (b_topic, b_round["id"], b_advice["id"], b_app) == (1, 1, 1, 1)
    # Thread keys stay unique in the bot's outbox.
    assert a_round["thread_key"] == f"delib:round:{A}:1" and b_round["thread_key"] == f"delib:round:{B}:1"
    assert a_advice["thread_key"] == f"delib:advice:{A}:1" and b_advice["thread_key"] == f"delib:advice:{B}:1"
    assert api.get(B, f"/threads?key=delib:round:{B}:1") == {"kind": "round", "id": 1,
                                                            "thread_key": f"delib:round:{B}:1"}
    assert api.call("GET", A, f"/threads?key=delib:advice:{B}:1").status_code == 404
    # Cross-references are numbers too.
    assert a_round["topic_id"] == 2 and b_round["topic_id"] == 1 and b_advice["topic_id"] == 1

    # The same number, each council's own item.
    assert api.get(A, "/topics/1")["title"] == "Huur A" and api.get(B, "/topics/1")["title"] == "Huur B"
    assert api.get(A, "/rounds/1")["topic_title"] == "Onderhoud A"
    assert api.get(B, "/rounds/1")["topic_title"] == "Huur B"
    assert api.get(A, "/advice/1")["title"] == "Advies A" and api.get(B, "/advice/1")["title"] == "Advies B"
    assert api.get(A, "/topics/2")["open_round_id"] == 1 and api.get(B, "/topics/1")["open_round_id"] == 1
    assert [t["id"] for t in api.get(B, "/topics")] == [1]
    assert [r["id"] for r in api.get(B, f"/rounds?topic_id={b_topic}")] == [1]

    # A position in council B's round 1 leaves council A's round 1 alone.
    cees = MEMBERS[B][0]
    api.post(B, "/rounds/1/positions", {"actor": cees, "position": "eens"}, status=200)
    waiting = {slug: {p["matrix_id"] for p in api.get(slug, "/rounds/1")["not_responded"]} for slug in (A, B)}
    assert waiting == {A: set(MEMBERS[A]), B: {MEMBERS[B][1]}}
    opened, given = api.get(B, "/rounds/1/events", caller="admin")
    assert opened["data"]["topic_id"] == 1 and given["actor"] == cees
    # An absence for council B's round 1 is not one for council A's round 1.
    api.post(B, "/absences", {"actor": MEMBERS[B][1], "round_id": 1}, status=201)
    assert api.get(B, "/rounds/1")["absent"] and not api.get(A, "/rounds/1")["absent"]

    # The selection committee's decision reaches council B's application 1 only.
    decided = api.post(B, "/applications/1/status", {"status": "gesprek", "actor": SEC_B}, status=200)
    assert decided["id"] == 1 and decided["name"] == "Kandidaat B"
    statuses = {a["id"]: a["status"] for a in api.get(A, "/applications", caller="admin")}
    assert statuses == {1: "ontvangen", 2: "ontvangen"}


def test_a_number_only_the_other_council_has_is_unknown(api: Api):
    api.seed(A)
    api.seed(B)
    for title in ("Een", "Twee"):
        topic = api.topic(A, title)
        api.round(A, topic, f"Voorstel {title}")
        api.post(A, "/advice", {"topic_id": topic, "title": f"Advies {title}", "actor": SEC_A}, status=201)
        api.post(A, "/applications", {"name": f"Kandidaat {title}", "member_type": "huurder"}, status=201)
    b_topic = api.topic(B, "Alleen B")
    api.round(B, b_topic, "Voorstel B")
    api.post(B, "/advice", {"topic_id": b_topic, "title": "Advies B", "actor": SEC_B}, status=201)
    api.post(B, "/applications", {"name": "Kandidaat B", "member_type": "huurder"}, status=201)

    for path, code in (("/topics/2", "delib.topic.not_found"), ("/rounds/2", "delib.round.not_found"),
                       ("/advice/2", "delib.advice.not_found")):
        resp = api.call("GET", B, path)
        assert resp.status_code == 404 and resp.json["error"] == code, (path, resp.json)
    for path, body in (("/rounds/2/positions", {"actor": MEMBERS[B][0], "position": "eens"}),
                       ("/topics/2/park", {"actor": MEMBERS[B][0]}),
                       ("/advice/2/sent", {"actor": SEC_B}),
                       ("/applications/2/status", {"status": "gesprek", "actor": SEC_B}),
                       ("/rounds", {"topic_id": 2, "proposal": "Niet hier", "actor": MEMBERS[B][0]}),
                       ("/advice", {"topic_id": 2, "title": "Niet hier", "actor": SEC_B}),
                       ("/absences", {"actor": MEMBERS[B][0], "round_id": 2})):
        resp = api.call("POST", B, path, body)
        assert resp.status_code == 404, (path, resp.json)
    # Nothing of council A changed.
    assert len(api.get(A, "/rounds/2")["not_responded"]) == 2 and api.get(A, "/topics/2")["status"] == "in_ronde"
    assert len(api.get(B, "/rounds")) == 1 and len(api.get(B, "/advice")) == 1


def test_register_rounds_and_advice_show_the_councils_numbers(api: Api):
    api.seed(A)
    api.seed(B)
    for title in ("Een", "Twee", "Drie"):
        api.round(A, api.topic(A, title), f"Voorstel {title}")
    api.topic(B, "Eerst geparkeerd")
    b_topic = api.topic(B, "Servicekosten B")
    advice = api.post(B, "/advice", {"topic_id": b_topic, "title": "Advies B", "actor": SEC_B}, status=201)
    draft = api.post(B, f"/advice/{advice['id']}/draft", {"actor": MEMBERS[B][0], "proposal": "Concept B"},
                     status=201)
    rid = draft["round"]["id"]
    assert (rid, draft["round"]["topic_id"]) == (1, 2)
    assert (draft["advice"]["id"], draft["advice"]["topic_id"], draft["advice"]["round_id"]) == (1, 2, 1)

    # An objection, withdrawn, then agreement: the register entry and its objections name council B's numbers.
    dirk = MEMBERS[B][1]
    objected = api.post(B, f"/rounds/{rid}/positions", {"actor": dirk, "position": "bezwaar",
                                                        "text": "Te vroeg."}, status=200)
    objection = objected["open_objections"][0]["id"]
    api.post(B, f"/rounds/{rid}/withdraw", {"actor": dirk, "objection_id": objection}, status=200)
    decided = api.agree(B, rid)
    assert decided["state"] == "akkoord" and decided["topic_id"] == 2

    [entry] = api.get(B, "/register", caller="admin")
    assert (entry["round_id"], entry["topic_id"], entry["topic_title"]) == (1, 2, "Servicekosten B")
    assert [(o["id"], o["status"]) for o in entry["objections"]] == [(objection, "ingetrokken")]
    assert api.get(B, "/register?topic_id=2", caller="admin") == [entry]
    assert api.get(B, "/register?topic_id=1", caller="admin") == []
    assert api.get(A, "/register", caller="admin") == []
    assert api.get(B, "/topics/2")["decision"]["round_id"] == 1

    agreed = api.get(B, "/advice/1")
    assert (agreed["stage"], agreed["topic_id"], agreed["round_id"]) == ("akkoord", 2, 1)
    [listed] = api.get(B, "/advice")
    assert (listed["id"], listed["topic_id"], listed["round_id"]) == (1, 2, 1)
    # Council A's round 1 is still open: the agreement in council B touched only its own.
    assert api.get(A, "/rounds/1")["state"] == "open" and api.get(A, "/advice") == []


def test_an_insert_that_read_a_taken_number_is_retried_with_the_next(api: Api, monkeypatch: pytest.MonkeyPatch):
    """Two concurrent inserts may read the same next number: the unique index fails the second, and the use
    case's retry numbers it again (here the first try reads a number already taken)."""
    api.seed(A)
    assert api.topic(A, "Een") == 1
    real, calls = store._next_number, []

    def stale_once(s: Any, model: Any, council: str) -> int:
        calls.append(model.__tablename__)
        return 1 if len(calls) == 1 else real(s, model, council)

    monkeypatch.setattr(store, "_next_number", stale_once)
    assert api.topic(A, "Twee") == 2 and calls == ["deliberation_topics"] * 2
    assert [t["title"] for t in api.get(A, "/topics")] == ["Een", "Twee"]


# --------------------------------------------------------------------------- the migration

T0 = datetime(2026, 5, 4, 10, 0, tzinfo=timezone.utc)


TYPES = {"payload": sa.JSON, "agreement": sa.JSON, "names": sa.JSON, "deadline": sa.DateTime(timezone=True),
         "opened_at": sa.DateTime(timezone=True), "at": sa.DateTime(timezone=True),
         "created_at": sa.DateTime(timezone=True), "decided_at": sa.DateTime(timezone=True)}


def _table(name: str, *columns: str, dates: tuple[str, ...] = ()) -> sa.TableClause:
    """The previous schema's table, as far as the test writes it (no models: they are the new schema)."""
    return sa.table(name, *(sa.column(c, sa.Date if c in dates else TYPES.get(c)) for c in columns))


def _old_round(conn: sa.Connection, *, council: str, topic_pk: int, members: tuple[str, ...], agree: bool) -> int:
    """A round as the previous schema stored it: the domain's events with global ids."""
    rounds = _table("deliberation_rounds", "council", "topic_id", "thread_key", "state", "deadline", "opened_at")
    pk = conn.execute(rounds.insert().values(council=council, topic_id=topic_pk, thread_key=f"pending:{uuid.uuid4()}",
                                             state="open", deadline=T0 + timedelta(days=7), opened_at=T0)
                      .returning(sa.column("id"))).scalar_one()
    conn.execute(sa.text("UPDATE deliberation_rounds SET thread_key = :k WHERE id = :i"),
                 {"k": f"delib:round:{pk}", "i": pk})
    p = Participants(members=frozenset(members))
    result = open_round(round_id=pk, council_id=council, topic_id=topic_pk, opener=members[0], proposal="Voorstel",
                        deadline=T0 + timedelta(days=7), participants=p, at=T0)
    events, rnd = list(result.events), result.round
    if agree:
        for who in members:
            step = rnd.give_position(who, "eens", None, participants=p, at=T0)
            events += step.events
            rnd = step.round
        while rnd.phase.value != "besluitvorming":
            step = rnd.advance_phase(members[0], participants=p, at=T0)
            events += step.events
            rnd = step.round
        step = rnd.decide(members[0], participants=p, quorum=1, at=T0)
        events += step.events
        rnd = step.round
    table = _table("deliberation_round_events", "round_id", "seq", "type", "actor", "at", "payload")
    for e in events:
        conn.execute(table.insert().values(round_id=pk, seq=e.seq, type=e.type.value, actor=e.actor, at=e.at,
                                           payload=e.to_dict()))
    conn.execute(sa.text("UPDATE deliberation_rounds SET state = :s WHERE id = :i"), {"s": rnd.state.value, "i": pk})
    if agree:
        agreement = rnd.agreement
        assert agreement is not None
        register = _table("deliberation_register", "council", "round_id", "topic_id", "topic_title", "decided_at",
                          "decided_on", "agreement", "names", dates=("decided_on",))
        conn.execute(register.insert().values(council=council, round_id=pk, topic_id=topic_pk, topic_title="T",
                                              decided_at=T0, decided_on=T0.date(), agreement=agreement.to_dict(),
                                              names={}))
    return pk


def _previous_schema_with_two_councils(db: Database) -> None:
    """The schema before numbers per council, with rows of two councils whose ids interleave."""
    upgrade(db, SERVICE_DIR, VERSION_TABLE, revision=PREVIOUS_HEAD)
    topics = _table("deliberation_topics", "council", "title", "source", "mode", "status", "created_at")
    advice = _table("deliberation_advice", "council", "topic_id", "title", "kind", "received_on", "deadline",
                    "round_id", "agreed_round_id", "agreed_text", "agreed_on", "agreed_version", "created_at",
                    dates=("received_on", "deadline", "agreed_on"))
    apps = _table("deliberation_applications", "council", "name", "member_type", "status", "received_on",
                  dates=("received_on",))
    absences = _table("deliberation_absences", "council", "matrix_id", "occasion", "noted_on", dates=("noted_on",))
    with db.engine.begin() as conn:
        def topic(council: str, title: str) -> int:
            return conn.execute(topics.insert().values(council=council, title=title, source="eigen_initiatief",
                                                       mode="formeel_advies", status="in_ronde", created_at=T0)
                                .returning(sa.column("id"))).scalar_one()

        # Interleaved: council B's rows sit between council A's, so their ids are not their numbers.
        a1, b1, a2, b2 = topic(A, "A een"), topic(B, "B een"), topic(A, "A twee"), topic(B, "B twee")
        ra1 = _old_round(conn, council=A, topic_pk=a1, members=MEMBERS[A], agree=False)
        rb1 = _old_round(conn, council=B, topic_pk=b2, members=MEMBERS[B], agree=True)
        ra2 = _old_round(conn, council=A, topic_pk=a2, members=MEMBERS[A], agree=True)
        rb2 = _old_round(conn, council=B, topic_pk=b1, members=MEMBERS[B], agree=False)
        conn.execute(advice.insert().values(council=A, topic_id=a2, title="Advies A", kind="advies",
                                            received_on=date(2026, 5, 1), deadline=date(2026, 6, 12), round_id=ra2,
                                            agreed_round_id=ra2, agreed_text="Ja", agreed_on=date(2026, 5, 4),
                                            agreed_version=1, created_at=T0))
        conn.execute(advice.insert().values(council=B, topic_id=b2, title="Advies B", kind="advies",
                                            received_on=date(2026, 5, 1), deadline=date(2026, 6, 12), round_id=rb1,
                                            agreed_round_id=rb1, agreed_text="Ja", agreed_on=date(2026, 5, 4),
                                            agreed_version=1, created_at=T0))
        for council in (B, A, B):
            conn.execute(apps.insert().values(council=council, name=f"Kandidaat {council}", member_type="huurder",
                                              status="ontvangen", received_on=T0.date()))
        conn.execute(absences.insert().values(council=B, matrix_id=MEMBERS[B][1], occasion=f"round:{rb2}",
                                              noted_on=T0.date()))
    assert (a1, b1, a2, b2) == (1, 2, 3, 4) and (ra1, rb1, ra2, rb2) == (1, 2, 3, 4)


def test_the_migration_numbers_existing_rows_per_council_and_old_rounds_still_replay(database_url: str):
    db = Database(database_url)
    _previous_schema_with_two_councils(db)
    rb1 = 2  # council B's first round: the second round stored
    migrate(db)
    with db.read() as s:
        by_id = {(t, i): (c, n) for t in ("topics", "rounds", "advice", "applications") for c, i, n in
                 s.execute(sa.text(f"SELECT council, id, number FROM deliberation_{t}"))}
        assert [by_id[("topics", i)] for i in (1, 2, 3, 4)] == [(A, 1), (B, 1), (A, 2), (B, 2)]
        assert [by_id[("rounds", i)] for i in (1, 2, 3, 4)] == [(A, 1), (B, 1), (A, 2), (B, 2)]
        assert [by_id[("advice", i)] for i in (1, 2)] == [(A, 1), (B, 1)]
        assert [by_id[("applications", i)] for i in (1, 2, 3)] == [(B, 1), (A, 1), (B, 2)]

        # The old rounds replay, with the council's numbers in their events and state.
        info, rnd = store.load_round(s, B, 1)
        assert (rnd.round_id, rnd.topic_id, rnd.state.value) == (1, 2, "akkoord")
        assert info.thread_key == f"delib:round:{rb1}"  # the bot's outbox knows the thread by its old key
        assert rnd.agreement is not None and (rnd.agreement.round_id, rnd.agreement.topic_id) == (1, 2)
        info, rnd = store.load_round(s, A, 2)
        assert (rnd.round_id, rnd.topic_id, rnd.state.value, info.topic_id) == (2, 2, "akkoord", 2)
        _, rnd = store.load_round(s, B, 2)
        assert (rnd.round_id, rnd.topic_id, rnd.is_open) == (2, 1, True)
        assert {e["round_id"] for e in store.events_of(s, B, 1)} == {1}

        [entry] = store.register_entries(s, B)
        assert (entry.entry.agreement.round_id, entry.entry.agreement.topic_id) == (1, 2)
        [entry] = store.register_entries(s, A)
        assert (entry.entry.agreement.round_id, entry.entry.agreement.topic_id) == (2, 2)
        [absence] = store.absences(s, B)
        assert absence.occasion == "round:2"

        t = store.trajectory(s, B, 1)
        assert (t.topic_id, t.round_id, t.agreed_round_id) == (2, 1, 1)
        assert store.advice_thread_key(s, B, 1) == "delib:advice:2"
        assert store.thread_by_key(s, B, f"delib:round:{rb1}") == store.Thread("round", 1)
        assert store.thread_by_key(s, A, f"delib:round:{rb1}") is None

    # New rows continue each council's count, under the new thread keys.
    api = Api(create_app(settings(), database=db))
    api.seed(B)
    new_topic = api.topic(B, "B drie")
    new_round = api.round(B, new_topic, "Nieuw voorstel")
    assert (new_topic, new_round["id"], new_round["thread_key"]) == (3, 3, f"delib:round:{B}:3")
    assert api.get(B, "/rounds/1")["state"] == "akkoord" and api.get(B, "/rounds/2")["absent"]
    assert api.post(B, "/applications", {"name": "Nog een", "member_type": "huurder"}, status=201)["id"] == 3
    # The bot resolves an old thread key here instead of reading its digits as a number.
    assert api.get(B, f"/threads?key=delib:round:{rb1}")["id"] == 1
    assert api.get(B, "/threads?key=delib:advice:2") == {"kind": "advice", "id": 1, "thread_key": "delib:advice:2"}
    assert api.call("GET", A, f"/threads?key=delib:round:{rb1}").status_code == 404
    db.dispose()


def _ids_in_json(db: Database) -> dict[str, Any]:
    """What holds ids as the domain wrote them: events, register agreements, absence occasions."""
    with db.engine.connect() as conn:
        return {
            "events": [(i, json.loads(p) if isinstance(p, str) else p) for i, p in conn.execute(
                sa.text("SELECT id, payload FROM deliberation_round_events ORDER BY id"))],
            "register": [(i, json.loads(a) if isinstance(a, str) else a) for i, a in conn.execute(
                sa.text("SELECT id, agreement FROM deliberation_register ORDER BY id"))],
            "absences": [tuple(r) for r in conn.execute(sa.text("SELECT id, occasion FROM deliberation_absences"))],
        }


def test_the_migration_goes_back_to_global_ids_and_forward_again(database_url: str):
    from alembic import command

    db = Database(database_url)
    _previous_schema_with_two_councils(db)
    before = _ids_in_json(db)
    migrate(db)
    assert _ids_in_json(db) != before
    cfg = alembic_config(SERVICE_DIR, db.url, VERSION_TABLE)
    with db.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, PREVIOUS_HEAD)
        conn.commit()
    assert _ids_in_json(db) == before
    migrate(db)
    with db.read() as s:
        _, rnd = store.load_round(s, B, 1)
        assert rnd.agreement is not None and (rnd.round_id, rnd.agreement.round_id, rnd.agreement.topic_id) == (1, 1, 2)
    db.dispose()
