"""Which requests the page cache may answer, decided from the request line and cookies alone.

The same rules run in front of Django (the WSGI wrapper, on every request, so they must
cost microseconds and no query) and inside it (the middleware that renders a page for a
class instead of a person). `deploy/varnish/default.vcl` mirrors them for the edge.
"""

import re

from django.conf import settings
from django.http.cookie import parse_cookie

from .classes import ANONYMOUS, CLASS_COOKIE, read_class

# Paths that are always somebody's own, or post forms, or are cached elsewhere.
PRIVATE_PREFIXES = (
    "/admin/",
    "/django-admin/",
    "/api/",
    "/documents/",
    "/media/",
    "/static/",
    "/stripe/",
    "/healthz",
    "/favicon.ico",
)
# A printed edition's PDF is decided for the person (a licence by network address, too).
PRIVATE_SUFFIXES = ("/pdf/",)
# The same under each edition's language prefix (/fa/accounts/ as /accounts/).
EDITION_PRIVATE_PREFIXES = ("accounts/", "subscriptions/", "comments/", "search/", "reader/")

# A listing's page number is the only query string a cached page may carry: anything else
# (?gift=, ?access=, ?replytocom=, ?comment=held, ?p=123) is answered by Django for the person.
CACHEABLE_QUERY = re.compile(r"^(page=\d{1,4})?$")

MESSAGES_COOKIE = "messages"


def _edition_prefixes() -> tuple[str, ...]:
    prefixes = [f"/{p}" for p in EDITION_PRIVATE_PREFIXES]
    for code, _name in settings.LANGUAGES:
        if code != settings.LANGUAGE_CODE:
            prefixes += [f"/{code}/{p}" for p in EDITION_PRIVATE_PREFIXES]
    return tuple(prefixes)


_private_prefixes: tuple[str, ...] | None = None


def private_prefixes() -> tuple[str, ...]:
    global _private_prefixes
    if _private_prefixes is None:
        _private_prefixes = PRIVATE_PREFIXES + _edition_prefixes()
    return _private_prefixes


def entitlement_for(environ) -> str | None:
    """The class whose copy answers this request, or None when Django must answer the person."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        return None
    path = environ.get("PATH_INFO", "")
    if path.startswith(private_prefixes()) or path.endswith(PRIVATE_SUFFIXES):
        return None
    if not CACHEABLE_QUERY.match(environ.get("QUERY_STRING", "")):
        return None
    raw = environ.get("HTTP_COOKIE", "")
    if not raw:
        return ANONYMOUS
    cookies = parse_cookie(raw)
    if cookies.get(MESSAGES_COOKIE):
        return None  # a message waits for this reader: the next page is theirs alone
    session = cookies.get(settings.SESSION_COOKIE_NAME)
    entitlement = read_class(cookies.get(CLASS_COOKIE), session)
    if entitlement is None:
        # A session but no valid class for it yet: Django answers, and writes the class.
        return None if session else ANONYMOUS
    return entitlement
