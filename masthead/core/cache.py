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

from masthead.pagecache.store import CounterUnavailable, advance_counter, counter_value, store

CHROME_VERSION_KEY = "masthead:chrome-version"


def _shared():
    """The page cache's store is shared by every process (Redis, or files without it); the
    default cache may be one process's memory, where another process's bump goes unseen.
    Should the page cache's store be down, the default cache stands in (it ignores outages)."""
    return caches["pages"] if store.available() else caches["default"]


def chrome_version() -> int:
    try:
        return counter_value(_shared(), CHROME_VERSION_KEY)
    except Exception as error:  # noqa: BLE001 - an outage slows the site, never breaks it
        store_failed(error)
    try:
        return counter_value(caches["default"], CHROME_VERSION_KEY)
    except CounterUnavailable:
        # No store answers (on Redis, the default cache is Redis too): nothing can tell
        # whether the chrome changed elsewhere, so no fragment may be reused. A version of
        # the caller's own, below every real one (those start from the clock), does that.
        return -time.time_ns()


def chrome_version_for(request) -> int:
    """The chrome version, read once a request: the site lookup and the templates key on it."""
    if request is None:
        return chrome_version()
    version = getattr(request, "_masthead_chrome_version", None)
    if version is None:
        version = request._masthead_chrome_version = chrome_version()
    return version


def bump_chrome_version() -> None:
    """Make every cached header, menu and footer fragment stale."""
    try:
        advance_counter(_shared(), CHROME_VERSION_KEY)
    except Exception as error:  # noqa: BLE001
        store_failed(error)
        try:
            advance_counter(caches["default"], CHROME_VERSION_KEY)
        except CounterUnavailable:
            pass  # no store answers: chrome_version() hands out versions of their own


def store_failed(error: Exception) -> None:
    store._failed(error)
