"""Printed issues: the issue page, browsing by year, and the PDF behind the paywall."""

import datetime
import re

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import TestCase
from wagtail.models import Site

from masthead.archive.models import ArchiveSettings, Issue
from masthead.content.tests.factories import make_image, make_paper, translate
from masthead.subscriptions.models import SiteLicence
from masthead.subscriptions.tests.factories import make_plan, make_reader, make_subscription

from .factories import SECRET_BODY, article_on, local, make_issue, make_pdf


class IssueTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        news_fa = translate(cls.paper.news, cls.paper.persian, title="اخبار")
        cls.first = article_on(cls.paper.news, "Front-page story", local(2011, 3, 7))
        cls.second = article_on(cls.paper.economy, "Inside story", local(2011, 3, 8))
        cls.pdf = make_pdf("issue-2011-10")
        cls.issue = make_issue(
            cls.paper.english,
            volume=42,
            number=10,
            date=datetime.date(2011, 3, 9),
            articles=[cls.second, cls.first],  # the table of contents' own order
            front_page=make_image("Front page 2011-10"),
            pdf=cls.pdf,
        )
        cls.older = make_issue(
            cls.paper.english, volume=41, number=3, date=datetime.date(2010, 1, 20)
        )
        cls.persian_article = article_on(news_fa, "خبر شماره", local(2011, 3, 8))
        cls.persian_issue = make_issue(
            cls.paper.persian,
            volume=42,
            number=50,
            date=datetime.date(2011, 3, 9),
            articles=[cls.persian_article],
            pdf=make_pdf("issue-fa-1389-50"),
        )
        cls.plain_document = make_pdf("press-kit")
        cls.subscriber = make_reader("subscriber")
        make_subscription(cls.subscriber, make_plan())
        cls.reader = make_reader("reader")
        cls.editor = get_user_model().objects.create_user(
            "editor", "editor@example.org", "a long pass phrase 7", is_staff=True
        )

    def setUp(self):
        cache.clear()
        ContentType.objects.clear_cache()

    def pdf_url(self, issue=None):
        return f"/archive/issues/{(issue or self.issue).pk}/pdf/"

    def wagtail_document_url(self, document=None):
        document = document or self.pdf
        return f"/documents/{document.pk}/{document.filename}"


class IssuePageTest(IssueTestCase):
    def test_issue_page_shows_its_front_page_and_contents_in_order(self):
        response = self.client.get("/archive/issues/2011/10/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Volume 42, number 10")
        self.assertContains(response, "Wednesday, March 9, 2011")
        self.assertContains(response, 'class="issue__cover"')
        titles = [entry.article.title for entry in response.context["entries"]]
        self.assertEqual(titles, ["Inside story", "Front-page story"])
        self.assertContains(response, "Page 1")
        self.assertNotContains(response, SECRET_BODY)

    def test_a_visitor_sees_an_offer_and_a_subscriber_the_pdf_link(self):
        visitor = self.client.get("/archive/issues/2011/10/")
        self.assertContains(visitor, "The printed edition is for subscribers")
        self.assertContains(visitor, "/subscriptions/")
        self.assertNotContains(visitor, self.pdf_url())
        self.assertIn("private", visitor["Cache-Control"])

        self.client.force_login(self.subscriber)
        subscriber = self.client.get("/archive/issues/2011/10/")
        self.assertContains(subscriber, f'href="{self.pdf_url()}"')
        self.assertNotContains(subscriber, "The printed edition is for subscribers")

    def test_with_the_setting_off_everyone_gets_the_pdf(self):
        site_settings = ArchiveSettings.for_site(Site.objects.get(is_default_site=True))
        site_settings.printed_editions_for_subscribers = False
        site_settings.save()
        response = self.client.get("/archive/issues/2011/10/")
        self.assertContains(response, f'href="{self.pdf_url()}"')
        self.assertEqual(self.client.get(self.pdf_url()).status_code, 200)
        self.assertEqual(self.client.get(self.wagtail_document_url()).status_code, 200)

    def test_browse_by_issue_by_year(self):
        index = self.client.get("/archive/issues/")
        rows = {period.year: count for period, _url, count in index.context["rows"]}
        self.assertEqual(rows, {2011: 1, 2010: 1})
        self.assertContains(index, 'href="/archive/issues/2011/"')
        year = self.client.get("/archive/issues/2011/")
        self.assertEqual(list(year.context["issues"]), [self.issue])
        self.assertContains(year, 'href="/archive/issues/2011/10/"')
        self.assertEqual(self.client.get("/archive/issues/2012/").context["issues"], [])

    def test_walk_from_issue_to_issue_and_year_to_year(self):
        def pager(url):
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200)
            return dict(re.findall(r'rel="(prev|next)" href="([^"]+)"', response.content.decode()))

        self.assertEqual(pager("/archive/issues/2011/10/"), {"prev": "/archive/issues/2010/3/"})
        self.assertEqual(pager("/archive/issues/2010/3/"), {"next": "/archive/issues/2011/10/"})
        self.assertEqual(pager("/archive/issues/2011/"), {"prev": "/archive/issues/2010/"})
        # An empty year between two printed ones leads to both.
        make_issue(self.paper.english, volume=39, number=1, date=datetime.date(2008, 1, 4))
        self.assertEqual(
            pager("/archive/issues/2009/"),
            {"prev": "/archive/issues/2008/", "next": "/archive/issues/2010/"},
        )
        # The Persian edition walks its own issues only.
        self.assertEqual(pager("/fa/archive/issues/1389/50/"), {})

    def test_persian_issues_are_browsed_by_solar_hijri_year(self):
        index = self.client.get("/fa/archive/issues/")
        self.assertEqual([p.year for p, _u, _c in index.context["rows"]], [1389])
        year = self.client.get("/fa/archive/issues/1389/")
        self.assertEqual(list(year.context["issues"]), [self.persian_issue])
        self.assertContains(year, 'href="/fa/archive/issues/1389/50/"')
        page = self.client.get("/fa/archive/issues/1389/50/")
        self.assertContains(page, "جلد ۴۲، شماره ۵۰")
        self.assertContains(page, "خبر شماره")
        # The switcher keeps the numbers: a year goes to the year sharing most of its days,
        # an issue to the year holding that issue's date.
        self.assertRedirects(
            self.client.get("/fa/archive/issues/2011/"),
            "/fa/archive/issues/1390/",
            fetch_redirect_response=False,
        )
        self.assertRedirects(
            self.client.get("/fa/archive/issues/2011/10/"),
            "/fa/archive/issues/1389/",
            fetch_redirect_response=False,
        )
        self.assertRedirects(
            self.client.get("/archive/issues/1389/50/"),
            "/archive/issues/2011/",
            fetch_redirect_response=False,
        )
        year = self.client.get("/fa/archive/issues/1389/").content.decode()
        self.assertIn('hreflang="en" href="http://testserver/archive/issues/2010/"', year)
        self.assertIn('hreflang="fa" href="http://testserver/fa/archive/issues/1389/"', year)

    def test_unknown_issues_are_not_found(self):
        for url in [
            "/archive/issues/2011/11/",
            "/archive/issues/2010/10/",
            "/archive/issues/2011/010/",
            "/archive/issues/1969/",
            "/fa/archive/issues/1389/10/",  # the English issue is not in the Persian edition
            "/archive/issues/999999/pdf/",
            f"/archive/issues/{self.older.pk}/pdf/",  # an issue without a PDF
        ]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_issue_page_queries(self):
        url = "/archive/issues/2011/10/"
        self.client.get(url)
        ContentType.objects.clear_cache()
        # site, edition, issue, archive settings, contents, sections, site licences, and the
        # issues just before and after it
        with self.assertNumQueries(9):
            self.client.get(url)

    def test_number_is_unique_within_the_editions_year(self):
        clash = Issue(
            locale=self.paper.english,
            volume=43,
            number=10,
            publication_date=datetime.date(2011, 12, 1),
        )
        with self.assertRaises(ValidationError):
            clash.full_clean()
        next_year = Issue(
            locale=self.paper.english,
            volume=43,
            number=10,
            publication_date=datetime.date(2012, 1, 4),
        )
        next_year.full_clean()


class PrintedEditionPaywallTest(IssueTestCase):
    def assert_refused(self, response, text="The printed edition is for subscribers"):
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, text, status_code=403)
        self.assertIn("no-store", response["Cache-Control"])
        self.assertNotIn(b"%PDF", response.content)

    def assert_served(self, response, *, private=True):
        self.assertEqual(response.status_code, 200)
        if private:  # one reader's copy: no shared cache may keep it, whichever address
            self.assertIn("private", response["Cache-Control"])
        body = b"".join(response.streaming_content) if response.streaming else response.content
        self.assertTrue(body.startswith(b"%PDF"))

    def test_a_visitor_is_refused_through_either_address(self):
        self.assert_refused(self.client.get(self.pdf_url()))
        self.assert_refused(self.client.get(self.wagtail_document_url()))

    def test_a_registered_reader_without_subscription_is_refused(self):
        self.client.force_login(self.reader)
        self.assert_refused(self.client.get(self.pdf_url()))
        self.assert_refused(self.client.get(self.wagtail_document_url()))

    def test_the_refusal_speaks_the_issues_language(self):
        persian = self.persian_issue
        self.assert_refused(self.client.get(f"/fa{self.pdf_url(persian)}"), "برای مشترکان")
        self.assert_refused(self.client.get(self.wagtail_document_url(persian.pdf)), "برای مشترکان")

    def test_a_subscriber_gets_the_pdf_through_either_address(self):
        self.client.force_login(self.subscriber)
        response = self.client.get(self.pdf_url())
        self.assert_served(response)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertIn("private", response["Cache-Control"])
        self.assert_served(self.client.get(self.wagtail_document_url()))

    def test_staff_get_the_pdf(self):
        self.client.force_login(self.editor)
        self.assert_served(self.client.get(self.pdf_url()))
        self.assert_served(self.client.get(self.wagtail_document_url()))

    def test_a_site_licence_opens_the_pdf(self):
        today = datetime.date.today()
        SiteLicence.objects.create(
            name="Library",
            ip_ranges="10.1.0.0/16",
            starts_on=today - datetime.timedelta(days=30),
            ends_on=today + datetime.timedelta(days=30),
        )
        self.assert_served(self.client.get(self.pdf_url(), REMOTE_ADDR="10.1.2.3"))
        self.assert_refused(self.client.get(self.pdf_url(), REMOTE_ADDR="10.2.2.3"))

    def test_other_documents_stay_open(self):
        self.assert_served(
            self.client.get(self.wagtail_document_url(self.plain_document)), private=False
        )


class IssueAdminTest(IssueTestCase):
    def test_staff_list_issues_by_date_and_find_them_by_number(self):
        admin = get_user_model().objects.create_superuser(
            "boss", "boss@example.org", "pass phrase 77"
        )
        self.client.force_login(admin)
        listing = self.client.get("/admin/snippets/archive/issue/")
        self.assertEqual(listing.status_code, 200)
        text = listing.content.decode()
        self.assertLess(text.index("Vol. 42, No. 10"), text.index("Vol. 41, No. 3"))
        found = self.client.get("/admin/snippets/archive/issue/?q=10")
        self.assertContains(found, "Vol. 42, No. 10")
        self.assertNotContains(found, "Vol. 41, No. 3")
        add = self.client.get("/admin/snippets/archive/issue/add/")
        self.assertContains(add, "Table of contents")
