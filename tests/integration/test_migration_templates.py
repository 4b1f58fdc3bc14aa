"""Migration templates (test runs only, ``OVERLEG_MIGRATION_TEMPLATES``): a service's start settles
its SQLite database from the template in its own process when it can, and starts the migration
child (Alembic) for everything else. Real files, real Alembic."""
from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import pytest

from shared import migrations
from shared.db import Database

SERVICE = "signals"
VERSION_TABLE = f"{SERVICE}_alembic_version"


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    templates = tmp_path / "templates"
    data = tmp_path / "data"
    data.mkdir()
    monkeypatch.setenv(migrations.TEMPLATES_ENV, str(templates))
    monkeypatch.delenv("OVERLEG_CONFIG", raising=False)
    monkeypatch.delenv("OVERLEG_DATABASE_URL", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("OVERLEG_DATA_DIR", str(data))
    children: list[list[str]] = []
    real_run = subprocess.run

    def run(argv, **kwargs):  # the child still runs; the test only counts it
        children.append(list(argv))
        return real_run(argv, **kwargs)

    monkeypatch.setattr(migrations.subprocess, "run", run)
    return templates, data / f"{SERVICE}.db", children


def versions(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute(f"SELECT version_num FROM {VERSION_TABLE}")}


def test_the_first_start_builds_the_template_in_a_child_and_later_starts_copy_it_here(setup, tmp_path: Path):
    templates, database, children = setup
    migrations.upgrade_in_subprocess(SERVICE)  # no template yet: the child migrates and leaves one
    assert len(children) == 1 and list(templates.glob(f"{VERSION_TABLE}-*.db"))
    head = versions(database)
    assert head

    database.unlink()  # a new, empty database: filled from the template, no child
    migrations.upgrade_in_subprocess(SERVICE)
    assert len(children) == 1
    assert versions(database) == head
    with sqlite3.connect(database) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"signals_signals", "signals_clusters"} <= tables

    migrations.upgrade_in_subprocess(SERVICE)  # a restart at head: nothing to do, no child
    assert len(children) == 1


def test_a_database_behind_the_template_is_migrated_by_alembic_in_the_child(setup):
    templates, database, children = setup
    migrations.upgrade_in_subprocess(SERVICE)
    head = versions(database)
    database.unlink()
    from services.signals.app import SERVICE_DIR

    older = Database(f"sqlite:///{database}")
    migrations.upgrade(older, SERVICE_DIR, VERSION_TABLE, revision="079764d7dabf")  # not head: Alembic itself
    older.dispose()
    assert versions(database) == {"079764d7dabf"}

    migrations.upgrade_in_subprocess(SERVICE)
    assert len(children) == 2  # the child ran Alembic from there
    assert versions(database) == head


def test_a_database_that_is_not_sqlite_or_not_ours_goes_to_the_child(setup, monkeypatch: pytest.MonkeyPatch):
    templates, database, children = setup
    migrations.upgrade_in_subprocess(SERVICE)
    with sqlite3.connect(database) as db:
        db.execute(f"DROP TABLE {VERSION_TABLE}")  # tables, but no version table: not judged here
    assert not migrations._settled_by_template(SERVICE, templates)
    monkeypatch.setenv("OVERLEG_DATABASE_URL", "postgresql://nobody@127.0.0.1:9/none")
    assert not migrations._settled_by_template(SERVICE, templates)


def test_a_database_settled_from_the_template_is_private_like_any_other(setup, tmp_path: Path):
    """The copy holds what the service will keep (residents' contact details): readable by its user
    only, whatever the umask, as shared.db creates every SQLite file (seen in CI: a unit test of the
    systemd units found a copied database readable by all)."""
    import os

    templates, database, children = setup
    migrations.upgrade_in_subprocess(SERVICE)  # builds the template
    database.unlink()
    folder = database.parent
    folder.rmdir()
    old = os.umask(0o022)
    try:
        migrations.upgrade_in_subprocess(SERVICE)  # copied here, no child
    finally:
        os.umask(old)
    assert len(children) == 1 and versions(database)
    assert database.stat().st_mode & 0o777 == 0o600 and folder.stat().st_mode & 0o777 == 0o700
