"""Dates as members read them (``shared.i18n.format_pattern``) say exactly what Babel, with CLDR's data,
would say: every day of three years, every pattern Overleg uses, both languages. Babel is the oracle
here and is not loaded by the running processes (see ``shared.i18n``)."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from babel import Locale
from babel.dates import format_date, format_datetime

from shared import i18n

LOCALES = {"nl": "nl_NL", "en": "en_GB"}
DATE_PATTERNS = ["EEEE d MMMM y", "EEE d MMM", "d MMM y", "dd-MM-yyyy", "d 'om' M"]
DAYS = [date(2026, 1, 1) + timedelta(days=n) for n in range(3 * 366)]


@pytest.mark.parametrize("lang", sorted(LOCALES))
def test_the_names_are_cldrs(lang):
    locale = Locale.parse(LOCALES[lang])
    names = i18n._NAMES[lang]
    assert names["EEEE"] == tuple(locale.days["format"]["wide"][i] for i in range(7))
    assert names["EEE"] == tuple(locale.days["format"]["abbreviated"][i] for i in range(7))
    assert names["MMMM"] == tuple(locale.months["format"]["wide"][m] for m in range(1, 13))
    assert names["MMM"] == tuple(locale.months["format"]["abbreviated"][m] for m in range(1, 13))


@pytest.mark.parametrize("lang", sorted(LOCALES))
@pytest.mark.parametrize("pattern", DATE_PATTERNS)
def test_every_day_of_three_years_reads_as_babel_writes_it(lang, pattern):
    for day in DAYS:
        assert i18n.format_pattern(day, pattern, lang) == format_date(day, format=pattern, locale=LOCALES[lang])


@pytest.mark.parametrize("lang", sorted(LOCALES))
def test_a_moment_reads_in_its_own_time_zone_as_babel_writes_it(lang):
    zone = ZoneInfo("Europe/Amsterdam")
    for n in range(0, 3 * 366 * 24, 7):  # every 7th hour: every hour of the day, both sides of DST
        moment = datetime(2026, 1, 1, tzinfo=zone) + timedelta(hours=n, minutes=n % 60)
        assert i18n.fmt_datetime(moment, lang) == format_datetime(
            moment, format="EEEE d MMMM y, HH:mm", locale=LOCALES[lang], tzinfo=moment.tzinfo)
        assert i18n.format_pattern(moment, "EEE d MMM 'om' H:mm", lang) == format_datetime(
            moment, format="EEE d MMM 'om' H:mm", locale=LOCALES[lang], tzinfo=moment.tzinfo)
    assert i18n.fmt_date(date(2026, 12, 4), lang) == format_date(date(2026, 12, 4), format="EEEE d MMMM y",
                                                                 locale=LOCALES[lang])


def test_an_unknown_language_reads_dutch_and_an_unsupported_field_is_refused():
    assert i18n.fmt_date(date(2026, 12, 4), "fr") == "vrijdag 4 december 2026"
    assert i18n.fmt_date(date(2026, 12, 4), "en") == "Friday 4 December 2026"
    with pytest.raises(ValueError):
        i18n.format_pattern(date(2026, 12, 4), "QQQ y")
