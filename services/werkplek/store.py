"""Reading and writing the werkplek's tables; domain objects in, domain objects out."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from services.werkplek.domain.access import CommitteeLink, SignInLink
from services.werkplek.domain.doelen import Goal, GoalStatus
from services.werkplek.domain.inzet import ActivityKind, Cost, CostKind, DeclaredHours
from services.werkplek.domain.selectie import SelectionAdvice
from services.werkplek.models import CommitteeLinkRow, CostRow, GoalRow, HoursRow, SelectionAdviceRow, SignInLinkRow
from shared.outbox import aware

# --------------------------------------------------------------------------- sign-in


def add_sign_in_link(s: Session, link: SignInLink) -> None:
    s.add(SignInLinkRow(token_hash=link.token_hash, council=link.council, matrix_id=link.matrix_id,
                        created_at=link.created_at))
    s.flush()


def sign_in_link(s: Session, token_hash: str, *, lock: bool = False) -> SignInLink | None:
    query = select(SignInLinkRow).where(SignInLinkRow.token_hash == token_hash)
    row = s.scalar(query.with_for_update() if lock else query)
    if row is None:
        return None
    return SignInLink(row.token_hash, row.council, row.matrix_id, aware(row.created_at), aware(row.used_at))


def mark_link_used(s: Session, link: SignInLink) -> None:
    row = s.scalar(select(SignInLinkRow).where(SignInLinkRow.token_hash == link.token_hash))
    assert row is not None
    row.used_at = link.used_at


def forget_links(s: Session, created_before: datetime) -> int:
    return s.execute(delete(SignInLinkRow).where(SignInLinkRow.created_at < created_before)).rowcount or 0


def add_committee_link(s: Session, link: CommitteeLink) -> int:
    row = CommitteeLinkRow(token_hash=link.token_hash, council=link.council, name=link.name,
                           created_at=link.created_at, expires_at=link.expires_at, created_by=link.created_by)
    s.add(row)
    s.flush()
    return row.id


def _committee(row: CommitteeLinkRow) -> CommitteeLink:
    return CommitteeLink(row.token_hash, row.council, row.name, aware(row.created_at), aware(row.expires_at),
                         row.created_by, aware(row.revoked_at))


def committee_link(s: Session, token_hash: str) -> CommitteeLink | None:
    row = s.scalar(select(CommitteeLinkRow).where(CommitteeLinkRow.token_hash == token_hash))
    return _committee(row) if row else None


def committee_links(s: Session, council: str) -> list[tuple[int, CommitteeLink]]:
    rows = s.scalars(select(CommitteeLinkRow).where(CommitteeLinkRow.council == council)
                     .order_by(CommitteeLinkRow.id))
    return [(r.id, _committee(r)) for r in rows]


def revoke_committee_link(s: Session, council: str, link_id: int, at: datetime) -> bool:
    row = s.get(CommitteeLinkRow, link_id)
    if row is None or row.council != council:
        return False
    row.revoked_at = row.revoked_at or at
    return True


# --------------------------------------------------------------------------- hours and costs


def add_hours(s: Session, council: str, declared: DeclaredHours, created_key: str | None) -> bool:
    """False when this chat message declared them already."""
    if created_key and s.scalar(select(HoursRow.id).where(HoursRow.council == council,
                                                          HoursRow.created_key == created_key)):
        return False
    s.add(HoursRow(council=council, matrix_id=declared.member, day=declared.day, hours=declared.hours,
                   description=declared.description, created_key=created_key))
    s.flush()
    return True


def hours(s: Session, council: str, year: int) -> list[DeclaredHours]:
    rows = s.scalars(select(HoursRow).where(HoursRow.council == council, HoursRow.day >= date(year, 1, 1),
                                            HoursRow.day <= date(year, 12, 31)).order_by(HoursRow.day, HoursRow.id))
    return [DeclaredHours(r.matrix_id, r.day, Decimal(r.hours), r.description) for r in rows]


def add_cost(s: Session, council: str, cost: Cost, created_by: str) -> None:
    s.add(CostRow(council=council, kind=cost.kind.value, amount=cost.amount, day=cost.day,
                  description=cost.description, activity_kind=cost.activity_kind.value if cost.activity_kind else None,
                  matrix_id=cost.member, created_by=created_by))
    s.flush()


def costs(s: Session, council: str, year: int) -> list[Cost]:
    rows = s.scalars(select(CostRow).where(CostRow.council == council, CostRow.day >= date(year, 1, 1),
                                           CostRow.day <= date(year, 12, 31)).order_by(CostRow.day, CostRow.id))
    return [Cost(CostKind(r.kind), Decimal(r.amount), r.day, r.description,
                 ActivityKind(r.activity_kind) if r.activity_kind else None, r.matrix_id) for r in rows]


# --------------------------------------------------------------------------- goals


def _goal(row: GoalRow) -> Goal:
    return Goal(row.number, row.council, row.year, row.title, tuple(int(t) for t in row.topic_ids or ()),
                GoalStatus(row.set_status) if row.set_status else None, row.note)


def goals(s: Session, council: str, year: int | None = None) -> list[Goal]:
    query = select(GoalRow).where(GoalRow.council == council)
    if year is not None:
        query = query.where(GoalRow.year == year)
    return [_goal(r) for r in s.scalars(query.order_by(GoalRow.number))]


def next_goal_number(s: Session, council: str) -> int:
    return (s.scalar(select(func.max(GoalRow.number)).where(GoalRow.council == council)) or 0) + 1


def save_goal(s: Session, goal: Goal) -> None:
    row = s.scalar(select(GoalRow).where(GoalRow.council == goal.council, GoalRow.number == goal.id))
    if row is None:
        row = GoalRow(council=goal.council, number=goal.id)
        s.add(row)
    row.year, row.title, row.topic_ids = goal.year, goal.title, list(goal.topic_ids)
    row.set_status = goal.set_status.value if goal.set_status else None
    row.note = goal.note
    s.flush()


def goal_numbers(goals_: Iterable[Goal]) -> set[int]:
    return {g.id for g in goals_}


# --------------------------------------------------------------------------- selection advice


def save_selection_advice(s: Session, council: str, advice: SelectionAdvice) -> None:
    """One advice per person per application: a later one replaces theirs."""
    row = s.scalar(select(SelectionAdviceRow).where(SelectionAdviceRow.council == council,
                                                    SelectionAdviceRow.application_id == advice.application_id,
                                                    SelectionAdviceRow.author == advice.author).with_for_update())
    if row is None:
        row = SelectionAdviceRow(council=council, application_id=advice.application_id, author=advice.author)
        s.add(row)
    row.author_label, row.advice, row.note, row.given_at = (advice.author_label, advice.advice, advice.note,
                                                             advice.given_at)
    s.flush()


def selection_advice(s: Session, council: str) -> list[SelectionAdvice]:
    rows = s.scalars(select(SelectionAdviceRow).where(SelectionAdviceRow.council == council)
                     .order_by(SelectionAdviceRow.given_at.desc(), SelectionAdviceRow.id.desc()))
    return [SelectionAdvice(r.application_id, r.author, r.author_label, r.advice, r.note, aware(r.given_at))
            for r in rows]


def forget_selection_advice(s: Session, council: str, keep: set[int]) -> int:
    """Delete the advice on applications that are gone from deliberation (withdrawn, or past their retention)."""
    rows = s.scalars(select(SelectionAdviceRow).where(SelectionAdviceRow.council == council))
    gone = [r for r in rows if r.application_id not in keep]
    for row in gone:
        s.delete(row)
    return len(gone)
