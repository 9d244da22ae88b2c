import datetime

from django.test import SimpleTestCase

from masthead.comments import rules

BLOCKLIST = rules.Blocklist(
    words=frozenset({"casino"}),
    emails=frozenset({"troll@example.com"}),
    domains=frozenset({"spam.test"}),
)
TWO_LINKS = "See https://a.example and http://b.example"
THREE_LINKS = TWO_LINKS + " and www.c.example"

# (case, body, email, website, is_known_reader, expected hold reason)
HOLD_CASES = [
    ("known reader posts at once", "Nice piece.", "ann@example.com", "", True, None),
    ("first comment is held", "Nice piece.", "new@example.com", "", False, "first comment"),
    ("two links are fine", TWO_LINKS, "ann@example.com", "", True, None),
    ("three links are held", THREE_LINKS, "ann@example.com", "", True, "links"),
    ("blocked word, any case", "Visit my CASINO", "ann@example.com", "", True, "blocklist"),
    ("blocked address", "Hello", "Troll@Example.com", "", True, "blocklist"),
    ("blocked email domain", "Hello", "x@spam.test", "", True, "blocklist"),
    ("blocked subdomain", "Hello", "x@mail.spam.test", "", True, "blocklist"),
    (
        "blocked website domain",
        "Hello",
        "ann@example.com",
        "https://spam.test/x",
        True,
        "blocklist",
    ),
    ("lookalike domain passes", "Hello", "x@notspam.test", "", True, None),
]


class HoldReasonTests(SimpleTestCase):
    def test_table(self):
        for case, body, email, website, known, expected in HOLD_CASES:
            with self.subTest(case):
                reason = rules.hold_reason(
                    body=body,
                    email=email,
                    website=website,
                    is_known_reader=known,
                    blocklist=BLOCKLIST,
                )
                self.assertEqual(reason, expected)

    def test_blocklist_from_stored_entries(self):
        blocklist = rules.Blocklist.from_entries([("word", " Casino "), ("domain", "Spam.test")])
        self.assertEqual(blocklist.words, {"casino"})
        self.assertEqual(blocklist.domains, {"spam.test"})


class ReplyParentTests(SimpleTestCase):
    def test_table(self):
        # (ancestry from the top-level comment to the one answered, max depth, parent)
        cases = [
            ([], 3, None),
            ([1], 3, 1),
            ([1, 2], 3, 2),
            ([1, 2, 3], 3, 2),  # a reply to depth 3 becomes a sibling at depth 3
            ([1, 2, 3, 4], 3, 2),
            ([1, 2], 1, None),  # no threading at all
            ([1, 2, 3], 5, 3),
        ]
        for ancestry, max_depth, expected in cases:
            with self.subTest(ancestry=ancestry, max_depth=max_depth):
                self.assertEqual(rules.reply_parent(ancestry, max_depth), expected)


class ClosedTests(SimpleTestCase):
    def test_table(self):
        now = datetime.datetime(2026, 1, 31, tzinfo=datetime.UTC)
        days_ago = lambda n: now - datetime.timedelta(days=n)  # noqa: E731
        cases = [
            ("open, never closes", True, days_ago(900), 0, False),
            ("closed by the editor", False, days_ago(1), 0, True),
            ("within the window", True, days_ago(9), 10, False),
            ("past the window", True, days_ago(11), 10, True),
            ("unpublished", True, None, 10, False),
        ]
        for case, is_open, published, days, expected in cases:
            with self.subTest(case):
                closed = rules.comments_closed(
                    comments_open=is_open, published_at=published, now=now, close_after_days=days
                )
                self.assertEqual(closed, expected)


class InitialsTests(SimpleTestCase):
    def test_table(self):
        for name, expected in [
            ("ada lovelace", "AL"),
            ("Ada", "A"),
            ("Jean Paul Sartre", "JP"),
            ("علی رضایی", "عر"),
            ("  ", "?"),
            ("<script>", "?"),
        ]:
            with self.subTest(name):
                self.assertEqual(rules.initials(name), expected)


def notice(**changes) -> rules.ReplyNotice:
    """A reply that should be mailed about; each case changes one thing."""
    base = {
        "reply_approved": True,
        "already_notified": False,
        "parent_user_id": 1,
        "parent_user_active": True,
        "parent_user_email": "nasrin@example.com",
        "wants_reply_notifications": True,
        "reply_user_id": 2,
        "reply_email": "omid@example.com",
    }
    return rules.ReplyNotice(**(base | changes))


# (case, notice, expected)
NOTIFY_CASES = [
    ("an approved reply by another reader", notice(), True),
    ("a guest replying to a reader", notice(reply_user_id=None), True),
    ("held, spam or trash", notice(reply_approved=False), False),
    ("already mailed about", notice(already_notified=True), False),
    ("the parent author is a guest", notice(parent_user_id=None), False),
    ("the parent author deactivated", notice(parent_user_active=False), False),
    ("the parent author has no address", notice(parent_user_email=""), False),
    ("opted out", notice(wants_reply_notifications=False), False),
    ("replying to yourself", notice(reply_user_id=1), False),
    (
        "as a guest under your own address",
        notice(reply_user_id=None, reply_email="Nasrin@Example.COM"),
        False,
    ),
]


class NotifyParentAuthorTests(SimpleTestCase):
    def test_table(self):
        for case, given, expected in NOTIFY_CASES:
            with self.subTest(case):
                self.assertIs(rules.should_notify_parent_author(given), expected)
