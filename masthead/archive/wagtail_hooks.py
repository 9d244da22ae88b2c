from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.subscriptions.access import Reader

from .access import printed_edition_grant, subscribers_only
from .models import Issue
from .views import pdf_response, refused


class IssueViewSet(SnippetViewSet):
    model = Issue
    icon = "doc-full"
    menu_label = _("Printed issues")
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["__str__", "publication_date", "volume", "number", "locale"]
    ordering = ["-publication_date", "-number"]
    # Numbers are looked up as text by the database, so "12" finds issue 12 and 112.
    search_fields = ["number", "volume"]
    search_backend_name = None


register_snippet(IssueViewSet)


@hooks.register("before_serve_document")
def refuse_printed_editions_to_readers_without_entitlement(document, request):
    """Close Wagtail's own document address to the same readers the archive refuses."""
    issue = Issue.objects.filter(pdf=document).select_related("locale").first()
    if issue is None:
        return None
    if printed_edition_grant(
        Reader.from_request(request), subscribers_only=subscribers_only(request)
    ):
        # Served here rather than by Wagtail, so the response is private like the archive's.
        return pdf_response(issue)
    return refused(request, issue)
