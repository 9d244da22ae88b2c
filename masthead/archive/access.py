"""Who may download a printed edition's PDF: one decision for the archive's view and
for Wagtail's own document address, so neither can be used to get round the other."""

from masthead.subscriptions.access import Grant, Reader

from .models import ArchiveSettings


def printed_edition_grant(reader: Reader, *, subscribers_only: bool) -> Grant | None:
    """Return why the reader may download printed editions, or None if they may not.

    Cheapest checks first, as in the paywall's `decide`: staff cost two queries, a
    subscription one, licences one.
    """
    if not subscribers_only:
        return Grant.FREE
    if reader.subscription is not None:
        return Grant.SUBSCRIPTION
    if reader.is_staff:
        return Grant.STAFF
    if reader.licence is not None:
        return Grant.LICENCE
    return None


def subscribers_only(request) -> bool:
    return ArchiveSettings.for_request(request).printed_editions_for_subscribers
