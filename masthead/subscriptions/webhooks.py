"""Stripe's webhook endpoint: verify, log every event once, hand it to `stripe_sync`.

An event whose signature does not verify is refused with 400 and leaves no trace. A
verified event is stored in StripeEvent, and its outcome says what it did. A second
delivery of an event already handled answers 200 and changes nothing; one whose handling
failed is handled again, since Stripe retries after our 500.
"""

import datetime
import json
import logging
from collections.abc import Callable

import stripe
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import stripe_sync
from .models import StripeEvent, StripeEventOutcome, Subscription
from .stripe_sync import Applied, Json

logger = logging.getLogger(__name__)


def _subscription_for(stripe_subscription_id: str) -> Subscription | None:
    if not stripe_subscription_id:
        return None
    return Subscription.objects.filter(stripe_subscription_id=stripe_subscription_id).first()


def _unknown(what: str) -> Applied:
    return Applied(StripeEventOutcome.UNKNOWN_CUSTOMER, [f"no subscription {what or '(none)'}"])


def checkout_completed(obj: Json, created: datetime.datetime) -> Applied:
    return stripe_sync.complete_checkout(obj, created)


def invoice_paid(obj: Json, created: datetime.datetime) -> Applied:
    return stripe_sync.record_invoice_paid(obj, created)


def invoice_payment_failed(obj: Json, created: datetime.datetime) -> Applied:
    stripe_subscription_id = stripe_sync.invoice_subscription_id(obj)
    subscription = _subscription_for(stripe_subscription_id)
    if subscription is None:
        return _unknown(stripe_subscription_id)
    return stripe_sync.mark_payment_failed(subscription, created)


def subscription_changed(obj: Json, created: datetime.datetime) -> Applied:
    subscription = _subscription_for(obj.get("id") or "")
    if subscription is None:
        return _unknown(obj.get("id") or "")
    return stripe_sync.apply_subscription_object(subscription, obj, created)


HANDLERS: dict[str, Callable[[Json, datetime.datetime], Applied]] = {
    "checkout.session.completed": checkout_completed,
    # Paid later by a bank debit or a voucher; the session then reads "paid".
    "checkout.session.async_payment_succeeded": checkout_completed,
    "invoice.paid": invoice_paid,
    "invoice.payment_failed": invoice_payment_failed,
    "customer.subscription.created": subscription_changed,
    "customer.subscription.updated": subscription_changed,
    "customer.subscription.deleted": subscription_changed,
}


def handle(event: Json) -> tuple[StripeEvent, bool]:
    """Apply a verified event once; return its log entry and whether this call applied it."""
    created = stripe_sync.to_datetime(event.get("created"))
    with transaction.atomic():
        logged, is_new = StripeEvent.objects.select_for_update().get_or_create(
            event_id=event["id"],
            defaults={
                "event_type": event.get("type") or "",
                "created": created,
                "outcome": StripeEventOutcome.FAILED,
                "payload": event,
            },
        )
        if not is_new and logged.outcome != StripeEventOutcome.FAILED:
            return logged, False
        handler = HANDLERS.get(logged.event_type)
        if handler is None:
            applied = Applied(StripeEventOutcome.IGNORED, ["not a kind we act on"])
        else:
            try:
                with transaction.atomic():
                    applied = handler((event.get("data") or {}).get("object") or {}, created)
            except Exception as error:
                logger.exception("Stripe event %s failed", logged.event_id)
                applied = Applied(StripeEventOutcome.FAILED, [repr(error)])
        logged.outcome = applied.outcome
        logged.note = applied.note
        logged.save(update_fields=["outcome", "note"])
    return logged, True


@csrf_exempt
@require_POST
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    secret = settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        return HttpResponseBadRequest("Webhooks are off: STRIPE_WEBHOOK_SECRET is not set.")
    payload = request.body
    try:
        stripe.Webhook.construct_event(payload, request.headers.get("Stripe-Signature"), secret)
        event = json.loads(payload)
    except stripe.SignatureVerificationError:
        return HttpResponseBadRequest("Bad signature.")
    except ValueError:
        return HttpResponseBadRequest("Not a Stripe event.")
    if not isinstance(event, dict) or not event.get("id") or not event.get("created"):
        return HttpResponseBadRequest("Not a Stripe event.")
    logged, applied_now = handle(event)
    if logged.outcome == StripeEventOutcome.FAILED:
        return HttpResponse(f"failed: {logged.note}", status=500, content_type="text/plain")
    body = logged.outcome if applied_now else f"duplicate ({logged.outcome})"
    return HttpResponse(body, content_type="text/plain")


# Outside the language prefixes: Stripe posts to one address (`masthead/urls.py` includes this).
urlpatterns = [path("", stripe_webhook, name="stripe_webhook")]
