"""add_pages must leave exactly what Wagtail's add_child + save_revision + publish leave.

Each comparison builds the same pages twice from the same description: once through
Wagtail's own calls inside a savepoint that is then rolled back, once through add_pages
on the same starting tree, and compares everything both wrote, with database ids and
"now" timestamps replaced by stable labels.
"""

import datetime
import json
import uuid

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from masthead.accounts.models import User
from masthead.content.models import ArticleAuthor, ArticlePage, ArticlePageTag
from masthead.content.tests.factories import make_article, make_image, make_paper
from masthead.wordpress.bulk import (
    FEW_NAMESAKES,
    add_page_groups,
    add_pages,
    deferred_search_index,
    instance_maker,
    serializable_data,
    stream_json,
)

KEYS = uuid.UUID("6f1c2a52-3a4e-4f55-9d0e-8d6c1c0a7b11")


class Rollback(Exception):
    """Raised to undo the reference build after its snapshot was taken."""


def describe(
    count: int, *, writers, image, linked_page, first_published=True, block_ids=True, start=0
):
    """Fresh, unsaved articles: text in both languages, tags, bylines, an image, a link."""
    pages = []
    for n in range(start, start + count):
        body = [
            {"type": "paragraph", "value": f"<p>Paragraph one of story {n}, oil prices.</p>"},
            {"type": "heading", "value": {"text": f"Heading {n}", "level": "h2"}},
            {"type": "paragraph", "value": "<p>پاراگراف دوم درباره اقتصاد ایران.</p>"},
            {
                "type": "paragraph",
                "value": f'<p>See <a linktype="page" id="{linked_page.pk}">this</a>.</p>',
            },
            {"type": "image", "value": {"image": image.pk, "caption": "A caption"}},
            {"type": "quote", "value": {"text": "Words.", "attribution": "Someone"}},
        ]
        if block_ids:
            for position, block in enumerate(body):
                block["id"] = str(uuid.uuid5(KEYS, f"{n}-{position}"))
        page = ArticlePage(
            title=f"Story {n}: the budget" if n % 3 else f"داستان {n}",
            standfirst=f"What story {n} is about.",
            body=body,
            lead_image=image if n % 2 else None,
            translation_key=uuid.uuid5(KEYS, str(n)),
        )
        if first_published:
            page.first_published_at = datetime.datetime(2011, 3, 9, 8, n % 60, tzinfo=datetime.UTC)
        if n % 4:
            page.slug = f"story-{n}"  # the rest are slugged from their titles
        for position, writer in enumerate(writers[: 1 + n % len(writers)]):
            page.bylines.add(ArticleAuthor(author=writer, sort_order=position))
        page.tags.add("economy", f"tag-{n % 3}")
        pages.append(page)
    return pages


def wagtail_way(parent, pages, *, publish=True, user=None):
    """What the admin's create view does for "Publish" and for "Save draft"."""
    for page in pages:
        if not publish:
            page.live = False
        parent.add_child(instance=page)
        revision = page.save_revision(user=user)
        if publish:
            revision.publish(user=user)


class Labels:
    """Stable names for ids and for timestamps taken during the build."""

    def __init__(self, since):
        self.since = since
        self.names = {}

    def __call__(self, kind, value):
        if value is None:
            return None
        key = (kind, str(value))
        return self.names.setdefault(key, f"{kind}#{sum(k[0] == kind for k in self.names)}")

    def when(self, value):
        if isinstance(value, str):
            try:
                value = datetime.datetime.fromisoformat(value)
            except ValueError:
                return value
        if isinstance(value, datetime.datetime) and value >= self.since:
            return "now"
        return value


def snapshot(parent, since) -> dict:
    """Everything Wagtail writes for new children of `parent`, ids and times labelled."""
    label = Labels(since)
    parent = Page.objects.get(pk=parent.pk)
    pages = list(
        Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .filter(latest_revision_created_at__gte=since)
        .order_by("path")
    )
    for page in pages:
        label("page", page.pk)
    page_ids = [p.pk for p in pages]
    revisions = list(
        Revision.objects.filter(
            base_content_type=ContentType.objects.get_for_model(Page),
            object_id__in=[str(pk) for pk in page_ids],
        ).order_by("created_at", "pk")
    )
    for revision in sorted(revisions, key=lambda r: label("page", r.object_id)):
        label("revision", revision.pk)
    children = {}
    for model, name in ((ArticleAuthor, "byline"), (ArticlePageTag, "tagged")):
        key = "article_id" if model is ArticleAuthor else "content_object_id"
        rows = list(model.objects.filter(**{f"{key}__in": page_ids}).order_by(key, "pk").values())
        for row in rows:
            label(name, row["id"])
        children[name] = [
            {
                **row,
                "id": label(name, row["id"]),
                key: label("page", row[key]),
                **({"tag_id": model.objects.get(pk=row["id"]).tag.name} if "tag_id" in row else {}),
            }
            for row in rows
        ]

    def content(value, key=None):
        """A revision's content with ids and times labelled by what they point at."""
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                if k in ("pk", "id") and key in (None, "page"):
                    out[k] = label("page", v)
                elif k in ("latest_revision", "live_revision"):
                    out[k] = label("revision", v)
                elif k in ("article", "content_object"):
                    out[k] = label("page", v)
                elif k == "body" and isinstance(v, str):
                    out[k] = json.loads(v)
                elif k in ("pk", "id") and key == "bylines":
                    out[k] = label("byline", v)
                elif k in ("pk", "id") and key == "tagged_items":
                    out[k] = label("tagged", v)
                else:
                    out[k] = content(v, k if isinstance(v, list) else key)
            return out
        if isinstance(value, list):
            return [content(item, key) for item in value]
        return label.when(value)

    def row(values: dict) -> dict:
        out = {}
        for k, v in values.items():
            if k in ("id", "page_ptr_id"):
                out[k] = label("page", v)
            elif k in ("latest_revision_id", "live_revision_id"):
                out[k] = label("revision", v)
            elif k == "body":
                out[k] = list(v.get_prep_value()) if hasattr(v, "get_prep_value") else v
            else:
                out[k] = label.when(v)
        return out

    article_fields = [f.attname for f in ArticlePage._meta.local_concrete_fields]
    search_backend = get_search_backend()
    entries = IndexEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ArticlePage),
        object_id__in=[str(pk) for pk in page_ids],
    )

    def content_path(path: str) -> str:
        parts = path.split(".")
        if len(parts) > 2 and parts[0] in ("bylines", "tagged_items"):
            kind = "byline" if parts[0] == "bylines" else "tagged"
            parts[1] = label(kind, parts[1])
        return ".".join(parts)

    return {
        "stored": stored_texts(page_ids, label),
        "parent_numchild": parent.numchild,
        "pages": [row(v) for v in Page.objects.filter(pk__in=page_ids).order_by("path").values()],
        "articles": [
            row(v)
            for v in ArticlePage.objects.filter(pk__in=page_ids)
            .order_by("path")
            .values(*article_fields)
        ],
        "revisions": [
            {
                "object": label("page", r.object_id),
                "id": label("revision", r.pk),
                "content_type": r.content_type_id,
                "base_content_type": r.base_content_type_id,
                "user": r.user_id,
                "approved_go_live_at": label.when(r.approved_go_live_at),
                "object_str": r.object_str,
                "created_at": label.when(r.created_at),
                "content": content(r.content),
            }
            for r in sorted(revisions, key=lambda r: label("revision", r.pk))
        ],
        "log": sorted(
            (
                label("page", e.page_id),
                e.action,
                e.user_id,
                e.label,
                json.dumps(content(e.data), sort_keys=True, default=str),
                e.content_changed,
                e.deleted,
                label("revision", e.revision_id),
                str(e.uuid),
                e.content_type_id,
            )
            for e in PageLogEntry.objects.filter(page_id__in=page_ids)
        ),
        "children": children,
        # title_norm is left out: a ranking statistic the SQLite backend recomputes from the
        # average title length at each insert, so it depends on the order rows arrived in.
        "search": sorted(
            (label("page", e.object_id), str(e.title), str(e.autocomplete), str(e.body))
            for e in entries
        ),
        "search_backend": type(search_backend).__name__,
        "references": sorted(
            (
                label("page", r.object_id),
                r.content_type_id,
                r.base_content_type_id,
                r.to_content_type_id,
                r.to_object_id,
                r.model_path,
                content_path(r.content_path),
            )
            for r in ReferenceIndex.objects.filter(
                base_content_type=ContentType.objects.get_for_model(Page),
                object_id__in=[str(pk) for pk in page_ids],
            )
        ),
    }


def stored_texts(page_ids: list[int], label) -> list:
    """The JSON as the database holds it: each body column's text, and for each revision
    whether its text is json.dumps' own and the order of its keys (the values are
    compared parsed, above). On PostgreSQL both are jsonb's, the same for the same data."""
    base = ContentType.objects.get_for_model(Page).pk
    found = []
    with connection.cursor() as cursor:
        for pk in page_ids:
            cursor.execute("SELECT body FROM content_articlepage WHERE page_ptr_id = %s", [pk])
            (body,) = cursor.fetchone()
            cursor.execute(
                "SELECT content FROM wagtailcore_revision"
                " WHERE base_content_type_id = %s AND object_id = %s",
                [base, str(pk)],
            )
            (content,) = cursor.fetchone()
            body, content = as_text(body), as_text(content)
            found.append(
                (
                    label("page", pk),
                    body,
                    content == json.dumps(json.loads(content), cls=DjangoJSONEncoder),
                    json.loads(content, object_pairs_hook=key_order),
                )
            )
    return found


def as_text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def key_order(pairs: list) -> list:
    """An object's keys in order, with the keys of the objects it holds (not its values)."""
    return [
        (key, [item if isinstance(item, list) else None for item in value])
        if isinstance(value, list)
        else (key, None)
        for key, value in pairs
    ]


class AddPagesMatchesWagtail(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        cls.image = make_image("Bulk")
        cls.editor = User.objects.create_superuser("editor", "editor@example.org", "x")
        cls.writers = cls.paper.writers
        # Tags exist before either build, so both builds point at the same tag rows.
        for name in ("economy", "tag-0", "tag-1", "tag-2"):
            Tag.objects.create(name=name, slug=name)
        # The section already holds articles, so new paths continue after the last one.
        cls.existing = make_article(cls.paper.economy, "Story 2: the budget")

    def compare(self, *, publish=True, count=7, user=None, encoded=False, **describe_options):
        section = self.paper.economy

        def build(ours=False):
            pages = describe(
                count,
                writers=self.writers,
                image=self.image,
                linked_page=self.existing,
                **describe_options,
            )
            if ours and encoded:
                # The body's JSON made ahead, as the import's worker makes it.
                for page in pages:
                    page._bulk_stream_json = {"body": stream_json(list(page.body.raw_data))}
            return pages

        since = timezone.now()
        try:
            with transaction.atomic():
                wagtail_way(section, build(), publish=publish, user=user)
                expected = snapshot(section, since)
                raise Rollback
        except Rollback:
            pass
        section.refresh_from_db()
        since = timezone.now()
        pages = add_pages(section, build(ours=True), publish=publish, user=user)
        actual = snapshot(section, since)
        self.assertEqual(len(expected["pages"]), count)
        self.assertEqual(len(expected["revisions"]), count)
        self.assertTrue(expected["search"])
        self.assertTrue(expected["references"])
        for key in expected:
            self.assertEqual(actual[key], expected[key], key)
        return pages

    def test_published_now_and_with_their_own_first_publication_time(self):
        pages = self.compare(user=self.editor)
        self.assertTrue(all(p.live and p.live_revision_id for p in pages))
        self.assertEqual(pages[0].first_published_at.year, 2011)

    def test_bodies_encoded_ahead_are_stored_as_wagtail_stores_them(self):
        self.compare(user=self.editor, encoded=True)
        self.compare(publish=False, encoded=True, start=20)

    def test_published_without_a_first_publication_time_or_user(self):
        self.compare(first_published=False)

    def test_drafts(self):
        pages = self.compare(publish=False, user=self.editor)
        self.assertFalse(any(p.live for p in pages))

    def test_scheduled_for_the_future(self):
        later = timezone.now() + datetime.timedelta(days=3)
        section = self.paper.economy
        since = timezone.now()

        def build():
            pages = describe(3, writers=self.writers, image=self.image, linked_page=self.existing)
            for page in pages:
                page.go_live_at = later
            return pages

        try:
            with transaction.atomic():
                wagtail_way(section, build(), user=self.editor)
                expected = snapshot(section, since)
                raise Rollback
        except Rollback:
            pass
        since = timezone.now()
        pages = add_pages(section, build(), user=self.editor)
        actual = snapshot(section, since)
        self.assertEqual(actual, expected)
        self.assertFalse(any(p.live for p in pages))
        self.assertTrue(all(r["approved_go_live_at"] for r in actual["revisions"]))

    def test_blocks_without_ids_get_the_same_ids_in_the_page_and_its_revision(self):
        [page] = add_pages(
            self.paper.economy,
            describe(
                1,
                writers=self.writers,
                image=self.image,
                linked_page=self.existing,
                block_ids=False,
            ),
        )
        stored = ArticlePage.objects.get(pk=page.pk)
        revision_body = stored.latest_revision.content["body"]
        if isinstance(revision_body, str):
            revision_body = json.loads(revision_body)
        row_ids = [block.id for block in stored.body]
        self.assertTrue(all(row_ids))
        self.assertEqual([block["id"] for block in revision_body], row_ids)


class AddPageGroupsMatchesAddPages(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        cls.image = make_image("Bulk")
        for name in ("economy", "tag-0", "tag-1", "tag-2"):
            Tag.objects.create(name=name, slug=name)
        cls.existing = make_article(cls.paper.economy, "Story 2: the budget")

    def build(self, start):
        return describe(
            4, writers=self.paper.writers, image=self.image, linked_page=self.existing, start=start
        )

    def test_several_parents_at_once_as_one_call_each(self):
        sections = (self.paper.economy, self.paper.politics)
        since = timezone.now()
        try:
            with transaction.atomic():
                for start, section in enumerate(sections):
                    add_pages(section, self.build(10 * start))
                expected = [snapshot(section, since) for section in sections]
                raise Rollback
        except Rollback:
            pass
        for section in sections:
            section.refresh_from_db()
        since = timezone.now()
        add_page_groups(
            [(section, self.build(10 * start)) for start, section in enumerate(sections)]
        )
        actual = [snapshot(section, since) for section in sections]
        self.assertEqual([len(found["pages"]) for found in expected], [4, 4])
        self.assertEqual(actual, expected)
        self.assertEqual(Page.find_problems(), ([], [], [], [], []))

    def test_each_parent_once(self):
        with self.assertRaises(ValueError):
            add_page_groups([(self.paper.news, self.build(0)), (self.paper.news, self.build(10))])


class BuildingPages(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        cls.image = make_image("Bulk")
        cls.existing = make_article(cls.paper.economy, "Taken")

    def test_a_maker_makes_what_the_constructor_makes(self):
        make = instance_maker(ArticlePage)
        self.assertIsNot(make, ArticlePage)
        when = datetime.datetime(2011, 3, 9, 8, 0, tzinfo=datetime.UTC)
        body = [{"type": "paragraph", "value": "<p>Words.</p>", "id": str(uuid.uuid4())}]

        def fields():
            return {
                "title": "A story",
                "slug": "a-story",
                "standfirst": "About it.",
                "body": list(body),
                "lead_image_id": self.image.pk,
                "first_published_at": when,
                "bylines": [ArticleAuthor(sort_order=0, author=self.paper.writers[0])],
                "tagged_items": [ArticlePageTag(tag=Tag.objects.get_or_create(name="oil")[0])],
            }

        made, built = make(**fields()), ArticlePage(**fields())
        ours, theirs = dict(made.__dict__), dict(built.__dict__)
        for state in (ours, theirs):
            state.pop("translation_key")  # a fresh uuid4 each
        self.assertEqual(list(ours.pop("body").raw_data), list(theirs.pop("body").raw_data))
        ours_state, theirs_state = ours.pop("_state"), theirs.pop("_state")
        children = ours.pop("_cluster_related_objects"), theirs.pop("_cluster_related_objects")
        self.assertEqual(ours, theirs)
        self.assertEqual(
            (ours_state.adding, ours_state.db, ours_state.fields_cache),
            (theirs_state.adding, theirs_state.db, theirs_state.fields_cache),
        )
        self.assertEqual([set(found) for found in children], [{"bylines", "tagged_items"}] * 2)
        self.assertNotEqual(made.translation_key, make().translation_key)
        self.assertEqual(list(make().body.raw_data), list(ArticlePage().body.raw_data))
        self.assertIsNot(make().body, make().body)  # a default of its own, as the constructor's

    def test_a_maker_makes_children_as_the_constructor_does(self):
        for model, fields in (
            (ArticleAuthor, {"sort_order": 2, "author": self.paper.writers[1]}),
            (ArticlePageTag, {"tag": Tag.objects.get_or_create(name="oil")[0]}),
        ):
            make = instance_maker(model)
            self.assertIsNot(make, model)
            made, built = make(**fields), model(**fields)
            ours, theirs = dict(made.__dict__), dict(built.__dict__)
            ours_state, theirs_state = ours.pop("_state"), theirs.pop("_state")
            self.assertEqual(ours, theirs)
            self.assertEqual(
                (ours_state.adding, ours_state.db, ours_state.fields_cache),
                (theirs_state.adding, theirs_state.db, theirs_state.fields_cache),
            )

    def test_serialised_as_modelcluster_serialises(self):
        pages = describe(3, writers=self.paper.writers, image=self.image, linked_page=self.existing)
        naive = ArticlePage(title="Later", go_live_at=datetime.datetime(2030, 1, 1, 12, 0))
        self.assertEqual(serializable_data(naive), naive.serializable_data())  # made UTC
        self.assertEqual(serializable_data(pages[0]), pages[0].serializable_data())
        add_pages(self.paper.news, pages)
        for page in pages:
            self.assertEqual(serializable_data(page), page.serializable_data())
            stored = ArticlePage.objects.get(pk=page.pk)
            self.assertEqual(serializable_data(stored), stored.serializable_data())
        self.assertTrue(serializable_data(pages[1])["bylines"])

    def test_a_slug_taken_elsewhere_is_free_under_another_parent(self):
        # A few namesakes elsewhere are looked up one by one, many by the parent's range.
        for count in (3, FEW_NAMESAKES + 5):
            with self.subTest(count=count), transaction.atomic():
                stories = range(count)
                add_pages(
                    self.paper.economy,
                    [ArticlePage(title=f"Story {n}", slug=f"story-{n}") for n in stories],
                )
                add_pages(self.paper.politics, [ArticlePage(title="Story 1", slug="story-1")])
                pages = [ArticlePage(title=f"Story {n}") for n in stories]
                pages.append(ArticlePage(title="Other", slug=f"story-{count - 1}-2"))
                add_pages(self.paper.politics, pages)
                expected = [f"story-{n}" if n != 1 else "story-1-2" for n in stories]
                self.assertEqual([p.slug for p in pages], [*expected, f"story-{count - 1}-2"])
                with self.assertRaises(ValidationError):
                    add_pages(self.paper.politics, [ArticlePage(title="Again", slug="story-0")])
                transaction.set_rollback(True)


class AddPagesBehaviour(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        cls.image = make_image("Bulk")
        cls.existing = make_article(cls.paper.politics, "Taken")

    def articles(self, count, **options):
        return describe(
            count,
            writers=self.paper.writers,
            image=self.image,
            linked_page=self.existing,
            **options,
        )

    def test_a_batch_costs_the_same_queries_whatever_its_size(self):
        counts = []
        for size, start in ((5, 0), (40, 100)):
            pages = self.articles(size, start=start)  # tags.add() asks for its tags
            ContentType.objects.clear_cache()
            with CaptureQueriesContext(connection) as queries:
                add_pages(self.paper.news, pages)
            counts.append(len(queries))
        # A fixed number of statements, the bodies' images included: the reference index
        # looks them up once for the batch, not once a page as StreamField's values would.
        self.assertEqual(counts[1], counts[0])

    def test_title_norms_are_the_ones_the_sqlite_backend_gives_a_bulk_add(self):
        index = get_search_backend().get_index_for_model(ArticlePage)
        if type(index).__name__ != "SQLiteIndex":
            self.skipTest("the title norm is the SQLite backend's statistic")
        add_pages(self.paper.news, self.articles(6))
        pages = add_pages(self.paper.politics, self.articles(9, start=6))
        entries = IndexEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(ArticlePage),
            object_id__in=[str(page.pk) for page in pages],
        )
        ours = dict(entries.values_list("object_id", "title_norm"))
        # The backend's own way for the same pages: inserted at 1.0, then its refresh.
        entries.delete()
        index.add_items(ArticlePage, [ArticlePage.objects.get(pk=page.pk) for page in pages])
        theirs = dict(entries.values_list("object_id", "title_norm"))
        self.assertEqual(len(ours), 9)
        self.assertEqual(ours, theirs)
        self.assertNotIn(1.0, ours.values())
        self.assertGreater(len(set(ours.values())), 1)

    def test_references_read_from_the_stored_blocks_are_wagtails_own(self):
        pages = self.articles(3)
        gone = make_image("Deleted later")
        gone_pk = gone.pk
        gone.delete()
        # A chosen image that no longer exists is no reference, as Wagtail's walk finds it.
        pages[0].body = [
            *pages[0].body.raw_data,
            {"type": "image", "value": {"image": gone_pk, "caption": "Gone"}},
        ]
        add_pages(self.paper.news, pages, clean=False)
        image_type = ContentType.objects.get_for_model(type(self.image)).pk
        for page in pages:
            stored = set(
                ReferenceIndex.objects.filter(
                    base_content_type=ContentType.objects.get_for_model(Page),
                    object_id=str(page.pk),
                ).values_list("to_content_type", "to_object_id", "model_path", "content_path")
            )
            fresh = ArticlePage.objects.get(pk=page.pk)
            self.assertEqual(stored, set(ReferenceIndex._extract_references_from_object(fresh)))
            images = {target for kind, target, _m, _c in stored if kind == image_type}
            self.assertIn(str(self.image.pk), images)
            self.assertNotIn(str(gone_pk), images)

    def test_a_slug_a_sibling_has_is_refused_and_nothing_is_written(self):
        before = (Page.objects.count(), Revision.objects.count(), IndexEntry.objects.count())
        pages = self.articles(3)
        pages[2].slug = self.existing.slug
        with self.assertRaises(ValidationError) as raised:
            add_pages(self.paper.politics, pages)
        self.assertIn("already in use", str(raised.exception))
        after = (Page.objects.count(), Revision.objects.count(), IndexEntry.objects.count())
        self.assertEqual(after, before)

    def test_titles_that_slug_alike_get_numbered_like_wagtail_numbers_them(self):
        pages = [ArticlePage(title="Taken"), ArticlePage(title="Taken"), ArticlePage(title="Taken")]
        add_pages(self.paper.politics, pages)
        self.assertEqual([p.slug for p in pages], ["taken-2", "taken-3", "taken-4"])

    def test_an_invalid_page_is_refused_before_anything_is_written(self):
        before = Page.objects.count()
        pages = self.articles(2)
        pages[1].access_level = "everyone-and-their-dog"
        with self.assertRaises(ValidationError):
            add_pages(self.paper.news, pages)
        self.assertEqual(Page.objects.count(), before)

    def test_saved_pages_are_refused(self):
        with self.assertRaises(ValueError):
            add_pages(self.paper.news, [self.existing])

    def test_the_new_articles_are_served_found_and_in_the_tree(self):
        pages = add_pages(self.paper.news, self.articles(4))
        for page in pages:
            response = self.client.get(page.url)
            self.assertEqual(response.status_code, 200)
            self.assertContains(response, page.title)
        self.assertEqual(
            Page.find_problems(), ([], [], [], [], [])
        )  # treebeard's own check: paths, depths and numchild agree
        found = ArticlePage.objects.live().search("budget")
        self.assertTrue({p.pk for p in pages[1:3]} <= {p.pk for p in found})
        self.assertEqual(set(pages[1].tags.values_list("name", flat=True)), {"economy", "tag-1"})
        self.assertEqual(self.paper.news.numchild, Page.objects.get(pk=self.paper.news.pk).numchild)

    def test_deferred_indexing_indexes_every_call_at_the_end_of_the_block(self):
        article_type = ContentType.objects.get_for_model(ArticlePage)
        with deferred_search_index():
            first = add_pages(self.paper.news, self.articles(2))
            second = add_pages(self.paper.economy, self.articles(2, start=10))
            ids = [str(p.pk) for p in first + second]
            waiting = IndexEntry.objects.filter(content_type=article_type, object_id__in=ids)
            self.assertEqual(waiting.count(), 0)
        entries = IndexEntry.objects.filter(content_type=article_type, object_id__in=ids)
        self.assertEqual(entries.count(), 4)
        # The section's name and the byline are indexed as the bulk path saw them.
        self.assertIn(second[0].pk, [p.pk for p in ArticlePage.objects.search("Economy")])
        self.assertIn(first[0].pk, [p.pk for p in ArticlePage.objects.search("Ada Writer")])

    def test_deferred_indexing_indexes_nothing_when_the_block_fails(self):
        article_type = ContentType.objects.get_for_model(ArticlePage)
        before = IndexEntry.objects.filter(content_type=article_type).count()
        with self.assertRaises(RuntimeError), transaction.atomic(), deferred_search_index():
            add_pages(self.paper.news, self.articles(2))
            raise RuntimeError("the batch failed")
        self.assertEqual(IndexEntry.objects.filter(content_type=article_type).count(), before)
