"""``overleg backup <folder>`` and ``overleg restore <folder>``: everything Overleg keeps, in one folder.

What a backup holds, in the order it is taken:
1. the databases: with SQLite each service's file through SQLite's online backup API (a consistent
   copy while the services run); with PostgreSQL one ``pg_dump`` in custom format of the whole
   database (all services' tables) and the bot's own SQLite store the same way;
2. the bot's crypto store (``matrix.store_dir``, default ``<data_dir>/bot-crypto``): its SQLite
   files through the same backup API, and the cross-signing keys and pins as files. It belongs to
   one device: restore it only together with the bot's database of the same backup;
3. ``manifest.json``: when, from which database, which files.

Restore puts each part back where the configuration of the restoring machine says (a new
``data_dir``, a new database), refusing to overwrite anything that exists. Stop the bot (and the
services) first; the bot comes back as the same device, with the same identity.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime, timezone
from pathlib import Path

from shared.settings import SERVICES, Settings

PARTS = (*SERVICES, "bot")
MANIFEST = "manifest.json"


class BackupError(RuntimeError):
    """Said to the operator in one line."""


def _sqlite_copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # private from the first byte
    os.close(fd)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _crypto_dir(settings: Settings) -> Path:
    return Path(settings.matrix.store_dir or Path(settings.data_dir) / "bot-crypto")


def _pg_url(settings: Settings) -> str:
    assert settings.database_url
    return settings.database_url.replace("postgresql+psycopg://", "postgresql://", 1)


def backup(settings: Settings, folder: Path) -> dict[str, object]:
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: choose a new folder for each backup")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)  # residents' contact details and the bot's keys are in it
    files: list[str] = []
    if settings.database_url:
        dump = folder / "database.pgdump"
        done = subprocess.run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", _pg_url(settings)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip().splitlines()[-1] if done.stderr else done.returncode}")
        os.chmod(dump, 0o600)
        files.append(dump.name)
    for part in PARTS:  # every part kept in SQLite: all of them, or with PostgreSQL the bot's own state
        url = settings.database_url_for(part)
        if not url.startswith("sqlite:///"):
            continue
        source = Path(url.removeprefix("sqlite:///"))
        if source.exists():
            _sqlite_copy(source, folder / "databases" / source.name)
            files.append(f"databases/{source.name}")
    crypto = _crypto_dir(settings)
    if crypto.exists():
        for item in sorted(crypto.iterdir()):
            target = folder / "bot-crypto" / item.name
            if item.suffix == ".db":
                _sqlite_copy(item, target)
            elif item.is_file() and not item.name.endswith(("-wal", "-shm", ".tmp")):
                target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                shutil.copy2(item, target)
                os.chmod(target, 0o600)
            else:
                continue
            files.append(f"bot-crypto/{item.name}")
    manifest = {"taken_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "database": "postgresql" if settings.database_url else "sqlite", "files": files}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return manifest


def restore(settings: Settings, folder: Path) -> dict[str, object]:
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise BackupError(f"{folder} holds no Overleg backup ({MANIFEST} is missing)")
    manifest = json.loads(manifest_path.read_text())
    kind = "postgresql" if settings.database_url else "sqlite"
    if manifest["database"] != kind:
        raise BackupError(f"the backup holds a {manifest['database']} database, this configuration uses {kind}")
    data_dir = Path(settings.data_dir)
    crypto = _crypto_dir(settings)
    targets: list[tuple[Path, Path]] = []
    for name in manifest["files"]:
        source = folder / name
        if name.startswith("databases/"):
            targets.append((source, data_dir / Path(name).name))
        elif name.startswith("bot-crypto/"):
            targets.append((source, crypto / Path(name).name))
    existing = [str(t) for _, t in targets if t.exists()]
    if existing:
        raise BackupError(f"restore would overwrite {existing[0]}: restore into a new data folder, or move it away")
    if kind == "postgresql":
        done = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_pg_url(settings)}",
                               str(folder / "database.pgdump")], capture_output=True, text=True)
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed (restore into an empty database): "
                              f"{done.stderr.strip().splitlines()[-1] if done.stderr else done.returncode}")
    for source, target in targets:
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(target.parent, 0o700)
        if source.suffix == ".db":
            _sqlite_copy(source, target)
        else:
            shutil.copy2(source, target)
            os.chmod(target, 0o600)
    return manifest
