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
from datetime import date, datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from services.signals.domain.clustering import DEFAULT_PER_KEY_LIMIT, SignalFeatures
from services.signals.models import (
    ClusterKeyRow,
    ClusterRow,
    ContactRow,
    GroupCorrectionRow,
    HeardRow,
    SignalRow,
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
    feats = SignalFeatures.from_dict(json.loads(row.features)) if row.features else None
    return Signal(id=row.id, council=row.council, channel=row.channel, text=row.text,
                  scrubbed_kinds=tuple(k for k in (row.scrubbed_kinds or "").split(",") if k),
                  wijk=row.wijk, wijk_source=row.wijk_source, theme=row.theme, themes=themes,
                  theme_source=row.theme_source, features=feats, ts=aware(row.ts), cluster_id=row.cluster_id,
                  status=row.status, status_note=row.status_note, closed_at=aware(row.closed_at),
                  erased_at=aware(row.erased_at), contact_erased_at=aware(row.contact_erased_at))


def _cluster(row: ClusterRow) -> Cluster:
    return Cluster(id=row.id, council=row.council, room=row.room, theme=row.theme,
                   theme_corrected=bool(row.theme_corrected), wijk=row.wijk, signal_count=row.signal_count,
                   heard_count=row.heard_count, first_ts=aware(row.first_ts), last_ts=aware(row.last_ts),
                   card_version=row.card_version, topic_id=row.topic_id, topic_status=row.topic_status,
                   agendered_at=aware(row.agendered_at), outcome_text=row.outcome_text,
                   outcome_date=row.outcome_date, closed_at=aware(row.closed_at),
                   card_generation=int(row.erased_count or 0), number=row.number, card_base=row.card_base or "",
                   wijken=ordered_wijken(wijken_counts(row.wijken)), card_pending=int(row.card_pending or 0),
                   merged_into=row.merged_into, split_from=row.split_from)


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
def candidates(s: Session, council: str, keys: Iterable[str], ts: datetime, window: timedelta,
               per_key_limit: int = DEFAULT_PER_KEY_LIMIT) -> list[tuple[int, SignalFeatures]]:
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
              .where(k.council == council, k.key.in_(keys), k.ts >= ts - window, k.ts <= ts + window)
              .subquery())
    ids: list[int] = []
    seen: set[int] = set()
    for signal_id in s.scalars(select(ranked.c.signal_id).where(ranked.c.rank <= per_key_limit)
                               .order_by(ranked.c.key, ranked.c.ts.desc())):
        if signal_id not in seen:
            seen.add(signal_id)
            ids.append(signal_id)
    if not ids:
        return []
    found = {sid: (cid, feats) for sid, cid, feats in s.execute(
        select(SignalRow.id, SignalRow.cluster_id, SignalRow.features).where(SignalRow.id.in_(ids)))}
    out = []
    for sid in ids:
        cid, feats = found.get(sid, (None, ""))
        if cid is not None and feats:
            out.append((cid, SignalFeatures.from_dict(json.loads(feats))))
    return out


def write_keys(s: Session, council: str, signal_id: int, ts: datetime, keys: Iterable[str]) -> None:
    for key in sorted(set(keys)):
        s.add(ClusterKeyRow(council=council, key=key, signal_id=signal_id, ts=ts))


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
                   card_owed: bool = True) -> Cluster:
    """Count a new signal in; the first and last dates stretch to include it; its neighbourhood is
    counted on the row. With ``card_owed`` the card's edit is recorded as pending (sent later, once
    per burst, by :func:`services.signals.actions.flush_cards`)."""
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
    row = SignalRow(council=new.council, ref_hash=new.ref_hash, intake_key=hash_intake_key(new.intake_key) if new.intake_key else None,
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
