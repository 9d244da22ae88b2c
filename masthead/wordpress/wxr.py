"""Read a WordPress eXtended RSS (WXR 1.0-1.2) export as a stream of plain records.

`read_wxr` walks the file once with lxml's iterparse and hands out a `Channel`, then the
authors and the channel's terms, then one `Item` per post, page, attachment or other post
type, each carrying its own terms, meta and comments. Every element is dropped as soon as
its record is built, so a file of several hundred megabytes is read in the memory of one
item.

`check_wxr` is the importer's first pass: it reads the whole file the same way, refuses a
file that is not well-formed XML, not a WXR export, of an unknown WXR version or cut
short, and counts what is inside so the importer can show a total before it writes.

Which namespace is WordPress's is decided the way WordPress's own importer decides it:
the URI bound to the `wp` prefix on the root element. Elements that rebind `wp` to another
URI further down are not WordPress data and are ignored.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from os import PathLike
from typing import IO

import phpserialize
from django.utils.text import slugify
from django.utils.translation import gettext as _
from lxml import etree

from masthead.wordpress.records import Author, Channel, Comment, Item, Term

SUPPORTED_VERSIONS = ("1.0", "1.1", "1.2")

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"
# WordPress.com and the theme unit test data write https://, WordPress itself http://.
_WP_NAMESPACE = re.compile(r"^https?://wordpress\.org/export/\d+\.\d+/$")
_NO_DATE = "0000-00-00 00:00:00"
_CHANNEL_CHILDREN = [
    "item", "title", "link", "language", "{*}wxr_version", "{*}base_site_url",
    "{*}base_blog_url", "{*}author", "{*}wp_author", "{*}category", "{*}tag", "{*}term",
]  # fmt: skip
_DC_CREATOR = f"{{{DC_NS}}}creator"
_CONTENT_ENCODED = f"{{{CONTENT_NS}}}encoded"

# libxml2 reports a namespace URI it cannot parse as a URI (e.g. one with accented
# letters) as an error, yet the document is well-formed and every element is still read.
_HARMLESS_ERRORS = {"WAR_NS_URI", "WAR_NS_URI_RELATIVE"}
# Errors meaning the file stops before its elements are closed: a cut-short download.
_TRUNCATION_ERRORS = {"ERR_TAG_NOT_FINISHED", "ERR_DOCUMENT_END"}


class WXRError(Exception):
    """The export cannot be read; `line` says where, when the file gives a place."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Summary:
    """What a whole export holds, counted by `check_wxr` before anything is written."""

    version: str
    post_types: Counter = field(default_factory=Counter)  # "post" -> 58, "page" -> 21, ...
    authors: int = 0
    terms: Counter = field(default_factory=Counter)  # channel-level, by taxonomy
    comments: int = 0
    # Lines of <item>s without a WordPress post ID: read_wxr skips them.
    unreadable_items: list[int] = field(default_factory=list)

    @property
    def items(self) -> int:
        return sum(self.post_types.values())


def read_wxr(
    source: str | PathLike | IO[bytes],
    *,
    site_timezone: str | datetime.tzinfo | None = None,
) -> Iterator[Channel | Author | Term | Item]:
    """Yield the export's records in file order, the Channel first.

    `site_timezone` is the WordPress site's own zone; it is used only for dates that
    the export gives in local time alone (their *_gmt twin is empty), and defaults to UTC.
    Raises WXRError when the file turns out to be unreadable; records yielded before
    the fault stay yielded, which is why the importer runs `check_wxr` first.
    """
    reader = _Reader(source, _as_tzinfo(site_timezone))
    yield from reader.records()


def check_wxr(source: str | PathLike | IO[bytes]) -> Summary:
    """Read the whole export once and count it; raise WXRError if any of it is unreadable."""
    summary: Summary | None = None
    start = source.tell() if hasattr(source, "seek") else None
    reader = _Reader(source, datetime.UTC, count_only=True)
    for record in reader.records():
        if isinstance(record, Channel):
            summary = Summary(version=record.wxr_version)
        elif isinstance(record, Author):
            summary.authors += 1
        elif isinstance(record, Term):
            summary.terms[record.taxonomy] += 1
        else:
            summary.post_types[record.post_type] += 1
            summary.comments += len(record.comments)
    summary.unreadable_items = reader.unreadable_items
    if start is not None:
        source.seek(start)  # so the same open file can go on to read_wxr
    return summary


def unserialize_meta(value: str):
    """Return a PHP-serialized meta value as Python data, or the string itself if it isn't.

    PHP arrays come back as dicts (keys as PHP wrote them), objects as dicts of their
    properties, byte strings decoded as UTF-8.
    """
    if not isinstance(value, str) or not _looks_serialized(value):
        return value
    try:
        return phpserialize.loads(
            value.encode("utf-8"),
            decode_strings=True,
            object_hook=lambda name, properties: dict(properties),
        )
    except (ValueError, TypeError, UnicodeDecodeError):
        return value


_SERIALIZED = re.compile(r"^(?:N;|b:[01];|i:-?\d+;|d:[^;]+;|[sSaOC]:\d+:)", re.DOTALL)


def _looks_serialized(value: str) -> bool:
    value = value.strip()
    return bool(_SERIALIZED.match(value)) and value[-1] in ";}"


def _as_tzinfo(zone: str | datetime.tzinfo | None) -> datetime.tzinfo:
    if zone is None:
        return datetime.UTC
    if isinstance(zone, str):
        return zoneinfo.ZoneInfo(zone)
    return zone


def _parse_date(gmt: str, local: str, site_timezone: datetime.tzinfo):
    """Return an aware UTC datetime from WordPress's pair of date strings, or None."""
    for value, zone in ((gmt, datetime.UTC), (local, site_timezone)):
        value = value.strip()
        if len(value) != 19 or value == _NO_DATE:  # "2011-03-09 14:05:00"
            continue
        try:
            parsed = datetime.datetime.fromisoformat(value)
        except ValueError:
            continue
        return parsed.replace(tzinfo=zone).astimezone(datetime.UTC)
    return None


_SHORTLINK_ID = re.compile(r"[?&]p=(\d+)(?:&|#|$)")


def _categories_from_labels(labels: list[str], terms: list[Term]) -> list[Term]:
    """Turn bare <category>Name</category> labels into categories no other term names.

    WXR 1.0 writes every category twice, once bare and once with its nicename; an export
    made by hand may have only the bare form, which would otherwise be lost.
    """
    named = {term.name for term in terms}
    found: list[Term] = []
    for label in labels:
        slug = slugify(label, allow_unicode=True)
        if label and slug and label not in named:
            named.add(label)
            found.append(Term(taxonomy="category", slug=slug, name=label))
    return found


def _ends_like_an_export(source) -> bool:
    """Whether the file's last bytes close the <rss> element; False means it was cut short.

    libxml2 only says "premature end of data" when the cut falls between elements; a cut
    inside a tag reads as some other fault, so the file's tail decides instead. A source
    that cannot be read backwards (a pipe) is given the benefit of the doubt.
    """
    try:
        if isinstance(source, str | PathLike):
            with open(source, "rb") as handle:
                return _tail_closes_rss(handle)
        position = source.tell()
        try:
            return _tail_closes_rss(source)
        finally:
            source.seek(position)
    except (OSError, AttributeError, ValueError):
        return True


def _tail_closes_rss(handle) -> bool:
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(max(0, size - 1024))
    # "in", not "ends with": caching plugins append an HTML comment after </rss>.
    return b"</rss>" in handle.read()


def _int(value: str) -> int:
    try:
        return int(value.strip() or 0)
    except ValueError:
        return 0


def _text(element) -> str:
    # CDATA sections, several in a row or not, arrive already joined in .text.
    return element.text or ""


class _Reader:
    """One pass over one export file."""

    def __init__(self, source, site_timezone: datetime.tzinfo, *, count_only: bool = False):
        self.source = source
        self.site_timezone = site_timezone
        # check_wxr does not need post bodies, the heaviest part of each item.
        self.count_only = count_only
        self.unreadable_items: list[int] = []
        self.wp = ""
        self.excerpt_ns = ""

    def records(self) -> Iterator[Channel | Author | Term | Item]:
        events = etree.iterparse(
            self.source,
            events=("end",),
            # Only the channel's own children matter; filtering in C spares Python the
            # thirty-odd events of every item. "{*}" because the wp: URI is not known yet.
            tag=_CHANNEL_CHILDREN,
            recover=True,  # lets a harmless namespace warning through; real faults are raised below
            resolve_entities=False,
            no_network=True,
            huge_tree=True,  # one post body may exceed libxml2's 10 MB text limit
            remove_comments=True,
            remove_pis=True,
        )
        channel = _ChannelState()
        channel_element = None
        seen_terms: set[tuple[str, str]] = set()
        errors_seen = 0
        try:
            for _event, element in events:
                parent = element.getparent()
                if channel_element is None:
                    if parent is None or parent.tag != "channel":
                        continue
                    channel_element = parent
                    self._check_root(element.getroottree().getroot(), parent.nsmap)
                elif parent is not channel_element:
                    continue

                errors_seen = self._raise_for_errors(events, errors_seen)
                record = self._channel_child(element, channel)
                if record is not None:
                    if channel.record.wxr_version == "":
                        raise WXRError(
                            _(
                                "The export has no WXR version (wp:wxr_version) before line "
                                "%(line)s, so it does not look like a WordPress export."
                            )
                            % {"line": element.sourceline},
                            line=element.sourceline,
                        )
                    if not channel.yielded:
                        channel.yielded = True
                        yield channel.record
                    if isinstance(record, Term):
                        key = (record.taxonomy, record.slug)
                        if key in seen_terms:
                            record = None  # WordPress repeats categories and tags as wp:term
                        else:
                            seen_terms.add(key)
                    if record is not None:
                        yield record
                # The record holds everything it needs: free the element and its earlier
                # siblings, which is what keeps memory flat over a long file.
                element.clear(keep_tail=False)
                while element.getprevious() is not None:
                    del channel_element[0]
        except etree.XMLSyntaxError as error:
            # Even in recover mode lxml gives up on a file without a single element.
            if channel_element is None and error.lineno in (0, 1, None):
                raise WXRError(
                    _("The export is empty: it holds no XML elements."), line=1
                ) from error
            raise self._syntax_error(error.msg, error.lineno, "") from error

        self._raise_for_errors(events, errors_seen)
        if channel_element is None:
            root = events.root
            if root is None:
                raise WXRError(_("The export is empty: it holds no XML elements."), line=1)
            self._check_root(root, root.nsmap)
            raise WXRError(
                _("The export has no <channel> element, so it is not a WordPress export."),
                line=root.sourceline,
            )
        if not channel.yielded:
            if channel.record.wxr_version == "":
                raise WXRError(
                    _(
                        "The export has no WXR version (wp:wxr_version), so it does not look "
                        "like a WordPress export."
                    ),
                    line=channel_element.sourceline,
                )
            yield channel.record

    # -- checks ---------------------------------------------------------------------------

    def _check_root(self, root, namespaces: dict) -> None:
        docinfo = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:
            # WordPress never writes one; a document type could declare entities that
            # swell or reach for files, so the file is refused rather than read around it.
            raise WXRError(
                _(
                    "The export declares a document type (<!DOCTYPE …>) before line "
                    "%(line)s; WordPress never writes one, so the file was refused. Export "
                    "it from WordPress again."
                )
                % {"line": root.sourceline},
                line=root.sourceline,
            )
        if not isinstance(root.tag, str) or root.tag != "rss":
            raise WXRError(
                _(
                    "The file is not a WordPress export: it starts with <%(tag)s> at line "
                    "%(line)s where an export starts with <rss>."
                )
                % {"tag": etree.QName(root).localname, "line": root.sourceline},
                line=root.sourceline,
            )
        wp = namespaces.get("wp", "")
        if not _WP_NAMESPACE.match(wp):
            wp = next((uri for uri in namespaces.values() if _WP_NAMESPACE.match(uri)), "")
        if not wp:
            raise WXRError(
                _(
                    "The file at line %(line)s is an RSS feed but not a WordPress export: it "
                    "declares no WordPress (wp:) namespace."
                )
                % {"line": root.sourceline},
                line=root.sourceline,
            )
        self.wp = f"{{{wp}}}"
        self.meta_key = f"{{{wp}}}meta_key"
        self.meta_value = f"{{{wp}}}meta_value"
        self.excerpt_ns = f"{{{namespaces.get('excerpt', wp + 'excerpt/')}}}"

    def _raise_for_errors(self, events, errors_seen: int) -> int:
        log = events.error_log
        if len(log) == errors_seen:
            return errors_seen
        for error in list(log)[errors_seen:]:
            if error.type_name in _HARMLESS_ERRORS or error.level_name == "WARNING":
                continue
            raise self._syntax_error(error.message, error.line, error.type_name)
        return len(log)

    def _syntax_error(self, detail: str, line: int | None, kind: str) -> WXRError:
        if kind == "ERR_DOCUMENT_EMPTY":
            message = _(
                "The file is not XML at line %(line)s, so it is not a WordPress export "
                "(%(detail)s)."
            )
        elif kind in _TRUNCATION_ERRORS or not _ends_like_an_export(self.source):
            message = _(
                "The export stops short at line %(line)s: the file looks truncated, perhaps "
                "an interrupted download or upload (%(detail)s)."
            )
        else:
            message = _("The export is not well-formed XML at line %(line)s: %(detail)s.")
        line = max(line or 1, 1)
        return WXRError(message % {"line": line, "detail": detail.strip()}, line=line)

    # -- records --------------------------------------------------------------------------

    def _channel_child(self, element, channel: _ChannelState):
        tag = element.tag
        wp = self.wp
        if tag == "item":
            return self._item(element)
        if tag == wp + "author" or tag == wp + "wp_author":  # WordPress.com's older name
            return self._author(element)
        if tag == wp + "category":
            return self._term(element, "category", "category_nicename", "cat_name", "category")
        if tag == wp + "tag":
            return self._term(element, "post_tag", "tag_slug", "tag_name", "tag")
        if tag == wp + "term":
            return self._term(element, None, "term_slug", "term_name", "term")
        if tag == wp + "wxr_version":
            version = _text(element).strip()
            if version not in SUPPORTED_VERSIONS:
                raise WXRError(
                    _(
                        "The export says it is WXR version “%(version)s” at line %(line)s; "
                        "Masthead reads WXR versions 1.0, 1.1 and 1.2."
                    )
                    % {"version": version, "line": element.sourceline},
                    line=element.sourceline,
                )
            channel.record.wxr_version = version
        elif tag == "title":
            channel.record.title = _text(element).strip()
        elif tag == "link":
            channel.record.link = _text(element).strip()
        elif tag == "language":
            channel.record.language = _text(element).strip()
        elif tag == wp + "base_site_url":
            channel.record.base_site_url = _text(element).strip()
        elif tag == wp + "base_blog_url":
            channel.record.base_blog_url = _text(element).strip()
        return None

    def _fields(self, element, meta_name: str = "") -> tuple[dict[str, str], dict]:
        """Map the element's wp: children's local names to their text (the first wins),
        and gather its meta_name entries (postmeta, commentmeta, termmeta) as key -> values.
        """
        wp = self.wp
        start = len(wp)
        found: dict[str, str] = {}
        meta: dict[str, list[str]] = {}
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or not tag.startswith(wp):
                continue
            name = tag[start:]
            if name == meta_name:
                self._add_meta(child, meta)
            elif name not in found:
                found[name] = child.text or ""
        return found, meta

    def _add_meta(self, entry, meta: dict[str, list[str]]) -> None:
        key = None
        value = ""
        for part in entry:
            if part.tag == self.meta_key:
                key = part.text or ""
            elif part.tag == self.meta_value:
                value = part.text or ""
        if key is not None:
            meta.setdefault(key, []).append(value)

    def _author(self, element) -> Author:
        values, _meta = self._fields(element)
        author_id = values.get("author_id", "").strip()
        return Author(
            login=values.get("author_login", "").strip(),
            email=values.get("author_email", "").strip(),
            display_name=values.get("author_display_name", "").strip(),
            first_name=values.get("author_first_name", "").strip(),
            last_name=values.get("author_last_name", "").strip(),
            wordpress_id=_int(author_id) if author_id else None,
            line=element.sourceline,
        )

    def _term(self, element, taxonomy, slug_field, name_field, prefix) -> Term:
        values, meta = self._fields(element, "termmeta")
        term_id = values.get("term_id", "").strip()
        return Term(
            taxonomy=taxonomy or values.get("term_taxonomy", "").strip(),
            slug=values.get(slug_field, "").strip(),
            name=values.get(name_field, "").strip(),
            parent_slug=values.get(f"{prefix}_parent", "").strip(),
            description=values.get(f"{prefix}_description", ""),
            wordpress_id=_int(term_id) if term_id else None,
            meta=meta,
            line=element.sourceline,
        )

    def _item(self, element) -> Item | None:
        if self.count_only:
            return self._counted_item(element)
        wp, excerpt_tag = self.wp, self.excerpt_ns + "encoded"
        start, count_only = len(wp), self.count_only
        values: dict[str, str] = {}
        meta: dict[str, list[str]] = {}
        title = link = guid = creator = content = excerpt = ""
        terms: list[Term] = []
        labels: list[str] = []
        comments: list[Comment] = []
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag.startswith(wp):
                name = tag[start:]
                if name == "comment":
                    comments.append(_COUNTED if count_only else self._comment(child))
                elif name == "postmeta":
                    if not count_only:
                        self._add_meta(child, meta)
                elif name not in values:
                    values[name] = child.text or ""
            elif tag == "title":
                title = _text(child).strip()
            elif tag == "link":
                link = _text(child).strip()
            elif tag == "guid":
                guid = _text(child).strip()
            elif tag == _DC_CREATOR:
                creator = _text(child).strip()
            elif tag == _CONTENT_ENCODED:
                content = "" if count_only else _text(child).strip()
            elif tag == excerpt_tag:
                excerpt = "" if count_only else _text(child).strip()
            elif tag == "category" and not count_only:
                term = self._item_term(child)
                if term is None:
                    labels.append(_text(child).strip())
                else:
                    terms.append(term)
        terms.extend(_categories_from_labels(labels, terms))

        post_id = values.get("post_id", "").strip()
        if not post_id.isdigit():
            # Hand-made exports (the theme preview data) leave out wp:post_id but keep
            # WordPress's shortlink, ?p=ID, in the guid or the link.
            found = _SHORTLINK_ID.search(guid) or _SHORTLINK_ID.search(link)
            post_id = found.group(1) if found else ""
        if not post_id.isdigit():
            self.unreadable_items.append(element.sourceline)
            return None
        if count_only:  # check_wxr counts types and comments; it needs nothing else
            post_type = values.get("post_type", "").strip() or "post"
            return Item(wordpress_id=int(post_id), post_type=post_type, comments=comments)
        zone = self.site_timezone
        return Item(
            wordpress_id=int(post_id),
            post_type=values.get("post_type", "").strip() or "post",
            title=title,
            link=link,
            guid=guid,
            # Some hand-made exports name the author in the item's wp:author instead.
            creator=creator or values.get("author", "").strip(),
            content=content,
            excerpt=excerpt,
            date=_parse_date(values.get("post_date_gmt", ""), values.get("post_date", ""), zone),
            modified=_parse_date(
                values.get("post_modified_gmt", ""), values.get("post_modified", ""), zone
            ),
            slug=values.get("post_name", "").strip(),
            status=values.get("status", "").strip() or "publish",
            parent_id=_int(values.get("post_parent", "")),
            menu_order=_int(values.get("menu_order", "")),
            is_sticky=values.get("is_sticky", "").strip() == "1",
            password=values.get("post_password", ""),
            attachment_url=values.get("attachment_url", "").strip(),
            terms=terms,
            meta=meta,
            comments=comments,
            line=element.sourceline,
        )

    def _counted_item(self, element) -> Item | None:
        """What check_wxr needs of an item (its id, type and comments), found by lxml's
        own search of the children rather than a walk of them all in Python."""
        wp = self.wp
        post_id = (element.findtext(wp + "post_id") or "").strip()
        if not post_id.isdigit():
            # As _item reads them: the last <guid> and <link> win.
            guid = "".join(_text(child) for child in element.findall("guid")[-1:]).strip()
            link = "".join(_text(child) for child in element.findall("link")[-1:]).strip()
            found = _SHORTLINK_ID.search(guid) or _SHORTLINK_ID.search(link)
            post_id = found.group(1) if found else ""
        if not post_id.isdigit():
            self.unreadable_items.append(element.sourceline)
            return None
        post_type = (element.findtext(wp + "post_type") or "").strip() or "post"
        comments = [_COUNTED] * len(element.findall(wp + "comment"))
        return Item(wordpress_id=int(post_id), post_type=post_type, comments=comments)

    def _item_term(self, element) -> Term | None:
        # WXR 1.0 also lists each category once more without domain or nicename, as a
        # plain label; WordPress's importer reads only the ones with a nicename.
        slug = element.get("nicename")
        if slug is None:
            return None
        domain = (element.get("domain") or "category").strip()
        if domain == "tag":  # WXR 1.0's name for tags
            domain = "post_tag"
        return Term(
            taxonomy=domain, slug=slug.strip(), name=_text(element).strip(), line=element.sourceline
        )

    def _comment(self, element) -> Comment:
        values, meta = self._fields(element, "commentmeta")
        return Comment(
            wordpress_id=_int(values.get("comment_id", "")),
            parent_id=_int(values.get("comment_parent", "")),
            author_name=values.get("comment_author", "").strip(),
            author_email=values.get("comment_author_email", "").strip(),
            author_url=values.get("comment_author_url", "").strip(),
            author_ip=values.get("comment_author_IP", "").strip(),
            date=_parse_date(
                values.get("comment_date_gmt", ""),
                values.get("comment_date", ""),
                self.site_timezone,
            ),
            content=values.get("comment_content", ""),
            approved=values.get("comment_approved", "1").strip() or "0",
            comment_type=values.get("comment_type", "").strip(),
            user_id=_int(values.get("comment_user_id", "")),
            meta=meta,
        )


_COUNTED = Comment(wordpress_id=0)  # stands for each comment while check_wxr counts


class _ChannelState:
    """The Channel record being filled from the header, and whether it went out yet."""

    def __init__(self):
        self.record = Channel(wxr_version="")
        self.yielded = False
