"""What the bot says for the signals commands (services/bot/features/signals.py), Dutch and English."""
from __future__ import annotations

CATALOG: dict[str, dict[str, str]] = {
    "nl": {
        "bot.signals.cmd.signaal": "leg een signaal vast dat je van een bewoner hoorde (persoonsgegevens worden "
                                   "eruit gehaald)",
        "bot.signals.cmd.agenderen": "zet de signaalgroep van deze draad op de agenda van de raad",
        "bot.signals.cmd.thema": "corrigeer het thema van de signaalgroep van deze draad",
        "bot.signals.cmd.samenvoegen": "voeg een andere signaalgroep bij de groep van deze draad (zelfde kwestie)",
        "bot.signals.cmd.afsplitsen": "maak van een signaal in deze draad een eigen groep (andere kwestie)",
        "bot.signals.usage.samenvoegen": "Zo voeg je een groep hierbij: !samenvoegen <groep-nr>, in de draad van de "
                                         "groep die blijft. !signalen toont de nummers.",
        "bot.signals.usage.afsplitsen": "Zo splits je een signaal af: !afsplitsen <signaal-nr>, in de draad van "
                                        "zijn groep. Het nummer staat boven het signaal.",
        "bot.signals.samenvoegen.done": "Groep #{other} is bij groep #{cluster_id} gevoegd; deze groep heeft nu "
                                        "{count} signalen. Nieuwe signalen zoals die komen voortaan hier.",
        "bot.signals.afsplitsen.done": "Signaal {signal_id} is nu een eigen groep: #{number}, met een eigen draad.",
        "bot.signals.cmd.doorsturen": "stuur een signaalgroep door aan de bewonerscommissie van de buurt (zonder "
                                      "persoonsgegevens); hij gaat van de open lijst van de raad",
        "bot.signals.usage.doorsturen": "Zo stuur je een groep door: !doorsturen <groep-nr> [commissie], of "
                                        "!doorsturen in de draad van de groep. Zonder commissie kies ik die van de "
                                        "plek waar de signalen over gaan.",
        "bot.signals.doorsturen.done": "Signaalgroep #{number} is doorgestuurd aan {commissie}, zonder "
                                       "persoonsgegevens. Hij staat niet meer op de open lijst van de raad.",
        "bot.signals.doorsturen.room": "Het bericht staat in de room van de commissie.",
        "bot.signals.doorsturen.email": "De commissie krijgt het per e-mail.",
        "bot.signals.doorsturen.again": "Signaalgroep #{number} was al doorgestuurd aan {commissie}.",
        "bot.signals.agenda.pattern_created": "Het patroon {theme} in {wijken} wijken staat op de agenda als "
                                              "onderwerp #{topic_id}. De kaart is bijgewerkt.",
        "bot.signals.agenda.pattern_existing": "Het patroon {theme} in {wijken} wijken stond al op de agenda als "
                                               "onderwerp #{topic_id}.",
        "bot.signals.stats.patterns": "Patronen over wijken heen",
        "bot.signals.stats.pattern_line": "{theme} in {count} wijken ({wijken}): groepen {groups}",
        "bot.signals.stats.pattern_topic": " · op de agenda als onderwerp #{topic_id}",
        "bot.signals.stats.open": "Open signaalgroepen:",
        "bot.signals.stats.open_line": "#{number} {theme} – {wijk} ({count})",
        "bot.signals.cmd.bewonersavond": "laat bewoners zich aanmelden voor een bewonersavond of "
                                         "bewonersconsultatie uit de agenda (plaatsen en wachtlijst), of zie de "
                                         "aantallen",
        "bot.signals.usage.bewonersavond": "Zo open je een bewonersavond voor aanmelden: !bewonersavond "
                                           "<evenement-nr> [datum] [plaatsen <aantal>]. Het nummer staat bij het "
                                           "evenement in de agenda; de datum kies je bij een reeks (anders de "
                                           "eerstvolgende bijeenkomst).",
        "bot.signals.bewonersavond.opened": "Bewoners kunnen zich nu aanmelden voor {title} (evenement #{number}{day}): "
                                            "{url}",
        "bot.signals.bewonersavond.numbers": "Aanmelden voor {title} (evenement #{number}{day}): {url}",
        "bot.signals.bewonersavond.day": ", bijeenkomst van {day}",
        "bot.signals.bewonersavond.no_meeting": "Evenement #{number} heeft geen komende bijeenkomst{on}. Kies een "
                                                "datum uit de agenda (!kalender).",
        "bot.signals.bewonersavond.on": " op {day}",
        "bot.signals.bewonersavond.counts": "{confirmed} aangemeld, {waiting} op de wachtlijst. {places}",
        "bot.signals.cmd.raadpleging": "vraag bewoners hun mening over een onderwerp, via een openbare pagina "
                                       "(met keuzes: opties: a | b | c; sluit: tot <datum>)",
        "bot.signals.usage.raadpleging": "Zo open je een bewonersraadpleging: !raadpleging <onderwerp-nr> <vraag> "
                                         "[opties: <optie> | <optie>] [tot <datum>], bijvoorbeeld !raadpleging 12 "
                                         "Wat vindt u van de nieuwe tuinregels? opties: goed | niet goed | weet niet "
                                         "tot 15-1-2027. Zonder datum loopt hij drie weken.",
        "bot.signals.raadpleging.opened": "De bewonersraadpleging over onderwerp #{topic_id} staat open tot en met "
                                          "{date}: {url}",
        "bot.signals.raadpleging.options": "Bewoners kiezen uit {count} opties en kunnen iets toelichten.",
        "bot.signals.raadpleging.in_thread": "In de draad van onderwerp #{topic_id} staat hoeveel bewoners al "
                                             "antwoordden; na het sluiten komt daar de samenvatting.",
        "bot.signals.raadpleging.in_room": "Onderwerp #{topic_id} heeft nog geen ronde: de aankondiging en straks de "
                                           "samenvatting staan in de raadsroom.",
        "bot.signals.cmd.signalen": "overzicht en grafiek van de signalen per thema en maand",
        "bot.signals.usage.signaal": "Zo leg je een signaal vast: !signaal [wijk=<buurt>] <wat de bewoner "
                                     "vertelde>, bijvoorbeeld !signaal wijk=Tarwewijk De lift in de Tarwehof is al "
                                     "een week kapot.",
        "bot.signals.not_in_thread": "Dit werkt in de draad van een signaalgroep: reageer met !{word} in die draad.",
        "bot.signals.received": "Signaal #{signal_id} is vastgelegd, zonder persoonsgegevens. Thema: {theme} · "
                                "wijk: {wijk}.",
        "bot.signals.received.new_cluster": "Het begint een nieuwe signaalgroep (#{cluster_id}) met een eigen draad "
                                            "in de signalenroom.",
        "bot.signals.received.joined": "Het hoort bij signaalgroep #{cluster_id}, met nu {count} signalen; de kaart "
                                       "in de signalenroom is bijgewerkt.",
        "bot.signals.received.duplicate": "Dit signaal had ik al vastgelegd als #{signal_id}.",
        "bot.signals.received.removed": "Let op: je bericht bevatte persoonsgegevens ({kinds}). Die zijn niet "
                                        "opgeslagen en ik heb je bericht verwijderd.",
        "bot.signals.redacted": "Persoonsgegevens van een bewoner: verwijderd.",
        "bot.signals.received.reference": "Referentienummer voor de bewoner: {reference} (status: {url}).",
        "bot.signals.agenda.created": "Signaalgroep #{cluster_id} staat op de agenda als onderwerp #{topic_id}, met "
                                      "de onderbouwing en een link naar deze draad. De kaart is bijgewerkt.",
        "bot.signals.agenda.existing": "Signaalgroep #{cluster_id} stond al op de agenda als onderwerp #{topic_id}.",
        "bot.signals.thema.list": "Kies een thema: !thema <thema>. De thema's:",
        "bot.signals.thema.unknown": "Het thema ‘{theme}’ ken ik niet.",
        "bot.signals.thema.done": "Het thema van signaalgroep #{cluster_id} is nu {label}. De correctie is bewaard "
                                  "en de kaart is bijgewerkt.",
        "bot.signals.thema.same": "Signaalgroep #{cluster_id} had dat thema al: {label}.",
        "bot.signals.stats.title": "Signalen sinds {since}: {total}",
        "bot.signals.stats.themes": "Per thema:",
        "bot.signals.stats.wijken": "Meest genoemde wijken:",
        "bot.signals.stats.none": "Er zijn nog geen signalen.",
        "bot.signals.stats.chart": "De grafiek per thema en maand staat hieronder in deze draad.",
        "bot.signals.wijk_unknown": "onbekend",
        # kinds of personal data the service removed (it sends the kinds, not their names)
        "bot.signals.kind.naam": "naam",
        "bot.signals.kind.telefoon": "telefoonnummer",
        "bot.signals.kind.e-mail": "e-mailadres",
        "bot.signals.kind.adres": "adres",
        "bot.signals.kind.postcode": "postcode",
        "bot.signals.kind.iban": "rekeningnummer",
        "bot.signals.kind.bsn": "BSN",
    },
    "en": {
        "bot.signals.cmd.signaal": "record a signal you heard from a resident (personal data is removed)",
        "bot.signals.cmd.agenderen": "put this thread's signal group on the council's agenda",
        "bot.signals.cmd.thema": "correct the theme of this thread's signal group",
        "bot.signals.cmd.samenvoegen": "add another signal group to this thread's group (the same issue)",
        "bot.signals.cmd.afsplitsen": "make a signal in this thread a group of its own (another issue)",
        "bot.signals.usage.samenvoegen": "To add a group here: !merge <group-nr>, in the thread of the group that "
                                         "stays. !signals shows the numbers.",
        "bot.signals.usage.afsplitsen": "To split a signal off: !split <signal-nr>, in the thread of its group. The "
                                        "number is above the signal.",
        "bot.signals.samenvoegen.done": "Group #{other} has been added to group #{cluster_id}; this group has "
                                        "{count} signals now. New signals like them come here from now on.",
        "bot.signals.afsplitsen.done": "Signal {signal_id} is a group of its own now: #{number}, with its own "
                                       "thread.",
        "bot.signals.cmd.doorsturen": "hand a signal group to the neighbourhood's residents' committee (without "
                                      "personal data); it leaves the council's open list",
        "bot.signals.usage.doorsturen": "To hand a group over: !doorsturen <group-nr> [committee], or !doorsturen in "
                                        "the group's thread. Without a committee I take the one of the place the "
                                        "signals are about.",
        "bot.signals.doorsturen.done": "Signal group #{number} was handed to {commissie}, without personal data. It "
                                       "is no longer on the council's open list.",
        "bot.signals.doorsturen.room": "The message is in the committee's room.",
        "bot.signals.doorsturen.email": "The committee gets it by e-mail.",
        "bot.signals.doorsturen.again": "Signal group #{number} had been handed to {commissie} already.",
        "bot.signals.agenda.pattern_created": "The pattern {theme} in {wijken} neighbourhoods is on the agenda as "
                                              "topic #{topic_id}. The card was updated.",
        "bot.signals.agenda.pattern_existing": "The pattern {theme} in {wijken} neighbourhoods was on the agenda "
                                               "already as topic #{topic_id}.",
        "bot.signals.stats.patterns": "Patterns across neighbourhoods",
        "bot.signals.stats.pattern_line": "{theme} in {count} neighbourhoods ({wijken}): groups {groups}",
        "bot.signals.stats.pattern_topic": " · on the agenda as topic #{topic_id}",
        "bot.signals.stats.open": "Open signal groups:",
        "bot.signals.stats.open_line": "#{number} {theme} – {wijk} ({count})",
        "bot.signals.cmd.bewonersavond": "let residents sign up for a residents' evening or consultation from the "
                                         "calendar (places and a waiting list), or see the numbers",
        "bot.signals.usage.bewonersavond": "To open a residents' evening for sign-up: !bewonersavond <event-nr> "
                                           "[date] [plaatsen <number>]. The number is shown with the event in the "
                                           "calendar; for a series, the date picks the meeting (else the next one).",
        "bot.signals.bewonersavond.opened": "Residents can now sign up for {title} (event #{number}{day}): {url}",
        "bot.signals.bewonersavond.numbers": "Sign-up for {title} (event #{number}{day}): {url}",
        "bot.signals.bewonersavond.day": ", meeting of {day}",
        "bot.signals.bewonersavond.no_meeting": "Event #{number} has no coming meeting{on}. Pick a date from the "
                                                "calendar (!kalender).",
        "bot.signals.bewonersavond.on": " on {day}",
        "bot.signals.bewonersavond.counts": "{confirmed} signed up, {waiting} on the waiting list. {places}",
        "bot.signals.cmd.raadpleging": "ask residents their view on a topic, through a public page (with choices: "
                                       "options: a | b | c; closing: until <date>)",
        "bot.signals.usage.raadpleging": "To open a resident consultation: !raadpleging <topic-nr> <question> "
                                         "[options: <option> | <option>] [until <date>], for example !raadpleging 12 "
                                         "What do you think of the new garden rules? options: good | not good | "
                                         "don't know until 15-1-2027. Without a date it runs for three weeks.",
        "bot.signals.raadpleging.opened": "The resident consultation on topic #{topic_id} is open until {date} "
                                          "inclusive: {url}",
        "bot.signals.raadpleging.options": "Residents choose from {count} options and can add a comment.",
        "bot.signals.raadpleging.in_thread": "The thread of topic #{topic_id} shows how many residents answered; "
                                             "the summary follows there after closing.",
        "bot.signals.raadpleging.in_room": "Topic #{topic_id} has no round yet: the announcement and later the "
                                           "summary are in the council's room.",
        "bot.signals.cmd.signalen": "overview and chart of signals per theme and month",
        "bot.signals.usage.signaal": "To record a signal: !signaal [wijk=<neighbourhood>] <what the resident said>, "
                                     "for example !signaal wijk=Tarwewijk The lift in the Tarwehof has been broken "
                                     "for a week.",
        "bot.signals.not_in_thread": "This works in the thread of a signal group: reply with !{word} in that thread.",
        "bot.signals.received": "Signal #{signal_id} is recorded, without personal data. Theme: {theme} · "
                                "neighbourhood: {wijk}.",
        "bot.signals.received.new_cluster": "It starts a new signal group (#{cluster_id}) with a thread of its own "
                                            "in the signals room.",
        "bot.signals.received.joined": "It belongs to signal group #{cluster_id}, now with {count} signals; the "
                                       "card in the signals room was updated.",
        "bot.signals.received.duplicate": "I had recorded this signal already as #{signal_id}.",
        "bot.signals.received.removed": "Note: your message contained personal data ({kinds}). It was not stored "
                                        "and I removed your message.",
        "bot.signals.redacted": "A resident's personal data: removed.",
        "bot.signals.received.reference": "Reference number for the resident: {reference} (status: {url}).",
        "bot.signals.agenda.created": "Signal group #{cluster_id} is on the agenda as topic #{topic_id}, with the "
                                      "evidence and a link to this thread. The card was updated.",
        "bot.signals.agenda.existing": "Signal group #{cluster_id} was on the agenda already as topic #{topic_id}.",
        "bot.signals.thema.list": "Choose a theme: !thema <theme>. The themes:",
        "bot.signals.thema.unknown": "I don't know the theme ‘{theme}’.",
        "bot.signals.thema.done": "The theme of signal group #{cluster_id} is now {label}. The correction was kept "
                                  "and the card was updated.",
        "bot.signals.thema.same": "Signal group #{cluster_id} had that theme already: {label}.",
        "bot.signals.stats.title": "Signals since {since}: {total}",
        "bot.signals.stats.themes": "Per theme:",
        "bot.signals.stats.wijken": "Neighbourhoods named most:",
        "bot.signals.stats.none": "There are no signals yet.",
        "bot.signals.stats.chart": "The chart per theme and month follows below in this thread.",
        "bot.signals.wijk_unknown": "unknown",
        # kinds of personal data the service removed (it sends the kinds, not their names)
        "bot.signals.kind.naam": "name",
        "bot.signals.kind.telefoon": "phone number",
        "bot.signals.kind.e-mail": "e-mail address",
        "bot.signals.kind.adres": "address",
        "bot.signals.kind.postcode": "postcode",
        "bot.signals.kind.iban": "bank account",
        "bot.signals.kind.bsn": "citizen service number",
    },
}
