"""What the signals service does, step by step: the domain decides, the store keeps, and the Matrix
messages go into the handoff queue in the same transaction as the change that caused them.

The API routes, the web pages and the background jobs all call these; ``now`` is always passed in.

Intake: ``check_text`` → ``scrub`` (the council's neighbourhood names are never taken for a
person) → themes and neighbourhood from the *scrubbed* text → features and blocking keys →
candidates from the key table → ``choose_cluster`` (both before the write transaction, checked
again inside it) → store → for a new cluster, its card and the signal in its thread. A joined
cluster's card edit and the signal's thread post are not made inside the intake: the cluster row
records them as owed, and :func:`flush_cards` sends one edit and one post (every signal of the
burst) per burst, with the final content, once the cluster has been quiet for ``card_quiet``
seconds (the job after a restart too). The unscrubbed text is never stored, logged or posted.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.signals import store, texts
from services.signals.charts import theme_month_png
from services.signals.config import CouncilData, SignalsConfig
from services.signals.domain import consultation as cons
from services.signals.domain import neighbourhood as nbh
from services.signals.domain import patterns as pat
from services.signals.domain import signup as sgn
from services.signals.domain.textutil import fold
from services.signals.domain.clustering import (
    DEFAULT_WINDOW,
    SignalFeatures,
    blocking_keys,
    choose_cluster,
    features_of_scrubbed,
    home_streets,
)
from services.signals.domain.intake import check_text
from services.signals.domain.scrub import scrub
from services.signals.domain.summary import EvidenceSignal, cluster_summary, evidence, summarise, truncate
from services.signals.domain.themes import FALLBACK_THEME, Taxonomy, classify
from services.signals.models import MAIL_MODEL
from services.signals.store import Cluster, Contact, Signal, ThemeInfo
from shared import i18n
from shared.errors import Conflict, DomainError, InvalidInput, NotFound
from shared.formatting import Rich, one_line
from shared.http import ServiceClient, ServiceError, ServiceUnavailable
from shared.mail import MailMessage
from shared.outbox import OutboundMessage, QueueStore, backoff_seconds
from shared.service import Runtime
from shared.settings import CouncilConfig, Settings

log = logging.getLogger("overleg.signals")

CHANNELS = ("form", "api", "matrix")
NAME_MAX = 200
EMAIL_MAX = 254
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s.]+(?:\.[^@\s.]+)+$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{6,24}$")
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_BITS = 80
SUMMARY_SOURCES = 20  # the card's summary is taken from the earliest signals
TOPIC_TITLE_MAX = 200  # deliberation refuses longer topic titles


class DeliberationDown(DomainError):
    status = 503


class Refused(DomainError):
    """A well-formed request that a rule refuses (an empty text after trimming, an unknown wijk, a
    contact without consent, a room of another council): 422, like every service's rule refusals.
    400 stays for requests the OpenAPI schema itself refuses."""

    status = 422


# --------------------------------------------------------------------------- reference numbers
def _encode(raw: bytes) -> str:
    number = int.from_bytes(raw, "big")
    chars = []
    for _ in range(REFERENCE_BITS // 5):
        chars.append(_CROCKFORD[number & 31])
        number >>= 5
    code = "".join(reversed(chars))
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def new_reference(secret: str, intake_key: str | None) -> str:
    """80 random bits, or, for a keyed intake, 80 bits of an HMAC of the key with the deployment's
    secret: a retried submission gets the same number without the number being stored anywhere."""
    if intake_key:
        raw = hmac.new(secret.encode(), f"signals-ref:{intake_key}".encode(), hashlib.sha256).digest()
    else:
        raw = secrets.token_bytes(32)
    return _encode(raw[:REFERENCE_BITS // 8])


def normalise_reference(value: str) -> str | None:
    """The canonical form of a reference a resident typed (case, dashes, I/L/O forgiven), or None."""
    code = re.sub(r"[\s-]", "", value or "").upper().translate(str.maketrans("ILO", "110"))
    if len(code) != REFERENCE_BITS // 5 or any(c not in _CROCKFORD for c in code):
        return None
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


# --------------------------------------------------------------------------- intake
@dataclass(frozen=True)
class ContactIn:
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    consent: bool = False
    language: str | None = None  # the language the resident wrote in: their e-mails come in it


@dataclass(frozen=True)
class Submission:
    council: str
    text: str
    channel: str
    wijk: str | None = None
    contact: ContactIn | None = None
    intake_key: str | None = None
    received_at: datetime | None = None


@dataclass(frozen=True)
class Receipt:
    signal: Signal
    cluster: Cluster
    reference: str
    created: bool  # False: the same submission was received before
    new_cluster: bool


@dataclass(frozen=True)
class Problem:
    field: str
    code: str
    params: dict[str, Any]

    def error(self) -> Refused:
        return Refused(self.code, f"invalid {self.field}", **self.params)


def council_config(settings: Settings, slug: str) -> CouncilConfig:
    council = settings.council(slug)
    if council is None:
        raise NotFound("signals.api.council_not_found", f"unknown council {slug!r}")
    return council


def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def problems(data: CouncilData, *, text: str, wijk: str | None, contact: ContactIn | None) -> list[Problem]:
    """Everything wrong with a submission, per field (the form shows them all at once)."""
    out: list[Problem] = []
    try:
        check_text((text or "").replace("\r\n", "\n"))
    except InvalidInput as exc:
        out.append(Problem("text", exc.code, exc.params))
    if _blank(wijk) and data.neighbourhoods.get(wijk or "") is None:
        out.append(Problem("wijk", "signals.wijk_unknown", {"wijk": (wijk or "").strip()[:60]}))
    if contact is not None:
        name, email, phone = _blank(contact.name), _blank(contact.email), _blank(contact.phone)
        if name and len(name) > NAME_MAX:
            out.append(Problem("name", "signals.api.name_too_long", {"limit": NAME_MAX}))
        if email and (len(email) > EMAIL_MAX or not _EMAIL.match(email)):
            out.append(Problem("email", "signals.api.email_invalid", {}))
        if phone and (not _PHONE.match(phone) or sum(c.isdigit() for c in phone) < 6):
            out.append(Problem("phone", "signals.api.phone_invalid", {}))
        if (name or email or phone) and not (email or phone) and not any(p.field in ("email", "phone") for p in out):
            out.append(Problem("email", "signals.api.contact_without_channel", {}))
        if (name or email or phone) and not contact.consent:
            out.append(Problem("consent", "signals.api.consent_required", {}))
    return out


def _clean_contact(contact: ContactIn | None) -> ContactIn | None:
    if contact is None:
        return None
    name, email, phone = _blank(contact.name), _blank(contact.email), _blank(contact.phone)
    if not (name or email or phone):
        return None  # consent without details: nothing to keep
    language = contact.language if contact.language in ("nl", "en") else None
    return ContactIn(name, email, phone, True, language)


def _check_received_at(value: datetime | None, now: datetime) -> datetime:
    if value is None:
        return now
    if value.tzinfo is None or value > now + timedelta(minutes=5) or value < now - timedelta(days=366):
        raise Refused("signals.api.received_at_invalid", "received_at out of range")
    return value


@dataclass(frozen=True)
class _Received:
    """A submission checked and scrubbed: what may be stored of it before it is grouped."""
    council: CouncilConfig
    data: CouncilData
    reference: str
    intake_key: str | None
    channel: str
    scrubbed_text: str
    scrubbed_kinds: tuple[str, ...]
    wijk: str | None
    wijk_source: str | None
    home: frozenset[str]  # clustering.home_streets of the scrub
    ts: datetime
    contact: ContactIn | None


def _receive(cfg: SignalsConfig, settings: Settings, sub: Submission, now: datetime) -> _Received:
    council = council_config(settings, sub.council)
    data = cfg.council(council.slug)
    found = problems(data, text=sub.text, wijk=sub.wijk, contact=sub.contact)
    if found:
        raise found[0].error()
    raw = sub.text.replace("\r\n", "\n").strip()
    try:
        check_text(raw)
    except InvalidInput as exc:
        raise Refused(exc.code, exc.log_message, **exc.params) from exc
    ts = _check_received_at(sub.received_at, now)
    given = data.neighbourhoods.resolve(sub.wijk) if _blank(sub.wijk) else None
    # Scrub the text as received: a right-to-left override shows digits reversed, and scrub() reads
    # such runs the way a reader sees them before it drops the control characters.
    scrubbed = scrub(raw, known_places=data.neighbourhoods.names)
    wijk = given or data.neighbourhoods.detect(scrubbed.text)
    kinds = tuple(k for k in ("naam", "telefoon", "e-mail", "adres", "postcode", "iban", "bsn") if k in scrubbed.kinds)
    return _Received(council, data, new_reference(settings.secret_key, sub.intake_key), sub.intake_key, sub.channel,
                     scrubbed.text, kinds, wijk, "given" if given else ("detected" if wijk else None),
                     home_streets(scrubbed), ts, _clean_contact(sub.contact))


def _new_signal(cfg: SignalsConfig, council: CouncilConfig, data: CouncilData, *, ref_hash: str,
                intake_key: str | None, intake_key_hash: str | None, channel: str, scrubbed_text: str,
                scrubbed_kinds: tuple[str, ...], wijk: str | None, wijk_source: str | None, home: frozenset[str],
                ts: datetime) -> store.NewSignal:
    """A scrubbed signal themed and with its features (at once for the 201 path, in the job for the queue)."""
    scores = classify(scrubbed_text, data.taxonomy, cfg.theme_threshold)
    themes = [ThemeInfo(t.theme_id, t.confidence, tuple(t.matched)) for t in scores]
    feats = features_of_scrubbed(scrubbed_text, home, wijk, [t.id for t in themes if t.id != FALLBACK_THEME], ts)
    return store.NewSignal(council=council.slug, ref_hash=ref_hash, intake_key=intake_key, channel=channel,
                           text=scrubbed_text.strip(), scrubbed_kinds=scrubbed_kinds, wijk=wijk,
                           wijk_source=wijk_source, themes=themes, features=feats, month=_month(ts, council),
                           keys=blocking_keys(feats), intake_key_hash=intake_key_hash)


@dataclass(frozen=True)
class _Stored:
    signal: Signal
    cluster: Cluster
    created: bool  # False: the same submission was stored before
    new_cluster: bool


def _group_and_store(rt: Runtime, cfg: SignalsConfig, settings: Settings, council: CouncilConfig, data: CouncilData,
                     new: store.NewSignal, contact: ContactIn | None, status_link: str | None, now: datetime, *,
                     queued_id: int | None = None) -> _Stored | None:
    """Choose the signal's group and store it there, with its contact details; for a queued signal
    (``queued_id``) take it off the queue in the same transaction, so it is grouped exactly once (None:
    it was grouped already, by the job or by its resident's page). A keyed submission stored before is
    found instead of stored again."""
    ts = new.features.ts
    # The candidates are read and the cluster chosen before the write transaction (the choice is
    # most of the CPU of an intake, and the write lock serialises every intake of the service).
    # Inside it, under the council's lock, the choice is made again only when signals came in
    # since the read or a candidate changed: two signals about one issue arriving at once still
    # make one cluster.
    with rt.db.read() as s:
        read_up_to = store.last_signal_id(s, council.slug)
        cands = store.candidates(s, council.slug, new.keys, ts, DEFAULT_WINDOW)
    chosen = _choose(new.features, cands)
    for attempt in range(3):
        try:
            with rt.db.session() as s:
                if queued_id is not None:
                    if not store.unqueue(s, queued_id):
                        return None
                elif new.intake_key:
                    seen = store.signal_by_intake_key(s, new.intake_key)
                    if seen is not None:
                        return _Stored(seen, store.cluster(s, council.slug, seen.cluster_id), False, False)
                store.lock_council(s, council.slug)
                changed = store.candidates_now(s, council.slug, new.keys, ts, DEFAULT_WINDOW, cands, read_up_to)
                if changed is not None:
                    cands, read_up_to = changed
                    chosen = _choose(new.features, cands)
                signal, cluster, is_new = _store_in_group(rt, s, council, data, new, contact, status_link, chosen, now)
            break
        except IntegrityError:
            with rt.db.read() as s:
                if queued_id is not None and store.signal_by_ref(s, new.ref_hash) is not None:
                    return None  # stored already (cannot happen while the queue row is deleted with it)
                seen = store.signal_by_intake_key(s, new.intake_key) if new.intake_key else None
                if seen is not None:  # the same keyed submission arrived twice at once; the other one stored it
                    return _Stored(seen, store.cluster(s, council.slug, seen.cluster_id), False, False)
            if attempt == 2:
                raise
            # A concurrent intake took the council's next cluster number: take the next one.
    log.info("signal %s stored in cluster %s (council %s, channel %s, %d candidates, %s)", signal.id, cluster.id,
             council.slug, new.channel, len(cands), "new cluster" if is_new else "joined")
    _after_stored(rt, cfg, settings, [cluster.id] if not is_new else [], is_new, now)
    return _Stored(signal, cluster, True, is_new)


def _store_in_group(rt: Runtime, s: Session, council: CouncilConfig, data: CouncilData, new: store.NewSignal,
                    contact: ContactIn | None, status_link: str | None, chosen: str | None,
                    now: datetime) -> tuple[Signal, Cluster, bool]:
    """Inside the write transaction, under the council's lock: the signal into the chosen cluster (None:
    a new one), with its contact details. Returns the signal, its cluster and whether it is new."""
    ts = new.features.ts
    is_new = chosen is None
    if chosen is None:
        room = _room(council, new.themes[0].id)
        cluster_id = store.new_cluster(s, council.slug, room, new.themes[0].id, new.wijk, ts).id
    else:
        cluster_id = int(chosen)
    signal = store.insert_signal(s, new, cluster_id)
    if contact is not None:
        store.insert_contact(s, signal.id, contact.name, contact.email, contact.phone, True, now,
                             language=contact.language or council.language, status_url=status_link)
    # Only a new cluster's card and first signal are posted here (the thread exists from then on);
    # a joined cluster owes its card edit and the signal's post on the row, and both go out after
    # the burst, one edit and one post for all of it.
    cluster = store.add_to_cluster(s, cluster_id, ts, new.wijk, now=now, card_owed=not is_new, post_owed=not is_new)
    if is_new:
        _post_first_card(rt, s, council, data, cluster, signal)
        _post_signal(rt, s, council, data, cluster, signal)
    return signal, cluster, is_new


def _after_stored(rt: Runtime, cfg: SignalsConfig, settings: Settings, joined: list[int], any_new: bool,
                  now: datetime) -> None:
    """After the commit: with no burst to wait for (``card_quiet`` 0) the joined clusters' posts and
    edits go out now; the handoff is woken only when something was queued for it (a joined signal's
    post and edit come with the cards job's turn, which wakes the handoff itself): each wake costs a
    lease write transaction, against the intakes' write lock."""
    if cfg.card_quiet <= 0:
        for cluster_id in dict.fromkeys(joined):
            flush_posts(rt, cfg, settings, cluster_id, now)
            flush_card(rt, cfg, settings, cluster_id, now)
    if any_new or (joined and cfg.card_quiet <= 0):
        rt.jobs.kick("handoff")


def submit(rt: Runtime, cfg: SignalsConfig, settings: Settings, sub: Submission, now: datetime) -> Receipt:
    """Receive a signal and group it before answering (the form, ``!signaal``, the API's 201)."""
    got = _receive(cfg, settings, sub, now)
    if sub.intake_key:
        with rt.db.read() as s:
            waiting = store.queued_by_intake_key(s, sub.intake_key)
        if waiting is not None:  # sent before to the queue and not grouped yet: grouped now
            group_queued(rt, cfg, settings, waiting, now)
    new = _new_signal(cfg, got.council, got.data, ref_hash=store.hash_reference(got.reference),
                      intake_key=got.intake_key, intake_key_hash=None, channel=got.channel,
                      scrubbed_text=got.scrubbed_text, scrubbed_kinds=got.scrubbed_kinds, wijk=got.wijk,
                      wijk_source=got.wijk_source, home=got.home, ts=got.ts)
    stored = _group_and_store(rt, cfg, settings, got.council, got.data, new, got.contact,
                              status_url(settings, got.reference), now)
    assert stored is not None  # only a queued signal can have been grouped already
    return Receipt(stored.signal, stored.cluster, got.reference, stored.created, stored.new_cluster)


@dataclass(frozen=True)
class QueuedReceipt:
    reference: str
    created: bool  # False: the same keyed submission was received before (queued or grouped)


def submit_queued(rt: Runtime, cfg: SignalsConfig, settings: Settings, sub: Submission, now: datetime) -> QueuedReceipt:
    """Receive a signal and answer at once; the intake job groups it (``POST …/signals/queued``, 202).
    Checked, scrubbed and themed like :func:`submit`, stored in one insert, so a partner's burst is
    not held up by the grouping, nor by the council lock the grouping takes."""
    got = _receive(cfg, settings, sub, now)
    contact = got.contact
    try:
        with rt.db.session() as s:
            if sub.intake_key and (store.signal_by_intake_key(s, sub.intake_key) is not None
                                   or store.queued_by_intake_key(s, sub.intake_key) is not None):
                return QueuedReceipt(got.reference, False)
            store.queue_signal(s, council=got.council.slug, ref_hash=store.hash_reference(got.reference),
                               intake_key=got.intake_key, channel=got.channel, scrubbed_text=got.scrubbed_text,
                               scrubbed_kinds=got.scrubbed_kinds, wijk=got.wijk, wijk_source=got.wijk_source,
                               home=got.home, ts=got.ts, now=now,
                               contact_name=contact.name if contact else None,
                               contact_email=contact.email if contact else None,
                               contact_phone=contact.phone if contact else None,
                               contact_language=(contact.language or got.council.language) if contact else None,
                               status_url=status_url(settings, got.reference) if contact else None)
    except IntegrityError:
        if not sub.intake_key:
            raise
        return QueuedReceipt(got.reference, False)  # the same keyed submission arrived twice at once
    return QueuedReceipt(got.reference, True)


@dataclass(frozen=True)
class _Unqueued:
    waiting: store.QueuedSignal
    council: CouncilConfig
    data: CouncilData
    new: store.NewSignal
    contact: ContactIn | None


def _unqueued(cfg: SignalsConfig, settings: Settings, waiting: store.QueuedSignal) -> _Unqueued | None:
    """A queued signal themed and with its features, ready to be grouped; None when its council is no
    longer configured (it stays queued, logged)."""
    council = settings.council(waiting.council)
    if council is None:
        log.error("queued signal %s belongs to council %r, which is not configured: left queued",
                  waiting.id, waiting.council)
        return None
    contact = (ContactIn(waiting.contact_name, waiting.contact_email, waiting.contact_phone, True,
                         waiting.contact_language) if waiting.has_contact else None)
    data = cfg.council(council.slug)
    new = _new_signal(cfg, council, data, ref_hash=waiting.ref_hash, intake_key=None,
                      intake_key_hash=waiting.intake_key_hash, channel=waiting.channel,
                      scrubbed_text=waiting.scrubbed_text, scrubbed_kinds=waiting.scrubbed_kinds, wijk=waiting.wijk,
                      wijk_source=waiting.wijk_source, home=waiting.home, ts=waiting.ts)
    return _Unqueued(waiting, council, data, new, contact)


def group_queued(rt: Runtime, cfg: SignalsConfig, settings: Settings, waiting: store.QueuedSignal,
                 now: datetime) -> bool:
    """Group one queued signal now (a resident opening its page before the job did; the job when a
    batch failed). False: grouped already, or its council is no longer configured."""
    item = _unqueued(cfg, settings, waiting)
    if item is None:
        return False
    stored = _group_and_store(rt, cfg, settings, item.council, item.data, item.new, item.contact,
                              waiting.status_url, now, queued_id=waiting.id)
    return stored is not None


# Queued signals of one council grouped per transaction by the job: one commit and one council lock
# for all of them instead of two transactions each (the candidates are read inside, where the signals
# of the same batch stored before are seen). Small enough that a form intake waits at most a moment.
GROUP_BATCH = 20


def _group_batch(rt: Runtime, cfg: SignalsConfig, settings: Settings, items: list[_Unqueued], now: datetime) -> int:
    """Group the queued signals ``items`` (one council, oldest first) in one transaction; each leaves the
    queue in it (one already gone, grouped by its resident's page, is skipped). Raises when any fails:
    then nothing of the batch is stored and the caller groups them one by one."""
    council, data = items[0].council, items[0].data
    joined: list[int] = []
    stored: list[tuple[Signal, Cluster, bool, int]] = []
    with rt.db.session() as s:
        store.lock_council(s, council.slug)
        for item in items:
            if not store.unqueue(s, item.waiting.id):
                continue
            new = item.new
            cands = store.candidates(s, council.slug, new.keys, new.features.ts, DEFAULT_WINDOW)
            signal, cluster, is_new = _store_in_group(rt, s, council, data, new, item.contact,
                                                      item.waiting.status_url, _choose(new.features, cands), now)
            stored.append((signal, cluster, is_new, len(cands)))
    for signal, cluster, is_new, n in stored:
        log.info("signal %s stored in cluster %s (council %s, channel %s, %d candidates, %s; from the queue)",
                 signal.id, cluster.id, council.slug, signal.channel, n, "new cluster" if is_new else "joined")
        if not is_new:
            joined.append(cluster.id)
    _after_stored(rt, cfg, settings, joined, any(x[2] for x in stored), now)
    return len(stored)


def group_queue(rt: Runtime, cfg: SignalsConfig, settings: Settings, now: datetime, *,
                quiet: float | None = None, batch: int = 100) -> int:
    """The intake job: group the queued signals once the queue has been quiet for ``intake_quiet``
    seconds (a partner's burst is over, and its requests are not slowed by the grouping), or when its
    oldest has waited ``intake_max_wait`` seconds; ``GROUP_BATCH`` of one council per transaction. When
    a batch fails its signals are grouped one by one, and a signal that fails then is logged, kept and
    tried again after 30 s, 1 min, 2 min … (at most hourly): one defect does not hold up the queue or
    flood the log, and nothing is dropped."""
    quiet = cfg.intake_quiet if quiet is None else quiet
    with rt.db.read() as s:
        due = store.queue_due(s, now, now - timedelta(seconds=max(quiet, 0.0)),
                              now - timedelta(seconds=cfg.intake_max_wait), batch)
    items = [item for item in (_unqueued(cfg, settings, w) for w in due) if item is not None]
    done = 0
    by_council: dict[str, list[_Unqueued]] = {}
    for item in items:
        by_council.setdefault(item.council.slug, []).append(item)
    for council_items in by_council.values():
        for start in range(0, len(council_items), GROUP_BATCH):
            chunk = council_items[start:start + GROUP_BATCH]
            try:
                done += _group_batch(rt, cfg, settings, chunk, now)
                continue
            except Exception:
                log.warning("a batch of %d queued signals could not be grouped together; one by one now",
                            len(chunk), exc_info=True)
            for item in chunk:
                try:
                    done += group_queued(rt, cfg, settings, item.waiting, now)
                except Exception:
                    wait = backoff_seconds(item.waiting.attempts + 1, base=30.0, cap=3600.0)
                    log.exception("queued signal %s could not be grouped (attempt %d); tried again in %.0f s",
                                  item.waiting.id, item.waiting.attempts + 1, wait)
                    with rt.db.session() as s:
                        store.queued_failed(s, item.waiting.id, now + timedelta(seconds=wait))
    return done


def _choose(feats: SignalFeatures, cands: list[store.Candidate]) -> str | None:
    return choose_cluster(feats, [(str(cid), f) for _, cid, f in cands])


def _month(ts: datetime, council: CouncilConfig) -> str:
    return ts.astimezone(ZoneInfo(council.timezone)).strftime("%Y-%m")


def _room(council: CouncilConfig, theme: str) -> str:
    return f"theme:{theme}" if theme in council.rooms.themes else "signals"


def theme_label(taxonomy: Taxonomy, theme: str, lang: str) -> str:
    return taxonomy.get(theme).label(lang) if theme in taxonomy else theme


# --------------------------------------------------------------------------- Matrix messages
def _render_card(council: CouncilConfig, data: CouncilData, cluster: Cluster, signals: list[Signal]) -> Rich:
    """The card of ``cluster`` from its earliest ``signals`` (no database: callers read what it needs)."""
    lang = council.language
    summary = cluster_summary([x.text for x in signals if x.text])
    reason: list[str] = []
    for x in signals:
        for th in x.themes:
            if th.id == cluster.theme:
                reason.extend(w for w in th.matched if w not in reason)
    return texts.card(lang, council.timezone, cluster_id=cluster.number,
                      theme=theme_label(data.taxonomy, cluster.theme, lang),
                      wijk=cluster.wijk, count=cluster.signal_count, heard=cluster.heard_count,
                      first=cluster.first_ts, last=cluster.last_ts, summary=summary,
                      wijken=list(cluster.wijken), reason=reason[:6],
                      corrected=cluster.theme_corrected, topic_id=cluster.topic_id,
                      agendered_at=cluster.agendered_at, outcome_text=cluster.outcome_text,
                      outcome_date=cluster.outcome_date, closed=cluster.closed_at is not None,
                      merged_into=cluster.merged_into, split_from=cluster.split_from,
                      local_note=_local_note(data, cluster, signals, lang), forwarded_to=cluster.forwarded_name,
                      forwarded_at=cluster.forwarded_at)


def local_group(cluster: Cluster, signals: list[Signal]) -> nbh.SignalGroup:
    """The group as domain/neighbourhood.py sees it (signals without stored features do not count)."""
    return nbh.SignalGroup(id=cluster.id, theme=cluster.theme, number=cluster.number, signals=tuple(
        nbh.LocalSignal.from_features(x.text, x.features) for x in signals if x.features is not None))


def _local_note(data: CouncilData, cluster: Cluster, signals: list[Signal], lang: str) -> str | None:
    """The card's line for a neighbourhood matter: with its commissie (and !doorsturen), or that none is
    configured so it stays with the council. Council matters get no line."""
    group = local_group(cluster, signals)
    if not group.signals:
        return None
    found = nbh.classify(group, data.local)
    if found.kind is not nbh.Kind.NEIGHBOURHOOD:
        return None
    code, params = found.card_note()
    if "place" in params and found.scope is not None and found.scope.place:
        params["place"] = ", ".join(p for p in (_place_name(data, found.scope.place), found.scope.wijk) if p)
    return texts.t(code, lang, **params)


def _place_name(data: CouncilData, key: str) -> str:
    """A street or complex as the operator wrote it (the domain compares folded keys without spaces)."""
    for c in data.local.commissies:
        for name in (c.complex or "", *c.places):
            if name and nbh.place_key(name) == key:
                return name
    return key[:1].upper() + key[1:]


def _card_message(s: Any, council: CouncilConfig, cluster: Cluster, rich: Rich, *, new: bool) -> OutboundMessage:
    if new:
        return OutboundMessage(key=cluster.card_key, council=council.slug, room=cluster.room, kind="text",
                               body=rich.body, html=rich.html, mentions=[])
    version = store.next_card_version(s, cluster.id)
    return OutboundMessage(key=f"signals:card:{cluster.id}:v{version}", council=council.slug,
                           room=cluster.room, kind="text", body=rich.body, html=rich.html,
                           edit_key=cluster.card_key, mentions=[])


def post_card(rt: Runtime, s: Any, council: CouncilConfig, data: CouncilData, cluster: Cluster, *,
              new: bool) -> None:
    """The cluster's card: the thread root when new, otherwise an edit in place (m.replace) with a key
    of its own, so every version is sent exactly once and in order. A member's action edits at once
    (inside its transaction); the edit carries everything, so an owed intake edit is settled with it."""
    cluster = store.cluster(s, council.slug, cluster.id)
    signals = store.cluster_signals(s, cluster.id, limit=SUMMARY_SOURCES)
    rt.post(s, _card_message(s, council, cluster, _render_card(council, data, cluster, signals), new=new))


def _post_first_card(rt: Runtime, s: Any, council: CouncilConfig, data: CouncilData, cluster: Cluster,
                     signal: Signal) -> None:
    """A new cluster's card, from the one signal it has (nothing to read back)."""
    rt.post(s, _card_message(s, council, cluster, _render_card(council, data, cluster, [signal]), new=True))


def flush_card(rt: Runtime, cfg: SignalsConfig, settings: Settings, cluster_id: int, now: datetime) -> bool:
    """Send the card edit a cluster owes, if it still owes one. Read and render outside the write
    transaction; the short write then checks that nothing came in meanwhile (else the next round
    renders again) and queues the edit with its version."""
    with rt.db.read() as s:
        row = store.cluster_owing(s, cluster_id)
        if row is None:
            return False
        cluster, pending = row
        council = settings.council(cluster.council)
        if council is None:
            return False
        signals = store.cluster_signals(s, cluster.id, limit=SUMMARY_SOURCES)
    rich = _render_card(council, cfg.council(council.slug), cluster, signals)
    with rt.db.session() as s:
        if not store.card_still_owed(s, cluster, pending):
            return False
        rt.post(s, _card_message(s, council, cluster, rich, new=False))
    return True


def flush_cards(rt: Runtime, cfg: SignalsConfig, settings: Settings, now: datetime, *,
                quiet: float | None = None) -> int:
    """The cards job: one edit for each cluster whose burst of signals is over (quiet for
    ``card_quiet`` seconds), or which has waited ``card_max_wait`` seconds (a steady stream still
    shows). The owed edits are on the cluster rows, so after a restart they are sent all the same."""
    quiet = cfg.card_quiet if quiet is None else quiet
    quiet_before = now - timedelta(seconds=max(quiet, 0.0))
    waited_before = now - timedelta(seconds=cfg.card_max_wait)
    with rt.db.read() as s:
        posts_due = store.clusters_owing_posts(s, quiet_before, waited_before)
        due = store.clusters_owing_a_card(s, quiet_before, waited_before)
    sent = 0
    for cluster_id in posts_due:  # the signals' post first: the card's edit then counts them
        if flush_posts(rt, cfg, settings, cluster_id, now):
            sent += 1
    for cluster_id, _, _ in due:
        if flush_card(rt, cfg, settings, cluster_id, now):
            sent += 1
    if sent:
        rt.jobs.kick("handoff")  # hands them on at its next turn, not after its interval
    return sent  # more than 0 keeps the job loop turning


def _signal_post(council: CouncilConfig, data: CouncilData, signal: Signal) -> dict[str, Any]:
    """What texts.signal_post shows of one signal."""
    lang = council.language
    primary = signal.themes[0]
    return dict(signal_id=signal.id, channel=signal.channel, ts=signal.ts, wijk=signal.wijk,
                theme=theme_label(data.taxonomy, primary.id, lang), matched=primary.matched, text=signal.text,
                removed=signal.scrubbed_kinds)


def _post_signal(rt: Runtime, s: Any, council: CouncilConfig, data: CouncilData, cluster: Cluster,
                 signal: Signal) -> None:
    """A new cluster's first signal, in its thread at once."""
    rich = texts.signal_post(council.language, council.timezone, **_signal_post(council, data, signal))
    key = signal_key(signal.id)
    rt.post(s, OutboundMessage(key=key, council=council.slug, room=cluster.room, kind="notice",
                               body=rich.body, html=rich.html, thread_key=cluster.card_key, mentions=[]))
    store.mark_posted(s, [signal.id], key)


def signal_key(signal_id: int) -> str:
    return f"signals:signal:{signal_id}"


def posts_key(signal_ids: list[int]) -> str:
    """The outbox key of one thread post showing ``signal_ids`` (ascending): a single signal's is
    its own key; several: the first and how many more. Stable (the job that retries a post makes
    the same key) and never reused: a signal is shown by one post at a time, and when an erasure
    makes the others of a post be posted again, they are fewer."""
    first = signal_ids[0]
    return signal_key(first) if len(signal_ids) == 1 else f"{signal_key(first)}+{len(signal_ids) - 1}"


def flush_posts(rt: Runtime, cfg: SignalsConfig, settings: Settings, cluster_id: int, now: datetime) -> bool:
    """Post the signals that joined the cluster and are not in its thread yet, in one message. Read
    and render outside the write transaction (like :func:`flush_card`); the short write then checks
    that the same signals still wait (else the next round renders again), queues the post and
    records on each signal which post shows it."""
    with rt.db.read() as s:
        slug = store.council_owing_posts(s, cluster_id)
        council = settings.council(slug) if slug else None
        if council is None:
            return False
        waiting = store.unposted_signals(s, cluster_id)
    data = cfg.council(council.slug)
    rich = texts.signal_posts(council.language, council.timezone, [_signal_post(council, data, x) for x in waiting])
    ids = [x.id for x in waiting]
    with rt.db.session() as s:
        cluster = store.cluster(s, council.slug, cluster_id, lock=True)  # the current thread (after an erasure)
        if store.unposted_signal_ids(s, cluster_id) != ids:
            return False
        if ids:
            key = posts_key(ids)
            rt.post(s, OutboundMessage(key=key, council=council.slug, room=cluster.room, kind="notice",
                                       body=rich.body, html=rich.html, thread_key=cluster.card_key, mentions=[]))
            store.mark_posted(s, ids, key)
        store.settle_posts(s, cluster_id)
    return bool(ids)


# --------------------------------------------------------------------------- members' actions
def cluster_id_of(rt: Runtime, slug: str, number: int) -> int:
    """The internal id of the council's signal group ``number`` (URLs and members use numbers)."""
    with rt.db.read() as s:
        return store.cluster_id_by_number(s, slug, number)


def correct_theme(rt: Runtime, cfg: SignalsConfig, settings: Settings, slug: str, number: int, theme: str,
                  member: str | None, action_key: str | None, now: datetime) -> tuple[Cluster, bool]:
    """``!thema``: the cluster and its signals get the member's theme; each signal's features and
    blocking keys are rewritten (later signals cluster by the corrected theme); the correction is kept."""
    council = council_config(settings, slug)
    data = cfg.council(slug)
    cluster_id = cluster_id_of(rt, slug, number)
    theme = theme.strip().lower()
    data.taxonomy.get(theme)  # NotFound for an unknown theme
    try:
        return _correct_theme(rt, council, data, slug, cluster_id, theme, member, action_key, now)
    except IntegrityError:  # the same command handled concurrently: it counts once
        with rt.db.read() as s:
            return store.cluster(s, slug, cluster_id), False


def _correct_theme(rt: Runtime, council: CouncilConfig, data: CouncilData, slug: str, cluster_id: int, theme: str,
                   member: str | None, action_key: str | None, now: datetime) -> tuple[Cluster, bool]:
    with rt.db.session() as s:
        if action_key and store.correction_done(s, action_key):
            return store.cluster(s, slug, cluster_id), False
        cluster = store.cluster(s, slug, cluster_id, lock=True)
        if cluster.theme == theme:
            return cluster, False
        members = store.cluster_signals(s, cluster_id)
        previous = next((t.confidence for x in members for t in x.themes if t.id == cluster.theme), None)
        for x in members:
            feats = None
            if x.features is not None:
                feats = replace(x.features, themes=frozenset({theme}) - {FALLBACK_THEME})
                store.replace_keys(s, slug, x.id, x.ts, blocking_keys(feats))
            store.set_signal_theme(s, x.id, theme, [ThemeInfo(theme, 1.0, ())], feats)
        store.add_correction(s, cluster_id, cluster.theme, theme, previous, member, action_key, now)
        store.set_cluster_theme(s, cluster_id, theme)
        post_card(rt, s, council, data, cluster, new=False)
        cluster = store.cluster(s, slug, cluster_id)
    log.info("cluster %s: theme corrected", cluster_id)
    rt.jobs.kick()
    return cluster, True


def heard(rt: Runtime, cfg: SignalsConfig, settings: Settings, slug: str, number: int, member: str,
          now: datetime) -> tuple[Cluster, bool]:
    """A member's 👍 on the card: counted once per member; the card shows the new count."""
    council = council_config(settings, slug)
    cluster_id = cluster_id_of(rt, slug, number)
    try:
        with rt.db.session() as s:
            cluster = store.cluster(s, slug, cluster_id, lock=True)
            added = store.add_heard(s, cluster_id, member, now)
            if added:
                post_card(rt, s, council, cfg.council(slug), cluster, new=False)
            cluster = store.cluster(s, slug, cluster_id)
    except IntegrityError:  # the same 👍 stored by a concurrent request: counted once
        with rt.db.read() as s:
            return store.cluster(s, slug, cluster_id), False
    if added:
        rt.jobs.kick()
    return cluster, added


def _notice(rt: Runtime, s: Any, council: CouncilConfig, cluster: Cluster, key: str, text: str) -> None:
    rt.post(s, OutboundMessage(key=key, council=council.slug, room=cluster.room, kind="notice", body=text,
                               thread_key=cluster.card_key, mentions=[]))


def merge_groups(rt: Runtime, cfg: SignalsConfig, settings: Settings, slug: str, into_number: int, from_number: int,
                 member: str | None, action_key: str | None, now: datetime) -> tuple[Cluster, bool]:
    """``!samenvoegen <groep-nr>`` in a group's thread: that group goes into this one. Its signals, residents and
    👍 come along; its thread says where it went, this one says what came in; residents of the moved signals follow
    this group's status (and hear of it, when they asked). A group on the agenda is not merged away."""
    council = council_config(settings, slug)
    data = cfg.council(slug)
    lang = council.language
    into_id, from_id = cluster_id_of(rt, slug, into_number), cluster_id_of(rt, slug, from_number)
    if into_id == from_id:
        raise Refused("signals.merge.same", "merge into itself", number=into_number)
    try:
        with rt.db.session() as s:
            if action_key and store.group_correction_done(s, action_key):
                return store.cluster(s, slug, into_id), False
            into = store.cluster(s, slug, into_id, lock=True)
            source = store.cluster(s, slug, from_id, lock=True)
            if source.closed_at is not None or into.closed_at is not None:
                raise Refused("signals.merge.closed", "merge with a closed group",
                              number=from_number if source.closed_at else into_number)
            if source.topic_id is not None:
                raise Refused("signals.merge.on_agenda", "merging a group on the agenda away", number=from_number,
                              into=into_number)
            moved = store.merge_clusters(s, slug, from_id, into_id, member, action_key, now)
            into = store.cluster(s, slug, into_id)
            if into.topic_id is not None:  # the moved residents follow this group's status
                store.set_cluster_signal_status(s, into_id, "op_agenda", texts.t(
                    "signals.status.op_agenda", lang, date=texts.long_day(into.agendered_at or now, lang)))
                mail_residents(s, settings, council, into_id, "op_agenda", day=into.agendered_at or now)
            source = store.cluster(s, slug, from_id)
            post_card(rt, s, council, data, source, new=False)
            _notice(rt, s, council, source, f"signals:merge:{slug}:{from_number}:into",
                    texts.t("signals.merge.went", lang, number=from_number, into=into_number))
            post_card(rt, s, council, data, into, new=False)
            _notice(rt, s, council, into, f"signals:merge:{slug}:{from_number}:came",
                    texts.t("signals.merge.came", lang, number=from_number, count=moved))
            into = store.cluster(s, slug, into_id)
    except IntegrityError:  # the same command handled concurrently: it counts once
        with rt.db.read() as s:
            return store.cluster(s, slug, into_id), False
    log.info("group %s of %s merged into %s (%d signals)", from_number, slug, into_number, moved)
    rt.jobs.kick()
    return into, True


def split_off(rt: Runtime, cfg: SignalsConfig, settings: Settings, slug: str, number: int, signal_id: int,
              member: str | None, action_key: str | None, now: datetime) -> tuple[Cluster, bool]:
    """``!afsplitsen <signaal-nr>`` in a group's thread: the signal becomes a group of its own (a new card and
    thread); later signals like it join that group (its blocking keys go with it). Returns the new group."""
    council = council_config(settings, slug)
    data = cfg.council(slug)
    lang = council.language
    cluster_id = cluster_id_of(rt, slug, number)
    try:
        with rt.db.session() as s:
            if action_key and store.group_correction_done(s, action_key):
                return store.cluster(s, slug, cluster_id), False
            group = store.cluster(s, slug, cluster_id, lock=True)
            sig = store.signal(s, slug, signal_id)
            if sig.cluster_id != cluster_id:
                raise Refused("signals.split.not_here", "signal of another group", signal_id=signal_id,
                              number=number)
            if group.signal_count < 2:
                raise Refused("signals.split.alone", "the only signal of its group", signal_id=signal_id)
            new = store.new_cluster(s, slug, _room(council, sig.themes[0].id), sig.themes[0].id, sig.wijk, sig.ts)
            store.add_to_cluster(s, new.id, sig.ts, sig.wijk, now=now, card_owed=False)
            store.split_signal(s, slug, signal_id, new.id, member, action_key, now)
            store.set_signal_status(s, signal_id, "ontvangen", texts.t("signals.status.ontvangen", lang))
            new = store.cluster(s, slug, new.id)
            sig = store.signal(s, slug, signal_id)
            _post_first_card(rt, s, council, data, new, sig)
            rich = texts.signal_post(lang, council.timezone, **_signal_post(council, data, sig))
            split_key = f"{signal_key(sig.id)}:afgesplitst:{new.number}"
            rt.post(s, OutboundMessage(key=split_key, council=council.slug,
                                       room=new.room, kind="notice", body=rich.body, html=rich.html,
                                       thread_key=new.card_key, mentions=[]))
            if sig.posted_key is None:  # it was still waiting for its post in the old thread: this is it
                store.mark_posted(s, [sig.id], split_key)
            group = store.cluster(s, slug, cluster_id)
            post_card(rt, s, council, data, group, new=False)
            _notice(rt, s, council, group, f"signals:split:{slug}:{signal_id}:{new.number}",
                    texts.t("signals.split.went", lang, signal_id=signal_id, number=new.number))
    except IntegrityError:
        with rt.db.read() as s:
            return store.cluster(s, slug, cluster_id), False
    log.info("signal %s of %s split off into group %s", signal_id, slug, new.number)
    rt.jobs.kick()
    return new, True


def deliberation_client(settings: Settings) -> ServiceClient:
    return ServiceClient("deliberation", settings.service_urls["deliberation"], settings.token_for("signals"),
                         timeout=5.0, retries=1)


def thread_link(settings: Settings, key: str) -> str | None:
    """Where the card landed in Matrix (the bot knows once it has sent it)."""
    client = ServiceClient("bot", settings.service_urls["bot"], settings.token_for("signals"), timeout=2.0, retries=0)
    try:
        status = client.get(f"/api/v1/outbox/{key}")
    except DomainError:
        return None
    return status.get("link") if isinstance(status, dict) else None


def put_on_agenda(rt: Runtime, cfg: SignalsConfig, settings: Settings, slug: str, number: int,
                  actor: str | None, idempotency_key: str | None, now: datetime) -> tuple[Cluster, bool]:
    """``!agenderen``: a topic in deliberation with the evidence and a link back; the card is marked.

    Deliberation is called before anything changes here. When it cannot be reached the member is
    told to try later and nothing changed; a retry is safe (deliberation answers the same cluster
    with the same topic, by ``source_ref``)."""
    council = council_config(settings, slug)
    data = cfg.council(slug)
    lang = council.language
    cluster_id = cluster_id_of(rt, slug, number)
    with rt.db.read() as s:
        cluster = store.cluster(s, slug, cluster_id)
        if cluster.topic_id is not None:
            return cluster, False
        members = [x for x in store.cluster_signals(s, cluster_id) if x.text]
    ev = evidence([EvidenceSignal(x.text, x.ts, x.wijk, tuple(t.id for t in x.themes)) for x in members]
                  or [EvidenceSignal("", cluster.first_ts)])
    source_ref = cluster.card_key
    body_text = texts.evidence_text(
        lang, council.timezone, cluster_id=cluster.number, count=cluster.signal_count, heard=cluster.heard_count,
        wijken=ev.neighbourhoods, first=cluster.first_ts, last=cluster.last_ts,
        themes=[theme_label(data.taxonomy, th, lang) for th in ev.themes], samples=ev.samples,
        link=thread_link(settings, cluster.card_key), source_ref=source_ref)
    where = f" in {cluster.wijk}" if cluster.wijk else ""
    title = truncate(texts.t("signals.topic.title", lang, theme=theme_label(data.taxonomy, cluster.theme, lang),
                             where=where, summary=ev.summary or "…"), TOPIC_TITLE_MAX)
    payload = {"title": title, "source": "signaal_cluster", "source_ref": source_ref, "evidence": body_text}
    if actor:
        payload["actor"] = actor
    try:
        topic = deliberation_client(settings).post(
            f"/api/v1/councils/{slug}/topics", json=payload,
            idempotency_key=f"signals:agenda:{cluster_id}:{idempotency_key or 'direct'}", lang=lang)
    except ServiceUnavailable as exc:
        log.warning("cluster %s: deliberation unreachable, nothing changed", cluster_id)
        raise DeliberationDown("signals.api.deliberation_down", "deliberation unreachable") from exc
    except ServiceError as exc:
        if exc.status == 401:  # our own token is refused: an operator's problem, not the member's
            log.error("deliberation refused the signals service's token; check api_tokens.signals")
        if exc.status >= 500 or exc.status == 401:
            raise DeliberationDown("signals.api.deliberation_down", f"deliberation answered {exc.status}") from exc
        raise
    topic_id = int(topic["id"])
    with rt.db.session() as s:
        cluster = store.cluster(s, slug, cluster_id, lock=True)
        if cluster.topic_id is not None:  # a concurrent !agenderen got there first: same topic
            return cluster, False
        store.set_topic(s, cluster_id, topic_id, str(topic.get("status") or ""), now)
        store.set_cluster_signal_status(s, cluster_id, "op_agenda",
                                        texts.t("signals.status.op_agenda", lang, date=texts.long_day(now, lang)))
        mail_residents(s, settings, council, cluster_id, "op_agenda", day=now)
        post_card(rt, s, council, data, cluster, new=False)
        cluster = store.cluster(s, slug, cluster_id)
    log.info("cluster %s put on the agenda as topic %s", cluster_id, topic_id)
    rt.jobs.kick()
    return cluster, True


# --------------------------------------------------------------------------- residents hear back


def status_url(settings: Settings, reference: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/signaal/{reference}"


def unsubscribe_token(settings: Settings, signal_id: int) -> str:
    """Keyed with the deployment's secret: only the e-mail holds it, nothing is stored."""
    digest = hmac.new(settings.secret_key.encode(), f"signals-unsubscribe:{signal_id}".encode(), hashlib.sha256)
    return f"{signal_id}-{digest.hexdigest()[:32]}"


def signal_of_unsubscribe_token(settings: Settings, token: str) -> int | None:
    head, _, _ = token.partition("-")
    if not head.isdigit() or len(head) > 12:
        return None
    return int(head) if hmac.compare_digest(unsubscribe_token(settings, int(head)), token) else None


def mail_residents(s: Session, settings: Settings, council: CouncilConfig, cluster_id: int, status: str, *,
                   day: datetime | date | None = None, decision: str | None = None,
                   commissie: str | None = None) -> int:
    """In the transaction of the status change: an e-mail to every resident of the group who asked to hear back
    (each in their own language, once per signal and status, whatever retries or restarts follow)."""
    queue = QueueStore(MAIL_MODEL)
    queued = 0
    for to in store.contacts_to_mail(s, cluster_id):
        lang = to.language if to.language in ("nl", "en") else council.language
        status_text = texts.t(f"signals.status.{status}", lang,
                              date=texts.long_day(day, lang, council.timezone) if day else "",
                              **({"commissie": commissie} if commissie else {}))
        stop = f"{settings.public_base_url.rstrip('/')}/signaal/afmelden/{unsubscribe_token(settings, to.signal_id)}"
        subject, text = texts.status_mail(
            lang, council=council.name, status=status, status_text=status_text, name=to.name, decision=decision,
            status_url=to.status_url, unsubscribe_url=stop)
        message = MailMessage(key=f"signals:mail:{to.signal_id}:{status}", to=to.email, subject=subject, text=text,
                              language=lang, unsubscribe_url=stop)
        queued += int(queue.enqueue(s, message))  # type: ignore[arg-type]  # any keyed model will do
    return queued


def unsubscribe(rt: Runtime, settings: Settings, token: str, now: datetime) -> bool:
    signal_id = signal_of_unsubscribe_token(settings, token)
    if signal_id is None:
        raise NotFound("signals.web.unsubscribe_unknown", "unknown unsubscribe token")
    with rt.db.session() as s:
        if store.contact(s, signal_id) is None:
            raise NotFound("signals.web.unsubscribe_unknown", "no contact details (any more)")
        return store.unsubscribe(s, signal_id, now)


# --------------------------------------------------------------------------- jobs
def poll_decisions(rt: Runtime, cfg: SignalsConfig, settings: Settings, now: datetime) -> int:
    """Ask deliberation what became of every topic made from a cluster. A decision goes on the
    status page of each signal in the cluster (residents who asked to be told are marked informed),
    on the card, and closes the signals: the retention period of contact details starts."""
    with rt.db.read() as s:
        waiting = store.clusters_on_agenda(s)
    if not waiting:
        return 0
    client = deliberation_client(settings)
    changed = 0
    for cluster in waiting:
        council = settings.council(cluster.council)
        if council is None:
            continue
        try:
            topic = client.get(f"/api/v1/councils/{cluster.council}/topics/{cluster.topic_id}")
        except ServiceUnavailable:
            log.info("deliberation unreachable; decisions are polled again later")
            return changed
        except ServiceError as exc:
            log.warning("cluster %s: topic %s answered %s", cluster.id, cluster.topic_id, exc.status)
            continue
        if apply_topic_state(rt, cfg, settings, council, cluster.id, topic, now):
            changed += 1
    return changed


def apply_topic_state(rt: Runtime, cfg: SignalsConfig, settings: Settings, council: CouncilConfig, cluster_id: int,
                      topic: dict[str, Any], now: datetime) -> bool:
    lang = council.language
    status = str(topic.get("status") or "")
    decision = topic.get("decision") or None
    with rt.db.session() as s:
        cluster = store.cluster(s, council.slug, cluster_id, lock=True)
        if cluster.closed_at is not None:
            return False
        if decision:
            decided_on = date.fromisoformat(str(decision["decided_on"]))
            store.set_topic_state(s, cluster_id, status, str(decision.get("text") or ""), decided_on, now)
            store.set_cluster_signal_status(
                s, cluster_id, "besloten", texts.t("signals.status.besloten", lang, date=texts.long_day(decided_on, lang)),
                closed_at=now)
            mail_residents(s, settings, council, cluster_id, "besloten", day=decided_on,
                           decision=str(decision.get("text") or "") or None)
            informed = store.mark_informed(s, cluster_id, now)
            log.info("cluster %s: topic %s decided; %d residents informed", cluster_id, cluster.topic_id, informed)
        elif status == "gesloten":
            store.set_topic_state(s, cluster_id, status, None, None, now)
            store.set_cluster_signal_status(s, cluster_id, "gesloten", texts.t("signals.status.gesloten", lang),
                                            closed_at=now)
            mail_residents(s, settings, council, cluster_id, "gesloten")
        else:
            if status != (cluster.topic_status or ""):
                store.set_topic_state(s, cluster_id, status, None, None, None)
            return False
        post_card(rt, s, council, cfg.council(council.slug), cluster, new=False)
    rt.jobs.kick()
    return True


def retention(rt: Runtime, cfg: SignalsConfig, settings: Settings, now: datetime) -> int:
    """Close clusters nobody added to for ``stale_days`` (never on the agenda), then erase contact
    details of signals closed more than ``retention_days`` ago."""
    done = 0
    with rt.db.read() as s:
        stale = store.stale_clusters(s, now - timedelta(days=cfg.stale_days))
    for cluster in stale:
        council = settings.council(cluster.council)
        if council is None:
            continue
        with rt.db.session() as s:
            store.close_cluster(s, cluster.id, now)
            store.set_cluster_signal_status(s, cluster.id, "verlopen",
                                            texts.t("signals.status.verlopen", council.language), closed_at=now)
            mail_residents(s, settings, council, cluster.id, "verlopen")
            post_card(rt, s, council, cfg.council(council.slug), cluster, new=False)
        done += 1
    with rt.db.session() as s:
        erased = store.erase_expired_contacts(s, now, timedelta(days=cfg.retention_days))
        # A consultation's contact details serve only the outcome: gone after CONTACT_RETENTION_DAYS without one.
        erased += store.erase_expired_answer_contacts(s, now - timedelta(days=cons.CONTACT_RETENTION_DAYS))
    if erased:
        log.info("retention: contact details of %d closed signals erased", erased)
    return done + erased


# --------------------------------------------------------------------------- the resident's rights
@dataclass(frozen=True)
class ResidentView:
    signal: Signal
    cluster: Cluster
    contact: Contact | None


def settle_reference(rt: Runtime, cfg: SignalsConfig, reference: str, now: datetime) -> None:
    """A resident opens the page of a signal still queued for grouping: it is grouped now, so the page,
    the download and the erasure show and reach it as any other."""
    code = normalise_reference(reference)
    if code is None:
        return
    with rt.db.read() as s:
        waiting = store.queued_by_ref(s, store.hash_reference(code))
    if waiting is not None:
        group_queued(rt, cfg, rt.settings, waiting, now)


def by_reference(rt: Runtime, reference: str) -> ResidentView:
    code = normalise_reference(reference)
    if code is None:
        raise NotFound("signals.api.reference_unknown", "malformed reference")
    with rt.db.read() as s:
        signal = store.signal_by_ref(s, store.hash_reference(code))
        if signal is None:
            raise NotFound("signals.api.reference_unknown", "unknown reference")
        return ResidentView(signal, store.cluster(s, signal.council, signal.cluster_id), store.contact(s, signal.id))


def plain_export(view: ResidentView, reference: str, cfg: SignalsConfig, lang: str, tz: str, council_name: str) -> str:
    """What :func:`export` holds, in plain words in the resident's language: a text file anyone can read."""
    sig, cl, contact = view.signal, view.cluster, view.contact

    def line(code: str, value: object) -> str:
        return f"{texts.t(code, lang)}: {value if value not in (None, '') else texts.t('signals.download.none', lang)}"

    out = [texts.t("signals.download.title", lang, council=council_name), "",
           line("signals.download.reference", normalise_reference(reference)),
           line("signals.download.received", texts.long_day(sig.ts, lang, tz)),
           line("signals.download.status", sig.status_note or texts.t(f"signals.status.{sig.status}", lang, date="")),
           line("signals.download.neighbourhood", sig.wijk),
           line("signals.download.group", cl.number), "",
           texts.t("signals.download.text", lang),
           sig.text if sig.text else texts.t("signals.web.erased_text", lang), "",
           line("signals.download.removed", ", ".join(sig.scrubbed_kinds)),
           texts.t("signals.download.original", lang), ""]
    if cl.outcome_text is not None and cl.outcome_date:
        out += [line("signals.download.decision", texts.long_day(cl.outcome_date, lang, tz)), cl.outcome_text, ""]
    if contact:
        out += [texts.t("signals.download.contact", lang),
                line("signals.download.name", contact.name), line("signals.download.email", contact.email),
                line("signals.download.phone", contact.phone),
                texts.t("signals.download.kept", lang, days=cfg.retention_days)]
    else:
        out.append(texts.t("signals.web.contact_none", lang))
    return "\n".join(out) + "\n"


def export(view: ResidentView, reference: str, cfg: SignalsConfig, settings: Settings) -> dict[str, Any]:
    """Everything stored about this signal, contact details included (the resident's right of access)."""
    sig, cl, contact = view.signal, view.cluster, view.contact
    return {
        "reference": normalise_reference(reference),
        "council": sig.council,
        "received_at": sig.ts.isoformat(),
        "channel": sig.channel,
        "text_as_stored": sig.text,
        "note": "Your original text was never stored: only this version, with personal data removed.",
        "personal_data_removed": list(sig.scrubbed_kinds),
        "neighbourhood": sig.wijk,
        "neighbourhood_source": sig.wijk_source,
        "themes": [t.to_dict() for t in sig.themes],
        "theme_source": sig.theme_source,
        "cluster": cl.number,
        "status": sig.status,
        "status_text": sig.status_note,
        "decision": ({"text": cl.outcome_text, "date": cl.outcome_date.isoformat()}
                     if cl.outcome_text is not None and cl.outcome_date else None),
        "closed_at": sig.closed_at.isoformat() if sig.closed_at else None,
        "erased_at": sig.erased_at.isoformat() if sig.erased_at else None,
        "contact": ({"name": contact.name, "email": contact.email, "phone": contact.phone,
                     "consent": contact.consent, "stored_at": contact.created_at.isoformat(),
                     "informed_at": contact.informed_at.isoformat() if contact.informed_at else None}
                    if contact else None),
        "contact_erased_at": sig.contact_erased_at.isoformat() if sig.contact_erased_at else None,
        "retention_days_after_closing": cfg.retention_days,
    }


def erase(rt: Runtime, cfg: SignalsConfig, settings: Settings, reference: str, now: datetime) -> ResidentView:
    """The resident's erasure reaches every copy: contact details and text go here; deliberation's topic
    loses the text (asked first: when it cannot be reached nothing changed and the resident tries again);
    in Matrix the signal's thread post and the card with every version of it are redacted, and a
    new card without the text is posted when the group has other signals."""
    settle_reference(rt, cfg, reference, now)
    view = by_reference(rt, reference)
    sig = view.signal
    council = council_config(settings, sig.council)
    if sig.erased_at is None and sig.text and view.cluster.topic_id is not None:
        erase_in_deliberation(rt, cfg, settings, council, view)
    ref_hash = store.hash_reference(normalise_reference(reference) or "")
    with rt.db.session() as s:
        cluster = store.cluster(s, council.slug, view.cluster.id, lock=True)
        current = store.signal_by_ref(s, ref_hash)
        if current is not None and current.erased_at is None:
            store.erase_signal(s, sig.id, now)
            reason = texts.t("signals.post.erased", council.language, signal_id=sig.id)
            if current.posted_key is not None:  # not posted yet: the post that will come leaves it out
                rt.post(s, OutboundMessage(key=f"{signal_key(sig.id)}:wis", council=council.slug,
                                           room=cluster.room, kind="redaction", edit_key=current.posted_key,
                                           body=reason, mentions=[]))
                # A post of a burst showed others too: they are posted again, without this one.
                store.repost_others(s, cluster.id, current.posted_key, sig.id, now)
            versions = [f"signals:card:{cluster.id}:v{n}" for n in range(1, cluster.card_version + 1)]
            rt.post(s, OutboundMessage(key=f"{cluster.card_key}:wis:{sig.id}", council=council.slug,
                                       room=cluster.room, kind="redaction", edit_key=cluster.card_key,
                                       redact_keys=versions, body=reason, mentions=[]))
            if any(x.text for x in store.cluster_signals(s, cluster.id)):
                post_card(rt, s, council, cfg.council(council.slug), cluster, new=True)  # its next generation
            elif cluster.closed_at is None:
                store.close_cluster(s, cluster.id, now)  # nothing left to show or to join
            # Handed-over copies of earlier cards and posts (the bot has them) go now, not after a day.
            rt.handoff.queue.forget_sent_text(s, now, keep_rows=False)
            log.info("signal %s erased at the resident's request", sig.id)
    rt.jobs.kick()
    return by_reference(rt, reference)


def erase_in_deliberation(rt: Runtime, cfg: SignalsConfig, settings: Settings, council: CouncilConfig,
                          view: ResidentView) -> None:
    """Ask deliberation to take the signal's text out of the topic made from its cluster (idempotent)."""
    sig, cluster = view.signal, view.cluster
    data = cfg.council(council.slug)
    lang = council.language
    short = summarise(sig.text)
    fragments = [f for f in dict.fromkeys((sig.text, short, one_line(short), one_line(sig.text))) if len(f) >= 3]
    with rt.db.read() as s:
        others = [x.text for x in store.cluster_signals(s, cluster.id) if x.text and x.id != sig.id]
    summary = cluster_summary(others) if others else ""
    where = f" in {cluster.wijk}" if cluster.wijk else ""
    title = truncate(texts.t("signals.topic.title", lang, theme=theme_label(data.taxonomy, cluster.theme, lang),
                             where=where, summary=summary or "…"), TOPIC_TITLE_MAX)
    payload = {"fragments": fragments[:10], "title": title,
               "replacement": texts.t("signals.post.erased", lang, signal_id=sig.id)[:200]}
    try:
        deliberation_client(settings).post(
            f"/api/v1/councils/{council.slug}/topics/{cluster.topic_id}/erase-signal-text", json=payload,
            idempotency_key=f"signals:erase:{sig.id}", lang=lang)
    except ServiceUnavailable as exc:
        log.warning("signal %s: deliberation unreachable, erasure not done yet", sig.id)
        raise DeliberationDown("signals.api.erase_later", "deliberation unreachable") from exc
    except ServiceError as exc:
        if exc.status == 404:  # the topic is gone: nothing there to erase
            return
        raise DeliberationDown("signals.api.erase_later", f"deliberation answered {exc.status}") from exc


# --------------------------------------------------------------------------- overview
def since_month(now: datetime, months: int, tz: str) -> str:
    local = now.astimezone(ZoneInfo(tz))
    index = local.year * 12 + local.month - 1 - (months - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def stats(rt: Runtime, settings: Settings, slug: str, months: int, now: datetime) -> dict[str, Any]:
    council = council_config(settings, slug)
    with rt.db.read() as s:
        return store.stats(s, slug, since_month(now, months, council.timezone))


def chart_png(rt: Runtime, cfg: SignalsConfig, settings: Settings, slug: str, months: int, lang: str,
              now: datetime) -> bytes:
    council = council_config(settings, slug)
    data = stats(rt, settings, slug, months, now)
    taxonomy = cfg.council(slug).taxonomy
    labels = {t.id: t.label(lang) for t in taxonomy.themes}
    return theme_month_png(data["months"], labels, title=texts.t("signals.chart.title", lang, council=council.name),
                           x_label=texts.t("signals.chart.month", lang), y_label=texts.t("signals.chart.count", lang),
                           empty_text=texts.t("signals.chart.empty", lang))


def post_chart(rt: Runtime, cfg: SignalsConfig, settings: Settings, slug: str, *, room_id: str,
               thread_event_id: str, reply_to_event_id: str | None, months: int, lang: str,
               now: datetime) -> str:
    """``!signalen``: the chart goes into the command's thread as an image, through the outbox."""
    council = council_config(settings, slug)
    if room_id not in council.rooms.all():
        raise Refused("signals.api.room_not_configured", "chart for a room of another council")
    png = chart_png(rt, cfg, settings, slug, months, lang, now)
    key = f"signals:chart:{thread_event_id}:{reply_to_event_id or '-'}"[:200]
    with rt.db.session() as s:
        rt.post(s, OutboundMessage(key=key, council=slug, room=room_id, kind="image",
                                   body=texts.t("signals.chart.alt", lang), image_b64=base64.b64encode(png).decode(),
                                   image_mimetype="image/png", thread_event_id=thread_event_id,
                                   reply_to_event_id=reply_to_event_id, mentions=[]))
    rt.jobs.kick()
    return key



# --------------------------------------------------------------------------- resident consultations
# ``!raadpleging``: a question on a council topic, answered by residents at /raadpleging/<code>. The domain
# (domain/consultation.py) checks and scrubs; here it is stored (contact details apart), announced in the topic's
# round thread (its count edited while it runs), summarised there when it closes, and residents who left an
# e-mail address hear what the council decided, after which their details are erased.
@dataclass(frozen=True)
class ConsultationOpened:
    info: store.ConsultationInfo
    url: str
    created: bool  # False: the same command was handled before


def consultation_url(settings: Settings, code: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/raadpleging/{code}"


def consultation_domain(info: store.ConsultationInfo) -> cons.Consultation:
    return cons.Consultation(code=info.code, topic_id=info.topic_id, topic_title=info.topic_title,
                             question=info.question, options=info.options, opens=info.opens, closes=info.closes,
                             state=cons.State(info.state), closed_at=info.closed_at)


def _topic(settings: Settings, slug: str, topic_id: int, lang: str) -> dict[str, Any]:
    try:
        return deliberation_client(settings).get(f"/api/v1/councils/{slug}/topics/{topic_id}", lang=lang)
    except ServiceUnavailable as exc:
        raise DeliberationDown("signals.api.deliberation_down", "deliberation unreachable") from exc
    except ServiceError as exc:
        if exc.status == 404:
            raise NotFound("signals.consultation.topic_unknown", "no such topic", topic_id=topic_id) from exc
        raise DeliberationDown("signals.api.deliberation_down", f"deliberation answered {exc.status}") from exc


def topic_thread(settings: Settings, slug: str, topic_id: int) -> str | None:
    """The outbox key of the topic's current (latest) round thread, read from deliberation's API; None when the
    topic has no round (yet) or deliberation cannot say: the message then goes to the council's room."""
    try:
        rounds = deliberation_client(settings).get(f"/api/v1/councils/{slug}/rounds", params={"topic_id": topic_id})
    except DomainError:
        return None
    if not isinstance(rounds, list) or not rounds:
        return None
    latest = max(rounds, key=lambda r: int(r.get("id") or 0))
    return str(latest.get("thread_key") or "") or None


def _announcement(council: CouncilConfig, info: store.ConsultationInfo, url: str, count: int, *,
                  closed: bool = False) -> Rich:
    lang = council.language
    c = consultation_domain(info)
    rich = Rich().heading(texts.t("signals.cons.announce_title", lang, topic_id=info.topic_id,
                                  topic=info.topic_title))
    rich.line(info.question, bold=texts.t("signals.consultation.question_label", lang))
    if info.options:
        rich.items(list(info.options))
    if closed:
        rich.line(texts.t("signals.cons.announce_closed", lang, count=count))
    else:
        rich.line(texts.t("signals.cons.announce_link", lang, url=url))
        code, params = cons.progress_message(c, count, lang)
        rich.line(texts.t(code, lang, **params))
    return rich


def _announce_key(code: str) -> str:
    return f"signals:consultation:{code}"


def open_consultation(rt: Runtime, cfg: SignalsConfig, settings: Settings, slug: str, *, command: str | None,
                      topic_id: int | None, question: str | None, options: list[str], closes_on: date | None,
                      actor: str | None, action_key: str | None, now: datetime) -> ConsultationOpened:
    """Open a consultation on a topic (the topic must exist in deliberation) and announce it in the topic's
    round thread, or in the council's room when the topic has no round yet. ``command`` is what follows
    ``!raadpleging`` (parsed here); else the structured fields. A repeated call (same key) opens nothing new."""
    council = council_config(settings, slug)
    zone = ZoneInfo(council.timezone)
    if command is not None:
        parsed = cons.parse_command(command, now.astimezone(zone).date())
        topic_id, question, options, closes_on = parsed.topic_id, parsed.question, list(parsed.options), \
            parsed.closes_on or closes_on
    if topic_id is None or not (question or "").strip():
        raise InvalidInput("signals.consultation.usage", "topic and question needed")
    if action_key:
        with rt.db.read() as s:
            seen = store.consultation_by_action_key(s, action_key)
        if seen is not None:
            return ConsultationOpened(seen, consultation_url(settings, seen.code), False)
    # Checked before deliberation is asked: a malformed question costs no call.
    cons.open_consultation(code=cons.new_code(secrets.token_bytes), topic_id=topic_id, topic_title="-",
                           question=question or "", options=options, now=now, closes_on=closes_on, zone=zone)
    topic = _topic(settings, slug, topic_id, council.language)
    thread_key = topic_thread(settings, slug, topic_id)
    c = cons.open_consultation(code=cons.new_code(secrets.token_bytes), topic_id=topic_id,
                               topic_title=truncate(str(topic.get("title") or f"#{topic_id}"), cons.MAX_TOPIC_CHARS),
                               question=question or "", options=options, now=now, closes_on=closes_on, zone=zone)
    try:
        with rt.db.session() as s:
            info = store.insert_consultation(s, council=slug, code=c.code, topic_id=c.topic_id,
                                             topic_title=c.topic_title, question=c.question, options=c.options,
                                             opens=c.opens, closes=c.closes, opened_by=actor, action_key=action_key,
                                             thread_key=thread_key)
            url = consultation_url(settings, info.code)
            rich = _announcement(council, info, url, 0)
            rt.post(s, OutboundMessage(key=_announce_key(info.code), council=slug, room="main", kind="text",
                                       body=rich.body, html=rich.html, thread_key=thread_key, mentions=[]))
    except IntegrityError:
        if not action_key:
            raise
        with rt.db.read() as s:  # the same command handled concurrently
            seen = store.consultation_by_action_key(s, action_key)
        return ConsultationOpened(seen, consultation_url(settings, seen.code), False)  # type: ignore[union-attr]
    log.info("consultation on topic %s of %s opened (%d options, closes %s)", topic_id, slug, len(c.options),
             c.closes.isoformat())
    rt.jobs.kick("handoff")
    return ConsultationOpened(info, url, True)


def consultation_info(rt: Runtime, code: str, council: str | None = None) -> store.ConsultationInfo:
    if not cons.is_valid_code(code):
        raise NotFound("signals.consultation.code_invalid", "malformed consultation code")
    with rt.db.read() as s:
        return store.consultation(s, code, council=council)


def _stored_answers(s: Session, consultation_id: int) -> list[cons.Answer]:
    return [cons.Answer(option=a.option, text=a.text, wijk=a.wijk, ts=a.ts, scrubbed_kinds=a.scrubbed_kinds)
            for a in store.answers(s, consultation_id)]


def consultation_summary(rt: Runtime, cfg: SignalsConfig, info: store.ConsultationInfo) -> cons.Summary:
    with rt.db.read() as s:
        items = _stored_answers(s, info.id)
    return cons.summarise_answers(consultation_domain(info), items, cfg.council(info.council).taxonomy)


@dataclass(frozen=True)
class AnswerReceipt:
    reference: str
    created: bool
    contact_kept: bool


def answer_consultation(rt: Runtime, cfg: SignalsConfig, settings: Settings, code: str, form: cons.AnswerForm, *,
                        language: str, intake_key: str | None, now: datetime) -> AnswerReceipt:
    """A resident's answer: checked and scrubbed by the domain, the answer stored without anything that names
    them, contact details (with consent) in a table of their own. The same submission (key) is stored once."""
    info = consultation_info(rt, code)
    data = cfg.council(info.council)
    accepted = cons.validate_answer(consultation_domain(info), form, now, neighbourhoods=data.neighbourhoods)
    reference = new_reference(settings.secret_key, f"consultation:{intake_key}" if intake_key else None)
    ans = accepted.answer
    try:
        with rt.db.session() as s:
            if intake_key and store.answer_by_intake_key(s, intake_key) is not None:
                return AnswerReceipt(reference, False, accepted.contact is not None)
            row = store.insert_answer(s, info.id, ref_hash=store.hash_reference(reference), intake_key=intake_key,
                                      option=ans.option, text=ans.text, scrubbed_kinds=ans.scrubbed_kinds,
                                      wijk=ans.wijk, ts=ans.ts)
            if accepted.contact is not None:
                store.insert_answer_contact(s, row.id, name=accepted.contact.name, email=accepted.contact.email,
                                            phone=accepted.contact.phone,
                                            language=language if language in ("nl", "en") else "nl", now=now)
    except IntegrityError:
        if not intake_key:
            raise
        return AnswerReceipt(reference, False, accepted.contact is not None)
    log.info("consultation %s…: answer stored (%s)", code[:6], "with contact" if accepted.contact else "anonymous")
    return AnswerReceipt(reference, True, accepted.contact is not None)


@dataclass(frozen=True)
class AnswerView:
    answer: store.StoredAnswer
    consultation: store.ConsultationInfo
    contact: store.AnswerContact | None


def answer_by_reference(rt: Runtime, reference: str) -> AnswerView:
    code = normalise_reference(reference)
    if code is None:
        raise NotFound("signals.api.reference_unknown", "malformed reference")
    with rt.db.read() as s:
        found = store.answer_by_ref(s, store.hash_reference(code))
        if found is None:
            raise NotFound("signals.api.reference_unknown", "unknown reference")
        return AnswerView(found, store.consultation_by_id(s, found.consultation_id), store.answer_contact(s, found.id))


def erase_answer(rt: Runtime, reference: str, now: datetime) -> AnswerView:
    """The resident's erasure: text and contact details go, and the answer no longer counts. A summary already
    posted keeps its numbers (it holds no text of theirs beyond a scrubbed quote)."""
    view = answer_by_reference(rt, reference)
    with rt.db.session() as s:
        if store.erase_answer(s, view.answer.id, now):
            log.info("consultation answer %s erased at the resident's request", view.answer.id)
    return answer_by_reference(rt, reference)


def close_consultation(rt: Runtime, cfg: SignalsConfig, settings: Settings, code: str, now: datetime, *,
                       council: str | None = None) -> store.ConsultationInfo:
    """Close it (when due, or early by the secretary) and post the summary in the topic's current round
    thread (a round may have been opened since it started), else in the council's room. Idempotent."""
    info = consultation_info(rt, code, council)
    if info.state == "closed":
        return info
    c = consultation_domain(info).close(now)
    cnc = settings.council(info.council)
    if cnc is None:
        return info
    lang = cnc.language
    thread_key = topic_thread(settings, info.council, info.topic_id) or info.thread_key
    with rt.db.session() as s:
        current = store.consultation(s, code, lock=True)
        if current.state == "closed":
            return current
        taxonomy = cfg.council(info.council).taxonomy
        summary = cons.summarise_answers(c, _stored_answers(s, info.id), taxonomy)
        rich = cons.render_summary(summary, Rich(), lang, taxonomy=taxonomy)
        if not thread_key:
            rich.line(texts.t("signals.cons.summary_topic", lang, topic_id=info.topic_id))
        rt.post(s, OutboundMessage(key=f"{_announce_key(code)}:summary", council=info.council, room="main",
                                   kind="text", body=rich.body, html=rich.html, thread_key=thread_key, mentions=[]))
        store.close_consultation(s, info.id, now, summary.to_dict(), thread_key)
        version = store.set_shown(s, info.id, summary.total)
        closed = store.consultation(s, code)
        edit = _announcement(cnc, closed, consultation_url(settings, code), summary.total, closed=True)
        rt.post(s, OutboundMessage(key=f"{_announce_key(code)}:v{version}", council=info.council, room="main",
                                   kind="text", body=edit.body, html=edit.html, edit_key=_announce_key(code),
                                   mentions=[]))
    log.info("consultation on topic %s of %s closed: %d answers", info.topic_id, info.council, summary.total)
    rt.jobs.kick("handoff")
    # The summary becomes background of the topic in deliberation: now if it answers, else the feedback job
    # sends it later (the row stays owed until deliberation has it).
    send_consultation_background(rt, cfg, settings, closed, now)
    return closed


BACKGROUND_TEXT_MAX = 4000  # deliberation's limit for a background note


def send_consultation_background(rt: Runtime, cfg: SignalsConfig, settings: Settings, info: store.ConsultationInfo,
                                 now: datetime) -> str:
    """Post a closed consultation's summary to deliberation as background of its topic (shown in the topic's
    rounds and with its decision in the decision list). Keyed by the consultation: sending twice stores one
    note. "sent"; or "down"/"refused" (deliberation unreachable, or it said no): the consultation stays owed
    and is sent again later."""
    council = settings.council(info.council)
    if council is None or info.state != "closed":
        return "refused"
    lang = council.language
    summary = consultation_summary(rt, cfg, info)
    payload = {"source": "raadpleging", "key": _announce_key(info.code),
               "title": texts.t("signals.cons.web_title", lang),
               "text": truncate(cons.background_text(summary, lang, taxonomy=cfg.council(info.council).taxonomy),
                                BACKGROUND_TEXT_MAX)}
    try:
        deliberation_client(settings).post(f"/api/v1/councils/{info.council}/topics/{info.topic_id}/background",
                                           json=payload, lang=lang)
    except ServiceUnavailable:
        log.info("consultation on topic %s: deliberation unreachable, background sent later", info.topic_id)
        return "down"
    except ServiceError as exc:
        log.warning("consultation on topic %s: deliberation refused the background (%s); tried again later",
                    info.topic_id, exc.status)
        return "refused"
    with rt.db.session() as s:
        store.set_background_sent(s, info.id, now)
    log.info("consultation on topic %s of %s: summary sent as the topic's background", info.topic_id, info.council)
    return "sent"


def consultation_backgrounds(rt: Runtime, cfg: SignalsConfig, settings: Settings, now: datetime) -> int:
    """Send the summaries deliberation does not have yet (it was down when they closed). Stops when deliberation
    is unreachable; the next turn tries again."""
    with rt.db.read() as s:
        owed = store.consultations_background_owed(s)
    sent = 0
    for info in owed:
        outcome = send_consultation_background(rt, cfg, settings, info, now)
        if outcome == "down":
            break
        sent += outcome == "sent"
    return sent


def consultations_job(rt: Runtime, cfg: SignalsConfig, settings: Settings, now: datetime) -> int:
    """Close the consultations whose time has come (summary in the topic's thread), and edit the running ones'
    announcements to show the count (one edit per turn, however many answers came)."""
    done = 0
    with rt.db.read() as s:
        due = store.consultations_due(s, now)
        to_show = store.consultations_to_show(s)
    for info in due:
        close_consultation(rt, cfg, settings, info.code, now)
        done += 1
    for info in to_show:
        if info.closes <= now:
            continue
        council = settings.council(info.council)
        if council is None:
            continue
        with rt.db.session() as s:
            current = store.consultation(s, info.code, lock=True)
            if current.state != "open" or current.answer_count == current.shown_count:
                continue
            version = store.set_shown(s, info.id, current.answer_count)
            rich = _announcement(council, current, consultation_url(settings, info.code), current.answer_count)
            rt.post(s, OutboundMessage(key=f"{_announce_key(info.code)}:v{version}", council=info.council,
                                       room="main", kind="text", body=rich.body, html=rich.html,
                                       edit_key=_announce_key(info.code), mentions=[]))
        done += 1
    if done:
        rt.jobs.kick("handoff")
    return done


def consultation_outcomes(rt: Runtime, cfg: SignalsConfig, settings: Settings, now: datetime) -> int:
    """Residents who left an e-mail address hear what the council decided on the consultation's topic (asked
    of deliberation, like the signals' feedback); their contact details are erased in the same transaction."""
    with rt.db.read() as s:
        waiting = store.consultations_awaiting_outcome(s)
    sent = 0
    for info in waiting:
        council = settings.council(info.council)
        if council is None:
            continue
        try:
            topic = deliberation_client(settings).get(f"/api/v1/councils/{info.council}/topics/{info.topic_id}")
        except ServiceUnavailable:
            return sent
        except ServiceError as exc:
            log.warning("consultation on topic %s: deliberation answered %s", info.topic_id, exc.status)
            continue
        decision = topic.get("decision") if isinstance(topic, dict) else None
        if not decision:
            continue
        queue = QueueStore(MAIL_MODEL)
        with rt.db.session() as s:
            for to in store.answer_contacts(s, info.id):
                lang = to.language if to.language in ("nl", "en") else council.language
                subject = texts.t("signals.consultation.feedback_subject", lang, topic=info.topic_title)
                body = texts.t("signals.consultation.feedback_body", lang, topic=info.topic_title,
                               decision=str(decision.get("text") or ""))
                hello = texts.t("signals.mail.hello", lang, name=to.name) if to.name else \
                    texts.t("signals.mail.hello_anonymous", lang)
                text = f"{hello}\n\n{body}\n\n{texts.t('signals.mail.regards', lang, council=council.name)}\n"
                queue.enqueue(s, MailMessage(key=f"signals:consultation-mail:{to.answer_id}", to=to.email,  # type: ignore[arg-type]
                                             subject=truncate(subject, 200), text=text, language=lang))
                sent += 1
            store.delete_answer_contacts(s, info.id)
            store.set_outcome_sent(s, info.id, now)
        log.info("consultation on topic %s decided: residents informed, contact details erased", info.topic_id)
    return sent


# --------------------------------------------------------------------------- bewonerscommissies
def forward_group(rt: Runtime, cfg: SignalsConfig, settings: Settings, slug: str, number: int,
                  commissie_id: str | None, actor: str | None, now: datetime) -> tuple[Cluster, nbh.Bewonerscommissie,
                                                                                  bool]:
    """``!doorsturen [commissie]`` in a group's thread: the group goes to the bewonerscommissie of its place (or
    the one named): a message in the commissie's room and/or an e-mail, with the scrubbed signals only (never
    contact details). The group leaves the council's open list, its card and residents' status pages say to
    whom, residents who asked hear of it. Refused (the group stays) when no commissie fits. Handing over the
    same signals twice sends nothing twice."""
    council = council_config(settings, slug)
    data = cfg.council(slug)
    lang = council.language
    cluster_id = cluster_id_of(rt, slug, number)
    with rt.db.read() as s:
        cluster = store.cluster(s, slug, cluster_id)
        members = [x for x in store.cluster_signals(s, cluster_id) if x.text]
    if cluster.topic_id is not None:
        raise Refused("signals.forward.on_agenda", "group on the agenda", number=number, topic_id=cluster.topic_id)
    group = local_group(cluster, members)
    if not group.signals:
        raise InvalidInput("signals.cluster_empty", "nothing to hand over")
    target = nbh.forward_target(group, data.local, commissie_id)
    handoff = nbh.build_handoff(group, target, known_places=data.neighbourhoods.names)
    key = f"signals:handoff:{cluster.id}:{target.id}:{cluster.signal_count}"
    mail_queue = QueueStore(MAIL_MODEL)
    with rt.db.session() as s:
        cluster = store.cluster(s, slug, cluster_id, lock=True)
        if cluster.forwarded_to == target.id and _handed(s, rt, key):
            return cluster, target, False  # these very signals went to this commissie already
        if target.room_id:
            rich = nbh.render_handoff(handoff, Rich(), lang, taxonomy=data.taxonomy)
            rt.post(s, OutboundMessage(key=key, council=slug, room=target.room_id, kind="text", body=rich.body,
                                       html=rich.html, mentions=[]))
        if target.email:
            subject, text = nbh.handoff_email(handoff, lang, taxonomy=data.taxonomy)
            mail_queue.enqueue(s, MailMessage(key=f"{key}:mail", to=target.email,  # type: ignore[arg-type]
                                              subject=truncate(subject, 200), text=text, language=lang))
        first = cluster.forwarded_to is None
        store.set_forwarded(s, cluster_id, target.id, target.name, now)
        status, note_code, params = nbh.resident_status(target)
        store.set_cluster_signal_status(s, cluster_id, status, texts.t(
            f"signals.status.{status}", lang, commissie=target.name, date=texts.long_day(now, lang, council.timezone)))
        if first:
            mail_residents(s, settings, council, cluster_id, status, day=now, commissie=target.name)
        post_card(rt, s, council, data, cluster, new=False)
        _notice(rt, s, council, cluster, f"{key}:notice", texts.t("signals.forward.done", lang, commissie=target.name))
        cluster = store.cluster(s, slug, cluster_id)
    log.info("group %s of %s handed to bewonerscommissie %s (%d signals, %s)", number, slug, target.id,
             handoff.count, "room" if target.room_id else "e-mail")
    rt.jobs.kick()
    return cluster, target, True


def _handed(s: Session, rt: Runtime, key: str) -> bool:
    """Whether the hand-off with this key was queued before (its notice in the group's thread is keyed alike)."""
    model = rt.handoff.queue.model
    return s.scalar(select(model.id).where(model.key == f"{key}:notice")) is not None


def open_list(rt: Runtime, settings: Settings, slug: str, limit: int = 100) -> list[Cluster]:
    council_config(settings, slug)
    with rt.db.read() as s:
        return store.open_clusters(s, slug, limit=limit)


# --------------------------------------------------------------------------- patterns across neighbourhoods
_PATTERN_SEEN: dict[str, tuple[Any, ...]] = {}  # per council: the groups' fingerprint last looked at (per process)


def _pattern_groups(clusters: list[Cluster]) -> list[pat.PatternGroup]:
    return [pat.PatternGroup(id=c.id, theme=c.theme, wijk=c.wijk, first_ts=c.first_ts, last_ts=c.last_ts,
                             count=c.signal_count, number=c.number) for c in clusters]


def _pattern_card(council: CouncilConfig, data: CouncilData, p: pat.Pattern, topic_id: int | None) -> Rich:
    lang = council.language
    rich = pat.render_card(p, Rich(), lang, taxonomy=data.taxonomy)
    if topic_id is not None:
        rich.line(texts.t("signals.pattern.on_agenda", lang, topic_id=topic_id))
    return rich


def _pattern_from(info: store.PatternInfo) -> pat.Pattern:
    d = info.data
    groups = tuple(pat.PatternGroup(id=int(g["id"]), theme=info.theme, wijk=g.get("wijk"),
                                    first_ts=datetime.fromisoformat(g["first"]), last_ts=datetime.fromisoformat(g["last"]),
                                    count=int(g.get("count") or 1), number=g.get("number")) for g in d["groups"])
    return pat.Pattern(id=info.id, theme=info.theme, groups=groups, wijken=tuple(d["wijken"]),
                       first_seen=datetime.fromisoformat(d["first_seen"]),
                       last_seen=datetime.fromisoformat(d["last_seen"]))


def refresh_patterns(rt: Runtime, cfg: SignalsConfig, settings: Settings, slug: str, now: datetime, *,
                     force: bool = False) -> int:
    """Find the council's patterns (the same theme in ``pattern_min_wijken`` wijken within
    ``pattern_window_days``); a new one gets a card in the signals room, a changed one an edit of it. Groups handed
    to a commissie count too. Only done again when the groups changed (a cheap fingerprint)."""
    council = council_config(settings, slug)
    data = cfg.council(slug)
    since = now - timedelta(days=cfg.pattern_window_days)
    with rt.db.read() as s:
        print_ = (*store.cluster_activity(s, slug, since), since.date())
        if not force and _PATTERN_SEEN.get(slug) == print_:
            return 0
        clusters = store.clusters_active_since(s, slug, since)
        known = store.patterns(s, slug, active_only=False)
    found = pat.find_patterns(_pattern_groups(clusters), now, cfg.pattern_window_days, cfg.pattern_min_wijken,
                              known=[pat.KnownPattern(k.id, k.theme, k.group_ids, frozenset(fold(w) for w in k.wijken))
                                     for k in known])
    active = [pat.KnownPattern(k.id, k.theme, k.group_ids, frozenset(fold(w) for w in k.wijken))
              for k in known if k.active]
    changed = 0
    topics = {k.id: k.topic_id for k in known}
    try:
        with rt.db.session() as s:
            for update in pat.updates(found, active):
                if update.change is pat.Change.UNCHANGED:
                    continue
                p = update.pattern
                version = store.save_pattern(s, slug, p.id, p.theme, [g.id for g in p.groups], p.wijken, p.to_dict(),
                                             now)
                rich = _pattern_card(council, data, p, topics.get(p.id))
                key = pat.card_key(p)
                if version == 0:
                    rt.post(s, OutboundMessage(key=key, council=slug, room="signals", kind="text", body=rich.body,
                                               html=rich.html, mentions=[]))
                else:
                    rt.post(s, OutboundMessage(key=f"{key}:v{version}", council=slug, room="signals", kind="text",
                                               body=rich.body, html=rich.html, edit_key=key, mentions=[]))
                changed += 1
            store.deactivate_patterns(s, slug, [p.id for p in found])
    except IntegrityError:  # another worker saved the same new pattern at the same moment: it posted the card
        return 0
    _PATTERN_SEEN[slug] = print_
    if changed:
        log.info("patterns of %s: %d cards posted or edited", slug, changed)
        rt.jobs.kick("handoff")
    return changed


def patterns_job(rt: Runtime, cfg: SignalsConfig, settings: Settings, now: datetime) -> int:
    return sum(refresh_patterns(rt, cfg, settings, c.slug, now) for c in settings.councils)


def list_patterns(rt: Runtime, settings: Settings, slug: str) -> list[store.PatternInfo]:
    council_config(settings, slug)
    with rt.db.read() as s:
        return store.patterns(s, slug)


def pattern_of_card(rt: Runtime, slug: str, pattern_id: str) -> store.PatternInfo:
    with rt.db.read() as s:
        return store.pattern(s, slug, pattern_id)


def put_pattern_on_agenda(rt: Runtime, cfg: SignalsConfig, settings: Settings, slug: str, pattern_id: str,
                          actor: str | None, idempotency_key: str | None, now: datetime) -> tuple[store.PatternInfo,
                                                                                                   bool]:
    """``!agenderen`` in a pattern card's thread: a council topic with the pattern as its background (the groups,
    wijken and dates; no resident's text). Deliberation answers the same card with the same topic."""
    council = council_config(settings, slug)
    data = cfg.council(slug)
    lang = council.language
    info = pattern_of_card(rt, slug, pattern_id)
    if info.topic_id is not None:
        return info, False
    p = _pattern_from(info)
    title, background = pat.topic_proposal(p, lang, taxonomy=data.taxonomy)
    lines = [background, "", texts.t("signals.pattern.evidence_groups", lang)]
    lines += [f"- {g.wijk}: #{g.number} ({g.count})" for g in p.groups]
    link = thread_link(settings, info.card_key)
    if link:
        lines += ["", link]
    payload: dict[str, Any] = {"title": truncate(title, TOPIC_TITLE_MAX), "source": "signaal_cluster",
                               "source_ref": info.card_key, "evidence": truncate("\n".join(lines), 4000)}
    if actor:
        payload["actor"] = actor
    try:
        topic = deliberation_client(settings).post(
            f"/api/v1/councils/{slug}/topics", json=payload,
            idempotency_key=f"signals:pattern-agenda:{pattern_id}:{idempotency_key or 'direct'}"[:200], lang=lang)
    except ServiceUnavailable as exc:
        raise DeliberationDown("signals.api.deliberation_down", "deliberation unreachable") from exc
    except ServiceError as exc:
        if exc.status >= 500 or exc.status == 401:
            raise DeliberationDown("signals.api.deliberation_down", f"deliberation answered {exc.status}") from exc
        raise
    topic_id = int(topic["id"])
    with rt.db.session() as s:
        current = store.pattern(s, slug, pattern_id, lock=True)
        if current.topic_id is not None:
            return current, False
        version = store.set_pattern_topic(s, pattern_id, topic_id)
        rich = _pattern_card(council, data, p, topic_id)
        rt.post(s, OutboundMessage(key=f"{info.card_key}:v{version}", council=slug, room="signals", kind="text",
                                   body=rich.body, html=rich.html, edit_key=info.card_key, mentions=[]))
        current = store.pattern(s, slug, pattern_id)
    log.info("pattern %s of %s put on the agenda as topic %s", pattern_id, slug, topic_id)
    rt.jobs.kick("handoff")
    return current, True


# --------------------------------------------------------------------------- bewonersavond sign-up
# ``!bewonersavond <event-nr>`` opens a calendar event of type bewonersavond or bewonersconsultatie for residents:
# a public page /bewonersavond/<code> with places and a waiting list (domain/signup.py). The event's facts come
# from the calendar service (read by the bot, which may call it; see the notes); the list holds no addresses:
# they live apart, serve the confirmation, a "a place came free" and the reminder, and are erased on cancelling
# and once the event is over.
SIGNUP_TYPES = ("bewonersavond", "bewonersconsultatie")


def signup_url(settings: Settings, code: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/bewonersavond/{code}"


def cancel_url(settings: Settings, token: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/bewonersavond/afmelden/{token}"


def _token_hash(token: str) -> str:
    return hashlib.sha256(f"signals-signup:{token}".encode()).hexdigest()


def _event_start(value: str, zone: ZoneInfo) -> datetime:
    """The calendar's start: ``2027-03-16`` (all day: its morning) or ``2027-03-16T19:30`` (local), or with an
    offset."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise Refused("signals.signup.event_invalid", "event start unreadable") from exc
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def _signup_list(s: Session, ev: store.SignupEvent) -> sgn.SignupList:
    regs = tuple(sgn.Registration(token=r.token_hash, email_key=r.email_key, signed_up=store.aware(r.signed_up),
                                  state=sgn.SeatState(r.state), moved_up=store.aware(r.moved_up),
                                  cancelled=store.aware(r.cancelled), reminded=store.aware(r.reminded))
                 for r in store.signup_rows(s, ev.id))
    return sgn.SignupList(event_key=str(ev.id), capacity=ev.capacity, starts=ev.starts, registrations=regs)


def _signup_mail(s: Session, settings: Settings, council: CouncilConfig, ev: store.SignupEvent,
                 contact: store.SignupContact, kind: str, *, token: str | None = None, position: int | None = None,
                 key_part: str = "") -> None:
    """One of the sign-up e-mails (confirmed, waiting, moved_up, reminder), in the resident's language. The
    cancellation link holds the token, which only the e-mail and the resident's browser ever have."""
    lang = contact.language if contact.language in ("nl", "en") else council.language
    when = i18n.fmt_datetime(ev.starts.astimezone(ZoneInfo(council.timezone)), lang)
    link = cancel_url(settings, token) if token else signup_url(settings, ev.code)
    params = dict(title=ev.title, when=when, place=ev.location or "-", link=link, position=position or 0)
    subject = texts.t(f"signals.signup.{kind}_subject", lang, **params)
    hello = texts.t("signals.mail.hello", lang, name=contact.name) if contact.name else \
        texts.t("signals.mail.hello_anonymous", lang)
    text = (f"{hello}\n\n{texts.t(f'signals.signup.{kind}_body', lang, **params)}\n\n"
            f"{texts.t('signals.mail.regards', lang, council=council.name)}\n")
    QueueStore(MAIL_MODEL).enqueue(s, MailMessage(  # type: ignore[arg-type]
        key=f"signals:signup-mail:{contact.signup_id}:{kind}{key_part}", to=contact.email,
        subject=truncate(subject, 200), text=text, language=lang))


def places_text(counts: sgn.Counts, lang: str) -> str:
    """"Nog 3 van 40 plaatsen vrij." or "Vol: …; 2 op de wachtlijst." (the page, the chat, a feed)."""
    if counts.places_left:
        return texts.t("signals.signup.places_left", lang, left=counts.places_left, capacity=counts.capacity)
    return texts.t("signals.signup.full", lang, capacity=counts.capacity, waiting=counts.waiting)


@dataclass(frozen=True)
class SignupView:
    event: store.SignupEvent
    counts: sgn.Counts
    url: str
    created: bool = False


def signup_view(rt: Runtime, settings: Settings, ev: store.SignupEvent, created: bool = False) -> SignupView:
    with rt.db.read() as s:
        counts = _signup_list(s, ev).counts()
    return SignupView(ev, counts, signup_url(settings, ev.code), created)


def open_signup(rt: Runtime, settings: Settings, slug: str, *, event: dict[str, Any], capacity: int | None,
                actor: str | None, now: datetime) -> SignupView:
    """Open the event for sign-up, or (again) bring its facts and number of places up to date: more places move
    people up from the waiting list, and they hear so."""
    council = council_config(settings, slug)
    if str(event.get("type") or "") not in SIGNUP_TYPES:
        raise Refused("signals.signup.wrong_type", "not a residents' event", number=event.get("number"))
    places = capacity or event.get("capacity")
    if not places:
        raise Refused("signals.signup.capacity_needed", "no number of places", number=event.get("number"))
    starts = _event_start(str(event.get("start") or ""), ZoneInfo(council.timezone))
    if starts <= now:
        raise Conflict("signals.signup.closed", "event has begun")
    number = int(event["number"])
    # A series opens one meeting at a time, each with its own list: the meeting is its day.
    meeting = event["meeting"].isoformat() if event.get("meeting") else ""
    if meeting and starts.astimezone(ZoneInfo(council.timezone)).date().isoformat() != meeting:
        raise Refused("signals.signup.meeting_mismatch", "meeting day is not the day the meeting starts",
                      number=number)
    title = truncate(one_line(str(event.get("title") or "")), 200) or f"#{number}"
    location = truncate(one_line(str(event.get("location") or "")), 300)
    sgn.new_signup_list("check", int(places), starts)  # the domain's rule on the number of places
    try:
        with rt.db.session() as s:
            ev = store.signup_event(s, council=slug, event_number=number, meeting=meeting, lock=True)
            if ev is None:
                ev = store.insert_signup_event(s, council=slug, code=cons.new_code(secrets.token_bytes),
                                               event_number=number, event_type=str(event["type"]), title=title,
                                               location=location, starts=starts, capacity=int(places),
                                               opened_by=actor, now=now, meeting=meeting)
                store.owe_signup_to_calendar(s, ev.id)
                created = True
            else:
                lst, moved = _signup_list(s, ev).with_capacity(int(places), now)
                store.update_signup_event(s, ev.id, title=title, location=location, starts=starts,
                                          capacity=int(places))
                store.save_signup_states(s, ev.id, lst.registrations)
                store.owe_signup_to_calendar(s, ev.id)
                ev = store.signup_event(s, code=ev.code)
                contacts = store.signup_contacts(s, ev.id)  # type: ignore[union-attr]
                for reg in moved:
                    if reg.token in contacts:
                        _signup_mail(s, settings, council, ev, contacts[reg.token], "moved_up")  # type: ignore[arg-type]
                created = False
    except IntegrityError:  # opened twice at once: the other one stands
        with rt.db.read() as s:
            ev = store.signup_event(s, council=slug, event_number=number, meeting=meeting)
        created = False
    log.info("event %s of %s open for sign-up (%s places)", number, slug, places)
    rt.jobs.kick("signals_cards")  # the calendar hears the numbers (its feeds show the places left)
    return signup_view(rt, settings, ev, created)  # type: ignore[arg-type]


def signup_of_event(rt: Runtime, settings: Settings, slug: str, number: int, now: datetime,
                    meeting: date | None = None) -> SignupView:
    """The event's sign-up: of that meeting when one is named; else of its next meeting open for sign-up (a
    series may have several), else of its last."""
    council_config(settings, slug)
    with rt.db.read() as s:
        signups = store.signup_events_of(s, slug, number)
    if meeting is not None:
        signups = [ev for ev in signups if ev.meeting == meeting.isoformat()]
    ev = next((e for e in signups if e.starts > now), signups[-1] if signups else None)
    if ev is None:
        raise NotFound("signals.signup.not_open", "event not open for sign-up", number=number)
    return signup_view(rt, settings, ev)


def signup_by_code(rt: Runtime, settings: Settings, code: str) -> SignupView:
    if not cons.is_valid_code(code):
        raise NotFound("signals.signup.unknown", "malformed code")
    with rt.db.read() as s:
        ev = store.signup_event(s, code=code)
    if ev is None:
        raise NotFound("signals.signup.unknown", "no such sign-up page")
    return signup_view(rt, settings, ev)


@dataclass(frozen=True)
class SignedUp:
    token: str | None  # None: the same submission came before (no link handed out twice)
    state: sgn.SeatState | None
    position: int | None


def sign_up(rt: Runtime, settings: Settings, code: str, *, email: str, name: str | None, consent: bool,
            language: str, intake_key: str | None, now: datetime) -> SignedUp:
    view = signup_by_code(rt, settings, code)
    council = council_config(settings, view.event.council)
    email = (email or "").strip()
    if not email:
        raise InvalidInput("signals.signup.email_required", "no address")
    address = cons.normalise_email(email)
    name = one_line(name or "") or None
    if name and len(name) > NAME_MAX:
        raise InvalidInput("signals.consultation.name_long", "name too long", max=NAME_MAX)
    if not consent:
        raise InvalidInput("signals.signup.consent_required", "no consent")
    token = sgn.new_token(secrets.token_bytes)
    lang = language if language in ("nl", "en") else council.language
    try:
        with rt.db.session() as s:
            if intake_key and store.signup_by_intake_key(s, intake_key) is not None:
                return SignedUp(None, None, None)
            ev = store.signup_event(s, code=code, lock=True)
            lst, reg = _signup_list(s, ev).sign_up(address, _token_hash(token), now)  # type: ignore[arg-type]
            row = store.insert_signup(s, ev.id, token_hash=reg.token, email_key=reg.email_key,  # type: ignore[union-attr]
                                      intake_key=intake_key, state=reg.state.value, signed_up=reg.signed_up,
                                      email=address, name=name, language=lang)
            store.owe_signup_to_calendar(s, ev.id)  # type: ignore[union-attr]
            position = lst.position(reg.token)
            contact = store.SignupContact(row.id, reg.token, address, name, lang)
            _signup_mail(s, settings, council, ev, contact,  # type: ignore[arg-type]
                         "confirmed" if reg.state is sgn.SeatState.CONFIRMED else "waiting", token=token,
                         position=position)
    except IntegrityError:
        if intake_key:
            return SignedUp(None, None, None)
        raise
    log.info("sign-up for event %s of %s: %s", view.event.event_number, view.event.council, reg.state.value)
    rt.jobs.kick("signals_cards")
    return SignedUp(token, reg.state, position)


def signup_of_token(rt: Runtime, token: str) -> tuple[store.SignupEvent, str]:
    """The event and the state of the sign-up behind a cancellation link."""
    with rt.db.read() as s:
        found = store.signup_of_token(s, _token_hash(token or ""))
    if found is None:
        raise NotFound("signals.signup.unknown", "unknown token")
    return found


def cancel_signup(rt: Runtime, settings: Settings, token: str, now: datetime) -> bool:
    """Cancel through the link in the e-mail: the place goes to the first on the waiting list, who hears so; the
    cancelled resident's address is erased. Cancelling twice is harmless (False)."""
    ev, _ = signup_of_token(rt, token)
    council = council_config(settings, ev.council)
    with rt.db.session() as s:
        ev = store.signup_event(s, code=ev.code, lock=True)  # type: ignore[assignment]
        before = _signup_list(s, ev)
        lst, moved = before.cancel(_token_hash(token), now)
        if lst is before:
            return False
        store.save_signup_states(s, ev.id, lst.registrations)
        store.owe_signup_to_calendar(s, ev.id)
        contacts = store.signup_contacts(s, ev.id)
        for reg in moved:
            if reg.token in contacts:
                _signup_mail(s, settings, council, ev, contacts[reg.token], "moved_up")
        row = store.signup_by_token(s, _token_hash(token))
        store.delete_signup_contact(s, row.id)  # type: ignore[union-attr]
    log.info("sign-up for event %s of %s cancelled; %d moved up", ev.event_number, ev.council, len(moved))
    rt.jobs.kick("signals_cards")
    return True


def signup_reminders(rt: Runtime, settings: Settings, now: datetime) -> int:
    """The reminder a day before, to everyone with a place (once); and addresses of events that are over go."""
    sent = 0
    with rt.db.read() as s:
        soon = store.signup_events_upcoming(s, now, now + sgn.REMINDER_BEFORE)
    for ev in soon:
        council = settings.council(ev.council)
        if council is None:
            continue
        with rt.db.session() as s:
            lst = _signup_list(s, ev)
            due = lst.reminders_due(now)
            if not due:
                continue
            contacts = store.signup_contacts(s, ev.id)
            for reg in due:
                if reg.token in contacts:
                    _signup_mail(s, settings, council, ev, contacts[reg.token], "reminder")
                    sent += 1
            store.save_signup_states(s, ev.id, lst.mark_reminded({r.token for r in due}, now).registrations)
    with rt.db.session() as s:
        store.erase_past_signup_contacts(s, now - timedelta(days=1))
    return sent


# The calendar's feeds show the places left: every change of a sign-up's numbers marks it owed in its own
# transaction, and the cards job PUTs the numbers (counts and the public page's address, never a resident) to the
# calendar until it answered 2xx; after a failure it waits a little longer each time.
CALENDAR_RETRY_MAX = 900.0


def calendar_client(settings: Settings) -> ServiceClient:
    return ServiceClient("calendar", settings.service_urls["calendar"], settings.token_for("signals"),
                         timeout=5.0, retries=0)


def _calendar_retry_delay(failures: int) -> float:
    return min(CALENDAR_RETRY_MAX, 5.0 * 2 ** min(failures, 10))


def push_signup_places(rt: Runtime, settings: Settings, now: datetime) -> int:
    """Hand the owed sign-ups' numbers to the calendar. Stops at the first sign that it is unreachable (the
    others wait for the next turn); a refusal is retried later too. Returns how many the calendar took."""
    with rt.db.read() as s:
        owed = store.signups_owed_to_calendar(s, now)
    sent = 0
    for ev, _, failures in owed:
        council = settings.council(ev.council)
        if council is None:
            continue
        with rt.db.read() as s:  # the numbers and the version they belong to, read together
            current = store.signup_calendar_state(s, ev.id)
            if current is None:
                continue
            ev, version = current
            counts = _signup_list(s, ev).counts()
        payload = {"day": ev.starts.astimezone(ZoneInfo(council.timezone)).date().isoformat(),
                   "capacity": counts.capacity, "taken": counts.confirmed, "url": signup_url(settings, ev.code)}
        path = f"/api/v1/councils/{ev.council}/events/{ev.event_number}/resident-places"
        try:
            calendar_client(settings).request("PUT", path, json=payload, lang=council.language)
        except (ServiceUnavailable, ServiceError) as exc:
            retry_at = now + timedelta(seconds=_calendar_retry_delay(failures))
            with rt.db.session() as s:
                store.signup_calendar_failed(s, ev.id, retry_at)
            if isinstance(exc, ServiceUnavailable):
                log.info("sign-up of event %s of %s: calendar unreachable, numbers sent later", ev.event_number,
                         ev.council)
                break
            log.warning("sign-up of event %s of %s: calendar refused the numbers (%s); tried again later",
                        ev.event_number, ev.council, exc.status)
            continue
        with rt.db.session() as s:
            store.signup_sent_to_calendar(s, ev.id, version)
        sent += 1
    return sent
