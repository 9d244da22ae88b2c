"""WordPress post bodies to the article StreamField, and JNews Paywall settings."""

from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from masthead.content.blocks import ArticleBodyBlock, PageBodyBlock
from masthead.content.tests.factories import make_image
from masthead.wordpress.convert import convert_body, embeddable, paywall_from_meta
from masthead.wordpress.records import Item
from masthead.wordpress.wxr import read_wxr

FIXTURES = Path(__file__).resolve().parents[4] / "shared/fixtures/wxr"


class Images:
    """The importer's image lookup, recording what it was asked."""

    def __init__(self, known: dict | None = None, *, every: int | None = None):
        self.known = known or {}
        self.every = every
        self.asked: list[tuple[int | None, str]] = []

    def __call__(self, attachment_id, src):
        self.asked.append((attachment_id, src))
        if self.every is not None:
            return self.every
        return self.known.get(attachment_id) or self.known.get(src)


def convert(html, images=None, **options):
    return convert_body(html, images=images or Images(), **options)


def kinds(converted) -> list[str]:
    return [block["type"] for block in converted.blocks]


def values(converted) -> list:
    return [block["value"] for block in converted.blocks]


# -- text ------------------------------------------------------------------------------


def test_classic_text_gets_paragraphs_and_line_breaks():
    converted = convert("First line\nsame paragraph\n\nSecond paragraph.\n\n\n\nThird.")

    assert values(converted) == [
        "<p>First line<br/>same paragraph</p>",
        "<p>Second paragraph.</p>",
        "<p>Third.</p>",
    ]


def test_classic_text_around_block_elements_and_pre():
    converted = convert(
        "Intro text\n<blockquote>Quoted</blockquote>\nAfter it\n"
        "<pre>keep\n\n  this</pre>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>"
    )

    assert kinds(converted) == ["paragraph", "quote", "paragraph", "paragraph", "paragraph"]
    assert values(converted)[0] == "<p>Intro text</p>"
    assert values(converted)[1] == {"text": "Quoted", "attribution": ""}
    assert values(converted)[3] == "<p>keep<br/><br/>  this</p>"
    assert values(converted)[4] == "<ul><li>one</li><li>two</li></ul>"


def test_block_editor_comments_are_understood_and_dropped():
    converted = convert(
        "<!-- wp:paragraph -->\n<p>One</p>\n<!-- /wp:paragraph -->\n\n"
        '<!-- wp:heading {"level":3} -->\n<h3>Sub</h3>\n<!-- /wp:heading -->\n\n'
        "<!-- wp:latest-posts /-->\n"
        "<!-- wp:paragraph -->\n<p>Two\nlines</p>\n<!-- /wp:paragraph -->"
    )

    assert values(converted) == [
        "<p>One</p>",
        {"text": "Sub", "level": "h3"},
        "<p>Two lines</p>",  # no autop inside block-editor HTML
    ]
    assert converted.unknown_shortcodes == {"wp:latest-posts": 1}


def test_inline_markup_is_limited_to_what_the_rich_text_allows():
    converted = convert(
        '<p class="x"><strong>Bold</strong> <em>it</em> <span style="c">plain</span> '
        '<a href="https://example.com/a" title="t" target="_blank" class="c">link</a> '
        '<a href="#top">anchor</a> <a href="javascript:alert(1)">bad</a> '
        '<a href="/2011/03/old/">old</a> E=MC<sup>2</sup> <u>under</u> '
        '<script>alert(1)</script>and it\'s "quoted" &amp; fine</p>'
    )

    assert values(converted) == [
        '<p><b>Bold</b> <i>it</i> plain <a href="https://example.com/a">link</a> anchor bad '
        '<a href="/2011/03/old/">old</a> E=MC<sup>2</sup> under and it\'s "quoted" &amp; fine</p>'
    ]


def test_a_script_or_form_on_its_own_is_dropped_with_a_warning():
    converted = convert("<p>Text</p><script>track()</script><form><input></form>")

    assert values(converted) == ["<p>Text</p>"]
    assert converted.warnings == ["A script was removed.", "A form was removed."]


def test_headings_keep_two_levels():
    converted = convert(
        "<h1>Top</h1><h2>Two</h2><h3>Three</h3><h4>Four</h4><h6>Six</h6>"
        f"<h2>{'Long ' * 50}</h2><h2>  </h2>"
    )

    assert values(converted)[:5] == [
        {"text": "Top", "level": "h2"},
        {"text": "Two", "level": "h2"},
        {"text": "Three", "level": "h3"},
        "<p><b>Four</b></p>",
        "<p><b>Six</b></p>",
    ]
    assert kinds(converted)[5] == "paragraph"  # longer than a heading may be
    assert len(converted.blocks) == 6


def test_quotes_keep_their_paragraphs_and_attribution():
    converted = convert(
        "<blockquote><p>First part.</p><p>Second part.</p><cite>— Somebody</cite></blockquote>"
        '<figure class="wp-block-pullquote"><blockquote><p>Pulled</p>'
        "<cite>Writer</cite></blockquote></figure>"
    )

    assert values(converted) == [
        {"text": "First part.\n\nSecond part.", "attribution": "Somebody"},
        {"text": "Pulled", "attribution": "Writer"},
    ]


def test_persian_text_survives_untouched():
    text = "خبرگزاری\u200cها گزارش دادند که «مجلس» امروز تشکیل شد."

    converted = convert(f"{text}\n\n<h2>سرخط</h2>")

    assert values(converted) == [f"<p>{text}</p>", {"text": "سرخط", "level": "h2"}]


# -- images ----------------------------------------------------------------------------


def test_a_caption_shortcode_becomes_an_image_with_its_caption():
    images = Images({612: 7})

    converted = convert(
        'Before\n\n[caption id="attachment_612" align="aligncenter" width="640"]'
        '<a href="https://x/full.jpg"><img src="https://paper.example/wp-content/uploads/'
        '2013/09/husk.jpg" class="size-full wp-image-612" /></a> Husk, <a href="#">Clarkson'
        "</a>.[/caption]\n\nAfter",
        images,
    )

    assert values(converted) == [
        "<p>Before</p>",
        {"image": 7, "caption": "Husk, Clarkson."},
        "<p>After</p>",
    ]
    assert images.asked == [(612, "https://paper.example/wp-content/uploads/2013/09/husk.jpg")]
    assert converted.image_refs == images.asked


def test_an_old_caption_attribute_is_read_too():
    converted = convert(
        '[caption id="attachment_9" caption="Said in the attribute"]<img src="a.jpg" />[/caption]',
        Images(every=3),
    )

    assert values(converted) == [{"image": 3, "caption": "Said in the attribute"}]


def test_a_bare_image_splits_its_paragraph():
    converted = convert(
        '<p>Left <img class="alignleft wp-image-904" src="https://p/wp-content/uploads/'
        '2013/03/a.jpg" /> right</p>',
        Images({904: 11}),
    )

    assert values(converted) == ["<p>Left</p>", {"image": 11, "caption": ""}, "<p>right</p>"]


def test_a_missing_image_leaves_a_marked_gap_and_a_warning():
    converted = convert(
        '[caption id="attachment_5"]<img src="https://paper.example/wp-content/uploads/'
        '2011/03/photo.jpg" /> The mayor[/caption]'
    )

    assert values(converted) == ["<p>[Image missing: 2011/03/photo.jpg]</p>", "<p>The mayor</p>"]
    assert converted.warnings == ["Image missing: 2011/03/photo.jpg"]
    assert converted.image_refs == [
        (5, "https://paper.example/wp-content/uploads/2011/03/photo.jpg")
    ]


def test_galleries_list_their_images_or_the_posts_attachments():
    images = Images(every=1)

    named = convert('[gallery ids="4, 5,6" columns="3"]', images)
    attached = convert('[gallery exclude="8"]', images, attached=[7, 8, 9])
    empty = convert("[gallery]", images)

    assert [value["image"] for value in values(named)] == [1, 1, 1]
    assert images.asked[:3] == [(4, ""), (5, ""), (6, "")]
    assert images.asked[3:] == [(7, ""), (9, "")]
    assert kinds(attached) == ["image", "image"]
    assert values(empty) == ["<p>[Gallery missing]</p>"]
    assert len(empty.warnings) == 1


def test_a_block_editor_gallery_gives_one_image_block_per_picture():
    converted = convert(
        '<!-- wp:gallery --><figure class="wp-block-gallery">'
        '<!-- wp:image {"id":769} --><figure class="wp-block-image"><img src="a.jpg" '
        'class="wp-image-769"/><figcaption>First</figcaption></figure><!-- /wp:image -->'
        '<figure class="wp-block-image"><img src="b.jpg" class="wp-image-767"/></figure>'
        "<figcaption>Whole gallery</figcaption></figure><!-- /wp:gallery -->",
        Images({769: 1, 767: 2}),
    )

    assert values(converted) == [
        {"image": 1, "caption": "First"},
        {"image": 2, "caption": ""},
        "<p>Whole gallery</p>",
    ]


# -- embeds ----------------------------------------------------------------------------


def test_oembed_urls_on_their_own_line_become_embeds():
    converted = convert(
        "Watch this:\nhttps://www.youtube.com/watch?v=SQEQr7c0-dw\n\n"
        "https://twitter.com/nacin/status/319508408669708289\n\n"
        "https://example.com/not-a-provider\n\n"
        "In a sentence https://vimeo.com/22439234 it stays text.\n\n"
        "[embed width=500]https://vimeo.com/22439234[/embed]"
    )

    assert kinds(converted) == ["paragraph", "embed", "embed", "paragraph", "paragraph", "embed"]
    assert values(converted)[1] == "https://www.youtube.com/watch?v=SQEQr7c0-dw"
    assert values(converted)[2] == "https://twitter.com/nacin/status/319508408669708289"
    assert values(converted)[3] == "<p>https://example.com/not-a-provider</p>"
    assert values(converted)[5] == "https://vimeo.com/22439234"


def test_an_embed_masthead_cannot_show_stays_a_link_with_a_warning():
    converted = convert(
        '<figure class="wp-block-embed is-provider-facebook"><div class="wp-block-embed__wrapper">'
        "https://www.facebook.com/6427302910/posts/10156380423617911/</div></figure>"
    )

    assert kinds(converted) == ["paragraph"]
    assert (
        'href="https://www.facebook.com/6427302910/posts/10156380423617911/"'
        in values(converted)[0]
    )
    assert converted.warnings == [
        "An embed from www.facebook.com was kept as a link: Masthead cannot embed it."
    ]


def test_block_editor_embeds_frames_and_tweets():
    converted = convert(
        '<!-- wp:core-embed/youtube {"url":"https://youtu.be/ex8fMxXJDJw"} -->'
        '<figure class="wp-block-embed is-provider-youtube"><div class="wp-block-embed__wrapper">'
        "\nhttps://youtu.be/ex8fMxXJDJw\n</div></figure><!-- /wp:core-embed/youtube -->"
        '<iframe src="https://www.youtube.com/embed/abc_123?rel=0" width="560"></iframe>'
        '<blockquote class="twitter-tweet"><p>Tweet</p>&mdash; WP <a href="https://twitter.com/'
        'WordPress/status/1057136472321613824?ref_src=twsrc">Oct</a></blockquote>'
        '<iframe src="https://maps.example/embed?pb=1"></iframe>'
    )

    assert values(converted)[:3] == [
        "https://youtu.be/ex8fMxXJDJw",
        "https://www.youtube.com/watch?v=abc_123",
        "https://twitter.com/WordPress/status/1057136472321613824",
    ]
    assert values(converted)[3] == (
        '<p><a href="https://maps.example/embed?pb=1">https://maps.example/embed?pb=1</a></p>'
    )
    assert converted.warnings == ["An embedded frame from maps.example was replaced by a link."]


def test_without_an_embed_block_embeds_become_links():
    converted = convert("https://www.youtube.com/watch?v=SQEQr7c0-dw", embeds=False)

    assert values(converted) == [
        '<p><a href="https://www.youtube.com/watch?v=SQEQr7c0-dw">'
        "https://www.youtube.com/watch?v=SQEQr7c0-dw</a></p>"
    ]


def test_embeddable_follows_wagtails_providers():
    assert embeddable("https://youtu.be/ex8fMxXJDJw")
    assert embeddable("https://x.com/someone/status/1")
    assert not embeddable("https://www.facebook.com/6427302910/posts/10156380423617911/")


# -- markers and shortcodes ---------------------------------------------------------------


def test_the_more_tag_is_noted_where_it_falls():
    converted = convert("Teaser one.\n\nTeaser two.\n<!--more-->\nThe rest.\n\nMore.")

    assert converted.more_after == 2
    assert len(converted.blocks) == 4
    assert convert("No teaser.").more_after is None


def test_unknown_shortcodes_stay_readable_and_are_counted():
    converted = convert(
        '[contact-form-7 id="12" title="Contact"]\n\n[pullquote]Big words[/pullquote]\n\n'
        "[[gallery]] is how you write a gallery.\n\nA bare [top] link.\n\n[audio src=x.mp3 /]"
    )

    assert values(converted) == [
        '<p>[contact-form-7 id="12" title="Contact"]</p>',
        "<p>[pullquote]Big words[/pullquote]</p>",
        "<p>[gallery] is how you write a gallery.</p>",
        "<p>A bare [top] link.</p>",
        "<p>[audio src=x.mp3 /]</p>",
    ]
    assert converted.unknown_shortcodes == {"contact-form-7": 1, "pullquote": 1, "audio": 1}


def test_tables_and_definition_lists_are_flattened():
    converted = convert(
        "<table><tr><th>Name</th><th>Pay</th></tr><tr><td>Jane</td><td>$1</td></tr></table>"
        "<dl><dt>Term</dt><dd>Meaning</dd></dl><hr /><!--nextpage-->"
    )

    assert values(converted) == [
        "<p>Name | Pay</p>",
        "<p>Jane | $1</p>",
        "<p><b>Term</b></p>",
        "<p>Meaning</p>",
    ]
    assert len(converted.warnings) == 2


def test_empty_bodies_give_no_blocks():
    for body in (
        "",
        "   \n\n ",
        "<p>&nbsp;</p>",
        "<!-- wp:spacer --><div></div><!-- /wp:spacer -->",
    ):
        assert convert(body).blocks == []


def test_converting_twice_gives_the_same_blocks_and_ids():
    body = "One\n\nTwo\n\nOne"

    first, second = convert(body), convert(body)

    assert first.blocks == second.blocks
    ids = [block["id"] for block in first.blocks]
    assert len(set(ids)) == 3


# -- against the real blocks ------------------------------------------------------------------


@pytest.mark.django_db
def test_every_theme_unit_post_gives_a_body_the_article_block_accepts():
    image = make_image()
    article_body, page_body = ArticleBodyBlock(), PageBodyBlock()
    converted_posts = 0
    for name in ("importer-theme-unit-test-data.xml", "wptt-64-block-test-data.xml"):
        for record in read_wxr(FIXTURES / name):
            if not isinstance(record, Item) or record.post_type not in {"post", "page"}:
                continue
            converted = convert_body(
                record.content,
                images=lambda _id, _src: image.pk,
                embeds=record.post_type == "post",
            )
            block = article_body if record.post_type == "post" else page_body
            # EmbedBlock.clean asks the provider over the network: embeds are checked
            # against Wagtail's provider list instead, everything else by the real block.
            embeds = [b["value"] for b in converted.blocks if b["type"] == "embed"]
            assert all(embeddable(url) for url in embeds)
            others = [b for b in converted.blocks if b["type"] != "embed"]
            if not converted.blocks:
                # Nothing but live-data blocks (post title, archives...): the page's body
                # field may be blank, the stream itself may not be empty.
                assert not record.content.strip() or converted.unknown_shortcodes
                continue
            try:
                block.clean(block.to_python(others))
            except ValidationError as error:
                pytest.fail(
                    f"{name} item {record.wordpress_id}: {getattr(error, 'block_errors', error)!r}"
                )
            converted_posts += 1

    assert converted_posts >= 79 + 62 - 5


# -- JNews Paywall --------------------------------------------------------------------------


def jnews(**settings) -> dict[str, list[str]]:
    """Post meta as the plugin's metabox framework saves it: one serialized array."""
    body = "".join(
        f's:{len(key)}:"{key}";s:{len(str(value))}:"{value}";' for key, value in settings.items()
    )
    return {"jnews_paywall_metabox": [f"a:{len(settings)}:{{{body}}}"], "_edit_last": ["1"]}


@pytest.mark.parametrize(
    ("meta", "options", "expected"),
    [
        ({}, {}, (None, None)),
        ({"_edit_last": ["1"]}, {}, (None, None)),
        (jnews(enable_premium_post="1", paragraph_limit="3"), {}, ("subscribers", 3)),
        (jnews(enable_premium_post="1"), {}, ("subscribers", 2)),  # the plugin's default
        (jnews(enable_premium_post="0", paragraph_limit="3"), {}, ("public", None)),
        (jnews(paragraph_limit="5"), {}, ("public", None)),
        (jnews(enable_premium_post="1", paragraph_limit="x"), {}, ("subscribers", 2)),
        # The site-wide "block all" option turns the logic around.
        ({}, {"block_all": True}, ("subscribers", 2)),
        (jnews(enable_free_post="1"), {"block_all": True}, ("public", None)),
        (jnews(paragraph_limit="6"), {"block_all": True, "default_limit": 4}, ("subscribers", 4)),
        (
            jnews(override_paragraph_limit="1", paragraph_limit="6"),
            {"block_all": True},
            ("subscribers", 6),
        ),
        ({"jnews_paywall_metabox": ["not serialized"]}, {}, (None, None)),
        # Checkboxes and numbers may also be saved as PHP booleans and integers.
        (
            {
                "jnews_paywall_metabox": [
                    'a:2:{s:19:"enable_premium_post";b:1;s:15:"paragraph_limit";i:4;}'
                ]
            },
            {},
            ("subscribers", 4),
        ),
    ],
)
def test_paywall_from_meta(meta, options, expected):
    assert paywall_from_meta(meta, **options) == expected
