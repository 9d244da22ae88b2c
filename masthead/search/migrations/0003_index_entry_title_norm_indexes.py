"""Two indexes for the SQLite backend's bookkeeping after each batch it indexes.

After every bulk add, Wagtail's SQLite backend averages the length of every entry's title
and then rewrites the entries whose `title_norm` is still the default 1.0: two full scans
of the index table, whose rows hold each article's whole text. At 40,000 articles that is
0.3-0.45 s per batch (measured by the import benchmark), so an import of 100,000 articles
in batches slowed as it went. With an index on the title's length the average reads the
index only (40 ms to 1 ms on 6,000 entries), and with one on `title_norm` the rewrite finds
the new entries directly. PostgreSQL's backend has no such step; nothing is done there.
"""

from django.db import migrations

LENGTH_INDEX = "masthead_search_indexentry_title_length"
NORM_INDEX = "masthead_search_indexentry_title_norm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {LENGTH_INDEX} ON wagtailsearch_indexentry (LENGTH("title"))'
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NORM_INDEX} ON wagtailsearch_indexentry (title_norm)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP INDEX IF EXISTS {LENGTH_INDEX}")
        schema_editor.execute(f"DROP INDEX IF EXISTS {NORM_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("masthead_search", "0002_index_entry_whole_text_gin")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
