import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings.production")

from masthead.pagecache.wsgi import PageCacheApplication  # noqa: E402 - after the settings

# The page cache answers cached pages before Django's middleware runs (masthead/pagecache).
application = PageCacheApplication(get_wsgi_application())
