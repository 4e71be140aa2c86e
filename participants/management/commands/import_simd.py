from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from participants.simd import SimdFileError, simd_import


class Command(BaseCommand):
    help = (
        "Replace the SIMD postcode lookup with the Scottish Government's published SIMD "
        "2020v2 postcode lookup (.xlsx, or its 'All postcodes' sheet saved as .csv)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the .xlsx or .csv lookup file")

    def handle(self, *args, file: Path, **options):
        try:
            loaded = simd_import(path=file)
        except SimdFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Loaded {loaded} postcodes from {file}.")
