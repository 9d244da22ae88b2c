import datetime
import zoneinfo

import pytest

from masthead.core.dates import (
    format_edition_date,
    format_edition_month,
    persian_digits,
    to_jalali,
)


@pytest.mark.parametrize(
    ("gregorian", "jalali"),
    [
        (datetime.date(2026, 3, 9), (1404, 12, 18)),  # the reference page's date
        (datetime.date(2026, 3, 21), (1405, 1, 1)),  # Nowruz
        (datetime.date(1970, 1, 1), (1348, 10, 11)),  # the paper's first year
        (datetime.date(2024, 3, 20), (1403, 1, 1)),  # Nowruz after a leap year
        (datetime.date(2025, 3, 20), (1403, 12, 30)),  # 1403 is leap: Esfand has 30 days
    ],
)
def test_jalali_conversion(gregorian, jalali):
    converted = to_jalali(gregorian)
    assert (converted.year, converted.month, converted.day) == jalali


def test_persian_digits():
    assert persian_digits("1970-2026") == "۱۹۷۰-۲۰۲۶"
    assert persian_digits(45) == "۴۵"


def test_english_date_as_on_the_reference_page():
    assert format_edition_date(datetime.date(2026, 3, 9), "en") == "Monday, March 9, 2026"
    assert format_edition_date(datetime.date(2026, 3, 9), "en", weekday=False) == "March 9, 2026"


def test_persian_date_has_jalali_month_weekday_and_persian_digits():
    assert format_edition_date(datetime.date(2026, 3, 9), "fa") == "دوشنبه ۱۸ اسفند ۱۴۰۴"
    assert format_edition_date(datetime.date(2026, 3, 9), "fa", weekday=False) == "۱۸ اسفند ۱۴۰۴"


def test_aware_datetimes_use_the_site_time_zone(settings):
    settings.TIME_ZONE = "America/New_York"
    # 02:00 UTC on 10 March is still 9 March in Washington.
    moment = datetime.datetime(2026, 3, 10, 2, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    assert format_edition_date(moment, "en") == "Monday, March 9, 2026"


def test_month_headings():
    assert format_edition_month(datetime.date(2026, 3, 9), "en") == "March 2026"
    assert format_edition_month(datetime.date(2026, 3, 9), "fa") == "اسفند ۱۴۰۴"
