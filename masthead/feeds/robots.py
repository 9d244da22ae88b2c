"""robots.txt: where the sitemaps are and which pages crawlers should leave alone."""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from masthead.content.navigation import edition_home_url


def disallowed_paths() -> list[str]:
    """Return the admin, and each edition's search results and reader account pages."""
    paths = [reverse("wagtailadmin_home"), reverse("admin:index")]
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            paths.append(reverse("search"))
    # The accounts app will live under each edition's /accounts/; keep crawlers out already.
    paths += [f"{edition_home_url(language)}accounts/" for language, _name in settings.LANGUAGES]
    return paths


def robots_txt(request):
    """Point crawlers at the sitemap index and the news sitemap, by absolute address."""
    text = render_to_string(
        "feeds/robots.txt",
        {
            "disallowed": disallowed_paths(),
            "sitemap_index_url": request.build_absolute_uri(reverse("sitemap_index")),
            "news_sitemap_url": request.build_absolute_uri(reverse("news_sitemap")),
        },
    )
    return HttpResponse(text, content_type="text/plain; charset=utf-8")
