from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.documents import get_document_model_string
from wagtail.models import Orderable, TranslatableMixin

from .calendars import calendar_for


@register_setting(icon="doc-full")
class ArchiveSettings(BaseSiteSetting):
    """How the archive hands out the printed editions."""

    printed_editions_for_subscribers = models.BooleanField(
        _("printed editions for subscribers only"),
        default=True,
        help_text=_(
            "Only subscribers, staff and readers under a site licence may download the PDF "
            "of a printed issue; everyone may still browse its front page and contents."
        ),
    )

    panels = [FieldPanel("printed_editions_for_subscribers")]

    class Meta:
        verbose_name = _("archive settings")


class IssueQuerySet(models.QuerySet):
    def in_locale(self, locale) -> "IssueQuerySet":
        return self.filter(locale_id=getattr(locale, "pk", locale))

    def newest_first(self) -> "IssueQuerySet":
        return self.order_by("-publication_date", "-number")


class Issue(TranslatableMixin, ClusterableModel):
    """One printed issue of the paper: its front page, its PDF and its table of contents."""

    volume = models.PositiveSmallIntegerField(_("volume"))
    number = models.PositiveIntegerField(
        _("number"), help_text=_("The issue's number, unique within its year of publication.")
    )
    publication_date = models.DateField(_("publication date"))
    front_page = models.ForeignKey(
        settings.WAGTAILIMAGES_IMAGE_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("front page"),
    )
    pdf = models.ForeignKey(
        get_document_model_string(),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("PDF of the printed edition"),
    )

    objects = IssueQuerySet.as_manager()

    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("volume"), FieldPanel("number")]),
                FieldPanel("publication_date"),
            ],
            heading=_("Issue"),
        ),
        FieldPanel("front_page"),
        FieldPanel("pdf"),
        InlinePanel("contents", label=_("Table of contents")),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("printed issue")
        verbose_name_plural = _("printed issues")
        ordering = ["-publication_date", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["locale", "volume", "number"], name="one_issue_per_volume_and_number"
            )
        ]

    def __str__(self):
        return _("Vol. %(volume)s, No. %(number)s (%(date)s)") % {
            "volume": self.volume,
            "number": self.number,
            "date": self.publication_date,
        }

    def get_absolute_url(self):
        with translation.override(self.language):
            return reverse(
                "archive:issue",
                kwargs={"year": f"{self.edition_year:04d}", "number": self.number},
            )

    def clean(self):
        super().clean()
        if self.publication_date is None or self.number is None or not self.locale_id:
            return
        same_year = Issue.objects.in_locale(self.locale_id).filter(number=self.number)
        clashes = [
            issue
            for issue in same_year.exclude(pk=self.pk)
            if issue.edition_year == self.edition_year
        ]
        if clashes:
            # The issue's address is its year and number, so the pair must name one issue.
            raise ValidationError(
                {"number": _("Another issue of this edition has this number in the same year.")}
            )

    @property
    def language(self) -> str:
        return self.locale.language_code

    @property
    def edition_year(self) -> int:
        """The year of publication in the edition's calendar (Solar Hijri in Persian)."""
        return calendar_for(self.language).from_gregorian(self.publication_date)[0]

    def get_pdf_url(self):
        with translation.override(self.language):
            return reverse("archive:issue_pdf", kwargs={"issue_id": self.pk})


class IssueArticle(Orderable):
    """One entry of an issue's table of contents: an article, with its page in print."""

    issue = ParentalKey(Issue, on_delete=models.CASCADE, related_name="contents")
    article = models.ForeignKey("content.ArticlePage", on_delete=models.CASCADE, related_name="+")
    printed_page = models.PositiveSmallIntegerField(_("page in print"), null=True, blank=True)

    panels = [FieldPanel("article"), FieldPanel("printed_page")]

    class Meta(Orderable.Meta):
        verbose_name = _("table of contents entry")
