"""Where a key page's time goes: SQL, template rendering and the rest, per page.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/links_national \
        python bench/page_profile.py [--pages "dense practice dashboard,…"] [--profile] [--explain]

Production settings (DEBUG=false), signed in with force_login, as `bench/run.py` measures.
The signed-in `/healthz` comes first, the yardstick of the budgets. For each page: the
median and the fastest of BENCH_REQUESTS (default 15) requests after three warm-ups (the
fastest is less sensitive to a busy machine), and the median time spent executing SQL (a
connection execute wrapper) and rendering templates (the Django backend's
`Template.render`; SQL run from inside the template is counted in both). `--explain`
prints the page's slowest queries with EXPLAIN (ANALYZE, BUFFERS); `--profile` prints
cProfile's top functions over the timed requests. It writes nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", default="", help="Comma-separated page names (default all).")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()

    import run as bench_run  # bench/run.py

    url = os.environ.get("BENCH_DATABASE_URL") or bench_run.SERVER + "links_national"
    env = bench_run.bench_environment(url, tempfile.mkdtemp(prefix="links-profile-"))
    env.setdefault("STATIC_USE_FINDERS", "false")
    if os.environ.get("STATIC_USE_FINDERS"):
        env["STATIC_USE_FINDERS"] = os.environ["STATIC_USE_FINDERS"]
    env["SECRET_KEY"] = secrets.token_urlsafe(40)
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.template.backends import django as django_backend
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    ctx = bench_run.load_context()
    wanted = {p.strip() for p in args.pages.split(",") if p.strip()}
    from django.urls import reverse

    yardstick = ("trivial view /healthz", reverse("healthz"), ctx.clp)
    pages = [yardstick] + [p for p in bench_run.key_pages(ctx) if not wanted or p[0] in wanted]
    requests = int(os.environ.get("BENCH_REQUESTS", "15"))

    timers = {"sql": 0.0, "template": 0.0}

    def sql_timer(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timers["sql"] += time.perf_counter() - began

    original_render = django_backend.Template.render

    def timed_render(self, context=None, request=None):
        began = time.perf_counter()
        try:
            return original_render(self, context, request)
        finally:
            timers["template"] += time.perf_counter() - began

    django_backend.Template.render = timed_render

    print("| page | queries | KB | median ms | min ms | SQL ms | template ms (incl. its SQL) |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, path, user in pages:
        client = Client()
        client.force_login(user)
        for _ in range(3):
            response = client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        queries = list(captured.captured_queries)
        totals, sqls, templates = [], [], []
        profiler = cProfile.Profile() if args.profile else None
        with connection.execute_wrapper(sql_timer):
            for _ in range(requests):
                timers["sql"] = timers["template"] = 0.0
                if profiler:
                    profiler.enable()
                began = time.perf_counter()
                client.get(path)
                totals.append(time.perf_counter() - began)
                if profiler:
                    profiler.disable()
                sqls.append(timers["sql"])
                templates.append(timers["template"])
        print(
            f"| {name} | {len(queries)} | {len(response.content) / 1024:.0f} "
            f"| {statistics.median(totals) * 1000:.1f} | {min(totals) * 1000:.1f} "
            f"| {statistics.median(sqls) * 1000:.1f} "
            f"| {statistics.median(templates) * 1000:.1f} |",
            flush=True,
        )
        if args.explain:
            timed = []
            with connection.cursor() as cursor:
                for query in queries:
                    sql = query["sql"]
                    if not sql.lstrip().upper().startswith("SELECT"):
                        continue
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plan = "\n".join(row[0] for row in cursor.fetchall())
                    took = float(plan.rsplit("Execution Time: ", 1)[1].split(" ")[0])
                    timed.append((took, sql, plan))
            timed.sort(key=lambda t: t[0], reverse=True)
            for took, sql, plan in timed[:3]:
                print(f"\n--- {took:.1f} ms\n{sql}\n\n{plan}\n")
        if profiler:
            stats = pstats.Stats(profiler)
            stats.sort_stats("cumulative").print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
