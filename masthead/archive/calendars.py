"""The two calendars the archive is browsed by, and the periods (year, month, day) in them.

The English edition counts Gregorian years and months, the Persian edition Solar Hijri ones
(jdatetime does the arithmetic). A period knows its first and last day as Gregorian dates,
which is all the database needs: every query asks for a range of `first_published_at`.
"""

import datetime
from dataclasses import dataclass
from functools import cached_property

import jdatetime
from django.utils import dateformat, timezone, translation

from masthead.core.dates import is_persian


class Calendar:
    """Gregorian: the English edition's calendar."""

    key = "gregorian"

    def to_gregorian(self, year: int, month: int, day: int) -> datetime.date:
        """Return the Gregorian date; ValueError when the date does not exist."""
        return datetime.date(year, month, day)

    def from_gregorian(self, value: datetime.date) -> tuple[int, int, int]:
        return value.year, value.month, value.day

    def month_name(self, month: int) -> str:
        with translation.override("en"):
            return dateformat.format(datetime.date(2000, month, 1), "F")


class SolarHijriCalendar(Calendar):
    """Solar Hijri (Jalali): the Persian edition's calendar."""

    key = "jalali"

    def to_gregorian(self, year: int, month: int, day: int) -> datetime.date:
        return jdatetime.date(year, month, day).togregorian()

    def from_gregorian(self, value: datetime.date) -> tuple[int, int, int]:
        jalali = jdatetime.date.fromgregorian(date=value)
        return jalali.year, jalali.month, jalali.day

    def month_name(self, month: int) -> str:
        return jdatetime.date.j_months_fa[month - 1]


GREGORIAN = Calendar()
SOLAR_HIJRI = SolarHijriCalendar()


def calendar_for(language: str | None = None) -> Calendar:
    return SOLAR_HIJRI if is_persian(language or translation.get_language()) else GREGORIAN


@dataclass(frozen=True)
class Period:
    """A year, a month or a day of one calendar: `month` and `day` narrow it down."""

    calendar: Calendar
    year: int
    month: int | None = None
    day: int | None = None

    @classmethod
    def containing(cls, calendar: Calendar, value: datetime.date, kind: str) -> "Period":
        """Return the year, month or day (`kind`) of the calendar that holds the date."""
        year, month, day = calendar.from_gregorian(value)
        if kind == "year":
            return cls(calendar, year)
        if kind == "month":
            return cls(calendar, year, month)
        return cls(calendar, year, month, day)

    @property
    def kind(self) -> str:
        if self.month is None:
            return "year"
        return "month" if self.day is None else "day"

    @cached_property
    def start(self) -> datetime.date:
        """The first Gregorian day of the period; ValueError when the period does not exist."""
        return self.calendar.to_gregorian(self.year, self.month or 1, self.day or 1)

    @cached_property
    def end(self) -> datetime.date:
        """The first Gregorian day after the period."""
        return self.next_sibling().start

    @property
    def middle(self) -> datetime.date:
        """The period's middle day. The two calendars' months and years overlap two of the
        other's; the one holding the middle shares most days with this one, and maps back."""
        return self.start + (self.end - self.start) / 2

    def counterpart(self, calendar: Calendar) -> "Period":
        """The period of the same kind in `calendar` sharing most days with this one."""
        if calendar is self.calendar:
            return self
        return Period.containing(calendar, self.middle, self.kind)

    def next_sibling(self) -> "Period":
        """The period of the same kind that follows this one."""
        if self.kind == "year":
            return Period(self.calendar, self.year + 1)
        if self.kind == "month":
            if self.month == 12:
                return Period(self.calendar, self.year + 1, 1)
            return Period(self.calendar, self.year, self.month + 1)
        return Period.containing(self.calendar, self.start + datetime.timedelta(days=1), "day")

    def previous_sibling(self) -> "Period":
        if self.kind == "year":
            return Period(self.calendar, self.year - 1)
        if self.kind == "month":
            if self.month == 1:
                return Period(self.calendar, self.year - 1, 12)
            return Period(self.calendar, self.year, self.month - 1)
        return Period.containing(self.calendar, self.start - datetime.timedelta(days=1), "day")

    def children(self) -> list["Period"]:
        """The months of a year or the days of a month, in order."""
        if self.kind == "year":
            return [Period(self.calendar, self.year, month) for month in range(1, 13)]
        if self.kind == "month":
            days = (self.end - self.start).days
            return [Period(self.calendar, self.year, self.month, d) for d in range(1, days + 1)]
        return []

    def exists(self) -> bool:
        try:
            self.start  # noqa: B018 - computing it is the check
        except ValueError:
            return False
        return True

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The period as aware datetimes in the paper's time zone: [start, end)."""
        return local_midnight(self.start), local_midnight(self.end)

    @property
    def month_name(self) -> str:
        return self.calendar.month_name(self.month) if self.month else ""


def local_midnight(value: datetime.date) -> datetime.datetime:
    """The first moment of a day in the paper's time zone, where publication days are counted."""
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time.min))
