"""The shortcuts for ASCII text give exactly what the general path gives: the scrubber's normalised view
of a text (``textutil.normalised_view``), offsets included (the scrubber maps every match back to the
original text through them, so a difference would leave personal data in place), and the folded form of
a word (``textutil.fold``: every dictionary look-up of the scrubber, the themes and the grouping)."""
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


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=80))
def test_every_ascii_text_folds_as_the_unicode_path_folds_it(text):
    assert textutil.fold(text) == textutil._fold(text)


def test_the_labelled_words_fold_the_same_either_way_and_only_non_ascii_ones_are_kept():
    texts = [json.loads(line)["text"] for line in DEV.read_text(encoding="utf-8").splitlines() if line.strip()]
    textutil._fold_word.cache_clear()
    words = [w.text for text in texts for w in textutil.words(text)]
    for word in words:
        assert textutil.fold(word) == textutil._fold(word)
    assert textutil.fold("Één") == "een" and textutil.fold("CV-KETEL") == "cv-ketel"
    kept = textutil._fold_word.cache_info().currsize
    assert 0 < kept <= len({w for w in words if not w.isascii()}) + 1
