"""The staff's views of subscriptions in the Wagtail admin.

Lists and pages are Wagtail's generic views, narrowed here; the changes (a manual payment,
extending or ending a subscription) call `services`, never write rows themselves.
"""

import csv
import datetime
import json

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.db.models.functions import TruncMonth
from django.http import HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import defaults
from django.views.generic import FormView, TemplateView, View
from wagtail.admin import messages
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import HeaderButton

from . import services
from .admin_forms import ExtendForm, ManualPaymentForm
from .models import (
    Order,
    OrderStatus,
    Payment,
    Plan,
    PlanKind,
    Subscription,
    SubscriptionState,
)

# URL namespaces of the viewsets in wagtail_hooks.py; the views link to one another.
SUBSCRIPTIONS = "subscriptions_subscription"
ORDERS = "subscriptions_order"
PAYMENTS = "subscriptions_payment"
STRIPE_EVENTS = "subscriptions_stripeevent"
RECORD_PAYMENT = "subscriptions_record_payment"
REPORTS = "subscriptions_reports"

CAN_VIEW_SUBSCRIPTIONS = "subscriptions.view_subscription"
CAN_CHANGE_SUBSCRIPTIONS = "subscriptions.change_subscription"
CAN_RECORD_PAYMENTS = "subscriptions.add_payment"


class ForbiddenMixin:
    """Answer a refused permission with 403, where Wagtail would redirect to the dashboard.

    A 403 tells an editor (and a test) plainly that the page exists and is not theirs.
    """

    permission_required_to_use = ""  # a Django permission, checked besides Wagtail's policy

    def dispatch(self, request, *args, **kwargs):
        try:
            if self.permission_required_to_use and not request.user.has_perm(
                self.permission_required_to_use
            ):
                raise PermissionDenied
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied as refusal:
            return defaults.permission_denied(request, refusal)


def paid_until(subscription: Subscription) -> str:
    return date_format(timezone.localtime(subscription.current_period_end), "DATE_FORMAT")


def state_label(subscription: Subscription) -> str:
    """The state as staff should read it, saying so when a period lapsed unnoticed."""
    label = subscription.get_state_display()
    if subscription.state != SubscriptionState.ENDED and not subscription.is_entitling():
        return _("%(state)s — lapsed, ends tonight") % {"state": label}
    return label


def source_label(subscription: Subscription) -> str:
    return _("Stripe") if subscription.is_stripe else _("Manual")


class LinkColumn(Column):
    """A cell holding one link, or nothing when `get_url` gives no address."""

    cell_template_name = "subscriptions/admin/link_cell.html"

    def __init__(self, name, *, link_label, get_url, **kwargs):
        super().__init__(name, **kwargs)
        self.link_label = link_label
        self.get_url = get_url

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["url"] = self.get_url(instance, parent_context["request"])
        context["link_label"] = self.link_label
        return context


# Subscriptions ---------------------------------------------------------------------------


class SubscriptionFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(label=gettext_lazy("State"), choices=SubscriptionState)
    plan = django_filters.ModelChoiceFilter(label=gettext_lazy("Plan"), queryset=Plan.objects.all())
    source = django_filters.ChoiceFilter(
        label=gettext_lazy("Paid through"),
        choices=[("stripe", gettext_lazy("Stripe")), ("manual", gettext_lazy("Manual"))],
        method="filter_source",
    )

    class Meta:
        model = Subscription
        fields = ["state", "plan"]

    def filter_source(self, queryset, name, value):
        if value == "stripe":
            return queryset.exclude(stripe_subscription_id="")
        return queryset.filter(stripe_subscription_id="")


class SubscriptionIndexView(ForbiddenMixin, IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user", "plan")

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.request.user.has_perm(CAN_RECORD_PAYMENTS):
            buttons.append(
                HeaderButton(
                    _("Record a manual payment"),
                    url=reverse(f"{RECORD_PAYMENT}:form"),
                    icon_name="plus",
                )
            )
        return buttons


class SubscriptionInspectView(ForbiddenMixin, InspectView):
    template_name = "subscriptions/admin/subscription_inspect.html"

    def get_object(self, queryset=None):
        payments = Payment.objects.select_related("plan", "order", "recorded_by")
        return get_object_or_404(
            Subscription.objects.select_related("user", "plan").prefetch_related(
                Prefetch("payments", queryset=payments)
            ),
            pk=self.pk,
        )

    def get_state_display_value(self):
        return state_label(self.object)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        subscription = self.object
        may_change = self.request.user.has_perm(CAN_CHANGE_SUBSCRIPTIONS)
        context.update(
            payments=subscription.payments.all(),
            may_change=may_change and not subscription.is_stripe,
            managed_by_stripe=subscription.is_stripe,
            extend_form=ExtendForm(),
            extend_url=reverse(f"{SUBSCRIPTIONS}:extend", args=[subscription.pk]),
            end_url=reverse(f"{SUBSCRIPTIONS}:end", args=[subscription.pk]),
            is_ended=subscription.state == SubscriptionState.ENDED,
        )
        return context


class SubscriptionChangeMixin(ForbiddenMixin):
    """A staff change to one subscription paid by hand; Stripe's own are changed in Stripe."""

    permission_required_to_use = CAN_CHANGE_SUBSCRIPTIONS

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.subscription = get_object_or_404(
            Subscription.objects.select_related("user", "plan"), pk=kwargs["pk"]
        )

    @property
    def inspect_url(self) -> str:
        return reverse(f"{SUBSCRIPTIONS}:inspect", args=[self.subscription.pk])

    def refuse_stripe(self):
        messages.error(
            self.request,
            _(
                "This subscription is billed by Stripe: change it in Stripe's dashboard and "
                "the change reaches this page through Stripe's events. Nothing changed here."
            ),
        )
        return HttpResponseRedirect(self.inspect_url)


class ExtendSubscriptionView(SubscriptionChangeMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        if self.subscription.is_stripe:
            return self.refuse_stripe()
        form = ExtendForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["until"]))
            return HttpResponseRedirect(self.inspect_url)
        try:
            services.extend(self.subscription, form.cleaned_data["until"])
        except services.Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(
                request,
                _("%(reader)s's subscription is paid until %(date)s.")
                % {"reader": self.subscription.user, "date": paid_until(self.subscription)},
            )
        return HttpResponseRedirect(self.inspect_url)


class EndSubscriptionView(SubscriptionChangeMixin, WagtailAdminTemplateMixin, TemplateView):
    """Ask first, then end: the reader loses access at once."""

    template_name = "subscriptions/admin/confirm_end.html"
    page_title = gettext_lazy("End this subscription now?")
    header_icon = "warning"

    def get_page_subtitle(self):
        return str(self.subscription)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(f"{SUBSCRIPTIONS}:index"), "label": _("Subscriptions")},
            {"url": self.inspect_url, "label": str(self.subscription)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request, *args, **kwargs):
        if self.subscription.is_stripe:
            return self.refuse_stripe()
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "subscription": self.subscription,
            "inspect_url": self.inspect_url,
        }

    def post(self, request, pk):
        if self.subscription.is_stripe:
            return self.refuse_stripe()
        if self.subscription.state == SubscriptionState.ENDED:
            messages.warning(request, _("This subscription had ended already; nothing changed."))
        else:
            services.end_now(self.subscription)
            messages.success(
                request,
                _("%(reader)s's subscription has ended.") % {"reader": self.subscription.user},
            )
        return HttpResponseRedirect(self.inspect_url)


# Orders, payments and Stripe's events ----------------------------------------------------


def record_payment_url(order: Order, request) -> str | None:
    if order.status == OrderStatus.AWAITING_PAYMENT and request.user.has_perm(CAN_RECORD_PAYMENTS):
        return f"{reverse(f'{RECORD_PAYMENT}:form')}?order={order.pk}"
    return None


class OrderIndexView(ForbiddenMixin, IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user", "plan")


class PaymentIndexView(ForbiddenMixin, IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("user", "plan", "recorded_by")


class StripeEventInspectView(ForbiddenMixin, InspectView):
    template_name = "subscriptions/admin/stripe_event_inspect.html"

    def get_context_data(self, **kwargs):
        payload = json.dumps(self.object.payload, indent=2, sort_keys=True, ensure_ascii=False)
        return {**super().get_context_data(**kwargs), "payload": payload}


class ReadOnlyInspectView(ForbiddenMixin, InspectView):
    pass


class ReadOnlyIndexView(ForbiddenMixin, IndexView):
    pass


# Recording a manual payment --------------------------------------------------------------


class RecordPaymentView(ForbiddenMixin, WagtailAdminTemplateMixin, FormView):
    """Money received by hand starts or extends a subscription, as a card payment would."""

    permission_required_to_use = CAN_RECORD_PAYMENTS
    template_name = "subscriptions/admin/record_payment.html"
    form_class = ManualPaymentForm
    page_title = gettext_lazy("Record a manual payment")
    header_icon = "form"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    @cached_property
    def order(self) -> Order | None:
        order_id = self.request.GET.get("order", "")
        if not order_id.isdigit():
            return None
        return Order.objects.select_related("user", "plan").filter(pk=order_id).first()

    def get_initial(self):
        plan = None
        if self.order is None and self.request.GET.get("plan", "").isdigit():
            plan = Plan.objects.prefetch_related("prices").filter(pk=self.request.GET["plan"])
            plan = plan.first()
        return ManualPaymentForm.initial_for(order=self.order, plan=plan)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        awaiting = (
            Order.objects.filter(status=OrderStatus.AWAITING_PAYMENT)
            .select_related("user", "plan")
            .order_by("-created_at")[:20]
        )
        context.update(
            action_url=self.request.get_full_path(),
            plans=Plan.objects.prefetch_related("prices"),
            awaiting_orders=[
                (order, record_payment_url(order, self.request)) for order in awaiting
            ],
            all_orders_url=reverse(f"{ORDERS}:index") + f"?status={OrderStatus.AWAITING_PAYMENT}",
            prefilled_order=self.order,
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        earlier = form.earlier_payment
        if earlier is not None:
            return self.already_recorded(earlier)
        result = services.record_payment(
            user=data["reader"],
            plan=data["plan"],
            amount=data["amount"],
            currency=data["currency"],
            method=data["method"],
            reference=data["reference"],
            order=data["order"],
            recorded_by=self.request.user,
            note=data["note"],
            postal_address=data.get("postal_address", ""),
        )
        if not result.created:  # another request with the same reference won the race
            return self.already_recorded(result.payment)
        payment = result.payment
        if result.subscription is not None:
            messages.success(
                self.request,
                _(
                    "Payment of %(amount)s %(currency)s recorded for %(reader)s: "
                    "the subscription is paid until %(date)s."
                )
                % {
                    "amount": payment.amount,
                    "currency": payment.currency,
                    "reader": payment.user,
                    "date": paid_until(result.subscription),
                },
            )
            return HttpResponseRedirect(
                reverse(f"{SUBSCRIPTIONS}:inspect", args=[result.subscription.pk])
            )
        messages.success(
            self.request,
            _(
                "Payment of %(amount)s %(currency)s recorded for %(reader)s: "
                "%(count)s unlocks added."
            )
            % {
                "amount": payment.amount,
                "currency": payment.currency,
                "reader": payment.user,
                "count": payment.plan.unlocks,
            },
        )
        return HttpResponseRedirect(reverse(f"{PAYMENTS}:index"))

    def already_recorded(self, earlier: Payment):
        messages.warning(
            self.request,
            _(
                "A %(method)s payment with the reference “%(reference)s” was recorded on "
                "%(date)s for %(reader)s. Nothing changed: a payment is never counted twice."
            )
            % {
                "method": earlier.get_method_display().lower(),
                "reference": earlier.reference,
                "date": date_format(timezone.localtime(earlier.paid_at), "DATE_FORMAT"),
                "reader": earlier.user,
            },
        )
        if earlier.subscription_id:
            return HttpResponseRedirect(
                reverse(f"{SUBSCRIPTIONS}:inspect", args=[earlier.subscription_id])
            )
        return HttpResponseRedirect(reverse(f"{PAYMENTS}:index") + f"?q={earlier.reference}")


# Reports ---------------------------------------------------------------------------------


def last_months(count: int, today: datetime.date | None = None) -> list[datetime.date]:
    """The first days of the last `count` months, oldest first, this month included."""
    today = today or timezone.localdate()
    year, month = today.year, today.month
    months = []
    for _step in range(count):
        months.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def count_by_month(field: str, since: datetime.datetime) -> dict[datetime.date, int]:
    rows = (
        Subscription.objects.filter(**{f"{field}__gte": since})
        .annotate(month=TruncMonth(field, tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {timezone.localtime(row["month"]).date(): row["count"] for row in rows}


def subscribers_by_plan(now: datetime.datetime | None = None) -> list[dict]:
    """Readers an entitling subscription covers, per plan; a reader counts once per plan."""
    counts = dict(
        Subscription.objects.entitling(now)
        .values("plan")
        .annotate(readers=Count("user", distinct=True))
        .values_list("plan", "readers")
        .order_by()
    )
    return [
        {"plan": plan, "readers": counts.get(plan.pk, 0)}
        for plan in Plan.objects.filter(kind=PlanKind.SUBSCRIPTION)
    ]


class ReportsView(ForbiddenMixin, WagtailAdminTemplateMixin, TemplateView):
    permission_required_to_use = CAN_VIEW_SUBSCRIPTIONS
    template_name = "subscriptions/admin/reports.html"
    page_title = gettext_lazy("Subscription reports")
    header_icon = "table"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        months = last_months(12)
        since = timezone.make_aware(datetime.datetime.combine(months[0], datetime.time.min))
        started = count_by_month("started_at", since)
        ended = count_by_month("ended_at", since)
        by_plan = subscribers_by_plan()
        return {
            **super().get_context_data(**kwargs),
            "by_plan": by_plan,
            "total_subscribers": Subscription.objects.entitling().values("user").distinct().count(),
            "months": [
                {"month": month, "started": started.get(month, 0), "ended": ended.get(month, 0)}
                for month in months
            ],
            "csv_url": reverse(f"{REPORTS}:print_addresses"),
        }


class Echo:
    """A file-like object that hands back what csv.writer writes, for streaming."""

    def write(self, value):
        return value


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """Keep a cell a value when a spreadsheet opens the file: formulas start with these."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def print_subscribers(now: datetime.datetime | None = None):
    return (
        Subscription.objects.entitling(now)
        .filter(plan__includes_print=True)
        .select_related("user", "plan")
        .order_by("user__last_name", "user__first_name", "user__username", "pk")
    )


class PrintAddressesView(ForbiddenMixin, View):
    """Mailing addresses of the readers the printed paper goes to, as a CSV download."""

    permission_required_to_use = CAN_VIEW_SUBSCRIPTIONS

    def get(self, request):
        header = [_("Name"), _("Email"), _("Plan"), _("Paid until"), _("Postal address")]

        def rows():
            yield header
            for subscription in print_subscribers().iterator(chunk_size=500):
                reader = subscription.user
                yield [
                    reader.get_full_name() or str(reader),
                    reader.email,
                    subscription.plan.name,
                    timezone.localtime(subscription.current_period_end).date().isoformat(),
                    subscription.postal_address,
                ]

        writer = csv.writer(Echo())
        filename = f"print-subscribers-{timezone.localdate():%Y-%m-%d}.csv"
        return StreamingHttpResponse(
            (writer.writerow([spreadsheet_safe(cell) for cell in row]) for row in rows()),
            content_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
