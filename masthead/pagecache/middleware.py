"""Render a cacheable request for its entitlement class, and keep readers' class cookies.

For a request the page cache may answer (the WSGI wrapper put its class in the environ),
the page is rendered for the class, never for the person: `request.user` is anonymous
and `request.reader` is the class (`subscriptions.access.Reader.for_class`), so nothing
personal (a name, a meter count, a CSRF token) can reach the shared copy; that comes from
`views.reader_state` after the page loads. The response is marked shareable with its
surrogate keys.

Every other response that went through Django for a signed-in reader writes their class
into the class cookie, so signing in, out, or subscribing changes the copy they get at once.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language

from . import keys
from .classes import CLASS_COOKIE, class_of, set_class_cookie
from .wsgi import ENTITLEMENT_ENVIRON_KEY


class ClassRenderMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        entitlement = request.META.get(ENTITLEMENT_ENVIRON_KEY)
        if entitlement is None:
            response = self.get_response(request)
            current = request.COOKIES.get(CLASS_COOKIE)
            # A visitor with neither a session nor a class has no class to write or clear
            # (and asking who they are would open the session, and mark the answer Vary:
            # Cookie); a sign-in made its session in this very request.
            session = getattr(request, "session", None)
            if (
                current is not None
                or settings.SESSION_COOKIE_NAME in request.COOKIES
                or (session is not None and session.modified)
            ):
                set_class_cookie(
                    response, class_of(request), current, session and session.session_key
                )
            return response

        from masthead.subscriptions.access import Reader

        request.user = AnonymousUser()
        request.reader = Reader.for_class(entitlement)
        request.entitlement = entitlement
        request.surrogate_keys = {keys.SITE}
        response = self.get_response(request)
        if response.status_code == 200 and _shareable(response):
            language = get_language() or settings.LANGUAGE_CODE
            request.surrogate_keys.add(keys.chrome(language))
            patch_cache_control(
                response,
                public=True,
                max_age=0,
                s_maxage=settings.PAGE_CACHE["TTL"],
                stale_while_revalidate=settings.PAGE_CACHE["STALE"],
            )
            # Only the class cookie varies these pages; caches that cannot pick it out of
            # the Cookie header keep a copy per Cookie header, which is safe.
            patch_vary_headers(response, ["Cookie"])
            response["Surrogate-Key"] = " ".join(sorted(request.surrogate_keys))
        return response


def _shareable(response) -> bool:
    if getattr(response, "streaming", False) or response.cookies:
        return False
    cache_control = response.get("Cache-Control", "")
    return "private" not in cache_control and "no-store" not in cache_control
