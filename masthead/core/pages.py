"""Behaviour every page type of the paper shares."""

from django.apps import apps
from django.core.cache import cache
from django.http import Http404
from wagtail.models import PageViewRestriction

ANY_VIEW_RESTRICTIONS_KEY = "masthead:any-view-restrictions"


def any_view_restrictions() -> bool:
    """Say whether any page is private (Wagtail's privacy setting), remembered in the cache."""
    answer = cache.get(ANY_VIEW_RESTRICTIONS_KEY)
    if answer is None:
        answer = PageViewRestriction.objects.exists()
        cache.set(ANY_VIEW_RESTRICTIONS_KEY, answer, timeout=None)
    return answer


def forget_view_restrictions(**kwargs) -> None:
    cache.delete(ANY_VIEW_RESTRICTIONS_KEY)


class CachedPrivacyCheckMixin:
    """Skip Wagtail's two privacy queries per page view while no page is private at all."""

    def get_view_restrictions(self):
        if not any_view_restrictions():
            return PageViewRestriction.objects.none()
        return super().get_view_restrictions()


class KeepsParentWhenRoutingMixin:
    """Hand the served page its parent, so `get_parent()` costs no query afterwards.

    Wagtail caches the parent on the generic child page it finds, then routes through
    `child.specific`, a new object that has lost it; this passes the parent along.
    """

    # The page type most children are, if there is one ("content.ArticlePage" under a
    # section): looked for first, in one query, where finding a child and then its type
    # takes two. A child of another type costs one query more than that.
    likely_child_model: str | None = None

    def route(self, request, path_components):
        if not path_components:
            return super().route(request, path_components)
        slug = path_components[0]
        specific_child = None
        if self.likely_child_model is not None:
            model = apps.get_model(self.likely_child_model)
            specific_child = model.objects.child_of(self).filter(slug=slug).first()
        if specific_child is None:
            try:
                child = self.get_children().get(slug=slug)
            except self.base_page_model.DoesNotExist as error:
                raise Http404 from error
            if (
                path_components[1:]
                and child.specific_class.route is KeepsParentWhenRoutingMixin.route
            ):
                # Only routed through (a section on the way to its article), by a route that
                # reads the tree alone: its own fields would cost a query and go unread.
                specific_child = child.specific_deferred
            else:
                specific_child = child.specific
        specific_child._cached_parent_obj = self
        return specific_child.route(request, path_components[1:])
