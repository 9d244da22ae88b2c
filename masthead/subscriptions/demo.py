"""The demo paper's plans, paywall settings and demo readers (see `load_demo`, `make run`)."""

from decimal import Decimal

from wagtail.models import Site

from .models import PaywallSettings, Plan, PlanInterval, PlanKind, PlanPrice

DEMO_PLANS = (
    # name, Persian name, kind, interval, print, unlocks, prices, description, Persian description
    (
        "Digital, monthly",
        "دیجیتال، ماهانه",
        PlanKind.SUBSCRIPTION,
        PlanInterval.MONTH,
        False,
        0,
        {"GBP": "6.00", "EUR": "7.00"},
        "Every article in both editions and the archive. Cancel at any time.",
        "همه مقاله‌ها در هر دو نسخه و بایگانی. هر زمان لغوشدنی.",
    ),
    (
        "Digital, annual",
        "دیجیتال، سالانه",
        PlanKind.SUBSCRIPTION,
        PlanInterval.YEAR,
        False,
        0,
        {"GBP": "60.00", "EUR": "70.00"},
        "A year of everything for the price of ten months.",
        "یک سال دسترسی کامل، به بهای ده ماه.",
    ),
    (
        "Print and digital, monthly",
        "چاپی و دیجیتال، ماهانه",
        PlanKind.SUBSCRIPTION,
        PlanInterval.MONTH,
        True,
        0,
        {"GBP": "12.00"},
        "The weekly printed paper posted to you, and everything online.",
        "روزنامه چاپی هفتگی به نشانی شما، و همه مطالب آنلاین.",
    ),
    (
        "Five unlocks",
        "پنج بازگشایی",
        PlanKind.UNLOCK_PACK,
        "",
        False,
        5,
        {"GBP": "5.00", "EUR": "6.00"},
        "Open five subscriber articles of your choice, for good. No renewal.",
        "پنج مقاله ویژه مشترکان را به انتخاب خود برای همیشه باز کنید. بدون تمدید.",
    ),
)

BANK_DETAILS = (
    "Bank transfer: Masthead Press Ltd, sort code 00-00-00, account 00000000.\n"
    "Cheques payable to Masthead Press Ltd, 1 Example Street, London."
)
BANK_DETAILS_FA = (
    "حواله بانکی: شرکت انتشارات مَستهد، کد شعبه ۰۰-۰۰-۰۰، حساب ۰۰۰۰۰۰۰۰.\n"
    "چک در وجه شرکت انتشارات مَستهد، لندن."
)


def build_plans(site: Site | None) -> int:
    """Create the demo plans once, and fill the paywall settings; return how many were made."""
    created = 0
    if not Plan.objects.exists():
        for order, (
            name,
            name_fa,
            kind,
            interval,
            prints,
            unlocks,
            prices,
            text,
            text_fa,
        ) in enumerate(DEMO_PLANS):
            plan = Plan.objects.create(
                name=name,
                name_fa=name_fa,
                kind=kind,
                interval=interval,
                includes_print=prints,
                unlocks=unlocks,
                description=text,
                description_fa=text_fa,
                sort_order=order,
            )
            for position, (currency, amount) in enumerate(prices.items()):
                PlanPrice.objects.create(
                    plan=plan, currency=currency, amount=Decimal(amount), sort_order=position
                )
            created += 1
    if site is not None:
        policy = PaywallSettings.for_site(site)
        if not policy.bank_details:
            policy.bank_details = BANK_DETAILS
            policy.bank_details_fa = BANK_DETAILS_FA
            policy.save()
    return created
