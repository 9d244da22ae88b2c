"""The search service against the real backend of the test database (SQLite or PostgreSQL)."""

import datetime
from unittest import mock

from django.db import OperationalError
from django.test import TestCase
from django.utils import timezone, translation
from modelsearch.backends.base import OrderByFieldError
from wagtail.contrib.search_promotions.models import Query, SearchPromotion
from wagtail.search.backends import get_search_backend

from masthead.content.models import AccessLevel, ArticleAuthor, ArticlePage
from masthead.content.tests.factories import make_article, make_paper, publish, translate
from masthead.search import services
from masthead.search.services import (
    MAX_QUERY_CHARS,
    SearchFilters,
    clean_query,
    live_search,
    parse_query,
    search_articles,
)
from masthead.subscriptions.access import Reader
from masthead.subscriptions.tests.factories import (
    make_plan,
    make_premium_article,
    make_reader,
    make_subscription,
)

NOBODY = Reader.nobody()

BAD_INPUTS = [
    "",
    " ",
    "\x00",
    "a" * 1000,
    '"',
    '""',
    '"unclosed phrase',
    "'",
    "*",
    "-",
    "OR",
    "AND OR NOT",
    "NEAR(",
    "NEAR(a b)",
    "title:",
    "'; DROP TABLE wagtailcore_page; --",
    "' OR 1=1 --",
    "%",
    "_",
    "\\",
    "()",
    "^",
    "🙂🙂",
    "election 🙂 انتخابات",
    "<script>alert(1)</script>",
    "\ud800",
]


def article(section, title, *, days_ago=1.0, body=(), standfirst="", **fields):
    page = ArticlePage(
        title=title,
        standfirst=standfirst,
        body=[{"type": "paragraph", "value": f"<p>{text}</p>"} for text in body],
        **fields,
    )
    return publish(section, page, at=timezone.now() - datetime.timedelta(days=days_ago))


def titles(results) -> list[str]:
    hits = results.hits if hasattr(results, "hits") else results
    return [hit.article.title for hit in hits]


class QueryTests(TestCase):
    def test_clean_query_trims_cuts_and_drops_control_characters(self):
        self.assertEqual(clean_query("  war \x00 and\tpeace \n"), "war and peace")
        self.assertEqual(len(clean_query("a" * 1000)), MAX_QUERY_CHARS)
        self.assertEqual(clean_query(None), "")
        self.assertEqual(clean_query("می\u200cخواهم"), "می\u200cخواهم")

    def test_parse_query_keeps_words_and_phrases_only(self):
        parsed = parse_query('NEAR( "free press" -war* \'; DROP')
        self.assertEqual(parsed.words, ("NEAR", "war", "DROP"))
        self.assertEqual(parsed.phrases, (("free", "press"),))
        self.assertFalse(parse_query('"*" - ()'))

    def test_parse_query_normalises_persian(self):
        self.assertEqual(parse_query("كتاب ۱۴۰۴").words, ("کتاب", "1404"))


class SearchTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()


class RankingTests(SearchTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        news, economy = cls.paper.news, cls.paper.economy
        cls.body_only_new = article(
            news, "Budget day", days_ago=1, body=["The harvest was poor this year."]
        )
        cls.headline_old = article(economy, "Harvest festival returns", days_ago=300)
        cls.headline_new = article(economy, "A record harvest", days_ago=3)
        article(news, "Nothing to see", days_ago=2, body=["Quiet streets."])

    def test_headline_matches_come_before_body_only_matches(self):
        results = search_articles("harvest", reader=NOBODY, filters=SearchFilters(language="en"))
        self.assertEqual(
            titles(results), ["A record harvest", "Harvest festival returns", "Budget day"]
        )
        self.assertEqual(results.total, 3)

    def test_recency_breaks_ties(self):
        older = article(self.paper.news, "Twin story", days_ago=10, body=["same words here"])
        newer = article(self.paper.news, "Twin story", days_ago=5, body=["same words here"])
        results = search_articles("twin", reader=NOBODY, filters=SearchFilters(language="en"))
        self.assertEqual([h.article.pk for h in results.hits], [newer.pk, older.pk])

    def test_newest_sort_ignores_where_the_word_is(self):
        results = search_articles(
            "harvest", reader=NOBODY, filters=SearchFilters(language="en"), sort="newest"
        )
        self.assertEqual(
            titles(results), ["Budget day", "A record harvest", "Harvest festival returns"]
        )

    def test_exact_phrase_in_quotes(self):
        article(self.paper.news, "Press", body=["The free press is under pressure."])
        article(self.paper.news, "Free", body=["Press releases are free of charge."])
        results = search_articles(
            '"free press"', reader=NOBODY, filters=SearchFilters(language="en")
        )
        self.assertEqual(titles(results), ["Press"])
        loose = search_articles("free press", reader=NOBODY, filters=SearchFilters(language="en"))
        self.assertEqual(sorted(titles(loose)), ["Free", "Press"])

    def test_every_word_must_match(self):
        results = search_articles(
            "harvest festival", reader=NOBODY, filters=SearchFilters(language="en")
        )
        self.assertEqual(titles(results), ["Harvest festival returns"])

    def test_standfirst_authors_tags_and_section_are_searched(self):
        writer = self.paper.writers[0]  # Ada Writer
        page = ArticlePage(title="Plain", standfirst="A zeppelin lands.", body=[])
        page.bylines.add(ArticleAuthor(author=writer))
        page.tags.add("aviation")
        publish(self.paper.politics, page)
        for query in ("zeppelin", "Ada", "aviation", "politics"):
            with self.subTest(query=query):
                found = search_articles(query, reader=NOBODY, filters=SearchFilters(language="en"))
                self.assertIn("Plain", titles(found))

    def test_only_live_articles_of_the_edition(self):
        draft = ArticlePage(title="Harvest draft", live=False)
        self.paper.news.add_child(instance=draft)
        results = search_articles("harvest", reader=NOBODY, filters=SearchFilters(language="fa"))
        self.assertEqual(results.total, 0)
        results = search_articles("harvest", reader=NOBODY, filters=SearchFilters(language="en"))
        self.assertNotIn("Harvest draft", titles(results))


class PersianTests(SearchTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        english = make_article(cls.paper.news, "Book fair")
        # Typed on an Arabic keyboard, with a diacritic, a tatweel and a non-joiner.
        cls.arabic_keyboard = translate(
            english,
            cls.paper.persian,
            title="نمايشگاه كتاب تهران",
            standfirst="مي\u200cخواهم كتابِ خوب بخوانم در سال ١٤٠٤",
            body=[{"type": "paragraph", "value": "<p>ناشرانِ بســيار آمدند.</p>"}],
        )
        cls.persian_keyboard = article(
            cls.arabic_keyboard.get_parent(),
            "بانک مرکزی",
            body=["نرخ ارز در سال ۱۴۰۴ ثابت ماند."],
            locale=cls.paper.persian,
        )

    def fa(self, query, **kwargs):
        return titles(
            search_articles(query, reader=NOBODY, filters=SearchFilters(language="fa"), **kwargs)
        )

    def test_persian_yeh_and_kaf_find_arabic_spelling(self):
        self.assertEqual(self.fa("نمایشگاه کتاب"), ["نمايشگاه كتاب تهران"])
        self.assertEqual(self.fa("نمايشگاه كتاب"), ["نمايشگاه كتاب تهران"])

    def test_zwnj_and_its_absence_are_alike(self):
        self.assertEqual(self.fa("میخواهم"), ["نمايشگاه كتاب تهران"])
        self.assertEqual(self.fa("می\u200cخواهم"), ["نمايشگاه كتاب تهران"])

    def test_diacritics_and_tatweel_are_ignored(self):
        self.assertEqual(self.fa("ناشران بسیار"), ["نمايشگاه كتاب تهران"])
        self.assertEqual(self.fa("كِتاب"), ["نمايشگاه كتاب تهران"])

    def test_digits_of_any_script(self):
        for year in ("1404", "۱۴۰۴", "١٤٠٤"):
            with self.subTest(year=year):
                self.assertEqual(
                    sorted(self.fa(year)), sorted(["نمايشگاه كتاب تهران", "بانک مرکزی"])
                )

    def test_snippet_marks_the_words_as_printed(self):
        results = search_articles("کتاب", reader=NOBODY, filters=SearchFilters(language="fa"))
        self.assertIn("<mark>كتابِ</mark>", results.hits[0].snippet)

    def test_active_language_is_the_default_edition(self):
        with translation.override("fa"):
            self.assertEqual(
                titles(search_articles("تهران", reader=NOBODY)), ["نمايشگاه كتاب تهران"]
            )
        with translation.override("en"):
            self.assertEqual(titles(search_articles("تهران", reader=NOBODY)), [])

    def test_live_search_matches_prefixes_in_either_keyboard(self):
        for typed in ("نمایش", "نمايش", "كتا", "کتا"):
            with self.subTest(typed=typed):
                self.assertEqual(
                    titles(live_search(typed, reader=NOBODY, language="fa")),
                    ["نمايشگاه كتاب تهران"],
                )


class FilterAndPaginationTests(SearchTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        paper = cls.paper
        cls.ada, cls.ben = paper.writers
        cls.in_politics = make_article(
            paper.politics, "Tariff vote", days_ago=400, authors=[cls.ada]
        )
        cls.in_news = make_article(paper.news, "Tariff talk", days_ago=20, authors=[cls.ben])
        cls.in_economy = make_article(paper.economy, "Tariff cut", days_ago=2, authors=[cls.ada])

    def search(self, **filters):
        return titles(
            search_articles(
                "tariff", reader=NOBODY, filters=SearchFilters(language="en", **filters)
            )
        )

    def test_section_includes_sub_sections(self):
        self.assertEqual(self.search(section=self.paper.news.pk), ["Tariff talk", "Tariff vote"])
        self.assertEqual(self.search(section=self.paper.politics.pk), ["Tariff vote"])

    def test_author_in_any_translation(self):
        self.assertEqual(self.search(author=self.ada.pk), ["Tariff cut", "Tariff vote"])
        ada_fa = translate(self.ada, self.paper.persian, title="آدا")
        self.assertEqual(self.search(author=ada_fa.pk), ["Tariff cut", "Tariff vote"])

    def test_year_range(self):
        this_year = self.in_economy.first_published_at.year
        old_year = self.in_politics.first_published_at.year
        self.assertIn("Tariff vote", self.search(year_from=old_year, year_to=old_year))
        self.assertNotIn("Tariff vote", self.search(year_from=old_year + 1))
        self.assertIn("Tariff cut", self.search(year_from=this_year, year_to=this_year))
        self.assertEqual(self.search(year_from=3000), [])

    def test_unknown_filters_find_nothing(self):
        self.assertEqual(self.search(section=999999), [])
        self.assertEqual(self.search(author=999999), [])
        self.assertEqual(
            titles(search_articles("tariff", reader=NOBODY, filters=SearchFilters(language="xx"))),
            [],
        )

    def test_pagination(self):
        for n in range(12):
            make_article(self.paper.news, f"Tariff story {n}", days_ago=30 + n)
        first = search_articles(
            "tariff", reader=NOBODY, filters=SearchFilters(language="en"), per_page=5
        )
        self.assertEqual((first.total, first.pages, first.page, len(first.hits)), (15, 3, 1, 5))
        pages = [
            search_articles(
                "tariff", reader=NOBODY, filters=SearchFilters(language="en"), per_page=5, page=n
            )
            for n in (1, 2, 3)
        ]
        seen = [hit.article.pk for page in pages for hit in page.hits]
        self.assertEqual(len(seen), 15)
        self.assertEqual(len(set(seen)), 15)
        beyond = search_articles(
            "tariff", reader=NOBODY, filters=SearchFilters(language="en"), page=99
        )
        self.assertEqual((beyond.hits, beyond.total), ([], 15))
        for bad_page in (0, -1, "x", None):
            with self.subTest(page=bad_page):
                self.assertEqual(
                    search_articles(
                        "tariff", reader=NOBODY, page=bad_page, filters=SearchFilters(language="en")
                    ).page,
                    1,
                )

    def test_counting_stops_at_the_cap_and_says_so(self):
        for n in range(12):
            make_article(self.paper.news, f"Tariff story {n}", days_ago=30 + n)
        with mock.patch.object(services, "COUNT_CAP", 10):
            capped = search_articles(
                "tariff", reader=NOBODY, filters=SearchFilters(language="en"), per_page=5
            )
            exact = search_articles(
                "cut", reader=NOBODY, filters=SearchFilters(language="en"), per_page=5
            )
        self.assertEqual((capped.total, capped.total_is_estimate, capped.pages), (10, True, 2))
        self.assertEqual(len(capped.hits), 5)
        self.assertEqual((exact.total, exact.total_is_estimate), (1, False))

    def test_walking_newest_first_finds_what_sorting_every_match_finds(self):
        """Many matches are found by walking the articles by date (SQLite), few by sorting
        them all: both give the same articles in the same order, on every page and sort."""
        for n in range(12):
            make_article(self.paper.news, f"Tariff story {n}", days_ago=30 + n)
        make_article(self.paper.news, "Tariff wins the headline", days_ago=900)

        def every_page(sort):
            return [
                [
                    hit.article.title
                    for hit in search_articles(
                        "tariff",
                        reader=NOBODY,
                        filters=SearchFilters(language="en", section=self.paper.news.pk),
                        sort=sort,
                        per_page=4,
                        page=page,
                    ).hits
                ]
                for page in (1, 2, 3, 4)
            ]

        for sort in ("newest", "relevance"):
            with self.subTest(sort=sort):
                with mock.patch.object(services, "DENSE_MATCHES", 10**9):
                    sorted_pages = every_page(sort)
                with mock.patch.object(services, "DENSE_MATCHES", 1):
                    walked_pages = every_page(sort)
                self.assertEqual(walked_pages, sorted_pages)
                self.assertEqual(sum(map(len, walked_pages)), 15)
        self.assertEqual(sorted_pages[0][:2], ["Tariff talk", "Tariff story 0"])

    def test_the_sqlite_backends_query_still_has_the_shape_the_walk_rewrites(self):
        if services._backend_name() != "SQLiteSearchBackend":
            self.skipTest("only SQLite's query is rewritten")
        articles = ArticlePage.objects.live()
        found = services._search(articles, parse_query("tariff"))
        walking = services._walking_newest(found.get_queryset())
        self.assertIsNotNone(walking)
        self.assertIn("CAST(", str(walking.query))
        self.assertEqual(
            [a.pk for a in walking], [a.pk for a in found], "the same matches, newest first"
        )

    def test_both_editions(self):
        economy_fa = translate(self.paper.economy, self.paper.persian, title="اقتصاد")
        translated = translate(self.in_economy, self.paper.persian, title="Tariff کاهش")
        self.assertEqual(translated.get_parent().pk, economy_fa.pk)

        def search(language, **filters):
            with translation.override("fa"):
                return titles(
                    search_articles(
                        "tariff",
                        reader=NOBODY,
                        filters=SearchFilters(language=language, **filters),
                        sort="newest",
                    )
                )

        self.assertEqual(search("en"), ["Tariff cut", "Tariff talk", "Tariff vote"])
        self.assertEqual(search(None), ["Tariff کاهش"])
        self.assertEqual(
            sorted(search("all")),
            sorted(["Tariff cut", "Tariff کاهش", "Tariff talk", "Tariff vote"]),
        )
        # A section or an author means its translations too.
        self.assertEqual(
            sorted(search("all", section=self.paper.economy.pk)), ["Tariff cut", "Tariff کاهش"]
        )
        self.assertEqual(sorted(search("all", author=self.ben.pk)), ["Tariff talk"])

    def test_both_editions_promote_from_the_active_edition(self):
        query = Query.get("tariff")
        SearchPromotion.objects.create(query=query, page=self.in_news, sort_order=0)
        with translation.override("en"):
            results = search_articles(
                "tariff", reader=NOBODY, filters=SearchFilters(language="all")
            )
        self.assertEqual(results.promoted, [self.in_news])
        with translation.override("fa"):
            results = search_articles(
                "tariff", reader=NOBODY, filters=SearchFilters(language="all")
            )
        self.assertEqual(results.promoted, [])
        self.assertEqual(results.total, 3)

    def test_the_index_holds_the_printed_words_only(self):
        article = make_article(self.paper.economy, "Grain report")
        article.body = [
            {
                "type": "paragraph",
                "value": "<p>Silos <b>emptied</b>&nbsp;fast</p><p>Bakers&amp;millers</p>",
            },
            {"type": "heading", "value": {"text": "Outlook", "level": "h3"}},
            {"type": "quote", "value": {"text": "Rain", "attribution": "Farmer Jones"}},
        ]
        article.save_revision().publish()
        text = ArticlePage.objects.get(pk=article.pk).search_body()
        for word in ("Silos emptied", "fast", "Bakers&millers", "Outlook", "Farmer Jones"):
            self.assertIn(word, text)
        self.assertNotIn("Subheading", text)  # the heading's level is not a word of it

        def found(word):
            return titles(
                search_articles(word, reader=NOBODY, filters=SearchFilters(language="en"))
            )

        self.assertIn("Grain report", found("farmer"))
        self.assertNotIn("Grain report", found("subheading"))

    def test_snippets_read_headings_and_quotations_as_sentences(self):
        article = make_article(self.paper.economy, "Bread queues")
        article.body = [
            {"type": "paragraph", "value": "<p>Bakeries closed early</p>"},
            {"type": "heading", "value": {"text": "Background", "level": "h2"}},
            {"type": "quote", "value": {"text": "Flour ran out", "attribution": "A baker"}},
            {"type": "paragraph", "value": "<p>Sourdough waits.</p>"},
        ]
        article.save_revision().publish()
        hit = search_articles("sourdough", reader=NOBODY, filters=SearchFilters(language="en"))
        self.assertIn(
            "early. Background. Flour ran out — A baker. <mark>Sourdough</mark> waits.",
            hit.hits[0].snippet,
        )
        self.assertNotIn("Heading", hit.hits[0].snippet)

    def test_a_match_outside_the_text_says_where_it_matched(self):
        make_article(
            self.paper.economy, "Harvest report", tags=["Saffron trade"], authors=[self.ben]
        )
        hits = search_articles("saffron", reader=NOBODY, filters=SearchFilters(language="en")).hits
        self.assertEqual([hit.article.title for hit in hits], ["Harvest report"])
        self.assertTrue(hits[0].snippet.startswith("What Harvest report is about."))
        self.assertIn("· Tags: <mark>Saffron</mark> trade", hits[0].snippet)
        by_author = search_articles(
            self.ben.title.split()[0], reader=NOBODY, filters=SearchFilters(language="en")
        ).hits
        self.assertTrue(by_author)
        self.assertTrue(all("By: <mark>" in hit.snippet for hit in by_author))

    def test_editors_picks_follow_the_filters(self):
        query = Query.get("tariff")
        SearchPromotion.objects.create(query=query, page=self.in_news, sort_order=0)
        SearchPromotion.objects.create(query=query, page=self.paper.about, sort_order=1)

        def picks(**filters):
            with translation.override("en"):
                return search_articles(
                    "tariff", reader=NOBODY, filters=SearchFilters(language="en", **filters)
                ).promoted

        self.assertEqual(picks(), [self.in_news, self.paper.about])
        # Narrowed to the section it is in: the article stays, the page without one goes.
        self.assertEqual(picks(section=self.paper.news.pk), [self.in_news])
        self.assertEqual(picks(section=self.paper.economy.pk), [])
        year = self.in_news.first_published_at.year
        self.assertEqual(picks(year_from=year + 1), [])
        self.assertEqual(picks(year_from=year, year_to=year), [self.in_news])

    def test_hits_carry_section_and_lead_image(self):
        hit = search_articles("vote", reader=NOBODY, filters=SearchFilters(language="en")).hits[0]
        self.assertEqual(hit.article.section_page, self.paper.politics)
        self.assertIsInstance(hit.article, ArticlePage)


class BadInputTests(SearchTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        article(cls.paper.news, "Election night", body=["Polls close at eight."])

    def test_bad_input_returns_empty_without_error(self):
        for raw in BAD_INPUTS:
            with self.subTest(raw=raw[:20]):
                results = search_articles(raw, reader=NOBODY, filters=SearchFilters(language="en"))
                self.assertLessEqual(len(results.query), MAX_QUERY_CHARS)
                self.assertEqual(results.hits, [])
                self.assertEqual(live_search(raw, reader=NOBODY, language="en"), [])

    def test_syntax_around_a_real_word_still_finds_it(self):
        for raw in (
            'election"',
            "election*",
            "-election",
            "(election)",
            "election:",
            "election^",
            "election 🙂",
        ):
            with self.subTest(raw=raw):
                found = search_articles(raw, reader=NOBODY, filters=SearchFilters(language="en"))
                self.assertEqual(titles(found), ["Election night"])

    def test_the_backends_own_errors_give_empty_results_and_a_warning(self):
        backend = type(get_search_backend())
        for error in (
            OrderByFieldError("cannot order", field_name="title"),
            OperationalError("fts5: syntax error"),
        ):
            with self.subTest(error=type(error).__name__):
                with (
                    mock.patch.object(backend, "search", side_effect=error),
                    mock.patch.object(backend, "autocomplete", side_effect=error),
                    # PostgreSQL's search table is read without the backend.
                    mock.patch.object(services, "_matching", side_effect=error),
                    mock.patch.object(services, "_prefix_matching", side_effect=error),
                    self.assertLogs("masthead.search.services", "WARNING"),
                ):
                    results = search_articles(
                        "election", reader=NOBODY, filters=SearchFilters(language="en")
                    )
                    self.assertEqual((results.hits, results.total), ([], 0))
                    self.assertEqual(live_search("elec", reader=NOBODY, language="en"), [])
        # And once the backend answers again, so does search.
        found = search_articles("election", reader=NOBODY, filters=SearchFilters(language="en"))
        self.assertEqual(titles(found), ["Election night"])

    def test_markup_in_the_query_is_escaped_in_snippets(self):
        make_article(self.paper.news, "Script <b>tags</b>")
        hit = search_articles("script", reader=NOBODY, filters=SearchFilters(language="en")).hits[0]
        self.assertNotIn("<b>", hit.snippet)


class PromotionTests(SearchTestCase):
    def test_promoted_pages_for_the_query_on_the_first_page(self):
        make_article(self.paper.news, "Election night")
        pinned = make_article(self.paper.economy, "Our election guide")
        SearchPromotion.objects.create(query=Query.get("Election"), page=pinned, sort_order=0)
        results = search_articles("election", reader=NOBODY, filters=SearchFilters(language="en"))
        self.assertEqual([p.pk for p in results.promoted], [pinned.pk])
        second = search_articles(
            "election", reader=NOBODY, filters=SearchFilters(language="en"), page=2, per_page=1
        )
        self.assertEqual(second.promoted, [])
        persian = search_articles("election", reader=NOBODY, filters=SearchFilters(language="fa"))
        self.assertEqual(persian.promoted, [])


CANARY = "The canary zanzibarite sings after the marker."


class PaywallTests(SearchTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.premium = make_premium_article(
            cls.paper.news, "Pipeline deal", secret=CANARY, level=AccessLevel.SUBSCRIBERS
        )
        cls.subscriber = make_reader("subscriber")
        make_subscription(cls.subscriber, make_plan())
        cls.registered = make_reader("registered")

    def snippets(self, query, reader):
        results = search_articles(query, reader=reader, filters=SearchFilters(language="en"))
        live = live_search(query, reader=reader, language="en")
        return [str(h.snippet) for h in [*results.hits, *live]]

    def test_canary_never_in_a_snippet_for_readers_without_access(self):
        for reader in (
            NOBODY,
            Reader(user=self.registered),
            Reader(visitor_id="v1", ip="10.0.0.1"),
        ):
            for query in ("pipeline", "zanzibarite", '"canary zanzibarite"', "third"):
                with self.subTest(reader=reader, query=query):
                    for snippet in self.snippets(query, reader):
                        self.assertNotIn("zanzibarite", snippet)
                        self.assertNotIn("canary", snippet)
                        self.assertNotIn("third", snippet)

    def test_a_gated_word_finds_the_article_with_its_preview_only(self):
        results = search_articles(
            "zanzibarite", reader=NOBODY, filters=SearchFilters(language="en")
        )
        self.assertEqual(titles(results), ["Pipeline deal"])
        self.assertIn("free opening", results.hits[0].snippet)

    def test_subscriber_sees_the_canary_in_the_snippet(self):
        snippet = self.snippets("zanzibarite", Reader(user=self.subscriber))[0]
        self.assertIn("<mark>zanzibarite</mark>", snippet)

    def test_search_spends_no_meter_read(self):
        from masthead.subscriptions.models import MeteredRead

        search_articles(
            "zanzibarite", reader=Reader(visitor_id="v2"), filters=SearchFilters(language="en")
        )
        self.assertFalse(MeteredRead.objects.exists())
