"""What every Flask service has in common, so a reader who knows one knows all three.

``build_service_app`` makes the bare app: settings and database attached, JSON errors for every
4xx and 5xx, a request size limit (413), ``/healthz``, ``/readyz``, ``/metrics`` and
``/openapi.json``. Each service's ``create_app(settings)`` calls it and adds its own API.
"""
from __future__ import annotations

import io
import logging
import os
import time
from typing import Any, Callable

from flask import Flask, Response, g, jsonify, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from shared.api import domain_error_response, error_response, openapi_document
from shared.db import Database
from shared.errors import DomainError
from shared.memory import limit_malloc_arenas, limit_sqlite_memory
from shared.settings import Settings

log = logging.getLogger("overleg.web")

# A body sent without Content-Length (chunked) that turns out too large is read on, and thrown
# away, up to this many bytes, so that the client finishes sending and reads the 413 instead of
# seeing its connection reset. Beyond it the connection is closed after the 413.
DRAIN_BYTES = 8 * 1024 * 1024
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def build_service_app(
    name: str,
    settings: Settings,
    *,
    database: Database | None = None,
    title: str,
    version: str = "1.0.0",
    extra_openapi_paths: Callable[[], dict[str, Any]] | None = None,
) -> Flask:
    # Here, in the gunicorn worker, before its request threads and jobs start (see shared.memory).
    limit_malloc_arenas()
    app = Flask(f"overleg.{name}")
    app.config.update(
        OVERLEG_SERVICE=name,
        OVERLEG_SETTINGS=settings,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        MAX_FORM_MEMORY_SIZE=settings.max_request_bytes,
        SECRET_KEY=settings.secret_key,
        JSON_SORT_KEYS=False,
    )
    if database is None:
        database = Database(settings.database_url_for(name))
        limit_sqlite_memory(database.engine)  # before its first connection (see shared.memory)
    db = database
    app.extensions["overleg_db"] = db
    _install_errors(app)
    _install_metrics(app, name)

    @app.before_request
    def _refuse_oversized() -> Response | None:
        # Refuse on the declared size, before any route reads (or a 405 hides) the body.
        length = request.content_length
        if length is not None and length > settings.max_request_bytes:
            return error_response(413, "too_large", "Het verzoek is te groot.",
                                  {"max_bytes": settings.max_request_bytes})
        if length is None and _unsized_body(request.environ, request.method):
            fits, drained = _buffer_unsized_body(request.environ, settings.max_request_bytes)
            if not fits:
                resp = error_response(413, "too_large", "Het verzoek is te groot.",
                                      {"max_bytes": settings.max_request_bytes})
                if not drained:
                    resp.headers["Connection"] = "close"
                return resp
            request.__dict__.pop("content_length", None)  # cached as None before the body was measured
        return None

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify({"status": "ok", "service": name})

    @app.get("/readyz")
    def readyz() -> Any:
        if db.ping():
            return jsonify({"status": "ready", "service": name})
        return error_response(503, "database_unavailable", "De database is niet bereikbaar.")

    @app.get("/openapi.json")
    def openapi() -> Response:
        doc = openapi_document(app, title, version, extra_openapi_paths() if extra_openapi_paths else None)
        return jsonify(doc)

    return app


def _unsized_body(environ: dict[str, Any], method: str) -> bool:
    """A body whose end only the server knows (chunked): it may be as long as the client likes."""
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        return True
    return bool(environ.get("wsgi.input_terminated")) and method in _BODY_METHODS


def _buffer_unsized_body(environ: dict[str, Any], limit: int) -> tuple[bool, bool]:
    """Read a body without Content-Length up to ``limit`` bytes. When it fits, it is put back as an
    ordinary sized body (so every later reader sees a Content-Length) and ``(True, True)`` is
    returned. When it does not, the rest is read and dropped up to :data:`DRAIN_BYTES`:
    ``(False, drained)`` tells whether the body ended there (the connection can then stay open)."""
    stream = environ["wsgi.input"]
    buf = bytearray()
    while len(buf) <= limit:
        chunk = stream.read(min(64 * 1024, limit + 1 - len(buf)))
        if not chunk:
            environ["wsgi.input"] = io.BytesIO(bytes(buf))
            environ["CONTENT_LENGTH"] = str(len(buf))
            return True, True
        buf += chunk
    seen = len(buf)
    del buf
    while seen < DRAIN_BYTES:
        chunk = stream.read(64 * 1024)
        if not chunk:
            return False, True
        seen += len(chunk)
    return False, False


def get_db(app: Flask) -> Database:
    return app.extensions["overleg_db"]


def _install_errors(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def on_domain_error(exc: DomainError) -> Response:
        log.info("refused: %s", exc.log_message)
        return domain_error_response(exc)

    @app.errorhandler(RequestEntityTooLarge)
    def on_too_large(exc: RequestEntityTooLarge) -> Response:
        return error_response(413, "too_large", "Het verzoek is te groot.",
                              {"max_bytes": app.config["MAX_CONTENT_LENGTH"]})

    @app.errorhandler(HTTPException)
    def on_http_error(exc: HTTPException) -> Response:
        code = (exc.name or "error").lower().replace(" ", "_")
        resp = error_response(exc.code or 500, code, exc.description or exc.name or "Fout")
        if exc.code == 405 and exc.valid_methods:  # type: ignore[attr-defined]
            resp.headers["Allow"] = ", ".join(exc.valid_methods)  # type: ignore[attr-defined]
        return resp

    @app.errorhandler(IntegrityError)
    def on_conflict(exc: IntegrityError) -> Response:
        # Two identical requests raced (e.g. a retried command still in flight): one wins.
        log.info("integrity conflict on %s %s", request.method, request.path)
        return error_response(409, "conflict", "Dit is tegelijk al door een ander verzoek gedaan. Probeer het opnieuw.")

    @app.errorhandler(Exception)
    def on_unexpected(exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "internal_error", "Er ging iets mis aan onze kant. Probeer het later opnieuw.")


def _install_metrics(app: Flask, name: str) -> None:
    # A registry per app: no global state at import time, and tests can build many apps.
    registry = CollectorRegistry()
    requests_total = Counter("overleg_http_requests_total", "HTTP requests",
                             ["service", "endpoint", "method", "status"], registry=registry)
    latency = Histogram("overleg_http_request_seconds", "HTTP request latency",
                        ["service", "endpoint"], registry=registry)
    app.extensions["overleg_metrics_registry"] = registry

    def count(endpoint: str, method: str, status: int, seconds: float) -> None:
        requests_total.labels(name, endpoint, method, str(status)).inc()
        latency.labels(name, endpoint).observe(seconds)

    # For answers given before Flask sees the request (a WSGI shortcut such as the calendar's 304s).
    app.extensions["overleg_count_request"] = count

    @app.before_request
    def _start_timer() -> None:
        g._overleg_started = time.perf_counter()

    @app.after_request
    def _count(resp: Response) -> Response:
        endpoint = request.url_rule.rule if request.url_rule else "unmatched"
        requests_total.labels(name, endpoint, request.method, str(resp.status_code)).inc()
        started = getattr(g, "_overleg_started", None)
        if started is not None:
            latency.labels(name, endpoint).observe(time.perf_counter() - started)
        return resp

    @app.get("/metrics")
    def metrics() -> Response:
        multiproc_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
        if multiproc_dir:  # several gunicorn workers: add up what every worker wrote
            from prometheus_client import multiprocess

            collect = CollectorRegistry()
            multiprocess.MultiProcessCollector(collect)
            return Response(generate_latest(collect), mimetype=CONTENT_TYPE_LATEST)
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
