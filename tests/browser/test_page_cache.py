"""Shared copies in a real browser: the page comes from the page cache, and reader.js
brings the reader's own part — their name, the meter's text, the form tokens."""

from playwright.sync_api import expect

from tests.browser.test_paywall_journey import paywall_policy, premium_articles
from tests.browser.test_subscriptions import PASSWORD, sign_in


def test_a_visitor_reads_a_metered_article_from_a_shared_copy(page, live_server, paper):
    paywall_policy(visitors=1, registered=0)
    (first, first_secret), (second, second_secret) = premium_articles(paper, 2)
    response = page.goto(live_server.url + first.url)
    assert first_secret not in response.text()  # the shared copy holds the preview only
    expect(page.get_by_text(first_secret)).to_be_visible()  # the meter opened it, on the server
    expect(page.locator(".paywall-note")).to_contain_text("last free premium article")
    response = page.goto(live_server.url + second.url)
    assert response.headers["x-page-cache"] in ("MISS", "HIT")
    expect(page.locator("[data-paywall] .paywall__notice")).to_contain_text("all your free")
    assert second_secret not in page.content()
    # Going back to the article already counted opens it again, from the cache.
    response = page.goto(live_server.url + first.url)
    assert response.headers["x-page-cache"] == "HIT"
    expect(page.get_by_text(first_secret)).to_be_visible()


def test_a_subscriber_gets_the_subscriber_copy_with_their_own_name(page, live_server, paper):
    from masthead.subscriptions.tests.factories import make_plan, make_reader, make_subscription

    paywall_policy(visitors=0, registered=0)
    [(article, secret)] = premium_articles(paper, 1)
    subscriber = make_reader("philippa", password=PASSWORD, display_name="Philippa Wren")
    make_subscription(subscriber, make_plan())
    sign_in(page, live_server, "philippa")
    for expected in ("MISS", "HIT"):
        response = page.goto(live_server.url + article.url)
        assert response.headers["x-page-cache"] == expected
        assert "Philippa Wren" not in response.text()  # shared by every subscriber...
        expect(page.locator(".account-menu__name")).to_have_text("Philippa Wren")  # ...filled in
        expect(page.get_by_text(secret)).to_be_visible()
    # The account menu opens with the keyboard and Escape closes it, focus back on its name.
    page.locator(".account-menu__name").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Sign out")).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Sign out")).to_be_hidden()
    expect(page.locator(".account-menu__name")).to_be_focused()
    # Signing out from a shared copy: one click, the anonymous copy at once.
    page.locator(".account-menu__name").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Sign out").click()
    assert "/logout/" not in page.url  # signed out, not sent on to the confirmation page
    page.goto(live_server.url + article.url)
    expect(page.locator("[data-paywall]")).to_be_visible()
    assert secret not in page.content()


def test_a_comment_sent_from_a_shared_copy(page, live_server, paper, settings):
    settings.MASTHEAD_COMMENT_MIN_SECONDS = 0
    article = paper.articles[0]
    page.goto(live_server.url + article.url)
    response = page.goto(live_server.url + article.url)
    assert response.headers["x-page-cache"] == "HIT"
    form = page.locator(".comment-form")
    expect(form.locator("input[name=csrfmiddlewaretoken]")).not_to_have_value("")
    form.get_by_label("Comment").fill("A reader's first comment, from a cached page.")
    form.get_by_label("Name").fill("Guest Reader")
    form.get_by_label("Email").fill("guest@example.com")
    form.get_by_role("button", name="Post Comment").click()
    expect(page.locator(".comments__notice")).to_contain_text("awaits moderation")
