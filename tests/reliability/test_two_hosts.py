"""Two hosts' worth of service processes on one PostgreSQL (as a deployment for many councils runs):
each background job runs once, whichever process holds its lease; a reminder is posted once."""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import psycopg
import pytest
from sqlalchemy import text

from bench.common import Gunicorn, service_config
from devstack.procs import wait_until
from shared.db import Database

pytestmark = pytest.mark.timeout(300)
PG = os.environ.get("OVERLEG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def test_two_hosts_on_one_postgresql_post_each_reminder_once(tmp_path):
    try:
        admin = psycopg.connect(PG, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.fail(f"PostgreSQL is needed for this drill at {PG}")
    name = f"overleg_hosts_{uuid.uuid4().hex[:8]}"
    url = f"{PG.rsplit('/', 1)[0]}/{name}"
    admin.execute(f'CREATE DATABASE "{name}"')
    hosts: list[Gunicorn] = []
    try:
        tokens = None
        for host in ("host-a", "host-b"):
            cfg, tokens = service_config(tmp_path / host, database_url=url, tokens=tokens)
            hosts.append(Gunicorn("services.calendar.wsgi:app", tmp_path / host, workers=2, service="calendar",
                                  env={"OVERLEG_CONFIG": str(cfg)}, name=f"calendar-{host}").start("/readyz"))
        assert tokens is not None
        # A meeting 90 minutes from now: its day-before reminder is due at once (posted late, once).
        start = (datetime.now(ZoneInfo("Europe/Amsterdam")) + timedelta(minutes=90)).replace(second=0, microsecond=0)
        resp = httpx.post(f"{hosts[0].url}/api/v1/councils/klantenraad/events", timeout=30,
                          headers={"Authorization": f"Bearer {tokens['admin']}"},
                          json={"type": "vergadering", "title": "Twee hosts", "start": start.isoformat()})
        assert resp.status_code == 201, resp.text
        db = Database(url)

        def reminders() -> list[str]:
            with db.read() as s:
                return [r[0] for r in s.execute(text("SELECT key FROM calendar_handoff WHERE key LIKE 'calendar:reminder:%'"))]

        assert wait_until(lambda: len(reminders()) >= 1, 60, interval=0.5), "no reminder was posted"
        # Four processes tick every 10 s; wait three ticks more: still one reminder.
        assert not wait_until(lambda: len(reminders()) > 1, 35, interval=1.0), reminders()
        with db.read() as s:
            holders = s.execute(text("SELECT name, holder FROM calendar_leases WHERE name = 'reminders'")).all()
        assert len(holders) == 1  # one lease row per job: one holder at a time, across hosts
        db.dispose()
        for host in hosts:
            assert host.proc.poll() is None, host.log.read_text()[-2000:]
    finally:
        for host in hosts:
            host.stop()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
