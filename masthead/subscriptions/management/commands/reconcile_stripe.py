"""Repair what lost webhooks left wrong: compare every Stripe subscription with Stripe."""

import stripe
from django.core.management.base import BaseCommand
from django.utils import timezone

from masthead.subscriptions import services, stripe_gateway, stripe_sync
from masthead.subscriptions.models import StripeEventOutcome, Subscription, SubscriptionState


class Command(BaseCommand):
    help = (
        "Fetch every subscription paid through Stripe and make ours agree with it, then end "
        "subscriptions whose paid period (or grace period) has passed. Run nightly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Report the drift; change nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        repaired = unreachable = 0
        stripe_subscriptions = (
            Subscription.objects.exclude(stripe_subscription_id="")
            .select_related("user", "plan")
            .order_by("pk")
        )
        if stripe_subscriptions.exists() and not stripe_gateway.is_enabled():
            self.stderr.write("STRIPE_SECRET_KEY is not set: Stripe subscriptions not checked.")
            stripe_subscriptions = Subscription.objects.none()
        for subscription in stripe_subscriptions:
            label = (
                f"{subscription.stripe_subscription_id} ({subscription.user}, {subscription.plan})"
            )
            try:
                at_stripe = stripe_gateway.fetch_subscription(subscription.stripe_subscription_id)
            except stripe.StripeError as error:
                unreachable += 1
                self.stdout.write(f"{label}: not checked: {error.user_message or error}")
                continue
            if dry_run:
                drift = stripe_sync.compare(subscription, at_stripe)
                notes = drift.notes or (
                    [f"price {drift.unknown_price} is not one of our plans"]
                    if drift.unknown_price
                    else []
                )
                if drift.fields or drift.unknown_price:
                    repaired += 1
                    self.stdout.write(f"{label}: would change: {'; '.join(notes)}")
                continue
            applied = stripe_sync.apply_subscription_object(subscription, at_stripe)
            if applied.outcome != StripeEventOutcome.APPLIED:
                self.stdout.write(f"{label}: left alone: {applied.note}")
            elif applied.changed:
                repaired += 1
                self.stdout.write(f"{label}: {applied.note}")

        if dry_run:
            lapsed = (
                Subscription.objects.exclude(state=SubscriptionState.ENDED)
                .exclude(pk__in=Subscription.objects.entitling(timezone.now()).values("pk"))
                .count()
            )
            self.stdout.write(
                f"Dry run: {repaired} would be repaired, {lapsed} would end, "
                f"{unreachable} not checked."
            )
            return
        ended = services.end_lapsed()
        self.stdout.write(
            f"{repaired} repaired from Stripe, {ended} lapsed subscriptions ended, "
            f"{unreachable} not checked."
        )
