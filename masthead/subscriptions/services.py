"""Every change to what a reader is entitled to goes through here, once.

The site's views, the admin's manual payments and Stripe's webhooks all call these
functions, so a subscription paid by cheque and one paid by card are the same records.
Each function is safe to call twice with the same input: the second call changes nothing.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from masthead.content.models import ArticlePage

from . import signals
from .models import (
    GiftLink,
    MeteredRead,
    Order,
    OrderStatus,
    Payment,
    PaymentMethod,
    Plan,
    PlanKind,
    Subscription,
    SubscriptionState,
    UnlockedArticle,
    UnlockWallet,
)


class Refused(Exception):
    """A request that changes nothing; the message is shown to the reader or the staff."""


# Orders and payments ---------------------------------------------------------------------


def place_order(user, plan: Plan, currency: str, postal_address: str = "") -> Order:
    if not plan.is_active:
        raise Refused(_("This plan is no longer on sale."))
    price = plan.price_in(currency)
    if price is None:
        raise Refused(_("This plan has no price in that currency."))
    if plan.includes_print and not postal_address.strip():
        raise Refused(_("Please give the postal address the paper should be sent to."))
    waiting = Order.objects.filter(
        user=user, plan=plan, status=OrderStatus.AWAITING_PAYMENT, stripe_checkout_session_id=""
    ).first()
    if waiting is not None:
        # Checking out again updates the order already waiting instead of adding another
        # that staff or the reader might pay a second time.
        waiting.currency, waiting.amount = price.currency, price.amount
        waiting.postal_address = postal_address.strip()
        waiting.save(update_fields=["currency", "amount", "postal_address"])
        return waiting
    return Order.objects.create(
        user=user,
        plan=plan,
        currency=price.currency,
        amount=price.amount,
        postal_address=postal_address.strip(),
    )


@dataclass
class PaymentResult:
    payment: Payment
    subscription: Subscription | None
    created: bool  # False when the same payment had been recorded before


def record_payment(
    *,
    user,
    plan: Plan,
    amount,
    currency: str,
    method: str,
    reference: str = "",
    order: Order | None = None,
    recorded_by=None,
    note: str = "",
    paid_at: datetime.datetime | None = None,
    period_end: datetime.datetime | None = None,
    postal_address: str = "",
    stripe_subscription_id: str = "",
) -> PaymentResult:
    """Record money received and give what it pays for: a period, or a pack of unlocks.

    A payment whose (method, reference) was recorded before changes nothing; that is how a
    double-clicked form or a replayed webhook stays harmless.
    """
    paid_at = paid_at or timezone.now()
    reference = reference.strip()
    if reference:
        earlier = Payment.objects.filter(method=method, reference=reference).first()
        if earlier is not None:
            return PaymentResult(earlier, earlier.subscription, created=False)
    try:
        with transaction.atomic():
            subscription = None
            if plan.kind == PlanKind.SUBSCRIPTION:
                address = postal_address or (order.postal_address if order else "")
                subscription = _extend_subscription(
                    user, plan, paid_at, period_end, address, stripe_subscription_id
                )
            else:
                add_unlocks(user, plan.unlocks)
            payment = Payment.objects.create(
                user=user,
                plan=plan,
                subscription=subscription,
                order=order,
                method=method,
                amount=amount,
                currency=currency.upper(),
                reference=reference,
                paid_at=paid_at,
                recorded_by=recorded_by,
                note=note,
            )
            if order is not None:
                Order.objects.filter(pk=order.pk).update(status=OrderStatus.PAID)
    except IntegrityError:
        # Two requests raced with the same reference; the other one won.
        earlier = Payment.objects.get(method=method, reference=reference)
        return PaymentResult(earlier, earlier.subscription, created=False)
    return PaymentResult(payment, subscription, created=True)


def _extend_subscription(
    user, plan, paid_at, period_end, postal_address, stripe_subscription_id
) -> Subscription:
    """Start a subscription, or add one period to the reader's current one of the same plan."""
    current = (
        Subscription.objects.select_for_update()
        .filter(user=user, plan=plan)
        .exclude(state=SubscriptionState.ENDED)
        .order_by("-current_period_end")
        .first()
    )
    same_at_stripe = None
    if stripe_subscription_id:
        same_at_stripe = (
            Subscription.objects.select_for_update()
            .filter(stripe_subscription_id=stripe_subscription_id)
            .first()
        )
        current = same_at_stripe or current
    # One Stripe subscription is one row: its payments reopen it, even after a lapse.
    if current is None or (
        same_at_stripe is None and not current.is_entitling(paid_at) and current.state != "past_due"
    ):
        subscription = Subscription.objects.create(
            user=user,
            plan=plan,
            state=SubscriptionState.ACTIVE,
            started_at=paid_at,
            current_period_end=period_end or plan.period_end_after(paid_at),
            postal_address=postal_address,
            stripe_subscription_id=stripe_subscription_id,
        )
        signals.subscription_started.send(Subscription, subscription=subscription)
        return subscription
    start = max(current.current_period_end, paid_at)
    current.current_period_end = period_end or plan.period_end_after(start)
    if current.state in (SubscriptionState.PAST_DUE, SubscriptionState.ENDED):
        current.state = SubscriptionState.ACTIVE
        current.ended_at = None
    current.grace_until = None
    if postal_address:
        current.postal_address = postal_address
    if stripe_subscription_id and not current.stripe_subscription_id:
        current.stripe_subscription_id = stripe_subscription_id
    current.save()
    signals.subscription_renewed.send(Subscription, subscription=current)
    return current


# Staff's changes to a subscription -------------------------------------------------------


def extend(subscription: Subscription, until: datetime.datetime) -> Subscription:
    if until <= timezone.now():
        raise Refused(_("Choose a date in the future."))
    subscription.current_period_end = until
    if subscription.state in (SubscriptionState.ENDED, SubscriptionState.PAST_DUE):
        subscription.state = SubscriptionState.ACTIVE
        subscription.ended_at = None
        subscription.grace_until = None
    subscription.save()
    return subscription


def end_now(subscription: Subscription) -> Subscription:
    if subscription.state == SubscriptionState.ENDED:
        return subscription
    now = timezone.now()
    subscription.state = SubscriptionState.ENDED
    subscription.ended_at = now
    subscription.current_period_end = min(subscription.current_period_end, now)
    subscription.save()
    signals.subscription_ended.send(Subscription, subscription=subscription)
    return subscription


def end_lapsed(now: datetime.datetime | None = None) -> int:
    """Mark subscriptions whose paid period (or grace) has passed as ended; run nightly."""
    now = now or timezone.now()
    ended = 0
    lapsed = Subscription.objects.exclude(state=SubscriptionState.ENDED).exclude(
        pk__in=Subscription.objects.entitling(now).values("pk")
    )
    for subscription in lapsed:
        end_now(subscription)
        ended += 1
    return ended


def forget_old_metered_reads(now: datetime.datetime | None = None) -> int:
    """Delete meter rows no window can count any more (the longest is 31 days); run nightly.

    Visitors without cookies (crawlers among them) leave a row per premium page they open;
    keeping them would grow the table for nothing.
    """
    cutoff = (now or timezone.now()) - datetime.timedelta(days=32)
    deleted, _by_model = MeteredRead.objects.filter(read_at__lt=cutoff).delete()
    return deleted


# The reader's own changes ----------------------------------------------------------------


def cancel(subscription: Subscription, user) -> Subscription:
    """Stop renewal; access lasts until the end of the period already paid for."""
    if subscription.user_id != user.pk:
        raise Refused(_("This is not your subscription."))
    if subscription.state == SubscriptionState.CANCELLING:
        return subscription
    if subscription.state != SubscriptionState.ACTIVE:
        raise Refused(_("Only an active subscription can be cancelled."))
    if subscription.is_stripe:
        from . import stripe_gateway

        stripe_gateway.set_cancel_at_period_end(subscription, True)
    subscription.state = SubscriptionState.CANCELLING
    subscription.save(update_fields=["state", "updated_at"])
    signals.subscription_cancelled.send(Subscription, subscription=subscription)
    return subscription


def resume(subscription: Subscription, user) -> Subscription:
    """Undo a cancellation before the period ends."""
    if subscription.user_id != user.pk:
        raise Refused(_("This is not your subscription."))
    if subscription.state == SubscriptionState.ACTIVE:
        return subscription
    if subscription.state != SubscriptionState.CANCELLING or not subscription.is_entitling():
        raise Refused(_("This subscription has ended; please subscribe again."))
    if subscription.is_stripe:
        from . import stripe_gateway

        stripe_gateway.set_cancel_at_period_end(subscription, False)
    subscription.state = SubscriptionState.ACTIVE
    subscription.save(update_fields=["state", "updated_at"])
    signals.subscription_resumed.send(Subscription, subscription=subscription)
    return subscription


# Unlocks ---------------------------------------------------------------------------------


def add_unlocks(user, count: int) -> None:
    wallet, _created = UnlockWallet.objects.get_or_create(user=user)
    UnlockWallet.objects.filter(pk=wallet.pk).update(unlocks_left=F("unlocks_left") + count)


def unlock(user, article: ArticlePage) -> bool:
    """Spend one unlock on the article, once; return False when it was unlocked already.

    The unique (reader, article) row is written first and the wallet decremented only if it
    still holds an unlock, in one transaction: two tabs clicking at once spend one unlock.
    """
    try:
        with transaction.atomic():
            UnlockedArticle.objects.create(
                user=user, article_key=article.translation_key, article=article
            )
            spent = UnlockWallet.objects.filter(user=user, unlocks_left__gt=0).update(
                unlocks_left=F("unlocks_left") - 1
            )
            if not spent:
                raise Refused(_("You have no unlocks left."))
    except IntegrityError:
        return False
    return True


# Gift links ------------------------------------------------------------------------------


def gift_links_left(user, per_month: int, now: datetime.datetime | None = None) -> int:
    local = timezone.localtime(now or timezone.now())
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    sent = GiftLink.objects.filter(sender=user, created_at__gte=month_start).count()
    return max(per_month - sent, 0)


def create_gift_link(user, article: ArticlePage, *, per_month: int, days: int) -> GiftLink:
    """A subscriber's link that opens the article for anyone for `days` days."""
    if not Subscription.objects.filter(user=user).entitling().exists():
        raise Refused(_("Gift links are for subscribers."))
    if not article.is_premium:
        raise Refused(_("This article is free to everyone already."))
    with transaction.atomic():
        # Lock the reader's row so two tabs cannot both take the last link of the month.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        still_open = GiftLink.objects.filter(
            sender=user,
            article__translation_key=article.translation_key,
            expires_at__gt=timezone.now() + datetime.timedelta(days=1),
        ).first()
        if still_open is not None:  # a second click hands back the same link, for free
            return still_open
        if gift_links_left(user, per_month) <= 0:
            raise Refused(_("You have sent all your gift links for this month."))
        return GiftLink.objects.create(
            sender=user,
            article=article,
            expires_at=timezone.now() + datetime.timedelta(days=days),
        )


PAYMENT_METHODS_BY_HAND = [m for m in PaymentMethod if m != PaymentMethod.STRIPE]


# Readers moved from another system (the WordPress import) --------------------------------


def import_subscription(
    user,
    plan: Plan,
    *,
    period_end: datetime.datetime,
    subscription: Subscription | None = None,
) -> tuple[Subscription, bool]:
    """Give a reader the period they had paid for elsewhere; return it and whether it changed.

    `subscription` is the row an earlier import made for this reader (the importer keeps
    track of it), or None to make one. Only that row is ever touched: a subscription the
    reader took out here, by card or by hand, is not. A period is never shortened: a reader
    who renewed here keeps the later end. No payment is recorded (none was made here).
    """
    now = timezone.now()
    if subscription is None:
        active = period_end > now
        subscription = Subscription.objects.create(
            user=user,
            plan=plan,
            state=SubscriptionState.ACTIVE if active else SubscriptionState.ENDED,
            started_at=min(now, period_end),
            current_period_end=period_end,
            ended_at=None if active else period_end,
        )
        if active:
            signals.subscription_started.send(Subscription, subscription=subscription)
        return subscription, True
    subscription = Subscription.objects.select_for_update().get(pk=subscription.pk)
    if period_end <= subscription.current_period_end:
        return subscription, False
    was_entitling = subscription.is_entitling(now)
    subscription.current_period_end = period_end
    if period_end > now and subscription.state in (
        SubscriptionState.ENDED,
        SubscriptionState.PAST_DUE,
    ):
        subscription.state = SubscriptionState.ACTIVE
        subscription.ended_at = None
        subscription.grace_until = None
    subscription.save()
    if subscription.is_entitling(now):
        signal = signals.subscription_renewed if was_entitling else signals.subscription_started
        signal.send(Subscription, subscription=subscription)
    return subscription, True


def import_unlocks(user, count: int, *, last_imported: int | None) -> tuple[UnlockWallet, bool]:
    """Bring over the unlocks a reader had left elsewhere; return the wallet, whether it changed.

    Only the change since the last import (`last_imported`, None the first time) is applied,
    so unlocks the reader bought or spent here since are kept; the balance never goes below
    zero.
    """
    wallet, created = UnlockWallet.objects.get_or_create(
        user=user, defaults={"unlocks_left": count}
    )
    if created:
        return wallet, count > 0
    difference = count - (last_imported or 0)
    if difference == 0:
        return wallet, False
    UnlockWallet.objects.filter(pk=wallet.pk).update(
        unlocks_left=Greatest(F("unlocks_left") + difference, Value(0))
    )
    wallet.refresh_from_db()
    return wallet, True


def grant_unlock(user, article: ArticlePage) -> bool:
    """Record an article the reader unlocked elsewhere, spending nothing; False if known."""
    _row, created = UnlockedArticle.objects.get_or_create(
        user=user, article_key=article.translation_key, defaults={"article": article}
    )
    return created
