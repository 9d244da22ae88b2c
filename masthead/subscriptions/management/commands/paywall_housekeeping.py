"""End subscriptions whose paid period has passed and forget old meter rows; run nightly."""

from django.core.management.base import BaseCommand

from masthead.subscriptions import services


class Command(BaseCommand):
    help = (
        "End manual and Stripe subscriptions whose period (and grace) has passed, and delete "
        "meter rows older than any meter window. Safe to run any number of times."
    )

    def handle(self, *args, **options):
        ended = services.end_lapsed()
        forgotten = services.forget_old_metered_reads()
        self.stdout.write(f"Ended {ended} subscription(s); forgot {forgotten} old meter row(s).")
