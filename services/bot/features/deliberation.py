"""Chat commands of the deliberation service: the agenda, consensus rounds and the roster.

Inside a round's thread (its root has the outbox key ``delib:round:<council>:<number>``) round commands apply to that
round; elsewhere the round is named by its number (``!eens 12``). Every command that changes something
sends the Matrix event id as idempotency key, so a message handled twice changes nothing twice. The
service decides and refuses; its refusals arrive as ``DomainError`` with the text already in the
member's language and become the threaded reply.

Replies never show a tally of positions: who has not responded, the concerns and the open objections,
by name, and whether agreement can be recorded.
"""
from __future__ import annotations

import base64
import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.bot.commands import Command, CommandSpec
from services.bot.context import CommandContext, Reply
from services.bot.texts.deliberation import CATALOG
from shared import i18n
from shared.outbox import OutboundMessage
from shared.jsonbody import MAX_ID
from shared.dates import DATE_WORD, parse_day
from shared.errors import InvalidInput, NotFound
from shared.formatting import Rich, defang, one_line

# delib:round:<council>:<number> (older threads: delib:round:<id>); the same for advice trajectories.
_ROUND_KEY = re.compile(r"^delib:round:(?:[a-z0-9][a-z0-9_-]{0,63}:)?(\d{1,10})$")
_ADVICE_KEY = re.compile(r"^delib:advice:(?:[a-z0-9][a-z0-9_-]{0,63}:)?(\d{1,10})$")
# delib:scenarios:<council>:<number>: a scenario round (co-creation over several options).
_SCENARIOS_KEY = re.compile(r"^delib:scenarios:[a-z0-9][a-z0-9_-]{0,63}:(\d{1,10})$")
_OPTION = re.compile(r"^(?:optie|option)?#?(\d{1,2})[.,:]?$", re.IGNORECASE)
_AMEND_WORDS = {"wijzig", "wijziging", "nieuw", "change", "amend"}
_MERGE_WORDS = {"samen", "samenvoegen", "merge"}
_SOURCE_WORDS = {"bestuur": "bestuur", "board": "bestuur", "raad": "raad", "council": "raad"}
_NO_PREFERENCE = {"geen", "weg", "none", "intrekken"}
_INFLUENCE_KINDS = {"overgenomen", "aangepast", "niet-overgenomen", "niet_overgenomen", "adopted", "changed",
                    "rejected", "taken-over", "adapted", "not-taken-over"}
_KIND_WORDS = {"instemming": "instemming", "consent": "instemming"}
_RECEIVED_WORDS = {"ontvangen", "received"}
MAX_DECISIONS_SHOWN = 10
_NUMBER = re.compile(r"^#?(\d{1,12})$")
_SCORE_WORDS = {"belang": "importance", "importance": "importance", "invloed": "influence", "influence": "influence"}
_FILE_WORDS = {"bestand", "file"}
# The selection committee's decisions as the secretary types them, and as the service names them.
_SELECTION_STATUS = {"gesprek": "gesprek", "interview": "gesprek", "benoemd": "benoemd", "appointed": "benoemd",
                     "afgewezen": "niet_benoemd", "niet_benoemd": "niet_benoemd", "declined": "niet_benoemd"}
_APPLICATION_FILTER = {**_SELECTION_STATUS, "ontvangen": "ontvangen", "received": "ontvangen"}
_MEMBER_TYPES = {"huurder": "huurder", "tenant": "huurder", "koper": "koper", "buyer": "koper",
                 "ondernemer": "ondernemer", "entrepreneur": "ondernemer"}



def register_messages() -> None:
    i18n.register(CATALOG)


# --------------------------------------------------------------------------- talking to the service


def _path(ctx: CommandContext, rest: str) -> str:
    return f"/api/v1/councils/{ctx.council.slug}{rest}"


async def _get(ctx: CommandContext, rest: str, params: dict[str, Any] | None = None) -> Any:
    return await ctx.service("deliberation").get(_path(ctx, rest), params=params, lang=ctx.lang)


async def _post(ctx: CommandContext, rest: str, payload: dict[str, Any]) -> Any:
    return await ctx.service("deliberation").post(_path(ctx, rest), json=payload, idempotency_key=ctx.event_id,
                                                  lang=ctx.lang)


# --------------------------------------------------------------------------- reading the arguments


def _number(word: str, missing: str) -> int:
    """A round or topic number the member typed; one that cannot exist gets the same answer as an unknown one."""
    value = int(_NUMBER.match(word).group(1))  # type: ignore[union-attr] - callers matched already
    if not 0 < value <= MAX_ID:
        raise NotFound(missing, "number out of range", number=value)
    return value


def _thread_round(ctx: CommandContext) -> int | None:
    m = _ROUND_KEY.match(ctx.thread_key or "")
    return int(m.group(1)) if m else None


def _round_and_text(ctx: CommandContext, cmd: Command, *, takes_text: bool) -> tuple[int, str]:
    """Which round a command is about, and the text after it.

    In a round's thread: that round (a command without text may still name another round's number).
    Elsewhere: the first word is the round's number."""
    words = cmd.args.split(maxsplit=1)
    numbered = bool(words) and _NUMBER.match(words[0]) is not None
    in_thread = _thread_round(ctx)
    if in_thread is not None and (takes_text or not numbered):
        return in_thread, cmd.args
    if numbered:
        return _number(words[0], "bot.deliberation.no_such_round"), (words[1] if len(words) > 1 else "")
    if _thread_scenarios(ctx) is not None:
        raise InvalidInput("bot.deliberation.scenarios.round_only", "round command in a scenarios thread",
                           word=cmd.word)
    raise InvalidInput("bot.deliberation.round_needed", "round command outside a round thread", word=cmd.word)


def _topic_number(cmd: Command) -> tuple[int, str]:
    words = cmd.args.split(maxsplit=1)
    if not words or _NUMBER.match(words[0]) is None:
        raise InvalidInput("bot.deliberation.usage.topic_number", "topic number missing", word=cmd.word)
    return _number(words[0], "bot.deliberation.no_such_topic"), (words[1] if len(words) > 1 else "")


def _shown(text: str) -> str:
    """A member's words in a one-line list item: inert and on one line."""
    return defang(one_line(text))


def _when(ctx: CommandContext, iso: str) -> str:
    moment = datetime.fromisoformat(iso).astimezone(ZoneInfo(ctx.council.timezone))
    return i18n.fmt_datetime(moment, ctx.lang)


# --------------------------------------------------------------------------- the agenda


async def cmd_agenda(ctx: CommandContext, cmd: Command) -> Reply:
    view = await _get(ctx, "/agenda")
    rich = Rich().heading(ctx.t("bot.deliberation.agenda.title", council=ctx.council.name))

    def line(item: dict[str, Any]) -> str:
        parts = [item["score_line"], item["status_label"]]
        if item.get("open_round_id"):
            parts.append(ctx.t("bot.deliberation.agenda.in_round", round_id=item["open_round_id"]))
        if item.get("open_scenarios_id"):
            parts.append(ctx.t("bot.deliberation.agenda.in_scenarios", round_id=item["open_scenarios_id"]))
        if item.get("realised_influence") is not None:
            # Expected against realised, once the secretary recorded what the council achieved.
            parts.append(ctx.t("bot.deliberation.agenda.influence", expected=_figure(ctx, item["expected_influence"]),
                               realised=item["realised_influence"]))
        return f"#{item['id']} {_shown(item['title'])} – " + " · ".join(parts)

    rich.line(ctx.t("bot.deliberation.agenda.active", count=len(view["active"]), cap=view["cap"]))
    if view["active"]:
        rich.items([line(i) for i in view["active"]])
    else:
        rich.line(ctx.t("bot.deliberation.agenda.none_active"))
    rich.line(ctx.t("bot.deliberation.agenda.waiting"))
    if view["waiting"]:
        rich.items([line(i) for i in view["waiting"]])
    else:
        rich.line(ctx.t("bot.deliberation.agenda.none_waiting"))
    year = view.get("influence") or {}
    if year.get("realised") is not None:
        rich.line(ctx.t("bot.deliberation.agenda.year", year=view["influence_year"],
                        expected=_figure(ctx, year.get("expected")), realised=_figure(ctx, year["realised"])))
    rich.line(ctx.t("bot.deliberation.agenda.howto"))
    return Reply.rich(rich)


async def cmd_onderwerp(ctx: CommandContext, cmd: Command) -> Reply:
    title = one_line(cmd.args)
    if not title:
        raise InvalidInput("bot.deliberation.usage.onderwerp", "topic without title")
    topic = await _post(ctx, "/topics", {"title": title, "source": "eigen_initiatief", "actor": ctx.sender})
    rich = Rich().line(ctx.t("bot.deliberation.topic.created", topic_id=topic["id"], title=_shown(topic["title"])))
    rich.line(ctx.t("bot.deliberation.topic.created.next", topic_id=topic["id"]))
    return Reply.rich(rich)


async def cmd_score(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.arg_words
    scores: dict[str, int] = {}
    if len(words) == 5 and _NUMBER.match(words[0]):
        for keyword, value in ((words[1], words[2]), (words[3], words[4])):
            field = _SCORE_WORDS.get(keyword.lower())
            if field is None or not re.fullmatch(r"\d{1,3}", value):
                break
            scores[field] = int(value)
    if set(scores) != {"importance", "influence"}:
        raise InvalidInput("bot.deliberation.usage.score", "score usage")
    topic_id = _number(words[0], "bot.deliberation.no_such_topic")
    topic = await _post(ctx, f"/topics/{topic_id}/score", {**scores, "actor": ctx.sender})
    return Reply(body=ctx.t("bot.deliberation.topic.scored", topic_id=topic_id, title=_shown(topic["title"]),
                            score_line=topic["score_line"]))


async def cmd_activeer(ctx: CommandContext, cmd: Command) -> Reply:
    topic_id, _ = _topic_number(cmd)
    topic = await _post(ctx, f"/topics/{topic_id}/activate", {"actor": ctx.sender})
    return Reply(body=ctx.t("bot.deliberation.topic.activated", topic_id=topic_id, title=_shown(topic["title"])))


async def cmd_parkeer(ctx: CommandContext, cmd: Command) -> Reply:
    topic_id, _ = _topic_number(cmd)
    topic = await _post(ctx, f"/topics/{topic_id}/park", {"actor": ctx.sender})
    return Reply(body=ctx.t("bot.deliberation.topic.parked", topic_id=topic_id, title=_shown(topic["title"])))


# --------------------------------------------------------------------------- rounds


async def cmd_ronde(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.args.split(maxsplit=1)
    if len(words) < 2 or _NUMBER.match(words[0]) is None:
        raise InvalidInput("bot.deliberation.usage.ronde", "round usage")
    topic_id = _number(words[0], "bot.deliberation.no_such_topic")
    opened = await _post(ctx, "/rounds", {"topic_id": topic_id, "proposal": words[1], "actor": ctx.sender})
    return Reply(body=ctx.t("bot.deliberation.round.opened", round_id=opened["id"], topic_id=topic_id))


async def _position(ctx: CommandContext, cmd: Command, position: str) -> Reply:
    takes_text = position in {"bedenking", "bezwaar", "info"}
    scenarios = _thread_scenarios(ctx)
    if scenarios is not None:
        return await _option_position(ctx, cmd, scenarios, position, takes_text=takes_text)
    round_id, text = _round_and_text(ctx, cmd, takes_text=takes_text)
    payload: dict[str, Any] = {"actor": ctx.sender, "position": position}
    if takes_text:
        payload["text"] = text
    status = await _post(ctx, f"/rounds/{round_id}/positions", payload)
    if position == "bezwaar":
        # The service names the objection this command raised.
        return Reply(body=ctx.t("bot.deliberation.position.bezwaar", objection_id=status.get("objection_id") or "?"))
    return Reply(body=ctx.t(f"bot.deliberation.position.{position}", version=status["version"]))


async def cmd_eens(ctx: CommandContext, cmd: Command) -> Reply:
    return await _position(ctx, cmd, "eens")


async def cmd_bedenking(ctx: CommandContext, cmd: Command) -> Reply:
    return await _position(ctx, cmd, "bedenking")


async def cmd_opzij(ctx: CommandContext, cmd: Command) -> Reply:
    return await _position(ctx, cmd, "opzij")


async def cmd_bezwaar(ctx: CommandContext, cmd: Command) -> Reply:
    return await _position(ctx, cmd, "bezwaar")


async def cmd_info(ctx: CommandContext, cmd: Command) -> Reply:
    return await _position(ctx, cmd, "info")


async def cmd_intrekken(ctx: CommandContext, cmd: Command) -> Reply:
    scenarios = _thread_scenarios(ctx)
    if scenarios is not None:
        # ``!intrekken [optie]``: one's own objection (on that option, when one has several).
        payload: dict[str, Any] = {"actor": ctx.sender}
        if cmd.arg_words:
            payload["option"] = _option_number(cmd, cmd.arg_words[0])
        await _post(ctx, f"/scenarios/{scenarios}/withdraw", payload)
        return Reply(body=ctx.t("bot.deliberation.scenarios.withdrawn"))
    round_id, _ = _round_and_text(ctx, cmd, takes_text=False)
    await _post(ctx, f"/rounds/{round_id}/withdraw", {"actor": ctx.sender})
    return Reply(body=ctx.t("bot.deliberation.withdrawn"))


async def cmd_voorstel(ctx: CommandContext, cmd: Command) -> Reply:
    scenarios = _thread_scenarios(ctx)
    if scenarios is not None:
        # In a scenario round a new version is always of one option: ``!voorstel 2 <tekst>``.
        option, text = _option_and_text(cmd)
        return await _amend_option(ctx, scenarios, option, text)
    round_id, text = _round_and_text(ctx, cmd, takes_text=True)
    status = await _post(ctx, f"/rounds/{round_id}/proposal", {"actor": ctx.sender, "text": text})
    return Reply(body=ctx.t("bot.deliberation.amended", version=status["version"]))


async def cmd_verder(ctx: CommandContext, cmd: Command) -> Reply:
    scenarios = _thread_scenarios(ctx)
    if scenarios is not None:
        status = await _post(ctx, f"/scenarios/{scenarios}/phase", {"actor": ctx.sender})
        rich = Rich().line(ctx.t("bot.deliberation.scenarios.phase", round_id=scenarios, phase=status["phase_label"]))
        if status["phase"] == "besluitvorming":
            rich.line(ctx.t("bot.deliberation.scenarios.phase.decide"))
        return Reply.rich(rich)
    round_id, _ = _round_and_text(ctx, cmd, takes_text=False)
    status = await _post(ctx, f"/rounds/{round_id}/phase", {"actor": ctx.sender})
    rich = Rich().line(ctx.t("bot.deliberation.phase", round_id=round_id, phase=status["phase_label"]))
    if status["phase"] == "besluitvorming":
        rich.line(ctx.t("bot.deliberation.phase.decide"))
    return Reply.rich(rich)


async def cmd_besluit(ctx: CommandContext, cmd: Command) -> Reply:
    scenarios = _thread_scenarios(ctx)
    if scenarios is not None:
        words = cmd.arg_words
        if len(words) != 1 or _OPTION.match(words[0]) is None:
            raise InvalidInput("bot.deliberation.usage.besluit_optie", "decide without option")
        option = _option_number(cmd, words[0])
        status = await _post(ctx, f"/scenarios/{scenarios}/decide", {"actor": ctx.sender, "option": option})
        agreed = next(o for o in status["outcome"]["options"] if o["option"] == option)
        return Reply(body=ctx.t("bot.deliberation.scenarios.decided", option=option, version=agreed["version"]))
    round_id, _ = _round_and_text(ctx, cmd, takes_text=False)
    status = await _post(ctx, f"/rounds/{round_id}/decide", {"actor": ctx.sender})
    return Reply(body=ctx.t("bot.deliberation.decided", round_id=round_id, version=status["version"]))


async def cmd_opgelost(ctx: CommandContext, cmd: Command) -> Reply:
    """``!opgelost [toelichting]``: the objector says their own objection is resolved (typically by the new
    version). ``!opgelost <bezwaar-nr> [toelichting]``: that objection; the service asks a note of anyone but the
    objector (the secretary or opener records how the council resolved it)."""
    scenarios = _thread_scenarios(ctx)
    if scenarios is not None:
        return await _resolve_in_scenarios(ctx, cmd, scenarios)
    round_id, rest = _round_and_text(ctx, cmd, takes_text=True)
    words = rest.split(maxsplit=1)
    if words and _NUMBER.match(words[0]) is not None:
        objection_id = int(_NUMBER.match(words[0]).group(1))  # type: ignore[union-attr]
        if not 0 < objection_id <= MAX_ID:
            raise InvalidInput("bot.deliberation.usage.opgelost", "objection number out of range")
        note = words[1] if len(words) > 1 else None
        status = await _post(ctx, f"/rounds/{round_id}/objections/{objection_id}/resolve",
                             {"actor": ctx.sender, "note": note})
    else:
        objection_id = None
        before = await _get(ctx, f"/rounds/{round_id}")
        own = [o["id"] for o in before["open_objections"] if o["matrix_id"] == ctx.sender]
        if not own:
            raise InvalidInput("bot.deliberation.usage.opgelost", "no own open objection")
        objection_id = own[0]
        status = await _post(ctx, f"/rounds/{round_id}/objections/resolve",
                             {"actor": ctx.sender, "note": rest.strip() or None})
    if all(o["id"] != objection_id for o in status["open_objections"]) and ctx.sender in {
            p["matrix_id"] for p in status["not_responded"]}:
        return Reply(body=ctx.t("bot.deliberation.resolved_own", objection_id=objection_id,
                                version=status["version"]))
    return Reply(body=ctx.t("bot.deliberation.resolved", objection_id=objection_id))


async def cmd_afmelden(ctx: CommandContext, cmd: Command) -> Reply:
    scenarios = _thread_scenarios(ctx)
    if scenarios is not None and not cmd.arg_words:
        await _post(ctx, "/absences", {"actor": ctx.sender, "scenarios_id": scenarios})
        return Reply(body=ctx.t("bot.deliberation.scenarios.absent", round_id=scenarios))
    round_id, _ = _round_and_text(ctx, cmd, takes_text=False)
    await _post(ctx, "/absences", {"actor": ctx.sender, "round_id": round_id})
    return Reply(body=ctx.t("bot.deliberation.absent", round_id=round_id))


async def cmd_stand(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.arg_words
    scenarios = _thread_scenarios(ctx)
    if scenarios is not None and not words:
        return Reply.rich(_scenarios_text(ctx, await _get(ctx, f"/scenarios/{scenarios}")))
    if _thread_round(ctx) is None and not (words and _NUMBER.match(words[0])):
        return await _open_rounds(ctx)
    round_id, _ = _round_and_text(ctx, cmd, takes_text=False)
    return Reply.rich(_status_text(ctx, await _get(ctx, f"/rounds/{round_id}")))


async def _open_rounds(ctx: CommandContext) -> Reply:
    running = await _get(ctx, "/rounds", {"state": "open"})
    weighing = await _get(ctx, "/scenarios", {"state": "open"})
    if not running and not weighing:
        return Reply(body=ctx.t("bot.deliberation.rounds.none"))
    rich = Rich()
    if running:
        rich.heading(ctx.t("bot.deliberation.rounds.title"))
        rich.items([f"{ctx.t('bot.deliberation.stand.title', round_id=r['id'], title=_shown(r['topic_title']))} "
                    f"({r['phase_label']})" for r in running])
        rich.line(ctx.t("bot.deliberation.rounds.howto"))
    if weighing:
        rich.line(ctx.t("bot.deliberation.scenarios.open_title"))
        rich.items([f"{ctx.t('bot.deliberation.scenarios.stand.title', round_id=r['id'], title=_shown(r['title']))} "
                    f"(#{r['topic_id']}, {r['phase_label']})" for r in weighing])
    return Reply.rich(rich)


def _status_text(ctx: CommandContext, r: dict[str, Any]) -> Rich:
    """Phase, version, who has not responded, concerns and open objections: names and texts, never a count."""
    rich = Rich().heading(ctx.t("bot.deliberation.stand.title", round_id=r["id"], title=_shown(r["topic_title"])))
    rich.line(ctx.t("bot.deliberation.stand.facts", phase=r["phase_label"], version=r["version"],
                    deadline=_when(ctx, r["deadline"])))
    if r["state"] != "open":
        rich.line(ctx.t("bot.deliberation.stand.closed", state=r["state_label"]))
    else:
        if r["not_responded"]:
            rich.line(ctx.t("bot.deliberation.stand.not_responded"))
            rich.items([_shown(p["display_name"]) for p in r["not_responded"]])
        else:
            rich.line(ctx.t("bot.deliberation.stand.everyone"))
        if r["absent"]:
            rich.line(ctx.t("bot.deliberation.stand.absent"))
            rich.items([_shown(p["display_name"]) for p in r["absent"]])
        if r.get("not_in_chat"):
            rich.line(ctx.t("bot.deliberation.stand.not_in_chat"))
            rich.items([_shown(p["display_name"]) for p in r["not_in_chat"]])
    if r["concerns"]:
        rich.line(ctx.t("bot.deliberation.stand.concerns"))
        rich.items([f"{_shown(c['display_name'])}: {_shown(c['text'])}" for c in r["concerns"]])
    if r["open_objections"]:
        rich.line(ctx.t("bot.deliberation.stand.objections"))
        rich.items([f"{o['id']}. {_shown(o['display_name'])}: {_shown(o['argument'])}"
                    + (f" ({ctx.t('bot.deliberation.stand.carried', old=o['version'], version=r['version'])})"
                       if o.get("asked_about_version") else "")
                    for o in r["open_objections"]])
    elif r["state"] == "open":
        rich.line(ctx.t("bot.deliberation.stand.no_objections"))
    if r["info_requested"]:
        rich.line(ctx.t("bot.deliberation.stand.info"))
        rich.items([f"{_shown(i['display_name'])}: {_shown(i['text'])}" for i in r["info_requested"]])
    for line in r.get("background_lines") or []:  # e.g. what residents said in a consultation
        rich.line(_shown(line))
    if r["state"] == "open":
        if r["quorum_shortfall"]:
            rich.line(ctx.t("bot.deliberation.stand.quorum"))
        if r["deadline_passed"]:
            rich.line(ctx.t("bot.deliberation.stand.deadline_passed"))
        if r["can_record_agreement"]:
            rich.line(ctx.t("bot.deliberation.stand.ready"))
    return rich


async def cmd_termijn(ctx: CommandContext, cmd: Command) -> Reply:
    """``!termijn <datum>`` in a round's thread (or ``!termijn <ronde-nr> <datum>``): the deadline falls at the end
    of that day; the service announces it in the thread and edits the round's first message."""
    words = cmd.arg_words
    scenarios = _thread_scenarios(ctx)
    if scenarios is not None and len(words) == 1:  # a scenario round's thread: its own deadline
        day = parse_day(words[0], _today(ctx))
        if day is None:
            raise InvalidInput("bot.deliberation.bad_date", f"not a date: {words[0]!r}", given=words[0][:40])
        status = await _post(ctx, f"/scenarios/{scenarios}/deadline", {"actor": ctx.sender, "day": day.isoformat()})
        return Reply(body=ctx.t("bot.deliberation.scenarios.termijn", round_id=scenarios,
                                deadline=_when(ctx, status["deadline"])))
    in_thread = _thread_round(ctx)
    if len(words) == 1 and in_thread is not None:
        round_id, day_word = in_thread, words[0]
    elif len(words) == 2 and _NUMBER.match(words[0]):
        round_id, day_word = _number(words[0], "bot.deliberation.no_such_round"), words[1]
    else:
        raise InvalidInput("bot.deliberation.usage.termijn", "deadline usage")
    day = parse_day(day_word, _today(ctx))
    if day is None:
        raise InvalidInput("bot.deliberation.bad_date", f"not a date: {day_word!r}", given=day_word[:40])
    status = await _post(ctx, f"/rounds/{round_id}/deadline", {"actor": ctx.sender, "day": day.isoformat()})
    return Reply(body=ctx.t("bot.deliberation.termijn", round_id=round_id, deadline=_when(ctx, status["deadline"])))


# --------------------------------------------------------------------------- scenario rounds (co-creation)
#
# In a scenario round's thread the round words take an option's number first (``!eens 2``, ``!bezwaar 1 <argument>``,
# ``!besluit 2``); ``!optie`` puts, amends (``!optie 2 wijzig <tekst>``) or merges (``!optie 1 3 samen <tekst>``)
# options. Never a tally: per option who has not responded, the objections, the concerns and who prefers it.


def _thread_scenarios(ctx: CommandContext) -> int | None:
    m = _SCENARIOS_KEY.match(ctx.thread_key or "")
    return int(m.group(1)) if m else None


def _scenarios_thread(ctx: CommandContext, cmd: Command) -> int:
    found = _thread_scenarios(ctx)
    if found is None:
        raise InvalidInput("bot.deliberation.scenarios_needed", "scenario command outside its thread", word=cmd.word)
    return found


def _option_number(cmd: Command, word: str) -> int:
    m = _OPTION.match(word)
    if m is None or int(m.group(1)) < 1:
        raise InvalidInput("bot.deliberation.usage.option_number", "option number expected", word=cmd.word)
    return int(m.group(1))


def _option_and_text(cmd: Command) -> tuple[int, str]:
    words = cmd.args.split(maxsplit=1)
    if not words:
        raise InvalidInput("bot.deliberation.usage.option_number", "option number missing", word=cmd.word)
    return _option_number(cmd, words[0]), (words[1] if len(words) > 1 else "")


def _figure(ctx: CommandContext, value: float | int | None) -> str:
    """An influence figure as members read it: 3, 3,5 (Dutch) or 3.5; "not scored" when there is none."""
    if value is None:
        return ctx.t("bot.deliberation.influence.unscored")
    shown = f"{round(float(value), 2):g}"
    return shown.replace(".", ",") if ctx.lang == "nl" else shown


def _version_of(status: dict[str, Any], option: int) -> int:
    return next((o["version"] for o in status["options"] if o["option"] == option), 1)


async def _option_position(ctx: CommandContext, cmd: Command, scenarios: int, position: str, *,
                           takes_text: bool) -> Reply:
    option, text = _option_and_text(cmd)
    payload: dict[str, Any] = {"actor": ctx.sender, "option": option, "position": position}
    if takes_text:
        payload["text"] = text
    status = await _post(ctx, f"/scenarios/{scenarios}/positions", payload)
    if position == "bezwaar":
        return Reply(body=ctx.t("bot.deliberation.scenarios.position.bezwaar", option=option,
                                objection_id=status.get("objection_id") or "?"))
    return Reply(body=ctx.t(f"bot.deliberation.scenarios.position.{position}", option=option,
                            version=_version_of(status, option)))


async def _amend_option(ctx: CommandContext, scenarios: int, option: int, text: str) -> Reply:
    if not text.strip():
        raise InvalidInput("bot.deliberation.usage.optie", "amendment without text")
    status = await _post(ctx, f"/scenarios/{scenarios}/options/{option}/versions", {"actor": ctx.sender, "text": text})
    return Reply(body=ctx.t("bot.deliberation.scenarios.option_amended", option=option,
                            version=_version_of(status, option)))


async def cmd_scenarios(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.args.split(maxsplit=1)
    if len(words) < 2 or _NUMBER.match(words[0]) is None:
        raise InvalidInput("bot.deliberation.usage.scenarios", "scenarios usage")
    topic_id = _number(words[0], "bot.deliberation.no_such_topic")
    opened = await _post(ctx, "/scenarios", {"topic_id": topic_id, "title": one_line(words[1]), "actor": ctx.sender})
    return Reply(body=ctx.t("bot.deliberation.scenarios.opened", round_id=opened["id"], topic_id=topic_id))


_SOURCE_PREFIX = re.compile(r"^(bestuur|board|raad|council)\s*:\s*(.*)$", re.IGNORECASE | re.DOTALL)


async def cmd_optie(ctx: CommandContext, cmd: Command) -> Reply:
    """``!optie <tekst>``, ``!optie bestuur: <tekst>``, ``!optie 2 wijzig <tekst>``, ``!optie 1 3 samen <tekst>``."""
    scenarios = _scenarios_thread(ctx, cmd)
    words = cmd.args.split()
    if not words:
        raise InvalidInput("bot.deliberation.usage.optie", "option without text")
    numbers: list[int] = []
    while len(numbers) < len(words) and _OPTION.match(words[len(numbers)]):
        numbers.append(_option_number(cmd, words[len(numbers)]))
    keyword = words[len(numbers)].lower() if len(numbers) < len(words) else ""
    if numbers and (keyword in _AMEND_WORDS or keyword in _MERGE_WORDS):
        parts = re.split(r"\s+", cmd.args.strip(), maxsplit=len(numbers) + 1)
        text = parts[len(numbers) + 1] if len(parts) > len(numbers) + 1 else ""
        if keyword in _AMEND_WORDS:
            if len(numbers) != 1:
                raise InvalidInput("bot.deliberation.usage.optie", "amend one option at a time")
            return await _amend_option(ctx, scenarios, numbers[0], text)
        if not text.strip():
            raise InvalidInput("bot.deliberation.usage.optie", "merge without text")
        status = await _post(ctx, f"/scenarios/{scenarios}/options/merge",
                             {"actor": ctx.sender, "options": numbers, "text": text})
        return Reply(body=ctx.t("bot.deliberation.scenarios.options_merged", option=status["option"]))
    text, source = cmd.args, "raad"
    prefixed = _SOURCE_PREFIX.match(text)
    if prefixed:
        source, text = _SOURCE_WORDS[prefixed.group(1).lower()], prefixed.group(2)
    if not text.strip():
        raise InvalidInput("bot.deliberation.usage.optie", "option without text")
    status = await _post(ctx, f"/scenarios/{scenarios}/options", {"actor": ctx.sender, "text": text, "source": source})
    return Reply(body=ctx.t("bot.deliberation.scenarios.option_added", option=status["option"]))


async def cmd_voorkeur(ctx: CommandContext, cmd: Command) -> Reply:
    scenarios = _scenarios_thread(ctx, cmd)
    words = cmd.arg_words
    if len(words) != 1:
        raise InvalidInput("bot.deliberation.usage.voorkeur", "preference usage")
    if words[0].lower() in _NO_PREFERENCE:
        await _post(ctx, f"/scenarios/{scenarios}/preference", {"actor": ctx.sender})
        return Reply(body=ctx.t("bot.deliberation.scenarios.preference_cleared"))
    if _OPTION.match(words[0]) is None:
        raise InvalidInput("bot.deliberation.usage.voorkeur", "preference usage")
    option = _option_number(cmd, words[0])
    await _post(ctx, f"/scenarios/{scenarios}/preference", {"actor": ctx.sender, "option": option})
    return Reply(body=ctx.t("bot.deliberation.scenarios.preference", option=option))


async def cmd_meegedacht(ctx: CommandContext, cmd: Command) -> Reply:
    scenarios = _scenarios_thread(ctx, cmd)
    payload: dict[str, Any] = {"actor": ctx.sender}
    if cmd.args.strip():
        payload["note"] = cmd.args.strip()
    await _post(ctx, f"/scenarios/{scenarios}/meegedacht", payload)
    return Reply(body=ctx.t("bot.deliberation.scenarios.input", round_id=scenarios))


async def _resolve_in_scenarios(ctx: CommandContext, cmd: Command, scenarios: int) -> Reply:
    """``!opgelost [bezwaar-nr] [toelichting]`` in a scenario round: as in a round, the objection's number is the
    round's (``!stand`` shows it); without one, the member's own open objection."""
    words = cmd.args.split(maxsplit=1)
    payload: dict[str, Any] = {"actor": ctx.sender}
    if words and _NUMBER.match(words[0]) is not None:
        objection_id = int(_NUMBER.match(words[0]).group(1))  # type: ignore[union-attr]
        if not 0 < objection_id <= MAX_ID:
            raise InvalidInput("bot.deliberation.usage.opgelost", "objection number out of range")
        note = words[1] if len(words) > 1 else None
    else:
        before = await _get(ctx, f"/scenarios/{scenarios}")
        own = [o["id"] for option in before["options"] for o in option["open_objections"]
               if o["matrix_id"] == ctx.sender]
        if not own:
            raise InvalidInput("bot.deliberation.usage.opgelost", "no own open objection")
        objection_id, note = own[0], (cmd.args.strip() or None)
    payload["objection_id"] = objection_id
    if note:
        payload["note"] = note
    await _post(ctx, f"/scenarios/{scenarios}/resolve", payload)
    return Reply(body=ctx.t("bot.deliberation.scenarios.resolved", objection_id=objection_id))


def _names(people: list[dict[str, Any]]) -> str:
    return ", ".join(_shown(p["display_name"]) for p in people)


def _numbers(ctx: CommandContext, numbers: list[int]) -> str:
    joiner = " en " if ctx.lang == "nl" else " and "
    shown = [str(n) for n in numbers]
    return ", ".join(shown[:-1]) + joiner + shown[-1] if len(shown) > 1 else "".join(shown)


def _scenarios_text(ctx: CommandContext, r: dict[str, Any]) -> Rich:
    """Per option: who has not responded, the objections that stand, the concerns, questions and who prefers it;
    then which options nobody objects to. Names and texts, never a count."""
    rich = Rich().heading(ctx.t("bot.deliberation.scenarios.stand.title", round_id=r["id"], title=_shown(r["title"])))
    rich.line(ctx.t("bot.deliberation.scenarios.stand.facts", topic_id=r["topic_id"], phase=r["phase_label"],
                    deadline=_when(ctx, r["deadline"]) if r.get("deadline") else "-"))
    is_open = r["state"] == "open"
    if not is_open:
        rich.line(ctx.t("bot.deliberation.scenarios.stand.closed", state=r["state_label"]))
        if r.get("agreed_option"):
            rich.line(ctx.t("bot.deliberation.scenarios.stand.agreed", option=r["agreed_option"]))
    if not r["options"] and is_open:
        rich.line(ctx.t("bot.deliberation.scenarios.stand.no_options"))
    for o in r["options"]:
        rich.line("")
        rich.line(ctx.t("bot.deliberation.scenarios.stand.option", option=o["option"], version=o["version"],
                        source=o["source_label"], text=_shown(o["text"])))
        items = []
        if is_open:
            items.append(ctx.t("bot.deliberation.scenarios.stand.not_responded", names=_names(o["not_responded"]))
                         if o["not_responded"] else ctx.t("bot.deliberation.scenarios.stand.everyone"))
        for x in o["open_objections"]:
            line = ctx.t("bot.deliberation.scenarios.stand.objection", id=x["id"], name=_shown(x["display_name"]),
                         argument=_shown(x["argument"]))
            if x.get("asked_about_version"):
                line += f" ({ctx.t('bot.deliberation.scenarios.stand.carried', version=o['version'])})"
            items.append(line)
        if not o["open_objections"]:
            items.append(ctx.t("bot.deliberation.scenarios.stand.no_objection"))
        items += [ctx.t("bot.deliberation.scenarios.stand.concern", name=_shown(c["display_name"]),
                        text=_shown(c["text"])) for c in o["concerns"]]
        items += [ctx.t("bot.deliberation.scenarios.stand.info", name=_shown(i["display_name"]),
                        text=_shown(i["text"])) for i in o["info_requested"]]
        if o["preferred_by"]:
            items.append(ctx.t("bot.deliberation.scenarios.stand.preferred", names=_names(o["preferred_by"])))
        rich.items(items)
    if r["merged"]:
        rich.line("")
        for m in r["merged"]:
            rich.line(ctx.t("bot.deliberation.scenarios.stand.merged", option=m["option"],
                            merged_into=m["merged_into"]))
    if is_open:
        if r["unopposed"]:
            rich.line(ctx.t("bot.deliberation.scenarios.stand.unopposed", options=_numbers(ctx, r["unopposed"])))
        if r["absent"]:
            rich.line(ctx.t("bot.deliberation.stand.absent"))
            rich.items([_shown(p["display_name"]) for p in r["absent"]])
        if r["quorum_shortfall"]:
            rich.line(ctx.t("bot.deliberation.stand.quorum"))
        if r["deadline_passed"]:
            rich.line(ctx.t("bot.deliberation.stand.deadline_passed"))
        if r["decidable"]:
            rich.line(ctx.t("bot.deliberation.scenarios.stand.ready", options=_numbers(ctx, r["decidable"])))
    return rich


# --------------------------------------------------------------------------- influence on the record


async def cmd_invloed(ctx: CommandContext, cmd: Command) -> Reply:
    """``!invloed <onderwerp-nr> <1-5> [overgenomen|aangepast|niet-overgenomen] <wat veranderde>`` (the secretary);
    ``!invloed`` alone: this year's expected against realised influence."""
    if not cmd.args.strip():
        return await _influence_overview(ctx)
    words = cmd.args.split(maxsplit=2)
    if len(words) < 3 or _NUMBER.match(words[0]) is None or not re.fullmatch(r"\d{1,3}", words[1]):
        raise InvalidInput("bot.deliberation.usage.invloed", "influence usage")
    topic_id = _number(words[0], "bot.deliberation.no_such_topic")
    rest, kind = words[2].strip(), None
    first, _, tail = rest.partition(" ")
    if first.lower().rstrip(":,") in _INFLUENCE_KINDS:
        kind, rest = first.lower().rstrip(":,"), tail.strip()
    if not rest:
        raise InvalidInput("bot.deliberation.usage.invloed", "influence without what changed")
    payload: dict[str, Any] = {"actor": ctx.sender, "score": int(words[1]), "what_changed": rest}
    if kind:
        payload["kind"] = kind
    t = await _post(ctx, f"/topics/{topic_id}/influence", payload)
    return Reply(body=ctx.t("bot.deliberation.influence.recorded", topic_id=topic_id, title=_shown(t["title"]),
                            realised=t["realised"], kind=t["kind_label"], expected=_figure(ctx, t["expected"])))


async def _influence_overview(ctx: CommandContext) -> Reply:
    o = await _get(ctx, "/influence")
    if not o["topics"]:
        return Reply(body=ctx.t("bot.deliberation.influence.none", year=o["year"]))
    rich = Rich().heading(ctx.t("bot.deliberation.influence.title", year=o["year"]))
    items = []
    for t in o["topics"]:
        realised = (f"{t['realised']} ({t['kind_label']})" if t["realised"] is not None
                    else ctx.t("bot.deliberation.influence.open"))
        line = ctx.t("bot.deliberation.influence.topic", topic_id=t["topic_id"], title=_shown(t["title"]),
                     expected=_figure(ctx, t["expected"]), realised=realised)
        if t["what_changed"]:
            line += f" – {_shown(t['what_changed'])}"
        items.append(line)
    rich.items(items)
    a = o["averages"]
    rich.line(ctx.t("bot.deliberation.influence.average", expected=_figure(ctx, a["expected"]),
                    realised=_figure(ctx, a["realised"])))
    if o["awaiting"]:
        rich.line(ctx.t("bot.deliberation.influence.awaiting", topics=", ".join(f"#{n}" for n in o["awaiting"])))
    return Reply.rich(rich)


# --------------------------------------------------------------------------- the decision list


async def cmd_besluiten(ctx: CommandContext, cmd: Command) -> Reply:
    """``!besluiten [zoekwoord]``: newest first, each with its version, date, concerns and how every objection
    ended. Never a tally: names and texts. ``!besluiten bestand``: the whole list as a file in the thread."""
    query = one_line(cmd.args)[:100]
    if query.lower() in _FILE_WORDS:
        return await _register_file(ctx)
    params: dict[str, Any] = {"order": "newest"}
    if query:
        params["q"] = query
    entries = await _get(ctx, "/register", params)
    # The co-creation part of the list (scenario rounds that ended), shown when not searching.
    cocreation = [] if query else await _get(ctx, "/register/scenarios", {"order": "newest"})
    if not entries and not cocreation:
        code = "bot.deliberation.besluiten.none_search" if query else "bot.deliberation.besluiten.none"
        return Reply(body=ctx.t(code, query=_shown(query)))
    title = (ctx.t("bot.deliberation.besluiten.title_search", query=_shown(query)) if query
             else ctx.t("bot.deliberation.besluiten.title", council=ctx.council.name))
    rich = Rich().heading(title)
    for e in entries[:MAX_DECISIONS_SHOWN]:
        rich.line("")
        rich.line(ctx.t("bot.deliberation.besluiten.entry", date=_day(ctx, e["decided_on"]), topic_id=e["topic_id"],
                        title=_shown(e["topic_title"]), round_id=e["round_id"], version=e["version"]))
        rich.quote(e["text"])
        details = [ctx.t("bot.deliberation.besluiten.concern", name=_shown(p["display_name"]),
                         text=_shown(p["text"] or ""))
                   for p in e["positions"] if p["position"] == "bedenking"]
        details += [ctx.t("bot.deliberation.besluiten.objection", id=o["id"], name=_shown(o["display_name"]),
                          argument=_shown(o["argument"]),
                          status=o["status_label"] + (f" – {_shown(o['note'])}" if o.get("note") else ""))
                    for o in e["objections"]]
        details = details or [ctx.t("bot.deliberation.besluiten.no_objections")]
        details += [_changed(ctx, r) for r in e.get("influence", [])]
        details += [_shown(b["line"]) for b in e.get("background", []) if b.get("line")]
        rich.items(details)
    if len(entries) > MAX_DECISIONS_SHOWN:
        rich.line("")
        rich.line(ctx.t("bot.deliberation.besluiten.more", count=len(entries) - MAX_DECISIONS_SHOWN))
    if cocreation:
        rich.line("")
        rich.line(ctx.t("bot.deliberation.besluiten.cocreation"))
        for x in cocreation[:MAX_DECISIONS_SHOWN]:
            rich.line(ctx.t("bot.deliberation.besluiten.scenarios", date=_day(ctx, x["decided_on"]),
                            round_id=x["round_id"], title=_shown(x["title"]), topic_id=x["topic_id"],
                            outcome=(ctx.t("bot.deliberation.besluiten.agreed_option", option=x["agreed_option"])
                                     if x["agreed_option"] else x["kind_label"])))
            items = []
            for o in x["options"]:
                if o["merged_into"] is not None:
                    continue
                view = [ctx.t("bot.deliberation.scenarios.stand.objection", id=v["id"], name=_shown(v["display_name"]),
                              argument=_shown(v["argument"])) for v in o["open_objections"]]
                view += [ctx.t("bot.deliberation.besluiten.concern", name=_shown(c["display_name"]),
                               text=_shown(c["text"])) for c in o["concerns"]]
                items.append(f"{ctx.t('bot.deliberation.besluiten.option', option=o['option'])}: {_shown(o['text'])}"
                             + (" – " + "; ".join(view) if view else ""))
            items += [_changed(ctx, r) for r in x.get("influence", [])]
            rich.items(items)
    rich.line(ctx.t("bot.deliberation.besluiten.file_hint"))
    return Reply.rich(rich)


def _changed(ctx: CommandContext, record: dict[str, Any]) -> str:
    """What changed because of the council (realised influence), as one item of the decision list."""
    return ctx.t("bot.deliberation.besluiten.changed", score=record["score"], kind=record["kind_label"],
                 text=_shown(record["what_changed"]))


async def _register_file(ctx: CommandContext) -> Reply:
    """The decision list as a Markdown file, posted in the command's thread (encrypted in an encrypted room)."""
    document = await ctx.service("deliberation").get(_path(ctx, "/register/export"), params={"format": "markdown"},
                                                     lang=ctx.lang)
    data = document if isinstance(document, bytes) else str(document).encode()
    name = f"besluitenlijst-{ctx.council.slug}-{_today(ctx).isoformat()}.md"
    ctx.services.outbox.accept([OutboundMessage(
        key=f"reply:{ctx.event_id}:file", council=ctx.council.slug, room=ctx.room_id, kind="file", body=name,
        file_b64=base64.b64encode(data).decode(), file_mimetype="text/markdown",
        thread_event_id=ctx.thread_root or ctx.event_id, reply_to_event_id=ctx.event_id)])
    return Reply(body=ctx.t("bot.deliberation.besluiten.file", council=ctx.council.name))


# --------------------------------------------------------------------------- advice and the board


def _thread_advice(ctx: CommandContext) -> int | None:
    m = _ADVICE_KEY.match(ctx.thread_key or "")
    return int(m.group(1)) if m else None


def _advice_and_rest(ctx: CommandContext, cmd: Command) -> tuple[int, str]:
    """Which advice a command is about: the thread's, or the number in front (``!verstuurd 4 12-3-2026``)."""
    words = cmd.args.split(maxsplit=1)
    if words and _NUMBER.match(words[0]):
        return _number(words[0], "bot.deliberation.no_such_advice"), (words[1] if len(words) > 1 else "")
    in_thread = _thread_advice(ctx)
    if in_thread is not None:
        return in_thread, cmd.args
    raise InvalidInput("bot.deliberation.advice_needed", "advice command outside an advice thread", word=cmd.word)


def _today(ctx: CommandContext) -> date:
    return ctx.now().astimezone(ZoneInfo(ctx.council.timezone)).date()


def _day(ctx: CommandContext, iso: str | None) -> str:
    return i18n.fmt_date(date.fromisoformat(iso[:10]), ctx.lang) if iso else "-"


async def cmd_advies(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.arg_words
    if len(words) < 2 or _NUMBER.match(words[0]) is None:
        raise InvalidInput("bot.deliberation.usage.advies", "advice usage")
    topic_id = _number(words[0], "bot.deliberation.no_such_topic")
    rest, kind, received = words[1:], "advies", None
    changed = True
    while changed and rest:
        changed = False
        if rest[-1].lower() in _KIND_WORDS:
            kind, rest, changed = _KIND_WORDS[rest[-1].lower()], rest[:-1], True
        elif len(rest) >= 2 and rest[-2].lower() in _RECEIVED_WORDS and received is None:
            received, rest, changed = rest[-1], rest[:-2], True
    if not rest:
        raise InvalidInput("bot.deliberation.usage.advies", "advice without title")
    payload: dict[str, Any] = {"topic_id": topic_id, "title": " ".join(rest), "kind": kind, "actor": ctx.sender}
    if received:
        payload["received"] = received
    t = await _post(ctx, "/advice", payload)
    return Reply(body=ctx.t("bot.deliberation.advies.registered", advice_id=t["id"], kind=t["kind_label"],
                            topic_id=t["topic_id"], title=_shown(t["title"]), deadline=_day(ctx, t["deadline"])))


async def cmd_concept(ctx: CommandContext, cmd: Command) -> Reply:
    in_thread = _thread_advice(ctx)
    if in_thread is not None:
        advice_id, text = in_thread, cmd.args
    else:
        advice_id, text = _advice_and_rest(ctx, cmd)
    if not text.strip():
        raise InvalidInput("bot.deliberation.usage.concept", "draft without text")
    opened = await _post(ctx, f"/advice/{advice_id}/draft", {"actor": ctx.sender, "proposal": text})
    return Reply(body=ctx.t("bot.deliberation.concept.opened", round_id=opened["round"]["id"]))


async def cmd_verstuurd(ctx: CommandContext, cmd: Command) -> Reply:
    advice_id, rest = _advice_and_rest(ctx, cmd)
    payload: dict[str, Any] = {"actor": ctx.sender}
    if rest.strip():
        payload["on"] = rest.strip()
    t = await _post(ctx, f"/advice/{advice_id}/sent", payload)
    return Reply(body=ctx.t("bot.deliberation.verstuurd", advice_id=advice_id, sent=_day(ctx, t["sent_on"]),
                            due=_day(ctx, t["reply_due_on"])))


async def cmd_reactie(ctx: CommandContext, cmd: Command) -> Reply:
    advice_id, rest = _advice_and_rest(ctx, cmd)
    words = rest.split()
    if not words:
        raise InvalidInput("bot.deliberation.usage.reactie", "reply usage")
    if len(words) > 1 and words[0].lower() == "wijkt" and words[1].lower() == "af":
        kind, words = "wijktaf", words[2:]
    else:
        kind, words = words[0], words[1:]
    payload: dict[str, Any] = {"actor": ctx.sender, "kind": kind}
    if words and DATE_WORD.match(words[-1]):
        payload["on"] = words.pop()
    if words:
        payload["text"] = " ".join(words)
    t = await _post(ctx, f"/advice/{advice_id}/reply", payload)
    rich = Rich().line(ctx.t("bot.deliberation.reactie", advice_id=advice_id, reply=t["reply_label"],
                             on=_day(ctx, t["reply_on"])))
    if t["reply_late"]:
        rich.line(ctx.t("bot.deliberation.reactie.late", due=_day(ctx, t["reply_due_on"])))
    return Reply.rich(rich)


async def cmd_toets(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.arg_words
    if len(words) == 2 and _NUMBER.match(words[0]):
        advice_id, on = _number(words[0], "bot.deliberation.no_such_advice"), words[1]
    elif len(words) == 1 and _thread_advice(ctx) is not None:
        advice_id, on = _thread_advice(ctx), words[0]
    else:
        raise InvalidInput("bot.deliberation.usage.toets", "check usage")
    t = await _post(ctx, f"/advice/{advice_id}/checks", {"actor": ctx.sender, "on": on})
    check = t["checks"][-1]
    return Reply(body=ctx.t("bot.deliberation.toets", number=check["number"], advice_id=advice_id,
                            due=_day(ctx, check["due_on"])))


async def cmd_uitkomst(ctx: CommandContext, cmd: Command) -> Reply:
    advice_id, rest = _advice_and_rest(ctx, cmd)
    words = rest.split(maxsplit=1)
    if not words:
        raise InvalidInput("bot.deliberation.usage.uitkomst", "outcome usage")
    payload: dict[str, Any] = {"actor": ctx.sender, "outcome": words[0]}
    if len(words) > 1:
        payload["note"] = words[1]
    t = await _post(ctx, f"/advice/{advice_id}/outcome", payload)
    done = [c for c in t["checks"] if c["outcome"]]
    latest = max(done, key=lambda c: (c["checked_on"] or "", c["number"]))
    return Reply(body=ctx.t("bot.deliberation.uitkomst", advice_id=advice_id, outcome=latest["outcome_label"]))


def _next_step(ctx: CommandContext, t: dict[str, Any]) -> str:
    if t["sent_on"] is None:
        return ctx.t("bot.deliberation.adviezen.next.deadline", date=_day(ctx, t["deadline"]))
    if t["reply"] is None:
        text = ctx.t("bot.deliberation.adviezen.next.reply", date=_day(ctx, t["reply_due_on"]))
        return text + (f" – {ctx.t('bot.deliberation.adviezen.overdue')}" if t["reply_overdue"] else "")
    if t["next_date"]:
        return ctx.t("bot.deliberation.adviezen.next.check", date=_day(ctx, t["next_date"]))
    return ctx.t("bot.deliberation.adviezen.next.none", advice_id=t["id"])


async def cmd_adviezen(ctx: CommandContext, cmd: Command) -> Reply:
    running = await _get(ctx, "/advice", {"state": "open"})
    if not running:
        return Reply(body=ctx.t("bot.deliberation.adviezen.none"))
    rich = Rich().heading(ctx.t("bot.deliberation.adviezen.title"))
    rich.items([f"{t['id']}. {_shown(t['title'])} ({t['kind_label']}, #{t['topic_id']}) – {t['stage_label']} · "
                f"{_next_step(ctx, t)}" for t in running])
    return Reply.rich(rich)


async def cmd_beloften(ctx: CommandContext, cmd: Command) -> Reply:
    replied = [t for t in await _get(ctx, "/advice", {"state": "all"}) if t["reply"]]
    if not replied:
        return Reply(body=ctx.t("bot.deliberation.beloften.none"))
    rich = Rich().heading(ctx.t("bot.deliberation.beloften.title"))
    for t in replied:
        rich.line("")
        on = _day(ctx, t["reply_on"]) + (f" ({ctx.t('bot.deliberation.beloften.late')})" if t["reply_late"] else "")
        rich.line(ctx.t("bot.deliberation.beloften.reply", advice_id=t["id"], title=_shown(t["title"]),
                        reply=t["reply_label"], on=on))
        if t["reply_text"]:
            rich.quote(t["reply_text"])
        checks = []
        for c in t["checks"]:
            if c["outcome"]:
                line = ctx.t("bot.deliberation.beloften.check_done", number=c["number"], on=_day(ctx, c["checked_on"]),
                             outcome=c["outcome_label"])
                checks.append(line + (f" – {_shown(c['note'])}" if c["note"] else ""))
            else:
                checks.append(ctx.t("bot.deliberation.beloften.check_planned", number=c["number"],
                                    due=_day(ctx, c["due_on"])))
        if checks:
            rich.items(checks)
    return Reply.rich(rich)


# --------------------------------------------------------------------------- the roster


async def cmd_leden(ctx: CommandContext, cmd: Command) -> Reply:
    roster = await _get(ctx, "/members")
    types = {m["matrix_id"]: m for m in roster["members"]}
    rich = Rich().heading(ctx.t("bot.deliberation.leden.title", council=ctx.council.name))

    def who(person: dict[str, Any]) -> str:
        member = types.get(person["matrix_id"])
        kind = f" ({member['member_type_label']})" if member else ""
        return f"{_shown(person['display_name'])}{kind}"

    if roster["seats"]:
        rich.line(ctx.t("bot.deliberation.leden.seats"))
        lines = []
        for seat in roster["seats"]:
            if seat["holder"]:
                held = who(seat["holder"])
            elif seat["upcoming_holder"]:
                held = ctx.t("bot.deliberation.leden.upcoming", name=_shown(seat["upcoming_holder"]["display_name"]))
            else:
                held = ctx.t("bot.deliberation.leden.vacant")
            lines.append(f"{seat['id']}. {_shown(seat['group'])}: {held}")
        rich.items(lines)
    else:
        rich.line(ctx.t("bot.deliberation.leden.no_seats"))
    if roster["members_without_seat"]:
        rich.line(ctx.t("bot.deliberation.leden.without_seat"))
        items = []
        for person in roster["members_without_seat"]:
            member = types.get(person["matrix_id"], {})
            secretary = ctx.t("bot.deliberation.leden.secretary") if member.get("secretary") else ""
            extra = [member.get("customer_group") or "", secretary]
            detail = ", ".join(_shown(x) for x in extra if x)
            items.append(who(person) + (f" – {detail}" if detail else ""))
        rich.items(items)
    if roster["unrepresented_groups"]:
        rich.line(ctx.t("bot.deliberation.leden.unrepresented"))
        rich.items([_shown(g) for g in roster["unrepresented_groups"]])
    elif roster["seats"]:
        rich.line(ctx.t("bot.deliberation.leden.all_represented"))
    return Reply.rich(rich)


async def cmd_lid(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.arg_words
    if len(words) not in (2, 3) or words[1].lower() not in _MEMBER_TYPES:
        raise InvalidInput("bot.deliberation.usage.lid", "member usage")
    payload: dict[str, Any] = {"matrix_id": words[0], "member_type": _MEMBER_TYPES[words[1].lower()],
                               "actor": ctx.sender}
    if len(words) == 3:
        if _NUMBER.match(words[2]) is None:
            raise InvalidInput("bot.deliberation.usage.lid", "seat is not a number")
        seat = int(_NUMBER.match(words[2]).group(1))  # type: ignore[union-attr]
        if not 0 < seat <= MAX_ID:
            raise InvalidInput("bot.deliberation.usage.lid", "seat out of range")
        payload["seat_id"] = seat
    member = await _post(ctx, "/members", payload)
    code = "bot.deliberation.lid.added_seat" if member.get("seat_id") else "bot.deliberation.lid.added"
    return Reply(body=ctx.t(code, name=_shown(member["display_name"]), member_type=member["member_type_label"],
                            seat_id=member.get("seat_id")))


# --------------------------------------------------------------------------- members joining


async def cmd_aanmeldingen(ctx: CommandContext, cmd: Command) -> Reply:
    """``!aanmeldingen [status]``: the secretary's list (the service refuses anyone else: contact details)."""
    status = _APPLICATION_FILTER.get(cmd.arg_words[0].lower()) if cmd.arg_words else None
    params: dict[str, Any] = {"actor": ctx.sender, **({"status": status} if status else {})}
    found = await _get(ctx, "/applications", params)
    if not found:
        return Reply(body=ctx.t("bot.deliberation.aanmeldingen.none"))
    rich = Rich().heading(ctx.t("bot.deliberation.aanmeldingen.title", council=ctx.council.name))
    rich.items([ctx.t("bot.deliberation.aanmeldingen.entry", id=a["id"], name=_shown(a["name"]),
                      member_type=a["member_type"], date=_day(ctx, a["received_on"]), status=a["status_label"])
                for a in reversed(found)])
    rich.line(ctx.t("bot.deliberation.aanmeldingen.howto"))
    return Reply.rich(rich)


async def cmd_selectie(ctx: CommandContext, cmd: Command) -> Reply:
    """``!selectie <nr> gesprek|benoemd|afgewezen [zetel <nr>] [@matrix-id] [toelichting]``: the selection
    committee's decision, recorded by the secretary. On appointment the service has the bot invite the new member
    and tells the room; the welcome follows when they join."""
    words = cmd.arg_words
    if len(words) < 2 or _NUMBER.match(words[0]) is None or words[1].lower() not in _SELECTION_STATUS:
        raise InvalidInput("bot.deliberation.usage.selectie", "selection usage")
    application_id = _number(words[0], "bot.deliberation.usage.selectie")
    payload: dict[str, Any] = {"actor": ctx.sender, "status": _SELECTION_STATUS[words[1].lower()]}
    rest = words[2:]
    note: list[str] = []
    while rest:
        word = rest.pop(0)
        if word.lower() in ("zetel", "seat") and rest and _NUMBER.match(rest[0]):
            payload["seat_id"] = _number(rest.pop(0), "bot.deliberation.usage.selectie")
        elif word.startswith("@") and ":" in word and "matrix_id" not in payload:
            payload["matrix_id"] = word
        else:
            note.append(word)
    if note:
        payload["note"] = " ".join(note)[:1000]
    try:
        decided = await _post(ctx, f"/applications/{application_id}/status", payload)
    except InvalidInput as exc:
        if exc.code == "delib.application.matrix_id_required":
            raise InvalidInput("bot.deliberation.selectie.no_matrix", "no matrix id", id=application_id) from exc
        raise
    return Reply(body=ctx.t(f"bot.deliberation.selectie.{decided['status']}", id=application_id,
                            name=_shown(decided["name"]), seat=decided.get("seat_id") or "-"))


COMMANDS = [
    CommandSpec("agenda", cmd_agenda, "agenda", "bot.deliberation.cmd.agenda"),
    CommandSpec("onderwerp", cmd_onderwerp, "agenda", "bot.deliberation.cmd.onderwerp",
                usage="<titel>", english_aliases=("topic",)),
    CommandSpec("score", cmd_score, "agenda", "bot.deliberation.cmd.score",
                usage="<nr> belang <1-5> invloed <1-5>"),
    CommandSpec("activeer", cmd_activeer, "agenda", "bot.deliberation.cmd.activeer",
                usage="<nr>", english_aliases=("activate",)),
    CommandSpec("parkeer", cmd_parkeer, "agenda", "bot.deliberation.cmd.parkeer",
                usage="<nr>", english_aliases=("park",)),
    CommandSpec("ronde", cmd_ronde, "ronde", "bot.deliberation.cmd.ronde",
                usage="<onderwerp-nr> <voorstel>", english_aliases=("round",)),
    CommandSpec("eens", cmd_eens, "ronde", "bot.deliberation.cmd.eens",
                english_aliases=("agree",)),
    CommandSpec("bedenking", cmd_bedenking, "ronde", "bot.deliberation.cmd.bedenking",
                usage="<tekst>", english_aliases=("concern",)),
    CommandSpec("opzij", cmd_opzij, "ronde", "bot.deliberation.cmd.opzij",
                english_aliases=("standaside",)),
    CommandSpec("bezwaar", cmd_bezwaar, "ronde", "bot.deliberation.cmd.bezwaar",
                usage="<argument>", english_aliases=("object",)),
    CommandSpec("info", cmd_info, "ronde", "bot.deliberation.cmd.info",
                usage="<vraag>", english_aliases=("question",)),
    CommandSpec("intrekken", cmd_intrekken, "ronde", "bot.deliberation.cmd.intrekken",
                english_aliases=("withdraw",)),
    CommandSpec("voorstel", cmd_voorstel, "ronde", "bot.deliberation.cmd.voorstel",
                usage="<nieuwe tekst>", english_aliases=("propose",)),
    CommandSpec("stand", cmd_stand, "ronde", "bot.deliberation.cmd.stand",
                english_aliases=("status",)),
    CommandSpec("verder", cmd_verder, "ronde", "bot.deliberation.cmd.verder",
                english_aliases=("next",)),
    CommandSpec("opgelost", cmd_opgelost, "ronde", "bot.deliberation.cmd.opgelost",
                usage="[bezwaar-nr] [toelichting]", english_aliases=("resolved",)),
    CommandSpec("besluit", cmd_besluit, "ronde", "bot.deliberation.cmd.besluit",
                usage="[optie-nr]", english_aliases=("decide",)),
    CommandSpec("scenarios", cmd_scenarios, "ronde", "bot.deliberation.cmd.scenarios",
                usage="<onderwerp-nr> <titel>", english_aliases=("scenario",)),
    CommandSpec("optie", cmd_optie, "ronde", "bot.deliberation.cmd.optie",
                usage="[bestuur:] <tekst> | <nr> wijzig <tekst> | <nr> <nr> samen <tekst>",
                english_aliases=("option",)),
    CommandSpec("voorkeur", cmd_voorkeur, "ronde", "bot.deliberation.cmd.voorkeur",
                usage="<optie-nr> | geen", english_aliases=("prefer",)),
    CommandSpec("meegedacht", cmd_meegedacht, "ronde", "bot.deliberation.cmd.meegedacht",
                usage="[toelichting]", english_aliases=("input",)),
    CommandSpec("invloed", cmd_invloed, "ronde", "bot.deliberation.cmd.invloed",
                usage="[<onderwerp-nr> <1-5> <wat veranderde>]", english_aliases=("influence",),
                secretary_only=True),
    CommandSpec("afmelden", cmd_afmelden, "ronde", "bot.deliberation.cmd.afmelden",
                usage="[ronde-nr]", english_aliases=("excuse",)),
    CommandSpec("termijn", cmd_termijn, "ronde", "bot.deliberation.cmd.termijn",
                usage="[ronde-nr] <datum>", english_aliases=("deadline",)),
    # Its own command, never taken for !besluit (the table finds it by its exact word before any suggestion).
    CommandSpec("besluiten", cmd_besluiten, "ronde", "bot.deliberation.cmd.besluiten",
                usage="[zoekwoord | bestand]", english_aliases=("decisions",)),
    CommandSpec("advies", cmd_advies, "advies", "bot.deliberation.cmd.advies",
                usage="<onderwerp-nr> <titel> [ontvangen <datum>] [instemming]", english_aliases=("advice",)),
    CommandSpec("concept", cmd_concept, "advies", "bot.deliberation.cmd.concept",
                usage="<tekst>", english_aliases=("draft",)),
    CommandSpec("verstuurd", cmd_verstuurd, "advies", "bot.deliberation.cmd.verstuurd",
                usage="[datum]", english_aliases=("sent",)),
    CommandSpec("reactie", cmd_reactie, "advies", "bot.deliberation.cmd.reactie",
                usage="volgt|wijktaf <toelichting> [datum]", english_aliases=("reply",)),
    CommandSpec("toets", cmd_toets, "advies", "bot.deliberation.cmd.toets",
                usage="<advies-nr> <datum>", english_aliases=("check",)),
    CommandSpec("uitkomst", cmd_uitkomst, "advies", "bot.deliberation.cmd.uitkomst",
                usage="<advies-nr> uitgevoerd|deels|niet <toelichting>", english_aliases=("outcome",)),
    CommandSpec("adviezen", cmd_adviezen, "advies", "bot.deliberation.cmd.adviezen",
                english_aliases=("advices",)),
    CommandSpec("beloften", cmd_beloften, "advies", "bot.deliberation.cmd.beloften",
                english_aliases=("promises",)),
    CommandSpec("leden", cmd_leden, "leden", "bot.deliberation.cmd.leden",
                english_aliases=("members",)),
    CommandSpec("lid", cmd_lid, "leden", "bot.deliberation.cmd.lid",
                usage="<matrix-id> <huurder|koper|ondernemer> [zetel]", english_aliases=("member",),
                secretary_only=True),
    CommandSpec("aanmeldingen", cmd_aanmeldingen, "leden", "bot.deliberation.cmd.aanmeldingen",
                usage="[ontvangen|gesprek|benoemd|afgewezen]", english_aliases=("applications",),
                secretary_only=True),
    CommandSpec("selectie", cmd_selectie, "leden", "bot.deliberation.cmd.selectie",
                usage="<aanmelding-nr> gesprek|benoemd|afgewezen [zetel <nr>] [toelichting]",
                english_aliases=("selection",), secretary_only=True),
]
