"""What the bot says for the deliberation commands (services/bot/features/deliberation.py), Dutch and English."""
from __future__ import annotations

CATALOG: dict[str, dict[str, str]] = {
    "nl": {
        # ---- help lines
        "bot.deliberation.cmd.agenda": "de actieve onderwerpen en de wachtlijst",
        "bot.deliberation.cmd.onderwerp": "zet een nieuw onderwerp op de wachtlijst",
        "bot.deliberation.cmd.score": "geef een onderwerp een score voor belang en (verwachte) invloed",
        "bot.deliberation.cmd.activeer": "maak een onderwerp actief (de raad doet niet te veel tegelijk)",
        "bot.deliberation.cmd.parkeer": "parkeer een onderwerp: terug naar de wachtlijst",
        "bot.deliberation.cmd.ronde": "open een overlegronde: het voorstel wordt een nieuwe draad",
        "bot.deliberation.cmd.eens": "je stemt in met het voorstel",
        "bot.deliberation.cmd.bedenking": "je stemt in, met een bedenking voor het verslag",
        "bot.deliberation.cmd.opzij": "je staat opzij: je houdt het besluit niet tegen",
        "bot.deliberation.cmd.bezwaar": "overwegend bezwaar, met je argument: het houdt het besluit tegen tot het "
                                        "is opgelost",
        "bot.deliberation.cmd.info": "je wilt eerst meer informatie; de ronde gaat terug naar beeldvorming",
        "bot.deliberation.cmd.intrekken": "trek je eigen bezwaar in",
        "bot.deliberation.cmd.voorstel": "maak een nieuwe versie van het voorstel (secretaris of opener)",
        "bot.deliberation.cmd.stand": "wie nog niet reageerde, de bedenkingen en de open bezwaren",
        "bot.deliberation.cmd.besluit": "leg de overeenstemming vast",
        "bot.deliberation.cmd.verder": "zet de ronde naar de volgende fase (secretaris of opener)",
        "bot.deliberation.cmd.opgelost": "je eigen bezwaar is opgelost (bijvoorbeeld door de nieuwe versie); of, als "
                                         "secretaris of opener: noteer hoe de raad een bezwaar oploste",
        "bot.deliberation.cmd.aanmeldingen": "de aanmeldingen voor de raad (secretaris)",
        "bot.deliberation.cmd.selectie": "leg het besluit van de selectiecommissie vast: gesprek, benoemd of "
                                         "afgewezen; bij benoemd nodig ik het nieuwe lid uit (secretaris)",
        "bot.deliberation.cmd.afmelden": "meld je af voor een ronde (afwezig met bericht)",
        "bot.deliberation.cmd.leden": "de zetels, de leden en welke klantgroepen nog geen zetelhouder hebben",
        "bot.deliberation.cmd.lid": "voeg een lid toe",
        "bot.deliberation.cmd.termijn": "verplaats de deadline van een ronde naar het eind van een dag (secretaris "
                                        "of opener)",
        "bot.deliberation.cmd.besluiten": "de besluitenlijst, nieuwste eerst, met bedenkingen en hoe bezwaren zijn "
                                          "opgelost",
        "bot.deliberation.cmd.advies": "leg een advies- of instemmingsverzoek van het bestuur vast; de draad toont "
                                       "de wettelijke termijnen (secretaris)",
        "bot.deliberation.cmd.concept": "in de draad van een advies: open een overlegronde over het conceptadvies",
        "bot.deliberation.cmd.verstuurd": "in de draad van een advies: het advies is verstuurd (na overeenstemming; "
                                          "secretaris)",
        "bot.deliberation.cmd.reactie": "in de draad van een advies: de schriftelijke reactie van het bestuur; "
                                        "wijkt het af, dan met de redenen (secretaris)",
        "bot.deliberation.cmd.toets": "plan een toets van de realisatie van een advies (secretaris)",
        "bot.deliberation.cmd.uitkomst": "leg de uitkomst van een toets vast",
        "bot.deliberation.cmd.adviezen": "de lopende adviezen, met fase en eerstvolgende datum",
        "bot.deliberation.cmd.beloften": "wat het bestuur toezegde en wat de toetsen lieten zien",
        "bot.group.advies": "Advies en het bestuur",
        "bot.deliberation.bad_date": "‘{given}’ herken ik niet als datum. Schrijf bijvoorbeeld 12-3-2026, "
                                     "2026-03-12, vandaag of gisteren.",
        "bot.deliberation.no_such_advice": "Ik ken geen advies {number}. Met !adviezen zie je de nummers.",
        "bot.deliberation.advice_needed": "Dit werkt in de draad van een advies. Reageer in die draad, of noem het "
                                          "nummer van het advies, bijvoorbeeld: !{word} 4. Met !adviezen zie je de "
                                          "nummers.",
        "bot.deliberation.usage.advies": "Zo leg je een adviesaanvraag vast: !advies <onderwerp-nr> <titel> "
                                         "[ontvangen <datum>] [instemming], bijvoorbeeld !advies 3 Servicekosten "
                                         "2026 ontvangen 2-3-2026.",
        "bot.deliberation.usage.concept": "Schrijf de tekst van het conceptadvies erbij: !concept <tekst>, in de "
                                          "draad van het advies.",
        "bot.deliberation.usage.reactie": "Zo leg je de reactie van het bestuur vast: !reactie volgt <toelichting> "
                                          "[datum] of !reactie wijktaf <redenen> [datum], in de draad van het "
                                          "advies.",
        "bot.deliberation.usage.toets": "Zo plan je een toets: !toets <advies-nr> <datum>, bijvoorbeeld !toets 4 "
                                        "1-9-2026.",
        "bot.deliberation.usage.uitkomst": "Zo leg je de uitkomst vast: !uitkomst <advies-nr> uitgevoerd|deels|niet "
                                           "<toelichting>.",
        "bot.deliberation.usage.termijn": "Zo verplaats je de deadline: !termijn <datum> in de draad van de ronde, "
                                          "of !termijn <ronde-nr> <datum>, bijvoorbeeld !termijn 12 20-3-2026.",
        "bot.deliberation.advies.registered": "Advies {advice_id} is vastgelegd: {kind} bij onderwerp #{topic_id}, "
                                              "{title}. Het advies is uiterlijk {deadline} nodig. De draad met de "
                                              "termijnen komt zo in de chat; open daar het concept met !concept "
                                              "<tekst>.",
        "bot.deliberation.concept.opened": "Het conceptadvies staat in ronde {round_id}. Het voorstel komt zo als "
                                           "nieuw bericht in de chat: reageer in die draad met !eens, !bedenking, "
                                           "!opzij, !bezwaar of !info.",
        "bot.deliberation.verstuurd": "Genoteerd: advies {advice_id} is verstuurd op {sent}. Het bestuur reageert "
                                      "uiterlijk {due} schriftelijk; komt er niets, dan meld ik dat hier en in de "
                                      "raad.",
        "bot.deliberation.reactie": "Genoteerd voor advies {advice_id}: {reply} (ontvangen {on}).",
        "bot.deliberation.reactie.late": "De reactie kwam na de termijn van 14 dagen ({due}).",
        "bot.deliberation.toets": "Toets {number} van advies {advice_id} staat gepland op {due}. Op die dag vraag "
                                  "ik in de draad van het advies naar de uitkomst.",
        "bot.deliberation.uitkomst": "Genoteerd voor advies {advice_id}: {outcome}. De uitkomst staat in de draad "
                                     "van het advies en bij !beloften.",
        "bot.deliberation.adviezen.title": "Lopende adviezen, eerstvolgende datum eerst:",
        "bot.deliberation.adviezen.none": "Er loopt nu geen advies. Leg een aanvraag vast met !advies "
                                          "<onderwerp-nr> <titel> [ontvangen <datum>].",
        "bot.deliberation.adviezen.next.deadline": "advies uiterlijk {date}",
        "bot.deliberation.adviezen.next.reply": "reactie van het bestuur uiterlijk {date}",
        "bot.deliberation.adviezen.next.check": "toets op {date}",
        "bot.deliberation.adviezen.next.none": "plan een toets met !toets {advice_id} <datum>",
        "bot.deliberation.adviezen.overdue": "reactie te laat",
        "bot.deliberation.beloften.title": "Wat het bestuur toezegde, en wat de toetsen lieten zien:",
        "bot.deliberation.beloften.none": "Het bestuur heeft nog op geen advies gereageerd.",
        "bot.deliberation.beloften.reply": "Advies {advice_id} ({title}): {reply}, {on}",
        "bot.deliberation.beloften.late": "te laat",
        "bot.deliberation.beloften.check_done": "toets {number} ({on}): {outcome}",
        "bot.deliberation.beloften.check_planned": "toets {number} gepland op {due}",
        "bot.deliberation.besluiten.title": "Besluitenlijst van {council}, nieuwste eerst",
        "bot.deliberation.besluiten.title_search": "Besluiten met ‘{query}’, nieuwste eerst",
        "bot.deliberation.besluiten.none": "Er staan nog geen besluiten in de besluitenlijst.",
        "bot.deliberation.besluiten.none_search": "Ik vond geen besluit met ‘{query}’.",
        "bot.deliberation.besluiten.entry": "{date} – onderwerp #{topic_id} {title} (ronde {round_id}, versie "
                                            "{version})",
        "bot.deliberation.besluiten.concern": "bedenking van {name}: {text}",
        "bot.deliberation.besluiten.objection": "bezwaar {id} van {name} ({argument}): {status}",
        "bot.deliberation.besluiten.no_objections": "geen bezwaren",
        "bot.deliberation.besluiten.more": "Er zijn nog {count} eerdere besluiten. Zoek met !besluiten <zoekwoord>.",
        "bot.deliberation.termijn": "De deadline van ronde {round_id} is nu {deadline}. Het eerste bericht van de "
                                    "ronde is bijgewerkt.",
        "bot.deliberation.scenarios.termijn": "De deadline van scenarioronde {round_id} is nu {deadline}. Het "
                                              "eerste bericht van de draad is bijgewerkt.",
        # ---- usage and refusals of the bot itself
        "bot.deliberation.round_needed": "Dit werkt in de draad van een ronde. Reageer in die draad, of noem het "
                                         "nummer van de ronde, bijvoorbeeld: !{word} 12.",
        "bot.deliberation.no_such_round": "Ik ken geen ronde {number}. Kijk het nummer nog even na.",
        "bot.deliberation.no_such_topic": "Ik ken geen onderwerp {number}. Kijk het nummer nog even na met !agenda.",
        "bot.deliberation.usage.onderwerp": "Geef het onderwerp een titel, bijvoorbeeld: !onderwerp Servicekosten "
                                            "2026.",
        "bot.deliberation.usage.score": "Zo geef je een score: !score <nr> belang <1-5> invloed <1-5>, bijvoorbeeld "
                                        "!score 3 belang 4 invloed 5.",
        "bot.deliberation.usage.topic_number": "Noem het nummer van het onderwerp, bijvoorbeeld: !{word} 3. Met "
                                               "!agenda zie je de nummers.",
        "bot.deliberation.usage.ronde": "Zo open je een ronde: !ronde <onderwerp-nr> <voorstel>, bijvoorbeeld "
                                        "!ronde 3 We vragen de corporatie om de servicekosten per wijk te tonen.",
        "bot.deliberation.usage.opgelost": "Zo zeg je dat je bezwaar is opgelost: !opgelost [toelichting] in de draad "
                                           "van de ronde. Als secretaris of opener noteer je een opgelost bezwaar "
                                           "van een ander met !opgelost <bezwaar-nr> <toelichting>.",
        "bot.deliberation.usage.selectie": "Zo leg je het besluit van de selectiecommissie vast: !selectie "
                                           "<aanmelding-nr> gesprek|benoemd|afgewezen [zetel <nr>] [toelichting], "
                                           "bijvoorbeeld !selectie 4 benoemd zetel 7. !aanmeldingen toont de nummers.",
        "bot.deliberation.usage.lid": "Zo voeg je een lid toe: !lid <matrix-id> <huurder|koper|ondernemer> [zetel], "
                                      "bijvoorbeeld !lid @jan:woonstad.nl huurder 4.",
        # ---- answers
        "bot.deliberation.agenda.title": "Agenda van {council}",
        "bot.deliberation.agenda.active": "Actief ({count} van maximaal {cap}):",
        "bot.deliberation.agenda.waiting": "Wachtlijst, op volgorde van belang en invloed:",
        "bot.deliberation.agenda.none_active": "Er is nu geen onderwerp actief.",
        "bot.deliberation.agenda.none_waiting": "De wachtlijst is leeg.",
        "bot.deliberation.agenda.in_round": "ronde {round_id}",
        "bot.deliberation.agenda.howto": "Nieuw onderwerp: !onderwerp <titel>. Score: !score <nr> belang <1-5> "
                                         "invloed <1-5>.",
        "bot.deliberation.topic.created": "Onderwerp #{topic_id} staat op de wachtlijst: {title}.",
        "bot.deliberation.topic.created.next": "Geef het een score met !score {topic_id} belang <1-5> invloed "
                                               "<1-5>, of maak het actief met !activeer {topic_id}.",
        "bot.deliberation.topic.scored": "Onderwerp #{topic_id} ({title}): {score_line}.",
        "bot.deliberation.topic.activated": "Onderwerp #{topic_id} ({title}) is nu actief. Open een ronde met "
                                            "!ronde {topic_id} <voorstel>.",
        "bot.deliberation.topic.parked": "Onderwerp #{topic_id} ({title}) is geparkeerd en staat weer op de "
                                         "wachtlijst.",
        "bot.deliberation.round.opened": "Ronde {round_id} over onderwerp #{topic_id} is geopend. Het voorstel komt "
                                         "zo als nieuw bericht in deze chat: reageer in die draad met !eens, "
                                         "!bedenking, !opzij, !bezwaar of !info.",
        "bot.deliberation.position.eens": "Genoteerd: je stemt in met versie {version} van het voorstel.",
        "bot.deliberation.position.bedenking": "Genoteerd: je stemt in met versie {version}, met een bedenking. Die "
                                               "komt in het verslag.",
        "bot.deliberation.position.opzij": "Genoteerd: je staat opzij bij versie {version} en houdt het besluit "
                                           "niet tegen.",
        "bot.deliberation.position.bezwaar": "Je bezwaar staat genoteerd als bezwaar {objection_id}. Het blijft "
                                             "openstaan tot het is opgelost of tot je het intrekt met !intrekken.",
        "bot.deliberation.position.info": "Je vraag staat genoteerd. De ronde is in beeldvorming tot er antwoord is.",
        "bot.deliberation.withdrawn": "Je bezwaar is ingetrokken. Geef opnieuw je standpunt met !eens, !bedenking, "
                                      "!opzij of !bezwaar.",
        "bot.deliberation.resolved": "Bezwaar {objection_id} staat als opgelost genoteerd. Wie het bezwaar maakte, "
                                     "wordt gevraagd opnieuw te reageren.",
        "bot.deliberation.resolved_own": "Genoteerd: je bezwaar {objection_id} is opgelost. Het staat zo in de "
                                         "besluitenlijst. Geef nu je standpunt op versie {version} (!eens, !opzij of "
                                         "!bedenking).",
        "bot.deliberation.stand.carried": "op versie {old}; lost versie {version} het op? Dan !opgelost",
        "bot.deliberation.stand.not_in_chat": "Nog niet in de chat (benoemd, er wordt niet op gewacht):",
        "bot.deliberation.besluiten.file": "De besluitenlijst van {council}, als bestand.",
        "bot.deliberation.besluiten.file_hint": "Met !besluiten bestand krijg je de hele lijst als bestand.",
        "bot.deliberation.aanmeldingen.title": "Aanmeldingen voor {council}",
        "bot.deliberation.aanmeldingen.none": "Er zijn geen aanmeldingen.",
        "bot.deliberation.aanmeldingen.entry": "{id}. {name} ({member_type}), {date}: {status}",
        "bot.deliberation.aanmeldingen.howto": "Leg het besluit van de selectiecommissie vast met !selectie "
                                               "<nr> gesprek|benoemd|afgewezen.",
        "bot.deliberation.selectie.gesprek": "Aanmelding {id} ({name}): uitgenodigd voor een gesprek.",
        "bot.deliberation.selectie.niet_benoemd": "Aanmelding {id} ({name}): niet benoemd. Dat is vastgelegd.",
        "bot.deliberation.selectie.benoemd": "Aanmelding {id}: {name} is benoemd in zetel {seat}. Ik nodig "
                                             "{name} uit voor deze chat; tot die er is, wacht geen ronde op "
                                             "{name}.",
        "bot.deliberation.selectie.no_matrix": "Aanmelding {id} heeft nog geen Matrix-adres. Benoemen kan met: "
                                               "!selectie {id} benoemd @naam:server",
        "bot.deliberation.amended": "Versie {version} van het voorstel staat in de draad. Iedereen geeft opnieuw "
                                    "een standpunt.",
        "bot.deliberation.phase": "Ronde {round_id} is nu in de fase {phase}.",
        "bot.deliberation.phase.decide": "Zodra niemand bezwaar heeft en iedereen gereageerd heeft, leg je met "
                                         "!besluit de overeenstemming vast.",
        "bot.deliberation.decided": "De overeenstemming in ronde {round_id} is vastgelegd (versie {version}). Het "
                                    "besluit staat in de besluitenlijst.",
        "bot.deliberation.absent": "Je bent afgemeld voor ronde {round_id}: je hoeft niet te reageren. Doe je toch "
                                   "mee? Geef dan gewoon je standpunt.",
        "bot.deliberation.stand.title": "Ronde {round_id}: {title}",
        "bot.deliberation.stand.facts": "Fase: {phase} · voorstel versie {version} · deadline {deadline}",
        "bot.deliberation.stand.closed": "Deze ronde is afgesloten: {state}.",
        "bot.deliberation.stand.not_responded": "Nog niet gereageerd:",
        "bot.deliberation.stand.everyone": "Iedereen die er is heeft gereageerd op deze versie.",
        "bot.deliberation.stand.absent": "Afwezig met bericht:",
        "bot.deliberation.stand.concerns": "Bedenkingen:",
        "bot.deliberation.stand.objections": "Open bezwaren:",
        "bot.deliberation.stand.no_objections": "Er staat geen bezwaar open.",
        "bot.deliberation.stand.info": "Vragen om meer informatie:",
        "bot.deliberation.stand.quorum": "Er zijn te weinig leden aanwezig om een besluit te nemen.",
        "bot.deliberation.stand.ready": "Niemand heeft bezwaar en iedereen heeft gereageerd: met !besluit leg je de "
                                        "overeenstemming vast.",
        "bot.deliberation.stand.deadline_passed": "De deadline is voorbij.",
        "bot.deliberation.rounds.title": "Lopende rondes:",
        "bot.deliberation.rounds.none": "Er loopt nu geen ronde. Open er een met !ronde <onderwerp-nr> <voorstel>.",
        "bot.deliberation.rounds.howto": "Typ !stand <nr> voor de stand van een ronde, of typ !stand in de draad "
                                         "ervan.",
        "bot.deliberation.leden.title": "Leden van {council}",
        "bot.deliberation.leden.seats": "Zetels:",
        "bot.deliberation.leden.vacant": "vacant",
        "bot.deliberation.leden.upcoming": "vacant, {name} begint later",
        "bot.deliberation.leden.no_seats": "Er zijn nog geen zetels ingedeeld.",
        "bot.deliberation.leden.without_seat": "Zonder zetel:",
        "bot.deliberation.leden.secretary": "secretaris",
        "bot.deliberation.leden.unrepresented": "Klantgroepen zonder zetelhouder:",
        "bot.deliberation.leden.all_represented": "Elke klantgroep met een zetel heeft een zetelhouder.",
        "bot.deliberation.lid.added": "{name} is toegevoegd als {member_type}.",
        "bot.deliberation.lid.added_seat": "{name} is toegevoegd als {member_type}, op zetel {seat_id}.",
    },
    "en": {
        "bot.deliberation.cmd.agenda": "the active topics and the waiting list",
        "bot.deliberation.cmd.onderwerp": "put a new topic on the waiting list",
        "bot.deliberation.cmd.score": "score a topic for importance and (expected) influence",
        "bot.deliberation.cmd.activeer": "make a topic active (the council does not take on too much at once)",
        "bot.deliberation.cmd.parkeer": "park a topic: back to the waiting list",
        "bot.deliberation.cmd.ronde": "open a consensus round: the proposal becomes a new thread",
        "bot.deliberation.cmd.eens": "you agree with the proposal",
        "bot.deliberation.cmd.bedenking": "you agree, with a concern for the minutes",
        "bot.deliberation.cmd.opzij": "you stand aside: you do not block the decision",
        "bot.deliberation.cmd.bezwaar": "paramount objection, with your argument: it blocks the decision until "
                                        "resolved",
        "bot.deliberation.cmd.info": "you want more information first; the round goes back to exploring",
        "bot.deliberation.cmd.intrekken": "withdraw your own objection",
        "bot.deliberation.cmd.voorstel": "make a new version of the proposal (secretary or opener)",
        "bot.deliberation.cmd.stand": "who has not responded yet, the concerns and the open objections",
        "bot.deliberation.cmd.besluit": "record the agreement",
        "bot.deliberation.cmd.verder": "move the round to its next phase (secretary or opener)",
        "bot.deliberation.cmd.opgelost": "your own objection is resolved (e.g. by the new version); or, as secretary "
                                         "or opener: record how the council resolved an objection",
        "bot.deliberation.cmd.aanmeldingen": "the applications to join the council (secretary)",
        "bot.deliberation.cmd.selectie": "record the selection committee's decision: interview, appointed or "
                                         "declined; when appointed I invite the new member (secretary)",
        "bot.deliberation.cmd.afmelden": "excuse yourself from a round (absent with notice)",
        "bot.deliberation.cmd.leden": "the seats, the members and which customer groups have no seat holder",
        "bot.deliberation.cmd.lid": "add a member",
        "bot.deliberation.cmd.termijn": "move a round's deadline to the end of a day (secretary or opener)",
        "bot.deliberation.cmd.besluiten": "the decision list, newest first, with concerns and how objections were "
                                          "resolved",
        "bot.deliberation.cmd.advies": "record an advice or consent request from the board; its thread shows the "
                                       "legal dates (secretary)",
        "bot.deliberation.cmd.concept": "in an advice's thread: open a consensus round on the draft advice",
        "bot.deliberation.cmd.verstuurd": "in an advice's thread: the advice was sent (after agreement; secretary)",
        "bot.deliberation.cmd.reactie": "in an advice's thread: the board's written reply; if it deviates, with its "
                                        "reasons (secretary)",
        "bot.deliberation.cmd.toets": "plan a check of how an advice is carried out (secretary)",
        "bot.deliberation.cmd.uitkomst": "record the outcome of a check",
        "bot.deliberation.cmd.adviezen": "the running advice trajectories, with stage and next date",
        "bot.deliberation.cmd.beloften": "what the board promised and what the checks found",
        "bot.group.advies": "Advice and the board",
        "bot.deliberation.bad_date": "I don't recognise ‘{given}’ as a date. Write for example 12-3-2026, "
                                     "2026-03-12, today or yesterday.",
        "bot.deliberation.no_such_advice": "I don't know an advice {number}. !advices shows the numbers.",
        "bot.deliberation.advice_needed": "This works in the thread of an advice. Reply in that thread, or give the "
                                          "advice's number, for example: !{word} 4. !advices shows the numbers.",
        "bot.deliberation.usage.advies": "To record an advice request: !advice <topic-nr> <title> [received <date>] "
                                         "[consent], for example !advice 3 Service charges 2026 received 2-3-2026.",
        "bot.deliberation.usage.concept": "Please add the text of the draft advice: !draft <text>, in the advice's "
                                          "thread.",
        "bot.deliberation.usage.reactie": "To record the board's reply: !reply follows <explanation> [date] or "
                                          "!reply deviates <reasons> [date], in the advice's thread.",
        "bot.deliberation.usage.toets": "To plan a check: !check <advice-nr> <date>, for example !check 4 1-9-2026.",
        "bot.deliberation.usage.uitkomst": "To record the outcome: !outcome <advice-nr> uitgevoerd|deels|niet "
                                           "<explanation> (done, partly, not).",
        "bot.deliberation.usage.termijn": "To move the deadline: !deadline <date> in the round's thread, or "
                                          "!deadline <round-nr> <date>, for example !deadline 12 20-3-2026.",
        "bot.deliberation.advies.registered": "Advice {advice_id} is recorded: {kind} on topic #{topic_id}, "
                                              "{title}. The advice is due by {deadline}. Its thread with the dates "
                                              "will appear in the room; open the draft there with !draft <text>.",
        "bot.deliberation.concept.opened": "The draft advice is in round {round_id}. The proposal will appear as a "
                                           "new message in the room: respond in its thread with !agree, !concern, "
                                           "!standaside, !object or !info.",
        "bot.deliberation.verstuurd": "Noted: advice {advice_id} was sent on {sent}. The board's written reply is "
                                      "due by {due}; if none comes, I will say so here and in the room.",
        "bot.deliberation.reactie": "Noted for advice {advice_id}: {reply} (received {on}).",
        "bot.deliberation.reactie.late": "The reply came after the 14-day term ({due}).",
        "bot.deliberation.toets": "Check {number} of advice {advice_id} is planned for {due}. On that day I will "
                                  "ask for the outcome in the advice's thread.",
        "bot.deliberation.uitkomst": "Noted for advice {advice_id}: {outcome}. The outcome is in the advice's "
                                     "thread and in !promises.",
        "bot.deliberation.adviezen.title": "Running advice trajectories, next date first:",
        "bot.deliberation.adviezen.none": "No advice is running. Record a request with !advice <topic-nr> <title> "
                                          "[received <date>].",
        "bot.deliberation.adviezen.next.deadline": "advice due by {date}",
        "bot.deliberation.adviezen.next.reply": "board's reply due by {date}",
        "bot.deliberation.adviezen.next.check": "check on {date}",
        "bot.deliberation.adviezen.next.none": "plan a check with !check {advice_id} <date>",
        "bot.deliberation.adviezen.overdue": "reply overdue",
        "bot.deliberation.beloften.title": "What the board promised, and what the checks found:",
        "bot.deliberation.beloften.none": "The board has not replied to any advice yet.",
        "bot.deliberation.beloften.reply": "Advice {advice_id} ({title}): {reply}, {on}",
        "bot.deliberation.beloften.late": "late",
        "bot.deliberation.beloften.check_done": "check {number} ({on}): {outcome}",
        "bot.deliberation.beloften.check_planned": "check {number} planned for {due}",
        "bot.deliberation.besluiten.title": "Decision list of {council}, newest first",
        "bot.deliberation.besluiten.title_search": "Decisions with ‘{query}’, newest first",
        "bot.deliberation.besluiten.none": "There are no decisions in the decision list yet.",
        "bot.deliberation.besluiten.none_search": "I found no decision with ‘{query}’.",
        "bot.deliberation.besluiten.entry": "{date} – topic #{topic_id} {title} (round {round_id}, version "
                                            "{version})",
        "bot.deliberation.besluiten.concern": "concern of {name}: {text}",
        "bot.deliberation.besluiten.objection": "objection {id} by {name} ({argument}): {status}",
        "bot.deliberation.besluiten.no_objections": "no objections",
        "bot.deliberation.besluiten.more": "There are {count} earlier decisions. Search with !decisions <word>.",
        "bot.deliberation.termijn": "The deadline of round {round_id} is now {deadline}. The round's first message "
                                    "has been updated.",
        "bot.deliberation.scenarios.termijn": "The deadline of scenario round {round_id} is now {deadline}. The "
                                              "thread's first message has been updated.",
        "bot.deliberation.round_needed": "This works in the thread of a round. Reply in that thread, or give the "
                                         "round's number, for example: !{word} 12.",
        "bot.deliberation.no_such_round": "I don't know a round {number}. Please check the number.",
        "bot.deliberation.no_such_topic": "I don't know a topic {number}. Please check the number with !agenda.",
        "bot.deliberation.usage.onderwerp": "Please give the topic a title, for example: !topic Service charges "
                                            "2026.",
        "bot.deliberation.usage.score": "To score a topic: !score <nr> belang <1-5> invloed <1-5> (importance, "
                                        "influence), for example !score 3 importance 4 influence 5.",
        "bot.deliberation.usage.topic_number": "Please give the topic's number, for example: !{word} 3. !agenda "
                                               "shows the numbers.",
        "bot.deliberation.usage.ronde": "To open a round: !round <topic-nr> <proposal>, for example !round 3 We ask "
                                        "the corporation to show the service charges per neighbourhood.",
        "bot.deliberation.usage.opgelost": "To say your objection is resolved: !resolved [explanation] in the round's "
                                           "thread. As secretary or opener you record someone else's resolved "
                                           "objection with !resolved <objection-nr> <explanation>.",
        "bot.deliberation.usage.selectie": "To record the selection committee's decision: !selection <application-nr> "
                                           "gesprek|benoemd|afgewezen [zetel <nr>] [explanation], for example "
                                           "!selection 4 benoemd zetel 7. !applications shows the numbers.",
        "bot.deliberation.usage.lid": "To add a member: !member <matrix-id> <huurder|koper|ondernemer> [seat], for "
                                      "example !member @jan:woonstad.nl huurder 4.",
        "bot.deliberation.agenda.title": "Agenda of {council}",
        "bot.deliberation.agenda.active": "Active ({count} of at most {cap}):",
        "bot.deliberation.agenda.waiting": "Waiting list, ordered by importance and influence:",
        "bot.deliberation.agenda.none_active": "No topic is active right now.",
        "bot.deliberation.agenda.none_waiting": "The waiting list is empty.",
        "bot.deliberation.agenda.in_round": "round {round_id}",
        "bot.deliberation.agenda.howto": "New topic: !topic <title>. Score: !score <nr> importance <1-5> influence "
                                         "<1-5>.",
        "bot.deliberation.topic.created": "Topic #{topic_id} is on the waiting list: {title}.",
        "bot.deliberation.topic.created.next": "Score it with !score {topic_id} importance <1-5> influence <1-5>, "
                                               "or make it active with !activate {topic_id}.",
        "bot.deliberation.topic.scored": "Topic #{topic_id} ({title}): {score_line}.",
        "bot.deliberation.topic.activated": "Topic #{topic_id} ({title}) is active now. Open a round with !round "
                                            "{topic_id} <proposal>.",
        "bot.deliberation.topic.parked": "Topic #{topic_id} ({title}) is parked and back on the waiting list.",
        "bot.deliberation.round.opened": "Round {round_id} on topic #{topic_id} is open. The proposal will appear "
                                         "as a new message in this room: respond in its thread with !agree, "
                                         "!concern, !standaside, !object or !info.",
        "bot.deliberation.position.eens": "Noted: you agree with version {version} of the proposal.",
        "bot.deliberation.position.bedenking": "Noted: you agree with version {version}, with a concern. It goes "
                                               "into the minutes.",
        "bot.deliberation.position.opzij": "Noted: you stand aside on version {version} and do not block the "
                                           "decision.",
        "bot.deliberation.position.bezwaar": "Your objection is noted as objection {objection_id}. It stays open "
                                             "until it is resolved or you withdraw it with !withdraw.",
        "bot.deliberation.position.info": "Your question is noted. The round is back in the exploring phase until "
                                          "it is answered.",
        "bot.deliberation.withdrawn": "Your objection is withdrawn. Please give your position again with !agree, "
                                      "!concern, !standaside or !object.",
        "bot.deliberation.resolved": "Objection {objection_id} is noted as resolved. Its author is asked to respond "
                                     "again.",
        "bot.deliberation.resolved_own": "Noted: your objection {objection_id} is resolved. The decision list says so. "
                                         "Now give your position on version {version} (!agree, !standaside or "
                                         "!concern).",
        "bot.deliberation.stand.carried": "to version {old}; does version {version} resolve it? Then !resolved",
        "bot.deliberation.stand.not_in_chat": "Not in the chat yet (appointed; nobody waits for them):",
        "bot.deliberation.besluiten.file": "The decision list of {council}, as a file.",
        "bot.deliberation.besluiten.file_hint": "!decisions file gives you the whole list as a file.",
        "bot.deliberation.aanmeldingen.title": "Applications to {council}",
        "bot.deliberation.aanmeldingen.none": "There are no applications.",
        "bot.deliberation.aanmeldingen.entry": "{id}. {name} ({member_type}), {date}: {status}",
        "bot.deliberation.aanmeldingen.howto": "Record the selection committee's decision with !selection "
                                               "<nr> gesprek|benoemd|afgewezen.",
        "bot.deliberation.selectie.gesprek": "Application {id} ({name}): invited for a conversation.",
        "bot.deliberation.selectie.niet_benoemd": "Application {id} ({name}): not appointed. That is recorded.",
        "bot.deliberation.selectie.benoemd": "Application {id}: {name} is appointed to seat {seat}. I am inviting "
                                             "{name} to this chat; until they are here, no round waits for them.",
        "bot.deliberation.selectie.no_matrix": "Application {id} has no Matrix address yet. To appoint: "
                                               "!selection {id} benoemd @name:server",
        "bot.deliberation.amended": "Version {version} of the proposal is in the thread. Everyone gives their "
                                    "position again.",
        "bot.deliberation.phase": "Round {round_id} is now in the phase {phase}.",
        "bot.deliberation.phase.decide": "As soon as nobody objects and everyone has responded, !decide records the "
                                         "agreement.",
        "bot.deliberation.decided": "The agreement in round {round_id} is recorded (version {version}). The "
                                    "decision is in the decision list.",
        "bot.deliberation.absent": "You are excused from round {round_id}: you do not need to respond. Taking part "
                                   "after all? Just give your position.",
        "bot.deliberation.stand.title": "Round {round_id}: {title}",
        "bot.deliberation.stand.facts": "Phase: {phase} · proposal version {version} · deadline {deadline}",
        "bot.deliberation.stand.closed": "This round is closed: {state}.",
        "bot.deliberation.stand.not_responded": "Not responded yet:",
        "bot.deliberation.stand.everyone": "Everyone present has responded to this version.",
        "bot.deliberation.stand.absent": "Absent with notice:",
        "bot.deliberation.stand.concerns": "Concerns:",
        "bot.deliberation.stand.objections": "Open objections:",
        "bot.deliberation.stand.no_objections": "No objection is open.",
        "bot.deliberation.stand.info": "Requests for more information:",
        "bot.deliberation.stand.quorum": "Too few members are present to decide.",
        "bot.deliberation.stand.ready": "Nobody objects and everyone has responded: !decide records the agreement.",
        "bot.deliberation.stand.deadline_passed": "The deadline has passed.",
        "bot.deliberation.rounds.title": "Running rounds:",
        "bot.deliberation.rounds.none": "No round is running. Open one with !round <topic-nr> <proposal>.",
        "bot.deliberation.rounds.howto": "Type !status <nr> for the status of a round, or !status in its thread.",
        "bot.deliberation.leden.title": "Members of {council}",
        "bot.deliberation.leden.seats": "Seats:",
        "bot.deliberation.leden.vacant": "vacant",
        "bot.deliberation.leden.upcoming": "vacant, {name} starts later",
        "bot.deliberation.leden.no_seats": "No seats have been set up yet.",
        "bot.deliberation.leden.without_seat": "Without a seat:",
        "bot.deliberation.leden.secretary": "secretary",
        "bot.deliberation.leden.unrepresented": "Customer groups without a seat holder:",
        "bot.deliberation.leden.all_represented": "Every customer group with a seat has a seat holder.",
        "bot.deliberation.lid.added": "{name} was added as {member_type}.",
        "bot.deliberation.lid.added_seat": "{name} was added as {member_type}, on seat {seat_id}.",
    },
}

# ---- co-creation over several scenarios (scenario rounds) and influence on the record
_SCENARIOS: dict[str, dict[str, str]] = {
    "nl": {
        "bot.deliberation.cmd.scenarios": "open een scenarioronde: de raad weegt meerdere opties (scenario's) in "
                                          "één draad, zonder te stemmen",
        "bot.deliberation.cmd.optie": "in een scenarioronde: zet een optie neer (!optie bestuur: <tekst> voor een "
                                      "scenario van het bestuur), maak een nieuwe versie (!optie 2 wijzig <tekst>) of "
                                      "voeg opties samen (!optie 1 3 samen <tekst>) (secretaris of opener)",
        "bot.deliberation.cmd.voorkeur": "in een scenarioronde: zeg welke optie je het liefst hebt (!voorkeur geen "
                                         "trekt het in); er wordt niet geteld",
        "bot.deliberation.cmd.meegedacht": "sluit een scenarioronde af als ‘meegedacht’: de mening van de raad over "
                                           "elke optie gaat naar het bestuur (secretaris of opener)",
        "bot.deliberation.cmd.invloed": "leg vast hoeveel invloed de raad echt had (1-5) en wat er veranderde; "
                                        "zonder iets erachter: verwacht tegen gerealiseerd dit jaar",
        "bot.deliberation.usage.scenarios": "Zo open je een scenarioronde: !scenarios <onderwerp-nr> <titel>, "
                                            "bijvoorbeeld !scenarios 4 Drie varianten voor de servicekosten.",
        "bot.deliberation.usage.optie": "Zo werkt het, in de draad van een scenarioronde: !optie <tekst> (een "
                                        "scenario van de raad), !optie bestuur: <tekst> (van het bestuur), !optie 2 "
                                        "wijzig <nieuwe tekst>, of !optie 1 3 samen <tekst van de nieuwe optie>.",
        "bot.deliberation.usage.option_number": "Noem het nummer van de optie, bijvoorbeeld: !{word} 2. Met !stand "
                                                "zie je de opties.",
        "bot.deliberation.usage.voorkeur": "Zo geef je je voorkeur: !voorkeur <optie-nr>, bijvoorbeeld !voorkeur 2. "
                                           "Met !voorkeur geen trek je hem in.",
        "bot.deliberation.usage.besluit_optie": "Noem de optie waarover de raad het eens is: !besluit <optie-nr>, "
                                                "bijvoorbeeld !besluit 2. Met !stand zie je over welke optie dat kan.",
        "bot.deliberation.usage.invloed": "Zo leg je de invloed vast: !invloed <onderwerp-nr> <1-5> [overgenomen|"
                                          "aangepast|niet-overgenomen] <wat veranderde>, bijvoorbeeld !invloed 4 3 het "
                                          "bestuur nam de spreiding over, niet de lagere tarieven.",
        "bot.deliberation.scenarios_needed": "Dit werkt in de draad van een scenarioronde. Open er een met "
                                             "!scenarios <onderwerp-nr> <titel>, of reageer in de draad ervan.",
        "bot.deliberation.scenarios.round_only": "!{word} werkt in een gewone ronde. In deze scenarioronde noem je "
                                                 "per optie je standpunt, bijvoorbeeld !eens 2.",
        "bot.deliberation.scenarios.opened": "Scenarioronde {round_id} staat open over onderwerp #{topic_id}, in een "
                                             "nieuwe draad. De secretaris zet daar de opties neer met !optie <tekst>.",
        "bot.deliberation.scenarios.option_added": "Optie {option} staat erbij. Voeg meer opties toe, of zet de ronde "
                                                   "verder met !verder zodra alle opties er zijn.",
        "bot.deliberation.scenarios.option_amended": "Optie {option} heeft nu versie {version}. Iedereen geeft "
                                                     "opnieuw een standpunt over deze optie.",
        "bot.deliberation.scenarios.options_merged": "De opties zijn samengevoegd in optie {option}. Iedereen geeft "
                                                     "een standpunt over de nieuwe optie.",
        "bot.deliberation.scenarios.position.eens": "Genoteerd: je stemt in met optie {option} (versie {version}).",
        "bot.deliberation.scenarios.position.bedenking": "Genoteerd: je stemt in met optie {option} (versie "
                                                         "{version}), met een bedenking.",
        "bot.deliberation.scenarios.position.opzij": "Genoteerd: je staat opzij bij optie {option} (versie "
                                                     "{version}).",
        "bot.deliberation.scenarios.position.bezwaar": "Je bezwaar tegen optie {option} staat genoteerd als bezwaar "
                                                       "{objection_id}. Het houdt overeenstemming over deze optie "
                                                       "tegen tot het is opgelost.",
        "bot.deliberation.scenarios.position.info": "Je vraag over optie {option} staat genoteerd. De ronde is in "
                                                    "beeldvorming tot er antwoord is.",
        "bot.deliberation.scenarios.preference": "Genoteerd: optie {option} heeft je voorkeur. Er wordt niet "
                                                 "geteld; !stand noemt wie welke optie het liefst heeft.",
        "bot.deliberation.scenarios.preference_cleared": "Je voorkeur is ingetrokken.",
        "bot.deliberation.scenarios.withdrawn": "Je bezwaar is ingetrokken. Geef opnieuw je standpunt over die "
                                                "optie.",
        "bot.deliberation.scenarios.resolved": "Genoteerd: bezwaar {objection_id} is opgelost.",
        "bot.deliberation.scenarios.phase": "Scenarioronde {round_id} is nu in de fase {phase}.",
        "bot.deliberation.scenarios.phase.decide": "Leg overeenstemming over één optie vast met !besluit <optie>, of "
                                                   "sluit af met !meegedacht.",
        "bot.deliberation.scenarios.decided": "Vastgelegd: de raad is het eens over optie {option} (versie "
                                              "{version}). Het staat in de besluitenlijst, met de bezwaren en "
                                              "bedenkingen bij elke optie.",
        "bot.deliberation.scenarios.input": "Scenarioronde {round_id} is afgesloten als ‘meegedacht’. De mening van "
                                            "de raad over elke optie staat in de besluitenlijst en gaat naar het "
                                            "bestuur.",
        "bot.deliberation.scenarios.stand.title": "Scenarioronde {round_id}: {title}",
        "bot.deliberation.scenarios.stand.facts": "Onderwerp #{topic_id} · fase: {phase} · deadline {deadline}",
        "bot.deliberation.scenarios.stand.closed": "Deze scenarioronde is afgesloten: {state}.",
        "bot.deliberation.scenarios.stand.agreed": "De raad is het eens over optie {option}.",
        "bot.deliberation.scenarios.stand.no_options": "Er staan nog geen opties. De secretaris zet ze neer met "
                                                       "!optie <tekst>.",
        "bot.deliberation.scenarios.stand.option": "Optie {option} (versie {version}, {source}): {text}",
        "bot.deliberation.scenarios.stand.not_responded": "nog niet gereageerd: {names}",
        "bot.deliberation.scenarios.stand.everyone": "iedereen die er is heeft gereageerd",
        "bot.deliberation.scenarios.stand.objection": "bezwaar {id}, {name}: {argument}",
        "bot.deliberation.scenarios.stand.carried": "gevraagd of versie {version} het oplost",
        "bot.deliberation.scenarios.stand.no_objection": "niemand heeft bezwaar",
        "bot.deliberation.scenarios.stand.concern": "bedenking van {name}: {text}",
        "bot.deliberation.scenarios.stand.info": "vraag van {name}: {text}",
        "bot.deliberation.scenarios.stand.preferred": "voorkeur van: {names}",
        "bot.deliberation.scenarios.stand.merged": "Optie {option} is samengevoegd in optie {merged_into}.",
        "bot.deliberation.scenarios.stand.unopposed": "Niemand heeft bezwaar tegen optie {options}.",
        "bot.deliberation.scenarios.stand.ready": "Over optie {options} kan de overeenstemming nu worden vastgelegd: "
                                                  "!besluit <optie>.",
        "bot.deliberation.scenarios.open_title": "Lopende scenariorondes:",
        "bot.deliberation.influence.recorded": "Genoteerd voor onderwerp #{topic_id} {title}: invloed {realised} van "
                                               "5 ({kind}). Verwacht was {expected}.",
        "bot.deliberation.influence.unscored": "niet gescoord",
        "bot.deliberation.influence.title": "Invloed van de raad in {year}: verwacht tegen gerealiseerd",
        "bot.deliberation.influence.none": "Er zijn in {year} nog geen onderwerpen waar de raad aan werkte.",
        "bot.deliberation.influence.topic": "#{topic_id} {title}: verwacht {expected}, gerealiseerd {realised}",
        "bot.deliberation.influence.open": "nog niet vastgelegd",
        "bot.deliberation.influence.average": "Gemiddeld: verwacht {expected}, gerealiseerd {realised}.",
        "bot.deliberation.influence.awaiting": "Nog vast te leggen met !invloed: {topics}.",
        "bot.deliberation.agenda.influence": "invloed verwacht {expected}, gerealiseerd {realised}",
        "bot.deliberation.agenda.year": "Invloed in {year}, gemiddeld: verwacht {expected}, gerealiseerd "
                                        "{realised}. Meer met !invloed.",
        "bot.deliberation.agenda.in_scenarios": "scenarioronde {round_id}",
        "bot.deliberation.besluiten.cocreation": "Co-creatie (scenariorondes), nieuwste eerst:",
        "bot.deliberation.scenarios.absent": "Genoteerd: je bent afwezig met bericht voor scenarioronde {round_id}. "
                                             "Er wordt niet op je gewacht.",
        "bot.deliberation.besluiten.scenarios": "{date} – scenarioronde {round_id} {title} (onderwerp #{topic_id}): "
                                                "{outcome}",
        "bot.deliberation.besluiten.agreed_option": "overeenstemming over optie {option}",
        "bot.deliberation.besluiten.option": "optie {option}",
        "bot.deliberation.besluiten.changed": "wat veranderde door de raad (invloed {score}, {kind}): {text}",
    },
    "en": {
        "bot.deliberation.cmd.scenarios": "open a scenario round: the council weighs several options (scenarios) in "
                                          "one thread, without voting",
        "bot.deliberation.cmd.optie": "in a scenario round: put an option (!optie bestuur: <text> for the board's "
                                      "scenario), make a new version (!optie 2 wijzig <text>) or merge options "
                                      "(!optie 1 3 samen <text>) (secretary or opener)",
        "bot.deliberation.cmd.voorkeur": "in a scenario round: say which option you prefer (!voorkeur geen takes it "
                                         "back); nothing is counted",
        "bot.deliberation.cmd.meegedacht": "close a scenario round as ‘meegedacht’: the council's view on every "
                                           "option goes to the board (secretary or opener)",
        "bot.deliberation.cmd.invloed": "record how much influence the council really had (1-5) and what changed; "
                                        "on its own: expected against realised this year",
        "bot.deliberation.usage.scenarios": "To open a scenario round: !scenarios <topic-nr> <title>, for example "
                                            "!scenarios 4 Three options for the service charges.",
        "bot.deliberation.usage.optie": "How it works, in a scenario round's thread: !optie <text> (the council's "
                                        "scenario), !optie bestuur: <text> (the board's), !optie 2 wijzig <new text>, "
                                        "or !optie 1 3 samen <text of the new option>.",
        "bot.deliberation.usage.option_number": "Please give the option's number, for example: !{word} 2. !stand "
                                                "shows the options.",
        "bot.deliberation.usage.voorkeur": "To give your preference: !voorkeur <option-nr>, for example !voorkeur 2. "
                                           "!voorkeur geen takes it back.",
        "bot.deliberation.usage.besluit_optie": "Name the option the council agrees on: !besluit <option-nr>, for "
                                                "example !besluit 2. !stand shows which options can be decided.",
        "bot.deliberation.usage.invloed": "To record influence: !invloed <topic-nr> <1-5> [overgenomen|aangepast|"
                                          "niet-overgenomen] <what changed>, for example !invloed 4 3 the board took "
                                          "over the phasing, not the lower rates.",
        "bot.deliberation.scenarios_needed": "This works in a scenario round's thread. Open one with !scenarios "
                                             "<topic-nr> <title>, or reply in its thread.",
        "bot.deliberation.scenarios.round_only": "!{word} works in an ordinary round. In this scenario round you give "
                                                 "your position per option, for example !eens 2.",
        "bot.deliberation.scenarios.opened": "Scenario round {round_id} is open on topic #{topic_id}, in a new thread. "
                                             "The secretary puts the options there with !optie <text>.",
        "bot.deliberation.scenarios.option_added": "Option {option} is in. Add more options, or move the round on with "
                                                   "!verder once all options are there.",
        "bot.deliberation.scenarios.option_amended": "Option {option} now has version {version}. Everyone gives a "
                                                     "position on this option again.",
        "bot.deliberation.scenarios.options_merged": "The options were merged into option {option}. Everyone gives a "
                                                     "position on the new option.",
        "bot.deliberation.scenarios.position.eens": "Noted: you agree with option {option} (version {version}).",
        "bot.deliberation.scenarios.position.bedenking": "Noted: you agree with option {option} (version {version}), "
                                                         "with a concern.",
        "bot.deliberation.scenarios.position.opzij": "Noted: you stand aside on option {option} (version {version}).",
        "bot.deliberation.scenarios.position.bezwaar": "Your objection to option {option} is noted as objection "
                                                       "{objection_id}. It blocks agreement on this option until it is "
                                                       "resolved.",
        "bot.deliberation.scenarios.position.info": "Your question on option {option} is noted. The round is back in "
                                                    "the exploring phase until it is answered.",
        "bot.deliberation.scenarios.preference": "Noted: you prefer option {option}. Nothing is counted; !stand names "
                                                 "who prefers which option.",
        "bot.deliberation.scenarios.preference_cleared": "Your preference is taken back.",
        "bot.deliberation.scenarios.withdrawn": "Your objection is withdrawn. Please give your position on that "
                                                "option again.",
        "bot.deliberation.scenarios.resolved": "Noted: objection {objection_id} is resolved.",
        "bot.deliberation.scenarios.phase": "Scenario round {round_id} is now in the phase {phase}.",
        "bot.deliberation.scenarios.phase.decide": "Record agreement on one option with !besluit <option>, or close "
                                                   "with !meegedacht.",
        "bot.deliberation.scenarios.decided": "Recorded: the council agrees on option {option} (version {version}). "
                                              "It is in the decision list, with the objections and concerns on every "
                                              "option.",
        "bot.deliberation.scenarios.input": "Scenario round {round_id} closed as ‘meegedacht’. The council's view on "
                                            "every option is in the decision list and goes to the board.",
        "bot.deliberation.scenarios.stand.title": "Scenario round {round_id}: {title}",
        "bot.deliberation.scenarios.stand.facts": "Topic #{topic_id} · phase: {phase} · deadline {deadline}",
        "bot.deliberation.scenarios.stand.closed": "This scenario round is closed: {state}.",
        "bot.deliberation.scenarios.stand.agreed": "The council agrees on option {option}.",
        "bot.deliberation.scenarios.stand.no_options": "There are no options yet. The secretary puts them with "
                                                       "!optie <text>.",
        "bot.deliberation.scenarios.stand.option": "Option {option} (version {version}, {source}): {text}",
        "bot.deliberation.scenarios.stand.not_responded": "not responded yet: {names}",
        "bot.deliberation.scenarios.stand.everyone": "everyone present has responded",
        "bot.deliberation.scenarios.stand.objection": "objection {id}, {name}: {argument}",
        "bot.deliberation.scenarios.stand.carried": "asked whether version {version} resolves it",
        "bot.deliberation.scenarios.stand.no_objection": "nobody objects",
        "bot.deliberation.scenarios.stand.concern": "concern of {name}: {text}",
        "bot.deliberation.scenarios.stand.info": "question of {name}: {text}",
        "bot.deliberation.scenarios.stand.preferred": "preferred by: {names}",
        "bot.deliberation.scenarios.stand.merged": "Option {option} was merged into option {merged_into}.",
        "bot.deliberation.scenarios.stand.unopposed": "Nobody objects to option {options}.",
        "bot.deliberation.scenarios.stand.ready": "Agreement can be recorded now on option {options}: "
                                                  "!besluit <option>.",
        "bot.deliberation.scenarios.open_title": "Running scenario rounds:",
        "bot.deliberation.influence.recorded": "Noted for topic #{topic_id} {title}: influence {realised} of 5 "
                                               "({kind}). Expected was {expected}.",
        "bot.deliberation.influence.unscored": "not scored",
        "bot.deliberation.influence.title": "The council's influence in {year}: expected against realised",
        "bot.deliberation.influence.none": "There are no topics the council worked on in {year} yet.",
        "bot.deliberation.influence.topic": "#{topic_id} {title}: expected {expected}, realised {realised}",
        "bot.deliberation.influence.open": "not recorded yet",
        "bot.deliberation.influence.average": "On average: expected {expected}, realised {realised}.",
        "bot.deliberation.influence.awaiting": "Still to record with !invloed: {topics}.",
        "bot.deliberation.agenda.influence": "influence expected {expected}, realised {realised}",
        "bot.deliberation.agenda.year": "Influence in {year}, on average: expected {expected}, realised {realised}. "
                                        "More with !invloed.",
        "bot.deliberation.agenda.in_scenarios": "scenario round {round_id}",
        "bot.deliberation.besluiten.cocreation": "Co-creation (scenario rounds), newest first:",
        "bot.deliberation.scenarios.absent": "Noted: you are absent with notice for scenario round {round_id}. "
                                             "Nobody waits for you.",
        "bot.deliberation.besluiten.scenarios": "{date} – scenario round {round_id} {title} (topic #{topic_id}): "
                                                "{outcome}",
        "bot.deliberation.besluiten.agreed_option": "agreement on option {option}",
        "bot.deliberation.besluiten.option": "option {option}",
        "bot.deliberation.besluiten.changed": "what changed because of the council (influence {score}, {kind}): "
                                              "{text}",
    },
}
for _lang, _texts in _SCENARIOS.items():
    CATALOG[_lang].update(_texts)
