"""Applications and selection on the werkplek.

The selection committee (people from outside, each signed in by a link of their own) gives its advice per
application: invite for an interview, appoint, or not appoint, with a short note. Each committee member has one
advice per application; a later one from the same person replaces theirs. The secretary reads the advice and
decides; the decision goes to deliberation's ``POST /applications/<nr>/status`` as ``!selectie`` sends it, and
deliberation (which owns the applications and the roster) checks it again and invites an appointed member.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Mapping

from services.werkplek.domain.access import Role
from shared.errors import InvalidInput

ADVICE = ("gesprek", "benoemen", "niet_benoemen")
# The page's decision → deliberation's ApplicationStatusIn.status.
DECISIONS = ("gesprek", "benoemd", "niet_benoemd")
MAX_NOTE = 500  # advice: a few words
MAX_DECISION_NOTE = 1000  # as deliberation's ApplicationStatusIn.note
MAX_LABEL = 120
_MATRIX_ID = re.compile(r"^@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-]+(?::[0-9]{1,5})?$")


def may_advise(role: Role | None) -> bool:
    """Only the committee advises: the secretary decides, and should not weigh in on their own decision."""
    return role is Role.COMMITTEE


def may_decide(role: Role | None) -> bool:
    return role is Role.SECRETARY


@dataclass(frozen=True)
class SelectionAdvice:
    application_id: int
    author: str  # the session's subject ("committee:<link hash>"): one advice per person per application
    author_label: str  # the name the secretary gave the committee member's link
    advice: str  # one of ADVICE
    note: str | None
    given_at: datetime


def _clean(text: str | None, limit: int, code: str) -> str | None:
    value = " ".join((text or "").split())
    if len(value) > limit:
        raise InvalidInput(code, f"longer than {limit}", max=limit)
    return value or None


def new_advice(application_id: int, author: str, author_label: str, advice: str, note: str | None,
               now: datetime) -> SelectionAdvice:
    """A committee member's advice, checked: a known choice, a short note (may be empty)."""
    advice = (advice or "").strip()
    if advice not in ADVICE:
        raise InvalidInput("werkplek.selectie.advice_required", f"advice {advice[:20]!r}")
    if application_id < 1:
        raise InvalidInput("werkplek.selectie.unknown", f"application {application_id}", nr=application_id)
    label = " ".join((author_label or "").split())[:MAX_LABEL] or author[:MAX_LABEL]
    return SelectionAdvice(application_id, author, label, advice,
                           _clean(note, MAX_NOTE, "werkplek.selectie.note_too_long"), now)


def by_application(advices: Iterable[SelectionAdvice]) -> dict[int, list[SelectionAdvice]]:
    """Each application's advice, one per person (their latest), newest first."""
    latest: dict[tuple[int, str], SelectionAdvice] = {}
    for a in advices:
        key = (a.application_id, a.author)
        if key not in latest or a.given_at >= latest[key].given_at:
            latest[key] = a
    out: dict[int, list[SelectionAdvice]] = {}
    for a in sorted(latest.values(), key=lambda x: x.given_at, reverse=True):
        out.setdefault(a.application_id, []).append(a)
    return out


def decision_request(form: Mapping[str, str], actor: str, application: Mapping[str, Any]) -> dict[str, Any]:
    """The body of deliberation's status route for the secretary's decision on the page, refusing before the
    call what would be refused anyway: an unknown status, a seat that is not a number, an appointment without
    a Matrix address to invite."""
    status = (form.get("status") or "").strip()
    if status not in DECISIONS:
        raise InvalidInput("werkplek.selectie.status_required", f"status {status[:20]!r}")
    body: dict[str, Any] = {"actor": actor, "status": status}
    if status == "benoemd":
        seat = (form.get("seat") or "").strip().lstrip("#")
        if seat:
            if not seat.isdigit() or len(seat) > 9 or int(seat) < 1:
                raise InvalidInput("werkplek.selectie.seat", f"seat {seat[:10]!r}")
            body["seat_id"] = int(seat)
        matrix_id = (form.get("matrix_id") or "").strip()
        if matrix_id:
            if len(matrix_id) > 255 or not _MATRIX_ID.match(matrix_id):
                raise InvalidInput("werkplek.selectie.matrix_id", "not a matrix id")
            body["matrix_id"] = matrix_id
        elif not application.get("matrix_id"):
            raise InvalidInput("werkplek.selectie.matrix_id_required", "appointment without matrix id",
                               nr=application.get("id", ""))
    note = _clean(form.get("note"), MAX_DECISION_NOTE, "werkplek.selectie.note_too_long")
    if note:
        body["note"] = note
    return body


CATALOG = {
    "nl": {
        "werkplek.selectie.advice_required": "Kies je advies: uitnodigen voor een gesprek, benoemen of niet "
                                             "benoemen.",
        "werkplek.selectie.note_too_long": "De toelichting is te lang (hoogstens {max} tekens).",
        "werkplek.selectie.unknown": "Ik ken geen aanmelding {nr}.",
        "werkplek.selectie.status_required": "Kies het besluit: gesprek, benoemd of niet benoemd.",
        "werkplek.selectie.seat": "Het zetelnummer moet een getal zijn (of laat het leeg voor de eerste vrije "
                                  "zetel).",
        "werkplek.selectie.matrix_id": "Dat is geen Matrix-adres. Het ziet eruit als @naam:server.nl.",
        "werkplek.selectie.matrix_id_required": "Om aanmelding {nr} te benoemen is een Matrix-adres nodig "
                                                "(@naam:server.nl): daar stuurt de bot de uitnodiging heen.",
        "werkplek.selectie.not_allowed": "De werkplek kan dit besluit nu niet vastleggen. Doe het in de chat met "
                                         "!selectie, of vraag de beheerder het na te kijken.",
    },
    "en": {
        "werkplek.selectie.advice_required": "Choose your advice: invite for an interview, appoint or not appoint.",
        "werkplek.selectie.note_too_long": "The note is too long (at most {max} characters).",
        "werkplek.selectie.unknown": "I don't know an application {nr}.",
        "werkplek.selectie.status_required": "Choose the decision: interview, appointed or not appointed.",
        "werkplek.selectie.seat": "The seat number must be a number (or leave it empty for the first vacant seat).",
        "werkplek.selectie.matrix_id": "That is not a Matrix address. It looks like @name:server.org.",
        "werkplek.selectie.matrix_id_required": "To appoint application {nr}, a Matrix address is needed "
                                                "(@name:server.org): the bot sends the invitation there.",
        "werkplek.selectie.not_allowed": "The workplace cannot record this decision now. Record it in the chat "
                                         "with !selectie, or ask the operator to look into it.",
    },
}
