"""The default cache on Redis, for a site that must keep serving while Redis is down."""

from django_redis.cache import RedisCache


class OutageTolerantRedisCache(RedisCache):
    """django-redis with IGNORE_EXCEPTIONS, except that an `add()` dropped by an outage
    reports success, as every other dropped write does.

    Told to ignore outages, django-redis answers every read with nothing and drops every
    write, but its `add()` then answers "not added": to a caller that waits for an add to
    succeed, the cache looks held by somebody else. allauth's rate limits take a lock that
    way, waited a second and refused the reader ("too many attempts"): nobody could sign
    in while Redis was down. With this, while the cache is down the rate limits count
    nothing (sign-in, search and comments stay open) and the log says so for every call.
    """

    def add(self, *args, **kwargs):
        added = super().add(*args, **kwargs)
        return True if added is None else added
