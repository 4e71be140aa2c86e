"""Dashboards: counts only, from the database's running counts per practice and month
(`reports.figures`), a fixed number of queries each."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from accounts.models import User
from accounts.prepared import Prepared, PreparedPages
from participants.dates import add_months
from participants.models import FollowUpStatus
from participants.selectors import caseload_by_clp
from practices.access import (
    practice_ids_in_aggregate_scope,
    practices_visible_to,
    sees_every_practice,
)
from practices.models import Practice, StaffRole
from practices.roles import AnyUser
from reports.charts import bar_chart
from reports.definitions import pct
from reports.figures import (
    practice_totals,
    scope_totals,
    scope_totals_by_month,
    sum_figures,
)
from reports.suppression import Suppressor
from safeguarding.selectors import concern_counts_for

CAME_DUE = [
    FollowUpStatus.DUE,
    FollowUpStatus.OVERDUE,
    FollowUpStatus.COMPLETED,
    FollowUpStatus.MISSED,
    FollowUpStatus.DECLINED,
]


def _months(today: date, count: int = 12) -> list[date]:
    first = today.replace(day=1)
    return [add_months(first, -i) for i in range(count - 1, -1, -1)]


def _scope_figures(user: AnyUser, today: date) -> tuple[dict, list[dict]]:
    """The user's scope's figures of the last twelve calendar months (and all time), and its
    consultations per month for the chart: one read of the running counts."""
    months = _months(today)
    figures, by_month = scope_totals_by_month(
        practice_ids=practice_ids_in_aggregate_scope(user), since=months[0]
    )
    return figures, [
        {
            "month": month,
            "attended": by_month.get(month, {}).get("consultations_attended", 0),
            "dna": by_month.get(month, {}).get("consultations_dna", 0),
        }
        for month in months
    ]


def _follow_ups(figures: dict) -> dict:
    """Of the follow-ups that have come due, the share completed. Not yet due and not
    applicable ones are left out of both sides."""
    came_due = sum_figures(figures, (f"follow_ups_{status.value}" for status in CAME_DUE))
    completed = figures.get("follow_ups_completed", 0)
    return {
        "came_due": came_due,
        "completed": completed,
        "overdue": figures.get("follow_ups_overdue", 0),
        "due": figures.get("follow_ups_due", 0),
        "rate": pct(completed, came_due),
    }


def followup_completion(*, user: User) -> dict:
    return _follow_ups(scope_totals(practice_ids=practice_ids_in_aggregate_scope(user)))


def _referrals(figures: dict) -> dict:
    made, engaged = figures.get("referrals_made", 0), figures.get("referrals_engaged", 0)
    return {"made": made, "engaged": engaged, "engaged_pct": pct(engaged, made)}


def practice_dashboard(*, user: User, today: date | None = None) -> dict:
    """The last twelve calendar months, this one included, as the chart shows them."""
    today = today or timezone.localdate()
    since = _months(today)[0]
    figures, by_month = _scope_figures(user, today)
    return {
        "by_clp": caseload_by_clp(user=user),
        "by_month": by_month,
        "follow_ups": _follow_ups(figures),
        "referrals": _referrals(figures),
        "since": since,
        "concerns": _concerns(user=user, since=since),
    }


def _concerns(*, user: User, since: date) -> dict[str, str]:
    """Safeguarding concerns raised since `since` by category: counts only, suppressed, as
    managers never see the concerns themselves."""
    counts = concern_counts_for(user=user, since=since)
    return Suppressor.from_settings().group(counts, total=sum(counts.values()))


@dataclass(frozen=True)
class PracticeRow:
    """A practice with aggregate figures only: never a participant row."""

    practice: Practice
    clps: int
    open_cases: int
    total_cases: int
    attended: int
    dna: int
    referrals_made: int
    referrals_engaged: int
    engaged_pct: float | None
    follow_ups_due: int
    follow_ups_completed: int
    completion_pct: float | None

    @property
    def code(self) -> str:
        return self.practice.code

    @property
    def name(self) -> str:
        return self.practice.name


def practice_comparison(*, user: AnyUser, today: date | None = None) -> list[PracticeRow]:
    """One row per practice in the user's scope: current CLPs; open and all cases;
    consultations and referrals in the last twelve calendar months; follow-ups completed of
    those that came due. The programme dashboard, the practices list and the lead's home
    page all read it.

    Two queries whatever the number of practices or records: the practices with their
    current CLPs, and their running counts (`reports.figures`); counting the records
    themselves took 80 ms at 50,000 participants (bench/NOTES.md)."""
    today = today or timezone.localdate()
    practices = _practices_with_clps(user, today)
    return _comparison_rows(
        list(practices), practice_ids=practice_ids_in_aggregate_scope(user), today=today
    )


def practice_comparison_page(
    *, user: AnyUser, page: str | int | None, today: date | None = None
) -> tuple[Page, list[PracticeRow]]:
    """A page of `practice_comparison`'s rows, for the practices list: a national programme
    has hundreds of practices. Three queries whatever the number: the count, the page's
    practices, and the running counts of those practices only."""
    today = today or timezone.localdate()
    listed: Any
    if sees_every_practice(user):
        # The whole programme's, a page at a time by a prepared query (`accounts.prepared`).
        listed = PreparedPages(_every_practice_with_clps, [today], _every_practice_count())
        count = len(listed)
    else:
        listed = _practices_with_clps(user, today)
        count = practices_visible_to(user).count()
    paginator = Paginator(listed, settings.LINKS_PAGE_SIZE)
    # One row a practice either way: counted without the CLPs' join and grouping.
    paginator.count = count
    current = paginator.get_page(page)
    practices = list(current.object_list)
    scope = practice_ids_in_aggregate_scope(user)
    ids = [p.pk for p in practices if scope is None or p.pk in scope]
    return current, _comparison_rows(practices, practice_ids=ids, today=today)


def practice_comparison_totals(*, user: AnyUser, today: date | None = None) -> dict:
    """The comparison's totals row: every practice in the user's scope, each figure summed by
    the database (one query), and its percentages from the summed counts, as the rows'
    are from theirs. A page of rows no longer needs every practice's to add up."""
    return practice_comparison_totals_and_months(user=user, today=today)[0]


def practice_comparison_totals_and_months(
    *, user: AnyUser, today: date | None = None
) -> tuple[dict, list[dict]]:
    """The totals row and the consultations per month, as the programme dashboard shows
    them: both from one read of the running counts."""
    figures, by_month = _scope_figures(user, today or timezone.localdate())
    return _comparison_totals(figures), by_month


def _comparison_totals(figures: dict) -> dict:
    referrals, follow_ups = _referrals(figures), _follow_ups(figures)
    return {
        "open_cases": figures.get("cases_open", 0),
        "attended": figures.get("consultations_attended", 0),
        "dna": figures.get("consultations_dna", 0),
        "referrals_made": referrals["made"],
        "referrals_engaged": referrals["engaged"],
        "engaged_pct": referrals["engaged_pct"],
        "follow_ups_due": follow_ups["came_due"],
        "follow_ups_completed": follow_ups["completed"],
        "completion_pct": follow_ups["rate"],
    }


def _practices_with_clps(user: AnyUser, today: date) -> QuerySet[Practice]:
    return _with_clps(practices_visible_to(user), today)


def _with_clps(practices: QuerySet[Practice], today: date) -> QuerySet[Practice]:
    current = Q(attachments__started_on__lte=today) & (
        Q(attachments__ended_on__isnull=True) | Q(attachments__ended_on__gte=today)
    )
    return practices.annotate(
        clps=Count(
            "attachments__user",
            filter=current & Q(attachments__role=StaffRole.CLP),
            distinct=True,
        ),
    ).order_by("name")


# Every practice with its current CLPs, by name (a page of them by `Prepared.slice`).
_every_practice_with_clps = Prepared(lambda today: _with_clps(Practice.objects.all(), today))


def _every_practice_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {Practice._meta.db_table}")  # noqa: S608 (our table)
        return cursor.fetchone()[0]


def _comparison_rows(
    practices: list[Practice], *, practice_ids: Iterable[int] | None, today: date
) -> list[PracticeRow]:
    since = _months(today)[0]
    totals = practice_totals(practice_ids=practice_ids, since=since)
    rows = []
    for practice in practices:
        figures = totals.get(practice.pk, {})
        referrals, follow_ups = _referrals(figures), _follow_ups(figures)
        open_cases = figures.get("cases_open", 0)
        rows.append(
            PracticeRow(
                practice=practice,
                clps=getattr(practice, "clps"),  # noqa: B009 (annotated)
                open_cases=open_cases,
                total_cases=open_cases + figures.get("cases_closed", 0),
                attended=figures.get("consultations_attended", 0),
                dna=figures.get("consultations_dna", 0),
                referrals_made=referrals["made"],
                referrals_engaged=referrals["engaged"],
                engaged_pct=referrals["engaged_pct"],
                follow_ups_due=follow_ups["came_due"],
                follow_ups_completed=follow_ups["completed"],
                completion_pct=follow_ups["rate"],
            )
        )
    return rows


def _svg(markup: str) -> SafeString:
    # bar_chart escapes every label and number it draws, so its markup is safe to embed.
    return mark_safe(markup)  # noqa: S308


def practice_charts(data: dict) -> dict[str, SafeString]:
    """The practice dashboard's three small charts, drawn as the annual report draws its
    own (`reports.charts`). The same numbers sit in tables beside them for screen readers."""
    follow_ups, referrals = data["follow_ups"], data["referrals"]
    return {
        "months": _svg(
            bar_chart(
                [
                    (row["month"].strftime("%b %Y"), row["attended"], str(row["attended"]))
                    for row in data["by_month"]
                ],
                title="Consultations attended per month",
            )
        ),
        "follow_ups": _svg(
            bar_chart(
                [
                    ("Due now", follow_ups["due"], str(follow_ups["due"])),
                    ("Overdue", follow_ups["overdue"], str(follow_ups["overdue"])),
                    ("Completed", follow_ups["completed"], str(follow_ups["completed"])),
                ],
                title="Follow-ups",
            )
        ),
        "referrals": _svg(
            bar_chart(
                [
                    ("Referrals made", referrals["made"], str(referrals["made"])),
                    ("Engaged", referrals["engaged"], str(referrals["engaged"])),
                ],
                title="Referral engagement",
            )
        ),
    }


def programme_charts(*, rows: list[PracticeRow], by_month: list[dict]) -> dict[str, SafeString]:
    """The programme dashboard's charts: consultations per month across the programme, and
    follow-ups completed and referral engagement by practice, as percentages."""

    def pct_bar(name: str, value: float | None) -> tuple[str, float | None, str]:
        return (name, value, "—" if value is None else f"{value}%")

    return {
        "months": _svg(
            bar_chart(
                [
                    (row["month"].strftime("%b %Y"), row["attended"], str(row["attended"]))
                    for row in by_month
                ],
                title="Consultations attended per month",
            )
        ),
        "follow_ups": _svg(
            bar_chart(
                [pct_bar(p.name, p.completion_pct) for p in rows],
                title="Follow-ups completed of those that came due",
            )
        ),
        "referrals": _svg(
            bar_chart(
                [pct_bar(p.name, p.engaged_pct) for p in rows],
                title="Referrals engaged",
            )
        ),
    }
