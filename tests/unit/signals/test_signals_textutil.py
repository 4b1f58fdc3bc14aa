"""The scrubber's normalised view of a text (``textutil.normalised_view``): the shortcut for ASCII texts
gives exactly what the per-cluster normalisation gives, offsets included (the scrubber maps every
match back to the original text through them, so a difference would leave personal data in place)."""
from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from services.signals.domain import textutil

DEV = Path(__file__).resolve().parents[2] / "data" / "signals-dev.jsonl"


def by_cluster(text: str) -> textutil.NormalisedView:
    return textutil._normalised_by_cluster(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=400))
def test_every_ascii_text_gets_the_same_view_either_way(text):
    assert text.isascii()
    assert textutil.normalised_view(text) == by_cluster(text)


def test_the_labelled_texts_get_the_same_view_either_way_and_non_ascii_ones_are_normalised():
    texts = [json.loads(line)["text"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    for text in texts:
        assert textutil.normalised_view(text) == by_cluster(text)
    view = textutil.normalised_view("Tel\u2013nr 06\u201212345678, ﬁets\u2028é")
    assert view.text == "Tel-nr 06-12345678, fiets\né"
    assert view.to_original(20, 22) == (20, 21)  # "fi" from the one ligature character
    assert view.to_original(20, 25) == (20, 24)  # "fiets"
