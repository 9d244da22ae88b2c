"""Menus as the page prints them: links resolved for the edition, mega-menus filled."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import Locale, Page

from masthead.core.cache import chrome_version
from masthead.core.models import Menu, MenuItem

from .models import ArticlePage, LatestPage, SectionPage
from .querysets import attach_sections, localize_pages


@dataclass
class MegaTab:
    key: str
    label: str
    url: str
    articles: list = field(default_factory=list)
    is_archive: bool = False  # the archive ("baygani") tab: printed issues, not articles
    issues: list = field(default_factory=list)


@dataclass
class NavLink:
    label: str
    url: str
    page_id: int | None = None
    tabs: list[MegaTab] = field(default_factory=list)

    @property
    def has_mega_menu(self) -> bool:
        return any(tab.articles or tab.is_archive for tab in self.tabs)


def active_locale(request=None) -> Locale:
    """Return the Locale of the active language, fetched once per request."""
    language = translation.get_language()
    memo = getattr(request, "_masthead_locales", None)
    if memo is None:
        memo = {}
        if request is not None:
            request._masthead_locales = memo
    if language not in memo:
        memo[language] = Locale.get_active()
    return memo[language]


def menus_for(locale: Locale, request=None) -> dict[str, list[MenuItem]]:
    """Return every menu's items for the edition, in two queries, memoised on the request.

    A slot the edition has no menu for falls back to the default edition's menu.
    """
    memo = getattr(request, "_masthead_menus", {}) if request is not None else {}
    if locale.pk in memo:
        return memo[locale.pk]
    default_language = settings.LANGUAGE_CODE
    menus = (
        Menu.objects.filter(Q(locale=locale) | Q(locale__language_code=default_language))
        .select_related("locale")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=MenuItem.objects.select_related("link_page").order_by("sort_order"),
            )
        )
    )
    by_slot: dict[str, list[MenuItem]] = {}
    for menu in sorted(menus, key=lambda m: m.locale_id == locale.pk):
        by_slot[menu.slot] = list(menu.items.all())  # the edition's own menu wins
    memo[locale.pk] = by_slot
    if request is not None:
        request._masthead_menus = memo
    return by_slot


def build_menu(
    slot: str, locale: Locale, request=None, *, with_mega: bool = False
) -> list[NavLink]:
    items = menus_for(locale, request).get(slot, [])
    linked = [i for i in items if i.link_page]
    pages = localize_pages([i.link_page for i in linked], locale.pk)
    page_for_item = {item.pk: page for item, page in zip(linked, pages, strict=True)}
    links = []
    for item in items:
        page = page_for_item.get(item.pk)
        if page is not None:
            links.append(NavLink(item.label or page.title, page.get_url(request), page.pk))
        else:
            links.append(NavLink(item.label, item.link_url))
    if with_mega:
        mega_pages = [page_for_item[i.pk] for i in linked if i.show_mega_menu]
        fill_mega_menus(links, mega_pages, locale, request)
        archive_links = [
            link
            for item, link in zip(items, links, strict=True)
            if item.show_mega_menu and item.archive_tab and link.tabs
        ]
        if archive_links:
            add_archive_tabs(archive_links, locale)
    return links


def add_archive_tabs(links: list[NavLink], locale: Locale) -> None:
    """End these mega-menus with the archive ("baygani") tab: the newest printed issues."""
    from masthead.archive.querysets import issues_for_listing  # the archive builds on content

    per_tab = settings.MASTHEAD_MEGA_MENU_ARTICLES
    issues = list(issues_for_listing(locale)[:per_tab])
    for link in links:
        link.tabs.append(
            MegaTab(
                f"{link.page_id}-archive",
                _("Archive"),
                reverse("archive:index"),
                is_archive=True,
                issues=issues,
            )
        )


def fill_mega_menus(links: list[NavLink], pages: list[Page], locale: Locale, request) -> None:
    """Fill each mega-menu's tabs ("All" and one per sub-section) in three queries at most."""
    per_tab = settings.MASTHEAD_MEGA_MENU_ARTICLES
    sections = [p for p in pages if p.specific_class is SectionPage]
    articles = ArticlePage.objects.in_locale(locale).for_listing()
    tabs_by_page: dict[int, list[MegaTab]] = {}

    if sections:
        under_any = Q()
        for section in sections:
            under_any |= Q(path__startswith=section.path, depth=section.depth + 1)
        subsections = list(SectionPage.objects.live().filter(under_any).order_by("path"))
        by_depth: dict[int, list[str]] = {}
        for page in [*sections, *subsections]:
            by_depth.setdefault(page.depth, []).append(page.path)
        latest: dict[str, list] = {}
        for paths in by_depth.values():
            latest.update(articles.latest_per_prefix(paths, per_tab))
        for section in sections:
            tabs = [
                MegaTab(
                    f"{section.pk}-all", "", section.get_url(request), latest.get(section.path, [])
                )
            ]
            for sub in subsections:
                if sub.path.startswith(section.path):
                    tabs.append(
                        MegaTab(
                            f"{sub.pk}", sub.title, sub.get_url(request), latest.get(sub.path, [])
                        )
                    )
            tabs_by_page[section.pk] = tabs

    for page in pages:
        if page.specific_class is LatestPage:
            newest = list(articles[:per_tab])
            tabs_by_page[page.pk] = [MegaTab(f"{page.pk}-all", "", page.get_url(request), newest)]

    every_article = [a for tabs in tabs_by_page.values() for tab in tabs for a in tab.articles]
    attach_sections(every_article)
    for link in links:
        link.tabs = tabs_by_page.get(link.page_id, [])


def live_translations(page: Page, version: int | None = None) -> dict[str, Page]:
    """Map language codes to the page's live versions, itself included.

    Memoised on the page, and kept in the cache under the chrome version, which every
    publish, unpublish, move or deletion bumps, so the hreflang links, the language
    switcher and the previews of a page cost no query once it has been seen. A template
    tag passes the version its request read (the `chrome_version` context variable).
    """
    if not hasattr(page, "_live_translations"):
        version = chrome_version() if version is None else version
        key = f"masthead:translations:{page.translation_key}:{version}"
        translations = cache.get(key)
        if translations is None:
            translations = {
                p.locale.language_code: p
                for p in page.get_translations(inclusive=True).live().select_related("locale")
            }
            cache.set(key, translations, settings.MASTHEAD_CHROME_CACHE_SECONDS)
        page._live_translations = translations
    return page._live_translations


def edition_home_url(language: str) -> str:
    """Return the address of an edition's front page, which is the site root in its language."""
    with translation.override(language):
        return reverse("wagtail_serve", args=[""])
