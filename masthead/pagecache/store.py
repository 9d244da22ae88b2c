"""Where cached pages live: a Django cache (Redis in production, files or memory otherwise).

A page is stored with the surrogate keys of everything it shows and the time its render
began. Purging a key records the time of the purge; a page is fresh only if none of its
keys was purged after its render began. So a purge needs no list of pages, works the
same on every cache backend, and an edit published while a page was rendering can never
be hidden behind that older render.

Each worker process also keeps its most asked-for pages in memory, with the purge
generation (a counter every purge increments) at which it last checked them: while the
generation has not moved, a hit is answered from memory. On Redis, a thread in each worker
follows the generation (`GenerationListener`): every purge publishes the new generation,
so a hit costs no round trip at all, and the moment anything is purged anywhere, every
worker checks again. Where no listener runs (other caches, or Redis's subscription not
yet or no longer up) each hit reads the generation, one small read of the shared cache.

Every call is guarded: if the cache is down, the site serves every page uncached, logs a
warning (at most once a minute) and reports it in /healthz, and tries again a little later.
"""

import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver

logger = logging.getLogger(__name__)

ALIAS = "pages"
RETRY_AFTER_SECONDS = 5  # after a failure, skip the cache this long before trying again
WARN_EVERY_SECONDS = 60
LOCAL_PAGES = 300  # per worker process: about 10 MB of the most asked-for pages
GENERATION_KEY = "purge-generation"
# The listener re-reads the generation this often even without a message: a purge whose
# message was lost (a dropped connection not yet noticed) is followed within this time.
LISTENER_POLL_SECONDS = 1.0
LISTENER_RETRY_SECONDS = 2.0


class CounterUnavailable(LookupError):
    """A cache kept no value for a counter even once told to: it is down. (A cache set to
    ignore its outages, as the default one is on Redis, answers every read with nothing
    and drops every write rather than raising.)"""


def counter_value(cache, key: str) -> int:
    """A counter that never repeats a value: missing (a new or emptied cache), it starts
    from the clock in microseconds, past any count an earlier one reached, so nothing a
    process remembers under an old value can match the new one."""
    value = cache.get(key)
    if value is None:
        cache.add(key, time.time_ns() // 1000, timeout=None)
        value = cache.get(key)
    if value is None:
        raise CounterUnavailable(key)
    return int(value)


def advance_counter(cache, key: str) -> int:
    """Move such a counter on; its new value."""
    try:
        return cache.incr(key)
    except ValueError:  # missing: start it (another process may have just done so)
        counter_value(cache, key)
        return cache.incr(key)


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
        self.listener: GenerationListener | None = None

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
        """The purge generation, from this worker's listener when it follows Redis, else read."""
        listener = self._listener()
        if listener is not None and listener.generation is not None:
            return listener.generation
        return self.read_generation()

    def read_generation(self) -> int:
        """The purge generation, read from the shared cache as cheaply as it allows.

        A missing counter (a new or emptied cache) starts from the clock, so it never
        repeats a generation some worker remembers from before: those pages are checked."""
        cache = self.cache
        client = self.redis(write=False)
        if client is None:
            generation = int(cache.get(GENERATION_KEY, 0))
        else:
            # django-redis keeps an incremented number as a plain integer; its own get()
            # costs several times a bare GET (key building, unpickling).
            generation = int(client.get(cache.make_key(GENERATION_KEY)) or 0)
        return generation or counter_value(cache, GENERATION_KEY)

    def redis(self, write: bool):
        """The Redis client under the cache (django-redis), or None for any other backend."""
        get_client = getattr(getattr(self.cache, "client", None), "get_client", None)
        return None if get_client is None else get_client(write=write)

    def channel(self) -> str:
        """Where purges announce the new generation. Redis's channels span its databases,
        so the name carries the database as well as the cache's key prefix."""
        client = self.redis(write=True)
        database = client.connection_pool.connection_kwargs.get("db", 0)
        return f"{self.cache.make_key(GENERATION_KEY)}:db{database}"

    def _listener(self) -> "GenerationListener | None":
        """This process's listener, started on the first hit (in the worker, after any fork)."""
        listener = self.listener
        if listener is not None and listener.pid == os.getpid():
            return listener
        if self.redis(write=False) is None:
            return None
        with _listener_lock:
            if self.listener is None or self.listener.pid != os.getpid():
                self.listener = GenerationListener(self)
        return self.listener

    def stop_listening(self) -> None:
        """Let the listener go (the cache settings changed under it); the next hit starts one."""
        if self.listener is not None:
            self.listener.stopped = True
        self.listener = None
        self.local.clear()

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
            self._announce(advance_counter(self.cache, GENERATION_KEY))
        except Exception as error:  # noqa: BLE001
            self._failed(error)
        self.local.clear()

    def clear(self) -> None:
        """Forget every page, in the shared store and in every worker's memory."""
        self.local.clear()
        try:
            self.cache.clear()
            self._announce(self.read_generation())  # a new one, started from the clock
        except Exception as error:  # noqa: BLE001
            self._failed(error)

    def _announce(self, generation: int) -> None:
        """Tell every worker's listener the new generation at once."""
        client = self.redis(write=True)
        if client is not None:
            client.publish(self.channel(), generation)


_listener_lock = threading.Lock()


class GenerationListener:
    """A worker's thread that follows the purge generation on Redis, so hits need not ask.

    It subscribes to the store's channel, then reads the generation (in that order, so a
    purge between the two is not missed), takes each purge's new generation as it is
    published, and reads it again every `LISTENER_POLL_SECONDS` in case a message was lost.
    While it is not subscribed (starting, or Redis unreachable) `generation` is None and
    hits read the generation themselves."""

    def __init__(self, store: PageStore):
        self.store = store
        self.pid = os.getpid()
        self.generation: int | None = None
        self.stopped = False
        self.thread = threading.Thread(target=self.run, name="page-cache-purges", daemon=True)
        self.thread.start()

    def run(self) -> None:
        while not self.stopped:
            try:
                self.follow()
            except Exception as error:  # noqa: BLE001 - hits fall back to reading it
                logger.info("Page cache purge listener stopped, retrying: %s", error)
            finally:
                self.generation = None
            if not self.stopped:
                time.sleep(LISTENER_RETRY_SECONDS)

    def follow(self) -> None:
        pubsub = self.store.redis(write=True).pubsub()
        try:
            pubsub.subscribe(self.store.channel())
            while (message := pubsub.get_message(timeout=LISTENER_POLL_SECONDS)) is None or (
                message["type"] != "subscribe"
            ):
                pass
            polled = 0.0
            while not self.stopped:
                if time.monotonic() - polled >= LISTENER_POLL_SECONDS:
                    self.generation = self.store.read_generation()
                    polled = time.monotonic()
                message = pubsub.get_message(timeout=LISTENER_POLL_SECONDS)
                if message is not None and message["type"] == "message":
                    self.generation = int(message["data"])
        finally:
            pubsub.close()


store = PageStore()


@receiver(setting_changed)
def _cache_settings_changed(*, setting, **kwargs):
    if setting == "CACHES":
        store.stop_listening()
