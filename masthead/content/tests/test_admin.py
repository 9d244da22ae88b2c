"""The newsroom's path through the Wagtail admin: write, schedule, publish, see it live."""

import datetime
from io import StringIO

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from masthead.content.models import ArticlePage

from .factories import make_article, make_paper


def article_form(title: str, slug: str, **extra) -> dict:
    return nested_form_data(
        {
            "title": title,
            "slug": slug,
            "standfirst": "A standfirst.",
            "bylines": inline_formset([]),
            "body": streamfield([("paragraph", rich_text("<p>Typed in the admin.</p>"))]),
            "tags": "admin, scheduled",
            "access_level": "public",
            "comments": inline_formset([]),
            **extra,
        }
    )


class NewsroomTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        cls.editor = get_user_model().objects.create_superuser(
            "editor", "editor@example.org", "a-long-passphrase"
        )

    def setUp(self):
        cache.clear()
        self.client.force_login(self.editor)

    def test_editor_opens_every_page_type_in_the_admin(self):
        article = make_article(self.paper.news, "Editable")
        for page in (self.paper.home, self.paper.news, article, self.paper.about):
            response = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
            self.assertEqual(response.status_code, 200, page)

    def test_publish_from_the_admin_and_see_it_on_the_site(self):
        url = reverse("wagtailadmin_pages:add", args=["content", "articlepage", self.paper.news.pk])
        response = self.client.post(
            url, article_form("Written in the admin", "written", **{"action-publish": "1"})
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        article = ArticlePage.objects.get(slug="written")
        self.assertTrue(article.live)
        self.assertContains(self.client.get(article.url), "Typed in the admin.")
        self.assertContains(self.client.get(self.paper.news.url), "Written in the admin")

    def test_scheduled_article_appears_when_its_time_comes(self):
        go_live = timezone.localtime() + datetime.timedelta(hours=2)
        url = reverse("wagtailadmin_pages:add", args=["content", "articlepage", self.paper.news.pk])
        response = self.client.post(
            url,
            article_form(
                "Embargoed story",
                "embargoed",
                go_live_at=go_live.strftime("%Y-%m-%d %H:%M"),
                **{"action-publish": "1"},
            ),
        )
        self.assertEqual(response.status_code, 302, response.content[:2000])
        article = ArticlePage.objects.get(slug="embargoed")
        self.assertFalse(article.live)
        self.client.logout()
        self.assertEqual(self.client.get("/news/embargoed/").status_code, 404)

        # Time passes: the scheduled revision falls due and the publisher command runs.
        revision = article.revisions.order_by("-created_at").first()
        past = timezone.now() - datetime.timedelta(minutes=1)
        revision.approved_go_live_at = past
        revision.content["go_live_at"] = past.isoformat()
        revision.save()
        call_command("publish_scheduled", stdout=StringIO())
        article.refresh_from_db()
        self.assertTrue(article.live)
        self.assertContains(self.client.get(article.url), "Embargoed story")
        self.assertContains(self.client.get("/"), "Embargoed story")  # menus refreshed too

    def test_menus_and_settings_are_edited_in_the_admin(self):
        self.assertEqual(
            self.client.get(reverse("wagtailsnippets_core_menu:list")).status_code, 200
        )
        response = self.client.get(
            reverse("wagtailsettings:edit", args=["core", "sitesettings"]), follow=True
        )
        self.assertContains(response, 'name="founding_year"')
