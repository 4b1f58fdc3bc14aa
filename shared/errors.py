"""Error types shared by the domain, the services and the bot.

A domain error carries a *code* (rendered for the user through :mod:`shared.i18n`, in their
language) and a separate *log message* for the operator, which may hold ids but never personal
data. Services turn domain errors into JSON 4xx answers; the bot turns them into a threaded reply.
"""
from __future__ import annotations

from typing import Any

from shared import i18n


class DomainError(Exception):
    """A rule of the domain refused an action. ``status`` is the HTTP status a service answers with."""

    status = 422

    def __init__(self, code: str, log_message: str | None = None, /, **params: Any) -> None:
        self.code = code
        self.params = params
        self.log_message = log_message or code
        super().__init__(self.log_message)

    def user_message(self, lang: str | None = None) -> str:
        return i18n.t(self.code, lang, **self.params)

    def to_json(self, lang: str | None = None) -> dict[str, Any]:
        return {"error": self.code, "message": self.user_message(lang),
                "params": {k: _jsonable(v) for k, v in self.params.items()}}


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class Forbidden(DomainError):
    status = 403


class InvalidInput(DomainError):
    """Input the schema accepted but a rule refuses (a start after its end, a day that does not exist):
    422 on every service. A 400 is only for what the schema itself rejects."""

    status = 422


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)
