"""The API object: Django Ninja publishes the OpenAPI description; errors answer as JSON."""

from http import HTTPStatus

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from .endpoints import router
from .schemas import Problem

api = NinjaAPI(
    title="Masthead API",
    version="1.0.0",
    description=(
        "Read-only access to the paper's live articles, sections, authors and images in both "
        "editions. A premium article's body is given only to a reader signed in to the site "
        "(session cookie) who is entitled to it; everyone else gets its free preview."
    ),
    urls_namespace="masthead_api",
    openapi_url="/openapi.json",
    docs_url="/docs/",
)
api.add_router("/", router)


def problem(request: HttpRequest, status: int, detail: str, errors=None) -> HttpResponse:
    body = Problem(title=HTTPStatus(status).phrase, status=status, detail=detail, errors=errors)
    return api.create_response(request, body.model_dump(exclude_none=True), status=status)


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """Answer 400 (not Ninja's 422) and name each bad parameter with what is wrong with it."""
    errors = [
        {"parameter": ".".join(str(part) for part in e["loc"][1:]), "message": e["msg"]}
        for e in error.errors
    ]
    detail = "; ".join(f"{e['parameter'] or 'request'}: {e['message']}" for e in errors)
    return problem(request, 400, detail, errors)


@api.exception_handler(HttpError)
def refused(request: HttpRequest, error: HttpError) -> HttpResponse:
    return problem(request, error.status_code, str(error))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
    return problem(request, 404, str(error) or "Not found.")


def unknown_address(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Answer any other address under /api/ with a JSON 404 rather than the site's HTML page."""
    return problem(request, 404, "No such endpoint; see /api/docs/ for the list.")
