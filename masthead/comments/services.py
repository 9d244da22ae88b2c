"""Posting, moderating and listing comments; the view, the tag and the admin call these."""

import hashlib
import html
import re
import secrets
from dataclasses import dataclass, field

import nh3
from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from masthead.content.models import ArticlePage

from . import rules
from .models import BlocklistEntry, Comment, CommentStatus

FORM_SIGNING_SALT = "masthead.comments.form"
# A URL in already-escaped text ends at whitespace or at an escaped quote or bracket.
URL_IN_ESCAPED_TEXT = re.compile(
    r"\bhttps?://(?:(?!&quot;|&#x27;|&lt;|&gt;)[^\s<])+", re.IGNORECASE
)
TRAILING_PUNCTUATION = ".,;:!?)]"


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
    return Comment.objects.create(
        article=article,
        parent=parent,
        user_id=user_id,
        author_name=name,
        author_email=email,
        author_website=website,
        body=body,
        status=CommentStatus.PENDING if held else CommentStatus.APPROVED,
    )


# Moderation ------------------------------------------------------------------------------


def moderate(comments: QuerySet[Comment] | list[Comment], status: str) -> int:
    """Set the status of many comments at once, as the admin's bulk actions do."""
    pks = [c.pk for c in comments]
    return Comment.objects.filter(pk__in=pks).update(status=status)


def status_counts() -> dict[str, int]:
    counts = dict.fromkeys(CommentStatus.values, 0)
    for status in Comment.objects.values_list("status", flat=True):
        counts[status] += 1
    return counts


def pending_count() -> int:
    return Comment.objects.filter(status=CommentStatus.PENDING).count()


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
