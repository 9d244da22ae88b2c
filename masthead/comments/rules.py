"""Moderation and threading decisions as pure functions: no I/O, tested with a table."""

import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

LINK = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
MAX_LINKS_BEFORE_HOLD = 2  # WordPress's default for "hold if more than N links"


@dataclass(frozen=True)
class Blocklist:
    words: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()

    @classmethod
    def from_entries(cls, entries: Iterable[tuple[str, str]]) -> "Blocklist":
        """Build from (kind, value) pairs as stored in BlocklistEntry."""
        found: dict[str, set[str]] = {"word": set(), "email": set(), "domain": set()}
        for kind, value in entries:
            found.setdefault(kind, set()).add(value.strip().lower())
        return cls(frozenset(found["word"]), frozenset(found["email"]), frozenset(found["domain"]))


def count_links(body: str) -> int:
    return len(LINK.findall(body))


def _domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].split("//", 1)[-1].split("/", 1)[0].lower()


def matches_blocklist(blocklist: Blocklist, *, body: str, email: str, website: str = "") -> bool:
    text = body.lower()
    if any(word and word in text for word in blocklist.words):
        return True
    if email.lower() in blocklist.emails:
        return True
    domains = {_domain_of(email)} | ({_domain_of(website)} if website else set())
    return any(
        d == blocked or d.endswith("." + blocked) for d in domains for blocked in blocklist.domains
    )


def hold_reason(
    *, body: str, email: str, website: str, is_known_reader: bool, blocklist: Blocklist
) -> str | None:
    """Say why a new comment waits for a moderator, or None to publish it at once."""
    if matches_blocklist(blocklist, body=body, email=email, website=website):
        return "blocklist"
    if count_links(body) > MAX_LINKS_BEFORE_HOLD:
        return "links"
    if not is_known_reader:
        return "first comment"
    return None


def reply_parent(ancestry: Sequence[int], max_depth: int) -> int | None:
    """Pick the comment a reply hangs from: the one answered, or its deepest allowed ancestor.

    `ancestry` runs from the top-level comment down to the comment being answered; a
    top-level comment has depth 1, so a reply may hang from depth `max_depth - 1` at most.
    """
    if not ancestry or max_depth <= 1:
        return None
    return ancestry[min(len(ancestry), max_depth - 1) - 1]


def comments_closed(
    *,
    comments_open: bool,
    published_at: datetime.datetime | None,
    now: datetime.datetime,
    close_after_days: int,
) -> bool:
    """Closed by the editor, or older than the setting allows (0 days means never)."""
    if not comments_open:
        return True
    if close_after_days and published_at is not None:
        return now - published_at > datetime.timedelta(days=close_after_days)
    return False


def initials(name: str) -> str:
    """Letters for the avatar, in place of a Gravatar that would publish an email hash."""
    words = [w for w in name.split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


@dataclass(frozen=True)
class ReplyNotice:
    """What decides whether a reply's parent author is mailed; plain values, no models."""

    reply_approved: bool
    already_notified: bool
    parent_user_id: int | None  # None: the parent was written by a guest
    parent_user_active: bool
    parent_user_email: str
    wants_reply_notifications: bool
    reply_user_id: int | None
    reply_email: str


def should_notify_parent_author(notice: ReplyNotice) -> bool:
    """Mail a signed-in parent author who opted in, once, about a visible reply by someone else.

    Guests are never mailed: they gave an address to comment, not consent to be written to.
    """
    if not notice.reply_approved or notice.already_notified:
        return False
    if notice.parent_user_id is None or not notice.parent_user_active:
        return False
    if not notice.parent_user_email or not notice.wants_reply_notifications:
        return False
    if notice.reply_user_id is not None and notice.reply_user_id == notice.parent_user_id:
        return False
    # A guest reply under the parent author's own address is the author answering themself.
    return notice.reply_email.casefold() != notice.parent_user_email.casefold()
