"""Who may enter the werkplek, and how: no new password.

- A member or the secretary types ``!werkplek``; the bot sends them a one-time sign-in link in a direct
  message: 128 random bits or more, only its hash stored, valid 10 minutes, used once.
- In the council's room the werkplek runs as a widget: Element hands it a Matrix OpenID token, which the
  homeserver confirms (``/_matrix/federation/v1/openid/userinfo``); the user it names signs in.
- The selection committee are people from outside: the secretary gives each a link of their own that
  expires (at most 90 days) and can be revoked.

A session ends after 30 minutes without use, after 12 hours in any case, and at sign-out. Which pages a
role sees and what it may change is :data:`PAGES`. Tokens come from the caller's random source (the edges
pass ``secrets.token_bytes``), so this module stays pure and testable.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum
from typing import Callable, Iterable

from shared.errors import Forbidden, InvalidInput, NotFound

TOKEN_BYTES = 24  # 192 bits: above the 128 the issue asks for, and a URL of 32 characters
LINK_TTL = timedelta(minutes=10)
IDLE_TIMEOUT = timedelta(minutes=30)
SESSION_MAX = timedelta(hours=12)
COMMITTEE_MAX = timedelta(days=90)


class Role(str, Enum):
    SECRETARY = "secretaris"
    MEMBER = "lid"
    COMMITTEE = "selectiecommissie"


class Access(str, Enum):
    NONE = "none"
    READ = "read"
    EDIT = "edit"


# Page → what each role may do there. Anything not listed is refused.
PAGES: dict[str, dict[Role, Access]] = {
    "overzicht": {Role.SECRETARY: Access.READ, Role.MEMBER: Access.READ},
    "adviezen": {Role.SECRETARY: Access.EDIT, Role.MEMBER: Access.READ},
    "besluiten": {Role.SECRETARY: Access.READ, Role.MEMBER: Access.READ},
    "aanmeldingen": {Role.SECRETARY: Access.EDIT, Role.COMMITTEE: Access.EDIT},
    "leden": {Role.SECRETARY: Access.EDIT, Role.MEMBER: Access.READ},
    # Counts only, no names: the selection committee weighs candidates against the gaps.
    "samenstelling": {Role.SECRETARY: Access.READ, Role.MEMBER: Access.READ, Role.COMMITTEE: Access.READ},
    "agenda": {Role.SECRETARY: Access.READ, Role.MEMBER: Access.READ},
    "inzet": {Role.SECRETARY: Access.EDIT, Role.MEMBER: Access.READ},
    "doelen": {Role.SECRETARY: Access.EDIT, Role.MEMBER: Access.READ},
    "raadplegingen": {Role.SECRETARY: Access.EDIT, Role.MEMBER: Access.READ},
}


def access(role: Role | None, page: str) -> Access:
    if role is None:
        return Access.NONE
    return PAGES.get(page, {}).get(role, Access.NONE)


def require(role: Role | None, page: str, wanted: Access = Access.READ) -> None:
    have = access(role, page)
    if have is Access.NONE or (wanted is Access.EDIT and have is not Access.EDIT):
        raise Forbidden("werkplek.access.refused", f"role {role.value if role else None} on {page} ({wanted.value})",
                        page=page)


def role_of(matrix_id: str, *, members: Iterable[str], secretaries: Iterable[str]) -> Role | None:
    """The role of a Matrix user in one council: the roster decides (today's members and secretaries)."""
    if matrix_id in set(secretaries):
        return Role.SECRETARY
    if matrix_id in set(members):
        return Role.MEMBER
    return None


# --------------------------------------------------------------------------- tokens


def new_token(random_bytes: Callable[[int], bytes]) -> str:
    raw = random_bytes(TOKEN_BYTES)
    if len(raw) < 16:
        raise ValueError("a sign-in token needs at least 128 random bits")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def token_hash(token: str, secret: str) -> str:
    """Keyed with the deployment's secret: a copied database alone does not let anyone check guesses."""
    return hmac.new(secret.encode(), f"werkplek:{token}".encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class SignInLink:
    """A one-time link for a member or the secretary (from ``!werkplek``)."""

    token_hash: str
    council: str
    matrix_id: str
    created_at: datetime
    used_at: datetime | None = None

    @property
    def expires_at(self) -> datetime:
        return self.created_at + LINK_TTL


def new_sign_in_link(council: str, matrix_id: str, now: datetime, secret: str,
                     random_bytes: Callable[[int], bytes]) -> tuple[str, SignInLink]:
    """The token to put in the URL (sent once, in a DM) and what is stored (its hash only)."""
    token = new_token(random_bytes)
    return token, SignInLink(token_hash(token, secret), council, matrix_id, now)


def redeem(link: SignInLink | None, now: datetime) -> SignInLink:
    """Use a link: unknown, used before and expired links are all refused with the same answer, so a
    guesser learns nothing. Returns the link marked used (the store saves it in the same transaction)."""
    if link is None or link.used_at is not None or now >= link.expires_at:
        raise NotFound("werkplek.link.invalid", "sign-in link unknown, used or expired")
    return replace(link, used_at=now)


@dataclass(frozen=True)
class CommitteeLink:
    """A selection committee member's own link: expires, can be revoked, is not single-use."""

    token_hash: str
    council: str
    name: str  # who it is for, as the secretary named them
    created_at: datetime
    expires_at: datetime
    created_by: str
    revoked_at: datetime | None = None

    def valid_at(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at


def new_committee_link(council: str, name: str, days: int, now: datetime, created_by: str, secret: str,
                       random_bytes: Callable[[int], bytes]) -> tuple[str, CommitteeLink]:
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise InvalidInput("werkplek.committee.name_required", "committee link without a (short) name")
    if not 1 <= days <= COMMITTEE_MAX.days:
        raise InvalidInput("werkplek.committee.days", f"{days} days", max=COMMITTEE_MAX.days)
    token = new_token(random_bytes)
    return token, CommitteeLink(token_hash(token, secret), council, name, now, now + timedelta(days=days), created_by)


def use_committee_link(link: CommitteeLink | None, now: datetime) -> CommitteeLink:
    if link is None or not link.valid_at(now):
        raise NotFound("werkplek.link.invalid", "committee link unknown, revoked or expired")
    return link


def revoke(link: CommitteeLink, now: datetime) -> CommitteeLink:
    return link if link.revoked_at is not None else replace(link, revoked_at=now)


# --------------------------------------------------------------------------- sessions


@dataclass(frozen=True)
class Session:
    council: str
    role: Role
    subject: str  # a Matrix id, or "committee:<name>" for the selection committee
    started_at: datetime
    last_seen: datetime

    def alive_at(self, now: datetime) -> bool:
        return now - self.last_seen < IDLE_TIMEOUT and now - self.started_at < SESSION_MAX

    def touched(self, now: datetime) -> "Session":
        return replace(self, last_seen=now)


def start_session(council: str, role: Role, subject: str, now: datetime) -> Session:
    return Session(council, role, subject, now, now)


def check_session(session: Session | None, now: datetime) -> Session:
    """The session, refreshed; an ended or missing one is refused (the page then offers the ways in)."""
    if session is None or not session.alive_at(now):
        raise Forbidden("werkplek.session.ended", "no session or session ended")
    return session.touched(now)


# --------------------------------------------------------------------------- Matrix OpenID (widgets)


def openid_subject(userinfo: dict[str, object], homeserver_name: str) -> str:
    """The Matrix user the homeserver confirmed for an OpenID token. It must be a user of this deployment's
    homeserver: a token from another server proves nothing about our members."""
    sub = userinfo.get("sub")
    if not isinstance(sub, str) or not sub.startswith("@") or ":" not in sub:
        raise Forbidden("werkplek.openid.refused", "no user in the userinfo answer")
    if sub.split(":", 1)[1] != homeserver_name:
        raise Forbidden("werkplek.openid.refused", "user of another homeserver")
    return sub


CATALOG = {
    "nl": {
        "werkplek.access.refused": "Deze pagina is niet voor jouw rol.",
        "werkplek.link.invalid": "Deze link werkt niet (meer): hij is al gebruikt, verlopen of onbekend. Typ "
                                 "!werkplek in de chat voor een nieuwe.",
        "werkplek.session.ended": "Je bent afgemeld (na een half uur zonder gebruik, of na 12 uur). Meld je opnieuw "
                                  "aan met !werkplek in de chat.",
        "werkplek.committee.name_required": "Zeg voor wie de link is (een naam van hoogstens 120 tekens).",
        "werkplek.committee.days": "Een link voor de selectiecommissie geldt 1 tot {max} dagen.",
        "werkplek.openid.refused": "Je Matrix-account kon niet worden bevestigd. Open de werkplek vanuit de chat "
                                   "van de raad, of typ !werkplek.",
    },
    "en": {
        "werkplek.access.refused": "This page is not for your role.",
        "werkplek.link.invalid": "This link does not work (any more): it was used, it expired or it is unknown. "
                                 "Type !werkplek in the chat for a new one.",
        "werkplek.session.ended": "You have been signed out (after half an hour unused, or after 12 hours). Sign in "
                                  "again with !werkplek in the chat.",
        "werkplek.committee.name_required": "Say who the link is for (a name of at most 120 characters).",
        "werkplek.committee.days": "A selection committee link lasts 1 to {max} days.",
        "werkplek.openid.refused": "Your Matrix account could not be confirmed. Open the werkplek from the "
                                   "council's chat, or type !werkplek.",
    },
}
