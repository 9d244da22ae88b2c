"""Password recovery end to end: the modal, a real SMTP server on loopback, the mailed link."""

import re

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from masthead.accounts.tests.test_smtp import Inbox, free_port
from tests.browser.test_accounts import PASSWORD, make_reader

NEW_PASSWORD = "a-fresh-Passphrase-for-2027"


@pytest.fixture
def inbox(settings):
    """Start an SMTP server on loopback and point the live server's mail at it."""
    received = Inbox()
    port = free_port()
    server = Controller(received, hostname="127.0.0.1", port=port)
    server.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 10},
        }
    }
    yield received
    server.stop()


def mailed_reset_link(message) -> str:
    body = message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
    return re.search(r"https?://\S+/accounts/password/reset/key/\S+", body)[0]


def test_a_forgotten_password_is_recovered_through_the_mailed_link(page, live_server, paper, inbox):
    reader = make_reader()
    page.goto(live_server.url + "/latest/")
    page.locator("[data-login-modal]").click()
    dialog = page.locator("dialog.login-modal")
    expect(dialog).to_be_visible()
    dialog.get_by_role("link", name="Forgotten Password?").click()

    expect(page.locator("h1")).to_have_text("Retrieve your password")
    page.get_by_role("textbox", name="Username or email address").fill("nasrin")
    page.get_by_role("button", name="Reset password").click()
    expect(page.locator("h1")).to_have_text("Check your email")

    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == "nasrin@example.com"
    link = mailed_reset_link(message)
    assert link.startswith(live_server.url)

    page.goto(link)
    expect(page.locator("h1")).to_have_text("Choose a new password")
    page.locator("#id_password1").fill(NEW_PASSWORD)
    page.locator("#id_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("h1")).to_have_text("Your password has been changed")
    reader.refresh_from_db()
    assert reader.check_password(NEW_PASSWORD)

    # The old password no longer opens the account; the new one does, through the modal.
    page.goto(live_server.url + "/latest/")
    page.locator("[data-login-modal]").click()
    dialog.locator("#id_login").fill("nasrin")
    dialog.locator("#id_password").fill(PASSWORD)
    dialog.get_by_role("button", name="Login").click()
    expect(dialog.locator(".form__error").first).to_be_visible()
    dialog.locator("#id_password").fill(NEW_PASSWORD)
    dialog.get_by_role("button", name="Login").click()
    expect(page.locator(".account-menu__name")).to_have_text("Nasrin K.")

    # The link worked once: opened again, it says so and offers a new one.
    page.goto(link)
    expect(page.locator("h1")).to_have_text("This reset link no longer works")
    expect(page.get_by_role("alert")).to_have_text(
        "The link has expired or has already been used. Each link works once."
    )
    expect(page.get_by_role("link", name="Ask for a new link")).to_be_visible()
    assert len(inbox.messages) == 1
