"""Chat commands of the signals service: residents' signals that members heard, and working with the
clusters the service posts as threads in the signals room.

Each cluster is a thread whose root (the card) has the outbox key ``signals:cluster:<council>:<number>``; inside that
thread ``!agenderen`` and ``!thema`` apply to that cluster, and a 👍 on the card counts as "we heard this
too" (once per member). Every call carries the Matrix event id as idempotency key, so a message handled
twice changes nothing twice. The bot never repeats a signal's text: the service scrubs it and posts the
scrubbed version in the cluster's thread.
"""
from __future__ import annotations

import logging
import re
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from services.bot.commands import Command, CommandSpec
from services.bot.context import CommandContext, ReactionContext, Reply
from services.bot.texts.signals import CATALOG
from shared import i18n
from shared.errors import InvalidInput
from shared.dates import parse_day
from shared.formatting import Rich, defang
from shared.http import ServiceError, ServiceUnavailable
from shared.outbox import OutboundMessage

log = logging.getLogger("overleg.bot.signals")

CARD_PREFIX = "signals:cluster:"
# signals:cluster:<council>:<number> (older cards: signals:cluster:<number>); :r<n>: the card re-posted
# after an erasure. The number is the council's own, which the signals API takes.
_CARD_KEY = re.compile(r"^signals:cluster:(?:[a-z0-9][a-z0-9_-]{0,63}:)?(\d{1,10})(?::r\d{1,6})?$")
_WIJK_ARG = re.compile(r"^(?:wijk|buurt|neighbourhood)=(?:\"([^\"]{1,120})\"|“([^”]{1,120})”|(\S{1,120}))(?:\s+|$)",
                       re.IGNORECASE)
THUMBS_UP = "👍"


def register_messages() -> None:
    i18n.register(CATALOG)


def _kind_label(ctx: CommandContext, kind: str) -> str:
    """What a kind of removed personal data is called; a kind the catalogue does not know shows as sent."""
    code = f"bot.signals.kind.{kind}"
    return ctx.t(code) if i18n.has(code) else kind


def _base(ctx: CommandContext) -> str:
    return f"/api/v1/councils/{ctx.council.slug}"


def _cluster_in_thread(ctx: CommandContext, word: str) -> int:
    match = _CARD_KEY.match(ctx.thread_key or "")
    if match is None:
        raise InvalidInput("bot.signals.not_in_thread", "signal command outside a cluster thread", word=word)
    return int(match.group(1))


# --------------------------------------------------------------------------- !signaal
async def cmd_signaal(ctx: CommandContext, cmd: Command) -> Reply:
    args = cmd.args
    wijk = None
    match = _WIJK_ARG.match(args)
    if match:
        wijk = (match.group(1) or match.group(2) or match.group(3)).replace("_", " ").strip()
        args = args[match.end():]
    if not args.strip():
        return Reply(body=ctx.t("bot.signals.usage.signaal"))
    result = await ctx.service("signals").post(f"{_base(ctx)}/signals", json={"text": args, "wijk": wijk},
                                               idempotency_key=ctx.event_id, lang=ctx.lang)
    sig = result["signal"]
    theme = sig["themes"][0]["label"] if sig["themes"] else sig["theme"]
    wijk_shown = sig["wijk"] or ctx.t("bot.signals.wijk_unknown")
    rich = Rich()
    if result.get("duplicate"):
        rich.line(ctx.t("bot.signals.received.duplicate", signal_id=sig["id"]))
    else:
        rich.line(ctx.t("bot.signals.received", signal_id=sig["id"], theme=theme, wijk=wijk_shown))
        if result.get("new_cluster"):
            rich.line(ctx.t("bot.signals.received.new_cluster", cluster_id=sig["cluster_id"]))
        else:
            rich.line(ctx.t("bot.signals.received.joined", cluster_id=sig["cluster_id"], count=result["cluster_size"]))
    removed = sig.get("personal_data_removed") or []
    if removed:
        rich.line(ctx.t("bot.signals.received.removed", kinds=", ".join(_kind_label(ctx, k) for k in removed)))
        # The member's own message still holds what was scrubbed: the bot redacts it (it has the power to).
        ctx.services.outbox.accept([OutboundMessage(key=f"sigbot:redact:{ctx.event_id}", council=ctx.council.slug,
                                                    room=ctx.room_id, kind="redaction", redact_event_id=ctx.event_id,
                                                    body=ctx.t("bot.signals.redacted"))])
    # Our own status page: a link the member can pass on (not foreign text, so not defanged).
    rich.line(ctx.t("bot.signals.received.reference", reference=result["reference"], url=result["status_url"]))
    return Reply.rich(rich)


# --------------------------------------------------------------------------- in a cluster's thread
# A pattern card (patterns across neighbourhoods): signals:pattern:<id>; edits carry :v<n> and are never roots.
_PATTERN_KEY = re.compile(r"^signals:pattern:(pattern-[a-z0-9_-]{1,64}-[0-9a-f]{10})$")


async def cmd_agenderen(ctx: CommandContext, cmd: Command) -> Reply:
    pattern = _PATTERN_KEY.match(ctx.thread_key or "")
    if pattern is not None:  # a pattern across neighbourhoods becomes a council topic
        result = await ctx.service("signals").post(f"{_base(ctx)}/patterns/{pattern.group(1)}/agenda",
                                                   json={"actor": ctx.sender}, idempotency_key=ctx.event_id,
                                                   lang=ctx.lang)
        found = result["pattern"]
        code = "bot.signals.agenda.pattern_created" if result["changed"] else "bot.signals.agenda.pattern_existing"
        return Reply(body=ctx.t(code, theme=found["theme_label"], wijken=len(found["wijken"]),
                                topic_id=found["topic_id"]))
    cluster_id = _cluster_in_thread(ctx, "agenderen")
    result = await ctx.service("signals").post(f"{_base(ctx)}/clusters/{cluster_id}/agenda",
                                               json={"actor": ctx.sender}, idempotency_key=ctx.event_id,
                                               lang=ctx.lang)
    cluster = result["cluster"]
    code = "bot.signals.agenda.created" if result["changed"] else "bot.signals.agenda.existing"
    return Reply(body=ctx.t(code, cluster_id=cluster_id, topic_id=cluster["topic_id"]))


async def _themes(ctx: CommandContext) -> list[dict[str, Any]]:
    return await ctx.service("signals").get(f"{_base(ctx)}/themes", lang=ctx.lang)


async def cmd_thema(ctx: CommandContext, cmd: Command) -> Reply:
    cluster_id = _cluster_in_thread(ctx, "thema")
    themes = await _themes(ctx)
    wanted = cmd.args.strip().lower()
    if not wanted:
        rich = Rich().line(ctx.t("bot.signals.thema.list"))
        rich.items([f"{t['id']} – {t['label']}" for t in themes])
        return Reply.rich(rich)
    chosen = next((t for t in themes if wanted in (t["id"].lower(), t["label"].lower())), None)
    if chosen is None:
        rich = Rich().line(defang(ctx.t("bot.signals.thema.unknown", theme=cmd.args.strip()[:60])))
        rich.line(ctx.t("bot.signals.thema.list"))
        rich.items([f"{t['id']} – {t['label']}" for t in themes])
        return Reply.rich(rich)
    result = await ctx.service("signals").post(f"{_base(ctx)}/clusters/{cluster_id}/theme",
                                               json={"theme": chosen["id"], "actor": ctx.sender},
                                               idempotency_key=ctx.event_id, lang=ctx.lang)
    code = "bot.signals.thema.done" if result["changed"] else "bot.signals.thema.same"
    return Reply(body=ctx.t(code, cluster_id=cluster_id, label=chosen["label"]))


_NUMBER = re.compile(r"^#?(\d{1,9})$")


def _one_number(cmd: Command, usage: str) -> int:
    """The one number a command takes (``#12`` or ``12``); anything else gets the command's usage line."""
    match = _NUMBER.match(cmd.arg_words[0]) if len(cmd.arg_words) == 1 else None
    if match is None:
        raise InvalidInput(usage, f"{cmd.word} usage")
    return int(match.group(1))


async def cmd_samenvoegen(ctx: CommandContext, cmd: Command) -> Reply:
    """``!samenvoegen <groep-nr>`` in a group's thread: that group goes into this one."""
    cluster_id = _cluster_in_thread(ctx, "samenvoegen")
    other = _one_number(cmd, "bot.signals.usage.samenvoegen")
    result = await ctx.service("signals").post(f"{_base(ctx)}/clusters/{cluster_id}/merge",
                                               json={"group": other, "actor": ctx.sender},
                                               idempotency_key=ctx.event_id, lang=ctx.lang)
    return Reply(body=ctx.t("bot.signals.samenvoegen.done", other=other, cluster_id=cluster_id,
                            count=result["cluster"]["signal_count"]))


async def cmd_afsplitsen(ctx: CommandContext, cmd: Command) -> Reply:
    """``!afsplitsen <signaal-nr>`` in a group's thread: that signal becomes a group of its own."""
    cluster_id = _cluster_in_thread(ctx, "afsplitsen")
    signal_id = _one_number(cmd, "bot.signals.usage.afsplitsen")
    result = await ctx.service("signals").post(f"{_base(ctx)}/clusters/{cluster_id}/split",
                                               json={"signal_id": signal_id, "actor": ctx.sender},
                                               idempotency_key=ctx.event_id, lang=ctx.lang)
    return Reply(body=ctx.t("bot.signals.afsplitsen.done", signal_id=signal_id, number=result["cluster"]["id"]))


_DOORSTUREN = re.compile(r"^(?:#?(\d{1,9}))?\s*(.*)$", re.DOTALL)


async def cmd_doorsturen(ctx: CommandContext, cmd: Command) -> Reply:
    """``!doorsturen <groep-nr> [commissie]`` (or without the number in a group's thread): the group goes to the
    bewonerscommissie of its place, or the one named; the service refuses when none fits (it stays)."""
    match = _DOORSTUREN.match(cmd.args.strip())
    number = int(match.group(1)) if match and match.group(1) else None
    if number is None:
        in_thread = _CARD_KEY.match(ctx.thread_key or "")
        if in_thread is None:
            return Reply(body=ctx.t("bot.signals.usage.doorsturen"))
        number = int(in_thread.group(1))
    commissie = (match.group(2) if match else "").strip() or None
    result = await ctx.service("signals").post(f"{_base(ctx)}/clusters/{number}/forward",
                                               json={"commissie": commissie[:200] if commissie else None,
                                                     "actor": ctx.sender},
                                               idempotency_key=ctx.event_id, lang=ctx.lang)
    if not result["changed"]:
        return Reply(body=ctx.t("bot.signals.doorsturen.again", number=number, commissie=result["commissie"]))
    how = "bot.signals.doorsturen.room" if result["by_room"] else "bot.signals.doorsturen.email"
    return Reply(body=f"{ctx.t('bot.signals.doorsturen.done', number=number, commissie=result['commissie'])} "
                      f"{ctx.t(how)}")


# --------------------------------------------------------------------------- overview
async def cmd_signalen(ctx: CommandContext, cmd: Command) -> Reply:
    client = ctx.service("signals")
    patterns = await client.get(f"{_base(ctx)}/patterns", lang=ctx.lang)
    stats = await client.get(f"{_base(ctx)}/stats", params={"months": 12}, lang=ctx.lang)
    rich = Rich()
    if patterns:  # patterns across neighbourhoods first: what the council itself should look at
        rich.heading(ctx.t("bot.signals.stats.patterns"))
        rich.items([ctx.t("bot.signals.stats.pattern_line", theme=p["theme_label"], count=len(p["wijken"]),
                          wijken=", ".join(p["wijken"]),
                          groups=", ".join(f"#{g['number']}" for g in p["groups"] if g.get("number")))
                    + (ctx.t("bot.signals.stats.pattern_topic", topic_id=p["topic_id"]) if p.get("topic_id") else "")
                    for p in patterns])
    if not stats["total"]:
        rich.line(ctx.t("bot.signals.stats.none"))
        return Reply.rich(rich)
    rich.heading(ctx.t("bot.signals.stats.title", since=stats["since"], total=stats["total"]))
    rich.line(ctx.t("bot.signals.stats.themes"))
    rich.items([f"{c['label']}: {c['count']}" for c in stats["themes"]])
    rich.line(ctx.t("bot.signals.stats.wijken"))
    rich.items([f"{c['label']}: {c['count']}" for c in stats["neighbourhoods"][:5]])
    groups = await client.get(f"{_base(ctx)}/clusters/open", params={"limit": 10}, lang=ctx.lang)
    if groups:
        rich.line(ctx.t("bot.signals.stats.open"))
        rich.items([ctx.t("bot.signals.stats.open_line", number=c["id"], theme=c["theme_label"],
                          wijk=c["wijk"] or ctx.t("bot.signals.wijk_unknown"), count=c["signal_count"])
                    for c in groups])
    await client.post(f"{_base(ctx)}/stats/chart",
                      json={"room_id": ctx.room_id, "thread_event_id": ctx.thread_root or ctx.event_id,
                            "reply_to_event_id": ctx.event_id, "months": 12, "lang": ctx.lang},
                      idempotency_key=ctx.event_id, lang=ctx.lang)
    rich.line(ctx.t("bot.signals.stats.chart"))
    return Reply.rich(rich)


# --------------------------------------------------------------------------- resident consultations
async def cmd_raadpleging(ctx: CommandContext, cmd: Command) -> Reply:
    """``!raadpleging <onderwerp-nr> <vraag> [opties: a | b | c] [tot <datum>]`` (secretary): a public page for
    residents; the service parses the rest, announces it in the topic's thread and answers with the link."""
    if not cmd.args.strip() or not _NUMBER.match(cmd.arg_words[0]):
        return Reply(body=ctx.t("bot.signals.usage.raadpleging"))
    result = await ctx.service("signals").post(f"{_base(ctx)}/consultations",
                                               json={"command": cmd.args, "actor": ctx.sender},
                                               idempotency_key=ctx.event_id, lang=ctx.lang)
    rich = Rich()
    rich.line(ctx.t("bot.signals.raadpleging.opened", topic_id=result["topic_id"], url=result["url"],
                    date=i18n.fmt_date(date.fromisoformat(result["last_day"]), ctx.lang)))
    if result["options"]:
        rich.line(ctx.t("bot.signals.raadpleging.options", count=len(result["options"])))
    code = "bot.signals.raadpleging.in_thread" if result.get("thread_key") else "bot.signals.raadpleging.in_room"
    rich.line(ctx.t(code, topic_id=result["topic_id"]))
    return Reply.rich(rich)


# --------------------------------------------------------------------------- bewonersavond sign-up
_BEWONERSAVOND = re.compile(r"^#?(\d{1,9})(?:\s+(\S+?))?(?:\s+(?:plaatsen|places)\s+(\d{1,4}))?$", re.IGNORECASE)


async def cmd_bewonersavond(ctx: CommandContext, cmd: Command) -> Reply:
    """``!bewonersavond <evenement-nr> [datum] [plaatsen <n>]`` (secretary): the calendar's bewonersavond or
    bewonersconsultatie opens for residents to sign up (or its places change); the reply has the public link and
    the numbers. Asked again, it shows the numbers. A series opens one meeting at a time, each with its own list:
    the one on ``datum``, else the next one that has not begun."""
    match = _BEWONERSAVOND.match(cmd.args.strip())
    if match is None:
        return Reply(body=ctx.t("bot.signals.usage.bewonersavond"))
    number = int(match.group(1))
    day = None
    if match.group(2):
        day = parse_day(match.group(2), ctx.now().astimezone(ZoneInfo(ctx.council.timezone)).date())
        if day is None:
            return Reply(body=ctx.t("bot.signals.usage.bewonersavond"))
    calendar = ctx.service("calendar")
    event = await calendar.get(f"/api/v1/councils/{ctx.council.slug}/events/{number}", lang=ctx.lang)
    facts: dict[str, Any] = {k: event.get(k) for k in ("number", "type", "title", "start", "location", "capacity")}
    if event.get("recurrence"):
        meeting = await _meeting_of_series(ctx, event, day)
        if meeting is None:
            on = ctx.t("bot.signals.bewonersavond.on", day=i18n.fmt_date(day, ctx.lang)) if day else ""
            return Reply(body=ctx.t("bot.signals.bewonersavond.no_meeting", number=number, on=on))
        facts["start"], facts["meeting"] = meeting["start"], meeting["day"]
    elif day is not None and str(event.get("start") or "")[:10] != day.isoformat():
        on = ctx.t("bot.signals.bewonersavond.on", day=i18n.fmt_date(day, ctx.lang))
        return Reply(body=ctx.t("bot.signals.bewonersavond.no_meeting", number=number, on=on))
    body: dict[str, Any] = {"event": facts, "actor": ctx.sender}
    if match.group(3):
        body["capacity"] = int(match.group(3))
    result = await ctx.service("signals").post(f"{_base(ctx)}/signups", json=body, idempotency_key=ctx.event_id,
                                               lang=ctx.lang)
    rich = Rich()
    code = "bot.signals.bewonersavond.opened" if result["created"] else "bot.signals.bewonersavond.numbers"
    shown_day = ctx.t("bot.signals.bewonersavond.day", day=i18n.fmt_date(date.fromisoformat(result["meeting"]),
                                                                         ctx.lang)) if result.get("meeting") else ""
    rich.line(ctx.t(code, number=number, title=result["title"], url=result["url"], day=shown_day))
    rich.line(ctx.t("bot.signals.bewonersavond.counts", confirmed=result["confirmed"], waiting=result["waiting"],
                    places=result["places_text"]))
    return Reply.rich(rich)


async def _meeting_of_series(ctx: CommandContext, event: dict[str, Any], day: date | None) -> dict[str, Any] | None:
    """The series' meeting on ``day`` (else its next one) that has not begun and is not called off, from the
    calendar's coming occurrences."""
    coming = await ctx.service("calendar").get(f"/api/v1/councils/{ctx.council.slug}/events", lang=ctx.lang,
                                               params={"days": 400, "limit": 500, "type": event["type"]})
    meetings = [o for o in coming if o.get("number") == event.get("number") and not o.get("cancelled")]
    if day is not None:
        meetings = [o for o in meetings if o.get("day") == day.isoformat()]
    return meetings[0] if meetings else None


# --------------------------------------------------------------------------- 👍 on a card
async def react_card(ctx: ReactionContext) -> None:
    """A member's 👍 on a cluster's card (not on other messages in its thread) counts once."""
    reaction = ctx.reaction
    match = _CARD_KEY.match(ctx.key)
    if match is None or not reaction.key.startswith(THUMBS_UP):
        return
    try:
        await ctx.service("signals").post(f"/api/v1/councils/{ctx.council.slug}/clusters/{match.group(1)}/heard",
                                          json={"member": reaction.sender}, idempotency_key=reaction.event_id)
    except ServiceError as exc:
        if exc.status == 503:  # the roster could not be read: keep the 👍 and try again later
            raise ServiceUnavailable("signals", exc.log_message) from exc
        raise  # a non-member's 👍 (roster.not_member) is refused: it is not counted
    log.info("👍 on cluster %s counted", match.group(1))


COMMANDS = [
    CommandSpec("signaal", cmd_signaal, "signalen", "bot.signals.cmd.signaal",
                usage="[wijk=<buurt>] <tekst>", english_aliases=("signal",)),
    CommandSpec("agenderen", cmd_agenderen, "signalen", "bot.signals.cmd.agenderen",
                english_aliases=("promote",)),
    CommandSpec("thema", cmd_thema, "signalen", "bot.signals.cmd.thema",
                usage="<thema>", english_aliases=("theme",)),
    CommandSpec("signalen", cmd_signalen, "signalen", "bot.signals.cmd.signalen",
                english_aliases=("signals",)),
    CommandSpec("samenvoegen", cmd_samenvoegen, "signalen", "bot.signals.cmd.samenvoegen",
                usage="<groep-nr>", english_aliases=("merge",)),
    CommandSpec("afsplitsen", cmd_afsplitsen, "signalen", "bot.signals.cmd.afsplitsen",
                usage="<signaal-nr>", english_aliases=("split",)),
    CommandSpec("doorsturen", cmd_doorsturen, "signalen", "bot.signals.cmd.doorsturen",
                usage="<groep-nr> [commissie]", english_aliases=("handover",)),
    CommandSpec("bewonersavond", cmd_bewonersavond, "signalen", "bot.signals.cmd.bewonersavond",
                usage="<evenement-nr> [datum] [plaatsen <aantal>]", english_aliases=("residentsevening",),
                secretary_only=True),
    CommandSpec("raadpleging", cmd_raadpleging, "signalen", "bot.signals.cmd.raadpleging",
                usage="<onderwerp-nr> <vraag> [opties: <optie> | <optie> | …] [tot <datum>]",
                english_aliases=("consult",), secretary_only=True),
]

REACTIONS = [(CARD_PREFIX, react_card)]
