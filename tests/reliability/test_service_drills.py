"""Fault drills for the services: a service down when a member's command needs it, SQLite under 4
gunicorn workers and 50 concurrent writers, and gunicorn stopped gracefully in the middle of a request."""
from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from bench.common import Gunicorn, service_config
from devstack.procs import wait_until

pytestmark = pytest.mark.timeout(300)

UNREACHABLE = "niet bereikbaar"
NOTHING_CHANGED = "Er is niets veranderd"


def _topics(stack) -> list[dict]:
    resp = httpx.get(f"{stack.url('deliberation')}/api/v1/councils/klantenraad/topics",
                     headers={"Authorization": f"Bearer {stack.state.tokens['admin']}"}, timeout=10)
    resp.raise_for_status()
    return resp.json()


def test_service_down_member_is_told_nothing_changes_and_the_same_command_works_again(stack):
    title = f"Drill dienst uit {uuid.uuid4().hex[:6]}"
    before = [t for t in _topics(stack) if t["title"] == title]
    assert before == []
    stack.stop_process("deliberation")
    try:
        agenda = stack.say("anna", "!agenda")
        assert any(UNREACHABLE in r and NOTHING_CHANGED in r for r in agenda), agenda
        created = stack.say("anna", f"!onderwerp {title}")
        assert any(UNREACHABLE in r and NOTHING_CHANGED in r for r in created), created
        # Other services keep working while deliberation is down.
        calendar = stack.say("anna", "!kalender")
        assert not any(UNREACHABLE in r for r in calendar), calendar
    finally:
        stack.start_service("deliberation")
        stack.wait_ready(90)
    assert [t for t in _topics(stack) if t["title"] == title] == [], "the refused command changed something"
    agenda = stack.say("anna", "!agenda")
    assert any("Agenda van" in r for r in agenda) and not any(UNREACHABLE in r for r in agenda), agenda
    created = stack.say("anna", f"!onderwerp {title}")
    assert any("staat op de wachtlijst" in r for r in created), created
    assert len([t for t in _topics(stack) if t["title"] == title]) == 1


# --- SQLite with 4 workers and 50 concurrent writers ---------------------------------------------
WRITERS = 50
WRITES_EACH = 4


@pytest.mark.parametrize("service, path, table", [
    ("calendar", "/api/v1/councils/klantenraad/events", "calendar_events"),
    ("deliberation", "/api/v1/councils/klantenraad/topics", "deliberation_topics"),
])
def test_sqlite_four_workers_fifty_concurrent_writers(tmp_path: Path, service: str, path: str, table: str):
    config, tokens = service_config(tmp_path)
    app = Gunicorn(f"services.{service}.wsgi:app", tmp_path, workers=4, service=service, name=service,
                   env={"OVERLEG_CONFIG": str(config)})
    app.start()
    day = time.strftime("%Y-%m-%d", time.localtime(time.time() + 30 * 86400))
    answers: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(WRITERS)

    def body(writer: int, n: int) -> dict:
        if service == "calendar":
            return {"type": "vergadering", "title": f"Schrijver {writer} nr {n}", "start": f"{day}T19:30",
                    "end": f"{day}T21:00"}
        return {"title": f"Schrijver {writer} nr {n}", "actor": "@secretaris:localhost"}

    def writer(i: int) -> None:
        with httpx.Client(base_url=app.url, timeout=60, headers={"Authorization": f"Bearer {tokens['admin']}"}) as c:
            start.wait()
            for n in range(WRITES_EACH):
                try:
                    resp = c.post(path, json=body(i, n))
                except httpx.HTTPError as exc:
                    with lock:
                        errors.append(repr(exc))
                    continue
                with lock:
                    answers.append(resp.status_code)
                    if resp.status_code != 201:
                        errors.append(f"{resp.status_code} {resp.text[:200]}")

    try:
        threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    finally:
        app.stop()
    log = app.log.read_text(errors="replace")
    assert "database is locked" not in log
    assert errors == [], errors[:5]
    assert answers.count(201) == WRITERS * WRITES_EACH
    with sqlite3.connect(tmp_path / "data" / f"{service}.db") as db:
        rows = db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # a fresh database: only ours
    assert rows == answers.count(201)


# --- graceful shutdown in the middle of a request -------------------------------------------------
def test_gunicorn_sigterm_mid_request_completes_it_and_writes_it_once(tmp_path: Path):
    config, tokens = service_config(tmp_path)
    app = Gunicorn("services.calendar.wsgi:app", tmp_path, workers=2, service="calendar", name="calendar",
                   env={"OVERLEG_CONFIG": str(config)})
    app.start()
    title = f"Halverwege {uuid.uuid4().hex[:8]}"
    day = time.strftime("%Y-%m-%d", time.localtime(time.time() + 30 * 86400))
    payload = json.dumps({"type": "training", "title": title, "start": f"{day}T19:30", "end": f"{day}T21:30",
                          "location": "Kantoor", "description": "x" * 2000}).encode()
    head = (f"POST /api/v1/councils/klantenraad/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {tokens['admin']}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n").encode()
    try:
        sock = socket.create_connection(("127.0.0.1", app.port), timeout=60)
        sock.sendall(head + payload[:100])  # the worker is now reading the body inside the app
        time.sleep(1.0)
        os.kill(app.proc.pid, signal.SIGTERM)  # graceful stop of the master while the body is in flight
        time.sleep(1.0)
        assert app.proc.poll() is None, "gunicorn quit while a request was in flight"
        # A new connection is no longer served once the shutdown began.
        with pytest.raises((httpx.HTTPError, OSError)):
            httpx.get(app.url + "/healthz", timeout=2).raise_for_status()
        for i in range(100, len(payload), 500):  # the rest of the body, slowly
            sock.sendall(payload[i:i + 500])
            time.sleep(0.05)
        response = b""
        while chunk := sock.recv(65536):
            response += chunk
        sock.close()
        status_line = response.split(b"\r\n", 1)[0]
        assert status_line.startswith(b"HTTP/1.1 201"), response[:500]
        assert wait_until(lambda: app.proc.poll() is not None, 40), "gunicorn did not stop after the request"
    finally:
        app.stop()
    log = app.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]
    with sqlite3.connect(tmp_path / "data" / "calendar.db") as db:
        rows = [json.loads(data) for (data,) in db.execute("SELECT data FROM calendar_events")]
    assert len(rows) == 1, rows
    assert rows[0]["title"] == title and rows[0]["description"] == "x" * 2000, rows
