"""The reply notification: who is mailed, when, once, in which edition, and over real SMTP."""

import re

from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import TestCase, override_settings

from masthead.accounts.tests.test_smtp import Inbox, free_port
from masthead.comments import services
from masthead.comments.models import Comment, CommentStatus
from masthead.content.tests.factories import make_article, make_paper, translate

from .factories import aged_token, make_comment

QUEUE_URL = "/admin/snippets/comments/comment/"


class ReplyNotificationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        cls.article = make_article(cls.paper.news, "Diplomat defects", days_ago=3)
        users = get_user_model().objects
        cls.parent_author = users.create_user(
            "nasrin", "nasrin@example.com", "pw-for-tests-1", display_name="Nasrin"
        )
        cls.other_reader = users.create_user("omid", "omid@example.com", "pw-for-tests-1")
        cls.editor = users.create_superuser("editor", "editor@example.com", "pw-for-tests-1")
        cls.parent = make_comment(
            cls.article,
            "The first word.",
            user=cls.parent_author,
            author_name="Nasrin",
            author_email="nasrin@example.com",
        )

    def setUp(self):
        cache.clear()

    def reply(self, parent=None, *, as_user=None, **fields):
        """Post a reply through the comment form, as a reader would."""
        parent = parent or self.parent
        self.client.logout()
        if as_user:
            self.client.force_login(as_user)
        data = {
            "article": self.article.pk,
            "token": aged_token(self.article.pk, 60 + Comment.objects.count()),
            "name": "Guest Reader",
            "email": "guest@example.com",
            "website": "",
            "body": "An answer.",
            "homepage": "",
            "parent": parent.pk,
        } | fields
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post("/comments/post/", data)
        return Comment.objects.latest("pk")

    def approve_in_admin(self, comment):
        self.client.force_login(self.editor)
        url = f"/admin/bulk/comments/comment/approve/?id={comment.pk}&next={QUEUE_URL}"
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(url)
        comment.refresh_from_db()

    def test_an_approved_reply_mails_the_parent_author_with_both_links(self):
        reply = self.reply(as_user=self.other_reader, body="I disagree, politely.")
        self.assertEqual(reply.status, CommentStatus.PENDING)  # a first comment is held
        self.approve_in_admin(reply)

        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["nasrin@example.com"])
        self.assertEqual(message.subject, 'omid replied to your comment on "Diplomat defects"')
        self.assertIn("Hello Nasrin,", message.body)
        self.assertIn("I disagree, politely.", message.body)
        self.assertIn(f"http://localhost{self.article.url}#comment-{reply.pk}", message.body)
        self.assertIn("http://localhost/accounts/profile/", message.body)
        reply.refresh_from_db()
        self.assertIsNotNone(reply.reply_notified_at)

    def test_a_known_readers_reply_is_visible_at_once_and_mails_at_once(self):
        other = make_article(self.paper.news, "Other story", days_ago=5)
        make_comment(other, "Approved before", author_email="guest@example.com")
        reply = self.reply()
        self.assertEqual(reply.status, CommentStatus.APPROVED)
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn("Guest Reader replied", mail.outbox[0].subject)

    def test_a_held_reply_mails_nobody_until_approved_and_approving_twice_mails_once(self):
        reply = self.reply()
        self.assertEqual(reply.status, CommentStatus.PENDING)
        self.assertEqual(mail.outbox, [])
        self.approve_in_admin(reply)
        self.assertEqual(len(mail.outbox), 1)
        # Back to pending and approved again, by bulk action and by the edit form: still one.
        Comment.objects.filter(pk=reply.pk).update(status=CommentStatus.PENDING)
        self.approve_in_admin(reply)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                f"{QUEUE_URL}edit/{reply.pk}/",
                {
                    "status": "approved",
                    "author_name": reply.author_name,
                    "author_email": reply.author_email,
                    "author_website": "",
                    "body": reply.body,
                },
            )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(len(mail.outbox), 1)

    def test_approving_through_the_edit_form_mails(self):
        reply = make_comment(
            self.article, "Held answer", parent=self.parent, status=CommentStatus.PENDING
        )
        self.client.force_login(self.editor)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                f"{QUEUE_URL}edit/{reply.pk}/",
                {
                    "status": "approved",
                    "author_name": reply.author_name,
                    "author_email": reply.author_email,
                    "author_website": "",
                    "body": reply.body,
                },
            )
        self.assertEqual(len(mail.outbox), 1)
        self.assertIn(f"#comment-{reply.pk}", mail.outbox[0].body)

    def test_spam_and_trash_mail_nobody(self):
        for action in ("spam", "trash"):
            reply = make_comment(
                self.article, action, parent=self.parent, status=CommentStatus.PENDING
            )
            self.client.force_login(self.editor)
            url = f"/admin/bulk/comments/comment/{action}/?id={reply.pk}&next={QUEUE_URL}"
            with self.captureOnCommitCallbacks(execute=True):
                self.client.post(url)
        self.assertEqual(mail.outbox, [])

    def test_a_reader_who_opted_out_gets_no_mail(self):
        self.parent_author.wants_reply_notifications = False
        self.parent_author.save()
        self.approve_in_admin(self.reply())
        self.assertEqual(mail.outbox, [])

    def test_a_guest_parent_author_gets_no_mail(self):
        guest_parent = make_comment(self.article, "Guest's word", author_email="g@example.com")
        self.approve_in_admin(self.reply(guest_parent))
        self.assertEqual(mail.outbox, [])

    def test_replying_to_yourself_mails_nobody(self):
        own = self.reply(as_user=self.parent_author, name="", email="", body="Also, ...")
        self.assertEqual(own.user, self.parent_author)
        self.approve_in_admin(own)
        self.assertEqual(own.status, CommentStatus.APPROVED)
        # Nor as a guest under the same address.
        self.approve_in_admin(self.reply(email="Nasrin@Example.com"))
        self.assertEqual(mail.outbox, [])

    def test_the_mail_is_in_the_parent_authors_preferred_edition(self):
        self.parent_author.preferred_language = "fa"
        self.parent_author.save()
        reply = self.reply()
        self.approve_in_admin(reply)
        message = mail.outbox[0]
        self.assertIn("به نظر شما", message.subject)
        self.assertIn("سلام Nasrin،", message.body)
        self.assertIn("http://localhost/fa/accounts/profile/", message.body)
        self.assertIn(f"#comment-{reply.pk}", message.body)

    def test_without_a_preference_the_mail_is_in_the_articles_edition(self):
        article_fa = translate(self.article, self.paper.persian, title="پناهندگی دیپلمات")
        parent = make_comment(article_fa, "نخست", user=self.parent_author)
        reply = make_comment(article_fa, "پاسخ", parent=parent, status=CommentStatus.PENDING)
        self.approve_in_admin(reply)
        message = mail.outbox[0]
        self.assertIn("«پناهندگی دیپلمات»", message.subject)
        self.assertIn(f"http://localhost{article_fa.url}#comment-{reply.pk}", message.body)
        self.assertIn("http://localhost/fa/accounts/profile/", message.body)


class SmtpReplyNotificationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        paper = make_paper()
        cls.article = make_article(paper.news, "Diplomat defects", days_ago=3)
        users = get_user_model().objects
        cls.parent_author = users.create_user("nasrin", "nasrin@example.com", "pw-for-tests-1")
        cls.editor = users.create_superuser("editor", "editor@example.com", "pw-for-tests-1")
        parent = make_comment(cls.article, "First.", user=cls.parent_author)
        cls.reply = make_comment(
            cls.article, "Second.", parent=parent, status=CommentStatus.PENDING
        )

    def setUp(self):
        cache.clear()
        self.inbox = Inbox()
        self.port = free_port()
        self.mailers = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 10},
            }
        }
        self.client.force_login(self.editor)

    def approve(self):
        url = f"/admin/bulk/comments/comment/approve/?id={self.reply.pk}&next={QUEUE_URL}"
        with override_settings(MAILERS=self.mailers), self.captureOnCommitCallbacks(execute=True):
            return self.client.post(url)

    def test_the_approval_mail_arrives_over_smtp_and_its_link_shows_the_reply(self):
        server = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        server.start()
        self.addCleanup(server.stop)
        self.approve()

        self.assertEqual(len(self.inbox.messages), 1)
        message = self.inbox.messages[0]
        self.assertEqual(message["To"], "nasrin@example.com")
        body = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
        path, anchor = re.search(r"http://localhost(/\S+)#(comment-\d+)", body).groups()
        self.assertEqual(anchor, f"comment-{self.reply.pk}")
        self.client.logout()
        self.assertContains(self.client.get(path), f'id="{anchor}"')

    def test_an_unreachable_mail_server_does_not_stop_the_approval_and_a_retry_mails(self):
        with self.assertLogs("masthead.comments.services", "ERROR"):
            response = self.approve()  # nothing listens on the port yet
        self.assertEqual(response.status_code, 302)
        self.reply.refresh_from_db()
        self.assertEqual(self.reply.status, CommentStatus.APPROVED)
        self.assertIsNone(self.reply.reply_notified_at)

        server = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        server.start()
        self.addCleanup(server.stop)
        with override_settings(MAILERS=self.mailers):
            self.assertEqual(services.send_reply_notifications([self.reply.pk]), 1)
        self.assertEqual(len(self.inbox.messages), 1)
