"""Calendar commands: what is coming, answering invitations, date polls, the personal feed, and
the secretary's event management. Everything is done by the calendar service; this module only
turns chat into API calls and answers into messages.

Numbers: an event keeps its number for good (``!aanwezig 4``); for a series, the number means
its next meeting, or the one on the date given (``!afwezig 4 23-3``). A date poll is answered
in its thread (``!kan 1 3``) or by number elsewhere (``!kan #2 1 3``).
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from services.bot.commands import Command, CommandSpec
from services.bot.context import CommandContext, Reply
from services.bot.texts.calendar import CATALOG
from shared import i18n
from shared.formatting import Rich, defang, esc, one_line
from shared.http import ServiceError

# calendar:poll:<council>:<number> (polls started before numbers were per council: calendar:poll:<id>)
POLL_KEY = re.compile(r"^calendar:poll:(?:[a-z0-9][a-z0-9_-]{0,63}:)?(\d{1,9})$")
POLL_REF = re.compile(r"^#(\d{1,9})\b\s*(.*)$", re.DOTALL)
NUMBER = re.compile(r"^#?(\d{1,9})$")
CAPACITY = re.compile(r"^(?:plaatsen|max|places|capacity)=(\d{1,4})$", re.IGNORECASE)
# plaats=<locatie>: the rest of the command, up to another option (plaatsen=12), is the place.
LOCATION = re.compile(r"^(?:plaats|locatie|location|place|where)=(.*)$", re.IGNORECASE | re.DOTALL)
# calendar:event:<uid>:new / :s<sequence>: the announcement of an event, a thread of its own.
EVENT_KEY = re.compile(r"^calendar:event:(?P<uid>.+):(?:new|s\d+)$")
EVERYONE_WORDS = {"iedereen", "alle", "allen", "leden", "all", "everyone", "members"}
UPCOMING_DAYS = 60
UPCOMING_LIMIT = 15
ROTATE_WORDS = {"nieuw", "vernieuw", "new", "rotate"}

# The kinds of event a secretary can plan from chat (deadlines come from the deliberation service).
TYPE_WORDS = {
    "vergadering": "vergadering", "meeting": "vergadering",
    "bestuur": "overleg_bestuur", "overleg": "overleg_bestuur", "board": "overleg_bestuur",
    "heidag": "heidag", "hei": "heidag", "retreat": "heidag",
    "training": "training",
    "bewonersavond": "bewonersavond", "residents": "bewonersavond",
    "inspiratie": "inspiratiebijeenkomst", "inspiratiebijeenkomst": "inspiratiebijeenkomst",
    "inspiration": "inspiratiebijeenkomst",
    "consultatie": "bewonersconsultatie", "bewonersconsultatie": "bewonersconsultatie",
    "consultation": "bewonersconsultatie",
}
TYPE_CHOICES = "vergadering, bestuur, heidag, training, bewonersavond, inspiratie, consultatie"



def register_messages() -> None:
    i18n.register(CATALOG)


# --------------------------------------------------------------------------------------------
# helpers

def _base(ctx: CommandContext) -> str:
    return f"/api/v1/councils/{ctx.council.slug}"


def _client(ctx: CommandContext) -> Any:
    return ctx.service("calendar")


def _shown(text: str) -> str:
    """Member-typed text in a message: one line, links and mentions inert."""
    return defang(one_line(text))


def _day(value: date, lang: str) -> str:
    return i18n.format_pattern(value, "EEE d MMM", lang)


def short_when(start: str, end: str, all_day: bool, lang: str) -> str:
    """"di 16 mrt 19:30–21:30", "vr 2 apr – za 3 apr"."""
    if all_day:
        first, last = date.fromisoformat(start[:10]), date.fromisoformat(end[:10])
        return _day(first, lang) if first == last else f"{_day(first, lang)} – {_day(last, lang)}"
    begin, finish = datetime.fromisoformat(start), datetime.fromisoformat(end)
    if begin.date() == finish.date():
        return f"{_day(begin.date(), lang)} {begin:%H:%M}–{finish:%H:%M}"
    return f"{_day(begin.date(), lang)} {begin:%H:%M} – {_day(finish.date(), lang)} {finish:%H:%M}"


def _number(word: str) -> int | None:
    match = NUMBER.match(word)
    return int(match[1]) if match else None


async def _resolve_poll(ctx: CommandContext, args: str) -> tuple[int, str]:
    """The poll meant: this thread's, ``#n`` in front, or the only open one."""
    if ctx.thread_key and (match := POLL_KEY.match(ctx.thread_key)):
        return int(match[1]), args
    if match := POLL_REF.match(args.strip()):
        return int(match[1]), match[2]
    polls = await _client(ctx).get(f"{_base(ctx)}/polls", params={"state": "open"}, lang=ctx.lang)
    if len(polls) == 1:
        return int(polls[0]["number"]), args
    if not polls:
        raise _Refusal(ctx.t("bot.calendar.poll.none_open"))
    numbers = [str(p["number"]) for p in polls]
    raise _Refusal(ctx.t("bot.calendar.poll.which", numbers=", ".join(numbers), first=numbers[0]))


class _Refusal(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def poll_summary(poll: dict[str, Any], ctx: CommandContext) -> Rich:
    rich = Rich().heading(ctx.t("bot.calendar.poll.summary.title", number=poll["number"], title=_shown(poll["title"])))
    rich.line(ctx.t("bot.calendar.poll.summary.quorum", quorum=poll["quorum"]))
    rows = []
    for option in poll["options"]:
        names = ", ".join(_shown(n) for n in option["names"]) or ctx.t("bot.calendar.poll.summary.nobody")
        row = ctx.t("bot.calendar.poll.summary.option", number=option["number"], when=option["label"], names=names,
                    count=option["count"])
        if option["quorum_met"]:
            row += " ✓ " + ctx.t("bot.calendar.poll.summary.quorum_met")
        rows.append(row)
    rich.items(rows)
    if poll["not_answered"]:
        rich.line(ctx.t("bot.calendar.poll.summary.not_answered",
                        names=", ".join(_shown(n) for n in poll["not_answered"])))
    if poll["closed"] and poll["fixed_option"]:
        rich.line(ctx.t("bot.calendar.poll.summary.closed", option=poll["fixed_option"]))
    elif not poll["quorum_met"]:
        rich.line(ctx.t("bot.calendar.poll.summary.no_quorum"))
    if poll["best"] and not poll["closed"]:
        rich.line(ctx.t("bot.calendar.poll.summary.best", numbers=", ".join(str(n) for n in poll["best"])))
    return rich


def poll_root(poll: dict[str, Any], ctx: CommandContext) -> Rich:
    rich = Rich().heading(ctx.t("bot.calendar.poll.root.title", number=poll["number"], title=_shown(poll["title"])))
    rich.items([f"{o['number']}. {o['label']}" for o in poll["options"]])
    rich.line(ctx.t("bot.calendar.poll.root.howto"))
    rich.line(ctx.t("bot.calendar.poll.root.fix"))
    return rich


# --------------------------------------------------------------------------------------------
# handlers

async def cmd_kalender(ctx: CommandContext, cmd: Command) -> Reply:
    client = _client(ctx)
    items = await client.get(f"{_base(ctx)}/events", params={"days": UPCOMING_DAYS, "limit": UPCOMING_LIMIT,
                                                             "member": ctx.sender}, lang=ctx.lang)
    heidag = await client.get(f"{_base(ctx)}/heidag", lang=ctx.lang)
    rich = Rich().heading(ctx.t("bot.calendar.kalender.title", council=ctx.council.name))
    if not items:
        rich.line(ctx.t("bot.calendar.kalender.empty", days=UPCOMING_DAYS))
    lines = []
    for item in items:
        parts = [f"{item['number']}. {short_when(item['start'], item['end'], item['all_day'], ctx.lang)}",
                 f"{item['type_label']}: {_shown(item['title'])}"]
        if item["cancelled"]:
            parts.append(ctx.t("bot.calendar.kalender.cancelled"))
        else:
            if item.get("location"):
                parts.append("📍 " + _shown(item["location"]))
            if item.get("moved_from"):
                moved = item["moved_from"]
                parts.append(ctx.t("bot.calendar.kalender.moved", when=_day(date.fromisoformat(moved[:10]), ctx.lang)
                                   + (f" {moved[11:16]}" if not item["all_day"] else "")))
            if item["capacity"]:
                left = item.get("places_left")
                if left is None:
                    left = max(0, item["capacity"] - item["places"])
                if left:
                    parts.append(ctx.t("bot.calendar.kalender.places", left=left, capacity=item["capacity"]))
                else:
                    parts.append(ctx.t("bot.calendar.kalender.full", capacity=item["capacity"]))
                if item["waiting"]:
                    parts.append(ctx.t("bot.calendar.kalender.waiting", count=item["waiting"]))
            if item.get("resident_places_left") is not None and item.get("resident_capacity"):
                # Opened for residents' sign-up (the public page): their places, apart from the members'.
                if item["resident_places_left"]:
                    parts.append(ctx.t("bot.calendar.kalender.residents", left=item["resident_places_left"],
                                       capacity=item["resident_capacity"]))
                else:
                    parts.append(ctx.t("bot.calendar.kalender.residents_full"))
            if item.get("agenda"):
                parts.append(ctx.t("bot.calendar.kalender.agenda", text=_shown(item["agenda"])))
            if item.get("minutes"):
                parts.append(ctx.t("bot.calendar.kalender.minutes", text=_shown(item["minutes"])))
            if item["answer"] and item["type"] not in ("adviesdeadline", "realisatietoets"):
                parts.append(ctx.t("bot.calendar.kalender.you", answer=item["answer_label"]))
        lines.append(" · ".join(parts))
    rich.items(lines)
    if heidag.get("warn") and heidag.get("message"):
        rich.line("")
        rich.line(heidag["message"], bold="⚠")
    rich.line("")
    rich.line(ctx.t("bot.calendar.kalender.footer"))
    return Reply.rich(rich)


async def _rsvp(ctx: CommandContext, cmd: Command, answer: str) -> Reply:
    words = cmd.arg_words
    number = _number(words[0]) if words else None
    if number is None:
        return Reply(body=ctx.t("bot.calendar.rsvp.usage"))
    day = " ".join(words[1:]) or None
    result = await _client(ctx).post(f"{_base(ctx)}/events/{number}/rsvp",
                                     json={"member": ctx.sender, "answer": answer, "day": day},
                                     idempotency_key=ctx.event_id, lang=ctx.lang)
    return Reply(body=ctx.t("bot.calendar.rsvp.done", message=result["message"], title=_shown(result["title"]),
                            when=result["when"]))


async def cmd_aanwezig(ctx: CommandContext, cmd: Command) -> Reply:
    return await _rsvp(ctx, cmd, "aanwezig")


async def cmd_afwezig(ctx: CommandContext, cmd: Command) -> Reply:
    return await _rsvp(ctx, cmd, "afwezig")


async def cmd_datumprikker(ctx: CommandContext, cmd: Command) -> Reply:
    if not cmd.args:
        return Reply(body=ctx.t("bot.calendar.poll.usage"))
    poll = await _client(ctx).post(f"{_base(ctx)}/polls", json={"text": cmd.args, "created_by": ctx.sender},
                                   idempotency_key=ctx.event_id, lang=ctx.lang)
    return Reply.rich(poll_root(poll, ctx), new_thread_key=poll["thread_key"])


async def cmd_kan(ctx: CommandContext, cmd: Command) -> Reply:
    try:
        number, rest = await _resolve_poll(ctx, cmd.args)
    except _Refusal as refusal:
        return Reply(body=refusal.text)
    if not rest.strip():
        return Reply(body=ctx.t("bot.calendar.poll.usage_kan"))
    poll = await _client(ctx).post(f"{_base(ctx)}/polls/{number}/answers",
                                   json={"member": ctx.sender, "text": rest.strip()},
                                   idempotency_key=ctx.event_id, lang=ctx.lang)
    return Reply.rich(poll_summary(poll, ctx))


async def cmd_vastleggen(ctx: CommandContext, cmd: Command) -> Reply:
    try:
        number, rest = await _resolve_poll(ctx, cmd.args)
    except _Refusal as refusal:
        return Reply(body=refusal.text)
    words = rest.split()
    option = _number(words[0]) if len(words) == 1 else None
    if option is None:
        return Reply(body=ctx.t("bot.calendar.poll.usage_fix"))
    result = await _client(ctx).post(f"{_base(ctx)}/polls/{number}/fix",
                                     json={"option": option, "actor": ctx.sender},
                                     idempotency_key=ctx.event_id, lang=ctx.lang)
    event = result["event"]
    return Reply(body=ctx.t("bot.calendar.poll.fixed", title=_shown(event["title"]), number=event["number"],
                            when=short_when(event["start"], event["end"], event["all_day"], ctx.lang)))


async def cmd_feed(ctx: CommandContext, cmd: Command) -> list[Reply]:
    rotate = bool(cmd.arg_words) and cmd.arg_words[0].lower() in ROTATE_WORDS
    # The idempotency key keeps a replayed "!feed nieuw" (after a crash) from rotating twice.
    link = await _client(ctx).post(f"{_base(ctx)}/feeds",
                                   json={"kind": "member", "member": ctx.sender, "rotate": rotate},
                                   idempotency_key=ctx.event_id, lang=ctx.lang)
    intro = ctx.t("bot.calendar.feed.intro", council=ctx.council.name)
    howto, secret = ctx.t("bot.calendar.feed.howto"), ctx.t("bot.calendar.feed.secret")
    lines = [intro, link["webcal"], howto, link["url"], secret]
    html = (f"{esc(intro)}<br><a href=\"{esc(link['webcal'])}\">{esc(link['webcal'])}</a><br>{esc(howto)}<br>"
            f"<a href=\"{esc(link['url'])}\">{esc(link['url'])}</a><br>{esc(secret)}")
    if rotate:
        lines.append(ctx.t("bot.calendar.feed.rotated"))
        html += "<br>" + esc(ctx.t("bot.calendar.feed.rotated"))
    # The link is a secret: it goes only to the member, never into the group room.
    private = Reply(body="\n".join(lines), html=html, dm_to=ctx.sender,
                    key_suffix=f"feed-{link['generation']}")
    return [private, Reply(body=ctx.t("bot.calendar.feed.sent"))]


def activity_options(text: str) -> tuple[str, int | None, str | None]:
    """``"Media 12-3 19:30 plaatsen=12 plaats=Wijkcentrum De Esch"`` → the title and date, the
    capacity and the location. ``plaats=`` takes the words after it up to the next option (a
    location has spaces); quotes around it are dropped."""
    capacity: int | None = None
    location: list[str] | None = None
    kept: list[str] = []
    for token in text.split(" "):
        word = token.strip()
        if match := CAPACITY.match(word):
            capacity = int(match[1])
            if location is not None and not location:
                location = None
            continue
        if match := LOCATION.match(word):
            location = [match[1]] if match[1] else []
            continue
        if location is not None and (location or word):
            location.append(token)
        elif location is None:
            kept.append(token)
    place = " ".join(location).strip().strip('"“”\'') if location else None
    return " ".join(kept).strip(), capacity, place or None


async def cmd_activiteit(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.args.split(maxsplit=1)
    etype = TYPE_WORDS.get(words[0].lower()) if words else None
    if etype is None or len(words) < 2:
        return Reply(body=ctx.t("bot.calendar.activiteit.usage", types=TYPE_CHOICES))
    text, capacity, location = activity_options(words[1])
    body: dict[str, Any] = {"type": etype, "text": text, "announce": True}
    if capacity is not None:
        body["capacity"] = capacity
    if location:
        body["location"] = location
    event = await _client(ctx).post(f"{_base(ctx)}/events/from-text", json=body, idempotency_key=ctx.event_id,
                                    lang=ctx.lang)
    answer = ctx.t("bot.calendar.activiteit.done", number=event["number"], title=_shown(event["title"]),
                   when=short_when(event["start"], event["end"], event["all_day"], ctx.lang))
    if event.get("location"):
        answer += " " + ctx.t("bot.calendar.activiteit.location", location=_shown(event["location"]))
    return Reply(body=answer)


async def cmd_verplaats(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.arg_words
    number = _number(words[0]) if words else None
    rest = " ".join(words[1:])
    if number is None or len(words) < 3:
        return Reply(body=ctx.t("bot.calendar.verplaats.usage"))
    moved = await _client(ctx).post(f"{_base(ctx)}/events/{number}/move", json={"text": rest, "announce": True},
                                    idempotency_key=ctx.event_id, lang=ctx.lang)
    event = moved["event"]
    return Reply(body=ctx.t("bot.calendar.verplaats.done", title=_shown(event["title"]),
                            old=short_when(moved["from_start"], moved["from_end"], event["all_day"], ctx.lang),
                            new=short_when(moved["start"], moved["end"], event["all_day"], ctx.lang)))


async def _notes(ctx: CommandContext, cmd: Command, kind: str, command: str) -> Reply:
    words = cmd.args.split(maxsplit=1)
    number = _number(words[0]) if words else None
    if number is None or len(words) < 2 or not words[1].strip():
        return Reply(body=ctx.t("bot.calendar.notes.usage", command=command))
    event = await _client(ctx).post(f"{_base(ctx)}/events/{number}/notes",
                                    json={"text": words[1].strip(), "kind": kind, "announce": True},
                                    idempotency_key=ctx.event_id, lang=ctx.lang)
    key = "minutes" if kind == "minutes" else "agenda"
    noted = next((n for n in reversed(event.get("notes", [])) if n.get(key)), None)
    day = noted["day"] if noted and noted.get("day") else None
    when = _day(date.fromisoformat(day), ctx.lang) if day else short_when(event["start"], event["end"],
                                                                           event["all_day"], ctx.lang)
    return Reply(body=ctx.t(f"bot.calendar.notes.{key}_done", title=_shown(event["title"]), when=when))


async def cmd_vergaderagenda(ctx: CommandContext, cmd: Command) -> Reply:
    return await _notes(ctx, cmd, "agenda", "vergaderagenda")


async def cmd_verslag(ctx: CommandContext, cmd: Command) -> Reply:
    return await _notes(ctx, cmd, "minutes", "verslag")


async def cmd_afgelast(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.arg_words
    number = _number(words[0]) if words else None
    if number is None:
        return Reply(body=ctx.t("bot.calendar.afgelast.usage"))
    day = " ".join(words[1:]) or None
    event = await _client(ctx).post(f"{_base(ctx)}/events/{number}/cancel", json={"day": day, "announce": True},
                                    idempotency_key=ctx.event_id, lang=ctx.lang)
    return Reply(body=ctx.t("bot.calendar.afgelast.done", title=_shown(event["title"]),
                            day=f" ({day})" if day else ""))


def _training_rows(entries: list[dict[str, Any]], ctx: CommandContext) -> list[str]:
    rows = []
    for entry in entries:
        row = f"{_day(date.fromisoformat(entry['day']), ctx.lang)} – {_shown(entry['title'])}"
        if not entry["confirmed"]:
            row += f" ({ctx.t('bot.calendar.trainingen.unconfirmed')})"
        rows.append(row)
    return rows


async def cmd_trainingen(ctx: CommandContext, cmd: Command) -> Reply:
    words = [w.lower() for w in cmd.arg_words]
    if words and words[0] in EVERYONE_WORDS:
        return await _everyones_trainings(ctx)
    if words:
        return Reply(body=ctx.t("bot.calendar.trainingen.usage"))
    record = await _client(ctx).get(f"{_base(ctx)}/training-record", params={"member": ctx.sender}, lang=ctx.lang)
    rich = Rich().heading(ctx.t("bot.calendar.trainingen.title"))
    if not record["entries"]:
        rich.line(ctx.t("bot.calendar.trainingen.empty"))
    rich.items(_training_rows(record["entries"], ctx))
    if ctx.is_secretary:
        rich.line(ctx.t("bot.calendar.trainingen.everyone_hint"))
    return Reply.rich(rich)


async def _everyones_trainings(ctx: CommandContext) -> Reply:
    """The secretary's view: what each member followed, confirmed or only announced."""
    if not ctx.is_secretary:
        return Reply(body=ctx.t("bot.calendar.trainingen.everyone_secretary"))
    result = await _client(ctx).get(f"{_base(ctx)}/training-records", lang=ctx.lang)
    rich = Rich().heading(ctx.t("bot.calendar.trainingen.everyone_title", council=ctx.council.name))
    rows = []
    for record in result["records"]:
        who = _shown(record.get("name") or record["member"])
        done = "; ".join(_training_rows(record["entries"], ctx)) or ctx.t("bot.calendar.trainingen.none")
        rows.append(f"{who}: {done}")
    if not rows:
        rich.line(ctx.t("bot.calendar.trainingen.nobody"))
    rich.items(rows)
    return Reply.rich(rich)


# --------------------------------------------------------------------------------------------
# attendance (the secretary)

async def _event_of_thread(ctx: CommandContext) -> int | None:
    """In an event's announcement thread, that event's number."""
    match = EVENT_KEY.match(ctx.thread_key or "")
    if match is None:
        return None
    event = await _client(ctx).get(f"{_base(ctx)}/events/by-uid/{quote(match['uid'], safe='')}", lang=ctx.lang)
    return int(event["number"])


def _names(ids: list[str], names: dict[str, str]) -> str:
    shown = sorted((_shown(names.get(m) or m) for m in ids), key=str.lower)
    return ", ".join(shown)


def _chat_day(day: str) -> str:
    d = date.fromisoformat(day)
    return f"{d.day}-{d.month}-{d.year}"


def attendance_overview(att: dict[str, Any], ctx: CommandContext) -> Rich:
    names = att.get("names") or {}
    rich = Rich().heading(ctx.t("bot.calendar.aanwezigheid.title", number=att["number"], title=_shown(att["title"]),
                                when=att["when"]))
    rows = []
    for key, ids in (("coming", att["places"]), ("waiting", att["waiting"]), ("not_coming", att["not_coming"]),
                     ("silent", att["not_answered"])):
        if ids:
            rows.append(ctx.t(f"bot.calendar.aanwezigheid.{key}", names=_names(ids, names), count=len(ids)))
    if not rows:
        rows.append(ctx.t("bot.calendar.aanwezigheid.no_answers"))
    rich.items(rows)
    confirmed = att.get("confirmed")
    if confirmed is not None:
        rich.line(ctx.t("bot.calendar.aanwezigheid.confirmed", names=_names(confirmed, names) or
                        ctx.t("bot.calendar.aanwezigheid.nobody"), count=len(confirmed)))
    day = _chat_day(att["day"])
    how = "howto" if att.get("begun") else "howto_later"
    rich.line(ctx.t(f"bot.calendar.aanwezigheid.{how}", number=att["number"], day=day))
    return rich


async def cmd_aanwezigheid(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.arg_words
    number = _number(words[0]) if words else None
    rest = words[1:]
    if number is None:
        number = await _event_of_thread(ctx)  # in the event's thread the number may be left out
        rest = words
    if number is None:
        return Reply(body=ctx.t("bot.calendar.aanwezigheid.usage"))
    client = _client(ctx)
    path = f"{_base(ctx)}/events/{number}/attendance"
    text = " ".join(rest)
    if not text:
        att = await client.get(path, params={"begun": "true"}, lang=ctx.lang)
        return Reply.rich(attendance_overview(att, ctx))
    try:
        att = await client.post(path, json={"text": text}, idempotency_key=ctx.event_id, lang=ctx.lang)
    except ServiceError as exc:
        if exc.code != "cal.attendance.no_names":
            raise
        # Only a day: the overview of that meeting.
        att = await client.get(path, params={"begun": "true", "day": text[:60]}, lang=ctx.lang)
        return Reply.rich(attendance_overview(att, ctx))
    names = att.get("names") or {}
    present = att["confirmed"] or []
    absent = [m for m in names if m not in present]
    done = "done" if present else "done_nobody"
    rich = Rich().line(ctx.t(f"bot.calendar.aanwezigheid.{done}", title=_shown(att["title"]), when=att["when"],
                             names=_names(present, names), count=len(present)))
    if absent:
        rich.line(ctx.t("bot.calendar.aanwezigheid.absent", names=_names(absent, names)))
    rich.line(ctx.t("bot.calendar.aanwezigheid.again", number=number, day=_chat_day(att["day"])))
    return Reply.rich(rich)


COMMANDS = [
    CommandSpec("kalender", cmd_kalender, "kalender", "bot.calendar.cmd.kalender",
                english_aliases=("calendar",)),
    CommandSpec("aanwezig", cmd_aanwezig, "kalender", "bot.calendar.cmd.aanwezig",
                usage="<nr> [datum]", english_aliases=("attend",)),
    CommandSpec("afwezig", cmd_afwezig, "kalender", "bot.calendar.cmd.afwezig",
                usage="<nr> [datum]", english_aliases=("decline",)),
    CommandSpec("datumprikker", cmd_datumprikker, "kalender", "bot.calendar.cmd.datumprikker",
                usage="<titel> <datum> <datum> …", english_aliases=("datepoll",)),
    CommandSpec("kan", cmd_kan, "kalender", "bot.calendar.cmd.kan",
                usage="<optie-nrs>", english_aliases=("can",)),
    CommandSpec("vastleggen", cmd_vastleggen, "kalender", "bot.calendar.cmd.vastleggen",
                usage="<optie-nr>", english_aliases=("fix",)),
    CommandSpec("feed", cmd_feed, "kalender", "bot.calendar.cmd.feed",
                usage="[nieuw]"),
    CommandSpec("trainingen", cmd_trainingen, "kalender", "bot.calendar.cmd.trainingen",
                usage="[iedereen]", english_aliases=("trainings",)),
    CommandSpec("aanwezigheid", cmd_aanwezigheid, "kalender", "bot.calendar.cmd.aanwezigheid",
                usage="<nr> [datum] [@naam …]", english_aliases=("attendance",), secretary_only=True),
    CommandSpec("activiteit", cmd_activiteit, "kalender", "bot.calendar.cmd.activiteit",
                usage="<soort> <titel> <datum> [tijd] [plaatsen=<n>] [plaats=<locatie>]", english_aliases=("event",),
                secretary_only=True),
    CommandSpec("verplaats", cmd_verplaats, "kalender", "bot.calendar.cmd.verplaats",
                usage="<nr> <datum> <nieuwe datum> [tijd]", english_aliases=("move",), secretary_only=True),
    CommandSpec("afgelast", cmd_afgelast, "kalender", "bot.calendar.cmd.afgelast",
                usage="<nr> [datum]", english_aliases=("calloff",), secretary_only=True),
    CommandSpec("vergaderagenda", cmd_vergaderagenda, "kalender", "bot.calendar.cmd.vergaderagenda",
                usage="<nr> [datum] <link of tekst>", english_aliases=("meetingagenda",), secretary_only=True),
    CommandSpec("verslag", cmd_verslag, "kalender", "bot.calendar.cmd.verslag",
                usage="<nr> [datum] <link of tekst>", english_aliases=("minutes",), secretary_only=True),
]
