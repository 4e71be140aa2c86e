from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from exchange.access import can_import_programme_data
from exchange.formats import FILE_NAMES
from exchange.importer import ImportResult, programme_import
from practices.db import long_statements


class Command(BaseCommand):
    help = (
        "Import programme data from the CSV files in DIR (practices.csv, staff.csv, "
        "resources.csv, participants.csv, consultations.csv, referrals.csv, assessments.csv, "
        "staff_survey.csv; absent files are skipped). Everything is checked first; then all "
        "of it is loaded in one transaction, or, if anything is wrong, none of it. The "
        "README describes the files."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="the directory holding the files")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the files and show what would change, writing nothing",
        )
        parser.add_argument(
            "--user",
            help="the programme lead or administrator recorded as importing (audit trail; "
            "'added by' of new community resources, which need it)",
        )

    def handle(self, *args, directory: Path, dry_run: bool, user: str | None, **options):
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory.")
        # Read as they are checked, a chunk of rows at a time: any size will do.
        sources = {path.name: path for path in sorted(directory.glob("*.csv"))}
        if not sources:
            raise CommandError(
                f"There are no .csv files in {directory}. Expected any of: " + ", ".join(FILE_NAMES)
            )
        acting = self._acting_user(user) if user else None
        with long_statements():
            result = programme_import(sources=sources, user=acting, dry_run=dry_run)
        self._preview(result)
        if result.problems:
            for line in result.problems:
                self.stderr.write(line)
            count = result.problem_count
            if count > len(result.problems):
                self.stderr.write(f"… and {count - len(result.problems)} more.")
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''} found: nothing was imported."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        else:
            self.stdout.write(f"Imported: {result.changes} rows new or changed.")

    def _acting_user(self, username: str) -> User:
        user = User.objects.filter(username=username).first()
        if user is None or not can_import_programme_data(user):
            raise CommandError(
                f"{username} is not an active programme lead or administrator, who alone may "
                "import programme data."
            )
        return user

    def _preview(self, result: ImportResult) -> None:
        self.stdout.write(f"{'file':<20} {'new':>8} {'changed':>8} {'unchanged':>10}")
        for name, counts in result.counts.items():
            self.stdout.write(
                f"{name:<20} {counts.new:>8} {counts.changed:>8} {counts.unchanged:>10}"
            )
