"""Every call Masthead makes to Stripe: Checkout, the customer portal, renewals.

Nothing else in the project talks to Stripe. Without STRIPE_SECRET_KEY the site takes
manual payments only. Tests swap `http_client()` for a replay of recorded responses
(`tests/stripe_helpers.py`), so the real library builds every request.
"""

from typing import Any

import stripe
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from .models import Order, StripeCustomer, Subscription

NETWORK_TIMEOUT_SECONDS = 20  # a reader waits on this at checkout


def is_enabled() -> bool:
    return bool(settings.STRIPE_SECRET_KEY)


def http_client() -> stripe.HTTPClient:
    return stripe.RequestsClient(timeout=NETWORK_TIMEOUT_SECONDS)


def client() -> stripe.StripeClient:
    if not is_enabled():
        raise RuntimeError("Card payments are off: set STRIPE_SECRET_KEY to turn them on.")
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        http_client=http_client(),
        # Retried POSTs carry the library's idempotency key, so a retry never charges twice.
        max_network_retries=2,
    )


def _refused(error: stripe.StripeError):
    from .services import Refused

    return Refused(
        _("The card payment service did not answer; please try again later. (%(error)s)")
        % {"error": error.user_message or error.__class__.__name__}
    )


def customer_id_for(user, stripe_client: stripe.StripeClient) -> str:
    """The reader's Stripe customer, created once and remembered."""
    known = StripeCustomer.objects.filter(user=user).values_list("customer_id", flat=True).first()
    if known:
        return known
    customer = stripe_client.v1.customers.create(
        params={
            "email": user.email,
            "name": user.get_full_name() or user.get_username(),
            "metadata": {"masthead_user": str(user.pk)},
        },
        # Two checkouts started at once by the same reader make one customer at Stripe.
        options={"idempotency_key": f"masthead-customer-{user.pk}"},
    )
    remembered, _created = StripeCustomer.objects.get_or_create(
        user=user, defaults={"customer_id": customer.id}
    )
    return remembered.customer_id


def start_checkout(order: Order, request) -> str:
    """Open a Stripe Checkout Session for the order; return the address to send the reader to."""
    from .services import Refused

    plan = order.plan
    price = plan.price_in(order.currency)
    if price is None or not price.stripe_price_id:
        raise Refused(_("Card payments are not available in this currency; pay by hand."))
    order_url = request.build_absolute_uri(
        reverse("subscriptions:order", kwargs={"reference": order.reference})
    )
    metadata = {"order": order.reference, "plan": str(plan.pk)}
    params: dict[str, Any] = {
        "mode": "subscription" if plan.is_subscription else "payment",
        "line_items": [{"price": price.stripe_price_id, "quantity": 1}],
        "client_reference_id": order.reference,
        "metadata": metadata,
        "success_url": f"{order_url}?checkout=done",
        "cancel_url": f"{order_url}?checkout=cancelled",
    }
    # The metadata travels on to what the session creates, so staff find the order there too.
    if plan.is_subscription:
        params["subscription_data"] = {"metadata": metadata}
    else:
        params["payment_intent_data"] = {"metadata": metadata}
    try:
        stripe_client = client()
        params["customer"] = customer_id_for(order.user, stripe_client)
        session = stripe_client.v1.checkout.sessions.create(
            params=params, options={"idempotency_key": f"masthead-checkout-{order.reference}"}
        )
    except stripe.StripeError as error:
        raise _refused(error) from error
    Order.objects.filter(pk=order.pk).update(stripe_checkout_session_id=session.id)
    order.stripe_checkout_session_id = session.id
    return session.url


def portal_url(user, return_url: str) -> str:
    """Stripe's customer portal, where a card reader changes card and sees invoices."""
    from .services import Refused

    customer_id = (
        StripeCustomer.objects.filter(user=user).values_list("customer_id", flat=True).first()
    )
    if not customer_id:
        raise Refused(_("You have not paid by card yet, so there is nothing to manage at Stripe."))
    try:
        session = client().v1.billing_portal.sessions.create(
            params={"customer": customer_id, "return_url": return_url}
        )
    except stripe.StripeError as error:
        raise _refused(error) from error
    return session.url


def set_cancel_at_period_end(subscription: Subscription, cancel: bool) -> None:
    """Tell Stripe to stop (or restart) renewing; raise Refused when Stripe says no."""
    try:
        client().v1.subscriptions.update(
            subscription.stripe_subscription_id, params={"cancel_at_period_end": cancel}
        )
    except stripe.StripeError as error:
        raise _refused(error) from error


def fetch_subscription(stripe_subscription_id: str) -> dict:
    """Stripe's current view of a subscription, as plain JSON data; raises stripe.StripeError."""
    subscription = client().v1.subscriptions.retrieve(stripe_subscription_id)
    return subscription.to_dict(for_json=True)
