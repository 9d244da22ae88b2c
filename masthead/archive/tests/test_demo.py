"""The demo's archive stage: weekly issues with a front page, a PDF and that week's stories."""

import datetime

from django.test import TestCase
from django.utils import timezone

from masthead.archive.demo import DEMO_ISSUES, build_archive
from masthead.archive.models import Issue
from masthead.content.tests.factories import make_paper, translate
from masthead.core.models import MenuItem, MenuSlot

from .factories import article_on


class DemoArchiveTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        cls.news_fa = translate(cls.paper.news, cls.paper.persian, title="اخبار")
        now = timezone.now()
        for day in range(0, 30, 2):
            article_on(cls.paper.news, f"Story {day}", now - datetime.timedelta(days=day))
        article_on(cls.news_fa, "خبر", now - datetime.timedelta(days=1))

    def test_builds_issues_and_links_once(self):
        created = build_archive("The Daily Test")
        english = Issue.objects.filter(locale=self.paper.english)
        self.assertEqual(english.count(), DEMO_ISSUES)
        self.assertEqual(Issue.objects.filter(locale=self.paper.persian).count(), DEMO_ISSUES)
        links = MenuItem.objects.filter(link_url="/archive/")
        # The main menu reaches the archive through the news mega-menu's tab instead.
        self.assertEqual({item.menu.slot for item in links}, {MenuSlot.FOOTER})
        self.assertEqual(created, 2 * DEMO_ISSUES + len(links))
        self.assertEqual(build_archive("The Daily Test"), 0)

        newest = english.first()
        self.assertTrue(newest.pdf.file.open("rb").read(5) == b"%PDF-")
        self.assertEqual(newest.front_page.width, 850)
        for entry in newest.contents.all():
            published = timezone.localtime(entry.article.first_published_at).date()
            self.assertLessEqual(published, newest.publication_date)
            self.assertGreater(published, newest.publication_date - datetime.timedelta(days=8))
        self.assertEqual(newest.contents.count(), 4)  # a story every other day
        page = self.client.get(newest.get_absolute_url())
        self.assertEqual(page.status_code, 200)

    def test_older_issues_every_five_years_back_to_the_first(self):
        for year in (1971, 1973, 1986, 2001):
            article_on(
                self.paper.news,
                f"Story of {year}",
                timezone.make_aware(datetime.datetime(year, 6, 1, 12)),
            )
        build_archive("The Daily Test")
        years = sorted(
            issue.publication_date.year
            for issue in Issue.objects.filter(locale=self.paper.english)
            if issue.publication_date.year < 2020
        )
        # 1970-74 starts with 1971's first story; 1985-89 with 1986's; 2000-04 with 2001's.
        self.assertEqual(years, [1971, 1986, 2001])
