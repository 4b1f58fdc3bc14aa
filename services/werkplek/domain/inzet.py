"""Inzet in geld en tijd: what the council's work costs in hours and money, for the annual report.

Attendance comes from the calendar (answers, confirmed afterwards by the secretary), with the activity's
duration; members add hours they spent outside activities (``!uren <datum> <uren> <omschrijving>``);
allowances follow the council's own rules (per activity attended, or a fixed amount per month); costs
(training fees, venues, travel, external advice) are entered by the secretary. The year overview sums them
per member and per kind of activity, as plain data, a table and CSV. Money is ``Decimal`` euros, never float.
"""
from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import Enum
from typing import Iterable, Mapping

from shared.errors import InvalidInput

MAX_HOURS_A_DAY = Decimal(16)
MIN_HOURS = Decimal("0.25")
MAX_DESCRIPTION = 200
MAX_AMOUNT = Decimal("100000")
CENT = Decimal("0.01")


class ActivityKind(str, Enum):
    """The kinds the calendar knows, as the annual report counts them."""

    VERGADERING = "vergadering"
    HEIDAG = "heidag"
    TRAINING = "training"
    RAADPLEGING = "raadpleging"
    BEWONERSAVOND = "bewonersavond"
    OVERIG = "overig"  # declared hours: reading, preparing, talking to residents

    @classmethod
    def of(cls, calendar_type: str) -> "ActivityKind":
        """A calendar event type (``vergadering``, ``heidag``, ``training``, ``consultatie``, ...) as a kind here."""
        aliases = {"consultatie": cls.RAADPLEGING, "inspiratie": cls.BEWONERSAVOND}
        try:
            return aliases.get(calendar_type) or cls(calendar_type)
        except ValueError:
            return cls.OVERIG


class CostKind(str, Enum):
    TRAINING = "training"
    LOCATIE = "locatie"
    REIS = "reis"
    EXTERN_ADVIES = "extern_advies"
    OVERIG = "overig"


@dataclass(frozen=True)
class Attendance:
    """A member at an activity. ``confirmed``: the secretary confirmed it afterwards (answers are intentions)."""

    member: str
    activity: str  # the calendar's occurrence key: one meeting of a series is one activity
    kind: ActivityKind
    day: date
    hours: Decimal
    confirmed: bool = False


@dataclass(frozen=True)
class DeclaredHours:
    member: str
    day: date
    hours: Decimal
    description: str


@dataclass(frozen=True)
class Cost:
    kind: CostKind
    amount: Decimal
    day: date
    description: str
    activity_kind: ActivityKind | None = None  # the kind of activity it was for, when it was for one
    member: str | None = None  # a member's own travel or training, when it is theirs


@dataclass(frozen=True)
class AllowanceRules:
    """The council's rules. ``per_activity``: an amount for each confirmed attendance of that kind;
    ``per_month``: a fixed amount for each month of the year the member served (partly served months count)."""

    per_activity: Mapping[ActivityKind, Decimal] = field(default_factory=dict)
    per_month: Decimal = Decimal(0)
    # Answers ("aanwezig") count only once the secretary confirmed them: an allowance is paid for being there.
    confirmed_only: bool = True


@dataclass(frozen=True)
class MemberYear:
    member: str
    activities: int
    activity_hours: Decimal
    declared_hours: Decimal
    allowance: Decimal
    costs: Decimal
    by_kind: Mapping[ActivityKind, int]

    @property
    def hours(self) -> Decimal:
        return self.activity_hours + self.declared_hours


@dataclass(frozen=True)
class KindYear:
    kind: ActivityKind
    activities: int  # distinct activities held with at least one member there
    attendances: int
    hours: Decimal  # member-hours
    costs: Decimal


@dataclass(frozen=True)
class YearOverview:
    year: int
    members: tuple[MemberYear, ...]
    kinds: tuple[KindYear, ...]
    costs_by_kind: Mapping[CostKind, Decimal]

    @property
    def total_hours(self) -> Decimal:
        return sum((m.hours for m in self.members), Decimal(0))

    @property
    def total_allowance(self) -> Decimal:
        return sum((m.allowance for m in self.members), Decimal(0))

    @property
    def total_costs(self) -> Decimal:
        return sum(self.costs_by_kind.values(), Decimal(0))


# --------------------------------------------------------------------------- input


_HOURS = re.compile(r"^(\d{1,2})(?:[.,](\d{1,2}))?$|^(\d{1,2}):([0-5]\d)$|^(\d{1,2})u(?:([0-5]\d))?$")


def parse_hours(text: str) -> Decimal:
    """``2``, ``1,5``, ``1.5``, ``1:30`` and ``1u30`` are hours as members write them; a quarter hour at least."""
    m = _HOURS.match((text or "").strip().lower())
    if not m:
        raise InvalidInput("werkplek.hours.unreadable", "hours not readable", given=(text or "")[:20])
    if m.group(1) is not None:
        hours = Decimal(f"{m.group(1)}.{m.group(2) or 0}")
    elif m.group(3) is not None:
        hours = Decimal(m.group(3)) + Decimal(m.group(4)) / Decimal(60)
    else:
        hours = Decimal(m.group(5)) + Decimal(m.group(6) or 0) / Decimal(60)
    return _check_hours(hours)


def _check_hours(hours: Decimal) -> Decimal:
    if hours < MIN_HOURS or hours > MAX_HOURS_A_DAY:
        raise InvalidInput("werkplek.hours.out_of_range", f"{hours} hours", low=str(MIN_HOURS).replace(".", ","),
                           high=int(MAX_HOURS_A_DAY))
    return hours.quantize(CENT, rounding=ROUND_HALF_UP)


def declare_hours(member: str, day: date, hours: Decimal | str, description: str, *, today: date) -> DeclaredHours:
    """``!uren``: not for a day still to come, nor for a year whose overview is closed (before last year)."""
    amount = parse_hours(hours) if isinstance(hours, str) else _check_hours(Decimal(hours))
    if day > today:
        raise InvalidInput("werkplek.hours.future", "hours for a day to come", day=day.isoformat())
    if day.year < today.year - 1:
        raise InvalidInput("werkplek.hours.too_old", "hours for a closed year", year=day.year)
    text = " ".join((description or "").split())
    if not text:
        raise InvalidInput("werkplek.hours.description_required", "hours without description")
    if len(text) > MAX_DESCRIPTION:
        raise InvalidInput("werkplek.text.too_long", "description too long", max=MAX_DESCRIPTION)
    return DeclaredHours(member, day, amount, text)


def parse_amount(text: str) -> Decimal:
    """``12,50``, ``€ 1.250,00``, ``1250`` and ``12.50`` are euros as a secretary writes them."""
    raw = (text or "").strip().replace("€", "").replace("EUR", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d{1,2})?", raw):  # 1.250,00: dots group thousands
        raw = raw.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d+,\d{1,2}", raw):
        raw = raw.replace(",", ".")
    elif not re.fullmatch(r"\d+(\.\d{1,2})?", raw):
        raise InvalidInput("werkplek.amount.unreadable", "amount not readable", given=(text or "")[:20])
    try:
        amount = Decimal(raw)
    except InvalidOperation as exc:  # pragma: no cover - the patterns above admit only numbers
        raise InvalidInput("werkplek.amount.unreadable", "amount not readable", given=raw[:20]) from exc
    if amount <= 0 or amount > MAX_AMOUNT:
        raise InvalidInput("werkplek.amount.out_of_range", f"amount {amount}", high=int(MAX_AMOUNT))
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def new_cost(kind: CostKind | str, amount: Decimal | str, day: date, description: str, *,
             activity_kind: ActivityKind | None = None, member: str | None = None) -> Cost:
    try:
        kind = CostKind(kind)
    except ValueError as exc:
        raise InvalidInput("werkplek.cost.unknown_kind", "unknown cost kind", given=str(kind)[:30],
                           kinds=", ".join(k.value for k in CostKind)) from exc
    value = parse_amount(amount) if isinstance(amount, str) else parse_amount(str(amount))
    text = " ".join((description or "").split())
    if not text:
        raise InvalidInput("werkplek.cost.description_required", "cost without description")
    if len(text) > MAX_DESCRIPTION:
        raise InvalidInput("werkplek.text.too_long", "description too long", max=MAX_DESCRIPTION)
    return Cost(kind, value, day, text, activity_kind, member)


# --------------------------------------------------------------------------- the year


def months_served(year: int, term_start: date, term_end: date | None) -> int:
    """Months of ``year`` in which the member served at least one day."""
    first = max(term_start, date(year, 1, 1))
    last = min(term_end or date(year, 12, 31), date(year, 12, 31))
    if last < first:
        return 0
    return (last.year - first.year) * 12 + last.month - first.month + 1


def year_overview(year: int, *, attendance: Iterable[Attendance], declared: Iterable[DeclaredHours],
                  costs: Iterable[Cost], rules: AllowanceRules,
                  terms: Mapping[str, tuple[date, date | None]], as_of: date | None = None) -> YearOverview:
    """Everything of ``year``: per member (those with a term in the year, and anyone who attended or declared)
    and per kind of activity. Unconfirmed attendance counts for hours only when ``rules.confirmed_only`` is off.
    ``as_of``: the year so far (monthly allowances up to that month), else the whole year."""
    if as_of is not None:  # a term "until further notice" is served up to today, not to December
        terms = {m: (start, min(end or as_of, as_of)) for m, (start, end) in terms.items()}
    attended = [a for a in attendance if a.day.year == year and (a.confirmed or not rules.confirmed_only)]
    own_hours = [d for d in declared if d.day.year == year]
    year_costs = [c for c in costs if c.day.year == year]
    members = {a.member for a in attended} | {d.member for d in own_hours}
    members |= {m for m, (start, end) in terms.items() if months_served(year, start, end) > 0}

    rows: list[MemberYear] = []
    for member in sorted(members):
        mine = [a for a in attended if a.member == member]
        by_kind: dict[ActivityKind, int] = defaultdict(int)
        for a in mine:
            by_kind[a.kind] += 1
        allowance = sum((rules.per_activity.get(a.kind, Decimal(0)) for a in mine), Decimal(0))
        if rules.per_month and member in terms:
            allowance += rules.per_month * months_served(year, *terms[member])
        rows.append(MemberYear(
            member=member, activities=len(mine), activity_hours=sum((a.hours for a in mine), Decimal(0)),
            declared_hours=sum((d.hours for d in own_hours if d.member == member), Decimal(0)),
            allowance=allowance.quantize(CENT), costs=sum((c.amount for c in year_costs if c.member == member),
                                                          Decimal(0)),
            by_kind=dict(by_kind)))

    kinds: list[KindYear] = []
    for kind in ActivityKind:
        of_kind = [a for a in attended if a.kind is kind]
        kind_costs = sum((c.amount for c in year_costs if c.activity_kind is kind), Decimal(0))
        declared_here = own_hours if kind is ActivityKind.OVERIG else []
        if not of_kind and not kind_costs and not declared_here:
            continue
        kinds.append(KindYear(kind=kind, activities=len({a.activity for a in of_kind}), attendances=len(of_kind),
                              hours=sum((a.hours for a in of_kind), Decimal(0))
                              + sum((d.hours for d in declared_here), Decimal(0)),
                              costs=kind_costs))
    by_cost: dict[CostKind, Decimal] = defaultdict(lambda: Decimal(0))
    for c in year_costs:
        by_cost[c.kind] += c.amount
    return YearOverview(year, tuple(rows), tuple(kinds), dict(by_cost))


# --------------------------------------------------------------------------- attendance from the calendar


@dataclass(frozen=True)
class HeldActivity:
    """One held meeting (heidag, training, ...) of the year as the calendar reports it, for the secretary to
    confirm: who is recorded as there (their answers until confirmed), and everyone expected."""

    event: int
    day: date
    kind: ActivityKind
    title: str
    hours: Decimal
    confirmed: bool
    present: tuple[str, ...]
    people: tuple[str, ...]


def _record(raw: Mapping[str, object]) -> tuple[int, date, ActivityKind, str, Decimal, str, bool, bool] | None:
    """A record of the calendar's year attendance, or None when it is not one (it is another service's answer:
    a malformed row is left out rather than failing the page)."""
    try:
        hours = Decimal(str(raw["hours"])).quantize(CENT, rounding=ROUND_HALF_UP)
        return (int(str(raw["event"])), date.fromisoformat(str(raw["date"])), ActivityKind.of(str(raw["kind"])),
                str(raw.get("title") or ""), hours, str(raw["member"]), raw.get("present") is True,
                raw.get("confirmed") is True)
    except (KeyError, ValueError, TypeError, InvalidOperation):
        return None


def attendance_from_records(records: Iterable[Mapping[str, object]]) -> list[Attendance]:
    """Who was at what, from ``GET /councils/<slug>/attendance?year=``: present members only."""
    out = []
    for raw in records:
        r = _record(raw)
        if r is not None and r[6]:
            event, day, kind, _, hours, member, _, confirmed = r
            out.append(Attendance(member, f"{event}:{day.isoformat()}", kind, day, hours, confirmed))
    return out


def held_activities(records: Iterable[Mapping[str, object]]) -> list[HeldActivity]:
    """The year's held activities, newest first; the ones still to confirm before the confirmed ones."""
    grouped: dict[tuple[int, date], list[tuple[int, date, ActivityKind, str, Decimal, str, bool, bool]]] = {}
    for raw in records:
        r = _record(raw)
        if r is not None:
            grouped.setdefault((r[0], r[1]), []).append(r)
    out = []
    for (event, day), rows in grouped.items():
        first = rows[0]
        out.append(HeldActivity(event, day, first[2], first[3], first[4], all(r[7] for r in rows),
                                tuple(r[5] for r in rows if r[6]), tuple(dict.fromkeys(r[5] for r in rows))))
    return sorted(out, key=lambda a: (a.confirmed, -a.day.toordinal(), a.event))


def to_csv(overview: YearOverview, names: Mapping[str, str], labels: Mapping[str, str]) -> str:
    """The per-member table as CSV (semicolons and decimal commas, as Dutch spreadsheets read them).
    ``labels`` names the columns in the reader's language."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([labels["member"], labels["activities"], labels["activity_hours"], labels["declared_hours"],
                     labels["hours"], labels["allowance"], labels["costs"]])
    for m in overview.members:
        writer.writerow([_cell(names.get(m.member, m.member)), m.activities, _dec(m.activity_hours),
                         _dec(m.declared_hours), _dec(m.hours), _dec(m.allowance), _dec(m.costs)])
    writer.writerow([labels["total"], sum(m.activities for m in overview.members),
                     _dec(sum((m.activity_hours for m in overview.members), Decimal(0))),
                     _dec(sum((m.declared_hours for m in overview.members), Decimal(0))),
                     _dec(overview.total_hours), _dec(overview.total_allowance),
                     _dec(sum((m.costs for m in overview.members), Decimal(0)))])
    return out.getvalue()


def _dec(value: Decimal) -> str:
    return f"{value.quantize(CENT):f}".replace(".", ",")


def _cell(text: str) -> str:
    # A spreadsheet runs a cell that starts with = + - @ as a formula: a name must stay text.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CATALOG = {
    "nl": {
        "werkplek.hours.unreadable": "Ik kan \"{given}\" niet als uren lezen. Schrijf bijvoorbeeld 2, 1,5 of 1:30.",
        "werkplek.hours.out_of_range": "Geef tussen {low} en {high} uur op voor één dag.",
        "werkplek.hours.future": "Uren schrijf je achteraf: {day} is nog niet geweest.",
        "werkplek.hours.too_old": "Het overzicht van {year} is gesloten; vraag de secretaris als er iets mist.",
        "werkplek.hours.description_required": "Zeg in een paar woorden wat je deed, bijvoorbeeld: !uren 3-3 2 "
                                               "stukken gelezen voor de vergadering.",
        "werkplek.text.too_long": "Dat is te lang: hoogstens {max} tekens.",
        "werkplek.amount.unreadable": "Ik kan \"{given}\" niet als bedrag lezen. Schrijf bijvoorbeeld 12,50.",
        "werkplek.amount.out_of_range": "Het bedrag moet meer dan 0 en hoogstens {high} euro zijn.",
        "werkplek.cost.unknown_kind": "Onbekende soort kosten \"{given}\". Kies uit: {kinds}.",
        "werkplek.cost.description_required": "Zeg waar de kosten voor waren.",
    },
    "en": {
        "werkplek.hours.unreadable": "I cannot read \"{given}\" as hours. Write for instance 2, 1.5 or 1:30.",
        "werkplek.hours.out_of_range": "Give between {low} and {high} hours for one day.",
        "werkplek.hours.future": "Hours are written afterwards: {day} has not come yet.",
        "werkplek.hours.too_old": "The overview of {year} is closed; ask the secretary if something is missing.",
        "werkplek.hours.description_required": "Say in a few words what you did, for instance: !uren 3-3 2 read the "
                                               "papers for the meeting.",
        "werkplek.text.too_long": "That is too long: at most {max} characters.",
        "werkplek.amount.unreadable": "I cannot read \"{given}\" as an amount. Write for instance 12.50.",
        "werkplek.amount.out_of_range": "The amount must be more than 0 and at most {high} euros.",
        "werkplek.cost.unknown_kind": "Unknown kind of cost \"{given}\". Choose from: {kinds}.",
        "werkplek.cost.description_required": "Say what the costs were for.",
    },
}
