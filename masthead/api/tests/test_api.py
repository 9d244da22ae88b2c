import datetime

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone
from wagtail.models import Page

from masthead.content.models import AccessLevel, HomePage, SectionPage
from masthead.content.tests.factories import make_article, make_image, make_paper, translate
from masthead.subscriptions.models import (
    MeteredRead,
    Plan,
    PlanKind,
    SiteLicence,
    Subscription,
    SubscriptionState,
    UnlockedArticle,
)

SECRET = "Secret deal: paragraph"  # the premium article's gated text, never to be served
OPENING = "Secret deal opens here."  # its free preview, before the editor's marker


def build_paper(cls):
    """Build a paper with public, premium, translated, draft and foreign articles."""
    cls.paper = make_paper()
    ada, ben = cls.paper.writers
    cls.image = make_image("Lead")
    cls.public = make_article(
        cls.paper.news, "Oil rises", days_ago=3, authors=[ada], tags=["oil"], image=cls.image
    )
    cls.vote = make_article(
        cls.paper.politics, "Vote counted", days_ago=2, authors=[ada, ben], tags=["election"]
    )
    cls.premium = make_article(
        cls.paper.economy,
        "Secret deal",
        days_ago=1,
        authors=[ben],
        image=make_image("Premium"),
        access_level=AccessLevel.SUBSCRIBERS,
    )
    cls.premium.body = [
        {"type": "paragraph", "value": f"<p>{OPENING}</p>"},
        {"type": "preview_break", "value": None},
        {"type": "paragraph", "value": f"<p>{SECRET} 2.</p>"},
    ]
    cls.premium.save_revision().publish()
    cls.ada_fa = translate(ada, cls.paper.persian, title="آدا")
    cls.public_fa = translate(cls.public, cls.paper.persian, title="نفت بالا رفت")
    cls.draft = make_article(cls.paper.news, "Unpublished scoop", days_ago=0.5)
    cls.draft.unpublish()
    stray_home = Page.get_first_root_node().add_child(
        instance=HomePage(title="Another site", slug="another", locale=cls.paper.english)
    )
    stray_section = stray_home.add_child(instance=SectionPage(title="Stray", slug="stray"))
    cls.foreign = make_article(stray_section, "Not our paper", days_ago=0.1)


class ApiTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        build_paper(cls)

    def setUp(self):
        cache.clear()

    def get_json(self, url: str, status: int = 200) -> dict:
        response = self.client.get(url)
        self.assertEqual(response.status_code, status, response.content[:500])
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        return response.json()

    def headlines(self, url: str) -> list[str]:
        return [item["headline"] for item in self.get_json(url)["items"]]


class ArticleListTests(ApiTestCase):
    def test_lists_the_sites_live_articles_newest_first_in_both_editions(self):
        data = self.get_json("/api/articles/")
        self.assertEqual(data["count"], 4)
        # The Persian translation was published last, when the tests set up.
        self.assertEqual(
            [i["headline"] for i in data["items"]],
            ["نفت بالا رفت", "Secret deal", "Vote counted", "Oil rises"],
        )
        self.assertNotIn("Unpublished scoop", str(data))
        self.assertNotIn("Not our paper", str(data))

    def test_summary_carries_links_section_authors_tags_and_image(self):
        item = self.get_json("/api/articles/?tag=oil&edition=en")["items"][0]
        self.assertEqual(item["id"], self.public.pk)
        self.assertEqual(item["url"], "http://localhost/news/oil-rises/")
        self.assertEqual(item["section"]["title"], "What's the News")
        self.assertEqual([a["title"] for a in item["authors"]], ["Ada Writer"])
        self.assertEqual(item["tags"], ["oil"])
        self.assertEqual(item["lead_image"]["caption"], "Lead caption")
        self.assertEqual(item["lead_image"]["credit"], "Test Agency")
        self.assertEqual(
            [r["spec"] for r in item["lead_image"]["renditions"]],
            ["fill-160x100", "fill-480x270", "fill-800x450", "fill-1200x675"],
        )
        self.assertTrue(item["lead_image"]["renditions"][0]["url"].startswith("http://"))
        self.assertFalse(item["body_withheld"])
        self.assertNotIn("body_html", item)

    def test_filters_by_edition(self):
        self.assertEqual(self.headlines("/api/articles/?edition=fa"), ["نفت بالا رفت"])
        self.assertEqual(len(self.headlines("/api/articles/?edition=en")), 3)

    def test_persian_article_links_to_the_persian_edition_and_its_authors(self):
        item = self.get_json("/api/articles/?edition=fa")["items"][0]
        self.assertEqual(item["edition"], "fa")
        self.assertTrue(item["url"].startswith("http://localhost/fa/"), item["url"])
        self.assertEqual([a["title"] for a in item["authors"]], ["آدا"])

    def test_filters_by_section_id_or_path_including_sub_sections(self):
        news = self.paper.news
        self.assertEqual(
            self.headlines(f"/api/articles/?section={news.pk}"), ["Vote counted", "Oil rises"]
        )
        self.assertEqual(
            self.headlines("/api/articles/?section=news&edition=en"), ["Vote counted", "Oil rises"]
        )
        self.assertEqual(self.headlines("/api/articles/?section=news/politics"), ["Vote counted"])
        # The slug path names the section in both editions.
        self.assertIn("نفت بالا رفت", self.headlines("/api/articles/?section=news"))

    def test_filters_by_tag_author_and_dates(self):
        ada, ben = self.paper.writers
        self.assertEqual(self.headlines("/api/articles/?tag=election"), ["Vote counted"])
        self.assertEqual(self.headlines("/api/articles/?tag=nothing"), [])
        self.assertEqual(
            self.headlines(f"/api/articles/?author={ben.pk}"), ["Secret deal", "Vote counted"]
        )
        # An author's Persian page finds the same person's articles in every edition.
        self.assertEqual(
            len(self.headlines(f"/api/articles/?author={self.ada_fa.pk}")),
            len(self.headlines(f"/api/articles/?author={ada.pk}")),
        )
        after = (timezone.now() - datetime.timedelta(days=2, hours=12)).isoformat()
        before = (timezone.now() - datetime.timedelta(days=1, hours=12)).isoformat()
        self.assertEqual(
            self.client.get("/api/articles/", {"published_after": after, "edition": "en"}).json()[
                "count"
            ],
            2,
        )
        self.assertEqual(
            self.client.get(
                "/api/articles/", {"published_after": after, "published_before": before}
            ).json()["items"][0]["headline"],
            "Vote counted",
        )
        self.assertEqual(self.get_json("/api/articles/?published_after=2100-01-01")["count"], 0)

    def test_paginates_with_limit_and_offset(self):
        data = self.get_json("/api/articles/?limit=2&offset=1&edition=en")
        self.assertEqual((data["count"], data["limit"], data["offset"]), (3, 2, 1))
        self.assertEqual([i["headline"] for i in data["items"]], ["Vote counted", "Oil rises"])

    def assert_list_queries(self, url: str, expected: int) -> dict:
        """Count a warm list request: renditions made and site root paths cached already."""
        self.client.get(url)
        ContentType.objects.clear_cache()
        with self.assertNumQueries(expected):
            return self.client.get(url).json()

    def test_list_query_count_does_not_grow_with_the_articles(self):
        url = "/api/articles/?limit=100"
        # Ten for the listing, one for the site licences the reader's address might hold.
        self.assertEqual(self.assert_list_queries(url, 11)["count"], 4)
        ada, ben = self.paper.writers
        for n in range(5):
            make_article(
                self.paper.economy,
                f"More {n}",
                authors=[ada, ben],
                tags=["oil", f"t{n}"],
                image=make_image(f"More {n}"),
            )
        self.assertEqual(self.assert_list_queries(url, 11)["count"], 9)


class ArticleDetailTests(ApiTestCase):
    def test_public_article_has_its_body_and_translations(self):
        data = self.get_json(f"/api/articles/{self.public.pk}/")
        self.assertIn("Oil rises: paragraph 1.", data["body_html"])
        self.assertFalse(data["body_withheld"])
        self.assertEqual(data["standfirst"], "What Oil rises is about.")
        self.assertEqual(
            data["translations"],
            {
                "en": {"id": self.public.pk, "url": "http://localhost/news/oil-rises/"},
                "fa": {"id": self.public_fa.pk, "url": data["translations"]["fa"]["url"]},
            },
        )
        self.assertTrue(data["translations"]["fa"]["url"].startswith("http://localhost/fa/"))

    def test_premium_article_withholds_its_body(self):
        data = self.get_json(f"/api/articles/{self.premium.pk}/")
        self.assertIsNone(data["body_html"])
        self.assertTrue(data["body_withheld"])
        self.assertEqual(data["access_level"], "subscribers")
        self.assertEqual(data["headline"], "Secret deal")
        self.assertEqual(data["standfirst"], "What Secret deal is about.")
        self.assertIsNotNone(data["lead_image"])

    def test_no_response_ever_carries_a_premium_body(self):
        premium = self.premium.pk
        urls = [
            "/api/articles/",
            "/api/articles/?limit=100",
            "/api/articles/?edition=en&section=economy",
            f"/api/articles/?author={self.paper.writers[1].pk}",
            f"/api/articles/{premium}/",
            f"/api/articles/{premium}/?fields=body",
            f"/api/articles/{premium}/?fields=*",
            "/api/articles/?fields=body_html",
            f"/api/images/{self.premium.lead_image_id}/",
            "/api/images/",
            "/api/sections/",
            "/api/authors/",
            "/api/openapi.json",
        ]
        for url in urls:
            with self.subTest(url):
                response = self.client.get(url)
                self.assertLess(response.status_code, 500)
                self.assertNotIn(SECRET, response.content.decode())

    def test_drafts_and_other_sites_articles_are_not_found(self):
        for page in (self.draft, self.foreign):
            data = self.get_json(f"/api/articles/{page.pk}/", status=404)
            self.assertEqual(data["status"], 404)
            self.assertIn("No article has the id", data["detail"])

    def test_a_page_that_is_not_an_article_is_not_found(self):
        self.get_json(f"/api/articles/{self.paper.about.pk}/", status=404)


class BadInputTests(ApiTestCase):
    def assert_bad(self, url: str, *words: str) -> dict:
        data = self.get_json(url, status=400)
        self.assertEqual(data["status"], 400)
        self.assertEqual(data["title"], "Bad Request")
        for word in words:
            self.assertIn(word, data["detail"])
        return data

    def test_unknown_parameters_are_named(self):
        self.assert_bad("/api/articles/?colour=red", "Unknown query parameter colour", "tag")
        self.assert_bad("/api/articles/?fields=body", "fields")
        self.assert_bad(f"/api/articles/{self.public.pk}/?page=2", "page")

    def test_pagination_out_of_range(self):
        self.assert_bad("/api/articles/?limit=0", "limit")
        self.assert_bad("/api/articles/?limit=101", "limit", "100")
        self.assert_bad("/api/articles/?limit=ten", "limit")
        self.assert_bad("/api/articles/?offset=-1", "offset")
        self.assert_bad("/api/articles/?offset=4", "offset 4 is past the end")
        self.assert_bad("/api/sections/?offset=99999999999999999999999", "offset")

    def test_bad_filter_values(self):
        self.assert_bad("/api/articles/?edition=de", "edition")
        self.assert_bad("/api/articles/?section=sport", "No section", "sport")
        self.assert_bad("/api/articles/?section=999999", "No section")
        self.assert_bad("/api/articles/?author=999999", "No author")
        self.assert_bad("/api/articles/?author=ada", "author")
        self.assert_bad("/api/articles/?published_after=yesterday", "published_after")
        self.assert_bad("/api/articles/?published_before=9999-12-31T23:59:59", "published_before")

    def test_ids_must_be_integers_and_unknown_ids_are_404(self):
        self.assert_bad("/api/articles/abc/", "article_id")
        self.assert_bad("/api/articles/0/", "article_id")
        self.assert_bad("/api/sections/99999999999999999999/", "section_id")
        for kind in ("articles", "sections", "authors", "images"):
            with self.subTest(kind):
                data = self.get_json(f"/api/{kind}/987654/", status=404)
                self.assertEqual(data["detail"], f"No {kind[:-1]} has the id 987654.")

    def test_unknown_endpoint_is_a_json_404(self):
        data = self.get_json("/api/nothing/here", status=404)
        self.assertIn("/api/docs/", data["detail"])


class SectionAuthorImageTests(ApiTestCase):
    def test_sections_in_tree_order_with_parents_and_paths(self):
        data = self.get_json("/api/sections/?edition=en")
        by_path = {s["slug_path"]: s for s in data["items"]}
        self.assertEqual(set(by_path), {"news", "news/politics", "economy"})
        self.assertEqual(by_path["news/politics"]["parent_section_id"], self.paper.news.pk)
        self.assertIsNone(by_path["news"]["parent_section_id"])
        self.assertEqual(by_path["economy"]["url"], "http://localhost/economy/")
        persian = self.get_json("/api/sections/?edition=fa")["items"]
        self.assertEqual([s["slug_path"] for s in persian], ["news"])
        self.assertEqual(
            self.get_json(f"/api/sections/{self.paper.politics.pk}/")["title"], "Politics"
        )

    def test_authors_by_name_in_both_editions(self):
        data = self.get_json("/api/authors/")
        self.assertEqual([a["name"] for a in data["items"]], ["Ada Writer", "Ben Reporter", "آدا"])
        ada = self.get_json(f"/api/authors/{self.paper.writers[0].pk}/")
        self.assertEqual((ada["edition"], ada["url"]), ("en", "http://localhost/authors/ada/"))

    def test_images_are_those_the_site_shows(self):
        data = self.get_json("/api/images/")
        self.assertEqual(
            {i["id"] for i in data["items"]}, {self.image.pk, self.premium.lead_image_id}
        )
        unused = make_image("Unused")
        self.get_json(f"/api/images/{unused.pk}/", status=404)
        image = self.get_json(f"/api/images/{self.image.pk}/")
        self.assertEqual((image["caption"], image["credit"]), ("Lead caption", "Test Agency"))
        self.assertNotIn("rights", image)


def make_reader(username: str, **fields):
    return get_user_model().objects.create_user(username, f"{username}@example.org", "pw", **fields)


def subscribe(user, *, state=SubscriptionState.ACTIVE, days_left: float = 20) -> Subscription:
    plan = Plan.objects.get_or_create(
        name="Monthly", kind=PlanKind.SUBSCRIPTION, defaults={"interval": "month"}
    )[0]
    return Subscription.objects.create(
        user=user,
        plan=plan,
        state=state,
        current_period_end=timezone.now() + datetime.timedelta(days=days_left),
    )


class SignedInReaderTests(ApiTestCase):
    """The body follows the paywall's decision for the reader signed in to the site."""

    def detail(self, **headers) -> tuple[dict, object]:
        response = self.client.get(f"/api/articles/{self.premium.pk}/", headers=headers)
        self.assertEqual(response.status_code, 200)
        return response.json(), response

    def listed_withheld(self) -> bool:
        items = self.get_json("/api/articles/?section=economy")["items"]
        return next(i["body_withheld"] for i in items if i["id"] == self.premium.pk)

    def assert_withheld(self, **headers):
        data, response = self.detail(**headers)
        self.assertIsNone(data["body_html"])
        self.assertTrue(data["body_withheld"])
        self.assertIn(OPENING, data["preview_html"])
        self.assertNotIn(SECRET, response.content.decode())
        self.assertTrue(self.listed_withheld())

    def assert_given(self, **headers):
        data, response = self.detail(**headers)
        self.assertIn(f"{SECRET} 2.", data["body_html"])
        self.assertIn(OPENING, data["body_html"])
        self.assertFalse(data["body_withheld"])
        self.assertIn(OPENING, data["preview_html"])
        self.assertNotIn(SECRET, data["preview_html"])
        self.assertIn("private", response["Cache-Control"])
        self.assertIn("no-store", response["Cache-Control"])
        self.assertFalse(self.listed_withheld())

    def test_anonymous_reader_gets_the_preview_even_with_meter_left(self):
        self.assert_withheld()  # the default meter allows 3 articles; the API never spends it
        self.assertFalse(MeteredRead.objects.exists())

    def test_registered_reader_without_subscription_gets_the_preview(self):
        self.client.force_login(make_reader("reader"))
        self.assert_withheld()
        self.assertFalse(MeteredRead.objects.exists())

    def test_lapsed_subscriber_gets_the_preview(self):
        reader = make_reader("lapsed")
        subscribe(reader, state=SubscriptionState.ENDED, days_left=-1)
        self.client.force_login(reader)
        self.assert_withheld()

    def test_subscriber_gets_the_body(self):
        reader = make_reader("subscriber")
        subscribe(reader)
        self.client.force_login(reader)
        self.assert_given()

    def test_staff_get_the_body(self):
        self.client.force_login(make_reader("editor", is_staff=True))
        self.assert_given()

    def test_reader_who_unlocked_the_article_gets_the_body(self):
        reader = make_reader("unlocker")
        UnlockedArticle.objects.create(
            user=reader, article_key=self.premium.translation_key, article=self.premium
        )
        self.client.force_login(reader)
        self.assert_given()

    def test_site_licence_by_address_opens_the_body(self):
        today = timezone.localdate()
        SiteLicence.objects.create(
            name="Library",
            ip_ranges="10.1.0.0/16",
            starts_on=today - datetime.timedelta(days=1),
            ends_on=today + datetime.timedelta(days=1),
        )
        self.client.defaults["REMOTE_ADDR"] = "10.1.2.3"
        self.assert_given()
        self.client.defaults["REMOTE_ADDR"] = "10.2.0.1"
        self.assert_withheld()

    def test_registered_readers_article_opens_to_any_signed_in_reader(self):
        self.premium.access_level = AccessLevel.REGISTERED
        self.premium.save_revision().publish()
        self.assert_withheld()
        self.client.force_login(make_reader("reader"))
        self.assert_given()

    def test_public_article_has_no_preview_and_is_not_private(self):
        response = self.client.get(f"/api/articles/{self.public.pk}/")
        self.assertIsNone(response.json()["preview_html"])
        self.assertNotIn("private", response.get("Cache-Control", ""))
