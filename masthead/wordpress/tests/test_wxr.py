"""The WXR reader against the real exports in ../shared/fixtures/wxr (see SOURCES.md)."""

import datetime
import io
from collections import Counter
from pathlib import Path

import pytest

from masthead.wordpress.records import Author, Channel, Comment, Item, Term
from masthead.wordpress.tests import exports
from masthead.wordpress.wxr import WXRError, check_wxr, read_wxr, unserialize_meta

FIXTURES = Path(__file__).resolve().parents[4] / "shared/fixtures/wxr"
THEME_UNIT = FIXTURES / "importer-theme-unit-test-data.xml"

# Refused by WordPress's own importer too; their names say why.
MALFORMED = {
    "importer-malformed.xml": "not well-formed XML at line 90",
    "importer-malformed-simple.xml": "stops short at line 14",
    "importer-crazy-cdata.xml": "not well-formed XML at line 18",
    "importer-invalid-version-tag.xml": "version “abc” at line 33",
    "importer-missing-version-tag.xml": "no WXR version",
}
WELL_FORMED = sorted(path.name for path in FIXTURES.glob("*.xml") if path.name not in MALFORMED)


def records(path, **options):
    return list(read_wxr(path, **options))


def items(path) -> dict[int, Item]:
    return {record.wordpress_id: record for record in read_wxr(path) if isinstance(record, Item)}


def test_the_fixtures_are_all_here():
    assert len(WELL_FORMED) == 37
    assert all((FIXTURES / name).exists() for name in MALFORMED)


@pytest.mark.parametrize("name", WELL_FORMED)
def test_every_well_formed_export_reads(name):
    found = records(FIXTURES / name)
    summary = check_wxr(FIXTURES / name)

    assert isinstance(found[0], Channel)
    assert found[0].wxr_version in {"1.0", "1.1", "1.2"}
    assert not any(isinstance(record, Channel) for record in found[1:])
    # The two passes agree: what check_wxr counts is what read_wxr hands out.
    assert summary.items == sum(isinstance(record, Item) for record in found)
    assert summary.authors == sum(isinstance(record, Author) for record in found)
    assert summary.terms.total() == sum(isinstance(record, Term) for record in found)
    found_items = [record for record in found if isinstance(record, Item)]
    assert summary.post_types == Counter(record.post_type for record in found_items)
    assert summary.comments == sum(len(record.comments) for record in found_items)


@pytest.mark.parametrize(("name", "message"), sorted(MALFORMED.items()))
def test_a_broken_export_is_refused_with_its_line(name, message):
    with pytest.raises(WXRError) as refused:
        check_wxr(FIXTURES / name)

    assert message in refused.value.message
    assert refused.value.line > 0
    assert f"line {refused.value.line}" in refused.value.message
    # read_wxr refuses the same file before it hands out a single item.
    with pytest.raises(WXRError):
        for record in read_wxr(FIXTURES / name):
            assert not isinstance(record, Item)


def test_a_truncated_export_is_refused_naming_where_it_stops(tmp_path):
    text = THEME_UNIT.read_bytes()
    cut = tmp_path / "cut-short.xml"
    cut.write_bytes(text[: len(text) * 2 // 3])
    last_line = cut.read_bytes().count(b"\n") + 1

    with pytest.raises(WXRError) as refused:
        check_wxr(cut)

    assert "truncated" in refused.value.message
    assert refused.value.line == last_line
    assert f"line {last_line}" in refused.value.message


def test_a_file_cut_between_two_items_is_still_truncated(tmp_path):
    text = THEME_UNIT.read_text()
    cut = tmp_path / "cut-between-items.xml"
    cut.write_text(text[: text.rindex("</item>") + len("</item>")])

    with pytest.raises(WXRError, match="truncated"):
        check_wxr(cut)


def test_a_file_that_is_not_an_export_is_refused(tmp_path):
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>News</title>'
        "<item><title>One</title></item></channel></rss>"
    )
    atom = tmp_path / "atom.xml"
    atom.write_text('<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title></feed>')
    empty = tmp_path / "empty.xml"
    empty.write_text("")

    with pytest.raises(WXRError, match="declares no WordPress"):
        check_wxr(feed)
    with pytest.raises(WXRError, match="starts with <feed>") as refused:
        check_wxr(atom)
    assert refused.value.line == 1
    with pytest.raises(WXRError) as refused:
        check_wxr(empty)
    assert refused.value.line == 1


def test_theme_unit_data_counts_match_wordpress_and_the_raw_file():
    # WordPress's importer tests: 186 posts of all types and 2 authors. The rest is what
    # grep counts in the file: 58 posts, 21 pages, 33 comments, 68 categories (one of
    # them listed again as a wp:term, read once), 110 tags and 6 menus.
    summary = check_wxr(THEME_UNIT)

    assert summary.version == "1.2"
    assert summary.items == 186
    assert summary.authors == 2
    assert summary.post_types == {"post": 58, "page": 21, "attachment": 37, "nav_menu_item": 70}
    assert summary.comments == 33
    assert summary.terms == {"category": 68, "post_tag": 110, "nav_menu": 6}
    assert summary.unreadable_items == []


def test_records_come_channel_first_then_authors_and_terms_then_items():
    found = records(THEME_UNIT)
    kinds = [type(record).__name__ for record in found]

    assert kinds[0] == "Channel"
    assert kinds.index("Item") > max(i for i, kind in enumerate(kinds) if kind != "Item")
    channel = found[0]
    assert channel.title == "Theme Unit Test Data"
    assert channel.link == "https://wpthemetestdata.wordpress.com"
    assert channel.base_blog_url == "https://wpthemetestdata.wordpress.com"
    assert channel.language == "en"
    reviewer = next(r for r in found if isinstance(r, Author) and r.login == "themereviewteam")
    assert (reviewer.display_name, reviewer.first_name, reviewer.last_name) == (
        "Theme Reviewer",
        "Theme",
        "Review",
    )
    grandchild = next(r for r in found if isinstance(r, Term) and r.slug == "grandchild-category")
    assert (grandchild.taxonomy, grandchild.parent_slug) == ("category", "child-category-03")


def test_a_post_carries_its_terms_meta_comments_and_dates():
    post = items(THEME_UNIT)[1148]  # "Template: Comments"

    assert post.post_type == "post"
    assert post.status == "publish"
    assert post.creator
    assert post.date.tzinfo == datetime.UTC
    replies = [comment for comment in post.comments if comment.parent_id]
    assert replies
    reply = next(c for c in post.comments if c.wordpress_id == 905)
    assert reply.parent_id == 904
    assert reply.date == datetime.datetime(2013, 3, 14, 15, 1, 21, tzinfo=datetime.UTC)
    assert {c.wordpress_id for c in post.comments} >= {904, 905}
    assert all(isinstance(comment, Comment) for comment in post.comments)


def test_sticky_posts_page_hierarchy_and_captions():
    found = items(THEME_UNIT)

    assert [item.wordpress_id for item in found.values() if item.is_sticky] == [1241]
    assert found[172].parent_id == 173 and found[173].parent_id == 174
    assert found[174].post_type == "page"
    assert "[caption" in found[1163].content
    assert {(t.taxonomy, t.slug) for t in found[163].terms} == {
        ("category", "6-1"),
        ("category", "block"),
    }
    assert found[163].meta == {"_edit_last": ["1"]}


def test_gmt_dates_win_and_local_dates_fall_back_to_the_site_zone(tmp_path):
    export = tmp_path / "dates.xml"
    export.write_text(
        '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/"><channel>'
        "<wp:wxr_version>1.2</wp:wxr_version>"
        "<item><wp:post_id>1</wp:post_id><wp:post_date>2024-03-20 12:00:00</wp:post_date>"
        "<wp:post_date_gmt>2024-03-20 08:30:00</wp:post_date_gmt></item>"
        "<item><wp:post_id>2</wp:post_id><wp:post_date>2024-03-20 12:00:00</wp:post_date>"
        "<wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt></item>"
        "<item><wp:post_id>3</wp:post_id><wp:status>draft</wp:status>"
        "<wp:post_date>0000-00-00 00:00:00</wp:post_date></item>"
        "</channel></rss>"
    )

    tehran = items_in(export, site_timezone="Asia/Tehran")
    utc = items_in(export)

    assert tehran[1].date == datetime.datetime(2024, 3, 20, 8, 30, tzinfo=datetime.UTC)
    assert tehran[2].date == datetime.datetime(2024, 3, 20, 8, 30, tzinfo=datetime.UTC)
    assert utc[2].date == datetime.datetime(2024, 3, 20, 12, 0, tzinfo=datetime.UTC)
    assert tehran[3].date is None
    assert tehran[3].status == "draft"


def items_in(path, **options) -> dict[int, Item]:
    return {r.wordpress_id: r for r in read_wxr(path, **options) if isinstance(r, Item)}


def test_wxr_1_0_and_1_1_read_as_wordpress_reads_them():
    old = items(FIXTURES / "importer-valid-wxr-1.0.xml")
    newer = records(FIXTURES / "importer-valid-wxr-1.1.xml")

    assert len(old) == 6
    assert [(t.taxonomy, t.slug, t.name) for t in old[4].terms] == [
        ("category", "alpha", "alpha"),
        ("post_tag", "news", "news"),  # WXR 1.0 says domain="tag"
        ("post_tag", "roar", "roar"),
    ]
    author = next(r for r in newer if isinstance(r, Author))
    assert (author.wordpress_id, author.login, author.email, author.display_name) == (
        2,
        "john",
        "johndoe@example.org",
        "John Doe",
    )
    term = next(r for r in newer if isinstance(r, Term) and r.taxonomy == "post_tax")
    assert (term.wordpress_id, term.slug, term.description) == (40, "bieup", "The bieup post_tax")


def test_cdata_blank_lines_and_whitespace_survive():
    escaped = next(iter(items(FIXTURES / "importer-crazy-cdata-escaped.xml").values()))
    blank = next(iter(items(FIXTURES / "importer-post-content-blank-lines.xml").values()))
    multiple = next(iter(items(FIXTURES / "importer-multiple-cdata.xml").values()))
    authors = [
        r for r in records(FIXTURES / "importer-authors-multiline.xml") if isinstance(r, Author)
    ]

    assert escaped.content == "Content with nested <![CDATA[ tags ]]> :)"
    assert escaped.meta["Alot of CDATA"] == [
        "This has <![CDATA[ opening and ]]> closing <![CDATA[ tags like this: ]]>"
    ]
    assert blank.content.count("\n") == 3
    assert multiple.content == "line oneline twoline three"
    assert [a.login for a in authors] == ["alice", "bob", "carol"]
    assert [a.wordpress_id for a in authors] == [1, 2, 3]


def test_term_formats_give_what_wordpress_counts():
    summary = check_wxr(FIXTURES / "importer-term-formats.xml")

    assert summary.terms["category"] == 2
    assert summary.terms["post_tag"] == 3
    assert summary.terms.total() - 5 == 2  # two terms of other taxonomies
    assert summary.items == 0


def test_a_rebound_wp_prefix_is_not_wordpress_data():
    found = records(FIXTURES / "importer-namespace-edge-cases.xml")
    authors = [r.login for r in found if isinstance(r, Author)]
    posts = {r.wordpress_id: r for r in found if isinstance(r, Item)}

    assert authors == ["real_user"]  # not the fake_ns_user of http://example.com/fake/
    assert sorted(posts) == [1, 2, 3, 4, 6]  # 5 rebinds wp: to another site's namespace
    assert posts[1].meta == {"normal_key": ["normal_value"]}
    assert check_wxr(FIXTURES / "importer-namespace-edge-cases.xml").unreadable_items == [94]


def test_an_item_without_post_id_takes_it_from_its_shortlink():
    preview = items(FIXTURES / "wptt-theme-preview.xml")

    assert sorted(preview) == [1, 4, 6, 8, 14, 19, 36]
    assert [t.slug for t in preview[19].terms] == ["uncategorized", "boat", "lake"]


def test_the_first_pass_reads_an_item_as_the_reader_does():
    def without_post_id(number: int, guids: list[str], **options) -> str:
        text = exports.item(number, **options).replace(f"<wp:post_id>{number}</wp:post_id>", "")
        old_guid = f'<guid isPermaLink="false">{exports.SITE}/?p={number}</guid>'
        return text.replace(old_guid, "".join(f"<guid>{guid}</guid>" for guid in guids))

    # Without a post ID the shortlink of the last <guid> counts, as the reader takes it;
    # the first wp:post_type counts; every comment counts.
    found_by_last = without_post_id(
        7,
        [f"{exports.SITE}/lost", f"{exports.SITE}/?p=7"],
        post_type="page",
        comments=exports.comment(1) + exports.comment(2),
    ).replace("</wp:post_type>", "</wp:post_type><wp:post_type>post</wp:post_type>")
    only_first = without_post_id(8, [f"{exports.SITE}/?p=8", f"{exports.SITE}/lost"])
    path = exports.export(exports.item(5, post_type="attachment"), found_by_last, only_first)

    summary = check_wxr(path)
    found = items(path)

    assert sorted(found) == [5, 7]
    assert found[7].post_type == "page" and len(found[7].comments) == 2
    assert summary.post_types == Counter({"attachment": 1, "page": 1})
    assert summary.comments == 2
    assert len(summary.unreadable_items) == 1


def test_bidi_controls_emoji_and_arabic_script_survive_intact():
    found = records(FIXTURES / "importer-wxr-utf-8-challenges.xml")
    channel, post = found[0], next(r for r in found if isinstance(r, Item))

    assert channel.title == "My WordPress Website 🚀 \u202e\u202dمرحبا"
    assert (
        post.title == '"The Road \u202eNot\u202c Taken" by Rob\u202dert \u202eFrost \u202a🌲\u202c'
    )
    assert post.slug == "hello-w\u202eorld\u202c-utf8-💫-test"
    assert post.terms[0].slug == "uncat\u202eegorized\u202c"
    assert "_pingme\u200c\u200b\u200d\u200e" in post.meta


def test_serialized_meta_is_kept_raw_and_can_be_unserialized():
    post = next(iter(items(FIXTURES / "importer-test-serialized-postmeta-with-cdata.xml").values()))
    raw = {key: values[0] for key, values in post.meta.items()}
    comment_meta = (
        next(iter(items(FIXTURES / "importer-test-serialized-comment-meta.xml").values()))
        .comments[0]
        .meta
    )

    assert any(value.startswith("a:") for value in raw.values())
    unserialized = {key: unserialize_meta(value) for key, value in raw.items()}
    assert any(isinstance(value, dict) for value in unserialized.values())
    assert comment_meta["array"] == ['a:1:{s:3:"key";s:13:"¯\\_(ツ)_/¯";}']
    assert unserialize_meta(comment_meta["array"][0]) == {"key": "¯\\_(ツ)_/¯"}
    assert unserialize_meta("a:2:{broken") == "a:2:{broken"
    assert unserialize_meta("just text; really") == "just text; really"
    assert unserialize_meta("i:42;") == 42


def test_term_meta_is_read():
    found = records(FIXTURES / "importer-test-serialized-term-meta.xml")
    category = next(r for r in found if isinstance(r, Term) and r.taxonomy == "category")

    assert category.meta["string"] == ["¯\\_(ツ)_/¯"]


def test_an_open_file_reads_like_a_path():
    from_path = check_wxr(THEME_UNIT)
    with THEME_UNIT.open("rb") as handle:
        from_file = check_wxr(handle)
        # check_wxr hands the file back where it found it, ready for the real read.
        read_after = sum(isinstance(record, Item) for record in read_wxr(handle))
    in_memory = check_wxr(io.BytesIO(THEME_UNIT.read_bytes()))

    assert from_path == from_file == in_memory
    assert read_after == 186


def test_accessibility_data_counts_match_wordpress():
    # WordPress's importer tests expect 154 posts of all types and one author, whom this
    # WordPress.com export writes as wp:wp_author.
    summary = check_wxr(FIXTURES / "importer-a11y-unit-test-data.xml")
    authors = [
        record
        for record in read_wxr(FIXTURES / "importer-a11y-unit-test-data.xml")
        if isinstance(record, Author)
    ]

    assert summary.items == 154
    assert summary.authors == 1
    assert [author.login for author in authors] == ["a11yteam"]


def test_memory_stays_flat_over_a_long_export(tmp_path):
    """A streamed file of 4,000 long items never holds more than a few of them at once."""
    body = "<p>" + "Lorem ipsum dolor sit amet. " * 400 + "</p>"
    item = (
        "<item><title>Post {n}</title><wp:post_id>{n}</wp:post_id>"
        "<content:encoded><![CDATA[" + body + "]]></content:encoded>"
        "<wp:post_type>post</wp:post_type></item>\n"
    )
    big = tmp_path / "long.xml"
    with big.open("w") as out:
        out.write(
            '<rss version="2.0" xmlns:wp="http://wordpress.org/export/1.2/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
            "<wp:wxr_version>1.2</wp:wxr_version>\n"
        )
        for n in range(1, 4001):
            out.write(item.format(n=n))
        out.write("</channel></rss>")
    assert big.stat().st_size > 40_000_000

    # libxml2 allocates outside Python's allocator, so watch the process itself.
    start = resident_bytes()
    highest = start
    count = 0
    for record in read_wxr(big):
        count += isinstance(record, Item)
        if count % 250 == 0:
            highest = max(highest, resident_bytes())

    assert count == 4000
    assert highest - start < 20_000_000  # the file is over 40 MB


def resident_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest.mark.parametrize(
    "prologue",
    [
        '\n<!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>',
        '\n<!DOCTYPE rss SYSTEM "file:///etc/passwd">',
    ],
)
@pytest.mark.parametrize("reader", [check_wxr, lambda path: list(read_wxr(path))])
def test_an_export_with_a_document_type_is_refused(prologue, reader):
    path = exports.export(exports.item(10, "&lol2;"), prologue=prologue)
    with pytest.raises(WXRError, match="document type") as raised:
        reader(path)
    assert raised.value.line
