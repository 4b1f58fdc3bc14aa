"""Card summaries, evidence for the agenda, intake checks and the message catalog."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from shared import i18n
from shared.errors import InvalidInput
from services.signals.domain import messages
from services.signals.domain.intake import MAX_TEXT_CHARS, check_text
from services.signals.domain.summary import (
    ELLIPSIS, SUMMARY_LIMIT, EvidenceSignal, cluster_summary, evidence, summarise, truncate,
)

T0 = datetime(2026, 5, 1, 9, 0, tzinfo=timezone.utc)


def test_summary_is_the_first_meaningful_sentence() -> None:
    text = ("Goedendag,\nik wil een klacht indienen over vocht en schimmel in mijn woning aan de "
            "Boergoensevliet 212 in Carnisse. Volgens de huisarts is het erger geworden.\n"
            "Natasha Kromodimedjo\n06-31434980")
    assert summarise(text) == ("ik wil een klacht indienen over vocht en schimmel in mijn woning aan de "
                               "[adres] in Carnisse.")


def test_short_openings_take_the_next_sentence_and_headers_are_skipped() -> None:
    assert summarise("Lift kapot! Al drie dagen.") == "Lift kapot! Al drie dagen."
    assert summarise("Onderwerp: lekkage\r\nBcc: x@evil.example\r\n\r\nEr lekt water uit het plafond.") == \
        "Er lekt water uit het plafond."


def test_long_text_is_cut_at_a_word_boundary_with_an_ellipsis() -> None:
    text = "De " + " ".join(["verwarming"] * 60) + " doet het niet."
    out = summarise(text)
    assert len(out) <= SUMMARY_LIMIT and out.endswith(ELLIPSIS)
    assert out[:-1].split()[-1] == "verwarming"
    assert truncate("kort", 160) == "kort"
    assert len(truncate("x" * 500, 40)) == 40


def test_summary_never_holds_personal_data() -> None:
    out = summarise("Bel Fatma Yilmaz op 06-12345678 over de lekkage, mail f.yilmaz@gmail.com")
    assert "Yilmaz" not in out and "06-" not in out and "@" not in out


def test_summary_limit_must_be_usable() -> None:
    with pytest.raises(InvalidInput):
        summarise("lekkage", limit=5)


def test_cluster_summary_skips_signals_with_nothing_to_say() -> None:
    assert cluster_summary(["👍", "Ook bij mij!", "De portiekdeur aan de Claes de Vrieselaan sluit niet."]) == \
        "De portiekdeur aan de Claes de Vrieselaan sluit niet."


def test_evidence_aggregates_the_cluster() -> None:
    signals = [
        EvidenceSignal("De huur is vandaag twee keer afgeschreven! Graag terugstorten op NL91ABNA0417164300.",
                       T0, None, ("huur",)),
        EvidenceSignal("iemand anders ook de huur dubbel afgeschreven vandaag?", T0 + timedelta(hours=2),
                       "Hillesluis", ("huur",)),
        EvidenceSignal("Op 1 mei is de huur 2x geïncasseerd en nu heb ik kosten van de bank. Kevin Hoogendoorn",
                       T0 + timedelta(days=5), "Hillesluis", ("huur", "dienstverlening")),
        EvidenceSignal("Ook bij ons in Carnisse dubbel afgeschreven.", T0 + timedelta(days=1), "Carnisse", ("huur",)),
    ]
    ev = evidence(signals)
    assert ev.count == 4
    assert ev.neighbourhoods == ["Hillesluis", "Carnisse"]
    assert ev.first == T0 and ev.last == T0 + timedelta(days=5)
    assert ev.themes == ["huur", "dienstverlening"]
    assert 1 <= len(ev.samples) <= 3 and len(set(ev.samples)) == len(ev.samples)
    joined = " ".join(ev.samples) + ev.summary
    assert "NL91" not in joined and "Hoogendoorn" not in joined
    assert all(len(s) <= SUMMARY_LIMIT for s in ev.samples)
    data = ev.to_dict()
    assert data["count"] == 4 and data["first"].startswith("2026-05-01")


def test_evidence_of_nothing_is_refused() -> None:
    with pytest.raises(InvalidInput) as err:
        evidence([])
    assert err.value.code == "signals.cluster_empty"
    with pytest.raises(InvalidInput):
        evidence([EvidenceSignal("lekkage", datetime(2026, 1, 1))])


# --- intake -------------------------------------------------------------------------------------
def test_check_text() -> None:
    assert check_text("  lekkage \u202ein de hal\u202c  ") == "lekkage in de hal"
    for empty in ("", "   \n\t", "\u200b\u200b"):
        with pytest.raises(InvalidInput) as err:
            check_text(empty)
        assert err.value.code == "signals.text_empty"
    assert check_text("x" * MAX_TEXT_CHARS) == "x" * MAX_TEXT_CHARS
    with pytest.raises(InvalidInput) as err:
        check_text("x" * (MAX_TEXT_CHARS + 1))
    assert err.value.code == "signals.text_too_long"
    assert str(MAX_TEXT_CHARS) in err.value.user_message("nl")


# --- messages -----------------------------------------------------------------------------------
def test_catalog_is_complete_and_registered() -> None:
    nl, en = messages.CATALOG["nl"], messages.CATALOG["en"]
    assert set(nl) == set(en)
    assert all(code.startswith("signals.") for code in nl)
    messages.register_messages()        # registering again is harmless
    assert i18n.has("signals.wijk_unknown")
    assert i18n.t("signals.wijk_unknown", "en", wijk="Atlantis") == "I don't know the neighbourhood 'Atlantis'."


def test_every_code_the_domain_raises_has_a_text() -> None:
    domain = Path(messages.__file__).parent
    used = set()
    for path in domain.glob("*.py"):
        if path.name != "messages.py":
            used |= set(re.findall(r'"(signals\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert used and used <= set(messages.CATALOG["nl"])


def test_without_matplotlib_the_chart_is_refused_with_a_plain_reason(monkeypatch):
    """matplotlib is the optional ``charts`` extra: a server without it says so, it does not crash."""
    import builtins

    from services.signals import charts, texts

    texts.register_messages()
    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name.startswith("matplotlib"):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(charts.ChartUnavailable) as refused:
        charts.theme_month_png({}, {}, title="t", x_label="x", y_label="y", empty_text="leeg")
    assert refused.value.status == 503
    assert "beheerder" in refused.value.user_message("nl") and "operator" in refused.value.user_message("en")
