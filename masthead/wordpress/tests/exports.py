"""Small WXR exports written for one test each: the few elements WordPress writes per thing."""

from __future__ import annotations

import tempfile
from pathlib import Path

SITE = "https://old.example"


def comment(
    wordpress_id: int,
    text: str = "A reader's words.",
    *,
    parent: int = 0,
    comment_type: str = "comment",
    approved: str = "1",
    url: str = "",
    date: str = "2020-01-02 10:00:00",
    user_id: int = 0,
) -> str:
    return f"""
        <wp:comment>
            <wp:comment_id>{wordpress_id}</wp:comment_id>
            <wp:comment_author><![CDATA[Reader {wordpress_id}]]></wp:comment_author>
            <wp:comment_author_email><![CDATA[reader{wordpress_id}@example.org]]></wp:comment_author_email>
            <wp:comment_author_url>{url}</wp:comment_author_url>
            <wp:comment_date><![CDATA[{date}]]></wp:comment_date>
            <wp:comment_date_gmt><![CDATA[{date}]]></wp:comment_date_gmt>
            <wp:comment_content><![CDATA[{text}]]></wp:comment_content>
            <wp:comment_approved><![CDATA[{approved}]]></wp:comment_approved>
            <wp:comment_type><![CDATA[{comment_type}]]></wp:comment_type>
            <wp:comment_parent>{parent}</wp:comment_parent>
            <wp:comment_user_id>{user_id}</wp:comment_user_id>
        </wp:comment>"""


def item(
    wordpress_id: int,
    title: str = "A post",
    content: str = "<p>Some words.</p>",
    *,
    post_type: str = "post",
    status: str = "publish",
    slug: str = "",
    link: str = "",
    parent: int = 0,
    attachment_url: str = "",
    sticky: bool = False,
    comments: str = "",
    meta: dict[str, str] | None = None,
    date: str = "2020-01-01 09:00:00",
    password: str = "",
) -> str:
    slug = slug or f"{post_type}-{wordpress_id}"
    link = link or f"{SITE}/{slug}/"
    metas = "".join(
        f"<wp:postmeta><wp:meta_key><![CDATA[{k}]]></wp:meta_key>"
        f"<wp:meta_value><![CDATA[{v}]]></wp:meta_value></wp:postmeta>"
        for k, v in (meta or {}).items()
    )
    attachment = (
        f"<wp:attachment_url><![CDATA[{attachment_url}]]></wp:attachment_url>"
        if attachment_url
        else ""
    )
    return f"""
    <item>
        <title><![CDATA[{title}]]></title>
        <link>{link}</link>
        <dc:creator><![CDATA[admin]]></dc:creator>
        <guid isPermaLink="false">{SITE}/?p={wordpress_id}</guid>
        <content:encoded><![CDATA[{content}]]></content:encoded>
        <excerpt:encoded><![CDATA[]]></excerpt:encoded>
        <wp:post_id>{wordpress_id}</wp:post_id>
        <wp:post_date><![CDATA[{date}]]></wp:post_date>
        <wp:post_date_gmt><![CDATA[{date}]]></wp:post_date_gmt>
        <wp:post_name><![CDATA[{slug}]]></wp:post_name>
        <wp:status><![CDATA[{status}]]></wp:status>
        <wp:post_parent>{parent}</wp:post_parent>
        <wp:menu_order>0</wp:menu_order>
        <wp:post_type><![CDATA[{post_type}]]></wp:post_type>
        <wp:post_password><![CDATA[{password}]]></wp:post_password>
        <wp:is_sticky>{1 if sticky else 0}</wp:is_sticky>
        {attachment}{metas}{comments}
    </item>"""


def export(*items: str, prologue: str = "") -> Path:
    """Write an export holding `items` to a temporary file and return its path."""
    text = f"""<?xml version="1.0" encoding="UTF-8" ?>{prologue}
<rss version="2.0"
     xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
     xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/"
     xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
    <title>Old paper</title>
    <link>{SITE}</link>
    <language>en-US</language>
    <wp:wxr_version>1.2</wp:wxr_version>
    <wp:base_site_url>{SITE}</wp:base_site_url>
    <wp:base_blog_url>{SITE}</wp:base_blog_url>
    <wp:author>
        <wp:author_id>1</wp:author_id>
        <wp:author_login><![CDATA[admin]]></wp:author_login>
        <wp:author_email><![CDATA[admin@old.example]]></wp:author_email>
        <wp:author_display_name><![CDATA[Admin]]></wp:author_display_name>
    </wp:author>
    {"".join(items)}
</channel>
</rss>
"""
    path = Path(tempfile.mkdtemp(prefix="wp-export-")) / "export.xml"
    path.write_text(text, encoding="utf-8")
    return path
