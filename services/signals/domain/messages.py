"""User-facing texts of the signals domain (Dutch first, English too)."""
from __future__ import annotations

from shared import i18n

CATALOG: dict[str, dict[str, str]] = {
    "nl": {
        "signals.text_empty": "Het signaal is leeg. Schrijf in een paar woorden wat er aan de hand is.",
        "signals.text_too_long": "Het signaal is te lang: maximaal {limit} tekens.",
        "signals.taxonomy_invalid": "De themalijst kon niet worden gelezen. Controleer de kolommen id, naam en keywords.",
        "signals.theme_unknown": "Het thema '{theme}' bestaat niet.",
        "signals.threshold_invalid": "De drempel voor thema's moet tussen 0 en 1 liggen.",
        "signals.neighbourhoods_invalid": "De lijst met wijken kon niet worden gelezen.",
        "signals.wijk_unknown": "De wijk '{wijk}' ken ik niet.",
        "signals.timestamp_naive": "Een tijdstip zonder tijdzone kan niet worden verwerkt.",
        "signals.cluster_empty": "Deze groep signalen is leeg.",
        "signals.cluster_config_invalid": "De instellingen voor het groeperen van signalen zijn ongeldig.",
        "signals.summary_limit_invalid": "De samenvatting moet ruimte hebben voor minstens 20 tekens.",
    },
    "en": {
        "signals.text_empty": "The signal is empty. Describe in a few words what is going on.",
        "signals.text_too_long": "The signal is too long: at most {limit} characters.",
        "signals.taxonomy_invalid": "The theme list could not be read. Check the columns id, naam and keywords.",
        "signals.theme_unknown": "The theme '{theme}' does not exist.",
        "signals.threshold_invalid": "The theme threshold must be between 0 and 1.",
        "signals.neighbourhoods_invalid": "The list of neighbourhoods could not be read.",
        "signals.wijk_unknown": "I don't know the neighbourhood '{wijk}'.",
        "signals.timestamp_naive": "A time without a time zone cannot be processed.",
        "signals.cluster_empty": "This group of signals is empty.",
        "signals.cluster_config_invalid": "The settings for grouping signals are invalid.",
        "signals.summary_limit_invalid": "The summary needs room for at least 20 characters.",
    },
}


def register_messages() -> None:
    """Register this catalog with shared.i18n (idempotent)."""
    i18n.register(CATALOG)


# What each kind of removed personal data is called, for a member or resident (see scrub.KINDS).
KIND_LABELS = {
    "nl": {"naam": "naam", "telefoon": "telefoonnummer", "e-mail": "e-mailadres", "adres": "adres",
           "postcode": "postcode", "iban": "rekeningnummer", "bsn": "BSN"},
    "en": {"naam": "name", "telefoon": "phone number", "e-mail": "e-mail address", "adres": "address",
           "postcode": "postcode", "iban": "bank account", "bsn": "citizen service number"},
}
