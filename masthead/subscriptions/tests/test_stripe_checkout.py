"""Outgoing Stripe calls, through the real library against recorded answers."""

from django.test import RequestFactory, TestCase
from django.urls import reverse
from django.utils import translation

from masthead.subscriptions import services, stripe_gateway
from masthead.subscriptions.models import Order, StripeCustomer, SubscriptionState

from .factories import make_plan, make_reader, make_subscription
from .stripe_helpers import UnexpectedStripeRequest, recorded_stripe

SESSION_URL = "https://checkout.stripe.com/c/pay/cs_test_RecordedSession1"
STRIPE_ERROR = {
    "error": {
        "type": "invalid_request_error",
        "code": "resource_missing",
        "message": "No such price: 'price_monthly_gbp'",
        "param": "line_items[0][price]",
    }
}


class StripeTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.reader = make_reader("cardholder")
        cls.monthly = make_plan(
            prices={"GBP": "9.00", "EUR": "10.00"}, stripe_prices={"GBP": "price_monthly_gbp"}
        )
        cls.pack = make_plan(
            "Five unlocks",
            kind="unlock_pack",
            unlocks=5,
            prices={"GBP": "5.00"},
            stripe_prices={"GBP": "price_pack_gbp"},
        )

    def request(self):
        request = RequestFactory().get("/")
        request.user = self.reader
        return request


class StartCheckoutTests(StripeTestCase):
    def test_a_subscription_checkout_sends_what_stripe_needs(self):
        order = services.place_order(self.reader, self.monthly, "GBP")
        with recorded_stripe() as stripe:
            url = stripe_gateway.start_checkout(order, self.request())
        self.assertEqual(url, SESSION_URL)
        [customer] = stripe.asked("POST", "/v1/customers")
        self.assertEqual(customer.params["email"], "cardholder@example.org")
        self.assertEqual(customer.params["metadata[masthead_user]"], str(self.reader.pk))
        [session] = stripe.asked("POST", "/v1/checkout/sessions")
        order_url = f"http://testserver/subscriptions/orders/{order.reference}/"
        self.assertEqual(
            session.params,
            {
                "mode": "subscription",
                "line_items[0][price]": "price_monthly_gbp",
                "line_items[0][quantity]": "1",
                "client_reference_id": order.reference,
                "metadata[order]": order.reference,
                "metadata[plan]": str(self.monthly.pk),
                "success_url": order_url + "?checkout=done",
                "cancel_url": order_url + "?checkout=cancelled",
                "subscription_data[metadata][order]": order.reference,
                "subscription_data[metadata][plan]": str(self.monthly.pk),
                "customer": "cus_RecordedReader1",
            },
        )
        self.assertEqual(session.headers["Idempotency-Key"], f"masthead-checkout-{order.reference}")
        self.assertTrue(session.headers["Authorization"].endswith("sk_test_masthead_recorded"))
        order.refresh_from_db()
        self.assertEqual(order.stripe_checkout_session_id, "cs_test_RecordedSession1")
        self.assertEqual(
            StripeCustomer.objects.get(user=self.reader).customer_id, "cus_RecordedReader1"
        )

    def test_an_unlock_pack_is_a_one_off_payment_and_the_customer_is_reused(self):
        StripeCustomer.objects.create(user=self.reader, customer_id="cus_known")
        order = services.place_order(self.reader, self.pack, "GBP")
        with recorded_stripe() as stripe:
            stripe_gateway.start_checkout(order, self.request())
        self.assertEqual(stripe.asked("POST", "/v1/customers"), [])
        [session] = stripe.requests
        self.assertEqual(session.params["mode"], "payment")
        self.assertEqual(session.params["customer"], "cus_known")
        self.assertEqual(session.params["line_items[0][price]"], "price_pack_gbp")
        self.assertEqual(session.params["payment_intent_data[metadata][order]"], order.reference)
        self.assertNotIn("subscription_data[metadata][order]", session.params)

    def test_the_persian_edition_comes_back_to_the_persian_order_page(self):
        order = services.place_order(self.reader, self.pack, "GBP")
        with recorded_stripe() as stripe, translation.override("fa"):
            stripe_gateway.start_checkout(order, self.request())
        session = stripe.asked("POST", "/v1/checkout/sessions")[0]
        self.assertIn(f"/fa/subscriptions/orders/{order.reference}/", session.params["success_url"])

    def test_a_currency_without_a_stripe_price_is_refused_before_asking_stripe(self):
        order = services.place_order(self.reader, self.monthly, "EUR")
        with recorded_stripe() as stripe, self.assertRaises(services.Refused):
            stripe_gateway.start_checkout(order, self.request())
        self.assertEqual(stripe.requests, [])

    def test_stripe_saying_no_is_a_clear_refusal(self):
        order = services.place_order(self.reader, self.monthly, "GBP")
        with recorded_stripe() as stripe:
            stripe.answer("POST /v1/checkout/sessions", http_status=400, body=STRIPE_ERROR)
            with self.assertRaisesMessage(services.Refused, "did not answer"):
                stripe_gateway.start_checkout(order, self.request())
        order.refresh_from_db()
        self.assertEqual(order.stripe_checkout_session_id, "")

    def test_a_request_nobody_recorded_fails_the_test(self):
        with recorded_stripe(), self.assertRaises(UnexpectedStripeRequest):
            stripe_gateway.client().v1.invoices.retrieve("in_nothing")


class CheckoutViewTests(StripeTestCase):
    def test_paying_by_card_redirects_to_stripe_with_303(self):
        self.client.force_login(self.reader)
        url = reverse("subscriptions:checkout", args=[self.monthly.pk])
        with recorded_stripe() as stripe:
            page = self.client.get(url)
            self.assertContains(page, 'value="card"')
            response = self.client.post(url, {"currency": "GBP", "payment": "card"})
        self.assertEqual(response.status_code, 303)
        self.assertEqual(response["Location"], SESSION_URL)
        order = Order.objects.get()
        self.assertEqual(order.stripe_checkout_session_id, "cs_test_RecordedSession1")
        self.assertEqual(len(stripe.asked("POST", "/v1/checkout/sessions")), 1)

    def test_when_stripe_refuses_the_reader_gets_the_form_back_with_the_reason(self):
        self.client.force_login(self.reader)
        url = reverse("subscriptions:checkout", args=[self.monthly.pk])
        with recorded_stripe() as stripe:
            stripe.answer("POST /v1/checkout/sessions", http_status=400, body=STRIPE_ERROR)
            response = self.client.post(url, {"currency": "GBP", "payment": "card"})
        self.assertContains(response, "did not answer", status_code=400)
        self.assertContains(
            response, 'value="card" id="id_payment_0" required checked', status_code=400
        )


class PortalTests(StripeTestCase):
    def test_the_account_page_button_opens_the_portal_or_says_why_not(self):
        make_subscription(self.reader, self.monthly, stripe_subscription_id="sub_portal")
        self.client.force_login(self.reader)
        with recorded_stripe():
            account = self.client.get(reverse("subscriptions:account"))
            self.assertContains(account, "Manage card and invoices")
            refused = self.client.post(reverse("subscriptions:billing"), follow=True)
        self.assertContains(refused, "nothing to manage at Stripe")
        StripeCustomer.objects.create(user=self.reader, customer_id="cus_known")
        with recorded_stripe():
            response = self.client.post(reverse("subscriptions:billing"))
        self.assertEqual(response.status_code, 303)
        self.assertEqual(
            response["Location"], "https://billing.stripe.com/p/session/test_RecordedPortal1"
        )

    def test_the_portal_opens_for_a_known_customer(self):
        StripeCustomer.objects.create(user=self.reader, customer_id="cus_known")
        with recorded_stripe() as stripe:
            url = stripe_gateway.portal_url(self.reader, "http://testserver/subscriptions/account/")
        self.assertEqual(url, "https://billing.stripe.com/p/session/test_RecordedPortal1")
        [asked] = stripe.asked("POST", "/v1/billing_portal/sessions")
        self.assertEqual(
            asked.params,
            {"customer": "cus_known", "return_url": "http://testserver/subscriptions/account/"},
        )

    def test_a_reader_who_never_paid_by_card_has_no_portal(self):
        with recorded_stripe() as stripe, self.assertRaises(services.Refused):
            stripe_gateway.portal_url(self.reader, "http://testserver/")
        self.assertEqual(stripe.requests, [])


class CancelResumeTests(StripeTestCase):
    def setUp(self):
        self.subscription = make_subscription(
            self.reader, self.monthly, stripe_subscription_id="sub_card"
        )

    def test_cancel_and_resume_tell_stripe(self):
        with recorded_stripe() as stripe:
            services.cancel(self.subscription, self.reader)
            self.assertEqual(self.subscription.state, SubscriptionState.CANCELLING)
            services.resume(self.subscription, self.reader)
        self.assertEqual(self.subscription.state, SubscriptionState.ACTIVE)
        asked = stripe.asked("POST", "/v1/subscriptions/sub_card")
        self.assertEqual(
            [request.params for request in asked],
            [{"cancel_at_period_end": "true"}, {"cancel_at_period_end": "false"}],
        )

    def test_the_cancel_page_cancels_at_stripe(self):
        self.client.force_login(self.reader)
        with recorded_stripe() as stripe:
            response = self.client.post(
                reverse("subscriptions:cancel", args=[self.subscription.pk])
            )
        self.assertRedirects(response, reverse("subscriptions:account"))
        self.subscription.refresh_from_db()
        self.assertEqual(self.subscription.state, SubscriptionState.CANCELLING)
        self.assertEqual(len(stripe.asked("POST", "/v1/subscriptions/sub_card")), 1)

    def test_when_stripe_refuses_nothing_changes_here(self):
        with recorded_stripe() as stripe:
            stripe.answer("POST /v1/subscriptions/sub_card", http_status=400, body=STRIPE_ERROR)
            with self.assertRaises(services.Refused):
                services.cancel(self.subscription, self.reader)
        self.subscription.refresh_from_db()
        self.assertEqual(self.subscription.state, SubscriptionState.ACTIVE)

    def test_a_subscription_paid_by_hand_does_not_ask_stripe(self):
        manual = make_subscription(make_reader("cheque"), self.monthly)
        with recorded_stripe() as stripe:
            services.cancel(manual, manual.user)
        self.assertEqual(manual.state, SubscriptionState.CANCELLING)
        self.assertEqual(stripe.requests, [])
