"""The renditions cache keeps what it holds and refreshes its expiry when Wagtail writes it back."""

import time
from unittest import mock

from django.test import SimpleTestCase

from masthead.images.cache import RenditionCache


class RenditionCacheTests(SimpleTestCase):
    def setUp(self):
        self.cache = RenditionCache("test-renditions", {"TIMEOUT": 60})
        self.cache.clear()

    def test_a_missing_key_is_stored(self):
        self.cache.set("a", "first")
        self.cache.set_many({"b": "second"})
        self.assertEqual(self.cache.get_many(["a", "b"]), {"a": "first", "b": "second"})

    def test_a_key_held_is_refreshed_not_written_again(self):
        self.cache.set("a", "first", timeout=10)
        self.cache.set_many({"b": "second"}, timeout=10)
        with mock.patch("django.core.cache.backends.locmem.pickle.dumps") as dumps:
            self.cache.set("a", "first", timeout=60)
            self.cache.set_many({"b": "second"}, timeout=60)
        dumps.assert_not_called()
        later = time.time() + 30  # past the first expiry, within the refreshed one
        with mock.patch("django.core.cache.backends.locmem.time.time", return_value=later):
            self.assertEqual(self.cache.get_many(["a", "b"]), {"a": "first", "b": "second"})

    def test_an_expired_key_is_stored_again(self):
        self.cache.set("a", "old", timeout=10)
        later = time.time() + 30
        with mock.patch("django.core.cache.backends.locmem.time.time", return_value=later):
            self.cache.set("a", "new")
            self.assertEqual(self.cache.get("a"), "new")
