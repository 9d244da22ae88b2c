"""The writers of entitlements: payments, periods, unlocks and gift links, each applied once."""

import datetime
import threading
from decimal import Decimal

from django.db import connection
from django.test import TestCase, TransactionTestCase
from django.utils import timezone

from masthead.content.tests.factories import make_paper
from masthead.subscriptions import services, signals
from masthead.subscriptions.models import (
    GiftLink,
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    PlanInterval,
    Subscription,
    SubscriptionState,
    UnlockedArticle,
    UnlockWallet,
    add_months,
)

from .factories import make_pack, make_plan, make_premium_article, make_reader, make_subscription


class AddMonthsTests(TestCase):
    def test_month_ends_clamp_and_years_roll_over(self):
        moment = datetime.datetime(2026, 1, 31, 10, 0, tzinfo=datetime.UTC)
        self.assertEqual(add_months(moment, 1).date(), datetime.date(2026, 2, 28))
        self.assertEqual(add_months(moment, 12).date(), datetime.date(2027, 1, 31))
        leap = datetime.datetime(2028, 1, 31, tzinfo=datetime.UTC)
        self.assertEqual(add_months(leap, 1).date(), datetime.date(2028, 2, 29))
        self.assertEqual(
            add_months(datetime.datetime(2026, 11, 15, tzinfo=datetime.UTC), 3).date(),
            datetime.date(2027, 2, 15),
        )


class RecordPaymentTests(TestCase):
    def setUp(self):
        self.reader = make_reader()
        self.monthly = make_plan()
        self.annual = make_plan(
            "Digital, annual", interval=PlanInterval.YEAR, prices={"GBP": "60.00"}
        )

    def pay(self, plan, reference="CHQ-1", **extra):
        return services.record_payment(
            user=self.reader,
            plan=plan,
            amount=Decimal("6.00"),
            currency="gbp",
            method=PaymentMethod.CHEQUE,
            reference=reference,
            **extra,
        )

    def test_a_first_payment_starts_a_subscription_for_one_period(self):
        started = []
        signals.subscription_started.connect(
            lambda **kw: started.append(kw["subscription"]), weak=False, dispatch_uid="test-started"
        )
        self.addCleanup(signals.subscription_started.disconnect, dispatch_uid="test-started")
        result = self.pay(self.annual)
        self.assertTrue(result.created)
        subscription = result.subscription
        self.assertEqual(subscription.state, SubscriptionState.ACTIVE)
        days = (subscription.current_period_end - timezone.now()).days
        self.assertIn(days, (364, 365))
        self.assertEqual(result.payment.currency, "GBP")
        self.assertEqual(started, [subscription])

    def test_the_same_reference_twice_changes_nothing(self):
        first = self.pay(self.monthly)
        second = self.pay(self.monthly)
        self.assertFalse(second.created)
        self.assertEqual(second.payment, first.payment)
        self.assertEqual(Payment.objects.count(), 1)
        subscription = Subscription.objects.get()
        self.assertEqual(subscription.current_period_end, first.subscription.current_period_end)

    def test_a_second_payment_adds_a_period_after_the_paid_one(self):
        first = self.pay(self.monthly, "CHQ-1")
        end = first.subscription.current_period_end
        second = self.pay(self.monthly, "CHQ-2")
        self.assertEqual(second.subscription.pk, first.subscription.pk)
        self.assertEqual(second.subscription.current_period_end, add_months(end, 1))

    def test_a_payment_after_the_end_starts_afresh(self):
        old = make_subscription(
            self.reader, self.monthly, state=SubscriptionState.ENDED, days_left=-40
        )
        result = self.pay(self.monthly)
        self.assertNotEqual(result.subscription.pk, old.pk)
        self.assertTrue(result.subscription.is_entitling())

    def test_a_payment_in_the_grace_period_makes_it_active_again(self):
        subscription = make_subscription(
            self.reader,
            self.monthly,
            state=SubscriptionState.PAST_DUE,
            days_left=-2,
            grace_until=timezone.now() + datetime.timedelta(days=5),
        )
        result = self.pay(self.monthly)
        subscription.refresh_from_db()
        self.assertEqual(result.subscription.pk, subscription.pk)
        self.assertEqual(subscription.state, SubscriptionState.ACTIVE)
        self.assertIsNone(subscription.grace_until)
        self.assertGreater(subscription.current_period_end, timezone.now())

    def test_an_unlock_pack_adds_its_unlocks_once_and_marks_the_order_paid(self):
        pack = make_pack(5)
        order = services.place_order(self.reader, pack, "GBP")
        self.pay(pack, "BANK-9", order=order)
        self.pay(pack, "BANK-9", order=order)
        self.assertEqual(UnlockWallet.objects.get(user=self.reader).unlocks_left, 5)
        self.assertFalse(Subscription.objects.exists())
        order.refresh_from_db()
        self.assertEqual(order.status, OrderStatus.PAID)

    def test_a_print_order_keeps_the_postal_address_for_the_subscription(self):
        printed = make_plan("Print", includes_print=True, prices={"GBP": "12.00"})
        with self.assertRaisesMessage(services.Refused, "postal address"):
            services.place_order(self.reader, printed, "GBP", "   ")
        order = services.place_order(self.reader, printed, "GBP", "1 High Street\nLondon")
        result = self.pay(printed, order=order)
        self.assertEqual(result.subscription.postal_address, "1 High Street\nLondon")

    def test_orders_are_refused_for_plans_off_sale_or_unknown_currencies(self):
        with self.assertRaisesMessage(services.Refused, "currency"):
            services.place_order(self.reader, self.monthly, "USD")
        self.monthly.is_active = False
        self.monthly.save()
        with self.assertRaisesMessage(services.Refused, "no longer on sale"):
            services.place_order(self.reader, self.monthly, "GBP")
        self.assertFalse(Order.objects.exists())


class CancelResumeTests(TestCase):
    def setUp(self):
        self.reader = make_reader()
        self.subscription = make_subscription(self.reader, make_plan())

    def test_cancel_keeps_access_until_the_period_ends_then_resume(self):
        services.cancel(self.subscription, self.reader)
        self.subscription.refresh_from_db()
        self.assertEqual(self.subscription.state, SubscriptionState.CANCELLING)
        self.assertTrue(self.subscription.is_entitling())
        services.resume(self.subscription, self.reader)
        self.subscription.refresh_from_db()
        self.assertEqual(self.subscription.state, SubscriptionState.ACTIVE)

    def test_nobody_cancels_someone_elses_subscription(self):
        intruder = make_reader("intruder")
        with self.assertRaisesMessage(services.Refused, "not your subscription"):
            services.cancel(self.subscription, intruder)
        self.subscription.refresh_from_db()
        self.assertEqual(self.subscription.state, SubscriptionState.ACTIVE)

    def test_a_subscription_cannot_be_resumed_after_its_period(self):
        services.cancel(self.subscription, self.reader)
        Subscription.objects.filter(pk=self.subscription.pk).update(
            current_period_end=timezone.now() - datetime.timedelta(minutes=1)
        )
        self.subscription.refresh_from_db()
        self.assertFalse(self.subscription.is_entitling())
        with self.assertRaisesMessage(services.Refused, "has ended"):
            services.resume(self.subscription, self.reader)

    def test_end_lapsed_ends_what_has_run_out_and_nothing_else(self):
        other = make_subscription(make_reader("other"), make_plan("Other"), days_left=-1)
        self.assertEqual(services.end_lapsed(), 1)
        other.refresh_from_db()
        self.subscription.refresh_from_db()
        self.assertEqual(other.state, SubscriptionState.ENDED)
        self.assertEqual(self.subscription.state, SubscriptionState.ACTIVE)


class UnlockAndGiftTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        cls.article = make_premium_article(cls.paper.politics, "Inquiry", secret="Hidden.")

    def setUp(self):
        self.reader = make_reader()

    def test_unlocking_spends_exactly_one_unlock_once(self):
        services.add_unlocks(self.reader, 2)
        self.assertTrue(services.unlock(self.reader, self.article))
        self.assertFalse(services.unlock(self.reader, self.article))
        self.assertEqual(UnlockWallet.objects.get(user=self.reader).unlocks_left, 1)
        self.assertEqual(UnlockedArticle.objects.filter(user=self.reader).count(), 1)

    def test_unlocking_without_unlocks_is_refused_and_writes_nothing(self):
        with self.assertRaisesMessage(services.Refused, "no unlocks left"):
            services.unlock(self.reader, self.article)
        self.assertFalse(UnlockedArticle.objects.exists())

    def test_gift_links_are_for_subscribers_and_limited_per_month(self):
        with self.assertRaisesMessage(services.Refused, "for subscribers"):
            services.create_gift_link(self.reader, self.article, per_month=2, days=7)
        make_subscription(self.reader, make_plan())
        second = make_premium_article(self.paper.economy, "Second", secret="Two.")
        third = make_premium_article(self.paper.news, "Third", secret="Three.")
        first = services.create_gift_link(self.reader, self.article, per_month=2, days=7)
        again = services.create_gift_link(self.reader, self.article, per_month=2, days=7)
        self.assertEqual(again, first)  # the same article again: the open link, for free
        services.create_gift_link(self.reader, second, per_month=2, days=7)
        with self.assertRaisesMessage(services.Refused, "all your gift links"):
            services.create_gift_link(self.reader, third, per_month=2, days=7)
        self.assertEqual(GiftLink.objects.count(), 2)
        self.assertGreaterEqual(len(first.token), 40)
        self.assertAlmostEqual(
            (first.expires_at - timezone.now()).total_seconds(), 7 * 86400, delta=60
        )


class TwoTabsTests(TransactionTestCase):
    """Two requests racing to unlock the same article spend one unlock between them."""

    def test_two_simultaneous_unlocks_spend_one(self):
        paper = make_paper()
        article = make_premium_article(paper.politics, "Race", secret="Hidden.")
        reader = make_reader()
        services.add_unlocks(reader, 3)
        barrier = threading.Barrier(2)
        outcomes = []

        def click():
            barrier.wait()
            try:
                outcomes.append(services.unlock(reader, article))
            except services.Refused as refusal:  # a locked SQLite database says so
                outcomes.append(str(refusal))
            finally:
                connection.close()

        threads = [threading.Thread(target=click) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(UnlockWallet.objects.get(user=reader).unlocks_left, 2)
        self.assertEqual(UnlockedArticle.objects.count(), 1)
        self.assertIn(True, outcomes)


class HousekeepingTests(TestCase):
    def test_the_nightly_command_ends_lapsed_subscriptions_and_forgets_old_meter_rows(self):
        import uuid
        from io import StringIO

        from django.core.management import call_command

        from masthead.subscriptions.models import MeteredRead

        lapsed = make_subscription(make_reader(), make_plan(), days_left=-1)
        now = timezone.now()
        old = MeteredRead.objects.create(
            reader_key="visitor:a",
            article_key=uuid.uuid4(),
            read_at=now - datetime.timedelta(days=40),
        )
        recent = MeteredRead.objects.create(
            reader_key="visitor:a",
            article_key=uuid.uuid4(),
            read_at=now - datetime.timedelta(days=29),
        )
        out = StringIO()
        call_command("paywall_housekeeping", stdout=out)
        self.assertIn("Ended 1 subscription(s); forgot 1 old meter row(s).", out.getvalue())
        lapsed.refresh_from_db()
        self.assertEqual(lapsed.state, SubscriptionState.ENDED)
        self.assertFalse(MeteredRead.objects.filter(pk=old.pk).exists())
        self.assertTrue(MeteredRead.objects.filter(pk=recent.pk).exists())
