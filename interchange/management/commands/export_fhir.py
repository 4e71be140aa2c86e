from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from interchange.access import can_export_practice_records
from interchange.services import practice_bundles_export
from practices.models import Practice


class Command(BaseCommand):
    help = (
        "Write one FHIR R4 document Bundle per participant of the practice to DIR "
        "(created if missing; files readable by their owner only). Administrators only; "
        "every Bundle is recorded in the audit trail."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--practice", required=True, help="the practice code")
        parser.add_argument("--user", required=True, help="the administrator exporting")

    def handle(self, *args, directory: Path, practice: str, user: str, **options):
        acting = User.objects.filter(username=user).first()
        if acting is None or not can_export_practice_records(acting):
            raise CommandError(
                f"{user} is not an active administrator, who alone may export records."
            )
        found = Practice.objects.filter(code=practice).first()
        if found is None:
            raise CommandError(f"There is no practice with code {practice}.")
        count = practice_bundles_export(user=acting, practice=found, directory=directory)
        self.stdout.write(f"Wrote {count} bundle{'s' if count != 1 else ''} to {directory}.")
