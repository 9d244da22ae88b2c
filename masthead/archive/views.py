"""The archive's pages: by date in the edition's calendar, and by printed issue."""

import datetime

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from masthead.content.navigation import active_locale
from masthead.content.querysets import attach_sections
from masthead.core.cache import chrome_version
from masthead.core.context_processors import cached_site_settings
from masthead.pagecache import keys as pagecache_keys
from masthead.subscriptions.access import Reader

from .access import printed_edition_grant, subscribers_only
from .calendars import GREGORIAN, SOLAR_HIJRI, Period, calendar_for
from .models import Issue
from .querysets import articles_of_edition, count_by_period, issues_for_listing

PAST_MAX_AGE = 24 * 60 * 60  # a past period changes only when an editor corrects it
CURRENT_MAX_AGE = 5 * 60  # a period that holds today fills up as the day's stories go out
ARTICLES_PER_PAGE = 20


# Ranges and addresses ---------------------------------------------------------------------


def archive_span(request) -> tuple[datetime.date, datetime.date]:
    """The archive's first and last day: January 1 of the founding year to today."""
    founded = cached_site_settings(request, chrome_version()).founding_year
    return datetime.date(founded, 1, 1), timezone.localdate()


def period_url(period: Period) -> str:
    kwargs = {"year": f"{period.year:04d}"}
    if period.month:
        kwargs["month"] = f"{period.month:02d}"
    if period.day:
        kwargs["day"] = f"{period.day:02d}"
    return reverse(f"archive:{period.kind}", kwargs=kwargs)


def resolve_period(
    request, year: str, month: str | None = None, day: str | None = None, *, url_for=period_url
):
    """Return the period the address names, a redirect, or raise Http404.

    An address in the other edition's calendar (the language switcher keeps the numbers:
    /archive/2011/03/ becomes /fa/archive/2011/03/) goes to the period of this calendar
    that shares most days with it. The two calendars' year ranges never overlap.
    """
    calendar = calendar_for()
    first_day, last_day = archive_span(request)
    numbers = [int(n) for n in (year, month, day) if n is not None]
    period = Period(calendar, *numbers)
    if not in_span(period, first_day, last_day):
        other = SOLAR_HIJRI if calendar is GREGORIAN else GREGORIAN
        foreign = Period(other, *numbers)
        if in_span(foreign, first_day, last_day):
            return redirect(url_for(foreign.counterpart(calendar)))
        raise Http404("No such date in the archive")
    return period


def in_span(period: Period, first_day: datetime.date, last_day: datetime.date) -> bool:
    return period.exists() and period.start <= last_day and period.end > first_day


def years_of_span(calendar, first_day: datetime.date, last_day: datetime.date) -> list[Period]:
    first = Period.containing(calendar, first_day, "year").year
    last = Period.containing(calendar, last_day, "year").year
    return [Period(calendar, year) for year in range(first, last + 1)]


def cacheable(request, response, period: Period | None):
    """Let shared caches keep the page: long for a past period, briefly for the current one.

    A signed-in reader's page names them in the header, so only their browser may keep it.
    """
    # Publishing any article of the edition may change an archive page's lists and counts.
    pagecache_keys.add(request, pagecache_keys.latest(translation.get_language()))
    past = period is not None and period.end <= timezone.localdate()
    max_age = PAST_MAX_AGE if past else CURRENT_MAX_AGE
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, max_age=max_age)
    else:
        patch_cache_control(response, public=True, max_age=max_age)
    patch_vary_headers(response, ["Cookie"])
    return response


def paginate(request, queryset, total: int):
    """Return one page of articles; the total comes from the counts, sparing a COUNT query."""
    paginator = Paginator(queryset, ARTICLES_PER_PAGE)
    paginator.count = total  # noqa: B010 - a cached_property, filled in advance
    try:
        page = paginator.page(request.GET.get("page", "1"))
    except (PageNotAnInteger, EmptyPage) as error:
        raise Http404("No such page of results") from error
    page.object_list = attach_sections(page.object_list)
    return page


def crumbs(period: Period | None) -> list[tuple[Period, str]]:
    """(period, address) of the period's year and month above it, for the breadcrumb."""
    if period is None or period.kind == "year":
        return []
    year = Period(period.calendar, period.year)
    trail = [(year, period_url(year))]
    if period.kind == "day":
        month = Period(period.calendar, period.year, period.month)
        trail.append((month, period_url(month)))
    return trail


def date_context(request, period: Period | None, **extra) -> dict:
    context = {
        "period": period,
        "crumbs": crumbs(period),
        "alternates": alternates(request, period),
        **extra,
    }
    if period is not None:
        context.update(neighbours(request, period))
    return context


def nearest_around(queryset, field: str, start, end) -> tuple:
    """The latest value of `field` before `start` and the earliest from `end` on (or None)."""
    values = queryset.values_list(field, flat=True)
    before = values.filter(**{f"{field}__lt": start}).order_by(f"-{field}").first()
    after = values.filter(**{f"{field}__gte": end}).order_by(field).first()
    return before, after


def neighbours(request, period: Period) -> dict:
    """The nearest period of the same kind before and after this one that holds articles.

    A weekly paper leaves most days empty; a pager that stepped one day at a time would
    mostly lead to empty pages, so it skips to the next day (month, year) with a story.
    """
    start, end = period.bounds()
    before, after = nearest_around(
        articles_of_edition(active_locale(request)), "first_published_at", start, end
    )
    first_day, last_day = archive_span(request)
    found = {}
    for name, moment in (("previous", before), ("next", after)):
        if moment is not None:
            day = timezone.localtime(moment).date()
            near = Period.containing(period.calendar, day, period.kind)
            if in_span(near, first_day, last_day):
                found[name] = (near, period_url(near))
    return found


def alternates(
    request, period: Period | None, *, index="archive:index", url_for=period_url
) -> list[tuple[str, str]]:
    """The same place in every edition, for hreflang: each edition counts in its own calendar,
    so a month or year of one edition maps to the period of the other sharing most days."""
    links = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            if period is None:
                address = reverse(index)
            else:
                address = url_for(period.counterpart(calendar_for(code)))
        links.append((code, request.build_absolute_uri(address)))
    return links


# By date ---------------------------------------------------------------------------------


def archive_index(request):
    """Every year of the paper with its count of articles."""
    first_day, last_day = archive_span(request)
    years = years_of_span(calendar_for(), first_day, last_day)
    counts = count_by_period(
        articles_of_edition(active_locale(request)), years, field="first_published_at"
    )
    rows = [(year, period_url(year), count) for year, count in zip(years, counts, strict=True)]
    response = render(
        request,
        "archive/archive_index.html",
        date_context(request, None, rows=list(reversed(rows)), total=sum(counts)),
    )
    return cacheable(request, response, None)


def archive_year(request, year):
    period = resolve_period(request, year)
    if not isinstance(period, Period):
        return period
    first_day, last_day = archive_span(request)
    months = [m for m in period.children() if in_span(m, first_day, last_day)]
    counts = count_by_period(
        articles_of_edition(active_locale(request)), months, field="first_published_at"
    )
    rows = [(month, period_url(month), count) for month, count in zip(months, counts, strict=True)]
    context = date_context(request, period, rows=rows, total=sum(counts))
    return cacheable(request, render(request, "archive/archive_year.html", context), period)


def archive_month(request, year, month):
    period = resolve_period(request, year, month)
    if not isinstance(period, Period):
        return period
    first_day, last_day = archive_span(request)
    days = [d for d in period.children() if in_span(d, first_day, last_day)]
    locale = active_locale(request)
    counts = count_by_period(articles_of_edition(locale), days, field="first_published_at")
    rows = [(day, period_url(day), count) for day, count in zip(days, counts, strict=True)]
    start, end = period.bounds()
    articles = (
        articles_of_edition(locale)
        .for_listing()
        .filter(first_published_at__gte=start, first_published_at__lt=end)
    )
    context = date_context(
        request,
        period,
        rows=rows,
        total=sum(counts),
        articles=paginate(request, articles, sum(counts)),
    )
    return cacheable(request, render(request, "archive/archive_month.html", context), period)


def archive_day(request, year, month, day):
    period = resolve_period(request, year, month, day)
    if not isinstance(period, Period):
        return period
    start, end = period.bounds()
    articles = (
        articles_of_edition(active_locale(request))
        .for_listing()
        .filter(first_published_at__gte=start, first_published_at__lt=end)
    )
    page = paginate(request, articles, articles.count())
    context = date_context(request, period, articles=page, total=page.paginator.count)
    return cacheable(request, render(request, "archive/archive_day.html", context), period)


# By printed issue ------------------------------------------------------------------------


def issue_year_url(year: int) -> str:
    return reverse("archive:issue_year", kwargs={"year": f"{year:04d}"})


def issue_index(request):
    """Every year with its count of printed issues."""
    first_day, last_day = archive_span(request)
    years = years_of_span(calendar_for(), first_day, last_day)
    counts = count_by_period(
        Issue.objects.in_locale(active_locale(request)), years, field="publication_date"
    )
    rows = [
        (year, issue_year_url(year.year), count)
        for year, count in zip(years, counts, strict=True)
        if count
    ]
    context = {
        "rows": list(reversed(rows)),
        "total": sum(counts),
        "alternates": alternates(request, None, index="archive:issues"),
    }
    return cacheable(request, render(request, "archive/issue_index.html", context), None)


def issue_year(request, year):
    period = resolve_period(request, year, url_for=lambda p: issue_year_url(p.year))
    if not isinstance(period, Period):
        return period
    issues = list(
        issues_for_listing(active_locale(request)).filter(
            publication_date__gte=period.start, publication_date__lt=period.end
        )
    )
    context = {
        "period": period,
        "issues": issues,
        "alternates": alternates(request, period, url_for=lambda p: issue_year_url(p.year)),
        **neighbouring_issue_years(request, period),
    }
    return cacheable(request, render(request, "archive/issue_year.html", context), period)


def neighbouring_issue_years(request, period: Period) -> dict:
    """The nearest years before and after this one that have printed issues."""
    before, after = nearest_around(
        Issue.objects.in_locale(active_locale(request)),
        "publication_date",
        period.start,
        period.end,
    )
    found = {}
    for name, day in (("previous", before), ("next", after)):
        if day is not None:
            year = Period.containing(period.calendar, day, "year")
            found[name] = (year, issue_year_url(year.year))
    return found


def neighbouring_issues(issue: Issue) -> dict:
    """The edition's printed issues just before and just after this one."""
    issues = Issue.objects.in_locale(issue.locale_id).select_related("locale")
    earlier = issues.filter(publication_date__lt=issue.publication_date)
    later = issues.filter(publication_date__gt=issue.publication_date)
    return {
        "previous_issue": earlier.order_by("-publication_date").first(),
        "next_issue": later.order_by("publication_date").first(),
    }


def find_issue(request, period: Period, number: str) -> Issue:
    return get_object_or_404(
        Issue.objects.in_locale(active_locale(request)).select_related(
            "front_page", "pdf", "locale"
        ),
        number=number,
        publication_date__gte=period.start,
        publication_date__lt=period.end,
    )


def other_editions_issue_year(request, year: str, number: str):
    """A redirect to this edition's year of printed issues holding the date of the other
    edition's issue `number` of `year` (the language switcher keeps the numbers), or None."""
    calendar = calendar_for()
    other = SOLAR_HIJRI if calendar is GREGORIAN else GREGORIAN
    foreign = Period(other, int(year))
    if not foreign.exists():
        return None
    printed = (
        Issue.objects.exclude(locale=active_locale(request))
        .filter(
            number=number, publication_date__gte=foreign.start, publication_date__lt=foreign.end
        )
        .values_list("publication_date", flat=True)
        .first()
    )
    if printed is None:
        return None
    return redirect(issue_year_url(Period.containing(calendar, printed, "year").year))


def issue_detail(request, year, number):
    """A printed issue: its front page, table of contents and the way to its PDF."""
    # The other edition's year (from the language switcher) lands on that edition's year.
    period = resolve_period(request, year, url_for=lambda p: issue_year_url(p.year))
    if not isinstance(period, Period):
        return other_editions_issue_year(request, year, number) or period
    issue = find_issue(request, period, number)
    entries = list(
        issue.contents.filter(article__live=True)
        .select_related("article", "article__lead_image")
        .order_by("sort_order")
    )
    attach_sections([entry.article for entry in entries])
    locked = subscribers_only(request)
    grant = None
    if issue.pdf_id:
        grant = printed_edition_grant(Reader.from_request(request), subscribers_only=locked)
    context = {
        "issue": issue,
        "entries": entries,
        "grant": grant,
        "locked": locked,
        **neighbouring_issues(issue),
    }
    response = render(request, "archive/issue_detail.html", context)
    if locked and issue.pdf_id and getattr(request, "entitlement", None) is None:
        # Whether the PDF link or the offer shows depends on who asks. (A page rendered for a
        # whole class shows its class's answer, and the PDF's own address decides per person.)
        patch_cache_control(response, private=True, max_age=0)
        patch_vary_headers(response, ["Cookie"])
        return response
    return cacheable(
        request, response, Period.containing(calendar_for(), issue.publication_date, "day")
    )


def issue_pdf(request, issue_id):
    """Stream the printed edition to a reader it is for; refuse anyone else with an offer."""
    issue = get_object_or_404(Issue.objects.select_related("pdf", "locale"), pk=issue_id)
    if issue.pdf is None:
        raise Http404("This issue has no PDF")
    grant = printed_edition_grant(
        Reader.from_request(request), subscribers_only=subscribers_only(request)
    )
    if grant is None:
        return refused(request, issue)
    return pdf_response(issue)


def pdf_response(issue: Issue):
    """The printed edition's PDF, for the one reader who asked: never kept by shared caches."""
    response = FileResponse(
        issue.pdf.file.open("rb"), content_type="application/pdf", filename=issue.pdf.filename
    )
    response["Content-Disposition"] = f'inline; filename="{issue.pdf.filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True, max_age=0)
    patch_vary_headers(response, ["Cookie"])
    return response


def refused(request, issue: Issue):
    """The 403 page for a printed edition, in the issue's edition, with an offer."""
    with translation.override(issue.language):
        response = render(request, "archive/pdf_refused.html", {"issue": issue}, status=403)
    patch_cache_control(response, private=True, no_store=True)
    return response


def serve_document(request, document_id: int, document_filename: str):
    """Wagtail's document address, except that a printed edition goes through `issue_pdf`.

    Wagtail's own serving would send the subscriber's copy without `private`, and its
    `before_serve_document` hook can refuse a file but not mark one it allows.
    """
    from wagtail.documents.views.serve import serve

    issue = Issue.objects.filter(pdf_id=document_id).values_list("pk", flat=True).first()
    if issue is None:
        return serve(request, document_id, document_filename)
    return issue_pdf(request, issue)
