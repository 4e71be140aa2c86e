"""`FollowUp.practice` and `FollowUp.clp`: the participant's practice and CLP, kept by the
database, as `Referral.practice` is (referrals migration 0008).

PostgreSQL: a BEFORE trigger sets both from the participant on every insert and whenever
the follow-up's participant, practice or CLP is written (so a stale value written by the
application is replaced), and an AFTER trigger on participants moves them with a
participant who changes practice or CLP. SQLite (the embedded default): AFTER triggers do
the same by updating the row. Existing rows are filled here.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION participants_followup_owner() RETURNS trigger AS $$ BEGIN
    SELECT practice_id, clp_id INTO NEW.practice_id, NEW.clp_id
    FROM participants_participant WHERE id = NEW.participant_id;
    RETURN NEW; END; $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER participants_followup_owner BEFORE INSERT OR UPDATE OF participant_id,
    practice_id, clp_id ON participants_followup
    FOR EACH ROW EXECUTE FUNCTION participants_followup_owner()
    """,
    """
    CREATE OR REPLACE FUNCTION participants_followup_owner_moves() RETURNS trigger AS $$ BEGIN
    UPDATE participants_followup SET practice_id = NEW.practice_id, clp_id = NEW.clp_id
    WHERE participant_id = NEW.id;
    RETURN NULL; END; $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER participants_followup_owner_moves AFTER UPDATE OF practice_id, clp_id
    ON participants_participant FOR EACH ROW
    WHEN (OLD.practice_id IS DISTINCT FROM NEW.practice_id
          OR OLD.clp_id IS DISTINCT FROM NEW.clp_id)
    EXECUTE FUNCTION participants_followup_owner_moves()
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS participants_followup_owner_moves ON participants_participant",
    "DROP FUNCTION IF EXISTS participants_followup_owner_moves()",
    "DROP TRIGGER IF EXISTS participants_followup_owner ON participants_followup",
    "DROP FUNCTION IF EXISTS participants_followup_owner()",
]
FILL_POSTGRES = (
    "UPDATE participants_followup f SET practice_id = p.practice_id, clp_id = p.clp_id "
    "FROM participants_participant p WHERE p.id = f.participant_id"
)
SET_FROM_PARTICIPANT = (
    "UPDATE participants_followup SET "
    "practice_id = (SELECT practice_id FROM participants_participant p "
    "WHERE p.id = participants_followup.participant_id), "
    "clp_id = (SELECT clp_id FROM participants_participant p "
    "WHERE p.id = participants_followup.participant_id)"
)
SQLITE_FORWARD = [
    "CREATE TRIGGER participants_followup_owner_insert AFTER INSERT ON participants_followup "
    f"BEGIN {SET_FROM_PARTICIPANT} WHERE id = NEW.id; END",
    "CREATE TRIGGER participants_followup_owner_update AFTER UPDATE OF participant_id, "
    f"practice_id, clp_id ON participants_followup BEGIN {SET_FROM_PARTICIPANT} "
    "WHERE id = NEW.id; END",
    "CREATE TRIGGER participants_followup_owner_moves AFTER UPDATE OF practice_id, clp_id "
    "ON participants_participant WHEN OLD.practice_id IS NOT NEW.practice_id "
    "OR OLD.clp_id IS NOT NEW.clp_id BEGIN "
    "UPDATE participants_followup SET practice_id = NEW.practice_id, clp_id = NEW.clp_id "
    "WHERE participant_id = NEW.id; END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS participants_followup_owner_moves",
    "DROP TRIGGER IF EXISTS participants_followup_owner_update",
    "DROP TRIGGER IF EXISTS participants_followup_owner_insert",
]


def run(postgres, sqlite, fill=False):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        statements = {"postgresql": postgres, "sqlite": sqlite}.get(vendor)
        if statements is None:
            raise RuntimeError(f"Follow-up owners need PostgreSQL or SQLite, not {vendor}.")
        if fill and vendor == "postgresql":
            # A national programme's million follow-ups take longer than a page's limit.
            schema_editor.execute("SET LOCAL statement_timeout = 0")
            schema_editor.execute(FILL_POSTGRES)
        elif fill:
            schema_editor.execute(SET_FROM_PARTICIPANT)
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0014_participant_practice_name_idx"),
        ("practices", "0004_dates_in_a_plausible_range"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="followup",
            name="clp",
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
            model_name="followup",
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
            model_name="followup",
            index=models.Index(
                condition=models.Q(("status__in", ["scheduled", "due", "overdue"])),
                fields=["clp", "practice", "due_on"],
                name="followup_open_by_clp",
            ),
        ),
        migrations.AddIndex(
            model_name="followup",
            index=models.Index(
                condition=models.Q(("status__in", ["scheduled", "due", "overdue"])),
                fields=["practice", "due_on"],
                name="followup_open_by_practice",
            ),
        ),
    ]
