"""The residents' web form in headless Chromium (Debian's chromium and chromedriver, driven by Selenium)
against the signals service on a real port: submitting, validation errors announced and linked to their
fields, Dutch and English (by link and by the browser's language), keyboard only, a phone-sized screen.
Plus the form's protections over plain HTTP: CSRF, the honeypot and double submissions."""
from __future__ import annotations

import re
import shutil
import uuid
from pathlib import Path
from typing import Any, Callable, Iterator

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service as DriverService
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select, WebDriverWait
from sqlalchemy import select

from devstack.procs import free_port
from tests.support import serve_in_thread
from services.signals.app import create_app, migrate
from services.signals.config import Limit, SignalsConfig
from services.signals.models import ContactRow, SignalRow
from shared.db import Database
from shared.settings import Settings
from tests.a11y.axe import assert_no_violations

pytestmark = pytest.mark.timeout(180)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
TEXT = ("De lift in de Tarwehof is al een week kapot. Mijn buurvrouw Fatima Yilmaz (06-98765432) "
        "komt de trap niet meer af.")
REFERENCE = re.compile(r"^[0-9A-Z]{4}(?:-[0-9A-Z]{4}){3}$")


class Server:
    def __init__(self, tmp_path: Path) -> None:
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        settings = Settings(
            data_dir=tmp_path, secret_key=uuid.uuid4().hex, public_base_url=self.base,
            api_tokens={"signals": "t-signals"},
            service_urls={"bot": f"http://127.0.0.1:{free_port()}", "deliberation": "http://127.0.0.1:9",
                          "calendar": "http://127.0.0.1:9", "signals": self.base},
            councils=[{"slug": "klantenraad", "name": "Klantenraad Woonstad", "rooms": {"main": "!main:test"}}])
        self.db = Database(f"sqlite:///{tmp_path}/signals.db")
        migrate(self.db)
        # The limit itself is tested across gunicorn workers in test_signals_ratelimit.py.
        self.app = create_app(settings, database=self.db, config=SignalsConfig(form_limit=Limit(1000, 3600)))
        _, self.http = serve_in_thread(self.app, port)

    def stop(self) -> None:
        self.http.shutdown()
        self.db.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("signals-form"))
    yield srv
    srv.stop()


def chromium(language: str = "nl-NL", size: tuple[int, int] = (1024, 900)) -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                f"--window-size={size[0]},{size[1]}", f"--lang={language}"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": f"{language},{language[:2]}"})
    return webdriver.Chrome(service=DriverService(CHROMEDRIVER), options=options)


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
    wait(driver, lambda d: d.find_element(By.ID, "signal-form"))


def active_id(driver: WebDriver) -> str:
    return driver.execute_script(
        "const e = document.activeElement; return e.id || e.className || e.tagName;")


def labels_are_linked(driver: WebDriver) -> None:
    for field in ("field-text", "field-buurt", "field-name", "field-email", "field-phone", "field-consent"):
        label = driver.find_element(By.CSS_SELECTOR, f"label[for='{field}']")
        assert label.text.strip(), field


def stored(server: Server) -> list[SignalRow]:
    with server.db.read() as s:
        return list(s.scalars(select(SignalRow).order_by(SignalRow.id)))


# --------------------------------------------------------------------------- in the browser
def test_submitting_in_dutch_gives_a_reference_and_a_status_page(server: Server, browser: WebDriver):
    open_form(browser, f"{server.base}/signaal")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "nl"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Meld een signaal"
    labels_are_linked(browser)
    assert_no_violations(browser)
    browser.find_element(By.ID, "field-text").send_keys(TEXT)
    Select(browser.find_element(By.ID, "field-buurt")).select_by_visible_text("Tarwewijk")
    browser.find_element(By.ID, "field-email").send_keys("bewoner@example.nl")
    browser.find_element(By.ID, "field-consent").click()
    browser.find_element(By.ID, "submit").click()
    wait(browser, lambda d: d.find_elements(By.ID, "reference"))
    reference = browser.find_element(By.ID, "reference").text
    assert REFERENCE.match(reference)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Bedankt! We hebben je signaal ontvangen."
    assert browser.find_element(By.CSS_SELECTOR, "[role=status]").is_displayed()
    assert browser.find_element(By.ID, "status").text.startswith("Ontvangen")
    shown = browser.find_element(By.ID, "stored-text").text
    assert "[naam]" in shown and "[telefoon]" in shown and "06-98765432" not in shown and "Yilmaz" not in shown
    assert browser.current_url.endswith(f"/signaal/{reference}?lang=nl&nieuw=1")
    assert_no_violations(browser)
    # Erasing asks first, on a page of its own; cancelling changes nothing.
    browser.find_element(By.ID, "erase").click()
    wait(browser, lambda d: d.find_elements(By.ID, "erase-confirm"))
    assert_no_violations(browser)
    browser.find_element(By.ID, "erase-cancel").click()
    wait(browser, lambda d: d.find_elements(By.ID, "reference"))
    row = stored(server)[-1]
    assert row.wijk == "Tarwewijk" and row.wijk_source == "given" and row.channel == "form"
    assert row.erased_at is None
    with server.db.read() as s:
        contact = s.scalar(select(ContactRow).where(ContactRow.signal_id == row.id))
    assert contact.email == "bewoner@example.nl" and contact.consent is True


def test_validation_errors_are_announced_and_linked_to_their_fields(server: Server, browser: WebDriver):
    open_form(browser, f"{server.base}/signaal")
    count = len(stored(server))
    browser.find_element(By.ID, "field-text").send_keys("   ")
    browser.find_element(By.ID, "field-email").send_keys("geen-adres")
    browser.find_element(By.ID, "submit").click()
    summary = wait(browser, lambda d: d.find_element(By.ID, "error-summary"))
    assert summary.get_attribute("role") == "alert" and summary.get_attribute("aria-live") == "assertive"
    assert active_id(browser) == "error-summary"  # focus moves to the summary: screen readers read it out
    assert "3 fouten" in summary.text
    text_field = browser.find_element(By.ID, "field-text")
    assert text_field.get_attribute("aria-invalid") == "true"
    assert "text-error" in text_field.get_attribute("aria-describedby").split()
    assert browser.find_element(By.ID, "text-error").text.endswith("Het signaal is leeg. Schrijf in een paar woorden "
                                                                   "wat er aan de hand is.")
    email = browser.find_element(By.ID, "field-email")
    assert email.get_attribute("value") == "geen-adres"  # nothing typed is lost
    assert "email-error" in email.get_attribute("aria-describedby").split()
    consent = browser.find_element(By.ID, "field-consent")
    assert "consent-error" in consent.get_attribute("aria-describedby").split()
    # Each error in the summary is a link to its field.
    browser.find_element(By.CSS_SELECTOR, "#error-summary a[href='#field-email']").click()
    wait(browser, lambda d: active_id(d) == "field-email")
    assert len(stored(server)) == count


def test_english_by_link_and_by_the_browsers_language(server: Server, browser: WebDriver):
    open_form(browser, f"{server.base}/signaal")
    browser.find_element(By.ID, "other-language").click()
    wait(browser, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Report a signal"
    browser.find_element(By.ID, "submit").click()
    summary = wait(browser, lambda d: d.find_element(By.ID, "error-summary"))
    assert "There is 1 error" in summary.text and "The signal is empty" in summary.text
    labels_are_linked(browser)

    english = chromium("en-GB")
    try:
        open_form(english, f"{server.base}/signaal")
        assert english.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
        assert english.find_element(By.ID, "submit").text == "Send signal"
        english.find_element(By.ID, "field-text").send_keys("The lift in the Tarwehof has been broken for a week.")
        english.find_element(By.ID, "submit").click()
        wait(english, lambda d: d.find_elements(By.ID, "reference"))
        assert english.find_element(By.TAG_NAME, "h1").text == "Thank you! We received your signal."
        assert english.find_element(By.ID, "status").text.startswith("Received")
    finally:
        english.quit()


def test_the_form_works_with_the_keyboard_only(server: Server, browser: WebDriver):
    open_form(browser, f"{server.base}/signaal")
    browser.execute_script("document.activeElement.blur(); window.scrollTo(0, 0);")
    keys = ActionChains(browser)
    order = []
    for _ in range(9):
        keys.send_keys(Keys.TAB).perform()
        order.append(active_id(browser))
    assert order == ["skip-link", "other-language", "field-text", "field-buurt", "field-name", "field-email",
                     "field-phone", "field-consent", "submit"], order
    assert "field-website" not in order  # the honeypot is out of the tab order
    # Back to the text (Shift+Tab), type, choose a buurt by typing, tick consent with Space, send with Enter.
    for _ in range(6):
        keys.key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    assert active_id(browser) == "field-text"
    keys.send_keys("Schimmel in de badkamer van de Tarwehof, al maanden.").perform()
    keys.send_keys(Keys.TAB).perform()
    keys.send_keys("Tarwewijk").perform()
    assert Select(browser.find_element(By.ID, "field-buurt")).first_selected_option.text == "Tarwewijk"
    keys.send_keys(Keys.TAB, Keys.TAB).perform()
    keys.send_keys("bewoner@example.nl", Keys.TAB, Keys.TAB, Keys.SPACE).perform()
    assert browser.find_element(By.ID, "field-consent").is_selected()
    keys.send_keys(Keys.TAB).perform()
    assert active_id(browser) == "submit"
    keys.send_keys(Keys.ENTER).perform()
    wait(browser, lambda d: d.find_elements(By.ID, "reference"))
    row = stored(server)[-1]
    assert row.wijk == "Tarwewijk" and row.text.startswith("Schimmel in de badkamer")


def test_the_form_fits_a_phone_screen(server: Server):
    phone = chromium(size=(360, 740))
    try:
        open_form(phone, f"{server.base}/signaal")
        overflow = phone.execute_script("return document.documentElement.scrollWidth - window.innerWidth;")
        assert overflow <= 0
        button = phone.find_element(By.ID, "submit")
        assert button.size["height"] >= 44  # a comfortable touch target
        assert phone.find_element(By.CSS_SELECTOR, "meta[name=viewport]")
    finally:
        phone.quit()


# --------------------------------------------------------------------------- over plain HTTP
def form_token(client: httpx.Client, path: str = "/signaal") -> tuple[str, str]:
    page = client.get(path).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    nonce = re.search(r'name="nonce" value="([^"]+)"', page).group(1)
    return token, nonce


def test_csrf_honeypot_and_double_submission(server: Server):
    with httpx.Client(base_url=server.base, timeout=10) as client:
        count = len(stored(server))
        no_token = client.post("/signaal", data={"text": "Lekkage in de portiek."})
        assert no_token.status_code == 400 and "Het formulier is verlopen" in no_token.text
        assert 'role="alert"' in no_token.text and "Lekkage in de portiek." in no_token.text
        token, nonce = form_token(client)
        trap = client.post("/signaal", data={"csrf_token": token, "nonce": nonce, "text": "Koop nu!",
                                             "website": "http://spam.example"})
        assert trap.status_code == 400 and "website" in trap.text
        assert len(stored(server)) == count
        token, nonce = form_token(client)
        data = {"csrf_token": token, "nonce": nonce, "text": "Lekkage in de portiek van de Tarwehof."}
        first = client.post("/signaal", data=data)
        second = client.post("/signaal", data=data)  # a double click
        assert first.status_code == second.status_code == 303
        assert first.headers["Location"] == second.headers["Location"]
        assert len(stored(server)) == count + 1
        page = client.get(first.headers["Location"])
        assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
        assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"


def test_a_5000_character_text_fits_and_a_longer_one_is_refused(server: Server):
    with httpx.Client(base_url=server.base, timeout=10) as client:
        token, nonce = form_token(client)
        ok = client.post("/signaal", data={"csrf_token": token, "nonce": nonce,
                                           "text": "Lekkage. " + "é" * 4991})
        assert ok.status_code == 303
        token, nonce = form_token(client)
        long = client.post("/signaal", data={"csrf_token": token, "nonce": nonce, "text": "x" * 5001})
        assert long.status_code == 400 and "maximaal 5000 tekens" in long.text
        assert 'id="text-error"' in long.text
