"""Old WordPress query links (`/?p=123`) answered with their redirect.

Wagtail's redirect middleware only looks for a redirect when a page is not found, but
`/?p=123` is the front page's address with a query string: the front page would answer it
and the old link would never reach the imported article. Only the front page's addresses
(`/`, an edition's `/fa/`, `/index.php`) are looked at, and only WordPress's own id
parameters; the id alone decides (`/?p=123&utm_source=x` goes where `/?p=123` goes). Any
other request costs no query.
"""

import re

from django.conf import settings
from django.db.models import F, Q
from django.http import HttpResponsePermanentRedirect, HttpResponseRedirect
from wagtail.contrib.redirects.models import Redirect

# post, page, attachment, category and tag ids, as WordPress's plain permalinks name them;
# in this order a link naming two is decided by the first
WORDPRESS_QUERY_NAMES = ("p", "page_id", "attachment_id", "cat", "tag")


def front_page_paths() -> re.Pattern:
    editions = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
    return re.compile(rf"^/(?:(?:{editions})/)?(?:index\.php)?$")


class WordPressQueryLinkMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.front_page = front_page_paths()

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and self.front_page.match(request.path):
            response = self._redirect(request)
            if response is not None:
                return response
        return self.get_response(request)

    def _redirect(self, request):
        name = next((n for n in WORDPRESS_QUERY_NAMES if request.GET.get(n)), None)
        if name is None:
            return None
        old_path = Redirect.normalise_path(f"/?{name}={request.GET[name]}")
        host = request.get_host().split(":")[0]
        redirect = (
            Redirect.objects.filter(old_path=old_path)
            .filter(Q(site=None) | Q(site__hostname=host))
            .select_related("redirect_page")
            # a site's own redirect before one for every site
            .order_by(F("site_id").asc(nulls_last=True))
            .first()
        )
        if redirect is None or not redirect.link:
            return None
        if redirect.is_permanent:
            return HttpResponsePermanentRedirect(redirect.link)
        return HttpResponseRedirect(redirect.link)
