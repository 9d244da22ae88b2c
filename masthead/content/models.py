import html
import re

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection, models
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from masthead.core.pages import CachedPrivacyCheckMixin, KeepsParentWhenRoutingMixin

from .blocks import ArticleBodyBlock, PageBodyBlock
from .querysets import ArticlePageManager, attach_sections, localize_pages


class AccessLevel(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    REGISTERED = "registered", _("Registered readers")
    SUBSCRIBERS = "subscribers", _("Subscribers")


def paginate(request, queryset, per_page: int):
    """Return one page of a listing; a page number that is not a page is a 404."""
    paginator = Paginator(queryset, per_page)
    number = request.GET.get("page", "1")
    try:
        return paginator.page(number)
    except (PageNotAnInteger, EmptyPage) as error:
        raise Http404("No such page of results") from error


def listing_page(request, queryset, per_page: int | None = None, known_sections=()):
    """Paginate an article listing and attach each article's section label."""
    page = paginate(request, queryset, per_page or settings.MASTHEAD_SECTION_PAGE_SIZE)
    page.object_list = attach_sections(page.object_list, known=known_sections)
    return page


class HomePage(CachedPrivacyCheckMixin, RoutablePageMixin, KeepsParentWhenRoutingMixin, Page):
    """The front page of one edition: lead story, section blocks and the latest news."""

    lead_article = models.ForeignKey(
        "content.ArticlePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The front-page lead; the newest article with a picture when empty."),
    )

    content_panels = [*Page.content_panels, FieldPanel("lead_article")]
    subpage_types = [
        "content.SectionPage",
        "content.LatestPage",
        "content.StandardPage",
        "content.ContactPage",
        "content.AuthorIndexPage",
        "subscriptions.SubscriptionPage",
    ]
    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    FRONT_TOP_STORIES = 4
    FRONT_LATEST = 8
    FRONT_SECTION_BLOCK = 4

    def get_context(self, request, *args, **kwargs):
        """Fill the front page so that no story appears twice on it."""
        context = super().get_context(request, *args, **kwargs)
        articles = ArticlePage.objects.in_locale(self.locale_id).for_listing()
        newest = list(articles[: 1 + self.FRONT_TOP_STORIES + self.FRONT_LATEST])
        lead = self.lead_article if self.lead_article_id and self.lead_article.live else None
        if lead is None:
            lead = next((a for a in newest if a.lead_image_id), newest[0] if newest else None)
        rest = [a for a in newest if a != lead]
        top_stories = rest[: self.FRONT_TOP_STORIES]
        latest = rest[self.FRONT_TOP_STORIES :]
        shown = {a.pk for a in [lead, *rest] if a}
        sections = list(SectionPage.objects.child_of(self).live())
        by_section = articles.latest_per_prefix(
            [s.path for s in sections], per_prefix=self.FRONT_SECTION_BLOCK + len(shown)
        )
        section_blocks = []
        for section in sections:
            unseen = [a for a in by_section.get(section.path, []) if a.pk not in shown]
            if unseen:
                section_blocks.append((section, unseen[: self.FRONT_SECTION_BLOCK]))
        attach_sections([*newest, *([lead] if lead else [])])
        context.update(
            lead=lead, top_stories=top_stories, latest=latest, section_blocks=section_blocks
        )
        return context

    @path("tags/<str:tag>/", name="tag")
    def tag_listing(self, request, tag):
        articles = (
            ArticlePage.objects.in_locale(self.locale_id).for_listing().filter(tags__slug=tag)
        )
        page = listing_page(request, articles)
        if not page.object_list and page.number == 1:
            raise Http404("No articles with this tag")
        return render(
            request,
            "content/tag_page.html",
            {"page": self, "tag": tag, "articles": page, "self": self},
        )


class SectionPage(CachedPrivacyCheckMixin, KeepsParentWhenRoutingMixin, Page):
    """A section of the paper, such as Economy; may hold sub-sections and articles."""

    intro = models.TextField(_("introduction"), blank=True)
    default_access_level = models.CharField(
        _("new articles may be read by"),
        max_length=16,
        choices=AccessLevel.choices,
        default=AccessLevel.PUBLIC,
        help_text=_("The access level a new article in this section starts with."),
    )

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    settings_panels = [*Page.settings_panels, FieldPanel("default_access_level")]
    subpage_types = ["content.SectionPage", "content.ArticlePage"]
    parent_page_types = ["content.HomePage", "content.SectionPage"]
    likely_child_model = "content.ArticlePage"
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    class Meta:
        verbose_name = _("section")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = ArticlePage.objects.for_listing().in_section(self)
        context["articles"] = listing_page(request, articles, known_sections=[self])
        context["subsections"] = SectionPage.objects.child_of(self).live()
        return context


class LatestPage(CachedPrivacyCheckMixin, Page):
    """The newest articles across every section of the edition."""

    subpage_types = []
    parent_page_types = ["content.HomePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("latest news page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = ArticlePage.objects.in_locale(self.locale_id).for_listing()
        context["articles"] = listing_page(request, articles)
        return context


class ArticlePageTag(TaggedItemBase):
    content_object = ParentalKey(
        "content.ArticlePage", on_delete=models.CASCADE, related_name="tagged_items"
    )


class ArticleAuthor(Orderable):
    """A byline: one author of one article, in the order the byline prints them."""

    article = ParentalKey("content.ArticlePage", on_delete=models.CASCADE, related_name="bylines")
    author = models.ForeignKey(
        "content.AuthorPage", on_delete=models.CASCADE, related_name="bylines"
    )

    panels = [FieldPanel("author")]


_BLOCK_END = re.compile(r"</(p|li|h[1-6]|blockquote)>|<br\s*/?>", re.IGNORECASE)


def body_text(raw_blocks) -> str:
    """The words of an article body as a reader sees them, read from the stored blocks.

    Wagtail's own extraction renders every block and also yields a heading's level
    ("Heading") and asks the database for each image; reading the stored values directly
    is faster (an archive import indexes thousands of bodies) and indexes only the words
    printed: paragraph text, headings, quotations with their attribution, captions.
    """
    parts = []
    for block in raw_blocks or ():
        kind, value = block.get("type"), block.get("value")
        if kind == "paragraph" and isinstance(value, str):
            parts.append(html.unescape(strip_tags(_BLOCK_END.sub(" ", value))))
        elif kind == "heading" and isinstance(value, dict):
            parts.append(value.get("text") or "")
        elif kind == "quote" and isinstance(value, dict):
            parts += [value.get("text") or "", value.get("attribution") or ""]
        elif kind == "image" and isinstance(value, dict):
            parts.append(value.get("caption") or "")
    return " ".join(part for part in parts if part)


class ArticlePageForm(WagtailAdminPageForm):
    """The article editor: a new article starts with its section's access level."""

    def __init__(self, *args, parent_page=None, **kwargs):
        super().__init__(*args, parent_page=parent_page, **kwargs)
        section = parent_page.specific if parent_page is not None else None
        if not self.instance.pk and not self.is_bound and isinstance(section, SectionPage):
            self.initial["access_level"] = section.default_access_level


RELATED_CANDIDATES = 40  # newest articles of the section, and of the tags, considered

# An article's neighbours among its live siblings, by publication time then id. Each side
# is a range on the publication date alone (ties broken by id inside it), so the database
# walks its date index from the article and stops at the first sibling; an OR of the two
# conditions made it read the whole archive (a second at 100,000 articles). Parameters,
# twice: the parent's path and "%", depth, live, the time twice and the article's id.
_NEIGHBOUR_SIDE = """
    SELECT p.id FROM wagtailcore_page p
    INNER JOIN content_articlepage a ON a.page_ptr_id = p.id
    WHERE p.path LIKE %s AND p.depth = %s AND p.live = %s
      AND p.first_published_at {sign}= %s AND NOT (p.first_published_at = %s AND p.id {other}= %s)
    ORDER BY p.first_published_at {order}, p.id {order} LIMIT 1
"""
# Candidates for an article's related articles: the newest of its section, and the newest
# sharing one of its tags (parameters: live, locale, the article's id, then the section's
# path and "%" or the tag ids, then how many).
RELATED_IN_SECTION_SQL = """
    SELECT id FROM (
        SELECT p.id FROM wagtailcore_page p
        INNER JOIN content_articlepage a ON a.page_ptr_id = p.id
        WHERE p.live = %s AND p.locale_id = %s AND p.id <> %s AND p.path LIKE %s
        ORDER BY p.first_published_at DESC LIMIT %s
    ) AS in_section
"""
RELATED_SHARING_TAGS_SQL = """
    SELECT id FROM (
        SELECT p.id FROM wagtailcore_page p
        INNER JOIN content_articlepage a ON a.page_ptr_id = p.id
        INNER JOIN content_articlepagetag t ON t.content_object_id = p.id
        WHERE p.live = %s AND p.locale_id = %s AND p.id <> %s AND t.tag_id IN ({})
        ORDER BY p.first_published_at DESC LIMIT %s
    ) AS sharing_tags
"""
SHARED_TAGS_SQL = """
    SELECT COUNT(*) FROM content_articlepagetag shared
    WHERE shared.content_object_id = content_articlepage.page_ptr_id AND shared.tag_id IN ({})
"""

NEIGHBOURS_SQL = (  # built from the constant above, never from input
    "SELECT id FROM ("  # noqa: S608
    + _NEIGHBOUR_SIDE.format(sign="<", other=">", order="DESC")
    + ") AS older UNION ALL SELECT id FROM ("
    + _NEIGHBOUR_SIDE.format(sign=">", other="<", order="ASC")
    + ") AS newer"
)


class ArticlePage(CachedPrivacyCheckMixin, Page):
    """A news story, column or feature, filed under its section (the parent page)."""

    base_form_class = ArticlePageForm

    standfirst = models.TextField(
        _("standfirst"), blank=True, help_text=_("One or two sentences under the headline.")
    )
    lead_image = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    lead_image_caption = models.CharField(
        _("lead image caption"),
        max_length=400,
        blank=True,
        help_text=_("Defaults to the image's own caption; write one in the article's language."),
    )
    body = StreamField(ArticleBodyBlock(), blank=True)
    tags = ClusterTaggableManager(through=ArticlePageTag, blank=True)
    access_level = models.CharField(
        _("who may read it"),
        max_length=16,
        choices=AccessLevel.choices,
        default=AccessLevel.PUBLIC,
    )
    comments_open = models.BooleanField(_("comments open"), default=True)

    objects = ArticlePageManager()

    # What a listing attaches to its articles (attach_sections, for_listing), unknown on an
    # article fetched otherwise (the one served): declared so that a template
    # asking for them finds None rather than failing a lookup, which costs 0.15 ms each.
    section_page: "SectionPage | None" = None
    approved_comment_count: int | None = None

    content_panels = [
        *Page.content_panels,
        FieldPanel("standfirst"),
        InlinePanel("bylines", label=_("Authors"), min_num=0),
        FieldPanel("lead_image"),
        FieldPanel("lead_image_caption"),
        FieldPanel("body"),
        FieldPanel("tags"),
    ]
    promote_panels = [
        *Page.promote_panels,
        MultiFieldPanel(
            [FieldPanel("access_level"), FieldPanel("comments_open")], heading=_("Access")
        ),
    ]
    # The reader's search (masthead/search) matches the search_* texts below, folded by the
    # same normaliser its queries go through; Page's raw title stays for the admin's search.
    # The autocomplete index holds headlines only: search ranks headline matches by it.
    search_fields = [
        *Page.search_fields,
        index.SearchField("search_headline", boost=5),
        index.AutocompleteField("search_headline"),
        index.SearchField("search_standfirst", boost=2),
        index.SearchField("search_body"),
        index.SearchField("search_bylines", boost=2),
        index.SearchField("search_tags", boost=2),
        index.SearchField("search_section"),
    ]
    subpage_types = []
    parent_page_types = ["content.SectionPage"]

    class Meta:
        verbose_name = _("article")

    @cached_property
    def section(self) -> Page | None:
        """The parent section; free after routing, which caches the parent it walked through."""
        return self.get_parent()

    @cached_property
    def authors(self) -> list["AuthorPage"]:
        authors = [b.author for b in self.bylines.select_related("author").all()]
        return localize_pages(authors, self.locale_id) if authors else []

    @property
    def lead_caption(self) -> str:
        """The lead image's caption as this article prints it."""
        if self.lead_image_caption:
            return self.lead_image_caption
        return self.lead_image.caption if self.lead_image else ""

    @cached_property
    def tag_list(self) -> list:
        return list(self.tags.all())

    @cached_property
    def tag_links(self) -> list[tuple[str, str]]:
        """Return (name, address) for each tag: the tag listing of the article's edition."""
        # Reversed in the active language, which is the article's own when it is served.
        return [
            (tag.name, reverse("wagtail_serve", args=[f"tags/{tag.slug}/"]))
            for tag in self.tag_list
        ]

    @cached_property
    def _neighbours(self) -> dict[str, "ArticlePage"]:
        """Find the previous and next article of the section in one query."""
        if self.first_published_at is None:
            return {}
        when = self.first_published_at
        # The two neighbours' ids in plain SQL (NEIGHBOURS_SQL): the same query built with
        # the ORM (sibling_of, exclude, two sliced subqueries) cost 3 ms of Python a page.
        # Parameters are values only, adapted as the ORM would store them.
        stored_when = connection.ops.adapt_datetimefield_value(when)
        parent_path = self.path[: -self.steplen] + "%"
        neighbours = models.expressions.RawSQL(  # noqa: S611 - fixed SQL, bound values
            NEIGHBOURS_SQL,
            [parent_path, self.depth, True, stored_when, stored_when, self.pk] * 2,
        )
        # Shaped as a listing's articles (their comment count in the same row, their section
        # this one's): the next one is shown as a card at the article's foot ("Read next").
        both = ArticlePage.objects.filter(pk__in=neighbours).for_listing(renditions=False)
        return {
            "previous" if (a.first_published_at, a.pk) < (when, self.pk) else "next": a
            for a in attach_sections(both, known=[self.section])
        }

    @property
    def previous_article(self) -> "ArticlePage | None":
        return self._neighbours.get("previous")

    @property
    def next_article(self) -> "ArticlePage | None":
        return self._neighbours.get("next")

    @cached_property
    def related_articles(self) -> list["ArticlePage"]:
        """Three articles of the same section or sharing tags; most shared tags first.

        Chosen among the newest of each kind (RELATED_CANDIDATES each): counting shared tags
        over a whole section of a 100,000-article archive took half a second a page.
        """
        tag_ids = [tag.pk for tag in self.tag_list]
        newest = [True, self.locale_id, self.pk]
        in_section = [*newest, self.path[: -self.steplen] + "%", RELATED_CANDIDATES]
        # The candidates' ids and each one's count of shared tags in plain SQL: built with
        # the ORM (two sliced subqueries, a join, a count, DISTINCT) they cost 3 ms of
        # Python a page. Parameters are values only.
        if tag_ids:
            in_tags = ", ".join(["%s"] * len(tag_ids))
            candidates = models.expressions.RawSQL(  # noqa: S611 - fixed SQL, bound values
                RELATED_IN_SECTION_SQL + " UNION " + RELATED_SHARING_TAGS_SQL.format(in_tags),
                [*in_section, *newest, *tag_ids, RELATED_CANDIDATES],
            )
            shared_tags = models.expressions.RawSQL(  # noqa: S611 - fixed SQL, bound values
                SHARED_TAGS_SQL.format(in_tags), tag_ids, output_field=models.IntegerField()
            )
        else:
            candidates = models.expressions.RawSQL(  # noqa: S611 - fixed SQL, bound values
                RELATED_IN_SECTION_SQL, in_section
            )
            shared_tags = models.Value(0)
        related = (
            ArticlePage.objects.filter(pk__in=candidates)
            .for_listing(renditions=False)
            .annotate(shared_tags=shared_tags)
            .order_by("-shared_tags", "-first_published_at", "-pk")[:3]
        )
        return attach_sections(related, known=[self.section])

    @cached_property
    def read_next(self) -> "ArticlePage | None":
        """The story offered at the foot of the article: the next one, else a related one."""
        if self.next_article:
            return self.next_article
        return next(iter(self.related_articles), None)

    @property
    def is_premium(self) -> bool:
        return self.access_level != AccessLevel.PUBLIC

    # What the search index keeps: see search_fields. Only the index reads these.

    def search_headline(self) -> str:
        from masthead.search.normalise import index_text

        return index_text(self.title)

    def search_standfirst(self) -> str:
        from masthead.search.normalise import index_text

        return index_text(self.standfirst)

    def search_body(self) -> str:
        """All the body's text, gated part included: snippets, not the index, keep the
        paywall (a word of the gated part finds the article, never quotes it)."""
        from masthead.search.normalise import index_text

        return index_text(body_text(self.body.raw_data))

    def search_bylines(self) -> str:
        from masthead.search.normalise import index_text

        names = self.bylines.values_list("author__title", flat=True)
        return index_text(" ".join(names))

    def search_tags(self) -> str:
        from masthead.search.normalise import index_text

        return index_text(" ".join(tag.name for tag in self.tags.all()))

    def search_section(self) -> str:
        from masthead.search.normalise import index_text

        section = self.get_parent() if self.pk and self.depth else None
        return index_text(section.title) if section else ""

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        if self.is_premium and getattr(request, "entitlement", None) is None:
            # Rendered for a person (their meter, unlocks, gift link): theirs alone. A render
            # for a whole class is shared by the page cache (masthead/pagecache).
            patch_cache_control(response, private=True)
            patch_vary_headers(response, ["Cookie"])
        return response

    def get_context(self, request, *args, **kwargs):
        """Show the body the paywall's decision allows; the rest never leaves the server."""
        from masthead.subscriptions.access import Reader, decide, paywall_settings, visible_blocks

        context = super().get_context(request, *args, **kwargs)
        policy = paywall_settings(request) if self.is_premium else None
        reader = Reader.from_request(request)
        shared = getattr(request, "entitlement", None) is not None
        decision = decide(
            reader,
            self,
            policy=policy,
            gift_token=request.GET.get("gift") or None,
            # A copy shared by a class counts no one's meter: the reader-state call after
            # the page loads does, and brings the rest of the text if the meter allows.
            count_meter=request.method == "GET" and not shared,
            use_meter_allowance=not shared,
        )
        paragraphs = policy.preview_paragraphs if policy else 0
        context["paywall"] = decision
        context["body_preview"], context["body_gated"] = visible_blocks(self, decision, paragraphs)
        return context


class AuthorIndexPage(CachedPrivacyCheckMixin, Page):
    """Every author who writes for the paper."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types = ["content.AuthorPage"]
    parent_page_types = ["content.HomePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("author index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["authors"] = (
            AuthorPage.objects.child_of(self).live().select_related("photo").order_by("title")
        )
        return context


class AuthorPage(CachedPrivacyCheckMixin, Page):
    """A writer's page: their photo, biography and articles."""

    role = models.CharField(_("role"), max_length=100, blank=True)
    photo = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    bio = RichTextField(_("biography"), blank=True, features=["bold", "italic", "link"])

    content_panels = [
        *Page.content_panels,
        FieldPanel("role"),
        FieldPanel("photo"),
        FieldPanel("bio"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("bio")]
    subpage_types = []
    parent_page_types = ["content.AuthorIndexPage"]

    class Meta:
        verbose_name = _("author")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # A byline may name any language version of the author's page; count them all.
        same_person = AuthorPage.objects.filter(translation_key=self.translation_key)
        articles = (
            ArticlePage.objects.in_locale(self.locale_id)
            .for_listing()
            .filter(bylines__author__in=same_person)
            .distinct()
        )
        context["articles"] = listing_page(request, articles)
        return context


class StandardPage(CachedPrivacyCheckMixin, Page):
    """A page of prose such as About Us, Advertising or Subscription."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(PageBodyBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    subpage_types = ["content.StandardPage", "content.ContactPage"]
    parent_page_types = ["content.HomePage", "content.StandardPage"]

    class Meta:
        verbose_name = _("standard page")


class ContactFormField(AbstractFormField):
    page = ParentalKey("content.ContactPage", on_delete=models.CASCADE, related_name="form_fields")


class ContactPage(CachedPrivacyCheckMixin, AbstractEmailForm):
    """A page with a form whose submissions are stored and emailed to staff."""

    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    thank_you_text = RichTextField(_("thank-you message"), blank=True, features=["bold", "link"])

    content_panels = [
        *AbstractEmailForm.content_panels,
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label=_("Form fields")),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("to_address")]),
                FieldPanel("subject"),
            ],
            heading=_("Email to staff"),
        ),
    ]
    subpage_types = []
    parent_page_types = ["content.HomePage", "content.StandardPage"]

    class Meta:
        verbose_name = _("contact page")
