"""What the long-running processes load, each checked in a fresh interpreter (a subprocess: the
test process itself has imported everything already).

Every megabyte here is resident once per gunicorn worker and in the bot (target <= 90 MB each,
``bench/signal_intake.py``). These guards keep out what those processes never use: httpx's
command line (click, rich, pygments), psycopg pulled in by peewee for nio's SQLite crypto store,
cffi's C parser for pycryptodome, httpcore's trio and HTTP/2 backends, Flask in the bot, and
matplotlib/numpy (only the chart of ``!signalen`` draws, on demand); see shared/lean_imports.py.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

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
                    "psycopg", "psycopg2", "cffi", "pycparser", "trio"}
NEVER_IN_A_WORKER = {"rich", "pygments", "matplotlib", "numpy", "PIL", "trio", "h2", "alembic", "mako"}

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


def test_the_bots_service_client_loads_httpcore_without_trio():
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
            finally:
                await client.aclose()

        asyncio.run(call())
    """)
    assert {"httpcore", "anyio"} <= loaded
    assert loaded & NEVER_IN_THE_BOT == set()


def test_the_signals_app_and_its_service_calls_import_nothing_heavy():
    loaded = loaded_after(SIGNALS_APP + """
    from shared.http import ServiceClient, ServiceUnavailable
    try:
        ServiceClient("bot", "http://127.0.0.1:9", None, retries=0).get("/")
    except ServiceUnavailable:
        pass
    """)
    assert {"flask", "sqlalchemy", "httpx", "httpcore"} <= loaded
    assert loaded & NEVER_IN_A_WORKER == set()
    assert "redis" not in loaded  # the rate limiter's client comes with the first public request


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
    # (the bot's own store on PostgreSQL goes through SQLAlchemy), httpx's CLI still runs, and
    # pycryptodome encrypts through ctypes.
    out = run("""
        import services.bot.app
        import peewee
        assert peewee.pg3_errors is None  # peewee did not take psycopg
        import psycopg
        from sqlalchemy import create_engine
        print(create_engine("postgresql+psycopg://u:p@127.0.0.1:1/x").dialect.driver)
        import httpx
        print(callable(httpx.main))
        from Crypto.Cipher import AES
        from Crypto.Util import Counter, _raw_api
        print(_raw_api.backend, len(AES.new(bytes(32), AES.MODE_CTR, counter=Counter.new(128)).encrypt(b"x" * 40)))
    """)
    assert out.split() == ["psycopg", "True", "ctypes", "40"]


def test_httpx_cli_placeholder_loads_the_real_command_on_use():
    out = run("""
        import sys
        from shared import http
        assert "rich" not in sys.modules
        import httpx
        try:
            httpx.main(["--help"], standalone_mode=False)
        except SystemExit:
            pass
        print("rich" in sys.modules, type(sys.modules["httpx._main"].main).__name__)
    """)
    assert out.split()[-2:] == ["True", "Command"]


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
