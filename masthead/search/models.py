"""PostgreSQL's own search table: one row per live article, read by `services` there."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class DocumentField(SearchVectorField):
    """A tsvector column on PostgreSQL; on SQLite, where the table stays empty, a column of
    that declared type, so the same migrations run there (settings install
    django.contrib.postgres on PostgreSQL only)."""

    def _check_postgres_installed(self, *args):
        return []


class ArticleSearchEntry(models.Model):
    """A live article as PostgreSQL's search reads it: matched, counted and ordered here
    without joining Wagtail's index entry (whose key is text) or the page tables.

    Written by `entries` (on publish, and by `manage.py rebuild_search_entries`); a trigger
    from migration 0004 follows the page's row (unpublished, moved, re-dated); deleting the
    article deletes the row. Only PostgreSQL fills it: SQLite and Elasticsearch search
    Wagtail's index and leave this table empty.
    """

    article = models.OneToOneField(
        "content.ArticlePage", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    # No index of its own: search_entry_newest starts with it.
    locale = models.ForeignKey(
        "wagtailcore.Locale", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    first_published_at = models.DateTimeField(null=True)
    path = models.CharField(max_length=255)  # the page's tree path: a section filter's prefix
    headline = models.TextField()  # the title as printed, for re-ranking without the page
    # "english": the headline (weight A), standfirst, bylines, tags and section (B), body (C),
    # each as the Wagtail index gets it (normalised, field ends marked).
    document = DocumentField()
    # "simple": the headline's words unstemmed, matched as prefixes while the reader types.
    headline_words = DocumentField()

    class Meta:
        indexes = [
            models.Index(
                "locale", models.F("first_published_at").desc(), name="search_entry_newest"
            ),
        ]

    def __str__(self):
        return self.headline

    @property
    def title(self) -> str:
        """The headline, named as on the article: ranking reads either alike."""
        return self.headline
