"""Entitlement classes: which cached copy of a page a reader gets, read without a query.

A reader's class is written, signed, into the `masthead_class` cookie whenever a request
goes through Django for a signed-in reader (sign-in, sign-out, checkout, the reader-state
call every shared page makes for a signed-in reader). The value names the class and the
hour, and is bound to the reader's session cookie (a short hash of it, under the
signature): a copied class value opens nothing without that session, and a session that
ends (sign-out, a closed browser) takes the class with it. Checking it costs one HMAC.
"""

import hashlib
import time

from django.conf import settings
from django.core import signing
from django.core.signals import setting_changed
from django.dispatch import receiver

CLASS_COOKIE = "masthead_class"
CLASS_SALT = "masthead.pagecache.class"

ANONYMOUS = "anonymous"
REGISTERED = "registered"
SUBSCRIBER = "subscriber"
CLASSES = (ANONYMOUS, REGISTERED, SUBSCRIBER)

# A class value is honoured in the hour it was signed and the next: a subscription that
# lapses stops opening shared subscriber copies within two hours even for a reader without
# JavaScript (with it, the reader-state call rewrites the class at the next page).
CLASS_HOURS_VALID = 2

_signer = None
_verified: dict[str, tuple[str, int, str]] = {}  # cookie value -> (class, hour, session tag)


def _class_signer() -> signing.Signer:
    global _signer
    if _signer is None:
        _signer = signing.Signer(salt=CLASS_SALT, sep=".")
    return _signer


def this_hour() -> int:
    return int(time.time() // 3600)  # hours since the epoch, UTC


def session_tag(session_key: str) -> str:
    return hashlib.blake2b(session_key.encode(), digest_size=8).hexdigest()


def sign_class(entitlement: str, session_key: str, hour: int | None = None) -> str:
    hour = this_hour() if hour is None else hour
    return _class_signer().sign(f"{entitlement}.{hour}.{session_tag(session_key)}")


def read_class(value: str | None, session_key: str | None, hour: int | None = None) -> str | None:
    """The class a cookie value names, or None when absent, forged, out of date, or not
    bound to this session."""
    if not value or not session_key:
        return None
    verified = _verified.get(value)
    if verified is None:
        try:
            entitlement, signed_hour, tag = _class_signer().unsign(value).split(".")
            verified = (entitlement, int(signed_hour), tag)
        except (signing.BadSignature, ValueError):
            return None
        if entitlement not in CLASSES:
            return None
        if len(_verified) > 4096:  # one value per signed-in reader per hour: start afresh
            _verified.clear()
        _verified[value] = verified
    entitlement, signed_hour, tag = verified
    hour = this_hour() if hour is None else hour
    if not hour - CLASS_HOURS_VALID < signed_hour <= hour:
        return None
    if tag != session_tag(session_key):
        return None
    return entitlement


def class_of(request) -> str | None:
    """The class of the person behind a request that went through Django.

    None for staff: editors see drafts' userbar and previews, so they always bypass the cache.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    from masthead.subscriptions.access import Reader

    reader = Reader.from_request(request)
    if getattr(reader, "entitlement", None):  # rendered for a class: the person is unknown
        return reader.entitlement
    if reader.is_staff:
        return None
    if reader.subscription is not None or reader.licence is not None:
        return SUBSCRIBER
    return REGISTERED


def set_class_cookie(response, entitlement: str | None, current: str | None, session_key) -> None:
    """Write the reader's class into their cookie when it changed (or the hour did)."""
    if entitlement in (None, ANONYMOUS) or not session_key:
        if current is not None:
            response.delete_cookie(CLASS_COOKIE, samesite="Lax")
        return
    value = sign_class(entitlement, session_key)
    if value == current:
        return
    # No max-age: it ends with the browser, as a session that is not remembered does; a
    # remembered session gets a new one with the next page.
    response.set_cookie(
        CLASS_COOKIE,
        value,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


@receiver(setting_changed)
def forget_signatures(setting, **kwargs) -> None:
    """A new signing key (tests change it) makes every verified value unverified."""
    global _signer
    if setting in ("SECRET_KEY", "SECRET_KEY_FALLBACKS"):
        _signer = None
        _verified.clear()
