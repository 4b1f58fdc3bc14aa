"""Fixtures for the deliberation domain tests."""
from __future__ import annotations

import json
from typing import Any, Callable

import pytest

from services.deliberation.domain import register_messages
from shared.errors import DomainError

register_messages()


@pytest.fixture
def expect_error() -> Callable[..., DomainError]:
    """``expect_error(Conflict, "delib.x", fn, *args, **kwargs)``: the call raises exactly that error,
    and its text renders in Dutch and English with every placeholder filled."""

    def check(kind: type[DomainError], code: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> DomainError:
        with pytest.raises(DomainError) as info:
            fn(*args, **kwargs)
        error = info.value
        assert type(error) is kind or isinstance(error, kind), f"{type(error).__name__} is not {kind.__name__}"
        assert error.code == code
        for lang in ("nl", "en"):
            text = error.user_message(lang)
            assert text and text != code, f"{code} has no {lang} text"
            assert "{" not in text and "}" not in text, f"{code} ({lang}) left a placeholder: {text}"
            json.dumps(error.to_json(lang))
        return error

    return check
