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
the caller from the same fields (the import's worker computes the headline's, standfirst's
and body's while the importer writes); the index takes those texts instead of calling the
methods. Each StreamField is encoded once, for its column and its revision alike (Wagtail
encodes it twice); a caller may give that text too, as `_bulk_stream_json` {field name:
`stream_json(its raw blocks)`}, the blocks carrying their ids already.

What it does not do, as the three calls do not either for a new page: workflows, page
subscriptions, aliases. Callers set `owner` themselves if they want one, and check
permissions themselves (an import runs as the system).

An import writing many small groups (one per section) in one transaction should wrap
them in `deferred_search_index()`, which indexes them in one go at the end of the block.
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from operator import attrgetter

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRel
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, models, router, transaction
from django.db.models import Count, F, Sum
from django.db.models.base import ModelState
from django.db.models.constants import OnConflict
from django.db.models.functions import Length
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.utils import timezone
from django.utils.encoding import force_str, is_protected_type
from django.utils.text import slugify
from django.utils.translation import gettext as _
from modelcluster.fields import ParentalKey
from modelcluster.models import (
    ClusterableModel,
    get_all_child_m2m_relations,
    get_all_child_relations,
    get_field_value,
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
FEW_NAMESAKES = 50  # pages elsewhere sharing a batch's slugs, looked up by id


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
    add_page_groups([(parent, pages)], publish=publish, user=user, clean=clean)
    return pages


def add_page_groups(
    groups: Iterable[tuple[Page, list[Page]]],
    *,
    publish: bool = True,
    user=None,
    clean: bool = True,
) -> None:
    """add_pages() for several parents at once: (parent, its new pages) pairs, each parent
    once. The rows are the same as one add_pages() call per parent, in the same order;
    they go in together (an import's batch fills a dozen sections at a time).
    """
    groups = [(parent, list(pages)) for parent, pages in groups if pages]
    if not groups:
        return
    if len({parent.pk for parent, _pages in groups}) < len(groups):
        raise ValueError("add_page_groups() takes each parent once.")
    pages = [page for _parent, group in groups for page in group]
    for page in pages:
        if page.pk is not None or not page._state.adding:
            raise ValueError(f"add_pages() adds new pages only; {page!r} is already saved.")
        if not isinstance(page, Page) or page.specific_class is None:
            raise TypeError(f"add_pages() needs specific Page instances, not {page!r}.")
    using = router.db_for_write(Page)
    with transaction.atomic(using=using):
        parent_rows = [_lock_parent(parent, using) for parent, _group in groups]
        now = timezone.now()
        for (parent, group), parent_row in zip(groups, parent_rows, strict=True):
            _place(parent_row, group, using)
            for page in group:
                page._cached_parent_obj = parent  # what the search index's section name reads
        if clean:
            _validate(pages)
        _set_publication_state(pages, publish=publish, now=now)
        _encode_streams(pages)
        _insert_pages(pages, using)
        _insert_cluster_children(pages, using)
        revisions = _insert_revisions(pages, user=user, publish=publish, now=now, using=using)
        _link_revisions(pages, revisions, using)
        for (parent, group), parent_row in zip(groups, parent_rows, strict=True):
            parent.numchild = parent_row.numchild + len(group)
        _set_numchild([parent for parent, _group in groups], using)
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


def _set_numchild(parents: list[Page], using: str) -> None:
    """Write each parent's new numchild."""
    _update_pages(["numchild"], [(parent.numchild, parent.pk) for parent in parents], using)


def _update_pages(columns: list[str], rows: list[tuple], using: str) -> None:
    """Set `columns` of Page rows, each row its values then its page's id: one prepared
    UPDATE run for them all."""
    connection = connections[using]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    # Only quoted model metadata goes into the statement; the values are parameters.
    update = f"UPDATE {quote(Page._meta.db_table)} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(update, rows)


def instance_maker(model: type[models.Model]) -> Callable[..., models.Model]:
    """Return a function that makes unsaved instances of `model` as `model(**fields)` does.

    Django's constructor walks every field for its default and Wagtail's and
    modelcluster's add their own steps: a third of a millisecond an article, at 100,000
    articles half a minute. The maker builds one instance that way, then copies its
    defaults into each new one and sets the given fields: a default that must be made
    afresh (a callable one such as translation_key's, or one a descriptor turns into an
    object of its own such as a StreamField's) is made afresh, a field with a descriptor
    and a child relation (bylines=[...]) are set through it, as the constructor sets them.
    A model that listens to pre_init or post_init, or whose constructor leaves anything
    else on the instance, gets its own constructor.
    """
    template = model()
    plain, fresh = set(), []
    for field in model._meta.concrete_fields:
        descriptor = next(
            (c.__dict__[field.attname] for c in model.__mro__ if field.attname in c.__dict__), None
        )
        if not field.is_relation and type(descriptor) is not DeferredAttribute:
            fresh.append(field)  # set through its descriptor, as the constructor does
        elif field.has_default() and callable(field.default):
            fresh.append(field)
        elif not field.is_relation:
            plain.add(field.attname)
    expected = {field.attname for field in model._meta.concrete_fields} | {"_state"}
    if (
        pre_init.has_listeners(model)
        or post_init.has_listeners(model)
        or set(template.__dict__) != expected
    ):
        return model
    defaults = {
        name: value
        for name, value in template.__dict__.items()
        if name != "_state" and name not in {field.attname for field in fresh}
    }
    db, cache = template._state.db, dict(template._state.fields_cache)

    def make(**fields):
        instance = model.__new__(model)
        instance.__dict__.update(defaults)
        instance._state = ModelState()
        instance._state.db = db
        instance._state.fields_cache = dict(cache)  # e.g. the content type a page looks up
        for field in fresh:
            if field.attname not in fields and field.name not in fields:
                setattr(instance, field.attname, field.get_default())
        for name, value in fields.items():
            if name in plain:
                instance.__dict__[name] = value
            else:
                setattr(instance, name, value)
        return instance

    return make


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
    given = [page.slug for page in pages if page.slug]
    taken = _sibling_slugs(parent, given, using)
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
        taken = _sibling_slugs(parent, list(candidates.values()), using)
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


def _sibling_slugs(parent: Page, slugs: list[str], using: str) -> set[str]:
    """Which of `slugs` the parent's children have.

    Asked by the parent's range of paths, the database walks every child (thousands in an
    archive's section, for each batch). The slug index answers which pages have these
    slugs, usually none or a few; their places are then looked up by id. Many (a slug that
    many pages share) take the range query after all.
    """
    taken = set()
    depth = parent.depth + 1
    pages = Page.objects.using(using).order_by()
    for start in range(0, len(slugs), INSERT_BATCH):
        chunk = slugs[start : start + INSERT_BATCH]
        # Slug and id only: the slug index holds both, which even statistics taken on a
        # young site (that make SQLite scan the table for anything else) let it use.
        found = list(pages.filter(slug__in=chunk).values_list("slug", "pk"))
        if len(found) > FEW_NAMESAKES:
            children = pages.filter(
                path__range=Page._get_children_path_interval(parent.path), depth=depth
            )
            taken.update(children.filter(slug__in=chunk).values_list("slug", flat=True))
            continue
        places = pages.filter(pk__in=[pk for _slug, pk in found]).values_list("pk", "path", "depth")
        where = {pk: (path, page_depth) for pk, path, page_depth in places}
        for slug, pk in found:
            path, page_depth = where[pk]
            if page_depth == depth and path.startswith(parent.path):
                taken.add(slug)
    return taken


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


def _encode_streams(pages: list[Page]) -> None:
    """Encode each page's StreamFields once, for its column and its revision alike.

    Both hold json.dumps of the same prepared blocks (the revision as a string inside its
    content); Wagtail encodes them twice. Preparing them gives each block without an id
    its id, in the page's value too. A field the caller encoded (`_bulk_stream_json`) is
    left as given.
    """
    for page in pages:
        fields = _stream_fields(type(page))
        if not fields:
            continue
        given = dict(getattr(page, "_bulk_stream_json", None) or {})
        for field in fields:
            if field.attname not in given:
                value = field.get_prep_value(field.value_from_object(page))
                given[field.attname] = StoredJSON(json.dumps(value, cls=DjangoJSONEncoder))
        page._bulk_stream_json = given


_stream_fields_cache: dict[type, tuple] = {}


def _stream_fields(model) -> tuple:
    if model not in _stream_fields_cache:
        fields = [f for f in model._meta.concrete_fields if isinstance(f, StreamField)]
        # Their encoder, which _encode_streams uses: Wagtail's, checked rather than assumed.
        if any(field.json_field.encoder is not DjangoJSONEncoder for field in fields):
            fields = []
        _stream_fields_cache[model] = tuple(fields)
    return _stream_fields_cache[model]


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
        for name, model, key in _child_relations(type(page)):
            if name not in pending:
                # A new page has none in the database: say so, so that serialising and
                # indexing it do not ask the database once per page and relation.
                pending[name] = []
                continue
            for child in pending[name]:
                if child.pk is not None:
                    raise ValueError(f"{child!r} of a new page is already saved.")
                setattr(child, key, page)
                by_model[model].append(child)
        for field in _child_m2m(type(page)):
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
    revisions, rows = [], []
    user_id = user.pk if user is not None else None
    for page in pages:
        content, stored = _revision_content(page)
        revision = Revision(
            content_type_id=content_types(page),
            base_content_type=base_type,
            object_id=str(page.pk),
            created_at=now,
            user=user,
            approved_go_live_at=page.go_live_at if publish and not page.live else None,
            content=content,
            object_str=str(page),
        )
        revisions.append(revision)
        rows.append(
            (
                revision.content_type_id,
                base_type.pk,
                revision.object_id,
                now,
                user_id,
                revision.approved_go_live_at,
                stored,
                revision.object_str,
            )
        )
    _insert_rows(
        Revision,
        ["content_type", "base_content_type", "object_id", "created_at", "user"]
        + ["approved_go_live_at", "content", "object_str"],
        rows,
        using,
    )
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


def _revision_content(page: Page) -> tuple[dict, StoredJSON]:
    """Serialise the page as save_revision() saw it: saved, before its revision existed.

    Returns the content and its text as the revision's column stores it.
    """
    final = {name: getattr(page, name) for name in _PUBLICATION_FIELDS}
    for name, value in page._bulk_as_revised.items():
        setattr(page, name, value)
    try:
        content = serializable_data(page)
    finally:
        for name, value in final.items():
            setattr(page, name, value)
    # A StreamField encoded ahead is in the content as its text already (what its
    # value_to_string gives), so only the content itself is encoded here.
    return content, StoredJSON(json.dumps(content, cls=DjangoJSONEncoder))


class StoredJSON(str):
    """A JSON column's value as the column stores it (the field's encoder's output),
    encoded ahead: it goes into the column as it is."""


def stream_json(raw_blocks: list[dict]) -> StoredJSON:
    """Encode a StreamField's raw blocks (each with its id) as its column stores them, and
    as a revision holds them (Wagtail keeps a StreamField there as this text), for
    `_bulk_stream_json`: the encoding is work a second process can do."""
    return StoredJSON(json.dumps(raw_blocks, cls=DjangoJSONEncoder))


class _AsStored(json.JSONEncoder):
    """Encodes a StoredJSON as itself: the backend's adapt_json_value stays in charge of
    handing the text over (a plain string on SQLite, psycopg's Jsonb on PostgreSQL)."""

    def encode(self, o):
        return str(o)


def serializable_data(page: Page) -> dict:
    """What page.serializable_data() returns (modelcluster's walk of every field and child
    relation), from a plan made once per model; a StreamField the caller encoded ahead
    (`_bulk_stream_json`) is given as that text, which is what the walk's value_to_string
    makes of it. Any field with its own serialisation goes through the walk's own step,
    and a model with its own serializable_data() is asked for it.
    """
    if type(page).serializable_data is not Page.serializable_data:
        return page.serializable_data()
    data = _fields_data(page)
    for name, model, _key in _child_relations(type(page)):
        children = getattr(page, name).all()
        if hasattr(model, "serializable_data"):
            data[name] = [child.serializable_data() for child in children]
        else:
            data[name] = [_fields_data(child) for child in children]
    for field in _child_m2m(type(page)):
        if field.serialize:
            data[field.name] = [child.pk for child in getattr(page, field.name).all()]
    return data


_plans: dict[type, tuple] = {}


def _fields_data(obj) -> dict:
    """modelcluster's get_serializable_data_for_fields(obj), each plain field read directly."""
    plan = _plans.get(type(obj))
    if plan is None:
        plan = _plans[type(obj)] = _field_plan(type(obj))
    pk_field, steps = plan
    given = getattr(obj, "_bulk_stream_json", None) or {}
    values = obj.__dict__
    data = {"pk": get_field_value(pk_field, obj)}
    for name, attname, field in steps:
        if field is None:  # a relation: its id
            data[name] = values[attname] if attname in values else getattr(obj, attname)
        elif field is True:  # a plain column: the value, or its str()
            value = values[attname] if attname in values else getattr(obj, attname)
            if isinstance(value, datetime.datetime):
                data[name] = _as_serialised_datetime(value)
            elif is_protected_type(value):
                data[name] = value
            else:
                data[name] = str(value)
        elif attname in given:
            data[name] = given[attname]
        else:
            data[name] = get_field_value(field, obj)
    return data


def _as_serialised_datetime(value: datetime.datetime) -> datetime.datetime:
    """A datetime as get_field_value leaves it: in UTC (made aware first if naive)."""
    if not settings.USE_TZ:
        return value
    if timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_default_timezone()).astimezone(datetime.UTC)
    return timezone.localtime(value, datetime.UTC)


def _field_plan(model) -> tuple:
    pk_field = model._meta.pk
    while pk_field.remote_field and pk_field.remote_field.parent_link:
        pk_field = pk_field.remote_field.model._meta.pk
    steps = []
    for field in model._meta.fields:
        if not field.serialize:
            continue
        if field.remote_field is not None:
            steps.append((field.name, field.get_attname(), None))
        elif _plain_column(field):
            steps.append((field.name, field.attname, True))
        else:
            steps.append((field.name, field.attname, field))
    return pk_field, tuple(steps)


def _plain_column(field) -> bool:
    """True when get_field_value gives the attribute itself (or its str()): the field's
    pre_save, value_from_object and value_to_string are Django's plain ones."""
    kind = type(field)
    if kind.value_from_object is not models.Field.value_from_object:
        return False
    if kind.value_to_string not in (
        models.Field.value_to_string,
        models.DateTimeField.value_to_string,  # never reached: datetimes are kept as they are
    ):
        return False
    if kind in (models.DateTimeField, models.DateField):
        return not (field.auto_now or field.auto_now_add)
    return kind.pre_save is models.Field.pre_save


_relations_cache: dict[type, tuple] = {}


def _child_relations(model) -> tuple:
    if model not in _relations_cache:
        relations = get_all_child_relations(model) if issubclass(model, ClusterableModel) else []
        m2m = get_all_child_m2m_relations(model) if issubclass(model, ClusterableModel) else []
        _relations_cache[model] = (
            tuple(
                (rel.get_accessor_name(), rel.related_model, rel.field.name) for rel in relations
            ),
            tuple(m2m),
        )
    return _relations_cache[model][0]


def _child_m2m(model) -> tuple:
    _child_relations(model)
    return _relations_cache[model][1]


def _link_revisions(pages: list[Page], revisions: list[Revision], using: str) -> None:
    """Point each page at its revision: one prepared UPDATE run for the whole batch."""
    for page, revision in zip(pages, revisions, strict=True):
        page.latest_revision = revision
        page.live_revision = revision if page.live else None
    _update_pages(
        ["latest_revision_id", "live_revision_id"],
        [(page.latest_revision_id, page.live_revision_id, page.pk) for page in pages],
        using,
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


def insert_rows(
    model, names: list[str], rows: list[tuple], using: str | None = None, *, returning=False
) -> list:
    """Insert plain rows into a plain model's table, each value prepared by its field.

    For rows an importer writes by the ten thousand; the caller gives every column save()
    would write (auto_now ones included). With `returning`, return the new rows' ids in
    order: read back by RETURNING, many rows a statement, or where the database has no
    RETURNING, a row a statement and its last insert id.
    """
    using = using or router.db_for_write(model)
    if not returning:
        _insert_rows(model, names, rows, using)
        return []
    found = _insert_rows(
        model, names, rows, using, per_statement=INSERT_BATCH, returning=model._meta.pk
    )
    return [new_id for (new_id,) in found]


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
    """Insert the objects' rows as save() would write them, without reading ids back.

    A StreamField the caller encoded ahead (`_bulk_stream_json`) goes in as that text.
    """
    read = _row_reader(fields)
    rows = []
    for obj in objs:
        row = read(obj)
        given = getattr(obj, "_bulk_stream_json", None)
        if given:
            row = tuple(
                given[field.attname] if field.attname in given else value
                for field, value in zip(fields, row, strict=True)
            )
        rows.append(row)
    _insert_rows(model, fields, rows, using)


def _row_reader(fields: list) -> Callable:
    """Return a function giving an object's row as each field's pre_save(obj, True) gives
    it: one attribute read in C for the fields whose pre_save is reading the attribute."""
    if all(_pre_save_reads_attribute(field) for field in fields):
        read = attrgetter(*(field.attname for field in fields))
        if len(fields) == 1:
            return lambda obj: (read(obj),)
        return read
    return lambda obj: tuple(field.pre_save(obj, True) for field in fields)


def _pre_save_reads_attribute(field) -> bool:
    kind = type(field)
    if kind in (models.DateTimeField, models.DateField):
        return not (field.auto_now or field.auto_now_add)
    return kind.pre_save is models.Field.pre_save


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

    can_return = connection.features.can_return_rows_from_bulk_insert
    if returning and not can_return:
        per_statement = 1  # one row a statement, its id read back as the database tells it
    returning_sql, _params = connection.ops.returning_columns(
        [returning] if returning and can_return else []
    )

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
            if returning and can_return:
                returned.extend(cursor.fetchall())
            elif returning:
                table, column = model._meta.db_table, returning.column
                returned.append((connection.ops.last_insert_id(cursor, table, column),))
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
    if isinstance(field, models.JSONField | StreamField):

        def prepare_json(value):
            if type(value) is StoredJSON:
                return connection.ops.adapt_json_value(value, _AsStored)
            return field.get_db_prep_save(value, connection)

        return prepare_json
    if type(field) is models.DateTimeField:
        adapt = connection.ops.adapt_datetimefield_value

        adapted = {}  # equal aware datetimes (one instant) adapt alike: `now` on every row

        def prepare_datetime(value):
            # An aware datetime comes out of the field's layers as the backend adapts it.
            if type(value) is datetime.datetime and value.tzinfo is not None:
                if value not in adapted:
                    adapted[value] = adapt(value)
                return adapted[value]
            return field.get_db_prep_save(value, connection)

        return prepare_datetime

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
    generic relations, goes through Wagtail's own walk. Which fields can hold a reference
    is worked out once per model.
    """
    plan = _reference_plan(type(page))
    if plan is None:
        yield from _wagtail_references(page)
        return
    try:
        found = list(_field_references(page, plan))
    except _NotPlain:
        yield from _wagtail_references(page)
        return
    yield from found
    for name in _child_relation_names(type(page)):
        for child in getattr(page, name).all():
            child_plan = _reference_plan(type(child))
            if child_plan is None or isinstance(child, ClusterableModel):  # children of its own
                references = ReferenceIndex._extract_references_from_object(child)
            else:
                try:
                    references = [r[:4] for r in _field_references(child, child_plan)]
                except _NotPlain:
                    references = ReferenceIndex._extract_references_from_object(child)
            for target_type, target_id, model_path, content_path in references:
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


_reference_plans: dict[type, tuple | None] = {}


def _reference_plan(model) -> tuple | None:
    """The fields of `model` that can hold a reference, as the first half of Wagtail's walk
    (ReferenceIndex._extract_references_from_object) picks them, in its order: (field,
    True) for a foreign key, (field, False) for a field with extract_references. None for
    a model with a generic foreign key, which only Wagtail's walk reads."""
    if model in _reference_plans:
        return _reference_plans[model]
    plan = []
    for field in model._meta.get_fields():
        if isinstance(field, GenericForeignKey):
            plan = None
            break
        if field.is_relation and field.many_to_one:
            if getattr(field, "wagtail_reference_index_ignore", False) or getattr(
                field.related_model, "wagtail_reference_index_ignore", False
            ):
                continue
            if not isinstance(field, ParentalKey | GenericRel):
                plan.append((field, True))
        if hasattr(field, "extract_references"):
            plan.append((field, False))
    _reference_plans[model] = tuple(plan) if plan is not None else None
    return _reference_plans[model]


def _child_relation_names(model) -> tuple[str, ...]:
    return tuple(name for name, _model, _key in _child_relations(model))


def _field_references(obj, plan: tuple) -> Iterator[tuple]:
    """The object's own fields' references, as the first half of Wagtail's walk finds them."""
    for field, is_key in plan:
        value = field.value_from_object(obj)
        if value is None:
            continue
        if is_key:
            target = ReferenceIndex._get_base_content_type(field.related_model).id
            yield target, str(value), field.name, field.name, None
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
        if not raw or ("<a" not in raw and "<embed" not in raw):
            return  # Wagtail's link and embed rewriters look for those tags alone
        for reference in extract_references_from_rich_text(force_str(raw)):
            yield (*reference, None)
    else:
        raise _NotPlain


def _forget_pending_children(page: Page) -> None:
    """Read children from the database from now on, as a page saved by Wagtail does."""
    for name in (
        "_cluster_related_objects",
        "_bulk_as_revised",
        "_bulk_search_texts",
        "_bulk_stream_json",
    ):
        page.__dict__.pop(name, None)
