"""A partner's signals through the queue (``POST …/signals/queued``, answered 202), on a real database
(SQLite, and PostgreSQL in the second pass): nothing but the scrubbed signal is stored at once; the intake
job groups it after the burst, exactly once, with its contact details; a repeat is the same signal whichever
endpoint it comes through; the resident's page works before the job ran; a restart or a failing signal
loses nothing."""
from __future__ import annotations

import logging
import threading
from datetime import timedelta
from typing import Any, Iterator

import pytest
from sqlalchemy import func, select, text

from services.signals import actions, store
from services.signals.models import ContactRow, QueuedSignalRow, SignalRow
from shared.outbox import utcnow
from tests.integration.test_signals_api import LEAK_1, LEAK_2, NOISE, PII, SLUG, Service, delib, make_service

pytestmark = pytest.mark.postgres
__all__ = ["delib"]  # the fixture, imported for this module's tests

LATER = timedelta(seconds=10)  # past the queue's quiet period


@pytest.fixture
def svc(database_url: str, delib: dict[str, Any]) -> Iterator[Service]:
    service = make_service(database_url, delib)
    yield service
    service.rt.stop()
    service.db.dispose()


def queue(svc: Service, text: str, *, key: str | None = None, **extra: Any) -> dict[str, Any]:
    resp = svc.partner.post("/signals/queued", {"text": text, **extra}, key=key)
    assert resp.status_code == 202, resp.json
    return resp.json


def counts(svc: Service) -> tuple[int, int]:
    with svc.db.read() as s:
        return (s.scalar(select(func.count()).select_from(QueuedSignalRow)),
                s.scalar(select(func.count()).select_from(SignalRow)))


def group(svc: Service, *, after: timedelta = LATER) -> int:
    return actions.group_queue(svc.rt, svc.cfg, svc.settings, utcnow() + after)


def group_as_of_the_last_signal(svc: Service) -> int:
    """The job's turn at the moment the newest queued signal came in (however long the test took since)."""
    with svc.db.read() as s:
        newest = s.scalar(select(func.max(QueuedSignalRow.queued_at)))
    return actions.group_queue(svc.rt, svc.cfg, svc.settings, newest)


def test_a_queued_signal_is_answered_at_once_and_grouped_by_the_job(svc: Service, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    first = queue(svc, LEAK_1, contact={"name": "Jan de Boer", "email": "jan.deboer@example.nl", "consent": True})
    queue(svc, LEAK_2)
    queue(svc, NOISE)
    assert first["state"] == "queued" and first["duplicate"] is False
    assert first["status_url"] == f"https://signalen.example.nl/signaal/{first['reference']}"
    assert counts(svc) == (3, 0) and svc.handoff() == []  # nothing grouped, nothing posted yet
    stored = svc.dump_tables(skip=("signals_contacts", "signals_queued"))
    with svc.db.read() as s:
        waiting = s.scalars(select(QueuedSignalRow).order_by(QueuedSignalRow.id)).all()
        assert "[telefoon]" in waiting[0].text and "[naam]" in waiting[0].text  # scrubbed before storing
        assert waiting[0].contact_email == "jan.deboer@example.nl" and waiting[1].contact_email is None
        queued_text = "\n".join(f"{r.text} {r.ref_hash} {r.intake_key}" for r in waiting)
    for item in PII:
        assert item not in queued_text and item not in stored and item not in caplog.text, item
    assert first["reference"] not in queued_text  # only its hash

    assert group_as_of_the_last_signal(svc) == 0  # the burst may not be over: wait for the quiet period
    assert group(svc) == 3
    assert counts(svc) == (0, 3)
    clusters = svc.bot.get("/clusters").json
    assert sorted(c["signal_count"] for c in clusters) == [1, 2]  # the two leaks in one group, the noise apart
    keys = [m.key for m in svc.handoff()]
    assert keys[:2] == [f"signals:cluster:{SLUG}:1", "signals:signal:1"] and f"signals:cluster:{SLUG}:2" in keys
    with svc.db.read() as s:
        contact = s.scalar(select(ContactRow))
        assert (contact.signal_id, contact.email, contact.language) == (1, "jan.deboer@example.nl", "nl")
        assert contact.status_url == first["status_url"]
    page = svc.client.get(f"/signaal/{first['reference']}?lang=nl")
    assert page.status_code == 200 and "Tarwehof" in page.get_data(as_text=True)
    assert group(svc) == 0  # nothing twice


def test_a_steady_stream_is_grouped_after_the_longest_wait(svc: Service):
    queue(svc, LEAK_1)
    assert group_as_of_the_last_signal(svc) == 0
    with svc.db.session() as s:  # the oldest came long ago, the newest just now: a stream that goes on
        s.execute(QueuedSignalRow.__table__.update().values(queued_at=utcnow() - timedelta(seconds=60)))
    queue(svc, NOISE)
    assert group_as_of_the_last_signal(svc) == 2


def test_a_repeat_is_the_same_signal_through_either_endpoint(svc: Service):
    one = svc.partner.post("/signals/queued", {"text": LEAK_2}, key="order-17")
    again = svc.partner.post("/signals/queued", {"text": LEAK_2}, key="order-17")
    assert one.status_code == again.status_code == 202 and again.headers.get("Idempotent-Replay") == "true"
    assert again.json["reference"] == one.json["reference"] and counts(svc) == (1, 0)
    # Also when the stored answer is gone (a crash between storing and answering): the key on the queued row holds.
    with svc.db.session() as s:
        s.execute(text("DELETE FROM signals_idempotency"))
    third = queue(svc, LEAK_2, key="order-17")
    assert third["duplicate"] is True and third["reference"] == one.json["reference"] and counts(svc) == (1, 0)
    # The same key through the 201 endpoint before the job ran: grouped now, and the same signal.
    with svc.db.session() as s:
        s.execute(text("DELETE FROM signals_idempotency"))
    now = svc.partner.post("/signals", {"text": LEAK_2}, key="order-17")
    assert now.status_code == 201 and now.json["reference"] == one.json["reference"] and now.json["duplicate"] is True
    assert counts(svc) == (0, 1)
    with svc.db.session() as s:
        s.execute(text("DELETE FROM signals_idempotency"))
    after = queue(svc, LEAK_2, key="order-17")
    assert after["duplicate"] is True and after["reference"] == one.json["reference"] and counts(svc) == (0, 1)
    assert group(svc) == 0


def test_the_resident_s_page_before_the_job_groups_it_then_and_erasing_works(svc: Service):
    receipt = queue(svc, LEAK_1, contact={"name": "Jan de Boer", "phone": "06-12345678", "consent": True})
    ref = receipt["reference"]
    download = svc.client.get(f"/signaal/{ref}/download?lang=nl")
    assert download.status_code == 200 and "Telefoonnummer: 06-12345678" in download.get_data(as_text=True)
    assert counts(svc) == (0, 1)
    token = svc.csrf(f"/signaal/{ref}?lang=nl")
    erased = svc.client.post(f"/signaal/{ref}/wissen", data={"csrf_token": token, "bevestigd": "1"})
    assert erased.status_code in (302, 303), erased.get_data(as_text=True)[:300]
    with svc.db.read() as s:
        assert s.scalar(select(SignalRow.text)) == "" and s.scalar(select(func.count()).select_from(ContactRow)) == 0
    assert group(svc) == 0


def test_queued_signals_survive_a_restart_and_are_grouped_once(database_url: str, delib: dict[str, Any]):
    first = make_service(database_url, delib)
    try:
        for body in (LEAK_1, LEAK_2, NOISE):
            queue(first, body)
    finally:
        first.rt.stop()
        first.db.dispose()
    second = make_service(database_url, delib)  # a new worker on the same database: the queue is still there
    try:
        with second.db.read() as s:
            due = store.queue_due(s, utcnow(), utcnow() + LATER, utcnow(), 10)
        # Two workers group the same queued signals at once (the job, and a resident's page): each once.
        results: list[bool] = []
        lock = threading.Lock()

        def run() -> None:
            for waiting in due:
                done = actions.group_queued(second.rt, second.cfg, second.settings, waiting, utcnow())
                with lock:
                    results.append(done)

        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == [False] * 3 + [True] * 3
        assert counts(second) == (0, 3)
        assert sorted(c["signal_count"] for c in second.bot.get("/clusters").json) == [1, 2]
    finally:
        second.rt.stop()
        second.db.dispose()


def test_a_signal_that_fails_to_group_waits_behind_the_others_and_is_kept(svc: Service, monkeypatch: pytest.MonkeyPatch,
                                                                          caplog: pytest.LogCaptureFixture):
    queue(svc, LEAK_1)
    queue(svc, NOISE)
    real = store.insert_signal
    broken = {"on": True}

    def fails_for_the_leak(s: Any, new: store.NewSignal, cluster_id: int) -> store.Signal:
        if broken["on"] and "Tarwehof" in new.text:
            raise RuntimeError("defect")
        return real(s, new, cluster_id)

    monkeypatch.setattr(store, "insert_signal", fails_for_the_leak)
    assert group(svc) == 1  # the batch failed, then one by one: the leak failed, the noise was grouped
    assert "could not be grouped" in caplog.text
    with svc.db.read() as s:
        left = s.scalar(select(QueuedSignalRow))
        assert left.attempts == 1 and "Tarwehof" in left.text
        assert s.scalar(select(func.count()).select_from(SignalRow)) == 1
    # Not tried again at every turn of the job (the log would fill up): after 30 s, then 1 min, …
    caplog.clear()
    assert group(svc, after=LATER + timedelta(seconds=5)) == 0 and "could not be grouped" not in caplog.text
    assert group(svc, after=LATER + timedelta(seconds=31)) == 0  # failed again: attempt 2, a minute later
    with svc.db.read() as s:
        assert s.scalar(select(QueuedSignalRow.attempts)) == 2
    assert group(svc, after=LATER + timedelta(seconds=61)) == 0  # not yet
    broken["on"] = False
    # A new signal meanwhile is grouped as usual, without waiting for the one that failed.
    queue(svc, LEAK_2)
    assert group(svc) == 1
    assert group(svc, after=LATER + timedelta(seconds=100)) == 1 and counts(svc) == (0, 3)


def test_bad_input_to_the_queue_gets_the_same_answers(svc: Service):
    assert svc.partner.post("/signals/queued", {"text": "   "}).status_code == 422
    assert svc.partner.post("/signals/queued", {"text": NOISE, "wijk": "Atlantis"}).json["error"] == "signals.wijk_unknown"
    assert svc.partner.post("/signals/queued", {"text": NOISE}, slug="nergens").status_code == 404
    assert svc.anonymous.post("/signals/queued", {"text": NOISE}).status_code == 401
    contact = svc.partner.post("/signals/queued", {"text": NOISE, "contact": {"email": "x@example.nl"}})
    assert contact.status_code == 422 and contact.json["error"] == "signals.api.consent_required"
    assert counts(svc) == (0, 0)
