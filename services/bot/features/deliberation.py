"""Chat commands of the deliberation service: the agenda, consensus rounds and the roster.

Inside a round's thread (its root has the outbox key ``delib:round:<id>``) round commands apply to that
round; elsewhere the round is named by its number (``!eens 12``). Every command that changes something
sends the Matrix event id as idempotency key, so a message handled twice changes nothing twice. The
service decides and refuses; its refusals arrive as ``DomainError`` with the text already in the
member's language and become the threaded reply.

Replies never show a tally of positions: who has not responded, the concerns and the open objections,
by name, and whether agreement can be recorded.
"""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from services.bot.commands import Command, CommandSpec
from services.bot.context import CommandContext, Reply
from services.deliberation.domain.advice import DATE_WORD, parse_day
from shared import i18n
from shared.api import MAX_ID
from shared.errors import InvalidInput, NotFound
from shared.formatting import Rich, defang, one_line

_ROUND_KEY = re.compile(r"^delib:round:(\d{1,10})$")
_ADVICE_KEY = re.compile(r"^delib:advice:(\d{1,10})$")
_KIND_WORDS = {"instemming": "instemming", "consent": "instemming"}
_RECEIVED_WORDS = {"ontvangen", "received"}
MAX_DECISIONS_SHOWN = 10
_NUMBER = re.compile(r"^#?(\d{1,12})$")
_SCORE_WORDS = {"belang": "importance", "importance": "importance", "invloed": "influence", "influence": "influence"}
_MEMBER_TYPES = {"huurder": "huurder", "tenant": "huurder", "koper": "koper", "buyer": "koper",
                 "ondernemer": "ondernemer", "entrepreneur": "ondernemer"}

CATALOG: dict[str, dict[str, str]] = {
    "nl": {
        # ---- help lines
        "delib.cmd.agenda": "de actieve onderwerpen en de wachtlijst",
        "delib.cmd.onderwerp": "zet een nieuw onderwerp op de wachtlijst",
        "delib.cmd.score": "geef een onderwerp een score voor belang en (verwachte) invloed",
        "delib.cmd.activeer": "maak een onderwerp actief (de raad doet niet te veel tegelijk)",
        "delib.cmd.parkeer": "parkeer een onderwerp: terug naar de wachtlijst",
        "delib.cmd.ronde": "open een overlegronde: het voorstel wordt een nieuwe draad",
        "delib.cmd.eens": "je stemt in met het voorstel",
        "delib.cmd.bedenking": "je stemt in, met een bedenking voor het verslag",
        "delib.cmd.opzij": "je staat opzij: je houdt het besluit niet tegen",
        "delib.cmd.bezwaar": "overwegend bezwaar, met je argument: het houdt het besluit tegen tot het is opgelost",
        "delib.cmd.info": "je wilt eerst meer informatie; de ronde gaat terug naar beeldvorming",
        "delib.cmd.intrekken": "trek je eigen bezwaar in",
        "delib.cmd.voorstel": "maak een nieuwe versie van het voorstel (secretaris of opener)",
        "delib.cmd.stand": "wie nog niet reageerde, de bedenkingen en de open bezwaren",
        "delib.cmd.besluit": "leg de overeenstemming vast",
        "delib.cmd.verder": "zet de ronde naar de volgende fase (secretaris of opener)",
        "delib.cmd.opgelost": "noteer hoe een bezwaar is opgelost (secretaris of opener)",
        "delib.cmd.afmelden": "meld je af voor een ronde (afwezig met bericht)",
        "delib.cmd.leden": "de zetels, de leden en welke klantgroepen nog geen zetelhouder hebben",
        "delib.cmd.lid": "voeg een lid toe",
        "delib.cmd.termijn": "verplaats de deadline van een ronde naar het eind van een dag (secretaris of opener)",
        "delib.cmd.besluiten": "de besluitenlijst, nieuwste eerst, met bedenkingen en hoe bezwaren zijn opgelost",
        "delib.cmd.advies": "leg een advies- of instemmingsverzoek van het bestuur vast; de draad toont de "
                            "wettelijke termijnen (secretaris)",
        "delib.cmd.concept": "in de draad van een advies: open een overlegronde over het conceptadvies",
        "delib.cmd.verstuurd": "in de draad van een advies: het advies is verstuurd (na overeenstemming; secretaris)",
        "delib.cmd.reactie": "in de draad van een advies: de schriftelijke reactie van het bestuur; wijkt het af, "
                             "dan met de redenen (secretaris)",
        "delib.cmd.toets": "plan een toets van de realisatie van een advies (secretaris)",
        "delib.cmd.uitkomst": "leg de uitkomst van een toets vast",
        "delib.cmd.adviezen": "de lopende adviezen, met fase en eerstvolgende datum",
        "delib.cmd.beloften": "wat het bestuur toezegde en wat de toetsen lieten zien",
        "bot.group.advies": "Advies en het bestuur",
        "delib.bot.no_such_advice": "Ik ken geen advies {number}. Met !adviezen zie je de nummers.",
        "delib.bot.advice_needed": "Dit werkt in de draad van een advies. Reageer in die draad, of noem het nummer "
                                   "van het advies, bijvoorbeeld: !{word} 4. Met !adviezen zie je de nummers.",
        "delib.bot.usage.advies": "Zo leg je een adviesaanvraag vast: !advies <onderwerp-nr> <titel> [ontvangen "
                                  "<datum>] [instemming], bijvoorbeeld !advies 3 Servicekosten 2026 ontvangen "
                                  "2-3-2026.",
        "delib.bot.usage.concept": "Schrijf de tekst van het conceptadvies erbij: !concept <tekst>, in de draad van "
                                   "het advies.",
        "delib.bot.usage.reactie": "Zo leg je de reactie van het bestuur vast: !reactie volgt <toelichting> [datum] "
                                   "of !reactie wijktaf <redenen> [datum], in de draad van het advies.",
        "delib.bot.usage.toets": "Zo plan je een toets: !toets <advies-nr> <datum>, bijvoorbeeld !toets 4 1-9-2026.",
        "delib.bot.usage.uitkomst": "Zo leg je de uitkomst vast: !uitkomst <advies-nr> uitgevoerd|deels|niet "
                                    "<toelichting>.",
        "delib.bot.usage.termijn": "Zo verplaats je de deadline: !termijn <datum> in de draad van de ronde, of "
                                   "!termijn <ronde-nr> <datum>, bijvoorbeeld !termijn 12 20-3-2026.",
        "delib.bot.advies.registered": "Advies {advice_id} is vastgelegd: {kind} bij onderwerp #{topic_id}, {title}. "
                                       "Het advies is uiterlijk {deadline} nodig. De draad met de termijnen komt zo in "
                                       "de chat; open daar het concept met !concept <tekst>.",
        "delib.bot.concept.opened": "Het conceptadvies staat in ronde {round_id}. Het voorstel komt zo als nieuw "
                                    "bericht in de chat: reageer in die draad met !eens, !bedenking, !opzij, !bezwaar "
                                    "of !info.",
        "delib.bot.verstuurd": "Genoteerd: advies {advice_id} is verstuurd op {sent}. Het bestuur reageert uiterlijk "
                               "{due} schriftelijk; komt er niets, dan meld ik dat hier en in de raad.",
        "delib.bot.reactie": "Genoteerd voor advies {advice_id}: {reply} (ontvangen {on}).",
        "delib.bot.reactie.late": "De reactie kwam na de termijn van 14 dagen ({due}).",
        "delib.bot.toets": "Toets {number} van advies {advice_id} staat gepland op {due}. Op die dag vraag ik in de "
                           "draad van het advies naar de uitkomst.",
        "delib.bot.uitkomst": "Genoteerd voor advies {advice_id}: {outcome}. De uitkomst staat in de draad van het "
                              "advies en bij !beloften.",
        "delib.bot.adviezen.title": "Lopende adviezen, eerstvolgende datum eerst:",
        "delib.bot.adviezen.none": "Er loopt nu geen advies. Leg een aanvraag vast met !advies <onderwerp-nr> <titel> "
                                   "[ontvangen <datum>].",
        "delib.bot.adviezen.next.deadline": "advies uiterlijk {date}",
        "delib.bot.adviezen.next.reply": "reactie van het bestuur uiterlijk {date}",
        "delib.bot.adviezen.next.check": "toets op {date}",
        "delib.bot.adviezen.next.none": "plan een toets met !toets {advice_id} <datum>",
        "delib.bot.adviezen.overdue": "reactie te laat",
        "delib.bot.beloften.title": "Wat het bestuur toezegde, en wat de toetsen lieten zien:",
        "delib.bot.beloften.none": "Het bestuur heeft nog op geen advies gereageerd.",
        "delib.bot.beloften.reply": "Advies {advice_id} ({title}): {reply}, {on}",
        "delib.bot.beloften.late": "te laat",
        "delib.bot.beloften.check_done": "toets {number} ({on}): {outcome}",
        "delib.bot.beloften.check_planned": "toets {number} gepland op {due}",
        "delib.bot.besluiten.title": "Besluitenlijst van {council}, nieuwste eerst",
        "delib.bot.besluiten.title_search": "Besluiten met ‘{query}’, nieuwste eerst",
        "delib.bot.besluiten.none": "Er staan nog geen besluiten in de besluitenlijst.",
        "delib.bot.besluiten.none_search": "Ik vond geen besluit met ‘{query}’.",
        "delib.bot.besluiten.entry": "{date} – onderwerp #{topic_id} {title} (ronde {round_id}, versie {version})",
        "delib.bot.besluiten.concern": "bedenking van {name}: {text}",
        "delib.bot.besluiten.objection": "bezwaar {id} van {name} ({argument}): {status}",
        "delib.bot.besluiten.no_objections": "geen bezwaren",
        "delib.bot.besluiten.more": "Er zijn nog {count} eerdere besluiten. Zoek met !besluiten <zoekwoord>.",
        "delib.bot.termijn": "De deadline van ronde {round_id} is nu {deadline}. Het eerste bericht van de ronde is "
                             "bijgewerkt.",
        # ---- usage and refusals of the bot itself
        "delib.bot.round_needed": "Dit werkt in de draad van een ronde. Reageer in die draad, of noem het nummer "
                                  "van de ronde, bijvoorbeeld: !{word} 12.",
        "delib.bot.no_such_round": "Ik ken geen ronde {number}. Kijk het nummer nog even na.",
        "delib.bot.no_such_topic": "Ik ken geen onderwerp {number}. Kijk het nummer nog even na met !agenda.",
        "delib.bot.usage.onderwerp": "Geef het onderwerp een titel, bijvoorbeeld: !onderwerp Servicekosten 2026.",
        "delib.bot.usage.score": "Zo geef je een score: !score <nr> belang <1-5> invloed <1-5>, bijvoorbeeld "
                                 "!score 3 belang 4 invloed 5.",
        "delib.bot.usage.topic_number": "Noem het nummer van het onderwerp, bijvoorbeeld: !{word} 3. "
                                        "Met !agenda zie je de nummers.",
        "delib.bot.usage.ronde": "Zo open je een ronde: !ronde <onderwerp-nr> <voorstel>, bijvoorbeeld "
                                 "!ronde 3 We vragen de corporatie om de servicekosten per wijk te tonen.",
        "delib.bot.usage.opgelost": "Zo noteer je een opgelost bezwaar: !opgelost <bezwaar-nr> <toelichting>, "
                                    "in de draad van de ronde.",
        "delib.bot.usage.lid": "Zo voeg je een lid toe: !lid <matrix-id> <huurder|koper|ondernemer> [zetel], "
                               "bijvoorbeeld !lid @jan:woonstad.nl huurder 4.",
        # ---- answers
        "delib.bot.agenda.title": "Agenda van {council}",
        "delib.bot.agenda.active": "Actief ({count} van maximaal {cap}):",
        "delib.bot.agenda.waiting": "Wachtlijst, op volgorde van belang en invloed:",
        "delib.bot.agenda.none_active": "Er is nu geen onderwerp actief.",
        "delib.bot.agenda.none_waiting": "De wachtlijst is leeg.",
        "delib.bot.agenda.in_round": "ronde {round_id}",
        "delib.bot.agenda.howto": "Nieuw onderwerp: !onderwerp <titel>. Score: !score <nr> belang <1-5> invloed <1-5>.",
        "delib.bot.topic.created": "Onderwerp #{topic_id} staat op de wachtlijst: {title}.",
        "delib.bot.topic.created.next": "Geef het een score met !score {topic_id} belang <1-5> invloed <1-5>, "
                                        "of maak het actief met !activeer {topic_id}.",
        "delib.bot.topic.scored": "Onderwerp #{topic_id} ({title}): {score_line}.",
        "delib.bot.topic.activated": "Onderwerp #{topic_id} ({title}) is nu actief. Open een ronde met "
                                     "!ronde {topic_id} <voorstel>.",
        "delib.bot.topic.parked": "Onderwerp #{topic_id} ({title}) is geparkeerd en staat weer op de wachtlijst.",
        "delib.bot.round.opened": "Ronde {round_id} over onderwerp #{topic_id} is geopend. Het voorstel komt zo als "
                                  "nieuw bericht in deze chat: reageer in die draad met !eens, !bedenking, !opzij, "
                                  "!bezwaar of !info.",
        "delib.bot.position.eens": "Genoteerd: je stemt in met versie {version} van het voorstel.",
        "delib.bot.position.bedenking": "Genoteerd: je stemt in met versie {version}, met een bedenking. Die komt in "
                                        "het verslag.",
        "delib.bot.position.opzij": "Genoteerd: je staat opzij bij versie {version} en houdt het besluit niet tegen.",
        "delib.bot.position.bezwaar": "Je bezwaar staat genoteerd als bezwaar {objection_id}. Het blijft openstaan "
                                      "tot het is opgelost of tot je het intrekt met !intrekken.",
        "delib.bot.position.info": "Je vraag staat genoteerd. De ronde is in beeldvorming tot er antwoord is.",
        "delib.bot.withdrawn": "Je bezwaar is ingetrokken. Geef opnieuw je standpunt met !eens, !bedenking, "
                               "!opzij of !bezwaar.",
        "delib.bot.resolved": "Bezwaar {objection_id} staat als opgelost genoteerd. Wie het bezwaar maakte, wordt "
                              "gevraagd opnieuw te reageren.",
        "delib.bot.amended": "Versie {version} van het voorstel staat in de draad. Iedereen geeft opnieuw een "
                             "standpunt.",
        "delib.bot.phase": "Ronde {round_id} is nu in de fase {phase}.",
        "delib.bot.phase.decide": "Zodra niemand bezwaar heeft en iedereen gereageerd heeft, leg je met !besluit de "
                                  "overeenstemming vast.",
        "delib.bot.decided": "De overeenstemming in ronde {round_id} is vastgelegd (versie {version}). Het besluit "
                             "staat in de besluitenlijst.",
        "delib.bot.absent": "Je bent afgemeld voor ronde {round_id}: je hoeft niet te reageren. Doe je toch mee? "
                            "Geef dan gewoon je standpunt.",
        "delib.bot.stand.title": "Ronde {round_id}: {title}",
        "delib.bot.stand.facts": "Fase: {phase} · voorstel versie {version} · deadline {deadline}",
        "delib.bot.stand.closed": "Deze ronde is afgesloten: {state}.",
        "delib.bot.stand.not_responded": "Nog niet gereageerd:",
        "delib.bot.stand.everyone": "Iedereen die er is heeft gereageerd op deze versie.",
        "delib.bot.stand.absent": "Afwezig met bericht:",
        "delib.bot.stand.concerns": "Bedenkingen:",
        "delib.bot.stand.objections": "Open bezwaren:",
        "delib.bot.stand.no_objections": "Er staat geen bezwaar open.",
        "delib.bot.stand.info": "Vragen om meer informatie:",
        "delib.bot.stand.quorum": "Er zijn te weinig leden aanwezig om een besluit te nemen.",
        "delib.bot.stand.ready": "Niemand heeft bezwaar en iedereen heeft gereageerd: met !besluit leg je de "
                                 "overeenstemming vast.",
        "delib.bot.stand.deadline_passed": "De deadline is voorbij.",
        "delib.bot.rounds.title": "Lopende rondes:",
        "delib.bot.rounds.none": "Er loopt nu geen ronde. Open er een met !ronde <onderwerp-nr> <voorstel>.",
        "delib.bot.rounds.howto": "Typ !stand <nr> voor de stand van een ronde, of typ !stand in de draad ervan.",
        "delib.bot.leden.title": "Leden van {council}",
        "delib.bot.leden.seats": "Zetels:",
        "delib.bot.leden.vacant": "vacant",
        "delib.bot.leden.upcoming": "vacant, {name} begint later",
        "delib.bot.leden.no_seats": "Er zijn nog geen zetels ingedeeld.",
        "delib.bot.leden.without_seat": "Zonder zetel:",
        "delib.bot.leden.secretary": "secretaris",
        "delib.bot.leden.unrepresented": "Klantgroepen zonder zetelhouder:",
        "delib.bot.leden.all_represented": "Elke klantgroep met een zetel heeft een zetelhouder.",
        "delib.bot.lid.added": "{name} is toegevoegd als {member_type}.",
        "delib.bot.lid.added_seat": "{name} is toegevoegd als {member_type}, op zetel {seat_id}.",
    },
    "en": {
        "delib.cmd.agenda": "the active topics and the waiting list",
        "delib.cmd.onderwerp": "put a new topic on the waiting list",
        "delib.cmd.score": "score a topic for importance and (expected) influence",
        "delib.cmd.activeer": "make a topic active (the council does not take on too much at once)",
        "delib.cmd.parkeer": "park a topic: back to the waiting list",
        "delib.cmd.ronde": "open a consensus round: the proposal becomes a new thread",
        "delib.cmd.eens": "you agree with the proposal",
        "delib.cmd.bedenking": "you agree, with a concern for the minutes",
        "delib.cmd.opzij": "you stand aside: you do not block the decision",
        "delib.cmd.bezwaar": "paramount objection, with your argument: it blocks the decision until resolved",
        "delib.cmd.info": "you want more information first; the round goes back to exploring",
        "delib.cmd.intrekken": "withdraw your own objection",
        "delib.cmd.voorstel": "make a new version of the proposal (secretary or opener)",
        "delib.cmd.stand": "who has not responded yet, the concerns and the open objections",
        "delib.cmd.besluit": "record the agreement",
        "delib.cmd.verder": "move the round to its next phase (secretary or opener)",
        "delib.cmd.opgelost": "record how an objection was resolved (secretary or opener)",
        "delib.cmd.afmelden": "excuse yourself from a round (absent with notice)",
        "delib.cmd.leden": "the seats, the members and which customer groups have no seat holder",
        "delib.cmd.lid": "add a member",
        "delib.cmd.termijn": "move a round's deadline to the end of a day (secretary or opener)",
        "delib.cmd.besluiten": "the decision list, newest first, with concerns and how objections were resolved",
        "delib.cmd.advies": "record an advice or consent request from the board; its thread shows the legal dates "
                            "(secretary)",
        "delib.cmd.concept": "in an advice's thread: open a consensus round on the draft advice",
        "delib.cmd.verstuurd": "in an advice's thread: the advice was sent (after agreement; secretary)",
        "delib.cmd.reactie": "in an advice's thread: the board's written reply; if it deviates, with its reasons "
                             "(secretary)",
        "delib.cmd.toets": "plan a check of how an advice is carried out (secretary)",
        "delib.cmd.uitkomst": "record the outcome of a check",
        "delib.cmd.adviezen": "the running advice trajectories, with stage and next date",
        "delib.cmd.beloften": "what the board promised and what the checks found",
        "bot.group.advies": "Advice and the board",
        "delib.bot.no_such_advice": "I don't know an advice {number}. !advices shows the numbers.",
        "delib.bot.advice_needed": "This works in the thread of an advice. Reply in that thread, or give the advice's "
                                   "number, for example: !{word} 4. !advices shows the numbers.",
        "delib.bot.usage.advies": "To record an advice request: !advice <topic-nr> <title> [received <date>] "
                                  "[consent], for example !advice 3 Service charges 2026 received 2-3-2026.",
        "delib.bot.usage.concept": "Please add the text of the draft advice: !draft <text>, in the advice's thread.",
        "delib.bot.usage.reactie": "To record the board's reply: !reply follows <explanation> [date] or !reply "
                                   "deviates <reasons> [date], in the advice's thread.",
        "delib.bot.usage.toets": "To plan a check: !check <advice-nr> <date>, for example !check 4 1-9-2026.",
        "delib.bot.usage.uitkomst": "To record the outcome: !outcome <advice-nr> uitgevoerd|deels|niet "
                                    "<explanation> (done, partly, not).",
        "delib.bot.usage.termijn": "To move the deadline: !deadline <date> in the round's thread, or !deadline "
                                   "<round-nr> <date>, for example !deadline 12 20-3-2026.",
        "delib.bot.advies.registered": "Advice {advice_id} is recorded: {kind} on topic #{topic_id}, {title}. The "
                                       "advice is due by {deadline}. Its thread with the dates will appear in the "
                                       "room; open the draft there with !draft <text>.",
        "delib.bot.concept.opened": "The draft advice is in round {round_id}. The proposal will appear as a new message "
                                    "in the room: respond in its thread with !agree, !concern, !standaside, !object "
                                    "or !info.",
        "delib.bot.verstuurd": "Noted: advice {advice_id} was sent on {sent}. The board's written reply is due by "
                               "{due}; if none comes, I will say so here and in the room.",
        "delib.bot.reactie": "Noted for advice {advice_id}: {reply} (received {on}).",
        "delib.bot.reactie.late": "The reply came after the 14-day term ({due}).",
        "delib.bot.toets": "Check {number} of advice {advice_id} is planned for {due}. On that day I will ask for the "
                           "outcome in the advice's thread.",
        "delib.bot.uitkomst": "Noted for advice {advice_id}: {outcome}. The outcome is in the advice's thread and in "
                              "!promises.",
        "delib.bot.adviezen.title": "Running advice trajectories, next date first:",
        "delib.bot.adviezen.none": "No advice is running. Record a request with !advice <topic-nr> <title> "
                                   "[received <date>].",
        "delib.bot.adviezen.next.deadline": "advice due by {date}",
        "delib.bot.adviezen.next.reply": "board's reply due by {date}",
        "delib.bot.adviezen.next.check": "check on {date}",
        "delib.bot.adviezen.next.none": "plan a check with !check {advice_id} <date>",
        "delib.bot.adviezen.overdue": "reply overdue",
        "delib.bot.beloften.title": "What the board promised, and what the checks found:",
        "delib.bot.beloften.none": "The board has not replied to any advice yet.",
        "delib.bot.beloften.reply": "Advice {advice_id} ({title}): {reply}, {on}",
        "delib.bot.beloften.late": "late",
        "delib.bot.beloften.check_done": "check {number} ({on}): {outcome}",
        "delib.bot.beloften.check_planned": "check {number} planned for {due}",
        "delib.bot.besluiten.title": "Decision list of {council}, newest first",
        "delib.bot.besluiten.title_search": "Decisions with ‘{query}’, newest first",
        "delib.bot.besluiten.none": "There are no decisions in the decision list yet.",
        "delib.bot.besluiten.none_search": "I found no decision with ‘{query}’.",
        "delib.bot.besluiten.entry": "{date} – topic #{topic_id} {title} (round {round_id}, version {version})",
        "delib.bot.besluiten.concern": "concern of {name}: {text}",
        "delib.bot.besluiten.objection": "objection {id} by {name} ({argument}): {status}",
        "delib.bot.besluiten.no_objections": "no objections",
        "delib.bot.besluiten.more": "There are {count} earlier decisions. Search with !decisions <word>.",
        "delib.bot.termijn": "The deadline of round {round_id} is now {deadline}. The round's first message has been "
                             "updated.",
        "delib.bot.round_needed": "This works in the thread of a round. Reply in that thread, or give the round's "
                                  "number, for example: !{word} 12.",
        "delib.bot.no_such_round": "I don't know a round {number}. Please check the number.",
        "delib.bot.no_such_topic": "I don't know a topic {number}. Please check the number with !agenda.",
        "delib.bot.usage.onderwerp": "Please give the topic a title, for example: !topic Service charges 2026.",
        "delib.bot.usage.score": "To score a topic: !score <nr> belang <1-5> invloed <1-5> (importance, influence), "
                                 "for example !score 3 importance 4 influence 5.",
        "delib.bot.usage.topic_number": "Please give the topic's number, for example: !{word} 3. !agenda shows the "
                                        "numbers.",
        "delib.bot.usage.ronde": "To open a round: !round <topic-nr> <proposal>, for example !round 3 We ask the "
                                 "corporation to show the service charges per neighbourhood.",
        "delib.bot.usage.opgelost": "To record a resolved objection: !resolved <objection-nr> <explanation>, in the "
                                    "round's thread.",
        "delib.bot.usage.lid": "To add a member: !member <matrix-id> <huurder|koper|ondernemer> [seat], for example "
                               "!member @jan:woonstad.nl huurder 4.",
        "delib.bot.agenda.title": "Agenda of {council}",
        "delib.bot.agenda.active": "Active ({count} of at most {cap}):",
        "delib.bot.agenda.waiting": "Waiting list, ordered by importance and influence:",
        "delib.bot.agenda.none_active": "No topic is active right now.",
        "delib.bot.agenda.none_waiting": "The waiting list is empty.",
        "delib.bot.agenda.in_round": "round {round_id}",
        "delib.bot.agenda.howto": "New topic: !topic <title>. Score: !score <nr> importance <1-5> influence <1-5>.",
        "delib.bot.topic.created": "Topic #{topic_id} is on the waiting list: {title}.",
        "delib.bot.topic.created.next": "Score it with !score {topic_id} importance <1-5> influence <1-5>, or make it "
                                        "active with !activate {topic_id}.",
        "delib.bot.topic.scored": "Topic #{topic_id} ({title}): {score_line}.",
        "delib.bot.topic.activated": "Topic #{topic_id} ({title}) is active now. Open a round with "
                                     "!round {topic_id} <proposal>.",
        "delib.bot.topic.parked": "Topic #{topic_id} ({title}) is parked and back on the waiting list.",
        "delib.bot.round.opened": "Round {round_id} on topic #{topic_id} is open. The proposal will appear as a new "
                                  "message in this room: respond in its thread with !agree, !concern, !standaside, "
                                  "!object or !info.",
        "delib.bot.position.eens": "Noted: you agree with version {version} of the proposal.",
        "delib.bot.position.bedenking": "Noted: you agree with version {version}, with a concern. It goes into the "
                                        "minutes.",
        "delib.bot.position.opzij": "Noted: you stand aside on version {version} and do not block the decision.",
        "delib.bot.position.bezwaar": "Your objection is noted as objection {objection_id}. It stays open until it "
                                      "is resolved or you withdraw it with !withdraw.",
        "delib.bot.position.info": "Your question is noted. The round is back in the exploring phase until it is "
                                   "answered.",
        "delib.bot.withdrawn": "Your objection is withdrawn. Please give your position again with !agree, !concern, "
                               "!standaside or !object.",
        "delib.bot.resolved": "Objection {objection_id} is noted as resolved. Its author is asked to respond again.",
        "delib.bot.amended": "Version {version} of the proposal is in the thread. Everyone gives their position "
                             "again.",
        "delib.bot.phase": "Round {round_id} is now in the phase {phase}.",
        "delib.bot.phase.decide": "As soon as nobody objects and everyone has responded, !decide records the "
                                  "agreement.",
        "delib.bot.decided": "The agreement in round {round_id} is recorded (version {version}). The decision is in "
                             "the decision list.",
        "delib.bot.absent": "You are excused from round {round_id}: you do not need to respond. Taking part after "
                            "all? Just give your position.",
        "delib.bot.stand.title": "Round {round_id}: {title}",
        "delib.bot.stand.facts": "Phase: {phase} · proposal version {version} · deadline {deadline}",
        "delib.bot.stand.closed": "This round is closed: {state}.",
        "delib.bot.stand.not_responded": "Not responded yet:",
        "delib.bot.stand.everyone": "Everyone present has responded to this version.",
        "delib.bot.stand.absent": "Absent with notice:",
        "delib.bot.stand.concerns": "Concerns:",
        "delib.bot.stand.objections": "Open objections:",
        "delib.bot.stand.no_objections": "No objection is open.",
        "delib.bot.stand.info": "Requests for more information:",
        "delib.bot.stand.quorum": "Too few members are present to decide.",
        "delib.bot.stand.ready": "Nobody objects and everyone has responded: !decide records the agreement.",
        "delib.bot.stand.deadline_passed": "The deadline has passed.",
        "delib.bot.rounds.title": "Running rounds:",
        "delib.bot.rounds.none": "No round is running. Open one with !round <topic-nr> <proposal>.",
        "delib.bot.rounds.howto": "Type !status <nr> for the status of a round, or !status in its thread.",
        "delib.bot.leden.title": "Members of {council}",
        "delib.bot.leden.seats": "Seats:",
        "delib.bot.leden.vacant": "vacant",
        "delib.bot.leden.upcoming": "vacant, {name} starts later",
        "delib.bot.leden.no_seats": "No seats have been set up yet.",
        "delib.bot.leden.without_seat": "Without a seat:",
        "delib.bot.leden.secretary": "secretary",
        "delib.bot.leden.unrepresented": "Customer groups without a seat holder:",
        "delib.bot.leden.all_represented": "Every customer group with a seat has a seat holder.",
        "delib.bot.lid.added": "{name} was added as {member_type}.",
        "delib.bot.lid.added_seat": "{name} was added as {member_type}, on seat {seat_id}.",
    },
}


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
        return _number(words[0], "delib.bot.no_such_round"), (words[1] if len(words) > 1 else "")
    raise InvalidInput("delib.bot.round_needed", "round command outside a round thread", word=cmd.word)


def _topic_number(cmd: Command) -> tuple[int, str]:
    words = cmd.args.split(maxsplit=1)
    if not words or _NUMBER.match(words[0]) is None:
        raise InvalidInput("delib.bot.usage.topic_number", "topic number missing", word=cmd.word)
    return _number(words[0], "delib.bot.no_such_topic"), (words[1] if len(words) > 1 else "")


def _shown(text: str) -> str:
    """A member's words in a one-line list item: inert and on one line."""
    return defang(one_line(text))


def _when(ctx: CommandContext, iso: str) -> str:
    moment = datetime.fromisoformat(iso).astimezone(ZoneInfo(ctx.council.timezone))
    return i18n.fmt_datetime(moment, ctx.lang)


# --------------------------------------------------------------------------- the agenda


async def agenda_command(ctx: CommandContext, cmd: Command) -> Reply:
    view = await _get(ctx, "/agenda")
    rich = Rich().heading(ctx.t("delib.bot.agenda.title", council=ctx.council.name))

    def line(item: dict[str, Any]) -> str:
        parts = [item["score_line"], item["status_label"]]
        if item.get("open_round_id"):
            parts.append(ctx.t("delib.bot.agenda.in_round", round_id=item["open_round_id"]))
        return f"#{item['id']} {_shown(item['title'])} – " + " · ".join(parts)

    rich.line(ctx.t("delib.bot.agenda.active", count=len(view["active"]), cap=view["cap"]))
    if view["active"]:
        rich.items([line(i) for i in view["active"]])
    else:
        rich.line(ctx.t("delib.bot.agenda.none_active"))
    rich.line(ctx.t("delib.bot.agenda.waiting"))
    if view["waiting"]:
        rich.items([line(i) for i in view["waiting"]])
    else:
        rich.line(ctx.t("delib.bot.agenda.none_waiting"))
    rich.line(ctx.t("delib.bot.agenda.howto"))
    return Reply.rich(rich)


async def topic_command(ctx: CommandContext, cmd: Command) -> Reply:
    title = one_line(cmd.args)
    if not title:
        raise InvalidInput("delib.bot.usage.onderwerp", "topic without title")
    topic = await _post(ctx, "/topics", {"title": title, "source": "eigen_initiatief", "actor": ctx.sender})
    rich = Rich().line(ctx.t("delib.bot.topic.created", topic_id=topic["id"], title=_shown(topic["title"])))
    rich.line(ctx.t("delib.bot.topic.created.next", topic_id=topic["id"]))
    return Reply.rich(rich)


async def score_command(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.arg_words
    scores: dict[str, int] = {}
    if len(words) == 5 and _NUMBER.match(words[0]):
        for keyword, value in ((words[1], words[2]), (words[3], words[4])):
            field = _SCORE_WORDS.get(keyword.lower())
            if field is None or not re.fullmatch(r"\d{1,3}", value):
                break
            scores[field] = int(value)
    if set(scores) != {"importance", "influence"}:
        raise InvalidInput("delib.bot.usage.score", "score usage")
    topic_id = _number(words[0], "delib.bot.no_such_topic")
    topic = await _post(ctx, f"/topics/{topic_id}/score", {**scores, "actor": ctx.sender})
    return Reply(body=ctx.t("delib.bot.topic.scored", topic_id=topic_id, title=_shown(topic["title"]),
                            score_line=topic["score_line"]))


async def activate_command(ctx: CommandContext, cmd: Command) -> Reply:
    topic_id, _ = _topic_number(cmd)
    topic = await _post(ctx, f"/topics/{topic_id}/activate", {"actor": ctx.sender})
    return Reply(body=ctx.t("delib.bot.topic.activated", topic_id=topic_id, title=_shown(topic["title"])))


async def park_command(ctx: CommandContext, cmd: Command) -> Reply:
    topic_id, _ = _topic_number(cmd)
    topic = await _post(ctx, f"/topics/{topic_id}/park", {"actor": ctx.sender})
    return Reply(body=ctx.t("delib.bot.topic.parked", topic_id=topic_id, title=_shown(topic["title"])))


# --------------------------------------------------------------------------- rounds


async def round_command(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.args.split(maxsplit=1)
    if len(words) < 2 or _NUMBER.match(words[0]) is None:
        raise InvalidInput("delib.bot.usage.ronde", "round usage")
    topic_id = _number(words[0], "delib.bot.no_such_topic")
    opened = await _post(ctx, "/rounds", {"topic_id": topic_id, "proposal": words[1], "actor": ctx.sender})
    return Reply(body=ctx.t("delib.bot.round.opened", round_id=opened["id"], topic_id=topic_id))


async def _position(ctx: CommandContext, cmd: Command, position: str) -> Reply:
    takes_text = position in {"bedenking", "bezwaar", "info"}
    round_id, text = _round_and_text(ctx, cmd, takes_text=takes_text)
    payload: dict[str, Any] = {"actor": ctx.sender, "position": position}
    if takes_text:
        payload["text"] = text
    status = await _post(ctx, f"/rounds/{round_id}/positions", payload)
    if position == "bezwaar":
        # The service names the objection this command raised.
        return Reply(body=ctx.t("delib.bot.position.bezwaar", objection_id=status.get("objection_id") or "?"))
    return Reply(body=ctx.t(f"delib.bot.position.{position}", version=status["version"]))


async def eens_command(ctx: CommandContext, cmd: Command) -> Reply:
    return await _position(ctx, cmd, "eens")


async def bedenking_command(ctx: CommandContext, cmd: Command) -> Reply:
    return await _position(ctx, cmd, "bedenking")


async def opzij_command(ctx: CommandContext, cmd: Command) -> Reply:
    return await _position(ctx, cmd, "opzij")


async def bezwaar_command(ctx: CommandContext, cmd: Command) -> Reply:
    return await _position(ctx, cmd, "bezwaar")


async def info_command(ctx: CommandContext, cmd: Command) -> Reply:
    return await _position(ctx, cmd, "info")


async def withdraw_command(ctx: CommandContext, cmd: Command) -> Reply:
    round_id, _ = _round_and_text(ctx, cmd, takes_text=False)
    await _post(ctx, f"/rounds/{round_id}/withdraw", {"actor": ctx.sender})
    return Reply(body=ctx.t("delib.bot.withdrawn"))


async def amend_command(ctx: CommandContext, cmd: Command) -> Reply:
    round_id, text = _round_and_text(ctx, cmd, takes_text=True)
    status = await _post(ctx, f"/rounds/{round_id}/proposal", {"actor": ctx.sender, "text": text})
    return Reply(body=ctx.t("delib.bot.amended", version=status["version"]))


async def phase_command(ctx: CommandContext, cmd: Command) -> Reply:
    round_id, _ = _round_and_text(ctx, cmd, takes_text=False)
    status = await _post(ctx, f"/rounds/{round_id}/phase", {"actor": ctx.sender})
    rich = Rich().line(ctx.t("delib.bot.phase", round_id=round_id, phase=status["phase_label"]))
    if status["phase"] == "besluitvorming":
        rich.line(ctx.t("delib.bot.phase.decide"))
    return Reply.rich(rich)


async def decide_command(ctx: CommandContext, cmd: Command) -> Reply:
    round_id, _ = _round_and_text(ctx, cmd, takes_text=False)
    status = await _post(ctx, f"/rounds/{round_id}/decide", {"actor": ctx.sender})
    return Reply(body=ctx.t("delib.bot.decided", round_id=round_id, version=status["version"]))


async def resolved_command(ctx: CommandContext, cmd: Command) -> Reply:
    round_id, rest = _round_and_text(ctx, cmd, takes_text=True)
    words = rest.split(maxsplit=1)
    if len(words) < 2 or _NUMBER.match(words[0]) is None:
        raise InvalidInput("delib.bot.usage.opgelost", "resolve usage")
    objection_id = int(_NUMBER.match(words[0]).group(1))  # type: ignore[union-attr]
    if not 0 < objection_id <= MAX_ID:
        raise InvalidInput("delib.bot.usage.opgelost", "objection number out of range")
    await _post(ctx, f"/rounds/{round_id}/objections/{objection_id}/resolve",
                {"actor": ctx.sender, "note": words[1]})
    return Reply(body=ctx.t("delib.bot.resolved", objection_id=objection_id))


async def absent_command(ctx: CommandContext, cmd: Command) -> Reply:
    round_id, _ = _round_and_text(ctx, cmd, takes_text=False)
    await _post(ctx, "/absences", {"actor": ctx.sender, "round_id": round_id})
    return Reply(body=ctx.t("delib.bot.absent", round_id=round_id))


async def status_command(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.arg_words
    if _thread_round(ctx) is None and not (words and _NUMBER.match(words[0])):
        return await _open_rounds(ctx)
    round_id, _ = _round_and_text(ctx, cmd, takes_text=False)
    return Reply.rich(_status_text(ctx, await _get(ctx, f"/rounds/{round_id}")))


async def _open_rounds(ctx: CommandContext) -> Reply:
    running = await _get(ctx, "/rounds", {"state": "open"})
    if not running:
        return Reply(body=ctx.t("delib.bot.rounds.none"))
    rich = Rich().heading(ctx.t("delib.bot.rounds.title"))
    rich.items([f"{ctx.t('delib.bot.stand.title', round_id=r['id'], title=_shown(r['topic_title']))} "
                f"({r['phase_label']})" for r in running])
    rich.line(ctx.t("delib.bot.rounds.howto"))
    return Reply.rich(rich)


def _status_text(ctx: CommandContext, r: dict[str, Any]) -> Rich:
    """Phase, version, who has not responded, concerns and open objections: names and texts, never a count."""
    rich = Rich().heading(ctx.t("delib.bot.stand.title", round_id=r["id"], title=_shown(r["topic_title"])))
    rich.line(ctx.t("delib.bot.stand.facts", phase=r["phase_label"], version=r["version"],
                    deadline=_when(ctx, r["deadline"])))
    if r["state"] != "open":
        rich.line(ctx.t("delib.bot.stand.closed", state=r["state_label"]))
    else:
        if r["not_responded"]:
            rich.line(ctx.t("delib.bot.stand.not_responded"))
            rich.items([_shown(p["display_name"]) for p in r["not_responded"]])
        else:
            rich.line(ctx.t("delib.bot.stand.everyone"))
        if r["absent"]:
            rich.line(ctx.t("delib.bot.stand.absent"))
            rich.items([_shown(p["display_name"]) for p in r["absent"]])
    if r["concerns"]:
        rich.line(ctx.t("delib.bot.stand.concerns"))
        rich.items([f"{_shown(c['display_name'])}: {_shown(c['text'])}" for c in r["concerns"]])
    if r["open_objections"]:
        rich.line(ctx.t("delib.bot.stand.objections"))
        rich.items([f"{o['id']}. {_shown(o['display_name'])}: {_shown(o['argument'])}" for o in r["open_objections"]])
    elif r["state"] == "open":
        rich.line(ctx.t("delib.bot.stand.no_objections"))
    if r["info_requested"]:
        rich.line(ctx.t("delib.bot.stand.info"))
        rich.items([f"{_shown(i['display_name'])}: {_shown(i['text'])}" for i in r["info_requested"]])
    if r["state"] == "open":
        if r["quorum_shortfall"]:
            rich.line(ctx.t("delib.bot.stand.quorum"))
        if r["deadline_passed"]:
            rich.line(ctx.t("delib.bot.stand.deadline_passed"))
        if r["can_record_agreement"]:
            rich.line(ctx.t("delib.bot.stand.ready"))
    return rich


async def deadline_command(ctx: CommandContext, cmd: Command) -> Reply:
    """``!termijn <datum>`` in a round's thread (or ``!termijn <ronde-nr> <datum>``): the deadline falls at the end
    of that day; the service announces it in the thread and edits the round's first message."""
    words = cmd.arg_words
    in_thread = _thread_round(ctx)
    if len(words) == 1 and in_thread is not None:
        round_id, day_word = in_thread, words[0]
    elif len(words) == 2 and _NUMBER.match(words[0]):
        round_id, day_word = _number(words[0], "delib.bot.no_such_round"), words[1]
    else:
        raise InvalidInput("delib.bot.usage.termijn", "deadline usage")
    day = parse_day(day_word, _today(ctx))
    status = await _post(ctx, f"/rounds/{round_id}/deadline", {"actor": ctx.sender, "day": day.isoformat()})
    return Reply(body=ctx.t("delib.bot.termijn", round_id=round_id, deadline=_when(ctx, status["deadline"])))


# --------------------------------------------------------------------------- the decision list


async def decisions_command(ctx: CommandContext, cmd: Command) -> Reply:
    """``!besluiten [zoekwoord]``: newest first, each with its version, date, concerns and how every objection
    ended. Never a tally: names and texts."""
    query = one_line(cmd.args)[:100]
    params: dict[str, Any] = {"order": "newest"}
    if query:
        params["q"] = query
    entries = await _get(ctx, "/register", params)
    if not entries:
        return Reply(body=ctx.t("delib.bot.besluiten.none_search" if query else "delib.bot.besluiten.none",
                                query=_shown(query)))
    title = (ctx.t("delib.bot.besluiten.title_search", query=_shown(query)) if query
             else ctx.t("delib.bot.besluiten.title", council=ctx.council.name))
    rich = Rich().heading(title)
    for e in entries[:MAX_DECISIONS_SHOWN]:
        rich.line("")
        rich.line(ctx.t("delib.bot.besluiten.entry", date=_day(ctx, e["decided_on"]), topic_id=e["topic_id"],
                        title=_shown(e["topic_title"]), round_id=e["round_id"], version=e["version"]))
        rich.quote(e["text"])
        details = [ctx.t("delib.bot.besluiten.concern", name=_shown(p["display_name"]), text=_shown(p["text"] or ""))
                   for p in e["positions"] if p["position"] == "bedenking"]
        details += [ctx.t("delib.bot.besluiten.objection", id=o["id"], name=_shown(o["display_name"]),
                          argument=_shown(o["argument"]),
                          status=o["status_label"] + (f" – {_shown(o['note'])}" if o.get("note") else ""))
                    for o in e["objections"]]
        rich.items(details or [ctx.t("delib.bot.besluiten.no_objections")])
    if len(entries) > MAX_DECISIONS_SHOWN:
        rich.line("")
        rich.line(ctx.t("delib.bot.besluiten.more", count=len(entries) - MAX_DECISIONS_SHOWN))
    return Reply.rich(rich)


# --------------------------------------------------------------------------- advice and the board


def _thread_advice(ctx: CommandContext) -> int | None:
    m = _ADVICE_KEY.match(ctx.thread_key or "")
    return int(m.group(1)) if m else None


def _advice_and_rest(ctx: CommandContext, cmd: Command) -> tuple[int, str]:
    """Which advice a command is about: the thread's, or the number in front (``!verstuurd 4 12-3-2026``)."""
    words = cmd.args.split(maxsplit=1)
    if words and _NUMBER.match(words[0]):
        return _number(words[0], "delib.bot.no_such_advice"), (words[1] if len(words) > 1 else "")
    in_thread = _thread_advice(ctx)
    if in_thread is not None:
        return in_thread, cmd.args
    raise InvalidInput("delib.bot.advice_needed", "advice command outside an advice thread", word=cmd.word)


def _today(ctx: CommandContext) -> date:
    return datetime.now(ZoneInfo(ctx.council.timezone)).date()


def _day(ctx: CommandContext, iso: str | None) -> str:
    return i18n.fmt_date(date.fromisoformat(iso[:10]), ctx.lang) if iso else "-"


async def advice_command(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.arg_words
    if len(words) < 2 or _NUMBER.match(words[0]) is None:
        raise InvalidInput("delib.bot.usage.advies", "advice usage")
    topic_id = _number(words[0], "delib.bot.no_such_topic")
    rest, kind, received = words[1:], "advies", None
    changed = True
    while changed and rest:
        changed = False
        if rest[-1].lower() in _KIND_WORDS:
            kind, rest, changed = _KIND_WORDS[rest[-1].lower()], rest[:-1], True
        elif len(rest) >= 2 and rest[-2].lower() in _RECEIVED_WORDS and received is None:
            received, rest, changed = rest[-1], rest[:-2], True
    if not rest:
        raise InvalidInput("delib.bot.usage.advies", "advice without title")
    payload: dict[str, Any] = {"topic_id": topic_id, "title": " ".join(rest), "kind": kind, "actor": ctx.sender}
    if received:
        payload["received"] = received
    t = await _post(ctx, "/advice", payload)
    return Reply(body=ctx.t("delib.bot.advies.registered", advice_id=t["id"], kind=t["kind_label"],
                            topic_id=t["topic_id"], title=_shown(t["title"]), deadline=_day(ctx, t["deadline"])))


async def draft_command(ctx: CommandContext, cmd: Command) -> Reply:
    in_thread = _thread_advice(ctx)
    if in_thread is not None:
        advice_id, text = in_thread, cmd.args
    else:
        advice_id, text = _advice_and_rest(ctx, cmd)
    if not text.strip():
        raise InvalidInput("delib.bot.usage.concept", "draft without text")
    opened = await _post(ctx, f"/advice/{advice_id}/draft", {"actor": ctx.sender, "proposal": text})
    return Reply(body=ctx.t("delib.bot.concept.opened", round_id=opened["round"]["id"]))


async def sent_command(ctx: CommandContext, cmd: Command) -> Reply:
    advice_id, rest = _advice_and_rest(ctx, cmd)
    payload: dict[str, Any] = {"actor": ctx.sender}
    if rest.strip():
        payload["on"] = rest.strip()
    t = await _post(ctx, f"/advice/{advice_id}/sent", payload)
    return Reply(body=ctx.t("delib.bot.verstuurd", advice_id=advice_id, sent=_day(ctx, t["sent_on"]),
                            due=_day(ctx, t["reply_due_on"])))


async def reply_command(ctx: CommandContext, cmd: Command) -> Reply:
    advice_id, rest = _advice_and_rest(ctx, cmd)
    words = rest.split()
    if not words:
        raise InvalidInput("delib.bot.usage.reactie", "reply usage")
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
    rich = Rich().line(ctx.t("delib.bot.reactie", advice_id=advice_id, reply=t["reply_label"], on=_day(ctx, t["reply_on"])))
    if t["reply_late"]:
        rich.line(ctx.t("delib.bot.reactie.late", due=_day(ctx, t["reply_due_on"])))
    return Reply.rich(rich)


async def check_command(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.arg_words
    if len(words) == 2 and _NUMBER.match(words[0]):
        advice_id, on = _number(words[0], "delib.bot.no_such_advice"), words[1]
    elif len(words) == 1 and _thread_advice(ctx) is not None:
        advice_id, on = _thread_advice(ctx), words[0]
    else:
        raise InvalidInput("delib.bot.usage.toets", "check usage")
    t = await _post(ctx, f"/advice/{advice_id}/checks", {"actor": ctx.sender, "on": on})
    check = t["checks"][-1]
    return Reply(body=ctx.t("delib.bot.toets", number=check["number"], advice_id=advice_id,
                            due=_day(ctx, check["due_on"])))


async def outcome_command(ctx: CommandContext, cmd: Command) -> Reply:
    advice_id, rest = _advice_and_rest(ctx, cmd)
    words = rest.split(maxsplit=1)
    if not words:
        raise InvalidInput("delib.bot.usage.uitkomst", "outcome usage")
    payload: dict[str, Any] = {"actor": ctx.sender, "outcome": words[0]}
    if len(words) > 1:
        payload["note"] = words[1]
    t = await _post(ctx, f"/advice/{advice_id}/outcome", payload)
    done = [c for c in t["checks"] if c["outcome"]]
    latest = max(done, key=lambda c: (c["checked_on"] or "", c["number"]))
    return Reply(body=ctx.t("delib.bot.uitkomst", advice_id=advice_id, outcome=latest["outcome_label"]))


def _next_step(ctx: CommandContext, t: dict[str, Any]) -> str:
    if t["sent_on"] is None:
        return ctx.t("delib.bot.adviezen.next.deadline", date=_day(ctx, t["deadline"]))
    if t["reply"] is None:
        text = ctx.t("delib.bot.adviezen.next.reply", date=_day(ctx, t["reply_due_on"]))
        return text + (f" – {ctx.t('delib.bot.adviezen.overdue')}" if t["reply_overdue"] else "")
    if t["next_date"]:
        return ctx.t("delib.bot.adviezen.next.check", date=_day(ctx, t["next_date"]))
    return ctx.t("delib.bot.adviezen.next.none", advice_id=t["id"])


async def advices_command(ctx: CommandContext, cmd: Command) -> Reply:
    running = await _get(ctx, "/advice", {"state": "open"})
    if not running:
        return Reply(body=ctx.t("delib.bot.adviezen.none"))
    rich = Rich().heading(ctx.t("delib.bot.adviezen.title"))
    rich.items([f"{t['id']}. {_shown(t['title'])} ({t['kind_label']}, #{t['topic_id']}) – {t['stage_label']} · "
                f"{_next_step(ctx, t)}" for t in running])
    return Reply.rich(rich)


async def promises_command(ctx: CommandContext, cmd: Command) -> Reply:
    replied = [t for t in await _get(ctx, "/advice", {"state": "all"}) if t["reply"]]
    if not replied:
        return Reply(body=ctx.t("delib.bot.beloften.none"))
    rich = Rich().heading(ctx.t("delib.bot.beloften.title"))
    for t in replied:
        rich.line("")
        on = _day(ctx, t["reply_on"]) + (f" ({ctx.t('delib.bot.beloften.late')})" if t["reply_late"] else "")
        rich.line(ctx.t("delib.bot.beloften.reply", advice_id=t["id"], title=_shown(t["title"]),
                        reply=t["reply_label"], on=on))
        if t["reply_text"]:
            rich.quote(t["reply_text"])
        checks = []
        for c in t["checks"]:
            if c["outcome"]:
                line = ctx.t("delib.bot.beloften.check_done", number=c["number"], on=_day(ctx, c["checked_on"]),
                             outcome=c["outcome_label"])
                checks.append(line + (f" – {_shown(c['note'])}" if c["note"] else ""))
            else:
                checks.append(ctx.t("delib.bot.beloften.check_planned", number=c["number"], due=_day(ctx, c["due_on"])))
        if checks:
            rich.items(checks)
    return Reply.rich(rich)


# --------------------------------------------------------------------------- the roster


async def members_command(ctx: CommandContext, cmd: Command) -> Reply:
    roster = await _get(ctx, "/members")
    types = {m["matrix_id"]: m for m in roster["members"]}
    rich = Rich().heading(ctx.t("delib.bot.leden.title", council=ctx.council.name))

    def who(person: dict[str, Any]) -> str:
        member = types.get(person["matrix_id"])
        kind = f" ({member['member_type_label']})" if member else ""
        return f"{_shown(person['display_name'])}{kind}"

    if roster["seats"]:
        rich.line(ctx.t("delib.bot.leden.seats"))
        lines = []
        for seat in roster["seats"]:
            if seat["holder"]:
                held = who(seat["holder"])
            elif seat["upcoming_holder"]:
                held = ctx.t("delib.bot.leden.upcoming", name=_shown(seat["upcoming_holder"]["display_name"]))
            else:
                held = ctx.t("delib.bot.leden.vacant")
            lines.append(f"{seat['id']}. {_shown(seat['group'])}: {held}")
        rich.items(lines)
    else:
        rich.line(ctx.t("delib.bot.leden.no_seats"))
    if roster["members_without_seat"]:
        rich.line(ctx.t("delib.bot.leden.without_seat"))
        items = []
        for person in roster["members_without_seat"]:
            member = types.get(person["matrix_id"], {})
            extra = [member.get("customer_group") or "", ctx.t("delib.bot.leden.secretary") if member.get("secretary")
                     else ""]
            detail = ", ".join(_shown(x) for x in extra if x)
            items.append(who(person) + (f" – {detail}" if detail else ""))
        rich.items(items)
    if roster["unrepresented_groups"]:
        rich.line(ctx.t("delib.bot.leden.unrepresented"))
        rich.items([_shown(g) for g in roster["unrepresented_groups"]])
    elif roster["seats"]:
        rich.line(ctx.t("delib.bot.leden.all_represented"))
    return Reply.rich(rich)


async def member_command(ctx: CommandContext, cmd: Command) -> Reply:
    words = cmd.arg_words
    if len(words) not in (2, 3) or words[1].lower() not in _MEMBER_TYPES:
        raise InvalidInput("delib.bot.usage.lid", "member usage")
    payload: dict[str, Any] = {"matrix_id": words[0], "member_type": _MEMBER_TYPES[words[1].lower()],
                               "actor": ctx.sender}
    if len(words) == 3:
        if _NUMBER.match(words[2]) is None:
            raise InvalidInput("delib.bot.usage.lid", "seat is not a number")
        seat = int(_NUMBER.match(words[2]).group(1))  # type: ignore[union-attr]
        if not 0 < seat <= MAX_ID:
            raise InvalidInput("delib.bot.usage.lid", "seat out of range")
        payload["seat_id"] = seat
    member = await _post(ctx, "/members", payload)
    code = "delib.bot.lid.added_seat" if member.get("seat_id") else "delib.bot.lid.added"
    return Reply(body=ctx.t(code, name=_shown(member["display_name"]), member_type=member["member_type_label"],
                            seat_id=member.get("seat_id")))


COMMANDS = [
    CommandSpec("agenda", agenda_command, "agenda", "delib.cmd.agenda"),
    CommandSpec("onderwerp", topic_command, "agenda", "delib.cmd.onderwerp", usage="<titel>",
                english_aliases=("topic",)),
    CommandSpec("score", score_command, "agenda", "delib.cmd.score", usage="<nr> belang <1-5> invloed <1-5>"),
    CommandSpec("activeer", activate_command, "agenda", "delib.cmd.activeer", usage="<nr>",
                english_aliases=("activate",)),
    CommandSpec("parkeer", park_command, "agenda", "delib.cmd.parkeer", usage="<nr>", english_aliases=("park",)),
    CommandSpec("ronde", round_command, "ronde", "delib.cmd.ronde", usage="<onderwerp-nr> <voorstel>",
                english_aliases=("round",)),
    CommandSpec("eens", eens_command, "ronde", "delib.cmd.eens", english_aliases=("agree",)),
    CommandSpec("bedenking", bedenking_command, "ronde", "delib.cmd.bedenking", usage="<tekst>",
                english_aliases=("concern",)),
    CommandSpec("opzij", opzij_command, "ronde", "delib.cmd.opzij", english_aliases=("standaside",)),
    CommandSpec("bezwaar", bezwaar_command, "ronde", "delib.cmd.bezwaar", usage="<argument>",
                english_aliases=("object",)),
    CommandSpec("info", info_command, "ronde", "delib.cmd.info", usage="<vraag>", english_aliases=("question",)),
    CommandSpec("intrekken", withdraw_command, "ronde", "delib.cmd.intrekken", english_aliases=("withdraw",)),
    CommandSpec("voorstel", amend_command, "ronde", "delib.cmd.voorstel", usage="<nieuwe tekst>",
                english_aliases=("propose",)),
    CommandSpec("stand", status_command, "ronde", "delib.cmd.stand", english_aliases=("status",)),
    CommandSpec("verder", phase_command, "ronde", "delib.cmd.verder", english_aliases=("next",)),
    CommandSpec("opgelost", resolved_command, "ronde", "delib.cmd.opgelost", usage="<bezwaar-nr> <toelichting>",
                english_aliases=("resolved",)),
    CommandSpec("besluit", decide_command, "ronde", "delib.cmd.besluit", english_aliases=("decide",)),
    CommandSpec("afmelden", absent_command, "ronde", "delib.cmd.afmelden", usage="[ronde-nr]",
                english_aliases=("excuse",)),
    CommandSpec("termijn", deadline_command, "ronde", "delib.cmd.termijn", usage="[ronde-nr] <datum>",
                english_aliases=("deadline",)),
    # Its own command, never taken for !besluit (the table finds it by its exact word before any suggestion).
    CommandSpec("besluiten", decisions_command, "ronde", "delib.cmd.besluiten", usage="[zoekwoord]",
                english_aliases=("decisions",)),
    CommandSpec("advies", advice_command, "advies", "delib.cmd.advies",
                usage="<onderwerp-nr> <titel> [ontvangen <datum>] [instemming]", english_aliases=("advice",)),
    CommandSpec("concept", draft_command, "advies", "delib.cmd.concept", usage="<tekst>", english_aliases=("draft",)),
    CommandSpec("verstuurd", sent_command, "advies", "delib.cmd.verstuurd", usage="[datum]",
                english_aliases=("sent",)),
    CommandSpec("reactie", reply_command, "advies", "delib.cmd.reactie", usage="volgt|wijktaf <toelichting> [datum]",
                english_aliases=("reply",)),
    CommandSpec("toets", check_command, "advies", "delib.cmd.toets", usage="<advies-nr> <datum>",
                english_aliases=("check",)),
    CommandSpec("uitkomst", outcome_command, "advies", "delib.cmd.uitkomst",
                usage="<advies-nr> uitgevoerd|deels|niet <toelichting>", english_aliases=("outcome",)),
    CommandSpec("adviezen", advices_command, "advies", "delib.cmd.adviezen", english_aliases=("advices",)),
    CommandSpec("beloften", promises_command, "advies", "delib.cmd.beloften", english_aliases=("promises",)),
    CommandSpec("leden", members_command, "leden", "delib.cmd.leden", english_aliases=("members",)),
    CommandSpec("lid", member_command, "leden", "delib.cmd.lid", usage="<matrix-id> <huurder|koper|ondernemer> [zetel]",
                english_aliases=("member",), secretary_only=True),
]
