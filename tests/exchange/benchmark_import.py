"""Time importing a programme of realistic size into a new database, then importing it again
(nothing changes) and exporting it. Not part of the test suite; run it by hand:

    .venv/bin/python -m tests.exchange.benchmark_import --participants 20000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/links_bench \\
        .venv/bin/python -m tests.exchange.benchmark_import --participants 20000

Without DATABASE_URL it uses a new SQLite file in a temporary directory. With it, the
database must exist and be empty: the script migrates it and leaves the data there.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import date


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=20000)
    arguments = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="links-bench-")
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    os.environ.setdefault("LINKS_VAR_DIR", scratch)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linksworker.settings")
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from accounts.models import User
    from exchange.exporter import programme_export
    from exchange.importer import programme_import
    from participants.models import Assessment, Consultation, FollowUp, Participant
    from referrals.models import Referral
    from tests.exchange.programme_files import programme_files

    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}")
    call_command("migrate", verbosity=0)
    lead = User.objects.create(username="bench.lead", is_programme_lead=True)
    admin = User.objects.create(username="bench.admin", is_superuser=True)

    started = time.perf_counter()
    files = programme_files(participants=arguments.participants, today=date(2026, 1, 31))
    megabytes = sum(len(data) for data in files.values()) / 1e6
    print(f"generated {megabytes:.1f} MB of files in {time.perf_counter() - started:.1f} s")

    def timed(label, call):
        started = time.perf_counter()
        result = call()
        print(f"{label}: {time.perf_counter() - started:.1f} s")
        return result

    result = timed(
        "import into an empty database",
        lambda: programme_import(sources=files, user=lead, today=date(2026, 1, 31)),
    )
    assert result.applied, result.problems[:10]
    for name, counts in result.counts.items():
        print(f"  {name:<18} {counts.new:>7} new")
    print(
        f"  in the database: {Participant.objects.count()} participants, "
        f"{Consultation.objects.count()} consultations, {Referral.objects.count()} referrals, "
        f"{Assessment.objects.count()} assessments, {FollowUp.objects.count()} follow-ups"
    )
    again = timed(
        "import the same files again (nothing changes)",
        lambda: programme_import(sources=files, user=lead, today=date(2026, 1, 31)),
    )
    assert again.changes == 0
    timed("export", lambda: programme_export(user=admin))


if __name__ == "__main__":
    main()
