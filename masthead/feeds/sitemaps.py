"""Sitemaps for search engines: an index of per-section sitemaps and a Google News sitemap.

Built on Wagtail's `Sitemap` (itself Django's): the index and each sitemap are Django's
views; what is ours is which pages each sitemap lists, their hreflang alternates and the
few queries that fetch them.
"""

import datetime
from collections.abc import Sequence
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.db.models.functions import Substr
from django.utils import timezone
from wagtail.contrib.sitemaps import views as wagtail_sitemap_views
from wagtail.contrib.sitemaps.sitemap_generator import Sitemap
from wagtail.models import Page, Site
from wagtail.query import PageQuerySet

from masthead.content.models import ArticlePage, SectionPage
from masthead.content.navigation import live_translations
from masthead.core.cache import chrome_version
from masthead.core.context_processors import cached_site_settings
from masthead.core.models import SiteSettings
from masthead.core.pages import any_view_restrictions

OTHER_PAGES = "pages"  # the sitemap of everything that is not in a section


def visible(pages: PageQuerySet) -> PageQuerySet:
    """Keep the live pages anyone may read; skip Wagtail's privacy query while none is private."""
    pages = pages.live()
    return pages.public() if any_view_restrictions() else pages


def under(paths: Sequence[str]) -> Q:
    """Match the pages at or below any of these tree paths."""
    return reduce(or_, (Q(path__startswith=path) for path in paths), Q(pk__in=[]))


def page_path(page: Page, request) -> str | None:
    """Return the page's address on its site, without scheme and host."""
    parts = page.get_url_parts(request)
    return parts[2] if parts else None


def w3c_datetime(value: datetime.datetime | None) -> datetime.datetime | None:
    """Drop the microseconds, which sitemap readers do not need."""
    return value.replace(microsecond=0) if value else None


class PageSitemap(Sitemap):
    """Live, public pages under some branches of the tree, each linked to its translations."""

    limit = 50000  # URLs per sitemap file, the sitemap protocol's limit

    def __init__(self, request, paths: Sequence[str], *, excluding: Sequence[str] = ()):
        super().__init__(request)
        self.paths = paths
        self.excluding = excluding
        self.size: int | None = None
        self.latest: datetime.datetime | None = None

    def items(self):
        return (
            visible(Page.objects.filter(under(self.paths)).exclude(under(self.excluding)))
            .order_by("path")
            .only("url_path", "translation_key", "last_published_at", "latest_revision_created_at")
        )

    @property
    def paginator(self):
        paginator = Paginator(self.items(), self.limit)
        if self.size is not None:
            paginator.count = self.size  # counted for every sitemap at once by the index
        return paginator

    def get_latest_lastmod(self):
        return self.latest  # found for every sitemap at once by the index

    def lastmod(self, page):
        return w3c_datetime(super().lastmod(page))

    def _urls(self, page, protocol, domain):
        """List one sitemap page's addresses with their alternates: two queries and a count."""
        pages = self.paginator.page(page).object_list
        versions = self.translations(pages)
        default_language = settings.LANGUAGE_CODE
        urls = []
        for item in pages:
            path = page_path(item, self.request)
            if path is None:
                continue
            alternates = []
            translations = versions.get(item.translation_key, {})
            if len(translations) > 1:
                alternates = [
                    {"lang_code": language, "location": f"{protocol}://{domain}{address}"}
                    for language, address in translations.items()
                ]
                if default_language in translations:
                    address = translations[default_language]
                    alternates.append(
                        {"lang_code": "x-default", "location": f"{protocol}://{domain}{address}"}
                    )
            urls.append(
                {
                    "item": item,
                    "location": f"{protocol}://{domain}{path}",
                    "lastmod": self.lastmod(item),
                    "alternates": alternates,
                }
            )
        lastmods = [url["lastmod"] for url in urls]
        if lastmods and None not in lastmods:
            self.latest_lastmod = max(lastmods)
        return urls

    def translations(self, pages: PageQuerySet) -> dict:
        """Map each page's translation key to {language: address} of its live versions."""
        keys = pages.values("translation_key")  # a subquery, however long the page
        versions = (
            visible(Page.objects.filter(translation_key__in=keys))
            .select_related("locale")
            .only("url_path", "translation_key", "locale__language_code")
        )
        order = {code: position for position, (code, _name) in enumerate(settings.LANGUAGES)}
        by_key: dict = {}
        for version in sorted(versions, key=lambda p: order.get(p.locale.language_code, 99)):
            path = page_path(version, self.request)
            if path is not None:
                by_key.setdefault(version.translation_key, {})[version.locale.language_code] = path
        return by_key


class NewsSitemap(Sitemap):
    """The articles of the last two days in both editions, as Google News reads them."""

    limit = 1000  # Google News reads at most 1,000 articles per sitemap
    window = datetime.timedelta(days=2)  # Google News lists articles of the last two days

    def __init__(self, request, homes: list[Page], site_settings: SiteSettings):
        super().__init__(request)
        self.homes = homes
        self.site_settings = site_settings

    def items(self):
        """Fetch the window's articles in one query; it is short, so page through a list."""
        since = timezone.now() - self.window
        articles = (
            visible(ArticlePage.objects.filter(under([home.path for home in self.homes])))
            .filter(first_published_at__gte=since)
            .newest_first()
            .select_related("locale")
            .only(
                "title",
                "url_path",
                "first_published_at",
                "last_published_at",
                "latest_revision_created_at",
                "locale__language_code",
            )
        )
        return list(articles)

    def _urls(self, page, protocol, domain):
        urls = []
        for article in self.paginator.page(page).object_list:
            path = page_path(article, self.request)
            if path is None:
                continue
            language = article.locale.language_code
            urls.append(
                {
                    "item": article,
                    "location": f"{protocol}://{domain}{path}",
                    "lastmod": w3c_datetime(self.lastmod(article)),
                    "publication_name": self.site_settings.name_for(language),
                    "language": language,
                    "publication_date": w3c_datetime(article.first_published_at),
                    "title": article.title,
                }
            )
        lastmods = [url["lastmod"] for url in urls]
        if lastmods and None not in lastmods:
            self.latest_lastmod = max(lastmods)
        return urls


def edition_homes(request) -> list[Page]:
    """Return the front page of every live edition of the request's site."""
    site = Site.find_for_request(request) or Site.objects.select_related("root_page").get(
        is_default_site=True
    )
    return list(live_translations(site.root_page).values())


def top_level_sections(homes: list[Page]) -> dict[str, list[str]]:
    """Map a sitemap name to the tree paths of one top-level section in every edition.

    The name is the section's slug in the default edition; a section that edition lacks
    is named by its language and slug. A name already taken gets the page id appended.
    """
    language_of = {home.locale_id: home.locale.language_code for home in homes}
    beside_home = reduce(
        or_, (Q(path__startswith=h.path, depth=h.depth + 1) for h in homes), Q(pk__in=[])
    )
    sections = visible(SectionPage.objects.filter(beside_home)).order_by("path")
    groups: dict = {}
    for section in sections.only("slug", "path", "translation_key", "locale_id"):
        groups.setdefault(section.translation_key, []).append(section)
    default_language = settings.LANGUAGE_CODE
    names: dict[str, list[str]] = {}
    for versions in groups.values():
        named_by = next(
            (s for s in versions if language_of.get(s.locale_id) == default_language), None
        )
        if named_by is not None:
            name = named_by.slug
        else:
            named_by = versions[0]
            name = f"{language_of.get(named_by.locale_id, 'x')}-{named_by.slug}"
        if name in names or name == OTHER_PAGES:
            name = f"{name}-{named_by.pk}"
        names[name] = [s.path for s in versions]
    return names


def build_sitemaps(request, homes: list[Page]) -> dict[str, PageSitemap]:
    """Name every sitemap of the site: the other pages first, then one per section."""
    sections = top_level_sections(homes)
    every_section = [path for paths in sections.values() for path in paths]
    sitemaps = {OTHER_PAGES: PageSitemap(request, [h.path for h in homes], excluding=every_section)}
    for name, paths in sections.items():
        sitemaps[name] = PageSitemap(request, paths)
    return sitemaps


def measure_sitemaps(sitemaps: dict[str, PageSitemap], homes: list[Page]) -> None:
    """Count each sitemap's pages and find its newest change, for all of them in one query."""
    section_of = {
        path: name
        for name, sitemap in sitemaps.items()
        if name != OTHER_PAGES
        for path in sitemap.paths
    }
    branch_length = max((len(path) for path in section_of), default=0)
    for sitemap in sitemaps.values():
        sitemap.size, sitemap.latest = 0, None
    rows = (
        visible(Page.objects.filter(under([h.path for h in homes])))
        .annotate(branch=Substr("path", 1, branch_length))
        .values("branch")
        .annotate(size=Count("pk"), latest=Max("last_published_at"))
        .order_by()
    )
    for row in rows:
        sitemap = sitemaps[section_of.get(row["branch"], OTHER_PAGES)]
        sitemap.size += row["size"]
        latest = w3c_datetime(row["latest"])
        if latest and (sitemap.latest is None or latest > sitemap.latest):
            sitemap.latest = latest


def sitemap_index(request):
    """List every sitemap (and each page of a long one) with its newest change."""
    homes = edition_homes(request)
    sitemaps = build_sitemaps(request, homes)
    measure_sitemaps(sitemaps, homes)
    return wagtail_sitemap_views.index(request, sitemaps, sitemap_url_name="sitemap")


def sitemap(request, section: str):
    """Serve one page of one section's sitemap; an unknown section is a 404."""
    sitemaps = build_sitemaps(request, edition_homes(request))
    return wagtail_sitemap_views.sitemap(
        request, sitemaps, section=section, template_name="feeds/sitemap.xml"
    )


def news_sitemap(request):
    """Serve the Google News sitemap of both editions."""
    site_settings = cached_site_settings(request, chrome_version())
    news = NewsSitemap(request, edition_homes(request), site_settings)
    return wagtail_sitemap_views.sitemap(
        request, {"news": news}, template_name="feeds/news_sitemap.xml"
    )
