"""`ReferralQuarterFigure`: the monthly running counts added up by quarter, kept on
PostgreSQL by statement triggers on the monthly table (with its rows as transition tables),
enabled ALWAYS so that a bulk load's replica role does not switch them off; and filled from
the monthly rows already there. SQLite's statistics add up the months; its table stays empty.
"""

from django.db import migrations, models

MONTHS = "referrals_referralfigure"
QUARTERS = "referrals_referralquarterfigure"
COLUMNS = (
    "referrals, suggested_only, referred, attended, reached_engaged, engaged, feedback, "
    "appropriate, relevant"
)
QUARTER = "CAST(date_trunc('quarter', {r}.month) AS date)"


def _sums(table, sign):
    sums = ", ".join(f"{sign}SUM({c.strip()})" for c in COLUMNS.split(","))
    return (
        f"INSERT INTO {QUARTERS} (resource_id, quarter, {COLUMNS}) "
        f"SELECT t.resource_id, {QUARTER.format(r='t')}, {sums} FROM {table} t GROUP BY 1, 2;"
    )


FORWARD = [
    "CREATE OR REPLACE FUNCTION referrals_quarter_figures_added() RETURNS trigger AS $$ "
    f"BEGIN {_sums('added', '')} RETURN NULL; END; $$ LANGUAGE plpgsql",
    "CREATE OR REPLACE FUNCTION referrals_quarter_figures_removed() RETURNS trigger AS $$ "
    f"BEGIN {_sums('removed', '-')} RETURN NULL; END; $$ LANGUAGE plpgsql",
    "CREATE OR REPLACE FUNCTION referrals_quarter_figures_changed() RETURNS trigger AS $$ "
    f"BEGIN {_sums('removed', '-')} {_sums('added', '')} RETURN NULL; END; $$ LANGUAGE plpgsql",
    "CREATE OR REPLACE FUNCTION referrals_quarter_figures_emptied() RETURNS trigger AS $$ "
    f"BEGIN DELETE FROM {QUARTERS}; RETURN NULL; END; $$ LANGUAGE plpgsql",
    f"CREATE TRIGGER referrals_quarter_figures_added AFTER INSERT ON {MONTHS} "
    "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
    "EXECUTE FUNCTION referrals_quarter_figures_added()",
    f"CREATE TRIGGER referrals_quarter_figures_removed AFTER DELETE ON {MONTHS} "
    "REFERENCING OLD TABLE AS removed FOR EACH STATEMENT "
    "EXECUTE FUNCTION referrals_quarter_figures_removed()",
    f"CREATE TRIGGER referrals_quarter_figures_changed AFTER UPDATE ON {MONTHS} "
    "REFERENCING OLD TABLE AS removed NEW TABLE AS added FOR EACH STATEMENT "
    "EXECUTE FUNCTION referrals_quarter_figures_changed()",
    f"CREATE TRIGGER referrals_quarter_figures_emptied AFTER TRUNCATE ON {MONTHS} "
    "FOR EACH STATEMENT EXECUTE FUNCTION referrals_quarter_figures_emptied()",
    *(
        f"ALTER TABLE {MONTHS} ENABLE ALWAYS TRIGGER referrals_quarter_figures_{name}"
        for name in ("added", "removed", "changed", "emptied")
    ),
    f"DELETE FROM {QUARTERS}",
    _sums(MONTHS, "").rstrip(";"),
]
BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS referrals_quarter_figures_{name} ON {MONTHS}"
        for name in ("added", "removed", "changed", "emptied")
    ),
    *(
        f"DROP FUNCTION IF EXISTS referrals_quarter_figures_{name}()"
        for name in ("added", "removed", "changed", "emptied")
    ),
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return apply


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0013_referral_figures_from_the_month_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReferralQuarterFigure',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('resource_id', models.BigIntegerField()),
                ('quarter', models.DateField(help_text="First day of the quarter of the referrals' date.")),
                ('referrals', models.IntegerField(default=0)),
                ('suggested_only', models.IntegerField(default=0)),
                ('referred', models.IntegerField(default=0)),
                ('attended', models.IntegerField(default=0)),
                ('reached_engaged', models.IntegerField(default=0)),
                ('engaged', models.IntegerField(default=0)),
                ('feedback', models.IntegerField(default=0)),
                ('appropriate', models.IntegerField(default=0)),
                ('relevant', models.IntegerField(default=0)),
            ],
            options={
                'indexes': [models.Index(fields=['quarter', 'resource_id'], include=('referrals', 'suggested_only', 'referred', 'attended', 'reached_engaged', 'engaged', 'feedback', 'appropriate', 'relevant'), name='referralquarter_figures')],
            },
        ),
        migrations.RunPython(run(FORWARD), run(BACKWARD)),
    ]
