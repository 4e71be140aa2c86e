"""Triggers that keep `reports_practicefigure` (see `PracticeFigure`), and a backfill from the
records already there.

Each source table declares its figures once (`SOURCES`); the same declaration writes the
PostgreSQL trigger functions, the SQLite triggers and the backfill, so the three cannot
disagree. Every change adds rows: -1 for the old row's figures, +1 for the new row's. An
update fires only when a column a figure depends on really changed (Django's save() writes
every column).

SQLite's test flush deletes tables in no set order: a decrement is added there only while
the figure it undoes still has a row, so emptying the figures table first leaves it empty.
(PostgreSQL flushes with TRUNCATE, which fires no row triggers.)
"""

from django.db import migrations

FIGURES = "reports_practicefigure"
PARTICIPANT = "participants_participant"


class Source:
    def __init__(self, table, watched, figures, month=None, direct=False):
        self.table = table
        self.watched = watched  # the columns the figures depend on
        self.figures = figures  # [(figure expression, condition)] over "{r}", the row
        self.month = month  # the date column bucketed by calendar month, or None: all time
        self.direct = direct  # the row is the participant: its own practice_id


SOURCES = {
    "participant": Source(
        PARTICIPANT,
        ["practice_id", "status"],
        [("'cases_' || {r}.status", "TRUE")],
        direct=True,
    ),
    "consultation": Source(
        "participants_consultation",
        ["participant_id", "date", "attended"],
        [
            (
                "CASE WHEN {r}.attended THEN 'consultations_attended' "
                "ELSE 'consultations_dna' END",
                "TRUE",
            )
        ],
        month="date",
    ),
    "referral": Source(
        "referrals_referral",
        ["participant_id", "date", "status"],
        [
            ("'referrals_made'", "TRUE"),
            ("'referrals_engaged'", "{r}.status IN ('attended', 'engaged')"),
        ],
        month="date",
    ),
    "followup": Source(
        "participants_followup",
        ["participant_id", "status"],
        [("'follow_ups_' || {r}.status", "TRUE")],
    ),
}


def month_of(vendor, source, r):
    if source.month is None:
        return "CAST(NULL AS date)" if vendor == "postgresql" else "NULL"
    column = f"{r}.{source.month}"
    if vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def row_changes(vendor, source, r, sign):
    """INSERTs adding `sign` to each figure of the row `r` (NEW or OLD)."""
    statements = []
    for figure, condition in source.figures:
        figure, condition = figure.format(r=r), condition.format(r=r)
        month = month_of(vendor, source, r)
        if source.direct:
            practice, origin = f"{r}.practice_id", f"(SELECT 1) AS one WHERE {condition}"
        else:
            practice = "p.practice_id"
            origin = f"{PARTICIPANT} p WHERE p.id = {r}.participant_id AND {condition}"
        if vendor == "sqlite" and sign < 0:
            origin += (
                f" AND EXISTS (SELECT 1 FROM {FIGURES} f WHERE f.practice_id = {practice}"
                f" AND f.figure = {figure} AND f.month IS {month})"
            )
        statements.append(
            f"INSERT INTO {FIGURES} (practice_id, month, figure, count) "
            f"SELECT {practice}, {month}, {figure}, {sign} FROM {origin};"
        )
    return statements


def grouped_counts(vendor, source, practice, where, sign):
    """INSERTs adding `sign` × the count of the source's rows matching `where`, per figure
    and month, to `practice` (an expression over the rows, aliased "c")."""
    statements = []
    for figure, condition in source.figures:
        figure, condition = figure.format(r="c"), condition.format(r="c")
        month = month_of(vendor, source, "c")
        joined = practice.startswith("p.")
        join = f" JOIN {PARTICIPANT} p ON p.id = c.participant_id" if joined else ""
        statements.append(
            f"INSERT INTO {FIGURES} (practice_id, month, figure, count) "
            f"SELECT {practice}, {month}, {figure}, {sign} * COUNT(*) FROM {source.table} c"
            f"{join} WHERE {where} AND {condition} GROUP BY 1, 2, 3;"
        )
    return statements


def moves(vendor):
    """A participant who changes practice takes their records' figures along."""
    statements = []
    for name, source in SOURCES.items():
        if source.direct:
            continue
        where = "c.participant_id = NEW.id"
        statements += grouped_counts(vendor, source, "OLD.practice_id", where, -1)
        statements += grouped_counts(vendor, source, "NEW.practice_id", where, 1)
    return statements


def changed(vendor, source):
    if vendor == "postgresql":
        old = ", ".join(f"OLD.{c}" for c in source.watched)
        new = ", ".join(f"NEW.{c}" for c in source.watched)
        return f"(({old}) IS DISTINCT FROM ({new}))"
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in source.watched)


def postgres_forward():
    statements = []
    for name, source in SOURCES.items():
        function = f"reports_figures_{name}"
        old, new = row_changes("postgresql", source, "OLD", -1), row_changes(
            "postgresql", source, "NEW", 1
        )
        body = [
            "IF TG_OP <> 'INSERT' THEN",
            *old,
            "END IF;",
            "IF TG_OP <> 'DELETE' THEN",
            *new,
            "END IF;",
        ]
        if source.direct:
            body += [
                "IF TG_OP = 'UPDATE' AND NEW.practice_id IS DISTINCT FROM OLD.practice_id THEN",
                *moves("postgresql"),
                "END IF;",
            ]
        statements += [
            f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$ BEGIN\n"
            + "\n".join(body)
            + "\nRETURN NULL; END; $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {function}_write AFTER INSERT OR DELETE ON {source.table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()",
            f"CREATE TRIGGER {function}_change AFTER UPDATE ON {source.table} FOR EACH ROW "
            f"WHEN {changed('postgresql', source)} EXECUTE FUNCTION {function}()",
        ]
    return statements


def postgres_backward():
    statements = []
    for name, source in SOURCES.items():
        function = f"reports_figures_{name}"
        statements += [
            f"DROP TRIGGER IF EXISTS {function}_write ON {source.table}",
            f"DROP TRIGGER IF EXISTS {function}_change ON {source.table}",
            f"DROP FUNCTION IF EXISTS {function}()",
        ]
    return statements


def sqlite_forward():
    statements = []
    for name, source in SOURCES.items():
        trigger, table = f"reports_figures_{name}", source.table
        old, new = row_changes("sqlite", source, "OLD", -1), row_changes("sqlite", source, "NEW", 1)
        statements += [
            f"CREATE TRIGGER {trigger}_insert AFTER INSERT ON {table} BEGIN\n"
            + "\n".join(new)
            + "\nEND",
            f"CREATE TRIGGER {trigger}_delete AFTER DELETE ON {table} BEGIN\n"
            + "\n".join(old)
            + "\nEND",
            f"CREATE TRIGGER {trigger}_update AFTER UPDATE ON {table} "
            f"WHEN {changed('sqlite', source)} BEGIN\n" + "\n".join(old + new) + "\nEND",
        ]
        if source.direct:
            statements.append(
                f"CREATE TRIGGER {trigger}_move AFTER UPDATE OF practice_id ON {table} "
                "WHEN OLD.practice_id IS NOT NEW.practice_id BEGIN\n"
                + "\n".join(moves("sqlite"))
                + "\nEND"
            )
    return statements


def sqlite_backward():
    statements = []
    for name in SOURCES:
        for suffix in ("insert", "delete", "update", "move"):
            statements.append(f"DROP TRIGGER IF EXISTS reports_figures_{name}_{suffix}")
    return statements


def backfill(vendor):
    statements = [f"DELETE FROM {FIGURES};"]
    for source in SOURCES.values():
        practice = "c.practice_id" if source.direct else "p.practice_id"
        statements += grouped_counts(vendor, source, practice, "TRUE", 1)
    return statements


def run(builders):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        build = builders.get(vendor)
        if build is None:
            raise RuntimeError(f"Practice figures need PostgreSQL or SQLite, not {vendor}.")
        for statement in build():
            schema_editor.execute(statement, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_practice_figures"),
        ("participants", "0006_performance_indexes"),
        ("referrals", "0003_referral_participant_date_index"),
    ]

    operations = [
        migrations.RunPython(
            run(
                {
                    "postgresql": lambda: postgres_forward() + backfill("postgresql"),
                    "sqlite": lambda: sqlite_forward() + backfill("sqlite"),
                }
            ),
            run({"postgresql": postgres_backward, "sqlite": sqlite_backward}),
        )
    ]
