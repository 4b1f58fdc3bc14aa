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

from babel.dates import format_date

from services.bot.commands import Command, CommandSpec
from services.bot.context import CommandContext, Reply
from services.calendar.domain.messages import CATALOG as CALENDAR_CATALOG
from shared import i18n
from shared.formatting import Rich, defang, esc, one_line

POLL_KEY = re.compile(r"^calendar:poll:(\d{1,9})$")
POLL_REF = re.compile(r"^#(\d{1,9})\b\s*(.*)$", re.DOTALL)
NUMBER = re.compile(r"^#?(\d{1,9})$")
CAPACITY = re.compile(r"^(?:plaatsen|max|places|capacity)=(\d{1,4})$", re.IGNORECASE)
# plaats=<locatie>: the rest of the command, up to another option (plaatsen=12), is the place.
LOCATION = re.compile(r"^(?:plaats|locatie|location|place|where)=(.*)$", re.IGNORECASE | re.DOTALL)
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

CATALOG = {
    "nl": {
        "calbot.cmd.kalender": "wat er de komende tijd gepland staat, genummerd",
        "calbot.cmd.aanwezig": "meld je aan voor afspraak <nr> (bij een reeks: de volgende, of geef een datum)",
        "calbot.cmd.afwezig": "meld je af voor afspraak <nr> (bij een reeks: de volgende, of geef een datum)",
        "calbot.cmd.datumprikker": "zoek samen een datum: iedereen zegt welke opties hij kan",
        "calbot.cmd.kan": "zeg welke opties van de datumprikker je kunt (in de draad ervan)",
        "calbot.cmd.vastleggen": "leg de gekozen optie van de datumprikker vast als afspraak",
        "calbot.cmd.feed": "je eigen kalenderlink, in een privébericht (met 'nieuw': een nieuwe link)",
        "calbot.cmd.activiteit": "zet een afspraak in de kalender (bv. !activiteit training Media 12-3 19:30-21:30 plaatsen=12 "
                                  "plaats=Wijkcentrum De Esch)",
        "calbot.cmd.afgelast": "zeg afspraak <nr> af (bij een reeks met datum: alleen die keer)",
        "calbot.cmd.verplaats": "verplaats één bijeenkomst naar een andere dag of tijd (bv. !verplaats 4 16-3 17-3 20:00); "
                                "aanmeldingen en herinneringen gaan mee",
        "calbot.cmd.vergaderagenda": "zet de agenda bij een bijeenkomst: een link of korte tekst "
                                     "(bv. !vergaderagenda 4 16-3 https://…)",
        "calbot.cmd.verslag": "zet na afloop het verslag bij een bijeenkomst: een link of korte tekst",
        "calbot.cmd.trainingen": "de trainingen die je gevolgd hebt",
        "calbot.kalender.title": "Wat er aan komt – {council}",
        "calbot.kalender.empty": "Er staat de komende {days} dagen niets in de kalender.",
        "calbot.kalender.footer": "Aanmelden of afmelden: !aanwezig <nr> of !afwezig <nr>. "
                                  "Je eigen kalender in je agenda-app: !feed.",
        "calbot.kalender.cancelled": "vervallen",
        "calbot.kalender.you": "jij: {answer}",
        "calbot.kalender.places": "nog {left} van {capacity} plaatsen vrij",
        "calbot.kalender.full": "vol ({capacity} plaatsen)",
        "calbot.kalender.moved": "verplaatst, was {when}",
        "calbot.kalender.agenda": "agenda: {text}",
        "calbot.kalender.minutes": "verslag: {text}",
        "calbot.kalender.waiting": "{count} op de wachtlijst",
        "calbot.rsvp.usage": "Zo werkt het: !aanwezig <nr> of !afwezig <nr>, bij een reeks eventueel "
                             "met een datum (!afwezig 4 23-3). De nummers zie je met !kalender.",
        "calbot.rsvp.done": "{message} ({title}, {when})",
        "calbot.poll.usage_kan": "Zo werkt het: !kan 1 3 in de draad van de datumprikker, of elders "
                                 "!kan #<nummer van de datumprikker> 1 3.",
        "calbot.poll.usage_fix": "Zo werkt het: !vastleggen <optie> in de draad van de datumprikker, "
                                 "of elders !vastleggen #<nummer van de datumprikker> <optie>.",
        "calbot.poll.fixed": "Vastgelegd: {title}, {when}. Dit is nu afspraak {number} en staat in "
                             "de kalender.",
        "calbot.feed.intro": "Je persoonlijke kalender van {council}: je afspraken, met wat je "
                             "geantwoord hebt.",
        "calbot.feed.howto": "Abonneer je erop in je agenda-app (Outlook, Google, Apple of "
                             "Nextcloud). Lukt het niet met de webcal-link, gebruik dan deze:",
        "calbot.feed.secret": "Deel deze link met niemand: wie hem heeft, ziet je afspraken. "
                              "Een nieuwe link (de oude werkt dan niet meer): !feed nieuw.",
        "calbot.feed.rotated": "Dit is een nieuwe link; de vorige werkt niet meer.",
        "calbot.feed.sent": "Ik heb je een privébericht gestuurd.",
        "calbot.activiteit.usage": "Zo werkt het: !activiteit <soort> <titel> <datum> [tijd], "
                                   "bijvoorbeeld !activiteit training Omgaan met media 12-3 19:30-21:30 "
                                   "plaatsen=12 plaats=Wijkcentrum De Esch. Soorten: {types}.",
        "calbot.activiteit.done": "Afspraak {number} staat in de kalender: {title}, {when}.",
        "calbot.afgelast.usage": "Zo werkt het: !afgelast <nr>, of bij een reeks !afgelast <nr> <datum> "
                                 "voor één keer.",
        "calbot.afgelast.done": "Afgelast: {title}{day}. Het staat zo in de kalender.",
        "calbot.activiteit.location": "Locatie: {location}",
        "calbot.verplaats.usage": "Zo werkt het: !verplaats <nr> <datum> <nieuwe datum> [tijd], bijvoorbeeld "
                                  "!verplaats 4 16-3 17-3 20:00. Zonder tijd blijft de tijd hetzelfde.",
        "calbot.verplaats.done": "Verplaatst: {title}, {old} → {new}. Aanmeldingen en herinneringen gaan mee; "
                                 "het staat zo in de kalender.",
        "calbot.notes.usage": "Zo werkt het: !{command} <nr> [datum] <link of korte tekst>, bijvoorbeeld "
                              "!{command} 4 16-3 https://…",
        "calbot.notes.agenda_done": "De agenda staat bij {title} ({when}).",
        "calbot.notes.minutes_done": "Het verslag staat bij {title} ({when}).",
        "calbot.trainingen.title": "Jouw trainingen",
        "calbot.trainingen.empty": "Er staan nog geen trainingen op je naam.",
        "calbot.trainingen.unconfirmed": "nog niet bevestigd door de secretaris",
    },
    "en": {
        "calbot.cmd.kalender": "what is planned for the coming weeks, numbered",
        "calbot.cmd.aanwezig": "say you'll come to event <nr> (a series: its next meeting, or give a date)",
        "calbot.cmd.afwezig": "say you won't come to event <nr> (a series: its next meeting, or give a date)",
        "calbot.cmd.datumprikker": "find a date together: everyone says which options they can make",
        "calbot.cmd.kan": "say which options of the date poll you can make (in its thread)",
        "calbot.cmd.vastleggen": "fix the chosen option of the date poll as an event",
        "calbot.cmd.feed": "your own calendar link, in a direct message (with 'new': a new link)",
        "calbot.cmd.activiteit": "put an event in the calendar (e.g. !event training Media 12-3 19:30-21:30 places=12 "
                                  "place=Community centre De Esch)",
        "calbot.cmd.afgelast": "cancel event <nr> (a series with a date: only that meeting)",
        "calbot.cmd.verplaats": "move one meeting to another day or time (e.g. !move 4 16-3 17-3 20:00); "
                                "answers and reminders move with it",
        "calbot.cmd.vergaderagenda": "attach the agenda to a meeting: a link or a short text "
                                     "(e.g. !meetingagenda 4 16-3 https://…)",
        "calbot.cmd.verslag": "attach the minutes to a meeting afterwards: a link or a short text",
        "calbot.cmd.trainingen": "the trainings you attended",
        "calbot.kalender.title": "Coming up – {council}",
        "calbot.kalender.empty": "Nothing is planned for the next {days} days.",
        "calbot.kalender.footer": "Coming or not: !aanwezig <nr> or !afwezig <nr>. "
                                  "Your own calendar in your calendar app: !feed.",
        "calbot.kalender.cancelled": "cancelled",
        "calbot.kalender.you": "you: {answer}",
        "calbot.kalender.places": "{left} of {capacity} places left",
        "calbot.kalender.full": "full ({capacity} places)",
        "calbot.kalender.moved": "moved, was {when}",
        "calbot.kalender.agenda": "agenda: {text}",
        "calbot.kalender.minutes": "minutes: {text}",
        "calbot.kalender.waiting": "{count} on the waiting list",
        "calbot.rsvp.usage": "Usage: !attend <nr> or !decline <nr>, for a series optionally with a "
                             "date (!decline 4 23-3). !calendar shows the numbers.",
        "calbot.rsvp.done": "{message} ({title}, {when})",
        "calbot.poll.usage_kan": "Usage: !can 1 3 in the date poll's thread, or elsewhere "
                                 "!can #<poll number> 1 3.",
        "calbot.poll.usage_fix": "Usage: !fix <option> in the date poll's thread, or elsewhere "
                                 "!fix #<poll number> <option>.",
        "calbot.poll.fixed": "Fixed: {title}, {when}. This is now event {number}, in the calendar.",
        "calbot.feed.intro": "Your personal calendar of {council}: your events, with your answers.",
        "calbot.feed.howto": "Subscribe to it in your calendar app (Outlook, Google, Apple or "
                             "Nextcloud). If the webcal link does not work, use this one:",
        "calbot.feed.secret": "Don't share this link: whoever has it sees your events. "
                              "A new link (the old one stops working): !feed new.",
        "calbot.feed.rotated": "This is a new link; the previous one no longer works.",
        "calbot.feed.sent": "I sent you a direct message.",
        "calbot.activiteit.usage": "Usage: !event <kind> <title> <date> [time], e.g. "
                                   "!event training Dealing with media 12-3 19:30-21:30 places=12 place=De Esch. "
                                   "Kinds: {types}.",
        "calbot.activiteit.done": "Event {number} is in the calendar: {title}, {when}.",
        "calbot.afgelast.usage": "Usage: !calloff <nr>, or for a series !calloff <nr> <date> for one "
                                 "meeting.",
        "calbot.afgelast.done": "Cancelled: {title}{day}. The calendar shows it.",
        "calbot.activiteit.location": "Location: {location}",
        "calbot.verplaats.usage": "Usage: !move <nr> <date> <new date> [time], e.g. !move 4 16-3 17-3 20:00. "
                                  "Without a time the time stays the same.",
        "calbot.verplaats.done": "Moved: {title}, {old} → {new}. Answers and reminders move with it; "
                                 "the calendar shows it.",
        "calbot.notes.usage": "Usage: !{command} <nr> [date] <link or short text>, e.g. !{command} 4 16-3 https://…",
        "calbot.notes.agenda_done": "The agenda is attached to {title} ({when}).",
        "calbot.notes.minutes_done": "The minutes are attached to {title} ({when}).",
        "calbot.trainingen.title": "Your trainings",
        "calbot.trainingen.empty": "No trainings on your record yet.",
        "calbot.trainingen.unconfirmed": "not confirmed by the secretary yet",
    },
}


def register_messages() -> None:
    # The calendar's own texts too: its refusals arrive as codes and are shown in the member's language.
    i18n.register(CALENDAR_CATALOG)
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


def _locale(lang: str) -> str:
    return "en_GB" if lang == "en" else "nl_NL"


def _day(value: date, lang: str) -> str:
    return format_date(value, format="EEE d MMM", locale=_locale(lang)).replace(".", "")


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
        raise _Refusal(ctx.t("cal.poll.none_open"))
    numbers = [str(p["number"]) for p in polls]
    raise _Refusal(ctx.t("cal.poll.which", numbers=", ".join(numbers), first=numbers[0]))


class _Refusal(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def poll_summary(poll: dict[str, Any], ctx: CommandContext) -> Rich:
    rich = Rich().heading(ctx.t("cal.poll.summary.title", number=poll["number"], title=_shown(poll["title"])))
    rich.line(ctx.t("cal.poll.summary.quorum", quorum=poll["quorum"]))
    rows = []
    for option in poll["options"]:
        names = ", ".join(_shown(n) for n in option["names"]) or ctx.t("cal.poll.summary.nobody")
        row = ctx.t("cal.poll.summary.option", number=option["number"], when=option["label"], names=names,
                    count=option["count"])
        if option["quorum_met"]:
            row += " ✓ " + ctx.t("cal.poll.summary.quorum_met")
        rows.append(row)
    rich.items(rows)
    if poll["not_answered"]:
        rich.line(ctx.t("cal.poll.summary.not_answered", names=", ".join(_shown(n) for n in poll["not_answered"])))
    if poll["closed"] and poll["fixed_option"]:
        rich.line(ctx.t("cal.poll.summary.closed", option=poll["fixed_option"]))
    elif not poll["quorum_met"]:
        rich.line(ctx.t("cal.poll.summary.no_quorum"))
    if poll["best"] and not poll["closed"]:
        rich.line(ctx.t("cal.poll.summary.best", numbers=", ".join(str(n) for n in poll["best"])))
    return rich


def poll_root(poll: dict[str, Any], ctx: CommandContext) -> Rich:
    rich = Rich().heading(ctx.t("cal.poll.root.title", number=poll["number"], title=_shown(poll["title"])))
    rich.items([f"{o['number']}. {o['label']}" for o in poll["options"]])
    rich.line(ctx.t("cal.poll.root.howto"))
    rich.line(ctx.t("cal.poll.root.fix"))
    return rich


# --------------------------------------------------------------------------------------------
# handlers

async def kalender(ctx: CommandContext, cmd: Command) -> Reply:
    client = _client(ctx)
    items = await client.get(f"{_base(ctx)}/events", params={"days": UPCOMING_DAYS, "limit": UPCOMING_LIMIT,
                                                             "member": ctx.sender}, lang=ctx.lang)
    heidag = await client.get(f"{_base(ctx)}/heidag", lang=ctx.lang)
    rich = Rich().heading(ctx.t("calbot.kalender.title", council=ctx.council.name))
    if not items:
        rich.line(ctx.t("calbot.kalender.empty", days=UPCOMING_DAYS))
    lines = []
    for item in items:
        parts = [f"{item['number']}. {short_when(item['start'], item['end'], item['all_day'], ctx.lang)}",
                 f"{item['type_label']}: {_shown(item['title'])}"]
        if item["cancelled"]:
            parts.append(ctx.t("calbot.kalender.cancelled"))
        else:
            if item.get("location"):
                parts.append("📍 " + _shown(item["location"]))
            if item.get("moved_from"):
                moved = item["moved_from"]
                parts.append(ctx.t("calbot.kalender.moved", when=_day(date.fromisoformat(moved[:10]), ctx.lang)
                                   + (f" {moved[11:16]}" if not item["all_day"] else "")))
            if item["capacity"]:
                left = item.get("places_left")
                if left is None:
                    left = max(0, item["capacity"] - item["places"])
                if left:
                    parts.append(ctx.t("calbot.kalender.places", left=left, capacity=item["capacity"]))
                else:
                    parts.append(ctx.t("calbot.kalender.full", capacity=item["capacity"]))
                if item["waiting"]:
                    parts.append(ctx.t("calbot.kalender.waiting", count=item["waiting"]))
            if item.get("agenda"):
                parts.append(ctx.t("calbot.kalender.agenda", text=_shown(item["agenda"])))
            if item.get("minutes"):
                parts.append(ctx.t("calbot.kalender.minutes", text=_shown(item["minutes"])))
            if item["answer"] and item["type"] not in ("adviesdeadline", "realisatietoets"):
                parts.append(ctx.t("calbot.kalender.you", answer=item["answer_label"]))
        lines.append(" · ".join(parts))
    rich.items(lines)
    if heidag.get("warn") and heidag.get("message"):
        rich.line("")
        rich.line(heidag["message"], bold="⚠")
    rich.line("")
    rich.line(ctx.t("calbot.kalender.footer"))
    return Reply.rich(rich)


async def _rsvp(ctx: CommandContext, cmd: Command, answer: str) -> Reply:
    words = cmd.arg_words
    number = _number(words[0]) if words else None
    if number is None:
        return Reply(body=ctx.t("calbot.rsvp.usage"))
    day = " ".join(words[1:]) or None
    result = await _client(ctx).post(f"{_base(ctx)}/events/{number}/rsvp",
                                     json={"member": ctx.sender, "answer": answer, "day": day},
                                     idempotency_key=ctx.event_id, lang=ctx.lang)
    return Reply(body=ctx.t("calbot.rsvp.done", message=result["message"], title=_shown(result["title"]),
                            when=result["when"]))


async def aanwezig(ctx: CommandContext, cmd: Command) -> Reply:
    return await _rsvp(ctx, cmd, "aanwezig")


async def afwezig(ctx: CommandContext, cmd: Command) -> Reply:
    return await _rsvp(ctx, cmd, "afwezig")


async def datumprikker(ctx: CommandContext, cmd: Command) -> Reply:
    if not cmd.args:
        return Reply(body=ctx.t("cal.poll.usage"))
    poll = await _client(ctx).post(f"{_base(ctx)}/polls", json={"text": cmd.args, "created_by": ctx.sender},
                                   idempotency_key=ctx.event_id, lang=ctx.lang)
    return Reply.rich(poll_root(poll, ctx), new_thread_key=poll["thread_key"])


async def kan(ctx: CommandContext, cmd: Command) -> Reply:
    try:
        number, rest = await _resolve_poll(ctx, cmd.args)
    except _Refusal as refusal:
        return Reply(body=refusal.text)
    if not rest.strip():
        return Reply(body=ctx.t("calbot.poll.usage_kan"))
    poll = await _client(ctx).post(f"{_base(ctx)}/polls/{number}/answers",
                                   json={"member": ctx.sender, "text": rest.strip()},
                                   idempotency_key=ctx.event_id, lang=ctx.lang)
    return Reply.rich(poll_summary(poll, ctx))


async def vastleggen(ctx: CommandContext, cmd: Command) -> Reply:
    try:
        number, rest = await _resolve_poll(ctx, cmd.args)
    except _Refusal as refusal:
        return Reply(body=refusal.text)
    words = rest.split()
    option = _number(words[0]) if len(words) == 1 else None
    if option is None:
        return Reply(body=ctx.t("calbot.poll.usage_fix"))
    result = await _client(ctx).post(f"{_base(ctx)}/polls/{number}/fix",
                                     json={"option": option, "actor": ctx.sender},
                                     idempotency_key=ctx.event_id, lang=ctx.lang)
    event = result["event"]
    return Reply(body=ctx.t("calbot.poll.fixed", title=_shown(event["title"]), number=event["number"],
                            when=short_when(event["start"], event["end"], event["all_day"], ctx.lang)))


async def feed(ctx: CommandContext, cmd: Command) -> list[Reply]:
    rotate = bool(cmd.arg_words) and cmd.arg_words[0].lower() in ROTATE_WORDS
    # The idempotency key keeps a replayed "!feed nieuw" (after a crash) from rotating twice.
    link = await _client(ctx).post(f"{_base(ctx)}/feeds",
                                   json={"kind": "member", "member": ctx.sender, "rotate": rotate},
                                   idempotency_key=ctx.event_id, lang=ctx.lang)
    intro = ctx.t("calbot.feed.intro", council=ctx.council.name)
    howto, secret = ctx.t("calbot.feed.howto"), ctx.t("calbot.feed.secret")
    lines = [intro, link["webcal"], howto, link["url"], secret]
    html = (f"{esc(intro)}<br><a href=\"{esc(link['webcal'])}\">{esc(link['webcal'])}</a><br>{esc(howto)}<br>"
            f"<a href=\"{esc(link['url'])}\">{esc(link['url'])}</a><br>{esc(secret)}")
    if rotate:
        lines.append(ctx.t("calbot.feed.rotated"))
        html += "<br>" + esc(ctx.t("calbot.feed.rotated"))
    # The link is a secret: it goes only to the member, never into the group room.
    private = Reply(body="\n".join(lines), html=html, dm_to=ctx.sender,
                    key_suffix=f"feed-{link['generation']}")
    return [private, Reply(body=ctx.t("calbot.feed.sent"))]


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


async def activiteit(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.args.split(maxsplit=1)
    etype = TYPE_WORDS.get(words[0].lower()) if words else None
    if etype is None or len(words) < 2:
        return Reply(body=ctx.t("calbot.activiteit.usage", types=TYPE_CHOICES))
    text, capacity, location = activity_options(words[1])
    body: dict[str, Any] = {"type": etype, "text": text, "announce": True}
    if capacity is not None:
        body["capacity"] = capacity
    if location:
        body["location"] = location
    event = await _client(ctx).post(f"{_base(ctx)}/events/from-text", json=body, idempotency_key=ctx.event_id,
                                    lang=ctx.lang)
    answer = ctx.t("calbot.activiteit.done", number=event["number"], title=_shown(event["title"]),
                   when=short_when(event["start"], event["end"], event["all_day"], ctx.lang))
    if event.get("location"):
        answer += " " + ctx.t("calbot.activiteit.location", location=_shown(event["location"]))
    return Reply(body=answer)


async def verplaats(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.arg_words
    number = _number(words[0]) if words else None
    rest = " ".join(words[1:])
    if number is None or len(words) < 3:
        return Reply(body=ctx.t("calbot.verplaats.usage"))
    moved = await _client(ctx).post(f"{_base(ctx)}/events/{number}/move", json={"text": rest, "announce": True},
                                    idempotency_key=ctx.event_id, lang=ctx.lang)
    event = moved["event"]
    return Reply(body=ctx.t("calbot.verplaats.done", title=_shown(event["title"]),
                            old=short_when(moved["from_start"], moved["from_end"], event["all_day"], ctx.lang),
                            new=short_when(moved["start"], moved["end"], event["all_day"], ctx.lang)))


async def _notes(ctx: CommandContext, cmd: Command, kind: str, command: str) -> Reply:
    words = cmd.args.split(maxsplit=1)
    number = _number(words[0]) if words else None
    if number is None or len(words) < 2 or not words[1].strip():
        return Reply(body=ctx.t("calbot.notes.usage", command=command))
    event = await _client(ctx).post(f"{_base(ctx)}/events/{number}/notes",
                                    json={"text": words[1].strip(), "kind": kind, "announce": True},
                                    idempotency_key=ctx.event_id, lang=ctx.lang)
    key = "minutes" if kind == "minutes" else "agenda"
    noted = next((n for n in reversed(event.get("notes", [])) if n.get(key)), None)
    day = noted["day"] if noted and noted.get("day") else None
    when = _day(date.fromisoformat(day), ctx.lang) if day else short_when(event["start"], event["end"],
                                                                           event["all_day"], ctx.lang)
    return Reply(body=ctx.t(f"calbot.notes.{key}_done", title=_shown(event["title"]), when=when))


async def vergaderagenda(ctx: CommandContext, cmd: Command) -> Reply:
    return await _notes(ctx, cmd, "agenda", "vergaderagenda")


async def verslag(ctx: CommandContext, cmd: Command) -> Reply:
    return await _notes(ctx, cmd, "minutes", "verslag")


async def afgelast(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.arg_words
    number = _number(words[0]) if words else None
    if number is None:
        return Reply(body=ctx.t("calbot.afgelast.usage"))
    day = " ".join(words[1:]) or None
    event = await _client(ctx).post(f"{_base(ctx)}/events/{number}/cancel", json={"day": day, "announce": True},
                                    idempotency_key=ctx.event_id, lang=ctx.lang)
    return Reply(body=ctx.t("calbot.afgelast.done", title=_shown(event["title"]),
                            day=f" ({day})" if day else ""))


async def trainingen(ctx: CommandContext, cmd: Command) -> Reply:
    record = await _client(ctx).get(f"{_base(ctx)}/training-record", params={"member": ctx.sender}, lang=ctx.lang)
    rich = Rich().heading(ctx.t("calbot.trainingen.title"))
    if not record["entries"]:
        rich.line(ctx.t("calbot.trainingen.empty"))
    rows = []
    for entry in record["entries"]:
        row = f"{_day(date.fromisoformat(entry['day']), ctx.lang)} – {_shown(entry['title'])}"
        if not entry["confirmed"]:
            row += f" ({ctx.t('calbot.trainingen.unconfirmed')})"
        rows.append(row)
    rich.items(rows)
    return Reply.rich(rich)


COMMANDS = [
    CommandSpec("kalender", kalender, "kalender", "calbot.cmd.kalender", english_aliases=("calendar",)),
    CommandSpec("aanwezig", aanwezig, "kalender", "calbot.cmd.aanwezig", usage="<nr> [datum]",
                english_aliases=("attend",)),
    CommandSpec("afwezig", afwezig, "kalender", "calbot.cmd.afwezig", usage="<nr> [datum]",
                english_aliases=("decline",)),
    CommandSpec("datumprikker", datumprikker, "kalender", "calbot.cmd.datumprikker",
                usage="<titel> <datum> <datum> …", english_aliases=("datepoll",)),
    CommandSpec("kan", kan, "kalender", "calbot.cmd.kan", usage="<optie-nrs>", english_aliases=("can",)),
    CommandSpec("vastleggen", vastleggen, "kalender", "calbot.cmd.vastleggen", usage="<optie-nr>",
                english_aliases=("fix",)),
    CommandSpec("feed", feed, "kalender", "calbot.cmd.feed", usage="[nieuw]"),
    CommandSpec("trainingen", trainingen, "kalender", "calbot.cmd.trainingen", english_aliases=("trainings",)),
    CommandSpec("activiteit", activiteit, "kalender", "calbot.cmd.activiteit",
                usage="<soort> <titel> <datum> [tijd] [plaatsen=<n>] [plaats=<locatie>]", english_aliases=("event",),
                secretary_only=True),
    CommandSpec("verplaats", verplaats, "kalender", "calbot.cmd.verplaats", usage="<nr> <datum> <nieuwe datum> [tijd]",
                english_aliases=("move",), secretary_only=True),
    CommandSpec("afgelast", afgelast, "kalender", "calbot.cmd.afgelast", usage="<nr> [datum]",
                english_aliases=("calloff",), secretary_only=True),
    CommandSpec("vergaderagenda", vergaderagenda, "kalender", "calbot.cmd.vergaderagenda",
                usage="<nr> [datum] <link of tekst>", english_aliases=("meetingagenda",), secretary_only=True),
    CommandSpec("verslag", verslag, "kalender", "calbot.cmd.verslag", usage="<nr> [datum] <link of tekst>",
                english_aliases=("minutes",), secretary_only=True),
]
