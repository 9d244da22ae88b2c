"""Keep PostgreSQL's search table (`ArticleSearchEntry`) in step with the live articles.

Each row's text is what Wagtail's index gets from the article's `search_*` methods
(normalised, each field's end marked), weighted for `ts_rank_cd`. Publishing writes the
row (`signal_handlers`); the trigger of migration 0004 follows the page's own row
(unpublished, moved, re-dated); `manage.py rebuild_search_entries` rebuilds the table.
Nothing is written unless PostgreSQL's full-text backend is the one searching.
"""

from collections.abc import Iterable

from django.db import connections, transaction

from masthead.content.models import ArticlePage

from .models import ArticleSearchEntry

CONFIG = "english"  # as WAGTAILSEARCH_BACKENDS' SEARCH_CONFIG: English stemmed, Persian whole
PREFIX_CONFIG = "simple"  # as Wagtail's autocomplete: no stemming, so prefixes stay prefixes
BATCH = 500

_TABLE = ArticleSearchEntry._meta.db_table
# Only quoted model metadata goes into the statement; every value is a parameter.
_UPSERT = f"""
INSERT INTO {_TABLE}
    (article_id, locale_id, first_published_at, path, headline, document, headline_words)
VALUES (%s, %s, %s, %s, %s,
    setweight(to_tsvector('{CONFIG}', %s), 'A')
    || setweight(to_tsvector('{CONFIG}', %s), 'B')
    || setweight(to_tsvector('{CONFIG}', %s), 'C'),
    to_tsvector('{PREFIX_CONFIG}', %s))
ON CONFLICT (article_id) DO UPDATE SET
    locale_id = EXCLUDED.locale_id,
    first_published_at = EXCLUDED.first_published_at,
    path = EXCLUDED.path,
    headline = EXCLUDED.headline,
    document = EXCLUDED.document,
    headline_words = EXCLUDED.headline_words
"""  # noqa: S608


def in_use(using: str = "default") -> bool:
    """Whether searches read the table: PostgreSQL with Wagtail's database backend."""
    if connections[using].vendor != "postgresql":
        return False
    from wagtail.search.backends import get_search_backend

    return type(get_search_backend()).__name__ == "PostgresSearchBackend"


def _row(article: ArticlePage) -> tuple:
    headline = article.search_headline()
    secondary = " ".join(
        text
        for text in (
            article.search_standfirst(),
            article.search_bylines(),
            article.search_tags(),
            article.search_section(),
        )
        if text
    )
    return (
        article.pk,
        article.locale_id,
        article.first_published_at,
        article.path,
        article.title,
        headline,
        secondary,
        article.search_body(),
        headline,
    )


def _rows(articles: list[ArticlePage], *, using: str = "default") -> list[tuple]:
    """The rows of many live articles, as `_row` builds each one, with the bylines and the
    sections read in one query each for all of them instead of one each an article (tags
    come prefetched): what makes rebuilding 100,000 rows minutes, not an hour."""
    from wagtail.models import Page

    from masthead.content.models import ArticleAuthor
    from masthead.search.normalise import index_text

    ids = [a.pk for a in articles]
    names: dict[int, list[str]] = {pk: [] for pk in ids}
    for article_id, name in (
        ArticleAuthor.objects.using(using)
        .filter(article_id__in=ids)
        .order_by("sort_order")
        .values_list("article_id", "author__title")
    ):
        names[article_id].append(name)
    parents = {a.path[: -Page.steplen] for a in articles}
    sections = dict(Page.objects.using(using).filter(path__in=parents).values_list("path", "title"))
    rows = []
    for article in articles:
        headline = article.search_headline()
        section = sections.get(article.path[: -Page.steplen])
        secondary = " ".join(
            text
            for text in (
                article.search_standfirst(),
                index_text(" ".join(names[article.pk])),
                article.search_tags(),
                index_text(section) if section is not None else "",
            )
            if text
        )
        rows.append(
            (
                article.pk,
                article.locale_id,
                article.first_published_at,
                article.path,
                article.title,
                headline,
                secondary,
                article.search_body(),
                headline,
            )
        )
    return rows


def update_entries(articles: Iterable[ArticlePage], *, using: str = "default") -> int:
    """Write the rows of the live articles given and drop those of the others; how many
    rows were written."""
    if not in_use(using):
        return 0
    articles = list(articles)
    gone = [a.pk for a in articles if not a.live]
    live = [a for a in articles if a.live]
    rows = [_row(a) for a in live] if len(live) == 1 else _rows(live, using=using)
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        if gone:
            ArticleSearchEntry.objects.using(using).filter(pk__in=gone).delete()
        if rows:
            cursor.executemany(_UPSERT, rows)
    return len(rows)


def rebuild_entries(*, using: str = "default", dry_run: bool = False) -> int:
    """Rebuild the whole table from the live articles; how many rows it holds."""
    if not in_use(using):
        return 0
    live = ArticlePage.objects.using(using).live().order_by("pk")
    if dry_run:
        return live.count()
    written = 0
    with transaction.atomic(using=using):
        ArticleSearchEntry.objects.using(using).all().delete()
        last = 0
        while True:
            batch = list(live.filter(pk__gt=last).prefetch_related("tags")[:BATCH])
            if not batch:
                break
            with connections[using].cursor() as cursor:
                cursor.executemany(_UPSERT, _rows(batch, using=using))
            written += len(batch)
            last = batch[-1].pk
    with connections[using].cursor() as cursor:
        cursor.execute(f"ANALYZE {_TABLE}")
    return written
