"""How PostgreSQL's search table is queried: phrases checked last, one pass to count and
order few matches, planner settings that end with the search (services.py)."""

import datetime
import unittest
from unittest import mock

from django.db import connection
from django.db.models import Q
from django.test import TestCase
from django.utils import timezone

from masthead.content.models import ArticlePage
from masthead.content.tests.factories import make_paper, publish
from masthead.search import entries, services
from masthead.search.services import SearchFilters, live_search, parse_query, search_articles
from masthead.subscriptions.access import Reader

NOBODY = Reader.nobody()


def article(section, title, body: str, *, days_ago: float) -> ArticlePage:
    page = ArticlePage(title=title, body=[{"type": "paragraph", "value": f"<p>{body}</p>"}])
    return publish(section, page, at=timezone.now() - datetime.timedelta(days=days_ago))


@unittest.skipUnless(entries.in_use(), "the search table is PostgreSQL's only")
class PhraseTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        news = cls.paper.news
        # Seven articles with the phrase in the body, and between them (by date) many that
        # hold both words apart: candidates the full-text index cannot tell from matches.
        cls.phrase = []
        for n in range(7):
            cls.phrase.append(
                article(news, f"Rates note {n}", "The central bank held rates.", days_ago=n * 3)
            )
            for k in (1, 2):
                article(
                    news,
                    f"Decoy {n}.{k}",
                    "The bank stood near the central square.",
                    days_ago=n * 3 + k,
                )

    def entries(self):
        return services._searchable(Q(locale_id=self.paper.english.pk))

    def test_live_search_finds_body_phrases_newest_first(self):
        hits = live_search('"central bank"', reader=NOBODY, language="en")
        self.assertEqual(
            [hit.article.pk for hit in hits], [a.pk for a in self.phrase[:5]], "five, newest first"
        )

    def test_checking_phrases_last_gives_every_slice_the_full_check_gives(self):
        query = parse_query('"central bank"')
        every = list(services._matches_first(services._search(self.entries(), query)))
        self.assertEqual([e.pk for e in every], [a.pk for a in self.phrase])
        for start, stop in ((0, 1), (0, 5), (2, 4), (5, 10), (7, 9)):
            with self.subTest(start=start, stop=stop):
                found = services._phrases_checked_last(self.entries(), query, start, stop)
                self.assertEqual([e.pk for e in found], [e.pk for e in every[start:stop]])

    def test_phrases_with_other_words_and_stop_words(self):
        query = parse_query('rates "the central bank"')
        found = services._phrases_checked_last(self.entries(), query, 0, 10)
        self.assertEqual([e.pk for e in found], [a.pk for a in self.phrase])
        query = parse_query('"bank central"')
        self.assertEqual(services._phrases_checked_last(self.entries(), query, 0, 10), [])

    def test_a_count_of_few_matches_carries_their_ids_newest_first(self):
        matches = services._count(self.entries(), parse_query('"central bank"'))
        self.assertEqual((matches.total, matches.capped), (7, False))
        self.assertEqual(matches.newest_ids, tuple(a.pk for a in self.phrase))
        with mock.patch.object(services, "DENSE_MATCHES", 7):  # as many as that: not few
            matches = services._count(self.entries(), parse_query('"central bank"'))
        self.assertEqual((matches.total, matches.newest_ids), (7, None))
        with mock.patch.object(services, "COUNT_CAP", 5):
            matches = services._count(self.entries(), parse_query("bank"))
        self.assertEqual((matches.total, matches.capped), (5, True))

    def test_pages_are_the_same_whether_the_count_gave_the_ids_or_not(self):
        def every_page(query, sort):
            pages = []
            for page in (1, 2, 3, 4):
                results = search_articles(
                    query,
                    reader=NOBODY,
                    filters=SearchFilters(language="en"),
                    sort=sort,
                    per_page=3,
                    page=page,
                )
                pages.append([hit.article.pk for hit in results.hits])
            return results.total, pages

        for query in ('"central bank"', "bank", "central rates"):
            for sort in ("relevance", "newest"):
                with self.subTest(query=query, sort=sort):
                    known = every_page(query, sort)  # ids from the count
                    with mock.patch.object(services, "DENSE_MATCHES", 1):
                        matched_again = every_page(query, sort)  # the text tested again
                    self.assertEqual(known, matched_again)
                    self.assertGreater(known[0], 0)
        total, pages = every_page('"central bank"', "newest")
        self.assertEqual(total, 7)
        self.assertEqual(sum(pages, []), [a.pk for a in self.phrase])


@unittest.skipUnless(entries.in_use(), "the search table is PostgreSQL's only")
class PlannerSettingsTests(TestCase):
    def setting(self, name: str) -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting(%s)", [name])
            return cursor.fetchone()[0]

    def test_the_count_is_planned_on_the_full_text_index(self):
        query = services._tsquery(parse_query("bank"), entries.CONFIG)
        found = services._searchable().filter(document=query).order_by()[: services.COUNT_CAP]
        sql, params = found.query.sql_with_params()
        with services._bitmap_scans(), connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        self.assertIn("Bitmap Index Scan on search_entry_document", plan)
        self.assertNotIn("Seq Scan", plan)

    def test_the_settings_end_with_the_search(self):
        paper = make_paper()
        article(paper.news, "Budget", "The central bank held rates.", days_ago=1)
        self.assertTrue(connection.in_atomic_block)  # a test runs in a transaction
        search_articles('"central bank"', reader=NOBODY, filters=SearchFilters(language="en"))
        live_search('"central bank"', reader=NOBODY, language="en")
        self.assertEqual(
            (self.setting("enable_seqscan"), self.setting("enable_indexscan")), ("on", "on")
        )
        # Nor do they undo what the caller's transaction wrote before.
        self.assertTrue(ArticlePage.objects.filter(title="Budget").exists())
