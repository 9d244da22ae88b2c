"""Measure search at newspaper scale: live search and the results page over many articles.

Run with `make bench-search`. It fills its own database (SQLite under var/bench-search, or
the PostgreSQL database named by DATABASE_URL) with BENCH_ARTICLES articles (100,000 by
default), half English and half Persian, builds the search index with Wagtail's indexer
(on PostgreSQL the search table it reads instead, masthead/search/entries.py; set
BENCH_WAGTAIL_INDEX=1 for both), then times `live_search` and `search_articles` for a
fixed mixed list of queries and prints p50 and p95 in milliseconds. A database already
filled to the count is reused; BENCH_MEASURE_ONLY=1 skips migrating, filling and ANALYZE
and only times the searches (for re-measuring after a change to the service, when the
schema has not changed).
Nothing is asserted: the figures belong in masthead/search/README.md.
"""

import contextlib
import datetime
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone, translation  # noqa: E402
from wagtail.models import Page  # noqa: E402
from wagtail.search.backends import get_search_backend  # noqa: E402

from masthead.content.demo import texts_en, texts_fa  # noqa: E402
from masthead.content.models import ArticlePage, SectionPage  # noqa: E402
from masthead.search.entries import in_use, rebuild_entries  # noqa: E402
from masthead.search.models import ArticleSearchEntry  # noqa: E402
from masthead.search.services import SearchFilters, live_search, search_articles  # noqa: E402
from masthead.subscriptions.access import Reader  # noqa: E402

ARTICLES = int(os.environ.get("BENCH_ARTICLES", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
MEASURE_ONLY = os.environ.get("BENCH_MEASURE_ONLY", "") not in ("", "0")
WAGTAIL_INDEX = os.environ.get("BENCH_WAGTAIL_INDEX", "") not in ("", "0")
BATCH = 2000

# A fixed mixed list: common and rare English words, Persian words typed on a Persian and
# on an Arabic keyboard (yeh and kaf), a phrase, digits, and a query that finds nothing.
QUERIES = [
    ("en", "election"),
    ("en", "oil prices"),
    ("en", "parliament budget"),
    ("en", '"central bank"'),
    ("en", "tehran"),
    ("fa", "اقتصاد"),
    ("fa", "ایران"),
    ("fa", "ايران"),  # Arabic yeh
    ("fa", "کتاب"),
    ("fa", "كتاب"),  # Arabic kaf
    ("fa", "۱۴۰۴"),
    ("en", "zqxjkv nothing"),
]


def vocabulary(module) -> list[str]:
    """Every word the demo edition's texts use: realistic word shapes and frequencies."""
    words = []

    def walk(value, depth=0):
        if depth > 6:
            return
        if isinstance(value, str):
            words.extend(w for w in value.split() if w.strip(".,:;!?«»\"'()"))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item, depth + 1)
        elif isinstance(value, (list, tuple, set, frozenset)):
            for item in value:
                walk(item, depth + 1)
        elif hasattr(value, "__dataclass_fields__") and not isinstance(value, type):
            for name in value.__dataclass_fields__:
                walk(getattr(value, name), depth + 1)

    for name in dir(module):
        if not name.startswith("_"):
            walk(getattr(module, name))
    return words


def sentence(rng: random.Random, words: list[str], low: int, high: int) -> str:
    return " ".join(rng.choice(words) for _ in range(rng.randint(low, high)))


def ensure_sections():
    """A home and three sections per edition, made the ordinary way (a few pages)."""
    from masthead.content.tests.factories import make_paper, translate

    sections = list(SectionPage.objects.order_by("path"))
    if sections:
        return sections
    paper = make_paper()
    for section in (paper.news, paper.politics, paper.economy):
        translate(section, paper.persian, title=f"{section.title} (fa)")
    return list(SectionPage.objects.order_by("path"))


def base36(number: int, width: int) -> str:
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out.rjust(width, "0")


def fill(count: int) -> None:
    """Insert `count` articles in bulk.

    Pages are inserted with their treebeard paths computed here (parent path + the next
    four-character base-36 step), since adding 100,000 children one by one through
    treebeard would take hours; ArticlePage's own table row is inserted beside each Page
    row (bulk_create cannot create multi-table models). Nothing else is skipped: the index
    is then built by Wagtail's own indexer from the rows.
    """
    rng = random.Random(1970)  # noqa: S311 - bench text, not a secret
    words = {"en": vocabulary(texts_en), "fa": vocabulary(texts_fa)}
    sections = ensure_sections()
    by_locale = {}
    for section in sections:
        by_locale.setdefault(section.locale.language_code, []).append(section)
    article_type = ContentType.objects.get_for_model(ArticlePage)
    now = timezone.now()
    first_issue = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    span = (now - first_issue).total_seconds()
    children = {s.pk: s.numchild for s in sections}
    columns = [f.column for f in ArticlePage._meta.local_concrete_fields]
    table = ArticlePage._meta.db_table
    # Only quoted model metadata goes into the statement; the values are parameters.
    insert = (
        f"INSERT INTO {connection.ops.quote_name(table)} "  # noqa: S608
        f"({', '.join(connection.ops.quote_name(c) for c in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    made = 0
    while made < count:
        batch = min(BATCH, count - made)
        pages, rows = [], []
        for n in range(batch):
            language = "en" if (made + n) % 2 == 0 else "fa"
            section = rng.choice(by_locale[language])
            children[section.pk] += 1
            when = first_issue + datetime.timedelta(seconds=rng.random() * span)
            title = sentence(rng, words[language], 5, 11)
            pages.append(
                Page(
                    title=title,
                    draft_title=title,
                    slug=f"bench-{made + n}",
                    content_type=article_type,
                    locale_id=section.locale_id,
                    path=section.path + base36(children[section.pk], Page.steplen),
                    depth=section.depth + 1,
                    numchild=0,
                    live=True,
                    url_path=f"{section.url_path}bench-{made + n}/",
                    first_published_at=when,
                    last_published_at=when,
                )
            )
            body = [
                {
                    "type": "paragraph",
                    "value": f"<p>{sentence(rng, words[language], 40, 90)}</p>",
                    "id": f"p{made + n}-{k}",
                }
                for k in range(rng.randint(5, 10))
            ]
            rows.append([sentence(rng, words[language], 15, 30), json.dumps(body)])
        with transaction.atomic():
            created = Page.objects.bulk_create(pages)
            if any(page.pk is None for page in created):  # backends without RETURNING
                by_slug = dict(
                    Page.objects.filter(slug__in=[p.slug for p in pages]).values_list("slug", "pk")
                )
                for page in created:
                    page.pk = by_slug[page.slug]
            values = [
                [page.pk, standfirst, None, "", body, "public", True]
                for page, (standfirst, body) in zip(created, rows, strict=True)
            ]
            with connection.cursor() as cursor:
                cursor.executemany(insert, values)
        made += batch
        print(f"  {made} articles", end="\r", flush=True)
    for section in sections:
        Page.objects.filter(pk=section.pk).update(numchild=children[section.pk])
    print()


def build_index() -> None:
    """Index every article with Wagtail's indexer (what update_index does), in batches."""
    backend = get_search_backend()
    index = backend.get_index_for_model(ArticlePage)
    ids = list(ArticlePage.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ArticlePage.objects.filter(pk__in=ids[start : start + BATCH])
        with transaction.atomic():
            index.add_items(ArticlePage, list(chunk))
        print(f"  indexed {min(start + BATCH, len(ids))}", end="\r", flush=True)
    print()


@contextlib.contextmanager
def full_text_indexes_dropped():
    """Drop the search table's GIN indexes for a bulk rebuild and recreate them after.

    Built without a pending list (migration 0004), they would be updated row by row, each
    row adding a few hundred keys; built after, 100,000 rows took 154 s in all.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexdef LIKE '%% USING gin %%'",
            [ArticleSearchEntry._meta.db_table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for _name, definition in indexes:
                cursor.execute(definition)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure() -> None:
    reader = Reader.nobody()
    rows = []
    everything = {"live": [], "results": []}
    for language, query in QUERIES:
        with translation.override(language):
            timings = {"live": [], "results": []}
            found = 0
            for round_ in range(ROUNDS + 1):
                started = time.perf_counter()
                live_search(query, reader=reader, language=language)
                live_ms = (time.perf_counter() - started) * 1000
                started = time.perf_counter()
                results = search_articles(
                    query, reader=reader, filters=SearchFilters(language=language)
                )
                results_ms = (time.perf_counter() - started) * 1000
                found = results.total
                if round_:  # the first round warms caches
                    timings["live"].append(live_ms)
                    timings["results"].append(results_ms)
            for kind in timings:
                everything[kind] += timings[kind]
            rows.append((language, query, found, timings))
    print(f"\n{connection.vendor}, {ArticlePage.objects.count()} articles, {ROUNDS} rounds\n")
    print("| query | lang | found | live p50 | live p95 | results p50 | results p95 |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for language, query, found, timings in rows:
        live, results = timings["live"], timings["results"]
        print(
            f"| `{query}` | {language} | {found} | {statistics.median(live):.1f} | "
            f"{percentile(live, 0.95):.1f} | {statistics.median(results):.1f} | "
            f"{percentile(results, 0.95):.1f} |"
        )
    live, results = everything["live"], everything["results"]
    print(
        f"| **all** | | | **{statistics.median(live):.1f}** | **{percentile(live, 0.95):.1f}**"
        f" | **{statistics.median(results):.1f}** | **{percentile(results, 0.95):.1f}** |"
    )


def main() -> None:
    if MEASURE_ONLY:
        measure()
        return
    call_command("migrate", interactive=False, verbosity=0)
    have = ArticlePage.objects.count()
    if have < ARTICLES:
        print(f"Filling {ARTICLES - have} articles…")
        started = time.perf_counter()
        fill(ARTICLES - have)
        print(f"  filled in {time.perf_counter() - started:.0f} s")
        if in_use() and not WAGTAIL_INDEX:
            # PostgreSQL's searches read the search table, not Wagtail's index (an hour
            # for 100,000 articles on this machine): BENCH_WAGTAIL_INDEX=1 builds it too.
            print("  Wagtail's index not built: searches here read the search table")
        else:
            print("  indexing…")
            started = time.perf_counter()
            build_index()
            print(f"  indexed in {time.perf_counter() - started:.0f} s")
    if in_use() and ArticleSearchEntry.objects.count() < ArticlePage.objects.live().count():
        # PostgreSQL's own search table (masthead/search/entries.py): migrate fills it for
        # the articles already there; the bulk fill above bypasses publishing.
        started = time.perf_counter()
        with full_text_indexes_dropped():
            rebuild_entries()
        print(f"  search table rebuilt in {time.perf_counter() - started:.0f} s")
    # Planner statistics after a bulk fill: on SQLite what `migrate` does too
    # (masthead/search/apps.py), without which the planner drives the full-text join from
    # the wrong side; on PostgreSQL what autovacuum would do, some time later.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    measure()


if __name__ == "__main__":
    main()
