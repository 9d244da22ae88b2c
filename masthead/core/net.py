"""The reader's address, as every feature that keys on it must see it.

Behind a reverse proxy REMOTE_ADDR is the proxy's; allauth already knows how many proxies
to trust (`ALLAUTH_TRUSTED_PROXY_COUNT`, from TRUSTED_PROXY_COUNT), so rate limits, comment
limits and site licences all ask it, and agree.
"""

from allauth.account.adapter import get_adapter
from django.core.exceptions import ImproperlyConfigured, PermissionDenied


def client_ip(request) -> str | None:
    try:
        return get_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):
        # No address, or fewer forwarding hops than the proxies we were told to trust:
        # treat the request as coming from nowhere in particular.
        return None
