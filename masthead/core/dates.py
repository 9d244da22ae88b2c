"""Dates as each edition prints them: Gregorian in English, Solar Hijri in Persian."""

import datetime

import jdatetime
from django.utils import dateformat, timezone, translation

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def persian_digits(value: object) -> str:
    """Return value as text with ASCII digits written as Persian digits."""
    return str(value).translate(PERSIAN_DIGITS)


def localize_digits(value: object, language: str | None = None) -> str:
    """Return value as text, in Persian digits when the edition is Persian."""
    language = language or translation.get_language()
    return persian_digits(value) if is_persian(language) else str(value)


def is_persian(language: str | None) -> bool:
    return bool(language) and language.split("-")[0] == "fa"


def _as_local_date(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date()
    return value


def to_jalali(value: datetime.date | datetime.datetime) -> jdatetime.date:
    """Convert a Gregorian date (or aware datetime, in the site's time zone) to Solar Hijri."""
    return jdatetime.date.fromgregorian(date=_as_local_date(value))


def format_edition_date(
    value: datetime.date | datetime.datetime,
    language: str | None = None,
    *,
    weekday: bool = True,
) -> str:
    """Format a date for the edition: "Monday, March 9, 2026" or "دوشنبه ۱۸ اسفند ۱۴۰۴"."""
    language = language or translation.get_language()
    day = _as_local_date(value)
    if is_persian(language):
        jalali = to_jalali(day)
        text = f"{jalali.day} {jdatetime.date.j_months_fa[jalali.month - 1]} {jalali.year}"
        if weekday:
            text = f"{jdatetime.date.j_weekdays_fa[jalali.weekday()]} {text}"
        return persian_digits(text)
    with translation.override("en"):
        return dateformat.format(day, "l, F j, Y" if weekday else "F j, Y")


def format_edition_month(value: datetime.date, language: str | None = None) -> str:
    """Format a month heading for archives: "March 2026" or "اسفند ۱۴۰۴"."""
    language = language or translation.get_language()
    if is_persian(language):
        jalali = to_jalali(value)
        return persian_digits(f"{jdatetime.date.j_months_fa[jalali.month - 1]} {jalali.year}")
    with translation.override("en"):
        return dateformat.format(value, "F Y")


def today() -> datetime.date:
    return timezone.localdate()
