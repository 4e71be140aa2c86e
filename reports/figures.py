"""The dashboards' running counts (`PracticeFigure`): reading them, folding their rows
together, and checking them against a recount of the records.

The database's triggers keep the counts (reports migration 0003); nothing here writes a
figure for a record. A dashboard reads the few rows of its practices and months, so its cost
follows the number of practices and months shown, not the number of records behind them.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from accounts.prepared import Prepared
from participants.models import Consultation, FollowUp, Participant
from referrals.models import Referral
from referrals.running_counts import (
    referral_figures_compact,
    referral_figures_differences,
    referral_figures_rebuild,
)
from reports.definitions import engaged
from reports.models import PracticeFigure

logger = logging.getLogger(__name__)

Key = tuple[int, date | None, str]  # practice id, month (None: all time), figure


def _rows(practice_ids: Iterable[int] | None):
    rows = PracticeFigure.objects.all()
    if practice_ids is not None:
        rows = rows.filter(practice_id__in=list(practice_ids))
    return rows


def _period(since: date | None) -> Q:
    """The all-time rows, and the monthly ones from `since`'s month on (none without it)."""
    return _from_month(since.replace(day=1) if since is not None else None)


def _from_month(first_day: date | None) -> Q:
    period = Q(month__isnull=True)
    if first_day is not None:
        period |= Q(month__gte=first_day)
    return period


def _sums(
    practice_ids: list[int] | None, first_day: date | None, *by: str
) -> QuerySet[Any, tuple[Any, ...]]:
    """The running counts summed by the columns `by`: all-time, and from the month on.

    The whole programme's are two sums, of the all-time rows and of the months, in one
    UNION ALL: each read from the month index alone (its figure, practice and count with
    it), where the two conditions in one were a scan of the table's pages for ten thousand
    rows at 1M (bench/NOTES.md). A figure is either all-time or monthly, so no group is in
    both; the callers add up what they read all the same."""

    def summed(rows: QuerySet[PracticeFigure]) -> QuerySet[Any, tuple[Any, ...]]:
        return rows.values_list(*by).annotate(n=Sum("count")).order_by()

    rows = _rows(practice_ids)
    if practice_ids is None and first_day is not None:
        return summed(rows.filter(month__isnull=True)).union(
            summed(rows.filter(month__gte=first_day)), all=True
        )
    return summed(rows.filter(_from_month(first_day)))


def _practice_rows(
    practice_ids: list[int] | None, first_day: date | None
) -> QuerySet[Any, tuple[Any, ...]]:
    return _sums(practice_ids, first_day, "practice_id", "figure")


def _scope_rows(
    practice_ids: list[int] | None, first_day: date | None
) -> QuerySet[Any, tuple[Any, ...]]:
    return _sums(practice_ids, first_day, "figure")


# The dashboards' usual reads (a scope of practices, or all of them, from a month on), built
# and compiled once per process: a dashboard makes three or four, and building each cost
# more than running it. They take the month's first day, not any day of it.
_practice_rows_of = Prepared(lambda ids, since: _practice_rows(ids, since))
_practice_rows_of_all = Prepared(lambda since: _practice_rows(None, since))
_scope_months_of = Prepared(lambda ids, since: _sums(ids, since, "month", "figure"))
_scope_months_of_all = Prepared(lambda since: _sums(None, since, "month", "figure"))


def practice_totals(
    *, practice_ids: Iterable[int] | None, since: date | None = None
) -> dict[int, dict]:
    """Per practice, each figure's total: the all-time ones, and the monthly ones from
    `since`'s month on (none without it). `practice_ids=None`: every practice. One query."""
    totals: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    if since is None:
        rows = list(_practice_rows(None if practice_ids is None else list(practice_ids), None))
    elif practice_ids is None:
        rows = _practice_rows_of_all(since.replace(day=1))
    else:
        rows = _practice_rows_of(list(practice_ids), since.replace(day=1))
    for practice_id, figure, n in rows:
        totals[practice_id][figure] += n
    return totals


def scope_totals(*, practice_ids: Iterable[int] | None, since: date | None = None) -> dict:
    """As `practice_totals`, summed over the practices by the database. One query. The
    dashboards read their window's totals with its months (`scope_totals_by_month`)."""
    first_day = since.replace(day=1) if since is not None else None
    totals: dict = defaultdict(int)
    for figure, n in _scope_rows(None if practice_ids is None else list(practice_ids), first_day):
        totals[figure] += n
    return dict(totals)


def scope_totals_by_month(
    *, practice_ids: Iterable[int] | None, since: date
) -> tuple[dict, dict[date, dict]]:
    """`scope_totals` and the monthly figures from `since`'s month on (`monthly_totals` of
    every figure), from one read of the rows both are summed from: a programme's are
    every practice's all-time and monthly rows, ten thousand at 1M, which two reads
    summed twice (bench/NOTES.md)."""
    first_day = since.replace(day=1)
    if practice_ids is None:
        rows = _scope_months_of_all(first_day)
    else:
        rows = _scope_months_of(list(practice_ids), first_day)
    totals: dict = defaultdict(int)
    months: dict[date, dict] = defaultdict(lambda: defaultdict(int))
    for month, figure, n in rows:
        totals[figure] += n
        if month is not None:
            months[month][figure] += n
    return dict(totals), months


def monthly_totals(
    *, practice_ids: Iterable[int] | None, since: date, figures: Iterable[str]
) -> dict[date, dict]:
    """Per calendar month from `since`'s on, the named figures summed over the practices."""
    totals: dict[date, dict] = defaultdict(lambda: defaultdict(int))
    rows = (
        _rows(practice_ids)
        .filter(month__gte=since.replace(day=1), figure__in=list(figures))
        .values_list("month", "figure")
        .annotate(n=Sum("count"))
        .order_by()
    )
    for month, figure, n in rows:
        totals[month][figure] = n
    return totals


def sum_figures(figures: dict, names: Iterable[str]) -> int:
    return sum(figures.get(name, 0) for name in names)


# Upkeep

_COMPACT_POSTGRES = """
WITH groups AS (
    SELECT practice_id, month, figure FROM reports_practicefigure
    GROUP BY 1, 2, 3 HAVING COUNT(*) > 1
), gone AS (
    DELETE FROM reports_practicefigure f USING groups g
    WHERE f.practice_id = g.practice_id AND f.month IS NOT DISTINCT FROM g.month
      AND f.figure = g.figure
    RETURNING f.practice_id, f.month, f.figure, f.count
)
INSERT INTO reports_practicefigure (practice_id, month, figure, count)
SELECT practice_id, month, figure, SUM(count) FROM gone GROUP BY 1, 2, 3 HAVING SUM(count) <> 0
"""


def practice_figures_compact() -> int:
    """Fold each practice, month and figure's rows into one, and the referral statistics'
    running counts (`referrals.running_counts`) each service and month's; returns the rows
    removed.

    On PostgreSQL one statement deletes the rows it sums (one snapshot), so a row a
    concurrent transaction adds meanwhile is neither summed nor deleted, and totals never
    change. SQLite has a single writer, so a transaction is enough there."""
    before = PracticeFigure.objects.count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_COMPACT_POSTGRES)
    else:
        with transaction.atomic():
            held = practice_figures_current()
            PracticeFigure.objects.all().delete()
            PracticeFigure.objects.bulk_create(
                PracticeFigure(practice_id=p, month=m, figure=f, count=n)
                for (p, m, f), n in held.items()
            )
    removed = before - PracticeFigure.objects.count()
    if removed and connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Folding leaves a dead tuple per row removed, and the dashboards scan this table:
        # after the volume generator's 365,000 rows, 7.5 ms a read instead of 1 ms until
        # autovacuum came round. VACUUM cannot run inside a transaction (nor in the tests).
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) reports_practicefigure")
    return removed + referral_figures_compact()


def practice_figures_recount(practice_ids: Iterable[int] | None = None) -> dict[Key, int]:
    """Every figure counted afresh from the records, through the ORM: the independent
    reckoning the triggers are checked against. `practice_ids` limits it to those
    practices."""
    counts: dict[Key, int] = {}
    ids = None if practice_ids is None else list(practice_ids)
    scope = Q() if ids is None else Q(participant__practice_id__in=ids)

    def add(rows, figure_of, month=True):
        for row in rows:
            key = (row["pr"], row["m"] if month else None, figure_of(row))
            counts[key] = counts.get(key, 0) + row["n"]

    add(
        Participant.objects.filter(Q() if ids is None else Q(practice_id__in=ids))
        .values(pr=F("practice_id"), s=F("status"))
        .annotate(n=Count("id"))
        .order_by(),
        lambda row: f"cases_{row['s']}",
        month=False,
    )
    add(
        FollowUp.objects.filter(scope)
        .values(pr=F("participant__practice_id"), s=F("status"))
        .annotate(n=Count("id"))
        .order_by(),
        lambda row: f"follow_ups_{row['s']}",
        month=False,
    )
    add(
        Consultation.objects.filter(scope)
        .values(pr=F("participant__practice_id"), m=TruncMonth("date"), a=F("attended"))
        .annotate(n=Count("id"))
        .order_by(),
        lambda row: "consultations_attended" if row["a"] else "consultations_dna",
    )
    referrals = (
        Referral.objects.filter(scope)
        .values(pr=F("participant__practice_id"), m=TruncMonth("date"))
        .order_by()
    )
    add(referrals.annotate(n=Count("id")), lambda row: "referrals_made")
    add(
        referrals.filter(engaged()).annotate(n=Count("id")),
        lambda row: "referrals_engaged",
    )
    return counts


def practice_figures_current() -> dict[Key, int]:
    """The figures as the table holds them, summed, without the ones that come to zero."""
    rows = (
        PracticeFigure.objects.values_list("practice_id", "month", "figure")
        .annotate(n=Sum("count"))
        .order_by()
    )
    return {(p, m, f): n for p, m, f, n in rows if n}


def practice_figures_differences() -> list[str]:
    """Where the table and a recount disagree, one line each; empty when they agree. The
    referral statistics' running counts are checked too."""
    held, counted = practice_figures_current(), practice_figures_recount()
    lines = []
    for key in sorted(set(held) | set(counted), key=lambda k: (k[0], k[1] or date.min, k[2])):
        if held.get(key, 0) != counted.get(key, 0):
            practice_id, month, figure = key
            when = f"{month:%Y-%m}" if month else "all time"
            lines.append(
                f"practice {practice_id}, {figure}, {when}: "
                f"held {held.get(key, 0)}, counted {counted.get(key, 0)}"
            )
    return lines + referral_figures_differences()


def practice_figures_rebuild(practice_ids: Iterable[int] | None = None) -> int:
    """Replace the table's rows (those of `practice_ids` only, when given) with a recount;
    returns the rows written. On PostgreSQL the table is locked meanwhile, so no trigger
    adds a row that the recount already holds. Without `practice_ids`, the referral
    statistics' running counts (for the whole programme, so never a practice's alone) are
    rebuilt too."""
    if practice_ids is not None:
        practice_ids = sorted(set(practice_ids))
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("LOCK TABLE reports_practicefigure IN EXCLUSIVE MODE")
        counts = practice_figures_recount(practice_ids)
        held = PracticeFigure.objects.all()
        if practice_ids is not None:
            held = held.filter(practice_id__in=practice_ids)
        held.delete()
        PracticeFigure.objects.bulk_create(
            PracticeFigure(practice_id=p, month=m, figure=f, count=n)
            for (p, m, f), n in counts.items()
            if n
        )
        written = sum(1 for n in counts.values() if n)
        if practice_ids is None:
            written += referral_figures_rebuild()
    return written


def practice_figures_repair() -> int:
    """Compare the running counts with a recount and, where any differ, rebuild them and say
    so in the log (practice ids, figures and months only: the counts name nobody). Returns
    how many differed. Drift should never happen (every counted write and every move of a
    participant between practices lock the participant's row); this is the net under it."""
    differences = practice_figures_differences()
    if differences:
        logger.warning(
            "The dashboards' running counts differed from the records in %d places and were "
            "rebuilt: %s",
            len(differences),
            "; ".join(differences[:20]),
        )
        practice_figures_rebuild()
    return len(differences)


@contextmanager
def practice_figures_suspended() -> Iterator[None]:
    """For a bulk load inside a transaction: the counting triggers (the dashboards' and the
    referral statistics') are off for the block
    (PostgreSQL; `ALTER TABLE … DISABLE TRIGGER` holds those tables' lock to the end of the
    transaction), and the running counts are rebuilt once from the records as it ends,
    instead of a row added to them for every record written. On SQLite the triggers stay
    on; the rebuild at the end is the same."""
    if not connection.in_atomic_block:
        raise RuntimeError("Suspend the running counts inside a transaction only.")
    triggers: list[tuple[str, str]] = []
    if connection.vendor == "postgresql":
        # A table with deferred foreign-key checks pending cannot be altered: run them now.
        connection.check_constraints()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t"
                " JOIN pg_class c ON c.oid = t.tgrelid"
                " WHERE NOT t.tgisinternal AND (t.tgname LIKE 'reports\\_figures\\_%%'"
                " OR t.tgname LIKE 'referrals\\_figures\\_%%')"
                " AND t.tgenabled <> 'D' ORDER BY 1, 2"
            )
            triggers = cursor.fetchall()
            for table, trigger in triggers:
                cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER "{trigger}"')
    yield
    if triggers:
        connection.check_constraints()
        with connection.cursor() as cursor:
            for table, trigger in triggers:
                cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER "{trigger}"')
    practice_figures_rebuild()
