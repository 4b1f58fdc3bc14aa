"""E-mail that is never lost and never sent twice: a queue in the service's own database, sent by a job.

:meth:`MailQueue.enqueue` runs inside the transaction of the change that caused the mail (a resident's
sign-up, the council's decision), so a change is not committed without its mail. The ``mail`` job
(one holder at a time, see :mod:`shared.jobs`) sends what is due over SMTP: a passing refusal (4xx,
the server away) is tried again later with a growing pause, a permanent one (5xx, a bad address) is
given up at once, and so is anything still refused after ``give_up_after_hours``. Each message carries
a stable ``Message-ID`` made from its key, so a retry after a send whose answer was lost is the same
message to the receiving side. E-mail addresses are personal data: a sent or given-up row is deleted
after a day.
"""
from __future__ import annotations

import hashlib
import logging
import smtplib
import ssl
import socket
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from shared.db import Database
from shared.jobs import Job
from shared.outbox import QueueStore, backoff_seconds, outbox_columns, utcnow
from shared.settings import MailSettings

log = logging.getLogger("overleg.mail")

SENT_RETENTION = timedelta(days=1)
_ADDRESS = r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,63}$"


class MailMessage(BaseModel):
    """One e-mail. ``key`` makes it unique: enqueueing the same key twice stores it once."""

    model_config = ConfigDict(extra="forbid")

    key: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9:_.\-/@!$+=]+$")
    to: str = Field(max_length=254, pattern=_ADDRESS)
    subject: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=100_000)
    html: str | None = Field(default=None, max_length=200_000)
    reply_to: str | None = Field(default=None, max_length=254, pattern=_ADDRESS)
    language: str = Field(default="nl", max_length=8)
    # A one-click unsubscribe link (RFC 8058): mail clients show "unsubscribe" and POST to it.
    unsubscribe_url: str | None = Field(default=None, max_length=500, pattern=r"^https?://[^\s<>]+$")


def make_mail_model(base: type, service: str) -> type:
    """The ``<service>_mail`` queue table, with the same columns as the outbox queues."""
    return type(f"{service.title()}Mail", (base,), {"__tablename__": f"{service}_mail", **outbox_columns()})


def message_id(key: str, settings: MailSettings) -> str:
    domain = settings.from_address.rsplit("@", 1)[-1] or "localhost"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def build_email(message: MailMessage, settings: MailSettings) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = formataddr((settings.from_name, settings.from_address))
    mail["To"] = message.to
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = message_id(message.key, settings)
    reply_to = message.reply_to or settings.reply_to
    if reply_to:
        mail["Reply-To"] = reply_to
    # No tracking: these are answers to what the resident asked for, and one click stops them.
    mail["Auto-Submitted"] = "auto-generated"
    if message.unsubscribe_url:
        mail["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        mail["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mail.set_content(message.text)
    if message.html:
        mail.add_alternative(message.html, subtype="html")
    mail["Content-Language"] = message.language  # after the body: setting it moves Content-* headers inward
    return mail


class PermanentFailure(Exception):
    """The server refused for good (5xx, a bad recipient): trying again would not help."""


class TemporaryFailure(Exception):
    """The server or the network refused for now (4xx, no connection, a time-out)."""


class SmtpSender:
    """Sends one message over SMTP, as the settings say (STARTTLS, implicit TLS, or plain on a local relay)."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    def send(self, mail: EmailMessage) -> None:
        s = self.settings
        if not s.smtp_host:
            raise TemporaryFailure("no smtp_host configured")
        try:
            if s.security == "tls":
                client: smtplib.SMTP = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.timeout,
                                                        context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.timeout)
            with client:
                client.ehlo()
                if s.security == "starttls":
                    client.starttls(context=ssl.create_default_context())
                    client.ehlo()
                if s.username:
                    client.login(s.username, s.password or "")
                refused = client.send_message(mail)
            if refused:  # some recipients refused: we send to one, so this is that one
                code, _ = next(iter(refused.values()))
                raise (PermanentFailure if code >= 500 else TemporaryFailure)(f"recipient refused: {code}")
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            code = _code_of(exc)
            raise (PermanentFailure if code >= 500 else TemporaryFailure)(f"{type(exc).__name__} {code}") from exc
        except smtplib.SMTPAuthenticationError as exc:
            # The operator's settings, not the message: keep it and say so loudly.
            log.error("the SMTP server refused the login (%s); check mail.username and mail.password", exc.smtp_code)
            raise TemporaryFailure(f"authentication refused {exc.smtp_code}") from exc
        except (smtplib.SMTPException, OSError, socket.timeout, ssl.SSLError) as exc:
            raise TemporaryFailure(type(exc).__name__) from exc


def _code_of(exc: Exception) -> int:
    code = getattr(exc, "smtp_code", None)
    if code is None and isinstance(exc, smtplib.SMTPRecipientsRefused):
        code = next(iter(exc.recipients.values()))[0] if exc.recipients else 550
    return int(code or 451)


class MailQueue:
    def __init__(self, db: Database, model: type, settings: MailSettings, *, sender: Any = None,
                 worker: str = "mail") -> None:
        self.db = db
        self.queue = QueueStore(model)
        self.settings = settings
        self.sender = sender or SmtpSender(settings)
        self.worker = worker

    @property
    def enabled(self) -> bool:
        return self.settings.enabled

    def enqueue(self, session: Session, message: MailMessage) -> bool:
        """Store the message once (by key), inside the caller's transaction. Returns False for a repeat."""
        return self.queue.enqueue(session, message)  # type: ignore[arg-type]  # any keyed model will do

    def send_due(self, now: datetime | None = None, limit: int = 20) -> int:
        """Send what is due; returns how many went out. Only the holder of the ``mail`` lease calls this."""
        if not self.enabled:
            return 0
        now = now or utcnow()
        with self.db.session() as s:
            claimed = [(row.id, row.attempts or 0, row.created_at, MailMessage.model_validate_json(row.payload))
                       for row in self.queue.claim_heads(s, self.worker, now, limit=limit)]
        sent = 0
        for row_id, attempts, created_at, message in claimed:
            try:
                self.sender.send(build_email(message, self.settings))
            except PermanentFailure as exc:
                log.warning("mail %s given up: %s", message.key, exc)
                with self.db.session() as s:
                    self.queue.mark_failed(s, row_id, str(exc), now)
                continue
            except TemporaryFailure as exc:
                age = now - (created_at if created_at.tzinfo else created_at.replace(tzinfo=now.tzinfo))
                with self.db.session() as s:
                    if age > timedelta(hours=self.settings.give_up_after_hours):
                        log.warning("mail %s given up after %s of refusals: %s", message.key, age, exc)
                        self.queue.mark_failed(s, row_id, str(exc), now)
                    else:
                        self.queue.mark_retry(s, row_id, str(exc), backoff_seconds(attempts + 1, 30.0, 3600.0), now)
                continue
            with self.db.session() as s:
                self.queue.mark_sent(s, row_id, None, now)
            sent += 1
        return sent

    def forget_sent(self, now: datetime | None = None) -> int:
        """Sent and given-up rows hold an e-mail address: they go after a day."""
        with self.db.session() as s:
            return self.queue.forget_sent_text(s, (now or utcnow()) - SENT_RETENTION, keep_rows=False)

    def jobs(self) -> list[Job]:
        return [Job("mail", self.send_due, interval=10.0), Job("mail_cleanup", self.forget_sent, interval=3600.0)]
