"""manage.py import_wordpress EXPORT.xml: move a WordPress site's content into the paper."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from masthead.wordpress.importer import ImportStopped, Report, WordPressImporter
from masthead.wordpress.readers import ReadersError, import_readers
from masthead.wordpress.wxr import WXRError, check_wxr


class Command(BaseCommand):
    help = (
        "Import a WordPress export (WXR 1.0-1.2): authors, categories, tags, posts, pages, "
        "comments and attachments, with redirects from the old addresses. Rerunnable: a "
        "second run creates nothing twice and resumes a run that stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", type=Path, help="The WXR file WordPress exported.")
        parser.add_argument(
            "--media-dir",
            type=Path,
            help="A copy of the site's wp-content/uploads folder, for images and documents.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would happen; write nothing."
        )
        parser.add_argument(
            "--locale",
            choices=["en", "fa"],
            help="The edition to import into (default: from the export's language).",
        )
        parser.add_argument(
            "--author-accounts",
            action="store_true",
            help="Also give each author an account (without a password; they reset it).",
        )
        parser.add_argument(
            "--readers",
            type=Path,
            help="A CSV or JSON file of the paywall plugin's reader records (see README).",
        )
        parser.add_argument(
            "--batch-size", type=int, default=500, help="Records written per transaction."
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help="Read and convert posts in this process too, not in a second one.",
        )

    def handle(self, *args, **options):
        # The report speaks the site's default language (LANGUAGE_CODE), whatever language
        # the calling process last served a page in.
        with translation.override(settings.LANGUAGE_CODE):
            return self._import(options)

    def _import(self, options):
        export: Path = options["export"]
        if not export.is_file():
            raise CommandError(_("There is no file at %(path)s.") % {"path": export})
        if options["media_dir"] and not options["media_dir"].is_dir():
            raise CommandError(
                _("The media folder %(path)s does not exist.") % {"path": options["media_dir"]}
            )
        try:
            summary = check_wxr(export)
        except WXRError as error:
            raise CommandError(error.message) from error
        bar = self._progress_bar(summary)
        importer = WordPressImporter(
            locale=options["locale"],
            media_dir=options["media_dir"],
            author_accounts=options["author_accounts"],
            batch_size=options["batch_size"],
            dry_run=options["dry_run"],
            progress=bar.update_to if bar else None,
            worker=not options["no_worker"],
        )
        try:
            report = importer.run(export, summary=summary)
        except (ImportStopped, WXRError) as error:
            self._print_report(importer.report)
            raise CommandError(str(error)) from error
        finally:
            if bar:
                bar.close()
        if options["readers"]:
            try:
                readers = import_readers(
                    options["readers"], source=importer.source, dry_run=options["dry_run"]
                )
            except ReadersError as error:
                raise CommandError(str(error)) from error
            for kind, outcomes in readers.counts.items():
                report.counts[kind].update(outcomes)
            for warning in readers.warnings:
                report.warn(warning)
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written. This is what would happen:"))
        self._print_report(report)

    def _progress_bar(self, summary):
        """Return a bar on a terminal (total from the first pass), None when piped."""
        if not sys.stderr.isatty():
            return None
        from tqdm import tqdm

        total = summary.items + summary.authors + sum(summary.terms.values())

        class Bar(tqdm):
            def update_to(self, done: int) -> None:
                self.update(done - self.n)

        return Bar(total=total, unit=_("records"), file=sys.stderr, dynamic_ncols=True)

    def _print_report(self, report: Report) -> None:
        write = self.stdout.write
        for kind in sorted(report.counts):
            outcomes = ", ".join(
                f"{n} {outcome}" for outcome, n in sorted(report.counts[kind].items())
            )
            write(f"{kind}: {outcomes}")
        if report.skipped_types:
            kinds = ", ".join(f"{name} ({n})" for name, n in report.skipped_types.most_common())
            write(_("Not imported (site machinery): %(kinds)s") % {"kinds": kinds})
        write(_("Redirects made: %(count)s") % {"count": report.redirects})
        if report.lead_article:
            write(
                _("Front-page lead (newest sticky post): %(title)s")
                % {"title": report.lead_article}
            )
        if report.other_sticky:
            write(_("Other sticky posts: %(titles)s") % {"titles": "; ".join(report.other_sticky)})
        if report.unknown_shortcodes:
            codes = ", ".join(f"[{c}] ×{n}" for c, n in report.unknown_shortcodes.most_common())
            write(_("Unknown shortcodes kept as text: %(codes)s") % {"codes": codes})
        if report.warnings_total:
            write(_("Warnings: %(count)s") % {"count": report.warnings_total})
            for warning in report.warnings:
                write(f"  - {warning}")
            if report.warnings_total > len(report.warnings):
                write(
                    _("  … and %(count)s more (all counted above).")
                    % {"count": report.warnings_total - len(report.warnings)}
                )
