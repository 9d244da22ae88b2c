"""The nightly reconciliation: Stripe's answer repairs what lost webhooks left wrong."""

import datetime
import json
from io import StringIO

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from masthead.subscriptions.models import (
    StripeEvent,
    StripeEventOutcome,
    Subscription,
    SubscriptionState,
)

from .factories import make_plan, make_reader, make_subscription
from .stripe_helpers import WEBHOOK_SECRET, event, recorded_stripe, sign, subscription_object

RECORDED_PERIOD_END = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)  # in the recording


class ReconcileTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.reader = make_reader("cardholder")
        cls.monthly = make_plan(stripe_prices={"GBP": "price_monthly_gbp"})

    def reconcile(self, *args):
        out = StringIO()
        call_command("reconcile_stripe", *args, stdout=out)
        return out.getvalue()

    def card_subscription(self, stripe_id="sub_drift", **fields):
        return make_subscription(
            self.reader, self.monthly, stripe_subscription_id=stripe_id, **fields
        )

    def test_a_lost_renewal_and_cancellation_are_repaired_and_reported(self):
        subscription = self.card_subscription(days_left=-0.5)
        with recorded_stripe() as stripe:
            stripe.answer("GET /v1/subscriptions/sub_drift", cancel_at_period_end=True)
            report = self.reconcile()
        subscription.refresh_from_db()
        self.assertEqual(subscription.state, SubscriptionState.CANCELLING)
        self.assertEqual(subscription.current_period_end, RECORDED_PERIOD_END)
        self.assertIn("sub_drift", report)
        self.assertIn("cancelling at period end", report)
        self.assertIn("paid until 2030-01-01", report)
        self.assertIn("1 repaired from Stripe, 0 lapsed subscriptions ended", report)
        self.assertEqual(len(stripe.asked("GET", "/v1/subscriptions/sub_drift")), 1)

    def test_ended_and_past_due_at_stripe_are_ended_and_past_due_here(self):
        ended = self.card_subscription("sub_ended")
        past_due = self.card_subscription("sub_late", days_left=-1)
        with recorded_stripe() as stripe:
            stripe.answer("GET /v1/subscriptions/sub_ended", status="canceled")
            stripe.answer("GET /v1/subscriptions/sub_late", status="past_due")
            self.reconcile()
        ended.refresh_from_db()
        past_due.refresh_from_db()
        self.assertEqual(ended.state, SubscriptionState.ENDED)
        self.assertEqual(past_due.state, SubscriptionState.PAST_DUE)
        self.assertGreater(past_due.grace_until, timezone.now() + datetime.timedelta(days=6))
        self.assertTrue(past_due.is_entitling())

    def test_a_subscription_in_step_is_left_alone(self):
        subscription = self.card_subscription()
        Subscription.objects.filter(pk=subscription.pk).update(
            current_period_end=RECORDED_PERIOD_END
        )
        with recorded_stripe():
            report = self.reconcile()
        self.assertNotIn("sub_drift", report)
        self.assertIn("0 repaired", report)

    def test_an_id_stripe_does_not_know_is_reported_not_touched(self):
        subscription = self.card_subscription("sub_gone")
        with recorded_stripe():
            report = self.reconcile()
        self.assertIn("sub_gone", report)
        self.assertIn("not checked: No such subscription", report)
        self.assertIn("1 not checked", report)
        subscription.refresh_from_db()
        self.assertEqual(subscription.state, SubscriptionState.ACTIVE)

    def test_manual_subscriptions_whose_period_passed_end(self):
        lapsed = make_subscription(make_reader("cheque"), self.monthly, days_left=-1)
        with recorded_stripe() as stripe:
            report = self.reconcile()
        lapsed.refresh_from_db()
        self.assertEqual(lapsed.state, SubscriptionState.ENDED)
        self.assertIn("1 lapsed subscriptions ended", report)
        self.assertEqual(stripe.requests, [])

    def test_a_dry_run_reports_and_changes_nothing(self):
        subscription = self.card_subscription(days_left=2)
        lapsed = make_subscription(make_reader("cheque"), self.monthly, days_left=-1)
        with recorded_stripe() as stripe:
            stripe.answer("GET /v1/subscriptions/sub_drift", status="canceled")
            report = self.reconcile("--dry-run")
        self.assertIn("sub_drift", report)
        self.assertIn("would change: ended (canceled at Stripe)", report)
        self.assertIn("1 would be repaired, 1 would end", report)
        subscription.refresh_from_db()
        lapsed.refresh_from_db()
        self.assertEqual(subscription.state, SubscriptionState.ACTIVE)
        self.assertEqual(lapsed.state, SubscriptionState.ACTIVE)

    def test_after_reconciling_an_older_webhook_is_stale(self):
        subscription = self.card_subscription()
        with recorded_stripe() as stripe:
            stripe.answer("GET /v1/subscriptions/sub_drift", cancel_at_period_end=True)
            self.reconcile()
        sent = event(
            "customer.subscription.updated",
            subscription_object(
                "sub_drift",
                price="price_monthly_gbp",
                period_end=RECORDED_PERIOD_END,
                cancel_at_period_end=False,
            ),
            created=timezone.now() - datetime.timedelta(hours=1),
        )
        body = json.dumps(sent)
        with override_settings(STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET):
            self.client.post(
                "/stripe/webhook/",
                body,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=sign(body),
            )
        subscription.refresh_from_db()
        self.assertEqual(subscription.state, SubscriptionState.CANCELLING)
        logged = StripeEvent.objects.get(event_id=sent["id"])
        self.assertEqual(logged.outcome, StripeEventOutcome.STALE)

    @override_settings(STRIPE_SECRET_KEY="")
    def test_without_a_key_stripe_subscriptions_are_not_checked(self):
        self.card_subscription()
        err = StringIO()
        call_command("reconcile_stripe", stdout=StringIO(), stderr=err)
        self.assertIn("STRIPE_SECRET_KEY is not set", err.getvalue())
