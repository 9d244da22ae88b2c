"""Drive Debian's Chromium through Playwright against a live test server."""

import os

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.browser.chromium import CHROMIUM, launch


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if CHROMIUM is None:
                item.add_marker(pytest.mark.skip(reason="Chromium is not installed"))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


@pytest.fixture
def mobile_page(browser):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def paper(transactional_db):
    from django.core.cache import cache

    from masthead.content.tests.factories import make_article, make_image, make_paper

    cache.clear()
    built = make_paper()
    image = make_image("Lead")
    built.articles = [
        make_article(built.news, "Diplomat defects", days_ago=3, image=image, tags=["oil"]),
        make_article(built.politics, "Parliament votes", days_ago=2, image=image),
        make_article(built.economy, "Minimum wage rises", days_ago=1, image=image),
    ]
    return built
