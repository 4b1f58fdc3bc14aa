"""Backup and restore as an operator runs them: ``overleg backup`` while things run, ``overleg
restore`` into a new data folder (and a new PostgreSQL database), and the bot comes back as the same
device with the same cross-signing identity, the council's data intact."""
from __future__ import annotations

import asyncio
import os
import secrets
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
import yaml

from devstack.procs import settings_free_env
from services.bot import store as bot_store
from services.bot.matrix import CryptoOptions, MatrixGateway
from shared.db import Database

pytestmark = pytest.mark.timeout(240)
VENV_BIN = Path(sys.executable).parent
PG = os.environ.get("OVERLEG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def overleg(*args: str, config: Path) -> subprocess.CompletedProcess[str]:
    env = settings_free_env()
    env["OVERLEG_CONFIG"] = str(config)
    return subprocess.run([str(VENV_BIN / "overleg"), *args], capture_output=True, text=True, env=env,
                          cwd=config.parent, timeout=180)


def write_config(path: Path, data_dir: Path, synapse, bot, **extra) -> Path:
    path.write_text(yaml.safe_dump({
        "data_dir": str(data_dir), "secret_key": secrets.token_hex(32),
        "matrix": {"homeserver_url": synapse.base_url, "user_id": bot.user_id, "password": bot.password,
                   "store_passphrase": "backup-test-passphrase"},
        "councils": [{"slug": "klantenraad", "name": "Klantenraad", "rooms": {"main": "!m:localhost"}}],
        **extra}))
    return path


async def bot_device(synapse, bot, data_dir: Path, device_id: str | None):
    """Log the bot in (as ``device_id`` when given), open its crypto store, ensure its identity."""
    gw = MatrixGateway(synapse.base_url, bot.user_id,
                       crypto=CryptoOptions(store_dir=data_dir / "bot-crypto", passphrase="backup-test-passphrase"))
    session = await gw.login(bot.password, "Overleg", device_id=device_id)
    await gw.use_token(session.access_token, session.device_id)
    identity = await gw.open_crypto()
    result = await gw.ensure_cross_signing(bot.password)
    await gw.close()
    return identity, result


def seed_council_data(config: Path, bot_device_id: str) -> None:
    """A topic in deliberation and the bot's own state, written as the processes would."""
    from services.deliberation.app import create_app
    from shared.settings import load_settings

    os.environ["OVERLEG_CONFIG"] = str(config)
    try:
        settings = load_settings(api_tokens={"admin": "admin-token-for-backup-test"})
    finally:
        del os.environ["OVERLEG_CONFIG"]
    app = create_app(settings)
    resp = app.test_client().post("/api/v1/councils/klantenraad/topics", json={"title": "Huurverhoging 2027"},
                                  headers={"Authorization": "Bearer admin-token-for-backup-test"})
    assert resp.status_code == 201, resp.get_json()
    app.extensions["overleg_db"].dispose()
    bot_db = Database(settings.database_url_for("bot"))
    with bot_db.session() as s:
        bot_store.set_state(s, "device_id", bot_device_id)
    bot_db.dispose()


def topic_titles(url: str) -> list[str]:
    from sqlalchemy import text

    db = Database(url)
    with db.read() as s:
        titles = [row[0] for row in s.execute(text("SELECT title FROM deliberation_topics"))]
    db.dispose()
    return titles


def test_backup_and_restore_on_sqlite_bring_back_the_same_device_and_data(synapse, matrix_user, tmp_path):
    bot = matrix_user("overleg")
    old, new = tmp_path / "old" / "data", tmp_path / "new" / "data"
    old.parent.mkdir()
    new.parent.mkdir()
    cfg_old = write_config(tmp_path / "old" / "overleg.yaml", old, synapse, bot)
    cfg_new = write_config(tmp_path / "new" / "overleg.yaml", new, synapse, bot)
    assert overleg("migrate", config=cfg_old).returncode == 0
    identity, first = asyncio.run(bot_device(synapse, bot, old, None))
    seed_council_data(cfg_old, identity.device_id)

    folder = tmp_path / "backup-1"
    out = overleg("backup", str(folder), config=cfg_old)
    assert out.returncode == 0, out.stderr
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert (folder / "bot-crypto" / "cross_signing_keys.json").exists()
    assert overleg("backup", str(folder), config=cfg_old).returncode == 1  # never into a used folder

    out = overleg("restore", str(folder), config=cfg_new)
    assert out.returncode == 0, out.stderr
    assert topic_titles(f"sqlite:///{new / 'deliberation.db'}") == ["Huurverhoging 2027"]
    bot_db = Database(f"sqlite:///{new / 'bot.db'}")
    with bot_db.read() as s:
        assert bot_store.get_state(s, "device_id") == identity.device_id
    bot_db.dispose()
    # The restored store is the same device: the homeserver's keys match it, and its identity is kept.
    again, result = asyncio.run(bot_device(synapse, bot, new, identity.device_id))
    assert (again.device_id, again.ed25519) == (identity.device_id, identity.ed25519)
    assert result.action == "keep" and result.master_key == first.master_key
    # Restoring over existing data is refused.
    refused = overleg("restore", str(folder), config=cfg_new)
    assert refused.returncode == 1 and "would overwrite" in refused.stderr


def test_backup_and_restore_on_postgresql_into_a_new_database(synapse, matrix_user, tmp_path):
    try:
        admin = psycopg.connect(PG, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.fail(f"PostgreSQL is needed for this test at {PG}")
    names = [f"overleg_backup_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    base = PG.rsplit("/", 1)[0]
    try:
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        bot = matrix_user("overleg")
        cfg_old = write_config(tmp_path / "old.yaml", tmp_path / "old", synapse, bot, database_url=f"{base}/{names[0]}")
        cfg_new = write_config(tmp_path / "new.yaml", tmp_path / "new", synapse, bot, database_url=f"{base}/{names[1]}")
        assert overleg("migrate", config=cfg_old).returncode == 0
        identity, _ = asyncio.run(bot_device(synapse, bot, tmp_path / "old", None))
        seed_council_data(cfg_old, identity.device_id)
        out = overleg("backup", str(tmp_path / "backup"), config=cfg_old)
        assert out.returncode == 0, out.stderr
        out = overleg("restore", str(tmp_path / "backup"), config=cfg_new)
        assert out.returncode == 0, out.stderr
        assert topic_titles(f"{base}/{names[1]}") == ["Huurverhoging 2027"]
        bot_db = Database(f"sqlite:///{tmp_path / 'new' / 'bot.db'}")  # the bot's own store, beside its keys
        with bot_db.read() as s:
            assert bot_store.get_state(s, "device_id") == identity.device_id
        bot_db.dispose()
        again, result = asyncio.run(bot_device(synapse, bot, tmp_path / "new", identity.device_id))
        assert again.ed25519 == identity.ed25519 and result.action == "keep"
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
