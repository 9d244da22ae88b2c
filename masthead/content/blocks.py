from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul", "superscript"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading"), max_length=200)
    level = blocks.ChoiceBlock(
        choices=[("h2", _("Heading")), ("h3", _("Subheading"))], default="h2", label=_("Level")
    )

    class Meta:
        icon = "title"
        template = "blocks/heading_block.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("Quotation"))
    attribution = blocks.CharBlock(label=_("Who said it"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "blocks/quote_block.html"


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(
        label=_("Caption"), required=False, help_text=_("Defaults to the image's own caption.")
    )

    class Meta:
        icon = "image"
        template = "blocks/captioned_image_block.html"


class PreviewBreakBlock(blocks.StaticBlock):
    """Mark where the free preview of a premium article ends; readers never see it."""

    class Meta:
        icon = "cut"
        label = _("Free preview ends here")
        admin_text = _("Readers without access see the article up to this point.")
        template = "blocks/preview_break_block.html"


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES, label=_("Paragraph"), template="blocks/paragraph_block.html"
    )
    heading = HeadingBlock()
    quote = QuoteBlock()
    image = CaptionedImageBlock()
    embed = EmbedBlock(
        label=_("Embed"),
        help_text=_("A YouTube, X or other oEmbed address."),
        template="blocks/embed_block.html",
    )
    preview_break = PreviewBreakBlock()

    class Meta:
        block_counts = {"preview_break": {"max_num": 1}}


class PageBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(
        features=[*RICH_TEXT_FEATURES, "h2", "h3"],
        label=_("Paragraph"),
        template="blocks/paragraph_block.html",
    )
    heading = HeadingBlock()
    quote = QuoteBlock()
    image = CaptionedImageBlock()
