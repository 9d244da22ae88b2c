"""Builders for a small two-edition paper, for tests that need a page tree."""

import datetime
import io
from dataclasses import dataclass, field

from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.models import Collection, Locale, Page, Site

from masthead.content.models import (
    AccessLevel,
    ArticleAuthor,
    ArticlePage,
    AuthorIndexPage,
    AuthorPage,
    HomePage,
    LatestPage,
    SectionPage,
    StandardPage,
)
from masthead.core.models import Menu, MenuItem, MenuSlot, SiteSettings
from masthead.images.models import CustomImage


def make_image(title: str = "Picture", *, size=(1600, 900), colour=(120, 30, 30)) -> CustomImage:
    if Collection.get_first_root_node() is None:  # flushed by a transactional test
        Collection.add_root(name="Root")
    buffer = io.BytesIO()
    PILImage.new("RGB", size, colour).save(buffer, "PNG")
    return CustomImage.objects.create(
        title=title,
        file=ImageFile(buffer, name=f"{title.lower().replace(' ', '-')}.png"),
        caption=f"{title} caption",
        credit="Test Agency",
    )


def publish(parent: Page, page: Page, *, at: datetime.datetime | None = None) -> Page:
    """Add page under parent and publish it, keeping `at` as its first publication time."""
    if at is not None:
        page.first_published_at = at
        page.last_published_at = at
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    if at is not None and page.first_published_at != at:
        type(page).objects.filter(pk=page.pk).update(first_published_at=at, last_published_at=at)
        page.refresh_from_db()
    return page


def translate(page: Page, locale: Locale, **fields) -> Page:
    """Copy a published page into another edition, set its fields and publish it."""
    copy = page.copy_for_translation(locale, copy_parents=True)
    for name, value in fields.items():
        setattr(copy, name, value)
    copy.save()
    copy.save_revision().publish()
    copy.refresh_from_db()
    return copy


@dataclass
class Paper:
    english: Locale
    persian: Locale
    home: HomePage
    home_fa: HomePage
    news: SectionPage
    politics: SectionPage
    economy: SectionPage
    latest: LatestPage
    about: StandardPage
    authors: AuthorIndexPage
    writers: list[AuthorPage] = field(default_factory=list)


def make_paper() -> Paper:
    """Build both editions' homes, sections, an author index, two writers and the menus."""
    english = Locale.objects.get_or_create(language_code="en")[0]
    persian = Locale.objects.get_or_create(language_code="fa")[0]
    # Transactional tests flush the tree that Wagtail's migration made; plant a new root.
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=english)
    )
    home = root.add_child(
        instance=HomePage(title="The Daily Test", slug="test-home", locale=english)
    )
    home.save_revision().publish()
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "Test"},
    )
    Page.objects.filter(depth=2).exclude(pk=home.pk).exclude(locale=persian).delete()
    home_fa = translate(home, persian, title="روزنامه آزمایشی")
    news = publish(home, SectionPage(title="What's the News", slug="news"))
    politics = publish(news, SectionPage(title="Politics", slug="politics"))
    economy = publish(home, SectionPage(title="Economy", slug="economy"))
    latest = publish(home, LatestPage(title="Latest", slug="latest"))
    about = publish(home, StandardPage(title="About Us", slug="about", intro="Who we are."))
    authors = publish(home, AuthorIndexPage(title="Authors", slug="authors"))
    writers = [
        publish(authors, AuthorPage(title="Ada Writer", slug="ada")),
        publish(authors, AuthorPage(title="Ben Reporter", slug="ben")),
    ]
    SiteSettings.objects.update_or_create(
        site=Site.objects.get(is_default_site=True),
        defaults={
            "paper_name": "The Daily Test",
            "paper_name_fa": "روزنامه آزمایشی",
            "tagline": "An Independent Newspaper",
            "tagline_fa": "روزنامه‌ای مستقل",
            "founding_year": 1970,
            "phone": "+1 (202)-659-9868",
        },
    )
    paper = Paper(english, persian, home, home_fa, news, politics, economy, latest, about, authors)
    paper.writers = writers
    make_menus(paper)
    return paper


def make_menus(paper: Paper) -> None:
    top = Menu.objects.create(slot=MenuSlot.TOP_BAR, locale=paper.english)
    MenuItem.objects.create(menu=top, link_page=paper.about, sort_order=0)
    main = Menu.objects.create(slot=MenuSlot.MAIN, locale=paper.english)
    MenuItem.objects.create(menu=main, link_page=paper.home, label="Home", sort_order=0)
    MenuItem.objects.create(menu=main, link_page=paper.news, show_mega_menu=True, sort_order=1)
    MenuItem.objects.create(menu=main, link_page=paper.economy, show_mega_menu=True, sort_order=2)
    MenuItem.objects.create(menu=main, link_page=paper.latest, show_mega_menu=True, sort_order=3)
    footer = Menu.objects.create(slot=MenuSlot.FOOTER, locale=paper.english)
    MenuItem.objects.create(menu=footer, link_page=paper.about, sort_order=0)
    MenuItem.objects.create(
        menu=footer, link_url="https://example.org/jobs", label="Jobs", sort_order=1
    )


def make_article(
    section: SectionPage,
    title: str,
    *,
    days_ago: float = 1,
    authors: list[AuthorPage] | tuple = (),
    tags: list[str] | tuple = (),
    image: CustomImage | None = None,
    access_level: str = AccessLevel.PUBLIC,
    paragraphs: int = 3,
) -> ArticlePage:
    at = timezone.now() - datetime.timedelta(days=days_ago)
    body = [
        {"type": "paragraph", "value": f"<p>{title}: paragraph {n + 1}.</p>"}
        for n in range(paragraphs)
    ]
    article = ArticlePage(
        title=title,
        standfirst=f"What {title} is about.",
        body=body,
        lead_image=image,
        access_level=access_level,
    )
    for position, author in enumerate(authors):
        article.bylines.add(ArticleAuthor(author=author, sort_order=position))
    article.tags.add(*tags)
    return publish(section, article, at=at)
