"""Each participant's first day with a need in each domain (`Participant.first_*_need_on`),
kept by the database from their needs, so that the annual statistics count the domains the
supported's needs span by a day from the participant's own row, read in the same probe as
their SIMD quintile, instead of reading every need of the programme (bench/NOTES.md).

PostgreSQL: after a need is written, moved, redated or deleted, its participant's row is
locked (so two needs written at once for one participant are counted one after the other,
each with the other's committed) and the three days worked out again from their needs; a
need whose domain changes does the same for everyone with that need. SQLite (the embedded
default, one writer): the same by AFTER triggers. Existing participants are filled here.
"""

from django.db import migrations, models

DOMAINS = {
    "physical": "first_physical_need_on",
    "mental": "first_mental_need_on",
    "social": "first_social_need_on",
}
PARTICIPANT = "participants_participant"
NEED = "participants_participantneed"


def _firsts(participant: str) -> str:
    """Each domain's column set to its first day among `participant`'s needs."""
    return ", ".join(
        f"{column} = (SELECT MIN(pn.identified_on) FROM {NEED} pn JOIN participants_need n "
        f"ON n.id = pn.need_id WHERE pn.participant_id = {participant} "
        f"AND n.domain = '{domain}')"
        for domain, column in DOMAINS.items()
    )


COLUMNS = ", ".join(DOMAINS.values())
POSTGRES_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION participants_need_domains_of(pid bigint) RETURNS void AS $$
    BEGIN
    PERFORM 1 FROM {PARTICIPANT} WHERE id = pid FOR UPDATE;
    UPDATE {PARTICIPANT} p SET ({COLUMNS}) = (SELECT {", ".join(
        f"MIN(pn.identified_on) FILTER (WHERE n.domain = '{domain}')" for domain in DOMAINS
    )} FROM {NEED} pn JOIN participants_need n ON n.id = pn.need_id
    WHERE pn.participant_id = pid) WHERE p.id = pid;
    END; $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE OR REPLACE FUNCTION participants_need_domains() RETURNS trigger AS $$ BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM participants_need_domains_of(OLD.participant_id);
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.participant_id <> NEW.participant_id THEN
        PERFORM participants_need_domains_of(OLD.participant_id);
    END IF;
    PERFORM participants_need_domains_of(NEW.participant_id);
    RETURN NULL; END; $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE TRIGGER participants_need_domains_write AFTER INSERT OR DELETE ON {NEED}
    FOR EACH ROW EXECUTE FUNCTION participants_need_domains()
    """,
    f"""
    CREATE TRIGGER participants_need_domains_change AFTER UPDATE OF participant_id, need_id,
    identified_on ON {NEED} FOR EACH ROW
    WHEN (OLD.participant_id IS DISTINCT FROM NEW.participant_id
          OR OLD.need_id IS DISTINCT FROM NEW.need_id
          OR OLD.identified_on IS DISTINCT FROM NEW.identified_on)
    EXECUTE FUNCTION participants_need_domains()
    """,
    f"""
    CREATE OR REPLACE FUNCTION participants_need_domain_moves() RETURNS trigger AS $$ BEGIN
    PERFORM participants_need_domains_of(participant_id)
    FROM (SELECT DISTINCT participant_id FROM {NEED} WHERE need_id = NEW.id
          ORDER BY participant_id) AS holders;
    RETURN NULL; END; $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER participants_need_domain_moves AFTER UPDATE OF domain ON participants_need
    FOR EACH ROW WHEN (OLD.domain IS DISTINCT FROM NEW.domain)
    EXECUTE FUNCTION participants_need_domain_moves()
    """,
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS participants_need_domain_moves ON participants_need",
    "DROP FUNCTION IF EXISTS participants_need_domain_moves()",
    f"DROP TRIGGER IF EXISTS participants_need_domains_change ON {NEED}",
    f"DROP TRIGGER IF EXISTS participants_need_domains_write ON {NEED}",
    "DROP FUNCTION IF EXISTS participants_need_domains()",
    "DROP FUNCTION IF EXISTS participants_need_domains_of(bigint)",
]
# Every participant with a need, in one pass over the needs (a national programme's million
# participants and two and a half million needs).
FILL_POSTGRES = (
    f"UPDATE {PARTICIPANT} p SET ({COLUMNS}) = ("
    + ", ".join(f"d.{domain}" for domain in DOMAINS)
    + ") FROM (SELECT pn.participant_id, "
    + ", ".join(
        f"MIN(pn.identified_on) FILTER (WHERE n.domain = '{domain}') AS {domain}"
        for domain in DOMAINS
    )
    + f" FROM {NEED} pn JOIN participants_need n ON n.id = pn.need_id "
    "GROUP BY pn.participant_id) d WHERE p.id = d.participant_id"
)
FILL_SQLITE = f"UPDATE {PARTICIPANT} SET {_firsts(PARTICIPANT + '.id')}"
SQLITE_FORWARD = [
    f"CREATE TRIGGER participants_need_domains_insert AFTER INSERT ON {NEED} BEGIN "
    f"UPDATE {PARTICIPANT} SET {_firsts(PARTICIPANT + '.id')} WHERE id = NEW.participant_id; "
    "END",
    f"CREATE TRIGGER participants_need_domains_delete AFTER DELETE ON {NEED} BEGIN "
    f"UPDATE {PARTICIPANT} SET {_firsts(PARTICIPANT + '.id')} WHERE id = OLD.participant_id; "
    "END",
    f"CREATE TRIGGER participants_need_domains_update AFTER UPDATE OF participant_id, need_id, "
    f"identified_on ON {NEED} BEGIN "
    f"UPDATE {PARTICIPANT} SET {_firsts(PARTICIPANT + '.id')} "
    "WHERE id IN (OLD.participant_id, NEW.participant_id); END",
    "CREATE TRIGGER participants_need_domain_moves AFTER UPDATE OF domain ON participants_need "
    "WHEN OLD.domain IS NOT NEW.domain BEGIN "
    f"UPDATE {PARTICIPANT} SET {_firsts(PARTICIPANT + '.id')} "
    f"WHERE id IN (SELECT participant_id FROM {NEED} WHERE need_id = NEW.id); END",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS participants_need_domain_moves",
    "DROP TRIGGER IF EXISTS participants_need_domains_update",
    "DROP TRIGGER IF EXISTS participants_need_domains_delete",
    "DROP TRIGGER IF EXISTS participants_need_domains_insert",
]


def run(postgres, sqlite, fill=False):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        statements = {"postgresql": postgres, "sqlite": sqlite}.get(vendor)
        if statements is None:
            raise RuntimeError(f"Need domains need PostgreSQL or SQLite, not {vendor}.")
        if fill and vendor == "postgresql":
            schema_editor.execute("SET LOCAL statement_timeout = 0")
            schema_editor.execute(FILL_POSTGRES)
        elif fill:
            schema_editor.execute(FILL_SQLITE)
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0019_participantneed_domains_idx"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name="participant",
                name=column,
                field=models.DateField(editable=False, null=True),
            )
            for column in DOMAINS.values()
        ),
        migrations.RunPython(
            run(POSTGRES_FORWARD, SQLITE_FORWARD, fill=True),
            run(POSTGRES_BACKWARD, SQLITE_BACKWARD),
        ),
    ]
