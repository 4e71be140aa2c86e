"""Import speed and memory: export a programme, import it into an empty database in a fresh
process, and print one JSON line:

    {"rows": …, "seconds": …, "rows_per_s": …, "peak_mb": …, "files_mb": …, …}

    python bench/import_probe.py --source-url postgres://postgres@127.0.0.1:5432/SOURCE \\
        --target-url postgres://postgres@127.0.0.1:5432/TARGET [--files DIR] [--copy]

--source-url  the programme to export (e.g. a copy of links_bench). The export runs in a
              transaction that is rolled back (it adds audit events and a temporary
              administrator), so the database is left as it was, but use a copy all the same:
              sequences advance.
--target-url  a scratch database: DROPPED and created again, then migrated, before each run
              (the names of the shared and the test databases are refused).
--files DIR   write the export there and keep it (default: a temporary directory); with
              --reuse-files, import the files already in DIR and skip the export.
--project DIR the checkout whose importer is measured (default: this one), to compare a
              change with main on the same files under the same load.
--copy        also time PostgreSQL's COPY of the same files into text-column tables of the
              target, the yardstick (`copy_seconds`, `copy_rows_per_s`).

`rows` is the data rows of every file (headers left out); `seconds` the wall time of
`manage.py import_programme` in a process that has done nothing else but start Django;
`peak_mb` that process's peak resident set (VmHWM) at the end, the whole import's high
water mark; `django_mb` the same just before the import started; `cpu_seconds` the CPU time
the import process itself used (the database server's is not in it), steadier than the wall
time on a shared machine; `files_mb` the files' total size.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(os.environ.get("IMPORT_PROBE_PROJECT") or Path(__file__).resolve().parent.parent)
REFUSED = {"links", "test_links", "links_bench", "links_bench5k", "postgres", "template1"}
IMPORTER = "probe.importer"


def _vm_hwm_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DJANGO_"))}
    env.update(
        DATABASE_URL=url,
        DEBUG="false",
        SECRET_KEY=env.get("SECRET_KEY") or "import-probe",
        LOG_LEVEL="WARNING",
        CELERY_TASK_ALWAYS_EAGER="true",
        DJANGO_SETTINGS_MODULE="linksworker.settings",
        LINKS_VAR_DIR=env.get("LINKS_VAR_DIR") or tempfile.mkdtemp(prefix="links-probe-"),
    )
    return env


def _connect(url: str, dbname: str | None = None):
    import psycopg2

    parts = urlparse(url)
    return psycopg2.connect(
        dbname=dbname or parts.path.lstrip("/"),
        user=parts.username or "postgres",
        password=parts.password or None,
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
    )


def _fresh_target(url: str) -> None:
    from psycopg2 import sql

    name = urlparse(url).path.lstrip("/")
    if not name or name in REFUSED:
        sys.exit(f"--target-url must name a scratch database, not {name!r}.")
    conn = _connect(url, dbname="postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    conn.close()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=ROOT,
        env=_env(url),
        check=True,
    )


def _child(mode: str, directory: Path) -> None:
    """Runs in a fresh process with DATABASE_URL set: the export or the import."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from accounts.models import User

    if mode == "export":
        from exchange.exporter import programme_export

        class RolledBack(Exception):
            pass

        try:
            with transaction.atomic():
                admin = User.objects.create(username="probe.exporter", is_superuser=True)
                files = programme_export(user=admin)
                directory.mkdir(parents=True, exist_ok=True)
                for name, data in files.items():
                    (directory / name).write_bytes(data)
                raise RolledBack
        except RolledBack:
            pass
        return
    User.objects.get_or_create(username=IMPORTER, defaults={"is_programme_lead": True})
    before = _vm_hwm_mb()
    began, cpu = time.perf_counter(), time.process_time()
    call_command("import_programme", str(directory), "--user", IMPORTER, stdout=sys.stderr)
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    print(
        json.dumps(
            {"seconds": seconds, "cpu_seconds": cpu, "peak_mb": _vm_hwm_mb(), "django_mb": before}
        )
    )


def _rows(directory: Path) -> dict[str, int]:
    counts = {}
    for path in sorted(directory.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            counts[path.name] = max(sum(1 for _ in csv.reader(handle)) - 1, 0)
    return counts


def _copy_yardstick(url: str, directory: Path) -> float:
    """COPY every file into a table of text columns: what the bytes cost to load at all."""
    conn = _connect(url)
    seconds = 0.0
    with conn, conn.cursor() as cursor:
        for path in sorted(directory.glob("*.csv")):
            with path.open(encoding="utf-8", newline="") as handle:
                header = next(csv.reader(handle))
            table = "probe_copy_" + path.stem
            columns = ", ".join(f'"{name}" text' for name in header)
            cursor.execute(f"CREATE TEMP TABLE {table} ({columns})")
            began = time.perf_counter()
            with path.open("rb") as handle:
                cursor.copy_expert(
                    f"COPY {table} FROM STDIN WITH (FORMAT csv, HEADER true)", handle
                )
            seconds += time.perf_counter() - began
        conn.rollback()
    conn.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source-url")
    parser.add_argument("--target-url")
    parser.add_argument("--files", type=Path)
    parser.add_argument("--reuse-files", action="store_true")
    parser.add_argument("--copy", action="store_true")
    parser.add_argument("--project", type=Path)
    parser.add_argument("--child", choices=["export", "import"], help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        _child(arguments.child, arguments.files)
        return
    if not arguments.target_url or not (arguments.source_url or arguments.reuse_files):
        parser.error("--target-url and --source-url (or --files DIR --reuse-files) are needed")
    if arguments.project:
        os.environ["IMPORT_PROBE_PROJECT"] = str(arguments.project.resolve())
        global ROOT
        ROOT = arguments.project.resolve()
    directory = arguments.files or Path(tempfile.mkdtemp(prefix="links-import-probe-"))
    script = str(Path(__file__).resolve())
    if not arguments.reuse_files:
        for old in directory.glob("*.csv"):
            old.unlink()
        subprocess.run(  # noqa: S603 (this script)
            [sys.executable, script, "--child", "export", "--files", str(directory)],
            cwd=ROOT,
            env=_env(arguments.source_url),
            check=True,
        )
    _fresh_target(arguments.target_url)
    out = subprocess.run(  # noqa: S603 (this script)
        [sys.executable, script, "--child", "import", "--files", str(directory)],
        cwd=ROOT,
        env=_env(arguments.target_url),
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    )
    measured = json.loads(out.stdout.strip().splitlines()[-1])
    per_file = _rows(directory)
    rows = sum(per_file.values())
    result = {
        "rows": rows,
        "seconds": round(measured["seconds"], 2),
        "cpu_seconds": round(measured["cpu_seconds"], 2),
        "rows_per_s": round(rows / measured["seconds"]),
        "peak_mb": round(measured["peak_mb"], 1),
        "django_mb": round(measured["django_mb"], 1),
        "files_mb": round(sum(p.stat().st_size for p in directory.glob("*.csv")) / 1e6, 1),
        "files": per_file,
    }
    if arguments.copy:
        copy_seconds = _copy_yardstick(arguments.target_url, directory)
        result["copy_seconds"] = round(copy_seconds, 2)
        result["copy_rows_per_s"] = round(rows / copy_seconds)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
