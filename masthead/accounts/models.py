from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person with an account: a reader, or a member of staff in the newsroom."""

    display_name = models.CharField(
        _("display name"),
        max_length=150,
        blank=True,
        help_text=_("Shown in the top bar and beside comments; the username when empty."),
    )
    preferred_language = models.CharField(
        _("preferred edition"),
        max_length=8,
        blank=True,
        choices=[("en", "English"), ("fa", "فارسی")],
    )
    # Stored now, used later: the newsletter and reply-notification mailers read these.
    wants_newsletter = models.BooleanField(_("send me the newsletter"), default=False)
    wants_reply_notifications = models.BooleanField(
        _("email me when someone replies to my comment"), default=True
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.display_name or self.get_full_name() or self.username
