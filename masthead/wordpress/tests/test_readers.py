"""The paywall plugin's reader records: accounts, subscriptions, unlocks, unlocked articles."""

import datetime
import json
import tempfile
from io import StringIO
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import TestCase
from django.utils import timezone

from masthead.content.models import ArticlePage
from masthead.content.tests.factories import make_paper
from masthead.subscriptions import services
from masthead.subscriptions.models import (
    Plan,
    PlanInterval,
    PlanKind,
    Subscription,
    SubscriptionState,
    UnlockedArticle,
    UnlockWallet,
)
from masthead.wordpress.models import WordPressObject

FIXTURES = Path(__file__).resolve().parents[4] / "shared" / "fixtures" / "wxr"
SIMPLE = FIXTURES / "importer-wxr-simple.xml"  # post 10
NEXT_YEAR = (timezone.now() + datetime.timedelta(days=365)).date().isoformat()
HEADER = "user_login,user_email,jpw_subscribe_status,jpw_expired_date,jpw_unlock_remaining"
CSV = f"""{HEADER},jpw_unlocked_post_list
parvin,Parvin@Example.org,ACTIVE,{NEXT_YEAR} 10:00:00,3,"a:2:{{i:0;i:10;i:1;i:99;}}"
lapsed,lapsed@example.org,,2020-01-01,0,
nobody,not-an-email,ACTIVE,{NEXT_YEAR},1,
"""


def import_with_readers(content: str, suffix: str, *extra: str) -> str:
    folder = Path(tempfile.mkdtemp(prefix="wp-readers-"))
    readers = folder / f"readers{suffix}"
    readers.write_text(content, encoding="utf-8")
    out = StringIO()
    call_command("import_wordpress", str(SIMPLE), "--readers", str(readers), *extra, stdout=out)
    return out.getvalue()


class ReaderRecordsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_paper()
        cls.plan = Plan.objects.create(
            name="Annual", kind=PlanKind.SUBSCRIPTION, interval=PlanInterval.YEAR
        )
        get_user_model().objects.create_user("lapsed", "lapsed@example.org", "known-password")

    def article(self) -> ArticlePage:
        row = WordPressObject.objects.get(kind="post", wordpress_id="10")
        return ArticlePage.objects.get(pk=row.object_id)

    def test_csv_records_become_accounts_subscriptions_and_unlocks(self):
        output = import_with_readers(CSV, ".csv")
        parvin = get_user_model().objects.get(email__iexact="parvin@example.org")
        self.assertFalse(parvin.has_usable_password())
        subscription = Subscription.objects.get(user=parvin)
        self.assertEqual(subscription.plan, self.plan)
        self.assertEqual(subscription.state, SubscriptionState.ACTIVE)
        self.assertEqual(subscription.current_period_end.date().isoformat(), NEXT_YEAR)
        self.assertTrue(Subscription.objects.filter(user=parvin).entitling().exists())
        self.assertEqual(UnlockWallet.objects.get(user=parvin).unlocks_left, 3)
        unlocked = UnlockedArticle.objects.get(user=parvin)
        self.assertEqual(unlocked.article_key, self.article().translation_key)
        self.assertIn("unlocked post 99, which was not imported", output)
        self.assertIn("has no valid email address", output)
        lapsed = get_user_model().objects.get(username="lapsed")
        self.assertTrue(lapsed.has_usable_password())  # found by email, left alone
        self.assertFalse(Subscription.objects.filter(user=lapsed).exists())

    def test_a_second_run_changes_nothing(self):
        import_with_readers(CSV, ".csv")
        counts = (
            get_user_model().objects.count(),
            Subscription.objects.count(),
            UnlockedArticle.objects.count(),
        )
        output = import_with_readers(CSV, ".csv")
        self.assertEqual(
            counts,
            (
                get_user_model().objects.count(),
                Subscription.objects.count(),
                UnlockedArticle.objects.count(),
            ),
        )
        self.assertIn("subscriptions: 1 unchanged", output)
        self.assertIn("unlocked articles: 1 unchanged", output)

    def test_json_records_with_plain_names(self):
        records = [
            {
                "email": "shirin@example.org",
                "username": "shirin",
                "subscription_status": "active",
                "expiry_date": NEXT_YEAR,
                "unlocks_left": 2,
                "unlocked_posts": [10],
                "plan": "annual",
            }
        ]
        import_with_readers(json.dumps(records), ".json")
        shirin = get_user_model().objects.get(username="shirin")
        self.assertEqual(Subscription.objects.get(user=shirin).plan, self.plan)
        self.assertEqual(UnlockWallet.objects.get(user=shirin).unlocks_left, 2)
        self.assertTrue(UnlockedArticle.objects.filter(user=shirin).exists())

    def test_a_dry_run_writes_no_reader(self):
        import_with_readers(CSV, ".csv", "--dry-run")
        self.assertFalse(
            get_user_model().objects.filter(email__iexact="parvin@example.org").exists()
        )

    def test_a_broken_json_file_is_refused_with_its_line(self):
        with self.assertRaisesMessage(CommandError, "not valid JSON at line 2"):
            import_with_readers('[\n{"email": }]', ".json")
        self.assertFalse(Subscription.objects.exists())


class RerunKeepsWhatReadersDidHereTests(TestCase):
    """A reader who renewed, bought or spent here since the last import keeps all of it."""

    @classmethod
    def setUpTestData(cls):
        make_paper()
        cls.plan = Plan.objects.create(
            name="Annual", kind=PlanKind.SUBSCRIPTION, interval=PlanInterval.YEAR
        )

    def parvin(self):
        return get_user_model().objects.get(email__iexact="parvin@example.org")

    def test_unlocks_bought_or_spent_here_are_kept(self):
        import_with_readers(CSV, ".csv")
        parvin = self.parvin()
        services.add_unlocks(parvin, 5)  # bought a pack here: 3 + 5
        import_with_readers(CSV, ".csv")
        self.assertEqual(UnlockWallet.objects.get(user=parvin).unlocks_left, 8)
        # The old site still counted down one unlock before the switch: only that applies.
        import_with_readers(CSV.replace(",3,", ",2,"), ".csv")
        self.assertEqual(UnlockWallet.objects.get(user=parvin).unlocks_left, 7)

    def test_a_wallet_made_here_before_the_import_gains_the_old_balance(self):
        user = get_user_model().objects.create_user("p", "parvin@example.org")
        services.add_unlocks(user, 4)
        import_with_readers(CSV, ".csv")
        import_with_readers(CSV, ".csv")
        self.assertEqual(UnlockWallet.objects.get(user=user).unlocks_left, 7)

    def test_a_subscription_taken_here_is_never_touched_nor_shortened(self):
        user = get_user_model().objects.create_user("p", "parvin@example.org")
        two_years = timezone.now() + datetime.timedelta(days=730)
        by_card = Subscription.objects.create(
            user=user,
            plan=self.plan,
            state=SubscriptionState.ACTIVE,
            current_period_end=two_years,
            stripe_subscription_id="sub_123",
        )
        import_with_readers(CSV, ".csv")
        by_card.refresh_from_db()
        self.assertEqual(by_card.current_period_end, two_years)
        imported = Subscription.objects.exclude(pk=by_card.pk).get(user=user)
        # Staff extend the imported one here; the next import must not take it back.
        services.extend(imported, two_years)
        output = import_with_readers(CSV, ".csv")
        imported.refresh_from_db()
        self.assertEqual(imported.current_period_end, two_years)
        self.assertIn("subscriptions: 1 unchanged", output)

    def test_unknown_plan_and_unreadable_expiry_are_reported(self):
        records = [
            {
                "email": "a@example.org",
                "status": "active",
                "expiry_date": NEXT_YEAR,
                "plan": "Gold",
            },
            {"email": "b@example.org", "status": "active", "expiry_date": "next spring"},
        ]
        output = import_with_readers(json.dumps(records), ".json")
        self.assertIn("plan “Gold” is not a plan here; “Annual” was used", output)
        self.assertIn("the expiry date “next spring” cannot be read", output)
        self.assertFalse(Subscription.objects.filter(user__email="b@example.org").exists())

    def test_a_login_someone_here_already_has_gets_a_free_username(self):
        users = get_user_model()
        users.objects.create_user("parvin", "someone@example.org")
        users.objects.create_user("Parvin@Example.org", "else@example.org")
        import_with_readers(CSV, ".csv")
        self.assertEqual(self.parvin().username, "parvin-2")
