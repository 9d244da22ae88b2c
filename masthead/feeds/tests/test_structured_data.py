"""JSON-LD, Open Graph and share cards as a search engine or a preview checker reads them."""

import datetime
import io
import json
import shutil
import tempfile
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache as django_cache
from django.core.files.storage import default_storage
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from PIL import Image
from wagtail.models import Site

from masthead.content.models import AccessLevel
from masthead.content.tests.factories import make_article, make_image, make_paper, translate
from masthead.feeds.structured_data import (
    HEADLINE_LIMIT,
    cut_headline,
    describe_article,
)
from masthead.subscriptions.access import may_show_full_text
from masthead.subscriptions.models import PaywallSettings

VOCABULARY_FILE = (
    Path(settings.BASE_DIR).parent
    / "shared/fixtures/schemas/schemaorg/schemaorg-current-https.jsonld"
)
HOSTILE_HEADLINE = "Leak </script><script>alert(1)</script> & more"


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


class SchemaVocabulary:
    """The schema.org vocabulary as two maps: each class's parents and each property's types."""

    def __init__(self, path: Path):
        self.parents: dict[str, set[str]] = {}
        self.domains: dict[str, set[str]] = {}
        for node in json.loads(path.read_text())["@graph"]:
            name = node["@id"].removeprefix("schema:")
            kinds = as_list(node.get("@type", []))
            if "rdfs:Class" in kinds:
                self.parents[name] = {
                    p["@id"].removeprefix("schema:")
                    for p in as_list(node.get("rdfs:subClassOf", []))
                }
            if "rdf:Property" in kinds:
                self.domains[name] = {
                    d["@id"].removeprefix("schema:")
                    for d in as_list(node.get("schema:domainIncludes", []))
                }

    def lineage(self, type_name: str) -> set[str]:
        """Return the type and every class it inherits from."""
        seen, todo = set(), [type_name]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(self.parents.get(current, ()))
        return seen

    def problems(self, data, where: str = "") -> list[str]:
        """List every property used on a type that schema.org does not allow there."""
        found = []
        if isinstance(data, list):
            for index, item in enumerate(data):
                found += self.problems(item, f"{where}[{index}]")
        elif isinstance(data, dict):
            type_name = data.get("@type")
            if type_name is not None and type_name not in self.parents:
                found.append(f"{where}: unknown type {type_name}")
            for key, value in data.items():
                if type_name is not None and not key.startswith("@"):
                    # "query-input" is the documented annotation of an action's "query".
                    prop = key.removesuffix("-input").removesuffix("-output")
                    if prop not in self.domains:
                        found.append(f"{where}.{key}: unknown property")
                    elif not self.domains[prop] & self.lineage(type_name):
                        found.append(f"{where}.{key}: not a property of {type_name}")
                found += self.problems(value, f"{where}.{key}")
        return found


@cache
def vocabulary() -> SchemaVocabulary:
    return SchemaVocabulary(VOCABULARY_FILE)


class HeadReader(HTMLParser):
    """Collect a page's meta tags and JSON-LD blocks, as a preview checker does."""

    def __init__(self):
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.json_ld: list[dict] = []
        self.in_json_ld = False
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and ("property" in attrs or "name" in attrs):
            self.meta.append((attrs.get("property") or attrs["name"], attrs.get("content", "")))
        if tag == "script":
            self.scripts += 1
            self.in_json_ld = attrs.get("type") == "application/ld+json"

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_json_ld = False

    def handle_data(self, data):
        if self.in_json_ld:
            self.json_ld.append(json.loads(data))

    def first(self, key: str) -> str | None:
        return next((value for name, value in self.meta if name == key), None)

    def every(self, key: str) -> list[str]:
        return [value for name, value in self.meta if name == key]

    def block(self, type_name: str) -> dict:
        return next(b for b in self.json_ld if b["@type"] == type_name)


class StructuredDataTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        ada, ben = cls.paper.writers
        cls.article = make_article(
            cls.paper.politics,
            "Diplomat defects",
            authors=[ada, ben],
            tags=["oil", "diplomacy"],
            image=make_image("Lead"),
        )
        cls.premium = make_article(
            cls.paper.economy,
            "Paid analysis",
            authors=[ada],
            access_level=AccessLevel.SUBSCRIBERS,
        )
        cls.article_fa = translate(cls.article, cls.paper.persian, title="دیپلمات پناهنده شد")

    def setUp(self):
        django_cache.clear()

    def read(self, url: str, status: int = 200) -> HeadReader:
        response = self.client.get(url)
        self.assertEqual(response.status_code, status, url)
        reader = HeadReader()
        reader.feed(response.content.decode())
        return reader


class SchemaVocabularyTests(StructuredDataTestCase):
    def test_every_json_ld_property_applies_to_its_type(self):
        pages = [
            self.article.url,
            self.premium.url,
            self.article_fa.url,
            "/",
            "/fa/",
            self.paper.news.url,
            self.paper.politics.url,
        ]
        for url in pages:
            blocks = self.read(url).json_ld
            self.assertTrue(blocks, url)
            self.assertEqual(vocabulary().problems(blocks), [], url)

    def test_the_checker_catches_a_property_on_the_wrong_type(self):
        wrong = {"@type": "Organization", "articleSection": "Politics", "colour": "red"}
        self.assertEqual(
            vocabulary().problems(wrong),
            [".articleSection: not a property of Organization", ".colour: unknown property"],
        )
        self.assertEqual(vocabulary().problems({"@type": "NewsArticle", "name": "x"}), [])


class NewsArticleTests(StructuredDataTestCase):
    def test_google_required_and_recommended_article_fields(self):
        page = self.read(self.article.url)
        data = page.block("NewsArticle")
        self.assertEqual(data["@context"], "https://schema.org")
        self.assertEqual(data["headline"], "Diplomat defects")
        self.assertEqual(data["description"], "What Diplomat defects is about.")
        self.assertEqual(len(data["image"]), 3)
        for url, crop in zip(
            data["image"], ("fill-1200x675", "fill-1200x900", "fill-1200x1200"), strict=True
        ):
            self.assertTrue(url.startswith("http://localhost/media/"), url)
            self.assertIn(crop, url)
        for field in ("datePublished", "dateModified"):
            moment = datetime.datetime.fromisoformat(data[field])
            self.assertIsNotNone(moment.utcoffset(), field)
        self.assertEqual(
            datetime.datetime.fromisoformat(data["datePublished"]),
            self.article.first_published_at.replace(microsecond=0),
        )
        self.assertEqual(
            data["author"],
            [
                {"@type": "Person", "name": "Ada Writer", "url": "http://localhost/authors/ada/"},
                {"@type": "Person", "name": "Ben Reporter", "url": "http://localhost/authors/ben/"},
            ],
        )
        self.assertEqual(data["publisher"]["@type"], "NewsMediaOrganization")
        self.assertEqual(data["publisher"]["name"], "The Daily Test")
        self.assertNotIn("logo", data["publisher"])  # none set in the site settings
        self.assertEqual(data["articleSection"], "Politics")
        self.assertEqual(data["inLanguage"], "en")
        self.assertEqual(data["url"], self.article.full_url)
        self.assertEqual(data["mainEntityOfPage"]["@id"], self.article.full_url)
        self.assertEqual(sorted(data["keywords"]), ["diplomacy", "oil"])
        self.assertIs(data["isAccessibleForFree"], True)

    def test_persian_article_declares_its_language_and_headline(self):
        data = self.read(self.article_fa.url).block("NewsArticle")
        self.assertEqual(data["inLanguage"], "fa")
        self.assertEqual(data["headline"], "دیپلمات پناهنده شد")
        self.assertEqual(data["publisher"]["name"], "روزنامه آزمایشی")
        self.assertTrue(data["url"].startswith("http://localhost/fa/"))

    def test_publisher_logo_comes_from_the_site_settings(self):
        from masthead.core.models import SiteSettings

        SiteSettings.objects.update(logo=make_image("Logo", size=(400, 120)))
        data = self.read(self.article.url).block("NewsArticle")
        logo = data["publisher"]["logo"]
        self.assertEqual(logo["@type"], "ImageObject")
        self.assertTrue(logo["url"].startswith("http://localhost/media/"))
        self.assertEqual((logo["width"], logo["height"]), (400, 120))

    def test_the_logo_for_search_engines_wins_over_the_masthead_logo(self):
        from masthead.core.models import SiteSettings

        SiteSettings.objects.update(
            logo=make_image("Masthead logo", size=(400, 120)),
            publisher_logo=make_image("Publisher logo", size=(600, 60)),
        )
        data = self.read(self.article.url).block("NewsArticle")
        self.assertEqual(
            (data["publisher"]["logo"]["width"], data["publisher"]["logo"]["height"]), (600, 60)
        )

    def test_the_logo_costs_no_query_once_the_page_is_warm(self):
        from masthead.core.cache import bump_chrome_version
        from masthead.core.models import SiteSettings

        def warm_count() -> int:
            self.client.get(self.article.url)
            with CaptureQueriesContext(connection) as queries:
                self.client.get(self.article.url)
            return len(queries)

        without_logo = warm_count()
        SiteSettings.objects.update(logo=make_image("Logo", size=(400, 120)))
        bump_chrome_version()  # what saving the settings in the admin does
        self.assertEqual(warm_count(), without_logo)

    def test_long_headlines_are_cut_cleanly_at_googles_limit(self):
        words = "Parliament debates the budget again " * 5
        headline = cut_headline(words)
        self.assertLessEqual(len(headline), HEADLINE_LIMIT)
        self.assertTrue(headline.endswith("again…") or headline.endswith("budget…"), headline)
        self.assertTrue(words.startswith(headline[:-1]))
        self.assertEqual(cut_headline("Short one"), "Short one")
        long_article = make_article(self.paper.news, words.strip())
        data = self.read(long_article.url).block("NewsArticle")
        self.assertEqual(data["headline"], headline)

    def test_article_without_byline_is_authored_by_the_paper(self):
        bare = make_article(self.paper.news, "Unsigned note")
        data = self.read(bare.url).block("NewsArticle")
        self.assertEqual(
            data["author"], [{"@type": "NewsMediaOrganization", "name": "The Daily Test"}]
        )


class PremiumTests(StructuredDataTestCase):
    def test_premium_article_marks_its_gated_part(self):
        long_read = make_article(
            self.paper.economy, "Long read", paragraphs=6, access_level=AccessLevel.SUBSCRIBERS
        )
        PaywallSettings.objects.update_or_create(
            site=Site.objects.get(is_default_site=True), defaults={"meter_anonymous": 0}
        )
        response = self.client.get(long_read.url)
        reader = HeadReader()
        reader.feed(response.content.decode())
        data = reader.block("NewsArticle")
        self.assertIs(data["isAccessibleForFree"], False)
        self.assertEqual(
            data["hasPart"],
            {
                "@type": "WebPageElement",
                "isAccessibleForFree": False,
                "cssSelector": ".article__gated",
            },
        )
        # A reader without access never receives the gated part; staff do, under the selector.
        self.assertNotContains(response, 'class="article__gated"')
        self.assertNotContains(response, "Long read: paragraph 6.")
        staff = get_user_model().objects.create_user("editor", password="x", is_staff=True)
        self.client.force_login(staff)
        response = self.client.get(long_read.url)
        self.assertContains(response, '<div class="article__gated">')
        gated = response.content.decode().partition('<div class="article__gated">')[2]
        self.assertIn("Long read: paragraph 6.", gated)

    def test_premium_descriptions_never_quote_the_body(self):
        reader = self.read(self.premium.url)
        described = [
            reader.block("NewsArticle")["description"],
            reader.first("og:description"),
            reader.first("twitter:description"),
        ]
        self.assertEqual(set(described), {"What Paid analysis is about."})
        self.premium.standfirst = ""
        self.assertFalse(may_show_full_text(self.premium))
        self.assertEqual(describe_article(self.premium), "")
        self.article.standfirst = ""
        self.assertEqual(describe_article(self.article), "Diplomat defects: paragraph 1.")


class BreadcrumbTests(StructuredDataTestCase):
    def test_article_breadcrumbs_run_from_the_front_page_with_positions(self):
        data = self.read(self.article.url).block("BreadcrumbList")
        items = data["itemListElement"]
        self.assertEqual([i["position"] for i in items], [1, 2, 3, 4])
        self.assertEqual(
            [(i["name"], i["item"]) for i in items],
            [
                ("The Daily Test", "http://localhost/"),
                ("What's the News", "http://localhost/news/"),
                ("Politics", "http://localhost/news/politics/"),
                ("Diplomat defects", self.article.full_url),
            ],
        )
        self.assertTrue(all(i["@type"] == "ListItem" for i in items))

    def test_section_breadcrumbs_and_none_on_the_front_page(self):
        items = self.read(self.paper.economy.url).block("BreadcrumbList")["itemListElement"]
        self.assertEqual(
            [(i["position"], i["name"]) for i in items], [(1, "The Daily Test"), (2, "Economy")]
        )
        home_types = [b["@type"] for b in self.read("/").json_ld]
        self.assertNotIn("BreadcrumbList", home_types)


class HomePageTests(StructuredDataTestCase):
    def test_home_describes_the_paper_and_its_search_in_each_edition(self):
        for prefix, name, language in (
            ("/", "The Daily Test", "en"),
            ("/fa/", "روزنامه آزمایشی", "fa"),
        ):
            page = self.read(prefix)
            organization = page.block("NewsMediaOrganization")
            self.assertEqual(organization["name"], name)
            self.assertEqual(organization["url"], f"http://localhost{prefix}")
            self.assertEqual(organization["foundingDate"], "1970")
            site = page.block("WebSite")
            self.assertEqual(site["inLanguage"], language)
            self.assertEqual(site["publisher"], {"@id": organization["@id"]})
            action = site["potentialAction"]
            self.assertEqual(action["@type"], "SearchAction")
            template = action["target"]["urlTemplate"]
            self.assertEqual(template, f"http://localhost{prefix}search/?q={{search_term_string}}")
            self.assertEqual(action["query-input"], "required name=search_term_string")
            search = template.replace("http://localhost", "").replace("{search_term_string}", "oil")
            self.assertEqual(self.client.get(search).status_code, 200)


class OpenGraphTests(StructuredDataTestCase):
    def test_article_open_graph_and_twitter_card(self):
        page = self.read(self.article.url)
        self.assertEqual(page.first("og:type"), "article")
        self.assertEqual(page.first("og:title"), "Diplomat defects")
        self.assertEqual(page.first("og:description"), "What Diplomat defects is about.")
        self.assertEqual(page.first("og:url"), self.article.full_url)
        self.assertIn("fill-1200x630", page.first("og:image"))
        self.assertEqual(
            (page.first("og:image:width"), page.first("og:image:height")), ("1200", "630")
        )
        self.assertEqual(page.first("og:image:alt"), "Lead caption")
        self.assertEqual(page.first("og:site_name"), "The Daily Test")
        self.assertEqual(page.first("og:locale"), "en_US")
        self.assertEqual(page.every("og:locale:alternate"), ["fa_IR"])
        self.assertEqual(page.first("article:section"), "Politics")
        self.assertEqual(sorted(page.every("article:tag")), ["diplomacy", "oil"])
        for key in ("article:published_time", "article:modified_time"):
            self.assertIsNotNone(datetime.datetime.fromisoformat(page.first(key)).utcoffset())
        self.assertEqual(page.first("twitter:card"), "summary_large_image")
        self.assertEqual(page.first("twitter:image"), page.first("og:image"))

    def test_persian_pages_say_fa_ir(self):
        for url in (self.article_fa.url, "/fa/"):
            page = self.read(url)
            self.assertEqual(page.first("og:locale"), "fa_IR", url)
            self.assertEqual(page.every("og:locale:alternate"), ["en_US"], url)
        self.assertEqual(self.read(self.article_fa.url).first("og:title"), "دیپلمات پناهنده شد")
        self.assertEqual(self.read("/fa/").first("og:site_name"), "روزنامه آزمایشی")

    def test_home_and_section_pages_are_websites(self):
        for url, title in (("/", "The Daily Test"), (self.paper.news.url, "What's the News")):
            page = self.read(url)
            self.assertEqual(page.first("og:type"), "website", url)
            self.assertEqual(page.first("og:title"), title, url)
            self.assertEqual(page.first("og:url"), f"http://localhost{url}", url)
            self.assertEqual(page.first("og:locale"), "en_US", url)
        self.assertEqual(self.read("/").first("og:description"), "An Independent Newspaper")

    def test_pages_that_are_not_wagtail_pages_still_render(self):
        for url, status in (("/search/?q=oil", 200), ("/no-such-page/", 404), ("/fa/x/", 404)):
            page = self.read(url, status=status)
            self.assertEqual(page.json_ld, [], url)
            self.assertFalse([name for name, _ in page.meta if name.startswith("og:")], url)
        tag_page = self.read("/tags/oil/")
        self.assertEqual(tag_page.first("og:url"), "http://localhost/tags/oil/")
        self.assertEqual(tag_page.json_ld, [])  # the paper's own blocks belong to its front page


class EscapingTests(StructuredDataTestCase):
    def test_a_headline_cannot_break_out_of_the_json_ld_script(self):
        article = make_article(self.paper.news, HOSTILE_HEADLINE)
        html = self.client.get(article.url).content.decode()
        head = html[: html.index("</head>")]
        self.assertNotIn("<script>alert(1)", head)
        self.assertIn("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)", head)
        self.assertIn("\\u0026 more", head)
        reader = HeadReader()
        reader.feed(html)
        self.assertEqual(reader.block("NewsArticle")["headline"], HOSTILE_HEADLINE)
        self.assertEqual(reader.first("og:title"), HOSTILE_HEADLINE)
        crumbs = reader.block("BreadcrumbList")["itemListElement"]
        self.assertEqual(crumbs[-1]["name"], HOSTILE_HEADLINE)


class ShareCardTests(StructuredDataTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.media = tempfile.mkdtemp()
        cls.media_override = override_settings(MEDIA_ROOT=cls.media)
        cls.media_override.enable()

    @classmethod
    def tearDownClass(cls):
        cls.media_override.disable()
        shutil.rmtree(cls.media, ignore_errors=True)
        super().tearDownClass()

    def card_url(self, article) -> str:
        return f"/share/{article.pk}.png"

    def test_article_without_lead_image_shares_a_generated_card(self):
        page = self.read(self.premium.url)
        image = page.first("og:image")
        self.assertEqual(
            image,
            f"http://localhost{self.card_url(self.premium)}?v={self.premium.live_revision_id}",
        )
        self.assertEqual(
            (page.first("og:image:width"), page.first("og:image:height")), ("1200", "630")
        )
        self.assertEqual(page.block("NewsArticle")["image"], [image])

        response = self.client.get(image.removeprefix("http://localhost"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/png")
        self.assertIn("public", response["Cache-Control"])
        self.assertIn("max-age=86400", response["Cache-Control"])
        with Image.open(io.BytesIO(response.content)) as card:
            self.assertEqual(card.format, "PNG")
            self.assertEqual(card.size, (1200, 630))
        again = self.client.get(self.card_url(self.premium), HTTP_IF_NONE_MATCH=response["ETag"])
        self.assertEqual(again.status_code, 304)

    def test_card_is_drawn_once_per_revision(self):
        first = self.client.get(self.card_url(self.premium))
        _dirs, files = default_storage.listdir(f"share-cards/{self.premium.pk}")
        self.assertEqual(len(files), 1)
        self.assertEqual(self.client.get(self.card_url(self.premium))["ETag"], first["ETag"])
        self.premium.title = "Paid analysis, revised"
        self.premium.save_revision().publish()
        second = self.client.get(self.card_url(self.premium))
        self.assertNotEqual(second["ETag"], first["ETag"])
        _dirs, files = default_storage.listdir(f"share-cards/{self.premium.pk}")
        self.assertEqual(len(files), 1)  # the old revision's card is gone

    def test_persian_article_gets_a_card_too(self):
        bare_fa = translate(self.premium, self.paper.persian, title="تحلیل ویژه مشترکان")
        response = self.client.get(self.card_url(bare_fa))
        self.assertEqual(response.status_code, 200)
        with Image.open(io.BytesIO(response.content)) as card:
            self.assertEqual(card.size, (1200, 630))

    def test_only_live_articles_have_cards(self):
        draft = make_article(self.paper.news, "Soon")
        draft.unpublish()
        for page_id in (self.paper.news.pk, draft.pk, 999999):
            self.assertEqual(self.client.get(f"/share/{page_id}.png").status_code, 404, page_id)
