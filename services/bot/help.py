"""``!help`` / ``!hulp`` and ``!taal``: the commands every deployment has."""
from __future__ import annotations

from services.bot.commands import Command, CommandSpec
from services.bot.context import CommandContext, Reply
from services.bot import store
from shared import i18n
from shared.formatting import Rich

GROUP_ORDER = ["algemeen", "agenda", "ronde", "advies", "kalender", "signalen", "leden"]


async def cmd_hulp(ctx: CommandContext, cmd: Command) -> Reply:
    lang = ctx.lang
    if cmd.arg_words and cmd.arg_words[0].lower() in {"en", "english", "engels"}:
        lang = "en"
    elif cmd.arg_words and cmd.arg_words[0].lower() in {"nl", "nederlands", "dutch"}:
        lang = "nl"
    table = ctx.services.commands
    rich = Rich().heading(i18n.t("bot.help.title", lang, council=ctx.council.name))
    rich.line(i18n.t("bot.help.intro", lang))
    rich.line(i18n.t("bot.help.rule", lang, quorum=ctx.council.quorum))
    groups = table.groups()
    for group in sorted(groups, key=lambda g: GROUP_ORDER.index(g) if g in GROUP_ORDER else 99):
        items = []
        for spec in groups[group]:
            words = f"!{spec.name}"
            if lang == "en" and spec.english_aliases:
                words += f" (!{spec.english_aliases[0]})"
            usage = f" {spec.usage}" if spec.usage else ""
            extra = f" {i18n.t('bot.help.secretary', lang)}" if spec.secretary_only else ""
            items.append(f"{words}{usage} – {i18n.t(spec.summary_key, lang)}{extra}")
        rich.line("")
        rich.heading(i18n.t(f"bot.group.{group}", lang))
        rich.items(items)
    rich.line("")
    rich.line(i18n.t("bot.help.footer", lang))
    return Reply.rich(rich)


async def cmd_taal(ctx: CommandContext, cmd: Command) -> Reply:
    choice = (cmd.arg_words[0].lower() if cmd.arg_words else "")
    lang = {"nl": "nl", "nederlands": "nl", "dutch": "nl", "en": "en", "english": "en", "engels": "en"}.get(choice)
    if lang is None:
        return Reply(body=ctx.t("bot.taal.usage"))
    with ctx.services.store.session() as s:
        store.set_member_language(s, ctx.sender, lang)
    return Reply(body=i18n.t("bot.taal.set", lang))


COMMANDS = [
    CommandSpec("hulp", cmd_hulp, "algemeen", "bot.cmd.help", aliases=("help",)),
    CommandSpec("taal", cmd_taal, "algemeen", "bot.cmd.taal", usage="<nl|en>", aliases=("language",)),
]
