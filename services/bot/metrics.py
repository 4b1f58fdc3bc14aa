"""The bot's Prometheus metrics (served by the intake's ``/metrics``)."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge

from services.bot import store
from shared.db import Database


class BotMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.commands = Counter("overleg_bot_commands_total", "Commands handled", ["command", "outcome"],
                                registry=self.registry)
        self.sent = Counter("overleg_bot_messages_sent_total", "Messages sent to the homeserver", registry=self.registry)
        self.failed = Counter("overleg_bot_messages_failed_total", "Messages refused for good", registry=self.registry)
        self.rate_limited = Counter("overleg_bot_rate_limited_total", "429 answers honoured", registry=self.registry)
        self.sync_errors = Counter("overleg_bot_sync_errors_total", "Failed syncs", registry=self.registry)
        self.outbox = Gauge("overleg_bot_outbox_messages", "Outbox messages by state", ["state"], registry=self.registry)
        self.undecryptable = Gauge("overleg_bot_undecryptable_events",
                                   "Encrypted events kept until their room key arrives", registry=self.registry)

    def refresh(self, db: Database) -> None:
        with db.read() as s:
            counts = store.OUTBOX.counts(s)
            waiting = store.pending_count(s)
        for state in ("pending", "sent", "failed"):
            self.outbox.labels(state).set(counts.get(state, 0))
        self.undecryptable.set(waiting)
