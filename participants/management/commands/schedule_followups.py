from datetime import date

from django.core.management.base import BaseCommand, CommandError

from participants.followups import followups_run


class Command(BaseCommand):
    help = "Create and advance nine-month follow-ups, as the daily Celery job does."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, **options):
        today = None
        if options["today"]:
            try:
                today = date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today must be a date like 2027-02-28.") from None
        s = followups_run(today=today)
        self.stdout.write(
            f"Follow-ups: {s.created} created, {s.due} now due, {s.overdue} now overdue, "
            f"{s.missed} missed, {s.not_applicable} not applicable."
        )
