"""Lists of a few practices' rows, a page at a time, read in order through each practice's
own index.

PostgreSQL reads one index in order for one practice (`practice = 1 ORDER BY …`), but not
for a list of them (`practice IN (1, 2) ORDER BY …`): it reads every row of every practice
listed, then sorts them all to keep 25 (bench/NOTES.md, "Referrals carry their practice"
and "Pages at national scale"). `MergedByPractice` asks each practice for the first rows of
the page in order, merges those in one UNION, and loads the page's rows by id.

Either way, a list may load its page's rows by id through a query of its own (`rows`: a
prepared query, `accounts.prepared`, built and compiled once per process), the ids having
been read through the user's scope and filters: `PagedByIds` does so for a list that is not
merged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from django.db import connection
from django.db.models import Model, QuerySet

from accounts.windows import Windowed
from practices.roles import Roles

# Up to this many practices, a page is merged from each practice's first rows.
MERGED_PRACTICES = 8

M = TypeVar("M", bound=Model)

# A page's rows by their ids, in any order.
Rows = Callable[[list[int]], list[M]]


def _by_ids(ids: list[int], rows: list[M]) -> list[M]:
    found = {row.pk: row for row in rows}
    return [found[pk] for pk in ids if pk in found]


class _ReadByPage(Windowed[M]):
    """`qs` (ordered) as the paginator reads it: counted by the queryset, and read a page
    at a time by `_window(start, stop)`, each kind of list its way."""

    ordered = True
    qs: QuerySet[M]

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[M]:
        return iter(self.qs)


class _CompiledOnce(_ReadByPage[M]):
    """A list whose scope and filters' query (`qs`, ordered by `order`, which ends in a
    unique column) is compiled once for the count and the page: its order's columns, the
    id (and `also`), without an order of its own. Each is written around it as a subquery,
    which PostgreSQL folds into the query around it, so that the count's plan and the page's
    index read in order are those of the queryset's own."""

    also: tuple[str, ...] = ()

    def __init__(self, qs: QuerySet[M], order: Sequence[str]):
        self.qs = qs.order_by(*order)
        self.order = tuple(order)
        columns = [name.lstrip("-") for name in self.order]
        columns = columns if "id" in columns else [*columns, "id"]
        self.columns = [*columns, *(name for name in self.also if name not in columns)]
        self._base: tuple[str, tuple] | None = None

    def _compiled(self) -> tuple[str, tuple]:
        if self._base is None:
            sql, params = self.qs.values(*self.columns).order_by().query.sql_with_params()
            self._base = (sql, tuple(params))
        return self._base

    def count(self) -> int:
        sql, params = self._compiled()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS b", params)  # noqa: S608 (compiled)
            return cursor.fetchone()[0]


class MergedByPractice(_CompiledOnce[M]):
    """`qs.order_by(*order)` as the paginator reads it, for a user of a few practices. The
    order must end in a unique column (an id or a reference), so that it is total; `qs`
    carries the user's scope and filters. A page is each practice's first rows through
    the compiled query, merged in one UNION ALL."""

    also = ("practice_id",)

    def __init__(
        self,
        qs: QuerySet[M],
        practice_ids: Iterable[int],
        order: Sequence[str],
        rows: Rows[M] | None = None,
    ):
        super().__init__(qs, order)
        self.rows = rows
        self.practice_ids = sorted(practice_ids)

    def _window(self, start: int, stop: int) -> list[M]:
        if not self.practice_ids:
            return []
        sql, params = self._compiled()
        quote = connection.ops.quote_name
        part = (
            f"(SELECT * FROM ({sql}) AS b WHERE b.{quote('practice_id')} = %s "  # noqa: S608 (compiled)
            f"ORDER BY {_order('b', self.order)} LIMIT {int(stop)})"
        )
        merged = (
            f"SELECT m.{quote('id')} FROM ({' UNION ALL '.join([part] * len(self.practice_ids))}) "  # noqa: S608 (compiled)
            f"AS m ORDER BY {_order('m', self.order)} LIMIT {int(stop - start)} OFFSET {int(start)}"
        )
        with connection.cursor() as cursor:
            cursor.execute(merged, [value for pk in self.practice_ids for value in (*params, pk)])
            ids = [row[0] for row in cursor.fetchall()]
        return _by_ids(ids, self.rows(ids) if self.rows else list(self.qs.filter(pk__in=ids)))


class PagedByIds(_CompiledOnce[M]):
    """`qs.order_by(*order)` as the paginator reads it: a page's ids in order through `qs`
    (the user's scope and filters), then the page's rows by `rows(ids)`."""

    def __init__(self, qs: QuerySet[M], order: Sequence[str], rows: Rows[M]):
        super().__init__(qs, order)
        self.rows = rows

    def _window(self, start: int, stop: int) -> list[M]:
        sql, params = self._compiled()
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT b.{connection.ops.quote_name('id')} FROM ({sql}) AS b "  # noqa: S608 (compiled)
                f"ORDER BY {_order('b', self.order)} LIMIT {int(stop - start)} "
                f"OFFSET {int(start)}",
                params,
            )
            ids = [row[0] for row in cursor.fetchall()]
        return _by_ids(ids, self.rows(ids)) if ids else []


def _order(alias: str, order: Sequence[str]) -> str:
    """`order` (Django's names, `-` for descending) as the ORDER BY of a subquery's columns,
    ending in the id."""
    quote = connection.ops.quote_name
    return ", ".join(
        f"{alias}.{quote(name.lstrip('-'))} {'DESC' if name.startswith('-') else 'ASC'}"
        for name in (*order, *(() if "id" in order else ("id",)))
    )


def merged_by_practice(
    qs: QuerySet[M], roles: Roles, order: Sequence[str], rows: Rows[M] | None = None
) -> QuerySet[M] | MergedByPractice[M] | PagedByIds[M]:
    """What a list pages through: the queryset itself for a user of one practice (its index
    reads it in order) or of many (administrators, who see them all); merged per practice
    for a user of a few. With `rows`, the page's rows are loaded by id through it."""
    if (
        roles.administrator
        or not 1 < len(roles.practice_ids) <= MERGED_PRACTICES
        # SQLite (the embedded default) cannot limit the parts of a UNION.
        or not connection.features.supports_slicing_ordering_in_compound
    ):
        return qs.order_by(*order) if rows is None else PagedByIds(qs, order, rows)
    return MergedByPractice(qs, roles.practice_ids, order, rows)
