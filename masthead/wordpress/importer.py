"""Write what the WXR reader yields into the paper: sections, authors, articles, comments.

The importer never sees XML (`wxr.py` does) and never parses HTML (`convert.py` does). It
keeps a `WordPressObject` row per thing it writes, with a digest of the record, so a second
run finds everything it made and skips what has not changed; a run that failed part-way is
resumed by running it again. Records are written in batches, one transaction each.
"""

from __future__ import annotations

import datetime
import gc
import hashlib
import html
import itertools
import json
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nh3
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.images import ImageFile
from django.core.validators import URLValidator
from django.db import connections, reset_queries, router, transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from taggit.models import Tag
from wagtail.contrib.redirects.models import Redirect
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, Locale, Page, PageLogEntry, PageViewRestriction
from wagtail.search.models import IndexEntry

from masthead.comments.models import Comment as ReaderComment
from masthead.comments.models import CommentStatus
from masthead.content.models import (
    AccessLevel,
    ArticleAuthor,
    ArticlePage,
    ArticlePageTag,
    AuthorIndexPage,
    AuthorPage,
    HomePage,
    SectionPage,
    StandardPage,
)
from masthead.pagecache.purge import batched as purge_batched

from .bulk import add_page_groups, add_pages, deferred_search_index, insert_rows, instance_maker
from .models import ImportRun, WordPressObject
from .pipeline import WORKER_MIN_POSTS, ImageLookup, Prepared, prepared_records
from .readers import free_username
from .records import Author, Channel, Comment, Item, Term

SLUG_LENGTH = 255  # Wagtail's slug field
TITLE_LENGTH = 255
SQLITE_CACHE_KIB = 256 * 1024  # the import's SQLite page cache: a few batches' pages
# What SQLite's full-text index gathers in memory before writing it out as a segment (FTS5's
# `hashsize`; its default is 1 MiB, less than a batch's words).
SQLITE_FTS_BUFFER = 64 * 1024 * 1024
FTS5_DEFAULT_HASHSIZE = 1024 * 1024
KEPT_WARNINGS = 500  # a huge archive may warn thousands of times; the report keeps the first
UPLOADS = "/wp-content/uploads/"
RESIZED = re.compile(r"-\d+x\d+(?=\.[A-Za-z0-9]+$)")  # WordPress's "photo-300x200.jpg" copies
SKIPPED_STATUSES = {"trash", "auto-draft", "inherit"}
READERS_COMMENT_TYPES = {"", "comment"}
# The columns of a comment row the importer builds (_comments), in order.
COMMENT_COLUMNS = ["article", "parent", "user", "author_name", "author_email"]
COMMENT_COLUMNS += ["author_website", "body", "status", "created_at", "reply_notified_at"]
# Post types that are the site's machinery rather than its content.
MACHINERY_TYPES = {
    "nav_menu_item",
    "wp_navigation",
    "revision",
    "customize_changeset",
    "custom_css",
    "oembed_cache",
    "wp_global_styles",
    "wp_template",
    "wp_template_part",
    "wp_block",
    "user_request",
}
PAGE_BODY_BLOCKS = {"paragraph", "heading", "quote", "image"}
PAGE_KINDS = ("author", "category", "post", "page")  # mappings whose object is a page
LEFT_ALONE = gettext_noop("deleted here, left alone")
EDITED_HERE = gettext_noop("edited here, left alone")


REFUSED = Path("/dev/null/refused")  # _media_file's answer for a path outside --media-dir
UNKNOWN_IMAGE = object()  # known_image's answer when only the media folder can tell


class _DryRunDone(Exception):
    """Raised at the end of a dry run to roll everything back, the search index included."""


class ImportStopped(Exception):
    """A batch could not be written; earlier batches stay, a rerun resumes after them."""


@dataclass
class Report:
    """What a run did: counts per kind and outcome, warnings, redirects, sticky posts."""

    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    warnings: list[str] = field(default_factory=list)
    warnings_total: int = 0
    unknown_shortcodes: Counter = field(default_factory=Counter)
    redirects: int = 0
    lead_article: str = ""
    other_sticky: list[str] = field(default_factory=list)
    skipped_types: Counter = field(default_factory=Counter)

    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        self.counts[kind][outcome] += n

    def warn(self, message: str) -> None:
        self.warnings_total += 1
        if len(self.warnings) < KEPT_WARNINGS:
            self.warnings.append(message)

    def as_dict(self) -> dict:
        return {
            "counts": {kind: dict(outcomes) for kind, outcomes in self.counts.items()},
            "warnings": self.warnings,
            "warnings_total": self.warnings_total,
            "unknown_shortcodes": dict(self.unknown_shortcodes),
            "redirects": self.redirects,
            "lead_article": self.lead_article,
            "other_sticky": self.other_sticky,
            "skipped_post_types": dict(self.skipped_types),
        }


def checksum(record) -> str:
    """Return a digest of a record as exported, to tell a changed record from the same one.

    Where the record sits in the file (`line`) is left out: a post added earlier in a newer
    export moves every later one down without changing them.
    """
    data = json.dumps(record, sort_keys=True, default=_exported_fields)
    return hashlib.sha256(data.encode()).hexdigest()


# Post meta WordPress rewrites without anyone changing the post: who has it open, view
# counters, the slugs it had before. A change there alone must not rewrite the article.
VOLATILE_META = re.compile(r"^_edit_lock$|^_edit_last$|views|^_wp_old_slug$|^_wp_old_date$")


def item_checksum(item: Item) -> str:
    """Return a digest of what the article or page is made from.

    Comments are left out (a new comment is imported without rewriting its post), and so is
    volatile meta (`VOLATILE_META`).
    """
    fields = {name: value for name, value in vars(item).items() if name not in ("comments", "line")}
    fields["meta"] = {k: v for k, v in item.meta.items() if not VOLATILE_META.search(k)}
    data = json.dumps(fields, sort_keys=True, default=_exported_fields)
    return hashlib.sha256(data.encode()).hexdigest()


def _exported_fields(value):
    # vars() of each nested record rather than dataclasses.asdict(), which deep-copies.
    if hasattr(value, "__dict__"):
        return {name: item for name, item in vars(value).items() if name != "line"}
    return str(value)


def known_image(
    attachment_id: int | None, src: str, by_id: dict[int, int], by_path: dict[str, int]
):
    """Return the image pk the lookups give a picture, None for no address, else UNKNOWN."""
    if attachment_id and attachment_id in by_id:
        return by_id[attachment_id]
    if not src:
        return None
    relative = upload_path(src)
    for candidate in (relative, RESIZED.sub("", relative)):
        if candidate in by_path:
            return by_path[candidate]
    return UNKNOWN_IMAGE


def item_redirect_paths(item: Item, zone=None) -> list[tuple[str, bool]]:
    """The post's or page's old addresses as the redirect table keeps them (normalised),
    each with whether it is only a guess: its permalink, /?p=ID (/?page_id=ID for a page),
    and for a post the dated and the bare slug, dated in `zone` (the current time zone if
    not given)."""
    paths = [(old_path(item.link), False), (f"/?p={item.wordpress_id}", False)]
    if item.post_type == "page":
        paths.append((f"/?page_id={item.wordpress_id}", False))
    slug = unquote(item.slug)
    if item.post_type == "post" and slug and item.date:
        # Guesses at addresses the site may have had under another permalink setting:
        # a real address of another post or page, met later, takes them over.
        local = timezone.localtime(item.date, zone)
        paths += [(f"/{local:%Y/%m/%d}/{slug}/", True), (f"/{slug}/", True)]
    return [(Redirect.normalise_path(path), alias) for path, alias in paths]


def plain_text(markup: str) -> str:
    """Return the readable text of a bit of WordPress HTML: no tags, entities decoded."""
    return html.unescape(nh3.clean(markup or "", tags=set())).strip()


def upload_path(url: str) -> str:
    """Return the part of an uploads address after /wp-content/uploads/, e.g. 2011/03/a.jpg."""
    path = unquote(urlsplit(url or "").path)
    if UPLOADS in path:
        return path.split(UPLOADS, 1)[1]
    return path.lstrip("/")


def image_extensions() -> set[str]:
    """The suffixes Wagtail accepts for an image upload; the import takes no other picture."""
    return {f".{ext.lower()}" for ext in settings.WAGTAILIMAGES_EXTENSIONS}


def document_extensions() -> set[str]:
    return {f".{ext.lower()}" for ext in settings.WAGTAILDOCS_EXTENSIONS}


def safe_website(url: str) -> str:
    """Return a commenter's website if it is a plain http(s) address, else "".

    It is shown as a link under the comment: a `javascript:` or `data:` address there would
    run in every reader's browser.
    """
    url = (url or "").strip()
    if len(url) > 200 or urlsplit(url).scheme.lower() not in ("http", "https"):
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        return ""
    return url


def old_path(url: str) -> str:
    """Return an old address as the redirect table keeps it: path and query, no host."""
    parts = urlsplit(url or "")
    path = parts.path or "/"
    return f"{path}?{parts.query}" if parts.query else path


def item_slug(item: Item) -> str:
    """The article's wanted slug: the post's own, else one from its title or id."""
    return page_slug(item.slug, item.title or str(item.wordpress_id))


def page_slug(wanted: str, fallback: str) -> str:
    """Return a Wagtail slug for a WordPress one (percent-encoded when not ASCII)."""
    slug = slugify(unquote(wanted or ""), allow_unicode=True) or slugify(
        fallback, allow_unicode=True
    )
    return slug[:SLUG_LENGTH] or "untitled"


@dataclass(slots=True)
class Known:
    """A mapping row as the run keeps it in memory: small, for a few hundred thousand."""

    written: bool  # False until the batch's end inserts it
    object_id: int
    checksum: str
    imported_at: datetime.datetime | None = None  # when the import last wrote the object
    gone: bool = False  # the object was deleted here since: left alone, never made again


@dataclass
class PendingArticle:
    """A new article built in memory, written when its batch is flushed."""

    item: Item
    page: ArticlePage
    parent: Page
    digest: str
    status: str  # "live", "draft" or "scheduled"


class WordPressImporter:
    """Import one export; see the module docstring. Construct once per run."""

    def __init__(
        self,
        *,
        locale: str | None = None,
        media_dir: Path | None = None,
        author_accounts: bool = False,
        batch_size: int = 500,
        dry_run: bool = False,
        progress: Callable[[int], None] | None = None,
        worker: bool = True,
    ):
        self.locale_code = locale
        self.media_dir = Path(media_dir) if media_dir else None
        self.author_accounts = author_accounts
        self.batch_size = max(1, batch_size)
        self.dry_run = dry_run
        self.progress = progress or (lambda done: None)
        self.worker = worker
        self.worker_min_posts = WORKER_MIN_POSTS
        self.prepared: dict[int, Prepared] = {}  # id(post record) → the worker's work
        self.report = Report()
        self.source = ""
        self.run_row: ImportRun | None = None
        # Lookups built once and kept up to date, instead of a query per record.
        self.mapped: dict[tuple[str, str], Known] = {}
        self.sections: dict[str, SectionPage] = {}  # category slug → section
        self.tags: dict[str, Tag] = {}  # name → tag
        self.tag_terms: dict[tuple[str, str], Tag] = {}  # a term's (name, slug) → its tag
        self.category_parents: dict[str, str] = {}  # category slug → its parent's slug
        self.pending_terms: list[Term] = []
        self.authors: dict[str, AuthorPage] = {}  # login → author page
        self.users_by_wordpress_id: dict[int, int] = {}
        self.images_by_id: dict[int, int] = {}  # attachment id → image pk
        self.images_by_path: dict[str, int] = {}  # uploads path → image pk
        self.attachments_of: dict[int, list[int]] = defaultdict(list)  # post id → its pictures
        self.pages_by_wordpress_id: dict[int, int] = {}  # post or page id → page pk
        self.sibling_slugs: dict[int, set[str]] = {}
        self.redirect_paths: set[str] = set()
        self.alias_paths: set[str] = set()  # guessed old addresses this run made
        self.deleted_sections: set[str] = set()  # category slugs whose section editors deleted
        self.items_seen: set[int] = set()  # posts and pages met in this run
        self.comments_seen: set[int] = set()
        self.stored_files: list[tuple] = []  # (storage, name) the current batch wrote
        self.pending_articles: list[PendingArticle] = []
        self.makers: dict[type, Callable] = {}  # model → bulk.instance_maker's
        # Rows written once per batch rather than once per post.
        # (kind, WordPress id) → [content type, object id, digest]
        self.new_mappings: dict[tuple[str, str], list] = {}
        self.new_redirects: dict[str, tuple[int, str]] = {}  # old path → (page, route)
        self.new_comments: list[tuple[Comment, ReaderComment, str]] = []  # with the post title
        self.pending_pages: list[Item] = []
        self.attachment_redirects: list[tuple[str, int]] = []  # (old path, parent post id)
        self.sticky: list[tuple[datetime.datetime, int, str]] = []

    # The run ------------------------------------------------------------------------------

    def run(self, path: Path, *, summary=None, records: Iterable | None = None) -> Report:
        """Import the export at `path` (checked already: `summary` is check_wxr's)."""
        from .wxr import read_wxr

        own_reader = records is None
        records = records or read_wxr(path)
        with sqlite_page_cache(), sqlite_fts_buffer(), collector_between_batches():
            if not self.dry_run:
                self._import(path, summary, records, read_wxr, own_reader=own_reader)
                return self.report
            # Around everything; leaving by an exception rolls the transaction back and
            # skips the deferred indexing, so not even an external search index hears of
            # the pages.
            try:
                with purge_batched(), transaction.atomic(), deferred_search_index():
                    self._import(path, summary, records, read_wxr, own_reader=own_reader)
                    raise _DryRunDone
            except _DryRunDone:
                pass
        return self.report

    def _import(
        self, path: Path, summary, records: Iterable, read_again, *, own_reader: bool = False
    ) -> None:
        records = iter(records)
        channel = next(records)
        if not isinstance(channel, Channel):
            raise ImportStopped(_("The export does not start with its channel."))
        self._start(channel, path)
        for line in getattr(summary, "unreadable_items", []):
            self.report.warn(
                _("The item at line %(line)s has no post ID and was left out.") % {"line": line}
            )
        if summary is None or summary.post_types.get("attachment", 0):
            # Attachments first, in a pass of their own: a post names its pictures by
            # attachment id, and WordPress exports a picture after the post it was added to.
            attachments = (
                record
                for record in read_again(path)
                if isinstance(record, Item) and record.post_type == "attachment"
            )
            for batch in itertools.batched(attachments, self.batch_size):
                self._write_batch(list(batch), 0, write=self._attachment)
        posts = summary.post_types.get("post", 0) if summary is not None else 0
        if own_reader and self.worker and posts >= self.worker_min_posts:
            # The rest of the file comes from the worker, posts converted (pipeline.py).
            records.close()
            records = self._prepared(path)
        done = 0
        batch: list = []
        try:
            for record in records:
                batch.append(record)
                if len(batch) >= self.batch_size:
                    done = self._write_batch(batch, done)
                    batch = []
            done = self._write_batch(batch, done)
        finally:
            if own_reader:
                records.close()  # a failed batch stops the worker too
        try:
            with purge_batched(), transaction.atomic(), deferred_search_index():
                self._finish()
        except Exception:
            self._delete_stored_files()
            raise
        self.stored_files = []
        self._save_run(done, finished=True)

    def _prepared(self, path: Path):
        """Yield the worker's records, keeping each post's Prepared for _article."""
        lookup = ImageLookup(
            by_id=self.images_by_id,
            by_path=self.images_by_path,
            attachments_of=self.attachments_of,
            media_dir=self.media_dir is not None,
        )
        for record, prepared in prepared_records(path, lookup):
            if prepared is not None:
                # By the record's identity: an export may hold the same post id twice.
                self.prepared[id(record)] = prepared
            yield record

    def _write_batch(self, batch: list, done: int, write: Callable | None = None) -> int:
        """Write a batch in one transaction; a failure keeps nothing of it and stops the run."""
        if not batch:
            return done
        try:
            return self._write_batch_of(batch, done, write)
        finally:
            self.prepared.clear()  # the batch's records go; their ids may be reused
            keep_survivors()

    def _write_batch_of(self, batch: list, done: int, write: Callable | None) -> int:
        try:
            # The batch's pages reach the search index only if the whole batch is written.
            with purge_batched(), transaction.atomic(), deferred_search_index():
                for record in batch:
                    (write or self._dispatch)(record)
                self._flush_articles()
                if write is None:
                    done += len(batch)
                    self._save_run(done)
            self.stored_files = []
            reset_queries()  # with DEBUG on, Django keeps every statement: memory
        except ImportStopped:
            self._delete_stored_files()
            raise
        except Exception as error:
            self._delete_stored_files()
            first = getattr(batch[0], "line", 0)
            raise ImportStopped(
                _(
                    "The batch of records from line %(line)s could not be written (%(error)s); "
                    "nothing of it was kept. %(done)s records before it were imported; run "
                    "the import again to resume."
                )
                % {"line": first, "error": error, "done": done}
            ) from error
        self.progress(done)
        return done

    def _delete_stored_files(self) -> None:
        """Remove the files a rolled-back batch stored: no row points at them any more."""
        for storage, name in self.stored_files:
            storage.delete(name)
        self.stored_files = []

    def _dispatch(self, record) -> None:
        if isinstance(record, Author):
            self._author(record)
        elif isinstance(record, Term):
            self._term(record)
        elif isinstance(record, Item):
            self._resolve_pending_terms()
            if record.post_type in ("post", "page") and self._seen_before(record):
                return
            if record.post_type == "post":
                self._article(record)
            elif record.post_type == "page":
                self._standard_page(record)
            elif record.post_type == "attachment":
                if record.parent_id and record.link:
                    self.attachment_redirects.append((old_path(record.link), record.parent_id))
            else:
                self.report.skipped_types[record.post_type] += 1
                self.report.count("other", "skipped")

    def _seen_before(self, item: Item) -> bool:
        """True for a post or page the export already held (a merged or hand-edited file)."""
        if item.wordpress_id not in self.items_seen:
            self.items_seen.add(item.wordpress_id)
            return False
        self.report.count("duplicates", "skipped")
        self.report.warn(
            _("The export holds post %(id)s (“%(title)s”) twice; the second was left out.")
            % {"id": item.wordpress_id, "title": item.title}
        )
        return True

    def _start(self, channel: Channel, path: Path) -> None:
        self.source = (channel.base_blog_url or channel.link or channel.base_site_url).rstrip("/")
        code = self.locale_code or ("fa" if channel.language.lower().startswith("fa") else "en")
        locale = Locale.objects.filter(language_code=code).first()
        self.home = (
            HomePage.objects.filter(locale=locale).order_by("path").first() if locale else None
        )
        if self.home is None:
            raise ImportStopped(
                _(
                    "There is no front page for the %(locale)s edition to import into; "
                    "create the site first (for example with manage.py load_demo)."
                )
                % {"locale": code}
            )
        self.locale = locale
        if Collection.get_first_root_node() is None:
            Collection.add_root(name="Root")
        image_type = ContentType.objects.get_for_model(get_image_model()).pk
        mine = WordPressObject.objects.filter(source=self.source)
        # What editors deleted since an earlier run: one query per kind of object.
        gone = set(
            mine.filter(kind__in=PAGE_KINDS)
            .exclude(object_id__in=Page.objects.values("pk"))
            .values_list("kind", "wordpress_id")
        ) | set(
            mine.filter(content_type_id=image_type)
            .exclude(object_id__in=get_image_model().objects.values("pk"))
            .values_list("kind", "wordpress_id")
        )
        rows = mine.values_list(
            "kind", "wordpress_id", "object_id", "checksum", "content_type_id", "imported_at"
        )
        for kind, key, object_id, digest, content_type, when in rows.iterator(chunk_size=5000):
            deleted = (kind, key) in gone
            self.mapped[(kind, key)] = Known(True, object_id, digest, when, deleted)
            if deleted:
                continue
            if content_type == image_type and kind == "attachment":
                self.images_by_id[int(key)] = object_id
            elif content_type == image_type and kind == "media":
                self.images_by_path[key] = object_id
            elif kind in ("post", "page"):
                self.pages_by_wordpress_id[int(key)] = object_id
        self.redirect_paths = set(Redirect.objects.values_list("old_path", flat=True))
        self.run_row = ImportRun.objects.create(
            file_name=str(path), sha256=file_digest(path), source=self.source, dry_run=self.dry_run
        )

    def _save_run(self, done: int, finished: bool = False) -> None:
        if self.run_row is None:
            return
        self.run_row.items_done = done
        self.run_row.report = self.report.as_dict()
        if finished:
            self.run_row.finished_at = timezone.now()
        self.run_row.save()

    def in_edition(self, message: str) -> str:
        """Translate words that become content into the edition's language, not the operator's."""
        with translation.override(self.locale.language_code):
            return _(message)

    # Mapping rows -------------------------------------------------------------------------

    def _mapping(self, kind: str, key) -> Known | None:
        return self.mapped.get((kind, str(key)))

    def _remember(self, kind: str, key, obj, digest: str = "", *, later: bool = False) -> None:
        """Record what a WordPress thing became; `later` leaves the insert to the batch's end."""
        row = self.mapped.get((kind, str(key)))
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        if row is None and later:
            self._remember_new(kind, key, content_type.pk, obj.pk, digest)
        elif row is None:
            WordPressObject.objects.create(
                source=self.source,
                kind=kind,
                wordpress_id=str(key),
                content_type=content_type,
                object_id=obj.pk,
                checksum=digest,
            )
            self.mapped[(kind, str(key))] = Known(True, obj.pk, digest)
        elif row.checksum != digest or row.object_id != obj.pk:
            if not row.written:  # inserted at the end of this batch
                self.new_mappings[(kind, str(key))] = [content_type.pk, obj.pk, digest]
            else:
                WordPressObject.objects.filter(
                    source=self.source, kind=kind, wordpress_id=str(key)
                ).update(
                    checksum=digest,
                    object_id=obj.pk,
                    content_type=content_type,
                    imported_at=timezone.now(),
                )
            row.checksum, row.object_id = digest, obj.pk

    def _remember_new(self, kind: str, key, content_type_id: int, pk: int, digest: str = ""):
        """Record what a new WordPress thing became, its mapping inserted at the batch's end."""
        self.new_mappings[(kind, str(key))] = [content_type_id, pk, digest]
        self.mapped[(kind, str(key))] = Known(False, pk, digest)

    def _left_alone(self, kind: str, row: Known | None) -> bool:
        """Count a mapping whose object editors deleted here; True when it is one."""
        if row is None or not row.gone:
            return False
        self.report.count(kind, _(LEFT_ALONE))
        return True

    def _edited_here(self, kind: str, row: Known, page: Page) -> bool:
        """True when someone changed the page here since the import last wrote it.

        The import's own revisions and log entries come before its mapping row's
        `imported_at`; an editor's come after (and an unpublish leaves a log entry only).
        """
        if row.imported_at is None:
            return False
        latest = page.latest_revision
        edited = (latest is not None and latest.created_at > row.imported_at) or (
            PageLogEntry.objects.filter(page_id=page.pk, timestamp__gt=row.imported_at)
            .exclude(user=None)
            .exists()
        )
        if edited:
            self.report.count(kind, _(EDITED_HERE))
            self.report.warn(
                _("“%(title)s” was edited here since the last import; it was left alone.")
                % {"title": page.title}
            )
        return edited

    # Authors ------------------------------------------------------------------------------

    def _author_index(self) -> AuthorIndexPage:
        if not hasattr(self, "_index"):
            index = AuthorIndexPage.objects.child_of(self.home).first()
            if index is None:
                index = AuthorIndexPage(
                    title=self.in_edition(gettext_noop("Authors")), slug="authors"
                )
                self._add(self.home, index, live=True)
            self._index = index
        return self._index

    def _author(self, record: Author) -> None:
        digest = checksum(record)
        row = self._mapping("author", record.login)
        name = (
            record.display_name
            or " ".join(part for part in (record.first_name, record.last_name) if part)
            or record.login
        )
        if self._left_alone("authors", row):
            self._author_account(record)
            return
        if row is not None:
            page = AuthorPage.objects.filter(pk=row.object_id).first()
            if page is not None:
                self.authors[record.login] = page
                if row.checksum == digest:
                    self.report.count("authors", "unchanged")
                elif self._edited_here("authors", row, page):
                    pass
                else:
                    page.title = name[:TITLE_LENGTH]
                    page.save_revision().publish()
                    self._remember("author", record.login, page, digest)
                    self.report.count("authors", "updated")
                self._author_account(record)
                return
        index = self._author_index()
        slug = page_slug(record.login, name)
        # An author the editors made before the import (same slug) is adopted, not doubled.
        page = AuthorPage.objects.child_of(index).filter(slug=slug).first()
        if page is None:
            page = AuthorPage(title=name[:TITLE_LENGTH], slug=self._free_slug(index, slug))
            self._add(index, page, live=True)
            self.report.count("authors", "created")
        else:
            self.report.count("authors", "adopted")
        self.authors[record.login] = page
        self._remember("author", record.login, page, digest)
        self._author_account(record)

    def _author_account(self, record: Author) -> None:
        """Give the author a reader account without a usable password (they reset it)."""
        if not self.author_accounts or not record.email:
            return
        users = get_user_model()
        user = users.objects.filter(email__iexact=record.email).first()
        if user is None:
            user = users(
                username=free_username(record.login, record.email),
                email=record.email,
                first_name=record.first_name[:150],
                last_name=record.last_name[:150],
            )
            user.set_unusable_password()
            user.save()
            self.report.count("author accounts", "created")
        else:
            self.report.count("author accounts", "unchanged")
        if record.wordpress_id:
            self.users_by_wordpress_id[record.wordpress_id] = user.pk

    # Categories and tags ------------------------------------------------------------------

    def _term(self, record: Term) -> None:
        if record.taxonomy == "category":
            self.category_parents.setdefault(record.slug, record.parent_slug)
            self.pending_terms.append(record)
        elif record.taxonomy == "post_tag":
            self._tag(record)
        else:
            self.report.count("other terms", "skipped")

    def _resolve_pending_terms(self) -> None:
        """Write the channel's categories, parents before children, once all are known."""
        waiting = self.pending_terms
        self.pending_terms = []
        while waiting:
            ready = [
                t
                for t in waiting
                if not t.parent_slug
                or t.parent_slug in self.sections
                or t.parent_slug in self.deleted_sections
            ]
            known = {t.slug for t in waiting}
            # A parent the export never declares: file the child at the top.
            ready += [t for t in waiting if t.parent_slug and t.parent_slug not in known]
            if not ready:  # a loop of parents; break it at the first
                ready = waiting[:1]
            for term in ready:
                self._section(term)
            waiting = [t for t in waiting if t not in ready]

    def _section(self, term: Term) -> SectionPage | None:
        if term.slug in self.sections:
            return self.sections[term.slug]
        digest = checksum(term)
        row = self._mapping("category", term.slug)
        if self._left_alone("sections", row):
            self.deleted_sections.add(term.slug)
            return None
        section = SectionPage.objects.filter(pk=row.object_id).first() if row else None
        if section is not None:
            if row.checksum == digest:
                self.report.count("sections", "unchanged")
            elif self._edited_here("sections", row, section):
                pass
            else:
                section.title = plain_text(term.name)[:TITLE_LENGTH] or section.title
                section.intro = plain_text(term.description)
                section.save_revision().publish()
                self._remember("category", term.slug, section, digest)
                self.report.count("sections", "updated")
            self.sections[term.slug] = section
            return section
        parent = self.sections.get(term.parent_slug) if term.parent_slug else None
        if term.parent_slug and parent is None and term.parent_slug not in self.deleted_sections:
            self.report.warn(
                _("The category “%(name)s” names a parent “%(parent)s” the export lacks.")
                % {"name": term.name, "parent": term.parent_slug}
            )
        parent = parent or self.home
        slug = page_slug(term.slug, term.name)
        section = SectionPage.objects.child_of(parent).filter(slug=slug).first()
        if section is None:
            section = SectionPage(
                title=plain_text(term.name)[:TITLE_LENGTH] or slug,
                slug=self._free_slug(parent, slug),
                intro=plain_text(term.description),
            )
            self._add(parent, section, live=True)
            self.report.count("sections", "created")
        else:
            self.report.count("sections", "adopted")
        self.sections[term.slug] = section
        self._remember("category", term.slug, section, digest)
        # The archive's old address: /category/parent/child/.
        chain, walk = [unquote(term.slug)], term.parent_slug
        seen = {term.slug}
        while walk and walk not in seen:
            seen.add(walk)
            chain.insert(0, unquote(walk))
            walk = self.category_parents.get(walk, "")
        self._redirect(f"/category/{'/'.join(chain)}/", section)
        if term.wordpress_id:
            self._redirect(f"/?cat={term.wordpress_id}", section)
        return section

    def _tag(self, record: Term) -> Tag:
        """Return the tag for a term, adding it (keeping WordPress's slug) the first time."""
        met = self.tag_terms.get((record.name, record.slug))
        if met is not None:
            return met  # a term met before, in the channel or on a post: nothing more to do
        name = plain_text(record.name)[:100] or unquote(record.slug)
        if name in self.tags:
            self.tag_terms[(record.name, record.slug)] = self.tags[name]
            return self.tags[name]
        tag = Tag.objects.filter(name=name).first()
        if tag is None:
            slug = unquote(record.slug)[:100] or slugify(name, allow_unicode=True)
            if Tag.objects.filter(slug=slug).exists():
                slug = ""  # taggit makes a unique one from the name
            tag = Tag(name=name, slug=slug)
            tag.save()
            self.report.count("tags", "created")
        else:
            self.report.count("tags", "unchanged")
        for old in (f"/tag/{unquote(record.slug)}/", f"/?tag={unquote(record.slug)}"):
            self._redirect(old, self.home, route=f"/tags/{tag.slug}/")
        self.tags[name] = tag
        self.tag_terms[(record.name, record.slug)] = tag
        return tag

    def _section_for(self, item: Item) -> SectionPage | None:
        """Return the section of the post's first category; Uncategorized when it has none.

        A category whose section editors deleted is passed over; None when every one was.
        """
        for term in item.terms:
            if term.taxonomy == "category" and term.slug not in self.deleted_sections:
                section = self.sections.get(term.slug) or self._section(term)
                if section is not None:
                    return section
        fallback = Term("category", "uncategorized", self.in_edition(gettext_noop("Uncategorized")))
        return self.sections.get("uncategorized") or self._section(fallback)

    # Posts --------------------------------------------------------------------------------

    def _article(self, item: Item) -> None:
        prepared = self.prepared.get(id(item))
        digest = prepared.digest if prepared else item_checksum(item)
        row = self._mapping("post", item.wordpress_id)
        if self._left_alone("articles", row):
            return
        if row is not None and row.checksum == digest:
            self.report.count("articles", "unchanged")
            self._keep_article(item, row.object_id)
            return
        if item.status in SKIPPED_STATUSES:
            self.report.count("articles", "skipped")
            return
        page = None
        if row is not None:
            page = ArticlePage.objects.filter(pk=row.object_id).first()
            if page is None:  # deleted while this run went on
                self.report.count("articles", _(LEFT_ALONE))
                return
            if self._edited_here("articles", row, page):
                self._keep_article(item, page.pk)
                return
        status = self._status(item)
        fields = self._article_fields(item, prepared)
        if status != "live":  # set when it goes live, as Wagtail does
            fields["first_published_at"] = fields["last_published_at"] = None
        tags = [self._tag(t) for t in item.terms if t.taxonomy == "post_tag"]
        bylines = [self.authors[item.creator]] if item.creator in self.authors else []
        if page is not None:
            self._update_article(item, page, fields, tags, bylines, status, digest)
            return
        section = self._section_for(item)
        if section is None:
            self.report.count("articles", "skipped")
            self.report.warn(
                _("“%(title)s” (post %(id)s): every section it could go in was deleted here.")
                % {"title": item.title, "id": item.wordpress_id}
            )
            return
        byline, tagged = self._maker(ArticleAuthor), self._maker(ArticlePageTag)
        page = self._maker(ArticlePage)(
            slug=self._free_slug(section, (prepared.slug if prepared else "") or item_slug(item)),
            bylines=[byline(sort_order=n, author=a) for n, a in enumerate(bylines)],
            # What tags.add() holds for a new page, each tag once, without its lookups.
            tagged_items=[tagged(tag=tag) for tag in dict.fromkeys(tags)],
            **fields,
        )
        page.locale = self.locale
        if prepared is not None and prepared.body is not None:
            # The search index's text and the encoded body of the very blocks the worker made.
            page._bulk_search_texts = prepared.search_texts
        self.pending_articles.append(PendingArticle(item, page, section, digest, status))

    def _maker(self, model):
        """The model's constructor, or a faster one that makes the same (bulk.instance_maker)."""
        if model not in self.makers:
            self.makers[model] = instance_maker(model)
        return self.makers[model]

    def _keep_article(self, item: Item, page_pk: int) -> None:
        """An article left as it is here: its new comments still come in."""
        self.pages_by_wordpress_id[item.wordpress_id] = page_pk
        self._note_sticky(item, page_pk)
        prepared = self.prepared.get(id(item))
        self._comments(item, page_pk, prepared.comments if prepared is not None else None)

    def _status(self, item: Item) -> str:
        if item.status == "publish":
            return "live"
        if item.status == "future":
            return "scheduled"
        if item.status == "private":
            self.report.warn(
                _("“%(title)s” (post %(id)s) was private; it is imported as a draft.")
                % {"title": item.title, "id": item.wordpress_id}
            )
        return "draft"

    def _article_fields(self, item: Item, prepared: Prepared | None = None) -> dict:
        """The article's fields, from the worker's blocks and texts if it made them."""
        from .convert import convert_body

        if prepared is not None and prepared.body is not None:
            converted, access, blocks = prepared.converted, prepared.access, prepared.body
        else:
            converted = convert_body(
                item.content,
                images=self._image_for,
                attached=self.attachments_of.get(item.wordpress_id, ()),
            )
            access, blocks = article_body(item, converted)
        self._note_conversion(item, converted)
        thumbnail = first_int(item.meta.get("_thumbnail_id"))
        lead = self._image_for(thumbnail, "") if thumbnail else None
        texts = (prepared.texts if prepared is not None else None) or article_texts(item)
        return {
            "title": (texts["title"] or self.in_edition(gettext_noop("(untitled)")))[:TITLE_LENGTH],
            "standfirst": texts["standfirst"],
            "body": blocks,
            "access_level": access or AccessLevel.PUBLIC,
            "lead_image_id": lead,
            "first_published_at": item.date,
            "last_published_at": item.date,
            "go_live_at": item.date if item.status == "future" else None,
        }

    def _note_conversion(self, item: Item, converted) -> None:
        self.report.unknown_shortcodes.update(converted.unknown_shortcodes)
        for warning in converted.warnings:
            self.report.warn(
                _("%(kind)s %(id)s “%(title)s”: %(warning)s")
                % {
                    "kind": item.post_type,
                    "id": item.wordpress_id,
                    "title": item.title,
                    "warning": warning,
                }
            )

    def _flush_articles(self) -> None:
        """Write the batch's new articles, then their comments, redirects and mapping rows.

        The pages go in through the bulk writer, a few queries per section, and end exactly
        as Wagtail's add_child, save_revision and publish would leave them.
        """
        pending, self.pending_articles = self.pending_articles, []
        groups: dict[tuple[int, bool], list[PendingArticle]] = defaultdict(list)
        for entry in pending:
            groups[(entry.parent.pk, entry.status != "draft")].append(entry)
        # The sections' groups go in together, those published and those saved as drafts
        # in turns, in the order the batch met them.
        for publish, run in itertools.groupby(groups.items(), key=lambda group: group[0][1]):
            add_page_groups(
                [(entries[0].parent, [entry.page for entry in entries]) for _key, entries in run],
                publish=publish,
            )
        # Publishing stamps the current time; the post keeps its own date.
        dated = []
        for entry in pending:
            if entry.page.live and entry.item.date is not None:
                entry.page.first_published_at = entry.item.date
                entry.page.last_published_at = entry.item.date
                dated.append(entry.page)
        keep_post_dates(dated)
        for entry in pending:
            self._after_article(entry.item, entry.page, entry.digest, created=True)
        self._write_batch_rows()

    def _update_article(self, item, page, fields, tags, bylines, status, digest) -> None:
        for name, value in fields.items():
            if name in ("first_published_at", "last_published_at") and value is None:
                continue
            setattr(page, name, value)
        page.bylines = [ArticleAuthor(sort_order=n, author=a) for n, a in enumerate(bylines)]
        page.tags.set(tags)
        revision = page.save_revision()
        if status == "live" or (status == "scheduled" and item.date):
            revision.publish()  # a future go_live_at schedules it instead
            if status == "live":
                keep_publication_dates(page, item.date)
        elif page.live:
            page.unpublish()
        self._after_article(item, page, digest, created=False)

    def _after_article(self, item: Item, page: ArticlePage, digest: str, *, created: bool) -> None:
        self.report.count("articles", "created" if created else "updated")
        self.pages_by_wordpress_id[item.wordpress_id] = page.pk
        self._remember("post", item.wordpress_id, page, digest, later=True)
        self._protect(item, page, created=created)
        prepared = self.prepared.get(id(item))
        self._comments(item, page.pk, prepared.comments if prepared is not None else None)
        self._item_redirects(item, page, prepared.redirects if prepared is not None else None)
        self._note_sticky(item, page.pk)

    def _note_sticky(self, item: Item, page_pk: int) -> None:
        if item.is_sticky and item.status == "publish":
            when = item.date or datetime.datetime.min.replace(tzinfo=datetime.UTC)
            self.sticky.append((when, page_pk, item.title))

    def _protect(self, item: Item, page: Page, *, created: bool) -> None:
        """Keep a password-protected post behind the same password; no password, no lock."""
        if not item.password and created:
            return  # a new page has no restriction to lift: no query per article
        if not item.password:
            PageViewRestriction.objects.filter(
                page=page, restriction_type=PageViewRestriction.PASSWORD
            ).delete()
            return
        PageViewRestriction.objects.update_or_create(
            page=page,
            defaults={
                "restriction_type": PageViewRestriction.PASSWORD,
                "password": item.password,
            },
        )

    # Pages --------------------------------------------------------------------------------

    def _standard_page(self, item: Item) -> None:
        digest = item_checksum(item)
        row = self._mapping("page", item.wordpress_id)
        if self._left_alone("pages", row):
            return
        if row is not None and row.checksum == digest:
            self.report.count("pages", "unchanged")
            self.pages_by_wordpress_id[item.wordpress_id] = row.object_id
            return
        if item.status in SKIPPED_STATUSES:
            self.report.count("pages", "skipped")
            return
        page = StandardPage.objects.filter(pk=row.object_id).first() if row else None
        if row is not None and page is None:  # deleted while this run went on
            self.report.count("pages", _(LEFT_ALONE))
            return
        if page is not None and self._edited_here("pages", row, page):
            self.pages_by_wordpress_id[item.wordpress_id] = page.pk
            return
        if page is None and item.parent_id and item.parent_id not in self.pages_by_wordpress_id:
            self.pending_pages.append(item)  # its parent comes later in the file
            return
        from .convert import convert_body

        converted = convert_body(
            item.content,
            images=self._image_for,
            embeds=False,
            attached=self.attachments_of.get(item.wordpress_id, ()),
        )
        self._note_conversion(item, converted)
        body = [page_block(block) for block in converted.blocks]
        body = [block for block in body if block is not None]
        title = (plain_text(item.title) or self.in_edition(gettext_noop("(untitled)")))[
            :TITLE_LENGTH
        ]
        status = self._status(item)
        # Scheduled as posts are: publishing a revision with a future go_live_at waits.
        go_live_at = item.date if status == "scheduled" else None
        if page is not None:
            page.title, page.body, page.intro = title, body, plain_text(item.excerpt)
            page.go_live_at = go_live_at
            revision = page.save_revision()
            if status in ("live", "scheduled"):
                revision.publish()
            elif page.live:  # back to draft in WordPress
                page.unpublish()
            self.report.count("pages", "updated")
            created = False
        else:
            parent = self.home
            if item.parent_id:
                found = Page.objects.filter(pk=self.pages_by_wordpress_id[item.parent_id]).first()
                parent = found.specific if found is not None else self.home
                if not isinstance(parent, StandardPage | HomePage):
                    parent = self.home
            page = StandardPage(
                title=title,
                slug=self._free_slug(parent, page_slug(item.slug, title)),
                intro=plain_text(item.excerpt),
                body=body,
                go_live_at=go_live_at,
            )
            self._add(parent, page, live=status != "draft")
            if status == "live":
                keep_publication_dates(page, item.date)
            self.report.count("pages", "created")
            created = True
        self.pages_by_wordpress_id[item.wordpress_id] = page.pk
        self._remember("page", item.wordpress_id, page, digest)
        self._protect(item, page, created=created)
        self._item_redirects(item, page)
        if item.comments:
            self.report.count("comments", "skipped", len(item.comments))
            self.report.warn(
                _("Page “%(title)s” had %(count)s comments; pages take no comments here.")
                % {"title": item.title, "count": len(item.comments)}
            )

    # Comments -----------------------------------------------------------------------------

    def _comments(self, item: Item, article_pk: int, texts: dict | None = None) -> None:
        """Write the post's comments with their threads, statuses and original dates.

        `texts` holds the worker's comment_texts() of each comment, by WordPress id.
        """
        wanted: list[Comment] = []
        for comment in item.comments:
            if not is_readers_comment(comment):
                if comment.comment_type in ("pingback", "trackback"):
                    # A pingback is another site's notice, not a reader's words: kept out.
                    self.report.count("pingbacks", "skipped")
                elif comment.comment_type not in READERS_COMMENT_TYPES:
                    # Plugins' notes, order notes, reviews…: not a reader's comment either.
                    self.report.count("other comment types", "skipped")
                else:
                    self.report.count("comments", "skipped")
            elif comment.wordpress_id in self.comments_seen:
                self.report.count("duplicates", "skipped")
            elif self._mapping("comment", comment.wordpress_id) is not None:
                self.report.count("comments", "unchanged")
            else:
                wanted.append(comment)
            self.comments_seen.add(comment.wordpress_id)
        now = timezone.now()
        for comment in wanted:
            given = texts.get(comment.wordpress_id) if texts else None
            name, body, website = given or comment_texts(comment)
            # A row as the comment's save() would write it, in COMMENT_COLUMNS' order.
            row = [
                article_pk,
                None,  # the parent's id, set when the batch's comments go in
                self.users_by_wordpress_id.get(comment.user_id),
                (name or self.in_edition(gettext_noop("Anonymous")))[:100],
                comment.author_email[:254],
                website,
                body,
                (
                    CommentStatus.APPROVED if comment.approved == "1" else CommentStatus.PENDING
                ).value,
                # The reader's own date (the field's auto_now_add is not applied here).
                comment.date or item.date or now,
                # The answered reader heard of it on WordPress, years ago perhaps: approving
                # a held reply here must not notify them again.
                now if comment.parent_id else None,
            ]
            self.new_comments.append((comment, row, item.title))

    def _write_comments(self) -> None:
        """Insert the batch's comments with their dates, parents before their replies."""
        pending, self.new_comments = self.new_comments, []
        in_batch = {comment.wordpress_id for comment, _row, _title in pending}
        ids: dict[int, int] = {}  # WordPress comment id → pk, as they are inserted
        content_type = ContentType.objects.get_for_model(ReaderComment).pk
        while pending:
            ready, waiting = [], []
            for comment, row, title in pending:
                parent = comment.parent_id
                if parent and parent in in_batch and parent not in ids:
                    waiting.append((comment, row, title))  # its parent goes in first
                    continue
                if parent:
                    row[1] = ids.get(parent) or self._comment_pk(parent)
                    if row[1] is None:
                        self._orphan(comment, title)
                ready.append((comment, row, title))
            if not ready:  # replies that answer each other in a loop: break it
                comment, row, title = waiting.pop(0)
                self._orphan(comment, title)
                ready.append((comment, row, title))
            new_ids = insert_comments([row for _comment, row, _title in ready])
            for (comment, _row, _title), pk in zip(ready, new_ids, strict=True):
                ids[comment.wordpress_id] = pk
                self._remember_new("comment", comment.wordpress_id, content_type, pk)
            self.report.count("comments", "created", len(ready))
            pending = waiting

    def _orphan(self, comment: Comment, title: str) -> None:
        self.report.warn(
            _(
                "Comment %(id)s on “%(title)s” answers comment %(parent)s, which "
                "is not in the export; it is shown as a comment of its own."
            )
            % {"id": comment.wordpress_id, "title": title, "parent": comment.parent_id}
        )
        self.report.count("orphan comments", "made top-level")

    def _write_batch_rows(self) -> None:
        """Write what the batch's records left for its end: comments, redirects, mappings."""
        self._write_comments()
        # Plain rows, as their models' save() would write them, without a model instance
        # each (tens of thousands a batch). Neither kind is read back by id: a later
        # change finds the row by its key.
        now = timezone.now()
        insert_rows(
            Redirect,
            ["old_path", "site", "is_permanent", "redirect_page", "redirect_page_route_path"]
            + ["redirect_link", "automatically_created", "created_at"],
            [
                (path, None, True, page_pk, route, "", False, now)
                for path, (page_pk, route) in self.new_redirects.items()
            ],
        )
        self.new_redirects = {}
        insert_rows(
            WordPressObject,
            ["source", "kind", "wordpress_id", "content_type", "object_id", "checksum"]
            + ["imported_at"],
            [
                (self.source, kind, key, content_type, object_id, digest, now)
                for (kind, key), (content_type, object_id, digest) in self.new_mappings.items()
            ],
        )
        for key in self.new_mappings:
            self.mapped[key].written = True
        self.new_mappings = {}

    def _comment_pk(self, wordpress_id: int) -> int | None:
        row = self._mapping("comment", wordpress_id)
        return row.object_id if row else None

    # Attachments --------------------------------------------------------------------------

    def _attachment(self, item: Item) -> None:
        if item.parent_id:
            self.attachments_of[item.parent_id].append(item.wordpress_id)
        digest = checksum(item)
        row = self._mapping("attachment", item.wordpress_id)
        relative = upload_path(item.attachment_url or item.guid)
        if row is not None and row.checksum == digest:
            self.report.count("media", "unchanged")
            return
        made = self._media(
            relative,
            title=plain_text(item.title),
            caption=plain_text(item.excerpt),
            documents=True,
        )
        if made is None:
            self.report.count("media", "missing")
            return
        if isinstance(made, get_image_model()):
            self.images_by_id[item.wordpress_id] = made.pk
        self._remember("attachment", item.wordpress_id, made, digest)

    def _media_file(self, relative: str) -> Path | None:  # or REFUSED
        """Return the file for an uploads path, only if it lies inside --media-dir.

        The path comes from the export (percent-decoded): `../`, an absolute `//etc/passwd`
        or a symlink pointing out of the folder must never make a server file public.
        """
        if not self.media_dir or not relative:
            return None
        root = self.media_dir.resolve()
        try:
            resolved = (root / relative).resolve()
        except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte
            resolved = None
        if resolved is None or not resolved.is_relative_to(root):
            self.report.warn(
                _(
                    "The address %(path)s points outside the media folder; it was not "
                    "imported and a marked gap stands for it."
                )
                % {"path": relative}
            )
            self.report.count("media", "refused")
            return REFUSED
        return resolved

    def _media(
        self,
        relative: str,
        *,
        title: str = "",
        caption: str = "",
        warn: bool = True,
        documents: bool = False,
    ):
        """Return the image or document for an uploads path, adding it from --media-dir.

        Only an attachment (`documents`) may become a document; a picture in a post's text
        becomes an image or nothing. Either way only with a suffix Wagtail accepts.
        """
        if relative in self.images_by_path:
            return get_image_model().objects.filter(pk=self.images_by_path[relative]).first()
        file_path = self._media_file(relative)
        if file_path is REFUSED:
            return None
        suffix = file_path.suffix.lower() if file_path else ""
        is_image = suffix in image_extensions()
        if (
            file_path is not None
            and not is_image
            and not (documents and suffix in document_extensions())
        ):
            self.report.warn(
                _("The file %(path)s is not a kind of file the paper accepts; it was left out.")
                % {"path": relative}
            )
            self.report.count("media", "refused")
            return None
        if file_path is None or not file_path.is_file():
            if not warn:
                return None
            self.report.warn(
                _("The file %(path)s is not in the media folder; a marked gap stands for it.")
                % {"path": relative or _("(no address)")}
            )
            return None
        name = file_path.name
        with file_path.open("rb") as handle:
            if is_image:
                made = get_image_model()(title=(title or name)[:255], caption=caption[:400])
                self._attach_file(made, ImageFile(handle, name=name))
                self.images_by_path[relative] = made.pk
                self.report.count("images", "created")
            else:
                made = get_document_model()(title=(title or name)[:255])
                self._attach_file(made, File(handle, name=name))
                self.report.count("documents", "created")
        self._remember("media", relative, made)
        return made

    def _attach_file(self, made, upload: File) -> None:
        """Save the row with its file; a dry run writes the row (rolled back), never the file."""
        if not self.dry_run:
            made.file = upload
            # Size and hash as Wagtail's upload form sets them: its duplicate check and
            # the admin's listings read them.
            if isinstance(made, get_image_model()):
                made._set_image_file_metadata()
            else:
                made._set_document_file_metadata()
            made.save()
            self.stored_files.append((made.file.storage, made.file.name))
            return
        made.file.name = f"dry-run/{upload.name}"
        if isinstance(upload, ImageFile):
            made.width, made.height = upload.width or 1, upload.height or 1
        made.save()

    def _image_for(self, attachment_id: int | None, src: str) -> int | None:
        """Return the image pk for a picture in a post: by attachment id, else by address."""
        found = known_image(attachment_id, src, self.images_by_id, self.images_by_path)
        if found is not UNKNOWN_IMAGE:
            return found
        # A picture the export lists no attachment for: take it from the media folder if
        # it is there; the converter marks the gap and warns when it is not.
        made = self._media(RESIZED.sub("", upload_path(src)), warn=False)
        return made.pk if made is not None and made._meta.model is get_image_model() else None

    # Redirects ----------------------------------------------------------------------------

    def _item_redirects(self, item: Item, page: Page, paths: list | None = None) -> None:
        """Keep the post's old addresses (item_redirect_paths'; `paths` if the worker made them)."""
        for normalised, alias in paths if paths is not None else item_redirect_paths(item):
            self._redirect_from(normalised, page, alias=alias)

    def _redirect(self, path: str, page: Page, route: str = "", *, alias: bool = False) -> None:
        self._redirect_from(Redirect.normalise_path(path), page, route, alias=alias)

    def _redirect_from(
        self, normalised: str, page: Page, route: str = "", *, alias: bool = False
    ) -> None:
        """Redirect an old address (normalised as the redirect table keeps it) to `page`."""
        if normalised in ("", "/"):
            return  # the front page is ours
        if normalised in self.redirect_paths:
            if alias or normalised not in self.alias_paths:
                return  # the first real claim to an address keeps it
            self.alias_paths.discard(normalised)
            if normalised in self.new_redirects:
                self.new_redirects[normalised] = (page.pk, route)
            else:
                Redirect.objects.filter(old_path=normalised, site=None).update(
                    redirect_page=page, redirect_page_route_path=route
                )
            return
        if alias:
            self.alias_paths.add(normalised)
        self.new_redirects[normalised] = (page.pk, route)
        self.redirect_paths.add(normalised)
        self.report.redirects += 1

    # The end of the run -------------------------------------------------------------------

    def _finish(self) -> None:
        self._resolve_pending_terms()
        self._flush_articles()
        while self.pending_pages:
            waiting, self.pending_pages = self.pending_pages, []
            for item in waiting:
                if item.parent_id not in self.pages_by_wordpress_id and all(
                    other.wordpress_id != item.parent_id for other in waiting
                ):
                    item.parent_id = 0  # its parent is not in the export: file it at the top
                self._standard_page(item)
            if len(self.pending_pages) == len(waiting):
                for item in self.pending_pages:
                    item.parent_id = 0
        for path, parent_id in self.attachment_redirects:
            page_pk = self.pages_by_wordpress_id.get(parent_id)
            post = Page.objects.filter(pk=page_pk).first() if page_pk else None
            if post is not None:
                self._redirect(path, post)
        self._lead_article()
        self._write_batch_rows()

    def _lead_article(self) -> None:
        """Make the newest sticky post the front page's lead, unless editors chose another.

        The lead is set when the front page has none, or still has the one the import set
        last time (kept in a mapping row of kind "lead-article").
        """
        existing = set(
            Page.objects.filter(pk__in=[pk for _w, pk, _t in self.sticky]).values_list(
                "pk", flat=True
            )
        )
        sticky = sorted((s for s in self.sticky if s[1] in existing), reverse=True)
        if not sticky:
            return
        _when, lead_pk, title = sticky[0]
        self.report.lead_article = title
        self.report.other_sticky = [t for _w, _p, t in sticky[1:]]
        home = HomePage.objects.get(pk=self.home.pk)
        if home.lead_article_id == lead_pk:
            return
        row = self._mapping("lead-article", home.pk)
        set_last_time = int(row.checksum) if row is not None and row.checksum.isdigit() else None
        if home.lead_article_id is not None and home.lead_article_id != set_last_time:
            self.report.warn(
                _(
                    "The front page's lead article was chosen here; “%(title)s”, the newest "
                    "sticky post, did not replace it."
                )
                % {"title": title}
            )
            return
        home.lead_article_id = lead_pk
        home.save_revision().publish()
        self._remember("lead-article", home.pk, home, str(lead_pk))

    # Pages in the tree --------------------------------------------------------------------

    def _free_slug(self, parent: Page, wanted: str) -> str:
        """Return `wanted`, or wanted-2, -3…, whichever no sibling under `parent` has yet."""
        taken = self.sibling_slugs.get(parent.pk)
        if taken is None:
            taken = set(Page.objects.child_of(parent).values_list("slug", flat=True))
            self.sibling_slugs[parent.pk] = taken
        slug, number = wanted, 2
        while slug in taken:
            suffix = f"-{number}"
            slug, number = f"{wanted[: SLUG_LENGTH - len(suffix)]}{suffix}", number + 1
        taken.add(slug)
        return slug

    def _add(self, parent: Page, page: Page, *, live: bool) -> None:
        """Add one page, published or as a draft, through the bulk writer (as Wagtail would)."""
        page.locale = self.locale
        add_pages(parent, [page], publish=live)


@contextmanager
def collector_between_batches() -> Iterator[None]:
    """Let Python's cycle collector skip what outlives a batch, for the run only.

    What outlives a batch is the run's lookups, which grow to a few hundred thousand
    objects; the collector would walk them all again every time its oldest generation
    filled (a tenth of the writer's time at 20,000 posts, more as they grow).
    keep_survivors() at each batch's end collects the batch's garbage and sets the
    survivors aside (gc.freeze); they come back under the collector when the run ends.
    """
    was_frozen = gc.get_freeze_count()
    try:
        yield
    finally:
        if not was_frozen:
            gc.unfreeze()


def keep_survivors() -> None:
    """Collect the batch's garbage, then leave what survives it out of later collections."""
    gc.collect()
    gc.freeze()


@contextmanager
def sqlite_page_cache() -> Iterator[None]:
    """Give SQLite's connection a page cache a batch fits in, for the run only.

    Its default (2 MB) is much smaller than what one batch writes: pages would be written
    out and read back within the transaction, more so as the tables grow. Other databases
    size their caches themselves.
    """
    connection = connections[router.db_for_write(Page)]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


@contextmanager
def sqlite_fts_buffer() -> Iterator[None]:
    """Let SQLite's full-text index gather a batch's words before writing them, for the run.

    With FTS5's default buffer (1 MiB) a batch's search entries are written out as dozens of
    small segments, which FTS5 then merges again and again as the index grows; with a
    buffer a batch fits in, each statement writes one. The setting lives in the index's
    own table (every connection shares it), so it is put back when the run ends. Nothing
    to do without SQLite's FTS5 search table.
    """
    connection = connections[router.db_for_write(IndexEntry)]
    table = f"{IndexEntry._meta.db_table}_fts"
    if connection.vendor != "sqlite" or table not in connection.introspection.table_names():
        yield
        return
    quoted = connection.ops.quote_name(table)
    # Only quoted model metadata goes into the statements; the values are parameters.
    configure = f"INSERT INTO {quoted}({quoted}, rank) VALUES ('hashsize', %s)"  # noqa: S608
    with connection.cursor() as cursor:
        config = connection.ops.quote_name(f"{table}_config")
        cursor.execute(f"SELECT v FROM {config} WHERE k = 'hashsize'")  # noqa: S608
        found = cursor.fetchone()
        cursor.execute(configure, [SQLITE_FTS_BUFFER])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(configure, [int(found[0]) if found else FTS5_DEFAULT_HASHSIZE])


def insert_comments(rows: list[list]) -> list[int]:
    """Insert comment rows (COMMENT_COLUMNS) with the dates their readers wrote them, and
    return their ids, in order.

    `created_at` is auto_now_add, which a save() would stamp with the current time; the
    rows carry their own, as the reader wrote them.
    """
    return insert_rows(ReaderComment, COMMENT_COLUMNS, [tuple(row) for row in rows], returning=True)


def is_readers_comment(comment: Comment) -> bool:
    """True for a reader's comment that comes in: not a pingback, a plugin's note, spam or
    trash (a status WordPress does not write is left out too)."""
    return comment.comment_type in READERS_COMMENT_TYPES and comment.approved in ("0", "1")


def comment_texts(comment: Comment) -> tuple[str, str, str]:
    """The commenter's name and words as plain text, and their website if it is safe."""
    return (
        plain_text(comment.author_name),
        plain_text(comment.content),
        safe_website(comment.author_url),
    )


def keep_post_dates(pages: list[Page]) -> None:
    """Write the pages' own publication dates back: one prepared UPDATE for them all.

    Django's bulk_update builds a CASE expression per batch of rows, which costs more than
    the database's own work at archive scale.
    """
    if not pages:
        return
    connection = connections[router.db_for_write(Page)]
    field = Page._meta.get_field("first_published_at")
    quote = connection.ops.quote_name
    # Only quoted model metadata goes into the statement; the values are parameters.
    update = (
        f"UPDATE {quote(Page._meta.db_table)} SET {quote('first_published_at')} = %s, "  # noqa: S608
        f"{quote('last_published_at')} = %s WHERE {quote('id')} = %s"
    )
    rows = []
    for page in pages:
        first = field.get_db_prep_save(page.first_published_at, connection)
        last = field.get_db_prep_save(page.last_published_at, connection)
        rows.append((first, last, page.pk))
    with connection.cursor() as cursor:
        cursor.executemany(update, rows)


def keep_publication_dates(page: Page, when: datetime.datetime | None) -> None:
    """Put back the post's own date, which publishing replaced with the current time."""
    if when is None:
        return
    Page.objects.filter(pk=page.pk).update(first_published_at=when, last_published_at=when)
    page.first_published_at = page.last_published_at = when


def article_body(item: Item, converted) -> tuple[str | None, list[dict]]:
    """Return the article's access level (None: Masthead's default) and its blocks, with
    the free-preview marker where the post's JNews Paywall settings put it."""
    from .convert import paywall_from_meta

    blocks = list(converted.blocks)
    access, preview = paywall_from_meta(item.meta)
    if access and access != AccessLevel.PUBLIC and preview is not None:
        blocks = with_preview_break(blocks, preview)
    return access, blocks


def article_texts(item: Item) -> dict[str, str]:
    """The article's title and standfirst as plain text."""
    return {"title": plain_text(item.title), "standfirst": plain_text(item.excerpt)}


def with_preview_break(blocks: list[dict], paragraphs: int) -> list[dict]:
    """Insert the free-preview marker after the first `paragraphs` paragraphs.

    The marker gets its block id here, a random one as Wagtail gives a block without: the
    body's text can then be encoded ahead (by the worker) and stay what is stored.
    """
    if any(block["type"] == "preview_break" for block in blocks):
        return blocks
    marker = {"type": "preview_break", "value": None, "id": str(uuid.uuid4())}
    if paragraphs <= 0:
        return [marker, *blocks]
    seen = 0
    for position, block in enumerate(blocks):
        if block["type"] == "paragraph":
            seen += 1
            if seen >= paragraphs:
                return [*blocks[: position + 1], marker, *blocks[position + 1 :]]
    return blocks


def page_block(block: dict) -> dict | None:
    """Return an article body block as a standard page can hold it (no embeds, no marker)."""
    if block["type"] in PAGE_BODY_BLOCKS:
        return block
    if block["type"] == "embed":
        url = html.escape(str(block["value"]))
        return {"type": "paragraph", "value": f'<p><a href="{url}">{url}</a></p>'}
    return None


def first_int(values: list[str] | None) -> int | None:
    for value in values or []:
        if str(value).strip().isdigit():
            return int(value)
    return None


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
