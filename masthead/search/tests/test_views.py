from django.core.cache import cache
from django.test import TestCase

from masthead.content.models import AccessLevel
from masthead.content.tests.factories import make_article, make_paper, translate


def main_part(response) -> str:
    html = response.content.decode()
    return html[html.index('<main id="main"') :]


class HeaderSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        cls.article = make_article(cls.paper.news, "Diplomat defects to the opposition")
        make_article(cls.paper.economy, "Wheat harvest")
        cls.persian = translate(cls.article, cls.paper.persian, title="دیپلمات به مخالفان پیوست")

    def setUp(self):
        cache.clear()

    def test_finds_articles_of_the_edition_by_headline(self):
        response = self.client.get("/search/", {"q": "diplomat"})
        self.assertIn("Diplomat defects to the opposition", main_part(response))
        self.assertNotIn("Wheat harvest", main_part(response))
        self.assertContains(response, 'content="noindex"')

    def test_persian_edition_searches_persian_articles(self):
        response = self.client.get("/fa/search/", {"q": "دیپلمات"})
        self.assertIn("دیپلمات به مخالفان پیوست", main_part(response))
        self.assertNotIn("Diplomat defects", main_part(response))

    def test_no_result(self):
        self.assertContains(self.client.get("/search/", {"q": "zebra"}), "No Result")
        self.assertContains(self.client.get("/fa/search/", {"q": "zebra"}), "نتیجه‌ای یافت نشد")

    def test_bad_input_never_breaks_the_page(self):
        for query in [
            "",
            " ",
            "a" * 1000,
            '"',
            "' OR 1=1 --",
            "%",
            "_",
            "<script>x</script>",
            "🙂",
        ]:
            response = self.client.get("/search/", {"q": query})
            self.assertEqual(response.status_code, 200, query)
            self.assertNotIn("<script>x</script>", response.content.decode())

    def test_results_paginate_and_keep_the_query(self):
        for n in range(13):
            make_article(self.paper.politics, f"Diplomat story {n}")
        response = self.client.get("/search/", {"q": "diplomat"})
        self.assertContains(response, "?q=diplomat&amp;page=2")
        self.assertEqual(
            self.client.get("/search/", {"q": "diplomat", "page": "9"}).status_code, 404
        )

    def test_a_readers_query_never_leaks_into_the_shared_header(self):
        self.client.get("/search/", {"q": "secret words"})
        html = self.client.get("/").content.decode()
        self.assertNotIn("secret words", html)

    def test_switcher_keeps_the_search_in_the_other_edition(self):
        response = self.client.get("/search/", {"q": "iran"})
        self.assertContains(response, 'href="/fa/search/?q=iran" hreflang="fa"')


class PremiumResultTests(TestCase):
    """Results are teasers: a premium article's body never reaches them, preview or gated."""

    OPENING = "The pipeline deal opened quietly."
    CANARY = "Canary sentence for search zq7."

    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        cls.premium = make_article(
            cls.paper.economy, "Pipeline deal signed", access_level=AccessLevel.SUBSCRIBERS
        )
        cls.premium.body = [
            {"type": "paragraph", "value": f"<p>{cls.OPENING}</p>"},
            {"type": "preview_break", "value": None},
            {"type": "paragraph", "value": f"<p>{cls.CANARY}</p>"},
        ]
        cls.premium.save_revision().publish()

    def setUp(self):
        cache.clear()

    def test_premium_result_is_labelled_and_carries_no_body_text(self):
        response = self.client.get("/search/", {"q": "pipeline"})
        results = main_part(response)
        self.assertIn("Pipeline deal signed", results)
        self.assertIn('data-access="subscribers"', results)
        self.assertIn("badge--premium", results)
        self.assertNotIn(self.CANARY, response.content.decode())
        self.assertNotIn(self.OPENING, response.content.decode())

    def test_words_of_the_gated_text_find_nothing(self):
        response = self.client.get("/search/", {"q": "zq7"})
        self.assertContains(response, "No Result")
        self.assertNotContains(response, self.CANARY)
