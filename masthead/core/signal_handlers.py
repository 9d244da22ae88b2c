from django.db.models.signals import post_delete, post_save
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move

from .cache import bump_chrome_version


def _bump(**kwargs):
    from masthead.pagecache.purge import at_batch_end

    # In a bulk change (an import's batch) once at its end, not once a page.
    if not at_batch_end(bump_chrome_version):
        bump_chrome_version()


def _bump_for_pages(sender, instance, **kwargs):
    if isinstance(instance, Page):
        _bump()


def connect():
    from wagtail.models import PageViewRestriction, Site

    from .models import Menu, MenuItem, SiteSettings
    from .pages import forget_view_restrictions

    for signal in (post_save, post_delete):
        signal.connect(
            forget_view_restrictions,
            sender=PageViewRestriction,
            dispatch_uid=f"masthead-view-restrictions-{signal}",
        )

    # Any published change may show in a mega-menu, the latest list or the footer.
    page_published.connect(_bump, dispatch_uid="masthead-chrome-published")
    page_unpublished.connect(_bump, dispatch_uid="masthead-chrome-unpublished")
    post_page_move.connect(_bump, dispatch_uid="masthead-chrome-moved")
    post_delete.connect(_bump_for_pages, dispatch_uid="masthead-chrome-page-deleted")
    # A site's change moves addresses, and the site a request finds (sites.find_site).
    for model in (Menu, MenuItem, SiteSettings, Site):
        post_save.connect(_bump, sender=model, dispatch_uid=f"masthead-chrome-save-{model}")
        post_delete.connect(_bump, sender=model, dispatch_uid=f"masthead-chrome-delete-{model}")
