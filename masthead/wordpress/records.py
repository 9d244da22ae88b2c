"""What the WXR reader hands the importer: plain records, one per thing in the export.

The reader (`wxr.py`) streams an export and yields these in file order; the importer
(`importer.py`) writes them. Neither side knows how the other works: the reader never
touches the database and the importer never sees XML.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field


@dataclass
class Channel:
    """The export's own header: which site it came from and which WXR version it speaks."""

    wxr_version: str
    title: str = ""
    link: str = ""  # the site's address, e.g. https://paper.example/
    base_site_url: str = ""
    base_blog_url: str = ""
    language: str = ""  # e.g. "en-US", "fa-IR"


@dataclass
class Author:
    login: str
    email: str = ""
    display_name: str = ""
    first_name: str = ""
    last_name: str = ""
    wordpress_id: int | None = None
    line: int = 0  # where it starts in the export, for messages


@dataclass
class Term:
    """A category, a tag or another taxonomy's term, from the channel or from an item."""

    taxonomy: str  # "category", "post_tag", "nav_menu", ...
    slug: str
    name: str
    parent_slug: str = ""
    description: str = ""
    wordpress_id: int | None = None
    line: int = 0
    meta: dict[str, list[str]] = field(default_factory=dict)  # termmeta, raw values


@dataclass
class Comment:
    wordpress_id: int
    parent_id: int = 0  # 0: a top-level comment
    author_name: str = ""
    author_email: str = ""
    author_url: str = ""
    author_ip: str = ""
    date: datetime.datetime | None = None  # aware (UTC), from comment_date_gmt
    content: str = ""
    approved: str = "1"  # "1", "0", "spam" or "trash", as WordPress writes it
    comment_type: str = ""  # "", "comment", "pingback", "trackback"
    user_id: int = 0
    meta: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Item:
    """A post, a page, an attachment, a menu item or any other post type."""

    wordpress_id: int
    post_type: str  # "post", "page", "attachment", "nav_menu_item", ...
    title: str = ""
    link: str = ""  # the old permalink
    guid: str = ""
    creator: str = ""  # the author's login
    content: str = ""  # raw post_content (HTML or classic-editor text)
    excerpt: str = ""
    date: datetime.datetime | None = None  # aware (UTC); None for a draft never dated
    modified: datetime.datetime | None = None
    slug: str = ""  # post_name
    status: str = "publish"  # "publish", "draft", "pending", "private", "future", "trash", ...
    parent_id: int = 0
    menu_order: int = 0
    is_sticky: bool = False
    password: str = ""
    attachment_url: str = ""
    terms: list[Term] = field(default_factory=list)  # the item's categories and tags
    meta: dict[str, list[str]] = field(default_factory=dict)  # raw values, in file order
    comments: list[Comment] = field(default_factory=list)
    line: int = 0
