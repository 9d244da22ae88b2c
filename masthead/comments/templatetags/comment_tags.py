from django import template

from masthead.comments import rules, services
from masthead.comments.forms import CommentForm

register = template.Library()


@register.inclusion_tag("comments/comments_section.html", takes_context=True)
def comments_section(context, page):
    """Render the article's approved comments and the reply form, as WordPress lays them out."""
    request = context["request"]
    user = getattr(request, "user", None)
    form = context.get("comment_form")
    if form is None or form.article.pk != page.pk:
        reply_to = request.GET.get("replytocom", "")
        form = CommentForm(
            initial={"parent": reply_to if reply_to.isdigit() else None},
            article=page,
            user=user,
        )
    threads, count = services.approved_threads(page)
    # A copy shared by a class (the page cache) carries no one's form token: reader.js asks
    # for a fresh one, since a token may be sent only once.
    entitlement = getattr(request, "entitlement", None)
    return {
        "request": request,
        "page": page,
        "article_url": page.get_url(request),
        "form": form,
        "token": "" if entitlement else services.issue_token(page.pk),
        "signed_in_class": entitlement not in (None, "anonymous"),
        "shared_copy": entitlement is not None,
        "threads": threads,
        "count": count,
        "closed": services.are_comments_closed(page),
        "notice": request.GET.get("comment", ""),
        "reader": form.user,
        "replying_to": form["parent"].value(),
    }


@register.filter
def comment_body(comment) -> str:
    return services.render_body(comment.body)


@register.filter
def comment_initials(comment) -> str:
    return rules.initials(comment.author_name)
