"""The results page and the live search behind the header's box; `services` does the search."""

import datetime
import hashlib
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from wagtail.contrib.search_promotions.models import Query

from masthead.archive.calendars import calendar_for
from masthead.content.models import AuthorPage, SectionPage
from masthead.core.cache import chrome_version
from masthead.core.context_processors import cached_site_settings
from masthead.core.dates import localize_digits, today
from masthead.core.net import client_ip
from masthead.subscriptions.access import Reader

from . import services

DEFAULT_RATE_LIMIT = (60, 60)  # searches per address per seconds, each for page and live
PER_PAGE = 10
LIVE_LIMIT = 5  # hits under the header's box
LIVE_MAX_AGE = 60  # seconds a live answer may be kept: the same for every reader
EDITIONS = ("en", "fa", services.ALL_EDITIONS)
SORTS = ("relevance", "newest")
# Readers type years with either keyboard's digits; the values stay ASCII and Gregorian.
ASCII_DIGITS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩", "01234567890123456789")


# Rate limits -----------------------------------------------------------------------------


def over_rate_limit(request, endpoint: str) -> bool:
    """Count one search from the reader's address; True once it passes the limit.

    The results page and live search count separately, so that typing in the header's box
    never uses up the searches a reader submits. Like comments, readers whose address is
    unknown share one count, and the cache keeps only a keyed hash of the address.
    """
    limit, window = getattr(settings, "MASTHEAD_SEARCH_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    address = client_ip(request) or ""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()
    key = f"search:rate:{endpoint}:{digest}"
    if cache.add(key, 1, window):
        return False
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, window)
        return False
    # A cache that is down counts nothing (on Redis the default cache ignores its outages
    # and answers None): search stays open to everyone rather than closed to everyone.
    return count is not None and count > limit


def too_many_searches(request, template: str, window: int):
    response = render(request, template, {"retry_after": window}, status=429)
    response["Retry-After"] = str(window)
    # A shared cache must never hand one reader's refusal to everyone.
    patch_cache_control(response, no_store=True, private=True)
    return response


# Reading the form ------------------------------------------------------------------------


def parse_number(value: str) -> int | None:
    """Return a whole number typed in any digits, or None for anything else."""
    value = value.strip().translate(ASCII_DIGITS)
    if value.isascii() and value.isdigit() and len(value) <= 9:
        return int(value)
    return None


@dataclass
class Choice:
    value: str
    label: str


# The Persian alphabet in dictionary order; Arabic-only letters fold into it first.
PERSIAN_ALPHABET = "آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی"
_ALPHABET_RANK = {letter: rank for rank, letter in enumerate(PERSIAN_ALPHABET)}


def alphabetical(text: str) -> tuple:
    """Sort key: Persian letters in dictionary order, before Latin ones, case folded."""
    folded = services.normalise(text).casefold()
    return tuple(
        (0, _ALPHABET_RANK[char]) if char in _ALPHABET_RANK else (1, ord(char)) for char in folded
    )


@dataclass
class AppliedFilter:
    label: str
    remove_url: str  # these results without this filter


@dataclass
class SearchForm:
    """The filters of the results page as read from the address: anything unknown is dropped."""

    query: str = ""
    section: int | None = None
    author: int | None = None
    year_from: int | None = None
    year_to: int | None = None
    edition: str = ""
    sort: str = "relevance"
    notices: list[str] = field(default_factory=list)
    sections: list[Choice] = field(default_factory=list)
    authors: list[Choice] = field(default_factory=list)
    years: list[Choice] = field(default_factory=list)
    editions: list[Choice] = field(default_factory=list)
    sorts: list[Choice] = field(default_factory=list)

    @classmethod
    def from_request(cls, request) -> "SearchForm":
        params = request.GET
        form = cls(query=services.clean_query(params.get("q", "")))
        form.load_choices(request)
        section = parse_number(params.get("section", ""))
        if section is not None and str(section) in {c.value for c in form.sections}:
            form.section = section
        author = parse_number(params.get("author", ""))
        if author is not None and str(author) in {c.value for c in form.authors}:
            form.author = author
        known_years = {int(c.value) for c in form.years}
        year_from = parse_number(params.get("year_from", ""))
        year_to = parse_number(params.get("year_to", ""))
        form.year_from = year_from if year_from in known_years else None
        form.year_to = year_to if year_to in known_years else None
        if form.year_from and form.year_to and form.year_from > form.year_to:
            form.year_from, form.year_to = form.year_to, form.year_from
            form.notices.append(_("The years were the wrong way round; we swapped them."))
        edition = params.get("edition", "")
        form.edition = edition if edition in EDITIONS else ""
        sort = params.get("sort", "")
        form.sort = sort if sort in SORTS else "relevance"
        return form

    def load_choices(self, request) -> None:
        """Offer the active edition's sections and authors, and the years the paper printed."""
        # Filtered through the join: the service looks the locale up itself.
        in_edition = {"locale__language_code": translation.get_language()}
        sections = (
            SectionPage.objects.live()
            .filter(**in_edition)
            .order_by("path")
            .only("pk", "title", "depth")
        )
        sections = list(sections)
        top = min((s.depth for s in sections), default=0)
        self.sections = [Choice(str(s.pk), "— " * (s.depth - top) + s.title) for s in sections]
        authors = AuthorPage.objects.live().filter(**in_edition).only("pk", "title")
        # In the reader's alphabet: the database's order puts Persian پ چ ژ ک گ after ی.
        authors = sorted(authors, key=lambda a: alphabetical(a.title))
        self.authors = [Choice(str(a.pk), a.title) for a in authors]
        # Years in the edition's own calendar: Solar Hijri in Persian, as its dates print.
        founded = cached_site_settings(request, chrome_version()).founding_year or 1970
        calendar = calendar_for()
        first = calendar.from_gregorian(datetime.date(founded, 1, 1))[0]
        last = calendar.from_gregorian(today())[0]
        self.years = [
            Choice(str(year), localize_digits(year)) for year in range(last, first - 1, -1)
        ]
        self.editions = [
            Choice("", _("This edition")),
            Choice("en", _("English")),
            Choice("fa", _("Persian")),
            Choice(services.ALL_EDITIONS, _("Both editions")),
        ]
        self.sorts = [Choice("relevance", _("Relevance")), Choice("newest", _("Newest first"))]

    @property
    def filters(self) -> services.SearchFilters:
        return services.SearchFilters(
            section=self.section,
            author=self.author,
            published_from=(
                calendar_for().to_gregorian(self.year_from, 1, 1) if self.year_from else None
            ),
            published_before=(
                calendar_for().to_gregorian(self.year_to + 1, 1, 1) if self.year_to else None
            ),
            language=self.edition or None,
        )

    @property
    def is_filtered(self) -> bool:
        return any((self.section, self.author, self.year_from, self.year_to, self.edition))

    def applied(self) -> list[AppliedFilter]:
        """The filters in force, each with the address of these results without it: the
        reader sees what narrowed the results and can lift one filter at a time."""
        chosen = []

        def label_of(choices: list[Choice], value) -> str:
            return next((c.label.lstrip("— ") for c in choices if c.value == str(value)), "")

        if self.section:
            chosen.append(
                (
                    _("Section: %(name)s") % {"name": label_of(self.sections, self.section)},
                    {"section"},
                )
            )
        if self.author:
            chosen.append(
                (_("Author: %(name)s") % {"name": label_of(self.authors, self.author)}, {"author"})
            )
        if self.year_from and self.year_to:
            years = _("Years: %(first)s to %(last)s") % {
                "first": localize_digits(self.year_from),
                "last": localize_digits(self.year_to),
            }
            chosen.append((years, {"year_from", "year_to"}))
        elif self.year_from:
            since = _("From %(year)s") % {"year": localize_digits(self.year_from)}
            chosen.append((since, {"year_from"}))
        elif self.year_to:
            until = _("Until %(year)s") % {"year": localize_digits(self.year_to)}
            chosen.append((until, {"year_to"}))
        if self.edition:
            chosen.append((label_of(self.editions, self.edition), {"edition"}))
        return [
            AppliedFilter(label, f"?{self.query_string(without=names)}") for label, names in chosen
        ]

    def query_string(self, without: frozenset[str] | set[str] = frozenset()) -> str:
        """The address of these results without the page: pagination adds its own."""
        params = {
            "q": self.query,
            "section": self.section,
            "author": self.author,
            "year_from": self.year_from,
            "year_to": self.year_to,
            "edition": self.edition,
            "sort": "" if self.sort == "relevance" else self.sort,
        }
        return urlencode(
            {name: value for name, value in params.items() if value and name not in without}
        )


# Views -----------------------------------------------------------------------------------


def search(request):
    """Show the articles that match the query, filtered and sorted as the reader asked."""
    _limit, window = getattr(settings, "MASTHEAD_SEARCH_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    if over_rate_limit(request, "page"):
        return too_many_searches(request, "search/rate_limited.html", window)
    form = SearchForm.from_request(request)
    page = parse_number(request.GET.get("page", "1"))
    if not page:  # as every listing of the site: a page that is not a page is not found
        raise Http404("No such page of results")
    results = None
    if form.query:
        results = services.search_articles(
            form.query,
            reader=Reader.from_request(request),
            filters=form.filters,
            sort=form.sort,
            page=page,
            per_page=PER_PAGE,
        )
    if page > max(results.pages if results else 1, 1):
        raise Http404("No such page of results")
    if results and results.query and page == 1:
        # Counted once per search, not per page: the admin's popular terms and promotions
        # ("Choose from popular search terms") read these.
        Query.get(results.query).add_hit()
    hits = []
    if results:
        # An editors' pick stands above the results; it is not listed twice.
        promoted = {p.pk for p in results.promoted}
        hits = [hit for hit in results.hits if hit.article.pk not in promoted]
    query_string = form.query_string()
    response = render(
        request,
        "search/search.html",
        {
            "query": form.query,
            "form": form,
            "results": results,
            "hits": hits,
            "first_position": (page - 1) * PER_PAGE + 1,
            "pages": page_links(results, query_string) if results else None,
            "suggestion_url": suggestion_url(form, results),
        },
    )
    # Snippets follow the reader's entitlement: no shared cache may keep them.
    patch_cache_control(response, private=True)
    return response


def suggestion_url(form: SearchForm, results: services.SearchResults | None) -> str:
    """The address of the suggested query's results, under the same filters."""
    if not results or not results.suggestion:
        return ""
    return f"?{replace(form, query=results.suggestion).query_string()}"


def page_links(results: services.SearchResults, query_string: str) -> dict:
    def link(number: int) -> str:
        return f"?{query_string}&page={number}" if number > 1 else f"?{query_string}"

    return {
        "previous": link(results.page - 1) if results.page > 1 else None,
        "next": link(results.page + 1) if results.page < results.pages else None,
    }


def live(request):
    """Answer the header's box while the reader types: a few headlines, as an HTML fragment.

    Live hits show no snippet, so they are the same for every reader of an edition: they
    are searched as nobody and may be kept briefly by shared caches.
    """
    _limit, window = getattr(settings, "MASTHEAD_SEARCH_RATE_LIMIT", DEFAULT_RATE_LIMIT)
    if over_rate_limit(request, "live"):
        return too_many_searches(request, "search/live_rate_limited.html", window)
    query = services.clean_query(request.GET.get("q", ""))
    hits = []
    if query:
        hits = services.live_search(query, reader=Reader.nobody(), limit=LIVE_LIMIT)
    response = render(
        request,
        "search/live.html",
        {"query": query, "hits": hits, "all_url_query": urlencode({"q": query})},
    )
    patch_cache_control(response, public=True, max_age=LIVE_MAX_AGE)
    return response
