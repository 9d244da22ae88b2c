"""RSS and Atom addresses; included in i18n_patterns, so each exists in both editions."""

from django.urls import path

from . import syndication

# Atom is a prefix, not a suffix: a section path may itself end in a sub-section "atom".
urlpatterns = [
    path("feed/", syndication.ArticleFeed(), name="feed"),
    path("feed/atom/", syndication.ArticleAtomFeed(), name="feed-atom"),
    path("feed/section/<path:section_path>/", syndication.SectionFeed(), name="section-feed"),
    path(
        "feed/atom/section/<path:section_path>/",
        syndication.SectionAtomFeed(),
        name="section-feed-atom",
    ),
    # Slugs may be Persian: Wagtail and taggit allow Unicode, Django's <slug:> does not.
    path("feed/author/<str:slug>/", syndication.AuthorFeed(), name="author-feed"),
    path("feed/atom/author/<str:slug>/", syndication.AuthorAtomFeed(), name="author-feed-atom"),
    path("feed/tag/<str:tag>/", syndication.TagFeed(), name="tag-feed"),
    path("feed/atom/tag/<str:tag>/", syndication.TagAtomFeed(), name="tag-feed-atom"),
]
