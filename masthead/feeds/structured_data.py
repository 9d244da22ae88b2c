"""Schema.org JSON-LD for articles, breadcrumbs and the paper itself, as search engines read it.

Every builder here is a pure function: it takes plain values (names, absolute addresses,
datetimes) and returns a dict ready for `json.dumps`; gathering those values from pages,
images and settings is the template tag's job (`templatetags/seo_tags.py`).
"""

import datetime
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from masthead.subscriptions.access import may_show_full_text

SCHEMA_CONTEXT = "https://schema.org"
HEADLINE_LIMIT = 110  # Google: headlines longer than 110 characters may be cut off
DESCRIPTION_LIMIT = 200  # a search result snippet's length, roughly
PAYWALLED_SELECTOR = ".article__gated"  # what readers without access never receive

# What may not appear raw inside <script>: `</script>` or `<!--` would end or confuse it.
_SCRIPT_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


@dataclass(frozen=True)
class Link:
    """Something with a name and an absolute address: an author, a breadcrumb, a section."""

    name: str
    url: str


@dataclass(frozen=True)
class Picture:
    """An image file at an absolute address, with its size in pixels."""

    url: str
    width: int | None = None
    height: int | None = None


def cut_headline(headline: str, limit: int = HEADLINE_LIMIT) -> str:
    """Shorten a headline to Google's limit at a word boundary, ending with an ellipsis."""
    headline = " ".join(headline.split())
    if len(headline) <= limit:
        return headline
    cut = headline[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-–—") + "…"


def iso_datetime(moment: datetime.datetime | None) -> str | None:
    """Write a moment in ISO 8601 with the paper's UTC offset, as Google asks."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def describe_article(article) -> str:
    """Describe an article by its standfirst; only a free article may lend its first paragraph."""
    text = article.standfirst or article.search_description
    if not text and may_show_full_text(article):
        text = next(
            (
                strip_tags(str(block.value))
                for block in article.body
                if block.block_type == "paragraph"
            ),
            "",
        )
    return Truncator(" ".join(text.split())).chars(DESCRIPTION_LIMIT)


def image_object(picture: Picture) -> dict:
    data = {"@type": "ImageObject", "url": picture.url}
    if picture.width and picture.height:
        data.update(width=picture.width, height=picture.height)
    return data


def news_media_organization(
    name: str,
    url: str,
    *,
    logo: Picture | None = None,
    founding_year: int | None = None,
    same_as: Sequence[str] = (),
    alternate_names: Sequence[str] = (),
) -> dict:
    """Describe the paper as a publisher; `@id` lets other blocks of the page refer to it."""
    data = {"@type": "NewsMediaOrganization", "@id": f"{url}#organization", "name": name}
    if alternate_names:
        data["alternateName"] = list(alternate_names)
    data["url"] = url
    if logo is not None:
        data["logo"] = image_object(logo)
    if founding_year:
        data["foundingDate"] = str(founding_year)
    if same_as:
        data["sameAs"] = list(same_as)
    return data


def website(name: str, url: str, *, language: str, search_url: str, publisher_id: str) -> dict:
    """Describe an edition's site with the search action that search engines may offer."""
    separator = "&" if "?" in search_url else "?"
    return {
        "@context": SCHEMA_CONTEXT,
        "@type": "WebSite",
        "@id": f"{url}#website",
        "name": name,
        "url": url,
        "inLanguage": language,
        "publisher": {"@id": publisher_id},
        "potentialAction": {
            "@type": "SearchAction",
            "target": {
                "@type": "EntryPoint",
                "urlTemplate": f"{search_url}{separator}q={{search_term_string}}",
            },
            "query-input": "required name=search_term_string",
        },
    }


def breadcrumb_list(trail: Sequence[Link]) -> dict:
    """List the way from the edition's front page down to a page, positions counted from 1."""
    return {
        "@context": SCHEMA_CONTEXT,
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": link.name, "item": link.url}
            for position, link in enumerate(trail, start=1)
        ],
    }


def news_article(
    article,
    *,
    url: str,
    language: str,
    images: Sequence[str],
    authors: Iterable[Link],
    publisher: dict,
    section: str | None = None,
    keywords: Sequence[str] = (),
    description: str | None = None,
) -> dict:
    """Describe an article as Google's Article and paywalled-content guides ask.

    `description` is `describe_article(article)`, for a caller that has it already.
    """
    byline = [{"@type": "Person", "name": a.name, "url": a.url} for a in authors]
    data = {
        "@context": SCHEMA_CONTEXT,
        "@type": "NewsArticle",
        "@id": f"{url}#article",
        "headline": cut_headline(article.title),
        "description": describe_article(article) if description is None else description,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "inLanguage": language,
        "datePublished": iso_datetime(article.first_published_at),
        "dateModified": iso_datetime(article.last_published_at or article.first_published_at),
        "image": list(images),
        # No byline: the paper itself is the author, as Google accepts.
        "author": byline or [{"@type": "NewsMediaOrganization", "name": publisher["name"]}],
        "publisher": publisher,
    }
    if section:
        data["articleSection"] = section
    if keywords:
        data["keywords"] = list(keywords)
    if may_show_full_text(article):
        data["isAccessibleForFree"] = True
    else:
        data["isAccessibleForFree"] = False
        data["hasPart"] = {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": PAYWALLED_SELECTOR,
        }
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def to_script_json(data: dict) -> SafeString:
    """Serialise JSON-LD for a <script> element: `<`, `>` and `&` escaped so no text ends it."""
    return mark_safe(  # noqa: S308 - JSON with <, > and & escaped cannot end the script
        json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_ESCAPES)
    )
