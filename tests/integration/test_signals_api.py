"""The signals service on a real database (SQLite, and PostgreSQL in the second pass): intake through the
API, scrubbing before anything is stored, contact details apart, export and erasure by reference number,
the retention job, clustering in SQL, the card and thread messages in the handoff queue, theme
corrections, 👍, putting a cluster on the agenda of the real deliberation service (over HTTP), residents'
feedback once the topic is decided, stats and the chart, and bad input."""
from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import pytest
from sqlalchemy import select, text

from devstack.procs import free_port
from tests.support import serve_in_thread
from services.deliberation.app import create_app as create_deliberation
from services.deliberation.app import migrate as migrate_deliberation
from services.signals import actions
from services.signals.app import create_app, migrate
from services.signals.config import SignalsConfig
from services.signals.domain.clustering import blocking_keys
from services.signals.models import RUNTIME_MODELS, ClusterKeyRow, ContactRow, SignalRow, SignalsBase
from shared.db import Database
from shared.outbox import OutboundMessage, QueueStore
from shared.settings import Settings

pytestmark = pytest.mark.postgres

SLUG = "raad"
OTHER = "anders"
ANNA, BRAM, CEES, SEC = "@anna:test", "@bram:test", "@cees:test", "@secretaris:test"
TOKENS = {"admin": "t-admin", "bot": "t-bot", "signals": "t-signals", "partner": "t-partner",
          "deliberation": "t-delib", "calendar": "t-calendar"}
T0 = datetime(2026, 1, 12, 9, 30, tzinfo=timezone.utc)

# Personal data used in the texts below; none of it may reach a signal row, a message or a log line.
PII = ["Jan de Boer", "06-12345678", "jan.deboer@example.nl", "3083 AB", "NL91ABNA0417164300",
       "Mijnsherenlaan 12", "Fatima Yilmaz", "fatima@example.com", "010-1234567", "0612345678"]
LEAK_1 = ("Beste mensen, in de portiek van de Tarwehof in de Tarwewijk lekt het dak al drie weken. "
          "Bel mij op 06-12345678 of mail jan.deboer@example.nl. Groet, Jan de Boer, Mijnsherenlaan 12, 3083 AB")
LEAK_2 = ("Bewoonster Fatima Yilmaz (fatima@example.com, 010-1234567) zegt dat het dak van de Tarwehof lekt; "
          "het water staat in de portiek. Rekening NL91ABNA0417164300.")
NOISE = "Harde muziek en herrie van de buren aan de Slaghekstraat in Tarwewijk, elke nacht tot 4 uur."


def deliberation_settings(port_delib: int, port_signals: int) -> dict[str, Any]:
    return dict(
        api_tokens=TOKENS,
        service_urls={"bot": f"http://127.0.0.1:{free_port()}", "deliberation": f"http://127.0.0.1:{port_delib}",
                      "calendar": "http://127.0.0.1:9", "signals": f"http://127.0.0.1:{port_signals}"},
        public_base_url="https://signalen.example.nl",
        councils=[{"slug": SLUG, "name": "Klantenraad Test", "rooms": {"main": "!main:test", "signals": "!sig:test"},
                   "secretaries": [SEC]},
                  {"slug": OTHER, "name": "Andere raad",
                   "rooms": {"main": "!other:test", "themes": {"overlast": "!overlast:test"}}}],
    )


class Served:
    """A Flask app on a real port, in a thread: the signals service talks to it over HTTP."""

    def __init__(self, app: Any, port: int) -> None:
        _, self.server = serve_in_thread(app, port)

    def stop(self) -> None:
        self.server.shutdown()


class Caller:
    def __init__(self, client: Any, token: str | None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def post(self, path: str, body: Any = None, *, key: str | None = None, slug: str = SLUG, **kw: Any) -> Any:
        headers = {**self.headers, **({"Idempotency-Key": key} if key else {}), **kw.pop("headers", {})}
        return self.client.post(f"/api/v1/councils/{slug}{path}", json=body, headers=headers, **kw)

    def get(self, path: str, *, slug: str = SLUG, **kw: Any) -> Any:
        return self.client.get(f"/api/v1/councils/{slug}{path}", headers={**self.headers, **kw.pop("headers", {})},
                               **kw)


class Service:
    def __init__(self, app: Any, db: Database, settings: Settings, delib: Any) -> None:
        self.app, self.db, self.settings, self.delib = app, db, settings, delib
        self.client = app.test_client()
        self.partner = Caller(self.client, TOKENS["partner"])
        self.bot = Caller(self.client, TOKENS["bot"])
        self.admin = Caller(self.client, TOKENS["admin"])
        self.anonymous = Caller(self.client, None)

    @property
    def rt(self) -> Any:
        return self.app.extensions["overleg_runtime"]

    @property
    def cfg(self) -> SignalsConfig:
        return self.app.extensions["signals_config"]

    def send(self, text: str, *, at: datetime | None = None, slug: str = SLUG, **extra: Any) -> dict[str, Any]:
        body = {"text": text, **extra}
        if at is not None:
            body["received_at"] = at.isoformat()
        resp = self.partner.post("/signals", body, slug=slug)
        assert resp.status_code == 201, resp.json
        return resp.json

    def handoff(self) -> list[OutboundMessage]:
        model = RUNTIME_MODELS[0]
        with self.db.read() as s:
            return [QueueStore.message(r) for r in s.scalars(select(model).order_by(model.id))]

    def dump_tables(self, *, skip: tuple[str, ...] = ("signals_contacts",)) -> str:
        """Every row of every table of the service, as text (to look for personal data)."""
        out = []
        with self.db.read() as s:
            for table in SignalsBase.metadata.sorted_tables:
                if table.name in skip:
                    continue
                for row in s.execute(select(table)):
                    out.append(f"{table.name}: {tuple(row)}")
        return "\n".join(out)

    def csrf(self, path: str) -> str:
        page = self.client.get(path).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or \
            re.search(r'id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert match, page[:500]
        return match.group(1)


@pytest.fixture
def delib(tmp_path) -> Iterator[dict[str, Any]]:
    """The real deliberation service with a seeded roster, served over HTTP."""
    port_delib, port_signals = free_port(), free_port()
    settings = Settings(**deliberation_settings(port_delib, port_signals))
    db = Database(f"sqlite:///{tmp_path}/deliberation.db")
    migrate_deliberation(db)
    app = create_deliberation(settings, database=db)
    client = app.test_client()
    admin = {"Authorization": f"Bearer {TOKENS['admin']}"}
    for who, name, group, secretary in ((ANNA, "Anna", "Zuid", False), (BRAM, "Bram", "Noord", False),
                                        (CEES, "Cees", "Centrum", False), (SEC, "Secretaris", "Algemeen", True)):
        resp = client.post(f"/api/v1/councils/{SLUG}/members", headers=admin, json={
            "matrix_id": who, "display_name": name, "member_type": "huurder", "customer_group": group,
            "secretary": secretary})
        assert resp.status_code == 201, resp.json
    served = Served(app, port_delib)
    try:
        yield {"settings": settings, "client": client, "port": port_delib, "port_signals": port_signals}
    finally:
        served.stop()
        db.dispose()


def make_service(database_url: str, delib: dict[str, Any], **config: Any) -> Service:
    # Card edits right after each intake, so a test sees the card of every step; the coalescing of a
    # burst into one edit has tests of its own (test_signals_cards.py).
    config.setdefault("card_quiet", 0.0)
    settings = delib["settings"]
    db = Database(database_url)
    migrate(db)
    app = create_app(settings, database=db, config=SignalsConfig(**config))
    return Service(app, db, settings, delib)


@pytest.fixture
def svc(database_url: str, delib: dict[str, Any]) -> Iterator[Service]:
    service = make_service(database_url, delib)
    yield service
    service.db.dispose()


def all_text(messages: list[OutboundMessage]) -> str:
    return "\n".join(f"{m.body}\n{m.html or ''}" for m in messages)


# --------------------------------------------------------------------------- intake and privacy
def test_intake_scrubs_before_storing_and_keeps_contact_apart(svc: Service, caplog: pytest.LogCaptureFixture):
    caplog.set_level(logging.DEBUG)
    first = svc.send(LEAK_1, contact={"name": "Jan de Boer", "email": "jan.deboer@example.nl",
                                      "phone": "06-12345678", "consent": True})
    second = svc.bot.post("/signals", {"text": LEAK_2}, key="$event-1")
    assert second.status_code == 201, second.json
    sig = first["signal"]
    assert sig["channel"] == "api" and second.json["signal"]["channel"] == "matrix"
    assert "[telefoon]" in sig["text"] and "[e-mail]" in sig["text"] and "[naam]" in sig["text"]
    assert set(sig["personal_data_removed"]) >= {"naam", "telefoon", "e-mail", "adres", "postcode"}
    assert sig["wijk"] == "Tarwewijk" and sig["wijk_source"] == "detected"
    assert sig["theme"] == "onderhoud" and {"lekt", "dak"} <= set(sig["themes"][0]["matched"])
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", first["reference"])
    assert first["status_url"] == f"https://signalen.example.nl/signaal/{first['reference']}"

    stored = svc.dump_tables()
    handoff = all_text(svc.handoff())
    for item in PII:
        assert item not in stored, item
        assert item not in handoff, item
        assert item not in caplog.text, item
    assert first["reference"] not in stored  # only its hash is kept
    with svc.db.read() as s:
        contact = s.scalar(select(ContactRow))
        assert (contact.name, contact.email, contact.phone, contact.consent) == \
            ("Jan de Boer", "jan.deboer@example.nl", "06-12345678", True)
        assert contact.signal_id == sig["id"]
        assert s.scalar(select(SignalRow.text).where(SignalRow.id == sig["id"])) == sig["text"]


def test_a_repeated_submission_is_the_same_signal(svc: Service):
    one = svc.bot.post("/signals", {"text": LEAK_2}, key="$dup")
    again = svc.bot.post("/signals", {"text": LEAK_2}, key="$dup")
    assert one.status_code == again.status_code == 201
    assert again.json == one.json and again.headers.get("Idempotent-Replay") == "true"
    # Also when the stored answer is gone (a crash between storing and answering): the key on the signal holds.
    with svc.db.session() as s:
        s.execute(text("DELETE FROM signals_idempotency"))
    third = svc.bot.post("/signals", {"text": LEAK_2}, key="$dup")
    assert third.json["duplicate"] is True and third.json["signal"]["id"] == one.json["signal"]["id"]
    assert third.json["reference"] == one.json["reference"]
    with svc.db.read() as s:
        assert len(s.scalars(select(SignalRow.id)).all()) == 1
    assert [m.key for m in svc.handoff()] == [f"signals:cluster:{SLUG}:1", "signals:signal:1"]


def test_the_resident_s_page_finds_a_reference_as_written_and_downloads_in_plain_words(svc: Service):
    receipt = svc.send(LEAK_1, contact={"name": "Jan de Boer", "email": "jan.deboer@example.nl", "consent": True})
    ref = receipt["reference"]
    typed = " " + ref.lower().replace("-", " ").replace("0", "o") + " "  # from paper: case, spaces, O for 0
    found = svc.client.get("/signaal/zoek", query_string={"ref": typed, "lang": "nl"})
    assert found.status_code == 303 and found.headers["Location"].startswith(f"/signaal/{ref}")
    wrong = svc.client.get("/signaal/zoek", query_string={"ref": "ABC"})
    assert wrong.status_code == 400 and "16 tekens" in wrong.get_data(as_text=True)
    assert 'id="lookup-form"' in svc.client.get("/signaal").get_data(as_text=True)

    download = svc.client.get(f"/signaal/{ref}/download?lang=nl")
    assert download.status_code == 200 and download.mimetype == "text/plain"
    assert download.headers["Content-Disposition"] == f'attachment; filename="signaal-{ref}.txt"'
    text = download.get_data(as_text=True)
    assert text.startswith("Alles wat Klantenraad Test bewaart over je signaal")
    assert f"Referentienummer: {ref}" in text and "E-mailadres: jan.deboer@example.nl" in text
    assert receipt["signal"]["text"] in text and "{" not in text  # words, not JSON
    english = svc.client.get(f"/signaal/{ref}/download?lang=en").get_data(as_text=True)
    assert "Reference number:" in english and "We never kept your original text" in english
    page = svc.client.get(f"/signaal/{ref}?lang=nl").get_data(as_text=True)
    assert f"/signaal/{ref}/download" in page and "(tekstbestand)" in page


def test_export_and_erase_by_reference(svc: Service):
    receipt = svc.send(LEAK_1, contact={"name": "Jan de Boer", "email": "jan.deboer@example.nl", "consent": True})
    ref = receipt["reference"]
    exported = svc.client.get(f"/signaal/{ref.lower().replace('-', '')}/export")
    assert exported.status_code == 200 and exported.mimetype == "application/json"
    assert exported.headers["Cache-Control"] == "no-store"
    data = json.loads(exported.get_data(as_text=True))
    assert data["reference"] == ref and data["text_as_stored"] == receipt["signal"]["text"]
    assert data["contact"]["name"] == "Jan de Boer" and data["contact"]["email"] == "jan.deboer@example.nl"
    assert data["retention_days_after_closing"] == 365

    page = svc.client.get(f"/signaal/{ref}")
    assert page.status_code == 200 and ref in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert svc.client.post(f"/signaal/{ref}/wissen", data={}).status_code == 400  # no CSRF token
    token = svc.csrf(f"/signaal/{ref}")
    # The button asks first: nothing is erased until the resident confirms.
    asked = svc.client.post(f"/signaal/{ref}/wissen", data={"csrf_token": token})
    assert asked.status_code == 200 and "Ja, wis mijn gegevens" in asked.get_data(as_text=True)
    assert 'name="bevestigd" value="1"' in asked.get_data(as_text=True)
    assert json.loads(svc.client.get(f"/signaal/{ref}/export").get_data(as_text=True))["contact"] is not None
    erased = svc.client.post(f"/signaal/{ref}/wissen", data={"csrf_token": token, "bevestigd": "1"})
    assert erased.status_code == 303 and "gewist=1" in erased.headers["Location"]

    after = json.loads(svc.client.get(f"/signaal/{ref}/export").get_data(as_text=True))
    assert after["contact"] is None and after["text_as_stored"] == "" and after["erased_at"]
    with svc.db.read() as s:
        assert s.scalar(select(ContactRow)) is None
        assert s.scalars(select(ClusterKeyRow)).all() == []
    sid, cid = receipt["signal"]["id"], receipt["signal"]["cluster_id"]
    # The Matrix copies are redacted, not edited over: the thread post and the card with every version.
    post = next(m for m in svc.handoff() if m.key == f"signals:signal:{sid}:wis")
    assert post.kind == "redaction" and post.edit_key == f"signals:signal:{sid}" and "gewist" in post.body
    card = next(m for m in svc.handoff() if m.key == f"signals:cluster:{SLUG}:{cid}:wis:{sid}")
    assert card.kind == "redaction" and card.edit_key == f"signals:cluster:{SLUG}:{cid}"
    assert not [m for m in svc.handoff() if m.kind != "redaction" and m.edit_key]  # nothing edited over
    stats = svc.partner.get("/stats").json
    assert stats["total"] == 1  # still counted, without content

    unknown = svc.client.get("/signaal/AAAA-BBBB-CCCC-DDDD")
    assert unknown.status_code == 404 and "referentienummer" in unknown.get_data(as_text=True)
    assert svc.client.get("/signaal/not-a-reference/export").status_code == 404


def test_erasure_removes_the_handed_over_copies_of_the_text_at_once(svc: Service):
    """The bot has the card and the thread post (handed over); the service's queue keeps no copy of the
    erased text until some retention job: it goes with the erasure."""
    receipt = svc.send(LEAK_1, contact={"email": "jan.deboer@example.nl", "consent": True})
    text = receipt["signal"]["text"]
    queue = QueueStore(RUNTIME_MODELS[0])
    with svc.db.session() as s:
        for row in queue.pending(s):
            queue.mark_sent(s, row.id, None, T0)  # what the handoff job does once the bot stored them
    assert any(text[:30] in m.body for m in svc.handoff())
    token = svc.csrf(f"/signaal/{receipt['reference']}")
    assert svc.client.post(f"/signaal/{receipt['reference']}/wissen", data={"csrf_token": token, "bevestigd": "1"}).status_code == 303
    assert not any(text[:30] in m.body or text[:30] in (m.html or "") for m in svc.handoff())


def test_retention_job_erases_contact_after_the_period(svc: Service):
    receipt = svc.send(LEAK_1, at=T0, contact={"name": "Jan de Boer", "phone": "06-12345678", "consent": True})
    rt, cfg, settings = svc.rt, svc.cfg, svc.settings
    closed_at = T0 + timedelta(days=cfg.stale_days + 1)
    assert actions.retention(rt, cfg, settings, T0 + timedelta(days=30)) == 0
    assert actions.retention(rt, cfg, settings, closed_at) == 1  # the stale cluster is closed
    view = actions.by_reference(rt, receipt["reference"])
    assert view.signal.status == "verlopen" and view.signal.closed_at == closed_at and view.contact is not None
    assert actions.retention(rt, cfg, settings, closed_at + timedelta(days=364)) == 0
    assert actions.by_reference(rt, receipt["reference"]).contact is not None
    later = closed_at + timedelta(days=366)
    assert actions.retention(rt, cfg, settings, later) == 1
    view = actions.by_reference(rt, receipt["reference"])
    assert view.contact is None and view.signal.contact_erased_at == later
    assert view.signal.text == receipt["signal"]["text"]  # the scrubbed signal itself stays
    assert "afgesloten" in svc.handoff()[-1].body


def test_the_retention_period_is_configurable(database_url: str, delib: dict[str, Any]):
    service = make_service(database_url, delib, retention_days=30, stale_days=10)
    try:
        service.send(LEAK_1, at=T0, contact={"email": "jan.deboer@example.nl", "consent": True})
        assert actions.retention(service.rt, service.cfg, service.settings, T0 + timedelta(days=11)) == 1
        assert actions.retention(service.rt, service.cfg, service.settings, T0 + timedelta(days=42)) == 1
        with service.db.read() as s:
            assert s.scalar(select(ContactRow)) is None
    finally:
        service.db.dispose()


# --------------------------------------------------------------------------- clustering and messages
def test_clustering_in_sql_joins_and_starts_new_clusters(svc: Service):
    a = svc.send(LEAK_1, at=T0)
    b = svc.send(LEAK_2, at=T0 + timedelta(days=3))
    c = svc.send(NOISE, at=T0 + timedelta(days=4))
    d = svc.send("Het dak van de Tarwehof lekt weer, de portiek staat blank.", at=T0 + timedelta(days=120))
    e = svc.send(LEAK_2, at=T0 + timedelta(days=5), slug=OTHER)
    assert a["new_cluster"] and not b["new_cluster"] and b["signal"]["cluster_id"] == a["signal"]["cluster_id"]
    assert b["cluster_size"] == 2
    assert c["new_cluster"] and c["signal"]["cluster_id"] != a["signal"]["cluster_id"]
    assert d["new_cluster"], "outside the window a new cluster starts"
    # Another council's signal never joins this council's cluster; its first group is its number 1.
    assert e["new_cluster"] and e["signal"]["cluster_id"] == 1
    assert svc.bot.get("/clusters/1", slug=OTHER).json["signal_count"] == 1
    assert svc.bot.get("/clusters/1").json["signal_count"] == 2
    with svc.db.read() as s:
        rows = s.execute(select(ClusterKeyRow.key).where(ClusterKeyRow.signal_id == a["signal"]["id"])).scalars().all()
        stored = s.scalar(select(SignalRow.features).where(SignalRow.id == a["signal"]["id"]))
    from services.signals.domain.clustering import SignalFeatures

    assert set(rows) == blocking_keys(SignalFeatures.from_dict(json.loads(stored)))
    assert all(not any(p in k for p in ("boer", "yilmaz", "12345678", "3083")) for k in rows)
    detail = svc.bot.get(f"/clusters/{a['signal']['cluster_id']}").json
    assert detail["signal_count"] == 2 and [x["id"] for x in detail["signals"]] == [a["signal"]["id"], b["signal"]["id"]]
    assert detail["first_at"].startswith("2026-01-12") and detail["last_at"].startswith("2026-01-15")


def test_card_and_thread_messages_have_the_right_keys(svc: Service):
    a = svc.send(LEAK_1, at=T0)
    svc.send(LEAK_2, at=T0 + timedelta(days=1))
    svc.send(NOISE, at=T0, slug=OTHER)
    cid = a["signal"]["cluster_id"]
    card = f"signals:cluster:{SLUG}:{cid}"
    msgs = svc.handoff()
    by_key = {m.key: m for m in msgs}
    # The edit is made after the intake that owed it (here at once: no quiet period in these tests).
    assert [m.key for m in msgs[:4]] == [card, "signals:signal:1", "signals:signal:2", f"signals:card:{cid}:v1"]
    root = by_key[card]
    assert root.room == "signals" and root.council == SLUG and root.thread_key is None and root.edit_key is None
    assert "1 signaal" in root.body and "Tarwewijk" in root.body and "Onderhoud" in root.body
    edit = by_key[f"signals:card:{cid}:v1"]
    assert edit.edit_key == card and "2 signalen" in edit.body and "12 jan 2026" in edit.body
    assert "13 jan 2026" in edit.body
    for key in ("signals:signal:1", "signals:signal:2"):
        assert by_key[key].thread_key == card and by_key[key].kind == "notice"
    assert all(m.mentions == [] for m in msgs)
    # A council with a room for this theme gets the thread there.
    other = msgs[-2]
    assert other.council == OTHER and other.room == "theme:overlast" and other.key.startswith("signals:cluster:")


def test_theme_correction_is_kept_updates_the_card_and_rewrites_keys(svc: Service):
    a = svc.send(LEAK_1, at=T0)
    svc.send(LEAK_2, at=T0 + timedelta(days=1))
    cid = a["signal"]["cluster_id"]
    resp = svc.bot.post(f"/clusters/{cid}/theme", {"theme": "vocht_schimmel", "actor": ANNA}, key="$thema-1")
    assert resp.status_code == 200 and resp.json["changed"] and resp.json["cluster"]["theme"] == "vocht_schimmel"
    again = svc.bot.post(f"/clusters/{cid}/theme", {"theme": "vocht_schimmel", "actor": ANNA}, key="$thema-2")
    assert again.json["changed"] is False
    detail = svc.bot.get(f"/clusters/{cid}").json
    assert detail["theme_corrected"] and [c["to_theme"] for c in detail["corrections"]] == ["vocht_schimmel"]
    assert detail["corrections"][0]["from_theme"] == "onderhoud" and detail["corrections"][0]["member"] == ANNA
    assert all(x["theme"] == "vocht_schimmel" and x["theme_source"] == "correction" for x in detail["signals"])
    with svc.db.read() as s:
        keys = set(s.scalars(select(ClusterKeyRow.key)))
    assert any(k.startswith("t:vocht_schimmel:") for k in keys) and not any(k.startswith("t:onderhoud:") for k in keys)
    last = svc.handoff()[-1]
    assert last.edit_key == f"signals:cluster:{SLUG}:{cid}" and "Vocht & schimmel" in last.body and "gecorrigeerd" in last.body
    # A later signal about the same issue still finds the cluster.
    later = svc.send("Weer lekkage door het dak in de portiek van de Tarwehof.", at=T0 + timedelta(days=2))
    assert later["signal"]["cluster_id"] == cid
    unknown = svc.bot.post(f"/clusters/{cid}/theme", {"theme": "bestaatniet", "actor": ANNA})
    assert unknown.status_code == 404 and unknown.json["error"] == "signals.theme_unknown"
    assert svc.partner.post(f"/clusters/{cid}/theme", {"theme": "overlast"}).status_code == 403


def test_heard_is_counted_once_per_member(svc: Service):
    a = svc.send(LEAK_1, at=T0)
    cid = a["signal"]["cluster_id"]
    first = svc.bot.post(f"/clusters/{cid}/heard", {"member": ANNA}, key="$r1")
    twice = svc.bot.post(f"/clusters/{cid}/heard", {"member": ANNA}, key="$r2")
    other = svc.bot.post(f"/clusters/{cid}/heard", {"member": BRAM}, key="$r3")
    assert (first.json["changed"], twice.json["changed"], other.json["changed"]) == (True, False, True)
    assert other.json["cluster"]["heard_count"] == 2
    edits = [m for m in svc.handoff() if m.edit_key == f"signals:cluster:{SLUG}:{cid}"]
    assert len(edits) == 2 and "2 leden hoorden dit ook" in edits[-1].body
    assert svc.bot.get(f"/clusters/{cid}").json["heard_by"] == [ANNA, BRAM]
    assert svc.bot.post("/clusters/999/heard", {"member": ANNA}).status_code == 404


# --------------------------------------------------------------------------- the agenda and feedback
def delib_get(delib: dict[str, Any], path: str) -> Any:
    return delib["client"].get(f"/api/v1/councils/{SLUG}{path}", headers={"Authorization": f"Bearer {TOKENS['admin']}"})


def delib_post(delib: dict[str, Any], path: str, body: dict[str, Any]) -> Any:
    return delib["client"].post(f"/api/v1/councils/{SLUG}{path}", json=body,
                                headers={"Authorization": f"Bearer {TOKENS['bot']}",
                                         "Idempotency-Key": f"${uuid.uuid4().hex}"})


def test_agenderen_creates_a_topic_with_evidence_and_marks_the_card(svc: Service, delib: dict[str, Any]):
    a = svc.send(LEAK_1, at=T0, contact={"email": "jan.deboer@example.nl", "consent": True})
    svc.send(LEAK_2, at=T0 + timedelta(days=2))
    cid = a["signal"]["cluster_id"]
    svc.bot.post(f"/clusters/{cid}/heard", {"member": BRAM})
    resp = svc.bot.post(f"/clusters/{cid}/agenda", {"actor": ANNA}, key="$agendeer")
    assert resp.status_code == 200 and resp.json["changed"], resp.json
    topic_id = resp.json["cluster"]["topic_id"]
    topic = delib_get(delib, f"/topics/{topic_id}").json
    assert topic["source"] == "signaal_cluster" and topic["source_ref"] == f"signals:cluster:{SLUG}:{cid}"
    assert topic["title"].startswith("Signalen: Onderhoud & reparaties in Tarwewijk")
    evidence = topic["evidence"]
    assert "Aantal signalen: 2" in evidence and "1 raadsleden" in evidence and "Tarwewijk" in evidence
    assert "12 jan 2026 – 14 jan 2026" in evidence and "Tarwehof" in evidence
    assert f"signals:cluster:{SLUG}:{cid}" in evidence
    for item in PII:
        assert item not in evidence and item not in topic["title"]

    again = svc.bot.post(f"/clusters/{cid}/agenda", {"actor": BRAM}, key="$agendeer-2")
    assert again.json["changed"] is False and again.json["cluster"]["topic_id"] == topic_id
    assert len([t for t in delib_get(delib, "/topics").json if t["source_ref"] == f"signals:cluster:{SLUG}:{cid}"]) == 1
    card = svc.handoff()[-1]
    assert card.edit_key == f"signals:cluster:{SLUG}:{cid}" and f"onderwerp #{topic_id}" in card.body
    status = svc.client.get(f"/signaal/{a['reference']}").get_data(as_text=True)
    assert "Op de agenda" in status
    # Someone who is not a council member cannot put it on the agenda through the bot.
    b = svc.send(NOISE, at=T0)
    refused = svc.bot.post(f"/clusters/{b['signal']['cluster_id']}/agenda", {"actor": "@stranger:test"})
    assert refused.status_code == 403 and refused.json["error"].startswith("delib.")


def test_erasure_reaches_the_topic_the_card_and_every_card_version(svc: Service, delib: dict[str, Any]):
    """A resident's erasure reaches every copy: the topic's evidence and title in deliberation (over HTTP,
    idempotent), the thread post and every version of the card (redacted), and a new card without it."""
    first = "De lift van de Tarwehof in de Tarwewijk staat al twee weken stil. Ouderen kunnen niet naar buiten."
    second = "Bij de Tarwehof in de Tarwewijk is de lift weer kapot; mijn buurvrouw zit vast op vier hoog."
    a = svc.send(first + " Bel 06-12345678.", at=T0)
    b = svc.send(second, at=T0 + timedelta(days=1))
    cid = a["signal"]["cluster_id"]
    assert b["signal"]["cluster_id"] == cid
    text_a = a["signal"]["text"]
    topic_id = svc.bot.post(f"/clusters/{cid}/agenda", {"actor": ANNA}, key="$agendeer").json["cluster"]["topic_id"]
    topic = delib_get(delib, f"/topics/{topic_id}").json
    assert "twee weken stil" in topic["evidence"] and "twee weken stil" in topic["title"]
    token = svc.csrf(f"/signaal/{a['reference']}")
    assert svc.client.post(f"/signaal/{a['reference']}/wissen", data={"csrf_token": token, "bevestigd": "1"}).status_code == 303

    topic = delib_get(delib, f"/topics/{topic_id}").json
    assert "twee weken" not in topic["evidence"] and "Ouderen" not in topic["evidence"]
    assert "twee weken" not in topic["title"] and topic["title"].startswith("Signalen: ")
    assert "gewist op verzoek van de bewoner" in topic["evidence"]
    assert "vier hoog" in topic["evidence"]  # the other resident's signal stays
    # The call is idempotent: asking again changes nothing.
    resp = delib["client"].post(f"/api/v1/councils/{SLUG}/topics/{topic_id}/erase-signal-text",
                                json={"fragments": [text_a], "replacement": "x", "title": "Iets anders"},
                                headers={"Authorization": f"Bearer {TOKENS['signals']}"})
    assert resp.status_code == 200 and resp.json["title"] == topic["title"] and resp.json["evidence"] == topic["evidence"]
    # Only signals (and the operator) may erase, and only in a topic made from signals.
    assert delib["client"].post(f"/api/v1/councils/{SLUG}/topics/{topic_id}/erase-signal-text",
                                json={"fragments": ["lift"], "replacement": "x"},
                                headers={"Authorization": f"Bearer {TOKENS['bot']}"}).status_code == 403

    handoff = svc.handoff()
    redaction = next(m for m in handoff if m.key == f"signals:cluster:{SLUG}:{cid}:wis:{a['signal']['id']}")
    assert redaction.kind == "redaction" and redaction.edit_key == f"signals:cluster:{SLUG}:{cid}"
    edits = [m.key for m in handoff if m.edit_key == f"signals:cluster:{SLUG}:{cid}" and m.kind != "redaction"]
    assert len(edits) >= 2 and redaction.redact_keys == edits  # every version, even once its text is forgotten
    assert any(m.key == f"signals:signal:{a['signal']['id']}:wis" and m.kind == "redaction" for m in handoff)
    new_card = handoff[-1]
    assert new_card.key == f"signals:cluster:{SLUG}:{cid}:r1" and new_card.edit_key is None and new_card.kind == "text"
    assert "twee weken" not in new_card.body and "Ouderen" not in new_card.body
    assert svc.bot.get(f"/clusters/{cid}").json["card_key"] == f"signals:cluster:{SLUG}:{cid}:r1"
    # A later card version edits the new card.
    svc.bot.post(f"/clusters/{cid}/heard", {"member": BRAM})
    assert svc.handoff()[-1].edit_key == f"signals:cluster:{SLUG}:{cid}:r1"
    # Erasing again changes nothing anywhere.
    count = len(svc.handoff())
    assert svc.client.post(f"/signaal/{a['reference']}/wissen", data={"csrf_token": token, "bevestigd": "1"}).status_code == 303
    assert len(svc.handoff()) == count
    # The last signal erased: its card goes too and the group is closed.
    token = svc.csrf(f"/signaal/{b['reference']}")
    assert svc.client.post(f"/signaal/{b['reference']}/wissen", data={"csrf_token": token, "bevestigd": "1"}).status_code == 303
    assert svc.handoff()[-1].kind == "redaction"
    assert "vier hoog" not in delib_get(delib, f"/topics/{topic_id}").json["evidence"]


def test_agenderen_while_deliberation_is_down_changes_nothing(database_url: str, delib: dict[str, Any]):
    down = dict(deliberation_settings(free_port(), free_port()))
    service_settings = Settings(**down)
    db = Database(database_url)
    migrate(db)
    app = create_app(service_settings, database=db, config=SignalsConfig())
    service = Service(app, db, service_settings, delib)
    try:
        a = service.send(LEAK_1, at=T0)
        before = service.handoff()
        resp = service.bot.post(f"/clusters/{a['signal']['cluster_id']}/agenda", {"actor": ANNA}, key="$down")
        assert resp.status_code == 503 and resp.json["error"] == "signals.api.deliberation_down"
        assert "Probeer het later opnieuw" in resp.json["message"]
        english = service.bot.post(f"/clusters/{a['signal']['cluster_id']}/agenda", {"actor": ANNA},
                                   headers={"Accept-Language": "en"})
        assert "try again later" in english.json["message"]
        assert service.bot.get(f"/clusters/{a['signal']['cluster_id']}").json["topic_id"] is None
        assert service.handoff() == before
    finally:
        db.dispose()


def test_a_decision_reaches_the_residents_status_page(svc: Service, delib: dict[str, Any]):
    a = svc.send(LEAK_1, at=T0, contact={"email": "jan.deboer@example.nl", "consent": True})
    b = svc.send(LEAK_2, at=T0 + timedelta(days=1))
    cid = a["signal"]["cluster_id"]
    topic_id = svc.bot.post(f"/clusters/{cid}/agenda", {"actor": ANNA}).json["cluster"]["topic_id"]
    now = datetime.now(timezone.utc)
    assert actions.poll_decisions(svc.rt, svc.cfg, svc.settings, now) == 0  # not decided yet
    # The council deliberates until agreement, in the real deliberation service.
    opened = delib_post(delib, "/rounds", {"topic_id": topic_id, "actor": ANNA,
                                           "proposal": "We vragen de corporatie het dak van de Tarwehof te repareren."})
    assert opened.status_code == 201, opened.json
    rid = opened.json["id"]
    for who in (ANNA, BRAM, CEES):
        assert delib_post(delib, f"/rounds/{rid}/positions", {"actor": who, "position": "eens"}).status_code == 200
    while delib_get(delib, f"/rounds/{rid}").json["phase"] != "besluitvorming":
        assert delib_post(delib, f"/rounds/{rid}/phase", {"actor": SEC}).status_code == 200
    decided = delib_post(delib, f"/rounds/{rid}/decide", {"actor": ANNA})
    assert decided.status_code == 200 and decided.json["state"] == "akkoord", decided.json

    assert actions.poll_decisions(svc.rt, svc.cfg, svc.settings, now) == 1
    assert actions.poll_decisions(svc.rt, svc.cfg, svc.settings, now) == 0
    for receipt in (a, b):
        page = svc.client.get(f"/signaal/{receipt['reference']}?lang=nl").get_data(as_text=True)
        assert "Besloten" in page and "het dak van de Tarwehof te repareren" in page
    english = svc.client.get(f"/signaal/{a['reference']}?lang=en").get_data(as_text=True)
    assert "Decided" in english and "You asked to hear about this" in english
    view = actions.by_reference(svc.rt, a["reference"])
    assert view.contact is not None and view.contact.informed_at == now and view.signal.closed_at == now
    card = svc.handoff()[-1]
    assert card.edit_key == f"signals:cluster:{SLUG}:{cid}" and "Besloten op" in card.body


# --------------------------------------------------------------------------- overview
def test_stats_per_theme_neighbourhood_and_month_and_the_chart(svc: Service):
    now = datetime.now(timezone.utc)
    svc.send(LEAK_1, at=now - timedelta(days=40))
    svc.send(LEAK_2, at=now - timedelta(days=39))
    svc.send(NOISE, at=now)
    stats = svc.partner.get("/stats").json
    assert stats["total"] == 3
    assert {c["key"]: c["count"] for c in stats["themes"]} == {"onderhoud": 2, "overlast": 1}
    assert {c["label"]: c["count"] for c in stats["neighbourhoods"]} == {"Tarwewijk": 2, "wijk onbekend": 1}
    assert sum(m["total"] for m in stats["months"]) == 3 and len(stats["months"]) == 2
    assert svc.partner.get("/stats?months=1").json["total"] == 1
    assert svc.partner.get("/stats?months=0").status_code == 400
    png = svc.partner.get("/stats/chart.png?lang=en")
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert svc.anonymous.get("/stats/chart.png").status_code == 401
    queued = svc.bot.post("/stats/chart", {"room_id": "!sig:test", "thread_event_id": "$cmd", "reply_to_event_id": "$cmd"},
                          key="$cmd")
    assert queued.status_code == 202
    image = next(m for m in svc.handoff() if m.key == queued.json["key"])
    assert image.kind == "image" and image.image_mimetype == "image/png" and image.thread_event_id == "$cmd"
    assert image.room == "!sig:test" and len(image.image_b64 or "") > 1000
    foreign = svc.bot.post("/stats/chart", {"room_id": "!other:test", "thread_event_id": "$x"})
    assert foreign.status_code == 422 and foreign.json["error"] == "signals.api.room_not_configured"
    empty = svc.partner.get("/stats/chart.png", slug=OTHER)
    assert empty.status_code == 200 and empty.data[:4] == b"\x89PNG"


# --------------------------------------------------------------------------- bad input
def test_hostile_text_is_stored_and_posted_inertly(svc: Service):
    nasty = ("<script>alert(1)</script> <img src=x onerror=alert(2)> [klik hier](https://evil.example/x) "
             "@room en @anna:test kijk!\r\nTweede regel\u202e87654321-60\u202c einde. Lekkage in de portiek.")
    resp = svc.partner.post("/signals", {"text": nasty})
    assert resp.status_code == 201, resp.json
    stored = resp.json["signal"]["text"]
    assert "\u202e" not in stored and "\r" not in stored and "<script>" in stored  # kept as text, never run
    assert "[telefoon]" in stored  # the reversed phone number was found
    msgs = svc.handoff()
    post = next(m for m in msgs if m.key.startswith("signals:signal:"))
    assert post.mentions == [] and all(m.mentions == [] for m in msgs)
    assert "<script>" not in (post.html or "") and "&lt;script&gt;" in (post.html or "")
    assert "<img" not in (post.html or "")
    assert "https://evil" not in post.body and "https://evil" not in (post.html or "")
    assert "@room" not in post.body and "@\u2060room" in post.body
    page = svc.client.get(f"/signaal/{resp.json['reference']}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_longest_text_is_accepted_and_a_longer_one_refused(svc: Service):
    ok = svc.partner.post("/signals", {"text": "Lekkage in de portiek. " + "x" * (5000 - 23)})
    assert ok.status_code == 201 and len(ok.json["signal"]["text"]) == 5000
    padded = svc.partner.post("/signals", {"text": "  Schimmel " + "y" * 4991 + "  \n"})
    assert padded.status_code == 201
    long = svc.partner.post("/signals", {"text": "z" * 5001})
    assert long.status_code == 422 and long.json["error"] == "signals.text_too_long"
    assert "5000" in long.json["message"]


@pytest.mark.parametrize("body,status,error", [
    ({"text": ""}, 400, "invalid_input"),  # the schema says minLength 1
    ({"text": "   \n\t  \r\n "}, 422, "signals.text_empty"),
    ({"text": "\u200b\u202e\u2028"}, 422, "signals.text_empty"),
    ({"text": "Hallo\x00daar"}, 400, "invalid_input"),
    ({"text": "Lekkage", "wijk": "Atlantis"}, 422, "signals.wijk_unknown"),
    ({"text": "Lekkage", "contact": {"email": "geen-adres", "consent": True}}, 422, "signals.api.email_invalid"),
    ({"text": "Lekkage", "contact": {"phone": "bel me", "consent": True}}, 422, "signals.api.phone_invalid"),
    ({"text": "Lekkage", "contact": {"email": "a@b.nl"}}, 422, "signals.api.consent_required"),
    ({"text": "Lekkage", "contact": {"name": "Piet", "consent": True}}, 422, "signals.api.contact_without_channel"),
    ({"text": "Lekkage", "contact": {"email": "a@b.nl", "consent": "ja"}}, 400, "invalid_input"),
    ({"text": "Lekkage", "received_at": "2026-01-12T10:00:00"}, 400, "invalid_input"),
    ({"text": "Lekkage", "received_at": "2099-01-12T10:00:00+01:00"}, 422, "signals.api.received_at_invalid"),
    ({"text": "Lekkage", "extra": 1}, 400, "invalid_input"),
    ({"text": 12}, 400, "invalid_input"),
    ([1, 2], 400, "invalid_input"),
])
def test_bad_input_is_refused_with_a_clear_json_4xx(svc: Service, body: Any, status: int, error: str):
    resp = svc.partner.post("/signals", body)
    assert resp.status_code == status and resp.mimetype == "application/json", resp.data
    assert resp.json["error"] == error and resp.json["message"]


def test_refusals_of_callers_and_requests(svc: Service):
    assert svc.anonymous.post("/signals", {"text": "Lekkage"}).status_code == 401
    assert Caller(svc.client, "wrong").post("/signals", {"text": "Lekkage"}).status_code == 401
    assert Caller(svc.client, TOKENS["calendar"]).post("/signals", {"text": "Lekkage"}).status_code == 403
    assert svc.partner.get("/clusters").status_code == 403
    assert svc.partner.post("/signals", {"text": "Lekkage"}, slug="onbekend").status_code == 404
    raw = svc.client.post(f"/api/v1/councils/{SLUG}/signals", data=b"not json",
                          headers={**svc.partner.headers, "Content-Type": "application/json"})
    assert raw.status_code == 400 and raw.json["error"] == "invalid_json"
    huge = svc.client.post(f"/api/v1/councils/{SLUG}/signals", data=b'{"text": "' + b"a" * 70_000 + b'"}',
                           headers={**svc.partner.headers, "Content-Type": "application/json"})
    assert huge.status_code == 413 and huge.json["error"] == "too_large"
    assert svc.bot.get("/clusters/99999999999999").status_code == 404
    assert svc.bot.get("/signals/12345").json["error"] == "signals.api.signal_not_found"
    english = svc.partner.post("/signals", {"text": " "}, headers={"Accept-Language": "en"})
    assert english.json["message"].startswith("The signal is empty")


def test_partners_are_rate_limited_per_token(database_url: str, delib: dict[str, Any]):
    from services.signals.config import Limit

    service = make_service(database_url, delib, api_limit=Limit(3, 3600),
                           rate_namespace=f"test:{uuid.uuid4().hex}")
    try:
        codes = [service.partner.post("/signals", {"text": f"Lekkage nummer {i} in de portiek."}).status_code
                 for i in range(5)]
        assert codes == [201, 201, 201, 429, 429]
        refused = service.partner.post("/signals", {"text": "Lekkage"})
        assert refused.json["error"] == "signals.api.rate_limited"
        assert service.bot.post("/signals", {"text": "Lekkage in de lift."}).status_code == 201  # members aren't
    finally:
        service.db.dispose()


def test_the_jobs_are_registered(svc: Service):
    assert {job.name for job in svc.rt.jobs.jobs} == {"handoff", "handoff-cleanup", "forget-old-answers", "signals_cards", "signals_intake",
                                                        "signals_feedback", "signals_retention", "mail",
                                                        "mail_cleanup"}
