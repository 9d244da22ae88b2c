"""The paywall's one decision: may this reader read this article in full?

`decide(reader, article)` is asked once per article shown, on the server, by every channel
that shows article text. A channel that serves everyone alike (a feed, a sitemap, a public
API call, structured data) asks with `Reader.nobody()`, which sees only what is free to all.

Channels that ask it — a new channel joins this list and the leak test in
`tests/test_leaks.py`, which puts a canary sentence after the preview marker and looks for it
in every response:
- the article page, including Wagtail's previews of drafts (`content.ArticlePage.get_context`);
- cached pages: the article page is never cached whole for a reader who was granted text
  (see `content.ArticlePage.get_context` and the cache issue's variants);
- feeds, RSS and Atom (`feeds/syndication.py`), which also follow the site's
  "premium articles in feeds" setting;
- structured data and Open Graph/meta descriptions (`feeds/structured_data.py`,
  `feeds/templatetags/seo_tags.py`): descriptions never come from gated text;
- the API (`api/representations.py`): the body only for an entitled, authenticated reader;
- search results and live search snippets (`search/`);
- print views: the article page's print stylesheet prints what the page shows, nothing more;
- teasers in mega-menus, "load more" and listings show headline and standfirst only;
- later, newsletters: they must call `decide` with the recipient as the reader.
"""

import datetime
import enum
import ipaddress
import secrets
from dataclasses import dataclass, field
from functools import cached_property

from django.core import signing
from django.db.models import Count
from django.utils import timezone

from masthead.content.models import AccessLevel, ArticlePage
from masthead.core.net import client_ip

from .models import (
    GiftLink,
    MeteredRead,
    PaywallSettings,
    SiteLicence,
    Subscription,
    UnlockedArticle,
    UnlockWallet,
)

VISITOR_COOKIE = "masthead_reader"
VISITOR_COOKIE_SALT = "masthead.subscriptions.visitor"
VISITOR_COOKIE_MAX_AGE = 400 * 24 * 60 * 60  # the longest browsers keep a cookie
ANONYMOUS_METER_DAYS = 30


class Grant(enum.StrEnum):
    """Why a reader may read the whole article."""

    FREE = "free"
    STAFF = "staff"
    REGISTERED = "registered"
    SUBSCRIPTION = "subscription"
    LICENCE = "licence"
    UNLOCKED = "unlocked"
    GIFT = "gift"
    METER = "meter"


class Offer(enum.StrEnum):
    """What a reader without access is offered instead."""

    SIGN_IN = "sign_in"  # sign in or register (enough for a registered-readers article)
    SUBSCRIBE = "subscribe"
    UNLOCK = "unlock"  # spend one of the reader's unlocks on this article


class Notice(enum.StrEnum):
    """Something the reader should be told about the decision."""

    GIFT_EXPIRED = "gift_expired"
    GIFT_INVALID = "gift_invalid"
    VISITOR_COOKIE_INVALID = "visitor_cookie_invalid"
    SUBSCRIPTION_LAPSED = "subscription_lapsed"
    METER_SPENT = "meter_spent"


@dataclass(frozen=True)
class Decision:
    grant: Grant | None
    offers: tuple[Offer, ...] = ()
    notices: tuple[Notice, ...] = ()
    unlocks_left: int = 0
    meter_left: int | None = None  # free premium articles left after this one, when metered

    @property
    def full_text(self) -> bool:
        return self.grant is not None


FREE = Decision(Grant.FREE)


@dataclass
class Reader:
    """Whoever asks for an article: an account, a visitor cookie, an address — or nobody."""

    user: object | None = None
    visitor_id: str | None = None
    ip: str | None = None
    visitor_cookie_invalid: bool = False
    # Set when the meter needed a visitor id the reader had not got; the middleware sends it.
    new_visitor_id: str | None = None
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def nobody(cls) -> "Reader":
        """The reader of channels that serve everyone alike: sees only what is free to all."""
        return cls()

    @classmethod
    def from_request(cls, request) -> "Reader":
        existing = getattr(request, "reader", None)
        if isinstance(existing, Reader):
            return existing
        user = getattr(request, "user", None)
        visitor_id, invalid = read_visitor_cookie(request.COOKIES.get(VISITOR_COOKIE))
        reader = cls(
            user=user if user is not None and user.is_authenticated else None,
            visitor_id=visitor_id,
            ip=client_ip(request),
            visitor_cookie_invalid=invalid,
        )
        request.reader = reader
        return reader

    @classmethod
    def for_class(cls, entitlement: str) -> "Reader":
        """The reader a page is rendered for when it is shared by a whole class (page cache)."""
        return ClassReader(entitlement=entitlement)

    @property
    def is_signed_in(self) -> bool:
        return self.user is not None

    @cached_property
    def is_staff(self) -> bool:
        user = self.user
        if user is None or not user.is_active:
            return False
        return user.is_superuser or user.is_staff or user.has_perm("wagtailadmin.access_admin")

    @cached_property
    def subscription(self) -> Subscription | None:
        """The subscription that opens premium articles now, if any (one query)."""
        if self.user is None:
            return None
        return Subscription.objects.filter(user=self.user).entitling().first()

    @cached_property
    def has_lapsed_subscription(self) -> bool:
        return self.user is not None and Subscription.objects.filter(user=self.user).exists()

    @cached_property
    def licence(self) -> SiteLicence | None:
        return licence_for(self)

    @cached_property
    def unlocks_left(self) -> int:
        if self.user is None:
            return 0
        wallet = UnlockWallet.objects.filter(user=self.user).only("unlocks_left").first()
        return wallet.unlocks_left if wallet else 0

    @cached_property
    def unlocked_keys(self) -> frozenset:
        """Every article the reader unlocked, in one query: search and the API ask per hit."""
        if self.user is None:
            return frozenset()
        return frozenset(
            UnlockedArticle.objects.filter(user=self.user).values_list("article_key", flat=True)
        )

    def has_unlocked(self, article: ArticlePage) -> bool:
        return article.translation_key in self.unlocked_keys

    @property
    def meter_key(self) -> str | None:
        if self.user is not None:
            return f"user:{self.user.pk}"
        if self.visitor_id:
            return f"visitor:{self.visitor_id}"
        return None


@dataclass
class ClassReader(Reader):
    """A whole entitlement class of readers, for a page the page cache shares among them.

    It knows no person: no meter, no unlocks, no licence by address, no lapsed
    subscription; a subscriber class reads everything, a registered class what is free to
    registered readers. What is personal comes after the page loads (the reader-state call).
    """

    entitlement: str = "anonymous"

    @property
    def is_signed_in(self) -> bool:
        return self.entitlement != "anonymous"

    @property
    def meter_key(self) -> str | None:
        return None

    is_staff = False
    licence = None
    unlocks_left = 0
    unlocked_keys = frozenset()
    has_lapsed_subscription = False

    @property
    def subscription(self):
        return _CLASS_SUBSCRIPTION if self.entitlement == "subscriber" else None


_CLASS_SUBSCRIPTION = object()  # stands for "some subscription": decide() asks only `is None`


def read_visitor_cookie(value: str | None) -> tuple[str | None, bool]:
    """Return (visitor id, whether the cookie was tampered with)."""
    if not value:
        return None, False
    try:
        return signing.Signer(salt=VISITOR_COOKIE_SALT).unsign(value), False
    except signing.BadSignature:
        return None, True


def sign_visitor_id(visitor_id: str) -> str:
    return signing.Signer(salt=VISITOR_COOKIE_SALT).sign(visitor_id)


def licence_for(reader: Reader, today: datetime.date | None = None) -> SiteLicence | None:
    """A site licence that covers the reader's confirmed email domain or network today."""
    if reader.user is None and not reader.ip:
        return None  # nobody (a feed, structured data) holds no licence: ask no query per item
    today = today or timezone.localdate()
    licences = list(SiteLicence.objects.filter(starts_on__lte=today, ends_on__gte=today))
    if not licences:
        return None
    address = None
    if reader.ip:
        try:
            address = ipaddress.ip_address(reader.ip)
        except ValueError:
            address = None
    domain = confirmed_email_domain(reader.user) if reader.user is not None else None
    for licence in licences:
        if domain and domain in licence.domains:
            return licence
        if address and any(address in network for network in licence.networks):
            return licence
    return None


def confirmed_email_domain(user) -> str | None:
    """The domain of the reader's address, only once they proved they own it."""
    from allauth.account.models import EmailAddress

    if not user.email:
        return None
    if not EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists():
        return None
    return user.email.rsplit("@", 1)[-1].lower()


def paywall_settings(request=None) -> PaywallSettings:
    """The paywall's numbers for the request's site, or the default site's."""
    if request is not None:
        return PaywallSettings.for_request(request)
    from wagtail.models import Site

    site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
    if site is None:  # a database with no site yet: the defaults, unsaved
        return PaywallSettings()
    return PaywallSettings.for_site(site)


# The meter -------------------------------------------------------------------------------


def meter_window_start(reader: Reader, now: datetime.datetime) -> datetime.datetime:
    """Visitors count over the last 30 days; registered readers over the calendar month."""
    if reader.is_signed_in:
        local = timezone.localtime(now)
        return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return now - datetime.timedelta(days=ANONYMOUS_METER_DAYS)


def meter_allowance(reader: Reader, policy: PaywallSettings) -> int:
    return policy.meter_registered if reader.is_signed_in else policy.meter_anonymous


def use_meter(
    reader: Reader, article: ArticlePage, policy: PaywallSettings, *, count: bool, now
) -> int | None:
    """Open the article by the meter; return the allowance left, or None when it is spent.

    Re-reading an article already counted in the window costs nothing. With `count` false
    the meter is only looked at, never written, and opens only an article already counted:
    a request that does not count (POST, OPTIONS) must not read new articles for free.
    """
    allowance = meter_allowance(reader, policy)
    if allowance == 0:
        return None
    if reader.meter_key is None:
        if not count:
            return None
        if reader.visitor_cookie_invalid:
            # A forged or corrupted cookie opens nothing now; the reader gets a fresh one.
            reader.new_visitor_id = secrets.token_urlsafe(16)
            return None
        reader.new_visitor_id = secrets.token_urlsafe(16)
        reader.visitor_id = reader.new_visitor_id
    since = meter_window_start(reader, now)
    reads = MeteredRead.objects.filter(reader_key=reader.meter_key, read_at__gte=since)
    counted = reads.aggregate(
        articles=Count("article_key", distinct=True),
    )["articles"]
    if reads.filter(article_key=article.translation_key).exists():
        return max(allowance - counted, 0)
    if counted >= allowance or not count:
        return None
    MeteredRead.objects.create(
        reader_key=reader.meter_key, article_key=article.translation_key, read_at=now
    )
    return allowance - counted - 1


# The decision ----------------------------------------------------------------------------


def decide(
    reader: Reader,
    article: ArticlePage,
    *,
    policy: PaywallSettings | None = None,
    gift_token: str | None = None,
    count_meter: bool = False,
    use_meter_allowance: bool = True,
    now: datetime.datetime | None = None,
) -> Decision:
    """Decide whether `reader` may read all of `article`, and what to offer if not.

    Order matters only for the reason given: the first grant that applies wins, and the
    cheapest checks come first so a free article costs no query at all.
    """
    level = article.access_level
    if level == AccessLevel.PUBLIC:
        return FREE
    now = now or timezone.now()
    if level == AccessLevel.REGISTERED and reader.is_signed_in:
        return Decision(Grant.REGISTERED)
    if reader.subscription is not None:
        return Decision(Grant.SUBSCRIPTION)
    # After the subscription: asking for permissions costs two queries, and staff are few.
    if reader.is_staff:
        return Decision(Grant.STAFF)
    if reader.licence is not None:
        return Decision(Grant.LICENCE)
    if reader.has_unlocked(article):
        return Decision(Grant.UNLOCKED)

    notices: list[Notice] = []
    if gift_token:
        gift = GiftLink.objects.select_related("article").filter(token=gift_token).first()
        if gift is not None and gift.is_valid_for(article, now):
            if count_meter:
                GiftLink.objects.filter(pk=gift.pk).update(times_opened=gift.times_opened + 1)
            return Decision(Grant.GIFT)
        notices.append(
            Notice.GIFT_EXPIRED
            if gift is not None and gift.article.translation_key == article.translation_key
            else Notice.GIFT_INVALID
        )
        # A link that opens nothing changes nothing either: it spends no free article.
        use_meter_allowance = False

    if use_meter_allowance and (reader.is_signed_in or reader.visitor_id or count_meter):
        policy = policy or paywall_settings()
        left = use_meter(reader, article, policy, count=count_meter, now=now)
        if left is not None:
            return Decision(Grant.METER, meter_left=left)
        if meter_allowance(reader, policy) and reader.meter_key is not None:
            notices.append(Notice.METER_SPENT)
    if reader.visitor_cookie_invalid and not reader.is_signed_in:
        notices.append(Notice.VISITOR_COOKIE_INVALID)
    if reader.is_signed_in and reader.has_lapsed_subscription:
        notices.append(Notice.SUBSCRIPTION_LAPSED)

    offers: list[Offer] = []
    if not reader.is_signed_in:
        offers.append(Offer.SIGN_IN)
    if level == AccessLevel.SUBSCRIBERS or reader.is_signed_in:
        offers.append(Offer.SUBSCRIBE)
    unlocks = reader.unlocks_left
    if unlocks > 0:
        offers.append(Offer.UNLOCK)
    return Decision(None, tuple(offers), tuple(notices), unlocks_left=unlocks, meter_left=0)


def may_show_full_text(article: ArticlePage) -> bool:
    """Whether a channel that serves everyone alike may carry the article's whole body."""
    return decide(Reader.nobody(), article, use_meter_allowance=False).full_text


# The free preview ------------------------------------------------------------------------


def preview_blocks(article: ArticlePage, paragraphs: int) -> list:
    """The blocks a reader without access sees: up to the editor's marker, else N paragraphs."""
    blocks = list(article.body)
    for index, block in enumerate(blocks):
        if block.block_type == "preview_break":
            return blocks[:index]
    shown, seen = [], 0
    for block in blocks:
        if seen >= paragraphs:
            break
        shown.append(block)
        if block.block_type == "paragraph":
            seen += 1
    return shown


def visible_blocks(article: ArticlePage, decision: Decision, paragraphs: int) -> tuple[list, list]:
    """Return (preview, gated): the gated part is empty for a reader without access.

    A free article is all preview. The marker itself never renders.
    """
    blocks = [block for block in article.body if block.block_type != "preview_break"]
    if not article.is_premium:
        return blocks, []
    preview = preview_blocks(article, paragraphs)
    if not decision.full_text:
        return preview, []
    return preview, blocks[len(preview) :]
