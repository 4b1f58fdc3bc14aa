"""Residents signing up for a bewonersavond: places, a waiting list, cancellation by link.

One sign-up is one place (a resident who brings someone signs up twice, with two addresses):
that keeps the waiting list strictly first come, first served. The list holds no contact
details: each sign-up carries an opaque ``token`` (for the cancellation link, unguessable, from
a random source the caller passes) and ``email_key``, a hash of the normalised address, so the
same address cannot sign up twice while the address itself is stored apart by the caller.

Every change returns a new ``SignupList`` plus who is affected, so the caller knows whom to
e-mail (confirmation, "a place came free", reminder). Pure: times are parameters.
"""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Callable

from shared.errors import Conflict, InvalidInput, NotFound

from .consultation import normalise_email

TOKEN_BYTES = 15               # 120 bits, 24 base32 characters
MAX_CAPACITY = 1000
REMINDER_BEFORE = timedelta(days=1)


class SeatState(StrEnum):
    CONFIRMED = "confirmed"
    WAITING = "waiting"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Registration:
    token: str                  # the cancellation link's secret; also the key to the stored contact
    email_key: str              # sha256 of the normalised address: compared, never shown
    signed_up: datetime
    state: SeatState
    moved_up: datetime | None = None      # when a place came free for someone on the waiting list
    cancelled: datetime | None = None
    reminded: datetime | None = None

    @property
    def active(self) -> bool:
        return self.state is not SeatState.CANCELLED


@dataclass(frozen=True)
class Counts:
    capacity: int
    confirmed: int
    waiting: int
    places_left: int


@dataclass(frozen=True)
class SignupList:
    """The sign-ups of one event (or one occurrence of a series)."""

    event_key: str
    capacity: int
    starts: datetime
    registrations: tuple[Registration, ...] = ()

    # -- reading
    @property
    def confirmed(self) -> tuple[Registration, ...]:
        return tuple(r for r in self.registrations if r.state is SeatState.CONFIRMED)

    @property
    def waiting(self) -> tuple[Registration, ...]:
        """The waiting list, first come first."""
        return tuple(sorted((r for r in self.registrations if r.state is SeatState.WAITING),
                            key=lambda r: (r.signed_up, r.token)))

    @property
    def places_left(self) -> int:
        return max(0, self.capacity - len(self.confirmed))

    def counts(self) -> Counts:
        return Counts(self.capacity, len(self.confirmed), len(self.waiting), self.places_left)

    def find(self, token: str) -> Registration:
        for r in self.registrations:
            if r.token == token:
                return r
        raise NotFound("signals.signup.unknown", "no such sign-up")

    def position(self, token: str) -> int | None:
        """1-based place on the waiting list, or None when not waiting."""
        for i, r in enumerate(self.waiting, start=1):
            if r.token == token:
                return i
        return None

    def open_for(self, now: datetime) -> bool:
        return _aware(now) < self.starts

    # -- changing
    def sign_up(self, email: str, token: str, now: datetime) -> tuple["SignupList", Registration]:
        """A new sign-up: a place when one is left, else the end of the waiting list. The same
        address (compared normalised) cannot sign up twice while its sign-up stands."""
        now = _aware(now)
        if not self.open_for(now):
            raise Conflict("signals.signup.closed", "event has begun")
        key = email_key(email)
        if any(r.active and r.email_key == key for r in self.registrations):
            raise Conflict("signals.signup.duplicate", "address already signed up")
        if any(r.token == token for r in self.registrations):
            raise Conflict("signals.signup.token_taken", "token reused")
        state = SeatState.CONFIRMED if self.places_left > 0 else SeatState.WAITING
        reg = Registration(token=token, email_key=key, signed_up=now, state=state)
        return replace(self, registrations=self.registrations + (reg,)), reg

    def cancel(self, token: str, now: datetime) -> tuple["SignupList", tuple[Registration, ...]]:
        """Cancel through the link. Returns the new list and the sign-ups that moved up from
        the waiting list (the caller e-mails them). Cancelling twice is harmless."""
        now = _aware(now)
        reg = self.find(token)
        if reg.state is SeatState.CANCELLED:
            return self, ()
        if not self.open_for(now):
            raise Conflict("signals.signup.closed", "event has begun")
        regs = tuple(replace(r, state=SeatState.CANCELLED, cancelled=now) if r.token == token else r
                     for r in self.registrations)
        return replace(self, registrations=regs)._fill(now)

    def with_capacity(self, capacity: int, now: datetime) -> tuple["SignupList", tuple[Registration, ...]]:
        """More (or fewer) places. More moves people up from the waiting list; fewer never
        takes a confirmed place away (the list is just full until enough cancel)."""
        _check_capacity(capacity)
        return replace(self, capacity=capacity)._fill(_aware(now))

    def _fill(self, now: datetime) -> tuple["SignupList", tuple[Registration, ...]]:
        moved = self.waiting[:self.places_left]
        if not moved:
            return self, ()
        tokens = {r.token for r in moved}
        regs = tuple(replace(r, state=SeatState.CONFIRMED, moved_up=now) if r.token in tokens else r
                     for r in self.registrations)
        new = replace(self, registrations=regs)
        return new, tuple(new.find(t) for t in (r.token for r in moved))

    def reminders_due(self, now: datetime, before: timedelta = REMINDER_BEFORE) -> tuple[Registration, ...]:
        """Confirmed sign-ups to remind now: within ``before`` of the start, not yet reminded."""
        now = _aware(now)
        if not self.starts - before <= now < self.starts:
            return ()
        return tuple(r for r in self.confirmed if r.reminded is None)

    def mark_reminded(self, tokens: set[str] | frozenset[str], now: datetime) -> "SignupList":
        now = _aware(now)
        return replace(self, registrations=tuple(
            replace(r, reminded=now) if r.token in tokens and r.reminded is None else r
            for r in self.registrations))

    def to_dict(self) -> dict[str, Any]:
        return {"event_key": self.event_key, "capacity": self.capacity, "starts": self.starts.isoformat(),
                **{k: v for k, v in self.counts().__dict__.items() if k != "capacity"}}


def new_signup_list(event_key: str, capacity: int, starts: datetime) -> SignupList:
    _check_capacity(capacity)
    return SignupList(event_key=event_key, capacity=capacity, starts=_aware(starts))


def new_token(random_bytes: Callable[[int], bytes]) -> str:
    """An unguessable cancellation token (120 bits) from ``random_bytes(n)``."""
    raw = random_bytes(TOKEN_BYTES)
    if len(raw) != TOKEN_BYTES:
        raise ValueError("random source returned the wrong number of bytes")
    return base64.b32encode(raw).decode("ascii").rstrip("=").lower()


def email_key(email: str) -> str:
    """What two sign-ups are compared by: a hash of the normalised address."""
    return hashlib.sha256(normalise_email(email).encode("utf-8")).hexdigest()


def places_message(lst: SignupList) -> tuple[str, dict[str, Any]]:
    """(code, params) for the feed and the chat: places left, or full with a waiting list."""
    c = lst.counts()
    if c.places_left:
        return "signals.signup.places_left", {"left": c.places_left, "capacity": c.capacity}
    return "signals.signup.full", {"capacity": c.capacity, "waiting": c.waiting}


def _check_capacity(capacity: int) -> None:
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput("signals.signup.capacity_invalid", "capacity out of range", max=MAX_CAPACITY)


def _aware(ts: datetime) -> datetime:
    if ts.tzinfo is None:
        raise InvalidInput("signals.timestamp_naive", "timestamps must carry a time zone")
    return ts


CATALOG: dict[str, dict[str, str]] = {
    "nl": {
        "signals.signup.unknown": "Deze aanmelding bestaat niet (meer).",
        "signals.signup.closed": "De bijeenkomst is al begonnen; aanmelden of afmelden kan niet meer.",
        "signals.signup.duplicate": "Dit e-mailadres is al aangemeld voor deze bijeenkomst.",
        "signals.signup.token_taken": "Er ging iets mis met de aanmelding. Probeer het nog eens.",
        "signals.signup.capacity_invalid": "Het aantal plaatsen moet tussen 1 en {max} liggen.",
        "signals.signup.places_left": "Nog {left} van {capacity} plaatsen vrij.",
        "signals.signup.full": "Vol: alle {capacity} plaatsen zijn bezet; {waiting} op de wachtlijst.",
        "signals.signup.confirmed_subject": "U bent aangemeld: {title}",
        "signals.signup.confirmed_body": "U bent aangemeld voor {title} op {when}, {place}.\nKunt u toch niet? Meld u af via deze link: {link}",
        "signals.signup.waiting_subject": "Wachtlijst: {title}",
        "signals.signup.waiting_body": "{title} op {when} is vol. U staat op plaats {position} van de wachtlijst; komt er een plek vrij, dan krijgt u bericht.\nAfmelden: {link}",
        "signals.signup.moved_up_subject": "Er is een plaats vrij: {title}",
        "signals.signup.moved_up_body": "Goed nieuws: er kwam een plaats vrij. U bent aangemeld voor {title} op {when}, {place}.\nKunt u toch niet? Meld u af via deze link: {link}",
        "signals.signup.reminder_subject": "Herinnering: {title}",
        "signals.signup.reminder_body": "Tot ziens bij {title} op {when}, {place}.\nKunt u toch niet? Meld u af via deze link, dan krijgt iemand anders uw plaats: {link}",
        "signals.signup.cancelled": "U bent afgemeld. Bedankt voor het doorgeven.",
        "signals.signup.secretary_counts": "{title}: {confirmed} aangemeld, {waiting} op de wachtlijst, nog {left} van {capacity} plaatsen vrij.",
    },
    "en": {
        "signals.signup.unknown": "This sign-up does not exist (any more).",
        "signals.signup.closed": "The meeting has already begun; signing up or cancelling is no longer possible.",
        "signals.signup.duplicate": "This e-mail address has already signed up for this meeting.",
        "signals.signup.token_taken": "Something went wrong with the sign-up. Please try again.",
        "signals.signup.capacity_invalid": "The number of places must be between 1 and {max}.",
        "signals.signup.places_left": "{left} of {capacity} places left.",
        "signals.signup.full": "Full: all {capacity} places are taken; {waiting} on the waiting list.",
        "signals.signup.confirmed_subject": "You have signed up: {title}",
        "signals.signup.confirmed_body": "You have signed up for {title} on {when}, {place}.\nCan't make it after all? Cancel through this link: {link}",
        "signals.signup.waiting_subject": "Waiting list: {title}",
        "signals.signup.waiting_body": "{title} on {when} is full. You are number {position} on the waiting list; you'll hear when a place comes free.\nCancel: {link}",
        "signals.signup.moved_up_subject": "A place came free: {title}",
        "signals.signup.moved_up_body": "Good news: a place came free. You are signed up for {title} on {when}, {place}.\nCan't make it after all? Cancel through this link: {link}",
        "signals.signup.reminder_subject": "Reminder: {title}",
        "signals.signup.reminder_body": "See you at {title} on {when}, {place}.\nCan't make it after all? Cancel through this link so someone else gets your place: {link}",
        "signals.signup.cancelled": "Your sign-up is cancelled. Thank you for letting us know.",
        "signals.signup.secretary_counts": "{title}: {confirmed} signed up, {waiting} on the waiting list, {left} of {capacity} places left.",
    },
}
