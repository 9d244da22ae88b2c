import itertools
import re
from html.parser import HTMLParser

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import TestCase, override_settings

from masthead.comments.models import BlocklistEntry, Comment, CommentStatus
from masthead.content.tests.factories import make_article, make_paper, translate

from .factories import aged_token, make_comment

POST_URL = "/comments/post/"
PAGE_AGE = itertools.count(60)  # a distinct token for every post, as distinct page loads give


class TagCollector(HTMLParser):
    """Collect the real elements of rendered HTML, as a browser would parse them."""

    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


class CommentTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        cls.article = make_article(cls.paper.news, "Diplomat defects", days_ago=3)
        cls.other = make_article(cls.paper.news, "Other story", days_ago=4)

    def setUp(self):
        cache.clear()

    def post(self, article=None, url=POST_URL, token=None, **fields):
        article = article or self.article
        data = {
            "article": article.pk,
            "token": token or aged_token(article.pk, next(PAGE_AGE)),
            "name": "Guest Reader",
            "email": "guest@example.com",
            "website": "",
            "body": "A thoughtful reply.",
            "homepage": "",
            "parent": "",
        }
        data.update(fields)
        return self.client.post(url, data)


class PostingTests(CommentTestCase):
    def test_first_comment_from_an_unknown_email_is_held_with_a_notice(self):
        response = self.post()
        comment = Comment.objects.get()
        self.assertEqual(comment.status, CommentStatus.PENDING)
        self.assertRedirects(response, f"{self.article.url}?comment=held#comments")
        html = self.client.get(response["Location"]).content.decode()
        self.assertIn("Your comment awaits moderation.", html)
        self.assertNotIn("A thoughtful reply.", html)

    def test_an_approved_reader_posts_directly_and_lands_on_the_comment(self):
        make_comment(self.other, author_email="guest@example.com")
        response = self.post(website="https://guest.example/")
        comment = Comment.objects.get(article=self.article)
        self.assertEqual(comment.status, CommentStatus.APPROVED)
        self.assertRedirects(response, f"{self.article.url}?comment=published#comment-{comment.pk}")
        html = self.client.get(self.article.url).content.decode()
        self.assertIn(f'id="comment-{comment.pk}"', html)
        self.assertIn(
            '<a href="https://guest.example/" rel="nofollow ugc noopener">Guest Reader</a>', html
        )

    def test_blocklisted_words_hold_even_an_approved_reader(self):
        make_comment(self.other, author_email="guest@example.com")
        BlocklistEntry.objects.create(kind="word", value="casino")
        self.post(body="Best Casino in town")
        self.assertEqual(Comment.objects.get(article=self.article).status, CommentStatus.PENDING)

    def test_a_signed_in_reader_only_types_the_comment(self):
        user = get_user_model().objects.create_user(
            "ann", "ann@example.com", "pw-for-tests-1", first_name="Ann", last_name="Reader"
        )
        self.client.force_login(user)
        html = self.client.get(self.article.url).content.decode()
        self.assertIn("Logged in as Ann Reader.", html)
        self.assertNotIn('name="email"', html)
        self.post(name="", email="", body="Signed in.")
        comment = Comment.objects.get()
        self.assertEqual(
            (comment.user, comment.author_name, comment.author_email),
            (user, "Ann Reader", "ann@example.com"),
        )

    def test_the_form_marks_required_fields_and_promises_privacy(self):
        html = self.client.get(self.article.url).content.decode()
        self.assertIn("Leave a Reply", html)
        self.assertIn("Your email address will not be published.", html)
        self.assertEqual(html.count('<span class="required" aria-hidden="true">*</span>'), 4)
        self.assertIn('name="csrfmiddlewaretoken"', html)
        self.assertIn("js/comments.js", html)

    def test_csrf_is_enforced(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        data = {"article": self.article.pk, "token": aged_token(self.article.pk), "body": "x"}
        self.assertEqual(client.post(POST_URL, data).status_code, 403)
        self.assertFalse(Comment.objects.exists())


class BadInputTests(CommentTestCase):
    """Each bad submission comes back with the typed text and a message, and stores nothing."""

    def assert_rejected(self, response, message, typed="A thoughtful reply."):
        self.assertEqual(response.status_code, 400)
        html = response.content.decode()
        self.assertIn(message, html)
        self.assertIn(typed, html)
        self.assertEqual(Comment.objects.filter(body=typed).count(), 0)

    def test_each_bad_input_is_explained(self):
        approved = make_comment(self.article, "Approved one")
        trashed = make_comment(self.article, "Trashed one", status=CommentStatus.TRASH)
        elsewhere = make_comment(self.other, "On another article")
        cases = [
            ("over-long", {"body": "x" * 5001}, "Your comment is too long: 5000 characters"),
            ("empty name", {"name": "  "}, "Please enter your name."),
            ("malformed email", {"email": "ann@"}, "Please enter a valid email address"),
            ("website not http", {"website": "javascript:alert(1)"}, "Enter a valid URL."),
            ("unknown parent", {"parent": 999999}, "does not exist"),
            ("malformed parent", {"parent": "1 OR 1=1"}, "does not exist"),
            ("parent on another article", {"parent": elsewhere.pk}, "does not exist"),
            ("reply to a deleted comment", {"parent": trashed.pk}, "no longer available"),
            ("honeypot", {"homepage": "http://bot.example"}, "could not be accepted"),
        ]
        for case, fields, message in cases:
            with self.subTest(case):
                cache.clear()
                typed = fields.get("body", "A thoughtful reply.")
                response = self.post(**fields)
                self.assert_rejected(response, message, typed=typed[:200])
        self.assertEqual(Comment.objects.count(), 3)
        self.assertTrue(approved.pk)

    def test_empty_comment(self):
        response = self.post(body="")
        self.assertEqual(response.status_code, 400)
        self.assertIn("Please write a comment.", response.content.decode())
        self.assertFalse(Comment.objects.exists())

    def test_comments_closed_by_the_editor(self):
        self.article.comments_open = False
        self.article.save_revision().publish()
        html = self.client.get(self.article.url).content.decode()
        self.assertIn("Comments are closed.", html)
        self.assertNotIn('<form class="comment-form"', html)
        self.assert_rejected(self.post(), "Comments are closed on this article.")

    @override_settings(MASTHEAD_COMMENT_CLOSE_AFTER_DAYS=2)
    def test_comments_closed_after_n_days(self):
        self.assert_rejected(self.post(), "Comments are closed on this article.")

    def test_too_fast_expired_forged_and_foreign_tokens(self):
        cases = [
            ("too fast", aged_token(self.article.pk, 1), "That was too fast"),
            ("older than a day", aged_token(self.article.pk, 2 * 86400), "has expired"),
            ("forged", "123:abc:def", "is not valid"),
            ("missing", " ", "is not valid"),
            ("for another article", aged_token(self.other.pk), "is not valid"),
        ]
        for case, token, message in cases:
            with self.subTest(case):
                self.assert_rejected(self.post(token=token), message)

    def test_two_page_loads_in_the_same_second_get_different_tokens(self):
        self.assertNotEqual(aged_token(self.article.pk, 60), aged_token(self.article.pk, 60))

    def test_a_replayed_form_is_rejected(self):
        token = aged_token(self.article.pk)
        self.assertEqual(self.post(token=token).status_code, 302)
        self.assert_rejected(self.post(token=token, body="Again"), "already been sent", "Again")
        self.assertEqual(Comment.objects.count(), 1)

    @override_settings(MASTHEAD_COMMENT_RATE_LIMIT=(2, 600))
    def test_rate_limit_per_ip(self):
        for n in range(2):
            self.assertEqual(self.post(body=f"Comment {n}").status_code, 302)
        self.assert_rejected(self.post(body="Third"), "commenting too often", "Third")

    @override_settings(MASTHEAD_COMMENT_RATE_LIMIT=(1, 600))
    def test_rate_limit_per_account_whatever_the_address(self):
        user = get_user_model().objects.create_user("ben", "ben@example.com", "pw-for-tests-1")
        self.client.force_login(user)
        self.assertEqual(self.post(body="One").status_code, 302)
        response = self.client.post(
            POST_URL,
            {"article": self.article.pk, "token": aged_token(self.article.pk), "body": "Two"},
            REMOTE_ADDR="10.9.9.9",
        )
        self.assert_rejected(response, "commenting too often", "Two")

    def test_errors_come_back_in_the_persian_edition(self):
        article_fa = translate(self.article, self.paper.persian, title="دیپلمات")
        response = self.post(article=article_fa, url="/fa" + POST_URL, name="", body="نظر من")
        self.assertEqual(response.status_code, 400)
        html = response.content.decode()
        self.assertIn('lang="fa"', html)
        self.assertIn("لطفاً نام خود را بنویسید.", html)
        self.assertIn("نظر من", html)


class RenderingTests(CommentTestCase):
    def test_guest_email_never_appears_in_the_html(self):
        make_comment(self.article, author_email="secret.reader@example.com")
        html = self.client.get(self.article.url).content.decode()
        self.assertNotIn("secret.reader", html)
        self.assertIn('<span class="comment__avatar" aria-hidden="true">AR</span>', html)

    def test_plain_text_gets_links_and_line_breaks(self):
        make_comment(self.article, "First line\nsecond https://example.org/a?b=1&c=2.\n\nNew")
        html = self.client.get(self.article.url).content.decode()
        self.assertIn(
            '<p>First line<br>second <a href="https://example.org/a?b=1&amp;c=2" '
            'rel="nofollow ugc">https://example.org/a?b=1&amp;c=2</a>.</p><p>New</p>',
            html,
        )

    def test_xss_payloads_render_inert(self):
        payloads = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "<img src=x onerror=alert(1)",
            '"><script>alert(1)</script>',
            "<svg onload=alert(1)>",
            '<a href="javascript:alert(1)">click</a>',
            "javascript:alert(1)",
            "<iframe src=//evil.example></iframe>",
            "<body onload=alert(1)>",
            "</textarea><script>alert(1)</script>",
            'https://example.org/"onmouseover="alert(1)',
        ]
        for payload in payloads:
            make_comment(self.article, payload)
        make_comment(self.article, "Name test", author_name='<script>alert("n")</script>')
        html = self.client.get(self.article.url).content.decode()
        comments = "".join(re.findall(r'<ol class="comment-list">.*</ol>', html, re.S))
        self.assertEqual(comments.count('class="comment__content"'), len(payloads) + 1)
        self.assertNotIn("<script", comments)
        self.assertNotRegex(comments, r"<[^>]*\son\w+=")  # no handler inside any real tag
        self.assertNotRegex(comments, r"<a[^>]*href=\"\s*javascript:")
        parser = TagCollector()
        parser.feed(comments)
        tags = {tag for tag, _attrs in parser.elements}
        self.assertLessEqual(
            tags, {"li", "article", "footer", "span", "b", "time", "div", "p", "a", "br", "ol"}
        )
        for tag, attrs in parser.elements:
            with self.subTest(tag=tag, attrs=attrs):
                self.assertFalse([name for name in attrs if name.startswith("on")])
                self.assertFalse(attrs.get("href", "").strip().lower().startswith("javascript:"))
                self.assertNotIn('"', attrs.get("href", ""))

    def test_approved_comments_are_threaded_oldest_first_and_hidden_ones_left_out(self):
        first = make_comment(self.article, "First")
        reply = make_comment(self.article, "Reply", parent=first)
        make_comment(self.article, "Held", status=CommentStatus.PENDING)
        make_comment(self.article, "Spam", status=CommentStatus.SPAM)
        make_comment(self.article, "Second")
        html = self.client.get(self.article.url).content.decode()
        self.assertIn("3 Comments", html)
        self.assertNotIn("Held", html)
        self.assertNotIn(">Spam<", html)
        self.assertLess(html.index("First"), html.index("Reply"))
        self.assertLess(html.index("Reply"), html.index("Second"))
        self.assertRegex(
            html, rf'<ol class="children">\s*<li class="comment depth-2" id="comment-{reply.pk}"'
        )

    @override_settings(MASTHEAD_COMMENT_NEWEST_FIRST=True)
    def test_newest_first_when_the_setting_asks(self):
        make_comment(self.article, "Older one")
        make_comment(self.article, "Newer one")
        html = self.client.get(self.article.url).content.decode()
        self.assertLess(html.index("Newer one"), html.index("Older one"))

    def test_reply_link_without_javascript_fills_the_parent_field(self):
        first = make_comment(self.article, "First")
        html = self.client.get(self.article.url).content.decode()
        self.assertIn(f'href="{self.article.url}?replytocom={first.pk}#respond"', html)
        html = self.client.get(f"{self.article.url}?replytocom={first.pk}").content.decode()
        self.assertIn(f'name="parent" id="comment-parent" value="{first.pk}"', html)
        self.assertRegex(html, r'id="cancel-comment-reply" href="[^"]+#respond">Cancel reply')

    def test_a_reply_beyond_the_maximum_depth_attaches_to_the_deepest_allowed_ancestor(self):
        make_comment(self.other, author_email="guest@example.com")  # known reader
        top = make_comment(self.article, "Depth 1")
        second = make_comment(self.article, "Depth 2", parent=top)
        third = make_comment(self.article, "Depth 3", parent=second)
        self.post(parent=third.pk, body="Depth 4?")
        self.assertEqual(Comment.objects.get(body="Depth 4?").parent, second)
        self.post(parent=second.pk, body="Depth 3 too", token=aged_token(self.article.pk, 61))
        self.assertEqual(Comment.objects.get(body="Depth 3 too").parent, second)

    def test_a_reply_to_a_comment_later_trashed_moves_up(self):
        top = make_comment(self.article, "Top")
        middle = make_comment(self.article, "Middle", parent=top, status=CommentStatus.TRASH)
        make_comment(self.article, "Orphan", parent=middle)
        html = self.client.get(self.article.url).content.decode()
        self.assertIn("Orphan", html)
        self.assertNotIn("Middle", html)

    def test_twenty_comments_cost_no_more_queries_than_none(self):
        self.client.get(self.article.url)
        # Content's 10, less the lead image and the related articles' section labels (all
        # of this article's own section here).
        with self.assertNumQueries(8) as empty:
            self.client.get(self.article.url)
        parent = None
        for n in range(20):
            parent = make_comment(self.article, f"Comment {n}", parent=parent if n % 3 else None)
        with self.assertNumQueries(len(empty.captured_queries)):
            html = self.client.get(self.article.url).content.decode()
        self.assertIn("20 Comments", html)
