"""The secretary opens a consultation of residents from the werkplek, as with ``!raadpleging``: the real signals
service (over HTTP) checks the topic in the real deliberation service and announces it; members read the list."""
from __future__ import annotations

import re
import uuid
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest

import test_signals_api
from services.werkplek.app import create_app as create_werkplek
from services.werkplek.app import migrate as migrate_werkplek
from shared.db import Database
from test_signals_api import ANNA, SEC, SLUG, Served, Service, delib, delib_post, svc  # noqa: F401

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def werkplek_token(monkeypatch: pytest.MonkeyPatch) -> str:
    # Before ``delib`` builds the settings every service here reads: the werkplek is one more caller.
    monkeypatch.setitem(test_signals_api.TOKENS, "werkplek", "t-werkplek")
    return "t-werkplek"


@pytest.fixture
def werkplek(werkplek_token: str, delib: dict[str, Any], svc: Service, tmp_path) -> Iterator[Any]:  # noqa: F811
    served = Served(svc.app, delib["port_signals"])  # the werkplek reaches signals over HTTP
    db = Database(f"sqlite:///{tmp_path}/werkplek.db")
    migrate_werkplek(db)
    app = create_werkplek(delib["settings"], database=db)
    try:
        yield app
    finally:
        served.stop()
        db.dispose()


def signed_in(app: Any, who: str) -> Any:
    client = app.test_client()
    link = client.post(f"/api/v1/councils/{SLUG}/sign-in-links", json={"matrix_id": who},
                       headers={"Authorization": f"Bearer {test_signals_api.TOKENS['bot']}"})
    assert link.status_code == 201, link.json
    assert client.get(urlsplit(link.json["url"]).path).status_code in (200, 302, 303)
    return client


def csrf(page: str) -> str:
    found = re.search(r'name="r-csrf_token"[^>]*value="([^"]+)"', page) or \
        re.search(r'value="([^"]+)"[^>]*name="r-csrf_token"', page)
    assert found, "no CSRF token on the form"
    return found.group(1)


def test_the_secretary_opens_a_consultation_on_the_werkplek(werkplek: Any, delib: dict[str, Any],  # noqa: F811
                                                             svc: Service):  # noqa: F811
    topic = delib_post(delib, "/topics", {"title": "Groen bij de complexen", "actor": SEC}).json["id"]
    sec = signed_in(werkplek, SEC)
    page = sec.get("/werkplek/raadplegingen").get_data(as_text=True)
    assert "Er is nog geen raadpleging." in page and 'id="do-open"' in page
    form = {"r-csrf_token": csrf(page), "r-key": uuid.uuid4().hex, "r-topic": str(topic),
            "r-question": "Wat vindt u van het groen bij uw complex?", "r-options": "goed\nkan beter\n"}

    # Without the form's token nothing happens; an unknown topic is refused in plain words.
    assert sec.post("/werkplek/raadplegingen", data={**form, "r-csrf_token": "x"}).status_code == 400
    unknown = sec.post("/werkplek/raadplegingen", data={**form, "r-topic": "999"})
    assert unknown.status_code == 400 and "999" in unknown.get_data(as_text=True)

    opened = sec.post("/werkplek/raadplegingen", data=form)
    text = opened.get_data(as_text=True)
    assert opened.status_code == 200, text
    url = re.search(r"https?://\S+/raadpleging/([a-z2-7]{24})", text)
    assert url and f"onderwerp #{topic} is geopend" in text
    again = sec.post("/werkplek/raadplegingen", data=form)  # the same form sent twice: one consultation
    assert again.status_code == 200
    listed = svc.admin.get("/consultations").json
    assert [c["code"] for c in listed] == [url.group(1)]
    assert listed[0]["options"] == ["goed", "kan beter"]

    # A member reads the list and gets no form; posting is refused.
    member = signed_in(werkplek, ANNA)
    page = member.get("/werkplek/raadplegingen").get_data(as_text=True)
    assert "Wat vindt u van het groen bij uw complex?" in page and "0 antwoorden" in page
    assert 'id="do-open"' not in page
    assert member.post("/werkplek/raadplegingen", data=form).status_code == 403
