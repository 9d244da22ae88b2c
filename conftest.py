import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def pytest_report_header(config):
    if shutil.which("chromium") is None:
        return (
            "NOTICE: Chromium is not installed, so the browser tests are SKIPPED. "
            "Install it with `apt-get install -y chromium` to run them."
        )
    return f"browser tests: {CHROMIUM}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Give every run the rows Wagtail's migrations make: locales, a root page, a site.

    A transactional test (the browser tests, a race test) empties the database when it ends;
    with --reuse-db the next run would start without them.
    """
    from django.conf import settings
    from wagtail.models import Locale, Page, Site

    with django_db_blocker.unblock():
        for language, _name in settings.LANGUAGES:
            Locale.objects.get_or_create(language_code=language)
        if Page.get_first_root_node() is None:
            root = Page.add_root(instance=Page(title="Root", slug="root"))
            welcome = root.add_child(
                instance=Page(title="Welcome to your new Wagtail site!", slug="home")
            )
            Site.objects.create(
                hostname="localhost", port=80, root_page=welcome, is_default_site=True
            )


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, with the page cache in front as masthead/wsgi.py puts it:
    browser and edge tests read shared copies, and reader.js fills in the reader's own part."""
    from pytest_django.live_server_helper import LiveServer

    from masthead.pagecache.wsgi import PageCacheApplication

    server = LiveServer(request.config.getvalue("liveserver") or "localhost", start=False)
    static_handler = server.thread.static_handler
    server.thread.static_handler = lambda application: PageCacheApplication(
        static_handler(application)
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _empty_page_cache(request):
    """A test on the live server starts with no stored page: the database under it is new."""
    if "live_server" in request.fixturenames:
        from masthead.pagecache.store import store

        store.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default edition's language: a request served in Persian by
    an earlier test (LocaleMiddleware activates it for the thread) must not carry over."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
