"""Turn the paywall plugin's reader records (CSV or JSON) into accounts and entitlements.

JNews Paywall keeps a reader's state in user options: `jpw_subscribe_status` ("ACTIVE"),
`jpw_expired_date`, `jpw_unlock_remaining` and `jpw_unlocked_post_list` (a PHP-serialized
list of post ids). The file carries those per reader, with the login and email; the README
shows both formats. Every write goes through `masthead.subscriptions.services`.
"""

from __future__ import annotations

import csv
import datetime
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from masthead.content.models import ArticlePage
from masthead.subscriptions import services
from masthead.subscriptions.models import Plan, PlanKind, Subscription

from .models import WordPressObject
from .wxr import unserialize_meta

# The plugin's option names, and the plainer names a hand-made file may use instead.
FIELDS = {
    "email": ("user_email", "email"),
    "login": ("user_login", "username", "login"),
    "status": ("jpw_subscribe_status", "subscription_status", "status"),
    "expires": ("jpw_expired_date", "expiry_date", "expires"),
    "unlocks": ("jpw_unlock_remaining", "unlocks_left"),
    "unlocked": ("jpw_unlocked_post_list", "unlocked_posts"),
    "plan": ("plan",),
}
ACTIVE = {"active", "subscribed", "1", "true", "yes"}


class ReadersError(Exception):
    """The readers file cannot be used; nothing of it was written."""


@dataclass
class ReadersReport:
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    warnings: list[str] = field(default_factory=list)


def load_records(path: Path) -> list[dict]:
    """Read the file's records: a JSON list of objects, or CSV with a header row."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ReadersError(
            _("The readers file %(path)s cannot be read: %(error)s")
            % {"path": path, "error": error}
        ) from error
    if Path(path).suffix.lower() == ".json":
        try:
            records = json.loads(text)
        except json.JSONDecodeError as error:
            raise ReadersError(
                _("The readers file is not valid JSON at line %(line)s: %(error)s")
                % {"line": error.lineno, "error": error.msg}
            ) from error
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise ReadersError(_("The readers file must hold a JSON list of objects."))
        return records
    return list(csv.DictReader(text.splitlines()))


def value(record: dict, name: str):
    for key in FIELDS[name]:
        if record.get(key) not in (None, ""):
            return record[key]
    return None


def post_ids(raw) -> list[int]:
    """Return the unlocked post ids: a list, a PHP-serialized array, or "12 34" / "12,34"."""
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = unserialize_meta(raw)
    if isinstance(raw, dict):
        raw = list(raw.values())
    if isinstance(raw, str):
        raw = re.split(r"[\s,;]+", raw.strip())
    if isinstance(raw, int):
        raw = [raw]
    return [int(v) for v in raw if str(v).strip().isdigit()]


def expiry(raw) -> datetime.datetime | None:
    if not raw:
        return None
    text = str(raw).strip()
    moment = parse_datetime(text.replace(" ", "T", 1)) if " " in text else parse_datetime(text)
    if moment is None:
        day = parse_date(text[:10])
        if day is None:
            return None
        moment = datetime.datetime.combine(day, datetime.time(23, 59, 59))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def free_username(wanted: str, email: str) -> str:
    """Return `wanted` (cut to fit) or a numbered variant of it that no account has yet.

    A WordPress login may already be someone else's username here; the reader is told
    their username when they reset their password.
    """
    users = get_user_model()
    limit = users._meta.get_field(users.USERNAME_FIELD).max_length or 150
    base = (wanted.strip() or email.split("@")[0] or "reader")[:limit]
    candidate, number = base, 2
    while users.objects.filter(**{f"{users.USERNAME_FIELD}__iexact": candidate}).exists():
        suffix = f"-{number}"
        candidate, number = f"{base[: limit - len(suffix)]}{suffix}", number + 1
    return candidate


def import_readers(path: Path, *, source: str, dry_run: bool = False) -> ReadersReport:
    """Import every reader record in the file, in one transaction (rolled back on a dry run)."""
    records = load_records(path)
    report = ReadersReport()
    with transaction.atomic():
        _import(records, source, report)
        if dry_run:
            transaction.set_rollback(True)
    return report


def _import(records: list[dict], source: str, report: ReadersReport) -> None:
    users = get_user_model()
    plans = list(
        Plan.objects.filter(kind=PlanKind.SUBSCRIPTION).order_by("-is_active", "sort_order")
    )
    articles = {
        int(row.wordpress_id): row.object_id
        for row in WordPressObject.objects.filter(source=source, kind="post")
    }
    for number, record in enumerate(records, start=1):
        email = str(value(record, "email") or "").strip()
        try:
            validate_email(email)
        except ValidationError:
            report.warnings.append(
                _("Reader record %(n)s has no valid email address; skipped.") % {"n": number}
            )
            report.counts["readers"]["skipped"] += 1
            continue
        user = users.objects.filter(email__iexact=email).first()
        if user is None:
            login = free_username(str(value(record, "login") or ""), email)
            user = users(username=login, email=email)
            user.set_unusable_password()  # they choose one through password recovery
            user.save()
            report.counts["readers"]["created"] += 1
        else:
            report.counts["readers"]["found"] += 1
        _subscription(user, record, plans, report, source)
        unlocks = value(record, "unlocks")
        if unlocks is not None and str(unlocks).strip().isdigit():
            _unlocks(user, int(unlocks), report, source)
        for post_id in post_ids(value(record, "unlocked")):
            article = ArticlePage.objects.filter(pk=articles.get(post_id)).first()
            if article is None:
                report.warnings.append(
                    _("%(email)s unlocked post %(id)s, which was not imported.")
                    % {"email": email, "id": post_id}
                )
                continue
            created = services.grant_unlock(user, article)
            report.counts["unlocked articles"]["created" if created else "unchanged"] += 1


def _mapping(source: str, kind: str, user) -> WordPressObject | None:
    # Keyed on the account, not the address in the file: the reader may change it here.
    return WordPressObject.objects.filter(
        source=source, kind=kind, wordpress_id=str(user.pk)
    ).first()


def _remember(source: str, kind: str, user, obj, checksum: str = "") -> None:
    WordPressObject.objects.update_or_create(
        source=source,
        kind=kind,
        wordpress_id=str(user.pk),
        defaults={
            "content_type": ContentType.objects.get_for_model(obj),
            "object_id": obj.pk,
            "checksum": checksum,
        },
    )


def _unlocks(user, count: int, report: ReadersReport, source: str) -> None:
    """Apply the plugin's balance once; later runs apply only its change since the last one."""
    row = _mapping(source, "reader-unlocks", user)
    last = int(row.checksum) if row is not None and row.checksum.isdigit() else None
    wallet, changed = services.import_unlocks(user, count, last_imported=last)
    _remember(source, "reader-unlocks", user, wallet, str(count))
    report.counts["unlock balances"]["set" if changed else "unchanged"] += 1


def _subscription(
    user, record: dict, plans: list[Plan], report: ReadersReport, source: str
) -> None:
    status = str(value(record, "status") or "").strip().lower()
    raw_expiry = value(record, "expires")
    until = expiry(raw_expiry)
    if status in ACTIVE and until is None:
        report.warnings.append(
            _(
                "%(email)s is an active subscriber, but the expiry date “%(date)s” cannot be "
                "read; no subscription was made."
            )
            % {"email": user.email, "date": raw_expiry or ""}
        )
        report.counts["subscriptions"]["skipped"] += 1
        return
    if status not in ACTIVE:
        return
    wanted = str(value(record, "plan") or "").strip()
    plan = next((p for p in plans if wanted and p.name.lower() == wanted.lower()), None)
    if plan is None and plans:
        plan = plans[0]
        if wanted:
            report.warnings.append(
                _("%(email)s's plan “%(wanted)s” is not a plan here; “%(plan)s” was used.")
                % {"email": user.email, "wanted": wanted, "plan": plan.name}
            )
    if plan is None:
        report.warnings.append(
            _("No subscription plan exists for %(email)s's subscription; add a plan first.")
            % {"email": user.email}
        )
        return
    row = _mapping(source, "reader-subscription", user)
    earlier = None
    if row is not None:
        earlier = Subscription.objects.filter(pk=row.object_id).first()
        if earlier is None:
            report.counts["subscriptions"]["deleted here, left alone"] += 1
            return
    subscription, changed = services.import_subscription(
        user, plan, period_end=until, subscription=earlier
    )
    if row is None:
        _remember(source, "reader-subscription", user, subscription)
    report.counts["subscriptions"]["created or updated" if changed else "unchanged"] += 1
