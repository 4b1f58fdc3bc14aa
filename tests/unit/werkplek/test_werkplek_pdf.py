"""The decision list as PDF (services/werkplek/domain/pdf.py): the Latin-1 mapping of the core font, and the
document read back with pypdf (a parser we did not write): decisions, diacritics, page numbers, metadata."""
from __future__ import annotations

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from services.werkplek import texts
from services.werkplek.domain import pdf

AT = datetime(2026, 12, 2, 13, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))


@pytest.fixture(autouse=True, scope="module")
def _messages() -> None:
    texts.register_messages()


def entry(round_id: int, title: str, text: str, **extra: object) -> dict:
    return {"round_id": round_id, "topic_id": round_id + 10, "topic_title": title, "text": text, "version": 2,
            "decided_on": "2026-11-03", "decided_at": "2026-11-03T20:00:00+01:00",
            "decided_by": {"matrix_id": "@sanne:x", "display_name": "Sanne Secretaris"},
            "positions": [], "absent": [], "thread_url": None, "objections": [], "influence": [], **extra}


def person(name: str) -> dict:
    return {"matrix_id": f"@{name.lower()}:x", "display_name": name}


def read(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def build(entries: list[dict], scenarios: list[dict] | None = None, lang: str = "nl", **kw: object) -> bytes:
    return pdf.besluitenlijst(FPDF, council_name="Huurdersraad Zuïd", lang=lang, exported_at=AT, entries=entries,
                              scenarios=scenarios or [], **kw)


# --------------------------------------------------------------------------- the core font's Latin-1


@pytest.mark.parametrize("given, expected", [
    ("‘veilig’ en “snel”", "'veilig' en \"snel\""),
    ("2025–2026 — klaar…", "2025-2026 - klaar..."),
    ("€ 25", "EUR 25"),
    ("• punt", "\u00b7 punt"),
    ("Chloë, café, naïef, Zoë, één, übrigens, Curaçao", "Chloë, café, naïef, Zoë, één, übrigens, Curaçao"),
    ("e\u0308n", "ën"),  # a decomposed ë (as some phones send it) is still one Latin-1 letter
    ("Şükrü Öztürk, Łódź", "Sükrü Öztürk, Lódz"),  # outside Latin-1: the letter without its mark
    ("ﬁets", "fiets"),
    ("ok 👍 日本", "ok ? ??"),
    ("a\u200bb\tc\u00a0d", "ab c d"),
    ("regel 1\nregel 2", "regel 1\nregel 2"),
    (None, ""),
])
def test_latin1_maps_typography_keeps_dutch_letters_and_marks_the_rest(given, expected):
    assert pdf.latin1(given) == expected
    pdf.latin1(given).encode("latin-1")  # what the core font can write


def test_search_in_scenario_outcomes_needs_every_word():
    outcome = {"topic_title": "Groen", "title": "Het plein", "options": [{"text": "Bomen planten", "positions": []}],
               "objections": [{"argument": "Te duur"}]}
    assert pdf.matches(outcome, None) and pdf.matches(outcome, "bomen duur")
    assert not pdf.matches(outcome, "bomen kerstboom")


# --------------------------------------------------------------------------- the document


def test_the_pdf_holds_every_decision_with_concerns_objections_and_diacritics():
    first = entry(1, "Speeltuin aan de Kerkstraat", "Het bestuur zorgt vóór de zomer voor een ‘veilige’ "
                  "speeltuin – met bankjes.",
                  positions=[{**person("Chloë"), "position": "bedenking", "position_label": "bedenking",
                              "text": "Let op de kosten (€ 4.000)."},
                             {**person("Zoë"), "position": "eens", "position_label": "eens", "text": None}],
                  absent=[person("Şükrü")],
                  objections=[{**person("Bram"), "id": 1, "argument": "Te weinig schaduw.", "version": 1,
                               "status": "resolved_by_amendment", "status_label": "opgelost door een nieuwe versie",
                               "note": None, "resolved_in_version": 2}],
                  influence=[{"score": 4, "what_changed": "Het bestuur plant twee bomen.", "kind": "overgenomen",
                              "kind_label": "overgenomen", "kind_given": True, "basis": None,
                              "recorded_on": "2026-11-20", "recorded_by": person("Sanne")}])
    second = entry(2, "Huurverhoging", "Geen bezwaar tegen de jaarlijkse huurverhoging.")
    reader, text = read(build([first, second], q="speeltuin"))

    assert "Besluitenlijst Huurdersraad Zuïd" in text
    assert "Gemaakt op woensdag 2 december 2026, 13:30" in text
    assert 'Alleen besluiten met "speeltuin"' in text and "Volgorde: Nieuwste eerst" in text
    assert "#11 Speeltuin aan de Kerkstraat" in text and "#12 Huurverhoging" in text
    flat = " ".join(text.split())
    assert "vóór de zomer voor een 'veilige' speeltuin - met bankjes." in flat
    assert "Besloten op dinsdag 3 november 2026, versie 2, vastgelegd door Sanne Secretaris" in flat
    assert "Bedenkingen" in text and "Chloë: Let op de kosten (EUR 4.000)." in flat
    assert "Bezwaren en hoe ze zijn opgelost" in text
    assert "Bram (bij versie 1): Te weinig schaduw. - opgelost door een nieuwe versie, opgelost in versie 2" in flat
    assert "Zoë: eens" in flat and "Sükrü: afwezig" in flat
    assert "invloed 4 van 5, overgenomen: Het bestuur plant twee bomen." in flat
    assert not re.search(r"\d+\s*(stemmen|voor|tegen)", flat)  # no tallies, ever
    assert text.index("Speeltuin") < text.index("Huurverhoging")  # the caller's order is kept
    assert f"Pagina 1 van {len(reader.pages)}" in text


def test_a_long_list_wraps_onto_numbered_a4_pages_with_metadata_and_an_outline():
    long_text = "De raad vraagt het bestuur de tuinen beter te onderhouden en de bewoners te betrekken. " * 25
    entries = [entry(n, f"Onderwerp {n} – tuinen", long_text) for n in range(1, 9)]
    reader, text = read(build(entries, lang="nl"))

    pages = len(reader.pages)
    assert pages >= 3
    for number, page in enumerate(reader.pages, start=1):
        assert f"Pagina {number} van {pages}" in page.extract_text()
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert all(f"#{n + 10} Onderwerp {n} - tuinen" in text for n in range(1, 9))
    assert max(len(line) for line in text.splitlines()) < 120  # wrapped, not run off the page
    assert " ".join(text.split()).count("en de bewoners te betrekken.") == 8 * 25  # nothing lost at a break
    meta = reader.metadata
    assert meta.title == "Besluitenlijst Huurdersraad Zuïd" and meta.author == "Huurdersraad Zuïd"
    assert meta.creator == "Overleg" and meta.creation_date.year == 2026
    assert reader.trailer["/Root"]["/Lang"] == "nl"
    assert [item["/Title"] for item in reader.outline][:2] == ["#11 Onderwerp 1 - tuinen", "#12 Onderwerp 2 - tuinen"]


def test_english_and_the_same_bytes_for_the_same_data():
    once = build([entry(1, "Tuinen", "Meer groen.")], lang="en", newest_first=False)
    assert once == build([entry(1, "Tuinen", "Meer groen.")], lang="en", newest_first=False)  # no clock inside
    reader, text = read(once)
    assert "Decision list Huurdersraad Zuïd" in text and "Order: Oldest first" in text
    assert "Page 1 of 1" in text and reader.trailer["/Root"]["/Lang"] == "en"


def test_an_empty_list_says_so():
    _, text = read(build([]))
    assert "Er zijn nog geen besluiten." in text
    _, text = read(build([], q="kerstboom"))
    assert 'Geen besluiten gevonden met "kerstboom".' in text


def test_scenario_outcomes_follow_the_decisions_and_the_search():
    outcome = {
        "round_id": 3, "topic_id": 14, "topic_title": "Het plein", "title": "Hoe richten we het plein in?",
        "kind": "akkoord", "kind_label": "akkoord", "decided_on": "2026-11-10", "decided_by": person("Sanne"),
        "agreed_option": 2, "note": "Het bestuur krijgt beide opties te zien.", "absent": [person("Cees")],
        "options": [
            {"option": 1, "text": "Een speelveld.", "version": 1, "source": "opener", "source_label": "voorstel",
             "merged_from": [], "merged_into": None, "open_objections": [{**person("Bram"), "argument": "Lawaai."}],
             "concerns": [], "preferred_by": [],
             "positions": [{**person("Bram"), "position": "bezwaar", "position_label": "bezwaar", "text": "Lawaai."}]},
            {"option": 2, "text": "Een moestuin met bankjes.", "version": 2, "source": "member",
             "source_label": "van een lid", "merged_from": [], "merged_into": None, "open_objections": [],
             "concerns": [], "preferred_by": [person("Anna"), person("Zoë")],
             "positions": [{**person("Anna"), "position": "eens", "position_label": "eens", "text": None}]}],
        "objections": [{**person("Bram"), "id": 1, "argument": "Te duur.", "option": 2, "raised_option": 2,
                        "raised_version": 1, "status": "resolved_by_amendment",
                        "status_label": "opgelost door een nieuwe versie", "note": None, "resolved_in_version": 2}],
        "influence": [], "thread_url": None}
    _, text = read(build([entry(1, "Tuinen", "Meer groen.")], [outcome]))
    flat = " ".join(text.split())
    assert text.index("#11 Tuinen") < text.index("Co-creatie: scenariorondes")
    assert "Scenarioronde 3: Hoe richten we het plein in?" in flat and "Onderwerp #14 Het plein" in flat
    assert "overeenstemming over optie 2" in flat
    assert "Optie 2 (versie 2, van een lid) - hierover is de raad het eens" in flat
    assert "bezwaar van Bram staat: Lawaai." in flat and "voorkeur van: Anna, Zoë" in flat
    assert "Bram, op optie 2 versie 1: Te duur. - opgelost door een nieuwe versie, opgelost in versie 2" in flat
    assert "Cees: afwezig" in flat

    _, searched = read(build([], [outcome], q="kerstboom"))
    assert "Scenarioronde" not in searched and 'Geen besluiten gevonden met "kerstboom".' in searched
