"""`programme_statistics` against the same figures written by hand (bench/hand_statistics.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/links_bench python bench/statistics_ratio.py

prints one JSON line: `ours_s` and `hand_s` (medians of `--runs` calls after one first call
each, alternating so that both see the same machine), `ratio` (ours_s / hand_s), the first
calls' times, and the SQL statements of each (`queries` is ours). The year is the last full
calendar year of the data unless `--year` is given. Only reads the database.

`measure(year, runs)` is the same from Python, for bench/run.py (Django set up already).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def last_full_year() -> int:
    """The last calendar year the data covers to its end (the latest consultation's year
    when that is 31 December, else the year before)."""
    from django.db.models import Max

    from participants.models import Consultation

    latest = Consultation.objects.aggregate(latest=Max("date"))["latest"] or date.today()
    return latest.year if (latest.month, latest.day) == (12, 31) else latest.year - 1


def measure(year: int, runs: int = 5) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.hand_statistics import STATEMENTS, hand_statistics
    from reports.statistics import programme_statistics

    start, end = date(year, 1, 1), date(year, 12, 31)

    def ours() -> dict:
        return programme_statistics(start=start, end=end)

    def hand() -> dict:
        return hand_statistics(start, end)

    def timed(function) -> float:
        began = time.perf_counter()
        function()
        return time.perf_counter() - began

    first = {"ours": timed(ours), "hand": timed(hand)}
    times: dict[str, list[float]] = {"ours": [], "hand": []}
    for _ in range(runs):
        times["ours"].append(timed(ours))
        times["hand"].append(timed(hand))
    with CaptureQueriesContext(connection) as captured:
        ours()
    # BEGIN, the transaction's SET LOCAL jit = off and COMMIT are not counted.
    queries = sum(1 for q in captured.captured_queries if q["sql"] not in ("BEGIN", "COMMIT")) - 1
    ours_s = statistics.median(times["ours"]) if runs else first["ours"]
    hand_s = statistics.median(times["hand"]) if runs else first["hand"]
    return {
        "year": year,
        "ours_s": round(ours_s, 4),
        "hand_s": round(hand_s, 4),
        "ratio": round(ours_s / hand_s, 2),
        "ours_first_s": round(first["ours"], 4),
        "hand_first_s": round(first["hand"], 4),
        "queries": queries,
        "hand_queries": STATEMENTS,
        "runs": runs,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--year", type=int, help="default: the last full year of the data")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linksworker.settings")
    import django

    django.setup()
    print(json.dumps(measure(args.year or last_full_year(), args.runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
