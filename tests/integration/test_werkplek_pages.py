"""The werkplek's working pages in headless Chromium (phone-sized), against a real deliberation service over
HTTP: advice trajectories (every step of the chat flow, taken by the secretary on the page), the decision list
(search, bedenkingen, objections and how they ended, export). Each page for each role (secretary edits,
member reads, the selection committee and nobody are refused), CSRF on every form, axe-core on every page.

Deliberation admits the werkplek's token on its read routes; the step routes and the register are still
declared for the chat callers only. Until deliberation lists "werkplek" there too (see the werkplek notes),
this test's deliberation knows the werkplek's token under the chat caller's name: the werkplek itself calls
with its own token, as in production.
"""
from __future__ import annotations

import io
import re
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator
from zoneinfo import ZoneInfo

import httpx
import pytest
from pypdf import PdfReader
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select

from devstack.procs import free_port
from tests.support import serve_in_thread
from services.calendar.app import create_app as create_calendar
from services.calendar.app import migrate as migrate_calendar
from services.deliberation.app import create_app as create_deliberation
from services.deliberation.app import migrate as migrate_deliberation
from services.werkplek import actions
from services.werkplek.app import create_app as create_werkplek
from services.werkplek.app import migrate as migrate_werkplek
from shared.db import Database
from shared.service import set_clock
from shared.settings import Settings
from tests.a11y.axe import assert_no_violations
from test_signals_form import chromium
from test_werkplek import h1, wait

pytestmark = pytest.mark.timeout(300)

SLUG = "huurdersraad"
TOKENS = {"admin": "t-admin", "bot": "t-bot", "werkplek": "t-werkplek", "calendar": "t-calendar"}
SEC, ANNA, BRAM, CEES = "@secretaris:test.local", "@anna:test.local", "@bram:test.local", "@cees:test.local"
PEOPLE = ((SEC, "Sanne Secretaris", True), (ANNA, "Anna de Vries", False), (BRAM, "Bram Bakker", False),
          (CEES, "Cees Jansen", False))
# Each member's seat: (age band, wijk); the secretary has none. Against REFERENCE: nobody from West or under 30.
SEATS = {ANNA: ("30-65", "Noord"), BRAM: ("65+", "Zuid"), CEES: ("65+", "Noord")}
# A seat's customer group is its label in deliberation (age band · wijk · background).
REFERENCE = {"customer_group": {"30-65 · Noord": 40, "65+ · Zuid": 30, "65+ · Noord": 30},
             "wijk": {"Noord": 50, "Zuid": 30, "West": 20},
             "age_band": {"18-30": 30, "30-65": 40, "65+": 30}}


class Stack:
    def __init__(self, tmp_path: Path) -> None:
        ports = {"deliberation": free_port(), "werkplek": free_port(), "calendar": free_port()}
        self.base = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        self.settings = Settings(
            data_dir=tmp_path, secret_key=uuid.uuid4().hex + uuid.uuid4().hex, api_tokens=TOKENS,
            service_urls={"bot": "http://127.0.0.1:9", "signals": "http://127.0.0.1:9", **self.base},
            matrix={"homeserver_url": "http://127.0.0.1:9", "user_id": "@overleg:test.local"},
            councils=[{"slug": SLUG, "name": "Huurdersraad Zuid", "rooms": {"main": "!main:test.local"},
                       "reference_shares": REFERENCE}])
        self.dbs = [Database(f"sqlite:///{tmp_path}/{name}.db") for name in ("deliberation", "werkplek", "calendar")]
        migrate_deliberation(self.dbs[0])
        migrate_werkplek(self.dbs[1])
        migrate_calendar(self.dbs[2])
        self.werkplek_app = create_werkplek(self.settings, database=self.dbs[1])
        self.calendar_app = create_calendar(self.settings, database=self.dbs[2])
        apps = [create_deliberation(self.settings, database=self.dbs[0]), self.werkplek_app, self.calendar_app]
        self.servers = []
        for app, port in zip(apps, ports.values()):
            self.servers.append(serve_in_thread(app, port)[1])
        seat_of = {who: self.delib("POST", "/seats", {"age_band": age, "area": wijk}, status=201)["id"]
                   for who, (age, wijk) in SEATS.items()}
        self.delib("POST", "/seats", {"age_band": "18-30", "area": "West"}, status=201)  # vacant
        for who, name, secretary in PEOPLE:
            self.delib("POST", "/members", {"matrix_id": who, "display_name": name, "member_type": "huurder",
                                            "customer_group": "Zuid", "secretary": secretary,
                                            "seat_id": seat_of.get(who), "term_start": "2026-01-01"}, status=201)

    def stop(self) -> None:
        for server in self.servers:
            server.shutdown()
        for db in self.dbs:
            db.dispose()

    def delib(self, method: str, path: str, body: Any = None, *, status: int | None = 200) -> Any:
        """Deliberation as the chat would use it (the admin token may do what the bot does)."""
        resp = httpx.request(method, f"{self.base['deliberation']}/api/v1/councils/{SLUG}{path}", json=body,
                             headers={"Authorization": "Bearer t-admin",
                                      "Idempotency-Key": f"${uuid.uuid4().hex}"}, timeout=10)
        if status is not None:
            assert resp.status_code == status, resp.text
        return resp.json() if resp.content else None

    def agree(self, round_id: int, positions: dict[str, tuple[str, str | None]] | None = None) -> None:
        for who, _, secretary in PEOPLE:
            if secretary:
                continue  # a secretary without a seat leads the round and gives no position
            position, text = (positions or {}).get(who, ("eens", None))
            self.delib("POST", f"/rounds/{round_id}/positions", {"actor": who, "position": position,
                                                                 **({"text": text} if text else {})})
        while self.delib("GET", f"/rounds/{round_id}")["phase"] != "besluitvorming":
            self.delib("POST", f"/rounds/{round_id}/phase", {"actor": SEC})
        self.delib("POST", f"/rounds/{round_id}/decide", {"actor": SEC})

    def calendar(self, method: str, path: str, body: Any = None, *, status: int = 200, token: str = "t-admin") -> Any:
        resp = httpx.request(method, f"{self.base['calendar']}/api/v1/councils/{SLUG}{path}", json=body,
                             headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert resp.status_code == status, resp.text
        return resp.json()

    def link_for(self, matrix_id: str) -> str:
        resp = httpx.post(f"{self.base['werkplek']}/api/v1/councils/{SLUG}/sign-in-links",
                          json={"matrix_id": matrix_id}, headers={"Authorization": "Bearer t-bot"}, timeout=10)
        assert resp.status_code == 201, resp.text
        return resp.json()["url"]

    def committee_link(self) -> str:
        with self.werkplek_app.app_context():
            from shared.service import runtime
            ctx = actions.context(self.settings, SLUG, datetime.now(timezone.utc))
            return actions.issue_committee_link(runtime(), ctx, SEC, "Dhr. Visser", 30).url

    def url(self, path: str) -> str:
        return f"{self.base['werkplek']}{path}"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    s = Stack(tmp_path_factory.mktemp("werkplek-pages"))
    yield s
    s.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    driver = chromium(size=(400, 860))  # a phone
    yield driver
    driver.quit()


def sign_in(browser: WebDriver, stack: Stack, who: str | None) -> None:
    browser.delete_all_cookies()
    browser.get(stack.url("/werkplek"))
    if who == "committee":
        browser.get(stack.committee_link())
        wait(browser, lambda d: h1(d) == "Aanmeldingen")
    elif who is not None:
        browser.get(stack.link_for(who))
        wait(browser, lambda d: h1(d) == "Overzicht")


def session_client(browser: WebDriver) -> httpx.Client:
    """An HTTP client holding the browser's session (for downloads and forged posts)."""
    client = httpx.Client(timeout=10)
    for cookie in browser.get_cookies():
        client.cookies.set(cookie["name"], cookie["value"])
    return client


def fill_date(browser: WebDriver, field_id: str, day: date) -> None:
    # Chromium's date widget takes keys in the locale's order; setting the value is what a picker does.
    browser.execute_script("document.getElementById(arguments[0]).value = arguments[1]", field_id, day.isoformat())


def page_left(old: Any) -> Callable[[WebDriver], bool]:
    """The page of ``old`` is gone. Chromium may answer "node does not belong to the document" instead of
    "stale" while the next page replaces it: both mean the same here."""
    def gone(driver: WebDriver) -> bool:
        try:
            return staleness_of(old)(driver)
        except WebDriverException:
            return True
    return gone


def submit(browser: WebDriver, button_id: str) -> None:
    """Send a form and wait for the next page (not the message still on this one)."""
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.ID, button_id).click()
    wait(browser, page_left(old))
    wait(browser, lambda d: d.find_elements(By.ID, "saved") or d.find_elements(By.ID, "error-summary"))


def errors(browser: WebDriver) -> str:
    found = browser.find_elements(By.ID, "error-summary")
    return found[0].text if found else ""


# --------------------------------------------------------------------------- advice trajectories


def test_the_secretary_takes_every_step_of_an_advice_trajectory_on_the_page(stack: Stack, browser: WebDriver):
    today = date.today()
    topic = stack.delib("POST", "/topics", {"title": "Servicekosten", "actor": ANNA}, status=201)["id"]
    received = today - timedelta(days=50)  # six weeks have passed: the advice is late
    advice = stack.delib("POST", "/advice", {"topic_id": topic, "title": "Servicekosten 2027", "actor": SEC,
                                             "received": received.isoformat()}, status=201)
    nr = advice["id"]

    sign_in(browser, stack, SEC)
    browser.find_element(By.LINK_TEXT, "Adviezen").click()
    wait(browser, lambda d: h1(d) == "Adviezen")
    row = browser.find_element(By.ID, f"advice-{nr}")
    assert "Servicekosten 2027" in row.text and "#1 Servicekosten" in row.text
    assert_no_violations(browser)
    row.find_element(By.TAG_NAME, "a").click()
    wait(browser, lambda d: h1(d) == f"Advies {nr}: Servicekosten 2027")
    deadline = browser.find_element(By.ID, "step-termijn").text
    assert "wettelijke datum" in deadline and "te laat" in deadline and "nog niet" in deadline
    assert [f.get_attribute("id") for f in browser.find_elements(By.CSS_SELECTOR, "main form")] == ["form-concept"]
    assert_no_violations(browser)

    # A draft without text is refused on the page, with the reason; then the round opens.
    submit(browser, "do-concept")
    assert "Schrijf de tekst van het concept-advies" in errors(browser)
    assert_no_violations(browser)
    browser.find_element(By.ID, "concept-text").send_keys("Wij adviseren de servicekosten per complex te tonen.")
    submit(browser, "do-concept")
    assert not errors(browser), errors(browser)
    assert "ronde over het concept is geopend" in browser.find_element(By.ID, "saved").text
    assert "concept" in browser.find_element(By.ID, "stage").text.lower()
    assert not browser.find_elements(By.CSS_SELECTOR, "main form")  # the round runs in the chat
    round_id = stack.delib("GET", f"/advice/{nr}")["round_id"]
    assert round_id is not None

    stack.agree(round_id)
    browser.refresh()
    wait(browser, lambda d: d.find_elements(By.ID, "form-verstuurd"))
    assert "versie 1" in browser.find_element(By.ID, "step-akkoord").text
    submit(browser, "do-verstuurd")  # empty day: today
    assert not errors(browser), errors(browser)
    sent = stack.delib("GET", f"/advice/{nr}")
    assert sent["sent_on"] == today.isoformat() and sent["stage"] == "verstuurd"
    reply_due = browser.find_element(By.ID, "step-reactie_termijn").text
    assert "wettelijke datum" in reply_due and "nog niet" in reply_due

    # A deviating reply without reasons: deliberation refuses, and its message reaches the page.
    browser.find_element(By.ID, "reactie-kind-wijktaf").click()
    submit(browser, "do-reactie")
    refused = errors(browser)
    assert "moet zijn redenen geven" in refused
    assert stack.delib("GET", f"/advice/{nr}")["reply"] is None
    assert browser.find_element(By.ID, "reactie-kind-wijktaf").is_selected()  # the choice is kept
    browser.find_element(By.ID, "reactie-text").send_keys("Het budget laat het dit jaar niet toe.")
    submit(browser, "do-reactie")
    assert not errors(browser), errors(browser)
    assert "Het budget laat het dit jaar niet toe." in browser.find_element(By.ID, "reply-text").text

    fill_date(browser, "toets-day", today + timedelta(days=30))
    submit(browser, "do-toets")
    assert not errors(browser), errors(browser)
    assert "Toets 1" in browser.find_element(By.ID, "step-toets-1").text
    browser.find_element(By.ID, "uitkomst-outcome-deels").click()
    browser.find_element(By.ID, "uitkomst-text").send_keys("Half gedaan")
    submit(browser, "do-uitkomst")
    assert not errors(browser), errors(browser)
    check = browser.find_element(By.ID, "step-toets-1").text
    assert "Half gedaan" in check and "gedaan" in check
    final = stack.delib("GET", f"/advice/{nr}")
    assert final["stage"] == "afgerond" and final["checks"][0]["outcome"] == "deels"
    assert_no_violations(browser)

    # In English too.
    browser.find_element(By.ID, "other-language").click()
    wait(browser, lambda d: h1(d) == f"Advice {nr}: Servicekosten 2027")
    assert "legal date" in browser.find_element(By.ID, "step-termijn").text
    assert_no_violations(browser)


def test_a_member_reads_the_trajectories_and_may_not_change_them(stack: Stack, browser: WebDriver):
    topic = stack.delib("POST", "/topics", {"title": "Onderhoud", "actor": ANNA}, status=201)["id"]
    nr = stack.delib("POST", "/advice", {"topic_id": topic, "title": "Onderhoudsplan", "actor": SEC},
                     status=201)["id"]
    sign_in(browser, stack, ANNA)
    browser.get(stack.url(f"/werkplek/adviezen/{nr}"))
    assert h1(browser) == f"Advies {nr}: Onderhoudsplan"
    assert browser.find_element(By.ID, "step-termijn").text
    assert not browser.find_elements(By.CSS_SELECTOR, "main form")
    assert_no_violations(browser)
    with session_client(browser) as client:
        page = client.get(stack.url("/werkplek/adviezen"))
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # the sign-out form's
        refused = client.post(stack.url(f"/werkplek/adviezen/{nr}"),
                              data={"csrf_token": csrf, "stap": "concept", "text": "Mag dit?"})
    assert refused.status_code == 403 and "niet voor jouw rol" in refused.text
    assert stack.delib("GET", f"/advice/{nr}")["round_id"] is None
    unknown = session_client(browser).get(stack.url("/werkplek/adviezen/999"))
    assert unknown.status_code == 404 and "Ik ken geen adviestraject 999" in unknown.text


def test_a_step_without_the_forms_token_is_refused(stack: Stack, browser: WebDriver):
    topic = stack.delib("POST", "/topics", {"title": "Parkeren", "actor": ANNA}, status=201)["id"]
    nr = stack.delib("POST", "/advice", {"topic_id": topic, "title": "Parkeerbeleid", "actor": SEC},
                     status=201)["id"]
    sign_in(browser, stack, SEC)
    with session_client(browser) as client:
        forged = client.post(stack.url(f"/werkplek/adviezen/{nr}"), data={"stap": "concept", "text": "Vervalst"})
    assert forged.status_code == 400 and "formulier was verlopen" in forged.text
    assert stack.delib("GET", f"/advice/{nr}")["round_id"] is None


@pytest.mark.parametrize("path", ["/werkplek/adviezen", "/werkplek/adviezen/1", "/werkplek/besluiten",
                                  "/werkplek/besluiten.md"])
def test_the_committee_and_strangers_are_refused(stack: Stack, path: str):
    with httpx.Client(timeout=10) as nobody:
        answer = nobody.get(stack.url(path))
    assert answer.status_code == 401 and "Aanmelden bij de werkplek" in answer.text
    with httpx.Client(timeout=10, follow_redirects=True) as committee:
        committee.get(stack.committee_link())
        refused = committee.get(stack.url(path))
    assert refused.status_code == 403 and "niet voor jouw rol" in refused.text


# --------------------------------------------------------------------------- the decision list


def test_the_decision_list_shows_concerns_objections_and_searches(stack: Stack, browser: WebDriver):
    topic = stack.delib("POST", "/topics", {"title": "Groen in de wijk", "actor": ANNA}, status=201)["id"]
    rnd = stack.delib("POST", "/rounds", {"topic_id": topic, "proposal": "Meer bomen op het plein.",
                                          "actor": ANNA}, status=201)
    objected = stack.delib("POST", f"/rounds/{rnd['id']}/positions",
                           {"actor": BRAM, "position": "bezwaar", "text": "Bomen geven overlast van bladeren."})
    objection = objected["open_objections"][0]["id"]
    stack.delib("POST", f"/rounds/{rnd['id']}/withdraw", {"actor": BRAM, "objection_id": objection})
    stack.agree(rnd["id"], {ANNA: ("bedenking", "Let op de kosten van onderhoud.")})
    stack.delib("POST", f"/topics/{topic}/background", {"source": "raadpleging", "key": "test:groen",
                                                         "title": "Bewonersraadpleging over groen",
                                                         "text": "41 antwoorden; de meesten willen meer bomen."},
                status=201)
    stack.delib("POST", f"/topics/{topic}/influence", {"score": 4, "kind": "aangepast",
                                                        "what_changed": "Twaalf bomen extra op het plein."}, status=201)

    sign_in(browser, stack, ANNA)
    browser.find_element(By.LINK_TEXT, "Besluiten").click()
    wait(browser, lambda d: h1(d) == "Besluiten")
    decision = browser.find_element(By.ID, f"decision-{rnd['id']}")
    text = decision.text
    assert "Groen in de wijk" in text and "Meer bomen op het plein." in text
    assert "Bedenkingen" in text and "Anna de Vries: Let op de kosten van onderhoud." in text
    assert "Bomen geven overlast van bladeren." in text and "ingetrokken" in text.lower()
    assert "Wat de raad veranderde" in text and "Twaalf bomen extra op het plein." in text
    assert "Achtergrond" in text and "41 antwoorden; de meesten willen meer bomen." in text
    assert not re.search(r"\d+\s*(stemmen|voor|tegen)", text)  # no tallies, ever
    assert_no_violations(browser)

    search = browser.find_element(By.ID, "zoek")
    search.send_keys("bomen")
    search.send_keys(Keys.ENTER)  # the keyboard is enough
    wait(browser, lambda d: "zoek=bomen" in d.current_url)
    assert [a.get_attribute("id") for a in browser.find_elements(By.CSS_SELECTOR, "article.decision")] == [
        f"decision-{rnd['id']}"]
    browser.get(stack.url("/werkplek/besluiten?zoek=kerstboom"))
    assert 'Geen besluiten gevonden met "kerstboom"' in browser.find_element(By.ID, "none").text
    Select(browser.find_element(By.ID, "volgorde")).select_by_value("oudste")
    assert_no_violations(browser)

    with session_client(browser) as client:
        md = client.get(stack.url("/werkplek/besluiten.md"))
        html = client.get(stack.url("/werkplek/besluiten.html"))
        other = client.get(stack.url("/werkplek/besluiten.docx"))
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert "attachment" in md.headers["content-disposition"] and "Meer bomen op het plein." in md.text
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "Groen in de wijk" in html.text and "attachment" in html.headers["content-disposition"]
    assert other.status_code == 404


def test_a_member_downloads_the_decision_list_as_pdf_and_the_committee_may_not(stack: Stack):
    topic = stack.delib("POST", "/topics", {"title": "Speeltuin aan de Kerkstraat", "actor": CEES}, status=201)["id"]
    rnd = stack.delib("POST", "/rounds", {"topic_id": topic, "actor": CEES,
                                          "proposal": "Het bestuur zorgt vóór de zomer voor een ‘veilige’ speeltuin."},
                      status=201)
    stack.agree(rnd["id"], {BRAM: ("bedenking", "Denk aan de buren – en aan €.")})

    with httpx.Client(timeout=10, follow_redirects=True) as member:
        member.get(stack.link_for(BRAM))
        page = member.get(stack.url("/werkplek/besluiten?zoek=speeltuin"))
        answer = member.get(stack.url("/werkplek/besluiten.pdf?zoek=speeltuin"))
        everything = member.get(stack.url("/werkplek/besluiten.pdf?volgorde=oudste"))
    assert 'id="export-pdf"' in page.text and "/werkplek/besluiten.pdf?" in page.text
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert re.fullmatch(r'attachment; filename="besluitenlijst-huurdersraad-\d{4}-\d{2}-\d{2}\.pdf"',
                        answer.headers["content-disposition"])
    reader = PdfReader(io.BytesIO(answer.content))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert "Besluitenlijst Huurdersraad Zuid" in text and 'Alleen besluiten met "speeltuin"' in text
    assert f"#{topic} Speeltuin aan de Kerkstraat" in text
    assert "vóór de zomer voor een ‘veilige’ speeltuin." in text  # DejaVu Sans embedded: typography kept
    assert "Bram Bakker: Denk aan de buren – en aan €." in text and "Pagina 1 van 1" in text
    assert "Groen in de wijk" not in text  # the search holds for the file too
    assert reader.metadata.title == "Besluitenlijst Huurdersraad Zuid"
    assert everything.status_code == 200 and "Volgorde: Oudste eerst" in PdfReader(
        io.BytesIO(everything.content)).pages[0].extract_text()

    with httpx.Client(timeout=10, follow_redirects=True) as secretary:
        secretary.get(stack.link_for(SEC))
        assert secretary.get(stack.url("/werkplek/besluiten.pdf")).headers["content-type"] == "application/pdf"
    with httpx.Client(timeout=10) as nobody:
        assert nobody.get(stack.url("/werkplek/besluiten.pdf")).status_code == 401
    with httpx.Client(timeout=10, follow_redirects=True) as committee:
        committee.get(stack.committee_link())
        refused = committee.get(stack.url("/werkplek/besluiten.pdf"))
    assert refused.status_code == 403 and "niet voor jouw rol" in refused.text


# --------------------------------------------------------------------------- roster and afspiegeling


def test_the_makeup_names_the_gaps_against_the_residents(stack: Stack, browser: WebDriver):
    sign_in(browser, stack, ANNA)
    browser.find_element(By.LINK_TEXT, "Samenstelling").click()
    wait(browser, lambda d: h1(d) == "Samenstelling")
    named = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#gaps li")]
    assert named == [
        "Leeftijd 18-30: niemand in de raad, terwijl 30% van de huurders hierbij hoort.",
        "Wijk West: niemand in de raad, terwijl 20% van de huurders hierbij hoort.",
        "Leeftijd 65+: veel in de raad. 67% van de raad, tegen 30% van de huurders.",
        "Wijk Noord: veel in de raad. 67% van de raad, tegen 50% van de huurders.",
    ]
    seats = {r.find_element(By.TAG_NAME, "th").text: [td.text for td in r.find_elements(By.TAG_NAME, "td")]
             for r in browser.find_elements(By.CSS_SELECTOR, "#seats tbody tr")}
    assert seats["18-30 · West"] == ["1", "0", "1"] and seats["65+ · Noord"] == ["1", "1", "0"]
    wijk = {r.find_element(By.TAG_NAME, "th").text: [td.text for td in r.find_elements(By.TAG_NAME, "td")]
            for r in browser.find_elements(By.CSS_SELECTOR, "#makeup-wijk tbody tr")}
    assert wijk == {"Noord": ["2", "67%", "50%"], "Zuid": ["1", "33%", "30%"], "West": ["0", "0%", "20%"]}
    assert "Sanne" not in browser.find_element(By.ID, "main").text  # counts, no names
    assert_no_violations(browser)
    browser.find_element(By.ID, "other-language").click()
    wait(browser, lambda d: h1(d) == "Make-up")
    assert "Neighbourhood West: nobody on the council" in browser.find_element(By.ID, "gaps").text
    assert_no_violations(browser)

    sign_in(browser, stack, "committee")  # counts help the committee weigh candidates
    browser.get(stack.url("/werkplek/samenstelling"))
    assert h1(browser) == "Samenstelling" and browser.find_elements(By.CSS_SELECTOR, "#gaps li")
    assert_no_violations(browser)
    with httpx.Client(timeout=10) as nobody:
        assert nobody.get(stack.url("/werkplek/samenstelling")).status_code == 401


# --------------------------------------------------------------------------- the agenda with scores


def test_the_agenda_shows_scores_and_expected_against_realised_influence(stack: Stack, browser: WebDriver):
    topic = stack.delib("POST", "/topics", {"title": "Speeltuin", "actor": ANNA}, status=201)["id"]
    for who, score in ((ANNA, 4), (BRAM, 4), (CEES, 5)):
        stack.delib("POST", f"/topics/{topic}/score", {"actor": who, "importance": 5, "influence": score})
    rnd = stack.delib("POST", "/rounds", {"topic_id": topic, "proposal": "Een speeltuin op het plein.",
                                          "actor": ANNA}, status=201)
    stack.agree(rnd["id"])
    stack.delib("POST", f"/topics/{topic}/influence", {"actor": SEC, "score": 2,
                                                       "what_changed": "Alleen een zandbak."}, status=201)
    waiting = stack.delib("POST", "/topics", {"title": "Verlichting", "actor": BRAM}, status=201)["id"]
    for who in (ANNA, BRAM, CEES):
        stack.delib("POST", f"/topics/{waiting}/score", {"actor": who, "importance": 4, "influence": 3})
    expected = stack.delib("GET", f"/influence?year={date.today().year}")
    mine = next(t for t in expected["topics"] if t["topic_id"] == topic)

    sign_in(browser, stack, ANNA)
    browser.find_element(By.LINK_TEXT, "Agenda").click()
    wait(browser, lambda d: h1(d) == "Agenda")
    on_agenda = browser.find_element(By.ID, f"topic-{waiting}").text
    assert f"#{waiting} Verlichting" in on_agenda and "4,0" in on_agenda and "3,0" in on_agenda
    row = browser.find_element(By.ID, f"influence-{topic}").text
    shown = f"{mine['expected']:.1f}".replace(".", ",")
    assert "Speeltuin" in row and shown in row and "Alleen een zandbak." in row
    assert f"{mine['difference']:+.1f}".replace(".", ",") in row
    assert_no_violations(browser)
    browser.find_element(By.ID, "year-before").click()
    wait(browser, lambda d: "jaar=" in d.current_url)
    assert browser.find_element(By.ID, "influence-none").text == f"Er is in {date.today().year - 1} geen onderwerp gestart."
    assert_no_violations(browser)
    sign_in(browser, stack, "committee")
    browser.get(stack.url("/werkplek/agenda"))
    assert "niet voor jouw rol" in browser.find_element(By.ID, "message").text


# --------------------------------------------------------------------------- attendance, and the year it adds up to


def test_the_secretary_confirms_attendance_and_the_year_overview_counts_it(stack: Stack, browser: WebDriver):
    zone = ZoneInfo("Europe/Amsterdam")
    # Last year's quarter (the calendar's clock then): a meeting and a heidag, with answers beforehand.
    set_clock(stack.calendar_app, lambda: datetime(2025, 3, 1, 10, 0, tzinfo=zone))
    try:
        meeting = stack.calendar("POST", "/events", {"type": "vergadering", "title": "Vergadering maart",
                                                     "start": "2025-03-16T19:30", "end": "2025-03-16T21:30"},
                                 status=201)["number"]
        heidag = stack.calendar("POST", "/events", {"type": "heidag", "title": "Heidag", "start": "2025-04-02"},
                                status=201)["number"]
        for who, answer in ((ANNA, "aanwezig"), (BRAM, "aanwezig"), (CEES, "afwezig")):
            stack.calendar("POST", f"/events/{meeting}/rsvp", {"member": who, "answer": answer})
        stack.calendar("POST", f"/events/{heidag}/rsvp", {"member": ANNA, "answer": "aanwezig"})
        set_clock(stack.calendar_app, lambda: datetime(2025, 5, 1, 10, 0, tzinfo=zone))

        sign_in(browser, stack, SEC)
        browser.get(stack.url("/werkplek/inzet?jaar=2025"))
        form_id = f"event-{meeting}-2025-03-16"
        boxes = {b.get_attribute("value"): b for b in browser.find_elements(By.CSS_SELECTOR, f"#{form_id} input[type=checkbox]")}
        assert {m: b.is_selected() for m, b in boxes.items()} == {SEC: False, ANNA: True, BRAM: True, CEES: False}
        assert "nog te bevestigen" in browser.find_element(By.ID, form_id).text
        assert_no_violations(browser)
        boxes[BRAM].click()  # said he would come, did not
        boxes[CEES].send_keys(Keys.SPACE)  # came after all (the keyboard ticks a box)
        old = browser.find_element(By.TAG_NAME, "html")
        browser.find_element(By.ID, f"confirm-{meeting}-2025-03-16").click()
        wait(browser, page_left(old))
        wait(browser, lambda d: d.find_elements(By.ID, "confirmed"))
        assert stack.calendar("GET", f"/events/{meeting}/attendance?day=2025-03-16")["confirmed"] == [ANNA, CEES]
        assert "bevestigd" in browser.find_element(By.ID, form_id).text

        # The heidag is confirmed in the chat (!aanwezigheid goes to the same calendar route as text).
        stack.calendar("POST", f"/events/{heidag}/attendance", {"text": "2-4 Anna"}, token="t-bot")
        browser.get(stack.url("/werkplek/inzet?jaar=2025"))
        # Nothing left to confirm: the confirmed ones wait, folded away, for a correction.
        assert browser.find_element(By.ID, "all-confirmed").is_displayed()
        assert browser.find_elements(By.CSS_SELECTOR, f"#confirmed-activities #{form_id}")
        assert not browser.find_element(By.ID, form_id).is_displayed()

        def row(table: str, name: str) -> list[str]:
            for tr in browser.find_elements(By.CSS_SELECTOR, f"#{table} tbody tr"):
                if tr.find_element(By.TAG_NAME, "th").text == name:
                    return [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            raise AssertionError(f"no row {name} in {table}")

        # Anna: 2 h meeting + 6 h heidag (all day); Cees 2 h; Bram nothing confirmed.
        assert row("year-table", "Anna de Vries")[:3] == ["2", "0,00", "8,00"]
        assert row("year-table", "Cees Jansen")[:3] == ["1", "0,00", "2,00"]
        assert row("kinds-table", "vergadering") == ["1", "2", "4,00", "€ 0,00"]
        assert row("kinds-table", "heidag") == ["1", "1", "6,00", "€ 0,00"]
        chart = browser.find_element(By.ID, "hours-chart")
        assert chart.get_attribute("role") == "img"
        desc = browser.find_element(By.ID, "chart-desc").get_attribute("textContent")
        assert "Anna de Vries: 8,00 uur" in desc and "Cees Jansen: 2,00 uur" in desc
        assert browser.find_element(By.ID, "chart-title").get_attribute("textContent") == "Uren per lid in 2025"
        assert_no_violations(browser)
        with session_client(browser) as client:
            rows = client.get(stack.url("/werkplek/inzet.csv?jaar=2025")).text.lstrip("\ufeff").splitlines()
            forged = client.post(stack.url("/werkplek/inzet/aanwezigheid?jaar=2025"),
                                 data={"event": str(meeting), "day": "2025-03-16", "present": [BRAM]})
        assert next(r for r in rows if r.startswith("Anna de Vries;")).split(";")[2] == "8,00"
        assert forged.status_code == 400 and "formulier was verlopen" in forged.text
        assert stack.calendar("GET", f"/events/{meeting}/attendance?day=2025-03-16")["confirmed"] == [ANNA, CEES]

        # A member reads the year, without the confirming forms, and may not post them.
        sign_in(browser, stack, ANNA)
        browser.get(stack.url("/werkplek/inzet?jaar=2025"))
        assert browser.find_element(By.ID, "hours-chart") and not browser.find_elements(By.CSS_SELECTOR, "form.attendance")
        assert_no_violations(browser)
        with session_client(browser) as client:
            page = client.get(stack.url("/werkplek/inzet?jaar=2025")).text
            csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            refused = client.post(stack.url("/werkplek/inzet/aanwezigheid?jaar=2025"),
                                  data={"csrf_token": csrf, "event": str(meeting), "day": "2025-03-16",
                                        "present": [ANNA, BRAM, CEES]})
        assert refused.status_code == 403
        assert stack.calendar("GET", f"/events/{meeting}/attendance?day=2025-03-16")["confirmed"] == [ANNA, CEES]
    finally:
        set_clock(stack.calendar_app, None)


# --------------------------------------------------------------------------- every page, every role


PAGES = {"/werkplek/adviezen": ("Adviezen", "Advice"), "/werkplek/adviezen/1": ("Advies 1: ", "Advice 1: "),
         "/werkplek/besluiten": ("Besluiten", "Decisions"), "/werkplek/agenda": ("Agenda", "Agenda"),
         "/werkplek/samenstelling": ("Samenstelling", "Make-up"), "/werkplek/inzet": ("Inzet in geld en tijd",
                                                                                     "Time and money"),
         "/werkplek/raadplegingen": ("Raadplegingen", "Consultations")}


@pytest.mark.parametrize("who, languages", [(SEC, ("nl", "en")), (ANNA, ("nl",))])
def test_every_page_for_each_role_passes_axe(stack: Stack, browser: WebDriver, who: str, languages: tuple[str, ...]):
    if not stack.delib("GET", "/advice"):
        topic = stack.delib("POST", "/topics", {"title": "Huur", "actor": ANNA}, status=201)["id"]
        stack.delib("POST", "/advice", {"topic_id": topic, "title": "Huurbeleid", "actor": SEC}, status=201)
    sign_in(browser, stack, who)
    for path, (dutch, english) in PAGES.items():
        for lang, heading in (("nl", dutch), ("en", english))[:len(languages)]:
            browser.get(stack.url(f"{path}?lang={lang}"))
            assert h1(browser).startswith(heading), (path, lang, h1(browser))
            assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
            assert_no_violations(browser)
    # Nothing on a phone's screen needs sideways scrolling but the tables' own regions.
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")


def test_a_deliberation_that_refuses_the_werkplek_token_gets_a_plain_answer(tmp_path: Path):
    """Deliberation answers 403 "forbidden" to a caller it does not admit on a route: the secretary is told to
    use the chat, instead of reading the API's own words."""
    from flask import Flask, jsonify

    from services.werkplek import texts
    from shared.errors import Forbidden

    fake = Flask("deliberation-refusing")

    @fake.post("/api/v1/councils/<slug>/advice/<int:nr>/<step>")
    def refuse(slug: str, nr: int, step: str):  # type: ignore[no-untyped-def]
        return jsonify({"error": "forbidden", "message": "Dit token mag dit niet.", "params": {}}), 403

    url, server = serve_in_thread(fake)
    try:
        settings = Settings(data_dir=tmp_path, secret_key=uuid.uuid4().hex * 2, api_tokens=TOKENS,
                            service_urls={"deliberation": url},
                            councils=[{"slug": SLUG, "name": "Huurdersraad", "rooms": {"main": "!m:test.local"},
                                       "secretaries": [SEC]}])
        ctx = actions.context(settings, SLUG, datetime.now(timezone.utc))
        texts.register_messages()
        with pytest.raises(Forbidden) as refused:
            actions.advice_step(ctx, SEC, 1, "verstuurd", {}, None)
        assert refused.value.code == "werkplek.advice.not_allowed"
        assert "Zet hem in de chat met !verstuurd" in refused.value.user_message("nl")
    finally:
        server.shutdown()


def test_the_overview_shows_the_coming_weeks_and_says_what_it_could_not_read(stack: Stack, browser: WebDriver):
    soon = date.today() + timedelta(days=10)
    stack.calendar("POST", "/events", {"type": "training", "title": "Training huurrecht", "start": f"{soon}T19:00",
                                       "end": f"{soon}T21:00", "location": "Wijkcentrum Zuid", "capacity": 12},
                   status=201)
    stack.calendar("POST", "/events", {"type": "vergadering", "title": "Vergadering later",
                                       "start": f"{date.today() + timedelta(days=90)}T19:30"}, status=201)
    sign_in(browser, stack, ANNA)
    browser.get(stack.url("/werkplek?lang=nl"))
    meetings = browser.find_element(By.ID, "meetings").text
    assert "Training huurrecht" in meetings and "19:00" in meetings and "Wijkcentrum Zuid" in meetings
    assert "nog 12 plaatsen" in meetings
    assert "Vergadering later" not in meetings  # beyond six weeks
    # The signals service of this stack is not running: that section says so, the rest of the page stands.
    groups = browser.find_element(By.CSS_SELECTOR, "section[aria-labelledby=groups-title]").text
    assert "kon nu niet worden opgehaald" in groups
    assert_no_violations(browser)


# --------------------------------------------------------------------------- applications and selection


def committee_link_for(stack: Stack, name: str) -> str:
    """A committee member's own link (the Stack's ``committee_link`` always names Dhr. Visser)."""
    with stack.werkplek_app.app_context():
        from shared.service import runtime
        ctx = actions.context(stack.settings, SLUG, datetime.now(timezone.utc))
        return actions.issue_committee_link(runtime(), ctx, SEC, name, 30).url


def apply(stack: Stack, name: str, **extra: Any) -> int:
    resp = httpx.post(f"{stack.base['deliberation']}/api/v1/councils/{SLUG}/applications",
                      json={"name": name, "member_type": "huurder", "contact": "06-12345678",
                            "motivation": "Ik wil meedenken over onderhoud.", **extra}, timeout=10)
    assert resp.status_code == 201, resp.text
    return resp.json()["id"]


def application(stack: Stack, nr: int) -> dict[str, Any]:
    return next(a for a in stack.delib("GET", "/applications") if a["id"] == nr)


def give_advice(browser: WebDriver, nr: int, advice: str | None, note: str = "") -> None:
    form = browser.find_element(By.ID, f"give-{nr}")
    if not form.is_displayed():
        browser.find_element(By.ID, f"give-title-{nr}").click()
    if advice:
        browser.find_element(By.ID, f"give-{nr}-{advice}").click()
    field = browser.find_element(By.ID, f"give-{nr}-note")
    field.clear()
    field.send_keys(note)
    submit(browser, f"do-give-{nr}")


def decide(browser: WebDriver, nr: int, status: str, seat: str = "", matrix_id: str = "", note: str = "") -> None:
    if not browser.find_element(By.ID, f"decide-{nr}").is_displayed():
        browser.find_element(By.ID, f"decide-title-{nr}").click()
    browser.find_element(By.ID, f"decide-{nr}-{status}").click()
    for field, value in ((f"decide-{nr}-seat", seat), (f"decide-{nr}-matrix", matrix_id), (f"decide-{nr}-note", note)):
        found = browser.find_elements(By.ID, field)
        if found:
            found[0].clear()
            found[0].send_keys(value)
    submit(browser, f"do-decide-{nr}")


def test_the_committee_advises_and_the_secretary_appoints_on_the_page(stack: Stack, browser: WebDriver):
    nr = apply(stack, "Fatima El Amrani")
    vacant = next(s["id"] for s in stack.delib("GET", "/seats") if s.get("holder") is None)
    held = next(s["id"] for s in stack.delib("GET", "/seats") if s.get("holder") is not None)

    # A committee member advises; without a choice the page says what is missing.
    browser.delete_all_cookies()
    browser.get(committee_link_for(stack, "Mw. De Boer"))
    wait(browser, lambda d: h1(d) == "Aanmeldingen")
    assert f"#{nr} Fatima El Amrani" in browser.find_element(By.ID, f"application-{nr}").text
    assert browser.find_element(By.ID, f"advice-{nr}").text == "Nog geen advies."
    assert not browser.find_elements(By.ID, f"decide-{nr}")  # the committee advises, the secretary decides
    assert_no_violations(browser)
    give_advice(browser, nr, None, "Weet ik nog niet")
    assert "Kies je advies" in errors(browser)
    assert browser.find_element(By.ID, f"give-{nr}-note").get_attribute("value") == "Weet ik nog niet"
    assert_no_violations(browser)
    give_advice(browser, nr, "gesprek", "Eerst kennismaken")
    assert not errors(browser), errors(browser)
    assert f"advies over aanmelding {nr} is opgeslagen" in browser.find_element(By.ID, "saved").text
    assert browser.find_element(By.ID, f"advice-{nr}").text.startswith(
        "Mw. De Boer: uitnodigen voor een gesprek — Eerst kennismaken")
    # A later advice from the same person replaces theirs.
    give_advice(browser, nr, "benoemen", "Sterke motivatie")
    entries = browser.find_elements(By.CSS_SELECTOR, f"#advice-{nr} li")
    assert len(entries) == 1 and entries[0].text.startswith("Mw. De Boer: benoemen — Sterke motivatie")
    assert browser.find_element(By.ID, f"give-{nr}-benoemen").is_selected()

    # Another committee member: their advice comes first (newest first), beside the other's.
    browser.delete_all_cookies()
    browser.get(committee_link_for(stack, "Dhr. Visser"))
    wait(browser, lambda d: h1(d) == "Aanmeldingen")
    give_advice(browser, nr, "niet_benoemen")
    assert [e.text.split(" (")[0] for e in browser.find_elements(By.CSS_SELECTOR, f"#advice-{nr} li")] == [
        "Dhr. Visser: niet benoemen", "Mw. De Boer: benoemen — Sterke motivatie"]
    assert_no_violations(browser)

    # The secretary reads the advice and decides: an interview first.
    sign_in(browser, stack, SEC)
    browser.get(stack.url("/werkplek/aanmeldingen"))
    assert "Mw. De Boer: benoemen" in browser.find_element(By.ID, f"advice-{nr}").text
    assert not browser.find_elements(By.ID, f"give-{nr}")
    assert_no_violations(browser)
    browser.find_element(By.ID, f"decide-title-{nr}").click()  # the open form fits a phone's width too
    assert browser.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")
    decide(browser, nr, "gesprek", note="Gesprek op 12 juni")
    assert not errors(browser), errors(browser)
    assert (f"besluit over aanmelding {nr} is vastgelegd: uitgenodigd voor een gesprek"
            in browser.find_element(By.ID, "saved").text)
    assert application(stack, nr)["status"] == "gesprek"

    # Appointing needs the address the bot invites; a seat that is taken: deliberation's refusal, in Dutch.
    decide(browser, nr, "benoemd", seat=str(vacant))
    assert "Matrix-adres nodig" in errors(browser)
    assert_no_violations(browser)
    decide(browser, nr, "benoemd", seat=str(held), matrix_id="@fatima:test.local")
    assert f"Zetel {held} is al bezet" in errors(browser)
    assert browser.find_element(By.ID, f"decide-{nr}-matrix").get_attribute("value") == "@fatima:test.local"
    assert application(stack, nr)["status"] == "gesprek"
    decide(browser, nr, "benoemd", seat=str(vacant), matrix_id="@fatima:test.local", note="Unaniem")
    assert not errors(browser), errors(browser)
    saved = browser.find_element(By.ID, "saved").text
    assert f"aanmelding {nr} is vastgelegd: benoemd" in saved and "nodigt het nieuwe lid uit" in saved
    assert not browser.find_elements(By.ID, f"decide-{nr}")  # decided: no form any more
    decided = application(stack, nr)
    assert (decided["status"], decided["seat_id"], decided["matrix_id"]) == ("benoemd", vacant, "@fatima:test.local")
    roster = stack.delib("GET", "/members")
    fatima = next(m for m in roster["members"] if m["matrix_id"] == "@fatima:test.local")
    assert fatima["seat_id"] == vacant
    assert_no_violations(browser)

    browser.find_element(By.ID, "other-language").click()
    wait(browser, lambda d: h1(d) == "Applications")
    assert "The selection committee's advice" in browser.page_source
    assert "Dhr. Visser: do not appoint" in browser.find_element(By.ID, f"advice-{nr}").text
    assert_no_violations(browser)


def test_selection_forms_refuse_members_the_wrong_role_and_posts_without_a_token(stack: Stack,
                                                                                browser: WebDriver):
    nr = apply(stack, "Gerrit Hoek", matrix_id="@gerrit:test.local")

    sign_in(browser, stack, ANNA)
    with session_client(browser) as member:
        page = member.get(stack.url("/werkplek/aanmeldingen"))
        assert page.status_code == 403 and "niet voor jouw rol" in page.text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)  # the sign-out form's
        for what, data in (("advies", {"advice": "benoemen"}), ("besluit", {"status": "benoemd"})):
            refused = member.post(stack.url(f"/werkplek/aanmeldingen/{nr}/{what}"), data={"csrf_token": csrf, **data})
            assert refused.status_code == 403 and "niet voor jouw rol" in refused.text

    with httpx.Client(timeout=10, follow_redirects=True) as committee:
        page = committee.get(committee_link_for(stack, "Mw. Smit"))
        assert page.status_code == 200
        forged = committee.post(stack.url(f"/werkplek/aanmeldingen/{nr}/advies"), data={"advice": "benoemen"})
        assert forged.status_code == 400 and "formulier was verlopen" in forged.text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        wrong_role = committee.post(stack.url(f"/werkplek/aanmeldingen/{nr}/besluit"),
                                    data={"csrf_token": csrf, "status": "benoemd"})
        assert wrong_role.status_code == 403 and "niet voor jouw rol" in wrong_role.text
        unknown = committee.post(stack.url("/werkplek/aanmeldingen/9999/advies"),
                                 data={"csrf_token": csrf, "advice": "gesprek"})
        assert unknown.status_code == 400 and "Ik ken geen aanmelding 9999" in unknown.text
        after = committee.get(stack.url("/werkplek/aanmeldingen"))
        assert "Mw. Smit" not in after.text  # nothing was stored

    sign_in(browser, stack, SEC)
    with session_client(browser) as secretary:
        forged = secretary.post(stack.url(f"/werkplek/aanmeldingen/{nr}/besluit"), data={"status": "niet_benoemd"})
    assert forged.status_code == 400 and "formulier was verlopen" in forged.text
    assert application(stack, nr)["status"] == "ontvangen"
    with httpx.Client(timeout=10) as nobody:
        signed_out = nobody.post(stack.url(f"/werkplek/aanmeldingen/{nr}/advies"), data={"advice": "gesprek"})
        assert signed_out.status_code == 401


def test_the_committee_s_advice_goes_when_the_application_is_gone(stack: Stack):
    from services.werkplek import actions, store
    from services.werkplek.domain.selectie import SelectionAdvice

    kept = apply(stack, "Karim Bouzid")
    rt = stack.werkplek_app.extensions["overleg_runtime"]
    now = datetime.now(ZoneInfo("Europe/Amsterdam"))
    with rt.db.session() as s:
        for nr in (kept, 9_999):  # 9,999: an application deliberation no longer holds (withdrawn, or past retention)
            store.save_selection_advice(s, SLUG, SelectionAdvice(nr, "committee:x", "Mw. De Boer", "gesprek",
                                                                 "Over hem: …", now))
    assert actions.forget_advice_of_gone_applications(rt, stack.settings, now) == 1
    with rt.db.read() as s:
        assert [a.application_id for a in store.selection_advice(s, SLUG)
                if a.author == "committee:x"] == [kept]
    # Deliberation unreadable: nothing is deleted on a guess.
    unreachable = stack.settings.model_copy(update={"service_urls": {**stack.settings.service_urls,
                                                                      "deliberation": "http://127.0.0.1:9"}})
    assert actions.forget_advice_of_gone_applications(rt, unreachable, now) == 0
    assert "werkplek_forget_advice" in [job.name for job in rt.jobs.jobs]
