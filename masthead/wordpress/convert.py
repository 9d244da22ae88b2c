"""Turn a WordPress post body into Masthead's article StreamField.

WordPress stores a post as HTML of three kinds: classic-editor text, where a blank line
means a new paragraph and no <p> is written; block-editor HTML between
`<!-- wp:name {...} -->` comments; and either of them sprinkled with shortcodes such as
`[caption]`, `[gallery]` and `[embed]`. `convert_body` reads all three and returns the raw
StreamField data of ArticleBodyBlock (paragraph, heading, quote, image, embed), plus what
it could not carry over: warnings for the import report and a count of unknown shortcodes.

It never touches the database. Images go through the `images` callable the importer
passes, which answers "which Masthead image is WordPress attachment N / this URL?".

`paywall_from_meta` reads the JNews Paywall plugin's per-post settings, kept by its
metabox framework as one PHP-serialized array under the post meta key
`jnews_paywall_metabox`.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import nh3
from django.utils.translation import gettext as _
from lxml import etree
from lxml import html as lxml_html
from wagtail.embeds.oembed_providers import all_providers

from masthead.wordpress.wxr import unserialize_meta

ImageLookup = Callable[[int | None, str], int | None]

HEADING_MAX_LENGTH = 200  # HeadingBlock.text's max_length
CAPTION_MAX_LENGTH = 255  # CharBlock's default limit for the image caption

# Block ids are derived from the content so that converting the same post twice gives
# the same StreamField, which is what lets a second import see "unchanged".
_BLOCK_ID_KEY = b"masthead.wordpress block ids"

_EMBEDDABLE = re.compile(
    "|".join(f"(?:{pattern})" for provider in all_providers for pattern in provider["urls"])
)


@dataclass
class Converted:
    blocks: list[dict] = field(default_factory=list)  # raw StreamField data
    warnings: list[str] = field(default_factory=list)
    unknown_shortcodes: Counter = field(default_factory=Counter)  # name -> times seen
    image_refs: list[tuple[int | None, str]] = field(default_factory=list)  # (attachment id, src)
    # How many blocks come before WordPress's <!--more--> teaser break; None if it has none.
    more_after: int | None = None


def convert_body(
    html: str,
    *,
    images: ImageLookup,
    embeds: bool = True,
    attached: Sequence[int] = (),
) -> Converted:
    """Convert one post body to raw ArticleBodyBlock data.

    `images(attachment_id or None, src)` returns a Masthead image pk or None; a None
    leaves a visible "[Image missing: ...]" paragraph and a warning. `embeds=False` is
    for bodies without an embed block (PageBodyBlock): embeddable URLs become links.
    `attached` lists the post's own attachment ids, which a bare [gallery] shows.
    """
    return _Converter(images, embeds=embeds, attached=attached).convert(html or "")


# -- JNews Paywall ------------------------------------------------------------------------

JNEWS_PAYWALL_META_KEY = "jnews_paywall_metabox"
JNEWS_DEFAULT_PARAGRAPH_LIMIT = 2  # the plugin's default for paragraph_limit and jpw_limit


def paywall_from_meta(
    meta: dict[str, list[str]],
    *,
    block_all: bool = False,
    default_limit: int = JNEWS_DEFAULT_PARAGRAPH_LIMIT,
) -> tuple[str | None, int | None]:
    """Return (access_level, preview_paragraphs) from a post's JNews Paywall settings.

    The plugin keeps them in one serialized array: `enable_premium_post` marks a post
    premium and `paragraph_limit` says how many paragraphs non-subscribers see. With the
    site-wide "block all posts" theme option (`block_all`, not in the export) every post
    is premium unless `enable_free_post` is set, and `paragraph_limit` only counts when
    `override_paragraph_limit` is set. (None, None) means the post carries no paywall
    settings and keeps Masthead's default.
    """
    values = meta.get(JNEWS_PAYWALL_META_KEY)
    settings = unserialize_meta(values[-1]) if values else None
    if not isinstance(settings, dict):
        if block_all:
            return "subscribers", default_limit
        return None, None
    settings = {str(key): value for key, value in settings.items()}

    if block_all:
        if _checked(settings.get("enable_free_post")):
            return "public", None
        limit = default_limit
        if _checked(settings.get("override_paragraph_limit")):
            limit = _limit(settings.get("paragraph_limit"), default_limit)
        return "subscribers", limit
    if _checked(settings.get("enable_premium_post")):
        return "subscribers", _limit(settings.get("paragraph_limit"), default_limit)
    return "public", None


def _checked(value) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "on", "yes"}
    return bool(value)


def _limit(value, default: int) -> int:
    try:
        limit = int(str(value).strip())
    except ValueError:
        return default
    return limit if limit >= 0 else default


# -- the converter ------------------------------------------------------------------------

# Markers for what the shortcode and comment passes found; the tree walk turns them
# into blocks. Custom element names keep them clear of any real HTML.
_MORE = "masthead-more"
_CAPTION = "masthead-caption"
_GALLERY = "masthead-gallery"
_EMBED = "masthead-embed"
_LITERAL = "masthead-literal"

_BLOCK_TAGS = (
    "table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form"
    "|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|article"
    "|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary|iframe"
    "|video|audio|object|masthead-(?:more|caption|gallery|embed)"
)
_BLOCK_OPEN = re.compile(rf"(<(?:{_BLOCK_TAGS})(?=[\s/>]))", re.IGNORECASE)
_BLOCK_CLOSE = re.compile(rf"(</(?:{_BLOCK_TAGS})>)", re.IGNORECASE)
_STARTS_WITH_BLOCK = re.compile(rf"^</?(?:{_BLOCK_TAGS})(?=[\s/>])", re.IGNORECASE)
_PRE = re.compile(r"<pre\b.*?</pre>", re.IGNORECASE | re.DOTALL)

_BLOCK_COMMENT = re.compile(r"<!--\s*(/?)wp:([a-z0-9_/-]+)(\s+\{.*?\})?\s*(/?)-->", re.DOTALL)
_MORE_COMMENT = re.compile(r"<!--more(.*?)-->", re.DOTALL)
_NEXTPAGE_COMMENT = re.compile(r"<!--nextpage-->")
_NOTEASER_COMMENT = re.compile(r"<!--noteaser-->")

_ESCAPED_SHORTCODE = re.compile(r"\[(\[[^\[\]]+\])\]")
_CAPTION_SHORTCODE = re.compile(
    r"\[(caption|wp_caption)\b([^\]]*)\](.*?)\[/\1\]", re.DOTALL | re.IGNORECASE
)
_GALLERY_SHORTCODE = re.compile(r"\[gallery\b([^\]]*)\]", re.IGNORECASE)
_EMBED_SHORTCODE = re.compile(r"\[embed\b[^\]]*\](.*?)\[/embed\]", re.DOTALL | re.IGNORECASE)
_ANY_SHORTCODE = re.compile(r"\[([A-Za-z][\w-]*)(\s[^\[\]]*?)?(/)?\]")
_SHORTCODE_ATTRIBUTE = re.compile(
    r"""([\w-]+)\s*=\s*"([^"]*)"|([\w-]+)\s*=\s*'([^']*)'|([\w-]+)\s*=\s*([^\s'"\]]+)"""
)
_NOT_IN_URL = re.compile(r"[\s<>\"]")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_KEPT_PRE = re.compile(r'<pre data-kept="(\d+)"></pre>')

_ATTACHMENT_CLASS = re.compile(r"\bwp-image-(\d+)\b")
_ATTACHMENT_ID = re.compile(r"attachment_(\d+)")

_INLINE_TAGS = {
    "a", "abbr", "acronym", "b", "bdi", "bdo", "big", "br", "cite", "code", "data", "del",
    "dfn", "em", "font", "i", "ins", "kbd", "label", "mark", "q", "s", "samp", "small",
    "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
}  # fmt: skip
_DROPPED_TAGS = {
    "style", "link", "meta", "input", "button", "select", "textarea", "canvas", "svg",
    "map", "area", "template", "head", "title", "source", "track", "param",
}  # fmt: skip
# Inline elements holding one of these are walked rather than copied whole.
_CONTAINS_BLOCKS = etree.XPath(
    f".//img|.//iframe|.//{_CAPTION}|.//{_GALLERY}|.//{_EMBED}|.//{_MORE}|.//{_LITERAL}"
)

# What Wagtail's rich text stores for the features RICH_TEXT_FEATURES allows.
_PARAGRAPH_TAGS = frozenset({"b", "i", "a", "sup", "br"})
_LIST_TAGS = _PARAGRAPH_TAGS | {"ul", "ol", "li"}
_LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_ATTRIBUTES = {"a": {"href"}, "*": set()}  # "*": no title, lang or class anywhere


def _shortcode_attributes(text: str) -> dict[str, str]:
    attributes = {}
    for match in _SHORTCODE_ATTRIBUTE.finditer(text or ""):
        name = match.group(1) or match.group(3) or match.group(5)
        value = match.group(2) if match.group(1) else match.group(4) or match.group(6) or ""
        attributes[name.lower()] = html_lib.unescape(value)
    return attributes


def _ids(value: str) -> list[int]:
    return [int(part) for part in re.findall(r"\d+", value or "")]


def embeddable(url: str) -> bool:
    """Whether Wagtail's oEmbed finder knows the provider of `url`."""
    return _EMBEDDABLE.match(url) is not None


def _embed_url_from_frame(src: str) -> str:
    """Map a player's frame address to the page address oEmbed providers recognise."""
    if src.startswith("//"):
        src = "https:" + src
    parts = urlsplit(src)
    if parts.hostname and parts.hostname.endswith(("youtube.com", "youtube-nocookie.com")):
        found = re.match(r"^/embed/([\w-]+)", parts.path)
        if found:
            return f"https://www.youtube.com/watch?v={found.group(1)}"
    return src


def _upload_path(src: str) -> str:
    """The part of an image address that names the file: 2011/03/photo.jpg."""
    path = urlsplit(src).path
    marker = "/wp-content/uploads/"
    if marker in path:
        return path.split(marker, 1)[1]
    return path.lstrip("/") or src


def _squash(text: str) -> str:
    """Collapse runs of whitespace to one space and trim; far faster than a regex."""
    return " ".join(text.split())


def _text_of(element) -> str:
    return _squash(element.text_content())


class _Converter:
    def __init__(self, images: ImageLookup, *, embeds: bool, attached: Sequence[int]):
        self.images = images
        self.embeds = embeds
        self.attached = list(attached)
        self.result = Converted()
        self.inline: list[str] = []  # HTML of the paragraph being gathered
        self.literals: list[str] = []

    def convert(self, text: str) -> Converted:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        is_block_editor = "<!-- wp:" in text
        text = self._comments(text)
        text = self._shortcodes(text)
        if not is_block_editor:
            text = self._autoembed(text)
            text = self._autop(text)
        if text.strip():
            root = lxml_html.fragment_fromstring(text, create_parent="div")
            self._walk(root)
            self._flush()
        self._number_blocks()
        return self.result

    # -- text passes ------------------------------------------------------------------

    def _comments(self, text: str) -> str:
        def block_comment(match: re.Match) -> str:
            closing, name, _attributes, self_closing = match.groups()
            if self_closing and not closing and name not in {"more", "nextpage"}:
                # Dynamic blocks (latest posts, archives, ...) are drawn from live site
                # data on every view; there is no content to carry over.
                self.result.unknown_shortcodes[f"wp:{name}"] += 1
            return ""

        text = _BLOCK_COMMENT.sub(block_comment, text)
        text = _MORE_COMMENT.sub(f"\n\n<{_MORE}></{_MORE}>\n\n", text, count=1)
        text = _MORE_COMMENT.sub("", text)
        if _NEXTPAGE_COMMENT.search(text):
            self.result.warnings.append(
                _("Page breaks (<!--nextpage-->) were removed; the article is one page now.")
            )
            text = _NEXTPAGE_COMMENT.sub("", text)
        return _NOTEASER_COMMENT.sub("", text)

    def _shortcodes(self, text: str) -> str:
        def escaped(match: re.Match) -> str:
            # [[foo]] is WordPress's way of writing a literal [foo].
            self.literals.append(match.group(1))
            return f'<{_LITERAL} n="{len(self.literals) - 1}"></{_LITERAL}>'

        def caption(match: re.Match) -> str:
            attributes = _shortcode_attributes(match.group(2))
            found = _ATTACHMENT_ID.search(attributes.get("id", ""))
            return (
                f'\n\n<{_CAPTION} attachment="{found.group(1) if found else ""}" '
                f'caption="{html_lib.escape(attributes.get("caption", ""))}">'
                f"{match.group(3)}</{_CAPTION}>\n\n"
            )

        def gallery(match: re.Match) -> str:
            attributes = _shortcode_attributes(match.group(1))
            ids = attributes.get("ids") or attributes.get("include") or ""
            exclude = attributes.get("exclude", "")
            return f'\n\n<{_GALLERY} ids="{ids}" exclude="{exclude}"></{_GALLERY}>\n\n'

        def embed(match: re.Match) -> str:
            url = html_lib.escape(match.group(1).strip())
            return f'\n\n<{_EMBED} url="{url}"></{_EMBED}>\n\n'

        text = _ESCAPED_SHORTCODE.sub(escaped, text)
        text = _CAPTION_SHORTCODE.sub(caption, text)
        text = _GALLERY_SHORTCODE.sub(gallery, text)
        text = _EMBED_SHORTCODE.sub(embed, text)
        # The rest are counted and stay as readable text. A bare [word] counts only when
        # it is closed somewhere, so "[top]" or "[1]" in prose are not taken for code.
        for match in _ANY_SHORTCODE.finditer(text):
            name, attributes, self_closing = match.groups()
            if attributes or self_closing or f"[/{name}]" in text:
                self.result.unknown_shortcodes[name.lower()] += 1
        return text

    def _autoembed(self, text: str) -> str:
        if "http" not in text:
            return text
        lines = text.split("\n")
        for number, line in enumerate(lines):
            url = line.strip()
            # WordPress embeds a known provider's URL standing alone on its line.
            if url.startswith(("http://", "https://")) and not _NOT_IN_URL.search(url):
                if embeddable(url):
                    lines[number] = f'\n\n<{_EMBED} url="{html_lib.escape(url)}"></{_EMBED}>\n\n'
        return "\n".join(lines)

    def _autop(self, text: str) -> str:
        """Wrap classic-editor text in paragraphs the way WordPress shows it.

        A blank line ends a paragraph and a single newline is a line break, except
        around block-level elements and inside <pre>, which are left as written.
        """
        kept: list[str] = []

        def keep(match: re.Match) -> str:
            kept.append(match.group(0))
            return f'\n\n<pre data-kept="{len(kept) - 1}"></pre>\n\n'

        if "<" in text:
            if "<pre" in text or "<PRE" in text:
                text = _PRE.sub(keep, text)
            text = _BLOCK_OPEN.sub(r"\n\n\1", text)
            text = _BLOCK_CLOSE.sub(r"\1\n\n", text)
        paragraphs = []
        for chunk in _BLANK_LINE.split(text):
            chunk = chunk.strip()
            if not chunk:
                continue
            if chunk[0] == "<" and _STARTS_WITH_BLOCK.match(chunk):
                paragraphs.append(chunk)
            elif "\n" in chunk:
                paragraphs.append("<p>" + _LINE_BREAK.sub("<br />\n", chunk) + "</p>")
            else:
                paragraphs.append(f"<p>{chunk}</p>")
        text = "\n".join(paragraphs)
        if kept:
            text = _KEPT_PRE.sub(lambda match: kept[int(match.group(1))], text)
        return text

    # -- the tree walk ----------------------------------------------------------------

    def _walk(self, element) -> None:
        self._text(element.text)
        for child in element:
            self._node(child)
            self._text(child.tail)

    def _text(self, text: str | None) -> None:
        # Whitespace between blocks starts no paragraph; inside one it separates words.
        if text and (self.inline or not text.isspace()):
            self.inline.append(html_lib.escape(text, quote=False))

    def _node(self, element) -> None:  # noqa: C901 - one branch per kind of element
        tag = element.tag
        if not isinstance(tag, str):  # an HTML comment or processing instruction
            return
        tag = tag.lower()
        if tag == _LITERAL:
            self.inline.append(html_lib.escape(self.literals[int(element.get("n"))]))
        elif tag in _INLINE_TAGS:
            if _CONTAINS_BLOCKS(element):
                self._walk(element)  # an image inside a link: keep the image, lose the link
            else:
                self.inline.append(etree.tostring(element, encoding="unicode", with_tail=False))
        elif tag == "p":
            self._flush()
            if not self._lone_embed(element):
                self._walk(element)
            self._flush()
        elif tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self._flush()
            self._heading(element, tag)
        elif tag == "blockquote":
            self._flush()
            self._quote(element)
        elif tag in {"ul", "ol"}:
            self._flush()
            self._list(element)
        elif tag == "img":
            self._flush()
            self._image(element, caption="")
        elif tag == "figure":
            self._flush()
            self._figure(element)
            self._flush()
        elif tag == _CAPTION:
            self._flush()
            self._caption(element)
        elif tag == _GALLERY:
            self._flush()
            self._gallery(element)
        elif tag == _EMBED:
            self._flush()
            self._embed(html_lib.unescape(element.get("url", "")))
        elif tag == _MORE:
            self._flush()
            if self.result.more_after is None:
                self.result.more_after = len(self.result.blocks)
        elif tag == "iframe":
            self._flush()
            self._frame(element.get("src", ""))
        elif tag in {"video", "audio", "object", "embed"}:
            self._flush()
            self._media(element)
        elif tag == "table":
            self._flush()
            self._table(element)
        elif tag == "pre":
            self._flush()
            self._preformatted(element)
        elif tag == "dl":
            self._flush()
            self._definitions(element)
        elif tag in {"script", "noscript"}:
            # Trackers and widget loaders, inline or not; their text is never content.
            if tag == "script":
                self.result.warnings.append(_("A script was removed."))
        elif tag == "form":
            self._flush()
            self.result.warnings.append(_("A form was removed."))
        elif tag == "hr" or tag in _DROPPED_TAGS:
            self._flush()
        else:
            # div, section, figcaption outside a figure, details...: their content counts,
            # the wrapper does not.
            self._flush()
            self._walk(element)
            self._flush()

    # -- blocks -----------------------------------------------------------------------

    def _add(self, block_type: str, value) -> None:
        self.result.blocks.append({"type": block_type, "value": value})

    def _flush(self) -> None:
        if not self.inline:
            return
        fragment = "".join(self.inline)
        self.inline = []
        rich_text = _rich_text(fragment, _PARAGRAPH_TAGS)
        if rich_text:
            self._add("paragraph", f"<p>{rich_text}</p>")

    def _paragraph_text(self, text: str, *, bold: bool = False) -> None:
        text = html_lib.escape(_squash(text), quote=False)
        if text:
            self._add("paragraph", f"<p><b>{text}</b></p>" if bold else f"<p>{text}</p>")

    def _lone_embed(self, element) -> bool:
        """Handle <p>URL</p> with an embeddable URL, as WordPress's autoembed does."""
        if len(element) or not element.text:
            return False
        url = element.text.strip()
        if " " in url or not url.startswith(("http://", "https://")) or not embeddable(url):
            return False
        self._embed(url)
        return True

    def _heading(self, element, tag: str) -> None:
        if _CONTAINS_BLOCKS(element):
            self._walk(element)
            self._flush()
            return
        text = _text_of(element)
        if not text:
            return
        # Masthead has two heading levels: h1-h3 keep a heading, h4-h6 become bold text.
        if tag in {"h1", "h2", "h3"} and len(text) <= HEADING_MAX_LENGTH:
            self._add("heading", {"text": text, "level": "h3" if tag == "h3" else "h2"})
        else:
            self._paragraph_text(text, bold=True)

    def _quote(self, element) -> None:
        if "twitter-tweet" in (element.get("class") or ""):
            links = [
                a.get("href", "") for a in element.iter("a") if "/status/" in a.get("href", "")
            ]
            if links:
                self._embed(links[-1].split("?")[0])
                return
        attribution = ""
        for credit in element.xpath(".//cite|.//footer"):
            attribution = attribution or _text_of(credit).lstrip("—–-~ ").strip()
            credit.drop_tree()
        parts = []
        for child in element.xpath("./p|./div|./ul|./ol"):
            parts.append(_text_of(child))
        text = "\n\n".join(part for part in parts if part) or _text_of(element)
        if text:
            self._add("quote", {"text": text, "attribution": attribution[:200]})

    def _list(self, element) -> None:
        markup = etree.tostring(element, encoding="unicode", with_tail=False)
        rich_text = _rich_text(markup, _LIST_TAGS)
        if rich_text:
            self._add("paragraph", rich_text)

    def _figure(self, element) -> None:
        classes = element.get("class") or ""
        if "wp-block-embed" in classes or element.xpath(".//div[contains(@class, 'embed')]"):
            wrapper = element.xpath(".//*[contains(@class, 'wp-block-embed__wrapper')]")
            url = _text_of(wrapper[0]) if wrapper else ""
            if url:
                self._embed(url)
                return
        caption = element.xpath("./figcaption")
        caption_text = _text_of(caption[0]) if caption else ""
        for node in caption:
            node.drop_tree()
        if element.xpath("./figure"):
            # A block-editor gallery: one figure per image, then the gallery's caption.
            self._walk(element)
            self._flush()
            self._paragraph_text(caption_text)
            return
        pictures = element.xpath(".//img")
        if len(pictures) == 1 and not element.xpath(".//blockquote|.//table"):
            self._image(pictures[0], caption=caption_text)
            return
        self._walk(element)
        self._flush()
        self._paragraph_text(caption_text)

    def _caption(self, element) -> None:
        pictures = element.xpath(".//img")
        caption = element.get("caption") or ""
        if not caption:
            for picture in pictures:
                picture.drop_tree()
            caption = _text_of(element)
        attachment = element.get("attachment") or ""
        if pictures:
            self._image(
                pictures[0],
                caption=caption,
                attachment_id=int(attachment) if attachment.isdigit() else None,
            )
        else:
            self._paragraph_text(caption)

    def _image(self, element, *, caption: str, attachment_id: int | None = None) -> None:
        src = (element.get("src") or element.get("data-src") or "").strip()
        if attachment_id is None:
            found = _ATTACHMENT_CLASS.search(element.get("class") or "")
            data_id = element.get("data-id") or ""
            if found:
                attachment_id = int(found.group(1))
            elif data_id.isdigit():
                attachment_id = int(data_id)
        self._picture(attachment_id, src, caption or "")

    def _picture(self, attachment_id: int | None, src: str, caption: str) -> None:
        if not src and attachment_id is None:
            return
        self.result.image_refs.append((attachment_id, src))
        image = self.images(attachment_id, src)
        caption = _squash(caption)[:CAPTION_MAX_LENGTH]
        if image is not None:
            self._add("image", {"image": image, "caption": caption})
            return
        where = _upload_path(src) if src else _("attachment %(id)s") % {"id": attachment_id}
        self.result.warnings.append(_("Image missing: %(path)s") % {"path": where})
        self._paragraph_text(_("[Image missing: %(path)s]") % {"path": where})
        self._paragraph_text(caption)

    def _gallery(self, element) -> None:
        ids = _ids(element.get("ids", "")) or list(self.attached)
        excluded = set(_ids(element.get("exclude", "")))
        ids = [attachment for attachment in ids if attachment not in excluded]
        if not ids:
            self.result.warnings.append(
                _("A gallery names no images and the post has no attached images to show.")
            )
            self._paragraph_text(_("[Gallery missing]"))
            return
        for attachment in ids:
            self._picture(attachment, "", "")

    def _embed(self, url: str, *, warn: bool = True) -> None:
        url = url.strip()
        if not url:
            return
        if self.embeds and embeddable(url):
            self._add("embed", url)
            return
        if warn and self.embeds:
            self.result.warnings.append(
                _("An embed from %(host)s was kept as a link: Masthead cannot embed it.")
                % {"host": urlsplit(url).hostname or url}
            )
        safe = html_lib.escape(url)
        if urlsplit(url).scheme in {"http", "https"}:
            self._add("paragraph", f'<p><a href="{safe}">{safe}</a></p>')
        else:
            self._paragraph_text(url)

    def _frame(self, src: str) -> None:
        url = _embed_url_from_frame(src.strip())
        if not url:
            return
        if self.embeds and embeddable(url):
            self._add("embed", url)
            return
        self.result.warnings.append(
            _("An embedded frame from %(host)s was replaced by a link.")
            % {"host": urlsplit(url).hostname or url}
        )
        self._embed(url, warn=False)

    def _media(self, element) -> None:
        sources = [element.get("src") or element.get("data")]
        sources += [source.get("src") for source in element.iter("source")]
        url = next((source for source in sources if source), "")
        if url:
            self.result.warnings.append(
                _("A video or audio player was replaced by a link: %(url)s") % {"url": url}
            )
            self._embed(url, warn=False)

    def _table(self, element) -> None:
        rows = element.xpath(".//tr")
        for row in rows:
            cells = [_text_of(cell) for cell in row.xpath("./th|./td")]
            self._paragraph_text(" | ".join(cell for cell in cells if cell))
        caption = element.xpath("./caption")
        if caption:
            self._paragraph_text(_text_of(caption[0]), bold=True)
        if rows:
            self.result.warnings.append(
                _("A table was turned into plain paragraphs: Masthead has no table block.")
            )

    def _preformatted(self, element) -> None:
        lines = [
            html_lib.escape(line.rstrip(), quote=False)
            for line in element.text_content().split("\n")
        ]
        while lines and not lines[-1]:
            lines.pop()
        while lines and not lines[0]:
            lines.pop(0)
        if lines:
            self._add("paragraph", "<p>" + "<br/>".join(lines) + "</p>")

    def _definitions(self, element) -> None:
        for child in element:
            if not isinstance(child.tag, str):
                continue
            self._paragraph_text(_text_of(child), bold=child.tag.lower() == "dt")

    def _number_blocks(self) -> None:
        for index, block in enumerate(self.result.blocks):
            seed = f"{index}:{block['type']}:{block['value']!r}".encode()
            digest = bytearray(hashlib.blake2b(seed, digest_size=16, key=_BLOCK_ID_KEY).digest())
            digest[6] = (digest[6] & 0x0F) | 0x40  # shaped as the UUID4s Wagtail makes
            digest[8] = (digest[8] & 0x3F) | 0x80
            hexed = digest.hex()
            block["id"] = f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}"


_TEXT_BETWEEN_TAGS = re.compile(r"(?:^|(?<=>))[^<]+")
_STRONG = re.compile(r"<(/?)strong\b[^>]*>", re.IGNORECASE)
_EM = re.compile(r"<(/?)em\b[^>]*>", re.IGNORECASE)
_BREAK = re.compile(r"\s*<br\s*/?>\s*")
_EDGE_SPACE = re.compile(r"^(?:<br/>|\s|&nbsp;)+|(?:<br/>|\s|&nbsp;)+$")
_EDGE_MARKUP = ("<br/>", "&nbsp;")  # what _EDGE_SPACE can find at a squashed text's edges
_LIST_SPACE = re.compile(r"\s*(</?(?:ul|ol|li)>)\s*")
_TAG = re.compile(r"<[^>]+>")
_LINK = re.compile(r'<a(?: href="([^"]*)")?>(.*?)</a>', re.DOTALL)


def _rich_text(fragment: str, allowed: frozenset[str]) -> str:
    """Reduce an HTML fragment to the markup Masthead's rich text keeps; '' if it is empty."""
    if "<" not in fragment:
        # Plain text, already escaped by the walk: most paragraphs of a classic post.
        cleaned = _squash(fragment)
        text = html_lib.unescape(cleaned) if "&" in cleaned else cleaned
        return cleaned if text.replace("\xa0", " ").strip() else ""
    fragment = _STRONG.sub(r"<\1b>", fragment)
    fragment = _EM.sub(r"<\1i>", fragment)
    cleaned = nh3.clean(
        fragment,
        tags=allowed,
        attributes=_ATTRIBUTES,
        url_schemes=_LINK_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    if "<a" in cleaned:
        cleaned = _drop_dead_links(cleaned)
    cleaned = _squash(cleaned)
    if "<br" in cleaned:
        cleaned = _BREAK.sub("<br/>", cleaned)
    if cleaned.startswith(_EDGE_MARKUP) or cleaned.endswith(_EDGE_MARKUP):
        # Squashed, the text has no space at its edges: only markup can stand there.
        cleaned = _EDGE_SPACE.sub("", cleaned)
    if "<li" in cleaned:
        cleaned = _LIST_SPACE.sub(r"\1", cleaned)
    if "&#x27;" in cleaned or "&quot;" in cleaned:
        # Quotes need no escaping in text; Wagtail's editor stores them as typed.
        cleaned = _TEXT_BETWEEN_TAGS.sub(
            lambda match: match.group(0).replace("&#x27;", "'").replace("&quot;", '"'), cleaned
        )
    text = html_lib.unescape(_TAG.sub("", cleaned)).replace("\xa0", " ").strip()
    return cleaned if text else ""


def _drop_dead_links(markup: str) -> str:
    """Unwrap links that lead nowhere after the move: page anchors, empty or script hrefs."""

    def unwrap(match: re.Match) -> str:
        href = html_lib.unescape(match.group(1) or "")
        keep = (
            href
            and not href.startswith("#")
            and (urlsplit(href).scheme in _LINK_SCHEMES or href.startswith("/"))
        )
        return match.group(0) if keep else match.group(2)

    return _LINK.sub(unwrap, markup)
