"""Turn pages and images into the dictionaries the response schemas describe."""

from collections import defaultdict
from collections.abc import Iterable

from django.http import HttpRequest
from wagtail.rich_text import expand_db_html

from masthead.content.access import may_show_full_text
from masthead.content.models import ArticlePage, AuthorPage, SectionPage
from masthead.content.navigation import live_translations
from masthead.content.querysets import CARD_RENDITIONS, attach_sections, localize_pages
from masthead.images.models import CustomImage

from .queries import slug_path


def renditions(image: CustomImage, request: HttpRequest) -> list[dict]:
    """Return the card renditions, made on first use and prefetched by the listings after."""
    return [
        {
            "spec": spec,
            "url": request.build_absolute_uri(rendition.url),
            "width": rendition.width,
            "height": rendition.height,
        }
        for spec, rendition in image.get_renditions(*CARD_RENDITIONS).items()
    ]


def image_data(image: CustomImage, request: HttpRequest) -> dict:
    return {
        "id": image.pk,
        "title": image.title,
        "caption": image.caption,
        "credit": image.credit,
        "width": image.width,
        "height": image.height,
        "renditions": renditions(image, request),
    }


def page_link(page, request: HttpRequest) -> dict:
    return {"id": page.pk, "title": page.title, "url": page.get_full_url(request) or ""}


def attach_authors(articles: Iterable[ArticlePage]) -> list[ArticlePage]:
    """Set `api_authors` on each article: its byline, in its edition where translated.

    Reads the prefetched bylines and asks for translations once per edition.
    """
    articles = list(articles)
    by_locale: dict[int, list[ArticlePage]] = defaultdict(list)
    for article in articles:
        by_locale[article.locale_id].append(article)
    for locale_id, group in by_locale.items():
        writers = [byline.author for article in group for byline in article.bylines.all()]
        localized = iter(localize_pages(writers, locale_id) if writers else [])
        for article in group:
            article.api_authors = [next(localized) for _byline in article.bylines.all()]
    return articles


def prepare_articles(articles: Iterable[ArticlePage]) -> list[ArticlePage]:
    """Fetch what every article summary needs (sections, bylines) in one go for the list."""
    return attach_authors(attach_sections(articles))


def article_summary(article: ArticlePage, request: HttpRequest) -> dict:
    image = article.lead_image
    return {
        "id": article.pk,
        "headline": article.title,
        "standfirst": article.standfirst,
        "url": article.get_full_url(request) or "",
        "edition": article.locale.language_code,
        "first_published_at": article.first_published_at,
        "last_published_at": article.last_published_at,
        "section": page_link(article.section_page, request) if article.section_page else None,
        "authors": [page_link(author, request) for author in article.api_authors],
        "tags": [tag.name for tag in article.tags.all()],
        "lead_image": image
        and {
            "id": image.pk,
            "caption": article.lead_caption,
            "credit": image.credit,
            "width": image.width,
            "height": image.height,
            "renditions": renditions(image, request),
        },
        "access_level": article.access_level,
        "body_withheld": not may_show_full_text(article),
    }


def article_detail(article: ArticlePage, request: HttpRequest) -> dict:
    """Describe one article; its body only when the access rule allows it."""
    shown = may_show_full_text(article)
    return {
        **article_summary(article, request),
        "translations": {
            language: {"id": page.pk, "url": page.get_full_url(request) or ""}
            for language, page in live_translations(article).items()
        },
        "body_html": str(article.body) if shown else None,
    }


def section_data(section: SectionPage, request: HttpRequest, parent_ids: dict) -> dict:
    return {
        "id": section.pk,
        "title": section.title,
        "slug_path": slug_path(section, request),
        "url": section.get_full_url(request) or "",
        "edition": section.locale.language_code,
        "parent_section_id": parent_ids.get(section.path[: -section.steplen]),
        "intro": section.intro,
    }


def parent_section_ids(sections: Iterable[SectionPage]) -> dict[str, int]:
    """Map tree paths to ids for the sections that are parents of these, in one query."""
    parent_paths = {s.path[: -s.steplen] for s in sections}
    return dict(SectionPage.objects.filter(path__in=parent_paths).values_list("path", "pk"))


def author_data(author: AuthorPage, request: HttpRequest) -> dict:
    return {
        "id": author.pk,
        "name": author.title,
        "role": author.role,
        "url": author.get_full_url(request) or "",
        "edition": author.locale.language_code,
        "photo": image_data(author.photo, request) if author.photo else None,
        "bio_html": expand_db_html(author.bio),
    }
