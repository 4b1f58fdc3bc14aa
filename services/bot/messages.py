"""Texts of the bot itself (help, general errors). Features add their own catalogs."""
from shared import i18n

CATALOG = {
    "nl": {
        "bot.help.title": "Overleg – de opdrachten voor {council}",
        "bot.help.intro": "Typ een opdracht als bericht, beginnend met een uitroepteken. In een draad (thread) van een ronde of signaal gelden opdrachten voor die ronde of dat signaal.",
        "bot.help.secretary": "(alleen secretaris)",
        "bot.help.rule": "Zo valt een besluit: we stemmen niet. Een ronde is klaar als ieder aanwezig lid reageerde, "
                         "er geen bezwaar meer openstaat en minstens {quorum} leden aanwezig zijn. Wie zich afmeldde "
                         "(!afmelden) of nog niet in de chat is, telt niet mee en wordt niet afgewacht.",
        "bot.help.footer": "Liever Engels? Typ !help en. Taal vast instellen: !taal en of !taal nl.",
        "bot.group.algemeen": "Algemeen",
        "bot.group.agenda": "Agenda",
        "bot.group.ronde": "Overlegrondes",
        "bot.group.kalender": "Kalender",
        "bot.group.signalen": "Signalen van bewoners",
        "bot.group.leden": "Leden",
        "bot.cmd.help": "deze lijst met opdrachten",
        "bot.cmd.taal": "kies de taal van mijn antwoorden aan jou (nl of en)",
        "bot.unknown": "Die opdracht ken ik niet: !{word}.",
        "bot.unknown.suggest": "Bedoelde je !{suggestion}?",
        "bot.unknown.help": "Typ !hulp voor alle opdrachten.",
        "bot.taal.set": "Goed, ik antwoord je voortaan in het Nederlands.",
        "bot.taal.usage": "Kies een taal: !taal nl of !taal en.",
        "bot.secretary_only": "Alleen de secretaris kan !{word} gebruiken.",
        "bot.error": "Er ging iets mis bij het uitvoeren van !{word}. Er is niets veranderd. Probeer het zo nog eens; blijft het misgaan, meld het dan aan de secretaris.",
        "service.unavailable": "Dat lukt nu even niet: een onderdeel van Overleg ({service}) is niet bereikbaar. Er is niets veranderd. Probeer het over een paar minuten opnieuw.",
        "service.error": "Dat lukte niet. Er is niets veranderd.",
        "invalid_input": "Dat klopt niet helemaal. Er is niets veranderd.",
        "bot.key_withheld": "Ik kan je bericht niet lezen: jouw app heeft mij de sleutel om het te openen niet "
                            "gegeven. {why} Wat je kunt doen: tik in Element op mijn naam, kies 'Verifiëren' of "
                            "'Vertrouwen', en stuur je bericht daarna opnieuw. Lukt het niet, vraag de secretaris "
                            "om hulp.",
        "bot.key_withheld.m.unverified": "Je app deelt sleutels alleen met sessies die jij hebt geverifieerd.",
        "bot.key_withheld.m.blacklisted": "Je app heeft mijn sessie geblokkeerd.",
        "bot.key_withheld.other": "Je app gaf als reden: {code}.",
    },
    "en": {
        "bot.help.title": "Overleg – commands for {council}",
        "bot.help.intro": "Send a command as a message starting with an exclamation mark. Inside the thread of a round or signal, commands apply to that round or signal.",
        "bot.help.secretary": "(secretary only)",
        "bot.help.rule": "How a decision is made: we do not vote. A round is ready when every present member has "
                         "responded, no objection is open and at least {quorum} members are present. Whoever sent "
                         "apologies (!afmelden) or is not in the chat yet does not count and is not waited for.",
        "bot.help.footer": "Prefer Dutch? Type !hulp. Set your language: !taal nl or !taal en.",
        "bot.group.algemeen": "General",
        "bot.group.agenda": "Agenda",
        "bot.group.ronde": "Consensus rounds",
        "bot.group.kalender": "Calendar",
        "bot.group.signalen": "Residents' signals",
        "bot.group.leden": "Members",
        "bot.cmd.help": "this list of commands",
        "bot.cmd.taal": "choose the language of my replies to you (nl or en)",
        "bot.unknown": "I don't know the command !{word}.",
        "bot.unknown.suggest": "Did you mean !{suggestion}?",
        "bot.unknown.help": "Type !help for all commands.",
        "bot.taal.set": "Fine, I will answer you in English from now on.",
        "bot.taal.usage": "Choose a language: !taal nl or !taal en.",
        "bot.secretary_only": "Only the secretary can use !{word}.",
        "bot.error": "Something went wrong while running !{word}. Nothing was changed. Please try again shortly; if it keeps failing, tell the secretary.",
        "service.unavailable": "That is not possible right now: a part of Overleg ({service}) cannot be reached. Nothing was changed. Please try again in a few minutes.",
        "service.error": "That did not work. Nothing was changed.",
        "invalid_input": "That is not quite right. Nothing was changed.",
        "bot.key_withheld": "I cannot read your message: your app did not give me the key to open it. {why} "
                            "What you can do: tap my name in Element, choose 'Verify' or 'Trust', then send your "
                            "message again. If that does not work, ask the secretary for help.",
        "bot.key_withheld.m.unverified": "Your app shares keys only with sessions you have verified.",
        "bot.key_withheld.m.blacklisted": "Your app has blocked my session.",
        "bot.key_withheld.other": "Your app gave this reason: {code}.",
    },
}


def register_messages() -> None:
    i18n.register(CATALOG)
