import datetime
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import feedparser
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import SimpleTestCase, TestCase
from django.utils import timezone
from django.utils.http import http_date
from lxml import etree
from wagtail.models import PageViewRestriction

from masthead.content.models import AccessLevel, ArticlePage
from masthead.content.tests.factories import make_article, make_image, make_paper, translate
from masthead.core.models import PremiumInFeeds, SiteSettings
from masthead.feeds.syndication import absolute_urls
from masthead.subscriptions.access import may_show_full_text

SCHEMAS = Path("/work/shared/fixtures/schemas/feeds")
ATOM_SCHEMA = etree.RelaxNG(etree.parse(SCHEMAS / "pear-atom.rng"))
RSS_SCHEMA = etree.RelaxNG(etree.parse(SCHEMAS / "pear-rss20.rng"))


def as_plain_rss(document: etree._Element) -> etree._Element:
    """Reduce an RSS feed to what the 2004 RSS 2.0 schema knows, so it can check the rest.

    The schema allows no namespaced extension (atom:link, dc:creator, content:encoded,
    media:content) and one category per item, though RSS 2.0 allows several.
    """
    for element in list(document.iter()):
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.getparent().remove(element)
    for item in document.iter("item"):
        for extra_category in item.findall("category")[1:]:
            item.remove(extra_category)
    return document


class FeedTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        ada, ben = cls.paper.writers
        cls.defector = make_article(
            cls.paper.politics,
            "Diplomat defects",
            days_ago=3,
            authors=[ada, ben],
            tags=["oil", "diplomacy"],
            image=make_image("Lead"),
        )
        cls.oil = make_article(cls.paper.economy, "Oil & gas fall", days_ago=2, tags=["oil"])
        cls.premium = make_article(
            cls.paper.economy,
            "Paid analysis",
            days_ago=1,
            authors=[ben],
            access_level=AccessLevel.SUBSCRIBERS,
        )
        cls.defector_fa = translate(
            cls.defector,
            cls.paper.persian,
            title="دیپلمات پناهنده شد",
            standfirst="یک دیپلمات به کشوری دیگر پناهنده شد.",
        )

    def setUp(self):
        cache.clear()

    def fetch(self, url: str, **headers):
        response = self.client.get(url, headers=headers)
        self.assertEqual(response.status_code, 200, url)
        return response

    def parse(self, url: str):
        response = self.fetch(url)
        parsed = feedparser.parse(response.content)
        self.assertEqual(parsed.bozo, 0, f"{url}: {parsed.get('bozo_exception')}")
        return parsed

    def entry(self, parsed, title: str):
        return next(e for e in parsed.entries if e.title == title)


class FeedFormatTests(FeedTestCase):
    FEEDS = [
        "feed/",
        "feed/section/news/",
        "feed/section/news/politics/",
        "feed/author/ada/",
        "feed/tag/oil/",
    ]

    def urls(self, atom: bool):
        for edition in ("/", "/fa/"):
            for feed in self.FEEDS:
                yield edition + (feed.replace("feed/", "feed/atom/", 1) if atom else feed)

    def test_every_feed_parses_without_errors_in_both_formats_and_editions(self):
        for url in [*self.urls(atom=False), *self.urls(atom=True)]:
            with self.subTest(url):
                parsed = self.parse(url)
                self.assertTrue(parsed.entries, url)
                self.assertEqual(parsed.version, "atom10" if "/atom/" in url else "rss20")

    def test_atom_feeds_validate_against_the_relax_ng_schema(self):
        for url in self.urls(atom=True):
            with self.subTest(url):
                document = etree.fromstring(self.fetch(url).content)
                self.assertTrue(ATOM_SCHEMA.validate(document), ATOM_SCHEMA.error_log)

    def test_rss_feeds_validate_against_the_relax_ng_schema_without_extensions(self):
        for url in self.urls(atom=False):
            with self.subTest(url):
                document = as_plain_rss(etree.fromstring(self.fetch(url).content))
                self.assertTrue(RSS_SCHEMA.validate(document), RSS_SCHEMA.error_log)

    def test_an_item_carries_everything_a_reader_needs(self):
        for url in ("/feed/", "/feed/atom/"):
            with self.subTest(url):
                item = self.entry(self.parse(url), "Diplomat defects")
                self.assertEqual(item.link, f"http://localhost{self.defector.url}")
                self.assertTrue(item.id.startswith("urn:uuid:"))
                self.assertEqual(
                    item.published_parsed[:5], self.defector.first_published_at.utctimetuple()[:5]
                )
                self.assertEqual([a.name for a in item.authors], ["Ada Writer", "Ben Reporter"])
                self.assertEqual([t.term for t in item.tags], ["Politics", "oil", "diplomacy"])
                self.assertEqual(item.summary, "What Diplomat defects is about.")
                self.assertIn("Diplomat defects: paragraph 1.", item.content[0].value)
                enclosure = item.enclosures[0]
                self.assertRegex(enclosure.href, r"^http://localhost/media/.+fill-1200x675\.png$")
                self.assertEqual(enclosure.type, "image/png")
                self.assertGreater(int(enclosure.length), 0)
                self.assertEqual(item.media_content[0]["width"], "1200")
                self.assertEqual(item.media_credit[0]["content"], "Test Agency")

    def test_atom_entries_have_an_update_time_and_the_feed_an_author(self):
        parsed = self.parse("/feed/atom/")
        self.assertEqual(parsed.feed.author, "The Daily Test")
        item = self.entry(parsed, "Oil & gas fall")
        self.assertEqual(item.updated_parsed[:5], self.oil.last_published_at.utctimetuple()[:5])
        self.assertNotIn("author", item)  # no byline: Atom gives it the feed's author, the paper

    def test_titles_with_markup_characters_reach_the_reader_unchanged(self):
        for url in ("/feed/", "/feed/atom/"):
            self.assertTrue(self.entry(self.parse(url), "Oil & gas fall"))

    def test_section_feed_holds_its_sub_sections_articles_and_no_others(self):
        titles = [e.title for e in self.parse("/feed/section/news/").entries]
        self.assertEqual(titles, ["Diplomat defects"])
        economy = self.parse("/feed/atom/section/economy/")
        self.assertEqual([e.title for e in economy.entries], ["Paid analysis", "Oil & gas fall"])
        self.assertEqual(economy.feed.title, "Economy – The Daily Test")
        self.assertEqual(economy.feed.link, f"http://localhost{self.paper.economy.url}")

    def test_author_and_tag_feeds_hold_their_articles(self):
        ben = self.parse("/feed/author/ben/")
        self.assertEqual([e.title for e in ben.entries], ["Paid analysis", "Diplomat defects"])
        oil = self.parse("/feed/atom/tag/oil/")
        self.assertEqual([e.title for e in oil.entries], ["Oil & gas fall", "Diplomat defects"])
        self.assertEqual(oil.feed.title, "Tagged “oil” – The Daily Test")

    def test_feeds_stop_at_their_item_limit(self):
        with mock.patch("masthead.feeds.syndication.FEED_ITEMS", 2):
            self.assertEqual(len(self.parse("/feed/").entries), 2)


class PersianFeedTests(FeedTestCase):
    def test_persian_feeds_declare_fa_and_keep_persian_text(self):
        for url in ("/fa/feed/", "/fa/feed/atom/"):
            with self.subTest(url):
                response = self.fetch(url)
                self.assertIn("دیپلمات پناهنده شد".encode(), response.content)
                parsed = feedparser.parse(response.content)
                self.assertEqual(parsed.bozo, 0)
                self.assertEqual(parsed.feed.language, "fa")
                self.assertEqual(parsed.feed.title, "روزنامه آزمایشی")
                item = parsed.entries[0]
                self.assertEqual(item.title, "دیپلمات پناهنده شد")
                self.assertEqual(item.summary, "یک دیپلمات به کشوری دیگر پناهنده شد.")
                self.assertTrue(item.link.startswith("http://localhost/fa/"))

    def test_persian_feeds_list_only_the_persian_edition(self):
        titles = [e.title for e in self.parse("/fa/feed/tag/oil/").entries]
        self.assertEqual(titles, ["دیپلمات پناهنده شد"])

    def test_an_edition_names_the_same_article_with_its_own_guid(self):
        english = self.entry(self.parse("/feed/"), "Diplomat defects")
        persian = self.entry(self.parse("/fa/feed/"), "دیپلمات پناهنده شد")
        self.assertNotEqual(english.id, persian.id)


class PremiumFeedTests(FeedTestCase):
    def set_premium_in_feeds(self, policy: str):
        SiteSettings.objects.update(premium_in_feeds=policy)
        cache.clear()

    def test_premium_articles_appear_as_summaries_without_their_body(self):
        self.set_premium_in_feeds(PremiumInFeeds.SUMMARY)
        for url in ("/feed/", "/feed/atom/"):
            with self.subTest(url):
                response = self.fetch(url)
                self.assertNotIn(b"Paid analysis: paragraph", response.content)
                item = self.entry(feedparser.parse(response.content), "Paid analysis")
                self.assertEqual(item.summary, "What Paid analysis is about.")
                self.assertNotIn("content", item)
                public = self.entry(feedparser.parse(response.content), "Oil & gas fall")
                self.assertIn("paragraph 1", public.content[0].value)

    def test_premium_articles_can_be_left_out_altogether(self):
        self.set_premium_in_feeds(PremiumInFeeds.OMIT)
        for url in ("/feed/", "/feed/atom/", "/feed/author/ben/", "/feed/section/economy/"):
            with self.subTest(url):
                response = self.fetch(url)
                self.assertNotIn(b"Paid analysis", response.content)
                self.assertTrue(feedparser.parse(response.content).entries)


class FeedAddressTests(FeedTestCase):
    def test_unknown_sections_authors_and_tags_are_not_found(self):
        for url in (
            "/feed/section/sport/",
            "/feed/atom/section/news/nothing/",
            f"/feed/section/{self.defector.url.strip('/')}/",  # an article, not a section
            "/fa/feed/section/sport/",
            "/feed/author/nobody/",
            "/fa/feed/atom/author/nobody/",
            "/feed/tag/no-such-tag/",
            "/fa/feed/atom/tag/no-such-tag/",
        ):
            with self.subTest(url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_persian_slugs_address_persian_sections(self):
        economy_fa = translate(
            self.paper.economy, self.paper.persian, title="اقتصاد", slug="اقتصاد"
        )
        html = self.fetch(economy_fa.url).content.decode()
        self.assertIn(
            'href="http://localhost/fa/feed/section/%D8%A7%D9%82%D8%AA%D8%B5%D8%A7%D8%AF/"', html
        )
        parsed = self.parse("/fa/feed/section/اقتصاد/")
        self.assertEqual(parsed.feed.title, "اقتصاد – روزنامه آزمایشی")

    def test_private_articles_stay_out_of_feeds(self):
        PageViewRestriction.objects.create(
            page=self.paper.economy, restriction_type=PageViewRestriction.PASSWORD, password="x"
        )
        titles = [e.title for e in self.parse("/feed/").entries]
        self.assertEqual(titles, ["Diplomat defects"])

    def test_guid_survives_a_slug_change(self):
        before = self.entry(self.parse("/feed/"), "Diplomat defects")
        self.defector.slug = "diplomat-seeks-asylum"
        self.defector.save_revision().publish()
        after = self.entry(self.parse("/feed/"), "Diplomat defects")
        self.assertNotEqual(after.link, before.link)
        self.assertTrue(after.link.endswith("/diplomat-seeks-asylum/"))
        self.assertEqual(after.id, before.id)

    def test_pages_link_their_feeds(self):
        cases = [
            ("/", ["/feed/"]),
            ("/fa/", ["/fa/feed/"]),
            (self.paper.politics.url, ["/feed/", "/feed/section/news/politics/"]),
            (self.paper.writers[0].url, ["/feed/", "/feed/author/ada/"]),
            ("/tags/oil/", ["/feed/", "/feed/tag/oil/"]),
        ]
        for page_url, feeds in cases:
            with self.subTest(page_url):
                html = self.fetch(page_url).content.decode()
                for feed in feeds:
                    atom = feed.replace("/feed/", "/feed/atom/", 1)
                    self.assertRegex(
                        html,
                        rf'<link rel="alternate" type="application/rss\+xml" title="[^"]+" href="http://localhost{feed}">',
                    )
                    self.assertRegex(
                        html,
                        rf'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="http://localhost{atom}">',
                    )
                self.assertEqual(html.count("application/rss+xml"), len(feeds))


class ConditionalGetTests(FeedTestCase):
    def test_matching_etag_gets_not_modified(self):
        for url in ("/feed/", "/feed/atom/section/economy/", "/fa/feed/tag/oil/"):
            with self.subTest(url):
                etag = self.fetch(url)["ETag"]
                response = self.client.get(url, headers={"if-none-match": etag})
                self.assertEqual(response.status_code, 304)
                self.assertEqual(response.content, b"")
                self.assertEqual(response["ETag"], etag)

    def test_last_modified_is_the_newest_items_update_and_answers_if_modified_since(self):
        response = self.fetch("/feed/")
        newest = max(a.last_published_at for a in (self.defector, self.oil, self.premium))
        self.assertEqual(response["Last-Modified"], http_date(newest.timestamp()))
        again = self.client.get("/feed/", headers={"if-modified-since": response["Last-Modified"]})
        self.assertEqual(again.status_code, 304)

    def test_a_new_article_changes_both_validators(self):
        an_hour_ago = timezone.now() - datetime.timedelta(hours=1)  # HTTP dates count seconds
        ArticlePage.objects.update(last_published_at=an_hour_ago)
        first = self.fetch("/feed/")
        make_article(self.paper.news, "Breaking", days_ago=0)
        response = self.client.get(
            "/feed/",
            headers={
                "if-none-match": first["ETag"],
                "if-modified-since": first["Last-Modified"],
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertNotEqual(response["ETag"], first["ETag"])
        self.assertIn(b"Breaking", response.content)
        stale = self.client.get("/feed/", headers={"if-modified-since": first["Last-Modified"]})
        self.assertEqual(stale.status_code, 200)


class FeedQueryTests(FeedTestCase):
    def count_site_feed(self, queries: int):
        self.fetch("/feed/")  # renditions, site settings and root paths cached, as in production
        ContentType.objects.clear_cache()
        with self.assertNumQueries(queries):
            self.fetch("/feed/")

    def test_site_feed_costs_a_fixed_number_of_queries_whatever_its_items(self):
        self.count_site_feed(8)
        ada, ben = self.paper.writers
        for n in range(8):
            make_article(
                self.paper.politics,
                f"More {n}",
                days_ago=4 + n,
                authors=[ada, ben],
                tags=["oil", f"tag-{n}"],
                image=make_image(f"Picture {n}"),
            )
        self.count_site_feed(8)

    def test_not_modified_answer_costs_a_few_queries(self):
        etag = self.fetch("/feed/")["ETag"]
        with self.assertNumQueries(3):
            response = self.client.get("/feed/", headers={"if-none-match": etag})
        self.assertEqual(response.status_code, 304)


class FullTextRuleTests(SimpleTestCase):
    def test_only_public_articles_show_their_full_text(self):
        for access_level, allowed in [
            (AccessLevel.PUBLIC, True),
            (AccessLevel.REGISTERED, False),
            (AccessLevel.SUBSCRIBERS, False),
        ]:
            # A plain object and no database: nobody's decision asks no query per item.
            article = SimpleNamespace(access_level=access_level, translation_key="k")
            self.assertIs(may_show_full_text(article), allowed, access_level)

    def test_relative_addresses_in_the_body_become_absolute(self):
        html = (
            '<a href="/news/story/">x</a><a href="https://other.org/">y</a>'
            '<img src="/media/a.png" srcset="/media/a-480.png 480w, /media/a-800.png 800w">'
            '<iframe src="//video.example/embed"></iframe>'
        )
        self.assertEqual(
            absolute_urls(html, "https://paper.org"),
            '<a href="https://paper.org/news/story/">x</a><a href="https://other.org/">y</a>'
            '<img src="https://paper.org/media/a.png" '
            'srcset="https://paper.org/media/a-480.png 480w, '
            'https://paper.org/media/a-800.png 800w">'
            '<iframe src="https://video.example/embed"></iframe>',
        )
