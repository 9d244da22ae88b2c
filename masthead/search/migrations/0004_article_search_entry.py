"""PostgreSQL's own search table (see ArticleSearchEntry and the search README).

On PostgreSQL this also adds the two full-text (GIN) indexes, without GIN's pending list
(`fastupdate`): articles are written rarely and searched often, and a pending list of a
few thousand rows makes every search read it and the planner shun the index (100 ms for a
count at 20,000 articles, against 4 ms without it); and a trigger that keeps a
row in step with its page's row: the row goes when the page is unpublished, and takes the
page's new path, edition or publication time whenever they change — treebeard moves a
section's articles with one UPDATE of their paths, and editors' and importers' bulk
updates send no signals. The text follows publishing (`entries`, connected in `apps`).
SQLite keeps the table empty: its search reads Wagtail's FTS5 index.
"""

import django.db.models.deletion
from django.db import migrations, models

import masthead.search.models

TABLE = "masthead_search_articlesearchentry"
FUNCTION = "masthead_search_entry_follows_page"
TRIGGER = "masthead_search_entry_follows_page"

CREATE = f"""
CREATE INDEX search_entry_document ON {TABLE} USING gin (document)
    WITH (fastupdate = off);
CREATE INDEX search_entry_headline_words ON {TABLE} USING gin (headline_words)
    WITH (fastupdate = off);
CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT NEW.live THEN
        DELETE FROM {TABLE} WHERE article_id = NEW.id;
    ELSE
        UPDATE {TABLE}
           SET path = NEW.path, locale_id = NEW.locale_id,
               first_published_at = NEW.first_published_at
         WHERE article_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER {TRIGGER}
    AFTER UPDATE OF live, path, locale_id, first_published_at ON wagtailcore_page
    FOR EACH ROW
    WHEN (OLD.live IS DISTINCT FROM NEW.live
          OR OLD.path IS DISTINCT FROM NEW.path
          OR OLD.locale_id IS DISTINCT FROM NEW.locale_id
          OR OLD.first_published_at IS DISTINCT FROM NEW.first_published_at)
    EXECUTE FUNCTION {FUNCTION}();
"""

DROP = f"""
DROP TRIGGER IF EXISTS {TRIGGER} ON wagtailcore_page;
DROP FUNCTION IF EXISTS {FUNCTION}();
DROP INDEX IF EXISTS search_entry_headline_words;
DROP INDEX IF EXISTS search_entry_document;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0004_sectionpage_default_access_level"),
        ("masthead_search", "0003_index_entry_title_norm_indexes"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        migrations.CreateModel(
            name="ArticleSearchEntry",
            fields=[
                (
                    "article",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="content.articlepage",
                    ),
                ),
                ("first_published_at", models.DateTimeField(null=True)),
                ("path", models.CharField(max_length=255)),
                ("headline", models.TextField()),
                ("document", masthead.search.models.DocumentField()),
                ("headline_words", masthead.search.models.DocumentField()),
                (
                    "locale",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="wagtailcore.locale",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        models.F("locale"),
                        models.OrderBy(models.F("first_published_at"), descending=True),
                        name="search_entry_newest",
                    )
                ],
            },
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
