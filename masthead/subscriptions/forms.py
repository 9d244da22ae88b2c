from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Plan


class CheckoutForm(forms.Form):
    """The reader's choices at checkout: currency, how to pay, and where to post the paper."""

    BY_CARD = "card"
    BY_HAND = "manual"

    currency = forms.ChoiceField(label=_("Currency"))
    payment = forms.ChoiceField(
        label=_("How would you like to pay?"),
        widget=forms.RadioSelect,
        choices=[
            (BY_CARD, _("By card, now")),
            (BY_HAND, _("By bank transfer or cheque")),
        ],
    )
    postal_address = forms.CharField(
        label=_("Postal address for the printed paper"),
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "street-address"}),
        max_length=500,
        required=False,
    )

    def __init__(self, *args, plan: Plan, card_payments: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        prices = list(plan.prices.all())
        self.fields["currency"].choices = [(p.currency, f"{p.amount} {p.currency}") for p in prices]
        if len(prices) == 1:
            self.fields["currency"].initial = prices[0].currency
        self.card_currencies = {p.currency for p in prices if p.stripe_price_id}
        if not card_payments or not self.card_currencies:
            self.fields["payment"].choices = [(self.BY_HAND, _("By bank transfer or cheque"))]
            self.fields["payment"].initial = self.BY_HAND
        if plan.includes_print:
            self.fields["postal_address"].required = True
        else:
            del self.fields["postal_address"]

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("payment") == self.BY_CARD
            and cleaned.get("currency")
            and cleaned["currency"] not in self.card_currencies
        ):
            self.add_error(
                "currency", _("Card payments are not available in this currency; pay by hand.")
            )
        return cleaned
