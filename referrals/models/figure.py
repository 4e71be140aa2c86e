from django.db import models

# The figures' columns, in the order of the referral statistics page's (`referrals.figures`).
FIGURE_COLUMNS = (
    "referrals",
    "suggested_only",
    "referred",
    "attended",
    "reached_engaged",
    "engaged",
    "feedback",
    "appropriate",
    "relevant",
)


class _Figures(models.Model):
    """The figures' columns (`FIGURE_COLUMNS`), each a count of referrals."""

    referrals = models.IntegerField(default=0)
    suggested_only = models.IntegerField(default=0)
    referred = models.IntegerField(default=0)
    attended = models.IntegerField(default=0)
    reached_engaged = models.IntegerField(default=0)
    engaged = models.IntegerField(default=0)
    feedback = models.IntegerField(default=0)
    appropriate = models.IntegerField(default=0)
    relevant = models.IntegerField(default=0)

    class Meta:
        abstract = True


class ReferralFigure(_Figures):
    """Running counts behind the referral statistics page, per service and calendar month of
    the referral's date, for the whole programme, kept by the database itself.

    Triggers on referrals (referrals migration 0009) add a row of +1s for a referral's
    figures when it is written and of -1s when it is deleted or changes a column they depend
    on, so every path that writes referrals (forms, the CSV import, the volume generator)
    keeps them. The page sums the year's rows, a few thousand even at national scale,
    instead of aggregating the year's referrals: 300,000 at a million participants
    (bench/NOTES.md). Rows are only ever inserted, so concurrent writers never wait on one
    another; `referral_figures_compact` (with the dashboards' counts, every ten minutes)
    folds each service and month's rows into one.

    The columns are the figures of `referrals.selectors._figures`, defined once in
    `referrals.figures`. There is no practice: only programme leads and administrators see
    the page, and a participant who moves between practices moves no figure of theirs.
    """

    resource = models.ForeignKey(
        "referrals.CommunityResource", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    month = models.DateField(help_text="First day of the month of the referrals' date.")

    class Meta:
        indexes = [
            # The page reads a year of months, from the index alone (its figures with it);
            # compaction groups by service and month.
            models.Index(
                fields=["month", "resource"],
                include=list(FIGURE_COLUMNS),
                name="referralfigure_month_figures",
            ),
            # The directory's referrals per service, summed from the index alone.
            models.Index(
                fields=["resource"], include=["referrals"], name="referralfigure_resource_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.month:%Y-%m}: {self.referrals:+d}"


class ReferralQuarterFigure(_Figures):
    """`ReferralFigure`'s rows added up by quarter, for the referral statistics page's
    quarters (its default): a national year is a row a service and quarter, a third of its
    months'. On PostgreSQL, statement triggers on the monthly table keep it (referrals
    migration 0014): every set of rows written to or deleted from that table adds a row of
    their sums, or of their negated sums, per service and quarter, whoever writes them (the
    referrals' triggers, a rebuild, its folding; they fire under a bulk load's replica role
    too). Elsewhere the page adds up the months, and this table stays empty.

    The service is a plain number, not a foreign key: a service deleted with its monthly
    rows has its quarters' sums written as its rows go."""

    resource_id = models.BigIntegerField()
    quarter = models.DateField(help_text="First day of the quarter of the referrals' date.")

    class Meta:
        indexes = [
            models.Index(
                fields=["quarter", "resource_id"],
                include=list(FIGURE_COLUMNS),
                name="referralquarter_figures",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} {self.quarter:%Y-%m}: {self.referrals:+d}"
