"""The read-only endpoints: articles, sections, authors and images of the site's two editions."""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from ninja import Path, Query, Router
from ninja.errors import HttpError

from masthead.content.models import ArticlePage, AuthorPage, SectionPage

from . import queries, representations
from .schemas import (
    MAX_ID,
    ArticleDetail,
    ArticleFilters,
    ArticleList,
    Author,
    AuthorList,
    EditionFilter,
    Image,
    ImageList,
    Paging,
    Problem,
    Section,
    SectionList,
)

router = Router()

LIST_ERRORS = {400: Problem}
DETAIL_ERRORS = {400: Problem, 404: Problem}


def refuse_unknown_parameters(request: HttpRequest, accepted: type[Paging] | None = None) -> None:
    """Answer 400 to a query parameter the endpoint does not know, instead of ignoring it."""
    known = set(accepted.model_fields) if accepted else set()
    unknown = sorted(set(request.GET) - known)
    if unknown:
        accepts = ", ".join(sorted(known)) or "no query parameters"
        raise HttpError(
            400, f"Unknown query parameter {', '.join(unknown)}; this accepts {accepts}."
        )


def page_of(queryset, paging: Paging) -> tuple[int, list]:
    """Return the total and one slice of a listing; an offset past the end is a 400."""
    count = queryset.count()
    if paging.offset and paging.offset >= count:
        raise HttpError(
            400,
            f"offset {paging.offset} is past the end: there are {count} results, "
            f"so offset must be below {max(count, 1)}.",
        )
    return count, list(queryset[paging.offset : paging.offset + paging.limit])


def listing(count: int, paging: Paging, items: list) -> dict:
    return {"count": count, "limit": paging.limit, "offset": paging.offset, "items": items}


def found_or_404(queryset, pk: int, what: str):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404(f"No {what} has the id {pk}.")
    return found


@router.get("/articles/", response={200: ArticleList, **LIST_ERRORS}, tags=["articles"])
def list_articles(request: HttpRequest, filters: Query[ArticleFilters]):
    """List live articles, newest first; bodies only in one article's description."""
    refuse_unknown_parameters(request, ArticleFilters)
    count, articles = page_of(queries.article_listing(request, filters), filters)
    items = [
        representations.article_summary(article, request)
        for article in representations.prepare_articles(articles)
    ]
    return listing(count, filters, items)


@router.get(
    "/articles/{article_id}/", response={200: ArticleDetail, **DETAIL_ERRORS}, tags=["articles"]
)
def get_article(
    request: HttpRequest, response: HttpResponse, article_id: int = Path(..., ge=1, le=MAX_ID)
):
    """Describe one article; `body_html` is null unless the signed-in reader is entitled.

    A premium article carries its free preview in `preview_html`.
    """
    refuse_unknown_parameters(request)
    articles = queries.with_bylines_and_tags(
        queries.served(ArticlePage.objects.all(), request).select_related("lead_image")
    )
    article = found_or_404(articles, article_id, "article")
    representations.prepare_articles([article])
    data = representations.article_detail(article, request)
    if article.is_premium and data["body_html"] is not None:
        # Opened for this reader alone (an account or an address): no shared cache keeps it.
        patch_cache_control(response, private=True, no_store=True)
    return data


@router.get("/sections/", response={200: SectionList, **LIST_ERRORS}, tags=["sections"])
def list_sections(request: HttpRequest, filters: Query[EditionFilter]):
    """List live sections in tree order; a sub-section names its parent section."""
    refuse_unknown_parameters(request, EditionFilter)
    count, sections = page_of(queries.sections_listing(request, filters.edition), filters)
    parent_ids = representations.parent_section_ids(sections)
    items = [representations.section_data(s, request, parent_ids) for s in sections]
    return listing(count, filters, items)


@router.get("/sections/{section_id}/", response={200: Section, **DETAIL_ERRORS}, tags=["sections"])
def get_section(request: HttpRequest, section_id: int = Path(..., ge=1, le=MAX_ID)):
    refuse_unknown_parameters(request)
    section = found_or_404(
        queries.served(SectionPage.objects.all(), request), section_id, "section"
    )
    parent_ids = representations.parent_section_ids([section])
    return representations.section_data(section, request, parent_ids)


@router.get("/authors/", response={200: AuthorList, **LIST_ERRORS}, tags=["authors"])
def list_authors(request: HttpRequest, filters: Query[EditionFilter]):
    """List live authors by name."""
    refuse_unknown_parameters(request, EditionFilter)
    count, authors = page_of(queries.authors_listing(request, filters.edition), filters)
    return listing(count, filters, [representations.author_data(a, request) for a in authors])


@router.get("/authors/{author_id}/", response={200: Author, **DETAIL_ERRORS}, tags=["authors"])
def get_author(request: HttpRequest, author_id: int = Path(..., ge=1, le=MAX_ID)):
    refuse_unknown_parameters(request)
    authors = queries.served(AuthorPage.objects.all(), request).select_related("photo")
    return representations.author_data(found_or_404(authors, author_id, "author"), request)


@router.get("/images/", response={200: ImageList, **LIST_ERRORS}, tags=["images"])
def list_images(request: HttpRequest, paging: Query[Paging]):
    """List the pictures the site shows (lead images and author photos), newest first."""
    refuse_unknown_parameters(request, Paging)
    count, images = page_of(queries.images_listing(request), paging)
    return listing(count, paging, [representations.image_data(i, request) for i in images])


@router.get("/images/{image_id}/", response={200: Image, **DETAIL_ERRORS}, tags=["images"])
def get_image(request: HttpRequest, image_id: int = Path(..., ge=1, le=MAX_ID)):
    refuse_unknown_parameters(request)
    image = found_or_404(queries.images_listing(request), image_id, "image")
    return representations.image_data(image, request)
