"""The reader's own part of a cached page, asked for after the page loads (static/js/reader.js).

Never cached: it carries the reader's name, a CSRF token for the page's forms, a comment
form token, and, for a premium article shown to a class without full access, the paywall's
decision for this reader (the meter counts here, once per view) with the rest of the text
when that decision allows it.
"""

from django.http import JsonResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from .classes import class_of


@require_GET
def reader_state(request):
    user = request.user
    state = {
        "entitlement": class_of(request),
        "signed_in": user.is_authenticated,
        "name": str(user) if user.is_authenticated else "",
        "csrf_token": get_token(request),
    }
    article = _article(request.GET.get("article", ""))
    if article is not None:
        from masthead.comments import services as comments

        state["comment_token"] = comments.issue_token(article.pk)
        if request.GET.get("paywall") and article.is_premium:
            state["article"] = _article_access(request, article)
    response = JsonResponse(state)
    patch_cache_control(response, private=True, no_store=True)
    return response


def _article(value: str):
    from masthead.content.models import ArticlePage

    if not value.isdigit():
        return None
    return ArticlePage.objects.live().filter(pk=int(value)).first()


def _article_access(request, article) -> dict:
    """The paywall's decision for this reader, and the text it opens."""
    from masthead.subscriptions.access import Reader, decide, paywall_settings, visible_blocks

    policy = paywall_settings(request)
    decision = decide(Reader.from_request(request), article, policy=policy, count_meter=True)
    _preview, gated = visible_blocks(article, decision, policy.preview_paragraphs)
    # The paywall's sign-in and register links return the reader to the article, not here.
    context = {
        "request": request,
        "page": article,
        "article": article,
        "decision": decision,
        "return_to": article.get_url(request),
    }
    return {
        "full_text": decision.full_text,
        "gated_html": render_to_string("pagecache/gated.html", {**context, "blocks": gated}),
        "paywall_html": render_to_string("subscriptions/paywall.html", context, request),
    }
