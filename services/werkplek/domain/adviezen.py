"""Adviestrajecten on the werkplek: every step of the chat flow with its legal dates, and which step the
secretary can take next. Deliberation owns the trajectories; this module only reads its answer
(``TrajectoryOut`` as a mapping) and turns a page's form into the body of the same API call the chat
command makes (``!concept``, ``!verstuurd``, ``!reactie``, ``!toets``, ``!uitkomst``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

from shared.errors import InvalidInput

STEPS = ("concept", "verstuurd", "reactie", "toets", "uitkomst")
# The API path under /advice/<n>/ for each step.
STEP_PATHS = {"concept": "draft", "verstuurd": "sent", "reactie": "reply", "toets": "checks", "uitkomst": "outcome"}
REPLY_KINDS = ("volgt", "wijktaf")
OUTCOMES = ("uitgevoerd", "deels", "niet")
MAX_TEXT = 20_000
MAX_NOTE = 4000

# What the secretary can do at each stage (deliberation's Stage values). A running consensus round (concept)
# is finished in the chat; a planned check can be followed by another.
NEXT_STEPS: dict[str, tuple[str, ...]] = {
    "ontvangen": ("concept",),
    "concept": (),
    "akkoord": ("verstuurd",),
    "verstuurd": ("reactie",),
    "reactie": ("toets",),
    "toets": ("uitkomst", "toets"),
    "afgerond": ("toets",),
}


@dataclass(frozen=True)
class Step:
    """One line of the trajectory's timeline. ``code`` names the text; ``legal``: a date the law sets (the
    advice period, the board's written reply); ``late``: the date was missed."""

    code: str
    day: date | None
    done: bool
    legal: bool = False
    late: bool = False
    detail: str | None = None  # a label or note deliberation gave (the reply, a check's outcome)
    number: int | None = None  # a check's number


def _day(value: Any) -> date | None:
    if not value:
        return None
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def timeline(t: Mapping[str, Any], today: date) -> list[Step]:
    """The trajectory from the request to the last check, in order, with the dates that matter."""
    sent = _day(t.get("sent_on"))
    deadline = _day(t.get("deadline"))
    steps = [Step("ontvangen", _day(t.get("received_on")), True),
             Step("termijn", deadline, sent is not None, legal=True,
                  late=bool(t.get("sent_late")) or (sent is None and deadline is not None and deadline < today)),
             Step("concept", None, t.get("round_id") is not None),
             Step("akkoord", _day(t.get("agreed_on")), t.get("agreed_on") is not None,
                  detail=str(t["agreed_version"]) if t.get("agreed_version") else None),
             Step("verstuurd", sent, sent is not None, late=bool(t.get("sent_late")))]
    if sent is not None:
        reply_on = _day(t.get("reply_on"))
        steps.append(Step("reactie_termijn", _day(t.get("reply_due_on")), reply_on is not None, legal=True,
                          late=bool(t.get("reply_late")) or bool(t.get("reply_overdue"))))
        steps.append(Step("reactie", reply_on, reply_on is not None, late=bool(t.get("late_deviation")),
                          detail=t.get("reply_label")))
    for check in t.get("checks") or ():
        due = _day(check.get("due_on"))
        done = check.get("outcome") is not None
        steps.append(Step("toets", _day(check.get("checked_on")) or due, done,
                          late=not done and due is not None and due < today,
                          detail=" — ".join(x for x in (check.get("outcome_label"), check.get("note")) if x) or None,
                          number=check.get("number")))
    return steps


def next_steps(t: Mapping[str, Any]) -> tuple[str, ...]:
    return NEXT_STEPS.get(str(t.get("stage")), ())


def _text(form: Mapping[str, str], name: str, limit: int) -> str:
    value = (form.get(name) or "").strip()
    if len(value) > limit:
        raise InvalidInput("werkplek.advice.too_long", f"{name} longer than {limit}", max=limit)
    return value


def step_request(step: str, form: Mapping[str, str], actor: str) -> tuple[str, dict[str, Any]]:
    """The API path (under ``/advice/<n>/``) and body for a step taken on the page; refuses what the chat
    command would refuse before asking deliberation (an empty draft, an unknown reply or outcome)."""
    if step not in STEPS:
        raise InvalidInput("werkplek.advice.unknown_step", f"step {step!r}")
    body: dict[str, Any] = {"actor": actor}
    day = _text(form, "day", 40)
    if step == "concept":
        proposal = _text(form, "text", MAX_TEXT)
        if not proposal:
            raise InvalidInput("werkplek.advice.draft_required", "empty draft")
        body["proposal"] = proposal
        if day:
            body["deadline_day"] = day
    elif step == "verstuurd":
        if day:
            body["on"] = day
    elif step == "reactie":
        kind = _text(form, "kind", 20)
        if kind not in REPLY_KINDS:
            raise InvalidInput("werkplek.advice.reply_kind", f"reply kind {kind!r}")
        body["kind"] = kind
        text = _text(form, "text", MAX_TEXT)
        if text:
            body["text"] = text
        if day:
            body["on"] = day
    elif step == "toets":
        if not day:
            raise InvalidInput("werkplek.advice.day_required", "check without a day")
        body["on"] = day
    else:
        outcome = _text(form, "outcome", 20)
        if outcome not in OUTCOMES:
            raise InvalidInput("werkplek.advice.outcome", f"outcome {outcome!r}")
        body["outcome"] = outcome
        note = _text(form, "text", MAX_NOTE)
        if note:
            body["note"] = note
    return STEP_PATHS[step], body


CATALOG = {
    "nl": {
        "werkplek.advice.unknown_step": "Die stap ken ik niet.",
        "werkplek.advice.too_long": "Die tekst is te lang (hoogstens {max} tekens).",
        "werkplek.advice.draft_required": "Schrijf de tekst van het concept-advies.",
        "werkplek.advice.reply_kind": "Kies of het bestuur het advies volgt of ervan afwijkt.",
        "werkplek.advice.day_required": "Geef de datum van de toets.",
        "werkplek.advice.outcome": "Kies de uitkomst: uitgevoerd, deels of niet.",
        "werkplek.advice.unknown": "Ik ken geen adviestraject {advice}.",
        "werkplek.advice.not_allowed": "De werkplek kan deze stap nu niet zetten. Zet hem in de chat met "
                                       "!{command}, of vraag de beheerder het na te kijken.",
    },
    "en": {
        "werkplek.advice.unknown_step": "I don't know that step.",
        "werkplek.advice.too_long": "That text is too long (at most {max} characters).",
        "werkplek.advice.draft_required": "Write the text of the draft advice.",
        "werkplek.advice.reply_kind": "Choose whether the board follows the advice or deviates from it.",
        "werkplek.advice.day_required": "Give the date of the check.",
        "werkplek.advice.outcome": "Choose the outcome: carried out, partly or not.",
        "werkplek.advice.unknown": "I don't know an advice trajectory {advice}.",
        "werkplek.advice.not_allowed": "The workplace cannot take this step now. Take it in the chat with "
                                       "!{command}, or ask the operator to look into it.",
    },
}
