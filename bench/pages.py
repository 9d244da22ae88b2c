"""Measure the demo paper's pages in-process: time per request, queries and page weight.

Run with `make bench-pages` (it loads the demo paper first). Prints a table; nothing is
asserted, since timings belong in the README, not in tests. A page's weight is its HTML
plus every stylesheet and script it names (`<link rel="stylesheet">`, `<script src>`),
uncompressed, images apart: the budget of 100 KB is for what a reader's browser fetches.
"""

import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings.dev")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from masthead.content.models import ArticlePage, SectionPage  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "50"))


ASSET = re.compile(r'<(?:link rel="stylesheet" href|script src)="([^"]+)"')


def asset_bytes(html: str) -> int:
    """The stylesheets' and scripts' bytes the page names, each counted once."""
    names = {url.removeprefix(settings.STATIC_URL) for url in ASSET.findall(html)}
    return sum(Path(finders.find(name)).stat().st_size for name in names)


def measure(client: Client, url: str) -> tuple[float, int, int, int]:
    """Median milliseconds, queries, HTML bytes, and the stylesheets' and scripts' bytes."""
    client.get(url)  # warm the chrome and rendition caches
    timings = []
    for _ in range(ROUNDS):
        reset_queries()
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    html = response.content
    assets = asset_bytes(html.decode())
    return statistics.median(timings), len(connection.queries), len(html), assets


def premium_readers() -> list[tuple[str, Client]]:
    """A visitor whose meter is spent (the paywall) and the demo subscriber (full text)."""
    from django.contrib.auth import get_user_model

    from masthead.subscriptions.models import PaywallSettings

    visitor = Client()
    spent = PaywallSettings.objects.filter(meter_anonymous=0).exists()
    readers = [("premium, paywalled" if spent else "premium, metered visitor", visitor)]
    subscriber = get_user_model().objects.filter(username="subscriber").first()
    if subscriber is not None:
        client = Client()
        client.force_login(subscriber)
        readers.append(("premium, subscriber", client))
    return readers


def main() -> None:
    reference = ArticlePage.objects.live().filter(slug__contains="diplomat-defects").first()
    article = reference or ArticlePage.objects.live().first()
    pages = {
        "home (en)": "/",
        "home (fa)": "/fa/",
        "section": SectionPage.objects.live().filter(locale__language_code="en").first().url,
        "article (en)": article.url,
    }
    persian = article.get_translations().live().first()
    if persian:
        pages["article (fa)"] = persian.url
    premium = (
        ArticlePage.objects.live()
        .filter(access_level="subscribers", locale__language_code="en")
        .first()
    )
    client = Client()
    limit = 100 * 1024
    print(f"{ROUNDS} requests per page, in-process, {connection.vendor}")
    print(
        f"{'page':<24} {'median ms':>10} {'queries':>8} {'HTML B':>8} {'CSS+JS B':>9} "
        f"{'together B':>11}"
    )
    runs = [(name, client, url) for name, url in pages.items()]
    if premium is not None:
        runs += [(name, reader, premium.url) for name, reader in premium_readers()]
    with override_settings(DEBUG=True, ALLOWED_HOSTS=["*"]):
        for name, reader, url in runs:
            median, queries, html, assets = measure(reader, url)
            over = "  over the budget" if html + assets > limit else ""
            print(
                f"{name:<24} {median:>10.1f} {queries:>8} {html:>8} {assets:>9} "
                f"{html + assets:>11}{over}"
            )
    print(f"page-weight budget: {limit} B (HTML, CSS and JavaScript uncompressed, images apart)")


if __name__ == "__main__":
    main()
