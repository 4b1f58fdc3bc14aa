"""Residents hear back by e-mail, through a real SMTP server (aiosmtpd) and the real deliberation service: on the
agenda and decided, each in their own language, with their status link and a one-click way out; a relay that is
down loses nothing and sends nothing twice."""
from __future__ import annotations

import email
import email.policy
import re
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

import pytest
from aiosmtpd.controller import Controller

from devstack.procs import free_port
from services.signals import actions
from services.signals.app import create_app, migrate
from services.signals.config import SignalsConfig
from services.signals.models import MAIL_MODEL
from shared.db import Database
from shared.mail import MailQueue
from shared.settings import MailSettings
from test_signals_api import (  # noqa: F401 - the fixture is used by name
    ANNA, BRAM, CEES, LEAK_1, LEAK_2, SEC, T0, Service, delib, delib_get, delib_post,
)


class Inbox:
    def __init__(self) -> None:
        self.received: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    box, port = Inbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture
def svc(database_url: str, delib: dict[str, Any], inbox: tuple[Inbox, int]) -> Iterator[Service]:
    settings = delib["settings"].model_copy(update={"mail": MailSettings(
        smtp_host="127.0.0.1", smtp_port=inbox[1], security="none", from_address="raad@woonstad.nl")})
    db = Database(database_url)
    migrate(db)
    app = create_app(settings, database=db, config=SignalsConfig(card_quiet=0.0))
    service = Service(app, db, settings, delib)
    yield service
    db.dispose()


def mailer(svc: Service, port: int | None = None) -> MailQueue:
    settings = svc.settings.mail if port is None else svc.settings.mail.model_copy(update={"smtp_port": port})
    return MailQueue(svc.db, MAIL_MODEL, settings)


def text_of(mail: email.message.EmailMessage) -> str:
    return mail.get_body(("plain",)).get_content()


def decide(delib: dict[str, Any], topic_id: int, text: str) -> None:
    opened = delib_post(delib, "/rounds", {"topic_id": topic_id, "actor": ANNA, "proposal": text})
    assert opened.status_code == 201, opened.json
    rid = opened.json["id"]
    for who in (ANNA, BRAM, CEES):
        assert delib_post(delib, f"/rounds/{rid}/positions", {"actor": who, "position": "eens"}).status_code == 200
    while delib_get(delib, f"/rounds/{rid}").json["phase"] != "besluitvorming":
        assert delib_post(delib, f"/rounds/{rid}/phase", {"actor": SEC}).status_code == 200
    assert delib_post(delib, f"/rounds/{rid}/decide", {"actor": ANNA}).json["state"] == "akkoord"


def test_residents_hear_of_every_status_change_in_their_language_and_can_stop_it(
        svc: Service, delib: dict[str, Any], inbox: tuple[Inbox, int]):
    box, _ = inbox
    jan = svc.send(LEAK_1, at=T0, contact={"name": "Jan", "email": "jan@example.nl", "consent": True})
    fatima = svc.send(LEAK_2, at=T0 + timedelta(days=1),
                      contact={"email": "fatima@example.com", "consent": True, "language": "en"})
    assert jan["signal"]["cluster_id"] == fatima["signal"]["cluster_id"]  # one group: both follow its status
    cid = jan["signal"]["cluster_id"]
    assert mailer(svc).send_due() == 0  # nothing changed yet

    topic_id = svc.bot.post(f"/clusters/{cid}/agenda", {"actor": ANNA}).json["cluster"]["topic_id"]
    assert mailer(svc).send_due() == 2
    by_to = {m["To"]: m for m in box.received}
    dutch, english = by_to["jan@example.nl"], by_to["fatima@example.com"]
    assert dutch["Subject"] == "Je signaal aan Klantenraad Test: op de agenda"
    assert english["Subject"] == "Your signal to Klantenraad Test: on the agenda"
    assert text_of(dutch).startswith("Beste Jan,") and "Op de agenda." in text_of(dutch)
    assert f"https://signalen.example.nl/signaal/{jan['reference']}" in text_of(dutch)
    assert text_of(english).startswith("Hello,") and fatima["reference"] in text_of(english)
    stop = re.search(r"<(https://signalen\.example\.nl/signaal/afmelden/[^>]+)>", english["List-Unsubscribe"])
    assert stop and english["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert stop.group(1) in text_of(english)

    # Fatima stops the e-mails with one click, as a mail client does it (RFC 8058).
    path = stop.group(1).removeprefix("https://signalen.example.nl")
    page = svc.client.get(path + "?lang=en")
    assert page.status_code == 200 and "Stop the e-mails" in page.get_data(as_text=True)  # a GET changes nothing
    clicked = svc.client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert clicked.status_code == 200
    assert svc.client.post(path[:-3] + "abc").status_code == 404  # a forged token

    decide(delib, topic_id, "We vragen de corporatie het dak van de Tarwehof te repareren.")
    assert actions.poll_decisions(svc.rt, svc.cfg, svc.settings, datetime.now(timezone.utc)) == 1
    assert mailer(svc).send_due() == 1
    decided = box.received[-1]
    assert decided["To"] == "jan@example.nl" and decided["Subject"].endswith("de raad heeft besloten")
    assert "> We vragen de corporatie het dak van de Tarwehof te repareren." in text_of(decided)
    assert len(box.received) == 3  # nothing for Fatima after she stopped it


def test_a_relay_that_is_down_loses_nothing_and_sends_nothing_twice(svc: Service, inbox: tuple[Inbox, int]):
    box, _ = inbox
    jan = svc.send(LEAK_1, at=T0, contact={"email": "jan@example.nl", "consent": True})
    svc.bot.post(f"/clusters/{jan['signal']['cluster_id']}/agenda", {"actor": ANNA})
    down = mailer(svc, port=free_port())  # the relay does not answer
    assert down.send_due() == 0 and box.received == []
    later = datetime.now(timezone.utc) + timedelta(minutes=5)
    assert mailer(svc).send_due(later) == 1
    assert mailer(svc).send_due(later + timedelta(minutes=5)) == 0  # sent once, however often the job runs
    assert len(box.received) == 1
    # The same status change again (a retried job) queues nothing new.
    with svc.db.session() as s:
        council = svc.settings.councils[0]
        assert actions.mail_residents(s, svc.settings, council, _cluster_row_id(svc, jan), "op_agenda") == 0


def _cluster_row_id(svc: Service, receipt: dict[str, Any]) -> int:
    return actions.cluster_id_of(svc.rt, svc.settings.councils[0].slug, receipt["signal"]["cluster_id"])
