"""The demo paper: `load_demo` builds both editions once, and a second run adds nothing."""

import datetime
import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from taggit.models import Tag
from wagtail.models import Locale, Page, Revision, Site

from masthead.content.models import (
    ArticleAuthor,
    ArticlePage,
    AuthorPage,
    ContactPage,
    HomePage,
    LatestPage,
    SectionPage,
    StandardPage,
)
from masthead.core.models import Menu, MenuItem, MenuSlot, SiteSettings
from masthead.images.models import CustomImage
from masthead.subscriptions.models import Plan, SubscriptionPage

ARTICLES_EN = 20
ARTICLES_FA = 8
GIVEN_STORIES_EN = 31  # the reference article, its three neighbours and 27 menu headlines
REFERENCE_SLUG = "another-iran-diplomat-defects-to-the-opposition"
PERSIAN_LETTERS = re.compile(r"[\u0600-\u06ff]")


def plant_wagtail_welcome_page() -> None:
    """Recreate what Wagtail's first migration leaves: a root, a welcome page and a site."""
    english = Locale.objects.get_or_create(language_code="en")[0]
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=english)
    )
    if not root.get_children().filter(slug="home").exists():
        welcome = root.add_child(
            instance=Page(title="Welcome to your new Wagtail site!", slug="home")
        )
        Site.objects.create(hostname="localhost", port=80, root_page=welcome, is_default_site=True)


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command(
        "load_demo",
        f"--articles-en={ARTICLES_EN}",
        f"--articles-fa={ARTICLES_FA}",
        *args,
        stdout=out,
    )
    return out.getvalue()


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """Build the demo paper once for the module, and roll it back afterwards."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            plant_wagtail_welcome_page()
            yield load_demo()
            transaction.set_rollback(True)


@pytest.fixture
def locales(demo):
    return Locale.objects.get(language_code="en"), Locale.objects.get(language_code="fa")


@pytest.fixture
def reference(demo):
    return ArticlePage.objects.get(slug=REFERENCE_SLUG, locale__language_code="en")


@pytest.mark.django_db
def test_reports_each_stage(demo):
    assert f"English articles: {ARTICLES_EN + GIVEN_STORIES_EN} created, 0 already there" in demo
    assert f"Persian articles: {ARTICLES_FA + 1} created, 0 already there" in demo
    assert "Demo paper ready" in demo


@pytest.mark.django_db
def test_builds_both_editions(locales):
    english, persian = locales
    for locale in locales:
        assert HomePage.objects.filter(locale=locale).count() == 1
        assert SectionPage.objects.filter(locale=locale).count() == 7
        assert AuthorPage.objects.filter(locale=locale).count() == 8
        assert StandardPage.objects.filter(locale=locale).count() == 2
        assert SubscriptionPage.objects.filter(locale=locale).count() == 1
        assert LatestPage.objects.filter(locale=locale).count() == 1
        assert ContactPage.objects.filter(locale=locale).count() == 1
    assert ArticlePage.objects.filter(locale=english).count() == ARTICLES_EN + GIVEN_STORIES_EN
    assert ArticlePage.objects.filter(locale=persian).count() == ARTICLES_FA + 1
    assert not Page.objects.filter(title="Welcome to your new Wagtail site!").exists()
    # The printed issues' front pages are the archive's (masthead/archive/tests/test_demo.py).
    assert CustomImage.objects.exclude(title__startswith="Demo issue").count() == 30 + 8 + 1


@pytest.mark.django_db
def test_every_page_is_published_with_a_revision(demo):
    pages = Page.objects.exclude(depth=1)
    assert not pages.filter(live=False).exists()
    assert not pages.filter(live_revision__isnull=True).exists()
    assert Revision.page_revisions.count() >= pages.count()


@pytest.mark.django_db
def test_every_section_holds_articles(demo):
    for section in SectionPage.objects.all():
        assert ArticlePage.objects.child_of(section).exists(), section


@pytest.mark.django_db
def test_articles_have_bylines_tags_and_dates(locales):
    english, persian = locales
    now = timezone.now()
    articles = list(ArticlePage.objects.prefetch_related("bylines", "tags"))
    for article in articles:
        paragraphs = [b for b in article.body if b.block_type == "paragraph"]
        assert len(paragraphs) >= 4, article
        assert 1 <= len(article.bylines.all()) <= 2, article
        assert 1 <= len(article.tags.all()) <= 4, article
        assert article.standfirst
        assert article.first_published_at == article.last_published_at
        assert article.first_published_at <= now
    dates = sorted(a.first_published_at for a in articles)
    assert dates[0].year < 1980
    assert now - dates[-1] < datetime.timedelta(days=3)
    assert {a.access_level for a in articles} == {"public", "registered", "subscribers"}
    assert any(a.lead_image_id is None for a in articles)
    assert sum(a.lead_image_id is not None for a in articles) > len(articles) / 2
    for article in ArticlePage.objects.filter(locale=persian):
        assert PERSIAN_LETTERS.search(article.title), article
        assert all(PERSIAN_LETTERS.search(t.name) for t in article.tags.all()), article


@pytest.mark.django_db
def test_bylines_name_the_editions_own_author_pages(locales):
    english, persian = locales
    for locale in (english, persian):
        bylines = ArticleAuthor.objects.filter(article__locale=locale)
        assert bylines.exists()
        assert not bylines.exclude(author__locale=locale).exists()


@pytest.mark.django_db
def test_reference_article_sits_between_its_neighbours(reference):
    assert reference.get_parent().slug == "whats-the-news"
    assert timezone.localdate(reference.first_published_at) == datetime.date(2011, 3, 9)
    paragraphs = [b.value.source for b in reference.body if b.block_type == "paragraph"]
    assert paragraphs[0].startswith("<p>Maleki told Radio Farda")
    assert paragraphs[-1].endswith("who received asylum from Norway.</p>")
    assert reference.previous_article.title == "Price to free jailed Germans: Photo-op"
    assert reference.next_article.title == "Mojahedin draw big name backing"
    assert (
        reference.next_article.next_article.title
        == "Israelis in a tizzy over Iranian frigate in Med"
    )


@pytest.mark.django_db
def test_reference_headlines_lead_their_menus(locales):
    english, _ = locales
    articles = ArticlePage.objects.in_locale(english).for_listing()
    news = SectionPage.objects.get(locale=english, slug="whats-the-news")
    economy = SectionPage.objects.get(locale=english, slug="economy")
    assert articles.first().title == "Hell Comes To A Pasdar Base North of Tehran"
    assert articles.in_section(news).first().title == (
        "Army Says It Makes Some Officers UN Peacekeepers"
    )
    assert articles.in_section(economy).first().title == (
        "Economist Says Biggest Problem For Iranian Economy is State Controls"
    )


@pytest.mark.django_db
def test_reference_article_has_a_persian_translation(reference, locales):
    _, persian = locales
    translation = reference.get_translation(persian)
    assert translation.live
    assert translation.title == "دیپلمات دیگری از ایران به مخالفان پیوست"
    assert translation.first_published_at == reference.first_published_at
    assert translation.get_parent().pk == reference.get_parent().get_translation(persian).pk
    body = translation.body
    assert body[0].value.source.startswith("<p>ملکی به رادیو فردا گفت")
    assert {t.name for t in translation.tags.all()} == {"دیپلماسی", "اپوزیسیون", "وزارت خارجه"}


@pytest.mark.django_db
def test_persian_pages_are_translations(locales):
    english, persian = locales
    home = HomePage.objects.get(locale=english)
    assert home.get_translation(persian).title == "ایران تایمز"
    for section in SectionPage.objects.filter(locale=english):
        translation = section.get_translation(persian)
        assert translation.live
        assert PERSIAN_LETTERS.search(translation.title), translation
    economy = SectionPage.objects.get(locale=english, slug="economy")
    assert economy.get_translation(persian).title == "اقتصاد"
    contact = ContactPage.objects.get(locale=persian)
    assert [f.clean_name for f in contact.form_fields.all()] == [
        "name",
        "email",
        "subject",
        "message",
    ]
    assert contact.to_address == "newsroom@example.org"


@pytest.mark.django_db
def test_site_points_at_the_english_home(demo):
    site = Site.objects.get(is_default_site=True)
    address = urlsplit(settings.WAGTAILADMIN_BASE_URL)  # SITE_URL, 127.0.0.1:8000 by default
    assert (site.hostname, site.port, site.site_name) == (
        address.hostname,
        address.port or 80,
        "Iran Times",
    )
    assert site.root_page.specific_class is HomePage
    assert site.root_page.title == "Iran Times"
    assert site.root_page.slug == "home"


@pytest.mark.django_db
def test_site_settings(demo):
    site_settings = SiteSettings.for_site(Site.objects.get(is_default_site=True))
    assert site_settings.paper_name == "Iran Times"
    assert site_settings.paper_name_fa == "ایران تایمز"
    assert site_settings.tagline_fa == "روزنامه‌ای مستقل"
    assert site_settings.founding_year == 1970
    assert site_settings.phone == "+1 (202)-659-9868"
    assert site_settings.logo is None  # the masthead sets the name in type
    assert site_settings.publisher_logo.title == "Iran Times logo"
    assert len(site_settings.social_links) >= 3


@pytest.mark.django_db
def test_menus_in_both_editions(locales):
    english, persian = locales
    for locale in locales:
        assert Menu.objects.filter(locale=locale).count() == 3
    main = Menu.objects.get(locale=english, slot=MenuSlot.MAIN)
    labels = [str(item) for item in main.items.all()]
    assert labels == [
        "Home",
        "What's the News",
        "Diaspora",
        "Economy",
        "Tidbits and Morsels",
        "Latest",
        "About Us",
        "Advertising",
        "Subscription",
    ]
    mega = [str(item) for item in main.items.all() if item.show_mega_menu]
    assert mega == ["What's the News", "Economy", "Latest"]
    archive_tabs = [str(item) for item in main.items.all() if item.archive_tab]
    assert archive_tabs == ["What's the News"]
    footer = Menu.objects.get(locale=english, slot=MenuSlot.FOOTER)
    assert [str(item) for item in footer.items.all()][-3:] == ["Culture", "Economy", "Archive"]
    for menu in Menu.objects.filter(locale=persian):
        original = Menu.objects.get(locale=english, slot=menu.slot)
        assert menu.translation_key == original.translation_key
        assert menu.items.count() == original.items.count()
        linked = [item for item in menu.items.all() if item.link_page]  # the archive: an address
        assert all(item.link_page.locale_id == persian.pk for item in linked)


@pytest.mark.django_db
def test_second_run_creates_nothing(demo):
    models = (Page, Revision, CustomImage, Menu, MenuItem, Tag, ArticleAuthor, Locale)
    before = {model: model._default_manager.count() for model in models}
    output = load_demo()
    after = {model: model._default_manager.count() for model in models}
    assert after == before
    assert " 0 created" in output
    assert re.search(r": [1-9]\d* created", output) is None


@pytest.mark.django_db
def test_if_empty_leaves_an_existing_paper_alone(demo):
    pages = Page.objects.count()
    output = load_demo("--if-empty")
    assert "not loaded" in output
    assert Page.objects.count() == pages


@pytest.mark.django_db
def test_the_demo_sells_plans_and_has_premium_articles_in_several_sections(demo):
    kinds = set(Plan.objects.values_list("kind", "interval", "includes_print"))
    assert kinds == {
        ("subscription", "month", False),
        ("subscription", "year", False),
        ("subscription", "month", True),
        ("unlock_pack", "", False),
    }
    premium = ArticlePage.objects.live().exclude(access_level="public")
    sections = {article.get_parent().pk for article in premium.filter(access_level="subscribers")}
    assert len(sections) >= 3
    assert premium.filter(access_level="registered").exists()
