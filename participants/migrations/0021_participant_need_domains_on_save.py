"""A participant's first day with a need in each domain (migration 0020) is worked out from
their needs whenever the participant's row writes those columns, whatever it writes there.

Django saves every column of a model: a participant read before a need was recorded and
saved after it (an edit of their details) wrote the old days back over the ones the need's
trigger had set. PostgreSQL: a BEFORE UPDATE trigger on those columns replaces what the
statement gives with the days of the participant's needs (read once the row is locked, so a
need committed meanwhile is counted), and the needs' trigger now only touches the columns.
SQLite (one writer): an AFTER UPDATE trigger on the columns sets them again.
"""

from django.db import migrations

DOMAINS = {
    "physical": "first_physical_need_on",
    "mental": "first_mental_need_on",
    "social": "first_social_need_on",
}
PARTICIPANT = "participants_participant"
NEED = "participants_participantneed"
COLUMNS = ", ".join(DOMAINS.values())
FIRSTS = ", ".join(
    f"MIN(pn.identified_on) FILTER (WHERE n.domain = '{domain}')" for domain in DOMAINS
)

POSTGRES_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION participants_participant_need_domains() RETURNS trigger AS $$
    BEGIN
    SELECT {FIRSTS} INTO {", ".join(f"NEW.{column}" for column in DOMAINS.values())}
    FROM {NEED} pn JOIN participants_need n ON n.id = pn.need_id
    WHERE pn.participant_id = NEW.id;
    RETURN NEW; END; $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE TRIGGER participants_participant_need_domains BEFORE UPDATE OF {COLUMNS}
    ON {PARTICIPANT} FOR EACH ROW EXECUTE FUNCTION participants_participant_need_domains()
    """,
    # The needs' triggers write the columns; the trigger above works out what goes there.
    f"""
    CREATE OR REPLACE FUNCTION participants_need_domains_of(pid bigint) RETURNS void AS $$
    BEGIN
    UPDATE {PARTICIPANT} SET ({COLUMNS}) = ({COLUMNS}) WHERE id = pid;
    END; $$ LANGUAGE plpgsql
    """,
]
POSTGRES_BACKWARD = [
    f"DROP TRIGGER IF EXISTS participants_participant_need_domains ON {PARTICIPANT}",
    "DROP FUNCTION IF EXISTS participants_participant_need_domains()",
    f"""
    CREATE OR REPLACE FUNCTION participants_need_domains_of(pid bigint) RETURNS void AS $$
    BEGIN
    PERFORM 1 FROM {PARTICIPANT} WHERE id = pid FOR UPDATE;
    UPDATE {PARTICIPANT} p SET ({COLUMNS}) = (SELECT {FIRSTS}
    FROM {NEED} pn JOIN participants_need n ON n.id = pn.need_id
    WHERE pn.participant_id = pid) WHERE p.id = pid;
    END; $$ LANGUAGE plpgsql
    """,
]
SQLITE_FORWARD = [
    f"CREATE TRIGGER participants_participant_need_domains AFTER UPDATE OF {COLUMNS} "
    f"ON {PARTICIPANT} BEGIN UPDATE {PARTICIPANT} SET "
    + ", ".join(
        f"{column} = (SELECT MIN(pn.identified_on) FROM {NEED} pn JOIN participants_need n "
        f"ON n.id = pn.need_id WHERE pn.participant_id = NEW.id AND n.domain = '{domain}')"
        for domain, column in DOMAINS.items()
    )
    + " WHERE id = NEW.id; END",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS participants_participant_need_domains"]


def run(postgres, sqlite):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        statements = {"postgresql": postgres, "sqlite": sqlite}.get(vendor)
        if statements is None:
            raise RuntimeError(f"Need domains need PostgreSQL or SQLite, not {vendor}.")
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0020_participant_first_need_by_domain"),
    ]

    operations = [
        migrations.RunPython(
            run(POSTGRES_FORWARD, SQLITE_FORWARD),
            run(POSTGRES_BACKWARD, SQLITE_BACKWARD),
        ),
    ]
