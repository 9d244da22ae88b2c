"""The import against real WordPress exports: what came through, reruns, bad files, failures.

Expected numbers for the theme unit test data were counted in the raw file
(wptt-themeunittestdata.wordpress.xml, the 2024 edition): 58 posts (56 published, 1 draft,
1 scheduled), 21 pages (13 with a parent page), 68 categories, 110 tags; 33 comments: 5 on
pages, and 28 on posts, of which 24 are readers' (23 approved, 1 held) and 4 are pingbacks
or trackbacks.
"""

import gc
import io
import tempfile
import weakref
from io import StringIO
from pathlib import Path
from unittest import skipUnless
from urllib.parse import unquote

from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory, TestCase
from PIL import Image as PILImage
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Revision

from masthead.comments import services as comment_services
from masthead.comments.models import Comment, CommentStatus
from masthead.content.models import (
    ArticlePage,
    ArticlePageTag,
    AuthorPage,
    HomePage,
    SectionPage,
    StandardPage,
)
from masthead.content.tests.factories import make_paper
from masthead.wordpress import bulk
from masthead.wordpress.importer import (
    FTS5_DEFAULT_HASHSIZE,
    SQLITE_CACHE_KIB,
    SQLITE_FTS_BUFFER,
    ImportStopped,
    WordPressImporter,
    plain_text,
)
from masthead.wordpress.middleware import WordPressQueryLinkMiddleware
from masthead.wordpress.models import ImportRun, WordPressObject
from masthead.wordpress.tests import exports
from masthead.wordpress.wxr import check_wxr, read_wxr

FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "fixtures" / "wxr"
THEME_UNIT = FIXTURES / "wptt-themeunittestdata.wordpress.xml"
MALFORMED = [
    "importer-malformed-simple.xml",
    "importer-malformed.xml",
    "importer-crazy-cdata.xml",
    "importer-invalid-version-tag.xml",
    "importer-missing-version-tag.xml",
]
WELL_FORMED = sorted(p.name for p in FIXTURES.glob("*.xml") if p.name not in MALFORMED)


def run_import(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import_wordpress", str(path), *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Every table an import writes (ImportRun apart: each run logs itself)."""
    return {
        "pages": Page.objects.count(),
        "revisions": Revision.objects.count(),
        "comments": Comment.objects.count(),
        "redirects": Redirect.objects.count(),
        "mapping": WordPressObject.objects.count(),
        "tags": Tag.objects.count(),
        "images": get_image_model().objects.count(),
    }


def imported(kind: str):
    return WordPressObject.objects.filter(kind=kind).values_list("object_id", flat=True)


def media_folder() -> Path:
    """A copy of the uploads folder holding one picture: the captioned post's."""
    folder = Path(tempfile.mkdtemp(prefix="wp-uploads-"))
    (folder / "2008" / "06").mkdir(parents=True)
    buffer = io.BytesIO()
    PILImage.new("RGB", (64, 48), (40, 90, 140)).save(buffer, "JPEG")
    (folder / "2008" / "06" / "100_5478.jpg").write_bytes(buffer.getvalue())
    return folder


class ThemeUnitImportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        cls.output = run_import(THEME_UNIT, "--media-dir", str(media_folder()))

    def article(self, wordpress_id: int) -> ArticlePage:
        row = WordPressObject.objects.get(kind="post", wordpress_id=str(wordpress_id))
        return ArticlePage.objects.get(pk=row.object_id)

    def test_posts_become_articles_with_their_status(self):
        articles = ArticlePage.objects.filter(pk__in=imported("post"))
        self.assertEqual(articles.count(), 58)
        self.assertEqual(articles.filter(live=True).count(), 56)
        draft = self.article(1164)
        self.assertFalse(draft.live)
        self.assertIsNone(draft.first_published_at)
        scheduled = self.article(1153)
        self.assertFalse(scheduled.live)
        self.assertEqual(scheduled.go_live_at.year, 2030)
        self.assertEqual(scheduled.latest_revision.approved_go_live_at, scheduled.go_live_at)

    def test_an_article_keeps_its_date_author_section_and_tags(self):
        sticky = self.article(1241)
        self.assertEqual(sticky.first_published_at.isoformat(), "2012-01-07T14:07:21+00:00")
        self.assertEqual([a.title for a in sticky.authors], ["Theme Buster"])
        self.assertIsInstance(sticky.get_parent().specific, SectionPage)
        self.assertTrue(sticky.tag_list)

    def test_an_article_holds_its_posts_tags_each_once_and_its_revision_the_same(self):
        posts = {
            record.wordpress_id: record
            for record in read_wxr(THEME_UNIT)
            if getattr(record, "post_type", "") == "post"
        }
        tagged = 0
        for wordpress_id, pk in WordPressObject.objects.filter(kind="post").values_list(
            "wordpress_id", "object_id"
        ):
            article = ArticlePage.objects.get(pk=pk)
            names = {
                plain_text(term.name)[:100] or unquote(term.slug)
                for term in posts[int(wordpress_id)].terms
                if term.taxonomy == "post_tag"
            }
            self.assertEqual({tag.name for tag in article.tags.all()}, names, wordpress_id)
            rows = list(
                ArticlePageTag.objects.filter(content_object=article)
                .order_by("pk")
                .values_list("pk", "tag_id")
            )
            self.assertEqual(len(rows), len(names))
            revised = article.latest_revision.content["tagged_items"]
            self.assertEqual([(item["pk"], item["tag"]) for item in revised], rows)
            tagged += bool(rows)
        self.assertGreater(tagged, 10)

    def test_categories_become_sections_keeping_their_hierarchy(self):
        sections = SectionPage.objects.filter(pk__in=imported("category"))
        self.assertEqual(sections.count(), 68)
        child = sections.get(slug="child-category-01")
        self.assertEqual(child.get_parent().slug, "parent-category")
        self.assertGreaterEqual(Tag.objects.count(), 110)

    def test_pages_keep_their_hierarchy(self):
        pages = StandardPage.objects.filter(pk__in=imported("page"))
        self.assertEqual(pages.count(), 21)
        level_3 = pages.get(title="Level 3")  # exported before its parents
        self.assertEqual(
            [p.title for p in level_3.get_ancestors().filter(depth__gt=2)], ["Level 1", "Level 2"]
        )
        self.assertEqual(level_3.get_parent().get_parent().get_parent().pk, self.paper.home.pk)

    def test_comments_are_threaded_with_their_status_and_date(self):
        comments = Comment.objects.filter(article__in=imported("post"))
        self.assertEqual(comments.count(), 24)
        self.assertEqual(comments.filter(status=CommentStatus.PENDING).count(), 1)
        thread = Comment.objects.filter(article=self.article(1148)).order_by("created_at")
        deepest = thread.filter(replies__isnull=True, parent__isnull=False).get()
        depth, walk = 0, deepest
        while walk.parent_id:
            depth, walk = depth + 1, walk.parent
        self.assertEqual(depth, 9)  # 904 ← 905 ← … ← 915 in the export
        self.assertLess(deepest.created_at.year, 2026)
        self.assertIn("pingbacks: 4 skipped", self.output)

    def test_a_captioned_picture_becomes_an_image_block(self):
        body = self.article(1163).body
        image = next(block for block in body if block.block_type == "image")
        self.assertEqual(image.value["caption"], "Bell on wharf in San Francisco")
        self.assertEqual(image.value["image"].file.name.rsplit("/", 1)[-1][:8], "100_5478")

    def test_the_newest_sticky_post_leads_the_front_page(self):
        home = HomePage.objects.get(pk=self.paper.home.pk)
        self.assertEqual(home.lead_article_id, self.article(1241).pk)
        self.assertIn("Template: Sticky", self.output)

    def test_old_addresses_redirect_permanently(self):
        article = self.article(1163)
        for old in ("/2010/08/07/post-format-image-caption/", "/post-format-image-caption/"):
            response = self.client.get(old)
            self.assertEqual(response.status_code, 301, old)
            self.assertEqual(response["Location"], article.url)
        section = SectionPage.objects.get(pk__in=imported("category"), slug="child-category-01")
        response = self.client.get("/category/parent-category/child-category-01/")
        self.assertEqual((response.status_code, response["Location"]), (301, section.url))
        response = self.client.get("/tag/captions-2/")  # WordPress slugged it so
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], f"{self.paper.home.url}tags/captions-2/")
        self.assertEqual(self.client.get(response["Location"]).status_code, 200)
        # The paper had an About page already: WordPress's became about-2, and its old
        # children's addresses follow it there.
        floats = StandardPage.objects.get(title="Clearing Floats")
        self.assertEqual(floats.get_parent().slug, "about-2")
        response = self.client.get("/about/clearing-floats/")
        self.assertEqual((response.status_code, response["Location"]), (301, floats.url))
        # WordPress's plain links, which the front page would otherwise answer itself.
        response = self.client.get("/?p=1163")
        self.assertEqual((response.status_code, response["Location"]), (301, article.url))
        by_category_id = Redirect.objects.filter(old_path__startswith="/?cat=").first()
        response = self.client.get(by_category_id.old_path)
        self.assertEqual(response.status_code, 301)
        self.assertEqual(response["Location"], by_category_id.link)
        self.assertEqual(self.client.get("/?q=unrelated").status_code, 200)
        # A page whose address did not change is simply served there.
        self.assertContains(self.client.get("/level-1/level-2/level-3/"), "Level 3")

    def test_an_imported_article_is_served(self):
        response = self.client.get(self.article(1148).url)
        self.assertContains(response, "Template: Comments")

    def test_a_second_run_changes_nothing(self):
        before = row_counts()
        output = run_import(THEME_UNIT, "--media-dir", str(media_folder()))
        self.assertEqual(row_counts(), before)
        self.assertIn("articles: 58 unchanged", output)
        self.assertIn("pages: 21 unchanged", output)
        self.assertIn("Redirects made: 0", output)

    def test_a_changed_post_is_updated_in_place(self):
        records = list(read_wxr(THEME_UNIT))
        for record in records:
            if getattr(record, "wordpress_id", None) == 1241 and record.post_type == "post":
                record.title = "Template: Sticky, revised"
        article = self.article(1241)
        revisions = article.revisions.count()
        pages = Page.objects.count()
        report = WordPressImporter().run(THEME_UNIT, summary=check_wxr(THEME_UNIT), records=records)
        article.refresh_from_db()
        self.assertEqual(article.title, "Template: Sticky, revised")
        self.assertEqual(article.revisions.count(), revisions + 1)
        self.assertEqual(Page.objects.count(), pages)
        self.assertEqual(report.counts["articles"]["updated"], 1)
        self.assertEqual(report.counts["articles"]["unchanged"], 57)


class DryRunTests(TestCase):
    def test_a_dry_run_reports_and_writes_nothing(self):
        make_paper()
        before, runs = row_counts(), ImportRun.objects.count()
        output = run_import(THEME_UNIT, "--dry-run", "--media-dir", str(media_folder()))
        self.assertEqual(row_counts(), before)
        self.assertEqual(ImportRun.objects.count(), runs)
        self.assertIn("Dry run: nothing was written", output)
        self.assertIn("articles: 58 created", output)


class BadExportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_paper()

    def test_malformed_exports_are_refused_naming_the_line_and_write_nothing(self):
        for name in MALFORMED:
            with self.subTest(name):
                before = row_counts()
                with self.assertRaises(CommandError) as raised:
                    run_import(FIXTURES / name)
                self.assertRegex(str(raised.exception), r"line \d+")
                self.assertEqual(row_counts(), before)

    def test_a_truncated_export_is_refused(self):
        with tempfile.TemporaryDirectory() as folder:
            cut = Path(folder) / "cut.xml"
            data = THEME_UNIT.read_bytes()
            cut.write_bytes(data[: len(data) // 2])
            before = row_counts()
            with self.assertRaises(CommandError) as raised:
                run_import(cut)
            self.assertRegex(str(raised.exception), r"line \d+")
            self.assertEqual(row_counts(), before)


class WellFormedExportsTests(TestCase):
    def test_every_well_formed_export_imports_without_error(self):
        make_paper()
        for name in WELL_FORMED:
            with self.subTest(name):
                output = run_import(FIXTURES / name, "--batch-size", "50")
                self.assertIn("Redirects made:", output)
                if "<wp:post_type><![CDATA[post]]>" in (FIXTURES / name).read_text():
                    # Three fixtures are revisions of one site: a later one updates.
                    self.assertRegex(output, r"articles: .*\d+ (created|updated|unchanged)")


class FailingImporter(WordPressImporter):
    """Fails on one post, the way a database error part-way through a batch would."""

    failing_post = 1163

    def _article(self, item):
        if item.wordpress_id == self.failing_post:
            raise RuntimeError("disk full")
        super()._article(item)


class BatchFailureTests(TestCase):
    def test_a_failing_batch_is_rolled_back_alone_and_a_rerun_completes(self):
        make_paper()
        records = list(read_wxr(THEME_UNIT))[1:]  # the channel is not part of a batch
        batch_size = 40
        failing = next(
            n
            for n, r in enumerate(records)
            if getattr(r, "wordpress_id", None) == FailingImporter.failing_post
        )
        batch_start = failing - failing % batch_size
        with self.assertRaises(ImportStopped) as raised:
            FailingImporter(batch_size=batch_size).run(THEME_UNIT, summary=check_wxr(THEME_UNIT))
        self.assertIn("run the import again", str(raised.exception))
        kept = set(
            WordPressObject.objects.filter(kind="post").values_list("wordpress_id", flat=True)
        )
        posts_before = {
            str(r.wordpress_id)
            for r in records[:batch_start]
            if getattr(r, "post_type", "") == "post"
        }
        posts_in_batch = {
            str(r.wordpress_id)
            for r in records[batch_start:failing]
            if getattr(r, "post_type", "") == "post"
        }
        self.assertTrue(posts_before and posts_in_batch)
        self.assertEqual(kept, posts_before)  # earlier batches stay, the failing one is gone
        run = ImportRun.objects.get()
        self.assertEqual(run.items_done, batch_start)
        self.assertIsNone(run.finished_at)

        output = run_import(THEME_UNIT)
        self.assertIn(
            f"articles: {58 - len(posts_before)} created, {len(posts_before)} unchanged", output
        )
        self.assertEqual(ArticlePage.objects.filter(pk__in=imported("post")).count(), 58)
        self.assertEqual(Comment.objects.filter(article__in=imported("post")).count(), 24)


class Cycle:
    """Garbage only the cycle collector can free: it refers to itself."""

    def __init__(self):
        self.me = self


class WatchedImporter(WordPressImporter):
    """Leaves a cycle behind in each batch and notes, in the next, what became of it."""

    def __init__(self, **options):
        super().__init__(**options)
        self.left: list[weakref.ref] = []
        self.seen: list[tuple[int, bool]] = []  # (frozen objects, last batch's cycle freed)

    def _write_batch_of(self, batch, done, write):
        if self.left:
            self.seen.append((gc.get_freeze_count(), self.left[-1]() is None))
        self.left.append(weakref.ref(Cycle()))
        return super()._write_batch_of(batch, done, write)


class CollectorTests(TestCase):
    def test_batch_survivors_are_set_aside_and_batch_garbage_collected(self):
        make_paper()
        self.assertEqual(gc.get_freeze_count(), 0)
        importer = WatchedImporter(batch_size=40)
        importer.run(THEME_UNIT, summary=check_wxr(THEME_UNIT))
        self.assertGreater(len(importer.seen), 3)
        self.assertTrue(all(frozen > 0 and freed for frozen, freed in importer.seen))
        self.assertEqual(gc.get_freeze_count(), 0)  # all back under the collector

    def test_a_failed_run_puts_everything_back_under_the_collector(self):
        make_paper()
        with self.assertRaises(ImportStopped):
            FailingImporter(batch_size=40).run(THEME_UNIT, summary=check_wxr(THEME_UNIT))
        self.assertEqual(gc.get_freeze_count(), 0)


class SQLiteSettingsWatcher(WordPressImporter):
    """Notes SQLite's page cache and full-text buffer while each batch is written."""

    def __init__(self, **options):
        super().__init__(**options)
        self.seen: set[tuple] = set()

    def _write_batch_of(self, batch, done, write):
        self.seen.add(sqlite_settings())
        return super()._write_batch_of(batch, done, write)


def sqlite_settings() -> tuple:
    """(cache size in KiB, the search index's FTS5 hashsize or None where never set)."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (cache,) = cursor.fetchone()
        cursor.execute("SELECT v FROM wagtailsearch_indexentry_fts_config WHERE k = 'hashsize'")
        found = cursor.fetchone()
    return -cache, found[0] if found else None


@skipUnless(connection.vendor == "sqlite", "SQLite's own settings")
class SQLiteSettingsTests(TestCase):
    def test_a_run_widens_sqlite_buffers_and_puts_them_back(self):
        make_paper()
        cache_before, _hashsize = before = sqlite_settings()
        importer = SQLiteSettingsWatcher(batch_size=40)
        importer.run(THEME_UNIT, summary=check_wxr(THEME_UNIT))
        self.assertEqual(importer.seen, {(SQLITE_CACHE_KIB, SQLITE_FTS_BUFFER)})
        self.assertNotEqual(cache_before, SQLITE_CACHE_KIB)
        # A buffer never set is left at FTS5's default; one the site had set, at its value.
        self.assertEqual(sqlite_settings(), (cache_before, before[1] or FTS5_DEFAULT_HASHSIZE))
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO wagtailsearch_indexentry_fts(wagtailsearch_indexentry_fts, rank)"
                " VALUES ('hashsize', 2097152)"
            )
        with self.assertRaises(ImportStopped):
            FailingImporter(batch_size=40).run(THEME_UNIT, summary=check_wxr(THEME_UNIT))
        self.assertEqual(sqlite_settings(), (cache_before, 2097152))


def post_page(wordpress_id: int) -> Page | None:
    row = WordPressObject.objects.get(kind__in=("post", "page"), wordpress_id=str(wordpress_id))
    return Page.objects.filter(pk=row.object_id).first()


class EditorsWorkTests(TestCase):
    """What editors did here after an import survives every later run."""

    def setUp(self):
        self.paper = make_paper()
        self.editor = get_user_model().objects.create_superuser("editor", "ed@example.org", "x")

    def test_pages_deleted_here_are_left_alone_and_never_made_again(self):
        def site(title: str) -> Path:
            return exports.export(
                exports.item(10, title, sticky=True),
                exports.item(11, f"{title} 2"),
                exports.item(20, f"{title} page", post_type="page"),
                exports.item(21, f"{title} child", post_type="page", parent=20),
                exports.item(
                    30,
                    post_type="attachment",
                    status="inherit",
                    parent=10,
                    link=f"{exports.SITE}/post-10/photo/",
                ),
            )

        run_import(site("First"))
        for wordpress_id in (10, 20):  # 21 goes with its parent
            post_page(wordpress_id).delete()
        AuthorPage.objects.filter(pk__in=imported("author")).delete()
        pages = Page.objects.count()
        output = run_import(site("First"))  # unchanged records
        self.assertIn("articles: 1 deleted here, left alone, 1 unchanged", output)
        output = run_import(site("Changed"))  # changed ones
        self.assertEqual(Page.objects.count(), pages)
        self.assertIn("articles: 1 deleted here, left alone, 1 updated", output)
        self.assertIn("pages: 2 deleted here, left alone", output)
        self.assertIn("authors: 1 deleted here, left alone", output)
        self.assertIsNone(HomePage.objects.get(pk=self.paper.home.pk).lead_article_id)

    def test_the_lead_article_editors_chose_stays(self):
        run_import(exports.export(exports.item(10, sticky=True), exports.item(11)))
        home = HomePage.objects.get(pk=self.paper.home.pk)
        self.assertEqual(home.lead_article_id, post_page(10).pk)
        home.lead_article_id = post_page(11).pk
        home.save_revision(user=self.editor).publish(user=self.editor)
        output = run_import(
            exports.export(
                exports.item(10, sticky=True),
                exports.item(11),
                exports.item(12, sticky=True, date="2021-01-01 09:00:00"),
            )
        )
        home.refresh_from_db()
        self.assertEqual(home.lead_article_id, post_page(11).pk)
        self.assertIn("lead article was chosen here", output)

    def test_a_new_comment_or_volatile_meta_does_not_rewrite_the_article(self):
        run_import(exports.export(exports.item(10, meta={"_edit_lock": "1:1"})))
        article = post_page(10)
        revisions = article.revisions.count()
        output = run_import(
            exports.export(
                exports.item(
                    10,
                    meta={"_edit_lock": "2:2", "post_views_count": "7"},
                    comments=exports.comment(1),
                )
            )
        )
        self.assertEqual(article.revisions.count(), revisions)
        self.assertIn("articles: 1 unchanged", output)
        self.assertEqual(Comment.objects.filter(article=article).count(), 1)

    def test_an_article_edited_or_unpublished_here_is_left_alone(self):
        run_import(exports.export(exports.item(10, "Old"), exports.item(11, "Other")))
        edited = post_page(10).specific
        edited.title = "Editor's title"
        edited.save_revision(user=self.editor).publish(user=self.editor)
        unpublished = post_page(11).specific
        unpublished.unpublish(user=self.editor)
        output = run_import(
            exports.export(exports.item(10, "New from WordPress"), exports.item(11, "Other 2"))
        )
        edited.refresh_from_db()
        unpublished.refresh_from_db()
        self.assertEqual(edited.title, "Editor's title")
        self.assertFalse(unpublished.live)
        self.assertEqual(unpublished.title, "Other")
        self.assertIn("articles: 2 edited here, left alone", output)
        self.assertIn("was edited here since the last import", output)

    def test_an_author_login_taken_here_gets_a_free_username(self):
        users = get_user_model()
        users.objects.create_user("admin", "someone@example.org")
        users.objects.create_user("admin-wp1", "else@example.org")
        run_import(exports.export(exports.item(10)), "--author-accounts")
        self.assertTrue(users.objects.filter(email="admin@old.example").exists())


class QueryLinkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_paper()
        run_import(exports.export(exports.item(10)))

    def test_the_wordpress_id_alone_decides(self):
        article = post_page(10)
        for old in ("/?p=10", "/?p=10&utm_source=x", "/?utm_source=x&p=10", "/index.php?p=10"):
            response = self.client.get(old)
            self.assertEqual((response.status_code, response["Location"]), (301, article.url), old)
        response = self.client.get("/fa/?p=10")  # the Persian edition's front page
        self.assertEqual(response.status_code, 301)

    def test_other_addresses_cost_no_query(self):
        middleware = WordPressQueryLinkMiddleware(lambda request: HttpResponse("page"))
        for path in ("/news/?p=10", "/2020/?cat=3", "/?q=words"):
            with self.subTest(path), self.assertNumQueries(0):
                response = middleware(RequestFactory().get(path))
            self.assertEqual(response.content, b"page")
        with self.assertNumQueries(1):
            middleware(RequestFactory().get("/?p=999"))


class CommentKindsTests(TestCase):
    def test_only_readers_comments_come_in_and_replies_notify_nobody_again(self):
        make_paper()
        comments = "".join(
            [
                exports.comment(1, user_id=1),  # the author's own, with an account
                exports.comment(2, parent=1, approved="0"),  # held for moderation
                exports.comment(3, comment_type=""),
                exports.comment(4, comment_type="pingback"),
                exports.comment(5, comment_type="trackback"),
                exports.comment(6, comment_type="note"),
                exports.comment(7, comment_type="order_note"),
            ]
        )
        output = run_import(
            exports.export(exports.item(10, comments=comments)), "--author-accounts"
        )
        article = post_page(10)
        self.assertEqual(Comment.objects.filter(article=article).count(), 3)
        self.assertIn("other comment types: 2 skipped", output)
        self.assertIn("pingbacks: 2 skipped", output)
        reply = Comment.objects.get(parent__isnull=False)
        self.assertIsNotNone(reply.parent.user)
        with self.captureOnCommitCallbacks(execute=True):
            comment_services.moderate([reply], CommentStatus.APPROVED)
        self.assertEqual(mail.outbox, [])


class DuplicatesTests(TestCase):
    def test_a_post_or_comment_twice_in_the_export_comes_in_once(self):
        make_paper()
        path = exports.export(
            exports.item(10, "First", comments=exports.comment(1) + exports.comment(1)),
            exports.item(11, "Other"),
            exports.item(10, "Again", comments=exports.comment(1)),
        )
        output = run_import(path, "--batch-size", "50")
        self.assertEqual(ArticlePage.objects.filter(pk__in=imported("post")).count(), 2)
        self.assertEqual(WordPressObject.objects.filter(kind="post").count(), 2)
        self.assertEqual(Comment.objects.count(), 1)
        self.assertEqual(post_page(10).title, "First")
        self.assertIn("holds post 10 (“Again”) twice", output)


class StoredFilesTests(TestCase):
    def setUp(self):
        make_paper()
        self.media = media_folder()
        (self.media / "2008" / "06" / "notes.pdf").write_bytes(b"%PDF-1.4 a document")
        uploads = f"{exports.SITE}/wp-content/uploads/2008/06"
        self.export = exports.export(
            exports.item(
                30,
                post_type="attachment",
                status="inherit",
                attachment_url=f"{uploads}/100_5478.jpg",
            ),
            exports.item(
                31, post_type="attachment", status="inherit", attachment_url=f"{uploads}/notes.pdf"
            ),
        )

    def test_images_and_documents_carry_their_size_and_hash(self):
        run_import(self.export, "--media-dir", str(self.media))
        image = get_image_model().objects.get()
        document = get_document_model().objects.get()
        for made in (image, document):
            self.assertEqual(made.file_size, made.file.size)
            self.assertEqual(len(made.file_hash), 40)

    def test_a_failed_batch_leaves_no_stored_file_behind(self):
        stored = []

        class FailsOnTheDocument(WordPressImporter):
            def _attach_file(self, made, upload):
                if upload.name.endswith(".pdf"):
                    raise RuntimeError("disk full")
                super()._attach_file(made, upload)
                stored.append((made.file.storage, made.file.name))

        importer = FailsOnTheDocument(media_dir=self.media)
        with self.assertRaises(ImportStopped):
            importer.run(self.export, summary=check_wxr(self.export))
        self.assertEqual(len(stored), 1)
        storage, name = stored[0]
        self.assertFalse(storage.exists(name))
        self.assertFalse(get_image_model().objects.exists())


class SearchIndexTests(TestCase):
    """Pages reach the search index only with their batch; a dry run's never do."""

    def test_every_batch_and_the_dry_run_defer_indexing(self):
        make_paper()
        deferred = []

        class Watching(WordPressImporter):
            def _flush_articles(self):
                deferred.append(bulk._waiting_for_index.get() is not None)
                super()._flush_articles()

        path = exports.export(exports.item(10), exports.item(11), exports.item(12))
        for dry_run in (False, True):
            Watching(batch_size=1, dry_run=dry_run).run(path, summary=check_wxr(path))
        self.assertTrue(deferred)
        self.assertTrue(all(deferred))


class GuessedAddressTests(TestCase):
    def test_a_real_old_address_wins_over_a_guessed_one(self):
        make_paper()
        path = exports.export(
            exports.item(10, "Hello post", slug="hello", link=f"{exports.SITE}/?p=10"),
            exports.item(20, "Hello page", post_type="page", link=f"{exports.SITE}/hello/"),
        )
        run_import(path, "--batch-size", "1")  # the post's guesses are written first
        response = self.client.get("/hello/")
        self.assertEqual((response.status_code, response["Location"]), (301, post_page(20).url))
        response = self.client.get("/2020/01/01/hello/")
        self.assertEqual((response.status_code, response["Location"]), (301, post_page(10).url))


class PageStatusTests(TestCase):
    def test_scheduled_unpublished_and_unlocked_pages_follow_wordpress(self):
        make_paper()

        def site(second: bool) -> Path:
            return exports.export(
                exports.item(20, post_type="page", status="future", date="2030-05-01 08:00:00"),
                exports.item(
                    21, "Page 21", post_type="page", status="draft" if second else "publish"
                ),
                exports.item(22, "Page 22", post_type="page", password="" if second else "secret"),
            )

        run_import(site(False))
        scheduled = post_page(20).specific
        self.assertFalse(scheduled.live)
        self.assertEqual(scheduled.go_live_at.year, 2030)
        self.assertEqual(scheduled.latest_revision.approved_go_live_at, scheduled.go_live_at)
        self.assertTrue(post_page(21).live)
        self.assertTrue(PageViewRestriction.objects.filter(page=post_page(22)).exists())
        run_import(site(True))
        self.assertFalse(post_page(21).live)
        self.assertFalse(PageViewRestriction.objects.filter(page=post_page(22)).exists())
