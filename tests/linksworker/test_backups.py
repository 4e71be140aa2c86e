"""The backup the README describes restores: `pg_dump` of the database in custom format,
`pg_restore` into a new empty database, and every table holds the same rows. Skipped, with
the reason, off PostgreSQL or without the PostgreSQL client tools."""

from __future__ import annotations

import os
import shutil
import subprocess

import psycopg2
import pytest
from django.apps import apps
from django.db import connection

from participants.models import Consultation
from tests.factories import ConsultationFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _libpq_env() -> dict[str, str]:
    db = connection.settings_dict
    env = {**os.environ, "PGHOST": db["HOST"] or "127.0.0.1", "PGUSER": db["USER"] or ""}
    env["PGPORT"] = str(db["PORT"] or 5432)
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _counts(cursor) -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        table = model._meta.db_table
        # The table names are the models' own, not input.
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608
        counts[table] = cursor.fetchone()[0]
    return counts


def test_a_dump_restores_into_a_fresh_database_with_every_row(tmp_path, participant_a, clp_a):
    if connection.vendor != "postgresql":
        pytest.skip("backups are taken with pg_dump: PostgreSQL only")
    tools = {name: shutil.which(name) for name in ("pg_dump", "pg_restore", "createdb", "dropdb")}
    if not all(tools.values()):
        pytest.skip("the PostgreSQL client tools (pg_dump, pg_restore) are not installed")
    pg_dump, pg_restore, createdb, dropdb = (str(tools[name]) for name in tools)
    ConsultationFactory(participant=participant_a, clp=clp_a)
    assert Consultation.objects.exists()

    env = _libpq_env()
    source = connection.settings_dict["NAME"]
    fresh = f"{source}_restore"
    dump = tmp_path / "links.dump"
    # The commands of the README's "Backups" section.
    subprocess.run([pg_dump, "--format=custom", f"--file={dump}", source], env=env, check=True)
    subprocess.run([dropdb, "--if-exists", fresh], env=env, check=True)
    subprocess.run([createdb, fresh], env=env, check=True)
    try:
        subprocess.run(
            [pg_restore, "--no-owner", "--exit-on-error", f"--dbname={fresh}", str(dump)],
            env=env,
            check=True,
        )
        with connection.cursor() as cursor:
            expected = _counts(cursor)
        restored = psycopg2.connect(
            dbname=fresh,
            host=env["PGHOST"],
            port=env["PGPORT"],
            user=env["PGUSER"],
            password=env.get("PGPASSWORD"),
        )
        try:
            with restored.cursor() as cursor:
                assert _counts(cursor) == expected
        finally:
            restored.close()
    finally:
        subprocess.run([dropdb, "--if-exists", fresh], env=env, check=True)
