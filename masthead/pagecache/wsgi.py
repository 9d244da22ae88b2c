"""The page cache in front of Django: a hit is answered before any middleware runs.

Django's own cache middleware answers after the whole middleware stack (sessions,
locale, CSRF, authentication), which caps a cached page at about 2,000 requests a
second on this kind of machine; answering here, from the request line and cookies alone,
costs one or two cache reads.

`PageCacheApplication(django_app)` wraps the WSGI application (see masthead/wsgi.py):
- a request the rules let the cache answer (`rules.entitlement_for`) is looked up under
  its class; a fresh copy is sent as it was stored, or a 304 for a matching ETag;
- on a miss Django renders the page for the class (`middleware.ClassRenderMiddleware`
  reads the class from the environ key below), and the response is stored if Django
  marked it shareable (`offer`);
- any other request goes to Django untouched.
"""

import time

from django.conf import settings
from django.utils.http import http_date, parse_http_date_safe

from .rules import entitlement_for
from .store import StoredPage, store

ENTITLEMENT_ENVIRON_KEY = "masthead.page_cache.entitlement"
RENDERED_AT_ENVIRON_KEY = "masthead.page_cache.rendered_at"

STATUS_TEXT = {200: "200 OK", 304: "304 Not Modified"}
# Headers a 304 repeats (RFC 9110 15.4.5); the body and its length are left out.
NOT_MODIFIED_HEADERS = frozenset(
    {
        "cache-control",
        "content-location",
        "etag",
        "expires",
        "vary",
        "surrogate-key",
        "last-modified",
    }
)


def lookup(environ) -> tuple[str | None, StoredPage | None]:
    """The class this request is answered for (None: the person) and its fresh copy, if any."""
    entitlement = entitlement_for(environ)
    if entitlement is None:
        return None, None
    environ[ENTITLEMENT_ENVIRON_KEY] = entitlement
    environ[RENDERED_AT_ENVIRON_KEY] = time.time()
    if not settings.PAGE_CACHE["ENABLED"]:
        return entitlement, None
    return entitlement, store.get(store.page_key(entitlement, environ))


def hit_response(environ, page: StoredPage) -> tuple[str, list[tuple[str, str]], bytes]:
    """Status, headers and body for a stored copy, honouring If-None-Match."""
    age = str(max(0, int(time.time() - page.rendered_at)))
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match:
        not_modified = if_none_match.strip() == "*" or page.etag in _etags(if_none_match)
    elif modified_since := environ.get("HTTP_IF_MODIFIED_SINCE"):
        # If-Modified-Since counts only without If-None-Match (RFC 9110 13.1.3)
        since = parse_http_date_safe(modified_since)
        not_modified = since is not None and int(page.rendered_at) <= since
    else:
        not_modified = False
    if not_modified:
        headers = [(k, v) for k, v in page.headers if k.lower() in NOT_MODIFIED_HEADERS]
        return STATUS_TEXT[304], [*headers, ("Age", age), ("X-Page-Cache", "HIT")], b""
    headers = [*page.headers, ("Age", age), ("X-Page-Cache", "HIT")]
    body = b"" if environ.get("REQUEST_METHOD") == "HEAD" else page.body
    return STATUS_TEXT.get(page.status, f"{page.status} OK"), headers, body


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


def shared_vary(value: str) -> str:
    """A shared copy varies by the class cookie only: the edition is in the path, so the
    `Accept-Language` Django's locale middleware adds to un-prefixed addresses goes."""
    return ", ".join(v.strip() for v in value.split(",") if v.strip().lower() != "accept-language")


def shared_headers(environ, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers of a copy Django marked shareable: Vary by the class cookie only, and a
    Last-Modified (when its render began) for caches that revalidate by date."""
    names = {name.lower() for name, _value in headers}
    if "surrogate-key" not in names:
        return headers
    fixed = [
        (name, shared_vary(value) if name.lower() == "vary" else value)
        for name, value in headers
        if name.lower() != "vary" or shared_vary(value)
    ]
    if "last-modified" not in names and RENDERED_AT_ENVIRON_KEY in environ:
        fixed.append(("Last-Modified", http_date(environ[RENDERED_AT_ENVIRON_KEY])))
    return fixed


def offer(environ, status: int, headers, body: bytes) -> bool:
    """Store a response rendered for a class, if Django marked it shareable; say if stored."""
    entitlement = environ.get(ENTITLEMENT_ENVIRON_KEY)
    if entitlement is None or not settings.PAGE_CACHE["ENABLED"]:
        return False
    if status != 200 or environ.get("REQUEST_METHOD") != "GET":
        return False
    names = {name.lower(): value for name, value in headers}
    if "surrogate-key" not in names or "set-cookie" in names:
        return False
    cache_control = names.get("cache-control", "")
    if "public" not in cache_control or "private" in cache_control or "no-store" in cache_control:
        return False
    etag = names.get("etag")
    if etag is None:
        return False
    page = StoredPage(
        status=status,
        headers=tuple((name, value) for name, value in headers if name.lower() != "x-page-cache"),
        body=body,
        keys=tuple(names["surrogate-key"].split()),
        rendered_at=environ[RENDERED_AT_ENVIRON_KEY],
        etag=etag.removeprefix("W/"),
    )
    store.put(store.page_key(entitlement, environ), page)
    return True


class PageCacheApplication:
    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        entitlement, page = lookup(environ)
        if page is not None:
            status, headers, body = hit_response(environ, page)
            start_response(status, headers)
            return [body]
        if entitlement is None:
            return self.application(environ, _adding_header(start_response, "BYPASS"))

        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: captured.setdefault("written", []).append(data)

        result = self.application(environ, capture)
        try:
            body = b"".join([*captured.get("written", []), *result])
        finally:
            if hasattr(result, "close"):
                result.close()
        status = captured["status"]
        headers = shared_headers(
            environ, [(k, v) for k, v in captured["headers"] if k.lower() != "x-page-cache"]
        )
        offer(environ, int(status.split(" ", 1)[0]), headers, body)
        start_response(status, [*headers, ("X-Page-Cache", "MISS")])
        return [body]


def _adding_header(start_response, value: str):
    def start(status, headers, exc_info=None):
        return start_response(status, [*headers, ("X-Page-Cache", value)], exc_info)

    return start
