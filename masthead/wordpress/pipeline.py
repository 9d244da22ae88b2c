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

import multiprocessing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from queue import Empty
from types import SimpleNamespace

from django.utils import translation

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
    """What the worker made of one post: its blocks (None: left to the importer), its digest,
    the search index's text of those blocks (ArticlePage.search_body's), and its title and
    excerpt as plain text (importer.plain_text's)."""

    converted: Converted | None
    digest: str
    search_body: str | None = None
    texts: dict[str, str] | None = None


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
        from .importer import item_checksum, plain_text

        translation.activate(language or "en")  # the report's warnings, in the run's language
        records = read_wxr(path)
        next(records)  # the channel: the importer has read it already
        chunk = []
        for record in records:
            prepared = None
            if isinstance(record, Item) and record.post_type == "post":
                converted = _convert(record, lookup)
                prepared = Prepared(
                    converted,
                    item_checksum(record),
                    _search_body(converted),
                    {"title": plain_text(record.title), "standfirst": plain_text(record.excerpt)},
                )
                if converted is not None:
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


def _search_body(converted: Converted | None) -> str | None:
    """The body's text as the search index takes it, by the article's own method.

    The method reads only the body's stored blocks; an unsaved ArticlePage would ask the
    database for its content type, which the worker never touches.
    """
    if converted is None:
        return None
    from masthead.content.models import ArticlePage

    stored = SimpleNamespace(body=SimpleNamespace(raw_data=list(converted.blocks)))
    return ArticlePage.search_body(stored)


def _convert(item: Item, lookup: ImageLookup) -> Converted | None:
    try:
        return convert_body(
            item.content,
            images=lookup,
            attached=lookup.attachments_of.get(item.wordpress_id, ()),
        )
    except UnknownImage:
        return None
