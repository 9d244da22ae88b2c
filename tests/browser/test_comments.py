import re

from playwright.sync_api import expect


def test_guest_comment_is_moderated_published_and_answered(page, live_server, paper, settings):
    from masthead.comments import services
    from masthead.comments.models import Comment, CommentStatus

    settings.MASTHEAD_COMMENT_MIN_SECONDS = 0  # a script types faster than the bot check allows
    article = paper.articles[0]
    page.goto(live_server.url + article.url)
    expect(page.locator("#reply-title")).to_contain_text("Leave a Reply")
    page.get_by_role("textbox", name="Comment").fill("First!\nhttps://example.org/ is <b>bold</b>")
    page.get_by_role("textbox", name="Name").fill("Guest Reader")
    page.get_by_role("textbox", name="Email").fill("guest@example.com")
    page.get_by_role("button", name="Post Comment").click()
    expect(page).to_have_url(re.compile(r"\?comment=held#comments$"))
    expect(page.locator(".comments__notice")).to_have_text("Your comment awaits moderation.")
    expect(page.locator(".comment")).to_have_count(0)

    services.moderate(Comment.objects.all(), CommentStatus.APPROVED)
    page.goto(live_server.url + article.url)
    first = page.locator(".comment").first
    expect(first.locator(".comment__content")).to_contain_text("<b>bold</b>")
    expect(first.locator(".comment__content a")).to_have_attribute("rel", "nofollow ugc")
    expect(page.locator("body")).not_to_contain_text("guest@example.com")

    first.get_by_role("link", name="Reply to Guest Reader").click()
    expect(first.locator("#respond")).to_be_visible()  # the form moved under the comment
    expect(page.locator("#cancel-comment-reply")).to_be_visible()
    page.locator("#cancel-comment-reply").click()
    expect(first.locator("#respond")).to_have_count(0)
    expect(page.locator("#cancel-comment-reply")).to_be_hidden()

    first.get_by_role("link", name="Reply to Guest Reader").click()
    page.get_by_role("textbox", name="Comment").fill(
        "A reply, published at once: this reader is known."
    )
    page.get_by_role("textbox", name="Name").fill("Guest Reader")
    page.get_by_role("textbox", name="Email").fill("guest@example.com")
    page.get_by_role("button", name="Post Comment").click()
    expect(page).to_have_url(re.compile(r"\?comment=published#comment-\d+$"))
    reply = page.locator(".comment .children .comment")
    expect(reply).to_contain_text("A reply, published at once")
    expect(page.locator("#comments-heading")).to_have_text("2 Comments")
