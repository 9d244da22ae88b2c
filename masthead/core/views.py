import logging
import posixpath

from django.conf import settings
from django.db import connection
from django.http import (
    Http404,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponsePermanentRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.template import loader
from django.templatetags.static import static
from django.utils import translation
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def edition_language(path: str) -> str:
    """Return the edition a path belongs to, from its language prefix alone."""
    language = translation.get_language_from_path(path)
    return language or settings.LANGUAGE_CODE


def page_not_found(request, exception=None):
    language = edition_language(request.path_info)
    with translation.override(language):
        html = loader.render_to_string(
            "404.html", {"request_path": request.path, "is_error_page": True}, request
        )
    return HttpResponseNotFound(html)


def server_error(request):
    # Renders without the database or context processors: they may be what failed.
    language = edition_language(request.path_info)
    with translation.override(language):
        html = loader.get_template("500.html").render(
            {"LANGUAGE_CODE": language, "LANGUAGE_BIDI": translation.get_language_bidi()}
        )
    return HttpResponseServerError(html)


def favicon(request):
    """Answer browsers that ask for /favicon.ico before reading the page's icon link."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def csrf_failure(request, reason=""):
    """Explain a rejected form in the reader's edition; rendered without the database."""
    language = edition_language(request.path_info)
    with translation.override(language):
        html = loader.get_template("403_csrf.html").render(
            {"LANGUAGE_CODE": language, "LANGUAGE_BIDI": translation.get_language_bidi()}
        )
    return HttpResponseForbidden(html)


@never_cache
def health(request):
    """Report whether the database and the cache answer, for load balancers and monitors."""
    from django.core.cache import cache

    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception:  # noqa: BLE001 - any failure is reported, never raised
        logger.exception("Health check: database unreachable")
        checks["database"] = "unreachable"
    try:
        cache.set("masthead:health", "ok", 5)
        checks["cache"] = "ok" if cache.get("masthead:health") == "ok" else "degraded"
    except Exception:  # noqa: BLE001
        logger.exception("Health check: cache unreachable")
        checks["cache"] = "unreachable"
    # Without its page cache the site still serves every page, only slower: reported, not 503.
    from masthead.pagecache.store import store

    checks["page_cache"] = store.health()
    status = 200 if checks["database"] == "ok" else 503
    return JsonResponse(checks, status=status)


def media(request, path):
    """Serve an uploaded file in development, except documents (see masthead/urls.py).

    The path is normalised first: `//documents/` or `./documents/` name the same file as
    `documents/`, and must be refused the same way.
    """
    from django.views.static import serve

    normalised = posixpath.normpath(path.replace("\\", "/")).lstrip("/")
    if normalised == "documents" or normalised.startswith(("documents/", "../")):
        raise Http404("Not served directly")
    return serve(request, normalised, document_root=settings.MEDIA_ROOT)
