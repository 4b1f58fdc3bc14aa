"""``python -m services.bot.migrate bot``: the bot's own store to head, in a short-lived child process
(the bot never loads Alembic), and a state it kept in the services' PostgreSQL database before moved
into it once (see ``store.take_over_previous_store``)."""
from __future__ import annotations

import sys

from services.bot.store import take_over_previous_store
from shared.db import Database, wait_for_database
from shared.migrations import migrate_service
from shared.settings import load_settings_or_exit


def main() -> int:
    settings = load_settings_or_exit()
    db = Database(settings.database_url_for("bot"))
    try:
        wait_for_database(db)
        migrate_service(db, "bot")
        moved = take_over_previous_store(settings.database_url, db)
        if moved:
            print(f"bot: {moved} rows of its state moved from the shared database into {db.url}", file=sys.stderr)
    finally:
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
