"""The reader's side: plans, checkout, orders, the subscription account page, unlocks, gifts.

Every change is made by `services`; these views check who asks, ask the service, and say
what happened in the reader's edition.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from masthead.content.models import ArticlePage

from . import services, stripe_gateway
from .access import Reader, paywall_settings
from .forms import CheckoutForm
from .models import (
    GiftLink,
    Order,
    OrderStatus,
    Payment,
    Plan,
    PlanPrice,
    Subscription,
    SubscriptionState,
)


def plans_on_sale():
    return Plan.objects.filter(is_active=True).prefetch_related(
        Prefetch("prices", queryset=PlanPrice.objects.order_by("sort_order", "pk"))
    )


def plans_context(request: HttpRequest) -> dict:
    reader = Reader.from_request(request)
    return {
        "plans": plans_on_sale(),
        "card_payments": stripe_gateway.is_enabled(),
        "current_subscription": reader.subscription,
        "language": get_language(),
    }


def plans(request: HttpRequest) -> HttpResponse:
    """The plans; the edition's Subscription page shows them with its own text when it exists."""
    from .models import SubscriptionPage

    page = SubscriptionPage.objects.live().filter(locale__language_code=get_language()).first()
    if page is not None:
        return redirect(page.get_url(request))
    return render(request, "subscriptions/plans.html", plans_context(request))


@login_required
def checkout(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = get_object_or_404(plans_on_sale(), pk=plan_id)
    card_payments = stripe_gateway.is_enabled()
    form = CheckoutForm(request.POST or None, plan=plan, card_payments=card_payments)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.place_order(
                request.user,
                plan,
                form.cleaned_data["currency"],
                form.cleaned_data.get("postal_address", ""),
            )
        except services.Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            if form.cleaned_data["payment"] != CheckoutForm.BY_CARD:
                return redirect("subscriptions:order", reference=order.reference)
            try:
                return HttpResponseRedirect(
                    stripe_gateway.start_checkout(order, request), status=303
                )
            except services.Refused as refusal:
                # Stripe refused or is unreachable: the order waits, and can be paid by hand.
                form.add_error(None, str(refusal))
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "subscriptions/checkout.html",
        {"plan": plan, "form": form, "card_payments": card_payments, "language": get_language()},
        status=status,
    )


@login_required
def order_detail(request: HttpRequest, reference: str) -> HttpResponse:
    # Another reader's order is a 404, as if it did not exist: references are not guessable.
    order = get_object_or_404(
        Order.objects.select_related("plan"), reference=reference, user=request.user
    )
    policy = paywall_settings(request)
    return render(
        request,
        "subscriptions/order.html",
        {
            "order": order,
            "bank_details": policy.bank_details_for(get_language()),
            "language": get_language(),
        },
    )


@login_required
def account(request: HttpRequest) -> HttpResponse:
    user = request.user
    reader = Reader.from_request(request)
    subscriptions = list(
        Subscription.objects.filter(user=user)
        .select_related("plan")
        .order_by("-current_period_end")
    )
    policy = paywall_settings(request)
    return render(
        request,
        "subscriptions/account.html",
        {
            "current": next((s for s in subscriptions if s.state != SubscriptionState.ENDED), None),
            "past": [s for s in subscriptions if s.state == SubscriptionState.ENDED],
            "payments": Payment.objects.filter(user=user).select_related("plan")[:50],
            "orders": Order.objects.filter(
                user=user, status=OrderStatus.AWAITING_PAYMENT
            ).select_related("plan"),
            "unlocks_left": reader.unlocks_left,
            "gift_links_left": services.gift_links_left(user, policy.gift_links_per_month)
            if reader.subscription
            else None,
            "card_payments": stripe_gateway.is_enabled(),
            "language": get_language(),
        },
    )


@login_required
@require_POST
def billing(request: HttpRequest) -> HttpResponse:
    """Send a card-paying reader to Stripe's customer portal for cards and invoices."""
    if not stripe_gateway.is_enabled():
        messages.error(request, _("Card payments are not available at the moment."))
        return redirect("subscriptions:account")
    return_url = request.build_absolute_uri(reverse("subscriptions:account"))
    try:
        return HttpResponseRedirect(stripe_gateway.portal_url(request.user, return_url), status=303)
    except services.Refused as refusal:
        messages.error(request, str(refusal))
        return redirect("subscriptions:account")


def _own_subscription(request, subscription_id: int) -> Subscription:
    subscription = get_object_or_404(
        Subscription.objects.select_related("plan"), pk=subscription_id
    )
    if subscription.user_id != request.user.pk:
        # Someone else's subscription: the same answer as one that does not exist.
        raise Http404("No such subscription")
    return subscription


@login_required
def cancel(request: HttpRequest, subscription_id: int) -> HttpResponse:
    """Ask 'are you sure?' on GET; cancel at the end of the period on POST."""
    subscription = _own_subscription(request, subscription_id)
    if request.method == "POST":
        try:
            services.cancel(subscription, request.user)
        except services.Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request,
                _("Your subscription is cancelled. You can read everything until it ends."),
            )
        return redirect("subscriptions:account")
    return render(
        request,
        "subscriptions/cancel.html",
        {"subscription": subscription, "language": get_language()},
    )


@login_required
@require_POST
def resume(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = _own_subscription(request, subscription_id)
    try:
        services.resume(subscription, request.user)
    except services.Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Welcome back: your subscription will renew as before."))
    return redirect("subscriptions:account")


def _back_to(request: HttpRequest, article: ArticlePage) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return article.get_url(request) or "/"


@login_required
@require_POST
def unlock(request: HttpRequest, article_id: int) -> HttpResponse:
    article = get_object_or_404(ArticlePage.objects.live(), pk=article_id)
    if not article.is_premium:
        messages.info(request, _("This article is free to everyone."))
        return HttpResponseRedirect(_back_to(request, article))
    try:
        spent = services.unlock(request.user, article)
    except services.Refused as refusal:
        messages.error(request, str(refusal))
    else:
        if spent:
            messages.success(request, _("Article unlocked. It stays open for you."))
        else:
            messages.info(request, _("You had unlocked this article already; nothing was spent."))
    return HttpResponseRedirect(_back_to(request, article))


@login_required
@require_POST
def gift(request: HttpRequest, article_id: int) -> HttpResponse:
    article = get_object_or_404(ArticlePage.objects.live(), pk=article_id)
    policy = paywall_settings(request)
    try:
        link = services.create_gift_link(
            request.user,
            article,
            per_month=policy.gift_links_per_month,
            days=policy.gift_link_days,
        )
    except services.Refused as refusal:
        messages.error(request, str(refusal))
        return HttpResponseRedirect(_back_to(request, article))
    return redirect(reverse("subscriptions:gifts") + f"#gift-{link.pk}")


@login_required
def gifts(request: HttpRequest) -> HttpResponse:
    links = GiftLink.objects.filter(sender=request.user).select_related("article")[:50]
    policy = paywall_settings(request)
    return render(
        request,
        "subscriptions/gifts.html",
        {
            "links": [
                (
                    link,
                    request.build_absolute_uri(link.article.get_url(request) or "/")
                    + f"?gift={link.token}",
                )
                for link in links
            ],
            "gift_links_left": services.gift_links_left(request.user, policy.gift_links_per_month),
            "now": timezone.now(),
            "language": get_language(),
        },
    )
