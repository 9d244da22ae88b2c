"""Where cached pages live: a Django cache (Redis in production, files or memory otherwise).

A page is stored with the surrogate keys of everything it shows and the time its render
began. Purging a key records the time of the purge; a page is fresh only if none of its
keys was purged after its render began. So a purge needs no list of pages, works the
same on every cache backend, and an edit published while a page was rendering can never
be hidden behind that older render.

Each worker process also keeps its most asked-for pages in memory, with the purge
generation (a counter every purge increments) at which it last checked them: while the
generation has not moved, a hit costs one small read of the shared cache instead of the
page and all its keys. The moment anything is purged anywhere, every worker checks again.

Every call is guarded: if the cache is down, the site serves every page uncached, logs a
warning (at most once a minute) and reports it in /healthz, and tries again a little later.
"""

import hashlib
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)

ALIAS = "pages"
RETRY_AFTER_SECONDS = 5  # after a failure, skip the cache this long before trying again
WARN_EVERY_SECONDS = 60
LOCAL_PAGES = 300  # per worker process: about 10 MB of the most asked-for pages
GENERATION_KEY = "purge-generation"


@dataclass(frozen=True)
class StoredPage:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    keys: tuple[str, ...]
    rendered_at: float  # when the render began (seconds since the epoch)
    etag: str


class PageStore:
    def __init__(self, alias: str = ALIAS):
        self.alias = alias
        self.down_until = 0.0
        self.last_warning = 0.0
        self.last_error: str | None = None
        self.local: OrderedDict[str, tuple[StoredPage, int]] = OrderedDict()

    @property
    def cache(self):
        return caches[self.alias]

    # Availability ------------------------------------------------------------------------

    def available(self) -> bool:
        return time.monotonic() >= self.down_until

    def _failed(self, error: Exception) -> None:
        self.down_until = time.monotonic() + RETRY_AFTER_SECONDS
        self.last_error = f"{type(error).__name__}: {error}"
        now = time.monotonic()
        if now - self.last_warning >= WARN_EVERY_SECONDS:
            self.last_warning = now
            logger.warning("Page cache unreachable, serving pages uncached: %s", self.last_error)

    def health(self) -> str:
        try:
            self.cache.set("masthead:pagecache:health", "ok", 5)
            ok = self.cache.get("masthead:pagecache:health") == "ok"
        except Exception as error:  # noqa: BLE001 - reported, never raised
            self._failed(error)
            return "unreachable"
        if ok:
            self.down_until = 0.0
        return "ok" if ok else "degraded"

    # Pages --------------------------------------------------------------------------------

    @staticmethod
    def page_key(entitlement: str, environ) -> str:
        scheme = environ.get("HTTP_X_FORWARDED_PROTO") or environ.get("wsgi.url_scheme", "http")
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
        target = (
            f"{scheme}://{host}{environ.get('PATH_INFO', '')}?{environ.get('QUERY_STRING', '')}"
        )
        digest = hashlib.blake2b(target.encode("utf-8", "surrogateescape"), digest_size=16)
        return f"page:{entitlement}:{digest.hexdigest()}"

    @staticmethod
    def key_name(surrogate_key: str) -> str:
        return f"purged:{surrogate_key}"

    def get(self, key: str) -> StoredPage | None:
        if not self.available():
            return None
        try:
            generation = self._generation()
            remembered = self.local.get(key)
            if remembered is not None and generation and remembered[1] == generation:
                page = remembered[0]
                if page.rendered_at + settings.PAGE_CACHE["TTL"] > time.time():
                    self.local.move_to_end(key)
                    return page
            page = self.cache.get(key)
            if page is None:
                self.local.pop(key, None)
                return None
            purged = self.cache.get_many([self.key_name(k) for k in page.keys])
        except Exception as error:  # noqa: BLE001
            self._failed(error)
            return None
        if purged and max(purged.values()) >= page.rendered_at:
            self.local.pop(key, None)
            return None
        if generation:
            self._remember(key, page, generation)
        return page

    def _generation(self) -> int:
        """The purge generation: read on every hit, so read it as cheaply as the cache allows.

        A missing counter (a new or emptied cache) starts from the clock, so it never
        repeats a generation some worker remembers from before: those pages are checked."""
        cache = self.cache
        client = getattr(getattr(cache, "client", None), "get_client", None)
        if client is None:
            generation = int(cache.get(GENERATION_KEY, 0))
        else:
            # django-redis keeps an incremented number as a plain integer; its own get()
            # costs several times a bare GET (key building, unpickling), on every hit.
            generation = int(client(write=False).get(cache.make_key(GENERATION_KEY)) or 0)
        if not generation:
            cache.add(GENERATION_KEY, time.time_ns() // 1000, timeout=None)
            generation = int(cache.get(GENERATION_KEY, 0))
        return generation

    def _remember(self, key: str, page: StoredPage, generation: int) -> None:
        self.local[key] = (page, generation)
        self.local.move_to_end(key)
        while len(self.local) > LOCAL_PAGES:
            self.local.popitem(last=False)

    def put(self, key: str, page: StoredPage) -> None:
        if not self.available():
            return
        try:
            self.cache.set(key, page, timeout=settings.PAGE_CACHE["TTL"])
        except Exception as error:  # noqa: BLE001
            self._failed(error)

    def purge(self, surrogate_keys) -> None:
        """Make stale every page that carries one of the keys, in every class's copy."""
        now = time.time()
        try:
            self.cache.set_many(
                {self.key_name(k): now for k in surrogate_keys},
                # Longer than any page lives, so a purge is never forgotten before its pages.
                timeout=settings.PAGE_CACHE["TTL"] * 2 + 60,
            )
            # After the keys: a worker that sees the new generation finds them purged.
            # Started from the clock, so a counter lost and started again never repeats a
            # generation some worker remembers.
            self.cache.add(GENERATION_KEY, time.time_ns() // 1000, timeout=None)
            self.cache.incr(GENERATION_KEY)
        except Exception as error:  # noqa: BLE001
            self._failed(error)
        self.local.clear()

    def clear(self) -> None:
        self.local.clear()
        try:
            self.cache.clear()
        except Exception as error:  # noqa: BLE001
            self._failed(error)


store = PageStore()
