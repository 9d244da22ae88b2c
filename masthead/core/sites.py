"""The request's Wagtail site, found without a query once a process has seen its host."""

import pickle

from django.http.request import split_domain_port
from wagtail.models import Site
from wagtail.models.sites import get_site_for_hostname
from wagtail.views import serve

from .cache import chrome_version_for

SITES_REMEMBERED = 64  # host and port pairs per process: more than a paper serves

# (hostname, port) -> (the chrome version it was found under, the site and its root page pickled)
_known: dict[tuple[str, int], tuple[int, bytes]] = {}


def find_site(request) -> Site | None:
    """Return the site Wagtail would find for the request, remembered under the chrome version.

    Wagtail asks the database on every request, a query whose building alone costs 2 to 3 ms
    of a page. A change to any site, and any publish, unpublish, move or deletion of a page
    (a site's root page among them), bumps the chrome version, so what a remembered site
    publishes is never stale (only its root page's draft bookkeeping, such as the latest
    revision, may be, and serving a page reads none of it). Each request unpickles its own
    copy: requests never share model instances.
    """
    hostname = split_domain_port(request._get_raw_host())[0]  # read as Wagtail reads it
    key = (hostname, request.get_port())
    # Read before the lookup: a site changed meanwhile is kept under the older version.
    version = chrome_version_for(request)
    known = _known.get(key)
    if known is not None and known[0] == version:
        return pickle.loads(known[1])  # noqa: S301 - pickled by this process, from the database
    try:
        site = get_site_for_hostname(*key)
    except Site.DoesNotExist:
        site = None
    else:
        # Wagtail routes every request through `root_page.specific`, a query each time;
        # only the front page reads the home page's own fields, loaded when it reads them.
        site.root_page = site.root_page.specific_deferred
    if len(_known) >= SITES_REMEMBERED:
        _known.clear()  # bounded whatever Host headers arrive
    _known[key] = (version, pickle.dumps(site))
    return site


class SiteMiddleware:
    """Hand Wagtail the site of a request for a page (`find_site`) before it looks it up.

    Only Wagtail's page view: other views may need no site, or no database at all (/healthz).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # `_wagtail_site` is where Site.find_for_request keeps its answer for the request.
        if view_func is serve and not hasattr(request, "_wagtail_site"):
            request._wagtail_site = find_site(request)
