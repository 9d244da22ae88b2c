"""Fill PostgreSQL's search table from the articles already live (nothing on SQLite).

The rows hold the text the current ArticlePage model gives the index (its `search_*`
methods, which historical models do not have), so this runs `entries.rebuild_entries`,
as `manage.py rebuild_search_entries` does.
"""

from django.db import migrations


def fill(apps, schema_editor):
    from masthead.search.entries import rebuild_entries

    rebuild_entries(using=schema_editor.connection.alias)


def empty(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DELETE FROM masthead_search_articlesearchentry")


class Migration(migrations.Migration):
    dependencies = [("masthead_search", "0004_article_search_entry")]

    operations = [migrations.RunPython(fill, empty, elidable=False)]
