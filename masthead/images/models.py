from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.images.models import AbstractImage, AbstractRendition, Image


class CustomImage(AbstractImage):
    """A picture in the library, with the words a newspaper prints beside it."""

    caption = models.CharField(_("caption"), max_length=400, blank=True)
    credit = models.CharField(
        _("credit"), max_length=200, blank=True, help_text=_("Photographer or agency.")
    )
    rights = models.CharField(
        _("rights"),
        max_length=200,
        blank=True,
        help_text=_("Licence or terms of use; shown to editors, never to readers."),
    )

    admin_form_fields = (*Image.admin_form_fields, "caption", "credit", "rights")


class Rendition(AbstractRendition):
    image = models.ForeignKey(CustomImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
