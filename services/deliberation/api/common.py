"""What every route of the deliberation API shares: the ``Api`` they are declared on, who may call, and
the call's context read from the request (the council, the caller's language and idempotency key)."""
from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from flask import current_app, g, request

from services.deliberation import texts
from services.deliberation.actions import Ctx, context
from shared.api import Api
from shared.councils_api import add_council_routes
from shared.errors import DomainError
from shared.service import Runtime, now, runtime
from shared.settings import Settings

log = logging.getLogger("overleg.deliberation")

API = Api("deliberation", "Overleg deliberation")
add_council_routes(API)
texts.register_messages()

READ = ("bot", "admin", "calendar", "signals", "werkplek")
CHAT = ("bot", "admin")
# What the secretary may also do on the werkplek page (the acting member is still checked: secretary only).
CHAT_OR_WERKPLEK = (*CHAT, "werkplek")
ADMIN = ("admin",)

MAX_IDEMPOTENCY_KEY = 200
EXPORT_PATH = "/councils/{slug}/register/export"


class BadHeader(DomainError):
    """A malformed request header: not part of the documented input, refused as a bad request."""

    status = 400


def settings() -> Settings:
    return current_app.config["OVERLEG_SETTINGS"]


def rt() -> Runtime:
    return runtime()


def idempotency_key() -> str | None:
    key = request.headers.get("Idempotency-Key")
    if key is None or not key.strip():
        return None
    if len(key) > MAX_IDEMPOTENCY_KEY:
        raise BadHeader("delib.api.bad_idempotency_key", "idempotency key too long", max=MAX_IDEMPOTENCY_KEY)
    return key


def ctx(slug: str, *, keyed: bool = False) -> Ctx:
    """The call's context. ``keyed``: the use case records the Idempotency-Key in its domain objects (a
    topic, a round's events), so a replayed chat command changes nothing."""
    found = context(settings(), slug, language=request.headers.get("Accept-Language"),
                    caller=getattr(g, "caller", None), now=now())
    return replace(found, key=idempotency_key()) if keyed else found


def openapi_extra_paths() -> dict[str, Any]:
    """``/register/export`` answers ``text/markdown`` or ``text/html`` (``?format=``); ``Api.route`` declares one
    content type, so the operation it describes is completed here with the other."""
    from shared.api import openapi_document

    path = API.url_prefix + EXPORT_PATH
    operation = openapi_document(current_app, "", "").get("paths", {}).get(path, {}).get("get")
    if operation is None:
        return {}
    ok = operation["responses"][str(200)]
    ok["content"] = {"text/markdown": {"schema": {"type": "string"}}, "text/html": {"schema": {"type": "string"}}}
    return {path: {"get": operation}}
