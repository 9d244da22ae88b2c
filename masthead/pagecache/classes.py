"""Entitlement classes: which cached copy of a page a reader gets, read without a query.

A reader's class is written, signed, into the `masthead_class` cookie whenever a request
goes through Django for a signed-in reader (sign-in, sign-out, checkout, the reader-state
call every cached page makes). The value is the class and the day, signed with the
site's secret, so it is the same for every reader of a class on one day: an edge cache
(Varnish) can key its copies on the raw value, and a forged value only ever finds a copy
rendered for the anonymous class (the backend checks the signature).
"""

import datetime

from django.conf import settings
from django.core import signing

CLASS_COOKIE = "masthead_class"
CLASS_SALT = "masthead.pagecache.class"

ANONYMOUS = "anonymous"
REGISTERED = "registered"
SUBSCRIBER = "subscriber"
CLASSES = (ANONYMOUS, REGISTERED, SUBSCRIBER)

# A class value is honoured on the day it was signed and the next: long enough that a
# reader crossing midnight keeps their copy, short enough that a copied value soon dies.
CLASS_DAYS_VALID = 2

_signer = None
_verified: dict[str, tuple[str, str]] = {}  # cookie value -> (class, day); a few per day


def _class_signer() -> signing.Signer:
    global _signer
    if _signer is None:
        _signer = signing.Signer(salt=CLASS_SALT, sep=".")
    return _signer


def today() -> datetime.date:
    return datetime.datetime.now(datetime.UTC).date()


def sign_class(entitlement: str, day: datetime.date | None = None) -> str:
    day = day or today()
    return _class_signer().sign(f"{entitlement}.{day:%Y%m%d}")


def read_class(value: str | None, day: datetime.date | None = None) -> str | None:
    """The class a cookie value names, or None when absent, forged or out of date."""
    if not value:
        return None
    verified = _verified.get(value)
    if verified is None:
        try:
            entitlement, signed_on = _class_signer().unsign(value).split(".", 1)
        except (signing.BadSignature, ValueError):
            return None
        if entitlement not in CLASSES:
            return None
        verified = (entitlement, signed_on)
        if len(_verified) > 64:  # only forged values could fill it: forget them all
            _verified.clear()
        _verified[value] = verified
    entitlement, signed_on = verified
    day = day or today()
    oldest = day - datetime.timedelta(days=CLASS_DAYS_VALID - 1)
    if not f"{oldest:%Y%m%d}" <= signed_on <= f"{day:%Y%m%d}":
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


def set_class_cookie(response, entitlement: str | None, current: str | None) -> None:
    """Write the reader's class into their cookie when it changed (or the day did)."""
    if entitlement in (None, ANONYMOUS):
        if current is not None:
            response.delete_cookie(CLASS_COOKIE, samesite="Lax")
        return
    value = sign_class(entitlement)
    if value == current:
        return
    response.set_cookie(
        CLASS_COOKIE,
        value,
        max_age=CLASS_DAYS_VALID * 24 * 60 * 60,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )
