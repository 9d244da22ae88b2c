from django import template
from django.utils import translation

from masthead.core.dates import format_edition_date, format_edition_month, localize_digits

register = template.Library()


@register.filter
def edition_date(value, style="long"):
    """Print a date as the active edition does; style "short" leaves out the weekday."""
    if not value:
        return ""
    return format_edition_date(value, translation.get_language(), weekday=style != "short")


@register.filter
def edition_month(value):
    return format_edition_month(value, translation.get_language()) if value else ""


@register.filter
def edition_digits(value):
    """Write numbers in the edition's digits: Persian digits in the Persian edition."""
    return localize_digits(value, translation.get_language())


@register.simple_tag(takes_context=True)
def paper_name(context):
    site_settings = context["site_settings"]
    return site_settings.name_for(translation.get_language())


@register.simple_tag(takes_context=True)
def paper_tagline(context):
    site_settings = context["site_settings"]
    return site_settings.tagline_for(translation.get_language())
