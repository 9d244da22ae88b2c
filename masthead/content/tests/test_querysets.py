"""The listing querysets: which articles a section holds, and how the database finds them."""

from unittest import skipUnless

from django.db import connection
from django.test import TestCase
from wagtail.models import Page

from masthead.content.models import ArticlePage, SectionPage
from masthead.content.querysets import last_descendant_path
from masthead.content.tests.factories import make_article, make_paper, publish


class InSectionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        paper = cls.paper
        # A sub-sub-section, and sections on either side of News in the tree, so that a
        # range too wide or too narrow would take in a neighbour or leave out a grandchild.
        cls.deep = publish(paper.politics, SectionPage(title="Majlis", slug="majlis"))
        for section, title in (
            (paper.news, "News itself"),
            (paper.politics, "Politics story"),
            (cls.deep, "Majlis story"),
            (paper.economy, "Economy story"),
            (paper.home_fa, "A Persian story at the top"),
        ):
            make_article(section, title)

    def test_the_same_pages_as_wagtails_descendant_of(self):
        for page in Page.objects.all():
            with self.subTest(page=page.title):
                by_range = Page.objects.filter(
                    path__gt=page.path, path__lte=last_descendant_path(page.path)
                )
                self.assertQuerySetEqual(
                    by_range.order_by("path"),
                    Page.objects.descendant_of(page).order_by("path"),
                )

    def test_a_section_holds_its_own_and_its_sub_sections_articles_only(self):
        titles = set(
            ArticlePage.objects.in_section(self.paper.news).values_list("title", flat=True)
        )
        self.assertEqual(titles, {"News itself", "Politics story", "Majlis story"})
        deep = ArticlePage.objects.in_section(self.deep).values_list("title", flat=True)
        self.assertEqual(list(deep), ["Majlis story"])

    @skipUnless(connection.vendor == "sqlite", "SQLite's planner and its LIKE")
    def test_sqlite_finds_a_sections_articles_through_the_path_index(self):
        # The planner reads a test paper's few pages at once; give it an archive's
        # statistics (100,000 pages, paths unique), as `ANALYZE` leaves them on a real one.
        self.pretend_the_page_table_holds(100_000)
        listing = ArticlePage.objects.for_listing().in_section(self.paper.news)
        for query in (listing[:20].query, listing.order_by().query):  # the page, the pager
            sql, params = query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
                plan = " / ".join(row[-1] for row in cursor.fetchall())
            self.assertNotIn("SCAN wagtailcore_page", plan)
            self.assertRegex(
                plan, r"SEARCH wagtailcore_page USING INDEX \S+ \(path>\? AND path<\?\)"
            )

    def pretend_the_page_table_holds(self, rows: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE wagtailcore_locale")  # makes sqlite_stat1 if missing
            cursor.execute("SELECT tbl, idx, stat FROM sqlite_stat1 WHERE tbl = 'wagtailcore_page'")
            saved = cursor.fetchall()
            cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'wagtailcore_page'")
            cursor.execute("PRAGMA index_list(wagtailcore_page)")
            stats = [("wagtailcore_page", None, str(rows))]
            for _seq, index, unique, *_rest in cursor.fetchall():
                stats.append(("wagtailcore_page", index, f"{rows} {1 if unique else 50}"))
            cursor.executemany("INSERT INTO sqlite_stat1 VALUES (%s, %s, %s)", stats)
            cursor.execute("ANALYZE sqlite_schema")  # the planner reloads the statistics

        def restore():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'wagtailcore_page'")
                cursor.executemany("INSERT INTO sqlite_stat1 VALUES (%s, %s, %s)", saved)
                cursor.execute("ANALYZE sqlite_schema")

        self.addCleanup(restore)
