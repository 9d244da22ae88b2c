"""The sign-in modal in a real browser: open it, fail in place, then succeed."""

from playwright.sync_api import expect

PASSWORD = "a-Long-and-unusual-passphrase-42"


def make_reader():
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username="nasrin", email="nasrin@example.com", password=PASSWORD, display_name="Nasrin K."
    )
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def test_sign_in_modal_fails_in_place_then_signs_in(page, live_server, paper):
    make_reader()
    page.goto(live_server.url + "/latest/")
    login_link = page.locator("[data-login-modal]")
    login_link.click()

    dialog = page.locator("dialog.login-modal")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h1")).to_have_text("Welcome Back!")
    expect(dialog.get_by_role("link", name="Forgotten Password?")).to_be_visible()
    expect(dialog.locator("#id_login")).to_be_focused()

    # Focus stays inside: Shift+Tab from the first control wraps to the last one.
    dialog.locator(".login-modal__close").focus()
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(
        "document.querySelector('dialog.login-modal').contains(document.activeElement)"
    )

    # Escape closes the dialog and gives focus back to the link.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(login_link).to_be_focused()

    login_link.click()
    expect(dialog).to_be_visible()
    page.evaluate("window.__stillHere = true")  # lost if the page reloads
    dialog.locator("#id_login").fill("nasrin@example.com")
    dialog.locator("#id_password").fill("not-the-password")
    dialog.get_by_role("button", name="Login").click()
    expect(dialog.locator(".form__error").first).to_be_visible()
    expect(dialog.locator("#id_login")).to_have_value("nasrin@example.com")
    assert page.evaluate("window.__stillHere === true")

    dialog.locator("#id_password").fill(PASSWORD)
    dialog.get_by_role("button", name="Login").click()
    expect(page.locator(".account-menu__name")).to_have_text("Nasrin K.")
    assert page.url == live_server.url + "/latest/"


def test_without_javascript_login_is_a_plain_page(browser, live_server, paper):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(live_server.url + "/fa/")
    tab.locator("[data-login-modal]").click()
    expect(tab).to_have_url(live_server.url + "/fa/accounts/login/?next=/fa/")
    expect(tab.locator("html")).to_have_attribute("dir", "rtl")
    expect(tab.locator("h1")).to_have_text("خوش آمدید!")
    context.close()
