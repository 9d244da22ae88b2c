"""Builders for comment tests: aged form tokens and stored comments."""

import time
from unittest import mock

from masthead.comments import services
from masthead.comments.models import Comment, CommentStatus


def aged_token(article_id: int, seconds: float = 60) -> str:
    """Issue a form token as if the page had been loaded `seconds` ago."""
    with mock.patch("django.core.signing.time.time", return_value=time.time() - seconds):
        return services.issue_token(article_id)


def make_comment(article, body: str = "A comment.", **fields) -> Comment:
    fields.setdefault("author_name", "Ann Reader")
    fields.setdefault("author_email", "ann@example.com")
    fields.setdefault("status", CommentStatus.APPROVED)
    return Comment.objects.create(article=article, body=body, **fields)
