"""Chat commands of the werkplek: ``!werkplek`` (a one-time sign-in link, sent only in a direct message),
``!uren`` (hours worked for the council outside meetings) and ``!doelen`` (the year's goals).

The werkplek decides who may have a link (today's members and secretaries); the bot only carries it to the
person who asked, never into the group room."""
from __future__ import annotations

from datetime import date

from services.bot.commands import Command, CommandSpec
from services.bot.context import CommandContext, Reply
from services.bot.texts.werkplek import CATALOG
from shared import i18n
from shared.dates import parse_day
from shared.errors import InvalidInput
from shared.formatting import Rich, defang, esc, one_line


def register_messages() -> None:
    i18n.register(CATALOG)


def _path(ctx: CommandContext, rest: str) -> str:
    return f"/api/v1/councils/{ctx.council.slug}{rest}"


def _today(ctx: CommandContext) -> date:
    from zoneinfo import ZoneInfo

    return ctx.now().astimezone(ZoneInfo(ctx.council.timezone)).date()


async def cmd_werkplek(ctx: CommandContext, cmd: Command) -> list[Reply]:
    link = await ctx.service("werkplek").post(_path(ctx, "/sign-in-links"), json={"matrix_id": ctx.sender},
                                              idempotency_key=ctx.event_id, lang=ctx.lang)
    intro, note = ctx.t("bot.werkplek.link.intro", council=ctx.council.name), ctx.t("bot.werkplek.link.note")
    private = Reply(body=f"{intro}\n{link['url']}\n{note}",
                    html=f"{esc(intro)}<br><a href=\"{esc(link['url'])}\">{esc(link['url'])}</a><br>{esc(note)}",
                    dm_to=ctx.sender, key_suffix="werkplek")
    return [private, Reply(body=ctx.t("bot.werkplek.link.sent"))]


async def cmd_uren(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.args.split(maxsplit=2)
    if len(words) < 3:
        raise InvalidInput("bot.werkplek.usage.uren", "hours usage")
    day = parse_day(words[0], _today(ctx))
    if day is None:
        raise InvalidInput("bot.werkplek.bad_date", f"not a date: {words[0]!r}", given=words[0][:40])
    noted = await ctx.service("werkplek").post(
        _path(ctx, "/hours"), json={"actor": ctx.sender, "day": day.isoformat(), "hours": words[1],
                                    "description": one_line(words[2])[:400]},
        idempotency_key=ctx.event_id, lang=ctx.lang)
    hours = noted["hours"].rstrip("0").rstrip(".")
    if ctx.lang == "nl":
        hours = hours.replace(".", ",")
    return Reply(body=ctx.t("bot.werkplek.uren.noted", hours=hours, date=i18n.fmt_date(day, ctx.lang),
                            description=defang(noted["description"])))


async def cmd_doelen(ctx: CommandContext, cmd: Command) -> Reply:
    year = _today(ctx).year
    if cmd.arg_words and cmd.arg_words[0].isdigit() and len(cmd.arg_words[0]) == 4:
        year = int(cmd.arg_words[0])
    goals = await ctx.service("werkplek").get(_path(ctx, "/goals"), params={"year": year}, lang=ctx.lang)
    if not goals:
        return Reply(body=ctx.t("bot.werkplek.doelen.none", year=year))
    rich = Rich().heading(ctx.t("bot.werkplek.doelen.title", council=ctx.council.name, year=year))
    for g in goals:
        rich.line(ctx.t("bot.werkplek.doelen.entry", number=g["number"], title=defang(one_line(g["title"])),
                        status=g["status_label"]))
        if g["topics"]:
            rich.items([ctx.t("bot.werkplek.doelen.topics", done=g["topics_done"], count=len(g["topics"]),
                              topics=", ".join(f"#{t['number']} {defang(one_line(str(t['title'])))}"
                                               for t in g["topics"]))])
    return Reply.rich(rich)


COMMANDS = [
    CommandSpec("werkplek", cmd_werkplek, "algemeen", "bot.werkplek.cmd.werkplek", english_aliases=("workplace",)),
    CommandSpec("uren", cmd_uren, "algemeen", "bot.werkplek.cmd.uren", usage="<datum> <uren> <omschrijving>",
                english_aliases=("hours",)),
    CommandSpec("doelen", cmd_doelen, "algemeen", "bot.werkplek.cmd.doelen", usage="[jaar]",
                english_aliases=("goals",)),
]
