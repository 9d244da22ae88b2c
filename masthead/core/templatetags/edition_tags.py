from django import template
from django.utils import translation
from django.utils.encoding import uri_to_iri

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


@register.filter
def iri(url):
    """A link's address in its own letters: a Persian slug's percent-encoding decoded.

    Each Persian letter is six bytes percent-encoded and two in UTF-8, and the menus and
    cards of a Persian page hold dozens of such links (4 KB of an article). HTML allows
    any character in an href, and the browser encodes it again when it follows the link,
    so only the page's weight changes; characters that mean something in an address
    (`/ ? # % &`, spaces) stay encoded. For links in the page only: headers, sitemaps
    and feeds keep the encoded form.
    """
    return uri_to_iri(url) if url else url


@register.simple_tag(takes_context=True)
def paper_name(context):
    site_settings = context["site_settings"]
    return site_settings.name_for(translation.get_language())


@register.simple_tag(takes_context=True)
def paper_tagline(context):
    site_settings = context["site_settings"]
    return site_settings.tagline_for(translation.get_language())
