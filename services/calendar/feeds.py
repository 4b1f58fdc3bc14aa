"""Subscription feeds: secret links, rendering once per change, and what each feed holds.

Links. A feed's token is ``HMAC-SHA256(secret_key, council|kind|scope|generation)``: 256 bits
that nobody can guess without the deployment's ``secret_key``. The database keeps only the
SHA-256 of the current token and its generation, so a leaked database reveals no link, and
``!feed`` can still give a member the *same* link again (their calendar app keeps working).
Rotating raises the generation: the old link answers 404 from that commit on. Changing
``secret_key`` revokes every link at once.

Rendering. A feed is a function of its council's *version* (raised by every change in the
same transaction) and settings: its ETag is derived from them and its Last-Modified is the
version's time, so a 304 reads one small row and nothing else. Each worker keeps the bodies it
rendered per version, so a feed is rendered at most once per change and worker, not per request.
Times are in the council's own zone (its settings' ``timezone``).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Callable, Iterable
from zoneinfo import ZoneInfo

from services.calendar import store
from services.calendar.domain import messages
from services.calendar.domain.attendance import personal_answers
from services.calendar.domain.events import Event, EventType, Invitee, PartStat
from services.calendar.domain.ical import PersonalAnswer, RenderMemo, render_feed
from shared.db import Database
from shared.errors import Conflict, InvalidInput, NotFound
from shared.settings import CouncilConfig, Settings

log = logging.getLogger("overleg.calendar.feeds")

KINDS = ("council", "type", "member")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")  # 32 bytes, base64url without padding
INSECURE_SECRETS = {"", "change-me"}
HISTORY = timedelta(days=400)  # how far back a feed still shows events
REFRESH_MINUTES = 60
# Deadlines are no invitations: they are in the council and type feeds, not in personal ones.
NOT_INVITATIONS = {EventType.ADVIESDEADLINE, EventType.REALISATIETOETS}


@dataclass(frozen=True)
class FeedLink:
    kind: str
    scope: str
    url: str
    webcal: str
    generation: int


def make_token(secret: str, council: str, kind: str, scope: str, generation: int) -> str:
    message = "\x00".join(("overleg-calendar-feed", council, kind, scope, str(generation))).encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_base_url(settings: Settings) -> str:
    """Where calendar apps reach ``/feeds/``: ``feeds_base_url`` (the proxy) in production, the
    calendar service's own URL locally."""
    return (settings.feeds_base_url or settings.service_urls.get("calendar") or settings.public_base_url).rstrip("/")


def webcal(url: str) -> str:
    return re.sub(r"^https?://", "webcal://", url)


def scope_for(kind: str, type_: EventType | None, member: str | None) -> str:
    if kind == "council":
        return ""
    if kind == "type":
        if type_ is None:
            raise InvalidInput("cal.feed.type_required", "type feed without type")
        return type_.value
    if not member:
        raise InvalidInput("cal.feed.member_required", "member feed without member")
    return member


def feed_link(session, settings: Settings, council: CouncilConfig, kind: str, scope: str, *,  # type: ignore[no-untyped-def]
              rotate: bool, now: datetime) -> FeedLink:
    """The feed's current link (created on first ask); ``rotate`` replaces it."""
    if settings.secret_key in INSECURE_SECRETS:
        raise Conflict("cal.feed.no_secret", "secret_key not set: feed tokens would be guessable")
    existing = store.feed_token(session, council.slug, kind, scope)
    generation = 1 if existing is None else existing.generation + (1 if rotate else 0)
    token = make_token(settings.secret_key, council.slug, kind, scope, generation)
    hashed = token_hash(token)
    if existing is None or existing.token_hash != hashed:
        # New, rotated, or the secret key changed since: (re)issue this generation's token.
        store.save_feed_token(session, store.FeedToken(council.slug, kind, scope, generation, hashed), now)
    url = f"{feed_base_url(settings)}/feeds/{token}.ics"
    return FeedLink(kind=kind, scope=scope, url=url, webcal=webcal(url), generation=generation)


@dataclass(frozen=True)
class RenderedFeed:
    etag: str
    body: bytes | None  # None: the caller's copy is current (answer 304), the body was not read
    filename: str
    last_modified: datetime


# Rendered VEVENTs of unchanged events, per worker (see ``ical.RenderMemo``).
MEMO = RenderMemo()
# Bump when the rendering changes (a deploy): feeds then get a new ETag without a calendar change.
RENDER_FORMAT = "2"


class BodyCache:
    """Rendered feeds of this worker: feed key → (council version, body), the most recently used
    kept. A feed is a function of its council's version (every change that alters a feed raises
    it, see ``store.touch``), so an entry is current while the version is; each worker renders a
    version at most once per feed, and a body is never read from or written to the database."""

    def __init__(self, max_bytes: int = 16 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes  # a council feed of 500 events is 250 KiB: dozens of feeds fit
        self._items: OrderedDict[str, tuple[int, bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str, version: int) -> bytes | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is None or hit[0] != version:
                return None
            self._items.move_to_end(key)
            return hit[1]

    def put(self, key: str, version: int, body: bytes) -> None:
        with self._lock:
            current = self._items.get(key)
            if current is not None:
                if current[0] > version:
                    return  # a newer version got here first
                self._bytes -= len(current[1])
            self._items[key] = (version, body)
            self._items.move_to_end(key)
            self._bytes += len(body)
            while self._bytes > self.max_bytes and len(self._items) > 1:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= len(dropped)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


class DiskBodies:
    """Rendered feeds shared by the workers of one host: one file per feed, named by everything its
    body is a function of (see :func:`state_tag`), so a file is never stale, only superseded.

    A worker's own :class:`BodyCache` is lost to the other workers: a change made through worker A
    would still be rendered by worker B on the next poll it gets. With this cache, whichever worker
    renders a version first (the :class:`Prerenderer` of the worker that made the change, usually)
    writes it once, and every worker answers from the file. Files are written whole and renamed
    into place (a reader never sees half a body), readable by the service's user only (a personal
    feed names the member's answers, as the database next to it does).

    A feed nobody fetched has no file: :meth:`in_use` lets the prerenderer skip it."""

    SUFFIX = ".ics"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._warned = False  # a folder that cannot be written is said once, not at every render

    @staticmethod
    def for_database(data_dir: Path, db: Database) -> "DiskBodies | None":
        """The cache of ``db``'s feeds under ``data_dir`` (none for an in-memory database). The
        folder is named after the database (its URL and, for SQLite, the file's inode), so two
        databases, or a database recreated in the same place, never share files."""
        url = db.url
        identity = url
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1] if "///" in url else ""
            if not path or path == ":memory:" or "mode=memory" in url:
                return None
            try:
                identity += f"|{os.stat(path).st_ino}"
            except OSError:
                return None  # not created yet: nothing to cache for
        name = hashlib.sha256(identity.encode()).hexdigest()[:16]
        return DiskBodies(Path(data_dir).expanduser().resolve() / "feed-cache" / name)

    @staticmethod
    def _key_name(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()[:24]

    def _path(self, key: str, tag: str) -> Path:
        return self.folder / f"{self._key_name(key)}-{tag}{self.SUFFIX}"

    def get(self, key: str, tag: str) -> bytes | None:
        try:
            return self._path(key, tag).read_bytes()
        except OSError:
            return None

    def has(self, key: str, tag: str) -> bool:
        return self._path(key, tag).is_file()

    def in_use(self, key: str) -> bool:
        """Some version of this feed was fetched (or prerendered because it had been)."""
        return any(self.folder.glob(f"{self._key_name(key)}-*{self.SUFFIX}"))

    def forget(self, keys: Iterable[str]) -> int:
        """Delete every file of these feeds; how many went. For a revoked link: a personal feed names
        a former member's answers, and no link reaches the file any more."""
        gone = 0
        for key in keys:
            for path in self.folder.glob(f"{self._key_name(key)}-*{self.SUFFIX}"):
                try:
                    path.unlink()
                    gone += 1
                except FileNotFoundError:
                    pass  # another worker forgot it first
                except OSError as exc:
                    log.warning("feed cache: cannot delete %s (%s)", path.name, exc.strerror or exc)
        return gone

    def put(self, key: str, tag: str, body: bytes) -> None:
        """Keep ``body`` as this feed's current file and drop its older ones. Best effort: a full
        or read-only disk costs a render per worker, never an answer."""
        target = self._path(key, tag)
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            temp = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(body)
            os.replace(temp, target)
            for older in self.folder.glob(f"{self._key_name(key)}-*{self.SUFFIX}"):
                if older != target:
                    older.unlink(missing_ok=True)
        except OSError as exc:
            if not self._warned:
                self._warned = True
                log.warning("feed cache: cannot write under %s (%s); each worker renders its own feeds",
                            self.folder, exc.strerror or exc)


def state_tag(etag: str, state: store.FeedState) -> str:
    """A rendered body's name in the shared cache: the ETag (feed, generation, council version and
    the settings the rendering reads) and the council row's creation, so a council recreated in
    the same database does not meet the bodies of its predecessor."""
    return hashlib.sha256(f"{etag}|{state.epoch}".encode()).hexdigest()[:24]


class Prerenderer:
    """Renders a council's feeds right after a change, in the background of the worker that made
    it, so the poll that follows is answered from the shared cache instead of rendering.

    Only feeds someone fetches are rendered (those with a file in :class:`DiskBodies`). Changes
    that come in a burst are rendered once: those committed while a render runs are folded into
    the next turn. A request of this worker that finds its feed being rendered waits for that
    render instead of doing the same work beside it (:meth:`wait_for`). The thread starts with the
    first change (after gunicorn forked the worker) and ends when idle, so an app whose feeds
    nobody fetches keeps no thread."""

    IDLE_SECONDS = 30.0

    def __init__(self, db: Database, settings: Settings, disk: DiskBodies,
                 count: Callable[[str], None] | None = None) -> None:
        self.db = db
        self.settings = settings
        self.disk = disk
        self.count = count  # the metrics: count("ahead") per body rendered here
        self._pending: set[str] = set()
        self._busy: set[str] = set()  # pending or being rendered
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def stop(self, timeout: float = 10.0) -> None:
        """At a worker's graceful stop: finish the render under way, drop what is still owed (the
        next poll renders it) and end the thread, so nothing reads the database after it closed."""
        with self._changed:
            self._stopping = True
            self._pending.clear()
            thread = self._thread
            self._changed.notify_all()
        if thread is not None:
            thread.join(timeout)

    def after_commit(self, session) -> None:  # type: ignore[no-untyped-def]
        """A write transaction committed: render the feeds of the councils whose version it raised."""
        for slug in session.info.pop(store.TOUCHED, ()):
            self.request(slug)

    def request(self, council: str) -> None:
        if not self.disk.folder.is_dir():
            return  # no feed was ever fetched here: nothing to keep current
        with self._changed:
            if self._stopping:
                return
            self._pending.add(council)
            self._busy.add(council)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, name="overleg-feed-prerender", daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def wait_for(self, council: str, timeout: float = 2.0) -> None:
        """Until no render of ``council``'s feeds is owed or running here (at most ``timeout``)."""
        with self._changed:
            self._changed.wait_for(lambda: council not in self._busy, timeout)

    def _loop(self) -> None:
        while True:
            with self._changed:
                if not self._changed.wait_for(lambda: bool(self._pending) or self._stopping,
                                              self.IDLE_SECONDS) or self._stopping:
                    self._thread = None
                    self._busy.clear()
                    self._changed.notify_all()
                    return
                pending, self._pending = self._pending, set()
            for slug in sorted(pending):
                try:
                    self.render_council(slug)
                except Exception:  # a failed prerender only means the next poll renders
                    log.warning("feed prerender of %s failed", slug, exc_info=True)
                finally:
                    with self._changed:
                        if slug not in self._pending:  # changed again meanwhile: still owed
                            self._busy.discard(slug)
                        self._changed.notify_all()

    def render_council(self, slug: str) -> int:
        """Render the council's fetched feeds that are not current in the cache; how many."""
        council = self.settings.council(slug)
        if council is None:
            return 0
        done = 0
        with self.db.read() as s:
            states = store.feed_states_of(s, slug)
            # The council feed first: it is the one most calendars follow.
            for state in sorted(states, key=lambda st: (KINDS.index(st.token.kind), st.token.scope)):
                key = cache_key(state.token)
                tag = state_tag(version_etag(council, state.token, state.version), state)
                if not self.disk.in_use(key) or self.disk.has(key, tag):
                    continue
                body = render(s, council, state.token, state.last_modified)
                self.disk.put(key, tag, body)
                bodies(self.db).put(key, state.version, body)
                if self.count is not None:
                    self.count("ahead")
                done += 1
        return done


_BODIES: "weakref.WeakKeyDictionary[Database, BodyCache]" = weakref.WeakKeyDictionary()
_BODIES_LOCK = threading.Lock()


def bodies(db: Database) -> BodyCache:
    """The rendered feeds of this worker for the database ``db`` (one per app)."""
    with _BODIES_LOCK:
        cache = _BODIES.get(db)
        if cache is None:
            cache = _BODIES[db] = BodyCache()
        return cache


def cache_key(token: store.FeedToken) -> str:
    return store.feed_key(token.council, token.kind, token.scope)


def version_etag(council: CouncilConfig, token: store.FeedToken, version: int) -> str:
    """The feed's ETag, from what its body is a function of: the feed, the council's version and
    the council settings the rendering uses. So answering 304 reads no body and renders nothing."""
    basis = "\x00".join((RENDER_FORMAT, token.council, token.kind, token.scope, str(token.generation),
                          str(version), council.name, council.language, council.timezone))
    return '"' + hashlib.sha256(basis.encode()).hexdigest()[:32] + '"'


NotModified = Callable[[str, datetime], bool]


def serve(db: Database, settings: Settings, token: str, now: datetime, *,
          not_modified: NotModified | None = None, disk: DiskBodies | None = None,
          prerender: "Prerenderer | None" = None, count: Callable[[str], None] | None = None) -> RenderedFeed:
    """The feed behind a token, rendered once per council version (per host with ``disk``, the
    shared cache; else per worker).

    ``not_modified(etag, last_modified)`` says whether the caller's copy is current (its
    If-None-Match / If-Modified-Since). Then only the validator is read, never the body.
    ``now`` is not used: a body depends on the council's version only (see :func:`render`).
    """
    if not TOKEN_RE.match(token or ""):
        raise NotFound("cal.feed.not_found", "malformed feed token")
    hashed = token_hash(token)
    # Most polls end here: one query through the driver, the body never read.
    state = store.feed_validator(db.engine, hashed)
    council = settings.council(state.token.council) if state else None
    if state is None or council is None:
        raise NotFound("cal.feed.not_found", "unknown feed token")
    filename = _filename(council, state.token)
    etag = version_etag(council, state.token, state.version)
    if not_modified is not None and not_modified(etag, state.last_modified):
        return RenderedFeed(etag, None, filename, state.last_modified)
    key = cache_key(state.token)
    body = bodies(db).get(key, state.version)
    if body is None and prerender is not None:
        prerender.wait_for(state.token.council)  # this worker is rendering it right now
        body = bodies(db).get(key, state.version)
    if body is None and disk is not None:
        body = disk.get(key, state_tag(etag, state))
        if body is not None:
            bodies(db).put(key, state.version, body)
            if count is not None:
                count("shared")
    if body is None:
        with db.read() as s:
            state = store.feed_state(s, hashed)  # again, in the transaction that renders
            if state is None:
                raise NotFound("cal.feed.not_found", "unknown feed token")
            body = render(s, council, state.token, state.last_modified)
        bodies(db).put(key, state.version, body)
        if count is not None:
            count("request")
        etag = version_etag(council, state.token, state.version)
        if disk is not None:
            disk.put(key, state_tag(etag, state), body)
        if not_modified is not None and not_modified(etag, state.last_modified):
            return RenderedFeed(etag, None, filename, state.last_modified)
    return RenderedFeed(etag, body, filename, state.last_modified)


def etag_matches(header: str | None, etag: str) -> bool:
    """If-None-Match names ``etag`` (weak comparison, RFC 9110 13.1.2) or is ``*``."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    return any(t.strip().removeprefix("W/") == etag for t in header.split(","))


def copy_is_current(if_none_match: str | None, if_modified_since: str | None, etag: str,
                    last_modified: datetime) -> bool:
    """The caller's copy is current: If-None-Match names the ETag or, without it (RFC 9110
    13.2.2), If-Modified-Since is not older than the feed's Last-Modified."""
    if if_none_match:
        return etag_matches(if_none_match, etag)
    if not if_modified_since:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError, IndexError):
        return False  # unreadable: answer as if absent (RFC 9110 13.1.3)
    if since.tzinfo is None:
        since = since.replace(tzinfo=timezone.utc)
    return last_modified.astimezone(timezone.utc).replace(microsecond=0) <= since


FEED_CACHE_SECONDS = 300
FEED_PATH = re.compile(r"^/feeds/([A-Za-z0-9_-]{43})\.ics$")


def feed_headers(etag: str, last_modified: datetime, filename: str) -> dict[str, str]:
    """The headers of every feed answer, 200 or 304 (a 304 repeats the validators, RFC 9110 15.4.5)."""
    return {
        "ETag": etag,
        "Cache-Control": f"private, max-age={FEED_CACHE_SECONDS}",
        "Last-Modified": format_datetime(last_modified.astimezone(timezone.utc), usegmt=True),
        "Content-Disposition": f'inline; filename="{filename}"',
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Robots-Tag": "noindex, nofollow",
    }


class NotModifiedShortcut:
    """WSGI middleware: a calendar app's poll whose copy is current is answered 304 here, before
    Flask builds a request, matches routes and runs its hooks.

    Most requests a feed gets are such polls (every app re-asks every few minutes, and the feed
    changes a few times a week); the answer needs one small query and no body (see :func:`serve`),
    so Flask's own request handling was most of its cost. Anything else — no validator, a stale
    one, an unknown token, another path — goes on to the Flask app unchanged, which answers it as
    before (404s and 200s included). The shortcut counts its answers in the app's metrics.
    """

    def __init__(self, wsgi_app: Callable, db: Database, settings: Settings,  # type: ignore[type-arg]
                 count: Callable[[str, int, float], None] | None = None) -> None:
        self.wsgi_app = wsgi_app
        self.db = db
        self.settings = settings
        self.count = count

    def __call__(self, environ: dict, start_response: Callable):  # type: ignore[no-untyped-def,type-arg]
        answer = self._not_modified(environ)
        if answer is None:
            return self.wsgi_app(environ, start_response)
        start_response("304 Not Modified", list(answer.items()))
        return [b""]

    def _not_modified(self, environ: dict) -> dict[str, str] | None:  # type: ignore[type-arg]
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if_modified_since = environ.get("HTTP_IF_MODIFIED_SINCE")
        if not (if_none_match or if_modified_since) or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        match = FEED_PATH.match(environ.get("PATH_INFO") or "")
        if match is None:
            return None
        started = time.perf_counter()
        try:
            state = store.feed_validator(self.db.engine, token_hash(match.group(1)))
        except Exception:  # the database is away: let the app answer it (503) as it answers everything
            log.debug("feed shortcut: validator unreadable", exc_info=True)
            return None
        council = self.settings.council(state.token.council) if state else None
        if state is None or council is None:
            return None
        etag = version_etag(council, state.token, state.version)
        if not copy_is_current(if_none_match, if_modified_since, etag, state.last_modified):
            return None
        if self.count is not None:
            self.count(environ["REQUEST_METHOD"], 304, time.perf_counter() - started)
        return feed_headers(etag, state.last_modified, _filename(council, state.token))


def render(session, council: CouncilConfig, token: store.FeedToken, now: datetime) -> bytes:  # type: ignore[no-untyped-def]
    """The feed's body. ``now`` bounds the history shown; :func:`serve` passes the council's
    Last-Modified, so the body is a function of the council's version (and its settings)."""
    lang = council.language
    zone = ZoneInfo(council.timezone)  # X-WR-TIMEZONE; each event's times carry its own TZID
    params = {"council": council.name}
    types = [token.scope] if token.kind == "type" else None
    events = store.feed_events(session, council.slug, ending_after=now - HISTORY, types=types)
    limited = [e.uid for e in events if e.capacity]
    if token.kind == "member":
        atts = store.attendances(session, council.slug, [e.uid for e in events])
    else:
        atts = store.attendances(session, council.slug, limited) if limited else {}
    places = places_taken(atts)
    residents = store.resident_places(session, council.slug)
    if token.kind == "council":
        name = messages.text("cal.feed.name.council", lang, **params)
        description = messages.text("cal.feed.description.council", lang, **params)
        return render_feed(name, events, description=description, refresh_minutes=REFRESH_MINUTES, lang=lang,
                           places=places, memo=MEMO, zone=zone, residents=residents)
    if token.kind == "type":
        etype = EventType(token.scope)
        label = etype.label(lang)
        name = messages.text("cal.feed.name.type", lang, type=label, **params)
        description = messages.text("cal.feed.description.type", lang, type=label, **params)
        return render_feed(name, [e for e in events if e.type is etype], description=description,
                           refresh_minutes=REFRESH_MINUTES, lang=lang, places=places, memo=MEMO, zone=zone,
                           residents=residents)
    member = Invitee(member_id=token.scope, display_name=token.scope)
    mine, answers = personal_events(member, events, atts)
    name = messages.text("cal.feed.name.member", lang, **params)
    description = messages.text("cal.feed.description.member", lang, **params)
    return render_feed(name, mine, description=description, refresh_minutes=REFRESH_MINUTES,
                       attendee_partstat=answers, lang=lang, places=places, memo=MEMO, zone=zone,
                       residents=residents)


def places_taken(attendances: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    """uid → meeting (series day) → places taken, for the feeds' "places left"."""
    out: dict[str, dict] = {}  # type: ignore[type-arg]
    for att in attendances.values():
        out.setdefault(att.event_uid, {})[att.day] = len(att.places)
    return out


def personal_events(member: Invitee, events: list[Event], attendances: dict) -> tuple[list[Event], dict[str, PersonalAnswer]]:  # type: ignore[type-arg]
    """A member's invitations: events that name them, and open events (no invitee list), which
    invite the whole council. Each carries the member's answer as PARTSTAT."""
    answers = personal_answers(member, events, attendances)
    for event in events:
        if event.uid in answers or event.type in NOT_INVITATIONS or event.invitees:
            continue
        answers[event.uid] = PersonalAnswer(member=member, partstat=PartStat.NEEDS_ACTION)
    mine = [e for e in events if e.uid in answers]
    return mine, answers


def _filename(council: CouncilConfig, token: store.FeedToken) -> str:
    if token.kind == "council":
        return f"{council.slug}.ics"
    if token.kind == "type":
        return f"{council.slug}-{token.scope}.ics"
    return f"{council.slug}-persoonlijk.ics"
