"""Add many new pages under one parent in a few queries, leaving what Wagtail itself leaves.

Wagtail adds a page with `parent.add_child(instance=page)`, then `page.save_revision()`
and `revision.publish()`: three saves, each validating the page, indexing it for search
and rebuilding its reference index: dozens of queries a page. An archive of 100,000
articles needs the same rows written per batch instead. `add_pages` writes, for a whole
batch at once, exactly the rows those three calls would have written (tests/test_bulk.py
builds the same pages both ways and compares them field by field):

- the `wagtailcore_page` rows with their tree paths (the next steps after the parent's
  last child), depth, url_path, draft_title, locale, live state and publication times,
  and the parent's numchild;
- the specific model's own rows (ArticlePage's table beside Page's);
- the pages' unsaved cluster children (tags, bylines) as rows;
- one Revision per page, with the content `save_revision` would have stored, set as the
  latest revision (and the live revision of a page published now);
- the log entries ("wagtail.create", then "wagtail.publish" or "wagtail.publish.schedule");
- the search index entries (through the search backends' own `add_bulk`; for SQLite's
  backend the same entries written in one pass and one statement) and the reference
  index rows;
- the `page_published` and `published` signals for each page that went live.

A page may carry `_bulk_search_texts`, {search method name: its text}, computed ahead by
the caller from the same fields (the import's worker computes `search_body` while the
importer writes); the index takes those texts instead of calling the methods.

What it does not do, as the three calls do not either for a new page: workflows, page
subscriptions, aliases. Callers set `owner` themselves if they want one, and check
permissions themselves (an import runs as the system).

An import writing many small groups (one per section) in one transaction should wrap
them in `deferred_search_index()`, which indexes them in one go at the end of the block.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRel
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.db.models import Count, F, Sum
from django.db.models.constants import OnConflict
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.text import slugify
from django.utils.translation import gettext as _
from modelcluster.fields import ParentalKey
from modelcluster.models import (
    ClusterableModel,
    get_all_child_m2m_relations,
    get_all_child_relations,
)
from wagtail.blocks import Block, ChooserBlock, RichTextBlock
from wagtail.blocks.stream_block import BaseStreamBlock, StreamValue
from wagtail.blocks.struct_block import BaseStructBlock
from wagtail.fields import StreamField
from wagtail.log_actions import get_active_log_context
from wagtail.models import Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.rich_text import extract_references_from_rich_text
from wagtail.search.backends import get_search_backends
from wagtail.search.index import class_is_indexed
from wagtail.signals import page_published, published
from wagtail.utils.timestamps import ensure_utc

from masthead.content.models import ArticlePage
from masthead.pagecache.purge import batched as purge_batched
from masthead.pagecache.purge import created_in_batch
from masthead.search.entries import in_use as search_entries_in_use
from masthead.search.entries import update_entries as update_search_entries
from masthead.search.signal_handlers import written_in_bulk as search_rows_in_bulk

# Pages whose search indexing waits for the end of a deferred_search_index() block.
_waiting_for_index: ContextVar[list | None] = ContextVar("bulk_waiting_for_index", default=None)

# Rows per INSERT: big enough to amortise a statement, small enough for SQLite's
# parameter limit on the widest table (Page has 30-odd columns).
INSERT_BATCH = 500


def add_pages(
    parent: Page,
    pages: Iterable[Page],
    *,
    publish: bool = True,
    user=None,
    clean: bool = True,
) -> list[Page]:
    """Add unsaved `pages` as the last children of `parent`, each with one revision.

    With `publish`, each page ends as `add_child` + `save_revision()` + `publish()` leave
    it: live now, or scheduled when its `go_live_at` is in the future. Without, it ends as
    the admin's "Save draft" leaves a new page: not live, with unpublished changes. The
    pages are changed in place (pk, path, revisions...) and returned, in order.
    Raises ValidationError, before writing anything, for a page Wagtail would refuse.
    """
    pages = list(pages)
    if not pages:
        return []
    for page in pages:
        if page.pk is not None or not page._state.adding:
            raise ValueError(f"add_pages() adds new pages only; {page!r} is already saved.")
        if not isinstance(page, Page) or page.specific_class is None:
            raise TypeError(f"add_pages() needs specific Page instances, not {page!r}.")
    using = router.db_for_write(Page)
    with transaction.atomic(using=using):
        parent_row = _lock_parent(parent, using)
        now = timezone.now()
        _place(parent_row, pages, using)
        for page in pages:
            page._cached_parent_obj = parent  # what the search index's section name reads
        if clean:
            _validate(pages)
        _set_publication_state(pages, publish=publish, now=now)
        _insert_pages(pages, using)
        _insert_cluster_children(pages, using)
        revisions = _insert_revisions(pages, user=user, publish=publish, now=now, using=using)
        _link_revisions(pages, revisions, using)
        parent.numchild = parent_row.numchild + len(pages)
        Page.objects.using(using).filter(pk=parent.pk).update(numchild=parent.numchild)
        _log(pages, revisions, user=user, using=using)
        _index_references(pages, using)
        waiting = _waiting_for_index.get()
        if waiting is None:
            _index_for_search(pages)
            for page in pages:
                _forget_pending_children(page)
        else:
            waiting.extend(pages)
        # The page cache purges once for the whole batch, and PostgreSQL's search rows
        # are written in one go, not once per page.
        with purge_batched(), search_rows_in_bulk():
            created_in_batch(page.pk for page in pages)
            for page, revision in zip(pages, revisions, strict=True):
                if page.live:
                    page_published.send(
                        sender=page.specific_class, instance=page, revision=revision
                    )
                    published.send(sender=type(page), instance=page, revision=revision)
        articles = [page.pk for page in pages if page.live and isinstance(page, ArticlePage)]
        if articles and search_entries_in_use(using):
            update_search_entries(
                ArticlePage.objects.using(using).filter(pk__in=articles).prefetch_related("tags"),
                using=using,
            )
    return pages


@contextmanager
def deferred_search_index() -> Iterator[None]:
    """Index the pages of every add_pages() call in the block together, at its end.

    The SQLite search backend recomputes its title norms over the whole index after each
    bulk add (two full scans of the table), so an import adding a few dozen pages per
    section per batch would pay them thousands of times. Open the block inside the
    batch's transaction; if the block raises, nothing is indexed (the transaction rolls
    the pages back anyway). Nested blocks index with the outermost.
    """
    if _waiting_for_index.get() is not None:
        yield
        return
    waiting = []
    token = _waiting_for_index.set(waiting)
    try:
        yield
    finally:
        _waiting_for_index.reset(token)
    _index_for_search(waiting)
    for page in waiting:
        _forget_pending_children(page)


def _lock_parent(parent: Page, using: str) -> Page:
    """Read the parent afresh (and lock it where the database can) as treebeard does."""
    return (
        Page.objects.using(using)
        .select_for_update()
        .only("path", "depth", "numchild", "url_path", "locale_id", "title")
        .get(pk=parent.pk)
    )


def _place(parent: Page, pages: list[Page], using: str) -> None:
    """Give each page its tree position, url_path and the defaults Page.save() fills in.

    Children are looked up by their range of paths, as treebeard does: SQLite cannot use
    the path index for startswith (LIKE), and a section of an archive has thousands.
    """
    depth = parent.depth + 1
    last_path = (
        Page.objects.using(using)
        .filter(path__range=Page._get_children_path_interval(parent.path), depth=depth)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    step = Page._str2int(last_path[-Page.steplen :]) if last_path else 0
    max_step = len(Page.alphabet) ** Page.steplen - 1
    if step + len(pages) > max_step:
        raise ValueError(f"The page {parent.pk} cannot hold {len(pages)} more children.")
    for offset, page in enumerate(pages, start=1):
        page.depth = depth
        page.path = Page._get_path(parent.path, depth, step + offset)
        page.numchild = 0
        if not page.draft_title:
            page.draft_title = page.title
        if page.locale_id is None:
            page.locale_id = parent.locale_id
    _fill_slugs(parent, pages, using)
    for page in pages:
        page.set_url_path(parent)


def _fill_slugs(parent: Page, pages: list[Page], using: str) -> None:
    """Slug each page as Page.save() would: from the title, "-2", "-3"... if taken.

    A slug given by the caller that a sibling already has is refused, as Wagtail refuses it.
    """
    siblings = Page.objects.using(using).filter(
        path__range=Page._get_children_path_interval(parent.path), depth=parent.depth + 1
    )
    given = [page.slug for page in pages if page.slug]
    taken = set(siblings.filter(slug__in=given).values_list("slug", flat=True))
    seen = set()
    for page in pages:
        if page.slug and (page.slug in taken or page.slug in seen):
            raise ValidationError(
                {
                    "slug": _(
                        "The slug '%(page_slug)s' is already in use within the parent page "
                        "at '%(parent_url_path)s'."
                    )
                    % {"page_slug": page.slug, "parent_url_path": parent.url_path}
                }
            )
        seen.add(page.slug)
    allow_unicode = getattr(settings, "WAGTAIL_ALLOW_UNICODE_SLUGS", True)
    unslugged = [page for page in pages if not page.slug]
    bases = {id(page): slugify(page.title, allow_unicode=allow_unicode) for page in unslugged}
    suffix = {id(page): 1 for page in unslugged}
    # Candidates are checked against the siblings a round at a time; a clash bumps the
    # suffix and goes round again, so most batches need one query.
    while unslugged:
        candidates = {}
        for page in unslugged:
            base, number = bases[id(page)], suffix[id(page)]
            candidates[id(page)] = base if number == 1 else f"{base}-{number}"
        taken = set(
            siblings.filter(slug__in=list(candidates.values())).values_list("slug", flat=True)
        )
        waiting = []
        for page in unslugged:
            candidate = candidates[id(page)]
            if not bases[id(page)]:
                continue  # a title slugify empties: Wagtail leaves the slug blank too
            if candidate in taken or candidate in seen:
                suffix[id(page)] += 1
                waiting.append(page)
            else:
                page.slug = candidate
                seen.add(candidate)
        unslugged = waiting


def _validate(pages: list[Page]) -> None:
    """Check each page's fields as full_clean() would, without a query per foreign key.

    Foreign keys are left to the database's own constraints; slugs were checked in bulk.
    """
    errors = {}
    for page in pages:
        relations = [f.name for f in page._meta.concrete_fields if f.is_relation]
        try:
            page.clean_fields(exclude=relations)
        except ValidationError as error:
            errors[page.title or page.slug] = error.messages
    if errors:
        raise ValidationError(
            [f"{title}: {'; '.join(messages)}" for title, messages in errors.items()]
        )


# The fields publish() sets; save_revision() stored them as the caller left them.
_PUBLICATION_FIELDS = (
    "live",
    "has_unpublished_changes",
    "expired",
    "latest_revision_created_at",
    "first_published_at",
    "last_published_at",
)


def _set_publication_state(pages: list[Page], *, publish: bool, now) -> None:
    """Remember what save_revision() would store, then set what publish() leaves."""
    for page in pages:
        if not publish:
            page.live = False  # the admin's "Save draft" does this before add_child()
        page._bulk_as_revised = {name: getattr(page, name) for name in _PUBLICATION_FIELDS}
        page.latest_revision_created_at = now
        if not publish:
            page.has_unpublished_changes = True
            continue
        page.live = not _scheduled(page, now)
        page.has_unpublished_changes = not page.live
        page.expired = False
        if page.live:
            page.last_published_at = now
            if page.first_published_at is None:
                page.first_published_at = now


def _scheduled(page: Page, now) -> bool:
    return bool(page.go_live_at and page.go_live_at > now)


def _concrete_chain(model) -> list:
    """The concrete models between Page (excluded) and `model` (included), top down."""
    chain = [model, *model._meta.get_parent_list()]
    chain = [m for m in chain if not m._meta.proxy]
    return [m for m in reversed(chain) if m is not Page and issubclass(m, Page)]


def _insert_pages(pages: list[Page], using: str) -> None:
    """Insert Page rows, read their ids back by path, then each specific model's rows."""
    page_fields = [f for f in Page._meta.local_concrete_fields if not f.primary_key]
    _insert_objects(Page, page_fields, pages, using)
    ids = {}
    for start in range(0, len(pages), INSERT_BATCH):
        paths = [page.path for page in pages[start : start + INSERT_BATCH]]
        ids.update(Page.objects.using(using).filter(path__in=paths).values_list("path", "pk"))
    for page in pages:
        page.id = ids[page.path]
    by_model = defaultdict(list)
    for page in pages:
        by_model[type(page)].append(page)
    for model, group in by_model.items():
        for concrete in _concrete_chain(model):
            for page in group:
                for link in concrete._meta.parents.values():
                    if link is not None:
                        setattr(page, link.attname, page.id)
            _insert_objects(concrete, list(concrete._meta.local_concrete_fields), group, using)
        for page in group:
            page._state.adding = False
            page._state.db = using


def _insert_cluster_children(pages: list[Page], using: str) -> None:
    """Write the unsaved children (tags, bylines...) the pages hold in memory."""
    by_model = defaultdict(list)
    for page in pages:
        if not hasattr(page, "_cluster_related_objects"):
            page._cluster_related_objects = {}
        pending = page._cluster_related_objects
        for relation in get_all_child_relations(page):
            name = relation.get_accessor_name()
            if name not in pending:
                # A new page has none in the database: say so, so that serialising and
                # indexing it do not ask the database once per page and relation.
                pending[name] = []
                continue
            for child in pending[name]:
                if child.pk is not None:
                    raise ValueError(f"{child!r} of a new page is already saved.")
                setattr(child, relation.field.name, page)
                by_model[relation.related_model].append(child)
        for field in get_all_child_m2m_relations(page):
            getattr(page, field.name).commit()  # rare on articles; Wagtail's own path
    for model, children in by_model.items():
        insert_objects(model, children, using)
        if any(child.pk is None for child in children):
            raise RuntimeError(
                f"The database did not return the ids of the new {model._meta.label} rows."
            )


def _insert_revisions(pages, *, user, publish: bool, now, using: str) -> list[Revision]:
    """One Revision per page holding what save_revision() would have serialised."""
    base_type = ContentType.objects.db_manager(using).get_for_model(Page)
    content_types = _content_types(using)
    revisions = [
        Revision(
            content_type_id=content_types(page),
            base_content_type=base_type,
            object_id=str(page.pk),
            created_at=now,
            user=user,
            approved_go_live_at=page.go_live_at if publish and not page.live else None,
            content=_revision_content(page),
            object_str=str(page),
        )
        for page in pages
    ]
    fields = [f for f in Revision._meta.local_concrete_fields if not f.primary_key]
    _insert_objects(Revision, fields, revisions, using)
    # A new page has no other revision, so its id names the one just written.
    ids = {}
    for start in range(0, len(revisions), INSERT_BATCH):
        object_ids = [r.object_id for r in revisions[start : start + INSERT_BATCH]]
        ids.update(
            Revision.objects.using(using)
            .filter(base_content_type=base_type, object_id__in=object_ids)
            .values_list("object_id", "pk")
        )
    for revision in revisions:
        revision.id = ids[revision.object_id]
        revision._state.adding = False
        revision._state.db = using
    return revisions


def _revision_content(page: Page) -> dict:
    """Serialise the page as save_revision() saw it: saved, before its revision existed."""
    final = {name: getattr(page, name) for name in _PUBLICATION_FIELDS}
    for name, value in page._bulk_as_revised.items():
        setattr(page, name, value)
    try:
        return page.serializable_data()
    finally:
        for name, value in final.items():
            setattr(page, name, value)


def _link_revisions(pages: list[Page], revisions: list[Revision], using: str) -> None:
    """Point each page at its revision: one prepared UPDATE run for the whole batch."""
    for page, revision in zip(pages, revisions, strict=True):
        page.latest_revision = revision
        page.live_revision = revision if page.live else None
    connection = connections[using]
    quote = connection.ops.quote_name
    # Only quoted model metadata goes into the statement; the values are parameters.
    update = (
        f"UPDATE {quote(Page._meta.db_table)} SET {quote('latest_revision_id')} = %s, "  # noqa: S608
        f"{quote('live_revision_id')} = %s WHERE {quote('id')} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            update, [(page.latest_revision_id, page.live_revision_id, page.pk) for page in pages]
        )


def _log(pages: list[Page], revisions: list[Revision], *, user, using: str) -> None:
    """The history entries the three calls write: created, then published or scheduled."""
    log_context = get_active_log_context()
    uuid = log_context.uuid
    user_id = (user or log_context.user).pk if (user or log_context.user) else None
    context_user_id = log_context.user.pk if log_context.user else None
    content_types = _content_types(using)
    rows = []
    for page, revision in zip(pages, revisions, strict=True):
        common = (
            content_types(page),
            PageLogEntry.objects.get_instance_title(page),
            revision.created_at,
            uuid,
            True,  # content_changed
            False,  # deleted
            page.pk,
        )
        # Page.save() logs the creation without a user: the owner, else the context's user.
        rows.append(("wagtail.create", {}, page.owner_id or context_user_id, None, *common))
        if page.live:
            rows.append(("wagtail.publish", {}, user_id, revision.pk, *common))
        elif revision.approved_go_live_at:
            scheduled = {
                "revision": {
                    "id": revision.pk,
                    "created": ensure_utc(revision.created_at),
                    "go_live_at": ensure_utc(page.go_live_at),
                    "has_live_version": False,
                }
            }
            rows.append(("wagtail.publish.schedule", scheduled, user_id, revision.pk, *common))
    _insert_rows(
        PageLogEntry,
        ["action", "data", "user", "revision", "content_type", "label", "timestamp", "uuid"]
        + ["content_changed", "deleted", "page"],
        rows,
        using,
    )


def _content_types(using: str):
    """Look a page's own content type up once per model, as the log and index name it."""
    cache = {}

    def content_type_id(page: Page) -> int:
        model = type(page)
        if model not in cache:
            cache[model] = (
                ContentType.objects.db_manager(using)
                .get_for_model(page, for_concrete_model=False)
                .pk
            )
        return cache[model]

    return content_type_id


def insert_rows(model, names: list[str], rows: list[tuple], using: str | None = None) -> None:
    """Insert plain rows into a plain model's table, each value prepared by its field.

    For rows an importer writes by the ten thousand and never reads back by id; the
    caller gives every column save() would write (auto_now ones included).
    """
    _insert_rows(model, names, rows, using or router.db_for_write(model))


def insert_objects(model, objs: list, using: str | None = None) -> None:
    """Insert new objects of a plain model and give each its id, as bulk_create does.

    The same rows bulk_create writes (each field's pre_save, then its preparation), the
    ids read back through RETURNING in the order of the rows as bulk_create reads them,
    without its compiler's layers: at ten thousand comments and tags a batch, those cost
    more than the inserts. A database without RETURNING, a model with a parent model, a
    field the database fills (db_default, generated) or an object that has an id already
    takes bulk_create itself.
    """
    objs = list(objs)
    if not objs:
        return
    using = using or router.db_for_write(model)
    connection = connections[using]
    pk = model._meta.pk
    fields = [f for f in model._meta.local_concrete_fields if f is not pk]
    if (
        not connection.features.can_return_rows_from_bulk_insert
        or model._meta.parents
        or not isinstance(pk, models.AutoField | models.BigAutoField)
        or any(field.has_db_default() or field.generated for field in fields)
        or any(obj.pk is not None for obj in objs)
    ):
        model._base_manager.using(using).bulk_create(objs, batch_size=INSERT_BATCH)
        return
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")
    rows = [tuple(field.pre_save(obj, True) for field in fields) for obj in objs]
    ids = _insert_rows(model, fields, rows, using, per_statement=INSERT_BATCH, returning=pk)
    for obj, (new_id,) in zip(objs, ids, strict=True):
        setattr(obj, pk.attname, new_id)
        obj._state.adding = False
        obj._state.db = using


def _insert_objects(model, fields: list, objs: list, using: str) -> None:
    """Insert the objects' rows as save() would write them, without reading ids back."""
    rows = [tuple(field.pre_save(obj, True) for field in fields) for obj in objs]
    _insert_rows(model, fields, rows, using)


def _insert_rows(
    model,
    names: list,
    rows: list[tuple],
    using: str,
    *,
    ignore=False,
    per_statement=1,
    returning=None,
) -> list[tuple]:
    """Insert plain rows of field values (names or fields): one executemany, or
    statements of `per_statement` rows each (as many as the database takes, at most).
    With `returning` (a field), return its value for each row, in order.

    Django's bulk INSERT compiles every value through several layers; at a few hundred
    values a page that costs more than the database's own work. Each value still goes
    through its field's get_db_prep_save, as in any save.
    """
    if not rows:
        return []
    connection = connections[using]
    fields = [model._meta.get_field(name) if isinstance(name, str) else name for name in names]
    on_conflict = OnConflict.IGNORE if ignore else None
    quote = connection.ops.quote_name
    preparers = [_preparer(field, connection) for field in fields]
    prepared = [
        tuple(prepare(value) for prepare, value in zip(preparers, row, strict=True)) for row in rows
    ]
    placeholders = f"({', '.join(['%s'] * len(fields))})"

    returning_sql, _params = connection.ops.returning_columns([returning] if returning else [])

    def statement(count: int) -> str:
        # Only quoted model metadata goes into the statement; the values are parameters.
        return (
            f"{connection.ops.insert_statement(on_conflict=on_conflict)} "
            f"{quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES {', '.join([placeholders] * count)} "
            f"{connection.ops.on_conflict_suffix_sql(fields, on_conflict, None, None) or ''}"
            f" {returning_sql}"
        )

    per_statement = max(1, min(per_statement, connection.ops.bulk_batch_size(fields, rows)))
    returned = []
    with connection.cursor() as cursor:
        if per_statement == 1 and not returning:
            cursor.executemany(statement(1), prepared)
            return returned
        for start in range(0, len(prepared), per_statement):
            chunk = prepared[start : start + per_statement]
            cursor.execute(statement(len(chunk)), [value for row in chunk for value in row])
            if returning:
                returned.extend(cursor.fetchall())
    return returned


# Stock field classes whose get_db_prep_save gives back a value of this type unchanged
# (and None as None); ForeignKey prepares as the field it points at.
_PLAIN_VALUES = {
    models.CharField: str,
    models.TextField: str,
    models.SlugField: str,
    models.EmailField: str,
    models.URLField: str,
    models.IntegerField: int,
    models.SmallIntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.PositiveBigIntegerField: int,
    models.AutoField: int,
    models.BigAutoField: int,
    models.BooleanField: bool,
}


def _preparer(field, connection) -> Callable:
    """Return field.get_db_prep_save for one column, skipping its layers for a plain value.

    A str for a text column or an int for an integer one comes out of them as it went in;
    at a hundred values an article, the layers cost more than the database's own work.
    Any other value, or a field class with its own preparation, takes the field's way.
    """
    target = field
    while isinstance(target, models.ForeignKey):
        if type(target).get_db_prep_save is not models.ForeignKey.get_db_prep_save:
            target = None
            break
        target = target.target_field
    plain = _PLAIN_VALUES.get(type(target))

    def prepare(value):
        if value is None or type(value) is plain:
            return value
        return field.get_db_prep_save(value, connection)

    if plain is None:
        return lambda value: field.get_db_prep_save(value, connection)
    return prepare


def _index_for_search(pages: list[Page]) -> None:
    """Index the pages as the post_save handler would, one bulk call per model."""
    by_model = defaultdict(list)
    for page in pages:
        if class_is_indexed(type(page)) and getattr(type(page), "search_auto_update", True):
            by_model[type(page)].append(page)
    if not by_model:
        return
    for model, group in by_model.items():
        methods = _computed_search_fields(model)
        for page in group:
            given = getattr(page, "_bulk_search_texts", {})
            for name in methods:
                page.__dict__[name] = (
                    _given(given[name]) if name in given else _once(getattr(page, name))
                )
        try:
            for backend in get_search_backends(with_auto_update=True):
                index = backend.get_index_for_model(model)
                if _is_sqlite_index(index):
                    _add_to_sqlite_index(index, model, group)
                else:
                    backend.add_bulk(model, group)
        finally:
            for page in group:
                for name in methods:
                    page.__dict__.pop(name, None)


def _is_sqlite_index(index) -> bool:
    if index.__class__.__name__ != "SQLiteIndex":
        return False
    # Imported only here: the module reads SQLite's FTS model, which other databases lack.
    from modelsearch.backends.database.sqlite.sqlite import SQLiteIndex

    return isinstance(index, SQLiteIndex)


def _add_to_sqlite_index(index, model, pages: list[Page]) -> None:
    """Write the entries SQLiteIndex.add_items would write, in one pass and one statement.

    add_items walks every search field three times (once each for the title, body and
    autocomplete columns) and inserts through Django's bulk_create; here each field is
    read once and the rows go in as one executemany. The columns hold the same text in
    the same order; the FTS table is filled by the index table's own insert trigger. A
    page that already has an entry (none should: the pages are new) goes through
    add_items, which updates it.

    add_items inserts each entry with a title norm of 1.0, then updates it to the average
    title length over its own: an UPDATE the FTS table's trigger turns into removing and
    re-adding every new entry's words, body included. Here the average is taken before
    the insert, counting the new titles, and each row goes in with its final norm: the
    same number (tests/test_bulk.py).
    """
    from modelsearch.backends.database.sqlite.sqlite import ObjectIndexer
    from modelsearch.index import AutocompleteField, SearchField

    search_fields = model.get_search_fields()
    if not search_fields:
        return
    content_type = ContentType.objects.get_for_model(model).pk
    using = index.write_connection.alias
    ids = [str(page.pk) for page in pages]
    indexed = set()
    for start in range(0, len(ids), INSERT_BATCH):
        indexed.update(
            index.entries.using(using)
            .filter(content_type_id=content_type, object_id__in=ids[start : start + INSERT_BATCH])
            .values_list("object_id", flat=True)
        )
    if indexed:
        index.add_items(model, [page for page in pages if str(page.pk) in indexed])
    rows = []
    for page in pages:
        if str(page.pk) in indexed:
            continue
        indexer = ObjectIndexer(page, index.backend)
        title, body, autocomplete = [], [], []
        for search_field in search_fields:
            for field, value in indexer.prepare_field(page, search_field):
                if isinstance(field, SearchField):
                    (title if field.field_name == "title" else body).append(value)
                elif isinstance(field, AutocompleteField):
                    autocomplete.append(value)
        rows.append(
            (content_type, str(page.pk), " ".join(title), " ".join(autocomplete))
            + (" ".join(body), 1.0)  # the title norm, set below
        )
    if not rows:
        return
    entries = index.entries.using(using)
    lavg = _average_title_length(entries, (len(row[2]) for row in rows))
    rows = [(*row[:5], lavg / len(row[2]) if row[2] and lavg is not None else 1.0) for row in rows]
    # Many rows a statement: SQLite's FTS5 writes out the words it holds in memory at the
    # end of each statement that fills it (through the insert trigger), so row by row
    # it would write and merge a segment per entry, ever slower as the index grows.
    _insert_rows(
        entries.model,
        ["content_type", "object_id", "title", "autocomplete", "body", "title_norm"],
        rows,
        using,
        per_statement=INSERT_BATCH,
    )
    if lavg is not None:
        # As add_items' refresh: any other entry still at 1.0 takes the new average too.
        entries.filter(title_norm=1.0).annotate(title_length=Length("title")).filter(
            title_length__gt=0
        ).update(title_norm=lavg / F("title_length"))


def _average_title_length(entries, new_lengths: Iterable[int]) -> float | None:
    """The average length of the non-empty titles, as SQLite's AVG(LENGTH(title)) gives
    it, counting `new_lengths` (of titles not inserted yet) as if they were there."""
    found = (
        entries.annotate(title_length=Length("title"))
        .filter(title_length__gt=0)
        .aggregate(total=Sum("title_length"), count=Count("pk"))
    )
    new = [length for length in new_lengths if length > 0]
    count = found["count"] + len(new)
    if not count:
        return None
    # Whole numbers summed exactly and divided once, as AVG does.
    return ((found["total"] or 0) + sum(new)) / count


def _computed_search_fields(model) -> set[str]:
    """The search fields a method computes (ArticlePage.search_body...), not a column."""
    names = set()
    for field in model.get_search_fields():
        attribute = getattr(model, getattr(field, "field_name", ""), None)
        if callable(attribute) and not isinstance(attribute, type):
            names.add(field.field_name)
    return names


def _once(method):
    """Wrap a search method so the indexer's three passes (title, body and autocomplete,
    each walking every field) compute its text once; the result is the same text."""
    result = []

    def cached():
        if not result:
            result.append(method())
        return result[0]

    return cached


def _given(text: str):
    """Stand in for a search method whose text the caller computed (an import's worker)."""
    return lambda: text


def _index_references(pages: list[Page], using: str) -> None:
    """Record each page's outbound references as ReferenceIndex would after a save."""
    base_type = ContentType.objects.db_manager(using).get_for_model(Page).pk
    content_types = _content_types(using)
    found = {}
    chosen = defaultdict(set)  # model → ids that stored blocks choose: do they exist?
    for page in pages:
        if ReferenceIndex.is_indexed(type(page)):
            found[page] = set(_references(page))
            for _type, target_id, _model_path, _content_path, chooser in found[page]:
                if chooser is not None:
                    chosen[chooser].add(target_id)
    existing = {}
    for model, ids in chosen.items():
        # As the chooser's bulk_to_python looks them up: through the default manager.
        found_ids = model._default_manager.using(using).filter(pk__in=ids).values_list("pk")
        existing[model] = {str(pk) for (pk,) in found_ids}
    rows = []
    for page, references in found.items():
        for target_type, target_id, model_path, content_path, chooser in references:
            if chooser is not None and target_id not in existing[chooser]:
                continue  # the block's to_python finds nothing: no reference
            rows.append(
                (
                    content_types(page),
                    base_type,
                    page.pk,
                    target_type,
                    target_id,
                    model_path,
                    content_path,
                    ReferenceIndex._get_content_path_hash(content_path),
                )
            )
    _insert_rows(
        ReferenceIndex,
        ["content_type", "base_content_type", "object_id", "to_content_type", "to_object_id"]
        + ["model_path", "content_path", "content_path_hash"],
        rows,
        using,
        ignore=connections[using].features.supports_ignore_conflicts,
    )


class _NotPlain(Exception):
    """A block whose references only Wagtail's own walk (of its Python value) can tell."""


def _references(page: Page) -> Iterator[tuple]:
    """ReferenceIndex._extract_references_from_object(page), each StreamField read from
    its stored blocks instead of their Python values.

    Wagtail's walk turns every block into its value first (a rich text object per
    paragraph, the image rows...), a third of an import's indexing work; the references
    lie in the stored form already. Yields (content type, id, model path, content path,
    chooser model or None): a chosen id is a reference only if the object exists (the
    caller asks once for the whole batch). A page with a block this walk does not know, or with
    generic relations, goes through Wagtail's own walk.
    """
    fields = page._meta.get_fields()
    if any(isinstance(field, GenericForeignKey) for field in fields):
        yield from _wagtail_references(page)
        return
    try:
        found = list(_field_references(page, fields))
    except _NotPlain:
        yield from _wagtail_references(page)
        return
    yield from found
    if isinstance(page, ClusterableModel):
        for relation in get_all_child_relations(page):
            name = relation.get_accessor_name()
            for child in getattr(page, name).all():
                for (
                    target_type,
                    target_id,
                    model_path,
                    content_path,
                ) in ReferenceIndex._extract_references_from_object(child):
                    yield (
                        target_type,
                        target_id,
                        f"{name}.item.{model_path}",
                        f"{name}.{child.pk}.{content_path}",
                        None,
                    )


def _wagtail_references(page: Page) -> Iterator[tuple]:
    for reference in ReferenceIndex._extract_references_from_object(page):
        yield (*reference, None)


def _field_references(page: Page, fields) -> Iterator[tuple]:
    """The page's own fields' references, as the first half of Wagtail's walk finds them."""
    for field in fields:
        if field.is_relation and field.many_to_one:
            if getattr(field, "wagtail_reference_index_ignore", False) or getattr(
                field.related_model, "wagtail_reference_index_ignore", False
            ):
                continue
            if isinstance(field, ParentalKey | GenericRel):
                continue
            value = field.value_from_object(page)
            if value is not None:
                target = ReferenceIndex._get_base_content_type(field.related_model).id
                yield target, str(value), field.name, field.name, None
        if not hasattr(field, "extract_references"):
            continue
        value = field.value_from_object(page)
        if value is None:
            continue
        if isinstance(field, StreamField) and isinstance(value, StreamValue):
            found = _block_references(field.stream_block, field.stream_block.get_prep_value(value))
        else:
            found = ((*reference, None) for reference in field.extract_references(value))
        for model, object_id, model_path, content_path, chooser in found:
            target = ReferenceIndex._get_base_content_type(model).id
            yield (
                target,
                object_id,
                f"{field.name}.{model_path}",
                f"{field.name}.{content_path}",
                chooser,
            )


def _block_references(block, raw) -> Iterator[tuple]:
    """(model, id, model path, content path, chooser model or None) of a stored block value,
    as block.extract_references(block.to_python(raw)) gives them; _NotPlain if unsure."""
    kind = type(block)
    if kind.extract_references is Block.extract_references:
        return
    if (
        isinstance(block, BaseStreamBlock)
        and kind.extract_references is BaseStreamBlock.extract_references
    ):
        for item in raw or ():
            child = block.child_blocks.get(item.get("type")) if isinstance(item, dict) else None
            if child is None or not item.get("id"):
                raise _NotPlain
            for model, object_id, model_path, content_path, chooser in _block_references(
                child, item.get("value")
            ):
                yield (
                    model,
                    object_id,
                    f"{child.name}.{model_path}" if model_path else child.name,
                    f"{item['id']}.{content_path}" if content_path else item["id"],
                    chooser,
                )
    elif (
        isinstance(block, BaseStructBlock)
        and kind.extract_references is BaseStructBlock.extract_references
    ):
        if not isinstance(raw, dict):
            raise _NotPlain
        for name, child in block.child_blocks.items():
            if name not in raw:
                raise _NotPlain  # Wagtail would take the child's default value
            for model, object_id, model_path, content_path, chooser in _block_references(
                child, raw[name]
            ):
                yield (
                    model,
                    object_id,
                    f"{name}.{model_path}" if model_path else name,
                    f"{name}.{content_path}" if content_path else name,
                    chooser,
                )
    elif (
        isinstance(block, ChooserBlock)
        and kind.extract_references is ChooserBlock.extract_references
    ):
        if raw is None or raw == "":
            return
        if not isinstance(raw, int) or not issubclass(block.model_class, models.Model):
            raise _NotPlain
        yield block.model_class, str(raw), "", "", block.model_class
    elif (
        isinstance(block, RichTextBlock)
        and kind.extract_references is RichTextBlock.extract_references
    ):
        if raw is not None and not isinstance(raw, str):
            raise _NotPlain  # a RichText the caller built: its str() is not its source
        for reference in extract_references_from_rich_text(force_str(raw or "")):
            yield (*reference, None)
    else:
        raise _NotPlain


def _forget_pending_children(page: Page) -> None:
    """Read children from the database from now on, as a page saved by Wagtail does."""
    for name in ("_cluster_related_objects", "_bulk_as_revised", "_bulk_search_texts"):
        page.__dict__.pop(name, None)
