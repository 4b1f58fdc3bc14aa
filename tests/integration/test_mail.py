"""The mail queue against a real SMTP server (aiosmtpd on a free port): sent once with a stable Message-ID,
kept through a refusal for now and through the server being away, given up on a permanent refusal, and
forgotten a day after sending (e-mail addresses are personal data). Nothing is sent without a server set."""
from __future__ import annotations

import email
import email.policy
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select
from sqlalchemy.orm import DeclarativeBase

from devstack.procs import free_port
from shared.db import Database
from shared.mail import MailMessage, MailQueue, make_mail_model, message_id
from shared.settings import MailSettings

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=timezone.utc)


class Base(DeclarativeBase):
    pass


MODEL = make_mail_model(Base, "mailtest")


class Inbox:
    """An SMTP server's handler: keeps what it accepts; ``refuse`` answers the next DATA with that reply."""

    def __init__(self) -> None:
        self.received: list[email.message.EmailMessage] = []
        self.refuse: list[str] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address.startswith("onbekend@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return self.refuse.pop(0)
        self.received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/mail.db")
    Base.metadata.create_all(database.engine)
    yield database
    database.dispose()


def settings(port: int, **extra: Any) -> MailSettings:
    return MailSettings(smtp_host="127.0.0.1", smtp_port=port, security="none", from_address="raad@woonstad.nl",
                        from_name="Klantenraad Woonstad", reply_to="secretaris@woonstad.nl", **extra)


def message(key: str = "signals:decided:1", to: str = "bewoner@example.nl") -> MailMessage:
    return MailMessage(key=key, to=to, subject="Wat de raad besloot over je signaal",
                       text="De raad heeft besloten: de liften worden vaker gecontroleerd.",
                       html="<p>De raad heeft besloten: de liften worden vaker gecontroleerd.</p>")


def rows(db: Database) -> dict[str, str]:
    with db.read() as s:
        return {r.key: r.state for r in s.scalars(select(MODEL))}


def test_a_message_is_sent_once_with_a_stable_message_id(db: Database, smtp: tuple[Inbox, int]):
    inbox, port = smtp
    queue = MailQueue(db, MODEL, settings(port))
    with db.session() as s:
        assert queue.enqueue(s, message()) is True
        assert queue.enqueue(s, message()) is False  # the same key is the same mail
    assert queue.send_due(T0) == 1
    assert queue.send_due(T0 + timedelta(minutes=1)) == 0
    [got] = inbox.received
    assert got["To"] == "bewoner@example.nl" and got["Subject"] == "Wat de raad besloot over je signaal"
    assert got["From"] == "Klantenraad Woonstad <raad@woonstad.nl>" and got["Reply-To"] == "secretaris@woonstad.nl"
    assert got["Message-ID"] == message_id("signals:decided:1", queue.settings)
    assert got["Auto-Submitted"] == "auto-generated" and got["Content-Language"] == "nl"
    assert got.get_body(("plain",)).get_content().startswith("De raad heeft besloten")
    assert "<p>" in got.get_body(("html",)).get_content()


def test_a_passing_refusal_and_an_absent_server_are_tried_again(db: Database, smtp: tuple[Inbox, int]):
    inbox, port = smtp
    inbox.refuse = ["451 4.3.0 try again later"]
    queue = MailQueue(db, MODEL, settings(port))
    with db.session() as s:
        queue.enqueue(s, message())
    assert queue.send_due(T0) == 0 and rows(db) == {"signals:decided:1": "pending"}
    assert queue.send_due(T0 + timedelta(seconds=5)) == 0  # waits before trying again
    assert queue.send_due(T0 + timedelta(minutes=2)) == 1 and len(inbox.received) == 1

    away = MailQueue(db, MODEL, settings(free_port()))  # nobody listens there
    with db.session() as s:
        away.enqueue(s, message("signals:decided:2"))
    assert away.send_due(T0) == 0 and rows(db)["signals:decided:2"] == "pending"
    back = MailQueue(db, MODEL, settings(port))
    assert back.send_due(T0 + timedelta(minutes=2)) == 1 and len(inbox.received) == 2


def test_a_permanent_refusal_or_a_long_outage_gives_up(db: Database, smtp: tuple[Inbox, int]):
    inbox, port = smtp
    queue = MailQueue(db, MODEL, settings(port, give_up_after_hours=1))
    with db.session() as s:
        queue.enqueue(s, message("k:unknown", to="onbekend@example.nl"))
    assert queue.send_due(T0) == 0 and rows(db) == {"k:unknown": "failed"}

    away = MailQueue(db, MODEL, settings(free_port(), give_up_after_hours=1))
    with db.session() as s:
        away.enqueue(s, message("k:outage"))
        s.execute(MODEL.__table__.update().where(MODEL.key == "k:outage").values(created_at=T0))
    assert away.send_due(T0 + timedelta(minutes=30)) == 0 and rows(db)["k:outage"] == "pending"
    assert away.send_due(T0 + timedelta(hours=2)) == 0 and rows(db)["k:outage"] == "failed"
    assert inbox.received == []


def test_sent_mail_is_forgotten_after_a_day_and_nothing_goes_without_a_server(db: Database,
                                                                               smtp: tuple[Inbox, int]):
    inbox, port = smtp
    off = MailQueue(db, MODEL, MailSettings())
    assert off.enabled is False
    with db.session() as s:
        off.enqueue(s, message())
    assert off.send_due(T0) == 0 and rows(db) == {"signals:decided:1": "pending"}  # kept until configured
    queue = MailQueue(db, MODEL, settings(port))
    assert queue.send_due(T0) == 1
    assert queue.forget_sent(T0 + timedelta(hours=2)) == 0
    assert queue.forget_sent(datetime.now(timezone.utc) + timedelta(days=2)) == 1
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(MODEL)) == 0


def test_bad_addresses_never_reach_the_queue():
    for bad in ("geen-adres", "a@b", "a b@example.nl", "x@example.nl>\r\nBcc: y@example.nl"):
        with pytest.raises(ValueError):
            message(to=bad)
