"""Articles on given days and printed issues with a PDF, for the archive's tests."""

import datetime
from io import BytesIO

from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image
from wagtail.documents import get_document_model
from wagtail.models import Collection

from masthead.archive.models import Issue, IssueArticle
from masthead.content.models import AccessLevel, ArticlePage
from masthead.content.tests.factories import publish

SECRET_BODY = "Body text that a teaser never shows."


def local(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime.datetime:
    """An aware datetime in the paper's time zone, where the archive counts days."""
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def article_on(section, title: str, when: datetime.datetime, **fields) -> ArticlePage:
    article = ArticlePage(
        title=title,
        standfirst=f"What {title} is about.",
        body=[{"type": "paragraph", "value": f"<p>{SECRET_BODY}</p>"}],
        access_level=fields.pop("access_level", AccessLevel.PUBLIC),
        **fields,
    )
    return publish(section, article, at=when)


def make_pdf(title: str = "issue") -> object:
    """A one-page PDF in the document library, drawn by Pillow."""
    if Collection.get_first_root_node() is None:  # flushed by a transactional test
        Collection.add_root(name="Root")
    buffer = BytesIO()
    Image.new("RGB", (60, 80), (240, 240, 240)).save(buffer, format="PDF")
    document = get_document_model()(
        title=title, file=ContentFile(buffer.getvalue(), name=f"{title}.pdf")
    )
    document._set_document_file_metadata()
    document.save()
    return document


def make_issue(locale, *, volume: int, number: int, date: datetime.date, articles=(), **fields):
    issue = Issue(locale=locale, volume=volume, number=number, publication_date=date, **fields)
    issue.contents = [
        IssueArticle(article=article, sort_order=order, printed_page=order + 1)
        for order, article in enumerate(articles)
    ]
    issue.save()
    return issue
