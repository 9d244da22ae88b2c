"""The WSGI wrapper itself, over real HTTP: what a production server runs (masthead/wsgi.py)."""

import urllib.error
import urllib.request

from django.test import LiveServerTestCase
from django.test.testcases import _StaticFilesHandler

from masthead.content.models import AccessLevel
from masthead.content.tests.factories import make_article, make_paper
from masthead.pagecache.classes import CLASS_COOKIE, sign_class
from masthead.pagecache.store import store
from masthead.pagecache.wsgi import PageCacheApplication
from masthead.subscriptions.tests.test_leaks import SUBSCRIBERS_CANARY, premium_body


def wrapped(application):
    return PageCacheApplication(_StaticFilesHandler(application))


class WrapperOverHTTP(LiveServerTestCase):
    static_handler = staticmethod(wrapped)

    def setUp(self):
        store.clear()
        paper = make_paper()
        self.article = make_article(
            paper.economy, "Harbour terms", access_level=AccessLevel.SUBSCRIBERS
        )
        self.article.body = premium_body(SUBSCRIBERS_CANARY)
        self.article.save_revision().publish()

    def fetch(self, path, method="GET", **headers):
        request = urllib.request.Request(  # noqa: S310 - the test's own loopback server
            self.live_server_url + path, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def test_hits_304s_and_classes_over_http(self):
        path = self.article.url
        status, headers, body = self.fetch(path)
        self.assertEqual((status, headers["X-Page-Cache"]), (200, "MISS"))
        self.assertNotIn(SUBSCRIBERS_CANARY.encode(), body)
        status, headers, again = self.fetch(path)
        self.assertEqual((status, headers["X-Page-Cache"], again), (200, "HIT", body))
        self.assertEqual(headers["Content-Length"], str(len(body)))
        status, headers, empty = self.fetch(path, method="HEAD")
        self.assertEqual((status, headers["X-Page-Cache"], empty), (200, "HIT", b""))
        status, headers, empty = self.fetch(path, **{"If-None-Match": headers["ETag"]})
        self.assertEqual((status, empty), (304, b""))
        session = "s" * 32  # the class is bound to it; a shared render never opens the session
        cookie = f"sessionid={session}; {CLASS_COOKIE}={sign_class('subscriber', session)}"
        for expected in ("MISS", "HIT"):
            status, headers, full = self.fetch(path, Cookie=cookie)
            self.assertEqual((status, headers["X-Page-Cache"]), (200, expected))
            self.assertIn(SUBSCRIBERS_CANARY.encode(), full)
        status, headers, _body = self.fetch("/accounts/login/")
        self.assertEqual(headers["X-Page-Cache"], "BYPASS")
