"""Posting, moderating and listing comments; the view, the tag and the admin call these."""

import hashlib
import html
import logging
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urljoin

import nh3
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from masthead.accounts.services import display_name
from masthead.content.models import ArticlePage

from . import rules
from .models import BlocklistEntry, Comment, CommentStatus

FORM_SIGNING_SALT = "masthead.comments.form"
# A URL in already-escaped text ends at whitespace or at an escaped quote or bracket.
URL_IN_ESCAPED_TEXT = re.compile(
    r"\bhttps?://(?:(?!&quot;|&#x27;|&lt;|&gt;)[^\s<])+", re.IGNORECASE
)
TRAILING_PUNCTUATION = ".,;:!?)]"

logger = logging.getLogger(__name__)


class Rejected(Exception):
    """A submission that must not be stored; the message is shown to the reader."""


# Form tokens -----------------------------------------------------------------------------


def issue_token(article_id: int) -> str:
    """Sign the article id with a nonce, so that two page loads in one second differ."""
    nonce = secrets.token_urlsafe(8)
    return signing.TimestampSigner(salt=FORM_SIGNING_SALT).sign(f"{article_id}.{nonce}")


def check_token(token: str, article_id: int) -> None:
    """Reject a form sent too fast (a bot), too late (a stale page) or a second time."""
    signer = signing.TimestampSigner(salt=FORM_SIGNING_SALT)
    max_age = settings.MASTHEAD_COMMENT_TOKEN_MAX_AGE
    try:
        value = signer.unsign(token, max_age=max_age)
    except signing.SignatureExpired as error:
        raise Rejected(_("This form has expired. Please reload the page and try again.")) from error
    except signing.BadSignature as error:
        raise Rejected(
            _("This form is not valid. Please reload the page and try again.")
        ) from error
    if value.split(".", 1)[0] != str(article_id):
        raise Rejected(_("This form is not valid. Please reload the page and try again."))
    signed_at = signing.b62_decode(token.rsplit(signer.sep, 2)[-2])
    if timezone.now().timestamp() - signed_at < settings.MASTHEAD_COMMENT_MIN_SECONDS:
        raise Rejected(_("That was too fast. Please take a moment and send your comment again."))
    if cache.get(_token_key(token)):
        raise Rejected(_("This comment has already been sent."))


def spend_token(token: str) -> None:
    cache.set(_token_key(token), True, settings.MASTHEAD_COMMENT_TOKEN_MAX_AGE)


def _token_key(token: str) -> str:
    return "comments:token:" + hashlib.sha256(token.encode()).hexdigest()


# Rate limits -----------------------------------------------------------------------------


def _rate_keys(ip: str, user_id: int | None) -> list[str]:
    # The address is hashed with the secret key: the cache never holds a reader's IP.
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()
    keys = [f"comments:rate:ip:{digest}"]
    if user_id:
        keys.append(f"comments:rate:user:{user_id}")
    return keys


def check_rate_limit(ip: str, user_id: int | None) -> None:
    limit, _window = settings.MASTHEAD_COMMENT_RATE_LIMIT
    if any(cache.get(key, 0) >= limit for key in _rate_keys(ip, user_id)):
        raise Rejected(_("You are commenting too often. Please wait a few minutes."))


def count_towards_rate_limit(ip: str, user_id: int | None) -> None:
    _limit, window = settings.MASTHEAD_COMMENT_RATE_LIMIT
    for key in _rate_keys(ip, user_id):
        if cache.add(key, 1, window):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, window)


# Posting ---------------------------------------------------------------------------------


def are_comments_closed(article: ArticlePage) -> bool:
    return rules.comments_closed(
        comments_open=article.comments_open,
        published_at=article.first_published_at,
        now=timezone.now(),
        close_after_days=settings.MASTHEAD_COMMENT_CLOSE_AFTER_DAYS,
    )


def resolve_parent(article: ArticlePage, parent_id: int | None) -> Comment | None:
    """Find the approved comment answered on this article, moved up to the allowed depth."""
    if not parent_id:
        return None
    rows = Comment.objects.filter(article=article).values_list("pk", "parent_id", "status")
    parents = {pk: parent for pk, parent, _status in rows}
    statuses = {pk: status for pk, _parent, status in rows}
    if parent_id not in parents:
        raise Rejected(_("The comment you are replying to does not exist."))
    if statuses[parent_id] != CommentStatus.APPROVED:
        raise Rejected(_("The comment you are replying to is no longer available."))
    ancestry = [parent_id]
    while parents[ancestry[0]] is not None:
        ancestry.insert(0, parents[ancestry[0]])
    target = rules.reply_parent(ancestry, settings.MASTHEAD_COMMENT_MAX_DEPTH)
    return Comment.objects.get(pk=target) if target else None


def is_known_reader(email: str, user_id: int | None) -> bool:
    """An earlier approved comment by the same address or account lets the reader post at once."""
    known = Q(author_email__iexact=email)
    if user_id:
        known |= Q(user_id=user_id)
    return Comment.objects.filter(known, status=CommentStatus.APPROVED).exists()


def current_blocklist() -> rules.Blocklist:
    return rules.Blocklist.from_entries(BlocklistEntry.objects.values_list("kind", "value"))


def post_comment(
    article: ArticlePage,
    *,
    parent: Comment | None,
    name: str,
    email: str,
    website: str,
    body: str,
    user_id: int | None,
) -> Comment:
    """Store a comment that passed every check, approved or held as the rules decide."""
    held = rules.hold_reason(
        body=body,
        email=email,
        website=website,
        is_known_reader=is_known_reader(email, user_id),
        blocklist=current_blocklist(),
    )
    comment = Comment.objects.create(
        article=article,
        parent=parent,
        user_id=user_id,
        author_name=name,
        author_email=email,
        author_website=website,
        body=body,
        status=CommentStatus.PENDING if held else CommentStatus.APPROVED,
    )
    if comment.status == CommentStatus.APPROVED and parent is not None:
        notify_parent_authors([comment.pk])
    return comment


# Moderation ------------------------------------------------------------------------------


def moderate(comments: QuerySet[Comment] | list[Comment], status: str) -> int:
    """Set the status of many comments at once, as the admin's bulk actions do."""
    pks = [c.pk for c in comments]
    changed = Comment.objects.filter(pk__in=pks).update(status=status)
    if status == CommentStatus.APPROVED:
        notify_parent_authors(pks)
    return changed


def status_counts() -> dict[str, int]:
    counts = dict.fromkeys(CommentStatus.values, 0)
    for status in Comment.objects.values_list("status", flat=True):
        counts[status] += 1
    return counts


def pending_count() -> int:
    return Comment.objects.filter(status=CommentStatus.PENDING).count()


# Reply notifications ---------------------------------------------------------------------


def notify_parent_authors(comment_ids: Iterable[int]) -> None:
    """Mail the parent authors of newly visible replies once the approval is committed."""
    ids = list(comment_ids)
    if ids:
        transaction.on_commit(lambda: send_reply_notifications(ids))


def send_reply_notifications(comment_ids: Iterable[int]) -> int:
    """Mail each parent author who opted in about an approved reply, once; return how many."""
    replies = Comment.objects.filter(
        pk__in=list(comment_ids),
        parent__isnull=False,
        status=CommentStatus.APPROVED,
        reply_notified_at__isnull=True,
    ).select_related("parent__user", "article__locale")
    sent = 0
    for reply in replies:
        parent_author = reply.parent.user
        notice = rules.ReplyNotice(
            reply_approved=True,
            already_notified=False,
            parent_user_id=parent_author.pk if parent_author else None,
            parent_user_active=bool(parent_author and parent_author.is_active),
            parent_user_email=parent_author.email if parent_author else "",
            wants_reply_notifications=bool(
                parent_author and parent_author.wants_reply_notifications
            ),
            reply_user_id=reply.user_id,
            reply_email=reply.author_email,
        )
        if not rules.should_notify_parent_author(notice):
            continue
        # Claim the reply before sending: two moderators approving it at once mail once.
        claimed = Comment.objects.filter(pk=reply.pk, reply_notified_at__isnull=True).update(
            reply_notified_at=timezone.now()
        )
        if not claimed:
            continue
        try:
            reply_notification(reply, parent_author).send()
        except OSError:  # smtplib's errors are OSErrors; approving must not fail with the mail
            logger.exception("Could not mail the reply notification for comment %s", reply.pk)
            # Unclaimed, so that approving the reply again retries the mail.
            Comment.objects.filter(pk=reply.pk).update(reply_notified_at=None)
            continue
        sent += 1
    return sent


def reply_notification(reply: Comment, parent_author) -> EmailMessage:
    """Write the mail in the parent author's edition, else in the article's."""
    article = reply.article
    language = parent_author.preferred_language or article.locale.language_code
    article_url = article.get_full_url()
    with translation.override(language):
        context = {
            "name": display_name(parent_author),
            "replier": reply.author_name,
            "headline": article.title,
            "body": reply.body,
            "reply_url": f"{article_url}#comment-{reply.pk}",
            "profile_url": urljoin(article_url, reverse("account_profile")),
        }
        subject = render_to_string("comments/email/reply_notification_subject.txt", context)
        body = render_to_string("comments/email/reply_notification_message.txt", context)
    return EmailMessage(" ".join(subject.split()), body, to=[parent_author.email])


# Reading ---------------------------------------------------------------------------------


@dataclass
class Thread:
    comment: Comment
    replies: list["Thread"] = field(default_factory=list)


def approved_threads(article: ArticlePage) -> tuple[list[Thread], int]:
    """Build the approved comment tree from one query; replies to hidden comments move up."""
    comments = list(
        Comment.objects.filter(article=article).only(
            "pk", "parent_id", "status", "author_name", "author_website", "body", "created_at"
        )
    )
    by_pk = {c.pk: c for c in comments}
    nodes = {c.pk: Thread(c) for c in comments if c.status == CommentStatus.APPROVED}
    roots: list[Thread] = []
    for comment in comments:
        if comment.pk not in nodes:
            continue
        parent_id = comment.parent_id
        while parent_id is not None and parent_id not in nodes:
            parent_id = by_pk[parent_id].parent_id if parent_id in by_pk else None
        (nodes[parent_id].replies if parent_id else roots).append(nodes[comment.pk])
    if settings.MASTHEAD_COMMENT_NEWEST_FIRST:
        roots.reverse()
    return roots, len(nodes)


def _link(match: re.Match) -> str:
    url = match.group(0)
    stripped = url.rstrip(TRAILING_PUNCTUATION)
    return f'<a href="{stripped}">{stripped}</a>{url[len(stripped) :]}'


def render_body(text: str) -> SafeString:
    """Turn a reader's plain text into safe HTML: escaped, linked, broken into lines, cleaned."""
    escaped = html.escape(text.replace("\r\n", "\n").strip())
    linked = URL_IN_ESCAPED_TEXT.sub(_link, escaped)
    paragraphs = [p.replace("\n", "<br>") for p in re.split(r"\n\s*\n", linked) if p.strip()]
    markup = "".join(f"<p>{p}</p>" for p in paragraphs)
    cleaned = nh3.clean(
        markup,
        tags={"a", "br", "p"},
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel="nofollow ugc",
    )
    return mark_safe(cleaned)  # noqa: S308 - nh3 with a three-tag allowlist is the final guard
