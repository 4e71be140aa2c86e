"""A new follow-up waits for a move of its participant in progress, then takes the practice
and CLP the move commits.

The trigger of migration 0015 read the participant's last committed practice and CLP: a
follow-up made by the daily job while a transfer was not yet committed kept the old ones
(the move's own trigger could not see the follow-up either), and the old practice's users
saw it on their worklists. Reading the participant FOR SHARE waits for the move's row lock,
as a move waits for a follow-up's insert in progress. SQLite serialises writers: nothing to
change there.
"""

from django.db import migrations

LOCKING = """
CREATE OR REPLACE FUNCTION participants_followup_owner() RETURNS trigger AS $$ BEGIN
SELECT practice_id, clp_id INTO NEW.practice_id, NEW.clp_id
FROM participants_participant WHERE id = NEW.participant_id FOR SHARE;
RETURN NEW; END; $$ LANGUAGE plpgsql
"""
NOT_LOCKING = """
CREATE OR REPLACE FUNCTION participants_followup_owner() RETURNS trigger AS $$ BEGIN
SELECT practice_id, clp_id INTO NEW.practice_id, NEW.clp_id
FROM participants_participant WHERE id = NEW.participant_id;
RETURN NEW; END; $$ LANGUAGE plpgsql
"""


def run(statement):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("participants", "0015_followup_practice_and_clp")]

    operations = [migrations.RunPython(run(LOCKING), run(NOT_LOCKING))]
