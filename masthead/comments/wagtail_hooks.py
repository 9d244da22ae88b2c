"""The moderation queue, its bulk actions, the blocklist editor and the menu item."""

import django_filters
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.snippets.bulk_actions.snippet_bulk_action import SnippetBulkAction
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import services
from .models import BlocklistEntry, Comment, CommentStatus


class CommentFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CommentStatus.choices)

    class Meta:
        model = Comment
        fields = ["status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        counts = services.status_counts()
        self.filters["status"].extra["choices"] = [
            (value, f"{label} ({counts[value]})") for value, label in CommentStatus.choices
        ]


class CommentViewSet(SnippetViewSet):
    model = Comment
    icon = "comment"
    menu_label = _("Comments")
    add_to_admin_menu = False  # CommentsMenuItem shows the queue with its pending count
    list_display = [
        "author_name",
        Column("body", label=_("Comment")),
        "article",
        "status",
        DateColumn("created_at", label=_("Created")),
    ]
    list_per_page = 50
    filterset_class = CommentFilterSet
    search_fields = ["author_name", "author_email", "body"]
    ordering = ["-created_at"]
    inspect_view_enabled = True


class BlocklistViewSet(SnippetViewSet):
    model = BlocklistEntry
    icon = "warning"
    menu_label = _("Comment blocklist")
    list_display = ["value", "kind"]
    list_filter = ["kind"]
    search_fields = ["value"]


register_snippet(CommentViewSet)
register_snippet(BlocklistViewSet)


class CommentsMenuItem(MenuItem):
    """The "Comments" item, labelled with how many comments wait for a moderator."""

    def is_shown(self, request):
        return request.user.has_perm("comments.change_comment")

    def render_component(self, request):
        component = super().render_component(request)
        pending = services.pending_count()
        if pending:
            component.label = f"{self.label} ({pending})"
        return component


@hooks.register("register_admin_menu_item")
def register_comments_menu_item():
    return CommentsMenuItem(
        _("Comments"),
        reverse("wagtailsnippets_comments_comment:list") + "?status=pending",
        name="comments",
        icon_name="comment",
        order=250,
    )


class ModerateBulkAction(SnippetBulkAction):
    """Set the status of the selected comments; subclasses name the status."""

    models = [Comment]
    template_name = "comments/admin/confirm_bulk_moderate.html"
    status = CommentStatus.APPROVED

    def check_perm(self, snippet):
        return self.request.user.has_perm("comments.change_comment")

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "action_label": self.display_name}

    @classmethod
    def execute_action(cls, objects, user=None, **kwargs):
        return services.moderate(objects, cls.status), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d comment moved to %(status)s.",
            "%(count)d comments moved to %(status)s.",
            num_parent_objects,
        ) % {"count": num_parent_objects, "status": CommentStatus(self.status).label}


@hooks.register("register_bulk_action")
class ApproveBulkAction(ModerateBulkAction):
    display_name = _("Approve")
    action_type = "approve"
    aria_label = _("Approve selected comments")
    action_priority = 10
    status = CommentStatus.APPROVED


@hooks.register("register_bulk_action")
class SpamBulkAction(ModerateBulkAction):
    display_name = _("Spam")
    action_type = "spam"
    aria_label = _("Mark selected comments as spam")
    action_priority = 20
    status = CommentStatus.SPAM


@hooks.register("register_bulk_action")
class TrashBulkAction(ModerateBulkAction):
    display_name = _("Trash")
    action_type = "trash"
    aria_label = _("Move selected comments to the trash")
    action_priority = 25
    status = CommentStatus.TRASH


@hooks.register("after_create_snippet")
@hooks.register("after_edit_snippet")
def notify_when_a_moderator_approves_a_reply(request, instance):
    """An approval through the edit form mails the parent's author, as the bulk action does."""
    if isinstance(instance, Comment) and instance.status == CommentStatus.APPROVED:
        services.notify_parent_authors([instance.pk])
