"""The definitions of the referral figures and the one percentage helper, below `reports`
so that the referral statistics page (`referrals.selectors`) and everything in `reports`
(the annual statistics, the dashboards and the SQL of their running counts) count the same
thing. `reports.definitions` gathers them with the other programme figures.

Two kinds of engagement are both useful and have two names:
- engaged (latest status): the referral's current status is attended or engaged; this is
  the programme's engagement figure, on every page, dashboard, download and report;
- reached engaged (ever): the referral got as far as engaged at some time (`engaged_on`),
  even if it was closed later; the referral statistics page shows it beside the first, as
  a stage of the referral's path.
"""

from __future__ import annotations

from django.db.models import Count, Q

from referrals.models import ReferralStatus
from referrals.models.figure import FIGURE_COLUMNS

ENGAGED_STATUSES: tuple[str, ...] = (ReferralStatus.ATTENDED.value, ReferralStatus.ENGAGED.value)
ENGAGED_LABEL = "engaged (latest status attended or engaged)"
REACHED_ENGAGED_LABEL = "reached engaged (at any time)"


def engaged(prefix: str = "") -> Q:
    """Engaged by its latest status: attended or engaged now."""
    return Q(**{f"{prefix}status__in": ENGAGED_STATUSES})


def reached_engaged(prefix: str = "") -> Q:
    """Reached the engaged stage at some time, whatever its status now."""
    return Q(**{f"{prefix}engaged_on__isnull": False})


# The nine figures of the referral statistics page, in the order of its columns: the
# running counts' columns (`ReferralFigure`).
FIGURE_NAMES: tuple[str, ...] = FIGURE_COLUMNS


def figure_counts(prefix: str = "", scope: Q | None = None) -> dict:
    """Counts of referrals, reached from `prefix` (for counting from categories), each
    limited to `scope`. Milestone dates count a referral that got that far even if it was
    closed later."""
    scope = scope or Q()

    def count(**conditions) -> Count:
        condition = scope & Q(**{f"{prefix}{k}": v for k, v in conditions.items()})
        return Count(f"{prefix}id", filter=condition or None)

    return {
        "referrals": count(),
        "suggested_only": count(
            referred_on__isnull=True, attended_on__isnull=True, engaged_on__isnull=True
        ),
        "referred": count(referred_on__isnull=False),
        "attended": count(attended_on__isnull=False),
        "reached_engaged": Count(f"{prefix}id", filter=scope & reached_engaged(prefix)),
        "engaged": Count(f"{prefix}id", filter=scope & engaged(prefix)),
        "feedback": count(feedback_at__isnull=False),
        "appropriate": count(feedback_appropriate=True),
        "relevant": count(feedback_relevant=True),
    }


def engaged_sql(alias: str) -> str:
    """The same test in SQL, for the triggers that keep the dashboards' running counts."""
    statuses = ", ".join(f"'{status}'" for status in ENGAGED_STATUSES)
    return f"{alias}.status IN ({statuses})"


def pct(numerator: int | None, denominator: int | None) -> float | None:
    """A percentage from 0 to 100 rounded to one decimal; None when there is no denominator.
    Every percentage the system shows comes from here, so no two pages round differently."""
    if not denominator:
        return None
    return round(100.0 * (numerator or 0) / denominator, 1)
