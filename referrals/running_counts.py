"""The referral statistics page's running counts (`ReferralFigure`): reading a year of them,
folding their rows together, and checking them against a recount of the referrals.

The database's triggers keep the counts (referrals migration 0009); nothing here writes a
figure for a referral. The page reads a year's rows, one per service and month once folded,
so its cost follows the size of the directory, not the number of referrals. The upkeep runs
with the dashboards' (`reports.figures`: compacting, the nightly check and repair, the
suspension for bulk loads, `manage.py practice_figures`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.db.models import F, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncQuarter

from referrals.figures import FIGURE_NAMES, figure_counts
from referrals.models import CommunityResource, Referral, ReferralFigure

Key = tuple[int, date]  # service id, first day of the month
Counts = tuple[int, ...]  # the figures, in FIGURE_NAMES' order

# The triggers that keep the counts, for a bulk load that switches them off.
TRIGGERS: tuple[str, ...] = (
    "referrals_figures_referral_write",
    "referrals_figures_referral_change",
)
TRIGGER_PREFIX = "referrals_figures_"


def referral_figure_cells(*, year: int, quarters: bool = False) -> list[tuple[Any, ...]]:
    """The year's counts per service and month (per quarter with `quarters`), for the whole
    programme: the cells of `referrals.selectors.referral_statistics`' grid, each
    `(service id, period (its first day), *figures in FIGURE_NAMES' order)`. Services and
    periods whose referrals have all gone are left out. One query; on PostgreSQL written
    out and read as plain tuples (a year has a few thousand cells, and the ORM's converters
    for each cost more than the query)."""
    first, last = date(year, 1, 1), date(year, 12, 1)
    if connection.vendor == "postgresql":
        # The quarter of a month without a time zone: a `date` is cast to `timestamptz` by
        # default, which costs more than the sums.
        period = "date_trunc('quarter', f.month::timestamp)::date" if quarters else "f.month"
        sums = ", ".join(f"SUM(f.{name})::integer" for name in FIGURE_NAMES)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT f.resource_id, {period}, {sums} "  # noqa: S608 (our own columns)
                "FROM referrals_referralfigure f "
                "WHERE f.month >= %s AND f.month <= %s GROUP BY 1, 2",
                [first, last],
            )
            return [row for row in cursor.fetchall() if row[2]]
    rows = (
        ReferralFigure.objects.filter(month__gte=first, month__lte=last)
        .annotate(period=TruncQuarter("month") if quarters else F("month"))
        .values_list("resource", "period")
        .annotate(*(Sum(name) for name in FIGURE_NAMES))
        .order_by()
    )
    return [row for row in rows if row[2]]


@dataclass(frozen=True)
class Grid:
    """A year's figures added up two ways, each a list in FIGURE_NAMES' order: per service,
    its figures and its referrals in each period (`starts`' order); per period (by its first
    day), its figures. A service or period without referrals is left out."""

    services: dict[int, tuple[list[int], list[int]]]
    periods: dict[date, list[int]]


def grid_of_cells(cells: Sequence[tuple[Any, ...]], starts: Sequence[date]) -> Grid:
    """The grid of cells `(service id, period's first day, *figures)`, summed with numpy:
    summing a few thousand cells in Python a cell at a time cost more than the query."""
    width, count = len(FIGURE_NAMES), len(starts)
    column = {start: index for index, start in enumerate(starts)}
    cells = [cell for cell in cells if cell[2]]
    services = list(dict.fromkeys(cell[0] for cell in cells))
    at = {pk: index for index, pk in enumerate(services)}
    figures = np.array([cell[2:] for cell in cells], dtype=np.int64).reshape(len(cells), width)
    which = np.fromiter((at[cell[0]] for cell in cells), dtype=np.intp, count=len(cells))
    when = np.fromiter((column[cell[1]] for cell in cells), dtype=np.intp, count=len(cells))
    by_service = np.zeros((len(services), width), dtype=np.int64)
    np.add.at(by_service, which, figures)
    lines = np.zeros((len(services), count), dtype=np.int64)
    np.add.at(lines, (which, when), figures[:, 0])
    by_period = np.zeros((count, width), dtype=np.int64)
    np.add.at(by_period, when, figures)
    present = set(when.tolist())
    return Grid(
        services={
            pk: (sums, line)
            for pk, sums, line in zip(services, by_service.tolist(), lines.tolist(), strict=True)
        },
        periods={
            start: sums
            for index, (start, sums) in enumerate(zip(starts, by_period.tolist(), strict=True))
            if index in present
        },
    )


def referral_figure_grid(*, year: int, starts: Sequence[date]) -> Grid:
    """The year's grid for the whole programme from the running counts, a cell a service and
    period added up here (`starts`: the first days of its quarters or of its months): where
    the database is not PostgreSQL, which adds them up itself (`referral_figure_summary`)."""
    return grid_of_cells(referral_figure_cells(year=year, quarters=len(starts) == 4), starts)


@dataclass(frozen=True)
class Summary:
    """A year's figures for the whole programme as the statistics page shows them, in
    FIGURE_NAMES' order: per period (by its first day); per category (its figures, and its
    referrals in each period: a service in two categories counts in both); how many services
    had referrals; and a window of those services in the directory's order (organisation,
    then name, without regard to case), each `(id, organisation, name, figures, referrals in
    each period)`. Periods and services without referrals are left out."""

    periods: dict[date, list[int]]
    categories: dict[int, tuple[list[int], list[int]]]
    service_count: int
    services: list[tuple[int, str, str, list[int], list[int]]]


def _summary_sql(year: int, starts: Sequence[date]) -> tuple[str, list[Any]]:
    """The CTEs the summary reads start from: the year's rows summed per service (with its
    referrals in each period) and per period, in one read of an index (GROUPING SETS: `g`,
    a period's rows without a service), and the services with referrals (`s`). Quarters
    from their own running counts (`ReferralQuarterFigure`), months from the monthly ones:
    a row a service and period either way."""
    table, column = (
        ("referrals_referralquarterfigure", "quarter")
        if len(starts) == 4
        else ("referrals_referralfigure", "month")
    )
    sums = ", ".join(f"SUM(f.{name})::integer AS {name}" for name in FIGURE_NAMES)
    lines = ", ".join(
        f"COALESCE(SUM(f.referrals) FILTER (WHERE f.{column} = %s), 0)::integer AS p{i}"
        for i in range(len(starts))
    )
    sql = (
        f"WITH g AS MATERIALIZED (SELECT f.resource_id, f.{column} AS start, {sums}, {lines} "  # noqa: S608 (our own columns)
        f"FROM {table} f WHERE f.{column} >= %s AND f.{column} <= %s "
        "GROUP BY GROUPING SETS ((1), (2))), "
        "s AS MATERIALIZED (SELECT * FROM g WHERE resource_id IS NOT NULL AND referrals <> 0) "
    )
    return sql, [*starts, starts[0], starts[-1]]


def _services_sql(count: int) -> str:
    """The services' window from `s`, numbered in the directory's order (case ignored, by
    code point: the same on every database collation)."""
    columns = ", ".join(
        [*(f"s.{name}" for name in FIGURE_NAMES), *(f"s.p{i}" for i in range(count))]
    )
    return (
        f"(SELECT 3, s.resource_id, NULL::date, r.organisation, r.name, {columns}, "  # noqa: S608 (our own columns)
        'ROW_NUMBER() OVER (ORDER BY lower(r.organisation) COLLATE "C", '
        'lower(r.name) COLLATE "C", s.resource_id) AS n '
        "FROM s JOIN referrals_communityresource r ON r.id = s.resource_id "
        "ORDER BY n LIMIT %s OFFSET %s)"
    )


def _service(row: tuple[Any, ...], width: int) -> tuple[int, str, str, list[int], list[int]]:
    values = list(row[5:-1])
    return (row[1], row[3], row[4], values[:width], values[width:])


def referral_figure_summary(
    *, year: int, starts: Sequence[date], window: tuple[int, int]
) -> Summary:
    """The year's `Summary` from the running counts, on PostgreSQL, in one statement: the
    rows summed per service once, then per period, per category and for the services of
    `window` (start, stop) by the database, so that a national year comes back as a few
    dozen rows rather than a row for each of its services (bench/NOTES.md)."""
    width, count = len(FIGURE_NAMES), len(starts)
    base, params = _summary_sql(year, starts)
    blank = ", ".join(["NULL::integer"] * count)
    nothing = ", ".join(["NULL::integer"] * (width + count))
    through = CommunityResource.categories.through._meta.db_table
    period_sums = ", ".join(FIGURE_NAMES)
    category_sums = ", ".join(
        [
            *(f"SUM(s.{name})::integer" for name in FIGURE_NAMES),
            *(f"SUM(s.p{i})::integer" for i in range(count)),
        ]
    )
    sql = (
        base + f"(SELECT 0, NULL::bigint, start, NULL::text, NULL::text, {period_sums}, {blank}, "  # noqa: S608 (our own columns)
        "NULL::bigint FROM g WHERE resource_id IS NULL AND referrals <> 0) "
        f"UNION ALL (SELECT 1, c.category_id, NULL::date, NULL::text, NULL::text, "
        f"{category_sums}, NULL::bigint FROM s JOIN {through} c "
        "ON c.communityresource_id = s.resource_id GROUP BY c.category_id) "
        f"UNION ALL (SELECT 2, COUNT(*), NULL::date, NULL::text, NULL::text, {nothing}, "
        "NULL::bigint FROM s) "
        f"UNION ALL {_services_sql(count)}"
    )
    start, stop = window
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, max(stop - start, 0), start])
        rows = cursor.fetchall()
    periods: dict[date, list[int]] = {}
    categories: dict[int, tuple[list[int], list[int]]] = {}
    service_count, services = 0, []
    for row in rows:
        kind = row[0]
        if kind == 0:
            periods[row[2]] = list(row[5 : 5 + width])
        elif kind == 1:
            values = list(row[5:-1])
            categories[row[1]] = (values[:width], values[width:])
        elif kind == 2:
            service_count = row[1]
        else:
            services.append(row)
    services.sort(key=lambda row: row[-1])
    return Summary(
        periods=periods,
        categories=categories,
        service_count=service_count,
        services=[_service(row, width) for row in services],
    )


def referral_figure_services(
    *, year: int, starts: Sequence[date], start: int, stop: int
) -> list[tuple[int, str, str, list[int], list[int]]]:
    """The services from `start` to `stop` of the year's `Summary`, read on their own."""
    base, params = _summary_sql(year, starts)
    with connection.cursor() as cursor:
        cursor.execute(base + _services_sql(len(starts)), [*params, max(stop - start, 0), start])
        rows = sorted(cursor.fetchall(), key=lambda row: row[-1])
    return [_service(row, len(FIGURE_NAMES)) for row in rows]


# The columns are FIGURE_NAMES (a test holds them to it).
_COMPACT_POSTGRES = """
WITH groups AS (
    SELECT resource_id, month FROM referrals_referralfigure GROUP BY 1, 2 HAVING COUNT(*) > 1
), gone AS (
    DELETE FROM referrals_referralfigure f USING groups g
    WHERE f.resource_id = g.resource_id AND f.month = g.month
    RETURNING f.*
)
INSERT INTO referrals_referralfigure (
    resource_id, month, referrals, suggested_only, referred, attended, reached_engaged,
    engaged, feedback, appropriate, relevant)
SELECT resource_id, month, SUM(referrals), SUM(suggested_only), SUM(referred), SUM(attended),
    SUM(reached_engaged), SUM(engaged), SUM(feedback), SUM(appropriate), SUM(relevant)
FROM gone GROUP BY 1, 2 HAVING SUM(referrals) <> 0
"""


# `ReferralQuarterFigure`'s rows folded as the monthly ones are (`_COMPACT_POSTGRES`).
_COMPACT_QUARTERS = _COMPACT_POSTGRES.replace(
    "referrals_referralfigure", "referrals_referralquarterfigure"
).replace("month", "quarter")
# The quarters' running counts written afresh from the monthly ones.
_QUARTERS_FROM_MONTHS = (
    "INSERT INTO referrals_referralquarterfigure (resource_id, quarter, "  # noqa: S608 (our own columns)
    f"{', '.join(FIGURE_NAMES)}) "
    "SELECT resource_id, CAST(date_trunc('quarter', month) AS date), "
    + ", ".join(f"SUM({name})" for name in FIGURE_NAMES)
    + " FROM referrals_referralfigure GROUP BY 1, 2 HAVING SUM(referrals) <> 0"
)


def referral_quarters_differences() -> list[str]:
    """Where the quarters' running counts and the monthly ones added up by quarter
    disagree, one line each; empty when they agree (and always off PostgreSQL, where the
    quarters are not kept)."""
    if connection.vendor != "postgresql":
        return []
    sums = ", ".join(f"SUM({name})" for name in FIGURE_NAMES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT resource_id, quarter, {sums} FROM referrals_referralquarterfigure "  # noqa: S608 (our own columns)
            "GROUP BY 1, 2"
        )
        held = {(r, q): tuple(n) for r, q, *n in cursor.fetchall() if any(n)}
        cursor.execute(
            f"SELECT resource_id, CAST(date_trunc('quarter', month) AS date), {sums} "  # noqa: S608 (our own columns)
            "FROM referrals_referralfigure GROUP BY 1, 2"
        )
        counted = {(r, q): tuple(n) for r, q, *n in cursor.fetchall() if any(n)}
    zero = (0,) * len(FIGURE_NAMES)
    return [
        f"service {resource_id}, referral figures, quarter of {quarter:%Y-%m}: "
        f"held {held.get((resource_id, quarter), zero)}, "
        f"counted {counted.get((resource_id, quarter), zero)}"
        for resource_id, quarter in sorted(set(held) | set(counted))
        if held.get((resource_id, quarter), zero) != counted.get((resource_id, quarter), zero)
    ]


def referral_figures_current() -> dict[Key, Counts]:
    """The counts as the table holds them, summed, without the services and months that
    come to nothing."""
    rows = (
        ReferralFigure.objects.values_list("resource_id", "month")
        .annotate(*(Sum(name) for name in FIGURE_NAMES))
        .order_by()
    )
    return {(r, m): tuple(counts) for r, m, *counts in rows if any(counts)}


def _recounted() -> QuerySet:
    """Each service and month's counts: the service, the month, then FIGURE_NAMES."""
    counts = figure_counts()
    return (
        Referral.objects.values_list("resource_id", TruncMonth("date"))
        .annotate(**{name: counts[name] for name in FIGURE_NAMES})
        .order_by()
    )


def referral_figures_recount() -> dict[Key, Counts]:
    """Every count afresh from the referrals, through the ORM's definitions of the page's
    figures (`referrals.figures.figure_counts`): the reckoning the triggers are checked
    against."""
    return {(r, m): tuple(counts) for r, m, *counts in _recounted()}


def referral_figures_differences() -> list[str]:
    """Where the table and a recount disagree, one line each; empty when they agree."""
    held, counted = referral_figures_current(), referral_figures_recount()
    zero = (0,) * len(FIGURE_NAMES)
    lines = referral_quarters_differences()
    for key in sorted(set(held) | set(counted)):
        if held.get(key, zero) != counted.get(key, zero):
            resource_id, month = key
            lines.append(
                f"service {resource_id}, referral figures, {month:%Y-%m}: "
                f"held {held.get(key, zero)}, counted {counted.get(key, zero)}"
            )
    return lines


def referral_figures_rebuild() -> int:
    """Replace the table's rows with a recount; returns the rows written. On PostgreSQL the
    table is locked meanwhile, so no trigger adds a row that the recount already holds."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The recount written by the database itself (INSERT … SELECT): a bulk import's
            # tens of thousands of rows need not come through Python.
            sql, params = _recounted().query.sql_with_params()
            columns = ", ".join(("resource_id", "month", *FIGURE_NAMES))
            with connection.cursor() as cursor:
                cursor.execute(
                    "LOCK TABLE referrals_referralfigure, referrals_referralquarterfigure "
                    "IN EXCLUSIVE MODE"
                )
                cursor.execute("DELETE FROM referrals_referralfigure")
                cursor.execute(
                    f"INSERT INTO referrals_referralfigure ({columns}) {sql}",
                    params,
                )
                written = cursor.rowcount
                # The quarters' triggers wrote the months' going and coming as rows of their
                # own: the quarters written afresh instead, a row a service and quarter.
                cursor.execute("DELETE FROM referrals_referralquarterfigure")
                cursor.execute(_QUARTERS_FROM_MONTHS)
                return written
        counts = referral_figures_recount()
        ReferralFigure.objects.all().delete()
        ReferralFigure.objects.bulk_create(
            (
                ReferralFigure(resource_id=r, month=m, **dict(zip(FIGURE_NAMES, n, strict=True)))
                for (r, m), n in counts.items()
            ),
            batch_size=5000,
        )
    return len(counts)


def referral_figures_compact() -> int:
    """Fold each service and month's rows into one; returns the rows removed. As
    `reports.figures.practice_figures_compact`: one statement on PostgreSQL (one snapshot),
    a transaction on SQLite."""
    before = ReferralFigure.objects.count()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_COMPACT_POSTGRES)
            cursor.execute(_COMPACT_QUARTERS)
    else:
        with transaction.atomic():
            held = referral_figures_current()
            ReferralFigure.objects.all().delete()
            ReferralFigure.objects.bulk_create(
                ReferralFigure(resource_id=r, month=m, **dict(zip(FIGURE_NAMES, n, strict=True)))
                for (r, m), n in held.items()
            )
    removed = before - ReferralFigure.objects.count()
    if removed and connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) referrals_referralfigure")
            cursor.execute("VACUUM (ANALYZE) referrals_referralquarterfigure")
    return removed
