"""Rows to domain objects and back. Nothing else in the service touches the ORM.

Clustering in SQL: every signal is stored under its blocking keys (``signals_cluster_keys``,
indexed on council, key and time). For a new signal, each of its keys fetches only the most
recent ``per_key_limit`` signals inside the window, so one insert reads a bounded number of
rows however many signals are stored (an ascending index serves ``ORDER BY ts DESC`` by a
backward scan).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any, Iterable

from sqlalchemy import and_, any_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from services.signals.domain.clustering import DEFAULT_PER_KEY_LIMIT, SignalFeatures
from services.signals.models import (
    ClusterKeyRow,
    ClusterRow,
    ConsultationAnswerRow,
    ConsultationContactRow,
    ConsultationRow,
    ContactRow,
    GroupCorrectionRow,
    HeardRow,
    PatternRow,
    QueuedSignalRow,
    SignalRow,
    SignupContactRow,
    SignupEventRow,
    SignupRow,
    ThemeCorrectionRow,
)
from shared.errors import NotFound
from shared.outbox import aware


# --------------------------------------------------------------------------- domain views
@dataclass(frozen=True)
class ThemeInfo:
    id: str
    confidence: float
    matched: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "confidence": self.confidence, "matched": list(self.matched)}


@dataclass(frozen=True)
class Signal:
    id: int
    council: str
    channel: str
    text: str
    scrubbed_kinds: tuple[str, ...]
    wijk: str | None
    wijk_source: str | None
    theme: str
    themes: tuple[ThemeInfo, ...]
    theme_source: str
    features: SignalFeatures | None
    ts: datetime
    cluster_id: int
    status: str
    status_note: str | None
    closed_at: datetime | None
    erased_at: datetime | None
    contact_erased_at: datetime | None
    posted_key: str | None = None  # the thread post that shows it (None: not posted yet)


@dataclass(frozen=True)
class Cluster:
    id: int  # internal, global; never leaves the service
    council: str
    room: str
    theme: str
    theme_corrected: bool
    wijk: str | None
    signal_count: int
    heard_count: int
    first_ts: datetime
    last_ts: datetime
    card_version: int
    topic_id: int | None
    topic_status: str | None
    agendered_at: datetime | None
    outcome_text: str | None
    outcome_date: date | None
    closed_at: datetime | None
    card_generation: int = 0  # a new card (thread root) after each erasure: the old one is redacted
    number: int = 0  # per council, from 1: what members see, type and the API shows
    card_base: str = ""
    wijken: tuple[str, ...] = ()  # most signals first
    card_pending: int = 0  # changes not yet on the card
    merged_into: int | None = None  # the number of the group it went into (!samenvoegen)
    split_from: int | None = None  # the number of the group it was split off from (!afsplitsen)
    forwarded_to: str | None = None  # the bewonerscommissie it was handed to (!doorsturen): id
    forwarded_name: str | None = None  # and name
    forwarded_at: datetime | None = None

    @property
    def card_key(self) -> str:
        base = self.card_base or card_base(self.council, self.number)
        return base + (f":r{self.card_generation}" if self.card_generation else "")


@dataclass(frozen=True)
class Contact:
    signal_id: int
    name: str | None
    email: str | None
    phone: str | None
    consent: bool
    created_at: datetime
    informed_at: datetime | None


@dataclass
class NewSignal:
    council: str
    ref_hash: str
    intake_key: str | None
    channel: str
    text: str
    scrubbed_kinds: tuple[str, ...]
    wijk: str | None
    wijk_source: str | None
    themes: list[ThemeInfo]
    features: SignalFeatures
    month: str
    keys: set[str] = field(default_factory=set)
    intake_key_hash: str | None = None  # instead of intake_key: a queued signal keeps only the hash


def card_base(council: str, number: int) -> str:
    """The card's outbox key: unique across councils (the bot's outbox is shared), and it carries the
    council's number, which the bot reads back from a thread's key. Clusters from before numbers per
    council keep ``signals:cluster:<id>`` (stored on the row): their cards were posted under it."""
    return f"signals:cluster:{council}:{number}"


def wijken_counts(raw: str | None) -> dict[str, int]:
    return {str(k): int(v) for k, v in json.loads(raw or "{}").items()}


def ordered_wijken(counts: dict[str, int]) -> tuple[str, ...]:
    """Most signals first, then by name (what a scan of the cluster's signals used to give)."""
    return tuple(w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def hash_reference(reference: str) -> str:
    return hashlib.sha256(reference.encode("ascii")).hexdigest()


def hash_intake_key(intake_key: str) -> str:
    """What is stored of a submission's key (the form's nonce, a caller's Idempotency-Key): its
    SHA-256. Whoever knows a nonce could otherwise read it back from the table, and the clear key
    is what the reference number is derived from."""
    return hashlib.sha256(intake_key.encode()).hexdigest()


def _signal(row: SignalRow) -> Signal:
    themes = tuple(ThemeInfo(t["id"], float(t["confidence"]), tuple(t.get("matched") or ()))
                   for t in json.loads(row.themes or "[]"))
    feats = features_of(row.features) if row.features else None
    return Signal(id=row.id, council=row.council, channel=row.channel, text=row.text,
                  scrubbed_kinds=tuple(k for k in (row.scrubbed_kinds or "").split(",") if k),
                  wijk=row.wijk, wijk_source=row.wijk_source, theme=row.theme, themes=themes,
                  theme_source=row.theme_source, features=feats, ts=aware(row.ts), cluster_id=row.cluster_id,
                  status=row.status, status_note=row.status_note, closed_at=aware(row.closed_at),
                  erased_at=aware(row.erased_at), contact_erased_at=aware(row.contact_erased_at),
                  posted_key=row.posted_key)


def _cluster(row: ClusterRow) -> Cluster:
    return Cluster(id=row.id, council=row.council, room=row.room, theme=row.theme,
                   theme_corrected=bool(row.theme_corrected), wijk=row.wijk, signal_count=row.signal_count,
                   heard_count=row.heard_count, first_ts=aware(row.first_ts), last_ts=aware(row.last_ts),
                   card_version=row.card_version, topic_id=row.topic_id, topic_status=row.topic_status,
                   agendered_at=aware(row.agendered_at), outcome_text=row.outcome_text,
                   outcome_date=row.outcome_date, closed_at=aware(row.closed_at),
                   card_generation=int(row.erased_count or 0), number=row.number, card_base=row.card_base or "",
                   wijken=ordered_wijken(wijken_counts(row.wijken)), card_pending=int(row.card_pending or 0),
                   merged_into=row.merged_into, split_from=row.split_from, forwarded_to=row.forwarded_to,
                   forwarded_name=row.forwarded_name, forwarded_at=aware(row.forwarded_at))


def _contact(row: ContactRow) -> Contact:
    return Contact(signal_id=row.signal_id, name=row.name, email=row.email, phone=row.phone,
                   consent=bool(row.consent), created_at=aware(row.created_at), informed_at=aware(row.informed_at))


# --------------------------------------------------------------------------- locking
def lock_council(s: Session, council: str) -> None:
    """Serialise clustering per council on PostgreSQL (SQLite's BEGIN IMMEDIATE already does):
    two signals about one issue arriving at once must not each start a cluster."""
    if s.bind is not None and s.bind.dialect.name == "postgresql":
        lock_id = int.from_bytes(hashlib.sha256(f"signals:{council}".encode()).digest()[:8], "big", signed=True)
        s.execute(select(func.pg_advisory_xact_lock(lock_id)))


# --------------------------------------------------------------------------- clustering
Candidate = tuple[int, int, SignalFeatures]  # (signal id, cluster id, features)


def _one_of(s: Session, column: Any, values: list[Any]) -> Any:
    """``column IN values`` for the candidates' reads, whose lists run to hundreds of keys and ids of
    every length. On PostgreSQL as ``= ANY(array)``: one statement text for every length, where an IN
    list is a new text per length, which psycopg parses again and keeps (~0.5 MB a worker after the
    intake benchmark, in process). SQLite has no arrays; its IN list is cheap."""
    if s.bind is not None and s.bind.dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def candidates(s: Session, council: str, keys: Iterable[str], ts: datetime, window: timedelta,
               per_key_limit: int = DEFAULT_PER_KEY_LIMIT) -> list[Candidate]:
    """Every signal fetched through the keys (newest ``per_key_limit`` per key inside the window),
    with its cluster id and features."""
    keys = sorted(set(keys))
    if not keys:
        return []
    k = ClusterKeyRow
    # One query for all keys (a round trip per key was most of the time inside the write lock):
    # the newest ``per_key_limit`` signals of each key, keys in order, newest first.
    ranked = (select(k.key, k.signal_id, k.ts,
                     func.row_number().over(partition_by=k.key, order_by=k.ts.desc()).label("rank"))
              .where(k.council == council, _one_of(s, k.key, keys), k.ts >= ts - window, k.ts <= ts + window)
              .subquery())
    ids: list[int] = []
    seen: set[int] = set()
    for signal_id in s.scalars(select(ranked.c.signal_id).where(ranked.c.rank <= per_key_limit)
                               .order_by(ranked.c.key, ranked.c.ts.desc())):
        if signal_id not in seen:
            seen.add(signal_id)
            ids.append(signal_id)
    return _with_features(s, ids)


def _with_features(s: Session, ids: list[int]) -> list[Candidate]:
    """The signals ``ids`` (in that order) that still have features, with their cluster ids."""
    if not ids:
        return []
    found = {sid: (cid, feats) for sid, cid, feats in s.execute(
        select(SignalRow.id, SignalRow.cluster_id, SignalRow.features).where(_one_of(s, SignalRow.id, ids)))}
    out = []
    for sid in ids:
        cid, feats = found.get(sid, (None, ""))
        if cid is not None and feats:
            out.append((sid, cid, features_of(feats)))
    return out


def last_signal_id(s: Session, council: str) -> int:
    """The council's highest signal id: read with the candidates, it tells the write transaction
    whether signals came in since (ids only grow)."""
    return int(s.scalar(select(func.max(SignalRow.id)).where(SignalRow.council == council)) or 0)


def candidates_now(s: Session, council: str, keys: Iterable[str], ts: datetime, window: timedelta,
                   read: list[Candidate], read_up_to: int) -> tuple[list[Candidate], int] | None:
    """Inside the write transaction, under the council's lock: the candidates read before it
    (``read``, when the council's last signal was ``read_up_to``) brought up to date, with the
    council's last signal id now; None when nothing changed, so the choice made outside stands.

    Changed are: signals stored since (the newest of their keys, so they are candidates whatever
    the per-key limit), and read candidates that a member moved (merge, split), re-themed (their
    features) or a resident erased (no features left)."""
    last = last_signal_id(s, council)
    keys = sorted(set(keys))
    newer: list[int] = []
    if last > read_up_to and keys:
        k = ClusterKeyRow
        # by the signal-id index: only the few rows written since the read
        rows = s.scalars(select(k.signal_id).where(k.signal_id > read_up_to, k.council == council,
                                                   _one_of(s, k.key, keys), k.ts >= ts - window, k.ts <= ts + window)
                         .order_by(k.ts.desc(), k.signal_id.desc()))
        newer = list(dict.fromkeys(rows))
    now = _with_features(s, [sid for sid, _, _ in read] + newer)
    if not newer and len(now) == len(read) and all(
            a[0] == b[0] and a[1] == b[1] and a[2] == b[2] for a, b in zip(read, now)):
        return None
    return now, last


@lru_cache(maxsize=256)  # ~3 kB each with its key: under 1 MB per worker
def features_of(stored: str) -> SignalFeatures:
    """The features stored as JSON. The same recent signals are the candidates of many intakes:
    parsed once per worker, keyed by the stored text itself (a theme correction rewrites it, so
    a changed signal is simply a new key). SignalFeatures is immutable, so sharing it is safe."""
    return SignalFeatures.from_dict(json.loads(stored))


def write_keys(s: Session, council: str, signal_id: int, ts: datetime, keys: Iterable[str]) -> None:
    # One executemany, not an ORM object per key: their flush was most of the next statement's time.
    rows = [{"council": council, "key": key, "signal_id": signal_id, "ts": ts} for key in sorted(set(keys))]
    if rows:
        s.execute(insert(ClusterKeyRow.__table__), rows)


def replace_keys(s: Session, council: str, signal_id: int, ts: datetime, keys: Iterable[str]) -> None:
    s.execute(delete(ClusterKeyRow).where(ClusterKeyRow.signal_id == signal_id))
    s.flush()
    write_keys(s, council, signal_id, ts, keys)


# --------------------------------------------------------------------------- clusters
def new_cluster(s: Session, council: str, room: str, theme: str, wijk: str | None, ts: datetime) -> Cluster:
    """A cluster with the council's next number (max + 1, in the caller's transaction: the unique
    constraint on council and number refuses a concurrent double, and the intake's retry takes it)."""
    number = int(s.scalar(select(func.max(ClusterRow.number)).where(ClusterRow.council == council)) or 0) + 1
    row = ClusterRow(council=council, number=number, card_base=card_base(council, number), room=room, theme=theme,
                     theme_corrected=False, wijk=wijk, signal_count=0, heard_count=0, first_ts=ts, last_ts=ts,
                     card_version=0, wijken="{}", erased_count=0, card_pending=0)
    s.add(row)
    s.flush()
    return _cluster(row)


def cluster(s: Session, council: str, cluster_id: int, *, lock: bool = False) -> Cluster:
    """By internal id (the service's own code)."""
    stmt = select(ClusterRow).where(ClusterRow.id == cluster_id, ClusterRow.council == council)
    if lock:
        stmt = stmt.with_for_update()
    row = s.scalar(stmt)
    if row is None:
        raise NotFound("signals.api.cluster_not_found", f"no cluster {cluster_id}", cluster_id=cluster_id)
    return _cluster(row)


def cluster_id_by_number(s: Session, council: str, number: int) -> int:
    """The internal id of the council's cluster with this number (what URLs and members use)."""
    found = s.scalar(select(ClusterRow.id).where(ClusterRow.council == council, ClusterRow.number == number))
    if found is None:
        raise NotFound("signals.api.cluster_not_found", f"no cluster {number}", cluster_id=number)
    return int(found)


def cluster_numbers(s: Session, cluster_ids: Iterable[int]) -> dict[int, int]:
    ids = sorted(set(cluster_ids))
    if not ids:
        return {}
    return {int(i): int(n) for i, n in s.execute(select(ClusterRow.id, ClusterRow.number)
                                                 .where(ClusterRow.id.in_(ids)))}


def clusters(s: Session, council: str, *, limit: int = 100, offset: int = 0) -> list[Cluster]:
    rows = s.scalars(select(ClusterRow).where(ClusterRow.council == council)
                     .order_by(ClusterRow.last_ts.desc(), ClusterRow.id.desc()).limit(limit).offset(offset))
    return [_cluster(r) for r in rows]


def add_to_cluster(s: Session, cluster_id: int, ts: datetime, wijk: str | None, *, now: datetime | None = None,
                   card_owed: bool = True, post_owed: bool = False) -> Cluster:
    """Count a new signal in; the first and last dates stretch to include it; its neighbourhood is
    counted on the row. With ``card_owed`` the card's edit is recorded as pending, with
    ``post_owed`` the signal's thread post (both sent later, once per burst, by
    :func:`services.signals.actions.flush_cards`)."""
    row = s.get(ClusterRow, cluster_id, with_for_update=True)
    assert row is not None
    row.signal_count += 1
    row.first_ts = min(aware(row.first_ts), ts)
    row.last_ts = max(aware(row.last_ts), ts)
    if row.wijk is None and wijk:
        row.wijk = wijk
    if wijk:
        counts = wijken_counts(row.wijken)
        counts[wijk] = counts.get(wijk, 0) + 1
        row.wijken = json.dumps(counts, ensure_ascii=False, sort_keys=True)
    if card_owed:
        row.card_pending = int(row.card_pending or 0) + 1
        row.card_pending_since = row.card_pending_since or now
        row.card_touched_at = now
    if post_owed:
        row.posts_pending = int(row.posts_pending or 0) + 1
        row.posts_pending_since = row.posts_pending_since or now
        row.card_touched_at = now
    s.flush()
    return _cluster(row)


def next_card_version(s: Session, cluster_id: int) -> int:
    """The number of the card's next edit; the edit carries everything, so nothing is owed after it."""
    s.execute(update(ClusterRow).where(ClusterRow.id == cluster_id)
              .values(card_version=ClusterRow.card_version + 1, card_pending=0, card_pending_since=None))
    return int(s.scalar(select(ClusterRow.card_version).where(ClusterRow.id == cluster_id)) or 0)


def clear_card_pending(s: Session, cluster_id: int) -> None:
    s.execute(update(ClusterRow).where(ClusterRow.id == cluster_id).values(card_pending=0, card_pending_since=None))


def cluster_owing(s: Session, cluster_id: int) -> tuple[Cluster, int] | None:
    """The cluster and how many changes its card misses, when it misses any."""
    row = s.get(ClusterRow, cluster_id)
    if row is None or not row.card_pending:
        return None
    return _cluster(row), int(row.card_pending)


def card_still_owed(s: Session, cluster: Cluster, pending: int) -> bool:
    """In the write transaction that queues an edit: true when the cluster still misses exactly the
    ``pending`` changes the edit was rendered with (nothing came in, no member's edit settled it) and
    no signal was erased since (the rendering could hold its text)."""
    row = s.get(ClusterRow, cluster.id, with_for_update=True)
    return (row is not None and int(row.card_pending or 0) == pending
            and int(row.erased_count or 0) == cluster.card_generation)


def clusters_owing_a_card(s: Session, quiet_before: datetime, waited_before: datetime,
                          limit: int = 100) -> list[tuple[int, str, int]]:
    """(id, council, pending) of clusters whose card edit is owed and due: quiet since
    ``quiet_before``, or waiting since ``waited_before`` (a steady stream still gets an edit now and
    then). Oldest first."""
    c = ClusterRow
    rows = s.execute(select(c.id, c.council, c.card_pending)
                     .where(c.card_pending > 0, (c.card_touched_at <= quiet_before) | (c.card_pending_since <= waited_before))
                     .order_by(c.card_pending_since, c.id).limit(limit))
    return [(int(i), str(council), int(n)) for i, council, n in rows]


# --------------------------------------------------------------------------- thread posts owed
def clusters_owing_posts(s: Session, quiet_before: datetime, waited_before: datetime,
                         limit: int = 100) -> list[int]:
    """Ids of clusters with signals waiting for their thread post, due like a card edit: quiet
    since ``quiet_before`` (no signal joined since), or waiting since ``waited_before``. Oldest first."""
    c = ClusterRow
    return [int(i) for i in s.scalars(
        select(c.id).where(c.posts_pending > 0,
                           c.card_touched_at.is_(None) | (c.card_touched_at <= quiet_before)
                           | (c.posts_pending_since <= waited_before))
        .order_by(c.posts_pending_since, c.id).limit(limit))]


def council_owing_posts(s: Session, cluster_id: int) -> str | None:
    """The council of the cluster when signals of it wait for their thread post, else None."""
    return s.scalar(select(ClusterRow.council).where(ClusterRow.id == cluster_id, ClusterRow.posts_pending > 0))


def _unposted(cluster_id: int) -> Any:
    """The cluster's signals not in its thread yet (erased ones are not posted)."""
    return (SignalRow.cluster_id == cluster_id) & SignalRow.posted_key.is_(None) & SignalRow.erased_at.is_(None)


def unposted_signals(s: Session, cluster_id: int) -> list[Signal]:
    """The cluster's signals waiting for their thread post, in order of arrival."""
    return [_signal(r) for r in s.scalars(select(SignalRow).where(_unposted(cluster_id)).order_by(SignalRow.id))]


def unposted_signal_ids(s: Session, cluster_id: int) -> list[int]:
    return [int(i) for i in s.scalars(select(SignalRow.id).where(_unposted(cluster_id)).order_by(SignalRow.id))]


def mark_posted(s: Session, signal_ids: Iterable[int], key: str) -> None:
    ids = sorted(set(signal_ids))
    if ids:
        s.execute(update(SignalRow).where(SignalRow.id.in_(ids)).values(posted_key=key))


def settle_posts(s: Session, cluster_id: int) -> None:
    """Nothing of the cluster waits for its thread post any more."""
    s.execute(update(ClusterRow).where(ClusterRow.id == cluster_id)
              .values(posts_pending=0, posts_pending_since=None))


def repost_others(s: Session, cluster_id: int, key: str, erased_id: int, now: datetime) -> int:
    """After an erasure redacted the post ``key``: the other signals it showed wait for a new post
    (without the erased text). Returns how many."""
    # (one split off since is shown in its own group's thread already)
    others = list(s.scalars(select(SignalRow.id).where(SignalRow.posted_key == key, SignalRow.id != erased_id,
                                                       SignalRow.cluster_id == cluster_id,
                                                       SignalRow.erased_at.is_(None))))
    if not others:
        return 0
    s.execute(update(SignalRow).where(SignalRow.id.in_(others)).values(posted_key=None))
    s.execute(update(ClusterRow).where(ClusterRow.id == cluster_id).values(
        posts_pending=ClusterRow.posts_pending + len(others),
        posts_pending_since=func.coalesce(ClusterRow.posts_pending_since, now)))
    return len(others)


def set_cluster_theme(s: Session, cluster_id: int, theme: str) -> None:
    s.execute(update(ClusterRow).where(ClusterRow.id == cluster_id).values(theme=theme, theme_corrected=True))


def set_topic(s: Session, cluster_id: int, topic_id: int, status: str | None, now: datetime) -> None:
    s.execute(update(ClusterRow).where(ClusterRow.id == cluster_id)
              .values(topic_id=topic_id, topic_status=status, agendered_at=now))


def set_topic_state(s: Session, cluster_id: int, status: str | None, outcome_text: str | None,
                    outcome_date: date | None, closed_at: datetime | None) -> None:
    s.execute(update(ClusterRow).where(ClusterRow.id == cluster_id).values(
        topic_status=status, outcome_text=outcome_text, outcome_date=outcome_date, closed_at=closed_at))


def clusters_on_agenda(s: Session) -> list[Cluster]:
    """Clusters put on the agenda whose topic is not settled yet."""
    rows = s.scalars(select(ClusterRow).where(ClusterRow.topic_id.is_not(None), ClusterRow.closed_at.is_(None))
                     .order_by(ClusterRow.id))
    return [_cluster(r) for r in rows]


def stale_clusters(s: Session, before: datetime, limit: int = 200) -> list[Cluster]:
    rows = s.scalars(select(ClusterRow).where(ClusterRow.topic_id.is_(None), ClusterRow.closed_at.is_(None),
                                              ClusterRow.last_ts < before).order_by(ClusterRow.id).limit(limit))
    return [_cluster(r) for r in rows]


def close_cluster(s: Session, cluster_id: int, now: datetime) -> None:
    s.execute(update(ClusterRow).where(ClusterRow.id == cluster_id).values(closed_at=now))


def add_heard(s: Session, cluster_id: int, member: str, now: datetime) -> bool:
    """Record a member's 👍; False when this member already counted."""
    if s.get(HeardRow, (cluster_id, member)) is not None:
        return False
    s.add(HeardRow(cluster_id=cluster_id, member=member, created_at=now))
    s.execute(update(ClusterRow).where(ClusterRow.id == cluster_id)
              .values(heard_count=ClusterRow.heard_count + 1))
    s.flush()
    return True


def heard_by(s: Session, cluster_id: int) -> list[str]:
    return list(s.scalars(select(HeardRow.member).where(HeardRow.cluster_id == cluster_id)
                          .order_by(HeardRow.created_at)))


# --------------------------------------------------------------------------- members correct the grouping


def group_correction_done(s: Session, action_key: str) -> bool:
    return s.scalar(select(GroupCorrectionRow.id).where(GroupCorrectionRow.action_key == action_key)) is not None


def merge_clusters(s: Session, council: str, from_id: int, into_id: int, member: str | None, action_key: str | None,
                   now: datetime) -> int:
    """``from_id`` goes into ``into_id``: its signals (and so their blocking keys: later signals like them find the
    merged group), its counts and neighbourhoods, its members' 👍. ``from_id`` is closed and says where it went.
    Returns how many signals moved."""
    src = s.get(ClusterRow, from_id, with_for_update=True)
    dst = s.get(ClusterRow, into_id, with_for_update=True)
    assert src is not None and dst is not None
    moved = s.execute(update(SignalRow).where(SignalRow.cluster_id == from_id).values(cluster_id=into_id)).rowcount
    dst.signal_count += src.signal_count
    dst.first_ts = min(aware(dst.first_ts), aware(src.first_ts))
    dst.last_ts = max(aware(dst.last_ts), aware(src.last_ts))
    counts = wijken_counts(dst.wijken)
    for wijk, n in wijken_counts(src.wijken).items():
        counts[wijk] = counts.get(wijk, 0) + n
    dst.wijken = json.dumps(counts, ensure_ascii=False, sort_keys=True)
    dst.wijk = dst.wijk or src.wijk
    already = set(s.scalars(select(HeardRow.member).where(HeardRow.cluster_id == into_id)))
    for row in s.scalars(select(HeardRow).where(HeardRow.cluster_id == from_id)):
        if row.member not in already:
            s.add(HeardRow(cluster_id=into_id, member=row.member, created_at=row.created_at))
            dst.heard_count += 1
    src.signal_count, src.wijken, src.closed_at, src.merged_into = 0, "{}", now, dst.number
    src.card_pending, src.card_pending_since = 0, None
    if src.posts_pending:  # its signals still waiting for a post wait in the other group's thread now
        dst.posts_pending = int(dst.posts_pending or 0) + int(src.posts_pending)
        since = [aware(t) for t in (dst.posts_pending_since, src.posts_pending_since) if t is not None]
        dst.posts_pending_since = min(since) if since else now
        src.posts_pending, src.posts_pending_since = 0, None
    s.add(GroupCorrectionRow(council=council, kind="samenvoegen", from_cluster=from_id, into_cluster=into_id,
                             member=member, action_key=action_key, created_at=now))
    s.flush()
    return int(moved or 0)


def split_signal(s: Session, council: str, signal_id: int, new_id: int, member: str | None,
                 action_key: str | None, now: datetime) -> int:
    """The signal leaves its group for the new group ``new_id`` (made by the caller); the old group's counts and
    dates follow what stays. Returns the old group's id."""
    sig = s.get(SignalRow, signal_id, with_for_update=True)
    assert sig is not None
    old = s.get(ClusterRow, sig.cluster_id, with_for_update=True)
    assert old is not None
    sig.cluster_id = new_id
    s.flush()
    old.signal_count = max(0, old.signal_count - 1)
    if sig.wijk:
        counts = wijken_counts(old.wijken)
        counts[sig.wijk] = counts.get(sig.wijk, 0) - 1
        old.wijken = json.dumps({w: n for w, n in counts.items() if n > 0}, ensure_ascii=False, sort_keys=True)
    first, last = s.execute(select(func.min(SignalRow.ts), func.max(SignalRow.ts))
                            .where(SignalRow.cluster_id == old.id)).one()
    if first is not None:
        old.first_ts, old.last_ts = first, last
    new = s.get(ClusterRow, new_id)
    assert new is not None
    new.split_from = old.number
    s.add(GroupCorrectionRow(council=council, kind="afsplitsen", from_cluster=old.id, into_cluster=new_id,
                             signal_id=signal_id, member=member, action_key=action_key, created_at=now))
    s.flush()
    return old.id


def group_corrections(s: Session, cluster_id: int) -> list[tuple[str, int, int, int | None]]:
    """(kind, from, into, signal) of every correction involving the cluster, oldest first."""
    rows = s.scalars(select(GroupCorrectionRow).where(
        (GroupCorrectionRow.from_cluster == cluster_id) | (GroupCorrectionRow.into_cluster == cluster_id))
        .order_by(GroupCorrectionRow.id))
    return [(r.kind, r.from_cluster, r.into_cluster, r.signal_id) for r in rows]


def cluster_number(s: Session, cluster_id: int) -> int:
    return int(s.scalar(select(ClusterRow.number).where(ClusterRow.id == cluster_id)) or 0)


def add_correction(s: Session, cluster_id: int, from_theme: str, to_theme: str, confidence: float | None,
                   member: str | None, action_key: str | None, now: datetime) -> None:
    s.add(ThemeCorrectionRow(cluster_id=cluster_id, from_theme=from_theme, to_theme=to_theme,
                             confidence=confidence, member=member, action_key=action_key, created_at=now))
    s.flush()


def correction_done(s: Session, action_key: str) -> bool:
    return s.scalar(select(ThemeCorrectionRow.id).where(ThemeCorrectionRow.action_key == action_key)) is not None


def corrections(s: Session, cluster_id: int) -> list[tuple[str, str, str | None, datetime]]:
    rows = s.execute(select(ThemeCorrectionRow.from_theme, ThemeCorrectionRow.to_theme, ThemeCorrectionRow.member,
                            ThemeCorrectionRow.created_at)
                     .where(ThemeCorrectionRow.cluster_id == cluster_id).order_by(ThemeCorrectionRow.id))
    return [(a, b, m, aware(t)) for a, b, m, t in rows]


# --------------------------------------------------------------------------- signals
def insert_signal(s: Session, new: NewSignal, cluster_id: int) -> Signal:
    primary = new.themes[0].id
    key_hash = new.intake_key_hash or (hash_intake_key(new.intake_key) if new.intake_key else None)
    row = SignalRow(council=new.council, ref_hash=new.ref_hash, intake_key=key_hash,
                    channel=new.channel,
                    text=new.text, scrubbed_kinds=",".join(new.scrubbed_kinds), wijk=new.wijk,
                    wijk_source=new.wijk_source, theme=primary,
                    themes=json.dumps([t.to_dict() for t in new.themes], ensure_ascii=False),
                    theme_source="auto", features=json.dumps(new.features.to_dict(), ensure_ascii=False),
                    ts=new.features.ts, month=new.month, cluster_id=cluster_id, status="ontvangen")
    s.add(row)
    s.flush()
    write_keys(s, new.council, row.id, new.features.ts, new.keys)
    return _signal(row)


def signal(s: Session, council: str, signal_id: int) -> Signal:
    row = s.scalar(select(SignalRow).where(SignalRow.id == signal_id, SignalRow.council == council))
    if row is None:
        raise NotFound("signals.api.signal_not_found", f"no signal {signal_id}", signal_id=signal_id)
    return _signal(row)


def signal_by_ref(s: Session, ref_hash: str) -> Signal | None:
    row = s.scalar(select(SignalRow).where(SignalRow.ref_hash == ref_hash))
    return _signal(row) if row else None


def signal_by_intake_key(s: Session, intake_key: str) -> Signal | None:
    """The signal stored under this key (given in clear; only its hash is in the table)."""
    row = s.scalar(select(SignalRow).where(SignalRow.intake_key == hash_intake_key(intake_key)))
    return _signal(row) if row else None


# --------------------------------------------------------------------------- signals queued for grouping
@dataclass(frozen=True)
class QueuedSignal:
    """A received, scrubbed signal waiting for the intake job (models.QueuedSignalRow)."""
    id: int
    council: str
    ref_hash: str
    intake_key_hash: str | None
    channel: str
    scrubbed_text: str  # as scrub() gave it (the signal keeps it stripped)
    scrubbed_kinds: tuple[str, ...]
    wijk: str | None
    wijk_source: str | None
    home: frozenset[str]
    ts: datetime
    queued_at: datetime
    attempts: int
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    contact_language: str | None
    status_url: str | None

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_name or self.contact_email or self.contact_phone)


def _queued(row: QueuedSignalRow) -> QueuedSignal:
    return QueuedSignal(row.id, row.council, row.ref_hash, row.intake_key, row.channel, row.text,
                        tuple(k for k in (row.scrubbed_kinds or "").split(",") if k), row.wijk, row.wijk_source,
                        frozenset(json.loads(row.home or "[]")), aware(row.ts), aware(row.queued_at), row.attempts,
                        row.contact_name, row.contact_email, row.contact_phone, row.contact_language, row.status_url)


def queue_signal(s: Session, *, council: str, ref_hash: str, intake_key: str | None, channel: str,
                 scrubbed_text: str, scrubbed_kinds: tuple[str, ...], wijk: str | None, wijk_source: str | None,
                 home: frozenset[str], ts: datetime, now: datetime, contact_name: str | None = None,
                 contact_email: str | None = None, contact_phone: str | None = None,
                 contact_language: str | None = None, status_url: str | None = None) -> int:
    """One row in one insert: all an accepted, not yet grouped signal costs the request."""
    row = QueuedSignalRow(council=council, ref_hash=ref_hash,
                          intake_key=hash_intake_key(intake_key) if intake_key else None, channel=channel,
                          text=scrubbed_text, scrubbed_kinds=",".join(scrubbed_kinds), wijk=wijk,
                          wijk_source=wijk_source, home=json.dumps(sorted(home), ensure_ascii=False), ts=ts,
                          queued_at=now, attempts=0, contact_name=contact_name, contact_email=contact_email,
                          contact_phone=contact_phone, contact_language=contact_language, status_url=status_url)
    s.add(row)
    s.flush()
    return row.id


def queued_by_intake_key(s: Session, intake_key: str) -> QueuedSignal | None:
    row = s.scalar(select(QueuedSignalRow).where(QueuedSignalRow.intake_key == hash_intake_key(intake_key)))
    return _queued(row) if row else None


def queued_by_ref(s: Session, ref_hash: str) -> QueuedSignal | None:
    row = s.scalar(select(QueuedSignalRow).where(QueuedSignalRow.ref_hash == ref_hash))
    return _queued(row) if row else None


def queue_due(s: Session, now: datetime, quiet_before: datetime, waited_before: datetime,
              limit: int) -> list[QueuedSignal]:
    """The queued signals to group now, oldest first: the new ones once they have been quiet since
    ``quiet_before`` (a burst is over) or the oldest of them has waited since ``waited_before`` (a
    steady stream is still grouped); and, after them, those that failed before and whose retry is due."""
    fresh = QueuedSignalRow.attempts == 0
    newest, oldest = s.execute(select(func.max(QueuedSignalRow.queued_at), func.min(QueuedSignalRow.queued_at))
                               .where(fresh)).one()
    retry = and_(QueuedSignalRow.attempts > 0, QueuedSignalRow.retry_at <= now)
    take_fresh = newest is not None and (aware(newest) <= quiet_before or aware(oldest) <= waited_before)
    rows = s.scalars(select(QueuedSignalRow).where(or_(fresh, retry) if take_fresh else retry)
                     .order_by(QueuedSignalRow.attempts, QueuedSignalRow.id).limit(limit))
    return [_queued(r) for r in rows]


def unqueue(s: Session, queued_id: int) -> bool:
    """Take a queued signal off the queue, in the transaction that stores it; False: already gone (grouped
    meanwhile by the job or by its resident's page)."""
    return bool(s.execute(delete(QueuedSignalRow).where(QueuedSignalRow.id == queued_id)).rowcount)


def queued_failed(s: Session, queued_id: int, retry_at: datetime) -> None:
    """Grouping it failed (a defect, logged): kept, and tried again at ``retry_at``, not at every turn."""
    s.execute(update(QueuedSignalRow).where(QueuedSignalRow.id == queued_id)
              .values(attempts=QueuedSignalRow.attempts + 1, retry_at=retry_at))


def cluster_signals(s: Session, cluster_id: int, *, limit: int | None = None) -> list[Signal]:
    stmt = select(SignalRow).where(SignalRow.cluster_id == cluster_id).order_by(SignalRow.ts, SignalRow.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [_signal(r) for r in s.scalars(stmt)]


def cluster_wijken(s: Session, cluster_id: int) -> list[str]:
    """Neighbourhoods of the cluster's signals, most signals first (kept on the cluster row)."""
    counts = s.scalar(select(ClusterRow.wijken).where(ClusterRow.id == cluster_id))
    return list(ordered_wijken(wijken_counts(counts)))


def set_signal_theme(s: Session, signal_id: int, theme: str, themes: list[ThemeInfo],
                     features: SignalFeatures | None) -> None:
    values: dict[str, Any] = {"theme": theme, "theme_source": "correction",
                              "themes": json.dumps([t.to_dict() for t in themes], ensure_ascii=False)}
    if features is not None:
        values["features"] = json.dumps(features.to_dict(), ensure_ascii=False)
    s.execute(update(SignalRow).where(SignalRow.id == signal_id).values(**values))


def set_cluster_signal_status(s: Session, cluster_id: int, status: str, note: str | None,
                              closed_at: datetime | None = None) -> None:
    values: dict[str, Any] = {"status": status, "status_note": note}
    if closed_at is not None:
        values["closed_at"] = closed_at
    s.execute(update(SignalRow).where(SignalRow.cluster_id == cluster_id).values(**values))


def set_signal_status(s: Session, signal_id: int, status: str, note: str | None) -> None:
    s.execute(update(SignalRow).where(SignalRow.id == signal_id).values(status=status, status_note=note,
                                                                        closed_at=None))


def erase_signal(s: Session, signal_id: int, now: datetime) -> None:
    """The resident's erasure: text, features and keys go; the row stays as a number in the statistics.
    The cluster counts the erasure: its card is re-posted as the next generation."""
    cluster_id = s.scalar(select(SignalRow.cluster_id).where(SignalRow.id == signal_id, SignalRow.erased_at.is_(None)))
    if cluster_id is not None:
        s.execute(update(ClusterRow).where(ClusterRow.id == cluster_id)
                  .values(erased_count=ClusterRow.erased_count + 1))
    s.execute(delete(ContactRow).where(ContactRow.signal_id == signal_id))
    s.execute(delete(ClusterKeyRow).where(ClusterKeyRow.signal_id == signal_id))
    s.execute(update(SignalRow).where(SignalRow.id == signal_id).values(
        text="", features="", scrubbed_kinds="", erased_at=now, contact_erased_at=now))


# --------------------------------------------------------------------------- contacts
def insert_contact(s: Session, signal_id: int, name: str | None, email: str | None, phone: str | None,
                   consent: bool, now: datetime, *, language: str = "nl", status_url: str | None = None) -> None:
    s.add(ContactRow(signal_id=signal_id, name=name, email=email, phone=phone, consent=consent, created_at=now,
                     language=language, status_url=status_url))
    s.flush()


@dataclass(frozen=True)
class MailTo:
    signal_id: int
    email: str
    name: str | None
    language: str
    status_url: str | None


def contacts_to_mail(s: Session, cluster_id: int) -> list[MailTo]:
    """Residents of this group who asked to hear back by e-mail and did not unsubscribe."""
    rows = s.execute(select(ContactRow).join(SignalRow, SignalRow.id == ContactRow.signal_id)
                     .where(SignalRow.cluster_id == cluster_id, ContactRow.consent.is_(True),
                            ContactRow.email.is_not(None), ContactRow.unsubscribed_at.is_(None))
                     .order_by(ContactRow.signal_id)).scalars()
    return [MailTo(r.signal_id, r.email, r.name, r.language or "nl", r.status_url) for r in rows]


def unsubscribe(s: Session, signal_id: int, now: datetime) -> bool:
    """No more e-mails for this signal. False when there is nothing (left) to unsubscribe."""
    result = s.execute(update(ContactRow).where(ContactRow.signal_id == signal_id,
                                                ContactRow.unsubscribed_at.is_(None)).values(unsubscribed_at=now))
    return bool(result.rowcount)


def contact(s: Session, signal_id: int) -> Contact | None:
    row = s.scalar(select(ContactRow).where(ContactRow.signal_id == signal_id))
    return _contact(row) if row else None


def mark_informed(s: Session, cluster_id: int, now: datetime) -> int:
    ids = select(SignalRow.id).where(SignalRow.cluster_id == cluster_id).scalar_subquery()
    result = s.execute(update(ContactRow).where(ContactRow.signal_id.in_(ids), ContactRow.consent.is_(True),
                                                ContactRow.informed_at.is_(None)).values(informed_at=now))
    return int(result.rowcount or 0)


def erase_expired_contacts(s: Session, now: datetime, retention: timedelta, limit: int = 500) -> int:
    """Delete the contact details of signals closed longer than ``retention`` ago."""
    closed_before = now - retention
    ids = list(s.scalars(select(ContactRow.signal_id).join(SignalRow, SignalRow.id == ContactRow.signal_id)
                         .where(SignalRow.closed_at.is_not(None), SignalRow.closed_at < closed_before)
                         .limit(limit)))
    if not ids:
        return 0
    s.execute(delete(ContactRow).where(ContactRow.signal_id.in_(ids)))
    s.execute(update(SignalRow).where(SignalRow.id.in_(ids)).values(contact_erased_at=now))
    return len(ids)


# --------------------------------------------------------------------------- stats
def stats(s: Session, council: str, since_month: str | None = None) -> dict[str, Any]:
    base = [SignalRow.council == council]
    if since_month:
        base.append(SignalRow.month >= since_month)
    by_theme = dict(s.execute(select(SignalRow.theme, func.count()).where(*base).group_by(SignalRow.theme)).all())
    by_wijk = {wijk or "": n for wijk, n in s.execute(select(SignalRow.wijk, func.count()).where(*base)
                                                      .group_by(SignalRow.wijk))}
    cells = s.execute(select(SignalRow.month, SignalRow.theme, func.count()).where(*base)
                      .group_by(SignalRow.month, SignalRow.theme)).all()
    by_month: dict[str, dict[str, int]] = {}
    for month, theme, n in cells:
        by_month.setdefault(month, {})[theme] = int(n)
    return {"themes": {k: int(v) for k, v in by_theme.items()},
            "wijken": {k: int(v) for k, v in by_wijk.items()},
            "months": dict(sorted(by_month.items()))}


# --------------------------------------------------------------------------- consultations
@dataclass(frozen=True)
class ConsultationInfo:
    """A consultation as the service keeps it (the domain's ``Consultation`` plus bookkeeping)."""

    id: int
    council: str
    code: str
    topic_id: int
    topic_title: str
    question: str
    options: tuple[str, ...]
    opens: datetime
    closes: datetime
    state: str
    closed_at: datetime | None
    thread_key: str | None
    answer_count: int
    shown_count: int
    announce_version: int
    summary: dict[str, Any] | None
    outcome_sent_at: datetime | None


@dataclass(frozen=True)
class StoredAnswer:
    id: int
    consultation_id: int
    option: int | None
    text: str
    scrubbed_kinds: tuple[str, ...]
    wijk: str | None
    ts: datetime
    erased_at: datetime | None


@dataclass(frozen=True)
class AnswerContact:
    answer_id: int
    name: str | None
    email: str
    phone: str | None
    language: str


def _consultation(row: ConsultationRow) -> ConsultationInfo:
    return ConsultationInfo(
        id=row.id, council=row.council, code=row.code, topic_id=row.topic_id, topic_title=row.topic_title,
        question=row.question, options=tuple(json.loads(row.options or "[]")), opens=aware(row.opens),
        closes=aware(row.closes), state=row.state, closed_at=aware(row.closed_at) if row.closed_at else None,
        thread_key=row.thread_key, answer_count=row.answer_count, shown_count=row.shown_count,
        announce_version=row.announce_version, summary=json.loads(row.summary) if row.summary else None,
        outcome_sent_at=aware(row.outcome_sent_at) if row.outcome_sent_at else None)


def _answer(row: ConsultationAnswerRow) -> StoredAnswer:
    return StoredAnswer(row.id, row.consultation_id, row.option, row.text,
                        tuple(k for k in (row.scrubbed_kinds or "").split(",") if k), row.wijk, aware(row.ts),
                        aware(row.erased_at) if row.erased_at else None)


def insert_consultation(s: Session, *, council: str, code: str, topic_id: int, topic_title: str, question: str,
                        options: tuple[str, ...], opens: datetime, closes: datetime, opened_by: str | None,
                        action_key: str | None, thread_key: str | None) -> ConsultationInfo:
    row = ConsultationRow(council=council, code=code, topic_id=topic_id, topic_title=topic_title, question=question,
                          options=json.dumps(list(options), ensure_ascii=False), opens=opens, closes=closes,
                          state="open", opened_by=opened_by,
                          action_key=hash_intake_key(action_key) if action_key else None, thread_key=thread_key,
                          answer_count=0, shown_count=0, announce_version=0)
    s.add(row)
    s.flush()
    return _consultation(row)


def consultation_by_action_key(s: Session, action_key: str) -> ConsultationInfo | None:
    row = s.scalar(select(ConsultationRow).where(ConsultationRow.action_key == hash_intake_key(action_key)))
    return _consultation(row) if row else None


def consultation(s: Session, code: str, *, council: str | None = None, lock: bool = False) -> ConsultationInfo:
    q = select(ConsultationRow).where(ConsultationRow.code == code)
    if council is not None:
        q = q.where(ConsultationRow.council == council)
    if lock:
        q = q.with_for_update()
    row = s.scalar(q)
    if row is None:
        raise NotFound("signals.consultation.code_invalid", "no such consultation")
    return _consultation(row)


def consultations(s: Session, council: str, *, state: str | None = None, limit: int = 50) -> list[ConsultationInfo]:
    q = select(ConsultationRow).where(ConsultationRow.council == council)
    if state:
        q = q.where(ConsultationRow.state == state)
    return [_consultation(r) for r in s.scalars(q.order_by(ConsultationRow.id.desc()).limit(limit))]


def consultations_due(s: Session, now: datetime) -> list[ConsultationInfo]:
    """Open ones past their closing time: the job closes them and posts the summary."""
    q = select(ConsultationRow).where(ConsultationRow.state == "open", ConsultationRow.closes <= now)
    return [_consultation(r) for r in s.scalars(q.order_by(ConsultationRow.id))]


def consultations_to_show(s: Session) -> list[ConsultationInfo]:
    """Open ones whose announcement shows an old count."""
    q = select(ConsultationRow).where(ConsultationRow.state == "open",
                                      ConsultationRow.answer_count != ConsultationRow.shown_count)
    return [_consultation(r) for r in s.scalars(q.order_by(ConsultationRow.id))]


def consultations_awaiting_outcome(s: Session) -> list[ConsultationInfo]:
    """Closed ones with residents still waiting to hear what the council decided."""
    has_contacts = (select(ConsultationContactRow.id)
                    .join(ConsultationAnswerRow, ConsultationAnswerRow.id == ConsultationContactRow.answer_id)
                    .where(ConsultationAnswerRow.consultation_id == ConsultationRow.id).exists())
    q = select(ConsultationRow).where(ConsultationRow.state == "closed", ConsultationRow.outcome_sent_at.is_(None),
                                      has_contacts)
    return [_consultation(r) for r in s.scalars(q.order_by(ConsultationRow.id))]


def set_shown(s: Session, consultation_id: int, count: int) -> int:
    """The announcement now shows ``count``: the next version number of its edit."""
    row = s.get(ConsultationRow, consultation_id, with_for_update=True)
    row.shown_count = count
    row.announce_version += 1
    s.flush()
    return row.announce_version


def close_consultation(s: Session, consultation_id: int, now: datetime, summary: dict[str, Any],
                       thread_key: str | None) -> None:
    row = s.get(ConsultationRow, consultation_id, with_for_update=True)
    row.state, row.closed_at = "closed", now
    row.summary = json.dumps(summary, ensure_ascii=False)
    if thread_key:
        row.thread_key = thread_key
    s.flush()


def set_outcome_sent(s: Session, consultation_id: int, now: datetime) -> None:
    s.execute(update(ConsultationRow).where(ConsultationRow.id == consultation_id).values(outcome_sent_at=now))


def consultations_background_owed(s: Session) -> list[ConsultationInfo]:
    """Closed ones whose summary has not reached deliberation as the topic's background yet."""
    q = select(ConsultationRow).where(ConsultationRow.state == "closed", ConsultationRow.summary.is_not(None),
                                      ConsultationRow.background_sent_at.is_(None))
    return [_consultation(r) for r in s.scalars(q.order_by(ConsultationRow.id))]


def set_background_sent(s: Session, consultation_id: int, now: datetime) -> None:
    s.execute(update(ConsultationRow).where(ConsultationRow.id == consultation_id).values(background_sent_at=now))


def answer_by_intake_key(s: Session, intake_key: str) -> StoredAnswer | None:
    row = s.scalar(select(ConsultationAnswerRow).where(ConsultationAnswerRow.intake_key == hash_intake_key(intake_key)))
    return _answer(row) if row else None


def insert_answer(s: Session, consultation_id: int, *, ref_hash: str, intake_key: str | None, option: int | None,
                  text: str, scrubbed_kinds: tuple[str, ...], wijk: str | None, ts: datetime) -> StoredAnswer:
    row = ConsultationAnswerRow(consultation_id=consultation_id, ref_hash=ref_hash,
                                intake_key=hash_intake_key(intake_key) if intake_key else None, option=option,
                                text=text, scrubbed_kinds=",".join(scrubbed_kinds)[:120], wijk=wijk, ts=ts)
    s.add(row)
    s.flush()
    s.execute(update(ConsultationRow).where(ConsultationRow.id == consultation_id)
              .values(answer_count=ConsultationRow.answer_count + 1))
    return _answer(row)


def insert_answer_contact(s: Session, answer_id: int, *, name: str | None, email: str, phone: str | None,
                          language: str, now: datetime) -> None:
    s.add(ConsultationContactRow(answer_id=answer_id, name=name, email=email, phone=phone, language=language,
                                 created_at=now))
    s.flush()


def answers(s: Session, consultation_id: int) -> list[StoredAnswer]:
    q = select(ConsultationAnswerRow).where(ConsultationAnswerRow.consultation_id == consultation_id,
                                            ConsultationAnswerRow.erased_at.is_(None))
    return [_answer(r) for r in s.scalars(q.order_by(ConsultationAnswerRow.ts, ConsultationAnswerRow.id))]


def answer_by_ref(s: Session, ref_hash: str) -> StoredAnswer | None:
    row = s.scalar(select(ConsultationAnswerRow).where(ConsultationAnswerRow.ref_hash == ref_hash))
    return _answer(row) if row else None


def consultation_by_id(s: Session, consultation_id: int) -> ConsultationInfo:
    row = s.get(ConsultationRow, consultation_id)
    if row is None:
        raise NotFound("signals.consultation.code_invalid", "no such consultation")
    return _consultation(row)


def answer_contact(s: Session, answer_id: int) -> AnswerContact | None:
    row = s.scalar(select(ConsultationContactRow).where(ConsultationContactRow.answer_id == answer_id))
    return AnswerContact(row.answer_id, row.name, row.email, row.phone, row.language) if row else None


def answer_contacts(s: Session, consultation_id: int) -> list[AnswerContact]:
    rows = s.scalars(select(ConsultationContactRow)
                     .join(ConsultationAnswerRow, ConsultationAnswerRow.id == ConsultationContactRow.answer_id)
                     .where(ConsultationAnswerRow.consultation_id == consultation_id)
                     .order_by(ConsultationContactRow.id))
    return [AnswerContact(r.answer_id, r.name, r.email, r.phone, r.language) for r in rows]


def delete_answer_contacts(s: Session, consultation_id: int) -> int:
    ids = select(ConsultationAnswerRow.id).where(ConsultationAnswerRow.consultation_id == consultation_id)
    result = s.execute(delete(ConsultationContactRow).where(ConsultationContactRow.answer_id.in_(ids)))
    return int(result.rowcount or 0)


def erase_answer(s: Session, answer_id: int, now: datetime) -> bool:
    """The resident's erasure: the text goes, the contact details go; the option and wijk stay counted only
    while the consultation runs (an erased answer is left out of every count)."""
    row = s.get(ConsultationAnswerRow, answer_id, with_for_update=True)
    if row is None or row.erased_at is not None:
        return False
    s.execute(delete(ConsultationContactRow).where(ConsultationContactRow.answer_id == answer_id))
    row.text, row.option, row.wijk, row.scrubbed_kinds, row.erased_at = "", None, None, "", now
    s.execute(update(ConsultationRow).where(ConsultationRow.id == row.consultation_id)
              .values(answer_count=ConsultationRow.answer_count - 1))
    s.flush()
    return True


def erase_expired_answer_contacts(s: Session, closed_before: datetime, limit: int = 500) -> int:
    """Contact details of consultations closed before ``closed_before`` (no outcome came in time)."""
    ids = list(s.scalars(select(ConsultationContactRow.id)
                         .join(ConsultationAnswerRow, ConsultationAnswerRow.id == ConsultationContactRow.answer_id)
                         .join(ConsultationRow, ConsultationRow.id == ConsultationAnswerRow.consultation_id)
                         .where(ConsultationRow.closed_at.is_not(None), ConsultationRow.closed_at < closed_before)
                         .limit(limit)))
    if not ids:
        return 0
    s.execute(delete(ConsultationContactRow).where(ConsultationContactRow.id.in_(ids)))
    return len(ids)


# --------------------------------------------------------------------------- bewonerscommissies
def set_forwarded(s: Session, cluster_id: int, commissie_id: str, name: str, now: datetime) -> None:
    s.execute(update(ClusterRow).where(ClusterRow.id == cluster_id)
              .values(forwarded_to=commissie_id, forwarded_name=name[:200], forwarded_at=now))


def open_clusters(s: Session, council: str, *, limit: int = 100) -> list[Cluster]:
    """The council's open list: groups not closed, merged away, handed to a commissie or on the agenda."""
    q = (select(ClusterRow).where(ClusterRow.council == council, ClusterRow.closed_at.is_(None),
                                  ClusterRow.merged_into.is_(None), ClusterRow.forwarded_to.is_(None),
                                  ClusterRow.topic_id.is_(None))
         .order_by(ClusterRow.last_ts.desc()).limit(limit))
    return [_cluster(r) for r in s.scalars(q)]


# --------------------------------------------------------------------------- patterns
@dataclass(frozen=True)
class PatternInfo:
    id: str
    council: str
    theme: str
    group_ids: frozenset[int]
    wijken: tuple[str, ...]
    data: dict[str, Any]
    card_version: int
    active: bool
    topic_id: int | None

    @property
    def card_key(self) -> str:
        return f"signals:pattern:{self.id}"


def _pattern(row: PatternRow) -> PatternInfo:
    return PatternInfo(row.id, row.council, row.theme, frozenset(int(i) for i in json.loads(row.group_ids or "[]")),
                       tuple(json.loads(row.wijken or "[]")), json.loads(row.data or "{}"), row.card_version,
                       bool(row.active), row.topic_id)


def cluster_activity(s: Session, council: str, since: datetime) -> tuple[int, int, Any]:
    """A cheap fingerprint of the council's groups active since ``since`` (patterns are found again only when it
    changes): how many, their signals, the latest activity."""
    row = s.execute(select(func.count(), func.coalesce(func.sum(ClusterRow.signal_count), 0), func.max(ClusterRow.last_ts))
                    .where(ClusterRow.council == council, ClusterRow.last_ts >= since,
                           ClusterRow.merged_into.is_(None))).one()
    return int(row[0]), int(row[1]), row[2]


def clusters_active_since(s: Session, council: str, since: datetime, limit: int = 5000) -> list[Cluster]:
    q = (select(ClusterRow).where(ClusterRow.council == council, ClusterRow.last_ts >= since,
                                  ClusterRow.merged_into.is_(None), ClusterRow.signal_count > 0)
         .order_by(ClusterRow.last_ts.desc()).limit(limit))
    return [_cluster(r) for r in s.scalars(q)]


def patterns(s: Session, council: str, *, active_only: bool = True) -> list[PatternInfo]:
    q = select(PatternRow).where(PatternRow.council == council)
    if active_only:
        q = q.where(PatternRow.active.is_(True))
    return [_pattern(r) for r in s.scalars(q.order_by(PatternRow.updated_at.desc()))]


def pattern(s: Session, council: str, pattern_id: str, *, lock: bool = False) -> PatternInfo:
    q = select(PatternRow).where(PatternRow.council == council, PatternRow.id == pattern_id)
    row = s.scalar(q.with_for_update() if lock else q)
    if row is None:
        raise NotFound("signals.pattern.unknown", "no such pattern")
    return _pattern(row)


def save_pattern(s: Session, council: str, pattern_id: str, theme: str, group_ids: Iterable[int],
                 wijken: Iterable[str], data: dict[str, Any], now: datetime) -> int:
    """Insert or update a pattern; returns the card version to use (0: the card itself, n: its n-th edit)."""
    row = s.get(PatternRow, pattern_id, with_for_update=True)
    ids, names = json.dumps(sorted(group_ids)), json.dumps(list(wijken), ensure_ascii=False)
    payload = json.dumps(data, ensure_ascii=False)
    if row is None:
        s.add(PatternRow(id=pattern_id, council=council, theme=theme, group_ids=ids, wijken=names, data=payload,
                         card_version=0, active=True, created_at=now, updated_at=now))
        s.flush()
        return 0
    row.group_ids, row.wijken, row.data, row.active, row.updated_at = ids, names, payload, True, now
    row.card_version += 1
    s.flush()
    return row.card_version


def deactivate_patterns(s: Session, council: str, keep: Iterable[str]) -> int:
    result = s.execute(update(PatternRow).where(PatternRow.council == council, PatternRow.active.is_(True),
                                                PatternRow.id.not_in(list(keep)))
                       .values(active=False))
    return int(result.rowcount or 0)


def set_pattern_topic(s: Session, pattern_id: str, topic_id: int) -> int:
    row = s.get(PatternRow, pattern_id, with_for_update=True)
    row.topic_id = topic_id
    row.card_version += 1
    s.flush()
    return row.card_version


# --------------------------------------------------------------------------- bewonersavond sign-up
@dataclass(frozen=True)
class SignupEvent:
    id: int
    council: str
    code: str
    event_number: int
    event_type: str
    title: str
    location: str
    starts: datetime
    capacity: int
    meeting: str = ""  # a series' meeting (its day, YYYY-MM-DD); "" for a single event


@dataclass(frozen=True)
class SignupContact:
    signup_id: int
    token_hash: str
    email: str
    name: str | None
    language: str


def _signup_event(row: SignupEventRow) -> SignupEvent:
    return SignupEvent(row.id, row.council, row.code, row.event_number, row.event_type, row.title, row.location or "",
                       aware(row.starts), row.capacity, row.meeting or "")


def signup_event(s: Session, *, code: str | None = None, council: str | None = None, event_number: int | None = None,
                 meeting: str = "", lock: bool = False) -> SignupEvent | None:
    """By its code, or by the event's number and meeting ("": a single event; a day: that meeting of a series)."""
    q = select(SignupEventRow)
    if code is not None:
        q = q.where(SignupEventRow.code == code)
    else:
        q = q.where(SignupEventRow.council == council, SignupEventRow.event_number == event_number,
                    SignupEventRow.meeting == meeting)
    row = s.scalar(q.with_for_update() if lock else q)
    return _signup_event(row) if row else None


def signup_events_of(s: Session, council: str, event_number: int) -> list[SignupEvent]:
    """Every sign-up of the event (a series: one per meeting opened), earliest meeting first."""
    q = select(SignupEventRow).where(SignupEventRow.council == council, SignupEventRow.event_number == event_number)
    return [_signup_event(r) for r in s.scalars(q.order_by(SignupEventRow.starts))]


def insert_signup_event(s: Session, *, council: str, code: str, event_number: int, event_type: str, title: str,
                        location: str, starts: datetime, capacity: int, opened_by: str | None,
                        now: datetime, meeting: str = "") -> SignupEvent:
    row = SignupEventRow(council=council, code=code, event_number=event_number, event_type=event_type, title=title,
                         location=location, starts=starts, capacity=capacity, opened_by=opened_by, created_at=now,
                         meeting=meeting)
    s.add(row)
    s.flush()
    return _signup_event(row)


def update_signup_event(s: Session, event_id: int, *, title: str, location: str, starts: datetime,
                        capacity: int) -> None:
    s.execute(update(SignupEventRow).where(SignupEventRow.id == event_id)
              .values(title=title, location=location, starts=starts, capacity=capacity))


def signup_rows(s: Session, event_id: int) -> list[SignupRow]:
    return list(s.scalars(select(SignupRow).where(SignupRow.event_id == event_id).order_by(SignupRow.id)))


def signup_by_token(s: Session, token_hash: str) -> SignupRow | None:
    return s.scalar(select(SignupRow).where(SignupRow.token_hash == token_hash))


def signup_of_token(s: Session, token_hash: str) -> tuple[SignupEvent, str] | None:
    row = signup_by_token(s, token_hash)
    if row is None:
        return None
    return _signup_event(s.get(SignupEventRow, row.event_id)), row.state


def signup_by_intake_key(s: Session, intake_key: str) -> SignupRow | None:
    return s.scalar(select(SignupRow).where(SignupRow.intake_key == hash_intake_key(intake_key)))


def insert_signup(s: Session, event_id: int, *, token_hash: str, email_key: str, intake_key: str | None, state: str,
                  signed_up: datetime, email: str, name: str | None, language: str) -> SignupRow:
    row = SignupRow(event_id=event_id, token_hash=token_hash, email_key=email_key,
                    intake_key=hash_intake_key(intake_key) if intake_key else None, state=state, signed_up=signed_up)
    s.add(row)
    s.flush()
    s.add(SignupContactRow(signup_id=row.id, email=email, name=name, language=language))
    s.flush()
    return row


def save_signup_states(s: Session, event_id: int, regs: Iterable[Any]) -> None:
    """Write the domain's registrations back (matched by token hash)."""
    by_token = {r.token_hash: r for r in signup_rows(s, event_id)}
    for reg in regs:
        row = by_token.get(reg.token)
        if row is None:
            continue
        row.state, row.moved_up, row.cancelled, row.reminded = reg.state.value, reg.moved_up, reg.cancelled, reg.reminded
    s.flush()


def signup_contacts(s: Session, event_id: int) -> dict[str, SignupContact]:
    rows = s.execute(select(SignupContactRow, SignupRow.token_hash)
                     .join(SignupRow, SignupRow.id == SignupContactRow.signup_id)
                     .where(SignupRow.event_id == event_id)).all()
    return {token: SignupContact(c.signup_id, token, c.email, c.name, c.language) for c, token in rows}


def delete_signup_contact(s: Session, signup_id: int) -> None:
    s.execute(delete(SignupContactRow).where(SignupContactRow.signup_id == signup_id))


def signup_events_upcoming(s: Session, now: datetime, until: datetime) -> list[SignupEvent]:
    q = select(SignupEventRow).where(SignupEventRow.starts > now, SignupEventRow.starts <= until)
    return [_signup_event(r) for r in s.scalars(q.order_by(SignupEventRow.starts))]


def erase_past_signup_contacts(s: Session, started_before: datetime) -> int:
    """Addresses of sign-ups for events that are over: they served the confirmation and the reminder only."""
    ids = select(SignupRow.id).join(SignupEventRow, SignupEventRow.id == SignupRow.event_id).where(
        SignupEventRow.starts < started_before)
    result = s.execute(delete(SignupContactRow).where(SignupContactRow.signup_id.in_(ids)))
    return int(result.rowcount or 0)


# The calendar's copy of the numbers (its feeds show the places left): owed while calendar_sent < calendar_version.
def owe_signup_to_calendar(s: Session, event_id: int) -> None:
    """The sign-up's numbers changed (in the caller's transaction): the calendar is owed them, now."""
    s.execute(update(SignupEventRow).where(SignupEventRow.id == event_id).values(
        calendar_version=SignupEventRow.calendar_version + 1, calendar_failures=0, calendar_retry_at=None))


def signups_owed_to_calendar(s: Session, now: datetime, limit: int = 20) -> list[tuple[SignupEvent, int, int]]:
    """(sign-up, version owed, failures so far) of those the calendar has not confirmed yet and may be tried now."""
    now = now.astimezone(timezone.utc)
    q = (select(SignupEventRow).where(SignupEventRow.calendar_sent < SignupEventRow.calendar_version)
         .order_by(SignupEventRow.id).limit(limit))
    out = []
    for row in s.scalars(q):
        retry_at = aware(row.calendar_retry_at)
        if retry_at is not None and retry_at > now:
            continue
        out.append((_signup_event(row), row.calendar_version, row.calendar_failures or 0))
    return out


def signup_calendar_state(s: Session, event_id: int) -> tuple[SignupEvent, int] | None:
    """The sign-up and the version of its numbers now (read with the numbers, in one transaction)."""
    row = s.get(SignupEventRow, event_id)
    return (_signup_event(row), row.calendar_version) if row is not None else None


def signup_sent_to_calendar(s: Session, event_id: int, version: int) -> None:
    """The calendar answered 2xx for ``version``; a change committed meanwhile (a higher version) stays owed."""
    s.execute(update(SignupEventRow).where(SignupEventRow.id == event_id, SignupEventRow.calendar_sent < version)
              .values(calendar_sent=version, calendar_failures=0, calendar_retry_at=None))


def signup_calendar_failed(s: Session, event_id: int, retry_at: datetime) -> None:
    s.execute(update(SignupEventRow).where(SignupEventRow.id == event_id).values(
        calendar_failures=SignupEventRow.calendar_failures + 1, calendar_retry_at=retry_at.astimezone(timezone.utc)))
