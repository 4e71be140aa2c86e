import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from practices.db import long_statements
from reports.jobs import year_period
from reports.rendering import render_report_pdf
from reports.statistics import programme_statistics


class Command(BaseCommand):
    help = (
        "Compute a year's programme statistics; write them as JSON and/or the PDF report. "
        "The JSON holds the raw figures WITHOUT disclosure control (small counts are not "
        "hidden): it is written only by this command, for the programme's analysts; the PDF "
        "applies the disclosure rules of its appendix."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument(
            "--json", dest="json_path", type=Path, help="Raw figures (JSON), not suppressed."
        )
        parser.add_argument("--pdf", dest="pdf_path", type=Path, help="The report (PDF).")

    def handle(self, *args, year: int, json_path: Path | None, pdf_path: Path | None, **options):
        if not (json_path or pdf_path):
            raise CommandError("Give --json FILE, --pdf FILE or both.")
        if not 2000 <= year <= 2100:
            raise CommandError("YEAR must be a year such as 2025.")
        start, end = year_period(year)
        # One set of figures for both outputs, so the JSON and the PDF always agree.
        with long_statements():
            stats = programme_statistics(start=start, end=end)
        if json_path:
            json_path.write_text(json.dumps(stats, indent=2, ensure_ascii=False) + "\n")
            self.stdout.write(f"Wrote the {year} figures to {json_path}.")
        if pdf_path:
            pdf_path.write_bytes(render_report_pdf(stats))
            self.stdout.write(f"Wrote the {year} report to {pdf_path}.")
