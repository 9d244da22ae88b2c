"""The staff's side of subscriptions in the Wagtail admin, through the test client."""

import csv
import datetime
import io
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client, TestCase
from django.utils import timezone

from masthead.content.tests.factories import make_paper
from masthead.subscriptions.admin_views import last_months, spreadsheet_safe
from masthead.subscriptions.models import (
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    SiteLicence,
    StripeEvent,
    StripeEventOutcome,
    Subscription,
    SubscriptionState,
    UnlockWallet,
)

from .factories import make_pack, make_plan, make_reader, make_subscription

ADMIN = "/admin/"
SUBSCRIPTIONS = "/admin/subscriptions/subscriptions/"
ORDERS = "/admin/subscriptions/orders/"
PAYMENTS = "/admin/subscriptions/payments/"
STRIPE_EVENTS = "/admin/subscriptions/stripe-events/"
RECORD = "/admin/subscriptions/record-payment/"
REPORTS = "/admin/subscriptions/reports/"
CSV_URL = "/admin/subscriptions/reports/print-subscribers.csv"
PLANS = "/admin/snippets/subscriptions/plan/"
LICENCES = "/admin/snippets/subscriptions/sitelicence/"


def days(count: float) -> datetime.timedelta:
    return datetime.timedelta(days=count)


def make_editor(username: str, *codenames: str):
    """A member of staff who may enter the admin, with only the named permissions."""
    editor = get_user_model().objects.create_user(
        username, f"{username}@example.com", "pw-for-tests-1"
    )
    editor.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *[
            Permission.objects.get(content_type__app_label="subscriptions", codename=codename)
            for codename in codenames
        ],
    )
    return editor


class AdminTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        # A page tree as the admin expects one, even after a transactional test flushed it.
        make_paper()
        cls.monthly = make_plan("Digital monthly", prices={"GBP": "8.00", "EUR": "9.50"})
        cls.print_plan = make_plan("Print plus digital", includes_print=True, prices={"GBP": "20"})
        cls.pack = make_pack()
        cls.alice = make_reader("alice")
        cls.bob = make_reader("bob")
        cls.carol = make_reader("carol")
        cls.dave = make_reader("dave")
        cls.alice_sub = make_subscription(cls.alice, cls.monthly)
        cls.bob_sub = make_subscription(
            cls.bob,
            cls.print_plan,
            stripe_subscription_id="sub_bob",
            postal_address="1 Fleet Street\nLondon",
        )
        cls.carol_sub = make_subscription(
            cls.carol, cls.monthly, state=SubscriptionState.ENDED, days_left=-3
        )
        cls.dave_sub = make_subscription(
            cls.dave,
            cls.monthly,
            state=SubscriptionState.PAST_DUE,
            days_left=-1,
            grace_until=timezone.now() + days(5),
        )
        cls.admin = get_user_model().objects.create_superuser(
            "chief", "chief@example.com", "pw-for-tests-1"
        )

    def setUp(self):
        self.client.force_login(self.admin)

    def manual_payment(self, **overrides):
        data = {
            "reader": "alice",
            "plan": self.monthly.pk,
            "amount": "8.00",
            "currency": "GBP",
            "method": PaymentMethod.CHEQUE,
            "reference": "CHQ-100",
            "order": "",
            "postal_address": "",
            "note": "",
        }
        data.update(overrides)
        return self.client.post(RECORD, data)


class ListTests(AdminTestCase):
    def test_every_page_renders(self):
        event = StripeEvent.objects.create(
            event_id="evt_1",
            event_type="invoice.paid",
            created=timezone.now(),
            outcome=StripeEventOutcome.UNKNOWN_CUSTOMER,
            note="No reader for customer cus_404",
            payload={"id": "evt_1", "data": {"object": {"customer": "cus_404"}}},
        )
        payment = Payment.objects.create(
            user=self.alice, plan=self.monthly, method="cash", amount=8, currency="GBP"
        )
        SiteLicence.objects.create(
            name="City Library",
            email_domains="library.example",
            starts_on=timezone.localdate() - days(1),
            ends_on=timezone.localdate() + days(30),
        )
        for url in [
            SUBSCRIPTIONS,
            f"{SUBSCRIPTIONS}inspect/{self.alice_sub.pk}/",
            ORDERS,
            PAYMENTS,
            f"{PAYMENTS}inspect/{payment.pk}/",
            STRIPE_EVENTS,
            f"{STRIPE_EVENTS}inspect/{event.pk}/",
            RECORD,
            REPORTS,
            PLANS,
            f"{PLANS}add/",
            LICENCES,
        ]:
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_the_menu_groups_everything_under_subscriptions(self):
        html = self.client.get(ADMIN).content.decode()
        for label in [
            "Subscriptions",
            "Record a manual payment",
            "Orders awaiting payment",
            "Payments",
            "Plans",
            "Site licences",
            "Reports",
            "Stripe events",
        ]:
            self.assertIn(f'"{label}"', html)

    def test_subscriptions_show_explicit_states_and_where_they_are_paid(self):
        make_subscription(make_reader("erin"), self.monthly, state=SubscriptionState.CANCELLING)
        html = self.client.get(SUBSCRIPTIONS).content.decode()
        for label in [
            "Active",
            "Past due, in its grace period",
            "Cancelling at the end of the period",
            "Ended",
            "Stripe",
            "Manual",
        ]:
            self.assertIn(label, html)

    def test_a_lapsed_subscription_not_yet_ended_says_so(self):
        make_subscription(make_reader("frank"), self.monthly, days_left=-2)
        self.assertContains(self.client.get(SUBSCRIPTIONS), "Active — lapsed, ends tonight")

    def test_subscriptions_filter_by_state_and_plan(self):
        for query, expected in [
            ({"state": "past_due"}, [self.dave_sub]),
            ({"state": "ended"}, [self.carol_sub]),
            ({"plan": self.print_plan.pk}, [self.bob_sub]),
            ({"source": "stripe"}, [self.bob_sub]),
            ({"state": "active", "plan": self.monthly.pk}, [self.alice_sub]),
        ]:
            with self.subTest(query):
                response = self.client.get(SUBSCRIPTIONS, query)
                self.assertEqual(list(response.context["object_list"]), expected)

    def test_subscriptions_search_reader_username_and_email(self):
        for query in ["dave", "DAVE@example.org", "ave@exam"]:
            with self.subTest(query):
                response = self.client.get(SUBSCRIPTIONS, {"q": query})
                self.assertEqual(list(response.context["object_list"]), [self.dave_sub])

    def test_the_subscription_list_costs_the_same_queries_for_more_rows(self):
        self.client.get(SUBSCRIPTIONS)  # warm the content-type and permission caches
        ContentType.objects.clear_cache()
        with self.assertNumQueries(12) as few:
            self.client.get(SUBSCRIPTIONS)
        for n in range(5):
            make_subscription(make_reader(f"more{n}"), self.print_plan)
        ContentType.objects.clear_cache()
        with self.assertNumQueries(len(few.captured_queries)):
            self.client.get(SUBSCRIPTIONS)

    def test_payments_filter_by_method_and_search_reference_and_reader(self):
        cheque = Payment.objects.create(
            user=self.alice,
            plan=self.monthly,
            method="cheque",
            amount=8,
            currency="GBP",
            reference="CHQ-777",
        )
        transfer = Payment.objects.create(
            user=self.dave,
            plan=self.monthly,
            method="bank_transfer",
            amount=8,
            currency="GBP",
            reference="BANK-1",
        )
        for query, expected in [
            ({"method": "cheque"}, [cheque]),
            ({"method": "bank_transfer"}, [transfer]),
            ({"q": "CHQ-7"}, [cheque]),
            ({"q": "dave"}, [transfer]),
        ]:
            with self.subTest(query):
                response = self.client.get(PAYMENTS, query)
                self.assertEqual(list(response.context["object_list"]), expected)

    def test_stripe_events_filter_by_outcome_and_show_the_payload(self):
        stranger = StripeEvent.objects.create(
            event_id="evt_stranger",
            event_type="checkout.session.completed",
            created=timezone.now(),
            outcome=StripeEventOutcome.UNKNOWN_PRICE,
            payload={"data": {"object": {"price": "price_not_ours"}}},
        )
        StripeEvent.objects.create(
            event_id="evt_fine",
            event_type="invoice.paid",
            created=timezone.now(),
            outcome=StripeEventOutcome.APPLIED,
            payload={},
        )
        response = self.client.get(STRIPE_EVENTS, {"outcome": "unknown_price"})
        self.assertEqual(list(response.context["object_list"]), [stranger])
        html = self.client.get(f"{STRIPE_EVENTS}inspect/{stranger.pk}/").content.decode()
        self.assertIn("price_not_ours", html)
        self.assertIn("Not one of our plans; nothing granted", html)

    def test_plans_list_kind_interval_prices_and_sale(self):
        html = self.client.get(PLANS).content.decode()
        self.assertIn("8.00 GBP, 9.50 EUR", html)
        self.assertIn("Monthly", html)
        self.assertIn("Unlock pack", html)

    def test_site_licences_list_dates_and_whether_current(self):
        today = timezone.localdate()
        SiteLicence.objects.create(
            name="Old College",
            ip_ranges="192.0.2.0/24",
            starts_on=today - days(60),
            ends_on=today - days(30),
        )
        response = self.client.get(LICENCES)
        self.assertContains(response, "Old College")
        self.assertContains(response, "icon-cross")

    def test_the_generic_add_edit_and_delete_views_do_not_exist(self):
        for url in [
            f"{SUBSCRIPTIONS}new/",
            f"{SUBSCRIPTIONS}edit/{self.alice_sub.pk}/",
            f"{SUBSCRIPTIONS}delete/{self.alice_sub.pk}/",
            f"{PAYMENTS}new/",
            f"{STRIPE_EVENTS}new/",
            f"{ORDERS}new/",
        ]:
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(
            self.client.post(f"{SUBSCRIPTIONS}delete/{self.alice_sub.pk}/").status_code, 404
        )
        self.assertNotContains(self.client.get(SUBSCRIPTIONS), "Add subscription")
        self.assertTrue(Subscription.objects.filter(pk=self.alice_sub.pk).exists())


class ManualPaymentTests(AdminTestCase):
    def test_a_cheque_starts_a_subscription_recorded_by_the_staff_member(self):
        Subscription.objects.filter(user=self.alice).delete()
        response = self.manual_payment(note="Posted in March")
        payment = Payment.objects.get(reference="CHQ-100")
        subscription = Subscription.objects.get(user=self.alice)
        self.assertRedirects(
            response, f"{SUBSCRIPTIONS}inspect/{subscription.pk}/", fetch_redirect_response=False
        )
        self.assertEqual(payment.recorded_by, self.admin)
        self.assertEqual(payment.subscription, subscription)
        self.assertEqual((payment.amount, payment.currency), (Decimal("8.00"), "GBP"))
        self.assertEqual(payment.note, "Posted in March")
        self.assertEqual(subscription.state, SubscriptionState.ACTIVE)
        self.assertTrue(subscription.is_entitling())
        page = self.client.get(response.url).content.decode()
        self.assertIn("Payment of 8.00 GBP recorded for alice", page)
        self.assertIn("CHQ-100", page)

    def test_a_payment_extends_the_current_subscription_by_one_period(self):
        before = self.alice_sub.current_period_end
        self.manual_payment()
        self.alice_sub.refresh_from_db()
        self.assertGreater(self.alice_sub.current_period_end, before + days(27))

    def test_the_same_method_and_reference_twice_changes_nothing_and_says_so(self):
        self.manual_payment()
        self.alice_sub.refresh_from_db()
        paid_until = self.alice_sub.current_period_end
        response = self.manual_payment(amount="99.00", note="typed again")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Payment.objects.filter(reference="CHQ-100").count(), 1)
        self.alice_sub.refresh_from_db()
        self.assertEqual(self.alice_sub.current_period_end, paid_until)
        page = self.client.get(response.url).content.decode()
        self.assertIn("was recorded on", page)
        self.assertIn("Nothing changed: a payment is never counted twice.", page)

    def test_the_same_reference_by_another_method_is_another_payment(self):
        self.manual_payment()
        self.manual_payment(method=PaymentMethod.BANK_TRANSFER)
        self.assertEqual(Payment.objects.filter(reference="CHQ-100").count(), 2)

    def test_bad_input_is_explained_and_nothing_is_written(self):
        cases = [
            ({"amount": "-5"}, "amount", "The amount must be more than zero"),
            ({"amount": "0"}, "amount", "The amount must be more than zero"),
            ({"amount": "twelve"}, "amount", "Enter a number."),
            ({"reader": "nobody@example.org"}, "reader", "No reader has the username or email"),
            ({"currency": "USD"}, "currency", "has no price in USD"),
            ({"method": PaymentMethod.STRIPE}, "method", "Select a valid choice."),
            ({"reference": ""}, "reference", "needs its number as the reference"),
            ({"order": "MH-NOSUCH"}, "order", "There is no order “MH-NOSUCH”."),
            ({"plan": self.print_plan.pk, "reader": "carol"}, "postal_address", "address"),
        ]
        before = Subscription.objects.order_by("pk").values_list("pk", "current_period_end")
        before = list(before)
        for overrides, field, message in cases:
            with self.subTest(field=field, overrides=overrides):
                response = self.manual_payment(**overrides)
                self.assertEqual(response.status_code, 200)
                errors = " ".join(response.context["form"].errors.get(field, []))
                self.assertIn(message, errors)
                self.assertContains(response, message.split("“")[0])
        self.assertFalse(Payment.objects.exists())
        after = Subscription.objects.order_by("pk").values_list("pk", "current_period_end")
        self.assertEqual(list(after), before)

    def test_amount_and_currency_default_to_the_plans_price(self):
        self.manual_payment(amount="", currency="")
        payment = Payment.objects.get()
        self.assertEqual((payment.amount, payment.currency), (Decimal("8.00"), "GBP"))
        self.manual_payment(amount="", currency="eur", reference="CHQ-101")
        self.assertEqual(Payment.objects.get(reference="CHQ-101").amount, Decimal("9.50"))

    def test_the_reader_may_be_given_by_email_in_any_case(self):
        self.manual_payment(reader="ALICE@example.org")
        self.assertEqual(Payment.objects.get().user, self.alice)

    def test_a_complimentary_subscription_costs_nothing_and_needs_no_reference(self):
        self.manual_payment(
            reader="carol", method=PaymentMethod.COMPLIMENTARY, reference="", amount=""
        )
        payment = Payment.objects.get(user=self.carol)
        self.assertEqual(payment.amount, Decimal("0"))
        self.assertTrue(Subscription.objects.filter(user=self.carol).entitling().exists())

    def test_a_print_plan_keeps_the_postal_address(self):
        self.manual_payment(
            reader="carol", plan=self.print_plan.pk, amount="20", postal_address="2 Mill Lane"
        )
        subscription = Subscription.objects.get(user=self.carol, plan=self.print_plan)
        self.assertEqual(subscription.postal_address, "2 Mill Lane")

    def test_an_unlock_pack_adds_unlocks(self):
        response = self.manual_payment(plan=self.pack.pk, amount="", currency="")
        self.assertRedirects(response, PAYMENTS, fetch_redirect_response=False)
        self.assertEqual(UnlockWallet.objects.get(user=self.alice).unlocks_left, 5)

    def test_the_form_needs_csrf(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.admin)
        response = client.post(
            RECORD,
            {"reader": "alice", "plan": self.monthly.pk, "method": "cash", "amount": "8"},
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Payment.objects.exists())


class OrderTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.order = Order.objects.create(
            user=cls.carol,
            plan=cls.print_plan,
            currency="GBP",
            amount=Decimal("20.00"),
            postal_address="9 Harbour Road",
        )
        cls.paid_order = Order.objects.create(
            user=cls.dave,
            plan=cls.monthly,
            currency="GBP",
            amount=Decimal("8.00"),
            status=OrderStatus.PAID,
        )

    def test_orders_awaiting_payment_link_to_a_prefilled_form(self):
        response = self.client.get(ORDERS, {"status": "awaiting"})
        self.assertEqual(list(response.context["object_list"]), [self.order])
        link = f"{RECORD}?order={self.order.pk}"
        self.assertContains(response, link)
        self.assertNotContains(self.client.get(ORDERS), f"{RECORD}?order={self.paid_order.pk}")
        form = self.client.get(link).context["form"]
        self.assertEqual(form.initial["reader"], "carol")
        self.assertEqual(form.initial["plan"], self.print_plan.pk)
        self.assertEqual(form.initial["amount"], Decimal("20.00"))
        self.assertEqual(form.initial["order"], self.order.reference)
        self.assertEqual(form.initial["postal_address"], "9 Harbour Road")
        self.assertContains(self.client.get(RECORD), link)

    def test_paying_an_order_marks_it_paid_and_keeps_its_address(self):
        self.manual_payment(
            reader="carol",
            plan=self.print_plan.pk,
            amount="20.00",
            method=PaymentMethod.BANK_TRANSFER,
            reference="BANK-9",
            order=self.order.reference.lower(),
        )
        self.order.refresh_from_db()
        self.assertEqual(self.order.status, OrderStatus.PAID)
        payment = Payment.objects.get(reference="BANK-9")
        self.assertEqual(payment.order, self.order)
        self.assertEqual(payment.subscription.postal_address, "9 Harbour Road")

    def test_an_order_must_be_the_readers_for_that_plan_and_awaiting(self):
        for overrides, message in [
            ({"reader": "alice"}, "belongs to another reader"),
            ({"plan": self.monthly.pk, "amount": "8"}, "is for the plan"),
        ]:
            with self.subTest(message):
                data = {
                    "reader": "carol",
                    "plan": self.print_plan.pk,
                    "amount": "20",
                    "order": self.order.reference,
                    **overrides,
                }
                response = self.manual_payment(**data)
                self.assertIn(message, " ".join(response.context["form"].errors["order"]))
        response = self.manual_payment(reader="dave", order=self.paid_order.reference)
        self.assertIn("is not awaiting payment", str(response.context["form"].errors["order"]))
        self.assertFalse(Payment.objects.exists())


class ExtendAndEndTests(AdminTestCase):
    def test_extend_until_a_date(self):
        day = timezone.localdate() + days(90)
        response = self.client.post(
            f"{SUBSCRIPTIONS}extend/{self.carol_sub.pk}/", {"until": day.isoformat()}
        )
        self.assertRedirects(
            response, f"{SUBSCRIPTIONS}inspect/{self.carol_sub.pk}/", fetch_redirect_response=False
        )
        self.carol_sub.refresh_from_db()
        self.assertEqual(timezone.localtime(self.carol_sub.current_period_end).date(), day)
        self.assertEqual(self.carol_sub.state, SubscriptionState.ACTIVE)
        self.assertContains(self.client.get(response.url), "paid until")

    def test_extend_refuses_a_date_in_the_past_with_a_message(self):
        before = self.alice_sub.current_period_end
        for value in [timezone.localdate().isoformat(), "not a date"]:
            with self.subTest(value):
                response = self.client.post(
                    f"{SUBSCRIPTIONS}extend/{self.alice_sub.pk}/", {"until": value}, follow=True
                )
                self.assertEqual(response.status_code, 200)
                messages = [str(m) for m in response.context["messages"]]
                self.assertTrue(messages and ("date" in messages[0]), messages)
        self.alice_sub.refresh_from_db()
        self.assertEqual(self.alice_sub.current_period_end, before)

    def test_end_now_asks_first_then_ends(self):
        url = f"{SUBSCRIPTIONS}end/{self.alice_sub.pk}/"
        inspect = self.client.get(f"{SUBSCRIPTIONS}inspect/{self.alice_sub.pk}/")
        self.assertContains(inspect, url)
        confirmation = self.client.get(url)
        self.assertContains(confirmation, "Yes, end it now")
        self.alice_sub.refresh_from_db()
        self.assertEqual(self.alice_sub.state, SubscriptionState.ACTIVE)
        self.client.post(url)
        self.alice_sub.refresh_from_db()
        self.assertEqual(self.alice_sub.state, SubscriptionState.ENDED)
        self.assertFalse(self.alice_sub.is_entitling())
        response = self.client.post(url, follow=True)
        self.assertContains(response, "had ended already; nothing changed")

    def test_stripe_subscriptions_are_changed_in_stripe_not_here(self):
        before = self.bob_sub.current_period_end
        inspect = self.client.get(f"{SUBSCRIPTIONS}inspect/{self.bob_sub.pk}/")
        self.assertContains(inspect, "Billed by Stripe")
        self.assertNotContains(inspect, f"{SUBSCRIPTIONS}end/{self.bob_sub.pk}/")
        future = (timezone.localdate() + days(300)).isoformat()
        self.client.post(f"{SUBSCRIPTIONS}extend/{self.bob_sub.pk}/", {"until": future})
        response = self.client.post(f"{SUBSCRIPTIONS}end/{self.bob_sub.pk}/", follow=True)
        self.assertContains(response, "Nothing changed here.")
        self.bob_sub.refresh_from_db()
        self.assertEqual(
            (self.bob_sub.state, self.bob_sub.current_period_end),
            (SubscriptionState.ACTIVE, before),
        )

    def test_the_subscription_page_lists_its_payments(self):
        Payment.objects.create(
            user=self.alice,
            plan=self.monthly,
            subscription=self.alice_sub,
            method="cheque",
            amount=8,
            currency="GBP",
            reference="CHQ-55",
            recorded_by=self.admin,
        )
        response = self.client.get(f"{SUBSCRIPTIONS}inspect/{self.alice_sub.pk}/")
        self.assertContains(response, "CHQ-55")
        self.assertContains(response, "Cheque")


class ReportTests(AdminTestCase):
    def csv_rows(self):
        response = self.client.get(CSV_URL)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.streaming)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        body = b"".join(response.streaming_content).decode()
        return list(csv.reader(io.StringIO(body)))

    def test_the_csv_lists_active_print_subscribers_only(self):
        lapsed = make_reader("lapsed")
        make_subscription(lapsed, self.print_plan, state=SubscriptionState.ENDED, days_left=-1)
        header, *rows = self.csv_rows()
        self.assertEqual(header, ["Name", "Email", "Plan", "Paid until", "Postal address"])
        self.assertEqual(len(rows), 1)
        name, email, plan, paid_until, address = rows[0]
        self.assertEqual((name, email, plan), ("bob", "bob@example.org", "Print plus digital"))
        self.assertEqual(
            paid_until, timezone.localtime(self.bob_sub.current_period_end).date().isoformat()
        )
        self.assertEqual(address, "1 Fleet Street\nLondon")

    def test_csv_cells_cannot_become_formulas(self):
        mallory = make_reader("mallory", first_name='=HYPERLINK("http://x")', last_name="Q")
        make_subscription(mallory, self.print_plan, postal_address="@SUM(A1:A9)")
        zed = make_reader("zed", first_name="+1", last_name="-2")
        make_subscription(zed, self.print_plan, postal_address="-10 Downing St")
        rows = {row[1]: row for row in self.csv_rows()[1:]}
        self.assertEqual(rows["mallory@example.org"][0], '\'=HYPERLINK("http://x") Q')
        self.assertEqual(rows["mallory@example.org"][4], "'@SUM(A1:A9)")
        self.assertEqual(rows["zed@example.org"][0], "'+1 -2")
        self.assertEqual(rows["zed@example.org"][4], "'-10 Downing St")
        self.assertEqual(rows["bob@example.org"][4], "1 Fleet Street\nLondon")

    def test_spreadsheet_safe(self):
        for value, expected in [
            ("=1+1", "'=1+1"),
            ("+44 20", "'+44 20"),
            ("-", "'-"),
            ("@me", "'@me"),
            ("\t=x", "'\t=x"),
            ("a=b", "a=b"),
            (None, ""),
            (12, "12"),
        ]:
            with self.subTest(value):
                self.assertEqual(spreadsheet_safe(value), expected)

    def test_counts_of_subscribers_by_plan(self):
        make_subscription(
            self.alice, self.monthly, state=SubscriptionState.CANCELLING
        )  # same reader
        make_subscription(make_reader("gina"), self.monthly, state=SubscriptionState.CANCELLING)
        response = self.client.get(REPORTS)
        by_plan = {row["plan"]: row["readers"] for row in response.context["by_plan"]}
        # alice (once, with two subscriptions), gina cancelling, dave in grace; carol ended
        self.assertEqual(by_plan[self.monthly], 3)
        self.assertEqual(by_plan[self.print_plan], 1)
        self.assertNotIn(self.pack, by_plan)
        self.assertEqual(response.context["total_subscribers"], 4)
        self.assertContains(response, f'<td data-plan="{self.monthly.pk}">3</td>', html=True)

    def test_new_and_ended_subscriptions_per_month(self):
        now = timezone.now()
        months = last_months(12)
        this_month, earlier = months[-1], months[-4]
        three_months_ago = timezone.make_aware(
            datetime.datetime.combine(earlier, datetime.time(12))
        ) + days(2)
        Subscription.objects.update(started_at=now)
        old = make_subscription(
            make_reader("old"), self.monthly, started_at=three_months_ago - days(400)
        )
        Subscription.objects.filter(pk=old.pk).update(
            state=SubscriptionState.ENDED, ended_at=three_months_ago
        )
        Subscription.objects.filter(pk=self.carol_sub.pk).update(ended_at=now)
        rows = {row["month"]: row for row in self.client.get(REPORTS).context["months"]}
        self.assertEqual(list(rows), months)
        self.assertEqual((rows[this_month]["started"], rows[this_month]["ended"]), (4, 1))
        self.assertEqual((rows[earlier]["started"], rows[earlier]["ended"]), (0, 1))
        self.assertEqual(sum(row["started"] for row in rows.values()), 4)  # "old" is older

    def test_last_months(self):
        self.assertEqual(
            last_months(3, datetime.date(2026, 2, 15)),
            [datetime.date(2025, 12, 1), datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)],
        )


class PermissionTests(AdminTestCase):
    def test_an_editor_without_permission_gets_403_and_changes_nothing(self):
        self.client.force_login(make_editor("intern"))
        for url in [
            SUBSCRIPTIONS,
            f"{SUBSCRIPTIONS}inspect/{self.alice_sub.pk}/",
            ORDERS,
            PAYMENTS,
            STRIPE_EVENTS,
            RECORD,
            REPORTS,
            CSV_URL,
            f"{SUBSCRIPTIONS}end/{self.alice_sub.pk}/",
        ]:
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 403)
        self.assertEqual(self.manual_payment().status_code, 403)
        future = (timezone.localdate() + days(90)).isoformat()
        response = self.client.post(
            f"{SUBSCRIPTIONS}extend/{self.alice_sub.pk}/", {"until": future}
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(
            self.client.post(f"{SUBSCRIPTIONS}end/{self.alice_sub.pk}/").status_code, 403
        )
        self.assertNotEqual(self.client.get(PLANS).status_code, 200)
        self.assertNotIn('"Record a manual payment"', self.client.get(ADMIN).content.decode())
        self.assertFalse(Payment.objects.exists())
        self.alice_sub.refresh_from_db()
        self.assertEqual(self.alice_sub.state, SubscriptionState.ACTIVE)

    def test_viewing_is_not_changing(self):
        self.client.force_login(make_editor("auditor", "view_subscription", "view_payment"))
        self.assertEqual(self.client.get(SUBSCRIPTIONS).status_code, 200)
        self.assertEqual(self.client.get(REPORTS).status_code, 200)
        self.assertEqual(self.client.get(PAYMENTS).status_code, 200)
        inspect = self.client.get(f"{SUBSCRIPTIONS}inspect/{self.alice_sub.pk}/")
        self.assertContains(inspect, "You may look at this subscription but not change it.")
        self.assertNotContains(inspect, f"{SUBSCRIPTIONS}end/")
        self.assertNotContains(self.client.get(SUBSCRIPTIONS), "Record a manual payment")
        self.assertEqual(
            self.client.post(f"{SUBSCRIPTIONS}end/{self.alice_sub.pk}/").status_code, 403
        )
        self.assertEqual(self.manual_payment().status_code, 403)
        menu = self.client.get(ADMIN).content.decode()
        self.assertIn('"Reports"', menu)
        self.assertNotIn('"Record a manual payment"', menu)

    def test_the_right_permissions_allow_each_change(self):
        clerk = make_editor("clerk", "add_payment", "view_subscription", "change_subscription")
        self.client.force_login(clerk)
        self.assertEqual(self.client.get(RECORD).status_code, 200)
        self.manual_payment()
        self.assertEqual(Payment.objects.get().recorded_by, clerk)
        self.client.post(f"{SUBSCRIPTIONS}end/{self.dave_sub.pk}/")
        self.dave_sub.refresh_from_db()
        self.assertEqual(self.dave_sub.state, SubscriptionState.ENDED)
