"""Texts of the deliberation service itself: what it posts to Matrix through the outbox, and the
refusals that belong to the API rather than to the domain. Codes start with ``delib.msg.`` and
``delib.api.`` so they never clash with the domain's catalog.

Messages posted to the room never carry members' names or what they wrote about themselves: the
people who must act are notified through ``mentions`` only.
"""
from __future__ import annotations

from datetime import date, datetime

from shared import i18n
from shared.formatting import Rich, defang, one_line

CATALOG: dict[str, dict[str, str]] = {
    "nl": {
        # ---- refusals of the API
        "delib.api.council_not_found": "Deze raad ken ik niet.",
        "delib.api.application_not_found": "Ik ken geen sollicitatie {application_id}.",
        "delib.api.actor_required": "Zeg namens welk lid dit gebeurt (actor).",
        "delib.api.secretary_only": "Alleen de secretaris kan leden toevoegen of wijzigen.",
        "delib.api.secretary_no_position": "Als secretaris zonder zetel begeleid je de ronde; je geeft zelf "
                                           "geen standpunt. Er is niets vastgelegd.",
        "delib.api.bad_idempotency_key": "De Idempotency-Key is te lang (maximaal {max} tekens).",
        "delib.api.too_many_applications": "Er kwamen vandaag al veel aanmeldingen binnen. Probeer het morgen "
                                           "opnieuw.",
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
        # ---- posted in the room
        "delib.msg.round_opened.title": "Overlegronde {round_id}: {title}",
        "delib.msg.round_opened.proposal": "Voorstel (versie 1):",
        "delib.msg.round_opened.phase": "Fase: {phase}. Reageer vóór {deadline}.",
        "delib.msg.round_opened.howto": "Reageer in deze draad met !eens, !bedenking <tekst>, !opzij, "
                                        "!bezwaar <argument> of !info <vraag>. Met !stand zie je wie nog niet "
                                        "reageerde en welke bezwaren openstaan.",
        "delib.msg.amended.title": "Nieuw voorstel in ronde {round_id}: versie {version}",
        "delib.msg.amended.again": "Eerdere standpunten gelden niet meer voor deze versie. Wie een melding krijgt: "
                                   "geef opnieuw je standpunt in deze draad.",
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
    },
    "en": {
        "delib.api.council_not_found": "I don't know this council.",
        "delib.api.application_not_found": "I don't know an application {application_id}.",
        "delib.api.actor_required": "Say on behalf of which member this happens (actor).",
        "delib.api.secretary_only": "Only the secretary can add or change members.",
        "delib.api.secretary_no_position": "As a secretary without a seat you facilitate the round; you do not "
                                           "take a position yourself. Nothing was recorded.",
        "delib.api.bad_idempotency_key": "The Idempotency-Key is too long (at most {max} characters).",
        "delib.api.too_many_applications": "Many applications came in today already. Please try again tomorrow.",
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
        "delib.msg.round_opened.title": "Consensus round {round_id}: {title}",
        "delib.msg.round_opened.proposal": "Proposal (version 1):",
        "delib.msg.round_opened.phase": "Phase: {phase}. Please respond before {deadline}.",
        "delib.msg.round_opened.howto": "Respond in this thread with !eens (agree), !bedenking <text> (concern), "
                                        "!opzij (stand aside), !bezwaar <argument> (objection) or !info <question>. "
                                        "!stand shows who has not responded yet and which objections are open.",
        "delib.msg.amended.title": "New proposal in round {round_id}: version {version}",
        "delib.msg.amended.again": "Earlier positions no longer count for this version. If you were notified: "
                                   "please give your position again in this thread.",
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
    },
}


def register_messages() -> None:
    i18n.register(CATALOG)


def _title(title: str) -> str:
    return defang(one_line(title))


def round_opened(lang: str, *, round_id: int, title: str, proposal: str, phase_label: str,
                 deadline: datetime) -> Rich:
    rich = Rich().heading(i18n.t("delib.msg.round_opened.title", lang, round_id=round_id, title=_title(title)))
    rich.line(i18n.t("delib.msg.round_opened.proposal", lang))
    rich.quote(proposal)
    rich.line(i18n.t("delib.msg.round_opened.phase", lang, phase=phase_label,
                     deadline=i18n.fmt_datetime(deadline, lang)))
    rich.line(i18n.t("delib.msg.round_opened.howto", lang))
    return rich


def amended(lang: str, *, round_id: int, version: int, text: str) -> Rich:
    rich = Rich().heading(i18n.t("delib.msg.amended.title", lang, round_id=round_id, version=version))
    rich.quote(text)
    rich.line(i18n.t("delib.msg.amended.again", lang))
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
