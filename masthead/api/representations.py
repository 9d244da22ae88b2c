"""Turn pages and images into the dictionaries the response schemas describe."""

from collections import defaultdict
from collections.abc import Iterable

from django.http import HttpRequest
from wagtail.rich_text import expand_db_html

from masthead.content.models import ArticlePage, AuthorPage, SectionPage
from masthead.content.navigation import live_translations
from masthead.content.querysets import CARD_RENDITIONS, attach_sections, localize_pages
from masthead.images.models import CustomImage
from masthead.subscriptions.access import (
    Decision,
    Reader,
    decide,
    paywall_settings,
    visible_blocks,
)

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
        "body_withheld": not entitlement(article, request).full_text,
    }


def entitlement(article: ArticlePage, request: HttpRequest) -> Decision:
    """Ask the paywall whether this request's reader may have the whole body.

    Staff, a subscription, a site licence, an unlock (or, for registered-readers articles,
    being signed in) open it; the meter does not, since an API call is not a page read, and
    neither does a gift link, which opens the page it was sent for.
    """
    return decide(Reader.from_request(request), article, use_meter_allowance=False)


def render_blocks(article: ArticlePage, blocks: list) -> str:
    """Render some of the body's blocks as the whole body would render them."""
    return str(article.body.stream_block.render_basic(blocks))


def article_detail(article: ArticlePage, request: HttpRequest) -> dict:
    """Describe one article; its body only when the reader is entitled to it.

    A premium article always carries its free preview, which every reader may see on the page.
    """
    decision = entitlement(article, request)
    paragraphs = paywall_settings(request).preview_paragraphs if article.is_premium else 0
    preview, gated = visible_blocks(article, decision, paragraphs)
    return {
        **article_summary(article, request),
        "translations": {
            language: {"id": page.pk, "url": page.get_full_url(request) or ""}
            for language, page in live_translations(article).items()
        },
        "body_html": render_blocks(article, preview + gated) if decision.full_text else None,
        "preview_html": render_blocks(article, preview) if article.is_premium else None,
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
