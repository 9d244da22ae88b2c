"""Password recovery through a real SMTP server on loopback, following the mailed link."""

import email
import re
import socket

from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from django.core.cache import cache
from django.test import TestCase, override_settings

from masthead.content.tests.factories import make_paper

from .test_flows import PASSWORD, make_reader


def free_port() -> int:
    """Ask the OS for a free loopback port (aiosmtpd's start() cannot use port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox(Message):
    """Keep every message the SMTP server receives."""

    def __init__(self):
        super().__init__()
        self.messages: list[email.message.Message] = []

    def handle_message(self, message):
        self.messages.append(message)


class SmtpRecoveryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_paper()
        cls.reader = make_reader()

    def setUp(self):
        cache.clear()
        self.inbox = Inbox()
        self.port = free_port()
        self.server = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.server.start()
        self.addCleanup(self.server.stop)

    def test_recovery_mail_arrives_over_smtp_and_its_link_resets_the_password(self):
        mailers = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": self.port, "timeout": 10},
            }
        }
        with override_settings(MAILERS=mailers):
            self.client.post("/accounts/password/reset/", {"email": "nasrin"})

        self.assertEqual(len(self.inbox.messages), 1)
        message = self.inbox.messages[0]
        self.assertEqual(message["To"], "nasrin@example.com")
        body = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
        reset_path = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", body)[1]

        form_path = self.client.get(reset_path)["Location"]
        new = "a-fresh-Passphrase-for-2027"
        done = self.client.post(form_path, {"password1": new, "password2": new})
        self.assertRedirects(
            done, "/accounts/password/reset/key/done/", fetch_redirect_response=False
        )
        self.reader.refresh_from_db()
        self.assertTrue(self.reader.check_password(new))
        self.assertFalse(self.reader.check_password(PASSWORD))
