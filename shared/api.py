"""Declaring JSON endpoints once: auth, body and query parsing, response shape and OpenAPI.

An endpoint is declared with :meth:`Api.route`; the same pydantic models validate what comes
in, serialise what goes out and describe both in ``/openapi.json``, so the document cannot
drift from what the service really accepts and returns.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
import typing
from dataclasses import dataclass, field
from typing import Annotated, Any, Callable, Iterable

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints, ValidationError

from shared.errors import DomainError
from shared.jsonbody import MAX_ID, MAX_JSON_DEPTH, json_too_deep, parse_json_body  # noqa: F401 - re-exported

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# The same rule as a JSON-schema pattern, so /openapi.json says what is refused.
NO_CONTROL_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def _no_control_chars(value: str) -> str:
    # NUL and other C0 controls break PostgreSQL text columns and Matrix clients; CR/LF and TAB stay.
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return value


def Text(max_length: int = 2000, min_length: int = 0) -> Any:  # noqa: N802 - reads like a type
    """A user-supplied string: bounded, no control characters."""
    return Annotated[
        str, StringConstraints(max_length=max_length, min_length=min_length, pattern=NO_CONTROL_PATTERN),
        AfterValidator(_no_control_chars),
    ]


class Model(BaseModel):
    """Base for request/response bodies: unknown fields are refused, so typos are not silently lost."""

    # defer_build: a model's validator is built when it is first used, not at import. A worker
    # builds only the few its requests use (a service defines 30-40), ~1 MB less per worker.
    model_config = ConfigDict(extra="forbid", defer_build=True)


class QueryModel(BaseModel):
    """Base for query strings: unknown parameters are ignored (links get decorated by proxies,
    analytics and calendar apps), known ones are validated."""

    model_config = ConfigDict(extra="ignore", defer_build=True)


class OutModel(BaseModel):
    model_config = ConfigDict(from_attributes=True, defer_build=True)


class ErrorBody(BaseModel):
    error: str
    message: str
    params: dict[str, Any] | None = None


@dataclass
class Operation:
    method: str
    rule: str
    endpoint: str
    summary: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: Any
    status: int
    callers: frozenset[str] | None
    tag: str
    content_type: str = "application/json"
    errors: tuple[int, ...] = ()
    secret_fields: tuple[str, ...] = ()
    also: tuple[int, ...] = ()  # other success statuses with the same answer (200 for "already there")


@dataclass
class Api:
    """A blueprint under ``/api/v1`` that records its operations for the OpenAPI document."""

    name: str
    title: str
    url_prefix: str = "/api/v1"
    operations: list[Operation] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.blueprint = Blueprint(f"{self.name}_api", __name__, url_prefix=self.url_prefix)

    def route(
        self,
        rule: str,
        method: str = "GET",
        *,
        summary: str,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        response: Any = None,
        status: int = 200,
        callers: Iterable[str] | None = (),
        content_type: str = "application/json",
        errors: tuple[int, ...] = (),
        secret_fields: tuple[str, ...] = (),
        also: tuple[int, ...] = (),
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """``callers=None`` makes the endpoint public; otherwise the bearer token must belong to one
        of the named callers (401 without a valid token, 403 for a caller not allowed here).

        ``secret_fields`` names top-level fields of the answer that are secrets (a feed link, a
        reference number). The stored idempotent answer keeps only their hashes; a repeat runs the
        route again (:func:`replaying` is then true, so it can skip what must happen once, such as a
        rotation) and gets the stored answer with the secrets the route gave now, provided they hash
        to the stored ones (otherwise the fresh answer). Such a route must be idempotent itself."""
        allowed = None if callers is None else frozenset(callers)

        def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
            op = Operation(method.upper(), rule, fn.__name__, summary, body, query, response, status,
                           allowed, self.name, content_type, errors, tuple(secret_fields), tuple(also))
            self.operations.append(op)

            @functools.wraps(fn)
            def view(**path: Any) -> Any:
                for key, value in path.items():
                    if isinstance(value, int) and not 0 < value <= MAX_ID:
                        return error_response(404, "not_found", "Niet gevonden.")
                if allowed is not None:
                    denied = check_caller(allowed, path.get("slug"))
                    if denied is not None:
                        return denied
                idem_key = request.headers.get("Idempotency-Key") if op.method == "POST" else None
                rt = current_app.extensions.get("overleg_runtime")
                if idem_key and rt is not None:
                    idem_key = f"{getattr(g, 'caller', '-')}:{fn.__name__}:{idem_key}"[:255]
                    seen = rt.remembered(idem_key)
                    if seen is not None and not op.secret_fields:
                        return _replay(seen[0], seen[1])
                    g.idempotent_replay = seen
                kwargs: dict[str, Any] = dict(path)
                try:
                    if body is not None:
                        payload = _json_payload()
                        if payload is None:
                            return error_response(400, "invalid_json", "Verwacht een JSON-object.")
                        kwargs["body"] = body.model_validate(payload)
                    if query is not None:
                        kwargs["query"] = query.model_validate(request.args.to_dict())
                except ValidationError as exc:
                    return validation_error_response(exc)
                result = fn(**kwargs)
                if isinstance(result, Response):
                    return result
                payload = dump(result)
                if idem_key and rt is not None:
                    seen = g.pop("idempotent_replay", None)
                    if seen is not None:  # a repeat of a route with secrets: the stored answer, secrets refilled
                        replayed = _refill_secrets(seen[1], payload, op.secret_fields)
                        if replayed is not None:
                            return _replay(seen[0], replayed)
                        return jsonify(payload), status
                    rt.remember(idem_key, status, hash_secrets(payload, op.secret_fields))
                    rt.jobs.kick()
                return jsonify(payload), status

            self.blueprint.add_url_rule(rule, endpoint=fn.__name__, view_func=view, methods=[op.method])
            return fn

        return decorate

    def register(self, app: Flask) -> None:
        app.register_blueprint(self.blueprint)
        app.extensions.setdefault("overleg_apis", []).append(self)


def replaying() -> bool:
    """Inside a route with ``secret_fields``: whether this request repeats an Idempotency-Key whose
    answer is stored (the route runs again; it should not redo what must happen once)."""
    return g.get("idempotent_replay") is not None


def secret_digest(value: Any) -> str:
    return "sha256:" + hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def hash_secrets(payload: Any, fields: tuple[str, ...]) -> Any:
    """The answer as it may be stored: each secret field replaced by its hash."""
    if not fields or not isinstance(payload, dict):
        return payload
    return {k: (secret_digest(v) if k in fields and v is not None else v) for k, v in payload.items()}


def _refill_secrets(stored: Any, fresh: Any, fields: tuple[str, ...]) -> Any:
    """The stored answer with the fresh secrets put back, or None when they are not the same secrets."""
    if not isinstance(stored, dict) or not isinstance(fresh, dict):
        return None
    for name in fields:
        if stored.get(name) != (secret_digest(fresh.get(name)) if fresh.get(name) is not None else None):
            return None
    return {**stored, **{name: fresh.get(name) for name in fields if name in stored}}


def _replay(status: int, body: Any) -> Response:
    resp = jsonify(body)
    resp.status_code = status
    resp.headers["Idempotent-Replay"] = "true"
    return resp


def _json_payload() -> Any:
    """The request's JSON body, or None when it is not JSON (wrong type, unreadable, too deep)."""
    if not request.is_json:
        return None
    try:
        return parse_json_body(request.get_data(cache=True))
    except ValueError:  # UnicodeDecodeError and JSONDecodeError are ValueErrors too
        return None


def dump(result: Any) -> Any:
    if isinstance(result, BaseModel):
        return result.model_dump(mode="json")
    if isinstance(result, list):
        return [dump(r) for r in result]
    if isinstance(result, dict):
        return {k: dump(v) for k, v in result.items()}
    return result


def check_caller(allowed: frozenset[str], council: str | None = None) -> Response | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        resp = error_response(401, "unauthorized", "Een geldig toegangstoken is nodig.")
        resp.headers["WWW-Authenticate"] = 'Bearer realm="overleg"'
        return resp
    caller = current_app.config["OVERLEG_SETTINGS"].caller_for_token(token.strip())
    if caller is None:
        resp = error_response(401, "unauthorized", "Dit toegangstoken is niet geldig.")
        resp.headers["WWW-Authenticate"] = 'Bearer realm="overleg", error="invalid_token"'
        return resp
    if caller not in allowed:
        return error_response(403, "forbidden", "Dit token mag dit niet.")
    if council is not None and not current_app.config["OVERLEG_SETTINGS"].caller_may_act_for(caller, council):
        # A partner's token is bound to the councils it was issued for (``api_token_councils``).
        return error_response(403, "forbidden", "Dit token hoort niet bij deze raad.")
    g.caller = caller
    return None


def error_response(status: int, code: str, message: str, params: dict[str, Any] | None = None) -> Response:
    resp = jsonify({"error": code, "message": message, "params": params or {}})
    resp.status_code = status
    return resp


# Field names a member may see in a refusal, in their words.
_FIELD_NL = {"title": "titel", "text": "tekst", "matrix_id": "Matrix-id", "actor": "lid", "member": "lid",
             "proposal": "voorstel", "name": "naam", "description": "beschrijving", "location": "plaats"}


def _problem_nl(err: dict[str, Any]) -> str:
    field = ".".join(str(p) for p in err["loc"] if not isinstance(p, int)) or "invoer"
    label = _FIELD_NL.get(field.rsplit(".", 1)[-1], field)
    ctx = err.get("ctx") or {}
    kind = err.get("type", "")
    if kind == "string_too_long":
        return f"{label} is te lang (hoogstens {ctx.get('max_length')} tekens)"
    if kind == "string_too_short":
        return f"{label} is te kort of leeg"
    if kind == "missing":
        return f"{label} ontbreekt"
    if kind == "string_pattern_mismatch":
        return f"{label} heeft niet de goede vorm"
    return f"{label} klopt niet"


def validation_error_response(exc: ValidationError) -> Response:
    errors = exc.errors(include_url=False, include_input=False, include_context=True)
    problems = [{"field": ".".join(str(p) for p in err["loc"]), "problem": err["msg"]} for err in errors]
    # The message says what is wrong in plain Dutch: the bot passes it on to the member as it is.
    message = "De invoer klopt niet: " + "; ".join(dict.fromkeys(_problem_nl(e) for e in errors[:3])) + "."
    return error_response(400, "invalid_input", message, {"problems": problems})


def domain_error_response(exc: DomainError) -> Response:
    resp = jsonify(exc.to_json(request.headers.get("Accept-Language")))
    resp.status_code = exc.status
    return resp


# --- OpenAPI ---------------------------------------------------------------------------------
_PATH_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def openapi_document(app: Flask, title: str, version: str, extra_paths: dict[str, Any] | None = None) -> dict[str, Any]:
    schemas: dict[str, Any] = {"ErrorBody": ErrorBody.model_json_schema()}
    paths: dict[str, Any] = {}

    def ref(model: Any) -> dict[str, Any]:
        origin = typing.get_origin(model)
        if origin is list:
            (inner,) = typing.get_args(model)
            return {"type": "array", "items": ref(inner)}
        if isinstance(model, type) and issubclass(model, BaseModel):
            schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, sub in schema.pop("$defs", {}).items():
                schemas[name] = sub
            schemas[model.__name__] = schema
            return {"$ref": f"#/components/schemas/{model.__name__}"}
        return {}

    for api in app.extensions.get("overleg_apis", []):
        for op in api.operations:
            path = api.url_prefix + _PATH_PARAM.sub(lambda m: "{" + m.group(2) + "}", op.rule)
            params: list[dict[str, Any]] = []
            for conv, name in _PATH_PARAM.findall(op.rule):
                schema: dict[str, Any] = (
                    {"type": "integer", "minimum": 1, "maximum": MAX_ID} if conv == "int"
                    else {"type": "string", "pattern": r"^[A-Za-z0-9_.:@!$+=-]{1,200}$"}
                )
                params.append({"name": name, "in": "path", "required": True, "schema": schema})
            if op.query is not None:
                qschema = op.query.model_json_schema(ref_template="#/components/schemas/{model}")
                schemas.update(qschema.pop("$defs", {}))
                required = set(qschema.get("required", []))
                for name, prop in qschema.get("properties", {}).items():
                    params.append({"name": name, "in": "query", "required": name in required, "schema": prop})
            responses: dict[str, Any] = {}
            if op.content_type == "application/json":
                content = {"application/json": {"schema": ref(op.response)}} if op.response is not None else None
            else:
                content = {op.content_type: {"schema": {"type": "string"}}}
            for success in (op.status, *op.also):
                responses[str(success)] = {"description": "OK", **({"content": content} if content else {})}
            err = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}}}
            codes = set(op.errors) | {400 if (op.body or op.query) else None, 404 if "<" in op.rule else None}
            if op.callers is not None:
                codes |= {401, 403}
            if op.body is not None:
                codes.add(413)
            for code in sorted(c for c in codes if c):
                responses[str(code)] = {"description": _REASON.get(code, "Error"), **err}
            operation: dict[str, Any] = {
                "operationId": f"{api.name}_{op.endpoint}",
                "summary": op.summary,
                "tags": [op.tag],
                "parameters": params,
                "responses": responses,
            }
            if op.callers is not None:
                operation["security"] = [{"bearer": []}]
            if op.body is not None:
                operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": ref(op.body)}}}
            paths.setdefault(path, {})[op.method.lower()] = operation
    for path, item in (extra_paths or {}).items():
        paths.setdefault(path, {}).update(item)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


_REASON = {400: "Invalid input", 401: "No valid token", 403: "Not allowed", 404: "Not found",
           409: "Conflict", 413: "Request too large", 422: "Refused by a rule", 503: "Unavailable"}
