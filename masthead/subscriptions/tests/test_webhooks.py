"""Stripe's webhooks, signed here as Stripe signs them, posted to the real endpoint."""

import datetime
import json
import time
from contextlib import contextmanager
from unittest import mock

import stripe
from django.test import Client, TestCase, override_settings
from django.utils import timezone

from masthead.subscriptions import services, signals
from masthead.subscriptions.models import (
    Order,
    OrderStatus,
    Payment,
    PlanPrice,
    StripeCustomer,
    StripeEvent,
    StripeEventOutcome,
    Subscription,
    SubscriptionState,
    UnlockWallet,
)

from .factories import make_pack, make_plan, make_reader, make_subscription
from .stripe_helpers import (
    WEBHOOK_SECRET,
    checkout_session_object,
    event,
    invoice_object,
    sign,
    subscription_object,
)

URL = "/stripe/webhook/"


MOMENT = {"now": None}


def days(n: float) -> datetime.datetime:
    """A whole second `n` days from the test's start, as Stripe's timestamps are."""
    now = MOMENT["now"] or timezone.now()
    return (now + datetime.timedelta(days=n)).replace(microsecond=0)


@contextmanager
def caught(signal):
    sent = []

    def receiver(sender, subscription, **kwargs):
        sent.append(subscription.pk)

    signal.connect(receiver, dispatch_uid="test-webhooks")
    try:
        yield sent
    finally:
        signal.disconnect(dispatch_uid="test-webhooks")


@override_settings(STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_SECRET_KEY="")
class WebhookTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.reader = make_reader("cardholder")
        StripeCustomer.objects.create(user=cls.reader, customer_id="cus_test_reader")
        cls.monthly = make_plan(stripe_prices={"GBP": "price_monthly_gbp"})
        cls.annual = make_plan(
            "Digital, annual", interval="year", stripe_prices={"GBP": "price_annual_gbp"}
        )
        cls.pack = make_pack()

    def setUp(self):
        MOMENT["now"] = timezone.now()
        self.addCleanup(MOMENT.update, now=None)

    def post(self, payload, *, secret=WEBHOOK_SECRET, timestamp=None, header=None):
        body = payload if isinstance(payload, str) else json.dumps(payload)
        if header is None:
            header = sign(body, secret, timestamp)
        headers = {"HTTP_STRIPE_SIGNATURE": header} if header else {}
        return Client(enforce_csrf_checks=True).post(
            URL, body, content_type="application/json", **headers
        )

    def stripe_subscription(self, stripe_id="sub_test_1", **fields):
        fields.setdefault("days_left", 3)
        return make_subscription(
            self.reader, self.monthly, stripe_subscription_id=stripe_id, **fields
        )

    def assertUnchanged(self, subscription):
        fresh = Subscription.objects.get(pk=subscription.pk)
        fields = ("plan_id", "state", "current_period_end", "grace_until", "ended_at")
        self.assertEqual(
            [getattr(fresh, name) for name in fields],
            [getattr(subscription, name) for name in fields],
        )

    def logged(self, response_event) -> StripeEvent:
        return StripeEvent.objects.get(event_id=response_event["id"])


class SignatureTests(WebhookTestCase):
    def test_our_test_signature_is_the_one_the_library_computes(self):
        payload = json.dumps(event("ping", {}))
        self.assertEqual(
            sign(payload, WEBHOOK_SECRET, 1_800_000_000),
            stripe.WebhookSignature.generate_signature_header(
                payload, WEBHOOK_SECRET, 1_800_000_000
            ),
        )

    def test_a_signed_event_is_stored_once_even_of_a_kind_we_ignore(self):
        sent = event("customer.created", {"id": "cus_x", "object": "customer"})
        response = self.post(sent)
        self.assertEqual(response.status_code, 200)
        logged = self.logged(sent)
        self.assertEqual(logged.outcome, StripeEventOutcome.IGNORED)
        self.assertEqual(logged.event_type, "customer.created")
        self.assertEqual(logged.payload, sent)

    def test_a_wrong_secret_is_refused_and_nothing_is_stored(self):
        response = self.post(event("invoice.paid", {}), secret="whsec_someone_else")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(StripeEvent.objects.exists())

    def test_a_body_changed_after_signing_is_refused(self):
        sent = event("customer.created", {"id": "cus_x"})
        header = sign(json.dumps(sent))
        sent["data"]["object"]["id"] = "cus_forged"
        response = self.post(sent, header=header)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(StripeEvent.objects.exists())

    def test_an_unsigned_event_is_refused(self):
        response = self.post(event("customer.created", {}), header="")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(StripeEvent.objects.exists())

    def test_a_replayed_old_signature_is_refused(self):
        ten_minutes_ago = int(time.time()) - 600  # the library accepts five minutes
        response = self.post(event("customer.created", {}), timestamp=ten_minutes_ago)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(StripeEvent.objects.exists())

    def test_a_signed_body_that_is_not_json_is_refused(self):
        response = self.post("not json")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(StripeEvent.objects.exists())

    def test_only_post(self):
        self.assertEqual(self.client.get(URL).status_code, 405)

    @override_settings(STRIPE_WEBHOOK_SECRET="")
    def test_without_a_secret_nothing_is_accepted(self):
        response = self.post(event("customer.created", {}))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(StripeEvent.objects.exists())


class CheckoutCompletedTests(WebhookTestCase):
    def test_an_unlock_pack_adds_its_unlocks_once(self):
        order = services.place_order(self.reader, self.pack, "GBP")
        session = checkout_session_object(order, payment_intent="pi_test_1")
        sent = event("checkout.session.completed", session)
        self.assertEqual(self.post(sent).status_code, 200)
        self.assertEqual(UnlockWallet.objects.get(user=self.reader).unlocks_left, 5)
        order.refresh_from_db()
        self.assertEqual(order.status, OrderStatus.PAID)
        payment = Payment.objects.get()
        self.assertEqual((payment.reference, payment.method), ("pi_test_1", "stripe"))
        self.assertEqual((str(payment.amount), payment.currency), ("5.00", "GBP"))

        # The same event again, and the same payment told by another event: nothing more.
        response = self.post(sent)
        self.assertContains(response, "duplicate")
        self.post(event("checkout.session.async_payment_succeeded", session))
        self.assertEqual(UnlockWallet.objects.get(user=self.reader).unlocks_left, 5)
        self.assertEqual(Payment.objects.count(), 1)
        self.assertEqual(StripeEvent.objects.count(), 2)

    def test_an_unpaid_session_gives_nothing_yet(self):
        order = services.place_order(self.reader, self.pack, "GBP")
        sent = event(
            "checkout.session.completed",
            checkout_session_object(order, payment_status="unpaid", payment_intent="pi_2"),
        )
        self.post(sent)
        self.assertEqual(self.logged(sent).outcome, StripeEventOutcome.IGNORED)
        self.assertFalse(UnlockWallet.objects.filter(unlocks_left__gt=0).exists())
        self.assertEqual(Order.objects.get().status, OrderStatus.AWAITING_PAYMENT)

    def test_a_subscription_starts_with_stripes_period_and_its_first_invoice_counts_once(self):
        order = services.place_order(self.reader, self.monthly, "GBP")
        period_end = days(31)
        session = checkout_session_object(
            order,
            subscription=subscription_object(
                "sub_new", price="price_monthly_gbp", period_end=period_end
            ),
            invoice="in_first",
        )
        with caught(signals.subscription_started) as started:
            self.post(event("checkout.session.completed", session))
        subscription = Subscription.objects.get(stripe_subscription_id="sub_new")
        self.assertEqual(started, [subscription.pk])
        self.assertEqual(subscription.current_period_end, period_end)
        self.assertEqual(subscription.state, SubscriptionState.ACTIVE)
        self.assertEqual(Order.objects.get().status, OrderStatus.PAID)

        first_invoice = invoice_object(
            "in_first", subscription="sub_new", price="price_monthly_gbp", period_end=period_end
        )
        sent = event("invoice.paid", first_invoice)
        self.post(sent)
        self.assertEqual(Payment.objects.get().reference, "in_first")
        subscription.refresh_from_db()
        self.assertEqual(subscription.current_period_end, period_end)

    def test_a_session_with_the_subscription_id_only_uses_the_plans_period(self):
        order = services.place_order(self.reader, self.monthly, "GBP")
        self.post(
            event(
                "checkout.session.completed",
                checkout_session_object(order, subscription="sub_plain", invoice="in_plain"),
            )
        )
        subscription = Subscription.objects.get(stripe_subscription_id="sub_plain")
        self.assertGreater(subscription.current_period_end, days(27))
        self.assertLess(subscription.current_period_end, days(32))

    def test_the_first_invoice_before_the_session_then_the_session_marks_the_order(self):
        order = services.place_order(self.reader, self.monthly, "GBP")
        period_end = days(30)
        self.post(
            event(
                "invoice.paid",
                invoice_object(
                    "in_early",
                    subscription="sub_early",
                    price="price_monthly_gbp",
                    period_end=period_end,
                ),
            )
        )
        self.assertTrue(Subscription.objects.filter(stripe_subscription_id="sub_early").exists())
        self.post(
            event(
                "checkout.session.completed",
                checkout_session_object(order, subscription="sub_early", invoice="in_early"),
            )
        )
        self.assertEqual(Subscription.objects.count(), 1)
        payment = Payment.objects.get()
        self.assertEqual(payment.order, order)
        self.assertEqual(Order.objects.get().status, OrderStatus.PAID)
        self.assertEqual(Subscription.objects.get().current_period_end, period_end)

    def test_an_unknown_order_grants_nothing(self):
        order = services.place_order(self.reader, self.pack, "GBP")
        session = checkout_session_object(order, client_reference_id="MH-NOTOURS1")
        sent = event("checkout.session.completed", session)
        self.assertEqual(self.post(sent).status_code, 200)
        self.assertEqual(self.logged(sent).outcome, StripeEventOutcome.UNKNOWN_CUSTOMER)
        self.assertFalse(Payment.objects.exists())

    def test_a_session_for_another_plan_than_the_order_grants_nothing(self):
        order = services.place_order(self.reader, self.pack, "GBP")
        session = checkout_session_object(order, metadata={"plan": str(self.annual.pk)})
        sent = event("checkout.session.completed", session)
        self.post(sent)
        self.assertEqual(self.logged(sent).outcome, StripeEventOutcome.UNKNOWN_PRICE)
        self.assertFalse(Payment.objects.exists())


class InvoicePaidTests(WebhookTestCase):
    def test_a_renewal_extends_to_the_invoice_period_in_both_shapes(self):
        subscription = self.stripe_subscription()
        for number, legacy in ((1, False), (2, True)):
            period_end = days(30 * number + 3)
            invoice = invoice_object(
                f"in_renew_{number}",
                subscription="sub_test_1",
                price="price_monthly_gbp",
                period_end=period_end,
                legacy=legacy,
            )
            with caught(signals.subscription_renewed) as renewed:
                self.post(event("invoice.paid", invoice))
            subscription.refresh_from_db()
            self.assertEqual(subscription.current_period_end, period_end)
            self.assertEqual(renewed, [subscription.pk])
        self.assertEqual(Payment.objects.filter(subscription=subscription).count(), 2)

    def test_the_same_invoice_in_another_event_is_not_paid_twice(self):
        subscription = self.stripe_subscription()
        invoice = invoice_object(
            "in_once", subscription="sub_test_1", price="price_monthly_gbp", period_end=days(33)
        )
        self.post(event("invoice.paid", invoice))
        self.post(event("invoice.paid", invoice))
        self.assertEqual(Payment.objects.count(), 1)
        subscription.refresh_from_db()
        self.assertEqual(subscription.current_period_end, days(33))

    def test_payment_clears_past_due(self):
        subscription = self.stripe_subscription(
            state=SubscriptionState.PAST_DUE, days_left=-1, grace_until=days(5)
        )
        invoice = invoice_object(
            "in_late", subscription="sub_test_1", price="price_monthly_gbp", period_end=days(29)
        )
        self.post(event("invoice.paid", invoice))
        subscription.refresh_from_db()
        self.assertEqual(subscription.state, SubscriptionState.ACTIVE)
        self.assertIsNone(subscription.grace_until)

    def test_a_payment_reopens_a_subscription_that_lapsed_here(self):
        subscription = self.stripe_subscription(days_left=-2)
        services.end_lapsed()
        invoice = invoice_object(
            "in_after", subscription="sub_test_1", price="price_monthly_gbp", period_end=days(28)
        )
        self.post(event("invoice.paid", invoice))
        self.assertEqual(Subscription.objects.count(), 1)
        subscription.refresh_from_db()
        self.assertEqual(subscription.state, SubscriptionState.ACTIVE)
        self.assertIsNone(subscription.ended_at)
        self.assertTrue(subscription.is_entitling())

    def test_a_price_that_is_not_ours_grants_nothing(self):
        subscription = self.stripe_subscription()
        invoice = invoice_object(
            "in_alien", subscription="sub_test_1", price="price_elsewhere", period_end=days(60)
        )
        sent = event("invoice.paid", invoice)
        self.assertEqual(self.post(sent).status_code, 200)
        self.assertEqual(self.logged(sent).outcome, StripeEventOutcome.UNKNOWN_PRICE)
        self.assertFalse(Payment.objects.exists())
        self.assertUnchanged(subscription)

    def test_a_deleted_plan_price_grants_nothing(self):
        subscription = self.stripe_subscription()
        PlanPrice.objects.filter(stripe_price_id="price_monthly_gbp").delete()
        invoice = invoice_object(
            "in_deleted", subscription="sub_test_1", price="price_monthly_gbp", period_end=days(60)
        )
        sent = event("invoice.paid", invoice)
        self.post(sent)
        self.assertEqual(self.logged(sent).outcome, StripeEventOutcome.UNKNOWN_PRICE)
        self.assertFalse(Payment.objects.exists())
        self.assertUnchanged(subscription)

    def test_an_unknown_customer_grants_nothing(self):
        invoice = invoice_object(
            "in_stranger",
            subscription="sub_stranger",
            price="price_monthly_gbp",
            period_end=days(30),
            customer="cus_stranger",
        )
        sent = event("invoice.paid", invoice)
        self.post(sent)
        self.assertEqual(self.logged(sent).outcome, StripeEventOutcome.UNKNOWN_CUSTOMER)
        self.assertFalse(Subscription.objects.exists())
        self.assertFalse(Payment.objects.exists())

    def test_a_late_old_invoice_goes_in_the_history_and_changes_nothing_else(self):
        subscription = self.stripe_subscription(
            state=SubscriptionState.PAST_DUE, grace_until=days(6), stripe_synced_at=days(-1)
        )
        invoice = invoice_object(
            "in_old", subscription="sub_test_1", price="price_monthly_gbp", period_end=days(3)
        )
        sent = event("invoice.paid", invoice, created=days(-2))
        self.post(sent)
        self.assertEqual(self.logged(sent).outcome, StripeEventOutcome.STALE)
        self.assertEqual(Payment.objects.get().reference, "in_old")
        subscription.refresh_from_db()
        self.assertEqual(subscription.state, SubscriptionState.PAST_DUE)

    def test_a_failure_while_handling_is_logged_answered_500_and_retried(self):
        subscription = self.stripe_subscription()
        invoice = invoice_object(
            "in_retry", subscription="sub_test_1", price="price_monthly_gbp", period_end=days(33)
        )
        sent = event("invoice.paid", invoice)
        with (
            mock.patch(
                "masthead.subscriptions.webhooks.stripe_sync.record_invoice_paid",
                side_effect=RuntimeError("database hiccup"),
            ),
            self.assertLogs("masthead.subscriptions.webhooks", "ERROR"),
        ):
            response = self.post(sent)
        self.assertEqual(response.status_code, 500)
        self.assertEqual(self.logged(sent).outcome, StripeEventOutcome.FAILED)
        self.assertFalse(Payment.objects.exists())

        self.assertEqual(self.post(sent).status_code, 200)  # Stripe's retry
        self.assertEqual(self.logged(sent).outcome, StripeEventOutcome.APPLIED)
        subscription.refresh_from_db()
        self.assertEqual(subscription.current_period_end, days(33))


class PaymentFailedTests(WebhookTestCase):
    def failed(self, stripe_id="sub_test_1", **kwargs):
        invoice = invoice_object(
            f"in_failed_{time.monotonic_ns()}",
            subscription=stripe_id,
            price="price_monthly_gbp",
            period_end=days(30),
            status="open",
        )
        sent = event("invoice.payment_failed", invoice, **kwargs)
        self.post(sent)
        return self.logged(sent)

    def test_past_due_with_a_grace_period_set_once_and_a_signal_each_time(self):
        subscription = self.stripe_subscription(days_left=0.01)
        with caught(signals.subscription_payment_failed) as failed:
            self.failed()
            subscription.refresh_from_db()
            self.assertEqual(subscription.state, SubscriptionState.PAST_DUE)
            grace = subscription.grace_until
            expected = timezone.now() + datetime.timedelta(days=7)  # the default grace days
            self.assertAlmostEqual(grace, expected, delta=datetime.timedelta(minutes=1))
            self.assertTrue(subscription.is_entitling())
            self.failed()
        subscription.refresh_from_db()
        self.assertEqual(subscription.grace_until, grace)
        self.assertEqual(failed, [subscription.pk, subscription.pk])

    def test_an_old_failure_after_newer_news_is_stale(self):
        subscription = self.stripe_subscription(stripe_synced_at=days(-1))
        logged = self.failed(created=days(-2))
        self.assertEqual(logged.outcome, StripeEventOutcome.STALE)
        subscription.refresh_from_db()
        self.assertEqual(subscription.state, SubscriptionState.ACTIVE)
        self.assertIsNone(subscription.grace_until)

    def test_an_unknown_subscription_changes_nothing(self):
        self.stripe_subscription()
        logged = self.failed("sub_unknown")
        self.assertEqual(logged.outcome, StripeEventOutcome.UNKNOWN_CUSTOMER)
        self.assertFalse(Subscription.objects.exclude(state=SubscriptionState.ACTIVE).exists())


class SubscriptionUpdatedTests(WebhookTestCase):
    def updated(self, kind="customer.subscription.updated", created=None, **fields):
        fields.setdefault("price", "price_monthly_gbp")
        fields.setdefault("period_end", days(3))
        sent = event(kind, subscription_object("sub_test_1", **fields), created=created)
        self.post(sent)
        return self.logged(sent)

    def test_cancel_at_period_end_then_resume(self):
        subscription = self.stripe_subscription()
        with caught(signals.subscription_cancelled) as cancelled:
            self.updated(cancel_at_period_end=True)
        subscription.refresh_from_db()
        self.assertEqual(subscription.state, SubscriptionState.CANCELLING)
        self.assertEqual(cancelled, [subscription.pk])
        with caught(signals.subscription_resumed) as resumed:
            self.updated(cancel_at_period_end=False)
        subscription.refresh_from_db()
        self.assertEqual(subscription.state, SubscriptionState.ACTIVE)
        self.assertEqual(resumed, [subscription.pk])

    def test_a_cancellation_date_set_in_the_portal_also_means_cancelling(self):
        subscription = self.stripe_subscription()
        stripe_object = subscription_object(
            "sub_test_1", price="price_monthly_gbp", period_end=days(3)
        )
        stripe_object["cancel_at"] = int(days(3).timestamp())
        self.post(event("customer.subscription.updated", stripe_object))
        subscription.refresh_from_db()
        self.assertEqual(subscription.state, SubscriptionState.CANCELLING)

    def test_the_period_end_is_read_from_items_or_from_the_subscription(self):
        subscription = self.stripe_subscription()
        self.updated(period_end=days(40))
        subscription.refresh_from_db()
        self.assertEqual(subscription.current_period_end, days(40))
        self.updated(period_end=days(41), legacy=True)
        subscription.refresh_from_db()
        self.assertEqual(subscription.current_period_end, days(41))

    def test_unpaid_at_stripe_ends_it(self):
        subscription = self.stripe_subscription()
        with caught(signals.subscription_ended) as ended:
            self.updated(status="unpaid")
        subscription.refresh_from_db()
        self.assertEqual(subscription.state, SubscriptionState.ENDED)
        self.assertFalse(subscription.is_entitling())
        self.assertEqual(ended, [subscription.pk])

    def test_a_price_of_another_of_our_plans_changes_the_plan(self):
        subscription = self.stripe_subscription()
        logged = self.updated(price="price_annual_gbp", period_end=days(365))
        subscription.refresh_from_db()
        self.assertEqual(subscription.plan, self.annual)
        self.assertEqual(subscription.current_period_end, days(365))
        self.assertIn("plan changed", logged.note)

    def test_a_price_that_is_not_ours_changes_nothing(self):
        subscription = self.stripe_subscription()
        logged = self.updated(price="price_elsewhere", period_end=days(365))
        self.assertEqual(logged.outcome, StripeEventOutcome.UNKNOWN_PRICE)
        self.assertUnchanged(subscription)

    def test_out_of_order_the_older_event_changes_nothing(self):
        subscription = self.stripe_subscription()
        newer_time = days(-0.01)
        newer = self.updated(cancel_at_period_end=True, created=newer_time)
        older = self.updated(cancel_at_period_end=False, created=days(-0.02))
        self.assertEqual(newer.outcome, StripeEventOutcome.APPLIED)
        self.assertEqual(older.outcome, StripeEventOutcome.STALE)
        subscription.refresh_from_db()
        self.assertEqual(subscription.state, SubscriptionState.CANCELLING)
        self.assertEqual(subscription.stripe_synced_at, newer_time)

    def test_an_unknown_subscription_is_logged_for_staff(self):
        logged = self.updated()
        self.assertEqual(logged.outcome, StripeEventOutcome.UNKNOWN_CUSTOMER)
        self.assertIn("sub_test_1", logged.note)

    def test_deleted_ends_it(self):
        subscription = self.stripe_subscription()
        with caught(signals.subscription_ended) as ended:
            self.updated("customer.subscription.deleted", status="canceled", ended_at=days(0))
        subscription.refresh_from_db()
        self.assertEqual(subscription.state, SubscriptionState.ENDED)
        self.assertEqual(ended, [subscription.pk])
        # Told twice (a second event), it ends once.
        with caught(signals.subscription_ended) as ended_again:
            self.updated("customer.subscription.deleted", status="canceled", ended_at=days(0))
        self.assertEqual(ended_again, [])
