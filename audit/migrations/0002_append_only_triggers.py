"""The database itself refuses to change audit events, and PostgreSQL refuses to delete them.

TRUNCATE stays possible (it is how Django's test runner empties tables, and in production it
needs the table owner's rights, which the application role should not have). SQLite, the
embedded default, refuses updates; its test flush deletes rows, so deletes are refused by the
model and queryset there."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
]
POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_auditevent_no_change BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_change ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_auditevent_append_only()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
