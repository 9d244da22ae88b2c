"""Read and convert the export's posts in a second process while the importer writes.

The importer's own work is the database's; reading the XML, converting each post's HTML
to blocks and digesting the post need none of it. A worker process does those for every
post and hands the importer `(record, Prepared)` pairs in file order, so the two run on
two cores. The result is the same as converting in the importer: the worker runs the
same converter with the same image lookup, built from what the attachments pass found.
Only a picture that lookup does not know and that `--media-dir` might hold (the importer
would add it from the folder, which writes) is left to the importer, which then converts
that post itself.

The worker is a fresh interpreter (spawned, not forked: the importer's process may have
threads, which a fork would copy mid-lock) that sets Django up, about a second: worth it
only for an export with many posts (`WORKER_MIN_POSTS`).
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from queue import Empty
from types import SimpleNamespace

from django.utils import timezone, translation

from .convert import Converted, convert_body
from .records import Item
from .wxr import WXRError, read_wxr

WORKER_MIN_POSTS = 1000  # below this the worker's start costs more than it saves
CHUNK = 100  # records per message: fewer hand-overs, small enough to keep memory bounded
QUEUED_CHUNKS = 8  # how far the worker may run ahead of the importer
WAIT_SECONDS = 5  # between checks that a silent worker is still alive


class UnknownImage(Exception):
    """The worker cannot tell which image a picture is; the importer converts the post."""


@dataclass
class Prepared:
    """What the worker made of one post: its conversion (None: left to the importer), its
    digest, its title and excerpt as plain text (importer.article_texts'), the article's
    access level and blocks (importer.article_body's) with the search index's texts of
    them (ArticlePage's search_* methods'), and what the importer would work out from the
    record alone: its comments' texts, its old addresses, its wanted slug."""

    converted: Converted | None
    digest: str
    texts: dict[str, str] | None = None
    access: str | None = None
    body: list[dict] | None = None
    search_texts: dict[str, str] | None = None
    comments: dict[int, tuple[str, str, str]] | None = None  # importer.comment_texts' by id
    redirects: list[tuple[str, bool]] | None = None  # importer.item_redirect_paths'
    slug: str = ""  # importer.page_slug's, before a sibling's makes it unique


@dataclass
class ImageLookup:
    """The image lookup as the attachments pass left it, and whether a folder could add more."""

    by_id: dict[int, int]
    by_path: dict[str, int]
    attachments_of: dict[int, list[int]]
    media_dir: bool

    def __call__(self, attachment_id: int | None, src: str) -> int | None:
        from .importer import UNKNOWN_IMAGE, known_image

        found = known_image(attachment_id, src, self.by_id, self.by_path)
        if found is not UNKNOWN_IMAGE:
            return found
        if self.media_dir:
            raise UnknownImage  # the importer may find it in the folder (and add it)
        return None  # as the importer answers without a folder: a marked gap


def prepared_records(path: Path, lookup: ImageLookup) -> Iterator[tuple[object, Prepared | None]]:
    """Yield the export's records after the channel, each post with its Prepared.

    Raises WXRError as read_wxr would (check_wxr has refused a bad file before, so only a
    file changed since can); stops the worker when the caller stops early.
    """
    context = multiprocessing.get_context("spawn")
    queue = context.Queue(maxsize=QUEUED_CHUNKS)
    worker = context.Process(
        target=_work,
        args=(path, queue, lookup, translation.get_language()),
        daemon=True,
        name="wordpress-import-reader",
    )
    worker.start()
    try:
        while True:
            try:
                message = queue.get(timeout=WAIT_SECONDS)
            except Empty:
                if worker.is_alive():
                    continue
                raise RuntimeError(
                    f"The export's reader stopped (exit code {worker.exitcode})."
                ) from None
            kind = message[0]
            if kind == "records":
                yield from message[1]
            elif kind == "done":
                break
            elif kind == "wxr-error":
                raise WXRError(message[1], message[2])
            else:
                raise RuntimeError(f"The export's reader failed: {message[1]}")
        worker.join()
    finally:
        if worker.is_alive():
            worker.terminate()
            worker.join()
        queue.close()


def _work(path: Path, queue, lookup: ImageLookup, language: str | None) -> None:
    """The worker: read, convert, digest, and send in chunks. Never touches the database."""
    try:
        import django

        django.setup()  # the same settings: DJANGO_SETTINGS_MODULE is in the environment
        gc.freeze()  # what setting up made lives as long as the worker: never walk it again
        from .importer import (
            article_body,
            article_texts,
            comment_texts,
            is_readers_comment,
            item_checksum,
            item_redirect_paths,
            item_slug,
        )

        translation.activate(language or "en")  # the report's warnings, in the run's language
        zone = timezone.get_current_timezone()  # the posts' dated addresses: asked once
        records = read_wxr(path)
        next(records)  # the channel: the importer has read it already
        chunk = []
        for record in records:
            prepared = None
            if isinstance(record, Item) and record.post_type == "post":
                converted = _convert(record, lookup)
                prepared = Prepared(converted, item_checksum(record), article_texts(record))
                prepared.redirects = item_redirect_paths(record, zone)
                prepared.slug = item_slug(record)
                prepared.comments = {
                    comment.wordpress_id: comment_texts(comment)
                    for comment in record.comments
                    if is_readers_comment(comment)
                }
                if converted is not None:
                    prepared.access, prepared.body = article_body(record, converted)
                    prepared.search_texts = _search_texts(prepared.texts, prepared.body)
                    # A dict, not the Counter: unpickling a Counter runs its update() in Python.
                    converted.unknown_shortcodes = dict(converted.unknown_shortcodes)
                    record.content = ""  # converted and digested: the importer needs no HTML
            chunk.append((record, prepared))
            if len(chunk) >= CHUNK:
                queue.put(("records", chunk))
                chunk = []
        queue.put(("records", chunk))
        queue.put(("done",))
    except WXRError as error:
        queue.put(("wxr-error", error.message, error.line))
    except Exception as error:  # noqa: BLE001 - reported to the importer, which stops
        queue.put(("error", repr(error)))


def _search_texts(texts: dict[str, str], blocks: list[dict]) -> dict[str, str]:
    """The search index's texts of the article's headline, standfirst and body, by the
    article's own methods (a headline only when the post has a title: the importer
    gives an untitled one a title in the edition's language).

    The methods read only those fields; an unsaved ArticlePage would ask the database for
    its content type, which the worker never touches.
    """
    from masthead.content.models import ArticlePage

    from .importer import TITLE_LENGTH

    stored = SimpleNamespace(
        title=texts["title"][:TITLE_LENGTH],
        standfirst=texts["standfirst"],
        body=SimpleNamespace(raw_data=blocks),
    )
    found = {
        "search_standfirst": ArticlePage.search_standfirst(stored),
        "search_body": ArticlePage.search_body(stored),
    }
    if texts["title"]:
        found["search_headline"] = ArticlePage.search_headline(stored)
    return found


def _convert(item: Item, lookup: ImageLookup) -> Converted | None:
    try:
        return convert_body(
            item.content,
            images=lookup,
            attached=lookup.attachments_of.get(item.wordpress_id, ()),
        )
    except UnknownImage:
        return None
