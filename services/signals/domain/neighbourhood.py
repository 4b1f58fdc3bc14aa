"""Neighbourhood matters: signal groups that belong with a bewonerscommissie, not the council.

The operator configures, per wijk or per complex, a bewonerscommissie (a name, and a Matrix
room and/or an e-mail address). A group is a *neighbourhood matter* when

* its theme is a day-to-day one (``DEFAULT_EVERYDAY_THEMES``: the taxonomy's ``onderhoud``,
  ``schoonmaak_groen`` and ``overlast``; configurable), and
* its signals concern one place. What is used, per signal: the streets and complexes it names
  (``clustering.SignalFeatures.places``; when it names none, the streets of addresses it gave,
  ``features.home``) and its wijk (given or detected). The group concerns one place when every
  signal that names a street or complex names one in common (that is then the place: a complex
  when it is configured as one or ends like one, "-flat", "-blok", "-complex", else a street)
  or, when none names a street or complex, when they all lie in the same wijk; in both cases
  the signals' wijken must not differ. Signals with no place at all do not count against it,
  but at least one must have one.

Such a group goes to the commissie of its complex (most specific) or else of its wijk; with no
commissie configured it stays with the council, and its card says so. ``!doorsturen`` works on
any group: it uses the group's place whatever its theme, or a commissie named by hand. The
hand-off carries the scrubbed signal texts only (scrubbed again here): never contact details.

Pure: no I/O, times are parameters; texts are codes (``CATALOG`` at the bottom).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Iterable, Mapping

from shared import i18n
from shared.errors import Conflict, InvalidInput, NotFound

from . import lexicon
from .consultation import RichLike, normalise_email, one_line, theme_label
from .scrub import scrub
from .summary import truncate
from .textutil import fold
from .themes import Taxonomy

DEFAULT_EVERYDAY_THEMES = frozenset({"onderhoud", "schoonmaak_groen", "overlast"})
FORWARDED_STATUS = "doorgestuurd"     # the signals' status once handed to a commissie (≤ 16 chars)
MAX_HANDOFF_SIGNALS = 20
HANDOFF_TEXT_CHARS = 600
_ROOM_RE = re.compile(r"^![^:\s]+(?::\S+)?$")  # room version 12 ids have no ":server" part
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
_COMPLEX_ENDINGS = tuple(s for s in lexicon.COMPLEX_SUFFIXES if s not in ("hof", "hoven"))


class Kind(StrEnum):
    NEIGHBOURHOOD = "neighbourhood"
    COUNCIL = "council"


class ScopeKind(StrEnum):
    COMPLEX = "complex"
    STREET = "street"
    WIJK = "wijk"


# --------------------------------------------------------------------------- configuration
@dataclass(frozen=True)
class Bewonerscommissie:
    """One bewonerscommissie: for a whole wijk, or for a complex (with the streets and names
    that belong to it; its wijk may be given too, for information). At least one way to reach
    it: a Matrix room or an e-mail address."""

    id: str
    name: str
    wijk: str | None = None
    complex: str | None = None
    places: tuple[str, ...] = ()      # streets and other names of the complex
    room_id: str | None = None
    email: str | None = None

    @property
    def scope(self) -> ScopeKind:
        return ScopeKind.COMPLEX if self.complex else ScopeKind.WIJK

    def place_keys(self) -> frozenset[str]:
        return frozenset(place_key(p) for p in ((self.complex or ""), *self.places) if p.strip())


def commissie(id: str, name: str, *, wijk: str | None = None, complex: str | None = None,
              places: Iterable[str] = (), room_id: str | None = None,
              email: str | None = None) -> Bewonerscommissie:
    """A checked commissie (the operator's configuration goes through here)."""
    cid = (id or "").strip().lower()
    if not _ID_RE.match(cid):
        raise InvalidInput("signals.neighbourhood.config_invalid", "commissie id invalid", field="id")
    name = one_line(name)
    if not name or len(name) > 200:
        raise InvalidInput("signals.neighbourhood.config_invalid", "commissie name invalid", field="name")
    wijk = one_line(wijk or "") or None
    complex_ = one_line(complex or "") or None
    if wijk is None and complex_ is None:
        raise InvalidInput("signals.neighbourhood.config_invalid", "commissie needs a wijk or a complex",
                           field="wijk")
    room = (room_id or "").strip() or None
    if room is not None and not _ROOM_RE.match(room):
        raise InvalidInput("signals.neighbourhood.config_invalid", "room id invalid", field="room_id")
    mail = normalise_email(email) if (email or "").strip() else None
    if room is None and mail is None:
        raise InvalidInput("signals.neighbourhood.config_invalid", "commissie needs a room or an e-mail",
                           field="room_id")
    return Bewonerscommissie(id=cid, name=name, wijk=wijk, complex=complex_,
                             places=tuple(one_line(p) for p in places if one_line(p)),
                             room_id=room, email=mail)


@dataclass(frozen=True)
class NeighbourhoodConfig:
    commissies: tuple[Bewonerscommissie, ...] = ()
    everyday_themes: frozenset[str] = DEFAULT_EVERYDAY_THEMES

    def __post_init__(self) -> None:
        ids = [c.id for c in self.commissies]
        if len(set(ids)) != len(ids):
            raise InvalidInput("signals.neighbourhood.config_invalid", "duplicate commissie id", field="id")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "NeighbourhoodConfig":
        """``{"commissies": [{"id", "name", "wijk" | "complex", "places", "room_id", "email"}],
        "everyday_themes": [...]}`` (the operator's settings)."""
        items = tuple(commissie(c.get("id", ""), c.get("name", ""), wijk=c.get("wijk"),
                                complex=c.get("complex"), places=c.get("places") or (),
                                room_id=c.get("room_id"), email=c.get("email"))
                      for c in data.get("commissies") or ())
        themes = data.get("everyday_themes")
        return cls(items, frozenset(themes) if themes is not None else DEFAULT_EVERYDAY_THEMES)

    def check_themes(self, taxonomy: Taxonomy) -> None:
        """Refuse day-to-day themes the council's taxonomy does not have."""
        for theme in sorted(self.everyday_themes):
            if theme not in taxonomy:
                raise InvalidInput("signals.neighbourhood.config_invalid", "unknown everyday theme",
                                   field="everyday_themes")

    def get(self, commissie_id: str) -> Bewonerscommissie:
        key = (commissie_id or "").strip().lower()
        for c in self.commissies:
            if c.id == key or fold(c.name) == fold(commissie_id or ""):
                return c
        raise NotFound("signals.neighbourhood.commissie_unknown", "no such commissie",
                       commissie=one_line(commissie_id or "")[:60])

    def for_scope(self, scope: "Scope") -> Bewonerscommissie | None:
        """The commissie of the complex the place belongs to, else of the wijk."""
        if scope.place:
            key = place_key(scope.place)
            for c in self.commissies:
                if c.complex and key in c.place_keys():
                    return c
        if scope.wijk:
            for c in self.commissies:
                if not c.complex and c.wijk and fold(c.wijk) == fold(scope.wijk):
                    return c
        return None


# --------------------------------------------------------------------------- groups
@dataclass(frozen=True)
class LocalSignal:
    """What this module needs of one signal; ``text`` is the stored (scrubbed) text."""

    text: str
    ts: datetime
    wijk: str | None = None
    places: frozenset[str] = frozenset()    # features.places
    home: frozenset[str] = frozenset()      # features.home

    @classmethod
    def from_features(cls, text: str, features: Any) -> "LocalSignal":
        """From a stored text and its ``clustering.SignalFeatures``."""
        return cls(text=text, ts=features.ts, wijk=features.wijk, places=frozenset(features.places),
                   home=frozenset(features.home))

    @property
    def located_places(self) -> frozenset[str]:
        return frozenset(place_key(p) for p in (self.places or self.home))


@dataclass(frozen=True)
class SignalGroup:
    id: int
    theme: str
    signals: tuple[LocalSignal, ...]
    number: int | None = None       # the group's number in the chat, when it has one


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    place: str | None       # street or complex (folded, no spaces), None for a wijk
    wijk: str | None


@dataclass(frozen=True)
class Classification:
    kind: Kind
    reason: str                          # a message code: why (see card_note())
    scope: Scope | None
    commissie: Bewonerscommissie | None  # None: stays with the council

    @property
    def forwardable(self) -> bool:
        return self.kind is Kind.NEIGHBOURHOOD and self.commissie is not None

    def card_note(self) -> tuple[str, dict[str, Any]]:
        """(code, params) for the line on the group's card."""
        params: dict[str, Any] = {}
        if self.scope is not None:
            params["place"] = self.scope.place or self.scope.wijk or ""
        if self.commissie is not None:
            params["commissie"] = self.commissie.name
        return self.reason, params


def group_scope(group: SignalGroup, config: NeighbourhoodConfig | None = None) -> tuple[Scope | None, str]:
    """The one place the group concerns, or None with the reason code."""
    wijken = {fold(s.wijk): s.wijk for s in group.signals if s.wijk}
    if len(wijken) > 1:
        return None, "signals.neighbourhood.several_wijken"
    wijk = next(iter(wijken.values())) if wijken else None
    named = [s.located_places for s in group.signals if s.located_places]
    if named:
        common = frozenset.intersection(*named)
        if not common:
            return None, "signals.neighbourhood.several_places"
        place = _pick_place(common, config)
        return Scope(_place_kind(place, config), place, wijk), ""
    if wijk is not None:
        return Scope(ScopeKind.WIJK, None, wijk), ""
    return None, "signals.neighbourhood.no_place"


def classify(group: SignalGroup, config: NeighbourhoodConfig) -> Classification:
    """Neighbourhood matter (with its commissie, or none configured) or council matter."""
    if not group.signals:
        raise InvalidInput("signals.cluster_empty", "a group without signals")
    scope, why = group_scope(group, config)
    if group.theme not in config.everyday_themes:
        return Classification(Kind.COUNCIL, "signals.neighbourhood.not_everyday", scope, None)
    if scope is None:
        return Classification(Kind.COUNCIL, why, None, None)
    found = config.for_scope(scope)
    if found is None:
        return Classification(Kind.NEIGHBOURHOOD, "signals.neighbourhood.no_commissie", scope, None)
    return Classification(Kind.NEIGHBOURHOOD, "signals.neighbourhood.local_matter", scope, found)


def forward_target(group: SignalGroup, config: NeighbourhoodConfig,
                   commissie_id: str | None = None) -> Bewonerscommissie:
    """The commissie ``!doorsturen [commissie]`` hands the group to. By hand it works on any
    group: a named commissie, else the one of the group's place whatever its theme. Refuses
    when no commissie fits: the group then stays with the council."""
    if commissie_id:
        return config.get(commissie_id)
    if not config.commissies:
        raise Conflict("signals.neighbourhood.none_configured", "no commissies configured")
    scope, why = group_scope(group, config)
    if scope is None:
        raise Conflict("signals.neighbourhood.name_one", "no single place",
                       options=", ".join(c.id for c in config.commissies))
    found = config.for_scope(scope)
    if found is None:
        raise Conflict("signals.neighbourhood.no_commissie_here", "no commissie for this place",
                       place=scope.place or scope.wijk or "")
    return found


# --------------------------------------------------------------------------- the hand-off
@dataclass(frozen=True)
class Handoff:
    """What goes to the commissie: scrubbed texts and a few facts, nothing that names anyone."""

    commissie: Bewonerscommissie
    group_id: int
    group_number: int | None
    theme: str
    place: str | None
    wijk: str | None
    count: int
    first: datetime
    last: datetime
    texts: tuple[str, ...]      # scrubbed again, at most MAX_HANDOFF_SIGNALS, oldest first
    left_out: int               # signals not included for length

    def to_dict(self) -> dict[str, Any]:
        return {"commissie": self.commissie.id, "group_id": self.group_id, "group_number": self.group_number,
                "theme": self.theme, "place": self.place, "wijk": self.wijk, "count": self.count,
                "first": self.first.isoformat(), "last": self.last.isoformat(),
                "texts": list(self.texts), "left_out": self.left_out}


def build_handoff(group: SignalGroup, target: Bewonerscommissie, *, max_signals: int = MAX_HANDOFF_SIGNALS,
                  text_chars: int = HANDOFF_TEXT_CHARS, known_places: Iterable[str] = ()) -> Handoff:
    """The hand-off content. Each text is scrubbed again (whatever the caller passed) and cut
    at a word boundary; the signals' contact details never enter this function."""
    if not group.signals:
        raise InvalidInput("signals.cluster_empty", "a group without signals")
    if max_signals < 1 or text_chars < 40:
        raise InvalidInput("signals.summary_limit_invalid", "hand-off limits invalid")
    items = sorted(group.signals, key=lambda s: s.ts)
    places = tuple(known_places)
    texts = []
    for s in items:
        clean = truncate(scrub(s.text, known_places=places).text, text_chars)
        if clean:
            texts.append(clean)
    scope, _ = group_scope(group)
    wijken = {s.wijk for s in items if s.wijk}
    return Handoff(commissie=target, group_id=group.id, group_number=group.number, theme=group.theme,
                   place=scope.place if scope else None,
                   wijk=(scope.wijk if scope else None) or (next(iter(wijken)) if len(wijken) == 1 else None),
                   count=len(items), first=items[0].ts, last=items[-1].ts,
                   texts=tuple(texts[:max_signals]), left_out=max(0, len(texts) - max_signals))


def render_handoff(handoff: Handoff, rich: RichLike, lang: str | None = None, *,
                   taxonomy: Taxonomy | None = None) -> RichLike:
    """The message in the commissie's room (fill a ``shared.formatting.Rich``)."""
    t = i18n.t
    rich.heading(t("signals.neighbourhood.handoff_title", lang, commissie=handoff.commissie.name))
    rich.line(t("signals.neighbourhood.handoff_intro", lang, count=handoff.count,
                theme=theme_label(handoff.theme, taxonomy, lang), where=_where(handoff),
                first=i18n.fmt_date(handoff.first.date(), lang), last=i18n.fmt_date(handoff.last.date(), lang)))
    for text in handoff.texts:
        rich.quote(text)
    if handoff.left_out:
        rich.line(t("signals.neighbourhood.handoff_more", lang, count=handoff.left_out))
    rich.line(t("signals.neighbourhood.handoff_footer", lang))
    return rich


def handoff_email(handoff: Handoff, lang: str | None = None, *,
                  taxonomy: Taxonomy | None = None) -> tuple[str, str]:
    """(subject, plain body) of the e-mail to a commissie without a room."""
    t = i18n.t
    subject = t("signals.neighbourhood.handoff_subject", lang,
                theme=theme_label(handoff.theme, taxonomy, lang), where=_where(handoff))
    lines = [t("signals.neighbourhood.handoff_title", lang, commissie=handoff.commissie.name), "",
             t("signals.neighbourhood.handoff_intro", lang, count=handoff.count,
               theme=theme_label(handoff.theme, taxonomy, lang), where=_where(handoff),
               first=i18n.fmt_date(handoff.first.date(), lang), last=i18n.fmt_date(handoff.last.date(), lang)),
             ""]
    for i, text in enumerate(handoff.texts, start=1):
        lines += [f"{i}. {text}", ""]
    if handoff.left_out:
        lines += [t("signals.neighbourhood.handoff_more", lang, count=handoff.left_out), ""]
    lines.append(t("signals.neighbourhood.handoff_footer", lang))
    return subject, "\n".join(lines).strip() + "\n"


def resident_status(target: Bewonerscommissie) -> tuple[str, str, dict[str, Any]]:
    """(status, note code, params) for the residents' status page once the group went out."""
    return FORWARDED_STATUS, "signals.neighbourhood.status_forwarded", {"commissie": target.name}


def _where(handoff: Handoff) -> str:
    return ", ".join(p for p in (handoff.place, handoff.wijk) if p) or "-"


# --------------------------------------------------------------------------- helpers
def place_key(place: str) -> str:
    """Streets and complexes compared as clustering stores them: folded, no spaces or hyphens."""
    return re.sub(r"[\s\-'’]+", "", fold(place or ""))


def _pick_place(common: frozenset[str], config: NeighbourhoodConfig | None) -> str:
    if config is not None:
        configured = [p for p in sorted(common) if any(p in c.place_keys() for c in config.commissies)]
        if configured:
            return configured[0]
    return sorted(common, key=lambda p: (-len(p), p))[0]


def _place_kind(place: str, config: NeighbourhoodConfig | None) -> ScopeKind:
    if config is not None and any(c.complex and place in c.place_keys() for c in config.commissies):
        return ScopeKind.COMPLEX
    return ScopeKind.COMPLEX if place.endswith(_COMPLEX_ENDINGS) else ScopeKind.STREET


CATALOG: dict[str, dict[str, str]] = {
    "nl": {
        "signals.neighbourhood.config_invalid": "De instellingen van de bewonerscommissies kloppen niet (veld: {field}).",
        "signals.neighbourhood.commissie_unknown": "De bewonerscommissie '{commissie}' ken ik niet.",
        "signals.neighbourhood.none_configured": "Er zijn geen bewonerscommissies ingesteld. Deze groep blijft bij de raad.",
        "signals.neighbourhood.name_one": "Deze signalen gaan over meer dan één plek. Noem de commissie: !doorsturen <commissie> ({options}).",
        "signals.neighbourhood.no_commissie_here": "Voor {place} is geen bewonerscommissie ingesteld. Deze groep blijft bij de raad.",
        "signals.neighbourhood.local_matter": "Buurtzaak ({place}): hoort bij {commissie}. Doorsturen: !doorsturen",
        "signals.neighbourhood.no_commissie": "Buurtzaak ({place}), maar er is geen bewonerscommissie ingesteld: blijft bij de raad.",
        "signals.neighbourhood.not_everyday": "Geen alledaags buurtthema: zaak voor de raad.",
        "signals.neighbourhood.several_wijken": "Signalen uit meer dan één wijk: zaak voor de raad.",
        "signals.neighbourhood.several_places": "Signalen over verschillende straten of complexen: zaak voor de raad.",
        "signals.neighbourhood.no_place": "Geen straat, complex of wijk bekend: zaak voor de raad.",
        "signals.neighbourhood.handoff_title": "Doorgestuurd door de raad aan {commissie}",
        "signals.neighbourhood.handoff_intro": "{count} signalen van bewoners over {theme} ({where}), van {first} tot {last}. Persoonsgegevens zijn verwijderd.",
        "signals.neighbourhood.handoff_more": "En nog {count} signalen over hetzelfde.",
        "signals.neighbourhood.handoff_footer": "De raad stuurt dit door omdat het een zaak voor de buurt is. Vragen? Antwoord op dit bericht.",
        "signals.neighbourhood.handoff_subject": "Signalen van bewoners: {theme} ({where})",
        "signals.neighbourhood.handoff_done": "Doorgestuurd aan {commissie}. De groep staat niet meer op de open lijst van de raad.",
        "signals.neighbourhood.status_forwarded": "Doorgestuurd aan {commissie}, die dit in uw buurt oppakt.",
    },
    "en": {
        "signals.neighbourhood.config_invalid": "The settings of the residents' committees are not valid (field: {field}).",
        "signals.neighbourhood.commissie_unknown": "I don't know the residents' committee '{commissie}'.",
        "signals.neighbourhood.none_configured": "No residents' committees are configured. This group stays with the council.",
        "signals.neighbourhood.name_one": "These signals concern more than one place. Name the committee: !doorsturen <committee> ({options}).",
        "signals.neighbourhood.no_commissie_here": "No residents' committee is configured for {place}. This group stays with the council.",
        "signals.neighbourhood.local_matter": "Neighbourhood matter ({place}): belongs with {commissie}. Hand over: !doorsturen",
        "signals.neighbourhood.no_commissie": "Neighbourhood matter ({place}), but no residents' committee is configured: stays with the council.",
        "signals.neighbourhood.not_everyday": "Not a day-to-day neighbourhood theme: a matter for the council.",
        "signals.neighbourhood.several_wijken": "Signals from more than one neighbourhood: a matter for the council.",
        "signals.neighbourhood.several_places": "Signals about different streets or complexes: a matter for the council.",
        "signals.neighbourhood.no_place": "No street, complex or neighbourhood known: a matter for the council.",
        "signals.neighbourhood.handoff_title": "Handed over by the council to {commissie}",
        "signals.neighbourhood.handoff_intro": "{count} signals from residents about {theme} ({where}), from {first} to {last}. Personal data has been removed.",
        "signals.neighbourhood.handoff_more": "And {count} more signals about the same.",
        "signals.neighbourhood.handoff_footer": "The council hands this over because it is a matter for the neighbourhood. Questions? Reply to this message.",
        "signals.neighbourhood.handoff_subject": "Signals from residents: {theme} ({where})",
        "signals.neighbourhood.handoff_done": "Handed over to {commissie}. The group is no longer on the council's open list.",
        "signals.neighbourhood.status_forwarded": "Handed over to {commissie}, who take this up in your neighbourhood.",
    },
}
