from django.core.management.base import BaseCommand

from masthead.search.entries import in_use, rebuild_entries


class Command(BaseCommand):
    help = (
        "Rebuild PostgreSQL's search table from the live articles (after an import that "
        "bypassed publishing, or switching back from Elasticsearch). Does nothing elsewhere."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count, write nothing")
        parser.add_argument("--database", default="default")

    def handle(self, *args, dry_run=False, database="default", **options):
        if not in_use(database):
            self.stdout.write("Nothing to do: searches here do not read the search table.")
            return
        count = rebuild_entries(using=database, dry_run=dry_run)
        verb = "Would write" if dry_run else "Wrote"
        self.stdout.write(f"{verb} {count} search rows.")
