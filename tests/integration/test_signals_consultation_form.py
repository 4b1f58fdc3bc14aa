"""The consultation page in headless Chromium against the signals service on a real port: a resident answers
(a choice, a text with personal data, the wijk, an e-mail address with consent), sees the thanks page with a
reference, opens the stored (scrubbed) answer and erases it; errors are announced and linked; English; the
keyboard alone; a phone-sized screen; axe finds nothing on any of the pages."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from typing import Iterator

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select
from sqlalchemy import select

from services.signals import store
from services.signals.domain.consultation import new_code
from services.signals.models import ConsultationAnswerRow, ConsultationContactRow
from tests.a11y.axe import assert_no_violations
from test_signals_form import REFERENCE, Server, active_id, chromium, wait

pytestmark = pytest.mark.timeout(180)

TEXT = "De nieuwe regels zijn prima, maar bel mij gerust: Fatima Yilmaz, 06-98765432."


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    srv = Server(tmp_path_factory.mktemp("signals-consultation"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    driver = chromium()
    yield driver
    driver.quit()


def consultation(server: Server, options: tuple[str, ...] = ("goed", "niet goed", "weet niet")) -> str:
    code = new_code(secrets.token_bytes)
    now = datetime.now(timezone.utc)
    with server.db.session() as s:
        store.insert_consultation(s, council="klantenraad", code=code, topic_id=3, topic_title="Nieuwe tuinregels",
                                  question="Wat vindt u van de nieuwe tuinregels?", options=options, opens=now,
                                  closes=now + timedelta(days=7), opened_by=None, action_key=None, thread_key=None)
    return code


def open_page(driver: WebDriver, url: str) -> None:
    driver.delete_all_cookies()
    driver.get(url)
    wait(driver, lambda d: d.find_element(By.ID, "consultation-form"))


def test_a_resident_answers_sees_the_reference_and_erases_the_answer(server: Server, browser: WebDriver):
    code = consultation(server)
    open_page(browser, f"{server.base}/raadpleging/{code}")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "nl"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Bewonersraadpleging"
    assert "Nieuwe tuinregels" in browser.find_element(By.TAG_NAME, "main").text
    assert browser.find_element(By.ID, "question").text == "Wat vindt u van de nieuwe tuinregels?"
    for field in ("field-keuze-1", "field-keuze-2", "field-keuze-3", "field-keuze-0", "field-text", "field-buurt",
                  "field-email", "field-name", "field-consent"):
        assert browser.find_element(By.CSS_SELECTOR, f"label[for='{field}']").text.strip(), field
    assert_no_violations(browser)
    browser.find_element(By.CSS_SELECTOR, "label[for='field-keuze-2']").click()
    browser.find_element(By.ID, "field-text").send_keys(TEXT)
    Select(browser.find_element(By.ID, "field-buurt")).select_by_visible_text("Tarwewijk")
    browser.find_element(By.ID, "field-email").send_keys("bewoner@example.nl")
    browser.find_element(By.ID, "field-consent").click()
    browser.find_element(By.ID, "submit").click()
    wait(browser, lambda d: d.find_elements(By.ID, "reference"))
    reference = browser.find_element(By.ID, "reference").text
    assert REFERENCE.match(reference)
    assert browser.find_element(By.TAG_NAME, "h1").text == "Bedankt voor uw antwoord"
    assert browser.find_element(By.ID, "will-mail").is_displayed()
    assert_no_violations(browser)
    with server.db.read() as s:
        row = s.scalars(select(ConsultationAnswerRow).order_by(ConsultationAnswerRow.id.desc())).first()
        contact = s.scalar(select(ConsultationContactRow).where(ConsultationContactRow.answer_id == row.id))
    assert row.option == 1 and row.wijk == "Tarwewijk"
    assert "06-98765432" not in row.text and "Yilmaz" not in row.text and "[telefoon]" in row.text
    assert contact.email == "bewoner@example.nl"

    browser.find_element(By.ID, "answer-link").click()
    wait(browser, lambda d: d.find_elements(By.ID, "stored-text"))
    assert "[telefoon]" in browser.find_element(By.ID, "stored-text").text
    assert browser.find_element(By.ID, "stored-option").text == "Uw keuze: niet goed"
    assert_no_violations(browser)
    browser.find_element(By.ID, "erase").click()
    wait(browser, lambda d: d.find_elements(By.ID, "erased"))
    assert browser.find_element(By.CSS_SELECTOR, "[role=status]").is_displayed()
    with server.db.read() as s:
        row = s.get(ConsultationAnswerRow, row.id)
        assert row.erased_at is not None and row.text == "" and row.option is None
        assert s.scalar(select(ConsultationContactRow).where(ConsultationContactRow.answer_id == row.id)) is None


def test_errors_are_announced_and_linked_and_nothing_typed_is_lost(server: Server, browser: WebDriver):
    code = consultation(server)
    open_page(browser, f"{server.base}/raadpleging/{code}")
    browser.find_element(By.ID, "field-email").send_keys("bewoner@example.nl")
    browser.find_element(By.ID, "field-text").send_keys("Goed idee.")
    browser.find_element(By.ID, "submit").click()
    summary = wait(browser, lambda d: d.find_element(By.ID, "error-summary"))
    assert summary.get_attribute("role") == "alert" and active_id(browser) == "error-summary"
    assert "toestemming" in summary.text
    consent = browser.find_element(By.ID, "field-consent")
    assert consent.get_attribute("aria-invalid") == "true"
    assert "consent-error" in consent.get_attribute("aria-describedby").split()
    assert browser.find_element(By.ID, "field-text").get_attribute("value") == "Goed idee."
    assert_no_violations(browser)
    browser.find_element(By.CSS_SELECTOR, "#error-summary a[href='#field-consent']").click()
    wait(browser, lambda d: active_id(d) == "field-consent")


def test_english_the_keyboard_alone_and_a_phone_screen(server: Server, browser: WebDriver):
    code = consultation(server, options=("ja", "nee"))
    open_page(browser, f"{server.base}/raadpleging/{code}")
    browser.find_element(By.ID, "other-language").click()
    wait(browser, lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Resident consultation"
    assert browser.find_element(By.ID, "submit").text == "Send answer"
    assert_no_violations(browser)
    # The keyboard alone: Tab reaches the radio group at its checked choice ("no choice"), the arrow picks the first,
    # Tab goes on to the text.
    browser.execute_script("document.activeElement.blur(); window.scrollTo(0, 0);")
    keys = ActionChains(browser)
    order = []
    for _ in range(3):
        keys.send_keys(Keys.TAB).perform()
        order.append(active_id(browser))
    assert order == ["skip-link", "other-language", "field-keuze-0"], order
    keys.send_keys(Keys.ARROW_DOWN).perform()  # from the last choice the arrow wraps round to the first
    assert active_id(browser) == "field-keuze-1" and browser.find_element(By.ID, "field-keuze-1").is_selected()
    keys.send_keys(Keys.TAB).perform()
    assert active_id(browser) == "field-text"
    keys.send_keys("Prima.", Keys.TAB, Keys.TAB, Keys.TAB, Keys.TAB, Keys.TAB).perform()
    assert active_id(browser) == "submit"
    keys.send_keys(Keys.ENTER).perform()
    wait(browser, lambda d: d.find_elements(By.ID, "reference"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Thank you for your answer"

    phone = chromium(size=(360, 740))
    try:
        open_page(phone, f"{server.base}/raadpleging/{code}")
        assert phone.execute_script("return document.documentElement.scrollWidth - window.innerWidth;") <= 0
        assert phone.find_element(By.ID, "submit").size["height"] >= 44
    finally:
        phone.quit()
