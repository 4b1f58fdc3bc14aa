"""Everything a member reads from the deliberation domain, in Dutch and English.

Codes start with ``delib.``. Labels for enum values (``delib.phase.<value>``,
``delib.topic_status.<value>``, ...) are here too, so the bot and the register show the same words.
"""
from __future__ import annotations

from typing import Any, Mapping

from shared import i18n
from shared.errors import Conflict

CATALOG: dict[str, dict[str, str]] = {
    "nl": {
        # ---- taking part
        "delib.not_member": "Je staat niet (meer) op de ledenlijst van deze raad, dus je kunt hier niet meedoen. "
                            "Er is niets vastgelegd. Klopt dit niet? Vraag het de secretaris.",
        "delib.not_facilitator": "Dit kan alleen de secretaris of degene die ronde {round_id} opende. "
                                 "Er is niets veranderd.",
        "delib.text.too_long": "Je tekst is te lang: het kan maximaal {max} tekens zijn. Maak hem wat korter.",
        # ---- rounds
        "delib.round.not_found": "Ik ken geen ronde {round_id}. Kijk het nummer nog even na.",
        "delib.round.none_here": "Dit werkt alleen in de draad van een ronde. Reageer in die draad, "
                                 "of noem het nummer van de ronde.",
        "delib.round.closed_agreed": "Ronde {round_id} is al afgesloten: er is overeenstemming vastgelegd. "
                                     "Er kan niets meer aan veranderen.",
        "delib.round.closed_abandoned": "Ronde {round_id} is gestopt. Er kan niets meer aan veranderen.",
        "delib.deadline.not_in_future": "De deadline moet in de toekomst liggen.",
        "delib.proposal.text_required": "Schrijf de tekst van het voorstel erbij.",
        "delib.proposal.unchanged": "Deze tekst is hetzelfde als versie {version} van het voorstel. "
                                    "Er is niets veranderd.",
        "delib.phase.last": "Ronde {round_id} is al in de laatste fase, besluitvorming. "
                            "Met !besluit leg je de overeenstemming vast.",
        # ---- positions
        "delib.position.unknown": "‘{given}’ ken ik niet als standpunt. Kies uit !eens, !bedenking, !opzij, "
                                  "!bezwaar of !info.",
        "delib.position.bedenking_needs_text": "Schrijf je bedenking erbij, dan komt die in het verslag. "
                                               "Bijvoorbeeld: !bedenking let op de kosten voor oudere huurders.",
        "delib.position.bezwaar_needs_argument": "Een bezwaar heeft een argument nodig: schrijf erbij waarom "
                                                 "je hier niet mee verder kunt. Bijvoorbeeld: !bezwaar dit maakt "
                                                 "wonen te duur voor huurders met een laag inkomen.",
        "delib.position.info_needs_question": "Schrijf je vraag erbij. Bijvoorbeeld: !info wat kost dit per maand?",
        # ---- objections
        "delib.objection.not_found": "Ik ken geen bezwaar {objection_id} in ronde {round_id}.",
        "delib.objection.none_open": "Je hebt geen open bezwaar in deze ronde, dus er is niets om in te trekken.",
        "delib.objection.not_yours": "Alleen wie bezwaar {objection_id} maakte, kan het intrekken.",
        "delib.objection.not_open": "Bezwaar {objection_id} staat niet meer open: het is {status}.",
        "delib.objection.note_required": "Schrijf kort op hoe bezwaar {objection_id} is opgelost. "
                                         "Dat komt in het verslag.",
        # ---- recording agreement
        "delib.decide.not_ready": "Er kan nog geen overeenstemming worden vastgelegd voor ronde {round_id}. "
                                  "Dit ontbreekt nog:",
        "delib.decide.missing.phase": "de ronde is nu in de fase {phase}. Eerst zet de secretaris of de "
                                      "opener de ronde met !verder door naar besluitvorming (!verder gaat "
                                      "één fase verder).",
        "delib.decide.missing.objection": "bezwaar {objection_id} van {member} staat nog open.",
        "delib.decide.missing.not_responded": "nog niet gereageerd op dit voorstel: {members}.",
        "delib.decide.missing.info": "wacht nog op informatie: {members}.",
        "delib.decide.missing.quorum": "te weinig leden aanwezig: er zijn er {present}, nodig zijn er {quorum}.",
        # ---- labels
        "delib.phase.beeldvorming": "beeldvorming",
        "delib.phase.oordeelsvorming": "oordeelsvorming",
        "delib.phase.besluitvorming": "besluitvorming",
        "delib.position.eens": "eens",
        "delib.position.bedenking": "eens met bedenking",
        "delib.position.opzij": "staat opzij",
        "delib.position.bezwaar": "overwegend bezwaar",
        "delib.position.info": "wil meer informatie",
        "delib.round_state.open": "loopt",
        "delib.round_state.akkoord": "overeenstemming",
        "delib.round_state.gestopt": "gestopt",
        "delib.objection_status.open": "open",
        "delib.objection_status.opgelost": "opgelost",
        "delib.objection_status.ingetrokken": "ingetrokken",
        "delib.objection_status.opgelost_door_nieuw_voorstel": "opgelost door een nieuw voorstel",
        # ---- agenda
        "delib.topic.not_found": "Ik ken geen onderwerp {topic_id}. Kijk het nummer nog even na met !agenda.",
        "delib.topic.title_required": "Geef het onderwerp een titel. Bijvoorbeeld: !onderwerp Servicekosten 2026.",
        "delib.topic.title_too_long": "De titel is te lang: maximaal {max} tekens.",
        "delib.topic.importance_range": "Belang is een getal van {min} tot en met {max}.",
        "delib.topic.influence_range": "Invloed is een getal van {min} tot en met {max}.",
        "delib.topic.bad_source": "‘{given}’ is geen bekende bron. Kies uit: {allowed}.",
        "delib.topic.bad_mode": "‘{given}’ is geen bekende werkwijze. Kies uit: {allowed}.",
        "delib.topic.bad_status": "‘{given}’ is geen bekende status. Kies uit: {allowed}.",
        "delib.topic.closed": "Onderwerp {topic_id} is gesloten. Er kan niets meer aan veranderen.",
        "delib.topic.already": "Onderwerp {topic_id} is al {status}.",
        "delib.topic.bad_transition": "Onderwerp {topic_id} is nu {current} en kan niet meteen naar {wanted}. "
                                      "Er is niets veranderd.",
        "delib.agenda.cap_reached": "Er zijn al {cap} onderwerpen actief, en de raad pakt niet te veel tegelijk op. "
                                    "Parkeer eerst een van deze met !parkeer: {active}.",
        "delib.agenda.score_line": "belang {importance} · invloed {influence}",
        "delib.agenda.score_line_council": "belang {importance} · invloed {influence} (mediaan van de raad, "
                                           "{count} leden scoorden)",
        "delib.agenda.score_line_one": "belang {importance} · invloed {influence} (1 lid scoorde)",
        "delib.agenda.not_scored": "nog niet gescoord",
        "delib.topic_status.voorgesteld": "voorgesteld",
        "delib.topic_status.actief": "actief",
        "delib.topic_status.in_ronde": "in een overlegronde",
        "delib.topic_status.akkoord": "akkoord",
        "delib.topic_status.advies_gegeven": "advies gegeven",
        "delib.topic_status.realisatie_getoetst": "realisatie getoetst",
        "delib.topic_status.gesloten": "gesloten",
        "delib.topic_status.geparkeerd": "geparkeerd",
        "delib.topic_mode.cocreatie": "cocreatie",
        "delib.topic_mode.formeel_advies": "formeel advies",
        "delib.topic_mode.instemming": "instemming",
        "delib.topic_mode.informatie": "informatie",
        "delib.topic_source.signaal_cluster": "signalen van bewoners",
        "delib.topic_source.verzoek_corporatie": "verzoek van de corporatie",
        "delib.topic_source.eigen_initiatief": "eigen initiatief",
        # ---- advice and realisation
        "delib.advice.wrong_mode": "Onderwerp {topic_id} gaat over {mode}. Een adviesaanvraag hoort bij "
                                   "formeel advies of instemming.",
        "delib.advice.mode_locked": "Voor onderwerp {topic_id} is al een adviesaanvraag vastgelegd, "
                                    "dus de werkwijze blijft formeel advies of instemming.",
        "delib.advice.bad_period": "De adviestermijn is een aantal weken, minstens 1.",
        "delib.advice.no_request": "Voor onderwerp {topic_id} is nog geen adviesaanvraag vastgelegd.",
        "delib.advice.already_sent": "Het advies over onderwerp {topic_id} is al verstuurd.",
        "delib.advice.not_sent": "Het advies over onderwerp {topic_id} is nog niet verstuurd. "
                                 "Leg eerst de tekst en de datum van het advies vast.",
        "delib.advice.text_required": "Schrijf de tekst van het advies erbij.",
        "delib.advice.sent_before_request": "Het advies kan niet verstuurd zijn vóór de adviesaanvraag binnenkwam. "
                                            "Kijk de datum nog even na.",
        "delib.advice.reply_exists": "Het antwoord van het bestuur op onderwerp {topic_id} is al vastgelegd.",
        "delib.advice.reply_text_required": "Schrijf erbij wat het bestuur antwoordde.",
        "delib.advice.reply_before_advice": "Het antwoord van het bestuur kan niet eerder zijn dan het advies. "
                                            "Kijk de datum nog even na.",
        "delib.check.wrong_status": "Een toets van de realisatie kan pas als het advies gegeven is. "
                                    "Onderwerp {topic_id} is nu {status}.",
        "delib.check.description_required": "Schrijf erbij wat er getoetst wordt.",
        "delib.check.not_found": "Ik ken geen toets {check_id} bij onderwerp {topic_id}.",
        "delib.check.already_done": "Toets {check_id} bij onderwerp {topic_id} is al gedaan.",
        "delib.check.note_required": "Schrijf kort op wat de toets opleverde.",
        # ---- advice trajectories (!advies)
        "delib.advice.not_found": "Ik ken geen advies {advice_id}. Met !adviezen zie je de nummers.",
        "delib.advice.title_required": "Geef de adviesaanvraag een titel. Bijvoorbeeld: !advies 3 Servicekosten "
                                       "2026 ontvangen 2-3-2026.",
        "delib.advice.bad_kind": "‘{given}’ is geen soort aanvraag. Kies advies of instemming.",
        "delib.advice.received_in_future": "De ontvangstdatum ligt in de toekomst. Kijk de datum nog even na.",
        "delib.advice.date_in_future": "De datum {given} ligt in de toekomst. Kijk de datum nog even na.",
        "delib.advice.bad_date": "‘{given}’ herken ik niet als datum. Schrijf bijvoorbeeld 12-3-2026, 2026-03-12, "
                                 "vandaag of gisteren.",
        "delib.advice.bad_reply_kind": "‘{given}’ herken ik niet. Schrijf !reactie volgt <toelichting> als het "
                                       "bestuur het advies volgt, of !reactie wijktaf <redenen> als het afwijkt.",
        "delib.advice.bad_outcome": "‘{given}’ herken ik niet als uitkomst. Kies uitgevoerd, deels of niet.",
        "delib.advice.draft_open": "Het conceptadvies voor advies {advice_id} loopt al in ronde {round_id}. "
                                   "Pas het daar aan met !voorstel <nieuwe tekst>.",
        "delib.advice.sent": "Advies {advice_id} is al verstuurd. Er is niets veranderd.",
        "delib.advice.not_agreed": "Advies {advice_id} kan pas als verstuurd worden vastgelegd als de raad het "
                                   "eens is over het concept. Open een ronde met !concept <tekst> in de draad "
                                   "van het advies.",
        "delib.advice.sent_before_received": "Het advies kan niet verstuurd zijn vóór de aanvraag binnenkwam. "
                                             "Kijk de datum nog even na.",
        "delib.advice.reply_before_sent": "Het advies {advice_id} is nog niet verstuurd, dus er kan nog geen "
                                          "reactie van het bestuur zijn. Leg eerst !verstuurd vast.",
        "delib.advice.reply_recorded": "De reactie van het bestuur op advies {advice_id} is al vastgelegd.",
        "delib.advice.reasons_required": "Een bestuur dat afwijkt van het advies moet zijn redenen geven. "
                                         "Schrijf ze erbij: !reactie wijktaf <redenen> [datum].",
        "delib.advice.reply_before_sent_date": "De reactie kan niet eerder zijn dan het advies. Kijk de datum "
                                               "nog even na.",
        "delib.advice.check_before_sent": "Een toets van de realisatie kan pas als advies {advice_id} verstuurd is.",
        "delib.advice.check_before_sent_date": "De toets kan niet vóór het versturen van het advies liggen. Kijk "
                                               "de datum nog even na.",
        "delib.advice.no_open_check": "Bij advies {advice_id} staat geen toets open. Plan er een met "
                                      "!toets {advice_id} <datum>.",
        "delib.advice.outcome_note_required": "Schrijf kort op wat de toets liet zien: !uitkomst {advice_id} "
                                              "uitgevoerd|deels|niet <toelichting>.",
        "delib.advice_kind.advies": "adviesaanvraag",
        "delib.advice_kind.instemming": "instemmingsverzoek",
        "delib.advice_stage.ontvangen": "aanvraag ontvangen, nog geen concept",
        "delib.advice_stage.concept": "concept in een overlegronde",
        "delib.advice_stage.akkoord": "concept afgesproken, nog te versturen",
        "delib.advice_stage.verstuurd": "verstuurd, wacht op reactie van het bestuur",
        "delib.advice_stage.reactie": "reactie van het bestuur ontvangen",
        "delib.advice_stage.toets": "toets van de realisatie gepland",
        "delib.advice_stage.afgerond": "afgerond",
        "delib.reply_kind.volgt": "het bestuur volgt het advies",
        "delib.reply_kind.wijktaf": "het bestuur wijkt af van het advies",
        "delib.outcome.uitgevoerd": "uitgevoerd",
        "delib.outcome.deels": "deels uitgevoerd",
        "delib.outcome.niet": "niet uitgevoerd",
        # ---- roster
        "delib.member.bad_matrix_id": "‘{given}’ is geen geldig Matrix-adres. Het ziet eruit als "
                                      "@naam:server, bijvoorbeeld @jan:woonstad.nl.",
        "delib.member.bad_type": "‘{given}’ kan niet. Een lid is {allowed}.",
        "delib.member.bad_term": "De zittingstermijn kan niet eindigen voordat hij begint.",
        "delib.member.term_ended": "Deze zittingstermijn is al voorbij.",
        "delib.member.bad_language": "‘{given}’ is geen taal die ik spreek. Kies uit: {allowed}.",
        "delib.member.exists": "{matrix_id} is al lid van deze raad.",
        "delib.member.not_found": "{matrix_id} staat niet op de ledenlijst van deze raad.",
        "delib.member.max_reached": "De raad heeft al {max} leden, het maximum. Er kan pas iemand bij als er "
                                    "een plek vrijkomt.",
        "delib.member.name_too_long": "De naam is te lang: maximaal {max} tekens.",
        "delib.member.name_required": "Vul een naam in.",
        "delib.seat.group_required": "Geef bij de zetel aan welke klantgroep die vertegenwoordigt "
                                     "(leeftijd, wijk of achtergrond).",
        "delib.seat.label_too_long": "Een omschrijving van de klantgroep is maximaal {max} tekens.",
        "delib.seat.not_found": "Ik ken geen zetel {seat_id}. Met !leden zie je alle zetels.",
        "delib.seat.max_reached": "De raad heeft al {max} zetels, het maximum.",
        "delib.seat.taken": "Zetel {seat_id} is al bezet door {holder}. Kies een vrije zetel; met !leden zie "
                            "je welke vrij zijn.",
        "delib.seat.none_vacant": "Er is geen vrije zetel. Er kan pas iemand benoemd worden als er een zetel "
                                  "vrijkomt.",
        "delib.application.name_required": "Vul je naam in.",
        "delib.application.bad_transition": "Sollicitatie {application_id} is {current} en kan niet naar {wanted}.",
        "delib.application.matrix_id_required": "Om sollicitant {application_id} te benoemen is eerst een "
                                                "Matrix-adres nodig.",
        "delib.application_status.ontvangen": "ontvangen",
        "delib.application_status.gesprek": "uitgenodigd voor een gesprek",
        "delib.application_status.benoemd": "benoemd",
        "delib.application_status.niet_benoemd": "niet benoemd",
        "delib.member_type.huurder": "huurder",
        "delib.member_type.koper": "koper",
        "delib.member_type.ondernemer": "ondernemer",
        # ---- decision register
        "delib.register.title": "Besluitenlijst {council}",
        "delib.register.background": "Achtergrond",
        "delib.background.line": "Achtergrond: {text}",
        "delib.background.bad_source": "Geef de soort achtergrond als één kort woord in kleine letters (hoogstens "
                                       "{max} tekens), bijvoorbeeld raadpleging.",
        "delib.background.key_required": "Geef een vaste sleutel voor deze achtergrond (hoogstens {max} tekens).",
        "delib.background.title_required": "Geef de achtergrond een korte titel (hoogstens {max} tekens).",
        "delib.background.text_required": "Schrijf de tekst van de achtergrond erbij (hoogstens {max} tekens).",
        "delib.register.empty": "Er zijn in deze periode geen besluiten.",
        "delib.register.period": "Periode: {start} tot en met {end}",
        "delib.register.period_from": "Vanaf {start}",
        "delib.register.period_until": "Tot en met {end}",
        "delib.register.date": "Datum",
        "delib.register.topic": "Onderwerp",
        "delib.register.proposal": "Voorstel",
        "delib.register.version": "versie {version}",
        "delib.register.thread_label": "Overleg",
        "delib.register.thread": "Bekijk de draad in Matrix",
        "delib.register.positions": "Standpunten",
        "delib.register.absent": "Afwezig met bericht",
        "delib.register.objections": "Bezwaren en hoe ze zijn opgelost",
        "delib.register.objection.line": "{name}, op versie {version}: {argument} ({outcome})",
        "delib.register.objection.by_version": "opgelost door versie {version}",
        "delib.register.position.eens": "eens",
        "delib.register.position.bedenking": "eens, met een bedenking",
        "delib.register.position.opzij": "staat opzij",
        "delib.register.position.bezwaar": "overwegend bezwaar",
        "delib.register.position.info": "wilde meer informatie",
    },
    "en": {
        # ---- taking part
        "delib.not_member": "You are not (or no longer) on this council's member list, so you cannot take part "
                            "here. Nothing was recorded. Is this wrong? Ask the secretary.",
        "delib.not_facilitator": "Only the secretary or the person who opened round {round_id} can do this. "
                                 "Nothing was changed.",
        "delib.text.too_long": "Your text is too long: it can be at most {max} characters. Please shorten it.",
        # ---- rounds
        "delib.round.not_found": "I don't know a round {round_id}. Please check the number.",
        "delib.round.none_here": "This only works in the thread of a round. Reply in that thread, "
                                 "or give the round's number.",
        "delib.round.closed_agreed": "Round {round_id} is already closed: agreement was recorded. "
                                     "It can no longer be changed.",
        "delib.round.closed_abandoned": "Round {round_id} was stopped. It can no longer be changed.",
        "delib.deadline.not_in_future": "The deadline must be in the future.",
        "delib.proposal.text_required": "Please add the text of the proposal.",
        "delib.proposal.unchanged": "This text is the same as version {version} of the proposal. "
                                    "Nothing was changed.",
        "delib.phase.last": "Round {round_id} is already in its last phase, decision-making. "
                            "Use !besluit to record the agreement.",
        # ---- positions
        "delib.position.unknown": "I don't know ‘{given}’ as a position. Choose !eens (agree), !bedenking "
                                  "(concern), !opzij (stand aside), !bezwaar (objection) or !info.",
        "delib.position.bedenking_needs_text": "Please add your concern, so it goes into the minutes. "
                                               "For example: !bedenking mind the costs for older tenants.",
        "delib.position.bezwaar_needs_argument": "An objection needs an argument: say why you cannot go along "
                                                 "with this. For example: !bezwaar this makes housing too "
                                                 "expensive for tenants on a low income.",
        "delib.position.info_needs_question": "Please add your question. For example: !info what does this cost "
                                              "per month?",
        # ---- objections
        "delib.objection.not_found": "I don't know an objection {objection_id} in round {round_id}.",
        "delib.objection.none_open": "You have no open objection in this round, so there is nothing to withdraw.",
        "delib.objection.not_yours": "Only the member who raised objection {objection_id} can withdraw it.",
        "delib.objection.not_open": "Objection {objection_id} is no longer open: it is {status}.",
        "delib.objection.note_required": "Please note briefly how objection {objection_id} was resolved. "
                                         "It goes into the minutes.",
        # ---- recording agreement
        "delib.decide.not_ready": "Agreement cannot be recorded yet for round {round_id}. Still missing:",
        "delib.decide.missing.phase": "the round is in the {phase} phase. The secretary or the opener first "
                                      "moves it on to decision-making with !verder (!next), one phase at a "
                                      "time.",
        "delib.decide.missing.objection": "objection {objection_id} by {member} is still open.",
        "delib.decide.missing.not_responded": "not yet responded to this proposal: {members}.",
        "delib.decide.missing.info": "still waiting for information: {members}.",
        "delib.decide.missing.quorum": "too few members present: {present} present, {quorum} needed.",
        # ---- labels
        "delib.phase.beeldvorming": "exploring (beeldvorming)",
        "delib.phase.oordeelsvorming": "forming views (oordeelsvorming)",
        "delib.phase.besluitvorming": "decision-making (besluitvorming)",
        "delib.position.eens": "agrees",
        "delib.position.bedenking": "agrees with a concern",
        "delib.position.opzij": "stands aside",
        "delib.position.bezwaar": "paramount objection",
        "delib.position.info": "wants more information",
        "delib.round_state.open": "running",
        "delib.round_state.akkoord": "agreed",
        "delib.round_state.gestopt": "stopped",
        "delib.objection_status.open": "open",
        "delib.objection_status.opgelost": "resolved",
        "delib.objection_status.ingetrokken": "withdrawn",
        "delib.objection_status.opgelost_door_nieuw_voorstel": "resolved by a new proposal",
        # ---- agenda
        "delib.topic.not_found": "I don't know a topic {topic_id}. Please check the number with !agenda.",
        "delib.topic.title_required": "Please give the topic a title. For example: !onderwerp Service charges 2026.",
        "delib.topic.title_too_long": "The title is too long: at most {max} characters.",
        "delib.topic.importance_range": "Importance is a number from {min} to {max}.",
        "delib.topic.influence_range": "Influence is a number from {min} to {max}.",
        "delib.topic.bad_source": "‘{given}’ is not a known source. Choose from: {allowed}.",
        "delib.topic.bad_mode": "‘{given}’ is not a known way of working. Choose from: {allowed}.",
        "delib.topic.bad_status": "‘{given}’ is not a known status. Choose from: {allowed}.",
        "delib.topic.closed": "Topic {topic_id} is closed. It can no longer be changed.",
        "delib.topic.already": "Topic {topic_id} is already {status}.",
        "delib.topic.bad_transition": "Topic {topic_id} is now {current} and cannot go straight to {wanted}. "
                                      "Nothing was changed.",
        "delib.agenda.cap_reached": "There are already {cap} active topics, and the council does not take on too "
                                    "much at once. First park one of these with !parkeer: {active}.",
        "delib.agenda.score_line": "importance {importance} · influence {influence}",
        "delib.agenda.score_line_council": "importance {importance} · influence {influence} (the council's "
                                           "median, {count} members scored)",
        "delib.agenda.score_line_one": "importance {importance} · influence {influence} (1 member scored)",
        "delib.agenda.not_scored": "not scored yet",
        "delib.topic_status.voorgesteld": "proposed",
        "delib.topic_status.actief": "active",
        "delib.topic_status.in_ronde": "in a consensus round",
        "delib.topic_status.akkoord": "agreed",
        "delib.topic_status.advies_gegeven": "advice given",
        "delib.topic_status.realisatie_getoetst": "realisation checked",
        "delib.topic_status.gesloten": "closed",
        "delib.topic_status.geparkeerd": "parked",
        "delib.topic_mode.cocreatie": "co-creation",
        "delib.topic_mode.formeel_advies": "formal advice",
        "delib.topic_mode.instemming": "consent",
        "delib.topic_mode.informatie": "information",
        "delib.topic_source.signaal_cluster": "residents' signals",
        "delib.topic_source.verzoek_corporatie": "request from the corporation",
        "delib.topic_source.eigen_initiatief": "own initiative",
        # ---- advice and realisation
        "delib.advice.wrong_mode": "Topic {topic_id} is about {mode}. An advice request belongs to formal advice "
                                   "or consent.",
        "delib.advice.mode_locked": "An advice request was already recorded for topic {topic_id}, so its way of "
                                    "working stays formal advice or consent.",
        "delib.advice.bad_period": "The advice period is a number of weeks, at least 1.",
        "delib.advice.no_request": "No advice request has been recorded for topic {topic_id} yet.",
        "delib.advice.already_sent": "The advice on topic {topic_id} has already been sent.",
        "delib.advice.not_sent": "The advice on topic {topic_id} has not been sent yet. First record the text "
                                 "and date of the advice.",
        "delib.advice.text_required": "Please add the text of the advice.",
        "delib.advice.sent_before_request": "The advice cannot have been sent before the request came in. "
                                            "Please check the date.",
        "delib.advice.reply_exists": "The board's reply on topic {topic_id} has already been recorded.",
        "delib.advice.reply_text_required": "Please add what the board replied.",
        "delib.advice.reply_before_advice": "The board's reply cannot be earlier than the advice. "
                                            "Please check the date.",
        "delib.check.wrong_status": "The realisation can only be checked once the advice has been given. "
                                    "Topic {topic_id} is now {status}.",
        "delib.check.description_required": "Please add what will be checked.",
        "delib.check.not_found": "I don't know a check {check_id} for topic {topic_id}.",
        "delib.check.already_done": "Check {check_id} for topic {topic_id} has already been done.",
        "delib.check.note_required": "Please note briefly what the check showed.",
        "delib.advice.not_found": "I don't know an advice {advice_id}. !advice shows the numbers.",
        "delib.advice.title_required": "Please give the advice request a title. For example: !advice 3 Service "
                                       "charges 2026 received 2-3-2026.",
        "delib.advice.bad_kind": "‘{given}’ is not a kind of request. Choose advies (advice) or instemming "
                                 "(consent).",
        "delib.advice.received_in_future": "The date of receipt lies in the future. Please check the date.",
        "delib.advice.date_in_future": "The date {given} lies in the future. Please check the date.",
        "delib.advice.bad_date": "I don't recognise ‘{given}’ as a date. Write for example 12-3-2026, 2026-03-12, "
                                 "today or yesterday.",
        "delib.advice.bad_reply_kind": "I don't recognise ‘{given}’. Write !reply follows <explanation> when the "
                                       "board follows the advice, or !reply deviates <reasons> when it does not.",
        "delib.advice.bad_outcome": "I don't recognise ‘{given}’ as an outcome. Choose uitgevoerd (done), deels "
                                    "(partly) or niet (not).",
        "delib.advice.draft_open": "The draft for advice {advice_id} is already in round {round_id}. Change it "
                                   "there with !propose <new text>.",
        "delib.advice.sent": "Advice {advice_id} has been sent already. Nothing was changed.",
        "delib.advice.not_agreed": "Advice {advice_id} can be recorded as sent only once the council agreed the "
                                   "draft. Open a round with !draft <text> in the advice's thread.",
        "delib.advice.sent_before_received": "The advice cannot have been sent before the request arrived. Please "
                                             "check the date.",
        "delib.advice.reply_before_sent": "Advice {advice_id} has not been sent yet, so the board cannot have "
                                          "replied. Record !sent first.",
        "delib.advice.reply_recorded": "The board's reply to advice {advice_id} has been recorded already.",
        "delib.advice.reasons_required": "A board that deviates from the advice must give its reasons. Please add "
                                         "them: !reply deviates <reasons> [date].",
        "delib.advice.reply_before_sent_date": "The reply cannot be earlier than the advice. Please check the date.",
        "delib.advice.check_before_sent": "A realisation check is possible once advice {advice_id} has been sent.",
        "delib.advice.check_before_sent_date": "The check cannot lie before the advice was sent. Please check the "
                                               "date.",
        "delib.advice.no_open_check": "Advice {advice_id} has no open check. Plan one with !check {advice_id} "
                                      "<date>.",
        "delib.advice.outcome_note_required": "Please note briefly what the check showed: !outcome {advice_id} "
                                              "uitgevoerd|deels|niet <explanation>.",
        "delib.advice_kind.advies": "advice request",
        "delib.advice_kind.instemming": "consent request",
        "delib.advice_stage.ontvangen": "request received, no draft yet",
        "delib.advice_stage.concept": "draft in a consensus round",
        "delib.advice_stage.akkoord": "draft agreed, still to be sent",
        "delib.advice_stage.verstuurd": "sent, waiting for the board's reply",
        "delib.advice_stage.reactie": "the board's reply received",
        "delib.advice_stage.toets": "realisation check planned",
        "delib.advice_stage.afgerond": "completed",
        "delib.reply_kind.volgt": "the board follows the advice",
        "delib.reply_kind.wijktaf": "the board deviates from the advice",
        "delib.outcome.uitgevoerd": "carried out",
        "delib.outcome.deels": "partly carried out",
        "delib.outcome.niet": "not carried out",
        # ---- roster
        "delib.member.bad_matrix_id": "‘{given}’ is not a valid Matrix address. It looks like @name:server, "
                                      "for example @jan:woonstad.nl.",
        "delib.member.bad_type": "‘{given}’ is not possible. A member is {allowed}.",
        "delib.member.bad_term": "A term cannot end before it starts.",
        "delib.member.term_ended": "This term has already ended.",
        "delib.member.bad_language": "‘{given}’ is not a language I speak. Choose from: {allowed}.",
        "delib.member.exists": "{matrix_id} is already a member of this council.",
        "delib.member.not_found": "{matrix_id} is not on this council's member list.",
        "delib.member.max_reached": "The council already has {max} members, the maximum. Someone can join only "
                                    "when a place becomes free.",
        "delib.member.name_too_long": "The name is too long: at most {max} characters.",
        "delib.member.name_required": "Please fill in a name.",
        "delib.seat.group_required": "Please say which customer group the seat represents "
                                     "(age, neighbourhood or background).",
        "delib.seat.label_too_long": "A customer group description is at most {max} characters.",
        "delib.seat.not_found": "I don't know a seat {seat_id}. Use !leden to see all seats.",
        "delib.seat.max_reached": "The council already has {max} seats, the maximum.",
        "delib.seat.taken": "Seat {seat_id} is already held by {holder}. Choose a vacant seat; !leden shows "
                            "which are vacant.",
        "delib.seat.none_vacant": "There is no vacant seat. Someone can be appointed only when a seat becomes free.",
        "delib.application.name_required": "Please fill in your name.",
        "delib.application.bad_transition": "Application {application_id} is {current} and cannot become {wanted}.",
        "delib.application.matrix_id_required": "To appoint applicant {application_id}, a Matrix address is "
                                                "needed first.",
        "delib.application_status.ontvangen": "received",
        "delib.application_status.gesprek": "invited for an interview",
        "delib.application_status.benoemd": "appointed",
        "delib.application_status.niet_benoemd": "not appointed",
        "delib.member_type.huurder": "tenant",
        "delib.member_type.koper": "home buyer",
        "delib.member_type.ondernemer": "entrepreneur",
        # ---- decision register
        "delib.register.title": "Decision list {council}",
        "delib.register.background": "Background",
        "delib.background.line": "Background: {text}",
        "delib.background.bad_source": "Give the kind of background as one short lowercase word (at most {max} "
                                       "characters), for example raadpleging.",
        "delib.background.key_required": "Give a stable key for this background (at most {max} characters).",
        "delib.background.title_required": "Give the background a short title (at most {max} characters).",
        "delib.background.text_required": "Write the background's text (at most {max} characters).",
        "delib.register.empty": "There are no decisions in this period.",
        "delib.register.period": "Period: {start} to {end} inclusive",
        "delib.register.period_from": "From {start}",
        "delib.register.period_until": "Up to and including {end}",
        "delib.register.date": "Date",
        "delib.register.topic": "Topic",
        "delib.register.proposal": "Proposal",
        "delib.register.version": "version {version}",
        "delib.register.thread_label": "Discussion",
        "delib.register.thread": "View the thread in Matrix",
        "delib.register.positions": "Positions",
        "delib.register.absent": "Absent with notice",
        "delib.register.objections": "Objections and how they were resolved",
        "delib.register.objection.line": "{name}, to version {version}: {argument} ({outcome})",
        "delib.register.objection.by_version": "resolved by version {version}",
        "delib.register.position.eens": "agrees",
        "delib.register.position.bedenking": "agrees, with a concern",
        "delib.register.position.opzij": "stands aside",
        "delib.register.position.bezwaar": "paramount objection",
        "delib.register.position.info": "wanted more information",
    },
}


def full_catalog() -> dict[str, dict[str, str]]:
    """These texts and those kept beside the co-creation rules (``scenarios.CATALOG``, which also holds the
    influence texts); imported lazily, as scenarios imports :class:`LabelledConflict` from this module."""
    from . import scenarios

    return {lang: {**CATALOG[lang], **scenarios.CATALOG[lang]} for lang in CATALOG}


def register_messages() -> None:
    """Make the texts known to :mod:`shared.i18n`. Safe to call more than once."""
    i18n.register(full_catalog())


class LabelledConflict(Conflict):
    """A conflict whose params name a status or mode; the text shows them as words in the reader's
    language, while ``params`` keep the plain values for machines.

    ``labels`` maps a param name to the code prefix of its labels, e.g. ``{"current": "delib.topic_status."}``.
    """

    def __init__(self, code: str, log_message: str | None = None, /, *, labels: Mapping[str, str],
                 **params: Any) -> None:
        super().__init__(code, log_message, **params)
        self.labels = dict(labels)

    def user_message(self, lang: str | None = None) -> str:
        shown = {name: (i18n.t(f"{self.labels[name]}{value}", lang) if name in self.labels else value)
                 for name, value in self.params.items()}
        return i18n.t(self.code, lang, **shown)
