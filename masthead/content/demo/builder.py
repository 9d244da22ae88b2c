"""Write the demo paper into the database, one rerunnable, atomic stage at a time.

Every stage looks up what it would create (by slug, title or translation key) and
creates only what is missing, so running the builder twice creates nothing twice.
"""

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from html import escape
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Collection, Locale, Page, Site

from masthead.archive.demo import build_archive
from masthead.content.models import (
    ArticleAuthor,
    ArticlePage,
    AuthorIndexPage,
    AuthorPage,
    ContactFormField,
    ContactPage,
    HomePage,
    LatestPage,
    SectionPage,
    StandardPage,
)
from masthead.core.models import Menu, MenuItem, MenuSlot, SiteSettings
from masthead.images.models import CustomImage
from masthead.subscriptions.demo import build_plans
from masthead.subscriptions.models import SubscriptionPage

from . import images
from .editions import EditionTexts
from .texts_en import ENGLISH
from .texts_fa import PERSIAN
from .writer import ArticleDraft, ArticleWriter, Picture, slug_for

SEEDS = {"en": 1970, "fa": 1349}  # the first issue's year, Gregorian and Solar Hijri
# Generated English stories start after the reference page's menu stories, which are the
# newest; the Persian edition has no such stories, so its newest are hours old.
NEWEST_GENERATED_AGE = {"en": datetime.timedelta(days=13), "fa": datetime.timedelta(hours=3)}
SITE_NAME = "Iran Times"
WAGTAIL_WELCOME_SLUG = "home"

# Each slot's links, by page key, and whether the link opens a mega-menu.
# The news mega-menu ends with the archive ("baygani") tab, as on the paper's site today.
ARCHIVE_TAB_ON = "news"
MENUS = {
    MenuSlot.TOP_BAR: (("about", False), ("subscription", False), ("contact", False)),
    MenuSlot.MAIN: (
        ("home", False),
        ("news", True),
        ("diaspora", False),
        ("economy", True),
        ("tidbits", False),
        ("latest", True),
        ("about", False),
        ("advertising", False),
        ("subscription", False),
    ),
    MenuSlot.FOOTER: (
        ("about", False),
        ("contact", False),
        ("advertising", False),
        ("subscription", False),
        ("culture", False),
        ("economy", False),
    ),
}


@dataclass
class Edition:
    """The pages of one edition, by key, as the builder creates or finds them."""

    texts: EditionTexts
    locale: Locale
    home: HomePage | None = None
    pages: dict[str, Page] = field(default_factory=dict)  # sections and every other page
    authors: dict[str, AuthorPage] = field(default_factory=dict)


@dataclass
class Tally:
    """How many things a stage created and how many it found already there."""

    created: int = 0
    found: int = 0

    def __str__(self) -> str:
        return f"{self.created} created, {self.found} already there"


def publish(page: Page, published_at: datetime.datetime | None = None) -> None:
    """Publish the page through a revision, as the admin does, keeping the given date."""
    if published_at:
        page.first_published_at = published_at
    page.save_revision().publish()
    if published_at:
        # Publishing stamps last_published_at with the current time; put the story's back.
        Page.objects.filter(pk=page.pk).update(last_published_at=published_at)
    # Publishing saved a copy made from the revision; bring this instance up to date.
    page.refresh_from_db()


class DemoBuilder:
    """Build both editions of the demo paper; see the module docstring for the rules."""

    def __init__(self, *, log: Callable[[str], None], now: datetime.datetime | None = None):
        self.log = log
        self.now = now or timezone.now()
        self.editions: dict[str, Edition] = {}
        self.site: Site | None = None
        self.pictures: dict[str, CustomImage] = {}
        self.portraits: dict[str, CustomImage] = {}
        self.logo: CustomImage | None = None

    def build(self, *, articles_en: int, articles_fa: int) -> None:
        stages = [
            ("Site and home pages", self.build_site),
            ("Images", self.build_images),
            ("Site settings", self.build_settings),
            ("Sections and pages", self.build_pages),
            ("English articles", lambda: self.build_articles("en", articles_en)),
            ("Persian articles", lambda: self.build_articles("fa", articles_fa)),
            ("Menus", self.build_menus),
            ("Plans and paywall settings", lambda: Tally(created=build_plans(self.site))),
            ("Printed issues and archive links", self.build_archive),
        ]
        for name, stage in stages:
            started = time.monotonic()
            with transaction.atomic():
                tally = stage()
            self.log(f"{name}: {tally} ({time.monotonic() - started:.1f} s)")

    def build_site(self) -> Tally:
        """Create both locales and home pages, and point the default site at the English one."""
        tally = Tally()
        english = self._locale("en", tally)
        persian = self._locale("fa", tally)
        if not Collection.get_first_root_node():
            Collection.add_root(name="Root")
        root = Page.get_first_root_node() or Page.add_root(
            instance=Page(title="Root", slug="root", locale=english)
        )
        home = HomePage.objects.child_of(root).filter(locale=english).first()
        welcome = self._wagtail_welcome_page(root)
        if home:
            tally.found += 1
        else:
            if welcome:
                # Free the "home" slug; the welcome page goes once the site has moved off it.
                Page.objects.filter(pk=welcome.pk).update(slug=f"{WAGTAIL_WELCOME_SLUG}-welcome")
            home = HomePage(title=ENGLISH.home_title, slug="home", locale=english)
            root.add_child(instance=home)
            publish(home)
            tally.created += 1
        self.site = self._point_default_site_at(home)
        if welcome:
            Page.objects.get(pk=welcome.pk).delete()
        self.editions["en"] = Edition(ENGLISH, english, home=home)
        self.editions["fa"] = Edition(
            PERSIAN, persian, home=self._translation(home, persian, tally, title=PERSIAN.home_title)
        )
        return tally

    def build_images(self) -> Tally:
        """Draw the article pictures, the authors' portraits and the logo, once each."""
        tally = Tally()
        existing = set(CustomImage.objects.values_list("title", flat=True))
        for index, subject in enumerate(images.SUBJECTS):
            title = f"Demo: {subject.label}"
            tally.found += title in existing
            self.pictures[subject.key] = images.get_or_create_image(
                title,
                f"demo-{subject.key}.jpg",
                partial(images.draw_picture, subject, seed=index),
                caption=f"Illustration: {subject.caption}",
            )
        for index, author in enumerate(ENGLISH.authors):
            title = f"Demo portrait: {author.name}"
            tally.found += title in existing
            self.portraits[author.key] = images.get_or_create_image(
                title,
                f"demo-portrait-{author.key}.jpg",
                partial(images.draw_portrait, author.name, seed=index),
                caption=author.name,
            )
        tally.found += f"{SITE_NAME} logo" in existing
        self.logo = images.get_or_create_image(
            f"{SITE_NAME} logo",
            "demo-logo.png",
            partial(images.draw_logo, SITE_NAME, "An Independent Newspaper"),
        )
        tally.created = len(images.SUBJECTS) + len(ENGLISH.authors) + 1 - tally.found
        return tally

    def build_settings(self) -> Tally:
        """Fill in the paper's identity for the default site, unless it is already filled in."""
        site_settings = SiteSettings.for_site(self.site)
        if site_settings.paper_name == SITE_NAME:
            return Tally(found=1)
        site_settings.paper_name = SITE_NAME
        site_settings.paper_name_fa = "ایران تایمز"
        site_settings.tagline = "An Independent Newspaper"
        site_settings.tagline_fa = "روزنامه‌ای مستقل"
        site_settings.founding_year = 1970
        site_settings.phone = "+1 (202)-659-9868"
        site_settings.email = "newsroom@example.org"
        # The masthead sets the name in type, which reads in both editions; the drawn logo
        # serves search engines and previews.
        site_settings.publisher_logo = self.logo
        site_settings.facebook_url = "https://www.facebook.com/example.org"
        site_settings.x_url = "https://x.com/example_org"
        site_settings.instagram_url = "https://www.instagram.com/example.org"
        site_settings.youtube_url = "https://www.youtube.com/@example.org"
        site_settings.telegram_url = "https://t.me/example_org"
        site_settings.save()
        return Tally(created=1)

    def build_pages(self) -> Tally:
        """Create sections, the latest page, authors and prose pages, then their translations."""
        tally = Tally()
        english, persian = self.editions["en"], self.editions["fa"]
        for spec in ENGLISH.sections:
            parent = english.pages[spec.parent] if spec.parent else english.home
            english.pages[spec.key] = self._child(
                parent, SectionPage(title=spec.title, slug=spec.slug, intro=spec.intro), tally
            )
        english.pages["latest"] = self._child(
            english.home, LatestPage(title=ENGLISH.latest_title, slug="latest"), tally
        )
        author_index = AuthorIndexPage(
            title=ENGLISH.authors_title, slug="authors", intro=ENGLISH.authors_intro
        )
        english.pages["authors"] = self._child(english.home, author_index, tally)
        for author in ENGLISH.authors:
            english.authors[author.key] = self._child(
                english.pages["authors"],
                AuthorPage(
                    title=author.name,
                    slug=slugify(author.name),
                    role=author.role,
                    photo=self.portraits[author.key],
                    bio=f"<p>{escape(author.bio, quote=False)}</p>",
                ),
                tally,
            )
        for prose in ENGLISH.prose_pages:
            # The Subscription page lists the plans on sale under the editors' text.
            page_type = SubscriptionPage if prose.key == "subscription" else StandardPage
            english.pages[prose.key] = self._child(
                english.home,
                page_type(
                    title=prose.title,
                    slug=slugify(prose.title),
                    intro=prose.intro,
                    body=self._prose_body(prose.body),
                ),
                tally,
            )
        english.pages["contact"] = self._child(english.home, self._contact_page(ENGLISH), tally)
        self._translate_pages(english, persian, tally)
        return tally

    def build_articles(self, language: str, count: int) -> Tally:
        """Write the edition's given stories and `count` generated ones, then translations."""
        tally = Tally()
        edition = self.editions[language]
        pictures = self._pictures_for(edition.texts)
        writer = ArticleWriter(
            edition.texts,
            authors=ENGLISH.authors,
            pictures=pictures,
            seed=SEEDS[language],
            now=self.now,
            tz=timezone.get_default_timezone(),
        )
        drafts = [writer.fixed_story(story) for story in edition.texts.fixed_stories]
        translations = {
            title: writer.fixed_story(story)
            for title, story in edition.texts.translated_stories.items()
        }
        drafts += writer.generated_stories(count, NEWEST_GENERATED_AGE[language])
        existing = set(
            ArticlePage.objects.filter(locale=edition.locale).values_list("slug", flat=True)
        )
        for draft in drafts:
            if draft.slug in existing:
                tally.found += 1
                continue
            self._add_article(edition, draft)
            tally.created += 1
        for english_title, draft in translations.items():
            source = ArticlePage.objects.get(
                locale=self.editions["en"].locale, slug=slug_for(english_title)
            )
            if source.get_translation_or_none(edition.locale):
                tally.found += 1
                continue
            translation = source.copy_for_translation(edition.locale)
            translation.title = draft.title
            translation.standfirst = draft.standfirst
            translation.body = draft.body
            # The translation keeps the original's picture; caption it in this edition.
            translation.lead_image_caption = next(
                (p.caption for p in pictures if p.image_id == translation.lead_image_id), ""
            )
            translation.tags.clear()
            translation.tags.add(*draft.tags)
            # Byline the edition's own author pages, as a Persian editor would pick them.
            for byline in translation.bylines.all():
                byline.author = edition.authors.get(
                    self._author_key(byline.author_id), byline.author
                )
                byline.save()
            publish(translation, draft.published_at)
            tally.created += 1
        return tally

    def build_menus(self) -> Tally:
        """Create the top bar, main and footer menus of both editions."""
        tally = Tally()
        english, persian = self.editions["en"], self.editions["fa"]
        for slot, links in MENUS.items():
            source = self._menu(english, slot, links, tally, translation_of=None)
            self._menu(persian, slot, links, tally, translation_of=source)
        return tally

    def build_archive(self) -> Tally:
        """Add the printed issues and the archive's footer link."""
        created = build_archive(SITE_NAME)
        return Tally(created=created, found=0 if created else 1)

    def _locale(self, language: str, tally: Tally) -> Locale:
        locale, created = Locale.objects.get_or_create(language_code=language)
        tally.created += created
        tally.found += not created
        return locale

    def _wagtail_welcome_page(self, root: Page) -> Page | None:
        """Return Wagtail's "Welcome to your new Wagtail site!" page, if it is still there."""
        plain_page = ContentType.objects.get_for_model(Page)
        return (
            Page.objects.child_of(root)
            .filter(content_type=plain_page, slug=WAGTAIL_WELCOME_SLUG, numchild=0)
            .first()
        )

    def _point_default_site_at(self, home: HomePage) -> Site:
        """Return the default site, moved onto the home page unless it is there already."""
        site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
        if site.pk and site.root_page_id == home.pk:
            return site
        # Full addresses (canonical, hreflang) name the address the paper is served on.
        address = urlsplit(settings.WAGTAILADMIN_BASE_URL)
        site.hostname = address.hostname or "localhost"
        site.port = address.port or (443 if address.scheme == "https" else 80)
        site.site_name = SITE_NAME
        site.root_page = home
        site.save()
        return site

    def _child(self, parent: Page, page: Page, tally: Tally) -> Page:
        """Return the parent's child with the page's slug, adding and publishing it if missing."""
        existing = type(page).objects.child_of(parent).filter(slug=page.slug).first()
        if existing:
            tally.found += 1
            return existing
        parent.add_child(instance=page)
        publish(page)
        tally.created += 1
        return page

    def _translation(self, source: Page, locale: Locale, tally: Tally, **fields) -> Page:
        """Return the page's translation, copying, rewording and publishing it if missing."""
        existing = source.get_translation_or_none(locale)
        if existing:
            tally.found += 1
            return existing.specific
        translation = source.copy_for_translation(locale)
        for name, value in fields.items():
            setattr(translation, name, value)
        publish(translation)
        tally.created += 1
        return translation

    def _translate_pages(self, english: Edition, persian: Edition, tally: Tally) -> None:
        texts = persian.texts
        for spec in texts.sections:
            persian.pages[spec.key] = self._translation(
                english.pages[spec.key], persian.locale, tally, title=spec.title, intro=spec.intro
            )
        persian.pages["latest"] = self._translation(
            english.pages["latest"], persian.locale, tally, title=texts.latest_title
        )
        persian.pages["authors"] = self._translation(
            english.pages["authors"],
            persian.locale,
            tally,
            title=texts.authors_title,
            intro=texts.authors_intro,
        )
        for author in texts.authors:
            persian.authors[author.key] = self._translation(
                english.authors[author.key],
                persian.locale,
                tally,
                title=author.name,
                role=author.role,
                bio=f"<p>{escape(author.bio, quote=False)}</p>",
            )
        for prose in texts.prose_pages:
            persian.pages[prose.key] = self._translation(
                english.pages[prose.key],
                persian.locale,
                tally,
                title=prose.title,
                intro=prose.intro,
                body=self._prose_body(prose.body),
            )
        persian.pages["contact"] = self._translation(
            english.pages["contact"],
            persian.locale,
            tally,
            title=texts.contact.title,
            intro=texts.contact.intro,
            thank_you_text=texts.contact.thank_you,
            subject=texts.contact.subject,
            form_fields=self._contact_fields(texts),
        )

    def _prose_body(self, blocks: tuple[tuple[str, str], ...]) -> list[dict]:
        stream = []
        for block_type, text in blocks:
            if block_type == "heading":
                stream.append({"type": "heading", "value": {"text": text, "level": "h2"}})
            else:
                stream.append({"type": "paragraph", "value": f"<p>{escape(text, quote=False)}</p>"})
        return stream

    def _contact_page(self, texts: EditionTexts) -> ContactPage:
        contact = texts.contact
        return ContactPage(
            title=contact.title,
            slug=slugify(ENGLISH.contact.title),
            intro=contact.intro,
            thank_you_text=contact.thank_you,
            to_address="newsroom@example.org",
            from_address="website@example.org",
            subject=contact.subject,
            form_fields=self._contact_fields(texts),
        )

    def _contact_fields(self, texts: EditionTexts) -> list[ContactFormField]:
        """Return the form's fields; each edition keeps the English names for its answers."""
        return [
            ContactFormField(
                sort_order=order,
                clean_name=clean_name,
                label=label,
                field_type=field_type,
                required=True,
            )
            for order, (clean_name, label, field_type) in enumerate(texts.contact.fields)
        ]

    def _pictures_for(self, texts: EditionTexts) -> list[Picture]:
        return [
            Picture(
                self.pictures[subject.key].pk,
                texts.image_captions.get(subject.key, ""),
                subject.sections,
            )
            for subject in images.SUBJECTS
        ]

    def _author_key(self, author_id: int) -> str | None:
        """Return the demo key of an English author page, to find its translation."""
        return next(
            (key for key, page in self.editions["en"].authors.items() if page.pk == author_id),
            None,
        )

    def _add_article(self, edition: Edition, draft: ArticleDraft) -> None:
        """Add a draft under its section, bylined to the edition's own author pages."""
        authors = edition.authors
        article = ArticlePage(
            title=draft.title,
            slug=draft.slug,
            standfirst=draft.standfirst,
            body=draft.body,
            lead_image_id=draft.lead_image_id,
            lead_image_caption=draft.lead_image_caption,
            access_level=draft.access_level,
            live=False,
            bylines=[
                ArticleAuthor(sort_order=order, author=authors[key])
                for order, key in enumerate(draft.authors)
            ],
        )
        article.tags.add(*draft.tags)
        edition.pages[draft.section].add_child(instance=article)
        publish(article, draft.published_at)

    def _menu(
        self,
        edition: Edition,
        slot: MenuSlot,
        links: tuple[tuple[str, bool], ...],
        tally: Tally,
        *,
        translation_of: Menu | None,
    ) -> Menu:
        existing = Menu.objects.filter(slot=slot, locale=edition.locale).first()
        if existing:
            tally.found += 1
            return existing
        menu = Menu(slot=slot, locale=edition.locale)
        if translation_of:
            menu.translation_key = translation_of.translation_key
        menu.items = [
            MenuItem(
                sort_order=order,
                label=edition.texts.home_label if key == "home" else "",
                link_page=edition.home if key == "home" else edition.pages[key],
                show_mega_menu=mega,
                archive_tab=mega and key == ARCHIVE_TAB_ON,
            )
            for order, (key, mega) in enumerate(links)
        ]
        menu.save()
        tally.created += 1
        return menu
