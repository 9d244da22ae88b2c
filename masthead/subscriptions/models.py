"""Plans, subscriptions, payments, unlocks, gift links, site licences and the meter.

Everything a reader is entitled to is a row here; `access.py` reads these rows to decide
what a reader may read, and `services.py` is the only place that writes them.
"""

import datetime
import ipaddress
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page

from masthead.content.blocks import PageBodyBlock
from masthead.core.dates import is_persian
from masthead.core.pages import CachedPrivacyCheckMixin


@register_setting(icon="lock")
class PaywallSettings(BaseSiteSetting):
    """The numbers the paywall runs on; staff change them without a deploy."""

    preview_paragraphs = models.PositiveSmallIntegerField(
        _("free preview paragraphs"),
        default=3,
        help_text=_(
            "Blocks of a premium article shown to readers without access when the editor "
            "placed no 'free preview ends here' marker."
        ),
    )
    meter_anonymous = models.PositiveSmallIntegerField(
        _("free premium articles for visitors"),
        default=3,
        help_text=_("Per 30 days, for readers who are not signed in; 0 turns the meter off."),
    )
    meter_registered = models.PositiveSmallIntegerField(
        _("free premium articles for registered readers"),
        default=5,
        help_text=_("Per calendar month, for signed-in readers; 0 turns the meter off."),
    )
    gift_links_per_month = models.PositiveSmallIntegerField(
        _("gift links per subscriber per month"), default=5
    )
    gift_link_days = models.PositiveSmallIntegerField(
        _("days a gift link stays open"), default=7, validators=[MinValueValidator(1)]
    )
    grace_days = models.PositiveSmallIntegerField(
        _("grace period after a failed payment, in days"), default=7
    )
    bank_details = models.TextField(
        _("how to pay by bank transfer or cheque"),
        blank=True,
        help_text=_("Shown to readers who choose to pay by hand, with their order's reference."),
    )
    bank_details_fa = models.TextField(_("the same, in Persian"), blank=True)

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("preview_paragraphs"),
                FieldRowPanel([FieldPanel("meter_anonymous"), FieldPanel("meter_registered")]),
            ],
            heading=_("Free reading"),
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("gift_links_per_month"), FieldPanel("gift_link_days")])],
            heading=_("Gift links"),
        ),
        MultiFieldPanel(
            [FieldPanel("grace_days"), FieldPanel("bank_details"), FieldPanel("bank_details_fa")],
            heading=_("Payments"),
        ),
    ]

    class Meta:
        verbose_name = _("paywall settings")

    def bank_details_for(self, language: str) -> str:
        return (is_persian(language) and self.bank_details_fa) or self.bank_details


# Plans -----------------------------------------------------------------------------------


class PlanKind(models.TextChoices):
    SUBSCRIPTION = "subscription", _("Subscription")
    UNLOCK_PACK = "unlock_pack", _("Unlock pack")


class PlanInterval(models.TextChoices):
    MONTH = "month", _("Monthly")
    YEAR = "year", _("Annual")


class Plan(ClusterableModel):
    """Something a reader can buy: a periodic subscription or a pack of article unlocks."""

    name = models.CharField(_("name"), max_length=100)
    name_fa = models.CharField(_("name in Persian"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_fa = models.TextField(_("description in Persian"), blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=PlanKind.choices)
    interval = models.CharField(_("renews"), max_length=8, choices=PlanInterval.choices, blank=True)
    includes_print = models.BooleanField(
        _("includes the printed paper"),
        default=False,
        help_text=_("Print plus digital: the reader gives a postal address at checkout."),
    )
    unlocks = models.PositiveSmallIntegerField(
        _("unlocks in the pack"), default=0, help_text=_("Unlock packs only.")
    )
    is_active = models.BooleanField(
        _("on sale"), default=True, help_text=_("Plans off sale keep their subscribers.")
    )
    sort_order = models.PositiveSmallIntegerField(_("order on the Subscription page"), default=0)

    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("name_fa")]),
        FieldRowPanel([FieldPanel("description"), FieldPanel("description_fa")]),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("interval")]),
        FieldRowPanel([FieldPanel("includes_print"), FieldPanel("unlocks")]),
        FieldRowPanel([FieldPanel("is_active"), FieldPanel("sort_order")]),
        InlinePanel("prices", label=_("Prices"), min_num=1),
    ]

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.kind == PlanKind.SUBSCRIPTION and not self.interval:
            raise ValidationError({"interval": _("A subscription renews monthly or yearly.")})
        if self.kind == PlanKind.UNLOCK_PACK:
            if not self.unlocks:
                raise ValidationError({"unlocks": _("An unlock pack holds at least one unlock.")})
            if self.interval or self.includes_print:
                raise ValidationError(
                    _("An unlock pack is bought once: no renewal and no printed paper.")
                )

    def name_for(self, language: str) -> str:
        return (is_persian(language) and self.name_fa) or self.name

    def description_for(self, language: str) -> str:
        return (is_persian(language) and self.description_fa) or self.description

    @property
    def is_subscription(self) -> bool:
        return self.kind == PlanKind.SUBSCRIPTION

    def period_end_after(self, start: datetime.datetime) -> datetime.datetime:
        """When one paid period that begins at `start` ends."""
        months = 12 if self.interval == PlanInterval.YEAR else 1
        return add_months(start, months)

    def price_in(self, currency: str) -> "PlanPrice | None":
        return next((p for p in self.prices.all() if p.currency == currency.upper()), None)


def add_months(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day and time `months` later; the 31st becomes the month's last day."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    for day in range(moment.day, 27, -1):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    return moment.replace(year=year, month=month, day=min(moment.day, 28))


class PlanPrice(Orderable):
    """One price of a plan, in one currency; Stripe's price id when it is sold there too."""

    plan = ParentalKey(Plan, on_delete=models.CASCADE, related_name="prices")
    currency = models.CharField(
        _("currency"), max_length=3, help_text=_("ISO 4217 code, such as GBP, EUR or IRR.")
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    stripe_price_id = models.CharField(
        _("Stripe price id"),
        max_length=100,
        blank=True,
        help_text=_("price_…: readers may pay by card when it is set."),
    )

    panels = [
        FieldRowPanel([FieldPanel("currency"), FieldPanel("amount")]),
        FieldPanel("stripe_price_id"),
    ]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(fields=["plan", "currency"], name="one_price_per_currency"),
            models.UniqueConstraint(
                fields=["stripe_price_id"],
                condition=~models.Q(stripe_price_id=""),
                name="unique_stripe_price",
            ),
        ]
        verbose_name = _("price")

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"

    def save(self, *args, **kwargs):
        self.currency = self.currency.upper()
        super().save(*args, **kwargs)


# Orders, subscriptions and payments ------------------------------------------------------


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting", _("Awaiting payment")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


def new_order_reference() -> str:
    # Short enough to write on a cheque; no 0/O or 1/I to misread.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "MH-" + "".join(secrets.choice(alphabet) for _ in range(8))


class Order(models.Model):
    """A reader's choice of plan at checkout, waiting for a payment by card or by hand."""

    reference = models.CharField(
        _("reference"), max_length=16, unique=True, default=new_order_reference, editable=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="orders"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="orders")
    currency = models.CharField(_("currency"), max_length=3)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    postal_address = models.TextField(_("postal address"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=OrderStatus.choices,
        default=OrderStatus.AWAITING_PAYMENT,
    )
    stripe_checkout_session_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")

    def __str__(self) -> str:
        return f"{self.reference} ({self.plan})"


class SubscriptionState(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Past due, in its grace period")
    CANCELLING = "cancelling", _("Cancelling at the end of the period")
    ENDED = "ended", _("Ended")


class SubscriptionQuerySet(models.QuerySet):
    def entitling(self, now: datetime.datetime | None = None) -> "SubscriptionQuerySet":
        """Subscriptions that open premium articles right now."""
        now = now or timezone.now()
        return self.filter(
            models.Q(
                state__in=[SubscriptionState.ACTIVE, SubscriptionState.CANCELLING],
                current_period_end__gt=now,
            )
            | models.Q(state=SubscriptionState.PAST_DUE, grace_until__gt=now)
        )


class Subscription(models.Model):
    """A reader's periodic plan; manual and Stripe payments both end up here."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    state = models.CharField(
        _("state"), max_length=16, choices=SubscriptionState.choices, db_index=True
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    current_period_end = models.DateTimeField(_("paid until"))
    grace_until = models.DateTimeField(_("grace period ends"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    postal_address = models.TextField(_("postal address"), blank=True)
    stripe_subscription_id = models.CharField(
        _("Stripe subscription id"), max_length=255, blank=True
    )
    # The time of the newest Stripe event applied: an older one arriving late changes nothing.
    stripe_synced_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-current_period_end", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_subscription_id"],
                condition=~models.Q(stripe_subscription_id=""),
                name="unique_stripe_subscription",
            )
        ]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")

    def __str__(self) -> str:
        return f"{self.user} — {self.plan} ({self.get_state_display()})"

    def is_entitling(self, now: datetime.datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.state in (SubscriptionState.ACTIVE, SubscriptionState.CANCELLING):
            return self.current_period_end > now
        if self.state == SubscriptionState.PAST_DUE:
            return bool(self.grace_until and self.grace_until > now)
        return False

    @property
    def is_stripe(self) -> bool:
        return bool(self.stripe_subscription_id)


class PaymentMethod(models.TextChoices):
    STRIPE = "stripe", _("Card (Stripe)")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    CHEQUE = "cheque", _("Cheque")
    CASH = "cash", _("Cash")
    COMPLIMENTARY = "complimentary", _("Complimentary")


class Payment(models.Model):
    """Money received for a plan, by card or by hand; the reader's payment history."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="payments"
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="payments")
    subscription = models.ForeignKey(
        Subscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.SET_NULL, related_name="payments"
    )
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    reference = models.CharField(
        _("reference"),
        max_length=255,
        blank=True,
        help_text=_("Cheque number, bank reference or Stripe invoice; one payment per reference."),
    )
    paid_at = models.DateTimeField(_("paid"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["-paid_at", "-pk"]
        constraints = [
            # The same cheque or the same Stripe invoice is never counted twice.
            models.UniqueConstraint(
                fields=["method", "reference"],
                condition=~models.Q(reference=""),
                name="one_payment_per_reference",
            )
        ]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} — {self.user} ({self.get_method_display()})"


# Unlocks and gift links ------------------------------------------------------------------


class UnlockWallet(models.Model):
    """How many article unlocks a reader has left; spent one at a time, never below zero."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unlock_wallet"
    )
    unlocks_left = models.PositiveIntegerField(_("unlocks left"), default=0)

    class Meta:
        verbose_name = _("unlock wallet")

    def __str__(self) -> str:
        return f"{self.user}: {self.unlocks_left}"


class UnlockedArticle(models.Model):
    """An article a reader unlocked for good; every edition of it opens."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unlocked_articles"
    )
    article_key = models.UUIDField(_("article (translation key)"))
    article = models.ForeignKey(
        "content.ArticlePage", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    unlocked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "article_key"], name="unlock_once")]
        verbose_name = _("unlocked article")

    def __str__(self) -> str:
        return f"{self.user}: {self.article_key}"


class GiftLink(models.Model):
    """A subscriber's link that opens one article for anyone until it expires."""

    token = models.CharField(max_length=43, unique=True, editable=False)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="gift_links"
    )
    article = models.ForeignKey(
        "content.ArticlePage", on_delete=models.CASCADE, related_name="gift_links"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    times_opened = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("gift link")

    def __str__(self) -> str:
        return f"{self.sender} → {self.article_id} until {self.expires_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if not self.token:
            self.token = secrets.token_urlsafe(32)
        super().save(*args, **kwargs)

    def is_valid_for(self, article, now: datetime.datetime | None = None) -> bool:
        return self.article.translation_key == article.translation_key and self.expires_at > (
            now or timezone.now()
        )


# Site licences ---------------------------------------------------------------------------


def validate_ip_ranges(value: str) -> None:
    for line in value.split():
        try:
            ipaddress.ip_network(line, strict=False)
        except ValueError as error:
            raise ValidationError(
                _("“%(range)s” is not an IP address or range such as 192.0.2.0/24."),
                params={"range": line},
            ) from error


def validate_domains(value: str) -> None:
    for line in value.split():
        if "." not in line or "@" in line or "/" in line:
            raise ValidationError(
                _("“%(domain)s” is not a domain such as example.ac.uk."), params={"domain": line}
            )


class SiteLicence(models.Model):
    """Access for everyone at an institution: by email domain or by network."""

    name = models.CharField(_("institution"), max_length=200)
    email_domains = models.TextField(
        _("email domains"),
        blank=True,
        validators=[validate_domains],
        help_text=_("One per line; readers signed in with a confirmed address there read all."),
    )
    ip_ranges = models.TextField(
        _("IP ranges"),
        blank=True,
        validators=[validate_ip_ranges],
        help_text=_("One address or CIDR range per line, such as 192.0.2.0/24."),
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
        FieldPanel("email_domains"),
        FieldPanel("ip_ranges"),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("site licence")
        verbose_name_plural = _("site licences")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A licence cannot end before it starts.")})
        if not self.email_domains.strip() and not self.ip_ranges.strip():
            raise ValidationError(_("Give at least one email domain or IP range."))

    @property
    def domains(self) -> set[str]:
        return {line.lower().lstrip("@") for line in self.email_domains.split()}

    @property
    def networks(self) -> list:
        return [ipaddress.ip_network(line, strict=False) for line in self.ip_ranges.split()]


# The meter -------------------------------------------------------------------------------


class MeteredRead(models.Model):
    """One premium article opened by the meter for one reader; re-reading costs nothing."""

    # "user:<id>" for a signed-in reader, "visitor:<id>" for the signed reader cookie.
    reader_key = models.CharField(max_length=64)
    article_key = models.UUIDField()
    read_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["reader_key", "read_at"])]
        verbose_name = _("metered read")

    def __str__(self) -> str:
        return f"{self.reader_key}: {self.article_key}"


# Stripe's events -------------------------------------------------------------------------


class StripeCustomer(models.Model):
    """The Stripe customer that stands for a reader, made at their first card checkout."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stripe_customer"
    )
    customer_id = models.CharField(_("Stripe customer id"), max_length=255, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Stripe customer")
        verbose_name_plural = _("Stripe customers")

    def __str__(self) -> str:
        return f"{self.user}: {self.customer_id}"


class StripeEventOutcome(models.TextChoices):
    APPLIED = "applied", _("Applied")
    STALE = "stale", _("Older than what we know; nothing changed")
    IGNORED = "ignored", _("Not a kind we act on")
    UNKNOWN_CUSTOMER = "unknown_customer", _("Unknown customer; nothing granted")
    UNKNOWN_PRICE = "unknown_price", _("Not one of our plans; nothing granted")
    FAILED = "failed", _("Failed")


class StripeEvent(models.Model):
    """Every webhook event received, once: the log staff read and the guard against replays."""

    event_id = models.CharField(max_length=255, unique=True)
    event_type = models.CharField(max_length=100)
    created = models.DateTimeField(help_text=_("When Stripe created the event."))
    received_at = models.DateTimeField(auto_now_add=True)
    outcome = models.CharField(max_length=20, choices=StripeEventOutcome.choices)
    note = models.TextField(blank=True)
    payload = models.JSONField()

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


# The Subscription page -------------------------------------------------------------------


class SubscriptionPage(CachedPrivacyCheckMixin, Page):
    """The edition's Subscription page: the editors' text above the plans on sale."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(PageBodyBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["content.HomePage"]
    subpage_types = []
    max_count_per_parent = 1
    template = "subscriptions/subscription_page.html"

    class Meta:
        verbose_name = _("subscription page")

    def get_context(self, request, *args, **kwargs):
        from .views import plans_context

        context = super().get_context(request, *args, **kwargs)
        context.update(plans_context(request))
        return context
