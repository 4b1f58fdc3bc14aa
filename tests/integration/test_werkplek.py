"""The werkplek in headless Chromium, against a real deliberation service (the roster, topics, applications) and
the real Synapse (OpenID tokens for the widget): signing in by a one-time link, by an OpenID token and by a
committee link; each role sees its pages and is refused the others; sessions end; forms carry CSRF tokens;
the year overview and its CSV agree with the hours declared through the API the bot uses; axe-core finds no
violations on any page."""
from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from devstack.matrix_client import MatrixTestClient
from devstack.procs import free_port
from tests.support import serve_in_thread
from devstack.synapse import EmbeddedSynapse
from services.deliberation.app import create_app as create_deliberation
from services.deliberation.app import migrate as migrate_deliberation
from services.werkplek import actions
from services.werkplek.app import create_app as create_werkplek
from services.werkplek.app import migrate as migrate_werkplek
from shared.db import Database
from shared.errors import Forbidden
from shared.service import set_clock
from shared.settings import Settings
from tests.a11y.axe import assert_no_violations
from test_signals_form import chromium

pytestmark = pytest.mark.timeout(240)

SLUG = "klantenraad"
TOKENS = {"admin": "t-admin", "bot": "t-bot", "werkplek": "t-werkplek"}


class Servers:
    def __init__(self, tmp_path: Path, synapse: EmbeddedSynapse) -> None:
        self.synapse = synapse
        run = uuid.uuid4().hex[:6]
        self.users = {name: synapse.register_user(f"{name}{run}", "pw-" + run, displayname=name.title())
                      for name in ("secretaris", "anna", "buurman")}
        self.sec, self.anna, self.outsider = (self.users[n].user_id for n in ("secretaris", "anna", "buurman"))
        ports = {"deliberation": free_port(), "werkplek": free_port()}
        self.base = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        self.settings = Settings(
            data_dir=tmp_path, secret_key=uuid.uuid4().hex + uuid.uuid4().hex, api_tokens=TOKENS,
            service_urls={"bot": "http://127.0.0.1:9", "calendar": "http://127.0.0.1:9",
                          "signals": "http://127.0.0.1:9", **self.base},
            matrix={"homeserver_url": synapse.base_url, "user_id": f"@overleg:{synapse.server_name}"},
            councils=[{"slug": SLUG, "name": "Klantenraad Woonstad", "rooms": {"main": "!main:test"},
                       "allowance_per_month": "30"}])
        self.dbs = [Database(f"sqlite:///{tmp_path}/{name}.db") for name in ("deliberation", "werkplek")]
        migrate_deliberation(self.dbs[0])
        migrate_werkplek(self.dbs[1])
        self.apps = [create_deliberation(self.settings, database=self.dbs[0]),
                     create_werkplek(self.settings, database=self.dbs[1])]
        self.werkplek_app = self.apps[1]
        self.servers = []
        for app, port in zip(self.apps, ports.values()):
            self.servers.append(serve_in_thread(app, port)[1])
        admin = {"Authorization": "Bearer t-admin"}
        for who, name, secretary in ((self.sec, "Secretaris", True), (self.anna, "Anna de Vries", False)):
            resp = httpx.post(f"{self.base['deliberation']}/api/v1/councils/{SLUG}/members", headers=admin,
                              json={"matrix_id": who, "display_name": name, "member_type": "huurder",
                                    "customer_group": "Zuid", "secretary": secretary,
                                    "term_start": "2026-01-01"})
            assert resp.status_code == 201, resp.text

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
        for db in self.dbs:
            db.dispose()

    def api(self, method: str, path: str, **kw: Any) -> httpx.Response:
        return httpx.request(method, f"{self.base['werkplek']}/api/v1/councils/{SLUG}{path}",
                             headers={"Authorization": "Bearer t-bot", **kw.pop("headers", {})}, timeout=10, **kw)

    def link_for(self, matrix_id: str) -> str:
        resp = self.api("POST", "/sign-in-links", json={"matrix_id": matrix_id})
        assert resp.status_code == 201, resp.text
        return resp.json()["url"]


@pytest.fixture(scope="module")
def servers(synapse: EmbeddedSynapse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    s = Servers(tmp_path_factory.mktemp("werkplek"), synapse)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    driver = chromium(size=(420, 900))  # a phone-sized screen
    yield driver
    driver.quit()


def wait(driver: WebDriver, condition: Callable[[WebDriver], Any], timeout: float = 10) -> Any:
    return WebDriverWait(driver, timeout).until(condition)


def h1(driver: WebDriver) -> str:
    return driver.find_element(By.TAG_NAME, "h1").text


def fresh(driver: WebDriver, servers: Servers) -> None:
    driver.delete_all_cookies()
    driver.get(f"{servers.base['werkplek']}/werkplek")


# --------------------------------------------------------------------------- signing in


def test_a_member_signs_in_with_the_link_from_the_chat_and_sees_member_pages(servers: Servers, browser: WebDriver):
    fresh(browser, servers)
    assert h1(browser) == "Aanmelden bij de werkplek" and "!werkplek" in browser.find_element(By.ID, "how").text
    assert_no_violations(browser)
    link = servers.link_for(servers.anna)
    assert re.fullmatch(rf"{re.escape(servers.base['werkplek'])}/werkplek/in/[A-Za-z0-9_-]{{32}}", link)
    browser.get(link)
    wait(browser, lambda d: h1(d) == "Overzicht")
    assert "Anna de Vries (lid)" in browser.find_element(By.ID, "who").text
    assert_no_violations(browser)
    sections = [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".sections li a")]
    # No applications for members.
    assert sections == ["Overzicht", "Adviezen", "Besluiten", "Agenda", "Raadplegingen", "Samenstelling", "Inzet in geld en tijd",
                        "Doelen"]
    browser.get(f"{servers.base['werkplek']}/werkplek/aanmeldingen")
    assert "niet voor jouw rol" in browser.find_element(By.ID, "message").text
    browser.get(f"{servers.base['werkplek']}/werkplek/doelen")
    assert not browser.find_elements(By.ID, "add-goal")  # members read, the secretary edits
    assert_no_violations(browser)
    # The same link a second time does not work; nor does a guess.
    browser.delete_all_cookies()
    browser.get(link)
    assert "al gebruikt, verlopen of onbekend" in browser.find_element(By.ID, "message").text
    browser.get(link[:-4] + "AAAA")
    assert "al gebruikt, verlopen of onbekend" in browser.find_element(By.ID, "message").text


def test_only_members_get_a_link_and_signing_out_ends_the_session(servers: Servers, browser: WebDriver):
    refused = servers.api("POST", "/sign-in-links", json={"matrix_id": servers.outsider})
    assert refused.status_code == 403 and refused.json()["error"] == "werkplek.access.refused"
    fresh(browser, servers)
    browser.get(servers.link_for(servers.anna))
    wait(browser, lambda d: h1(d) == "Overzicht")
    browser.find_element(By.ID, "sign-out").click()
    wait(browser, lambda d: d.find_elements(By.ID, "message"))
    assert browser.find_element(By.ID, "message").text == "Je bent afgemeld."
    browser.get(f"{servers.base['werkplek']}/werkplek/inzet")
    assert h1(browser) == "Aanmelden bij de werkplek"


def test_a_session_ends_after_half_an_hour_unused(servers: Servers, browser: WebDriver):
    fresh(browser, servers)
    browser.get(servers.link_for(servers.anna))
    wait(browser, lambda d: h1(d) == "Overzicht")
    later = datetime.now(timezone.utc) + timedelta(minutes=31)
    set_clock(servers.werkplek_app, lambda: later)
    try:
        browser.get(f"{servers.base['werkplek']}/werkplek")
        assert h1(browser) == "Aanmelden bij de werkplek"
        assert "half uur zonder gebruik" in browser.find_element(By.ID, "message").text
    finally:
        set_clock(servers.werkplek_app, None)


def test_the_widget_signs_in_with_a_matrix_openid_token(servers: Servers):
    with MatrixTestClient(servers.synapse.base_url, servers.users["anna"]) as anna:
        token = anna.call("POST", f"/_matrix/client/v3/user/{servers.anna}/openid/request_token", json_body={})
    with httpx.Client(base_url=servers.base["werkplek"], timeout=10) as client:
        page = client.get("/werkplek/widget", params={"raad": SLUG}).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        signed_in = client.post("/werkplek/openid", data={"csrf_token": csrf, "raad": SLUG,
                                                          "access_token": token["access_token"]})
        assert signed_in.status_code == 303
        overview = client.get("/werkplek")
        assert overview.status_code == 200 and "Anna de Vries (lid)" in overview.text
        assert "frame-ancestors *" in overview.headers["Content-Security-Policy"]  # Element embeds it
    with httpx.Client(base_url=servers.base["werkplek"], timeout=10) as client:
        page = client.get("/werkplek/widget").text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        forged = client.post("/werkplek/openid", data={"csrf_token": csrf, "raad": SLUG, "access_token": "nep"})
        assert forged.status_code == 403 and "kon niet worden bevestigd" in forged.text
        no_csrf = httpx.post(f"{servers.base['werkplek']}/werkplek/openid",
                             data={"raad": SLUG, "access_token": token["access_token"]})
        assert no_csrf.status_code == 400


# --------------------------------------------------------------------------- the secretary and the committee


def test_the_secretary_records_costs_and_goals_and_the_year_adds_up(servers: Servers, browser: WebDriver):
    today = date.today()
    for day, hours, text in ((today, "2,5", "stukken gelezen"), (today, "1:30", "bewoners gesproken")):
        resp = servers.api("POST", "/hours", json={"actor": servers.anna, "day": day.isoformat(), "hours": hours,
                                                    "description": text}, headers={"Idempotency-Key": f"$u-{text}"})
        assert resp.status_code == 201 and resp.json()["created"] is True
    again = servers.api("POST", "/hours", json={"actor": servers.anna, "day": today.isoformat(), "hours": "2,5",
                                                 "description": "stukken gelezen"},
                        headers={"Idempotency-Key": "$u-stukken gelezen"})
    # The same chat message twice (the bot retrying) is one declaration: the first answer again, one row.
    assert again.status_code == 201 and again.json()["hours"] == "2.50"
    bad = servers.api("POST", "/hours", json={"actor": servers.anna, "day": today.isoformat(), "hours": "veel",
                                               "description": "x"})
    assert bad.status_code == 422 and "1:30" in bad.json()["message"]

    fresh(browser, servers)
    browser.get(servers.link_for(servers.sec))
    wait(browser, lambda d: h1(d) == "Overzicht")
    browser.get(f"{servers.base['werkplek']}/werkplek/inzet")
    browser.find_element(By.ID, "field-amount").send_keys("€ 1.250,00")
    browser.execute_script("document.getElementById('field-day').value = arguments[0]", today.isoformat())
    browser.find_element(By.ID, "field-description").send_keys("zaalhuur heidag")
    browser.find_element(By.ID, "save-cost").click()
    wait(browser, lambda d: d.find_elements(By.ID, "saved") or d.find_elements(By.ID, "error-summary"))
    assert not browser.find_elements(By.ID, "error-summary"), browser.find_element(By.ID, "error-summary").get_attribute("innerHTML")
    assert browser.find_element(By.ID, "total-costs").text == "€ 1250,00"
    assert browser.find_element(By.ID, "total-hours").text == "4,00"
    assert_no_violations(browser)
    with httpx.Client(timeout=10) as client:
        for cookie in browser.get_cookies():
            client.cookies.set(cookie["name"], cookie["value"])
        exported = client.get(f"{servers.base['werkplek']}/werkplek/inzet.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.text.lstrip("\ufeff")), delimiter=";"))
    anna = next(r for r in rows if r[0] == "Anna de Vries")
    assert anna[3] == "4,00" and anna[4] == "4,00"  # declared hours, and hours in all
    # A term from 1 January and 30 euros a month: this year's months so far.
    assert anna[5] == f"{30 * today.month:.2f}".replace(".", ",")

    browser.get(f"{servers.base['werkplek']}/werkplek/doelen")
    browser.find_element(By.ID, "doel-title").send_keys("Betaalbaar wonen")
    browser.find_element(By.ID, "add-goal").click()
    wait(browser, lambda d: d.find_elements(By.ID, "goal-1"))
    assert "nog geen onderwerpen" in browser.find_element(By.ID, "goal-1").text
    assert_no_violations(browser)
    goals = servers.api("GET", "/goals").json()
    assert [(g["number"], g["title"], g["status"]) for g in goals] == [(1, "Betaalbaar wonen", "geen_onderwerpen")]


def test_a_committee_link_shows_the_applications_and_nothing_else(servers: Servers, browser: WebDriver):
    httpx.post(f"{servers.base['deliberation']}/api/v1/councils/{SLUG}/applications",
               json={"name": "Fatima El Amrani", "member_type": "huurder", "contact": "fatima@example.org",
                     "motivation": "Ik wil meedenken."})
    with servers.werkplek_app.app_context():
        from shared.service import runtime
        ctx = actions.context(servers.settings, SLUG, datetime.now(timezone.utc))
        with pytest.raises(Forbidden):  # only the secretary hands out committee links
            actions.issue_committee_link(runtime(), ctx, servers.anna, "Mw. De Boer", 30)
        issued = actions.issue_committee_link(runtime(), ctx, servers.sec, "Mw. De Boer", 30)
    fresh(browser, servers)
    browser.get(issued.url)
    wait(browser, lambda d: h1(d) == "Aanmeldingen")
    assert "Fatima El Amrani" in browser.page_source and "fatima@example.org" in browser.page_source
    assert_no_violations(browser)
    browser.get(f"{servers.base['werkplek']}/werkplek/inzet")
    assert "niet voor jouw rol" in browser.find_element(By.ID, "message").text
    # Revoked: the session ends at the next page.
    with servers.werkplek_app.app_context():
        from shared.service import runtime
        [(link_id, _)] = [(i, link) for i, link in actions.committee_links(runtime(), ctx) if link.name == "Mw. De Boer"]
        actions.revoke_committee_link(runtime(), ctx, servers.sec, link_id)
    browser.get(f"{servers.base['werkplek']}/werkplek/aanmeldingen")
    assert h1(browser) == "Aanmelden bij de werkplek"


def test_the_pages_work_with_the_keyboard_only(servers: Servers, browser: WebDriver):
    fresh(browser, servers)
    browser.get(servers.link_for(servers.sec))
    wait(browser, lambda d: h1(d) == "Overzicht")
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "skip-link"
    visited = []
    for _ in range(10):
        browser.switch_to.active_element.send_keys(Keys.TAB)
        visited.append(browser.switch_to.active_element.text)
    assert "Inzet in geld en tijd" in visited
    while browser.switch_to.active_element.text != "Inzet in geld en tijd":
        browser.switch_to.active_element.send_keys(Keys.SHIFT + Keys.TAB)
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait(browser, lambda d: h1(d).startswith("Inzet in geld en tijd"))
