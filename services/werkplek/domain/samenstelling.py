"""Samenstelling en afspiegeling: does the council look like the residents it speaks for?

The seats are assigned to customer groups (deliberation labels a seat "age band · wijk · background"); the
council's make-up counts today's serving members: their customer group (the seat's label), and the wijk and age band
of the seat they hold. The operator configures the residents' shares per dimension
(``CouncilConfig.reference_shares``); where the council differs by ``GAP_POINTS`` percentage points or more, or
has nobody from a group that is a real part of the residents, the gap is named in plain words.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Mapping

DIMENSIONS = ("customer_group", "wijk", "age_band")
GAP_POINTS = 10  # percentage points: one member of a council of 13 is about 8
MISSING_FROM = 0.05  # a group of at least 5% of the residents with nobody in the council is named


@dataclass(frozen=True)
class Person:
    """A serving member as far as afspiegeling is concerned; empty text: not known."""

    customer_group: str = ""
    wijk: str = ""
    age_band: str = ""


@dataclass(frozen=True)
class Row:
    label: str
    count: int
    share: float  # of the members whose label is known
    reference: float | None  # of the residents; None: not configured


@dataclass(frozen=True)
class Dimension:
    name: str
    rows: tuple[Row, ...]
    known: int
    unknown: int


@dataclass(frozen=True)
class Gap:
    dimension: str
    label: str
    kind: str  # "ontbreekt" (nobody), "onder" (under-represented), "boven" (over-represented)
    share: float
    reference: float


@dataclass(frozen=True)
class SeatGroup:
    label: str
    seats: int
    held: int

    @property
    def vacant(self) -> int:
        return self.seats - self.held


def _key(label: str) -> str:
    return " ".join((label or "").split()).casefold()


def reference(configured: Mapping[str, Mapping[str, Decimal | float | int]]) -> dict[str, dict[str, float]]:
    """The configured shares per dimension, scaled to sum to one (fractions and percentages alike);
    negative or empty entries are left out."""
    out: dict[str, dict[str, float]] = {}
    for dim in DIMENSIONS:
        raw = {str(k).strip(): float(v) for k, v in (configured.get(dim) or {}).items()
               if str(k).strip() and float(v) > 0}
        total = sum(raw.values())
        if total > 0:
            out[dim] = {k: v / total for k, v in raw.items()}
    return out


def makeup(people: Iterable[Person], shares: Mapping[str, Mapping[str, float]]) -> list[Dimension]:
    """Per dimension: each label's count and share in the council next to its share of the residents.
    Labels from the reference come first (in its order, also when nobody in the council has them)."""
    people = list(people)
    dims = []
    for dim in DIMENSIONS:
        ref = shares.get(dim, {})
        counts: dict[str, int] = {}
        shown: dict[str, str] = {}
        for label in ref:
            counts.setdefault(_key(label), 0)
            shown.setdefault(_key(label), label)
        unknown = 0
        for p in people:
            label = getattr(p, dim).strip()
            if not label:
                unknown += 1
                continue
            counts[_key(label)] = counts.get(_key(label), 0) + 1
            shown.setdefault(_key(label), label)
        known = len(people) - unknown
        ref_by_key = {_key(k): v for k, v in ref.items()}
        rows = tuple(Row(shown[k], n, n / known if known else 0.0, ref_by_key.get(k) if ref else None)
                     for k, n in counts.items())
        dims.append(Dimension(dim, rows, known, unknown))
    return dims


def gaps(dimensions: Iterable[Dimension]) -> list[Gap]:
    """Where the council differs from the residents, biggest difference first. Nothing is named for a dimension
    without reference shares or without any member whose label is known."""
    found = []
    for d in dimensions:
        if d.known == 0:
            continue
        for row in d.rows:
            if row.reference is None:
                continue
            diff = row.share - row.reference
            if row.count == 0 and row.reference >= MISSING_FROM:
                found.append(Gap(d.name, row.label, "ontbreekt", row.share, row.reference))
            elif abs(diff) * 100 >= GAP_POINTS:
                found.append(Gap(d.name, row.label, "onder" if diff < 0 else "boven", row.share, row.reference))
    return sorted(found, key=lambda g: (g.kind != "ontbreekt", -abs(g.share - g.reference), g.dimension, g.label))


def seat_groups(seats: Iterable[tuple[str, bool]]) -> list[SeatGroup]:
    """Seats by customer group: (group label, held today) per seat → per group the seats and how many are held."""
    order: dict[str, list[int]] = {}
    shown: dict[str, str] = {}
    for label, held in seats:
        k = _key(label)
        shown.setdefault(k, label.strip())
        tally = order.setdefault(k, [0, 0])
        tally[0] += 1
        tally[1] += 1 if held else 0
    return [SeatGroup(shown[k], seats_, held) for k, (seats_, held) in order.items()]


def percent(value: float) -> int:
    """A share as a whole percentage, rounded half up (what people read)."""
    return int(Decimal(str(value * 100)).quantize(Decimal(1), rounding="ROUND_HALF_UP"))


CATALOG = {
    "nl": {
        "werkplek.dimension.customer_group": "Klantgroep",
        "werkplek.dimension.wijk": "Wijk",
        "werkplek.dimension.age_band": "Leeftijd",
        "werkplek.gap.ontbreekt": "{dimension} {label}: niemand in de raad, terwijl {reference}% van de huurders "
                                  "hierbij hoort.",
        "werkplek.gap.onder": "{dimension} {label}: te weinig in de raad. {share}% van de raad, tegen {reference}% "
                              "van de huurders.",
        "werkplek.gap.boven": "{dimension} {label}: veel in de raad. {share}% van de raad, tegen {reference}% "
                              "van de huurders.",
    },
    "en": {
        "werkplek.dimension.customer_group": "Customer group",
        "werkplek.dimension.wijk": "Neighbourhood",
        "werkplek.dimension.age_band": "Age",
        "werkplek.gap.ontbreekt": "{dimension} {label}: nobody on the council, while {reference}% of the residents "
                                  "belong here.",
        "werkplek.gap.onder": "{dimension} {label}: too few on the council. {share}% of the council, against "
                              "{reference}% of the residents.",
        "werkplek.gap.boven": "{dimension} {label}: many on the council. {share}% of the council, against "
                              "{reference}% of the residents.",
    },
}
