import os
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from exchange.exporter import programme_export


class Command(BaseCommand):
    help = (
        "Write every programme data file to DIR, in the format import_programme reads. The "
        "files identify people: only an active administrator (--user) may export, and the "
        "export is recorded in the audit trail."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="where to write the files")
        parser.add_argument(
            "--user", required=True, help="the administrator exporting (audit trail)"
        )

    def handle(self, *args, directory: Path, user: str, **options):
        exporter = User.objects.filter(username=user).first()
        try:
            if exporter is None:
                raise PermissionDenied
            files = programme_export(user=exporter)
        except PermissionDenied:
            raise CommandError(
                f"{user} is not an active administrator: only administrators may export "
                "programme data."
            ) from None
        directory.mkdir(parents=True, exist_ok=True)
        for name, data in files.items():
            path = directory / name
            # Readable by the exporting account only: the files hold patient details.
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(data)
            os.chmod(path, 0o600)
        self.stdout.write(f"Wrote {len(files)} files to {directory}.")
