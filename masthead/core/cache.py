"""The page chrome's cache: header, menus and footer, rebuilt when content changes.

Fragments are keyed on a version number that any publish, unpublish, menu or settings
change bumps, so stale chrome is never served and nothing has to be deleted by name. The
version lives in the shared store; the fragments themselves may live in each process's
memory (the `template_fragments` cache, with Redis), since a new version is a new key. A
version lost with its store starts again from the clock, so it never repeats one that a
process still holds fragments for.
"""

import time

from django.core.cache import caches

CHROME_VERSION_KEY = "masthead:chrome-version"


def _shared():
    """The page cache's store is shared by every process (Redis, or files without it); the
    default cache may be one process's memory, where another process's bump goes unseen.
    Should the page cache's store be down, the default cache stands in (it ignores outages)."""
    from masthead.pagecache.store import store

    return caches["pages"] if store.available() else caches["default"]


def chrome_version() -> int:
    try:
        return _version(_shared())
    except Exception as error:  # noqa: BLE001 - an outage slows the site, never breaks it
        store_failed(error)
        return _version(caches["default"])


def _version(cache) -> int:
    version = cache.get(CHROME_VERSION_KEY)
    if version is None:
        cache.add(CHROME_VERSION_KEY, time.time_ns() // 1000, timeout=None)
        version = cache.get(CHROME_VERSION_KEY)
    return version


def bump_chrome_version() -> None:
    """Make every cached header, menu and footer fragment stale."""
    try:
        _bump(_shared())
    except Exception as error:  # noqa: BLE001
        store_failed(error)
        _bump(caches["default"])


def _bump(cache) -> None:
    try:
        cache.incr(CHROME_VERSION_KEY)
    except ValueError:
        cache.set(CHROME_VERSION_KEY, time.time_ns() // 1000, timeout=None)


def store_failed(error: Exception) -> None:
    from masthead.pagecache.store import store

    store._failed(error)
