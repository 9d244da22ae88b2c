"""The staff's forms in the Wagtail admin: a manual payment, and extending a subscription."""

import datetime
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    Plan,
    Subscription,
    SubscriptionState,
)
from .services import PAYMENT_METHODS_BY_HAND

# Methods whose money arrives with a number staff can quote: the reference is what keeps a
# second submission of the same cheque from counting twice.
METHODS_NEEDING_A_REFERENCE = {PaymentMethod.BANK_TRANSFER, PaymentMethod.CHEQUE}


class ManualPaymentForm(forms.Form):
    """Money received by hand (cheque, transfer, cash) or a complimentary subscription."""

    reader = forms.CharField(
        label=_("Reader"),
        max_length=254,
        help_text=_("The reader's username or email address."),
    )
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=Plan.objects.none())
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Leave empty to use the plan's price in the currency below."),
    )
    currency = forms.CharField(
        label=_("Currency"),
        max_length=3,
        required=False,
        help_text=_("ISO 4217 code; leave empty for the plan's first price."),
    )
    method = forms.ChoiceField(
        label=_("Paid by"), choices=[(m.value, m.label) for m in PAYMENT_METHODS_BY_HAND]
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=255,
        required=False,
        help_text=_(
            "Cheque number or bank reference. The same method and reference are never "
            "counted twice."
        ),
    )
    order = forms.CharField(
        label=_("Order"),
        max_length=16,
        required=False,
        help_text=_("The reader's order reference (MH-…), when the payment answers one."),
    )
    postal_address = forms.CharField(
        label=_("Postal address"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=500,
        required=False,
        help_text=_("For plans with the printed paper; kept from the order or the current one."),
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = Plan.objects.prefetch_related("prices")
        self.earlier_payment: Payment | None = None

    def clean_reader(self):
        given = self.cleaned_data["reader"].strip()
        users = get_user_model().objects.filter(is_active=True)
        matches = list(users.filter(username__iexact=given)[:2])
        if not matches:
            matches = list(users.filter(email__iexact=given)[:2])
        if not matches:
            raise forms.ValidationError(
                _("No reader has the username or email “%(reader)s”."), params={"reader": given}
            )
        if len(matches) > 1:
            raise forms.ValidationError(
                _("Several readers use the email “%(reader)s”; give the username instead."),
                params={"reader": given},
            )
        return matches[0]

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()

    def clean_reference(self):
        return self.cleaned_data["reference"].strip()

    def clean_order(self):
        reference = self.cleaned_data["order"].strip().upper()
        if not reference:
            return None
        order = Order.objects.filter(reference=reference).select_related("plan", "user").first()
        if order is None:
            raise forms.ValidationError(
                _("There is no order “%(order)s”."), params={"order": reference}
            )
        return order

    def clean(self):
        cleaned = super().clean()
        method, reference = cleaned.get("method"), cleaned.get("reference", "")
        if method in METHODS_NEEDING_A_REFERENCE and not reference:
            self.add_error(
                "reference", _("A cheque or bank transfer needs its number as the reference.")
            )
        if method and reference:
            self.earlier_payment = (
                Payment.objects.filter(method=method, reference=reference)
                .select_related("user", "subscription")
                .first()
            )
        reader, plan, order = cleaned.get("reader"), cleaned.get("plan"), cleaned.get("order")
        if plan is not None:
            self._clean_price(cleaned, plan, method)
        if order is not None and reader is not None and plan is not None:
            self._clean_order(order, reader, plan)
        if plan is not None and reader is not None and plan.includes_print:
            self._clean_postal_address(cleaned, reader, plan, order)
        return cleaned

    def _clean_price(self, cleaned, plan, method):
        prices = list(plan.prices.all())
        currency = cleaned.get("currency") or (prices[0].currency if prices else "")
        price = plan.price_in(currency) if currency else None
        if price is None:
            self.add_error(
                "currency",
                _("The plan “%(plan)s” has no price in %(currency)s.")
                % {"plan": plan, "currency": currency or "—"},
            )
            return
        cleaned["currency"] = price.currency
        amount = cleaned.get("amount")
        if amount is None:
            if "amount" in self.errors:
                return
            amount = cleaned["amount"] = price.amount
        if amount < 0 or (amount == 0 and method != PaymentMethod.COMPLIMENTARY):
            self.add_error(
                "amount",
                _("The amount must be more than zero; choose “Complimentary” for a free one."),
            )
        if method == PaymentMethod.COMPLIMENTARY and amount != 0:
            cleaned["amount"] = Decimal("0")

    def _clean_order(self, order, reader, plan):
        if order.user_id != reader.pk:
            self.add_error(
                "order",
                _("Order %(order)s belongs to another reader.") % {"order": order.reference},
            )
        elif order.plan_id != plan.pk:
            self.add_error(
                "order",
                _("Order %(order)s is for the plan “%(plan)s”.")
                % {"order": order.reference, "plan": order.plan},
            )
        elif order.status != OrderStatus.AWAITING_PAYMENT and self.earlier_payment is None:
            self.add_error(
                "order",
                _("Order %(order)s is not awaiting payment (%(status)s).")
                % {"order": order.reference, "status": order.get_status_display()},
            )

    def _clean_postal_address(self, cleaned, reader, plan, order):
        cleaned["postal_address"] = cleaned.get("postal_address", "").strip()
        if cleaned["postal_address"] or (order and order.postal_address):
            return
        has_one = (
            Subscription.objects.filter(user=reader, plan=plan)
            .exclude(state=SubscriptionState.ENDED)
            .exclude(postal_address="")
            .exists()
        )
        if not has_one:
            self.add_error(
                "postal_address", _("The printed paper needs the address to post it to.")
            )

    @classmethod
    def initial_for(cls, order: Order | None = None, plan: Plan | None = None) -> dict:
        """Values that pre-fill the form for an order awaiting payment, or for a plan."""
        if order is not None:
            return {
                "reader": order.user.username,
                "plan": order.plan_id,
                "amount": order.amount,
                "currency": order.currency,
                "method": PaymentMethod.BANK_TRANSFER,
                "order": order.reference,
                "postal_address": order.postal_address,
            }
        if plan is not None:
            price = next(iter(plan.prices.all()), None)
            initial = {"plan": plan.pk}
            if price is not None:
                initial.update(amount=price.amount, currency=price.currency)
            return initial
        return {}


class ExtendForm(forms.Form):
    """The date a subscription is paid until, at the end of that day in the paper's time."""

    until = forms.DateField(label=_("Extend until"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean_until(self):
        day = self.cleaned_data["until"]
        if day <= timezone.localdate():
            raise forms.ValidationError(_("Choose a date after today."))
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))
