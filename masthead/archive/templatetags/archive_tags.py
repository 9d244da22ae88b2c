from django import template
from django.utils import translation

from masthead.core.dates import format_edition_date, format_edition_month, localize_digits

from ..calendars import Period

register = template.Library()


@register.filter
def period_label(period: Period) -> str:
    """The period as a list of its siblings names it: "2011", "March", "9" (or in Persian)."""
    language = translation.get_language()
    if period.kind == "year":
        return localize_digits(period.year, language)
    if period.kind == "month":
        return period.month_name
    return localize_digits(period.day, language)


@register.filter
def period_title(period: Period) -> str:
    """The period as a heading names it: "2011", "March 2011", "Wednesday, March 9, 2011"."""
    language = translation.get_language()
    if period.kind == "year":
        return localize_digits(period.year, language)
    if period.kind == "month":
        return format_edition_month(period.start, language)
    return format_edition_date(period.start, language)
