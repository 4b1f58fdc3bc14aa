"""``overleg check-config``: what an operator needs to know before starting, one plain line each.

It reads the configuration (unknown keys, bad values: see :func:`shared.settings.load_settings`),
then asks every part that the configuration names: the databases, Redis, each council's shared
calendar, and the homeserver about the bot (its login, each configured room: joined, and allowed
to redact). It changes nothing: no file is created, no device is added, nothing is posted.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from shared.settings import SERVICES, ConfigError, Settings, example_secret_problems, load_settings


@dataclass(frozen=True)
class Finding:
    ok: bool
    text: str


def check(settings: Settings, *, timeout: float = 5.0) -> list[Finding]:
    findings: list[Finding] = []
    findings += _secrets(settings)
    findings += _databases(settings)
    findings += _redis(settings)
    findings += _caldav(settings, timeout)
    findings += _matrix(settings, timeout)
    return findings


def _secrets(settings: Settings) -> list[Finding]:
    out = [Finding(False, problem) for problem in example_secret_problems(settings, bot=True)]
    m = settings.matrix
    if not (m.access_token or m.password):
        out.append(Finding(False, "matrix: neither access_token nor password is set: the bot cannot log in"))
    if settings.environment != "production":
        out.append(Finding(True, "environment: development (production refuses to start with example secrets; "
                                 "the systemd units set OVERLEG_ENVIRONMENT=production)"))
    if not any(not f.ok for f in out):
        out.append(Finding(True, "secrets: set, none is an example value"))
    return out


def _databases(settings: Settings) -> list[Finding]:
    if not settings.database_url:
        data_dir = Path(settings.data_dir)
        place = data_dir if data_dir.exists() else data_dir.parent
        if place.exists() and os.access(place, os.W_OK):
            return [Finding(True, f"databases: SQLite files in {data_dir.resolve()}")]
        return [Finding(False, f"data_dir {data_dir}: does not exist or cannot be written")]
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = settings.database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    shown = make_url(url).render_as_string(hide_password=True)
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 5} if "postgresql" in url else {})
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any driver error: say it plainly
        return [Finding(False, f"database {shown}: cannot connect ({_first_line(exc)})")]
    return [Finding(True, f"database {shown}: reachable")]


def _redis(settings: Settings) -> list[Finding]:
    if not settings.redis_url:
        return [Finding(True, "redis: not configured (each gunicorn worker counts rate limits on its own)")]
    try:
        import redis
    except ImportError:
        return [Finding(False, "redis_url is set but the redis package is missing: pip install 'overleg[redis]'")]
    try:
        redis.Redis.from_url(settings.redis_url, socket_timeout=3, socket_connect_timeout=3).ping()
    except Exception as exc:
        return [Finding(False, f"redis {settings.redis_url}: no answer ({_first_line(exc)})")]
    return [Finding(True, f"redis: answers (key prefix {settings.redis_prefix})")]


def _caldav(settings: Settings, timeout: float) -> list[Finding]:
    out = []
    for council in settings.councils:
        if not council.caldav_url:
            continue
        auth = (council.caldav_username or "", council.caldav_password or "")
        try:
            resp = httpx.request("PROPFIND", council.caldav_url, auth=auth, headers={"Depth": "0"}, timeout=timeout)
        except httpx.HTTPError as exc:
            out.append(Finding(False, f"councils.{council.slug}.caldav_url: no answer ({_first_line(exc)})"))
            continue
        if resp.status_code in (401, 403):
            out.append(Finding(False, f"councils.{council.slug}.caldav_url: the calendar refuses the username or "
                                      f"app password ({resp.status_code})"))
        elif resp.status_code == 404:
            out.append(Finding(False, f"councils.{council.slug}.caldav_url: no calendar at that address (404)"))
        elif resp.status_code != 207:
            out.append(Finding(False, f"councils.{council.slug}.caldav_url: unexpected answer {resp.status_code}"))
        else:
            out.append(Finding(True, f"councils.{council.slug}: shared calendar reachable"))
    return out


def _bot_token(settings: Settings) -> str | None:
    """The token the bot uses: configured, or the one it saved after a password login."""
    if settings.matrix.access_token:
        return settings.matrix.access_token
    db_path = Path(settings.data_dir) / "bot.db"
    # Its own store; before December 2026 the shared PostgreSQL database (moved at its next start).
    url = settings.database_url_for("bot") if db_path.exists() else settings.database_url
    if url:
        from sqlalchemy import create_engine, text

        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        try:
            engine = create_engine(url)
            with engine.connect() as conn:
                row = conn.execute(text("SELECT value FROM bot_state WHERE name = 'access_token'")).first()
            engine.dispose()
            return row[0] if row else None
        except Exception:
            return None
    return None


def _matrix(settings: Settings, timeout: float) -> list[Finding]:
    m = settings.matrix
    base = m.homeserver_url.rstrip("/")
    try:
        httpx.get(f"{base}/_matrix/client/versions", timeout=timeout).raise_for_status()
    except httpx.HTTPError as exc:
        return [Finding(False, f"matrix.homeserver_url {base}: no answer ({_first_line(exc)})")]
    token = _bot_token(settings)
    if token is None:
        return [Finding(True, f"homeserver {base}: answers"),
                Finding(False, "the bot has not logged in yet (password login): start it once, then check again "
                               "to see its rooms")]
    headers = {"Authorization": f"Bearer {token}"}
    client = httpx.Client(base_url=f"{base}/_matrix/client/v3", headers=headers, timeout=timeout)
    out = []
    with client:
        who = client.get("/account/whoami")
        if who.status_code != 200:
            return [Finding(False, f"the homeserver refuses the bot's token ({who.json().get('errcode', who.status_code)}): "
                                   "give it a new access_token or its password")]
        user_id = who.json().get("user_id")
        if user_id != m.user_id:
            out.append(Finding(False, f"matrix.user_id is {m.user_id}, but the token belongs to {user_id}"))
        else:
            out.append(Finding(True, f"bot login: {user_id}"))
        joined = set(client.get("/joined_rooms").json().get("joined_rooms", []))
        for council in settings.councils:
            for role, room_id in _rooms(council):
                where = f"councils.{council.slug}.rooms.{role} ({room_id})"
                if room_id not in joined:
                    out.append(Finding(False, f"{where}: the bot is not in this room; invite it (or check the id)"))
                    continue
                levels = client.get(f"/rooms/{quote(room_id)}/state/m.room.power_levels/")
                if levels.status_code != 200:
                    out.append(Finding(False, f"{where}: cannot read the room's power levels"))
                    continue
                body: dict[str, Any] = levels.json()
                mine = (body.get("users") or {}).get(user_id, body.get("users_default", 0))
                if mine < body.get("redact", 50):
                    out.append(Finding(False, f"{where}: the bot may not remove messages (power {mine}, needs "
                                              f"{body.get('redact', 50)}); residents' erasure cannot reach the room"))
                else:
                    out.append(Finding(True, f"{where}: joined, may remove messages"))
    return out


def _rooms(council: Any) -> list[tuple[str, str]]:
    rooms = [("main", council.rooms.main)]
    if council.rooms.signals:
        rooms.append(("signals", council.rooms.signals))
    rooms += [(f"themes.{theme}", room) for theme, room in sorted(council.rooms.themes.items())]
    return rooms


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def main(*, verbose: bool = True) -> int:
    """Exit codes: 0 all good, 1 something to fix, 78 the configuration itself cannot be read."""
    try:
        settings = load_settings()
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"FOUT  {problem}")
        return 78
    findings = check(settings)
    for finding in findings:
        if verbose or not finding.ok:
            print(f"{'ok  ' if finding.ok else 'FOUT'}  {finding.text}")
    services = ", ".join(SERVICES)
    bad = sum(not f.ok for f in findings)
    print(f"{bad} probleem/problemen gevonden" if bad else f"in orde: {services}, bot")
    return 1 if bad else 0
