from .base import *

SECRET_KEY = "test-only-secret-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; tests only
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
MEDIA_ROOT = VAR_DIR / "test-media"
# Local memory unless REDIS_URL asks the suite to run against Redis (as CI's PostgreSQL run does).
if not os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "masthead-test",
        },
        "renditions": {
            "BACKEND": "masthead.images.cache.RenditionCache",
            "LOCATION": "masthead-test-renditions",
            "TIMEOUT": 24 * 60 * 60,
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "masthead-test-pages",
        },
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["NAME"] = VAR_DIR / "test.sqlite3"
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}

# Parallel test workers (pytest-xdist) each take their own Redis database, counting down
# from REDIS_URL's: a test's cache.clear() empties its whole database (FLUSHDB).
if os.environ.get("REDIS_URL") and os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw"):
    _base, _, _db = os.environ["REDIS_URL"].rpartition("/")
    if not _db.isdigit():  # no database number in the address: database 0
        _base, _db = os.environ["REDIS_URL"].rstrip("/"), "0"
    _worker = int(os.environ["PYTEST_XDIST_WORKER"][2:])
    _url = f"{_base}/{(int(_db or 0) - _worker) % 16}"
    for _cache in CACHES.values():
        if "redis" in _cache["BACKEND"].lower():
            _cache["LOCATION"] = _url
