"""PostgreSQL's own search table stays in step with the live articles (search/entries.py)."""

import datetime
import unittest
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast
from django.test import TestCase
from django.utils import timezone

from masthead.content.models import ArticlePage
from masthead.content.tests.factories import make_article, make_paper, translate
from masthead.search import entries
from masthead.search.models import ArticleSearchEntry
from masthead.search.services import SearchFilters, live_search, search_articles
from masthead.subscriptions.access import Reader

NOBODY = Reader.nobody()


def found(query: str, **filters) -> list[str]:
    results = search_articles(query, reader=NOBODY, filters=SearchFilters(language="en", **filters))
    return [hit.article.title for hit in results.hits]


@unittest.skipUnless(
    entries.in_use(),
    "the search table is PostgreSQL's only: SQLite searches Wagtail's FTS5 index and leaves "
    "the table empty",
)
class EntriesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()

    def entry(self, article) -> ArticleSearchEntry | None:
        return ArticleSearchEntry.objects.filter(pk=article.pk).first()

    def vectors(self, article) -> tuple[str, str]:
        """The row's document and headline words as PostgreSQL prints them."""
        row = (
            ArticleSearchEntry.objects.filter(pk=article.pk)
            .annotate(d=Cast("document", TextField()), h=Cast("headline_words", TextField()))
            .values_list("d", "h")
            .get()
        )
        return row


class EntriesInStepTests(EntriesTestCase):
    def test_publishing_writes_the_row_with_the_text_the_index_gets(self):
        article = make_article(
            self.paper.news, "Saffron harvest", tags=["crops"], authors=[self.paper.writers[0]]
        )
        entry = self.entry(article)
        self.assertIsNotNone(entry)
        self.assertEqual(
            (entry.locale_id, entry.path, entry.first_published_at, entry.headline),
            (article.locale_id, article.path, article.first_published_at, "Saffron harvest"),
        )
        document, headline_words = self.vectors(article)
        # Headline A, standfirst, bylines, tags and section B, body C; stemmed.
        self.assertIn("'saffron':1A", document)
        self.assertIn("'crop':", document)
        self.assertRegex(document, r"'ada':\d+B")
        self.assertRegex(document, r"'paragraph':\d+C")
        self.assertIn("'harvest':2", headline_words)  # unstemmed, for prefixes
        for query in ("saffron", "crops", "ada writer", "news", "paragraph"):
            with self.subTest(query=query):
                self.assertEqual(found(query), ["Saffron harvest"])

    def test_a_draft_has_no_row_and_unpublishing_removes_it(self):
        article = make_article(self.paper.news, "Tariff talk")
        article.save_revision()  # a draft of a live article changes nothing
        self.assertIsNotNone(self.entry(article))
        article.unpublish()
        self.assertIsNone(self.entry(article))
        self.assertEqual(found("tariff"), [])
        self.assertEqual(live_search("tari", reader=NOBODY, language="en"), [])
        article.refresh_from_db()
        article.save_revision().publish()
        self.assertEqual(found("tariff"), ["Tariff talk"])

    def test_an_edit_published_replaces_the_text(self):
        article = make_article(self.paper.news, "Old headline")
        article.title = "Fresh headline"
        article.tags.add("weather")
        article.save_revision().publish()
        self.assertEqual(self.entry(article).headline, "Fresh headline")
        self.assertNotIn("'old'", self.vectors(article)[1])
        self.assertIn("'weather'", self.vectors(article)[0])
        self.assertEqual(found("fresh weather"), ["Fresh headline"])
        # A draft edit is not what readers see: the row keeps the published text.
        article.title = "Draft headline"
        article.save_revision()
        self.assertEqual(found("draft"), [])

    def test_moving_to_another_section_follows_its_path_and_section_name(self):
        article = make_article(self.paper.politics, "Budget vote")
        self.assertEqual(found("budget", section=self.paper.news.pk), ["Budget vote"])
        article.move(self.paper.economy, pos="last-child")
        entry = self.entry(article)
        article.refresh_from_db()
        self.assertEqual(entry.path, article.path)
        self.assertEqual(found("budget", section=self.paper.news.pk), [])
        self.assertEqual(found("budget", section=self.paper.economy.pk), ["Budget vote"])
        self.assertEqual(found("budget economy"), ["Budget vote"])
        self.assertEqual(found("budget politics"), [])

    def test_moving_a_section_moves_its_articles_rows(self):
        article = make_article(self.paper.politics, "Cabinet reshuffle")
        self.paper.politics.move(self.paper.economy, pos="last-child")
        article.refresh_from_db()
        self.assertEqual(self.entry(article).path, article.path)
        self.assertEqual(found("cabinet", section=self.paper.economy.pk), ["Cabinet reshuffle"])
        self.assertEqual(found("cabinet", section=self.paper.news.pk), [])

    def test_a_new_publication_time_is_followed_even_without_signals(self):
        older = make_article(self.paper.news, "Harbour report one", days_ago=2)
        newer = make_article(self.paper.news, "Harbour report two", days_ago=1)
        self.assertEqual(found("harbour"), ["Harbour report two", "Harbour report one"])
        when = timezone.now() - datetime.timedelta(hours=1)
        type(older).objects.filter(pk=older.pk).update(first_published_at=when)
        self.assertEqual(self.entry(older).first_published_at, when)
        self.assertEqual(found("harbour"), ["Harbour report one", "Harbour report two"])
        self.assertIsNotNone(self.entry(newer))

    def test_deleting_the_article_deletes_its_row(self):
        article = make_article(self.paper.news, "Storm warning")
        pk = article.pk
        article.delete()
        self.assertFalse(ArticleSearchEntry.objects.filter(pk=pk).exists())
        self.assertEqual(found("storm"), [])

    def test_a_translation_has_its_own_row_in_its_edition(self):
        article = make_article(self.paper.news, "Oil exports")
        translated = translate(article, self.paper.persian, title="صادرات نفت")
        self.assertEqual(self.entry(translated).locale_id, self.paper.persian.pk)
        self.assertEqual(self.entry(article).locale_id, self.paper.english.pk)
        fa = search_articles("نفت", reader=NOBODY, filters=SearchFilters(language="fa"))
        self.assertEqual([hit.article.pk for hit in fa.hits], [translated.pk])


class RebuildTests(EntriesTestCase):
    def test_a_rebuilds_rows_are_the_rows_publishing_writes(self):
        """Rebuilding reads bylines and sections for a whole batch at once: the same text."""
        writers = self.paper.writers
        articles = [
            make_article(self.paper.politics, "Two bylines", authors=[writers[1], writers[0]]),
            make_article(self.paper.news, "Tagged", tags=["saffron", "trade"]),
            make_article(self.paper.economy, "Plain"),
        ]
        batch = list(
            ArticlePage.objects.filter(pk__in=[a.pk for a in articles])
            .order_by("pk")
            .prefetch_related("tags")
        )
        self.assertEqual(entries._rows(batch), [entries._row(a) for a in batch])
        self.assertIn("Ben Reporter", entries._rows(batch)[0][6])

    def test_rebuild_writes_every_live_article_once_and_drops_strays(self):
        live = make_article(self.paper.news, "Grain prices")
        ArticleSearchEntry.objects.filter(pk=live.pk).delete()
        # A row for an article that is not live, as a raw import could leave one.
        draft = ArticlePage(title="Grain stores", live=False)
        self.paper.news.add_child(instance=draft)
        with connection.cursor() as cursor:
            cursor.execute(entries._UPSERT, entries._row(draft))
        self.assertEqual(found("grain"), ["Grain stores"])

        out = StringIO()
        call_command("rebuild_search_entries", "--dry-run", stdout=out)
        self.assertIn("Would write", out.getvalue())
        self.assertEqual(found("grain"), ["Grain stores"])

        call_command("rebuild_search_entries", stdout=out)
        self.assertIn("Wrote", out.getvalue())
        self.assertEqual(found("grain"), ["Grain prices"])
        live_ids = set(type(live).objects.live().values_list("pk", flat=True))
        self.assertEqual(set(ArticleSearchEntry.objects.values_list("pk", flat=True)), live_ids)


@unittest.skipIf(entries.in_use(), "PostgreSQL's full-text search fills the table")
class ElsewhereTests(TestCase):
    def test_other_databases_leave_the_table_empty_and_the_command_says_so(self):
        paper = make_paper()
        make_article(paper.news, "Saffron harvest")
        self.assertFalse(ArticleSearchEntry.objects.exists())
        self.assertEqual(found("saffron"), ["Saffron harvest"])
        out = StringIO()
        call_command("rebuild_search_entries", stdout=out)
        self.assertIn("Nothing to do", out.getvalue())
        self.assertFalse(ArticleSearchEntry.objects.exists())
