"""What a command handler gets (the context) and gives back (replies)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shared.formatting import Rich
from shared.outbox import OutboundMessage
from shared.settings import CouncilConfig, Settings

if TYPE_CHECKING:
    from services.bot.app import Bot


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
    bot: "Bot"
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

    def service(self, name: str) -> Any:
        return self.bot.services[name]

    def t(self, code: str, **params: Any) -> str:
        from shared import i18n

        return i18n.t(code, self.lang, **params)
