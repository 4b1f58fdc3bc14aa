"""Keep libraries' optional extras out of the long-running processes (each gunicorn worker, the
bot), where every megabyte counts once per process (target: <= 90 MB resident per process).

Only what the process can never use is left out, and nothing is broken by it: see each function.
"""
from __future__ import annotations

import importlib
import sys
import types
from typing import Any

HTTPX_CLI = "httpx._main"


def skip_httpx_cli() -> None:
    """Import httpx without its command-line client.

    ``httpx/__init__.py`` imports ``httpx._main`` (the ``httpx`` command: click, rich, pygments,
    ~3 MB resident) whenever those happen to be installed, as they are beside pytest and
    schemathesis; no service calls it. A placeholder ``httpx._main`` is put in place first. Its
    ``main`` loads the real command on first call, so ``httpx.main()`` still works. Does nothing
    once httpx is imported (the CLI is then loaded or not, as it happened)."""
    if "httpx" in sys.modules or HTTPX_CLI in sys.modules:
        return
    placeholder = types.ModuleType(HTTPX_CLI, "httpx's command line, loaded on first use (shared.lean_imports)")

    def main(*args: Any, **kwargs: Any) -> Any:
        if sys.modules.get(HTTPX_CLI) is placeholder:
            del sys.modules[HTTPX_CLI]
        return importlib.import_module(HTTPX_CLI).main(*args, **kwargs)

    placeholder.main = main  # type: ignore[attr-defined]
    sys.modules[HTTPX_CLI] = placeholder


def import_hiding(module: str, unused: tuple[str, ...]) -> None:
    """Import ``module`` while the optional packages ``unused`` look absent to it, then make them
    importable again. A ``None`` entry in ``sys.modules`` makes ``import`` raise ImportError,
    which libraries take as "not installed" and fall back on (callers say why that fallback is
    never used here). A package that is already imported is not hidden: it costs nothing more.
    Does nothing when ``module`` is already imported or not installed."""
    if module in sys.modules:
        return
    hidden = [name for name in unused if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        importlib.import_module(module)
    except ImportError:
        pass  # not installed: whoever needs it will say so
    finally:
        for name in hidden:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]


# Client libraries peewee tries at import, for its PostgreSQL and MySQL databases.
PEEWEE_SERVER_DRIVERS = ("psycopg2cffi", "psycopg2", "psycopg", "pymysql", "MySQLdb")


def import_peewee_without_server_drivers() -> None:
    """Import peewee (matrix-nio's crypto store) without letting it import psycopg.

    At import peewee tries every PostgreSQL and MySQL driver that is installed (psycopg with
    ``overleg[postgres]``: ~10 MB resident in the bot) in case one of its server databases is
    used later. nio's crypto store only ever uses peewee's ``SqliteDatabase`` (``nio.store.
    SqliteStore``, a file in ``bot.crypto_store``), whatever database the bot's own store uses;
    the bot's own store goes through SQLAlchemy, which imports psycopg itself when the database
    URL is PostgreSQL, as before (the drivers are hidden during peewee's import only). peewee's
    own PostgreSQL/MySQL classes would then refuse to connect; nothing here creates one."""
    import_hiding("peewee", PEEWEE_SERVER_DRIVERS)


# httpcore imports these whenever they are installed: trio (its backend when the caller runs
# under trio; installed beside selenium) and h2 (HTTP/2 connections, only with http2=True).
HTTPCORE_UNUSED = ("trio", "h2")


def import_httpcore_without_unused_backends() -> None:
    """Import httpcore (httpx's transport, loaded with the first client) without trio and h2:
    ~5 MB resident per process. Our httpx clients run in threads (the services' ServiceClient;
    the bot's client is on aiohttp) and speak HTTP/1.1 (no client passes ``http2=True``; with it
    httpcore would say h2 is missing). Where h2 is already imported httpcore gets it."""
    import_hiding("httpcore", HTTPCORE_UNUSED)


# Pycryptodome (matrix-nio's attachment encryption) calls its C code through cffi when cffi is
# installed (it is, for PyNaCl) and through ctypes otherwise: the same compiled functions.
def import_pycryptodome_without_cffi() -> None:
    """Import pycryptodome's raw C binding with ctypes instead of cffi: cffi's in-line mode parses
    every C declaration with pycparser at run time (~1.5 MB resident in the bot), ctypes needs no
    parser. Pycryptodome picks ctypes itself when cffi is absent (and under ``python -OO``);
    PyNaCl is unaffected (it uses its compiled cffi module, not the ``cffi`` package)."""
    import_hiding("Crypto.Util._raw_api", ("cffi",))
