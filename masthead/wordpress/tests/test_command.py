"""The command as a user meets it: its arguments, its report and its errors."""

from io import StringIO
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import TestCase
from wagtail.models import Page

from masthead.content.models import ArticlePage, SectionPage
from masthead.content.tests.factories import make_paper
from masthead.wordpress.models import ImportRun, WordPressObject

FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "fixtures" / "wxr"
SIMPLE = FIXTURES / "importer-wxr-simple.xml"  # 1 post, id 10, by "admin"
NOT_WXR = FIXTURES.parent / "feeds" / "harvard-rss2sample.xml"


def run_import(*args: str) -> str:
    out = StringIO()
    call_command("import_wordpress", *args, stdout=out)
    return out.getvalue()


class CommandTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()

    def test_the_report_counts_each_kind_and_the_redirects(self):
        output = run_import(str(SIMPLE))
        self.assertIn("articles: 1 created", output)
        self.assertIn("authors: 1 created", output)
        self.assertRegex(output, r"Redirects made: [1-9]")
        run = ImportRun.objects.get()
        self.assertEqual(run.report["counts"]["articles"], {"created": 1})
        self.assertIsNotNone(run.finished_at)
        self.assertEqual(len(run.sha256), 64)

    def test_locale_fa_imports_into_the_persian_edition(self):
        run_import(str(SIMPLE), "--locale", "fa")
        article = ArticlePage.objects.get(
            pk=WordPressObject.objects.get(kind="post", wordpress_id="10").object_id
        )
        self.assertEqual(article.locale, self.paper.persian)
        self.assertTrue(article.get_ancestors().filter(pk=self.paper.home_fa.pk).exists())
        self.assertEqual(article.get_parent().specific_class, SectionPage)

    def test_author_accounts_have_no_usable_password(self):
        run_import(str(SIMPLE), "--author-accounts")
        user = get_user_model().objects.get(email="admin@localhost.com")
        self.assertFalse(user.has_usable_password())
        run_import(str(SIMPLE), "--author-accounts")
        self.assertEqual(get_user_model().objects.filter(email="admin@localhost.com").count(), 1)

    def test_a_missing_file_or_media_folder_is_a_clear_error(self):
        with self.assertRaisesMessage(CommandError, "There is no file at"):
            run_import("/nonexistent/export.xml")
        with self.assertRaisesMessage(CommandError, "The media folder"):
            run_import(str(SIMPLE), "--media-dir", "/nonexistent/uploads")

    def test_a_file_that_is_not_a_wordpress_export_is_refused(self):
        pages = Page.objects.count()
        with self.assertRaises(CommandError):
            run_import(str(NOT_WXR))
        self.assertEqual(Page.objects.count(), pages)
        self.assertFalse(ImportRun.objects.exists())


class NoSiteTests(TestCase):
    def test_without_an_edition_to_import_into_the_command_says_what_to_do(self):
        with self.assertRaisesMessage(CommandError, "create the site first"):
            run_import(str(SIMPLE))
        self.assertFalse(WordPressObject.objects.exists())
