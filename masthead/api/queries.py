"""What the API may serve: the site's live, public pages in both editions, filtered on request."""

from functools import reduce
from operator import or_

from django.db.models import Prefetch, Q
from django.http import HttpRequest
from ninja.errors import HttpError
from wagtail.models import Page, Site

from masthead.content.models import (
    ArticleAuthor,
    ArticlePage,
    ArticlePageTag,
    AuthorPage,
    SectionPage,
)
from masthead.content.querysets import CARD_RENDITIONS, ArticlePageQuerySet
from masthead.images.models import CustomImage, Rendition

from .schemas import MAX_ID, ArticleFilters


def site_roots(request: HttpRequest) -> list[tuple[str, str]]:
    """Return (tree path, url path) of the site's home in each edition; memoised on the request."""
    if not hasattr(request, "_api_site_roots"):
        site = Site.find_for_request(request)
        roots = []
        if site is not None:
            home_key = Page.objects.filter(pk=site.root_page_id).values("translation_key")
            roots = list(
                Page.objects.live()
                .filter(translation_key__in=home_key)
                .values_list("path", "url_path")
            )
        request._api_site_roots = roots
    return request._api_site_roots


def in_site(request: HttpRequest) -> Q:
    """Match pages under the site's home in any edition (nothing when no site answers)."""
    return reduce(or_, (Q(path__startswith=path) for path, _ in site_roots(request)), Q(pk__in=[]))


def slug_path(page: Page, request: HttpRequest) -> str:
    """Return the page's path below its edition's home, such as `news/politics`."""
    for path, url_path in site_roots(request):
        if page.path.startswith(path):
            return page.url_path.removeprefix(url_path).strip("/")
    return page.url_path.strip("/")


def served(queryset, request: HttpRequest, edition: str | None = None):
    """Narrow a page queryset to what an anonymous reader of this site may see."""
    queryset = queryset.live().public().filter(in_site(request)).select_related("locale")
    if edition:
        queryset = queryset.filter(locale__language_code=edition)
    return queryset


def with_bylines_and_tags(queryset: ArticlePageQuerySet) -> ArticlePageQuerySet:
    return queryset.prefetch_related(
        Prefetch("bylines", queryset=ArticleAuthor.objects.select_related("author")),
        "tags",
    )


def article_listing(request: HttpRequest, filters: ArticleFilters) -> ArticlePageQuerySet:
    """Shape the article list: the site's listing query, narrowed by the request's filters."""
    articles = served(ArticlePage.objects.all(), request, filters.edition).for_listing()
    articles = with_bylines_and_tags(articles)
    if filters.section:
        sections = find_sections(request, filters.section)
        articles = articles.filter(reduce(or_, (Q(path__startswith=s.path) for s in sections)))
    if filters.tag:
        tagged = ArticlePageTag.objects.filter(
            Q(tag__slug=filters.tag) | Q(tag__name__iexact=filters.tag)
        )
        articles = articles.filter(pk__in=tagged.values("content_object_id"))
    if filters.author:
        author = served(AuthorPage.objects.all(), request).filter(pk=filters.author).first()
        if author is None:
            raise HttpError(400, f"No author has the id {filters.author}; see /api/authors/.")
        # A byline may name any edition's version of the author; count them all.
        bylines = ArticleAuthor.objects.filter(author__translation_key=author.translation_key)
        articles = articles.filter(pk__in=bylines.values("article_id"))
    if filters.published_after:
        articles = articles.filter(first_published_at__gte=filters.published_after)
    if filters.published_before:
        articles = articles.filter(first_published_at__lt=filters.published_before)
    return articles


def find_sections(request: HttpRequest, id_or_path: str) -> list[SectionPage]:
    """Find a section by id, or by slug path in every edition; an unknown one is a 400."""
    sections = served(SectionPage.objects.all(), request)
    if id_or_path.isascii() and id_or_path.isdigit():
        section_id = int(id_or_path)
        found = list(sections.filter(pk=section_id)) if section_id <= MAX_ID else []
    else:
        wanted = id_or_path.strip("/")
        found = list(
            sections.filter(url_path__in=[f"{u}{wanted}/" for _, u in site_roots(request)])
        )
    if not found:
        raise HttpError(
            400, f"No section has the id or path {id_or_path!r}; see /api/sections/ for them."
        )
    return found


def sections_listing(request: HttpRequest, edition: str | None):
    return served(SectionPage.objects.all(), request, edition).order_by("path")


def authors_listing(request: HttpRequest, edition: str | None):
    return (
        served(AuthorPage.objects.all(), request, edition)
        .select_related("photo")
        .prefetch_related(with_card_renditions("photo__renditions"))
        .order_by("title", "pk")
    )


def images_listing(request: HttpRequest):
    """The pictures the site shows: lead images of its articles and photos of its authors."""
    lead_images = served(ArticlePage.objects.all(), request).values("lead_image_id")
    photos = served(AuthorPage.objects.all(), request).values("photo_id")
    return (
        CustomImage.objects.filter(Q(pk__in=lead_images) | Q(pk__in=photos))
        .prefetch_related(with_card_renditions("renditions"))
        .order_by("-created_at", "-pk")
    )


def with_card_renditions(lookup: str) -> Prefetch:
    return Prefetch(lookup, queryset=Rendition.objects.filter(filter_spec__in=CARD_RENDITIONS))
