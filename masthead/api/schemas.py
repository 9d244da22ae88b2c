"""The shapes the API reads and writes; Django Ninja turns them into the OpenAPI description."""

import datetime
from typing import Literal

from django.conf import settings
from django.utils import timezone
from ninja import Field, Schema
from pydantic import field_validator

from masthead.content.models import AccessLevel

Edition = Literal[tuple(code for code, _name in settings.LANGUAGES)]  # ty: ignore
AccessLevelCode = Literal[tuple(AccessLevel.values)]  # ty: ignore

MAX_LIMIT = 100  # items per response; larger requests get a 400, not a silent cap
MAX_ID = 2**63 - 1  # the largest primary key the database stores


# Query parameters


class Paging(Schema):
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description=f"Items per response, 1 to {MAX_LIMIT}.")
    offset: int = Field(0, ge=0, le=MAX_ID, description="Items to skip, from 0.")


class EditionFilter(Paging):
    edition: Edition | None = Field(None, description="Only this edition's pages.")


class ArticleFilters(EditionFilter):
    section: str | None = Field(
        None,
        min_length=1,
        max_length=255,
        description="A section's id or slug path (`news/politics`); includes its sub-sections.",
    )
    tag: str | None = Field(None, min_length=1, max_length=100, description="A tag's slug or name.")
    author: int | None = Field(None, ge=1, le=MAX_ID, description="An author's id (any edition).")
    published_after: datetime.datetime | None = Field(
        None, description="First published at or after this time (ISO 8601)."
    )
    published_before: datetime.datetime | None = Field(
        None, description="First published before this time (ISO 8601)."
    )

    @field_validator("published_after", "published_before")
    @classmethod
    def in_the_papers_time_zone(cls, value: datetime.datetime | None):
        """Read a time without offset in the paper's zone; refuse one the database cannot hold."""
        if value is None:
            return value
        try:
            if timezone.is_naive(value):
                value = timezone.make_aware(value)
            return value.astimezone(datetime.UTC)
        except (OverflowError, ValueError) as error:
            raise ValueError("time out of range") from error


# Responses


class Problem(Schema):
    """An error, shaped after RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[dict] | None = None


class Rendition(Schema):
    spec: str = Field(description="Wagtail filter spec, such as `fill-800x450`.")
    url: str
    width: int
    height: int


class Image(Schema):
    id: int
    title: str
    caption: str
    credit: str
    width: int
    height: int
    renditions: list[Rendition]


class LeadImage(Schema):
    id: int
    caption: str = Field(description="The article's caption, else the image's own.")
    credit: str
    width: int
    height: int
    renditions: list[Rendition]


class PageLink(Schema):
    id: int
    title: str
    url: str


class ArticleSummary(Schema):
    id: int
    headline: str
    standfirst: str
    url: str
    edition: Edition
    first_published_at: datetime.datetime
    last_published_at: datetime.datetime | None
    section: PageLink | None
    authors: list[PageLink]
    tags: list[str]
    lead_image: LeadImage | None
    access_level: AccessLevelCode
    body_withheld: bool = Field(
        description="True when the body is not given to this request's reader."
    )


class Translation(Schema):
    id: int
    url: str


class ArticleDetail(ArticleSummary):
    translations: dict[str, Translation] = Field(
        description="Each edition's live version of the article, this one included."
    )
    body_html: str | None = Field(
        description=(
            "The body as the site prints it; null if withheld. Given only to a signed-in "
            "(session) reader entitled to the article: staff, a subscriber, a site licence "
            "or an unlock; a premium article's body is withheld from everyone else."
        )
    )
    preview_html: str | None = Field(
        description=(
            "A premium article's free preview: the blocks before the editor's marker, else "
            "its first paragraphs. Null for a free article."
        )
    )


class Section(Schema):
    id: int
    title: str
    slug_path: str = Field(
        description="The section's path in its edition, such as `news/politics`."
    )
    url: str
    edition: Edition
    parent_section_id: int | None
    intro: str


class Author(Schema):
    id: int
    name: str
    role: str
    url: str
    edition: Edition
    photo: Image | None
    bio_html: str


class ArticleList(Schema):
    count: int
    limit: int
    offset: int
    items: list[ArticleSummary]


class SectionList(Schema):
    count: int
    limit: int
    offset: int
    items: list[Section]


class AuthorList(Schema):
    count: int
    limit: int
    offset: int
    items: list[Author]


class ImageList(Schema):
    count: int
    limit: int
    offset: int
    items: list[Image]
