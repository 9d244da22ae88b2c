"""The paywall's decision as a table: every kind of reader against every access level."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import RequestFactory, TestCase
from django.utils import timezone

from masthead.content.models import AccessLevel
from masthead.content.tests.factories import make_article, make_paper, translate
from masthead.subscriptions.access import (
    VISITOR_COOKIE,
    Decision,
    Grant,
    Notice,
    Offer,
    Reader,
    decide,
    preview_blocks,
    sign_visitor_id,
    visible_blocks,
)
from masthead.subscriptions.models import (
    GiftLink,
    MeteredRead,
    PaywallSettings,
    Plan,
    PlanKind,
    SiteLicence,
    Subscription,
    SubscriptionState,
    UnlockedArticle,
    UnlockWallet,
)

PUBLIC, REGISTERED, SUBSCRIBERS = (
    AccessLevel.PUBLIC,
    AccessLevel.REGISTERED,
    AccessLevel.SUBSCRIBERS,
)
SIGN_IN, SUBSCRIBE, UNLOCK = Offer.SIGN_IN, Offer.SUBSCRIBE, Offer.UNLOCK
DAY = datetime.timedelta(days=1)


def policy(*, anonymous: int = 3, registered: int = 5, paragraphs: int = 2) -> PaywallSettings:
    return PaywallSettings(
        meter_anonymous=anonymous, meter_registered=registered, preview_paragraphs=paragraphs
    )


@dataclass(frozen=True)
class Expect:
    grant: Grant | None
    offers: tuple = ()
    notices: tuple = ()


FREE = Expect(Grant.FREE)


@dataclass
class Case:
    """A kind of reader: how to make one for an article, and what each level decides."""

    name: str
    make: Callable  # (test, article) -> (Reader, keyword arguments for decide)
    registered: Expect
    subscribers: Expect
    public: Expect = field(default=FREE)


def user(test, name: str, *, email: str = "", **fields):
    return get_user_model().objects.create_user(
        name, email or f"{name}@example.org", "pw", **fields
    )


def subscriber(test, name: str, state: str, *, period_end: float, grace_until: float | None):
    reader = user(test, name)
    now = timezone.now()
    Subscription.objects.create(
        user=reader,
        plan=test.plan,
        state=state,
        current_period_end=now + period_end * DAY,
        grace_until=None if grace_until is None else now + grace_until * DAY,
    )
    return reader


def read(reader_key: str, *articles, at: datetime.datetime | None = None) -> None:
    for article in articles:
        MeteredRead.objects.create(
            reader_key=reader_key, article_key=article.translation_key, read_at=at or timezone.now()
        )


def licence(*, domains: str = "", ip_ranges: str = "", expired: bool = False) -> SiteLicence:
    today = timezone.localdate()
    ends_on = today - DAY if expired else today + DAY
    return SiteLicence.objects.create(
        name="Library",
        email_domains=domains,
        ip_ranges=ip_ranges,
        starts_on=today - 30 * DAY,
        ends_on=ends_on,
    )


def page_read(**kwargs) -> dict:
    """An article page read: the meter counts."""
    return {"count_meter": True, **kwargs}


# Each maker returns (reader, decide's keyword arguments) for one article.


def anonymous(test, article):
    return Reader(), {}


def anonymous_meter_left(test, article):
    return Reader(visitor_id="fresh"), page_read()


def anonymous_meter_spent(test, article):
    read("visitor:spent", test.other_a, test.other_b, test.other_c)
    return Reader(visitor_id="spent"), page_read()


def anonymous_rereading(test, article):
    read("visitor:again", test.other_a, test.other_b, article)  # spent, this one among them
    return Reader(visitor_id="again"), page_read()


def tampered_cookie(test, article):
    request = RequestFactory().get("/", HTTP_COOKIE=f"{VISITOR_COOKIE}=someone:forged")
    return Reader.from_request(request), page_read()


def registered_meter_left(test, article):
    return Reader(user=user(test, "left")), page_read()


def registered_meter_spent(test, article):
    reader = user(test, "spent")
    read(f"user:{reader.pk}", test.other_a, test.other_b, test.other_c, test.other_d, test.other_e)
    return Reader(user=reader), page_read()


def registered_without_meter(test, article):
    return Reader(user=user(test, "unmetered")), page_read(policy=policy(registered=0))


def subscription(state, *, period_end, grace_until=None):
    def make(test, article):
        reader = subscriber(test, "sub", state, period_end=period_end, grace_until=grace_until)
        # The meter is off so that a lapsed subscriber's outcome is the subscription's alone.
        return Reader(user=reader), page_read(policy=policy(registered=0))

    return make


def licence_by_confirmed_domain(test, article):
    licence(domains="uni.example")
    reader = user(test, "student", email="student@uni.example")
    EmailAddress.objects.create(user=reader, email=reader.email, verified=True, primary=True)
    return Reader(user=reader), page_read(policy=policy(registered=0))


def licence_by_unconfirmed_domain(test, article):
    licence(domains="uni.example")
    reader = user(test, "claimant", email="claimant@uni.example")
    EmailAddress.objects.create(user=reader, email=reader.email, verified=False, primary=True)
    return Reader(user=reader), page_read(policy=policy(registered=0))


def licence_by_address(test, article):
    licence(ip_ranges="192.0.2.0/24")
    return Reader(ip="192.0.2.77"), {}


def expired_licence(test, article):
    licence(ip_ranges="192.0.2.0/24", expired=True)
    return Reader(ip="192.0.2.77"), {}


def unlocked(test, article):
    reader = user(test, "unlocker")
    UnlockedArticle.objects.create(user=reader, article_key=article.translation_key)
    return Reader(user=reader), page_read(policy=policy(registered=0))


def unlocked_in_the_other_edition(test, article):
    """An unlock is of the story: the Persian translation opened, the English reads too."""
    reader = user(test, "unlocker")
    translated = translate(article, test.paper.persian, title=f"{article.title} (fa)")
    UnlockedArticle.objects.create(
        user=reader, article_key=translated.translation_key, article=translated
    )
    return Reader(user=reader), page_read(policy=policy(registered=0))


def with_unlocks_to_spend(test, article):
    reader = user(test, "wallet")
    UnlockWallet.objects.create(user=reader, unlocks_left=2)
    return Reader(user=reader), page_read(policy=policy(registered=0))


def gift(*, days_left: float, for_other: bool = False):
    def make(test, article):
        sender = subscriber(
            test, "giver", SubscriptionState.ACTIVE, period_end=10, grace_until=None
        )
        link = GiftLink.objects.create(
            sender=sender,
            article=test.other_a if for_other else article,
            expires_at=timezone.now() + days_left * DAY,
        )
        return Reader(), {"gift_token": link.token}

    return make


def staff(test, article):
    return Reader(user=user(test, "editor", is_staff=True)), page_read()


SIGNED_IN_LAPSED = Expect(None, (SUBSCRIBE,), (Notice.SUBSCRIPTION_LAPSED,))
OUTSIDER = {  # what a reader with no grant at all gets, signed out
    "registered": Expect(None, (SIGN_IN,)),
    "subscribers": Expect(None, (SIGN_IN, SUBSCRIBE)),
}

CASES = [
    Case("anonymous", anonymous, **OUTSIDER),
    Case(
        "anonymous, meter left",
        anonymous_meter_left,
        Expect(Grant.METER),
        Expect(Grant.METER),
    ),
    Case(
        "anonymous, meter spent",
        anonymous_meter_spent,
        Expect(None, (SIGN_IN,), (Notice.METER_SPENT,)),
        Expect(None, (SIGN_IN, SUBSCRIBE), (Notice.METER_SPENT,)),
    ),
    Case(
        "anonymous, re-reading a counted article",
        anonymous_rereading,
        Expect(Grant.METER),
        Expect(Grant.METER),
    ),
    Case(
        "anonymous, tampered cookie",
        tampered_cookie,
        Expect(None, (SIGN_IN,), (Notice.VISITOR_COOKIE_INVALID,)),
        Expect(None, (SIGN_IN, SUBSCRIBE), (Notice.VISITOR_COOKIE_INVALID,)),
    ),
    Case(
        "registered, meter left",
        registered_meter_left,
        Expect(Grant.REGISTERED),
        Expect(Grant.METER),
    ),
    Case(
        "registered, meter spent",
        registered_meter_spent,
        Expect(Grant.REGISTERED),
        Expect(None, (SUBSCRIBE,), (Notice.METER_SPENT,)),
    ),
    Case(
        "registered, no meter",
        registered_without_meter,
        Expect(Grant.REGISTERED),
        Expect(None, (SUBSCRIBE,)),
    ),
    Case(
        "subscriber, active",
        subscription(SubscriptionState.ACTIVE, period_end=10),
        Expect(Grant.REGISTERED),
        Expect(Grant.SUBSCRIPTION),
    ),
    Case(
        "subscriber, cancelling within the period",
        subscription(SubscriptionState.CANCELLING, period_end=10),
        Expect(Grant.REGISTERED),
        Expect(Grant.SUBSCRIPTION),
    ),
    Case(
        "subscriber, cancelling after the period",
        subscription(SubscriptionState.CANCELLING, period_end=-1),
        Expect(Grant.REGISTERED),
        SIGNED_IN_LAPSED,
    ),
    Case(
        "subscriber, past due within grace",
        subscription(SubscriptionState.PAST_DUE, period_end=-1, grace_until=3),
        Expect(Grant.REGISTERED),
        Expect(Grant.SUBSCRIPTION),
    ),
    Case(
        "subscriber, past due after grace",
        subscription(SubscriptionState.PAST_DUE, period_end=-8, grace_until=-1),
        Expect(Grant.REGISTERED),
        SIGNED_IN_LAPSED,
    ),
    Case(
        "subscriber, ended",
        subscription(SubscriptionState.ENDED, period_end=-1),
        Expect(Grant.REGISTERED),
        SIGNED_IN_LAPSED,
    ),
    Case(
        "licence by confirmed email domain",
        licence_by_confirmed_domain,
        Expect(Grant.REGISTERED),
        Expect(Grant.LICENCE),
    ),
    Case(
        "licence domain, address not confirmed",
        licence_by_unconfirmed_domain,
        Expect(Grant.REGISTERED),
        Expect(None, (SUBSCRIBE,)),
    ),
    Case("licence by IP range", licence_by_address, Expect(Grant.LICENCE), Expect(Grant.LICENCE)),
    Case("expired licence", expired_licence, **OUTSIDER),
    Case("unlocked", unlocked, Expect(Grant.REGISTERED), Expect(Grant.UNLOCKED)),
    Case(
        "unlocked in the other edition",
        unlocked_in_the_other_edition,
        Expect(Grant.REGISTERED),
        Expect(Grant.UNLOCKED),
    ),
    Case(
        "unlocks to spend",
        with_unlocks_to_spend,
        Expect(Grant.REGISTERED),
        Expect(None, (SUBSCRIBE, UNLOCK)),
    ),
    Case("gift link, valid", gift(days_left=3), Expect(Grant.GIFT), Expect(Grant.GIFT)),
    Case(
        "gift link, expired",
        gift(days_left=-1),
        Expect(None, (SIGN_IN,), (Notice.GIFT_EXPIRED,)),
        Expect(None, (SIGN_IN, SUBSCRIBE), (Notice.GIFT_EXPIRED,)),
    ),
    Case(
        "gift link for another article",
        gift(days_left=3, for_other=True),
        Expect(None, (SIGN_IN,), (Notice.GIFT_INVALID,)),
        Expect(None, (SIGN_IN, SUBSCRIBE), (Notice.GIFT_INVALID,)),
    ),
    # Signed in, staff read a registered-readers article as any reader does.
    Case("staff", staff, Expect(Grant.REGISTERED), Expect(Grant.STAFF)),
]


class AccessTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.paper = make_paper()
        section = cls.paper.economy
        cls.articles = {
            PUBLIC: make_article(section, "Free story"),
            REGISTERED: make_article(section, "Members story", access_level=REGISTERED),
            SUBSCRIBERS: make_article(section, "Paid story", access_level=SUBSCRIBERS),
        }
        cls.other_a, cls.other_b, cls.other_c, cls.other_d, cls.other_e = (
            make_article(section, f"Other {n}", access_level=SUBSCRIBERS) for n in range(5)
        )
        cls.plan = Plan.objects.create(name="Monthly", kind=PlanKind.SUBSCRIPTION, interval="month")


class DecisionTableTests(AccessTestCase):
    def test_every_reader_against_every_access_level(self):
        for case in CASES:
            for level, expected in [
                (PUBLIC, case.public),
                (REGISTERED, case.registered),
                (SUBSCRIBERS, case.subscribers),
            ]:
                with self.subTest(case.name, level=level):
                    article = self.articles[level]
                    # Each cell starts from nothing: rows made for one cell leave no trace.
                    with transaction.atomic():
                        reader, kwargs = case.make(self, article)
                        decision = decide(reader, article, **{"policy": policy(), **kwargs})
                        transaction.set_rollback(True)
                    self.assertEqual(
                        (decision.grant, decision.offers, decision.notices),
                        (expected.grant, expected.offers, expected.notices),
                    )
                    self.assertIs(decision.full_text, expected.grant is not None)

    def test_table_covers_every_grant_offer_and_notice(self):
        """The table would miss a new grant or notice; this fails until a row is added."""
        cells = [e for c in CASES for e in (c.public, c.registered, c.subscribers)]
        self.assertEqual({e.grant for e in cells} - {None}, set(Grant))
        self.assertEqual({o for e in cells for o in e.offers}, set(Offer))
        self.assertEqual({n for e in cells for n in e.notices}, set(Notice))

    def test_unlocks_left_and_meter_left_are_told(self):
        reader, kwargs = with_unlocks_to_spend(self, self.articles[SUBSCRIBERS])
        decision = decide(reader, self.articles[SUBSCRIBERS], **kwargs)
        self.assertEqual(decision.unlocks_left, 2)
        self.assertEqual(decision.meter_left, 0)
        left = decide(
            Reader(visitor_id="v"), self.articles[SUBSCRIBERS], policy=policy(), count_meter=True
        )
        self.assertEqual((left.grant, left.meter_left), (Grant.METER, 2))

    def test_a_tampered_cookie_opens_nothing_and_is_replaced(self):
        reader, kwargs = tampered_cookie(self, self.articles[SUBSCRIBERS])
        decide(reader, self.articles[SUBSCRIBERS], policy=policy(), **kwargs)
        self.assertTrue(reader.new_visitor_id)
        self.assertIsNone(reader.visitor_id)
        self.assertFalse(MeteredRead.objects.exists())
        honest = RequestFactory().get(
            "/", HTTP_COOKIE=f"{VISITOR_COOKIE}={sign_visitor_id('honest')}"
        )
        self.assertEqual(Reader.from_request(honest).visitor_id, "honest")

    def test_nobody_and_a_peek_never_open_count_or_issue_a_cookie(self):
        """Only a counted page read spends the meter; a look (the API, a POST) opens nothing."""
        article = self.articles[SUBSCRIBERS]
        for reader, kwargs in [
            (Reader.nobody(), {}),
            (Reader(), {"count_meter": False}),
            (Reader(visitor_id="looker"), {"count_meter": False}),
            (Reader(user=user(self, "looker")), {"count_meter": False}),
            (Reader(visitor_id="api"), {"count_meter": True, "use_meter_allowance": False}),
        ]:
            with self.subTest(reader=reader, **kwargs):
                self.assertIsNone(decide(reader, article, policy=policy(), **kwargs).grant)
                self.assertIsNone(reader.new_visitor_id)
        self.assertFalse(MeteredRead.objects.exists())

    def test_a_peek_still_reopens_an_article_already_counted(self):
        read("visitor:back", self.articles[SUBSCRIBERS])
        reader = Reader(visitor_id="back")
        decision = decide(reader, self.articles[SUBSCRIBERS], policy=policy())
        self.assertEqual(decision.grant, Grant.METER)
        self.assertEqual(MeteredRead.objects.count(), 1)

    def test_a_first_counted_read_issues_the_visitor_cookie(self):
        reader = Reader()
        decision = decide(reader, self.articles[SUBSCRIBERS], policy=policy(), count_meter=True)
        self.assertEqual(decision.grant, Grant.METER)
        self.assertTrue(reader.new_visitor_id)
        self.assertTrue(
            MeteredRead.objects.filter(reader_key=f"visitor:{reader.new_visitor_id}").exists()
        )


class MeterTests(AccessTestCase):
    """Visitors count over 30 rolling days, registered readers over the calendar month."""

    NOW = timezone.make_aware(datetime.datetime(2026, 3, 15, 12, 0))

    def open(self, reader: Reader, article, **policy_numbers) -> tuple:
        decision = decide(
            reader, article, policy=policy(**policy_numbers), count_meter=True, now=self.NOW
        )
        return decision.grant, decision.meter_left

    def test_visitors_count_the_last_thirty_days(self):
        paid = self.articles[SUBSCRIBERS]
        read("visitor:v", self.other_a, at=self.NOW - 29 * DAY)  # counts
        read("visitor:v", self.other_b, at=self.NOW - 31 * DAY)  # has rolled out
        self.assertEqual(self.open(Reader(visitor_id="v"), paid, anonymous=2), (Grant.METER, 0))
        self.assertEqual(self.open(Reader(visitor_id="v"), self.other_c, anonymous=2), (None, 0))

    def test_registered_readers_count_the_calendar_month(self):
        reader = user(self, "monthly")
        key = f"user:{reader.pk}"
        month_start = timezone.localtime(self.NOW).replace(day=1, hour=0, minute=0)
        read(key, self.other_a, at=month_start + datetime.timedelta(minutes=1))  # counts
        read(key, self.other_b, at=month_start - datetime.timedelta(minutes=1))  # last month
        paid = self.articles[SUBSCRIBERS]
        self.assertEqual(self.open(Reader(user=reader), paid, registered=2), (Grant.METER, 0))
        self.assertEqual(self.open(Reader(user=reader), self.other_c, registered=2), (None, 0))

    def test_re_reading_costs_nothing(self):
        paid = self.articles[SUBSCRIBERS]
        first = self.open(Reader(visitor_id="r"), paid)
        again = self.open(Reader(visitor_id="r"), paid)
        self.assertEqual(first, (Grant.METER, 2))
        self.assertEqual(again, (Grant.METER, 2))
        self.assertEqual(MeteredRead.objects.filter(reader_key="visitor:r").count(), 1)
        # The translation is the same story: reading it costs nothing either.
        translated = translate(paid, self.paper.persian, title="داستان")
        self.assertEqual(self.open(Reader(visitor_id="r"), translated), (Grant.METER, 2))
        self.assertEqual(MeteredRead.objects.filter(reader_key="visitor:r").count(), 1)

    def test_zero_turns_the_meter_off(self):
        paid = self.articles[SUBSCRIBERS]
        visitor = Reader()
        self.assertEqual(self.open(visitor, paid, anonymous=0)[0], None)
        self.assertIsNone(visitor.new_visitor_id)  # no cookie for a meter that does not run
        member = Reader(user=user(self, "member"))
        self.assertEqual(self.open(member, paid, registered=0)[0], None)
        self.assertFalse(MeteredRead.objects.exists())


def stream(*types: str) -> list[dict]:
    """A body of the given block types, each paragraph numbered."""
    blocks = []
    for n, kind in enumerate(types, start=1):
        if kind == "paragraph":
            blocks.append({"type": "paragraph", "value": f"<p>Part {n}.</p>"})
        elif kind == "preview_break":
            blocks.append({"type": "preview_break", "value": None})
        else:
            blocks.append({"type": "heading", "value": {"text": f"Heading {n}", "level": "h2"}})
    return blocks


class PreviewTests(AccessTestCase):
    def article(self, *types: str, level=SUBSCRIBERS):
        article = self.articles[level]
        article.body = stream(*types)
        return article

    def types(self, blocks) -> list[str]:
        return [block.block_type for block in blocks]

    def test_the_marker_ends_the_preview_whatever_the_setting(self):
        article = self.article("paragraph", "heading", "preview_break", "paragraph", "paragraph")
        for paragraphs in (0, 1, 5):
            self.assertEqual(
                self.types(preview_blocks(article, paragraphs)), ["paragraph", "heading"]
            )

    def test_without_a_marker_the_first_n_paragraphs(self):
        article = self.article("paragraph", "heading", "paragraph", "paragraph", "paragraph")
        self.assertEqual(
            self.types(preview_blocks(article, 2)), ["paragraph", "heading", "paragraph"]
        )
        self.assertEqual(self.types(preview_blocks(article, 0)), [])

    def test_visible_blocks_gate_the_rest_and_never_render_the_marker(self):
        article = self.article("paragraph", "preview_break", "paragraph", "paragraph")
        denied = decide(Reader(), article, policy=policy(anonymous=0))
        preview, gated = visible_blocks(article, denied, 2)
        self.assertEqual((self.types(preview), gated), (["paragraph"], []))
        preview, gated = visible_blocks(article, Decision(Grant.STAFF), 2)
        self.assertEqual(self.types(preview), ["paragraph"])
        self.assertEqual(self.types(gated), ["paragraph", "paragraph"])

    def test_a_free_article_is_all_preview(self):
        article = self.article("paragraph", "preview_break", "paragraph", level=PUBLIC)
        preview, gated = visible_blocks(article, decide(Reader(), article), 1)
        self.assertEqual((self.types(preview), gated), (["paragraph", "paragraph"], []))
