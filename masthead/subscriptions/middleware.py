"""Hand a new visitor their signed reader cookie, only once the meter needed one."""

from django.conf import settings

from .access import VISITOR_COOKIE, VISITOR_COOKIE_MAX_AGE, Reader, sign_visitor_id


class VisitorCookieMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        reader = getattr(request, "reader", None)
        if isinstance(reader, Reader) and reader.new_visitor_id:
            response.set_cookie(
                VISITOR_COOKIE,
                sign_visitor_id(reader.new_visitor_id),
                max_age=VISITOR_COOKIE_MAX_AGE,
                httponly=True,
                secure=settings.SESSION_COOKIE_SECURE,
                samesite="Lax",
            )
            # A response that sets a reader's cookie is that reader's alone.
            response["Cache-Control"] = "private, no-store"
        return response
