"""`ReferralFigure`: the referral statistics page's running counts per service and month, the
triggers on referrals that keep them, and a backfill from the referrals already there.

The figures are declared once (`FIGURES`, the conditions of `referrals.selectors`' counts
in SQL over "{r}", the row); the same declaration writes the PostgreSQL trigger function,
the SQLite triggers and the backfill. Every change adds rows: -1s for the old row's figures,
+1s for the new row's. An update fires only when a column a figure depends on really
changed (Django's save() writes every column); a participant's move between practices
changes none of them.

SQLite's test flush deletes tables in no set order: a decrement is added there only while
its service and month still have a row, so emptying the figures table first leaves it empty.
(PostgreSQL flushes with TRUNCATE, which fires no row triggers.) The trigger names start
`referrals_figures_`, which `reports.figures.practice_figures_suspended` switches off for a
bulk load with the dashboards' own.
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "referrals_referral"
FIGURES_TABLE = "referrals_referralfigure"
FIGURES = [
    ("referrals", "TRUE"),
    (
        "suggested_only",
        "{r}.referred_on IS NULL AND {r}.attended_on IS NULL AND {r}.engaged_on IS NULL",
    ),
    ("referred", "{r}.referred_on IS NOT NULL"),
    ("attended", "{r}.attended_on IS NOT NULL"),
    ("reached_engaged", "{r}.engaged_on IS NOT NULL"),
    ("engaged", "{r}.status IN ('attended', 'engaged')"),
    ("feedback", "{r}.feedback_at IS NOT NULL"),
    ("appropriate", "{r}.feedback_appropriate IS TRUE"),
    ("relevant", "{r}.feedback_relevant IS TRUE"),
]
WATCHED = [
    "resource_id",
    "date",
    "status",
    "referred_on",
    "attended_on",
    "engaged_on",
    "feedback_at",
    "feedback_appropriate",
    "feedback_relevant",
]
COLUMNS = ", ".join(name for name, _ in FIGURES)


def month_of(vendor, r):
    if vendor == "postgresql":
        return f"CAST(date_trunc('month', {r}.date) AS date)"
    return f"date({r}.date, 'start of month')"


def row_change(vendor, r, sign):
    """The INSERT adding `sign` × each figure of the row `r` (NEW or OLD)."""
    month = month_of(vendor, r)
    values = ", ".join(
        f"CASE WHEN {condition.format(r=r)} THEN {sign} ELSE 0 END" for _, condition in FIGURES
    )
    where = "TRUE"
    if vendor == "sqlite" and sign < 0:
        where = (
            f"EXISTS (SELECT 1 FROM {FIGURES_TABLE} f WHERE f.resource_id = {r}.resource_id"
            f" AND f.month = {month})"
        )
    return (
        f"INSERT INTO {FIGURES_TABLE} (resource_id, month, {COLUMNS}) "
        f"SELECT {r}.resource_id, {month}, {values} WHERE {where};"
    )


def changed(vendor):
    if vendor == "postgresql":
        old = ", ".join(f"OLD.{c}" for c in WATCHED)
        new = ", ".join(f"NEW.{c}" for c in WATCHED)
        return f"(({old}) IS DISTINCT FROM ({new}))"
    return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in WATCHED)


def postgres_forward():
    body = [
        "IF TG_OP <> 'INSERT' THEN",
        row_change("postgresql", "OLD", -1),
        "END IF;",
        "IF TG_OP <> 'DELETE' THEN",
        row_change("postgresql", "NEW", 1),
        "END IF;",
    ]
    return [
        "CREATE OR REPLACE FUNCTION referrals_figures_referral() RETURNS trigger AS $$ BEGIN\n"
        + "\n".join(body)
        + "\nRETURN NULL; END; $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER referrals_figures_referral_write AFTER INSERT OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION referrals_figures_referral()",
        f"CREATE TRIGGER referrals_figures_referral_change AFTER UPDATE ON {TABLE} FOR EACH ROW "
        f"WHEN {changed('postgresql')} EXECUTE FUNCTION referrals_figures_referral()",
    ]


def postgres_backward():
    return [
        f"DROP TRIGGER IF EXISTS referrals_figures_referral_write ON {TABLE}",
        f"DROP TRIGGER IF EXISTS referrals_figures_referral_change ON {TABLE}",
        "DROP FUNCTION IF EXISTS referrals_figures_referral()",
    ]


def sqlite_forward():
    old, new = row_change("sqlite", "OLD", -1), row_change("sqlite", "NEW", 1)
    return [
        f"CREATE TRIGGER referrals_figures_referral_insert AFTER INSERT ON {TABLE} "
        f"BEGIN\n{new}\nEND",
        f"CREATE TRIGGER referrals_figures_referral_delete AFTER DELETE ON {TABLE} "
        f"BEGIN\n{old}\nEND",
        f"CREATE TRIGGER referrals_figures_referral_update AFTER UPDATE ON {TABLE} "
        f"WHEN {changed('sqlite')} BEGIN\n{old}\n{new}\nEND",
    ]


def sqlite_backward():
    return [
        f"DROP TRIGGER IF EXISTS referrals_figures_referral_{suffix}"
        for suffix in ("insert", "delete", "update")
    ]


def backfill(vendor):
    sums = ", ".join(
        f"SUM(CASE WHEN {condition.format(r='c')} THEN 1 ELSE 0 END)" for _, condition in FIGURES
    )
    return [
        f"DELETE FROM {FIGURES_TABLE};",
        f"INSERT INTO {FIGURES_TABLE} (resource_id, month, {COLUMNS}) "
        f"SELECT c.resource_id, {month_of(vendor, 'c')}, {sums} FROM {TABLE} c GROUP BY 1, 2;",
    ]


def run(builders):
    def apply(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        build = builders.get(vendor)
        if build is None:
            raise RuntimeError(f"Referral figures need PostgreSQL or SQLite, not {vendor}.")
        for statement in build():
            schema_editor.execute(statement, params=None)

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0009_referral_practice_index_with_status"),
    ]

    operations = [
        migrations.CreateModel(
            name="ReferralFigure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "month",
                    models.DateField(help_text="First day of the month of the referrals' date."),
                ),
                ("referrals", models.IntegerField(default=0)),
                ("suggested_only", models.IntegerField(default=0)),
                ("referred", models.IntegerField(default=0)),
                ("attended", models.IntegerField(default=0)),
                ("reached_engaged", models.IntegerField(default=0)),
                ("engaged", models.IntegerField(default=0)),
                ("feedback", models.IntegerField(default=0)),
                ("appropriate", models.IntegerField(default=0)),
                ("relevant", models.IntegerField(default=0)),
                (
                    "resource",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="referrals.communityresource",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["month", "resource"], name="referralfigure_month_idx")
                ],
            },
        ),
        migrations.RunPython(
            run(
                {
                    "postgresql": lambda: postgres_forward() + backfill("postgresql"),
                    "sqlite": lambda: sqlite_forward() + backfill("sqlite"),
                }
            ),
            run({"postgresql": postgres_backward, "sqlite": sqlite_backward}),
        ),
    ]
