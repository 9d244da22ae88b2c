"""Stripe for tests, which cannot reach it: replayed answers and locally signed webhooks.

`RecordedStripe` is a real `stripe.HTTPClient`: the library builds, encodes and sends every
request as it would in production, and reads our answer as it would read Stripe's. The
answers are JSON files in `stripe_recordings/`, written from Stripe's API reference (no
network here to record them from). Each request is kept, decoded, so a test asserts what
was sent; a request with no recording fails the test.
"""

import copy
import datetime
import hashlib
import hmac
import itertools
import json
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

import stripe
from django.test import override_settings

from masthead.subscriptions import stripe_gateway

RECORDINGS = Path(__file__).parent / "stripe_recordings"
WEBHOOK_SECRET = "whsec_masthead_test_secret"
SECRET_KEY = "sk_test_masthead_recorded"


class UnexpectedStripeRequest(AssertionError):
    """The code asked Stripe something no recording answers."""


@dataclass
class StripeRequest:
    method: str
    path: str
    params: dict[str, str]  # form fields as Stripe's library encodes them: "line_items[0][price]"
    headers: dict[str, str]


def _load_recordings() -> dict[str, dict]:
    recordings = {}
    for file in sorted(RECORDINGS.glob("*.json")):
        recording = json.loads(file.read_text())
        recordings[recording["request"]] = recording
    return recordings


def _merge(base: dict, changes: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class RecordedStripe(stripe.HTTPClient):
    name = "masthead-recordings"

    def __init__(self):
        super().__init__()
        self.recordings = _load_recordings()
        self.requests: list[StripeRequest] = []

    def answer(self, request: str, http_status: int = 200, body: dict | None = None, **changes):
        """Answer `request` ("GET /v1/subscriptions/sub_1") with `body`, or the recording
        for it changed by `changes`."""
        if body is None:
            recording = self._find(request)
            if recording is None:
                raise UnexpectedStripeRequest(f"No recording to change for {request}")
            body = _merge(recording["body"], changes)
        self.recordings[request] = {"request": request, "status": http_status, "body": body}

    def _find(self, key: str) -> dict | None:
        if key in self.recordings:
            return self.recordings[key]
        # "/v1/subscriptions/sub_123" is answered by the recording for "/v1/subscriptions/{id}".
        head, _, object_id = key.rpartition("/")
        generic = self.recordings.get(f"{head}/{{id}}")
        if generic is None:
            return None
        return json.loads(json.dumps(generic).replace("{id}", object_id))

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        parts = urlsplit(url)
        fields = post_data if method == "post" else parts.query
        if isinstance(fields, bytes):
            fields = fields.decode()
        self.requests.append(
            StripeRequest(
                method.upper(),
                parts.path,
                dict(parse_qsl(fields or "", keep_blank_values=True)),
                dict(headers or {}),
            )
        )
        key = f"{method.upper()} {parts.path}"
        recording = self._find(key)
        if recording is None:
            raise UnexpectedStripeRequest(f"Stripe was asked {key}, which no recording answers")
        return json.dumps(recording["body"]), recording["status"], {"Request-Id": "req_recorded"}

    def request_stream(self, method, url, headers, post_data=None, *, _usage=None):
        raise UnexpectedStripeRequest(f"Stripe was asked to stream {method} {url}")

    def close(self):
        pass

    def asked(self, method: str, path: str) -> list[StripeRequest]:
        return [r for r in self.requests if r.method == method and r.path == path]


@contextmanager
def recorded_stripe():
    """Turn card payments on with a fake key and answer Stripe's calls from the recordings."""
    replay = RecordedStripe()
    with (
        override_settings(STRIPE_SECRET_KEY=SECRET_KEY, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET),
        mock.patch.object(stripe_gateway, "http_client", return_value=replay),
    ):
        yield replay


# Webhook events --------------------------------------------------------------------------

EVENT_IDS = itertools.count(1)


def sign(payload: str, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The Stripe-Signature header: HMAC-SHA256 of "<timestamp>.<body>", scheme v1."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(
        secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def unix(moment: datetime.datetime) -> int:
    return int(moment.timestamp())


def event(kind: str, obj: dict, *, created: datetime.datetime | int | None = None, **extra):
    """An event as Stripe posts it (docs.stripe.com/api/events/object)."""
    if isinstance(created, datetime.datetime):
        created = unix(created)
    return {
        "id": extra.pop("id", f"evt_test_{next(EVENT_IDS):06d}"),
        "object": "event",
        "api_version": "2026-10-28.endive",
        "created": created or int(time.time()),
        "data": {"object": obj, **extra.pop("data", {})},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": kind,
        **extra,
    }


def subscription_object(
    stripe_id: str,
    *,
    price: str,
    period_end: datetime.datetime,
    status: str = "active",
    customer: str = "cus_test_reader",
    cancel_at_period_end: bool = False,
    legacy: bool = False,
    ended_at: datetime.datetime | None = None,
) -> dict:
    """A Subscription; `legacy` puts current_period_end on it as API versions before 2025 did."""
    item = {
        "id": f"si_{stripe_id}",
        "object": "subscription_item",
        "price": {"id": price, "object": "price", "currency": "gbp", "unit_amount": 900},
        "quantity": 1,
        "subscription": stripe_id,
    }
    subscription = {
        "id": stripe_id,
        "object": "subscription",
        "cancel_at": None,
        "cancel_at_period_end": cancel_at_period_end,
        "canceled_at": None,
        "currency": "gbp",
        "customer": customer,
        "ended_at": unix(ended_at) if ended_at else None,
        "items": {"object": "list", "data": [item], "has_more": False},
        "metadata": {},
        "status": status,
    }
    if legacy:
        subscription["current_period_end"] = unix(period_end)
    else:
        item["current_period_end"] = unix(period_end)
    return subscription


def invoice_object(
    invoice_id: str,
    *,
    subscription: str,
    price: str,
    period_end: datetime.datetime,
    amount_paid: int = 900,
    currency: str = "gbp",
    customer: str = "cus_test_reader",
    legacy: bool = False,
    status: str = "paid",
) -> dict:
    """An Invoice; `legacy` uses `invoice.subscription` and `line.price` as before 2025."""
    line = {
        "id": f"il_{invoice_id}",
        "object": "line_item",
        "amount": amount_paid,
        "currency": currency,
        "period": {
            "start": unix(period_end - datetime.timedelta(days=30)),
            "end": unix(period_end),
        },
        "quantity": 1,
    }
    invoice = {
        "id": invoice_id,
        "object": "invoice",
        "amount_due": amount_paid,
        "amount_paid": amount_paid if status == "paid" else 0,
        "billing_reason": "subscription_cycle",
        "currency": currency,
        "customer": customer,
        "lines": {"object": "list", "data": [line], "has_more": False},
        "number": f"NUM-{invoice_id[-4:]}",
        "status": status,
        "status_transitions": {"paid_at": unix(period_end - datetime.timedelta(days=30))}
        if status == "paid"
        else {"paid_at": None},
    }
    if legacy:
        invoice["subscription"] = subscription
        line["price"] = {"id": price, "object": "price"}
    else:
        invoice["parent"] = {
            "type": "subscription_details",
            "subscription_details": {"metadata": {}, "subscription": subscription},
        }
        line["pricing"] = {
            "type": "price_details",
            "price_details": {"price": price, "product": "prod_test"},
        }
    return invoice


def checkout_session_object(order, **changes) -> dict:
    """A completed Checkout Session for the order (docs.stripe.com/api/checkout/sessions)."""
    session = {
        "id": f"cs_test_{order.reference}",
        "object": "checkout.session",
        "amount_total": int(order.amount * 100),
        "client_reference_id": order.reference,
        "currency": order.currency.lower(),
        "customer": "cus_test_reader",
        "invoice": None,
        "metadata": {"order": order.reference, "plan": str(order.plan_id)},
        "mode": "subscription" if order.plan.is_subscription else "payment",
        "payment_intent": None,
        "payment_status": "paid",
        "status": "complete",
        "subscription": None,
    }
    session.update(changes)
    return session
