"""`Consultation.practice` and `Consultation.caseload_clp`: the participant's practice and
CLP, kept by the database as a follow-up's are (migrations 0015 and 0016), so that a
practice's attended consultations of the last 30 days, by its participants' CLPs, are one
range of an index rather than a probe of each participant's (the practice dashboard).

PostgreSQL: a BEFORE trigger sets both from the participant, read FOR SHARE so that a write
waits for a move in progress, on every insert and whenever the consultation's participant,
practice or CLP is written (a stale value written by the application is replaced), and an
AFTER trigger on participants moves them with a participant who changes practice or CLP.
SQLite (the embedded default): AFTER triggers do the same by updating the row. Existing
rows are filled here.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION participants_consultation_owner() RETURNS trigger AS $$ BEGIN
    SELECT practice_id, clp_id INTO NEW.practice_id, NEW.caseload_clp_id
    FROM participants_participant WHERE id = NEW.participant_id FOR SHARE;
    RETURN NEW; END; $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER participants_consultation_owner BEFORE INSERT OR UPDATE OF participant_id,
    practice_id, caseload_clp_id ON participants_consultation
    FOR EACH ROW EXECUTE FUNCTION participants_consultation_owner()
    """,
    """
    CREATE OR REPLACE FUNCTION participants_consultation_owner_moves() RETURNS trigger AS $$
    BEGIN
    UPDATE participants_consultation SET practice_id = NEW.practice_id,
    caseload_clp_id = NEW.clp_id WHERE participant_id = NEW.id;
    RETURN NULL; END; $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER participants_consultation_owner_moves AFTER UPDATE OF practice_id, clp_id
    ON participants_participant FOR EACH ROW
    WHEN (OLD.practice_id IS DISTINCT FROM NEW.practice_id
          OR OLD.clp_id IS DISTINCT FROM NEW.clp_id)
    EXECUTE FUNCTION participants_consultation_owner_moves()
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS participants_consultation_owner_moves ON participants_participant",
    "DROP FUNCTION IF EXISTS participants_consultation_owner_moves()",
    "DROP TRIGGER IF EXISTS participants_consultation_owner ON participants_consultation",
    "DROP FUNCTION IF EXISTS participants_consultation_owner()",
]
FILL_POSTGRES = (
    "UPDATE participants_consultation c SET practice_id = p.practice_id, "
    "caseload_clp_id = p.clp_id FROM participants_participant p WHERE p.id = c.participant_id"
)
SET_FROM_PARTICIPANT = (
    "UPDATE participants_consultation SET "
    "practice_id = (SELECT practice_id FROM participants_participant p "
    "WHERE p.id = participants_consultation.participant_id), "
    "caseload_clp_id = (SELECT clp_id FROM participants_participant p "
    "WHERE p.id = participants_consultation.participant_id)"
)
SQLITE_FORWARD = [
    "CREATE TRIGGER participants_consultation_owner_insert AFTER INSERT ON "
    f"participants_consultation BEGIN {SET_FROM_PARTICIPANT} WHERE id = NEW.id; END",
    "CREATE TRIGGER participants_consultation_owner_update AFTER UPDATE OF participant_id, "
    f"practice_id, caseload_clp_id ON participants_consultation BEGIN {SET_FROM_PARTICIPANT} "
    "WHERE id = NEW.id; END",
    "CREATE TRIGGER participants_consultation_owner_moves AFTER UPDATE OF practice_id, clp_id "
    "ON participants_participant WHEN OLD.practice_id IS NOT NEW.practice_id "
    "OR OLD.clp_id IS NOT NEW.clp_id BEGIN "
    "UPDATE participants_consultation SET practice_id = NEW.practice_id, "
    "caseload_clp_id = NEW.clp_id WHERE participant_id = NEW.id; END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS participants_consultation_owner_moves",
    "DROP TRIGGER IF EXISTS participants_consultation_owner_update",
    "DROP TRIGGER IF EXISTS participants_consultation_owner_insert",
]


def run(postgres, sqlite, fill=False):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        statements = {"postgresql": postgres, "sqlite": sqlite}.get(vendor)
        if statements is None:
            raise RuntimeError(f"Consultation owners need PostgreSQL or SQLite, not {vendor}.")
        if fill and vendor == "postgresql":
            # A national programme's four million consultations take longer than a page's
            # limit.
            schema_editor.execute("SET LOCAL statement_timeout = 0")
            schema_editor.execute(FILL_POSTGRES)
        elif fill:
            schema_editor.execute(SET_FROM_PARTICIPANT)
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0017_participant_practice_clp_idx"),
        ("practices", "0004_dates_in_a_plausible_range"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="consultation",
            name="caseload_clp",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="consultation",
            name="practice",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="practices.practice",
            ),
        ),
        migrations.RunPython(
            run(POSTGRES_FORWARD, SQLITE_FORWARD, fill=True),
            run(POSTGRES_BACKWARD, SQLITE_BACKWARD),
        ),
        migrations.AddIndex(
            model_name="consultation",
            index=models.Index(
                condition=models.Q(("attended", True)),
                fields=["practice", "date"],
                include=("caseload_clp",),
                name="consultation_practice_date_idx",
            ),
        ),
    ]
