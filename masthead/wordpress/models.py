"""What the importer remembers between runs: which Masthead object each WordPress thing became."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class WordPressObject(models.Model):
    """One WordPress thing (post, term, author, comment, attachment) and what it became here.

    The key is (source, kind, wordpress_id): `source` is the exported site's address, so two
    sites' exports never collide. `wordpress_id` is text because terms are known by their slug
    and authors by their login in an export, not by a number.
    """

    source = models.CharField(_("site"), max_length=255)
    kind = models.CharField(_("kind"), max_length=32)
    wordpress_id = models.CharField(_("WordPress id"), max_length=255)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    # A digest of the record as exported: an unchanged record is skipped on the next run.
    checksum = models.CharField(max_length=64, blank=True)
    imported_at = models.DateTimeField(_("imported at"), auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "wordpress_id"], name="one_object_per_wordpress_thing"
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("imported WordPress object")

    def __str__(self) -> str:
        return f"{self.kind} {self.wordpress_id} ({self.source})"


class ImportRun(models.Model):
    """One run of `import_wordpress`: what it read, how far it got, and what it reported."""

    file_name = models.CharField(_("export file"), max_length=500)
    sha256 = models.CharField(max_length=64, db_index=True)
    source = models.CharField(_("site"), max_length=255, blank=True)
    dry_run = models.BooleanField(default=False)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    items_done = models.PositiveIntegerField(_("items done"), default=0)
    report = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("WordPress import run")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.started_at:%Y-%m-%d %H:%M})"
