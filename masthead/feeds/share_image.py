"""The share card: a 1200x630 picture with the paper's name, the section and the headline,
shown by social previews for an article that has no lead image.

A card is drawn once per published revision and kept in the default storage, so a
headline change makes a new card and a busy article costs one drawing, not one per view.
"""

import hashlib
import io
import json
import re
from functools import cache
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control, quote_etag
from PIL import Image, ImageDraw, ImageFont, features

from masthead.content.models import ArticlePage
from masthead.core.models import SiteSettings

CARD_SIZE = (1200, 630)  # what Facebook, LinkedIn and X show as a large preview
CARD_FOLDER = "share-cards"
CARD_LAYOUT_VERSION = 1  # raise when the drawing changes, so stored cards are redrawn
CARD_CACHE_SECONDS = 24 * 60 * 60  # the address carries the revision, so a day is safe
MARGIN = 72
HEADLINE_SIZES = (72, 64, 56, 50, 44)  # tried in turn until the headline fits
HEADLINE_MAX_LINES = 4
PAPER = "#faf8f3"
INK = "#161616"
ACCENT = "#a4161a"

FONT_DIRS = (Path("/usr/share/fonts/truetype/noto"), Path("/usr/share/fonts/truetype/dejavu"))
# Tried in order; the first file found is used. Persian needs an Arabic-script font and
# raqm (HarfBuzz and FriBiDi) for joined letters drawn right to left.
LATIN_FONTS = {
    "bold": ("NotoSerif-Bold.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSans-Bold.ttf"),
    "regular": ("NotoSerif-Regular.ttf", "DejaVuSerif.ttf", "DejaVuSans.ttf"),
    "label": ("NotoSans-Bold.ttf", "DejaVuSans-Bold.ttf"),
}
PERSIAN_FONTS = {
    "bold": ("NotoNaskhArabic-Bold.ttf", "NotoSansArabic-Bold.ttf", "DejaVuSans-Bold.ttf"),
    "regular": ("NotoNaskhArabic-Regular.ttf", "NotoSansArabic-Regular.ttf", "DejaVuSans.ttf"),
    "label": ("NotoSansArabic-Bold.ttf", "DejaVuSans-Bold.ttf"),
}
# Noto's Arabic fonts carry no Latin letters; text that mixes scripts needs one with both.
MIXED_SCRIPT_FONTS = ("DejaVuSans-Bold.ttf",)

ARABIC_SCRIPT = re.compile("[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
LATIN_LETTER = re.compile("[A-Za-z]")


def is_right_to_left(text: str) -> bool:
    return bool(ARABIC_SCRIPT.search(text))


@cache
def find_font(names: tuple[str, ...]) -> Path | None:
    for name in names:
        for folder in FONT_DIRS:
            if (folder / name).is_file():
                return folder / name
    return None


def can_draw_persian() -> bool:
    """Say whether Persian comes out joined and right to left: raqm and a font are both needed."""
    return features.check("raqm") and find_font(PERSIAN_FONTS["bold"]) is not None


class CardText:
    """Draw one run of text in one script, measured and aligned as that script reads."""

    def __init__(self, text: str, role: str, size: int):
        self.text = " ".join(text.split())
        self.rtl = is_right_to_left(self.text)
        if self.rtl and LATIN_LETTER.search(self.text):
            names = MIXED_SCRIPT_FONTS + PERSIAN_FONTS[role]
        else:
            names = (PERSIAN_FONTS if self.rtl else LATIN_FONTS)[role]
        path = find_font(names)
        self.font = ImageFont.truetype(str(path), size) if path else ImageFont.load_default(size)
        self.layout = {"direction": "rtl", "language": "fa"} if self.rtl else {}
        self.size = size

    def width(self, text: str) -> float:
        return self.font.getlength(text, **self.layout)

    def wrap(self, max_width: int) -> list[str]:
        """Break the text into lines no wider than max_width, word by word."""
        lines: list[str] = []
        for word in self.text.split(" "):
            candidate = f"{lines[-1]} {word}" if lines else word
            if lines and self.width(candidate) <= max_width:
                lines[-1] = candidate
            else:
                lines.append(word)
        return lines

    def draw_line(self, draw: ImageDraw.ImageDraw, line: str, top: int, colour: str) -> None:
        width, _height = CARD_SIZE
        x, anchor = (width - MARGIN, "ra") if self.rtl else (MARGIN, "la")
        draw.text((x, top), line, font=self.font, fill=colour, anchor=anchor, **self.layout)


def line_height(text: "CardText") -> int:
    """Space lines out more for Persian, whose letters reach further above and below."""
    return int(text.size * (1.45 if text.rtl else 1.2))


def fit_headline(headline: str, max_width: int, max_height: int) -> tuple[CardText, list[str]]:
    """Pick the largest size at which the headline fits; cut it with an ellipsis if none does."""
    for size in HEADLINE_SIZES:
        text = CardText(headline, "bold", size)
        max_lines = min(HEADLINE_MAX_LINES, max_height // line_height(text))
        lines = text.wrap(max_width)
        if len(lines) <= max_lines:
            return text, lines
    lines = lines[:max_lines]
    last = lines[-1]
    while last and text.width(last + "…") > max_width:
        last = last.rsplit(" ", 1)[0] if " " in last else last[:-1]
    lines[-1] = last + "…"
    return text, lines


def draw_share_card(*, headline: str, section: str, paper_name: str, fallback_name: str) -> bytes:
    """Draw the card as PNG bytes; without Persian shaping, only the Latin paper name appears."""
    card = Image.new("RGB", CARD_SIZE, PAPER)
    draw = ImageDraw.Draw(card)
    width, height = CARD_SIZE
    max_width = width - 2 * MARGIN
    persian_ok = can_draw_persian()
    if not persian_ok and is_right_to_left(paper_name + section + headline):
        # Letters drawn unjoined and left to right are unreadable: show the name alone.
        name = CardText(fallback_name, "bold", 96)
        top = (height - name.size) // 2
        name.draw_line(draw, name.wrap(max_width)[0], top, INK)
        return to_png(card)

    name = CardText(paper_name, "regular", 44)
    name.draw_line(draw, paper_name, MARGIN - 8, INK)
    rule_top = MARGIN + 62
    draw.rectangle((MARGIN, rule_top, width - MARGIN, rule_top + 4), fill=INK)
    top = rule_top + 36
    if section:
        label = CardText(section, "label", 30)
        label.draw_line(draw, label.text, top, ACCENT)
        top += 62
    band_top = height - 16
    text, lines = fit_headline(headline, max_width, band_top - MARGIN // 2 - top)
    for line in lines:
        text.draw_line(draw, line, top, INK)
        top += line_height(text)
    draw.rectangle((0, band_top, width, height), fill=ACCENT)
    return to_png(card)


def to_png(card: Image.Image) -> bytes:
    buffer = io.BytesIO()
    card.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def card_for(article: ArticlePage, site_settings: SiteSettings) -> tuple[str, bytes]:
    """Return the card and its stored name; drawn once per revision and text it shows."""
    section = article.get_parent()
    inputs = {
        "headline": article.title,
        "section": section.title if section else "",
        "paper_name": site_settings.name_for(article.locale.language_code),
        "fallback_name": site_settings.paper_name,
    }
    digest = hashlib.sha256(
        json.dumps([CARD_LAYOUT_VERSION, inputs], ensure_ascii=False).encode()
    ).hexdigest()[:12]
    name = f"{CARD_FOLDER}/{article.pk}/{article.live_revision_id or 0}-{digest}.png"
    if default_storage.exists(name):
        with default_storage.open(name, "rb") as stored:
            return name, stored.read()
    png = draw_share_card(**inputs)
    forget_older_cards(article.pk)
    default_storage.save(name, ContentFile(png))
    return name, png


def forget_older_cards(article_id: int) -> None:
    """Delete the cards of earlier revisions, which nothing links to any more."""
    folder = f"{CARD_FOLDER}/{article_id}"
    try:
        _dirs, files = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for file_name in files:
        default_storage.delete(f"{folder}/{file_name}")


def share_card(request, page_id: int) -> HttpResponse:
    """Serve a live, public article's share card; anything else is a 404."""
    article = ArticlePage.objects.live().filter(pk=page_id).select_related("locale").first()
    if article is None or article.get_view_restrictions().exists():
        raise Http404("No published article has this number")
    name, png = card_for(article, SiteSettings.for_request(request))
    etag = quote_etag(name.rsplit("/", 1)[-1])
    response = get_conditional_response(request, etag=etag) or HttpResponse(
        png, content_type="image/png"
    )
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=CARD_CACHE_SECONDS)
    return response
