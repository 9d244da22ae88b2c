"""RSS 2.0 and Atom feeds of each edition: the whole paper, a section, an author, a tag."""

import hashlib
import mimetypes
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.views.decorators.http import condition
from taggit.models import Tag
from wagtail.models import Locale, Page, Site

from masthead.content.models import (
    AccessLevel,
    ArticleAuthor,
    ArticlePage,
    ArticlePageTag,
    AuthorPage,
    SectionPage,
)
from masthead.content.navigation import active_locale, edition_home_url
from masthead.content.querysets import ArticlePageQuerySet, attach_sections, localize_pages
from masthead.core.cache import chrome_version
from masthead.core.context_processors import cached_site_settings
from masthead.core.models import PremiumInFeeds, SiteSettings
from masthead.core.pages import any_view_restrictions
from masthead.pagecache import keys as pagecache_keys
from masthead.subscriptions.access import may_show_full_text

FEED_ITEMS = 30  # a day or two of news; readers keep what they have already fetched
ENCLOSURE_RENDITION = "fill-1200x675"  # one of the listing's prefetched card renditions
# Names GUIDs and feed ids; fixed forever, so that they never change.
FEED_ID_NAMESPACE = uuid.UUID("5b0e6a8c-3f1d-4a57-9a59-6c1f0f3de8a2")

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DUBLIN_CORE_NS = "http://purl.org/dc/elements/1.1/"
MEDIA_RSS_NS = "http://search.yahoo.com/mrss/"


def without_omitted(articles: ArticlePageQuerySet, policy: str) -> ArticlePageQuerySet:
    """Drop premium articles when the paper lists them "not at all" (the query form of the rule)."""
    if policy == PremiumInFeeds.OMIT:
        return articles.filter(access_level=AccessLevel.PUBLIC)
    return articles


def feed_title(paper_name: str, subject: str = "") -> str:
    """Name a feed the way the page that links it is named: "Economy – The Daily Test"."""
    return f"{subject} – {paper_name}" if subject else paper_name


def section_feed_path(section: Page) -> str:
    """Return a section's address below its edition's front page, such as "news/politics"."""
    # url_path is "/<front page slug>/news/politics/"; front pages sit just under the root.
    return section.url_path.strip("/").partition("/")[2]


def stable_urn(*parts: object) -> str:
    """Return a URN made from identities that outlive slugs, titles and addresses."""
    return f"urn:uuid:{uuid.uuid5(FEED_ID_NAMESPACE, ':'.join(str(p) for p in parts))}"


# Root-relative addresses in rendered HTML; feed readers resolve nothing against the site.
RELATIVE_URL_ATTRIBUTE = re.compile(r'(\s(?:href|src|poster)=")(/[^"]*)"')
SRCSET_ATTRIBUTE = re.compile(r'(\ssrcset=")([^"]*)"')


def absolute_urls(html: str, origin: str) -> str:
    """Prefix every root-relative href, src and srcset address with the site's origin."""

    def absolute(url: str) -> str:
        if url.startswith("//"):
            return f"{origin.partition(':')[0]}:{url}"
        return f"{origin}{url}" if url.startswith("/") else url

    def in_srcset(match: re.Match) -> str:
        candidates = []
        for candidate in match.group(2).split(","):
            url, _space, descriptor = candidate.strip().partition(" ")
            candidates.append(f"{absolute(url)} {descriptor}".strip())
        return f'{match.group(1)}{", ".join(candidates)}"'

    html = RELATIVE_URL_ATTRIBUTE.sub(lambda m: f'{m.group(1)}{absolute(m.group(2))}"', html)
    return SRCSET_ATTRIBUTE.sub(in_srcset, html)


@dataclass(frozen=True)
class FeedAuthor:
    name: str
    url: str


@dataclass(frozen=True)
class FeedImage:
    """The lead image as an enclosure: a fixed rendition with its size and type."""

    url: str
    length: int
    mime_type: str
    width: int
    height: int
    caption: str
    credit: str


@dataclass
class FeedEntry:
    """One article as a feed item, with everything the feed generators write."""

    title: str
    link: str
    guid: str
    published: datetime
    updated: datetime
    summary: str
    full_text: str | None
    authors: list[FeedAuthor] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    image: FeedImage | None = None


@dataclass
class FeedScope:
    """What one feed covers, resolved from its address: the edition, its names and articles."""

    request: HttpRequest
    locale: Locale
    site_settings: SiteSettings
    title: str
    description: str
    link: str
    feed_id: str
    articles: ArticlePageQuerySet

    @property
    def language(self) -> str:
        return self.locale.language_code

    @cached_property
    def origin(self) -> str:
        """Return the site's address as canonical links print it (else the request's)."""
        site = Site.find_for_request(self.request)
        return site.root_url if site else self.request.build_absolute_uri("/").rstrip("/")

    def absolute(self, url: str) -> str:
        return url if url.startswith(("http://", "https://")) else f"{self.origin}{url}"

    @cached_property
    def listed(self) -> ArticlePageQuerySet:
        articles = without_omitted(self.articles, self.site_settings.premium_in_feeds)
        if any_view_restrictions():
            articles = articles.public()  # private pages stay out of feeds
        return articles

    @cached_property
    def versions(self) -> list[tuple[int, datetime]]:
        """Fetch which articles the feed lists and when each last changed, in one light query."""
        return list(
            self.listed.prefetch_related(None).values_list("pk", "last_published_at")[:FEED_ITEMS]
        )

    def etag(self, request, *args, **kwargs) -> str:
        """Change whenever an item, any published page, a menu or the site settings change."""
        fingerprint = repr(
            (
                self.versions,
                chrome_version(),
                self.site_settings.premium_in_feeds,
                self.title,
                self.description,
            )
        )
        return hashlib.sha256(fingerprint.encode()).hexdigest()[:32]

    def last_modified(self, request, *args, **kwargs) -> datetime | None:
        return max((when for _pk, when in self.versions if when), default=None)

    @cached_property
    def entries(self) -> list[FeedEntry]:
        """Build every item from the listing in a fixed number of queries."""
        # Undo the listing's deferred body: public articles carry it in full.
        articles = list(
            self.listed.defer(None).prefetch_related(
                Prefetch(
                    "bylines",
                    queryset=ArticleAuthor.objects.select_related("author").order_by("sort_order"),
                ),
                Prefetch("tagged_items", queryset=ArticlePageTag.objects.select_related("tag")),
            )[:FEED_ITEMS]
        )
        attach_sections(articles)
        authors = self.localized_authors(articles)
        return [self.entry(article, authors) for article in articles]

    def localized_authors(self, articles: list[ArticlePage]) -> dict[int, AuthorPage]:
        """Map each byline's author to their page in this edition, in one query at most."""
        by_pk = {b.author_id: b.author for a in articles for b in a.bylines.all()}
        if not by_pk:
            return {}
        localized = localize_pages(list(by_pk.values()), self.locale.pk)
        return dict(zip(by_pk, localized, strict=True))

    def entry(self, article: ArticlePage, authors: dict[int, AuthorPage]) -> FeedEntry:
        request = self.request
        section = article.section_page
        tags = sorted((item.tag for item in article.tagged_items.all()), key=lambda t: t.pk)
        full_text = None
        if may_show_full_text(article):
            full_text = absolute_urls(str(article.body.render_as_block()), self.origin)
        return FeedEntry(
            title=article.title,
            link=self.absolute(article.get_url(request)),
            # The article's translation key and edition: a slug change or a move keeps it.
            guid=stable_urn("article", article.translation_key, self.language),
            published=article.first_published_at,
            updated=article.last_published_at or article.first_published_at,
            summary=escape(article.standfirst),
            full_text=full_text,
            authors=[
                FeedAuthor(
                    authors[b.author_id].title,
                    self.absolute(authors[b.author_id].get_url(request)),
                )
                for b in article.bylines.all()
            ],
            categories=[*([section.title] if section else []), *(tag.name for tag in tags)],
            image=self.lead_image(article),
        )

    def lead_image(self, article: ArticlePage) -> FeedImage | None:
        if not article.lead_image:
            return None
        rendition = article.lead_image.get_rendition(ENCLOSURE_RENDITION)
        try:
            length = rendition.file.size
        except OSError:
            length = 0  # a missing file: RSS asks for a length, zero says "unknown"
        return FeedImage(
            url=self.absolute(rendition.url),
            length=length,
            mime_type=mimetypes.guess_type(rendition.file.name)[0] or "image/jpeg",
            width=rendition.width,
            height=rendition.height,
            caption=article.lead_caption,
            credit=article.lead_image.credit,
        )


def add_media_content(handler, image: FeedImage) -> None:
    """Write Media RSS's description of the lead image, which aggregators show as the card."""
    handler.startElement(
        "media:content",
        {
            "url": image.url,
            "medium": "image",
            "type": image.mime_type,
            "width": str(image.width),
            "height": str(image.height),
            "fileSize": str(image.length),
        },
    )
    if image.caption:
        handler.addQuickElement("media:description", image.caption, {"type": "plain"})
    if image.credit:
        handler.addQuickElement("media:credit", image.credit)
    handler.endElement("media:content")


class NewsRssFeed(Rss201rev2Feed):
    """RSS 2.0 with every byline, the full text where allowed and the lead image as media."""

    def rss_attributes(self):
        return {
            **super().rss_attributes(),
            "xmlns:content": CONTENT_NS,
            "xmlns:dc": DUBLIN_CORE_NS,
            "xmlns:media": MEDIA_RSS_NS,
        }

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for author in item["authors"]:
            handler.addQuickElement("dc:creator", author.name)
        if item["full_text"] is not None:
            handler.addQuickElement("content:encoded", item["full_text"])
        if item["image"] is not None:
            add_media_content(handler, item["image"])


class NewsAtomFeed(Atom1Feed):
    """Atom with every byline, the full text where allowed and the lead image as media."""

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_RSS_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        for author in item["authors"]:
            handler.startElement("author", {})
            handler.addQuickElement("name", author.name)
            handler.addQuickElement("uri", author.url)
            handler.endElement("author")
        if item["full_text"] is not None:
            handler.addQuickElement("content", item["full_text"], {"type": "html"})
        if item["image"] is not None:
            add_media_content(handler, item["image"])


class ArticleFeed(Feed):
    """The newest articles of the edition; subclasses narrow it to a section, author or tag."""

    feed_type = NewsRssFeed
    item_guid_is_permalink = False

    def __call__(self, request, *args, **kwargs):
        """Answer 304 when the reader's copy is current, before building a single item."""
        scope = self.get_object(request, *args, **kwargs)
        # Any article published in the edition may change a feed (masthead/pagecache).
        pagecache_keys.add(request, pagecache_keys.latest(translation.get_language()))

        @condition(etag_func=scope.etag, last_modified_func=scope.last_modified)
        def render(request):
            feed = self.get_feed(scope, request)
            response = HttpResponse(content_type=feed.content_type)
            feed.write(response, "utf-8")
            return response

        return render(request)

    def get_object(self, request, *args, **kwargs) -> FeedScope:
        site_settings = self.site_settings(request)
        paper = site_settings.name_for(translation.get_language())
        return self.scope(
            request,
            site_settings,
            title=feed_title(paper),
            description=site_settings.tagline_for(translation.get_language()) or paper,
            link=edition_home_url(translation.get_language()),
            identity=("site-feed", getattr(Site.find_for_request(request), "pk", 0)),
            articles=self.edition_articles(request),
        )

    # Shared by the narrower feeds.

    def site_settings(self, request) -> SiteSettings:
        return cached_site_settings(request, chrome_version())

    def edition_articles(self, request) -> ArticlePageQuerySet:
        return ArticlePage.objects.in_locale(self.locale(request)).for_listing()

    def locale(self, request) -> Locale:
        return active_locale(request)

    def scope(self, request, site_settings, *, identity: tuple, **names) -> FeedScope:
        """Resolve the edition's part of a feed; `identity` names the feed for its Atom id."""
        locale = self.locale(request)
        return FeedScope(
            request=request,
            locale=locale,
            site_settings=site_settings,
            feed_id=stable_urn(*identity, locale.language_code),
            **names,
        )

    # The feed as Django's syndication framework reads it.

    def title(self, scope: FeedScope) -> str:
        return scope.title

    def subtitle(self, scope: FeedScope) -> str:
        return scope.description

    def description(self, scope: FeedScope) -> str:
        return scope.description

    def link(self, scope: FeedScope) -> str:
        return scope.absolute(scope.link)

    def feed_url(self, scope: FeedScope) -> str:
        return scope.absolute(scope.request.path)

    def feed_guid(self, scope: FeedScope) -> str:
        return scope.feed_id

    def author_name(self, scope: FeedScope) -> str:
        """Credit the paper for the feed, so that an article without a byline has an author."""
        return scope.site_settings.name_for(scope.language)

    def items(self, scope: FeedScope) -> list[FeedEntry]:
        return scope.entries

    def item_title(self, entry: FeedEntry) -> str:
        return entry.title

    def item_link(self, entry: FeedEntry) -> str:
        return entry.link

    def item_description(self, entry: FeedEntry) -> str:
        return entry.summary

    def item_guid(self, entry: FeedEntry) -> str:
        return entry.guid

    def item_pubdate(self, entry: FeedEntry) -> datetime:
        return entry.published

    def item_updateddate(self, entry: FeedEntry) -> datetime:
        return entry.updated

    def item_categories(self, entry: FeedEntry) -> list[str]:
        return entry.categories

    def item_enclosures(self, entry: FeedEntry) -> list[Enclosure]:
        image = entry.image
        return [Enclosure(image.url, str(image.length), image.mime_type)] if image else []

    def item_extra_kwargs(self, entry: FeedEntry) -> dict:
        return {"authors": entry.authors, "full_text": entry.full_text, "image": entry.image}


class SectionFeed(ArticleFeed):
    """A section's articles, its sub-sections' included, addressed by the section's path."""

    def get_object(self, request, section_path: str) -> FeedScope:
        site = Site.find_for_request(request)
        front = site.root_page.localized if site else None  # the edition's front page
        section = None
        if front is not None:
            section = (
                SectionPage.objects.live()
                .filter(locale=self.locale(request), url_path=f"{front.url_path}{section_path}/")
                .first()
            )
        if section is None:
            raise Http404("No such section in this edition")
        site_settings = self.site_settings(request)
        paper = site_settings.name_for(translation.get_language())
        return self.scope(
            request,
            site_settings,
            title=feed_title(paper, section.title),
            description=section.search_description or section.intro or section.title,
            link=section.get_url(request),
            identity=("section-feed", section.translation_key),
            articles=self.edition_articles(request).in_section(section),
        )


class AuthorFeed(ArticleFeed):
    """An author's articles in this edition, whichever language of their page a byline names."""

    def get_object(self, request, slug: str) -> FeedScope:
        candidates = list(AuthorPage.objects.live().filter(slug=slug).select_related("locale"))
        if not candidates:
            raise Http404("No such author")
        locale = self.locale(request)
        author = next((a for a in candidates if a.locale_id == locale.pk), candidates[0])
        site_settings = self.site_settings(request)
        paper = site_settings.name_for(translation.get_language())
        articles = (
            self.edition_articles(request)
            .filter(bylines__author__translation_key=author.translation_key)
            .distinct()
        )
        return self.scope(
            request,
            site_settings,
            title=feed_title(paper, author.title),
            description=author.role or author.title,
            link=author.get_url(request),
            identity=("author-feed", author.translation_key),
            articles=articles,
        )


class TagFeed(ArticleFeed):
    """The articles of this edition that carry a tag; an unknown tag is a 404."""

    def get_object(self, request, tag: str) -> FeedScope:
        found = Tag.objects.filter(slug=tag).first()
        if found is None:
            raise Http404("No such tag")
        site_settings = self.site_settings(request)
        paper = site_settings.name_for(translation.get_language())
        subject = _("Tagged “%(tag)s”") % {"tag": found.name}
        return self.scope(
            request,
            site_settings,
            title=feed_title(paper, subject),
            description=subject,
            link=reverse("wagtail_serve", args=[f"tags/{found.slug}/"]),
            identity=("tag-feed", found.pk),
            articles=self.edition_articles(request).filter(tagged_items__tag=found),
        )


class ArticleAtomFeed(ArticleFeed):
    feed_type = NewsAtomFeed


class SectionAtomFeed(SectionFeed):
    feed_type = NewsAtomFeed


class AuthorAtomFeed(AuthorFeed):
    feed_type = NewsAtomFeed


class TagAtomFeed(TagFeed):
    feed_type = NewsAtomFeed
