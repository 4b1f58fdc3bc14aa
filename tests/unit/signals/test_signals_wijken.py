"""Neighbourhood detection following the labelling rule."""
from __future__ import annotations

import pytest

from shared.errors import InvalidInput
from services.signals.domain.wijken import Neighbourhood, Neighbourhoods


@pytest.mark.parametrize("text, expected", [
    ("Schimmel in de portiekflats aan de Boergoensevliet in Carnisse.", "Carnisse"),
    ("Signaal van bewonerscommissie Carnisse-Noord: schimmel", "Carnisse"),
    ("hondenpoep op de galerij (lombardijen)", "Lombardijen"),
    ("In het Oude Noorden wordt grofvuil gedumpt", "Oude Noorden"),
    ("kan iemand in nieuw crooswijk uitleggen hoe de warmtepomp werkt", "Nieuw Crooswijk"),
    ("de buren op de Kaap zeggen dat de glazenwasser nooit komt", "Katendrecht"),
    ("Bij de bouw op de Kop van Zuid-Entrepot", "Kop van Zuid-Entrepot"),
])
def test_whole_word_buurt(rotterdam: Neighbourhoods, text: str, expected: str) -> None:
    assert rotterdam.detect(text) == expected


@pytest.mark.parametrize("text", [
    "Ik woon aan de Carnisselaan, optrekkend vocht",          # a street alone says nothing
    "Mijn eigen cv-ketel (Katendrechtse Lagedijk) tikt",
    "De afrekening van Kaaphoven is absurd",                   # "Kaap" only as "de Kaap"
    "Ervaringen in Bospolder en Oud Crooswijk laten zien dat het misgaat",   # two buurten
    "het is hier best cool, in het dorp",                     # buurt names that are words
    "",
])
def test_no_buurt(rotterdam: Neighbourhoods, text: str) -> None:
    assert rotterdam.detect(text) is None


def test_two_buurten_but_about_where_the_writer_lives(rotterdam: Neighbourhoods) -> None:
    text = ("Er wordt gezegd dat wij in Pendrecht een warmtepomp krijgen. Ik heb gehoord dat ze in "
            "Nieuw Crooswijk veel lawaai maken.")
    assert rotterdam.mentions(text) == ["Pendrecht", "Nieuw Crooswijk"]
    assert rotterdam.detect(text) == "Pendrecht"


def test_resolve_user_input(rotterdam: Neighbourhoods) -> None:
    assert rotterdam.resolve("oud-crooswijk") == "Oud Crooswijk"
    assert rotterdam.resolve("DE KAAP") == "Katendrecht"
    assert rotterdam.get("Tarwewijk") == Neighbourhood("Tarwewijk", "BU05991571", "Charlois", "WK059915")
    with pytest.raises(InvalidInput) as err:
        rotterdam.resolve("Atlantis")
    assert err.value.code == "signals.wijk_unknown" and err.value.params["wijk"] == "Atlantis"


def test_council_list_from_csv_text() -> None:
    nb = Neighbourhoods.from_csv_text("wijk\nCentrum\nDe Hoven\n", aliases={"het Centrum": "Centrum"})
    assert nb.names == ("Centrum", "De Hoven")
    assert nb.detect("lekkage in de hoven") == "De Hoven"
    with pytest.raises(InvalidInput):
        Neighbourhoods.from_csv_text("naam\nx\n")
    with pytest.raises(InvalidInput):
        Neighbourhoods.from_csv_text("wijk\nA\n", aliases={"b": "Onbekend"})


def test_dataset_accuracy(dev_records, rotterdam) -> None:
    correct = sum(rotterdam.detect(r["text"]) == r["wijk"] for r in dev_records)
    assert correct / len(dev_records) >= 0.95
