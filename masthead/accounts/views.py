"""The account page: what a reader can change about themselves besides email and password."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import UpdateView

from .forms import ProfileForm


class ProfileView(LoginRequiredMixin, UpdateView):
    """Let a signed-in reader edit their display name and preferred edition."""

    form_class = ProfileForm
    template_name = "account/profile.html"

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        messages.success(self.request, _("Your account has been saved."))
        return super().form_valid(form)

    def get_success_url(self) -> str:
        return reverse("account_profile")
