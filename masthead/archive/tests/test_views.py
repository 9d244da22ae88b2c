"""The archive by date: counts and walks in both calendars, bad dates, cache headers, queries."""

import datetime
import re

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone

from masthead.archive.calendars import SOLAR_HIJRI, Period
from masthead.content.models import AccessLevel
from masthead.content.tests.factories import make_paper, translate
from masthead.subscriptions.tests.factories import make_reader

from .factories import SECRET_BODY, article_on, local


class ArchiveData(TestCase):
    """Stories around 9 March 2011 (18 Esfand 1389) in both editions."""

    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        news, economy = cls.paper.news, cls.paper.economy
        cls.news_fa = translate(news, cls.paper.persian, title="اخبار")
        # 2011-03-09 is 18 Esfand 1389; the late story is the 10th in UTC, the 9th in the
        # paper's time zone, where the archive counts days.
        cls.morning = article_on(news, "Morning story", local(2011, 3, 9, 8))
        cls.late = article_on(
            economy, "Late story", local(2011, 3, 9, 23, 30), access_level=AccessLevel.SUBSCRIBERS
        )
        cls.next_day = article_on(news, "Next-day story", local(2011, 3, 10, 9))
        cls.february = article_on(news, "February story", local(2011, 2, 25))
        cls.old = article_on(news, "Founding story", local(1970, 1, 5))
        cls.persian = article_on(cls.news_fa, "خبر اسفند", local(2011, 3, 9, 8))
        cls.persian_new_year = article_on(cls.news_fa, "خبر نوروز", local(2011, 3, 21, 10))

    def setUp(self):
        cache.clear()
        ContentType.objects.clear_cache()

    def get(self, url, **kwargs):
        response = self.client.get(url, **kwargs)
        self.assertEqual(response.status_code, 200, url)
        return response


class ArchiveByDateTest(ArchiveData):
    def test_years_from_the_founding_year_to_today_with_counts(self):
        response = self.get("/archive/")
        rows = {period.year: count for period, _url, count in response.context["rows"]}
        self.assertEqual(min(rows), 1970)
        self.assertEqual(max(rows), timezone.localdate().year)
        self.assertEqual(rows[2011], 4)
        self.assertEqual(rows[1970], 1)
        self.assertEqual(rows[2012], 0)
        self.assertContains(response, 'href="/archive/2011/"')
        self.assertNotContains(response, 'href="/archive/2012/"')  # nothing to see there

    def test_months_of_a_year_with_counts(self):
        response = self.get("/archive/2011/")
        rows = {period.month: count for period, _url, count in response.context["rows"]}
        self.assertEqual(rows, {1: 0, 2: 1, 3: 3, **dict.fromkeys(range(4, 13), 0)})
        self.assertContains(response, 'href="/archive/2011/03/"')
        self.assertContains(response, "March")

    def test_month_lists_its_days_and_teasers_without_body_text(self):
        response = self.get("/archive/2011/03/")
        days = {period.day: count for period, _url, count in response.context["rows"]}
        self.assertEqual(len(days), 31)
        self.assertEqual((days[9], days[10], days[8]), (2, 1, 0))
        self.assertContains(response, 'href="/archive/2011/03/09/"')
        titles = [a.title for a in response.context["articles"]]
        self.assertEqual(titles, ["Next-day story", "Late story", "Morning story"])
        self.assertContains(response, "badge--premium")
        self.assertNotContains(response, SECRET_BODY)

    def test_day_lists_that_days_articles_in_the_papers_time_zone(self):
        response = self.get("/archive/2011/03/09/")
        titles = [a.title for a in response.context["articles"]]
        self.assertEqual(titles, ["Late story", "Morning story"])
        self.assertContains(response, "Wednesday, March 9, 2011")
        self.assertContains(response, 'href="/archive/2011/02/25/"')  # the day before with news
        self.assertContains(response, 'href="/archive/2011/03/"')  # the breadcrumb's month

    def test_persian_edition_counts_solar_hijri_years_and_months(self):
        response = self.get("/fa/archive/")
        rows = {period.year: count for period, _url, count in response.context["rows"]}
        self.assertEqual(min(rows), 1348)  # 1 January 1970 fell in 1348
        self.assertEqual((rows[1389], rows[1390]), (1, 1))  # Nowruz 1390 is 21 March 2011
        self.assertContains(response, "۱۳۸۹")
        self.assertContains(response, 'href="/fa/archive/1389/"')

        months = self.get("/fa/archive/1389/").context["rows"]
        self.assertEqual([count for _p, _u, count in months], [0] * 11 + [1])
        self.assertContains(self.client.get("/fa/archive/1389/"), "اسفند")

    def test_persian_month_and_day_of_2011_03_09(self):
        response = self.get("/fa/archive/1389/12/")
        days = {period.day: count for period, _url, count in response.context["rows"]}
        self.assertEqual(len(days), 29)  # 1389 is not a leap year: Esfand has 29 days
        self.assertEqual(days[18], 1)
        self.assertEqual(sum(days.values()), 1)
        self.assertContains(response, 'href="/fa/archive/1389/12/18/"')
        self.assertContains(response, "اسفند ۱۳۸۹")

        day = self.get("/fa/archive/1389/12/18/")
        self.assertEqual([a.title for a in day.context["articles"]], ["خبر اسفند"])
        self.assertContains(day, "چهارشنبه ۱۸ اسفند ۱۳۸۹")
        self.assertEqual(
            self.get("/fa/archive/1390/01/01/").context["articles"][0].title, "خبر نوروز"
        )

    def test_impossible_and_out_of_range_dates_are_not_found(self):
        today = timezone.localdate()
        tomorrow = today + datetime.timedelta(days=1)
        next_month = Period.containing(SOLAR_HIJRI, today, "month").next_sibling()
        for url in [
            "/archive/1969/",
            f"/archive/{today.year + 1}/",
            "/archive/2011/02/29/",  # 2011 is not a leap year
            "/archive/2011/04/31/",
            "/archive/2011/13/",
            "/archive/2011/00/",
            "/archive/2011/3/",  # one address per month
            "/archive/0/",
            "/archive/2011/03/09/?page=2",
            "/archive/2011/03/?page=x",
            f"/archive/{tomorrow:%Y/%m/%d}/",
            "/fa/archive/1347/",
            "/fa/archive/1389/12/30/",
            f"/fa/archive/{next_month.year}/{next_month.month:02d}/",
            "/archive/9999/",
            "/fa/archive/9999/",
        ]:
            with self.subTest(url=url):
                if url == f"/archive/{tomorrow:%Y/%m/%d}/" and tomorrow.year != today.year:
                    continue
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_the_other_calendars_address_goes_to_the_period_sharing_most_days(self):
        # The language switcher keeps the numbers of the address it translates.
        self.assertRedirects(
            self.client.get("/fa/archive/2011/03/"),
            "/fa/archive/1389/12/",
            fetch_redirect_response=False,
        )
        self.assertRedirects(
            self.client.get("/fa/archive/2011/03/09/"),
            "/fa/archive/1389/12/18/",
            fetch_redirect_response=False,
        )
        self.assertRedirects(
            self.client.get("/archive/1389/12/"), "/archive/2011/03/", fetch_redirect_response=False
        )
        self.assertRedirects(
            self.client.get("/archive/1389/"), "/archive/2010/", fetch_redirect_response=False
        )

    def test_past_periods_are_cached_longer_than_the_current_one(self):
        past = self.get("/archive/2011/03/")
        self.assertIn("public", past["Cache-Control"])
        self.assertIn("max-age=86400", past["Cache-Control"])
        self.assertIn("Cookie", past["Vary"])
        today = timezone.localdate()
        current = self.get(f"/archive/{today:%Y/%m}/")
        self.assertIn("max-age=300", current["Cache-Control"])
        self.assertIn("max-age=300", self.get("/archive/")["Cache-Control"])
        current_fa = Period.containing(SOLAR_HIJRI, today, "month")
        self.assertIn(
            "max-age=300",
            self.get(f"/fa/archive/{current_fa.year}/{current_fa.month:02d}/")["Cache-Control"],
        )
        self.assertIn("max-age=86400", self.get("/fa/archive/1389/12/")["Cache-Control"])

    def test_a_signed_in_readers_page_is_kept_by_their_browser_only(self):
        self.client.force_login(make_reader("ada"))
        response = self.get("/archive/2011/03/")
        self.assertIn("private", response["Cache-Control"])
        self.assertNotIn("public", response["Cache-Control"])

    def test_month_pages_are_paginated(self):
        for hour in range(21):
            article_on(self.paper.politics, f"Busy day story {hour}", local(2011, 5, 2, hour))
        first = self.get("/archive/2011/05/")
        self.assertEqual(len(first.context["articles"]), 20)
        self.assertContains(first, "?page=2")
        second = self.get("/archive/2011/05/?page=2")
        self.assertEqual([a.title for a in second.context["articles"]], ["Busy day story 0"])

    def test_the_pager_skips_to_the_nearest_period_with_stories(self):
        def pager(url):
            html = self.get(url).content.decode()
            return dict(re.findall(r'rel="(prev|next)" href="([^"]+)"', html))

        # 2011-03-10 is followed by nothing until today's empty days: no next link at all.
        self.assertEqual(pager("/archive/2011/03/10/"), {"prev": "/archive/2011/03/09/"})
        # From a day with a story back to February's story, skipping the empty days between.
        self.assertEqual(pager("/archive/2011/03/09/")["prev"], "/archive/2011/02/25/")
        # An empty day still leads to its nearest neighbours.
        self.assertEqual(
            pager("/archive/2011/03/01/"),
            {"prev": "/archive/2011/02/25/", "next": "/archive/2011/03/09/"},
        )
        self.assertEqual(pager("/archive/2011/")["prev"], "/archive/1970/")
        self.assertEqual(pager("/archive/1970/01/"), {"next": "/archive/2011/02/"})
        # In the Persian edition by Solar Hijri periods: Esfand 1389, then Farvardin 1390.
        self.assertEqual(pager("/fa/archive/1389/12/"), {"next": "/fa/archive/1390/01/"})

    def test_each_page_names_its_place_in_both_editions_for_search_engines(self):
        def alternates(url):
            html = self.get(url).content.decode()
            return dict(
                re.findall(
                    r'rel="alternate" hreflang="(\w+)" href="http://testserver([^"]+)"', html
                )
            )

        self.assertEqual(alternates("/archive/"), {"en": "/archive/", "fa": "/fa/archive/"})
        # The same day in both calendars; a month maps to the one sharing most days, and back.
        self.assertEqual(
            alternates("/archive/2011/03/09/"),
            {"en": "/archive/2011/03/09/", "fa": "/fa/archive/1389/12/18/"},
        )
        self.assertEqual(
            alternates("/fa/archive/1390/01/"),
            {"en": "/archive/2011/04/", "fa": "/fa/archive/1390/01/"},
        )
        self.assertEqual(
            alternates("/archive/2011/03/"),
            {"en": "/archive/2011/03/", "fa": "/fa/archive/1389/12/"},
        )
        self.assertEqual(
            alternates("/fa/archive/1389/12/"),
            {"en": "/archive/2011/03/", "fa": "/fa/archive/1389/12/"},
        )

    def test_the_main_menu_and_footer_can_link_the_archive(self):
        from masthead.core.models import Menu, MenuItem, MenuSlot

        footer = Menu.objects.get(slot=MenuSlot.FOOTER, locale=self.paper.english)
        MenuItem.objects.create(menu=footer, link_url="/archive/", label="Archive", sort_order=9)
        response = self.get("/archive/2011/")
        self.assertTrue(
            re.search(r'site-footer__links.*href="/archive/"', response.content.decode(), re.S)
        )


class ArchiveQueryCountTest(ArchiveData):
    """One query counts a page's periods; two find the site and the edition; a month or a
    day adds its listing and the listing's sections."""

    def assert_queries(self, url, expected):
        self.get(url)  # fill the chrome's caches, as any served page finds them
        ContentType.objects.clear_cache()
        with self.assertNumQueries(expected):
            self.get(url)

    # A year, month or day page adds two queries: the nearest stories before and after it.
    def test_index(self):
        self.assert_queries("/archive/", 3)
        self.assert_queries("/fa/archive/", 3)

    def test_year(self):
        self.assert_queries("/archive/2011/", 5)
        self.assert_queries("/fa/archive/1389/", 5)

    def test_month(self):
        self.assert_queries("/archive/2011/03/", 7)
        self.assert_queries("/fa/archive/1389/12/", 7)

    def test_day(self):
        self.assert_queries("/archive/2011/03/09/", 7)
        self.assert_queries("/fa/archive/1389/12/18/", 7)
