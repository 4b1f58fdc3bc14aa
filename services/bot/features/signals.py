"""Chat commands of the signals service: residents' signals that members heard, and working with the
clusters the service posts as threads in the signals room.

Each cluster is a thread whose root (the card) has the outbox key ``signals:cluster:<id>``; inside that
thread ``!agenderen`` and ``!thema`` apply to that cluster, and a 👍 on the card counts as "we heard this
too" (once per member). Every call carries the Matrix event id as idempotency key, so a message handled
twice changes nothing twice. The bot never repeats a signal's text: the service scrubs it and posts the
scrubbed version in the cluster's thread.
"""
from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from services.bot.commands import Command, CommandSpec
from services.bot.context import CommandContext, Reply
from services.signals.domain.messages import KIND_LABELS
from shared import i18n
from shared.errors import InvalidInput
from shared.formatting import Rich, defang
from shared.http import ServiceError, ServiceUnavailable
from shared.outbox import OutboundMessage

if TYPE_CHECKING:
    from services.bot.app import Bot
    from services.bot.matrix import IncomingReaction

log = logging.getLogger("overleg.bot.signals")

CARD_PREFIX = "signals:cluster:"
_CARD_KEY = re.compile(r"^signals:cluster:(\d{1,10})(?::r\d{1,6})?$")  # :r<n>: the card re-posted after an erasure
_WIJK_ARG = re.compile(r"^(?:wijk|buurt|neighbourhood)=(?:\"([^\"]{1,120})\"|“([^”]{1,120})”|(\S{1,120}))(?:\s+|$)",
                       re.IGNORECASE)
THUMBS_UP = "👍"

CATALOG: dict[str, dict[str, str]] = {
    "nl": {
        "sigbot.cmd.signaal": "leg een signaal vast dat je van een bewoner hoorde (persoonsgegevens worden eruit "
                              "gehaald)",
        "sigbot.cmd.agenderen": "zet de signaalgroep van deze draad op de agenda van de raad",
        "sigbot.cmd.thema": "corrigeer het thema van de signaalgroep van deze draad",
        "sigbot.cmd.signalen": "overzicht en grafiek van de signalen per thema en maand",
        "sigbot.usage.signaal": "Zo leg je een signaal vast: !signaal [wijk=<buurt>] <wat de bewoner vertelde>, "
                                "bijvoorbeeld !signaal wijk=Tarwewijk De lift in de Tarwehof is al een week kapot.",
        "sigbot.not_in_thread": "Dit werkt in de draad van een signaalgroep: reageer met !{word} in die draad.",
        "sigbot.received": "Signaal #{signal_id} is vastgelegd, zonder persoonsgegevens. Thema: {theme} · "
                           "wijk: {wijk}.",
        "sigbot.received.new_cluster": "Het begint een nieuwe signaalgroep (#{cluster_id}) met een eigen draad in de "
                                       "signalenroom.",
        "sigbot.received.joined": "Het hoort bij signaalgroep #{cluster_id}, met nu {count} signalen; de kaart in de "
                                  "signalenroom is bijgewerkt.",
        "sigbot.received.duplicate": "Dit signaal had ik al vastgelegd als #{signal_id}.",
        "sigbot.received.removed": "Let op: je bericht bevatte persoonsgegevens ({kinds}). Die zijn niet opgeslagen "
                                   "en ik heb je bericht verwijderd.",
        "sigbot.redacted": "Persoonsgegevens van een bewoner: verwijderd.",
        "sigbot.received.reference": "Referentienummer voor de bewoner: {reference} (status: {url}).",
        "sigbot.agenda.created": "Signaalgroep #{cluster_id} staat op de agenda als onderwerp #{topic_id}, met de "
                                 "onderbouwing en een link naar deze draad. De kaart is bijgewerkt.",
        "sigbot.agenda.existing": "Signaalgroep #{cluster_id} stond al op de agenda als onderwerp #{topic_id}.",
        "sigbot.thema.list": "Kies een thema: !thema <thema>. De thema's:",
        "sigbot.thema.unknown": "Het thema ‘{theme}’ ken ik niet.",
        "sigbot.thema.done": "Het thema van signaalgroep #{cluster_id} is nu {label}. De correctie is bewaard en de "
                             "kaart is bijgewerkt.",
        "sigbot.thema.same": "Signaalgroep #{cluster_id} had dat thema al: {label}.",
        "sigbot.stats.title": "Signalen sinds {since}: {total}",
        "sigbot.stats.themes": "Per thema:",
        "sigbot.stats.wijken": "Meest genoemde wijken:",
        "sigbot.stats.none": "Er zijn nog geen signalen.",
        "sigbot.stats.chart": "De grafiek per thema en maand staat hieronder in deze draad.",
        "sigbot.wijk_unknown": "onbekend",
    },
    "en": {
        "sigbot.cmd.signaal": "record a signal you heard from a resident (personal data is removed)",
        "sigbot.cmd.agenderen": "put this thread's signal group on the council's agenda",
        "sigbot.cmd.thema": "correct the theme of this thread's signal group",
        "sigbot.cmd.signalen": "overview and chart of signals per theme and month",
        "sigbot.usage.signaal": "To record a signal: !signaal [wijk=<neighbourhood>] <what the resident said>, for "
                                "example !signaal wijk=Tarwewijk The lift in the Tarwehof has been broken for a week.",
        "sigbot.not_in_thread": "This works in the thread of a signal group: reply with !{word} in that thread.",
        "sigbot.received": "Signal #{signal_id} is recorded, without personal data. Theme: {theme} · "
                           "neighbourhood: {wijk}.",
        "sigbot.received.new_cluster": "It starts a new signal group (#{cluster_id}) with a thread of its own in the "
                                       "signals room.",
        "sigbot.received.joined": "It belongs to signal group #{cluster_id}, now with {count} signals; the card in the "
                                  "signals room was updated.",
        "sigbot.received.duplicate": "I had recorded this signal already as #{signal_id}.",
        "sigbot.received.removed": "Note: your message contained personal data ({kinds}). It was not stored and I "
                                   "removed your message.",
        "sigbot.redacted": "A resident's personal data: removed.",
        "sigbot.received.reference": "Reference number for the resident: {reference} (status: {url}).",
        "sigbot.agenda.created": "Signal group #{cluster_id} is on the agenda as topic #{topic_id}, with the evidence "
                                 "and a link to this thread. The card was updated.",
        "sigbot.agenda.existing": "Signal group #{cluster_id} was on the agenda already as topic #{topic_id}.",
        "sigbot.thema.list": "Choose a theme: !thema <theme>. The themes:",
        "sigbot.thema.unknown": "I don't know the theme ‘{theme}’.",
        "sigbot.thema.done": "The theme of signal group #{cluster_id} is now {label}. The correction was kept and the "
                             "card was updated.",
        "sigbot.thema.same": "Signal group #{cluster_id} had that theme already: {label}.",
        "sigbot.stats.title": "Signals since {since}: {total}",
        "sigbot.stats.themes": "Per theme:",
        "sigbot.stats.wijken": "Neighbourhoods named most:",
        "sigbot.stats.none": "There are no signals yet.",
        "sigbot.stats.chart": "The chart per theme and month follows below in this thread.",
        "sigbot.wijk_unknown": "unknown",
    },
}

def register_messages() -> None:
    i18n.register(CATALOG)


def _base(ctx: CommandContext) -> str:
    return f"/api/v1/councils/{ctx.council.slug}"


def _cluster_in_thread(ctx: CommandContext, word: str) -> int:
    match = _CARD_KEY.match(ctx.thread_key or "")
    if match is None:
        raise InvalidInput("sigbot.not_in_thread", "signal command outside a cluster thread", word=word)
    return int(match.group(1))


# --------------------------------------------------------------------------- !signaal
async def signaal(ctx: CommandContext, cmd: Command) -> Reply:
    args = cmd.args
    wijk = None
    match = _WIJK_ARG.match(args)
    if match:
        wijk = (match.group(1) or match.group(2) or match.group(3)).replace("_", " ").strip()
        args = args[match.end():]
    if not args.strip():
        return Reply(body=ctx.t("sigbot.usage.signaal"))
    result = await ctx.service("signals").post(f"{_base(ctx)}/signals", json={"text": args, "wijk": wijk},
                                               idempotency_key=ctx.event_id, lang=ctx.lang)
    sig = result["signal"]
    theme = sig["themes"][0]["label"] if sig["themes"] else sig["theme"]
    wijk_shown = sig["wijk"] or ctx.t("sigbot.wijk_unknown")
    rich = Rich()
    if result.get("duplicate"):
        rich.line(ctx.t("sigbot.received.duplicate", signal_id=sig["id"]))
    else:
        rich.line(ctx.t("sigbot.received", signal_id=sig["id"], theme=theme, wijk=wijk_shown))
        if result.get("new_cluster"):
            rich.line(ctx.t("sigbot.received.new_cluster", cluster_id=sig["cluster_id"]))
        else:
            rich.line(ctx.t("sigbot.received.joined", cluster_id=sig["cluster_id"], count=result["cluster_size"]))
    removed = sig.get("personal_data_removed") or []
    if removed:
        labels = KIND_LABELS["en" if ctx.lang == "en" else "nl"]
        rich.line(ctx.t("sigbot.received.removed", kinds=", ".join(labels.get(k, k) for k in removed)))
        # The member's own message still holds what was scrubbed: the bot redacts it (it has the power to).
        ctx.bot.accept([OutboundMessage(key=f"sigbot:redact:{ctx.event_id}", council=ctx.council.slug,
                                        room=ctx.room_id, kind="redaction", redact_event_id=ctx.event_id,
                                        body=ctx.t("sigbot.redacted"))])
    # Our own status page: a link the member can pass on (not foreign text, so not defanged).
    rich.line(ctx.t("sigbot.received.reference", reference=result["reference"], url=result["status_url"]))
    return Reply.rich(rich)


# --------------------------------------------------------------------------- in a cluster's thread
async def agenderen(ctx: CommandContext, cmd: Command) -> Reply:
    cluster_id = _cluster_in_thread(ctx, "agenderen")
    result = await ctx.service("signals").post(f"{_base(ctx)}/clusters/{cluster_id}/agenda",
                                               json={"actor": ctx.sender}, idempotency_key=ctx.event_id,
                                               lang=ctx.lang)
    cluster = result["cluster"]
    code = "sigbot.agenda.created" if result["changed"] else "sigbot.agenda.existing"
    return Reply(body=ctx.t(code, cluster_id=cluster_id, topic_id=cluster["topic_id"]))


async def _themes(ctx: CommandContext) -> list[dict[str, Any]]:
    return await ctx.service("signals").get(f"{_base(ctx)}/themes", lang=ctx.lang)


async def thema(ctx: CommandContext, cmd: Command) -> Reply:
    cluster_id = _cluster_in_thread(ctx, "thema")
    themes = await _themes(ctx)
    wanted = cmd.args.strip().lower()
    if not wanted:
        rich = Rich().line(ctx.t("sigbot.thema.list"))
        rich.items([f"{t['id']} – {t['label']}" for t in themes])
        return Reply.rich(rich)
    chosen = next((t for t in themes if wanted in (t["id"].lower(), t["label"].lower())), None)
    if chosen is None:
        rich = Rich().line(defang(ctx.t("sigbot.thema.unknown", theme=cmd.args.strip()[:60])))
        rich.line(ctx.t("sigbot.thema.list"))
        rich.items([f"{t['id']} – {t['label']}" for t in themes])
        return Reply.rich(rich)
    result = await ctx.service("signals").post(f"{_base(ctx)}/clusters/{cluster_id}/theme",
                                               json={"theme": chosen["id"], "actor": ctx.sender},
                                               idempotency_key=ctx.event_id, lang=ctx.lang)
    code = "sigbot.thema.done" if result["changed"] else "sigbot.thema.same"
    return Reply(body=ctx.t(code, cluster_id=cluster_id, label=chosen["label"]))


# --------------------------------------------------------------------------- overview
async def signalen(ctx: CommandContext, cmd: Command) -> Reply:
    client = ctx.service("signals")
    stats = await client.get(f"{_base(ctx)}/stats", params={"months": 12}, lang=ctx.lang)
    rich = Rich()
    if not stats["total"]:
        rich.line(ctx.t("sigbot.stats.none"))
        return Reply.rich(rich)
    rich.heading(ctx.t("sigbot.stats.title", since=stats["since"], total=stats["total"]))
    rich.line(ctx.t("sigbot.stats.themes"))
    rich.items([f"{c['label']}: {c['count']}" for c in stats["themes"]])
    rich.line(ctx.t("sigbot.stats.wijken"))
    rich.items([f"{c['label']}: {c['count']}" for c in stats["neighbourhoods"][:5]])
    await client.post(f"{_base(ctx)}/stats/chart",
                      json={"room_id": ctx.room_id, "thread_event_id": ctx.thread_root or ctx.event_id,
                            "reply_to_event_id": ctx.event_id, "months": 12, "lang": ctx.lang},
                      idempotency_key=ctx.event_id, lang=ctx.lang)
    rich.line(ctx.t("sigbot.stats.chart"))
    return Reply.rich(rich)


# --------------------------------------------------------------------------- 👍 on a card
async def card_reaction(bot: "Bot", reaction: "IncomingReaction", key: str) -> None:
    """A member's 👍 on a cluster's card (not on other messages in its thread) counts once."""
    match = _CARD_KEY.match(key)
    if match is None or not reaction.key.startswith(THUMBS_UP):
        return
    council = bot.settings.council_for_room(reaction.room_id)
    if council is None:
        return
    try:
        await bot.services["signals"].post(f"/api/v1/councils/{council.slug}/clusters/{match.group(1)}/heard",
                                           json={"member": reaction.sender}, idempotency_key=reaction.event_id)
    except ServiceError as exc:
        if exc.status == 503:  # the roster could not be read: keep the 👍 and try again later
            raise ServiceUnavailable("signals", exc.log_message) from exc
        raise  # a non-member's 👍 (roster.not_member) is refused: it is not counted
    log.info("👍 on cluster %s counted", match.group(1))


COMMANDS = [
    CommandSpec("signaal", signaal, "signalen", "sigbot.cmd.signaal", usage="[wijk=<buurt>] <tekst>",
                english_aliases=("signal",)),
    CommandSpec("agenderen", agenderen, "signalen", "sigbot.cmd.agenderen", english_aliases=("promote",)),
    CommandSpec("thema", thema, "signalen", "sigbot.cmd.thema", usage="<thema>", english_aliases=("theme",)),
    CommandSpec("signalen", signalen, "signalen", "sigbot.cmd.signalen", english_aliases=("signals",)),
]

REACTIONS = [(CARD_PREFIX, card_reaction)]
