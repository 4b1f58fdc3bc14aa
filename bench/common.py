"""Shared by the benchmarks: a private stack in a temp folder, timing and reporting helpers."""
from __future__ import annotations

import os
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from deploy.cli import LONG_RUNNING_PYTHON
from devstack.procs import settings_free_env
from devstack.stack import Ports, Stack


@contextmanager
def private_stack(workers: int = 2, database_url: str | None = None) -> Iterator[Stack]:
    """The whole local stack on free ports in a temp folder, stopped afterwards."""
    with tempfile.TemporaryDirectory(prefix="overleg-bench-") as tmp:
        stack = Stack(Path(tmp), Ports.free(), workers=workers, database_url=database_url)
        stack.up(demo=True, timeout=120)
        try:
            yield stack
        finally:
            stack.down()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50": percentile(values, 0.5), "p95": percentile(values, 0.95),
            "mean": statistics.fmean(values) if values else float("nan")}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


class Timer:
    def __enter__(self) -> "Timer":
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = time.perf_counter() - self.start


# --- processes under the services' gunicorn config ------------------------------------------------
ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"


class Gunicorn:
    """A WSGI app under ``deploy/gunicorn.conf.py`` (gthread, the services' settings) on a free port.

    ``service`` set: a service (``services.<service>.wsgi:app``) that migrates on start, like
    ``Stack.start_service``; otherwise any app spec, e.g. ``bench.baseline_app:create_app()``.
    """

    def __init__(self, app: str, folder: Path, *, workers: int = 2, service: str = "",
                 env: dict[str, str] | None = None, name: str = "app") -> None:
        from devstack.procs import free_port

        self.app, self.folder, self.workers, self.service = app, Path(folder), workers, service
        self.extra_env = dict(env or {})
        self.name = name
        self.port = free_port()
        self.proc: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.folder / f"{self.name}.log"

    def start(self, ready_path: str = "/healthz", timeout: float = 60.0) -> "Gunicorn":
        import sys

        from devstack.procs import spawn, wait_http_ready

        metrics = self.folder / f"metrics-{self.name}"
        metrics.mkdir(parents=True, exist_ok=True)
        env = settings_free_env()
        env.update(PYTHONUNBUFFERED="1", OVERLEG_SERVICE=self.service, OVERLEG_BIND=f"127.0.0.1:{self.port}",
                   OVERLEG_WORKERS=str(self.workers), PROMETHEUS_MULTIPROC_DIR=str(metrics))
        env.update(self.extra_env)
        self.proc = spawn([sys.executable, *LONG_RUNNING_PYTHON, "-m", "gunicorn", "-c", str(GUNICORN_CONF), self.app],
                          log_path=self.log, cwd=ROOT, env=env)
        wait_http_ready(self.url + ready_path, timeout=timeout, is_alive=lambda: self.proc.poll() is None,
                        log_path=self.log, name=self.name, ok_statuses=(200, 404, 405))
        return self

    def stop(self) -> None:
        from devstack.procs import terminate

        if self.proc is not None:
            terminate(self.proc.pid, timeout=30, proc=self.proc)
            self.proc = None

    def __enter__(self) -> "Gunicorn":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (e.g. a gunicorn master's workers), in order."""
    from devstack.procs import child_pids

    return sorted(child_pids(pid))


def rss_mb(pid: int) -> float:
    """Resident memory (VmRSS) of ``pid`` in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pss_mb(pid: int) -> float:
    """Proportional set size of ``pid`` in MiB: pages shared with other processes (a gunicorn
    worker shares what its master imported before forking) are counted in part."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def pg_schema(prefix: str = "bench") -> Iterator[str]:
    """A fresh PostgreSQL schema on the local server; yields a URL whose search_path is that schema."""
    import os
    import uuid

    import psycopg

    base = os.environ.get("OVERLEG_TEST_POSTGRES_URL", PG_URL)
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def load_signal_texts(path: Path | None = None) -> list[dict[str, Any]]:
    """The labelled example signals (text and, where given, the neighbourhood), without the few
    whose text holds control characters: the API refuses those with a 400 by design."""
    import json

    from shared.api import _CONTROL

    path = path or ROOT / "tests" / "data" / "signals-dev.jsonl"
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    return [{"text": r["text"], **({"wijk": r["wijk"]} if r.get("wijk") else {})} for r in rows
            if not _CONTROL.search(r["text"])]


def hammer(url: str, payloads: list[dict[str, Any]], *, headers: dict[str, str] | None = None,
           threads: int = 8, method: str = "POST") -> tuple[float, dict[int, int]]:
    """Send every payload once with ``threads`` client threads (keep-alive connections); returns
    (elapsed seconds, count per status)."""
    import collections
    import itertools
    import threading

    import httpx

    counter = itertools.count()
    statuses: collections.Counter[int] = collections.Counter()
    lock = threading.Lock()

    def worker() -> None:
        with httpx.Client(timeout=60, headers=headers or {}, trust_env=False) as client:
            while True:
                i = next(counter)
                if i >= len(payloads):
                    return
                resp = client.request(method, url, json=payloads[i] if method != "GET" else None)
                with lock:
                    statuses[resp.status_code] += 1

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.perf_counter() - started, dict(statuses)


def service_config(folder: Path, *, database_url: str | None = None, bot_url: str = "http://127.0.0.1:9",
                   tokens: dict[str, str] | None = None, slug: str = "klantenraad",
                   service_urls: dict[str, str] | None = None) -> tuple[Path, dict[str, str]]:
    """A config file for running services on their own (no homeserver): one council, a token per
    caller. Messages for Matrix wait in the services' handoff queues (the bot URL answers nothing);
    ``service_urls`` says where the services reach each other (default: nowhere).
    Returns (config path, tokens)."""
    import secrets

    import yaml

    tokens = tokens or {c: secrets.token_urlsafe(16) for c in ("bot", "deliberation", "calendar", "signals", "werkplek",
                                                                 "partner", "admin")}
    folder.mkdir(parents=True, exist_ok=True)
    config = {
        "data_dir": str(folder / "data"),
        **({"database_url": database_url} if database_url else {}),
        "api_tokens": tokens,
        "secret_key": secrets.token_urlsafe(24),
        "service_urls": {"deliberation": "http://127.0.0.1:9", "calendar": "http://127.0.0.1:9",
                         "signals": "http://127.0.0.1:9", **(service_urls or {}), "bot": bot_url},
        "councils": [{"slug": slug, "name": "Benchmarkraad", "rooms": {"main": "!main:localhost",
                                                                       "signals": "!signals:localhost"},
                      "secretaries": ["@secretaris:localhost"]}],
    }
    path = folder / "overleg.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path, tokens


@contextmanager
def signals_app_in_process(prefix: str, database_url: str | None = None) -> Iterator[tuple[Any, Any, dict[str, str]]]:
    """The signals app in this process (for the diagnosis scripts): a fresh config in a temporary folder,
    its database (SQLite there, or ``database_url``) migrated. Yields (app, database, tokens); the app's
    background work is stopped and the database closed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        config, tokens = service_config(Path(tmp), database_url=database_url)
        os.environ["OVERLEG_CONFIG"] = str(config)
        from services.signals import app as signals_app
        from shared.db import Database
        from shared.settings import load_settings

        settings = load_settings()
        db = Database(settings.database_url_for("signals"))
        signals_app.migrate(db)
        app = signals_app.create_app(settings, database=db)
        try:
            yield app, db, tokens
        finally:
            app.extensions["overleg_runtime"].stop()
            db.dispose()
