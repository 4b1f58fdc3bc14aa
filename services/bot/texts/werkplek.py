"""What the bot says for the werkplek commands (services/bot/features/werkplek.py), Dutch and English."""
from __future__ import annotations

CATALOG: dict[str, dict[str, str]] = {
    "nl": {
        "bot.werkplek.cmd.werkplek": "een link naar de werkplek, in een privébericht (werkt tien minuten)",
        "bot.werkplek.cmd.uren": "schrijf uren die je voor de raad werkte, buiten vergaderingen",
        "bot.werkplek.cmd.doelen": "de doelen van de raad dit jaar, met hun onderwerpen",
        "bot.werkplek.link.intro": "Je link naar de werkplek van {council}:",
        "bot.werkplek.link.note": "Hij werkt één keer en tien minuten lang. Deel hem met niemand. Verlopen? Typ "
                                  "opnieuw !werkplek.",
        "bot.werkplek.link.sent": "Ik heb je een privébericht gestuurd met je link naar de werkplek.",
        "bot.werkplek.usage.uren": "Zo schrijf je uren: !uren <datum> <uren> <omschrijving>, bijvoorbeeld !uren "
                                   "vandaag 1,5 stukken gelezen voor de vergadering.",
        "bot.werkplek.bad_date": "Ik kan \"{given}\" niet als datum lezen. Schrijf bijvoorbeeld 3-3, 3 maart of "
                                 "vandaag.",
        "bot.werkplek.uren.noted": "Genoteerd: {hours} uur op {date} ({description}).",
        "bot.werkplek.doelen.title": "Doelen van {council} in {year}",
        "bot.werkplek.doelen.none": "Er zijn nog geen doelen voor {year}. De secretaris zet ze op de werkplek.",
        "bot.werkplek.doelen.entry": "{number}. {title} – {status}",
        "bot.werkplek.doelen.topics": "{done} van {count} onderwerpen afgerond: {topics}",
        "bot.werkplek.unavailable": "De werkplek is nu niet bereikbaar. Probeer het over een paar minuten opnieuw.",
    },
    "en": {
        "bot.werkplek.cmd.werkplek": "a link to the workplace, in a direct message (works for ten minutes)",
        "bot.werkplek.cmd.uren": "write down hours you worked for the council, outside meetings",
        "bot.werkplek.cmd.doelen": "the council's goals this year, with their topics",
        "bot.werkplek.link.intro": "Your link to the workplace of {council}:",
        "bot.werkplek.link.note": "It works once and for ten minutes. Share it with nobody. Expired? Type !werkplek "
                                  "again.",
        "bot.werkplek.link.sent": "I have sent you a direct message with your link to the workplace.",
        "bot.werkplek.usage.uren": "To write down hours: !hours <date> <hours> <description>, for example !hours "
                                   "today 1.5 read the papers for the meeting.",
        "bot.werkplek.bad_date": "I cannot read \"{given}\" as a date. Write for instance 3-3, 3 March or today.",
        "bot.werkplek.uren.noted": "Noted: {hours} hours on {date} ({description}).",
        "bot.werkplek.doelen.title": "Goals of {council} in {year}",
        "bot.werkplek.doelen.none": "There are no goals for {year} yet. The secretary sets them in the workplace.",
        "bot.werkplek.doelen.entry": "{number}. {title} – {status}",
        "bot.werkplek.doelen.topics": "{done} of {count} topics done: {topics}",
        "bot.werkplek.unavailable": "The workplace cannot be reached now. Please try again in a few minutes.",
    },
}
