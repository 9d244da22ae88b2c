"""The account page beyond allauth: email change, preferences, data export, deletion."""

import json

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail

from masthead.comments.models import Comment, CommentStatus
from masthead.comments.tests.factories import make_comment
from masthead.content.tests.factories import make_article

from .test_flows import PASSWORD, AccountTestCase, link_in, make_reader

User = get_user_model()


class EmailChangeTests(AccountTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.reader = make_reader()

    def test_a_new_address_replaces_the_old_only_once_confirmed(self):
        self.client.force_login(self.reader)
        page = self.client.get("/accounts/email/")
        self.assertContains(page, "nasrin@example.com")
        response = self.client.post(
            "/accounts/email/", {"action_add": "", "email": "new@example.com"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["new@example.com"])
        self.reader.refresh_from_db()
        self.assertEqual(self.reader.email, "nasrin@example.com")  # the old stays until confirmed
        self.assertContains(self.client.get("/accounts/email/"), "new@example.com")

        confirm = link_in(mail.outbox[0])
        self.assertEqual(self.client.post(confirm).status_code, 302)
        self.reader.refresh_from_db()
        self.assertEqual(self.reader.email, "new@example.com")
        self.assertEqual(
            list(EmailAddress.objects.filter(user=self.reader).values_list("email", "primary")),
            [("new@example.com", True)],
        )

    def test_the_change_page_renders_in_persian(self):
        self.client.force_login(self.reader)
        response = self.client.get("/fa/accounts/email/")
        self.assertContains(response, 'dir="rtl"')
        self.assertContains(response, "تغییر نشانی ایمیل")


class PreferenceTests(AccountTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.reader = make_reader()

    def test_new_readers_get_reply_mail_but_no_newsletter(self):
        self.assertEqual(
            (self.reader.wants_newsletter, self.reader.wants_reply_notifications), (False, True)
        )

    def test_a_reader_changes_both_preferences_on_the_account_page(self):
        self.client.force_login(self.reader)
        page = self.client.get("/accounts/profile/")
        self.assertContains(page, 'name="wants_newsletter"')
        self.assertContains(page, 'name="wants_reply_notifications"')
        # An unticked checkbox is simply absent from the POST.
        self.client.post("/accounts/profile/", {"display_name": "N", "wants_newsletter": "on"})
        self.reader.refresh_from_db()
        self.assertEqual(
            (self.reader.wants_newsletter, self.reader.wants_reply_notifications), (True, False)
        )

    def test_preferences_are_labelled_in_persian(self):
        self.client.force_login(self.reader)
        self.assertContains(self.client.get("/fa/accounts/profile/"), "خبرنامه")


class ExportTests(AccountTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.reader = make_reader()
        cls.other = make_reader("other", "other@example.com")
        cls.article = make_article(cls.paper.news, "Budget passes")
        make_comment(
            cls.article, "My own words.", user=cls.reader, author_email="nasrin@example.com"
        )
        make_comment(cls.article, "Someone else's words.", user=cls.other)

    def test_export_is_a_post_only_json_download_of_the_readers_own_data(self):
        self.client.force_login(self.reader)
        self.assertContains(
            self.client.get("/accounts/profile/"), 'action="/accounts/profile/export/"'
        )
        self.assertEqual(self.client.get("/accounts/profile/export/").status_code, 405)
        response = self.client.post("/accounts/profile/export/")
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        self.assertTrue(response["Content-Disposition"].startswith("attachment;"))
        data = json.loads(response.content)
        self.assertEqual(data["account"]["username"], "nasrin")
        self.assertEqual(data["account"]["email"], "nasrin@example.com")
        self.assertEqual(data["account"]["wants_reply_notifications"], True)
        self.assertEqual(data["email_addresses"][0]["email"], "nasrin@example.com")
        self.assertEqual(len(data["comments"]), 1)
        comment = data["comments"][0]
        self.assertEqual(
            (comment["article"], comment["text"], comment["status"]),
            ("Budget passes", "My own words.", "approved"),
        )
        self.assertTrue(comment["url"].endswith(self.article.url))
        text = response.content.decode()
        self.assertNotIn("Someone else", text)
        self.assertNotIn("other@example.com", text)
        self.assertNotIn(self.reader.password, text)
        self.assertNotIn("password", text)

    def test_export_needs_a_csrf_token(self):
        self.client.force_login(self.reader)
        self.client.handler.enforce_csrf_checks = True
        self.assertEqual(self.client.post("/accounts/profile/export/").status_code, 403)

    def test_export_needs_a_signed_in_reader(self):
        response = self.client.post("/accounts/profile/export/")
        self.assertEqual(response.status_code, 302)


class DeleteAccountTests(AccountTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.article = make_article(cls.paper.news, "Budget passes")

    def setUp(self):
        super().setUp()
        self.reader = make_reader()
        self.own = make_comment(
            self.article, "My own words.", user=self.reader, author_email="nasrin@example.com"
        )
        self.reply = make_comment(self.article, "A reply to Nasrin.", parent=self.own)
        self.client.force_login(self.reader)

    def delete(self, choice, password=PASSWORD, prefix=""):
        return self.client.post(
            prefix + "/accounts/profile/delete/", {"password": password, "comments": choice}
        )

    def assert_signed_out_and_gone(self, response, front="/"):
        self.assertRedirects(response, front, fetch_redirect_response=False)
        self.assertFalse(User.objects.filter(username="nasrin").exists())
        self.assertFalse(EmailAddress.objects.filter(email="nasrin@example.com").exists())
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_keeping_comments_signs_them_deleted_reader_and_forgets_the_email(self):
        response = self.delete("keep")
        self.assert_signed_out_and_gone(response)
        self.own.refresh_from_db()
        self.assertEqual(
            (self.own.user, self.own.author_name, self.own.author_email, self.own.body),
            (None, "Deleted reader", "", "My own words."),
        )
        notice = self.client.get("/")
        self.assertContains(notice, "Your account has been deleted.")

    def test_removing_comments_keeps_other_readers_replies(self):
        response = self.delete("remove")
        self.assert_signed_out_and_gone(response)
        self.assertFalse(Comment.objects.filter(pk=self.own.pk).exists())
        self.reply.refresh_from_db()
        self.assertEqual((self.reply.parent, self.reply.status), (None, CommentStatus.APPROVED))

    def test_a_wrong_password_deletes_nothing_and_says_so(self):
        response = self.delete("remove", password="not-my-password")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "That is not your password")
        self.assertTrue(User.objects.filter(pk=self.reader.pk).exists())
        self.assertTrue(Comment.objects.filter(pk=self.own.pk).exists())
        self.assertEqual(self.client.session["_auth_user_id"], str(self.reader.pk))

    def test_deleting_in_the_persian_edition(self):
        page = self.client.get("/fa/accounts/profile/delete/")
        self.assertContains(page, 'dir="rtl"')
        self.assertContains(page, "حذف حساب من")
        wrong = self.delete("keep", password="nope", prefix="/fa")
        self.assertContains(wrong, "این گذرواژهٔ شما نیست")
        response = self.delete("keep", prefix="/fa")
        self.assert_signed_out_and_gone(response, front="/fa/")
        self.assertContains(self.client.get("/fa/"), "حساب شما حذف شد.")
        self.own.refresh_from_db()
        self.assertEqual(self.own.author_name, "خوانندهٔ حذف‌شده")
