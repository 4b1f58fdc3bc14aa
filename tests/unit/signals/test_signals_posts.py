"""The thread post of the signals that joined a group in one burst (services/signals/texts.py) and its
outbox key (actions.posts_key)."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from services.signals import texts
from services.signals.actions import posts_key

TZ = "Europe/Amsterdam"
AT = datetime(2026, 1, 12, 9, 30, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _catalogue() -> None:
    texts.register_messages()


def post(signal_id: int, text: str, **extra: object) -> dict[str, object]:
    return dict(signal_id=signal_id, channel="api", ts=AT, wijk="Tarwewijk", theme="Onderhoud", matched=["dak"],
                text=text, removed=(), **extra)


def test_one_signal_is_posted_as_it_always_was() -> None:
    one = post(7, "Het dak lekt.")
    alone, batch = texts.signal_post("nl", TZ, **one), texts.signal_posts("nl", TZ, [one])
    assert (batch.body, batch.html) == (alone.body, alone.html)


def test_a_burst_is_one_post_that_shows_every_signal_in_order() -> None:
    burst = [post(7, "Het dak lekt."), post(9, "Water in de portiek @room <b>nu</b>."), post(12, "Nog steeds nat.")]
    rich = texts.signal_posts("nl", TZ, burst)
    assert rich.body.startswith("Signaal #7 · partner · ")
    assert [int(x) for x in re.findall(r"Signaal #(\d+) ·", rich.body)] == [7, 9, 12]
    for one in burst:  # each as its own post would show it
        assert texts.signal_post("nl", TZ, **one).body in rich.body
    assert rich.body.endswith("3 signalen in één bericht: ze kwamen kort na elkaar binnen.")
    assert "<b>" not in rich.html and "@room" not in rich.body  # residents' text stays inert
    english = texts.signal_posts("en", TZ, burst)
    assert english.body.startswith("Signal #7 · ") and english.body.endswith("3 signals in one message: they came "
                                                                             "in shortly after one another.")


def test_post_keys_are_a_signals_own_or_the_first_and_how_many_more() -> None:
    assert posts_key([7]) == "signals:signal:7"
    assert posts_key([7, 9, 12]) == "signals:signal:7+2"
    # After an erasure the others are posted again: fewer, so never the key of the redacted post.
    assert posts_key([7, 12]) not in (posts_key([7, 9, 12]), posts_key([7]))
