"""Search the paper's articles: the one entry point for the results page and live search.

Wagtail's search backend (the database's full-text search by default) finds and scores
articles, except on PostgreSQL, where this module reads its own search table (`entries`);
this module decides what the reader typed, how the found articles are ordered
(headline matches first, then relevance, recency breaking ties), and what text a snippet
may quote (only what the paywall's decision lets the reader read).
"""

import contextlib
import datetime
import difflib
import functools
import html
import logging
import math
import operator
import re
import unicodedata
from dataclasses import dataclass, field

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.search import Lexeme, SearchQuery, SearchRank
from django.core.cache import cache
from django.db import DatabaseError, connections, models, transaction
from django.db.models import Count, F, Func, Q, TextField
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import In
from django.db.models.sql import Query
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext
from modelsearch.backends.base import FieldError, FilterError
from wagtail.models import Locale, Page
from wagtail.search.query import And, Phrase, PlainText

from masthead.content.models import ArticlePage, AuthorPage, SectionPage
from masthead.content.querysets import CARD_RENDITIONS, attach_sections
from masthead.images.models import Rendition
from masthead.subscriptions.access import Reader, decide, paywall_settings, visible_blocks

from . import entries
from .models import ArticleSearchEntry
from .normalise import normalise

logger = logging.getLogger(__name__)

MAX_QUERY_CHARS = 200  # longer queries are cut, never refused
MAX_TERMS = 12  # more words than this add cost, not precision
# The backend's best candidates re-ranked here; beyond them the backend's order stands.
RERANK_CANDIDATES = 200
LIVE_CANDIDATES = 40
# Counting stops here: past it the page says "more than 10,000", as counting every match of
# a word in half the archive costs more than the rest of the page.
COUNT_CAP = 10_000
# With at least this many matches, the newest are found by walking the articles newest
# first and keeping the matching ones, rather than fetching and sorting every match: with
# N articles and M matches the walk reads about RERANK_CANDIDATES * N / M articles, the sort
# all M; they cost the same near M = sqrt(RERANK_CANDIDATES * N), about 3,000 at 50,000
# articles an edition.
DENSE_MATCHES = 2_000
SNIPPET_WORDS = 32
MAX_PER_PAGE = 100

_WORD = re.compile(r"[^\W_]+")


def _backend_errors() -> tuple[type[Exception], ...]:
    """What a search backend raises for a query it cannot run: the database's errors (an
    FTS syntax error is an OperationalError), the search library's own, and Elasticsearch's
    when it is installed."""
    errors = [DatabaseError, FieldError, FilterError, NotImplementedError]
    try:
        from elasticsearch import ApiError, TransportError
    except ImportError:
        pass
    else:
        errors += [ApiError, TransportError]
    return (*errors, ValueError, TypeError, OverflowError, LookupError)


SEARCH_ERRORS = _backend_errors()


@dataclass(frozen=True)
class SearchFilters:
    section: int | None = None  # a SectionPage id: that section and its sub-sections
    author: int | None = None  # an AuthorPage id (any translation of that author)
    year_from: int | None = None  # Gregorian years, inclusive
    year_to: int | None = None
    # Days, for a range in another calendar (the Persian edition's Solar Hijri years).
    published_from: datetime.date | None = None  # inclusive
    published_before: datetime.date | None = None  # exclusive
    language: str | None = None  # "en" / "fa"; "all" = both editions; None = the active one


@dataclass(frozen=True)
class Hit:
    article: ArticlePage  # specific, with lead_image and section_page attached
    snippet: SafeString  # escaped text, <mark> around matched words, readable text only


@dataclass(frozen=True)
class SearchResults:
    hits: list[Hit]
    total: int  # number of matching articles
    page: int
    pages: int
    promoted: list[Page]  # Wagtail search promotions for this query (page 1 only)
    query: str  # the cleaned query actually searched
    # True when counting stopped at COUNT_CAP: there are more than `total` matches, and
    # `pages` counts only the pages of the first `total`.
    total_is_estimate: bool = False
    # A nearby query that finds articles, offered when this one finds none ("did you mean").
    suggestion: str = ""
    # No article holds the words whole; these are headlines with words starting with them.
    by_prefix: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    """The reader's words folded like the index: loose words and "quoted phrases"."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    terms: frozenset[str] = field(default_factory=frozenset)  # casefolded, for highlighting

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)

    def as_search_query(self):
        parts = []
        if self.words:
            parts.append(PlainText(" ".join(self.words), operator="and"))
        parts.extend(Phrase(" ".join(phrase)) for phrase in self.phrases)
        return parts[0] if len(parts) == 1 else And(parts)


def clean_query(raw) -> str:
    """Trim the reader's query, cut it to MAX_QUERY_CHARS and drop control characters."""
    text = raw if isinstance(raw, str) else ""
    # Control and format characters (but the non-joiner Persian words are typed with) and
    # lone surrogates cannot be part of a word; replace them with spaces.
    kept = []
    for char in text[: MAX_QUERY_CHARS * 4]:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Co", "Cn") or (category == "Cf" and char != "\u200c"):
            kept.append(" ")
        else:
            kept.append(char)
    return " ".join("".join(kept).split())[:MAX_QUERY_CHARS].strip()


def parse_query(cleaned: str) -> ParsedQuery:
    """Split a cleaned query into words and "phrases", keeping only letters and digits.

    Everything a full-text engine reads as syntax (quotes inside words, `*`, `-`, `OR`'s
    operators, `NEAR(`, colons, parentheses) is dropped, so no input can reach the
    backend's query language. An unmatched quote is ignored.
    """
    parts = cleaned.split('"')
    if len(parts) % 2 == 0:  # an odd number of quotes: the last one opens nothing
        parts[-2:] = [parts[-2] + " " + parts[-1]]
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    budget = MAX_TERMS
    for index, part in enumerate(parts):
        tokens = _WORD.findall(normalise(part))[:budget]
        budget -= len(tokens)
        if not tokens:
            continue
        if index % 2 == 1 and len(tokens) > 1:
            phrases.append(tuple(tokens))
        else:
            words.extend(token for token in tokens if token not in words)
    terms = frozenset(t.casefold() for t in [*words, *(w for p in phrases for w in p)])
    return ParsedQuery(tuple(words), tuple(phrases), terms)


# Filters --------------------------------------------------------------------------------


ALL_EDITIONS = "all"


def _locale(language: str | None) -> Locale | None:
    if language is None:
        try:
            return Locale.get_active()
        except Locale.DoesNotExist:
            return None
    return Locale.objects.filter(language_code=str(language)).first()


def _year_start(year: int) -> datetime.datetime:
    year = min(max(int(year), datetime.MINYEAR + 1), datetime.MAXYEAR - 1)
    return timezone.make_aware(datetime.datetime(year, 1, 1))


def _searchable(condition: Q | None = None):
    """Live articles under `condition`, as a queryset the search can read: PostgreSQL's own
    search table where it is in use (see `entries`), else the articles for Wagtail's
    backend. Both name the article's edition, tree path, publication time and id alike."""
    if entries.in_use():
        return ArticleSearchEntry.objects.filter(condition or Q())
    return ArticlePage.objects.live().filter(condition or Q())


def _own_table(articles) -> bool:
    return articles.model is ArticleSearchEntry


def _filtered_articles(filters: SearchFilters, locale: Locale, *, both_editions=False):
    """Live articles of the edition (or of both) under the filters, as a queryset the search
    can read (`_searchable`).

    Only fields listed as FilterFields on ArticlePage are used, so every backend (database
    or Elasticsearch) can apply them; PostgreSQL's search table holds the same fields. In
    both editions a section means that section and its translations (each with its
    sub-sections), an author any translation of that author.
    """
    articles = _searchable()
    if not both_editions:
        articles = articles.filter(locale_id=locale.pk)
    if filters.section is not None:
        section = SectionPage.objects.filter(pk=filters.section).first()
        if section is None:
            return None
        if both_editions:
            paths = list(
                SectionPage.objects.filter(translation_key=section.translation_key).values_list(
                    "path", flat=True
                )
            )
            within = Q()
            for path in paths:
                within |= Q(path__startswith=path)
            articles = articles.filter(within)
        else:
            if section.locale_id != locale.pk:
                section = section.get_translation_or_none(locale) or section
            articles = articles.filter(path__startswith=section.path)
    if filters.author is not None:
        author = AuthorPage.objects.filter(pk=filters.author).first()
        if author is None:
            return None
        written = ArticlePage.objects.filter(
            bylines__author__translation_key=author.translation_key
        )
        if not both_editions:
            written = written.filter(locale_id=locale.pk)
        article_ids = list(written.values_list("pk", flat=True))
        key = "pk__in" if _own_table(articles) else "id__in"  # an ArticlePage's pk is page_ptr
        articles = articles.filter(**{key: article_ids})
    if filters.year_from is not None:
        articles = articles.filter(first_published_at__gte=_year_start(filters.year_from))
    if filters.year_to is not None:
        articles = articles.filter(first_published_at__lt=_year_start(int(filters.year_to) + 1))
    if filters.published_from is not None:
        articles = articles.filter(first_published_at__gte=_day_start(filters.published_from))
    if filters.published_before is not None:
        articles = articles.filter(first_published_at__lt=_day_start(filters.published_before))
    return articles


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# Ranking --------------------------------------------------------------------------------


def _words_of(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(normalise(text))]


def _headline_matches(headline: str, query: ParsedQuery) -> bool:
    """Whether every word and phrase of the query is in the headline, as whole words."""
    words = _words_of(headline)
    present = set(words)
    if any(w.casefold() not in present for w in query.words):
        return False
    joined = f" {' '.join(words)} "
    return all(f" {' '.join(p).casefold()} " in joined for p in query.phrases)


def _published(article) -> float:
    return article.first_published_at.timestamp() if article.first_published_at else 0.0


def _rerank(candidates: list, headline_hits: list, query: ParsedQuery) -> list:
    """Order articles: headline matches newest first, then the rest by coarse score, newest.

    The backend's scores are only comparable within one search, and small differences
    between them say little, so they are bucketed into tenths of the best score; within a
    bucket the newer article wins. Without scores (see `_scores_cheaply`) every body-only
    match ties, and recency decides.
    """
    scores = [abs(getattr(a, "_score", 0.0) or 0.0) for a in candidates]
    best = max(scores, default=0.0) or 1.0
    seen = set()
    in_headline, in_body = [], []
    for article, score in zip(candidates, scores, strict=True):
        seen.add(article.pk)
        if _headline_matches(article.title, query):
            in_headline.append(article)
        else:
            bucket = math.floor(score / best * 10) if math.isfinite(score) else 0
            in_body.append((bucket, article))
    for article in headline_hits:
        if article.pk not in seen and _headline_matches(article.title, query):
            seen.add(article.pk)
            in_headline.append(article)
    in_headline.sort(key=lambda a: (_published(a), a.pk), reverse=True)
    in_body.sort(key=lambda pair: (pair[0], _published(pair[1]), pair[1].pk), reverse=True)
    return in_headline + [article for _bucket, article in in_body]


_RANKING_FIELDS = ("id", "title", "first_published_at")


# Up to this many matches PostgreSQL's backend scores them all: ts_rank reads each match's
# whole text vector, about 0.1 ms a match, so past a few hundred matches the newest are
# fetched instead (an index lookup and a top-N sort) and ranked as on SQLite.
SCORED_MATCHES = 500


def _backend_name() -> str:
    from wagtail.search.backends import get_search_backend

    return type(get_search_backend()).__name__


def _scores_cheaply(matches: int) -> bool:
    """Whether the backend can order `matches` matches by its score without reading them all.

    Wagtail's SQLite backend scores each found row with a correlated subquery that runs the
    full-text match again: quadratic in the number of matches (seconds for a common word in
    a large archive). PostgreSQL's reads every match's text vector, which is fine for a few
    hundred matches. Without scores, the candidates are the newest matches instead, and
    ranking is headline first, then recency. Elasticsearch and OpenSearch score as they
    find.
    """
    backend = _backend_name()
    if backend == "SQLiteSearchBackend":
        return False
    if backend == "PostgresSearchBackend":
        return matches <= SCORED_MATCHES
    return True


# PostgreSQL's search table ------------------------------------------------------------------

# ts_rank_cd's weights for D, C, B, A: the body (C) counts a fifth of the headline (A), the
# standfirst, bylines, tags and section (B) twice the body.
RANK_WEIGHTS = [0.1, 0.2, 0.4, 1.0]
# What is read of a row to rank it: never its text vectors, which PostgreSQL would unpack.
_ENTRY_FIELDS = ("pk", "headline", "first_published_at")


def _tsquery(query: ParsedQuery, config: str, *, last_is_prefix: bool = False) -> SearchQuery:
    """The query as Wagtail's PostgreSQL backend writes it: every word (stemmed by `config`,
    so stop words drop out) and every phrase; the last word a prefix while typing."""
    parts = []
    if query.words:
        *first, last = query.words
        lexemes = [Lexeme(word) for word in first] + [Lexeme(last, prefix=last_is_prefix)]
        parts.append(
            SearchQuery(functools.reduce(operator.and_, lexemes), search_type="raw", config=config)
        )
    parts += [SearchQuery(" ".join(p), search_type="phrase", config=config) for p in query.phrases]
    return functools.reduce(operator.and_, parts)


@contextlib.contextmanager
def _bitmap_scans(using: str = "default"):
    """Plan the statements inside as bitmap scans (of the full-text index, here).

    PostgreSQL costs testing a row's text vector as one cheap operator, but the vector is
    stored out of line (TOAST, about 3.7 kB an article) and each test fetches and unpacks
    it (5–30 µs). So when it expects many matches it prefers a plan that tests every row it
    passes and stops early, a scan of the table or a walk of the date index, and reads
    thousands of vectors: 100 ms to count a word in half the archive, against 10 ms from
    the full-text index's bitmap, which reads none for words and only its candidates' for
    phrases. The settings last for this block only: SET LOCAL in a savepoint (or
    transaction) rolled back at the end, which undoes them; nothing inside writes.
    """
    with transaction.atomic(using=using):
        with connections[using].cursor() as cursor:
            cursor.execute(
                "SELECT set_config('enable_seqscan', 'off', true), "
                "set_config('enable_indexscan', 'off', true)"
            )
        yield
        transaction.set_rollback(True, using=using)


def _matching(articles, query: ParsedQuery):
    """The rows of PostgreSQL's search table whose text holds the query."""
    return articles.filter(document=_tsquery(query, entries.CONFIG)).only(*_ENTRY_FIELDS)


def _matching_words(articles, query: ParsedQuery):
    """The rows whose text holds every word of the query and of its phrases, in any order:
    what the full-text index answers alone, without reading any row's text."""
    words = [*query.words, *(word for phrase in query.phrases for word in phrase)]
    lexemes = functools.reduce(operator.and_, [Lexeme(word) for word in words])
    every_word = SearchQuery(lexemes, search_type="raw", config=entries.CONFIG)
    return articles.filter(document=every_word).only(*_ENTRY_FIELDS)


def _prefix_matching(articles, query: ParsedQuery):
    """The rows whose headline holds the query, its last word as a prefix."""
    prefixes = _tsquery(query, entries.PREFIX_CONFIG, last_is_prefix=True)
    return articles.filter(headline_words=prefixes).only(*_ENTRY_FIELDS)


def _search(articles, query: ParsedQuery):
    """Every match, newest first (the backend does not score them)."""
    if _own_table(articles):
        return _matching(articles, query).order_by("-first_published_at", "-pk")
    return (
        articles.only(*_RANKING_FIELDS)
        .order_by("-first_published_at", "-id")
        .search(query.as_search_query(), order_by_relevance=False, operator="and")
    )


@dataclass(frozen=True)
class _Matches:
    """How many articles a query matches, counted no further than COUNT_CAP."""

    total: int
    capped: bool = False  # counting stopped at COUNT_CAP: there are more
    # On PostgreSQL's search table, when there are fewer than DENSE_MATCHES: every match's
    # id, newest first, so ordering and scoring them need not test the text again.
    newest_ids: tuple[int, ...] | None = None


class _FirstItems(Func):
    """The first `count` items of an array (PostgreSQL's slice)."""

    template = "(%(expressions)s)[1:%(count)d]"


def _count(articles, query: ParsedQuery) -> _Matches:
    """How many articles match, counting no further than COUNT_CAP; and whether it stopped.

    On SQLite the count runs unordered (the backend's results are ordered, and a limited
    count keeps the order, which would sort every match before counting). On PostgreSQL's
    search table the same pass over the full-text index's matches also returns their ids
    newest first when there are few: a phrase is checked against each candidate's whole
    text (the index knows words, not their order), which is most of the cost, and done once.
    """
    found = _search(articles, query)
    if not isinstance(found, models.QuerySet):
        return _Matches(*_capped_count(found))
    # Newest first as `_matches_first` orders them, which this replaces for few matches.
    published = F("first_published_at").desc(nulls_last=True)
    newest = ArrayAgg("pk", order_by=(published, F("pk").desc()))
    with _bitmap_scans():
        counted = found.order_by()[: COUNT_CAP + 1].aggregate(
            total=Count("*"),
            newest=_FirstItems(
                newest, count=DENSE_MATCHES, output_field=ArrayField(models.IntegerField())
            ),
        )
    total = counted["total"]
    ids = tuple(counted["newest"] or ()) if total < DENSE_MATCHES else None
    return _Matches(min(total, COUNT_CAP), total > COUNT_CAP, ids)


def _capped_count(found) -> tuple[int, bool]:
    """Count a search's matches no further than COUNT_CAP; and whether it stopped there."""
    if isinstance(found, models.QuerySet):  # PostgreSQL's search table
        counted = found.order_by()[: COUNT_CAP + 1].count()
    elif _backend_name() == "SQLiteSearchBackend":
        counted = found.get_queryset().order_by()[: COUNT_CAP + 1].count()
    else:
        counted = found[: COUNT_CAP + 1].count()
    return min(counted, COUNT_CAP), counted > COUNT_CAP


def _walking_newest(queryset):
    """The same SQLite query, planned to walk the articles newest first.

    The backend filters with `pk IN (the full-text matches)`; SQLite then starts from the
    matches, fetching and sorting every one of them. Comparing the key as text (the index
    stores it as text) is the same filter, but no longer one the planner can start from, so
    it walks the index on the publication date and stops at the slice's end. None if the
    backend's query no longer has that shape.
    """
    where = queryset.query.where
    for position, child in enumerate(where.children):
        if (
            isinstance(child, In)
            and isinstance(child.rhs, Query)
            and getattr(child.lhs, "target", None) == ArticlePage._meta.pk
        ):
            where.children[position] = In(Cast(child.lhs, TextField()), child.rhs)
            return queryset
    return None


def _newest(articles, query: ParsedQuery, start: int, stop: int, matches: _Matches | None) -> list:
    """The matches in [start, stop) newest first; `matches` as counted, None if not."""
    found = _search(articles, query)
    total = matches.total if matches else 0
    if _own_table(articles):
        if matches and matches.newest_ids is not None:
            return _entries(matches.newest_ids[start:stop])
        if total >= DENSE_MATCHES:
            return list(found[start:stop])  # a walk of the date index
        if query.phrases:
            return _phrases_checked_last(articles, query, start, stop)
        return list(_matches_first(found)[start:stop])
    backend = _backend_name()
    if total >= DENSE_MATCHES and backend == "SQLiteSearchBackend":
        walking = _walking_newest(found.get_queryset())
        if walking is not None:
            return list(walking[start:stop])
    if total < DENSE_MATCHES and backend == "PostgresSearchBackend":
        return list(_matches_first(found.get_queryset())[start:stop])
    return list(found[start:stop])


def _entries(ids) -> list[ArticleSearchEntry]:
    """The search table's rows of these articles, in the order given."""
    by_id = ArticleSearchEntry.objects.only(*_ENTRY_FIELDS).in_bulk(list(ids))
    return [by_id[pk] for pk in ids if pk in by_id]


def _phrases_checked_last(articles, query: ParsedQuery, start: int, stop: int) -> list:
    """The matches of a query with phrases in [start, stop) newest first, uncounted (live
    search): the full-text index's articles with every word, newest first, then each
    phrase checked against their text only until enough are found.

    Checking a phrase reads an article's whole text vector (the index knows words, not
    their order): "central bank" has 10,000 candidates in 50,000 articles, 30 matches, and
    checking them all took 80 ms. The phrase is tested outside the subquery (`OFFSET 0`
    keeps PostgreSQL from moving it in), on the candidates in date order, so it stops
    after the slice's end.
    """
    candidates = (
        _matching_words(articles, query)
        .order_by("-first_published_at", "-pk")
        .values_list("pk", "first_published_at", "headline", "document")
    )
    inner, params = candidates.query.sql_with_params()
    phrases = " AND ".join(["document @@ phraseto_tsquery(%s::regconfig, %s)"] * len(query.phrases))
    for phrase in query.phrases:
        params += (entries.CONFIG, " ".join(phrase))
    # Only the ORM's own compiled SQL and placeholders go into the statement.
    sql = (
        f"SELECT pk AS article_id, first_published_at, headline FROM ({inner} OFFSET 0) AS c "  # noqa: S608
        f"WHERE {phrases} LIMIT %s OFFSET %s"
    )
    with _bitmap_scans():
        return list(ArticleSearchEntry.objects.raw(sql, (*params, stop - start, start)))


def _matches_first(queryset):
    """The same PostgreSQL query, planned to find the matches first and then sort them.

    PostgreSQL guesses how many articles a full-text query matches, and for a phrase or a
    rare word it often guesses hundreds when there are a handful; it then walks every
    article newest first, testing each against the query (0.8 s for a phrase over 20,000
    articles). Ordering by an expression the date index cannot serve leaves it one plan:
    the full-text index's matches, sorted (a few milliseconds for a few hundred matches).
    Dense queries, whose count the caller knows, keep the walk, which is then the fast plan.
    """
    published = Coalesce("first_published_at", "first_published_at")  # same value, no index
    return queryset.order_by(published.desc(nulls_last=True), "-pk")


def _candidates(articles, query: ParsedQuery, start: int, stop: int, matches: _Matches) -> list:
    """The backend's best matches in [start, stop): by its score where that is cheap,
    else newest first."""
    if _own_table(articles):
        if matches.total > SCORED_MATCHES:
            return _newest(articles, query, start, stop, matches)
        score = SearchRank(
            F("document"), _tsquery(query, entries.CONFIG), weights=RANK_WEIGHTS, cover_density=True
        )
        if matches.newest_ids is not None:  # known already: score them without matching again
            found = ArticleSearchEntry.objects.filter(pk__in=matches.newest_ids)
        else:
            found = _matching(articles, query)
        ranked = (
            found.only(*_ENTRY_FIELDS)
            .annotate(_score=score)
            .order_by("-_score", "-first_published_at", "-pk")
        )
        return list(ranked[start:stop])
    if _scores_cheaply(matches.total):
        results = (
            articles.only(*_RANKING_FIELDS)
            .search(query.as_search_query(), order_by_relevance=True, operator="and")
            .annotate_score("_score")
        )
        return list(results[start:stop])
    return _newest(articles, query, start, stop, matches)


def _headline_prefixes(articles, query: ParsedQuery):
    """Articles whose headline has words starting with each query word, newest first (the
    autocomplete index holds headlines only, and matches prefixes)."""
    if _own_table(articles):
        return _prefix_matching(articles, query).order_by("-first_published_at", "-pk")
    return (
        articles.only(*_RANKING_FIELDS)
        .order_by("-first_published_at", "-id")
        .autocomplete(query.as_search_query(), order_by_relevance=False, operator="and")
    )


def _headline_candidates(articles, query: ParsedQuery, limit: int) -> list:
    return list(_headline_prefixes(articles, query)[:limit])


def _load(ids: list[int], *, bodies: bool) -> list[ArticlePage]:
    """Fetch the articles to show, in the given order, with card renditions and sections."""
    from django.db.models import Prefetch

    if not ids:
        return []
    queryset = (
        ArticlePage.objects.filter(pk__in=ids)
        .select_related("lead_image", "locale")
        .prefetch_related(
            Prefetch(
                "lead_image__renditions",
                queryset=Rendition.objects.filter(filter_spec__in=CARD_RENDITIONS),
            )
        )
    )
    if not bodies:
        queryset = queryset.defer_streamfields()
    by_id = {a.pk: a for a in queryset}
    articles = [by_id[pk] for pk in ids if pk in by_id]
    return attach_sections(articles)


# Snippets -------------------------------------------------------------------------------

_TOKEN = re.compile(r"\S+")


@functools.lru_cache(maxsize=50_000)
def _token_words(token: str) -> tuple[str, ...]:
    """A token's words as the index folds them. Text repeats its words, and folding each one
    costs more than finding it here: ten snippets took 160 ms unfolded, 20 ms cached."""
    return tuple(_words_of(token))


def _split_edges(token: str) -> tuple[str, str, str]:
    """Split punctuation off a word's ends; vowel marks and the non-joiner stay inside."""

    def is_edge(char: str) -> bool:
        return unicodedata.category(char)[0] in "PSZ"

    start, end = 0, len(token)
    while start < end and is_edge(token[start]):
        start += 1
    while end > start and is_edge(token[end - 1]):
        end -= 1
    return token[:start], token[start:end], token[end:]


def _token_matches(token_words: tuple[str, ...], terms: frozenset[str], prefixes: bool) -> bool:
    """Whether a word of the text is a query word (or, typing, starts with one).

    Words of four letters or more also match longer words (election, elections), as a
    stemming backend would have found them.
    """
    shortest = 1 if prefixes else 4
    return any(
        word in terms or any(len(t) >= shortest and word.startswith(t) for t in terms)
        for word in token_words
    )


def highlight(
    text: str, terms: frozenset[str], *, words: int = SNIPPET_WORDS, prefixes: bool = False
) -> SafeString:
    """Quote about `words` words of `text` around the most query words, escaped, with
    <mark> around each matched word (compared in the index's folded spelling)."""
    tokens = _TOKEN.findall(text)
    if not tokens:
        return SafeString("")
    token_words = [_token_words(t) for t in tokens]
    # Text repeats its words: decide each distinct one once (ten bodies: 5.0 → 4.1 ms CPU).
    decided: dict[tuple[str, ...], bool] = {}
    matched = []
    for words_of_token in token_words:
        if words_of_token not in decided:
            decided[words_of_token] = bool(terms) and _token_matches(
                words_of_token, terms, prefixes
            )
        matched.append(decided[words_of_token])
    start = 0
    if any(matched):
        best_count = -1
        for index, is_match in enumerate(matched):
            if not is_match:
                continue
            window_start = max(0, index - words // 4)
            window = range(window_start, min(len(tokens), window_start + words))
            count = len({w for i in window if matched[i] for w in token_words[i]})
            if count > best_count:
                best_count, start = count, window_start
    end = min(len(tokens), start + words)
    pieces = []
    for token, is_match in zip(tokens[start:end], matched[start:end], strict=True):
        if is_match:
            lead, core, trail = _split_edges(token)
            pieces.append(
                f"{html.escape(lead)}<mark>{html.escape(core)}</mark>{html.escape(trail)}"
            )
        else:
            pieces.append(html.escape(token))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(tokens) else ""
    # Every piece of the text went through html.escape; only the <mark> tags are ours.
    return mark_safe(prefix + " ".join(pieces) + suffix)  # noqa: S308


def _block_text(block) -> str:
    """A body block's words as a reader sees them: a heading's text without its level, a
    quotation with its attribution set off, a picture's caption; each ends a sentence, so a
    snippet that runs from one block into the next still reads."""
    value = block.value
    if block.block_type == "heading":
        text = value["text"]
    elif block.block_type == "quote":
        text = value["text"] + (f" — {value['attribution']}" if value["attribution"] else "")
    elif block.block_type == "image":
        text = value["caption"] or ""
    else:
        text = " ".join(str(part) for part in block.block.get_searchable_content(value))
    text = text.strip()
    if text and text[-1].isalnum():
        text += "."
    return text


def readable_text(article: ArticlePage, reader: Reader, preview_paragraphs: int) -> str:
    """The standfirst and the body text `reader` may read; never the gated part otherwise.

    Search spends no meter read: it asks without the meter's allowance.
    """
    decision = decide(reader, article, use_meter_allowance=False)
    preview, gated = visible_blocks(article, decision, preview_paragraphs)
    return " ".join(
        part for part in [article.standfirst, *map(_block_text, [*preview, *gated])] if part
    )


# The service ------------------------------------------------------------------------------


def _promotions(cleaned: str, locale: Locale, filters: SearchFilters, articles) -> list[Page]:
    """The editors' picks for the query, narrowed like the results.

    A promoted article shows only if it passes the reader's filters; a promoted page that is
    not an article (the subscription page, say) has no section, author or date to filter
    by, so it shows only when no such filter is set.
    """
    picks = _picks(cleaned, locale)
    narrowed = any(
        value is not None
        for value in (
            filters.section,
            filters.author,
            filters.year_from,
            filters.year_to,
            filters.published_from,
            filters.published_before,
        )
    )
    if not narrowed or not picks:
        return picks
    article_ids = [page.pk for page in picks if isinstance(page, ArticlePage)]
    passing = set(articles.filter(pk__in=article_ids).values_list("pk", flat=True))
    return [page for page in picks if page.pk in passing]


def _picks(cleaned: str, locale: Locale) -> list[Page]:
    from wagtail.contrib.search_promotions.models import SearchPromotion
    from wagtail.search.utils import normalise_query_string

    promotions = (
        SearchPromotion.objects.filter(
            query__query_string=normalise_query_string(cleaned),
            page__isnull=False,
            page__live=True,
            page__locale_id=locale.pk,
        )
        .select_related("page")
        .order_by("sort_order", "pk")
    )
    return [promotion.page.specific for promotion in promotions]


def _empty(query: str, page: int = 1) -> SearchResults:
    return SearchResults(hits=[], total=0, page=page, pages=0, promoted=[], query=query)


def _positive(value, default: int, ceiling: int) -> int:
    try:
        return min(max(int(value), 1), ceiling)
    except (TypeError, ValueError, OverflowError):
        return default


def search_articles(
    raw_query: str,
    *,
    reader: Reader,
    filters: SearchFilters = SearchFilters(),
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 10,
) -> SearchResults:
    """Find the articles of one edition for a reader's query; never raises on bad input."""
    query_text = clean_query(raw_query)
    page = _positive(page, 1, 10_000)
    per_page = _positive(per_page, 10, MAX_PER_PAGE)
    try:
        return _search_articles(query_text, reader, filters, sort, page, per_page)
    except SEARCH_ERRORS:
        logger.warning("Search failed for %r", query_text, exc_info=True)
        return _empty(query_text, page)


def _search_articles(query_text, reader, filters, sort, page, per_page) -> SearchResults:
    query = parse_query(query_text)
    both_editions = filters.language == ALL_EDITIONS
    # In both editions promotions still come from the active edition.
    locale = _locale(None if both_editions else filters.language or get_language_or_none())
    if not query or locale is None:
        return _empty(query_text, page)
    articles = _filtered_articles(filters, locale, both_editions=both_editions)
    if articles is None:
        return _empty(query_text, page)
    start = (page - 1) * per_page
    matches = _count(articles, query)
    by_prefix = False
    if not matches.total and not query.phrases:
        # What live search showed for a word still being typed ("teh"): headlines with words
        # that start with it, newest first, so "View All Result" never lands on nothing.
        matches = _Matches(*_capped_count(_headline_prefixes(articles, query)))
        by_prefix = bool(matches.total)
    total, capped = matches.total, matches.capped
    if not total:
        ids = []
    elif by_prefix:
        ids = [a.pk for a in _headline_prefixes(articles, query)[start : start + per_page]]
    elif sort == "newest":
        ids = [a.pk for a in _newest(articles, query, start, start + per_page, matches)]
    else:
        candidates = _candidates(articles, query, 0, RERANK_CANDIDATES, matches)
        headline_hits = []
        if total > len(candidates):
            headline_hits = _headline_candidates(articles, query, RERANK_CANDIDATES)
        ranked = _rerank(candidates, headline_hits, query)
        ids = [a.pk for a in ranked[start : start + per_page]]
        if start + per_page > len(ranked) and total > len(ranked):
            # Past the re-ranked window the backend's order stands (an article pulled
            # forward as a headline match is not shown twice).
            shown = {a.pk for a in ranked}
            offset = max(start, len(ranked)) - len(ranked) + RERANK_CANDIDATES
            more = _candidates(articles, query, offset, offset + per_page + len(shown), matches)
            ids.extend(pk for pk in (a.pk for a in more) if pk not in shown)
            ids = ids[:per_page]
    pages = math.ceil(total / per_page) if total else 0
    hits = _hits(_load(ids, bodies=True), query, reader, prefixes=by_prefix)
    promoted = _promotions(query_text, locale, filters, articles) if page == 1 else []
    suggestion = "" if total or promoted else _suggestion(query, locale, articles)
    return SearchResults(
        hits, total, page, pages, promoted, query_text, capped, suggestion, by_prefix
    )


# Did you mean -----------------------------------------------------------------------------

# The words a suggestion may use: the edition's tags, section and author names and the words
# of its newest headlines. Enough to catch a mistyped name or topic of the day; a word of
# an old story only its body holds is not offered, which is the price of not reading the
# whole index.
SUGGESTION_HEADLINES = 2_000
SUGGESTION_CACHE_SECONDS = 60 * 60
SUGGESTION_CUTOFF = 0.8  # difflib's ratio: one wrong letter in a five-letter word passes


def _vocabulary(locale: Locale) -> dict[tuple[str, int], list[str]]:
    """The edition's known words, grouped by first letter and length, cached for an hour."""
    key = f"masthead:search:vocabulary:{locale.pk}"
    grouped = cache.get(key)
    if grouped is not None:
        return grouped
    from taggit.models import Tag

    texts = list(
        Tag.objects.filter(**{"content_articlepagetag_items__content_object__locale_id": locale.pk})
        .distinct()
        .values_list("name", flat=True)
    )
    texts += SectionPage.objects.live().filter(locale_id=locale.pk).values_list("title", flat=True)
    texts += AuthorPage.objects.live().filter(locale_id=locale.pk).values_list("title", flat=True)
    texts += (
        ArticlePage.objects.live()
        .filter(locale_id=locale.pk)
        .order_by("-first_published_at")
        .values_list("title", flat=True)[:SUGGESTION_HEADLINES]
    )
    words = {w for text in texts for w in _words_of(text) if len(w) > 2 and not w.isdigit()}
    grouped: dict[tuple[str, int], list[str]] = {}
    for word in sorted(words):
        grouped.setdefault((word[0], len(word)), []).append(word)
    cache.set(key, grouped, SUGGESTION_CACHE_SECONDS)
    return grouped


def _closest_word(word: str, vocabulary: dict[tuple[str, int], list[str]]) -> str | None:
    """The known word nearest to a mistyped one: same first letter, length within two."""
    candidates = [
        known
        for length in range(len(word) - 2, len(word) + 3)
        for known in vocabulary.get((word[0], length), ())
    ]
    if word in candidates:
        return None
    found = difflib.get_close_matches(word, candidates, n=1, cutoff=SUGGESTION_CUTOFF)
    return found[0] if found else None


def _suggestion(query: ParsedQuery, locale: Locale, articles) -> str:
    """A query one or two typos away that finds articles under the same filters, or ""."""
    if query.phrases or not query.words:
        return ""
    vocabulary = _vocabulary(locale)
    corrected, changed = [], False
    for word in query.words:
        folded = word.casefold()
        closest = None if len(folded) < 4 or folded.isdigit() else _closest_word(folded, vocabulary)
        corrected.append(closest or word)
        changed = changed or closest is not None
    if not changed:
        return ""
    suggestion = " ".join(corrected)
    return suggestion if _count(articles, parse_query(suggestion)).total else ""


def _hits(
    articles: list[ArticlePage], query: ParsedQuery, reader: Reader, *, prefixes: bool = False
) -> list[Hit]:
    preview_paragraphs = None
    snippets = {}
    for article in articles:
        if article.is_premium and preview_paragraphs is None:
            preview_paragraphs = paywall_settings().preview_paragraphs
        text = readable_text(article, reader, preview_paragraphs or 0)
        snippets[article.pk] = highlight(text, query.terms, prefixes=prefixes)
    # An article found by its tags, byline or section (not its text) says so, marked.
    unexplained = [a for a in articles if "<mark>" not in snippets[a.pk]]
    for article, reasons in _matched_labels(unexplained, query).items():
        shown = snippets[article.pk]
        snippets[article.pk] = mark_safe(  # noqa: S308 - both parts are escaped already
            f"{shown} · {reasons}" if shown else reasons
        )
    return [Hit(article, snippets[article.pk]) for article in articles]


def _matched_labels(articles: list[ArticlePage], query: ParsedQuery) -> dict:
    """For each article, the tags, bylines and section that hold the query's words, as
    escaped text with <mark>s ("Tags: <mark>oil</mark>"); two queries, only when needed."""
    from masthead.content.models import ArticleAuthor, ArticlePageTag

    if not articles or not query.terms:
        return {}
    ids = [a.pk for a in articles]
    tags: dict[int, list[str]] = {}
    for article_id, name in ArticlePageTag.objects.filter(content_object_id__in=ids).values_list(
        "content_object_id", "tag__name"
    ):
        tags.setdefault(article_id, []).append(name)
    authors: dict[int, list[str]] = {}
    for article_id, name in ArticleAuthor.objects.filter(article_id__in=ids).values_list(
        "article_id", "author__title"
    ):
        authors.setdefault(article_id, []).append(name)
    labels = {}
    for article in articles:
        parts = []
        section = getattr(article, "section_page", None)
        for label, names in (
            (gettext("Tags"), tags.get(article.pk, [])),
            (gettext("By"), authors.get(article.pk, [])),
            (gettext("Section"), [section.title] if section else []),
        ):
            marked = [str(highlight(name, query.terms)) for name in names]
            marked = [m for m in marked if "<mark>" in m]
            if marked:
                parts.append(f"{html.escape(label)}: {', '.join(marked)}")
        if parts:
            labels[article] = " · ".join(parts)
    return labels


def get_language_or_none() -> str | None:
    language = get_language()
    return language.split("-")[0] if language else None


def live_search(
    raw_query: str, *, reader: Reader, language: str | None = None, limit: int = 5
) -> list[Hit]:
    """The few articles to offer while the reader types: headline words match as prefixes.

    The snippet is the standfirst, which every reader may read, so live search needs
    neither the body nor the paywall's decision.
    """
    query_text = clean_query(raw_query)
    limit = _positive(limit, 5, 20)
    try:
        query = parse_query(query_text)
        locale = _locale(language or get_language_or_none())
        if not query or locale is None:
            return []
        articles = _searchable(Q(locale_id=locale.pk))
        found = _headline_candidates(articles, query, LIVE_CANDIDATES)
        if len(found) < limit:
            seen = {a.pk for a in found}
            # Body matches, newest first: while typing, scoring every match costs too much.
            found += [a for a in _newest(articles, query, 0, limit, None) if a.pk not in seen]
        ranked = _rerank(found, [], query) if found else []
        # Prefix matches in the headline are what the reader is typing: keep their order
        # (newest first) ahead of body-only matches.
        headline_first = sorted(
            ranked, key=lambda a: 0 if _prefix_in_headline(a.title, query) else 1
        )
        chosen = _load([a.pk for a in headline_first[:limit]], bodies=False)
        return [
            Hit(a, highlight(a.standfirst or a.title, query.terms, prefixes=True)) for a in chosen
        ]
    except SEARCH_ERRORS:
        logger.warning("Live search failed for %r", query_text, exc_info=True)
        return []


def _prefix_in_headline(headline: str, query: ParsedQuery) -> bool:
    words = _words_of(headline)
    return all(any(w.startswith(term) for w in words) for term in query.terms)
