"""Reader comments on articles and the staff's blocklist."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel


class CommentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    SPAM = "spam", _("Spam")
    TRASH = "trash", _("Trash")


class Comment(models.Model):
    """One reader's comment; the reader's IP address is never stored (see README)."""

    article = models.ForeignKey(
        "content.ArticlePage", on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    author_name = models.CharField(_("name"), max_length=100)
    author_email = models.EmailField(_("email"))  # never rendered on the site
    author_website = models.URLField(_("website"), blank=True)
    body = models.TextField(_("comment"))
    status = models.CharField(
        _("status"), max_length=16, choices=CommentStatus.choices, default=CommentStatus.PENDING
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    # Set when the parent's author was mailed about this reply, so approving twice mails once.
    reply_notified_at = models.DateTimeField(
        _("parent's author notified at"), null=True, blank=True
    )

    panels = [
        FieldPanel("status"),
        FieldPanel("author_name"),
        FieldPanel("author_email"),
        FieldPanel("author_website"),
        FieldPanel("body"),
    ]

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["author_email", "status"])]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        excerpt = self.body[:40] + ("…" if len(self.body) > 40 else "")
        return f"{self.author_name}: {excerpt}"


class BlocklistKind(models.TextChoices):
    WORD = "word", _("Word or phrase in the comment")
    EMAIL = "email", _("Email address")
    DOMAIN = "domain", _("Email or website domain")


class BlocklistEntry(models.Model):
    """A word, address or domain whose comments are held for moderation."""

    kind = models.CharField(_("kind"), max_length=16, choices=BlocklistKind.choices)
    value = models.CharField(_("value"), max_length=200)

    panels = [FieldPanel("kind"), FieldPanel("value")]

    class Meta:
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="unique_blocklist_entry")
        ]
        verbose_name = _("blocklist entry")
        verbose_name_plural = _("blocklist")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"
