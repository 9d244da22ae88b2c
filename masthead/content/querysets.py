"""How every listing of articles is fetched: one query shape, reused by every page."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from functools import cache

from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce, Substr
from wagtail.models import Locale, Page, PageManager
from wagtail.query import PageQuerySet

from masthead.images.models import Rendition

# The renditions a teaser or card may ask for; prefetched with the listing.
CARD_RENDITIONS = ("fill-160x100", "fill-480x270", "fill-800x450", "fill-1200x675")


def last_descendant_path(path: str) -> str:
    """The greatest path a descendant of the page at `path` could have: every descendant's
    path starts with `path` and goes on in treebeard's digits, of which the last sorts
    highest, so the descendants are exactly the paths after `path` up to this one."""
    longest = Page._meta.get_field("path").max_length
    return path + Page.alphabet[-1] * (longest - len(path))


class ArticlePageQuerySet(PageQuerySet):
    def in_locale(self, locale: Locale | int) -> "ArticlePageQuerySet":
        return self.filter(locale_id=getattr(locale, "pk", locale))

    def in_section(self, section: Page) -> "ArticlePageQuerySet":
        """Articles of a section and of its sub-sections.

        The same pages as `descendant_of(section)`, chosen by a range of paths rather than
        its `path LIKE 'prefix%'`: SQLite cannot take a LIKE from the path index (its LIKE
        ignores case), so every section page and section feed read the whole page table:
        at 100,000 articles its listing and its pager's count took 28-44 ms each whatever
        the section's size; by range, 10-34 ms, by its size (10,000 to 41,000 articles).
        """
        return self.filter(path__gt=section.path, path__lte=last_descendant_path(section.path))

    def newest_first(self) -> "ArticlePageQuerySet":
        return self.order_by(F("first_published_at").desc(nulls_last=True), "-pk")

    def for_listing(self, *, renditions: bool = True) -> "ArticlePageQuerySet":
        """Shape a listing: live, newest first, with the lead image at hand.

        Long listings also prefetch the card renditions in one query; short ones (a few
        teasers) leave them to the renditions cache, which answers without a query.
        Each card's count of approved comments comes with the row, as `approved_comment_count`.
        """
        listing = (
            self.live()
            .select_related("lead_image")
            .defer_streamfields()
            .annotate(approved_comment_count=self.approved_comment_counts())
            .newest_first()
        )
        if renditions:
            listing = listing.prefetch_related(
                Prefetch(
                    "lead_image__renditions",
                    queryset=Rendition.objects.filter(filter_spec__in=CARD_RENDITIONS),
                )
            )
        return listing

    def approved_comment_counts(self) -> Coalesce:
        """Count each article's approved comments in a subquery, not a join.

        A joined Count would multiply with any other aggregate of the listing (the related
        articles count shared tags).
        """
        return _approved_comment_counts(self.model)

    def latest_per_prefix(self, paths: Sequence[str], per_prefix: int) -> dict[str, list]:
        """Return the newest articles under each tree path, in one query.

        All paths must be of one depth (sections side by side in the tree); the result maps
        each path to its newest `per_prefix` articles. Each path's newest are a subquery of
        their own, which the database answers by walking its publication-date index and
        stopping after `per_prefix`: a window over every article of the sections (rank by
        section) read the whole archive, 0.7 s a query at 100,000 articles.
        """
        if not paths:
            return {}
        length = len(paths[0])
        newest = self.order_by(F("first_published_at").desc(nulls_last=True), "-pk")
        under_any = Q()
        for path in paths:
            under_any |= Q(pk__in=newest.filter(path__startswith=path).values("pk")[:per_prefix])
        chosen = (
            self.filter(under_any)
            .annotate(tree_prefix=Substr("path", 1, length))
            .order_by(F("first_published_at").desc(nulls_last=True), "-pk")
        )
        grouped: dict[str, list] = defaultdict(list)
        for article in chosen:
            grouped[article.tree_prefix].append(article)
        return grouped


ArticlePageManager = PageManager.from_queryset(ArticlePageQuerySet)


@cache
def _approved_comment_counts(model) -> Coalesce:
    """Build the expression once (a third of a millisecond): each query that uses it
    resolves a copy of its own. The comment model is reached through the `comments`
    relation because content must not import the comments app."""
    comment_model = model._meta.get_field("comments").related_model
    approved = (
        comment_model.objects.filter(article=OuterRef("pk"), status="approved")
        .order_by()
        .values("article")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(approved, output_field=IntegerField()), 0)


def attach_sections(articles: Iterable[Page], known: Iterable[Page] = ()) -> list[Page]:
    """Set `section_page` on each article (its parent section) with one query for all.

    Sections the caller already holds (`known`: the page being served, its own section)
    are used as they are; the query is left out when they are all the articles need.
    """
    from .models import SectionPage

    articles = list(articles)
    sections = {s.path: s for s in known if isinstance(s, SectionPage)}
    missing = {a.path[: -Page.steplen] for a in articles} - sections.keys()
    if missing:
        sections.update((s.path, s) for s in SectionPage.objects.filter(path__in=missing))
    for article in articles:
        article.section_page = sections.get(article.path[: -Page.steplen])
    return articles


def localize_pages(pages: Iterable[Page], locale_id: int) -> list[Page]:
    """Swap each page for its live translation in the locale where one exists, in one query."""
    pages = list(pages)
    foreign = {p.translation_key for p in pages if p.locale_id != locale_id}
    if not foreign:
        return pages
    model = type(pages[0]) if len({type(p) for p in pages}) == 1 else Page
    translations = {
        p.translation_key: p
        for p in model.objects.live().filter(translation_key__in=foreign, locale_id=locale_id)
    }
    return [translations.get(p.translation_key, p) for p in pages]
