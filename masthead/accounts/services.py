"""How a reader is named on the page; other apps (comments) call this, not the model."""

from django.contrib.auth.base_user import AbstractBaseUser


def display_name(user: AbstractBaseUser) -> str:
    """Return the name a reader chose, falling back to the username, never the email."""
    return getattr(user, "display_name", "") or user.get_username()
