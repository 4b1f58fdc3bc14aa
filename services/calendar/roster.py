"""Members' names for poll summaries, and who may act: the deliberation service's roster.

The calendar does not keep a roster of its own: it asks deliberation through the one check every
service shares (:mod:`shared.membership`, a short cache included). ``member_names`` serves the
summaries (names and who has not answered yet; None when the roster cannot be reached, then
summaries show who answered, by Matrix id). ``require_member`` guards every route that acts for
a member: RSVP, starting, answering and fixing a date poll, a personal feed link.
"""
from __future__ import annotations

import logging

from shared import membership
from shared.http import ServiceUnavailable
from shared.settings import CouncilConfig, Settings

log = logging.getLogger("overleg.calendar.roster")

CALLER = "calendar"  # the token the calendar asks deliberation with


def member_names(settings: Settings, council: str) -> dict[str, str] | None:
    """Serving member id → display name, or None when the roster is not available."""
    try:
        names = membership.fetch_roster(settings, council, CALLER).names()
    except ServiceUnavailable as exc:
        log.info("no roster for %s: %s", council, exc.log_message)
        return None
    return names or None


def require_member(settings: Settings, council: CouncilConfig, member: str | None) -> None:
    """403 ``roster.not_member`` unless ``member`` serves on the council (or is a configured secretary)."""
    membership.require_member(settings, council, member, caller=CALLER)


def serving_names(settings: Settings, council: str) -> dict[str, str]:
    """Serving member id → display name; 503 ``roster.unavailable`` when the roster cannot be read
    (an attendance overview without its members would look complete and be wrong)."""
    try:
        return membership.fetch_roster(settings, council, CALLER).names()
    except ServiceUnavailable as exc:
        log.info("no roster for %s: %s", council, exc.log_message)
        raise membership.RosterUnavailable(exc.log_message) from exc
