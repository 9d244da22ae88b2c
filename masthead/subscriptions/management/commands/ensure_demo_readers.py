"""Create the demo paper's readers once and print how to sign in as each."""

import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from masthead.subscriptions import services
from masthead.subscriptions.models import PaymentMethod, Plan, PlanInterval, PlanKind

DEMO_READERS = (
    # username, what they have
    ("subscriber", "an annual digital subscription"),
    ("reader", "a registered account with five unlocks"),
)


class Command(BaseCommand):
    help = (
        "Make sure the demo readers exist (a subscriber, and a registered reader with "
        "unlocks) and print their credentials, kept in var/demo-readers.txt."
    )

    def handle(self, *args, **options):
        credentials_file = settings.VAR_DIR / "demo-readers.txt"
        known = {}
        if credentials_file.exists():
            for line in credentials_file.read_text().splitlines():
                username, _, password = line.partition(" ")
                known[username] = password
        User = get_user_model()
        for username, description in DEMO_READERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                password = secrets.token_urlsafe(9)
                with transaction.atomic():
                    user = User.objects.create_user(
                        username=username,
                        email=f"{username}@example.org",
                        password=password,
                        display_name=username.title(),
                    )
                    EmailAddress.objects.create(
                        user=user, email=user.email, primary=True, verified=True
                    )
                    self._give(user, username)
                known[username] = password
            shown = known.get(username, "(unchanged; delete the account to make a new one)")
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo reader with {description}: username {username}, password {shown}"
                )
            )
        credentials_file.parent.mkdir(parents=True, exist_ok=True)
        credentials_file.write_text("".join(f"{u} {p}\n" for u, p in known.items()))
        credentials_file.chmod(0o600)

    def _give(self, user, username: str) -> None:
        if username == "subscriber":
            plan = Plan.objects.filter(
                kind=PlanKind.SUBSCRIPTION, interval=PlanInterval.YEAR, includes_print=False
            ).first()
        else:
            plan = Plan.objects.filter(kind=PlanKind.UNLOCK_PACK).first()
        if plan is None:
            return
        price = plan.prices.first()
        services.record_payment(
            user=user,
            plan=plan,
            amount=price.amount if price else 0,
            currency=price.currency if price else "GBP",
            method=PaymentMethod.COMPLIMENTARY,
            note="Demo reader",
        )
