from django.conf import settings
from django.core.cache import cache
from wagtail.models import Site

from .cache import chrome_version_for
from .dates import today
from .models import SiteSettings


def chrome(request):
    """Give templates the site settings and what the cached header and footer are keyed on."""
    version = chrome_version_for(request)
    return {
        "chrome_version": version,
        "chrome_cache_seconds": settings.MASTHEAD_CHROME_CACHE_SECONDS,
        "today": today(),
        "site_settings": cached_site_settings(request, version),
    }


def cached_site_settings(request, version: int) -> SiteSettings:
    """Return the request's site settings from the cache; any settings change bumps `version`."""
    site = Site.find_for_request(request)
    if site is None:
        return SiteSettings()
    key = f"masthead:site-settings:{site.pk}:{version}"
    site_settings = cache.get(key)
    if site_settings is None:
        site_settings = SiteSettings.for_site(site)
        cache.set(key, site_settings, settings.MASTHEAD_CHROME_CACHE_SECONDS)
    return site_settings
