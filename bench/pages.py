"""Measure the demo paper's pages in-process: time per request, queries and page weight.

Run with `make bench` (it loads the demo paper first). Prints a table; nothing is asserted,
since timings belong in the README, not in tests.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings.dev")

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles import finders  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from masthead.content.models import ArticlePage, SectionPage  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "50"))


def asset_bytes() -> int:
    return sum(
        Path(finders.find(name)).stat().st_size for name in ("css/masthead.css", "js/masthead.js")
    )


def measure(client: Client, url: str) -> tuple[float, int, int]:
    client.get(url)  # warm the chrome and rendition caches
    timings = []
    for _ in range(ROUNDS):
        reset_queries()
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(timings), len(connection.queries), len(response.content)


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
    assets = asset_bytes()
    print(f"{ROUNDS} requests per page, in-process, {connection.vendor}; CSS+JS = {assets} B")
    print(f"{'page':<22} {'median ms':>10} {'queries':>8} {'HTML B':>8} {'HTML+CSS+JS B':>14}")
    with override_settings(DEBUG=True, ALLOWED_HOSTS=["*"]):
        for name, url in pages.items():
            median, queries, html = measure(client, url)
            print(f"{name:<22} {median:>10.1f} {queries:>8} {html:>8} {html + assets:>14}")
        if premium is not None:
            for name, reader in premium_readers():
                median, queries, html = measure(reader, premium.url)
                print(f"{name:<22} {median:>10.1f} {queries:>8} {html:>8} {html + assets:>14}")
    limit = 100 * 1024
    print(f"page-weight budget: {limit} B (HTML+CSS+JS, images apart)")


if __name__ == "__main__":
    main()
