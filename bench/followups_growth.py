"""How the initial follow-up scheduling grows with the data: `followups_create` on the
benchmark database with every follow-up removed, for the baselines of the whole set and of
a half, a quarter and an eighth of it, inside one transaction that is rolled back (the
database is left as it was). Linear growth keeps the time per baseline flat down the table.

    DATABASE_URL=postgres://…/links_bench python bench/followups_growth.py

`--paged` times instead the id-paged loop it replaced (the "before" in bench/NOTES.md).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linksworker.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from participants import followups  # noqa: E402
from participants.dates import FOLLOW_UP_MONTHS, add_months  # noqa: E402
from participants.models import Assessment, FollowUp, Timepoint  # noqa: E402


def paged(today) -> int:
    """The replaced loop: `id > last ORDER BY id LIMIT n`, one page at a time."""
    baselines = Assessment.objects.filter(
        timepoint=Timepoint.BASELINE,
        date__lte=followups.latest_baseline_in_window(today),
        follow_up_of__isnull=True,
    )
    created, after = 0, 0
    while batch := list(
        baselines.filter(pk__gt=after)
        .order_by("pk")
        .values_list("pk", "participant_id", "date")[: followups.BATCH_SIZE]
    ):
        after = batch[-1][0]
        FollowUp.objects.bulk_create(
            [
                FollowUp(baseline_id=pk, participant_id=p, due_on=add_months(on, FOLLOW_UP_MONTHS))
                for pk, p, on in batch
            ],
            ignore_conflicts=True,
        )
        created += len(batch)
    return created


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paged", action="store_true", help="Time the replaced loop.")
    parser.add_argument(
        "--stale",
        action="store_true",
        help="Do not ANALYZE between sizes, as in an import whose rows are not analysed yet.",
    )
    args = parser.parse_args()
    today = timezone.localdate()
    run = paged if args.paged else (lambda day: followups.followups_create(today=day))
    print("| baselines | follow-ups created | seconds | ms per 1,000 |")
    print("| ---: | ---: | ---: | ---: |")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            top = Assessment.objects.order_by("-participant_id").values_list(
                "participant_id", flat=True
            )[0]
            for share in (1, 2, 4, 8):
                cursor.execute("DELETE FROM participants_followup")
                # Keep the baselines of the first participants only; nothing else refers to
                # an assessment once the follow-ups are gone.
                cursor.execute(
                    "DELETE FROM participants_assessment WHERE participant_id > %s",
                    [top // share],
                )
                if not args.stale:
                    cursor.execute("ANALYZE participants_assessment")
                    cursor.execute("ANALYZE participants_followup")
                baselines = Assessment.objects.filter(timepoint=Timepoint.BASELINE).count()
                started = time.perf_counter()
                created = run(today)
                seconds = time.perf_counter() - started
                per = seconds * 1000 / max(created, 1) * 1000
                print(f"| {baselines:,} | {created:,} | {seconds:.2f} | {per:.1f} |", flush=True)
            raise Rollback
    except Rollback:
        pass
    # ANALYZE writes the tables' row counts in place, outside the rolled-back transaction:
    # measure them again so the planner does not go on thinking the tables are nearly empty.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE participants_assessment")
        cursor.execute("ANALYZE participants_followup")


if __name__ == "__main__":
    main()
