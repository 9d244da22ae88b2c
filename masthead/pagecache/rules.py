"""Which requests the page cache may answer, decided from the request line and cookies alone.

The same rules run in front of Django (the WSGI wrapper, on every request, so they must
cost microseconds and no query) and inside it (the middleware that renders a page for a
class instead of a person). `deploy/varnish/default.vcl` mirrors them for the edge.
"""

import re

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http.cookie import parse_cookie

from .classes import ANONYMOUS, CLASS_COOKIE, read_class, this_hour

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
COOKIE_HEADERS_REMEMBERED = 4096
_answers_by_cookie_header: dict[str, tuple[int, str | None]] = {}  # header -> (hour, answer)


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
    # A reader's browser sends the same Cookie header with every page until a cookie
    # changes: its answer is remembered for the hour (the class's validity moves by the
    # hour), which makes a signed-in reader's hit cost what a visitor's does (9 µs → 2).
    hour = this_hour()
    known = _answers_by_cookie_header.get(raw)
    if known is not None and known[0] == hour:
        return known[1]
    answer = _entitlement_from_cookies(raw, hour)
    if len(_answers_by_cookie_header) >= COOKIE_HEADERS_REMEMBERED:
        _answers_by_cookie_header.clear()  # bounded whatever headers are sent: start afresh
    _answers_by_cookie_header[raw] = (hour, answer)
    return answer


def _entitlement_from_cookies(raw: str, hour: int) -> str | None:
    cookies = parse_cookie(raw)
    if cookies.get(MESSAGES_COOKIE):
        return None  # a message waits for this reader: the next page is theirs alone
    session = cookies.get(settings.SESSION_COOKIE_NAME)
    entitlement = read_class(cookies.get(CLASS_COOKIE), session, hour)
    if entitlement is None:
        # A session but no valid class for it yet: Django answers, and writes the class.
        return None if session else ANONYMOUS
    return entitlement


@receiver(setting_changed)
def forget_answers(**kwargs) -> None:
    """Tests change the session cookie's name and the signing key; answers depend on both."""
    _answers_by_cookie_header.clear()
