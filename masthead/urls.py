import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from masthead.archive import views as archive_views
from masthead.core import views as core_views

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    # A printed edition's PDF is served by the archive, privately, to entitled readers only.
    path("documents/<int:document_id>/<str:document_filename>", archive_views.serve_document),
    path("documents/", include(wagtaildocs_urls)),
    path("healthz", core_views.health, name="health"),
    path("favicon.ico", core_views.favicon),
    path("", include("masthead.feeds.sitemap_urls")),  # sitemaps and robots.txt
    path("", include("masthead.feeds.share_urls")),  # generated share images
    path("api/", include("masthead.api.urls")),
    path("stripe/webhook/", include("masthead.subscriptions.webhooks")),  # signed by Stripe
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    # Uploaded files, but never documents (printed editions behind the paywall): those only
    # through /documents/, which asks who wants them.
    urlpatterns += [
        re_path(rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}(?P<path>.*)$", core_views.media)
    ]

# English at the root, Persian under /fa/; Wagtail serves every page in both.
urlpatterns += i18n_patterns(
    path("search/", include("masthead.search.urls")),
    path("", include("masthead.feeds.feed_urls")),  # RSS and Atom, per edition
    path("accounts/", include("masthead.accounts.urls")),  # allauth and the account page
    path("comments/", include("masthead.comments.urls")),
    path("subscriptions/", include("masthead.subscriptions.urls")),
    path("archive/", include("masthead.archive.urls")),
    path("reader/", include("masthead.pagecache.urls")),  # a cached page's personal part
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

handler404 = "masthead.core.views.page_not_found"
handler500 = "masthead.core.views.server_error"
