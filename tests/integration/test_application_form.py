"""Applying for a seat on the public page, in headless Chromium against the deliberation service on a real
port: the form, errors announced and linked to their fields, keyboard only, English, the applicant's own
page and withdrawing; axe-core finds no violations on any of the pages. Over plain HTTP: CSRF, the honeypot,
a double submission and the retention job."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait
from sqlalchemy import select

from devstack.procs import free_port
from tests.support import serve_in_thread
from services.deliberation import jobs
from services.deliberation.app import create_app, migrate
from services.deliberation.models import ApplicationRow
from shared.db import Database
from shared.service import runtime
from shared.settings import Settings
from tests.a11y.axe import assert_no_violations
from test_signals_form import chromium

pytestmark = pytest.mark.timeout(180)

ADMIN = {"Authorization": "Bearer t-admin"}
SLUG = "klantenraad"


class Server:
    def __init__(self, tmp_path: Path) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.settings = Settings(
            data_dir=tmp_path, secret_key=uuid.uuid4().hex, public_base_url=self.base,
            api_tokens={"admin": "t-admin", "bot": "t-bot"},
            service_urls={"bot": "http://127.0.0.1:9", "deliberation": self.base,
                          "calendar": "http://127.0.0.1:9", "signals": "http://127.0.0.1:9"},
            councils=[{"slug": SLUG, "name": "Klantenraad Woonstad", "rooms": {"main": "!main:test"}}])
        self.db = Database(f"sqlite:///{tmp_path}/deliberation.db")
        migrate(self.db)
        self.app = create_app(self.settings, database=self.db)
        _, self.http = serve_in_thread(self.app, port)

    def stop(self) -> None:
        self.http.shutdown()
        self.db.dispose()

    def rows(self) -> list[ApplicationRow]:
        with self.db.read() as s:
            return list(s.scalars(select(ApplicationRow).order_by(ApplicationRow.id)))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("application-form"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    driver = chromium()
    yield driver
    driver.quit()


def wait(driver: WebDriver, condition: Callable[[WebDriver], Any], timeout: float = 10) -> Any:
    return WebDriverWait(driver, timeout).until(condition)


def open_form(driver: WebDriver, url: str) -> None:
    driver.delete_all_cookies()
    driver.get(url)
    wait(driver, lambda d: d.find_element(By.ID, "application-form"))


def fill(driver: WebDriver, name: str = "Fatima El Amrani", contact: str = "fatima@example.org") -> None:
    driver.find_element(By.ID, "field-name").send_keys(name)
    driver.find_element(By.ID, "field-member_type-huurder").click()
    driver.find_element(By.ID, "field-contact").send_keys(contact)
    driver.find_element(By.ID, "field-motivation").send_keys("Ik woon al twintig jaar in Charlois en wil meedenken.")
    driver.find_element(By.ID, "field-consent").click()


def form_token(client: httpx.Client, path: str = "/aanmelden") -> tuple[str, str]:
    page = client.get(path).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    nonce = re.search(r'name="nonce" value="([^"]+)"', page)
    assert token and nonce
    return token.group(1), nonce.group(1)


# --------------------------------------------------------------------------- in the browser


def test_applying_gives_an_own_page_that_the_secretary_s_list_matches(server: Server, browser: WebDriver):
    open_form(browser, f"{server.base}/aanmelden")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Aanmelden voor de raad"
    assert "180 dagen" in browser.find_element(By.CLASS_NAME, "privacy").text
    assert_no_violations(browser)
    fill(browser)
    browser.find_element(By.ID, "submit").click()
    wait(browser, lambda d: d.find_elements(By.ID, "thanks"))
    assert browser.find_element(By.ID, "status").text.startswith("Ontvangen")
    assert re.search(r"/aanmelden/[A-Za-z0-9_-]{22}\?lang=nl&nieuw=1$", browser.current_url)
    assert_no_violations(browser)
    row = server.rows()[-1]
    assert (row.name, row.contact, row.member_type) == ("Fatima El Amrani", "fatima@example.org", "huurder")
    reference = browser.current_url.split("/aanmelden/")[1].split("?")[0]
    assert reference not in (row.reference_hash or "") and len(row.reference_hash or "") == 64  # only a hash
    listed = httpx.get(f"{server.base}/api/v1/councils/{SLUG}/applications", headers=ADMIN).json()
    assert [a["name"] for a in listed][-1] == "Fatima El Amrani"


def test_errors_are_announced_at_the_top_and_at_each_field(server: Server, browser: WebDriver):
    open_form(browser, f"{server.base}/aanmelden")
    count = len(server.rows())
    browser.find_element(By.ID, "field-matrix_id").send_keys("fatima op matrix")
    browser.find_element(By.ID, "submit").click()
    summary = wait(browser, lambda d: d.find_element(By.ID, "error-summary"))
    assert summary.get_attribute("role") == "alert"
    assert wait(browser, lambda d: d.switch_to.active_element.get_attribute("id") == "error-summary")
    links = [a.get_attribute("href").split("#")[1] for a in summary.find_elements(By.TAG_NAME, "a")]
    assert links == ["field-name", "field-member_type", "field-contact", "field-matrix_id", "field-consent"]
    matrix = browser.find_element(By.ID, "field-matrix_id")
    assert matrix.get_attribute("aria-invalid") == "true"
    described = matrix.get_attribute("aria-describedby").split()
    assert "matrix_id-error" in described
    assert "@naam:voorbeeld.nl" in browser.find_element(By.ID, "matrix_id-error").text
    assert matrix.get_attribute("value") == "fatima op matrix"  # nothing typed is lost
    assert_no_violations(browser)
    assert len(server.rows()) == count


def test_english_and_the_keyboard_only(server: Server, browser: WebDriver):
    open_form(browser, f"{server.base}/aanmelden?lang=en")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Apply to join the council"
    assert_no_violations(browser)
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "skip-link"
    browser.switch_to.active_element.send_keys(Keys.TAB)  # the language link
    browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "field-name"
    browser.switch_to.active_element.send_keys("Kees de Vries" + Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id").startswith("field-member_type")
    browser.switch_to.active_element.send_keys(Keys.SPACE)
    for _ in range(6):  # through the radio group, contact, matrix id, motivation to consent
        if browser.switch_to.active_element.get_attribute("id") == "field-contact":
            break
        browser.switch_to.active_element.send_keys(Keys.TAB)
    browser.switch_to.active_element.send_keys("06-12345678" + Keys.TAB + Keys.TAB + Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "field-consent"
    browser.switch_to.active_element.send_keys(Keys.SPACE + Keys.TAB)
    assert browser.switch_to.active_element.get_attribute("id") == "submit"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait(browser, lambda d: d.find_elements(By.ID, "thanks"))
    assert browser.find_element(By.ID, "thanks").text == "Thank you! We have received your application."
    assert server.rows()[-1].name == "Kees de Vries"


def test_withdrawing_erases_the_details_and_the_page(server: Server, browser: WebDriver):
    open_form(browser, f"{server.base}/aanmelden")
    fill(browser, name="Jan Terugtrekker", contact="jan@example.org")
    browser.find_element(By.ID, "submit").click()
    wait(browser, lambda d: d.find_elements(By.ID, "withdraw"))
    own_page = browser.current_url
    browser.find_element(By.ID, "withdraw").click()
    wait(browser, lambda d: d.find_elements(By.ID, "message"))
    assert "ingetrokken" in browser.find_element(By.ID, "message").text
    assert_no_violations(browser)
    row = server.rows()[-1]
    assert (row.name, row.contact, row.motivation, row.reference_hash) == ("—", None, None, None)
    assert row.erased_at is not None
    browser.get(own_page)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Niet gevonden"


# --------------------------------------------------------------------------- over plain HTTP


def test_csrf_honeypot_and_a_double_click(server: Server):
    with httpx.Client(base_url=server.base, timeout=10) as client:
        count = len(server.rows())
        no_token = client.post("/aanmelden", data={"name": "Iemand", "member_type": "huurder"})
        assert no_token.status_code == 400 and "verlopen" in no_token.text and 'value="Iemand"' in no_token.text
        token, nonce = form_token(client)
        trap = client.post("/aanmelden", data={"csrf_token": token, "nonce": nonce, "name": "Bot",
                                               "member_type": "huurder", "contact": "x@y.z", "consent": "y",
                                               "website": "http://spam.example"})
        assert trap.status_code == 400
        token, nonce = form_token(client)
        data = {"csrf_token": token, "nonce": nonce, "name": "Dubbel Klik", "member_type": "koper",
                "contact": "dubbel@example.org", "consent": "y"}
        first = client.post("/aanmelden", data=data)
        second = client.post("/aanmelden", data=data)  # the same form again
        assert first.status_code == 303 and second.status_code == 200
        assert "al ontvangen" in second.text and "/aanmelden/" not in second.headers.get("Location", "")
        assert len(server.rows()) == count + 1
        page = client.get(first.headers["Location"])
        assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
        assert client.get("/aanmelden/niet-bestaand").status_code == 404


def test_an_application_not_appointed_is_forgotten_after_the_retention_period(server: Server):
    with httpx.Client(base_url=server.base, timeout=10) as client:
        token, nonce = form_token(client)
        client.post("/aanmelden", data={"csrf_token": token, "nonce": nonce, "name": "Niet Gekozen",
                                        "member_type": "huurder", "contact": "nee@example.org", "consent": "y"})
    row = server.rows()[-1]
    for status in ("gesprek", "niet_benoemd"):
        assert httpx.post(f"{server.base}/api/v1/councils/{SLUG}/applications/{row.id}/status",
                          json={"status": status}, headers=ADMIN).status_code == 200
    with server.app.app_context():
        rt = runtime()
    decided = datetime.now(timezone.utc)
    assert jobs.forget_applications(rt, server.settings, decided + timedelta(days=10)) == 0
    assert server.rows()[-1].contact == "nee@example.org"
    later = decided + timedelta(days=jobs.APPLICATION_RETENTION_DAYS + 1)
    assert jobs.forget_applications(rt, server.settings, later) >= 1
    assert (server.rows()[-1].name, server.rows()[-1].contact) == ("—", None)
