"""Purge on publish: work out which surrogate keys a change touches, and purge them.

The keys, not a list of URLs: a page's copies for every class, and every page that shows
it, carry its key (see keys.py). The edge cache (Varnish) is told too, with one PURGE
request per configured address carrying the keys in `xkey-purge`.
"""

import logging
import urllib.request
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page
from wagtail.signals import page_published, page_unpublished, post_page_move, pre_page_move

from . import keys
from .store import store

logger = logging.getLogger(__name__)

EDGE_TIMEOUT_SECONDS = 2


# Inside `batched()`: the pages changed so far, by edition, purged once at the end.
_batch: ContextVar[dict | None] = ContextVar("masthead_pagecache_batch", default=None)


@contextmanager
def batched():
    """Purge once, at the end of a bulk change (an import's batch), instead of per page.

    A bulk change touches a whole edition's lists and menus anyway: each changed page's
    own key goes, and each changed edition (`chrome-<language>`, which every page of the
    edition carries). Working out each page's precise keys would cost queries per page.
    Pages the batch created have no key of their own to purge (nothing cached can show a
    page that did not exist), and work other apps defer to the batch's end (the chrome
    version's bump) runs once.
    """
    if _batch.get() is not None:
        yield
        return
    changed: dict = {"pages": set(), "created": set(), "locales": set(), "at_end": {}}
    token = _batch.set(changed)
    try:
        yield
    finally:
        _batch.reset(token)
    for callback in changed["at_end"].values():
        callback()
    if changed["pages"] or changed["locales"]:
        from wagtail.models import Locale

        languages = Locale.objects.filter(pk__in=changed["locales"]).values_list(
            "language_code", flat=True
        )
        purge(
            {keys.page(pk) for pk in changed["pages"] - changed["created"]}
            | {keys.chrome(language) for language in languages}
            | {keys.latest(language) for language in languages}
        )


def created_in_batch(page_ids) -> None:
    """Tell the open batch (if any) that it created these pages."""
    changed = _batch.get()
    if changed is not None:
        changed["created"].update(page_ids)


def at_batch_end(callback) -> bool:
    """Run `callback` once when the open batch ends, however often it is asked; say whether
    a batch is open (if not, the caller does its work now)."""
    changed = _batch.get()
    if changed is None:
        return False
    changed["at_end"].setdefault(getattr(callback, "__qualname__", id(callback)), callback)
    return True


def purge(surrogate_keys) -> None:
    """Purge now, and again when the current transaction commits: a reader who asks in
    between would have the old page rendered and stored again."""
    surrogate_keys = sorted(set(surrogate_keys))
    if not surrogate_keys:
        return
    store.purge(surrogate_keys)
    transaction.on_commit(lambda: _purge_now(surrogate_keys))


def _purge_now(surrogate_keys: list[str]) -> None:
    store.purge(surrogate_keys)
    for url in settings.PAGE_CACHE["EDGE_PURGE_URLS"]:
        if not url.startswith(("http://", "https://")):
            logger.warning("Edge cache purge address is not http(s), skipped: %s", url)
            continue
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above
            url, method="PURGE", headers={"xkey-purge": " ".join(surrogate_keys)}
        )
        try:
            with urllib.request.urlopen(request, timeout=EDGE_TIMEOUT_SECONDS) as response:  # noqa: S310
                response.read()
        except OSError as error:
            logger.warning("Edge cache purge failed at %s: %s", url, error)


def keys_for_page(page: Page) -> set[str]:
    """A page (wherever it is shown), the lists of the pages above it (its section's, the
    front page's), its authors' lists, the edition's lists of newest articles, and the
    edition's header if its menus show the page."""
    page = page.specific_deferred
    language = page.locale.language_code if page.locale_id else settings.LANGUAGE_CODE
    found = {keys.page(page), keys.latest(language)}
    found.update(keys.listing(pk) for pk in page.get_ancestors().values_list("pk", flat=True))
    bylines = getattr(page, "bylines", None)
    if bylines is not None:
        found.update(keys.listing(pk) for pk in bylines.values_list("author_id", flat=True))
    if _shown_in_menus(page):
        found.add(keys.chrome(language))
    return found


def _shown_in_menus(page: Page) -> bool:
    """Whether the edition's header shows the page: menus name sections and pages; a
    mega-menu shows the newest articles of a section (or of the edition, for "Latest")."""
    from masthead.content.models import ArticlePage, LatestPage
    from masthead.core.models import MenuItem

    if not isinstance(page, ArticlePage):
        return True
    mega = MenuItem.objects.filter(
        show_mega_menu=True, menu__locale_id=page.locale_id, link_page__isnull=False
    ).select_related("link_page")
    linked = {item.link_page.translation_key: item.link_page for item in mega}
    if not linked or page.first_published_at is None:
        return False
    scopes = [
        ancestor.path
        for ancestor in page.get_ancestors().filter(depth__gt=2)
        if ancestor.translation_key in linked
    ]
    if any(p.specific_class is LatestPage for p in linked.values()):
        scopes.append(page.get_parent().path[: Page.steplen * 2])  # the edition's front page
    per_tab = settings.MASTHEAD_MEGA_MENU_ARTICLES
    for scope in scopes:
        others = (
            ArticlePage.objects.live()
            .filter(path__startswith=scope, locale_id=page.locale_id)
            .exclude(pk=page.pk)
            .order_by("-first_published_at")
            .values_list("first_published_at", flat=True)[per_tab - 1 : per_tab]
        )
        cutoff = next(iter(others), None)
        # Among the newest of its tab now, or it was before it left (unpublished, moved).
        if cutoff is None or page.first_published_at >= cutoff:
            return True
    return False


def _in_batch(page) -> bool:
    changed = _batch.get()
    if changed is None:
        return False
    changed["pages"].add(page.pk)
    changed["locales"].add(page.locale_id)
    return True


def _page_changed(sender, instance, **kwargs):
    if not _in_batch(instance):
        purge(keys_for_page(instance))


_moving: dict[int, set[str]] = {}


def _page_moving(sender, instance, **kwargs):
    if not _in_batch(instance):
        _moving[instance.pk] = keys_for_page(instance)  # the places it leaves


def _page_moved(sender, instance, **kwargs):
    if not _in_batch(instance):
        purge(_moving.pop(instance.pk, set()) | keys_for_page(instance))


def _page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page) and not _in_batch(instance):
        language = instance.locale.language_code if instance.locale_id else None
        purge({keys.page(instance), keys.latest(language or settings.LANGUAGE_CODE)})


def _menu_changed(sender, instance, **kwargs):
    menu = getattr(instance, "menu", instance)
    locale = getattr(menu, "locale", None)
    purge({keys.chrome(locale.language_code)} if locale else {keys.SITE})


def _everything(sender, instance, created=False, **kwargs):
    # Settings rows are made with their defaults on the first page that asks for them,
    # which changes nothing shown: only an edit purges.
    if not created:
        purge({keys.SITE})


def _comment_changed(sender, instance, **kwargs):
    changed = _batch.get()
    if changed is not None:
        changed["pages"].add(instance.article_id)
        return
    purge({keys.page(instance.article_id)})


def _issue_changed(sender, instance, **kwargs):
    locale = getattr(instance, "locale", None)
    language = locale.language_code if locale else settings.LANGUAGE_CODE
    purge({keys.latest(language), keys.chrome(language)})


def connect():
    from masthead.archive.models import Issue
    from masthead.comments.models import Comment
    from masthead.core.models import Menu, MenuItem, SiteSettings
    from masthead.subscriptions.models import PaywallSettings

    uid = "masthead-pagecache"
    page_published.connect(_page_changed, dispatch_uid=f"{uid}-published")
    page_unpublished.connect(_page_changed, dispatch_uid=f"{uid}-unpublished")
    pre_page_move.connect(_page_moving, dispatch_uid=f"{uid}-moving")
    post_page_move.connect(_page_moved, dispatch_uid=f"{uid}-moved")
    post_delete.connect(_page_deleted, dispatch_uid=f"{uid}-deleted")
    for model in (Menu, MenuItem):
        post_save.connect(_menu_changed, sender=model, dispatch_uid=f"{uid}-save-{model}")
        post_delete.connect(_menu_changed, sender=model, dispatch_uid=f"{uid}-delete-{model}")
    for model in (SiteSettings, PaywallSettings):
        post_save.connect(_everything, sender=model, dispatch_uid=f"{uid}-save-{model}")
    for signal in (post_save, post_delete):
        signal.connect(_comment_changed, sender=Comment, dispatch_uid=f"{uid}-comment-{signal}")
        signal.connect(_issue_changed, sender=Issue, dispatch_uid=f"{uid}-issue-{signal}")
