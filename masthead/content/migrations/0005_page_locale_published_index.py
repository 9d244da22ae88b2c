"""An index on Wagtail's page table for "an edition's newest articles".

Every listing (front page, section pages, mega-menus, related articles, feeds) asks for
the newest live pages of one locale, newest first (`ArticlePageQuerySet.newest_first`).
With only Wagtail's single-column indexes the database took the locale's (half the
archive) and sorted it all: 60-90 ms a query at 100,000 articles, several a page. On
(locale, publication time) it walks one edition newest first and stops at the slice's end
(under 1 ms). PostgreSQL needs the index in the listings' own order (newest first, never
published last) to walk it; SQLite puts nulls first in ascending order, so its plain
index walked backwards is that order already. The table is Wagtail's: plain SQL.
"""

from django.db import migrations

INDEX = "content_page_locale_published"
COLUMNS = {
    "postgresql": "locale_id, first_published_at DESC NULLS LAST",
    "sqlite": "locale_id, first_published_at",
}


def create_index(apps, schema_editor):
    columns = COLUMNS.get(schema_editor.connection.vendor, COLUMNS["sqlite"])
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON wagtailcore_page ({columns})")


def drop_index(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0004_sectionpage_default_access_level"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
