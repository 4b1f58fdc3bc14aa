"""A cluster's card off the intake's critical path, and signal groups numbered per council (SQLite, and
PostgreSQL in the second pass).

A burst of signals into one cluster owes its card one edit: the intake records it on the cluster row
(durable), and the cards job sends it once the cluster is quiet, with the final content, also after a
restart of the service. Signal groups are numbered from 1 within each council; URLs and JSON carry the
number, and a number of another council is not found."""
from __future__ import annotations

import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError

from services.signals import actions, store
from services.signals.app import SERVICE_DIR
from services.signals.models import ClusterRow
from shared.db import Database
from shared.migrations import upgrade
from shared.outbox import utcnow
from tests.integration import test_signals_api as api_tests
from tests.integration.test_signals_api import ANNA, LEAK_1, OTHER, SLUG, T0, Service, make_service

pytestmark = pytest.mark.postgres
delib = api_tests.delib  # the real deliberation service, as the API tests have it

# One issue (the leaking roof of the Tarwehof), told by several residents on the days after.
BURST = [
    "Het dak van de Tarwehof lekt weer, de portiek staat blank.",
    "Lekkage door het dak van de Tarwehof, water in de portiek.",
    "Bij de Tarwehof lekt het dak, de portiek is nat en glad.",
    "Het dak lekt in de portiek van de Tarwehof, al weken.",
    "Dak van de Tarwehof lekt, water loopt de portiek in.",
]
LAST_DAY = "17 jan 2026"  # T0 + 5 days: the card's last date, only the final content has it


def card_edits(svc: Service, card_key: str) -> list[Any]:
    return [m for m in svc.handoff() if m.edit_key == card_key and m.kind == "text"]


def thread_posts(svc: Service, card_key: str) -> list[Any]:
    return [m for m in svc.handoff() if m.thread_key == card_key and m.kind == "notice"]


def assert_one_post_for_the_burst(svc: Service, card: str, first: dict[str, Any], rest: list[dict[str, Any]]) -> None:
    """The first signal's post (with the card), then one post listing every signal that joined."""
    ids = [r["signal"]["id"] for r in rest]
    opening, burst = thread_posts(svc, card)
    assert opening.key == f"signals:signal:{first['signal']['id']}"
    assert burst.key == f"signals:signal:{ids[0]}+{len(ids) - 1}"
    assert burst.body.startswith(f"Signaal #{ids[0]} ·")
    assert [int(x) for x in re.findall(r"Signaal #(\d+) ·", burst.body)] == ids
    assert f"{len(ids)} signalen in één bericht" in burst.body
    for text_ in BURST:
        assert text_ in burst.body


def send_burst(svc: Service) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    first = svc.send(LEAK_1, at=T0)
    rest = [svc.send(body, at=T0 + timedelta(days=i + 1)) for i, body in enumerate(BURST)]
    number = first["signal"]["cluster_id"]
    assert [r["signal"]["cluster_id"] for r in rest] == [number] * len(BURST), "the burst is one issue"
    assert rest[-1]["cluster_size"] == len(BURST) + 1
    return first, rest


def test_a_burst_into_one_cluster_gets_one_card_edit_carrying_all_of_it(database_url: str, delib: dict[str, Any]):
    svc = make_service(database_url, delib, card_quiet=60.0, card_max_wait=600.0)
    try:
        first, rest = send_burst(svc)
        card = svc.bot.get(f"/clusters/{first['signal']['cluster_id']}").json["card_key"]
        # Nothing edited during the burst: the card waits for it to end, and so do the posts of the
        # signals that joined; only the first signal is in the thread (with the card).
        assert card_edits(svc, card) == []
        assert [m.key for m in thread_posts(svc, card)] == [f"signals:signal:{first['signal']['id']}"]
        last_intake = utcnow()  # the service's clock in these tests
        # Still inside the quiet period: nothing to send yet.
        assert actions.flush_cards(svc.rt, svc.cfg, svc.settings, last_intake + timedelta(seconds=30)) == 0
        # Then one post with every signal of the burst, and one edit.
        assert actions.flush_cards(svc.rt, svc.cfg, svc.settings, last_intake + timedelta(seconds=61)) == 2
        assert_one_post_for_the_burst(svc, card, first, rest)
        [edit] = card_edits(svc, card)
        assert f"{len(BURST) + 1} signalen" in edit.body and LAST_DAY in edit.body and "Tarwewijk" in edit.body
        assert edit.key.endswith(":v1")
        assert svc.handoff()[-1].key == edit.key  # after every signal it carries
        # Settled: the job finds nothing more to do.
        assert actions.flush_cards(svc.rt, svc.cfg, svc.settings, last_intake + timedelta(hours=1)) == 0
        assert len(card_edits(svc, card)) == 1 and len(thread_posts(svc, card)) == 2
    finally:
        svc.db.dispose()


def test_a_pending_card_edit_survives_a_restart(database_url: str, delib: dict[str, Any]):
    svc = make_service(database_url, delib, card_quiet=60.0, card_max_wait=600.0)
    try:
        first, rest = send_burst(svc)
        card = svc.bot.get(f"/clusters/{first['signal']['cluster_id']}").json["card_key"]
        assert card_edits(svc, card) == [] and len(thread_posts(svc, card)) == 1
        stopped_at = utcnow()
    finally:
        svc.db.dispose()  # the process dies between the intake and the edit
    again = make_service(database_url, delib, card_quiet=60.0, card_max_wait=600.0)
    try:
        # The owed post and edit are on the rows: both go out after the restart, once.
        assert actions.flush_cards(again.rt, again.cfg, again.settings, stopped_at + timedelta(minutes=5)) == 2
        assert_one_post_for_the_burst(again, card, first, rest)
        [edit] = card_edits(again, card)
        assert f"{len(BURST) + 1} signalen" in edit.body and LAST_DAY in edit.body
        assert actions.flush_cards(again.rt, again.cfg, again.settings, stopped_at + timedelta(minutes=10)) == 0
        assert len(thread_posts(again, card)) == 2
    finally:
        again.db.dispose()


def test_a_steady_stream_still_gets_an_edit_after_the_longest_wait(database_url: str, delib: dict[str, Any]):
    svc = make_service(database_url, delib, card_quiet=60.0, card_max_wait=120.0)
    try:
        first, _ = send_burst(svc)
        card = svc.bot.get(f"/clusters/{first['signal']['cluster_id']}").json["card_key"]
        with svc.db.session() as s:  # the last signal just came in, the first owed change long ago
            s.execute(update(ClusterRow).values(card_touched_at=T0 + timedelta(minutes=10), card_pending_since=T0,
                                                posts_pending_since=T0))
        assert actions.flush_cards(svc.rt, svc.cfg, svc.settings, T0 + timedelta(minutes=10, seconds=1)) == 2
        assert len(card_edits(svc, card)) == 1 and len(thread_posts(svc, card)) == 2
    finally:
        svc.db.dispose()


def test_a_members_edit_settles_the_owed_one(database_url: str, delib: dict[str, Any]):
    svc = make_service(database_url, delib, card_quiet=60.0, card_max_wait=600.0)
    try:
        first, _ = send_burst(svc)
        number = first["signal"]["cluster_id"]
        card = svc.bot.get(f"/clusters/{number}").json["card_key"]
        assert svc.bot.post(f"/clusters/{number}/heard", {"member": ANNA}, key="$duim").json["changed"]
        [edit] = card_edits(svc, card)
        assert f"{len(BURST) + 1} signalen" in edit.body and "1 lid hoorde dit ook" in edit.body
        # The signals' post is still owed (a member's edit shows the count, not the signals): it goes
        # out, and no second edit.
        assert actions.flush_cards(svc.rt, svc.cfg, svc.settings, T0 + timedelta(days=400)) == 1
        assert len(card_edits(svc, card)) == 1 and len(thread_posts(svc, card)) == 2
        assert actions.flush_cards(svc.rt, svc.cfg, svc.settings, T0 + timedelta(days=401)) == 0
    finally:
        svc.db.dispose()


def test_erasing_a_signal_of_a_burst_post_posts_the_others_again_without_it(database_url: str,
                                                                            delib: dict[str, Any]):
    svc = make_service(database_url, delib, card_quiet=60.0, card_max_wait=600.0)
    try:
        first, rest = send_burst(svc)
        card = svc.bot.get(f"/clusters/{first['signal']['cluster_id']}").json["card_key"]
        assert actions.flush_cards(svc.rt, svc.cfg, svc.settings, utcnow() + timedelta(seconds=61)) == 2
        _, burst = thread_posts(svc, card)
        gone = rest[1]["signal"]["id"]
        actions.erase(svc.rt, svc.cfg, svc.settings, rest[1]["reference"], utcnow())
        # The post that showed it is redacted (with the text of the others in it) ...
        redaction = next(m for m in svc.handoff() if m.key == f"signals:signal:{gone}:wis")
        assert redaction.kind == "redaction" and redaction.edit_key == burst.key
        # ... and the others are posted again, once, in the thread of the card's next generation.
        assert actions.flush_cards(svc.rt, svc.cfg, svc.settings, utcnow() + timedelta(seconds=61)) == 1
        [again] = thread_posts(svc, f"{card}:r1")
        others = [r["signal"]["id"] for r in rest if r["signal"]["id"] != gone]
        assert again.key == f"signals:signal:{others[0]}+{len(others) - 1}" and again.key != burst.key
        assert [int(x) for x in re.findall(r"Signaal #(\d+) ·", again.body)] == others
        assert BURST[1] not in again.body and BURST[0] in again.body
        assert actions.flush_cards(svc.rt, svc.cfg, svc.settings, utcnow() + timedelta(hours=1)) == 0
    finally:
        svc.db.dispose()


def test_two_signals_about_one_issue_at_once_make_one_cluster(database_url: str, delib: dict[str, Any],
                                                              monkeypatch: pytest.MonkeyPatch):
    """The cluster is chosen before the write transaction; both intakes read before either wrote, so
    both chose a new cluster. The second to write sees the first's signal and joins it."""
    svc = make_service(database_url, delib)
    both_read = threading.Barrier(2, timeout=30)
    read = store.candidates

    def read_then_wait_for_the_other(*args: Any, **kwargs: Any) -> Any:
        found = read(*args, **kwargs)
        both_read.wait()
        return found

    monkeypatch.setattr(store, "candidates", read_then_wait_for_the_other)
    receipts: list[actions.Receipt] = []
    failed: list[BaseException] = []

    def submit(text_: str) -> None:
        try:
            receipts.append(actions.submit(svc.rt, svc.cfg, svc.settings,
                                           actions.Submission(council=SLUG, text=text_, channel="api", received_at=T0),
                                           utcnow()))
        except BaseException as exc:  # reported below, in the test's thread
            failed.append(exc)

    try:
        threads = [threading.Thread(target=submit, args=(t,)) for t in (LEAK_1, BURST[0])]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not failed, failed
        assert len(receipts) == 2
        assert receipts[0].cluster.id == receipts[1].cluster.id
        assert sorted(r.new_cluster for r in receipts) == [False, True]
        assert sorted(r.cluster.signal_count for r in receipts) == [1, 2]
        with svc.db.read() as s:
            assert s.scalar(text("SELECT count(*) FROM signals_clusters")) == 1
    finally:
        svc.db.dispose()


# --------------------------------------------------------------------------- numbers per council
def test_signal_groups_are_numbered_per_council(database_url: str, delib: dict[str, Any]):
    svc = make_service(database_url, delib)
    try:
        a = svc.send(LEAK_1, at=T0)
        b = svc.send("Harde muziek en herrie van de buren aan de Slaghekstraat in Tarwewijk, elke nacht.", at=T0)
        c = svc.send("Overlast van hangjongeren bij de Tarwehof, elke avond herrie en afval.", at=T0, slug=OTHER)
        assert (a["signal"]["cluster_id"], b["signal"]["cluster_id"]) == (1, 2)
        assert c["new_cluster"] and c["signal"]["cluster_id"] == 1  # the other council's first group
        # Internal ids run across councils; they never show.
        with svc.db.read() as s:
            ids = dict(s.execute(text("SELECT council, max(id) FROM signals_clusters GROUP BY council")).all())
        assert ids[OTHER] == 3
        own = svc.bot.get("/clusters/1", slug=OTHER).json
        assert own["id"] == 1 and own["signal_count"] == 1 and own["theme"] != "onderhoud"
        assert own["card_key"] == f"signals:cluster:{OTHER}:1"
        assert [x["cluster_id"] for x in own["signals"]] == [1]
        assert svc.bot.get(f"/signals/{c['signal']['id']}", slug=OTHER).json["cluster_id"] == 1
        card = next(m for m in svc.handoff() if m.key == f"signals:cluster:{OTHER}:1")
        assert card.council == OTHER and "Signaalgroep #1 " in card.body
        # A command reaches the council's own group: a theme correction on the other council's #1.
        changed = svc.admin.post("/clusters/1/theme", {"theme": "onderhoud"}, slug=OTHER, key="$thema")
        assert changed.status_code == 200 and changed.json["cluster"]["id"] == 1
        assert svc.bot.get("/clusters/1", slug=OTHER).json["theme"] == "onderhoud"
        assert svc.bot.get("/clusters/1").json["theme_corrected"] is False  # this council's #1 untouched
        # Number 2 exists only in the first council.
        assert svc.bot.get("/clusters/2").status_code == 200
        for path, body in (("/clusters/2", None), ("/clusters/2/theme", {"theme": "overlast"}),
                           ("/clusters/2/agenda", {})):
            resp = svc.admin.get(path, slug=OTHER) if body is None else svc.admin.post(path, body, slug=OTHER)
            assert resp.status_code == 404 and resp.json["error"] == "signals.api.cluster_not_found", path
        assert [x["id"] for x in svc.bot.get("/clusters", slug=OTHER).json] == [1]
    finally:
        svc.db.dispose()


def test_the_migration_numbers_existing_groups_per_council(database_url: str):
    db = Database(database_url)
    try:
        upgrade(db, SERVICE_DIR, "signals_alembic_version", revision="079764d7dabf")
        with db.session() as s:
            for cid, council in ((1, "k"), (2, "h"), (3, "k"), (4, "h"), (5, "k")):
                s.execute(text("INSERT INTO signals_clusters (id, council, room, theme, theme_corrected, signal_count,"
                               " heard_count, first_ts, last_ts, card_version) VALUES (:id, :c, 'signals', 'overig',"
                               " false, 1, 0, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00', 0)"),
                          {"id": cid, "c": council})
            for sid, cid, wijk, erased in ((1, 3, "Carnisse", "NULL"), (2, 3, "Carnisse", "NULL"),
                                           (3, 3, "Bloemhof", "'2026-01-02 00:00:00+00:00'"), (4, 4, None, "NULL")):
                s.execute(text("INSERT INTO signals_signals (id, council, ref_hash, channel, text, scrubbed_kinds,"
                               " wijk, theme, themes, theme_source, features, ts, month, cluster_id, status, erased_at)"
                               " VALUES (:id, 'k', :h, 'api', 't', '', :w, 'overig', '[]', 'auto', '',"
                               f" '2026-01-01 00:00:00+00:00', '2026-01', :c, 'ontvangen', {erased})"),
                          {"id": sid, "h": f"h{sid}", "w": wijk, "c": cid})
        upgrade(db, SERVICE_DIR, "signals_alembic_version")
        with db.read() as s:
            rows = s.execute(text("SELECT id, council, number, card_base, wijken, erased_count, card_pending"
                                  " FROM signals_clusters ORDER BY id")).all()
        assert [(r[0], r[1], r[2]) for r in rows] == [(1, "k", 1), (2, "h", 1), (3, "k", 2), (4, "h", 2), (5, "k", 3)]
        assert [r[3] for r in rows] == [f"signals:cluster:{i}" for i in range(1, 6)]  # cards posted before keep theirs
        assert rows[2][4] == '{"Bloemhof": 1, "Carnisse": 2}' and rows[2][5] == 1
        assert all(r[6] == 0 for r in rows)
        with db.read() as s:  # every signal so far was posted on its own: nothing is owed
            assert s.execute(text("SELECT id, posted_key FROM signals_signals ORDER BY id")).all() == [
                (i, f"signals:signal:{i}") for i in range(1, 5)]
            assert s.scalar(text("SELECT count(*) FROM signals_clusters WHERE posts_pending > 0")) == 0
        with pytest.raises(IntegrityError):  # the council's number is unique
            with db.session() as s:
                s.execute(text("UPDATE signals_clusters SET number = 1 WHERE id = 3"))
    finally:
        db.dispose()
