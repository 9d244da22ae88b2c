"""Settings shared by every environment; each environment module imports and adjusts these.

Every value that differs between machines comes from an environment variable, listed in
README.md under "Configuration".
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent
VAR_DIR = Path(os.environ.get("MASTHEAD_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h]

INSTALLED_APPS = [
    "masthead.core",
    "masthead.accounts",
    "allauth",
    "allauth.account",
    "masthead.images",
    "masthead.content",
    "masthead.comments",
    "masthead.subscriptions",
    "masthead.search",
    "masthead.archive",
    "masthead.feeds",
    "masthead.api",
    "masthead.wordpress",
    "masthead.pagecache",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.search_promotions",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # ETag from the content where a view sets none; 304 for If-None-Match/If-Modified-Since.
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A page the page cache shares is rendered for the reader's class, not the person.
    "masthead.pagecache.middleware.ClassRenderMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # The request's Wagtail site from memory: Wagtail's lookup is a query on every page.
    "masthead.core.sites.SiteMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "masthead.wordpress.middleware.WordPressQueryLinkMiddleware",  # /?p=123 from an import
    "allauth.account.middleware.AccountMiddleware",
    "masthead.subscriptions.middleware.VisitorCookieMiddleware",
]

ROOT_URLCONF = "masthead.urls"
CSRF_FAILURE_VIEW = "masthead.core.views.csrf_failure"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "masthead.core.context_processors.chrome",
                "masthead.pagecache.context_processors.shared_render",
            ],
            "builtins": ["django.templatetags.i18n"],
        },
    },
]

WSGI_APPLICATION = "masthead.wsgi.application"

# SQLite under var/ unless DATABASE_URL names another database (PostgreSQL in production).
# Connections are kept between requests (a minute by default, checked before reuse):
# opening one per request cost an uncached article page about a tenth of its time.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    INSTALLED_APPS.append("django.contrib.postgres")  # Wagtail's full-text indexes need it
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # SQLite creates the file, not its folder
    # WAL lets readers and the one writer work side by side; IMMEDIATE avoids
    # "database is locked" when two writers upgrade their transactions at once.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# Local memory by default; Redis when REDIS_URL is set.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "masthead.core.redis_cache.OutageTolerantRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "masthead",
            "OPTIONS": {
                # A cache outage slows the site down; it must not take it down. Short
                # timeouts keep a Redis that no longer answers from holding every request.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": 0.25,
                "SOCKET_TIMEOUT": 0.25,
            },
        }
    }
    # Wagtail's renditions in each process's memory: a rendition's key names the image's
    # file hash and focal point, so a new file or crop is a new key and nothing goes stale;
    # Wagtail also writes each rendition back on every use, a round trip per picture in
    # Redis (about 2 ms of a 25 ms article), here a refreshed expiry (images/cache.py).
    # Only renditions deleted while their image stays
    # (`wagtail_update_image_renditions --purge-only`) linger, for up to an hour or until
    # the workers restart.
    CACHES["renditions"] = {
        "BACKEND": "masthead.images.cache.RenditionCache",
        "LOCATION": "masthead-renditions",
        "TIMEOUT": 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": 5000},
    }
    # The header, menus and footer ({% cache %} in base.html) in each process's memory:
    # their keys carry the chrome version from the shared store, so a change anywhere is
    # a new key everywhere, and a hit costs no round trip and no unpickling of Redis's copy.
    CACHES["template_fragments"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "masthead-template-fragments",
        "OPTIONS": {"MAX_ENTRIES": 200},
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "masthead",
        },
        # Wagtail looks renditions up here before asking the database.
        "renditions": {
            "BACKEND": "masthead.images.cache.RenditionCache",
            "LOCATION": "masthead-renditions",
            "TIMEOUT": 24 * 60 * 60,
        },
    }

# The page cache (masthead/pagecache): whole pages per entitlement class, in Redis when
# REDIS_URL is set (shared by every worker and purged for all), else in files under
# var/ (shared by the workers of one machine). MASTHEAD_PAGE_CACHE=0 turns it off.
PAGE_CACHE = {
    "ENABLED": os.environ.get("MASTHEAD_PAGE_CACHE", "1") != "0",
    "TTL": int(os.environ.get("MASTHEAD_PAGE_CACHE_SECONDS", "300")),  # s-maxage too
    "STALE": 60,  # stale-while-revalidate, for shared caches in front
    # The edge caches to tell about purges (Varnish with xkey), comma-separated addresses.
    "EDGE_PURGE_URLS": [
        url.strip()
        for url in os.environ.get("MASTHEAD_EDGE_PURGE_URLS", "").split(",")
        if url.strip()
    ],
}
if os.environ.get("REDIS_URL"):
    CACHES["pages"] = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": "masthead-pages",
        "TIMEOUT": PAGE_CACHE["TTL"],
        # Not IGNORE_EXCEPTIONS: the page cache notices an outage itself, logs it, serves
        # pages uncached and reports it in /healthz. Short timeouts keep an outage cheap.
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.25},
    }
else:
    CACHES["pages"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "page-cache"),
        "TIMEOUT": PAGE_CACHE["TTL"],
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }

AUTH_USER_MODEL = "accounts.User"
WAGTAILIMAGES_IMAGE_MODEL = "images.CustomImage"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",  # staff in the Wagtail admin
    "allauth.account.auth_backends.AuthenticationBackend",  # readers: username or email
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # verifies older hashes, then upgrades
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Editions: English at the root, Persian under /fa/.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fa", _("Persian")),
]
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
LOCALE_PATHS = [PROJECT_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [PROJECT_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Mail: SMTP in production; the console in development (see dev.py).
MAILERS = {
    "default": {
        "BACKEND": os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": os.environ.get("EMAIL_HOST", "localhost"),
            "port": int(os.environ.get("EMAIL_PORT", "25")),
            "username": os.environ.get("EMAIL_HOST_USER", ""),
            "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
            "use_tls": os.environ.get("EMAIL_USE_TLS", "") == "1",
        },
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Masthead <newsroom@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

WAGTAIL_SITE_NAME = "Masthead"
WAGTAILADMIN_BASE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# The database's own full-text search (SQLite FTS5, PostgreSQL) unless SEARCH_URL names an
# Elasticsearch or OpenSearch server. "english" stems English words on PostgreSQL; Persian
# words pass through it unstemmed (masthead/search/README.md).
if os.environ.get("SEARCH_URL"):
    WAGTAILSEARCH_BACKENDS = {
        "default": {
            "BACKEND": os.environ.get("SEARCH_BACKEND", "wagtail.search.backends.elasticsearch8"),
            "URLS": [os.environ["SEARCH_URL"]],
            "INDEX": os.environ.get("SEARCH_INDEX", "masthead"),
            "TIMEOUT": 5,
        }
    }
else:
    WAGTAILSEARCH_BACKENDS = {
        "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "english"}
    }
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "rtf", "txt", "xlsx", "zip"]
WAGTAILIMAGES_EXTENSIONS = ["avif", "gif", "jpg", "jpeg", "png", "webp"]
WAGTAIL_DATE_FORMAT = "%Y-%m-%d"
WAGTAIL_DATETIME_FORMAT = "%Y-%m-%d %H:%M"
WAGTAILEMBEDS_RESPONSIVE_HTML = True
TAGGIT_CASE_INSENSITIVE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Masthead's own knobs.
MASTHEAD_SECTION_PAGE_SIZE = 12  # articles per section page
MASTHEAD_MEGA_MENU_ARTICLES = 4  # articles per mega-menu tab, as on the reference page
MASTHEAD_CHROME_CACHE_SECONDS = 60 * 60  # header and footer fragments; purged on publish

# Reader comments (masthead.comments).
MASTHEAD_COMMENT_MAX_DEPTH = 3  # replies nest at most this deep; deeper ones attach higher
MASTHEAD_COMMENT_CLOSE_AFTER_DAYS = 0  # close comments this long after publication; 0 = never
MASTHEAD_COMMENT_MAX_LENGTH = 5000  # characters in one comment
MASTHEAD_COMMENT_NEWEST_FIRST = False  # oldest first, as WordPress shows them
MASTHEAD_COMMENT_MIN_SECONDS = 3  # a form sent faster than this is a bot
MASTHEAD_COMMENT_TOKEN_MAX_AGE = 24 * 60 * 60  # a form older than a day must be reloaded
MASTHEAD_COMMENT_RATE_LIMIT = (5, 10 * 60)  # comments per IP and per account, per seconds

# Payments (masthead.subscriptions): without these the site sells by manual payment only.
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")

# Reader accounts (django-allauth); see masthead/accounts/README.md for the rules.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # a POST confirms, so mail scanners cannot
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True  # in the browser that signed up: back to reading
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True  # one address; a new one replaces it once confirmed
ACCOUNT_SESSION_REMEMBER = None  # the reader ticks "Remember me"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False  # an unknown address gets no mail at all
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_FORMS = {
    "login": "masthead.accounts.forms.SignInForm",
    "reset_password": "masthead.accounts.forms.ResetPasswordByLoginForm",
}
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/300s/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
ACCOUNT_USER_DISPLAY = "masthead.accounts.services.display_name"
# Reverse proxies in front of the site, whose X-Forwarded-For is believed (0: none).
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
PASSWORD_RESET_TIMEOUT = 3 * 60 * 60  # a reset link works for three hours, once
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"
