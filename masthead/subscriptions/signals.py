"""Signals other features hook: newsletters, retention emails, the page cache.

Each is sent with `subscription=` after the change is saved.
"""

from django.dispatch import Signal

subscription_started = Signal()
subscription_renewed = Signal()
subscription_cancelled = Signal()  # will end at the end of the paid period
subscription_resumed = Signal()
subscription_payment_failed = Signal()
subscription_ended = Signal()
