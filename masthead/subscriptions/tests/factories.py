"""Plans, readers and premium articles for the subscriptions tests."""

import datetime
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.utils import timezone

from masthead.content.models import AccessLevel
from masthead.content.tests.factories import publish
from masthead.subscriptions.models import (
    Plan,
    PlanInterval,
    PlanKind,
    PlanPrice,
    Subscription,
    SubscriptionState,
)


def make_plan(
    name: str = "Digital, monthly",
    *,
    kind: str = PlanKind.SUBSCRIPTION,
    interval: str = PlanInterval.MONTH,
    includes_print: bool = False,
    unlocks: int = 0,
    prices: dict | None = None,
    stripe_prices: dict | None = None,
) -> Plan:
    plan = Plan.objects.create(
        name=name,
        name_fa=f"{name} (fa)",
        kind=kind,
        interval=interval if kind == PlanKind.SUBSCRIPTION else "",
        includes_print=includes_print,
        unlocks=unlocks,
    )
    for currency, amount in (prices or {"GBP": "6.00"}).items():
        PlanPrice.objects.create(
            plan=plan,
            currency=currency,
            amount=Decimal(amount),
            stripe_price_id=(stripe_prices or {}).get(currency, ""),
        )
    return plan


def make_pack(unlocks: int = 5) -> Plan:
    return make_plan(
        "Five unlocks", kind=PlanKind.UNLOCK_PACK, unlocks=unlocks, prices={"GBP": "5.00"}
    )


def make_reader(
    username: str = "reader", *, verified: bool = True, password="a long pass phrase 7", **fields
):
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.org", password=password, **fields
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=verified)
    return user


def make_subscription(
    user, plan: Plan, *, state=SubscriptionState.ACTIVE, days_left: float = 20, **fields
) -> Subscription:
    return Subscription.objects.create(
        user=user,
        plan=plan,
        state=state,
        current_period_end=timezone.now() + datetime.timedelta(days=days_left),
        **fields,
    )


def make_premium_article(
    section, title: str, *, secret: str, level=AccessLevel.SUBSCRIBERS, marker: bool = True
):
    """An article whose `secret` sentence sits after the free preview."""
    from masthead.content.models import ArticlePage

    body = [
        {"type": "paragraph", "value": f"<p>{title}: the free opening.</p>"},
        {"type": "paragraph", "value": f"<p>{title}: more of the free part.</p>"},
    ]
    if marker:
        body.append({"type": "preview_break", "value": None})
    body += [
        {"type": "paragraph", "value": f"<p>{title}: third.</p>"},
        {"type": "paragraph", "value": f"<p>{secret}</p>"},
    ]
    article = ArticlePage(
        title=title, standfirst=f"What {title} is about.", body=body, access_level=level
    )
    return publish(section, article, at=timezone.now() - datetime.timedelta(hours=2))
