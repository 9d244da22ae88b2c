from urllib.parse import urlencode

from django.shortcuts import render
from wagtail.models import Locale

from masthead.content.models import ArticlePage, listing_page

MAX_QUERY_LENGTH = 200  # longer queries are cut, not refused


def search(request):
    """Search the edition's articles by their words; the search issue refines ranking."""
    query = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    results = None
    if query:
        locale = Locale.get_active()
        articles = (
            ArticlePage.objects.in_locale(locale).for_listing().filter(title__icontains=query)
        )
        results = listing_page(request, articles)
    return render(
        request,
        "search/search.html",
        {"query": query, "results": results, "query_prefix": urlencode({"q": query})},
    )
