"""A new referral (or one given another participant) waits for a move of its participant in
progress, then takes the practice the move commits.

The trigger of migration 0008 read the participant's last committed practice. The
application's own referral writes hold the participant's row first (`participant_lock`),
but an import's did not: a referral written while a transfer was not yet committed kept the
old practice. Reading the participant FOR SHARE waits for the move's row lock. SQLite
serialises writers: nothing to change there.
"""

from django.db import migrations

LOCKING = """
CREATE OR REPLACE FUNCTION referrals_referral_practice() RETURNS trigger AS $$ BEGIN
NEW.practice_id := (SELECT practice_id FROM participants_participant
                    WHERE id = NEW.participant_id FOR SHARE);
RETURN NEW; END; $$ LANGUAGE plpgsql
"""
NOT_LOCKING = """
CREATE OR REPLACE FUNCTION referrals_referral_practice() RETURNS trigger AS $$ BEGIN
NEW.practice_id := (SELECT practice_id FROM participants_participant
                    WHERE id = NEW.participant_id);
RETURN NEW; END; $$ LANGUAGE plpgsql
"""


def run(statement):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("referrals", "0010_referral_figures")]

    operations = [migrations.RunPython(run(LOCKING), run(NOT_LOCKING))]
