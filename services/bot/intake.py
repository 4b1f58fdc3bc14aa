"""The bot's small HTTP side: services hand it their outbound messages here.

A message is stored in the outbox before the answer goes back (202), so once a service has its
answer the message cannot be lost. Same conventions as the Flask services: bearer tokens per
caller, JSON errors, a size limit (413), /healthz, /readyz, /metrics and /openapi.json.
"""
from __future__ import annotations

import logging
from typing import Any, Protocol

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from services.bot import store
from services.bot.metrics import BotMetrics
from shared.jsonbody import parse_json_body
from shared.db import Database
from shared.outbox import OutboundMessage
from shared.settings import Settings

log = logging.getLogger("overleg.bot.intake")

SENDERS = frozenset({"deliberation", "calendar", "signals", "admin"})
MAX_BODY = 8 * 1024 * 1024  # charts are posted as images


class OutboxBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    messages: list[OutboundMessage] = Field(min_length=1, max_length=100)


class OutboxAccepted(BaseModel):
    stored: int
    duplicates: int


class OutboxStatus(BaseModel):
    key: str
    state: str
    event_id: str | None
    room_id: str | None
    link: str | None


def _error(status: int, code: str, message: str, params: dict[str, Any] | None = None) -> web.Response:
    return web.json_response({"error": code, "message": message, "params": params or {}}, status=status)


@web.middleware
async def json_errors(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPRequestEntityTooLarge:
        return _error(413, "too_large", "Het verzoek is te groot.", {"max_bytes": MAX_BODY})
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        resp = _error(exc.status, (exc.reason or "error").lower().replace(" ", "_"), exc.reason or "Fout")
        if "Allow" in exc.headers:  # a 405 says which methods are allowed
            resp.headers["Allow"] = exc.headers["Allow"]
        return resp
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _error(500, "internal_error", "Er ging iets mis aan onze kant.")


class IntakeHost(Protocol):
    """What the intake needs of the running bot (``app.Bot`` is one); no import of app.py here."""

    settings: Settings
    db: Database
    metrics: BotMetrics
    synced: bool

    async def council_members(self) -> set[str]: ...

    def accept(self, messages: list[OutboundMessage], *, dm_allowed: set[str] | None = None) -> tuple[int, int]: ...

    def rooms_not_joined(self) -> list[str]: ...


def build_intake(bot: IntakeHost) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY, middlewares=[json_errors])

    def caller(request: web.Request) -> str | web.Response:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _error(401, "unauthorized", "Een geldig toegangstoken is nodig.")
        who = bot.settings.caller_for_token(token.strip())
        if who is None:
            return _error(401, "unauthorized", "Dit toegangstoken is niet geldig.")
        if who not in SENDERS:
            return _error(403, "forbidden", "Dit token mag dit niet.")
        return who

    async def post_outbox(request: web.Request) -> web.Response:
        who = caller(request)
        if isinstance(who, web.Response):
            return who
        try:
            raw = await request.read()
            # Too deep a nesting is refused before parsing: a 400, never a RecursionError.
            batch = OutboxBatch.model_validate(parse_json_body(raw or b"null"))
        except (ValueError, ValidationError) as exc:
            problems = exc.errors(include_url=False, include_input=False) if isinstance(exc, ValidationError) else []
            return _error(400, "invalid_input", "De invoer klopt niet.",
                          {"problems": [{"field": ".".join(map(str, p["loc"])), "problem": p["msg"]} for p in problems]})
        try:
            members = await bot.council_members() if any(m.dm_to for m in batch.messages) else None
            stored, duplicates = bot.accept(batch.messages, dm_allowed=members)
        except LookupError as exc:
            return _error(422, "unknown_room", str(exc))
        return web.json_response(OutboxAccepted(stored=stored, duplicates=duplicates).model_dump(), status=202)

    async def get_outbox(request: web.Request) -> web.Response:
        who = caller(request)
        if isinstance(who, web.Response):
            return who
        key = request.match_info["key"]
        with bot.db.read() as s:
            row = s.query(store.BotOutbox).filter_by(key=key).one_or_none()
        if row is None:
            return _error(404, "not_found", "Onbekend bericht.")
        link = f"https://matrix.to/#/{row.room_id}/{row.event_id}" if row.event_id and row.room_id else None
        return web.json_response(OutboxStatus(key=row.key, state=row.state, event_id=row.event_id,
                                              room_id=row.room_id, link=link).model_dump())

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "service": "bot"})

    async def readyz(_: web.Request) -> web.Response:
        if not bot.db.ping():
            return _error(503, "database_unavailable", "De database is niet bereikbaar.")
        if not bot.synced:
            return _error(503, "not_synced", "De bot is nog niet verbonden met de homeserver.")
        missing = bot.rooms_not_joined()
        if missing:
            # A configured room the bot is not in: its members get no answers there.
            resp = _error(503, "rooms_not_joined", "De bot is nog niet in alle ingestelde kamers: "
                          + ", ".join(missing) + ". Nodig hem uit of controleer de kamer-id's.")
            return resp
        return web.json_response({"status": "ready", "service": "bot"})

    async def metrics(_: web.Request) -> web.Response:
        bot.metrics.refresh(bot.db)
        return web.Response(body=generate_latest(bot.metrics.registry),
                            headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def openapi(_: web.Request) -> web.Response:
        return web.json_response(openapi_document())

    app.router.add_post("/api/v1/outbox", post_outbox)
    app.router.add_get("/api/v1/outbox/{key}", get_outbox)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/openapi.json", openapi)
    return app


def openapi_document() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    for model in (OutboxBatch, OutboxAccepted, OutboxStatus):
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(schema.pop("$defs", {}))
        schemas[model.__name__] = schema
    schemas["ErrorBody"] = {"type": "object", "required": ["error", "message"],
                            "properties": {"error": {"type": "string"}, "message": {"type": "string"},
                                           "params": {"type": "object"}}}
    err = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Overleg bot intake", "version": "1.0.0"},
        "paths": {
            "/api/v1/outbox": {"post": {
                "operationId": "bot_post_outbox", "summary": "Hand outbound Matrix messages to the bot",
                "security": [{"bearer": []}],
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OutboxBatch"}}}},
                "responses": {"202": {"description": "Stored", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OutboxAccepted"}}}},
                              **{str(c): {"description": "Error", **err} for c in (400, 401, 403, 413, 422)}},
            }},
            "/api/v1/outbox/{key}": {"get": {
                "operationId": "bot_get_outbox", "summary": "State of a stored message",
                "security": [{"bearer": []}],
                "parameters": [{"name": "key", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OutboxStatus"}}}},
                              **{str(c): {"description": "Error", **err} for c in (401, 403, 404)}},
            }},
        },
        "components": {"schemas": schemas, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }
