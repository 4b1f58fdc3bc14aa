"""What the long-running processes load, each checked in a fresh interpreter (a subprocess: the
test process itself has imported everything already).

Every megabyte here is resident once per gunicorn worker and in the bot (target <= 90 MB each,
``bench/signal_intake.py``). These guards keep out what those processes never use: psycopg
pulled in by peewee for nio's SQLite crypto store, cffi's C parser for pycryptodome, Flask in
the bot, httpx anywhere (the services' client runs on the standard library's http.client, the
bot's on nio's aiohttp), and matplotlib/numpy (only the chart of ``!signalen`` draws, on demand);
see shared/lean_imports.py and shared/http.py.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from deploy.cli import LONG_RUNNING_PYTHON

ROOT = Path(__file__).resolve().parents[2]


def loaded_after(code: str) -> set[str]:
    """The top-level packages in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    script = textwrap.dedent(code) + textwrap.dedent("""
        import json as _json, sys as _sys
        print(_json.dumps(sorted({name.partition(".")[0] for name in _sys.modules})))
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def run(code: str) -> str:
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout


NEVER_IN_THE_BOT = {"rich", "pygments", "click", "flask", "werkzeug", "jinja2", "matplotlib", "numpy",
                    "psycopg", "psycopg2", "cffi", "pycparser", "trio",
                    "httpx", "httpcore", "anyio", "certifi",  # a second HTTP stack beside nio's aiohttp
                    "babel"}  # its locale data: ~5-7 MB for the day and month names in shared.i18n
NEVER_IN_A_WORKER = {"rich", "pygments", "matplotlib", "numpy", "PIL", "trio", "h2", "alembic", "mako",
                     "httpx", "httpcore", "h11", "anyio", "aiohttp",  # its service client: http.client
                     "babel"}

SIGNALS_APP = """
    from shared.settings import Settings
    from shared.db import Database
    from services.signals.app import create_app
    from services.signals.config import SignalsConfig
    urls = {name: "http://127.0.0.1:9" for name in ("bot", "calendar", "deliberation", "signals", "werkplek")}
    settings = Settings(api_tokens={"admin": "t-admin"}, service_urls=urls, redis_url="redis://127.0.0.1:9/0",
                        public_base_url="https://signalen.example.nl",
                        councils=[{"slug": "k", "name": "K", "rooms": {"main": "!m:t", "signals": "!s:t"}}])
    app = create_app(settings, database=Database("sqlite://"), config=SignalsConfig())
"""


def test_the_bot_process_imports_nothing_it_never_uses():
    loaded = loaded_after("import services.bot.app")
    assert "nio" in loaded and "peewee" in loaded and "Crypto" in loaded  # the guard sees the real thing
    assert loaded & NEVER_IN_THE_BOT == set()


def test_the_bots_service_client_runs_on_aiohttp_without_httpx():
    loaded = loaded_after("""
        import asyncio
        import services.bot.app
        from shared.http import AsyncServiceClient, ServiceUnavailable

        async def call():
            client = AsyncServiceClient("signals", "http://127.0.0.1:9", None, retries=0)
            try:
                await client.get("/")
            except ServiceUnavailable:
                pass
            else:
                raise AssertionError("nobody listens on port 9")
            finally:
                await client.aclose()

        asyncio.run(call())
    """)
    assert "aiohttp" in loaded
    assert loaded & NEVER_IN_THE_BOT == set()


def test_a_service_loads_no_http_library_for_its_calls():
    # shared.http serves both sides: a worker's calls (including proxied ones) load neither the
    # bot's aiohttp nor httpx, and a plain http:// call not the CA bundle either.
    out = run("""
        import os, sys
        import shared.handoff, shared.membership
        from shared.http import ServiceClient, ServiceUnavailable
        os.environ["NO_PROXY"] = "127.0.0.1"
        os.environ["HTTP_PROXY"] = "http://127.0.0.1:9"  # for calendar.invalid: nobody there either
        for url in ("http://127.0.0.1:9", "http://calendar.invalid:9"):
            try:
                ServiceClient("bot", url, None, retries=0).get("/")
            except ServiceUnavailable:
                pass
            else:
                raise AssertionError("nobody listens on port 9")
        print(*(name in sys.modules for name in ("httpx", "httpcore", "aiohttp", "certifi")))
    """)
    assert out.split() == ["False", "False", "False", "False"]


def test_the_signals_app_and_its_service_calls_import_nothing_heavy():
    loaded = loaded_after(SIGNALS_APP + """
    from shared.http import ServiceClient, ServiceUnavailable
    try:
        ServiceClient("bot", "http://127.0.0.1:9", None, retries=0).get("/")
    except ServiceUnavailable:
        pass
    """)
    assert {"flask", "sqlalchemy", "http"} <= loaded
    assert loaded & NEVER_IN_A_WORKER == set()
    assert "redis" not in loaded  # the rate limiter's client comes with the first public request


def test_the_bot_and_a_worker_start_without_docstrings_and_build_under_those_flags():
    """The units, the local stack and the tests start the long-running processes with
    ``LONG_RUNNING_PYTHON`` (-OO: no docstrings resident, ~3 MB a process); everything the bot and
    a service import must work that way (the end-to-end tests run the whole stack so)."""
    script = textwrap.dedent(SIGNALS_APP) + textwrap.dedent("""
        import sys
        import services.bot.app
        from services.bot.commands import parse
        with app.test_client() as web:
            status = web.get("/api/v1/councils/k/themes").status_code
        print(sys.flags.optimize, "no_debug_ranges" in sys._xoptions, services.bot.app.__doc__, app.name,
              parse("!stand").word, status)
    """)
    out = subprocess.run([sys.executable, *LONG_RUNNING_PYTHON, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    optimize, no_ranges, doc, name, command, status = out.stdout.split()
    assert (optimize, no_ranges, doc, name, command) == ("2", "True", "None", "overleg.signals", "stand")
    assert status in {"200", "401"}  # answered by the app (without a token: 401), not a crash


def test_a_request_model_is_built_when_first_used():
    # A service defines 30-40 request and response models; a worker builds the validators of those
    # its requests use (~1 MB less resident than all of them at import), and /openapi.json all.
    out = run(SIGNALS_APP + """
    from services.signals.schemas import ReceiptOut, SignalIn
    before = SignalIn.__pydantic_complete__, ReceiptOut.__pydantic_complete__
    with app.test_client() as web:
        refused = web.post("/api/v1/councils/k/signals", json={"text": 7, "unknown": 1},
                           headers={"Authorization": "Bearer t-admin"})
        print(*before, SignalIn.__pydantic_complete__, refused.status_code,
              sorted({p["field"] for p in refused.json["params"]["problems"]}),
              "SignalIn" in web.get("/openapi.json").json["components"]["schemas"])
    """)
    assert out.split() == ["False", "False", "True", "400", "['text',", "'unknown']", "True"]


def test_a_request_model_first_used_by_many_threads_at_once_validates_in_each():
    # The first requests after a worker starts run on its 4 threads: a model built while another thread
    # validates must not let that thread fall back to the base's validator (no fields, so every field
    # "not permitted", pydantic#11849). The pinned pydantic (2.14.3) builds under a lock.
    out = run("""
    import threading
    from services.signals.schemas import SignalIn
    start, results = threading.Barrier(16), []
    def first_use():
        start.wait()
        try:
            results.append(SignalIn.model_validate({"text": "De lift in blok B staat stil"}).text)
        except Exception as exc:
            results.append(repr(exc))
    threads = [threading.Thread(target=first_use) for _ in range(16)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    print(len(results), set(results) == {"De lift in blok B staat stil"})
    """)
    assert out.split() == ["16", "True"]


def test_the_redis_rate_limit_client_comes_with_the_first_hit():
    out = run(SIGNALS_APP + """
    import sys
    import pytest
    from shared.ratelimit import Limit, RedisCounter
    limiter = app.extensions["signals_ratelimiter"]
    assert limiter.backend == "redis" and "redis" not in sys.modules
    verdict = limiter.check("form", "192.0.2.1", Limit(5, 60))  # nobody on port 9: counted per process
    print(verdict.allowed, type(limiter.counter.client).__name__, "redis" in sys.modules)
    with pytest.raises(ValueError):
        RedisCounter("http://127.0.0.1:9")  # refused at once, as redis.Redis.from_url refuses it
    """)
    assert out.split() == ["True", "Redis", "True"]


def test_what_was_kept_out_still_works_when_asked_for():
    # The guards hide packages only while one library imports: afterwards psycopg still imports
    # (the bot's own store on PostgreSQL goes through SQLAlchemy), and pycryptodome encrypts
    # through ctypes.
    out = run("""
        import services.bot.app
        import peewee
        assert peewee.pg3_errors is None  # peewee did not take psycopg
        import psycopg
        from sqlalchemy import create_engine
        print(create_engine("postgresql+psycopg://u:p@127.0.0.1:1/x").dialect.driver)
        from Crypto.Cipher import AES
        from Crypto.Util import Counter, _raw_api
        print(_raw_api.backend, len(AES.new(bytes(32), AES.MODE_CTR, counter=Counter.new(128)).encrypt(b"x" * 40)))
    """)
    assert out.split() == ["psycopg", "ctypes", "40"]


def test_sqlite_connections_keep_a_small_page_and_statement_cache():
    out = run("""
        from sqlalchemy import text
        from shared.db import Database
        from shared.memory import limit_sqlite_memory
        db = Database("sqlite://")
        limit_sqlite_memory(db.engine)
        with db.read() as s:
            print(s.execute(text("PRAGMA cache_size")).scalar())
        with db.engine.connect() as conn:
            print(conn.connection.dbapi_connection.execute("PRAGMA foreign_keys").fetchone()[0])
    """)
    assert out.split() == ["-512", "1"]  # shared.db's own pragmas still apply


def test_the_heap_is_trimmed_once_at_the_end_of_each_busy_spell(monkeypatch):
    import shared.memory

    trims: list[int] = []
    monkeypatch.setattr(shared.memory, "release_free_memory", lambda: trims.append(1))
    trimmer = shared.memory.HeapTrimmer()
    assert trimmer.idle() and not trimmer.idle()  # starting the process was the first spell
    trimmer.worked()
    trimmer.worked()
    assert trimmer.idle() and not trimmer.idle() and not trimmer.idle()
    assert len(trims) == trimmer.trims == 2
    assert not shared.memory.HeapTrimmer(owed=False).idle()


def test_work_the_loop_does_not_see_is_trimmed_once_the_resident_size_holds_still(monkeypatch):
    import shared.memory

    trims: list[int] = []
    monkeypatch.setattr(shared.memory, "release_free_memory", lambda: trims.append(1))
    resident = [60 << 20]
    trimmer = shared.memory.HeapTrimmer(owed=False, resident=lambda: resident[0])
    assert not trimmer.idle()  # the first look: moved from nothing, so wait a round
    assert trimmer.idle() and not trimmer.idle()  # then still: the owed trim (the start), once
    for grown in (3 << 20, 2 << 20):  # request threads at work: still moving, no trim yet
        resident[0] += grown
        assert not trimmer.idle()
    assert trimmer.idle()  # holding still: their spell has ended
    resident[0] += 100 << 10  # noise
    assert not trimmer.idle() and not trimmer.idle()
    assert len(trims) == 2


def test_the_job_runner_trims_after_the_worker_started_and_after_a_busy_spell(monkeypatch, tmp_path):
    import time

    from sqlalchemy.orm import DeclarativeBase

    import shared.memory
    from shared.db import Database
    from shared.jobs import Job, JobRunner, make_lease_model

    class Base(DeclarativeBase):
        pass

    lease = make_lease_model(Base, "trimjobs")
    db = Database(f"sqlite:///{tmp_path / 'jobs.db'}")
    Base.metadata.create_all(db.engine)
    work: list[int] = []
    rounds: list[int] = []
    trims: list[int] = []

    def job() -> int:
        done = work.pop() if work else 0
        rounds.append(done)
        return done

    def wait_for(condition) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + 10
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.02)

    monkeypatch.setattr(shared.memory, "release_free_memory", lambda: trims.append(len(rounds)))
    monkeypatch.setattr("shared.jobs.resident_bytes", lambda: 50 << 20)  # requests' work: the next test
    runner = JobRunner(db, lease, [Job("handoff", job, interval=0.05)])
    runner.start()
    try:
        wait_for(lambda: trims)
        assert trims == [2]  # the worker has loaded the app: trimmed once its resident size was seen still
        time.sleep(0.6)
        assert len(trims) == 1  # idle rounds do not trim again
        work.extend([1, 1, 1])  # a spell of three busy rounds
        runner.kick()
        wait_for(lambda: len(trims) == 2)
        time.sleep(0.6)
    finally:
        runner.stop()
        db.dispose()
    spell_end = trims[1] - 1
    assert rounds[spell_end - 3:spell_end + 1] == [1, 1, 1, 0]  # trimmed once, at the first idle round after it
    assert len(trims) == 2
