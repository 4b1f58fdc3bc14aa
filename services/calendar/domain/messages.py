"""Everything the calendar says to people, in Dutch (default) and English.

Error parameters are language-neutral; where a message names a field or a date, the raising
code adds ``field_nl``/``field_en`` and ``date_nl``/``date_en`` (see :func:`field_params`,
:func:`date_params`) so each language can use its own words.
"""
from __future__ import annotations

from datetime import date

from shared import i18n

CATALOG: dict[str, dict[str, str]] = {
    "nl": {
        # event types (also used as CATEGORIES in the feeds)
        "cal.type.vergadering": "Vergadering",
        "cal.type.overleg_bestuur": "Overleg met bestuur",
        "cal.type.heidag": "Heidag",
        "cal.type.training": "Training",
        "cal.type.bewonersavond": "Bewonersavond",
        "cal.type.inspiratiebijeenkomst": "Inspiratiebijeenkomst",
        "cal.type.bewonersconsultatie": "Bewonersconsultatie",
        "cal.type.realisatietoets": "Realisatietoets",
        "cal.type.adviesdeadline": "Adviesdeadline",
        "cal.type.unknown": "Dit soort afspraak ken ik niet ({type}). Kies uit: {types}.",
        "cal.feed.cancelled_prefix": "Vervallen: ",
        "cal.feed.agenda": "Agenda: {agenda}",
        "cal.feed.minutes": "Verslag: {minutes}",
        "cal.feed.places_left": "Nog {left} van {capacity} plaatsen vrij.",
        "cal.feed.residents_left": "Bewoners: nog {left} van {capacity} plaatsen — aanmelden: {url}",
        "cal.feed.residents_full": "Bewoners: vol, wachtlijst — aanmelden: {url}",
        "cal.resident_places.day": "Geef de dag van de bijeenkomst als datum (2027-03-16).",
        "cal.resident_places.day_needed": "Deze afspraak is een reeks: zeg om welke dag het gaat.",
        "cal.resident_places.url": "Het adres van de aanmeldpagina moet een webadres zijn (https://…).",
        "cal.resident_places.not_a_meeting": "Een deadline heeft geen plaatsen voor bewoners.",
        "cal.feed.places_full": "Vol: alle {capacity} plaatsen zijn bezet. Wie zich nu aanmeldt, "
                                "komt op de wachtlijst.",
        # moving one meeting, agenda and minutes
        "cal.occurrence.not_on_day": "Deze afspraak is niet op {date_nl}.",
        "cal.move.begun": "Deze bijeenkomst is al begonnen of geweest; verplaatsen kan niet meer.",
        "cal.move.cancelled": "De bijeenkomst van {date_nl} is afgelast. Zet haar eerst terug als "
                              "ze toch doorgaat.",
        "cal.move.day_taken": "Op {date_nl} is er al een bijeenkomst van deze reeks. Kies een "
                              "andere dag, of gelast die eerst af.",
        "cal.move.usage": "Zo werkt het: !verplaats <nr> <datum> <nieuwe datum> [tijd], "
                          "bijvoorbeeld !verplaats 4 16-3 17-3 20:00.",
        "cal.notes.kind_required": "Zeg of het om de agenda of om het verslag gaat.",
        "cal.notes.day_required": "Dit is een reeks: zeg om welke bijeenkomst het gaat, met haar "
                                  "datum.",
        "cal.notes.minutes_too_early": "Het verslag kan pas als de bijeenkomst begonnen is. "
                                       "Zet de agenda er nu bij.",
        "cal.announce.moved": "Verplaatst, afspraak {number}: {title} van {old} naar {when}. "
                              "Wie zich aan- of afmeldde, hoeft niets te doen: dat blijft staan.",
        "cal.announce.notes_agenda": "De agenda van {title} ({when}) staat erbij: {text}",
        "cal.announce.notes_minutes": "Het verslag van {title} ({when}) staat erbij: {text}",
        # fields
        "cal.field.missing": "Er ontbreekt iets: {field_nl}.",
        "cal.field.required": "Vul {field_nl} in, dat mag niet leeg zijn.",
        "cal.field.unparseable": "Ik begrijp {field_nl} niet. Kijk even of het klopt.",
        "cal.field.too_long": "Dat is te lang: {field_nl} mag hoogstens {max} tekens hebben.",
        "cal.field.too_many": "Te veel bij {field_nl}: maximaal {max}.",
        "cal.field.control_chars": "In {field_nl} staat een onzichtbaar teken dat ik niet kan "
                                   "opslaan. Typ de tekst opnieuw, zonder te plakken.",
        "cal.change.unknown_field": "Dit kan ik niet aanpassen: {field}. Wel: {fields}.",
        "cal.uid.invalid": "Deze afspraak heeft een ongeldige code.",
        "cal.capacity.invalid": "Het aantal plaatsen moet tussen 1 en {max} liggen.",
        "cal.invitee.duplicate": "{name} staat twee keer bij de genodigden.",
        "cal.invitee.invalid_id": "Een genodigde heeft een ongeldige naam of id.",
        "cal.invitee.invalid_email": "Een e-mailadres bij de genodigden klopt niet.",
        # time
        "cal.time.past": "Dat moment is al voorbij. Kies een datum in de toekomst.",
        "cal.time.end_before_start": "Het einde ligt vóór het begin. Kijk de tijden even na.",
        "cal.time.mixed": "Geef begin en einde allebei met tijd, of allebei als hele dag.",
        "cal.time.naive": "De tijdzone ontbreekt bij {field_nl}.",
        "cal.time.nonexistent": "{time} bestaat die nacht niet: dan gaat de klok een uur vooruit. "
                                "Kies een andere tijd.",
        "cal.time.too_long": "Een afspraak met tijden mag hoogstens {max} dagen duren. "
                             "Gebruik anders hele dagen.",
        "cal.time.too_long_days": "Een afspraak mag hoogstens {max} dagen duren.",
        "cal.time.too_far": "Dat is te ver vooruit: hoogstens {years} jaar.",
        # recurrence
        "cal.recurrence.invalid": "Die herhaling begrijp ik niet.",
        "cal.recurrence.interval": "Herhalen kan elke 1 tot {max} weken of maanden.",
        "cal.recurrence.count": "Het aantal keer moet tussen 1 en {max} liggen.",
        "cal.recurrence.count_and_until": "Geef een aantal keer óf een einddatum, niet allebei.",
        "cal.recurrence.until": "De einddatum van de herhaling ligt vóór de eerste keer.",
        "cal.recurrence.until_too_far": "De herhaling kan hoogstens tot en met 31 december 2100 lopen.",
        "cal.recurrence.too_long": "Een herhaalde afspraak mag hoogstens een dag duren.",
        "cal.recurrence.position": "Kies de 1e, 2e, 3e, 4e of laatste weekdag van de maand.",
        "cal.recurrence.month_day": "Niet elke maand heeft die dag. Kies een dag tot en met de "
                                    "28e, of bijvoorbeeld 'de laatste dinsdag'.",
        "cal.recurrence.start_not_in_rule": "De eerste datum past niet bij de herhaling. "
                                            "Laat ze op dezelfde weekdag beginnen.",
        "cal.recurrence.not_an_occurrence": "Op {date_nl} is er geen bijeenkomst van deze reeks.",
        "cal.recurrence.exdate_without_rule": "Uitzonderingen kunnen alleen bij een herhaalde "
                                              "afspraak.",
        "cal.recurrence.single_event": "Deze afspraak herhaalt niet. Zeg dan de hele afspraak af.",
        "cal.event.cancelled": "Deze afspraak is afgezegd en kan niet meer worden aangepast.",
        # chat dates
        "cal.date.missing": "Geef een datum, bijvoorbeeld 12-3 of 12 maart 19:30.",
        "cal.date.unparseable": "Ik begrijp de datum '{text}' niet. Schrijf bijvoorbeeld 12-3, "
                                "12 maart, di 12 maart 19:30 of 2027-03-12.",
        "cal.date.invalid": "'{text}' is geen bestaande datum.",
        "cal.date.past": "{date_nl} is al voorbij. Kies een datum in de toekomst.",
        "cal.date.weekday_mismatch": "'{text}' klopt niet: {date_nl} valt op een andere dag.",
        # polls
        "cal.poll.usage": "Zo werkt het: !datumprikker <titel> <datum> <datum> … "
                          "Bijvoorbeeld: !datumprikker Heidag 12 maart 19 maart",
        "cal.poll.no_title": "Geef de datumprikker eerst een titel, dan de datums.",
        "cal.poll.no_dates": "Geef minstens één datum.",
        "cal.poll.too_many_options": "Dat zijn te veel datums: maximaal {max}.",
        "cal.poll.duplicate_option": "Een datum staat er twee keer in.",
        "cal.poll.unknown_option": "Optie {numbers} bestaat niet. Kies uit: {valid}.",
        "cal.poll.answer_unparseable": "'{text}' begrijp ik niet. Geef de nummers die je kunt, "
                                       "bijvoorbeeld !kan 1 3, of !kan geen. Opties: {valid}.",
        "cal.poll.answer_missing": "Welke opties kun je? Bijvoorbeeld !kan 1 3, of !kan geen. "
                                   "Opties: {valid}.",
        "cal.poll.closed": "Deze datumprikker is al gesloten.",
        "cal.poll.quorum": "Het quorum moet minstens 1 zijn.",
        # attendance
        "cal.rsvp.unknown": "Zeg aanwezig, afwezig of onbekend.",
        "cal.rsvp.cancelled": "Deze bijeenkomst gaat niet door.",
        "cal.rsvp.closed": "Deze bijeenkomst is al begonnen; aanmelden kan niet meer.",
        "cal.rsvp.not_invited": "Je staat niet op de lijst voor deze bijeenkomst. "
                                "Vraag het de secretaris.",
        "cal.rsvp.placed": "Genoteerd: je bent erbij.",
        "cal.rsvp.waiting": "Het is vol. Je staat op de wachtlijst; komt er een plek vrij, "
                            "dan hoor je het.",
        "cal.rsvp.declined": "Genoteerd: je bent er niet bij.",
        "cal.rsvp.unknown_answer": "Genoteerd: je weet het nog niet.",
        "cal.rsvp.promoted": "Er is een plek vrijgekomen: je bent erbij!",
        "cal.attendance.not_started": "Aanwezigheid vastleggen kan pas als de bijeenkomst "
                                      "begonnen is.",
        "cal.attendance.unknown_names": "Ik weet niet wie je bedoelt met: {names}. Gebruik de naam "
                                        "zoals in de ledenlijst (!leden) of het Matrix-adres "
                                        "(@naam:server). Er is niets vastgelegd.",
        "cal.attendance.no_names": "Noem wie er was, bijvoorbeeld: !aanwezigheid 4 @anna Bram. "
                                   "Was er niemand: !aanwezigheid 4 niemand.",
        "cal.attendance.ask": "{title} van {when} is voorbij. Secretaris, wie was er? Zet het vast met "
                              "{command} @naam @naam (of: {command} niemand). Het telt mee in de inzet "
                              "van de leden.",
        "cal.attendance.ask_coming": "Aangemeld waren: {names}.",
        "cal.attendance.present_or_text": "Geef óf de lijst van aanwezigen, óf de tekst uit de "
                                          "chat, niet allebei.",
        "cal.heidag.overdue": "Let op: de laatste heidag was op {last_nl}, langer dan "
                              "{months} maanden geleden. Tijd om de hei weer op te gaan?",
        "cal.heidag.overdue_planned": "De laatste heidag was op {last_nl}, langer dan {months} "
                                      "maanden geleden. De volgende staat op {next_nl}.",
        "cal.heidag.none_yet": "Er is al meer dan {months} maanden geen heidag geweest. "
                               "Tijd om de hei op te gaan?",
        "cal.heidag.none_yet_planned": "Er is al meer dan {months} maanden geen heidag geweest. "
                                       "De volgende staat op {next_nl}.",
        # reminders
        "cal.reminder.days_before": "Herinnering: {title} over {days} dagen, {when_nl}.",
        "cal.reminder.tomorrow": "Herinnering: morgen {title}, {when_nl}.",
        "cal.reminder.today": "Vandaag: {title}, {when_nl}.",
        "cal.reminder.hours_before": "Zo meteen: {title}, {when_nl}.",
        "cal.reminder.late_note": "(Deze herinnering is wat later dan gepland.)",
        "cal.reminder.offset_unparseable": "'{offset}' begrijp ik niet. Gebruik bijvoorbeeld "
                                           "7d, 1d, 2u of ochtend.",
        "cal.reminder.offset_range": "'{offset}' kan niet: kies iets tussen 1 uur en {max} "
                                     "dagen vooraf.",
        "cal.reminder.too_many": "Te veel herinneringen: maximaal {max}.",
        # service: lookups and refusals
        "cal.council.unknown": "Deze raad ken ik niet ({council}).",
        "cal.event.not_found": "Afspraak {number} bestaat niet. Typ !kalender voor de nummers.",
        "cal.event.imported": "Deze afspraak komt uit het overleg (adviezen en toetsen) en "
                              "verandert alleen daar.",
        "cal.occurrence.not_found": "Afspraak {number} heeft geen bijeenkomst op {date_nl}.",
        "cal.event.uid_not_found": "Deze afspraak staat niet (meer) in de kalender.",
        "cal.occurrence.none_upcoming": "Afspraak {number} heeft geen bijeenkomst meer die nog "
                                        "moet komen.",
        "cal.rsvp.not_a_meeting": "Voor een deadline of toets meld je je niet aan of af.",
        "cal.poll.not_found": "Datumprikker {number} bestaat niet.",
        "cal.poll.not_allowed": "Alleen wie de datumprikker begon, of de secretaris, kan een "
                                "datum vastleggen.",
        "cal.poll.which": "Er lopen meerdere datumprikkers ({numbers}). Antwoord in de draad van "
                          "de datumprikker, of noem het nummer, bijvoorbeeld: !kan #{first} 1 3.",
        "cal.poll.none_open": "Er loopt nu geen datumprikker. Begin er een met !datumprikker "
                              "<titel> <datum> <datum>.",
        "cal.poll.answer_or_text": "Geef de opties als nummers.",
        "cal.feed.not_found": "Deze kalenderlink bestaat niet (meer).",
        "cal.feed.member_required": "Voor een persoonlijke kalender is een lid nodig.",
        "cal.feed.type_required": "Kies het soort afspraak voor deze kalender.",
        "cal.feed.no_secret": "Kalenderlinks kunnen pas als de beheerder een eigen geheime "
                              "sleutel (secret_key) heeft ingesteld.",
        "cal.text.one_date": "Geef precies één datum, eventueel met een tijd. Bijvoorbeeld: "
                             "Training media 12 maart 19:30-21:30.",
        # service: what it posts in the room
        "cal.announce.new": "Nieuwe afspraak {number}: {title} – {when}.",
        "cal.announce.changed": "Gewijzigd, afspraak {number}: {title} – {when}.",
        "cal.announce.cancelled": "Afgelast: {title} – {when}.",
        "cal.announce.series_cancelled": "Afgelast: de hele reeks {title}.",
        "cal.announce.occurrence_cancelled": "Afgelast: {title} op {when}. De andere "
                                             "bijeenkomsten gaan gewoon door.",
        "cal.announce.fixed": "De datumprikker ‘{title}’ is beslist: {when}. Dit is nu "
                              "afspraak {number}.",
        "cal.announce.location": "Locatie: {location}",
        "cal.announce.rsvp_hint": "Meld je aan met !aanwezig {number} of af met !afwezig {number}.",
        "cal.announce.series": "Dit is een reeks; de volgende keer is {next}.",
        "cal.rsvp.promoted_detail": "Er is een plek vrijgekomen bij {title} ({when}): je bent erbij!",
        # service: feeds
        "cal.feed.name.council": "{council} – kalender",
        "cal.feed.name.type": "{council} – {type}",
        "cal.feed.name.member": "{council} – mijn afspraken",
        "cal.feed.description.council": "Alle afspraken van {council}.",
        "cal.feed.description.type": "{type}: afspraken van {council}.",
        "cal.feed.description.member": "Jouw uitnodigingen bij {council}, met je antwoord.",
        # service: deadlines from the deliberation service
        "cal.deadline.title.adviesdeadline": "Adviesdeadline: {title}",
        "cal.deadline.title.realisatietoets": "Realisatietoets: {title}",
        # where a member stands
        "cal.seat.placed": "aanwezig",
        "cal.seat.waiting": "op de wachtlijst",
        "cal.seat.declined": "afwezig",
        "cal.seat.unknown": "nog niet gereageerd",
        "cal.when.days": "{start} t/m {end}",
        # date polls in the room
        "cal.poll.root.title": "Datumprikker {number}: {title}",
        "cal.poll.root.howto": "Antwoord in deze draad met de nummers die je kunt, "
                               "bijvoorbeeld !kan 1 3 (of !kan geen).",
        "cal.poll.root.fix": "Wie de datumprikker begon, of de secretaris, legt de datum vast "
                             "met !vastleggen <nr>.",
        "cal.poll.summary.title": "Stand van datumprikker {number}: {title}",
        "cal.poll.summary.quorum": "Quorum: {quorum} leden.",
        "cal.poll.summary.option": "{number}. {when} – {names} ({count})",
        "cal.poll.summary.quorum_met": "quorum gehaald",
        "cal.poll.summary.nobody": "nog niemand",
        "cal.poll.summary.not_answered": "Nog niet gereageerd: {names}.",
        "cal.poll.summary.best": "Beste keuze nu: {numbers}.",
        "cal.poll.summary.no_quorum": "Nog geen enkele datum haalt het quorum.",
        "cal.poll.summary.closed": "Deze datumprikker is gesloten; vastgelegd: optie {option}.",
        # field names
        "cal.fieldname.title": "de titel",
        "cal.fieldname.description": "de beschrijving",
        "cal.fieldname.location": "de locatie",
        "cal.fieldname.start": "het begin",
        "cal.fieldname.end": "het einde",
        "cal.fieldname.council": "de raad",
        "cal.fieldname.organiser": "de organisator",
        "cal.fieldname.invitees": "de genodigden",
        "cal.fieldname.capacity": "het aantal plaatsen",
        "cal.fieldname.recurrence": "de herhaling",
        "cal.fieldname.exdates": "de uitzonderingen",
        "cal.fieldname.cancelled_dates": "de afgezegde datums",
        "cal.fieldname.status": "de status",
        "cal.fieldname.type": "het soort afspraak",
        "cal.fieldname.event": "de afspraak",
        "cal.fieldname.options": "de datums",
        "cal.fieldname.now": "de huidige tijd",
        "cal.fieldname.agenda": "de agenda",
        "cal.fieldname.minutes": "het verslag",
        "cal.fieldname.moves": "de verplaatste bijeenkomsten",
        "cal.fieldname.notes": "de agenda en het verslag",
    },
    "en": {
        "cal.type.vergadering": "Meeting",
        "cal.type.overleg_bestuur": "Meeting with the board",
        "cal.type.heidag": "Retreat day",
        "cal.type.training": "Training",
        "cal.type.bewonersavond": "Residents' evening",
        "cal.type.inspiratiebijeenkomst": "Inspiration meeting",
        "cal.type.bewonersconsultatie": "Resident consultation",
        "cal.type.realisatietoets": "Implementation review",
        "cal.type.adviesdeadline": "Advice deadline",
        "cal.type.unknown": "I don't know this kind of event ({type}). Choose from: {types}.",
        "cal.feed.cancelled_prefix": "Cancelled: ",
        "cal.feed.agenda": "Agenda: {agenda}",
        "cal.feed.minutes": "Minutes: {minutes}",
        "cal.feed.places_left": "{left} of {capacity} places left.",
        "cal.feed.residents_left": "Residents: {left} of {capacity} places left — sign up: {url}",
        "cal.feed.residents_full": "Residents: full, waiting list — sign up: {url}",
        "cal.resident_places.day": "Give the meeting's day as a date (2027-03-16).",
        "cal.resident_places.day_needed": "This event is a series: say which day is meant.",
        "cal.resident_places.url": "The sign-up page's address must be a web address (https://…).",
        "cal.resident_places.not_a_meeting": "A deadline has no places for residents.",
        "cal.feed.places_full": "Full: all {capacity} places are taken. Signing up now puts you "
                                "on the waiting list.",
        "cal.occurrence.not_on_day": "This event is not on {date_en}.",
        "cal.move.begun": "This meeting has begun or is over; it can no longer be moved.",
        "cal.move.cancelled": "The meeting of {date_en} is cancelled. Restore it first if it "
                              "takes place after all.",
        "cal.move.day_taken": "There already is a meeting of this series on {date_en}. Choose "
                              "another day, or cancel that one first.",
        "cal.move.usage": "Usage: !move <nr> <date> <new date> [time], e.g. !move 4 16-3 17-3 20:00.",
        "cal.notes.kind_required": "Say whether this is the agenda or the minutes.",
        "cal.notes.day_required": "This is a series: say which meeting you mean, with its date.",
        "cal.notes.minutes_too_early": "The minutes can only be added once the meeting has begun. "
                                       "Add the agenda now.",
        "cal.announce.moved": "Moved, event {number}: {title} from {old} to {when}. "
                              "Your answer stays as it was.",
        "cal.announce.notes_agenda": "The agenda of {title} ({when}) is attached: {text}",
        "cal.announce.notes_minutes": "The minutes of {title} ({when}) are attached: {text}",
        "cal.field.missing": "Something is missing: {field_en}.",
        "cal.field.required": "Please fill in {field_en}; it can't be empty.",
        "cal.field.unparseable": "I can't read {field_en}. Please check it.",
        "cal.field.too_long": "That's too long: {field_en} can have at most {max} characters.",
        "cal.field.too_many": "Too many in {field_en}: at most {max}.",
        "cal.field.control_chars": "There is an invisible character in {field_en} that I "
                                   "can't store. Please type the text again instead of "
                                   "pasting it.",
        "cal.change.unknown_field": "I can't change this: {field}. You can change: {fields}.",
        "cal.uid.invalid": "This event has an invalid id.",
        "cal.capacity.invalid": "The number of places must be between 1 and {max}.",
        "cal.invitee.duplicate": "{name} is invited twice.",
        "cal.invitee.invalid_id": "An invitee has an invalid name or id.",
        "cal.invitee.invalid_email": "An invitee's e-mail address is not valid.",
        "cal.time.past": "That moment has passed. Please choose a date in the future.",
        "cal.time.end_before_start": "The end is before the start. Please check the times.",
        "cal.time.mixed": "Give both start and end with a time, or both as whole days.",
        "cal.time.naive": "The time zone is missing for {field_en}.",
        "cal.time.nonexistent": "{time} does not exist that night: the clocks go forward an "
                                "hour. Please pick another time.",
        "cal.time.too_long": "An event with times can last at most {max} days. "
                             "Use whole days instead.",
        "cal.time.too_long_days": "An event can last at most {max} days.",
        "cal.time.too_far": "That is too far ahead: at most {years} years.",
        "cal.recurrence.invalid": "I don't understand that repetition.",
        "cal.recurrence.interval": "It can repeat every 1 to {max} weeks or months.",
        "cal.recurrence.count": "The number of times must be between 1 and {max}.",
        "cal.recurrence.count_and_until": "Give a number of times or an end date, not both.",
        "cal.recurrence.until": "The repetition's end date is before the first time.",
        "cal.recurrence.until_too_far": "The repetition can run until 31 December 2100 at the latest.",
        "cal.recurrence.too_long": "A repeating event can last at most one day.",
        "cal.recurrence.position": "Choose the 1st, 2nd, 3rd, 4th or last weekday of the month.",
        "cal.recurrence.month_day": "Not every month has that day. Choose a day up to the 28th, "
                                    "or e.g. 'the last Tuesday'.",
        "cal.recurrence.start_not_in_rule": "The first date does not fit the repetition. "
                                            "Start it on the same weekday.",
        "cal.recurrence.not_an_occurrence": "There is no meeting of this series on {date_en}.",
        "cal.recurrence.exdate_without_rule": "Exceptions only apply to repeating events.",
        "cal.recurrence.single_event": "This event does not repeat. Cancel the whole event "
                                       "instead.",
        "cal.event.cancelled": "This event was cancelled and can no longer be changed.",
        "cal.date.missing": "Please give a date, e.g. 12-3 or 12 March 19:30.",
        "cal.date.unparseable": "I can't read the date '{text}'. Write e.g. 12-3, 12 March, "
                                "Tue 12 March 19:30 or 2027-03-12.",
        "cal.date.invalid": "'{text}' is not a real date.",
        "cal.date.past": "{date_en} has passed. Please choose a date in the future.",
        "cal.date.weekday_mismatch": "'{text}' doesn't add up: {date_en} is another weekday.",
        "cal.poll.usage": "Usage: !datumprikker <title> <date> <date> … "
                          "For example: !datumprikker Retreat 12 March 19 March",
        "cal.poll.no_title": "Give the poll a title first, then the dates.",
        "cal.poll.no_dates": "Give at least one date.",
        "cal.poll.too_many_options": "Those are too many dates: at most {max}.",
        "cal.poll.duplicate_option": "One date is in there twice.",
        "cal.poll.unknown_option": "Option {numbers} does not exist. Choose from: {valid}.",
        "cal.poll.answer_unparseable": "I don't understand '{text}'. Give the numbers you can "
                                       "make, e.g. !kan 1 3, or !kan none. Options: {valid}.",
        "cal.poll.answer_missing": "Which options can you make? E.g. !kan 1 3, or !kan none. "
                                   "Options: {valid}.",
        "cal.poll.closed": "This date poll is already closed.",
        "cal.poll.quorum": "The quorum must be at least 1.",
        "cal.rsvp.unknown": "Say present, absent or unknown.",
        "cal.rsvp.cancelled": "This meeting is not taking place.",
        "cal.rsvp.closed": "This meeting has already started; answers are closed.",
        "cal.rsvp.not_invited": "You are not on the list for this meeting. "
                                "Please ask the secretary.",
        "cal.rsvp.placed": "Noted: you're coming.",
        "cal.rsvp.waiting": "It's full. You're on the waiting list; you'll hear when a place "
                            "opens up.",
        "cal.rsvp.declined": "Noted: you're not coming.",
        "cal.rsvp.unknown_answer": "Noted: you don't know yet.",
        "cal.rsvp.promoted": "A place opened up: you're in!",
        "cal.attendance.not_started": "Attendance can only be recorded once the meeting has "
                                      "started.",
        "cal.attendance.unknown_names": "I don't know who you mean by: {names}. Use the name as on the "
                                        "member list (!leden) or the Matrix address (@name:server). "
                                        "Nothing was recorded.",
        "cal.attendance.no_names": "Name who was there, for example: !aanwezigheid 4 @anna Bram. "
                                   "Nobody there: !aanwezigheid 4 nobody.",
        "cal.attendance.ask": "{title} on {when} is over. Secretary, who was there? Record it with "
                              "{command} @name @name (or: {command} niemand). It counts in the members' "
                              "time account.",
        "cal.attendance.ask_coming": "Signed up were: {names}.",
        "cal.attendance.present_or_text": "Give either the list of who was there or the chat text, "
                                          "not both.",
        "cal.heidag.overdue": "Note: the last retreat day was on {last_en}, more than {months} "
                              "months ago. Time for another one?",
        "cal.heidag.overdue_planned": "The last retreat day was on {last_en}, more than {months} "
                                      "months ago. The next one is on {next_en}.",
        "cal.heidag.none_yet": "There has been no retreat day for more than {months} months. "
                               "Time to plan one?",
        "cal.heidag.none_yet_planned": "There has been no retreat day for more than {months} "
                                       "months. The next one is on {next_en}.",
        "cal.reminder.days_before": "Reminder: {title} in {days} days, {when_en}.",
        "cal.reminder.tomorrow": "Reminder: {title} tomorrow, {when_en}.",
        "cal.reminder.today": "Today: {title}, {when_en}.",
        "cal.reminder.hours_before": "Coming up: {title}, {when_en}.",
        "cal.reminder.late_note": "(This reminder is a little later than planned.)",
        "cal.reminder.offset_unparseable": "I don't understand '{offset}'. Use e.g. 7d, 1d, 2h "
                                           "or morning.",
        "cal.reminder.offset_range": "'{offset}' is not possible: choose between 1 hour and "
                                     "{max} days ahead.",
        "cal.reminder.too_many": "Too many reminders: at most {max}.",
        "cal.council.unknown": "I don't know this council ({council}).",
        "cal.event.not_found": "Event {number} does not exist. Type !calendar for the numbers.",
        "cal.event.imported": "This event comes from the deliberation service (advice and "
                              "reviews) and only changes there.",
        "cal.occurrence.not_found": "Event {number} has no meeting on {date_en}.",
        "cal.event.uid_not_found": "This event is not (or no longer) in the calendar.",
        "cal.occurrence.none_upcoming": "Event {number} has no more meetings to come.",
        "cal.rsvp.not_a_meeting": "A deadline or review needs no answer.",
        "cal.poll.not_found": "Date poll {number} does not exist.",
        "cal.poll.not_allowed": "Only whoever started the date poll, or the secretary, can fix "
                                "the date.",
        "cal.poll.which": "Several date polls are open ({numbers}). Answer in the poll's thread, "
                          "or name its number, e.g.: !kan #{first} 1 3.",
        "cal.poll.none_open": "No date poll is open. Start one with !datumprikker <title> "
                              "<date> <date>.",
        "cal.poll.answer_or_text": "Give the options as numbers.",
        "cal.feed.not_found": "This calendar link does not exist (any more).",
        "cal.feed.member_required": "A personal calendar needs a member.",
        "cal.feed.type_required": "Choose the kind of event for this calendar.",
        "cal.feed.no_secret": "Calendar links need the operator to set a secret key "
                              "(secret_key) first.",
        "cal.text.one_date": "Give exactly one date, with a time if you like. For example: "
                             "Media training 12 March 19:30-21:30.",
        "cal.announce.new": "New event {number}: {title} – {when}.",
        "cal.announce.changed": "Changed, event {number}: {title} – {when}.",
        "cal.announce.cancelled": "Cancelled: {title} – {when}.",
        "cal.announce.series_cancelled": "Cancelled: the whole series {title}.",
        "cal.announce.occurrence_cancelled": "Cancelled: {title} on {when}. The other meetings "
                                             "go ahead.",
        "cal.announce.fixed": "The date poll ‘{title}’ is decided: {when}. This is now "
                              "event {number}.",
        "cal.announce.location": "Location: {location}",
        "cal.announce.rsvp_hint": "Say you're coming with !aanwezig {number}, or not with "
                                  "!afwezig {number}.",
        "cal.announce.series": "This is a series; the next time is {next}.",
        "cal.rsvp.promoted_detail": "A place opened up at {title} ({when}): you're in!",
        "cal.feed.name.council": "{council} – calendar",
        "cal.feed.name.type": "{council} – {type}",
        "cal.feed.name.member": "{council} – my events",
        "cal.feed.description.council": "All events of {council}.",
        "cal.feed.description.type": "{type}: events of {council}.",
        "cal.feed.description.member": "Your invitations at {council}, with your answer.",
        "cal.deadline.title.adviesdeadline": "Advice deadline: {title}",
        "cal.deadline.title.realisatietoets": "Implementation review: {title}",
        "cal.seat.placed": "coming",
        "cal.seat.waiting": "on the waiting list",
        "cal.seat.declined": "not coming",
        "cal.seat.unknown": "no answer yet",
        "cal.when.days": "{start} to {end}",
        "cal.poll.root.title": "Date poll {number}: {title}",
        "cal.poll.root.howto": "Answer in this thread with the numbers you can make, e.g. "
                               "!kan 1 3 (or !kan none).",
        "cal.poll.root.fix": "Whoever started the poll, or the secretary, fixes the date with "
                             "!vastleggen <nr>.",
        "cal.poll.summary.title": "Date poll {number} so far: {title}",
        "cal.poll.summary.quorum": "Quorum: {quorum} members.",
        "cal.poll.summary.option": "{number}. {when} – {names} ({count})",
        "cal.poll.summary.quorum_met": "quorum reached",
        "cal.poll.summary.nobody": "nobody yet",
        "cal.poll.summary.not_answered": "No answer yet: {names}.",
        "cal.poll.summary.best": "Best choice now: {numbers}.",
        "cal.poll.summary.no_quorum": "No date reaches the quorum yet.",
        "cal.poll.summary.closed": "This date poll is closed; fixed: option {option}.",
        "cal.fieldname.title": "the title",
        "cal.fieldname.description": "the description",
        "cal.fieldname.location": "the location",
        "cal.fieldname.start": "the start",
        "cal.fieldname.end": "the end",
        "cal.fieldname.council": "the council",
        "cal.fieldname.organiser": "the organiser",
        "cal.fieldname.invitees": "the invitees",
        "cal.fieldname.capacity": "the number of places",
        "cal.fieldname.recurrence": "the repetition",
        "cal.fieldname.exdates": "the exceptions",
        "cal.fieldname.cancelled_dates": "the cancelled dates",
        "cal.fieldname.status": "the status",
        "cal.fieldname.type": "the kind of event",
        "cal.fieldname.event": "the event",
        "cal.fieldname.options": "the dates",
        "cal.fieldname.now": "the current time",
        "cal.fieldname.agenda": "the agenda",
        "cal.fieldname.minutes": "the minutes",
        "cal.fieldname.moves": "the moved meetings",
        "cal.fieldname.notes": "the agenda and minutes",
    },
}


def register_messages() -> None:
    """Make the calendar's texts available through :mod:`shared.i18n`."""
    i18n.register(CATALOG)


def text(code: str, lang: str | None = None, /, **params: object) -> str:
    """Look a text up directly (works before registration; used for feed labels)."""
    lang = i18n.normalise_language(lang)
    template = CATALOG.get(lang, {}).get(code) or CATALOG["nl"].get(code) or code
    try:
        return template.format(**params)
    except (KeyError, IndexError, ValueError):
        return template


def field_params(field: str) -> dict[str, str]:
    """``field_nl``/``field_en`` for messages that name a field."""
    return {"field_nl": text(f"cal.fieldname.{field}", "nl") if f"cal.fieldname.{field}"
            in CATALOG["nl"] else field,
            "field_en": text(f"cal.fieldname.{field}", "en") if f"cal.fieldname.{field}"
            in CATALOG["en"] else field}


def date_params(day: date, prefix: str = "date") -> dict[str, str]:
    """``<prefix>_nl``/``<prefix>_en``: a date written out in each language."""
    return {f"{prefix}_nl": i18n.fmt_date(day, "nl"), f"{prefix}_en": i18n.fmt_date(day, "en")}
