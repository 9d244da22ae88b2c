import re
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import OperationalError
from django.test import TestCase, override_settings
from wagtail.contrib.search_promotions.models import Query, SearchPromotion

from masthead.content.models import AccessLevel
from masthead.content.tests.factories import make_article, make_image, make_paper, translate
from masthead.search import entries, services


def main_part(response) -> str:
    html = response.content.decode()
    return html[html.index('<main id="main"') :]


def headlines(response) -> list[str]:
    """The headlines of the results (promoted first), in page order."""
    return re.findall(
        r'class="search-result__headline"><a href="[^"]*">([^<]*)</a>', main_part(response)
    )


class ResultsPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        ada, ben = cls.paper.writers
        image = make_image("Lead")
        cls.article = make_article(
            cls.paper.news, "Diplomat defects to the opposition", authors=[ada], image=image
        )
        cls.wheat = make_article(cls.paper.economy, "Wheat harvest", authors=[ben])
        cls.returns = make_article(
            cls.paper.politics, "Diplomat returns home", days_ago=400, authors=[ben]
        )
        cls.old = make_article(cls.paper.economy, "Diplomat sells wheat", days_ago=365 * 8)
        cls.persian = translate(
            cls.article,
            cls.paper.persian,
            title="دیپلمات به مخالفان پیوست",
            standfirst="یک دیپلمات کارکشته به مخالفان پیوست.",
            body=[{"type": "paragraph", "value": "<p>دیپلمات پیشین سفارت در تهران.</p>"}],
        )

    def setUp(self):
        cache.clear()

    def test_finds_articles_of_the_edition_with_picture_section_and_date(self):
        response = self.client.get("/search/", {"q": "diplomat"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            sorted(headlines(response)),
            ["Diplomat defects to the opposition", "Diplomat returns home", "Diplomat sells wheat"],
        )
        results = main_part(response)
        self.assertIn('class="search-result__section" href="/news/"', results)
        self.assertRegex(
            results, r'<time class="search-result__date" datetime="[^"]+">\w+ \d+, \d{4}'
        )
        self.assertRegex(
            results, r'class="search-result__image"[^>]*>\s*<img[^>]+src="[^"]+fill-160x100'
        )
        self.assertContains(response, 'content="noindex"')
        self.assertIn("private", response["Cache-Control"])

    def test_snippets_mark_the_query_words(self):
        response = self.client.get("/search/", {"q": "returns"})
        self.assertRegex(
            main_part(response), r'class="search-result__snippet">[^<]*<mark>returns</mark>'
        )
        # The reader's words are escaped, never trusted as markup.
        response = self.client.get("/search/", {"q": "<mark>diplomat</mark>"})
        self.assertContains(response, 'value="&lt;mark&gt;diplomat&lt;/mark&gt;"')
        self.assertNotContains(response, "<mark>diplomat</mark>")

    def test_the_query_stays_in_the_box(self):
        response = self.client.get("/search/", {"q": "  diplomat   home "})
        self.assertContains(response, 'name="q" value="diplomat home"')
        long = self.client.get("/search/", {"q": "a" * 1000})
        self.assertEqual(re.findall(r'name="q" value="(a*)"', main_part(long)), ["a" * 200])

    def test_persian_edition_finds_persian_articles_typed_with_arabic_letters(self):
        # ي and ك, as an Arabic keyboard types them, for the Persian ی and ک.
        response = self.client.get("/fa/search/", {"q": "كاركشته"})
        self.assertEqual(headlines(response), ["دیپلمات به مخالفان پیوست"])
        self.assertIn('href="/fa/news/', main_part(response))
        self.assertIn("<mark>", main_part(response))
        self.assertRegex(main_part(response), r'class="search-result__date"[^>]*>[^<]*[۰-۹]')
        response = self.client.get("/fa/search/", {"q": "دیپلمات"})
        self.assertEqual(headlines(response), ["دیپلمات به مخالفان پیوست"])

    def test_no_result_in_both_editions(self):
        self.assertContains(self.client.get("/search/", {"q": "zebra"}), "No Result")
        self.assertContains(self.client.get("/fa/search/", {"q": "zebra"}), "نتیجه‌ای یافت نشد")

    def test_section_filter_takes_in_sub_sections(self):
        response = self.client.get("/search/", {"q": "diplomat", "section": self.paper.news.pk})
        self.assertEqual(
            sorted(headlines(response)),
            ["Diplomat defects to the opposition", "Diplomat returns home"],
        )
        self.assertContains(response, f'<option value="{self.paper.news.pk}" selected>')
        # Only the edition's sections are offered; sub-sections stand under their parent.
        self.assertContains(response, "— Politics")
        persian = self.client.get("/fa/search/", {"q": "x"})
        self.assertNotContains(persian, "— Politics")

    def test_the_filters_in_force_are_listed_each_with_a_way_to_lift_it(self):
        ben = self.paper.writers[1]
        year = self.returns.first_published_at.year
        response = self.client.get(
            "/search/",
            {"q": "diplomat", "section": self.paper.news.pk, "author": ben.pk, "year_from": year},
        )
        applied = re.findall(
            r'class="search-applied__filter" href="([^"]+)">([^<]+) <', main_part(response)
        )
        news, author = self.paper.news.pk, ben.pk
        self.assertEqual(
            applied,
            [
                (
                    f"?q=diplomat&amp;author={author}&amp;year_from={year}",
                    "Section: What&#x27;s the News",
                ),
                (f"?q=diplomat&amp;section={news}&amp;year_from={year}", f"Author: {ben.title}"),
                (f"?q=diplomat&amp;section={news}&amp;author={author}", f"From {year}"),
            ],
        )
        # Lifting one filter keeps the others.
        lifted = self.client.get(f"/search/?q=diplomat&author={author}&year_from={year}")
        self.assertEqual(headlines(lifted), ["Diplomat returns home"])
        self.assertNotIn("search-applied", main_part(self.client.get("/search/?q=diplomat")))

    def test_view_all_after_a_few_letters_shows_what_live_search_showed(self):
        live = self.client.get("/search/live/", {"q": "diplo"}).content.decode()
        shown = re.findall(r"Diplomat [a-z ]+", live)
        self.assertTrue(shown)
        response = self.client.get("/search/", {"q": "diplo"})
        self.assertNotContains(response, "No Result")
        self.assertContains(response, "these headlines have words that start with it")
        self.assertEqual(
            sorted(headlines(response)),
            ["Diplomat defects to the opposition", "Diplomat returns home", "Diplomat sells wheat"],
        )
        self.assertIn("<mark>Diplomat</mark>", main_part(response))
        # A whole word found is not a prefix search.
        self.assertNotContains(self.client.get("/search/", {"q": "diplomat"}), "start with it")

    def test_did_you_mean_offers_a_near_query_that_finds_articles(self):
        response = self.client.get("/search/", {"q": "diplomta", "section": self.paper.news.pk})
        self.assertContains(response, "No Result")
        self.assertContains(
            response,
            f'Did you mean <a href="?q=diplomat&amp;section={self.paper.news.pk}">diplomat</a>?',
        )
        self.assertEqual(
            len(headlines(self.client.get(f"/search/?q=diplomat&section={self.paper.news.pk}"))), 2
        )
        # Nothing is offered when the near word finds nothing under the filters either.
        response = self.client.get("/search/", {"q": "wheta", "section": self.paper.news.pk})
        self.assertNotContains(response, "Did you mean")
        self.assertNotContains(self.client.get("/search/", {"q": "zebra"}), "Did you mean")
        persian = self.client.get("/fa/search/", {"q": "دیپلمت"})
        self.assertContains(persian, "دیپلمات</a>")

    def test_author_filter(self):
        ben = self.paper.writers[1]
        response = self.client.get("/search/", {"q": "diplomat", "author": ben.pk})
        self.assertEqual(headlines(response), ["Diplomat returns home"])

    def test_year_range_and_years_the_wrong_way_round(self):
        this_year = self.article.first_published_at.year
        old_year = self.old.first_published_at.year
        response = self.client.get(
            "/search/", {"q": "diplomat", "year_from": old_year, "year_to": old_year}
        )
        self.assertEqual(headlines(response), ["Diplomat sells wheat"])
        swapped = self.client.get(
            "/search/", {"q": "diplomat", "year_from": this_year, "year_to": old_year}
        )
        self.assertEqual(len(headlines(swapped)), 3)
        self.assertContains(swapped, "wrong way round")
        self.assertContains(swapped, f'<option value="{old_year}" selected>')

    def test_persian_edition_filters_by_solar_hijri_years_in_persian_digits(self):
        from masthead.archive.calendars import SOLAR_HIJRI

        year = SOLAR_HIJRI.from_gregorian(self.persian.first_published_at.date())[0]
        digits = str(year).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
        response = self.client.get("/fa/search/", {"q": "دیپلمات", "year_from": digits})
        self.assertContains(response, f'<option value="{year}" selected>{digits}</option>')
        self.assertContains(response, '<option value="1349">۱۳۴۹</option>')  # the founding year
        self.assertNotContains(response, '<option value="2020"')
        self.assertEqual(headlines(response), ["دیپلمات به مخالفان پیوست"])
        earlier = self.client.get("/fa/search/", {"q": "دیپلمات", "year_to": year - 1})
        self.assertContains(earlier, "نتیجه‌ای یافت نشد")

    def test_edition_filter(self):
        response = self.client.get("/search/", {"q": "دیپلمات", "edition": "fa"})
        self.assertEqual(headlines(response), ["دیپلمات به مخالفان پیوست"])
        # A hit from the other edition is marked up in its own language and direction.
        self.assertContains(response, '<li class="search-result" lang="fa" dir="rtl"')
        english = self.client.get("/search/", {"q": "returns"})
        self.assertNotContains(english, 'class="search-result" lang=')
        response = self.client.get("/fa/search/", {"q": "returns", "edition": "en"})
        self.assertEqual(headlines(response), ["Diplomat returns home"])

    def test_both_editions(self):
        for prefix in ("", "/fa"):
            response = self.client.get(f"{prefix}/search/", {"q": "دیپلمات diplomat"})
            self.assertContains(response, '<option value="all">')
        # The Persian headline and an English article that holds the Persian word.
        make_article(self.paper.news, "Diplomat دیپلمات abroad")
        response = self.client.get("/search/", {"q": "دیپلمات", "edition": "all"})
        self.assertEqual(
            sorted(headlines(response)),
            sorted(["دیپلمات به مخالفان پیوست", "Diplomat دیپلمات abroad"]),
        )
        self.assertContains(response, '<option value="all" selected>')
        self.assertContains(response, "edition=all")
        response = self.client.get("/search/", {"q": "دیپلمات"})
        self.assertEqual(headlines(response), ["Diplomat دیپلمات abroad"])

    def test_more_results_than_counted(self):
        with mock.patch.object(services, "COUNT_CAP", 2):
            response = self.client.get("/search/", {"q": "diplomat"})
            persian = self.client.get("/fa/search/", {"q": "diplomat", "edition": "en"})
        self.assertContains(response, "More than 2 results for “diplomat”")
        # The page still shows every hit it has: only the count stopped.
        self.assertEqual(len(headlines(response)), 3)
        self.assertContains(persian, "بیش از ۲ نتیجه برای «diplomat»")

    def test_a_failing_search_backend_still_answers(self):
        from wagtail.search.backends import get_search_backend

        backend = type(get_search_backend())
        with (
            mock.patch.object(backend, "search", side_effect=OperationalError("fts5: boom")),
            mock.patch.object(backend, "autocomplete", side_effect=OperationalError("fts5")),
            # PostgreSQL's search table is read without the backend (search/entries.py).
            mock.patch.object(services, "_matching", side_effect=OperationalError("boom")),
            mock.patch.object(services, "_prefix_matching", side_effect=OperationalError("x")),
            self.assertLogs("masthead.search.services", "WARNING"),
        ):
            response = self.client.get("/search/", {"q": "diplomat"})
            live = self.client.get("/search/live/", {"q": "dipl"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "No Result")
        self.assertEqual(live.status_code, 200)

    def test_sort_newest_first(self):
        response = self.client.get("/search/", {"q": "diplomat", "sort": "newest"})
        self.assertEqual(
            headlines(response),
            ["Diplomat defects to the opposition", "Diplomat returns home", "Diplomat sells wheat"],
        )
        self.assertContains(response, '<option value="newest" selected>')

    def test_ranking_puts_headline_matches_first(self):
        response = self.client.get("/search/", {"q": "wheat"})
        self.assertEqual(headlines(response)[0], "Wheat harvest")

    def test_pagination_keeps_every_parameter(self):
        for n in range(13):
            make_article(self.paper.politics, f"Diplomat story {n}")
        params = {"q": "diplomat", "section": self.paper.news.pk, "sort": "newest"}
        response = self.client.get("/search/", params)
        self.assertEqual(len(headlines(response)), 10)
        expected = f"?q=diplomat&amp;section={self.paper.news.pk}&amp;sort=newest&amp;page=2"
        self.assertContains(response, f'rel="next" href="{expected}"')
        second = self.client.get("/search/", {**params, "page": "2"})
        self.assertEqual(len(headlines(second)), 5)
        self.assertContains(second, 'rel="prev" href="?q=diplomat&amp;section=')
        self.assertNotContains(second, 'rel="next"')
        self.assertContains(second, 'start="11"')
        # As every listing of the site: a page past the end, or no page at all, is not found.
        for page in ["3", "0", "-1", "two", "99999999999999999999"]:
            response = self.client.get("/search/", {**params, "page": page})
            self.assertEqual(response.status_code, 404, page)

    def test_bad_input_never_breaks_the_page(self):
        for params in [
            {"q": ""},
            {"q": " "},
            {"q": "a" * 1000},
            {"q": '"'},
            {"q": "'"},
            {"q": '"unclosed phrase'},
            {"q": "' OR 1=1 --"},
            {"q": "'; DROP TABLE wagtailcore_page; --"},
            {"q": "diplomat NEAR( wheat"},
            {"q": "* - OR AND NOT ( ) : ^"},
            {"q": "%"},
            {"q": "_"},
            {"q": "\x00diplomat\x1f"},
            {"q": "<script>x</script>"},
            {"q": "🙂 دیپلمات diplomat"},
            {"q": "diplomat", "section": "99999"},
            {"q": "diplomat", "section": "news"},
            {"q": "diplomat", "author": "-3"},
            {"q": "diplomat", "year_from": "nineteen", "year_to": "1e9"},
            {"q": "diplomat", "year_from": "99999999999"},
            {"q": "diplomat", "edition": "de"},
            {"q": "diplomat", "sort": "random"},
        ]:
            for prefix in ["", "/fa"]:
                response = self.client.get(f"{prefix}/search/", params)
                self.assertEqual(response.status_code, 200, params)
                self.assertNotIn("<script>x</script>", response.content.decode())

    def test_unknown_filters_are_dropped(self):
        response = self.client.get(
            "/search/", {"q": "diplomat", "section": "99999", "author": "x", "year_to": "abc"}
        )
        self.assertEqual(len(headlines(response)), 3)

    def test_a_readers_query_never_leaks_into_the_shared_header(self):
        self.client.get("/search/", {"q": "secret words"})
        html = self.client.get("/").content.decode()
        self.assertNotIn("secret words", html)

    def test_switcher_keeps_the_search_in_the_other_edition(self):
        response = self.client.get("/search/", {"q": "iran", "sort": "newest"})
        self.assertContains(response, 'href="/fa/search/?q=iran&amp;sort=newest" hreflang="fa"')

    def test_the_header_box_submits_to_the_results_page_and_names_the_live_endpoint(self):
        html = self.client.get("/fa/").content.decode()
        self.assertIn('action="/fa/search/" method="get" data-live-url="/fa/search/live/"', html)
        self.assertIn('<script src="/static/js/search.js" defer>', html)

    def test_query_count_is_pinned(self):
        for n in range(12):
            make_article(self.paper.politics, f"Diplomat story {n}", image=make_image(f"P{n}"))
        self.client.get("/search/", {"q": "diplomat"})  # warm the chrome and renditions
        ContentType.objects.clear_cache()
        # Sections and authors for the filters, the site, the edition's locale, the content
        # type (once per process), the count of matches (up to its cap), the search, the
        # hits with pictures, their renditions and sections, and the editors' picks; and
        # three to count the search for the popular terms (the term, today's row, +1).
        # PostgreSQL's search table needs no content type (search/entries.py), and counts
        # with its planner settings set in a savepoint rolled back after (services.
        # _bitmap_scans): the savepoint, the settings, the rollback and the release (in a
        # request outside a transaction, only the settings).
        with self.assertNumQueries(17 if entries.in_use() else 14):
            response = self.client.get("/search/", {"q": "diplomat"})
        self.assertEqual(len(headlines(response)), 10)


class PromotionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        cls.wheat = make_article(cls.paper.economy, "Wheat harvest", days_ago=1)
        cls.older = make_article(cls.paper.economy, "Bread and wheat prices", days_ago=30)
        cls.guide = make_article(cls.paper.economy, "Our farming guide", days_ago=60)
        query = Query.get("wheat")
        SearchPromotion.objects.create(query=query, page=cls.guide, sort_order=0)
        SearchPromotion.objects.create(query=query, page=cls.older, sort_order=1)

    def setUp(self):
        cache.clear()

    def test_editors_picks_come_first_and_are_not_listed_twice(self):
        response = self.client.get("/search/", {"q": "Wheat"})
        self.assertEqual(
            headlines(response), ["Our farming guide", "Bread and wheat prices", "Wheat harvest"]
        )
        self.assertContains(response, "search-result--promoted", count=2)
        self.assertContains(response, "Editors’ pick")

    def test_editors_picks_only_on_the_first_page(self):
        for n in range(12):
            make_article(self.paper.economy, f"Wheat story {n}")
        second = self.client.get("/search/", {"q": "wheat", "page": "2"})
        self.assertNotContains(second, "search-result--promoted")


class RateLimitTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()

    def setUp(self):
        cache.clear()

    @override_settings(MASTHEAD_SEARCH_RATE_LIMIT=(3, 60))
    def test_searches_past_the_limit_are_refused_in_the_readers_language(self):
        for _ in range(3):
            self.assertEqual(self.client.get("/search/", {"q": "x"}).status_code, 200)
        refused = self.client.get("/search/", {"q": "x"})
        self.assertEqual(refused.status_code, 429)
        self.assertEqual(refused["Retry-After"], "60")
        self.assertIn("no-store", refused["Cache-Control"])
        self.assertContains(refused, "Too many searches", status_code=429)
        persian = self.client.get("/fa/search/", {"q": "x"})
        self.assertEqual(persian.status_code, 429)
        self.assertContains(persian, 'lang="fa"', status_code=429)
        self.assertContains(persian, "جست‌وجوهای زیاد", status_code=429)
        # Another address has its own count; live search has its own too.
        other = self.client.get("/search/", {"q": "x"}, REMOTE_ADDR="192.0.2.9")
        self.assertEqual(other.status_code, 200)
        self.assertEqual(self.client.get("/search/live/", {"q": "xy"}).status_code, 200)


class PremiumResultTests(TestCase):
    """A snippet quotes only what the reader may read: the free preview, never past it."""

    OPENING = "The pipeline deal opened quietly."
    CANARY = "Canary sentence for search zq7 pipeline."

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

    def test_premium_result_is_labelled_and_never_quotes_the_gated_text(self):
        for query in ["pipeline", "zq7", "canary sentence", '"search zq7"', "quietly"]:
            for prefix in ["", "/fa"]:
                response = self.client.get(f"{prefix}/search/", {"q": query})
                self.assertNotIn("Canary sentence for", response.content.decode(), query)
        response = self.client.get("/search/", {"q": "pipeline"})
        results = main_part(response)
        self.assertIn("Pipeline deal signed", results)
        self.assertIn('data-access="subscribers"', results)
        self.assertIn("badge--premium", results)
        self.assertIn("<mark>pipeline</mark> deal opened quietly", results)

    def test_an_entitled_reader_gets_snippets_from_the_whole_article(self):
        staff = get_user_model().objects.create_user(
            "editor", "editor@example.org", "pw", is_staff=True
        )
        self.client.force_login(staff)
        response = self.client.get("/search/", {"q": "zq7"})
        self.assertIn("Canary sentence for search <mark>zq7</mark>", main_part(response))


class PopularTermsTests(TestCase):
    def test_each_search_is_counted_once_for_the_editors(self):
        make_paper()
        self.client.get("/search/", {"q": "Diplomat"})
        self.client.get("/search/", {"q": "diplomat"})
        self.client.get("/search/", {"q": ""})
        self.assertEqual(Query.get("diplomat").hits, 2)
        self.assertEqual(Query.objects.count(), 1)


def test_persian_names_sort_in_dictionary_order():
    from masthead.search.views import alphabetical

    names = ["مینا", "کاوه", "بیژن", "پرویز", "Ada", "شیرین", "ژاله", "گلی", "چنگیز"]
    assert sorted(names, key=alphabetical) == [
        "بیژن",
        "پرویز",
        "چنگیز",
        "ژاله",
        "شیرین",
        "کاوه",
        "گلی",
        "مینا",
        "Ada",
    ]
