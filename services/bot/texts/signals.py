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
