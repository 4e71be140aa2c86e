"""`Referral.practice`: the participant's practice, kept by the database.

PostgreSQL: a BEFORE trigger sets it from the participant on every insert and whenever the
referral's participant changes (so nothing else can write it), and an AFTER trigger on
participants moves it with a participant who changes practice. SQLite (the embedded
default): AFTER triggers do the same by updating the row. Existing rows are filled here.
"""

from django.db import migrations, models
import django.db.models.deletion

POSTGRES_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION referrals_referral_practice() RETURNS trigger AS $$ BEGIN
    NEW.practice_id := (SELECT practice_id FROM participants_participant
                        WHERE id = NEW.participant_id);
    RETURN NEW; END; $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER referrals_referral_practice BEFORE INSERT OR UPDATE OF participant_id,
    practice_id ON referrals_referral FOR EACH ROW EXECUTE FUNCTION referrals_referral_practice()
    """,
    """
    CREATE OR REPLACE FUNCTION referrals_participant_moves() RETURNS trigger AS $$ BEGIN
    UPDATE referrals_referral SET practice_id = NEW.practice_id WHERE participant_id = NEW.id;
    RETURN NULL; END; $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER referrals_participant_moves AFTER UPDATE OF practice_id
    ON participants_participant FOR EACH ROW
    WHEN (OLD.practice_id IS DISTINCT FROM NEW.practice_id)
    EXECUTE FUNCTION referrals_participant_moves()
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS referrals_participant_moves ON participants_participant",
    "DROP FUNCTION IF EXISTS referrals_participant_moves()",
    "DROP TRIGGER IF EXISTS referrals_referral_practice ON referrals_referral",
    "DROP FUNCTION IF EXISTS referrals_referral_practice()",
]
SET_FROM_PARTICIPANT = (
    "UPDATE referrals_referral SET practice_id = (SELECT practice_id FROM "
    "participants_participant WHERE id = referrals_referral.participant_id)"
)
SQLITE_FORWARD = [
    f"CREATE TRIGGER referrals_referral_practice_insert AFTER INSERT ON referrals_referral "
    f"BEGIN {SET_FROM_PARTICIPANT} WHERE id = NEW.id; END",
    f"CREATE TRIGGER referrals_referral_practice_update AFTER UPDATE OF participant_id, "
    f"practice_id ON referrals_referral BEGIN {SET_FROM_PARTICIPANT} WHERE id = NEW.id; END",
    "CREATE TRIGGER referrals_participant_moves AFTER UPDATE OF practice_id "
    "ON participants_participant WHEN OLD.practice_id IS NOT NEW.practice_id BEGIN "
    "UPDATE referrals_referral SET practice_id = NEW.practice_id "
    "WHERE participant_id = NEW.id; END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS referrals_participant_moves",
    "DROP TRIGGER IF EXISTS referrals_referral_practice_update",
    "DROP TRIGGER IF EXISTS referrals_referral_practice_insert",
]


def run(postgres, sqlite, fill=False):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        statements = {"postgresql": postgres, "sqlite": sqlite}.get(vendor)
        if statements is None:
            raise RuntimeError(f"Referral practices need PostgreSQL or SQLite, not {vendor}.")
        if fill:
            schema_editor.execute(SET_FROM_PARTICIPANT)
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0010_assessment_swemwbs_and_eq5d_index"),
        ("practices", "0004_dates_in_a_plausible_range"),
        ("referrals", "0007_dates_in_a_plausible_range"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
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
            model_name="referral",
            index=models.Index(
                fields=["practice", "-date", "-id"], name="referral_practice_date_idx"
            ),
        ),
    ]
