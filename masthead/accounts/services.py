"""How a reader is named, exported and deleted; other apps call these, not the model."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction


def display_name(user: AbstractBaseUser) -> str:
    """Return the name a reader chose, falling back to the username, never the email."""
    return getattr(user, "display_name", "") or user.get_username()


def export_reader_data(user, request=None) -> dict:
    """Gather everything the paper holds about one reader, for "export my data"; no hashes."""
    # Lazy import: comments depends on accounts, never the other way round at import time.
    from masthead.comments.models import Comment

    addresses = user.emailaddress_set.order_by("email")
    comments = Comment.objects.filter(user=user).select_related("article").order_by("created_at")
    return {
        "account": {
            "username": user.get_username(),
            "email": user.email,
            "display_name": user.display_name,
            "preferred_edition": user.preferred_language,
            "joined": user.date_joined.isoformat(),
            "wants_newsletter": user.wants_newsletter,
            "wants_reply_notifications": user.wants_reply_notifications,
        },
        "email_addresses": [
            {"email": a.email, "verified": a.verified, "primary": a.primary} for a in addresses
        ],
        "comments": [
            {
                "article": comment.article.title,
                "url": comment.article.get_full_url(request),
                "text": comment.body,
                "status": comment.status,
                "date": comment.created_at.isoformat(),
            }
            for comment in comments
        ],
    }


def delete_reader(user, *, keep_comments: bool, deleted_name: str) -> None:
    """Delete a reader; their comments stay under `deleted_name` or go, as they chose."""
    from masthead.comments.models import Comment  # lazy, as in export_reader_data

    with transaction.atomic():
        own = Comment.objects.filter(user=user)
        if keep_comments:
            own.update(user=None, author_name=deleted_name, author_email="", author_website="")
        else:
            # Other readers' replies would cascade with the parent; lift them out instead.
            Comment.objects.filter(parent__in=own).exclude(user=user).update(parent=None)
            own.delete()
        user.delete()
