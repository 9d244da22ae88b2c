"""The paywall as a new reader meets it: the visitor meter, registering for more, a gift link.

tests/browser/test_subscriptions.py covers subscribing, unlocking and cancelling; these follow
the reader before any of that, and the friend who receives a gift link.
"""

import re

from playwright.sync_api import expect

from tests.browser.test_password_recovery import inbox  # noqa: F401 (a fixture: real SMTP)
from tests.browser.test_subscriptions import premium_setup, sign_in

PASSWORD = "a-Long-and-unusual-passphrase-42"


def paywall_policy(*, visitors: int, registered: int) -> None:
    from wagtail.models import Site

    from masthead.subscriptions.models import PaywallSettings

    PaywallSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={"meter_anonymous": visitors, "meter_registered": registered},
    )


def premium_articles(paper, count: int) -> list[tuple]:
    """`count` subscriber articles, each with a sentence that only an entitled reader sees."""
    from masthead.subscriptions.tests.factories import make_premium_article

    sections = [paper.news, paper.politics, paper.economy]
    made = []
    for number in range(1, count + 1):
        secret = f"Sealed finding number {number} stays behind the paywall."
        article = make_premium_article(
            sections[number % len(sections)], f"Inquiry {number}", secret=secret
        )
        made.append((article, secret))
    return made


def expect_open(page, secret: str, note: str) -> None:
    expect(page.get_by_text(secret)).to_be_visible()
    expect(page.locator("[data-paywall]")).to_have_count(0)
    expect(page.locator(".paywall-note")).to_contain_text(note)


def expect_closed(page, secret: str, notice: str) -> None:
    paywall = page.locator("[data-paywall]")
    expect(paywall).to_be_visible()
    expect(paywall.locator(".paywall__notice").filter(has_text=notice)).to_be_visible()
    assert secret not in page.content()


def test_the_visitor_meter_runs_out_then_a_new_account_reads_more(
    page,
    live_server,
    paper,
    inbox,  # noqa: F811
):
    from django.contrib.auth import get_user_model

    from masthead.subscriptions.models import MeteredRead

    paywall_policy(visitors=2, registered=2)
    articles = premium_articles(paper, 5)
    (first, first_secret), (second, second_secret), (third, third_secret) = articles[:3]
    (fourth, fourth_secret), (fifth, fifth_secret) = articles[3:]

    page.goto(live_server.url + first.url)
    expect_open(page, first_secret, "You can read 1 more premium article for free.")
    reader_cookie = next(c for c in page.context.cookies() if c["name"] == "masthead_reader")
    assert reader_cookie["httpOnly"]
    page.goto(live_server.url + second.url)
    expect_open(page, second_secret, "This is your last free premium article for now.")
    page.goto(live_server.url + third.url)
    expect_closed(
        page, third_secret, "You have read all your free premium articles. Register for more"
    )
    # Re-reading an article the meter already counted costs nothing.
    page.goto(live_server.url + first.url)
    expect(page.get_by_text(first_secret)).to_be_visible()

    page.goto(live_server.url + third.url)
    page.locator("[data-paywall]").get_by_role("link", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Register")
    page.locator("#id_email").fill("parisa@example.org")
    page.locator("#id_username").fill("parisa")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")

    assert len(inbox.messages) == 1
    body = inbox.messages[0].get_payload(decode=True).decode()
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", body)[0]
    page.goto(link)
    page.locator("main form").get_by_role("button", name="Confirm").click()
    # Confirming in the browser that signed up signs the reader in and returns them to
    # the article they were stopped at, now open: a fresh monthly allowance for the account.
    expect(page.locator(".account-menu__name")).to_be_visible()
    assert page.url == live_server.url + third.url, page.url
    expect_open(page, third_secret, "You can read 1 more premium article for free.")
    page.goto(live_server.url + fourth.url)
    expect_open(page, fourth_secret, "This is your last free premium article for now.")
    page.goto(live_server.url + fifth.url)
    expect_closed(
        page, fifth_secret, "You have read all your free premium articles for this month."
    )
    expect(page.locator("[data-paywall]").get_by_role("link", name="Register")).to_have_count(0)

    user = get_user_model().objects.get(username="parisa")
    assert MeteredRead.objects.filter(reader_key=f"user:{user.pk}").count() == 2


def test_a_gift_link_opens_the_article_signed_out_without_touching_the_meter(
    page, browser, live_server, paper
):
    from masthead.subscriptions.models import GiftLink, MeteredRead
    from masthead.subscriptions.tests.factories import make_subscription

    _ledger, plan, _pack, subscriber = premium_setup(paper)
    paywall_policy(visitors=1, registered=0)  # after premium_setup, which turns meters off
    (gifted, gifted_secret), (other, other_secret) = premium_articles(paper, 2)
    make_subscription(subscriber, plan)

    sign_in(page, live_server, "shirin")
    page.goto(live_server.url + gifted.url)
    page.get_by_role("button", name="Give this article to a friend").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your gift links")
    gift_url = page.locator(".gift-link__url").input_value()
    assert gift_url.startswith(live_server.url + gifted.url + "?gift=")
    assert GiftLink.objects.get().sender == subscriber

    friend = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        tab = friend.new_page()
        tab.goto(gift_url)
        expect_open(tab, gifted_secret, "A subscriber has given you this article.")
        expect(tab.locator(".account-menu__name")).to_have_count(0)
        assert "masthead_reader" not in {c["name"] for c in friend.cookies()}
        assert MeteredRead.objects.count() == 0

        # The friend's one free article is still there for another premium article.
        tab.goto(live_server.url + other.url)
        expect_open(tab, other_secret, "This is your last free premium article for now.")

        # A forged token opens nothing, and says why.
        forged = gift_url[:-4] + ("AAAA" if not gift_url.endswith("AAAA") else "BBBB")
        tab.goto(forged)
        expect_closed(tab, gifted_secret, "This gift link is not valid for this article.")
    finally:
        friend.close()
