"""No channel leaks: a canary sentence after the preview marker reaches only entitled readers.

Each premium article's body carries a unique sentence after its "free preview ends here"
marker. Every channel that could carry article text is fetched as readers who are not
entitled — after an entitled reader has fetched the same addresses, so that a cache
keeping one reader's answer for another would show — and the canary must never appear.
It must appear for a subscriber, for staff and in an editor's preview, so the test can fail.
"""

import datetime
import re

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone
from wagtail.models import Site

from masthead.content.models import AccessLevel, SectionPage
from masthead.content.tests.factories import make_article, make_paper, translate
from masthead.core.models import PremiumInFeeds, SiteSettings
from masthead.feeds.syndication import section_feed_path
from masthead.subscriptions.models import (
    GiftLink,
    PaywallSettings,
    Plan,
    PlanKind,
    Subscription,
    SubscriptionState,
)

SUBSCRIBERS_CANARY = "Canary sentence kestrel-4417 for subscribers only."
REGISTERED_CANARY = "Canary sentence plover-9083 for registered readers only."
OPENING = "The free preview of this story, which anyone may read."
LOC = re.compile(r"<loc>https?://[^/]+(/[^<]*)</loc>")


def premium_body(canary: str) -> list[dict]:
    return [
        {"type": "paragraph", "value": f"<p>{OPENING}</p>"},
        {"type": "preview_break", "value": None},
        {"type": "paragraph", "value": f"<p>{canary}</p>"},
        {"type": "paragraph", "value": "<p>More of the gated story.</p>"},
    ]


class LeakTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = paper = make_paper()
        ada = paper.writers[0]
        cls.neighbour = make_article(
            paper.economy, "Harbour reopens", days_ago=3, authors=[ada], tags=["harbour"]
        )
        cls.premium = make_article(
            paper.economy,
            "Harbour contract terms",
            days_ago=1,
            authors=[ada],
            tags=["harbour"],
            access_level=AccessLevel.SUBSCRIBERS,
        )
        cls.registered = make_article(
            paper.economy,
            "Harbour board minutes",
            days_ago=2,
            authors=[ada],
            tags=["harbour"],
            access_level=AccessLevel.REGISTERED,
        )
        for article, canary in (
            (cls.premium, SUBSCRIBERS_CANARY),
            (cls.registered, REGISTERED_CANARY),
        ):
            article.body = premium_body(canary)
            article.save_revision().publish()
        cls.premium_fa = translate(cls.premium, paper.persian, title="شرایط قرارداد بندر")
        cls.registered_fa = translate(cls.registered, paper.persian, title="صورت‌جلسه بندر")
        cls.economy_fa = SectionPage.objects.get(
            locale=paper.persian, translation_key=paper.economy.translation_key
        )
        site = Site.objects.get(is_default_site=True)
        PaywallSettings.objects.update_or_create(
            site=site, defaults={"meter_anonymous": 0, "meter_registered": 0}
        )
        users = get_user_model().objects
        cls.reader = users.create_user("reader", "reader@example.org", "pw")
        cls.subscriber = users.create_user("subscriber", "subscriber@example.org", "pw")
        cls.staff = users.create_user("staffer", "staffer@example.org", "pw", is_staff=True)
        cls.editor = users.create_superuser("editor", "editor@example.org", "pw")
        plan = Plan.objects.create(name="Monthly", kind=PlanKind.SUBSCRIPTION, interval="month")
        Subscription.objects.create(
            user=cls.subscriber,
            plan=plan,
            state=SubscriptionState.ACTIVE,
            current_period_end=timezone.now() + datetime.timedelta(days=20),
        )
        cls.expired_gift = GiftLink.objects.create(
            sender=cls.subscriber,
            article=cls.premium,
            expires_at=timezone.now() - datetime.timedelta(hours=1),
        )

    def setUp(self):
        cache.clear()

    # The channels ----------------------------------------------------------------------

    def article_urls(self) -> list[str]:
        urls = []
        for article in (self.premium, self.premium_fa, self.registered, self.registered_fa):
            urls += [article.url, f"{article.url}?gift=forged"]
        urls.append(f"{self.premium.url}?gift={self.expired_gift.token}")
        urls.append(f"{self.premium_fa.url}?gift={self.expired_gift.token}")
        return urls

    def feed_urls(self) -> list[str]:
        english = section_feed_path(self.paper.economy)
        persian = section_feed_path(self.economy_fa)
        urls = []
        for prefix, section in (("", english), ("/fa", persian)):
            for kind in ("feed", "feed/atom"):
                urls += [
                    f"{prefix}/{kind}/",
                    f"{prefix}/{kind}/section/{section}/",
                    f"{prefix}/{kind}/tag/harbour/",
                    f"{prefix}/{kind}/author/ada/",
                ]
        return urls

    def page_urls(self) -> list[str]:
        return [
            "/",
            "/fa/",
            self.paper.economy.url,
            self.economy_fa.url,
            "/tags/harbour/",
            "/fa/tags/harbour/",
            self.paper.latest.url,
            self.paper.writers[0].url,
            self.neighbour.url,  # related articles and "read next"
            "/search/?q=harbour",
            "/search/?q=kestrel",
            "/fa/search/?q=%D8%A8%D9%86%D8%AF%D8%B1",
            "/robots.txt",
        ]

    def api_urls(self) -> list[str]:
        return [
            "/api/articles/",
            "/api/articles/?limit=100&section=economy",
            f"/api/articles/{self.premium.pk}/",
            f"/api/articles/{self.premium_fa.pk}/",
            f"/api/articles/{self.registered.pk}/",
            f"/api/articles/{self.registered_fa.pk}/",
        ]

    def sitemap_urls(self) -> list[str]:
        index = self.client.get("/sitemap.xml")
        self.assertEqual(index.status_code, 200)
        listed = LOC.findall(index.content.decode())
        self.assertTrue(listed)
        return ["/sitemap.xml", "/news-sitemap.xml", *listed]

    def other_urls(self) -> list[str]:
        return [f"/share/{self.premium.pk}.png", f"/share/{self.registered.pk}.png"]

    def every_channel(self) -> list[str]:
        return [
            *self.article_urls(),
            *self.feed_urls(),
            *self.page_urls(),
            *self.api_urls(),
            *self.sitemap_urls(),
            *self.other_urls(),
        ]

    def preview_urls(self) -> list[str]:
        return [
            f"/admin/pages/{self.premium.pk}/view_draft/",
            f"/admin/pages/{self.premium.pk}/edit/preview/",
        ]

    # Fetching and looking ----------------------------------------------------------------

    def fetch(self, url: str, method: str = "get") -> bytes:
        response = getattr(self.client, method)(url)
        self.assertLess(response.status_code, 500, url)
        return b"".join(response.streaming_content) if response.streaming else response.content

    def assert_no_canary(self, urls, canaries=(SUBSCRIBERS_CANARY, REGISTERED_CANARY), **fetch):
        for url in urls:
            content = self.fetch(url, **fetch)
            for canary in canaries:
                for part in (canary, canary.split()[2]):  # the sentence, or its unique word
                    with self.subTest(url=url, canary=part, **fetch):
                        self.assertNotIn(part.encode(), content)

    def warm_as_entitled(self):
        """Fetch every channel as a subscriber first: a shared cache would then leak."""
        self.client.force_login(self.subscriber)
        for url in self.every_channel():
            self.fetch(url)
        self.client.logout()

    # Readers who are not entitled ----------------------------------------------------------

    def test_anonymous_reader_with_the_meter_off_sees_no_canary(self):
        self.warm_as_entitled()
        self.assert_no_canary(self.every_channel())
        self.assert_no_canary(self.preview_urls())

    def test_registered_reader_without_subscription_sees_no_premium_canary(self):
        self.warm_as_entitled()
        self.client.force_login(self.reader)
        self.assert_no_canary(self.every_channel(), canaries=(SUBSCRIBERS_CANARY,))
        self.assert_no_canary(self.preview_urls())  # refused: not an editor

    def test_reader_with_an_expired_gift_link_sees_no_canary(self):
        url = f"{self.premium.url}?gift={self.expired_gift.token}"
        response = self.client.get(url)
        self.assertContains(response, OPENING)
        self.assertContains(response, "data-paywall")
        self.assert_no_canary([url, f"{self.premium_fa.url}?gift={self.expired_gift.token}"])
        self.assert_no_canary(self.every_channel())

    def test_preview_is_refused_to_readers(self):
        for user in (None, self.reader, self.subscriber):
            if user:
                self.client.force_login(user)
            for url in self.preview_urls():
                with self.subTest(url=url, user=user):
                    response = self.client.get(url)
                    self.assertIn(response.status_code, (302, 403))
            self.client.logout()

    def test_premium_items_in_feeds_never_carry_the_gated_text_either_way(self):
        for policy in PremiumInFeeds:
            SiteSettings.objects.update(premium_in_feeds=policy)
            cache.clear()
            self.assert_no_canary(self.feed_urls())

    def test_requests_that_do_not_count_never_open_by_the_meter(self):
        """A visitor with the meter running cannot read new articles without counting them."""
        PaywallSettings.objects.update(meter_anonymous=2)
        first = self.client.get(self.registered.url)  # counted, and the visitor cookie set
        self.assertContains(first, REGISTERED_CANARY)
        for method in ("post", "options", "head"):
            self.assert_no_canary([self.premium.url], canaries=(SUBSCRIBERS_CANARY,), method=method)
        # The one read left still opens it when counted, so the refusal above was the method's.
        self.assertContains(self.client.get(self.premium.url), SUBSCRIBERS_CANARY)

    # Readers who are entitled: the canary is really there ---------------------------------

    def test_subscriber_reads_the_canary_on_the_page_and_through_the_api(self):
        self.client.force_login(self.subscriber)
        for article, canary in [
            (self.premium, SUBSCRIBERS_CANARY),
            (self.premium_fa, SUBSCRIBERS_CANARY),
            (self.registered, REGISTERED_CANARY),
        ]:
            with self.subTest(article.url):
                self.assertContains(self.client.get(article.url), canary)
        detail = self.client.get(f"/api/articles/{self.premium.pk}/").json()
        self.assertIn(SUBSCRIBERS_CANARY, detail["body_html"])

    def test_registered_reader_reads_the_registered_canary(self):
        self.client.force_login(self.reader)
        self.assertContains(self.client.get(self.registered.url), REGISTERED_CANARY)
        self.assertContains(self.client.get(self.registered_fa.url), REGISTERED_CANARY)

    def test_staff_read_the_canary(self):
        self.client.force_login(self.staff)
        self.assertContains(self.client.get(self.premium.url), SUBSCRIBERS_CANARY)
        self.assertContains(self.client.get(self.premium_fa.url), SUBSCRIBERS_CANARY)

    def test_editor_sees_the_canary_in_the_preview(self):
        self.client.force_login(self.editor)
        response = self.client.get(f"/admin/pages/{self.premium.pk}/view_draft/")
        self.assertContains(response, SUBSCRIBERS_CANARY)
