from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, PageChooserPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable, TranslatableMixin

from .dates import is_persian, today


class PremiumInFeeds(models.TextChoices):
    SUMMARY = "summary", _("As a summary: headline, standfirst and link")
    OMIT = "omit", _("Not at all")


@register_setting(icon="site")
class SiteSettings(BaseSiteSetting):
    """The paper's identity, printed in the masthead, the footer and machine-readable data."""

    paper_name = models.CharField(_("paper name"), max_length=100, default="Masthead")
    paper_name_fa = models.CharField(_("paper name in Persian"), max_length=100, blank=True)
    tagline = models.CharField(
        _("tagline"), max_length=200, blank=True, default="An Independent Newspaper"
    )
    tagline_fa = models.CharField(_("tagline in Persian"), max_length=200, blank=True)
    founding_year = models.PositiveSmallIntegerField(
        _("founding year"),
        default=1970,
        validators=[MinValueValidator(1600), MaxValueValidator(2200)],
        help_text=_("The first year of the copyright line in the footer."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    logo = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    publisher_logo = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("logo for search engines and apps"),
        help_text=_(
            "A PNG or JPEG of the name, for structured data and previews; the masthead "
            "logo stands in when empty."
        ),
    )
    facebook_url = models.URLField(_("Facebook"), blank=True)
    x_url = models.URLField(_("X (Twitter)"), blank=True)
    instagram_url = models.URLField(_("Instagram"), blank=True)
    youtube_url = models.URLField(_("YouTube"), blank=True)
    telegram_url = models.URLField(_("Telegram"), blank=True)
    premium_in_feeds = models.CharField(
        _("premium articles in feeds"),
        max_length=16,
        choices=PremiumInFeeds.choices,
        default=PremiumInFeeds.SUMMARY,
        help_text=_("Feeds never carry the full text of an article that is not public."),
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("paper_name"),
                FieldPanel("paper_name_fa"),
                FieldPanel("tagline"),
                FieldPanel("tagline_fa"),
                FieldPanel("logo"),
                FieldPanel("publisher_logo"),
                FieldPanel("founding_year"),
            ],
            heading=_("Masthead"),
        ),
        MultiFieldPanel([FieldPanel("phone"), FieldPanel("email")], heading=_("Contact")),
        MultiFieldPanel(
            [
                FieldPanel("facebook_url"),
                FieldPanel("x_url"),
                FieldPanel("instagram_url"),
                FieldPanel("youtube_url"),
                FieldPanel("telegram_url"),
            ],
            heading=_("Social links"),
        ),
        MultiFieldPanel([FieldPanel("premium_in_feeds")], heading=_("Feeds")),
    ]

    class Meta:
        verbose_name = _("site settings")

    def __str__(self):
        return self.paper_name

    def name_for(self, language: str) -> str:
        return (is_persian(language) and self.paper_name_fa) or self.paper_name

    def tagline_for(self, language: str) -> str:
        return (is_persian(language) and self.tagline_fa) or self.tagline

    @property
    def machine_logo_id(self) -> int | None:
        """The logo machines are shown: the publisher logo, else the masthead's."""
        return self.publisher_logo_id or self.logo_id

    @property
    def machine_logo(self):
        return self.publisher_logo if self.publisher_logo_id else self.logo

    def copyright_years(self, year: int | None = None) -> str:
        """Return "1970-2026": the founding year to the current year, or one year alone."""
        year = year or today().year
        if self.founding_year >= year:
            return str(year)
        return f"{self.founding_year}-{year}"

    @property
    def social_links(self) -> list[tuple[str, str]]:
        pairs = [
            ("Facebook", self.facebook_url),
            ("X", self.x_url),
            ("Instagram", self.instagram_url),
            ("YouTube", self.youtube_url),
            ("Telegram", self.telegram_url),
        ]
        return [(label, url) for label, url in pairs if url]


class MenuSlot(models.TextChoices):
    TOP_BAR = "top", _("Top bar")
    MAIN = "main", _("Main menu")
    FOOTER = "footer", _("Footer")


class Menu(TranslatableMixin, ClusterableModel):
    """A staff-edited list of links in one place of the page, for one edition."""

    slot = models.CharField(_("place on the page"), max_length=16, choices=MenuSlot.choices)

    panels = [FieldPanel("slot"), InlinePanel("items", label=_("Links"))]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("menu")
        constraints = [
            models.UniqueConstraint(fields=["slot", "locale"], name="one_menu_per_slot_and_locale")
        ]

    def __str__(self):
        return f"{self.get_slot_display()} ({self.locale})"


class MenuItem(Orderable):
    """One link of a menu: to a page (followed when it moves) or to any address."""

    menu = ParentalKey(Menu, on_delete=models.CASCADE, related_name="items")
    label = models.CharField(
        _("label"), max_length=80, blank=True, help_text=_("Defaults to the page's title.")
    )
    link_page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    link_url = models.CharField(_("address"), max_length=300, blank=True)
    show_mega_menu = models.BooleanField(
        _("open a mega-menu"),
        default=False,
        help_text=_("For a section or the latest news: show its newest articles on hover."),
    )
    archive_tab = models.BooleanField(
        _("add an archive tab"),
        default=False,
        help_text=_(
            "Ends the mega-menu with an archive tab: the newest printed issues and a link "
            "to the whole archive."
        ),
    )

    panels = [
        FieldPanel("label"),
        PageChooserPanel("link_page"),
        FieldPanel("link_url"),
        FieldPanel("show_mega_menu"),
        FieldPanel("archive_tab"),
    ]

    def __str__(self):
        return self.label or (self.link_page.title if self.link_page else self.link_url)

    def clean(self):
        if not self.link_page_id and not self.link_url:
            raise ValidationError(_("Choose a page or type an address for this link."))
        if self.link_url and not self.label:
            raise ValidationError({"label": _("A link to an address needs a label.")})
