"""The chrome version: fragments of the header, menus and footer are keyed on it, and may
sit in each process's memory, so a version must never come back once used."""

from django.core.cache import caches
from django.test import SimpleTestCase

from masthead.core.cache import CHROME_VERSION_KEY, bump_chrome_version, chrome_version


class ChromeVersion(SimpleTestCase):
    def setUp(self):
        caches["pages"].delete(CHROME_VERSION_KEY)

    def test_a_bump_is_a_new_version(self):
        first = chrome_version()
        bump_chrome_version()
        self.assertGreater(chrome_version(), first)

    def test_a_version_lost_with_its_store_never_repeats(self):
        bump_chrome_version()
        bump_chrome_version()
        before = chrome_version()
        caches["pages"].delete(CHROME_VERSION_KEY)  # the store restarted, or was emptied
        after = chrome_version()
        self.assertNotEqual(after, before)
        self.assertGreater(after, before)  # started from the clock, past any count of bumps
