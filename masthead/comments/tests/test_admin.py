from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import TestCase

from masthead.comments.models import BlocklistEntry, Comment, CommentStatus
from masthead.content.tests.factories import make_article, make_paper

from .factories import make_comment

QUEUE_URL = "/admin/snippets/comments/comment/"


class ModerationQueueTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        paper = make_paper()
        cls.article = make_article(paper.news, "Diplomat defects")
        cls.held = [
            make_comment(cls.article, f"Held {n}", status=CommentStatus.PENDING) for n in range(3)
        ]
        cls.approved = make_comment(cls.article, "Published already", author_name="Zed")
        cls.editor = get_user_model().objects.create_superuser(
            "editor", "editor@example.com", "pw-for-tests-1"
        )

    def setUp(self):
        cache.clear()
        self.client.force_login(self.editor)

    def test_menu_item_shows_the_pending_count(self):
        html = self.client.get("/admin/").content.decode()
        self.assertIn("Comments (3)", html)

    def test_queue_filters_by_status_with_counts(self):
        html = self.client.get(QUEUE_URL, {"status": "pending"}).content.decode()
        self.assertIn("Pending (3)", html)
        self.assertIn("Approved (1)", html)
        self.assertIn("Held 0", html)
        self.assertNotIn("Published already", html)

    def test_queue_searches_name_email_and_body(self):
        make_comment(self.article, "Hidden gem", author_email="findme@example.org")
        for query in ("Zed", "findme@example", "Hidden gem"):
            with self.subTest(query):
                response = self.client.get(QUEUE_URL, {"q": query})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(len(response.context["object_list"]), 1)

    def test_bulk_actions_approve_spam_and_trash(self):
        first, second, third = self.held
        for action, comment, status in [
            ("approve", first, CommentStatus.APPROVED),
            ("spam", second, CommentStatus.SPAM),
            ("trash", third, CommentStatus.TRASH),
        ]:
            with self.subTest(action):
                url = f"/admin/bulk/comments/comment/{action}/?id={comment.pk}&next={QUEUE_URL}"
                self.assertEqual(self.client.get(url).status_code, 200)
                self.assertRedirects(
                    self.client.post(url), QUEUE_URL, fetch_redirect_response=False
                )
                comment.refresh_from_db()
                self.assertEqual(comment.status, status)
        html = self.client.get(self.article.url).content.decode()
        self.assertIn("Held 0", html)
        self.assertNotIn("Held 1", html)

    def test_staff_edit_the_blocklist(self):
        response = self.client.post(
            "/admin/snippets/comments/blocklistentry/add/", {"kind": "word", "value": "casino"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(BlocklistEntry.objects.filter(value="casino").exists())

    def test_readers_without_permission_cannot_see_the_queue(self):
        reader = get_user_model().objects.create_user("reader", "r@example.com", "pw-for-tests-1")
        self.client.force_login(reader)
        self.assertNotEqual(self.client.get(QUEUE_URL).status_code, 200)
        self.assertEqual(Comment.objects.filter(status=CommentStatus.PENDING).count(), 3)
