"""The worker process (pipeline.py) must leave exactly what converting in the importer leaves."""

import json

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.test import TestCase
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect
from wagtail.images import get_image_model
from wagtail.models import Page
from wagtail.search.models import IndexEntry

from masthead.comments.models import Comment
from masthead.content.models import ArticlePage, HomePage
from masthead.content.tests.factories import make_paper
from masthead.wordpress.importer import WordPressImporter
from masthead.wordpress.models import WordPressObject
from masthead.wordpress.tests.test_importer import THEME_UNIT, media_folder
from masthead.wordpress.wxr import check_wxr


class Rollback(Exception):
    """Raised to undo an import after its snapshot was taken."""


class CountingImporter(WordPressImporter):
    """Counts the posts whose blocks the worker made (None: it left the post to us)."""

    def _article(self, item):
        prepared = self.prepared.get(id(item))
        self.from_worker = getattr(self, "from_worker", 0)
        self.left_to_us = getattr(self, "left_to_us", 0)
        if prepared is not None and prepared.converted is not None:
            self.from_worker += 1
        elif prepared is not None:
            self.left_to_us += 1
        super()._article(item)


def labelled(blocks) -> list:
    """The blocks with each image named by its title, not its id: PostgreSQL does not roll
    sequences back, so the second import's image has another id (and so its block another
    id, which is derived from the block's value)."""
    images = {image.pk: image.title for image in get_image_model().objects.all()}
    out = []
    for block in blocks:
        block = dict(block)
        if block["type"] == "image":
            block["value"] = {**block["value"], "image": images[block["value"]["image"]]}
            block.pop("id")
        out.append(block)
    return out


def wordpress_ids() -> dict[tuple[int, int], str]:
    """(content type, object id) → "kind id" of everything the import mapped."""
    return {
        (content_type, object_id): f"{kind} {wordpress_id}"
        for kind, wordpress_id, content_type, object_id in WordPressObject.objects.values_list(
            "kind", "wordpress_id", "content_type", "object_id"
        )
    }


def comments() -> dict:
    """Each imported comment as its row holds it, its article and parent named by their
    WordPress ids (the database's own ids may differ between two imports)."""
    named = wordpress_ids()
    article_type = ContentType.objects.get_for_model(ArticlePage).pk
    comment_type = ContentType.objects.get_for_model(Comment).pk
    return {
        named[(comment_type, row["id"])]: (
            named[(article_type, row["article_id"])],
            named.get((comment_type, row["parent_id"])),
            *(row[name] for name in ("author_name", "author_email", "author_website", "body")),
            row["status"],
            row["created_at"],
            row["reply_notified_at"] is not None,
        )
        for row in Comment.objects.values()
    }


def redirects() -> dict:
    """Each redirect the import made, its page named by the WordPress id it came from."""
    named = {object_id: name for (_type, object_id), name in wordpress_ids().items()} | {
        page.pk: "home" for page in HomePage.objects.all()
    }
    return {
        old: (named.get(page_id, page_id), route, permanent)
        for old, page_id, route, permanent in Redirect.objects.values_list(
            "old_path", "redirect_page", "redirect_page_route_path", "is_permanent"
        )
    }


def revised(page: ArticlePage) -> dict:
    """What the article's revision holds, less what differs between any two imports (its
    ids, its translation key, when it was written)."""
    revision = page.latest_revision
    with connection.cursor() as cursor:
        cursor.execute("SELECT content FROM wagtailcore_revision WHERE id = %s", [revision.pk])
        (text,) = cursor.fetchone()
    content = dict(revision.content)
    body = json.loads(content.pop("body"))
    for name in ("pk", "translation_key", "latest_revision_created_at", "live_revision"):
        content.pop(name)
    # Named, not numbered: PostgreSQL does not roll sequences back.
    content["bylines"] = [
        Page.objects.get(pk=byline["author"]).title for byline in content["bylines"]
    ]
    content["tagged_items"] = [
        Tag.objects.get(pk=tagged["tag"]).name for tagged in content["tagged_items"]
    ]
    if content["lead_image"] is not None:
        content["lead_image"] = get_image_model().objects.get(pk=content["lead_image"]).title
    for block in body:
        if block["type"] == "preview_break":
            block.pop("id")  # a random one, as Wagtail gives
    content["body"] = labelled(body)
    if connection.vendor == "sqlite":  # stored as json.dumps wrote it (jsonb has its own)
        content["stored as written"] = text == json.dumps(json.loads(text), cls=DjangoJSONEncoder)
    return content


class WorkerTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_paper()
        cls.media = media_folder()

    def imported(self, *, worker: bool):
        """Import the theme unit data, note what came of it, and roll it back."""
        importer = CountingImporter(media_dir=self.media, worker=worker)
        importer.worker_min_posts = 0  # the export has 58 posts; use the worker anyway
        try:
            with transaction.atomic():
                report = importer.run(THEME_UNIT, summary=check_wxr(THEME_UNIT)).as_dict()
                mappings = dict(
                    WordPressObject.objects.filter(kind="post").values_list(
                        "wordpress_id", "checksum"
                    )
                )
                pages = {
                    str(wordpress_id): ArticlePage.objects.get(pk=pk)
                    for wordpress_id, pk in WordPressObject.objects.filter(kind="post").values_list(
                        "wordpress_id", "object_id"
                    )
                }
                articles = {
                    key: (
                        page.title,
                        page.standfirst,
                        labelled(page.body.raw_data),
                        page.access_level,
                        page.live,
                    )
                    for key, page in pages.items()
                }
                entries = {
                    entry.object_id: (entry.title, entry.autocomplete, entry.body)
                    for entry in IndexEntry.objects.filter(
                        content_type=ContentType.objects.get_for_model(ArticlePage)
                    )
                }
                searched = {key: entries.get(str(page.pk)) for key, page in pages.items()}
                written = {
                    "comments": comments(),
                    "redirects": redirects(),
                    "revisions": {key: revised(page) for key, page in pages.items()},
                }
                raise Rollback
        except Rollback:
            pass
        return importer, report, mappings, articles, searched, written

    def test_the_worker_converts_posts_as_the_importer_does(self):
        serial, *expected = self.imported(worker=False)
        parallel, *actual = self.imported(worker=True)
        self.assertEqual(getattr(serial, "from_worker", 0), 0)
        # Most posts came converted from the worker; the one whose picture only the media
        # folder holds was left to the importer, which adds the picture from the folder.
        self.assertGreater(parallel.from_worker, 40)
        self.assertGreaterEqual(parallel.left_to_us, 1)
        report, mappings, articles, searched, written = actual
        self.assertEqual(len(articles), 58)
        self.assertEqual(report, expected[0])
        self.assertEqual(mappings, expected[1])
        self.assertEqual(articles, expected[2])
        # The index's text of each body, which the worker computed, is the importer's.
        self.assertEqual(searched, expected[3])
        # So are the comments' texts, the old addresses, the revisions' stored body (which
        # the worker encoded): what the importer would have made of the same records.
        self.assertGreater(len(written["comments"]), 20)
        self.assertGreater(len(written["redirects"]), 100)
        for name in ("comments", "redirects", "revisions"):
            self.assertEqual(written[name], expected[4][name], name)
        live = [key for key, (*_fields, is_live) in articles.items() if is_live]
        self.assertTrue(live and all(searched[key] for key in live))
        self.assertTrue(
            any(b["type"] == "image" for _t, _s, body, *_r in articles.values() for b in body)
        )
