"""Texts of the deliberation service itself: what it posts to Matrix through the outbox, and the
refusals that belong to the API rather than to the domain. Codes start with ``delib.msg.`` and
``delib.api.`` so they never clash with the domain's catalog.

Messages posted to the room never carry members' names or what they wrote about themselves: the
people who must act are notified through ``mentions`` only.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from shared import i18n
from shared.formatting import Rich, defang, one_line

CATALOG: dict[str, dict[str, str]] = {
    "nl": {
        # ---- refusals of the API
        "delib.api.council_not_found": "Deze raad ken ik niet.",
        "delib.api.application_not_found": "Ik ken geen sollicitatie {application_id}.",
        "delib.api.thread_not_found": "Bij dit gesprek hoort geen ronde of adviestraject.",
        "delib.api.actor_required": "Zeg namens welk lid dit gebeurt (actor).",
        "delib.api.secretary_only": "Alleen de secretaris kan leden toevoegen of wijzigen.",
        "delib.api.secretary_no_position": "Als secretaris zonder zetel begeleid je de ronde; je geeft zelf "
                                           "geen standpunt. Er is niets vastgelegd.",
        "delib.api.bad_idempotency_key": "De Idempotency-Key is te lang (maximaal {max} tekens).",
        "delib.api.too_many_applications": "Er kwamen vandaag al veel aanmeldingen binnen. Probeer het morgen "
                                           "opnieuw.",
        "delib.api.too_many_applications_from_address": "Er kwamen vanaf dit adres al veel aanmeldingen binnen. "
                                                        "Probeer het over {minutes} minuten opnieuw.",
        "delib.api.source_ref_required": "Een onderwerp uit signalen van bewoners heeft een verwijzing naar het "
                                         "cluster nodig (source_ref).",
        "delib.api.source_not_allowed": "Deze aanroeper kan alleen onderwerpen met bron {allowed} maken.",
        "delib.api.period_invalid": "De periode klopt niet: het begin ligt na het einde, of de periode is langer "
                                    "dan {max_days} dagen.",
        "delib.api.deadline_too_far": "De deadline mag hoogstens {max_days} dagen vooruit liggen.",
        "delib.api.no_seat_for_group": "Er is geen vrije zetel meer voor een nieuwe klantgroep.",
        "delib.api.occasion_required": "Zeg voor welke ronde (round_id) of bijeenkomst (meeting_id) je je afmeldt.",
        "delib.api.busy": "Er gebeurde tegelijk iets anders in deze ronde. Probeer het nog eens.",
        "delib.api.round_closed_for_absence": "Ronde {round_id} is al afgesloten; afmelden is niet meer nodig.",
        "delib.api.deadline_one_of": "Geef een dag (day) of een precies tijdstip (deadline) voor de nieuwe deadline, "
                                     "niet allebei.",
        # ---- posted in the room
        "delib.api.secretary_only_advice": "Dit doet de secretaris: een adviesaanvraag vastleggen, het versturen, "
                                           "de reactie van het bestuur en een toets plannen. Er is niets veranderd.",
        "delib.msg.round_opened.draft": "Dit is het conceptadvies voor advies {advice_id}. Zodra de raad het eens "
                                        "is, verstuurt de secretaris het en meldt dat in de draad van het advies.",
        "delib.msg.round_opened.phases": "Zo gaat een ronde: beeldvorming (waar gaat het over? stel je vragen), "
                                         "dan oordeelsvorming (wat vinden we? het voorstel kan nog veranderen), dan "
                                         "besluitvorming (waar stemmen we mee in?). De secretaris of de opener zet "
                                         "de ronde met !verder een fase verder.",
        "delib.msg.deadline_moved": "De deadline van ronde {round_id} is verplaatst naar {deadline}. Wie een "
                                    "melding krijgt, heeft nog niet gereageerd op dit voorstel.",
        "delib.msg.advice.title.advies": "Adviesaanvraag {advice_id}: {title}",
        "delib.msg.advice.title.instemming": "Instemmingsverzoek {advice_id}: {title}",
        "delib.msg.advice.topic": "Onderwerp #{topic_id} {topic_title} · werkwijze: {mode}",
        "delib.msg.advice.dates.advies": "Ontvangen op {received}. Het advies van de raad is uiterlijk {deadline} "
                                         "nodig ({weeks} weken na ontvangst).",
        "delib.msg.advice.dates.instemming": "Ontvangen op {received}. De raad geeft uiterlijk {deadline} zijn "
                                             "instemming of weigering ({weeks} weken na ontvangst).",
        "delib.msg.advice.reply_rule": "Na het versturen antwoordt het bestuur binnen 14 dagen schriftelijk; wijkt "
                                       "het af van het advies, dan met redenen.",
        "delib.msg.advice.howto": "In deze draad: !concept <tekst> opent een overlegronde over het conceptadvies. "
                                  "Als de raad het eens is: !verstuurd [datum]. Daarna: !reactie volgt|wijktaf "
                                  "<toelichting> [datum], en !toets {advice_id} <datum> voor de toets van de "
                                  "realisatie.",
        "delib.msg.advice.draft_opened": "Het conceptadvies staat in overlegronde {round_id}. Geef je standpunt in de "
                                         "draad van die ronde.",
        "delib.msg.advice.draft_agreed": "De raad is het eens over het conceptadvies (ronde {round_id}, versie "
                                         "{version}). Secretaris: verstuur het advies vóór {deadline} aan het bestuur "
                                         "en meld het hier met !verstuurd [datum].",
        "delib.msg.advice.sent": "Advies {advice_id} is op {sent} verstuurd. Het bestuur reageert uiterlijk {due} "
                                 "schriftelijk.",
        "delib.msg.advice.sent_late": "Let op: de adviestermijn liep tot {deadline}.",
        "delib.msg.advice.reply.volgt": "Reactie van het bestuur op advies {advice_id}, ontvangen op {on}: het bestuur "
                                        "volgt het advies.",
        "delib.msg.advice.reply.wijktaf": "Reactie van het bestuur op advies {advice_id}, ontvangen op {on}: het "
                                          "bestuur wijkt af van het advies. Zijn redenen:",
        "delib.msg.advice.reply_late": "De reactie kwam te laat: ze had er uiterlijk {due} moeten zijn.",
        "delib.msg.advice.reply_room.wijktaf": "Het bestuur wijkt af van advies {advice_id} ({title}). De redenen "
                                               "staan in de draad van het advies.",
        "delib.msg.advice.reply_room.volgt": "Het bestuur heeft gereageerd op advies {advice_id} ({title}). De "
                                             "reactie staat in de draad van het advies.",
        "delib.msg.advice.overdue": "Het bestuur heeft nog niet gereageerd op advies {advice_id} ({title}). Het advies "
                                    "is op {sent} verstuurd; de schriftelijke reactie had er uiterlijk {due} moeten "
                                    "zijn.",
        "delib.msg.advice.overdue_howto": "Secretaris: vraag het bestuur om zijn reactie en leg die vast met !reactie "
                                          "volgt|wijktaf <toelichting> [datum] in de draad van het advies.",
        "delib.msg.advice.check_planned": "De toets van de realisatie staat gepland op {due}. Op die dag vraag ik "
                                          "hier naar de uitkomst.",
        "delib.msg.advice.check_due": "Vandaag toetsen we de realisatie van advies {advice_id} ({title}): wat is er "
                                      "terechtgekomen van het advies en van wat het bestuur toezegde?",
        "delib.msg.advice.check_howto": "Leg de uitkomst vast met !uitkomst {advice_id} uitgevoerd|deels|niet "
                                        "<toelichting>.",
        "delib.msg.advice.outcome": "Uitkomst van de toets van advies {advice_id} ({title}) op {on}: {outcome}.",
        "delib.msg.round_opened.title": "Overlegronde {round_id}: {title}",
        "delib.msg.round_opened.proposal": "Voorstel (versie 1):",
        "delib.msg.round_opened.phase": "Fase: {phase}. Reageer vóór {deadline}.",
        "delib.msg.round_opened.howto": "Reageer in deze draad met !eens, !bedenking <tekst>, !opzij, "
                                        "!bezwaar <argument> of !info <vraag>. Met !stand zie je wie nog niet "
                                        "reageerde en welke bezwaren openstaan.",
        "delib.msg.amended.title": "Nieuw voorstel in ronde {round_id}: versie {version}",
        "delib.msg.amended.again": "Eerdere standpunten gelden niet meer voor deze versie. Wie een melding krijgt: "
                                   "geef opnieuw je standpunt in deze draad.",
        "delib.msg.amended.carried": "Bezwaar {objection_id} (op versie {old}) blijft staan tot wie het maakte "
                                     "zegt dat versie {version} het oplost: !opgelost [toelichting]. Of geef je "
                                     "standpunt op deze versie (!eens, !opzij, !bedenking, of !bezwaar met je "
                                     "argument als het niet is opgelost).",
        "delib.msg.decided.title": "Overeenstemming in ronde {round_id}: {title}",
        "delib.msg.decided.text": "Vastgelegd op {date}, voorstel versie {version}:",
        "delib.msg.decided.concerns": "Er zijn bedenkingen genoteerd; die staan in de besluitenlijst.",
        "delib.msg.decided.register": "Het besluit staat in de besluitenlijst.",
        "delib.msg.abandoned": "Ronde {round_id} is gestopt zonder besluit. Onderwerp #{topic_id} staat weer "
                               "actief op de agenda.",
        "delib.msg.reminder.title": "Herinnering voor ronde {round_id}: {title}",
        "delib.msg.reminder.before": "De deadline is {deadline}. Wie een melding krijgt, heeft nog niet gereageerd "
                                     "op versie {version} van het voorstel: geef je standpunt in deze draad.",
        "delib.msg.reminder.after": "De deadline ({deadline}) is voorbij. Wie een melding krijgt, heeft nog niet "
                                    "gereageerd op versie {version} van het voorstel: doe dat zo snel mogelijk "
                                    "in deze draad.",
        "delib.msg.check.title": "Toetsen van de realisatie: onderwerp #{topic_id} {title}",
        "delib.msg.check.due": "Vandaag staat deze toets gepland:",
        "delib.msg.check.howto": "Wat zien we terug van ons advies? Deel het in deze draad; de secretaris legt de "
                                 "uitkomst vast.",
        # ---- deadlines feed
        "delib.deadline.advice": "Adviestermijn loopt af: {title}",
        "delib.deadline.board_reply": "Schriftelijke reactie van het bestuur verwacht: {title}",
        "delib.deadline.check": "Toetsen van de realisatie: {title}",
        "delib.web.title": "Aanmelden voor de raad",
        "delib.web.intro": "Wil je meedenken en meebeslissen in de {council}? Meld je hier aan. Een "
                           "selectiecommissie van buiten de raad leest alle aanmeldingen en nodigt je uit voor een "
                           "gesprek.",
        "delib.web.privacy": "Wat je hier invult, lezen alleen de secretaris en de selectiecommissie. Word je niet "
                             "benoemd, dan wissen we je gegevens {days} dagen na het besluit. Je kunt je aanmelding "
                             "altijd intrekken; dan wissen we ze meteen.",
        "delib.web.skip": "Naar het formulier",
        "delib.web.other_language": "English",
        "delib.web.required": "verplicht",
        "delib.web.errors_one": "Er staat 1 fout in het formulier:",
        "delib.web.errors_many": "Er staan {count} fouten in het formulier:",
        "delib.web.name": "Je naam",
        "delib.web.name_hint": "Zoals je in de raad genoemd wilt worden.",
        "delib.web.member_type": "Je bent",
        "delib.web.member_type_hint": "De raad heeft plaats voor huurders, kopers en ondernemers.",
        "delib.web.member_type.huurder": "Huurder",
        "delib.web.member_type.koper": "Koper",
        "delib.web.member_type.ondernemer": "Ondernemer",
        "delib.web.contact": "Hoe bereiken we je?",
        "delib.web.contact_hint": "Een e-mailadres of telefoonnummer, voor de uitnodiging voor het gesprek.",
        "delib.web.matrix_id": "Je Matrix-adres (niet verplicht)",
        "delib.web.matrix_id_hint": "De raad overlegt in een chat (Element). Heb je al een adres, zoals "
                                    "@naam:voorbeeld.nl, vul het dan in. Zo niet, dan helpt de secretaris je.",
        "delib.web.motivation": "Waarom wil je in de raad? (niet verplicht)",
        "delib.web.motivation_hint": "In een paar zinnen. Maximaal {limit} tekens.",
        "delib.web.consent": "Ik geef toestemming om deze gegevens te bewaren voor de selectie. Word ik niet "
                             "benoemd, dan worden ze {days} dagen na het besluit gewist.",
        "delib.web.honeypot": "Website (laat dit veld leeg)",
        "delib.web.submit": "Verstuur aanmelding",
        "delib.web.csrf": "Het formulier was verlopen. Probeer het nog eens; wat je invulde staat er nog.",
        "delib.web.honeypot_refused": "Dit formulier kon niet worden verstuurd.",
        "delib.web.contact_required": "Vul een e-mailadres of telefoonnummer in, zodat we je kunnen uitnodigen.",
        "delib.web.consent_required": "Geef toestemming om je gegevens te bewaren, anders kunnen we je aanmelding "
                                      "niet behandelen.",
        "delib.web.invalid.name": "Vul je naam in (hoogstens 120 tekens).",
        "delib.web.invalid.member_type": "Kies of je huurder, koper of ondernemer bent.",
        "delib.web.invalid.contact": "Je e-mailadres of telefoonnummer is te lang of bevat tekens die niet kunnen.",
        "delib.web.invalid.matrix_id": "Dit is geen Matrix-adres. Het ziet eruit als @naam:voorbeeld.nl; laat het "
                                       "leeg als je er nog geen hebt.",
        "delib.web.invalid.motivation": "Je motivatie is te lang (hoogstens 2000 tekens).",
        "delib.web.invalid.form": "Er klopt iets niet in het formulier. Kijk je de velden na?",
        "delib.web.rate_limited_title": "Even geduld",
        "delib.web.error_title": "Dat lukte niet",
        "delib.web.not_found_title": "Niet gevonden",
        "delib.web.reference_unknown": "Deze aanmelding kennen we niet (meer). Is ze ingetrokken of gewist?",
        "delib.web.already_received_title": "Al ontvangen",
        "delib.web.already_received": "Deze aanmelding hebben we al ontvangen. De link naar je eigen pagina stond "
                                      "op de pagina die je na het versturen zag.",
        "delib.web.back_to_form": "Naar het aanmeldformulier",
        "delib.web.status_title": "Je aanmelding",
        "delib.web.thanks": "Bedankt! We hebben je aanmelding ontvangen.",
        "delib.web.keep_link": "Bewaar het adres van deze pagina: hier zie je hoe het staat, en hier kun je je "
                               "aanmelding intrekken.",
        "delib.web.received": "Ontvangen op",
        "delib.web.status": "Hoe het staat",
        "delib.web.status.ontvangen": "Ontvangen. De selectiecommissie leest je aanmelding.",
        "delib.web.status.gesprek": "Je wordt uitgenodigd voor een gesprek met de selectiecommissie.",
        "delib.web.status.benoemd": "Je bent benoemd. Welkom! Je krijgt een uitnodiging voor de chat van de raad.",
        "delib.web.status.niet_benoemd": "Je bent deze keer niet benoemd. Dank voor je aanmelding.",
        "delib.web.next_title": "Wat gebeurt er nu?",
        "delib.web.next": "De selectiecommissie bekijkt alle aanmeldingen en nodigt kandidaten uit voor een "
                          "gesprek. Daarna benoemt de {council} nieuwe leden. We laten het je weten via het "
                          "contact dat je opgaf.",
        "delib.web.withdraw_title": "Aanmelding intrekken",
        "delib.web.withdraw_hint": "Trek je je aanmelding in, dan wissen we meteen je naam, je contact en je "
                                   "motivatie. Anders wissen we ze {days} dagen na een besluit dat je niet benoemt.",
        "delib.web.withdraw": "Trek mijn aanmelding in",
        "delib.web.withdrawn_title": "Ingetrokken",
        "delib.web.withdrawn": "Je aanmelding is ingetrokken en je gegevens zijn gewist.",
        "delib.web.appointed_already": "Je bent al benoemd. Wil je stoppen, laat het de secretaris weten.",
        "delib.api.secretary_only_applications": "Alleen de secretaris ziet de aanmeldingen en legt het besluit "
                                                 "van de selectiecommissie vast.",
        "delib.msg.appointed": "{name} is benoemd in de raad: zetel {seat}{group}. De uitnodiging voor deze chat is "
                               "verstuurd. Tot {name} de chat binnenkomt, staat die bij rondes onder \"nog niet "
                               "in de chat\": er wordt niet op gewacht en het telt niet mee voor het quorum.",
        "delib.msg.welcome.title": "Welkom in de raad, {name}!",
        "delib.msg.welcome.seat": "Je neemt zetel {seat} in{group}.",
        "delib.msg.welcome.more": "Ik heb je een privébericht gestuurd met hoe het hier werkt. Typ !hulp voor "
                                  "alle opdrachten.",
        "delib.msg.howto.title": "Welkom bij {council}: zo werkt de raad in deze chat",
        "delib.msg.howto.rounds": "Een voorstel bespreken we in een ronde: één draad per voorstel. Reageer in die "
                                  "draad met !eens, !bedenking <tekst>, !opzij, !bezwaar <argument> of !info "
                                  "<vraag>. We stemmen niet: een besluit valt als niemand een overwegend bezwaar "
                                  "heeft.",
        "delib.msg.howto.quorum": "Een besluit vraagt dat ieder aanwezig lid reageerde, dat er geen bezwaar "
                                  "openstaat, en dat minstens {quorum} leden aanwezig zijn. Wie zich met "
                                  "!afmelden afmeldt of nog niet in de chat is, telt niet mee en wordt niet "
                                  "afgewacht.",
        "delib.msg.howto.agenda": "Met !agenda zie je waar de raad aan werkt, met !kalender de vergaderingen, "
                                  "met !besluiten wat de raad besloot.",
        "delib.msg.howto.help": "Typ !hulp voor alle opdrachten. Vragen? Stel ze gerust in de chat of aan de "
                                "secretaris.",
    },
    "en": {
        "delib.api.council_not_found": "I don't know this council.",
        "delib.api.application_not_found": "I don't know an application {application_id}.",
        "delib.api.thread_not_found": "No round or advice trajectory belongs to this thread.",
        "delib.api.actor_required": "Say on behalf of which member this happens (actor).",
        "delib.api.secretary_only": "Only the secretary can add or change members.",
        "delib.api.secretary_no_position": "As a secretary without a seat you facilitate the round; you do not "
                                           "take a position yourself. Nothing was recorded.",
        "delib.api.bad_idempotency_key": "The Idempotency-Key is too long (at most {max} characters).",
        "delib.api.too_many_applications": "Many applications came in today already. Please try again tomorrow.",
        "delib.api.too_many_applications_from_address": "Many applications came from this address already. Please "
                                                        "try again in {minutes} minutes.",
        "delib.api.source_ref_required": "A topic from residents' signals needs a reference to its cluster "
                                         "(source_ref).",
        "delib.api.source_not_allowed": "This caller can only create topics with source {allowed}.",
        "delib.api.period_invalid": "The period is not right: it starts after it ends, or it is longer than "
                                    "{max_days} days.",
        "delib.api.deadline_too_far": "The deadline can be at most {max_days} days ahead.",
        "delib.api.no_seat_for_group": "There is no free seat left for a new customer group.",
        "delib.api.occasion_required": "Say which round (round_id) or meeting (meeting_id) you are excusing "
                                       "yourself for.",
        "delib.api.busy": "Something else happened in this round at the same time. Please try again.",
        "delib.api.round_closed_for_absence": "Round {round_id} is already closed; no need to excuse yourself.",
        "delib.api.deadline_one_of": "Give a day (day) or an exact moment (deadline) for the new deadline, not "
                                     "both.",
        "delib.api.secretary_only_advice": "This is the secretary's task: recording an advice request, its sending, "
                                           "the board's reply and planning a check. Nothing was changed.",
        "delib.msg.round_opened.draft": "This is the draft advice for advice {advice_id}. Once the council agrees, "
                                        "the secretary sends it and says so in the advice's thread.",
        "delib.msg.round_opened.phases": "How a round goes: exploring (beeldvorming: what is it about? ask your "
                                         "questions), then forming views (oordeelsvorming: what do we think? the "
                                         "proposal may still change), then deciding (besluitvorming: what do we "
                                         "agree?). The secretary or the opener moves the round on with !verder "
                                         "(!next).",
        "delib.msg.deadline_moved": "The deadline of round {round_id} has moved to {deadline}. If you were notified, "
                                    "you have not responded to this proposal yet.",
        "delib.msg.advice.title.advies": "Advice request {advice_id}: {title}",
        "delib.msg.advice.title.instemming": "Consent request {advice_id}: {title}",
        "delib.msg.advice.topic": "Topic #{topic_id} {topic_title} · way of working: {mode}",
        "delib.msg.advice.dates.advies": "Received on {received}. The council's advice is due by {deadline} ({weeks} "
                                         "weeks after receipt).",
        "delib.msg.advice.dates.instemming": "Received on {received}. The council gives or refuses its consent by "
                                             "{deadline} ({weeks} weeks after receipt).",
        "delib.msg.advice.reply_rule": "Once it is sent, the board answers in writing within 14 days; if it deviates "
                                       "from the advice, with its reasons.",
        "delib.msg.advice.howto": "In this thread: !draft <text> opens a consensus round on the draft advice. Once the "
                                  "council agrees: !sent [date]. Then: !reply follows|deviates <explanation> [date], "
                                  "and !check {advice_id} <date> to check the realisation.",
        "delib.msg.advice.draft_opened": "The draft advice is in consensus round {round_id}. Give your position in that "
                                         "round's thread.",
        "delib.msg.advice.draft_agreed": "The council agrees on the draft advice (round {round_id}, version {version}). "
                                         "Secretary: send the advice to the board before {deadline} and say so here "
                                         "with !sent [date].",
        "delib.msg.advice.sent": "Advice {advice_id} was sent on {sent}. The board's written reply is due by {due}.",
        "delib.msg.advice.sent_late": "Note: the advice period ended on {deadline}.",
        "delib.msg.advice.reply.volgt": "The board's reply to advice {advice_id}, received on {on}: the board follows "
                                        "the advice.",
        "delib.msg.advice.reply.wijktaf": "The board's reply to advice {advice_id}, received on {on}: the board deviates "
                                          "from the advice. Its reasons:",
        "delib.msg.advice.reply_late": "The reply came late: it was due by {due}.",
        "delib.msg.advice.reply_room.wijktaf": "The board deviates from advice {advice_id} ({title}). Its reasons are in "
                                               "the advice's thread.",
        "delib.msg.advice.reply_room.volgt": "The board has replied to advice {advice_id} ({title}). The reply is in "
                                             "the advice's thread.",
        "delib.msg.advice.overdue": "The board has not replied to advice {advice_id} ({title}) yet. The advice was sent "
                                    "on {sent}; the written reply was due by {due}.",
        "delib.msg.advice.overdue_howto": "Secretary: ask the board for its reply and record it with !reply "
                                          "follows|deviates <explanation> [date] in the advice's thread.",
        "delib.msg.advice.check_planned": "The realisation check is planned for {due}. On that day I will ask for the "
                                          "outcome here.",
        "delib.msg.advice.check_due": "Today we check the realisation of advice {advice_id} ({title}): what became of "
                                      "the advice and of what the board promised?",
        "delib.msg.advice.check_howto": "Record the outcome with !outcome {advice_id} uitgevoerd|deels|niet "
                                        "<explanation> (done, partly, not).",
        "delib.msg.advice.outcome": "Outcome of the check of advice {advice_id} ({title}) on {on}: {outcome}.",
        "delib.msg.round_opened.title": "Consensus round {round_id}: {title}",
        "delib.msg.round_opened.proposal": "Proposal (version 1):",
        "delib.msg.round_opened.phase": "Phase: {phase}. Please respond before {deadline}.",
        "delib.msg.round_opened.howto": "Respond in this thread with !eens (agree), !bedenking <text> (concern), "
                                        "!opzij (stand aside), !bezwaar <argument> (objection) or !info <question>. "
                                        "!stand shows who has not responded yet and which objections are open.",
        "delib.msg.amended.title": "New proposal in round {round_id}: version {version}",
        "delib.msg.amended.again": "Earlier positions no longer count for this version. If you were notified: "
                                   "please give your position again in this thread.",
        "delib.msg.amended.carried": "Objection {objection_id} (to version {old}) stands until whoever raised it "
                                     "says version {version} resolves it: !resolved [explanation]. Or give your "
                                     "position on this version (!eens, !opzij, !bedenking, or !bezwaar with your "
                                     "argument if it is not resolved).",
        "delib.msg.decided.title": "Agreement in round {round_id}: {title}",
        "delib.msg.decided.text": "Recorded on {date}, proposal version {version}:",
        "delib.msg.decided.concerns": "Concerns were noted; they are in the decision list.",
        "delib.msg.decided.register": "The decision is in the decision list.",
        "delib.msg.abandoned": "Round {round_id} was stopped without a decision. Topic #{topic_id} is active on the "
                               "agenda again.",
        "delib.msg.reminder.title": "Reminder for round {round_id}: {title}",
        "delib.msg.reminder.before": "The deadline is {deadline}. If you were notified, you have not yet responded "
                                     "to version {version} of the proposal: please give your position in this "
                                     "thread.",
        "delib.msg.reminder.after": "The deadline ({deadline}) has passed. If you were notified, you have not yet "
                                    "responded to version {version} of the proposal: please do so in this thread "
                                    "as soon as you can.",
        "delib.msg.check.title": "Checking the realisation: topic #{topic_id} {title}",
        "delib.msg.check.due": "This check is planned for today:",
        "delib.msg.check.howto": "What do we see of our advice? Share it in this thread; the secretary records "
                                 "the outcome.",
        "delib.deadline.advice": "Advice period ends: {title}",
        "delib.deadline.board_reply": "Written reply of the board expected: {title}",
        "delib.deadline.check": "Checking the realisation: {title}",
        "delib.web.title": "Apply to join the council",
        "delib.web.intro": "Would you like to think along and decide in the {council}? Apply here. A selection "
                           "committee from outside the council reads every application and invites you for a "
                           "conversation.",
        "delib.web.privacy": "Only the secretary and the selection committee read what you enter here. If you are "
                             "not appointed, we erase your details {days} days after the decision. You can always "
                             "withdraw your application; then we erase them at once.",
        "delib.web.skip": "Skip to the form",
        "delib.web.other_language": "Nederlands",
        "delib.web.required": "required",
        "delib.web.errors_one": "There is 1 error in the form:",
        "delib.web.errors_many": "There are {count} errors in the form:",
        "delib.web.name": "Your name",
        "delib.web.name_hint": "As you would like to be called in the council.",
        "delib.web.member_type": "You are a",
        "delib.web.member_type_hint": "The council has seats for tenants, owners and business owners.",
        "delib.web.member_type.huurder": "Tenant",
        "delib.web.member_type.koper": "Owner",
        "delib.web.member_type.ondernemer": "Business owner",
        "delib.web.contact": "How can we reach you?",
        "delib.web.contact_hint": "An e-mail address or phone number, for the invitation to the conversation.",
        "delib.web.matrix_id": "Your Matrix address (optional)",
        "delib.web.matrix_id_hint": "The council talks in a chat (Element). If you already have an address, such as "
                                    "@name:example.org, fill it in. If not, the secretary will help you.",
        "delib.web.motivation": "Why would you like to join? (optional)",
        "delib.web.motivation_hint": "In a few sentences. At most {limit} characters.",
        "delib.web.consent": "I consent to these details being kept for the selection. If I am not appointed, they "
                             "are erased {days} days after the decision.",
        "delib.web.honeypot": "Website (leave this field empty)",
        "delib.web.submit": "Send application",
        "delib.web.csrf": "The form had expired. Please try again; what you entered is still there.",
        "delib.web.honeypot_refused": "This form could not be sent.",
        "delib.web.contact_required": "Enter an e-mail address or phone number so we can invite you.",
        "delib.web.consent_required": "Please consent to us keeping your details; otherwise we cannot handle your "
                                      "application.",
        "delib.web.invalid.name": "Enter your name (at most 120 characters).",
        "delib.web.invalid.member_type": "Choose whether you are a tenant, an owner or a business owner.",
        "delib.web.invalid.contact": "Your e-mail address or phone number is too long or holds characters that "
                                     "cannot be used.",
        "delib.web.invalid.matrix_id": "This is not a Matrix address. It looks like @name:example.org; leave it empty "
                                       "if you do not have one yet.",
        "delib.web.invalid.motivation": "Your motivation is too long (at most 2000 characters).",
        "delib.web.invalid.form": "Something in the form is not right. Could you check the fields?",
        "delib.web.rate_limited_title": "Please wait",
        "delib.web.error_title": "That did not work",
        "delib.web.not_found_title": "Not found",
        "delib.web.reference_unknown": "We do not know this application (any more). Was it withdrawn or erased?",
        "delib.web.already_received_title": "Received already",
        "delib.web.already_received": "We have received this application already. The link to your own page was "
                                      "on the page you saw after sending it.",
        "delib.web.back_to_form": "To the application form",
        "delib.web.status_title": "Your application",
        "delib.web.thanks": "Thank you! We have received your application.",
        "delib.web.keep_link": "Keep the address of this page: here you see where it stands, and here you can "
                               "withdraw your application.",
        "delib.web.received": "Received on",
        "delib.web.status": "Where it stands",
        "delib.web.status.ontvangen": "Received. The selection committee is reading your application.",
        "delib.web.status.gesprek": "You will be invited for a conversation with the selection committee.",
        "delib.web.status.benoemd": "You have been appointed. Welcome! You will get an invitation to the council's "
                                    "chat.",
        "delib.web.status.niet_benoemd": "You have not been appointed this time. Thank you for applying.",
        "delib.web.next_title": "What happens now?",
        "delib.web.next": "The selection committee looks at every application and invites candidates for a "
                          "conversation. Then the {council} appoints new members. We will let you know through "
                          "the contact you gave.",
        "delib.web.withdraw_title": "Withdraw the application",
        "delib.web.withdraw_hint": "If you withdraw, we erase your name, contact and motivation at once. Otherwise "
                                   "we erase them {days} days after a decision not to appoint you.",
        "delib.web.withdraw": "Withdraw my application",
        "delib.web.withdrawn_title": "Withdrawn",
        "delib.web.withdrawn": "Your application has been withdrawn and your details have been erased.",
        "delib.web.appointed_already": "You have been appointed already. If you want to stop, tell the secretary.",
        "delib.api.secretary_only_applications": "Only the secretary sees the applications and records the "
                                                 "selection committee's decision.",
        "delib.msg.appointed": "{name} has been appointed to the council: seat {seat}{group}. The invitation to "
                               "this chat has been sent. Until {name} joins, rounds show them under \"not in the "
                               "chat yet\": nobody waits for them and they do not count for the quorum.",
        "delib.msg.welcome.title": "Welcome to the council, {name}!",
        "delib.msg.welcome.seat": "You hold seat {seat}{group}.",
        "delib.msg.welcome.more": "I have sent you a direct message on how things work here. Type !hulp for all "
                                  "commands.",
        "delib.msg.howto.title": "Welcome to {council}: how the council works in this chat",
        "delib.msg.howto.rounds": "We discuss a proposal in a round: one thread per proposal. Respond in that "
                                  "thread with !eens (agree), !bedenking <text> (concern), !opzij (stand aside), "
                                  "!bezwaar <argument> (objection) or !info <question>. We do not vote: a decision "
                                  "is made when nobody has a paramount objection.",
        "delib.msg.howto.quorum": "A decision needs every present member to have responded, no objection open, "
                                  "and at least {quorum} members present. Whoever sent apologies with !afmelden or "
                                  "is not in the chat yet does not count and is not waited for.",
        "delib.msg.howto.agenda": "!agenda shows what the council works on, !kalender the meetings, !besluiten what "
                                  "the council decided.",
        "delib.msg.howto.help": "Type !hulp for all commands. Questions? Ask in the chat or ask the secretary.",
    },
}


def register_messages() -> None:
    i18n.register(CATALOG)


def _title(title: str) -> str:
    return defang(one_line(title))


def round_opened(lang: str, *, round_id: int, title: str, proposal: str, phase_label: str,
                 deadline: datetime, advice_id: int | None = None, background: Sequence[str] = ()) -> Rich:
    """The round's first message: the proposal, the topic's background in short (one line each), the phase and
    deadline, how to respond, and the phase words explained once (here, not in every reply)."""
    rich = Rich().heading(i18n.t("delib.msg.round_opened.title", lang, round_id=round_id, title=_title(title)))
    if advice_id is not None:
        rich.line(i18n.t("delib.msg.round_opened.draft", lang, advice_id=advice_id))
    rich.line(i18n.t("delib.msg.round_opened.proposal", lang))
    rich.quote(proposal)
    for line in background:
        rich.line(defang(line))
    rich.line(i18n.t("delib.msg.round_opened.phase", lang, phase=phase_label,
                     deadline=i18n.fmt_datetime(deadline, lang)))
    rich.line(i18n.t("delib.msg.round_opened.howto", lang))
    rich.line(i18n.t("delib.msg.round_opened.phases", lang))
    return rich


def deadline_moved(lang: str, *, round_id: int, deadline: datetime, scenarios: bool = False) -> Rich:
    code = "delib.msg.scenarios.deadline_moved" if scenarios else "delib.msg.deadline_moved"
    return Rich().line(i18n.t(code, lang, round_id=round_id, deadline=i18n.fmt_datetime(deadline, lang)))


# ---- advice trajectories


def advice_opened(lang: str, *, advice_id: int, title: str, kind: str, topic_id: int, topic_title: str,
                  mode_label: str, received_on: date, deadline: date, weeks: int) -> Rich:
    rich = Rich().heading(i18n.t(f"delib.msg.advice.title.{kind}", lang, advice_id=advice_id, title=_title(title)))
    rich.line(i18n.t("delib.msg.advice.topic", lang, topic_id=topic_id, topic_title=_title(topic_title),
                     mode=mode_label))
    rich.line(i18n.t(f"delib.msg.advice.dates.{kind}", lang, received=i18n.fmt_date(received_on, lang),
                     deadline=i18n.fmt_date(deadline, lang), weeks=weeks))
    rich.line(i18n.t("delib.msg.advice.reply_rule", lang))
    rich.line(i18n.t("delib.msg.advice.howto", lang, advice_id=advice_id))
    return rich


def draft_opened(lang: str, *, advice_id: int, round_id: int) -> Rich:
    return Rich().line(i18n.t("delib.msg.advice.draft_opened", lang, advice_id=advice_id, round_id=round_id))


def draft_agreed(lang: str, *, advice_id: int, round_id: int, version: int, deadline: date) -> Rich:
    return Rich().line(i18n.t("delib.msg.advice.draft_agreed", lang, advice_id=advice_id, round_id=round_id,
                              version=version, deadline=i18n.fmt_date(deadline, lang)))


def advice_sent(lang: str, *, advice_id: int, sent_on: date, reply_due: date, late_after: date | None) -> Rich:
    rich = Rich().line(i18n.t("delib.msg.advice.sent", lang, advice_id=advice_id, sent=i18n.fmt_date(sent_on, lang),
                              due=i18n.fmt_date(reply_due, lang)))
    if late_after is not None:
        rich.line(i18n.t("delib.msg.advice.sent_late", lang, deadline=i18n.fmt_date(late_after, lang)))
    return rich


def board_reply(lang: str, *, advice_id: int, title: str, kind: str, text: str | None, on: date, due: date,
                late: bool) -> Rich:
    rich = Rich().line(i18n.t(f"delib.msg.advice.reply.{kind}", lang, advice_id=advice_id, title=_title(title),
                              on=i18n.fmt_date(on, lang)))
    if text:
        rich.quote(text)
    if late:
        rich.line(i18n.t("delib.msg.advice.reply_late", lang, due=i18n.fmt_date(due, lang)))
    return rich


def board_reply_room(lang: str, *, advice_id: int, title: str, kind: str, late: bool, due: date) -> Rich:
    rich = Rich().line(i18n.t(f"delib.msg.advice.reply_room.{kind}", lang, advice_id=advice_id, title=_title(title)))
    if late:
        rich.line(i18n.t("delib.msg.advice.reply_late", lang, due=i18n.fmt_date(due, lang)))
    return rich


def advice_overdue(lang: str, *, advice_id: int, title: str, sent_on: date, due: date) -> Rich:
    rich = Rich().line(i18n.t("delib.msg.advice.overdue", lang, advice_id=advice_id, title=_title(title),
                              sent=i18n.fmt_date(sent_on, lang), due=i18n.fmt_date(due, lang)))
    rich.line(i18n.t("delib.msg.advice.overdue_howto", lang))
    return rich


def advice_check_planned(lang: str, *, advice_id: int, due_on: date) -> Rich:
    return Rich().line(i18n.t("delib.msg.advice.check_planned", lang, advice_id=advice_id,
                              due=i18n.fmt_date(due_on, lang)))


def advice_check_due(lang: str, *, advice_id: int, title: str) -> Rich:
    rich = Rich().line(i18n.t("delib.msg.advice.check_due", lang, advice_id=advice_id, title=_title(title)))
    rich.line(i18n.t("delib.msg.advice.check_howto", lang, advice_id=advice_id))
    return rich


def advice_outcome(lang: str, *, advice_id: int, title: str, outcome: str, note: str, on: date) -> Rich:
    rich = Rich().line(i18n.t("delib.msg.advice.outcome", lang, advice_id=advice_id, title=_title(title),
                              on=i18n.fmt_date(on, lang), outcome=i18n.t(f"delib.outcome.{outcome}", lang)))
    rich.quote(note)
    return rich


def amended(lang: str, *, round_id: int, version: int, text: str,
            carried: Iterable[tuple[int, int]] = ()) -> Rich:
    """``carried``: (objection id, version objected to) of each objection that stays open. No names: the
    objectors are notified through the message's mentions, and the outbox keeps no personal data."""
    rich = Rich().heading(i18n.t("delib.msg.amended.title", lang, round_id=round_id, version=version))
    rich.quote(text)
    rich.line(i18n.t("delib.msg.amended.again", lang))
    for objection_id, old in carried:
        rich.line(i18n.t("delib.msg.amended.carried", lang, objection_id=objection_id, old=old,
                         version=version))
    return rich


def decided(lang: str, *, round_id: int, title: str, text: str, version: int, on: date,
            with_concerns: bool) -> Rich:
    rich = Rich().heading(i18n.t("delib.msg.decided.title", lang, round_id=round_id, title=_title(title)))
    rich.line(i18n.t("delib.msg.decided.text", lang, date=i18n.fmt_date(on, lang), version=version))
    rich.quote(text)
    rich.line(i18n.t("delib.msg.decided.concerns" if with_concerns else "delib.msg.decided.register", lang))
    return rich


def abandoned(lang: str, *, round_id: int, topic_id: int) -> Rich:
    return Rich().line(i18n.t("delib.msg.abandoned", lang, round_id=round_id, topic_id=topic_id))


def reminder(lang: str, *, round_id: int, title: str, version: int, deadline: datetime, passed: bool) -> Rich:
    rich = Rich().heading(i18n.t("delib.msg.reminder.title", lang, round_id=round_id, title=_title(title)))
    rich.line(i18n.t("delib.msg.reminder.after" if passed else "delib.msg.reminder.before", lang,
                     deadline=i18n.fmt_datetime(deadline, lang), version=version))
    return rich


def check_due(lang: str, *, topic_id: int, title: str, description: str) -> Rich:
    rich = Rich().heading(i18n.t("delib.msg.check.title", lang, topic_id=topic_id, title=_title(title)))
    rich.line(i18n.t("delib.msg.check.due", lang))
    rich.quote(description)
    rich.line(i18n.t("delib.msg.check.howto", lang))
    return rich


def _group(group: str) -> str:
    return f" ({_title(group)})" if group else ""


def appointed(lang: str, *, name: str, seat: int | None, group: str) -> Rich:
    return Rich().line(i18n.t("delib.msg.appointed", lang, name=_title(name), seat=seat or "-", group=_group(group)))


def welcome(lang: str, *, name: str, seat: int | None, group: str) -> Rich:
    rich = Rich().heading(i18n.t("delib.msg.welcome.title", lang, name=_title(name)))
    if seat is not None:
        rich.line(i18n.t("delib.msg.welcome.seat", lang, seat=seat, group=_group(group)))
    rich.line(i18n.t("delib.msg.welcome.more", lang))
    return rich


def howto(lang: str, *, council: str, quorum: int) -> Rich:
    """The direct message a new member gets when they join: how the council works here, briefly."""
    rich = Rich().heading(i18n.t("delib.msg.howto.title", lang, council=_title(council)))
    rich.line(i18n.t("delib.msg.howto.rounds", lang))
    rich.line(i18n.t("delib.msg.howto.quorum", lang, quorum=quorum))
    rich.line(i18n.t("delib.msg.howto.agenda", lang))
    rich.line(i18n.t("delib.msg.howto.help", lang))
    return rich


# ---- scenario rounds (co-creation) and influence on the record

SCENARIO_CATALOG: dict[str, dict[str, str]] = {
    "nl": {
        "delib.api.secretary_only_influence": "Alleen de secretaris legt de gerealiseerde invloed vast.",
        "delib.api.scenarios_closed_for_absence": "Scenarioronde {round_id} is al afgesloten; afmelden is niet meer "
                                                  "nodig.",
        "delib.msg.scenarios.title": "Scenarioronde {round_id}: {title}",
        "delib.msg.scenarios.deadline_moved": "De deadline van scenarioronde {round_id} is verplaatst naar "
                                              "{deadline}. Wie een melding krijgt, heeft nog niet op elke optie "
                                              "gereageerd.",
        "delib.msg.scenarios.topic": "Over onderwerp #{topic_id} {topic_title}. Reageer vóór {deadline}.",
        "delib.msg.scenarios.howto": "De secretaris zet de scenario's hier neer met !optie <tekst> (van het bestuur: "
                                     "!optie bestuur: <tekst>). Geef per optie je standpunt: !eens 2, !bedenking 2 "
                                     "<tekst>, !opzij 2, !bezwaar 2 <argument>, !info 2 <vraag>. Met !voorkeur 2 zeg "
                                     "je welke optie je het liefst hebt. !stand laat per optie zien wie nog niet "
                                     "reageerde, de bezwaren en de bedenkingen. Er wordt niet gestemd.",
        "delib.msg.scenarios.end": "De raad komt uit op overeenstemming over één optie (!besluit <optie>), of sluit "
                                   "af als ‘meegedacht’ (!meegedacht): dan gaat de mening van de raad over elke "
                                   "optie naar het bestuur.",
        "delib.msg.option.added": "Optie {option} ({source}):",
        "delib.msg.option.amended": "Nieuwe versie van optie {option} in scenarioronde {round_id}: versie {version}",
        "delib.msg.option.again": "Eerdere standpunten op deze optie gelden niet meer. Geef opnieuw je standpunt "
                                  "over optie {option}.",
        "delib.msg.option.carried": "Bezwaar {objection_id} blijft staan tot wie het maakte zegt of deze versie "
                                    "het oplost (!opgelost, of een nieuw standpunt).",
        "delib.msg.option.merged": "Opties {merged} zijn samengevoegd in een nieuwe optie {option}:",
        "delib.msg.option.merged_again": "Standpunten en voorkeuren voor de samengevoegde opties gelden niet meer. "
                                         "Geef je standpunt over optie {option}.",
        "delib.msg.scenarios.agreed": "Overeenstemming in scenarioronde {round_id}: {title}",
        "delib.msg.scenarios.agreed.text": "Vastgelegd op {date}: optie {option}, versie {version}:",
        "delib.msg.scenarios.agreed.register": "Het besluit staat in de besluitenlijst, met de bezwaren en "
                                               "bedenkingen bij elke optie.",
        "delib.msg.scenarios.input": "Scenarioronde {round_id} is afgesloten als ‘meegedacht’: {title}",
        "delib.msg.scenarios.input.text": "Op {date} gaat de mening van de raad over elke optie als inbreng naar "
                                          "het bestuur:",
        "delib.msg.scenarios.input.option": "optie {option}: {text}",
        "delib.msg.scenarios.input.no_objection": "niemand heeft bezwaar",
        "delib.msg.scenarios.input.objection": "er staan bezwaren",
        "delib.msg.scenarios.input.concerns": "met bedenkingen",
        "delib.msg.scenarios.input.register": "De standpunten, bezwaren en bedenkingen per optie staan in de "
                                              "besluitenlijst (!besluiten). Onderwerp #{topic_id} blijft actief tot "
                                              "het bestuur reageert; leg daarna de invloed vast met !invloed.",
        "delib.msg.scenarios.abandoned": "Scenarioronde {round_id} is gestopt zonder besluit. Onderwerp #{topic_id} "
                                         "staat weer op actief.",
        "delib.msg.scenarios.reminder.title": "Herinnering voor scenarioronde {round_id}: {title}",
        "delib.msg.scenarios.reminder.before": "De deadline is {deadline}. Wie een melding krijgt, heeft nog niet op "
                                               "elke optie gereageerd. Nog open: optie {options}.",
        "delib.msg.scenarios.reminder.after": "De deadline ({deadline}) is voorbij. Wie een melding krijgt, heeft nog "
                                              "niet op elke optie gereageerd. Nog open: optie {options}.",
    },
    "en": {
        "delib.api.secretary_only_influence": "Only the secretary records the realised influence.",
        "delib.api.scenarios_closed_for_absence": "Scenario round {round_id} is already closed; no need to excuse "
                                                  "yourself.",
        "delib.msg.scenarios.title": "Scenario round {round_id}: {title}",
        "delib.msg.scenarios.deadline_moved": "The deadline of scenario round {round_id} has moved to {deadline}. "
                                              "If you were notified, you have not responded on every option yet.",
        "delib.msg.scenarios.topic": "On topic #{topic_id} {topic_title}. Please respond before {deadline}.",
        "delib.msg.scenarios.howto": "The secretary puts the scenarios here with !optie <text> (the board's: "
                                     "!optie bestuur: <text>). Give your position per option: !eens 2 (agree), "
                                     "!bedenking 2 <text> (concern), !opzij 2 (stand aside), !bezwaar 2 <argument> "
                                     "(objection), !info 2 <question>. With !voorkeur 2 you say which option you "
                                     "prefer. !stand shows per option who has not responded, the objections and the "
                                     "concerns. There is no vote.",
        "delib.msg.scenarios.end": "The council ends with agreement on one option (!besluit <option>), or closes as "
                                   "‘meegedacht’ (!meegedacht): then the council's view on every option goes to "
                                   "the board.",
        "delib.msg.option.added": "Option {option} ({source}):",
        "delib.msg.option.amended": "New version of option {option} in scenario round {round_id}: version {version}",
        "delib.msg.option.again": "Earlier positions on this option no longer count. Please give your position on "
                                  "option {option} again.",
        "delib.msg.option.carried": "Objection {objection_id} stays open until its author says whether this version "
                                    "resolves it (!opgelost, or a new position).",
        "delib.msg.option.merged": "Options {merged} were merged into a new option {option}:",
        "delib.msg.option.merged_again": "Positions and preferences for the merged options no longer count. Please "
                                         "give your position on option {option}.",
        "delib.msg.scenarios.agreed": "Agreement in scenario round {round_id}: {title}",
        "delib.msg.scenarios.agreed.text": "Recorded on {date}: option {option}, version {version}:",
        "delib.msg.scenarios.agreed.register": "The decision is in the decision list, with the objections and "
                                               "concerns on every option.",
        "delib.msg.scenarios.input": "Scenario round {round_id} closed as ‘meegedacht’ (input given): {title}",
        "delib.msg.scenarios.input.text": "On {date} the council's view on every option goes to the board as input:",
        "delib.msg.scenarios.input.option": "option {option}: {text}",
        "delib.msg.scenarios.input.no_objection": "nobody objects",
        "delib.msg.scenarios.input.objection": "there are objections",
        "delib.msg.scenarios.input.concerns": "with concerns",
        "delib.msg.scenarios.input.register": "The positions, objections and concerns per option are in the decision "
                                              "list (!besluiten). Topic #{topic_id} stays active until the board "
                                              "answers; then record the influence with !invloed.",
        "delib.msg.scenarios.abandoned": "Scenario round {round_id} stopped without a decision. Topic #{topic_id} is "
                                         "active again.",
        "delib.msg.scenarios.reminder.title": "Reminder for scenario round {round_id}: {title}",
        "delib.msg.scenarios.reminder.before": "The deadline is {deadline}. If you were notified, you have not yet "
                                               "responded on every option. Still open: option {options}.",
        "delib.msg.scenarios.reminder.after": "The deadline ({deadline}) has passed. If you were notified, you have "
                                              "not yet responded on every option. Still open: option {options}.",
    },
}
for _lang in CATALOG:
    CATALOG[_lang].update(SCENARIO_CATALOG[_lang])


def scenarios_opened(lang: str, *, round_id: int, topic_id: int, topic_title: str, title: str,
                     deadline: datetime) -> Rich:
    """The scenario round's first message (its thread root): what it is about and how it works, once."""
    rich = Rich().heading(i18n.t("delib.msg.scenarios.title", lang, round_id=round_id, title=_title(title)))
    rich.line(i18n.t("delib.msg.scenarios.topic", lang, topic_id=topic_id, topic_title=_title(topic_title),
                     deadline=i18n.fmt_datetime(deadline, lang)))
    rich.line(i18n.t("delib.msg.scenarios.howto", lang))
    rich.line(i18n.t("delib.msg.scenarios.end", lang))
    return rich


def option_added(lang: str, *, round_id: int, option: int, text: str, source_label: str) -> Rich:
    rich = Rich().line(i18n.t("delib.msg.option.added", lang, option=option, source=source_label))
    rich.quote(text)
    return rich


def option_amended(lang: str, *, round_id: int, option: int, version: int, text: str,
                   carried: Iterable[tuple[int, int]] = ()) -> Rich:
    """No names: the objectors are notified through the message's mentions."""
    rich = Rich().heading(i18n.t("delib.msg.option.amended", lang, round_id=round_id, option=option,
                                 version=version))
    rich.quote(text)
    rich.line(i18n.t("delib.msg.option.again", lang, option=option))
    for objection_id, _old in carried:
        rich.line(i18n.t("delib.msg.option.carried", lang, objection_id=objection_id))
    return rich


def options_merged(lang: str, *, round_id: int, option: int, merged: Iterable[int], text: str,
                   carried: Iterable[tuple[int, int]] = ()) -> Rich:
    rich = Rich().line(i18n.t("delib.msg.option.merged", lang, option=option,
                              merged=", ".join(str(n) for n in merged)))
    rich.quote(text)
    rich.line(i18n.t("delib.msg.option.merged_again", lang, option=option))
    for objection_id, _old in carried:
        rich.line(i18n.t("delib.msg.option.carried", lang, objection_id=objection_id))
    return rich


def scenarios_agreed(lang: str, *, round_id: int, title: str, option: int, version: int, text: str,
                     on: date) -> Rich:
    rich = Rich().heading(i18n.t("delib.msg.scenarios.agreed", lang, round_id=round_id, title=_title(title)))
    rich.line(i18n.t("delib.msg.scenarios.agreed.text", lang, date=i18n.fmt_date(on, lang), option=option,
                     version=version))
    rich.quote(text)
    rich.line(i18n.t("delib.msg.scenarios.agreed.register", lang))
    return rich


def scenarios_input(lang: str, *, round_id: int, title: str, topic_id: int,
                    options: Iterable[tuple[int, str, bool, bool]], on: date) -> Rich:
    """``options``: (number, text, objections stand, concerns noted). No names and no counts in the room: the
    decision list has the positions by name."""
    rich = Rich().heading(i18n.t("delib.msg.scenarios.input", lang, round_id=round_id, title=_title(title)))
    rich.line(i18n.t("delib.msg.scenarios.input.text", lang, date=i18n.fmt_date(on, lang)))
    items = []
    for number, text, objected, concerns in options:
        view = [i18n.t("delib.msg.scenarios.input.objection" if objected
                       else "delib.msg.scenarios.input.no_objection", lang)]
        if concerns:
            view.append(i18n.t("delib.msg.scenarios.input.concerns", lang))
        items.append(i18n.t("delib.msg.scenarios.input.option", lang, option=number, text=_title(text))
                     + " – " + ", ".join(view))
    rich.items(items)
    rich.line(i18n.t("delib.msg.scenarios.input.register", lang, topic_id=topic_id))
    return rich


def scenarios_abandoned(lang: str, *, round_id: int, topic_id: int) -> Rich:
    return Rich().line(i18n.t("delib.msg.scenarios.abandoned", lang, round_id=round_id, topic_id=topic_id))


def scenarios_reminder(lang: str, *, round_id: int, title: str, deadline: datetime, passed: bool,
                       options: Iterable[int]) -> Rich:
    rich = Rich().heading(i18n.t("delib.msg.scenarios.reminder.title", lang, round_id=round_id, title=_title(title)))
    rich.line(i18n.t("delib.msg.scenarios.reminder.after" if passed else "delib.msg.scenarios.reminder.before", lang,
                     deadline=i18n.fmt_datetime(deadline, lang), options=", ".join(str(n) for n in options)))
    return rich
