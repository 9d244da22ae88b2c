"""Reader accounts through the test client: register, confirm, sign in, recover, limits."""

import re
from datetime import timedelta
from unittest import mock

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import mail
from django.core.cache import cache
from django.test import TestCase

from masthead.content.tests.factories import make_paper

User = get_user_model()
PASSWORD = "a-Long-and-unusual-passphrase-42"
LINK = re.compile(r"https?://\S+")


def link_in(message) -> str:
    """Return the path of the one link in a mail message."""
    return re.sub(r"^https?://[^/]+", "", LINK.search(message.body).group(0))


def make_reader(username="nasrin", email="nasrin@example.com", verified=True):
    """Create a reader whose address is confirmed (or not)."""
    user = User.objects.create_user(username=username, email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


class AccountTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()

    def setUp(self):
        cache.clear()  # allauth keeps its rate-limit counters in the cache

    def sign_in(self, login, password=PASSWORD, **extra):
        return self.client.post("/accounts/login/", {"login": login, "password": password, **extra})


class RegistrationTests(AccountTestCase):
    def register(self):
        return self.client.post(
            "/accounts/signup/",
            {
                "email": "reader@example.com",
                "username": "reader",
                "password1": PASSWORD,
                "password2": PASSWORD,
            },
        )

    def test_register_confirm_then_sign_in_with_email_and_with_username(self):
        response = self.register()
        self.assertRedirects(response, "/accounts/confirm-email/", fetch_redirect_response=False)
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["reader@example.com"])

        # Not confirmed yet: signing in sends the reader back to the confirmation notice.
        response = self.sign_in("reader")
        self.assertRedirects(response, "/accounts/confirm-email/", fetch_redirect_response=False)
        self.assertNotIn("_auth_user_id", self.client.session)

        confirm_path = link_in(mail.outbox[0])
        page = self.client.get(confirm_path)
        self.assertContains(page, "reader@example.com")
        self.client.post(confirm_path)
        self.assertTrue(EmailAddress.objects.get(email="reader@example.com").verified)

        self.assertRedirects(self.sign_in("reader@example.com"), "/", fetch_redirect_response=False)
        self.assertIn("_auth_user_id", self.client.session)
        self.client.post("/accounts/logout/")
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertRedirects(self.sign_in("reader"), "/", fetch_redirect_response=False)

    def test_a_confirmation_link_works_once(self):
        self.register()
        confirm_path = link_in(mail.outbox[0])
        self.client.post(confirm_path)
        self.client.post(confirm_path)
        EmailAddress.objects.filter(email="reader@example.com").delete()
        response = self.client.get(confirm_path)
        self.assertContains(
            response, "This confirmation link has expired or has already been used."
        )

    def test_weak_password_is_refused_and_typed_values_kept(self):
        response = self.client.post(
            "/accounts/signup/",
            {
                "email": "reader@example.com",
                "username": "reader",
                "password1": "password",
                "password2": "password",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'class="form__error"')
        self.assertContains(response, "This password is too common.")
        self.assertContains(response, 'value="reader@example.com"')
        self.assertFalse(User.objects.filter(username="reader").exists())

    def test_sign_ups_are_limited_per_ip_with_a_message_in_the_readers_edition(self):
        for _attempt in range(20):
            self.client.post("/fa/accounts/signup/", {"email": "not-an-address"})
        response = self.client.post("/fa/accounts/signup/", {"email": "not-an-address"})
        self.assertContains(response, "بیش از اندازه تلاش کرده‌اید", status_code=429)
        self.assertContains(response, 'dir="rtl"', status_code=429)

    def test_passwords_are_hashed_with_argon2_in_production_settings(self):
        from masthead.settings import base

        self.assertEqual(
            base.PASSWORD_HASHERS[0], "django.contrib.auth.hashers.Argon2PasswordHasher"
        )


class SignInTests(AccountTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.reader = make_reader()

    def test_wrong_password_shows_an_error_and_keeps_the_typed_login(self):
        response = self.sign_in("nasrin@example.com", password="not-it")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'class="form__error"')
        self.assertContains(response, 'value="nasrin@example.com"')
        self.assertNotContains(response, "not-it")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_remember_me_keeps_the_session_otherwise_it_ends_with_the_browser(self):
        self.sign_in("nasrin")
        self.assertTrue(self.client.session.get_expire_at_browser_close())
        self.client.post("/accounts/logout/")
        self.sign_in("nasrin", remember="on")
        self.assertFalse(self.client.session.get_expire_at_browser_close())

    def test_the_top_bar_shows_login_then_the_display_name_and_sign_out(self):
        html = self.client.get("/").content.decode()
        self.assertIn('href="/accounts/login/?next=/" data-login-modal', html)
        self.assertIn("js/accounts.js", html)
        self.reader.display_name = "Nasrin K."
        self.reader.save()
        self.sign_in("nasrin")
        html = self.client.get("/").content.decode()
        self.assertIn('<summary class="account-menu__name"><bdi>Nasrin K.</bdi></summary>', html)
        self.assertRegex(
            html,
            r'<form action="/accounts/logout/" method="post">'
            r'<input type="hidden" name="csrfmiddlewaretoken"',
        )

    def test_the_modal_gets_json_errors_and_then_a_location(self):
        headers = {"HTTP_ACCEPT": "application/json"}
        failed = self.client.post(
            "/accounts/login/", {"login": "nasrin", "password": "not-it"}, **headers
        )
        self.assertEqual(failed.status_code, 400)
        self.assertIn("data-login-panel", failed.json()["html"])
        self.assertIn('class="form__error"', failed.json()["html"])
        response = self.client.post(
            "/accounts/login/",
            {"login": "nasrin", "password": PASSWORD, "next": "/latest/"},
            **headers,
        )
        self.assertEqual(response.json()["location"], "/latest/")

    def test_failed_sign_ins_are_limited_per_account(self):
        for _attempt in range(5):
            self.sign_in("nasrin", password="not-it")
        response = self.sign_in("nasrin")  # even the right password waits now
        self.assertContains(response, "Too many failed login attempts")
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_sign_in_pages_render_in_persian(self):
        response = self.client.get("/fa/accounts/login/")
        html = response.content.decode()
        self.assertIn('dir="rtl"', html)
        self.assertIn('lang="fa"', html)
        self.assertIn("خوش آمدید", html)
        self.assertIn('<label for="id_login">نام کاربری یا نشانی ایمیل', html)
        self.assertIn('action="/fa/accounts/login/"', html)
        self.assertIn('href="/fa/accounts/password/reset/"', html)
        for path in ("/fa/accounts/signup/", "/fa/accounts/password/reset/"):
            self.assertContains(self.client.get(path), 'dir="rtl"')


class PasswordResetTests(AccountTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.reader = make_reader()

    def request_reset(self, login, prefix=""):
        return self.client.post(f"{prefix}/accounts/password/reset/", {"email": login})

    def test_known_and_unknown_accounts_get_the_same_answer_and_only_one_gets_mail(self):
        known = self.request_reset("nasrin@example.com")
        unknown = self.request_reset("nobody@example.com")
        self.assertRedirects(known, "/accounts/password/reset/done/", fetch_redirect_response=False)
        self.assertEqual(known["Location"], unknown["Location"])
        by_name = self.request_reset("nasrin")
        unknown_name = self.request_reset("nobody")
        self.assertEqual(by_name["Location"], unknown_name["Location"])
        self.assertEqual([m.to for m in mail.outbox], [["nasrin@example.com"]] * 2)

    def test_the_link_works_once_and_checks_the_new_password(self):
        self.request_reset("nasrin")
        reset_path = link_in(mail.outbox[0])
        form_path = self.client.get(reset_path)["Location"]  # allauth hides the key
        weak = self.client.post(form_path, {"password1": "12345678", "password2": "12345678"})
        self.assertContains(weak, "This password is entirely numeric.")
        new = "another-Unusual-passphrase-7"
        done = self.client.post(form_path, {"password1": new, "password2": new})
        self.assertRedirects(
            done, "/accounts/password/reset/key/done/", fetch_redirect_response=False
        )
        self.assertRedirects(
            self.sign_in("nasrin", password=new), "/", fetch_redirect_response=False
        )

        self.client.post("/accounts/logout/")
        again = self.client.get(reset_path, follow=True)
        self.assertContains(again, "This reset link no longer works")

    def test_an_expired_link_shows_a_clear_error(self):
        self.request_reset("nasrin@example.com")
        reset_path = link_in(mail.outbox[0])
        four_hours_later = PasswordResetTokenGenerator()._now() + timedelta(hours=4)
        with mock.patch.object(PasswordResetTokenGenerator, "_now", return_value=four_hours_later):
            response = self.client.get(reset_path, follow=True)
        self.assertContains(response, "The link has expired or has already been used.")

    def test_recovery_requests_are_limited_per_account(self):
        for _attempt in range(5):
            self.request_reset("nasrin@example.com")
        response = self.request_reset("nasrin@example.com")
        self.assertContains(response, "You have tried too many times.", status_code=429)
        self.assertEqual(len(mail.outbox), 5)

    def test_recovery_mail_is_in_the_readers_edition(self):
        response = self.request_reset("nasrin", prefix="/fa")
        self.assertRedirects(
            response, "/fa/accounts/password/reset/done/", fetch_redirect_response=False
        )
        self.assertIn("/fa/accounts/password/reset/key/", mail.outbox[0].body)
        self.assertIn("گذرواژه", mail.outbox[0].subject)


class ProfileTests(AccountTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.reader = make_reader()

    def test_the_account_page_needs_a_signed_in_reader(self):
        response = self.client.get("/accounts/profile/")
        self.assertRedirects(
            response, "/accounts/login/?next=/accounts/profile/", fetch_redirect_response=False
        )

    def test_a_reader_sets_a_display_name_and_preferred_edition(self):
        self.client.force_login(self.reader)
        page = self.client.get("/accounts/profile/")
        self.assertContains(page, 'href="/accounts/email/"')
        self.assertContains(page, 'href="/accounts/password/change/"')
        response = self.client.post(
            "/accounts/profile/", {"display_name": "Nasrin K.", "preferred_language": "fa"}
        )
        self.assertRedirects(response, "/accounts/profile/", fetch_redirect_response=False)
        self.reader.refresh_from_db()
        self.assertEqual(
            (self.reader.display_name, self.reader.preferred_language), ("Nasrin K.", "fa")
        )

    def test_the_account_page_renders_in_persian(self):
        self.client.force_login(self.reader)
        response = self.client.get("/fa/accounts/profile/")
        self.assertContains(response, 'dir="rtl"')
        self.assertContains(response, "حساب شما")
        self.assertContains(response, "نام نمایشی")

    def test_email_and_password_pages_render_in_both_editions(self):
        self.client.force_login(self.reader)
        for path in ("/accounts/email/", "/accounts/password/change/"):
            for prefix in ("", "/fa"):
                response = self.client.get(prefix + path)
                self.assertEqual(response.status_code, 200, prefix + path)
                self.assertContains(response, 'class="form__field')
