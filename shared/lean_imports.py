"""Keep libraries' optional extras out of the long-running processes (each gunicorn worker, the
bot), where every megabyte counts once per process (target: <= 90 MB resident per process).

Only what the process can never use is left out, and nothing is broken by it: see each function.
"""
from __future__ import annotations

import importlib
import sys


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


# Pycryptodome (matrix-nio's attachment encryption) calls its C code through cffi when cffi is
# installed (it is, for PyNaCl) and through ctypes otherwise: the same compiled functions.
def import_pycryptodome_without_cffi() -> None:
    """Import pycryptodome's raw C binding with ctypes instead of cffi: cffi's in-line mode parses
    every C declaration with pycparser at run time (~1.5 MB resident in the bot), ctypes needs no
    parser. Pycryptodome picks ctypes itself when cffi is absent (and under ``python -OO``);
    PyNaCl is unaffected (it uses its compiled cffi module, not the ``cffi`` package)."""
    import_hiding("Crypto.Util._raw_api", ("cffi",))


# Flask-WTF translates its own messages through Flask-Babel when that is installed; it is not.
def import_flask_wtf_without_babel() -> None:
    """Import Flask-WTF without Babel: ``flask_wtf.i18n`` imports ``babel.support`` and then
    ``flask_babel``, which is not installed, so its translations are never used (Flask-WTF then
    falls back to none), yet Babel stayed loaded in every worker (~2 MB). Our forms' messages go
    through ``shared.i18n``."""
    import_hiding("flask_wtf", ("babel",))
