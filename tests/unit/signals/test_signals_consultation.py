"""Resident consultations and sign-ups for resident evenings: the pure rules."""
from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from services.signals.domain import consultation as c
from services.signals.domain import signup as su
from services.signals.domain.themes import classify
from shared import i18n
from shared.errors import Conflict, InvalidInput, NotFound
from shared.formatting import Rich

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)       # a Tuesday, 11:00 in Amsterdam
TODAY = date(2026, 12, 1)
MAINTENANCE = "De verwarming is kapot en de storing wordt niet verholpen, al weken wachten op een reparatie."
NOISE = "Harde muziek en geluidsoverlast van de buren, elke nacht weer herrie."
CLEANING = "Het trappenhuis is vies, de schoonmaak wordt niet gedaan."


@pytest.fixture(scope="module", autouse=True)
def _catalogs() -> None:
    i18n.register(c.CATALOG)
    i18n.register(su.CATALOG)


def _rng(seed: int = 7):
    return random.Random(seed).randbytes


def _open(options=("eens", "oneens", "weet niet"), closes_on=date(2026, 12, 20), now=NOW, seed=7):
    return c.open_consultation(code=c.new_code(_rng(seed)), topic_id=12, topic_title="Tuinregels",
                               question="Wat vindt u van de nieuwe tuinregels?", options=options,
                               now=now, closes_on=closes_on)


# --------------------------------------------------------------------------- codes
def test_code_is_unguessable_and_url_safe():
    code = c.new_code(_rng(1))
    assert re.fullmatch(r"[a-z2-7]+", code) and len(code) * 5 >= 96
    assert c.is_valid_code(code)
    assert c.new_code(_rng(1)) == code                  # the caller's random source decides
    codes = {c.new_code(_rng(seed)) for seed in range(200)}
    assert len(codes) == 200


def test_code_shape_is_checked():
    assert not c.is_valid_code("")
    assert not c.is_valid_code("../../etc/passwd")
    assert not c.is_valid_code(c.new_code(_rng()).upper())
    with pytest.raises(ValueError):
        c.new_code(lambda n: b"\x00" * (n - 1))
    with pytest.raises(InvalidInput) as e:
        c.open_consultation(code="abc", topic_id=1, topic_title="T", question="Een vraag?", now=NOW)
    assert e.value.code == "signals.consultation.code_invalid"


# --------------------------------------------------------------------------- the command
def test_parse_question_options_and_date():
    p = c.parse_command("12 Wat vindt u van de tuinregels? opties: goed | niet goed | weet niet tot 15-1-2027", TODAY)
    assert p == c.ParsedCommand(12, "Wat vindt u van de tuinregels?", ("goed", "niet goed", "weet niet"),
                                date(2027, 1, 15))


def test_parse_open_question_without_date():
    p = c.parse_command("#3   Hoe kan de raad u beter bereiken?", TODAY)
    assert (p.topic_id, p.question, p.options, p.closes_on) == (3, "Hoe kan de raad u beter bereiken?", (), None)


@pytest.mark.parametrize("text, expected", [
    ("2027-01-15", date(2027, 1, 15)),
    ("15/1/2027", date(2027, 1, 15)),
    ("15-01-27", date(2027, 1, 15)),
    ("15 januari", date(2027, 1, 15)),          # no year: the next 15 January
    ("20 dec", date(2026, 12, 20)),             # still ahead this year
    ("1 december", date(2026, 12, 1)),          # today counts as "next"; open_consultation refuses it
    ("3e maart 2027", date(2027, 3, 3)),
    ("15 January", date(2027, 1, 15)),
])
def test_parse_date_forms(text, expected):
    assert c.parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["31-2-2027", "volgende week", "15 smarch", "", "12"])
def test_parse_date_refuses_what_is_no_date(text):
    assert c.parse_date(text, TODAY) is None


def test_tot_inside_the_question_stays_text():
    p = c.parse_command("4 Hoe tevreden bent u tot nu toe over de huismeester?", TODAY)
    assert p.question == "Hoe tevreden bent u tot nu toe over de huismeester?" and p.closes_on is None
    p = c.parse_command("4 Hoe tevreden bent u tot nu toe? tot 10 januari", TODAY)
    assert p.question == "Hoe tevreden bent u tot nu toe?" and p.closes_on == date(2027, 1, 10)


def test_english_keywords():
    p = c.parse_command("5 Which day suits you? options: monday | friday until 2027-01-08", TODAY)
    assert p.options == ("monday", "friday") and p.closes_on == date(2027, 1, 8)


@pytest.mark.parametrize("args", ["", "Wat vindt u ervan?", "x12 vraag"])
def test_parse_needs_a_topic_number(args):
    with pytest.raises(InvalidInput) as e:
        c.parse_command(args, TODAY)
    assert e.value.code == "signals.consultation.usage"


# --------------------------------------------------------------------------- opening and closing
def test_closes_at_the_end_of_the_last_day_in_the_council_zone():
    cons = _open(closes_on=date(2026, 12, 20))
    assert cons.closes == datetime(2026, 12, 21, 0, 0, tzinfo=AMS)
    assert cons.last_day == date(2026, 12, 20)
    assert cons.is_open(datetime(2026, 12, 20, 22, 59, tzinfo=timezone.utc))     # 23:59 in Amsterdam
    assert not cons.is_open(datetime(2026, 12, 20, 23, 0, tzinfo=timezone.utc))
    assert cons.due_to_close(datetime(2026, 12, 20, 23, 0, tzinfo=timezone.utc))


def test_default_duration_and_limits():
    cons = _open(closes_on=None)
    assert cons.last_day == TODAY + timedelta(days=c.DEFAULT_DAYS)
    with pytest.raises(InvalidInput) as e:
        _open(closes_on=TODAY)
    assert e.value.code == "signals.consultation.closes_past"
    assert _open(closes_on=TODAY + timedelta(days=c.MAX_DAYS)).last_day == TODAY + timedelta(days=c.MAX_DAYS)
    with pytest.raises(InvalidInput) as e:
        _open(closes_on=TODAY + timedelta(days=c.MAX_DAYS + 1))
    assert e.value.code == "signals.consultation.closes_far"


def test_today_is_the_councils_day_not_utc():
    # 23:30 UTC on 1 December is already 2 December in Amsterdam: "2 december" is no longer after today.
    late = datetime(2026, 12, 1, 23, 30, tzinfo=timezone.utc)
    with pytest.raises(InvalidInput):
        _open(closes_on=date(2026, 12, 2), now=late)


@pytest.mark.parametrize("options, code", [
    (("ja",), "signals.consultation.option_count"),
    (tuple("abcdefg"), "signals.consultation.option_count"),
    (("ja", " "), "signals.consultation.option_empty"),
    (("Ja", "ja"), "signals.consultation.option_duplicate"),
    (("ja", "x" * 81), "signals.consultation.option_long"),
])
def test_options_are_checked(options, code):
    with pytest.raises(InvalidInput) as e:
        _open(options=options)
    assert e.value.code == code


def test_question_is_checked():
    with pytest.raises(InvalidInput) as e:
        c.open_consultation(code=c.new_code(_rng()), topic_id=1, topic_title="T", question="Wat?", now=NOW)
    assert e.value.code == "signals.consultation.question_short"
    with pytest.raises(InvalidInput) as e:
        c.open_consultation(code=c.new_code(_rng()), topic_id=1, topic_title="T", question="x" * 501, now=NOW)
    assert e.value.code == "signals.consultation.question_long"


def test_close_is_idempotent_and_stops_answers():
    cons = _open()
    closed = cons.close(NOW + timedelta(days=1))
    assert closed.state is c.State.CLOSED and closed.closed_at == NOW + timedelta(days=1)
    assert closed.close(NOW + timedelta(days=2)) == closed
    assert not closed.is_open(NOW + timedelta(days=1, seconds=1))
    assert not closed.due_to_close(NOW + timedelta(days=40))
    with pytest.raises(Conflict) as e:
        c.validate_answer(closed, c.AnswerForm(option=1), NOW + timedelta(days=1, hours=1))
    assert e.value.code == "signals.consultation.closed"


def test_no_answer_after_the_closing_time():
    cons = _open()
    with pytest.raises(Conflict):
        c.validate_answer(cons, c.AnswerForm(option=1), cons.closes)
    assert c.validate_answer(cons, c.AnswerForm(option=1), cons.closes - timedelta(seconds=1)).answer.option == 0


def test_contact_retention_runs_from_closing():
    cons = _open()
    assert cons.contact_expires() == cons.closes + timedelta(days=c.CONTACT_RETENTION_DAYS)
    early = cons.close(NOW + timedelta(days=2))
    assert early.contact_expires(30) == NOW + timedelta(days=32)


# --------------------------------------------------------------------------- answers
def test_answer_text_is_scrubbed_before_storage_and_contact_kept_apart():
    cons = _open()
    form = c.AnswerForm(option="2", text="Ik ben Jan de Vries, bel 06-12345678 of mail jan@example.org. De regels zijn te streng.",
                        email="  Jan@Example.ORG ", name="Jan de Vries", consent=True)
    acc = c.validate_answer(cons, form, NOW)
    assert acc.answer.option == 1
    for secret in ("06-12345678", "jan@example.org", "Vries"):
        assert secret not in acc.answer.text
    assert "te streng" in acc.answer.text
    assert {"telefoon", "e-mail"} <= set(acc.answer.scrubbed_kinds)
    assert acc.contact == c.Contact(email="jan@example.org", name="Jan de Vries", phone=None)
    assert not hasattr(acc.answer, "email")


def test_anonymous_answer_has_no_contact():
    acc = c.validate_answer(_open(), c.AnswerForm(option=3), NOW)
    assert acc.contact is None and acc.answer.text == "" and acc.answer.option == 2


@pytest.mark.parametrize("form, code", [
    (c.AnswerForm(option="4"), "signals.consultation.option_unknown"),
    (c.AnswerForm(option="0"), "signals.consultation.option_unknown"),
    (c.AnswerForm(option="eens"), "signals.consultation.option_unknown"),
    (c.AnswerForm(text="   "), "signals.consultation.answer_choose"),
    (c.AnswerForm(option=1, text="x" * (c.MAX_ANSWER_CHARS + 1)), "signals.consultation.answer_long"),
    (c.AnswerForm(option=1, email="a@b.nl"), "signals.consultation.consent_required"),
    (c.AnswerForm(option=1, name="Piet", consent=True), "signals.consultation.email_required"),
    (c.AnswerForm(option=1, email="geen-adres", consent=True), "signals.consultation.email_invalid"),
    (c.AnswerForm(option=1, email="a@b.nl", phone="bel me", consent=True), "signals.consultation.phone_invalid"),
])
def test_answer_rules(form, code):
    with pytest.raises(InvalidInput) as e:
        c.validate_answer(_open(), form, NOW)
    assert e.value.code == code


def test_open_question_needs_text_and_takes_no_option():
    cons = _open(options=())
    with pytest.raises(InvalidInput) as e:
        c.validate_answer(cons, c.AnswerForm(text=""), NOW)
    assert e.value.code == "signals.consultation.answer_empty"
    with pytest.raises(InvalidInput):
        c.validate_answer(cons, c.AnswerForm(option=1, text="Prima"), NOW)
    assert c.validate_answer(cons, c.AnswerForm(text="Prima zo"), NOW).answer.option is None


def test_wijk_is_optional_and_resolved(rotterdam):
    cons = _open()
    assert c.validate_answer(cons, c.AnswerForm(option=1), NOW, neighbourhoods=rotterdam).answer.wijk is None
    acc = c.validate_answer(cons, c.AnswerForm(option=1, wijk="carnisse"), NOW, neighbourhoods=rotterdam)
    assert acc.answer.wijk == "Carnisse"
    with pytest.raises(InvalidInput) as e:
        c.validate_answer(cons, c.AnswerForm(option=1, wijk="Atlantis"), NOW, neighbourhoods=rotterdam)
    assert e.value.code == "signals.wijk_unknown"


def test_naive_time_is_refused():
    with pytest.raises(InvalidInput):
        c.validate_answer(_open(), c.AnswerForm(option=1), datetime(2026, 12, 2, 10))


# --------------------------------------------------------------------------- the summary
def _answers(cons, items, rotterdam=None):
    out = []
    for i, (option, text, wijk) in enumerate(items):
        form = c.AnswerForm(option=option, text=text, wijk=wijk)
        out.append(c.validate_answer(cons, form, NOW + timedelta(minutes=i), neighbourhoods=rotterdam).answer)
    return out


def test_summary_counts_themes_and_wijken(taxonomy, rotterdam):
    cons = _open()
    items = [(1, MAINTENANCE, "Carnisse"), (1, None, "Carnisse"), (2, NOISE, "Pendrecht"),
             (1, "De cv-ketel is al drie keer kapot geweest, de reparatie duurde steeds weken.", None),
             (None, CLEANING, "Carnisse"), (3, None, "Pendrecht"), (1, None, "Hillesluis")]
    rng = random.Random(3)
    rng.shuffle(items)          # order of arrival must not change the counts
    answers = _answers(cons, items, rotterdam)
    s = c.summarise_answers(cons.close(NOW + timedelta(days=1)), answers, taxonomy)
    assert s.final and s.total == 7 and s.open_answers == 4
    assert [(o.option, o.count) for o in s.options] == [("eens", 4), ("oneens", 1), ("weet niet", 1)]
    assert s.without_option == 1
    expected_themes = {}
    for a in answers:
        if a.text:
            t = classify(a.text, taxonomy)[0].theme_id
            expected_themes[t] = expected_themes.get(t, 0) + 1
    assert {t.theme_id: t.count for t in s.themes} == expected_themes
    assert s.themes[0].theme_id == "onderhoud" and s.themes[0].count == 2
    assert s.wijken == (("Carnisse", 3), ("Pendrecht", 2), ("Hillesluis", 1))
    assert s.wijk_unknown == 1
    assert s.closed_on == date(2026, 12, 2)


def test_quotes_are_few_short_scrubbed_and_cut_at_a_word(taxonomy):
    cons = _open(options=())
    long_tail = " De monteur kwam niet opdagen en niemand belde terug om het uit te leggen" * 4
    texts = [MAINTENANCE + long_tail, MAINTENANCE + " Bel mij op 06-12345678.",
             "De lekkage in de badkamer is nog steeds niet gerepareerd, de kraan lekt.",
             "Storing aan de verwarming, de reparatie laat op zich wachten.", MAINTENANCE + long_tail]
    # stored answers as a careless store might hold them: one still carries a phone number
    answers = [c.Answer(option=None, text=t, wijk=None, ts=NOW + timedelta(minutes=i)) for i, t in enumerate(texts)]
    s = c.summarise_answers(cons, answers, taxonomy, quote_chars=80)
    assert not s.final
    theme = next(t for t in s.themes if t.theme_id == "onderhoud")
    assert theme.count == 5 and 1 <= len(theme.quotes) <= c.QUOTES_PER_THEME
    assert len({q.lower() for q in theme.quotes}) == len(theme.quotes)
    for q in theme.quotes:
        assert len(q) <= 80 and "06-12345678" not in q
        if q.endswith("…"):
            stem = q[:-1].rstrip()
            source = next(t for t in texts if t.startswith(stem))
            assert source[len(stem)] in " ,.;:"        # cut between words, not inside one


def test_quote_settings_are_checked(taxonomy):
    with pytest.raises(InvalidInput):
        c.summarise_answers(_open(), [], taxonomy, quote_chars=5)


def test_empty_summary(taxonomy):
    s = c.summarise_answers(_open(), [], taxonomy)
    assert s.total == 0 and s.themes == () and s.wijken == ()
    assert [o.count for o in s.options] == [0, 0, 0]


def test_render_summary_in_dutch_and_english(taxonomy):
    cons = _open()
    answers = _answers(cons, [(1, "De <b>verwarming</b> is kapot, de storing en de reparatie duren lang.", "Carnisse"),
                              (2, None, None)])
    s = c.summarise_answers(cons.close(NOW), answers, taxonomy)
    nl = c.render_summary(s, Rich(), "nl", taxonomy=taxonomy)
    assert "Raadpleging gesloten: Tuinregels" in nl.body
    assert "• eens: 1" in nl.body and "• oneens: 1" in nl.body
    assert "Onderhoud & reparaties: 1" in nl.body
    assert "> De <b>verwarming</b> is kapot" in nl.body
    assert "Carnisse: 1" in nl.body and "wijk niet opgegeven: 1" in nl.body
    assert "<b>" not in nl.html and "&lt;b&gt;verwarming" in nl.html
    en = c.render_summary(s, Rich(), "en", taxonomy=taxonomy)
    assert "Consultation closed: Tuinregels" in en.body and "Maintenance & repairs: 1" in en.body
    bg = c.background_text(s, "nl", taxonomy=taxonomy)
    assert "2 antwoorden" in bg and "eens: 1" in bg and "dinsdag 1 december 2026" in bg
    assert s.to_dict()["options"] == [{"option": "eens", "count": 1}, {"option": "oneens", "count": 1},
                                      {"option": "weet niet", "count": 0}]


def test_progress_message():
    code, params = c.progress_message(_open(), 4, "nl")
    assert i18n.t(code, "nl", **params) == "Raadpleging loopt tot en met zondag 20 december 2026: 4 antwoorden tot nu toe."


def test_catalog_languages_match():
    for cat in (c.CATALOG, su.CATALOG):
        assert set(cat["nl"]) == set(cat["en"])
        for code in cat["nl"]:
            assert sorted(re.findall(r"{(\w+)}", cat["nl"][code])) == sorted(re.findall(r"{(\w+)}", cat["en"][code]))


# --------------------------------------------------------------------------- sign-up
START = datetime(2026, 12, 10, 18, 30, tzinfo=timezone.utc)


def _tokens(seed: int = 11):
    rnd = _rng(seed)
    while True:
        yield su.new_token(rnd)


def _full_list(capacity=2, people=("a@x.nl", "b@x.nl", "c@x.nl", "d@x.nl")):
    lst = su.new_signup_list("event:7", capacity, START)
    tokens = _tokens()
    regs = []
    for i, email in enumerate(people):
        lst, reg = lst.sign_up(email, next(tokens), NOW + timedelta(minutes=i))
        regs.append(reg)
    return lst, regs


def test_places_then_waiting_list_in_order():
    lst, regs = _full_list()
    assert [r.state for r in regs] == [su.SeatState.CONFIRMED, su.SeatState.CONFIRMED,
                                       su.SeatState.WAITING, su.SeatState.WAITING]
    assert lst.counts() == su.Counts(capacity=2, confirmed=2, waiting=2, places_left=0)
    assert [r.token for r in lst.waiting] == [regs[2].token, regs[3].token]
    assert lst.position(regs[3].token) == 2 and lst.position(regs[0].token) is None
    assert su.places_message(lst) == ("signals.signup.full", {"capacity": 2, "waiting": 2})


def test_cancelling_a_place_moves_the_first_waiting_person_up():
    lst, regs = _full_list()
    later = NOW + timedelta(hours=1)
    lst, moved = lst.cancel(regs[0].token, later)
    assert [r.token for r in moved] == [regs[2].token]
    assert moved[0].state is su.SeatState.CONFIRMED and moved[0].moved_up == later
    assert lst.find(regs[0].token).state is su.SeatState.CANCELLED
    assert [r.token for r in lst.waiting] == [regs[3].token] and lst.position(regs[3].token) == 1
    again, moved_again = lst.cancel(regs[0].token, later)
    assert again == lst and moved_again == ()


def test_cancelling_from_the_waiting_list_moves_nobody():
    lst, regs = _full_list()
    lst, moved = lst.cancel(regs[2].token, NOW + timedelta(hours=1))
    assert moved == () and lst.counts().waiting == 1 and lst.counts().confirmed == 2


def test_same_address_cannot_sign_up_twice_but_may_after_cancelling():
    lst, regs = _full_list(capacity=5, people=("Anna@Example.org",))
    tokens = _tokens(99)
    with pytest.raises(Conflict) as e:
        lst.sign_up("  anna@example.ORG ", next(tokens), NOW)
    assert e.value.code == "signals.signup.duplicate"
    lst, _ = lst.cancel(regs[0].token, NOW)
    lst, again = lst.sign_up("anna@example.org", next(tokens), NOW)
    assert again.state is su.SeatState.CONFIRMED


def test_list_holds_no_address():
    lst, regs = _full_list(people=("anna@example.org",))
    assert "anna" not in repr(lst) and regs[0].email_key == su.email_key("ANNA@example.org")


def test_places_left_and_more_capacity():
    lst, regs = _full_list(capacity=3)
    assert lst.places_left == 0 and lst.counts().waiting == 1
    lst, moved = lst.with_capacity(6, NOW)
    assert [r.token for r in moved] == [regs[3].token] and lst.places_left == 2
    code, params = su.places_message(lst)
    assert i18n.t(code, "nl", **params) == "Nog 2 van 6 plaatsen vrij."
    lst, moved = lst.with_capacity(1, NOW)      # fewer places take nobody's place away
    assert moved == () and lst.counts().confirmed == 4 and lst.places_left == 0
    with pytest.raises(InvalidInput):
        lst.with_capacity(0, NOW)


def test_no_sign_up_or_cancel_once_begun():
    lst, regs = _full_list()
    with pytest.raises(Conflict):
        lst.sign_up("z@x.nl", "t" * 24, START)
    with pytest.raises(Conflict):
        lst.cancel(regs[0].token, START + timedelta(minutes=5))
    with pytest.raises(NotFound):
        lst.find("unknown")


def test_reminders_once_within_the_day_before():
    lst, regs = _full_list()
    assert lst.reminders_due(START - timedelta(days=2)) == ()
    due = lst.reminders_due(START - timedelta(hours=20))
    assert [r.token for r in due] == [regs[0].token, regs[1].token]
    lst = lst.mark_reminded({r.token for r in due}, START - timedelta(hours=20))
    assert lst.reminders_due(START - timedelta(hours=10)) == ()
    assert lst.reminders_due(START) == ()


def test_tokens_are_unguessable_and_seeded():
    a, b = _tokens(5), _tokens(5)
    first = [next(a) for _ in range(50)]
    assert first == [next(b) for _ in range(50)] and len(set(first)) == 50
    assert all(len(t) * 5 >= 96 for t in first)
