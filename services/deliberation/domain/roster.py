"""The council's roster: seats assigned to customer groups, members, applications, and who is
absent with notice.

Seats make the council mirror its customers (afspiegeling: age, neighbourhood, background). At
most 13 seats per council by default. A member is a tenant (huurder), home buyer (koper) or
entrepreneur (ondernemer); the secretary is flagged on a member. A secretary without a seat (often
external help) facilitates but is not expected to take a position in rounds.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from enum import Enum
from typing import Iterable

from shared.errors import Conflict, InvalidInput, NotFound

from .consensus import Participants
from .messages import LabelledConflict

MAX_SEATS = 13
LANGUAGES = ("nl", "en")
MAX_NAME_LENGTH = 120
MAX_LABEL_LENGTH = 80
MAX_TEXT_LENGTH = 4_000
MAX_CONTACT_LENGTH = 254  # an e-mail address or phone number

# Matrix user id: "@localpart:server". Localparts may hold any printable ASCII but ":" (the
# historical grammar, still valid on existing accounts); server is a host name or [IPv6], with a port.
_MATRIX_ID = re.compile(r"@[\x21-\x39\x3b-\x7e]+:(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])"
                        r"(?::[0-9]{1,5})?")
_MATRIX_ID_MAX = 255
# Public for the API schemas, so /openapi.json states the same rule.
MATRIX_ID_RE = _MATRIX_ID
MATRIX_ID_MAX = _MATRIX_ID_MAX


class MemberType(str, Enum):
    HUURDER = "huurder"
    KOPER = "koper"
    ONDERNEMER = "ondernemer"


class ApplicationStatus(str, Enum):
    ONTVANGEN = "ontvangen"
    GESPREK = "gesprek"
    BENOEMD = "benoemd"
    NIET_BENOEMD = "niet_benoemd"


APPLICATION_TRANSITIONS: dict[ApplicationStatus, frozenset[ApplicationStatus]] = {
    # The selection committee may also decline without an interview.
    ApplicationStatus.ONTVANGEN: frozenset({ApplicationStatus.GESPREK, ApplicationStatus.NIET_BENOEMD}),
    ApplicationStatus.GESPREK: frozenset({ApplicationStatus.BENOEMD, ApplicationStatus.NIET_BENOEMD}),
    ApplicationStatus.BENOEMD: frozenset(),
    ApplicationStatus.NIET_BENOEMD: frozenset(),
}


@dataclass(frozen=True)
class CustomerGroup:
    """Free-text labels, e.g. age band "18-35", area "Feijenoord", background "gezin met kinderen"."""

    age_band: str = ""
    area: str = ""
    background: str = ""

    @property
    def label(self) -> str:
        return " · ".join(part for part in (self.age_band, self.area, self.background) if part)


@dataclass(frozen=True)
class Seat:
    id: int
    group: CustomerGroup


@dataclass(frozen=True)
class Member:
    matrix_id: str
    display_name: str
    member_type: MemberType
    term_start: date
    term_end: date | None = None  # inclusive; None: until further notice
    seat_id: int | None = None
    secretary: bool = False
    language: str = "nl"
    # Appointed but not (yet) in the council's room: "nog niet in de chat". Such a member may respond, but
    # is not waited for and does not count towards the quorum until they join.
    in_chat: bool = True

    def active_on(self, today: date) -> bool:
        return self.term_start <= today and (self.term_end is None or today <= self.term_end)

    def not_ended_on(self, today: date) -> bool:
        """Serving now or appointed for later: such a member keeps their seat."""
        return self.term_end is None or today <= self.term_end

    @property
    def deliberates(self) -> bool:
        """A secretary without a seat facilitates; everyone else takes positions in rounds."""
        return not (self.secretary and self.seat_id is None)


def validate_matrix_id(value: str) -> str:
    value = (value or "").strip()
    if len(value) > _MATRIX_ID_MAX or not _MATRIX_ID.fullmatch(value):
        raise InvalidInput("delib.member.bad_matrix_id", "invalid matrix id", given=value[:_MATRIX_ID_MAX])
    return value


def parse_member_type(value: MemberType | str) -> MemberType:
    try:
        return MemberType(value.strip().lower() if isinstance(value, str) else value)
    except ValueError:
        raise InvalidInput("delib.member.bad_type", f"member type {value!r}", given=str(value),
                           allowed=", ".join(t.value for t in MemberType)) from None


def new_member(*, matrix_id: str, display_name: str, member_type: MemberType | str, term_start: date,
               term_end: date | None = None, seat_id: int | None = None, secretary: bool = False,
               language: str = "nl") -> Member:
    """Validate a member's details (``!lid <matrix-id> <huurder|koper|ondernemer> [zetel]``)."""
    matrix_id = validate_matrix_id(matrix_id)
    name = _clean_name(display_name) or matrix_id[1:].split(":", 1)[0]
    if term_end is not None and term_end < term_start:
        raise InvalidInput("delib.member.bad_term", "term ends before it starts",
                           term_start=term_start.isoformat(), term_end=term_end.isoformat())
    if language not in LANGUAGES:
        raise InvalidInput("delib.member.bad_language", f"language {language!r}", given=str(language),
                           allowed=", ".join(LANGUAGES))
    return Member(matrix_id=matrix_id, display_name=name, member_type=parse_member_type(member_type),
                  term_start=term_start, term_end=term_end, seat_id=seat_id, secretary=bool(secretary),
                  language=language)


def new_customer_group(age_band: str = "", area: str = "", background: str = "") -> CustomerGroup:
    group = CustomerGroup(*(_clean_label(v) for v in (age_band, area, background)))
    if not group.label:
        raise InvalidInput("delib.seat.group_required", "seat without customer group")
    return group


# --------------------------------------------------------------------------- afspiegeling


@dataclass(frozen=True)
class SeatHolding:
    seat: Seat
    member: Member


@dataclass(frozen=True)
class Afspiegeling:
    """How the council mirrors its customers today (``!leden``)."""

    held: tuple[SeatHolding, ...]
    vacant: tuple[Seat, ...]  # nobody holds it today
    upcoming: tuple[SeatHolding, ...]  # vacant today, a member's term starts later
    unrepresented_groups: tuple[CustomerGroup, ...]  # no seat of the group is held today
    members_without_seat: tuple[Member, ...]


def afspiegeling(seats: Iterable[Seat], members: Iterable[Member], today: date) -> Afspiegeling:
    seats = sorted(seats, key=lambda s: s.id)
    members = list(members)
    current = {m.seat_id: m for m in members if m.seat_id is not None and m.active_on(today)}
    future = {m.seat_id: m for m in members
              if m.seat_id is not None and m.term_start > today and m.not_ended_on(today)}
    held = tuple(SeatHolding(s, current[s.id]) for s in seats if s.id in current)
    vacant = tuple(s for s in seats if s.id not in current)
    upcoming = tuple(SeatHolding(s, future[s.id]) for s in vacant if s.id in future)
    represented = {h.seat.group for h in held}
    unrepresented: list[CustomerGroup] = []
    for seat in seats:
        if seat.group not in represented and seat.group not in unrepresented:
            unrepresented.append(seat.group)
    without_seat = tuple(sorted((m for m in members if m.seat_id is None and m.active_on(today)),
                                key=lambda m: m.display_name.lower()))
    return Afspiegeling(held=held, vacant=vacant, upcoming=upcoming,
                        unrepresented_groups=tuple(unrepresented), members_without_seat=without_seat)


def is_member(members: Iterable[Member], matrix_id: str, today: date) -> bool:
    return any(m.matrix_id == matrix_id and m.active_on(today) for m in members)


# --------------------------------------------------------------------------- the roster


@dataclass(frozen=True)
class Roster:
    council_id: str
    seats: tuple[Seat, ...] = ()
    members: tuple[Member, ...] = ()
    max_seats: int = MAX_SEATS

    def seat(self, seat_id: int) -> Seat:
        for seat in self.seats:
            if seat.id == seat_id:
                return seat
        raise NotFound("delib.seat.not_found", f"council {self.council_id}: no seat {seat_id}", seat_id=seat_id)

    def member(self, matrix_id: str) -> Member:
        for member in self.members:
            if member.matrix_id == matrix_id:
                return member
        raise NotFound("delib.member.not_found", f"council {self.council_id}: unknown member",
                       matrix_id=matrix_id)

    def is_member(self, matrix_id: str, today: date) -> bool:
        return is_member(self.members, matrix_id, today)

    def current_members(self, today: date) -> tuple[Member, ...]:
        return tuple(sorted((m for m in self.members if m.active_on(today)), key=lambda m: m.display_name.lower()))

    def afspiegeling(self, today: date) -> Afspiegeling:
        return afspiegeling(self.seats, self.members, today)

    def holder(self, seat_id: int, today: date) -> Member | None:
        """Who has the seat now or is appointed to it for later."""
        return next((m for m in self.members if m.seat_id == seat_id and m.not_ended_on(today)), None)

    def available_seats(self, today: date) -> tuple[Seat, ...]:
        """Seats nobody holds now or later: the ones an appointment can fill."""
        return tuple(s for s in sorted(self.seats, key=lambda s: s.id) if self.holder(s.id, today) is None)

    def participants(self, today: date, absent: Iterable[str] = ()) -> Participants:
        """Who takes part in a round today, for :mod:`.consensus`."""
        current = [m for m in self.members if m.active_on(today)]
        members = frozenset(m.matrix_id for m in current if m.deliberates)
        return Participants(members=members, absent=frozenset(absent) & members,
                            secretaries=frozenset(m.matrix_id for m in current if m.secretary),
                            not_in_chat=frozenset(m.matrix_id for m in current if m.deliberates and not m.in_chat))

    def joined_chat(self, matrix_id: str) -> tuple[Roster, bool]:
        """The member joined the council's room. Returns the roster and whether they had been waited for."""
        member = self.member(matrix_id)
        if member.in_chat:
            return self, False
        return self._put(replace(member, in_chat=True)), True

    def add_seat(self, group: CustomerGroup) -> Roster:
        if len(self.seats) >= self.max_seats:
            raise Conflict("delib.seat.max_reached", f"council {self.council_id}: {len(self.seats)} seats",
                           max=self.max_seats)
        if not group.label:
            raise InvalidInput("delib.seat.group_required", "seat without customer group")
        next_id = max((s.id for s in self.seats), default=0) + 1
        return replace(self, seats=self.seats + (Seat(next_id, group),))

    def regroup_seat(self, seat_id: int, group: CustomerGroup) -> Roster:
        self.seat(seat_id)
        if not group.label:
            raise InvalidInput("delib.seat.group_required", "seat without customer group")
        return replace(self, seats=tuple(replace(s, group=group) if s.id == seat_id else s for s in self.seats))

    def add_member(self, member: Member, today: date) -> Roster:
        """``!lid``: add a validated member; a former member (term ended) is replaced by the new term."""
        existing = next((m for m in self.members if m.matrix_id == member.matrix_id), None)
        if existing is not None and existing.not_ended_on(today):
            raise Conflict("delib.member.exists", f"council {self.council_id}: member exists",
                           matrix_id=member.matrix_id)
        if not member.not_ended_on(today):
            raise InvalidInput("delib.member.term_ended", "term already ended",
                               term_end=member.term_end.isoformat() if member.term_end else None)
        if member.seat_id is not None:
            self._require_available(member.seat_id, today)
        if member.deliberates:
            serving = [m for m in self.members
                       if m.deliberates and m.not_ended_on(today) and m.matrix_id != member.matrix_id]
            if len(serving) >= self.max_seats:
                raise Conflict("delib.member.max_reached", f"council {self.council_id}: {len(serving)} members",
                               max=self.max_seats)
        others = tuple(m for m in self.members if m.matrix_id != member.matrix_id)
        return replace(self, members=others + (member,))

    def assign_seat(self, matrix_id: str, seat_id: int | None, today: date) -> Roster:
        """Give a member a (vacant) seat, or take their seat away with ``None``."""
        member = self.member(matrix_id)
        if seat_id is not None and seat_id != member.seat_id:
            self._require_available(seat_id, today)
        return self._put(replace(member, seat_id=seat_id))

    def end_term(self, matrix_id: str, last_day: date) -> Roster:
        member = self.member(matrix_id)
        if last_day < member.term_start:
            raise InvalidInput("delib.member.bad_term", "term ends before it starts",
                               term_start=member.term_start.isoformat(), term_end=last_day.isoformat())
        return self._put(replace(member, term_end=last_day))

    def update_details(self, matrix_id: str, *, display_name: str | None = None,
                       member_type: MemberType | str | None = None) -> Roster:
        """Correct a member's name or type (the secretary's roster tools)."""
        member = self.member(matrix_id)
        if display_name is not None:
            name = _clean_name(display_name)
            if not name:
                raise InvalidInput("delib.member.name_required", "empty display name")
            member = replace(member, display_name=name)
        if member_type is not None:
            member = replace(member, member_type=parse_member_type(member_type))
        return self._put(member)

    def set_secretary(self, matrix_id: str, secretary: bool) -> Roster:
        return self._put(replace(self.member(matrix_id), secretary=bool(secretary)))

    def set_language(self, matrix_id: str, language: str) -> Roster:
        if language not in LANGUAGES:
            raise InvalidInput("delib.member.bad_language", f"language {language!r}", given=str(language),
                               allowed=", ".join(LANGUAGES))
        return self._put(replace(self.member(matrix_id), language=language))

    def _require_available(self, seat_id: int, today: date) -> None:
        self.seat(seat_id)
        holder = self.holder(seat_id, today)
        if holder is not None:
            raise Conflict("delib.seat.taken", f"council {self.council_id}: seat {seat_id} taken",
                           seat_id=seat_id, holder=holder.display_name)

    def _put(self, member: Member) -> Roster:
        return replace(self, members=tuple(member if m.matrix_id == member.matrix_id else m for m in self.members))


# --------------------------------------------------------------------------- applications


@dataclass(frozen=True)
class Application:
    """Anyone may apply; an external selection committee decides."""

    id: int
    council_id: str
    name: str
    member_type: MemberType
    received_on: date
    matrix_id: str | None = None
    contact: str | None = None
    motivation: str | None = None
    status: ApplicationStatus = ApplicationStatus.ONTVANGEN
    decided_on: date | None = None
    seat_id: int | None = None
    note: str | None = None  # the selection committee's reasons, as the secretary recorded them


def new_application(*, id: int, council_id: str, name: str, member_type: MemberType | str, received_on: date,
                    matrix_id: str | None = None, contact: str | None = None,
                    motivation: str | None = None) -> Application:
    name = _clean_name(name)
    if not name:
        raise InvalidInput("delib.application.name_required", "application without name")
    motivation = (motivation or "").strip() or None
    if motivation and len(motivation) > MAX_TEXT_LENGTH:
        raise InvalidInput("delib.text.too_long", "motivation too long", max=MAX_TEXT_LENGTH)
    contact = (contact or "").strip() or None  # how the committee reaches the applicant
    if contact and len(contact) > MAX_CONTACT_LENGTH:
        raise InvalidInput("delib.text.too_long", "contact too long", max=MAX_CONTACT_LENGTH)
    return Application(id=id, council_id=council_id, name=name, member_type=parse_member_type(member_type),
                       received_on=received_on,
                       matrix_id=validate_matrix_id(matrix_id) if matrix_id else None,
                       contact=contact, motivation=motivation)


def _move(application: Application, wanted: ApplicationStatus) -> None:
    if wanted not in APPLICATION_TRANSITIONS[application.status]:
        raise LabelledConflict("delib.application.bad_transition",
                               f"application {application.id}: {application.status.value} -> {wanted.value}",
                               labels={"current": "delib.application_status.",
                                       "wanted": "delib.application_status."},
                               application_id=application.id, current=application.status.value,
                               wanted=wanted.value)


def invite_for_interview(application: Application) -> Application:
    _move(application, ApplicationStatus.GESPREK)
    return replace(application, status=ApplicationStatus.GESPREK)


def decline(application: Application, on: date) -> Application:
    _move(application, ApplicationStatus.NIET_BENOEMD)
    return replace(application, status=ApplicationStatus.NIET_BENOEMD, decided_on=on)


def appoint(application: Application, roster: Roster, *, on: date, term_end: date | None = None,
            seat_id: int | None = None, language: str = "nl") -> tuple[Application, Roster, Member]:
    """Appoint after the interview: fills ``seat_id``, or the first vacant seat when none is named."""
    _move(application, ApplicationStatus.BENOEMD)
    if application.matrix_id is None:
        raise InvalidInput("delib.application.matrix_id_required", f"application {application.id} has no matrix id",
                           application_id=application.id)
    if seat_id is None:
        available = roster.available_seats(on)
        if not available:
            raise Conflict("delib.seat.none_vacant", f"council {roster.council_id}: no vacant seat")
        seat_id = available[0].id
    member = replace(new_member(matrix_id=application.matrix_id, display_name=application.name,
                                member_type=application.member_type, term_start=on, term_end=term_end,
                                seat_id=seat_id, language=language), in_chat=False)  # invited; joins later
    roster = roster.add_member(member, on)
    appointed = replace(application, status=ApplicationStatus.BENOEMD, decided_on=on, seat_id=seat_id)
    return appointed, roster, member


# --------------------------------------------------------------------------- absence with notice


@dataclass(frozen=True)
class AbsenceNotice:
    """A member let the council know they are away for a meeting or round. No reason is kept:
    it is nobody's business and may be health data."""

    matrix_id: str
    occasion: str  # see round_occasion / meeting_occasion
    noted_on: date


def round_occasion(round_id: int) -> str:
    return f"round:{round_id}"


def scenarios_occasion(number: int) -> str:
    """A scenario round (co-creation): absent with notice for it, as for a round."""
    return f"scenarios:{number}"


def meeting_occasion(meeting_id: int | str) -> str:
    return f"meeting:{meeting_id}"


def mark_absent(notices: Iterable[AbsenceNotice], roster: Roster, matrix_id: str, occasion: str,
                today: date) -> tuple[AbsenceNotice, ...]:
    notices = tuple(notices)
    if not roster.is_member(matrix_id, today):
        raise NotFound("delib.member.not_found", "absence for a non-member", matrix_id=matrix_id)
    if any(n.matrix_id == matrix_id and n.occasion == occasion for n in notices):
        return notices  # saying it twice changes nothing
    return notices + (AbsenceNotice(matrix_id, occasion, today),)


def cancel_absence(notices: Iterable[AbsenceNotice], matrix_id: str, occasion: str) -> tuple[AbsenceNotice, ...]:
    return tuple(n for n in notices if not (n.matrix_id == matrix_id and n.occasion == occasion))


def absent_for(notices: Iterable[AbsenceNotice], occasion: str) -> frozenset[str]:
    return frozenset(n.matrix_id for n in notices if n.occasion == occasion)


# --------------------------------------------------------------------------- helpers


def _clean_name(value: str | None) -> str:
    name = " ".join((value or "").split())
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput("delib.member.name_too_long", "name too long", max=MAX_NAME_LENGTH)
    return name


def _clean_label(value: str | None) -> str:
    label = " ".join((value or "").split())
    if len(label) > MAX_LABEL_LENGTH:
        raise InvalidInput("delib.seat.label_too_long", "group label too long", max=MAX_LABEL_LENGTH)
    return label
