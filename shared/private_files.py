"""Files that hold residents' contact details and the bot's access token: private from the first byte.

Used by ``shared.db`` for every SQLite database and by the migration templates' copy in
``shared.migrations`` (a test run's services start from a copy of the migrated template)."""
from __future__ import annotations

import contextlib
import os
from pathlib import Path


def private_sqlite_file(path: Path) -> None:
    """Create a SQLite file (and its folder) readable by this user only, whatever the umask. SQLite
    gives its -wal and -shm files the same permissions as the database file. An existing file or
    folder is left as it is."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.parent.chmod(0o700)  # mkdir's mode is filtered by the umask
    if not path.exists():
        with contextlib.suppress(FileExistsError):
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            path.chmod(0o600)
