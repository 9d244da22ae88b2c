"""The request's site for page views: found once per process and chrome version, never stale."""

from django.test import RequestFactory, TestCase
from wagtail.models import Site

from masthead.core import sites
from masthead.core.cache import bump_chrome_version


class FindSite(TestCase):
    def setUp(self):
        sites._known.clear()
        self.site = Site.objects.get(is_default_site=True)

    def request(self, host=None):
        return RequestFactory().get("/", HTTP_HOST=host or self.site.hostname)

    def test_a_site_once_found_costs_no_query_and_each_request_gets_its_own_copy(self):
        first = sites.find_site(self.request())
        with self.assertNumQueries(0):
            again = sites.find_site(self.request())
        self.assertEqual((again.pk, again.root_page.pk), (first.pk, first.root_page.pk))
        self.assertIsNot(again, first)
        self.assertIsNot(again.root_page, first.root_page)

    def test_the_answer_is_wagtails(self):
        for host in (self.site.hostname, "elsewhere.example"):  # unknown: the default site
            with self.subTest(host):
                self.assertEqual(
                    sites.find_site(self.request(host)), Site.find_for_request(self.request(host))
                )

    def test_a_changed_site_is_found_at_once(self):
        sites.find_site(self.request())
        self.site.site_name = "Renamed"
        self.site.save()  # bumps the chrome version
        self.assertEqual(sites.find_site(self.request()).site_name, "Renamed")

    def test_a_new_chrome_version_looks_again(self):
        sites.find_site(self.request())
        bump_chrome_version()  # what any publish does
        with self.assertNumQueries(1):
            sites.find_site(self.request())

    def test_the_middleware_hands_page_views_alone_their_site(self):
        sites.find_site(self.request())
        middleware = sites.SiteMiddleware(lambda request: None)
        page_view, other_view = self.request(), self.request()
        with self.assertNumQueries(0):
            middleware.process_view(page_view, sites.serve, (), {"path": ""})
            middleware.process_view(other_view, lambda request: None, (), {})
        self.assertEqual(page_view._wagtail_site.pk, self.site.pk)
        self.assertFalse(hasattr(other_view, "_wagtail_site"))  # /healthz needs no database
