"""Texts of the signals service itself: the cards and thread posts it hands to the bot, the
evidence it sends to deliberation, the resident's pages, and the refusals that belong to the API
rather than the domain. Codes start with ``signals.api.``, ``signals.card.``, ``signals.post.``,
``signals.status.``, ``signals.web.`` and ``signals.chart.`` so they never clash with the
domain's catalog.

Everything posted to Matrix is built from scrubbed text only, shown inertly (``Rich.quote``);
nothing names a resident.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable, Sequence
from zoneinfo import ZoneInfo

from services.signals.domain.messages import KIND_LABELS
from shared import i18n
from shared.formatting import Rich, defang, one_line

CATALOG: dict[str, dict[str, str]] = {
    "nl": {
        # ---- refusals of the API and the form
        "signals.api.council_not_found": "Deze raad ken ik niet.",
        "signals.api.cluster_not_found": "Ik ken geen signaalgroep {cluster_id}.",
        "signals.api.signal_not_found": "Ik ken geen signaal {signal_id}.",
        "signals.api.reference_unknown": "Dit referentienummer ken ik niet. Kijk het nog eens na.",
        "signals.api.consent_required": "Je hebt contactgegevens ingevuld. Vink aan dat we die mogen bewaren om je "
                                        "te laten weten wat er met je signaal gebeurt, of laat ze leeg.",
        "signals.api.email_invalid": "Dit e-mailadres klopt niet. Kijk het nog eens na, of laat het leeg.",
        "signals.api.phone_invalid": "Dit telefoonnummer klopt niet. Gebruik alleen cijfers, spaties, +, - of "
                                     "haakjes, of laat het leeg.",
        "signals.api.name_too_long": "De naam is te lang: maximaal {limit} tekens.",
        "signals.api.contact_without_channel": "Vul een e-mailadres of telefoonnummer in als je wilt horen wat er "
                                               "met je signaal gebeurt.",
        "signals.api.received_at_invalid": "Het tijdstip van ontvangst moet een tijdzone hebben, mag niet in de "
                                           "toekomst liggen en niet meer dan een jaar terug.",
        "signals.api.rate_limited": "Er kwamen vanaf dit adres al veel signalen binnen. Probeer het over "
                                    "{minutes} minuten opnieuw.",
        "signals.api.deliberation_down": "Het zetten op de agenda lukt nu even niet: de agenda van de raad is niet "
                                         "bereikbaar. Er is niets veranderd. Probeer het later opnieuw.",
        "signals.api.erase_later": "Wissen lukt nu even niet: de agenda van de raad is niet bereikbaar. Er is "
                                   "niets veranderd. Probeer het later opnieuw.",
        "signals.api.room_not_configured": "Deze room hoort niet bij de raad.",
        "signals.api.cluster_closed": "Deze signaalgroep is al afgesloten.",
        "signals.api.honeypot": "Het formulier kon niet worden verwerkt. Laat het veld ‘website’ leeg en probeer "
                                "het opnieuw.",
        "signals.api.csrf": "Het formulier is verlopen. Stuur het nog een keer; je tekst staat er nog.",
        # ---- the card (thread root)
        "signals.card.title": "Signaalgroep #{cluster_id} · {theme} · {wijk}",
        "signals.card.no_wijk": "wijk onbekend",
        "signals.card.count.one": "1 signaal",
        "signals.card.count.many": "{count} signalen",
        "signals.card.dates": "eerste: {first} · laatste: {last}",
        "signals.card.heard.one": "👍 1 lid hoorde dit ook",
        "signals.card.heard.many": "👍 {count} leden hoorden dit ook",
        "signals.card.wijken": "Wijken: {wijken}",
        "signals.card.reason": "Thema herkend aan: {words}",
        "signals.card.corrected": "Thema gecorrigeerd door een lid.",
        "signals.card.on_agenda": "📌 Op de agenda van de raad: onderwerp #{topic_id} (sinds {date}).",
        "signals.card.decided": "✅ Besloten op {date}:",
        "signals.card.closed": "Deze signaalgroep is afgesloten.",
        "signals.card.merged": "Samengevoegd met groep #{number}: verder in die draad.",
        "signals.card.split_from": "Afgesplitst van groep #{number}.",
        "signals.merge.went": "Groep #{number} is samengevoegd met groep #{into}. De signalen, de bewoners en de 👍 "
                              "staan nu daar; ga verder in die draad.",
        "signals.merge.came": "Groep #{number} is hierbij gevoegd ({count} signalen). Nieuwe signalen zoals die "
                              "komen voortaan hier.",
        "signals.merge.same": "Een groep kun je niet met zichzelf samenvoegen. Noem het nummer van de andere groep.",
        "signals.merge.closed": "Groep #{number} is al afgesloten; samenvoegen kan alleen met open groepen.",
        "signals.merge.on_agenda": "Groep #{number} staat al op de agenda en blijft daarom zelf bestaan. Voeg "
                                   "groep #{into} er juist bij: typ !samenvoegen {into} in de draad van groep "
                                   "#{number}.",
        "signals.split.went": "Signaal {signal_id} is afgesplitst: het is nu groep #{number}, met een eigen draad.",
        "signals.split.not_here": "Signaal {signal_id} hoort niet bij groep #{number}. Typ !afsplitsen in de draad "
                                  "van de groep waar het in staat.",
        "signals.split.alone": "Signaal {signal_id} is het enige signaal van deze groep; afsplitsen is niet nodig.",
        "signals.card.howto": "In deze draad: !agenderen zet dit op de agenda · !thema <thema> corrigeert het "
                              "thema · 👍 op deze kaart: wij hoorden dit ook.",
        # ---- a signal in the thread
        "signals.post.title": "Signaal #{signal_id} · {channel} · {date} · {wijk}",
        "signals.post.theme": "Thema: {theme}",
        "signals.post.removed": "Persoonsgegevens verwijderd: {kinds}.",
        "signals.post.erased": "Signaal #{signal_id}: de tekst is gewist op verzoek van de bewoner.",
        "signals.post.batch": "{count} signalen in één bericht: ze kwamen kort na elkaar binnen.",
        "signals.channel.form": "webformulier",
        "signals.channel.api": "partner",
        "signals.channel.matrix": "via een raadslid",
        # ---- status for residents
        "signals.status.ontvangen": "Ontvangen. De raad heeft je signaal en bekijkt het samen met vergelijkbare "
                                    "signalen.",
        "signals.status.op_agenda": "Op de agenda. De raad bespreekt dit onderwerp (sinds {date}).",
        "signals.status.besloten": "Besloten. De raad heeft op {date} een besluit genomen.",
        "signals.status.gesloten": "Afgesloten. De raad heeft het onderwerp afgesloten zonder apart besluit.",
        "signals.status.verlopen": "Afgesloten. Er kwamen lang geen vergelijkbare signalen meer bij.",
        "signals.status.doorgestuurd": "Doorgestuurd aan {commissie} (op {date}), die dit in je buurt oppakt.",
        "signals.mail.status.doorgestuurd": "doorgestuurd aan de bewonerscommissie",
        "signals.mail.subject": "Je signaal aan {council}: {status}",
        "signals.mail.status.op_agenda": "op de agenda",
        "signals.mail.status.besloten": "de raad heeft besloten",
        "signals.mail.status.gesloten": "afgesloten",
        "signals.mail.status.verlopen": "afgesloten",
        "signals.mail.hello": "Beste {name},",
        "signals.mail.hello_anonymous": "Hallo,",
        "signals.mail.intro": "Je vroeg ons te laten weten wat er met je signaal gebeurt. Er is iets veranderd:",
        "signals.mail.decision": "Het besluit van de raad:",
        "signals.mail.status_link": "Hoe het nu staat, zie je op je eigen pagina: {url}",
        "signals.mail.regards": "Met vriendelijke groet,\n{council}",
        "signals.mail.unsubscribe": "Geen e-mails meer hierover? Klik hier: {url}",
        "signals.web.erase_confirm_title": "Je gegevens wissen?",
        "signals.web.erase_confirm": "Als je doorgaat, wissen we je tekst en je contactgegevens. Dat kan niet "
                                     "ongedaan worden gemaakt. Je signaal telt nog mee in de aantallen, zonder tekst.",
        "signals.web.erase_confirm_button": "Ja, wis mijn gegevens",
        "signals.web.erase_cancel": "Nee, terug naar mijn signaal",
        "signals.web.lookup_title": "Heb je al een referentienummer?",
        "signals.web.lookup_label": "Referentienummer",
        "signals.web.lookup_hint": "Zoals het op je briefje of in je e-mail staat; hoofdletters, spaties en streepjes "
                                   "maken niet uit.",
        "signals.web.lookup_button": "Bekijk mijn signaal",
        "signals.web.lookup_invalid": "Dat is geen referentienummer. Het heeft 16 tekens, zoals ABCD-EFGH-JKMN-PQRS.",
        "signals.web.download": "Download alles wat we over dit signaal bewaren (tekstbestand)",
        "signals.download.title": "Alles wat {council} bewaart over je signaal",
        "signals.download.none": "(niets)",
        "signals.download.reference": "Referentienummer",
        "signals.download.received": "Ontvangen op",
        "signals.download.status": "Hoe het staat",
        "signals.download.neighbourhood": "Buurt",
        "signals.download.group": "Groep van vergelijkbare signalen",
        "signals.download.text": "Je tekst, zoals we hem bewaren:",
        "signals.download.removed": "Weggehaald voor we het bewaarden",
        "signals.download.original": "Je oorspronkelijke tekst hebben we nooit bewaard, alleen deze versie.",
        "signals.download.decision": "Besluit van de raad",
        "signals.download.contact": "Je contactgegevens (apart bewaard, alleen om je te laten weten wat er gebeurt):",
        "signals.download.name": "Naam",
        "signals.download.email": "E-mailadres",
        "signals.download.phone": "Telefoonnummer",
        "signals.download.kept": "We wissen ze {days} dagen nadat je signaal is afgesloten, of eerder als je dat vraagt.",
        "signals.web.unsubscribe_title": "Geen e-mails meer",
        "signals.web.unsubscribe_confirm": "Wil je geen e-mails meer krijgen over dit signaal? Je signaal blijft "
                                           "gewoon meetellen.",
        "signals.web.unsubscribe_button": "Stop de e-mails",
        "signals.web.unsubscribed": "Je krijgt geen e-mails meer over dit signaal.",
        "signals.web.unsubscribe_unknown": "Deze link kennen we niet (meer). Misschien zijn je gegevens al gewist.",
        # ---- evidence for deliberation
        "signals.evidence.title": "Signalen van bewoners: signaalgroep #{cluster_id}",
        "signals.evidence.count": "Aantal signalen: {count}; {heard} raadsleden hoorden dit ook.",
        "signals.evidence.wijken": "Wijken: {wijken}",
        "signals.evidence.period": "Periode: {first} – {last}",
        "signals.evidence.themes": "Thema's: {themes}",
        "signals.evidence.samples": "Voorbeelden (zonder persoonsgegevens):",
        "signals.evidence.link": "Draad in Matrix: {link}",
        "signals.evidence.ref": "Bron: {ref}",
        "signals.topic.title": "Signalen: {theme}{where} – {summary}",
        # ---- chart
        "signals.chart.title": "Signalen per thema en maand – {council}",
        "signals.chart.month": "maand",
        "signals.chart.count": "aantal signalen",
        "signals.chart.empty": "nog geen signalen",
        "signals.chart.alt": "grafiek-signalen.png",
        "signals.chart.unavailable": "De grafiek kan op deze server niet getekend worden. Vraag de "
                                     "beheerder om Overleg met 'charts' te installeren.",
        # ---- the resident's pages
        "signals.web.title": "Meld een signaal",
        "signals.web.intro": "Zie of hoor je iets in je woning of buurt dat de {council} moet weten? Meld het "
                             "hier. De raad praat met de corporatie over wat bewoners bezighoudt.",
        "signals.web.privacy": "We halen namen, telefoonnummers, e-mailadressen, adressen en andere persoonsgegevens "
                               "uit je tekst voordat de raad hem leest. Je contactgegevens bewaren we apart en "
                               "alleen als je dat wilt.",
        "signals.web.skip": "Naar het formulier",
        "signals.web.other_language": "English",
        "signals.web.other_language_code": "en",
        "signals.web.text": "Wat is er aan de hand?",
        "signals.web.text_hint": "Beschrijf het in je eigen woorden. Maximaal {limit} tekens.",
        "signals.web.buurt": "Buurt (niet verplicht)",
        "signals.web.buurt_hint": "Kies je buurt als je wilt. Laat je het leeg, dan kijken we of je tekst een buurt "
                                  "noemt.",
        "signals.web.buurt_none": "— geen keuze —",
        "signals.web.contact": "Wil je horen wat er met je signaal gebeurt? (niet verplicht)",
        "signals.web.contact_hint": "Vul dan je naam en een e-mailadres of telefoonnummer in en geef toestemming.",
        "signals.web.name": "Naam",
        "signals.web.email": "E-mailadres",
        "signals.web.phone": "Telefoonnummer",
        "signals.web.consent": "Ik geef toestemming om mijn contactgegevens te bewaren om mij te laten weten wat "
                               "er met mijn signaal gebeurt. Ze worden {days} dagen na afsluiten gewist.",
        "signals.web.honeypot": "Website (laat dit veld leeg)",
        "signals.web.submit": "Verstuur signaal",
        "signals.web.required": "verplicht",
        "signals.web.errors_title": "Er {count_text} in het formulier:",
        "signals.web.errors_one": "staat 1 fout",
        "signals.web.errors_many": "staan {count} fouten",
        "signals.web.rate_limited_title": "Even geduld",
        "signals.web.thanks": "Bedankt! We hebben je signaal ontvangen.",
        "signals.web.reference": "Je referentienummer",
        "signals.web.reference_hint": "Bewaar dit nummer (of deze pagina). Hiermee zie je later wat er met je "
                                      "signaal is gebeurd, en kun je je gegevens inzien of laten wissen.",
        "signals.web.status_title": "Je signaal",
        "signals.web.status": "Status",
        "signals.web.received": "Ontvangen op",
        "signals.web.your_text": "Zo ziet de raad je tekst",
        "signals.web.erased_text": "De tekst is gewist op jouw verzoek.",
        "signals.web.decision": "Besluit van de raad",
        "signals.web.informed": "Je hebt gevraagd dit te horen: hierbij laten we het je weten.",
        "signals.web.contact_stored": "We bewaren je contactgegevens tot {days} dagen nadat je signaal is "
                                      "afgesloten.",
        "signals.web.contact_none": "We bewaren geen contactgegevens van je.",
        "signals.web.erase": "Wis mijn gegevens",
        "signals.web.erase_hint": "Wist je contactgegevens en je tekst. Het signaal telt nog mee in de aantallen, "
                                  "zonder inhoud.",
        "signals.web.erased": "Je gegevens zijn gewist.",
        "signals.web.not_found_title": "Niet gevonden",
        "signals.web.new_signal": "Nog een signaal melden",
        "signals.web.error_title": "Dat lukte niet",
    },
    "en": {
        "signals.api.council_not_found": "I don't know this council.",
        "signals.api.cluster_not_found": "I don't know signal group {cluster_id}.",
        "signals.api.signal_not_found": "I don't know signal {signal_id}.",
        "signals.api.reference_unknown": "I don't know this reference number. Please check it.",
        "signals.api.consent_required": "You filled in contact details. Tick the box that we may keep them to tell "
                                        "you what happens with your signal, or leave them empty.",
        "signals.api.email_invalid": "This e-mail address is not right. Please check it, or leave it empty.",
        "signals.api.phone_invalid": "This phone number is not right. Use only digits, spaces, +, - or brackets, "
                                     "or leave it empty.",
        "signals.api.name_too_long": "The name is too long: at most {limit} characters.",
        "signals.api.contact_without_channel": "Fill in an e-mail address or phone number if you want to hear what "
                                               "happens with your signal.",
        "signals.api.received_at_invalid": "The time received must carry a time zone, cannot lie in the future and "
                                           "not more than a year back.",
        "signals.api.rate_limited": "Many signals came from this address already. Please try again in {minutes} "
                                    "minutes.",
        "signals.api.deliberation_down": "Putting this on the agenda is not possible right now: the council's agenda "
                                         "cannot be reached. Nothing was changed. Please try again later.",
        "signals.api.erase_later": "Erasing is not possible right now: the council's agenda cannot be reached. "
                                   "Nothing was changed. Please try again later.",
        "signals.api.room_not_configured": "This room does not belong to the council.",
        "signals.api.cluster_closed": "This signal group is closed already.",
        "signals.api.honeypot": "The form could not be processed. Leave the field ‘website’ empty and try again.",
        "signals.api.csrf": "The form has expired. Please send it again; your text is still there.",
        "signals.card.title": "Signal group #{cluster_id} · {theme} · {wijk}",
        "signals.card.no_wijk": "neighbourhood unknown",
        "signals.card.count.one": "1 signal",
        "signals.card.count.many": "{count} signals",
        "signals.card.dates": "first: {first} · last: {last}",
        "signals.card.heard.one": "👍 1 member heard this too",
        "signals.card.heard.many": "👍 {count} members heard this too",
        "signals.card.wijken": "Neighbourhoods: {wijken}",
        "signals.card.reason": "Theme recognised by: {words}",
        "signals.card.corrected": "Theme corrected by a member.",
        "signals.card.on_agenda": "📌 On the council's agenda: topic #{topic_id} (since {date}).",
        "signals.card.decided": "✅ Decided on {date}:",
        "signals.card.closed": "This signal group is closed.",
        "signals.card.merged": "Merged with group #{number}: continue in that thread.",
        "signals.card.split_from": "Split off from group #{number}.",
        "signals.merge.went": "Group #{number} has been merged with group #{into}. Its signals, residents and 👍 are "
                              "there now; continue in that thread.",
        "signals.merge.came": "Group #{number} has been added here ({count} signals). New signals like them come "
                              "here from now on.",
        "signals.merge.same": "A group cannot be merged with itself. Name the number of the other group.",
        "signals.merge.closed": "Group #{number} is closed already; only open groups can be merged.",
        "signals.merge.on_agenda": "Group #{number} is on the agenda already, so it stays. Add group #{into} to it "
                                   "instead: type !samenvoegen {into} in the thread of group #{number}.",
        "signals.split.went": "Signal {signal_id} has been split off: it is group #{number} now, with its own "
                              "thread.",
        "signals.split.not_here": "Signal {signal_id} is not in group #{number}. Type !afsplitsen in the thread of "
                                  "the group it is in.",
        "signals.split.alone": "Signal {signal_id} is the only signal of this group; no need to split it off.",
        "signals.card.howto": "In this thread: !agenderen puts it on the agenda · !thema <theme> corrects the theme "
                              "· 👍 on this card: we heard this too.",
        "signals.post.title": "Signal #{signal_id} · {channel} · {date} · {wijk}",
        "signals.post.theme": "Theme: {theme}",
        "signals.post.removed": "Personal data removed: {kinds}.",
        "signals.post.erased": "Signal #{signal_id}: the text was erased at the resident's request.",
        "signals.post.batch": "{count} signals in one message: they came in shortly after one another.",
        "signals.channel.form": "web form",
        "signals.channel.api": "partner",
        "signals.channel.matrix": "via a council member",
        "signals.status.ontvangen": "Received. The council has your signal and looks at it together with similar "
                                    "signals.",
        "signals.status.op_agenda": "On the agenda. The council is discussing this topic (since {date}).",
        "signals.status.besloten": "Decided. The council reached a decision on {date}.",
        "signals.status.gesloten": "Closed. The council closed the topic without a separate decision.",
        "signals.status.verlopen": "Closed. No similar signals came in for a long time.",
        "signals.status.doorgestuurd": "Handed over to {commissie} (on {date}), who take this up in your "
                                       "neighbourhood.",
        "signals.mail.status.doorgestuurd": "handed over to the residents' committee",
        "signals.mail.subject": "Your signal to {council}: {status}",
        "signals.mail.status.op_agenda": "on the agenda",
        "signals.mail.status.besloten": "the council has decided",
        "signals.mail.status.gesloten": "closed",
        "signals.mail.status.verlopen": "closed",
        "signals.mail.hello": "Dear {name},",
        "signals.mail.hello_anonymous": "Hello,",
        "signals.mail.intro": "You asked us to let you know what happens with your signal. Something has changed:",
        "signals.mail.decision": "The council's decision:",
        "signals.mail.status_link": "Where it stands now is on your own page: {url}",
        "signals.mail.regards": "Kind regards,\n{council}",
        "signals.mail.unsubscribe": "No more e-mails about this? Click here: {url}",
        "signals.web.erase_confirm_title": "Erase your data?",
        "signals.web.erase_confirm": "If you go on, we erase your text and your contact details. This cannot be "
                                     "undone. Your signal still counts in the figures, without its text.",
        "signals.web.erase_confirm_button": "Yes, erase my data",
        "signals.web.erase_cancel": "No, back to my signal",
        "signals.web.lookup_title": "Do you have a reference number already?",
        "signals.web.lookup_label": "Reference number",
        "signals.web.lookup_hint": "As written on your note or in your e-mail; capitals, spaces and dashes do not "
                                   "matter.",
        "signals.web.lookup_button": "Show my signal",
        "signals.web.lookup_invalid": "That is not a reference number. It has 16 characters, like ABCD-EFGH-JKMN-PQRS.",
        "signals.web.download": "Download everything we keep about this signal (text file)",
        "signals.download.title": "Everything {council} keeps about your signal",
        "signals.download.none": "(nothing)",
        "signals.download.reference": "Reference number",
        "signals.download.received": "Received on",
        "signals.download.status": "Where it stands",
        "signals.download.neighbourhood": "Neighbourhood",
        "signals.download.group": "Group of similar signals",
        "signals.download.text": "Your text, as we keep it:",
        "signals.download.removed": "Removed before we kept it",
        "signals.download.original": "We never kept your original text, only this version.",
        "signals.download.decision": "The council's decision",
        "signals.download.contact": "Your contact details (kept apart, only to let you know what happens):",
        "signals.download.name": "Name",
        "signals.download.email": "E-mail address",
        "signals.download.phone": "Phone number",
        "signals.download.kept": "We erase them {days} days after your signal is closed, or sooner if you ask.",
        "signals.web.unsubscribe_title": "No more e-mails",
        "signals.web.unsubscribe_confirm": "Do you want to stop the e-mails about this signal? Your signal still "
                                           "counts.",
        "signals.web.unsubscribe_button": "Stop the e-mails",
        "signals.web.unsubscribed": "You will not get e-mails about this signal any more.",
        "signals.web.unsubscribe_unknown": "We do not know this link (any more). Your details may have been erased "
                                           "already.",
        "signals.evidence.title": "Residents' signals: signal group #{cluster_id}",
        "signals.evidence.count": "Number of signals: {count}; {heard} council members heard this too.",
        "signals.evidence.wijken": "Neighbourhoods: {wijken}",
        "signals.evidence.period": "Period: {first} – {last}",
        "signals.evidence.themes": "Themes: {themes}",
        "signals.evidence.samples": "Examples (without personal data):",
        "signals.evidence.link": "Thread in Matrix: {link}",
        "signals.evidence.ref": "Source: {ref}",
        "signals.topic.title": "Signals: {theme}{where} – {summary}",
        "signals.chart.title": "Signals per theme and month – {council}",
        "signals.chart.month": "month",
        "signals.chart.count": "number of signals",
        "signals.chart.empty": "no signals yet",
        "signals.chart.alt": "signals-chart.png",
        "signals.chart.unavailable": "The chart cannot be drawn on this server. Ask the operator to "
                                     "install Overleg with 'charts'.",
        "signals.web.title": "Report a signal",
        "signals.web.intro": "Do you see or hear something in your home or neighbourhood that the {council} should "
                             "know? Report it here. The council talks with the housing corporation about what "
                             "residents care about.",
        "signals.web.privacy": "We remove names, phone numbers, e-mail addresses, addresses and other personal data "
                               "from your text before the council reads it. We keep your contact details apart, and "
                               "only if you want us to.",
        "signals.web.skip": "Skip to the form",
        "signals.web.other_language": "Nederlands",
        "signals.web.other_language_code": "nl",
        "signals.web.text": "What is going on?",
        "signals.web.text_hint": "Describe it in your own words. At most {limit} characters.",
        "signals.web.buurt": "Neighbourhood (optional)",
        "signals.web.buurt_hint": "Choose your neighbourhood if you like. If you leave it empty, we look whether "
                                  "your text names one.",
        "signals.web.buurt_none": "— no choice —",
        "signals.web.contact": "Do you want to hear what happens with your signal? (optional)",
        "signals.web.contact_hint": "Then fill in your name and an e-mail address or phone number, and give consent.",
        "signals.web.name": "Name",
        "signals.web.email": "E-mail address",
        "signals.web.phone": "Phone number",
        "signals.web.consent": "I consent to my contact details being kept to tell me what happens with my signal. "
                               "They are erased {days} days after it is closed.",
        "signals.web.honeypot": "Website (leave this field empty)",
        "signals.web.submit": "Send signal",
        "signals.web.required": "required",
        "signals.web.errors_title": "There {count_text} in the form:",
        "signals.web.errors_one": "is 1 error",
        "signals.web.errors_many": "are {count} errors",
        "signals.web.rate_limited_title": "Please wait",
        "signals.web.thanks": "Thank you! We received your signal.",
        "signals.web.reference": "Your reference number",
        "signals.web.reference_hint": "Keep this number (or this page). With it you can later see what happened "
                                      "with your signal, and view or erase your data.",
        "signals.web.status_title": "Your signal",
        "signals.web.status": "Status",
        "signals.web.received": "Received on",
        "signals.web.your_text": "This is how the council sees your text",
        "signals.web.erased_text": "The text was erased at your request.",
        "signals.web.decision": "The council's decision",
        "signals.web.informed": "You asked to hear about this: here it is.",
        "signals.web.contact_stored": "We keep your contact details until {days} days after your signal is closed.",
        "signals.web.contact_none": "We keep no contact details of yours.",
        "signals.web.erase": "Erase my data",
        "signals.web.erase_hint": "Erases your contact details and your text. The signal still counts in the "
                                  "numbers, without content.",
        "signals.web.erased": "Your data has been erased.",
        "signals.web.not_found_title": "Not found",
        "signals.web.new_signal": "Report another signal",
        "signals.web.error_title": "That did not work",
    },
}

# Resident consultations (!raadpleging, /raadpleging/<code>): the announcement in the topic's thread and the pages.
CONSULTATION_CATALOG: dict[str, dict[str, str]] = {
    "nl": {
        "signals.consultation.topic_unknown": "Onderwerp #{topic_id} ken ik niet. !agenda toont de nummers.",
        "signals.cons.announce_title": "Bewonersraadpleging over onderwerp #{topic_id}: {topic}",
        "signals.cons.announce_link": "Bewoners antwoorden hier: {url}",
        "signals.cons.announce_closed": "Gesloten, met {count} antwoorden. De samenvatting staat hieronder.",
        "signals.cons.summary_topic": "Dit hoort bij onderwerp #{topic_id}; dat heeft nog geen ronde.",
        "signals.cons.web_title": "Bewonersraadpleging",
        "signals.cons.intro": "{council} wil graag weten wat u vindt. Het gaat over: {topic}.",
        "signals.cons.closes": "U kunt antwoorden tot en met {date}.",
        "signals.cons.privacy": "U kunt anoniem antwoorden. Staan er toch persoonsgegevens in uw antwoord (een "
                                "naam, telefoonnummer of adres), dan halen we die eruit voordat we het bewaren.",
        "signals.cons.question": "De vraag",
        "signals.cons.choice": "Uw keuze",
        "signals.cons.no_choice": "Geen keuze, alleen een toelichting",
        "signals.cons.text": "Uw antwoord of toelichting",
        "signals.cons.text_hint": "Hoogstens {limit} tekens. Niet verplicht als u een keuze maakt.",
        "signals.cons.text_required": "Uw antwoord",
        "signals.cons.wijk": "Uw wijk (niet verplicht)",
        "signals.cons.wijk_hint": "Zo ziet de raad uit welke wijken de antwoorden komen.",
        "signals.cons.contact": "Wilt u horen wat de raad besluit? (niet verplicht)",
        "signals.cons.contact_hint": "Laat dan uw e-mailadres achter. We bewaren het apart van uw antwoord en "
                                     "wissen het zodra we u de uitkomst hebben gestuurd.",
        "signals.cons.consent": "Ik geef toestemming mijn contactgegevens hiervoor te bewaren, tot de uitkomst "
                                "er is (hoogstens {days} dagen na het sluiten).",
        "signals.cons.submit": "Antwoord versturen",
        "signals.cons.thanks_title": "Bedankt voor uw antwoord",
        "signals.cons.thanks": "Uw antwoord is ontvangen.",
        "signals.cons.reference": "Met dit nummer kunt u uw antwoord later inzien of wissen. Bewaar het goed.",
        "signals.cons.will_mail": "We mailen u wat de raad besluit. Daarna wissen we uw e-mailadres.",
        "signals.cons.answer_title": "Uw antwoord op de raadpleging",
        "signals.cons.your_answer": "Zo is uw antwoord bewaard",
        "signals.cons.your_choice": "Uw keuze: {option}",
        "signals.cons.erase": "Mijn antwoord wissen",
        "signals.cons.erase_hint": "Wist uw antwoord en uw contactgegevens. Het telt dan niet meer mee.",
        "signals.cons.erased": "Uw antwoord en contactgegevens zijn gewist.",
        "signals.cons.closed_title": "Raadpleging gesloten",
        "signals.cons.already": "Dit antwoord hadden we al ontvangen.",
        "signals.signup.wrong_type": "Evenement #{number} is geen bewonersavond of bewonersconsultatie; alleen "
                                     "die kunnen bewoners zich voor aanmelden.",
        "signals.signup.capacity_needed": "Hoeveel plaatsen heeft evenement #{number}? Geef het aantal: "
                                          "!bewonersavond {number} plaatsen <aantal>.",
        "signals.signup.event_invalid": "De gegevens van dit evenement kon ik niet lezen.",
        "signals.signup.meeting_mismatch": "Die bijeenkomst van evenement #{number} begint niet op die dag.",
        "signals.signup.not_open": "Evenement #{number} staat niet open voor aanmelden.",
        "signals.signup.email_required": "Vul uw e-mailadres in: daar sturen we de bevestiging en een herinnering heen.",
        "signals.signup.consent_required": "Geef toestemming om uw e-mailadres hiervoor te bewaren.",
        "signals.su.title": "Aanmelden",
        "signals.su.when": "Wanneer",
        "signals.su.where": "Waar",
        "signals.su.places": "Plaatsen",
        "signals.su.intro": "Meld u aan met uw e-mailadres. U krijgt een bevestiging en de dag ervoor een herinnering.",
        "signals.su.privacy": "We bewaren uw e-mailadres apart van de lijst, alleen voor deze bijeenkomst; daarna "
                              "wissen we het. Afmelden kan altijd via de link in de e-mail.",
        "signals.su.full_hint": "Vol? Meld u toch aan: dan komt u op de wachtlijst en krijgt u bericht als er een "
                                "plaats vrijkomt.",
        "signals.su.consent": "Ik geef toestemming mijn e-mailadres te bewaren voor de bevestiging en de herinnering.",
        "signals.su.submit": "Aanmelden",
        "signals.su.confirmed_title": "U bent aangemeld",
        "signals.su.confirmed": "U hebt een plaats. De bevestiging staat in uw e-mail.",
        "signals.su.waiting_title": "U staat op de wachtlijst",
        "signals.su.waiting": "Alle plaatsen zijn bezet. U staat op plaats {position} van de wachtlijst; komt er een "
                              "plaats vrij, dan krijgt u een e-mail.",
        "signals.su.cancel_hint": "Kunt u toch niet? Meld u dan af, dan krijgt iemand anders uw plaats.",
        "signals.su.cancel_link": "Afmelden",
        "signals.su.cancel_title": "Afmelden",
        "signals.su.cancel_question": "Wilt u zich afmelden voor {title}?",
        "signals.su.cancel_button": "Ja, afmelden",
        "signals.su.already": "Deze aanmelding hadden we al ontvangen. De link om af te melden staat in de e-mail.",
        "signals.card.forwarded": "Doorgestuurd aan {commissie} op {date}: niet meer op de open lijst van de raad.",
        "signals.forward.done": "Doorgestuurd aan {commissie}. De groep staat niet meer op de open lijst van de raad; "
                                "bewoners zien op hun statuspagina aan wie.",
        "signals.pattern.unknown": "Dat patroon ken ik niet (meer).",
        "signals.forward.on_agenda": "Signaalgroep #{number} staat al op de agenda (onderwerp #{topic_id}); die blijft "
                                     "bij de raad.",
        "signals.pattern.on_agenda": "Op de agenda als onderwerp #{topic_id}.",
        "signals.pattern.evidence_groups": "Signaalgroepen:",
    },
    "en": {
        "signals.consultation.topic_unknown": "I don't know topic #{topic_id}. !agenda shows the numbers.",
        "signals.cons.announce_title": "Resident consultation on topic #{topic_id}: {topic}",
        "signals.cons.announce_link": "Residents answer here: {url}",
        "signals.cons.announce_closed": "Closed, with {count} answers. The summary follows below.",
        "signals.cons.summary_topic": "This belongs to topic #{topic_id}, which has no round yet.",
        "signals.cons.web_title": "Resident consultation",
        "signals.cons.intro": "{council} would like to know what you think. It is about: {topic}.",
        "signals.cons.closes": "You can answer until {date} inclusive.",
        "signals.cons.privacy": "You can answer anonymously. If your answer contains personal data (a name, "
                                "phone number or address), we take it out before storing it.",
        "signals.cons.question": "The question",
        "signals.cons.choice": "Your choice",
        "signals.cons.no_choice": "No choice, only a comment",
        "signals.cons.text": "Your answer or comment",
        "signals.cons.text_hint": "At most {limit} characters. Optional when you make a choice.",
        "signals.cons.text_required": "Your answer",
        "signals.cons.wijk": "Your neighbourhood (optional)",
        "signals.cons.wijk_hint": "So the council sees which neighbourhoods the answers come from.",
        "signals.cons.contact": "Want to hear what the council decides? (optional)",
        "signals.cons.contact_hint": "Then leave your e-mail address. We keep it apart from your answer and erase "
                                     "it once we have sent you the outcome.",
        "signals.cons.consent": "I agree to my contact details being kept for this until the outcome is known "
                                "(at most {days} days after closing).",
        "signals.cons.submit": "Send answer",
        "signals.cons.thanks_title": "Thank you for your answer",
        "signals.cons.thanks": "Your answer has been received.",
        "signals.cons.reference": "With this number you can see or erase your answer later. Keep it safe.",
        "signals.cons.will_mail": "We will e-mail you what the council decides. Then we erase your address.",
        "signals.cons.answer_title": "Your answer to the consultation",
        "signals.cons.your_answer": "This is how your answer was stored",
        "signals.cons.your_choice": "Your choice: {option}",
        "signals.cons.erase": "Erase my answer",
        "signals.cons.erase_hint": "Erases your answer and your contact details. It no longer counts.",
        "signals.cons.erased": "Your answer and contact details have been erased.",
        "signals.cons.closed_title": "Consultation closed",
        "signals.cons.already": "We had received this answer already.",
        "signals.signup.wrong_type": "Event #{number} is not a residents' evening or resident consultation; only "
                                     "those are open for residents to sign up.",
        "signals.signup.capacity_needed": "How many places does event #{number} have? Give the number: "
                                          "!bewonersavond {number} plaatsen <number>.",
        "signals.signup.event_invalid": "I could not read this event's details.",
        "signals.signup.meeting_mismatch": "That meeting of event #{number} does not start on that day.",
        "signals.signup.not_open": "Event #{number} is not open for sign-up.",
        "signals.signup.email_required": "Fill in your e-mail address: the confirmation and a reminder go there.",
        "signals.signup.consent_required": "Agree to us keeping your e-mail address for this.",
        "signals.su.title": "Sign up",
        "signals.su.when": "When",
        "signals.su.where": "Where",
        "signals.su.places": "Places",
        "signals.su.intro": "Sign up with your e-mail address. You get a confirmation and a reminder the day before.",
        "signals.su.privacy": "We keep your e-mail address apart from the list, for this meeting only; then we erase "
                              "it. You can always cancel through the link in the e-mail.",
        "signals.su.full_hint": "Full? Sign up anyway: you go on the waiting list and hear when a place comes free.",
        "signals.su.consent": "I agree to my e-mail address being kept for the confirmation and the reminder.",
        "signals.su.submit": "Sign up",
        "signals.su.confirmed_title": "You have signed up",
        "signals.su.confirmed": "You have a place. The confirmation is in your e-mail.",
        "signals.su.waiting_title": "You are on the waiting list",
        "signals.su.waiting": "All places are taken. You are number {position} on the waiting list; when a place "
                              "comes free you get an e-mail.",
        "signals.su.cancel_hint": "Can't make it after all? Cancel, so someone else gets your place.",
        "signals.su.cancel_link": "Cancel",
        "signals.su.cancel_title": "Cancel",
        "signals.su.cancel_question": "Do you want to cancel your sign-up for {title}?",
        "signals.su.cancel_button": "Yes, cancel",
        "signals.su.already": "We had received this sign-up already. The link to cancel is in the e-mail.",
        "signals.card.forwarded": "Handed over to {commissie} on {date}: no longer on the council's open list.",
        "signals.forward.done": "Handed over to {commissie}. The group is no longer on the council's open list; "
                                "residents see on their status page to whom.",
        "signals.pattern.unknown": "I don't know that pattern (any more).",
        "signals.forward.on_agenda": "Signal group #{number} is on the agenda already (topic #{topic_id}); it stays "
                                     "with the council.",
        "signals.pattern.on_agenda": "On the agenda as topic #{topic_id}.",
        "signals.pattern.evidence_groups": "Signal groups:",
    },
}


def register_messages() -> None:
    from services.signals.domain import consultation, neighbourhood, patterns, signup  # their user texts

    for catalog in (CATALOG, CONSULTATION_CATALOG, consultation.CATALOG, neighbourhood.CATALOG, patterns.CATALOG,
                    signup.CATALOG):
        i18n.register(catalog)


def t(code: str, lang: str | None, **params: object) -> str:
    return i18n.t(code, lang, **params)


def day(value: datetime | date, lang: str | None, tz: str = "Europe/Amsterdam") -> str:
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(tz)).date()
    return i18n.format_pattern(value, "d MMM y", lang)


def long_day(value: datetime | date, lang: str | None, tz: str = "Europe/Amsterdam") -> str:
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(tz)).date()
    return i18n.fmt_date(value, lang)


def kinds_label(kinds: Iterable[str], lang: str | None) -> str:
    labels = KIND_LABELS[i18n.normalise_language(lang)]
    return ", ".join(labels.get(k, k) for k in kinds)


def count_text(count: int, lang: str | None) -> str:
    return t("signals.card.count.one" if count == 1 else "signals.card.count.many", lang, count=count)


def card(lang: str, tz: str, *, cluster_id: int, theme: str, wijk: str | None, count: int, heard: int,
         first: datetime, last: datetime, summary: str, wijken: Sequence[str], reason: Sequence[str],
         corrected: bool, topic_id: int | None, agendered_at: datetime | None, outcome_text: str | None,
         outcome_date: date | None, closed: bool, merged_into: int | None = None,
         split_from: int | None = None, local_note: str | None = None, forwarded_to: str | None = None,
         forwarded_at: datetime | None = None) -> Rich:
    """The thread root of a cluster. Only scrubbed text, shown inertly."""
    rich = Rich().heading(t("signals.card.title", lang, cluster_id=cluster_id, theme=theme,
                            wijk=wijk or t("signals.card.no_wijk", lang)))
    rich.line(f"{count_text(count, lang)} · "
              + t("signals.card.dates", lang, first=day(first, lang, tz), last=day(last, lang, tz)))
    if heard:
        rich.line(t("signals.card.heard.one" if heard == 1 else "signals.card.heard.many", lang, count=heard))
    if len(wijken) > 1:
        rich.line(t("signals.card.wijken", lang, wijken=", ".join(wijken)))
    if summary:
        rich.quote(summary)
    if corrected:
        rich.line(t("signals.card.corrected", lang))
    elif reason:
        rich.line(t("signals.card.reason", lang, words=defang(", ".join(reason))))
    if topic_id is not None:
        rich.line(t("signals.card.on_agenda", lang, topic_id=topic_id,
                    date=day(agendered_at, lang, tz) if agendered_at else "?"))
    if outcome_text is not None and outcome_date is not None:
        rich.line(t("signals.card.decided", lang, date=day(outcome_date, lang, tz)))
        rich.quote(outcome_text)
    if forwarded_to is not None:
        rich.line(t("signals.card.forwarded", lang, commissie=forwarded_to,
                    date=day(forwarded_at, lang, tz) if forwarded_at else "?"))
    elif local_note and topic_id is None and not closed:
        rich.line(local_note)
    if split_from is not None:
        rich.line(t("signals.card.split_from", lang, number=split_from))
    if merged_into is not None:
        rich.line(t("signals.card.merged", lang, number=merged_into))
    elif closed and outcome_text is None:
        rich.line(t("signals.card.closed", lang))
    if not closed:
        rich.line(t("signals.card.howto", lang))
    return rich


def signal_post(lang: str, tz: str, *, signal_id: int, channel: str, ts: datetime, wijk: str | None,
                theme: str, matched: Sequence[str], text: str, removed: Sequence[str]) -> Rich:
    rich = Rich().heading(t("signals.post.title", lang, signal_id=signal_id,
                            channel=t(f"signals.channel.{channel}", lang), date=day(ts, lang, tz),
                            wijk=wijk or t("signals.card.no_wijk", lang)))
    rich.quote(text)
    shown_theme = theme + (f" ({', '.join(matched)})" if matched else "")
    rich.line(t("signals.post.theme", lang, theme=defang(shown_theme)))
    if removed:
        rich.line(t("signals.post.removed", lang, kinds=kinds_label(removed, lang)))
    return rich


def signal_posts(lang: str, tz: str, posts: Sequence[dict[str, Any]]) -> Rich:
    """Signals that joined a group in one burst, in one thread message: each as :func:`signal_post`
    shows it (the first one's title opens the message), then how many there are. One signal: just
    its post."""
    if len(posts) == 1:
        return signal_post(lang, tz, **posts[0])
    rich = Rich()
    for post in posts:
        one = signal_post(lang, tz, **post)
        if rich.plain:
            rich.line()
        rich.plain.extend(one.plain)
        rich.markup.extend(one.markup)
    return rich.line().line(t("signals.post.batch", lang, count=len(posts)))


def evidence_text(lang: str, tz: str, *, cluster_id: int, count: int, heard: int, wijken: Sequence[str],
                  first: datetime, last: datetime, themes: Sequence[str], samples: Sequence[str],
                  link: str | None, source_ref: str, limit: int = 4000) -> str:
    lines = [t("signals.evidence.title", lang, cluster_id=cluster_id),
             t("signals.evidence.count", lang, count=count, heard=heard)]
    if wijken:
        lines.append(t("signals.evidence.wijken", lang, wijken=", ".join(wijken)))
    lines.append(t("signals.evidence.period", lang, first=day(first, lang, tz), last=day(last, lang, tz)))
    if themes:
        lines.append(t("signals.evidence.themes", lang, themes=", ".join(themes)))
    tail = []
    if link:
        tail.append(t("signals.evidence.link", lang, link=link))
    tail.append(t("signals.evidence.ref", lang, ref=source_ref))
    if samples:
        lines.append(t("signals.evidence.samples", lang))
        room = limit - sum(len(x) + 1 for x in lines + tail) - 10
        for sample in samples:
            item = f"- “{one_line(sample)}”"
            if len(item) + 1 > room:
                break
            lines.append(item)
            room -= len(item) + 1
    return "\n".join(lines + tail)[:limit]


def status_mail(lang: str, *, council: str, status: str, status_text: str, name: str | None,
                decision: str | None, status_url: str | None, unsubscribe_url: str) -> tuple[str, str]:
    """(subject, plain text) of the e-mail a resident gets when their group's status changes."""
    subject = t("signals.mail.subject", lang, council=council, status=t(f"signals.mail.status.{status}", lang))
    lines = [t("signals.mail.hello", lang, name=name) if name else t("signals.mail.hello_anonymous", lang), "",
             t("signals.mail.intro", lang), "", status_text]
    if decision:
        lines += ["", t("signals.mail.decision", lang), *(f"> {line}" for line in decision.splitlines())]
    if status_url:
        lines += ["", t("signals.mail.status_link", lang, url=status_url)]
    lines += ["", t("signals.mail.regards", lang, council=council), "", "--",
              t("signals.mail.unsubscribe", lang, url=unsubscribe_url)]
    return subject, "\n".join(lines) + "\n"
