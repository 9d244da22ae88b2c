import datetime
import functools
from pathlib import Path
from unittest import mock
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone
from lxml import etree
from wagtail.models import PageViewRestriction

from masthead.content.models import AccessLevel, SectionPage
from masthead.content.tests.factories import make_article, make_paper, publish, translate
from masthead.feeds.sitemaps import PageSitemap

SCHEMAS = Path(settings.BASE_DIR).parent / "shared" / "fixtures" / "schemas"
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "xhtml": "http://www.w3.org/1999/xhtml",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}

# sitemap.xsd admits foreign elements strictly, so xhtml:link needs a declaration; no
# schema for it is published, so this one declares it as Google documents it.
XHTML_LINK_XSD = b"""<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema"
            targetNamespace="http://www.w3.org/1999/xhtml" elementFormDefault="qualified">
  <xsd:element name="link">
    <xsd:complexType>
      <xsd:attribute name="rel" type="xsd:string" use="required" fixed="alternate"/>
      <xsd:attribute name="hreflang" type="xsd:language" use="required"/>
      <xsd:attribute name="href" type="xsd:anyURI" use="required"/>
    </xsd:complexType>
  </xsd:element>
</xsd:schema>"""


class LocalSchemas(etree.Resolver):
    """Answer the driver's imports from the shared fixtures and the xhtml:link schema above."""

    def resolve(self, system_url, public_id, context):
        if system_url.endswith("xhtml-link.xsd"):
            return self.resolve_string(XHTML_LINK_XSD, context)
        return self.resolve_filename(str(SCHEMAS / Path(system_url).name), context)


@functools.cache
def sitemap_schema() -> etree.XMLSchema:
    """The driver schema (sitemap, news, image and video), plus xhtml:link; all offline."""
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(LocalSchemas())
    wrapper = f"""<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema">
      <xsd:include schemaLocation="{(SCHEMAS / "news-sitemap-driver.xsd").as_uri()}"/>
      <xsd:import namespace="http://www.w3.org/1999/xhtml" schemaLocation="xhtml-link.xsd"/>
    </xsd:schema>"""
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), parser))


@functools.cache
def index_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / "siteindex.xsd")))


def relative(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


class SitemapTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        if not SCHEMAS.is_dir():
            raise AssertionError(f"The sitemap XSDs are missing: check out {SCHEMAS}")
        cls.paper = make_paper()
        paper = cls.paper
        cls.lead = make_article(paper.news, "Ceasefire holds", days_ago=0.5)
        cls.lead_fa = translate(cls.lead, paper.persian, title="آتش‌بس پابرجاست")
        cls.politics_story = make_article(paper.politics, "Vote counted", days_ago=1)
        cls.politics_story_fa = translate(cls.politics_story, paper.persian, title="آرا شمرده شد")
        cls.premium = make_article(
            paper.news, "Inside the talks", days_ago=0.2, access_level=AccessLevel.SUBSCRIBERS
        )
        cls.old = make_article(paper.economy, "Wheat harvest", days_ago=5)
        cls.news_fa = cls.lead_fa.get_parent().specific
        cls.persian_only = make_article(cls.news_fa, "خبر فقط فارسی", days_ago=0.3)
        cls.draft = make_article(paper.economy, "Not yet", days_ago=0.1)
        cls.draft.unpublish()

    def setUp(self):
        cache.clear()

    def get(self, url: str, **kwargs):
        response = self.client.get(url, **kwargs)
        self.assertEqual(response.status_code, 200, url)
        return response

    def xml(self, url: str, *, index: bool = False):
        response = self.get(url)
        self.assertEqual(response["Content-Type"], "application/xml")
        document = etree.fromstring(response.content)
        schema = index_schema() if index else sitemap_schema()
        self.assertTrue(schema.validate(document), f"{url}: {schema.error_log}")
        return document

    def index_locations(self) -> list[str]:
        index = self.xml("/sitemap.xml", index=True)
        return [relative(loc) for loc in index.xpath("//sm:sitemap/sm:loc/text()", namespaces=NS)]

    def entries(self, url: str) -> dict[str, dict[str, str]]:
        """Map each listed address to its hreflang alternates."""
        document = self.xml(url)
        return {
            relative(entry.findtext("sm:loc", namespaces=NS)): {
                link.get("hreflang"): relative(link.get("href"))
                for link in entry.findall("xhtml:link", namespaces=NS)
            }
            for entry in document.findall("sm:url", namespaces=NS)
        }

    def every_entry(self) -> dict[str, dict[str, str]]:
        entries = {}
        for location in self.index_locations():
            entries.update(self.entries(location))
        return entries

    def test_the_schemas_reject_a_broken_sitemap(self):
        broken = f"""<urlset xmlns="{NS["sm"]}" xmlns:xhtml="{NS["xhtml"]}"
                             xmlns:news="{NS["news"]}">
          <url><loc>http://testserver/a/</loc><lastmod>yesterday</lastmod></url>
          <url><loc>http://testserver/b/</loc><xhtml:link rel="alternate" hreflang="fa"/></url>
          <url><loc>http://testserver/c/</loc><news:news><news:title>C</news:title></news:news></url>
        </urlset>"""
        schema = sitemap_schema()
        self.assertFalse(schema.validate(etree.fromstring(broken.encode())))
        self.assertEqual(len(schema.error_log), 3)

    def test_index_validates_and_links_every_section_sitemap_with_its_lastmod(self):
        index = self.xml("/sitemap.xml", index=True)
        self.assertEqual(
            self.index_locations(),
            ["/sitemap-pages.xml", "/sitemap-news.xml", "/sitemap-economy.xml"],
        )
        self.assertTrue(
            all(
                loc.startswith("http://testserver/")
                for loc in index.xpath("//sm:loc/text()", namespaces=NS)
            )
        )
        self.assertEqual(len(index.xpath("//sm:sitemap/sm:lastmod", namespaces=NS)), 3)
        for location in self.index_locations():
            self.xml(location)

    def test_section_sitemap_lists_the_section_and_its_subsections_in_both_editions(self):
        listed = self.entries("/sitemap-news.xml")
        for page in [
            self.paper.news,
            self.paper.politics,
            self.lead,
            self.lead_fa,
            self.politics_story,
            self.politics_story_fa,
            self.premium,
            self.news_fa,
            self.persian_only,
        ]:
            self.assertIn(page.url, listed)
        self.assertNotIn(self.old.url, listed)
        self.assertEqual(
            list(self.entries("/sitemap-economy.xml")), [self.paper.economy.url, self.old.url]
        )
        document = self.xml("/sitemap-news.xml")
        lastmods = document.xpath("//sm:url/sm:lastmod/text()", namespaces=NS)
        self.assertEqual(len(lastmods), len(listed))
        self.assertIn(
            self.lead.last_published_at.replace(microsecond=0),
            [datetime.datetime.fromisoformat(lastmod) for lastmod in lastmods],
        )

    def test_other_pages_sitemap_lists_front_pages_latest_standard_and_author_pages(self):
        listed = self.entries("/sitemap-pages.xml")
        paper = self.paper
        expected = [paper.home, paper.home_fa, paper.latest, paper.about, paper.authors]
        for page in [*expected, *paper.writers]:
            self.assertIn(page.url, listed)
        self.assertEqual(listed[paper.home.url], {"en": "/", "fa": "/fa/", "x-default": "/"})
        self.assertFalse(any("ceasefire" in url for url in listed))

    def test_translations_name_each_other_as_hreflang_alternates(self):
        entries = self.every_entry()
        for english, persian in [
            (self.lead, self.lead_fa),
            (self.politics_story, self.politics_story_fa),
            (self.paper.news, self.news_fa),
        ]:
            alternates = {"en": english.url, "fa": persian.url, "x-default": english.url}
            self.assertEqual(entries[english.url], alternates)
            self.assertEqual(entries[persian.url], alternates)
        self.assertEqual(entries[self.premium.url], {})  # no translation, nothing to link
        self.assertEqual(entries[self.persian_only.url], {})
        every_alternate = {url for links in entries.values() for url in links.values()}
        for url in every_alternate:
            self.get(url)
            self.assertIn(url, entries)  # an alternate is listed in its own right

    def test_every_listed_address_resolves(self):
        for url in self.every_entry():
            self.get(url)

    def test_only_live_public_pages_are_listed_and_no_body_text(self):
        PageViewRestriction.objects.create(
            page=self.politics_story, restriction_type="password", password="secret"
        )
        cache.clear()
        listed = self.every_entry()
        self.assertNotIn(self.draft.url, listed)
        self.assertNotIn(self.politics_story.url, listed)
        self.assertEqual(listed[self.politics_story_fa.url], {})  # no link to the private one
        self.assertIn(self.premium.url, listed)  # a premium article shows readers a preview
        for location in self.index_locations():
            self.assertNotIn(b"paragraph 1", self.get(location).content)

    def test_news_sitemap_lists_both_editions_of_the_last_two_days(self):
        document = self.xml("/news-sitemap.xml")
        entries = {
            relative(entry.findtext("sm:loc", namespaces=NS)): entry
            for entry in document.findall("sm:url", namespaces=NS)
        }
        recent = [
            self.lead,
            self.lead_fa,
            self.politics_story,
            self.politics_story_fa,
            self.premium,
            self.persian_only,
        ]
        self.assertCountEqual(entries, [page.url for page in recent])
        self.assertNotIn(self.old.url, entries)  # five days old
        self.assertNotIn(self.draft.url, entries)

        def news(page, field):
            return entries[page.url].findtext(f"news:news/{field}", namespaces=NS)

        self.assertEqual(news(self.lead, "news:publication/news:name"), "The Daily Test")
        self.assertEqual(news(self.lead, "news:publication/news:language"), "en")
        self.assertEqual(news(self.lead_fa, "news:publication/news:name"), "روزنامه آزمایشی")
        self.assertEqual(news(self.lead_fa, "news:publication/news:language"), "fa")
        self.assertEqual(news(self.lead_fa, "news:title"), "آتش‌بس پابرجاست")
        published = datetime.datetime.fromisoformat(news(self.lead, "news:publication_date"))
        self.assertEqual(published, self.lead.first_published_at.replace(microsecond=0))
        self.assertNotIn(b"paragraph 1", self.get("/news-sitemap.xml").content)

    def test_news_window_is_two_days(self):
        later = timezone.now() + datetime.timedelta(days=1.75)
        with mock.patch("django.utils.timezone.now", return_value=later):
            document = self.xml("/news-sitemap.xml")
        listed = [relative(loc) for loc in document.xpath("//sm:loc/text()", namespaces=NS)]
        self.assertIn(self.premium.url, listed)  # 1.95 days old by then
        for older in [self.lead, self.politics_story, self.persian_only, self.old]:
            self.assertNotIn(older.url, listed)

    def test_a_section_only_one_edition_has_and_a_clashing_slug_get_their_own_sitemaps(self):
        culture = publish(self.paper.home_fa, SectionPage(title="فرهنگ", slug="culture"))
        review = make_article(culture, "نقد کتاب", days_ago=1)
        clash = publish(self.paper.home, SectionPage(title="Pages", slug="pages"))
        locations = self.index_locations()
        self.assertIn("/sitemap-fa-culture.xml", locations)
        self.assertIn(f"/sitemap-pages-{clash.pk}.xml", locations)
        self.assertIn(review.url, self.entries("/sitemap-fa-culture.xml"))
        self.assertEqual(list(self.entries(f"/sitemap-pages-{clash.pk}.xml")), [clash.url])
        self.assertNotIn(clash.url, self.entries("/sitemap-pages.xml"))

    def test_unknown_section_or_page_of_a_sitemap_is_a_404(self):
        self.assertEqual(self.client.get("/sitemap-sport.xml").status_code, 404)
        self.assertEqual(self.client.get("/sitemap-news.xml?p=2").status_code, 404)
        self.assertEqual(self.client.get("/sitemap-news.xml?p=x").status_code, 404)

    def test_long_sitemaps_are_split_into_pages_the_index_lists(self):
        self.assertEqual(PageSitemap.limit, 50000)  # the protocol's limit; 3 below
        everything = self.every_entry()
        with mock.patch.object(PageSitemap, "limit", 3):
            locations = self.index_locations()
            paged = {}
            for location in locations:
                entries = self.entries(location)
                self.assertLessEqual(len(entries), 3)
                paged.update(entries)
        news_pages = -(-len(self.entries("/sitemap-news.xml")) // 3)
        self.assertGreater(news_pages, 2)
        self.assertIn(f"/sitemap-news.xml?p={news_pages}", locations)
        self.assertNotIn(f"/sitemap-news.xml?p={news_pages + 1}", locations)
        self.assertEqual(paged, everything)

    def assert_queries(self, url: str, cold: int, warm: int):
        """Count a request's queries with every cache empty, then with the caches filled."""
        cache.clear()
        ContentType.objects.clear_cache()
        with self.assertNumQueries(cold):
            self.get(url)
        with self.assertNumQueries(warm):
            self.get(url)

    def test_sitemaps_take_a_fixed_number_of_queries_however_many_articles(self):
        def count_queries():
            self.assert_queries("/robots.txt", cold=0, warm=0)
            self.assert_queries("/sitemap.xml", cold=6, warm=3)
            self.assert_queries("/sitemap-news.xml", cold=10, warm=5)
            self.assert_queries("/news-sitemap.xml", cold=7, warm=2)

        count_queries()
        for n in range(5):
            story = make_article(self.paper.politics, f"More news {n}", days_ago=0.1)
            translate(story, self.paper.persian, title=f"خبر {n}")
        count_queries()


class RobotsTests(TestCase):
    def setUp(self):
        cache.clear()

    def test_robots_txt_points_to_the_sitemaps_and_keeps_crawlers_out(self):
        response = self.client.get("/robots.txt")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/plain"))
        lines = response.content.decode().splitlines()
        self.assertEqual(lines[0], "User-agent: *")
        for path in [
            "/admin/",
            "/django-admin/",
            "/search/",
            "/fa/search/",
            "/accounts/",
            "/fa/accounts/",
        ]:
            self.assertIn(f"Disallow: {path}", lines)
        self.assertIn("Sitemap: http://testserver/sitemap.xml", lines)
        self.assertIn("Sitemap: http://testserver/news-sitemap.xml", lines)
        self.assertNotIn("Disallow: /", lines)  # the paper itself stays open


class SitemapConditionalGetTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        paper = make_paper()
        make_article(paper.news, "Listed story", days_ago=1)

    def test_an_unchanged_sitemap_answers_304(self):
        for url in ("/sitemap.xml", "/news-sitemap.xml", "/robots.txt"):
            first = self.client.get(url)
            self.assertEqual(first.status_code, 200, url)
            again = self.client.get(url, headers={"if-none-match": first["ETag"]})
            self.assertEqual(again.status_code, 304, url)
