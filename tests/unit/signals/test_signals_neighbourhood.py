"""Neighbourhood matters: which signal groups go to a bewonerscommissie, and what they get."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from services.signals.domain import neighbourhood as nb
from services.signals.domain.clustering import features
from shared import i18n
from shared.errors import Conflict, InvalidInput, NotFound
from shared.formatting import Rich

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module", autouse=True)
def _catalogs() -> None:
    i18n.register(nb.CATALOG)


@pytest.fixture(scope="module")
def config() -> nb.NeighbourhoodConfig:
    return nb.NeighbourhoodConfig.from_dict({"commissies": [
        {"id": "tarwewijk", "name": "Bewonerscommissie Tarwewijk", "wijk": "Tarwewijk",
         "room_id": "!tarwe:example.org"},
        {"id": "tarweflat", "name": "BC De Tarweflat", "complex": "Tarweflat",
         "places": ["Tarwehof"], "email": "bc.tarweflat@example.org"},
        {"id": "carnisse", "name": "Bewonerscommissie Carnisse", "wijk": "Carnisse",
         "email": "Carnisse-BC@Example.org"},
    ]})


def _signal(text, rotterdam, *, minutes=0, wijk=None):
    """A signal as the service holds it: features from the text, wijk given or detected."""
    w = wijk if wijk is not None else rotterdam.detect(text)
    return nb.LocalSignal.from_features(text, features(text, w, ["onderhoud"], T0 + timedelta(minutes=minutes)))


def _group(texts, rotterdam, theme="onderhoud", wijken=None, gid=1):
    wijken = wijken or [None] * len(texts)
    return nb.SignalGroup(id=gid, number=gid + 100, theme=theme,
                          signals=tuple(_signal(t, rotterdam, minutes=i, wijk=w)
                                        for i, (t, w) in enumerate(zip(texts, wijken))))


def test_default_everyday_themes_exist_in_the_shipped_taxonomy(taxonomy):
    assert nb.DEFAULT_EVERYDAY_THEMES == {"onderhoud", "schoonmaak_groen", "overlast"}
    nb.NeighbourhoodConfig().check_themes(taxonomy)
    with pytest.raises(InvalidInput):
        nb.NeighbourhoodConfig(everyday_themes=frozenset({"cleaning"})).check_themes(taxonomy)


def test_one_complex_and_a_daily_theme_goes_to_the_complex_commissie(config, rotterdam):
    g = _group(["De lift in de Tarweflat is alweer kapot, al drie dagen.",
                "Lift kapot in de Tarweflat, mijn moeder kan niet naar beneden.",
                "Nog steeds storing aan de lift van de Tarweflat."], rotterdam, wijken=["Tarwewijk", None, None])
    got = nb.classify(g, config)
    assert got.kind is nb.Kind.NEIGHBOURHOOD and got.forwardable
    assert got.scope == nb.Scope(nb.ScopeKind.COMPLEX, "tarweflat", "Tarwewijk")
    assert got.commissie.id == "tarweflat"          # the complex is more specific than the wijk
    code, params = got.card_note()
    assert i18n.t(code, "nl", **params) == "Buurtzaak (tarweflat): hoort bij BC De Tarweflat. Doorsturen: !doorsturen"


def test_one_wijk_without_street_goes_to_the_wijk_commissie(config, rotterdam):
    g = _group(["De verwarming in Carnisse doet het niet.", "Storing aan de cv in Carnisse, al een week."], rotterdam)
    got = nb.classify(g, config)
    assert got.scope == nb.Scope(nb.ScopeKind.WIJK, None, "Carnisse")
    assert got.commissie.id == "carnisse" and got.commissie.email == "carnisse-bc@example.org"


def test_street_in_a_wijk_goes_to_the_wijk_commissie(config, rotterdam):
    g = _group(["In de Slaghekstraat is de portiekverlichting defect.",
                "Lekkage bij ons aan de Slaghekstraat 12, de reparatie duurt lang."], rotterdam,
               wijken=["Tarwewijk", "Tarwewijk"])
    got = nb.classify(g, config)
    assert got.scope == nb.Scope(nb.ScopeKind.STREET, "slaghekstraat", "Tarwewijk")   # the address's street counts
    assert got.commissie.id == "tarwewijk"


def test_no_commissie_configured_stays_with_the_council_and_says_so(config, rotterdam):
    g = _group(["Het trappenhuis is vies in de Wolphaertsbocht.", "Vies trappenhuis Wolphaertsbocht."],
               rotterdam, theme="schoonmaak_groen", wijken=["Charlois Zuidrand", None])
    got = nb.classify(g, config)
    assert got.kind is nb.Kind.NEIGHBOURHOOD and got.commissie is None and not got.forwardable
    code, params = got.card_note()
    assert "geen bewonerscommissie" in i18n.t(code, "nl", **params)
    with pytest.raises(Conflict) as e:
        nb.forward_target(g, config)
    assert e.value.code == "signals.neighbourhood.no_commissie_here"


@pytest.mark.parametrize("texts, wijken, theme, reason", [
    (["De lift in de Tarweflat is kapot.", "Lift kapot in de Tarweflat."], None, "huur",
     "signals.neighbourhood.not_everyday"),
    (["De lift in de Tarweflat is kapot.", "In de Slaghekstraat is de verlichting defect."], None, "onderhoud",
     "signals.neighbourhood.several_places"),
    (["De verwarming in Carnisse doet het niet.", "De verwarming in Pendrecht doet het niet."], None, "onderhoud",
     "signals.neighbourhood.several_wijken"),
    (["De verwarming doet het niet.", "Storing aan de cv, al een week."], None, "onderhoud",
     "signals.neighbourhood.no_place"),
])
def test_council_matters(config, rotterdam, texts, wijken, theme, reason):
    got = nb.classify(_group(texts, rotterdam, theme=theme, wijken=wijken), config)
    assert got.kind is nb.Kind.COUNCIL and got.commissie is None and got.reason == reason
    assert i18n.has(reason)


def test_the_everyday_themes_are_configurable(rotterdam):
    cfg = nb.NeighbourhoodConfig.from_dict({"commissies": [
        {"id": "carnisse", "name": "BC Carnisse", "wijk": "Carnisse", "email": "bc@example.org"}],
        "everyday_themes": ["huur"]})
    g = _group(["De huur in Carnisse stijgt te veel."], rotterdam, theme="huur")
    assert nb.classify(g, cfg).commissie.id == "carnisse"
    g2 = _group(["De verwarming in Carnisse doet het niet."], rotterdam, theme="onderhoud")
    assert nb.classify(g2, cfg).kind is nb.Kind.COUNCIL


def test_signals_without_a_place_do_not_count_against_one(config, rotterdam):
    g = _group(["De lift in de Tarweflat is kapot.", "De lift is weer kapot, niemand komt."], rotterdam)
    assert nb.classify(g, config).commissie.id == "tarweflat"


def test_complex_alias_matches(config, rotterdam):
    g = _group(["Lift kapot in de Tarwehof.", "De lift van de Tarwehof staat stil."], rotterdam)
    got = nb.classify(g, config)
    assert got.scope.kind is nb.ScopeKind.COMPLEX and got.commissie.id == "tarweflat"


def test_forward_by_hand(config, rotterdam):
    council = _group(["De huurverhoging in Carnisse is te hoog."], rotterdam, theme="huur")
    assert nb.classify(council, config).kind is nb.Kind.COUNCIL
    assert nb.forward_target(council, config).id == "carnisse"     # by hand: any theme
    spread = _group(["Verwarming kapot in Carnisse.", "Verwarming kapot in Pendrecht."], rotterdam)
    with pytest.raises(Conflict) as e:
        nb.forward_target(spread, config)
    assert e.value.code == "signals.neighbourhood.name_one" and "carnisse" in e.value.params["options"]
    assert nb.forward_target(spread, config, "Bewonerscommissie Carnisse").id == "carnisse"
    assert nb.forward_target(spread, config, "TARWEWIJK").id == "tarwewijk"
    with pytest.raises(NotFound):
        nb.forward_target(spread, config, "atlantis")
    with pytest.raises(Conflict) as e:
        nb.forward_target(spread, nb.NeighbourhoodConfig())
    assert e.value.code == "signals.neighbourhood.none_configured"


@pytest.mark.parametrize("kwargs, field", [
    ({"id": "x", "name": "BC", "email": "a@b.nl"}, "wijk"),
    ({"id": "x", "name": "BC", "wijk": "Carnisse"}, "room_id"),
    ({"id": "x", "name": "BC", "wijk": "Carnisse", "room_id": "#alias:example.org"}, "room_id"),
    ({"id": "X Y", "name": "BC", "wijk": "Carnisse", "email": "a@b.nl"}, "id"),
    ({"id": "x", "name": " ", "wijk": "Carnisse", "email": "a@b.nl"}, "name"),
])
def test_commissie_configuration_is_checked(kwargs, field):
    with pytest.raises(InvalidInput) as e:
        nb.commissie(**kwargs)
    assert e.value.params["field"] == field


def test_duplicate_commissie_ids_are_refused():
    one = nb.commissie("a", "BC A", wijk="Carnisse", email="a@b.nl")
    with pytest.raises(InvalidInput):
        nb.NeighbourhoodConfig((one, one))


def test_handoff_has_scrubbed_texts_only(config, rotterdam):
    texts = ["De lift in de Tarweflat is kapot. Groet, Jan de Vries, 06-12345678",
             "Lift kapot in de Tarweflat, mail me op piet@example.org als het gemaakt is.",
             "Nog steeds storing aan de lift van de Tarweflat. " + "Het duurt echt veel te lang allemaal. " * 30]
    g = _group(texts, rotterdam, wijken=["Tarwewijk", None, None])
    target = nb.classify(g, config).commissie
    h = nb.build_handoff(g, target, text_chars=200)
    assert h.count == 3 and h.place == "tarweflat" and h.wijk == "Tarwewijk" and h.left_out == 0
    joined = " ".join(h.texts)
    for secret in ("Vries", "06-12345678", "piet@example.org"):
        assert secret not in joined
    assert all(len(t) <= 200 for t in h.texts) and h.texts[2].endswith("…")
    room = nb.render_handoff(h, Rich(), "nl")
    assert room.body.startswith("Doorgestuurd door de raad aan BC De Tarweflat")
    assert "> De lift in de Tarweflat is kapot." in room.body
    subject, body = nb.handoff_email(h, "en")
    assert subject == "Signals from residents: onderhoud (tarweflat, Tarwewijk)"
    assert re.search(r"^1\. De lift in de Tarweflat is kapot", body, re.M)
    assert "piet@" not in body and "06-1234" not in body


def test_handoff_limits_and_residents_status(config, rotterdam):
    g = _group([f"De lift in de Tarweflat is kapot, melding {i}." for i in range(5)], rotterdam)
    target = config.get("tarweflat")
    h = nb.build_handoff(g, target, max_signals=3)
    assert len(h.texts) == 3 and h.left_out == 2
    assert "En nog 2 signalen" in nb.render_handoff(h, Rich(), "nl").body
    status, code, params = nb.resident_status(target)
    assert status == nb.FORWARDED_STATUS and len(status) <= 16
    assert i18n.t(code, "nl", **params) == "Doorgestuurd aan BC De Tarweflat, die dit in uw buurt oppakt."
    with pytest.raises(InvalidInput):
        nb.build_handoff(nb.SignalGroup(1, "onderhoud", ()), target)


def test_handoff_signal_carries_no_contact_fields():
    fields = set(nb.LocalSignal.__dataclass_fields__)
    assert fields == {"text", "ts", "wijk", "places", "home"}


def test_catalog_languages_match():
    assert set(nb.CATALOG["nl"]) == set(nb.CATALOG["en"])
    for code, text in nb.CATALOG["nl"].items():
        assert sorted(re.findall(r"{(\w+)}", text)) == sorted(re.findall(r"{(\w+)}", nb.CATALOG["en"][code]))
