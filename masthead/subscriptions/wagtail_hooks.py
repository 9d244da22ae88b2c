"""The "Subscriptions" admin menu: plans, licences, subscriptions, payments, reports.

Subscriptions, orders, payments and Stripe's events are read here and changed only through
`services` (a manual payment, extend, end) or Stripe's webhooks, so their generic add, edit
and delete views are closed by a read-only permission policy, whoever the user is.
"""

from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .admin_views import (
    CAN_RECORD_PAYMENTS,
    CAN_VIEW_SUBSCRIPTIONS,
    LinkColumn,
    paid_until,
    record_payment_url,
    source_label,
    state_label,
)
from .models import Order, Payment, Plan, SiteLicence, StripeEvent, Subscription


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    """Django's model permissions, with only "view" among the generic views' actions."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a == "view"])


# Registered before any viewset asks, or Wagtail would fall back to its default policy.
for read_only_model in (Subscription, Order, Payment, StripeEvent):
    register_permission_policy(read_only_model, ReadOnlyPermissionPolicy(read_only_model))


class ReadOnlyViewSet(ModelViewSet):
    """A list and a page per row; no generic add, edit, copy, delete or history views."""

    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = []  # never used: the views that would need a form are not routed

    def get_urlpatterns(self):
        kept = {"index", "index_results", "inspect"}
        return [pattern for pattern in super().get_urlpatterns() if pattern.name in kept]


class PlanViewSet(SnippetViewSet):
    model = Plan
    icon = "tag"
    menu_label = _("Plans")
    list_display = [
        "name",
        "kind",
        "interval",
        Column(
            "prices",
            label=_("Prices"),
            accessor=lambda plan: ", ".join(map(str, plan.prices.all())),
        ),
        BooleanColumn("includes_print", label=_("Print")),
        BooleanColumn("is_active", label=_("On sale")),
    ]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "name_fa"]

    def get_queryset(self, request):
        return Plan.objects.prefetch_related("prices")


def licence_is_current(licence: SiteLicence) -> bool:
    return licence.starts_on <= timezone.localdate() <= licence.ends_on


class SiteLicenceViewSet(SnippetViewSet):
    model = SiteLicence
    icon = "group"
    menu_label = _("Site licences")
    list_display = [
        "name",
        "starts_on",
        "ends_on",
        BooleanColumn("current", label=_("Current"), accessor=licence_is_current),
    ]
    search_fields = ["name", "email_domains", "ip_ranges"]


class SubscriptionViewSet(ReadOnlyViewSet):
    model = Subscription
    name = admin_views.SUBSCRIPTIONS
    url_prefix = "subscriptions/subscriptions"
    icon = "user"
    menu_label = _("Subscriptions")
    index_view_class = admin_views.SubscriptionIndexView
    inspect_view_class = admin_views.SubscriptionInspectView
    list_display = [
        "user",
        "plan",
        Column("state", label=_("State"), accessor=state_label, sort_key="state"),
        Column(
            "current_period_end",
            label=_("Paid until"),
            accessor=paid_until,
            sort_key="current_period_end",
        ),
        Column("source", label=_("Paid through"), accessor=source_label),
    ]
    filterset_class = admin_views.SubscriptionFilterSet
    search_fields = ["user__username", "user__email"]
    list_per_page = 50
    inspect_view_fields = [
        "user",
        "plan",
        "state",
        "started_at",
        "current_period_end",
        "grace_until",
        "ended_at",
        "postal_address",
        "stripe_subscription_id",
    ]

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("extend/<int:pk>/", admin_views.ExtendSubscriptionView.as_view(), name="extend"),
            path("end/<int:pk>/", admin_views.EndSubscriptionView.as_view(), name="end"),
        ]


class OrderViewSet(ReadOnlyViewSet):
    model = Order
    name = admin_views.ORDERS
    url_prefix = "subscriptions/orders"
    icon = "list-ul"
    menu_label = _("Orders awaiting payment")
    index_view_class = admin_views.OrderIndexView
    inspect_view_class = admin_views.ReadOnlyInspectView
    list_display = [
        "reference",
        "user",
        "plan",
        Column("amount", label=_("Amount"), accessor=lambda o: f"{o.amount} {o.currency}"),
        "status",
        DateColumn("created_at", label=_("Placed")),
        LinkColumn(
            "record_payment",
            label=_("Payment"),
            link_label=_("Record payment"),
            get_url=record_payment_url,
        ),
    ]
    list_filter = ["status", "plan"]
    search_fields = ["reference", "user__username", "user__email"]
    list_per_page = 50

    @property
    def menu_url(self):
        return reverse(self.get_url_name("index")) + "?status=awaiting"


class PaymentViewSet(ReadOnlyViewSet):
    model = Payment
    name = admin_views.PAYMENTS
    url_prefix = "subscriptions/payments"
    icon = "doc-full"
    menu_label = _("Payments")
    index_view_class = admin_views.PaymentIndexView
    inspect_view_class = admin_views.ReadOnlyInspectView
    list_display = [
        "user",
        "plan",
        Column("amount", label=_("Amount"), accessor=lambda p: f"{p.amount} {p.currency}"),
        "method",
        "reference",
        DateColumn("paid_at", label=_("Paid")),
        Column("recorded_by", label=_("Recorded by")),
    ]
    list_filter = ["method"]
    search_fields = ["reference", "user__username", "user__email"]
    list_per_page = 50


class StripeEventViewSet(ReadOnlyViewSet):
    model = StripeEvent
    name = admin_views.STRIPE_EVENTS
    url_prefix = "subscriptions/stripe-events"
    icon = "code"
    menu_label = _("Stripe events")
    index_view_class = admin_views.ReadOnlyIndexView
    inspect_view_class = admin_views.StripeEventInspectView
    list_display = [
        "event_type",
        "event_id",
        "outcome",
        "note",
        DateColumn("created", label=_("Created at Stripe")),
        DateColumn("received_at", label=_("Received")),
    ]
    list_filter = ["outcome"]
    search_fields = ["event_id", "event_type", "note"]
    list_per_page = 50
    inspect_view_fields = ["event_id", "event_type", "outcome", "note", "created", "received_at"]


def menu_item_needing(permission: str) -> type[MenuItem]:
    return type(
        "PermissionMenuItem",
        (MenuItem,),
        {"is_shown": lambda self, request: request.user.has_perm(permission)},
    )


class RecordPaymentViewSet(ViewSet):
    name = admin_views.RECORD_PAYMENT
    url_prefix = "subscriptions/record-payment"
    icon = "form"
    menu_label = _("Record a manual payment")
    menu_item_class = menu_item_needing(CAN_RECORD_PAYMENTS)

    def get_urlpatterns(self):
        return [path("", admin_views.RecordPaymentView.as_view(), name="form")]


class ReportsViewSet(ViewSet):
    name = admin_views.REPORTS
    url_prefix = "subscriptions/reports"
    icon = "table"
    menu_label = _("Reports")
    menu_item_class = menu_item_needing(CAN_VIEW_SUBSCRIPTIONS)

    def get_urlpatterns(self):
        return [
            path("", admin_views.ReportsView.as_view(), name="index"),
            path(
                "print-subscribers.csv",
                admin_views.PrintAddressesView.as_view(),
                name="print_addresses",
            ),
        ]


class SubscriptionsMenu(SnippetViewSetGroup):
    menu_label = _("Subscriptions")
    menu_icon = "tag"
    menu_name = "subscriptions"
    menu_order = 260  # after Comments
    items = (
        SubscriptionViewSet,
        RecordPaymentViewSet,
        OrderViewSet,
        PaymentViewSet,
        PlanViewSet,
        SiteLicenceViewSet,
        ReportsViewSet,
        StripeEventViewSet,
    )


register_snippet(SubscriptionsMenu)
