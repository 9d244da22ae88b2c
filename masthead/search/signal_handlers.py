"""Publishing writes an article's search row; see `entries` for the rest of its life."""

from contextlib import contextmanager
from contextvars import ContextVar

from masthead.content.models import ArticlePage

from .entries import update_entries

_bulk: ContextVar[bool] = ContextVar("masthead_search_entries_bulk", default=False)


@contextmanager
def written_in_bulk():
    """Inside, publishing writes no row: the bulk writer writes all its rows at once
    (`entries.update_entries` over its pages) instead of one statement set per page."""
    token = _bulk.set(True)
    try:
        yield
    finally:
        _bulk.reset(token)


def article_published(sender, instance, **kwargs):
    """Write the published article's row: its text, as the index gets it, may have changed."""
    if issubclass(sender, ArticlePage) and not _bulk.get():
        article = instance if isinstance(instance, ArticlePage) else instance.specific
        update_entries([article])


def page_moved(sender, instance, **kwargs):
    """Rewrite a moved article's row: its section's name is part of its text (the trigger
    has already followed its path)."""
    if issubclass(sender, ArticlePage):
        update_entries(ArticlePage.objects.live().filter(pk=instance.pk))
