from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from masthead.content.models import ArticlePage
from masthead.core.net import client_ip

from . import services
from .forms import CommentForm
from .models import CommentStatus


@require_POST
def post_comment(request):
    """Store a comment and return to it; on any error show the article with the form again."""
    article = get_object_or_404(
        ArticlePage.objects.live().public(), pk=request.POST.get("article") or 0
    )
    ip = client_ip(request) or ""
    form = CommentForm(request.POST, article=article, user=request.user, ip=ip)
    if not form.is_valid():
        context = article.get_context(request)
        context["comment_form"] = form
        return TemplateResponse(request, article.get_template(request), context, status=400)
    name, email, website = form.author()
    user_id = form.user.pk if form.user else None
    comment = services.post_comment(
        article,
        parent=form.reply_to,
        name=name,
        email=email,
        website=website,
        body=form.cleaned_data["body"],
        user_id=user_id,
    )
    services.spend_token(form.cleaned_data["token"])
    services.count_towards_rate_limit(ip, user_id)
    if comment.status == CommentStatus.APPROVED:
        return HttpResponseRedirect(
            f"{article.get_url(request)}?comment=published#comment-{comment.pk}"
        )
    return HttpResponseRedirect(f"{article.get_url(request)}?comment=held#comments")
