"""The comment form: guests give name and email; signed-in readers only type the comment."""

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator, URLValidator
from django.utils.translation import gettext_lazy as _

from . import services


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 6}))
    name = forms.CharField(label=_("Name"), max_length=100)
    email = forms.EmailField(label=_("Email"), max_length=254)
    website = forms.URLField(
        label=_("Website"),
        required=False,
        max_length=200,
        validators=[URLValidator(schemes=["http", "https"])],
        assume_scheme="https",
    )
    # Hidden from people by CSS and aria-hidden; bots fill every field they find.
    homepage = forms.CharField(required=False, label=_("Leave this field empty"))
    # Hidden fields are checked in clean(), so that their errors are shown as the form's own.
    parent = forms.CharField(required=False, widget=forms.HiddenInput)
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    error_messages = {
        "name": {"required": _("Please enter your name.")},
        "email": {
            "required": _("Please enter your email address."),
            "invalid": _("Please enter a valid email address, such as name@example.com."),
        },
        "body": {"required": _("Please write a comment.")},
    }

    def __init__(self, *args, article, user=None, ip: str = "", **kwargs):
        kwargs.setdefault("auto_id", "comment-%s")  # ids apart from the sign-in modal's
        super().__init__(*args, **kwargs)
        self.article = article
        self.user = user if user is not None and user.is_authenticated else None
        self.ip = ip
        self.reply_to = None
        max_length = settings.MASTHEAD_COMMENT_MAX_LENGTH
        self.fields["body"].validators.append(MaxLengthValidator(max_length))
        for name, messages in self.error_messages.items():
            self.fields[name].error_messages.update(messages)
        self.fields["body"].error_messages["max_length"] = _(
            "Your comment is too long: %(limit_value)d characters at most (it has %(show_value)d)."
        )
        if self.user:
            for name in ("name", "email", "website"):
                del self.fields[name]

    def clean(self):
        cleaned = super().clean()
        try:
            if cleaned.get("homepage"):
                raise services.Rejected(_("Your comment could not be accepted."))
            if services.are_comments_closed(self.article):
                raise services.Rejected(_("Comments are closed on this article."))
            services.check_token(cleaned.get("token", ""), self.article.pk)
            services.check_rate_limit(self.ip, self.user.pk if self.user else None)
            parent = cleaned.get("parent", "").strip()
            if parent and not parent.isdigit():
                raise services.Rejected(_("The comment you are replying to does not exist."))
            self.reply_to = services.resolve_parent(self.article, int(parent) if parent else None)
        except services.Rejected as rejection:
            raise forms.ValidationError(str(rejection)) from rejection
        return cleaned

    def author(self) -> tuple[str, str, str]:
        """Name, email and website: typed by a guest, taken from a signed-in reader's account."""
        if self.user:
            name = self.user.get_full_name() or self.user.get_username()
            return name, self.user.email, ""
        data = self.cleaned_data
        return data["name"].strip(), data["email"], data.get("website", "")
