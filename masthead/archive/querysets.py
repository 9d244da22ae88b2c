"""Counting and listing what the archive shows, one query per listing of periods."""

import datetime

from django.db.models import Count, Prefetch, Q, QuerySet

from masthead.content.models import ArticlePage
from masthead.images.models import Rendition

from .calendars import Period
from .models import Issue

FRONT_PAGE_THUMBNAIL = "width-300"
FRONT_PAGE_LARGE = "width-800"


def articles_of_edition(locale) -> QuerySet:
    """The articles the archive counts: live, in the edition, with a publication time."""
    return ArticlePage.objects.in_locale(locale).live().filter(first_published_at__isnull=False)


def count_by_period(queryset: QuerySet, periods: list[Period], *, field: str) -> list[int]:
    """Count the rows of each period in one aggregate query.

    Each period is a filtered COUNT over a range of `field`, so the same query serves both
    calendars, and months of the Solar Hijri year need no date arithmetic in SQL. A
    datetime field is compared with local midnights, a date field with dates.
    """
    if not periods:
        return []
    is_datetime = queryset.model._meta.get_field(field).get_internal_type() == "DateTimeField"

    def bounds(period: Period) -> tuple[datetime.date, datetime.date]:
        return period.bounds() if is_datetime else (period.start, period.end)

    ranges = [bounds(period) for period in periods]
    counts = {
        f"period_{index}": Count("pk", filter=Q(**{f"{field}__gte": start, f"{field}__lt": end}))
        for index, (start, end) in enumerate(ranges)
    }
    totals = (
        queryset.filter(**{f"{field}__gte": ranges[0][0], f"{field}__lt": ranges[-1][1]})
        .order_by()
        .aggregate(**counts)
    )
    return [totals[f"period_{index}"] for index in range(len(periods))]


def issues_for_listing(locale) -> QuerySet:
    """Issues of the edition with their front-page thumbnails, newest first."""
    return (
        Issue.objects.in_locale(locale)
        .select_related("front_page", "locale")
        .prefetch_related(
            Prefetch(
                "front_page__renditions",
                queryset=Rendition.objects.filter(filter_spec=FRONT_PAGE_THUMBNAIL),
            )
        )
        .newest_first()
    )
