"""Previews and structured data in every page's head: Open Graph, Twitter card and JSON-LD.

Reads only what the page template has already fetched (the article's section, bylines and
tags are cached properties; renditions come from the renditions cache; the site settings
from the `site_settings` context variable), so it adds no query to a warmed page.
"""

from functools import cached_property
from urllib.parse import urlsplit

from django import template
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from wagtail.images.models import Filter
from wagtail.models import Page

from masthead.content.models import ArticlePage, HomePage
from masthead.content.navigation import edition_home_url, live_translations
from masthead.feeds.structured_data import (
    Link,
    Picture,
    breadcrumb_list,
    cut_headline,
    describe_article,
    iso_datetime,
    news_article,
    news_media_organization,
    to_script_json,
    website,
)

register = template.Library()

OG_LOCALES = {"en": "en_US", "fa": "fa_IR"}  # Open Graph wants language_TERRITORY
ARTICLE_IMAGE_CROPS = ("fill-1200x675", "fill-1200x900", "fill-1200x1200")  # 16:9, 4:3, 1:1
SHARE_IMAGE_SPEC = "fill-1200x630"  # the size Facebook, LinkedIn and X show large
SHARE_CARD_SIZE = (1200, 630)  # the generated card's size; see share_image.py
LOGO_SPEC = "max-600x600"
LOGO_CACHE_SECONDS = 24 * 60 * 60
# Built once: a filter reads Wagtail's image operations and parses its spec on first use.
LEAD_IMAGE_FILTERS = tuple(Filter(spec) for spec in (SHARE_IMAGE_SPEC, *ARTICLE_IMAGE_CROPS))


@register.inclusion_tag("tags/seo_meta.html", takes_context=True)
def seo_meta(context):
    """Print the Open Graph and Twitter tags and the JSON-LD blocks for the page served."""
    page = context.get("page")
    request = context.get("request")
    if not isinstance(page, Page) or not page.pk or request is None:
        return {}  # search results, error pages: nothing worth previewing
    page_url = page.get_full_url(request)
    if not page_url:
        return {}
    preview = PagePreview(
        page, page_url, request, context.get("site_settings"), context.get("chrome_version")
    )
    if urlsplit(page_url).path != request.path:  # a page's sub-view, such as a tag listing
        return {"open_graph": preview.basic_open_graph(preview.absolute(request.path))}
    return {
        "open_graph": preview.open_graph(),
        "twitter": preview.twitter_card(),
        "json_ld": [to_script_json(block) for block in preview.json_ld()],
    }


class PagePreview:
    """Gather what previews and structured data say about one page, each value once.

    Open Graph, the Twitter card and JSON-LD repeat the title, description, picture, logo
    and bylines: each is a cached property, worked out for the first and reused.
    """

    def __init__(self, page, page_url, request, site_settings, chrome_version):
        self.page = page
        self.url = page_url
        self.request = request
        self.settings = site_settings
        self.chrome_version = chrome_version or 0
        self.language = translation.get_language()
        parts = urlsplit(page_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.is_article = isinstance(page, ArticlePage)
        self.is_home = isinstance(page, HomePage)

    def absolute(self, url: str) -> str:
        """Make a site-relative address absolute on the page's own host; leave others be."""
        return url if urlsplit(url).scheme else f"{self.origin}{url}"

    @cached_property
    def paper_name(self) -> str:
        return self.settings.name_for(self.language) if self.settings else ""

    @cached_property
    def title(self) -> str:
        if self.is_home:
            return self.paper_name or self.page.title
        return self.page.seo_title or self.page.title

    @cached_property
    def description(self) -> str:
        if self.is_article:
            return describe_article(self.page)
        if self.is_home and self.settings and not self.page.search_description:
            return self.settings.tagline_for(self.language)
        intro = getattr(self.page, "intro", "")
        return self.page.search_description or strip_tags(str(intro or "")).strip()

    @cached_property
    def home_url(self) -> str:
        return self.absolute(edition_home_url(self.language))

    @cached_property
    def author_links(self) -> list[Link]:
        return [Link(a.title, a.get_full_url(self.request)) for a in self.page.authors]

    @cached_property
    def lead_renditions(self) -> dict:
        """The article picture's renditions that previews and JSON-LD show, fetched together."""
        return self.page.lead_image.get_renditions(*LEAD_IMAGE_FILTERS)

    @cached_property
    def share_image(self) -> tuple[Picture, str] | None:
        """The picture a shared link shows, and its alternative text."""
        if self.is_article:
            article = self.page
            if article.lead_image_id:
                rendition = self.lead_renditions[SHARE_IMAGE_SPEC]
                picture = Picture(self.absolute(rendition.url), rendition.width, rendition.height)
                return (picture, article.lead_caption or article.title)
            card = reverse("share_card", args=[article.pk])
            version = f"?v={article.live_revision_id}" if article.live_revision_id else ""
            return (Picture(self.absolute(card + version), *SHARE_CARD_SIZE), article.title)
        return (self.logo, self.paper_name) if self.logo else None

    @cached_property
    def logo(self) -> Picture | None:
        """The paper's logo, remembered until the site settings change."""
        logo_id = self.settings.machine_logo_id if self.settings else None
        if not logo_id:
            return None
        key = f"masthead:seo-logo:{self.settings.pk}:{logo_id}:{self.chrome_version}"
        found = cache.get(key)
        if found is None:
            rendition = self.settings.machine_logo.get_rendition(LOGO_SPEC)
            found = (rendition.url, rendition.width, rendition.height)
            cache.set(key, found, LOGO_CACHE_SECONDS)
        url, width, height = found
        return Picture(self.absolute(url), width, height)

    def basic_open_graph(self, url: str) -> list[tuple[str, str]]:
        tags = [("og:type", "website"), ("og:url", url)]
        if self.paper_name:
            tags.append(("og:site_name", self.paper_name))
        tags.append(("og:locale", OG_LOCALES.get(self.language, self.language)))
        return tags

    def open_graph(self) -> list[tuple[str, str]]:
        tags = [
            ("og:type", "article" if self.is_article else "website"),
            ("og:title", self.title),
            ("og:description", self.description),
            ("og:url", self.url),
        ]
        image = self.share_image
        if image:
            picture, alt = image
            tags += [
                ("og:image", picture.url),
                ("og:image:width", str(picture.width or "")),
                ("og:image:height", str(picture.height or "")),
                ("og:image:alt", alt),
            ]
        tags.append(("og:site_name", self.paper_name))
        tags.append(("og:locale", OG_LOCALES.get(self.language, self.language)))
        for code in live_translations(self.page, self.chrome_version or None):
            if code != self.language:
                tags.append(("og:locale:alternate", OG_LOCALES.get(code, code)))
        if self.is_article:
            tags += self.article_tags()
        return [(key, value) for key, value in tags if value]

    def article_tags(self) -> list[tuple[str, str]]:
        article = self.page
        tags = [
            ("article:published_time", iso_datetime(article.first_published_at)),
            ("article:modified_time", iso_datetime(article.last_published_at)),
        ]
        tags += [("article:author", author.url) for author in self.author_links]
        if article.section:
            tags.append(("article:section", article.section.title))
        tags += [("article:tag", tag.name) for tag in article.tag_list]
        return tags

    def twitter_card(self) -> list[tuple[str, str]]:
        image = self.share_image
        tags = [
            ("twitter:card", "summary_large_image" if self.is_article else "summary"),
            ("twitter:title", self.title),
            ("twitter:description", self.description),
        ]
        if image:
            tags += [("twitter:image", image[0].url), ("twitter:image:alt", image[1])]
        handle = x_handle(self.settings.x_url if self.settings else "")
        if handle:
            tags.append(("twitter:site", handle))
        return [(key, value) for key, value in tags if value]

    def publisher(self) -> dict:
        other_names = []
        if self.settings:
            other_names = [
                name
                for name in {self.settings.paper_name, self.settings.paper_name_fa}
                if name and name != self.paper_name
            ]
        return news_media_organization(
            self.paper_name or self.page.title,
            self.home_url,
            logo=self.logo,
            founding_year=self.settings.founding_year if self.settings else None,
            same_as=[url for _label, url in self.settings.social_links] if self.settings else (),
            alternate_names=sorted(other_names),
        )

    def breadcrumbs(self) -> list[Link]:
        """Walk up to the edition's front page; free after routing, which keeps each parent."""
        trail = []
        current = self.page
        while current is not None and not isinstance(current, HomePage) and current.depth > 2:
            name = cut_headline(current.title) if current is self.page else current.title
            trail.append(Link(name, current.get_full_url(self.request)))
            current = current.get_parent()
        trail.append(Link(self.paper_name or (current.title if current else ""), self.home_url))
        return trail[::-1]

    def json_ld(self) -> list[dict]:
        if self.is_home:
            organization = {"@context": "https://schema.org", **self.publisher()}
            search_url = self.absolute(reverse("search"))
            return [
                organization,
                website(
                    self.paper_name or self.page.title,
                    self.home_url,
                    language=self.language,
                    search_url=search_url,
                    publisher_id=organization["@id"],
                ),
            ]
        blocks = []
        if self.is_article:
            blocks.append(self.article_json_ld())
        trail = self.breadcrumbs()
        if len(trail) > 1:
            blocks.append(breadcrumb_list(trail))
        return blocks

    def article_json_ld(self) -> dict:
        article = self.page
        if article.lead_image_id:
            renditions = self.lead_renditions
            images = [self.absolute(renditions[spec].url) for spec in ARTICLE_IMAGE_CROPS]
        else:
            images = [self.share_image[0].url]
        return news_article(
            article,
            url=self.url,
            language=self.language,
            description=self.description,
            images=images,
            authors=self.author_links,
            publisher=self.publisher(),
            section=article.section.title if article.section else None,
            keywords=[tag.name for tag in article.tag_list],
        )


def x_handle(profile_url: str) -> str:
    """Turn an X profile address into the @handle that Twitter cards name."""
    parts = urlsplit(profile_url or "")
    if parts.netloc.removeprefix("www.") not in {"x.com", "twitter.com"}:
        return ""
    name = parts.path.strip("/").split("/")[0]
    return f"@{name}" if name else ""
