"""Shared fixtures for the calendar domain tests."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

import pytest

from services.calendar.domain import messages
from services.calendar.domain.events import AMSTERDAM, Event, EventSpec, EventType, create_event

messages.register_messages()

NOW = datetime(2027, 3, 1, 10, 0, tzinfo=AMSTERDAM)  # a Monday; the test modules use the same


@pytest.fixture
def make_event() -> Callable[..., Event]:
    counter = iter(range(1, 10_000))

    def make(uid: str | None = None, *, now: datetime = NOW, **fields: Any) -> Event:
        values: dict[str, Any] = {
            "council": "klantenraad-woonstad",
            "type": EventType.VERGADERING,
            "title": "Vergadering",
            "start": datetime(2027, 3, 16, 19, 30, tzinfo=AMSTERDAM),
            "end": datetime(2027, 3, 16, 21, 30, tzinfo=AMSTERDAM),
        }
        values.update(fields)
        return create_event(EventSpec(**values), uid=uid or f"ev{next(counter)}", now=now)

    return make
