import re

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import TestCase, override_settings

from masthead.content.models import AccessLevel
from masthead.content.tests.factories import make_article, make_image, make_paper, translate
from masthead.search import entries


def hit_headlines(response) -> list[str]:
    return re.findall(r'class="live-search__headline">([^<]*)<', response.content.decode())


class LiveSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        image = make_image("Lead")
        cls.articles = [
            make_article(cls.paper.news, f"Diplomat story {n}", days_ago=n + 1, image=image)
            for n in range(7)
        ]
        make_article(cls.paper.economy, "Wheat harvest")
        cls.persian = translate(
            cls.articles[0],
            cls.paper.persian,
            title="دیپلمات کارکشته به مخالفان پیوست",
            standfirst="یک دیپلمات.",
        )

    def setUp(self):
        cache.clear()

    def test_at_most_five_hits_with_picture_section_and_date(self):
        response = self.client.get("/search/live/", {"q": "diplo"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/html; charset=utf-8")
        html = response.content.decode()
        self.assertEqual(hit_headlines(response), [f"Diplomat story {n}" for n in range(5)])
        self.assertEqual(html.count('role="option"'), 6)  # five hits and "View All Result"
        self.assertIn('role="listbox"', html)
        self.assertIn(f'href="{self.articles[0].url}"', html)
        self.assertRegex(html, r'<img[^>]+src="[^"]+fill-160x100')
        self.assertIn('class="live-search__section">What&#x27;s the News<', html)
        self.assertRegex(html, r"<time datetime=\"[^\"]+\">\w+ \d+, \d{4}</time>")
        self.assertIn('data-status="5 results"', html)
        self.assertNotIn("<html", html)  # a fragment, not a page

    def test_view_all_result_leads_to_the_results_page(self):
        response = self.client.get("/search/live/", {"q": "diplomat story"})
        self.assertContains(response, 'href="/search/?q=diplomat+story"')
        self.assertContains(response, "View All Result")

    def test_no_result(self):
        response = self.client.get("/search/live/", {"q": "zebra"})
        self.assertContains(response, "No Result")
        self.assertContains(response, 'data-status="No Result"')
        self.assertEqual(hit_headlines(response), [])

    def test_persian_edition_with_arabic_yeh_and_kaf(self):
        response = self.client.get("/fa/search/live/", {"q": "كاركشته"})
        self.assertEqual(hit_headlines(response), ["دیپلمات کارکشته به مخالفان پیوست"])
        self.assertContains(response, 'href="/fa/search/?q=')
        self.assertContains(response, "دیدن همهٔ نتیجه‌ها")
        self.assertContains(response, 'data-status="۱ نتیجه"')
        self.assertRegex(response.content.decode(), r"<time [^>]+>[^<]*[۰-۹]")

    def test_answers_are_the_same_for_everyone_and_briefly_cacheable(self):
        response = self.client.get("/search/live/", {"q": "diplo"})
        self.assertIn("public", response["Cache-Control"])
        self.assertIn("max-age=60", response["Cache-Control"])
        self.assertNotIn("Cookie", response.get("Vary", ""))
        self.assertNotIn("Set-Cookie", response.headers)

    def test_bad_input_never_breaks_it(self):
        for query in ["", "a", "a" * 1000, '"', "'; DROP TABLE x; --", "NEAR(", "*", "🙂", "<b>"]:
            response = self.client.get("/search/live/", {"q": query})
            self.assertEqual(response.status_code, 200, query)
            self.assertNotIn("<b>", response.content.decode())

    def test_query_count_is_pinned(self):
        self.client.get("/search/live/", {"q": "diplo"})
        ContentType.objects.clear_cache()
        # The edition's locale, the search, the hits with pictures, their renditions and
        # sections, the site for their addresses, and the content type, once per process
        # (not for PostgreSQL's search table: search/entries.py).
        with self.assertNumQueries(6 if entries.in_use() else 7):
            self.client.get("/search/live/", {"q": "diplo"})

    @override_settings(MASTHEAD_SEARCH_RATE_LIMIT=(2, 60))
    def test_rate_limited_per_address(self):
        for _ in range(2):
            self.assertEqual(self.client.get("/search/live/", {"q": "diplo"}).status_code, 200)
        refused = self.client.get("/fa/search/live/", {"q": "diplo"})
        self.assertEqual(refused.status_code, 429)
        self.assertIn("no-store", refused["Cache-Control"])
        self.assertContains(refused, "جست‌وجوهای زیاد", status_code=429)
        other = self.client.get("/search/live/", {"q": "diplo"}, REMOTE_ADDR="198.51.100.4")
        self.assertEqual(other.status_code, 200)


class LivePremiumTests(TestCase):
    CANARY = "Canary sentence for live search zq8."

    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        premium = make_article(
            cls.paper.economy, "Pipeline deal signed", access_level=AccessLevel.SUBSCRIBERS
        )
        premium.body = [
            {"type": "paragraph", "value": "<p>The pipeline deal opened quietly.</p>"},
            {"type": "preview_break", "value": None},
            {"type": "paragraph", "value": f"<p>{cls.CANARY}</p>"},
        ]
        premium.save_revision().publish()

    def setUp(self):
        cache.clear()

    def test_premium_hit_is_labelled_and_shows_no_text(self):
        for query in ["pipeline", "zq8", "canary sentence"]:
            response = self.client.get("/search/live/", {"q": query})
            self.assertNotContains(response, "Canary sentence for")
        response = self.client.get("/search/live/", {"q": "pipel"})
        self.assertEqual(hit_headlines(response), ["Pipeline deal signed"])
        self.assertContains(response, 'data-access="subscribers"')
        self.assertContains(response, "badge--premium")
        self.assertNotContains(response, "opened quietly")
