"""Security regressions of issue 12, each on the real services (Flask apps on a real database,
gunicorn where the server matters, the bot's real aiohttp intake):

- bad JSON is a 400: nesting ``[`` × 30,000 deep is refused before parsing, on every service and on
  the bot's intake; a body without Content-Length (chunked) over the size limit gets a 413 JSON
  answer under gunicorn, not a reset connection;
- secrets only as hashes: feed links, references and status URLs never sit in clear in the
  idempotency tables, the form nonce is stored hashed, and a replayed form nonce never shows the
  reference of the signal it belongs to;
- public routes limit per sender: ``POST /applications`` per address, the council limit far higher;
- each stack its own Redis key prefix.
"""
from __future__ import annotations

import asyncio
import http.client
import importlib
import json
import re
import sys
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from sqlalchemy import text

from deploy.cli import LONG_RUNNING_PYTHON
from devstack.procs import free_port, spawn, terminate, wait_http_ready, settings_free_env
from shared.db import Database
from shared.settings import Settings, load_settings
from tests.support import ROOT

SLUG = "klantenraad"
TOKENS = {"bot": "tok-bot", "partner": "tok-partner", "admin": "tok-admin", "deliberation": "tok-d",
          "calendar": "tok-c", "signals": "tok-s"}
BOT = {"Authorization": "Bearer tok-bot"}
DEEP = b"[" * 30_000
# A valid object around a deep value: the depth is refused, not only the unclosed text.
DEEP_INSIDE = b'{"name": ' + b"[" * 5_000 + b"]" * 5_000 + b', "member_type": "huurder"}'
SECRET_KEY = "a-real-secret-for-tests-" + "x" * 16

# A route with a JSON body per service, and who may call it (None: public).
BODY_ROUTES = {
    "deliberation": [(f"/api/v1/councils/{SLUG}/applications", None),
                     (f"/api/v1/councils/{SLUG}/topics", BOT)],
    "calendar": [(f"/api/v1/councils/{SLUG}/feeds", BOT)],
    "signals": [(f"/api/v1/councils/{SLUG}/signals", BOT)],
}


def settings_for(tmp_path: Path, **extra: Any) -> Settings:
    return load_settings(
        data_dir=tmp_path, api_tokens=TOKENS, secret_key=SECRET_KEY,
        public_base_url="https://signalen.example.nl", feeds_base_url="https://agenda.example.nl",
        service_urls={"bot": "http://127.0.0.1:9", "deliberation": "http://127.0.0.1:9",
                      "calendar": "http://127.0.0.1:9", "signals": "http://127.0.0.1:9"},
        councils=[{"slug": SLUG, "name": "Klantenraad", "rooms": {"main": "!m:x"}, "secretaries": ["@sec:x"]}],
        **extra,
    )


def build(name: str, settings: Settings, database_url: str) -> tuple[Any, Database]:
    module = importlib.import_module(f"services.{name}.app")
    db = Database(database_url)
    module.migrate(db)
    return module.create_app(settings, database=db), db


@pytest.fixture(params=list(BODY_ROUTES))
def service(request: pytest.FixtureRequest, tmp_path: Path, database_url: str) -> Iterator[tuple[str, Any]]:
    app, db = build(request.param, settings_for(tmp_path), database_url)
    yield request.param, app.test_client()
    db.dispose()


# --------------------------------------------------------------------------- 6. bad JSON is a 400
def test_deeply_nested_json_is_a_400_on_every_service(service: tuple[str, Any]):
    name, client = service
    for path, headers in BODY_ROUTES[name]:
        for body in (DEEP, DEEP_INSIDE, b"[" * 100 + b"]" * 100):
            resp = client.post(path, data=body, headers={**(headers or {}), "Content-Type": "application/json"})
            assert resp.status_code == 400, (path, resp.status_code, resp.get_data()[:200])
            assert resp.is_json and resp.json["error"] == "invalid_json"


def test_brackets_inside_strings_are_not_nesting(tmp_path: Path, database_url: str):
    app, db = build("deliberation", settings_for(tmp_path), database_url)
    try:
        name = "[" * 80 + '"{' * 10
        resp = app.test_client().post(f"/api/v1/councils/{SLUG}/applications",
                                      json={"name": name[:120], "member_type": "huurder"})
        assert resp.status_code == 201, resp.json
    finally:
        db.dispose()


def test_deeply_nested_json_is_a_400_at_the_bot_intake(tmp_path: Path, database_url: str):
    from aiohttp.test_utils import TestClient, TestServer

    from services.bot.app import Bot
    from services.bot.app import migrate as migrate_bot
    from services.bot.intake import build_intake

    db = Database(database_url)
    migrate_bot(db)
    bot = Bot(settings_for(tmp_path, matrix={"encryption": False}), database=db)

    async def post_all() -> list[tuple[int, Any]]:
        async with TestClient(TestServer(build_intake(bot))) as client:
            out = []
            for body in (DEEP, b'{"messages": ' + b"[" * 20_000 + b"}"):
                resp = await client.post("/api/v1/outbox", data=body,
                                         headers={"Authorization": "Bearer tok-s", "Content-Type": "application/json"})
                out.append((resp.status, await resp.json()))
            return out

    try:
        for status, body in asyncio.run(post_all()):
            assert status == 400 and body["error"] == "invalid_input", (status, body)
    finally:
        db.dispose()


@pytest.fixture
def gunicorn_service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, int]]:
    name = request.param
    port = free_port()
    config = {
        "data_dir": str(tmp_path / "data"), "secret_key": SECRET_KEY, "api_tokens": TOKENS,
        "service_urls": {"bot": "http://127.0.0.1:9", "deliberation": "http://127.0.0.1:9",
                         "calendar": "http://127.0.0.1:9", "signals": "http://127.0.0.1:9", name: f"http://127.0.0.1:{port}"},
        "councils": [{"slug": SLUG, "name": "Klantenraad", "rooms": {"main": "!m:x"}}],
    }
    (tmp_path / "data").mkdir()
    cfg = tmp_path / "overleg.yaml"
    cfg.write_text(yaml.safe_dump(config))
    env = settings_free_env()
    env.update(OVERLEG_CONFIG=str(cfg), OVERLEG_SERVICE=name, OVERLEG_BIND=f"127.0.0.1:{port}", OVERLEG_WORKERS="1")
    log = tmp_path / "gunicorn.log"
    proc = spawn([sys.executable, *LONG_RUNNING_PYTHON, "-m", "gunicorn", "-c", str(ROOT / "deploy" / "gunicorn.conf.py"),
                  f"services.{name}.wsgi:app"], log_path=log, cwd=ROOT, env=env)
    try:
        wait_http_ready(f"http://127.0.0.1:{port}/readyz", timeout=60, log_path=log, name=name,
                        is_alive=lambda: proc.poll() is None)
        yield name, port
    finally:
        terminate(proc.pid, timeout=20, proc=proc)


def post_chunked(port: int, path: str, chunks: Iterator[bytes], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("POST", path, body=chunks, encode_chunked=True,
                     headers={"Content-Type": "application/json", **headers})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"null")
    finally:
        conn.close()


def json_chunks(size: int) -> Iterator[bytes]:
    """A valid JSON array of ``size`` bytes, sent in 8 KiB pieces."""
    yield b"["
    sent = 1
    while sent < size - 12:
        piece = b'"' + b"x" * 8000 + b'",'
        yield piece
        sent += len(piece)
    yield b'"end"]'


@pytest.mark.timeout(180)
@pytest.mark.parametrize("gunicorn_service", list(BODY_ROUTES), indirect=True)
def test_a_chunked_body_over_the_limit_gets_413_under_gunicorn(gunicorn_service: tuple[str, int]):
    name, port = gunicorn_service
    path, _ = BODY_ROUTES[name][0]
    for size in (200_000, 3_000_000):  # 3x and 45x the 64 KiB default
        status, body = post_chunked(port, path, json_chunks(size), BOT)
        assert status == 413 and body["error"] == "too_large", (size, status, body)
        assert body["params"]["max_bytes"] == 64 * 1024
    # A chunked body within the limit is read as usual: the route answers it, not the size check.
    status, body = post_chunked(port, path, iter([b'{"unknown_field": ', b'"x"}']), BOT)
    assert status == 400 and body["error"] == "invalid_input", (status, body)


# --------------------------------------------------------------------------- 4. secrets only as hashes
def dump_table(db: Database, table: str) -> str:
    with db.read() as s:
        return "\n".join(repr(tuple(row)) for row in s.execute(text(f"SELECT * FROM {table}")))


def test_feed_links_are_not_stored_in_clear_and_a_repeat_rotates_once(tmp_path: Path, database_url: str):
    app, db = build("calendar", settings_for(tmp_path), database_url)
    client = app.test_client()
    url = f"/api/v1/councils/{SLUG}/feeds"
    try:
        first = client.post(url, json={"kind": "council"}, headers={**BOT, "Idempotency-Key": "$feed-1"})
        assert first.status_code == 200, first.json
        token = re.search(r"/feeds/([^/]+)\.ics", first.json["url"]).group(1)
        again = client.post(url, json={"kind": "council"}, headers={**BOT, "Idempotency-Key": "$feed-1"})
        assert again.json == first.json and again.headers.get("Idempotent-Replay") == "true"
        # A rotation asked twice (the bot retrying one !feed nieuw) rotates once.
        rotated = client.post(url, json={"kind": "council", "rotate": True}, headers={**BOT, "Idempotency-Key": "$rot"})
        repeat = client.post(url, json={"kind": "council", "rotate": True}, headers={**BOT, "Idempotency-Key": "$rot"})
        assert rotated.json["generation"] == first.json["generation"] + 1
        assert repeat.json == rotated.json and repeat.headers.get("Idempotent-Replay") == "true"
        new_token = re.search(r"/feeds/([^/]+)\.ics", rotated.json["url"]).group(1)
        assert client.get(f"/feeds/{new_token}.ics").status_code == 200
        assert client.get(f"/feeds/{token}.ics").status_code == 404
        stored = dump_table(db, "calendar_idempotency")
        assert stored.count("sha256:") == 4  # url and webcal of both answers, hashed
        for secret in (token, new_token, "agenda.example.nl", "$feed-1", "$rot"):
            assert secret not in stored, secret
    finally:
        db.dispose()


def test_references_are_not_stored_in_clear_in_signals(tmp_path: Path, database_url: str):
    app, db = build("signals", settings_for(tmp_path), database_url)
    client = app.test_client()
    url = f"/api/v1/councils/{SLUG}/signals"
    try:
        body = {"text": "De lift in de Tarwehof staat al twee weken stil."}
        first = client.post(url, json=body, headers={**BOT, "Idempotency-Key": "$sig-1"})
        assert first.status_code == 201, first.json
        again = client.post(url, json=body, headers={**BOT, "Idempotency-Key": "$sig-1"})
        assert again.json == first.json and again.headers.get("Idempotent-Replay") == "true"
        reference = first.json["reference"]
        stored = dump_table(db, "signals_idempotency") + dump_table(db, "signals_signals")
        for secret in (reference, reference.replace("-", ""), first.json["status_url"], "$sig-1"):
            assert secret not in stored, secret
        assert "sha256:" in stored
    finally:
        db.dispose()


def form_page(client: Any) -> tuple[str, str]:
    page = client.get("/signaal").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
    return token.group(1), nonce


def test_a_replayed_form_nonce_never_shows_the_reference(tmp_path: Path, database_url: str):
    app, db = build("signals", settings_for(tmp_path), database_url)
    victim, attacker = app.test_client(), app.test_client()
    try:
        token, nonce = form_page(victim)
        data = {"csrf_token": token, "nonce": nonce, "text": "Schimmel in de badkamer, al maanden.",
                "name": "Jan de Boer", "email": "jan.deboer@example.nl", "consent": "y"}
        sent = victim.post("/signaal", data=data)
        assert sent.status_code == 303, sent.get_data(as_text=True)[:500]
        reference = sent.headers["Location"].split("/signaal/")[1].split("?")[0]
        # The victim's own double click still lands on its status page.
        assert victim.post("/signaal", data=data).headers["Location"] == sent.headers["Location"]
        # Someone else with the page's nonce (and a CSRF token of their own) learns nothing.
        own_token, _ = form_page(attacker)
        replay = attacker.post("/signaal", data={**data, "csrf_token": own_token, "name": "", "email": ""})
        html = replay.get_data(as_text=True)
        assert replay.status_code == 200 and "Location" not in replay.headers
        assert reference not in html and reference.replace("-", "") not in html
        assert "al ontvangen" in html
        with db.read() as s:
            stored_keys = [k for (k,) in s.execute(text("SELECT intake_key FROM signals_signals"))]
            assert len(stored_keys) == 1 and nonce not in stored_keys[0] and re.fullmatch(r"[0-9a-f]{64}", stored_keys[0])
    finally:
        db.dispose()


def test_the_migration_hashes_intake_keys_and_drops_stored_answers(tmp_path: Path, database_url: str):
    from services.signals.app import SERVICE_DIR
    from shared.migrations import upgrade

    db = Database(database_url)
    try:
        upgrade(db, SERVICE_DIR, "signals_alembic_version", revision="145e93f016a2")
        with db.session() as s:
            s.execute(text("INSERT INTO signals_clusters (id, council, room, theme, theme_corrected, signal_count, "
                           "heard_count, first_ts, last_ts, card_version) VALUES (1, 'k', 'main', 'overig', false, 1, "
                           "0, '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00', 1)"))
            s.execute(text("INSERT INTO signals_signals (id, council, ref_hash, intake_key, channel, text, scrubbed_kinds, "
                           "theme, themes, theme_source, features, ts, month, cluster_id, status) VALUES (1, 'k', 'h', "
                           "'form:old-nonce-123456789', 'form', 't', '', 'overig', '[]', 'auto', '', "
                           "'2026-01-01 00:00:00+00:00', '2026-01', 1, 'nieuw')"))
            s.execute(text("INSERT INTO signals_idempotency (key, status, body, created_at) VALUES "
                           "('bot:create_signal:$x', 201, '{\"reference\": \"ABCD-EFGH\"}', '2026-01-01 00:00:00+00:00')"))
        upgrade(db, SERVICE_DIR, "signals_alembic_version")
        stored = dump_table(db, "signals_signals") + dump_table(db, "signals_idempotency")
        assert "old-nonce" not in stored and "ABCD-EFGH" not in stored
        import hashlib
        assert hashlib.sha256(b"form:old-nonce-123456789").hexdigest() in stored
    finally:
        db.dispose()


# --------------------------------------------------------------------------- 5. public routes limit per sender
def apply(client: Any, name: str, address: str) -> Any:
    return client.post(f"/api/v1/councils/{SLUG}/applications", json={"name": name, "member_type": "huurder"},
                       environ_base={"REMOTE_ADDR": address})


def test_applications_are_limited_per_address(tmp_path: Path, database_url: str):
    from services.deliberation import api as delib_api

    app, db = build("deliberation", settings_for(tmp_path), database_url)
    client = app.test_client()
    try:
        # The attack: 25 junk posts from one sender, then real candidates.
        flood = [apply(client, f"Junk {i}", "203.0.113.7").status_code for i in range(25)]
        assert 429 in flood, flood
        per_address = delib_api.APPLICATIONS_PER_ADDRESS.count
        assert flood == [201] * per_address + [429] * (25 - per_address)
        refused = apply(client, "Junk", "203.0.113.7")
        assert refused.json["error"] == "delib.api.too_many_applications_from_address"
        assert "minuten" in refused.json["message"]
        # Real candidates from other addresses are not locked out by one sender's flood.
        assert apply(client, "Fatima El Amrani", "198.51.100.20").status_code == 201
        assert apply(client, "Henk Smit", "198.51.100.21").status_code == 201
        # The council's own ceiling stays, far above a sender's share.
        assert delib_api.MAX_APPLICATIONS_PER_DAY >= 20 * per_address
    finally:
        db.dispose()


def test_the_application_limit_is_shared_through_redis(tmp_path: Path, database_url: str):
    import redis
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url).ping()
    except Exception:
        pytest.fail("Redis is needed on 127.0.0.1:6379 (it runs on every developer and CI machine)")
    from services.deliberation import api as delib_api

    settings = settings_for(tmp_path, redis_url=url)
    # Two apps on one database and one Redis: two gunicorn workers.
    one, db = build("deliberation", settings, database_url)
    two = importlib.import_module("services.deliberation.app").create_app(settings, database=db)
    try:
        per_address = delib_api.APPLICATIONS_PER_ADDRESS.count
        codes = [apply((one if i % 2 else two).test_client(), f"Junk {i}", "203.0.113.9").status_code
                 for i in range(per_address + 2)]
        assert codes == [201] * per_address + [429, 429]
    finally:
        db.dispose()
        client = redis.Redis.from_url(url)
        for key in client.scan_iter(f"{settings.redis_prefix}:*"):
            client.delete(key)


# --------------------------------------------------------------------------- 11. a Redis prefix per stack
def test_each_stack_has_its_own_redis_prefix(tmp_path: Path):
    local = Settings(data_dir=tmp_path / "var" / "stack" / "data")
    tests = Settings(data_dir=tmp_path / "pytest-stack" / "data")
    assert local.redis_prefix and tests.redis_prefix and local.redis_prefix != tests.redis_prefix
    assert local.redis_prefix == Settings(data_dir=tmp_path / "var" / "stack" / "data").redis_prefix  # stable
    assert local.signals.rate_namespace == f"{local.redis_prefix}:signals"
    # Set explicitly, it wins (several hosts sharing one count); so does an explicit signals namespace.
    shared = Settings(data_dir=tmp_path / "a", redis_prefix="overleg-prod")
    assert shared.redis_prefix == "overleg-prod" and shared.signals.rate_namespace == "overleg-prod:signals"
    assert Settings(signals={"rate_namespace": "mine"}).signals.rate_namespace == "mine"


def test_two_stacks_on_one_redis_count_apart(tmp_path: Path):
    import redis
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url).ping()
    except Exception:
        pytest.fail("Redis is needed on 127.0.0.1:6379 (it runs on every developer and CI machine)")
    from services.signals.app import create_app as signals_app
    from shared.ratelimit import Limit

    stacks = [settings_for(tmp_path / name, redis_url=url) for name in ("local", "test")]
    limiters = []
    for settings in stacks:
        db = Database(f"sqlite:///{tmp_path / (settings.redis_prefix.replace(':', '_') + '.db')}")
        app = signals_app(settings, database=db)
        limiters.append(app.extensions["signals_ratelimiter"])
        db.dispose()
    try:
        assert limiters[0].namespace != limiters[1].namespace
        assert all(lim.namespace.startswith(s.redis_prefix) for lim, s in zip(limiters, stacks))
        window = Limit(3, 3600)
        who = f"198.51.100.{uuid.uuid4().int % 200}"
        assert [limiters[0].check("form", who, window).allowed for _ in range(4)] == [True, True, True, False]
        assert limiters[1].check("form", who, window).allowed  # the other stack's count is its own
    finally:
        client = redis.Redis.from_url(url)
        for settings in stacks:
            for key in client.scan_iter(f"{settings.redis_prefix}:*"):
                client.delete(key)


# --------------------------------------------------------------------------- what held: SQL strings
def test_sql_in_public_input_is_stored_as_text(tmp_path: Path, database_url: str):
    app, db = build("deliberation", settings_for(tmp_path), database_url)
    client = app.test_client()
    nasty = ["Robert'); DROP TABLE deliberation_applications;--", "x' OR '1'='1", "\"; DELETE FROM deliberation_members; --"]
    try:
        ids = []
        for i, name in enumerate(nasty):
            resp = apply(client, name, f"192.0.2.{i + 1}")
            assert resp.status_code == 201, resp.json
            ids.append(resp.json["id"])
        listed = client.get(f"/api/v1/councils/{SLUG}/applications", headers={"Authorization": "Bearer tok-admin"}).json
        assert {a["id"]: a["name"] for a in listed} == dict(zip(ids, nasty))
    finally:
        db.dispose()


# --------------------------------------------------------------------------- 8. tokens bound to councils
def test_a_partner_token_acts_only_for_its_own_council(tmp_path: Path, database_url: str):
    """A partner system of one corporation cannot post signals into, or read, another council."""
    tokens = {**TOKENS, "partner": "partner-token-for-klantenraad-only"}
    settings = load_settings(
        data_dir=tmp_path, api_tokens=tokens, secret_key=SECRET_KEY, api_token_councils={"partner": [SLUG]},
        service_urls={"bot": "http://127.0.0.1:9", "deliberation": "http://127.0.0.1:9",
                      "calendar": "http://127.0.0.1:9", "signals": "http://127.0.0.1:9"},
        councils=[{"slug": SLUG, "name": "Klantenraad", "rooms": {"main": "!m:x"}},
                  {"slug": "huurdersraad", "name": "Huurdersraad", "rooms": {"main": "!h:x"}}])
    app, db = build("signals", settings, database_url)
    client = app.test_client()
    partner = {"Authorization": f"Bearer {tokens['partner']}"}
    body = {"text": "De lift in de Tarwehof staat al twee weken stil."}
    try:
        own = client.post(f"/api/v1/councils/{SLUG}/signals", json=body, headers=partner)
        assert own.status_code == 201, own.json
        other = client.post("/api/v1/councils/huurdersraad/signals", json=body, headers=partner)
        assert other.status_code == 403 and other.json["error"] == "forbidden", other.json
        assert client.get("/api/v1/councils/huurdersraad/stats", headers=partner).status_code == 403
        # The services' own callers are not bound: the bot may act for every council.
        assert client.post("/api/v1/councils/huurdersraad/signals", json=body, headers=BOT).status_code == 201
    finally:
        db.dispose()
