"""The page chrome's cache: header, menus and footer, rebuilt when content changes.

Fragments are keyed on a version number that any publish, unpublish, menu or settings
change bumps, so stale chrome is never served and nothing has to be deleted by name.
"""

from django.core.cache import cache

CHROME_VERSION_KEY = "masthead:chrome-version"


def chrome_version() -> int:
    version = cache.get(CHROME_VERSION_KEY)
    if version is None:
        version = 1
        cache.add(CHROME_VERSION_KEY, version, timeout=None)
    return version


def bump_chrome_version() -> None:
    """Make every cached header, menu and footer fragment stale."""
    try:
        cache.incr(CHROME_VERSION_KEY)
    except ValueError:
        cache.set(CHROME_VERSION_KEY, 2, timeout=None)
