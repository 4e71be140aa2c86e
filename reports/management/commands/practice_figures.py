from django.core.management.base import BaseCommand, CommandError

from reports.figures import (
    practice_figures_compact,
    practice_figures_differences,
    practice_figures_rebuild,
)


class Command(BaseCommand):
    help = (
        "The dashboards' running counts per practice: check them against a recount of the "
        "records (exit status 1 on any difference), fold their rows, or rebuild them."
    )

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--check", action="store_true", help="Compare with a recount.")
        action.add_argument("--compact", action="store_true", help="Fold each group's rows.")
        action.add_argument("--rebuild", action="store_true", help="Replace with a recount.")

    def handle(self, *args, check: bool, compact: bool, rebuild: bool, **options):
        if compact:
            removed = practice_figures_compact()
            self.stdout.write(f"Folded the running counts: {removed} rows fewer.")
        elif rebuild:
            written = practice_figures_rebuild()
            self.stdout.write(f"Rebuilt the running counts from the records: {written} rows.")
        else:
            differences = practice_figures_differences()
            for line in differences:
                self.stderr.write(line)
            if differences:
                raise CommandError(
                    f"{len(differences)} running counts differ from the records; "
                    "`manage.py practice_figures --rebuild` replaces them with a recount."
                )
            self.stdout.write("The running counts agree with the records.")
