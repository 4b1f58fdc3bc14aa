"""What a command handler gets (the context) and gives back (replies).

Handlers see the running bot only through :class:`Services`: the service clients, the outbox, the bot's
own store, the command table, the settings and the clock. They never get the ``Bot`` itself, so this
module (and every feature) imports nothing of ``app.py``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol

from shared import i18n
from shared.db import Database
from shared.formatting import Rich
from shared.outbox import OutboundMessage
from shared.settings import CouncilConfig, Settings

if TYPE_CHECKING:
    from services.bot.commands import CommandTable
    from services.bot.matrix import IncomingReaction
    from shared.http import AsyncServiceClient


class Outbox(Protocol):
    """Where a handler puts a message that is not its reply (a redaction, a post elsewhere)."""

    def accept(self, messages: list[OutboundMessage], *, dm_allowed: set[str] | None = None) -> tuple[int, int]: ...


@dataclass(frozen=True)
class Services:
    """Everything of the running bot a handler may use. The bot builds a new one when its settings change."""

    clients: Mapping[str, "AsyncServiceClient"]  # by service name: deliberation, calendar, signals
    outbox: Outbox
    store: Database  # the bot's own database (services/bot/store.py works on its sessions)
    commands: "CommandTable"
    settings: Settings
    clock: Callable[[], datetime]  # aware, UTC

    def client(self, name: str) -> "AsyncServiceClient":
        return self.clients[name]


@dataclass
class Reply:
    """A message the handler wants sent. By default it is a threaded reply to the command."""

    body: str
    html: str | None = None
    new_thread_key: str | None = None  # post as a new thread root with this key (e.g. a round's proposal)
    in_thread_key: str | None = None  # post into the thread whose root has this key
    dm_to: str | None = None  # a direct message instead of the room
    mentions: list[str] = field(default_factory=list)
    key_suffix: str | None = None

    @classmethod
    def rich(cls, rich: Rich, **kw: Any) -> "Reply":
        return cls(body=rich.body, html=rich.html, **kw)


@dataclass
class CommandContext:
    services: Services
    settings: Settings
    council: CouncilConfig
    room_id: str
    room_role: str  # main / signals / theme:<id>
    event_id: str
    sender: str
    thread_root: str | None  # event id of the thread the command was sent in
    thread_key: str | None  # the outbox key of that thread's root, when the bot posted it
    lang: str
    ts: int

    @property
    def is_secretary(self) -> bool:
        return self.sender in self.council.secretaries

    def service(self, name: str) -> "AsyncServiceClient":
        return self.services.client(name)

    def now(self) -> datetime:
        return self.services.clock()

    def t(self, code: str, **params: Any) -> str:
        return i18n.t(code, self.lang, **params)


@dataclass
class ReactionContext:
    """What a reaction handler gets: a member reacted to a message the bot posted with outbox key ``key``."""

    services: Services
    council: CouncilConfig
    reaction: "IncomingReaction"
    key: str

    def service(self, name: str) -> "AsyncServiceClient":
        return self.services.client(name)
