from .base import *

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-secret-key-never-use-in-production"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]"]
if "EMAIL_BACKEND" not in os.environ and "EMAIL_HOST" not in os.environ:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
INTERNAL_IPS = ["127.0.0.1"]
