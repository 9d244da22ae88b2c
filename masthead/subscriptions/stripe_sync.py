"""Changes to subscriptions that Stripe tells us about, from webhooks or the nightly check.

Stripe objects arrive here as plain JSON data. Their shape depends on the API version of
the account or webhook endpoint, so both shapes are read: `current_period_end` on the
subscription (old) or on its items (2025 and later), and an invoice's subscription at
`invoice.subscription` (old) or `invoice.parent.subscription_details.subscription`.

Order rule: `Subscription.stripe_synced_at` holds the creation time of the newest Stripe
news applied; anything older that arrives later changes nothing and is marked "stale".
Payments still go through `services.record_payment`, which never counts an invoice twice.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from . import services, signals
from .access import paywall_settings
from .models import (
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    Plan,
    PlanPrice,
    StripeCustomer,
    StripeEventOutcome,
    Subscription,
    SubscriptionState,
)

# Stripe counts amounts in the currency's smallest unit; these currencies have no cents.
ZERO_DECIMAL_CURRENCIES = {
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA",
    "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
}  # fmt: skip
THREE_DECIMAL_CURRENCIES = {"BHD", "JOD", "KWD", "OMR", "TND"}
ENDED_AT_STRIPE = {"canceled", "unpaid", "incomplete_expired"}
RUNNING_AT_STRIPE = {"active", "trialing"}

Json = dict[str, Any]


@dataclass
class Applied:
    """What one piece of Stripe news did: an outcome for the event log and what changed."""

    outcome: str
    changes: list[str] = field(default_factory=list)
    subscription: Subscription | None = None
    changed: bool = False  # whether a subscription's fields changed

    @property
    def note(self) -> str:
        return "; ".join(self.changes)


# Reading Stripe's objects ----------------------------------------------------------------


def to_datetime(timestamp: int | None) -> datetime.datetime | None:
    if not timestamp:
        return None
    return datetime.datetime.fromtimestamp(int(timestamp), tz=datetime.UTC)


def object_id(value: str | Json | None) -> str:
    """The id of an expandable field, whether Stripe sent the id or the expanded object."""
    if isinstance(value, dict):
        return value.get("id") or ""
    return value or ""


def from_minor_units(amount: int | None, currency: str) -> Decimal:
    currency = currency.upper()
    if currency in ZERO_DECIMAL_CURRENCIES:
        return Decimal(amount or 0)
    places = 3 if currency in THREE_DECIMAL_CURRENCIES else 2
    return Decimal(amount or 0).scaleb(-places)


def _data(listing: Json | None) -> list[Json]:
    return (listing or {}).get("data") or []


def subscription_period_end(stripe_subscription: Json) -> datetime.datetime | None:
    moment = stripe_subscription.get("current_period_end")
    if not moment:
        item_ends = [
            item.get("current_period_end") or 0 for item in _data(stripe_subscription.get("items"))
        ]
        moment = max(item_ends, default=None)
    return to_datetime(moment)


def subscription_price_ids(stripe_subscription: Json) -> list[str]:
    ids = [object_id(item.get("price")) for item in _data(stripe_subscription.get("items"))]
    if not ids and stripe_subscription.get("plan"):
        ids = [object_id(stripe_subscription["plan"])]  # API versions before 2018
    return [price_id for price_id in ids if price_id]


def invoice_subscription_id(invoice: Json) -> str:
    if invoice.get("subscription"):
        return object_id(invoice["subscription"])
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return object_id(details.get("subscription"))


def _line_price_id(line: Json) -> str:
    if line.get("price"):
        return object_id(line["price"])
    details = (line.get("pricing") or {}).get("price_details") or {}
    return object_id(details.get("price"))


def _newest_line(invoice: Json) -> Json | None:
    """The line for the period paid for; earlier lines are prorations of the last one."""
    lines = _data(invoice.get("lines"))
    return max(lines, key=lambda line: (line.get("period") or {}).get("end") or 0, default=None)


def invoice_period_end(invoice: Json) -> datetime.datetime | None:
    line = _newest_line(invoice)
    return to_datetime((line.get("period") or {}).get("end")) if line else None


def invoice_price_id(invoice: Json) -> str:
    line = _newest_line(invoice)
    return _line_price_id(line) if line else ""


def plan_for_price(price_id: str) -> Plan | None:
    """One of our plans, or None for a price that is not ours (or whose price was deleted)."""
    if not price_id:
        return None
    price = PlanPrice.objects.select_related("plan").filter(stripe_price_id=price_id).first()
    return price.plan if price else None


def user_for_customer(customer_id: str):
    known = StripeCustomer.objects.select_related("user").filter(customer_id=customer_id).first()
    return known.user if known else None


def is_stale(subscription: Subscription, created: datetime.datetime | None) -> bool:
    synced = subscription.stripe_synced_at
    return created is not None and synced is not None and created < synced


def _stale(subscription: Subscription) -> Applied:
    return Applied(
        StripeEventOutcome.STALE,
        [f"older than what we know (synced at {subscription.stripe_synced_at:%Y-%m-%d %H:%M:%S})"],
        subscription,
    )


def _advance_sync(subscription: Subscription, created: datetime.datetime | None) -> None:
    moment = created or timezone.now()
    if subscription.stripe_synced_at is None or moment > subscription.stripe_synced_at:
        subscription.stripe_synced_at = moment


# Subscription state ----------------------------------------------------------------------


@dataclass
class Drift:
    """How our subscription differs from Stripe's: fields to set, signals to send, notes."""

    fields: dict[str, Any] = field(default_factory=dict)
    signals: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unknown_price: str = ""


def compare(subscription: Subscription, stripe_subscription: Json, now=None) -> Drift:
    """What would make our subscription agree with Stripe's; changes nothing."""
    now = now or timezone.now()
    drift = Drift()
    status = stripe_subscription.get("status") or ""
    state = subscription.state
    if status in ENDED_AT_STRIPE:
        # Ending grants nothing, so it applies whatever the price.
        if state != SubscriptionState.ENDED:
            ended = to_datetime(stripe_subscription.get("ended_at")) or now
            drift.fields.update(
                state=SubscriptionState.ENDED,
                ended_at=ended,
                current_period_end=min(subscription.current_period_end, ended),
            )
            drift.signals.append(signals.subscription_ended)
            drift.notes.append(f"ended ({status} at Stripe)")
        return drift

    price_ids = subscription_price_ids(stripe_subscription)
    plan = plan_for_price(price_ids[0]) if len(price_ids) == 1 else None
    if plan is None:
        drift.unknown_price = ", ".join(price_ids) or "(no price)"
        return drift
    if plan.pk != subscription.plan_id:
        drift.fields["plan"] = plan
        drift.notes.append(f"plan changed to {plan}")
    period_end = subscription_period_end(stripe_subscription)
    if period_end and period_end != subscription.current_period_end:
        drift.fields["current_period_end"] = period_end
        drift.notes.append(f"paid until {period_end:%Y-%m-%d}")

    if status == "past_due":
        if state != SubscriptionState.PAST_DUE:
            drift.fields["state"] = SubscriptionState.PAST_DUE
            drift.fields["ended_at"] = None
            drift.signals.append(signals.subscription_payment_failed)
            drift.notes.append("past due")
        if not subscription.grace_until:
            drift.fields["grace_until"] = now + datetime.timedelta(
                days=paywall_settings().grace_days
            )
    elif status in RUNNING_AT_STRIPE:
        # The portal may set a cancellation date instead of "at period end"; both stop renewal.
        cancelling = bool(
            stripe_subscription.get("cancel_at_period_end") or stripe_subscription.get("cancel_at")
        )
        wanted = SubscriptionState.CANCELLING if cancelling else SubscriptionState.ACTIVE
        if state != wanted:
            drift.fields.update(state=wanted, grace_until=None, ended_at=None)
            if wanted == SubscriptionState.CANCELLING:
                drift.signals.append(signals.subscription_cancelled)
                drift.notes.append("cancelling at period end")
            elif state == SubscriptionState.CANCELLING:
                drift.signals.append(signals.subscription_resumed)
                drift.notes.append("resumed")
            else:
                drift.signals.append(signals.subscription_renewed)
                drift.notes.append(f"active again (was {state})")
    else:
        # incomplete, paused: nothing paid for yet or on hold; the state waits for news.
        drift.notes.append(f"Stripe status {status!r} leaves the state as it is")
    return drift


def apply_subscription_object(
    subscription: Subscription,
    stripe_subscription: Json,
    event_created: datetime.datetime | None = None,
) -> Applied:
    """Make our subscription agree with Stripe's object, unless newer news was applied.

    `event_created` is the event's time; None means Stripe's state right now (reconciliation).
    """
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if is_stale(subscription, event_created):
            return _stale(subscription)
        drift = compare(subscription, stripe_subscription)
        if drift.unknown_price:
            return Applied(
                StripeEventOutcome.UNKNOWN_PRICE,
                [f"price {drift.unknown_price} is not one of our plans; nothing changed"],
                subscription,
            )
        for name, value in drift.fields.items():
            setattr(subscription, name, value)
        _advance_sync(subscription, event_created)
        subscription.save()
    for signal in drift.signals:
        signal.send(Subscription, subscription=subscription)
    return Applied(
        StripeEventOutcome.APPLIED, drift.notes or ["no change"], subscription, bool(drift.fields)
    )


def mark_payment_failed(
    subscription: Subscription, event_created: datetime.datetime | None
) -> Applied:
    """A renewal failed: past due, readable until the grace period (set once) runs out."""
    with transaction.atomic():
        subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
        if is_stale(subscription, event_created):
            return _stale(subscription)
        if subscription.state == SubscriptionState.ENDED:
            return Applied(StripeEventOutcome.IGNORED, ["the subscription had ended"], subscription)
        changes = []
        if subscription.state != SubscriptionState.PAST_DUE:
            subscription.state = SubscriptionState.PAST_DUE
            changes.append("past due")
        if not subscription.grace_until:
            grace_days = paywall_settings().grace_days
            subscription.grace_until = timezone.now() + datetime.timedelta(days=grace_days)
            changes.append(f"readable until {subscription.grace_until:%Y-%m-%d}")
        _advance_sync(subscription, event_created)
        subscription.save()
    # Sent for every failed attempt: a retention email may count them.
    signals.subscription_payment_failed.send(Subscription, subscription=subscription)
    return Applied(StripeEventOutcome.APPLIED, changes or ["another failed attempt"], subscription)


# Payments --------------------------------------------------------------------------------


def remember_customer(user, customer_id: str) -> bool:
    """Link the reader to the Stripe customer; False when it belongs to someone else."""
    if not customer_id:
        return True
    owner = StripeCustomer.objects.filter(customer_id=customer_id).values_list("user_id", flat=True)
    if owner and owner[0] != user.pk:
        return False
    StripeCustomer.objects.get_or_create(user=user, defaults={"customer_id": customer_id})
    return True


def record_invoice_paid(invoice: Json, event_created: datetime.datetime | None) -> Applied:
    """A subscription invoice was paid: record the payment once and extend the period."""
    stripe_subscription_id = invoice_subscription_id(invoice)
    if not stripe_subscription_id:
        return Applied(StripeEventOutcome.IGNORED, ["not a subscription invoice"])
    price_id = invoice_price_id(invoice)
    plan = plan_for_price(price_id)
    if plan is None or not plan.is_subscription:
        return Applied(
            StripeEventOutcome.UNKNOWN_PRICE,
            [f"price {price_id or '(none)'} is not one of our plans; nothing granted"],
        )
    subscription = (
        Subscription.objects.select_related("user")
        .filter(stripe_subscription_id=stripe_subscription_id)
        .first()
    )
    customer_id = object_id(invoice.get("customer"))
    user = subscription.user if subscription else user_for_customer(customer_id)
    if user is None:
        return Applied(
            StripeEventOutcome.UNKNOWN_CUSTOMER,
            [f"no reader for customer {customer_id} or subscription {stripe_subscription_id}"],
        )
    currency = (invoice.get("currency") or "").upper()
    amount = from_minor_units(invoice.get("amount_paid"), currency)
    paid_at = (
        to_datetime((invoice.get("status_transitions") or {}).get("paid_at"))
        or event_created
        or timezone.now()
    )
    period_end = invoice_period_end(invoice)
    note = f"Stripe invoice {invoice.get('number') or invoice['id']}"
    if subscription is not None and is_stale(subscription, event_created):
        # The money is real and goes in the history; the subscription already knows more.
        _, created = Payment.objects.get_or_create(
            method=PaymentMethod.STRIPE,
            reference=invoice["id"],
            defaults={
                "user": user,
                "plan": plan,
                "subscription": subscription,
                "amount": amount,
                "currency": currency,
                "paid_at": paid_at,
                "note": note,
            },
        )
        applied = _stale(subscription)
        if created:
            applied.changes.append("payment added to the history only")
        return applied
    if subscription is not None and period_end:
        period_end = max(period_end, subscription.current_period_end)
    with transaction.atomic():
        result = services.record_payment(
            user=user,
            plan=plan,
            amount=amount,
            currency=currency,
            method=PaymentMethod.STRIPE,
            reference=invoice["id"],
            paid_at=paid_at,
            period_end=period_end,
            note=note,
            stripe_subscription_id=stripe_subscription_id,
        )
        subscription = result.subscription
        if subscription is not None:
            _advance_sync(subscription, event_created)
            subscription.save(update_fields=["stripe_synced_at", "updated_at"])
    if not result.created:
        return Applied(
            StripeEventOutcome.APPLIED, ["invoice recorded before; nothing changed"], subscription
        )
    return Applied(
        StripeEventOutcome.APPLIED,
        [f"paid {amount} {currency}", f"paid until {subscription.current_period_end:%Y-%m-%d}"],
        subscription,
    )


def complete_checkout(session: Json, event_created: datetime.datetime | None) -> Applied:
    """A Checkout Session finished: give the order what it paid for, once."""
    reference = session.get("client_reference_id") or ""
    order = Order.objects.select_related("plan", "user").filter(reference=reference).first()
    if order is None:
        return Applied(StripeEventOutcome.UNKNOWN_CUSTOMER, [f"no order {reference or '(none)'}"])
    plan_in_metadata = (session.get("metadata") or {}).get("plan")
    if plan_in_metadata and plan_in_metadata != str(order.plan_id):
        return Applied(
            StripeEventOutcome.UNKNOWN_PRICE,
            [f"plan {plan_in_metadata} is not the plan of order {order.reference}"],
        )
    if not remember_customer(order.user, object_id(session.get("customer"))):
        return Applied(
            StripeEventOutcome.UNKNOWN_CUSTOMER,
            [f"customer {object_id(session.get('customer'))} belongs to another reader"],
        )
    if session.get("payment_status") not in ("paid", "no_payment_required"):
        return Applied(StripeEventOutcome.IGNORED, ["not paid yet"])
    currency = (session.get("currency") or order.currency).upper()
    paid = {
        "user": order.user,
        "plan": order.plan,
        "amount": from_minor_units(session.get("amount_total"), currency),
        "currency": currency,
        "method": PaymentMethod.STRIPE,
        "order": order,
        "paid_at": event_created or timezone.now(),
        "note": f"Stripe Checkout {session.get('id')}",
    }
    if session.get("mode") == "payment":
        payment_reference = object_id(session.get("payment_intent")) or session["id"]
        result = services.record_payment(reference=payment_reference, **paid)
        if not result.created:
            return Applied(StripeEventOutcome.APPLIED, ["paid before; nothing changed"])
        return Applied(StripeEventOutcome.APPLIED, [f"{order.plan.unlocks} unlocks added"])

    stripe_subscription = session.get("subscription")
    stripe_subscription_id = object_id(stripe_subscription)
    if not stripe_subscription_id:
        return Applied(StripeEventOutcome.IGNORED, ["no subscription on the session"])
    period_end = (
        subscription_period_end(stripe_subscription)
        if isinstance(stripe_subscription, dict)
        else None
    )
    # The first invoice's id is the reference invoice.paid uses too: whichever comes first
    # records the payment and the other finds it recorded.
    with transaction.atomic():
        result = services.record_payment(
            reference=object_id(session.get("invoice")) or session["id"],
            period_end=period_end,
            postal_address=order.postal_address,
            stripe_subscription_id=stripe_subscription_id,
            **paid,
        )
        if not result.created:
            Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID)
            Payment.objects.filter(pk=result.payment.pk, order=None).update(order=order)
            if order.postal_address:
                Subscription.objects.filter(
                    stripe_subscription_id=stripe_subscription_id, postal_address=""
                ).update(postal_address=order.postal_address)
            return Applied(
                StripeEventOutcome.APPLIED,
                ["first invoice recorded before; order marked paid"],
                result.subscription,
            )
    return Applied(
        StripeEventOutcome.APPLIED,
        [f"subscription {stripe_subscription_id} started"],
        result.subscription,
    )
