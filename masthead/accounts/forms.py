"""Forms that differ from allauth's: password recovery accepts a username too."""

from allauth.account import app_settings
from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm, ResetPasswordForm
from allauth.account.models import EmailAddress
from allauth.account.utils import filter_users_by_email
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _


class SignInForm(LoginForm):
    """allauth's sign-in form, its login field labelled for what it accepts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Username or email address")
        self.fields["password"].help_text = ""  # the form links "Forgotten Password?" itself


class ResetPasswordByLoginForm(ResetPasswordForm):
    """Find the account by username or email; say nothing about whether it exists."""

    # allauth's view reads cleaned_data["email"], so the field keeps that name.
    email = forms.CharField(
        label=_("Username or email address"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )

    def clean_email(self) -> str:
        """Return the address to write to, or the typed login when no account matches."""
        login = self.cleaned_data["email"].strip()
        if "@" in login:
            email = get_adapter().clean_email(login.lower())
            self.users = filter_users_by_email(email, is_active=True, prefer_verified=True)
            return email
        user = (
            get_user_model()
            .objects.filter(username__iexact=login, is_active=True)
            .exclude(email="")
            .first()
        )
        self.users = [user] if user else []
        if not user:
            if not app_settings.PREVENT_ENUMERATION:
                raise get_adapter().validation_error("unknown_email")
            return login
        address = EmailAddress.objects.filter(user=user, primary=True).first()
        return address.email if address else user.email


class ProfileForm(forms.ModelForm):
    """The reader's own settings on the account page."""

    class Meta:
        model = get_user_model()
        fields = [
            "display_name",
            "preferred_language",
            "wants_newsletter",
            "wants_reply_notifications",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        editions = self.fields["preferred_language"]
        editions.choices = [("", _("No preference")), *editions.choices[1:]]


class DeleteAccountForm(forms.Form):
    """Confirm deleting an account with the password, and choose what becomes of comments."""

    KEEP = "keep"
    REMOVE = "remove"

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    comments = forms.ChoiceField(
        label=_("Your comments"),
        choices=[
            (KEEP, _('Keep them, signed "Deleted reader"')),
            (REMOVE, _("Remove them")),
        ],
        initial=KEEP,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(
                _("That is not your password; your account has not been deleted."),
                code="wrong_password",
            )
        return password
