from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from exchange.access import can_import_programme_data
from interchange.oruk_import import oruk_import


class Command(BaseCommand):
    help = (
        "Load services from an Open Referral UK (HSDS 3.0) feed into the directory: a JSON "
        "file, or every .json file in a directory, holding a page of services, a list of "
        "services or one service. Services are matched on the feed's service id. Everything "
        "is checked first, then loaded in one transaction, or, if anything is wrong, none of it."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="a JSON file or a directory of them")
        parser.add_argument(
            "--user",
            required=True,
            help="the programme lead or administrator recorded as importing",
        )
        parser.add_argument("--dry-run", action="store_true", help="check only; write nothing")

    def handle(self, *args, source: Path, user: str, dry_run: bool, **options):
        acting = User.objects.filter(username=user).first()
        if acting is None or not can_import_programme_data(acting):
            raise CommandError(
                f"{user} is not an active programme lead or administrator, who alone may "
                "import services."
            )
        if source.is_dir():
            paths = sorted(source.glob("*.json"))
        elif source.is_file():
            paths = [source]
        else:
            raise CommandError(f"{source} is neither a file nor a directory.")
        if not paths:
            raise CommandError(f"There are no .json files in {source}.")
        result = oruk_import(
            sources={path.name: path.read_bytes() for path in paths}, user=acting, dry_run=dry_run
        )
        if result.problems:
            for line in result.problems:
                self.stderr.write(line)
            count = len(result.problems)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''} found: nothing was imported."
            )
        self.stdout.write(
            f"Services: {result.new} new, {result.changed} changed, {result.unchanged} unchanged."
        )
        if result.unknown_terms:
            self.stdout.write(
                f"{len(result.unknown_terms)} taxonomy term(s) match no category here and were "
                "left off: " + ", ".join(sorted(result.unknown_terms))
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
