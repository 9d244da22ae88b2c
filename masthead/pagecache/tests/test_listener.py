"""Each worker follows purges through Redis's publish/subscribe, so a hit asks Redis nothing.

Against the real Redis server on 127.0.0.1:6379 (as in production and CI), under a key
prefix of this test process's own: a second store stands for another worker.
"""

import os
import time
from unittest import mock

from django.core.cache import caches
from django.test import SimpleTestCase, override_settings

from masthead.pagecache import store as store_module
from masthead.pagecache.store import PageStore, StoredPage

PREFIX = f"test-listener-{os.getpid()}"
REDIS_PAGES = {
    "BACKEND": "django_redis.cache.RedisCache",
    "LOCATION": "redis://127.0.0.1:6379/11",
    "KEY_PREFIX": PREFIX,
    "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
}


def stored(keys=("page-1",)) -> StoredPage:
    return StoredPage(
        status=200,
        headers=(("Content-Type", "text/html"),),
        body=b"<p>the page</p>",
        keys=keys,
        rendered_at=time.time(),
        etag='"e1"',
    )


def wait_until(condition, seconds=3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


@override_settings(CACHES={**__import__("django.conf").conf.settings.CACHES, "pages": REDIS_PAGES})
class PurgesReachEveryWorker(SimpleTestCase):
    def setUp(self):
        self.worker = PageStore()
        self.other_worker = PageStore()

    def tearDown(self):
        for each in (self.worker, self.other_worker):
            each.stop_listening()
        client = self.worker.redis(write=True)
        keys = list(client.scan_iter(f"{PREFIX}:*"))
        if keys:
            client.delete(*keys)

    def following(self, each: PageStore) -> bool:
        each.get("page:anonymous:none")  # the first lookup starts the worker's listener
        return wait_until(lambda: each.listener is not None and each.listener.generation)

    def test_a_hit_asks_redis_nothing_while_the_listener_follows(self):
        self.worker.put("page:anonymous:a", stored())
        self.assertTrue(self.following(self.worker))
        self.assertIsNotNone(self.worker.get("page:anonymous:a"))  # checked once, remembered
        with (
            mock.patch.object(PageStore, "read_generation", side_effect=AssertionError),
            mock.patch.object(type(caches["pages"]), "get", side_effect=AssertionError),
        ):
            for _ in range(3):
                self.assertEqual(self.worker.get("page:anonymous:a").body, b"<p>the page</p>")

    @mock.patch.object(store_module, "LISTENER_POLL_SECONDS", 30.0)  # only a message can tell
    def test_a_purge_in_another_worker_reaches_this_ones_memory_at_once(self):
        self.worker.put("page:anonymous:a", stored(keys=("page-1", "list-2")))
        self.worker.put("page:anonymous:b", stored(keys=("page-3",)))
        self.assertTrue(self.following(self.worker))
        self.assertIsNotNone(self.worker.get("page:anonymous:a"))
        self.assertIsNotNone(self.worker.get("page:anonymous:b"))
        before = self.worker.listener.generation

        time.sleep(0.01)  # the purge comes after the render began
        self.other_worker.purge(["list-2"])

        self.assertTrue(wait_until(lambda: self.worker.listener.generation != before, 2.0))
        self.assertIsNone(self.worker.get("page:anonymous:a"))  # purged: gone from memory too
        self.assertIsNotNone(self.worker.get("page:anonymous:b"))  # not shown: kept

    def test_a_generation_announced_elsewhere_empties_this_workers_memory(self):
        self.worker.put("page:anonymous:a", stored())
        self.assertTrue(self.following(self.worker))
        self.assertIsNotNone(self.worker.get("page:anonymous:a"))
        before = self.worker.listener.generation
        self.other_worker.cache.delete("page:anonymous:a")  # as FLUSHDB would, for this page
        self.other_worker._announce(self.other_worker.read_generation() + 1)
        self.assertTrue(wait_until(lambda: self.worker.listener.generation != before, 2.0))
        self.assertIsNone(self.worker.get("page:anonymous:a"))

    def test_without_a_listener_each_hit_reads_the_generation(self):
        self.worker.put("page:anonymous:a", stored())
        with mock.patch.object(store_module, "GenerationListener") as listener:
            listener.return_value.generation = None  # not subscribed (yet, or any more)
            listener.return_value.pid = os.getpid()
            self.assertIsNotNone(self.worker.get("page:anonymous:a"))
            with mock.patch.object(
                PageStore, "read_generation", wraps=self.worker.read_generation
            ) as read:
                self.assertIsNotNone(self.worker.get("page:anonymous:a"))
            read.assert_called_once()
