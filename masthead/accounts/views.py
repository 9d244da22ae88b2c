"""The account page and what allauth lacks: preferences, data export, account deletion."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, UpdateView

from . import services
from .forms import DeleteAccountForm, ProfileForm


class ProfileView(LoginRequiredMixin, UpdateView):
    """Let a signed-in reader edit their display name, preferred edition and preferences."""

    form_class = ProfileForm
    template_name = "account/profile.html"

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        messages.success(self.request, _("Your account has been saved."))
        return super().form_valid(form)

    def get_success_url(self) -> str:
        return reverse("account_profile")


class ExportDataView(LoginRequiredMixin, View):
    """Hand a reader their own data as a JSON download; POST only, so CSRF guards it."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        data = services.export_reader_data(request.user, request)
        response = HttpResponse(
            json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        filename = f"masthead-account-{request.user.get_username()}.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class DeleteAccountView(LoginRequiredMixin, FormView):
    """Delete the reader's account once they give their password; sign them out."""

    form_class = DeleteAccountForm
    template_name = "account/delete_account.html"

    def get_form_kwargs(self) -> dict:
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form) -> HttpResponse:
        user = self.request.user
        logout(self.request)
        services.delete_reader(
            user,
            keep_comments=form.cleaned_data["comments"] == DeleteAccountForm.KEEP,
            deleted_name=_("Deleted reader"),
        )
        messages.success(self.request, _("Your account has been deleted."))
        return HttpResponseRedirect(reverse("wagtail_serve", args=[""]))  # the edition's front
