"""Subscribing, unlocking and cancelling in a real browser, as a reader does them."""

from playwright.sync_api import expect

PASSWORD = "a-Long-and-unusual-passphrase-42"
SECRET = "The auditors found the second ledger in the basement."


def sign_in(page, live_server, username: str) -> None:
    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_login").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Login").click()
    expect(page.locator(".account-menu__name")).to_be_visible()


def premium_setup(paper):
    from wagtail.models import Site

    from masthead.subscriptions.models import PaywallSettings
    from masthead.subscriptions.tests.factories import (
        make_pack,
        make_plan,
        make_premium_article,
        make_reader,
    )

    PaywallSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"meter_anonymous": 0, "meter_registered": 0, "bank_details": "Sort code 12-34"},
    )
    article = make_premium_article(paper.politics, "The Ledger", secret=SECRET)
    plan = make_plan("Digital, monthly", prices={"GBP": "6.00"})
    pack = make_pack(3)
    user = make_reader("shirin", password=PASSWORD, display_name="Shirin")
    return article, plan, pack, user


def test_subscribe_by_manual_payment_then_read_everything(page, live_server, paper):
    from masthead.subscriptions import services
    from masthead.subscriptions.models import Order

    article, plan, _pack, user = premium_setup(paper)
    sign_in(page, live_server, "shirin")
    page.goto(live_server.url + article.url)
    paywall = page.locator("[data-paywall]")
    expect(paywall).to_be_visible()
    assert SECRET not in page.content()

    paywall.get_by_role("link", name="Subscribe").click()
    page.locator(f"#plan-{plan.pk}").get_by_role("link", name="Subscribe").click()
    expect(page.get_by_label("By bank transfer or cheque")).to_be_checked()
    page.get_by_role("button", name="Continue").click()
    order = Order.objects.get(user=user)
    expect(page.locator(".order__reference")).to_have_text(order.reference)
    expect(page.get_by_text("Sort code 12-34")).to_be_visible()

    # The subscriptions manager records the cheque against the order's reference.
    services.record_payment(
        user=user,
        plan=plan,
        amount=order.amount,
        currency=order.currency,
        method="cheque",
        reference="CHQ-1001",
        order=order,
    )
    page.goto(live_server.url + article.url)
    expect(page.get_by_text(SECRET)).to_be_visible()
    expect(page.locator("[data-paywall]")).to_have_count(0)


def test_unlock_an_article_with_confirmation(page, live_server, paper):
    from masthead.subscriptions import services
    from masthead.subscriptions.models import UnlockWallet

    article, _plan, pack, user = premium_setup(paper)
    services.record_payment(user=user, plan=pack, amount=5, currency="GBP", method="cash")
    sign_in(page, live_server, "shirin")
    page.goto(live_server.url + article.url)
    offer = page.locator("[data-paywall] .paywall__unlock")
    expect(offer).to_contain_text("Unlock this article?")
    expect(offer).to_contain_text("Unlocks left: 3")
    offer.get_by_role("button", name="Yes, unlock it").click()
    expect(page.get_by_text("Article unlocked")).to_be_visible()
    expect(page.get_by_text(SECRET)).to_be_visible()
    assert UnlockWallet.objects.get(user=user).unlocks_left == 2


def test_cancel_with_confirmation_and_resume(page, live_server, paper):
    from masthead.subscriptions.models import Subscription
    from masthead.subscriptions.tests.factories import make_subscription

    article, plan, _pack, user = premium_setup(paper)
    subscription = make_subscription(user, plan)
    sign_in(page, live_server, "shirin")
    page.goto(live_server.url + "/subscriptions/account/")
    page.get_by_role("link", name="Cancel subscription").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to cancel your subscription?"
    )
    page.get_by_role("button", name="Yes, cancel my subscription").click()
    expect(page.locator("[data-subscription-state]")).to_have_attribute(
        "data-subscription-state", "cancelling"
    )
    assert Subscription.objects.get(pk=subscription.pk).state == "cancelling"
    page.goto(live_server.url + article.url)
    expect(page.get_by_text(SECRET)).to_be_visible()  # paid until the period ends
    page.goto(live_server.url + "/subscriptions/account/")
    page.get_by_role("button", name="Resume subscription").click()
    expect(page.locator("[data-subscription-state]")).to_have_attribute(
        "data-subscription-state", "active"
    )
