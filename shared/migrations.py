"""Alembic, run programmatically. Each service has ``migrations/`` with its own version table,
so several services can share one PostgreSQL database without stepping on each other."""
from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection

from shared.db import Database
from shared.private_files import private_sqlite_file

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic is imported inside the functions: a long-running process (the bot, a gunicorn master
# whose workers inherit its memory) should not carry it after the migration is done.


def alembic_config(service_dir: Path, database_url: str, version_table: str) -> "Config":
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(service_dir / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    cfg.attributes["version_table"] = version_table
    return cfg


# A folder of migrated SQLite files (the test suite sets it): a new, empty SQLite database is then
# filled by copying the one migrated to head for the same migrations, instead of running them again.
TEMPLATES_ENV = "OVERLEG_MIGRATION_TEMPLATES"


def _service_dir(service: str) -> Path:
    """``services/<service>``, where it is installed (its ``migrations/`` live there)."""
    import importlib.util

    spec = importlib.util.find_spec(f"services.{service}")
    if spec is None or spec.origin is None:
        raise ValueError(f"no such service: {service}")
    return Path(spec.origin).parent


def migrate_service(db: Database, service: str) -> None:
    """Migrate the database of ``service`` (deliberation, calendar, signals, werkplek, bot) to head:
    the scripts in ``services/<service>/migrations``, the version table ``<service>_alembic_version``."""
    upgrade(db, _service_dir(service), f"{service}_alembic_version")


def upgrade(db: Database, service_dir: Path, version_table: str, revision: str = "head") -> None:
    folder = os.environ.get(TEMPLATES_ENV)
    if folder and revision == "head" and db.is_sqlite and _copy_of_template(db, service_dir, version_table,
                                                                              Path(folder)):
        return
    _alembic_upgrade(db, service_dir, version_table, revision)


def _alembic_upgrade(db: Database, service_dir: Path, version_table: str, revision: str) -> None:
    from alembic import command

    cfg = alembic_config(service_dir, db.url, version_table)
    with db.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        conn.commit()


@functools.cache  # scripts do not change while a process runs; tests ask for every new database
def _migrations_digest(service_dir: Path, version_table: str) -> str:
    """What a migrated database is a function of: the migration scripts (names and contents)."""
    digest = hashlib.sha256(version_table.encode())
    folder = service_dir / "migrations"
    for path in sorted([folder / "env.py", *(folder / "versions").glob("*.py")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:20]


def _template_path(service_dir: Path, version_table: str, folder: Path) -> Path:
    return folder / f"{version_table}-{_migrations_digest(service_dir, version_table)}.db"


def _copy_of_template(db: Database, service_dir: Path, version_table: str, folder: Path) -> bool:
    """Fill an empty SQLite database with a copy of one migrated to head (made once, by whichever
    process asks first; the others wait on a lock). False when the database is not empty: then the
    migrations run as always (an existing database is upgraded, never replaced)."""
    with db.engine.connect() as conn:
        if conn.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar():
            return False
    folder.mkdir(parents=True, exist_ok=True)
    template = _template_path(service_dir, version_table, folder)
    if not template.exists():
        with open(folder / f"{template.name}.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not template.exists():
                building = folder / f"{template.name}.{os.getpid()}.tmp"
                building.unlink(missing_ok=True)
                fresh = Database(f"sqlite:///{building}")
                try:
                    _alembic_upgrade(fresh, service_dir, version_table, "head")
                finally:
                    fresh.dispose()
                single = sqlite3.connect(building)  # everything into the main file: only it is renamed
                try:
                    single.execute("PRAGMA journal_mode=DELETE")
                finally:
                    single.close()
                os.replace(building, template)
    source = sqlite3.connect(f"file:{template}?mode=ro", uri=True)
    try:
        with db.engine.connect() as conn:
            source.backup(conn.connection.dbapi_connection)  # page by page into the open database
    finally:
        source.close()
    return True


def revision(db: Database, service_dir: Path, version_table: str, message: str) -> None:
    """Autogenerate a new migration from the models (developer tool)."""
    from alembic import command

    cfg = alembic_config(service_dir, db.url, version_table)
    with db.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.revision(cfg, message=message, autogenerate=True)


def run_env(target_metadata: MetaData) -> None:
    """Body of every service's ``migrations/env.py``."""
    from alembic import context

    cfg = context.config
    version_table = cfg.attributes.get("version_table", "alembic_version")
    connection: Connection | None = cfg.attributes.get("connection")
    if connection is None:
        from sqlalchemy import create_engine

        engine = create_engine(cfg.get_main_option("sqlalchemy.url"), poolclass=pool.NullPool)
        with engine.connect() as connection:
            _run(context, connection, target_metadata, version_table)
    else:
        _run(context, connection, target_metadata, version_table)


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Migrations stay free of our own imports: a UtcDateTime is a DateTime with time zone in the
    database (the UTC conversion lives in the model)."""
    from shared.db import UtcDateTime

    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _run(context, connection: Connection, target_metadata: MetaData, version_table: str) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        version_table=version_table,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def upgrade_in_subprocess(service: str, module: str = "shared.migrations") -> None:
    """Migrate ``service`` (deliberation, calendar, signals, bot) to head in a short-lived child
    process that reads the same settings, so this process never loads Alembic. ``module`` is what
    the child runs (``python -m module service``): a service with more to settle than its schema
    brings its own (the bot: ``services.bot.migrate``)."""
    if os.environ.get(TEMPLATES_ENV) and _settled_by_template(service, Path(os.environ[TEMPLATES_ENV])):
        return
    subprocess.run([sys.executable, "-m", module, service], check=True)


def _settled_by_template(service: str, folder: Path) -> bool:
    """With migration templates (test runs), settle an SQLite database here instead of in a child
    Python (~1.6 s of CPU each; a test run starts dozens of services and bots): an empty database
    becomes a copy of the template, one whose versions are the template's is at head already.
    False for anything else (no template yet, an older database, PostgreSQL, unreadable settings):
    the child then migrates as always. Plain sqlite3, so this process loads neither Alembic nor
    SQLAlchemy for it."""
    from shared.settings import ConfigError, load_settings

    try:
        settings = load_settings()
    except ConfigError:
        return False
    url = settings.database_url_for(service)
    if not url.startswith("sqlite:///") or "?" in url:
        return False
    if service == "bot" and settings.database_url:
        return False  # the child also moves a state kept in the shared database before
    version_table = f"{service}_alembic_version"
    template = _template_path(_service_dir(service), version_table, folder)
    if not template.exists():
        return False
    try:
        path = Path(url.removeprefix("sqlite:///"))
        private_sqlite_file(path)  # as shared.db creates it: the copy holds what the service will keep
        db = sqlite3.connect(path, timeout=30)
        source = sqlite3.connect(f"file:{template}?mode=ro", uri=True)
    except sqlite3.Error:
        return False
    try:
        if not db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            source.backup(db)
            return True
        versions = f"SELECT version_num FROM {version_table}"
        try:
            return set(db.execute(versions)) == set(source.execute(versions))
        except sqlite3.Error:  # no version table: not ours to judge
            return False
    finally:
        source.close()
        db.close()


def _main(argv: list[str]) -> int:
    from shared.db import wait_for_database
    from shared.settings import load_settings_or_exit

    (service,) = argv
    settings = load_settings_or_exit()
    db = Database(settings.database_url_for(service))
    wait_for_database(db)
    # Not through the service's app module: importing the whole app only to migrate cost every
    # start ~0.5-0.8 s of CPU (Flask, the domain); Alembic loads the models itself (env.py).
    migrate_service(db, service)
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
