"""Plans and prices as the active edition prints them."""

from decimal import Decimal

from django import template
from django.utils import translation
from django.utils.translation import gettext as _

from masthead.core.dates import localize_digits

register = template.Library()

CURRENCY_SIGNS = {"GBP": "£", "USD": "$", "EUR": "€"}


@register.filter
def plan_name(plan) -> str:
    return plan.name_for(translation.get_language())


@register.filter
def plan_description(plan) -> str:
    return plan.description_for(translation.get_language())


@register.filter
def money(amount: Decimal, currency: str) -> str:
    """£9.50, or 1,200,000 IRR: whole amounts lose their pence, digits follow the edition."""
    if amount is None:
        return ""
    amount = Decimal(amount)
    number = f"{amount:,.0f}" if amount == amount.to_integral() else f"{amount:,.2f}"
    sign = CURRENCY_SIGNS.get(currency)
    text = f"{sign}{number}" if sign else f"{number} {currency}"
    return localize_digits(text, translation.get_language())


@register.filter
def per_interval(plan) -> str:
    if plan.interval == "month":
        return _("a month")
    if plan.interval == "year":
        return _("a year")
    return ""
