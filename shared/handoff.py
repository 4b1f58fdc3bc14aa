"""A service's side of the outbox: messages wait in the service's own database until the bot
has stored them.

:meth:`Handoff.enqueue` runs inside the transaction of the change that caused the message, so a
change is never committed without its message, nor a message without its change. The ``handoff``
job (see :mod:`shared.jobs`) hands pending messages to the bot in order and in batches, and marks
them handed over once the bot has stored them. While the bot is down they simply wait.
"""
from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy.orm import Session

from shared.db import Database
from shared.http import ServiceClient
from shared.jobs import Job
from shared.outbox import OutboundMessage, QueueStore, outbox_columns, utcnow
from shared.settings import Settings

log = logging.getLogger("overleg.handoff")
HANDED_OVER_RETENTION = timedelta(days=1)


def make_handoff_model(base: type, service: str) -> type:
    return type(f"{service.title()}Handoff", (base,), {"__tablename__": f"{service}_handoff", **outbox_columns()})


class Handoff:
    def __init__(self, db: Database, model: type, settings: Settings, service: str, *, batch: int = 50) -> None:
        self.db = db
        self.queue = QueueStore(model)
        self.batch = batch
        self.client = ServiceClient("bot", settings.service_urls["bot"], settings.token_for(service), timeout=10.0,
                                    retries=0)

    def enqueue(self, session: Session, message: OutboundMessage) -> bool:
        return self.queue.enqueue(session, message)

    def forward_once(self) -> int:
        """Forward one batch, oldest first; returns how many the bot stored. Only the holder of the
        ``handoff`` lease calls this, so batches go out one after the other and order holds."""
        with self.db.session() as s:
            rows = self.queue.pending(s, limit=self.batch)
            batch = [(row.id, QueueStore.message(row)) for row in rows]
        if not batch:
            return 0
        # The bot stores by key, so a batch sent twice (we died before marking it) is harmless.
        self.client.post("/api/v1/outbox", json={"messages": [m.model_dump(mode="json", exclude_defaults=True)
                                                               for _, m in batch]})
        with self.db.session() as s:
            for row_id, _ in batch:
                self.queue.mark_sent(s, row_id, None, utcnow())
        return len(batch)

    def forget_handed_over(self, retention: timedelta = HANDED_OVER_RETENTION) -> int:
        """Rows the bot has stored are only needed for a retry that can no longer come."""
        with self.db.session() as s:
            return self.queue.forget_sent_text(s, utcnow() - retention, keep_rows=False)

    def job(self) -> Job:
        return Job("handoff", self.forward_once, interval=1.0)

    def cleanup_job(self) -> Job:
        # Returns 0 so the runner waits its (long) interval between runs.
        return Job("handoff-cleanup", lambda: self.forget_handed_over() and 0, interval=3600.0)
