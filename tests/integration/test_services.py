"""What every service shares: health, readiness, metrics, OpenAPI, auth, JSON errors, size limit."""
from __future__ import annotations

import importlib

import pytest

from shared.db import Database
from shared.settings import load_settings

SERVICES = ["deliberation", "calendar", "signals"]


@pytest.fixture(params=SERVICES)
def service(request, tmp_path, database_url):
    settings = load_settings(
        data_dir=tmp_path, max_request_bytes=4096,
        api_tokens={"bot": "tok-bot", "partner": "tok-partner", "admin": "tok-admin",
                    "deliberation": "tok-d", "calendar": "tok-c", "signals": "tok-s"},
        councils=[{"slug": "klantenraad", "name": "Klantenraad", "rooms": {"main": "!m:x"}}],
    )
    module = importlib.import_module(f"services.{request.param}.app")
    db = Database(database_url)
    module.migrate(db)
    app = module.create_app(settings, database=db)
    yield request.param, app.test_client()
    db.dispose()


@pytest.mark.postgres
def test_health_and_readiness(service):
    name, client = service
    assert client.get("/healthz").json == {"status": "ok", "service": name}
    assert client.get("/readyz").json["status"] == "ready"


def test_readiness_fails_when_the_database_is_gone(tmp_path):
    module = importlib.import_module("services.signals.app")
    settings = load_settings(data_dir=tmp_path)
    app = module.create_app(settings, database=Database("postgresql://nobody@127.0.0.1:1/none"))
    resp = app.test_client().get("/readyz")
    assert resp.status_code == 503 and resp.json["error"] == "database_unavailable"
    assert app.test_client().get("/healthz").status_code == 200


def test_metrics_count_requests(service):
    name, client = service
    client.get("/healthz")
    text = client.get("/metrics").get_data(as_text=True)
    assert "overleg_http_requests_total" in text and f'service="{name}"' in text


def test_openapi_describes_the_api(service):
    name, client = service
    doc = client.get("/openapi.json").json
    assert doc["openapi"].startswith("3.1")
    assert "/api/v1/councils" in doc["paths"]
    op = doc["paths"]["/api/v1/councils"]["get"]
    assert op["security"] == [{"bearer": []}] and "401" in op["responses"]


def test_bearer_tokens(service):
    _, client = service
    assert client.get("/api/v1/councils").status_code == 401
    resp = client.get("/api/v1/councils", headers={"Authorization": "Bearer wrong"})
    assert resp.status_code == 401 and resp.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/v1/councils", headers={"Authorization": "Bearer tok-partner"}).status_code == 403
    ok = client.get("/api/v1/councils", headers={"Authorization": "Bearer tok-bot"})
    assert ok.status_code == 200 and ok.json[0]["slug"] == "klantenraad"


def test_every_error_is_json(service):
    _, client = service
    for resp in (client.get("/nope"), client.delete("/healthz"), client.get("/api/v1/councils/%00")):
        assert resp.is_json and {"error", "message"} <= set(resp.json)
        assert 400 <= resp.status_code < 500


def test_oversized_requests_get_413(service):
    _, client = service
    resp = client.post("/api/v1/councils", data=b"x" * 10_000, headers={"Authorization": "Bearer tok-bot"})
    assert resp.status_code == 413 and resp.json["error"] == "too_large"
