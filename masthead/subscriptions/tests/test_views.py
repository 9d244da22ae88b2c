"""The reader's side through real HTTP: plans, checkout, orders, the account, unlocks, gifts."""

import datetime

from django.contrib.auth import get_user
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Site

from masthead.content.tests.factories import make_paper, publish
from masthead.subscriptions import services
from masthead.subscriptions.access import VISITOR_COOKIE
from masthead.subscriptions.models import (
    GiftLink,
    MeteredRead,
    Order,
    PaywallSettings,
    Subscription,
    SubscriptionPage,
    SubscriptionState,
    UnlockedArticle,
    UnlockWallet,
)

from .factories import make_pack, make_plan, make_premium_article, make_reader, make_subscription

SECRET = "The minister signed the order at midnight."


class PaperTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        cls.article = make_premium_article(cls.paper.politics, "Inquiry", secret=SECRET)
        cls.monthly = make_plan(prices={"GBP": "6.00", "EUR": "7.00"})
        cls.printed = make_plan("Print and digital", includes_print=True, prices={"GBP": "12.00"})
        cls.pack = make_pack(5)
        PaywallSettings.objects.update_or_create(
            site=Site.objects.get(is_default_site=True),
            defaults={"meter_anonymous": 0, "meter_registered": 0, "bank_details": "Sort code 1"},
        )

    def setUp(self):
        self.reader = make_reader()


class PlansTests(PaperTestCase):
    def test_the_plans_page_lists_every_plan_on_sale_in_both_editions(self):
        response = self.client.get("/subscriptions/")
        self.assertContains(response, "Digital, monthly")
        self.assertContains(response, "£6")
        self.assertContains(response, "Five unlocks")
        self.assertContains(response, "pay by bank transfer or cheque")  # no Stripe keys here
        response = self.client.get("/fa/subscriptions/")
        self.assertContains(response, "Digital, monthly (fa)")
        self.assertContains(response, 'dir="rtl"')

    def test_the_subscription_page_shows_its_text_above_the_plans(self):
        page = publish(
            self.paper.home,
            SubscriptionPage(
                title="Subscription", slug="subscription", intro="Pay for journalism."
            ),
        )
        response = self.client.get("/subscriptions/")
        self.assertRedirects(response, page.url)
        response = self.client.get(page.url)
        self.assertContains(response, "Pay for journalism.")
        self.assertContains(response, reverse("subscriptions:checkout", args=[self.monthly.pk]))


class CheckoutTests(PaperTestCase):
    def test_checkout_asks_a_visitor_to_sign_in_first(self):
        url = reverse("subscriptions:checkout", args=[self.monthly.pk])
        response = self.client.get(url)
        self.assertRedirects(
            response, f"/accounts/login/?next={url}", fetch_redirect_response=False
        )

    def test_a_manual_order_shows_its_reference_and_how_to_pay(self):
        self.client.force_login(self.reader)
        url = reverse("subscriptions:checkout", args=[self.monthly.pk])
        response = self.client.post(url, {"currency": "EUR", "payment": "manual"})
        order = Order.objects.get()
        self.assertRedirects(response, reverse("subscriptions:order", args=[order.reference]))
        self.assertEqual((order.currency, str(order.amount)), ("EUR", "7.00"))
        page = self.client.get(response.url)
        self.assertContains(page, order.reference)
        self.assertContains(page, "Sort code 1")

    def test_a_print_plan_needs_a_postal_address_and_keeps_what_was_typed(self):
        self.client.force_login(self.reader)
        url = reverse("subscriptions:checkout", args=[self.printed.pk])
        response = self.client.post(
            url, {"currency": "GBP", "payment": "manual", "postal_address": ""}
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "This field is required", status_code=400)
        self.assertFalse(Order.objects.exists())
        response = self.client.post(
            url, {"currency": "XYZ", "payment": "manual", "postal_address": "1 High St"}
        )
        self.assertContains(response, "1 High St", status_code=400)
        self.assertFalse(Order.objects.exists())

    def test_card_payment_is_not_offered_without_stripe(self):
        self.client.force_login(self.reader)
        url = reverse("subscriptions:checkout", args=[self.monthly.pk])
        response = self.client.post(url, {"currency": "GBP", "payment": "card"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Order.objects.exists())

    def test_nobody_sees_someone_elses_order(self):
        order = services.place_order(self.reader, self.monthly, "GBP")
        self.client.force_login(make_reader("other"))
        response = self.client.get(reverse("subscriptions:order", args=[order.reference]))
        self.assertEqual(response.status_code, 404)

    def test_a_plan_off_sale_cannot_be_bought(self):
        self.client.force_login(self.reader)
        self.monthly.is_active = False
        self.monthly.save()
        response = self.client.get(reverse("subscriptions:checkout", args=[self.monthly.pk]))
        self.assertEqual(response.status_code, 404)


class AccountTests(PaperTestCase):
    def test_the_account_shows_plan_renewal_unlocks_and_payments(self):
        services.record_payment(
            user=self.reader,
            plan=self.monthly,
            amount=6,
            currency="GBP",
            method="cheque",
            reference="CHQ-77",
        )
        services.add_unlocks(self.reader, 4)
        self.client.force_login(self.reader)
        response = self.client.get(reverse("subscriptions:account"))
        self.assertContains(response, "Digital, monthly")
        self.assertContains(response, "Paid until")  # paid by hand: no renewal
        self.assertContains(response, "Unlocks left: 4")
        self.assertContains(response, "Cheque")
        self.assertContains(response, 'data-subscription-state="active"')

    def test_cancel_asks_first_then_cancels_at_the_period_end_and_resume_undoes_it(self):
        subscription = make_subscription(self.reader, self.monthly)
        self.client.force_login(self.reader)
        url = reverse("subscriptions:cancel", args=[subscription.pk])
        confirm = self.client.get(url)
        self.assertContains(confirm, "Are you sure you want to cancel your subscription?")
        subscription.refresh_from_db()
        self.assertEqual(subscription.state, SubscriptionState.ACTIVE)
        response = self.client.post(url, follow=True)
        self.assertContains(response, "You can read everything until it ends")
        subscription.refresh_from_db()
        self.assertEqual(subscription.state, SubscriptionState.CANCELLING)
        self.assertContains(self.client.get(self.article.url), SECRET)  # still paid for
        self.client.post(reverse("subscriptions:resume", args=[subscription.pk]))
        subscription.refresh_from_db()
        self.assertEqual(subscription.state, SubscriptionState.ACTIVE)

    def test_access_ends_with_the_period_of_a_cancelled_subscription(self):
        subscription = make_subscription(self.reader, self.monthly, state="cancelling")
        self.client.force_login(self.reader)
        self.assertContains(self.client.get(self.article.url), SECRET)
        Subscription.objects.filter(pk=subscription.pk).update(
            current_period_end=timezone.now() - datetime.timedelta(seconds=1)
        )
        response = self.client.get(self.article.url)
        self.assertNotContains(response, SECRET)
        self.assertContains(response, "data-paywall")
        self.assertContains(response, "Your subscription has ended")

    def test_cancelling_someone_elses_subscription_is_a_404_and_changes_nothing(self):
        subscription = make_subscription(make_reader("owner"), self.monthly)
        self.client.force_login(self.reader)
        url = reverse("subscriptions:cancel", args=[subscription.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url).status_code, 404)
        subscription.refresh_from_db()
        self.assertEqual(subscription.state, SubscriptionState.ACTIVE)

    def test_pages_of_the_account_need_a_signed_in_reader(self):
        for name in ("subscriptions:account", "subscriptions:gifts"):
            response = self.client.get(reverse(name))
            self.assertEqual(response.status_code, 302)
            self.assertIn("/accounts/login/", response.url)


class UnlockTests(PaperTestCase):
    def test_the_offer_asks_and_confirming_spends_one_unlock_once(self):
        services.add_unlocks(self.reader, 2)
        self.client.force_login(self.reader)
        page = self.client.get(self.article.url)
        self.assertContains(page, "Unlock this article?")
        self.assertContains(page, "Unlocks left: 2")
        self.assertNotContains(page, SECRET)
        url = reverse("subscriptions:unlock", args=[self.article.pk])
        response = self.client.post(url, follow=True)
        self.assertContains(response, "Article unlocked")
        self.assertContains(response, SECRET)
        again = self.client.post(url, follow=True)  # a second click, or a second tab
        self.assertContains(again, "nothing was spent")
        self.assertEqual(UnlockWallet.objects.get(user=self.reader).unlocks_left, 1)

    def test_unlocking_without_unlocks_says_so_and_changes_nothing(self):
        self.client.force_login(self.reader)
        page = self.client.get(self.article.url)
        self.assertNotContains(page, "Unlock this article?")
        response = self.client.post(
            reverse("subscriptions:unlock", args=[self.article.pk]), follow=True
        )
        self.assertContains(response, "You have no unlocks left.")
        self.assertFalse(UnlockedArticle.objects.exists())

    def test_unlocking_needs_a_post_with_a_csrf_token(self):
        self.client.force_login(self.reader)
        url = reverse("subscriptions:unlock", args=[self.article.pk])
        self.assertEqual(self.client.get(url).status_code, 405)
        strict = self.client_class(enforce_csrf_checks=True)
        strict.force_login(self.reader)
        self.assertEqual(strict.post(url).status_code, 403)

    def test_an_unlocked_article_opens_in_the_other_edition_too(self):
        from masthead.content.tests.factories import translate

        persian = translate(self.article, self.paper.persian, title="تحقیق")
        services.add_unlocks(self.reader, 1)
        services.unlock(self.reader, self.article)
        self.client.force_login(self.reader)
        self.assertContains(self.client.get(persian.url), SECRET)


class GiftLinkTests(PaperTestCase):
    def setUp(self):
        super().setUp()
        make_subscription(self.reader, self.monthly)

    def give(self):
        self.client.force_login(self.reader)
        response = self.client.post(reverse("subscriptions:gift", args=[self.article.pk]))
        self.assertEqual(response.status_code, 302)
        return GiftLink.objects.get()

    def test_a_subscriber_gives_a_link_that_opens_the_article_signed_out_without_metering(self):
        link = self.give()
        gifts = self.client.get(reverse("subscriptions:gifts"))
        self.assertContains(gifts, f"?gift={link.token}")
        self.client.logout()
        response = self.client.get(f"{self.article.url}?gift={link.token}")
        self.assertContains(response, SECRET)
        self.assertContains(response, "A subscriber has given you this article")
        self.assertFalse(MeteredRead.objects.exists())
        self.assertNotIn(VISITOR_COOKIE, response.cookies)

    def test_an_expired_or_forged_gift_link_opens_nothing_and_says_why(self):
        link = self.give()
        GiftLink.objects.filter(pk=link.pk).update(expires_at=timezone.now())
        self.client.logout()
        expired = self.client.get(f"{self.article.url}?gift={link.token}")
        self.assertNotContains(expired, SECRET)
        self.assertContains(expired, "This gift link has expired")
        forged = self.client.get(f"{self.article.url}?gift={link.token[:-2]}xx")
        self.assertNotContains(forged, SECRET)
        self.assertContains(forged, "not valid for this article")

    def test_a_gift_link_opens_only_its_own_article(self):
        link = self.give()
        other = make_premium_article(self.paper.economy, "Other", secret="Other secret.")
        self.client.logout()
        response = self.client.get(f"{other.url}?gift={link.token}")
        self.assertNotContains(response, "Other secret.")

    def test_readers_without_a_subscription_cannot_give(self):
        other = make_reader("free")
        self.client.force_login(other)
        response = self.client.post(
            reverse("subscriptions:gift", args=[self.article.pk]), follow=True
        )
        self.assertContains(response, "Gift links are for subscribers.")
        self.assertFalse(GiftLink.objects.exists())


class MeterThroughThePageTests(PaperTestCase):
    def test_a_visitor_reads_until_the_meter_stops_them_then_registers_for_more(self):
        PaywallSettings.objects.update(meter_anonymous=2, meter_registered=1)
        second = make_premium_article(self.paper.economy, "Second", secret="Second secret.")
        third = make_premium_article(self.paper.news, "Third", secret="Third secret.")
        first_visit = self.client.get(self.article.url)
        self.assertContains(first_visit, SECRET)
        cookie = first_visit.cookies[VISITOR_COOKIE]
        self.assertTrue(cookie["httponly"])
        self.assertEqual(first_visit["Cache-Control"], "private, no-store")
        self.assertContains(self.client.get(second.url), "Second secret.")
        self.assertContains(self.client.get(self.article.url), SECRET)  # a re-read is free
        stopped = self.client.get(third.url)
        self.assertNotContains(stopped, "Third secret.")
        self.assertContains(stopped, "You have read all your free premium articles")
        self.client.force_login(self.reader)
        self.assertContains(self.client.get(third.url), "Third secret.")

    def test_a_tampered_reader_cookie_opens_nothing_and_counts_nothing(self):
        PaywallSettings.objects.update(meter_anonymous=5)
        self.client.cookies[VISITOR_COOKIE] = "someone-else:forgedsignature"
        response = self.client.get(self.article.url)
        self.assertNotContains(response, SECRET)
        self.assertContains(response, "We could not read your free-article count")
        self.assertFalse(MeteredRead.objects.exists())
        self.assertIn(VISITOR_COOKIE, response.cookies)  # a fresh, valid cookie replaces it


class SectionDefaultTests(PaperTestCase):
    def test_a_new_article_starts_with_its_sections_access_level(self):
        from django.contrib.auth import get_user_model

        self.paper.politics.default_access_level = "subscribers"
        self.paper.politics.save_revision().publish()
        admin = get_user_model().objects.create_superuser("editor", "e@example.org", "pw-x-123456")
        self.client.force_login(admin)
        url = reverse(
            "wagtailadmin_pages:add", args=["content", "articlepage", self.paper.politics.pk]
        )
        response = self.client.get(url)
        self.assertContains(response, '<option value="subscribers" selected>')
        url = reverse(
            "wagtailadmin_pages:add", args=["content", "articlepage", self.paper.economy.pk]
        )
        self.assertContains(self.client.get(url), '<option value="public" selected>')


class CacheHeaderTests(PaperTestCase):
    def test_premium_pages_are_private_and_free_ones_are_not(self):
        from masthead.content.tests.factories import make_article

        premium = self.client.get(self.article.url)
        self.assertIn("private", premium["Cache-Control"])
        self.assertIn("Cookie", premium["Vary"])
        free = self.client.get(make_article(self.paper.economy, "Free for all").url)
        self.assertNotIn("private", free.get("Cache-Control", ""))


class PremiumQueryCountTests(PaperTestCase):
    """What the paywall adds to an article page, pinned per kind of reader."""

    def count(self, client=None) -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        client = client or self.client
        client.get(self.article.url)  # renditions, chrome and settings warm
        with CaptureQueriesContext(connection) as queries:
            response = client.get(self.article.url)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_queries_per_reader_kind(self):
        free = self.count()  # a visitor with the meter off: the paywall, no meter query
        self.client.force_login(make_reader("subscriber"))
        make_subscription(self.client.session and get_user(self.client), self.monthly)
        subscriber = self.count()
        PaywallSettings.objects.update(meter_anonymous=3)
        visitor = self.client_class()
        metered = self.count(visitor)
        # Pinned: a paywalled visitor (the paywall settings and a licence lookup among the
        # 12); a subscriber: session, user, subscription, and the two permission lookups
        # of Wagtail's user bar that any signed-in reader costs; a metered re-read: the
        # meter's two lookups.
        self.assertEqual((free, subscriber, metered), (12, 16, 14))


class SiteLicenceThroughAProxyTests(PaperTestCase):
    def test_the_readers_address_comes_from_the_trusted_proxy(self):
        import datetime as dt

        from django.test import override_settings

        from masthead.subscriptions.models import SiteLicence

        today = timezone.localdate()
        SiteLicence.objects.create(
            name="City Library",
            ip_ranges="198.51.100.0/24",
            starts_on=today - dt.timedelta(days=1),
            ends_on=today + dt.timedelta(days=1),
        )
        library = {"HTTP_X_FORWARDED_FOR": "198.51.100.7", "REMOTE_ADDR": "10.0.0.2"}
        # Without a trusted proxy the header is anyone's to forge: it opens nothing.
        self.assertNotContains(self.client.get(self.article.url, **library), SECRET)
        with override_settings(ALLOWED_HOSTS=["*"], ALLAUTH_TRUSTED_PROXY_COUNT=1):
            self.assertContains(self.client.get(self.article.url, **library), SECRET)
            elsewhere = {"HTTP_X_FORWARDED_FOR": "203.0.113.9", "REMOTE_ADDR": "10.0.0.2"}
            self.assertNotContains(self.client.get(self.article.url, **elsewhere), SECRET)


class SecondClickTests(PaperTestCase):
    def test_checking_out_twice_leaves_one_order_waiting(self):
        self.client.force_login(self.reader)
        url = reverse("subscriptions:checkout", args=[self.monthly.pk])
        self.client.post(url, {"currency": "GBP", "payment": "manual"})
        self.client.post(url, {"currency": "EUR", "payment": "manual"})
        order = Order.objects.get()
        self.assertEqual(order.currency, "EUR")

    def test_giving_the_same_article_twice_hands_back_the_same_link(self):
        make_subscription(self.reader, self.monthly)
        self.client.force_login(self.reader)
        url = reverse("subscriptions:gift", args=[self.article.pk])
        self.client.post(url)
        self.client.post(url)
        self.assertEqual(GiftLink.objects.count(), 1)
        gifts = self.client.get(reverse("subscriptions:gifts"))
        self.assertContains(gifts, "Gift links left this month: 4")

    def test_a_forged_gift_link_spends_no_free_article(self):
        PaywallSettings.objects.update(meter_anonymous=3)
        response = self.client.get(f"{self.article.url}?gift=forged-token")
        self.assertNotContains(response, SECRET)
        self.assertContains(response, "not valid for this article")
        self.assertFalse(MeteredRead.objects.exists())
        self.assertContains(self.client.get(self.article.url), SECRET)  # the meter still opens it


class PersianEditionTests(PaperTestCase):
    def test_the_persian_paywall_speaks_persian_with_persian_digits(self):
        from masthead.content.tests.factories import translate

        persian = translate(self.article, self.paper.persian, title="تحقیق")
        PaywallSettings.objects.update(meter_anonymous=3)
        opened = self.client.get(persian.url)
        self.assertContains(opened, "می‌توانید ۲ مطلب ویژهٔ دیگر را رایگان بخوانید.")
        PaywallSettings.objects.update(meter_anonymous=0)
        closed = self.client.get(persian.url, HTTP_COOKIE="")
        self.assertContains(closed, "data-paywall")
        self.assertContains(closed, 'lang="fa" dir="rtl"')
        self.assertNotContains(closed, SECRET)


class UnlockLookupTests(PaperTestCase):
    def test_deciding_many_articles_asks_for_the_readers_unlocks_once(self):
        from masthead.subscriptions.access import Reader, decide

        others = [
            make_premium_article(self.paper.economy, f"Other {n}", secret=f"Secret {n}.")
            for n in range(5)
        ]
        services.add_unlocks(self.reader, 1)
        services.unlock(self.reader, others[0])
        reader = Reader(user=self.reader)
        decide(reader, self.article, use_meter_allowance=False)  # subscription, wallet, unlocks
        with self.assertNumQueries(0):
            decisions = [decide(reader, a, use_meter_allowance=False) for a in others]
        self.assertEqual([d.full_text for d in decisions], [True, False, False, False, False])
