"""Time the referral statistics page on an existing benchmark database: the median and p95
of BENCH_REQUESTS requests (20) through Django's test Client with production settings, as
the programme lead and as a practice manager, beside the signed-in /healthz, and its SQL
queries. For the plan in bench/NOTES.md ("Referral statistics at national scale").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/links_national \\
        python bench/statistics_page_probe.py [--year 2025] [--period quarter]
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linksworker.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("STATIC_USE_FINDERS", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import User  # noqa: E402


def measure(client: Client, path: str, params: dict, n: int) -> tuple[int, int, float, float]:
    client.get(path, params)  # warm
    queries: list[str] = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        status = client.get(path, params).status_code
    times = []
    for _ in range(n):
        start = time.perf_counter()
        client.get(path, params)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return status, len(queries), statistics.median(times), times[int(0.95 * (len(times) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--year", type=int, default=None)
    parser.add_argument("--period", default="quarter")
    args = parser.parse_args()
    n = int(os.environ.get("BENCH_REQUESTS", "20"))
    params = {"period": args.period}
    if args.year:
        params["year"] = args.year
    for username in ("bench.lead", "bench.pm"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for path, query in (("/healthz", {}), ("/referrals/statistics/", params)):
            status, count, median, p95 = measure(client, path, query, n)
            print(
                f"{username:12} {path:24} {status} queries={count:3} "
                f"median={median:8.1f} ms p95={p95:8.1f} ms"
            )


if __name__ == "__main__":
    main()
