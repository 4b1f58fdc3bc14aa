"""Residents' matters through the whole stack, as members see them in Element.

* A resident consultation: the secretary types ``!raadpleging`` in the council room, the bot answers with the
  public link, residents answer in a real browser (headless Chromium), the topic's round thread shows the count
  while it runs, and when it closes the summary (counts per choice, themes of the comments, answers per wijk)
  appears in that thread, without any resident's personal data.
* A neighbourhood matter: signals about one complex are marked on their card as belonging with its
  bewonerscommissie; ``!doorsturen`` hands them over, and the scrubbed signals reach the commissie's own room.
  (The stack has no commissie: the test configures one and reloads the signals service, then restores it.)
* A pattern across neighbourhoods: the same theme in three wijken gives a pattern card in the signals room;
  ``!signalen`` shows it first and ``!agenderen`` in its thread puts it on the council's agenda.
* A bewonersavond from the calendar opens for sign-up (``!bewonersavond``), fills up, and its waiting list moves
  when a resident cancels through the link; the secretary sees the numbers in the chat."""
from __future__ import annotations

import os
import re
import signal
import time
import uuid
from datetime import datetime, timedelta
from typing import Any, Callable
from zoneinfo import ZoneInfo

import httpx
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import yaml

from devstack.matrix_client import MatrixTestClient
from devstack.procs import live_pid_from_pidfile
from test_deliberation_flow import Room, body, room, run_id  # noqa: F401
from tests.support import replies_to
from tests.integration.test_signals_form import chromium, wait

pytestmark = pytest.mark.timeout(300)

COUNCIL = "klantenraad"
PII = ["Fatima Yilmaz", "06-98765432", "fatima@example.nl"]


def in_thread(bot: str, root: str, needle: str) -> Callable[[dict[str, Any]], bool]:
    def match(event: dict[str, Any]) -> bool:
        c = event.get("content") or {}
        rel = c.get("m.relates_to") or {}
        return (event.get("sender") == bot and rel.get("rel_type") == "m.thread" and rel.get("event_id") == root
                and needle in c.get("body", ""))
    return match


def edited(bot: str, original: str, needle: str) -> Callable[[dict[str, Any]], bool]:
    def match(event: dict[str, Any]) -> bool:
        c = event.get("content") or {}
        rel = c.get("m.relates_to") or {}
        return (event.get("sender") == bot and rel.get("rel_type") == "m.replace" and rel.get("event_id") == original
                and needle in (c.get("m.new_content") or {}).get("body", ""))
    return match


def answer_in_browser(driver: Any, url: str, *, choice: int, text: str = "", wijk: str = "", email: str = "") -> str:
    driver.delete_all_cookies()
    driver.get(url)
    wait(driver, lambda d: d.find_element(By.ID, "consultation-form"))
    driver.find_element(By.CSS_SELECTOR, f"label[for='field-keuze-{choice}']").click()
    if text:
        driver.find_element(By.ID, "field-text").send_keys(text)
    if wijk:
        Select(driver.find_element(By.ID, "field-buurt")).select_by_visible_text(wijk)
    if email:
        driver.find_element(By.ID, "field-email").send_keys(email)
        driver.find_element(By.ID, "field-consent").click()
    driver.find_element(By.ID, "submit").click()
    wait(driver, lambda d: d.find_elements(By.ID, "reference"))
    return driver.find_element(By.ID, "reference").text


def test_raadpleging_from_the_command_to_the_summary_in_the_topic_s_thread(stack: Any, room: Room):  # noqa: F811
    run = run_id()
    topic_id = room.new_topic("secretaris", f"Tuinregels in de complexen {run}")
    _, root = room.open_round("secretaris", topic_id, f"We vragen de corporatie de tuinregels te versoepelen ({run}).")
    last = (datetime.now(ZoneInfo("Europe/Amsterdam")) + timedelta(days=14)).date()

    # Only the secretary opens a consultation.
    refused = room.say("anna", f"!raadpleging {topic_id} Wat vindt u van de tuinregels?")
    assert "secretaris" in refused.lower(), refused
    usage = room.say("secretaris", "!raadpleging")
    assert "!raadpleging <onderwerp-nr> <vraag>" in usage, usage
    reply = room.say("secretaris", f"!raadpleging {topic_id} Wat vindt u van de nieuwe tuinregels? "
                                   f"opties: goed | niet goed tot {last.day}-{last.month}-{last.year}")
    found = re.search(r"(https?://\S+/raadpleging/([a-z2-7]{24}))", reply)
    assert found and f"onderwerp #{topic_id}" in reply and "draad van onderwerp" in reply, reply
    url, code = found.group(1), found.group(2)

    # The announcement in the topic's round thread.
    announce = room.bot_message("bram", in_thread(room.bot, root, "Bewonersraadpleging over onderwerp"))
    assert url in body(announce) and "0 antwoorden" in body(announce)

    # Residents answer in a real browser.
    driver = chromium()
    try:
        answer_in_browser(driver, url, choice=1, wijk="Tarwewijk",
                          text="Prima regels, maar de heg bij de Tarwehof is te hoog. Groet, Fatima Yilmaz, "
                               "06-98765432.", email="fatima@example.nl")
        answer_in_browser(driver, url, choice=2, wijk="Carnisse", text="Te streng voor ouderen met een tuin.")
        answer_in_browser(driver, url, choice=2)
    finally:
        driver.quit()

    # While it runs, the thread shows the count (the announcement is edited).
    room.bot_message("bram", edited(room.bot, announce["event_id"], "3 antwoorden"))

    # It closes (the secretary may close it early: the same as the job does at the closing date).
    admin = {"Authorization": f"Bearer {stack.state.tokens['admin']}"}
    closed = httpx.post(f"{stack.url('signals')}/api/v1/councils/{COUNCIL}/consultations/{code}/close",
                        json={}, headers=admin, timeout=15)
    assert closed.status_code == 200 and closed.json()["state"] == "closed", closed.text
    # The summary is the background of the topic's round: !stand in its thread says so.
    stand = room.say("anna", "!stand", root)
    assert "Achtergrond: Bewonersraadpleging" in stand, stand
    summary = room.bot_message("bram", in_thread(room.bot, root, "Raadpleging gesloten"))
    text = body(summary)
    assert "Aantal antwoorden: 3." in text and "goed: 1" in text and "niet goed: 2" in text, text
    assert "Tarwewijk: 1" in text and "Carnisse: 1" in text and "wijk niet opgegeven: 1" in text, text
    assert "Thema's in de 2 toelichtingen" in text, text
    for item in PII:
        assert item not in text and item not in body(announce)
    # The public page says it is closed.
    assert httpx.get(url, timeout=10).status_code == 410


# --------------------------------------------------------------------------- bewonerscommissies
def submit_signal(stack: Any, text: str, wijk: str) -> str:
    """A signal from a partner system (the public form has a per-address limit other tests spend); returns the
    resident's reference."""
    resp = httpx.post(f"{stack.url('signals')}/api/v1/councils/{COUNCIL}/signals", json={"text": text, "wijk": wijk},
                      headers={"Authorization": f"Bearer {stack.state.tokens['partner']}"}, timeout=15)
    assert resp.status_code == 201, resp.text
    return resp.json()["reference"]


def configure(stack: Any, settings: dict[str, Any]) -> None:
    """Run the signals service and the bot on ``settings`` (a reload of both, as an operator's
    ``systemctl reload`` does)."""
    stack.config_path.write_text(yaml.safe_dump(settings, sort_keys=False, allow_unicode=True))
    stack.reload_service("signals")
    pid = live_pid_from_pidfile(stack._pidfile("bot"))
    assert pid is not None
    os.kill(pid, signal.SIGHUP)


def test_a_neighbourhood_matter_reaches_the_bewonerscommissie_s_room(stack: Any, room: Room):  # noqa: F811
    run = run_id()
    bot = stack.user_id("overleg")
    signals_room = stack.state.signals_room_id
    # A complex of its own per run (letters only: that is how residents write a flat's name).
    complex_name = "Rieder" + "".join("abcdefghijklmnop"[int(c, 16)] for c in run) + "flat"
    with MatrixTestClient(stack.synapse.base_url, stack.member("secretaris")) as commissie_member:
        commissie_room = commissie_member.create_room(name=f"Bewonerscommissie {complex_name}", invite=[bot])
        commissie_member.sync(0)
        original = stack.settings_dict()
        settings = stack.settings_dict()
        council = settings["councils"][0]
        council["bewonerscommissies"] = [{"id": f"rieder{run}", "name": f"Bewonerscommissie {complex_name}",
                                          "complex": complex_name, "wijk": "Carnisse", "room_id": commissie_room}]
        try:
            configure(stack, settings)
            deadline = time.monotonic() + 60
            while bot not in commissie_member.joined_members(commissie_room):
                assert time.monotonic() < deadline, "the bot did not join the commissie's room"
                time.sleep(0.5)
            reference = submit_signal(stack, f"Het dak van de {complex_name} in Carnisse lekt al een week, lekkage in "
                                             "de portiek. Bel Fatima Yilmaz, 06-98765432.", "Carnisse")
            submit_signal(stack, f"In de {complex_name} lekt het dak weer, de lekkage wordt erger.", "Carnisse")
            note = f"hoort bij Bewonerscommissie {complex_name}"
            card = room.clients["anna"].wait_for(signals_room, lambda e: e.get("sender") == bot and note in (
                body(e) + (e.get("content") or {}).get("m.new_content", {}).get("body", "")), timeout=60)
            text = body(card) + (card.get("content") or {}).get("m.new_content", {}).get("body", "")
            number = int(re.search(r"Signaalgroep #(\d+)", text).group(1))

            anna = room.clients["anna"]
            cmd = anna.send_text(signals_room, f"!doorsturen {number}")
            reply = body(anna.wait_for(signals_room, replies_to(bot, cmd), timeout=60))
            assert f"doorgestuurd aan Bewonerscommissie {complex_name}" in reply, reply
            handed = commissie_member.wait_for(commissie_room, lambda e: e.get("sender") == bot and body(e).startswith(
                f"Doorgestuurd door de raad aan Bewonerscommissie {complex_name}"), timeout=60)
            assert "2 signalen" in body(handed) and "lekkage" in body(handed), body(handed)
            for item in ("Fatima Yilmaz", "06-98765432", reference):
                assert item not in body(handed)
            status = httpx.get(f"{stack.url('signals')}/signaal/{reference}", timeout=10).text
            assert f"Doorgestuurd aan Bewonerscommissie {complex_name}" in status
            headers = {"Authorization": f"Bearer {stack.state.tokens['admin']}"}
            open_list = httpx.get(f"{stack.url('signals')}/api/v1/councils/{COUNCIL}/clusters/open",
                                  headers=headers, timeout=10).json()
            assert number not in [c["id"] for c in open_list]
        finally:
            configure(stack, original)


# --------------------------------------------------------------------------- patterns
def test_a_pattern_across_three_wijken_reaches_the_agenda(stack: Any, room: Room):  # noqa: F811
    bot = stack.user_id("overleg")
    signals_room = stack.state.signals_room_id
    anna = room.clients["anna"]
    mark = uuid.uuid4().hex[:4]
    wijken = ("Bloemhof", "Hillesluis", "Afrikaanderwijk")
    for wijk in wijken:
        submit_signal(stack, f"Ratten en ander ongedierte bij de containers in {wijk}, al weken ({mark}).", wijk)

    def pattern_card(event: dict[str, Any]) -> bool:
        c = event.get("content") or {}
        text = c.get("body", "") + (c.get("m.new_content") or {}).get("body", "")
        return (event.get("sender") == bot and "Patroon: Schoonmaak, groen & ongedierte" in text
                and all(w in text for w in wijken))
    card = anna.wait_for(signals_room, pattern_card, timeout=60)
    rel = (card.get("content") or {}).get("m.relates_to") or {}
    root = rel["event_id"] if rel.get("rel_type") == "m.replace" else card["event_id"]

    cmd = anna.send_text(signals_room, "!signalen")
    # The overview; the chart comes as an image in the same thread, and may arrive first.
    overview = body(anna.wait_for(signals_room, lambda e: replies_to(bot, cmd)(e) and (
        e.get("content") or {}).get("msgtype") != "m.image", timeout=60))
    assert overview.startswith("Patronen over wijken heen"), overview
    assert overview.index("Patronen over wijken heen") < overview.index("Per thema")

    cmd = anna.send_text(signals_room, "!agenderen", thread_root=root)
    reply = body(anna.wait_for(signals_room, replies_to(bot, cmd), timeout=60))
    found = re.search(r"op de agenda als onderwerp #(\d+)", reply)
    assert found and "Schoonmaak, groen & ongedierte" in reply, reply
    headers = {"Authorization": f"Bearer {stack.state.tokens['admin']}"}
    topic = httpx.get(f"{stack.url('deliberation')}/api/v1/councils/{COUNCIL}/topics/{found.group(1)}",
                      headers=headers, timeout=10).json()
    assert topic["title"].startswith("Schoonmaak, groen & ongedierte in") and "Bloemhof" in topic["evidence"]
    anna.wait_for(signals_room, lambda e: e.get("sender") == bot and f"onderwerp #{found.group(1)}" in (
        (e.get("content") or {}).get("m.new_content") or {}).get("body", ""), timeout=60)


# --------------------------------------------------------------------------- bewonersavond sign-up
def sign_up_over_http(url: str, email: str) -> str:
    """A resident's browser without JavaScript: the page, then the form; returns the page it lands on."""
    with httpx.Client(timeout=15) as client:
        page = client.get(url)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
        nonce = re.search(r'name="nonce" value="([^"]+)"', page.text).group(1)
        done = client.post(url, data={"csrf_token": token, "nonce": nonce, "email": email, "consent": "y",
                                      "website": ""})
        assert done.status_code == 200, done.text[:500]
        return done.text


def test_a_bewonersavond_fills_up_and_its_waiting_list_moves(stack: Any, room: Room):  # noqa: F811
    run = run_id()
    headers = {"Authorization": f"Bearer {stack.state.tokens['admin']}"}
    start = (datetime.now(ZoneInfo("Europe/Amsterdam")) + timedelta(days=9)).strftime("%Y-%m-%dT19:30")
    created = httpx.post(f"{stack.url('calendar')}/api/v1/councils/{COUNCIL}/events", headers=headers, timeout=15,
                         json={"type": "bewonersavond", "title": f"Bewonersavond Carnisse {run}", "start": start,
                               "location": "Buurthuis", "capacity": 2})
    assert created.status_code == 201, created.text
    number = created.json()["number"]

    reply = room.say("secretaris", f"!bewonersavond {number}")
    found = re.search(r"(https?://\S+/bewonersavond/[a-z2-7]{24})", reply)
    assert found and "0 aangemeld, 0 op de wachtlijst" in reply and "Nog 2 van 2 plaatsen vrij" in reply, reply
    url = found.group(1)

    driver = chromium()
    try:
        driver.get(url)
        wait(driver, lambda d: d.find_element(By.ID, "signup-form"))
        driver.find_element(By.ID, "field-email").send_keys(f"eerste-{run}@example.nl")
        driver.find_element(By.ID, "field-consent").click()
        driver.find_element(By.ID, "submit").click()
        link = wait(driver, lambda d: d.find_element(By.ID, "cancel-link")).get_attribute("href")
        assert driver.find_element(By.TAG_NAME, "h1").text == "U bent aangemeld"
        assert "U bent aangemeld" in sign_up_over_http(url, f"tweede-{run}@example.nl")
        assert "plaats 1 van de wachtlijst" in sign_up_over_http(url, f"derde-{run}@example.nl")
        full = room.say("secretaris", f"!bewonersavond {number}")
        assert "2 aangemeld, 1 op de wachtlijst" in full and "Vol" in full, full
        # The calendar hears the numbers (signals pushes them): the members' calendar says the evening is full.
        deadline = time.monotonic() + 60
        while True:
            upcoming = httpx.get(f"{stack.url('calendar')}/api/v1/councils/{COUNCIL}/events", headers=headers,
                                 params={"days": 30}, timeout=10).json()
            if any(o["number"] == number and o.get("resident_places_left") == 0 for o in upcoming):
                break
            assert time.monotonic() < deadline, "the calendar never heard the residents' numbers"
            time.sleep(0.5)
        calendar = room.say("anna", "!kalender")
        assert f"Bewonersavond Carnisse {run}" in calendar and "bewoners: vol, wachtlijst" in calendar, calendar

        # The first cancels through the link: the third moves up from the waiting list.
        driver.get(link)
        wait(driver, lambda d: d.find_element(By.ID, "cancel")).click()
        wait(driver, lambda d: "afgemeld" in d.find_element(By.ID, "message").text)
    finally:
        driver.quit()
    moved = room.say("secretaris", f"!bewonersavond {number}")
    assert "2 aangemeld, 0 op de wachtlijst" in moved, moved
    for address in (f"eerste-{run}", f"tweede-{run}", f"derde-{run}"):
        assert address not in moved
