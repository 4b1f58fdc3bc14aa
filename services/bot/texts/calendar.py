"""What the bot says for the calendar commands (services/bot/features/calendar.py), Dutch and English."""
from __future__ import annotations

CATALOG = {
    "nl": {
        "bot.calendar.cmd.kalender": "wat er de komende tijd gepland staat, genummerd",
        "bot.calendar.cmd.aanwezig": "meld je aan voor afspraak <nr> (bij een reeks: de volgende, of geef een datum)",
        "bot.calendar.cmd.afwezig": "meld je af voor afspraak <nr> (bij een reeks: de volgende, of geef een datum)",
        "bot.calendar.cmd.datumprikker": "zoek samen een datum: iedereen zegt welke opties hij kan",
        "bot.calendar.cmd.kan": "zeg welke opties van de datumprikker je kunt (in de draad ervan)",
        "bot.calendar.cmd.vastleggen": "leg de gekozen optie van de datumprikker vast als afspraak",
        "bot.calendar.cmd.feed": "je eigen kalenderlink, in een privébericht (met 'nieuw': een nieuwe link)",
        "bot.calendar.cmd.activiteit": "zet een afspraak in de kalender (bv. !activiteit training Media 12-3 "
                                       "19:30-21:30 plaatsen=12 plaats=Wijkcentrum De Esch)",
        "bot.calendar.cmd.afgelast": "zeg afspraak <nr> af (bij een reeks met datum: alleen die keer)",
        "bot.calendar.cmd.verplaats": "verplaats één bijeenkomst naar een andere dag of tijd (bv. !verplaats 4 16-3 "
                                      "17-3 20:00); aanmeldingen en herinneringen gaan mee",
        "bot.calendar.cmd.vergaderagenda": "zet de agenda bij een bijeenkomst: een link of korte tekst (bv. "
                                           "!vergaderagenda 4 16-3 https://…)",
        "bot.calendar.cmd.verslag": "zet na afloop het verslag bij een bijeenkomst: een link of korte tekst",
        "bot.calendar.cmd.trainingen": "de trainingen die je gevolgd hebt (secretaris: !trainingen iedereen "
                                       "voor alle leden)",
        "bot.calendar.cmd.aanwezigheid": "wie er komt naar afspraak <nr>, en na afloop: bevestig wie er was "
                                         "(!aanwezigheid 4 @anna Bram)",
        "bot.calendar.kalender.title": "Wat er aan komt – {council}",
        "bot.calendar.kalender.empty": "Er staat de komende {days} dagen niets in de kalender.",
        "bot.calendar.kalender.footer": "Aanmelden of afmelden: !aanwezig <nr> of !afwezig <nr>. Je eigen kalender "
                                        "in je agenda-app: !feed.",
        "bot.calendar.kalender.cancelled": "vervallen",
        "bot.calendar.kalender.you": "jij: {answer}",
        "bot.calendar.kalender.places": "nog {left} van {capacity} plaatsen vrij",
        "bot.calendar.kalender.full": "vol ({capacity} plaatsen)",
        "bot.calendar.kalender.residents": "bewoners: nog {left} van {capacity} plaatsen",
        "bot.calendar.kalender.residents_full": "bewoners: vol, wachtlijst",
        "bot.calendar.kalender.moved": "verplaatst, was {when}",
        "bot.calendar.kalender.agenda": "agenda: {text}",
        "bot.calendar.kalender.minutes": "verslag: {text}",
        "bot.calendar.kalender.waiting": "{count} op de wachtlijst",
        "bot.calendar.rsvp.usage": "Zo werkt het: !aanwezig <nr> of !afwezig <nr>, bij een reeks eventueel met een "
                                   "datum (!afwezig 4 23-3). De nummers zie je met !kalender.",
        "bot.calendar.rsvp.done": "{message} ({title}, {when})",
        "bot.calendar.poll.usage_kan": "Zo werkt het: !kan 1 3 in de draad van de datumprikker, of elders !kan "
                                       "#<nummer van de datumprikker> 1 3.",
        "bot.calendar.poll.usage_fix": "Zo werkt het: !vastleggen <optie> in de draad van de datumprikker, of "
                                       "elders !vastleggen #<nummer van de datumprikker> <optie>.",
        "bot.calendar.poll.fixed": "Vastgelegd: {title}, {when}. Dit is nu afspraak {number} en staat in de "
                                   "kalender.",
        "bot.calendar.feed.intro": "Je persoonlijke kalender van {council}: je afspraken, met wat je geantwoord "
                                   "hebt.",
        "bot.calendar.feed.howto": "Abonneer je erop in je agenda-app (Outlook, Google, Apple of Nextcloud). Lukt "
                                   "het niet met de webcal-link, gebruik dan deze:",
        "bot.calendar.feed.secret": "Deel deze link met niemand: wie hem heeft, ziet je afspraken. Een nieuwe link "
                                    "(de oude werkt dan niet meer): !feed nieuw.",
        "bot.calendar.feed.rotated": "Dit is een nieuwe link; de vorige werkt niet meer.",
        "bot.calendar.feed.sent": "Ik heb je een privébericht gestuurd.",
        "bot.calendar.activiteit.usage": "Zo werkt het: !activiteit <soort> <titel> <datum> [tijd], bijvoorbeeld "
                                         "!activiteit training Omgaan met media 12-3 19:30-21:30 plaatsen=12 "
                                         "plaats=Wijkcentrum De Esch. Soorten: {types}.",
        "bot.calendar.activiteit.done": "Afspraak {number} staat in de kalender: {title}, {when}.",
        "bot.calendar.afgelast.usage": "Zo werkt het: !afgelast <nr>, of bij een reeks !afgelast <nr> <datum> voor "
                                       "één keer.",
        "bot.calendar.afgelast.done": "Afgelast: {title}{day}. Het staat zo in de kalender.",
        "bot.calendar.activiteit.location": "Locatie: {location}",
        "bot.calendar.verplaats.usage": "Zo werkt het: !verplaats <nr> <datum> <nieuwe datum> [tijd], bijvoorbeeld "
                                        "!verplaats 4 16-3 17-3 20:00. Zonder tijd blijft de tijd hetzelfde.",
        "bot.calendar.verplaats.done": "Verplaatst: {title}, {old} → {new}. Aanmeldingen en herinneringen gaan mee; "
                                       "het staat zo in de kalender.",
        "bot.calendar.notes.usage": "Zo werkt het: !{command} <nr> [datum] <link of korte tekst>, bijvoorbeeld "
                                    "!{command} 4 16-3 https://…",
        "bot.calendar.notes.agenda_done": "De agenda staat bij {title} ({when}).",
        "bot.calendar.notes.minutes_done": "Het verslag staat bij {title} ({when}).",
        "bot.calendar.trainingen.title": "Jouw trainingen",
        "bot.calendar.trainingen.empty": "Er staan nog geen trainingen op je naam.",
        "bot.calendar.trainingen.unconfirmed": "nog niet bevestigd door de secretaris",
        "bot.calendar.trainingen.usage": "Zo werkt het: !trainingen voor je eigen trainingen; de secretaris "
                                         "ziet die van alle leden met !trainingen iedereen.",
        "bot.calendar.trainingen.everyone_hint": "Alle leden: !trainingen iedereen.",
        "bot.calendar.trainingen.everyone_secretary": "Alleen de secretaris ziet de trainingen van alle leden. "
                                                      "Je eigen trainingen: !trainingen.",
        "bot.calendar.trainingen.everyone_title": "Gevolgde trainingen – {council}",
        "bot.calendar.trainingen.none": "nog geen",
        "bot.calendar.trainingen.nobody": "Er staan nog geen leden of trainingen in de lijst.",
        # attendance (the secretary)
        "bot.calendar.aanwezigheid.usage": "Zo werkt het: !aanwezigheid <nr> laat zien wie zich heeft aan- of "
                                           "afgemeld. Na afloop bevestig je wie er was: !aanwezigheid <nr> "
                                           "[datum] @anna Bram de Vries … (of: niemand). De nummers zie je met "
                                           "!kalender.",
        "bot.calendar.aanwezigheid.title": "Aanwezigheid {number}: {title} ({when})",
        "bot.calendar.aanwezigheid.coming": "Aangemeld ({count}): {names}",
        "bot.calendar.aanwezigheid.waiting": "Op de wachtlijst ({count}): {names}",
        "bot.calendar.aanwezigheid.not_coming": "Afgemeld ({count}): {names}",
        "bot.calendar.aanwezigheid.silent": "Niets laten weten ({count}): {names}",
        "bot.calendar.aanwezigheid.no_answers": "Nog niemand heeft zich aan- of afgemeld.",
        "bot.calendar.aanwezigheid.confirmed": "Door de secretaris bevestigd aanwezig ({count}): {names}",
        "bot.calendar.aanwezigheid.nobody": "niemand",
        "bot.calendar.aanwezigheid.howto": "Bevestig wie er was: !aanwezigheid {number} {day} @naam Naam … (of "
                                           "!aanwezigheid {number} {day} niemand). Een nieuwe lijst vervangt de "
                                           "vorige.",
        "bot.calendar.aanwezigheid.howto_later": "Na de start bevestig je wie er was: !aanwezigheid {number} {day} "
                                                 "@naam Naam …",
        "bot.calendar.aanwezigheid.done": "Vastgelegd voor {title} ({when}): aanwezig waren {names} ({count}).",
        "bot.calendar.aanwezigheid.done_nobody": "Vastgelegd voor {title} ({when}): er was niemand.",
        "bot.calendar.aanwezigheid.absent": "Niet aanwezig: {names}.",
        "bot.calendar.aanwezigheid.again": "Klopt het niet? Stuur de hele lijst opnieuw: !aanwezigheid {number} "
                                           "{day} …",
        # date polls (the service sends the poll as data)
        "bot.calendar.poll.none_open": "Er loopt nu geen datumprikker. Begin er een met !datumprikker <titel> "
                                       "<datum> <datum>.",
        "bot.calendar.poll.root.fix": "Wie de datumprikker begon, of de secretaris, legt de datum vast met "
                                      "!vastleggen <nr>.",
        "bot.calendar.poll.root.howto": "Antwoord in deze draad met de nummers die je kunt, bijvoorbeeld !kan 1 3 "
                                        "(of !kan geen).",
        "bot.calendar.poll.root.title": "Datumprikker {number}: {title}",
        "bot.calendar.poll.summary.best": "Beste keuze nu: {numbers}.",
        "bot.calendar.poll.summary.closed": "Deze datumprikker is gesloten; vastgelegd: optie {option}.",
        "bot.calendar.poll.summary.no_quorum": "Nog geen enkele datum haalt het quorum.",
        "bot.calendar.poll.summary.nobody": "nog niemand",
        "bot.calendar.poll.summary.not_answered": "Nog niet gereageerd: {names}.",
        "bot.calendar.poll.summary.option": "{number}. {when} – {names} ({count})",
        "bot.calendar.poll.summary.quorum": "Quorum: {quorum} leden.",
        "bot.calendar.poll.summary.quorum_met": "quorum gehaald",
        "bot.calendar.poll.summary.title": "Stand van datumprikker {number}: {title}",
        "bot.calendar.poll.usage": "Zo werkt het: !datumprikker <titel> <datum> <datum> … Bijvoorbeeld: "
                                   "!datumprikker Heidag 12 maart 19 maart",
        "bot.calendar.poll.which": "Er lopen meerdere datumprikkers ({numbers}). Antwoord in de draad van de "
                                   "datumprikker, of noem het nummer, bijvoorbeeld: !kan #{first} 1 3.",
    },
    "en": {
        "bot.calendar.cmd.kalender": "what is planned for the coming weeks, numbered",
        "bot.calendar.cmd.aanwezig": "say you'll come to event <nr> (a series: its next meeting, or give a date)",
        "bot.calendar.cmd.afwezig": "say you won't come to event <nr> (a series: its next meeting, or give a date)",
        "bot.calendar.cmd.datumprikker": "find a date together: everyone says which options they can make",
        "bot.calendar.cmd.kan": "say which options of the date poll you can make (in its thread)",
        "bot.calendar.cmd.vastleggen": "fix the chosen option of the date poll as an event",
        "bot.calendar.cmd.feed": "your own calendar link, in a direct message (with 'new': a new link)",
        "bot.calendar.cmd.activiteit": "put an event in the calendar (e.g. !event training Media 12-3 19:30-21:30 "
                                       "places=12 place=Community centre De Esch)",
        "bot.calendar.cmd.afgelast": "cancel event <nr> (a series with a date: only that meeting)",
        "bot.calendar.cmd.verplaats": "move one meeting to another day or time (e.g. !move 4 16-3 17-3 20:00); "
                                      "answers and reminders move with it",
        "bot.calendar.cmd.vergaderagenda": "attach the agenda to a meeting: a link or a short text (e.g. "
                                           "!meetingagenda 4 16-3 https://…)",
        "bot.calendar.cmd.verslag": "attach the minutes to a meeting afterwards: a link or a short text",
        "bot.calendar.cmd.trainingen": "the trainings you attended (secretary: !trainings everyone for all "
                                       "members)",
        "bot.calendar.cmd.aanwezigheid": "who is coming to event <nr>, and afterwards: confirm who was there "
                                         "(!attendance 4 @anna Bram)",
        "bot.calendar.kalender.title": "Coming up – {council}",
        "bot.calendar.kalender.empty": "Nothing is planned for the next {days} days.",
        "bot.calendar.kalender.footer": "Coming or not: !aanwezig <nr> or !afwezig <nr>. Your own calendar in your "
                                        "calendar app: !feed.",
        "bot.calendar.kalender.cancelled": "cancelled",
        "bot.calendar.kalender.you": "you: {answer}",
        "bot.calendar.kalender.places": "{left} of {capacity} places left",
        "bot.calendar.kalender.full": "full ({capacity} places)",
        "bot.calendar.kalender.residents": "residents: {left} of {capacity} places left",
        "bot.calendar.kalender.residents_full": "residents: full, waiting list",
        "bot.calendar.kalender.moved": "moved, was {when}",
        "bot.calendar.kalender.agenda": "agenda: {text}",
        "bot.calendar.kalender.minutes": "minutes: {text}",
        "bot.calendar.kalender.waiting": "{count} on the waiting list",
        "bot.calendar.rsvp.usage": "Usage: !attend <nr> or !decline <nr>, for a series optionally with a date "
                                   "(!decline 4 23-3). !calendar shows the numbers.",
        "bot.calendar.rsvp.done": "{message} ({title}, {when})",
        "bot.calendar.poll.usage_kan": "Usage: !can 1 3 in the date poll's thread, or elsewhere !can #<poll number> "
                                       "1 3.",
        "bot.calendar.poll.usage_fix": "Usage: !fix <option> in the date poll's thread, or elsewhere !fix #<poll "
                                       "number> <option>.",
        "bot.calendar.poll.fixed": "Fixed: {title}, {when}. This is now event {number}, in the calendar.",
        "bot.calendar.feed.intro": "Your personal calendar of {council}: your events, with your answers.",
        "bot.calendar.feed.howto": "Subscribe to it in your calendar app (Outlook, Google, Apple or Nextcloud). If "
                                   "the webcal link does not work, use this one:",
        "bot.calendar.feed.secret": "Don't share this link: whoever has it sees your events. A new link (the old "
                                    "one stops working): !feed new.",
        "bot.calendar.feed.rotated": "This is a new link; the previous one no longer works.",
        "bot.calendar.feed.sent": "I sent you a direct message.",
        "bot.calendar.activiteit.usage": "Usage: !event <kind> <title> <date> [time], e.g. !event training Dealing "
                                         "with media 12-3 19:30-21:30 places=12 place=De Esch. Kinds: {types}.",
        "bot.calendar.activiteit.done": "Event {number} is in the calendar: {title}, {when}.",
        "bot.calendar.afgelast.usage": "Usage: !calloff <nr>, or for a series !calloff <nr> <date> for one meeting.",
        "bot.calendar.afgelast.done": "Cancelled: {title}{day}. The calendar shows it.",
        "bot.calendar.activiteit.location": "Location: {location}",
        "bot.calendar.verplaats.usage": "Usage: !move <nr> <date> <new date> [time], e.g. !move 4 16-3 17-3 20:00. "
                                        "Without a time the time stays the same.",
        "bot.calendar.verplaats.done": "Moved: {title}, {old} → {new}. Answers and reminders move with it; the "
                                       "calendar shows it.",
        "bot.calendar.notes.usage": "Usage: !{command} <nr> [date] <link or short text>, e.g. !{command} 4 16-3 "
                                    "https://…",
        "bot.calendar.notes.agenda_done": "The agenda is attached to {title} ({when}).",
        "bot.calendar.notes.minutes_done": "The minutes are attached to {title} ({when}).",
        "bot.calendar.trainingen.title": "Your trainings",
        "bot.calendar.trainingen.empty": "No trainings on your record yet.",
        "bot.calendar.trainingen.unconfirmed": "not confirmed by the secretary yet",
        "bot.calendar.trainingen.usage": "Usage: !trainings for your own trainings; the secretary sees every "
                                         "member's with !trainings everyone.",
        "bot.calendar.trainingen.everyone_hint": "All members: !trainings everyone.",
        "bot.calendar.trainingen.everyone_secretary": "Only the secretary sees every member's trainings. Your own: "
                                                      "!trainings.",
        "bot.calendar.trainingen.everyone_title": "Trainings followed – {council}",
        "bot.calendar.trainingen.none": "none yet",
        "bot.calendar.trainingen.nobody": "No members or trainings on the list yet.",
        # attendance (the secretary)
        "bot.calendar.aanwezigheid.usage": "Usage: !attendance <nr> shows who said they'd come or not. Afterwards "
                                           "confirm who was there: !attendance <nr> [date] @anna Bram de Vries … "
                                           "(or: nobody). !calendar shows the numbers.",
        "bot.calendar.aanwezigheid.title": "Attendance {number}: {title} ({when})",
        "bot.calendar.aanwezigheid.coming": "Coming ({count}): {names}",
        "bot.calendar.aanwezigheid.waiting": "On the waiting list ({count}): {names}",
        "bot.calendar.aanwezigheid.not_coming": "Not coming ({count}): {names}",
        "bot.calendar.aanwezigheid.silent": "No answer ({count}): {names}",
        "bot.calendar.aanwezigheid.no_answers": "Nobody has answered yet.",
        "bot.calendar.aanwezigheid.confirmed": "Confirmed present by the secretary ({count}): {names}",
        "bot.calendar.aanwezigheid.nobody": "nobody",
        "bot.calendar.aanwezigheid.howto": "Confirm who was there: !attendance {number} {day} @name Name … (or "
                                           "!attendance {number} {day} nobody). A new list replaces the previous "
                                           "one.",
        "bot.calendar.aanwezigheid.howto_later": "Once it has started, confirm who was there: !attendance {number} "
                                                 "{day} @name Name …",
        "bot.calendar.aanwezigheid.done": "Recorded for {title} ({when}): present were {names} ({count}).",
        "bot.calendar.aanwezigheid.done_nobody": "Recorded for {title} ({when}): nobody was there.",
        "bot.calendar.aanwezigheid.absent": "Not present: {names}.",
        "bot.calendar.aanwezigheid.again": "Not right? Send the whole list again: !attendance {number} {day} …",
        # date polls (the service sends the poll as data)
        "bot.calendar.poll.none_open": "No date poll is open. Start one with !datumprikker <title> <date> <date>.",
        "bot.calendar.poll.root.fix": "Whoever started the poll, or the secretary, fixes the date with !vastleggen "
                                      "<nr>.",
        "bot.calendar.poll.root.howto": "Answer in this thread with the numbers you can make, e.g. !kan 1 3 (or "
                                        "!kan none).",
        "bot.calendar.poll.root.title": "Date poll {number}: {title}",
        "bot.calendar.poll.summary.best": "Best choice now: {numbers}.",
        "bot.calendar.poll.summary.closed": "This date poll is closed; fixed: option {option}.",
        "bot.calendar.poll.summary.no_quorum": "No date reaches the quorum yet.",
        "bot.calendar.poll.summary.nobody": "nobody yet",
        "bot.calendar.poll.summary.not_answered": "No answer yet: {names}.",
        "bot.calendar.poll.summary.option": "{number}. {when} – {names} ({count})",
        "bot.calendar.poll.summary.quorum": "Quorum: {quorum} members.",
        "bot.calendar.poll.summary.quorum_met": "quorum reached",
        "bot.calendar.poll.summary.title": "Date poll {number} so far: {title}",
        "bot.calendar.poll.usage": "Usage: !datumprikker <title> <date> <date> … For example: !datumprikker Retreat "
                                   "12 March 19 March",
        "bot.calendar.poll.which": "Several date polls are open ({numbers}). Answer in the poll's thread, or name "
                                   "its number, e.g.: !kan #{first} 1 3.",
    },
}
