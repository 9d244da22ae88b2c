"""Fill an empty site with the demo paper: both editions, their pages, articles and menus."""

import argparse
import time

from django.core.management.base import BaseCommand

from masthead.content.demo.builder import DemoBuilder
from masthead.content.models import ArticlePage


def article_count(value: str) -> int:
    """Parse a count of articles to generate; argparse reports anything else as an error."""
    try:
        count = int(value)
    except ValueError:
        count = -1
    if count < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of articles, got {value!r}")
    return count


class Command(BaseCommand):
    help = (
        "Build the demo paper (Iran Times, in English and Persian) without network access. "
        "Rerunnable: anything already there is kept, so a second run creates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing if any article exists (for `make run` on an existing database).",
        )
        parser.add_argument(
            "--articles-en",
            type=article_count,
            default=200,
            help="English articles to generate, besides the reference page's stories "
            "(default: 200).",
        )
        parser.add_argument(
            "--articles-fa",
            type=article_count,
            default=50,
            help="Persian articles to generate, besides the reference article's translation "
            "(default: 50).",
        )

    def handle(self, *args, **options):
        if options["if_empty"] and ArticlePage.objects.exists():
            self.stdout.write("Articles already exist; the demo paper was not loaded.")
            return
        started = time.monotonic()
        DemoBuilder(log=self.stdout.write).build(
            articles_en=options["articles_en"], articles_fa=options["articles_fa"]
        )
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Demo paper ready in {elapsed:.1f} s."))
