"""Ending a membership ends access: personal feed links and open poll answers of people who no
longer serve on the council.

The ``membership`` job (and ``POST /councils/<slug>/membership/sync``, which deliberation or an
operator may call after removing a member) reads the roster through :mod:`shared.membership` and,
for everyone who is not a serving member (term ended, removed, never on the roster) and not a
secretary named in the settings:

- revokes their personal feed link: the stored hash is replaced by a mark no token can hash to and
  the generation moves on, so the old link is a 404 for good, also if they ever serve again and
  ask ``!feed`` anew;
- takes their answers out of every open date poll (closed polls are history and stay as they are);
- tells the secretaries, in the main room with a mention, through the outbox, in the same
  transaction as the revocation.

It is idempotent by construction: it only acts on what is still there, so a second run (or a run
after a restart) finds nothing and posts nothing. When the roster cannot be read it does nothing:
an unreachable deliberation must never look like an empty council.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.calendar import store
from services.calendar.actions import Poster
from services.calendar.domain.polls import Poll
from services.calendar.models import CalendarFeedToken
from shared import i18n, membership
from shared.db import Database
from shared.formatting import Rich
from shared.http import ServiceUnavailable
from shared.outbox import OutboundMessage
from shared.settings import CouncilConfig, Settings

log = logging.getLogger("overleg.calendar.membership")

CALLER = "calendar"
REVOKED = "revoked-"  # a stored "hash" that starts so is no SHA-256 hex digest: no token matches it

CATALOG = {
    "nl": {
        "cal.access_ended.title": "Toegang beëindigd",
        "cal.access_ended.line": "{who} staat niet (meer) op de ledenlijst. Ik heb {what} ingetrokken.",
        "cal.access_ended.feed": "de persoonlijke kalenderlink",
        "cal.access_ended.polls": "de antwoorden in open datumprikker(s) {numbers}",
        "cal.access_ended.and": " en ",
        "cal.access_ended.for": "Ter informatie voor {secretaries}.",
    },
    "en": {
        "cal.access_ended.title": "Access ended",
        "cal.access_ended.line": "{who} is not (or no longer) on the member list. I revoked {what}.",
        "cal.access_ended.feed": "the personal calendar link",
        "cal.access_ended.polls": "the answers in open date poll(s) {numbers}",
        "cal.access_ended.and": " and ",
        "cal.access_ended.for": "For the attention of {secretaries}.",
    },
}
i18n.register(CATALOG)


@dataclass
class Revoked:
    member: str
    feed_generation: int | None = None
    polls: list[int] = field(default_factory=list)


def allowed(council: CouncilConfig, roster: membership.Roster, member: str) -> bool:
    return membership.is_allowed(council, roster, member)


def end_access(session: Session, post: Poster, council: CouncilConfig, roster: membership.Roster,
               now: datetime) -> list[Revoked]:
    """Revoke what people who do not serve still hold, in the caller's transaction; one message per person."""
    found: dict[str, Revoked] = {}
    rows = session.scalars(select(CalendarFeedToken).where(
        CalendarFeedToken.council == council.slug, CalendarFeedToken.kind == "member").with_for_update())
    for row in rows:
        if row.token_hash.startswith(REVOKED) or allowed(council, roster, row.scope):
            continue
        row.generation += 1  # a later link (if they serve again) is a new one; the old never returns
        row.token_hash = REVOKED + secrets.token_hex(28)
        row.rotated_at = now.astimezone(timezone.utc)
        found.setdefault(row.scope, Revoked(row.scope)).feed_generation = row.generation
    for stored in store.open_polls(session, council.slug):
        gone = [m for m in stored.poll.answers if not allowed(council, roster, m)]
        if not gone:
            continue
        poll: Poll = replace(stored.poll, answers={m: n for m, n in stored.poll.answers.items() if m not in gone})
        names = {m: n for m, n in stored.names.items() if m not in gone}
        store.save_poll(session, poll, names, now)
        for member in gone:
            found.setdefault(member, Revoked(member)).polls.append(stored.number)
    secretaries = sorted(set(council.secretaries) | roster.serving_secretaries())
    for revoked in found.values():
        post(session, _notice(council, roster, revoked, secretaries))
        log.info("%s: access ended for a former member (feed: %s, polls: %s)", council.slug,
                 revoked.feed_generation is not None, revoked.polls)
    return list(found.values())


def _notice(council: CouncilConfig, roster: membership.Roster, revoked: Revoked,
            secretaries: list[str]) -> OutboundMessage:
    lang = council.language
    parts = []
    if revoked.feed_generation is not None:
        parts.append(i18n.t("cal.access_ended.feed", lang))
    if revoked.polls:
        parts.append(i18n.t("cal.access_ended.polls", lang, numbers=", ".join(f"#{n}" for n in sorted(revoked.polls))))
    entry = roster.entries.get(revoked.member)
    who = f"{entry.display_name} ({revoked.member})" if entry and entry.display_name != revoked.member \
        else revoked.member
    rich = Rich().heading(i18n.t("cal.access_ended.title", lang))
    rich.line(i18n.t("cal.access_ended.line", lang, who=who, what=i18n.t("cal.access_ended.and", lang).join(parts)))
    if secretaries:
        rich.line(i18n.t("cal.access_ended.for", lang, secretaries=", ".join(secretaries)))
    what = f"{council.slug}|{revoked.member}|{revoked.feed_generation}|{sorted(revoked.polls)}"
    digest = hashlib.sha256(what.encode()).hexdigest()[:24]
    return OutboundMessage(key=f"calendar:access-ended:{digest}", council=council.slug, room="main",
                           body=rich.body, html=rich.html, mentions=secretaries[:50])


# What is done with the feeds whose links were revoked, once that is committed: the calendar app
# deletes their rendered copies from the shared cache (feeds.DiskBodies.forget).
ForgetFeeds = Callable[[list[str]], object]


def sync_council(db: Database, settings: Settings, post: Poster, council: CouncilConfig,
                 now: datetime, *, forget: ForgetFeeds | None = None) -> list[Revoked]:
    """One council: a fresh roster, then the revocation. Raises ServiceUnavailable without a roster."""
    roster = membership.fetch_roster(settings, council.slug, CALLER, max_age=0.0)
    with db.session() as s:
        ended = end_access(s, post, council, roster, now)
    revoked = [store.feed_key(council.slug, "member", r.member) for r in ended if r.feed_generation is not None]
    if revoked and forget is not None:
        forget(revoked)
    return ended


def run(db: Database, settings: Settings, post: Poster, now: datetime, *, forget: ForgetFeeds | None = None) -> int:
    done = 0
    for council in settings.councils:
        try:
            done += len(sync_council(db, settings, post, council, now, forget=forget))
        except ServiceUnavailable as exc:
            log.info("%s: roster not readable, access unchanged: %s", council.slug, exc.log_message)
    return done


def job_function(db: Database, settings: Settings, runtime: Callable[[], Any],
                 clock: Callable[[], datetime], *, every: float = 300.0,
                 forget: ForgetFeeds | None = None) -> Callable[[], int]:
    """The job: at start, then every ``every`` seconds. The runner also runs every job early when
    other work was committed (``kick``); this one keeps its own pace, so deliberation is not asked for
    the roster after every message."""
    last: list[float] = []

    def job() -> int:
        moment = time.monotonic()
        if last and moment - last[0] < every:
            return 0
        last[:] = [moment]
        return run(db, settings, Poster(runtime()), clock(), forget=forget)
    return job
